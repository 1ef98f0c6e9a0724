//! data-node: `cairn-data`, the node clients talk to. It serves the InfluxDB 1.x HTTP API
//! (`http`), places and writes points (`write`), answers InfluxQL (`query`) from the shards
//! it holds (`store`), and reads and changes the cluster metadata through `meta_client`.
//! `--standalone` runs it as a cluster of one with an embedded metadata store: the same
//! write and query paths, one owner per shard. Must not depend on the meta node's Raft
//! internals: metadata is only reached through [`meta_client::MetaClient`].

pub mod config;
pub mod http;
pub mod meta_client;
pub mod metrics;
pub mod query;
pub mod redact;
pub mod retention;
pub mod rpc;
pub mod server;
pub mod store;
pub mod write;

/// The current time in nanoseconds since the Unix epoch.
pub fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
