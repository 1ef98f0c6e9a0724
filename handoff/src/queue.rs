//! queue: one destination's segment files and the position of the oldest undelivered entry.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Bytes before a record's payload: length, CRC, write time.
const HEADER: u64 = 16;
const HEAD_FILE: &str = "head";
const SEGMENT_SUFFIX: &str = ".seg";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the hinted handoff queue {dir} is full: {queued} bytes queued, the limit is {max} bytes")]
    Full { dir: PathBuf, queued: u64, max: u64 },
    #[error("a hinted handoff entry of {0} bytes is larger than one record can hold (4 GiB)")]
    TooLarge(usize),
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

pub type Result<T> = std::result::Result<T, Error>;

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io { action, path, source }
}

/// How much one queue may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Undelivered bytes (records with their headers) past which `push` is refused.
    pub max_bytes: u64,
    /// A new segment file is started once the current one would pass this size, so that
    /// delivered entries are given back to the disk a segment at a time.
    pub segment_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 1 << 30,
            segment_bytes: 16 << 20,
        }
    }
}

/// One queued write: when the coordinator queued it (Unix nanoseconds) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub written_at: i64,
    pub payload: Vec<u8>,
}

#[derive(Debug)]
struct Segment {
    id: u64,
    len: u64,
}

/// The queue of one destination. Not shared: one owner appends and delivers (behind a
/// mutex when those are different tasks).
#[derive(Debug)]
pub struct Queue {
    dir: PathBuf,
    limits: Limits,
    /// Oldest first; entries are appended to the last one.
    segments: VecDeque<Segment>,
    /// The last segment, open for appending.
    tail: Option<File>,
    /// Offset in the first segment of the oldest undelivered record.
    head: u64,
    /// Undelivered bytes, headers included.
    queued: u64,
    /// The oldest undelivered record's write time and length, when known.
    oldest: Option<(i64, u64)>,
}

impl Queue {
    /// Opens (or creates) the queue in `dir`, cutting a torn record off the end.
    pub fn open(dir: &Path, limits: Limits) -> Result<Queue> {
        fs::create_dir_all(dir).map_err(io_err("create", dir))?;
        let mut ids = Vec::new();
        for entry in fs::read_dir(dir).map_err(io_err("list", dir))? {
            let name = entry.map_err(io_err("list", dir))?.file_name();
            let name = name.to_string_lossy();
            if let Some(id) = name.strip_suffix(SEGMENT_SUFFIX).and_then(|s| s.parse::<u64>().ok()) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        let (head_id, mut head) = read_head(dir).unwrap_or((0, 0));
        let mut segments = VecDeque::new();
        for id in ids {
            let path = segment_path(dir, id);
            if id < head_id {
                // Delivered before a crash, not yet deleted.
                fs::remove_file(&path).map_err(io_err("delete", &path))?;
                continue;
            }
            let len = fs::metadata(&path).map_err(io_err("read", &path))?.len();
            segments.push_back(Segment { id, len });
        }
        if segments.front().is_none_or(|s| s.id != head_id) {
            head = 0;
        }
        let mut queue = Queue {
            dir: dir.to_path_buf(),
            limits,
            segments,
            tail: None,
            head,
            queued: 0,
            oldest: None,
        };
        if let Some(last) = queue.segments.back_mut() {
            let path = segment_path(dir, last.id);
            let whole = whole_records(&path)?;
            let file = OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(io_err("open", &path))?;
            if whole < last.len {
                tracing::warn!(path = %path.display(), cut = last.len - whole, "hinted handoff: cut a torn record off the queue");
                file.set_len(whole).map_err(io_err("truncate", &path))?;
                file.sync_all().map_err(io_err("sync", &path))?;
                last.len = whole;
            }
            queue.tail = Some(file);
        }
        if let Some(first) = queue.segments.front() {
            queue.head = queue.head.min(first.len);
        }
        queue.queued = queue.segments.iter().map(|s| s.len).sum::<u64>() - queue.head;
        queue.skip_finished_segments()?;
        queue.oldest = match queue.segments.front() {
            Some(first) if queue.queued > 0 => {
                read_header(&segment_path(dir, first.id), queue.head)?.map(|(len, _, at)| (at, HEADER + u64::from(len)))
            }
            _ => None,
        };
        Ok(queue)
    }

    /// Appends an entry; it is on disk when this returns.
    pub fn push(&mut self, written_at: i64, payload: &[u8]) -> Result<()> {
        let Ok(len) = u32::try_from(payload.len()) else {
            return Err(Error::TooLarge(payload.len()));
        };
        let record_len = HEADER + u64::from(len);
        if self.queued + record_len > self.limits.max_bytes {
            return Err(Error::Full {
                dir: self.dir.clone(),
                queued: self.queued,
                max: self.limits.max_bytes,
            });
        }
        let full = self
            .segments
            .back()
            .is_none_or(|s| s.len > 0 && s.len + record_len > self.limits.segment_bytes);
        if full || self.tail.is_none() {
            self.start_segment()?;
        }
        let mut record = Vec::with_capacity(record_len as usize);
        record.extend_from_slice(&len.to_le_bytes());
        record.extend_from_slice(&crc(written_at, payload).to_le_bytes());
        record.extend_from_slice(&written_at.to_le_bytes());
        record.extend_from_slice(payload);
        let (Some(tail), Some(last)) = (self.tail.as_mut(), self.segments.back_mut()) else {
            unreachable!("start_segment leaves a tail segment");
        };
        let path = segment_path(&self.dir, last.id);
        let written = tail.write_all(&record).and_then(|()| tail.sync_data());
        if let Err(e) = written {
            // Leave no half record behind a later one.
            let _ = tail.set_len(last.len);
            return Err(io_err("append to", &path)(e));
        }
        last.len += record_len;
        if self.queued == 0 {
            self.oldest = Some((written_at, record_len));
        }
        self.queued += record_len;
        Ok(())
    }

    /// The oldest undelivered entry, left in the queue.
    pub fn peek(&mut self) -> Result<Option<Entry>> {
        loop {
            let Some(first) = self.segments.front() else {
                return Ok(None);
            };
            if self.queued == 0 {
                return Ok(None);
            }
            let path = segment_path(&self.dir, first.id);
            match read_record(&path, self.head)? {
                Some(entry) => {
                    self.oldest = Some((entry.written_at, HEADER + entry.payload.len() as u64));
                    return Ok(Some(entry));
                }
                None => {
                    // Damaged after it was written (whole records were checked at open):
                    // the rest of this segment cannot be read, and anti-entropy repairs
                    // what it held.
                    let lost = first.len - self.head;
                    tracing::error!(path = %path.display(), offset = self.head, lost, "hinted handoff: a damaged record; skipping the rest of its segment");
                    self.queued -= lost;
                    self.head = first.len;
                    self.oldest = None;
                    self.skip_finished_segments()?;
                    self.write_head()?;
                }
            }
        }
    }

    /// Removes the oldest entry (delivered), durably.
    pub fn pop(&mut self) -> Result<()> {
        let len = match self.oldest {
            Some((_, len)) => len,
            None => match self.peek()? {
                Some(entry) => HEADER + entry.payload.len() as u64,
                None => return Ok(()),
            },
        };
        self.head += len;
        self.queued -= len;
        self.oldest = None;
        self.skip_finished_segments()?;
        self.write_head()?;
        if self.queued > 0 {
            if let Some(first) = self.segments.front() {
                let path = segment_path(&self.dir, first.id);
                self.oldest = read_header(&path, self.head)?.map(|(len, _, at)| (at, HEADER + u64::from(len)));
            }
        }
        Ok(())
    }

    /// Undelivered bytes, headers included.
    pub fn queued_bytes(&self) -> u64 {
        self.queued
    }

    pub fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// When the oldest undelivered entry was queued (Unix nanoseconds).
    pub fn oldest_written_at(&self) -> Option<i64> {
        self.oldest.map(|(at, _)| at)
    }

    /// The directory this queue lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Deletes a queue (its destination left the cluster).
    pub fn remove(self) -> Result<()> {
        drop(self.tail);
        fs::remove_dir_all(&self.dir).map_err(io_err("delete", &self.dir))
    }

    fn start_segment(&mut self) -> Result<()> {
        let id = self.segments.back().map_or(1, |s| s.id + 1);
        let path = segment_path(&self.dir, id);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_err("create", &path))?;
        sync_dir(&self.dir)?;
        if self.segments.is_empty() {
            self.head = 0;
        }
        self.segments.push_back(Segment { id, len: 0 });
        self.tail = Some(file);
        Ok(())
    }

    /// Deletes the leading segments that hold nothing undelivered. A drained queue keeps
    /// no file but `head`.
    fn skip_finished_segments(&mut self) -> Result<()> {
        while let Some(first) = self.segments.front() {
            if self.head < first.len {
                break;
            }
            let path = segment_path(&self.dir, first.id);
            if self.segments.len() == 1 {
                self.tail = None;
            }
            fs::remove_file(&path).map_err(io_err("delete", &path))?;
            self.segments.pop_front();
            self.head = 0;
        }
        Ok(())
    }

    /// Records the oldest undelivered position: written aside, synced, renamed over.
    fn write_head(&self) -> Result<()> {
        let (id, offset) = match self.segments.front() {
            Some(s) => (s.id, self.head),
            None => (0, 0),
        };
        let mut bytes = Vec::with_capacity(20);
        bytes.extend_from_slice(&id.to_le_bytes());
        bytes.extend_from_slice(&offset.to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&bytes).to_le_bytes());
        let tmp = self.dir.join(format!("{HEAD_FILE}.tmp"));
        let path = self.dir.join(HEAD_FILE);
        let mut f = File::create(&tmp).map_err(io_err("create", &tmp))?;
        f.write_all(&bytes).map_err(io_err("write", &tmp))?;
        f.sync_all().map_err(io_err("sync", &tmp))?;
        fs::rename(&tmp, &path).map_err(io_err("replace", &path))?;
        sync_dir(&self.dir)
    }
}

fn segment_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:020}{SEGMENT_SUFFIX}"))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err("sync", dir))
}

fn crc(written_at: i64, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&written_at.to_le_bytes());
    h.update(payload);
    h.finalize()
}

/// The position `head` keeps, or `None` when it is missing or damaged (then delivery starts
/// at the first segment again: a write delivered twice lands on the same points).
fn read_head(dir: &Path) -> Option<(u64, u64)> {
    let bytes = fs::read(dir.join(HEAD_FILE)).ok()?;
    let bytes: [u8; 20] = bytes.try_into().ok()?;
    let crc = u32::from_le_bytes(bytes[16..20].try_into().ok()?);
    if crc32fast::hash(&bytes[..16]) != crc {
        tracing::warn!(dir = %dir.display(), "hinted handoff: a damaged head file; delivering from the first segment");
        return None;
    }
    Some((
        u64::from_le_bytes(bytes[0..8].try_into().ok()?),
        u64::from_le_bytes(bytes[8..16].try_into().ok()?),
    ))
}

/// The header at `offset`: payload length, CRC, write time; `None` past the end of the file.
fn read_header(path: &Path, offset: u64) -> Result<Option<(u32, u32, i64)>> {
    let mut f = File::open(path).map_err(io_err("open", path))?;
    f.seek(SeekFrom::Start(offset)).map_err(io_err("read", path))?;
    let mut header = [0u8; HEADER as usize];
    match f.read_exact(&mut header) {
        Ok(()) => Ok(Some(parse_header(&header))),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(io_err("read", path)(e)),
    }
}

fn parse_header(h: &[u8; HEADER as usize]) -> (u32, u32, i64) {
    let word = |i: usize| [h[i], h[i + 1], h[i + 2], h[i + 3]];
    let at = i64::from_le_bytes([h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]]);
    (u32::from_le_bytes(word(0)), u32::from_le_bytes(word(4)), at)
}

/// The record at `offset`, or `None` when it is not whole or its CRC does not match.
fn read_record(path: &Path, offset: u64) -> Result<Option<Entry>> {
    let mut f = File::open(path).map_err(io_err("open", path))?;
    let file_len = f.metadata().map_err(io_err("read", path))?.len();
    f.seek(SeekFrom::Start(offset)).map_err(io_err("read", path))?;
    read_next(&mut f, file_len - offset.min(file_len)).map_err(io_err("read", path))
}

/// Reads one record from `r`, which has `left` bytes; `None` when it is not whole or bad.
fn read_next(r: &mut impl Read, left: u64) -> io::Result<Option<Entry>> {
    if left < HEADER {
        return Ok(None);
    }
    let mut header = [0u8; HEADER as usize];
    r.read_exact(&mut header)?;
    let (len, want, written_at) = parse_header(&header);
    if u64::from(len) > left - HEADER {
        return Ok(None);
    }
    let mut payload = vec![0u8; len as usize];
    r.read_exact(&mut payload)?;
    if crc(written_at, &payload) != want {
        return Ok(None);
    }
    Ok(Some(Entry { written_at, payload }))
}

/// The length of the run of whole, valid records at the start of the file.
fn whole_records(path: &Path) -> Result<u64> {
    let f = File::open(path).map_err(io_err("open", path))?;
    let len = f.metadata().map_err(io_err("read", path))?.len();
    let mut r = io::BufReader::new(f);
    let mut at = 0;
    while let Some(entry) = read_next(&mut r, len - at).map_err(io_err("read", path))? {
        at += HEADER + entry.payload.len() as u64;
    }
    Ok(at)
}

#[cfg(test)]
mod tests;
