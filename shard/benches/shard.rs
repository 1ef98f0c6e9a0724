//! `./x bench shard`: ingest, size on disk, scan speed and memory of one shard, on the
//! arena's data (`./x bench` generates it into `$CAIRN_BENCH_DATA`):
//!
//! - `devops-1m.lp`: 1000 hosts, 1M lines, 10 floats per line (10M values);
//! - `telegraf-1m.lp`: the Telegraf-like mix, 1000 hosts, 1M lines;
//! - `devops-100k-hosts.lp`: 100,000 hosts x 2 lines (1M field-series), for memory per series.
//!
//! Ingest counts only `Shard::write` (parsing excluded), one writer, WAL synced before each
//! write returns; as in the node (whose allocator, mimalloc, it uses), a background thread
//! flushes the head when the writer's `Shard::wants_flush` says so (`flush_in_background`),
//! and a writer more than two flushes ahead of it flushes itself. Sizes are after a full
//! compaction. Scans (`CAIRN_BENCH_SCANS` runs, default 5, median) read every field-series
//! decoded, then with whole blocks as their headers (how aggregates read them). Memory is
//! measured first, in a fresh process. The last line printed is
//! `shard: ingest <N> values/s, <B> bytes/value devops, <T> bytes/value telegraf, scan <S> values/s, <R> bytes RSS/series`.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use line_protocol::{parse_lines_into, Buffers, ParseOptions};
use shard::{Chunk, FieldSeries, Shard, ShardOptions};

/// The node binary's allocator, so that the figures are the node's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Lines per write request, as the arena sends them.
const BODY_LINES: usize = 5000;

struct Loaded {
    values: u64,
    write_time: Duration,
}

/// A line-protocol file of the benchmark data.
fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e} (run ./x bench shard)", path.display()))
}

/// Writes line protocol to the shard, body by body, with a background flusher as the node
/// has; only the writes are timed.
fn load(shard: &Shard, data: &[u8]) -> Loaded {
    let (wanted, flusher) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while flusher.recv().is_ok() {
                shard.flush_if_wanted().expect("flush");
            }
        });
        let mut buffers = Buffers::default();
        let (mut values, mut write_time) = (0u64, Duration::ZERO);
        let mut rest = data;
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

/// Every point of every field-series, one `read_many` per measurement (as a query over all
/// series reads); returns (values, seconds). `summaries`: whole blocks come as their
/// headers (as for `count`/`sum`/`max` per bucket) instead of decoded.
fn scan(shard: &Shard, summaries: bool) -> (u64, f64) {
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
                |_| summaries,
                |_, c| {
                    n += match c {
                        Chunk::Points { times, .. } => times.len() as u64,
                        Chunk::Summary(h) => u64::from(h.count),
                    };
                    ControlFlow::Continue(())
                },
            )
            .expect("read");
    }
    (n, t.elapsed().as_secs_f64())
}

/// Resident memory: all of it (`VmRSS`, the figure) or its anonymous part (`RssAnon`: what
/// is left once the table files' pages, mapped for reading, are set aside).
fn rss_bytes() -> u64 {
    status_bytes("VmRSS:")
}

fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
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

    // Memory per field-series, 1M of them: first, so that nothing freed by the other
    // phases is reused and hides growth; the file is read before the baseline.
    let lines = read(&data.join("devops-100k-hosts.lp"));
    let (before, anon_before) = (rss_bytes(), status_bytes("RssAnon:"));
    let shard = Shard::open(&tmp.path().join("series"), options()).expect("open");
    let many = load(&shard, &lines);
    let head_bytes = shard.head_bytes();
    let unflushed = rss_bytes().saturating_sub(before);
    shard.flush().expect("flush");
    let field_series: usize = shard
        .measurements()
        .iter()
        .map(|m| shard.series(m, None).map_or(0, |s| s.len()) * shard.fields(m).len())
        .sum();
    let rss = rss_bytes().saturating_sub(before);
    let anon = status_bytes("RssAnon:").saturating_sub(anon_before);
    let each = |bytes: u64| bytes as f64 / field_series as f64;
    let per = each(rss);
    let m = shard.memory().expect("memory");
    println!(
        "memory: before the last flush, head {head_bytes} bytes, RSS grew by {unflushed} bytes: {:.0} bytes/field-series",
        each(unflushed)
    );
    println!(
        "memory: {field_series} field-series ({} values): RSS grew by {rss} bytes: {per:.0} bytes/field-series ({:.0} of them anonymous); \
         counted per field-series: head {:.0}, series cache {:.0}, memtables {:.0}, table readers {:.0}, block cache {:.0}",
        many.values,
        each(anon),
        each(m.head as u64),
        each(m.series_cache as u64),
        each(m.memtables as u64),
        each(m.table_readers as u64),
        each(m.block_cache as u64),
    );
    drop(shard);
    drop(lines);

    // Ingest and size: devops.
    let shard = Shard::open(&tmp.path().join("devops"), options()).expect("open");
    let devops = load(&shard, &read(&data.join("devops-1m.lp")));
    let ingest = devops.values as f64 / devops.write_time.as_secs_f64();
    println!(
        "devops: {} values written in {:.2?} of write calls: {ingest:.0} values/s",
        devops.values, devops.write_time
    );
    shard.compact().expect("compact");
    let bytes = shard.disk_bytes().expect("size");
    let devops_bpv = bytes as f64 / devops.values as f64;
    println!("devops: {bytes} bytes on disk after compaction: {devops_bpv:.3} bytes/value");
    // The first scan faults in the table files' pages (read in place, mmap); the figure is
    // the median of the runs.
    let runs: usize = std::env::var("CAIRN_BENCH_SCANS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let scans = |summaries: bool, what: &str| {
        let mut rates: Vec<f64> = (0..runs.max(1))
            .map(|_| {
                let (n, secs) = scan(&shard, summaries);
                assert_eq!(n, devops.values, "the scan sees every value");
                n as f64 / secs
            })
            .collect();
        println!(
            "devops: {what} of {} values: {} values/s",
            devops.values,
            rates.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(", ")
        );
        rates.sort_by(f64::total_cmp);
        rates[rates.len() / 2]
    };
    let scan_rate = scans(false, "full scans");
    let summary_rate = scans(true, "whole-block aggregate scans");
    println!("devops: median full scan {scan_rate:.0} values/s, whole-block aggregates {summary_rate:.0} values/s");
    drop(shard);

    // Size: telegraf.
    let shard = Shard::open(&tmp.path().join("telegraf"), options()).expect("open");
    let telegraf = load(&shard, &read(&data.join("telegraf-1m.lp")));
    shard.compact().expect("compact");
    let bytes = shard.disk_bytes().expect("size");
    let telegraf_bpv = bytes as f64 / telegraf.values as f64;
    println!(
        "telegraf: {} values, {bytes} bytes on disk after compaction: {telegraf_bpv:.3} bytes/value",
        telegraf.values
    );
    drop(shard);

    println!(
        "shard: ingest {ingest:.0} values/s, {devops_bpv:.2} bytes/value devops, {telegraf_bpv:.2} bytes/value telegraf, scan {scan_rate:.0} values/s, {per:.0} bytes RSS/series"
    );
}
