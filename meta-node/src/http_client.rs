//! http_client: how a meta node calls another's API (forwarding to the leader, telling a
//! new member its id). Every call has a deadline and carries the shared secret; a failure
//! names the address.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

use crate::auth::Secret;

#[derive(Debug, Clone)]
pub struct Peers {
    client: Client<HttpConnector, Full<Bytes>>,
    secret: Secret,
}

impl Peers {
    pub fn new(secret: Secret) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(2)));
        connector.set_nodelay(true);
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            secret,
        }
    }

    /// Sends a request to `addr` (`host:port`) and returns its status and body.
    pub async fn call(
        &self,
        method: Method,
        addr: &str,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<(StatusCode, Bytes), String> {
        self.send(method, addr, path_and_query, body, timeout, false).await
    }

    /// [`Peers::call`] for a call this node passes on to the leader: marked, so the
    /// receiver does not pass it on again.
    pub async fn forward(
        &self,
        method: Method,
        addr: &str,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<(StatusCode, Bytes), String> {
        self.send(method, addr, path_and_query, body, timeout, true).await
    }

    async fn send(
        &self,
        method: Method,
        addr: &str,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        timeout: Duration,
        forwarded: bool,
    ) -> Result<(StatusCode, Bytes), String> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("http://{addr}{path_and_query}"))
            .header("content-type", "application/json");
        if forwarded {
            req = req.header(crate::node::FORWARDED_HEADER, "1");
        }
        if let Some(h) = self.secret.header() {
            req = req.header("authorization", h);
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| format!("{addr}: bad request: {e}"))?;
        let exchange = async {
            let resp = self.client.request(req).await.map_err(|e| describe(&e))?;
            let status = resp.status();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("reading the answer: {e}"))?
                .to_bytes();
            Ok::<_, String>((status, body))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(format!("{addr}: {e}")),
            Err(_) => Err(format!("{addr}: no answer within {timeout:?}")),
        }
    }
}

/// The innermost cause of a client error ("Connection refused"), which is what an operator
/// needs; hyper's outer layers only say "client error (Connect)".
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    let text = inner.to_string();
    text.split(" (os error").next().unwrap_or_default().to_owned()
}
