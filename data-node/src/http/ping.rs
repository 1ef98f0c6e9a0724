//! ping: `/ping`, `/health` and `/metrics`, the endpoints load balancers and monitoring use.
//! None of them needs credentials.

use hyper::{Response, StatusCode};

use super::{json_response, Api, Body, HttpError, Req};

/// 204, or 200 with the version for `verbose` (any value but "", "0" and "false").
pub(super) fn ping(api: &Api, req: &Req) -> Result<Response<Body>, HttpError> {
    let verbose = req.param("verbose");
    if !verbose.is_empty() && verbose != "0" && verbose != "false" {
        let mut body = String::from("{\"version\":");
        super::json_str(&mut body, &api.config.version);
        body.push_str("}\n");
        return Ok(json_response(StatusCode::OK, body));
    }
    Ok(json_response(StatusCode::NO_CONTENT, ""))
}

/// InfluxDB 1.8's health document (keys sorted, as Go marshals a map).
pub(super) fn health(api: &Api) -> Result<Response<Body>, HttpError> {
    let mut body =
        String::from("{\"checks\":[],\"message\":\"ready for queries and writes\",\"name\":\"influxdb\",\"status\":\"pass\",\"version\":");
    super::json_str(&mut body, &api.config.version);
    body.push_str("}\n");
    Ok(json_response(StatusCode::OK, body))
}

/// The node's counters in Prometheus' text format.
pub(super) fn metrics(api: &Api) -> Result<Response<Body>, HttpError> {
    let text = api.metrics.render();
    let mut r = Response::new(Body::from_bytes(text));
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(r)
}
