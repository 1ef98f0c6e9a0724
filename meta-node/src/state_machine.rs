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
    snapshot: Current,
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
            snapshot: Arc::new(Snapshots(Mutex::new(Held {
                latest: snapshot,
                closed: false,
            }))),
            builds: 0,
        })
    }

    pub fn published(&self) -> Arc<Published> {
        Arc::clone(&self.published)
    }

    pub fn snapshots(&self) -> Arc<Snapshots> {
        Arc::clone(&self.snapshot)
    }
}

/// The latest snapshot, as its description and its bytes (the file's content). The lock is
/// also held while the file is replaced, so a snapshot built in the background and one
/// installed from the leader never write at once, an older one never replaces a newer, and
/// none is written once the node has left its cluster.
#[derive(Debug, Default)]
pub struct Snapshots(Mutex<Held>);

#[derive(Debug, Default)]
struct Held {
    latest: Option<(SnapshotMeta, Vec<u8>)>,
    closed: bool,
}

type Current = Arc<Snapshots>;

impl Snapshots {
    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Deletes the snapshot file and writes none after it (the node leaves its cluster).
    /// Blocking.
    pub fn close(&self, dir: &Path) -> std::io::Result<()> {
        let mut held = self.held();
        held.closed = true;
        held.latest = None;
        match fs::remove_file(dir.join(SNAPSHOT_FILE)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Makes `bytes` the snapshot file and `meta` the current snapshot, unless the current one
/// is already as new: temporary file, sync, rename, sync the directory. Blocking.
fn store_snapshot(dir: &Path, current: &Snapshots, meta: &SnapshotMeta, bytes: &[u8]) -> std::io::Result<bool> {
    let mut held = current.held();
    if held.closed
        || held
            .latest
            .as_ref()
            .is_some_and(|(m, _)| m.last_log_id >= meta.last_log_id)
    {
        return Ok(false);
    }
    let tmp = dir.join(format!("{SNAPSHOT_FILE}.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(SNAPSHOT_FILE))?;
    File::open(dir)?.sync_all()?;
    held.latest = Some((meta.clone(), bytes.to_vec()));
    Ok(true)
}

/// [`store_snapshot`] off the async threads.
async fn store_snapshot_blocking(
    dir: &Path,
    current: &Current,
    meta: &SnapshotMeta,
    bytes: &[u8],
) -> Result<bool, StorageError> {
    let (dir, current, m, b) = (dir.to_path_buf(), Arc::clone(current), meta.clone(), bytes.to_vec());
    tokio::task::spawn_blocking(move || store_snapshot(&dir, &current, &m, &b))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
        .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), &e).into())
}

/// A point-in-time copy of the state machine, for a snapshot built in the background.
#[derive(Debug)]
pub struct Builder {
    dir: PathBuf,
    file: SnapshotFile,
    snapshot: Current,
}

impl RaftSnapshotBuilder<TypeConfig> for Builder {
    async fn build_snapshot(&mut self) -> Result<Snapshot, StorageError> {
        let meta = self.file.meta.clone();
        let bytes = serde_json::to_vec(&self.file).map_err(|e| StorageIOError::write_snapshot(None, &e))?;
        if store_snapshot_blocking(&self.dir, &self.snapshot, &meta, &bytes).await? {
            tracing::info!(snapshot = %meta.snapshot_id, bytes = bytes.len(), "wrote a metadata snapshot");
        }
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
        store_snapshot_blocking(&self.dir, &self.snapshot, meta, &bytes).await?;
        tracing::info!(snapshot = %meta.snapshot_id, index = file.data.index, "installed a metadata snapshot");
        self.data = file.data;
        self.last_applied = meta.last_log_id;
        self.membership = meta.last_membership.clone();
        self.published.publish(&self.data);
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot>, StorageError> {
        let current = self.snapshot.held().latest.clone();
        Ok(current.map(|(meta, bytes)| Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(bytes)),
        }))
    }
}
