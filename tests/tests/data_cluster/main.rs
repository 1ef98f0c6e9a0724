//! data_cluster: the clustered data path with real processes on 127.0.0.x: three
//! `cairn-meta` and two or three `cairn-data`, formed with `cairn-ctl`, data nodes killed
//! with SIGKILL. What must hold: a write is acknowledged only when its consistency level is
//! met, in InfluxDB Enterprise's words when it is not; writes for a dead owner wait in
//! hinted handoff, on disk, across a restart of the coordinator, and reach the owner in the
//! order they were written once it returns; a million points written through both nodes
//! while one is killed twice are all on both replicas (count and sum per series, read on
//! each node with `node_id`); a dead meta leader fails no write into an existing shard group.

use std::time::Duration;

use cairn_tests::cluster::{self, ctl, Cluster, Data};
use serde_json::Value;

const T: Duration = Duration::from_secs(30);

/// [`cluster::eventually`] within `T`.
fn eventually<R>(what: &str, f: impl FnMut() -> Option<R>) -> R {
    cluster::eventually(what, T, f)
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// [`Cluster::start`] with database `db` at replication `rf`, every node able to write it.
fn start(n: usize, rf: u32, env: &[(&str, &str)]) -> Cluster {
    let c = Cluster::start(n, env);
    let (status, body) = c.data[0].query("", &format!("CREATE DATABASE db WITH REPLICATION {rf}"));
    assert!(status == 200 && body["results"][0]["error"].is_null(), "{body}");
    // Every node sees the database: a probe write through each succeeds (`all`, so every
    // owner has seen it too).
    c.settle();
    for d in &c.data {
        let (status, body) = d.write_with("db", &format!("probe v=1 {}", now_s()), &[("consistency", "all")]);
        assert_eq!(status, 204, "a first write through {}: {body}", d.http);
    }
    c
}

/// `SELECT count(v)` of measurement `m` through `d`, 0 when it has none.
fn count(d: &Data, m: &str) -> i64 {
    let (status, body) = d.query("db", &format!("SELECT count(v) FROM \"{m}\""));
    assert_eq!(status, 200, "{body}");
    assert!(body["results"][0]["error"].is_null(), "{body}");
    body["results"][0]["series"][0]["values"][0][1].as_i64().unwrap_or(0)
}

/// The hinted-handoff bytes `d` reports for data node `node`, if it has a queue for it.
fn queued_for(d: &Data, node: u64) -> Option<u64> {
    let prefix = format!("cairn_hinted_handoff_bytes{{node=\"{node}\"}} ");
    d.metrics()
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).and_then(|v| v.trim().parse().ok()))
}

fn error_of(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.to_owned())
}

#[test]
fn consistency_levels_decide_the_answer_when_an_owner_is_down() {
    let mut c = start(2, 2, &[("CAIRN_HINTED_HANDOFF_RETRY_MAX_INTERVAL", "200ms")]);
    let t = now_s();
    let lines = |m: &str, n: i64| -> String { (0..n).map(|i| format!("{m},host=h{i} v={i} {t}\n")).collect() };

    // Both owners up: every level is met.
    for level in ["any", "one", "quorum", "all"] {
        let (status, body) = c.data[0].write_with("db", &lines("up", 20), &[("consistency", level)]);
        assert_eq!(status, 204, "{level}: {body}");
    }
    assert_eq!(count(&c.data[0], "up"), 20);
    assert_eq!(count(&c.data[1], "up"), 20, "the write reached the second owner");

    // The second data node dies.
    c.data[1].kill9();
    let (status, body) = c.data[0].write_with("db", &lines("all", 10), &[("consistency", "all")]);
    let err = error_of(&body);
    assert_eq!(status, 500, "{body}");
    assert!(err.starts_with("partial write: "), "{err}");
    assert!(
        err.contains("stored by 1 of 2 owners") && err.contains("consistency=all needs 2"),
        "{err}"
    );
    assert!(
        err.contains(&format!("data node {} ({})", c.id(1), c.data[1].rpc)),
        "the error names the dead node: {err}"
    );
    for level in ["any", "one", "quorum"] {
        // quorum of 2 is 2: it fails like all; any and one succeed.
        let (status, body) = c.data[0].write_with("db", &lines(level, 10), &[("consistency", level)]);
        if level == "quorum" {
            assert_eq!(status, 500, "{body}");
            assert!(error_of(&body).starts_with("partial write: "), "{body}");
        } else {
            assert_eq!(status, 204, "{level}: {body}");
        }
    }
    // A non-empty queue does not fail writes that the live owner meets.
    let (status, body) = c.data[0].write_with("db", &lines("one", 10), &[("consistency", "one")]);
    assert_eq!(status, 204, "{body}");
    assert!(
        queued_for(&c.data[0], c.id(1)).unwrap_or(0) > 0,
        "writes for node 2 are queued"
    );

    // It returns: the queue drains and it holds every point the survivor stored.
    c.data[1].restart();
    eventually("the queue drains", || {
        (queued_for(&c.data[0], c.id(1)) == Some(0)).then_some(())
    });
    for m in ["all", "any", "one", "quorum"] {
        assert_eq!(count(&c.data[1], m), count(&c.data[0], m), "{m}: replicas differ");
    }
    assert_eq!(count(&c.data[1], "one"), 10);
    assert_eq!(
        count(&c.data[1], "all"),
        10,
        "the partial write's points reached the owner that was down"
    );
    // And `all` is met again.
    let (status, body) = c.data[0].write_with("db", &lines("again", 5), &[("consistency", "all")]);
    assert_eq!(status, 204, "{body}");
}

#[test]
fn quorum_tolerates_one_of_three_owners_down_and_any_needs_no_owner() {
    let mut c = start(3, 3, &[]);
    let t = now_s();
    c.data[2].kill9();
    let (status, body) = c.data[0].write_with("db", &format!("q,host=a v=1 {t}\n"), &[("consistency", "quorum")]);
    assert_eq!(status, 204, "quorum of 3 with one down: {body}");
    let (status, body) = c.data[0].write_with("db", &format!("q,host=b v=1 {t}\n"), &[("consistency", "all")]);
    assert_eq!(status, 500, "{body}");
    assert!(error_of(&body).contains("stored by 2 of 3 owners"), "{body}");
    // Two of three down: quorum fails, `any` succeeds through the local owner.
    c.data[1].kill9();
    let (status, body) = c.data[0].write_with("db", &format!("q,host=c v=1 {t}\n"), &[("consistency", "quorum")]);
    assert_eq!(status, 500, "{body}");
    assert!(error_of(&body).contains("stored by 1 of 3 owners"), "{body}");
    let (status, body) = c.data[0].write_with("db", &format!("q,host=d v=1 {t}\n"), &[("consistency", "any")]);
    assert_eq!(status, 204, "{body}");
    assert_eq!(count(&c.data[0], "q"), 4);
}

#[test]
fn hinted_handoff_survives_a_coordinator_restart_and_drains_in_order() {
    let mut c = start(2, 2, &[("CAIRN_HINTED_HANDOFF_RETRY_MAX_INTERVAL", "200ms")]);
    let t = now_s();
    c.data[1].kill9();
    // The same point rewritten 50 times: only delivery in order leaves the last value.
    // Each batch also adds a point of its own, to count.
    for i in 0..50 {
        let body = format!("over,host=a v={i} {t}\nseq,host=a v={i} {}\n", t - 1000 + i);
        let (status, text) = c.data[0].write_with("db", &body, &[("consistency", "one")]);
        assert_eq!(status, 204, "{text}");
    }
    let queued = queued_for(&c.data[0], c.id(1)).unwrap_or(0);
    assert!(queued > 0, "nothing queued for the dead node");
    // The coordinator dies too, and comes back: the queue is still on its disk.
    c.data[0].kill9();
    c.data[0].restart();
    assert_eq!(
        queued_for(&c.data[0], c.id(1)),
        Some(queued),
        "the queue after a restart of its coordinator"
    );
    // The operator sees it: the coordinator reports its queues in its heartbeat.
    let (from, to) = (c.id(0), c.id(1));
    let first = c.metas[0].addr();
    eventually("cairn-ctl show lists the queue", || {
        let show = ctl(&first, &["show"], &[]).stdout;
        let listed = show.contains(&format!("data node {from} holds "))
            && show.contains(&format!(" for data node {to}, oldest queued "));
        listed.then_some(())
    });
    c.data[1].restart();
    eventually("the queue drains", || {
        (queued_for(&c.data[0], c.id(1)) == Some(0)).then_some(())
    });
    assert_eq!(count(&c.data[1], "seq"), 50, "every queued write delivered");
    let (_, body) = c.data[1].query("db", "SELECT v FROM over");
    let values = &body["results"][0]["series"][0]["values"];
    assert_eq!(values.as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(
        values[0][1], 49,
        "the last write wins only if delivered in order: {body}"
    );
}

#[test]
fn every_shard_is_written_and_read_wherever_it_lives() {
    // Replication 1 over two nodes: each group has a shard on each node, so a batch of
    // many series has points for both; the coordinator forwards the other's, and a query
    // through either node reads both.
    let mut c = start(2, 1, &[]);
    let t = now_s();
    let body: String = (0..200)
        .map(|i| format!("fwd,host=h{i} v={i} {}\nfwd,host=h{i} v={} {}\n", t - 60, i * 2, t))
        .collect();
    let (status, text) = c.data[0].write("db", &body);
    assert_eq!(status, 204, "{text}");
    let node_count = |i: usize, on: usize| -> i64 {
        let id = c.id(on).to_string();
        let (status, body) = c.data[i].query_with("db", "SELECT count(v) FROM fwd", &[("node_id", &id)]);
        assert_eq!(status, 200, "{body}");
        body["results"][0]["series"][0]["values"][0][1].as_i64().unwrap_or(0)
    };
    // node_id reads one node's replicas: each holds a share, together all of it, and it
    // does not matter which node is asked.
    let (a, b) = (node_count(0, 0), node_count(0, 1));
    assert!(a > 0 && b > 0, "both nodes hold a share: {a} + {b}");
    assert_eq!(a + b, 400, "every point stored once");
    assert_eq!((node_count(1, 0), node_count(1, 1)), (a, b));
    // Without it, every shard: the same answers through either node, partial aggregates
    // merged from both.
    let queries = [
        "SELECT count(v), sum(v), mean(v), min(v), max(v), spread(v), stddev(v) FROM fwd",
        "SELECT first(v), last(v) FROM fwd GROUP BY host",
        "SELECT mean(v) FROM fwd WHERE host =~ /^h1/ GROUP BY time(30s) fill(none)",
        "SELECT v FROM fwd WHERE host = 'h7'",
        "SHOW TAG VALUES FROM fwd WITH KEY = host",
        "SHOW SERIES CARDINALITY",
        "SHOW FIELD KEYS",
    ];
    for q in queries {
        let (s0, r0) = c.data[0].query("db", q);
        let (s1, r1) = c.data[1].query("db", q);
        assert_eq!((s0, s1), (200, 200), "{q}: {r0} {r1}");
        assert!(r0["results"][0]["error"].is_null(), "{q}: {r0}");
        assert_eq!(r0, r1, "{q}: the nodes answer differently");
    }
    assert_eq!(count(&c.data[1], "fwd"), 400);
    let (_, r) = c.data[1].query("db", "SHOW TAG VALUES FROM fwd WITH KEY = host");
    assert_eq!(
        r["results"][0]["series"][0]["values"].as_array().map(Vec::len),
        Some(200),
        "{r}"
    );
    // DELETE reaches every owner.
    let (_, r) = c.data[1].query("db", "DELETE FROM fwd WHERE host = 'h1' OR host = 'h2'");
    assert!(r["results"][0]["error"].is_null(), "{r}");
    assert_eq!(count(&c.data[0], "fwd"), 396);

    // A shard whose only owner is down is an error naming it, never silently left out.
    c.data[1].kill9();
    let (status, r) = c.data[0].query("db", "SELECT count(v) FROM fwd");
    let err = r["results"][0]["error"].as_str().unwrap_or_default().to_owned();
    assert_eq!(status, 200, "{r}");
    assert!(
        err.contains("cannot be read: no owner answered") && err.contains(&c.data[1].rpc.to_string()),
        "{r}"
    );
}

#[test]
fn queries_answer_the_same_while_a_replica_is_down() {
    let mut c = start(2, 2, &[]);
    let t = now_s();
    for (i, d) in c.data.iter().enumerate() {
        let body: String = (0..50).map(|h| format!("rep,host=h{h},via=n{i} v={h} {t}\n")).collect();
        let (status, text) = d.write("db", &body);
        assert_eq!(status, 204, "{text}");
    }
    let q = "SELECT count(v), mean(v) FROM rep GROUP BY via";
    let (_, before) = c.data[1].query("db", q);
    assert!(before["results"][0]["error"].is_null(), "{before}");
    c.data[1].kill9();
    let (status, after) = c.data[0].query("db", q);
    assert_eq!(status, 200);
    assert_eq!(after, before, "the survivor answers as both did");
    c.data[1].restart();
    c.data[0].kill9();
    let (_, again) = c.data[1].query("db", q);
    assert_eq!(again, before, "and the other one, alone");
}

/// Points written by `load_survives_two_kills_of_a_data_node` (`CAIRN_CLUSTER_POINTS`
/// changes it; the issue asks for a million).
fn load_points() -> usize {
    std::env::var("CAIRN_CLUSTER_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

#[test]
fn load_survives_two_kills_of_a_data_node() {
    const WRITERS: usize = 2;
    const BATCH: usize = 5000;
    const SERIES: usize = 100;
    let batches = (load_points() / (WRITERS * BATCH)).max(4);
    let mut c = start(2, 2, &[("CAIRN_HINTED_HANDOFF_RETRY_MAX_INTERVAL", "200ms")]);
    let base = now_s() - 86_400;
    // Batch b of writer w: point j is series `w{w}s{j % SERIES}` at a time of its own,
    // with a value unique in the whole run, so count and sum per series check every point.
    let batch = |w: usize, b: usize| -> String {
        (0..BATCH)
            .map(|j| {
                let t = base + (b * BATCH / SERIES + j / SERIES) as i64;
                let v = (w * batches + b) * BATCH + j;
                format!("load,host=w{w}s{} v={v}i {t}\n", j % SERIES)
            })
            .collect()
    };
    let mut want: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for w in 0..WRITERS {
        for b in 0..batches {
            for j in 0..BATCH {
                let e = want.entry(format!("w{w}s{}", j % SERIES)).or_default();
                e.0 += 1;
                e.1 += ((w * batches + b) * BATCH + j) as i64;
            }
        }
    }

    // Writer w writes through data node w; a batch its node does not acknowledge (it is
    // being killed) is sent again through the other, as a load balancer would, until one
    // answers 204. Every batch ends acknowledged, so every point must be on both replicas.
    let addrs: Vec<std::net::SocketAddr> = c.data.iter().map(|d| d.http).collect();
    let acked = std::sync::atomic::AtomicUsize::new(0);
    let failovers = std::sync::atomic::AtomicUsize::new(0);
    let write = |w: usize| {
        for b in 0..batches {
            let body = batch(w, b).into_bytes();
            let req = cairn_tests::Request::post(cairn_tests::http::url(
                "/write",
                &[("db", "db"), ("precision", "s"), ("consistency", "one")],
            ))
            .body(body);
            let mut tries = 0;
            loop {
                let addr = addrs[(w + tries) % addrs.len()];
                match cairn_tests::http::send(addr, &req) {
                    Ok(r) if r.status == 204 => break,
                    Ok(r) if r.status != 500 && r.status != 503 => {
                        panic!("batch {b} of writer {w} through {addr}: {} {}", r.status, r.text())
                    }
                    _ => {
                        failovers.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        tries += 1;
                        assert!(tries < 200, "batch {b} of writer {w}: no node acknowledges it");
                    }
                }
            }
            acked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let total = WRITERS * batches;
    let id1 = c.id(1);
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let write = &write;
            s.spawn(move || write(w));
        }
        // Kill data node 2 at 20% and 55% of the batches, restart it at 35% and 70%.
        let at = |pct: usize| {
            eventually(&format!("{pct}% of the batches acknowledged"), || {
                (acked.load(std::sync::atomic::Ordering::Relaxed) * 100 >= total * pct).then_some(())
            });
        };
        for (kill, back) in [(20, 35), (55, 70)] {
            // Generous: a debug build writes a few hundred thousand points a second here.
            at(kill);
            c.data[1].kill9();
            at(back);
            let queued = queued_for(&c.data[0], id1).unwrap_or(0);
            assert!(queued > 0, "nothing queued for the dead node at {back}%");
            c.data[1].restart();
        }
    });
    assert!(
        failovers.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "no batch met a dead node: the kills came too late to test anything"
    );

    cluster::eventually("the hinted-handoff queue drains", Duration::from_secs(120), || {
        (queued_for(&c.data[0], id1).unwrap_or(0) == 0).then_some(())
    });
    // Each replica, read on its own node with node_id: every series with every point.
    for (i, d) in c.data.iter().enumerate() {
        let id = c.id(i).to_string();
        let q = "SELECT count(v), sum(v) FROM load GROUP BY host";
        let (status, body) = d.query_with("db", q, &[("node_id", &id)]);
        assert_eq!(status, 200, "{body}");
        assert!(body["results"][0]["error"].is_null(), "{body}");
        let got: std::collections::BTreeMap<String, (i64, i64)> = body["results"][0]["series"]
            .as_array()
            .map(|series| {
                series
                    .iter()
                    .map(|s| {
                        let host = s["tags"]["host"].as_str().unwrap_or_default().to_owned();
                        let row = &s["values"][0];
                        (host, (row[1].as_i64().unwrap_or(-1), row[2].as_i64().unwrap_or(-1)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let wrong: Vec<String> = want
            .iter()
            .filter(|(host, w)| got.get(*host) != Some(*w))
            .map(|(host, w)| format!("{host}: want (count, sum) {w:?}, got {:?}", got.get(host)))
            .take(10)
            .collect();
        assert!(
            wrong.is_empty() && got.len() == want.len(),
            "the replica on data node {id} ({} series of {}):\n{}",
            got.len(),
            want.len(),
            wrong.join("\n")
        );
    }
}

#[test]
fn killing_the_meta_leader_fails_only_writes_that_need_a_new_shard_group_and_only_briefly() {
    let mut c = start(2, 2, &[]);
    let t = now_s();
    let leader = cluster::leader(&c.metas, T).expect("no meta leader");
    let stop = std::sync::atomic::AtomicBool::new(false);
    let killed_at: std::sync::Mutex<Option<std::time::Instant>> = Default::default();
    let addrs: Vec<std::net::SocketAddr> = c.data.iter().map(|d| d.http).collect();
    let post = |addr, body: String| {
        let req = cairn_tests::Request::post(cairn_tests::http::url("/write", &[("db", "db"), ("precision", "s")]))
            .body(body.into_bytes());
        cairn_tests::http::send(addr, &req).map(|r| (r.status, r.text()))
    };
    let (existing, fresh) = std::thread::scope(|s| {
        // Into the group the probe created: needs no metadata change, so no error at all.
        let existing = s.spawn(|| {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = post(addrs[n % 2], format!("cur,host=h{n} v={n} {t}\n"));
                assert!(
                    matches!(r, Ok((204, _))),
                    "write {n} into an existing shard group: {r:?}"
                );
                n += 1;
            }
            n
        });
        // Each write a week further back: a new shard group every time, which the meta
        // leader must create. Errors must name the meta cluster and stop soon after the kill.
        let fresh = s.spawn(|| {
            let (mut n, mut acked, mut last_error) = (0i64, 0i64, None);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                match post(addrs[n as usize % 2], format!("old v={n} {}\n", t - n * 7 * 86_400)) {
                    Ok((204, _)) => acked += 1,
                    other => {
                        let text = format!("{other:?}");
                        assert!(
                            text.contains("meta"),
                            "write {n} failed without naming the meta cluster: {text}"
                        );
                        last_error = Some(std::time::Instant::now());
                    }
                }
            }
            (n, acked, last_error)
        });
        std::thread::sleep(Duration::from_millis(300));
        c.metas[leader].kill9();
        *killed_at.lock().unwrap() = Some(std::time::Instant::now());
        eventually("a new meta leader", || {
            cluster::leader(&c.metas, Duration::from_millis(100))
        });
        // Writes needing a new group go on for a while under the new leader.
        std::thread::sleep(Duration::from_secs(2));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        (
            existing.join().expect("writer panicked"),
            fresh.join().expect("writer panicked"),
        )
    });
    assert!(existing > 10, "only {existing} writes into the existing group");
    let (fresh_n, acked, last_error) = fresh;
    assert!(fresh_n > 10, "only {fresh_n} writes that create a group");
    if let Some(e) = last_error {
        let killed = killed_at.lock().unwrap().expect("not killed");
        let window = e.saturating_duration_since(killed);
        // The documented window: an election (about 1 s) plus a retried call.
        assert!(
            window < Duration::from_secs(10),
            "writes needing a new group failed {window:?} after the kill"
        );
        eprintln!("writes needing a new shard group failed for {window:?} after the meta leader died");
    }
    // Every acknowledged point, in its own group, is there.
    let (_, body) = c.data[1].query("db", "SELECT count(v) FROM old");
    let stored = body["results"][0]["series"][0]["values"][0][1].as_i64().unwrap_or(0);
    assert_eq!(stored, acked, "{fresh_n} sent: {body}");
    assert_eq!(count(&c.data[0], "cur"), existing as i64);
}
