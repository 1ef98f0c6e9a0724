//! write: the one write path. Parsed points go to the coordinator, which places them in
//! shards and writes them where the shards live.

pub mod coordinator;

pub use coordinator::{Consistency, PointsWriter, WriteError, Written};
