//! `cargo bench -p handoff`: what a hinted-handoff queue costs on this machine's disk.
//!
//! Pushes are fsynced one at a time, as a coordinator acknowledging writes does, so they are
//! bound by the disk's sync latency; delivery (peek + pop, which rewrites `head`) is too.
//! Prints entries/s and MB/s for 1 KiB and 64 KiB entries (a small and a large write batch
//! for one shard); the last line is the summary.

use std::time::Instant;

use handoff::{Limits, Queue};

fn run(payload: usize, n: usize) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut q = Queue::open(dir.path(), Limits::default()).expect("open");
    let data = vec![7u8; payload];
    let t = Instant::now();
    for i in 0..n {
        q.push(i as i64, &data).expect("push");
    }
    let push = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    while let Some(e) = q.peek().expect("peek") {
        assert_eq!(e.payload.len(), payload);
        q.pop().expect("pop");
    }
    let deliver = n as f64 / t.elapsed().as_secs_f64();
    (push, deliver)
}

fn main() {
    let mut summary = Vec::new();
    for (payload, n) in [(1024usize, 2000usize), (64 * 1024, 500)] {
        let (push, deliver) = run(payload, n);
        let mb = |per_s: f64| per_s * payload as f64 / 1e6;
        println!(
            "{} KiB entries: push {push:.0}/s ({:.1} MB/s), deliver {deliver:.0}/s ({:.1} MB/s)",
            payload / 1024,
            mb(push),
            mb(deliver)
        );
        summary.push(format!(
            "{} KiB push {push:.0}/s deliver {deliver:.0}/s",
            payload / 1024
        ));
    }
    println!("handoff: {}", summary.join(", "));
}
