//! reader: what a query needs from one shard, behind one trait so that a local shard and
//! (in a cluster) a shard on another node are read the same way. Local shards implement it
//! directly over `shard::Shard`.

use std::sync::Arc;

use shard::{FieldSeries, FieldType, SeriesInfo, TagPredicate, Values};

use crate::store::LocalShard;

/// The read side of one shard.
pub trait ShardReader: Send + Sync + std::fmt::Debug {
    fn id(&self) -> u64;
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
    /// Deletes points of matching series in `[lo, hi]` (DELETE, DROP SERIES with time).
    fn delete(&self, measurement: &str, predicate: Option<&TagPredicate>, lo: i64, hi: i64) -> shard::Result<()>;
    /// Drops matching series and their points.
    fn drop_series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<()>;
    fn drop_measurement(&self, measurement: &str) -> shard::Result<()>;
}

/// A shard of this node.
#[derive(Debug, Clone)]
pub struct LocalReader(pub Arc<LocalShard>);

impl ShardReader for LocalReader {
    fn id(&self) -> u64 {
        self.0.id
    }

    fn measurements(&self) -> shard::Result<Vec<String>> {
        Ok(self.0.shard.measurements())
    }

    fn tag_keys(&self, measurement: &str) -> shard::Result<Vec<String>> {
        self.0.shard.tag_keys(measurement)
    }

    fn tag_values(&self, measurement: &str, key: &str) -> shard::Result<Vec<String>> {
        self.0.shard.tag_values(measurement, key)
    }

    fn fields(&self, measurement: &str) -> shard::Result<Vec<(String, FieldType)>> {
        Ok(self
            .0
            .shard
            .fields(measurement)
            .into_iter()
            .map(|(n, t, _)| (n, t))
            .collect())
    }

    fn series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<Vec<SeriesInfo>> {
        self.0.shard.series(measurement, predicate)
    }

    fn points(&self, series: &SeriesInfo, field: &str, lo: i64, hi: i64) -> shard::Result<Option<(Vec<i64>, Values)>> {
        let Some((_, _, id)) = self
            .0
            .shard
            .fields(&series.measurement)
            .into_iter()
            .find(|(n, _, _)| n == field)
        else {
            return Ok(None);
        };
        let fs = FieldSeries {
            series: series.id,
            field: id,
        };
        self.0.shard.points(fs, lo, hi).map(Some)
    }

    fn delete(&self, measurement: &str, predicate: Option<&TagPredicate>, lo: i64, hi: i64) -> shard::Result<()> {
        self.0.shard.delete(measurement, predicate, lo, hi)
    }

    fn drop_series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<()> {
        self.0.shard.drop_series(measurement, predicate)
    }

    fn drop_measurement(&self, measurement: &str) -> shard::Result<()> {
        self.0.shard.drop_measurement(measurement)
    }
}
