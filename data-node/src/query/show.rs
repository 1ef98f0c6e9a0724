//! show: statements answered from the shards' indexes (SHOW MEASUREMENTS, TAG KEYS, TAG
//! VALUES, FIELD KEYS, SERIES, CARDINALITY) and the deletes (DROP MEASUREMENT, DROP SERIES,
//! DELETE). Listings are the sorted union over the shards of the database; a time
//! condition in their WHERE selects the shards whose time range it overlaps, as in
//! InfluxDB 1.x (shard granularity, not point granularity).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use influxql::statement::{
    CardinalityKind, DeleteStatement, DropMeasurementStatement, DropSeriesStatement, ShowCardinalityStatement,
    ShowFieldKeysStatement, ShowMeasurementsStatement, ShowSeriesStatement, ShowTagKeysStatement,
    ShowTagValuesStatement, TagKeyFilter,
};
use influxql::{Expr, Source};
use line_protocol::series_key;
use meta::MetaData;
use shard::{FieldType, TagPredicate};

use super::cond::tag_predicate;
use super::{database, QueryContext, QueryExecutor, Replicas, Row, ShardReader, Value};

type Shards = Vec<Arc<dyn ShardReader>>;

fn err(e: shard::Error) -> String {
    e.to_string()
}

/// The shards of the statement's database; an unknown database is InfluxDB's error.
fn shards_of(
    ex: &QueryExecutor,
    meta: &MetaData,
    stmt_db: &str,
    ctx: &QueryContext,
    replicas: Replicas,
) -> Result<Shards, String> {
    let db = database(stmt_db, ctx)?;
    if meta.database(db).is_none() {
        return Err(format!("database not found: {db}"));
    }
    Ok(ex.all_shards(meta, db, ctx, replicas))
}

/// Measurements named by FROM (all when there is none), that exist in some shard, sorted.
fn measurements(shards: &Shards, sources: &[Source]) -> Result<Vec<String>, String> {
    let mut all = BTreeSet::new();
    for s in shards {
        all.extend(s.measurements().map_err(err)?);
    }
    if sources.is_empty() {
        return Ok(all.into_iter().collect());
    }
    let mut out = BTreeSet::new();
    for src in sources {
        match src {
            Source::Measurement(m) => match &m.regex {
                Some(re) => out.extend(all.iter().filter(|n| re.regex().is_match(n)).cloned()),
                None => {
                    if all.contains(&m.name) {
                        out.insert(m.name.clone());
                    }
                }
            },
            Source::Subquery(_) => return Err("subqueries are not allowed here".to_owned()),
        }
    }
    Ok(out.into_iter().collect())
}

/// The shards a SHOW looks at and its tag predicate: a time condition narrows the shards to
/// those overlapping it, the rest of the WHERE becomes the predicate.
fn scope(
    ex: &QueryExecutor,
    meta: &MetaData,
    stmt_db: &str,
    ctx: &QueryContext,
    condition: Option<&Expr>,
) -> Result<(Shards, Option<TagPredicate>), String> {
    let db = database(stmt_db, ctx)?;
    if meta.database(db).is_none() {
        return Err(format!("database not found: {db}"));
    }
    let (rest, range) = influxql::time::split_time_condition(condition, ctx.now, None).map_err(|e| e.to_string())?;
    let shards = if range.min.is_none() && range.max.is_none() {
        ex.all_shards(meta, db, ctx, Replicas::One)
    } else {
        let (lo, hi) = (range.min.unwrap_or(i64::MIN), range.max.unwrap_or(i64::MAX));
        meta.database(db)
            .into_iter()
            .flat_map(|d| d.retention_policies.iter())
            .flat_map(|rp| ex.shards(meta, db, &rp.name, lo, hi, ctx, Replicas::One))
            .collect()
    };
    Ok((shards, predicate(rest.as_ref())?))
}

/// The WHERE of a SHOW as an index predicate: every name is a tag there.
fn predicate(condition: Option<&Expr>) -> Result<Option<TagPredicate>, String> {
    match condition {
        None => Ok(None),
        Some(e) => tag_predicate(e, &|_| true).map_err(|()| format!("unsupported condition in SHOW: {e}")),
    }
}

/// Series of a measurement over every shard, by key, with their tags.
fn series(
    shards: &Shards,
    m: &str,
    pred: Option<&TagPredicate>,
) -> Result<BTreeMap<String, Vec<(String, String)>>, String> {
    let mut out = BTreeMap::new();
    for s in shards {
        for info in s.series(m, pred).map_err(err)? {
            let tags: Vec<(&str, &str)> = info.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            out.entry(series_key(m, &tags)).or_insert(info.tags);
        }
    }
    Ok(out)
}

fn window<T>(items: Vec<T>, limit: u64, offset: u64) -> Vec<T> {
    let it = items.into_iter().skip(offset as usize);
    if limit > 0 {
        it.take(limit as usize).collect()
    } else {
        it.collect()
    }
}

fn strings(values: impl IntoIterator<Item = String>) -> Vec<Vec<Value>> {
    values.into_iter().map(|v| vec![Value::String(v)]).collect()
}

pub(super) fn show_measurements(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &ShowMeasurementsStatement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    // InfluxDB lists nothing, without an error, for a database that does not exist.
    if database(&s.database, ctx).is_ok_and(|db| meta.database(db).is_none()) {
        return Ok(Vec::new());
    }
    let (shards, pred) = scope(ex, meta, &s.database, ctx, s.condition.as_ref())?;
    let mut names = measurements(&shards, &[])?;
    if let Some(m) = &s.source {
        names.retain(|n| match &m.regex {
            Some(re) => re.regex().is_match(n),
            None => *n == m.name,
        });
    }
    if pred.is_some() {
        let mut kept = Vec::new();
        for n in names {
            if !series(&shards, &n, pred.as_ref())?.is_empty() {
                kept.push(n);
            }
        }
        names = kept;
    }
    let names = window(names, s.limit, s.offset);
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut row = Row::new("measurements", &["name"]);
    row.values = strings(names);
    Ok(vec![row])
}

pub(super) fn tag_keys(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &ShowTagKeysStatement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    let (shards, pred) = scope(ex, meta, &s.database, ctx, s.condition.as_ref())?;
    let mut rows = Vec::new();
    for m in measurements(&shards, &s.sources)? {
        let keys = keys_of(&shards, &m, pred.as_ref())?;
        let keys = window(keys.into_iter().collect(), s.limit, s.offset);
        if keys.is_empty() {
            continue;
        }
        let mut row = Row::new(m, &["tagKey"]);
        row.values = strings(keys);
        rows.push(row);
    }
    // InfluxDB 1.x parses SLIMIT and SOFFSET here but does not apply them.
    Ok(rows)
}

fn keys_of(shards: &Shards, m: &str, pred: Option<&TagPredicate>) -> Result<BTreeSet<String>, String> {
    let mut keys = BTreeSet::new();
    if pred.is_some() {
        for tags in series(shards, m, pred)?.into_values() {
            keys.extend(tags.into_iter().map(|(k, _)| k));
        }
    } else {
        for sh in shards {
            keys.extend(sh.tag_keys(m).map_err(err)?);
        }
    }
    Ok(keys)
}

/// (key, value) pairs of a measurement whose key passes `filter`, sorted.
fn tag_pairs(
    shards: &Shards,
    m: &str,
    filter: &TagKeyFilter,
    pred: Option<&TagPredicate>,
) -> Result<Vec<(String, String)>, String> {
    if pred.is_some() {
        let mut pairs = BTreeSet::new();
        for tags in series(shards, m, pred)?.into_values() {
            pairs.extend(tags.into_iter().filter(|(k, _)| filter.matches(k)));
        }
        return Ok(pairs.into_iter().collect());
    }
    // Keys come sorted, and values within a key: the pairs are sorted as they are made.
    let mut pairs = Vec::new();
    for key in keys_of(shards, m, None)? {
        if !filter.matches(&key) {
            continue;
        }
        // Each shard's values come sorted and distinct: one shard needs no set.
        let values: Vec<String> = match shards.as_slice() {
            [one] => one.tag_values(m, &key).map_err(err)?,
            _ => {
                let mut all = BTreeSet::new();
                for sh in shards {
                    all.extend(sh.tag_values(m, &key).map_err(err)?);
                }
                all.into_iter().collect()
            }
        };
        pairs.extend(values.into_iter().map(|v| (key.clone(), v)));
    }
    Ok(pairs)
}

pub(super) fn tag_values(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &ShowTagValuesStatement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    let (shards, pred) = scope(ex, meta, &s.database, ctx, s.condition.as_ref())?;
    let mut rows = Vec::new();
    for m in measurements(&shards, &s.sources)? {
        let pairs = window(tag_pairs(&shards, &m, &s.tag_key, pred.as_ref())?, s.limit, s.offset);
        if pairs.is_empty() {
            continue;
        }
        let mut row = Row::new(m, &["key", "value"]);
        row.values = pairs
            .into_iter()
            .map(|(k, v)| vec![Value::String(k), Value::String(v)])
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

/// Field keys with their types over every shard; a key with two types (in different
/// shards) is listed once per type, as InfluxDB does.
fn field_types(shards: &Shards, m: &str) -> Result<BTreeSet<(String, &'static str)>, String> {
    let mut out = BTreeSet::new();
    for sh in shards {
        for (name, t) in sh.fields(m).map_err(err)? {
            out.insert((name, type_name(t)));
        }
    }
    Ok(out)
}

pub(crate) fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Float => "float",
        FieldType::Integer => "integer",
        FieldType::Unsigned => "unsigned",
        FieldType::Boolean => "boolean",
        FieldType::String => "string",
    }
}

pub(super) fn field_keys(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &ShowFieldKeysStatement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    let shards = shards_of(ex, meta, &s.database, ctx, Replicas::One)?;
    let mut rows = Vec::new();
    for m in measurements(&shards, &s.sources)? {
        let fields = window(field_types(&shards, &m)?.into_iter().collect(), s.limit, s.offset);
        if fields.is_empty() {
            continue;
        }
        let mut row = Row::new(m, &["fieldKey", "fieldType"]);
        row.values = fields
            .into_iter()
            .map(|(k, t)| vec![Value::String(k), Value::String(t.to_owned())])
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

pub(super) fn show_series(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &ShowSeriesStatement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    let (shards, pred) = scope(ex, meta, &s.database, ctx, s.condition.as_ref())?;
    let mut keys = Vec::new();
    for m in measurements(&shards, &s.sources)? {
        keys.extend(series(&shards, &m, pred.as_ref())?.into_keys());
    }
    keys.sort();
    let keys = window(keys, s.limit, s.offset);
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut row = Row::new("", &["key"]);
    row.values = strings(keys);
    Ok(vec![row])
}

pub(super) fn cardinality(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &ShowCardinalityStatement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    let missing = database(&s.database, ctx).is_ok_and(|db| meta.database(db).is_none());
    if missing && s.kind == CardinalityKind::Series && !s.exact {
        let mut row = Row::new("", &["cardinality estimation"]);
        row.values = vec![vec![Value::Integer(0)]];
        return Ok(vec![row]);
    }
    let (shards, pred) = scope(ex, meta, &s.database, ctx, s.condition.as_ref())?;
    let names = measurements(&shards, &s.sources)?;
    let count_row = |name: String, column: &str, n: usize| {
        let mut row = Row::new(name, &[column]);
        row.values = vec![vec![Value::Integer(n as i64)]];
        row
    };
    let mut rows = Vec::new();
    match (&s.kind, s.exact) {
        (CardinalityKind::Measurement, exact) => {
            let n = if pred.is_some() {
                let mut n = 0;
                for m in &names {
                    n += usize::from(!series(&shards, m, pred.as_ref())?.is_empty());
                }
                n
            } else {
                names.len()
            };
            let column = if exact { "count" } else { "cardinality estimation" };
            if n > 0 || exact {
                rows.push(count_row(String::new(), column, n));
            }
        }
        (CardinalityKind::Series, false) => {
            let mut n = 0;
            for m in &names {
                n += series(&shards, m, pred.as_ref())?.len();
            }
            rows.push(count_row(String::new(), "cardinality estimation", n));
        }
        (kind, _) => {
            for m in names {
                let n = match kind {
                    CardinalityKind::Series => series(&shards, &m, pred.as_ref())?.len(),
                    CardinalityKind::TagKey => keys_of(&shards, &m, pred.as_ref())?.len(),
                    CardinalityKind::TagValues(filter) => tag_pairs(&shards, &m, filter, pred.as_ref())?
                        .into_iter()
                        .map(|(_, v)| v)
                        .collect::<BTreeSet<_>>()
                        .len(),
                    CardinalityKind::FieldKey => field_types(&shards, &m)?
                        .into_iter()
                        .map(|(k, _)| k)
                        .collect::<BTreeSet<_>>()
                        .len(),
                    CardinalityKind::Measurement => 0,
                };
                if n > 0 {
                    rows.push(count_row(m, "count", n));
                }
            }
        }
    }
    Ok(window(rows, s.limit, s.offset))
}

pub(super) fn drop_measurement(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &DropMeasurementStatement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    for sh in shards_of(ex, meta, "", ctx, Replicas::All)? {
        sh.drop_measurement(&s.name).map_err(err)?;
    }
    Ok(Vec::new())
}

pub(super) fn drop_series(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &DropSeriesStatement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    if s.condition.as_ref().is_some_and(mentions_time) {
        return Err("DROP SERIES doesn't support time in WHERE clause".to_owned());
    }
    let shards = shards_of(ex, meta, "", ctx, Replicas::All)?;
    let pred = predicate(s.condition.as_ref())?;
    for m in measurements(&shards, &s.sources)? {
        for sh in &shards {
            sh.drop_series(&m, pred.as_ref()).map_err(err)?;
        }
    }
    Ok(Vec::new())
}

pub(super) fn delete(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &DeleteStatement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    let shards = shards_of(ex, meta, "", ctx, Replicas::All)?;
    let (rest, range) =
        influxql::time::split_time_condition(s.condition.as_ref(), ctx.now, None).map_err(|e| e.to_string())?;
    let pred = predicate(rest.as_ref())?;
    let (lo, hi) = (range.min.unwrap_or(i64::MIN), range.max.unwrap_or(i64::MAX));
    for m in measurements(&shards, &s.sources)? {
        for sh in &shards {
            if range.min.is_none() && range.max.is_none() {
                sh.drop_series(&m, pred.as_ref()).map_err(err)?;
            } else {
                sh.delete(&m, pred.as_ref(), lo, hi).map_err(err)?;
            }
        }
    }
    Ok(Vec::new())
}

fn mentions_time(e: &Expr) -> bool {
    let mut names = Vec::new();
    super::cond::names(e, &mut names);
    names.iter().any(|n| n == "time")
}
