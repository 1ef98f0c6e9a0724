//! handoff: the hinted-handoff queues of a coordinator, one per destination data node, and
//! the replayer that empties each. A queued write is an encoded `WriteShardRequest`; the
//! replayer sends them oldest first and pops each one the destination stored, backing off
//! while it cannot. A writer that queues behind undelivered entries (to keep a series'
//! writes in order) can wait for its own entry's delivery, which then counts as the owner's
//! acknowledgement: a non-empty queue alone never fails a write whose owner is up.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use handoff::{Limits, Queue};
use prost::Message;
use proto::data::WriteShardRequest;
use tokio::sync::{watch, Notify};

use crate::config::HintedHandoffConfig;
use crate::meta_client::MetaClient;
use crate::rpc::{PeerError, Peers};

/// Where delivery of one destination's queue stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes delivered (or dropped) since the queue was opened, counted from the bytes
    /// queued at open: an entry is delivered once this reaches its [`Queued::end`].
    pub delivered: u64,
    /// The last delivery attempt failed: writers stop waiting for delivery.
    pub failing: bool,
}

/// An entry just queued: where it ends in the queue's byte count.
#[derive(Debug, Clone, Copy)]
pub struct Queued {
    pub end: u64,
}

/// One destination's queue and its delivery state.
#[derive(Debug)]
pub struct NodeQueue {
    pub node: u64,
    queue: Mutex<QueueState>,
    progress: watch::Sender<Progress>,
    wake: Notify,
    /// The last delivery error, for /metrics and `cairn-ctl show`.
    last_error: Mutex<Option<String>>,
}

#[derive(Debug)]
struct QueueState {
    queue: Option<Queue>,
    /// Bytes pushed since open, plus what was queued at open.
    pushed: u64,
}

/// What a queue holds, for /metrics and `cairn-ctl show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStatus {
    pub node: u64,
    pub bytes: u64,
    /// Unix ns of the oldest undelivered write.
    pub oldest: Option<i64>,
    pub last_error: Option<String>,
}

impl NodeQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether anything waits for delivery.
    pub fn is_empty(&self) -> bool {
        self.lock().queue.as_ref().is_none_or(Queue::is_empty)
    }

    /// Queues a write, durably (blocking: it fsyncs).
    pub fn push(&self, written_at: i64, payload: &[u8]) -> Result<Queued, handoff::Error> {
        let mut state = self.lock();
        let Some(queue) = state.queue.as_mut() else {
            return Err(removed_error());
        };
        let before = queue.queued_bytes();
        queue.push(written_at, payload)?;
        let grown = queue.queued_bytes() - before;
        state.pushed += grown;
        let end = state.pushed;
        drop(state);
        self.wake.notify_one();
        Ok(Queued { end })
    }

    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// Waits until `entry` is delivered (true), or until delivery fails or `deadline`
    /// passes (false).
    pub async fn delivered(&self, entry: Queued, deadline: tokio::time::Instant) -> bool {
        let mut rx = self.progress();
        let wait = async {
            rx.wait_for(|p| p.delivered >= entry.end || p.failing)
                .await
                .is_ok_and(|p| p.delivered >= entry.end)
        };
        tokio::time::timeout_at(deadline, wait).await.unwrap_or(false)
    }

    pub fn status(&self) -> QueueStatus {
        let state = self.lock();
        let (bytes, oldest) = state
            .queue
            .as_ref()
            .map_or((0, None), |q| (q.queued_bytes(), q.oldest_written_at()));
        QueueStatus {
            node: self.node,
            bytes,
            oldest,
            last_error: self.last_error.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }

    /// Records that the oldest entry left the queue, delivered or dropped.
    fn pop(&self) -> Result<(), handoff::Error> {
        let mut state = self.lock();
        let Some(queue) = state.queue.as_mut() else {
            return Err(removed_error());
        };
        queue.pop()?;
        let queued = queue.queued_bytes();
        let delivered = state.pushed - queued;
        drop(state);
        self.progress.send_modify(|p| p.delivered = delivered);
        Ok(())
    }

    fn set_failing(&self, error: Option<String>) {
        let failing = error.is_some();
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = error;
        self.progress
            .send_if_modified(|p| std::mem::replace(&mut p.failing, failing) != failing);
    }
}

fn removed_error() -> handoff::Error {
    handoff::Error::Io {
        action: "use",
        path: PathBuf::from("(removed queue)"),
        source: std::io::Error::other("the destination left the cluster"),
    }
}

/// Every destination's queue, under `dir/<node id>/`.
#[derive(Debug)]
pub struct HintedHandoff {
    dir: PathBuf,
    config: HintedHandoffConfig,
    queues: Mutex<HashMap<u64, Arc<NodeQueue>>>,
}

impl HintedHandoff {
    pub fn new(dir: PathBuf, config: HintedHandoffConfig) -> Self {
        Self {
            dir,
            config,
            queues: Mutex::new(HashMap::new()),
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            max_bytes: self.config.max_size.0,
            ..Limits::default()
        }
    }

    /// The queue for `node`, opened (with its replayer started) on first use. The queues
    /// left on disk are opened at start by [`HintedHandoff::open_existing`].
    pub fn queue(self: &Arc<Self>, node: u64, replay: &Replay) -> Result<Arc<NodeQueue>, handoff::Error> {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(q) = queues.get(&node) {
            return Ok(Arc::clone(q));
        }
        let queue = Queue::open(&self.dir.join(node.to_string()), self.limits())?;
        let pushed = queue.queued_bytes();
        let q = Arc::new(NodeQueue {
            node,
            queue: Mutex::new(QueueState {
                queue: Some(queue),
                pushed,
            }),
            progress: watch::Sender::new(Progress::default()),
            wake: Notify::new(),
            last_error: Mutex::new(None),
        });
        queues.insert(node, Arc::clone(&q));
        if pushed > 0 {
            tracing::info!(
                node,
                bytes = pushed,
                "hinted handoff: found writes queued for a data node"
            );
        }
        replay.start(Arc::clone(self), Arc::clone(&q));
        Ok(q)
    }

    /// The queue for `node` if one is open.
    pub fn get(&self, node: u64) -> Option<Arc<NodeQueue>> {
        self.queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&node)
            .cloned()
    }

    /// Opens the queues found on disk, so that what a previous run queued is delivered.
    pub fn open_existing(self: &Arc<Self>, replay: &Replay) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let Some(node) = entry.file_name().to_str().and_then(|n| n.parse::<u64>().ok()) else {
                continue;
            };
            if let Err(e) = self.queue(node, replay) {
                tracing::error!(node, error = %e, "hinted handoff: cannot open a queue");
            }
        }
    }

    /// What every queue holds, by node id.
    pub fn status(&self) -> Vec<QueueStatus> {
        let queues: Vec<Arc<NodeQueue>> = self
            .queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        let mut out: Vec<QueueStatus> = queues.iter().map(|q| q.status()).collect();
        out.sort_by_key(|s| s.node);
        out
    }

    /// The queues that hold something, as the heartbeat reports them.
    pub fn report(&self) -> Vec<meta::api::HandoffQueue> {
        self.status()
            .into_iter()
            .filter(|q| q.bytes > 0)
            .map(|q| meta::api::HandoffQueue {
                node: q.node,
                bytes: q.bytes,
                oldest: q.oldest.unwrap_or(0),
            })
            .collect()
    }

    /// Deletes the queue of a node that left the cluster.
    fn remove(&self, node: &NodeQueue) {
        self.queues.lock().unwrap_or_else(|e| e.into_inner()).remove(&node.node);
        let queue = node.lock().queue.take();
        if let Some(queue) = queue {
            let bytes = queue.queued_bytes();
            match queue.remove() {
                Ok(()) => tracing::warn!(
                    node = node.node,
                    bytes,
                    "hinted handoff: data node left the cluster; dropped its queue"
                ),
                Err(e) => tracing::error!(node = node.node, error = %e, "hinted handoff: cannot delete a queue"),
            }
        }
        node.set_failing(Some("the data node left the cluster".to_owned()));
    }
}

/// What a replayer needs besides its queue.
#[derive(Debug, Clone)]
pub struct Replay {
    pub meta: Arc<dyn MetaClient>,
    pub peers: Arc<Peers>,
    pub timeout: Duration,
    pub runtime: Option<tokio::runtime::Handle>,
}

impl Replay {
    fn start(&self, hh: Arc<HintedHandoff>, queue: Arc<NodeQueue>) {
        let Some(rt) = &self.runtime else { return };
        rt.spawn(replay(self.clone(), hh, queue));
    }
}

/// What became of one delivery attempt.
enum Attempt {
    /// Stored, or dropped for good: pop it.
    Done,
    /// Try again after the backoff.
    Retry(String),
    /// The destination left the cluster: drop the whole queue.
    Gone,
}

/// Sends `queue`'s entries oldest first until it is empty, then waits for more.
async fn replay(ctx: Replay, hh: Arc<HintedHandoff>, queue: Arc<NodeQueue>) {
    let first = hh.config.retry_interval.0.max(Duration::from_millis(10));
    let max = hh.config.retry_max_interval.0.max(first);
    let max_age = i64::try_from(hh.config.max_age.0.as_nanos()).unwrap_or(i64::MAX);
    let mut backoff = first;
    loop {
        let peeked = queue.lock().queue.as_mut().map(Queue::peek);
        let entry = match peeked {
            None => return,
            Some(Ok(entry)) => entry,
            Some(Err(e)) => {
                tracing::error!(node = queue.node, error = %e, "hinted handoff: cannot read the queue");
                queue.set_failing(Some(e.to_string()));
                tokio::time::sleep(max).await;
                continue;
            }
        };
        let Some(entry) = entry else {
            queue.set_failing(None);
            queue.wake.notified().await;
            continue;
        };
        let attempt = if crate::now_nanos().saturating_sub(entry.written_at) > max_age {
            tracing::error!(
                node = queue.node,
                bytes = entry.payload.len(),
                "hinted handoff: dropped a write older than max-age; anti-entropy repairs the replica"
            );
            Attempt::Done
        } else {
            deliver(&ctx, queue.node, &entry.payload).await
        };
        match attempt {
            Attempt::Done => {
                let q = Arc::clone(&queue);
                match tokio::task::spawn_blocking(move || q.pop()).await {
                    Ok(Ok(())) => {
                        backoff = first;
                        queue.set_failing(None);
                    }
                    Ok(Err(e)) => {
                        tracing::error!(node = queue.node, error = %e, "hinted handoff: cannot record a delivery");
                        queue.set_failing(Some(e.to_string()));
                        tokio::time::sleep(max).await;
                    }
                    Err(_) => return,
                }
            }
            Attempt::Retry(why) => {
                tracing::debug!(node = queue.node, error = %why, retry_in = ?backoff, "hinted handoff: delivery failed");
                queue.set_failing(Some(why));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(max);
            }
            Attempt::Gone => {
                hh.remove(&queue);
                return;
            }
        }
    }
}

/// One delivery of a queued write.
async fn deliver(ctx: &Replay, node: u64, payload: &[u8]) -> Attempt {
    let data = ctx.meta.data();
    let Some(dest) = data.data_node(node) else {
        return Attempt::Gone;
    };
    let request = match WriteShardRequest::decode(payload) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(node, error = %e, "hinted handoff: an undecodable entry; dropped");
            return Attempt::Done;
        }
    };
    // A shard dropped since (DROP DATABASE, retention) is not recreated on the destination.
    if data.shard_owners(request.shard_id).is_none() {
        tracing::debug!(
            node,
            shard = request.shard_id,
            "hinted handoff: the shard is gone; dropped its write"
        );
        return Attempt::Done;
    }
    match ctx.peers.write_shard(dest, request, ctx.timeout).await {
        Ok(_) => Attempt::Done,
        Err(PeerError { retryable: false, .. }) => {
            // The destination refuses it for good (a malformed request): it can never be
            // delivered, and keeping it would stop the queue behind it.
            tracing::error!(node, "hinted handoff: the destination refused a queued write; dropped");
            Attempt::Done
        }
        Err(e) => Attempt::Retry(e.to_string()),
    }
}
