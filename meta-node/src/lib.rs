//! meta-node: `cairn-meta`, the Raft-replicated home of the cluster's metadata.
//!
//! The state machine is the `meta` crate's `MetaData` changed by its `Command`s
//! ([`state_machine`]), over a durable RocksDB log ([`log_store`]); Raft runs over gRPC
//! ([`raft_rpc`]) and the meta API over HTTP/JSON ([`api`]). [`node`] ties them together:
//! forming and joining a cluster, forwarding to the leader, membership and liveness.

pub mod api;
pub use proto::auth;
pub mod config;
pub mod http_client;
pub mod log_store;
pub mod node;
pub mod raft_rpc;
pub mod server;
pub mod state_machine;
pub mod types;
