//! Tests of functions.rs. Every expected value was observed on InfluxDB 1.6.7 (the
//! reference), on the same data written to it, unless a comment says otherwise.

use influxql::{parse_query, Call, Expr, Statement};

use super::*;

const S: i64 = SECOND;

/// The first call of `SELECT <expr> FROM m`.
fn call(expr: &str) -> Call {
    let q = parse_query(&format!("SELECT {expr} FROM m")).expect("parses");
    let Statement::Select(s) = &q.statements[0] else {
        panic!("not a SELECT")
    };
    match &s.fields[0].expr {
        Expr::Call(c) => c.clone(),
        other => panic!("not a call: {other:?}"),
    }
}

fn bucket(expr: &str) -> BucketFunction {
    BucketFunction::from_call(&call(expr)).expect("valid call")
}

fn tf(expr: &str, interval: i64) -> Transform {
    Transform::from_call(&call(expr), interval).expect("valid call")
}

fn pt(t: i64, v: Value) -> Point {
    Point::new(t * S, v)
}

fn fl(t: i64, v: f64) -> Point {
    pt(t, Value::Float(v))
}

fn int(t: i64, v: i64) -> Point {
    pt(t, Value::Integer(v))
}

fn null(t: i64) -> Point {
    pt(t, Value::Null)
}

fn with_aux(mut p: Point, aux: &[&str]) -> Point {
    p.aux = aux.iter().map(|s| Value::String((*s).to_owned())).collect();
    p
}

/// (seconds, value) of each point.
fn secs(points: &[Point]) -> Vec<(i64, Value)> {
    points.iter().map(|p| (p.time / S, p.value.clone())).collect()
}

fn floats(points: &[(i64, f64)]) -> Vec<(i64, Value)> {
    points.iter().map(|(t, v)| (*t, Value::Float(*v))).collect()
}

fn ints(points: &[(i64, i64)]) -> Vec<(i64, Value)> {
    points.iter().map(|(t, v)| (*t, Value::Integer(*v))).collect()
}

/// Equal times and values within 1e-9 relative (NaN equals NaN).
fn assert_close(got: &[Point], want: &[(i64, f64)], what: &str) {
    let got_t: Vec<i64> = got.iter().map(|p| p.time / S).collect();
    let want_t: Vec<i64> = want.iter().map(|w| w.0).collect();
    assert_eq!(got_t, want_t, "{what}: times");
    for (p, (t, w)) in got.iter().zip(want) {
        let Value::Float(g) = p.value else {
            panic!("{what}: {:?} at {t} is not a float", p.value)
        };
        let ok = (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-9 * w.abs().max(1e-300) || g == *w;
        assert!(ok, "{what} at {t}s: got {g:?}, want {w:?}");
    }
}

// ---- the `d1` data: m,host=… v at 1s..6s -------------------------------------------------

/// f: 3 (a), 1 (b), 3 (a), 2 (c), 1 (b), 5 (a) at 1s..6s; `i` the same as integers.
fn d1_f() -> Vec<Point> {
    [3.0, 1.0, 3.0, 2.0, 1.0, 5.0]
        .iter()
        .enumerate()
        .map(|(k, v)| fl(k as i64 + 1, *v))
        .collect()
}

fn d1_i() -> Vec<Point> {
    [3, 1, 3, 2, 1, 5]
        .iter()
        .enumerate()
        .map(|(k, v)| int(k as i64 + 1, *v))
        .collect()
}

/// Splits points into GROUP BY time(`every`s) buckets, as (start, points).
fn buckets(points: Vec<Point>, every: i64) -> Vec<(i64, Vec<Point>)> {
    let mut out: Vec<(i64, Vec<Point>)> = Vec::new();
    for p in points {
        let start = p.time - p.time.rem_euclid(every * S);
        match out.last_mut() {
            Some((s, b)) if *s == start => b.push(p),
            _ => out.push((start, vec![p])),
        }
    }
    out
}

#[test]
fn distinct_keeps_first_seen_order_at_window_start() {
    // SELECT distinct(v) FROM f → 3, 1, 2, 5, all at 1970-01-01T00:00:00Z.
    let got = reduce(&bucket("distinct(v)"), d1_f(), 0).unwrap();
    assert_eq!(secs(&got), floats(&[(0, 3.0), (0, 1.0), (0, 2.0), (0, 5.0)]));
    // Integers keep their type.
    let got = reduce(&bucket("distinct(v)"), d1_i(), 0).unwrap();
    assert_eq!(secs(&got), ints(&[(0, 3), (0, 1), (0, 2), (0, 5)]));
    // ... GROUP BY time(3s): [0,3) 3, 1; [3,6) 3, 2, 1; [6,9) 5.
    let mut all = Vec::new();
    for (start, pts) in buckets(d1_f(), 3) {
        all.extend(reduce(&bucket("distinct(v)"), pts, start).unwrap());
    }
    assert_eq!(
        secs(&all),
        floats(&[(0, 3.0), (0, 1.0), (3, 3.0), (3, 2.0), (3, 1.0), (6, 5.0)])
    );
}

#[test]
fn distinct_equal_times_by_value_and_other_types() {
    // f2: 9 (a), 7 (b), 8 (c) all at 10s → 7, 8, 9.
    let pts = vec![fl(10, 9.0), fl(10, 7.0), fl(10, 8.0)];
    let got = reduce(&bucket("distinct(v)"), pts, 5 * S).unwrap();
    assert_eq!(secs(&got), floats(&[(5, 7.0), (5, 8.0), (5, 9.0)]));
    // b2: true (a), false (b) at 10s → false, true.
    let pts = vec![pt(10, Value::Boolean(true)), pt(10, Value::Boolean(false))];
    let got = reduce(&bucket("distinct(v)"), pts, 0).unwrap();
    assert_eq!(secs(&got), vec![(0, Value::Boolean(false)), (0, Value::Boolean(true))]);
    // s: x, a, x, m, a → x, a, m.
    let pts: Vec<Point> = ["x", "a", "x", "m", "a"]
        .iter()
        .enumerate()
        .map(|(k, s)| pt(k as i64 + 1, Value::String((*s).to_owned())))
        .collect();
    let got = reduce(&bucket("distinct(v)"), pts, 0).unwrap();
    let want: Vec<(i64, Value)> = ["x", "a", "m"]
        .iter()
        .map(|s| (0, Value::String((*s).to_owned())))
        .collect();
    assert_eq!(secs(&got), want);
    // 0 and -0 are one value (Go's ==).
    let got = reduce(&bucket("distinct(v)"), vec![fl(1, 0.0), fl(2, -0.0)], 0).unwrap();
    assert_eq!(got.len(), 1);
    assert!(reduce(&bucket("distinct(v)"), Vec::new(), 0).unwrap().is_empty());
}

/// tb: v by time (s), in ascending query order (equal times in series-key order), with
/// aux [host, dc].
fn tb() -> Vec<Point> {
    vec![
        with_aux(fl(1, 5.0), &["a", "x"]),
        with_aux(fl(2, 9.0), &["b", "x"]),
        with_aux(fl(3, 9.0), &["a", "y"]),
        with_aux(fl(4, 1.0), &["c", "y"]),
        with_aux(fl(5, 9.0), &["c", "x"]),
        with_aux(fl(5, 7.0), &["b", "y"]),
        with_aux(fl(6, 2.0), &["a", "x"]),
        with_aux(fl(7, 1.0), &["b", "x"]),
    ]
}

/// The query order of tb with ORDER BY time DESC (equal times in reverse series-key order).
fn tb_desc() -> Vec<Point> {
    let mut pts = tb();
    pts.reverse();
    pts
}

#[test]
fn distinct_desc_keeps_the_latest_occurrence() {
    // SELECT distinct(v) FROM tb ORDER BY time DESC → 5, 7, 9, 2, 1.
    let got = reduce(&bucket("distinct(v)"), tb_desc(), 0).unwrap();
    assert_eq!(secs(&got), floats(&[(0, 5.0), (0, 7.0), (0, 9.0), (0, 2.0), (0, 1.0)]));
}

#[test]
fn median_is_float_and_refuses_strings() {
    let mo = |vals: &[i64]| -> Vec<Point> { vals.iter().enumerate().map(|(k, v)| int(k as i64 + 1, *v)).collect() };
    let m = bucket("median(v)");
    assert_eq!(secs(&reduce(&m, mo(&[5, 3, 5, 3]), 0).unwrap()), floats(&[(0, 4.0)]));
    assert_eq!(secs(&reduce(&m, mo(&[1, 2, 3]), 0).unwrap()), floats(&[(0, 2.0)]));
    assert_eq!(secs(&reduce(&m, mo(&[7]), 0).unwrap()), floats(&[(0, 7.0)]));
    // i GROUP BY time(5s): [0,5) 3 1 3 2 → 2.5; [5,10) 1 5 → 3.
    assert_eq!(secs(&reduce(&m, mo(&[3, 1, 3, 2]), 0).unwrap()), floats(&[(0, 2.5)]));
    assert_eq!(secs(&reduce(&m, mo(&[1, 5]), 5 * S).unwrap()), floats(&[(5, 3.0)]));
    assert_eq!(secs(&reduce(&m, mo(PQ_B), 0).unwrap()), floats(&[(0, 4.5)]));
    assert_eq!(secs(&reduce(&m, tb_desc(), 0).unwrap()), floats(&[(0, 6.0)]));
    let err = reduce(&m, vec![pt(1, Value::String("x".into()))], 0).unwrap_err();
    assert_eq!(err, "unsupported median iterator type: *query.stringInterruptIterator");
    let err = reduce(&m, vec![pt(1, Value::Boolean(true))], 0).unwrap_err();
    assert_eq!(err, "unsupported median iterator type: *query.booleanInterruptIterator");
    assert!(reduce(&m, Vec::new(), 0).unwrap().is_empty());
}

#[test]
fn mode_ties_as_influxdb() {
    let mo = |vals: &[i64]| -> Vec<Point> { vals.iter().enumerate().map(|(k, v)| int(k as i64 + 1, *v)).collect() };
    let m = bucket("mode(v)");
    // SELECT mode(v) FROM mo GROUP BY k.
    assert_eq!(secs(&reduce(&m, mo(&[5, 3, 5, 3]), 0).unwrap()), ints(&[(0, 5)]));
    assert_eq!(secs(&reduce(&m, mo(&[3, 5, 5, 3]), 0).unwrap()), ints(&[(0, 5)]));
    assert_eq!(secs(&reduce(&m, mo(&[3, 3, 5, 5]), 0).unwrap()), ints(&[(0, 3)]));
    assert_eq!(secs(&reduce(&m, mo(&[7]), 0).unwrap()), ints(&[(0, 7)]));
    assert_eq!(secs(&reduce(&m, mo(&[1, 2, 3]), 0).unwrap()), ints(&[(0, 1)]));
    // pq: 30 and 40 points, where Go's unstable sort decides the tie.
    assert_eq!(secs(&reduce(&m, mo(PQ_A), 0).unwrap()), ints(&[(0, 1)]));
    assert_eq!(secs(&reduce(&m, mo(PQ_B), 0).unwrap()), ints(&[(0, 3)]));
    // tb, and tb GROUP BY time(4s): [0,4) 9, [4,8) 1.
    assert_eq!(secs(&reduce(&m, tb(), 0).unwrap()), floats(&[(0, 9.0)]));
    let got: Vec<Point> = buckets(tb(), 4)
        .into_iter()
        .flat_map(|(s, p)| reduce(&m, p, s).unwrap())
        .collect();
    assert_eq!(secs(&got), floats(&[(0, 9.0), (4, 1.0)]));
}

#[test]
fn mode_of_strings_and_booleans() {
    let m = bucket("mode(v)");
    let pts: Vec<Point> = ["x", "a", "x", "m", "a"]
        .iter()
        .enumerate()
        .map(|(k, s)| pt(k as i64 + 1, Value::String((*s).to_owned())))
        .collect();
    assert_eq!(secs(&reduce(&m, pts, 0).unwrap()), vec![(0, Value::String("x".into()))]);
    let b = |v: bool| pt(1, Value::Boolean(v));
    assert_eq!(
        secs(&reduce(&m, vec![b(true), b(false), b(true)], 0).unwrap()),
        vec![(0, Value::Boolean(true))]
    );
    // A tie: true.
    assert_eq!(
        secs(&reduce(&m, vec![b(true), b(false)], 0).unwrap()),
        vec![(0, Value::Boolean(true))]
    );
}

#[test]
fn percentile_selects_a_point() {
    let p = |x: f64| BucketFunction::Percentile(x);
    // i: 3 1 3 2 1 5 at 1s..6s (with aux host a b a c b a).
    let hosts = ["a", "b", "a", "c", "b", "a"];
    let pts = || -> Vec<Point> { d1_i().into_iter().zip(hosts).map(|(q, h)| with_aux(q, &[h])).collect() };
    let cases: &[(f64, Option<(i64, i64)>)] = &[
        (0.0, None),
        (1.0, None),
        (8.3, None),
        (8.4, Some((2, 1))),
        (10.0, Some((2, 1))),
        (20.0, Some((2, 1))),
        (25.0, Some((5, 1))),
        (50.0, Some((4, 2))),
        (50.5, Some((4, 2))),
        (75.0, Some((3, 3))),
        (83.3, Some((3, 3))),
        (99.0, Some((6, 5))),
        (100.0, Some((6, 5))),
        (101.0, Some((6, 5))),
        (-5.0, None),
    ];
    for (x, want) in cases {
        let got = reduce(&p(*x), pts(), 0).unwrap();
        assert_eq!(
            secs(&got),
            want.iter().map(|(t, v)| (*t, Value::Integer(*v))).collect::<Vec<_>>(),
            "p={x}"
        );
    }
    // SELECT percentile(v, 50), host FROM i → 4s, 2, "c".
    let got = reduce(&p(50.0), pts(), 0).unwrap();
    assert_eq!(got[0].aux, vec![Value::String("c".into())]);
    assert_eq!(bucket("percentile(v, 50)"), p(50.0));
    assert_eq!(bucket("percentile(v, 50.5)"), p(50.5));
    let err = reduce(&p(50.0), vec![pt(1, Value::String("x".into()))], 0).unwrap_err();
    assert_eq!(
        err,
        "unsupported percentile iterator type: *query.stringInterruptIterator"
    );
}

#[test]
fn percentile_ties_follow_go_unstable_sort() {
    for (series, x, want) in PERCENTILE_CASES {
        let vals = if *series == "a" { PQ_A } else { PQ_B };
        let pts: Vec<Point> = vals.iter().enumerate().map(|(k, v)| int(k as i64 + 1, *v)).collect();
        let got = reduce(&BucketFunction::Percentile(*x), pts, 0).unwrap();
        let want: Vec<(i64, Value)> = want.iter().map(|(t, v)| (*t, Value::Integer(*v))).collect();
        assert_eq!(secs(&got), want, "pq s={series} p={x}");
    }
}

#[test]
fn sample_returns_at_most_n_points_in_time_order() {
    let all = tb();
    for _ in 0..20 {
        let got = reduce(&bucket("sample(v, 3)"), tb(), 0).unwrap();
        assert_eq!(got.len(), 3);
        assert!(got.windows(2).all(|w| w[0].time <= w[1].time));
        assert!(
            got.iter().all(|p| all.contains(p)),
            "points keep their time, value and aux"
        );
    }
    // SELECT sample(v, 30) FROM tb → every point, by time then value.
    let got = reduce(&bucket("sample(v, 30)"), tb(), 0).unwrap();
    assert_eq!(
        secs(&got),
        floats(&[
            (1, 5.0),
            (2, 9.0),
            (3, 9.0),
            (4, 1.0),
            (5, 7.0),
            (5, 9.0),
            (6, 2.0),
            (7, 1.0)
        ])
    );
    // Strings too.
    let got = reduce(&bucket("sample(v, 1)"), vec![pt(1, Value::String("x".into()))], 0).unwrap();
    assert_eq!(got.len(), 1);
}

fn top_case(expr: &str, pts: Vec<Point>) -> Vec<(i64, Value, Vec<Value>)> {
    reduce(&bucket(expr), pts, 0)
        .unwrap()
        .into_iter()
        .map(|p| (p.time / S, p.value, p.aux))
        .collect()
}

fn rows3(rows: &[(i64, f64, &[&str])]) -> Vec<(i64, Value, Vec<Value>)> {
    rows.iter()
        .map(|(t, v, aux)| {
            (
                *t,
                Value::Float(*v),
                aux.iter().map(|s| Value::String((*s).to_owned())).collect(),
            )
        })
        .collect()
}

/// tb with aux reduced to the tags named (in argument order), as the executor passes them.
fn tb_aux(pick: &[usize], desc: bool) -> Vec<Point> {
    let mut pts = if desc { tb_desc() } else { tb() };
    for p in &mut pts {
        p.aux = pick.iter().map(|i| p.aux[*i].clone()).collect();
    }
    pts
}

#[test]
fn top_and_bottom_without_tags() {
    let x: &[&str] = &[];
    assert_eq!(
        top_case("top(v, 2)", tb_aux(&[], false)),
        rows3(&[(2, 9.0, x), (3, 9.0, x)])
    );
    assert_eq!(
        top_case("top(v, 3)", tb_aux(&[], false)),
        rows3(&[(2, 9.0, x), (3, 9.0, x), (5, 9.0, x)])
    );
    assert_eq!(
        top_case("top(v, 10)", tb_aux(&[], false)),
        rows3(&[
            (1, 5.0, x),
            (2, 9.0, x),
            (3, 9.0, x),
            (4, 1.0, x),
            (5, 9.0, x),
            (5, 7.0, x),
            (6, 2.0, x),
            (7, 1.0, x)
        ])
    );
    assert_eq!(
        top_case("bottom(v, 2)", tb_aux(&[], false)),
        rows3(&[(4, 1.0, x), (7, 1.0, x)])
    );
    assert_eq!(
        top_case("bottom(v, 3)", tb_aux(&[], false)),
        rows3(&[(4, 1.0, x), (6, 2.0, x), (7, 1.0, x)])
    );
    // ORDER BY time DESC: rows stay in ascending time within the bucket.
    assert_eq!(
        top_case("top(v, 3)", tb_aux(&[], true)),
        rows3(&[(2, 9.0, x), (3, 9.0, x), (5, 9.0, x)])
    );
    assert_eq!(
        top_case("bottom(v, 4)", tb_aux(&[], true)),
        rows3(&[(1, 5.0, x), (4, 1.0, x), (6, 2.0, x), (7, 1.0, x)])
    );
    // GROUP BY time(4s): the points' times, not the buckets'.
    let got: Vec<Point> = buckets(tb_aux(&[], false), 4)
        .into_iter()
        .flat_map(|(s, p)| reduce(&bucket("top(v, 2)"), p, s).unwrap())
        .collect();
    assert_eq!(secs(&got), floats(&[(2, 9.0), (3, 9.0), (5, 9.0), (5, 7.0)]));
    let got: Vec<Point> = buckets(tb_aux(&[], false), 4)
        .into_iter()
        .flat_map(|(s, p)| reduce(&bucket("bottom(v, 2)"), p, s).unwrap())
        .collect();
    assert_eq!(secs(&got), floats(&[(1, 5.0), (2, 9.0), (4, 1.0), (7, 1.0)]));
}

#[test]
fn top_and_bottom_with_tags() {
    let t = |expr: &str, pick: &[usize]| top_case(expr, tb_aux(pick, false));
    assert_eq!(t("top(v, host, 2)", &[0]), rows3(&[(2, 9.0, &["b"]), (3, 9.0, &["a"])]));
    assert_eq!(
        t("top(v, host, 5)", &[0]),
        rows3(&[(2, 9.0, &["b"]), (3, 9.0, &["a"]), (5, 9.0, &["c"])])
    );
    assert_eq!(
        t("bottom(v, host, 2)", &[0]),
        rows3(&[(4, 1.0, &["c"]), (7, 1.0, &["b"])])
    );
    assert_eq!(
        t("bottom(v, host, 3)", &[0]),
        rows3(&[(4, 1.0, &["c"]), (6, 2.0, &["a"]), (7, 1.0, &["b"])])
    );
    assert_eq!(t("top(v, dc, 2)", &[1]), rows3(&[(2, 9.0, &["x"]), (3, 9.0, &["y"])]));
    assert_eq!(
        t("top(v, host, dc, 10)", &[0, 1]),
        rows3(&[
            (1, 5.0, &["a", "x"]),
            (2, 9.0, &["b", "x"]),
            (3, 9.0, &["a", "y"]),
            (4, 1.0, &["c", "y"]),
            (5, 9.0, &["c", "x"]),
            (5, 7.0, &["b", "y"])
        ])
    );
    assert_eq!(
        t("bottom(v, dc, host, 10)", &[1, 0]),
        rows3(&[
            (3, 9.0, &["y", "a"]),
            (4, 1.0, &["y", "c"]),
            (5, 7.0, &["y", "b"]),
            (5, 9.0, &["x", "c"]),
            (6, 2.0, &["x", "a"]),
            (7, 1.0, &["x", "b"])
        ])
    );
    let got = top_case("top(v, host, 10)", tb_aux(&[0], true));
    assert_eq!(got, rows3(&[(2, 9.0, &["b"]), (3, 9.0, &["a"]), (5, 9.0, &["c"])]));
}

#[test]
fn top_and_bottom_full_ties() {
    // tb2: 4 (b) and 4 (a) at 1s, 4 (a) and 3 (c) at 2s; aux = [host].
    let asc = || {
        vec![
            with_aux(fl(1, 4.0), &["a"]),
            with_aux(fl(1, 4.0), &["b"]),
            with_aux(fl(2, 4.0), &["a"]),
            with_aux(fl(2, 3.0), &["c"]),
        ]
    };
    let desc = || {
        vec![
            with_aux(fl(2, 3.0), &["c"]),
            with_aux(fl(2, 4.0), &["a"]),
            with_aux(fl(1, 4.0), &["b"]),
            with_aux(fl(1, 4.0), &["a"]),
        ]
    };
    // SELECT top(v, N), host FROM tb2 [ORDER BY time DESC]
    assert_eq!(top_case("top(v, 1)", asc()), rows3(&[(1, 4.0, &["a"])]));
    assert_eq!(
        top_case("top(v, 2)", asc()),
        rows3(&[(1, 4.0, &["a"]), (1, 4.0, &["b"])])
    );
    assert_eq!(
        top_case("top(v, 3)", asc()),
        rows3(&[(1, 4.0, &["b"]), (1, 4.0, &["a"]), (2, 4.0, &["a"])])
    );
    assert_eq!(
        top_case("top(v, 4)", asc()),
        rows3(&[(1, 4.0, &["a"]), (1, 4.0, &["b"]), (2, 4.0, &["a"]), (2, 3.0, &["c"])])
    );
    assert_eq!(
        top_case("bottom(v, 2)", asc()),
        rows3(&[(1, 4.0, &["b"]), (2, 3.0, &["c"])])
    );
    assert_eq!(top_case("top(v, host, 1)", asc()), rows3(&[(1, 4.0, &["a"])]));
    assert_eq!(
        top_case("top(v, host, 2)", asc()),
        rows3(&[(1, 4.0, &["a"]), (1, 4.0, &["b"])])
    );
    assert_eq!(
        top_case("bottom(v, host, 3)", asc()),
        rows3(&[(1, 4.0, &["a"]), (1, 4.0, &["b"]), (2, 3.0, &["c"])])
    );
    assert_eq!(top_case("top(v, 1)", desc()), rows3(&[(1, 4.0, &["b"])]));
    assert_eq!(
        top_case("top(v, 2)", desc()),
        rows3(&[(1, 4.0, &["a"]), (1, 4.0, &["b"])])
    );
    assert_eq!(
        top_case("top(v, 3)", desc()),
        rows3(&[(1, 4.0, &["a"]), (1, 4.0, &["b"]), (2, 4.0, &["a"])])
    );
    assert_eq!(
        top_case("bottom(v, 2)", desc()),
        rows3(&[(1, 4.0, &["b"]), (2, 3.0, &["c"])])
    );
    assert_eq!(top_case("top(v, host, 1)", desc()), rows3(&[(1, 4.0, &["a"])]));
    // tb3: 4 (a) at 2s, 4 (b) and 4 (c) at 1s: the candidates go in tag order.
    let tb3 = || {
        vec![
            with_aux(fl(1, 4.0), &["b"]),
            with_aux(fl(1, 4.0), &["c"]),
            with_aux(fl(2, 4.0), &["a"]),
        ]
    };
    assert_eq!(
        top_case("top(v, host, 2)", tb3()),
        rows3(&[(1, 4.0, &["c"]), (1, 4.0, &["b"])])
    );
    assert_eq!(
        top_case("top(v, 2)", tb3()),
        rows3(&[(1, 4.0, &["b"]), (1, 4.0, &["c"])])
    );
}

#[test]
fn top_and_bottom_types() {
    // Integers stay integers.
    let got = reduce(&bucket("top(v, 2)"), d1_i(), 0).unwrap();
    assert_eq!(secs(&got), ints(&[(1, 3), (6, 5)]));
    let s = || vec![pt(1, Value::String("x".into()))];
    let b = || vec![with_aux(pt(1, Value::Boolean(true)), &["a"])];
    let e = |expr: &str, pts: Vec<Point>| reduce(&bucket(expr), pts, 0).unwrap_err();
    assert_eq!(
        e("top(v, 2)", s()),
        "unsupported top iterator type: *query.stringInterruptIterator"
    );
    assert_eq!(
        e("bottom(v, 2)", b()),
        "unsupported bottom iterator type: *query.booleanInterruptIterator"
    );
    assert_eq!(
        e("top(v, host, 2)", s()),
        "unsupported max iterator type: *query.stringInterruptIterator"
    );
    assert_eq!(
        e("top(v, host, 2)", b()),
        "unsupported top iterator type: *query.booleanReduceBooleanIterator"
    );
    assert!(reduce(&bucket("top(v, 2)"), Vec::new(), 0).unwrap().is_empty());
}

#[test]
fn bucket_from_call_and_selectors() {
    assert_eq!(
        bucket("top(v, host, dc, 3)"),
        BucketFunction::Top {
            n: 3,
            tags: vec!["host".into(), "dc".into()]
        }
    );
    assert_eq!(bucket("sample(v, 2)"), BucketFunction::Sample(2));
    let e = |expr: &str| BucketFunction::from_call(&call(expr)).unwrap_err();
    assert_eq!(e("top(v, 0)"), "limit (0) in top function must be at least 1");
    assert_eq!(e("sample(v, 0)"), "sample window must be greater than 1, got 0");
    assert_eq!(e("percentile(v, 'a')"), "expected float argument in percentile()");
    assert_eq!(e("mean(v)"), "undefined function mean()");
    assert!(bucket("percentile(v, 5)").is_selector());
    assert!(bucket("sample(v, 5)").is_selector());
    assert!(bucket("bottom(v, 5)").is_selector());
    assert!(!bucket("distinct(v)").is_selector());
    assert!(!bucket("median(v)").is_selector());
    assert!(!bucket("mode(v)").is_selector());
}

// ---- integral --------------------------------------------------------------------------

/// ig: 5, 9, 9, 1, 7, 2 at 1, 2, 3, 5, 6, 9 s; as floats or integers.
fn ig(float: bool, from: i64) -> Vec<Point> {
    [(1, 5), (2, 9), (3, 9), (5, 1), (6, 7), (9, 2)]
        .iter()
        .filter(|(t, _)| *t >= from)
        .map(|(t, v)| if float { fl(*t, *v as f64) } else { int(*t, *v) })
        .collect()
}

fn every4(t: i64) -> (i64, i64) {
    let start = t - t.rem_euclid(4 * S);
    (start, start + 4 * S)
}

fn integral_of(points: Vec<Point>, buckets: Buckets<'_>, ascending: bool) -> Vec<(i64, f64)> {
    let mut pts = points;
    if !ascending {
        pts.reverse();
    }
    integral(&Integral { unit: S }, &pts, buckets, ascending)
        .unwrap()
        .into_iter()
        .map(|p| match p.value {
            Value::Float(v) => (p.time / S, v),
            other => panic!("not a float: {other:?}"),
        })
        .collect()
}

#[test]
fn integral_float() {
    let all = Buckets::All {
        start: 0,
        end: 20 * S - 1,
    };
    let from2 = Buckets::All {
        start: 2 * S,
        end: 20 * S - 1,
    };
    let every = Buckets::Every(&every4);
    // WHERE time >= 0s AND time < 20s [GROUP BY time(4s)] [ORDER BY time DESC]
    assert_eq!(integral_of(ig(true, 0), all, true), vec![(0, 43.5)]);
    assert_eq!(integral_of(ig(true, 0), all, false), vec![(0, -43.5)]);
    let got = integral_of(ig(true, 0), every, true);
    assert_eq!(got, vec![(0, 23.0), (4, 17.666666666666664), (8, 2.833333333333333)]);
    let got = integral_of(ig(true, 0), every, false);
    assert_eq!(
        got,
        vec![(12, -2.8333333333333335), (8, -17.666666666666668), (4, -23.0)]
    );
    // WHERE time >= 2s AND time < 20s
    assert_eq!(integral_of(ig(true, 2), from2, true), vec![(0, 36.5)]);
    assert_eq!(integral_of(ig(true, 2), from2, false), vec![(0, -36.5)]);
    let got = integral_of(ig(true, 2), every, true);
    assert_eq!(got, vec![(0, 16.0), (4, 17.666666666666664), (8, 2.833333333333333)]);
    let got = integral_of(ig(true, 2), every, false);
    assert_eq!(
        got,
        vec![(12, -2.8333333333333335), (8, -17.666666666666668), (4, -16.0)]
    );
}

#[test]
fn integral_integer_keeps_influxdb_bug_and_times() {
    let all = Buckets::All {
        start: 0,
        end: 20 * S - 1,
    };
    let from2 = Buckets::All {
        start: 2 * S,
        end: 20 * S - 1,
    };
    let unbounded = Buckets::All {
        start: influxql::time::MIN_TIME,
        end: influxql::time::MAX_TIME,
    };
    let every = Buckets::Every(&every4);
    assert_eq!(integral_of(ig(false, 0), all, true), vec![(0, 43.5)]);
    assert_eq!(integral_of(ig(false, 0), all, false), vec![(20, -43.5)]);
    let got = integral_of(ig(false, 0), every, true);
    assert_eq!(got, vec![(0, 23.0), (4, 21.666666666666664), (8, 5.333333333333333)]);
    let got = integral_of(ig(false, 0), every, false);
    assert_eq!(
        got,
        vec![(12, -2.8333333333333335), (8, -12.666666666666668), (4, -19.0)]
    );
    assert_eq!(integral_of(ig(false, 2), from2, true), vec![(2, 36.5)]);
    assert_eq!(integral_of(ig(false, 2), from2, false), vec![(20, -36.5), (20, 0.0)]);
    let got = integral_of(ig(false, 2), every, true);
    assert_eq!(got, vec![(0, 16.0), (4, 21.666666666666664), (8, 5.333333333333333)]);
    let got = integral_of(ig(false, 2), every, false);
    assert_eq!(
        got,
        vec![(12, -2.8333333333333335), (8, -12.666666666666668), (4, -12.0)]
    );
    // No WHERE: ASC at 0; DESC at MaxTime + 1.
    assert_eq!(integral_of(ig(false, 0), unbounded, true), vec![(0, 43.5)]);
    let desc = integral(
        &Integral { unit: S },
        &{
            let mut p = ig(false, 0);
            p.reverse();
            p
        },
        unbounded,
        false,
    )
    .unwrap();
    assert_eq!(desc, vec![Point::new(i64::MAX, Value::Float(-43.5))]);
}

#[test]
fn integral_equal_times_units_and_types() {
    let all = Buckets::All {
        start: 0,
        end: 9 * S - 1,
    };
    // SELECT integral(v) FROM tb → 32; integral(v, 2s) → 16; GROUP BY time(4s) → 21, 11.
    assert_eq!(integral_of(tb(), all, true), vec![(0, 32.0)]);
    let two = integral(&Integral { unit: 2 * S }, &tb(), all, true).unwrap();
    assert_eq!(secs(&two), floats(&[(0, 16.0)]));
    assert_eq!(
        integral_of(tb(), Buckets::Every(&every4), true),
        vec![(0, 21.0), (4, 11.0)]
    );
    // ORDER BY time DESC → -32 (equal times in reverse series order).
    assert_eq!(integral_of(tb(), all, false), vec![(0, -32.0)]);
    assert_eq!(Integral::from_call(&call("integral(v)")).unwrap(), Integral { unit: S });
    assert_eq!(
        Integral::from_call(&call("integral(v, 1m)")).unwrap(),
        Integral { unit: 60 * S }
    );
    let err = integral(&Integral { unit: S }, &[pt(1, Value::String("x".into()))], all, true).unwrap_err();
    assert_eq!(
        err,
        "unsupported integral iterator type: *query.stringInterruptIterator"
    );
    assert!(integral(&Integral { unit: S }, &[], all, true).unwrap().is_empty());
    // A single point gives a row of 0 (WHERE time >= 9s on ig); nulls are skipped.
    let one = integral(&Integral { unit: S }, &[null(0), fl(9, 2.0)], all, true).unwrap();
    assert_eq!(secs(&one), floats(&[(0, 0.0)]));
    // ... but none when that point sits on the bucket's start (a point at 0s, z0).
    assert!(integral(&Integral { unit: S }, &[fl(0, 4.0)], all, true)
        .unwrap()
        .is_empty());
    assert!(
        integral(&Integral { unit: S }, &[fl(0, 4.0)], Buckets::Every(&every4), true)
            .unwrap()
            .is_empty()
    );
}

// ---- transformations ------------------------------------------------------------------

/// c: 1, 3, 6, 10, 4, 9, 2 at 0, 10, 20, 30, 60, 70, 80 s (v float; i the same integers).
fn c(float: bool, ascending: bool) -> Vec<Point> {
    let mut pts: Vec<Point> = [(0, 1), (10, 3), (20, 6), (30, 10), (60, 4), (70, 9), (80, 2)]
        .iter()
        .map(|(t, v)| if float { fl(*t, *v as f64) } else { int(*t, *v) })
        .collect();
    if !ascending {
        pts.reverse();
    }
    pts
}

fn run(expr: &str, interval: i64, rows: &[Point], ascending: bool) -> Vec<(i64, Value)> {
    secs(&transform(&tf(expr, interval), rows, ascending, interval).unwrap())
}

#[test]
fn derivative_raw_asc_and_desc() {
    let asc = floats(&[(10, 0.2), (20, 0.3), (30, 0.4), (60, -0.2), (70, 0.5), (80, -0.7)]);
    assert_eq!(run("derivative(v)", 0, &c(true, true), true), asc);
    assert_eq!(
        run("derivative(v)", 0, &c(false, true), true),
        asc,
        "integers give floats"
    );
    let desc = floats(&[(70, 0.7), (60, -0.5), (30, 0.2), (20, -0.4), (10, -0.3), (0, -0.2)]);
    assert_eq!(run("derivative(v)", 0, &c(true, false), false), desc);
    assert_eq!(
        run("derivative(v, 10s)", 0, &c(true, true), true),
        floats(&[(10, 2.0), (20, 3.0), (30, 4.0), (60, -2.0), (70, 5.0), (80, -7.0)])
    );
    assert_eq!(
        run("derivative(v, 10s)", 0, &c(true, false), false),
        floats(&[(70, 7.0), (60, -5.0), (30, 2.0), (20, -4.0), (10, -3.0), (0, -2.0)])
    );
    assert_eq!(
        run("non_negative_derivative(v)", 0, &c(true, true), true),
        floats(&[(10, 0.2), (20, 0.3), (30, 0.4), (70, 0.5)])
    );
    assert_eq!(
        run("non_negative_derivative(v)", 0, &c(true, false), false),
        floats(&[(70, 0.7), (30, 0.2)])
    );
}

#[test]
fn difference_keeps_type_and_row_order() {
    let asc = [(10, 2), (20, 3), (30, 4), (60, -6), (70, 5), (80, -7)];
    assert_eq!(run("difference(v)", 0, &c(false, true), true), ints(&asc));
    let asc_f: Vec<(i64, f64)> = asc.iter().map(|(t, v)| (*t, *v as f64)).collect();
    assert_eq!(run("difference(v)", 0, &c(true, true), true), floats(&asc_f));
    assert_eq!(
        run("difference(v)", 0, &c(false, false), false),
        ints(&[(70, 7), (60, -5), (30, 6), (20, -4), (10, -3), (0, -2)])
    );
    assert_eq!(
        run("non_negative_difference(v)", 0, &c(false, true), true),
        ints(&[(10, 2), (20, 3), (30, 4), (70, 5)])
    );
    assert_eq!(
        run("non_negative_difference(v)", 0, &c(false, false), false),
        ints(&[(70, 7), (30, 6)])
    );
}

#[test]
fn moving_average_cumulative_sum_elapsed_raw() {
    assert_eq!(
        run("moving_average(v, 2)", 0, &c(true, true), true),
        floats(&[(10, 2.0), (20, 4.5), (30, 8.0), (60, 7.0), (70, 6.5), (80, 5.5)])
    );
    assert_eq!(
        run("moving_average(v, 2)", 0, &c(false, false), false),
        floats(&[(70, 5.5), (60, 6.5), (30, 7.0), (20, 8.0), (10, 4.5), (0, 2.0)])
    );
    assert_eq!(
        run("cumulative_sum(v)", 0, &c(false, true), true),
        ints(&[(0, 1), (10, 4), (20, 10), (30, 20), (60, 24), (70, 33), (80, 35)])
    );
    assert_eq!(
        run("cumulative_sum(v)", 0, &c(true, false), false),
        floats(&[
            (80, 2.0),
            (70, 11.0),
            (60, 15.0),
            (30, 25.0),
            (20, 31.0),
            (10, 34.0),
            (0, 35.0)
        ])
    );
    let e = 10 * S;
    assert_eq!(
        run("elapsed(v)", 0, &c(true, true), true),
        ints(&[(10, e), (20, e), (30, e), (60, 3 * e), (70, e), (80, e)])
    );
    assert_eq!(
        run("elapsed(v)", 0, &c(true, false), false),
        ints(&[(70, -e), (60, -e), (30, -3 * e), (20, -e), (10, -e), (0, -e)])
    );
    assert_eq!(
        run("elapsed(v, 1s)", 0, &c(true, true), true),
        ints(&[(10, 10), (20, 10), (30, 10), (60, 30), (70, 10), (80, 10)])
    );
    // elapsed takes strings and booleans.
    let s: Vec<Point> = (1..=3).map(|t| pt(t, Value::String("x".into()))).collect();
    assert_eq!(run("elapsed(v, 1s)", 0, &s, true), ints(&[(2, 1), (3, 1)]));
}

/// mean(v) of c per 10s bucket over [-10s, 100s) (the extra bucket InfluxDB reads before the
/// start), with the fill applied.
fn c_mean(fill: &str) -> Vec<Point> {
    let means: [Option<f64>; 11] = [
        None,
        Some(1.0),
        Some(3.0),
        Some(6.0),
        Some(10.0),
        None,
        None,
        Some(4.0),
        Some(9.0),
        Some(2.0),
        None,
    ];
    let mut prev = None;
    means
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let t = k as i64 * 10 - 10;
            let v = match (m, fill) {
                (Some(v), _) => Some(*v),
                (None, "0") => Some(0.0),
                (None, "previous") => prev,
                _ => None,
            };
            prev = v.or(prev);
            match v {
                Some(v) => fl(t, v),
                None => null(t),
            }
        })
        .collect()
}

#[test]
fn transforms_over_filled_aggregates() {
    let i = 10 * S;
    // GROUP BY time(10s) [fill(null)]: empty buckets are skipped, no fill rows come out; the
    // default unit of derivative is the interval.
    assert_eq!(
        run("derivative(mean(v))", i, &c_mean("null"), true),
        floats(&[(10, 2.0), (20, 3.0), (30, 4.0), (60, -2.0), (70, 5.0), (80, -7.0)])
    );
    assert_eq!(
        run("difference(mean(v))", i, &c_mean("null"), true),
        floats(&[(10, 2.0), (20, 3.0), (30, 4.0), (60, -6.0), (70, 5.0), (80, -7.0)])
    );
    assert_eq!(
        run("elapsed(mean(v), 1s)", i, &c_mean("null"), true),
        ints(&[(10, 10), (20, 10), (30, 10), (60, 30), (70, 10), (80, 10)])
    );
    // fill(0): zeros go in, the extra bucket before the start included.
    assert_eq!(
        run("derivative(mean(v))", i, &c_mean("0"), true),
        floats(&[
            (0, 1.0),
            (10, 2.0),
            (20, 3.0),
            (30, 4.0),
            (40, -10.0),
            (50, 0.0),
            (60, 4.0),
            (70, 5.0),
            (80, -7.0),
            (90, -2.0)
        ])
    );
    let third = 1.0 / 3.0;
    assert_close(
        &transform(&tf("moving_average(mean(v), 3)", i), &c_mean("0"), true, i).unwrap(),
        &[
            (10, 4.0 * third),
            (20, 3.3333333333333335),
            (30, 6.333333333333333),
            (40, 5.333333333333333),
            (50, 3.3333333333333335),
            (60, 1.3333333333333333),
            (70, 4.333333333333333),
            (80, 5.0),
            (90, 3.6666666666666665),
        ],
        "moving_average fill(0)",
    );
    // fill(previous); the row before the start (-10s) had no previous.
    assert_eq!(
        run("cumulative_sum(mean(v))", i, &c_mean("previous"), true),
        floats(&[
            (0, 1.0),
            (10, 4.0),
            (20, 10.0),
            (30, 20.0),
            (40, 30.0),
            (50, 40.0),
            (60, 44.0),
            (70, 53.0),
            (80, 55.0),
            (90, 57.0)
        ])
    );
    assert_eq!(
        run("non_negative_derivative(mean(v))", i, &c_mean("previous"), true),
        floats(&[
            (10, 2.0),
            (20, 3.0),
            (30, 4.0),
            (40, 0.0),
            (50, 0.0),
            (70, 5.0),
            (90, 0.0)
        ])
    );
}

/// e: two series at equal times: a 1, b 5 at 0s; a 2, b 7 at 10s; a 4 at 20s.
fn e(ascending: bool) -> Vec<Point> {
    let mut pts = vec![fl(0, 1.0), fl(0, 5.0), fl(10, 2.0), fl(10, 7.0), fl(20, 4.0)];
    if !ascending {
        // DESC: times descending, equal times in reverse series order.
        pts = vec![fl(20, 4.0), fl(10, 7.0), fl(10, 2.0), fl(0, 5.0), fl(0, 1.0)];
    }
    pts
}

#[test]
fn transforms_with_equal_times() {
    assert_eq!(run("derivative(v)", 0, &e(true), true), floats(&[(10, 0.1), (20, 0.2)]));
    assert_eq!(
        run("derivative(v)", 0, &e(false), false),
        floats(&[(10, 0.3), (0, -0.2)])
    );
    assert_eq!(run("difference(v)", 0, &e(true), true), floats(&[(10, 1.0), (20, 2.0)]));
    assert_eq!(
        run("difference(v)", 0, &e(false), false),
        floats(&[(10, 3.0), (0, -2.0)])
    );
    assert_eq!(
        run("non_negative_difference(v)", 0, &e(false), false),
        floats(&[(10, 3.0)])
    );
    assert_eq!(
        run("moving_average(v, 2)", 0, &e(true), true),
        floats(&[(0, 3.0), (10, 3.5), (10, 4.5), (20, 5.5)])
    );
    assert_eq!(
        run("moving_average(v, 2)", 0, &e(false), false),
        floats(&[(10, 5.5), (10, 4.5), (0, 3.5), (0, 3.0)])
    );
    assert_eq!(
        run("cumulative_sum(v)", 0, &e(true), true),
        floats(&[(0, 1.0), (0, 6.0), (10, 8.0), (10, 15.0), (20, 19.0)])
    );
    assert_eq!(
        run("cumulative_sum(v)", 0, &e(false), false),
        floats(&[(20, 4.0), (10, 11.0), (10, 13.0), (0, 18.0), (0, 19.0)])
    );
    assert_eq!(
        run("elapsed(v, 1s)", 0, &e(true), true),
        ints(&[(0, 0), (10, 10), (10, 0), (20, 10)])
    );
    assert_eq!(
        run("elapsed(v, 1s)", 0, &e(false), false),
        ints(&[(10, -10), (10, 0), (0, -10), (0, 0)])
    );
    assert_close(
        &transform(&tf("exponential_moving_average(v, 2)", 0), &e(true), true, 0).unwrap(),
        &[
            (0, 3.6666666666666665),
            (10, 2.5555555555555554),
            (10, 5.518518518518518),
            (20, 4.506172839506172),
        ],
        "ema equal times",
    );
    assert_close(
        &transform(&tf("exponential_moving_average(v, 2)", 0), &e(false), false, 0).unwrap(),
        &[
            (10, 6.0),
            (10, 3.3333333333333335),
            (0, 4.444444444444445),
            (0, 2.1481481481481484),
        ],
        "ema equal times desc",
    );
    assert_close(
        &transform(&tf("chande_momentum_oscillator(v, 2)", 0), &e(true), true, 0).unwrap(),
        &[(0, 100.0), (10, 14.285714285714285), (10, 25.0), (20, 25.0)],
        "cmo equal times",
    );
    assert_close(
        &transform(&tf("chande_momentum_oscillator(v, 2)", 0), &e(false), false, 0).unwrap(),
        &[(10, 100.0), (10, -25.0), (0, -25.0), (0, -14.285714285714285)],
        "cmo equal times desc",
    );
}

#[test]
fn transforms_on_empty_single_and_wrong_types() {
    for expr in [
        "derivative(v)",
        "difference(v)",
        "moving_average(v, 2)",
        "cumulative_sum(v)",
        "elapsed(v)",
        "exponential_moving_average(v, 2)",
        "chande_momentum_oscillator(v, 1)",
    ] {
        assert!(transform(&tf(expr, 0), &[], true, 0).unwrap().is_empty(), "{expr}");
        assert!(
            transform(&tf(expr, 0), &[null(1), null(2)], true, 0)
                .unwrap()
                .is_empty(),
            "{expr}"
        );
    }
    let one = [fl(1, 2.0)];
    assert!(run("derivative(v)", 0, &one, true).is_empty());
    assert!(run("difference(v)", 0, &one, true).is_empty());
    assert!(run("elapsed(v)", 0, &one, true).is_empty());
    assert_eq!(run("cumulative_sum(v)", 0, &one, true), floats(&[(1, 2.0)]));
    let s = [pt(1, Value::String("x".into()))];
    let b = [pt(1, Value::Boolean(true))];
    let err = |expr: &str, rows: &[Point]| transform(&tf(expr, 0), rows, true, 0).unwrap_err();
    assert_eq!(
        err("derivative(v)", &s),
        "unsupported derivative iterator type: *query.stringInterruptIterator"
    );
    assert_eq!(
        err("difference(v)", &b),
        "unsupported difference iterator type: *query.booleanInterruptIterator"
    );
    assert_eq!(
        err("moving_average(v, 2)", &s),
        "unsupported moving average iterator type: *query.stringInterruptIterator"
    );
    assert_eq!(
        err("cumulative_sum(v)", &s),
        "unsupported cumulative sum iterator type: *query.stringInterruptIterator"
    );
    assert_eq!(
        err("exponential_moving_average(v, 2)", &s),
        "unsupported exponential moving average iterator type: *query.stringInterruptIterator"
    );
    assert_eq!(
        err("chande_momentum_oscillator(v, 2)", &b),
        "unsupported chande momentum oscillator iterator type: *query.booleanInterruptIterator"
    );
    assert_eq!(
        err("kaufmans_efficiency_ratio(v, 2)", &s),
        "unsupported kaufmans efficiency ratio iterator type: *query.stringInterruptIterator"
    );
    // InfluxDB's copy-and-paste text for holt_winters.
    let hw = transform(&tf("holt_winters(first(v), 2, 0)", S), &s, true, S).unwrap_err();
    assert_eq!(hw, "unsupported elapsed iterator type: *query.stringInterruptIterator");
}

#[test]
fn transform_from_call_units_and_errors() {
    let t = |expr: &str, interval: i64| Transform::from_call(&call(expr), interval);
    assert_eq!(
        t("derivative(v)", 0),
        Ok(Transform::Derivative {
            unit: S,
            non_negative: false
        })
    );
    assert_eq!(
        t("non_negative_derivative(mean(v))", 60 * S),
        Ok(Transform::Derivative {
            unit: 60 * S,
            non_negative: true
        })
    );
    assert_eq!(
        t("derivative(mean(v), 1s)", 60 * S),
        Ok(Transform::Derivative {
            unit: S,
            non_negative: false
        })
    );
    assert_eq!(t("elapsed(mean(v))", 60 * S), Ok(Transform::Elapsed { unit: 1 }));
    assert_eq!(t("moving_average(v, 3)", 0), Ok(Transform::MovingAverage { n: 3 }));
    assert_eq!(
        t("holt_winters_with_fit(mean(v), 10, 4)", S),
        Ok(Transform::HoltWinters {
            n: 10,
            season: 4,
            with_fit: true
        })
    );
    assert_eq!(
        t("exponential_moving_average(v, 3)", 0),
        Ok(Transform::Indicator {
            kind: Indicator::ExponentialMovingAverage,
            period: 3,
            hold: None,
            warmup: Warmup::Exponential
        })
    );
    assert_eq!(
        t("chande_momentum_oscillator(v, 3, 2)", 0),
        Ok(Transform::Indicator {
            kind: Indicator::ChandeMomentumOscillator,
            period: 3,
            hold: Some(2),
            warmup: Warmup::None
        })
    );
    let e = |expr: &str| t(expr, 0).unwrap_err();
    assert_eq!(
        e("moving_average(v, 1)"),
        "moving_average window must be greater than 1, got 1"
    );
    assert_eq!(e("derivative(v, 0s)"), "duration argument must be positive, got 0s");
    assert_eq!(e("elapsed(v, 'x')"), "second argument to elapsed must be a duration");
    assert_eq!(
        e("holt_winters(mean(v), 0, 0)"),
        "second arg to holt_winters must be greater than 0, got 0"
    );
    assert_eq!(
        e("holt_winters(mean(v), 1, -1)"),
        "third arg to holt_winters cannot be negative, got -1"
    );
    assert_eq!(
        e("exponential_moving_average(v, 0)"),
        "exponential_moving_average period must be greater than or equal to 1"
    );
    assert_eq!(
        e("triple_exponential_derivative(v, 2, 0)"),
        "triple_exponential_derivative hold period must be greater than or equal to 1"
    );
    assert_eq!(
        e("relative_strength_index(v, 2, -2)"),
        "relative_strength_index hold period must be greater than or equal to 0"
    );
    assert_eq!(
        e("exponential_moving_average(v, 2, 0, 'none')"),
        "exponential_moving_average warmup type must be one of: 'exponential' 'simple'"
    );
    assert_eq!(
        e("chande_momentum_oscillator(v, 2, 0, 'x')"),
        "chande_momentum_oscillator warmup type must be one of: 'none' 'exponential' 'simple'"
    );
    assert_eq!(e("foo(v)"), "undefined function foo()");
}

// ---- indicators ----------------------------------------------------------------------

const GA: [f64; 20] = [
    10.0, 11.0, 10.5, 12.0, 13.0, 12.5, 12.0, 14.0, 15.0, 14.5, 13.0, 12.0, 12.0, 11.0, 13.0, 14.0, 16.0, 15.0, 17.0,
    18.0,
];

#[test]
fn indicators_match_influxdb() {
    for (expr, want) in INDICATOR_CASES {
        let field = if expr.contains("(i,") { "i" } else { "v" };
        let rows: Vec<Point> = GA
            .iter()
            .enumerate()
            .map(|(k, v)| {
                if field == "i" {
                    int(k as i64 + 1, (v * 2.0) as i64)
                } else {
                    fl(k as i64 + 1, *v)
                }
            })
            .collect();
        let got = transform(&tf(expr, 0), &rows, true, 0).unwrap();
        assert_close(&got, want, expr);
    }
    // chande_momentum_oscillator(v, 1): InfluxDB panics with this runtime error.
    let rows: Vec<Point> = GA.iter().enumerate().map(|(k, v)| fl(k as i64 + 1, *v)).collect();
    let err = transform(&tf("chande_momentum_oscillator(v, 1)", 0), &rows, true, 0).unwrap_err();
    assert_eq!(err, "runtime error: index out of range [1] with length 0");
}

// ---- holt_winters --------------------------------------------------------------------

#[test]
fn holt_winters_matches_influxdb() {
    let i = 10 * S;
    for (series, expr, want) in HW_CASES {
        let rows: Vec<Point> = match *series {
            "seas" => HW_SEAS.iter().map(|(t, v)| fl(*t, *v)).collect(),
            "lin" => HW_LIN.iter().map(|(t, v)| fl(*t, *v)).collect(),
            _ => HW_GAP
                .iter()
                .map(|(t, v)| v.map_or_else(|| null(*t), |v| fl(*t, v)))
                .collect(),
        };
        let got = transform(&tf(expr, i), &rows, true, i).unwrap();
        assert_close(&got, want, &format!("{series} {expr}"));
    }
}

#[test]
fn holt_winters_edges() {
    let i = 10 * S;
    let lin: Vec<Point> = HW_LIN.iter().map(|(t, v)| fl(*t, *v)).collect();
    // ORDER BY time DESC: nothing.
    let mut desc = lin.clone();
    desc.reverse();
    assert!(transform(&tf("holt_winters(first(v), 3, 0)", i), &desc, false, i)
        .unwrap()
        .is_empty());
    // Two points (WHERE time < 20s), three points with a season of 3, too few for a season of 4.
    assert_close(
        &transform(&tf("holt_winters_with_fit(first(v), 2, 0)", i), &lin[..2], true, i).unwrap(),
        &[
            (0, 3.7),
            (10, 4.29986919362061),
            (20, 5.003825202029989),
            (30, 5.746613508767054),
        ],
        "two points",
    );
    assert_close(
        &transform(&tf("holt_winters_with_fit(first(v), 2, 0)", i), &lin[..3], true, i).unwrap(),
        &[
            (0, 3.7),
            (10, 4.302011014600302),
            (20, 7.694842837467136),
            (30, 14.392222239669014),
            (40, 31.27305104030381),
        ],
        "three points",
    );
    assert_close(
        &transform(&tf("holt_winters_with_fit(first(v), 2, 3)", i), &lin[..3], true, i).unwrap(),
        &[
            (0, 3.7),
            (10, 4.299890269459316),
            (20, 7.702708552279625),
            (30, 14.029079944200745),
            (40, 19.36098295957122),
        ],
        "season of 3",
    );
    assert!(
        transform(&tf("holt_winters_with_fit(first(v), 2, 4)", i), &lin[..3], true, i)
            .unwrap()
            .is_empty()
    );
    assert!(transform(&tf("holt_winters(first(v), 2, 0)", i), &lin[..1], true, i)
        .unwrap()
        .is_empty());
    assert!(transform(&tf("holt_winters(first(v), 2, 0)", i), &[], true, i)
        .unwrap()
        .is_empty());
    // Integers are read as floats (holt_winters(max(v), 2, 0) on i GROUP BY time(1s)).
    let ints_rows: Vec<Point> = [3, 1, 3, 2, 1, 5]
        .iter()
        .enumerate()
        .map(|(k, v)| int(k as i64 + 1, *v))
        .collect();
    assert_close(
        &transform(&tf("holt_winters(max(v), 2, 0)", S), &ints_rows, true, S).unwrap(),
        &[(7, 16.738779295429165), (8, 87.25393752729646)],
        "integers",
    );
}

// ---- Go helpers ----------------------------------------------------------------------

#[test]
fn go_sort_sorts() {
    // Not from InfluxDB: the port must at least sort, for every length and many equal keys.
    let mut seed = 7u64;
    for n in 0..300 {
        let mut v: Vec<u64> = (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed % 17
            })
            .collect();
        let mut want = v.clone();
        want.sort_unstable();
        go::sort(&mut v, &|a: &u64, b: &u64| a < b);
        assert_eq!(v, want, "n={n}");
        v.reverse();
        go::sort(&mut v, &|a: &u64, b: &u64| a < b);
        assert_eq!(v, want, "reversed n={n}");
    }
}

#[test]
fn go_pow_of_integers() {
    // Not from InfluxDB: Go's Pow is exact for small integer powers of exact values.
    assert_eq!(go_pow(0.5, 3.0), 0.125);
    assert_eq!(go_pow(3.0, 2.0), 9.0);
    assert_eq!(go_pow(-2.0, 3.0), -8.0);
    assert_eq!(go_pow(2.0, -2.0), 0.25);
    assert_eq!(go_pow(0.0, 2.0), 0.0);
    assert!(go_pow(f64::NAN, 2.0).is_nan());
    assert_eq!(go_pow(1e-200, 2.0), 0.0);
    assert_eq!(go_pow(1e300, 2.0), f64::INFINITY);
    assert_eq!(ldexp(0.5, -1073), 5e-324);
}

// ---- data and answers of InfluxDB 1.6.7 (generated from its JSON responses) ----------

/// The `hw` series written to InfluxDB 1.6.7 (seconds, value); one point per 10s bucket.
const HW_SEAS: &[(i64, f64)] = &[
    (0, 10.0),
    (10, 15.2),
    (20, 9.8),
    (30, 6.1),
    (40, 14.0),
    (50, 20.0),
    (60, 13.4),
    (70, 8.9),
    (80, 18.0),
    (90, 24.8),
    (100, 17.0),
    (110, 11.7),
    (120, 22.0),
    (130, 29.6),
    (140, 20.6),
    (150, 14.5),
    (160, 26.0),
    (170, 34.4),
    (180, 24.2),
    (190, 17.3),
];
const HW_LIN: &[(i64, f64)] = &[
    (0, 3.7),
    (10, 4.3),
    (20, 7.7),
    (30, 8.3),
    (40, 11.7),
    (50, 12.3),
    (60, 15.7),
    (70, 16.3),
    (80, 19.7),
    (90, 20.3),
    (100, 23.7),
    (110, 24.3),
];
/// first(v) of the `gap` series per 10s bucket over [0s, 200s): None for empty buckets.
const HW_GAP: &[(i64, Option<f64>)] = &[
    (0, Some(5.0)),
    (10, Some(6.0)),
    (20, None),
    (30, None),
    (40, Some(9.0)),
    (50, Some(9.5)),
    (60, Some(11.0)),
    (70, Some(12.2)),
    (80, Some(13.9)),
    (90, Some(15.0)),
    (100, None),
    (110, None),
    (120, None),
    (130, None),
    (140, None),
    (150, None),
    (160, None),
    (170, None),
    (180, None),
    (190, None),
];
/// The `pq` series: values at 1s, 2s, …
const PQ_A: &[i64] = &[
    2, 4, 1, 3, 0, 2, 4, 1, 3, 0, 2, 4, 1, 3, 0, 2, 4, 1, 3, 0, 2, 4, 1, 3, 0, 2, 4, 1, 3, 0,
];
const PQ_B: &[i64] = &[
    3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5, 0, 2, 8, 8, 4, 1,
    9, 7,
];
/// percentile answers of InfluxDB 1.6.7 on `pq` (30 and 40 integer points with many equal values).
/// (series, percentile, selected (seconds, value)).
type PercentileCase = (&'static str, f64, Option<(i64, i64)>);
const PERCENTILE_CASES: &[PercentileCase] = &[
    ("a", 1.0, None),
    ("a", 5.0, Some((30, 0))),
    ("a", 10.0, Some((25, 0))),
    ("a", 15.0, Some((5, 0))),
    ("a", 20.0, Some((15, 0))),
    ("a", 25.0, Some((18, 1))),
    ("a", 30.0, Some((28, 1))),
    ("a", 35.0, Some((23, 1))),
    ("a", 40.0, Some((13, 1))),
    ("a", 45.0, Some((6, 2))),
    ("a", 50.0, Some((16, 2))),
    ("a", 55.0, Some((21, 2))),
    ("a", 60.0, Some((11, 2))),
    ("a", 65.0, Some((29, 3))),
    ("a", 70.0, Some((19, 3))),
    ("a", 75.0, Some((9, 3))),
    ("a", 80.0, Some((24, 3))),
    ("a", 85.0, Some((7, 4))),
    ("a", 90.0, Some((27, 4))),
    ("a", 95.0, Some((12, 4))),
    ("a", 99.0, Some((2, 4))),
    ("a", 100.0, Some((2, 4))),
    ("b", 1.0, None),
    ("b", 5.0, Some((38, 1))),
    ("b", 10.0, Some((4, 1))),
    ("b", 15.0, Some((34, 2))),
    ("b", 20.0, Some((17, 2))),
    ("b", 25.0, Some((18, 3))),
    ("b", 30.0, Some((10, 3))),
    ("b", 35.0, Some((25, 3))),
    ("b", 40.0, Some((16, 3))),
    ("b", 45.0, Some((37, 4))),
    ("b", 50.0, Some((24, 4))),
    ("b", 55.0, Some((11, 5))),
    ("b", 60.0, Some((32, 5))),
    ("b", 65.0, Some((8, 6))),
    ("b", 70.0, Some((14, 7))),
    ("b", 75.0, Some((30, 7))),
    ("b", 80.0, Some((12, 8))),
    ("b", 85.0, Some((19, 8))),
    ("b", 90.0, Some((31, 9))),
    ("b", 95.0, Some((15, 9))),
    ("b", 99.0, Some((39, 9))),
    ("b", 100.0, Some((39, 9))),
];
/// Indicator answers of InfluxDB 1.6.7 on `ga` (v at 1s..20s; i = 2*v as integers).
const INDICATOR_CASES: &[(&str, &[(i64, f64)])] = &[
    (
        "exponential_moving_average(v,3)",
        &[
            (3, 10.583333333333332),
            (4, 11.291666666666666),
            (5, 12.145833333333332),
            (6, 12.322916666666666),
            (7, 12.161458333333332),
            (8, 13.080729166666666),
            (9, 14.040364583333332),
            (10, 14.270182291666666),
            (11, 13.635091145833332),
            (12, 12.817545572916666),
            (13, 12.408772786458332),
            (14, 11.704386393229166),
            (15, 12.352193196614582),
            (16, 13.176096598307291),
            (17, 14.588048299153645),
            (18, 14.794024149576822),
            (19, 15.89701207478841),
            (20, 16.948506037394203),
        ],
    ),
    (
        "exponential_moving_average(v,3,0)",
        &[
            (1, 10.0),
            (2, 10.666666666666666),
            (3, 10.583333333333332),
            (4, 11.291666666666666),
            (5, 12.145833333333332),
            (6, 12.322916666666666),
            (7, 12.161458333333332),
            (8, 13.080729166666666),
            (9, 14.040364583333332),
            (10, 14.270182291666666),
            (11, 13.635091145833332),
            (12, 12.817545572916666),
            (13, 12.408772786458332),
            (14, 11.704386393229166),
            (15, 12.352193196614582),
            (16, 13.176096598307291),
            (17, 14.588048299153645),
            (18, 14.794024149576822),
            (19, 15.89701207478841),
            (20, 16.948506037394203),
        ],
    ),
    (
        "exponential_moving_average(v,3,5)",
        &[
            (6, 12.322916666666666),
            (7, 12.161458333333332),
            (8, 13.080729166666666),
            (9, 14.040364583333332),
            (10, 14.270182291666666),
            (11, 13.635091145833332),
            (12, 12.817545572916666),
            (13, 12.408772786458332),
            (14, 11.704386393229166),
            (15, 12.352193196614582),
            (16, 13.176096598307291),
            (17, 14.588048299153645),
            (18, 14.794024149576822),
            (19, 15.89701207478841),
            (20, 16.948506037394203),
        ],
    ),
    (
        "exponential_moving_average(v,3,-1,'simple')",
        &[
            (3, 10.5),
            (4, 11.25),
            (5, 12.125),
            (6, 12.3125),
            (7, 12.15625),
            (8, 13.078125),
            (9, 14.0390625),
            (10, 14.26953125),
            (11, 13.634765625),
            (12, 12.8173828125),
            (13, 12.40869140625),
            (14, 11.704345703125),
            (15, 12.3521728515625),
            (16, 13.17608642578125),
            (17, 14.588043212890625),
            (18, 14.794021606445312),
            (19, 15.897010803222656),
            (20, 16.948505401611328),
        ],
    ),
    (
        "exponential_moving_average(v,3,0,'simple')",
        &[
            (1, 10.0),
            (2, 10.5),
            (3, 10.5),
            (4, 11.25),
            (5, 12.125),
            (6, 12.3125),
            (7, 12.15625),
            (8, 13.078125),
            (9, 14.0390625),
            (10, 14.26953125),
            (11, 13.634765625),
            (12, 12.8173828125),
            (13, 12.40869140625),
            (14, 11.704345703125),
            (15, 12.3521728515625),
            (16, 13.17608642578125),
            (17, 14.588043212890625),
            (18, 14.794021606445312),
            (19, 15.897010803222656),
            (20, 16.948505401611328),
        ],
    ),
    (
        "exponential_moving_average(i,1)",
        &[
            (1, 20.0),
            (2, 22.0),
            (3, 21.0),
            (4, 24.0),
            (5, 26.0),
            (6, 25.0),
            (7, 24.0),
            (8, 28.0),
            (9, 30.0),
            (10, 29.0),
            (11, 26.0),
            (12, 24.0),
            (13, 24.0),
            (14, 22.0),
            (15, 26.0),
            (16, 28.0),
            (17, 32.0),
            (18, 30.0),
            (19, 34.0),
            (20, 36.0),
        ],
    ),
    (
        "double_exponential_moving_average(v,3)",
        &[
            (3, 10.652777777777775),
            (4, 11.680555555555554),
            (5, 12.767361111111109),
            (6, 12.722222222222221),
            (7, 12.280381944444443),
            (8, 13.59982638888889),
            (9, 14.779730902777777),
            (10, 14.754774305555555),
            (11, 13.55984157986111),
            (12, 12.371148003472221),
            (13, 11.981187608506943),
            (14, 11.13840060763889),
            (15, 12.393103705512152),
            (16, 13.60850355360243),
            (17, 15.510227627224392),
            (18, 15.358101738823784),
            (19, 16.730544832017685),
            (20, 17.891019397311737),
        ],
    ),
    (
        "double_exponential_moving_average(v,3,0,'simple')",
        &[
            (1, 10.0),
            (2, 10.5),
            (3, 10.5),
            (4, 11.625),
            (5, 12.958333333333334),
            (6, 12.822916666666668),
            (7, 12.333333333333334),
            (8, 13.627604166666668),
            (9, 14.794270833333334),
            (10, 14.762369791666668),
            (11, 13.563802083333334),
            (12, 12.373209635416668),
            (13, 11.982259114583334),
            (14, 11.138956705729168),
            (15, 12.393391927083334),
            (16, 13.608652750651043),
            (17, 15.510304768880209),
            (18, 15.358141581217449),
            (19, 16.730565388997398),
            (20, 17.891029993693035),
        ],
    ),
    (
        "double_exponential_moving_average(v,3,-1,'simple')",
        &[
            (5, 12.958333333333334),
            (6, 12.822916666666668),
            (7, 12.333333333333334),
            (8, 13.627604166666668),
            (9, 14.794270833333334),
            (10, 14.762369791666668),
            (11, 13.563802083333334),
            (12, 12.373209635416668),
            (13, 11.982259114583334),
            (14, 11.138956705729168),
            (15, 12.393391927083334),
            (16, 13.608652750651043),
            (17, 15.510304768880209),
            (18, 15.358141581217449),
            (19, 16.730565388997398),
            (20, 17.891029993693035),
        ],
    ),
    (
        "triple_exponential_moving_average(v,3)",
        &[
            (3, 10.61342592592592),
            (4, 11.82060185185185),
            (5, 12.953703703703706),
            (6, 12.704282407407412),
            (7, 12.131221064814817),
            (8, 13.725332754629633),
            (9, 14.95261863425926),
            (10, 14.713831018518523),
            (11, 13.259449146412045),
            (12, 12.035377785011578),
            (13, 11.822708695023149),
            (14, 10.98996084707755),
            (15, 12.622331972475406),
            (16, 13.918865910282845),
            (17, 15.910294991952409),
            (18, 15.3790845517759),
            (19, 16.8757638224849),
            (20, 18.018119193889472),
        ],
    ),
    (
        "triple_exponential_moving_average(v,3,0,'simple')",
        &[
            (1, 10.0),
            (2, 10.5),
            (3, 10.5),
            (4, 12.0),
            (5, 13.791666666666666),
            (6, 13.078125),
            (7, 12.222222222222221),
            (8, 13.758246527777777),
            (9, 14.962456597222221),
            (10, 14.715277777777777),
            (11, 13.258355034722221),
            (12, 12.033881293402777),
            (13, 11.821465386284721),
            (14, 10.989081488715277),
            (15, 12.621758355034721),
            (16, 13.918509589301214),
            (17, 15.91008080376519),
            (18, 15.378958808051214),
            (19, 16.87569130791558),
            (20, 18.01807795630561),
        ],
    ),
    (
        "triple_exponential_moving_average(v,3,-1,'simple')",
        &[
            (7, 12.222222222222221),
            (8, 13.758246527777777),
            (9, 14.962456597222221),
            (10, 14.715277777777777),
            (11, 13.258355034722221),
            (12, 12.033881293402777),
            (13, 11.821465386284721),
            (14, 10.989081488715277),
            (15, 12.621758355034721),
            (16, 13.918509589301214),
            (17, 15.91008080376519),
            (18, 15.378958808051214),
            (19, 16.87569130791558),
            (20, 18.01807795630561),
        ],
    ),
    (
        "relative_strength_index(v,3)",
        &[
            (4, 92.3076923076923),
            (5, 93.87755102040816),
            (6, 81.41592920353983),
            (7, 67.89667896678966),
            (8, 83.91866913123845),
            (9, 88.2985877605918),
            (10, 73.32123411978222),
            (11, 41.58188511935395),
            (12, 29.019781191291855),
            (13, 29.019781191291855),
            (14, 17.276386827248473),
            (15, 62.63622586564249),
            (16, 73.52429387490291),
            (17, 85.87375603768908),
            (18, 63.61802220454399),
            (19, 79.53198711678843),
            (20, 84.58803667350071),
        ],
    ),
    (
        "relative_strength_index(v,3,0)",
        &[
            (1, 100.0),
            (2, 100.0),
            (3, 88.88888888888889),
            (4, 92.3076923076923),
            (5, 93.87755102040816),
            (6, 81.41592920353983),
            (7, 67.89667896678966),
            (8, 83.91866913123845),
            (9, 88.2985877605918),
            (10, 73.32123411978222),
            (11, 41.58188511935395),
            (12, 29.019781191291855),
            (13, 29.019781191291855),
            (14, 17.276386827248473),
            (15, 62.63622586564249),
            (16, 73.52429387490291),
            (17, 85.87375603768908),
            (18, 63.61802220454399),
            (19, 79.53198711678843),
            (20, 84.58803667350071),
        ],
    ),
    (
        "relative_strength_index(v,3,-1,'simple')",
        &[
            (4, 96.15384615384616),
            (5, 96.66666666666667),
            (6, 87.87878787878788),
            (7, 77.33333333333334),
            (8, 86.82170542635659),
            (9, 89.97050147492625),
            (10, 76.29768605378362),
            (11, 45.31104921077067),
            (12, 32.22398309561544),
            (13, 32.223983095615424),
            (14, 19.53132817033881),
            (15, 63.1159420289855),
            (16, 73.77088745277035),
            (17, 85.94841473684946),
            (18, 63.75018933273071),
            (19, 79.57551704258978),
            (20, 84.61342467092375),
        ],
    ),
    (
        "triple_exponential_derivative(v,3)",
        &[
            (4, 2.391546162402669),
            (5, 4.084736556219437),
            (6, 3.7626552551925707),
            (7, 2.3298797968113405),
            (8, 3.3427535786692886),
            (9, 4.655462484617523),
            (10, 4.1268560911600805),
            (11, 1.6979029715177285),
            (12, -0.8203613492428041),
            (13, -2.01207406698779),
            (14, -3.186045284141026),
            (15, -1.484228973107382),
            (16, 0.9763879985132284),
            (17, 4.136639570406042),
            (18, 4.131959956160403),
            (19, 5.0290145434682465),
            (20, 5.672376853389238),
        ],
    ),
    (
        "triple_exponential_derivative(v,3,1,'simple')",
        &[
            (2, 5.000000000000004),
            (3, 0.0),
            (4, 3.571428571428581),
            (5, 3.8314176245210607),
            (6, 2.2601476014760147),
            (7, 1.247932641708016),
            (8, 3.5825660825660854),
            (9, 4.847496505501603),
            (10, 4.252482608918595),
            (11, 1.7714566767767836),
            (12, -0.7782861193224355),
            (13, -1.9873604484321294),
            (14, -3.17167636580864),
            (15, -1.475314832912411),
            (16, 0.9818250385258187),
            (17, 4.139872921445931),
            (18, 4.133687184135293),
            (19, 5.0299469773654515),
            (20, 5.672870028242705),
        ],
    ),
    (
        "triple_exponential_derivative(v,3,-1,'simple')",
        &[
            (8, 3.5825660825660854),
            (9, 4.847496505501603),
            (10, 4.252482608918595),
            (11, 1.7714566767767836),
            (12, -0.7782861193224355),
            (13, -1.9873604484321294),
            (14, -3.17167636580864),
            (15, -1.475314832912411),
            (16, 0.9818250385258187),
            (17, 4.139872921445931),
            (18, 4.133687184135293),
            (19, 5.0299469773654515),
            (20, 5.672870028242705),
        ],
    ),
    (
        "kaufmans_efficiency_ratio(v,3)",
        &[
            (4, 0.6666666666666666),
            (5, 0.6666666666666666),
            (6, 0.6666666666666666),
            (7, 0.0),
            (8, 0.3333333333333333),
            (9, 0.7142857142857143),
            (10, 0.7142857142857143),
            (11, 0.3333333333333333),
            (12, 1.0),
            (13, 1.0),
            (14, 1.0),
            (15, 0.3333333333333333),
            (16, 0.5),
            (17, 1.0),
            (18, 0.5),
            (19, 0.6),
            (20, 0.5),
        ],
    ),
    (
        "kaufmans_efficiency_ratio(v,3,0)",
        &[
            (1, 1.0),
            (2, 1.0),
            (3, 0.9130434782608695),
            (4, 0.6666666666666666),
            (5, 0.6666666666666666),
            (6, 0.6666666666666666),
            (7, 0.0),
            (8, 0.3333333333333333),
            (9, 0.7142857142857143),
            (10, 0.7142857142857143),
            (11, 0.3333333333333333),
            (12, 1.0),
            (13, 1.0),
            (14, 1.0),
            (15, 0.3333333333333333),
            (16, 0.5),
            (17, 1.0),
            (18, 0.5),
            (19, 0.6),
            (20, 0.5),
        ],
    ),
    (
        "kaufmans_adaptive_moving_average(v,3)",
        &[
            (4, 10.825663853239295),
            (5, 11.29773231176701),
            (6, 11.558755730417047),
            (7, 11.560592335077121),
            (8, 11.732201080765353),
            (9, 12.531676455155516),
            (10, 13.013231851258062),
            (11, 13.012301009959915),
            (12, 12.56238944997773),
            (13, 12.312438583320962),
            (14, 11.729132546289422),
            (15, 11.818536204728023),
            (16, 12.110104264311143),
            (17, 13.83894681350619),
            (18, 13.994129780737875),
            (19, 14.539127519556015),
            (20, 15.001697595564021),
        ],
    ),
    (
        "kaufmans_adaptive_moving_average(v,3,0)",
        &[
            (1, 4.4444444444444455),
            (2, 10.444444444444445),
            (3, 10.811314222543075),
            (4, 10.825663853239295),
            (5, 11.29773231176701),
            (6, 11.558755730417047),
            (7, 11.560592335077121),
            (8, 11.732201080765353),
            (9, 12.531676455155516),
            (10, 13.013231851258062),
            (11, 13.012301009959915),
            (12, 12.56238944997773),
            (13, 12.312438583320962),
            (14, 11.729132546289422),
            (15, 11.818536204728023),
            (16, 12.110104264311143),
            (17, 13.83894681350619),
            (18, 13.994129780737875),
            (19, 14.539127519556015),
            (20, 15.001697595564021),
        ],
    ),
    (
        "chande_momentum_oscillator(v,3)",
        &[
            (3, 33.33333333333333),
            (4, 66.66666666666666),
            (5, 66.66666666666666),
            (6, 66.66666666666666),
            (7, 0.0),
            (8, 33.33333333333333),
            (9, 71.42857142857143),
            (10, 71.42857142857143),
            (11, -33.33333333333333),
            (12, -100.0),
            (13, -100.0),
            (14, -100.0),
            (15, 33.33333333333333),
            (16, 50.0),
            (17, 100.0),
            (18, 50.0),
            (19, 60.0),
            (20, 50.0),
        ],
    ),
    (
        "chande_momentum_oscillator(v,3,0)",
        &[
            (1, 0.0),
            (2, 100.0),
            (3, 33.33333333333333),
            (4, 66.66666666666666),
            (5, 66.66666666666666),
            (6, 66.66666666666666),
            (7, 0.0),
            (8, 33.33333333333333),
            (9, 71.42857142857143),
            (10, 71.42857142857143),
            (11, -33.33333333333333),
            (12, -100.0),
            (13, -100.0),
            (14, -100.0),
            (15, 33.33333333333333),
            (16, 50.0),
            (17, 100.0),
            (18, 50.0),
            (19, 60.0),
            (20, 50.0),
        ],
    ),
    (
        "chande_momentum_oscillator(v,3,-1,'exponential')",
        &[
            (4, 84.61538461538463),
            (5, 87.75510204081631),
            (6, 62.83185840707964),
            (7, 35.793357933579344),
            (8, 67.8373382624769),
            (9, 76.59717552118359),
            (10, 46.64246823956443),
            (11, -16.836229761292103),
            (12, -41.96043761741628),
            (13, -41.960437617416275),
            (14, -65.44722634550305),
            (15, 25.27245173128496),
            (16, 47.04858774980581),
            (17, 71.74751207537817),
            (18, 27.236044409087977),
            (19, 59.063974233576864),
            (20, 69.17607334700139),
        ],
    ),
    (
        "chande_momentum_oscillator(v,3,-1,'simple')",
        &[
            (4, 92.3076923076923),
            (5, 93.33333333333333),
            (6, 75.75757575757576),
            (7, 54.66666666666667),
            (8, 73.64341085271317),
            (9, 79.9410029498525),
            (10, 52.59537210756723),
            (11, -9.37790157845867),
            (12, -35.55203380876913),
            (13, -35.55203380876913),
            (14, -60.937343659322394),
            (15, 26.231884057971012),
            (16, 47.541774905540684),
            (17, 71.89682947369892),
            (18, 27.50037866546143),
            (19, 59.151034085179546),
            (20, 69.22684934184747),
        ],
    ),
    (
        "chande_momentum_oscillator(v,3,0,'none')",
        &[
            (1, 0.0),
            (2, 100.0),
            (3, 33.33333333333333),
            (4, 66.66666666666666),
            (5, 66.66666666666666),
            (6, 66.66666666666666),
            (7, 0.0),
            (8, 33.33333333333333),
            (9, 71.42857142857143),
            (10, 71.42857142857143),
            (11, -33.33333333333333),
            (12, -100.0),
            (13, -100.0),
            (14, -100.0),
            (15, 33.33333333333333),
            (16, 50.0),
            (17, 100.0),
            (18, 50.0),
            (19, 60.0),
            (20, 50.0),
        ],
    ),
    (
        "triple_exponential_derivative(v,1)",
        &[
            (2, 10.000000000000009),
            (3, -4.545454545454541),
            (4, 14.28571428571428),
            (5, 8.333333333333325),
            (6, -3.8461538461538436),
            (7, -4.0000000000000036),
            (8, 16.666666666666675),
            (9, 7.14285714285714),
            (10, -3.3333333333333326),
            (11, -10.344827586206895),
            (12, -7.692307692307687),
            (13, 0.0),
            (14, -8.333333333333337),
            (15, 18.181818181818187),
            (16, 7.692307692307687),
            (17, 14.28571428571428),
            (18, -6.25),
            (19, 13.33333333333333),
            (20, 5.882352941176472),
        ],
    ),
    (
        "kaufmans_efficiency_ratio(v,1)",
        &[
            (2, 1.0),
            (3, 1.0),
            (4, 1.0),
            (5, 1.0),
            (6, 1.0),
            (7, 1.0),
            (8, 1.0),
            (9, 1.0),
            (10, 1.0),
            (11, 1.0),
            (12, 1.0),
            (13, 0.0),
            (14, 1.0),
            (15, 1.0),
            (16, 1.0),
            (17, 1.0),
            (18, 1.0),
            (19, 1.0),
            (20, 1.0),
        ],
    ),
    (
        "relative_strength_index(v,1)",
        &[
            (2, 100.0),
            (3, 0.0),
            (4, 100.0),
            (5, 100.0),
            (6, 0.0),
            (7, 0.0),
            (8, 100.0),
            (9, 100.0),
            (10, 0.0),
            (11, 0.0),
            (12, 0.0),
            (13, f64::NAN),
            (14, 0.0),
            (15, 100.0),
            (16, 100.0),
            (17, 100.0),
            (18, 0.0),
            (19, 100.0),
            (20, 100.0),
        ],
    ),
];
/// holt_winters answers of InfluxDB 1.6.7 on `hw` (GROUP BY time(10s), first(v)).
/// (series, call, (seconds, value) answered).
type HwCase = (&'static str, &'static str, &'static [(i64, f64)]);
const HW_CASES: &[HwCase] = &[
    (
        "seas",
        "holt_winters(first(v),5,4)",
        &[
            (200, 23.728671643176213),
            (210, 26.634900080739058),
            (220, 28.803968953305073),
            (230, 15.28118703640991),
            (240, 24.931816806607962),
        ],
    ),
    (
        "seas",
        "holt_winters(first(v),5,0)",
        &[
            (200, 25.05551402090144),
            (210, 25.415487533598508),
            (220, 25.740665156807925),
            (230, 26.034033609589937),
            (240, 26.298407175290723),
        ],
    ),
    (
        "seas",
        "holt_winters(first(v),3,1)",
        &[
            (200, 25.05551402090144),
            (210, 25.415487533598508),
            (220, 25.740665156807925),
        ],
    ),
    (
        "seas",
        "holt_winters_with_fit(first(v),3,4)",
        &[
            (0, 10.0),
            (10, 24.264658815564783),
            (20, 9.162811485610796),
            (30, 8.853416494459053),
            (40, 14.398061249432548),
            (50, 20.134249677879584),
            (60, 18.358159882141663),
            (70, 11.442711610117213),
            (80, 17.678687693606463),
            (90, 21.822982061364787),
            (100, 21.563562611138547),
            (110, 12.685414659444843),
            (120, 20.39844548088775),
            (130, 23.85563754306708),
            (140, 24.90510253720247),
            (150, 13.730890326575565),
            (160, 22.34214411622638),
            (170, 25.346697473688497),
            (180, 27.163300669365277),
            (190, 14.549589078831108),
            (200, 23.728671643176213),
            (210, 26.634900080739058),
            (220, 28.803968953305073),
        ],
    ),
    (
        "seas",
        "holt_winters_with_fit(first(v),3,0)",
        &[
            (0, 10.0),
            (10, 10.365937554539487),
            (20, 11.019681792571754),
            (30, 11.864459052840036),
            (40, 12.827185594982183),
            (50, 13.853233963494777),
            (60, 14.902306312143988),
            (70, 15.945185201855978),
            (80, 16.961179535346588),
            (90, 17.93612078470509),
            (100, 18.860794482726874),
            (110, 19.72971565712512),
            (120, 20.54017573828431),
            (130, 21.291503459262554),
            (140, 21.984494181213005),
            (150, 22.620971546582606),
            (160, 23.203452886218358),
            (170, 23.734895782604063),
            (180, 24.21850793637831),
            (190, 24.657606248948277),
            (200, 25.05551402090144),
            (210, 25.415487533598508),
            (220, 25.740665156807925),
        ],
    ),
    (
        "lin",
        "holt_winters(first(v),5,4)",
        &[
            (120, 27.353442672081673),
            (130, 26.334424342392353),
            (140, 29.364244059688275),
            (150, 27.845856440056124),
            (160, 29.353974321012124),
        ],
    ),
    (
        "lin",
        "holt_winters(first(v),5,0)",
        &[
            (120, 26.756875184676083),
            (130, 28.719236514433618),
            (140, 30.684813342096316),
            (150, 32.65362053013284),
            (160, 34.625667470938915),
        ],
    ),
    (
        "lin",
        "holt_winters(first(v),3,1)",
        &[
            (120, 26.756875184676083),
            (130, 28.719236514433618),
            (140, 30.684813342096316),
        ],
    ),
    (
        "lin",
        "holt_winters_with_fit(first(v),3,4)",
        &[
            (0, 3.7),
            (10, 4.877948340847296),
            (20, 7.248718442391382),
            (30, 8.562843326093423),
            (40, 11.292335554657699),
            (50, 12.25755354702082),
            (60, 15.55910247072378),
            (70, 16.55597022702521),
            (80, 19.885664448089607),
            (90, 20.17244319265926),
            (100, 23.911624590364543),
            (110, 24.102549218998124),
            (120, 27.353442672081673),
            (130, 26.334424342392353),
            (140, 29.364244059688275),
        ],
    ),
    (
        "lin",
        "holt_winters_with_fit(first(v),3,0)",
        &[
            (0, 3.7),
            (10, 4.406227699753983),
            (20, 7.016651944995634),
            (30, 9.125361098449655),
            (40, 11.126354819013445),
            (50, 13.090604804008432),
            (60, 15.04201452659359),
            (70, 16.989951011296117),
            (80, 18.93827614907589),
            (90, 20.888614837035774),
            (100, 22.841657868657997),
            (110, 24.797701625950523),
            (120, 26.756875184676083),
            (130, 28.719236514433618),
            (140, 30.684813342096316),
        ],
    ),
    (
        "gap",
        "holt_winters(first(v),5,4)",
        &[
            (100, 6.76757531523977),
            (110, 1.1164414864505465),
            (120, 2.8464356301745206),
            (130, 4.233018611764518),
            (140, 5.0141751161292),
        ],
    ),
    (
        "gap",
        "holt_winters(first(v),5,0)",
        &[
            (100, 16.854860936821655),
            (110, 18.736307267001955),
            (120, 20.81910999564262),
            (130, 23.124896178424777),
            (140, 25.677575511691757),
        ],
    ),
    (
        "gap",
        "holt_winters(first(v),3,1)",
        &[
            (100, 16.854860936821655),
            (110, 18.736307267001955),
            (120, 20.81910999564262),
        ],
    ),
    (
        "gap",
        "holt_winters_with_fit(first(v),3,4)",
        &[
            (0, 5.0),
            (10, 8.823999139558325),
            (20, 11.908640039392312),
            (30, 1.8437448129530836),
            (40, 5.80804607550726),
            (50, 7.943643825919787),
            (60, 9.85644444715273),
            (70, 1.5054634410847623),
            (80, 4.098836326347345),
            (90, 5.595848849960454),
            (100, 6.76757531523977),
            (110, 1.1164414864505465),
            (120, 2.8464356301745206),
        ],
    ),
    (
        "gap",
        "holt_winters_with_fit(first(v),3,0)",
        &[
            (0, 5.0),
            (10, 6.003654893897419),
            (20, 6.933317808400279),
            (30, 7.84112003945673),
            (40, 8.798282379928281),
            (50, 9.836243194980568),
            (60, 10.975163649549982),
            (70, 12.231196147660468),
            (80, 13.619411520710187),
            (90, 15.155173226498862),
            (100, 16.854860936821655),
            (110, 18.736307267001955),
            (120, 20.81910999564262),
        ],
    ),
];

#[test]
fn no_panic_on_extreme_arguments() {
    // Not from InfluxDB (which would exhaust memory or panic): errors, not aborts.
    let i = 10 * S;
    let lin: Vec<Point> = HW_LIN.iter().map(|(t, v)| fl(*t, *v)).collect();
    let huge = Transform::HoltWinters {
        n: usize::MAX,
        season: 0,
        with_fit: false,
    };
    assert!(transform(&huge, &lin, true, i).is_err());
    let wide = [fl(0, 1.0), pt(i64::MAX / S, Value::Float(2.0))];
    assert!(transform(&tf("holt_winters(first(v), 1, 0)", 1), &wide, true, 1).is_err());
    let zero = Transform::Indicator {
        kind: Indicator::ChandeMomentumOscillator,
        period: 0,
        hold: None,
        warmup: Warmup::None,
    };
    assert!(transform(&zero, &lin, true, 0).is_err());
    // Huge windows and periods allocate nothing up front.
    assert!(run("moving_average(v, 9223372036854775807)", 0, &lin, true).is_empty());
    let big = transform(
        &tf("kaufmans_efficiency_ratio(v, 9223372036854775807)", 0),
        &lin,
        true,
        0,
    )
    .unwrap();
    assert!(big.is_empty());
    for expr in [
        "triple_exponential_moving_average(v, 9223372036854775807, -1, 'simple')",
        "triple_exponential_derivative(v, 9223372036854775807, -1, 'simple')",
        "double_exponential_moving_average(v, 9223372036854775807, -1, 'simple')",
        "relative_strength_index(v, 9223372036854775807)",
        "chande_momentum_oscillator(v, 9223372036854775807)",
        "chande_momentum_oscillator(v, 9223372036854775807, -1, 'simple')",
        "kaufmans_adaptive_moving_average(v, 9223372036854775807)",
    ] {
        assert!(transform(&tf(expr, 0), &lin, true, 0).unwrap().is_empty(), "{expr}");
    }
    let top = reduce(&bucket("top(v, 9223372036854775807)"), lin.clone(), 0).unwrap();
    assert_eq!(top.len(), lin.len());
    let sample = reduce(&bucket("sample(v, 9223372036854775807)"), lin.clone(), 0).unwrap();
    assert_eq!(sample.len(), lin.len());
}
