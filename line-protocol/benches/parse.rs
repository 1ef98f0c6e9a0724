//! `./x bench line-protocol`: Cairn's parser against the `influxdb-line-protocol` crate on the
//! arena's data (TSBS-like `cpu` lines with 10 tags and 10 floats; a Telegraf-like mix).
//! Both parse the data as the server receives it: request bodies of 5000 lines, the arena's
//! batch size (Telegraf sends 1000). Criterion measures each pair; the last line printed is
//! the summary the issue asks for:
//! `line-protocol: <N> MB/s, <M> lines/s, <R>x influxdb-line-protocol` (devops data, one core).
//!
//! `./x bench` writes the data with `../shared/arena` into `$CAIRN_BENCH_DATA` first.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use line_protocol::{parse_lines, parse_lines_into, Buffers, ParseOptions};

const NOW: i64 = 1_767_225_600_000_000_000;

/// Lines per request body.
const BODY_LINES: usize = 5000;

struct Dataset {
    name: &'static str,
    /// The data cut into request bodies of `BODY_LINES` lines.
    bodies: Vec<Vec<u8>>,
    bytes: usize,
    lines: usize,
}

fn load(name: &'static str) -> Dataset {
    let dir = std::env::var("CAIRN_BENCH_DATA").unwrap_or_else(|_| {
        panic!(
            "CAIRN_BENCH_DATA is not set: run `./x bench line-protocol`, which generates the data with ../shared/arena"
        )
    });
    let path = format!("{dir}/{name}.lp");
    let body =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e} (run `./x bench line-protocol`)"));
    let lines = body.iter().filter(|&&c| c == b'\n').count();
    let mut bodies = Vec::new();
    let mut rest = &body[..];
    while !rest.is_empty() {
        let cut = rest
            .iter()
            .enumerate()
            .filter(|(_, &c)| c == b'\n')
            .nth(BODY_LINES - 1)
            .map_or(rest.len(), |(i, _)| i + 1);
        bodies.push(rest[..cut].to_vec());
        rest = &rest[cut..];
    }
    Dataset {
        name,
        bodies,
        bytes: body.len(),
        lines,
    }
}

/// Bodies one after another through one set of buffers, as a server worker parses them
/// (fresh vectors for every body cost a page fault per 4 KiB, more than the parsing).
fn cairn_all(d: &Dataset, buffers: &mut Buffers) -> usize {
    let mut values = 0;
    for body in &d.bodies {
        let batch = parse_lines_into(body, &ParseOptions::new(NOW), std::mem::take(buffers));
        assert!(batch.errors().is_empty());
        values += batch.value_count();
        *buffers = black_box(batch).recycle();
    }
    values
}

fn reference_all(d: &Dataset) -> usize {
    d.bodies.iter().map(|b| reference(b)).sum()
}

fn cairn(body: &[u8]) -> usize {
    let batch = parse_lines(body, &ParseOptions::new(NOW));
    assert!(batch.errors().is_empty());
    black_box(&batch);
    batch.value_count()
}

/// The reference crate takes `&str`: the UTF-8 check of the body is part of its work too.
fn reference(body: &[u8]) -> usize {
    let text = std::str::from_utf8(body).expect("arena data is UTF-8");
    let mut values = 0;
    for line in influxdb_line_protocol::parse_lines(text) {
        let line = line.expect("arena data parses");
        values += line.field_set.len();
        black_box(&line);
    }
    values
}

/// Seconds for one call of `f`.
fn secs(f: &mut impl FnMut() -> usize) -> f64 {
    let t = Instant::now();
    black_box(f());
    t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Times `ours` and `theirs` in turn, `samples` times each, so that drift of a shared
/// machine hits both: the median time of `ours` and the median of the pairwise ratios.
fn ab(samples: usize, mut ours: impl FnMut() -> usize, mut theirs: impl FnMut() -> usize) -> (f64, f64) {
    let (_, _) = (ours(), theirs()); // warm up
    let pairs: Vec<(f64, f64)> = (0..samples).map(|_| (secs(&mut ours), secs(&mut theirs))).collect();
    (
        median(pairs.iter().map(|p| p.0).collect()),
        median(pairs.iter().map(|p| p.1 / p.0).collect()),
    )
}

fn main() {
    let sets = [load("devops"), load("telegraf")];
    for d in &sets {
        let ours = cairn_all(d, &mut Buffers::default());
        assert_eq!(ours, reference_all(d), "both parsers see the same values in {}", d.name);
    }

    // Criterion runs on 8 bodies of each set so that a run takes seconds, not minutes.
    let mut c = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    for d in &sets {
        let some = &d.bodies[..8.min(d.bodies.len())];
        let mut g = c.benchmark_group(format!("line-protocol/{}", d.name));
        g.throughput(Throughput::Bytes(some.iter().map(Vec::len).sum::<usize>() as u64));
        g.bench_function("cairn", |b| b.iter(|| some.iter().map(|x| cairn(x)).sum::<usize>()));
        let mut buffers = Some(Buffers::default());
        g.bench_function("cairn-reused-buffers", |b| {
            b.iter(|| {
                let mut values = 0;
                for body in some {
                    let batch = parse_lines_into(body, &ParseOptions::new(NOW), buffers.take().unwrap_or_default());
                    values += batch.value_count();
                    buffers = Some(black_box(batch).recycle());
                }
                values
            });
        });
        g.bench_function("influxdb-line-protocol", |b| {
            b.iter(|| some.iter().map(|x| reference(x)).sum::<usize>());
        });
        g.finish();
    }
    c.final_summary();

    // The summary line: every body of the devops set, one core; the median speed of 11 runs
    // and the median ratio of 11 runs of each parser in turn.
    let mut summary = String::new();
    for d in &sets {
        let mut buffers = Buffers::default();
        let (ours, ratio) = ab(11, || cairn_all(d, &mut buffers), || reference_all(d));
        let mb = d.bytes as f64 / 1e6;
        let (mbs, lines) = (mb / ours, d.lines as f64 / ours);
        println!(
            "{}: cairn {mbs:.0} MB/s {lines:.0} lines/s; {ratio:.2}x influxdb-line-protocol ({} lines, {mb:.1} MB)",
            d.name, d.lines,
        );
        if d.name == "devops" {
            summary = format!("line-protocol: {mbs:.0} MB/s, {lines:.0} lines/s, {ratio:.2}x influxdb-line-protocol");
        }
    }
    println!("{summary}");
}
