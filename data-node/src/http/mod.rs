//! http: the InfluxDB 1.x HTTP API. One handler resolves the route (`routes.rs`), adds the
//! headers every answer carries (version, build, request id, CORS), checks credentials and
//! hands the request to the endpoint's module. Errors become InfluxDB's JSON bodies in one
//! place (`error.rs`). `listener.rs` accepts connections (HTTPS with `tls.rs`) under the
//! connection limit; `conn.rs` holds each connection's timeouts.

mod auth;
mod body;
mod conn;
mod error;
mod format;
mod json;
mod listener;
mod ping;
mod query;
mod results;
mod routes;
mod tls;
mod write;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};

pub use auth::{check_password, hash_password, Authenticator, MAX_PASSWORD_BYTES};
pub use body::Body;
pub use conn::RequestBody;
pub use error::HttpError;
pub use format::rfc3339_nano;
pub use json::{write_f64 as json_f64, write_str as json_str};
pub use listener::{connection_limit, raise_nofile_limit, serve, PING_RESERVE};
pub use tls::{acceptor as tls_acceptor, TlsError};

use crate::config::HttpConfig;
use crate::meta_client::MetaClient;
use crate::metrics::Metrics;
use crate::query::QueryExecutor;
use crate::write::PointsWriter;
use routes::{resolve, Resolved, Route};

/// What the HTTP API needs from the node.
#[derive(Debug)]
pub struct Api {
    pub config: HttpConfig,
    pub meta: Arc<dyn MetaClient>,
    pub writer: Arc<PointsWriter>,
    pub executor: Arc<QueryExecutor>,
    pub metrics: Arc<Metrics>,
    pub auth: Authenticator,
    request_ids: AtomicU64,
}

impl Api {
    pub fn new(
        config: HttpConfig,
        meta: Arc<dyn MetaClient>,
        writer: Arc<PointsWriter>,
        executor: Arc<QueryExecutor>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            config,
            meta,
            writer,
            executor,
            metrics,
            auth: Authenticator::default(),
            request_ids: AtomicU64::new(0),
        }
    }

    /// InfluxDB's `authenticate` wrapper: with authentication on and an admin user in
    /// place, a request must carry valid credentials (401 otherwise); before the first
    /// admin exists, requests pass without a user and the statement check decides. The
    /// check ran before the endpoint was called ([`Api::check_credentials`]); endpoints ask
    /// for its outcome here at the point of their checks where InfluxDB makes it.
    fn authenticate(&self, req: &Req) -> Result<Option<meta::UserInfo>, HttpError> {
        req.auth.clone()
    }

    /// Checks a request's credentials, bcrypt on the blocking pool.
    async fn check_credentials(
        &self,
        params: &[(String, String)],
        headers: &hyper::HeaderMap,
    ) -> Result<Option<meta::UserInfo>, HttpError> {
        if !self.config.auth_enabled {
            return Ok(None);
        }
        let meta = self.meta.data();
        if !meta.admin_exists() {
            return Ok(None);
        }
        let authorization = headers.get(hyper::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let result = match auth::parse_credentials(params, authorization) {
            Ok(creds) => self.auth.authenticate(&meta, &creds).await,
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.metrics.auth_failures.fetch_add(1, Ordering::Relaxed);
        }
        result.map(Some)
    }

    /// A request id shaped like InfluxDB's (a UUID): time-ordered and unique per node.
    fn request_id(&self) -> String {
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let pid = u64::from(std::process::id());
        format!(
            "{:08x}-{:04x}-1{:03x}-{:04x}-{:012x}",
            (now >> 32) as u32,
            (now >> 16) as u16,
            (now >> 4) as u16 & 0xfff,
            (n & 0x3fff) as u16 | 0x8000,
            (pid << 24 | (n >> 14) & 0xff_ffff) & 0xffff_ffff_ffff
        )
    }
}

/// A request as the endpoints see it: method, path, parameters, headers, body bytes.
#[derive(Debug)]
pub struct Req {
    pub method: hyper::Method,
    pub params: Vec<(String, String)>,
    pub headers: hyper::HeaderMap,
    pub body: RequestBody,
    pub peer: SocketAddr,
    /// The outcome of the credentials check (`Ok(None)`: no user, as with auth off).
    auth: Result<Option<meta::UserInfo>, HttpError>,
}

impl Req {
    /// The first value of URL parameter `name`, or "".
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn header(&self, name: impl hyper::header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn handle(api: &Api, req: Request<RequestBody>, peer: SocketAddr) -> Response<Body> {
    let request_id = api.request_id();
    let (parts, body) = req.into_parts();
    let origin = parts.headers.get(hyper::header::ORIGIN).cloned();
    let params: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let route = resolve(&parts.method, parts.uri.path());
    let cors = origin.is_some() && !matches!(route, Resolved::NotFound | Resolved::MethodNotAllowed { .. });
    let mut resp = match route {
        Resolved::NotFound => plain(StatusCode::NOT_FOUND, "404 page not found\n"),
        Resolved::MethodNotAllowed { allow } => {
            let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n");
            r.headers_mut().insert("Allow", HeaderValue::from_static(allow));
            r
        }
        Resolved::Options => Response::new(Body::empty()),
        Resolved::Route(route) => {
            let auth = match route {
                Route::Write | Route::WriteV2 | Route::Query => api.check_credentials(&params, &parts.headers).await,
                Route::Ping | Route::Health | Route::Metrics => Ok(None),
            };
            let req = Req {
                method: parts.method,
                params,
                headers: parts.headers,
                body,
                peer,
                auth,
            };
            let result = match route {
                Route::Ping => ping::ping(api, &req),
                Route::Health => ping::health(api),
                Route::Metrics => ping::metrics(api),
                Route::Write => write::write_v1(api, req).await,
                Route::WriteV2 => write::write_v2(api, req).await,
                Route::Query => query::query(api, req).await,
            };
            result.unwrap_or_else(|e| error_response(&e))
        }
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("Request-Id", v.clone());
        h.insert("X-Request-Id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&api.config.version) {
        h.insert("X-Influxdb-Version", v);
    }
    h.insert("X-Influxdb-Build", HeaderValue::from_static("OSS"));
    if let (true, Some(origin)) = (cors, origin) {
        h.insert("Access-Control-Allow-Origin", origin);
        h.insert(
            "Access-Control-Allow-Methods",
            HeaderValue::from_static("DELETE, GET, OPTIONS, POST, PUT"),
        );
        h.insert(
            "Access-Control-Allow-Headers",
            HeaderValue::from_static(
                "Accept, Accept-Encoding, Authorization, Content-Length, Content-Type, X-CSRF-Token, X-HTTP-Method-Override",
            ),
        );
        h.insert(
            "Access-Control-Expose-Headers",
            HeaderValue::from_static("Date, X-InfluxDB-Version, X-InfluxDB-Build"),
        );
    }
    resp
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::from_bytes(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r.headers_mut()
        .insert("X-Content-Type-Options", HeaderValue::from_static("nosniff"));
    r
}

/// A JSON answer with InfluxDB's content type.
pub fn json_response(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Body::from_bytes(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

pub(crate) fn error_response(e: &HttpError) -> Response<Body> {
    let mut r = json_response(e.status, e.body(e.pretty));
    if e.status != StatusCode::UNAUTHORIZED {
        if let Ok(v) = HeaderValue::from_str(&e.header_value()) {
            r.headers_mut().insert("X-Influxdb-Error", v);
        }
    }
    for (k, v) in &e.headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            r.headers_mut().insert(*k, v);
        }
    }
    r
}

/// Reads a request body, gunzipping it when it says so, refusing more than `limit` bytes
/// (0 = no limit) before or after decompression with InfluxDB's 413.
pub async fn read_body(req: &mut Req, limit: u64) -> Result<Vec<u8>, HttpError> {
    let too_large = || HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    if limit > 0 {
        let declared = req
            .header(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
    }
    let mut raw = Vec::new();
    while let Some(frame) = req.body.frame().await {
        let frame = frame.map_err(|e| HttpError::bad_request(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            raw.extend_from_slice(&data);
            if limit > 0 && raw.len() as u64 > limit {
                return Err(too_large());
            }
        }
    }
    if req.header(hyper::header::CONTENT_ENCODING) != Some("gzip") {
        return Ok(raw);
    }
    use std::io::Read;
    let mut out = Vec::with_capacity(raw.len() * 4);
    let decoder = flate2::read::MultiGzDecoder::new(raw.as_slice());
    let mut reader: Box<dyn Read> = if limit > 0 {
        Box::new(decoder.take(limit + 1))
    } else {
        Box::new(decoder)
    };
    reader.read_to_end(&mut out).map_err(|e| {
        HttpError::bad_request(match e.kind() {
            std::io::ErrorKind::UnexpectedEof => "unexpected EOF".to_owned(),
            std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => "gzip: invalid header".to_owned(),
            _ => e.to_string(),
        })
    })?;
    if limit > 0 && out.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(out)
}
