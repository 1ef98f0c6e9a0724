//! The Raft RPC server over real loopback gRPC: a call without the cluster's secret, or with
//! another, is refused before Raft sees it.

use meta_node::auth::Secret;
use meta_node::node::RaftSlot;
use proto::raft::raft_client::RaftClient;
use proto::raft::Payload;
use tonic::{Code, Request};

#[tokio::test]
async fn raft_rpc_refuses_calls_without_the_shared_secret() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = meta_node::raft_rpc::service(RaftSlot::default(), Secret::new(Some("s3cret")));
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );
    let mut client = RaftClient::connect(format!("http://{addr}")).await.unwrap();
    let call = |secret: Option<&str>| {
        let mut req = Request::new(Payload { json: b"{}".to_vec() });
        Secret::new(secret).attach(req.metadata_mut());
        req
    };
    for secret in [None, Some("wrong"), Some("s3cre")] {
        let err = client.vote(call(secret)).await.unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated, "{secret:?}: {err}");
        assert!(err.message().contains("shared secret"), "{err}");
    }
    // With the secret the call reaches the node, which is in no cluster yet.
    let err = client.vote(call(Some("s3cret"))).await.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    assert!(err.message().contains("not part of a cluster"), "{err}");
}
