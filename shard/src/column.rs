//! column: a run of points of one field-series in memory: timestamps and a typed value
//! column side by side. The head appends to columns; flushes and reads sort, merge and cut
//! them. Equal timestamps keep the last value written, as InfluxDB does.

use block::{FieldType, Values, ValuesRef};
use line_protocol::FieldValue;

/// Applies `$body` to the vector inside each variant of `Values` (bound as `$v`).
macro_rules! each {
    ($values:expr, $v:ident => $body:expr) => {
        match $values {
            Values::Float($v) => $body,
            Values::Integer($v) => $body,
            Values::Unsigned($v) => $body,
            Values::Boolean($v) => $body,
            Values::String($v) => $body,
        }
    };
}

/// Timestamps and values of one field-series.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    /// Nanoseconds; in time order without duplicates once `normalize` ran.
    pub(crate) times: Vec<i64>,
    pub(crate) values: Values,
    /// Whether `times` is strictly increasing (kept up to date by `push`).
    sorted: bool,
}

/// Bytes a column costs besides its values (vectors, map entry): counted toward the head's limit.
pub(crate) const COLUMN_OVERHEAD: usize = 96;

pub(crate) fn empty_values(t: FieldType) -> Values {
    match t {
        FieldType::Float => Values::Float(Vec::new()),
        FieldType::Integer => Values::Integer(Vec::new()),
        FieldType::Unsigned => Values::Unsigned(Vec::new()),
        FieldType::Boolean => Values::Boolean(Vec::new()),
        FieldType::String => Values::String(Vec::new()),
    }
}

/// The block type of a parsed value.
pub(crate) fn field_type_of(v: &FieldValue<'_>) -> FieldType {
    match v {
        FieldValue::Float(_) => FieldType::Float,
        FieldValue::Integer(_) => FieldType::Integer,
        FieldValue::Unsigned(_) => FieldType::Unsigned,
        FieldValue::Boolean(_) => FieldType::Boolean,
        FieldValue::String(_) => FieldType::String,
    }
}

impl Column {
    pub(crate) fn new(t: FieldType) -> Self {
        Self {
            times: Vec::new(),
            values: empty_values(t),
            sorted: true,
        }
    }

    pub(crate) fn from_parts(times: Vec<i64>, values: Values) -> Self {
        let sorted = times.windows(2).all(|w| w[0] < w[1]);
        Self { times, values, sorted }
    }

    pub(crate) fn len(&self) -> usize {
        self.times.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Whether the times are strictly increasing (no `normalize` needed).
    pub(crate) fn is_sorted(&self) -> bool {
        self.sorted
    }

    /// Appends a point; returns the bytes it costs. The value's type must be the column's:
    /// the shard checked it against the field's type.
    pub(crate) fn push(&mut self, t: i64, v: &FieldValue<'_>) -> usize {
        if self.times.last().is_some_and(|&last| last >= t) {
            self.sorted = false;
        }
        self.times.push(t);
        8 + match (&mut self.values, v) {
            (Values::Float(c), FieldValue::Float(x)) => {
                c.push(*x);
                8
            }
            (Values::Integer(c), FieldValue::Integer(x)) => {
                c.push(*x);
                8
            }
            (Values::Unsigned(c), FieldValue::Unsigned(x)) => {
                c.push(*x);
                8
            }
            (Values::Boolean(c), FieldValue::Boolean(x)) => {
                c.push(*x);
                1
            }
            (Values::String(c), FieldValue::String(x)) => {
                c.push(x.to_string());
                24 + x.len()
            }
            (c, v) => panic!(
                "BUG: a {} value reached a {} column",
                v.type_name(),
                c.field_type().name()
            ),
        }
    }

    /// Sorts by time; of equal times the last pushed wins.
    pub(crate) fn normalize(&mut self) {
        if self.sorted {
            return;
        }
        let mut order: Vec<usize> = (0..self.times.len()).collect();
        order.sort_by_key(|&i| self.times[i]); // stable: equal times stay in write order
        let mut keep = Vec::with_capacity(order.len());
        for (k, &i) in order.iter().enumerate() {
            if order.get(k + 1).is_none_or(|&next| self.times[next] != self.times[i]) {
                keep.push(i);
            }
        }
        self.times = keep.iter().map(|&i| self.times[i]).collect();
        each!(&mut self.values, v => *v = pick(v, &keep));
        self.sorted = true;
    }

    /// Index range of the points with `lo <= t <= hi` (normalized columns).
    pub(crate) fn range(&self, lo: i64, hi: i64) -> (usize, usize) {
        let a = self.times.partition_point(|&t| t < lo);
        let b = self.times.partition_point(|&t| t <= hi);
        (a, b.max(a))
    }

    /// A copy of points `a..b`.
    pub(crate) fn slice(&self, a: usize, b: usize) -> Self {
        let values = match &self.values {
            Values::Float(v) => Values::Float(v[a..b].to_vec()),
            Values::Integer(v) => Values::Integer(v[a..b].to_vec()),
            Values::Unsigned(v) => Values::Unsigned(v[a..b].to_vec()),
            Values::Boolean(v) => Values::Boolean(v[a..b].to_vec()),
            Values::String(v) => Values::String(v[a..b].to_vec()),
        };
        Self {
            times: self.times[a..b].to_vec(),
            values,
            sorted: self.sorted,
        }
    }

    /// Points `a..b` of the values, borrowed.
    pub(crate) fn values_ref(&self, a: usize, b: usize) -> ValuesRef<'_> {
        match &self.values {
            Values::Float(v) => ValuesRef::Float(&v[a..b]),
            Values::Integer(v) => ValuesRef::Integer(&v[a..b]),
            Values::Unsigned(v) => ValuesRef::Unsigned(&v[a..b]),
            Values::Boolean(v) => ValuesRef::Boolean(&v[a..b]),
            Values::String(v) => ValuesRef::String(&v[a..b]),
        }
    }

    /// Appends points that all come after this column's last one.
    pub(crate) fn extend(&mut self, times: &[i64], values: ValuesRef<'_>) {
        self.times.extend_from_slice(times);
        match (&mut self.values, values) {
            (Values::Float(a), ValuesRef::Float(b)) => a.extend_from_slice(b),
            (Values::Integer(a), ValuesRef::Integer(b)) => a.extend_from_slice(b),
            (Values::Unsigned(a), ValuesRef::Unsigned(b)) => a.extend_from_slice(b),
            (Values::Boolean(a), ValuesRef::Boolean(b)) => a.extend_from_slice(b),
            (Values::String(a), ValuesRef::String(b)) => a.extend_from_slice(b),
            (a, b) => panic!(
                "BUG: extending a {} column with {} values",
                a.field_type().name(),
                b.field_type().name()
            ),
        }
    }

    /// Removes the points with `lo <= t <= hi` (normalized columns).
    pub(crate) fn remove_range(&mut self, lo: i64, hi: i64) {
        let (a, b) = self.range(lo, hi);
        self.times.drain(a..b);
        each!(&mut self.values, v => {
            v.drain(a..b);
        });
    }

    /// Merges two normalized columns of the same type; on equal times `newer` wins.
    pub(crate) fn merge(older: &Self, newer: &Self) -> Self {
        if older.is_empty() {
            return newer.clone();
        }
        if newer.is_empty() {
            return older.clone();
        }
        // Which side each output point comes from, then one gather per side.
        let (ot, nt) = (&older.times, &newer.times);
        let mut from = Vec::with_capacity(ot.len() + nt.len()); // (is_newer, index)
        let (mut i, mut j) = (0, 0);
        while i < ot.len() || j < nt.len() {
            if j >= nt.len() || (i < ot.len() && ot[i] < nt[j]) {
                from.push((false, i));
                i += 1;
            } else {
                if i < ot.len() && ot[i] == nt[j] {
                    i += 1; // shadowed by the newer point
                }
                from.push((true, j));
                j += 1;
            }
        }
        let times = from.iter().map(|&(n, k)| if n { nt[k] } else { ot[k] }).collect();
        let values = match (&older.values, &newer.values) {
            (Values::Float(o), Values::Float(n)) => Values::Float(gather(&from, o, n)),
            (Values::Integer(o), Values::Integer(n)) => Values::Integer(gather(&from, o, n)),
            (Values::Unsigned(o), Values::Unsigned(n)) => Values::Unsigned(gather(&from, o, n)),
            (Values::Boolean(o), Values::Boolean(n)) => Values::Boolean(gather(&from, o, n)),
            (Values::String(o), Values::String(n)) => Values::String(gather(&from, o, n)),
            (o, n) => panic!(
                "BUG: merging a {} column with a {} one",
                o.field_type().name(),
                n.field_type().name()
            ),
        };
        Self {
            times,
            values,
            sorted: true,
        }
    }
}

/// The elements of `v` at `idx`, in that order.
fn pick<T: Clone>(v: &[T], idx: &[usize]) -> Vec<T> {
    idx.iter().map(|&i| v[i].clone()).collect()
}

fn gather<T: Clone>(from: &[(bool, usize)], older: &[T], newer: &[T]) -> Vec<T> {
    from.iter()
        .map(|&(n, k)| if n { newer[k].clone() } else { older[k].clone() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(c: &Column) -> Vec<(i64, f64)> {
        let Values::Float(v) = &c.values else {
            panic!("not floats")
        };
        c.times.iter().copied().zip(v.iter().copied()).collect()
    }

    fn column(points: &[(i64, f64)]) -> Column {
        let mut c = Column::new(FieldType::Float);
        for &(t, v) in points {
            c.push(t, &FieldValue::Float(v));
        }
        c
    }

    #[test]
    fn normalize_sorts_and_keeps_the_last_write() {
        let mut c = column(&[(3, 1.0), (1, 2.0), (3, 3.0), (2, 4.0), (1, 5.0)]);
        c.normalize();
        assert_eq!(floats(&c), vec![(1, 5.0), (2, 4.0), (3, 3.0)]);
        let mut sorted = column(&[(1, 1.0), (2, 2.0)]);
        sorted.normalize();
        assert_eq!(floats(&sorted), vec![(1, 1.0), (2, 2.0)]);
    }

    #[test]
    fn merge_prefers_newer_on_equal_times() {
        let older = column(&[(1, 1.0), (3, 3.0), (5, 5.0)]);
        let newer = column(&[(2, 20.0), (3, 30.0), (6, 60.0)]);
        let m = Column::merge(&older, &newer);
        assert_eq!(floats(&m), vec![(1, 1.0), (2, 20.0), (3, 30.0), (5, 5.0), (6, 60.0)]);
        assert_eq!(
            floats(&Column::merge(&Column::new(FieldType::Float), &newer)),
            floats(&newer)
        );
    }

    #[test]
    fn ranges_and_removal() {
        let mut c = column(&[(1, 1.0), (3, 3.0), (5, 5.0), (7, 7.0)]);
        assert_eq!(c.range(2, 5), (1, 3));
        assert_eq!(c.range(8, 9), (4, 4));
        assert_eq!(c.range(5, 2), (2, 2));
        assert_eq!(floats(&c.slice(1, 3)), vec![(3, 3.0), (5, 5.0)]);
        c.remove_range(3, 5);
        assert_eq!(floats(&c), vec![(1, 1.0), (7, 7.0)]);
    }
}
