//! line-protocol: the InfluxDB line protocol, read and written with InfluxDB 1.x semantics.
//!
//! Request bodies arrive from the data node's `/write` handlers; parsed points go to the
//! write coordinator, which places each series ([`series_key`], [`series_hash`]) in a shard.
//! This crate depends on nothing of Cairn's and must stay that way: every other crate uses it.
//!
//! Parsing is zero-copy: [`parse_lines`] returns a [`Batch`] whose strings borrow from the
//! body unless an escape had to be removed. A bad line becomes a [`LineError`] whose text is
//! InfluxDB's (`unable to parse '<line>': <reason>`), and the other lines are kept. The
//! server's [`Limits`] (line length, fields per line, points per body) are checked while
//! parsing, so that a hostile body costs no more memory than the limits allow. Where Cairn
//! departs from InfluxDB 1.6.7 on purpose (unsigned integers, CRLF, invalid UTF-8, `us`
//! precision), docs/compatibility.md lists it.
//!
//! ```
//! use line_protocol::{parse_lines, FieldValue, ParseOptions};
//!
//! let body = b"cpu,region=eu,host=a usage=0.5,n=3i 1700000000000000000\nnot a point\n";
//! let batch = parse_lines(body, &ParseOptions::new(0));
//! let p = batch.point(0).unwrap();
//! assert_eq!(p.series_key(), "cpu,host=a,region=eu");
//! assert_eq!(p.fields()[1].value, FieldValue::Integer(3));
//! assert_eq!(batch.error_text().unwrap(), "unable to parse 'not a point': invalid field format");
//! ```

mod error;
mod escape;
mod number;
mod parser;
mod point;
mod precision;
mod scan;
pub mod series_key;
mod writer;

pub use error::{ErrorKind, LineError, MAX_KEY_LEN, MAX_NANOS, MIN_NANOS};
pub use escape::cmp_tag_keys;
pub use parser::{parse_lines, parse_lines_into, Limits, ParseOptions};
pub use point::{Batch, Buffers, Field, FieldValue, Point, Tag};
pub use precision::Precision;
pub use series_key::{series_hash, series_key};
pub use writer::{write_line, WriteError};
