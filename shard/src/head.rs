//! head: the points written since the last flush, in memory, one [`Column`] per
//! field-series. Writers append; a flush freezes the whole head (readers still see it) and
//! turns it into blocks. Its size is tracked so that a writer past the limit gets an error
//! rather than the node an out-of-memory kill.
//!
//! A write's points enter the head only once its WAL record is durable, and in WAL order
//! ([`Head::append_in_order`]): each write waits for the writes with lower seqs to be
//! appended (or given up, [`Head::skip`]) first. So the head never shows a point whose
//! record could still fail, the newest write wins on equal times both in memory and on
//! replay, and a freeze knows exactly which records it covers (every seq up to the last one
//! appended in order).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockWriteGuard};
use std::time::Instant;

use block::FieldType;
use line_protocol::FieldValue;

use crate::column::{Column, COLUMN_OVERHEAD};

/// A field of a series: what the head, the blocks and the WAL address points by. Ordered
/// field first, as the blocks are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldSeries {
    pub field: u32,
    pub series: u64,
}

/// Lock stripes: writers of different series rarely wait for each other.
const PARTS: usize = 16;

type Columns = HashMap<FieldSeries, Column, BuildFsHasher>;

/// A multiplicative hash for field-series ids (as FxHash): SipHash costs more than the rest
/// of a point's trip through the head, and ids are not chosen by clients.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FsHasher(u64);

impl Hasher for FsHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type BuildFsHasher = BuildHasherDefault<FsHasher>;

#[derive(Debug)]
pub(crate) struct Head {
    parts: Vec<RwLock<Columns>>,
    /// The head being flushed: still read by queries until its blocks are written.
    frozen: RwLock<Option<Arc<Frozen>>>,
    /// Bytes held by `parts`.
    bytes: AtomicUsize,
    /// When the first point since the last freeze arrived.
    oldest: Mutex<Option<Instant>>,
    /// Frozen parts released so far: a reader holding a RocksDB iterator from before a release
    /// would see the released points in neither place, and must take a new iterator.
    releases: AtomicU64,
    /// Whose turn it is to append: held while appending in order and while freezing.
    turn: Mutex<Turn>,
    /// Signalled when the turn moves on.
    turn_moved: Condvar,
}

/// The WAL order of appends.
#[derive(Debug, Default)]
struct Turn {
    /// The lowest seq not yet appended or skipped: every record below it is in the head or
    /// failed.
    next: u64,
    /// Seqs above `next` given up already (their records failed).
    skipped: BTreeSet<u64>,
}

impl Turn {
    fn advance(&mut self) {
        self.next += 1;
        while self.skipped.remove(&self.next) {
            self.next += 1;
        }
    }
}

/// A frozen head: every column sorted, and the WAL seq it covers.
#[derive(Debug)]
pub(crate) struct Frozen {
    pub(crate) columns: Columns,
    pub(crate) bytes: usize,
    pub(crate) seq: u64,
}

impl Frozen {
    /// The columns in key order (field, then series): the order blocks are written in.
    pub(crate) fn in_key_order(&self) -> Vec<(FieldSeries, &Column)> {
        let mut sorted: Vec<(FieldSeries, &Column)> = self.columns.iter().map(|(k, c)| (*k, c)).collect();
        sorted.sort_unstable_by_key(|(k, _)| *k);
        sorted
    }
}

fn part_of(fs: FieldSeries) -> usize {
    (fs.series as usize).wrapping_mul(0x9E37_79B9) % PARTS
}

impl Head {
    pub(crate) fn new() -> Self {
        Self {
            parts: (0..PARTS).map(|_| RwLock::new(Columns::default())).collect(),
            frozen: RwLock::new(None),
            bytes: AtomicUsize::new(0),
            oldest: Mutex::new(None),
            releases: AtomicU64::new(0),
            turn: Mutex::new(Turn {
                next: 1,
                ..Turn::default()
            }),
            turn_moved: Condvar::new(),
        }
    }

    /// After the WAL replay: the next write appends the record after `seq`.
    pub(crate) fn start_after(&self, seq: u64) {
        let mut turn = self.lock_turn();
        turn.next = seq + 1;
        turn.skipped.clear();
    }

    /// Appends the points of the record `seq` once every record before it was appended or
    /// skipped; the record is durable. See the module docs.
    pub(crate) fn append_in_order<'v>(
        &self,
        seq: u64,
        points: impl IntoIterator<Item = (FieldSeries, FieldType, i64, &'v FieldValue<'v>)>,
    ) {
        let mut turn = self.lock_turn();
        while turn.next < seq {
            turn = self.turn_moved.wait(turn).unwrap_or_else(|p| p.into_inner());
        }
        if turn.next != seq {
            panic!("BUG: record {seq} appended to the head twice (next is {})", turn.next);
        }
        self.append(points);
        turn.advance();
        drop(turn);
        self.turn_moved.notify_all();
    }

    /// Gives up the turn of the record `seq`, which failed: its points never enter the head.
    pub(crate) fn skip(&self, seq: u64) {
        let mut turn = self.lock_turn();
        if turn.next == seq {
            turn.advance();
        } else if seq > turn.next {
            turn.skipped.insert(seq);
        }
        drop(turn);
        self.turn_moved.notify_all();
    }

    fn lock_turn(&self) -> MutexGuard<'_, Turn> {
        self.turn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends points; `points` yields (field-series, type, time, value). A run of points
    /// in one lock stripe (the fields of a point) takes its lock once. Writes go through
    /// [`Head::append_in_order`]; this is for the WAL replay.
    pub(crate) fn append<'v>(
        &self,
        points: impl IntoIterator<Item = (FieldSeries, FieldType, i64, &'v FieldValue<'v>)>,
    ) {
        let mut added = 0;
        let mut held: Option<(usize, RwLockWriteGuard<'_, Columns>)> = None;
        for (fs, t, time, v) in points {
            let p = part_of(fs);
            if held.as_ref().is_none_or(|(q, _)| *q != p) {
                drop(held.take()); // one stripe at a time
                held = Some((p, self.parts[p].write().unwrap_or_else(|e| e.into_inner())));
            }
            let Some((_, part)) = held.as_mut() else {
                unreachable!("a stripe is held")
            };
            let column = part.entry(fs).or_insert_with(|| {
                added += COLUMN_OVERHEAD;
                Column::new(t)
            });
            added += column.push(time, v);
        }
        drop(held);
        if added > 0 {
            self.bytes.fetch_add(added, Ordering::Relaxed);
            self.oldest
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert_with(Instant::now);
        }
    }

    /// Bytes held, the frozen part included.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed) + self.frozen_read().as_ref().map_or(0, |f| f.bytes)
    }

    /// Bytes held by the part not yet frozen.
    pub(crate) fn active_bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// When the oldest point not yet frozen arrived.
    pub(crate) fn oldest(&self) -> Option<Instant> {
        *self.oldest.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves everything into the frozen part and returns it. It covers exactly the WAL
    /// records up to its `seq`, the last appended in order: appends wait for the freeze.
    pub(crate) fn freeze(&self) -> Arc<Frozen> {
        let turn = self.lock_turn();
        let seq = turn.next - 1;
        // Sorted where they stand first, stripe by stripe, so that the move below is short.
        for part in &self.parts {
            for c in part.write().unwrap_or_else(|p| p.into_inner()).values_mut() {
                c.normalize();
            }
        }
        // Points must never be in neither part: readers look at the active part, then the
        // frozen one, which this lock keeps them from reading until the move is done.
        let mut slot = self.frozen.write().unwrap_or_else(|p| p.into_inner());
        let mut columns = Columns::default();
        for part in &self.parts {
            let taken = std::mem::take(&mut *part.write().unwrap_or_else(|p| p.into_inner()));
            columns.extend(taken);
        }
        for c in columns.values_mut() {
            c.normalize(); // a writer may have appended out of order since
        }
        let bytes = self.bytes.swap(0, Ordering::Relaxed);
        *self.oldest.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let frozen = Arc::new(Frozen { columns, bytes, seq });
        *slot = Some(Arc::clone(&frozen));
        drop(turn);
        frozen
    }

    /// The frozen part, if a flush has not written it yet (or failed to).
    pub(crate) fn frozen(&self) -> Option<Arc<Frozen>> {
        self.frozen_read().clone()
    }

    /// Forgets the frozen part once its blocks are written.
    pub(crate) fn release_frozen(&self) {
        // Counted before the points leave: a reader that finds them gone sees the count moved.
        self.releases.fetch_add(1, Ordering::SeqCst);
        *self.frozen.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// How many frozen parts were released: read it before taking a RocksDB iterator, and
    /// again after each [`Head::read`]; while it has not moved, every point missing from
    /// the head was in the blocks before the iterator was taken.
    pub(crate) fn releases(&self) -> u64 {
        self.releases.load(Ordering::SeqCst)
    }

    /// The points of a field-series with `lo <= t <= hi`, sorted, newest write winning:
    /// the frozen part merged with the active one. The active part is read first: a freeze
    /// in between moves points into the frozen part, where the second look finds them.
    pub(crate) fn read(&self, fs: FieldSeries, lo: i64, hi: i64) -> Option<Column> {
        let active = {
            let part = &self.parts[part_of(fs)];
            let mut read = part.read().unwrap_or_else(|p| p.into_inner());
            if read.get(&fs).is_some_and(|c| !c.is_sorted()) {
                // Sorted once, in place, rather than on every read: writers append in
                // order again afterwards, usually.
                drop(read);
                if let Some(c) = part.write().unwrap_or_else(|p| p.into_inner()).get_mut(&fs) {
                    c.normalize();
                }
                read = part.read().unwrap_or_else(|p| p.into_inner());
            }
            read.get(&fs).map(|c| {
                // Unsorted again only if a writer came in between: sort a copy then.
                let c = if c.is_sorted() {
                    Cow::Borrowed(c)
                } else {
                    let mut c = c.clone();
                    c.normalize();
                    Cow::Owned(c)
                };
                let (a, b) = c.range(lo, hi);
                c.slice(a, b)
            })
        };
        let frozen = self.frozen_read().as_ref().and_then(|f| {
            let c = f.columns.get(&fs)?;
            let (a, b) = c.range(lo, hi);
            (a < b).then(|| c.slice(a, b))
        });
        match (frozen, active) {
            (None, None) => None,
            (Some(c), None) | (None, Some(c)) => (!c.is_empty()).then_some(c),
            (Some(f), Some(a)) => Some(Column::merge(&f, &a)),
        }
    }

    /// Drops the points of the given series with `lo <= t <= hi` (deletes).
    pub(crate) fn delete(&self, series: &[u64], lo: i64, hi: i64) {
        for part in &self.parts {
            let mut part = part.write().unwrap_or_else(|p| p.into_inner());
            part.retain(|fs, c| {
                if series.binary_search(&fs.series).is_err() {
                    return true;
                }
                c.normalize();
                c.remove_range(lo, hi);
                !c.is_empty()
            });
        }
    }

    fn frozen_read(&self) -> std::sync::RwLockReadGuard<'_, Option<Arc<Frozen>>> {
        self.frozen.read().unwrap_or_else(|p| p.into_inner())
    }
}
