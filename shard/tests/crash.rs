//! Durability: a writer in a child process is killed with SIGKILL at random moments, 20
//! times; after each kill the shard reopens and every acknowledged write must be there with
//! its values, and no write may be there in part.
//!
//! The child is this test binary again, told by `CAIRN_CRASH_DIR` to write instead of
//! test. It writes batch after batch (10 series, time = batch number, value = batch number),
//! flushes now and then, and prints `acked N` once batch N's write returned.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use line_protocol::{parse_lines, ParseOptions};
use shard::{FieldSeries, Shard, ShardOptions, Values};

const SERIES: usize = 10;
const ROUNDS: usize = 20;

fn batch(n: u64) -> String {
    (0..SERIES).map(|s| format!("crash,s={s} v={n},w={n}i {n}\n")).collect()
}

fn child(dir: &Path, start: u64) {
    let shard = Shard::open(dir, ShardOptions::default()).expect("child opens the shard");
    let mut out = std::io::stdout().lock();
    for n in start..start + 100_000 {
        let body = batch(n);
        let parsed = parse_lines(body.as_bytes(), &ParseOptions::new(0));
        let points: Vec<_> = parsed.points().collect();
        shard.write(&points).expect("child write");
        writeln!(out, "acked {n}")
            .and_then(|()| out.flush())
            .expect("parent is listening");
        if n % 13 == 0 {
            shard.flush().expect("child flush");
        }
    }
}

/// Per batch number: how many series hold it, and whether all values were right.
fn survey(dir: &Path) -> std::collections::BTreeMap<u64, (usize, bool)> {
    let shard = Shard::open(dir, ShardOptions::default()).expect("reopen after the kill");
    let mut seen = std::collections::BTreeMap::new();
    let fields = shard.fields("crash");
    for s in shard.series("crash", None).unwrap() {
        for (name, _, field) in &fields {
            let (times, values) = shard
                .points(
                    FieldSeries {
                        series: s.id,
                        field: *field,
                    },
                    i64::MIN,
                    i64::MAX,
                )
                .unwrap();
            let rows = times.iter().enumerate().map(|(i, &t)| {
                let ok = match &values {
                    Values::Float(v) => v[i] == t as f64,
                    Values::Integer(v) => v[i] == t,
                    _ => false,
                };
                (t as u64, ok)
            });
            for (t, ok) in rows {
                let e = seen.entry(t).or_insert((0, true));
                if name == "v" {
                    e.0 += 1;
                }
                e.1 &= ok;
            }
        }
    }
    seen
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    if let Ok(dir) = std::env::var("CAIRN_CRASH_DIR") {
        let start = std::env::var("CAIRN_CRASH_START")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        child(Path::new(&dir), start);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = 0u64;
    let mut acked_total = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "acknowledged_writes_survive_sigkill",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CAIRN_CRASH_DIR", dir.path())
            .env("CAIRN_CRASH_START", next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill after a random number of acknowledgements (1..=40): the child is then in the
        // middle of its next write, flush or sync.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let kill_after = 1 + rng % 40;
        let mut acked = Vec::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(n) = line.strip_prefix("acked ") {
                acked.push(n.parse::<u64>().unwrap());
                if acked.len() as u64 >= kill_after {
                    child.kill().unwrap(); // SIGKILL
                    break;
                }
            }
        }
        child.wait().unwrap();
        assert!(!acked.is_empty(), "round {round}: the child acknowledged nothing");
        acked_total += acked.len();

        let seen = survey(dir.path());
        for &n in &acked {
            assert_eq!(
                seen.get(&n),
                Some(&(SERIES, true)),
                "round {round}: acknowledged batch {n} lost or wrong"
            );
        }
        for (n, (count, ok)) in &seen {
            assert!(
                *count == SERIES && *ok,
                "round {round}: batch {n} is there in part ({count} of {SERIES} series)"
            );
        }
        next = seen
            .keys()
            .next_back()
            .map_or(0, |n| n + 1)
            .max(acked.last().map_or(0, |n| n + 1));
    }
    assert!(acked_total >= ROUNDS, "every round acknowledged something");
}
