//! db: the shard's RocksDB instance: how it is opened and tuned, and small helpers that
//! turn RocksDB errors into errors naming the shard.

use std::path::{Path, PathBuf};

use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamily, ColumnFamilyDescriptor, DBCompressionType, DBRawIterator, Options,
    ReadOptions, WriteBatch, WriteBufferManager, WriteOptions, DB,
};

use crate::error::{Error, Result};
use crate::keys::{self, ALL_CFS};

/// RocksDB settings shared by the shards of a node.
#[derive(Clone)]
pub struct RocksOptions {
    /// Block cache shared by every shard of the node (index and block reads).
    pub cache: Cache,
    /// Memtable size of the `blocks` CF; the index CFs get a quarter. Small, because the
    /// head already buffers points and a node holds many shards.
    pub write_buffer_bytes: usize,
    /// The memtables of every shard sharing these options together: past its limit, RocksDB
    /// flushes the largest memtable of the shard being written, so that the number of hot
    /// shards does not multiply the memory. (Cold shards are settled by
    /// [`crate::Shard::flush_if_older`].)
    pub write_buffers: WriteBufferManager,
}

impl std::fmt::Debug for RocksOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksOptions")
            .field("write_buffer_bytes", &self.write_buffer_bytes)
            .field("write_buffer_budget", &self.write_buffers.get_buffer_size())
            .finish_non_exhaustive()
    }
}

impl Default for RocksOptions {
    fn default() -> Self {
        Self::new(64 << 20, 256 << 20)
    }
}

impl RocksOptions {
    /// Default settings with a block cache of `cache_bytes` and a memtable budget of
    /// `write_buffer_budget` bytes, both shared by the shards opened with them.
    pub fn new(cache_bytes: usize, write_buffer_budget: usize) -> Self {
        Self {
            cache: Cache::new_lru_cache(cache_bytes),
            write_buffer_bytes: 16 << 20,
            // No stall: the head in front of RocksDB has its own limit and error.
            write_buffers: WriteBufferManager::new_write_buffer_manager(write_buffer_budget, false),
        }
    }
}

pub(crate) struct Db {
    pub(crate) db: DB,
    pub(crate) path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Db {
    pub(crate) fn open(path: &Path, rocks: &RocksOptions) -> Result<Self> {
        let mut db_opts = Options::default();
        db_opts.create_if_missing(true);
        db_opts.create_missing_column_families(true);
        db_opts.set_max_background_jobs(2);
        db_opts.set_keep_log_file_num(2);
        // Table files are read in place from the page cache: a scan's data blocks (already
        // compressed by their codecs, so stored uncompressed) are not copied by pread,
        // checksummed and inserted into the block cache on every miss — a scan larger than
        // the cache missed on every block. The block cache keeps the index CFs' compressed
        // blocks. `./x bench shard`: full scan 145M-168M -> 275M values/s.
        db_opts.set_allow_mmap_reads(true);
        db_opts.set_write_buffer_manager(&rocks.write_buffers);
        let cfs = ALL_CFS.iter().map(|&name| {
            let mut o = Options::default();
            let mut table = BlockBasedOptions::default();
            table.set_block_cache(&rocks.cache);
            table.set_bloom_filter(10.0, false);
            o.set_block_based_table_factory(&table);
            if name == keys::CF_BLOCKS {
                // Blocks are compressed by their codecs already; LZ4 still trims keys and
                // headers cheaply.
                o.set_write_buffer_size(rocks.write_buffer_bytes);
                o.set_compression_type(DBCompressionType::Lz4);
            } else {
                // Index keys repeat measurement and tag names: zstd at the bottom level.
                o.set_write_buffer_size(rocks.write_buffer_bytes / 4);
                o.set_compression_type(DBCompressionType::Lz4);
                o.set_bottommost_compression_type(DBCompressionType::Zstd);
            }
            ColumnFamilyDescriptor::new(name, o)
        });
        let db = DB::open_cf_descriptors(&db_opts, path, cfs).map_err(|e| Error::rocks(path, "open", e))?;
        let db = Self {
            db,
            path: path.to_path_buf(),
        };
        for name in ALL_CFS {
            if db.db.cf_handle(name).is_none() {
                return Err(Error::Corrupt {
                    path: path.to_path_buf(),
                    what: format!("column family {name} is missing"),
                });
            }
        }
        Ok(db)
    }

    /// A column family; all exist once `open` returned.
    pub(crate) fn cf(&self, name: &str) -> &ColumnFamily {
        self.db
            .cf_handle(name)
            .unwrap_or_else(|| panic!("BUG: column family {name} checked at open is gone"))
    }

    pub(crate) fn write(&self, batch: WriteBatch, sync: bool, action: &'static str) -> Result<()> {
        let mut wo = WriteOptions::default();
        wo.set_sync(sync);
        self.db
            .write_opt(batch, &wo)
            .map_err(|e| Error::rocks(&self.path, action, e))
    }

    pub(crate) fn get(&self, cf: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.db
            .get_cf(self.cf(cf), key)
            .map_err(|e| Error::rocks(&self.path, "read", e))
    }

    /// A raw iterator over the keys of `cf` that start with `prefix`, positioned at the first.
    pub(crate) fn prefix_iter(&self, cf: &str, prefix: &[u8]) -> DBRawIterator<'_> {
        let mut ro = ReadOptions::default();
        if let Some(end) = keys::prefix_end(prefix) {
            ro.set_iterate_upper_bound(end);
        }
        let mut it = self.db.raw_iterator_cf_opt(self.cf(cf), ro);
        it.seek(prefix);
        it
    }

    /// A raw iterator over the keys of `cf` that start with `prefix`, not positioned: for a
    /// caller that seeks (forward or backward) right away.
    pub(crate) fn bounded_iter(&self, cf: &str, prefix: &[u8]) -> DBRawIterator<'_> {
        let mut ro = ReadOptions::default();
        ro.set_iterate_lower_bound(prefix.to_vec());
        if let Some(end) = keys::prefix_end(prefix) {
            ro.set_iterate_upper_bound(end);
        }
        self.db.raw_iterator_cf_opt(self.cf(cf), ro)
    }

    /// A [`Cursor`] over `cf`, not positioned.
    pub(crate) fn cursor(&self, cf: &str) -> Cursor<'_> {
        Cursor {
            it: self.db.raw_iterator_cf(self.cf(cf)),
            last: None,
        }
    }

    /// Bytes in RocksDB's memtables and table readers (index and filter blocks held outside
    /// the block cache), over every column family.
    pub(crate) fn memory(&self) -> Result<(usize, usize)> {
        let mut sums = (0, 0);
        for name in ALL_CFS {
            let cf = self.cf(name);
            let property = |p: &str| {
                self.db
                    .property_int_value_cf(cf, p)
                    .map(|v| v.unwrap_or(0) as usize)
                    .map_err(|e| Error::rocks(&self.path, "read a property", e))
            };
            sums.0 += property("rocksdb.cur-size-all-mem-tables")?;
            sums.1 += property("rocksdb.estimate-table-readers-mem")?;
        }
        Ok(sums)
    }

    /// Writes every column family's memtable to a table file and waits: a cold shard then
    /// holds no write buffers.
    pub(crate) fn flush_memtables(&self) -> Result<()> {
        for name in ALL_CFS {
            self.db
                .flush_cf(self.cf(name))
                .map_err(|e| Error::rocks(&self.path, "flush memtables", e))?;
        }
        Ok(())
    }

    /// Turns an iterator's end into a result: `valid() == false` is either the end or an error.
    pub(crate) fn check(&self, it: &DBRawIterator<'_>) -> Result<()> {
        it.status().map_err(|e| Error::rocks(&self.path, "iterate", e))
    }
}

/// How many `next` calls a [`Cursor`] tries before it seeks.
const STEPS_BEFORE_SEEK: usize = 8;

/// One RocksDB iterator moved forward through ascending targets: the block of the next
/// series of a field, the key of the next series id. The next target usually lies a few
/// keys ahead, so a few `next` calls replace a seek, which descends every level of the LSM
/// tree (10-20 us with a full memtable: most of a read over many short series).
pub(crate) struct Cursor<'a> {
    pub(crate) it: DBRawIterator<'a>,
    /// The last target; the position is the first key at or after it (or the keys read on
    /// from there), so a later target at or above it is reached by stepping forward.
    last: Option<Vec<u8>>,
}

impl Cursor<'_> {
    /// Moves to the first key at or after `target`.
    pub(crate) fn seek(&mut self, target: &[u8]) {
        if self.last.as_deref().is_some_and(|last| last <= target) {
            for _ in 0..STEPS_BEFORE_SEEK {
                match self.it.key() {
                    Some(k) if k < target => self.it.next(),
                    // At a key at or past the target, or at the end (then no key is past it).
                    Some(_) => return self.set_last(target),
                    None if self.it.status().is_ok() => return self.set_last(target),
                    None => break,
                }
            }
        }
        self.it.seek(target);
        self.set_last(target);
    }

    /// Makes the next [`Cursor::seek`] a real one: after reading on past a target that is
    /// sought again.
    pub(crate) fn forget(&mut self) {
        self.last = None;
    }

    fn set_last(&mut self, target: &[u8]) {
        let last = self.last.get_or_insert_with(Vec::new);
        last.clear();
        last.extend_from_slice(target);
    }
}
