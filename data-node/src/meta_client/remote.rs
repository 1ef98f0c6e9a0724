//! remote: the metadata of a data node in a cluster. The meta nodes own it; this node keeps
//! a copy in `meta-cache/meta.json` (a [`LocalStore`] whose value is only ever replaced by a
//! newer one) and follows changes by long-polling `GET /data?index=N` on any meta node. So
//! writes into existing shard groups, queries and authentication go on from the copy while
//! no meta node answers; only changes (DDL, a new shard group, users) need the meta cluster,
//! and they fail with a text that names each meta node tried and what it said.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use meta::api::{Executed, HandoffQueue, Heartbeat, NodeKind};
use meta::{Command, Error, LocalStore, MetaData, Outcome};
use meta_api::{CallError, MetaApi, Reply};

use super::MetaClient;

/// How a data node reaches the meta cluster and names itself there.
#[derive(Debug, Clone)]
pub struct Settings {
    pub meta_addrs: Vec<String>,
    pub secret: Option<String>,
    /// This node's HTTP and RPC addresses as the cluster knows them; the RPC address is its
    /// name (`cairn-ctl add-data` takes it).
    pub http_addr: String,
    pub rpc_addr: String,
    /// Bound on one call to a meta node.
    pub call_timeout: Duration,
    /// How long one long-poll waits at most (the meta node bounds it too).
    pub watch_wait: Duration,
    pub heartbeat_interval: Duration,
}

/// The cluster's metadata, as this data node follows it.
#[derive(Debug)]
pub struct RemoteMeta {
    settings: Settings,
    api: MetaApi,
    watch_api: MetaApi,
    cache: LocalStore,
    /// Signalled when the copy gets newer.
    newer: (Mutex<()>, Condvar),
    /// Whether the last call to the meta cluster failed, for logging changes only.
    unreachable: AtomicBool,
    stop: AtomicBool,
    /// What the heartbeat reports of this node's hinted-handoff queues.
    handoff: std::sync::OnceLock<HandoffReport>,
}

/// Reads a node's hinted-handoff queues for its heartbeat.
pub struct HandoffReport(pub Box<dyn Fn() -> Vec<HandoffQueue> + Send + Sync>);

impl std::fmt::Debug for HandoffReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HandoffReport")
    }
}

impl RemoteMeta {
    /// Opens the copy in `cache_dir` and starts following. Without a copy on disk it waits
    /// until a meta node answers: a node that knows no metadata cannot serve anything.
    pub fn start(cache_dir: &std::path::Path, settings: Settings) -> meta::Result<Arc<Self>> {
        let cache = LocalStore::open(cache_dir)?;
        let api = MetaApi::new(
            settings.meta_addrs.clone(),
            settings.secret.clone(),
            settings.call_timeout,
        );
        let watch_api = MetaApi::new(
            settings.meta_addrs.clone(),
            settings.secret.clone(),
            settings.watch_wait + settings.call_timeout,
        );
        let remote = Arc::new(Self {
            settings,
            api,
            watch_api,
            cache,
            newer: (Mutex::new(()), Condvar::new()),
            unreachable: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            handoff: std::sync::OnceLock::new(),
        });
        if remote.cache.data().index == 0 {
            let mut logged: Option<Instant> = None;
            while let Err(e) = remote.fetch() {
                if logged.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                    tracing::warn!(error = %e, "no metadata yet: waiting for a meta node");
                    logged = Some(Instant::now());
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        } else {
            tracing::info!(
                index = remote.cache.data().index,
                "serving from the cached metadata while following the meta nodes"
            );
        }
        let follower = Arc::clone(&remote);
        std::thread::Builder::new()
            .name("meta-follow".into())
            .spawn(move || follower.follow())
            .map_err(|e| Error::Store(format!("cannot start the metadata follower: {e}")))?;
        let beater = Arc::clone(&remote);
        std::thread::Builder::new()
            .name("meta-heartbeat".into())
            .spawn(move || beater.heartbeats())
            .map_err(|e| Error::Store(format!("cannot start the heartbeat: {e}")))?;
        Ok(remote)
    }

    /// Stops the follower and heartbeat threads (at their next wake-up).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// This node's id, once `cairn-ctl add-data` has registered it.
    pub fn registered_id(&self) -> Option<u64> {
        let rpc = &self.settings.rpc_addr;
        self.cache
            .data()
            .data_nodes
            .iter()
            .find(|n| &n.rpc_addr == rpc)
            .map(|n| n.id)
    }

    /// Takes `data` if it is newer than the copy.
    fn take(&self, data: MetaData) -> meta::Result<()> {
        let before = self.registered_id();
        if self.cache.replace(data)? {
            let _held = self.newer.0.lock().unwrap_or_else(|e| e.into_inner());
            self.newer.1.notify_all();
            if before.is_none() {
                if let Some(id) = self.registered_id() {
                    tracing::info!(id, "this data node is registered in the cluster");
                }
            }
        }
        Ok(())
    }

    /// The metadata from any meta node, now.
    fn fetch(&self) -> Result<(), Error> {
        let data: MetaData = self.api.get("/data").map_err(unavailable)?;
        self.take(data)
    }

    /// Notes whether the meta cluster answered, logging only changes.
    fn reached(&self, result: &Result<(), Error>) {
        match result {
            Ok(()) => {
                if self.unreachable.swap(false, Ordering::Relaxed) {
                    tracing::info!("the meta nodes answer again");
                }
            }
            Err(e) => {
                if !self.unreachable.swap(true, Ordering::Relaxed) {
                    tracing::warn!(error = %e, "the meta nodes do not answer: serving from the cached metadata");
                }
            }
        }
    }

    /// Long-polls for each newer metadata until stopped.
    fn follow(self: Arc<Self>) {
        let wait = format!("{}ms", self.settings.watch_wait.as_millis());
        while !self.stop.load(Ordering::Relaxed) {
            let index = self.cache.data().index;
            let path = format!("/data?index={index}&wait={wait}");
            let result = match self.watch_api.call::<MetaData>(None, "GET", &path, None) {
                Ok(Reply::Value(data)) => self.take(data),
                Ok(Reply::Empty(_)) => Ok(()),
                Err(e) => Err(unavailable(e)),
            };
            let failed = result.is_err();
            self.reached(&result);
            if failed {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }

    /// Lets the heartbeat report the hinted-handoff queues (`cairn-ctl show` lists them).
    pub fn report_handoff(&self, report: HandoffReport) {
        let _ = self.handoff.set(report);
    }

    /// Reports this node to the meta leader now and then: liveness, and what lets
    /// `cairn-ctl add-data` find it.
    fn heartbeats(self: Arc<Self>) {
        while !self.stop.load(Ordering::Relaxed) {
            let hb = Heartbeat {
                kind: NodeKind::Data,
                id: self.registered_id().unwrap_or(0),
                http_addr: self.settings.http_addr.clone(),
                rpc_addr: self.settings.rpc_addr.clone(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
                handoff: self.handoff.get().map(|r| (r.0)()).unwrap_or_default(),
            };
            let body = serde_json::to_vec(&hb).unwrap_or_default();
            if let Err(e) = self
                .api
                .call::<serde_json::Value>(None, "POST", "/heartbeat", Some(&body))
            {
                tracing::debug!(error = %e, "heartbeat not delivered");
            }
            std::thread::sleep(self.settings.heartbeat_interval);
        }
    }

    /// Waits until the copy has reached `index`, fetching it when the follower is slower.
    fn wait_for(&self, index: u64) -> meta::Result<()> {
        let deadline = Instant::now() + self.settings.call_timeout;
        let (lock, cv) = &self.newer;
        let mut held = lock.lock().unwrap_or_else(|e| e.into_inner());
        while self.cache.data().index < index {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                drop(held);
                // The follower may be stuck on a meta node that lags: ask again, waiting.
                let path = format!("/data?index={}&wait=1s", index.saturating_sub(1));
                return match self.api.call::<MetaData>(None, "GET", &path, None) {
                    Ok(Reply::Value(data)) if data.index >= index => self.take(data),
                    Ok(_) => Err(Error::Unavailable(format!(
                        "the change was applied at index {index}, but no meta node has served it to this data node within {:?}",
                        self.settings.call_timeout
                    ))),
                    Err(e) => Err(unavailable(e)),
                };
            }
            held = cv.wait_timeout(held, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        Ok(())
    }
}

impl MetaClient for RemoteMeta {
    fn data(&self) -> Arc<MetaData> {
        self.cache.data()
    }

    /// Sends the command to the meta cluster (any node passes it to the leader) and returns
    /// once this node's copy holds the change, so that what the caller does next sees it.
    fn apply(&self, command: Command) -> meta::Result<Outcome> {
        let executed: Executed = self.api.post("/execute", &command).map_err(unavailable)?;
        let outcome = executed.result?;
        self.wait_for(executed.index)?;
        Ok(outcome)
    }

    fn node_id(&self) -> Option<u64> {
        self.registered_id()
    }
}

/// A failed call to the meta cluster as a metadata error, in words that name the nodes.
fn unavailable(e: CallError) -> Error {
    match e {
        CallError::Refused { addr, status, text } if status >= 500 => {
            Error::Unavailable(format!("meta node {addr}: {text}"))
        }
        CallError::Refused { text, .. } => Error::Unavailable(text),
        other => Error::Unavailable(other.to_string()),
    }
}
