//! cases_http: routing and the common headers: /ping, /health, unknown paths, wrong methods,
//! CORS, and the headers every answer carries (CLIENTS.md §4.1, §4.2).

use crate::dsl::{case, create, get, method, post, q, w, Case, T0};

pub(crate) fn cases() -> Vec<Case> {
    let origin = |r: cairn_tests::Request| r.header("Origin", "http://grafana.example");
    vec![
        case("ping_get", |_| vec![get("/ping")]),
        case("ping_head", |_| vec![method("HEAD", "/ping")]),
        // 1.8 answers 200 {"version":…}; see the deviation table.
        case("ping_verbose", |_| vec![get("/ping?verbose=true")]),
        case("ping_verbose_off", |_| {
            vec![
                get("/ping?verbose=false"),
                get("/ping?verbose=0"),
                get("/ping?verbose="),
            ]
        }),
        case("ping_with_python_headers", |_| {
            vec![get("/ping")
                .header("Accept", "application/x-msgpack")
                .header("Content-Type", "application/json")
                .basic_auth("root", "root")
                .header("User-Agent", "python-requests/2.31.0")]
        }),
        case("ping_wrong_method", |_| {
            vec![post("/ping"), method("PUT", "/ping"), method("DELETE", "/ping")]
        }),
        // /health is 1.8+: 1.6.7 answers 404; see the deviation table.
        case("health", |_| vec![get("/health")]),
        case("unknown_paths", |_| {
            vec![
                get("/"),
                get("/nope"),
                post("/writes"),
                get("/query/x"),
                get("/api/v2/buckets"),
            ]
        }),
        case("query_wrong_method", |_| {
            vec![
                method("PUT", "/query"),
                method("DELETE", "/query"),
                method("PATCH", "/query"),
            ]
        }),
        case("write_wrong_method", |_| {
            vec![get("/write"), method("PUT", "/write"), method("DELETE", "/write?db=x")]
        }),
        case("cors_preflight", |_| {
            vec![
                origin(method("OPTIONS", "/query")),
                origin(method("OPTIONS", "/write")),
                origin(method("OPTIONS", "/query?db=x&q=SHOW+DATABASES")),
            ]
        }),
        case("options_without_origin", |_| {
            vec![method("OPTIONS", "/query"), method("OPTIONS", "/write")]
        }),
        case("cors_on_answers", |db| {
            vec![
                origin(create(db)),
                origin(w(db, &format!("m v=1 {T0}"))),
                origin(q(db, "SELECT * FROM m")),
                origin(q(db, "SELECT")),
                origin(w("cors_no_such_db", "m v=1")),
                origin(get("/ping")),
            ]
        }),
    ]
}
