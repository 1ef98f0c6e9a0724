//! node: what only Cairn has, checked on a real `cairn-data` process: graceful shutdown
//! flushes and keeps every acknowledged point, `/metrics` counts, the query guards answer
//! with clear errors, the head limit refuses writes instead of growing, continuous queries
//! run on their own, and the binary documents its configuration.

use std::process::Command;

use cairn_tests::http::{url, Request};
use cairn_tests::{cairn_data_bin, Kind, Server};

fn start(env: &[(&str, &str)]) -> Server {
    Server::start_with_env(Kind::Cairn, false, env).unwrap_or_else(|e| panic!("cannot start cairn-data: {e}"))
}

fn query(s: &Server, db: &str, q: &str) -> String {
    let r = s.send(&Request::post(url("/query", &[("db", db), ("q", q)])));
    assert_eq!(r.status, 200, "{q}: {}", r.text());
    r.text()
}

fn write(s: &Server, db: &str, body: &str) -> (u16, String) {
    let r = s.send(&Request::post(url("/write", &[("db", db)])).body(body.as_bytes().to_vec()));
    (r.status, r.text())
}

#[test]
fn sigterm_flushes_and_keeps_every_acknowledged_point() {
    let mut s = start(&[]);
    query(&s, "", "CREATE DATABASE g");
    let body: String = (0..500)
        .map(|i| format!("m,host=h{} v={i} {}\n", i % 7, 1_000 + i))
        .collect();
    assert_eq!(write(&s, "g", &body).0, 204);
    let status = s.terminate().expect("the node was running");
    assert!(
        status.success(),
        "cairn-data must exit 0 on SIGTERM, got {status}\n{}",
        s.log_tail(20)
    );
    assert!(s.log_tail(50).contains("every shard flushed"), "{}", s.log_tail(50));
    s.start_again().unwrap();
    let body: serde_json::Value = serde_json::from_str(&query(&s, "g", "SELECT * FROM m")).unwrap();
    let rows = body["results"][0]["series"][0]["values"].as_array().map_or(0, Vec::len);
    assert_eq!(
        rows, 500,
        "every acknowledged point must be back after a SIGTERM restart"
    );
}

#[test]
fn metrics_count_writes_and_queries() {
    let s = start(&[]);
    query(&s, "", "CREATE DATABASE mt");
    assert_eq!(write(&s, "mt", "m v=1 1\nm v=2 2\nm,t=x v=3,w=4 3\n").0, 204);
    let (status, _) = write(&s, "mt", "m v=1 1\nbad line\n");
    assert_eq!(status, 400);
    let r = s.send(&Request::get("/metrics"));
    assert_eq!(r.status, 200);
    let text = r.text();
    let value = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from /metrics:\n{text}"))
    };
    assert_eq!(value("cairn_write_requests_total"), 2);
    assert_eq!(value("cairn_write_errors_total"), 1);
    assert_eq!(value("cairn_points_written_total"), 3);
    assert_eq!(value("cairn_values_written_total"), 4);
    assert!(value("cairn_query_requests_total") >= 1);
    assert!(text.contains("# TYPE cairn_head_bytes gauge"), "{text}");
}

#[test]
fn query_guards_answer_with_clear_errors() {
    let s = start(&[
        ("CAIRN_COORDINATOR_MAX_SELECT_POINT", "5"),
        ("CAIRN_COORDINATOR_MAX_SELECT_SERIES", "3"),
    ]);
    query(&s, "", "CREATE DATABASE lim");
    let body: String = (0..10).map(|i| format!("p v={i} {}\n", 1_000 + i)).collect();
    assert_eq!(write(&s, "lim", &body).0, 204);
    let body: String = (0..4).map(|i| format!("s,host=h{i} v=1 1000\n")).collect();
    assert_eq!(write(&s, "lim", &body).0, 204);
    let text = query(&s, "lim", "SELECT * FROM p");
    assert!(text.contains("max-select-point limit exceeed: (10/5)"), "{text}");
    let text = query(&s, "lim", "SELECT * FROM s");
    assert!(text.contains("max-select-series limit exceeded: (4/3)"), "{text}");
    // The node is still fine.
    let text = query(&s, "lim", "SELECT * FROM p WHERE time < 1003");
    assert!(text.contains("\"values\""), "{text}");
}

#[test]
fn query_timeout_stops_a_query() {
    let s = start(&[("CAIRN_COORDINATOR_QUERY_TIMEOUT", "1ns")]);
    query(&s, "", "CREATE DATABASE slow");
    assert_eq!(write(&s, "slow", "m v=1 1000\n").0, 204);
    let text = query(&s, "slow", "SELECT * FROM m");
    assert!(text.contains("\"error\":\"query-timeout limit exceeded\""), "{text}");
}

#[test]
fn a_full_head_refuses_writes_with_influxdb_text() {
    let s = start(&[
        ("CAIRN_DATA_CACHE_MAX_MEMORY_SIZE", "1k"),
        ("CAIRN_DATA_CACHE_SNAPSHOT_MEMORY_SIZE", "1g"),
        ("CAIRN_DATA_CACHE_SNAPSHOT_WRITE_COLD_DURATION", "1h"),
    ]);
    query(&s, "", "CREATE DATABASE full");
    let body: String = (0..200).map(|i| format!("m v={i} {}\n", 1_000 + i)).collect();
    assert_eq!(write(&s, "full", &body).0, 204);
    let (status, text) = write(&s, "full", "m v=1 5000\n");
    assert_eq!(status, 500, "{text}");
    assert!(text.contains("cache-max-memory-size exceeded"), "{text}");
}

#[test]
fn the_binary_documents_itself() {
    let bin = cairn_data_bin().unwrap();
    let out = Command::new(&bin).arg("config").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("auth-enabled = false") && text.contains("CAIRN_"),
        "{text}"
    );
    let out = Command::new(&bin).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in ["--standalone", "--dir", "--http-bind", "--config", "CAIRN_LOG"] {
        assert!(help.contains(needle), "--help must mention {needle}:\n{help}");
    }
    let out = Command::new(&bin)
        .env("CAIRN_HTTP_AUTH_ENABLED", "maybe")
        .arg("--standalone")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("CAIRN_HTTP_AUTH_ENABLED") && err.contains("true or false"),
        "{err}"
    );
}

#[test]
fn continuous_queries_downsample_on_their_own() {
    let s = start(&[("CAIRN_CONTINUOUS_QUERIES_RUN_INTERVAL", "100ms")]);
    query(&s, "", "CREATE DATABASE cq");
    // Ten points per second over the last 30 s: every finished 10 s bucket holds 100.
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let body: String = (0..300)
        .map(|i| format!("m,host=a v={i} {}\n", (now_s - 30) * 1_000_000_000 + i * 100_000_000))
        .collect();
    assert_eq!(write(&s, "cq", &body).0, 204);
    let create = "CREATE CONTINUOUS QUERY c10 ON cq RESAMPLE FOR 30s BEGIN SELECT count(v) AS n INTO cq.autogen.per10s FROM m GROUP BY time(10s), host END";
    query(&s, "", create);
    let shown = query(&s, "", "SHOW CONTINUOUS QUERIES");
    assert!(
        shown.contains(
            "BEGIN SELECT count(v) AS n INTO cq.autogen.per10s FROM cq.autogen.m GROUP BY time(10s), host END"
        ),
        "the CQ is kept with qualified names: {shown}"
    );
    // The querier runs every 100 ms: wait for its first run to have written (readiness
    // by polling the target, bounded).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let text = loop {
        let text = query(&s, "cq", "SELECT n FROM per10s WHERE host = 'a'");
        if text.contains("\"values\"") {
            break text;
        }
        assert!(std::time::Instant::now() < deadline, "the CQ wrote nothing in 20 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    // Full buckets hold 100 points; the tag stayed a tag.
    assert!(text.contains(",100]"), "{text}");
    let tags = query(&s, "cq", "SHOW TAG KEYS FROM per10s");
    assert!(tags.contains("host"), "{tags}");
    query(&s, "", "DROP CONTINUOUS QUERY c10 ON cq");
    let shown = query(&s, "", "SHOW CONTINUOUS QUERIES");
    assert!(!shown.contains("c10"), "{shown}");
}

#[test]
fn max_select_buckets_refuses_wide_group_by() {
    let s = start(&[("CAIRN_COORDINATOR_MAX_SELECT_BUCKETS", "10")]);
    query(&s, "", "CREATE DATABASE b");
    assert_eq!(write(&s, "b", "m v=1 1000000000\n").0, 204);
    let text = query(
        &s,
        "b",
        "SELECT mean(v) FROM m WHERE time >= 0 AND time < 100s GROUP BY time(1s)",
    );
    assert!(text.contains("max-select-buckets limit exceeded: (100/10)"), "{text}");
    let text = query(
        &s,
        "b",
        "SELECT mean(v) FROM m WHERE time >= 0 AND time < 10s GROUP BY time(1s)",
    );
    assert!(text.contains("\"values\""), "{text}");
}

#[test]
fn group_by_time_cannot_exhaust_memory_even_without_a_limit() {
    let s = start(&[("CAIRN_COORDINATOR_MAX_SELECT_BUCKETS", "0")]);
    query(&s, "", "CREATE DATABASE nb");
    assert_eq!(write(&s, "nb", "m v=1 1000000000\nm v=2 999000000000\n").0, 204);
    // 10^12 one-nanosecond buckets: InfluxDB 1.6.7 tries to fill them all and dies.
    let text = query(
        &s,
        "nb",
        "SELECT count(v) FROM m WHERE time >= 0 AND time < 1000s GROUP BY time(1ns)",
    );
    assert!(
        text.contains("max-select-buckets limit exceeded: (1000000000000/10000000)"),
        "{text}"
    );
    // Open lower bound: the fill starts at the first point and is checked there.
    let text = query(&s, "nb", "SELECT count(v) FROM m WHERE time < 1000s GROUP BY time(1ns)");
    assert!(
        text.contains("max-select-buckets limit exceeded: (999000000000/10000000)"),
        "{text}"
    );
    // The node still answers.
    let text = query(&s, "nb", "SELECT count(v) FROM m");
    assert!(text.contains(",2]"), "{text}");
}
