//! query: `/query`. Parameters are read from the URL and, for form POSTs, the body (`q`
//! as Go's `FormValue` finds it); the query is parsed (400 with InfluxDB's text on a parse
//! error), authorised (403), then executed off the async runtime. Results are encoded as
//! one JSON document, as NDJSON chunks (`chunked=true`) streamed as they are produced, or
//! as CSV when the client asks for it.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use hyper::Response;

use super::body::Stream;
use super::format::{CsvEncoder, Epoch};
use super::results::{Encoding, Layout, ResultSink};
use super::{read_body, Api, Body, HttpError, Req};
use crate::query::{QueryContext, StatementResult, StopReason};

/// InfluxDB's `DefaultChunkSize`.
const DEFAULT_CHUNK_SIZE: usize = 10_000;

pub(super) async fn query(api: &Api, mut req: Req) -> Result<Response<Body>, HttpError> {
    let started = std::time::Instant::now();
    api.metrics.query_requests.fetch_add(1, Relaxed);
    let format = Format::negotiate(req.header(ACCEPT));
    let gzip = req
        .header(hyper::header::ACCEPT_ENCODING)
        .is_some_and(|a| a.contains("gzip"));
    let pretty = req.param("pretty") == "true";
    let result = run(api, &mut req, format, gzip, started).await;
    let response = match result {
        Ok(r) => r,
        Err(mut e) => {
            api.metrics
                .query_micros
                .fetch_add(started.elapsed().as_micros() as u64, Relaxed);
            api.metrics.query_errors.fetch_add(1, Relaxed);
            match format {
                // InfluxDB writes errors in the format the client asked for.
                Format::Csv(content_type) => {
                    let mut r = Response::new(Body::from_bytes(CsvEncoder::error(&e.message)));
                    *r.status_mut() = e.status;
                    r.headers_mut()
                        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
                    if let Ok(v) = HeaderValue::from_str(&e.header_value()) {
                        r.headers_mut().insert("X-Influxdb-Error", v);
                    }
                    r
                }
                Format::Json => {
                    e.pretty = pretty;
                    super::error_response(&e)
                }
            }
        }
    };
    Ok(response)
}

/// What the client asked for in `Accept`: the supported type with the highest `q`, the
/// first listed on a tie; JSON when nothing supported is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    /// CSV, with the content type to answer (the one asked for, as 1.8 does).
    Csv(&'static str),
}

impl Format {
    fn negotiate(accept: Option<&str>) -> Self {
        let mut best: Option<(f32, Format)> = None;
        for part in accept.unwrap_or("").split(',') {
            let mut it = part.split(';');
            let media = it.next().unwrap_or("").trim();
            let q = it
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|v| v.parse::<f32>().ok())
                .unwrap_or(1.0);
            let format = match media {
                "application/csv" => Format::Csv("application/csv"),
                "text/csv" => Format::Csv("text/csv"),
                "application/json" | "application/x-msgpack" | "*/*" => Format::Json,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, format));
            }
        }
        best.map_or(Format::Json, |(_, f)| f)
    }
}

/// Parses, authorises and starts the query; its answer streams from the executor's thread.
/// Like InfluxDB, only a successful answer is compressed (`gzip`), and it is compressed
/// there too, so the answer takes one hop from the query's thread to the connection.
/// The query's time (`started`: the request's arrival) counts once it has handed over its
/// whole answer.
async fn run(
    api: &Api,
    req: &mut Req,
    format: Format,
    gzip: bool,
    started: std::time::Instant,
) -> Result<Response<Body>, HttpError> {
    let user = api.authenticate(req)?;
    // Form fields of a urlencoded POST body come before the URL's, as in Go's FormValue.
    let is_form = req
        .header(CONTENT_TYPE)
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let mut params: Vec<(String, String)> = Vec::new();
    if req.method == hyper::Method::POST && is_form {
        let body = read_body(req, 0).await?;
        params.extend(form_urlencoded::parse(&body).into_owned());
    }
    params.extend(req.params.iter().cloned());
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    // InfluxDB trims the query before parsing; error positions count from there.
    let q = get("q").unwrap_or("").trim();
    if q.is_empty() {
        return Err(HttpError::bad_request("missing required parameter \"q\""));
    }
    let bind = match get("params") {
        Some(p) if !p.is_empty() => parse_params(p)?,
        _ => influxql::Params::new(),
    };
    let query = influxql::parse_query_with_params(q, &bind)
        .map_err(|e| HttpError::bad_request(format!("error parsing query: {e}")))?;
    let epoch = Epoch::parse(get("epoch"));
    let pretty = get("pretty") == Some("true");
    let chunked = get("chunked") == Some("true");
    let chunk_size = get("chunk_size")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_CHUNK_SIZE);
    let control = api.executor.control();
    let ctx = QueryContext {
        database: get("db").unwrap_or("").to_owned(),
        retention_policy: get("rp").unwrap_or("").to_owned(),
        user,
        auth_enabled: api.config.auth_enabled,
        read_only: req.method == hyper::Method::GET,
        now: crate::now_nanos(),
        chunk_size: if chunked { chunk_size } else { 0 },
        control: Arc::clone(&control),
        node_id: node_id(get("node_id"))?,
    };
    api.executor
        .authorize(&query, &ctx)
        .map_err(|m| HttpError::forbidden(format!("error authorizing query: {m}")))?;
    let encoding = Encoding::new(matches!(format, Format::Csv(_)), epoch, pretty);
    let content_type = match format {
        Format::Csv(t) => t,
        Format::Json => "application/json",
    };
    let layout = if chunked {
        Layout::Chunked
    } else {
        Layout::Whole {
            max_row_limit: api.config.max_row_limit,
        }
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let mut sink = ResultSink::new(tx, layout, encoding, Arc::clone(&control));
    if gzip {
        sink = sink.gzip();
    }
    // A client that leaves drops the body before its end: that stops the query.
    let watched = Arc::clone(&control);
    let body = Stream::new(rx).on_abandon(move || watched.stop(StopReason::ClientGone));
    let executor = Arc::clone(&api.executor);
    let metrics = Arc::clone(&api.metrics);
    // SHOW QUERIES and KILL QUERY never wait for a turn: they are how an operator frees one.
    let admitted = if query
        .statements
        .iter()
        .all(|s| matches!(s, influxql::Statement::ShowQueries | influxql::Statement::KillQuery(_)))
    {
        Ok(None)
    } else {
        executor.admit(&control).await.map(Some)
    };
    tokio::task::spawn_blocking(move || {
        // The turn is held until the answer is handed over.
        let _permit = match admitted {
            Ok(permit) => {
                executor.execute(&query, &ctx, &mut |r| sink.push(r));
                permit
            }
            // Refused or timed out in the queue: InfluxDB answers such errors in the result.
            Err(e) => {
                sink.push(StatementResult::error(0, e));
                None
            }
        };
        sink.finish();
        metrics
            .query_micros
            .fetch_add(started.elapsed().as_micros() as u64, Relaxed);
    });
    let mut r = Response::new(body.started().await);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if gzip {
        r.headers_mut()
            .insert(hyper::header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok(r)
}

/// The `params` JSON object: bound parameter values by name.
fn parse_params(text: &str) -> Result<influxql::Params, HttpError> {
    serde_json::from_str::<influxql::Params>(text)
        .map_err(|_| HttpError::bad_request(format!("error parsing query parameters: {}", go_json_error(text))))
}

/// The message Go's `encoding/json` gives for `text`: a value of the wrong kind, or the
/// first syntax error for the shapes clients get wrong (a bare word, truncated input).
fn go_json_error(text: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        let kind = match v {
            serde_json::Value::Array(_) => "array",
            serde_json::Value::String(_) => "string",
            serde_json::Value::Number(_) => "number",
            serde_json::Value::Bool(_) => "bool",
            _ => "object",
        };
        return format!("json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}");
    }
    let t = text.trim_start();
    let mut chars = t.chars();
    match chars.next() {
        None => "unexpected end of JSON input".to_owned(),
        Some('{') => match chars.find(|c| !c.is_whitespace()) {
            None => "unexpected end of JSON input".to_owned(),
            Some(c) if c != '"' && c != '}' => {
                format!("invalid character '{c}' looking for beginning of object key string")
            }
            Some(_) => "unexpected end of JSON input".to_owned(),
        },
        Some(c) if !"[\"-0123456789tfn".contains(c) => {
            format!("invalid character '{c}' looking for beginning of value")
        }
        Some(_) => "unexpected end of JSON input".to_owned(),
    }
}

/// `node_id=N` (Enterprise): read only data node N's shards. Empty or absent: every shard.
fn node_id(param: Option<&str>) -> Result<Option<u64>, HttpError> {
    match param.filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => p
            .parse::<u64>()
            .map(Some)
            .map_err(|_| HttpError::bad_request(format!("invalid node_id {p:?}: expected a data node id"))),
    }
}
