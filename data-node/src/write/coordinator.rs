//! coordinator: maps each point to (database, retention policy) -> shard group (by time) ->
//! shard (by series hash) -> owners, creating shard groups on demand, and writes each
//! shard's points to its owners in one call each: this node's own replica directly, the
//! others by RPC in parallel. Points older than the policy keeps are dropped, as InfluxDB
//! does; storage refusals (field type conflicts) drop single points, never the batch.
//! A write succeeds when every shard's owners meet the consistency level; an owner that
//! cannot be reached gets its points through hinted handoff. Standalone, every shard has
//! one owner, this node, and nothing here needs a peer.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use line_protocol::{series_hash, Point};
use meta::{Command, Outcome, ShardGroupInfo};
use prost::Message;
use proto::data::{WriteShardRequest, WriteShardResponse};
use tokio::sync::mpsc;

use super::handoff::{HintedHandoff, NodeQueue, Replay};
use crate::meta_client::MetaClient;
use crate::rpc::Peers;
use crate::store::Store;

/// The write consistency level of `/write?consistency=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Consistency {
    Any,
    #[default]
    One,
    Quorum,
    All,
}

impl Consistency {
    /// Parses the parameter; empty means the default.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "" | "one" => Self::One,
            "any" => Self::Any,
            "quorum" => Self::Quorum,
            "all" => Self::All,
            _ => return None,
        })
    }

    /// Owners that must store a shard's points (`any`: one, in hinted handoff or stored).
    fn required(self, owners: usize) -> usize {
        match self {
            Self::Any | Self::One => 1,
            Self::Quorum => owners / 2 + 1,
            Self::All => owners,
        }
        .min(owners)
        .max(1)
    }

    fn name(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::One => "one",
            Self::Quorum => "quorum",
            Self::All => "all",
        }
    }
}

/// Why a write failed, in InfluxDB's words.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The request names a policy the database does not have (InfluxDB answers 500).
    #[error("{0}")]
    Meta(#[from] meta::Error),
    /// Some points were not stored; the others were.
    #[error("partial write: {reason} dropped={dropped}")]
    Partial { reason: String, dropped: usize },
    /// Storage failed; nothing is known to be stored.
    #[error("{0}")]
    Shard(#[from] shard::Error),
    /// A shard's owners did not meet the consistency level: InfluxDB Enterprise's
    /// `partial write` (some owner stored the points) or `write failed` (none did; with
    /// `hinted handoff queue not empty` when they wait in hinted handoff), with the shard,
    /// the owners and why each failed.
    #[error("{0}")]
    Consistency(String),
    /// This node has not seen its own registration: it does not know which shards are its.
    #[error("write failed: this data node is not registered in the cluster yet: register it with `cairn-ctl add-data <its RPC address>`")]
    NotRegistered,
}

impl WriteError {
    /// Whether the client sent something wrong (400) rather than the server failing (500).
    pub fn is_client_error(&self) -> bool {
        matches!(self, Self::Partial { .. })
    }
}

/// What a successful write stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub points: usize,
    pub values: usize,
}

/// Places and writes points.
#[derive(Debug)]
pub struct PointsWriter {
    meta: Arc<dyn MetaClient>,
    store: Arc<Store>,
    shards_per_group: u32,
    /// How this node reaches the other owners; `None` standalone.
    cluster: Option<Cluster>,
}

/// What a coordinator in a cluster writes to other owners with.
#[derive(Debug)]
pub struct Cluster {
    pub peers: Arc<Peers>,
    pub handoff: Arc<HintedHandoff>,
    pub replay: Replay,
    /// `[coordinator] write-timeout`.
    pub write_timeout: Duration,
}

/// What one owner did with a shard's points.
#[derive(Debug)]
enum Owned {
    /// Stored (durable), with what storage made of the points when this owner says.
    Stored(Option<shard::WriteOutcome>),
    /// Not stored, but queued in hinted handoff for it; why it was not stored.
    Queued(String),
    /// Neither: why.
    Failed(String),
}

/// What a peer's storage made of a shard's points, as this node's own storage says it.
fn outcome_from_wire(r: WriteShardResponse) -> shard::WriteOutcome {
    let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    shard::WriteOutcome {
        points: size(r.points),
        values: size(r.values),
        dropped: size(r.dropped),
        first_drop: Some(r.first_drop).filter(|s| !s.is_empty()),
    }
}

/// The owners' answers for one shard, as they arrive.
#[derive(Debug)]
struct Tally {
    shard: u64,
    owners: usize,
    required: usize,
    stored: usize,
    queued: usize,
    /// Answers still to come.
    pending: usize,
    outcome: Option<shard::WriteOutcome>,
    /// Why owners did not store the points, each naming the owner.
    failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, answer: Owned) {
        self.pending -= 1;
        match answer {
            Owned::Stored(outcome) => {
                self.stored += 1;
                if self.outcome.is_none() {
                    self.outcome = outcome;
                }
            }
            Owned::Queued(why) => {
                self.queued += 1;
                self.failures.push(format!("{why} (queued for hinted handoff)"));
            }
            Owned::Failed(why) => self.failures.push(why),
        }
    }

    fn met(&self, consistency: Consistency) -> bool {
        self.stored >= self.required || (consistency == Consistency::Any && self.stored + self.queued >= 1)
    }

    /// Why the shard's owners missed `consistency`, in InfluxDB Enterprise's words first.
    fn error(&self, consistency: Consistency) -> (u8, String) {
        let mut failures = self.failures.clone();
        if self.pending > 0 {
            failures.push(format!("{} owner(s) did not answer within write-timeout", self.pending));
        }
        let detail = format!(
            "shard {}: stored by {} of {} owners, consistency={} needs {}: {}",
            self.shard,
            self.stored,
            self.owners,
            consistency.name(),
            self.required,
            failures.join("; ")
        );
        // Ranked so that the worst shard speaks for the write.
        if self.stored > 0 {
            (0, format!("partial write: {detail}"))
        } else if self.queued > 0 {
            (1, format!("write failed: hinted handoff queue not empty: {detail}"))
        } else {
            (2, format!("write failed: {detail}"))
        }
    }
}

impl PointsWriter {
    pub fn new(meta: Arc<dyn MetaClient>, store: Arc<Store>, shards_per_group: u32) -> Self {
        Self {
            meta,
            store,
            shards_per_group,
            cluster: None,
        }
    }

    /// A writer that reaches a cluster's other owners.
    pub fn with_cluster(self, cluster: Cluster) -> Self {
        Self {
            cluster: Some(cluster),
            ..self
        }
    }

    /// Writes `points` to `database`/`policy` (empty: the default policy). `now` is the
    /// server time in ns, for the retention cut-off. Blocks until the points are durable on
    /// the owners `consistency` asks for, or queued for them when it is `any`.
    pub fn write<'b, 'a: 'b>(
        &self,
        database: &str,
        policy: &str,
        consistency: Consistency,
        points: impl Iterator<Item = Point<'b, 'a>>,
        now: i64,
    ) -> Result<Written, WriteError> {
        let data = self.meta.data();
        let rp = data.retention_policy(database, policy)?;
        let me = self.meta.node_id();
        if me.is_none() {
            return Err(WriteError::NotRegistered);
        }
        let policy = rp.name.clone();
        let min_time = if rp.duration > 0 {
            now.saturating_sub(rp.duration)
        } else {
            i64::MIN
        };
        // Shard groups the batch needs: known ones first, then created once per window.
        let mut groups: Vec<ShardGroupInfo> = Vec::new();
        let mut by_shard: BTreeMap<u64, (Vec<u64>, Vec<Point<'b, 'a>>)> = BTreeMap::new();
        let mut beyond_retention = 0;
        let mut key = String::new();
        for p in points {
            let t = p.time();
            if t < min_time {
                beyond_retention += 1;
                continue;
            }
            let group = match groups.iter().position(|g| g.contains(t)) {
                Some(i) => &groups[i],
                None => {
                    let g = match rp.shard_group_at(t) {
                        Some(g) => g.clone(),
                        None => self.create_group(database, &policy, t)?,
                    };
                    groups.push(g);
                    &groups[groups.len() - 1]
                }
            };
            key.clear();
            p.append_series_key(&mut key);
            let shard = group.shard_for(series_hash(&key));
            by_shard
                .entry(shard.id)
                .or_insert_with(|| (shard.owners.clone(), Vec::new()))
                .1
                .push(p);
        }
        let mut tallies: Vec<Tally> = Vec::with_capacity(by_shard.len());
        // Remote owners first, so that their calls run while this node writes its own.
        let (tx, mut rx) = mpsc::unbounded_channel::<(usize, Owned)>();
        for (i, (id, (owners, points))) in by_shard.iter().enumerate() {
            tallies.push(Tally {
                shard: *id,
                owners: owners.len(),
                required: consistency.required(owners.len()),
                stored: 0,
                queued: 0,
                pending: owners.len(),
                outcome: None,
                failures: Vec::new(),
            });
            let remote: Vec<u64> = owners.iter().copied().filter(|&o| Some(o) != me).collect();
            if !remote.is_empty() {
                self.send(&data, database, &policy, *id, points, &remote, now, i, &tx);
            }
        }
        drop(tx);
        for (i, (id, (owners, points))) in by_shard.iter().enumerate() {
            if !me.is_some_and(|me| owners.contains(&me)) {
                continue;
            }
            match self.store.write(database, &policy, *id, points) {
                Ok(outcome) => tallies[i].add(Owned::Stored(Some(outcome))),
                // The only owner: storage's own error, as a standalone node reports it.
                Err(e) if owners.len() == 1 => return Err(e.into()),
                Err(e) => {
                    tracing::error!(shard = id, error = %e, "write to a local replica failed");
                    let text = crate::redact::paths(&e.client_text());
                    tallies[i].add(Owned::Failed(format!("this node's replica: {text}")));
                }
            }
        }
        if tallies.iter().any(|t| t.pending > 0) {
            self.wait(&mut tallies, &mut rx, consistency);
        }
        let mut written = Written::default();
        let mut refused: Option<(String, usize)> = None;
        let mut worst: Option<(u8, String)> = None;
        for t in &tallies {
            if !t.met(consistency) {
                let e = t.error(consistency);
                if worst.as_ref().is_none_or(|w| e.0 > w.0) {
                    worst = Some(e);
                }
                continue;
            }
            let Some(outcome) = &t.outcome else { continue };
            written.points += outcome.points;
            written.values += outcome.values;
            if outcome.dropped > 0 {
                let r = refused.get_or_insert_with(|| (outcome.first_drop.clone().unwrap_or_default(), 0));
                r.1 += outcome.dropped;
            }
        }
        if let Some((_, text)) = worst {
            return Err(WriteError::Consistency(text));
        }
        // A storage refusal is reported over points beyond retention, as InfluxDB's
        // per-shard error replaces the mapping's.
        if let Some((reason, dropped)) = refused {
            return Err(WriteError::Partial { reason, dropped });
        }
        if beyond_retention > 0 {
            return Err(WriteError::Partial {
                reason: "points beyond retention policy".to_owned(),
                dropped: beyond_retention,
            });
        }
        Ok(written)
    }

    /// Starts the writes of one shard's points to its remote owners; each answer goes to
    /// `tx` as `(index, answer)`. The calls run on the runtime and finish (queueing what
    /// failed) whether or not the writer still waits for them.
    #[allow(clippy::too_many_arguments)]
    fn send(
        &self,
        data: &meta::MetaData,
        database: &str,
        policy: &str,
        shard: u64,
        points: &[Point<'_, '_>],
        remote: &[u64],
        now: i64,
        index: usize,
        tx: &mpsc::UnboundedSender<(usize, Owned)>,
    ) {
        let answer = |owned: Owned| {
            let _ = tx.send((index, owned));
        };
        let (Some(cluster), Ok(runtime)) = (&self.cluster, tokio::runtime::Handle::try_current()) else {
            for node in remote {
                answer(Owned::Failed(format!(
                    "data node {node}: this node is not in a cluster and cannot reach it"
                )));
            }
            return;
        };
        let request = WriteShardRequest {
            shard_id: shard,
            database: database.to_owned(),
            policy: policy.to_owned(),
            points: points.iter().map(crate::rpc::point_to_wire).collect(),
        };
        let payload: Arc<[u8]> = request.encode_to_vec().into();
        let deadline = tokio::time::Instant::now() + cluster.write_timeout;
        for &node in remote {
            let Some(dest) = data.data_node(node).cloned() else {
                answer(Owned::Failed(format!("data node {node}: not in the metadata")));
                continue;
            };
            let queue = match cluster.handoff.queue(node, &cluster.replay) {
                Ok(q) => q,
                Err(e) => {
                    answer(Owned::Failed(format!("data node {node}: {e}")));
                    continue;
                }
            };
            if !queue.is_empty() {
                // Behind writes it has not received yet: queue this one too, so that it
                // never overtakes them, and count it stored once it is delivered.
                let queued = match queue.push(now, &payload) {
                    Ok(q) => q,
                    Err(e) => {
                        answer(Owned::Failed(format!("data node {node} ({}): {e}", dest.rpc_addr)));
                        continue;
                    }
                };
                let tx = tx.clone();
                runtime.spawn(async move {
                    let owned = if queue.delivered(queued, deadline).await {
                        Owned::Stored(None)
                    } else {
                        let why = queue
                            .status()
                            .last_error
                            .unwrap_or_else(|| "not delivered yet".to_owned());
                        Owned::Queued(format!("data node {node} ({}): {why}", dest.rpc_addr))
                    };
                    let _ = tx.send((index, owned));
                });
                continue;
            }
            let (tx, peers, request, payload) = (
                tx.clone(),
                Arc::clone(&cluster.peers),
                request.clone(),
                Arc::clone(&payload),
            );
            let timeout = cluster.write_timeout;
            runtime.spawn(async move {
                let owned = match peers.write_shard(&dest, request, timeout).await {
                    Ok(resp) => Owned::Stored(Some(outcome_from_wire(resp))),
                    Err(e) if !e.retryable => Owned::Failed(e.to_string()),
                    Err(e) => hint(queue, now, payload, e.to_string()).await,
                };
                let _ = tx.send((index, owned));
            });
        }
    }

    /// Collects the remote owners' answers until every shard meets `consistency`, every
    /// answer is in, or write-timeout has passed.
    fn wait(&self, tallies: &mut [Tally], rx: &mut mpsc::UnboundedReceiver<(usize, Owned)>, consistency: Consistency) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // No runtime, no calls: only the refusals `send` answered at once.
            while let Ok((i, owned)) = rx.try_recv() {
                tallies[i].add(owned);
            }
            return;
        };
        let timeout = self.cluster.as_ref().map_or(Duration::ZERO, |c| c.write_timeout);
        runtime.block_on(async {
            let deadline = tokio::time::Instant::now() + timeout;
            while tallies.iter().any(|t| t.pending > 0 && !t.met(consistency)) {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some((i, owned))) => tallies[i].add(owned),
                    Ok(None) | Err(_) => break,
                }
            }
        });
    }

    fn create_group(&self, database: &str, policy: &str, t: i64) -> Result<ShardGroupInfo, WriteError> {
        let outcome = self.meta.apply(Command::CreateShardGroup {
            database: database.to_owned(),
            policy: policy.to_owned(),
            timestamp: t,
            shards: self.shards_per_group,
        })?;
        match outcome {
            Outcome::ShardGroup(g) => Ok(g),
            other => panic!("BUG: CreateShardGroup answered {other:?}"),
        }
    }
}

/// Queues a write an owner did not take (blocking work: the queue fsyncs).
async fn hint(queue: Arc<NodeQueue>, now: i64, payload: Arc<[u8]>, why: String) -> Owned {
    let pushed = tokio::task::spawn_blocking(move || queue.push(now, &payload)).await;
    match pushed {
        Ok(Ok(_)) => Owned::Queued(why),
        Ok(Err(e)) => Owned::Failed(format!("{why}; {e}")),
        Err(e) => Owned::Failed(format!("{why}; queueing failed: {e}")),
    }
}
