//! index: the series and fields a shard holds. On disk in RocksDB (`series`, `series_ids`,
//! `postings`, `fields`); in memory only a bounded cache of recently written series, the
//! field schema and the tag keys, which are small (measurements x fields, measurements x
//! tag keys). Memory does not grow with the
//! number of series, unlike InfluxDB's `inmem` index.
//!
//! Series ids are dense per shard, in creation order; field ids number the (measurement,
//! field) pairs. Both are what the WAL, the head and the blocks store instead of names.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use block::FieldType;
use rocksdb::WriteBatch;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::keys::{self, CF_FIELDS, CF_POSTINGS, CF_SERIES, CF_SERIES_IDS};
use crate::pending::Created;
use crate::record;

/// A field of a measurement: its type, fixed per shard on first write, and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    pub field_type: FieldType,
    pub id: u32,
}

/// Series keys cached for the write path: two generations, so that a full cache drops the
/// older half instead of everything (VictoriaMetrics' rotating caches). `capacity` counts
/// entries per generation.
#[derive(Debug)]
struct SeriesCache {
    current: HashMap<Box<[u8]>, u64>,
    previous: HashMap<Box<[u8]>, u64>,
    capacity: usize,
}

impl SeriesCache {
    fn get(&mut self, key: &[u8]) -> Option<u64> {
        if let Some(&id) = self.current.get(key) {
            return Some(id);
        }
        let id = *self.previous.get(key)?;
        self.insert(key, id);
        Some(id)
    }

    /// Bytes held: the keys plus each map's slots (key pointer, id, control byte).
    fn bytes(&self) -> usize {
        let slot = size_of::<(Box<[u8]>, u64)>() + 1;
        [&self.current, &self.previous]
            .iter()
            .map(|m| m.capacity() * slot + m.keys().map(|k| k.len()).sum::<usize>())
            .sum()
    }

    fn insert(&mut self, key: &[u8], id: u64) {
        if self.current.len() >= self.capacity {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key.into(), id);
    }
}

#[derive(Debug)]
pub(crate) struct Index {
    cache: Mutex<SeriesCache>,
    /// measurement -> field -> info; every field of the shard.
    fields: RwLock<HashMap<String, HashMap<String, FieldInfo>>>,
    /// measurement -> its tag keys: every query resolving its sources asks.
    tag_keys: RwLock<HashMap<String, BTreeSet<String>>>,
    /// Tag values listed lately (Grafana's variables ask again and again), valid while
    /// `series_changes` has not moved since they were read.
    tag_values: Mutex<TagValuesCache>,
    /// Series created or dropped so far.
    series_changes: AtomicU64,
    /// Drops of series or fields so far: a write that looked ids up before one must look
    /// again.
    drops: AtomicU64,
    /// Fields added to the schema so far: a write that found a field missing before one
    /// must look again.
    field_additions: AtomicU64,
    /// Series added so far, as `field_additions`.
    series_additions: AtomicU64,
    next_series: AtomicU64,
    next_field: AtomicU32,
}

/// The fields of every measurement, read-locked: a write checks all fields of a point
/// under one lock.
pub(crate) type Schema<'i> = std::sync::RwLockReadGuard<'i, HashMap<String, HashMap<String, FieldInfo>>>;

impl Index {
    /// Bytes held by the series-key cache of the write path (the rest is small: schema, tag
    /// keys, a bounded tag-values cache).
    pub(crate) fn series_cache_bytes(&self) -> usize {
        self.lock_cache().bytes()
    }

    /// Loads the field schema and the id counters from `db`.
    pub(crate) fn open(db: &Db, cache_entries: usize) -> Result<Self> {
        let mut fields: HashMap<String, HashMap<String, FieldInfo>> = HashMap::new();
        let mut next_field = 0u32;
        let mut it = db.prefix_iter(CF_FIELDS, &[]);
        while let (Some(k), Some(v)) = (it.key(), it.value()) {
            let corrupt = || Error::Corrupt {
                path: db.path.clone(),
                what: format!("bad fields entry {k:?}"),
            };
            let (m, rest) = keys::decode_component(k).ok_or_else(corrupt)?;
            let (f, _) = keys::decode_component(rest).ok_or_else(corrupt)?;
            let (&t, id) = v.split_first().ok_or_else(corrupt)?;
            let id = u32::from_be_bytes(id.try_into().map_err(|_| corrupt())?);
            let info = FieldInfo {
                field_type: record::type_from_code(t).ok_or_else(corrupt)?,
                id,
            };
            let m = String::from_utf8(m).map_err(|_| corrupt())?;
            let f = String::from_utf8(f).map_err(|_| corrupt())?;
            fields.entry(m).or_default().insert(f, info);
            next_field = next_field.max(id + 1);
            it.next();
        }
        db.check(&it)?;
        let mut tag_keys = HashMap::new();
        for m in fields.keys() {
            tag_keys.insert(m.clone(), db.tag_keys(m)?);
        }
        // Ids are dense: the next one follows the largest in `series_ids`.
        let mut it = db.db.raw_iterator_cf(db.cf(CF_SERIES_IDS));
        it.seek_to_last();
        let next_series = match it.key() {
            Some(k) => {
                u64::from_be_bytes(k.try_into().map_err(|_| Error::Corrupt {
                    path: db.path.clone(),
                    what: format!("bad series id key {k:?}"),
                })?) + 1
            }
            None => 1,
        };
        db.check(&it)?;
        Ok(Self {
            cache: Mutex::new(SeriesCache {
                current: HashMap::new(),
                previous: HashMap::new(),
                capacity: cache_entries.max(16) / 2,
            }),
            fields: RwLock::new(fields),
            tag_keys: RwLock::new(tag_keys),
            tag_values: Mutex::new(TagValuesCache::default()),
            series_changes: AtomicU64::new(0),
            drops: AtomicU64::new(0),
            field_additions: AtomicU64::new(0),
            series_additions: AtomicU64::new(0),
            next_series: AtomicU64::new(next_series),
            next_field: AtomicU32::new(next_field),
        })
    }

    /// The id of a series, from the cache or the disk.
    pub(crate) fn series_id(&self, db: &Db, key: &[u8]) -> Result<Option<u64>> {
        if let Some(id) = self.lock_cache().get(key) {
            return Ok(Some(id));
        }
        let Some(v) = db.get(CF_SERIES, key)? else {
            return Ok(None);
        };
        let id = u64::from_be_bytes(v.as_slice().try_into().map_err(|_| Error::Corrupt {
            path: db.path.clone(),
            what: format!("bad series id {v:?}"),
        })?);
        self.lock_cache().insert(key, id);
        Ok(Some(id))
    }

    /// The id for a new series. The caller holds the shard's write order, and has looked
    /// for the series everywhere (index and `Pending`), so that no two writers create it.
    pub(crate) fn new_series_id(&self) -> u64 {
        self.next_series.fetch_add(1, Ordering::Relaxed)
    }

    /// The id for a new field, as [`Index::new_series_id`].
    pub(crate) fn new_field_id(&self) -> u32 {
        self.next_field.fetch_add(1, Ordering::Relaxed)
    }

    /// Index entries of a series with a known id (also used on WAL replay: idempotent).
    pub(crate) fn put_series(
        &self,
        db: &Db,
        id: u64,
        key: &[u8],
        measurement: &str,
        tags: &[(&str, &str)],
        batch: &mut WriteBatch,
    ) {
        series_entries(db, id, key, measurement, tags, batch);
        self.add_series(id, measurement, tags.iter().copied());
    }

    /// The in-memory part of a new series: id counter and tag keys.
    fn add_series<'t>(&self, id: u64, measurement: &str, tags: impl Iterator<Item = (&'t str, &'t str)> + Clone) {
        self.next_series.fetch_max(id + 1, Ordering::Relaxed);
        let known = |keys: &BTreeSet<String>| tags.clone().all(|(k, _)| keys.contains(k));
        if !self.read_tag_keys().get(measurement).is_some_and(known) {
            let mut all = self.tag_keys.write().unwrap_or_else(|p| p.into_inner());
            all.entry(measurement.to_owned())
                .or_default()
                .extend(tags.map(|(k, _)| k.to_owned()));
        }
    }

    /// Adds the index entries of what a write created to `batch`.
    pub(crate) fn created_entries(&self, db: &Db, created: &Created, batch: &mut WriteBatch) {
        for (key, &id) in &created.series {
            if let Some((m, tags)) = keys::decode_series_key(key) {
                let tags: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                series_entries(db, id, key, &m, &tags, batch);
            }
        }
        for (m, fields) in &created.fields {
            for (f, info) in fields {
                batch.put_cf(db.cf(CF_FIELDS), keys::field_key(m, f), field_value(*info));
            }
        }
    }

    /// Makes what a write created part of the in-memory index, once its entries are in
    /// RocksDB (moving the names out of `created`).
    pub(crate) fn add_created(&self, created: &mut Created) {
        if !created.series.is_empty() {
            let mut cache = self.lock_cache();
            for (key, &id) in &created.series {
                cache.insert(key, id);
            }
            drop(cache);
            for (key, &id) in &created.series {
                if let Some((m, tags)) = keys::decode_series_key(key) {
                    self.add_series(id, &m, tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                }
            }
            self.series_additions.fetch_add(1, Ordering::SeqCst);
        }
        if !created.fields.is_empty() {
            let mut all = self.fields.write().unwrap_or_else(|p| p.into_inner());
            for (m, fields) in std::mem::take(&mut created.fields) {
                for info in fields.values() {
                    self.next_field.fetch_max(info.id + 1, Ordering::Relaxed);
                }
                all.entry(m).or_default().extend(fields);
            }
            drop(all);
            self.field_additions.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Series or fields dropped so far (see `drops`).
    pub(crate) fn drops(&self) -> u64 {
        self.drops.load(Ordering::SeqCst)
    }

    /// Fields added so far (see `field_additions`).
    pub(crate) fn field_additions(&self) -> u64 {
        self.field_additions.load(Ordering::SeqCst)
    }

    /// Series added so far (see `series_additions`).
    pub(crate) fn series_additions(&self) -> u64 {
        self.series_additions.load(Ordering::SeqCst)
    }

    /// The fields of every measurement, for checking a write's fields under one lock.
    pub(crate) fn schema(&self) -> Schema<'_> {
        self.read_fields()
    }

    /// Counts a change of the shard's series (new ones written, some dropped), once it is
    /// visible in RocksDB: a listing read before that is then never cached as current.
    pub(crate) fn series_changed(&self) {
        self.series_changes.fetch_add(1, Ordering::SeqCst);
    }

    /// Tag keys of a measurement, sorted.
    pub(crate) fn tag_keys(&self, measurement: &str) -> Vec<String> {
        self.read_tag_keys()
            .get(measurement)
            .map(|k| k.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Reads a measurement's tag keys from the postings again, after series were dropped.
    pub(crate) fn reload_tag_keys(&self, db: &Db, measurement: &str) -> Result<()> {
        let keys = db.tag_keys(measurement)?;
        let mut all = self.tag_keys.write().unwrap_or_else(|p| p.into_inner());
        if keys.is_empty() {
            all.remove(measurement);
        } else {
            all.insert(measurement.to_owned(), keys);
        }
        Ok(())
    }

    fn read_tag_keys(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, BTreeSet<String>>> {
        self.tag_keys.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The field of a measurement, if the shard has it.
    pub(crate) fn field(&self, measurement: &str, field: &str) -> Option<FieldInfo> {
        self.read_fields().get(measurement)?.get(field).copied()
    }

    /// Adds a field with a known id (the WAL replay: idempotent).
    pub(crate) fn put_field(&self, db: &Db, measurement: &str, field: &str, info: FieldInfo, batch: &mut WriteBatch) {
        batch.put_cf(db.cf(CF_FIELDS), keys::field_key(measurement, field), field_value(info));
        self.fields
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(measurement.to_string())
            .or_default()
            .insert(field.to_string(), info);
        self.next_field.fetch_max(info.id + 1, Ordering::Relaxed);
    }

    /// Fields of a measurement, sorted by name.
    pub(crate) fn fields_of(&self, measurement: &str) -> Vec<(String, FieldInfo)> {
        let mut v: Vec<(String, FieldInfo)> = self
            .read_fields()
            .get(measurement)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// The type of every field id.
    pub(crate) fn field_types(&self) -> HashMap<u32, FieldType> {
        self.read_fields()
            .values()
            .flat_map(|m| m.values().map(|f| (f.id, f.field_type)))
            .collect()
    }

    /// Every measurement with at least one field, sorted.
    pub(crate) fn measurements(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .read_fields()
            .iter()
            .filter(|(_, f)| !f.is_empty())
            .map(|(m, _)| m.clone())
            .collect();
        v.sort();
        v
    }

    /// Forgets a measurement's fields (dropping the measurement); removes their entries.
    pub(crate) fn drop_fields(&self, db: &Db, measurement: &str, batch: &mut WriteBatch) {
        let removed = self
            .fields
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(measurement);
        // Counted once they are gone: a write that read the count before looks again.
        self.drops.fetch_add(1, Ordering::SeqCst);
        for field in removed.into_iter().flat_map(|m| m.into_keys()) {
            batch.delete_cf(db.cf(CF_FIELDS), keys::field_key(measurement, &field));
        }
    }

    /// Forgets cached series (after series were dropped).
    pub(crate) fn clear_cache(&self) {
        let mut c = self.lock_cache();
        c.current.clear();
        c.previous.clear();
        drop(c);
        // Counted once they are gone: a write that read the count before looks again.
        self.drops.fetch_add(1, Ordering::SeqCst);
        self.series_changed();
    }

    /// Values of a tag key, from the cache while no series was created or dropped since they
    /// were read, else from `db` (and cached).
    pub(crate) fn tag_values(&self, db: &Db, measurement: &str, key: &str) -> Result<Vec<String>> {
        // Read before the postings: a series created meanwhile moves it, so what is cached
        // below is never taken for newer than it is.
        let changes = self.series_changes.load(Ordering::SeqCst);
        let mut cache = self.tag_values.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, values)) = cache.entries.get(&(measurement.to_owned(), key.to_owned())) {
            if *at == changes {
                return Ok(values.clone());
            }
        }
        drop(cache);
        let values = db.distinct_after(&keys::posting_prefix(measurement, Some(key), None))?;
        cache = self.tag_values.lock().unwrap_or_else(|p| p.into_inner());
        cache.insert((measurement.to_owned(), key.to_owned()), changes, &values);
        Ok(values)
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, SeriesCache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn read_fields(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, HashMap<String, FieldInfo>>> {
        self.fields.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// The RocksDB entries of one series: key -> id, id -> key, and a posting per tag.
fn series_entries(db: &Db, id: u64, key: &[u8], measurement: &str, tags: &[(&str, &str)], batch: &mut WriteBatch) {
    batch.put_cf(db.cf(CF_SERIES), key, id.to_be_bytes());
    batch.put_cf(db.cf(CF_SERIES_IDS), id.to_be_bytes(), key);
    for (k, v) in tags {
        batch.put_cf(db.cf(CF_POSTINGS), keys::posting_key(measurement, k, v, id), []);
    }
}

/// A field's value in the `fields` CF: type code, then id.
fn field_value(info: FieldInfo) -> [u8; 5] {
    let mut v = [0u8; 5];
    v[0] = record::type_code(info.field_type);
    v[1..].copy_from_slice(&info.id.to_be_bytes());
    v
}

/// Tag values cached per (measurement, key) with the series-change count they were read at;
/// at most [`TagValuesCache::MAX_VALUES`] values in all (then it starts over), so memory
/// stays bounded whatever the cardinality.
#[derive(Debug, Default)]
struct TagValuesCache {
    entries: HashMap<(String, String), (u64, Vec<String>)>,
    values: usize,
}

impl TagValuesCache {
    const MAX_VALUES: usize = 1 << 20;

    fn insert(&mut self, key: (String, String), changes: u64, values: &[String]) {
        if values.len() > Self::MAX_VALUES / 4 {
            return;
        }
        if self.values + values.len() > Self::MAX_VALUES {
            self.entries.clear();
            self.values = 0;
        }
        self.values += values.len();
        if let Some((_, old)) = self.entries.insert(key, (changes, values.to_vec())) {
            self.values -= old.len();
        }
    }
}

/// Reading the on-disk index: series of a measurement, tag keys and values, postings.
impl Db {
    /// (id, key) of every series of `measurement`, in key order.
    pub(crate) fn series_of(&self, measurement: &str) -> Result<Vec<(u64, Vec<u8>)>> {
        let mut prefix = Vec::new();
        keys::encode_component(&mut prefix, measurement.as_bytes());
        let mut out = Vec::new();
        let mut it = self.prefix_iter(CF_SERIES, &prefix);
        while let (Some(k), Some(v)) = (it.key(), it.value()) {
            let id = u64::from_be_bytes(v.try_into().map_err(|_| Error::Corrupt {
                path: self.path.clone(),
                what: format!("bad series id {v:?}"),
            })?);
            out.push((id, k.to_vec()));
            it.next();
        }
        self.check(&it)?;
        Ok(out)
    }

    /// The `series` key of a series id.
    pub(crate) fn series_key_of(&self, id: u64) -> Result<Option<Vec<u8>>> {
        self.get(CF_SERIES_IDS, &id.to_be_bytes())
    }

    /// Tag keys of a measurement, from its postings.
    pub(crate) fn tag_keys(&self, measurement: &str) -> Result<BTreeSet<String>> {
        Ok(self
            .distinct_after(&keys::posting_prefix(measurement, None, None))?
            .into_iter()
            .collect())
    }

    /// Distinct components right after `prefix` in the postings: tag keys of a measurement,
    /// or values of a tag key, skipping over each one's postings.
    pub(crate) fn distinct_after(&self, prefix: &[u8]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        // A cursor steps over the postings of a value that has few series (a host name)
        // instead of seeking past them.
        let mut cursor = self.cursor(CF_POSTINGS);
        cursor.seek(prefix);
        let mut next = Vec::with_capacity(prefix.len() + 64);
        while let Some(k) = cursor.it.key() {
            let Some(rest) = k.strip_prefix(prefix) else {
                break;
            };
            let Some((name, _)) = keys::decode_component(rest) else {
                return Err(Error::Corrupt {
                    path: self.path.clone(),
                    what: format!("bad postings key {k:?}"),
                });
            };
            // The first key past this component's postings: the component's terminator
            // `0x00 0x00` raised to `0x00 0x01`.
            next.clear();
            next.extend_from_slice(prefix);
            keys::encode_component(&mut next, &name);
            if let Some(last) = next.last_mut() {
                *last = 1;
            }
            out.push(String::from_utf8(name).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()));
            cursor.seek(&next);
        }
        self.check(&cursor.it)?;
        Ok(out)
    }

    /// Series ids (sorted) whose tag `key` has `value` in `measurement`.
    pub(crate) fn postings(&self, measurement: &str, key: &str, value: &str) -> Result<Vec<u64>> {
        let prefix = keys::posting_prefix(measurement, Some(key), Some(value));
        let mut out = Vec::new();
        let mut it = self.prefix_iter(CF_POSTINGS, &prefix);
        while let Some(k) = it.key() {
            let id = k
                .get(prefix.len()..)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes);
            let Some(id) = id else {
                return Err(Error::Corrupt {
                    path: self.path.clone(),
                    what: format!("bad postings key {k:?}"),
                });
            };
            out.push(id);
            it.next();
        }
        self.check(&it)?;
        out.sort_unstable();
        Ok(out)
    }
}
