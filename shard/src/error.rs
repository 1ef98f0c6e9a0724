//! Errors of the shard engine. Texts name the shard's path and what was being done, so that
//! an operator reading a log line knows where to look.

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

    #[error("the WAL failed earlier ({reason}); reopen the shard")]
    WalFailed { reason: String },

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
}

impl Error {
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
