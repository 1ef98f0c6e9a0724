//! Why a block could not be encoded (bad input from the caller) or decoded (corrupt or
//! truncated bytes). Every message names what was being read and the offending value.

use crate::MAX_POINTS;

/// What went wrong with a block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("cannot encode block: no points")]
    Empty,
    #[error("cannot encode block: {count} points; want at most {MAX_POINTS}")]
    TooManyPoints { count: usize },
    #[error("cannot encode block: {times} timestamps but {values} values")]
    LengthMismatch { times: usize, values: usize },
    /// `index` is 0-based.
    #[error("cannot encode block: timestamps not strictly increasing at point {index}: {time} after {prev}")]
    Unsorted { index: usize, prev: i64, time: i64 },
    /// `index` is 0-based; `value` is the float as text, so that the enum stays `Eq`.
    #[error("cannot encode block: float value {value} at point {index} is not finite")]
    NonFinite { index: usize, value: String },
    /// The input ended early.
    #[error("cannot decode {what}: got {got} bytes; want at least {want}")]
    Truncated {
        what: &'static str,
        got: usize,
        want: usize,
    },
    /// The bytes are there but say something impossible.
    #[error("cannot decode {what}: {reason}")]
    Corrupt { what: &'static str, reason: String },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand for [`Error::Corrupt`].
pub(crate) fn corrupt(what: &'static str, reason: impl Into<String>) -> Error {
    Error::Corrupt {
        what,
        reason: reason.into(),
    }
}
