//! server: the composition root of a data node. It opens the metadata store and the local
//! shards, builds the write and query coordinators, serves the HTTP API (HTTPS when
//! configured, under the connection limit), runs the
//! background jobs (flush of cold shards, retention, precreation), and on SIGTERM or
//! SIGINT stops accepting requests, lets those in flight finish and flushes every shard.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use meta::{Command, LocalStore};
use shard::{RocksOptions, ShardOptions, WalOptions};
use tokio::sync::watch;

use crate::config::Config;
use crate::http::{self, Api};
use crate::meta_client::{HandoffReport, MetaClient, RemoteMeta, RemoteSettings};
use crate::metrics::Metrics;
use crate::query::{ContinuousQueries, QueryExecutor, ReadCluster};
use crate::retention;
use crate::rpc::Peers;
use crate::store::Store;
use crate::write::{Cluster, HintedHandoff, PointsWriter, Replay};

/// Why the node could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create data directory {}: {source}", path.display())]
    Dir { path: PathBuf, source: std::io::Error },
    #[error("metadata: {0}")]
    Meta(#[from] meta::Error),
    #[error("invalid http bind address {addr:?}: {reason}")]
    BindAddress { addr: String, reason: String },
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("{0}")]
    Tls(#[from] http::TlsError),
    #[error("{0}")]
    Cluster(String),
}

/// `:8086` (all interfaces, as InfluxDB reads it) or `host:port`.
pub fn parse_bind(addr: &str) -> Result<SocketAddr, StartError> {
    let full = if addr.starts_with(':') {
        format!("0.0.0.0{addr}")
    } else {
        addr.to_owned()
    };
    full.parse()
        .map_err(|e: std::net::AddrParseError| StartError::BindAddress {
            addr: addr.to_owned(),
            reason: e.to_string(),
        })
}

/// Runs the node until a termination signal.
pub async fn run(config: Config) -> Result<(), StartError> {
    // Absolute, so that every path in an error is one that `redact` recognises.
    let dir = std::path::absolute(config.dir()).unwrap_or_else(|_| config.dir());
    crate::redact::set_root(&dir);
    private_dir(&dir)?;
    private_dir(&dir.join("data"))?;
    let bind = parse_bind(&config.http.bind_address)?;
    let tls = if config.http.https_enabled {
        Some(http::tls_acceptor(
            &config.http.https_certificate,
            &config.http.https_private_key,
        )?)
    } else {
        None
    };
    let nofile = http::raise_nofile_limit();
    let max_connections = http::connection_limit(config.http.max_connection_limit, nofile);
    let (meta, remote) = if config.node.standalone {
        (standalone_meta(&dir, bind)?, None)
    } else {
        let remote = cluster_meta(&config, &dir).await?;
        (Arc::clone(&remote) as Arc<dyn MetaClient>, Some(remote))
    };
    let options = ShardOptions {
        wal: WalOptions {
            fsync_delay: config.data.wal_fsync_delay.0,
            ..WalOptions::default()
        },
        rocks: RocksOptions::new(
            config.data.block_cache_size.0 as usize,
            config.data.write_buffer_budget.0 as usize,
        ),
        head_limit_bytes: config.data.cache_max_memory_size.0 as usize,
        flush_bytes: config.data.cache_snapshot_memory_size.0 as usize,
        flush_in_background: true,
        ..ShardOptions::default()
    };
    let store = Arc::new(Store::new(&dir.join("data"), options));
    open_shards(&meta, &store);
    let metrics = Arc::new(Metrics::default());
    metrics.watch_store(Arc::clone(&store));
    let mut writer = PointsWriter::new(
        Arc::clone(&meta),
        Arc::clone(&store),
        config.coordinator.shards_per_group,
    );
    let mut peers = None;
    let rpc = match &remote {
        Some(_) => {
            let (cluster, listener) = cluster_writes(&config, &dir, &meta).await?;
            peers = Some(Arc::clone(&cluster.peers));
            metrics.watch_handoff(Arc::clone(&cluster.handoff));
            if let Some(remote) = &remote {
                let handoff = Arc::clone(&cluster.handoff);
                remote.report_handoff(HandoffReport(Box::new(move || handoff.report())));
            }
            writer = writer.with_cluster(cluster);
            Some(listener)
        }
        None => None,
    };
    let writer = Arc::new(writer);
    let mut executor = QueryExecutor::new(
        Arc::clone(&meta),
        Arc::clone(&store),
        Arc::clone(&writer),
        config.coordinator.clone(),
    );
    if let Some(peers) = &peers {
        executor = executor.with_cluster(ReadCluster {
            peers: Arc::clone(peers),
            timeout: config.coordinator.shard_reader_timeout.0,
            runtime: tokio::runtime::Handle::current(),
        });
    }
    let executor = Arc::new(executor);
    metrics.watch_queries(Arc::clone(&executor));
    let api = Arc::new(Api::new(
        config.http.clone(),
        Arc::clone(&meta),
        writer,
        Arc::clone(&executor),
        metrics,
    ));
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| StartError::Listen { addr: bind, source })?;
    let local = listener.local_addr().unwrap_or(bind);
    tracing::info!(
        http = %local,
        https = tls.is_some(),
        dir = %dir.display(),
        version = %config.http.version,
        max_connections,
        open_file_limit = nofile,
        mode = if remote.is_some() { "cluster" } else { "standalone" },
        "cairn-data is ready"
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let server = tokio::spawn(http::serve(listener, api, tls, max_connections, stop_rx.clone()));
    let rpc_server = rpc.map(|listener| {
        let service = crate::rpc::service(
            Arc::clone(&store),
            proto::auth::Secret::new(config.meta.secret().as_deref()),
        );
        let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let result = tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming_shutdown(incoming, async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
            if let Err(e) = result {
                tracing::error!(error = %e, "the data-node RPC server stopped");
            }
        })
    });
    let jobs = tokio::spawn(background(
        config.clone(),
        Arc::clone(&meta),
        Arc::clone(&store),
        Arc::clone(&executor),
        stop_rx,
    ));
    wait_for_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    let _ = stop_tx.send(true);
    let _ = server.await;
    if let Some(rpc) = rpc_server {
        let _ = rpc.await;
    }
    let _ = jobs.await;
    if let Some(remote) = &remote {
        remote.stop();
    }
    let store2 = Arc::clone(&store);
    let _ = tokio::task::spawn_blocking(move || store2.flush_cold(Duration::ZERO)).await;
    tracing::info!("stopped; every shard flushed");
    Ok(())
}

/// Where a standalone node keeps its metadata, and a cluster node its copy of the cluster's.
const STANDALONE_META: &str = "meta";
const CLUSTER_META: &str = "meta-cache";

/// The embedded store of a standalone node, which is its cluster's one data node.
fn standalone_meta(dir: &std::path::Path, bind: SocketAddr) -> Result<Arc<dyn MetaClient>, StartError> {
    if dir.join(CLUSTER_META).exists() {
        return Err(StartError::Cluster(format!(
            "{} holds a cluster data node's data: start it with --meta, or use another --dir for a standalone node",
            dir.display()
        )));
    }
    let meta: Arc<dyn MetaClient> = Arc::new(LocalStore::open(&dir.join(STANDALONE_META))?);
    if meta.data().data_nodes.is_empty() {
        meta.apply(Command::AddDataNode {
            http_addr: bind.to_string(),
            rpc_addr: String::new(),
        })?;
    }
    Ok(meta)
}

/// The metadata of a data node in a cluster: its cached copy, following the meta nodes.
async fn cluster_meta(config: &Config, dir: &std::path::Path) -> Result<Arc<RemoteMeta>, StartError> {
    if dir.join(STANDALONE_META).join("meta.json").exists() {
        return Err(StartError::Cluster(format!(
            "{} holds a standalone node's data: its shards cannot join a cluster as they are; use another --dir",
            dir.display()
        )));
    }
    let meta_addrs = config.meta.addresses();
    if meta_addrs.is_empty() {
        return Err(StartError::Cluster(
            "not standalone, and no meta node to join: give --meta host:8091[,host:8091...] or [meta] addresses"
                .to_owned(),
        ));
    }
    let rpc_addr = cairn_config::advertise(&config.node.rpc_advertise_address, &config.node.rpc_bind_address);
    let settings = RemoteSettings {
        meta_addrs,
        secret: config.meta.secret(),
        http_addr: cairn_config::advertise(&config.node.http_advertise_address, &config.http.bind_address),
        rpc_addr: rpc_addr.clone(),
        call_timeout: config.meta.call_timeout.0,
        watch_wait: config.meta.watch_wait.0,
        heartbeat_interval: config.meta.heartbeat_interval.0,
    };
    tracing::info!(meta = ?settings.meta_addrs, rpc = %settings.rpc_addr, http = %settings.http_addr, "joining the cluster");
    let cache = dir.join(CLUSTER_META);
    let remote = tokio::task::spawn_blocking(move || RemoteMeta::start(&cache, settings))
        .await
        .map_err(|e| StartError::Cluster(format!("the metadata follower failed: {e}")))??;
    if remote.registered_id().is_none() {
        tracing::info!(
            rpc = %rpc_addr,
            "not registered yet: run `cairn-ctl add-data` with this RPC address"
        );
    }
    Ok(remote)
}

/// What a cluster node writes to its peers with, and the listener of its own RPC service
/// (bound before the node says it is ready, so that a bad address fails the start).
async fn cluster_writes(
    config: &Config,
    dir: &std::path::Path,
    meta: &Arc<dyn MetaClient>,
) -> Result<(Cluster, tokio::net::TcpListener), StartError> {
    let rpc_bind = parse_bind(&config.node.rpc_bind_address)?;
    let listener = tokio::net::TcpListener::bind(rpc_bind)
        .await
        .map_err(|source| StartError::Listen { addr: rpc_bind, source })?;
    let secret = proto::auth::Secret::new(config.meta.secret().as_deref());
    let peers = Arc::new(Peers::new(secret, PEER_CONNECT_TIMEOUT));
    let hh_dir = match config.hinted_handoff.dir.as_str() {
        "" => dir.join("hh"),
        d => PathBuf::from(d),
    };
    private_dir(&hh_dir)?;
    let handoff = Arc::new(HintedHandoff::new(hh_dir, config.hinted_handoff.clone()));
    let replay = Replay {
        meta: Arc::clone(meta),
        peers: Arc::clone(&peers),
        timeout: config.coordinator.write_timeout.0,
        runtime: Some(tokio::runtime::Handle::current()),
    };
    handoff.open_existing(&replay);
    tracing::info!(rpc = %listener.local_addr().unwrap_or(rpc_bind), "data-node RPC listening");
    Ok((
        Cluster {
            peers,
            handoff,
            replay,
            write_timeout: config.coordinator.write_timeout.0,
        },
        listener,
    ))
}

/// How long connecting to a peer may take (Enterprise's `dial-timeout`): on one network,
/// a peer that has not answered a SYN in a second is down.
const PEER_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Creates `dir` (and its parents) 0700, and restricts it to 0700 if it was there: the node's
/// files are no one else's business (password hashes in the metadata, points in the shards).
fn private_dir(dir: &std::path::Path) -> Result<(), StartError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let err = |source| StartError::Dir {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(err)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(err)
}

/// Opens the local shards the metadata knows, so their WALs are replayed now rather than
/// on first use.
fn open_shards(meta: &Arc<dyn MetaClient>, store: &Store) {
    let data = meta.data();
    for (db, rp, g) in data.shard_groups() {
        for s in &g.shards {
            if let Err(e) = store.open_existing(&db.name, &rp.name, s.id) {
                tracing::error!(shard = s.id, database = %db.name, error = %e, "cannot open shard");
            }
        }
    }
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The background jobs, each on its own interval, until `stop`.
async fn background(
    config: Config,
    meta: Arc<dyn MetaClient>,
    store: Arc<Store>,
    executor: Arc<QueryExecutor>,
    mut stop: watch::Receiver<bool>,
) {
    let cqs = Arc::new(ContinuousQueries::default());
    let mut cq_tick = tokio::time::interval(config.continuous_queries.run_interval.0.max(Duration::from_millis(100)));
    let cold = config.data.cache_snapshot_write_cold_duration.0;
    let mut flush_tick = tokio::time::interval(Duration::from_secs(1).min(cold.max(Duration::from_millis(100))));
    let mut retention_tick = tokio::time::interval(config.retention.check_interval.0.max(Duration::from_secs(1)));
    let mut precreate_tick =
        tokio::time::interval(config.shard_precreation.check_interval.0.max(Duration::from_secs(1)));
    let advance = i64::try_from(config.shard_precreation.advance_period.0.as_nanos()).unwrap_or(i64::MAX);
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = flush_tick.tick() => {
                let store = Arc::clone(&store);
                let _ = tokio::task::spawn_blocking(move || store.flush_cold(cold)).await;
            }
            _ = retention_tick.tick(), if config.retention.enabled => {
                let (meta, store) = (Arc::clone(&meta), Arc::clone(&store));
                let now = crate::now_nanos();
                let _ = tokio::task::spawn_blocking(move || retention::enforce(meta.as_ref(), &store, now)).await;
            }
            _ = cq_tick.tick(), if config.continuous_queries.enabled => {
                let (cqs, executor) = (Arc::clone(&cqs), Arc::clone(&executor));
                let _ = tokio::task::spawn_blocking(move || cqs.run_due(&executor, crate::now_nanos())).await;
            }
            _ = precreate_tick.tick(), if config.shard_precreation.enabled => {
                let meta = Arc::clone(&meta);
                let (now, shards) = (crate::now_nanos(), config.coordinator.shards_per_group);
                let _ = tokio::task::spawn_blocking(move || retention::precreate(meta.as_ref(), now, advance, shards)).await;
            }
        }
    }
}
