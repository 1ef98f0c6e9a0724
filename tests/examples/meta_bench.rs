//! meta_bench: the meta cluster's figures on this machine, with real processes.
//! - command latency (p50, p99, max) of `CREATE DATABASE` through the leader and through a
//!   follower (one more hop), one client at a time;
//! - commits/s with 1 and 8 concurrent clients;
//! - leader failover over N SIGKILLs: from the kill to a node reporting itself leader.
//!
//! `./x bench meta` runs it on release binaries (`CAIRN_META_BIN`, `CAIRN_CTL_BIN`);
//! `META_BENCH_KILLS` (default 12) and `META_BENCH_COMMANDS` (default 2000) size it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn_tests::cluster::{create_database, form, leader, Meta};
use cairn_tests::http::{self, Request};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn execute(addr: std::net::SocketAddr, name: &str) -> bool {
    let req = Request::post("/execute")
        .header("content-type", "application/json")
        .body(create_database(name).to_string());
    http::send(addr, &req).is_ok_and(|r| r.status == 200)
}

fn main() {
    let commands = env_usize("META_BENCH_COMMANDS", 2000);
    let kills = env_usize("META_BENCH_KILLS", 12);
    let mut metas = form(3, &[], &[]);
    let lead = leader(&metas, Duration::from_secs(20)).expect("a leader");
    let follower = (lead + 1) % 3;
    println!("3 meta nodes on loopback; {commands} CREATE DATABASE commands per run");
    for (label, node) in [("via the leader", lead), ("via a follower", follower)] {
        let addr = metas[node].http;
        let mut lat = Vec::with_capacity(commands);
        for i in 0..commands {
            let t = Instant::now();
            assert!(execute(addr, &format!("lat_{node}_{i}")), "a command failed");
            lat.push(t.elapsed());
        }
        lat.sort();
        println!(
            "latency {label}: p50 {} p99 {} max {}",
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 0.99)),
            ms(lat[lat.len() - 1])
        );
    }
    for clients in [1usize, 8] {
        let done = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let addr = metas[lead].http;
        let threads: Vec<_> = (0..clients)
            .map(|c| {
                let (done, stop) = (Arc::clone(&done), Arc::clone(&stop));
                std::thread::spawn(move || {
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        if execute(addr, &format!("tp_{clients}_{c}_{i}")) {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        i += 1;
                    }
                })
            })
            .collect();
        let t = Instant::now();
        std::thread::sleep(Duration::from_secs(5));
        stop.store(true, Ordering::Relaxed);
        for th in threads {
            th.join().unwrap();
        }
        let n = done.load(Ordering::Relaxed) as f64;
        println!(
            "commits/s with {clients} client(s): {:.0}",
            n / t.elapsed().as_secs_f64()
        );
    }
    let mut failover = Vec::new();
    for _ in 0..kills {
        let old = leader(&metas, Duration::from_secs(20)).expect("a leader");
        let t = Instant::now();
        metas[old].kill9();
        leader(&metas, Duration::from_secs(20)).expect("a new leader");
        failover.push(t.elapsed());
        metas[old].restart();
        // Let the restarted node catch up before the next kill: all of the leader's log,
        // not only the metadata (a new leader's first entry changes no metadata). A node
        // killed before that is one more failure: see docs/meta-cluster.md, Failover.
        let lead = leader(&metas, Duration::from_secs(20)).expect("a leader");
        let last_log = |m: &Meta| m.status()["raft"]["last_log_index"].as_u64().unwrap_or(0);
        let target = last_log(&metas[lead]);
        while last_log(&metas[old]) < target {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let in_order: Vec<u128> = failover.iter().map(Duration::as_millis).collect();
    failover.sort();
    println!(
        "leader failover over {kills} SIGKILLs: p50 {} max {} (in kill order, ms: {in_order:?})",
        ms(percentile(&failover, 0.5)),
        ms(failover[failover.len() - 1]),
    );
}
