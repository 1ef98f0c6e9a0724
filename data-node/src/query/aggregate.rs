//! aggregate: SELECT with functions. The plan: the calls of the SELECT list (each
//! distinct call once), the buckets of GROUP BY time (`window`), the groups of GROUP BY
//! tags. Per group, each shard computes partial aggregates per bucket through
//! [`ShardReader::aggregate`] (whole blocks from their headers) and the partials merge here;
//! a WHERE on fields, or a function that needs every point, reads the points instead. Then
//! fill, then the SELECT expressions (math, aliases, aux fields of a selector) per row.

use std::collections::{BTreeMap, BTreeSet};

use influxql::time::{Location, MAX_TIME, MIN_TIME};
use influxql::{Call, Expr, Fill, Literal, SelectStatement, VarRef};
use meta::MetaData;
use shard::SeriesInfo;

use super::cond::{binary, conjuncts, names, tag_predicate, truthy};
use super::partial::{AggKind, Needs, Partial, Picked};
use super::select::{emit_row, group_by_tags, merge_rows, resolve, tag_of, unique_names, RowView, Target};
use super::window::Window;
use super::{QueryContext, QueryExecutor, Row, StatementResult, Value};

/// One call of the SELECT list and how it is computed.
#[derive(Debug, Clone)]
enum Plan {
    /// A mergeable aggregate of a field.
    Merge { kind: AggKind, field: VarRef },
}

impl Plan {
    fn field(&self) -> &VarRef {
        match self {
            Plan::Merge { field, .. } => field,
        }
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
    /// The selected point, for aux fields: (member index, point time).
    pick: Option<(usize, i64)>,
}

pub(super) fn execute(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &SelectStatement,
    ctx: &QueryContext,
    emit: &mut dyn FnMut(StatementResult),
) -> Result<(), String> {
    let location = s
        .location
        .as_deref()
        .map(Location::load)
        .transpose()
        .map_err(|e| e.to_string())?;
    let (condition, range) = influxql::time::split_time_condition(s.condition.as_ref(), ctx.now, location.as_ref())
        .map_err(|e| e.to_string())?;
    let (interval, offset) = group_by_interval(&s.dimensions)?;
    let lo = range.min.unwrap_or(MIN_TIME);
    // With GROUP BY time an open range ends now, as in InfluxDB.
    let hi = range.max.unwrap_or(if interval > 0 { ctx.now } else { MAX_TIME });
    let window = Window {
        interval,
        offset,
        location,
        lo,
        hi,
    };
    if interval > 0 && lo > MIN_TIME && ex.limits.max_select_buckets > 0 {
        let buckets = window.starts(lo, hi).take(ex.limits.max_select_buckets as usize + 1).count() as u64;
        if buckets > ex.limits.max_select_buckets {
            return Err(format!(
                "max-select-buckets limit exceeded: ({buckets}/{})",
                ex.limits.max_select_buckets
            ));
        }
    }
    let targets = resolve(ex, meta, &s.sources, ctx, lo, hi)?;
    let expanded = expand_call_wildcards(s, &targets);
    let s = expanded.as_ref().unwrap_or(s);
    let calls = plan_calls(s)?;
    let all_tags: BTreeSet<String> = targets.iter().flat_map(|t| t.tags.clone()).collect();
    let group_tags = group_by_tags(&s.dimensions, &all_tags)?;

    // A lone selector shows its point's time when nothing else fixes the row time.
    let lone_selector = calls.plans.len() == 1
        && interval == 0
        && matches!(calls.plans[0], Plan::Merge { kind, .. } if kind.is_selector());
    let needs = Needs {
        variance: calls
            .plans
            .iter()
            .any(|p| matches!(p, Plan::Merge { kind: AggKind::Stddev, .. })),
        extreme_times: lone_selector,
    };
    let header: Vec<String> = std::iter::once("time".to_owned())
        .chain(unique_names(s.fields.iter().map(|f| f.name())))
        .collect();
    let descending = s.sort_fields.first().is_some_and(|f| !f.ascending);
    // Rows without GROUP BY time show the start of the range (the epoch if open).
    let no_interval_time = if lo == MIN_TIME { 0 } else { lo };

    let mut points_read = 0u64;
    let mut series_seen = 0u64;
    let mut emitted_series = 0u64;
    for target in &targets {
        let is_tag = |name: &str| !target.fields.contains_key(name);
        let (pushed, filters) = split_condition(condition.as_ref(), &is_tag);
        let mut groups: BTreeMap<Vec<String>, Vec<(usize, SeriesInfo)>> = BTreeMap::new();
        for (i, sh) in target.shards.iter().enumerate() {
            for info in sh.series(&target.name, pushed.as_ref()).map_err(|e| e.to_string())? {
                let key = group_tags
                    .iter()
                    .map(|k| tag_of(&info.tags, k).unwrap_or("").to_owned())
                    .collect();
                groups.entry(key).or_default().push((i, info));
            }
        }
        let mut groups: Vec<_> = groups.into_iter().collect();
        if descending {
            groups.reverse();
        }
        for (key, members) in groups {
            series_seen += members.len() as u64;
            if ex.limits.max_select_series > 0 && series_seen > ex.limits.max_select_series {
                return Err(format!(
                    "max-select-series limit exceeded: ({series_seen}/{})",
                    ex.limits.max_select_series
                ));
            }
            if ex.deadline_passed(ctx) {
                return Err("query-timeout limit exceeded".to_owned());
            }
            let partials = if filters.is_empty() {
                merged_partials(target, &members, &calls, &window, needs, &mut points_read)?
            } else {
                filtered_partials(target, &members, &calls, &filters, &window, needs, &mut points_read)?
            };
            if ex.limits.max_select_point > 0 && points_read > ex.limits.max_select_point {
                return Err(format!(
                    "max-select-point limit exceeed: ({points_read}/{})",
                    ex.limits.max_select_point
                ));
            }
            // Each call's values per bucket, filled.
            let mut outs: Vec<Vec<Out>> = Vec::with_capacity(calls.plans.len());
            for (plan, buckets) in calls.plans.iter().zip(&partials) {
                let Plan::Merge { kind, .. } = plan;
                let mut values: Vec<Out> = Vec::with_capacity(buckets.len());
                for (start, p) in buckets {
                    let Some(value) = p.finish(*kind)? else {
                        continue;
                    };
                    let pick = p.picked(*kind).map(|x: &Picked| (x.series, x.time));
                    let time = match (lone_selector, pick) {
                        (true, Some((_, t))) => t,
                        _ if interval == 0 => no_interval_time,
                        _ => *start,
                    };
                    values.push(Out { time, value, pick });
                }
                let fill = if *kind == AggKind::Count && s.fill == Fill::Null {
                    Fill::Integer(0)
                } else {
                    s.fill.clone()
                };
                outs.push(fill_buckets(values, &window, &fill));
            }
            let mut rows = assemble(s, &calls, &outs, &members, target, lone_selector)?;
            if rows.is_empty() {
                continue;
            }
            if descending {
                rows.reverse();
            }
            let rows: Vec<Vec<Value>> = rows
                .into_iter()
                .skip(s.offset as usize)
                .take(if s.limit > 0 { s.limit as usize } else { usize::MAX })
                .collect();
            if rows.is_empty() {
                continue;
            }
            emitted_series += 1;
            if emitted_series <= s.soffset || (s.slimit > 0 && emitted_series > s.soffset + s.slimit) {
                continue;
            }
            let row = Row {
                name: target.name.clone(),
                tags: group_tags.iter().cloned().zip(key).collect(),
                columns: header.clone(),
                values: rows,
                partial: false,
            };
            emit_row(row, ctx.chunk_size, emit);
        }
    }
    Ok(())
}

/// `GROUP BY time(interval[, offset])`: (interval, offset) in ns, (0, 0) without one.
fn group_by_interval(dims: &[Expr]) -> Result<(i64, i64), String> {
    for d in dims {
        let Expr::Call(c) = d else { continue };
        if c.name != "time" {
            continue;
        }
        let duration = |e: Option<&Expr>| match e {
            Some(Expr::Literal(Literal::Duration(d))) => Ok(*d),
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
/// the function takes), named `<function>_<field>` (or `<alias>_<field>`), as InfluxDB
/// rewrites them. `None` when there is nothing to expand.
fn expand_call_wildcards(s: &SelectStatement, targets: &[Target]) -> Option<SelectStatement> {
    let expandable = |e: &Expr| {
        matches!(e, Expr::Call(c) if matches!(c.args.first(), Some(Expr::Wildcard(_) | Expr::Literal(Literal::Regex(_)))))
    };
    if !s.fields.iter().any(|f| expandable(&f.expr)) {
        return None;
    }
    let mut fields: BTreeMap<String, shard::FieldType> = BTreeMap::new();
    for t in targets {
        for (name, ty) in &t.fields {
            fields.entry(name.clone()).or_insert(*ty);
        }
    }
    let mut out = s.clone();
    out.fields.clear();
    for f in &s.fields {
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
        for (name, ty) in &fields {
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
fn plan_calls(s: &SelectStatement) -> Result<Calls, String> {
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
            let plan = match (AggKind::from_name(&c.name), c.args.first()) {
                (Some(kind), Some(Expr::VarRef(v))) if c.args.len() == 1 => Plan::Merge {
                    kind,
                    field: v.clone(),
                },
                _ => return Err(format!("{}() is not supported by Cairn yet", c.name)),
            };
            calls.exprs.push(c.clone());
            calls.plans.push(plan);
        }
    }
    Ok(calls)
}

/// The outermost calls of an expression.
fn top_calls<'a>(e: &'a Expr, out: &mut Vec<&'a Call>) {
    match e {
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

/// Partials per call from the shards' own aggregation: no points leave a shard.
fn merged_partials(
    target: &Target,
    members: &[(usize, SeriesInfo)],
    calls: &Calls,
    window: &Window,
    needs: Needs,
    points_read: &mut u64,
) -> Result<Vec<Buckets>, String> {
    let mut out = Vec::with_capacity(calls.plans.len());
    // Members come shard by shard: each shard reads its own run of them.
    let mut runs: Vec<(usize, usize, Vec<SeriesInfo>)> = Vec::new();
    for (i, (shard_idx, info)) in members.iter().enumerate() {
        match runs.last_mut() {
            Some((s, _, v)) if s == shard_idx => v.push(info.clone()),
            _ => runs.push((*shard_idx, i, vec![info.clone()])),
        }
    }
    // Calls on the same field share one read.
    let mut by_field: BTreeMap<String, Buckets> = BTreeMap::new();
    for plan in &calls.plans {
        let field = &plan.field().name;
        if !target.fields.contains_key(field) {
            out.push(Vec::new());
            continue;
        }
        if let Some(b) = by_field.get(field) {
            out.push(b.clone());
            continue;
        }
        let mut merged: BTreeMap<i64, Partial> = BTreeMap::new();
        for (shard_idx, base, infos) in &runs {
            let got = target.shards[*shard_idx]
                .aggregate(infos, field, window, needs)
                .map_err(|e| e.to_string())?;
            *points_read += got.points;
            for (start, mut p) in got.buckets {
                for pick in [&mut p.min, &mut p.max, &mut p.first, &mut p.last].into_iter().flatten() {
                    pick.series += base;
                }
                merged.entry(start).or_default().merge(p);
            }
        }
        let buckets: Buckets = merged.into_iter().collect();
        by_field.insert(field.clone(), buckets.clone());
        out.push(buckets);
    }
    Ok(out)
}

/// Partials per call from the points of rows that pass the WHERE's field conditions.
fn filtered_partials(
    target: &Target,
    members: &[(usize, SeriesInfo)],
    calls: &Calls,
    filters: &[&Expr],
    window: &Window,
    needs: Needs,
    points_read: &mut u64,
) -> Result<Vec<Buckets>, String> {
    let mut needed: BTreeSet<String> = calls.plans.iter().map(|p| p.field().name.clone()).collect();
    for f in filters {
        let mut n = Vec::new();
        names(f, &mut n);
        needed.extend(n);
    }
    needed.retain(|n| target.fields.contains_key(n));
    let needed: Vec<String> = needed.into_iter().collect();
    let slots: Vec<Option<usize>> = calls
        .plans
        .iter()
        .map(|p| needed.iter().position(|n| *n == p.field().name))
        .collect();
    let mut merged: Vec<BTreeMap<i64, Partial>> = vec![BTreeMap::new(); calls.plans.len()];
    for (idx, (shard_idx, info)) in members.iter().enumerate() {
        let sh = &target.shards[*shard_idx];
        let mut cols = Vec::with_capacity(needed.len());
        for f in &needed {
            let c = sh.points(info, f, window.lo, window.hi).map_err(|e| e.to_string())?;
            *points_read += c.as_ref().map_or(0, |(t, _)| t.len() as u64);
            cols.push(c);
        }
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
            let start = window.start(t);
            for (slot, m) in slots.iter().zip(merged.iter_mut()) {
                if let Some(i) = slot {
                    m.entry(start).or_default().add(t, &fields[*i], idx, needs);
                }
            }
        });
    }
    Ok(merged.into_iter().map(|m| m.into_iter().collect()).collect())
}

/// Fills the empty buckets of one call between the query's bounds (from the first bucket
/// with data when the range is open), as InfluxDB's fill iterator does. A group without
/// any value stays empty.
fn fill_buckets(values: Vec<Out>, window: &Window, fill: &Fill) -> Vec<Out> {
    if window.interval == 0 || *fill == Fill::None || values.is_empty() {
        return values;
    }
    let first = if window.lo == MIN_TIME { values[0].time } else { window.lo };
    let last = window.hi;
    let mut by_time: BTreeMap<i64, Out> = values.into_iter().map(|o| (o.time, o)).collect();
    let starts: Vec<i64> = window.starts(first, last).collect();
    let mut out = Vec::with_capacity(starts.len());
    let mut prev: Option<(i64, Value)> = None;
    for (i, &t) in starts.iter().enumerate() {
        if let Some(o) = by_time.remove(&t) {
            if o.value != Value::Null {
                prev = Some((t, o.value.clone()));
            }
            out.push(o);
            continue;
        }
        let value = match fill {
            Fill::Null | Fill::None => Value::Null,
            Fill::Integer(n) => Value::Integer(*n),
            Fill::Number(x) => Value::Float(*x),
            Fill::Previous => prev.as_ref().map_or(Value::Null, |(_, v)| v.clone()),
            Fill::Linear => {
                let next = starts[i + 1..]
                    .iter()
                    .find_map(|s| by_time.get(s).map(|o| (*s, o.value.clone())));
                match (&prev, next) {
                    (Some((pt, pv)), Some((nt, nv))) => linear(t, *pt, nt, pv, &nv),
                    _ => Value::Null,
                }
            }
        };
        out.push(Out { time: t, value, pick: None });
    }
    // Values outside the filled range (a lone selector's point times) keep their place.
    out.extend(by_time.into_values());
    out.sort_by_key(|o| o.time);
    out
}

/// Go's `linearFloat` / `linearInteger`.
fn linear(t: i64, pt: i64, nt: i64, pv: &Value, nv: &Value) -> Value {
    let x = (t - pt) as f64;
    match (pv, nv) {
        (Value::Integer(a), Value::Integer(b)) => {
            let m = (b - a) as f64 / (nt - pt) as f64;
            Value::Integer((m * x + *a as f64) as i64)
        }
        (Value::Float(a), Value::Float(b)) => {
            let m = (b - a) / (nt - pt) as f64;
            Value::Float(m * x + a)
        }
        _ => Value::Null,
    }
}

/// The result rows of one group: calls zipped by time, then each SELECT expression.
fn assemble(
    s: &SelectStatement,
    calls: &Calls,
    outs: &[Vec<Out>],
    members: &[(usize, SeriesInfo)],
    target: &Target,
    lone_selector: bool,
) -> Result<Vec<Vec<Value>>, String> {
    let mut by_time: BTreeMap<i64, Vec<Option<&Out>>> = BTreeMap::new();
    for (i, values) in outs.iter().enumerate() {
        for o in values {
            by_time.entry(o.time).or_insert_with(|| vec![None; outs.len()])[i] = Some(o);
        }
    }
    let mut rows = Vec::with_capacity(by_time.len());
    for (time, cells) in by_time {
        let mut row = Vec::with_capacity(s.fields.len() + 1);
        row.push(Value::Time(time));
        for f in &s.fields {
            let v = eval_field(&f.expr, calls, &cells, &|name: &VarRef| {
                aux_value(name, &cells, members, target, lone_selector)
            })?;
            row.push(v);
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
    aux: &dyn Fn(&VarRef) -> Result<Value, String>,
) -> Result<Value, String> {
    Ok(match e {
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

/// A tag or field next to a lone selector: its value in the selected point's series at the
/// selected time.
fn aux_value(
    v: &VarRef,
    cells: &[Option<&Out>],
    members: &[(usize, SeriesInfo)],
    target: &Target,
    lone_selector: bool,
) -> Result<Value, String> {
    let Some((member, time)) = cells.iter().flatten().find_map(|o| o.pick) else {
        return Ok(Value::Null);
    };
    let _ = lone_selector;
    let Some((shard_idx, info)) = members.get(member) else {
        return Ok(Value::Null);
    };
    let as_tag = v.data_type == Some(influxql::DataType::Tag) || !target.fields.contains_key(&v.name);
    if as_tag {
        return Ok(tag_of(&info.tags, &v.name).map_or(Value::Null, |t| Value::String(t.to_owned())));
    }
    let got = target.shards[*shard_idx]
        .points(info, &v.name, time, time)
        .map_err(|e| e.to_string())?;
    Ok(match got {
        Some((times, values)) if !times.is_empty() => super::partial::value_at(&values, 0),
        _ => Value::Null,
    })
}
