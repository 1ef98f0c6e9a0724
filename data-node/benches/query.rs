//! `./x bench query`: InfluxQL analytics through the query executor (no HTTP), on a node
//! directory built by this benchmark: 10M float points (100 hosts x 100,000 points, one
//! every 10 s, so about 11.6 days over two shard groups), flushed and compacted.
//!
//! Each query runs 7 times; the median is reported. The last line printed is
//! `query: group-by-time mean <ms> ms over 10M points, ...` — the target is a
//! `GROUP BY time` mean over 10M points in at most 50 ms.

use std::sync::Arc;
use std::time::{Duration, Instant};

use data_node::config::Config;
use data_node::meta_client::MetaClient;
use data_node::query::{QueryContext, QueryExecutor, StatementResult};
use data_node::store::Store;
use data_node::write::{Consistency, PointsWriter};
use line_protocol::{parse_lines, ParseOptions};
use meta::{Command, LocalStore};
use shard::ShardOptions;

/// The node binary's allocator, so that the figures are the node's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HOSTS: usize = 100;
const POINTS_PER_HOST: usize = 100_000;
const STEP_NS: i64 = 10_000_000_000;
/// 2026-01-05T00:00:00Z, a Monday: shard groups start on Mondays.
const START: i64 = 1_767_571_200_000_000_000;
const RUNS: usize = 7;

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let meta: Arc<dyn MetaClient> = Arc::new(LocalStore::open(&dir.path().join("meta")).expect("meta"));
    meta.apply(Command::AddDataNode {
        http_addr: "127.0.0.1:0".into(),
        rpc_addr: String::new(),
    })
    .expect("node");
    let store = Arc::new(Store::new(&dir.path().join("data"), ShardOptions::default()));
    let writer = Arc::new(PointsWriter::new(Arc::clone(&meta), Arc::clone(&store), 1));
    let executor = QueryExecutor::new(
        Arc::clone(&meta),
        Arc::clone(&store),
        Arc::clone(&writer),
        Config::default().coordinator,
    );
    run(&executor, "CREATE DATABASE bench");

    let t = Instant::now();
    let mut body = String::new();
    // Time-major batches, as agents send them: every host's point at one instant.
    let mut values = vec![50.0f64; HOSTS];
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for chunk in 0..POINTS_PER_HOST / 50 {
        body.clear();
        for i in 0..50 {
            let ts = START + ((chunk * 50 + i) as i64) * STEP_NS;
            for (h, v) in values.iter_mut().enumerate() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                // A sensor-like walk with two decimals.
                *v = ((*v + ((rng % 201) as f64 - 100.0) / 100.0) * 100.0).round() / 100.0;
                body.push_str(&format!("cpu,host=host{h:03} usage={v} {ts}\n"));
            }
        }
        let batch = parse_lines(body.as_bytes(), &ParseOptions::new(0));
        assert!(batch.errors().is_empty());
        writer
            .write("bench", "", Consistency::One, batch.points(), START)
            .expect("write");
    }
    store.flush_cold(Duration::ZERO);
    for s in store.all() {
        s.shard.compact().expect("compact");
    }
    eprintln!(
        "loaded {} points in {:.1}s",
        HOSTS * POINTS_PER_HOST,
        t.elapsed().as_secs_f64()
    );

    let end = START + (POINTS_PER_HOST as i64) * STEP_NS;
    let range = format!("time >= {START} AND time < {end}");
    let queries = [
        (
            "group-by-time mean",
            format!("SELECT mean(usage) FROM cpu WHERE {range} GROUP BY time(1h)"),
        ),
        ("count all", format!("SELECT count(usage) FROM cpu WHERE {range}")),
        (
            "hourly max per host",
            format!("SELECT max(usage) FROM cpu WHERE {range} GROUP BY time(1h), host"),
        ),
        (
            "5m mean all hosts",
            format!("SELECT mean(usage) FROM cpu WHERE {range} GROUP BY time(5m)"),
        ),
        (
            "last per host",
            format!("SELECT last(usage) FROM cpu WHERE {range} GROUP BY host"),
        ),
    ];
    let mut summary = Vec::new();
    for (name, q) in &queries {
        let mut times: Vec<f64> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                run(&executor, q);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let median = times[RUNS / 2];
        println!(
            "{name:>22}: median {median:8.2} ms (min {:.2}, max {:.2})  {q}",
            times[0],
            times[RUNS - 1]
        );
        summary.push(format!("{name} {median:.1} ms"));
    }
    println!("query: {} over 10M points", summary.join(", "));
}

/// Runs one statement and fails on any error.
fn run(executor: &QueryExecutor, q: &str) -> Vec<StatementResult> {
    let query = influxql::parse_query(q).expect("parse");
    let ctx = QueryContext {
        database: "bench".into(),
        now: START + (POINTS_PER_HOST as i64) * STEP_NS,
        ..QueryContext::default()
    };
    let mut out = Vec::new();
    executor.execute(&query, &ctx, &mut |r| out.push(r));
    for r in &out {
        assert!(r.error.is_none(), "{q}: {:?}", r.error);
    }
    out
}
