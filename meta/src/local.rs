//! local: the embedded one-member metadata store of a standalone data node. Commands are
//! applied in order under one lock and the whole value is written to `meta.json` (write,
//! fsync, rename, fsync the directory) before the change becomes visible, so a crash keeps
//! either the old or the new metadata, never a mix.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::command::{apply, Command, Outcome};
use crate::data::MetaData;
use crate::error::{Error, Result};

const FILE: &str = "meta.json";

/// A metadata store that lives in one directory of the node.
#[derive(Debug)]
pub struct LocalStore {
    dir: PathBuf,
    /// Serialises commands; holds the authoritative value.
    writer: Mutex<MetaData>,
    /// The latest applied value, shared with readers without copying.
    current: RwLock<Arc<MetaData>>,
}

impl LocalStore {
    /// Opens the store in `dir`, creating it empty.
    pub fn open(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|e| store_err(dir, "create", &e))?;
        let path = dir.join(FILE);
        let data = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::Store(format!("cannot decode {}: {e}", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => MetaData::default(),
            Err(e) => return Err(store_err(&path, "read", &e)),
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            current: RwLock::new(Arc::new(data.clone())),
            writer: Mutex::new(data),
        })
    }

    /// The current metadata.
    pub fn data(&self) -> Arc<MetaData> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Applies a command and makes it durable before returning.
    pub fn apply(&self, command: &Command) -> Result<Outcome> {
        let mut data = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = data.clone();
        let outcome = apply(&mut next, data.index + 1, command)?;
        if next == *data {
            return Ok(outcome);
        }
        self.persist(&next)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next.clone());
        *data = next;
        Ok(outcome)
    }

    fn persist(&self, data: &MetaData) -> Result<()> {
        let tmp = self.dir.join(format!("{FILE}.tmp"));
        let path = self.dir.join(FILE);
        let bytes = serde_json::to_vec(data).map_err(|e| Error::Store(format!("cannot encode metadata: {e}")))?;
        let mut f = File::create(&tmp).map_err(|e| store_err(&tmp, "create", &e))?;
        f.write_all(&bytes).map_err(|e| store_err(&tmp, "write", &e))?;
        f.sync_all().map_err(|e| store_err(&tmp, "sync", &e))?;
        fs::rename(&tmp, &path).map_err(|e| store_err(&path, "rename to", &e))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| store_err(&self.dir, "sync", &e))?;
        Ok(())
    }
}

fn store_err(path: &Path, action: &str, e: &std::io::Error) -> Error {
    Error::Store(format!("cannot {action} {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_survive_reopen_and_failed_commands_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        store
            .apply(&Command::CreateDatabase {
                name: "db".into(),
                spec: None,
                default_policy: true,
            })
            .unwrap();
        let before = store.data();
        let err = store.apply(&Command::DropUser { name: "nobody".into() }).unwrap_err();
        assert_eq!(err.to_string(), "user not found");
        assert_eq!(store.data(), before);
        drop(store);
        let store = LocalStore::open(dir.path()).unwrap();
        let data = store.data();
        assert_eq!(data.databases.len(), 1);
        assert_eq!(data.databases[0].default_retention_policy, "autogen");
        assert_eq!(data.index, 1);
    }
}
