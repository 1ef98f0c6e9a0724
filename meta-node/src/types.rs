//! types: what the meta nodes' Raft carries. Log entries are the `meta` crate's
//! [`Command`]s, so the state machine is `meta::apply` and nothing else; a member is known by
//! both of its addresses, so that any node can forward an API call to the leader.

use meta::{Command, Outcome};
use serde::{Deserialize, Serialize};

/// A meta node as the Raft membership knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peer {
    /// Raft RPC (gRPC).
    pub raft_addr: String,
    /// The meta API.
    pub http_addr: String,
}

/// The result of one applied command: refused commands are results too (InfluxDB's error
/// texts), never storage errors, so a refusal cannot stop the Raft node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// The log index the command was applied at; the metadata's index is at least this.
    pub index: u64,
    pub result: Result<Outcome, meta::Error>,
}

openraft::declare_raft_types!(
    /// Cairn's meta Raft.
    pub TypeConfig:
        D = Command,
        R = Applied,
        NodeId = u64,
        Node = Peer,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = std::io::Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

pub type Raft = openraft::Raft<TypeConfig>;
pub type NodeId = u64;
pub type LogId = openraft::LogId<NodeId>;
pub type StorageError = openraft::StorageError<NodeId>;
pub type StoredMembership = openraft::StoredMembership<NodeId, Peer>;
pub type SnapshotMeta = openraft::SnapshotMeta<NodeId, Peer>;
pub type Snapshot = openraft::Snapshot<TypeConfig>;
pub type Entry = openraft::Entry<TypeConfig>;
