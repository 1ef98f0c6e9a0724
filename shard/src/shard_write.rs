//! shard_write: [`Shard::write`], the write path of a shard. It runs in three steps, so that
//! the shard's write order is held only for what must be ordered:
//!
//! 1. **Unlocked**, the batch is checked and looked up: the reserved `time` key, each
//!    field's type against the shard's schema and against earlier fields of the same point
//!    (the first occurrence of a key decides), series keys and their ids. The leading points
//!    whose series and fields all exist are encoded into the WAL record right away; in
//!    steady state that is every point.
//! 2. **Under the write order**: if series or fields were dropped meanwhile
//!    ([`Index::drops`](crate::index) moved), the batch is planned again. The other points get
//!    ids for their new series and fields, after a last look in [`Pending`] and in the index
//!    (a concurrent write may have created one since, perhaps with another type: the point is
//!    then dropped with InfluxDB's conflict text), and are encoded. The record is appended to
//!    the WAL and its creations go to [`Pending`].
//! 3. **Unlocked again**, the record is synced (group commit). If that fails, the write fails
//!    and leaves nothing behind: no point in the head, no index entry, no schema change.
//!    Otherwise the points enter the head in WAL order, then the new series and fields go to
//!    the index.
//!
//! Only the writes that create something wait for each other longer than an append: a
//! write that needs a series or field another write is still syncing waits for that sync.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use block::FieldType;
use line_protocol::{Field, FieldValue, Point};
use rocksdb::WriteBatch;

use crate::column::field_type_of;
use crate::error::{Error, Result};
use crate::head::FieldSeries;
use crate::index::{FieldInfo, Schema};
use crate::keys;
use crate::pending::Created;
use crate::record::RecordWriter;
use crate::shard::{lock, Shard, WriteOutcome};

/// Fields of a point up to which a repeated key is found by a scan of the earlier ones;
/// wider points use a map (a scan is quadratic: a point of 150,000 fields took 16 s).
const SCAN_FIELDS: usize = 16;

/// A point's value on its way to the head: field-series, type, time, value.
type Accepted<'b, 'a> = (FieldSeries, FieldType, i64, &'b FieldValue<'a>);

/// A batch checked and looked up without the write order (step 1).
struct Plan<'b, 'a> {
    /// `Index::drops` when planning started.
    drops: u64,
    /// `Index::field_additions` and `series_additions` when planning started.
    field_additions: u64,
    series_additions: u64,
    rec: RecordWriter,
    accepted: Vec<Accepted<'b, 'a>>,
    outcome: WriteOutcome,
    /// Points after the first one that needs a new series or field, in batch order.
    tail: Vec<TailPoint>,
    /// The checked fields of the tail points.
    tail_fields: Vec<TailField>,
    /// The series keys of the tail points, back to back.
    tail_keys: Vec<u8>,
}

/// A point left for step 2.
struct TailPoint {
    point: usize,
    /// Its series id, if the series existed when planned.
    series: Option<u64>,
    key: Range<usize>,
    fields: Range<usize>,
}

/// A checked field of a tail point: `time` left out, type consistent within the point.
#[derive(Clone, Copy)]
struct TailField {
    /// Index in the point's fields.
    idx: u32,
    field_type: FieldType,
    /// The field, if the shard had it when planned.
    info: Option<FieldInfo>,
}

/// Writers between their WAL append and the end of their index update: a delete or a
/// checkpoint waits for none to be left.
#[derive(Debug, Default)]
pub(crate) struct Writers {
    count: Mutex<usize>,
    done: Condvar,
}

impl Writers {
    fn enter(&self) {
        *lock(&self.count) += 1;
    }

    fn leave(&self) {
        let mut n = lock(&self.count);
        *n -= 1;
        if *n == 0 {
            self.done.notify_all();
        }
    }

    /// Waits until no writer is in flight; the caller holds the write order, so none starts.
    pub(crate) fn wait_idle(&self) {
        let mut n = lock(&self.count);
        while *n > 0 {
            n = self.done.wait(n).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// A write past its WAL append: whatever happens, its turn in the head and its creations
/// are settled when it ends (dropped without [`InFlight::landed`]: it failed).
struct InFlight<'s> {
    shard: &'s Shard,
    seq: u64,
    landed: bool,
}

impl InFlight<'_> {
    fn landed(mut self) {
        self.landed = true;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if !self.landed {
            self.shard.pending.failed(self.seq);
            self.shard.head.skip(self.seq);
        }
        self.shard.writers.leave();
    }
}

impl Shard {
    /// Stores points. Returns once they are durable (the WAL record is synced) and visible.
    /// Points that storage refuses (a field of another type than the shard holds, the
    /// reserved `time` key) are counted in the outcome; the others are stored. On an error
    /// nothing of the batch is stored, now or after a restart.
    pub fn write(&self, points: &[Point<'_, '_>]) -> Result<WriteOutcome> {
        *lock(&self.last_write) = Some(Instant::now());
        self.check_head()?;
        let mut plan = self.plan(points)?;
        let order = lock(&self.order);
        if plan.drops != self.index.drops() {
            // Series or fields were dropped since they were looked up: look again. Rare.
            plan = self.plan(points)?;
        }
        self.check_head()?;
        let created = self.resolve_tail(points, &mut plan)?;
        if plan.rec.is_empty() {
            return Ok(plan.outcome);
        }
        let ticket = self.wal.append(&plan.rec.finish())?;
        let creates = !created.is_empty();
        self.pending.add(ticket.seq, created);
        self.writers.enter();
        let flight = InFlight {
            shard: self,
            seq: ticket.seq,
            landed: false,
        };
        drop(order);

        self.wal.sync(&ticket)?;
        self.pending.durable(ticket.seq);
        self.head.append_in_order(ticket.seq, plan.accepted);
        if creates {
            if let Err(e) = self.settle_created(Some(ticket.seq)) {
                // The write is durable (its record defines them): acknowledged, and its new
                // series become visible when a flush gets their entries in.
                tracing::warn!(dir = %self.dir.display(), error = %e, "new series and fields wait for their index entries; the next flush writes them");
            }
        }
        flight.landed();
        self.flush_after_write();
        Ok(plan.outcome)
    }

    fn check_head(&self) -> Result<()> {
        let used = self.head.bytes();
        if used >= self.options.head_limit_bytes {
            return Err(Error::HeadFull {
                used,
                limit: self.options.head_limit_bytes,
            });
        }
        Ok(())
    }

    /// Step 1: checks every point and looks its series and fields up; encodes the leading
    /// points that need nothing new.
    fn plan<'b, 'a>(&self, points: &[Point<'b, 'a>]) -> Result<Plan<'b, 'a>> {
        let mut plan = Plan {
            drops: self.index.drops(),
            field_additions: self.index.field_additions(),
            series_additions: self.index.series_additions(),
            rec: RecordWriter::default(),
            accepted: Vec::with_capacity(points.iter().map(|p| p.fields().len()).sum()),
            outcome: WriteOutcome::default(),
            tail: Vec::new(),
            tail_fields: Vec::new(),
            tail_keys: Vec::new(),
        };
        let mut checked: Vec<TailField> = Vec::new();
        let mut seen: HashMap<&'b str, FieldType> = HashMap::new();
        let mut key = Vec::with_capacity(256);
        // The fields of the last point encoded: the next point of the same measurement
        // usually has the same ones, and then needs no schema lookups.
        let mut memo_m: Option<&'b str> = None;
        let mut memo: Vec<(&'b str, FieldInfo)> = Vec::new();
        let mut in_prefix = true;
        for (i, p) in points.iter().enumerate() {
            let m = p.measurement();
            if p.tags().iter().any(|t| t.key == "time") {
                plan.outcome
                    .drop_point(|| format!("invalid tag key: input tag \"time\" on measurement \"{m}\" is invalid"));
                continue;
            }
            let fields = p.fields();
            let same = in_prefix
                && memo_m == Some(m)
                && fields.len() == memo.len()
                && fields
                    .iter()
                    .zip(&memo)
                    .all(|(f, (name, info))| f.key == *name && field_type_of(&f.value) == info.field_type);
            if !same {
                checked.clear();
                if let Err(reason) = check_fields(&self.index.schema(), m, fields, &mut checked, &mut seen) {
                    plan.outcome.drop_point(|| reason);
                    continue;
                }
            }
            keys::series_key_into(&mut key, m, p.tags().iter().map(|t| (&*t.key, &*t.value)));
            let series = self.index.series_id(&self.db, &key)?;
            let known = same || checked.iter().all(|f| f.info.is_some());
            match series {
                Some(series) if in_prefix && known => {
                    if !same {
                        memo.clear();
                        memo.extend(
                            checked
                                .iter()
                                .filter_map(|f| Some((&*fields[f.idx as usize].key, f.info?))),
                        );
                        memo_m = Some(m);
                    }
                    let time = p.time();
                    plan.rec.point(series, time, memo.len());
                    // In the memo's order: the point's fields, `time` left out.
                    let values = fields.iter().filter(|f| same || f.key != "time");
                    for (f, &(_, info)) in values.zip(&memo) {
                        plan.rec.value(info.id, &f.value);
                        plan.accepted
                            .push((FieldSeries { series, field: info.id }, info.field_type, time, &f.value));
                    }
                    plan.outcome.points += 1;
                    plan.outcome.values += memo.len();
                }
                _ => {
                    in_prefix = false;
                    if same {
                        // The last point's fields, on a new series: `same` means no `time`
                        // field, so the memo is the point's fields in order.
                        checked.clear();
                        checked.extend(memo.iter().enumerate().map(|(i, &(_, info))| TailField {
                            idx: i as u32,
                            field_type: info.field_type,
                            info: Some(info),
                        }));
                    }
                    let start = plan.tail_fields.len();
                    plan.tail_fields.extend_from_slice(&checked);
                    let k = plan.tail_keys.len();
                    plan.tail_keys.extend_from_slice(&key);
                    plan.tail.push(TailPoint {
                        point: i,
                        series,
                        key: k..plan.tail_keys.len(),
                        fields: start..plan.tail_fields.len(),
                    });
                }
            }
        }
        Ok(plan)
    }

    /// Step 2, under the write order: gives the tail points their new series and fields and
    /// encodes them. Returns what was created.
    fn resolve_tail<'b, 'a>(&self, points: &[Point<'b, 'a>], plan: &mut Plan<'b, 'a>) -> Result<Created> {
        let mut created = Created::default();
        if plan.tail.is_empty() {
            return Ok(created);
        }
        // Series and fields added to the index since planning may be ones the plan found
        // missing; those still pending are found in `Pending`. An entry leaves `Pending`
        // only after the index counted it, so the counters are read after a `Pending` miss:
        // read before, they could miss a creation settled in between (and create it twice).
        let field_added = || self.index.field_additions() != plan.field_additions;
        let series_added = || self.index.series_additions() != plan.series_additions;
        let mut new_fields: HashMap<(&'b str, &'b str), FieldInfo> = HashMap::new();
        let mut new_series: HashMap<&[u8], u64> = HashMap::new();
        let mut infos: Vec<Option<FieldInfo>> = Vec::new();
        let mut tags: Vec<(&str, &str)> = Vec::new();
        for tp in &plan.tail {
            let p = &points[tp.point];
            let m = p.measurement();
            let fields = p.fields();
            let checked = &plan.tail_fields[tp.fields.clone()];
            // First look everything up, so that a conflict drops the point before it creates
            // anything.
            infos.clear();
            let mut conflict = None;
            for tf in checked {
                let name = &*fields[tf.idx as usize].key;
                let info = tf.info.or_else(|| {
                    new_fields
                        .get(&(m, name))
                        .copied()
                        .or_else(|| self.pending.field(m, name))
                        .or_else(|| field_added().then(|| self.index.field(m, name)).flatten())
                });
                if let Some(info) = info.filter(|i| i.field_type != tf.field_type) {
                    conflict = Some(conflict_text(name, m, tf.field_type, info.field_type));
                    break;
                }
                infos.push(info);
            }
            if let Some(reason) = conflict {
                plan.outcome.drop_point(|| reason);
                continue;
            }
            for (tf, info) in checked.iter().zip(infos.iter_mut()) {
                if info.is_some() {
                    continue;
                }
                let name = &*fields[tf.idx as usize].key;
                // A key repeated in the point was created by its first occurrence.
                let made = *new_fields.entry((m, name)).or_insert_with(|| {
                    let made = FieldInfo {
                        field_type: tf.field_type,
                        id: self.index.new_field_id(),
                    };
                    plan.rec.new_field(m, name, made.field_type, made.id);
                    created
                        .fields
                        .entry(m.to_owned())
                        .or_default()
                        .insert(name.to_owned(), made);
                    made
                });
                *info = Some(made);
            }
            let key = &plan.tail_keys[tp.key.clone()];
            let series = match tp.series {
                Some(id) => id,
                None => match new_series.get(key).copied() {
                    Some(id) => id,
                    None => {
                        // Pending first: an entry leaves it only once the index has it.
                        let found = match self.pending.series(key) {
                            Some(id) => Some(id),
                            None if series_added() => self.index.series_id(&self.db, key)?,
                            None => None,
                        };
                        let id = found.unwrap_or_else(|| {
                            let id = self.index.new_series_id();
                            tags.clear();
                            tags.extend(p.tags().iter().map(|t| (&*t.key, &*t.value)));
                            plan.rec.new_series(id, m, &tags);
                            created.series.insert(key.into(), id);
                            id
                        });
                        new_series.insert(key, id);
                        id
                    }
                },
            };
            let time = p.time();
            plan.rec.point(series, time, checked.len());
            for (tf, info) in checked.iter().zip(&infos) {
                let Some(info) = *info else {
                    unreachable!("every field has an id by now")
                };
                let v = &fields[tf.idx as usize].value;
                plan.rec.value(info.id, v);
                plan.accepted
                    .push((FieldSeries { series, field: info.id }, info.field_type, time, v));
            }
            plan.outcome.points += 1;
            plan.outcome.values += checked.len();
        }
        Ok(created)
    }

    /// Writes the index entries of durable creations to RocksDB and then to the in-memory
    /// index: those of the record `seq`, or all (a flush, the maintenance pass). Entries the
    /// disk refuses stay pending, and are tried again by the next flush.
    pub(crate) fn settle_created(&self, seq: Option<u64>) -> Result<()> {
        let mut failed = None;
        self.pending.settle(seq, |created| {
            if failed.is_some() {
                return false;
            }
            let mut batch = WriteBatch::default();
            self.index.created_entries(&self.db, created, &mut batch);
            // Not synced: the WAL record carries the same entries, and a flush syncs them
            // before the record is dropped.
            match self.db.write(batch, false, "write index entries") {
                Ok(()) => {
                    self.index.add_created(created);
                    self.index.series_changed();
                    true
                }
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        });
        failed.map_or(Ok(()), Err)
    }
}

/// Checks a point's fields for the `time` key and for types (against the shard's schema and
/// the earlier fields of the point); fills `out` with the fields to store. `seen` is scratch
/// space for wide points.
fn check_fields<'b>(
    schema: &Schema<'_>,
    m: &str,
    fields: &'b [Field<'_>],
    out: &mut Vec<TailField>,
    seen: &mut HashMap<&'b str, FieldType>,
) -> Result<(), String> {
    let known = schema.get(m);
    let wide = fields.len() > SCAN_FIELDS;
    if wide {
        seen.clear();
    }
    for (i, f) in fields.iter().enumerate() {
        let name = &*f.key;
        if name == "time" {
            continue; // InfluxDB ignores a `time` field next to others
        }
        let t = field_type_of(&f.value);
        let info = known.and_then(|k| k.get(name)).copied();
        // A key repeated in one point: the first occurrence decides its type.
        let earlier = if wide {
            seen.get(name).copied()
        } else {
            out.iter()
                .find(|o| fields[o.idx as usize].key == name)
                .map(|o| o.field_type)
        };
        if let Some(want) = info.map(|i| i.field_type).or(earlier) {
            if want != t {
                return Err(conflict_text(name, m, t, want));
            }
        }
        if wide && earlier.is_none() {
            seen.insert(name, t);
        }
        out.push(TailField {
            idx: i as u32,
            field_type: t,
            info,
        });
    }
    if out.is_empty() {
        return Err(format!(
            "invalid field name: input field \"time\" on measurement \"{m}\" is invalid"
        ));
    }
    Ok(())
}

/// InfluxDB's text for a field written with another type than the shard holds.
fn conflict_text(name: &str, m: &str, got: FieldType, have: FieldType) -> String {
    format!(
        "field type conflict: input field \"{name}\" on measurement \"{m}\" is type {}, already exists as type {}",
        got.name(),
        have.name()
    )
}
