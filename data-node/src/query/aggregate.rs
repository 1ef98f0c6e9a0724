//! aggregate: SELECT with functions. The plan: the calls of the SELECT list (each
//! distinct call once), the buckets of GROUP BY time (`window`), the groups of GROUP BY
//! tags. Per group, each shard computes partial aggregates per bucket through
//! [`ShardReader::aggregate`] (whole blocks from their headers) and the partials merge here;
//! a WHERE on fields, or a function that needs every point, reads the points instead. Then
//! fill, then the SELECT expressions (math, aliases, aux fields of a selector) per row.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use influxql::time::{MAX_TIME, MIN_TIME};
use influxql::{Call, Expr, Fill, Literal, SelectStatement, VarRef};
use meta::MetaData;
use shard::SeriesInfo;

use super::cond::{binary, conjuncts, names, tag_predicate, truthy};
use super::control::{points_bytes, row_bytes, QueryControl, Reservation};
use super::functions::{
    integral, reduce, transform, BucketFunction, Buckets as IntegralBuckets, Integral, Point, Transform,
};
use super::merge::{aux_less, merge_shards};
use super::partial::{value_at, AggKind, Needs, Partial, Picked, ValueKind};
use super::select::{
    emit_row, group_by_tags, group_series, merge_rows, resolve, tag_of, time_scope, unique_names, wildcard_columns,
    zoned, RowView, Target,
};
use super::window::Window;
use super::{QueryContext, QueryExecutor, Row, StatementResult, Value};

/// One call of the SELECT list and how it is computed.
#[derive(Debug, Clone)]
enum Plan {
    /// A mergeable aggregate of a field: partials per shard.
    Merge { kind: AggKind, field: VarRef },
    /// A function over every point of a bucket.
    Bucket { func: BucketFunction, field: VarRef },
    /// `count(distinct(v))`.
    CountDistinct { field: VarRef },
    /// `integral(v)`: a stream over the group's points.
    Integral { f: Integral, field: VarRef },
    /// A transformation of the raw points of a field or of an inner aggregate's rows.
    Transform { t: Transform, input: Box<Plan> },
    /// The raw points of a field (only as a transformation's input).
    Raw { field: VarRef },
}

impl Plan {
    /// Whether the rows show the points' own times: top, bottom and sample always do; the
    /// other selectors when alone in a statement without GROUP BY time.
    fn keeps_point_time(&self, lone: bool, interval: i64) -> bool {
        match self {
            Plan::Bucket { func, .. } => {
                matches!(
                    func,
                    BucketFunction::Top { .. } | BucketFunction::Bottom { .. } | BucketFunction::Sample(_)
                ) || (lone && interval == 0 && func.is_selector())
            }
            Plan::Merge { kind, .. } => lone && interval == 0 && kind.is_selector(),
            _ => false,
        }
    }

    /// The tag arguments of top()/bottom(), shown as columns after the call's.
    fn tag_args(&self) -> &[String] {
        match self {
            Plan::Bucket {
                func: BucketFunction::Top { tags, .. } | BucketFunction::Bottom { tags, .. },
                ..
            } => tags,
            _ => &[],
        }
    }

    /// The mergeable aggregate this call computes, itself or inside a transformation.
    fn merge_kind(&self) -> Option<AggKind> {
        match self {
            Plan::Merge { kind, .. } => Some(*kind),
            Plan::Transform { input, .. } => input.merge_kind(),
            _ => None,
        }
    }

    fn counts(&self) -> bool {
        matches!(
            self,
            Plan::Merge {
                kind: AggKind::Count,
                ..
            } | Plan::CountDistinct { .. }
        )
    }
}

/// The calls of a statement, in the order they first appear.
struct Calls {
    exprs: Vec<Call>,
    plans: Vec<Plan>,
}

impl Calls {
    fn index(&self, c: &Call) -> Option<usize> {
        self.exprs.iter().position(|e| e == c)
    }
}

/// A value a call gives a row.
#[derive(Debug, Clone)]
struct Out {
    /// The row's time: the bucket start, or the selected point's time.
    time: i64,
    value: Value,
    /// The selected point of a mergeable selector, for aux fields: (member index, time).
    pick: Option<(usize, i64)>,
    /// Values carried by a point of a bucket function: its tag arguments, then the
    /// statement's aux fields.
    aux: Vec<Value>,
}

impl Out {
    fn at(time: i64, value: Value) -> Out {
        Out {
            time,
            value,
            pick: None,
            aux: Vec::new(),
        }
    }
}

/// A tag or field shown next to a selector.
#[derive(Debug, Clone)]
enum AuxRef {
    Tag(String),
    Field(String),
}

impl AuxRef {
    fn name(&self) -> &str {
        match self {
            AuxRef::Tag(n) | AuxRef::Field(n) => n,
        }
    }
}

pub(super) fn execute(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &SelectStatement,
    ctx: &QueryContext,
    emit: &mut dyn FnMut(StatementResult),
) -> Result<(), String> {
    let (location, condition, range) = time_scope(s, ctx.now)?;
    let (interval, offset) = group_by_interval(&s.dimensions, ctx.now)?;
    let lo = range.min.unwrap_or(MIN_TIME);
    // With GROUP BY time an open range ends now, as in InfluxDB.
    let hi = range.max.unwrap_or(if interval > 0 { ctx.now } else { MAX_TIME });
    let mut window = Window {
        interval,
        offset,
        location,
        lo,
        hi,
    };
    let max_buckets = if ex.limits.max_select_buckets > 0 {
        ex.limits.max_select_buckets
    } else {
        BUCKET_CEILING
    };
    if interval > 0 && lo > MIN_TIME {
        check_buckets(&window, lo, max_buckets)?;
    }
    let targets = resolve(ex, meta, &s.sources, ctx, lo, hi)?;
    // Each field name's type: the first measurement that has it decides.
    let mut field_types: BTreeMap<String, shard::FieldType> = BTreeMap::new();
    for t in &targets {
        for (name, ty) in &t.fields {
            field_types.entry(name.clone()).or_insert(*ty);
        }
    }
    let all_tags: BTreeSet<String> = targets.iter().flat_map(|t| t.tags.clone()).collect();
    let group_tags = group_by_tags(&s.dimensions, &all_tags)?;
    let expanded = expand_wildcards(s, &field_types, &all_tags, &group_tags);
    let s = expanded.as_ref().unwrap_or(s);
    type_check(s, &field_types, &all_tags)?;
    let calls = plan_calls(s, interval)?;
    // With a fill, GROUP BY time over a bounded range gives one row per bucket and call:
    // LIMIT needs only the first (DESC: the last) OFFSET + LIMIT buckets, so only those are
    // read. (Without a fill empty buckets give no row; linear fill looks past the range.)
    if s.limit > 0
        && interval > 0
        && lo > MIN_TIME
        && window.location.is_none()
        && !matches!(s.fill, Fill::None | Fill::Linear)
        && calls.plans.iter().all(|p| matches!(p, Plan::Merge { .. }))
    {
        let span = i64::try_from(s.offset.saturating_add(s.limit))
            .unwrap_or(i64::MAX)
            .saturating_mul(interval);
        if s.sort_fields.first().is_some_and(|f| !f.ascending) {
            let first = window.start(window.hi).saturating_sub(span - interval);
            window.lo = window.lo.max(first);
        } else {
            let last = window.start(window.lo).saturating_add(span).saturating_sub(1);
            window.hi = window.hi.min(last);
        }
    }
    let lone = calls.plans.len() == 1;
    let needs = Needs {
        variance: calls.plans.iter().any(|p| p.merge_kind() == Some(AggKind::Stddev)),
        picks: calls.plans.iter().any(|p| {
            p.merge_kind().is_some_and(|k| {
                matches!(
                    k,
                    AggKind::Min | AggKind::Max | AggKind::First | AggKind::Last | AggKind::Spread
                )
            })
        }),
        // Block headers keep first/last times but not the min/max ones: only a lone min() or
        // max() needs the blocks decoded.
        extreme_times: calls.plans.iter().any(|p| {
            p.keeps_point_time(lone, interval)
                && matches!(
                    p,
                    Plan::Merge {
                        kind: AggKind::Min | AggKind::Max,
                        ..
                    }
                )
        }),
    };
    // Columns: each field, and after a top()/bottom() call its tag arguments.
    let mut names: Vec<(String, bool)> = Vec::new();
    for f in &s.fields {
        names.push((f.name(), !f.alias.is_empty()));
        if let Expr::Call(c) = &f.expr {
            if let Some(i) = calls.index(c) {
                names.extend(calls.plans[i].tag_args().iter().map(|t| (t.clone(), false)));
            }
        }
    }
    let header: Vec<String> = std::iter::once("time".to_owned())
        .chain(unique_names(names.into_iter()))
        .collect();
    let aux_refs: Vec<&VarRef> = s
        .fields
        .iter()
        .filter_map(|f| match &f.expr {
            Expr::VarRef(v) => Some(v),
            _ => None,
        })
        .collect();
    let descending = s.sort_fields.first().is_some_and(|f| !f.ascending);

    // Points read here, and how many of them the query's count has.
    let mut points_read = 0u64;
    let mut points_counted = 0u64;
    // Buckets of every group of every measurement: the query's count for max-select-buckets.
    let mut buckets_total: i128 = 0;
    for target in &targets {
        let is_tag = |name: &str| !target.fields.contains_key(name);
        let (pushed, filters) = split_condition(condition.as_ref(), &is_tag);
        let aux: Vec<AuxRef> = aux_refs
            .iter()
            .map(|v| {
                if v.data_type == Some(influxql::DataType::Tag) || is_tag(&v.name) {
                    AuxRef::Tag(v.name.clone())
                } else {
                    AuxRef::Field(v.name.clone())
                }
            })
            .collect();
        let mut groups = group_series(target, pushed.as_ref(), &group_tags)?;
        for members in groups.values_mut() {
            // Members in series-key order, the order InfluxDB's reducers meet them.
            members.sort_by_cached_key(|(shard_idx, info)| (series_key(info), *shard_idx));
            ctx.control
                .read_series(members.len() as u64, ex.limits.max_select_series)?;
        }
        if interval > 0 && window.lo > MIN_TIME && ex.limits.max_select_buckets > 0 {
            buckets_total += bucket_count(&window, window.lo) * groups.len() as i128;
            if buckets_total > i128::from(ex.limits.max_select_buckets) {
                return Err(format!(
                    "max-select-buckets limit exceeded: ({buckets_total}/{})",
                    ex.limits.max_select_buckets
                ));
            }
        }
        // Partial aggregates and finished rows count against the query's memory while held.
        let mut held = Reservation::new(&ctx.control);
        // The mergeable calls of every group at once: each shard is read once for all
        // groups (GROUP BY host over 1000 hosts: one read, not 1000).
        let mut prefetched: Vec<HashMap<(String, i64, i64), Buckets>> = vec![HashMap::new(); groups.len()];
        if groups.len() > 1 && filters.is_empty() {
            let fields: BTreeSet<&str> = calls
                .plans
                .iter()
                .filter_map(|p| match p {
                    Plan::Merge { field, .. } if target.fields.contains_key(&field.name) => Some(field.name.as_str()),
                    _ => None,
                })
                .collect();
            let lists: Vec<&[(usize, SeriesInfo)]> = groups.values().map(|m| m.as_slice()).collect();
            for field in fields {
                let all = group_partials(target, &lists, field, &window, needs, &mut points_read, &mut held)?;
                for (g, buckets) in all.into_iter().enumerate() {
                    prefetched[g].insert((field.to_owned(), window.lo, window.hi), buckets);
                }
            }
        }
        let mut series_rows: Vec<(String, Row)> = Vec::new();
        for ((key, members), partials) in groups.into_iter().zip(prefetched) {
            ctx.control.check()?;
            // What the group reads for itself is given back when it is done.
            let mut group_held = Reservation::new(&ctx.control);
            let mut group = Group {
                target,
                members: &members,
                filters: &filters,
                aux: &aux,
                needs,
                lone,
                descending,
                max_buckets,
                fill: s.fill,
                points_read: &mut points_read,
                held: &mut group_held,
                partials,
            };
            let mut outs: Vec<Vec<Out>> = Vec::with_capacity(calls.plans.len());
            for plan in &calls.plans {
                outs.push(group.compute(plan, &window)?);
            }
            ctx.control
                .read_points(points_read - points_counted, ex.limits.max_select_point)?;
            points_counted = points_read;
            // LIMIT and OFFSET apply to each call's rows before they are zipped by time, as
            // InfluxDB limits each call's iterator: `cumulative_sum(v), moving_average(v, 2)
            // … LIMIT 3` answers four rows.
            for out in &mut outs {
                limit_rows(out, s.offset as usize, s.limit as usize, descending);
            }
            let mut rows = assemble(s, &calls, &outs, &members, target, &ctx.control)?;
            if rows.is_empty() {
                continue;
            }
            if descending {
                rows.reverse();
            }
            // Without SLIMIT/SOFFSET or DESC, which order the groups, a group goes out as soon
            // as it is done.
            if s.soffset == 0 && s.slimit == 0 && !descending {
                let row = Row {
                    name: target.name.clone(),
                    tags: group_tags.iter().cloned().zip(key).collect(),
                    columns: header.clone(),
                    values: rows,
                    partial: false,
                };
                emit_row(zoned(row, window.location.as_ref()), ctx.chunk_size, emit);
                continue;
            }
            held.grow(rows.iter().map(|r| row_bytes(r)).sum())?;
            // SLIMIT/SOFFSET count series by their tags as a key (`a=1,b=2`, absent tags
            // left out), while results come in the order of the tag values.
            let tag_key = group_tags
                .iter()
                .zip(&key)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            series_rows.push((
                tag_key,
                Row {
                    name: target.name.clone(),
                    tags: group_tags.iter().cloned().zip(key).collect(),
                    columns: header.clone(),
                    values: rows,
                    partial: false,
                },
            ));
        }
        if s.soffset > 0 || s.slimit > 0 {
            let mut order: Vec<usize> = (0..series_rows.len()).collect();
            order.sort_by(|a, b| series_rows[*a].0.cmp(&series_rows[*b].0));
            let keep: BTreeSet<usize> = order
                .into_iter()
                .skip(s.soffset as usize)
                .take(if s.slimit > 0 { s.slimit as usize } else { usize::MAX })
                .collect();
            let mut i = 0;
            series_rows.retain(|_| {
                i += 1;
                keep.contains(&(i - 1))
            });
        }
        if descending {
            series_rows.reverse();
        }
        for (_, row) in series_rows {
            emit_row(zoned(row, window.location.as_ref()), ctx.chunk_size, emit);
        }
    }
    Ok(())
}

/// Keeps the rows `offset..offset + limit` (`limit` 0: all) of one call, counted in the
/// query's order: from the end of the ascending `out` when descending.
fn limit_rows(out: &mut Vec<Out>, offset: usize, limit: usize, descending: bool) {
    let limit = if limit == 0 { usize::MAX } else { limit };
    let n = out.len();
    let (from, to) = if descending {
        let to = n.saturating_sub(offset);
        (to.saturating_sub(limit), to)
    } else {
        (offset.min(n), offset.saturating_add(limit).min(n))
    };
    out.truncate(to);
    out.drain(..from);
}

/// Rows or buckets made between two looks at whether the query was stopped: a few
/// milliseconds of work.
const CHECK_EVERY: usize = 16_384;

/// With `max-select-buckets = 0` a query still stops here: filling more buckets would hold
/// them all in memory (InfluxDB 1.6.7 runs out of memory instead).
const BUCKET_CEILING: u64 = 10_000_000;

/// InfluxDB's count of buckets from the one holding `first` to the one holding the range's
/// end, against the limit.
fn check_buckets(window: &Window, first: i64, limit: u64) -> Result<(), String> {
    let buckets = bucket_count(window, first);
    if buckets > i128::from(limit) {
        return Err(format!("max-select-buckets limit exceeded: ({buckets}/{limit})"));
    }
    Ok(())
}

/// The buckets from the one holding `first` to the one holding the range's end.
fn bucket_count(window: &Window, first: i64) -> i128 {
    let span = i128::from(window.start(window.hi)) - i128::from(window.start(first));
    span / i128::from(window.interval.max(1)) + 1
}

/// One group of series being aggregated, and what its calls share.
struct Group<'a> {
    target: &'a Target,
    members: &'a [(usize, SeriesInfo)],
    filters: &'a [&'a Expr],
    aux: &'a [AuxRef],
    needs: Needs,
    lone: bool,
    descending: bool,
    /// Buckets a fill may create (an open range starts at the first point).
    max_buckets: u64,
    fill: Fill,
    points_read: &'a mut u64,
    /// The query's memory the group's partial aggregates hold.
    held: &'a mut Reservation,
    /// Partials per (field, range): calls on the same field share one read.
    partials: HashMap<(String, i64, i64), Buckets>,
}

impl Group<'_> {
    /// The rows one call gives this group, in ascending time.
    fn compute(&mut self, plan: &Plan, window: &Window) -> Result<Vec<Out>, String> {
        let interval = window.interval;
        // Rows without GROUP BY time show the start of the range (the epoch if open).
        let flat_time = if window.lo == MIN_TIME { 0 } else { window.lo };
        let bucket_time = |start: i64| if interval == 0 { flat_time } else { start };
        let fill = if plan.counts() && self.fill == Fill::Null {
            Fill::Integer(0)
        } else {
            self.fill
        };
        Ok(match plan {
            Plan::Merge { kind, field } => {
                let buckets = self.partials(field, window)?;
                let keep_time = plan.keeps_point_time(self.lone, interval);
                let mut values = Vec::with_capacity(buckets.len());
                for (start, p) in &buckets {
                    let Some(value) = p.finish(*kind)? else {
                        continue;
                    };
                    let pick = p.picked(*kind).map(|x: &Picked| (x.series, x.time));
                    let time = match pick {
                        Some((_, t)) if keep_time => t,
                        _ => bucket_time(*start),
                    };
                    values.push(Out {
                        time,
                        value,
                        pick,
                        aux: Vec::new(),
                    });
                }
                self.fill(values, window, &fill)?
            }
            Plan::Bucket { func, field } => {
                let keep_time = plan.keeps_point_time(self.lone, interval);
                let points = self.points(field, plan.tag_args(), window)?;
                let mut values = Vec::new();
                for (start, bucket) in by_bucket(points, window) {
                    for p in reduce(func, bucket, bucket_time(start))? {
                        values.push(Out {
                            time: if keep_time { p.time } else { bucket_time(start) },
                            value: p.value,
                            pick: None,
                            aux: p.aux,
                        });
                    }
                }
                if keep_time {
                    // Listed so that the final reversal of a DESC query leaves buckets
                    // descending and the rows inside each ascending, as InfluxDB does.
                    let point_rows = matches!(
                        func,
                        BucketFunction::Top { .. } | BucketFunction::Bottom { .. } | BucketFunction::Sample(_)
                    );
                    if self.descending && point_rows {
                        values.sort_by_key(|o| (window.start(o.time), std::cmp::Reverse(o.time)));
                    } else {
                        values.sort_by_key(|o| o.time);
                    }
                    values
                } else {
                    self.fill(values, window, &fill)?
                }
            }
            Plan::CountDistinct { field } => {
                let points = self.points(field, &[], window)?;
                let mut values = Vec::new();
                for (start, bucket) in by_bucket(points, window) {
                    let n = reduce(&BucketFunction::Distinct, bucket, start)?.len();
                    values.push(Out::at(bucket_time(start), Value::Integer(n as i64)));
                }
                self.fill(values, window, &fill)?
            }
            Plan::Integral { f, field } => {
                let points = self.points(field, &[], window)?;
                let bounds = |t: i64| window.bounds(t);
                let buckets = if interval == 0 {
                    IntegralBuckets::All {
                        start: window.lo,
                        end: window.hi,
                    }
                } else {
                    IntegralBuckets::Every(&bounds)
                };
                let out = integral(f, &points, buckets, !self.descending)?;
                let values: Vec<Out> = out.into_iter().map(|p| Out::at(p.time, p.value)).collect();
                self.fill(values, window, &fill)?
            }
            Plan::Raw { field } => self
                .points(field, &[], window)?
                .into_iter()
                .map(|p| Out::at(p.time, p.value))
                .collect(),
            Plan::Transform { t, input } => {
                let nested = !matches!(**input, Plan::Raw { .. });
                // Only transformations that look at the previous row need the extra bucket.
                let extend = nested && !matches!(t, Transform::CumulativeSum);
                // An inner aggregate starts one bucket early so the first bucket has a
                // predecessor; fill(null) skips empty buckets, other fills apply inside.
                let mut inner_window = window.clone();
                if extend && interval > 0 {
                    if self.descending {
                        inner_window.hi = window.hi.saturating_add(interval);
                    } else if window.lo > MIN_TIME {
                        inner_window.lo = window.lo.saturating_sub(interval);
                    }
                }
                let saved = self.fill;
                if self.fill == Fill::Null && !input.counts() {
                    self.fill = Fill::None;
                }
                let inner = self.compute(input, &inner_window);
                self.fill = saved;
                let mut rows: Vec<Point> = inner?
                    .into_iter()
                    .filter(|o| o.value != Value::Null)
                    .map(|o| Point {
                        time: o.time,
                        value: o.value,
                        aux: Vec::new(),
                    })
                    .collect();
                // Raw points come in the query's order already; an inner aggregate's rows
                // ascend.
                if self.descending && nested {
                    rows.reverse();
                }
                let mut out: Vec<Out> = transform(t, &rows, !self.descending, interval)?
                    .into_iter()
                    .map(|p| Out::at(p.time, p.value))
                    .collect();
                // Rows of the extra bucket go; forecasts past the range stay.
                if nested && interval > 0 {
                    if self.descending {
                        let last = window.start(window.hi);
                        out.retain(|o| o.time <= last);
                    } else {
                        let first = window.start(window.lo);
                        out.retain(|o| o.time >= first);
                    }
                }
                out.sort_by_key(|o| o.time);
                out
            }
        })
    }

    /// Partials of a field per bucket over the group: from the shards' own aggregation, or
    /// from the rows that pass the WHERE's field conditions.
    fn partials(&mut self, field: &VarRef, window: &Window) -> Result<Buckets, String> {
        let key = (field.name.clone(), window.lo, window.hi);
        if let Some(b) = self.partials.get(&key) {
            return Ok(b.clone());
        }
        let buckets = if !self.target.fields.contains_key(&field.name) {
            Vec::new()
        } else if self.filters.is_empty() {
            self.shard_partials(&field.name, window)?
        } else {
            let mut merged: BTreeMap<i64, Partial> = BTreeMap::new();
            let needs = self.needs;
            self.rows(&field.name, &[], window, &mut |t, value, member, _| {
                merged.entry(window.start(t)).or_default().add(t, value, member, needs);
            })?;
            merged.into_iter().collect()
        };
        self.partials.insert(key, buckets.clone());
        Ok(buckets)
    }

    /// [`fill_buckets`], with the memory of the filled buckets reserved first: a fill over a
    /// long range at a short interval is the largest thing a query makes from little data.
    fn fill(&mut self, values: Vec<Out>, window: &Window, fill: &Fill) -> Result<Vec<Out>, String> {
        if window.interval > 0 && *fill != Fill::None && !values.is_empty() {
            let first = if window.lo == MIN_TIME {
                values[0].time
            } else {
                window.lo
            };
            let buckets = bucket_count(window, first);
            if buckets <= i128::from(self.max_buckets) {
                let bytes = usize::try_from(buckets)
                    .unwrap_or(usize::MAX)
                    .saturating_mul(size_of::<Out>());
                self.held.grow(bytes)?;
            }
        }
        fill_buckets(
            values,
            window,
            fill,
            self.descending,
            self.max_buckets,
            self.held.control(),
        )
    }

    /// Each shard aggregates its run of the members; partials merge here.
    fn shard_partials(&mut self, field: &str, window: &Window) -> Result<Buckets, String> {
        let all = group_partials(
            self.target,
            &[self.members],
            field,
            window,
            self.needs,
            self.points_read,
            self.held,
        )?;
        Ok(all.into_iter().next().unwrap_or_default())
    }

    /// The group's points of a field in the query's order (time, equal times in series-key
    /// order; reversed when descending), each with the values of `tag_args` and of the
    /// statement's aux fields.
    fn points(&mut self, field: &VarRef, tag_args: &[String], window: &Window) -> Result<Vec<Point>, String> {
        if !self.target.fields.contains_key(&field.name) {
            return Ok(Vec::new());
        }
        // Members are in series-key order: (time, member) orders equal times by series key.
        let mut keyed: Vec<(i64, usize, Point)> = Vec::new();
        // top(v, host, 2): the tag arguments (fields too, as InfluxDB allows) come first.
        let mut aux: Vec<AuxRef> = tag_args
            .iter()
            .map(|k| {
                if self.target.fields.contains_key(k) {
                    AuxRef::Field(k.clone())
                } else {
                    AuxRef::Tag(k.clone())
                }
            })
            .collect();
        aux.extend(self.aux.iter().cloned());
        self.rows(&field.name, &aux, window, &mut |t, value, member, (_, aux_values)| {
            let carried: Vec<Value> = aux_values
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Null if i < tag_args.len() => Value::String(String::new()),
                    v => v.clone(),
                })
                .collect();
            keyed.push((
                t,
                member,
                Point {
                    time: t,
                    value: value.clone(),
                    aux: carried,
                },
            ));
        })?;
        if self.descending {
            keyed.sort_by_key(|(t, member, _)| (*t, *member));
            return Ok(keyed.into_iter().rev().map(|(_, _, p)| p).collect());
        }
        // Equal times come in the order InfluxDB's sorted merge meets them: each shard merges
        // its series (in key order) in a heap, then the shards (oldest first); the carried
        // tags and fields order them while they are strings.
        let mut per_shard: BTreeMap<usize, BTreeMap<usize, Vec<(i64, Point)>>> = BTreeMap::new();
        for (t, member, p) in keyed {
            let shard = self.members[member].0;
            per_shard
                .entry(shard)
                .or_default()
                .entry(member)
                .or_default()
                .push((t, p));
        }
        // Go keeps the auxiliary references sorted by name.
        let mut by_name: Vec<usize> = (0..aux.len()).collect();
        by_name.sort_by(|&a, &b| aux[a].name().cmp(aux[b].name()));
        let shards = per_shard.into_values().map(|m| m.into_values().collect()).collect();
        Ok(merge_shards(shards, &|a: &Point, b: &Point| {
            aux_less(&a.aux, &b.aux, &by_name)
        }))
    }

    /// Walks the rows of every member that pass the filters, handing `f` the time, the
    /// value of `field`, the member index, and the series with the values of `aux`.
    fn rows(&mut self, field: &str, aux: &[AuxRef], window: &Window, f: &mut RowSink<'_>) -> Result<(), String> {
        let mut needed: BTreeSet<String> = BTreeSet::new();
        needed.insert(field.to_owned());
        for a in aux {
            if let AuxRef::Field(n) = a {
                needed.insert(n.clone());
            }
        }
        for e in self.filters {
            let mut n = Vec::new();
            names(e, &mut n);
            needed.extend(n);
        }
        needed.retain(|n| self.target.fields.contains_key(n));
        let needed: Vec<String> = needed.into_iter().collect();
        let Some(slot) = needed.iter().position(|n| n == field) else {
            return Ok(());
        };
        for (idx, (shard_idx, info)) in self.members.iter().enumerate() {
            self.held.control().check()?;
            let sh = &self.target.shards[*shard_idx];
            let mut cols = Vec::with_capacity(needed.len());
            for n in &needed {
                let c = sh.points(info, n, window.lo, window.hi).map_err(super::storage_error)?;
                *self.points_read += c.as_ref().map_or(0, |(t, _)| t.len() as u64);
                cols.push(c);
            }
            // The points are read whole for functions that need them all (percentile,
            // derivative, ...), and the caller keeps about as much: held for the group.
            self.held
                .grow(cols.iter().flatten().map(|(t, v)| points_bytes(t, v)).sum())?;
            let mut aux_values = Vec::with_capacity(aux.len());
            merge_rows(&needed, &cols, |t, fields| {
                if fields[slot] == Value::Null {
                    return;
                }
                let view = RowView {
                    tags: &info.tags,
                    tag_keys: &self.target.tags,
                    needed: &needed,
                    fields,
                };
                if !self.filters.iter().all(|e| truthy(e, &view)) {
                    return;
                }
                aux_values.clear();
                for a in aux {
                    aux_values.push(match a {
                        AuxRef::Tag(k) => tag_of(&info.tags, k).map_or(Value::Null, |v| Value::String(v.to_owned())),
                        AuxRef::Field(n) => needed
                            .iter()
                            .position(|x| x == n)
                            .map_or(Value::Null, |i| fields[i].clone()),
                    });
                }
                f(t, &fields[slot], idx, (info, &aux_values));
            });
        }
        Ok(())
    }
}

/// The series key that orders equal times, as InfluxDB's merge does.
fn series_key(info: &SeriesInfo) -> String {
    let mut k = info.measurement.clone();
    for (t, v) in &info.tags {
        k.push(',');
        k.push_str(t);
        k.push('=');
        k.push_str(v);
    }
    k
}

/// Points split by bucket, in the points' order; buckets in the order they are met.
fn by_bucket(points: Vec<Point>, window: &Window) -> Vec<(i64, Vec<Point>)> {
    let mut out: Vec<(i64, Vec<Point>)> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    for p in points {
        let start = window.start(p.time);
        let i = *index.entry(start).or_insert_with(|| {
            out.push((start, Vec::new()));
            out.len() - 1
        });
        out[i].1.push(p);
    }
    out.sort_by_key(|(s, _)| *s);
    out
}

/// `GROUP BY time(interval[, offset])`: (interval, offset) in ns, (0, 0) without one.
fn group_by_interval(dims: &[Expr], now: i64) -> Result<(i64, i64), String> {
    for d in dims {
        let Expr::Call(c) = d else { continue };
        if c.name != "time" {
            continue;
        }
        let duration = |e: Option<&Expr>| match e {
            Some(Expr::Literal(Literal::Duration(d))) => Ok(*d),
            // `time(1m, now())`: buckets end at the query's now, as in InfluxDB.
            Some(Expr::Call(f)) if f.name == "now" && f.args.is_empty() => Ok(now),
            None => Ok(0),
            Some(other) => Err(format!("time dimension offset must be duration or now(), got {other}")),
        };
        let interval = duration(c.args.first())?;
        let offset = duration(c.args.get(1))?;
        return Ok((interval, if interval > 0 { offset.rem_euclid(interval) } else { 0 }));
    }
    Ok((0, 0))
}

/// `mean(*)`, `count(/re/)`: one call per matching field of the sources (sorted, the types
/// the function takes), named `<function>_<field>` (or `<alias>_<field>`); `max(v), *`:
/// every field and tag not grouped by, sorted by name, next to the selector. As InfluxDB
/// rewrites them; `None` when there is nothing to expand.
fn expand_wildcards(
    s: &SelectStatement,
    fields: &BTreeMap<String, shard::FieldType>,
    tags: &BTreeSet<String>,
    group_tags: &[String],
) -> Option<SelectStatement> {
    let is_wildcard = |e: &Expr| matches!(e, Expr::Wildcard(_) | Expr::Literal(Literal::Regex(_)));
    let expandable = |e: &Expr| is_wildcard(e) || matches!(e, Expr::Call(c) if c.args.first().is_some_and(is_wildcard));
    if !s.fields.iter().any(|f| expandable(&f.expr)) {
        return None;
    }
    let mut out = s.clone();
    out.fields.clear();
    for f in &s.fields {
        if is_wildcard(&f.expr) {
            out.fields.extend(
                wildcard_columns(&f.expr, fields, tags, group_tags)
                    .into_iter()
                    .map(|(name, is_tag)| influxql::Field {
                        expr: Expr::VarRef(VarRef {
                            name,
                            data_type: is_tag.then_some(influxql::DataType::Tag),
                        }),
                        alias: String::new(),
                    }),
            );
            continue;
        }
        let Expr::Call(c) = &f.expr else {
            out.fields.push(f.clone());
            continue;
        };
        if !expandable(&f.expr) {
            out.fields.push(f.clone());
            continue;
        }
        let any_type = matches!(
            c.name.as_str(),
            "count" | "first" | "last" | "distinct" | "elapsed" | "mode" | "sample"
        );
        for (name, ty) in fields {
            let hit = match &c.args[0] {
                Expr::Literal(Literal::Regex(re)) => re.regex().is_match(name),
                _ => true,
            };
            let numeric = matches!(
                ty,
                shard::FieldType::Float | shard::FieldType::Integer | shard::FieldType::Unsigned
            );
            let bool_ok = *ty == shard::FieldType::Boolean && matches!(c.name.as_str(), "max" | "min");
            if !hit || !(any_type || numeric || bool_ok) {
                continue;
            }
            let mut call = c.clone();
            call.args[0] = Expr::VarRef(VarRef::new(name.clone()));
            let prefix = if f.alias.is_empty() { &c.name } else { &f.alias };
            out.fields.push(influxql::Field {
                expr: Expr::Call(call),
                alias: format!("{prefix}_{name}"),
            });
        }
    }
    Some(out)
}

/// Each distinct call of the SELECT list, planned.
fn plan_calls(s: &SelectStatement, interval: i64) -> Result<Calls, String> {
    let mut calls = Calls {
        exprs: Vec::new(),
        plans: Vec::new(),
    };
    for f in &s.fields {
        let mut found = Vec::new();
        top_calls(&f.expr, &mut found);
        for c in found {
            if calls.index(c).is_some() {
                continue;
            }
            calls.plans.push(plan_call(c, interval)?);
            calls.exprs.push(c.clone());
        }
    }
    Ok(calls)
}

fn plan_call(c: &Call, interval: i64) -> Result<Plan, String> {
    let field = |e: Option<&Expr>| match e {
        Some(Expr::VarRef(v)) => Ok(v.clone()),
        Some(Expr::Distinct(name)) => Ok(VarRef::new(name.clone())),
        _ => Err(format!("expected field argument in {}()", c.name)),
    };
    if let Some(kind) = AggKind::from_name(&c.name) {
        // count(distinct(v)) and count(DISTINCT v).
        if kind == AggKind::Count {
            match c.args.first() {
                Some(Expr::Call(inner)) if inner.name == "distinct" => {
                    return Ok(Plan::CountDistinct {
                        field: field(inner.args.first())?,
                    })
                }
                Some(Expr::Distinct(name)) => {
                    return Ok(Plan::CountDistinct {
                        field: VarRef::new(name.clone()),
                    })
                }
                _ => {}
            }
        }
        return Ok(Plan::Merge {
            kind,
            field: field(c.args.first())?,
        });
    }
    if c.name == "integral" {
        return Ok(Plan::Integral {
            f: Integral::from_call(c)?,
            field: field(c.args.first())?,
        });
    }
    if c.name == "distinct"
        || matches!(
            c.name.as_str(),
            "median" | "mode" | "percentile" | "sample" | "top" | "bottom"
        )
    {
        return Ok(Plan::Bucket {
            func: BucketFunction::from_call(c)?,
            field: field(c.args.first())?,
        });
    }
    let t = Transform::from_call(c, interval)?;
    let input = match c.args.first() {
        Some(Expr::Call(inner)) => plan_call(inner, interval)?,
        other => Plan::Raw { field: field(other)? },
    };
    Ok(Plan::Transform {
        t,
        input: Box::new(input),
    })
}

/// The outermost calls of an expression.
fn top_calls<'a>(e: &'a Expr, out: &mut Vec<&'a Call>) {
    match e {
        // A math function applies to each row of the calls inside it.
        Expr::Call(c) if c.is_math() => c.args.iter().for_each(|a| top_calls(a, out)),
        Expr::Call(c) => out.push(c),
        Expr::Binary(b) => {
            top_calls(&b.lhs, out);
            top_calls(&b.rhs, out);
        }
        Expr::Paren(inner) => top_calls(inner, out),
        _ => {}
    }
}

/// A WHERE without its time part, as an index predicate for tags and row filters for the
/// rest.
fn split_condition<'a>(
    condition: Option<&'a Expr>,
    is_tag: &dyn Fn(&str) -> bool,
) -> (Option<shard::TagPredicate>, Vec<&'a Expr>) {
    let mut pushed = None;
    let mut filters = Vec::new();
    if let Some(c) = condition {
        for part in conjuncts(c) {
            match tag_predicate(part, is_tag) {
                Ok(p) => {
                    pushed = match (pushed, p) {
                        (None, p) | (p, None) => p,
                        (Some(a), Some(b)) => Some(shard::TagPredicate::And(Box::new(a), Box::new(b))),
                    }
                }
                Err(()) => filters.push(part),
            }
        }
    }
    (pushed, filters)
}

type Buckets = Vec<(i64, Partial)>;

/// Partials of `field` per bucket for each group: each shard aggregates its members of
/// every group in one call, and the shards' partials merge here. Picks index the group's
/// members.
fn group_partials(
    target: &Target,
    groups: &[&[(usize, SeriesInfo)]],
    field: &str,
    window: &Window,
    needs: Needs,
    points_read: &mut u64,
    held: &mut Reservation,
) -> Result<Vec<Buckets>, String> {
    // Per shard, per group: the members there, and their indexes in the group.
    type OnShard = (Vec<Vec<usize>>, Vec<Vec<SeriesInfo>>);
    let mut per_shard: BTreeMap<usize, OnShard> = BTreeMap::new();
    for (g, members) in groups.iter().enumerate() {
        for (i, (shard_idx, info)) in members.iter().enumerate() {
            let (idx, infos) = per_shard
                .entry(*shard_idx)
                .or_insert_with(|| (vec![Vec::new(); groups.len()], vec![Vec::new(); groups.len()]));
            idx[g].push(i);
            infos[g].push(info.clone());
        }
    }
    let mut merged: Vec<BTreeMap<i64, Partial>> = vec![BTreeMap::new(); groups.len()];
    for (shard_idx, (idx, infos)) in &per_shard {
        let got = target.shards[*shard_idx]
            .aggregate(infos, field, window, needs)
            .map_err(super::storage_error)?;
        held.grow(got.iter().map(|p| p.buckets.len()).sum::<usize>() * size_of::<(i64, Partial)>())?;
        for ((part, idx), merged) in got.into_iter().zip(idx).zip(&mut merged) {
            *points_read += part.points;
            for (start, mut p) in part.buckets {
                for pick in [&mut p.min, &mut p.max, &mut p.first, &mut p.last]
                    .into_iter()
                    .flatten()
                {
                    pick.series = idx.get(pick.series).copied().unwrap_or(usize::MAX);
                }
                merged.entry(start).or_default().merge(p);
            }
        }
    }
    Ok(merged.into_iter().map(|m| m.into_iter().collect()).collect())
}

/// What [`Group::rows`] hands each row to: time, the field's value, the member index, and
/// the series with the row's aux values.
type RowSink<'a> = dyn FnMut(i64, &Value, usize, (&SeriesInfo, &[Value])) + 'a;

/// Fills the empty buckets of one call between the query's bounds (from the first bucket
/// with data when the range is open), as InfluxDB's fill iterator does, walking backwards
/// for ORDER BY time DESC (so `previous` is the later bucket). A group without any value
/// stays empty. A number fills strings with "" and booleans with false, as Go casts it.
fn fill_buckets(
    values: Vec<Out>,
    window: &Window,
    fill: &Fill,
    descending: bool,
    max_buckets: u64,
    control: &QueryControl,
) -> Result<Vec<Out>, String> {
    if window.interval == 0 || *fill == Fill::None || values.is_empty() {
        return Ok(values);
    }
    let kind = values.iter().find_map(|o| ValueKind::of(&o.value));
    let first = if window.lo == MIN_TIME {
        values[0].time
    } else {
        window.lo
    };
    check_buckets(window, first, max_buckets)?;
    let mut by_time: BTreeMap<i64, Vec<Out>> = BTreeMap::new();
    for o in values {
        by_time.entry(o.time).or_default().push(o);
    }
    let mut starts: Vec<i64> = window.starts(first, window.hi).collect();
    if descending {
        starts.reverse();
    }
    let number = |n: f64| match kind {
        Some(ValueKind::String) => Value::String(String::new()),
        Some(ValueKind::Boolean) => Value::Boolean(false),
        Some(ValueKind::Integer) => Value::Integer(n as i64),
        Some(ValueKind::Unsigned) => Value::Unsigned(n as u64),
        _ => Value::Float(n),
    };
    let mut out = Vec::with_capacity(starts.len());
    let mut prev: Option<(i64, Value)> = None;
    for (i, &t) in starts.iter().enumerate() {
        if i % CHECK_EVERY == 0 {
            control.check()?;
        }
        if let Some(os) = by_time.remove(&t) {
            if let Some(v) = os.iter().rev().map(|o| &o.value).find(|v| **v != Value::Null) {
                prev = Some((t, v.clone()));
            }
            out.extend(os);
            continue;
        }
        let value = match fill {
            Fill::Null | Fill::None => Value::Null,
            Fill::Integer(n) => match kind {
                None => Value::Integer(*n),
                _ => number(*n as f64),
            },
            Fill::Number(x) => number(*x),
            Fill::Previous => prev.as_ref().map_or(Value::Null, |(_, v)| v.clone()),
            Fill::Linear => {
                let next = starts[i + 1..].iter().find_map(|s| {
                    by_time
                        .get(s)
                        .and_then(|os| os.iter().map(|o| &o.value).find(|v| **v != Value::Null))
                        .map(|v| (*s, v.clone()))
                });
                match (&prev, next) {
                    (Some((pt, pv)), Some((nt, nv))) => linear(t, *pt, nt, pv, &nv),
                    _ => Value::Null,
                }
            }
        };
        out.push(Out::at(t, value));
    }
    // Values outside the filled range (points' own times) keep their place.
    out.extend(by_time.into_values().flatten());
    out.sort_by_key(|o| o.time);
    Ok(out)
}

/// Go's `linearFloat` / `linearInteger`.
fn linear(t: i64, pt: i64, nt: i64, pv: &Value, nv: &Value) -> Value {
    let x = (t - pt) as f64;
    match (pv, nv) {
        (Value::Integer(a), Value::Integer(b)) => {
            let m = b.wrapping_sub(*a) as f64 / (nt - pt) as f64;
            Value::Integer((m * x + *a as f64) as i64)
        }
        (Value::Float(a), Value::Float(b)) => {
            let m = (b - a) / (nt - pt) as f64;
            Value::Float(m * x + a)
        }
        _ => Value::Null,
    }
}

/// The result rows of one group: calls zipped by time (a single call's rows as they are),
/// then each SELECT expression, and after a top()/bottom() its tag arguments.
fn assemble(
    s: &SelectStatement,
    calls: &Calls,
    outs: &[Vec<Out>],
    members: &[(usize, SeriesInfo)],
    target: &Target,
    control: &QueryControl,
) -> Result<Vec<Vec<Value>>, String> {
    let mut cell_rows: Vec<(i64, Vec<Option<&Out>>)> = Vec::new();
    if let [only] = outs {
        cell_rows.extend(only.iter().map(|o| (o.time, vec![Some(o)])));
    } else {
        let mut by_time: BTreeMap<i64, Vec<Option<&Out>>> = BTreeMap::new();
        for (i, values) in outs.iter().enumerate() {
            for o in values {
                by_time.entry(o.time).or_insert_with(|| vec![None; outs.len()])[i] = Some(o);
            }
        }
        cell_rows.extend(by_time);
    }
    let mut rows = Vec::with_capacity(cell_rows.len());
    for (n, (time, cells)) in cell_rows.into_iter().enumerate() {
        if n % CHECK_EVERY == 0 {
            control.check()?;
        }
        let mut row = Vec::with_capacity(s.fields.len() + 1);
        row.push(Value::Time(time));
        let mut aux_index = 0;
        for f in &s.fields {
            let v = eval_field(&f.expr, calls, &cells, &mut |name: &VarRef| {
                let v = aux_value(name, aux_index, calls, &cells, members, target);
                aux_index += 1;
                v
            })?;
            row.push(v);
            if let Expr::Call(c) = &f.expr {
                if let Some(i) = calls.index(c) {
                    let n = calls.plans[i].tag_args().len();
                    let carried = cells[i].map(|o| o.aux.as_slice()).unwrap_or_default();
                    row.extend((0..n).map(|k| carried.get(k).cloned().unwrap_or(Value::Null)));
                }
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// One SELECT expression over a row of call values.
fn eval_field(
    e: &Expr,
    calls: &Calls,
    cells: &[Option<&Out>],
    aux: &mut dyn FnMut(&VarRef) -> Result<Value, String>,
) -> Result<Value, String> {
    Ok(match e {
        Expr::Call(c) if c.is_math() => {
            let args = c
                .args
                .iter()
                .map(|a| eval_field(a, calls, cells, aux))
                .collect::<Result<Vec<_>, _>>()?;
            super::math::call(&c.name, &args)
        }
        Expr::Call(c) => calls
            .index(c)
            .and_then(|i| cells[i])
            .map_or(Value::Null, |o| o.value.clone()),
        Expr::Paren(inner) => eval_field(inner, calls, cells, aux)?,
        Expr::Binary(b) => {
            let l = eval_field(&b.lhs, calls, cells, aux)?;
            let r = eval_field(&b.rhs, calls, cells, aux)?;
            if l == Value::Null || r == Value::Null {
                Value::Null
            } else {
                binary(b.op, l, r)
            }
        }
        Expr::VarRef(v) => aux(v)?,
        Expr::Literal(Literal::Integer(i)) => Value::Integer(*i),
        Expr::Literal(Literal::Number(f)) => Value::Float(*f),
        Expr::Literal(Literal::Unsigned(u)) => Value::Unsigned(*u),
        Expr::Literal(Literal::String(s)) => Value::String(s.clone()),
        Expr::Literal(Literal::Boolean(b)) => Value::Boolean(*b),
        _ => Value::Null,
    })
}

/// The `index`th aux field of a row: carried by a bucket selector's point, or looked up in
/// the series of a mergeable selector's pick at the picked time.
fn aux_value(
    v: &VarRef,
    index: usize,
    calls: &Calls,
    cells: &[Option<&Out>],
    members: &[(usize, SeriesInfo)],
    target: &Target,
) -> Result<Value, String> {
    for (i, o) in cells.iter().enumerate() {
        let Some(o) = o else { continue };
        let tags = calls.plans[i].tag_args().len();
        if o.pick.is_none() && o.aux.len() > tags {
            return Ok(o.aux.get(tags + index).cloned().unwrap_or(Value::Null));
        }
    }
    let Some((member, time)) = cells.iter().flatten().find_map(|o| o.pick) else {
        return Ok(Value::Null);
    };
    let Some((shard_idx, info)) = members.get(member) else {
        return Ok(Value::Null);
    };
    let as_tag = v.data_type == Some(influxql::DataType::Tag) || !target.fields.contains_key(&v.name);
    if as_tag {
        return Ok(tag_of(&info.tags, &v.name).map_or(Value::Null, |t| Value::String(t.to_owned())));
    }
    let got = target.shards[*shard_idx]
        .points(info, &v.name, time, time)
        .map_err(super::storage_error)?;
    Ok(match got {
        Some((times, values)) if !times.is_empty() => value_at(values.as_ref(), 0),
        _ => Value::Null,
    })
}

/// InfluxDB's type check of the SELECT expressions, which it runs with the field types known
/// and before reading anything: arithmetic on strings or booleans, and bitwise operators on
/// floats, are errors (`type error: mean(v::float) + 'a': incompatible types: float and
/// string`).
pub(super) fn type_check(
    s: &SelectStatement,
    fields: &BTreeMap<String, shard::FieldType>,
    tags: &BTreeSet<String>,
) -> Result<(), String> {
    for f in &s.fields {
        let typed = with_types(&f.expr, fields, tags);
        infer(&typed)?;
    }
    Ok(())
}

/// `e` with each field and tag reference carrying its type, as Go prints it in type
/// errors; a name that is neither stays untyped (unknown).
fn with_types(e: &Expr, fields: &BTreeMap<String, shard::FieldType>, tags: &BTreeSet<String>) -> Expr {
    match e {
        Expr::VarRef(v) if v.data_type.is_none() => {
            let mut v = v.clone();
            v.data_type = match fields.get(&v.name) {
                Some(t) => Some(super::select::data_type(*t)),
                None if tags.contains(&v.name) => Some(influxql::DataType::Tag),
                None => None,
            };
            Expr::VarRef(v)
        }
        Expr::Call(c) => Expr::Call(Call {
            name: c.name.clone(),
            args: c.args.iter().map(|a| with_types(a, fields, tags)).collect(),
        }),
        Expr::Binary(b) => Expr::Binary(Box::new(influxql::BinaryExpr {
            op: b.op,
            lhs: with_types(&b.lhs, fields, tags),
            rhs: with_types(&b.rhs, fields, tags),
        })),
        Expr::Paren(inner) => Expr::Paren(Box::new(with_types(inner, fields, tags))),
        other => other.clone(),
    }
}

/// The type an expression yields (`None`: unknown or any), or the type error.
fn infer(e: &Expr) -> Result<Option<&'static str>, String> {
    use influxql::BinaryOp as B;
    Ok(match e {
        Expr::VarRef(v) => v.data_type.map(|t| t.as_str()),
        Expr::Literal(Literal::Integer(_)) => Some("integer"),
        Expr::Literal(Literal::Unsigned(_)) => Some("unsigned"),
        Expr::Literal(Literal::Number(_)) => Some("float"),
        Expr::Literal(Literal::String(_)) => Some("string"),
        Expr::Literal(Literal::Boolean(_)) => Some("boolean"),
        Expr::Paren(inner) => infer(inner)?,
        Expr::Call(c) => {
            let arg = match c.args.first() {
                Some(a) => infer(a)?,
                None => None,
            };
            if c.is_math() {
                for a in c.args.iter().skip(1) {
                    infer(a)?;
                }
                return Ok(super::math::result_type(&c.name, arg));
            }
            match c.name.as_str() {
                "count" | "elapsed" => Some("integer"),
                "sum"
                | "min"
                | "max"
                | "first"
                | "last"
                | "spread"
                | "mode"
                | "percentile"
                | "top"
                | "bottom"
                | "sample"
                | "distinct"
                | "difference"
                | "non_negative_difference"
                | "cumulative_sum" => arg.filter(|t| *t != "tag"),
                _ => Some("float"),
            }
        }
        Expr::Binary(b) => {
            let (l, r) = (infer(&b.lhs)?, infer(&b.rhs)?);
            let arithmetic = matches!(b.op, B::Add | B::Sub | B::Mul | B::Div | B::Mod);
            let bitwise = matches!(b.op, B::BitwiseAnd | B::BitwiseOr | B::BitwiseXor);
            if let (Some(l), Some(r)) = (l, r) {
                let bad = |t: &str| {
                    (arithmetic && matches!(t, "string" | "boolean" | "tag"))
                        || (bitwise && matches!(t, "float" | "string" | "tag"))
                };
                if (arithmetic || bitwise) && (bad(l) || bad(r) || (bitwise && l != r)) {
                    return Err(format!("type error: {e}: incompatible types: {l} and {r}"));
                }
                if arithmetic {
                    return Ok(Some(if l == "integer" && r == "integer" && b.op != B::Div {
                        "integer"
                    } else {
                        "float"
                    }));
                }
                if bitwise {
                    return Ok(Some(l));
                }
            }
            if arithmetic || bitwise {
                l.or(r)
            } else {
                Some("boolean")
            }
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(q: &str) -> Result<(), String> {
        let Ok(influxql::Statement::Select(s)) = influxql::parse_statement(q) else {
            panic!("not a SELECT: {q}");
        };
        let fields = BTreeMap::from([
            ("v".to_owned(), shard::FieldType::Float),
            ("i".to_owned(), shard::FieldType::Integer),
            ("s".to_owned(), shard::FieldType::String),
        ]);
        type_check(&s, &fields, &BTreeSet::from(["host".to_owned()]))
    }

    #[test]
    fn group_by_time_offset_now_aligns_buckets_to_the_query_time() {
        let Ok(influxql::Statement::Select(s)) =
            influxql::parse_statement("SELECT mean(v) FROM m GROUP BY time(1m, now())")
        else {
            panic!("not a SELECT");
        };
        let now = 1_700_000_123_456_789_000;
        let (interval, offset) = group_by_interval(&s.dimensions, now).unwrap();
        assert_eq!((interval, offset), (60_000_000_000, now % 60_000_000_000));
        // A bucket then ends exactly at now.
        assert_eq!((now - offset) % interval, 0);
    }

    #[test]
    fn type_errors_read_like_influxdb() {
        // Texts observed on InfluxDB 1.6.7.
        assert_eq!(
            check("SELECT mean(v) + 'a' FROM m"),
            Err("type error: mean(v::float) + 'a': incompatible types: float and string".to_owned())
        );
        assert_eq!(
            check("SELECT mean(v) + last(s) FROM m"),
            Err("type error: mean(v::float) + last(s::string): incompatible types: float and string".to_owned())
        );
        assert_eq!(
            check("SELECT v + host FROM m"),
            Err("type error: v::float + host::tag: incompatible types: float and tag".to_owned())
        );
        assert_eq!(
            check("SELECT v & 1 FROM m"),
            Err("type error: v::float & 1: incompatible types: float and integer".to_owned())
        );
        for ok in [
            "SELECT mean(v) * 2 FROM m",
            "SELECT count(v) / 2 FROM m",
            "SELECT sum(i) + max(i) FROM m",
            "SELECT max(v), host FROM m",
            "SELECT i & 3 FROM m",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }
}
