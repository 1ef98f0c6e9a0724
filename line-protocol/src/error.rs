//! Why a line was rejected, in InfluxDB 1.x's own words.
//!
//! Clients match on these texts (Telegraf looks for `unable to parse`), so `Display` prints
//! exactly what InfluxDB 1.x prints (`models/points.go`); the reference corpus in
//! `tests/reference/` holds the texts observed on InfluxDB 1.6.7.

use std::borrow::Cow;
use std::fmt;

/// The smallest and largest timestamps InfluxDB 1.x accepts, in ns (`models.MinNanoTime`,
/// `models.MaxNanoTime`): `i64::MIN` and `i64::MAX` are kept free as sentinels.
pub const MIN_NANOS: i64 = i64::MIN + 2;
/// See [`MIN_NANOS`].
pub const MAX_NANOS: i64 = i64::MAX - 1;

/// The longest series key InfluxDB 1.x accepts (`models.MaxKeyLength`); the key plus a field
/// name plus 4 separator bytes must fit as well.
pub const MAX_KEY_LEN: usize = 65535;

/// What is wrong with a line. `Display` is InfluxDB's reason text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    #[error("missing measurement")]
    MissingMeasurement,
    #[error("missing tag key")]
    MissingTagKey,
    #[error("missing tag value")]
    MissingTagValue,
    #[error("invalid tag format")]
    InvalidTagFormat,
    #[error("duplicate tags")]
    DuplicateTags,
    #[error("missing fields")]
    MissingFields,
    #[error("missing field key")]
    MissingFieldKey,
    #[error("missing field value")]
    MissingFieldValue,
    #[error("invalid field format")]
    InvalidFieldFormat,
    /// InfluxDB's second pass over the fields found a key with no value: a key ending in a
    /// backslash hides its `=`. `key` is the raw text it took for the key.
    #[error("invalid value: field-key={key}")]
    InvalidFieldKey { key: String },
    #[error("unbalanced quotes")]
    UnbalancedQuotes,
    #[error("invalid number")]
    InvalidNumber,
    #[error("invalid float")]
    InvalidFloat,
    #[error("invalid boolean")]
    InvalidBoolean,
    /// `digits` is the number as written, without the `i` suffix.
    #[error("unable to parse integer {digits}: strconv.ParseInt: parsing \"{digits}\": value out of range")]
    IntegerOutOfRange { digits: String },
    /// `digits` is the number as written, without the `u` suffix.
    #[error("unable to parse unsigned {digits}: strconv.ParseUint: parsing \"{digits}\": value out of range")]
    UnsignedOutOfRange { digits: String },
    #[error("bad timestamp")]
    BadTimestamp,
    /// The timestamp is digits but not an int64 (too large, or a lone `-`).
    #[error("strconv.ParseInt: parsing \"{text}\": {reason}")]
    TimestampNotInt64 { text: String, reason: &'static str },
    /// The timestamp, scaled by the precision, is outside [`MIN_NANOS`]..=[`MAX_NANOS`].
    #[error("time outside range {MIN_NANOS} - {MAX_NANOS}")]
    TimeOutsideRange,
    /// Something other than spaces follows the timestamp.
    #[error("point is invalid")]
    TrailingContent,
    #[error("max key length exceeded: {len} > {MAX_KEY_LEN}")]
    MaxKeyLength { len: usize },
    /// Not InfluxDB's: InfluxDB stores invalid UTF-8 as is; Cairn refuses the line (see
    /// docs/compatibility.md).
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// Not InfluxDB's: the line is longer than [`Limits::max_line_bytes`](crate::Limits), the
    /// server's `max-line-size`. Worded like InfluxDB's own limits (`max key length exceeded`).
    #[error("max-line-size exceeded: {len} > {max} bytes")]
    LineTooLong { len: usize, max: usize },
    /// Not InfluxDB's: the line has more fields than
    /// [`Limits::max_fields_per_line`](crate::Limits), the server's `max-fields-per-line`.
    #[error("max-fields-per-line exceeded: {count} > {max} fields")]
    TooManyFields { count: usize, max: usize },
}

/// A rejected line: where it is, what it says, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError<'a> {
    /// 1-based number of the physical line where the rejected line starts.
    pub line_number: usize,
    /// The line as InfluxDB quotes it: leading whitespace and the line ending removed.
    pub line: Cow<'a, str>,
    pub kind: ErrorKind,
}

impl fmt::Display for LineError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unable to parse '{}': {}", self.line, self.kind)
    }
}

impl std::error::Error for LineError<'_> {}

impl LineError<'_> {
    /// An owned copy, for keeping the error after the request body is gone.
    pub fn into_owned(self) -> LineError<'static> {
        LineError {
            line_number: self.line_number,
            line: Cow::Owned(self.line.into_owned()),
            kind: self.kind,
        }
    }
}
