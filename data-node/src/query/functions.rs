//! functions: the InfluxQL functions that need every point of a bucket (distinct, median,
//! mode, percentile, sample, top, bottom), integral(), and the transformations over the rows
//! of one series (derivative … holt_winters and the technical-analysis indicators). The
//! aggregates that merge from partial states (count, sum, mean, min, max, first, last,
//! spread, stddev) live in `partial.rs`.
//!
//! Semantics are InfluxDB 1.6.7's, checked against a running 1.6.7 (the tests hold the
//! answers it gave). Where InfluxDB's answer depends on an implementation detail, the detail
//! is ported rather than approximated, because the outputs differ otherwise:
//! - Go's unstable `sort.Sort` (pdqsort, as the Go 1.19 that 1.6.7 was built with has it)
//!   decides which of several equal values percentile() reports (its time and aux) and how
//!   mode() breaks ties ([`go`]);
//! - Go's `container/heap` decides which of several equal points top()/bottom() keep;
//! - holt_winters() is InfluxDB's reducer with its Nelder-Mead optimiser, whose objective
//!   mutates the simplex vertices it is given, and Go's `math.Pow` ([`holt_winters`]);
//! - the indicators (exponential_moving_average …) are InfluxDB's vendored `gota` ([`gota`]);
//! - integral() is a stream over a whole group: it interpolates across bucket edges, the
//!   integer variant has a bug that changes results, and its row times depend on the order.

// used by the aggregate executor, being written alongside
#![allow(dead_code)]

use std::collections::HashMap;

use influxql::{Call, Expr, Literal};

use super::Value;

#[cfg(test)]
mod tests;

/// A point handed to a function: its time (ns), its value and the extra values it carries
/// (for top()/bottom(), the values of the tags named as arguments, in argument order).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Point {
    pub(crate) time: i64,
    pub(crate) value: Value,
    pub(crate) aux: Vec<Value>,
}

impl Point {
    fn new(time: i64, value: Value) -> Self {
        Point {
            time,
            value,
            aux: Vec::new(),
        }
    }
}

const SECOND: i64 = 1_000_000_000;

/// The Go iterator type InfluxDB names when a function gets values it does not take.
fn unsupported(function: &str, value: &Value) -> String {
    let kind = match value {
        Value::Float(_) => "float",
        Value::Integer(_) => "integer",
        Value::Unsigned(_) => "unsigned",
        Value::String(_) => "string",
        Value::Boolean(_) => "boolean",
        Value::Null | Value::Time(_) | Value::ZonedTime(..) => "nil",
    };
    format!("unsupported {function} iterator type: *query.{kind}InterruptIterator")
}

/// Go's `<` on two values of one field; values of different kinds are unordered.
fn go_less(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::Integer(x), Value::Integer(y)) => x < y,
        (Value::Unsigned(x), Value::Unsigned(y)) => x < y,
        (Value::String(x), Value::String(y)) => x < y,
        (Value::Boolean(x), Value::Boolean(y)) => !x & y,
        _ => false,
    }
}

/// Go's `==` on two values of one field (so `0.0 == -0.0`).
fn go_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x == y,
        _ => a == b,
    }
}

fn is_numeric(v: &Value) -> bool {
    matches!(v, Value::Float(_) | Value::Integer(_) | Value::Unsigned(_))
}

/// The rows a transformation or integral() reads: InfluxDB's stream iterators skip the
/// empty buckets of `fill(null)` (and the nulls a fill(linear) leaves at the edges).
fn present(rows: &[Point]) -> impl Iterator<Item = &Point> {
    rows.iter().filter(|p| p.value != Value::Null)
}

fn int_arg(call: &Call, i: usize) -> Option<i64> {
    match call.args.get(i) {
        Some(Expr::Literal(Literal::Integer(n))) => Some(*n),
        _ => None,
    }
}

fn duration_arg(call: &Call, i: usize) -> Option<i64> {
    match call.args.get(i) {
        Some(Expr::Literal(Literal::Duration(d))) => Some(*d),
        _ => None,
    }
}

/// The optional duration argument (`derivative(v, 10s)`), InfluxDB's compile-time text if
/// it is not a positive duration.
fn unit_arg(call: &Call, name: &str, default: i64) -> Result<i64, String> {
    match call.args.get(1) {
        None => Ok(default),
        Some(_) => match duration_arg(call, 1) {
            Some(d) if d > 0 => Ok(d),
            Some(d) => Err(format!(
                "duration argument must be positive, got {}",
                influxql::duration::format_duration(d)
            )),
            None => Err(format!("second argument to {name} must be a duration")),
        },
    }
}

// ----------------------------------------------------------------------------------------
// Bucket functions
// ----------------------------------------------------------------------------------------

/// A function that needs every point of one bucket of one group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BucketFunction {
    Distinct,
    Median,
    Mode,
    /// `percentile(v, p)`, p in percent (any number: outside 0..=100 selects nothing or an
    /// end point, as InfluxDB's index arithmetic does).
    Percentile(f64),
    Sample(usize),
    /// `top(v, [tag, ...,] n)`: `tags` are the tag arguments, in argument order.
    Top {
        n: usize,
        tags: Vec<String>,
    },
    Bottom {
        n: usize,
        tags: Vec<String>,
    },
}

impl BucketFunction {
    /// From a call already checked by compile.rs (argument counts and kinds are right); an
    /// argument of the wrong kind still gets InfluxDB's compile-time text.
    pub(crate) fn from_call(call: &Call) -> Result<Self, String> {
        match call.name.as_str() {
            "distinct" => Ok(BucketFunction::Distinct),
            "median" => Ok(BucketFunction::Median),
            "mode" => Ok(BucketFunction::Mode),
            "percentile" => match call.args.get(1) {
                Some(Expr::Literal(Literal::Integer(n))) => Ok(BucketFunction::Percentile(*n as f64)),
                Some(Expr::Literal(Literal::Number(n))) => Ok(BucketFunction::Percentile(*n)),
                _ => Err("expected float argument in percentile()".to_owned()),
            },
            "sample" => match int_arg(call, 1) {
                Some(n) if n > 0 => Ok(BucketFunction::Sample(usize::try_from(n).unwrap_or(usize::MAX))),
                Some(n) => Err(format!("sample window must be greater than 1, got {n}")),
                None => Err("expected integer argument in sample()".to_owned()),
            },
            "top" | "bottom" => {
                let name = call.name.as_str();
                let last = call.args.len().saturating_sub(1);
                let n = match int_arg(call, last) {
                    Some(n) if call.args.len() >= 2 && n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
                    Some(n) if call.args.len() >= 2 => {
                        return Err(format!("limit ({n}) in {name} function must be at least 1"))
                    }
                    _ => {
                        return Err(format!(
                            "invalid number of arguments for {name}, expected at least 2, got {}",
                            call.args.len()
                        ))
                    }
                };
                let mut tags = Vec::new();
                for arg in &call.args[1..last] {
                    match arg {
                        Expr::VarRef(v) => tags.push(v.name.clone()),
                        other => return Err(format!("only fields or tags are allowed in {name}(), found {other}")),
                    }
                }
                Ok(if name == "top" {
                    BucketFunction::Top { n, tags }
                } else {
                    BucketFunction::Bottom { n, tags }
                })
            }
            other => Err(format!("undefined function {other}()")),
        }
    }

    /// influxql's `IsSelector`: true for percentile, sample, top and bottom. What it means for
    /// row times in InfluxDB 1.6.7: a percentile() row keeps its point's time only when it is
    /// the only call of the SELECT and there is no GROUP BY time (otherwise the window start);
    /// sample(), top() and bottom() rows always keep their points' times, with GROUP BY time
    /// and next to other calls too. distinct(), median() and mode() rows take the window start.
    pub(crate) fn is_selector(&self) -> bool {
        !matches!(
            self,
            BucketFunction::Distinct | BucketFunction::Median | BucketFunction::Mode
        )
    }
}

/// Applies a bucket function to the points of one bucket of one group.
///
/// `points` are in the query's order: time order (ascending, or descending with ORDER BY
/// time DESC), equal times in series-key order (reversed when descending), as InfluxDB's
/// merge feeds them; the order decides which of several equal points is kept. `aux` of each
/// point holds the values of the tags top()/bottom() name, then any other aux values the
/// executor adds: selectors carry the selected point's aux through unchanged.
/// An empty bucket gives no point (the executor's fill decides what it shows).
///
/// Times and types of the result, per function (observed on InfluxDB 1.6.7):
/// - distinct: one point per distinct value (floats by `==`, so 0 and -0 are one), the first
///   met in `points` order, ordered by that point's time then value, all at `window_start`;
///   keeps the value type; no aux.
/// - median: `window_start`; float for every numeric input (the mean of the two middle
///   values for an even count); strings and booleans are refused.
/// - mode: `window_start`; keeps the type (strings and booleans too: true wins a tie);
///   among equally frequent values, InfluxDB's scan order over the values sorted by Go's
///   unstable sort decides (often, but not always, the smallest value).
/// - percentile: the point at index `floor(n*p/100 + 0.5) - 1` of the points sorted by value
///   (Go's unstable sort), with its time and aux; none if the index is outside; keeps the
///   numeric type.
/// - sample: at most n points chosen at random (reservoir sampling), with their times and
///   aux, ordered by time then value.
/// - top/bottom: the n largest/smallest values (ties: the earlier time wins, then the point
///   met first), with their times and aux, ordered by time; equal times keep the best first.
///   With tag arguments, the candidates are first reduced to one point per combination of
///   the tags' values (its max/min, earliest time on ties, the first met on full ties), taken
///   in order of the tag values sorted by tag name, as InfluxDB's inner max()/min() does.
pub(crate) fn reduce(f: &BucketFunction, points: Vec<Point>, window_start: i64) -> Result<Vec<Point>, String> {
    let Some(first) = points.first() else {
        return Ok(Vec::new());
    };
    match f {
        BucketFunction::Distinct => Ok(distinct(points, window_start)),
        BucketFunction::Median => {
            if !is_numeric(&first.value) {
                return Err(unsupported("median", &first.value));
            }
            Ok(vec![Point::new(window_start, median(points))])
        }
        BucketFunction::Mode => Ok(vec![Point::new(window_start, mode(points))]),
        BucketFunction::Percentile(p) => {
            if !is_numeric(&first.value) {
                return Err(unsupported("percentile", &first.value));
            }
            Ok(percentile(points, *p).into_iter().collect())
        }
        BucketFunction::Sample(n) => Ok(sample(points, *n)),
        BucketFunction::Top { n, tags } => top_bottom(points, *n, tags, true),
        BucketFunction::Bottom { n, tags } => top_bottom(points, *n, tags, false),
    }
}

fn distinct(points: Vec<Point>, window_start: i64) -> Vec<Point> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Point> = Vec::new();
    for p in points {
        if seen.insert(Key::of(&p.value)) {
            out.push(Point::new(p.time, p.value));
        }
    }
    go::sort(&mut out, &points_less);
    for p in &mut out {
        p.time = window_start;
    }
    out
}

/// A value as a map key, equal when Go's `==` says so (0 and -0 are one key).
#[derive(Debug, PartialEq, Eq, Hash)]
enum Key {
    Float(u64),
    Integer(i64),
    Unsigned(u64),
    String(String),
    Boolean(bool),
    Other,
}

impl Key {
    fn of(v: &Value) -> Key {
        match v {
            Value::Float(x) if *x == 0.0 => Key::Float(0),
            Value::Float(x) => Key::Float(x.to_bits()),
            Value::Integer(x) => Key::Integer(*x),
            Value::Unsigned(x) => Key::Unsigned(*x),
            Value::String(x) => Key::String(x.clone()),
            Value::Boolean(x) => Key::Boolean(*x),
            Value::Null | Value::Time(_) | Value::ZonedTime(..) => Key::Other,
        }
    }
}

/// Go's `floatPoints.Less` (and its siblings): by time, then by value.
fn points_less(a: &Point, b: &Point) -> bool {
    if a.time != b.time {
        return a.time < b.time;
    }
    match (&a.value, &b.value) {
        // Go's booleanPoints.Less: `!a[i].Value`.
        (Value::Boolean(x), Value::Boolean(_)) => !x,
        (x, y) => go_less(x, y),
    }
}

fn by_value(a: &Point, b: &Point) -> bool {
    go_less(&a.value, &b.value)
}

fn median(mut points: Vec<Point>) -> Value {
    if points.len() == 1 {
        return Value::Float(points[0].value.as_f64().unwrap_or(f64::NAN));
    }
    go::sort(&mut points, &by_value);
    let n = points.len();
    if n % 2 == 1 {
        return Value::Float(points[n / 2].value.as_f64().unwrap_or(f64::NAN));
    }
    match (&points[n / 2 - 1].value, &points[n / 2].value) {
        (Value::Float(lo), Value::Float(hi)) => Value::Float(lo + (hi - lo) / 2.0),
        (Value::Integer(lo), Value::Integer(hi)) => Value::Float(*lo as f64 + hi.wrapping_sub(*lo) as f64 / 2.0),
        (Value::Unsigned(lo), Value::Unsigned(hi)) => Value::Float(*lo as f64 + hi.wrapping_sub(*lo) as f64 / 2.0),
        (lo, hi) => {
            let (lo, hi) = (lo.as_f64().unwrap_or(f64::NAN), hi.as_f64().unwrap_or(f64::NAN));
            Value::Float(lo + (hi - lo) / 2.0)
        }
    }
}

fn mode(mut points: Vec<Point>) -> Value {
    if points.len() == 1 {
        return points.swap_remove(0).value;
    }
    if matches!(points[0].value, Value::Boolean(_)) {
        let trues = points.iter().filter(|p| p.value == Value::Boolean(true)).count();
        return Value::Boolean(2 * trues >= points.len());
    }
    go::sort(&mut points, &by_value);
    // InfluxDB's scan, tie rule included: a later run of equal frequency wins unless its
    // first point is later than the point where the current winner reached that frequency.
    let (mut most_freq, mut curr_freq) = (0usize, 0usize);
    let mut curr = &points[0];
    let mut most = &points[0];
    let (mut most_time, mut curr_time) = (points[0].time, points[0].time);
    for p in &points {
        if !go_eq(&p.value, &curr.value) {
            curr_freq = 1;
            curr = p;
            curr_time = p.time;
            continue;
        }
        curr_freq += 1;
        if most_freq > curr_freq || (most_freq == curr_freq && curr_time > most_time) {
            continue;
        }
        most_freq = curr_freq;
        most = p;
        most_time = p.time;
    }
    most.value.clone()
}

fn percentile(mut points: Vec<Point>, p: f64) -> Option<Point> {
    let len = points.len();
    // Go: int(math.Floor(float64(length)*percentile/100.0+0.5)) - 1
    let i = ((len as f64 * p / 100.0 + 0.5).floor() as i64).saturating_sub(1);
    let i = usize::try_from(i).ok().filter(|i| *i < len)?;
    go::sort(&mut points, &by_value);
    Some(points.swap_remove(i))
}

fn sample(points: Vec<Point>, size: usize) -> Vec<Point> {
    let mut rng = Rng::new();
    let mut reservoir: Vec<Point> = Vec::new();
    for (count, p) in points.into_iter().enumerate() {
        if count < size {
            reservoir.push(p);
            continue;
        }
        let rnd = rng.below(count + 1);
        if rnd < size {
            reservoir[rnd] = p;
        }
    }
    go::sort(&mut reservoir, &points_less);
    reservoir
}

/// top() and bottom(): InfluxDB's heap reducer, fed as InfluxDB feeds it.
fn top_bottom(points: Vec<Point>, n: usize, tags: &[String], top: bool) -> Result<Vec<Point>, String> {
    let name = if top { "top" } else { "bottom" };
    if n == 0 {
        return Ok(Vec::new());
    }
    let input = if tags.is_empty() {
        if let Some(p) = points.iter().find(|p| !is_numeric(&p.value)) {
            return Err(unsupported(name, &p.value));
        }
        points
    } else {
        if let Some(p) = points
            .iter()
            .find(|p| !is_numeric(&p.value) && !matches!(p.value, Value::Boolean(_)))
        {
            return Err(unsupported(if top { "max" } else { "min" }, &p.value));
        }
        if points.iter().any(|p| matches!(p.value, Value::Boolean(_))) {
            return Err(format!(
                "unsupported {name} iterator type: *query.booleanReduceBooleanIterator"
            ));
        }
        per_tag_values(points, tags, top)
    };
    // cmp(a, b): a is a worse candidate than b.
    let worse = |a: &Point, b: &Point| -> bool {
        if !go_eq(&a.value, &b.value) {
            return if top {
                go_less(&a.value, &b.value)
            } else {
                go_less(&b.value, &a.value)
            };
        }
        a.time > b.time
    };
    let mut heap: Vec<Point> = Vec::new();
    for p in input {
        if heap.len() == n {
            if !worse(&heap[0], &p) {
                continue;
            }
            heap[0] = p;
            go::heap_fix(&mut heap, 0, &worse);
        } else {
            heap.push(p);
            let last = heap.len() - 1;
            go::heap_up(&mut heap, last, &worse);
        }
    }
    // Emit: best first (sort.Reverse of the heap order), then by time, keeping that order
    // among equal times.
    go::sort(&mut heap, &|a: &Point, b: &Point| worse(b, a));
    heap.sort_by_key(|p| p.time);
    Ok(heap)
}

/// The inner max()/min() of top()/bottom() with tag arguments: one point per combination of
/// the tags' values, in the order of the values sorted by tag name (Go's tag-set ID order).
fn per_tag_values(points: Vec<Point>, tags: &[String], top: bool) -> Vec<Point> {
    let mut by_name: Vec<usize> = (0..tags.len()).collect();
    by_name.sort_by(|a, b| tags[*a].cmp(&tags[*b]));
    let key = |p: &Point| -> Vec<String> {
        by_name
            .iter()
            .map(|i| match p.aux.get(*i) {
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            })
            .collect()
    };
    let mut groups: Vec<(Vec<String>, Point)> = Vec::new();
    let mut index: HashMap<Vec<String>, usize> = HashMap::new();
    for p in points {
        let k = key(&p);
        match index.get(&k) {
            None => {
                index.insert(k.clone(), groups.len());
                groups.push((k, p));
            }
            Some(&i) => {
                let best = &mut groups[i].1;
                let better = if top {
                    go_less(&best.value, &p.value)
                } else {
                    go_less(&p.value, &best.value)
                };
                if better || (go_eq(&p.value, &best.value) && p.time < best.time) {
                    *best = p;
                }
            }
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups.into_iter().map(|(_, p)| p).collect()
}

// ----------------------------------------------------------------------------------------
// integral()
// ----------------------------------------------------------------------------------------

/// `integral(v[, unit])`: the area under the points by the trapezium rule, in `unit`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Integral {
    pub(crate) unit: i64,
}

impl Integral {
    /// From a call checked by compile.rs; the default unit is 1s.
    pub(crate) fn from_call(call: &Call) -> Result<Self, String> {
        match call.args.get(1) {
            Some(_) if duration_arg(call, 1).is_none() => Err("second argument must be a duration".to_owned()),
            _ => Ok(Integral {
                unit: unit_arg(call, "integral", SECOND)?,
            }),
        }
    }
}

/// The buckets integral() sums over.
#[derive(Clone, Copy)]
pub(crate) enum Buckets<'a> {
    /// No GROUP BY time: the query's time range, `start` and `end` inclusive
    /// ([`influxql::time::MIN_TIME`]/[`influxql::time::MAX_TIME`] when unbounded).
    All { start: i64, end: i64 },
    /// GROUP BY time: the bucket `[start, end)` holding a time (InfluxDB's `Window`).
    Every(&'a dyn Fn(i64) -> (i64, i64)),
}

impl std::fmt::Debug for Buckets<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Buckets::All { start, end } => write!(f, "All {{ start: {start}, end: {end} }}"),
            Buckets::Every(_) => f.write_str("Every(..)"),
        }
    }
}

/// integral() over all the points of one group (every bucket), in the query's order.
///
/// InfluxDB computes it as a stream, not per bucket: when a point falls in the next bucket,
/// the area up to the bucket's end is interpolated and the next bucket starts from that
/// interpolated point. Points at an equal time replace the previous one (the last wins).
/// One float point per bucket that got points, at the bucket's start, except:
/// - with ORDER BY time DESC the row time is the bucket's end (InfluxDB swaps the window's
///   ends) and the areas are negative;
/// - without GROUP BY time, float fields give time 0; integer and unsigned fields give the
///   query's start (0 when unbounded), or with DESC the query's end + 1;
/// - integer and unsigned fields: after an interpolation at a bucket edge, InfluxDB keeps the
///   old value and uses the interpolated one as the new point's value for the next area
///   (a bug, reproduced: results differ from float fields);
/// - a final bucket whose last point sits on its start (nothing to add) gives no row.
pub(crate) fn integral(
    f: &Integral,
    points: &[Point],
    buckets: Buckets<'_>,
    ascending: bool,
) -> Result<Vec<Point>, String> {
    let unit = f.unit as f64;
    let mut out = Vec::new();
    let mut pts = present(points);
    let Some(first) = pts.next() else {
        return Ok(out);
    };
    let float = match first.value {
        Value::Float(_) => true,
        Value::Integer(_) | Value::Unsigned(_) => false,
        ref other => return Err(unsupported("integral", other)),
    };
    let window = |t: i64| -> (i64, i64) {
        let (start, end) = match buckets {
            Buckets::All { start, end } => (start, end.saturating_add(1)),
            Buckets::Every(w) => w(t),
        };
        if ascending {
            (start, end)
        } else {
            (end, start)
        }
    };
    let grouped = matches!(buckets, Buckets::Every(_));
    let (mut prev_time, mut prev_value) = (first.time, first.value.as_f64().unwrap_or(f64::NAN));
    // (start, end) as InfluxDB's reducer holds them: swapped when descending.
    let mut win = (0, 0);
    if grouped || !float {
        win = window(first.time);
        if !float && win.0 == influxql::time::MIN_TIME {
            win.0 = 0;
        }
    }
    let mut sum = 0.0;
    for p in pts {
        let Some(v) = p.value.as_f64().filter(|_| is_numeric(&p.value)) else {
            return Err(unsupported("integral", &p.value));
        };
        if p.time == prev_time {
            prev_value = v;
            continue;
        }
        let mut value = v;
        let crossed = (grouped || !float) && if ascending { p.time >= win.1 } else { p.time <= win.1 };
        if crossed {
            if prev_time != win.1 {
                let interpolated = linear(win.1, prev_time, p.time, prev_value, v);
                let elapsed = win.1.wrapping_sub(prev_time) as f64 / unit;
                sum += 0.5 * (interpolated + prev_value) * elapsed;
                if float {
                    prev_value = interpolated;
                } else {
                    value = interpolated;
                }
                prev_time = win.1;
            }
            out.push(Point::new(win.0, Value::Float(sum)));
            win = window(p.time);
            sum = 0.0;
        }
        let elapsed = p.time.wrapping_sub(prev_time) as f64 / unit;
        sum += 0.5 * (value + prev_value) * elapsed;
        prev_time = p.time;
        prev_value = v;
    }
    if prev_time != win.0 {
        out.push(Point::new(win.0, Value::Float(sum)));
    }
    Ok(out)
}

/// Go's `linearFloat`: the value at `t` on the line through the two points.
fn linear(t: i64, x0: i64, x1: i64, y0: f64, y1: f64) -> f64 {
    let m = (y1 - y0) / (x1.wrapping_sub(x0) as f64);
    m * (t.wrapping_sub(x0) as f64) + y0
}

// ----------------------------------------------------------------------------------------
// Transformations
// ----------------------------------------------------------------------------------------

/// How the indicators start before they have `period` values ('exponential' by default;
/// chande_momentum_oscillator also takes 'none', its default, the unsmoothed CMO).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Warmup {
    Exponential,
    Simple,
    None,
}

/// The technical-analysis indicators InfluxDB 1.6 added (its vendored `gota`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Indicator {
    ExponentialMovingAverage,
    DoubleExponentialMovingAverage,
    TripleExponentialMovingAverage,
    RelativeStrengthIndex,
    TripleExponentialDerivative,
    KaufmansEfficiencyRatio,
    KaufmansAdaptiveMovingAverage,
    ChandeMomentumOscillator,
}

impl Indicator {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "exponential_moving_average" => Indicator::ExponentialMovingAverage,
            "double_exponential_moving_average" => Indicator::DoubleExponentialMovingAverage,
            "triple_exponential_moving_average" => Indicator::TripleExponentialMovingAverage,
            "relative_strength_index" => Indicator::RelativeStrengthIndex,
            "triple_exponential_derivative" => Indicator::TripleExponentialDerivative,
            "kaufmans_efficiency_ratio" => Indicator::KaufmansEfficiencyRatio,
            "kaufmans_adaptive_moving_average" => Indicator::KaufmansAdaptiveMovingAverage,
            "chande_momentum_oscillator" => Indicator::ChandeMomentumOscillator,
            _ => return None,
        })
    }

    /// The words of InfluxDB's "unsupported … iterator type" text.
    fn words(self) -> &'static str {
        match self {
            Indicator::ExponentialMovingAverage => "exponential moving average",
            Indicator::DoubleExponentialMovingAverage => "double exponential moving average",
            Indicator::TripleExponentialMovingAverage => "triple exponential moving average",
            Indicator::RelativeStrengthIndex => "relative strength index",
            Indicator::TripleExponentialDerivative => "triple exponential derivative",
            Indicator::KaufmansEfficiencyRatio => "kaufmans efficiency ratio",
            Indicator::KaufmansAdaptiveMovingAverage => "kaufmans adaptive moving average",
            Indicator::ChandeMomentumOscillator => "chande momentum oscillator",
        }
    }
}

/// A transformation over the rows of one series (group), in time order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Transform {
    /// derivative / non_negative_derivative; `unit` in ns.
    Derivative {
        unit: i64,
        non_negative: bool,
    },
    /// difference / non_negative_difference.
    Difference {
        non_negative: bool,
    },
    MovingAverage {
        n: usize,
    },
    CumulativeSum,
    /// elapsed; `unit` in ns.
    Elapsed {
        unit: i64,
    },
    /// holt_winters(_with_fit)(agg, n, season): `n` predicted points; `season` < 2 means
    /// no seasonality.
    HoltWinters {
        n: usize,
        season: usize,
        with_fit: bool,
    },
    /// exponential_moving_average(v, period[, hold_period[, warmup_type]]) and its kin;
    /// `hold` None is InfluxDB's -1: hold as many rows as the indicator needs to warm up.
    Indicator {
        kind: Indicator,
        period: usize,
        hold: Option<u64>,
        warmup: Warmup,
    },
}

impl Transform {
    /// `interval`: the GROUP BY time interval in ns, 0 without one. Default units as
    /// InfluxDB's (observed): derivative's is the GROUP BY interval, else 1s; elapsed's is
    /// always 1ns.
    pub(crate) fn from_call(call: &Call, interval: i64) -> Result<Self, String> {
        let name = call.name.as_str();
        match name {
            "derivative" | "non_negative_derivative" => Ok(Transform::Derivative {
                unit: unit_arg(call, name, if interval > 0 { interval } else { SECOND })?,
                non_negative: name == "non_negative_derivative",
            }),
            "difference" | "non_negative_difference" => Ok(Transform::Difference {
                non_negative: name == "non_negative_difference",
            }),
            "moving_average" => match int_arg(call, 1) {
                Some(n) if n > 1 => Ok(Transform::MovingAverage {
                    n: usize::try_from(n).unwrap_or(usize::MAX),
                }),
                Some(n) => Err(format!("moving_average window must be greater than 1, got {n}")),
                None => Err("second argument for moving_average must be an integer".to_owned()),
            },
            "cumulative_sum" => Ok(Transform::CumulativeSum),
            "elapsed" => Ok(Transform::Elapsed {
                unit: unit_arg(call, name, 1)?,
            }),
            "holt_winters" | "holt_winters_with_fit" => {
                let n = match int_arg(call, 1) {
                    Some(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
                    Some(n) => return Err(format!("second arg to {name} must be greater than 0, got {n}")),
                    None => return Err(format!("expected integer argument as second arg in {name}")),
                };
                let season = match int_arg(call, 2) {
                    Some(s) if s >= 0 => usize::try_from(s).unwrap_or(usize::MAX),
                    Some(s) => return Err(format!("third arg to {name} cannot be negative, got {s}")),
                    None => return Err(format!("expected integer argument as third arg in {name}")),
                };
                Ok(Transform::HoltWinters {
                    n,
                    season,
                    with_fit: name == "holt_winters_with_fit",
                })
            }
            _ => match Indicator::from_name(name) {
                Some(kind) => indicator_from_call(call, kind),
                None => Err(format!("undefined function {name}()")),
            },
        }
    }
}

fn indicator_from_call(call: &Call, kind: Indicator) -> Result<Transform, String> {
    let name = call.name.as_str();
    let period = match int_arg(call, 1) {
        Some(p) if p >= 1 => usize::try_from(p).unwrap_or(usize::MAX),
        Some(_) => return Err(format!("{name} period must be greater than or equal to 1")),
        None => return Err(format!("{name} period must be an integer")),
    };
    let hold = match call.args.get(2) {
        None => None,
        Some(_) => match int_arg(call, 2) {
            Some(-1) => None,
            Some(_) if kind == Indicator::TripleExponentialDerivative && int_arg(call, 2) < Some(1) => {
                return Err(format!("{name} hold period must be greater than or equal to 1"))
            }
            Some(h) if h >= 0 => Some(u64::try_from(h).unwrap_or(0)),
            Some(_) => return Err(format!("{name} hold period must be greater than or equal to 0")),
            None => return Err(format!("{name} hold period must be an integer")),
        },
    };
    let cmo = kind == Indicator::ChandeMomentumOscillator;
    let warmup = match call.args.get(3) {
        None if cmo => Warmup::None,
        None => Warmup::Exponential,
        Some(Expr::Literal(Literal::String(s))) => match s.as_str() {
            "exponential" => Warmup::Exponential,
            "simple" => Warmup::Simple,
            "none" if cmo => Warmup::None,
            _ if cmo => {
                return Err(format!(
                    "{name} warmup type must be one of: 'none' 'exponential' 'simple'"
                ))
            }
            _ => return Err(format!("{name} warmup type must be one of: 'exponential' 'simple'")),
        },
        Some(_) => return Err(format!("{name} warmup type must be a string")),
    };
    Ok(Transform::Indicator {
        kind,
        period,
        hold,
        warmup,
    })
}

/// Applies a transformation to the rows of one series (group).
///
/// `rows` are in the query's order: ascending time, or descending when `ascending` is false
/// (ORDER BY time DESC). Rows whose value is `Value::Null` (the empty buckets of `fill(null)`
/// around an inner aggregate) are skipped, as InfluxDB's stream iterators skip them; its
/// output gets no fill rows. Other fills apply to the inner aggregate before the transform
/// (so `fill(0)` feeds zeros in). `interval`: the GROUP BY time interval (holt_winters places
/// its points with it). Output points have no aux.
///
/// Per transformation (observed on InfluxDB 1.6.7):
/// - derivative: float; `(v - prev) / ((t - prev_t) / unit)` at the row's time; a row at the
///   same time as the previous one is ignored; with DESC the elapsed time is negated (so the
///   sign is that of `v - prev` in row order); non_negative drops negative results.
/// - difference: keeps the type (integers wrap as Go's do); `v - prev` in row order (DESC
///   does not negate); same-time rows ignored; non_negative drops negative results.
/// - moving_average: float; the mean of the last n rows, from the n-th row on.
/// - cumulative_sum: keeps the type.
/// - elapsed: integer `(t - prev_t) / unit` (truncated), any value type; no same-time skip,
///   negative with DESC.
/// - holt_winters: float; the n points after the last row, `interval` apart (with_fit: the
///   fitted values from the first row's time on, then those); none with DESC.
/// - indicators: float, as InfluxDB's gota; the first `hold` rows give nothing; infinite
///   results of the triple exponential derivative and Kaufman's functions are dropped.
pub(crate) fn transform(t: &Transform, rows: &[Point], ascending: bool, interval: i64) -> Result<Vec<Point>, String> {
    match t {
        Transform::Derivative { unit, non_negative } => derivative(rows, *unit, *non_negative, ascending),
        Transform::Difference { non_negative } => difference(rows, *non_negative),
        Transform::MovingAverage { n } => moving_average(rows, *n),
        Transform::CumulativeSum => cumulative_sum(rows),
        Transform::Elapsed { unit } => elapsed(rows, *unit),
        Transform::HoltWinters { n, season, with_fit } => {
            let mut pts = Vec::new();
            for p in present(rows) {
                match p.value {
                    Value::Float(v) => pts.push((p.time, v)),
                    Value::Integer(v) => pts.push((p.time, v as f64)),
                    ref other => return Err(unsupported("elapsed", other)),
                }
            }
            let out = holt_winters::forecast(&pts, *n, *season, *with_fit, interval)?;
            Ok(out.into_iter().map(|(t, v)| Point::new(t, Value::Float(v))).collect())
        }
        Transform::Indicator {
            kind,
            period,
            hold,
            warmup,
        } => indicator(rows, *kind, *period, *hold, *warmup),
    }
}

/// The rows that advance the stream: a row at the time of the previous kept one is dropped.
fn advancing(rows: &[Point]) -> impl Iterator<Item = &Point> {
    let mut last: Option<i64> = None;
    present(rows).filter(move |p| {
        let keep = last != Some(p.time);
        last = Some(p.time);
        keep
    })
}

fn derivative(rows: &[Point], unit: i64, non_negative: bool, ascending: bool) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    let mut prev: Option<&Point> = None;
    for p in advancing(rows) {
        if !is_numeric(&p.value) {
            return Err(unsupported("derivative", &p.value));
        }
        if let Some(q) = prev {
            let diff = match (&p.value, &q.value) {
                (Value::Integer(c), Value::Integer(b)) => c.wrapping_sub(*b) as f64,
                (Value::Unsigned(c), Value::Unsigned(b)) if c > b => (c - b) as f64,
                (Value::Unsigned(c), Value::Unsigned(b)) => -((b - c) as f64),
                (c, b) => c.as_f64().unwrap_or(f64::NAN) - b.as_f64().unwrap_or(f64::NAN),
            };
            let mut elapsed = p.time.wrapping_sub(q.time);
            if !ascending {
                elapsed = elapsed.wrapping_neg();
            }
            let value = diff / (elapsed as f64 / unit as f64);
            if !(non_negative && diff < 0.0) {
                out.push(Point::new(p.time, Value::Float(value)));
            }
        }
        prev = Some(p);
    }
    Ok(out)
}

fn difference(rows: &[Point], non_negative: bool) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    let mut prev: Option<&Point> = None;
    for p in advancing(rows) {
        if !is_numeric(&p.value) {
            return Err(unsupported("difference", &p.value));
        }
        if let Some(q) = prev {
            let value = match (&p.value, &q.value) {
                (Value::Integer(c), Value::Integer(b)) => {
                    let d = c.wrapping_sub(*b);
                    (!(non_negative && d < 0)).then_some(Value::Integer(d))
                }
                (Value::Unsigned(c), Value::Unsigned(b)) => {
                    (!(non_negative && c < b)).then_some(Value::Unsigned(c.wrapping_sub(*b)))
                }
                (c, b) => {
                    let d = c.as_f64().unwrap_or(f64::NAN) - b.as_f64().unwrap_or(f64::NAN);
                    (!(non_negative && d < 0.0)).then_some(Value::Float(d))
                }
            };
            if let Some(v) = value {
                out.push(Point::new(p.time, v));
            }
        }
        prev = Some(p);
    }
    Ok(out)
}

fn moving_average(rows: &[Point], n: usize) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    let mut window: std::collections::VecDeque<&Value> = std::collections::VecDeque::new();
    let mut sum = Value::Null;
    for p in present(rows) {
        if !is_numeric(&p.value) {
            return Err(unsupported("moving average", &p.value));
        }
        // Go's order: take the oldest value out, then add the new one.
        if window.len() == n {
            if let Some(old) = window.pop_front() {
                sum = sub(&sum, old);
            }
        }
        window.push_back(&p.value);
        sum = add(&sum, &p.value);
        if window.len() == n {
            out.push(Point::new(
                p.time,
                Value::Float(sum.as_f64().unwrap_or(f64::NAN) / n as f64),
            ));
        }
    }
    Ok(out)
}

/// Go's `+` on two values of one numeric type (integers wrap); Null is zero.
fn add(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Null, Value::Float(y)) => Value::Float(0.0 + y),
        (Value::Null, b) => b.clone(),
        (Value::Integer(x), Value::Integer(y)) => Value::Integer(x.wrapping_add(*y)),
        (Value::Unsigned(x), Value::Unsigned(y)) => Value::Unsigned(x.wrapping_add(*y)),
        (x, y) => Value::Float(x.as_f64().unwrap_or(f64::NAN) + y.as_f64().unwrap_or(f64::NAN)),
    }
}

fn sub(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => Value::Integer(x.wrapping_sub(*y)),
        (Value::Unsigned(x), Value::Unsigned(y)) => Value::Unsigned(x.wrapping_sub(*y)),
        (x, y) => Value::Float(x.as_f64().unwrap_or(f64::NAN) - y.as_f64().unwrap_or(f64::NAN)),
    }
}

fn cumulative_sum(rows: &[Point]) -> Result<Vec<Point>, String> {
    let mut sum = Value::Null;
    let mut out = Vec::new();
    for p in present(rows) {
        if !is_numeric(&p.value) {
            return Err(unsupported("cumulative sum", &p.value));
        }
        sum = add(&sum, &p.value);
        out.push(Point::new(p.time, sum.clone()));
    }
    Ok(out)
}

fn elapsed(rows: &[Point], unit: i64) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    let mut prev: Option<i64> = None;
    for p in present(rows) {
        if let Some(q) = prev {
            let e = p
                .time
                .wrapping_sub(q)
                .checked_div(unit)
                .ok_or_else(|| "runtime error: integer divide by zero".to_owned())?;
            out.push(Point::new(p.time, Value::Integer(e)));
        }
        prev = Some(p.time);
    }
    Ok(out)
}

fn indicator(
    rows: &[Point],
    kind: Indicator,
    period: usize,
    hold: Option<u64>,
    warmup: Warmup,
) -> Result<Vec<Point>, String> {
    if period == 0 {
        // from_call refuses it; InfluxDB's compile text.
        return Err(format!("{} period must be greater than or equal to 1", kind.words()));
    }
    let mut alg = gota::Alg::new(kind, period, warmup);
    let hold = hold.unwrap_or(alg.warm_count() as u64);
    let drops_inf = matches!(
        kind,
        Indicator::TripleExponentialDerivative
            | Indicator::KaufmansEfficiencyRatio
            | Indicator::KaufmansAdaptiveMovingAverage
    );
    let mut out = Vec::new();
    let mut count = 0u64;
    for p in present(rows) {
        let Some(v) = p.value.as_f64().filter(|_| is_numeric(&p.value)) else {
            return Err(unsupported(kind.words(), &p.value));
        };
        let r = alg.add(v)?;
        count += 1;
        if count <= hold || (drops_inf && r.is_infinite()) {
            continue;
        }
        out.push(Point::new(p.time, Value::Float(r)));
    }
    Ok(out)
}

// ----------------------------------------------------------------------------------------
// Randomness for sample()
// ----------------------------------------------------------------------------------------

/// A xorshift generator seeded from std's per-process random hasher keys and the clock:
/// sample() only needs InfluxDB's "random", not a particular sequence.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        h.write_u128(nanos);
        Rng(h.finish() | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

// ----------------------------------------------------------------------------------------
// Go's sort.Sort and container/heap
// ----------------------------------------------------------------------------------------

/// Go 1.19's `sort.Sort` (pattern-defeating quicksort) and `container/heap`, on slices with
/// a `less` function. Unstable: kept identical so equal elements end where Go's do.
/// Go's sort and container/heap, for the orders InfluxDB's iterators produce.
pub(super) mod go {
    type Less<'a, T> = &'a dyn Fn(&T, &T) -> bool;

    /// `sort.Sort`.
    pub(super) fn sort<T>(data: &mut [T], less: Less<'_, T>) {
        let n = data.len();
        if n <= 1 {
            return;
        }
        let limit = bits_len(n);
        pdqsort(data, 0, n, limit, less);
    }

    fn bits_len(x: usize) -> usize {
        (usize::BITS - x.leading_zeros()) as usize
    }

    fn insertion_sort<T>(data: &mut [T], a: usize, b: usize, less: Less<'_, T>) {
        for i in a + 1..b {
            let mut j = i;
            while j > a && less(&data[j], &data[j - 1]) {
                data.swap(j, j - 1);
                j -= 1;
            }
        }
    }

    fn sift_down<T>(data: &mut [T], lo: usize, hi: usize, first: usize, less: Less<'_, T>) {
        let mut root = lo;
        loop {
            let mut child = 2 * root + 1;
            if child >= hi {
                return;
            }
            if child + 1 < hi && less(&data[first + child], &data[first + child + 1]) {
                child += 1;
            }
            if !less(&data[first + root], &data[first + child]) {
                return;
            }
            data.swap(first + root, first + child);
            root = child;
        }
    }

    fn heap_sort<T>(data: &mut [T], a: usize, b: usize, less: Less<'_, T>) {
        let (first, hi) = (a, b - a);
        for i in (0..=(hi - 1) / 2).rev() {
            sift_down(data, i, hi, first, less);
        }
        for i in (0..hi).rev() {
            data.swap(first, first + i);
            sift_down(data, 0, i, first, less);
        }
    }

    #[derive(PartialEq, Eq)]
    enum Hint {
        Unknown,
        Increasing,
        Decreasing,
    }

    fn pdqsort<T>(data: &mut [T], mut a: usize, mut b: usize, mut limit: usize, less: Less<'_, T>) {
        let (mut was_balanced, mut was_partitioned) = (true, true);
        loop {
            let length = b - a;
            if length <= 12 {
                insertion_sort(data, a, b, less);
                return;
            }
            if limit == 0 {
                heap_sort(data, a, b, less);
                return;
            }
            if !was_balanced {
                break_patterns(data, a, b);
                limit -= 1;
            }
            let (mut pivot, mut hint) = choose_pivot(data, a, b, less);
            if hint == Hint::Decreasing {
                reverse_range(data, a, b);
                pivot = (b - 1) - (pivot - a);
                hint = Hint::Increasing;
            }
            if was_balanced && was_partitioned && hint == Hint::Increasing && partial_insertion_sort(data, a, b, less) {
                return;
            }
            if a > 0 && !less(&data[a - 1], &data[pivot]) {
                a = partition_equal(data, a, b, pivot, less);
                continue;
            }
            let (mid, already) = partition(data, a, b, pivot, less);
            was_partitioned = already;
            let (left, right) = (mid - a, b - mid);
            let threshold = length / 8;
            if left < right {
                was_balanced = left >= threshold;
                pdqsort(data, a, mid, limit, less);
                a = mid + 1;
            } else {
                was_balanced = right >= threshold;
                pdqsort(data, mid + 1, b, limit, less);
                b = mid;
            }
        }
    }

    fn partition<T>(data: &mut [T], a: usize, b: usize, pivot: usize, less: Less<'_, T>) -> (usize, bool) {
        data.swap(a, pivot);
        let (mut i, mut j) = (a + 1, b - 1);
        while i <= j && less(&data[i], &data[a]) {
            i += 1;
        }
        while i <= j && !less(&data[j], &data[a]) {
            j -= 1;
        }
        if i > j {
            data.swap(j, a);
            return (j, true);
        }
        data.swap(i, j);
        i += 1;
        j -= 1;
        loop {
            while i <= j && less(&data[i], &data[a]) {
                i += 1;
            }
            while i <= j && !less(&data[j], &data[a]) {
                j -= 1;
            }
            if i > j {
                break;
            }
            data.swap(i, j);
            i += 1;
            j -= 1;
        }
        data.swap(j, a);
        (j, false)
    }

    fn partition_equal<T>(data: &mut [T], a: usize, b: usize, pivot: usize, less: Less<'_, T>) -> usize {
        data.swap(a, pivot);
        let (mut i, mut j) = (a + 1, b - 1);
        loop {
            while i <= j && !less(&data[a], &data[i]) {
                i += 1;
            }
            while i <= j && less(&data[a], &data[j]) {
                j -= 1;
            }
            if i > j {
                break;
            }
            data.swap(i, j);
            i += 1;
            j -= 1;
        }
        i
    }

    fn partial_insertion_sort<T>(data: &mut [T], a: usize, b: usize, less: Less<'_, T>) -> bool {
        let mut i = a + 1;
        for _ in 0..5 {
            while i < b && !less(&data[i], &data[i - 1]) {
                i += 1;
            }
            if i == b {
                return true;
            }
            if b - a < 50 {
                return false;
            }
            data.swap(i, i - 1);
            if i - a >= 2 {
                // Go's loop runs down to index 1, not a + 1.
                let mut j = i - 1;
                while j >= 1 {
                    if !less(&data[j], &data[j - 1]) {
                        break;
                    }
                    data.swap(j, j - 1);
                    j -= 1;
                }
            }
            if b - i >= 2 {
                let mut j = i + 1;
                while j < b {
                    if !less(&data[j], &data[j - 1]) {
                        break;
                    }
                    data.swap(j, j - 1);
                    j += 1;
                }
            }
        }
        false
    }

    fn break_patterns<T>(data: &mut [T], a: usize, b: usize) {
        let length = b - a;
        if length >= 8 {
            let mut random = length as u64;
            let modulus = 1usize << bits_len(length);
            let idx = a + (length / 4) * 2 - 1;
            for idx in idx..=idx + 2 {
                random ^= random << 13;
                random ^= random >> 17;
                random ^= random << 5;
                let mut other = (random as usize) & (modulus - 1);
                if other >= length {
                    other -= length;
                }
                data.swap(idx, a + other);
            }
        }
    }

    fn choose_pivot<T>(data: &[T], a: usize, b: usize, less: Less<'_, T>) -> (usize, Hint) {
        let l = b - a;
        let mut swaps = 0;
        let (mut i, mut j, mut k) = (a + l / 4, a + l / 4 * 2, a + l / 4 * 3);
        if l >= 8 {
            if l >= 50 {
                i = median(data, i - 1, i, i + 1, &mut swaps, less);
                j = median(data, j - 1, j, j + 1, &mut swaps, less);
                k = median(data, k - 1, k, k + 1, &mut swaps, less);
            }
            j = median(data, i, j, k, &mut swaps, less);
        }
        match swaps {
            0 => (j, Hint::Increasing),
            12 => (j, Hint::Decreasing),
            _ => (j, Hint::Unknown),
        }
    }

    fn order2<T>(data: &[T], a: usize, b: usize, swaps: &mut usize, less: Less<'_, T>) -> (usize, usize) {
        if less(&data[b], &data[a]) {
            *swaps += 1;
            return (b, a);
        }
        (a, b)
    }

    fn median<T>(data: &[T], a: usize, b: usize, c: usize, swaps: &mut usize, less: Less<'_, T>) -> usize {
        let (a, b) = order2(data, a, b, swaps, less);
        let (b, _) = order2(data, b, c, swaps, less);
        order2(data, a, b, swaps, less).1
    }

    fn reverse_range<T>(data: &mut [T], a: usize, b: usize) {
        let (mut i, mut j) = (a, b - 1);
        while i < j {
            data.swap(i, j);
            i += 1;
            j -= 1;
        }
    }

    /// `heap.up` with `less` as the heap's `Less`.
    pub(in crate::query) fn heap_up<T>(h: &mut [T], mut j: usize, less: Less<'_, T>) {
        while j > 0 {
            let i = (j - 1) / 2;
            if !less(&h[j], &h[i]) {
                break;
            }
            h.swap(i, j);
            j = i;
        }
    }

    pub(in crate::query) fn heap_down<T>(h: &mut [T], i0: usize, n: usize, less: Less<'_, T>) -> bool {
        let mut i = i0;
        loop {
            let j1 = 2 * i + 1;
            if j1 >= n {
                break;
            }
            let mut j = j1;
            if j1 + 1 < n && less(&h[j1 + 1], &h[j1]) {
                j = j1 + 1;
            }
            if !less(&h[j], &h[i]) {
                break;
            }
            h.swap(i, j);
            i = j;
        }
        i > i0
    }

    /// `heap.Fix`.
    pub(super) fn heap_fix<T>(h: &mut [T], i: usize, less: Less<'_, T>) {
        let n = h.len();
        if !heap_down(h, i, n, less) {
            heap_up(h, i, less);
        }
    }
}

// ----------------------------------------------------------------------------------------
// Go's math.Pow
// ----------------------------------------------------------------------------------------

/// Go's `math.Pow`, whose results (repeated squaring with `Frexp`/`Ldexp`) can differ in the
/// last bit from the C library's `pow`; holt_winters and Kaufman's moving average use it.
fn go_pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    let is_odd_int = |y: f64| -> bool {
        let (yi, yf) = (y.trunc(), y.fract());
        yf == 0.0 && yi.abs() < (1u64 << 53) as f64 && (yi as i64) & 1 == 1
    };
    if x == 0.0 {
        if y < 0.0 {
            return if x.is_sign_negative() && is_odd_int(y) {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
        }
        return if x.is_sign_negative() && is_odd_int(y) { x } else { 0.0 };
    }
    if y.is_infinite() {
        if x == -1.0 {
            return 1.0;
        }
        return if (x.abs() < 1.0) == (y > 0.0) {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if x.is_infinite() {
        if x < 0.0 {
            return go_pow(1.0 / x, -y);
        }
        return if y < 0.0 { 0.0 } else { f64::INFINITY };
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let (mut yi, mut yf) = (y.abs().trunc(), y.abs().fract());
    if yf != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if yi >= (1u64 << 63) as f64 {
        if x == -1.0 {
            return 1.0;
        }
        return if (x.abs() < 1.0) == (y > 0.0) {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let mut a1 = 1.0;
    let mut ae: i64 = 0;
    if yf != 0.0 {
        if yf > 0.5 {
            yf -= 1.0;
            yi += 1.0;
        }
        a1 = (yf * x.ln()).exp();
    }
    let (mut x1, mut xe) = frexp(x);
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    ldexp(a1, ae)
}

/// Go's `math.Frexp`: `x = frac * 2^exp`, `frac` in [0.5, 1).
fn frexp(x: f64) -> (f64, i64) {
    if x == 0.0 || x.is_infinite() || x.is_nan() {
        return (x, 0);
    }
    let (mut x, mut e) = (x, 0i64);
    if x.abs() < f64::MIN_POSITIVE {
        x *= (1u64 << 52) as f64;
        e = -52;
    }
    let mut bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1022;
    bits &= !(0x7ff << 52);
    bits |= 1022 << 52;
    (f64::from_bits(bits), e)
}

/// Go's `math.Ldexp`: `frac * 2^exp`, rounding subnormal results as Go does.
fn ldexp(frac: f64, exp: i64) -> f64 {
    if frac == 0.0 || frac.is_infinite() || frac.is_nan() {
        return frac;
    }
    let (frac, e) = frexp(frac);
    let mut exp = exp.saturating_add(e);
    let mut x = frac.to_bits();
    exp += ((x >> 52) & 0x7ff) as i64 - 1023;
    if exp < -1075 {
        return 0.0_f64.copysign(frac);
    }
    if exp > 1023 {
        return if frac < 0.0 { f64::NEG_INFINITY } else { f64::INFINITY };
    }
    let mut m = 1.0;
    if exp < -1022 {
        exp += 53;
        m = 1.0 / (1u64 << 53) as f64;
    }
    x &= !(0x7ff << 52);
    x |= ((exp + 1023) as u64) << 52;
    m * f64::from_bits(x)
}

// ----------------------------------------------------------------------------------------
// gota: InfluxDB's vendored technical-analysis indicators
// ----------------------------------------------------------------------------------------

/// A port of the `gota` package InfluxDB 1.6 vendors (query/internal/gota), one algorithm
/// per indicator, each fed one value at a time.
mod gota {
    use super::{go_pow, Indicator, Warmup};

    /// A ring of `len` slots that allocates only the slots written so far, so a huge
    /// period costs nothing until rows arrive (unwritten slots read as zero, as Go's do).
    #[derive(Default)]
    struct Ring {
        len: usize,
        slots: Vec<(f64, f64)>,
    }

    impl Ring {
        fn new(len: usize) -> Self {
            Ring { len, slots: Vec::new() }
        }

        /// Go's `points[i]`, with its panic text.
        fn get(&self, i: usize) -> Result<(f64, f64), String> {
            if i >= self.len {
                return Err(format!(
                    "runtime error: index out of range [{i}] with length {}",
                    self.len
                ));
            }
            Ok(self.slots.get(i).copied().unwrap_or((0.0, 0.0)))
        }

        fn set(&mut self, i: usize, v: (f64, f64)) {
            if i >= self.slots.len() {
                self.slots.resize(i + 1, (0.0, 0.0));
            }
            self.slots[i] = v;
        }
    }

    #[derive(Clone)]
    pub(super) struct Ema {
        period: usize,
        last: f64,
        count: usize,
        alpha: f64,
        warm: Warmup,
    }

    impl Ema {
        fn new(period: usize, warm: Warmup) -> Self {
            Ema {
                period,
                last: 0.0,
                count: 0,
                alpha: 2.0 / (period as f64 + 1.0),
                warm,
            }
        }

        fn warm_count(&self) -> usize {
            self.period - 1
        }

        fn warmed(&self) -> bool {
            self.count == self.period
        }

        fn add(&mut self, v: f64) -> f64 {
            let avg = if self.count == 0 {
                v
            } else if !self.warmed() {
                if self.warm == Warmup::Simple {
                    (self.last * self.count as f64 + v) / (self.count as f64 + 1.0)
                } else {
                    let alpha = 2.0 / (self.count as f64 + 2.0);
                    (v - self.last) * alpha + self.last
                }
            } else {
                (v - self.last) * self.alpha + self.last
            };
            self.last = avg;
            if self.count < self.period {
                self.count += 1;
            }
            avg
        }

        /// Whether the next average in a chain is fed (warmed, or warming exponentially).
        fn feeds(&self) -> bool {
            self.warmed() || self.warm == Warmup::Exponential
        }
    }

    /// An EMA over up/down moves with alpha 1/period (RSI and the smoothed CMO).
    #[derive(Clone)]
    pub(super) struct UpDown {
        up: Ema,
        down: Ema,
        last_v: f64,
    }

    impl UpDown {
        fn new(period: usize, warm: Warmup) -> Self {
            let mut ema = Ema::new(period.saturating_add(1), warm);
            ema.alpha = 1.0 / period as f64;
            UpDown {
                up: ema.clone(),
                down: ema,
                last_v: 0.0,
            }
        }

        fn add(&mut self, v: f64) -> (f64, f64) {
            let (mut up, mut down) = (0.0, 0.0);
            if v > self.last_v {
                up = v - self.last_v;
            } else if v < self.last_v {
                down = self.last_v - v;
            }
            self.up.add(up);
            self.down.add(down);
            self.last_v = v;
            (self.up.last, self.down.last)
        }
    }

    pub(super) struct Ker {
        points: Ring,
        noise: f64,
        count: usize,
        idx: usize,
    }

    impl Ker {
        fn new(period: usize) -> Self {
            Ker {
                points: Ring::new(period),
                noise: 0.0,
                count: 0,
                idx: 0,
            }
        }

        fn warmed(&self) -> bool {
            self.count == self.points.len + 1
        }

        fn add(&mut self, v: f64) -> Result<f64, String> {
            let n = self.points.len;
            let mut oldest = self.idx + 1;
            if oldest >= n {
                oldest = 0;
            }
            let (old_price, old_diff) = self.points.get(oldest)?;
            let signal = (v - old_price).abs();
            let diff = (v - self.points.get(self.idx)?.0).abs();
            self.noise -= old_diff;
            self.noise += diff;
            let noise = self.noise;
            self.idx = oldest;
            self.points.set(oldest, (v, diff));
            if !self.warmed() {
                self.count += 1;
            }
            if signal == 0.0 || noise == 0.0 {
                return Ok(0.0);
            }
            Ok(signal / noise)
        }
    }

    pub(super) struct Cmo {
        points: Ring,
        sum_up: f64,
        sum_down: f64,
        count: usize,
        idx: usize,
    }

    impl Cmo {
        fn add(&mut self, v: f64) -> Result<f64, String> {
            let mut oldest = self.idx + 1;
            if oldest == self.points.len {
                oldest = 0;
            }
            let mut diff = 0.0;
            if self.count != 0 {
                diff = v - self.points.get(self.idx)?.0;
                if diff > 0.0 {
                    self.sum_up += diff;
                } else if diff < 0.0 {
                    self.sum_down -= diff;
                }
            }
            let mut out = 0.0;
            if self.sum_up != 0.0 || self.sum_down != 0.0 {
                out = 100.0 * ((self.sum_up - self.sum_down) / (self.sum_up + self.sum_down));
            }
            let (_, old_diff) = self.points.get(oldest)?;
            if old_diff > 0.0 {
                self.sum_up -= old_diff;
            } else if old_diff < 0.0 {
                self.sum_down += old_diff;
            }
            self.points.set(oldest, (v, diff));
            self.idx = oldest;
            if self.count != self.points.len + 2 {
                self.count += 1;
            }
            Ok(out)
        }
    }

    /// One indicator's state.
    pub(super) enum Alg {
        Ema(Ema),
        Dema(Ema, Ema),
        Tema(Ema, Ema, Ema),
        Rsi(UpDown),
        Trix { emas: [Ema; 3], last: f64, count: usize },
        Ker(Ker),
        Kama { ker: Ker, last: f64 },
        Cmo(Cmo),
        Cmos(UpDown),
    }

    impl Alg {
        pub(super) fn new(kind: Indicator, period: usize, warm: Warmup) -> Self {
            let ema = || Ema::new(period, warm);
            match kind {
                Indicator::ExponentialMovingAverage => Alg::Ema(ema()),
                Indicator::DoubleExponentialMovingAverage => Alg::Dema(ema(), ema()),
                Indicator::TripleExponentialMovingAverage => Alg::Tema(ema(), ema(), ema()),
                Indicator::RelativeStrengthIndex => Alg::Rsi(UpDown::new(period, warm)),
                Indicator::TripleExponentialDerivative => Alg::Trix {
                    emas: [ema(), ema(), ema()],
                    last: 0.0,
                    count: 0,
                },
                Indicator::KaufmansEfficiencyRatio => Alg::Ker(Ker::new(period)),
                Indicator::KaufmansAdaptiveMovingAverage => Alg::Kama {
                    ker: Ker::new(period),
                    last: 0.0,
                },
                Indicator::ChandeMomentumOscillator if warm == Warmup::None => Alg::Cmo(Cmo {
                    points: Ring::new(period - 1),
                    sum_up: 0.0,
                    sum_down: 0.0,
                    count: 0,
                    idx: 0,
                }),
                Indicator::ChandeMomentumOscillator => Alg::Cmos(UpDown::new(period, warm)),
            }
        }

        /// How many values the indicator needs before its results are meaningful: the
        /// default hold period.
        pub(super) fn warm_count(&self) -> usize {
            match self {
                Alg::Ema(e) => e.warm_count(),
                Alg::Dema(e1, e2) if e1.warm == Warmup::Simple => e1.warm_count().saturating_add(e2.warm_count()),
                Alg::Dema(e1, _) => e1.warm_count(),
                Alg::Tema(e1, e2, e3) if e1.warm == Warmup::Simple => e1.warm_count().saturating_mul(3),
                Alg::Tema(e1, ..) => e1.warm_count(),
                Alg::Rsi(u) | Alg::Cmos(u) => u.up.warm_count(),
                Alg::Trix { emas, .. } if emas[0].warm == Warmup::Simple => {
                    emas[0].warm_count().saturating_mul(3).saturating_add(1)
                }
                Alg::Trix { emas, .. } => emas[0].warm_count().saturating_add(1),
                Alg::Ker(k) | Alg::Kama { ker: k, .. } => k.points.len,
                Alg::Cmo(c) => c.points.len,
            }
        }

        pub(super) fn add(&mut self, v: f64) -> Result<f64, String> {
            Ok(match self {
                Alg::Ema(e) => e.add(v),
                Alg::Dema(e1, e2) => {
                    let avg1 = e1.add(v);
                    let avg2 = if e1.feeds() { e2.add(avg1) } else { avg1 };
                    2.0 * avg1 - avg2
                }
                Alg::Tema(e1, e2, e3) => {
                    let avg1 = e1.add(v);
                    let avg2 = if e1.feeds() { e2.add(avg1) } else { avg1 };
                    let avg3 = if e2.feeds() { e3.add(avg2) } else { avg2 };
                    3.0 * avg1 - 3.0 * avg2 + avg3
                }
                Alg::Rsi(u) => {
                    let (up, down) = u.add(v);
                    100.0 - (100.0 / (1.0 + up / down))
                }
                Alg::Trix { emas, last, count } => {
                    let [e1, e2, e3] = emas;
                    let mut cur = e1.add(v);
                    if e1.feeds() {
                        cur = e2.add(cur);
                        if e2.feeds() {
                            cur = e3.add(cur);
                        }
                    }
                    let rate = ((cur / *last) - 1.0) * 100.0;
                    *last = cur;
                    if *count != 2 && e3.warmed() {
                        *count += 1;
                    }
                    rate
                }
                Alg::Ker(k) => k.add(v)?,
                Alg::Kama { ker, last } => {
                    if !ker.warmed() {
                        *last = ker.points.get(ker.idx)?.0;
                    }
                    let er = ker.add(v)?;
                    // Go folds 2/(2+1) - 2/(30+1) = 56/93 and 2/(30+1) as exact constants.
                    let sc = go_pow(er * (56.0 / 93.0) + 2.0 / 31.0, 2.0);
                    *last += sc * (v - *last);
                    *last
                }
                Alg::Cmo(c) => c.add(v)?,
                Alg::Cmos(u) => {
                    let (up, down) = u.add(v);
                    100.0 * ((up - down) / (up + down))
                }
            })
        }
    }
}

// ----------------------------------------------------------------------------------------
// holt_winters
// ----------------------------------------------------------------------------------------

/// InfluxDB's `FloatHoltWintersReducer` (the damped Holt-Winters method) and the
/// Nelder-Mead optimiser it fits its parameters with, ported statement by statement: the
/// objective clamps alpha..phi and rewrites the seasonal factors of the vertex it is given,
/// and the optimiser's path depends on that.
mod holt_winters {
    use super::go_pow;

    const WEIGHT: f64 = 0.5;
    const EPSILON: f64 = 1.0e-4;
    const GUESS_LOWER: f64 = 0.3;
    const GUESS_UPPER: f64 = 1.0;
    const GUESS_STEP: f64 = 0.4;

    struct Model {
        y: Vec<f64>,
        seasonal: bool,
    }

    /// The points of one series (`(time, value)` in row order) → the predicted (and with
    /// `with_fit`, the fitted) points.
    pub(super) fn forecast(
        points: &[(i64, f64)],
        h: usize,
        m: usize,
        with_fit: bool,
        interval: i64,
    ) -> Result<Vec<(i64, f64)>, String> {
        let seasonal = m >= 2;
        let l = points.len();
        if l < 2 || (seasonal && l < m) || h == 0 {
            return Ok(Vec::new());
        }
        if interval <= 0 {
            return Err("runtime error: integer divide by zero".to_owned());
        }
        let round = |t: i64| -> i64 {
            if t % interval > interval / 2 {
                (t / interval).wrapping_add(1).wrapping_mul(interval)
            } else {
                (t / interval).wrapping_mul(interval)
            }
        };
        let (start, stop) = (round(points[0].0), round(points[l - 1].0));
        if stop.wrapping_sub(start) / interval <= 0 {
            return Ok(Vec::new());
        }
        // The values on the interval grid, NaN where a bucket is missing.
        // Go allocates these slices whole; refuse what cannot be allocated instead of aborting.
        let too_many = || "runtime error: makeslice: len out of range".to_owned();
        let count = usize::try_from(stop.wrapping_sub(start) / interval).map_err(|_| too_many())?;
        let mut y = Vec::new();
        y.try_reserve(count.saturating_add(1)).map_err(|_| too_many())?;
        y.push(points[0].1);
        let mut t = start;
        for &(pt, v) in &points[1..] {
            let rounded = round(pt);
            if rounded <= t {
                continue;
            }
            t += interval;
            while rounded != t {
                y.push(f64::NAN);
                t += interval;
            }
            y.push(v);
        }
        let at = |i: usize| -> Result<f64, String> {
            y.get(i)
                .copied()
                .ok_or_else(|| format!("runtime error: index out of range [{i}] with length {}", y.len()))
        };

        let mut l0 = 0.0;
        if seasonal {
            for i in 0..m {
                if !at(i)?.is_nan() {
                    l0 += (1.0 / m as f64) * at(i)?;
                }
            }
        } else {
            l0 += WEIGHT * y[0];
        }
        let mut b0 = 0.0;
        if seasonal {
            let mut i = 0;
            while i < m && m + i < y.len() {
                if !y[i].is_nan() && !y[m + i].is_nan() {
                    b0 += 1.0 / (m * m) as f64 * (y[m + i] - y[i]);
                }
                i += 1;
            }
        } else if !at(1)?.is_nan() {
            b0 = WEIGHT * (y[1] - y[0]);
        }
        let mut parameters = vec![0.0; 6];
        parameters[4] = l0;
        parameters[5] = b0;
        if seasonal {
            // y has at least m values: the l0 loop above checked.
            for &yi in &y[..m] {
                parameters.push(if !yi.is_nan() { yi / l0 } else { 0.0 });
            }
        }

        let model = Model { y, seasonal };
        let mut min_sse = f64::INFINITY;
        let mut best: Option<Vec<f64>> = None;
        let mut alpha = GUESS_LOWER;
        while alpha < GUESS_UPPER {
            let mut beta = GUESS_LOWER;
            while beta < GUESS_UPPER {
                let mut gamma = GUESS_LOWER;
                while gamma < GUESS_UPPER {
                    let mut phi = GUESS_LOWER;
                    while phi < GUESS_UPPER {
                        parameters[0] = alpha;
                        parameters[1] = beta;
                        parameters[2] = gamma;
                        parameters[3] = phi;
                        let (sse, params) = optimize(&mut |p: &mut [f64]| model.sse(p), &parameters, EPSILON, 1.0);
                        if sse < min_sse || best.is_none() {
                            min_sse = sse;
                            best = Some(params);
                        }
                        phi += GUESS_STEP;
                    }
                    gamma += GUESS_STEP;
                }
                beta += GUESS_STEP;
            }
            alpha += GUESS_STEP;
        }
        let mut best = best.unwrap_or(parameters);
        let mut forecasted = Vec::new();
        forecasted
            .try_reserve(model.y.len().checked_add(h).ok_or_else(too_many)?)
            .map_err(|_| too_many())?;
        model.forecast(h, &mut best, &mut forecasted);
        let mut out = Vec::new();
        if with_fit {
            let start = points[0].0;
            for (i, v) in forecasted.iter().enumerate() {
                if !v.is_nan() {
                    out.push((start.wrapping_add(interval.wrapping_mul(i as i64)), *v));
                }
            }
        } else {
            let stop = points[l - 1].0;
            for (i, v) in forecasted[model.y.len()..].iter().enumerate() {
                if !v.is_nan() {
                    out.push((stop.wrapping_add(interval.wrapping_mul(i as i64 + 1)), *v));
                }
            }
        }
        Ok(out)
    }

    impl Model {
        /// The fitted values then `h` predictions; clamps `params` and rewrites its
        /// seasonal factors, as InfluxDB's `forecast` does.
        fn forecast(&self, h: usize, params: &mut [f64], forecasted: &mut Vec<f64>) {
            // Go's two ifs: NaN stays NaN, as with clamp.
            for x in &mut params[..4] {
                *x = x.clamp(0.0, 1.0);
            }
            let mut y_t = self.y[0];
            let phi = params[3];
            let mut phi_h = phi;
            let mut l_t = params[4];
            let mut b_t = params[5];
            let (alpha, beta, gamma) = (params[0], params[1], params[2]);
            let seasonals = &mut params[6..];
            let m = seasonals.len();
            let mut so = 0;
            if self.seasonal {
                if m == 1 {
                    seasonals[0] = 1.0;
                }
                so = m - 1;
            }
            let l = self.y.len();
            forecasted.clear();
            forecasted.resize(l + h, 0.0);
            forecasted[0] = y_t;
            let (mut stm, mut stmh) = (1.0, 1.0);
            for t in 1..l + h {
                if self.seasonal {
                    let hm = t % m;
                    stm = seasonals[(t + so - m) % m];
                    stmh = seasonals[(t + hm + so - m) % m];
                }
                let l_tp = l_t;
                let b_tp = b_t;
                l_t = alpha * (y_t / stm) + (1.0 - alpha) * (l_tp + phi * b_tp);
                b_t = beta * (l_t - l_tp) + (1.0 - beta) * phi * b_tp;
                let s_t = gamma * (y_t / (l_tp + phi * b_tp)) + (1.0 - gamma) * stm;
                y_t = (l_t + phi_h * b_t) * stmh;
                phi_h += go_pow(phi, t as f64);
                if self.seasonal {
                    seasonals[(t + so) % m] = s_t;
                    so += 1;
                }
                forecasted[t] = y_t;
            }
        }

        /// The sum of squared errors of the fit (missing values skipped; NaN fits: +Inf).
        fn sse(&self, params: &mut [f64]) -> f64 {
            let mut sse = 0.0;
            let mut forecasted = Vec::new();
            self.forecast(0, params, &mut forecasted);
            for (f, y) in forecasted.iter().zip(&self.y) {
                if !y.is_nan() {
                    if f.is_nan() {
                        return f64::INFINITY;
                    }
                    let diff = f - y;
                    sse += diff * diff;
                }
            }
            sse
        }
    }

    /// InfluxDB's `neldermead.Optimizer.Optimize` with its defaults (1000 iterations,
    /// reflection 1, contraction 0.5, expansion 2).
    fn optimize(
        objfunc: &mut dyn FnMut(&mut [f64]) -> f64,
        start: &[f64],
        epsilon: f64,
        scale: f64,
    ) -> (f64, Vec<f64>) {
        const MAX_ITERATIONS: usize = 1000;
        const ALPHA: f64 = 1.0;
        const BETA: f64 = 0.5;
        const GAMMA: f64 = 2.0;
        let n = start.len();
        let nf = n as f64;
        let mut v = vec![vec![0.0; n]; n + 1];
        let mut f = vec![0.0; n + 1];
        let (mut vr, mut ve, mut vc, mut vm) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);

        let pn = scale * ((nf + 1.0).sqrt() - 1.0 + nf) / (nf * 2f64.sqrt());
        let qn = scale * ((nf + 1.0).sqrt() - 1.0) / (nf * 2f64.sqrt());
        v[0].copy_from_slice(start);
        for (i, row) in v.iter_mut().enumerate().skip(1) {
            for j in 0..n {
                row[j] = if i - 1 == j { pn + start[j] } else { qn + start[j] };
            }
        }
        for j in 0..=n {
            f[j] = objfunc(&mut v[j]);
        }

        for _ in 0..MAX_ITERATIONS {
            let (mut vg, mut vs) = (0, 0);
            for i in 0..=n {
                if f[i] > f[vg] {
                    vg = i;
                }
                if f[i] < f[vs] {
                    vs = i;
                }
            }
            let mut vh = vs;
            for i in 0..=n {
                if f[i] > f[vh] && f[i] < f[vg] {
                    vh = i;
                }
            }
            for i in 0..n {
                let mut cent = 0.0;
                for (m, row) in v.iter().enumerate() {
                    if m != vg {
                        cent += row[i];
                    }
                }
                vm[i] = cent / nf;
            }
            for i in 0..n {
                vr[i] = vm[i] + ALPHA * (vm[i] - v[vg][i]);
            }
            let fr = objfunc(&mut vr);
            if fr < f[vh] && fr >= f[vs] {
                v[vg].copy_from_slice(&vr);
                f[vg] = fr;
            }
            if fr < f[vs] {
                for i in 0..n {
                    ve[i] = vm[i] + GAMMA * (vr[i] - vm[i]);
                }
                let fe = objfunc(&mut ve);
                if fe < fr {
                    v[vg].copy_from_slice(&ve);
                    f[vg] = fe;
                } else {
                    v[vg].copy_from_slice(&vr);
                    f[vg] = fr;
                }
            }
            if fr >= f[vh] {
                if fr < f[vg] && fr >= f[vh] {
                    for i in 0..n {
                        vc[i] = vm[i] + BETA * (vr[i] - vm[i]);
                    }
                } else {
                    for i in 0..n {
                        vc[i] = vm[i] - BETA * (vm[i] - v[vg][i]);
                    }
                }
                let fc = objfunc(&mut vc);
                if fc < f[vg] {
                    v[vg].copy_from_slice(&vc);
                    f[vg] = fc;
                } else {
                    let best = v[vs].clone();
                    for (row, vertex) in v.iter_mut().enumerate() {
                        if row != vs {
                            for (x, b) in vertex.iter_mut().zip(&best) {
                                *x = b + (*x - b) / 2.0;
                            }
                        }
                    }
                    f[vg] = objfunc(&mut v[vg]);
                    f[vh] = objfunc(&mut v[vh]);
                }
            }
            let mut fsum = 0.0;
            for fi in &f {
                fsum += fi;
            }
            let favg = fsum / (nf + 1.0);
            let mut s = 0.0;
            for fi in &f {
                s += go_pow(fi - favg, 2.0) / nf;
            }
            if s.sqrt() < epsilon {
                break;
            }
        }
        let mut vs = 0;
        for i in 0..=n {
            if f[i] < f[vs] {
                vs = i;
            }
        }
        let parameters = v[vs].clone();
        let min = objfunc(&mut v[vs]);
        (min, parameters)
    }
}
