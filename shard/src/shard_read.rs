//! The read side of a shard: points of a field-series over a time range, merged from the
//! blocks and the head, and the index listings behind `SHOW` statements.

use std::ops::ControlFlow;

use block::{FieldType, Header, Values, ValuesRef};

use crate::column::Column;
use crate::db::Cursor;
use crate::error::Result;
use crate::head::FieldSeries;
use crate::keys::{self, CF_BLOCKS, CF_SERIES_IDS};
use crate::predicate::TagPredicate;
use crate::shard::Shard;

/// A piece of a field-series, in time order, handed to a reader.
#[derive(Debug)]
pub enum Chunk<'a> {
    /// A whole stored block inside the range and untouched by unflushed writes: its header
    /// (count, time range, sum/min/max/first/last) answers aggregates without decoding.
    Summary(&'a Header),
    /// Points, in time order, no time twice, borrowed from the head or a decoded block.
    Points { times: &'a [i64], values: ValuesRef<'a> },
}

/// A series: id, measurement and tags (sorted by key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesInfo {
    pub id: u64,
    pub measurement: String,
    pub tags: Vec<(String, String)>,
}

impl Shard {
    /// Hands the points of `fs` with `lo <= time <= hi` to `f`, in time order, as chunks;
    /// a whole block comes as [`Chunk::Summary`] when `summary` accepts its header (say, when
    /// it lies inside one GROUP BY bucket). `f` stops the read by returning `Break`.
    pub fn read(
        &self,
        fs: FieldSeries,
        lo: i64,
        hi: i64,
        summary: impl Fn(&Header) -> bool,
        mut f: impl FnMut(Chunk<'_>) -> ControlFlow<()>,
    ) -> Result<()> {
        self.read_many(&[fs], lo, hi, summary, |_, chunk| f(chunk))
    }

    /// [`Shard::read`] of several field-series with one RocksDB iterator: `f` gets the
    /// index in `list` with each chunk. Field-series are read in key order (field, then
    /// series), each one's chunks in time order; `Break` stops the whole read.
    pub fn read_many(
        &self,
        list: &[FieldSeries],
        lo: i64,
        hi: i64,
        summary: impl Fn(&Header) -> bool,
        mut f: impl FnMut(usize, Chunk<'_>) -> ControlFlow<()>,
    ) -> Result<()> {
        if lo > hi {
            return Ok(());
        }
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by_key(|&i| list[i]);
        let mut releases = self.head.releases();
        let mut scan = Scan {
            shard: self,
            cursor: self.db.cursor(CF_BLOCKS),
            lo,
            hi,
            times: Vec::new(),
            values: Values::Float(Vec::new()),
        };
        let mut previous = None;
        for i in order {
            let fs = list[i];
            if previous.replace(fs) == Some(fs) {
                scan.cursor.forget(); // read the same blocks again
            }
            // The head first: a flush that lands meanwhile moves points into blocks, never out
            // of both — but into blocks this iterator may not see: then take a new one.
            let head = loop {
                let head = self.head.read(fs, lo, hi);
                let now = self.head.releases();
                if now == releases {
                    break head;
                }
                releases = now;
                scan.cursor = self.db.cursor(CF_BLOCKS);
            };
            if scan.field_series(fs, head, &summary, &mut |c| f(i, c))?.is_break() {
                break;
            }
        }
        self.db.check(&scan.cursor.it)
    }

    /// The points of `fs` with `lo <= time <= hi`, decoded into one column: raw queries
    /// that need every point, and tests.
    pub fn points(&self, fs: FieldSeries, lo: i64, hi: i64) -> Result<(Vec<i64>, Values)> {
        self.first_points(fs, lo, hi, usize::MAX)
    }

    /// The points of `fs` in `[lo, hi]` from the start, the read stopped once it has at
    /// least `limit` (it may have more: the last chunk is kept whole).
    fn first_points(&self, fs: FieldSeries, lo: i64, hi: i64, limit: usize) -> Result<(Vec<i64>, Values)> {
        let mut all: Option<Column> = None;
        self.read(
            fs,
            lo,
            hi,
            |_| false,
            |chunk| {
                let Chunk::Points { times, values } = chunk else {
                    return ControlFlow::Continue(());
                };
                let col = all.get_or_insert_with(|| Column::new(values.field_type()));
                col.extend(times, values);
                if col.len() >= limit {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )?;
        Ok(all.map_or((Vec::new(), Values::Float(Vec::new())), |c| (c.times, c.values)))
    }

    /// The first `limit` points of `fs` in `[lo, hi]`, or with `from_end` the last `limit`,
    /// reading little more than those: a raw query's LIMIT. From the end, block headers
    /// (and the head's points) are counted first to find where the last `limit` begin, so
    /// only the blocks holding them are decoded.
    pub fn points_limited(
        &self,
        fs: FieldSeries,
        lo: i64,
        hi: i64,
        limit: usize,
        from_end: bool,
    ) -> Result<(Vec<i64>, Values)> {
        if limit == 0 {
            return self.points(fs, lo, hi);
        }
        let (times, values) = if from_end {
            // Each chunk's first time and count, in time order.
            let mut spans: Vec<(i64, usize)> = Vec::new();
            self.read(
                fs,
                lo,
                hi,
                |_| true,
                |chunk| {
                    match chunk {
                        Chunk::Summary(h) => spans.push((h.min_time, h.count as usize)),
                        // Points are all at hand: the last `limit` of them are a span
                        // of their own, so a long run of head points is not read whole.
                        Chunk::Points { times, .. } => {
                            let tail = times.len().min(limit);
                            let split = times.len() - tail;
                            if split > 0 {
                                spans.push((times[0], split));
                            }
                            if tail > 0 {
                                spans.push((times[split], tail));
                            }
                        }
                    }
                    ControlFlow::Continue(())
                },
            )?;
            let mut from = None;
            let mut n = 0;
            for &(t, count) in spans.iter().rev() {
                n += count;
                from = Some(t);
                if n >= limit {
                    break;
                }
            }
            match from {
                Some(from) => self.points(fs, from, hi)?,
                None => return Ok((Vec::new(), Values::Float(Vec::new()))),
            }
        } else {
            self.first_points(fs, lo, hi, limit)?
        };
        let n = times.len();
        if n <= limit {
            return Ok((times, values));
        }
        let (a, b) = if from_end { (n - limit, n) } else { (0, limit) };
        let kept = Column::from_parts(times, values).slice(a, b);
        Ok((kept.times, kept.values))
    }

    /// Measurements with data in this shard, sorted.
    pub fn measurements(&self) -> Vec<String> {
        self.index.measurements()
    }

    /// Tag keys of a measurement, sorted.
    pub fn tag_keys(&self, measurement: &str) -> Result<Vec<String>> {
        Ok(self.index.tag_keys(measurement))
    }

    /// Values of a tag key in a measurement, sorted.
    pub fn tag_values(&self, measurement: &str, key: &str) -> Result<Vec<String>> {
        self.index.tag_values(&self.db, measurement, key)
    }

    /// Fields of a measurement with their types and ids, sorted by name.
    pub fn fields(&self, measurement: &str) -> Vec<(String, FieldType, u32)> {
        self.index
            .fields_of(measurement)
            .into_iter()
            .map(|(n, i)| (n, i.field_type, i.id))
            .collect()
    }

    /// The series of `measurement` matching `predicate`, in id order.
    pub fn series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> Result<Vec<SeriesInfo>> {
        let keyed: Vec<(u64, Vec<u8>)> = match predicate {
            None => {
                let mut all = self.db.series_of(measurement)?;
                all.sort_unstable_by_key(|(id, _)| *id);
                all
            }
            Some(_) => {
                // Ids ascend, and so do the keys of `series_ids`: one cursor.
                let mut cursor = self.db.cursor(CF_SERIES_IDS);
                let mut keyed = Vec::new();
                for id in self.series_ids(measurement, predicate)? {
                    let target = id.to_be_bytes();
                    cursor.seek(&target);
                    match (cursor.it.key(), cursor.it.value()) {
                        (Some(k), Some(v)) if k == target => keyed.push((id, v.to_vec())),
                        _ => {
                            self.db.check(&cursor.it)?;
                            return Err(self.missing_series(id));
                        }
                    }
                }
                keyed
            }
        };
        keyed
            .into_iter()
            .map(|(id, key)| {
                let (measurement, tags) = keys::decode_series_key(&key).ok_or_else(|| self.missing_series(id))?;
                Ok(SeriesInfo { id, measurement, tags })
            })
            .collect()
    }

    fn missing_series(&self, id: u64) -> crate::Error {
        crate::Error::Corrupt {
            path: self.db.path.clone(),
            what: format!("series {id} has no key"),
        }
    }
}

/// The state of one [`Shard::read_many`]: the cursor and the buffers blocks decode into,
/// block after block.
struct Scan<'a> {
    shard: &'a Shard,
    cursor: Cursor<'a>,
    lo: i64,
    hi: i64,
    times: Vec<i64>,
    values: Values,
}

impl Scan<'_> {
    /// The chunks of one field-series: its blocks merged with its unflushed points `head`.
    fn field_series(
        &mut self,
        fs: FieldSeries,
        head: Option<Column>,
        summary: &impl Fn(&Header) -> bool,
        f: &mut impl FnMut(Chunk<'_>) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>> {
        let prefix = keys::block_prefix(fs);
        let (lo, hi) = (self.lo, self.hi);
        self.cursor.seek(&keys::block_key(fs, lo));
        let it = &mut self.cursor.it;
        let (times, values) = (&mut self.times, &mut self.values);
        let mut next_head = 0;
        while let (Some(k), Some(v)) = (it.key(), it.value()) {
            if !k.starts_with(&prefix) {
                break;
            }
            let header = self.shard.block_header(v)?;
            if header.min_time > hi {
                break;
            }
            // Unflushed points before this block come first.
            if let Some(h) = &head {
                let (a, b) = (next_head, h.times.partition_point(|&t| t < header.min_time));
                if emit(h, a, b, f).is_break() {
                    return Ok(ControlFlow::Break(()));
                }
                next_head = b.max(next_head);
            }
            let overlap_end = head
                .as_ref()
                .map_or(next_head, |h| h.times.partition_point(|&t| t <= header.max_time));
            let whole = header.min_time >= lo && header.max_time <= hi && overlap_end == next_head;
            let flow = if whole && summary(&header) {
                f(Chunk::Summary(&header))
            } else {
                block::decode(v, times, values).map_err(|e| crate::Error::Corrupt {
                    path: self.shard.db.path.clone(),
                    what: format!("block: {e}"),
                })?;
                let a = times.partition_point(|&t| t < lo);
                let b = times.partition_point(|&t| t <= hi).max(a);
                let flow = match head.as_ref().filter(|_| overlap_end > next_head) {
                    // The block as decoded, cut to the range: no copy.
                    None => f(Chunk::Points {
                        times: &times[a..b],
                        values: values.as_ref().slice(a, b),
                    }),
                    // Unflushed points fall inside this block: merged, the newer winning.
                    Some(h) => {
                        let mut block = Column::new(values.field_type());
                        block.extend(&times[a..b], values.as_ref().slice(a, b));
                        let c = Column::merge(&block, &h.slice(next_head, overlap_end));
                        f(Chunk::Points {
                            times: &c.times,
                            values: c.values_ref(0, c.len()),
                        })
                    }
                };
                next_head = overlap_end;
                flow
            };
            if flow.is_break() {
                return Ok(ControlFlow::Break(()));
            }
            it.next();
        }
        self.shard.db.check(it)?;
        Ok(match &head {
            Some(h) => emit(h, next_head, h.len(), f),
            None => ControlFlow::Continue(()),
        })
    }
}

/// Hands head points `a..b` to `f` (nothing when empty).
fn emit(h: &Column, a: usize, b: usize, f: &mut impl FnMut(Chunk<'_>) -> ControlFlow<()>) -> ControlFlow<()> {
    if a >= b {
        return ControlFlow::Continue(());
    }
    f(Chunk::Points {
        times: &h.times[a..b],
        values: h.values_ref(a, b),
    })
}
