//! cairn-data: the data node binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use data_node::config::{Config, DEFAULT_CONFIG};

/// mimalloc rather than glibc's malloc: queries allocate many small, short-lived values
/// (partials, rows, series), and glibc spent a third of a GROUP BY query in malloc/free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Cairn's data node: speaks the InfluxDB 1.x HTTP API (/write, /query, /ping, ...).
///
/// Start a single node that behaves like InfluxDB OSS:
///
///     cairn-data --standalone --dir /var/lib/cairn --http-bind 127.0.0.1:8086
///
/// Or a data node of a cluster, registered afterwards with `cairn-ctl add-data data1:8088`:
///
///     cairn-data --dir /var/lib/cairn --meta meta1:8091,meta2:8091,meta3:8091 --rpc-bind data1:8088
///
/// Settings come from the defaults (`cairn-data config` prints them, documented), then the
/// file given with --config, then CAIRN_<SECTION>_<KEY> environment variables, then these
/// flags. Logs go to stderr; CAIRN_LOG sets the level (error, warn, info, debug, trace).
#[derive(Debug, Parser)]
#[command(name = "cairn-data", version, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Run as a cluster of one with an embedded metadata store.
    #[arg(long, global = true)]
    standalone: bool,
    /// Directory for metadata and shards [default: ~/.cairn, or /var/lib/cairn].
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Address of the HTTP API, `host:port` or `:port` for every interface [default: :8086].
    #[arg(long, global = true, value_name = "ADDR")]
    http_bind: Option<String>,
    /// Join a cluster: the meta nodes' API addresses, comma-separated (host:8091,...).
    #[arg(long, global = true, value_name = "ADDRS", conflicts_with = "standalone")]
    meta: Option<String>,
    /// In a cluster, the data-node RPC address: the node's name there [default: :8088].
    #[arg(long, global = true, value_name = "ADDR")]
    rpc_bind: Option<String>,
    /// A TOML configuration file (see `cairn-data config`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Run the node (the default).
    Run,
    /// Print the default configuration, with every option explained.
    Config,
}

fn main() -> ExitCode {
    // Metadata (password hashes) and shards are the node's alone: every file and directory
    // it creates, RocksDB's included, is 0600 or 0700, whatever the umask it was started with.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    if matches!(cli.command, Some(Cmd::Config)) {
        print!("{DEFAULT_CONFIG}");
        return ExitCode::SUCCESS;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("CAIRN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let mut config = match Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cairn-data: {e}");
            return ExitCode::from(2);
        }
    };
    if cli.standalone {
        config.node.standalone = true;
    }
    if let Some(meta) = cli.meta {
        config.meta.addresses = meta;
        config.node.standalone = false;
    }
    if let Some(rpc) = cli.rpc_bind {
        config.node.rpc_bind_address = rpc;
    }
    if let Some(dir) = cli.dir {
        config.node.dir = dir.display().to_string();
    }
    if let Some(bind) = cli.http_bind {
        config.http.bind_address = bind;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cairn-data: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(data_node::server::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cairn-data: {e}");
            ExitCode::FAILURE
        }
    }
}
