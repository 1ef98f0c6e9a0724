//! Whole blocks: round trips of every type through [`encode`] and [`decode`], the header's
//! summary against the values, refusal of bad input, and corrupt bytes never panicking.

use proptest::prelude::*;

use super::*;

const T0: i64 = 1_767_225_600_000_000_000;

/// Encodes, decodes both ways, and checks the header against the input.
fn round_trip(times: &[i64], values: &Values) -> Vec<u8> {
    let mut block = vec![0xAA]; // encode appends
    encode(times, values.as_ref(), &mut block).unwrap();
    let block = &block[1..];
    let header = decode_header(block).unwrap();
    let (mut t, mut v) = (vec![1, 2, 3], Values::Boolean(vec![true]));
    assert_eq!(decode(block, &mut t, &mut v).unwrap(), header);
    assert_eq!(t, times);
    match (values, &v) {
        (Values::Float(a), Values::Float(b)) => {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(a), bits(b));
        }
        _ => assert_eq!(&v, values),
    }
    assert_eq!(header.field_type, values.field_type());
    assert_eq!(header.count as usize, times.len());
    assert_eq!((header.min_time, header.max_time), (times[0], times[times.len() - 1]));
    check_summary(&header.summary, values);
    block.to_vec()
}

/// The summary as the straightforward loops compute it.
fn check_summary(summary: &Summary, values: &Values) {
    match (summary, values) {
        (
            &Summary::Float {
                sum,
                min,
                max,
                first,
                last,
            },
            Values::Float(v),
        ) => {
            let mut s = 0.0;
            for x in v {
                s += x;
            }
            let lo = v.iter().copied().fold(v[0], |m, x| if x < m { x } else { m });
            let hi = v.iter().copied().fold(v[0], |m, x| if x > m { x } else { m });
            let got = [sum, min, max, first, last].map(f64::to_bits);
            assert_eq!(got, [s, lo, hi, v[0], v[v.len() - 1]].map(f64::to_bits));
        }
        (
            &Summary::Integer {
                sum,
                min,
                max,
                first,
                last,
            },
            Values::Integer(v),
        ) => {
            let s: i128 = v.iter().map(|&x| i128::from(x)).sum();
            let want = (
                s,
                *v.iter().min().unwrap(),
                *v.iter().max().unwrap(),
                v[0],
                v[v.len() - 1],
            );
            assert_eq!((sum, min, max, first, last), want);
        }
        (
            &Summary::Unsigned {
                sum,
                min,
                max,
                first,
                last,
            },
            Values::Unsigned(v),
        ) => {
            let s: u128 = v.iter().map(|&x| u128::from(x)).sum();
            let want = (
                s,
                *v.iter().min().unwrap(),
                *v.iter().max().unwrap(),
                v[0],
                v[v.len() - 1],
            );
            assert_eq!((sum, min, max, first, last), want);
        }
        (&Summary::Boolean { trues, first, last }, Values::Boolean(v)) => {
            let t = v.iter().filter(|&&b| b).count() as u32;
            assert_eq!((trues, first, last), (t, v[0], v[v.len() - 1]));
        }
        (Summary::String, Values::String(_)) => {}
        (s, v) => panic!("summary {s:?} for {v:?}"),
    }
}

#[test]
fn refuses_bad_input() {
    let f = |times: &[i64], values: Values, want: &str| {
        let mut out = Vec::new();
        let err = encode(times, values.as_ref(), &mut out).unwrap_err();
        assert_eq!(err.to_string(), want);
        assert!(out.is_empty());
    };
    f(&[], Values::Integer(vec![]), "cannot encode block: no points");
    let many: Vec<i64> = (0..MAX_POINTS as i64 + 1).collect();
    f(
        &many,
        Values::Boolean(vec![true; MAX_POINTS + 1]),
        "cannot encode block: 1025 points; want at most 1024",
    );
    f(
        &[1, 2],
        Values::Integer(vec![1]),
        "cannot encode block: 2 timestamps but 1 values",
    );
    f(
        &[1, 3, 3],
        Values::Integer(vec![1; 3]),
        "cannot encode block: timestamps not strictly increasing at point 2: 3 after 3",
    );
    f(
        &[5, 4],
        Values::Integer(vec![1; 2]),
        "cannot encode block: timestamps not strictly increasing at point 1: 4 after 5",
    );
    f(
        &[1, 2],
        Values::Float(vec![1.0, f64::NAN]),
        "cannot encode block: float value NaN at point 1 is not finite",
    );
    f(
        &[1],
        Values::Float(vec![f64::NEG_INFINITY]),
        "cannot encode block: float value -inf at point 0 is not finite",
    );
}

#[test]
fn header_sizes() {
    let f = |values: Values, want_header: usize, want_total: usize| {
        let n = values.len() as i64;
        let times: Vec<i64> = (0..n).map(|i| T0 + i * 10_000_000_000).collect();
        let block = round_trip(&times, &values);
        let mut r = Reader::new(&block);
        header::read(&mut r).unwrap();
        assert_eq!(
            (block.len() - r.remaining(), block.len()),
            (want_header, want_total),
            "{values:?}"
        );
    };
    // tag, count, min_time (5), interval, summary.
    f(
        Values::Integer(vec![8; 100]),
        1 + 1 + 5 + 1 + (2 + 1 + 1 + 1 + 1),
        14 + 2,
    );
    f(Values::Integer(vec![8]), 1 + 1 + 5 + 1, 8);
    f(Values::Boolean(vec![true; 100]), 1 + 1 + 5 + 1 + 2, 10);
    f(Values::Float(vec![0.5; 100]), 1 + 1 + 5 + 1 + 8 + 8 + 3, 27 + 2);
    f(
        Values::String(vec!["up 5 min".into(); 100]),
        1 + 1 + 5 + 1,
        8 + 1 + 2 + 8,
    );
}

#[test]
fn reuses_buffers_and_types() {
    let mut block = Vec::new();
    encode(&[1, 2], ValuesRef::Unsigned(&[u64::MAX, 0]), &mut block).unwrap();
    let (mut t, mut v) = (Vec::with_capacity(100), Values::Unsigned(Vec::with_capacity(100)));
    decode(&block, &mut t, &mut v).unwrap();
    assert_eq!(v, Values::Unsigned(vec![u64::MAX, 0]));
    assert!(t.capacity() >= 100 && matches!(&v, Values::Unsigned(u) if u.capacity() >= 100));
}

#[test]
fn corrupt_headers() {
    let f = |bytes: &[u8], want: &str| assert_eq!(decode_header(bytes).unwrap_err().to_string(), want);
    f(&[], "cannot decode block header: got 0 bytes; want at least 1");
    f(&[5, 1, 0], "cannot decode block header: unknown field type 5");
    f(&[0, 0], "cannot decode block header: count 0; want 1..=1024");
    f(
        &[0, 0x81, 0x08],
        "cannot decode block header: count 1025; want 1..=1024",
    );
    f(
        &[1, 2, 0, 0],
        "cannot decode block header: 2 points 0 ns apart from 0 overflow",
    );
    f(&[1, 1, 0], "cannot decode block header: got 3 bytes; want at least 4");
    f(&[3, 2, 0, 32, 3], "cannot decode block header: 0 trues in 2 booleans");
    // Trailing bytes after a valid block.
    let mut block = Vec::new();
    encode(&[1], ValuesRef::Integer(&[5]), &mut block).unwrap();
    block.push(0);
    let err = decode(&block, &mut Vec::new(), &mut Values::Integer(Vec::new())).unwrap_err();
    assert_eq!(err.to_string(), "cannot decode block: 1 bytes after the values");
}

fn times(n: usize) -> impl Strategy<Value = Vec<i64>> {
    prop_oneof![
        (any::<i64>(), 1i64..1_000_000_000_000).prop_map(move |(t0, step)| {
            let t0 = t0.clamp(i64::MIN, i64::MAX - step * n as i64);
            (0..n as i64).map(|i| t0 + i * step).collect()
        }),
        prop::collection::btree_set(any::<i64>(), n).prop_map(|s| s.into_iter().collect()),
        prop::collection::vec(1i64..3, n).prop_map(|steps| {
            steps
                .iter()
                .scan(T0, |t, &s| {
                    *t += s * 1_000_000_000;
                    Some(*t)
                })
                .collect()
        }),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        prop::sample::select(vec![
            0.0,
            -0.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            1.5
        ]),
        (-10_000i64..10_000).prop_map(|m| m as f64 / 100.0),
    ]
}

fn values(n: usize) -> impl Strategy<Value = Values> {
    let ints = prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), -3i64..3];
    let uints = prop_oneof![any::<u64>(), Just(u64::MAX), Just(0u64), 0u64..3];
    prop_oneof![
        prop::collection::vec(float(), n).prop_map(Values::Float),
        float().prop_map(move |x| Values::Float(vec![x; n])),
        prop::collection::vec(ints, n).prop_map(Values::Integer),
        (any::<i64>(), -5i64..5)
            .prop_map(move |(a, d)| Values::Integer((0..n as i64).map(|i| a.wrapping_add(i * d)).collect())),
        prop::collection::vec(uints, n).prop_map(Values::Unsigned),
        prop::collection::vec(any::<bool>(), n).prop_map(Values::Boolean),
        any::<bool>().prop_map(move |b| Values::Boolean(vec![b; n])),
        prop::collection::vec("[a-c]{0,3}|.{0,12}", n).prop_map(Values::String),
    ]
}

fn block() -> impl Strategy<Value = (Vec<i64>, Values)> {
    prop_oneof![1usize..4, 1usize..300, Just(MAX_POINTS)].prop_flat_map(|n| (times(n), values(n)))
}

/// Up to 200 points: the corruption test decodes a block twice per byte.
fn small_block() -> impl Strategy<Value = (Vec<i64>, Values)> {
    prop_oneof![1usize..4, 1usize..200].prop_flat_map(|n| (times(n), values(n)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn round_trips((times, values) in block()) {
        round_trip(&times, &values);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_header(&bytes);
        let _ = decode(&bytes, &mut Vec::new(), &mut Values::Float(Vec::new()));
    }

    /// Every truncation and every single-byte change of a valid block decodes or errs.
    #[test]
    fn corruption_never_panics((times, values) in small_block(), flip in 1u8..=255) {
        let block = round_trip(&times, &values);
        let (mut t, mut v) = (Vec::new(), Values::Float(Vec::new()));
        for cut in 0..block.len() {
            prop_assert!(decode(&block[..cut], &mut t, &mut v).is_err(), "cut at {}", cut);
            let _ = decode_header(&block[..cut]);
        }
        let mut bad = block.clone();
        for i in 0..bad.len() {
            bad[i] ^= flip;
            let _ = decode_header(&bad);
            let _ = decode(&bad, &mut t, &mut v);
            bad[i] ^= flip;
        }
    }
}
