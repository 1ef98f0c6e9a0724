//! queries: no query can take the node down. Each test runs a real `cairn-data` and checks
//! one guard from the outside: memory budgets end a query with InfluxDB's error shape while
//! the node keeps answering, LIMIT/SLIMIT and nested subqueries bound the work they do,
//! KILL QUERY and a client that leaves stop a query and free its memory, the number of
//! queries running at once is bounded with a queue, and `max-row-limit` cuts an answer as
//! InfluxDB 1.6.7 does (checked against the real one).
//!
//! Work is measured with `max-select-point`: a query that reads more than it needs trips a
//! limit that the bounded one stays under, so each test fails if the bound regresses.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use cairn_tests::http::{encode_pairs, url, Request};
use cairn_tests::{Kind, Server};
use serde_json::Value;

fn start(env: &[(&str, &str)]) -> Server {
    Server::start_with_env(Kind::Cairn, false, env).unwrap_or_else(|e| panic!("cannot start cairn-data: {e}"))
}

fn query(s: &Server, db: &str, q: &str) -> Value {
    let r = s.send(&Request::post(url("/query", &[("db", db), ("q", q)])));
    assert_eq!(r.status, 200, "{q}: {}", r.text());
    r.json()
}

/// The error of the first statement, or "" when it has none.
fn error_of(v: &Value) -> String {
    v["results"][0]["error"].as_str().unwrap_or_default().to_owned()
}

fn write(s: &Server, db: &str, body: &str) {
    let r = s.send(&Request::post(url("/write", &[("db", db)])).body(body.as_bytes().to_vec()));
    assert_eq!(r.status, 204, "{}", r.text());
}

/// The value of a gauge or counter on /metrics.
fn metric(s: &Server, name: &str) -> u64 {
    let text = s.send(&Request::get("/metrics")).text();
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from /metrics:\n{text}"))
}

/// The running queries whose text contains `needle`: (qid, memory bytes).
fn running(s: &Server, needle: &str) -> Vec<(i64, i64)> {
    let v = query(s, "", "SHOW QUERIES");
    let rows = v["results"][0]["series"][0]["values"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .filter(|r| r[1].as_str().is_some_and(|q| q.contains(needle)))
        .map(|r| (r[0].as_i64().unwrap_or(0), r[5].as_i64().unwrap_or(0)))
        .collect()
}

/// Polls `cond` every 5 ms for up to `limit`; how long it took, or `None` if it never held.
fn wait_for(limit: Duration, mut cond: impl FnMut() -> bool) -> Option<Duration> {
    let t = Instant::now();
    while t.elapsed() < limit {
        if cond() {
            return Some(t.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

/// The process's peak resident memory (VmHWM) in bytes.
fn peak_rss(s: &Server) -> u64 {
    let pid = s.pid().expect("running");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmHWM in /proc/PID/status")
        * 1024
}

/// A query sent by a client that then reads nothing: its answer backs up into the node.
fn stalled_client(s: &Server, db: &str, q: &str) -> TcpStream {
    let mut stream = TcpStream::connect(s.addr()).unwrap();
    let target = format!("/query?{}", encode_pairs(&[("db", db), ("q", q), ("chunked", "true")]));
    write!(stream, "GET {target} HTTP/1.1\r\nHost: cairn\r\n\r\n").unwrap();
    stream
}

/// A query that makes a million rows (and tens of MB of JSON) from two points: more than
/// the channel and socket buffers hold, so a client that does not read holds it.
const MILLION_ROWS: &str = "SELECT count(v) FROM big WHERE time >= 0 AND time < 1000s GROUP BY time(1ms) fill(0)";

fn with_two_points(s: &Server, db: &str) {
    query(s, "", &format!("CREATE DATABASE {db}"));
    write(s, db, "big v=1 1000000000\nbig v=2 999000000000\n");
}

#[test]
fn a_year_at_ten_seconds_over_every_host_is_refused_and_the_node_keeps_answering() {
    // The query of the issue: mean(*) over 1k hosts for a year at 10 s.
    let s = start(&[]);
    query(&s, "", "CREATE DATABASE fleet");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let day = 86_400_000_000_000i64;
    let body: String = (0..1000)
        .map(|h| {
            format!(
                "cpu,host=h{h:04} usage_user={h}.5,usage_system=1 {}\n",
                now - (h % 360) * day
            )
        })
        .collect();
    write(&s, "fleet", &body);
    let q = "SELECT mean(*) FROM cpu WHERE time > now() - 365d GROUP BY time(10s), *";
    let v = query(&s, "fleet", q);
    let e = error_of(&v);
    assert!(
        e.starts_with("max-select-buckets limit exceeded: (315") && e.ends_with("/50000000)"),
        "the default counts buckets per query: {v}"
    );

    // Without the bucket limit, the memory budget ends it instead, and the node stays small
    // and keeps answering /ping meanwhile.
    let budget: u64 = 128 << 20;
    let s = start(&[
        ("CAIRN_COORDINATOR_MAX_SELECT_BUCKETS", "0"),
        ("CAIRN_COORDINATOR_MAX_QUERY_MEMORY", "128m"),
    ]);
    query(&s, "", "CREATE DATABASE fleet");
    write(&s, "fleet", &body);
    let before = peak_rss(&s);
    let pinging = std::sync::atomic::AtomicBool::new(true);
    let (v, worst_ping) = std::thread::scope(|scope| {
        let pinger = scope.spawn(|| {
            let mut worst = Duration::ZERO;
            while pinging.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                let r = s.send(&Request::get("/ping"));
                assert_eq!(r.status, 204);
                worst = worst.max(t.elapsed());
                std::thread::sleep(Duration::from_millis(10));
            }
            worst
        });
        let v = query(&s, "fleet", q);
        pinging.store(false, std::sync::atomic::Ordering::Relaxed);
        (v, pinger.join().unwrap())
    });
    let e = error_of(&v);
    assert!(e.starts_with("max-query-memory limit exceeded: ("), "{v}");
    assert!(e.ends_with(&format!("/{budget})")), "{v}");
    let grew = peak_rss(&s).saturating_sub(before);
    println!(
        "peak RSS grew {} MiB under a {} MiB budget; slowest /ping {worst_ping:?}",
        grew >> 20,
        budget >> 20
    );
    assert!(grew <= budget + (512 << 20), "grew {grew} bytes");
    assert!(worst_ping < Duration::from_secs(1), "/ping took {worst_ping:?}");
    assert!(
        wait_for(Duration::from_secs(5), || metric(&s, "cairn_query_memory_bytes") == 0).is_some(),
        "the failed query gave its memory back"
    );
    // And the next query runs.
    let v = query(&s, "fleet", "SELECT count(usage_user) FROM cpu");
    assert_eq!(v["results"][0]["series"][0]["values"][0][1], 1000, "{v}");
}

#[test]
fn limit_and_order_by_desc_limit_read_only_what_they_return() {
    // 20k points in one series; reading them all trips max-select-point.
    let s = start(&[("CAIRN_COORDINATOR_MAX_SELECT_POINT", "5000")]);
    query(&s, "", "CREATE DATABASE lim");
    let body: String = (0..20_000)
        .map(|i| format!("m,host=a v={i},w={} {}\n", i * 2, 1_000_000 + i))
        .collect();
    write(&s, "lim", &body);
    let v = query(&s, "lim", "SELECT * FROM m");
    assert!(error_of(&v).starts_with("max-select-point limit exceeed: ("), "{v}");
    let v = query(&s, "lim", "SELECT v, w FROM m LIMIT 3 OFFSET 2");
    assert_eq!(error_of(&v), "", "{v}");
    let rows = &v["results"][0]["series"][0]["values"];
    assert_eq!(rows.as_array().map(Vec::len), Some(3), "{v}");
    assert_eq!(rows[0][1], 2);
    let v = query(&s, "lim", "SELECT v, w FROM m ORDER BY time DESC LIMIT 4");
    assert_eq!(error_of(&v), "", "{v}");
    let rows = &v["results"][0]["series"][0]["values"];
    let got: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_i64().unwrap())
        .collect();
    assert_eq!(got, vec![19_999, 19_998, 19_997, 19_996]);
    // A WHERE on a field that refuses most rows reads further, still only as far as needed.
    let v = query(&s, "lim", "SELECT v FROM m WHERE v % 1000 = 999 LIMIT 2");
    let got: Vec<i64> = v["results"][0]["series"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_i64().unwrap())
        .collect();
    assert_eq!(got, vec![999, 1999], "{v}");
    // SLIMIT stops after its series: 10 series of 2000 points, two are read.
    let body: String = (0..20_000)
        .map(|i| format!("s,host=h{} v={i} {}\n", i % 10, 1_000_000 + i))
        .collect();
    write(&s, "lim", &body);
    let v = query(&s, "lim", "SELECT v FROM s GROUP BY host SLIMIT 2");
    assert_eq!(error_of(&v), "", "{v}");
    assert_eq!(v["results"][0]["series"].as_array().map(Vec::len), Some(2), "{v}");
}

#[test]
fn nested_subqueries_run_once_each() {
    // Ten levels over 1000 points read 10,000 points; running each inner query twice per
    // level (as before) would read 2^9 times more.
    let s = start(&[("CAIRN_COORDINATOR_MAX_SELECT_POINT", "20000")]);
    query(&s, "", "CREATE DATABASE sub");
    let body: String = (0..1000)
        .map(|i| format!("m,host=h{} v={i} {}\n", i % 4, 1_000 + i))
        .collect();
    write(&s, "sub", &body);
    let mut q = "SELECT v, host FROM m".to_owned();
    for _ in 0..9 {
        q = format!("SELECT v, host FROM ({q})");
    }
    let v = query(&s, "sub", &q);
    assert_eq!(error_of(&v), "", "{v}");
    let rows = v["results"][0]["series"][0]["values"].as_array().map_or(0, Vec::len);
    assert_eq!(rows, 1000, "{v}");
    // The inner host column stays a tag all the way up: GROUP BY it works at the top.
    let v = query(&s, "sub", &format!("SELECT count(v) FROM ({q}) GROUP BY host"));
    assert_eq!(v["results"][0]["series"].as_array().map(Vec::len), Some(4), "{v}");
}

#[test]
fn kill_query_and_a_client_that_leaves_stop_the_work_and_free_its_memory() {
    let s = start(&[]);
    with_two_points(&s, "k");
    for how in ["KILL QUERY", "disconnect"] {
        let stream = stalled_client(&s, "k", MILLION_ROWS);
        let mut id = 0;
        let held = wait_for(Duration::from_secs(60), || {
            let q = running(&s, "time(1ms)");
            id = q.first().map_or(0, |r| r.0);
            q.first().is_some_and(|r| r.1 > 0)
        });
        assert!(
            held.is_some(),
            "the stalled query never showed in SHOW QUERIES with memory"
        );
        assert!(metric(&s, "cairn_query_memory_bytes") > 0);
        let t = Instant::now();
        if how == "KILL QUERY" {
            let v = query(&s, "", &format!("KILL QUERY {id}"));
            assert_eq!(error_of(&v), "", "{v}");
        } else {
            drop(stream);
        }
        let gone = wait_for(Duration::from_secs(5), || running(&s, "time(1ms)").is_empty());
        let freed = wait_for(Duration::from_secs(5), || metric(&s, "cairn_query_memory_bytes") == 0);
        println!("{how}: the query stopped after {:?}", t.elapsed());
        assert!(gone.is_some(), "{how}: the query still runs");
        assert!(freed.is_some(), "{how}: its memory was not given back");
        assert!(t.elapsed() < Duration::from_secs(1), "{how}: took {:?}", t.elapsed());
    }
}

#[test]
fn queries_beyond_the_limit_wait_in_a_bounded_queue_then_are_refused() {
    let s = start(&[
        ("CAIRN_COORDINATOR_MAX_CONCURRENT_QUERIES", "1"),
        ("CAIRN_COORDINATOR_MAX_QUEUED_QUERIES", "1"),
    ]);
    with_two_points(&s, "c");
    let stalled = stalled_client(&s, "c", MILLION_ROWS);
    assert!(wait_for(Duration::from_secs(60), || metric(&s, "cairn_queries_running") == 1).is_some());
    std::thread::scope(|scope| {
        let queued = scope.spawn(|| query(&s, "c", "SELECT count(v) FROM big"));
        assert!(
            wait_for(Duration::from_secs(10), || metric(&s, "cairn_queries_queued") == 1).is_some(),
            "the second query must wait in the queue"
        );
        let v = query(&s, "c", "SELECT count(v) FROM big");
        assert_eq!(error_of(&v), "max-concurrent-queries limit exceeded(2, 1)", "{v}");
        // SHOW QUERIES and KILL QUERY do not queue: they free the node.
        let id = running(&s, "time(1ms)")[0].0;
        query(&s, "", &format!("KILL QUERY {id}"));
        let v = queued.join().unwrap();
        assert_eq!(v["results"][0]["series"][0]["values"][0][1], 2, "{v}");
    });
    drop(stalled);
}

#[test]
fn a_client_that_reads_slowly_gets_every_row() {
    // Backpressure, not buffering: the whole answer arrives, in order.
    let s = start(&[]);
    with_two_points(&s, "slow");
    let mut stream = TcpStream::connect(s.addr()).unwrap();
    let q = "SELECT count(v) FROM big WHERE time >= 0 AND time < 100s GROUP BY time(1ms) fill(0)";
    let target = format!("/query?{}", encode_pairs(&[("db", "slow"), ("q", q)]));
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: cairn\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 256 << 10];
    let mut reads = 0;
    loop {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        reads += 1;
        if reads % 20 == 0 {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let text = String::from_utf8(raw).unwrap();
    let (_, body) = text.split_once("\r\n\r\n").unwrap();
    // Chunked transfer encoding: join the chunks.
    let mut json = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        json.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    let v: Value = serde_json::from_str(&json).unwrap();
    let rows = v["results"][0]["series"][0]["values"].as_array().unwrap();
    assert_eq!(rows.len(), 100_000);
    assert_eq!(rows[1000][1], 1, "{}", rows[1000]);
}

#[test]
fn max_row_limit_cuts_the_answer_as_influxdb_does() {
    let influx = Server::start_with_env(Kind::Influxd, false, &[("INFLUXDB_HTTP_MAX_ROW_LIMIT", "7")])
        .unwrap_or_else(|e| panic!("cannot start influxd: {e}"));
    let cairn = start(&[("CAIRN_HTTP_MAX_ROW_LIMIT", "7")]);
    let body: String = (0..15)
        .map(|i| format!("m,host=h{} v={i} {}\n", i / 5, 1_000 + i))
        .collect();
    let queries = [
        "SELECT v FROM m GROUP BY host",
        "SELECT v FROM m GROUP BY host; SELECT v FROM m",
        "SELECT v FROM m LIMIT 2; SELECT v FROM m GROUP BY host",
    ];
    let mut answers = Vec::new();
    for s in [&influx, &cairn] {
        query(s, "", "CREATE DATABASE r");
        write(s, "r", &body);
        answers.push(queries.map(|q| query(s, "r", q)));
    }
    for (i, q) in queries.iter().enumerate() {
        assert_eq!(answers[1][i], answers[0][i], "{q}");
    }
    // What InfluxDB does: the series that crosses the limit is cut and marked partial.
    let series = &answers[1][0]["results"][0]["series"];
    assert_eq!(series[1]["values"].as_array().map(Vec::len), Some(2));
    assert_eq!(series[1]["partial"], true);
    assert!(series.get(2).is_none());
}

#[test]
fn a_series_over_several_shards_streams_in_the_chunks_influxdb_sends() {
    // 30k points over three weeks: three shard groups, sent shard after shard as they are
    // read, in the same chunks as InfluxDB 1.6.7's.
    let influx = Server::start(Kind::Influxd, false).unwrap_or_else(|e| panic!("cannot start influxd: {e}"));
    let cairn = start(&[]);
    let week = 7 * 86_400_000_000_000i64;
    let body: String = (0..30_000i64)
        .map(|i| {
            format!(
                "m,host=a v={i} {}\n",
                1_600_000_000_000_000_000 + i * (3 * week / 30_000)
            )
        })
        .collect();
    let mut answers = Vec::new();
    for s in [&influx, &cairn] {
        query(s, "", "CREATE DATABASE st");
        write(s, "st", &body);
        let mut per_query = Vec::new();
        for q in [
            "SELECT v FROM m",
            "SELECT v FROM m ORDER BY time DESC LIMIT 12000 OFFSET 10",
        ] {
            let r = s.send(&Request::get(url(
                "/query",
                &[
                    ("db", "st"),
                    ("q", q),
                    ("chunked", "true"),
                    ("chunk_size", "5000"),
                    ("epoch", "ns"),
                ],
            )));
            assert_eq!(r.status, 200);
            per_query.push(r.text());
        }
        answers.push(per_query);
    }
    assert_eq!(answers[1][0].lines().count(), 6, "six chunks of 5000");
    assert_eq!(answers[1], answers[0]);
}

#[test]
fn group_by_time_with_limit_reads_only_its_buckets_and_answers_as_influxdb() {
    let influx = Server::start(Kind::Influxd, false).unwrap_or_else(|e| panic!("cannot start influxd: {e}"));
    let cairn = start(&[("CAIRN_COORDINATOR_MAX_SELECT_POINT", "5000")]);
    let t0 = 1_600_000_000i64;
    let body: String = (0..20_000i64)
        .map(|i| format!("m,host=h{} v={i} {}\n", i % 2, (t0 + i) * 1_000_000_000))
        .collect();
    let range = format!("time >= {t0}s AND time < {}s", t0 + 20_000);
    let queries = [
        format!("SELECT mean(v) FROM m WHERE {range} GROUP BY time(10s) fill(null) LIMIT 5 OFFSET 3"),
        format!("SELECT mean(v) FROM m WHERE {range} GROUP BY time(10s) ORDER BY time DESC LIMIT 4"),
        format!("SELECT count(v), max(v) FROM m WHERE {range} GROUP BY time(1m), host fill(0) LIMIT 3"),
        format!(
            "SELECT last(v) FROM m WHERE {range} GROUP BY time(30s) fill(previous) ORDER BY time DESC LIMIT 2 OFFSET 1"
        ),
    ];
    let mut answers = Vec::new();
    for s in [&influx, &cairn] {
        query(s, "", "CREATE DATABASE gl");
        write(s, "gl", &body);
        answers.push(queries.clone().map(|q| query(s, "gl", &q)));
    }
    for (i, q) in queries.iter().enumerate() {
        assert_eq!(error_of(&answers[1][i]), "", "{q}: {}", answers[1][i]);
        assert_eq!(answers[1][i], answers[0][i], "{q}");
    }
    // Without LIMIT the same query reads every point and trips the limit.
    let v = query(
        &cairn,
        "gl",
        &format!("SELECT mean(v) FROM m WHERE {range} GROUP BY time(10s)"),
    );
    assert!(error_of(&v).starts_with("max-select-point limit exceeed"), "{v}");
}
