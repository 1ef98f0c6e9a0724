//! subquery: `SELECT … FROM (SELECT …)`. The inner statement runs first; its result is
//! then read as one more shard, through the same [`ShardReader`] trait as stored data: each
//! result series is a series (measurement = its name, tags = its GROUP BY tags) and each
//! column a field. So the outer statement, raw or aggregate, runs unchanged.

use std::collections::BTreeMap;

use influxql::{BinaryOp, SelectStatement};
use meta::MetaData;
use shard::{FieldType, SeriesInfo, TagPredicate, Values};

use super::cond::and_time;
use super::control::{row_bytes, Reservation};
use super::partial::Needs;
use super::reader::{add_points, Partials};
use super::window::Window;
use super::{QueryContext, QueryExecutor, Row, ShardReader, StatementResult, Value};

/// The result of a subquery, held in memory and read like a shard.
#[derive(Debug)]
pub(crate) struct SubqueryReader {
    series: Vec<ResultSeries>,
    /// The memory of `series`, given back with it.
    _held: Reservation,
}

#[derive(Debug)]
struct ResultSeries {
    info: SeriesInfo,
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

impl SubqueryReader {
    /// Runs `inner` (with the outer range `[lo, hi]` when it has no time range of its own)
    /// and keeps its rows.
    pub(crate) fn run(
        ex: &QueryExecutor,
        meta: &MetaData,
        inner: &SelectStatement,
        ctx: &QueryContext,
        lo: i64,
        hi: i64,
    ) -> Result<SubqueryReader, String> {
        let mut inner = inner.clone();
        let (_, own) =
            influxql::time::split_time_condition(inner.condition.as_ref(), ctx.now, None).map_err(|e| e.to_string())?;
        if own.min.is_none() && lo > influxql::time::MIN_TIME {
            inner.condition = Some(and_time(inner.condition.take(), BinaryOp::Gte, lo));
        }
        if own.max.is_none() && hi < influxql::time::MAX_TIME {
            inner.condition = Some(and_time(inner.condition.take(), BinaryOp::Lte, hi));
        }
        let sub_ctx = QueryContext {
            chunk_size: 0,
            ..ctx.clone()
        };
        // The result is held while the outer statement reads it: it counts against the
        // query's memory. Past the budget, rows are dropped and the query fails.
        let mut rows: Vec<Row> = Vec::new();
        let mut held = Reservation::new(&ctx.control);
        let mut over: Option<String> = None;
        let mut emit = |r: StatementResult| {
            if over.is_some() {
                return;
            }
            let bytes: usize = r.series.iter().flat_map(|s| &s.values).map(|v| row_bytes(v)).sum();
            if let Err(e) = held.grow(bytes) {
                over = Some(e);
                return;
            }
            // Pieces of one series (a long series comes in several) join up again.
            for row in r.series {
                match rows.last_mut() {
                    Some(last) if last.name == row.name && last.tags == row.tags && last.columns == row.columns => {
                        last.values.extend(row.values);
                    }
                    _ => rows.push(row),
                }
            }
        };
        super::select::execute(ex, meta, &inner, &sub_ctx, &mut emit)?;
        if let Some(e) = over {
            return Err(e);
        }
        // Tags the inner statement selects as columns stay tags for the outer one. Its
        // sources' schema is read without running them again: a nested subquery runs once.
        let below = super::select::schema(ex, meta, &inner.sources, ctx, lo, hi)?;
        let tag_columns = super::select::tag_columns(&inner, &below);
        let mut series: Vec<ResultSeries> = Vec::new();
        for row in rows {
            let tagged: Vec<usize> = (1..row.columns.len())
                .filter(|&i| tag_columns.contains(&row.columns[i]))
                .collect();
            if tagged.is_empty() {
                series.push(ResultSeries {
                    info: SeriesInfo {
                        id: series.len() as u64,
                        measurement: row.name,
                        tags: row.tags,
                    },
                    columns: row.columns,
                    rows: row.values,
                });
                continue;
            }
            // One series per combination of the tag columns' values.
            let columns: Vec<String> = (0..row.columns.len())
                .filter(|i| !tagged.contains(i))
                .map(|i| row.columns[i].clone())
                .collect();
            let mut split: BTreeMap<Vec<(String, String)>, Vec<Vec<Value>>> = BTreeMap::new();
            for values in row.values {
                let mut tags = row.tags.clone();
                for &i in &tagged {
                    if let Some(Value::String(v)) = values.get(i) {
                        tags.push((row.columns[i].clone(), v.clone()));
                    }
                }
                tags.sort();
                let kept = values
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| !tagged.contains(i))
                    .map(|(_, v)| v)
                    .collect();
                split.entry(tags).or_default().push(kept);
            }
            for (tags, values) in split {
                series.push(ResultSeries {
                    info: SeriesInfo {
                        id: series.len() as u64,
                        measurement: row.name.clone(),
                        tags,
                    },
                    columns: columns.clone(),
                    rows: values,
                });
            }
        }
        Ok(SubqueryReader { series, _held: held })
    }

    fn of<'a>(&'a self, measurement: &'a str) -> impl Iterator<Item = &'a ResultSeries> + 'a {
        self.series.iter().filter(move |s| s.info.measurement == measurement)
    }
}

fn field_type(v: &Value) -> Option<FieldType> {
    Some(match v {
        Value::Float(_) => FieldType::Float,
        Value::Integer(_) => FieldType::Integer,
        Value::Unsigned(_) => FieldType::Unsigned,
        Value::Boolean(_) => FieldType::Boolean,
        Value::String(_) => FieldType::String,
        Value::Null | Value::Time(_) | Value::ZonedTime(..) => return None,
    })
}

fn unsupported() -> shard::Error {
    shard::Error::Unsupported("a subquery's result cannot be changed".to_owned())
}

impl ShardReader for SubqueryReader {
    fn id(&self) -> u64 {
        0
    }

    fn measurements(&self) -> shard::Result<Vec<String>> {
        let mut names: Vec<String> = self.series.iter().map(|s| s.info.measurement.clone()).collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn tag_keys(&self, measurement: &str) -> shard::Result<Vec<String>> {
        let mut keys: Vec<String> = self
            .of(measurement)
            .flat_map(|s| s.info.tags.iter().map(|(k, _)| k.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    fn tag_values(&self, measurement: &str, key: &str) -> shard::Result<Vec<String>> {
        let mut values: Vec<String> = self
            .of(measurement)
            .flat_map(|s| s.info.tags.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()))
            .collect();
        values.sort();
        values.dedup();
        Ok(values)
    }

    fn fields(&self, measurement: &str) -> shard::Result<Vec<(String, FieldType)>> {
        // A column's type is that of its first value; all-null columns are no field.
        let mut out: BTreeMap<String, FieldType> = BTreeMap::new();
        for s in self.of(measurement) {
            for (i, c) in s.columns.iter().enumerate().skip(1) {
                if out.contains_key(c) {
                    continue;
                }
                if let Some(t) = s.rows.iter().find_map(|r| r.get(i).and_then(field_type)) {
                    out.insert(c.clone(), t);
                }
            }
        }
        Ok(out.into_iter().collect())
    }

    fn series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<Vec<SeriesInfo>> {
        Ok(self
            .of(measurement)
            .filter(|s| predicate.is_none_or(|p| p.matches(&s.info.tags)))
            .map(|s| s.info.clone())
            .collect())
    }

    /// Every row of the inner result: its statement already ran over the outer range, and
    /// InfluxDB does not cut its rows again (an inner `GROUP BY time` bucket that starts
    /// before the outer range still counts in the outer's first bucket).
    fn points(
        &self,
        series: &SeriesInfo,
        field: &str,
        _lo: i64,
        _hi: i64,
    ) -> shard::Result<Option<(Vec<i64>, Values)>> {
        let Some(s) = self.series.get(series.id as usize) else {
            return Ok(None);
        };
        let Some(col) = s.columns.iter().position(|c| c == field).filter(|&i| i > 0) else {
            return Ok(None);
        };
        let Some(ty) = s.rows.iter().find_map(|r| r.get(col).and_then(field_type)) else {
            return Ok(None);
        };
        let mut times = Vec::new();
        let mut values = match ty {
            FieldType::Float => Values::Float(Vec::new()),
            FieldType::Integer => Values::Integer(Vec::new()),
            FieldType::Unsigned => Values::Unsigned(Vec::new()),
            FieldType::Boolean => Values::Boolean(Vec::new()),
            FieldType::String => Values::String(Vec::new()),
        };
        let mut rows: Vec<(i64, &Value)> = s
            .rows
            .iter()
            .filter_map(|r| match (r.first(), r.get(col)) {
                (Some(Value::Time(t) | Value::ZonedTime(t, _)), Some(v)) => Some((*t, v)),
                _ => None,
            })
            .collect();
        // An outer query reads in time order; a DESC subquery gave the reverse.
        rows.sort_by_key(|(t, _)| *t);
        for (t, v) in rows {
            match (&mut values, v) {
                (Values::Float(out), Value::Float(x)) => out.push(*x),
                (Values::Float(out), Value::Integer(x)) => out.push(*x as f64),
                (Values::Integer(out), Value::Integer(x)) => out.push(*x),
                (Values::Unsigned(out), Value::Unsigned(x)) => out.push(*x),
                (Values::Boolean(out), Value::Boolean(x)) => out.push(*x),
                (Values::String(out), Value::String(x)) => out.push(x.clone()),
                _ => continue,
            }
            times.push(t);
        }
        Ok(Some((times, values)))
    }

    fn aggregate(
        &self,
        groups: &[Vec<SeriesInfo>],
        field: &str,
        window: &Window,
        needs: Needs,
    ) -> shard::Result<Vec<Partials>> {
        let mut all = Vec::with_capacity(groups.len());
        for series in groups {
            let mut out = Partials::default();
            let mut buckets = BTreeMap::new();
            for (idx, info) in series.iter().enumerate() {
                if let Some((times, values)) = self.points(info, field, window.lo, window.hi)? {
                    out.points += times.len() as u64;
                    add_points(&mut buckets, window, &times, values.as_ref(), idx, needs);
                }
            }
            out.buckets = buckets.into_iter().collect();
            all.push(out);
        }
        Ok(all)
    }

    fn delete(&self, _: &str, _: Option<&TagPredicate>, _: i64, _: i64) -> shard::Result<()> {
        Err(unsupported())
    }

    fn drop_series(&self, _: &str, _: Option<&TagPredicate>) -> shard::Result<()> {
        Err(unsupported())
    }

    fn drop_measurement(&self, _: &str) -> shard::Result<()> {
        Err(unsupported())
    }
}
