//! write: `/write` (InfluxDB 1.x) and `/api/v2/write` (1.8's compatibility endpoint). The
//! checks run in InfluxDB's order, so each mistake gets the answer clients know: database
//! (400/404), credentials (403), body size (413), parse errors (400), consistency (400),
//! then the write itself (400 partial write, 500 unknown policy).

use std::sync::atomic::Ordering::Relaxed;

use hyper::{Response, StatusCode};
use line_protocol::{parse_lines, Limits, ParseOptions, Precision};
use meta::{MetaData, Privilege, UserInfo};

use super::{json_response, read_body, Api, Body, HttpError, Req};
use crate::config::HttpConfig;
use crate::write::{Consistency, WriteError};

pub(super) async fn write_v1(api: &Api, req: Req) -> Result<Response<Body>, HttpError> {
    let precision = req.param("precision").to_owned();
    if !precision.is_empty() && Precision::parse(&precision).is_none() {
        return Err(HttpError::bad_request(format!(
            "invalid precision {} (use n, u, ms, s, m or h)",
            go_quote(&precision)
        )));
    }
    let (db, rp) = (req.param("db").to_owned(), req.param("rp").to_owned());
    serve_write(api, req, db, rp, precision).await
}

pub(super) async fn write_v2(api: &Api, req: Req) -> Result<Response<Body>, HttpError> {
    let precision = match req.param("precision") {
        "ns" => "n",
        "us" => "u",
        p @ ("ms" | "s" | "") => p,
        other => {
            return Err(HttpError::bad_request(format!(
                "invalid precision {} (use ns, us, ms or s)",
                go_quote(other)
            )))
        }
    }
    .to_owned();
    let bucket = req.param("bucket");
    let (db, rp) = match bucket.split_once('/') {
        None if bucket.is_empty() => {
            return Err(HttpError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "bucket name {} is missing a slash; not in \"database/retention-policy\" format",
                    go_quote(bucket)
                ),
            ))
        }
        None => (bucket.to_owned(), String::new()),
        Some(("", _)) => {
            return Err(HttpError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "bucket name {} is in db/rp form but has an empty database",
                    go_quote(bucket)
                ),
            ))
        }
        Some((db, rp)) => (db.to_owned(), rp.to_owned()),
    };
    serve_write(api, req, db, rp, precision).await
}

async fn serve_write(
    api: &Api,
    mut req: Req,
    db: String,
    rp: String,
    precision: String,
) -> Result<Response<Body>, HttpError> {
    let metrics = &api.metrics;
    metrics.write_requests.fetch_add(1, Relaxed);
    let result = async {
        let user = api.authenticate(&req)?;
        if db.is_empty() {
            return Err(HttpError::bad_request("database is required"));
        }
        let meta = api.meta.data();
        if meta.database(&db).is_none() {
            return Err(HttpError::new(
                StatusCode::NOT_FOUND,
                format!("database not found: {}", go_quote(&db)),
            ));
        }
        if api.config.auth_enabled {
            authorize_write(&meta, user.as_ref(), &db)?;
        }
        let body = read_body(&mut req, api.config.max_body_size).await?;
        let consistency = req.param("consistency").to_owned();
        let writer = std::sync::Arc::clone(&api.writer);
        let precision = Precision::parse(&precision).unwrap_or_default();
        let now = crate::now_nanos();
        let limits = body_limits(&api.config);
        let outcome = tokio::task::spawn_blocking(move || {
            let options = ParseOptions::new(now).with_precision(precision).with_limits(limits);
            let batch = parse_lines(&body, &options);
            if batch.exceeds_max_points() {
                return Err(HttpError::bad_request(format!(
                    "batch too large: more than {} points (max-points-per-batch); nothing was written",
                    limits.max_points
                )));
            }
            let parse_errors = batch.error_text();
            if batch.is_empty() {
                if let Some(text) = parse_errors {
                    return Err(HttpError::bad_request(text));
                }
            }
            let consistency =
                Consistency::parse(&consistency).ok_or_else(|| HttpError::bad_request("invalid consistency level"))?;
            let points = batch.len();
            let rejected = batch.errors().len();
            match writer.write(&db, &rp, consistency, batch.points(), now) {
                Ok(w) => match parse_errors {
                    None => Ok((w.points, w.values, rejected)),
                    Some(text) => Err(HttpError::bad_request(format!("partial write: {text} dropped=0"))),
                },
                Err(WriteError::Partial { reason, dropped }) => Err(HttpError::bad_request(
                    WriteError::Partial { reason, dropped }.to_string(),
                ))
                .inspect_err(|_| tracing::debug!(points, dropped, "partial write")),
                Err(e) => Err(HttpError::from(e)),
            }
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "write task failed");
            HttpError::internal(crate::redact::paths(&format!("write task failed: {e}")))
        })??;
        Ok(outcome)
    }
    .await;
    match result {
        Ok((points, values, rejected)) => {
            metrics.points_written.fetch_add(points as u64, Relaxed);
            metrics.values_written.fetch_add(values as u64, Relaxed);
            metrics.points_dropped.fetch_add(rejected as u64, Relaxed);
            Ok(json_response(StatusCode::NO_CONTENT, ""))
        }
        Err(e) => {
            metrics.write_errors.fetch_add(1, Relaxed);
            Err(e)
        }
    }
}

/// The `[http]` limits on one body, as the parser takes them.
fn body_limits(config: &HttpConfig) -> Limits {
    let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    Limits {
        max_line_bytes: size(config.max_line_size.0),
        max_fields_per_line: size(config.max_fields_per_line),
        max_points: size(config.max_points_per_batch),
    }
}

/// InfluxDB's write check: a user, and admin or WRITE/ALL on the database.
fn authorize_write(meta: &MetaData, user: Option<&UserInfo>, db: &str) -> Result<(), HttpError> {
    let Some(user) = user else {
        return Err(HttpError::forbidden(format!(
            "user is required to write to database {}",
            go_quote(db)
        )));
    };
    let current = meta.user(&user.name);
    let allowed = current.is_some_and(|u| u.admin || u.privileges.get(db).is_some_and(|p| p.allows(Privilege::Write)));
    if allowed {
        Ok(())
    } else {
        Err(HttpError::forbidden(format!(
            "{} user is not authorized to write to database {}",
            go_quote(&user.name),
            go_quote(db)
        )))
    }
}

/// Go's `%q`: a double-quoted string with Go escapes.
pub(crate) fn go_quote(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
