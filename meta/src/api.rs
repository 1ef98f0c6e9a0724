//! api: the messages of the meta API (HTTP/JSON on :8091), shared by the meta nodes that
//! serve it and the clients that call it (`cairn-ctl`, data nodes). Plain data: how the
//! messages travel is the callers' business.

use serde::{Deserialize, Serialize};

use crate::{Error, Outcome};

/// The answer to `POST /execute`: the log index the command was applied at and what it
/// gave. A refusal (InfluxDB's text) is an answer too; the call failing is not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Executed {
    pub index: u64,
    pub result: Result<Outcome, Error>,
}

/// An error of the meta API itself: `{"error": "..."}` with a non-2xx status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
}

/// `POST /add-meta`: add the meta node whose API is at `http_addr`. `init` lets a node that
/// is in no cluster yet form one (cairn-ctl sets it; a `--join` retry does not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddMeta {
    pub http_addr: String,
    #[serde(default)]
    pub init: bool,
}

/// `POST /remove-meta`: remove a meta node, by id or by its API address. Without `force`
/// the node must answer (it is told to leave and forgets the cluster); with it, a dead node
/// is dropped from the membership without being asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveMeta {
    pub node: String,
    #[serde(default)]
    pub force: bool,
}

/// `POST /add-data`: register the data node whose RPC address is `rpc_addr`; it must have
/// announced itself (heartbeat) to the meta nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddData {
    pub rpc_addr: String,
}

/// `POST /remove-data`: forget a data node, by id or RPC address. Without `force`, refused
/// while it is the only owner of a shard or is not answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveData {
    pub node: String,
    #[serde(default)]
    pub force: bool,
}

/// `POST /update-data`: the data node at `old` (id or RPC address) moved to `new_rpc_addr`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateData {
    pub node: String,
    pub new_rpc_addr: String,
    /// Its new client address; empty keeps the old one (or the one it announced).
    #[serde(default)]
    pub new_http_addr: String,
}

/// `POST /truncate-shards`: end the current shard groups `delay_ns` from now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruncateShards {
    #[serde(default)]
    pub delay_ns: i64,
}

/// What kind of node a heartbeat or a liveness entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Meta,
    Data,
}

/// `POST /heartbeat`: a node says it is alive. A data node not yet registered is known by
/// its addresses until `add-data` registers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub kind: NodeKind,
    /// The node's id, 0 while it has none.
    #[serde(default)]
    pub id: u64,
    pub http_addr: String,
    /// The data node's RPC address, or the meta node's Raft address.
    pub rpc_addr: String,
    pub version: String,
    /// A data node's hinted-handoff queues that hold something.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handoff: Vec<HandoffQueue>,
}

/// What a data node holds in hinted handoff for one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffQueue {
    /// The destination data node.
    pub node: u64,
    pub bytes: u64,
    /// Unix nanoseconds of the oldest queued write, 0 if unknown.
    pub oldest: i64,
}

/// When the leader last heard from a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Liveness {
    pub kind: NodeKind,
    pub id: u64,
    pub http_addr: String,
    pub rpc_addr: String,
    pub version: String,
    /// Unix nanoseconds of the last heartbeat, 0 if none since this leader took over.
    pub last_seen: i64,
    /// Not heard from within the down-after window.
    pub down: bool,
    /// Its last heartbeat's hinted-handoff queues.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handoff: Vec<HandoffQueue>,
}

/// `GET /status`: one meta node's own view, answered by that node (no forwarding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// 0 while the node is in no cluster.
    pub id: u64,
    /// 0 while the node is in no cluster.
    pub cluster_id: u64,
    pub http_addr: String,
    pub raft_addr: String,
    pub version: String,
    pub raft: Option<RaftStatus>,
}

/// The Raft state as one node sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaftStatus {
    /// `Leader`, `Follower`, `Candidate`, `Learner` or `Shutdown`.
    pub state: String,
    pub term: u64,
    pub leader: Option<u64>,
    pub leader_http_addr: Option<String>,
    pub leader_raft_addr: Option<String>,
    pub last_log_index: Option<u64>,
    pub commit_index: Option<u64>,
    pub applied_index: Option<u64>,
    pub snapshot_index: Option<u64>,
    /// Voters, by id, with their Raft addresses.
    pub voters: Vec<(u64, String)>,
    /// Members that do not vote yet (catching up).
    pub learners: Vec<(u64, String)>,
    /// On the leader: each member's matched log index.
    pub replication: Vec<(u64, Option<u64>)>,
}

/// `GET /cluster`: everything `cairn-ctl show` prints, from the leader when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterView {
    /// The node that answered.
    pub answered_by: Status,
    /// Whether the answer came from the leader (liveness is the leader's).
    pub from_leader: bool,
    pub data_nodes: Vec<crate::DataNode>,
    pub meta_nodes: Vec<crate::MetaNode>,
    /// Every node heard from, registered or not.
    pub liveness: Vec<Liveness>,
    /// Unix nanoseconds when the answering leader took over (liveness starts then).
    pub leader_since: i64,
    /// Nanoseconds without a heartbeat after which a node counts as down.
    pub down_after: i64,
}
