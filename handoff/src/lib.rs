//! handoff: the hinted-handoff queue of one destination. A coordinator that cannot reach a
//! shard's owner appends the owner's writes here and acknowledges the client only once the
//! append is on disk (fsynced); a replayer sends them in order when the owner returns and
//! pops each one it delivered. The queue is bounded in bytes: a full queue is an error the
//! coordinator reports, never a silent drop.
//!
//! On disk, one directory per destination holds segment files `<id>.seg` (ids rising) and
//! `head`, the position of the oldest entry not yet delivered. A segment is a run of
//! records, each `len: u32 LE | crc32: u32 LE | written_at: i64 LE | payload (len bytes)`,
//! the CRC over `written_at` and the payload. Segments wholly delivered are deleted. A crash
//! can tear only the record being appended, which was never acknowledged: opening the queue
//! cuts the last segment back to its last whole record.

mod queue;

pub use queue::{Entry, Error, Limits, Queue, Result};
