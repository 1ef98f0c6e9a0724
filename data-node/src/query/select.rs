//! select: raw SELECT. The plan: resolve sources to (database, policy, measurement) and
//! their shards for the time range; expand wildcards into columns (fields and tags, the
//! union over the measurements, sorted); push tag-only conditions down to the index; then
//! per group of series (GROUP BY tags) read the fields each shard holds, merge them by
//! time, filter rows, and emit them in order with LIMIT/OFFSET per series and
//! SLIMIT/SOFFSET over series.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use influxql::time::Location;
use influxql::{DataType, Expr, SelectStatement, Source, Wildcard};
use meta::MetaData;
use shard::{FieldType, SeriesInfo, Values};

use super::cond::{conjuncts, eval, names, tag_predicate, truthy, Valuer};
use super::control::{points_bytes, row_bytes, Reservation};
use super::merge::{aux_less, merge_shards};
use super::partial::value_at;
use super::{QueryContext, QueryExecutor, Row, ShardReader, StatementResult, Value};

type Shards = Vec<Arc<dyn ShardReader>>;

/// One measurement to read, with the shards of its database/policy in the time range.
pub(super) struct Target {
    pub name: String,
    pub shards: Shards,
    pub fields: BTreeMap<String, FieldType>,
    pub tags: BTreeSet<String>,
}

/// What a result column shows.
#[derive(Debug, Clone)]
enum Column {
    /// A field value, with an optional cast.
    Field(String, Option<DataType>),
    /// A tag value.
    Tag(String),
    /// An expression over fields and tags.
    Expr(Expr),
}

pub(super) fn execute(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &SelectStatement,
    ctx: &QueryContext,
    emit: &mut dyn FnMut(StatementResult),
) -> Result<(), String> {
    super::compile::validate(s)?;
    if s.target.is_some() {
        return super::into::execute(ex, meta, s, ctx, emit);
    }
    if !s.is_raw_query() {
        return super::aggregate::execute(ex, meta, s, ctx, emit);
    }
    let (location, condition, range) = time_scope(s, ctx.now)?;
    let lo = range.min.unwrap_or(i64::MIN);
    let hi = range.max.unwrap_or(i64::MAX);
    let targets = resolve(ex, meta, &s.sources, ctx, lo, hi)?;

    // Columns, from the union of the measurements' fields and tags. A field with different
    // types in different measurements takes the first type in InfluxDB's order (float,
    // integer, string, boolean, unsigned); values of another type convert or are null.
    let mut all_fields: BTreeMap<String, FieldType> = BTreeMap::new();
    for (name, t) in targets.iter().flat_map(|t| t.fields.iter()) {
        let slot = all_fields.entry(name.clone()).or_insert(*t);
        if type_rank(*t) < type_rank(*slot) {
            *slot = *t;
        }
    }
    let all_tags: BTreeSet<String> = targets.iter().flat_map(|t| t.tags.clone()).collect();
    // Math on strings, booleans or tags is refused before reading, as in InfluxDB.
    super::aggregate::type_check(s, &all_fields, &all_tags)?;
    let group_tags = group_by_tags(&s.dimensions, &all_tags)?;
    let mut columns: Vec<(String, Column)> = Vec::new();
    // Whether each column's name is an alias (kept as written when names repeat).
    let mut aliased: Vec<bool> = Vec::new();
    for f in &s.fields {
        match &f.expr {
            // `time` is always the first column; naming it adds nothing.
            Expr::VarRef(v) if v.name == "time" => {}
            e @ (Expr::Wildcard(_) | Expr::Literal(influxql::Literal::Regex(_))) => {
                for (name, is_tag) in wildcard_columns(e, &all_fields, &all_tags, &group_tags) {
                    let column = if is_tag {
                        Column::Tag(name.clone())
                    } else {
                        Column::Field(name.clone(), None)
                    };
                    columns.push((name, column));
                    aliased.push(false);
                }
            }
            Expr::VarRef(v) => {
                let is_tag = v.data_type == Some(DataType::Tag)
                    || (v.data_type.is_none() && !all_fields.contains_key(&v.name) && all_tags.contains(&v.name));
                let col = if is_tag {
                    Column::Tag(v.name.clone())
                } else {
                    Column::Field(v.name.clone(), v.data_type)
                };
                columns.push((field_name(f), col));
                aliased.push(!f.alias.is_empty());
            }
            other => {
                columns.push((field_name(f), Column::Expr(other.clone())));
                aliased.push(!f.alias.is_empty());
            }
        }
    }
    // A query must select at least one field: only tags selects nothing.
    let has_field = columns.iter().any(|(_, c)| match c {
        Column::Field(n, _) => all_fields.contains_key(n),
        Column::Expr(e) => {
            let mut n = Vec::new();
            names(e, &mut n);
            n.iter().any(|n| all_fields.contains_key(n))
        }
        Column::Tag(_) => false,
    });
    if !has_field {
        return Ok(());
    }
    // The field and tag columns by name: the order of Go's auxiliary references, which
    // orders rows at equal times (see `merge_as_influxdb`).
    let mut aux_order: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, (_, c))| !matches!(c, Column::Expr(_)))
        .map(|(i, _)| i)
        .collect();
    let column_var = |i: usize| match &columns[i].1 {
        Column::Field(n, _) | Column::Tag(n) => n.as_str(),
        Column::Expr(_) => "",
    };
    aux_order.sort_by(|&a, &b| column_var(a).cmp(column_var(b)));
    let header: Vec<String> = std::iter::once("time".to_owned())
        .chain(unique_names(columns.iter().map(|(n, _)| n.clone()).zip(aliased)))
        .collect();

    let descending = s.sort_fields.first().is_some_and(|f| !f.ascending);
    let mut emitted_series = 0u64;
    for target in &targets {
        let is_tag = |name: &str| !target.fields.contains_key(name);
        // Conditions on tags only go to the index; the rest is checked per row.
        let mut pushed = None;
        let mut filters: Vec<&Expr> = Vec::new();
        if let Some(c) = &condition {
            for part in conjuncts(c) {
                match tag_predicate(part, &is_tag) {
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
        // Fields to read: those shown and those the filters test.
        let mut needed: BTreeSet<String> = BTreeSet::new();
        for (_, c) in &columns {
            match c {
                Column::Field(n, _) => {
                    needed.insert(n.clone());
                }
                Column::Expr(e) => {
                    let mut n = Vec::new();
                    names(e, &mut n);
                    needed.extend(n);
                }
                Column::Tag(_) => {}
            }
        }
        for f in &filters {
            let mut n = Vec::new();
            names(f, &mut n);
            needed.extend(n);
        }
        needed.retain(|n| target.fields.contains_key(n));
        let needed: Vec<String> = needed.into_iter().collect();

        // The fields each expression column reads: a row is shown when one of them has a
        // value, even if the expression gives null (`sqrt(msg)` of a string).
        let expr_fields: Vec<Vec<String>> = columns
            .iter()
            .map(|(_, c)| match c {
                Column::Expr(e) => {
                    let mut n = Vec::new();
                    names(e, &mut n);
                    n.retain(|n| target.fields.contains_key(n));
                    n
                }
                _ => Vec::new(),
            })
            .collect();
        let groups = group_series(target, pushed.as_ref(), &group_tags)?;
        let mut groups: Vec<_> = groups.into_iter().collect();
        if descending {
            groups.reverse();
        }
        // With LIMIT, each series is read only as far as the rows it may contribute: the
        // group's first OFFSET + LIMIT rows are among its members' first OFFSET + LIMIT.
        let want = (s.limit > 0).then(|| s.offset.saturating_add(s.limit) as usize);
        for (key, members) in groups {
            // SLIMIT is met: nothing after it is read.
            if s.slimit > 0 && emitted_series >= s.soffset.saturating_add(s.slimit) {
                return Ok(());
            }
            ctx.control
                .read_series(members.len() as u64, ex.limits.max_select_series)?;
            let mut rows: Vec<(i64, usize, String, Vec<Value>)> = Vec::new();
            // The group's rows count against the query's memory until they are sent.
            let mut held = Reservation::new(&ctx.control);
            let mut out = SeriesOut {
                head: Row {
                    name: target.name.clone(),
                    tags: group_tags.iter().cloned().zip(key).collect(),
                    columns: header.clone(),
                    values: Vec::new(),
                    partial: false,
                },
                piece: if ctx.chunk_size > 0 { ctx.chunk_size } else { PIECE_ROWS },
                offset: s.offset as usize,
                remaining: if s.limit > 0 { s.limit as usize } else { usize::MAX },
                location: location.as_ref(),
                started: false,
                skip: false,
                buf: Vec::new(),
                ready: None,
            };
            // One series per shard, on shards apart in time: its rows come in time order,
            // shard after shard, and go out as they are made instead of all at the end.
            let streaming = apart_in_time(&members, target);
            let mut order: Vec<usize> = (0..members.len()).collect();
            if streaming {
                order.sort_by_key(|&i| target.shards[members[i].0].time_range().0);
                if descending {
                    order.reverse();
                }
            }
            for (shard_idx, info) in order.iter().map(|&i| &members[i]) {
                if out.remaining == 0 {
                    break;
                }
                ctx.control.check()?;
                let sh = &target.shards[*shard_idx];
                let series_key = info
                    .tags
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",");
                let mut limit = want.unwrap_or(0);
                loop {
                    let (cols, cut) = read_columns(sh.as_ref(), info, &needed, lo, hi, limit, descending)?;
                    let read: usize = cols.iter().flatten().map(|(t, _)| t.len()).sum();
                    ctx.control.read_points(read as u64, ex.limits.max_select_point)?;
                    let mut reading = Reservation::new(&ctx.control);
                    reading.grow(cols.iter().flatten().map(|(t, v)| points_bytes(t, v)).sum())?;
                    let before = rows.len();
                    merge_rows(&needed, &cols, |t, fields| {
                        let view = RowView {
                            tags: &info.tags,
                            tag_keys: &target.tags,
                            needed: &needed,
                            fields,
                        };
                        if !filters.iter().all(|f| truthy(f, &view)) {
                            return;
                        }
                        let mut any_field = false;
                        let values: Vec<Value> = columns
                            .iter()
                            .zip(&expr_fields)
                            .map(|((_, c), read)| {
                                let v = match c {
                                    Column::Field(n, None) => match (target.fields.get(n), all_fields.get(n)) {
                                        (Some(own), Some(col)) if own != col => {
                                            cast_value(view.value(n, None), Some(data_type(*col)))
                                        }
                                        _ => view.value(n, None),
                                    },
                                    Column::Field(n, cast) => view.value(n, *cast),
                                    Column::Tag(n) => {
                                        tag_of(&info.tags, n).map_or(Value::Null, |v| Value::String(v.to_owned()))
                                    }
                                    Column::Expr(e) => eval(e, &view),
                                };
                                if (!matches!(c, Column::Tag(_)) && v != Value::Null)
                                    || read.iter().any(|n| view.value(n, None) != Value::Null)
                                {
                                    any_field = true;
                                }
                                v
                            })
                            .collect();
                        if any_field {
                            rows.push((t, *shard_idx, series_key.clone(), values));
                        }
                    });
                    let added = &rows[before..];
                    held.grow(added.iter().map(|(_, _, k, v)| row_bytes(v) + k.capacity() + 24).sum())?;
                    // Rows the WHERE clause refused leave too few: read further.
                    match want {
                        Some(w) if cut && added.len() < w => {
                            held.shrink(added.iter().map(|(_, _, k, v)| row_bytes(v) + k.capacity() + 24).sum());
                            rows.truncate(before);
                            limit = limit.saturating_mul(4);
                        }
                        _ => break,
                    }
                }
                if streaming {
                    held.resize(0)?;
                    let mut made: Vec<(i64, Vec<Value>)> = rows.drain(..).map(|(t, _, _, v)| (t, v)).collect();
                    if descending {
                        made.reverse();
                    }
                    out.push(made, &mut emitted_series, s.soffset, emit);
                }
            }
            if streaming {
                out.finish(emit);
                continue;
            }
            if rows.is_empty() {
                continue;
            }
            if descending {
                // Equal times: shards in the order the sources named them, then series keys.
                rows.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
                rows.reverse();
            } else {
                rows = merge_as_influxdb(rows, &aux_order);
            }
            out.push(
                rows.into_iter().map(|(t, _, _, v)| (t, v)),
                &mut emitted_series,
                s.soffset,
                emit,
            );
            out.finish(emit);
        }
    }
    Ok(())
}

/// Rows per piece of a series when the client does not chunk: the answer is merged back
/// whole (or streamed) by the HTTP layer.
const PIECE_ROWS: usize = 10_000;

/// The rows of one result series on their way out: OFFSET and LIMIT applied as they come,
/// SOFFSET counted at the first row, sent in pieces of `piece` rows. One full piece is held
/// back until the next fills, so each piece says whether more of the series follows.
struct SeriesOut<'a> {
    head: Row,
    piece: usize,
    offset: usize,
    /// Rows LIMIT still lets out.
    remaining: usize,
    location: Option<&'a Location>,
    /// The series has a row: it counts for SLIMIT/SOFFSET.
    started: bool,
    /// SOFFSET leaves it out.
    skip: bool,
    buf: Vec<Vec<Value>>,
    ready: Option<Vec<Vec<Value>>>,
}

impl SeriesOut<'_> {
    fn push(
        &mut self,
        rows: impl IntoIterator<Item = (i64, Vec<Value>)>,
        emitted: &mut u64,
        soffset: u64,
        emit: &mut dyn FnMut(StatementResult),
    ) {
        for (t, mut values) in rows {
            if self.offset > 0 {
                self.offset -= 1;
                continue;
            }
            if self.remaining == 0 {
                return;
            }
            self.remaining -= 1;
            if !self.started {
                self.started = true;
                *emitted += 1;
                self.skip = *emitted <= soffset;
            }
            if self.skip {
                continue;
            }
            values.insert(0, Value::Time(t));
            self.buf.push(values);
            if self.buf.len() >= self.piece {
                if let Some(full) = self.ready.take() {
                    self.send(full, true, emit);
                }
                self.ready = Some(std::mem::take(&mut self.buf));
            }
        }
    }

    fn finish(mut self, emit: &mut dyn FnMut(StatementResult)) {
        let rest = std::mem::take(&mut self.buf);
        match self.ready.take() {
            Some(full) if rest.is_empty() => self.send(full, false, emit),
            Some(full) => {
                self.send(full, true, emit);
                self.send(rest, false, emit);
            }
            None if !rest.is_empty() => self.send(rest, false, emit),
            None => {}
        }
    }

    fn send(&self, values: Vec<Vec<Value>>, partial: bool, emit: &mut dyn FnMut(StatementResult)) {
        let row = Row {
            values,
            partial,
            ..self.head.clone()
        };
        emit(StatementResult {
            series: vec![zoned(row, self.location)],
            ..StatementResult::default()
        });
    }
}

/// Whether a group's members are one per shard on shards whose times do not overlap: then
/// no two members have a row at the same time, and reading them shard by shard in time
/// order gives the rows in time order.
fn apart_in_time(members: &[(usize, SeriesInfo)], target: &Target) -> bool {
    let mut ranges: Vec<(i64, i64)> = members.iter().map(|(i, _)| target.shards[*i].time_range()).collect();
    ranges.sort_unstable();
    let mut shards: Vec<usize> = members.iter().map(|(i, _)| *i).collect();
    shards.sort_unstable();
    shards.windows(2).all(|w| w[0] != w[1]) && ranges.windows(2).all(|w| w[0].1 <= w[1].0)
}

/// Per field, its points (`None`: the series has no such field there).
type Columns = Vec<Option<(Vec<i64>, Values)>>;

/// The needed fields of one series on one shard, each a column; with `limit` (> 0) only
/// the first `limit` times (`from_end`: the last), cut to the span every column covers
/// whole. Whether a column had more than it gave.
fn read_columns(
    sh: &dyn ShardReader,
    info: &SeriesInfo,
    needed: &[String],
    lo: i64,
    hi: i64,
    limit: usize,
    from_end: bool,
) -> Result<(Columns, bool), String> {
    let mut cols: Columns = Vec::with_capacity(needed.len());
    for f in needed {
        let c = if limit > 0 {
            sh.points_limited(info, f, lo, hi, limit, from_end)
        } else {
            sh.points(info, f, lo, hi)
        };
        cols.push(c.map_err(super::storage_error)?);
    }
    if limit == 0 {
        return Ok((cols, false));
    }
    // A column that filled its limit may have more beyond its last (first) time: rows past
    // the nearest such time could miss that column's values, so they wait for a longer read.
    let full = cols.iter().flatten().filter(|(t, _)| t.len() >= limit);
    let bound = if from_end {
        full.filter_map(|(t, _)| t.first().copied()).max()
    } else {
        full.filter_map(|(t, _)| t.last().copied()).min()
    };
    let Some(bound) = bound else {
        return Ok((cols, false));
    };
    for (times, values) in cols.iter_mut().flatten() {
        let keep = if from_end {
            let a = times.partition_point(|&t| t < bound);
            (a, times.len())
        } else {
            (0, times.partition_point(|&t| t <= bound))
        };
        if keep != (0, times.len()) {
            let (t, v) = super::reader::keep_range(
                std::mem::take(times),
                std::mem::replace(values, Values::Float(Vec::new())),
                keep.0,
                keep.1,
            );
            *times = t;
            *values = v;
        }
    }
    Ok((cols, true))
}

/// A SELECT's `tz()` zone, its WHERE without the time part, and the time range (time strings
/// read in the zone).
pub(super) fn time_scope(
    s: &SelectStatement,
    now: i64,
) -> Result<(Option<Location>, Option<Expr>, influxql::time::TimeRange), String> {
    let location = s
        .location
        .as_deref()
        .map(Location::load)
        .transpose()
        .map_err(|e| e.to_string())?;
    let (condition, range) = influxql::time::split_time_condition(s.condition.as_ref(), now, location.as_ref())
        .map_err(|e| e.to_string())?;
    Ok((location, condition, range))
}

/// With `tz()`, row times print in the zone's local time and offset.
pub(super) fn zoned(mut row: Row, location: Option<&Location>) -> Row {
    if let Some(loc) = location {
        for r in &mut row.values {
            if let Some(Value::Time(t)) = r.first() {
                let t = *t;
                r[0] = Value::ZonedTime(t, (loc.offset_ns(t) / 1_000_000_000) as i32);
            }
        }
    }
    row
}

/// Sends a series, split into chunks of `chunk_size` rows when chunking.
pub(super) fn emit_row(mut row: Row, chunk_size: usize, emit: &mut dyn FnMut(StatementResult)) {
    if chunk_size == 0 || row.values.len() <= chunk_size {
        emit(StatementResult {
            series: vec![row],
            ..StatementResult::default()
        });
        return;
    }
    let mut rest = std::mem::take(&mut row.values);
    while !rest.is_empty() {
        let tail = rest.split_off(chunk_size.min(rest.len()));
        let partial = !tail.is_empty();
        emit(StatementResult {
            series: vec![Row {
                values: rest,
                partial,
                ..row.clone()
            }],
            ..StatementResult::default()
        });
        rest = tail;
    }
}

/// Sources as targets: database and policy resolved, regexes expanded, shards found.
pub(super) fn resolve(
    ex: &QueryExecutor,
    meta: &MetaData,
    sources: &[Source],
    ctx: &QueryContext,
    lo: i64,
    hi: i64,
) -> Result<Vec<Target>, String> {
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    for src in sources {
        let m = match src {
            Source::Measurement(m) => m,
            Source::Subquery(inner) => {
                let reader: Arc<dyn ShardReader> =
                    Arc::new(super::subquery::SubqueryReader::run(ex, meta, inner, ctx, lo, hi)?);
                for name in reader.measurements().map_err(super::storage_error)? {
                    let t = targets.entry(name.clone()).or_insert_with(|| Target {
                        name: name.clone(),
                        shards: Vec::new(),
                        fields: BTreeMap::new(),
                        tags: BTreeSet::new(),
                    });
                    for (f, ty) in reader.fields(&name).map_err(super::storage_error)? {
                        t.fields.entry(f).or_insert(ty);
                    }
                    t.tags.extend(reader.tag_keys(&name).map_err(super::storage_error)?);
                    t.shards.push(Arc::clone(&reader));
                }
                continue;
            }
        };
        let db = if m.database.is_empty() {
            &ctx.database
        } else {
            &m.database
        };
        if db.is_empty() {
            return Err("database name required".to_owned());
        }
        let dbi = meta.database(db).ok_or_else(|| format!("database not found: {db}"))?;
        let rp = if !m.retention_policy.is_empty() {
            m.retention_policy.as_str()
        } else if !ctx.retention_policy.is_empty() {
            ctx.retention_policy.as_str()
        } else {
            dbi.default_retention_policy.as_str()
        };
        if dbi.retention_policy(rp).is_none() {
            return Err(format!("retention policy not found: {rp}"));
        }
        let shards = ex.shards(meta, db, rp, lo, hi, ctx, super::Replicas::One);
        let mut names = BTreeSet::new();
        for sh in &shards {
            for n in sh.measurements().map_err(super::storage_error)? {
                let hit = match &m.regex {
                    Some(re) => re.regex().is_match(&n),
                    None => n == m.name,
                };
                if hit {
                    names.insert(n);
                }
            }
        }
        // The same measurement named twice (say in two retention policies) is one series:
        // its shards are read together.
        for name in names {
            let t = targets.entry(name.clone()).or_insert_with(|| Target {
                name: name.clone(),
                shards: Vec::new(),
                fields: BTreeMap::new(),
                tags: BTreeSet::new(),
            });
            for sh in &shards {
                if t.shards.iter().any(|x| x.id() == sh.id()) {
                    continue;
                }
                for (f, ty) in sh.fields(&name).map_err(super::storage_error)? {
                    t.fields.entry(f).or_insert(ty);
                }
                t.tags.extend(sh.tag_keys(&name).map_err(super::storage_error)?);
                t.shards.push(Arc::clone(sh));
            }
        }
    }
    Ok(targets.into_values().collect())
}

/// The tag keys and field names of each measurement `sources` offer, without reading
/// points or running subqueries (a subquery's are worked out from its statement): what a
/// subquery needs to know which of its columns are tags.
pub(super) type Schema = Vec<(BTreeSet<String>, BTreeSet<String>)>;

pub(super) fn schema(
    ex: &QueryExecutor,
    meta: &MetaData,
    sources: &[Source],
    ctx: &QueryContext,
    lo: i64,
    hi: i64,
) -> Result<Schema, String> {
    let measurements: Vec<Source> = sources
        .iter()
        .filter(|s| matches!(s, Source::Measurement(_)))
        .cloned()
        .collect();
    let mut out: Schema = Vec::new();
    if !measurements.is_empty() {
        for t in resolve(ex, meta, &measurements, ctx, lo, hi)? {
            out.push((t.tags, t.fields.into_keys().collect()));
        }
    }
    for src in sources {
        let Source::Subquery(inner) = src else { continue };
        let below = schema(ex, meta, &inner.sources, ctx, lo, hi)?;
        let below_tags: BTreeSet<String> = below.iter().flat_map(|(t, _)| t.iter().cloned()).collect();
        let columns = tag_columns(inner, &below);
        let mut tags: BTreeSet<String> = group_by_tags(&inner.dimensions, &below_tags)?.into_iter().collect();
        let mut fields = BTreeSet::new();
        for f in &inner.fields {
            match &f.expr {
                // A raw wildcard shows fields and tags alike as columns.
                Expr::Wildcard(_) | Expr::Literal(influxql::Literal::Regex(_)) => {
                    for (t, fl) in &below {
                        fields.extend(fl.iter().cloned());
                        fields.extend(t.iter().filter(|k| !tags.contains(*k)).cloned());
                    }
                }
                _ => {
                    let name = f.name();
                    if !columns.contains(&name) {
                        fields.insert(name);
                    }
                }
            }
        }
        tags.extend(columns);
        out.push((tags, fields));
    }
    Ok(out)
}

/// The columns of `inner` that name a tag of its sources (and so stay tags when a
/// subquery's result is read).
pub(super) fn tag_columns(inner: &SelectStatement, below: &Schema) -> BTreeSet<String> {
    inner
        .fields
        .iter()
        .filter(|f| match &f.expr {
            Expr::VarRef(v) => {
                v.data_type == Some(DataType::Tag)
                    || below
                        .iter()
                        .any(|(tags, fields)| tags.contains(&v.name) && !fields.contains(&v.name))
            }
            _ => false,
        })
        .map(|f| f.name())
        .collect()
}

/// The series of every shard of `target` that match `pushed`, grouped by the values of the
/// GROUP BY tags (a missing tag is ""), each with the index of its shard.
pub(super) type Groups = BTreeMap<Vec<String>, Vec<(usize, SeriesInfo)>>;

pub(super) fn group_series(
    target: &Target,
    pushed: Option<&shard::TagPredicate>,
    group_tags: &[String],
) -> Result<Groups, String> {
    let mut groups: Groups = BTreeMap::new();
    for (i, sh) in target.shards.iter().enumerate() {
        for info in sh.series(&target.name, pushed).map_err(super::storage_error)? {
            let key = group_tags
                .iter()
                .map(|k| tag_of(&info.tags, k).unwrap_or("").to_owned())
                .collect();
            groups.entry(key).or_default().push((i, info));
        }
    }
    Ok(groups)
}

/// The fields and tags a `*` (`*::field`, `*::tag`) or a `/regex/` of the SELECT list
/// stands for, sorted by name, each with whether it is a tag; tags grouped by and tags that
/// are also fields are left out, as InfluxDB expands them. Empty for other expressions.
pub(super) fn wildcard_columns(
    e: &Expr,
    fields: &BTreeMap<String, FieldType>,
    tags: &BTreeSet<String>,
    group_tags: &[String],
) -> Vec<(String, bool)> {
    let (want_fields, want_tags, re) = match e {
        Expr::Wildcard(w) => (*w != Wildcard::Tags, *w != Wildcard::Fields, None),
        Expr::Literal(influxql::Literal::Regex(re)) => (true, true, Some(re.regex())),
        _ => return Vec::new(),
    };
    let hit = |name: &str| re.is_none_or(|re| re.is_match(name));
    let mut out: Vec<(String, bool)> = Vec::new();
    if want_fields {
        out.extend(fields.keys().filter(|n| hit(n)).map(|n| (n.clone(), false)));
    }
    if want_tags {
        out.extend(
            tags.iter()
                .filter(|t| hit(t) && !fields.contains_key(*t) && !group_tags.contains(*t))
                .map(|t| (t.clone(), true)),
        );
    }
    out.sort();
    out
}

/// The tags of GROUP BY: named ones, `*` for all, regexes over tag keys; sorted.
pub(super) fn group_by_tags(dims: &[Expr], all_tags: &BTreeSet<String>) -> Result<Vec<String>, String> {
    let mut out = BTreeSet::new();
    for d in dims {
        match d {
            Expr::VarRef(v) => {
                out.insert(v.name.clone());
            }
            Expr::Wildcard(_) => out.extend(all_tags.iter().cloned()),
            Expr::Literal(influxql::Literal::Regex(re)) => {
                out.extend(all_tags.iter().filter(|k| re.regex().is_match(k)).cloned());
            }
            Expr::Call(c) if c.name == "time" => {}
            other => return Err(format!("only time and tag dimensions allowed: {other}")),
        }
    }
    Ok(out.into_iter().collect())
}

pub(super) fn tag_of<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The column name of a field: its alias, else its expression's name (influxql's
/// `Field.Name()`).
fn field_name(f: &influxql::Field) -> String {
    f.name()
}

/// Rows `(time, shard, series key, values)` in the order InfluxDB's sorted merge meets
/// them (see `merge::merge_shards`); equal times are ordered by the row's values taken in
/// `aux_order` (the columns of fields and tags by name) while they are strings.
fn merge_as_influxdb(
    rows: Vec<(i64, usize, String, Vec<Value>)>,
    aux_order: &[usize],
) -> Vec<(i64, usize, String, Vec<Value>)> {
    type Row = (i64, usize, String, Vec<Value>);
    // Rows come member by member: one stream per run of a series (its key cloned once).
    type Run = (usize, String, Vec<(i64, Row)>);
    let mut runs: Vec<Run> = Vec::new();
    for row in rows {
        match runs.last_mut() {
            Some((shard, key, run)) if *shard == row.1 && *key == row.2 => run.push((row.0, row)),
            _ => runs.push((row.1, row.2.clone(), vec![(row.0, row)])),
        }
    }
    runs.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut per_shard: BTreeMap<usize, Vec<Vec<(i64, Row)>>> = BTreeMap::new();
    for (shard, _, run) in runs {
        per_shard.entry(shard).or_default().push(run);
    }
    let shards = per_shard.into_values().collect();
    merge_shards(shards, &|a: &Row, b: &Row| aux_less(&a.3, &b.3, aux_order))
}

/// Column names as InfluxDB gives them (Go's `ColumnNames`): each `(name, is_alias)`; an
/// alias is kept as written, even twice, while a generated name that is taken gets the
/// first free `_N` suffix: `v, v, v` -> `v, v_1, v_2`, and `mean(v), v AS mean` -> `mean_1,
/// mean`.
pub(super) fn unique_names(names: impl Iterator<Item = (String, bool)>) -> Vec<String> {
    let names: Vec<(String, bool)> = names.collect();
    let mut taken: HashMap<String, usize> = names.iter().filter(|(_, a)| *a).map(|(n, _)| (n.clone(), 1)).collect();
    names
        .into_iter()
        .map(|(name, alias)| {
            if alias {
                return name;
            }
            let out = match taken.get(&name).copied() {
                None => name,
                Some(mut count) => loop {
                    let resolved = format!("{name}_{count}");
                    if !taken.contains_key(&resolved) {
                        taken.insert(name, count + 1);
                        break resolved;
                    }
                    count += 1;
                },
            };
            *taken.entry(out.clone()).or_insert(0) += 1;
            out
        })
        .collect()
}

/// Walks the fields' points in time order, calling `f` once per distinct time with the
/// value of each field there (or `None`).
pub(super) fn merge_rows(needed: &[String], cols: &[Option<(Vec<i64>, Values)>], mut f: impl FnMut(i64, &[Value])) {
    let mut idx = vec![0usize; cols.len()];
    let mut row = vec![Value::Null; needed.len()];
    loop {
        let mut t = i64::MAX;
        let mut any = false;
        for (c, i) in cols.iter().zip(&idx) {
            if let Some((times, _)) = c {
                if let Some(&ti) = times.get(*i) {
                    t = t.min(ti);
                    any = true;
                }
            }
        }
        if !any {
            return;
        }
        for (k, (c, i)) in cols.iter().zip(idx.iter_mut()).enumerate() {
            row[k] = Value::Null;
            if let Some((times, values)) = c {
                if times.get(*i) == Some(&t) {
                    row[k] = value_at(values.as_ref(), *i);
                    *i += 1;
                }
            }
        }
        f(t, &row);
    }
}

/// One merged row as expressions see it.
pub(super) struct RowView<'a> {
    /// The series' tags.
    pub tags: &'a [(String, String)],
    /// Every tag key of the measurement: a series without one reads it as "".
    pub tag_keys: &'a BTreeSet<String>,
    /// Field names, parallel to `fields`.
    pub needed: &'a [String],
    pub fields: &'a [Value],
}

impl Valuer for RowView<'_> {
    fn value(&self, name: &str, cast: Option<DataType>) -> Value {
        if cast != Some(DataType::Tag) {
            if let Some(i) = self.needed.iter().position(|n| n == name) {
                return cast_value(self.fields[i].clone(), cast);
            }
        }
        if matches!(cast, None | Some(DataType::Tag)) && self.tag_keys.contains(name) {
            // A missing tag reads as the empty string, as in the index.
            return Value::String(tag_of(self.tags, name).unwrap_or("").to_owned());
        }
        Value::Null
    }
}

/// `::float`, `::integer`, ... as InfluxDB applies them: numbers convert between numeric
/// types, other mismatches give no value.
fn cast_value(v: Value, cast: Option<DataType>) -> Value {
    match (cast, v) {
        (None | Some(DataType::AnyField), v) => v,
        (Some(DataType::Float), Value::Integer(i)) => Value::Float(i as f64),
        (Some(DataType::Float), Value::Unsigned(u)) => Value::Float(u as f64),
        (Some(DataType::Float), v @ Value::Float(_)) => v,
        (Some(DataType::Integer), Value::Float(f)) => Value::Integer(f as i64),
        (Some(DataType::Integer), Value::Unsigned(u)) => Value::Integer(u as i64),
        (Some(DataType::Integer), v @ Value::Integer(_)) => v,
        (Some(DataType::Unsigned), Value::Float(f)) => Value::Unsigned(f as u64),
        (Some(DataType::Unsigned), Value::Integer(i)) => Value::Unsigned(i as u64),
        (Some(DataType::Unsigned), v @ Value::Unsigned(_)) => v,
        (Some(DataType::String), v @ Value::String(_)) => v,
        (Some(DataType::Boolean), v @ Value::Boolean(_)) => v,
        _ => Value::Null,
    }
}

/// InfluxQL's order of field types when one name has several (lower wins).
fn type_rank(t: FieldType) -> u8 {
    match t {
        FieldType::Float => 1,
        FieldType::Integer => 2,
        FieldType::String => 3,
        FieldType::Boolean => 4,
        FieldType::Unsigned => 9,
    }
}

pub(super) fn data_type(t: FieldType) -> DataType {
    match t {
        FieldType::Float => DataType::Float,
        FieldType::Integer => DataType::Integer,
        FieldType::Unsigned => DataType::Unsigned,
        FieldType::String => DataType::String,
        FieldType::Boolean => DataType::Boolean,
    }
}
