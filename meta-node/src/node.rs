//! node: one meta node. It is in no cluster until it forms one (`add-meta` with `init`, or
//! the lowest address of a `--join` list) or a leader assigns it an id; from then on it runs
//! Raft over its durable log and state machine. Calls that only the leader can answer
//! (commands, membership, liveness) are forwarded to it from any node; reads of the
//! metadata are served by every node.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::hash::{BuildHasher, RandomState};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use hyper::{Method, StatusCode};
use meta::api::{
    AddData, AddMeta, ClusterView, Executed, Heartbeat, Liveness, NodeKind, RaftStatus, RemoveData, RemoveMeta, Status,
    UpdateData,
};
use meta::{Command, MetaData, Outcome};
use openraft::error::{ClientWriteError, RaftError};
use openraft::{ChangeMembers, ServerState};
use serde::{Deserialize, Serialize};

use crate::auth::Secret;
use crate::config::Config;
use crate::http_client::Peers;
use crate::log_store::LogStore;
use crate::raft_rpc::Network;
use crate::state_machine::{Published, Snapshots, StateMachine};
use crate::types::{NodeId, Peer, Raft};

const IDENTITY_FILE: &str = "node.json";
/// The id of the node that forms a cluster; ids count up from it and are never reused.
const FIRST_ID: NodeId = 1;
const RAFT_DIR: &str = "raft";
/// The version every node reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The header a meta node puts on a call it forwards to the leader.
pub const FORWARDED_HEADER: &str = "x-cairn-forwarded";

tokio::task_local! {
    /// Set while answering a call another meta node forwarded: it is answered here or
    /// refused as "not the leader", never forwarded again, so two nodes with stale views
    /// cannot pass a call back and forth; the node that forwarded it retries.
    pub static FORWARDED: bool;
}

/// Who this node is in its cluster: kept in `node.json`, written once when it joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: NodeId,
    pub cluster_id: u64,
}

/// The Raft of a node in a cluster.
#[derive(Clone)]
pub struct Running {
    pub identity: Identity,
    pub raft: Raft,
    pub published: Arc<Published>,
    snapshots: Arc<Snapshots>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// The node's Raft, once it has one; shared with the Raft RPC server.
#[derive(Debug, Clone, Default)]
pub struct RaftSlot(Arc<RwLock<Option<Running>>>);

impl RaftSlot {
    pub fn get(&self) -> Option<Raft> {
        self.running().map(|r| r.raft)
    }

    pub fn running(&self) -> Option<Running> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, running: Option<Running>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = running;
    }
}

/// Why an API call failed; each maps to an HTTP status and a text that names what failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("meta node {0} is not part of a cluster: form one with `cairn-ctl --bind {0} add-meta {0}`, or add it to one with `cairn-ctl add-meta {0}`")]
    NotInCluster(String),
    /// This node lost the leadership while answering: the caller may retry elsewhere.
    #[error("meta node {0} is not the leader")]
    NotLeader(String),
    #[error("no meta leader: no quorum of the {voters} meta nodes ({addrs}) elected one within {waited:?}")]
    NoLeader {
        voters: usize,
        addrs: String,
        waited: Duration,
    },
    #[error("no quorum: the change was not committed within {0:?} (a majority of meta nodes must answer; it may still be applied when they return)")]
    NoQuorum(Duration),
    #[error("{0}")]
    Peer(String),
    /// Another node's 503, passed on.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Internal(String),
}

impl Failure {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotInCluster(_)
            | Self::NotLeader(_)
            | Self::NoLeader { .. }
            | Self::NoQuorum(_)
            | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Peer(_) => StatusCode::BAD_GATEWAY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An answer: status and JSON body.
pub type Answer = (StatusCode, Vec<u8>);

pub fn json_answer(status: StatusCode, value: &impl Serialize) -> Answer {
    (
        status,
        serde_json::to_vec(value).unwrap_or_else(|e| panic!("BUG: an API answer does not encode: {e}")),
    )
}

/// One meta node.
#[derive(Debug)]
pub struct MetaNode {
    config: Config,
    dir: PathBuf,
    pub http_addr: String,
    pub raft_addr: String,
    pub secret: Secret,
    pub slot: RaftSlot,
    peers: Peers,
    /// What the leader has heard, by kind and RPC (or Raft) address.
    liveness: Mutex<BTreeMap<(NodeKind, String), Liveness>>,
    /// When this node last became leader (Unix ns).
    leader_since: AtomicI64,
    /// One membership change at a time.
    membership: tokio::sync::Mutex<()>,
    /// How long a call waits for a leader and a commit.
    pub command_timeout: Duration,
}

pub fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

impl MetaNode {
    /// Opens the node in `config`'s directory, starting Raft if it is in a cluster.
    pub async fn open(config: Config, http_addr: String, raft_addr: String) -> Result<Arc<Self>, String> {
        let dir = config.dir();
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let secret = Secret::new(config.secret());
        let command_timeout = (config.raft.election_timeout.0 * 6).max(Duration::from_secs(5));
        let node = Arc::new(Self {
            dir,
            http_addr,
            raft_addr,
            peers: Peers::new(secret.clone()),
            secret,
            slot: RaftSlot::default(),
            liveness: Mutex::new(BTreeMap::new()),
            leader_since: AtomicI64::new(0),
            membership: tokio::sync::Mutex::new(()),
            command_timeout,
            config,
        });
        if let Some(identity) = node.read_identity()? {
            node.start_raft(identity).await?;
            if identity.id == FIRST_ID {
                // A first node that stopped while forming finishes it now.
                let forming = Arc::clone(&node);
                tokio::spawn(async move {
                    if let Err(e) = forming.finish_forming(identity).await {
                        tracing::warn!(error = %e, "cannot finish forming the cluster");
                    }
                });
            }
        } else {
            tracing::info!(http = %node.http_addr, "not in a cluster yet: waiting for `cairn-ctl add-meta` or a join");
        }
        Ok(node)
    }

    fn read_identity(&self) -> Result<Option<Identity>, String> {
        let path = self.dir.join(IDENTITY_FILE);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| format!("cannot decode {}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    fn write_identity(&self, identity: Identity) -> Result<(), String> {
        let path = self.dir.join(IDENTITY_FILE);
        let tmp = self.dir.join(format!("{IDENTITY_FILE}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&serde_json::to_vec(&identity).unwrap_or_default())?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            fs::File::open(&self.dir)?.sync_all()
        };
        write().map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    async fn start_raft(self: &Arc<Self>, identity: Identity) -> Result<Running, String> {
        let raft_cfg = &self.config.raft;
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1);
        let election = ms(raft_cfg.election_timeout.0);
        let config = openraft::Config {
            cluster_name: format!("cairn-{:016x}", identity.cluster_id),
            heartbeat_interval: ms(raft_cfg.heartbeat_interval.0),
            election_timeout_min: election,
            election_timeout_max: election * 2,
            install_snapshot_timeout: ms(raft_cfg.install_snapshot_timeout.0),
            snapshot_policy: openraft::SnapshotPolicy::LogsSinceLast(raft_cfg.snapshot_after_logs.max(1)),
            max_in_snapshot_log_to_keep: raft_cfg.logs_kept_after_snapshot,
            ..Default::default()
        }
        .validate()
        .map_err(|e| format!("invalid [raft] settings: {e}"))?;
        let log = LogStore::open(&self.dir.join(RAFT_DIR)).map_err(|e| format!("cannot open the Raft log: {e}"))?;
        let sm = StateMachine::open(&self.dir).map_err(|e| format!("cannot open the metadata snapshot: {e}"))?;
        let published = sm.published();
        let snapshots = sm.snapshots();
        let network = Network {
            secret: self.secret.clone(),
        };
        let raft = Raft::new(identity.id, Arc::new(config), network, log, sm)
            .await
            .map_err(|e| format!("cannot start Raft: {e}"))?;
        let running = Running {
            identity,
            raft,
            published,
            snapshots,
        };
        self.slot.set(Some(running.clone()));
        tracing::info!(
            id = identity.id,
            cluster = format!("{:016x}", identity.cluster_id),
            "Raft started"
        );
        tokio::spawn(Arc::clone(self).watch_leadership(running.raft.clone()));
        Ok(running)
    }

    /// Logs leadership changes and notes when this node took over.
    async fn watch_leadership(self: Arc<Self>, raft: Raft) {
        let mut metrics = raft.metrics();
        let mut last: Option<(Option<NodeId>, u64)> = None;
        loop {
            let (leader, term, me) = {
                let m = metrics.borrow_and_update();
                (self.known_leader(&m), m.current_term, m.id)
            };
            if last != Some((leader, term)) {
                if leader == Some(me) {
                    self.leader_since.store(now_nanos(), Ordering::Relaxed);
                    tracing::info!(term, "this meta node is the leader");
                } else if let Some(l) = leader {
                    tracing::info!(term, leader = l, "following");
                } else {
                    tracing::info!(term, "no leader");
                }
                last = Some((leader, term));
            }
            if metrics.changed().await.is_err() {
                return;
            }
        }
    }

    fn running(&self) -> Result<Running, Failure> {
        self.slot
            .running()
            .ok_or_else(|| Failure::NotInCluster(self.http_addr.clone()))
    }

    /// The metadata this node has applied (empty outside a cluster).
    pub fn data(&self) -> Arc<MetaData> {
        self.slot
            .running()
            .map_or_else(|| Arc::new(MetaData::default()), |r| r.published.data())
    }

    pub fn published(&self) -> Option<Arc<Published>> {
        self.slot.running().map(|r| r.published)
    }

    /// This node's own view.
    pub fn status(&self) -> Status {
        let running = self.slot.running();
        let raft = running.as_ref().map(|r| {
            let m = r.raft.metrics().borrow().clone();
            let current_leader = self.known_leader(&m);
            let unconfirmed = m.state == ServerState::Leader && current_leader.is_none();
            let membership = m.membership_config.membership();
            let leader_peer = current_leader.and_then(|l| membership.get_node(&l).cloned());
            let voters: BTreeSet<NodeId> = membership.voter_ids().collect();
            let addr = |id: NodeId| {
                membership
                    .get_node(&id)
                    .map(|p| p.raft_addr.clone())
                    .unwrap_or_default()
            };
            RaftStatus {
                state: if unconfirmed {
                    UNCONFIRMED_LEADER.to_owned()
                } else {
                    format!("{:?}", m.state)
                },
                term: m.current_term,
                leader: current_leader,
                leader_http_addr: leader_peer.as_ref().map(|p| p.http_addr.clone()),
                leader_raft_addr: leader_peer.map(|p| p.raft_addr),
                last_log_index: m.last_log_index,
                commit_index: m.last_applied.map(|l| l.index),
                applied_index: m.last_applied.map(|l| l.index),
                snapshot_index: m.snapshot.map(|l| l.index),
                voters: voters.iter().map(|&id| (id, addr(id))).collect(),
                learners: membership.learner_ids().map(|id| (id, addr(id))).collect(),
                replication: m
                    .replication
                    .as_ref()
                    .map(|r| r.iter().map(|(id, l)| (*id, l.map(|l| l.index))).collect())
                    .unwrap_or_default(),
            }
        });
        Status {
            id: running.as_ref().map_or(0, |r| r.identity.id),
            cluster_id: running.as_ref().map_or(0, |r| r.identity.cluster_id),
            http_addr: self.http_addr.clone(),
            raft_addr: self.raft_addr.clone(),
            version: VERSION.to_owned(),
            raft,
        }
    }

    /// Where the leader is, as this node knows it.
    fn leader(&self) -> Result<Leader, Failure> {
        let running = self.running()?;
        let m = running.raft.metrics().borrow().clone();
        Ok(match self.known_leader(&m) {
            Some(l) if l == running.identity.id && m.state == ServerState::Leader => Leader::Me,
            Some(l) => match m.membership_config.membership().get_node(&l) {
                Some(p) => Leader::Other(p.http_addr.clone()),
                None => Leader::Unknown,
            },
            None => Leader::Unknown,
        })
    }

    /// The leader as this node knows it: openraft's, except this node itself unless a majority
    /// has acknowledged it within the leader lease (the longest election timeout). openraft
    /// puts a node that led before a restart straight back into the leader state, at its old
    /// term, until a follower tells it of the newer one; a leader cut off from the majority
    /// stays in that state too. Neither leads: it is shown as an unconfirmed leader, and
    /// commands wait for a real one rather than being proposed where they cannot commit.
    fn known_leader(&self, m: &openraft::RaftMetrics<NodeId, Peer>) -> Option<NodeId> {
        let lease = self.config.raft.election_timeout.0 * 2;
        let confirmed = || {
            m.millis_since_quorum_ack
                .is_some_and(|ms| u128::from(ms) <= lease.as_millis())
        };
        m.current_leader
            .filter(|_| m.state != ServerState::Leader || confirmed())
    }

    fn no_leader(&self, waited: Duration) -> Failure {
        let (voters, addrs) = match self.slot.running() {
            Some(r) => {
                let m = r.raft.metrics().borrow().clone();
                let ms = m.membership_config.membership();
                let addrs: Vec<String> = ms
                    .voter_ids()
                    .map(|id| ms.get_node(&id).map(|p| p.http_addr.clone()).unwrap_or_default())
                    .collect();
                (addrs.len(), addrs.join(", "))
            }
            None => (0, String::new()),
        };
        Failure::NoLeader { voters, addrs, waited }
    }

    /// Answers a leader-only call: here when this node leads, else forwarded to the leader.
    /// Waits for a leader (an election) up to the command timeout; retries when the node it
    /// reached lost the leadership or refused the connection (nothing was done there).
    pub async fn on_leader<F, Fut>(&self, method: Method, path: &str, body: &[u8], local: F) -> Result<Answer, Failure>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Answer, Failure>>,
    {
        let start = Instant::now();
        // Membership changes wait for a new member to catch up: they get longer.
        let wait = match path {
            "/add-meta" | "/remove-meta" => self.membership_timeout() * 3,
            _ => self.command_timeout,
        };
        let deadline = start + wait;
        let forwarded = FORWARDED.try_with(|f| *f).unwrap_or(false);
        loop {
            let retry = match self.leader()? {
                Leader::Me => match local().await {
                    Err(Failure::NotLeader(_)) => true,
                    other => return other,
                },
                Leader::Other(_) | Leader::Unknown if forwarded => {
                    return Err(Failure::NotLeader(self.http_addr.clone()));
                }
                Leader::Other(addr) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let body = (!body.is_empty()).then(|| body.to_vec());
                    match self.peers.forward(method.clone(), &addr, path, body, left).await {
                        Ok((status, bytes)) if !(status == StatusCode::SERVICE_UNAVAILABLE && is_retry(&bytes)) => {
                            return Ok((status, bytes.to_vec()));
                        }
                        Ok(_) => true,
                        Err(e) if e.contains("refused") => true,
                        Err(e) => return Err(Failure::Peer(format!("the meta leader {e}"))),
                    }
                }
                Leader::Unknown => true,
            };
            if retry && Instant::now() >= deadline {
                return Err(self.no_leader(start.elapsed()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How long one step of a membership change (a new member catching up, a joint
    /// configuration committing) may take.
    fn membership_timeout(&self) -> Duration {
        self.command_timeout * 2
    }

    /// Applies a command on the leader (this node must be it).
    pub async fn execute_local(&self, command: Command) -> Result<Executed, Failure> {
        let running = self.running()?;
        match tokio::time::timeout(self.command_timeout, running.raft.client_write(command)).await {
            Err(_) => Err(Failure::NoQuorum(self.command_timeout)),
            Ok(Ok(resp)) => Ok(Executed {
                index: resp.data.index,
                result: resp.data.result,
            }),
            Ok(Err(RaftError::APIError(ClientWriteError::ForwardToLeader(_)))) => {
                Err(Failure::NotLeader(self.http_addr.clone()))
            }
            Ok(Err(e)) => Err(Failure::Internal(format!("Raft: {e}"))),
        }
    }

    /// Applies a command through the leader, wherever it is.
    pub async fn execute(&self, command: &Command) -> Result<Executed, Failure> {
        let body = serde_json::to_vec(command).unwrap_or_default();
        let (status, bytes) = self
            .on_leader(Method::POST, "/execute", &body, || async {
                Ok(json_answer(StatusCode::OK, &self.execute_local(command.clone()).await?))
            })
            .await?;
        decode_answer(status, &bytes)
    }

    /// Forms a one-member cluster of this node.
    async fn initialise(self: &Arc<Self>) -> Result<Identity, Failure> {
        let identity = Identity {
            id: FIRST_ID,
            cluster_id: RandomState::new().hash_one(now_nanos()) | 1,
        };
        self.write_identity(identity).map_err(Failure::Internal)?;
        self.start_raft(identity).await.map_err(Failure::Internal)?;
        self.finish_forming(identity).await?;
        tracing::info!(
            cluster = format!("{:016x}", identity.cluster_id),
            "formed a new cluster"
        );
        Ok(identity)
    }

    /// The steps of forming after the identity is on disk, each done only if it is not yet:
    /// Raft's first membership, then this node's entry in the metadata. A node stopped
    /// between them finishes on restart or on the next `add-meta` of itself.
    async fn finish_forming(self: &Arc<Self>, identity: Identity) -> Result<(), Failure> {
        let running = self.running()?;
        let fresh = {
            let m = running.raft.metrics().borrow().clone();
            m.last_log_index.is_none() && m.membership_config.membership().voter_ids().next().is_none()
        };
        if fresh {
            let me = Peer {
                raft_addr: self.raft_addr.clone(),
                http_addr: self.http_addr.clone(),
            };
            running
                .raft
                .initialize(BTreeMap::from([(identity.id, me)]))
                .await
                .map_err(|e| Failure::Internal(format!("cannot initialise Raft: {e}")))?;
        }
        if !running.published.data().meta_nodes.is_empty() {
            return Ok(());
        }
        let added = self
            .execute(&Command::AddMetaNode {
                http_addr: self.http_addr.clone(),
                raft_addr: self.raft_addr.clone(),
            })
            .await?;
        match added.result {
            Ok(Outcome::Node(id)) if id == identity.id => Ok(()),
            // Another call finished forming first.
            Err(meta::Error::NodeExists(_)) => Ok(()),
            other => Err(Failure::Internal(format!("BUG: the first meta node got {other:?}"))),
        }
    }

    /// The status of the meta node at `addr`: this node's own when `addr` is its address,
    /// else asked over the network.
    async fn status_of(&self, addr: &str) -> Result<Status, Failure> {
        if addr == self.http_addr {
            return Ok(self.status());
        }
        self.peer_json(Method::GET, addr, "/status", None).await
    }

    /// Whether `status` is this node's: the addresses it reports are this node's (an
    /// operator may call it by another name).
    fn reports_me(&self, status: &Status) -> bool {
        status.http_addr == self.http_addr && status.raft_addr == self.raft_addr
    }

    /// `POST /add-meta`.
    pub async fn add_meta(self: &Arc<Self>, req: AddMeta) -> Result<Answer, Failure> {
        if self.slot.running().is_none() {
            // Only the node being added forms a cluster: a call that asks a node outside any
            // cluster to add another is a mistake (it may belong to a cluster elsewhere).
            if !req.init || !self.reports_me(&self.status_of(&req.http_addr).await?) {
                return Err(Failure::NotInCluster(self.http_addr.clone()));
            }
            let _m = self.membership.lock().await;
            if self.slot.running().is_none() {
                self.initialise().await?;
            }
        }
        let body = serde_json::to_vec(&req).unwrap_or_default();
        self.on_leader(Method::POST, "/add-meta", &body, || self.add_meta_local(&req))
            .await
    }

    async fn add_meta_local(self: &Arc<Self>, req: &AddMeta) -> Result<Answer, Failure> {
        let _m = self.membership.lock().await;
        let running = self.running()?;
        let status = self.status_of(&req.http_addr).await?;
        if self.reports_me(&status) {
            self.finish_forming(running.identity).await?;
            return Ok(json_answer(StatusCode::OK, &Outcome::Node(running.identity.id)));
        }
        if status.cluster_id != 0 && status.cluster_id != running.identity.cluster_id {
            return Err(Failure::Conflict(format!(
                "meta node {} is in another cluster ({:016x}): remove it from that cluster first",
                req.http_addr, status.cluster_id
            )));
        }
        let id = if status.cluster_id == running.identity.cluster_id {
            status.id
        } else {
            let added = self
                .execute_local(Command::AddMetaNode {
                    http_addr: status.http_addr.clone(),
                    raft_addr: status.raft_addr.clone(),
                })
                .await?;
            let Ok(Outcome::Node(id)) = added.result else {
                return Err(Failure::Conflict(format!(
                    "cannot add {}: {:?}",
                    req.http_addr, added.result
                )));
            };
            let assign = serde_json::to_vec(&Identity {
                id,
                cluster_id: running.identity.cluster_id,
            })
            .unwrap_or_default();
            let _: Status = self
                .peer_json(Method::POST, &req.http_addr, "/assign", Some(assign))
                .await?;
            id
        };
        let peer = Peer {
            raft_addr: status.raft_addr.clone(),
            http_addr: status.http_addr.clone(),
        };
        let timeout = self.membership_timeout();
        let membership = |e: String| Failure::Internal(format!("cannot add meta node {id} ({}): {e}", req.http_addr));
        tokio::time::timeout(timeout, running.raft.add_learner(id, peer, true))
            .await
            .map_err(|_| Failure::NoQuorum(timeout))?
            .map_err(|e| membership(e.to_string()))?;
        tokio::time::timeout(
            timeout,
            running
                .raft
                .change_membership(ChangeMembers::AddVoterIds(BTreeSet::from([id])), false),
        )
        .await
        .map_err(|_| Failure::NoQuorum(timeout))?
        .map_err(|e| membership(e.to_string()))?;
        tracing::info!(id, http = %req.http_addr, "added a meta node");
        Ok(json_answer(StatusCode::OK, &Outcome::Node(id)))
    }

    /// A call to another meta node whose JSON answer is wanted.
    async fn peer_json<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        addr: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, Failure> {
        let (status, bytes) = self
            .peers
            .call(method, addr, path, body, self.command_timeout)
            .await
            .map_err(|e| Failure::Peer(format!("meta node {e}")))?;
        decode_answer(status, &bytes).map_err(|e| match e {
            Failure::Peer(text) => Failure::Peer(format!("meta node {addr}: {text}")),
            other => other,
        })
    }

    /// `POST /assign`: the leader gives this node its id in the cluster.
    pub async fn assign(self: &Arc<Self>, identity: Identity) -> Result<Answer, Failure> {
        let _m = self.membership.lock().await;
        match self.slot.running() {
            Some(r) if r.identity == identity => {}
            Some(r) => {
                return Err(Failure::Conflict(format!(
                    "meta node {} is already node {} of cluster {:016x}",
                    self.http_addr, r.identity.id, r.identity.cluster_id
                )))
            }
            None => {
                self.write_identity(identity).map_err(Failure::Internal)?;
                self.start_raft(identity).await.map_err(Failure::Internal)?;
                tracing::info!(id = identity.id, "joined a cluster");
            }
        }
        Ok(json_answer(StatusCode::OK, &self.status()))
    }

    /// `POST /remove-meta`.
    pub async fn remove_meta(self: &Arc<Self>, req: RemoveMeta) -> Result<Answer, Failure> {
        let body = serde_json::to_vec(&req).unwrap_or_default();
        self.on_leader(Method::POST, "/remove-meta", &body, || self.remove_meta_local(&req))
            .await
    }

    async fn remove_meta_local(self: &Arc<Self>, req: &RemoveMeta) -> Result<Answer, Failure> {
        let membership_lock = self.membership.lock().await;
        let running = self.running()?;
        let data = running.published.data();
        let membership = running.raft.metrics().borrow().membership_config.membership().clone();
        let voters: BTreeSet<NodeId> = membership.voter_ids().collect();
        // The metadata's list, or Raft's membership for a node whose entry is already gone
        // (a removal that stopped half-way is finished by calling it again).
        let node = data
            .meta_nodes
            .iter()
            .map(|n| (n.id, n.http_addr.clone()))
            .chain(membership.nodes().map(|(id, p)| (*id, p.http_addr.clone())))
            .find(|(id, http)| id.to_string() == req.node || *http == req.node)
            .ok_or_else(|| {
                let known: Vec<String> = data
                    .meta_nodes
                    .iter()
                    .map(|n| format!("{} {}", n.id, n.http_addr))
                    .collect();
                Failure::NotFound(format!(
                    "meta node {} is not in the cluster (its meta nodes: {})",
                    req.node,
                    known.join(", ")
                ))
            })?;
        let (id, http_addr) = node;
        if voters.len() == 1 && voters.contains(&id) {
            return Err(Failure::Conflict(format!(
                "meta node {id} is the cluster's only meta node: it cannot be removed"
            )));
        }
        let me = id == running.identity.id;
        if !req.force && !me {
            self.peer_json::<Status>(Method::GET, &http_addr, "/status", None)
                .await
                .map_err(|e| Failure::Peer(format!("{e}; if it is dead, remove it with -force")))?;
        }
        // The metadata first, while this node surely leads: once a leader has removed itself
        // from Raft it can commit nothing more.
        if data.meta_nodes.iter().any(|n| n.id == id) {
            let removed = self.execute_local(Command::RemoveMetaNode { id }).await?;
            if let Err(e) = removed.result {
                return Err(Failure::Conflict(e.to_string()));
            }
        }
        let change = if voters.contains(&id) {
            Some(ChangeMembers::RemoveVoters(BTreeSet::from([id])))
        } else if membership.get_node(&id).is_some() {
            Some(ChangeMembers::RemoveNodes(BTreeSet::from([id])))
        } else {
            None
        };
        if let Some(change) = change {
            let timeout = self.membership_timeout();
            tokio::time::timeout(timeout, running.raft.change_membership(change, false))
                .await
                .map_err(|_| Failure::NoQuorum(timeout))?
                .map_err(|e| Failure::Internal(format!("cannot remove meta node {id}: {e}")))?;
        }
        tracing::info!(id, http = %http_addr, force = req.force, "removed a meta node");
        let who = Identity {
            id,
            cluster_id: running.identity.cluster_id,
        };
        drop(membership_lock);
        if me {
            // This node leaves once the answer is on its way.
            let node = Arc::clone(self);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if let Err(e) = node.leave(who).await {
                    tracing::warn!(error = %e, "cannot leave the cluster");
                }
            });
        } else if !req.force {
            let who = serde_json::to_vec(&who).unwrap_or_default();
            if let Err(e) = self
                .peers
                .call(Method::POST, &http_addr, "/leave", Some(who), self.command_timeout)
                .await
            {
                tracing::warn!(id, error = %e, "the removed meta node was not told to leave");
            }
        }
        Ok(json_answer(StatusCode::OK, &Outcome::Done))
    }

    /// `POST /leave`: forget the cluster. Sent by the leader once this node is out of the
    /// membership (a removed node may never see the entry that removed it, so its own view
    /// cannot be the test); the identity in the request must be this node's.
    pub async fn leave(self: &Arc<Self>, who: Identity) -> Result<Answer, Failure> {
        let _m = self.membership.lock().await;
        let running = self.running()?;
        if who != running.identity {
            return Err(Failure::Conflict(format!(
                "meta node {} is node {} of cluster {:016x}, not the node asked to leave",
                self.http_addr, running.identity.id, running.identity.cluster_id
            )));
        }
        self.slot.set(None);
        // The identity goes first: a node stopped half-way restarts outside any cluster.
        let identity = self.dir.join(IDENTITY_FILE);
        if let Err(e) = fs::remove_file(&identity) {
            tracing::error!(path = %identity.display(), error = %e, "cannot delete the identity");
        }
        if let Err(e) = running.raft.shutdown().await {
            tracing::warn!(error = %e, "Raft did not shut down cleanly");
        }
        let (snapshots, dir) = (Arc::clone(&running.snapshots), self.dir.clone());
        let cleared = tokio::task::spawn_blocking(move || {
            snapshots.close(&dir)?;
            match fs::remove_dir_all(dir.join(RAFT_DIR)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        if let Err(e) = cleared {
            tracing::error!(error = %e, "cannot delete the cluster state");
        }
        tracing::info!(id = running.identity.id, "left the cluster; its state is deleted");
        Ok(json_answer(StatusCode::OK, &Outcome::Done))
    }

    /// `POST /heartbeat`.
    pub async fn heartbeat(&self, hb: Heartbeat, body: &[u8]) -> Result<Answer, Failure> {
        self.on_leader(Method::POST, "/heartbeat", body, || async {
            self.record(hb.clone());
            Ok((StatusCode::NO_CONTENT, Vec::new()))
        })
        .await
    }

    fn record(&self, hb: Heartbeat) {
        let mut live = self.liveness.lock().unwrap_or_else(|e| e.into_inner());
        live.insert(
            (hb.kind, hb.rpc_addr.clone()),
            Liveness {
                kind: hb.kind,
                id: hb.id,
                http_addr: hb.http_addr,
                rpc_addr: hb.rpc_addr,
                version: hb.version,
                last_seen: now_nanos(),
                down: false,
                handoff: hb.handoff,
            },
        );
    }

    /// Reports this meta node to the leader now and then.
    pub async fn heartbeat_loop(self: Arc<Self>) {
        let mut tick = tokio::time::interval(self.config.liveness.heartbeat_interval.0);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(running) = self.slot.running() else { continue };
            let hb = Heartbeat {
                kind: NodeKind::Meta,
                id: running.identity.id,
                http_addr: self.http_addr.clone(),
                rpc_addr: self.raft_addr.clone(),
                version: VERSION.to_owned(),
                handoff: Vec::new(),
            };
            let body = serde_json::to_vec(&hb).unwrap_or_default();
            if let Err(e) = self.heartbeat(hb, &body).await {
                tracing::debug!(error = %e, "heartbeat not delivered");
            }
        }
    }

    /// Liveness as the leader sees it now.
    fn liveness_now(&self) -> Vec<Liveness> {
        let down_after = i64::try_from(self.config.liveness.down_after.0.as_nanos()).unwrap_or(i64::MAX);
        let now = now_nanos();
        let live = self.liveness.lock().unwrap_or_else(|e| e.into_inner());
        live.values()
            .map(|l| Liveness {
                down: now.saturating_sub(l.last_seen) > down_after,
                ..l.clone()
            })
            .collect()
    }

    /// `GET /cluster`: the leader's view; this node's own (without liveness) when there is no
    /// leader, so that `show` still tells what it can.
    pub async fn cluster(&self) -> Result<Answer, Failure> {
        match self
            .on_leader(Method::GET, "/cluster", &[], || async {
                Ok(json_answer(StatusCode::OK, &self.cluster_view(true)))
            })
            .await
        {
            Err(Failure::NoLeader { .. }) => Ok(json_answer(StatusCode::OK, &self.cluster_view(false))),
            other => other,
        }
    }

    fn cluster_view(&self, from_leader: bool) -> ClusterView {
        let data = self.data();
        ClusterView {
            answered_by: self.status(),
            from_leader,
            data_nodes: data.data_nodes.clone(),
            meta_nodes: data.meta_nodes.clone(),
            liveness: if from_leader { self.liveness_now() } else { Vec::new() },
            leader_since: self.leader_since.load(Ordering::Relaxed),
            down_after: i64::try_from(self.config.liveness.down_after.0.as_nanos()).unwrap_or(i64::MAX),
        }
    }

    /// `POST /add-data`.
    pub async fn add_data(&self, req: AddData, body: &[u8]) -> Result<Answer, Failure> {
        self.on_leader(Method::POST, "/add-data", body, || async {
            let announced = self
                .liveness_now()
                .into_iter()
                .find(|l| l.kind == NodeKind::Data && l.rpc_addr == req.rpc_addr && !l.down);
            let Some(node) = announced else {
                return Err(Failure::NotFound(format!(
                    "no data node at {} has reported to the meta nodes: start it with `cairn-data --rpc-bind {} --meta <meta nodes>`",
                    req.rpc_addr, req.rpc_addr
                )));
            };
            let done = self
                .execute_local(Command::AddDataNode {
                    http_addr: node.http_addr,
                    rpc_addr: node.rpc_addr,
                })
                .await?;
            answer_outcome(done)
        })
        .await
    }

    fn find_data_node(data: &MetaData, key: &str) -> Result<meta::DataNode, Failure> {
        data.data_nodes
            .iter()
            .find(|n| n.id.to_string() == key || n.rpc_addr == key)
            .cloned()
            .ok_or_else(|| {
                let known: Vec<String> = data
                    .data_nodes
                    .iter()
                    .map(|n| format!("{} {}", n.id, n.rpc_addr))
                    .collect();
                Failure::NotFound(format!(
                    "data node {key} is not in the cluster (its data nodes: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ))
            })
    }

    /// `POST /remove-data`.
    pub async fn remove_data(&self, req: RemoveData, body: &[u8]) -> Result<Answer, Failure> {
        self.on_leader(Method::POST, "/remove-data", body, || async {
            let data = self.data();
            let node = Self::find_data_node(&data, &req.node)?;
            if !req.force {
                let sole: Vec<String> = data
                    .shard_groups()
                    .flat_map(|(_, _, g)| &g.shards)
                    .filter(|s| s.owners == [node.id])
                    .map(|s| s.id.to_string())
                    .collect();
                if !sole.is_empty() {
                    return Err(Failure::Conflict(format!(
                        "data node {} is the only owner of shards {}: copy them to another node first, or remove it with -force (their data is lost to the cluster)",
                        node.id,
                        sole.join(", ")
                    )));
                }
            }
            answer_outcome(self.execute_local(Command::RemoveDataNode { id: node.id }).await?)
        })
        .await
    }

    /// `POST /update-data`.
    pub async fn update_data(&self, req: UpdateData, body: &[u8]) -> Result<Answer, Failure> {
        self.on_leader(Method::POST, "/update-data", body, || async {
            let node = Self::find_data_node(&self.data(), &req.node)?;
            let announced = self
                .liveness_now()
                .into_iter()
                .find(|l| l.kind == NodeKind::Data && l.rpc_addr == req.new_rpc_addr)
                .map(|l| l.http_addr);
            let http_addr = Some(req.new_http_addr.clone())
                .filter(|a| !a.is_empty())
                .or(announced)
                .unwrap_or(node.http_addr);
            answer_outcome(
                self.execute_local(Command::UpdateDataNode {
                    id: node.id,
                    http_addr,
                    rpc_addr: req.new_rpc_addr.clone(),
                })
                .await?,
            )
        })
        .await
    }

    /// Joins the cluster of the `--join` list, or forms it. A node forms the cluster only
    /// when a majority of the list (itself included) answers, none of them is in a cluster,
    /// and it has the lowest advertised address of those that answered: addresses are
    /// compared as the nodes report them, so a list that names a node by another spelling
    /// (or names this node itself) still picks one former.
    pub async fn join_loop(self: Arc<Self>, join: Vec<String>) {
        let request = serde_json::to_vec(&AddMeta {
            http_addr: self.http_addr.clone(),
            init: false,
        })
        .unwrap_or_default();
        let mut logged = Instant::now() - Duration::from_secs(60);
        while self.slot.running().is_none() {
            let mut last_error = String::new();
            // The advertised addresses of the answering peers, and one of them in a cluster.
            let mut answering = BTreeSet::from([self.http_addr.clone()]);
            let mut in_cluster = None;
            let mut self_listed = false;
            for peer in &join {
                match self.peer_json::<Status>(Method::GET, peer, "/status", None).await {
                    Ok(s) if self.reports_me(&s) => self_listed = true,
                    Ok(s) => {
                        answering.insert(s.http_addr.clone());
                        if s.cluster_id != 0 && in_cluster.is_none() {
                            in_cluster = Some(peer.clone());
                        }
                    }
                    Err(e) => last_error = e.to_string(),
                }
            }
            let listed = join.len() + usize::from(!self_listed);
            if let Some(peer) = in_cluster {
                match self
                    .peers
                    .call(
                        Method::POST,
                        &peer,
                        "/add-meta",
                        Some(request.clone()),
                        self.membership_timeout() * 3,
                    )
                    .await
                {
                    Ok((st, _)) if st.is_success() => {}
                    Ok((st, body)) => last_error = format!("{peer}: {st} {}", String::from_utf8_lossy(&body)),
                    Err(e) => last_error = e,
                }
            } else if answering.len() * 2 > listed && answering.first() == Some(&self.http_addr) {
                let _m = self.membership.lock().await;
                if self.slot.running().is_none() {
                    if let Err(e) = self.initialise().await {
                        last_error = e.to_string();
                    }
                }
            }
            if self.slot.running().is_some() {
                break;
            }
            if logged.elapsed() > Duration::from_secs(10) {
                tracing::info!(peers = ?join, last_error, "waiting to join a cluster");
                logged = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// The longest wait a `/data` watch may ask for.
    pub fn max_watch_wait(&self) -> Duration {
        self.config.meta.max_watch_wait.0
    }

    /// Confirms with a quorum that this node leads and has applied all it committed.
    pub async fn linearizable(&self) -> Result<(), Failure> {
        let running = self.running()?;
        match tokio::time::timeout(self.command_timeout, running.raft.ensure_linearizable()).await {
            Err(_) => Err(Failure::NoQuorum(self.command_timeout)),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.forward_to_leader().is_some() => Err(Failure::NotLeader(self.http_addr.clone())),
            Ok(Err(e)) => Err(Failure::Internal(format!("Raft: {e}"))),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[derive(Debug)]
enum Leader {
    Me,
    Other(String),
    Unknown,
}

fn is_retry(body: &[u8]) -> bool {
    serde_json::from_slice::<meta::api::ApiError>(body).is_ok_and(|e| e.error.ends_with("is not the leader"))
}

/// A command's answer as the API gives it: the outcome, or the refusal as a 400-class error.
pub fn answer_outcome(done: Executed) -> Result<Answer, Failure> {
    match done.result {
        Ok(outcome) => Ok(json_answer(StatusCode::OK, &outcome)),
        Err(e) => Err(Failure::Conflict(e.to_string())),
    }
}

/// Decodes an answer from another meta node: the value, or its error as a [`Failure`].
pub fn decode_answer<T: serde::de::DeserializeOwned>(status: StatusCode, bytes: &[u8]) -> Result<T, Failure> {
    if status.is_success() {
        return serde_json::from_slice(bytes).map_err(|e| Failure::Peer(format!("undecodable answer: {e}")));
    }
    let text = serde_json::from_slice::<meta::api::ApiError>(bytes)
        .map(|e| e.error)
        .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned());
    Err(match status {
        StatusCode::SERVICE_UNAVAILABLE => Failure::Unavailable(text),
        StatusCode::NOT_FOUND => Failure::NotFound(text),
        StatusCode::CONFLICT => Failure::Conflict(text),
        StatusCode::BAD_REQUEST => Failure::BadRequest(text),
        _ => Failure::Peer(format!("{status}: {text}")),
    })
}

/// How `/status` shows a node in openraft's leader state without a majority's recent
/// acknowledgement (see `MetaNode::known_leader`).
const UNCONFIRMED_LEADER: &str = "Leader (unconfirmed)";
