//! The shard against a plain in-memory model: random writes (overwrites, out of order,
//! several fields and types), flushes, deletes by time range and tag, drops and restarts;
//! after every step, every field-series scans exactly as the model says.

use std::collections::BTreeMap;

use line_protocol::{parse_lines, ParseOptions};
use proptest::prelude::*;
use shard::{FieldSeries, Shard, ShardOptions, TagPredicate, Values};

/// (measurement, host tag, field) -> time -> value as text.
type Model = BTreeMap<(String, String, String), BTreeMap<i64, String>>;

#[derive(Debug, Clone)]
enum Op {
    /// (measurement index, host, time, float value, integer value or none)
    Write(Vec<(usize, u8, i64, i32, Option<i32>)>),
    Flush,
    Reopen,
    Delete {
        m: usize,
        host: Option<u8>,
        lo: i64,
        hi: i64,
    },
    DropSeries {
        m: usize,
        host: u8,
    },
}

const MEASUREMENTS: [&str; 2] = ["cpu", "mem"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => prop::collection::vec((0..2usize, 0..4u8, -20..60i64, -100..100i32, prop::option::of(-5..5i32)), 1..40).prop_map(Op::Write),
        2 => Just(Op::Flush),
        1 => Just(Op::Reopen),
        1 => (0..2usize, prop::option::of(0..4u8), -20..60i64, 0..30i64).prop_map(|(m, host, lo, len)| Op::Delete { m, host, lo, hi: lo + len }),
        1 => (0..2usize, 0..4u8).prop_map(|(m, host)| Op::DropSeries { m, host }),
    ]
}

fn apply(slot: &mut Option<Shard>, dir: &std::path::Path, model: &mut Model, op: &Op) {
    if let Op::Reopen = op {
        // Close first: RocksDB refuses a second handle on one directory.
        drop(slot.take());
        *slot = Some(Shard::open(dir, ShardOptions::default()).unwrap());
        return;
    }
    let shard = slot.as_ref().expect("open");
    match op {
        Op::Write(points) => {
            let mut lp = String::new();
            for &(m, host, t, f, i) in points {
                let m = MEASUREMENTS[m];
                lp.push_str(&format!("{m},host=h{host} f={f}"));
                model
                    .entry((m.into(), format!("h{host}"), "f".into()))
                    .or_default()
                    .insert(t, f.to_string());
                if let Some(i) = i {
                    lp.push_str(&format!(",i={i}i"));
                    model
                        .entry((m.into(), format!("h{host}"), "i".into()))
                        .or_default()
                        .insert(t, format!("{i}i"));
                }
                lp.push_str(&format!(" {t}\n"));
            }
            let batch = parse_lines(lp.as_bytes(), &ParseOptions::new(0));
            let out = shard.write(&batch.points().collect::<Vec<_>>()).unwrap();
            assert_eq!(out.dropped, 0);
        }
        Op::Flush => shard.flush().unwrap(),
        Op::Reopen => unreachable!("handled above"),
        Op::Delete { m, host, lo, hi } => {
            let pred = host.map(|h| TagPredicate::Eq("host".into(), format!("h{h}")));
            shard.delete(MEASUREMENTS[*m], pred.as_ref(), *lo, *hi).unwrap();
            for ((mm, hh, _), points) in model.iter_mut() {
                if mm == MEASUREMENTS[*m] && host.is_none_or(|h| *hh == format!("h{h}")) {
                    points.retain(|t, _| t < lo || t > hi);
                }
            }
        }
        Op::DropSeries { m, host } => {
            let pred = TagPredicate::Eq("host".into(), format!("h{host}"));
            shard.drop_series(MEASUREMENTS[*m], Some(&pred)).unwrap();
            model.retain(|(mm, hh, _), _| !(mm == MEASUREMENTS[*m] && *hh == format!("h{host}")));
        }
    }
}

fn scan(shard: &Shard) -> Model {
    let mut out = Model::new();
    for m in MEASUREMENTS {
        let fields = shard.fields(m);
        for s in shard.series(m, None).unwrap() {
            let host = s
                .tags
                .iter()
                .find(|t| t.0 == "host")
                .map(|t| t.1.clone())
                .unwrap_or_default();
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
                let mut points = BTreeMap::new();
                for (k, &t) in times.iter().enumerate() {
                    let v = match &values {
                        Values::Float(v) => v[k].to_string(),
                        Values::Integer(v) => format!("{}i", v[k]),
                        other => panic!("unexpected {other:?}"),
                    };
                    assert!(points.insert(t, v).is_none(), "time {t} twice");
                }
                if !points.is_empty() {
                    out.insert((m.to_string(), host.clone(), name.clone()), points);
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_shard_behaves_like_the_model(ops in prop::collection::vec(op(), 1..25)) {
        let dir = tempfile::tempdir().unwrap();
        let mut shard = Some(Shard::open(dir.path(), ShardOptions::default()).unwrap());
        let mut model = Model::new();
        for (step, op) in ops.iter().enumerate() {
            apply(&mut shard, dir.path(), &mut model, op);
            model.retain(|_, points| !points.is_empty());
            let got = scan(shard.as_ref().expect("open"));
            prop_assert_eq!(&got, &model, "after step {} ({:?})", step, op);
        }
    }
}
