//! cases_query: the /query protocol (CLIENTS.md §4.3 to §4.5): where `q` may come from,
//! several statements, db/rp/epoch, chunking, pretty, bind parameters, CSV, msgpack, gzip,
//! the read-only warning, parse and query errors.

use cairn_tests::http::url;

use crate::dsl::{case, create, form_body, get, post, pq, pq0, q, q0, qp, ts, w, with_fixture, wp, Case, T0};

pub(crate) fn cases() -> Vec<Case> {
    vec![
        case("query_missing_q", |db| {
            vec![
                get("/query"),
                get(&format!("/query?db={db}")),
                get("/query?q="),
                post("/query"),
                post("/query").form(&[("db", db)]),
            ]
        }),
        case("query_where_q_comes_from", |db| {
            let stmt = "SELECT * FROM cpu WHERE host = 'a'";
            vec![
                create(db),
                w(db, &format!("cpu,host=a v=1 {T0}\ncpu,host=b v=2 {T0}\n")),
                // GET, q in the URL (Grafana GET mode, Python).
                q(db, stmt),
                // POST, form body with q only and db in the URL (Grafana POST mode).
                pq(db, stmt),
                // POST, everything in the form body.
                post("/query").form(&[("db", db), ("q", stmt)]),
                // POST, q in the URL, empty body with Content-Type application/json (Python helpers).
                post(&url("/query", &[("q", stmt), ("db", db)])).header("Content-Type", "application/json"),
                // POST, q in the URL, empty body, no Content-Type (influx CLI).
                post(&url(
                    "/query",
                    &[("chunked", "true"), ("db", db), ("epoch", "ns"), ("q", stmt)],
                )),
                // q both in the URL and in the body: the form body wins for POST (Go's FormValue).
                {
                    let mut r = post(&url("/query", &[("db", db), ("q", "SHOW MEASUREMENTS")]))
                        .header("Content-Type", "application/x-www-form-urlencoded");
                    r.body = form_body(&[("q", stmt)]);
                    r
                },
            ]
        }),
        case("query_multi_statements", |db| {
            vec![
                create(db),
                w(db, &format!("a v=1 {T0}\nb v=2 {T0}\n")),
                q(db, "SELECT * FROM a; SELECT * FROM b"),
                q(db, "SELECT * FROM a;SELECT * FROM nosuch;SHOW MEASUREMENTS;"),
                q(
                    db,
                    "SELECT * FROM a; SELECT v FROM a GROUP BY time(1m); SELECT * FROM b",
                ),
                q(db, "SHOW MEASUREMENTS; SHOW FIELD KEYS; SHOW TAG KEYS; SHOW SERIES"),
                q(db, "SELECT * FROM a; SELEKT * FROM b"),
            ]
        }),
        case("query_database_errors", |_| {
            vec![
                q("query_database_errors_nosuch", "SELECT * FROM m"),
                q("query_database_errors_nosuch", "SHOW MEASUREMENTS"),
                q0("SELECT * FROM m"),
                q0("SHOW MEASUREMENTS"),
                q0("SHOW RETENTION POLICIES"),
                q0("SHOW SERIES"),
                q0("SHOW TAG KEYS"),
                q0("SHOW FIELD KEYS"),
                q0("SELECT * FROM nosuchdb..m"),
            ]
        }),
        case("query_epoch", |db| {
            let mut v = vec![
                create(db),
                w(
                    db,
                    &format!(
                        "m v=1 {}\nm v=2 1700000000123456789\nm v=3 -1500000000\n",
                        T0 + 3_600_000_000_000
                    ),
                ),
            ];
            for e in ["h", "m", "s", "ms", "u", "ns", "n", "", "x", "US", "µ"] {
                v.push(qp(&[("db", db), ("epoch", e), ("q", "SELECT * FROM m")]));
            }
            v
        }),
        case("query_rfc3339_output", |db| {
            vec![
                create(db),
                w(
                    db,
                    "m v=1 1700000000000000000\nm v=2 1700000000001000000\nm v=3 1700000000000000003\n\
                     m v=4 1700000000100000000\nm v=5 1700000000123456789\nm v=6 0\nm v=7 -1\n",
                ),
                q(db, "SELECT * FROM m"),
            ]
        }),
        case("query_chunked", |db| {
            let mut body = String::new();
            for i in 0..5 {
                body.push_str(&format!("c,host=a v={i} {}\nc,host=b v={} {}\n", ts(i), i + 10, ts(i)));
            }
            let cq = |pairs: &[(&str, &str)]| {
                let mut p = vec![("db", db)];
                p.extend_from_slice(pairs);
                qp(&p)
            };
            vec![
                create(db),
                w(db, &body),
                cq(&[("chunked", "true"), ("q", "SELECT * FROM c")]),
                cq(&[("chunked", "true"), ("chunk_size", "2"), ("q", "SELECT * FROM c")]),
                cq(&[
                    ("chunked", "true"),
                    ("chunk_size", "3"),
                    ("q", "SELECT * FROM c GROUP BY host"),
                ]),
                cq(&[
                    ("chunked", "true"),
                    ("chunk_size", "2"),
                    ("epoch", "s"),
                    ("q", "SELECT * FROM c GROUP BY host; SHOW MEASUREMENTS"),
                ]),
                cq(&[
                    ("chunked", "true"),
                    ("q", "SELECT * FROM nosuch; SELECT * FROM c WHERE host = 'a'"),
                ]),
                cq(&[("chunked", "true"), ("q", "SELECT * FROM")]),
                cq(&[
                    ("chunked", "false"),
                    ("chunk_size", "1"),
                    ("q", "SELECT * FROM c WHERE host = 'a'"),
                ]),
                cq(&[
                    ("chunked", "true"),
                    ("chunk_size", "0"),
                    ("q", "SELECT * FROM c WHERE host = 'b'"),
                ]),
                cq(&[
                    ("chunked", "true"),
                    ("chunk_size", "x"),
                    ("q", "SELECT * FROM c WHERE host = 'b'"),
                ]),
            ]
        }),
        case("query_pretty", |db| {
            vec![
                create(db),
                w(db, &format!("p,host=a v=1,s=\"x\" {T0}\n")),
                qp(&[
                    ("db", db),
                    ("pretty", "true"),
                    ("q", "SELECT * FROM p GROUP BY host; SHOW DATABASES"),
                ]),
                qp(&[("pretty", "true"), ("q", "SELECT")]),
                qp(&[("db", db), ("pretty", "true"), ("q", "SELECT * FROM nosuch")]),
                qp(&[
                    ("db", db),
                    ("pretty", "true"),
                    ("chunked", "true"),
                    ("q", "SELECT * FROM p"),
                ]),
            ]
        }),
        case("query_bind_params", |db| {
            let p = |params: &str, stmt: &str| qp(&[("db", db), ("params", params), ("q", stmt)]);
            vec![
                create(db),
                w(
                    db,
                    &format!("m,host=a v=1,s=\"x\" {T0}\nm,host=b v=2,s=\"y\" {}\n", ts(1)),
                ),
                p(r#"{"h":"a"}"#, "SELECT * FROM m WHERE host = $h"),
                p(r#"{"v":1.5}"#, "SELECT * FROM m WHERE v > $v"),
                p(r#"{"v":1}"#, "SELECT * FROM m WHERE v > $v"),
                p(r#"{"s":"y","h":"b"}"#, "SELECT * FROM m WHERE s = $s AND host = $h"),
                p(r#"{"m":"m"}"#, "SELECT * FROM $m"),
                p(r#"{"t":"2023-11-14T22:13:20.5Z"}"#, "SELECT * FROM m WHERE time > $t"),
                // Bind parameters also work in a POST form.
                {
                    let mut r =
                        post(&url("/query", &[("db", db)])).header("Content-Type", "application/x-www-form-urlencoded");
                    r.body = form_body(&[("q", "SELECT * FROM m WHERE host = $h"), ("params", r#"{"h":"b"}"#)]);
                    r
                },
            ]
        }),
        case("query_bind_param_errors", |db| {
            let p = |params: &str, stmt: &str| qp(&[("db", db), ("params", params), ("q", stmt)]);
            vec![
                create(db),
                p("{bad", "SELECT * FROM m WHERE host = $h"),
                p(r#"{"x":"a"}"#, "SELECT * FROM m WHERE host = $h"),
                p("{}", "SELECT * FROM m WHERE host = $"),
                p("[1]", "SELECT * FROM m"),
                p(r#"{"h":"a"}"#, "SELECT * FROM m WHERE host = $h"),
            ]
        }),
        case("query_csv", |db| {
            let csv = |stmt: &str, accept: &str| q(db, stmt).header("Accept", accept);
            vec![
                create(db),
                w(
                    db,
                    &format!(
                        "cpu,host=a,region=us v=1.5,s=\"a,b\" {T0}\ncpu,host=b v=2 {}\nmem free=10i {T0}\n",
                        ts(1)
                    ),
                ),
                csv("SELECT * FROM cpu", "text/csv"),
                csv("SELECT * FROM cpu GROUP BY host", "text/csv"),
                csv(
                    "SELECT * FROM cpu; SELECT * FROM mem; SELECT * FROM nosuch; SHOW MEASUREMENTS",
                    "text/csv",
                ),
                csv("SELECT * FROM nosuchdb..m", "text/csv"),
                csv("SELECT", "text/csv"),
                qp(&[("db", db), ("epoch", "ms"), ("q", "SELECT * FROM cpu")]).header("Accept", "text/csv"),
                qp(&[
                    ("db", db),
                    ("chunked", "true"),
                    ("chunk_size", "1"),
                    ("q", "SELECT * FROM cpu"),
                ])
                .header("Accept", "text/csv"),
                csv("SELECT * FROM cpu", "text/csv; q=0.9, application/json"),
                csv("SELECT * FROM cpu", "application/json, text/csv"),
            ]
        }),
        // 1.8 echoes `application/csv` in Content-Type, 1.6.7 says text/csv (deviation).
        case("query_csv_application", |db| {
            vec![
                create(db),
                w(db, &format!("cpu,host=a v=1 {T0}")),
                q(db, "SELECT * FROM cpu").header("Accept", "application/csv"),
            ]
        }),
        // 1.6.7 answers msgpack; Cairn may answer JSON (deviation).
        case("query_msgpack", |db| {
            vec![
                create(db),
                w(db, &format!("cpu,host=a v=1 {T0}")),
                q(db, "SELECT * FROM cpu").header("Accept", "application/x-msgpack"),
            ]
        }),
        case("query_accept_json_and_unknown", |db| {
            vec![
                create(db),
                w(db, &format!("cpu,host=a v=1 {T0}")),
                q(db, "SELECT * FROM cpu").header("Accept", "application/json"),
                q(db, "SELECT * FROM cpu").header("Accept", "text/html"),
                q(db, "SELECT * FROM cpu").header("Accept", "*/*"),
            ]
        }),
        case("query_gzip_answer", |db| {
            vec![
                create(db),
                w(db, &format!("cpu,host=a v=1 {T0}")),
                q(db, "SELECT * FROM cpu").header("Accept-Encoding", "gzip"),
                q(db, "SELECT * FROM cpu").header("Accept-Encoding", "gzip, deflate"),
                q(db, "SELECT").header("Accept-Encoding", "gzip"),
                w(db, &format!("cpu,host=b v=2 {T0}")).header("Accept-Encoding", "gzip"),
            ]
        }),
        case("query_get_write_statements", |db| {
            vec![
                q0(&format!("CREATE DATABASE {db}")),
                w(db, &format!("m v=1 {T0}\nn v=1 {T0}\n")),
                q(db, "DROP MEASUREMENT n"),
                q(
                    db,
                    &format!("CREATE RETENTION POLICY r ON {db} DURATION 2h REPLICATION 1"),
                ),
                q(db, "SHOW MEASUREMENTS; DROP MEASUREMENT m; SHOW MEASUREMENTS"),
                q0(&format!("DROP DATABASE {db}")),
            ]
        }),
        case("query_rp_param", |db| {
            vec![
                create(db),
                pq0(&format!(
                    "CREATE RETENTION POLICY two ON {db} DURATION 5200w REPLICATION 1"
                )),
                wp(&[("db", db), ("rp", "two")], format!("m v=2 {T0}")),
                w(db, &format!("m v=1 {T0}")),
                qp(&[("db", db), ("rp", "two"), ("q", "SELECT * FROM m")]),
                qp(&[("db", db), ("rp", "nosuch"), ("q", "SELECT * FROM m")]),
                qp(&[("db", db), ("rp", ""), ("q", "SELECT * FROM m")]),
                qp(&[("db", db), ("rp", "two"), ("q", "SELECT * FROM autogen.m")]),
            ]
        }),
        case("query_parse_errors", |db| {
            let mut v = vec![create(db)];
            for stmt in [
                "SELECT *",
                "SELEC * FROM m",
                "SELECT * FROM",
                "SELECT * FROM m WHERE",
                "SELECT * FROM m WHERE v >",
                "SELECT * FROM m LIMIT -1",
                "SELECT * FROM m LIMIT x",
                "SELECT * FROM m GROUP BY time(1m) fill(bogus)",
                "SELECT * FROM m ORDER BY v",
                "SELECT * FROM m WHERE host = 'unterminated",
                "SELECT * FROM /unterminated",
                "SHOW",
                "SHOW TAG VALUES FROM m",
                "CREATE DATABASE",
                "DROP",
                ";",
                "SELECT * FROM m; ;",
                "SELECT \"a FROM m",
                "SELECT * FROM m WHERE time > '2023-13-45'",
            ] {
                v.push(q(db, stmt));
            }
            v
        }),
        case("query_semantic_errors", |db| {
            with_fixture(
                db,
                &[
                    "SELECT v FROM cpu GROUP BY time(1m)",
                    "SELECT mean(v), v FROM cpu",
                    "SELECT foo(v) FROM cpu",
                    "SELECT time FROM cpu",
                    "SELECT * FROM cpu WHERE time > now() OR host = 'a'",
                    "SELECT * FROM cpu ORDER BY time ASC, v",
                    "SELECT * FROM cpu SLIMIT -1",
                    "DROP SERIES FROM cpu WHERE time > 0",
                ],
            )
        }),
        case("query_u_p_without_auth", |db| {
            vec![
                create(db),
                qp(&[("db", db), ("u", "x"), ("p", "y"), ("q", "SHOW MEASUREMENTS")]),
                q(db, "SHOW MEASUREMENTS").basic_auth("root", "root"),
                q(db, "SHOW MEASUREMENTS").header("Authorization", "Bearer abc"),
            ]
        }),
        case("query_python_shapes", |db| {
            // The Python client's helpers: POST, q in the URL, empty body, JSON content type,
            // msgpack accepted, basic auth root:root (CLIENTS.md §4.7).
            let py = |r: cairn_tests::Request| {
                r.header("Accept", "application/json")
                    .header("Content-Type", "application/json")
                    .basic_auth("root", "root")
                    .header("User-Agent", "python-requests/2.31.0")
            };
            vec![
                py(post(&url("/query", &[("q", &format!("CREATE DATABASE \"{db}\"")), ("db", db)]))),
                py(post(&url(
                    "/query",
                    &[("q", &format!("CREATE RETENTION POLICY \"rp1\" ON \"{db}\" DURATION 1d REPLICATION 1 SHARD DURATION 0s")), ("db", db)],
                ))),
                py(post(&url("/write", &[("db", db), ("precision", "s")])))
                    .header("Content-Type", "application/octet-stream")
                    .body("cpu,host=a v=0.64,ok=True 1700000000\n"),
                py(get(&url("/query", &[("q", "SELECT * FROM cpu"), ("db", db)]))),
                py(get(&url("/query", &[("q", "SELECT * FROM cpu"), ("db", db), ("epoch", "s")]))),
                py(get(&url("/query", &[("q", "SHOW SERIES"), ("db", db)]))),
                py(get(&url("/query", &[("q", &format!("SHOW RETENTION POLICIES ON \"{db}\"")), ("db", db)]))),
                py(post(&url("/query", &[("q", "DROP MEASUREMENT \"cpu\""), ("db", db)]))),
                py(post(&url("/query", &[("q", &format!("DROP RETENTION POLICY \"rp1\" ON \"{db}\"")), ("db", db)]))),
            ]
        }),
    ]
}
