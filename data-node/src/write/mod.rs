//! write: the one write path. Parsed points go to the coordinator, which places them in
//! shards and writes them where the shards live: this node's own, and in a cluster its
//! peers' by RPC, with hinted handoff for a peer it cannot reach.

pub mod coordinator;
pub mod handoff;

pub use coordinator::{Cluster, Consistency, PointsWriter, WriteError, Written};
pub use handoff::{HintedHandoff, QueueStatus, Replay};
