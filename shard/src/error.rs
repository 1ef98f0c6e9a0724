//! Errors of the shard engine. `Display` names the shard's path and what was being done, so
//! that an operator reading a log line knows where to look; [`Error::client_text`] says the
//! same without paths, for answers to clients (who must not learn the server's layout).

use std::path::{Path, PathBuf};

/// Everything that can go wrong in a shard.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },

    #[error("RocksDB: cannot {action} in {}: {source}", path.display())]
    Rocks {
        path: PathBuf,
        action: &'static str,
        source: rocksdb::Error,
    },

    #[error("shard {} was written in format {found}; this build reads format {expected}", path.display())]
    Format { path: PathBuf, found: u64, expected: u64 },

    #[error("shard {} is damaged: {what}", path.display())]
    Corrupt { path: PathBuf, what: String },

    #[error("WAL segment {} is damaged at byte {offset}: {reason}", path.display())]
    WalCorrupt { path: PathBuf, offset: u64, reason: String },

    #[error("a write of {bytes} bytes is too large for one WAL record")]
    RecordTooLarge { bytes: usize },

    /// The in-memory head is full and cannot flush fast enough. InfluxDB's text, so that
    /// clients that match on it keep working.
    #[error("cache-max-memory-size exceeded: ({used}/{limit})")]
    HeadFull { used: usize, limit: usize },

    /// An operation the reader at hand does not offer (deleting from a subquery's result).
    #[error("{0}")]
    Unsupported(String),
    #[error("invalid regular expression {pattern:?}: {reason}")]
    Regex { pattern: String, reason: String },

    /// The replica is on another data node, and reading it there failed; the text names
    /// the shard, the node and why.
    #[error("{0}")]
    Remote(String),
}

impl Error {
    /// The error in words a client may read: what failed and why ("cannot write the WAL: no
    /// space left on device"), without the paths `Display` gives for the log.
    pub fn client_text(&self) -> String {
        match self {
            Self::Io { action, source, .. } => format!("cannot {action}: {}", io_reason(source)),
            Self::Rocks { action, source, .. } => format!("cannot {action}: {}", rocks_reason(source)),
            Self::Format { found, expected, .. } => {
                format!("a shard was written in format {found}; this build reads format {expected}")
            }
            Self::Corrupt { what, .. } => format!("a shard is damaged: {what}"),
            Self::WalCorrupt { offset, reason, .. } => format!("a WAL segment is damaged at byte {offset}: {reason}"),
            Self::RecordTooLarge { .. }
            | Self::HeadFull { .. }
            | Self::Unsupported(_)
            | Self::Regex { .. }
            | Self::Remote(_) => self.to_string(),
        }
    }

    /// Whether the error is the disk (or the file system's quota) being full.
    pub fn is_no_space(&self) -> bool {
        match self {
            Self::Io { source, .. } => is_enospc(source),
            Self::Rocks { source, .. } => rocks_no_space(source),
            _ => false,
        }
    }

    pub(crate) fn io(path: &Path, action: &'static str, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }

    pub(crate) fn rocks(path: &Path, action: &'static str, source: rocksdb::Error) -> Self {
        Self::Rocks {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn is_enospc(e: &std::io::Error) -> bool {
    // ENOSPC and EDQUOT on Linux.
    e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28 | 122))
}

/// The operating system's words for an I/O error, lower case and without the error number,
/// as Go prints them ("no space left on device"). An error that is not the OS's may carry
/// text with paths: only its kind is told.
fn io_reason(e: &std::io::Error) -> String {
    if e.raw_os_error().is_none() {
        return e.kind().to_string();
    }
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or_default();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => e.kind().to_string(),
    }
}

fn rocks_no_space(e: &rocksdb::Error) -> bool {
    // RocksDB's status text for ENOSPC (`Status::NoSpace`, or the OS's words in an IOError).
    let text = e.as_ref();
    text.contains("No space")
}

/// RocksDB's reason, told by its kind: its texts name files ("While appending to file:
/// /data/.../000012.log").
fn rocks_reason(e: &rocksdb::Error) -> String {
    use rocksdb::ErrorKind as K;
    if rocks_no_space(e) {
        return "no space left on device".to_owned();
    }
    match e.kind() {
        K::NotFound => "not found",
        K::Corruption => "data is corrupt",
        K::NotSupported => "not supported",
        K::InvalidArgument => "invalid argument",
        K::IOError => "I/O error",
        K::MergeInProgress => "merge in progress",
        K::Incomplete => "incomplete",
        K::ShutdownInProgress => "shutting down",
        K::TimedOut => "timed out",
        K::Aborted => "aborted",
        K::Busy => "busy",
        K::Expired => "expired",
        K::TryAgain => "try again",
        K::CompactionTooLarge => "compaction too large",
        K::ColumnFamilyDropped => "column family dropped",
        K::Unknown => "unknown error",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_texts_name_the_cause_and_no_path() {
        let e = Error::io(
            Path::new("/srv/cairn/data/db/rp/1/wal"),
            "write the WAL",
            std::io::Error::from_raw_os_error(28),
        );
        assert!(e.to_string().contains("/srv/cairn"), "the log gets the path: {e}");
        assert_eq!(e.client_text(), "cannot write the WAL: no space left on device");
        assert!(e.is_no_space());
        let e = Error::io(Path::new("/x"), "sync the WAL", std::io::Error::other("/x/y is gone"));
        assert_eq!(e.client_text(), "cannot sync the WAL: other error");
        let e = Error::Corrupt {
            path: PathBuf::from("/srv/cairn/1"),
            what: "bad block".into(),
        };
        assert_eq!(e.client_text(), "a shard is damaged: bad block");
        let e = Error::HeadFull { used: 2, limit: 1 };
        assert_eq!(e.client_text(), "cache-max-memory-size exceeded: (2/1)");
    }
}
