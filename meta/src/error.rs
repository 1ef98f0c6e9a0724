//! Errors of metadata commands, in InfluxDB 1.x's words (services/meta/errors.go and
//! influxdb's errors.go): clients and users match on these texts.

/// Why a command was refused, or why the store could not keep it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Error {
    #[error("invalid name")]
    InvalidName,
    /// A name past its byte limit (Cairn's; InfluxDB has none).
    #[error("{kind} name too long: {len} bytes, the limit is {max}")]
    NameTooLong { kind: String, len: usize, max: usize },
    #[error("database name required")]
    DatabaseNameRequired,
    #[error("database not found: {0}")]
    DatabaseNotFound(String),
    #[error("retention policy not found: {0}")]
    RetentionPolicyNotFound(String),
    #[error("retention policy name required")]
    RetentionPolicyNameRequired,
    #[error("retention policy already exists")]
    RetentionPolicyExists,
    #[error("retention policy name already exists")]
    RetentionPolicyNameExists,
    #[error("retention policy conflicts with an existing policy")]
    RetentionPolicyConflict,
    #[error("retention policy duration must be at least 1h0m0s")]
    RetentionPolicyDurationTooLow,
    #[error("retention policy duration must be greater than the shard duration")]
    IncompatibleDurations,
    #[error("replication factor must be greater than 0")]
    ReplicationFactorTooLow,
    #[error("shard group not found")]
    ShardGroupNotFound,
    #[error("shard not found")]
    ShardNotFound,
    #[error("username required")]
    UsernameRequired,
    #[error("user already exists")]
    UserExists,
    #[error("user not found")]
    UserNotFound,
    #[error("continuous query already exists")]
    ContinuousQueryExists,

    /// A shard group with more shards than any cluster needs (Cairn's limit).
    #[error("too many shards per shard group: {asked}, the limit is {max}")]
    TooManyShards { asked: u32, max: u32 },
    #[error("no data node can own shards")]
    NoDataNodes,
    #[error("data node {0} not found")]
    DataNodeNotFound(u64),
    #[error("meta node {0} not found")]
    MetaNodeNotFound(u64),
    #[error("a node at {0} already exists")]
    NodeExists(String),
    #[error("lease {name} is held by data node {owner}")]
    LeaseHeld { name: String, owner: u64 },
    /// The store could not make a change durable. The text names what failed and why, never
    /// a path: it reaches clients (the store logs the path).
    #[error("metadata store: {0}")]
    Store(String),
    /// The meta cluster could not take the command: no meta node answered, or none had a
    /// quorum. The text names the addresses tried and what each said.
    #[error("meta service unavailable: {0}")]
    Unavailable(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
