//! The shard: opening it (and replaying its WAL), writing points, flushing the head to
//! blocks, and deleting. Reads are in `shard_read.rs`.
//!
//! Directory: `<dir>/db` holds RocksDB, `<dir>/wal` the WAL segments. Dropping a shard is
//! deleting the directory.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use block::{FieldType, Values};
use line_protocol::FieldValue;
use rocksdb::WriteBatch;

use crate::column::{field_type_of, Column};
use crate::db::{Db, RocksOptions};
use crate::error::{Error, Result};
use crate::head::{FieldSeries, Frozen, Head};
use crate::index::{FieldInfo, Index};
use crate::keys::{self, CF_BLOCKS, CF_META, CF_POSTINGS, CF_SERIES, CF_SERIES_IDS};
use crate::pending::Pending;
use crate::predicate::{AllSeries, TagPredicate};
use crate::record::{self, Replay};
use crate::shard_write::Writers;
use crate::wal::{Wal, WalOptions};

/// The wait before an automatic retry of a failed flush, doubled after each failure up to
/// [`FLUSH_RETRY_MAX`]: a full disk fails every try until room is made, and each try costs
/// a log line.
const FLUSH_RETRY_FIRST: Duration = Duration::from_secs(1);
const FLUSH_RETRY_MAX: Duration = Duration::from_secs(30);

/// How a shard behaves; every field has a default fit for a data node.
#[derive(Debug, Clone)]
pub struct ShardOptions {
    pub wal: WalOptions,
    pub rocks: RocksOptions,
    /// Past this many bytes in the head, writes fail with [`Error::HeadFull`] (InfluxDB's
    /// `cache-max-memory-size`, default 1 GiB).
    pub head_limit_bytes: usize,
    /// A write that leaves more than this many bytes in the head flushes it (InfluxDB's
    /// `cache-snapshot-memory-size`, 25 MB).
    pub flush_bytes: usize,
    /// Series keys kept in memory for the write path; others are looked up on disk.
    pub series_cache_entries: usize,
    /// Whether someone else flushes: a writer that crosses `flush_bytes` leaves the flush to
    /// a background thread that watches [`Shard::wants_flush`] (the node's flusher), and
    /// flushes itself only past twice `flush_bytes`, so the head stays bounded when the
    /// flusher falls behind. Off: the writer that crosses `flush_bytes` flushes.
    pub flush_in_background: bool,
}

impl Default for ShardOptions {
    fn default() -> Self {
        Self {
            wal: WalOptions::default(),
            rocks: RocksOptions::default(),
            head_limit_bytes: 1 << 30,
            flush_bytes: 25 << 20,
            series_cache_entries: 1 << 20,
            flush_in_background: false,
        }
    }
}

/// What became of a write: how much was stored, and how many points storage refused
/// (with the first reason, in InfluxDB's words, for the `partial write` error).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    pub points: usize,
    pub values: usize,
    pub dropped: usize,
    pub first_drop: Option<String>,
}

impl WriteOutcome {
    pub(crate) fn drop_point(&mut self, reason: impl FnOnce() -> String) {
        self.dropped += 1;
        if self.first_drop.is_none() {
            self.first_drop = Some(reason());
        }
    }
}

/// Memory a shard holds, in bytes ([`Shard::memory`]). Not counted: allocator overhead,
/// the table files' pages mapped for reading (the OS page cache's), and small parts (field
/// schema, tag keys, the bounded tag-values cache).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// Unflushed points: the head, active and frozen.
    pub head: usize,
    /// The write path's cache of series keys (`series_cache_entries`).
    pub series_cache: usize,
    /// RocksDB's memtables, every column family.
    pub memtables: usize,
    /// RocksDB's table readers: index and filter blocks kept outside the block cache.
    pub table_readers: usize,
    /// The block cache, shared by every shard opened with the same [`RocksOptions`].
    pub block_cache: usize,
}

/// The storage of one shard.
#[derive(Debug)]
pub struct Shard {
    pub(crate) dir: PathBuf,
    pub(crate) db: Db,
    pub(crate) index: Index,
    pub(crate) wal: Wal,
    pub(crate) head: Head,
    /// The write order: held by a writer while it gives ids to new series and fields and
    /// appends its WAL record (`shard_write.rs`), and by deletes and checkpoints, which
    /// must see no write in between.
    pub(crate) order: Mutex<()>,
    /// Series and fields created by writes whose index entries are not in RocksDB yet.
    pub(crate) pending: Pending,
    /// Writers past their WAL append.
    pub(crate) writers: Writers,
    /// One flush at a time.
    flushing: Mutex<()>,
    /// After a failed flush (a full disk): no retry by `flush_if_wanted` or
    /// `flush_if_older` before this instant, and the wait before the next one.
    flush_backoff: Mutex<Option<(Instant, Duration)>>,
    /// When the last write or delete arrived; `None` once the shard has been settled (its
    /// memtables written out) since.
    pub(crate) last_write: Mutex<Option<Instant>>,
    pub(crate) options: ShardOptions,
}

impl Shard {
    /// Opens (or creates) the shard in `dir`, replaying the WAL records not yet flushed.
    pub fn open(dir: &Path, options: ShardOptions) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the shard directory", e))?;
        let db = Db::open(&dir.join("db"), &options.rocks)?;
        match db.get(CF_META, keys::META_FORMAT)? {
            None => db
                .db
                .put_cf(db.cf(CF_META), keys::META_FORMAT, keys::FORMAT_VERSION.to_be_bytes())
                .map_err(|e| Error::rocks(&db.path, "write the format", e))?,
            Some(v) => {
                let found = u64::from_be_bytes(v.as_slice().try_into().unwrap_or_default());
                if found != keys::FORMAT_VERSION {
                    return Err(Error::Format {
                        path: dir.to_path_buf(),
                        found,
                        expected: keys::FORMAT_VERSION,
                    });
                }
            }
        }
        let index = Index::open(&db, options.series_cache_entries)?;
        let flushed = match db.get(CF_META, keys::META_FLUSHED_SEQ)? {
            Some(v) => u64::from_be_bytes(v.as_slice().try_into().unwrap_or_default()),
            None => 0,
        };
        let head = Head::new();
        let started = Instant::now();
        let mut replayer = Replayer {
            db: &db,
            index: &index,
            batch: WriteBatch::default(),
            points: Vec::new(),
            types: index.field_types(),
            head: &head,
            records: 0,
        };
        let wal = Wal::open(&dir.join("wal"), options.wal.clone(), flushed, |seq, payload| {
            record::replay(payload, &mut replayer).map_err(|what| Error::Corrupt {
                path: dir.join("wal"),
                what: format!("WAL record {seq}: {what}"),
            })?;
            replayer.records += 1;
            replayer.apply();
            Ok(())
        })?;
        let records = replayer.records;
        let batch = std::mem::take(&mut replayer.batch);
        db.write(batch, true, "restore index entries from the WAL")?;
        head.start_after(wal.last_seq());
        if records > 0 {
            tracing::info!(dir = %dir.display(), records, head_bytes = head.bytes(), elapsed = ?started.elapsed(), "replayed the WAL");
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            db,
            index,
            wal,
            head,
            order: Mutex::new(()),
            pending: Pending::default(),
            writers: Writers::default(),
            flushing: Mutex::new(()),
            flush_backoff: Mutex::new(None),
            // RocksDB may have replayed its own log into memtables: settle them too.
            last_write: Mutex::new(Some(Instant::now())),
            options,
        })
    }

    /// The shard's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the head holds more than `flush_bytes` not yet being flushed.
    pub fn wants_flush(&self) -> bool {
        self.head.active_bytes() > self.options.flush_bytes
    }

    /// Flushes if [`Shard::wants_flush`] and no flush is running: what a background flusher
    /// calls. Returns whether it flushed. After a failed flush, waits out a backoff first.
    pub fn flush_if_wanted(&self) -> Result<bool> {
        let Ok(_flushing) = self.flushing.try_lock() else {
            return Ok(false);
        };
        if !self.wants_flush() || !self.may_retry_flush() {
            return Ok(false);
        }
        self.flush_locked().map(|()| true)
    }

    /// Writes the head to blocks and deletes the WAL segments it covered.
    pub fn flush(&self) -> Result<()> {
        let _flushing = lock(&self.flushing);
        self.flush_locked()
    }

    /// Flushes if the head holds points older than `max_age`: the periodic half of "flush by
    /// size and age", called by the node's maintenance loop. Returns whether it flushed.
    ///
    /// Also retries what a failed flush left (a frozen head, index entries of new series),
    /// once its backoff has passed, so that a shard recovers by itself when a full disk
    /// has room again.
    ///
    /// A shard that has had no write or delete for `max_age` is also settled: RocksDB writes
    /// its memtables out, so a cold shard (last week's, say) holds no write buffers. The
    /// shared budget ([`RocksOptions::write_buffers`]) only flushes shards being written.
    pub fn flush_if_older(&self, max_age: Duration) -> Result<bool> {
        let old = self.head.oldest().is_some_and(|t| t.elapsed() >= max_age);
        let left_over = self.head.frozen().is_some() || self.pending.has_durable();
        let flushed = if old || (left_over && self.may_retry_flush()) {
            self.flush().map(|()| true)?
        } else {
            false
        };
        let cold = {
            let mut last = lock(&self.last_write);
            let cold = last.is_some_and(|t| t.elapsed() >= max_age) && self.head.bytes() == 0;
            if cold {
                *last = None; // a write from now on makes it warm again
            }
            cold
        };
        if cold {
            if let Err(e) = self.db.flush_memtables() {
                *lock(&self.last_write) = Some(Instant::now()); // try again next time
                return Err(e);
            }
        }
        Ok(flushed)
    }

    /// After a write: flushes as [`ShardOptions`] say. A failure is logged, not returned:
    /// the write is durable, and the next flush tries again.
    pub(crate) fn flush_after_write(&self) {
        let active = self.head.active_bytes();
        if active <= self.options.flush_bytes {
            return;
        }
        let result = if !self.options.flush_in_background {
            match self.flushing.try_lock() {
                Ok(_flushing) if self.may_retry_flush() => self.flush_locked(),
                _ => Ok(()),
            }
        } else if active > self.options.flush_bytes.saturating_mul(2) {
            // The background flush is behind: wait for it, then flush here.
            let _flushing = lock(&self.flushing);
            if self.wants_flush() && self.may_retry_flush() {
                self.flush_locked()
            } else {
                Ok(())
            }
        } else {
            Ok(())
        };
        if let Err(e) = result {
            tracing::error!(dir = %self.dir.display(), error = %e, "flush after a write failed; the points stay in the head and the WAL");
        }
    }

    /// Whether the backoff after a failed flush has passed.
    fn may_retry_flush(&self) -> bool {
        lock(&self.flush_backoff).is_none_or(|(at, _)| Instant::now() >= at)
    }

    /// Bytes held in memory by the head.
    pub fn head_bytes(&self) -> usize {
        self.head.bytes()
    }

    /// Where the shard's memory goes, as far as it can count it.
    pub fn memory(&self) -> Result<MemoryUse> {
        let (memtables, table_readers) = self.db.memory()?;
        Ok(MemoryUse {
            head: self.head.bytes(),
            series_cache: self.index.series_cache_bytes(),
            memtables,
            table_readers,
            block_cache: self.options.rocks.cache.get_usage(),
        })
    }

    /// Deletes the points with `lo <= time <= hi` of the series of `measurement` that match
    /// `predicate` (all of them when `None`). Durable when it returns.
    pub fn delete(&self, measurement: &str, predicate: Option<&TagPredicate>, lo: i64, hi: i64) -> Result<()> {
        self.delete_inner(measurement, predicate, lo, hi, false)
    }

    /// Drops the matching series of `measurement`: their points and their index entries; the
    /// measurement itself when no series is left.
    pub fn drop_series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> Result<()> {
        self.delete_inner(measurement, predicate, i64::MIN, i64::MAX, true)
    }

    /// Drops a measurement: every series, every point, its fields.
    pub fn drop_measurement(&self, measurement: &str) -> Result<()> {
        self.delete_inner(measurement, None, i64::MIN, i64::MAX, true)
    }

    fn delete_inner(
        &self,
        m: &str,
        predicate: Option<&TagPredicate>,
        lo: i64,
        hi: i64,
        drop_series: bool,
    ) -> Result<()> {
        *lock(&self.last_write) = Some(Instant::now());
        let _flushing = lock(&self.flushing);
        self.write_stale_frozen()?;
        let _order = lock(&self.order);
        // Flush first: a WAL record older than the delete must never be replayed after it.
        // Writes appended before the order was taken land (or fail) first, index entries
        // included: none of them may come after the delete.
        self.writers.wait_idle();
        let frozen = self.head.freeze();
        self.write_frozen(&frozen)?;
        let ids = self.series_ids(m, predicate)?;
        let fields = self.index.fields_of(m);
        let mut batch = WriteBatch::default();
        let mut buf = Vec::new();
        for &id in &ids {
            if drop_series {
                for (_, info) in &fields {
                    let prefix = keys::block_prefix(FieldSeries {
                        field: info.id,
                        series: id,
                    });
                    if let Some(end) = keys::prefix_end(&prefix) {
                        batch.delete_range_cf(self.db.cf(CF_BLOCKS), &prefix[..], &end[..]);
                    }
                }
                if let Some(key) = self.db.series_key_of(id)? {
                    if let Some((_, tags)) = keys::decode_series_key(&key) {
                        for (k, v) in &tags {
                            batch.delete_cf(self.db.cf(CF_POSTINGS), keys::posting_key(m, k, v, id));
                        }
                    }
                    batch.delete_cf(self.db.cf(CF_SERIES), key);
                }
                batch.delete_cf(self.db.cf(CF_SERIES_IDS), id.to_be_bytes());
                continue;
            }
            for (_, info) in &fields {
                self.delete_range_in_blocks(
                    FieldSeries {
                        series: id,
                        field: info.id,
                    },
                    lo,
                    hi,
                    &mut batch,
                    &mut buf,
                )?;
            }
        }
        self.db.write(batch, true, "delete")?;
        self.head.delete(&ids, lo, hi);
        if drop_series {
            self.index.clear_cache();
            self.index.reload_tag_keys(&self.db, m)?;
            // A measurement left without series is gone (its fields too), as in InfluxDB's
            // index. Checked under the write order, so no writer adds a series meanwhile.
            if self.series_ids(m, None)?.is_empty() {
                let mut batch = WriteBatch::default();
                self.index.drop_fields(&self.db, m, &mut batch);
                self.db.write(batch, true, "drop a measurement's fields")?;
            }
        }
        Ok(())
    }

    /// Adds to `batch` the rewrite of the blocks of `fs` that hold points in `lo..=hi`.
    fn delete_range_in_blocks(
        &self,
        fs: FieldSeries,
        lo: i64,
        hi: i64,
        batch: &mut WriteBatch,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        let mut it = self.db.prefix_iter(CF_BLOCKS, &keys::block_prefix(fs));
        it.seek(keys::block_key(fs, lo));
        let mut keep = Column::new(FieldType::Float);
        let mut touched = false;
        while let (Some(k), Some(v)) = (it.key(), it.value()) {
            let header = self.block_header(v)?;
            if header.min_time > hi {
                break;
            }
            let mut c = self.decode_block(v)?;
            c.remove_range(lo, hi);
            if !touched {
                keep = Column::new(header.field_type);
                touched = true;
            }
            keep = Column::merge(&keep, &c);
            batch.delete_cf(self.db.cf(CF_BLOCKS), k);
            it.next();
        }
        self.db.check(&it)?;
        if touched {
            self.put_column(fs, &keep, batch, buf)?;
        }
        Ok(())
    }

    /// Series ids of `measurement` matching `predicate` (all when `None`), sorted.
    pub fn series_ids(&self, measurement: &str, predicate: Option<&TagPredicate>) -> Result<Vec<u64>> {
        let mut all = AllSeries::default();
        match predicate {
            Some(p) => p.eval(&self.db, measurement, &mut all),
            None => {
                let mut ids: Vec<u64> = self.db.series_of(measurement)?.into_iter().map(|(id, _)| id).collect();
                ids.sort_unstable();
                Ok(ids)
            }
        }
    }

    /// A consistent copy of the shard in `to` (which must not exist): the head is flushed,
    /// then RocksDB is checkpointed (hard links where the file system allows). Open it with
    /// [`Shard::open`]; this is how copy-shard and backup work.
    pub fn checkpoint(&self, to: &Path) -> Result<()> {
        let _flushing = lock(&self.flushing);
        self.write_stale_frozen()?;
        let _order = lock(&self.order);
        self.writers.wait_idle();
        let frozen = self.head.freeze();
        self.write_frozen(&frozen)?;
        std::fs::create_dir_all(to.join("wal")).map_err(|e| Error::io(to, "create the checkpoint directory", e))?;
        rocksdb::checkpoint::Checkpoint::new(&self.db.db)
            .and_then(|c| c.create_checkpoint(to.join("db")))
            .map_err(|e| Error::rocks(&self.db.path, "checkpoint", e))
    }

    /// Flushes the head and compacts RocksDB fully: the smallest the shard gets on disk.
    /// For tests, benchmarks and operators; RocksDB compacts in the background anyway.
    pub fn compact(&self) -> Result<()> {
        self.flush()?;
        for cf in keys::ALL_CFS {
            self.db
                .db
                .compact_range_cf(self.db.cf(cf), None::<&[u8]>, None::<&[u8]>);
        }
        Ok(())
    }

    /// Bytes of the shard's files on disk (RocksDB and WAL).
    pub fn disk_bytes(&self) -> Result<u64> {
        fn walk(p: &Path) -> std::io::Result<u64> {
            let mut n = 0;
            for e in std::fs::read_dir(p)? {
                let e = e?;
                let m = e.metadata()?;
                n += if m.is_dir() { walk(&e.path())? } else { m.len() };
            }
            Ok(n)
        }
        walk(&self.dir).map_err(|e| Error::io(&self.dir, "measure", e))
    }

    /// Closes the shard and deletes its directory.
    pub fn destroy(self) -> Result<()> {
        let dir = self.dir.clone();
        drop(self);
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, "delete the shard directory", e))
    }

    /// Freezes the head and writes it; the caller holds `flushing`. A failure leaves the
    /// points in the (frozen) head and the WAL, and starts a backoff before the next
    /// automatic try.
    fn flush_locked(&self) -> Result<()> {
        let result = self.write_stale_frozen().and_then(|()| {
            // The freeze covers the records up to the last one in the head (`Head::freeze`):
            // writes still syncing stay in the WAL for the next flush.
            let frozen = self.head.freeze();
            self.write_frozen(&frozen)
        });
        let mut backoff = lock(&self.flush_backoff);
        match &result {
            Ok(()) => *backoff = None,
            Err(_) => {
                let wait = backoff.map_or(FLUSH_RETRY_FIRST, |(_, w)| (w * 2).min(FLUSH_RETRY_MAX));
                *backoff = Some((Instant::now() + wait, wait));
            }
        }
        result
    }

    /// Writes the frozen head a failed flush left behind, before a new freeze replaces it.
    fn write_stale_frozen(&self) -> Result<()> {
        match self.head.frozen() {
            Some(frozen) => self.write_frozen(&frozen),
            None => Ok(()),
        }
    }

    /// Turns a frozen head into blocks, merged with the blocks it overlaps; the last batch
    /// records the WAL seq covered and is synced. Then the frozen head is released and the
    /// WAL segments it covered are removed.
    fn write_frozen(&self, frozen: &Frozen) -> Result<()> {
        let seq = frozen.seq;
        let started = Instant::now();
        // Index entries of new series and fields that a full disk refused: the segments this
        // flush removes may be the last place that has them.
        self.settle_created(None)?;
        let mut batch = WriteBatch::default();
        let mut buf = Vec::new();
        for (fs, column) in frozen.in_key_order() {
            self.put_blocks(fs, column, &mut batch, &mut buf)?;
            if batch.size_in_bytes() > 8 << 20 {
                self.db.write(std::mem::take(&mut batch), false, "write blocks")?;
            }
        }
        batch.put_cf(self.db.cf(CF_META), keys::META_FLUSHED_SEQ, seq.to_be_bytes());
        self.db.write(batch, true, "write blocks")?;
        self.head.release_frozen();
        if let Err(e) = self.wal.roll() {
            // The flush stands; the segment goes with a later flush.
            tracing::warn!(dir = %self.dir.display(), error = %e, "cannot start a new WAL segment after a flush");
        }
        self.wal.remove_through(seq)?;
        tracing::debug!(dir = %self.dir.display(), columns = frozen.columns.len(), bytes = frozen.bytes, elapsed = ?started.elapsed(), "flushed the head");
        Ok(())
    }

    /// Adds to `batch` the blocks of `column` merged with the stored blocks it overlaps (and
    /// a small block just before it, so that blocks stay full), deleting those it replaces.
    /// Stored blocks of a field-series never overlap in time.
    fn put_blocks(&self, fs: FieldSeries, column: &Column, batch: &mut WriteBatch, buf: &mut Vec<u8>) -> Result<()> {
        let (Some(&lo), Some(&hi)) = (column.times.first(), column.times.last()) else {
            return Ok(());
        };
        let prefix = keys::block_prefix(fs);
        let it = &mut self.db.bounded_iter(CF_BLOCKS, &prefix);
        // The common case first, in one seek: points appended after the field-series' last
        // block (or a field-series without blocks).
        it.seek_for_prev(keys::block_key(fs, i64::MAX));
        match (it.key(), it.value()) {
            (Some(k), Some(v)) if k.starts_with(&prefix) => {
                let header = self.block_header(v)?;
                if header.max_time < lo {
                    if header.count < (block::MAX_POINTS / 2) as u32 {
                        let older = self.decode_block(v)?;
                        batch.delete_cf(self.db.cf(CF_BLOCKS), k);
                        return self.put_column(fs, &Column::merge(&older, column), batch, buf);
                    }
                    return self.put_column(fs, column, batch, buf);
                }
            }
            _ => {
                self.db.check(it)?;
                return self.put_column(fs, column, batch, buf);
            }
        }
        let mut older = Column::new(column.values.field_type());
        // The block before `lo`, if small enough to absorb.
        it.seek_for_prev(keys::block_key(fs, lo.saturating_sub(1)));
        if let (Some(k), Some(v)) = (it.key(), it.value()) {
            if k.starts_with(&prefix) && self.block_header(v)?.count < (block::MAX_POINTS / 2) as u32 {
                older = self.decode_block(v)?;
                batch.delete_cf(self.db.cf(CF_BLOCKS), k);
            }
        }
        it.seek(keys::block_key(fs, lo));
        while let (Some(k), Some(v)) = (it.key(), it.value()) {
            if !k.starts_with(&prefix) || self.block_header(v)?.min_time > hi {
                break;
            }
            let stored = self.decode_block(v)?;
            older = Column::merge(&older, &stored);
            batch.delete_cf(self.db.cf(CF_BLOCKS), k);
            it.next();
        }
        self.db.check(it)?;
        let merged = Column::merge(&older, column);
        self.put_column(fs, &merged, batch, buf)
    }

    /// Adds a sorted column to `batch` as blocks of at most `block::MAX_POINTS` points.
    fn put_column(&self, fs: FieldSeries, c: &Column, batch: &mut WriteBatch, buf: &mut Vec<u8>) -> Result<()> {
        let mut start = 0;
        while start < c.len() {
            let end = (start + block::MAX_POINTS).min(c.len());
            buf.clear();
            block::encode(&c.times[start..end], c.values_ref(start, end), buf)
                .unwrap_or_else(|e| panic!("BUG: a normalized column did not encode: {e}"));
            batch.put_cf(self.db.cf(CF_BLOCKS), keys::block_key(fs, c.times[end - 1]), &buf[..]);
            start = end;
        }
        Ok(())
    }

    pub(crate) fn block_header(&self, v: &[u8]) -> Result<block::Header> {
        block::decode_header(v).map_err(|e| Error::Corrupt {
            path: self.db.path.clone(),
            what: format!("block header: {e}"),
        })
    }

    pub(crate) fn decode_block(&self, v: &[u8]) -> Result<Column> {
        let mut times = Vec::new();
        let mut values = Values::Float(Vec::new());
        block::decode(v, &mut times, &mut values).map_err(|e| Error::Corrupt {
            path: self.db.path.clone(),
            what: format!("block: {e}"),
        })?;
        Ok(Column::from_parts(times, values))
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Applies replayed WAL records to the index and the head.
struct Replayer<'s> {
    db: &'s Db,
    index: &'s Index,
    batch: WriteBatch,
    /// Points of the current record, owned (the record buffer is reused).
    points: Vec<(FieldSeries, FieldType, i64, FieldValue<'static>)>,
    types: std::collections::HashMap<u32, FieldType>,
    head: &'s Head,
    records: usize,
}

impl Replayer<'_> {
    fn apply(&mut self) {
        let points = std::mem::take(&mut self.points);
        self.head
            .append(points.iter().map(|(fs, t, time, v)| (*fs, *t, *time, v)));
    }
}

impl Replay for Replayer<'_> {
    fn series(&mut self, id: u64, measurement: &str, tags: &[(&str, &str)]) {
        let key = keys::series_key(measurement, tags.iter().copied());
        self.index
            .put_series(self.db, id, &key, measurement, tags, &mut self.batch);
    }

    fn field(&mut self, measurement: &str, name: &str, t: FieldType, id: u32) {
        self.index.put_field(
            self.db,
            measurement,
            name,
            FieldInfo { field_type: t, id },
            &mut self.batch,
        );
        self.types.insert(id, t);
    }

    fn field_type(&self, id: u32) -> Option<FieldType> {
        self.types.get(&id).copied()
    }

    fn value(&mut self, series: u64, field: u32, time: i64, v: FieldValue<'_>) {
        let t = field_type_of(&v);
        self.points
            .push((FieldSeries { series, field }, t, time, v.into_owned()));
    }
}

#[cfg(test)]
mod tests;
