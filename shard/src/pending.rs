//! pending: the series and fields that writes created and whose index entries are not in
//! RocksDB yet. A write that creates a series or a field hands it an id under the shard's
//! write order and puts it here, with the seq of the WAL record that defines it; the index
//! (RocksDB and the in-memory schema) gets it only once that record is durable. So a write
//! that fails leaves no trace in SHOW SERIES or SHOW FIELD KEYS, while every later writer
//! finds the id here and never creates the same series twice.
//!
//! A writer that needs an entry whose record is still being synced waits for the outcome:
//! its own record must not use an id whose definition may never reach the disk. An entry
//! whose record is durable but whose RocksDB write failed (a full disk) stays here until
//! a flush or the next maintenance pass writes it ([`crate::Shard::flush`]): a flush must
//! not drop the WAL segments that still define it.
//!
//! Lookups go here first, then to the index; entries leave only after the index has them,
//! so a lookup never misses a series that exists. Holds nothing between writes: only
//! creations in flight, or ones the disk refused.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::index::FieldInfo;

/// What one write created, keyed for lookups.
#[derive(Debug, Default)]
pub(crate) struct Created {
    /// Series key -> id.
    pub(crate) series: HashMap<Box<[u8]>, u64>,
    /// Measurement -> field -> info.
    pub(crate) fields: HashMap<String, HashMap<String, FieldInfo>>,
}

impl Created {
    pub(crate) fn is_empty(&self) -> bool {
        self.series.is_empty() && self.fields.is_empty()
    }

    fn series(&self, key: &[u8]) -> Option<u64> {
        self.series.get(key).copied()
    }

    fn field(&self, measurement: &str, field: &str) -> Option<FieldInfo> {
        self.fields.get(measurement)?.get(field).copied()
    }
}

#[derive(Debug)]
struct Group {
    created: Created,
    /// Whether the record that defines them is durable.
    durable: bool,
}

/// The creations not yet in the index, by the seq of the record that defines them.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    groups: Mutex<BTreeMap<u64, Group>>,
    /// Signalled when a group becomes durable or goes away.
    changed: Condvar,
}

impl Pending {
    /// Records what the record `seq` creates; the caller holds the shard's write order.
    pub(crate) fn add(&self, seq: u64, created: Created) {
        if !created.is_empty() {
            self.lock().insert(
                seq,
                Group {
                    created,
                    durable: false,
                },
            );
        }
    }

    /// The id of a series created by a write whose record is durable (waiting for an
    /// undecided one), or `None` if no such write created it.
    pub(crate) fn series(&self, key: &[u8]) -> Option<u64> {
        self.find(|c| c.series(key))
    }

    /// A field created by a write whose record is durable, as [`Pending::series`].
    pub(crate) fn field(&self, measurement: &str, field: &str) -> Option<FieldInfo> {
        self.find(|c| c.field(measurement, field))
    }

    fn find<T: Copy>(&self, get: impl Fn(&Created) -> Option<T>) -> Option<T> {
        let mut groups = self.lock();
        loop {
            let found = groups.values().find_map(|g| get(&g.created).map(|v| (v, g.durable)));
            match found {
                None => return None,
                Some((v, true)) => return Some(v),
                // Synced right now by its writer, who does not need the write order for it.
                Some((_, false)) => groups = self.changed.wait(groups).unwrap_or_else(|p| p.into_inner()),
            }
        }
    }

    /// The record `seq` is durable: its creations may be used by other writes.
    pub(crate) fn durable(&self, seq: u64) {
        if let Some(g) = self.lock().get_mut(&seq) {
            g.durable = true;
            self.changed.notify_all();
        }
    }

    /// The record `seq` failed: its creations never existed.
    pub(crate) fn failed(&self, seq: u64) {
        if self.lock().remove(&seq).is_some() {
            self.changed.notify_all();
        }
    }

    /// Whether durable creations wait for their index entries.
    pub(crate) fn has_durable(&self) -> bool {
        self.lock().values().any(|g| g.durable)
    }

    /// Calls `write` with the durable creations of `seq` (of every durable record when
    /// `None`) and forgets those it wrote. `write` returns whether it did; it runs under this
    /// map's lock, so that no lookup sees a creation in neither place.
    pub(crate) fn settle(&self, seq: Option<u64>, mut write: impl FnMut(&mut Created) -> bool) {
        let mut groups = self.lock();
        let seqs: Vec<u64> = match seq {
            Some(s) => vec![s],
            None => groups.iter().filter(|(_, g)| g.durable).map(|(s, _)| *s).collect(),
        };
        let mut removed = false;
        for s in seqs {
            let Some(g) = groups.get_mut(&s) else { continue };
            if g.durable && write(&mut g.created) {
                groups.remove(&s);
                removed = true;
            }
        }
        if removed {
            self.changed.notify_all();
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, Group>> {
        self.groups.lock().unwrap_or_else(|p| p.into_inner())
    }
}
