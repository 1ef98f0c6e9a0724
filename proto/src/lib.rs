//! proto: the gRPC services Cairn's nodes speak to each other, generated from `proto/`.
//! Definitions, and the shared secret every one of them is guarded by; who serves and who
//! calls is the nodes' business.

pub mod auth;

/// Raft RPC between meta nodes (port 8089).
#[allow(
    unreachable_pub,
    missing_debug_implementations,
    unused_qualifications,
    clippy::all,
    clippy::clone_on_ref_ptr
)]
pub mod raft {
    tonic::include_proto!("cairn.raft");
}

/// RPC between data nodes (port 8088): shard writes and shard reads.
#[allow(
    unreachable_pub,
    missing_debug_implementations,
    unused_qualifications,
    clippy::all,
    clippy::clone_on_ref_ptr
)]
pub mod data {
    tonic::include_proto!("cairn.data");
}
