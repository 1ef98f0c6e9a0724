//! api: the meta API over HTTP/JSON (:8091), for `cairn-ctl`, data nodes and the other
//! meta nodes. Every path but `/ping` requires the shared secret when one is set. Errors
//! are `{"error": "..."}` with a status that says whose fault it is (4xx the caller's,
//! 502 another node's, 503 no cluster, leader or quorum).
//!
//! | path | answered by | what |
//! |---|---|---|
//! | `GET /ping` | this node | 204, no secret needed |
//! | `GET /status` | this node | its id, addresses, version and Raft state |
//! | `GET /data?index=N&wait=D&linearizable=true` | this node (the leader if linearizable) | the metadata once its index passes N (304 after the wait) |
//! | `POST /execute` | the leader | applies a `meta::Command` |
//! | `GET /cluster` | the leader | nodes and liveness (`cairn-ctl show`) |
//! | `POST /add-meta`, `/remove-meta`, `/add-data`, `/remove-data`, `/update-data` | the leader | membership |
//! | `POST /heartbeat` | the leader | a node reports it is alive |
//! | `POST /assign`, `/leave` | this node | sent by the leader to a joining or removed node |

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use meta::api::ApiError;
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;

use crate::node::{json_answer, Answer, Failure, Identity, MetaNode};

/// Serves the API on `listener` until the process ends.
pub async fn serve(listener: TcpListener, node: Arc<MetaNode>, max_body: usize) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "meta API accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let node = Arc::clone(&node);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let node = Arc::clone(&node);
                async move { Ok::<_, Infallible>(handle(&node, req, max_body, peer).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service);
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "meta API connection ended");
            }
        });
    }
}

async fn handle(
    node: &Arc<MetaNode>,
    req: Request<Incoming>,
    max_body: usize,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    if path == "/ping" {
        return respond((StatusCode::NO_CONTENT, Vec::new()));
    }
    let req_forwarded = req.headers().contains_key(crate::node::FORWARDED_HEADER);
    let auth = req.headers().get("authorization").map(|v| v.as_bytes());
    if !node.secret.accepts(auth) {
        tracing::warn!(%peer, %path, "meta API call without the shared secret refused");
        return respond(error(
            StatusCode::UNAUTHORIZED,
            "wrong or missing shared secret (set [meta] internal-shared-secret to the cluster's)".to_owned(),
        ));
    }
    let body = match Limited::new(req.into_body(), max_body).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            return respond(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("cannot read the request body: {e}"),
            ))
        }
    };
    let answer = crate::node::FORWARDED
        .scope(req_forwarded, route(node, &method, &path, &query, &body))
        .await;
    respond(answer.unwrap_or_else(|f| error(f.status(), f.to_string())))
}

async fn route(node: &Arc<MetaNode>, method: &Method, path: &str, query: &str, body: &[u8]) -> Result<Answer, Failure> {
    match (method, path) {
        (&Method::GET, "/status") => Ok(json_answer(StatusCode::OK, &node.status())),
        (&Method::GET, "/data") => data(node, query).await,
        (&Method::GET, "/cluster") => node.cluster().await,
        (&Method::POST, "/execute") => {
            let command: meta::Command = parse(body)?;
            Ok(json_answer(StatusCode::OK, &node.execute(&command).await?))
        }
        (&Method::POST, "/add-meta") => node.add_meta(parse(body)?).await,
        (&Method::POST, "/remove-meta") => node.remove_meta(parse(body)?).await,
        (&Method::POST, "/assign") => node.assign(parse::<Identity>(body)?).await,
        (&Method::POST, "/leave") => node.leave(parse::<Identity>(body)?).await,
        (&Method::POST, "/heartbeat") => node.heartbeat(parse(body)?, body).await,
        (&Method::POST, "/add-data") => node.add_data(parse(body)?, body).await,
        (&Method::POST, "/remove-data") => node.remove_data(parse(body)?, body).await,
        (&Method::POST, "/update-data") => node.update_data(parse(body)?, body).await,
        (&Method::POST, "/truncate-shards") => {
            let req: meta::api::TruncateShards = parse(body)?;
            let at = crate::node::now_nanos().saturating_add(req.delay_ns.max(0));
            let done = node.execute(&meta::Command::TruncateShardGroups { at }).await?;
            crate::node::answer_outcome(done)
        }
        (_, "/status" | "/data" | "/cluster") => Err(Failure::BadRequest(format!("{path} takes GET"))),
        (
            _,
            "/execute" | "/add-meta" | "/remove-meta" | "/assign" | "/leave" | "/heartbeat" | "/add-data"
            | "/remove-data" | "/update-data",
        ) => Err(Failure::BadRequest(format!("{path} takes POST"))),
        _ => Err(Failure::NotFound(format!("no such meta API path: {path}"))),
    }
}

/// `GET /data`: the metadata once its index passes `index` (at once without one), or 304
/// when `wait` (bounded by `max-watch-wait`) passes first.
async fn data(node: &Arc<MetaNode>, query: &str) -> Result<Answer, Failure> {
    let mut index = None;
    let mut wait = Duration::ZERO;
    let mut linearizable = false;
    for (k, v) in form_pairs(query) {
        match k.as_str() {
            "index" => {
                index = Some(
                    v.parse::<u64>()
                        .map_err(|_| Failure::BadRequest(format!("bad index: {v}")))?,
                );
            }
            "wait" => {
                wait = cairn_config::parse_duration(&v)
                    .ok_or_else(|| Failure::BadRequest(format!("bad wait {v:?}: write it like 30s or 500ms")))?;
            }
            // Sent by a node that forwards a linearizable read: answer here or not at all.
            "linearizable" if v == "leader" => {
                node.linearizable().await?;
                return Ok(json_answer(StatusCode::OK, &*node.data()));
            }
            "linearizable" => linearizable = v == "true",
            _ => {}
        }
    }
    if linearizable {
        // The leader confirms it still leads and has applied what it committed; a
        // follower passes the call on.
        let path = format!("/data?{query}").replace("linearizable=true", "linearizable=leader");
        return node
            .on_leader(Method::GET, &path, &[], || async {
                node.linearizable().await?;
                Ok(json_answer(StatusCode::OK, &*node.data()))
            })
            .await;
    }
    let published = node
        .published()
        .ok_or_else(|| Failure::NotInCluster(node.http_addr.clone()))?;
    let Some(after) = index else {
        return Ok(json_answer(StatusCode::OK, &*published.data()));
    };
    let mut watch = published.watch();
    let deadline = tokio::time::Instant::now() + wait.min(node.max_watch_wait());
    loop {
        if *watch.borrow_and_update() > after {
            return Ok(json_answer(StatusCode::OK, &*published.data()));
        }
        match tokio::time::timeout_at(deadline, watch.changed()).await {
            Ok(Ok(())) => continue,
            // Timed out, or the node left its cluster.
            _ => return Ok((StatusCode::NOT_MODIFIED, Vec::new())),
        }
    }
}

fn form_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (k.to_owned(), v.to_owned())
    })
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::BadRequest(format!("bad request body: {e}")))
}

fn error(status: StatusCode, text: String) -> Answer {
    json_answer(status, &ApiError { error: text })
}

fn respond((status, body): Answer) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    if status != StatusCode::NO_CONTENT && status != StatusCode::NOT_MODIFIED {
        resp.headers_mut().insert(
            "content-type",
            hyper::header::HeaderValue::from_static("application/json"),
        );
    }
    resp
}
