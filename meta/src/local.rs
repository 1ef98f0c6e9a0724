//! local: the embedded one-member metadata store of a standalone data node. Commands are
//! applied in order under one lock and the whole value is written to `meta.json` (write,
//! fsync, rename, fsync the directory) before the change becomes visible, so a crash keeps
//! either the old or the new metadata, never a mix. The directory is kept 0700 and the file
//! 0600: it holds the users' password hashes. Errors name what failed without the path
//! (they reach clients through DDL); the path goes to the log.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
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
    /// Serialises changes, so that each starts from the value the last one published.
    writer: Mutex<()>,
    /// The latest applied value (what is on disk), shared with readers without copying.
    current: RwLock<Arc<MetaData>>,
}

impl LocalStore {
    /// Opens the store in `dir`, creating it empty.
    pub fn open(dir: &Path) -> Result<Self> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| store_err(dir, "create the metadata directory", &e))?;
        // A directory made before modes were set keeps its own until told.
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| store_err(dir, "restrict the metadata directory", &e))?;
        let path = dir.join(FILE);
        let data = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                tracing::error!(path = %path.display(), error = %e, "cannot decode the metadata");
                Error::Store(format!("cannot decode the metadata: {e}"))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => MetaData::default(),
            Err(e) => return Err(store_err(&path, "read the metadata", &e)),
        };
        if path.exists() {
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
                .map_err(|e| store_err(&path, "restrict the metadata file", &e))?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            current: RwLock::new(Arc::new(data)),
            writer: Mutex::new(()),
        })
    }

    /// The current metadata.
    pub fn data(&self) -> Arc<MetaData> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Applies a command and makes it durable before returning.
    pub fn apply(&self, command: &Command) -> Result<Outcome> {
        let _writing = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = MetaData::clone(&self.data());
        let index = next.index + 1;
        let outcome = apply(&mut next, index, command)?;
        self.persist(&next)?;
        self.publish(next);
        Ok(outcome)
    }

    /// Replaces the whole value with a newer one (a higher index), durably: how a cluster
    /// data node keeps its copy of the meta cluster's metadata. An older or equal value is
    /// ignored; returns whether it was taken.
    pub fn replace(&self, newer: MetaData) -> Result<bool> {
        let _writing = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if newer.index <= self.data().index {
            return Ok(false);
        }
        self.persist(&newer)?;
        self.publish(newer);
        Ok(true)
    }

    fn publish(&self, data: MetaData) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(data);
    }

    fn persist(&self, data: &MetaData) -> Result<()> {
        let tmp = self.dir.join(format!("{FILE}.tmp"));
        let path = self.dir.join(FILE);
        let bytes = serde_json::to_vec(data).map_err(|e| Error::Store(format!("cannot encode metadata: {e}")))?;
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| store_err(&tmp, "create the metadata file", &e))?;
        // An old temporary file keeps its mode through `open`.
        f.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| store_err(&tmp, "restrict the metadata file", &e))?;
        f.write_all(&bytes)
            .map_err(|e| store_err(&tmp, "write the metadata", &e))?;
        f.sync_all().map_err(|e| store_err(&tmp, "sync the metadata", &e))?;
        fs::rename(&tmp, &path).map_err(|e| store_err(&path, "replace the metadata file", &e))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| store_err(&self.dir, "sync the metadata directory", &e))?;
        Ok(())
    }
}

/// A store error for clients (what and why, no path), with the path logged.
fn store_err(path: &Path, action: &str, e: &std::io::Error) -> Error {
    tracing::error!(path = %path.display(), error = %e, "cannot {action}");
    Error::Store(format!("cannot {action}: {}", io_reason(e)))
}

/// The OS's words for an I/O error without the error number ("No space left on device").
/// An error that is not the OS's may carry any text: only its kind is told.
fn io_reason(e: &std::io::Error) -> String {
    if e.raw_os_error().is_none() {
        return e.kind().to_string();
    }
    let text = e.to_string();
    text.split(" (os error").next().unwrap_or_default().to_owned()
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

    #[test]
    fn replace_takes_only_a_newer_value_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        let mut newer = MetaData::default();
        apply(
            &mut newer,
            7,
            &Command::CreateDatabase {
                name: "db".into(),
                spec: None,
                default_policy: true,
            },
        )
        .unwrap();
        assert!(store.replace(newer.clone()).unwrap());
        assert!(
            !store.replace(MetaData::default()).unwrap(),
            "an older value is ignored"
        );
        assert!(!store.replace(newer.clone()).unwrap(), "so is the same index");
        assert_eq!(*store.data(), newer);
        drop(store);
        assert_eq!(*LocalStore::open(dir.path()).unwrap().data(), newer);
    }

    #[test]
    fn files_are_private_and_errors_name_no_path() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("meta");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        let store = LocalStore::open(&dir).unwrap();
        store.apply(&Command::DropDatabase { name: "x".into() }).unwrap();
        store
            .apply(&Command::CreateDatabase {
                name: "db".into(),
                spec: None,
                default_policy: true,
            })
            .unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "an existing directory is restricted");
        assert_eq!(mode(&dir.join(FILE)), 0o600);
        // A store that cannot write says what failed, not where.
        fs::remove_dir_all(&dir).unwrap();
        let err = store
            .apply(&Command::CreateDatabase {
                name: "db2".into(),
                spec: None,
                default_policy: true,
            })
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "metadata store: cannot create the metadata file: No such file or directory"
        );
        assert!(!err.contains(root.path().to_str().unwrap()));
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join(FILE), b"{not json").unwrap();
        let err = LocalStore::open(&dir).unwrap_err().to_string();
        assert!(err.starts_with("metadata store: cannot decode the metadata: "), "{err}");
        assert!(!err.contains(root.path().to_str().unwrap()), "{err}");
    }
}
