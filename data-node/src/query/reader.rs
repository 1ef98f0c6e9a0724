//! reader: what a query needs from one shard, behind one trait so that a local shard and
//! (in a cluster) a shard on another node are read the same way. Local shards implement it
//! directly over `shard::Shard`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

/// A shard of this node, read by one query. The field ids of each measurement are looked up
/// once per query rather than once per series.
#[derive(Debug)]
pub struct LocalReader {
    shard: Arc<LocalShard>,
    field_ids: Mutex<HashMap<String, HashMap<String, u32>>>,
}

impl LocalReader {
    pub fn new(shard: Arc<LocalShard>) -> Self {
        Self {
            shard,
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
