//! raft_rpc: Raft between meta nodes over gRPC (`proto::raft`), both sides. The requests
//! and responses are openraft's own types as JSON; a snapshot chunk's bytes travel beside
//! its JSON. Every call carries the shared secret when one is configured, and the server
//! refuses a call without it before Raft sees it.

use std::time::Duration;

use openraft::error::{InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse, VoteRequest,
    VoteResponse,
};
use proto::raft::raft_client::RaftClient;
use proto::raft::raft_server::{self, RaftServer};
use proto::raft::{Payload, SnapshotChunk};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Response, Status};

use crate::auth::Secret;
use crate::node::RaftSlot;
use crate::types::{NodeId, Peer, Raft, TypeConfig};

/// Largest message either side takes: a snapshot chunk (openraft's default is 3 MiB) with
/// room to spare.
const MAX_MESSAGE: usize = 64 << 20;

/// Makes one client per peer; connections are made lazily, on the first call.
#[derive(Debug, Clone)]
pub struct Network {
    pub secret: Secret,
}

impl RaftNetworkFactory<TypeConfig> for Network {
    type Network = PeerClient;

    async fn new_client(&mut self, target: NodeId, node: &Peer) -> PeerClient {
        let channel = Endpoint::from_shared(format!("http://{}", node.raft_addr)).map(|e| {
            e.connect_timeout(Duration::from_secs(2))
                .tcp_nodelay(true)
                .connect_lazy()
        });
        PeerClient {
            target,
            addr: node.raft_addr.clone(),
            client: channel.ok().map(|c| {
                RaftClient::new(c)
                    .max_decoding_message_size(MAX_MESSAGE)
                    .max_encoding_message_size(MAX_MESSAGE)
            }),
            secret: self.secret.clone(),
        }
    }
}

/// The Raft RPC client of one peer.
#[derive(Debug)]
pub struct PeerClient {
    target: NodeId,
    addr: String,
    /// None when the peer's address is not a valid URI (reported on every call).
    client: Option<RaftClient<Channel>>,
    secret: Secret,
}

/// A transport failure, with the peer's address in its text.
#[derive(Debug, thiserror::Error)]
#[error("meta node {target} at {addr}: {reason}")]
struct PeerError {
    target: NodeId,
    addr: String,
    reason: String,
}

impl PeerClient {
    fn fail(&self, reason: impl ToString) -> PeerError {
        PeerError {
            target: self.target,
            addr: self.addr.clone(),
            reason: reason.to_string(),
        }
    }

    fn client(&self) -> Result<RaftClient<Channel>, PeerError> {
        self.client
            .clone()
            .ok_or_else(|| self.fail("the Raft address is not a valid host:port"))
    }

    fn request<T>(&self, body: T, option: &RPCOption) -> Request<T> {
        let mut req = Request::new(body);
        req.set_timeout(option.hard_ttl());
        self.secret.attach(req.metadata_mut());
        req
    }

    /// Decodes a response payload into the remote's result.
    #[allow(clippy::result_large_err, reason = "openraft's own error type")]
    fn decode<R: DeserializeOwned, E: DeserializeOwned + std::error::Error>(
        &self,
        resp: Result<Response<Payload>, Status>,
    ) -> Result<R, RPCError<NodeId, Peer, E>> {
        let payload = resp.map_err(|s| self.status_error(s))?.into_inner();
        let result: Result<R, E> = serde_json::from_slice(&payload.json)
            .map_err(|e| RPCError::Network(NetworkError::new(&self.fail(format!("undecodable answer: {e}")))))?;
        result.map_err(|e| RPCError::RemoteError(RemoteError::new(self.target, e)))
    }

    fn status_error<E: std::error::Error>(&self, s: Status) -> RPCError<NodeId, Peer, E> {
        let e = self.fail(format!("{} ({:?})", s.message(), s.code()));
        match s.code() {
            tonic::Code::Unavailable => RPCError::Unreachable(Unreachable::new(&e)),
            _ => RPCError::Network(NetworkError::new(&e)),
        }
    }
}

fn json(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| panic!("BUG: a Raft message does not encode: {e}"))
}

impl RaftNetwork<TypeConfig> for PeerClient {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, RPCError<NodeId, Peer, RaftError<NodeId>>> {
        let mut client = self.client().map_err(|e| RPCError::Unreachable(Unreachable::new(&e)))?;
        let req = self.request(Payload { json: json(&rpc) }, &option);
        self.decode(client.append_entries(req).await)
    }

    async fn install_snapshot(
        &mut self,
        mut rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<InstallSnapshotResponse<NodeId>, RPCError<NodeId, Peer, RaftError<NodeId, InstallSnapshotError>>> {
        let mut client = self.client().map_err(|e| RPCError::Unreachable(Unreachable::new(&e)))?;
        let data = std::mem::take(&mut rpc.data);
        let req = self.request(SnapshotChunk { json: json(&rpc), data }, &option);
        self.decode(client.install_snapshot(req).await)
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, RPCError<NodeId, Peer, RaftError<NodeId>>> {
        let mut client = self.client().map_err(|e| RPCError::Unreachable(Unreachable::new(&e)))?;
        let req = self.request(Payload { json: json(&rpc) }, &option);
        self.decode(client.vote(req).await)
    }
}

/// The Raft RPC server: hands each request to the local Raft, once the node has one.
#[derive(Debug, Clone)]
pub struct Service {
    raft: RaftSlot,
}

impl Service {
    fn raft(&self) -> Result<Raft, Status> {
        self.raft
            .get()
            .ok_or_else(|| Status::unavailable("this meta node is not part of a cluster"))
    }
}

/// The gRPC service, behind the shared-secret check.
pub fn service(
    raft: RaftSlot,
    secret: Secret,
) -> tonic::service::interceptor::InterceptedService<RaftServer<Service>, impl tonic::service::Interceptor + Clone> {
    let check = move |req: Request<()>| secret.check_grpc(req);
    let server = RaftServer::new(Service { raft })
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE);
    tonic::service::interceptor::InterceptedService::new(server, check)
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Status> {
    serde_json::from_slice(bytes).map_err(|e| Status::invalid_argument(format!("undecodable Raft message: {e}")))
}

fn answer(result: &impl Serialize) -> Result<Response<Payload>, Status> {
    Ok(Response::new(Payload { json: json(result) }))
}

#[tonic::async_trait]
impl raft_server::Raft for Service {
    async fn append_entries(&self, req: Request<Payload>) -> Result<Response<Payload>, Status> {
        let raft = self.raft()?;
        let rpc: AppendEntriesRequest<TypeConfig> = decode(&req.into_inner().json)?;
        answer(&raft.append_entries(rpc).await)
    }

    async fn vote(&self, req: Request<Payload>) -> Result<Response<Payload>, Status> {
        let raft = self.raft()?;
        let rpc: VoteRequest<NodeId> = decode(&req.into_inner().json)?;
        answer(&raft.vote(rpc).await)
    }

    async fn install_snapshot(&self, req: Request<SnapshotChunk>) -> Result<Response<Payload>, Status> {
        let raft = self.raft()?;
        let chunk = req.into_inner();
        let mut rpc: InstallSnapshotRequest<TypeConfig> = decode(&chunk.json)?;
        rpc.data = chunk.data;
        answer(&raft.install_snapshot(rpc).await)
    }
}
