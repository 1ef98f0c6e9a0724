//! proto: the gRPC services Cairn's nodes speak to each other, generated from `proto/`.
//! Only definitions live here; who serves and who calls is the nodes' business.

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
