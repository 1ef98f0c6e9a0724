//! log_store: the Raft log and vote, durable in one RocksDB. Entries are keyed by their
//! big-endian index (so key order is log order) and stored as JSON; the vote, the committed
//! log id and the last purged log id live beside them. Every write that Raft counts on (an
//! append, the vote) is synced before it is acknowledged, and all writes go through one
//! lock, in the order Raft issued them.

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};
use std::path::Path;
use std::sync::Arc;

use openraft::storage::{LogFlushed, LogState, RaftLogStorage};
use openraft::{OptionalSend, RaftLogReader, StorageIOError, Vote};
use rocksdb::{ColumnFamilyDescriptor, Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use tokio::sync::Mutex;

use crate::types::{Entry, LogId, NodeId, StorageError, TypeConfig};

const LOGS: &str = "logs";
const STATE: &str = "state";
const VOTE: &[u8] = b"vote";
const COMMITTED: &[u8] = b"committed";
const PURGED: &[u8] = b"last_purged";

/// The log store Raft owns; clones share the database (the replication tasks read it).
#[derive(Debug, Clone)]
pub struct LogStore {
    db: Arc<DB>,
    /// Serialises writes: Raft requires a later write never to land before an earlier one.
    write: Arc<Mutex<()>>,
}

impl LogStore {
    pub fn open(dir: &Path) -> Result<Self, rocksdb::Error> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        // The metadata log is small: keep RocksDB's own footprint small too.
        opts.set_max_background_jobs(1);
        opts.set_keep_log_file_num(2);
        let cfs = [LOGS, STATE].map(|n| ColumnFamilyDescriptor::new(n, Options::default()));
        let db = DB::open_cf_descriptors(&opts, dir, cfs)?;
        Ok(Self {
            db: Arc::new(db),
            write: Arc::new(Mutex::new(())),
        })
    }

    /// Runs a blocking write of `batch` (synced) off the async threads.
    async fn write_synced(&self, batch: WriteBatch) -> Result<(), rocksdb::Error> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || {
            let mut wo = WriteOptions::default();
            wo.set_sync(true);
            db.write_opt(batch, &wo)
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    fn state_batch(&self, key: &[u8], value: &impl serde::Serialize) -> WriteBatch {
        let mut batch = WriteBatch::default();
        batch.put_cf(self.cf(STATE), key, json(value));
        batch
    }

    fn read_state<T: serde::de::DeserializeOwned>(&self, key: &[u8]) -> std::io::Result<Option<T>> {
        match self.db.get_cf(self.cf(STATE), key).map_err(io)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(std::io::Error::other),
        }
    }

    fn cf(&self, name: &str) -> &rocksdb::ColumnFamily {
        self.db
            .cf_handle(name)
            .unwrap_or_else(|| panic!("BUG: column family {name} was opened"))
    }

    #[allow(clippy::result_large_err, reason = "openraft's own error type")]
    fn last_entry(&self) -> Result<Option<Entry>, StorageError> {
        let mut it = self.db.iterator_cf(self.cf(LOGS), IteratorMode::End);
        match it.next() {
            None => Ok(None),
            Some(Err(e)) => Err(StorageIOError::read_logs(&e).into()),
            Some(Ok((_, v))) => decode_entry(&v).map(Some),
        }
    }
}

fn json(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| panic!("BUG: a Raft value does not encode: {e}"))
}

fn key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

#[allow(clippy::result_large_err, reason = "openraft's own error type")]
fn decode_entry(bytes: &[u8]) -> Result<Entry, StorageError> {
    serde_json::from_slice(bytes).map_err(|e| StorageIOError::read_logs(&e).into())
}

fn io(e: rocksdb::Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        let start = match range.start_bound() {
            Bound::Included(&i) => i,
            Bound::Excluded(&i) => i + 1,
            Bound::Unbounded => 0,
        };
        let mut out = Vec::new();
        let from = key(start);
        for item in self
            .db
            .iterator_cf(self.cf(LOGS), IteratorMode::From(&from, Direction::Forward))
        {
            let (k, v) = item.map_err(|e| StorageIOError::read_logs(&e))?;
            let index = u64::from_be_bytes(
                k.as_ref()
                    .try_into()
                    .map_err(|_| StorageIOError::read_logs(&std::io::Error::other("a log key is not 8 bytes")))?,
            );
            if !range.contains(&index) {
                break;
            }
            out.push(decode_entry(&v)?);
        }
        Ok(out)
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = Self;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError> {
        let last_purged_log_id: Option<LogId> = self.read_state(PURGED).map_err(|e| StorageIOError::read_logs(&e))?;
        let last_log_id = self.last_entry()?.map(|e| e.log_id).or(last_purged_log_id);
        Ok(LogState {
            last_purged_log_id,
            last_log_id,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote<NodeId>) -> Result<(), StorageError> {
        let _w = self.write.lock().await;
        self.write_synced(self.state_batch(VOTE, vote))
            .await
            .map_err(|e| StorageIOError::write_vote(&e).into())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote<NodeId>>, StorageError> {
        self.read_state(VOTE).map_err(|e| StorageIOError::read_vote(&e).into())
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), StorageError> {
        let _w = self.write.lock().await;
        // Not synced: a lost committed id only means re-applying from the snapshot onward
        // after a crash waits for the leader; the log itself is durable.
        self.db
            .put_cf(self.cf(STATE), COMMITTED, json(&committed))
            .map_err(|e| StorageIOError::write(&e).into())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError> {
        Ok(self
            .read_state::<Option<LogId>>(COMMITTED)
            .map_err(|e| StorageIOError::read(&e))?
            .flatten())
    }

    async fn append<I>(&mut self, entries: I, callback: LogFlushed<TypeConfig>) -> Result<(), StorageError>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let _w = self.write.lock().await;
        let mut batch = WriteBatch::default();
        for entry in entries {
            batch.put_cf(self.cf(LOGS), key(entry.log_id.index), json(&entry));
        }
        // Readable once written; acknowledged once synced (the same write here).
        let result = self.write_synced(batch).await;
        match result {
            Ok(()) => {
                callback.log_io_completed(Ok(()));
                Ok(())
            }
            Err(e) => {
                let err = StorageIOError::write_logs(&e).into();
                callback.log_io_completed(Err(io(e)));
                Err(err)
            }
        }
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError> {
        let _w = self.write.lock().await;
        let mut batch = WriteBatch::default();
        batch.delete_range_cf(self.cf(LOGS), key(log_id.index), key(u64::MAX));
        batch.delete_cf(self.cf(LOGS), key(u64::MAX));
        self.write_synced(batch)
            .await
            .map_err(|e| StorageIOError::write_logs(&e).into())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError> {
        let _w = self.write.lock().await;
        // The purge point first, so that a crash between the two never hides entries.
        let mut batch = self.state_batch(PURGED, &Some(log_id));
        batch.delete_range_cf(self.cf(LOGS), key(0), key(log_id.index + 1));
        self.write_synced(batch)
            .await
            .map_err(|e| StorageIOError::write_logs(&e).into())
    }
}
