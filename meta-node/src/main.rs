//! cairn-meta: the meta node binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use meta_node::config::{Config, DEFAULT_CONFIG};

/// Cairn's meta node: keeps the cluster's metadata (nodes, databases, retention policies,
/// shard groups, users) in Raft with two or four others.
///
/// Three meta nodes on one machine, formed with cairn-ctl:
///
///     cairn-meta --dir /var/lib/cairn/meta1 --http-bind 127.0.0.1:8091 --raft-bind 127.0.0.1:8089
///     cairn-meta --dir /var/lib/cairn/meta2 --http-bind 127.0.0.2:8091 --raft-bind 127.0.0.2:8089
///     cairn-meta --dir /var/lib/cairn/meta3 --http-bind 127.0.0.3:8091 --raft-bind 127.0.0.3:8089
///     cairn-ctl --bind 127.0.0.1:8091 add-meta 127.0.0.1:8091   # forms the cluster
///     cairn-ctl --bind 127.0.0.1:8091 add-meta 127.0.0.2:8091
///     cairn-ctl --bind 127.0.0.1:8091 add-meta 127.0.0.3:8091
///
/// or start each with `--join 127.0.0.1:8091,127.0.0.2:8091,127.0.0.3:8091`.
///
/// Settings come from the defaults (`cairn-meta config` prints them, documented), then the
/// file given with --config, then CAIRN_<SECTION>_<KEY> environment variables, then these
/// flags. Without [meta] internal-shared-secret the node listens on loopback only. Logs go
/// to stderr; CAIRN_LOG sets the level (error, warn, info, debug, trace).
#[derive(Debug, Parser)]
#[command(name = "cairn-meta", version, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Directory for the node's identity, Raft log and snapshots [default: ~/.cairn-meta].
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Address of the meta API, `host:port` or `:port` [default: :8091].
    #[arg(long, global = true, value_name = "ADDR")]
    http_bind: Option<String>,
    /// Address of Raft RPC, `host:port` or `:port` [default: :8089].
    #[arg(long, global = true, value_name = "ADDR")]
    raft_bind: Option<String>,
    /// Meta API addresses of the other meta nodes, comma-separated: join (or form) their cluster.
    #[arg(long, global = true, value_name = "ADDR,...")]
    join: Option<String>,
    /// A TOML configuration file (see `cairn-meta config`).
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
    // The metadata holds password hashes: every file the node creates is 0600, every
    // directory 0700.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    if matches!(cli.command, Some(Cmd::Config)) {
        print!("{DEFAULT_CONFIG}");
        return ExitCode::SUCCESS;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("CAIRN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,openraft=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let mut config = match Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cairn-meta: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = cli.dir {
        config.meta.dir = dir.display().to_string();
    }
    if let Some(bind) = cli.http_bind {
        config.meta.http_bind_address = bind;
    }
    if let Some(bind) = cli.raft_bind {
        config.meta.raft_bind_address = bind;
    }
    if let Some(join) = cli.join {
        config.meta.join = join;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cairn-meta: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(meta_node::server::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("cairn-meta: {e}");
            ExitCode::FAILURE
        }
    }
}
