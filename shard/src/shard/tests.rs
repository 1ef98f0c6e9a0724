//! Behaviour of one shard through its public API: what is written reads back, InfluxDB's
//! storage rules, flushes, restarts, deletes, listings and checkpoints.

use std::ops::ControlFlow;

use line_protocol::{parse_lines, ParseOptions};
use tempfile::TempDir;

use super::*;
use crate::shard_read::Chunk;
use block::{Summary, ValuesRef};

fn open(dir: &Path) -> Shard {
    Shard::open(dir, ShardOptions::default()).unwrap()
}

/// Writes line protocol; panics on parse errors.
fn write(shard: &Shard, lp: &str) -> WriteOutcome {
    let batch = parse_lines(lp.as_bytes(), &ParseOptions::new(0));
    assert!(batch.errors().is_empty(), "{:?}", batch.error_text());
    let points: Vec<_> = batch.points().collect();
    shard.write(&points).unwrap()
}

fn field_series(shard: &Shard, measurement: &str, tags: &[(&str, &str)], field: &str) -> FieldSeries {
    let key = keys::series_key(measurement, tags.iter().copied());
    let series = shard.index.series_id(&shard.db, &key).unwrap().expect("series exists");
    let field = shard.index.field(measurement, field).expect("field exists").id;
    FieldSeries { series, field }
}

/// Every point of a field-series in `lo..=hi` as (time, value as text).
fn points(shard: &Shard, fs: FieldSeries, lo: i64, hi: i64) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    shard
        .read(
            fs,
            lo,
            hi,
            |_| false,
            |chunk| {
                let Chunk::Points { times, values } = chunk else {
                    panic!("summary without asking")
                };
                for (i, &t) in times.iter().enumerate() {
                    let v = match values {
                        ValuesRef::Float(v) => v[i].to_string(),
                        ValuesRef::Integer(v) => format!("{}i", v[i]),
                        ValuesRef::Unsigned(v) => format!("{}u", v[i]),
                        ValuesRef::Boolean(v) => v[i].to_string(),
                        ValuesRef::String(v) => format!("{:?}", v[i]),
                    };
                    out.push((t, v));
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    out
}

fn pts(v: &[(i64, &str)]) -> Vec<(i64, String)> {
    v.iter().map(|&(t, s)| (t, s.to_string())).collect()
}

#[test]
fn points_read_back_before_and_after_flush_and_restart() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    let out = write(
        &shard,
        "cpu,host=a v=1,n=2i,s=\"x\",b=true,u=3u 10\ncpu,host=a v=2 20\ncpu,host=b v=9 10\n",
    );
    assert_eq!(
        out,
        WriteOutcome {
            points: 3,
            values: 7,
            dropped: 0,
            first_drop: None
        }
    );
    let v = field_series(&shard, "cpu", &[("host", "a")], "v");
    let want = pts(&[(10, "1"), (20, "2")]);
    assert_eq!(points(&shard, v, i64::MIN, i64::MAX), want, "from the head");
    shard.flush().unwrap();
    assert_eq!(points(&shard, v, i64::MIN, i64::MAX), want, "from blocks");
    let s = field_series(&shard, "cpu", &[("host", "a")], "s");
    assert_eq!(points(&shard, s, 0, 100), pts(&[(10, "\"x\"")]));
    drop(shard);
    let shard = open(dir.path());
    assert_eq!(points(&shard, v, i64::MIN, i64::MAX), want, "after restart");
    assert_eq!(points(&shard, v, 15, 25), pts(&[(20, "2")]), "range");
    let u = field_series(&shard, "cpu", &[("host", "a")], "u");
    assert_eq!(points(&shard, u, 0, 100), pts(&[(10, "3u")]));
}

#[test]
fn unflushed_points_survive_a_restart() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    write(&shard, "m,t=1 v=1 1\nm,t=2 v=2 2\n");
    shard.flush().unwrap();
    write(&shard, "m,t=1 v=10 3\nm,t=3 w=\"s\" 4\n");
    drop(shard); // no flush: the last write is only in the WAL
    let shard = open(dir.path());
    let v = field_series(&shard, "m", &[("t", "1")], "v");
    assert_eq!(points(&shard, v, i64::MIN, i64::MAX), pts(&[(1, "1"), (3, "10")]));
    let w = field_series(&shard, "m", &[("t", "3")], "w");
    assert_eq!(points(&shard, w, i64::MIN, i64::MAX), pts(&[(4, "\"s\"")]));
    assert_eq!(shard.measurements(), vec!["m"]);
    assert_eq!(shard.tag_values("m", "t").unwrap(), vec!["1", "2", "3"]);
}

#[test]
fn the_same_time_twice_keeps_the_last_value_field_by_field() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    write(&shard, "d v=1,w=10 5\n");
    shard.flush().unwrap();
    write(&shard, "d v=2 5\n");
    let v = field_series(&shard, "d", &[], "v");
    let w = field_series(&shard, "d", &[], "w");
    assert_eq!(points(&shard, v, 0, 10), pts(&[(5, "2")]));
    assert_eq!(points(&shard, w, 0, 10), pts(&[(5, "10")]));
    shard.flush().unwrap();
    assert_eq!(
        points(&shard, v, 0, 10),
        pts(&[(5, "2")]),
        "after the overwrite is flushed"
    );
    write(&shard, "d v=3 5\nd v=4 5\n");
    assert_eq!(points(&shard, v, 0, 10), pts(&[(5, "4")]), "last of one batch");
}

#[test]
fn out_of_order_and_backfill_writes_merge_into_order() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    let lp: String = (0..3000).map(|i| format!("m v={i} {}\n", 3000 - i)).collect();
    write(&shard, &lp);
    shard.flush().unwrap();
    write(&shard, "m v=-1 1500\nm v=-2 0\nm v=-3 5000\n");
    let v = field_series(&shard, "m", &[], "v");
    let got = points(&shard, v, i64::MIN, i64::MAX);
    assert_eq!(got.len(), 3002);
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "in time order");
    assert_eq!(got[0], (0, "-2".into()));
    assert_eq!(got[1500], (1500, "-1".into()));
    shard.flush().unwrap();
    assert_eq!(
        points(&shard, v, i64::MIN, i64::MAX),
        got,
        "the same after merging into blocks"
    );
}

#[test]
fn storage_rules_drop_points_in_influxdb_words() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    write(&shard, "tc v=1 1\n");
    let out = write(&shard, "tc v=1i 2\ntc v=3 3\nok v=1 4\n");
    assert_eq!(out.points, 2);
    assert_eq!(out.dropped, 1);
    assert_eq!(
        out.first_drop.as_deref(),
        Some("field type conflict: input field \"v\" on measurement \"tc\" is type integer, already exists as type float")
    );
    // A conflict inside one batch: the first point decides.
    let out = write(&shard, "nb v=\"a\" 1\nnb v=true 2\n");
    assert_eq!((out.points, out.dropped), (1, 1));
    let out = write(&shard, "tt,time=1 v=1 1\n");
    assert_eq!(
        out.first_drop.as_deref(),
        Some("invalid tag key: input tag \"time\" on measurement \"tt\" is invalid")
    );
    let out = write(&shard, "tf time=1 1\n");
    assert_eq!(
        out.first_drop.as_deref(),
        Some("invalid field name: input field \"time\" on measurement \"tf\" is invalid")
    );
    let out = write(&shard, "tf2 time=1,v=2 1\n");
    assert_eq!(
        (out.points, out.values, out.dropped),
        (1, 1, 0),
        "a `time` field next to others is ignored"
    );
    assert_eq!(
        shard.fields("tf2").iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        vec!["v"]
    );
}

#[test]
fn listings_and_tag_predicates() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    write(
        &shard,
        "cpu,host=a,region=eu v=1 1\ncpu,host=b,region=us v=1 1\ncpu,host=c v=1 1\nmem,host=a free=1i 1\n",
    );
    assert_eq!(shard.measurements(), vec!["cpu", "mem"]);
    assert_eq!(shard.tag_keys("cpu").unwrap(), vec!["host", "region"]);
    assert_eq!(shard.tag_values("cpu", "host").unwrap(), vec!["a", "b", "c"]);
    assert_eq!(
        shard
            .fields("cpu")
            .iter()
            .map(|f| (f.0.as_str(), f.1))
            .collect::<Vec<_>>(),
        vec![("v", FieldType::Float)]
    );
    let hosts = |p: &TagPredicate| -> Vec<String> {
        let mut v: Vec<String> = shard
            .series("cpu", Some(p))
            .unwrap()
            .into_iter()
            .map(|s| {
                s.tags
                    .iter()
                    .find(|t| t.0 == "host")
                    .map(|t| t.1.clone())
                    .unwrap_or_default()
            })
            .collect();
        v.sort();
        v
    };
    let eq = |k: &str, v: &str| TagPredicate::Eq(k.into(), v.into());
    assert_eq!(hosts(&eq("region", "eu")), vec!["a"]);
    assert_eq!(
        hosts(&TagPredicate::NotEq("region".into(), "eu".into())),
        vec!["b", "c"],
        "!= includes series without the tag"
    );
    assert_eq!(
        hosts(&eq("region", "")),
        vec!["c"],
        "= '' selects series without the tag"
    );
    assert_eq!(
        hosts(&TagPredicate::Regex(
            "host".into(),
            regex::Regex::new("^[ab]$").unwrap()
        )),
        vec!["a", "b"]
    );
    assert_eq!(
        hosts(&TagPredicate::NotRegex("host".into(), regex::Regex::new("a").unwrap())),
        vec!["b", "c"]
    );
    assert_eq!(
        hosts(&TagPredicate::Or(Box::new(eq("host", "a")), Box::new(eq("host", "c")))),
        vec!["a", "c"]
    );
    assert_eq!(
        hosts(&TagPredicate::And(
            Box::new(eq("host", "a")),
            Box::new(eq("region", "us"))
        )),
        Vec::<String>::new()
    );
    assert_eq!(shard.series("cpu", None).unwrap().len(), 3);
}

#[test]
fn deletes_and_drops() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    let lp: String = (0..10)
        .map(|t| format!("cpu,host=a v={t} {t}\ncpu,host=b,rack=r1 v={t} {t}\n"))
        .collect();
    write(&shard, &lp);
    shard.flush().unwrap();
    write(&shard, "cpu,host=a v=100 100\n");
    assert_eq!(shard.tag_keys("cpu").unwrap(), vec!["host", "rack"]);
    // Listed values are cached until a series comes or goes.
    assert_eq!(shard.tag_values("cpu", "host").unwrap(), vec!["a", "b"]);
    write(&shard, "cpu,host=c v=1 1\n");
    assert_eq!(shard.tag_values("cpu", "host").unwrap(), vec!["a", "b", "c"]);
    shard
        .drop_series("cpu", Some(&TagPredicate::Eq("host".into(), "c".into())))
        .unwrap();
    assert_eq!(shard.tag_values("cpu", "host").unwrap(), vec!["a", "b"]);
    let a = field_series(&shard, "cpu", &[("host", "a")], "v");
    let b = field_series(&shard, "cpu", &[("host", "b"), ("rack", "r1")], "v");
    shard
        .delete("cpu", Some(&TagPredicate::Eq("host".into(), "a".into())), 3, 6)
        .unwrap();
    let times = |shard: &Shard, fs| {
        points(shard, fs, i64::MIN, i64::MAX)
            .into_iter()
            .map(|p| p.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(times(&shard, a), vec![0, 1, 2, 7, 8, 9, 100]);
    assert_eq!(times(&shard, b).len(), 10, "other series untouched");
    drop(shard);
    let shard = open(dir.path());
    assert_eq!(
        times(&shard, a),
        vec![0, 1, 2, 7, 8, 9, 100],
        "the delete is durable and nothing comes back"
    );
    shard
        .drop_series("cpu", Some(&TagPredicate::Eq("host".into(), "b".into())))
        .unwrap();
    assert_eq!(shard.tag_values("cpu", "host").unwrap(), vec!["a"]);
    assert_eq!(shard.tag_keys("cpu").unwrap(), vec!["host"], "rack went with host=b");
    assert!(times(&shard, b).is_empty());
    drop(shard);
    let shard = open(dir.path());
    assert_eq!(
        shard.tag_keys("cpu").unwrap(),
        vec!["host"],
        "tag keys read back on open"
    );
    shard.drop_measurement("cpu").unwrap();
    assert!(shard.measurements().is_empty());
    assert!(shard.series("cpu", None).unwrap().is_empty());
    assert!(shard.tag_keys("cpu").unwrap().is_empty());
    // The name can be reused with another type.
    write(&shard, "cpu,host=a v=\"now a string\" 1\n");
    assert_eq!(shard.fields("cpu")[0].1, FieldType::String);
}

#[test]
fn whole_blocks_come_as_summaries() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    let n = block::MAX_POINTS * 3;
    let lp: String = (0..n).map(|t| format!("m v={t} {t}\n")).collect();
    write(&shard, &lp);
    shard.flush().unwrap();
    write(&shard, &format!("m v=-1 {}\n", block::MAX_POINTS + 5)); // overwrite inside block 2
    let v = field_series(&shard, "m", &[], "v");
    let (mut summaries, mut points, mut sum) = (0, 0, 0.0);
    shard
        .read(
            v,
            0,
            n as i64,
            |_| true,
            |c| {
                match c {
                    Chunk::Summary(h) => {
                        summaries += 1;
                        points += h.count as usize;
                        if let Summary::Float { sum: s, .. } = h.summary {
                            sum += s;
                        }
                    }
                    Chunk::Points {
                        times,
                        values: ValuesRef::Float(v),
                    } => {
                        points += times.len();
                        sum += v.iter().sum::<f64>();
                    }
                    Chunk::Points { .. } => panic!("float column"),
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    assert_eq!(summaries, 2, "the untouched blocks");
    assert_eq!(points, n);
    let want: f64 = (0..n).map(|t| t as f64).sum::<f64>() - (block::MAX_POINTS + 5) as f64 - 1.0;
    assert_eq!(sum, want);
}

/// (index in the list, time, value) of every point `read_many` hands out.
fn read_many(shard: &Shard, list: &[FieldSeries], lo: i64, hi: i64) -> Vec<(usize, i64, f64)> {
    let mut out = Vec::new();
    shard
        .read_many(
            list,
            lo,
            hi,
            |_| false,
            |i, chunk| {
                let Chunk::Points {
                    times,
                    values: ValuesRef::Float(v),
                } = chunk
                else {
                    panic!("float points only")
                };
                out.extend(times.iter().zip(v).map(|(&t, &v)| (i, t, v)));
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    out
}

#[test]
fn read_many_equals_reads_one_by_one() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    // Three fields of 20 series: blocks (two flushes, the second overlapping the first),
    // then unflushed points, some overwriting flushed ones.
    for round in 0..3 {
        let lp: String = (0..20)
            .flat_map(|s| {
                (0..50).map(move |t| {
                    let t = t * 3 + round;
                    format!("m,h={s:02} a={t},b={},c={} {t}\n", t * 2, s)
                })
            })
            .collect();
        write(&shard, &lp);
        if round < 2 {
            shard.flush().unwrap();
        }
    }
    write(&shard, "m,h=03 a=-1 4\nm,h=07 b=-2 100\n");
    let mut list: Vec<FieldSeries> = ["a", "b", "c"]
        .iter()
        .flat_map(|f| (0..20).map(|s| field_series(&shard, "m", &[("h", &format!("{s:02}"))], f)))
        .collect();
    // Unordered, a field-series twice, and one that has no blocks.
    list.reverse();
    list.swap(3, 41);
    list.push(list[5]);
    list.push(FieldSeries { field: 99, series: 1 });
    for (lo, hi) in [(i64::MIN, i64::MAX), (10, 90), (1000, 2000)] {
        let mut want = Vec::new();
        for (i, &fs) in list.iter().enumerate() {
            for (t, v) in points(&shard, fs, lo, hi) {
                want.push((i, t, v.parse::<f64>().unwrap()));
            }
        }
        let mut got = read_many(&shard, &list, lo, hi);
        got.sort_by(|a, b| a.partial_cmp(b).unwrap());
        want.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(got.len(), want.len(), "{lo}..{hi}");
        assert_eq!(got, want, "{lo}..{hi}");
    }
}

#[test]
fn read_many_sees_every_point_while_the_head_is_flushed() {
    // A reader keeps one RocksDB iterator across series; a flush that lands meanwhile
    // moves points out of the head into blocks that iterator does not see. Every point
    // acknowledged before a read starts must be in it.
    let dir = TempDir::new().unwrap();
    let shard = std::sync::Arc::new(open(dir.path()));
    let series = 50;
    let rounds = 200;
    write(
        &shard,
        &(0..series).map(|s| format!("m,h={s:02} v=0 0\n")).collect::<String>(),
    );
    let list: Vec<FieldSeries> = (0..series)
        .map(|s| field_series(&shard, "m", &[("h", &format!("{s:02}"))], "v"))
        .collect();
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(1));
    let writer = {
        let (shard, written) = (std::sync::Arc::clone(&shard), std::sync::Arc::clone(&written));
        std::thread::spawn(move || {
            for t in 1..rounds {
                write(
                    &shard,
                    &(0..series)
                        .map(|s| format!("m,h={s:02} v={t} {t}\n"))
                        .collect::<String>(),
                );
                written.store(t + 1, std::sync::atomic::Ordering::SeqCst);
                if t % 3 == 0 {
                    shard.flush().unwrap();
                }
            }
        })
    };
    let mut reads = 0;
    loop {
        let acknowledged = written.load(std::sync::atomic::Ordering::SeqCst);
        let got = read_many(&shard, &list, i64::MIN, i64::MAX);
        let mut per_series = vec![0; series];
        for (i, _, _) in got {
            per_series[i] += 1;
        }
        for (s, &n) in per_series.iter().enumerate() {
            assert!(
                n >= acknowledged,
                "series {s}: {n} points read, {acknowledged} acknowledged"
            );
        }
        reads += 1;
        if acknowledged == rounds {
            break;
        }
    }
    writer.join().unwrap();
    assert!(reads > 1);
}

#[test]
fn background_flush_leaves_the_flush_to_the_flusher_within_bounds() {
    let dir = TempDir::new().unwrap();
    let options = ShardOptions {
        flush_bytes: 4096,
        flush_in_background: true,
        ..ShardOptions::default()
    };
    let shard = Shard::open(dir.path(), options).unwrap();
    // 400 points: about 6.5 kB of head, between one and two times flush_bytes.
    let body = |from: i64| -> String { (from..from + 400).map(|t| format!("m,t=a v={t} {t}\n")).collect() };
    // Past flush_bytes: the writer returns, the flush is wanted, the points wait in the head.
    write(&shard, &body(0));
    assert!(shard.wants_flush());
    let held = shard.head_bytes();
    assert!(held > 4096 && held < 2 * 4096, "{held}");
    // The flusher's call writes the head to blocks.
    assert!(shard.flush_if_wanted().unwrap());
    assert!(!shard.wants_flush());
    assert!(!shard.flush_if_wanted().unwrap(), "nothing left to flush");
    // With no flusher, a writer past twice flush_bytes flushes itself: the head stays bounded.
    let mut most = 0;
    for k in 1..10 {
        write(&shard, &body(k * 400));
        most = most.max(shard.head_bytes());
    }
    assert!(most < 2 * 4096, "the head reached {most} bytes");
    let v = field_series(&shard, "m", &[("t", "a")], "v");
    assert_eq!(points(&shard, v, i64::MIN, i64::MAX).len(), 4000);
}

#[test]
fn a_checkpoint_opens_as_a_copy() {
    let dir = TempDir::new().unwrap();
    let shard = open(&dir.path().join("live"));
    write(&shard, "m,t=a v=1 1\n");
    shard.flush().unwrap();
    write(&shard, "m,t=a v=2 2\n"); // only in the head and the WAL
    shard.checkpoint(&dir.path().join("copy")).unwrap();
    write(&shard, "m,t=a v=3 3\n"); // after the checkpoint
    let copy = open(&dir.path().join("copy"));
    let v = field_series(&copy, "m", &[("t", "a")], "v");
    assert_eq!(points(&copy, v, i64::MIN, i64::MAX), pts(&[(1, "1"), (2, "2")]));
    copy.destroy().unwrap();
    assert!(!dir.path().join("copy").exists());
}

#[test]
fn a_full_head_refuses_writes_with_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let options = ShardOptions {
        head_limit_bytes: 4096,
        flush_bytes: usize::MAX,
        ..ShardOptions::default()
    };
    let shard = Shard::open(dir.path(), options).unwrap();
    let lp: String = (0..100).map(|t| format!("m,t={t} v={t} {t}\n")).collect();
    write(&shard, &lp);
    let batch = parse_lines(b"m v=1 1\n", &ParseOptions::new(0));
    let err = shard.write(&batch.points().collect::<Vec<_>>()).unwrap_err();
    assert!(
        err.to_string().starts_with("cache-max-memory-size exceeded: ("),
        "{err}"
    );
    shard.flush().unwrap();
    shard.write(&batch.points().collect::<Vec<_>>()).unwrap();
}

#[test]
fn memory_counts_the_head_the_series_cache_and_rocksdb() {
    let dir = TempDir::new().unwrap();
    let shard = Shard::open(dir.path(), ShardOptions::default()).unwrap();
    let empty = shard.memory().unwrap();
    assert_eq!((empty.head, empty.series_cache), (0, 0));
    let lp: String = (0..1000).map(|t| format!("m,host=h{t} v={t} {t}\n")).collect();
    write(&shard, &lp);
    let written = shard.memory().unwrap();
    assert_eq!(written.head, shard.head_bytes());
    assert!(written.head >= 1000 * 16, "{written:?}");
    // 1000 keys of about 10 bytes, each in a map slot.
    assert!(written.series_cache >= 1000 * 10, "{written:?}");
    assert!(written.memtables > 0, "the index entries sit in memtables: {written:?}");
    shard.flush().unwrap();
    let flushed = shard.memory().unwrap();
    assert_eq!(flushed.head, 0);
    assert_eq!(flushed.series_cache, written.series_cache);
    assert!(flushed.memtables > written.memtables, "the blocks too: {flushed:?}");
}

#[test]
fn a_cold_shard_writes_out_its_memtables_and_warms_up_on_a_write() {
    let dir = TempDir::new().unwrap();
    let shard = Shard::open(dir.path(), ShardOptions::default()).unwrap();
    let lp: String = (0..1000).map(|t| format!("m,host=h{t} v={t} {t}\n")).collect();
    write(&shard, &lp);
    shard.flush().unwrap();
    let warm = shard.memory().unwrap().memtables;
    // Not cold yet: nothing is written out.
    assert!(!shard.flush_if_older(Duration::from_secs(3600)).unwrap());
    assert_eq!(shard.memory().unwrap().memtables, warm);
    // Cold (no write for 0 s): the memtables go to table files, empty ones stay.
    assert!(
        !shard.flush_if_older(Duration::ZERO).unwrap(),
        "the head was already flushed"
    );
    let cold = shard.memory().unwrap().memtables;
    assert!(cold * 4 < warm, "memtables {warm} -> {cold}");
    let h7 = field_series(&shard, "m", &[("host", "h7")], "v");
    assert_eq!(points(&shard, h7, 0, 1000), vec![(7, "7".to_string())]);
    // A write makes it warm again; the next cold check flushes the head and settles again.
    write(&shard, "m,host=h7 v=70 7\n");
    assert!(shard.flush_if_older(Duration::ZERO).unwrap());
    assert!(shard.memory().unwrap().memtables * 4 < warm);
    assert_eq!(points(&shard, h7, 0, 1000), vec![(7, "70".to_string())]);
}

#[test]
fn shards_sharing_rocks_options_share_one_memtable_budget() {
    let dir = TempDir::new().unwrap();
    let rocks = RocksOptions::new(1 << 20, 64 << 20);
    let open = |name: &str| {
        Shard::open(
            &dir.path().join(name),
            ShardOptions {
                rocks: rocks.clone(),
                ..ShardOptions::default()
            },
        )
        .unwrap()
    };
    let (a, b) = (open("a"), open("b"));
    let lp: String = (0..500).map(|t| format!("m,host=h{t} v={t} {t}\n")).collect();
    write(&a, &lp);
    write(&b, &lp);
    a.flush().unwrap();
    b.flush().unwrap();
    let (ma, mb) = (a.memory().unwrap().memtables, b.memory().unwrap().memtables);
    assert!(ma > 0 && mb > 0);
    // The manager counts the arenas of both shards' memtables.
    assert!(
        rocks.write_buffers.get_usage() >= ma.max(mb),
        "{} < {ma}, {mb}",
        rocks.write_buffers.get_usage()
    );
    assert_eq!(rocks.write_buffers.get_buffer_size(), 64 << 20);
}

#[test]
fn points_limited_equals_the_ends_of_all_points() {
    let dir = TempDir::new().unwrap();
    let shard = open(dir.path());
    // Blocks from two flushes (the second overlapping the first), then unflushed points.
    for round in 0..3 {
        let lp: String = (0..400).map(|t| format!("m,h=a v={t} {}\n", t * 3 + round)).collect();
        write(&shard, &lp);
        if round < 2 {
            shard.flush().unwrap();
        }
    }
    let fs = field_series(&shard, "m", &[("h", "a")], "v");
    for (lo, hi) in [(i64::MIN, i64::MAX), (100, 900), (5000, 6000)] {
        let (all, _) = shard.points(fs, lo, hi).unwrap();
        for limit in [1, 7, 399, 1200, 5000] {
            let (first, v) = shard.points_limited(fs, lo, hi, limit, false).unwrap();
            assert_eq!(first, all[..limit.min(all.len())], "first {limit} of {lo}..{hi}");
            assert_eq!(v.len(), first.len());
            let (last, v) = shard.points_limited(fs, lo, hi, limit, true).unwrap();
            assert_eq!(
                last,
                all[all.len() - limit.min(all.len())..],
                "last {limit} of {lo}..{hi}"
            );
            assert_eq!(v.len(), last.len());
        }
    }
}

#[test]
fn concurrent_writers_creating_series_and_a_shared_field_lose_nothing() {
    for round in 0..20 {
        let dir = TempDir::new().unwrap();
        let shard = open(dir.path());
        std::thread::scope(|scope| {
            for w in 0..4 {
                let shard = &shard;
                scope.spawn(move || {
                    let lp: String = (0..5)
                        .map(|i| format!("d,w=w{w} seq={}i {i}\n", w * 1000 + i))
                        .collect();
                    write(shard, &lp)
                });
            }
        });
        for w in 0..4 {
            let w_s = format!("w{w}");
            let fs = field_series(&shard, "d", &[("w", &w_s)], "seq");
            let got = points(&shard, fs, 0, 10);
            let want: Vec<(i64, String)> = (0..5).map(|i| (i, format!("{}i", w * 1000 + i))).collect();
            assert_eq!(got, want, "round {round}, writer {w}, {fs:?}");
        }
    }
}
