//! reader: what a query needs from one shard, behind one trait so that a local shard and
//! (in a cluster) a shard on another node are read the same way. Local shards implement it
//! directly over `shard::Shard`.

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use shard::{Chunk, FieldSeries, FieldType, SeriesInfo, TagPredicate, Values, ValuesRef};

use super::partial::{Needs, Partial};
use super::window::Window;
use crate::store::LocalShard;

/// Partial aggregates per bucket start, ascending, and how many points they cover.
#[derive(Debug, Default)]
pub struct Partials {
    pub buckets: Vec<(i64, Partial)>,
    pub points: u64,
}

/// Adds time-ordered points to the partials of their buckets, looking the bucket up once
/// per run of points in the same bucket.
pub(crate) fn add_points(
    buckets: &mut BTreeMap<i64, Partial>,
    window: &Window,
    times: &[i64],
    values: ValuesRef<'_>,
    series: usize,
    needs: Needs,
) {
    let mut i = 0;
    while i < times.len() {
        let (start, end) = window.bounds(times[i]);
        let j = i + times[i..].partition_point(|&t| t < end);
        buckets
            .entry(start)
            .or_default()
            .add_values(times, values, i..j, series, needs);
        i = j;
    }
}

/// The first `limit` points (`from_end`: the last), all of them when `limit` is 0.
pub(crate) fn keep_ends(times: Vec<i64>, values: Values, limit: usize, from_end: bool) -> (Vec<i64>, Values) {
    let n = times.len();
    if limit == 0 || n <= limit {
        return (times, values);
    }
    let (a, b) = if from_end { (n - limit, n) } else { (0, limit) };
    keep_range(times, values, a, b)
}

/// The points at indexes `a..b`.
pub(crate) fn keep_range(mut times: Vec<i64>, values: Values, a: usize, b: usize) -> (Vec<i64>, Values) {
    let values = match values {
        Values::Float(v) => Values::Float(v[a..b].to_vec()),
        Values::Integer(v) => Values::Integer(v[a..b].to_vec()),
        Values::Unsigned(v) => Values::Unsigned(v[a..b].to_vec()),
        Values::Boolean(v) => Values::Boolean(v[a..b].to_vec()),
        Values::String(mut v) => Values::String(v.drain(a..b).collect()),
    };
    times.truncate(b);
    times.drain(..a);
    (times, values)
}

/// The read side of one shard.
pub trait ShardReader: Send + Sync + std::fmt::Debug {
    fn id(&self) -> u64;
    /// The times its points may have, `[start, end)`: its shard group's.
    fn time_range(&self) -> (i64, i64) {
        (i64::MIN, i64::MAX)
    }
    /// Measurements with data, sorted.
    fn measurements(&self) -> shard::Result<Vec<String>>;
    /// Tag keys of a measurement, sorted.
    fn tag_keys(&self, measurement: &str) -> shard::Result<Vec<String>>;
    /// Values of one tag key, sorted.
    fn tag_values(&self, measurement: &str, key: &str) -> shard::Result<Vec<String>>;
    /// Fields of a measurement and their types, sorted by name.
    fn fields(&self, measurement: &str) -> shard::Result<Vec<(String, FieldType)>>;
    /// Series of a measurement matching a tag predicate.
    fn series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<Vec<SeriesInfo>>;
    /// The points of one field of a series in `[lo, hi]`, time-ordered; `None` when the
    /// series has no such field here.
    fn points(&self, series: &SeriesInfo, field: &str, lo: i64, hi: i64) -> shard::Result<Option<(Vec<i64>, Values)>>;
    /// [`ShardReader::points`], only the first `limit` (with `from_end`, the last `limit`)
    /// of them, reading no further than it must: a raw query's LIMIT.
    fn points_limited(
        &self,
        series: &SeriesInfo,
        field: &str,
        lo: i64,
        hi: i64,
        limit: usize,
        from_end: bool,
    ) -> shard::Result<Option<(Vec<i64>, Values)>> {
        Ok(self
            .points(series, field, lo, hi)?
            .map(|(times, values)| keep_ends(times, values, limit, from_end)))
    }
    /// Partial aggregates of one field per group of series (each the members of a GROUP BY
    /// group, from this shard's `series`), per bucket of `window` within its range: one
    /// call (in a cluster, one request) for all groups. Blocks inside one bucket are read
    /// from their headers when `needs` allows. `Picked::series` indexes the group's list.
    fn aggregate(
        &self,
        groups: &[Vec<SeriesInfo>],
        field: &str,
        window: &Window,
        needs: Needs,
    ) -> shard::Result<Vec<Partials>>;
    /// Deletes points of matching series in `[lo, hi]` (DELETE, DROP SERIES with time).
    fn delete(&self, measurement: &str, predicate: Option<&TagPredicate>, lo: i64, hi: i64) -> shard::Result<()>;
    /// Drops matching series and their points.
    fn drop_series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<()>;
    fn drop_measurement(&self, measurement: &str) -> shard::Result<()>;
}

/// A shard of this node, read by one query. The field ids of each measurement are looked up
/// once per query rather than once per series.
#[derive(Debug)]
pub struct LocalReader {
    shard: Arc<LocalShard>,
    /// Its shard group's `[start, end)`.
    range: (i64, i64),
    field_ids: Mutex<HashMap<String, HashMap<String, u32>>>,
}

impl LocalReader {
    pub fn new(shard: Arc<LocalShard>, range: (i64, i64)) -> Self {
        Self {
            shard,
            range,
            field_ids: Mutex::new(HashMap::new()),
        }
    }

    fn field_id(&self, measurement: &str, field: &str) -> Option<u32> {
        let mut cache = self.field_ids.lock().unwrap_or_else(|e| e.into_inner());
        let ids = cache.entry(measurement.to_owned()).or_insert_with(|| {
            self.shard
                .shard
                .fields(measurement)
                .into_iter()
                .map(|(n, _, id)| (n, id))
                .collect()
        });
        ids.get(field).copied()
    }
}

impl ShardReader for LocalReader {
    fn id(&self) -> u64 {
        self.shard.id
    }

    fn time_range(&self) -> (i64, i64) {
        self.range
    }

    fn measurements(&self) -> shard::Result<Vec<String>> {
        Ok(self.shard.shard.measurements())
    }

    fn tag_keys(&self, measurement: &str) -> shard::Result<Vec<String>> {
        self.shard.shard.tag_keys(measurement)
    }

    fn tag_values(&self, measurement: &str, key: &str) -> shard::Result<Vec<String>> {
        self.shard.shard.tag_values(measurement, key)
    }

    fn fields(&self, measurement: &str) -> shard::Result<Vec<(String, FieldType)>> {
        Ok(self
            .shard
            .shard
            .fields(measurement)
            .into_iter()
            .map(|(n, t, _)| (n, t))
            .collect())
    }

    fn series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<Vec<SeriesInfo>> {
        self.shard.shard.series(measurement, predicate)
    }

    fn points(&self, series: &SeriesInfo, field: &str, lo: i64, hi: i64) -> shard::Result<Option<(Vec<i64>, Values)>> {
        let Some(id) = self.field_id(&series.measurement, field) else {
            return Ok(None);
        };
        let fs = FieldSeries {
            series: series.id,
            field: id,
        };
        self.shard.shard.points(fs, lo, hi).map(Some)
    }

    fn points_limited(
        &self,
        series: &SeriesInfo,
        field: &str,
        lo: i64,
        hi: i64,
        limit: usize,
        from_end: bool,
    ) -> shard::Result<Option<(Vec<i64>, Values)>> {
        let Some(id) = self.field_id(&series.measurement, field) else {
            return Ok(None);
        };
        let fs = FieldSeries {
            series: series.id,
            field: id,
        };
        self.shard.shard.points_limited(fs, lo, hi, limit, from_end).map(Some)
    }

    fn aggregate(
        &self,
        groups: &[Vec<SeriesInfo>],
        field: &str,
        window: &Window,
        needs: Needs,
    ) -> shard::Result<Vec<Partials>> {
        let mut out: Vec<(BTreeMap<i64, Partial>, u64)> = groups.iter().map(|_| Default::default()).collect();
        // One read over every member of every group that has the field; `at` maps back.
        let (at, list): (Vec<(usize, usize)>, Vec<FieldSeries>) = groups
            .iter()
            .enumerate()
            .flat_map(|(g, members)| members.iter().enumerate().map(move |(i, info)| (g, i, info)))
            .filter_map(|(g, i, info)| {
                let field = self.field_id(&info.measurement, field)?;
                Some(((g, i), FieldSeries { field, series: info.id }))
            })
            .unzip();
        // A header stands for its block when the block sits in one bucket; string headers
        // keep no first/last, so those blocks are decoded.
        let whole_block = |h: &shard::Header| {
            needs.summaries_ok()
                && !matches!(h.summary, shard::Summary::String)
                && window.start(h.min_time) == window.start(h.max_time)
        };
        self.shard
            .shard
            .read_many(&list, window.lo, window.hi, whole_block, |k, chunk| {
                let (g, idx) = at[k];
                let (buckets, points) = &mut out[g];
                match chunk {
                    Chunk::Summary(h) => {
                        *points += u64::from(h.count);
                        buckets.entry(window.start(h.min_time)).or_default().add_summary(h, idx);
                    }
                    Chunk::Points { times, values } => {
                        *points += times.len() as u64;
                        add_points(buckets, window, times, values, idx, needs);
                    }
                }
                ControlFlow::Continue(())
            })?;
        Ok(out
            .into_iter()
            .map(|(buckets, points)| Partials {
                buckets: buckets.into_iter().collect(),
                points,
            })
            .collect())
    }

    fn delete(&self, measurement: &str, predicate: Option<&TagPredicate>, lo: i64, hi: i64) -> shard::Result<()> {
        self.shard.shard.delete(measurement, predicate, lo, hi)
    }

    fn drop_series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<()> {
        self.shard.shard.drop_series(measurement, predicate)
    }

    fn drop_measurement(&self, measurement: &str) -> shard::Result<()> {
        self.shard.shard.drop_measurement(measurement)
    }
}
