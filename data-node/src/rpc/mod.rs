//! rpc: the data-node RPC (gRPC on 8088, `proto::data`) between the data nodes of a
//! cluster: the service a node offers its peers, the client it calls them with, and the
//! wire form of points.

mod client;
mod server;
mod wire;

pub use client::{PeerError, Peers};
pub use server::service;
pub(crate) use wire::point_to_wire;

/// Largest message either side takes. A coordinator sends one shard's part of one /write
/// body (at most max-body-size, 25 MB by default, before it grows by the encoding).
pub(crate) const MAX_MESSAGE: usize = 256 << 20;
