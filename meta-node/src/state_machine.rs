//! state_machine: the metadata as Raft applies it. Each entry is one `meta::Command` put
//! through `meta::apply` at the entry's log index, so every member holds the same
//! `MetaData`, and a refused command is an answer (InfluxDB's text), not a fault.
//!
//! The value lives in memory; what makes it durable is the snapshot file (JSON, written to a
//! temporary file, synced and renamed) plus the log after it: on restart the node loads the
//! snapshot and Raft re-applies the committed entries after it.

use std::fs::{self, File};
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use meta::MetaData;
use openraft::storage::RaftStateMachine;
use openraft::{EntryPayload, OptionalSend, RaftSnapshotBuilder, StorageIOError};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::types::{Applied, Entry, LogId, Snapshot, SnapshotMeta, StorageError, StoredMembership, TypeConfig};

const SNAPSHOT_FILE: &str = "snapshot.json";

/// The applied metadata, shared with the API: readers take the current `Arc` and watchers
/// wait on the index.
#[derive(Debug)]
pub struct Published {
    current: RwLock<Arc<MetaData>>,
    index: watch::Sender<u64>,
}

impl Published {
    fn new(data: MetaData) -> Self {
        let (index, _) = watch::channel(data.index);
        Self {
            current: RwLock::new(Arc::new(data)),
            index,
        }
    }

    /// The latest applied metadata.
    pub fn data(&self) -> Arc<MetaData> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// A receiver that sees each new metadata index.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.index.subscribe()
    }

    fn publish(&self, data: &MetaData) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(data.clone());
        self.index.send_replace(data.index);
    }
}

/// What a snapshot file holds.
#[derive(Debug, Serialize, Deserialize)]
struct SnapshotFile {
    meta: SnapshotMeta,
    data: MetaData,
}

/// Raft's state machine over [`MetaData`].
#[derive(Debug)]
pub struct StateMachine {
    dir: PathBuf,
    data: MetaData,
    last_applied: Option<LogId>,
    membership: StoredMembership,
    /// The latest snapshot: its description and its bytes (the file's content).
    snapshot: Arc<Mutex<Option<(SnapshotMeta, Vec<u8>)>>>,
    published: Arc<Published>,
    /// Makes snapshot ids unique within a run.
    builds: u64,
}

impl StateMachine {
    /// Loads the last snapshot in `dir`, if any.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let path = dir.join(SNAPSHOT_FILE);
        let (data, last_applied, membership, snapshot) = match fs::read(&path) {
            Ok(bytes) => {
                let file: SnapshotFile = serde_json::from_slice(&bytes).map_err(|e| {
                    std::io::Error::other(format!("cannot decode the snapshot {}: {e}", path.display()))
                })?;
                let meta = file.meta.clone();
                (
                    file.data,
                    meta.last_log_id,
                    meta.last_membership.clone(),
                    Some((meta, bytes)),
                )
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (MetaData::default(), None, StoredMembership::default(), None)
            }
            Err(e) => return Err(e),
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            published: Arc::new(Published::new(data.clone())),
            data,
            last_applied,
            membership,
            snapshot: Arc::new(Mutex::new(snapshot)),
            builds: 0,
        })
    }

    pub fn published(&self) -> Arc<Published> {
        Arc::clone(&self.published)
    }
}

/// Writes `bytes` as the snapshot file: temporary file, sync, rename, sync the directory.
fn write_snapshot_file(dir: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!("{SNAPSHOT_FILE}.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(SNAPSHOT_FILE))?;
    File::open(dir)?.sync_all()
}

/// A point-in-time copy of the state machine, for a snapshot built in the background.
#[derive(Debug)]
pub struct Builder {
    dir: PathBuf,
    file: SnapshotFile,
    snapshot: Arc<Mutex<Option<(SnapshotMeta, Vec<u8>)>>>,
}

impl RaftSnapshotBuilder<TypeConfig> for Builder {
    async fn build_snapshot(&mut self) -> Result<Snapshot, StorageError> {
        let meta = self.file.meta.clone();
        let bytes = serde_json::to_vec(&self.file).map_err(|e| StorageIOError::write_snapshot(None, &e))?;
        let dir = self.dir.clone();
        let to_write = bytes.clone();
        tokio::task::spawn_blocking(move || write_snapshot_file(&dir, &to_write))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
            .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), &e))?;
        tracing::info!(snapshot = %meta.snapshot_id, bytes = bytes.len(), "wrote a metadata snapshot");
        *self.snapshot.lock().unwrap_or_else(|e| e.into_inner()) = Some((meta.clone(), bytes.clone()));
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(bytes)),
        })
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = Builder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), StorageError> {
        Ok((self.last_applied, self.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<Applied>, StorageError>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut out = Vec::new();
        for entry in entries {
            let index = entry.log_id.index;
            self.last_applied = Some(entry.log_id);
            let result = match entry.payload {
                EntryPayload::Blank => Ok(meta::Outcome::Done),
                EntryPayload::Membership(m) => {
                    self.membership = StoredMembership::new(Some(entry.log_id), m);
                    Ok(meta::Outcome::Done)
                }
                EntryPayload::Normal(command) => meta::apply(&mut self.data, index, &command),
            };
            out.push(Applied { index, result });
        }
        self.published.publish(&self.data);
        Ok(out)
    }

    async fn get_snapshot_builder(&mut self) -> Builder {
        self.builds += 1;
        let meta = SnapshotMeta {
            last_log_id: self.last_applied,
            last_membership: self.membership.clone(),
            snapshot_id: format!(
                "{}-{}-{}",
                self.last_applied.map_or(0, |l| l.leader_id.term),
                self.last_applied.map_or(0, |l| l.index),
                self.builds
            ),
        };
        Builder {
            dir: self.dir.clone(),
            file: SnapshotFile {
                meta,
                data: self.data.clone(),
            },
            snapshot: Arc::clone(&self.snapshot),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError> {
        let bytes = snapshot.into_inner();
        let file: SnapshotFile =
            serde_json::from_slice(&bytes).map_err(|e| StorageIOError::read_snapshot(Some(meta.signature()), &e))?;
        let dir = self.dir.clone();
        let to_write = bytes.clone();
        tokio::task::spawn_blocking(move || write_snapshot_file(&dir, &to_write))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
            .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), &e))?;
        tracing::info!(snapshot = %meta.snapshot_id, index = file.data.index, "installed a metadata snapshot");
        self.data = file.data;
        self.last_applied = meta.last_log_id;
        self.membership = meta.last_membership.clone();
        self.published.publish(&self.data);
        *self.snapshot.lock().unwrap_or_else(|e| e.into_inner()) = Some((meta.clone(), bytes));
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot>, StorageError> {
        let current = self.snapshot.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Ok(current.map(|(meta, bytes)| Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(bytes)),
        }))
    }
}
