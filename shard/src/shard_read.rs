//! The read side of a shard: points of a field-series over a time range, merged from the
//! blocks and the head, and the index listings behind `SHOW` statements.

use std::ops::ControlFlow;

use block::{FieldType, Header, Values};

use crate::column::Column;
use crate::error::Result;
use crate::head::FieldSeries;
use crate::keys::{self, CF_BLOCKS};
use crate::predicate::TagPredicate;
use crate::shard::Shard;

/// A piece of a field-series, in time order, handed to a reader.
#[derive(Debug)]
pub enum Chunk<'a> {
    /// A whole stored block inside the range and untouched by unflushed writes: its header
    /// (count, time range, sum/min/max/first/last) answers aggregates without decoding.
    Summary(&'a Header),
    /// Points, in time order, no time twice.
    Points { times: &'a [i64], values: &'a Values },
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
        if lo > hi {
            return Ok(());
        }
        // The head first: a flush that lands meanwhile moves points into blocks we have not
        // read yet, never out of both.
        let head = self.head.read(fs, lo, hi);
        let mut next_head = 0;
        let prefix = keys::block_prefix(fs.series, Some(fs.field));
        let mut it = self.db.bounded_iter(CF_BLOCKS, &prefix);
        it.seek(keys::block_key(fs.series, fs.field, lo));
        // Decoded blocks land in the same buffers, block after block.
        let mut times = Vec::new();
        let mut values = Values::Float(Vec::new());
        while let Some(v) = it.value() {
            let header = self.block_header(v)?;
            if header.min_time > hi {
                break;
            }
            // Unflushed points before this block come first.
            if let Some(h) = &head {
                let (a, b) = (next_head, h.times.partition_point(|&t| t < header.min_time));
                if emit(h, a, b, &mut f).is_break() {
                    return Ok(());
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
                block::decode(v, &mut times, &mut values).map_err(|e| crate::Error::Corrupt {
                    path: self.db.path.clone(),
                    what: format!("block: {e}"),
                })?;
                let a = times.partition_point(|&t| t < lo);
                let b = times.partition_point(|&t| t <= hi).max(a);
                let unflushed = head.as_ref().filter(|_| overlap_end > next_head);
                let flow = if unflushed.is_none() && (a, b) == (0, times.len()) {
                    // The whole block as decoded: no copy.
                    f(Chunk::Points {
                        times: &times,
                        values: &values,
                    })
                } else {
                    let mut c = Column::from_sorted(
                        std::mem::take(&mut times),
                        std::mem::replace(&mut values, Values::Float(Vec::new())),
                    );
                    if (a, b) != (0, c.len()) {
                        c = c.slice(a, b);
                    }
                    if let Some(h) = unflushed {
                        c = Column::merge(&c, &h.slice(next_head, overlap_end));
                    }
                    f(Chunk::Points {
                        times: &c.times,
                        values: &c.values,
                    })
                };
                next_head = overlap_end;
                flow
            };
            if flow.is_break() {
                return Ok(());
            }
            it.next();
        }
        self.db.check(&it)?;
        if let Some(h) = &head {
            let _ = emit(h, next_head, h.len(), &mut f);
        }
        Ok(())
    }

    /// The points of `fs` with `lo <= time <= hi`, decoded into one column: raw queries
    /// that need every point, and tests.
    pub fn points(&self, fs: FieldSeries, lo: i64, hi: i64) -> Result<(Vec<i64>, Values)> {
        let mut all: Option<Column> = None;
        self.read(
            fs,
            lo,
            hi,
            |_| false,
            |chunk| {
                if let Chunk::Points { times, values } = chunk {
                    all.get_or_insert_with(|| Column::new(values.field_type()))
                        .extend(times, values);
                }
                ControlFlow::Continue(())
            },
        )?;
        Ok(all.map_or((Vec::new(), Values::Float(Vec::new())), |c| (c.times, c.values)))
    }

    /// Measurements with data in this shard, sorted.
    pub fn measurements(&self) -> Vec<String> {
        self.index.measurements()
    }

    /// Tag keys of a measurement, sorted.
    pub fn tag_keys(&self, measurement: &str) -> Result<Vec<String>> {
        self.db.distinct_after(&keys::posting_prefix(measurement, None, None))
    }

    /// Values of a tag key in a measurement, sorted.
    pub fn tag_values(&self, measurement: &str, key: &str) -> Result<Vec<String>> {
        self.db
            .distinct_after(&keys::posting_prefix(measurement, Some(key), None))
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
        let ids = self.series_ids(measurement, predicate)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let key = self.db.series_key_of(id)?;
            let Some((m, tags)) = key.as_deref().and_then(keys::decode_series_key) else {
                return Err(crate::Error::Corrupt {
                    path: self.db.path.clone(),
                    what: format!("series {id} has no key"),
                });
            };
            out.push(SeriesInfo {
                id,
                measurement: m,
                tags,
            });
        }
        Ok(out)
    }
}

/// Hands head points `a..b` to `f` (nothing when empty).
fn emit(h: &Column, a: usize, b: usize, f: &mut impl FnMut(Chunk<'_>) -> ControlFlow<()>) -> ControlFlow<()> {
    if a >= b {
        return ControlFlow::Continue(());
    }
    let part = h.slice(a, b);
    f(Chunk::Points {
        times: &part.times,
        values: &part.values,
    })
}
