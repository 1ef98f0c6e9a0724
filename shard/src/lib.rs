//! shard: the storage engine of one shard. Points arrive parsed (`line_protocol`) from the
//! data node's write coordinator and are read back by the query engine, per field-series
//! and time range, as points or as block summaries. Must not depend on the meta store, the
//! network or HTTP: it is a library over one directory.
//!
//! A write becomes one WAL record (group commit: concurrent writers share a sync) and lands
//! in the head, an in-memory column per field-series; the head is flushed by size and age
//! into compressed blocks (`block` crate) in RocksDB, next to the series index. Restart
//! replays the WAL records not yet flushed. See `keys.rs` for every byte on disk.

mod column;
mod db;
mod error;
mod head;
mod index;
mod keys;
mod pending;
mod predicate;
mod record;
mod shard;
mod shard_read;
mod shard_write;
mod wal;

pub use block::{FieldType, Header, Summary, Values, ValuesRef};
pub use db::RocksOptions;
pub use error::{Error, Result};
pub use head::FieldSeries;
pub use index::FieldInfo;
pub use predicate::TagPredicate;
pub use shard::{MemoryUse, Shard, ShardOptions, WriteOutcome};
pub use shard_read::{Chunk, SeriesInfo};
pub use wal::WalOptions;
