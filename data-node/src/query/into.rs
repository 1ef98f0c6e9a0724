//! into: `SELECT … INTO target FROM …`. The statement runs without its INTO, with
//! `fill(none)` semantics (nulls are never written), and its rows go back through the one
//! write path as points: GROUP BY tags stay tags, every other column becomes a field. The
//! answer is InfluxDB's: one `result` series with the number of points written.

use influxql::{Fill, SelectStatement};
use line_protocol::{parse_lines, write_line, FieldValue, ParseOptions};
use meta::MetaData;

use super::{QueryContext, QueryExecutor, Row, StatementResult, Value};
use crate::write::Consistency;

/// Points per write request, so a large INTO never holds one huge batch.
const BATCH_LINES: usize = 5000;

pub(super) fn execute(
    ex: &QueryExecutor,
    meta: &MetaData,
    s: &SelectStatement,
    ctx: &QueryContext,
    emit: &mut dyn FnMut(StatementResult),
) -> Result<(), String> {
    let Some(target) = &s.target else {
        return Err("BUG: INTO without a target".to_owned());
    };
    let database = if target.measurement.database.is_empty() {
        ctx.database.clone()
    } else {
        target.measurement.database.clone()
    };
    if database.is_empty() {
        return Err("database name required".to_owned());
    }
    if meta.database(&database).is_none() {
        return Err(format!("database not found: {database}"));
    }
    let policy = target.measurement.retention_policy.clone();
    let mut inner = s.clone();
    inner.target = None;
    if inner.fill == Fill::Null && !inner.is_raw_query() {
        inner.fill = Fill::None;
    }
    let mut rows: Vec<Row> = Vec::new();
    let sub_ctx = QueryContext {
        chunk_size: 0,
        ..ctx.clone()
    };
    super::select::execute(ex, meta, &inner, &sub_ctx, &mut |r| rows.extend(r.series))?;

    let writer = &ex.writer;
    let mut written = 0i64;
    let mut body = String::new();
    let mut lines = 0;
    let flush = |body: &mut String, lines: &mut usize| -> Result<(), String> {
        if *lines == 0 {
            return Ok(());
        }
        let batch = parse_lines(body.as_bytes(), &ParseOptions::new(0));
        if let Some(e) = batch.error_text() {
            return Err(e);
        }
        writer
            .write(&database, &policy, Consistency::One, batch.points(), ctx.now)
            .map_err(super::storage_error)?;
        body.clear();
        *lines = 0;
        Ok(())
    };
    for row in &rows {
        let name = if target.measurement.name.is_empty() {
            row.name.as_str()
        } else {
            target.measurement.name.as_str()
        };
        // A series without a GROUP BY tag has it empty: a point cannot carry that.
        let tags: Vec<(&str, &str)> = row
            .tags
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        for values in &row.values {
            let Some(Value::Time(time) | Value::ZonedTime(time, _)) = values.first() else {
                continue;
            };
            let fields: Vec<(&str, FieldValue<'_>)> = row
                .columns
                .iter()
                .zip(values)
                .skip(1)
                .filter_map(|(c, v)| field_value(v).map(|fv| (c.as_str(), fv)))
                .collect();
            if fields.is_empty() {
                continue;
            }
            write_line(&mut body, name, &tags, &fields, Some(*time)).map_err(|e| e.to_string())?;
            body.push('\n');
            lines += 1;
            written += 1;
            if lines == BATCH_LINES {
                flush(&mut body, &mut lines)?;
            }
        }
    }
    flush(&mut body, &mut lines)?;
    let mut result = Row::new("result", &["time", "written"]);
    result.values.push(vec![Value::Time(0), Value::Integer(written)]);
    emit(StatementResult {
        series: vec![result],
        ..StatementResult::default()
    });
    Ok(())
}

fn field_value(v: &Value) -> Option<FieldValue<'_>> {
    Some(match v {
        Value::Float(f) => FieldValue::Float(*f),
        Value::Integer(i) => FieldValue::Integer(*i),
        Value::Unsigned(u) => FieldValue::Unsigned(*u),
        Value::Boolean(b) => FieldValue::Boolean(*b),
        Value::String(s) => FieldValue::String(s.as_str().into()),
        Value::Null | Value::Time(_) | Value::ZonedTime(..) => return None,
    })
}
