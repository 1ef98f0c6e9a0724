//! store: the shards this node holds, one directory each under `data/<db>/<rp>/<id>`.
//! Shards are opened on first use and kept open; dropping one closes it and deletes its
//! directory. What shards should exist is the metadata's business: the store only holds
//! what it is told to.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex, RwLock, Weak};

use shard::{Shard, ShardOptions};

/// A failed delete (DROP DATABASE, DROP SHARD, retention), as a client may read it: the
/// shard error's text with its paths hidden. The whole error is logged when it is made.
#[derive(Debug, thiserror::Error)]
#[error("{text}")]
pub struct Error {
    text: String,
    #[source]
    source: shard::Error,
}

impl From<shard::Error> for Error {
    fn from(source: shard::Error) -> Self {
        tracing::error!(error = %source, "shard store operation failed");
        Self {
            text: crate::redact::paths(&source.client_text()),
            source,
        }
    }
}

/// A shard opened by the store, with where it belongs.
#[derive(Debug)]
pub struct LocalShard {
    pub id: u64,
    pub database: String,
    pub policy: String,
    pub shard: Shard,
}

/// The local shards of a node.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    options: ShardOptions,
    /// Open shards by id.
    shards: RwLock<HashMap<u64, Arc<LocalShard>>>,
    /// Held while a shard is opened or deleted, so that two writers never open one twice.
    lifecycle: Mutex<()>,
    /// The flusher thread's queue (with `flush_in_background`): writers hand it a shard whose
    /// head is past `flush_bytes` and return; the thread ends with the store.
    flusher: Option<Sender<Weak<LocalShard>>>,
}

impl Store {
    /// A store rooted at `root` (the node's `data/` directory). Shards found there are
    /// opened when first used.
    pub fn new(root: &Path, options: ShardOptions) -> Self {
        let flusher = options.flush_in_background.then(|| {
            let (tx, rx) = channel::<Weak<LocalShard>>();
            std::thread::Builder::new()
                .name("cairn-flusher".to_owned())
                .spawn(move || {
                    while let Ok(shard) = rx.recv() {
                        let Some(s) = shard.upgrade() else { continue };
                        if let Err(e) = s.shard.flush_if_wanted() {
                            tracing::error!(shard = s.id, error = %e, "flush failed");
                        }
                    }
                })
                .map(|_| tx)
        });
        let flusher = match flusher {
            Some(Ok(tx)) => Some(tx),
            Some(Err(e)) => {
                // Writers then flush as they cross the threshold, as without the option.
                tracing::error!(error = %e, "cannot start the flusher thread: writers flush");
                None
            }
            None => None,
        };
        let options = ShardOptions {
            flush_in_background: flusher.is_some(),
            ..options
        };
        Self {
            root: root.to_path_buf(),
            options,
            shards: RwLock::new(HashMap::new()),
            lifecycle: Mutex::new(()),
            flusher,
        }
    }

    /// After a write: hands `shard` to the flusher thread if its head wants a flush.
    pub fn after_write(&self, shard: &Arc<LocalShard>) {
        if let Some(tx) = &self.flusher {
            if shard.shard.wants_flush() {
                let _ = tx.send(Arc::downgrade(shard));
            }
        }
    }

    fn shard_dir(&self, database: &str, policy: &str, id: u64) -> PathBuf {
        self.root.join(database).join(policy).join(id.to_string())
    }

    /// Writes points to shard `id` of `database`/`policy`, opening (creating) it if needed:
    /// the one local write, for the coordinator's own shards and for a peer's shard writes.
    /// Returns once the points are durable.
    pub fn write(
        &self,
        database: &str,
        policy: &str,
        id: u64,
        points: &[line_protocol::Point<'_, '_>],
    ) -> shard::Result<shard::WriteOutcome> {
        let local = self.open(database, policy, id)?;
        let outcome = local.shard.write(points)?;
        self.after_write(&local);
        Ok(outcome)
    }

    /// The open shard `id`, if it is open.
    pub fn get(&self, id: u64) -> Option<Arc<LocalShard>> {
        self.shards.read().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }

    /// The shard `id` of `database`/`policy`, opened (and created) if needed.
    pub fn open(&self, database: &str, policy: &str, id: u64) -> shard::Result<Arc<LocalShard>> {
        if let Some(s) = self.get(id) {
            return Ok(s);
        }
        let _guard = self.lifecycle.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = self.get(id) {
            return Ok(s);
        }
        let dir = self.shard_dir(database, policy, id);
        let shard = Shard::open(&dir, self.options.clone())?;
        tracing::debug!(shard = id, database, policy, dir = %dir.display(), "opened shard");
        let local = Arc::new(LocalShard {
            id,
            database: database.to_owned(),
            policy: policy.to_owned(),
            shard,
        });
        self.shards
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, Arc::clone(&local));
        Ok(local)
    }

    /// The shard if it exists on disk or is open, without creating it.
    pub fn open_existing(&self, database: &str, policy: &str, id: u64) -> shard::Result<Option<Arc<LocalShard>>> {
        if let Some(s) = self.get(id) {
            return Ok(Some(s));
        }
        if !self.shard_dir(database, policy, id).exists() {
            return Ok(None);
        }
        self.open(database, policy, id).map(Some)
    }

    /// Every open shard.
    pub fn all(&self) -> Vec<Arc<LocalShard>> {
        self.shards
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Closes shard `id` and deletes its directory. Readers holding it finish first: the
    /// directory goes when the last reference does.
    pub fn delete(&self, database: &str, policy: &str, id: u64) -> Result<(), Error> {
        let _guard = self.lifecycle.lock().unwrap_or_else(|e| e.into_inner());
        let removed = self.shards.write().unwrap_or_else(|e| e.into_inner()).remove(&id);
        if let Some(local) = removed {
            match Arc::try_unwrap(local) {
                Ok(local) => local.shard.destroy()?,
                Err(shared) => {
                    // Someone still reads it: delete the directory now (open files stay
                    // readable on Unix) and let the last reader close it.
                    let dir = shared.shard.dir().to_path_buf();
                    remove_dir(&dir)?;
                }
            }
        } else {
            remove_dir(&self.shard_dir(database, policy, id))?;
        }
        tracing::info!(shard = id, database, policy, "deleted shard");
        Ok(())
    }

    /// Deletes every shard of a database (DROP DATABASE) or of one of its policies.
    pub fn delete_all(&self, database: &str, policy: Option<&str>) -> Result<(), Error> {
        let doomed: Vec<u64> = self
            .all()
            .into_iter()
            .filter(|s| s.database == database && policy.is_none_or(|p| s.policy == p))
            .map(|s| s.id)
            .collect();
        for id in doomed {
            let p = self.get(id).map(|s| s.policy.clone()).unwrap_or_default();
            self.delete(database, &p, id)?;
        }
        let dir = match policy {
            Some(p) => self.root.join(database).join(p),
            None => self.root.join(database),
        };
        Ok(remove_dir(&dir)?)
    }

    /// Flushes every shard that had no write for `cold` (InfluxDB's
    /// `cache-snapshot-write-cold-duration`), and all of them when `cold` is zero.
    pub fn flush_cold(&self, cold: std::time::Duration) {
        for s in self.all() {
            let result = if cold.is_zero() {
                s.shard.flush().map(|()| true)
            } else {
                s.shard.flush_if_older(cold)
            };
            if let Err(e) = result {
                tracing::error!(shard = s.id, error = %e, "flush failed");
            }
        }
    }

    /// Total bytes waiting in the heads of the open shards.
    pub fn head_bytes(&self) -> usize {
        self.all().iter().map(|s| s.shard.head_bytes()).sum()
    }
}

fn remove_dir(dir: &Path) -> shard::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(shard::Error::Io {
            path: dir.to_path_buf(),
            action: "delete",
            source: e,
        }),
    }
}
