//! routes: every path the HTTP API answers, and which methods each takes. Anything else is
//! InfluxDB's plain-text 404 or 405.

pub(crate) const PING: &str = "/ping";
pub(crate) const HEALTH: &str = "/health";
pub(crate) const WRITE: &str = "/write";
pub(crate) const WRITE_V2: &str = "/api/v2/write";
pub(crate) const QUERY: &str = "/query";
pub(crate) const METRICS: &str = "/metrics";

/// An endpoint the API serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Ping,
    Health,
    Write,
    WriteV2,
    Query,
    Metrics,
}

/// What a method and path resolve to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    Route(Route),
    /// CORS preflight on a known path: answered by the common headers alone.
    Options,
    /// The path exists, the method does not; `allow` lists the methods it takes.
    MethodNotAllowed {
        allow: &'static str,
    },
    NotFound,
}

pub(crate) fn resolve(method: &hyper::Method, path: &str) -> Resolved {
    use hyper::Method as M;
    let (route, allow) = match path {
        PING => (Route::Ping, "GET, HEAD"),
        HEALTH => (Route::Health, "GET"),
        WRITE => (Route::Write, "OPTIONS, POST"),
        WRITE_V2 => (Route::WriteV2, "OPTIONS, POST"),
        QUERY => (Route::Query, "GET, OPTIONS, POST"),
        METRICS => (Route::Metrics, "GET"),
        _ => return Resolved::NotFound,
    };
    let ok = match route {
        Route::Ping => *method == M::GET || *method == M::HEAD,
        Route::Health | Route::Metrics => *method == M::GET,
        Route::Write | Route::WriteV2 => *method == M::POST,
        Route::Query => *method == M::GET || *method == M::POST,
    };
    if ok {
        Resolved::Route(route)
    } else if *method == M::OPTIONS && allow.contains("OPTIONS") {
        Resolved::Options
    } else {
        Resolved::MethodNotAllowed { allow }
    }
}
