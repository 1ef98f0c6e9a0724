//! wal: the write-ahead log of one shard. Every write request becomes one record, made
//! durable before the write is acknowledged; records not yet flushed to blocks are replayed
//! into the head when the shard opens.
//!
//! Group commit: writers append their record to a shared buffer and wait; the first waiter
//! becomes the leader, writes everything buffered and syncs once for all of them, while new
//! records gather for the next leader. Concurrent writers share one `fdatasync`.
//!
//! On disk: segment files `<first seq, 20 digits>.wal` in the WAL directory, each a run of
//! records `[payload len u32 LE][crc32 u32 LE][seq u64 LE][payload]`; the CRC covers the seq
//! and the payload. A torn record at the end of the last segment (a crash mid-write) is cut
//! off on replay; damage anywhere else is an error, never silently skipped.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
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
    /// Signalled when a leader finishes (records became durable, or the log failed).
    synced: Condvar,
}

struct State {
    /// Framed records appended since the last leader took the buffer.
    pending: Vec<u8>,
    /// Seq of the last record appended.
    last_seq: u64,
    /// Every record up to this seq is on disk and synced.
    durable_seq: u64,
    /// The open segment; `None` while a leader is writing to it.
    file: Option<File>,
    /// Bytes in the open segment.
    segment_len: u64,
    /// Segments on disk, oldest first: (first seq, path). The last one is open.
    segments: Vec<(u64, PathBuf)>,
    /// Once a write or sync failed, the log cannot be trusted until the shard reopens.
    failed: Option<String>,
}

impl std::fmt::Debug for Wal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wal").field("dir", &self.dir).finish_non_exhaustive()
    }
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
        // New records go to a fresh segment; the old ones are read-only from here on. A
        // segment already named for the next record holds none yet: append to it.
        let first = last_seq + 1;
        let file = match segments.last() {
            Some((f, path)) if *f == first => OpenOptions::new()
                .append(true)
                .open(path)
                .map_err(|e| Error::io(path, "open a WAL segment", e))?,
            _ => {
                let path = segment_path(dir, first);
                let file = create_segment(dir, &path)?;
                segments.push((first, path));
                file
            }
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            options,
            state: Mutex::new(State {
                pending: Vec::new(),
                last_seq,
                durable_seq: last_seq,
                file: Some(file),
                segment_len: 0,
                segments,
                failed: None,
            }),
            synced: Condvar::new(),
        })
    }

    /// Appends a record and returns its seq. It is durable once [`Wal::sync`] returns for
    /// that seq. Callers that need records in a given order append them in that order.
    pub(crate) fn append(&self, payload: &[u8]) -> Result<u64> {
        let mut st = self.lock();
        if let Some(why) = &st.failed {
            return Err(Error::WalFailed { reason: why.clone() });
        }
        st.last_seq += 1;
        let seq = st.last_seq;
        let len = u32::try_from(payload.len())
            .ok()
            .filter(|&l| (l as usize) <= MAX_RECORD);
        let Some(len) = len else {
            return Err(Error::RecordTooLarge { bytes: payload.len() });
        };
        let mut crc = crc32fast::Hasher::new();
        crc.update(&seq.to_le_bytes());
        crc.update(payload);
        st.pending.extend_from_slice(&len.to_le_bytes());
        st.pending.extend_from_slice(&crc.finalize().to_le_bytes());
        st.pending.extend_from_slice(&seq.to_le_bytes());
        st.pending.extend_from_slice(payload);
        Ok(seq)
    }

    /// Returns once every record up to `seq` is on disk and synced.
    pub(crate) fn sync(&self, seq: u64) -> Result<()> {
        let mut st = self.lock();
        loop {
            if let Some(why) = &st.failed {
                return Err(Error::WalFailed { reason: why.clone() });
            }
            if st.durable_seq >= seq {
                return Ok(());
            }
            let Some(file) = st.file.take() else {
                // A leader is at work; its sync may or may not cover us.
                st = self.synced.wait(st).unwrap_or_else(|p| p.into_inner());
                continue;
            };
            st = self.lead(st, file);
        }
    }

    /// Writes and syncs what is pending, as the leader; returns with the lock held again.
    fn lead<'a>(&'a self, st: MutexGuard<'a, State>, mut file: File) -> MutexGuard<'a, State> {
        let st = if self.options.fsync_delay.is_zero() {
            st
        } else {
            drop(st);
            std::thread::sleep(self.options.fsync_delay);
            self.lock()
        };
        let mut st = st;
        let batch = std::mem::take(&mut st.pending);
        let upto = st.last_seq;
        let rotate = st.segment_len + batch.len() as u64 > self.options.segment_bytes && st.segment_len > 0;
        drop(st);

        let result = (|| -> std::io::Result<Option<(File, PathBuf)>> {
            if rotate {
                // Start a segment for this batch, named by its first seq.
                let first = upto + 1 - count_records(&batch);
                let path = segment_path(&self.dir, first);
                file.sync_data()?;
                let mut next = create_segment(&self.dir, &path).map_err(std::io::Error::other)?;
                next.write_all(&batch)?;
                next.sync_data()?;
                return Ok(Some((next, path)));
            }
            file.write_all(&batch)?;
            file.sync_data()?;
            Ok(None)
        })();

        let mut st = self.lock();
        match result {
            Ok(Some((next, path))) => {
                let first = upto + 1 - count_records(&batch);
                st.segments.push((first, path));
                st.segment_len = batch.len() as u64;
                st.file = Some(next);
                st.durable_seq = upto;
            }
            Ok(None) => {
                st.segment_len += batch.len() as u64;
                st.file = Some(file);
                st.durable_seq = upto;
            }
            Err(e) => {
                tracing::error!(dir = %self.dir.display(), error = %e, "WAL write failed; writes to this shard fail until it reopens");
                st.failed = Some(format!("{}: {e}", self.dir.display()));
            }
        }
        self.synced.notify_all();
        st
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

    /// Starts a new segment at the next write, so that the current one can be removed once
    /// flushed. Cheap; used after a flush.
    pub(crate) fn roll(&self) -> Result<()> {
        let mut st = self.lock();
        if st.segment_len == 0 {
            return Ok(());
        }
        let Some(mut file) = st.file.take() else {
            return Ok(()); // a leader is writing; the next flush rolls
        };
        let first = st.last_seq + 1;
        let path = segment_path(&self.dir, first);
        let pending = std::mem::take(&mut st.pending);
        let upto = st.last_seq;
        let res = (|| -> Result<File> {
            file.write_all(&pending)
                .map_err(|e| Error::io(&self.dir, "write the WAL", e))?;
            file.sync_data().map_err(|e| Error::io(&self.dir, "sync the WAL", e))?;
            create_segment(&self.dir, &path)
        })();
        match res {
            Ok(next) => {
                st.file = Some(next);
                st.segments.push((first, path));
                st.segment_len = 0;
                st.durable_seq = upto;
                self.synced.notify_all();
                Ok(())
            }
            Err(e) => {
                st.failed = Some(e.to_string());
                self.synced.notify_all();
                Err(e)
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
fn create_segment(dir: &Path, path: &Path) -> Result<File> {
    let file = OpenOptions::new()
        .create_new(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, "create a WAL segment", e))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, "sync the WAL directory", e))?;
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
