//! dsl: the vocabulary cases are written in. A case is a name and a list of requests built from
//! its database name; these helpers build the requests real clients send.

use cairn_tests::http::{encode_pairs, url};
use cairn_tests::{Body, Request};

/// One named sequence of requests, all compared.
pub(crate) struct Case {
    /// Unique; also the case's database name (cases are independent of each other's data).
    pub(crate) name: &'static str,
    /// Runs on the pair of servers with authentication enabled.
    pub(crate) auth: bool,
    /// The requests, in order. Setup requests are compared too.
    pub(crate) steps: Vec<Request>,
}

/// A case on the servers without authentication; `build` gets the database name.
pub(crate) fn case(name: &'static str, build: impl FnOnce(&str) -> Vec<Request>) -> Case {
    Case {
        name,
        auth: false,
        steps: build(name),
    }
}

/// A case on the servers with authentication.
pub(crate) fn auth_case(name: &'static str, build: impl FnOnce(&str) -> Vec<Request>) -> Case {
    Case {
        name,
        auth: true,
        steps: build(name),
    }
}

/// 2023-11-14T22:13:20Z in ns: the base timestamp of every fixture.
pub(crate) const T0: i64 = 1_700_000_000_000_000_000;

/// `T0 + secs` seconds, in ns, as line-protocol text.
pub(crate) fn ts(secs: i64) -> String {
    (T0 + secs * 1_000_000_000).to_string()
}

/// `GET path`.
pub(crate) fn get(path: &str) -> Request {
    Request::get(path)
}

/// `POST path`, no body.
pub(crate) fn post(path: &str) -> Request {
    Request::post(path)
}

/// Any method.
pub(crate) fn method(m: &str, path: &str) -> Request {
    Request::new(m, path)
}

/// Telegraf's CREATE DATABASE: a form POST to /query with no db.
pub(crate) fn create(db: &str) -> Request {
    post("/query").form(&[("q", &format!("CREATE DATABASE \"{db}\""))])
}

/// `GET /query?db=db&q=stmt` (Grafana's and the Python client's read path).
pub(crate) fn q(db: &str, stmt: &str) -> Request {
    get(&url("/query", &[("db", db), ("q", stmt)]))
}

/// `GET /query?q=stmt`, no db.
pub(crate) fn q0(stmt: &str) -> Request {
    get(&url("/query", &[("q", stmt)]))
}

/// `GET /query` with any parameters, in the given order.
pub(crate) fn qp(pairs: &[(&str, &str)]) -> Request {
    get(&url("/query", pairs))
}

/// `POST /query?db=db` with the form body `q=stmt` (Telegraf, Grafana POST mode).
pub(crate) fn pq(db: &str, stmt: &str) -> Request {
    post(&url("/query", &[("db", db)])).form(&[("q", stmt)])
}

/// `POST /query?q=stmt` with the form body empty: a statement with no db (DDL).
pub(crate) fn pq0(stmt: &str) -> Request {
    post("/query").form(&[("q", stmt)])
}

/// `POST /write?db=db` with a line-protocol body.
pub(crate) fn w(db: &str, body: &str) -> Request {
    post(&url("/write", &[("db", db)])).body(body)
}

/// `POST /write?<pairs>` with a line-protocol body.
pub(crate) fn wp(pairs: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Request {
    post(&url("/write", pairs)).body(body)
}

/// A form body for a POST built by hand (for requests that mix URL and body parameters).
pub(crate) fn form_body(pairs: &[(&str, &str)]) -> Body {
    Body::Bytes(encode_pairs(pairs).into_bytes())
}

/// The shared data set of the SHOW and SELECT cases: four measurements, tags in different
/// subsets, every field type, fixed timestamps (T0 .. T0+3s).
pub(crate) fn fixture(db: &str) -> Vec<Request> {
    let body = format!(
        "cpu,host=a,region=us v=1,w=10i {t0}\n\
         cpu,host=b,region=eu v=2,w=20i {t1}\n\
         cpu,host=c,region=us v=3 {t2}\n\
         cpu,host=a,region=us v=4,w=40i {t3}\n\
         mem,host=a used=100i,free=5.5 {t0}\n\
         mem,host=b used=200i {t3}\n\
         disk,host=a,path=/ free=1i,label=\"root\" {t0}\n\
         net up=true,v=1 {t1}\n",
        t0 = ts(0),
        t1 = ts(1),
        t2 = ts(2),
        t3 = ts(3)
    );
    vec![create(db), w(db, &body)]
}

/// [`fixture`] followed by GET queries.
pub(crate) fn with_fixture(db: &str, stmts: &[&str]) -> Vec<Request> {
    let mut v = fixture(db);
    v.extend(stmts.iter().map(|s| q(db, s)));
    v
}
