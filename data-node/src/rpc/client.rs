//! client: calls to other data nodes. One lazily connected channel per peer, remade when
//! the metadata gives the peer a new address; every call carries the shared secret and a
//! deadline, and its failure names the peer.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use meta::DataNode;
use proto::auth::Secret;
use proto::data::data_node_client::DataNodeClient;
use proto::data::{WriteShardRequest, WriteShardResponse};
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request, Status};

use super::MAX_MESSAGE;

/// A failed call to a peer, with the peer in its text.
#[derive(Debug, Clone, thiserror::Error)]
#[error("data node {node} ({addr}): {reason}")]
pub struct PeerError {
    pub node: u64,
    pub addr: String,
    pub reason: String,
    /// Whether the same call may succeed later (the peer was unreachable, slow or failing),
    /// as opposed to refusing the request itself.
    pub retryable: bool,
}

/// The channels to other data nodes.
#[derive(Debug)]
pub struct Peers {
    secret: Secret,
    connect_timeout: Duration,
    channels: Mutex<HashMap<u64, (String, Channel)>>,
}

impl Peers {
    pub fn new(secret: Secret, connect_timeout: Duration) -> Self {
        Self {
            secret,
            connect_timeout,
            channels: Mutex::new(HashMap::new()),
        }
    }

    fn error(node: &DataNode, reason: impl Into<String>, retryable: bool) -> PeerError {
        PeerError {
            node: node.id,
            addr: node.rpc_addr.clone(),
            reason: reason.into(),
            retryable,
        }
    }

    fn channel(&self, node: &DataNode) -> Result<Channel, PeerError> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((addr, channel)) = channels.get(&node.id) {
            if *addr == node.rpc_addr {
                return Ok(channel.clone());
            }
        }
        if node.rpc_addr.is_empty() {
            return Err(Self::error(node, "it has no RPC address in the metadata", true));
        }
        let channel = Endpoint::from_shared(format!("http://{}", node.rpc_addr))
            .map_err(|e| Self::error(node, format!("invalid RPC address: {e}"), true))?
            .connect_timeout(self.connect_timeout)
            .tcp_nodelay(true)
            .connect_lazy();
        channels.insert(node.id, (node.rpc_addr.clone(), channel.clone()));
        Ok(channel)
    }

    fn client(&self, node: &DataNode) -> Result<DataNodeClient<Channel>, PeerError> {
        Ok(DataNodeClient::new(self.channel(node)?)
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE))
    }

    /// One unary call to `node`: `f` makes it with a client and the request (secret and
    /// deadline attached). The deadline also covers connecting, which the request's own
    /// timeout does not.
    pub async fn call<T, R, F, Fut>(&self, node: &DataNode, body: T, timeout: Duration, f: F) -> Result<R, PeerError>
    where
        F: FnOnce(DataNodeClient<Channel>, Request<T>) -> Fut,
        Fut: std::future::Future<Output = Result<tonic::Response<R>, Status>>,
    {
        let client = self.client(node)?;
        let mut req = Request::new(body);
        req.set_timeout(timeout);
        self.secret.attach(req.metadata_mut());
        match tokio::time::timeout(timeout, f(client, req)).await {
            Ok(Ok(resp)) => Ok(resp.into_inner()),
            Ok(Err(status)) => Err(status_error(node, &status)),
            Err(_) => Err(Self::error(node, format!("no answer within {timeout:?}"), true)),
        }
    }

    /// Writes points to a shard on `node`; returns once they are durable there.
    pub async fn write_shard(
        &self,
        node: &DataNode,
        request: WriteShardRequest,
        timeout: Duration,
    ) -> Result<WriteShardResponse, PeerError> {
        self.call(
            node,
            request,
            timeout,
            |mut c, req| async move { c.write_shard(req).await },
        )
        .await
    }
}

/// A status as a peer error: only a request the peer could decode and refused for what it
/// holds is final; everything else may pass later.
fn status_error(node: &DataNode, status: &Status) -> PeerError {
    let retryable = !matches!(status.code(), Code::InvalidArgument);
    let reason = match status.code() {
        Code::Unavailable => format!("unreachable: {}", status.message()),
        Code::DeadlineExceeded => "no answer in time".to_owned(),
        _ => status.message().to_owned(),
    };
    Peers::error(node, reason, retryable)
}
