//! cairn-ctl: the operator's CLI of a Cairn cluster. It speaks to one meta node's API
//! (`--bind`); that node forwards what only the leader can do. Commands and layouts follow
//! influxd-ctl's, so an Enterprise operator's habits (and `-force`-style flags) carry over.

mod show;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use meta::api::{AddData, AddMeta, RemoveData, RemoveMeta, Status, TruncateShards, UpdateData};
use meta::Outcome;
use meta_api::{CallError, MetaApi};

/// Inspect and change a Cairn cluster through its meta nodes.
///
/// Form a cluster of three meta nodes and add a data node:
///
///     cairn-ctl add-meta 127.0.0.1:8091        # the first call forms the cluster
///     cairn-ctl add-meta 127.0.0.2:8091
///     cairn-ctl add-meta 127.0.0.3:8091
///     cairn-ctl add-data 127.0.0.1:8088
///     cairn-ctl show
///
/// Every failure exits non-zero with a message that names what failed. influxd-ctl's
/// single-dash flags (-bind, -force, -v, -delay) are accepted too.
#[derive(Debug, Parser)]
#[command(name = "cairn-ctl", version, verbatim_doc_comment)]
struct Cli {
    /// The meta node to talk to (its meta API, host:port).
    #[arg(long, global = true, default_value = "localhost:8091", env = "CAIRN_CTL_BIND")]
    bind: String,
    /// The cluster's shared secret ([meta] internal-shared-secret), if it has one.
    #[arg(
        long,
        global = true,
        env = "CAIRN_META_INTERNAL_SHARED_SECRET",
        hide_env_values = true
    )]
    secret: Option<String>,
    /// How long to wait for an answer, like 30s or 2m. Adding a meta node waits for it to
    /// catch up, which the meta node itself bounds (6 x its command timeout).
    #[arg(long, global = true, default_value = "60s", value_parser = parse_duration)]
    timeout: Duration,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Data and meta nodes, their liveness, and the Raft state.
    ///
    /// Example: cairn-ctl --bind meta1:8091 show
    #[command(verbatim_doc_comment)]
    Show,
    /// Every shard: database, policy, replicas wanted, group, time range, owners.
    ///
    /// Example: cairn-ctl show-shards -v
    #[command(name = "show-shards", verbatim_doc_comment)]
    ShowShards {
        /// Also deleted and expired groups, and each owner's liveness.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Add a meta node (its meta API address). The first call on a node that is in no
    /// cluster forms one; a node already in another cluster is refused.
    ///
    /// Example: cairn-ctl add-meta meta2:8091
    #[command(name = "add-meta", verbatim_doc_comment)]
    AddMeta { addr: String },
    /// Remove a meta node (its meta API address or id). The node is told to leave and
    /// forgets the cluster; a dead node needs --force.
    ///
    /// Example: cairn-ctl remove-meta --force meta3:8091
    #[command(name = "remove-meta", verbatim_doc_comment)]
    RemoveMeta {
        node: String,
        /// Remove it even though it does not answer.
        #[arg(short, long)]
        force: bool,
    },
    /// Register a data node by its RPC address. It must be running with --meta pointing at
    /// the meta nodes (so that it has reported itself).
    ///
    /// Example: cairn-ctl add-data data1:8088
    #[command(name = "add-data", verbatim_doc_comment)]
    AddData { addr: String },
    /// Forget a data node (its RPC address or id). Refused while it is the only owner of
    /// a shard, unless --force (whose data is then lost to the cluster).
    ///
    /// Example: cairn-ctl remove-data data2:8088
    #[command(name = "remove-data", verbatim_doc_comment)]
    RemoveData {
        node: String,
        #[arg(short, long)]
        force: bool,
    },
    /// A data node moved: give its id (or old RPC address) the new RPC address. It keeps
    /// its id and its shards.
    ///
    /// Example: cairn-ctl update-data data1:8088 data1-new:8088
    #[command(name = "update-data", verbatim_doc_comment)]
    UpdateData {
        old: String,
        new: String,
        /// Its new client (HTTP) address, when that changed too.
        #[arg(long)]
        http: Option<String>,
    },
    /// Add the meta node at --bind to the cluster that the meta node CLUSTER is in.
    ///
    /// Example: cairn-ctl --bind meta4:8091 join meta1:8091
    #[command(verbatim_doc_comment)]
    Join {
        /// Any meta node of the cluster to join.
        cluster: String,
    },
    /// Take the meta node at --bind out of its cluster; it forgets the cluster.
    ///
    /// Example: cairn-ctl --bind meta3:8091 leave
    #[command(verbatim_doc_comment)]
    Leave,
    /// End the current shard groups now (or after --delay), so that new writes go to new
    /// shards placed on today's data nodes.
    ///
    /// Example: cairn-ctl truncate-shards --delay 1m
    #[command(name = "truncate-shards", verbatim_doc_comment)]
    TruncateShards {
        /// How long from now, like 30s or 1m.
        #[arg(long, default_value = "0s", value_parser = parse_duration)]
        delay: Duration,
    },
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    cairn_config::parse_duration(s).ok_or_else(|| format!("{s:?} is not a duration: write it like 30s, 500ms or 2m"))
}

/// influxd-ctl writes long flags with one dash: `-force` becomes `--force`.
fn normalise_args(args: impl Iterator<Item = String>) -> Vec<String> {
    const LONG: [&str; 7] = ["-bind", "-force", "-secret", "-timeout", "-delay", "-verbose", "-http"];
    args.map(|a| {
        let name = a.split('=').next().unwrap_or_default();
        if LONG.contains(&name) {
            format!("-{a}")
        } else {
            a
        }
    })
    .collect()
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(normalise_args(std::env::args()));
    let api = MetaApi::new(vec![cli.bind.clone()], cli.secret.clone(), cli.timeout);
    match run(&api, &cli) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cairn-ctl: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command; the text to print, or the failure.
fn run(api: &MetaApi, cli: &Cli) -> Result<String, String> {
    let fail = |e: CallError| explain(&cli.bind, e);
    match &cli.command {
        Cmd::Show => {
            let view = api.get("/cluster").map_err(fail)?;
            Ok(show::cluster(&view, now_nanos()))
        }
        Cmd::ShowShards { verbose } => {
            let data: meta::MetaData = api.get("/data").map_err(fail)?;
            let view = if *verbose { api.get("/cluster").ok() } else { None };
            Ok(show::shards(&data, view.as_ref(), *verbose, now_nanos()))
        }
        Cmd::AddMeta { addr } => {
            let id = node_id(api.post(
                "/add-meta",
                &AddMeta {
                    http_addr: addr.clone(),
                    init: true,
                },
            ))
            .map_err(fail)?;
            Ok(format!("Added meta node {id} at {addr}\n"))
        }
        Cmd::RemoveMeta { node, force } => {
            let _: Outcome = api
                .post(
                    "/remove-meta",
                    &RemoveMeta {
                        node: node.clone(),
                        force: *force,
                    },
                )
                .map_err(fail)?;
            Ok(format!("Removed meta node {node}\n"))
        }
        Cmd::AddData { addr } => {
            let id = node_id(api.post("/add-data", &AddData { rpc_addr: addr.clone() })).map_err(fail)?;
            Ok(format!("Added data node {id} at {addr}\n"))
        }
        Cmd::RemoveData { node, force } => {
            let _: Outcome = api
                .post(
                    "/remove-data",
                    &RemoveData {
                        node: node.clone(),
                        force: *force,
                    },
                )
                .map_err(fail)?;
            Ok(format!("Removed data node {node}\n"))
        }
        Cmd::UpdateData { old, new, http } => {
            let _: Outcome = api
                .post(
                    "/update-data",
                    &UpdateData {
                        node: old.clone(),
                        new_rpc_addr: new.clone(),
                        new_http_addr: http.clone().unwrap_or_default(),
                    },
                )
                .map_err(fail)?;
            Ok(format!("Updated data node {old} to {new}\n"))
        }
        Cmd::Join { cluster } => {
            let me: Status = api.get("/status").map_err(fail)?;
            let there = MetaApi::new(vec![cluster.clone()], cli.secret.clone(), cli.timeout);
            let id = node_id(there.post(
                "/add-meta",
                &AddMeta {
                    http_addr: me.http_addr.clone(),
                    init: false,
                },
            ))
            .map_err(|e| explain(cluster, e))?;
            Ok(format!(
                "Joined meta node {id} at {} to the cluster of {cluster}\n",
                me.http_addr
            ))
        }
        Cmd::Leave => {
            let me: Status = api.get("/status").map_err(fail)?;
            if me.id == 0 {
                return Err(format!("meta node {} is not in a cluster", me.http_addr));
            }
            let _: Outcome = api
                .post(
                    "/remove-meta",
                    &RemoveMeta {
                        node: me.id.to_string(),
                        force: false,
                    },
                )
                .map_err(fail)?;
            Ok(format!("Meta node {} at {} left the cluster\n", me.id, me.http_addr))
        }
        Cmd::TruncateShards { delay } => {
            let _: Outcome = api
                .post(
                    "/truncate-shards",
                    &TruncateShards {
                        delay_ns: i64::try_from(delay.as_nanos()).unwrap_or(i64::MAX),
                    },
                )
                .map_err(fail)?;
            Ok("Truncated shards.\n".to_owned())
        }
    }
}

fn node_id(r: Result<Outcome, CallError>) -> Result<u64, CallError> {
    match r? {
        Outcome::Node(id) => Ok(id),
        other => Err(CallError::Garbled {
            addr: String::new(),
            reason: format!("expected a node id, got {other:?}"),
        }),
    }
}

/// A failure in an operator's words: which address did not answer, or what the cluster said.
fn explain(bind: &str, e: CallError) -> String {
    match e {
        CallError::Unreachable { tried } => {
            let why = tried.first().map(|(_, w)| w.as_str()).unwrap_or("no answer");
            format!("cannot reach the meta node at {bind}: {why} (is cairn-meta running there? see --bind)")
        }
        CallError::Refused { status: 401, text, .. } => {
            format!("meta node {bind} refused the call: {text}; pass the cluster's secret with --secret or CAIRN_META_INTERNAL_SHARED_SECRET")
        }
        other => other.to_string(),
    }
}

fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}
