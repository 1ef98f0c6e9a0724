//! meta: Cairn's cluster metadata, as one value ([`MetaData`]) changed only by
//! [`Command`]s. The same commands are applied by the Raft state machine of the meta nodes
//! and by the embedded one-member store of a standalone data node ([`LocalStore`]), so both
//! modes share every rule. Must not depend on storage, HTTP or the network: this crate is
//! data and pure functions, plus the file the local store keeps.
//!
//! Rules and error texts follow InfluxDB 1.x's `services/meta` (data.go, client.go), so
//! that `CREATE DATABASE`, retention policies and users behave as clients expect.

pub mod api;
mod command;
mod data;
mod error;
mod local;
mod time;

pub use command::{apply, Command, Outcome, MAX_SHARDS_PER_GROUP};
pub use data::{
    ContinuousQueryInfo, DataNode, DatabaseInfo, Lease, MetaData, MetaNode, Privilege, RetentionPolicyInfo,
    RetentionPolicySpec, ShardGroupInfo, ShardInfo, UserInfo, MAX_DATABASE_NAME_BYTES, MAX_RETENTION_POLICY_NAME_BYTES,
    MAX_USER_NAME_BYTES,
};
pub use error::{Error, Result};
pub use local::LocalStore;
pub use time::{
    normalised_shard_duration, shard_group_duration, truncate_to_duration, MAX_NANOS, MIN_NANOS,
    MIN_RETENTION_DURATION, NANOS_PER_HOUR,
};
