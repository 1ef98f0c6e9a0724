//! `cargo bench -p block`: block sizes and decode speed on the arena's data.
//!
//! Reads `$CAIRN_BENCH_DATA/devops.lp` and `telegraf.lp` (`./x bench` writes them; default
//! `~/.cache/cairn-bench-data`), groups the values by (series key, field) in time order,
//! encodes each run as blocks of up to `MAX_POINTS`, and prints:
//!
//! - bytes/value per dataset and field type, whole blocks (headers and timestamps included);
//! - for each value codec, the bytes/value of the value sections had every block used it;
//! - decode throughput (values/s, one core) of the devops float + timestamp scan.
//!
//! Criterion then times decoding per dataset. The last line printed is the summary:
//! `block: decode <N> values/s, <B> bytes/value devops, <T> bytes/value telegraf`.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use block::{decode, encode, measure, FieldType, Values, MAX_POINTS};
use criterion::{Criterion, Throughput};
use line_protocol::{parse_lines, FieldValue, ParseOptions};

const TYPES: [FieldType; 5] = [
    FieldType::Float,
    FieldType::Integer,
    FieldType::Unsigned,
    FieldType::Boolean,
    FieldType::String,
];

/// One dataset, encoded.
struct Dataset {
    name: &'static str,
    /// Every (series, field) run in time order.
    columns: Vec<(Vec<i64>, Values)>,
    /// The blocks of all columns, in order.
    blocks: Vec<Vec<u8>>,
    values: usize,
}

fn load(name: &'static str) -> Dataset {
    let dir = std::env::var("CAIRN_BENCH_DATA").unwrap_or_else(|_| {
        let home = std::env::var("HOME").expect("HOME is not set");
        format!("{home}/.cache/cairn-bench-data")
    });
    let path = format!("{dir}/{name}.lp");
    let body = std::fs::read(&path).unwrap_or_else(|e| {
        panic!("cannot read {path}: {e} (run `./x bench`, or the arena's `gen --profile {name} --hosts 1000 --lines 100000`)")
    });
    let batch = parse_lines(&body, &ParseOptions::new(0));
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut columns: Vec<(Vec<i64>, Values)> = Vec::new();
    for i in 0..batch.len() {
        let p = batch.point(i).expect("in range");
        let key = p.series_key();
        for f in p.fields() {
            let at = *index.entry((key.to_string(), f.key.to_string())).or_insert_with(|| {
                columns.push((Vec::new(), empty(&f.value)));
                columns.len() - 1
            });
            let (times, values) = &mut columns[at];
            if times.last().is_some_and(|&t| t >= p.time()) {
                continue; // the arena writes each series in time order, once
            }
            match (values, &f.value) {
                (Values::Float(v), FieldValue::Float(x)) => v.push(*x),
                (Values::Integer(v), FieldValue::Integer(x)) => v.push(*x),
                (Values::Unsigned(v), FieldValue::Unsigned(x)) => v.push(*x),
                (Values::Boolean(v), FieldValue::Boolean(x)) => v.push(*x),
                (Values::String(v), FieldValue::String(x)) => v.push(x.to_string()),
                _ => continue, // a field whose type changed: InfluxDB refuses the point
            }
            times.push(p.time());
        }
    }
    let mut blocks = Vec::new();
    for (times, values) in &columns {
        for (start, end) in chunks(times.len()) {
            let mut out = Vec::new();
            encode(&times[start..end], slice(values, start, end).as_ref(), &mut out).expect("valid block");
            blocks.push(out);
        }
    }
    let values = columns.iter().map(|(t, _)| t.len()).sum();
    Dataset {
        name,
        columns,
        blocks,
        values,
    }
}

fn empty(v: &FieldValue<'_>) -> Values {
    match v {
        FieldValue::Float(_) => Values::Float(Vec::new()),
        FieldValue::Integer(_) => Values::Integer(Vec::new()),
        FieldValue::Unsigned(_) => Values::Unsigned(Vec::new()),
        FieldValue::Boolean(_) => Values::Boolean(Vec::new()),
        FieldValue::String(_) => Values::String(Vec::new()),
    }
}

fn chunks(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).step_by(MAX_POINTS).map(move |s| (s, (s + MAX_POINTS).min(n)))
}

fn slice(values: &Values, s: usize, e: usize) -> Values {
    match values {
        Values::Float(v) => Values::Float(v[s..e].to_vec()),
        Values::Integer(v) => Values::Integer(v[s..e].to_vec()),
        Values::Unsigned(v) => Values::Unsigned(v[s..e].to_vec()),
        Values::Boolean(v) => Values::Boolean(v[s..e].to_vec()),
        Values::String(v) => Values::String(v[s..e].to_vec()),
    }
}

/// Prints sizes by field type, whole blocks and per codec; returns total bytes/value.
fn report_sizes(d: &Dataset) -> f64 {
    let total: usize = d.blocks.iter().map(Vec::len).sum();
    println!(
        "{}: {} columns, {} values, {} blocks, {:.3} bytes/value",
        d.name,
        d.columns.len(),
        d.values,
        d.blocks.len(),
        total as f64 / d.values as f64
    );
    for ft in TYPES {
        let cols: Vec<_> = d.columns.iter().filter(|(_, v)| v.field_type() == ft).collect();
        let n: usize = cols.iter().map(|(t, _)| t.len()).sum();
        if n == 0 {
            continue;
        }
        let (mut whole, mut header) = (0usize, 0usize);
        let mut per_codec = vec![(0usize, true); measure::codec_names(ft).len()];
        for (times, values) in &cols {
            for (s, e) in chunks(times.len()) {
                let v = slice(values, s, e);
                let mut out = Vec::new();
                encode(&times[s..e], v.as_ref(), &mut out).expect("valid block");
                whole += out.len();
                let split = measure::value_offset(&out).expect("valid block");
                header += split;
                for (c, acc) in per_codec.iter_mut().enumerate() {
                    let mut out = Vec::new();
                    match measure::encode_with(&times[s..e], v.as_ref(), c as u8, &mut out) {
                        Ok(true) => acc.0 += out.len() - measure::value_offset(&out).expect("valid block"),
                        Ok(false) => acc.1 = false,
                        Err(e) => panic!("BUG: {e}"),
                    }
                }
            }
        }
        let bpv = |b: usize| b as f64 / n as f64;
        let codecs: Vec<String> = measure::codec_names(ft)
            .iter()
            .zip(&per_codec)
            .map(|(name, &(b, all))| {
                if all {
                    format!("{name} {:.3}", bpv(b))
                } else {
                    format!("{name} n/a")
                }
            })
            .collect();
        println!(
            "  {:<8} {:>8} values: {:.3} bytes/value ({:.3} header + time, {:.3} values); values by codec: {}",
            ft.name(),
            n,
            bpv(whole),
            bpv(header),
            bpv(whole - header),
            codecs.join(", ")
        );
    }
    total as f64 / d.values as f64
}

/// Decodes every block once; returns the values decoded.
fn scan(d: &Dataset, times: &mut Vec<i64>, values: &mut Values) -> usize {
    let mut n = 0;
    for b in &d.blocks {
        n += decode(b, times, values).expect("valid block").count as usize;
        black_box((&times, &values));
    }
    n
}

/// Best of several full scans, in values/s.
fn throughput(d: &Dataset) -> f64 {
    let (mut times, mut values) = (Vec::new(), Values::Float(Vec::new()));
    let mut best = Duration::MAX;
    for _ in 0..20 {
        let start = Instant::now();
        assert_eq!(scan(d, &mut times, &mut values), d.values);
        best = best.min(start.elapsed());
    }
    d.values as f64 / best.as_secs_f64()
}

fn main() {
    let devops = load("devops");
    let telegraf = load("telegraf");
    let devops_bpv = report_sizes(&devops);
    let telegraf_bpv = report_sizes(&telegraf);
    let devops_rate = throughput(&devops);
    println!(
        "decode: devops {:.0} M values/s, telegraf {:.0} M values/s (one core)",
        devops_rate / 1e6,
        throughput(&telegraf) / 1e6
    );

    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    for d in [&devops, &telegraf] {
        let mut g = c.benchmark_group(format!("decode/{}", d.name));
        g.throughput(Throughput::Elements(d.values as u64));
        let (mut times, mut values) = (Vec::new(), Values::Float(Vec::new()));
        g.bench_function("all blocks", |b| b.iter(|| scan(d, &mut times, &mut values)));
        g.finish();
    }
    c.final_summary();

    println!(
        "block: decode {devops_rate:.0} values/s, {devops_bpv:.3} bytes/value devops, {telegraf_bpv:.3} bytes/value telegraf"
    );
}
