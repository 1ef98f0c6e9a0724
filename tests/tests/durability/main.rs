//! durability: SIGKILL the server while writers are running; after a restart on the same
//! directory, every write that was answered 204 must be there in full, and no write may be
//! there in part.
//!
//! Writers (threads) POST batches of `BATCH` points: measurement `d`, tag `w=<writer>`, integer
//! field `seq = batch * 1000 + i`, timestamp (ns) equal to `seq`, so every point says which
//! batch it belongs to. Each writer numbers its batches on from round to round. A round starts
//! the writers, kills the server at a random moment, stops the writers, restarts the server and
//! reads back everything written so far, writer by writer.
//!
//! Environment: `CAIRN_COMPAT_TARGET=influxd` (judge InfluxDB 1.6.7 instead of cairn-data),
//! `CAIRN_DURABILITY_ROUNDS` (default 5), `CAIRN_DURABILITY_SEED` (replays a run's kill moments;
//! the seed is printed).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cairn_tests::http::{self, url};
use cairn_tests::{Kind, Request, Server};

/// Concurrent writers.
const WRITERS: usize = 4;
/// Points per batch (one POST).
const BATCH: u64 = 100;
/// The database.
const DB: &str = "durability";
/// Kill moment after the writers start: uniform in this range (ms).
const KILL_AFTER_MS: (u64, u64) = (150, 900);
/// How long a round waits for its first acknowledgement before the kill all the same.
const FIRST_ACK_WITHIN: Duration = Duration::from_secs(30);

/// What a writer saw for its batches in one round.
#[derive(Debug, Default)]
struct WriterLog {
    /// Batches answered 204.
    acked: Vec<u64>,
    /// Batches whose request failed (connection refused, reset, no answer): unknown outcome.
    unknown: Vec<u64>,
    /// Answers other than 204 while the server ran: a bug, reported.
    unexpected: Vec<String>,
}

fn batch_body(writer: usize, batch: u64) -> String {
    let mut s = String::with_capacity(BATCH as usize * 32);
    for i in 0..BATCH {
        let seq = batch * 1000 + i;
        s.push_str(&format!("d,w=w{writer} seq={seq}i {seq}\n"));
    }
    s
}

/// xorshift64*: kill moments without a dependency; the seed is printed for replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// Runs one writer until `stop`, starting at batch `first`; returns what it saw.
/// Writes batches until `stop`; counts each acknowledgement in `acked` as it comes.
fn run_writer(
    addr: std::net::SocketAddr,
    writer: usize,
    first: u64,
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicU64>,
) -> (WriterLog, u64) {
    let mut log = WriterLog::default();
    let mut batch = first;
    while !stop.load(Ordering::Relaxed) {
        let req = Request::post(format!("/write?db={DB}")).body(batch_body(writer, batch));
        match http::send(addr, &req) {
            Ok(r) if r.status == 204 => {
                log.acked.push(batch);
                acked.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => log.unexpected.push(format!("batch {batch}: {}", r.describe())),
            Err(_) => {
                log.unknown.push(batch);
                // The server is gone (or going): do not spin on a refused port.
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        batch += 1;
    }
    (log, batch)
}

/// `seq` values of one writer, from a query in chunks (the answer can be large).
fn read_back(server: &Server, writer: usize) -> Result<Vec<u64>, String> {
    let req = Request::get(url(
        "/query",
        &[
            ("db", DB),
            ("epoch", "ns"),
            ("chunked", "true"),
            ("chunk_size", "20000"),
            ("q", &format!("SELECT seq FROM d WHERE w = 'w{writer}'")),
        ],
    ));
    let r = server.try_send(&req).map_err(|e| format!("query failed: {e}"))?;
    if r.status != 200 {
        return Err(format!("query answered:\n{}", r.describe()));
    }
    let mut seqs = Vec::new();
    for line in r.text().lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("bad chunk ({e}): {line:.300}"))?;
        let res = &v["results"][0];
        if let Some(e) = res.get("error") {
            return Err(format!("query error: {e}"));
        }
        for s in res["series"].as_array().into_iter().flatten() {
            for row in s["values"].as_array().into_iter().flatten() {
                let seq = row[1].as_u64().ok_or_else(|| format!("bad row {row}"))?;
                seqs.push(seq);
            }
        }
    }
    Ok(seqs)
}

/// Checks one writer's points against every batch it ever had acknowledged.
fn verify_writer(writer: usize, seqs: &[u64], acked: &[u64]) -> Vec<String> {
    let mut per_batch: BTreeMap<u64, u64> = BTreeMap::new();
    for s in seqs {
        *per_batch.entry(s / 1000).or_default() += 1;
    }
    let mut problems = Vec::new();
    for (b, n) in &per_batch {
        if *n != BATCH {
            problems.push(format!(
                "writer w{writer}: batch {b} is partially present ({n} of {BATCH} points)"
            ));
        }
    }
    let missing: Vec<u64> = acked.iter().copied().filter(|b| !per_batch.contains_key(b)).collect();
    if !missing.is_empty() {
        problems.push(format!(
            "writer w{writer}: {} acknowledged batch(es) missing after restart, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(10)]
        ));
    }
    problems
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let kind = Kind::target_from_env();
    let rounds: usize = std::env::var("CAIRN_DURABILITY_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let seed: u64 = std::env::var("CAIRN_DURABILITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
                | 1
        });
    eprintln!(
        "durability: target {kind}, {rounds} rounds, {WRITERS} writers, seed {seed} (CAIRN_DURABILITY_SEED replays it)"
    );
    let mut rng = Rng(seed);

    let mut server = Server::must_start(kind, false);
    let r = server.send(&Request::post("/query").form(&[("q", &format!("CREATE DATABASE {DB}"))]));
    assert_eq!(r.status, 200, "CREATE DATABASE:\n{}", r.describe());

    let mut next_batch = [0u64; WRITERS];
    let mut acked_all: Vec<Vec<u64>> = vec![Vec::new(); WRITERS];
    let mut problems = Vec::new();
    for round in 1..=rounds {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(AtomicU64::new(0));
        let addr = server.addr();
        let started = Instant::now();
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (stop, acked) = (Arc::clone(&stop), Arc::clone(&acked));
                let first = next_batch[w];
                std::thread::spawn(move || run_writer(addr, w, first, stop, acked))
            })
            .collect();
        let kill_after = Duration::from_millis(rng.range(KILL_AFTER_MS.0, KILL_AFTER_MS.1));
        std::thread::sleep(kill_after);
        // A kill before the round's first acknowledgement proves nothing (a stalled machine
        // made round 1 do that once): the kill waits for one, for at most FIRST_ACK_WITHIN.
        while acked.load(Ordering::Relaxed) == 0 && started.elapsed() < FIRST_ACK_WITHIN {
            std::thread::sleep(Duration::from_millis(2));
        }
        let kill_after = started.elapsed();
        server.kill9();
        let killed_at = Instant::now();
        stop.store(true, Ordering::Relaxed);
        let mut acked_round = 0;
        let mut unknown_round = 0;
        for (w, h) in handles.into_iter().enumerate() {
            let (log, next) = h.join().expect("writer panicked");
            next_batch[w] = next;
            acked_round += log.acked.len();
            unknown_round += log.unknown.len();
            problems.extend(
                log.unexpected
                    .iter()
                    .map(|u| format!("round {round}, writer w{w}: unexpected answer {u}")),
            );
            acked_all[w].extend(log.acked);
        }
        if acked_round == 0 {
            problems.push(format!(
                "round {round}: no batch was acknowledged in {kill_after:?}; the round proves nothing"
            ));
        }

        if let Err(e) = server.restart() {
            panic!("round {round}: restart after SIGKILL failed: {e}");
        }
        let restart_took = killed_at.elapsed();
        let mut present = 0;
        for (w, acked) in acked_all.iter().enumerate() {
            match read_back(&server, w) {
                Ok(seqs) => {
                    present += seqs.len() as u64 / BATCH;
                    problems.extend(
                        verify_writer(w, &seqs, acked)
                            .into_iter()
                            .map(|p| format!("round {round}: {p}")),
                    );
                }
                Err(e) => problems.push(format!("round {round}, writer w{w}: {e}")),
            }
        }
        eprintln!(
            "durability round {round}: killed after {kill_after:?}; {acked_round} batches acknowledged, {unknown_round} without answer; \
             restart took {restart_took:?}; {present} batches present in all (acknowledged so far: {})",
            acked_all.iter().map(Vec::len).sum::<usize>()
        );
    }
    assert!(
        problems.is_empty(),
        "durability of {kind} (seed {seed}):\n{}\n{}",
        problems.join("\n"),
        server.log_tail(30)
    );
}
