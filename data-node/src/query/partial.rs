//! partial: the aggregates that merge from partial states (count, sum, mean, min, max,
//! first, last, spread, stddev). A shard computes one [`Partial`] per (group, bucket) from
//! its points, or from a block's header without decoding it, and the query merges the
//! partials of every shard; so the cluster only has to move partials, never points.
//!
//! Ties are broken as InfluxDB's reducers break them: min/max keep the earliest time among
//! equal values; among points at the same time first() and last() keep the greatest value
//! (booleans: first() false, last() true); full ties go to the series met first (series are
//! met in key order, which `Picked::series` follows).

use std::ops::Range;

use shard::{Header, Summary, ValuesRef};

use super::Value;

/// A mergeable aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggKind {
    Count,
    Sum,
    Mean,
    Min,
    Max,
    First,
    Last,
    Spread,
    Stddev,
}

impl AggKind {
    pub fn from_name(name: &str) -> Option<AggKind> {
        Some(match name {
            "count" => AggKind::Count,
            "sum" => AggKind::Sum,
            "mean" => AggKind::Mean,
            "min" => AggKind::Min,
            "max" => AggKind::Max,
            "first" => AggKind::First,
            "last" => AggKind::Last,
            "spread" => AggKind::Spread,
            "stddev" => AggKind::Stddev,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            AggKind::Count => "count",
            AggKind::Sum => "sum",
            AggKind::Mean => "mean",
            AggKind::Min => "min",
            AggKind::Max => "max",
            AggKind::First => "first",
            AggKind::Last => "last",
            AggKind::Spread => "spread",
            AggKind::Stddev => "stddev",
        }
    }

    /// Selectors return a point of the data (and, alone in a query, its time).
    pub fn is_selector(self) -> bool {
        matches!(self, AggKind::Min | AggKind::Max | AggKind::First | AggKind::Last)
    }
}

/// What a partial must track beyond counts and sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// Welford's running variance (stddev): needs every value, no block summaries.
    pub variance: bool,
    /// The exact time of the min/max point (a lone selector shows it): block headers do
    /// not keep it, so such blocks are decoded.
    pub extreme_times: bool,
    /// min/max/first/last points (selectors, spread); without them adding a value is a
    /// count and a sum.
    pub picks: bool,
}

impl Needs {
    /// Whether a block's header can stand for its points.
    pub fn summaries_ok(self) -> bool {
        !self.variance && !self.extreme_times
    }
}

/// A selected point: time, value and which of the reader's series it came from (for the
/// aux fields and tags of a selector).
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    pub time: i64,
    pub value: Value,
    pub series: usize,
}

/// The partial state of the mergeable aggregates over one bucket of one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Partial {
    pub count: u64,
    /// Sum of the values as floats (mean, float sums).
    pub fsum: f64,
    /// Sum of integer values, wrapping as Go's int64 does.
    pub isum: i64,
    /// Sum of unsigned values, wrapping.
    pub usum: u64,
    /// The type of the values seen (the first one wins: a field has one type per shard).
    pub kind: Option<ValueKind>,
    pub min: Option<Picked>,
    pub max: Option<Picked>,
    pub first: Option<Picked>,
    pub last: Option<Picked>,
    /// Welford: running mean and sum of squared deviations.
    pub mean: f64,
    pub m2: f64,
}

/// The type of a field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Float,
    Integer,
    Unsigned,
    Boolean,
    String,
}

impl ValueKind {
    pub fn of(v: &Value) -> Option<ValueKind> {
        Some(match v {
            Value::Float(_) => ValueKind::Float,
            Value::Integer(_) => ValueKind::Integer,
            Value::Unsigned(_) => ValueKind::Unsigned,
            Value::Boolean(_) => ValueKind::Boolean,
            Value::String(_) => ValueKind::String,
            Value::Null | Value::Time(_) | Value::ZonedTime(..) => return None,
        })
    }
}

/// `a < b` over numbers of any type and booleans (`false < true`); strings never compare
/// (InfluxDB has no min/max of strings).
/// The points a partial picks.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Min,
    Max,
    First,
    Last,
}

impl Slot {
    const ALL: [Slot; 4] = [Slot::Min, Slot::Max, Slot::First, Slot::Last];
}

/// Whether the point (`time`, `value`, `series`) replaces `current` as the pick of `slot`,
/// whatever order points and partials arrive in, by InfluxDB's reducers: min/max keep the
/// earliest time among equal values; first()/last() keep the earliest/latest time and, among
/// points at that time (several series), the greatest value (for booleans first() prefers
/// false and last() true; Go's `FloatFirstReduce` and friends). Full ties go to the series
/// met first (lower index; InfluxDB's reducers meet the series in key order).
fn replaces(slot: Slot, time: i64, value: &Value, series: usize, current: &Picked) -> bool {
    let earlier = (time, series) < (current.time, current.series);
    let tie_wins = |prefer_true: bool| match (value, &current.value) {
        (Value::Boolean(v), Value::Boolean(c)) if v != c => *v == prefer_true,
        (Value::String(v), Value::String(c)) if v != c => v > c,
        (v, c) if less(c, v) => true,
        (v, c) if less(v, c) => false,
        _ => series < current.series,
    };
    match slot {
        Slot::Min => less(value, &current.value) || (!less(&current.value, value) && earlier),
        Slot::Max => less(&current.value, value) || (!less(value, &current.value) && earlier),
        Slot::First => time < current.time || (time == current.time && tie_wins(false)),
        Slot::Last => time > current.time || (time == current.time && tie_wins(true)),
    }
}

fn less(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Boolean(x), Value::Boolean(y)) => !x & y,
        (Value::Integer(x), Value::Integer(y)) => x < y,
        (Value::Unsigned(x), Value::Unsigned(y)) => x < y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x < y,
            _ => false,
        },
    }
}

impl Partial {
    /// Adds one point.
    pub fn add(&mut self, time: i64, value: &Value, series: usize, needs: Needs) {
        let Some(kind) = ValueKind::of(value) else {
            return;
        };
        self.kind.get_or_insert(kind);
        self.count += 1;
        match value {
            Value::Float(f) => self.fsum += f,
            Value::Integer(i) => {
                self.isum = self.isum.wrapping_add(*i);
                self.fsum += *i as f64;
            }
            Value::Unsigned(u) => {
                self.usum = self.usum.wrapping_add(*u);
                self.fsum += *u as f64;
            }
            _ => {}
        }
        if needs.variance {
            if let Some(x) = value.as_f64() {
                let delta = x - self.mean;
                self.mean += delta / self.count as f64;
                self.m2 += delta * (x - self.mean);
            }
        }
        if !needs.picks {
            return;
        }
        for slot in Slot::ALL {
            self.offer(slot, time, value, series);
        }
    }

    /// Adds the points `values[i]` at `times[i]` for `i` in `range`.
    pub fn add_values(
        &mut self,
        times: &[i64],
        values: ValuesRef<'_>,
        range: Range<usize>,
        series: usize,
        needs: Needs,
    ) {
        // Floats are the common case: keep their loop free of `Value`s except for picks,
        // and a plain sum when no pick is needed (mean, sum, count).
        if let (ValuesRef::Float(v), false) = (values, needs.variance) {
            if !needs.picks {
                self.kind.get_or_insert(ValueKind::Float);
                self.count += range.len() as u64;
                self.fsum += v[range].iter().sum::<f64>();
                return;
            }
            let (ts, run) = (&times[range.clone()], &v[range]);
            self.kind.get_or_insert(ValueKind::Float);
            self.count += run.len() as u64;
            self.fsum += run.iter().sum::<f64>();
            // The run's own extremes: times ascend within a series, so the first of equal
            // values is the earliest. Only these four points can change the picks.
            let (mut lo, mut hi) = (0, 0);
            for (i, &x) in run.iter().enumerate().skip(1) {
                if x < run[lo] {
                    lo = i;
                } else if x > run[hi] {
                    hi = i;
                }
            }
            let last = run.len() - 1;
            for (slot, i) in [(Slot::Min, lo), (Slot::Max, hi), (Slot::First, 0), (Slot::Last, last)] {
                self.offer(slot, ts[i], &Value::Float(run[i]), series);
            }
            return;
        }
        for i in range {
            self.add(times[i], &value_at(values, i), series, needs);
        }
    }

    /// Offers a point for one pick: it replaces the current one if it wins by InfluxDB's
    /// rules (see [`replaces`]).
    fn offer(&mut self, slot: Slot, time: i64, value: &Value, series: usize) {
        let current = self.slot(slot);
        if current.as_ref().is_none_or(|c| replaces(slot, time, value, series, c)) {
            *current = Some(Picked {
                time,
                value: value.clone(),
                series,
            });
        }
    }

    fn slot(&mut self, slot: Slot) -> &mut Option<Picked> {
        match slot {
            Slot::Min => &mut self.min,
            Slot::Max => &mut self.max,
            Slot::First => &mut self.first,
            Slot::Last => &mut self.last,
        }
    }

    /// Adds a whole block from its header. The min/max times are unknown: the block's first
    /// time stands for them, which is right whenever the caller shows bucket times.
    pub fn add_summary(&mut self, h: &Header, series: usize) {
        let (min, max, first, last) = match h.summary {
            Summary::Float {
                sum,
                min,
                max,
                first,
                last,
            } => {
                self.kind.get_or_insert(ValueKind::Float);
                self.fsum += sum;
                (
                    Value::Float(min),
                    Value::Float(max),
                    Value::Float(first),
                    Value::Float(last),
                )
            }
            Summary::Integer {
                sum,
                min,
                max,
                first,
                last,
            } => {
                self.kind.get_or_insert(ValueKind::Integer);
                self.isum = self.isum.wrapping_add(sum as i64);
                self.fsum += sum as f64;
                (
                    Value::Integer(min),
                    Value::Integer(max),
                    Value::Integer(first),
                    Value::Integer(last),
                )
            }
            Summary::Unsigned {
                sum,
                min,
                max,
                first,
                last,
            } => {
                self.kind.get_or_insert(ValueKind::Unsigned);
                self.usum = self.usum.wrapping_add(sum as u64);
                self.fsum += sum as f64;
                (
                    Value::Unsigned(min),
                    Value::Unsigned(max),
                    Value::Unsigned(first),
                    Value::Unsigned(last),
                )
            }
            Summary::Boolean { trues, first, last } => {
                self.kind.get_or_insert(ValueKind::Boolean);
                (
                    Value::Boolean(trues == h.count),
                    Value::Boolean(trues > 0),
                    Value::Boolean(first),
                    Value::Boolean(last),
                )
            }
            Summary::String => return,
        };
        let at = |time: i64, value: Value| Picked { time, value, series };
        let block = Partial {
            count: u64::from(h.count),
            min: Some(at(h.min_time, min)),
            max: Some(at(h.min_time, max)),
            first: Some(at(h.min_time, first)),
            last: Some(at(h.max_time, last)),
            ..Partial::default()
        };
        self.count += block.count;
        self.merge_picks(block);
    }

    /// Merges another partial of the same bucket (another series, shard or node).
    pub fn merge(&mut self, other: Partial) {
        if other.count == 0 {
            return;
        }
        if self.kind.is_none() {
            self.kind = other.kind;
        }
        // Chan et al.'s parallel variance.
        let (n1, n2) = (self.count as f64, other.count as f64);
        let delta = other.mean - self.mean;
        let n = n1 + n2;
        self.mean += delta * n2 / n;
        self.m2 += other.m2 + delta * delta * n1 * n2 / n;
        self.count += other.count;
        self.fsum += other.fsum;
        self.isum = self.isum.wrapping_add(other.isum);
        self.usum = self.usum.wrapping_add(other.usum);
        self.merge_picks(other);
    }

    fn merge_picks(&mut self, other: Partial) {
        let theirs = [other.min, other.max, other.first, other.last];
        for (slot, p) in Slot::ALL.into_iter().zip(theirs) {
            if let Some(p) = p {
                let current = self.slot(slot);
                if current
                    .as_ref()
                    .is_none_or(|c| replaces(slot, p.time, &p.value, p.series, c))
                {
                    *current = Some(p);
                }
            }
        }
    }

    /// The aggregate's value, or an InfluxDB error for a type it does not take. `None` when
    /// there is nothing to report (no points; stddev of one point).
    pub fn finish(&self, kind: AggKind) -> Result<Option<Value>, String> {
        if self.count == 0 {
            return Ok(None);
        }
        let vk = self.kind.unwrap_or(ValueKind::Float);
        let numeric = matches!(vk, ValueKind::Float | ValueKind::Integer | ValueKind::Unsigned);
        let unsupported = || {
            Err(format!(
                "unsupported {} iterator type: {}",
                kind.name(),
                iterator_type(vk)
            ))
        };
        Ok(match kind {
            AggKind::Count => Some(Value::Integer(self.count as i64)),
            AggKind::Sum => match vk {
                ValueKind::Float => Some(Value::Float(self.fsum)),
                ValueKind::Integer => Some(Value::Integer(self.isum)),
                ValueKind::Unsigned => Some(Value::Unsigned(self.usum)),
                _ => return unsupported(),
            },
            AggKind::Mean if numeric => Some(Value::Float(self.fsum / self.count as f64)),
            AggKind::Min | AggKind::Max if !numeric && vk != ValueKind::Boolean => return unsupported(),
            AggKind::Min => self.min.as_ref().map(|p| p.value.clone()),
            AggKind::Max => self.max.as_ref().map(|p| p.value.clone()),
            AggKind::First => self.first.as_ref().map(|p| p.value.clone()),
            AggKind::Last => self.last.as_ref().map(|p| p.value.clone()),
            AggKind::Spread => match (self.min.as_ref().map(|p| &p.value), self.max.as_ref().map(|p| &p.value)) {
                (Some(Value::Integer(lo)), Some(Value::Integer(hi))) => Some(Value::Integer(hi.wrapping_sub(*lo))),
                (Some(Value::Unsigned(lo)), Some(Value::Unsigned(hi))) => Some(Value::Unsigned(hi.wrapping_sub(*lo))),
                (Some(lo), Some(hi)) if numeric => {
                    Some(Value::Float(hi.as_f64().unwrap_or(0.0) - lo.as_f64().unwrap_or(0.0)))
                }
                _ => return unsupported(),
            },
            AggKind::Stddev if numeric => {
                if self.count < 2 {
                    Some(Value::Null)
                } else {
                    Some(Value::Float((self.m2 / (self.count - 1) as f64).sqrt()))
                }
            }
            AggKind::Mean | AggKind::Stddev => return unsupported(),
        })
    }

    /// The selected point of a selector.
    pub fn picked(&self, kind: AggKind) -> Option<&Picked> {
        match kind {
            AggKind::Min => self.min.as_ref(),
            AggKind::Max => self.max.as_ref(),
            AggKind::First => self.first.as_ref(),
            AggKind::Last => self.last.as_ref(),
            _ => None,
        }
    }
}

/// Go's iterator type names, as InfluxDB's "unsupported ... iterator type" errors print them.
fn iterator_type(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Float => "*query.floatInterruptIterator",
        ValueKind::Integer => "*query.integerInterruptIterator",
        ValueKind::Unsigned => "*query.unsignedInterruptIterator",
        ValueKind::Boolean => "*query.booleanInterruptIterator",
        ValueKind::String => "*query.stringInterruptIterator",
    }
}

/// The `i`th value of a column.
pub(crate) fn value_at(values: ValuesRef<'_>, i: usize) -> Value {
    match values {
        ValuesRef::Float(v) => Value::Float(v[i]),
        ValuesRef::Integer(v) => Value::Integer(v[i]),
        ValuesRef::Unsigned(v) => Value::Unsigned(v[i]),
        ValuesRef::Boolean(v) => Value::Boolean(v[i]),
        ValuesRef::String(v) => Value::String(v[i].clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shard::Values;

    const N: Needs = Needs {
        variance: true,
        extreme_times: true,
        picks: true,
    };

    fn partial(points: &[(i64, f64)]) -> Partial {
        let mut p = Partial::default();
        for &(t, v) in points {
            p.add(t, &Value::Float(v), 0, N);
        }
        p
    }

    #[test]
    fn merged_partials_equal_one_pass() {
        let all = [(1, 3.0), (2, 1.0), (3, 4.0), (4, 1.0), (5, 5.0), (6, 9.0), (7, 2.0)];
        let whole = partial(&all);
        let mut merged = partial(&all[..3]);
        merged.merge(partial(&all[3..]));
        for k in [
            AggKind::Count,
            AggKind::Sum,
            AggKind::Mean,
            AggKind::Min,
            AggKind::Max,
            AggKind::First,
            AggKind::Last,
            AggKind::Spread,
        ] {
            assert_eq!(merged.finish(k), whole.finish(k), "{k:?}");
        }
        let (Ok(Some(Value::Float(a))), Ok(Some(Value::Float(b)))) =
            (merged.finish(AggKind::Stddev), whole.finish(AggKind::Stddev))
        else {
            panic!("stddev is a float");
        };
        assert!(
            (a - b).abs() < 1e-12 && (a - 2.819_996_622_760_558).abs() < 1e-12,
            "{a} {b}"
        );
    }

    #[test]
    fn ties_break_as_influxdb() {
        let p = partial(&[(5, 1.0), (3, 1.0), (3, 2.0), (9, 2.0), (9, 0.5)]);
        // min: earliest among equal values; max likewise.
        assert_eq!(p.picked(AggKind::Min).map(|x| x.time), Some(9));
        assert_eq!(p.picked(AggKind::Max).map(|x| x.time), Some(3));
        // first/last: among points at the same time, the greatest value (Go's
        // FloatFirstReduce/FloatLastReduce).
        assert_eq!(
            p.picked(AggKind::First).map(|x| x.value.clone()),
            Some(Value::Float(2.0))
        );
        assert_eq!(
            p.picked(AggKind::Last).map(|x| x.value.clone()),
            Some(Value::Float(2.0))
        );
        // Booleans: first() prefers false, last() true; strings: the greatest.
        let mut b = Partial::default();
        let mut s = Partial::default();
        for (series, (v, text)) in [(true, "b"), (false, "a"), (true, "c")].into_iter().enumerate() {
            b.add(4, &Value::Boolean(v), series, N);
            s.add(4, &Value::String(text.into()), series, N);
        }
        let value = |p: &Partial, k| p.picked(k).map(|x| x.value.clone());
        assert_eq!(value(&b, AggKind::First), Some(Value::Boolean(false)));
        assert_eq!(value(&b, AggKind::Last), Some(Value::Boolean(true)));
        assert_eq!(value(&s, AggKind::First), Some(Value::String("c".into())));
        assert_eq!(value(&s, AggKind::Last), Some(Value::String("c".into())));
    }

    #[test]
    fn ties_between_series_do_not_depend_on_arrival_order() {
        // Shards hand series out in id order, not key order: the index decides.
        let needs = Needs {
            picks: true,
            ..Needs::default()
        };
        for order in [[2usize, 1], [1, 2]] {
            let mut p = Partial::default();
            for series in order {
                let values = Values::Float(vec![7.0, 7.0]);
                p.add_values(&[10, 20], values.as_ref(), 0..2, series, needs);
            }
            let pick = |k| p.picked(k).map(|x| (x.time, x.series));
            // Equal values at equal times: the series met first (lower index) for both.
            assert_eq!(pick(AggKind::First), Some((10, 1)), "{order:?}");
            assert_eq!(pick(AggKind::Last), Some((20, 1)), "{order:?}");
            assert_eq!(pick(AggKind::Min), Some((10, 1)), "{order:?}");
            assert_eq!(pick(AggKind::Max), Some((10, 1)), "{order:?}");
        }
    }

    #[test]
    fn float_fast_path_matches_the_general_one() {
        // A run of one series, in time order, with equal minima and maxima.
        let times = [1, 3, 4, 7, 9];
        let values = Values::Float(vec![-1.0, 5.0, 2.0, 5.0, -1.0]);
        for picks in [false, true] {
            let needs = Needs {
                picks,
                ..Needs::default()
            };
            let mut fast = Partial::default();
            fast.add_values(&times, values.as_ref(), 0..times.len(), 1, needs);
            let mut slow = Partial::default();
            for (i, &t) in times.iter().enumerate() {
                slow.add(t, &value_at(values.as_ref(), i), 1, needs);
            }
            assert_eq!(fast, slow, "picks: {picks}");
            if picks {
                assert_eq!(fast.picked(AggKind::Min).map(|p| p.time), Some(1));
                assert_eq!(fast.picked(AggKind::Max).map(|p| p.time), Some(3));
            }
            assert_eq!(fast.finish(AggKind::Mean), Ok(Some(Value::Float(2.0))));
        }
    }

    #[test]
    fn integer_results_keep_their_type() {
        let mut p = Partial::default();
        for (t, v) in [(1, 5i64), (2, -2), (3, 9)] {
            p.add(t, &Value::Integer(v), 0, N);
        }
        assert_eq!(p.finish(AggKind::Sum), Ok(Some(Value::Integer(12))));
        assert_eq!(p.finish(AggKind::Spread), Ok(Some(Value::Integer(11))));
        assert_eq!(p.finish(AggKind::Mean), Ok(Some(Value::Float(4.0))));
        assert_eq!(p.finish(AggKind::Min), Ok(Some(Value::Integer(-2))));
    }

    #[test]
    fn strings_only_count_and_select_by_time() {
        let mut p = Partial::default();
        p.add(2, &Value::String("b".into()), 0, N);
        p.add(1, &Value::String("a".into()), 0, N);
        assert_eq!(p.finish(AggKind::Count), Ok(Some(Value::Integer(2))));
        assert_eq!(p.finish(AggKind::First), Ok(Some(Value::String("a".into()))));
        assert!(p
            .finish(AggKind::Mean)
            .unwrap_err()
            .starts_with("unsupported mean iterator type"));
    }

    #[test]
    fn one_point_has_no_stddev() {
        assert_eq!(partial(&[(1, 2.0)]).finish(AggKind::Stddev), Ok(Some(Value::Null)));
        assert_eq!(Partial::default().finish(AggKind::Count), Ok(None));
    }
}
