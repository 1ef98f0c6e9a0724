//! `./x bench shard`: ingest, size on disk, scan speed and memory of one shard, on the
//! arena's data (`./x bench` generates it into `$CAIRN_BENCH_DATA`):
//!
//! - `devops-1m.lp`: 1000 hosts, 1M lines, 10 floats per line (10M values);
//! - `telegraf-1m.lp`: the Telegraf-like mix, 1000 hosts, 1M lines;
//! - `devops-100k-hosts.lp`: 100,000 hosts x 2 lines (1M field-series), for memory per series.
//!
//! Ingest counts only `Shard::write` (parsing excluded), one writer, WAL synced before each
//! write returns; as in the node, a background thread flushes the head when the writer's
//! `Shard::wants_flush` says so (`flush_in_background`), and a writer more than two flushes
//! ahead of it flushes itself. Sizes are after a full compaction. The last line printed is
//! `shard: ingest <N> values/s, <B> bytes/value devops, <T> bytes/value telegraf, scan <S> values/s, <R> bytes RSS/series`.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use line_protocol::{parse_lines_into, Buffers, ParseOptions};
use shard::{Chunk, FieldSeries, Shard, ShardOptions};

/// Lines per write request, as the arena sends them.
const BODY_LINES: usize = 5000;

struct Loaded {
    values: u64,
    write_time: Duration,
}

/// Writes a line-protocol file to the shard, body by body, with a background flusher as
/// the node has; only the writes are timed.
fn load(shard: &Shard, path: &Path) -> Loaded {
    let data =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e} (run ./x bench shard)", path.display()));
    let (wanted, flusher) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while flusher.recv().is_ok() {
                shard.flush_if_wanted().expect("flush");
            }
        });
        let mut buffers = Buffers::default();
        let (mut values, mut write_time) = (0u64, Duration::ZERO);
        let mut rest = &data[..];
        while !rest.is_empty() {
            let cut = memchr_nth(rest, BODY_LINES).map_or(rest.len(), |i| i + 1);
            let batch = parse_lines_into(&rest[..cut], &ParseOptions::new(0), std::mem::take(&mut buffers));
            assert!(batch.errors().is_empty(), "{:?}", batch.error_text());
            let points: Vec<_> = batch.points().collect();
            let t = Instant::now();
            let out = shard.write(&points).expect("write");
            write_time += t.elapsed();
            if shard.wants_flush() {
                let _ = wanted.send(());
            }
            assert_eq!(out.dropped, 0);
            values += out.values as u64;
            drop(points);
            buffers = batch.recycle();
            rest = &rest[cut..];
        }
        drop(wanted);
        Loaded { values, write_time }
    })
}

/// The node's shard settings: flushes by a background thread.
fn options() -> ShardOptions {
    ShardOptions {
        flush_in_background: true,
        ..ShardOptions::default()
    }
}

fn memchr_nth(b: &[u8], n: usize) -> Option<usize> {
    b.iter()
        .enumerate()
        .filter(|(_, &c)| c == b'\n')
        .nth(n - 1)
        .map(|(i, _)| i)
}

/// Every point of every field-series, decoded, one `read_many` per measurement (as a
/// query over all series reads); returns (values, seconds).
fn scan(shard: &Shard) -> (u64, f64) {
    let t = Instant::now();
    let mut n = 0u64;
    for m in shard.measurements() {
        let fields = shard.fields(&m);
        let series = shard.series(&m, None).expect("series");
        let list: Vec<FieldSeries> = fields
            .iter()
            .flat_map(|(_, _, field)| {
                series.iter().map(|s| FieldSeries {
                    field: *field,
                    series: s.id,
                })
            })
            .collect();
        shard
            .read_many(
                &list,
                i64::MIN,
                i64::MAX,
                |_| false,
                |_, c| {
                    if let Chunk::Points { times, .. } = c {
                        n += times.len() as u64;
                    }
                    ControlFlow::Continue(())
                },
            )
            .expect("read");
    }
    (n, t.elapsed().as_secs_f64())
}

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn main() {
    let data = std::env::var("CAIRN_BENCH_DATA").expect("CAIRN_BENCH_DATA is not set: run ./x bench shard");
    let data = Path::new(&data);
    let tmp = tempfile::tempdir_in(
        std::env::var("CAIRN_BENCH_TMP").unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
    )
    .expect("temp dir");

    // Ingest and size: devops.
    let shard = Shard::open(&tmp.path().join("devops"), options()).expect("open");
    let devops = load(&shard, &data.join("devops-1m.lp"));
    let ingest = devops.values as f64 / devops.write_time.as_secs_f64();
    println!(
        "devops: {} values written in {:.2?} of write calls: {ingest:.0} values/s",
        devops.values, devops.write_time
    );
    shard.compact().expect("compact");
    let bytes = shard.disk_bytes().expect("size");
    let devops_bpv = bytes as f64 / devops.values as f64;
    println!("devops: {bytes} bytes on disk after compaction: {devops_bpv:.3} bytes/value");
    let (n, secs) = scan(&shard);
    assert_eq!(n, devops.values, "the scan sees every value");
    let scan_rate = n as f64 / secs;
    println!("devops: full scan of {n} values in {secs:.2}s: {scan_rate:.0} values/s");
    drop(shard);

    // Size: telegraf.
    let shard = Shard::open(&tmp.path().join("telegraf"), options()).expect("open");
    let telegraf = load(&shard, &data.join("telegraf-1m.lp"));
    shard.compact().expect("compact");
    let bytes = shard.disk_bytes().expect("size");
    let telegraf_bpv = bytes as f64 / telegraf.values as f64;
    println!(
        "telegraf: {} values, {bytes} bytes on disk after compaction: {telegraf_bpv:.3} bytes/value",
        telegraf.values
    );
    drop(shard);

    // Memory per field-series: 1M of them.
    let before = rss_bytes();
    let shard = Shard::open(&tmp.path().join("series"), options()).expect("open");
    let many = load(&shard, &data.join("devops-100k-hosts.lp"));
    shard.flush().expect("flush");
    let field_series: usize = shard
        .measurements()
        .iter()
        .map(|m| shard.series(m, None).map_or(0, |s| s.len()) * shard.fields(m).len())
        .sum();
    let rss = rss_bytes().saturating_sub(before);
    let per = rss as f64 / field_series as f64;
    println!(
        "memory: {field_series} field-series ({} values): RSS grew by {rss} bytes: {per:.0} bytes/field-series",
        many.values
    );
    drop(shard);

    println!(
        "shard: ingest {ingest:.0} values/s, {devops_bpv:.2} bytes/value devops, {telegraf_bpv:.2} bytes/value telegraf, scan {scan_rate:.0} values/s, {per:.0} bytes RSS/series"
    );
}
