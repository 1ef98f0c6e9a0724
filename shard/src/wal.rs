//! wal: the write-ahead log of one shard. Every write request becomes one record, made
//! durable before the write is acknowledged; records not yet flushed to blocks are replayed
//! into the head when the shard opens.
//!
//! Group commit: writers append their record to a shared buffer and wait; the first waiter
//! becomes the leader, writes everything buffered and syncs once for all of them, while new
//! records gather for the next leader. Concurrent writers share one `fdatasync`, and learn
//! its outcome through the [`Ticket`] their append returned.
//!
//! A failed write or sync (a full disk) fails the records of that group only: the leader
//! cuts the segment back to its last synced length before it tells the writers, so none of
//! their bytes can be replayed later, and the next group is written as if nothing happened.
//! If even the cut fails, the next leader tries it again before writing anything. Seqs of
//! failed records are never reused: the log has gaps, never two records with one seq.
//!
//! On disk: segment files `<first seq, 20 digits>.wal` in the WAL directory, each a run of
//! records `[payload len u32 LE][crc32 u32 LE][seq u64 LE][payload]`; the CRC covers the seq
//! and the payload. A segment is named by a seq at or below its first record's. A torn record
//! at the end of the last segment (a crash mid-write) is cut off on replay; damage anywhere
//! else is an error, never silently skipped.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use crate::error::{Error, Result};

/// Bytes before the payload of a record.
const HEADER_LEN: usize = 16;
/// A record larger than this is corrupt (a write request is capped well below it).
const MAX_RECORD: usize = 1 << 30;

/// How the log behaves.
#[derive(Debug, Clone)]
pub struct WalOptions {
    /// A new segment starts once the current one holds this many bytes.
    pub segment_bytes: u64,
    /// How long a leader waits for more records before syncing (InfluxDB's
    /// `wal-fsync-delay`): more writers share each sync, each write waits longer.
    pub fsync_delay: Duration,
}

impl Default for WalOptions {
    fn default() -> Self {
        // 64 MiB: a few seconds of heavy ingest; flushed segments are deleted whole.
        Self {
            segment_bytes: 64 << 20,
            fsync_delay: Duration::ZERO,
        }
    }
}

pub(crate) struct Wal {
    dir: PathBuf,
    options: WalOptions,
    state: Mutex<State>,
    /// Signalled when a leader finishes (a group became durable, or failed).
    synced: Condvar,
}

/// A record appended and not yet known durable: [`Wal::sync`] waits for its group.
#[derive(Debug)]
pub(crate) struct Ticket {
    pub(crate) seq: u64,
    group: Arc<Group>,
}

/// The outcome of one group commit, shared by the writers whose records it carries.
#[derive(Debug, Default)]
struct Group {
    outcome: OnceLock<Result<(), Failure>>,
}

/// Why a group failed, kept so that every writer of the group gets the error.
#[derive(Debug, Clone)]
struct Failure {
    path: PathBuf,
    action: &'static str,
    kind: std::io::ErrorKind,
    os: Option<i32>,
    text: String,
}

impl Failure {
    fn new(path: &Path, action: &'static str, e: &std::io::Error) -> Self {
        Self {
            path: path.to_path_buf(),
            action,
            kind: e.kind(),
            os: e.raw_os_error(),
            text: e.to_string(),
        }
    }

    fn to_error(&self) -> Error {
        let source = match self.os {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::new(self.kind, self.text.clone()),
        };
        Error::io(&self.path, self.action, source)
    }
}

struct State {
    /// Framed records appended since the last leader took the buffer.
    pending: Vec<u8>,
    /// Seq of the first record in `pending`, when it holds any.
    pending_first: u64,
    /// The group the records in `pending` belong to.
    group: Arc<Group>,
    /// Seq of the last record appended.
    last_seq: u64,
    /// The open segment; `None` while a leader is writing to it.
    file: Option<File>,
    /// Bytes of the open segment that are synced: the length it is cut back to when a
    /// write fails.
    segment_len: u64,
    /// A failed write may have left bytes past `segment_len` that could not be cut off yet:
    /// the next leader cuts them before it writes.
    dirty: bool,
    /// The next group starts a new segment (asked for after a flush, so that the flushed
    /// segment can be deleted).
    roll: bool,
    /// Segments on disk, oldest first: (first seq, path). The last one is open.
    segments: Vec<(u64, PathBuf)>,
}

impl std::fmt::Debug for Wal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wal").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// What a leader did to the segments, to be recorded in the state once it holds the lock.
enum Written {
    /// The group went to the open segment.
    Appended(File),
    /// The group went to a new segment, now the open one.
    Rotated(File, u64, PathBuf),
    /// The group failed; the open segment is this file (a new one if the rotation got as far
    /// as creating it), and `dirty` says whether its failed bytes are still there.
    Failed {
        file: File,
        rotated: Option<(u64, PathBuf)>,
        dirty: bool,
        failure: Failure,
    },
}

impl Wal {
    /// Opens the log in `dir`, replaying every record with a seq above `after_seq` through
    /// `replay` in order. New records continue the sequence.
    pub(crate) fn open(
        dir: &Path,
        options: WalOptions,
        after_seq: u64,
        mut replay: impl FnMut(u64, &[u8]) -> Result<()>,
    ) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the WAL directory", e))?;
        let mut segments = list_segments(dir)?;
        let mut last_seq = after_seq;
        let count = segments.len();
        for (i, (_, path)) in segments.iter().enumerate() {
            let last_segment = i + 1 == count;
            last_seq = last_seq.max(read_segment(path, last_segment, |seq, payload| {
                if seq > after_seq {
                    replay(seq, payload)?;
                }
                Ok(())
            })?);
        }
        // New records go to a fresh segment; the old ones are read-only from here on. A last
        // segment named at or past the next record holds none yet (a group failed in it):
        // continue its numbering and append to it, so that names stay in seq order.
        let first = match segments.last() {
            Some((f, _)) => (last_seq + 1).max(*f),
            None => last_seq + 1,
        };
        let (file, segment_len) = match segments.last() {
            Some((f, path)) if *f == first => {
                let file = OpenOptions::new()
                    .append(true)
                    .open(path)
                    .map_err(|e| Error::io(path, "open a WAL segment", e))?;
                let len = file
                    .metadata()
                    .map_err(|e| Error::io(path, "open a WAL segment", e))?
                    .len();
                (file, len)
            }
            _ => {
                let path = segment_path(dir, first);
                let file = create_segment(dir, &path).map_err(|e| Error::io(&path, "create a WAL segment", e))?;
                segments.push((first, path));
                (file, 0)
            }
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            options,
            state: Mutex::new(State {
                pending: Vec::new(),
                pending_first: first,
                group: Arc::default(),
                last_seq: first - 1,
                file: Some(file),
                segment_len,
                dirty: false,
                roll: false,
                segments,
            }),
            synced: Condvar::new(),
        })
    }

    /// Appends a record; it is durable once [`Wal::sync`] returns `Ok` for its ticket.
    /// Callers that need records in a given order append them in that order.
    pub(crate) fn append(&self, payload: &[u8]) -> Result<Ticket> {
        let len = u32::try_from(payload.len())
            .ok()
            .filter(|&l| (l as usize) <= MAX_RECORD);
        let Some(len) = len else {
            return Err(Error::RecordTooLarge { bytes: payload.len() });
        };
        let mut st = self.lock();
        st.last_seq += 1;
        let seq = st.last_seq;
        if st.pending.is_empty() {
            st.pending_first = seq;
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(&seq.to_le_bytes());
        crc.update(payload);
        st.pending.extend_from_slice(&len.to_le_bytes());
        st.pending.extend_from_slice(&crc.finalize().to_le_bytes());
        st.pending.extend_from_slice(&seq.to_le_bytes());
        st.pending.extend_from_slice(payload);
        Ok(Ticket {
            seq,
            group: Arc::clone(&st.group),
        })
    }

    /// Returns once the ticket's record is on disk and synced, or with the error that kept
    /// its group from getting there (the record is then gone for good: it is never replayed).
    pub(crate) fn sync(&self, ticket: &Ticket) -> Result<()> {
        let mut st = self.lock();
        loop {
            if let Some(outcome) = ticket.group.outcome.get() {
                return outcome.as_ref().map_err(Failure::to_error).copied();
            }
            // With the file free and our group undecided, our record is still in `pending`.
            let Some(file) = st.file.take() else {
                st = self.synced.wait(st).unwrap_or_else(|p| p.into_inner());
                continue;
            };
            st = self.lead(st, file);
        }
    }

    /// Writes and syncs what is pending, as the leader; returns with the lock held again.
    fn lead<'a>(&'a self, st: MutexGuard<'a, State>, file: File) -> MutexGuard<'a, State> {
        let mut st = if self.options.fsync_delay.is_zero() {
            st
        } else {
            drop(st);
            std::thread::sleep(self.options.fsync_delay);
            self.lock()
        };
        let batch = std::mem::take(&mut st.pending);
        let group = std::mem::take(&mut st.group);
        let first = st.pending_first;
        let good = st.segment_len;
        let dirty = st.dirty;
        let rotate = (st.roll || good + batch.len() as u64 > self.options.segment_bytes) && good > 0;
        let open_path = st.segments.last().map(|(_, p)| p.clone()).unwrap_or_default();
        drop(st);

        let written = self.write_group(file, &open_path, good, dirty, rotate, first, &batch);

        let mut st = self.lock();
        let outcome = match written {
            Written::Appended(file) => {
                if st.segment_len == 0 {
                    st.roll = false; // the segment was fresh: nothing flushed is in it
                }
                st.segment_len += batch.len() as u64;
                st.file = Some(file);
                st.dirty = false;
                Ok(())
            }
            Written::Rotated(file, first, path) => {
                st.segments.push((first, path));
                st.segment_len = batch.len() as u64;
                st.file = Some(file);
                st.dirty = false;
                st.roll = false;
                Ok(())
            }
            Written::Failed {
                file,
                rotated,
                dirty,
                failure,
            } => {
                if let Some((first, path)) = rotated {
                    st.segments.push((first, path));
                    st.segment_len = 0;
                    st.roll = false;
                }
                st.file = Some(file);
                st.dirty = dirty;
                tracing::error!(
                    path = %failure.path.display(),
                    action = failure.action,
                    error = %failure.text,
                    records = count_records(&batch),
                    cut_back = !dirty,
                    "WAL write failed; the writes of this group get the error, later ones go on"
                );
                Err(failure)
            }
        };
        let _ = group.outcome.set(outcome);
        self.synced.notify_all();
        st
    }

    /// The I/O of one group commit, without the lock: first the cut of a failed group's
    /// bytes if one is left, then the group, in the open segment or a new one.
    #[allow(clippy::too_many_arguments)]
    fn write_group(
        &self,
        mut file: File,
        open_path: &Path,
        good: u64,
        dirty: bool,
        rotate: bool,
        first: u64,
        batch: &[u8],
    ) -> Written {
        let failed = |file, rotated, dirty, path: &Path, action, e: &std::io::Error| Written::Failed {
            file,
            rotated,
            dirty,
            failure: Failure::new(path, action, e),
        };
        if dirty {
            if let Err(e) = cut(&file, good) {
                return failed(file, None, true, open_path, "cut a failed write off the WAL", &e);
            }
        }
        if rotate {
            // Start a segment for this group, named by its first seq.
            let path = segment_path(&self.dir, first);
            let mut next = match create_segment(&self.dir, &path) {
                Ok(next) => next,
                Err(e) => {
                    let _ = fs::remove_file(&path); // created, but its directory entry failed
                    return failed(file, None, false, &path, "create a WAL segment", &e);
                }
            };
            return match next.write_all(batch).and_then(|()| next.sync_data()) {
                Ok(()) => Written::Rotated(next, first, path),
                Err(e) => {
                    let dirty = cut(&next, 0).is_err();
                    failed(next, Some((first, path.clone())), dirty, &path, "write the WAL", &e)
                }
            };
        }
        match file.write_all(batch).and_then(|()| file.sync_data()) {
            Ok(()) => Written::Appended(file),
            Err(e) => {
                // Cut back before anyone hears of the failure: bytes of it left on disk could
                // be replayed after a crash, making a refused write appear.
                let dirty = cut(&file, good).is_err();
                failed(file, None, dirty, open_path, "write the WAL", &e)
            }
        }
    }

    /// Deletes the segments whose records are all at or below `seq` (flushed to blocks).
    /// The open segment is never deleted.
    pub(crate) fn remove_through(&self, seq: u64) -> Result<()> {
        let doomed: Vec<PathBuf> = {
            let mut st = self.lock();
            let mut doomed = Vec::new();
            // Segment i holds seqs [first_i, first_{i+1}); keep the open (last) one.
            while st.segments.len() > 1 && st.segments[1].0 <= seq + 1 {
                doomed.push(st.segments.remove(0).1);
            }
            doomed
        };
        for path in doomed {
            fs::remove_file(&path).map_err(|e| Error::io(&path, "remove a flushed WAL segment", e))?;
        }
        Ok(())
    }

    /// Starts a new segment, so that the current one can be removed once flushed: now if
    /// nothing is pending or being written, else with the next group. Used after a flush.
    pub(crate) fn roll(&self) -> Result<()> {
        let mut st = self.lock();
        if st.segment_len == 0 {
            return Ok(());
        }
        st.roll = true;
        if !st.pending.is_empty() || st.dirty {
            return Ok(()); // the next leader rolls
        }
        let Some(file) = st.file.take() else {
            return Ok(()); // a leader is writing; the next one rolls
        };
        let first = st.last_seq + 1;
        let path = segment_path(&self.dir, first);
        match create_segment(&self.dir, &path) {
            Ok(next) => {
                drop(file); // synced by the group that wrote it
                st.file = Some(next);
                st.segments.push((first, path));
                st.segment_len = 0;
                st.roll = false;
                self.synced.notify_all();
                Ok(())
            }
            Err(e) => {
                let _ = fs::remove_file(&path);
                st.file = Some(file);
                self.synced.notify_all();
                Err(Error::io(&path, "create a WAL segment", e))
            }
        }
    }

    /// Seq of the last record appended.
    pub(crate) fn last_seq(&self) -> u64 {
        self.lock().last_seq
    }

    /// Paths of the segments on disk, oldest first.
    #[cfg(test)]
    pub(crate) fn segment_paths(&self) -> Vec<PathBuf> {
        self.lock().segments.iter().map(|(_, p)| p.clone()).collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A writer that panicked mid-append leaves nothing half-done in `State`.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Cuts a segment back to `len` bytes (its synced length) and syncs the cut.
fn cut(file: &File, len: u64) -> std::io::Result<()> {
    file.set_len(len)?;
    file.sync_data()
}

fn segment_path(dir: &Path, first_seq: u64) -> PathBuf {
    dir.join(format!("{first_seq:020}.wal"))
}

fn count_records(mut framed: &[u8]) -> u64 {
    let mut n = 0;
    while framed.len() >= HEADER_LEN {
        let len = u32::from_le_bytes(framed[..4].try_into().unwrap_or_default()) as usize;
        framed = &framed[(HEADER_LEN + len).min(framed.len())..];
        n += 1;
    }
    n
}

/// Creates a segment file and makes its directory entry durable.
fn create_segment(dir: &Path, path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new().create_new(true).append(true).open(path)?;
    File::open(dir)?.sync_all()?;
    Ok(file)
}

fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut segments = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, "list the WAL directory", e))? {
        let path = entry.map_err(|e| Error::io(dir, "list the WAL directory", e))?.path();
        let first = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".wal"))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(first) = first {
            segments.push((first, path));
        }
    }
    segments.sort();
    Ok(segments)
}

/// Reads every record of a segment in order; returns the last seq seen (0 if none). A torn
/// tail is cut off when `last_segment`, an error otherwise.
fn read_segment(path: &Path, last_segment: bool, mut f: impl FnMut(u64, &[u8]) -> Result<()>) -> Result<u64> {
    let file = File::open(path).map_err(|e| Error::io(path, "open a WAL segment", e))?;
    let mut r = BufReader::with_capacity(1 << 20, file);
    let (mut offset, mut last) = (0u64, 0u64);
    let mut payload = Vec::new();
    loop {
        let mut header = [0u8; HEADER_LEN];
        match read_full(&mut r, &mut header).map_err(|e| Error::io(path, "read a WAL segment", e))? {
            0 => return Ok(last),
            n if n < HEADER_LEN => return torn(path, offset, last_segment, last, "a record header is cut short"),
            _ => {}
        }
        let len = u32::from_le_bytes(header[..4].try_into().unwrap_or_default()) as usize;
        let crc = u32::from_le_bytes(header[4..8].try_into().unwrap_or_default());
        let seq = u64::from_le_bytes(header[8..].try_into().unwrap_or_default());
        if len > MAX_RECORD {
            return torn(path, offset, last_segment, last, "a record length is impossible");
        }
        payload.resize(len, 0);
        if read_full(&mut r, &mut payload).map_err(|e| Error::io(path, "read a WAL segment", e))? < len {
            return torn(path, offset, last_segment, last, "a record is cut short");
        }
        let mut h = crc32fast::Hasher::new();
        h.update(&seq.to_le_bytes());
        h.update(&payload);
        if h.finalize() != crc {
            return torn(path, offset, last_segment, last, "a record fails its checksum");
        }
        if seq <= last && last != 0 {
            return Err(Error::WalCorrupt {
                path: path.to_path_buf(),
                offset,
                reason: format!("seq {seq} after {last}"),
            });
        }
        f(seq, &payload)?;
        last = seq;
        offset += (HEADER_LEN + len) as u64;
    }
}

/// The end of a segment is damaged: cut it off if it is the last segment (a crash while
/// writing it, never acknowledged), fail otherwise.
fn torn(path: &Path, offset: u64, last_segment: bool, last: u64, reason: &str) -> Result<u64> {
    if !last_segment {
        return Err(Error::WalCorrupt {
            path: path.to_path_buf(),
            offset,
            reason: reason.to_string(),
        });
    }
    tracing::warn!(path = %path.display(), offset, reason, "cutting off a torn WAL tail (a write cut short by a crash, never acknowledged)");
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, "open a WAL segment", e))?;
    file.set_len(offset)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, "truncate a torn WAL tail", e))?;
    Ok(last)
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests;
