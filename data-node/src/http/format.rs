//! format: results as InfluxDB writes them: JSON in Go's encoding (keys omitted when empty,
//! times as RFC3339 with trailing zeros cut or as integers in the `epoch` unit), indented
//! JSON for `pretty=true`, and CSV for `Accept: text/csv`.

use std::fmt::Write;

use super::json::{write_f64, write_str};
use crate::query::{Message, Row, StatementResult, Value};

/// The unit of times in a response: RFC3339 strings, or integers (`epoch=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Epoch {
    Rfc3339,
    /// Nanoseconds per unit.
    Integer(i64),
}

impl Epoch {
    /// `epoch=`: `u` µs, `ms`, `s`, `m`, `h`; anything else (even `ns`, `µ`, garbage) is ns,
    /// as InfluxDB's `convertToEpoch` does. Absent: RFC3339.
    pub(crate) fn parse(param: Option<&str>) -> Self {
        match param {
            None | Some("") => Self::Rfc3339,
            Some("u") => Self::Integer(1_000),
            Some("ms") => Self::Integer(1_000_000),
            Some("s") => Self::Integer(1_000_000_000),
            Some("m") => Self::Integer(60_000_000_000),
            Some("h") => Self::Integer(3_600_000_000_000),
            Some(_) => Self::Integer(1),
        }
    }
}

/// Go's `time.RFC3339Nano` of a UTC time: `2023-11-14T22:13:20.001Z`.
pub fn rfc3339_nano(t: i64) -> String {
    let secs = t.div_euclid(1_000_000_000);
    let nanos = t.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    );
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// Go's RFC3339Nano of `t` in a zone `offset` seconds from UTC: the local wall time and
/// `+hh:mm` (`Z` when the offset is zero).
pub(crate) fn rfc3339_nano_in(t: i64, offset: i32) -> String {
    if offset == 0 {
        return rfc3339_nano(t);
    }
    let mut s = rfc3339_nano(t.saturating_add(i64::from(offset) * 1_000_000_000));
    s.pop();
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.unsigned_abs();
    s.push_str(&format!("{sign}{:02}:{:02}", o / 3600, o / 60 % 60));
    s
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Encodes values as JSON. Times use `epoch`; NaN and infinities, which JSON cannot hold,
/// become `null` (InfluxDB fails the whole response instead).
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonEncoder {
    pub(crate) epoch: Epoch,
    pub(crate) pretty: bool,
}

impl JsonEncoder {
    /// `{"results":[...]}` followed by a newline; `results` omitted when there are none.
    pub(crate) fn response(&self, results: &[StatementResult], error: Option<&str>) -> String {
        let mut out = String::with_capacity(256);
        let mut w = Writer {
            out: &mut out,
            pretty: self.pretty,
            depth: 0,
        };
        w.open('{');
        let mut first = true;
        if !results.is_empty() {
            w.key(&mut first, "results");
            w.open('[');
            for (i, r) in results.iter().enumerate() {
                w.item(i == 0);
                self.result(&mut w, r);
            }
            w.close(']');
        }
        if let Some(e) = error {
            w.key(&mut first, "error");
            write_str(w.out, e);
        }
        w.close('}');
        out.push('\n');
        out
    }

    fn result(&self, w: &mut Writer<'_>, r: &StatementResult) {
        w.open('{');
        let mut first = true;
        w.key(&mut first, "statement_id");
        let _ = write!(w.out, "{}", r.statement_id);
        if !r.series.is_empty() {
            w.key(&mut first, "series");
            w.open('[');
            for (i, row) in r.series.iter().enumerate() {
                w.item(i == 0);
                self.row(w, row);
            }
            w.close(']');
        }
        // `statement_id` always comes first: every later key follows a comma.
        write_messages(w, &r.messages);
        if r.partial {
            w.key(&mut first, "partial");
            w.out.push_str("true");
        }
        if let Some(e) = &r.error {
            w.key(&mut first, "error");
            write_str(w.out, e);
        }
        w.close('}');
    }

    fn row(&self, w: &mut Writer<'_>, row: &Row) {
        w.open('{');
        let mut first = true;
        if !row.name.is_empty() {
            w.key(&mut first, "name");
            write_str(w.out, &row.name);
        }
        if !row.tags.is_empty() {
            w.key(&mut first, "tags");
            w.open('{');
            let mut f = true;
            for (k, v) in &row.tags {
                w.key(&mut f, k);
                write_str(w.out, v);
            }
            w.close('}');
        }
        if !row.columns.is_empty() {
            w.key(&mut first, "columns");
            w.open('[');
            for (i, c) in row.columns.iter().enumerate() {
                w.item(i == 0);
                write_str(w.out, c);
            }
            w.close(']');
        }
        if !row.values.is_empty() {
            w.key(&mut first, "values");
            w.open('[');
            for (i, values) in row.values.iter().enumerate() {
                w.item(i == 0);
                w.open('[');
                for (j, v) in values.iter().enumerate() {
                    w.item(j == 0);
                    self.value(w.out, v);
                }
                w.close(']');
            }
            w.close(']');
        }
        if row.partial {
            w.key(&mut first, "partial");
            w.out.push_str("true");
        }
        w.close('}');
    }

    fn value(&self, out: &mut String, v: &Value) {
        match v {
            Value::Null => out.push_str("null"),
            Value::Float(f) => {
                if write_f64(out, *f).is_none() {
                    out.push_str("null");
                }
            }
            Value::Integer(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Unsigned(u) => {
                let _ = write!(out, "{u}");
            }
            Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::String(s) => write_str(out, s),
            Value::Time(t) => match self.epoch {
                Epoch::Rfc3339 => write_str(out, &rfc3339_nano(*t)),
                Epoch::Integer(unit) => {
                    let _ = write!(out, "{}", t / unit);
                }
            },
            Value::ZonedTime(t, offset) => match self.epoch {
                Epoch::Rfc3339 => write_str(out, &rfc3339_nano_in(*t, *offset)),
                Epoch::Integer(unit) => {
                    let _ = write!(out, "{}", t / unit);
                }
            },
        }
    }
}

/// The `{"results":[...]}` document written as results arrive, for answers too large to
/// hold: pieces of one series (same name, tags and columns) continue its `values`, a new
/// series or statement closes the open one. Unlike the whole-document encoder, an error
/// that arrives after rows were written follows them in the statement's object
/// (`"series":[...],"error":"..."`) instead of replacing them: the rows have left.
/// Messages are written when their statement closes, where the whole encoder puts them.
#[derive(Debug)]
pub(crate) struct DocumentWriter {
    enc: JsonEncoder,
    depth: usize,
    /// `{"results":[` is written.
    started: bool,
    /// A statement's object is written.
    any_statement: bool,
    statement: Option<OpenStatement>,
}

#[derive(Debug)]
struct OpenStatement {
    id: usize,
    series_open: bool,
    row: Option<OpenRow>,
    messages: Vec<Message>,
    partial: bool,
    failed: bool,
}

#[derive(Debug)]
struct OpenRow {
    name: String,
    tags: Vec<(String, String)>,
    columns: Vec<String>,
    values_open: bool,
    partial: bool,
}

impl DocumentWriter {
    pub(crate) fn new(enc: JsonEncoder) -> Self {
        Self {
            enc,
            depth: 0,
            started: false,
            any_statement: false,
            statement: None,
        }
    }

    fn writer<'a>(&self, out: &'a mut String) -> Writer<'a> {
        Writer {
            out,
            pretty: self.enc.pretty,
            depth: self.depth,
        }
    }

    /// Appends `r` to the document; rows marked `partial` keep the mark when their series
    /// closes (`max-row-limit` cut them).
    pub(crate) fn push(&mut self, out: &mut String, r: &StatementResult) {
        let mut w = Writer {
            out,
            pretty: self.enc.pretty,
            depth: self.depth,
        };
        if !self.started {
            self.started = true;
            w.open('{');
            let mut first = true;
            w.key(&mut first, "results");
            w.open('[');
        }
        if self.statement.as_ref().is_some_and(|st| st.id != r.statement_id) {
            Self::close_statement(&mut w, self.statement.take());
        }
        let st = match &mut self.statement {
            Some(st) => st,
            None => {
                w.item(!self.any_statement);
                self.any_statement = true;
                w.open('{');
                let mut first = true;
                w.key(&mut first, "statement_id");
                let _ = write!(w.out, "{}", r.statement_id);
                self.statement.insert(OpenStatement {
                    id: r.statement_id,
                    series_open: false,
                    row: None,
                    messages: Vec::new(),
                    partial: false,
                    failed: false,
                })
            }
        };
        if st.failed {
            self.depth = w.depth;
            return;
        }
        for row in &r.series {
            let same = st
                .row
                .as_ref()
                .is_some_and(|o| o.name == row.name && o.tags == row.tags && o.columns == row.columns);
            if !same {
                Self::close_row(&mut w, st.row.take());
                if !st.series_open {
                    st.series_open = true;
                    w.key(&mut false, "series");
                    w.open('[');
                    w.item(true);
                } else {
                    w.item(false);
                }
                // The row's head, as the whole encoder writes it, without its values.
                let head = Row {
                    values: Vec::new(),
                    partial: false,
                    ..row.clone()
                };
                self.enc.row(&mut w, &head);
                // Reopen the object the whole encoder closed.
                w.out.pop();
                while w.out.ends_with([' ', '\n']) {
                    w.out.pop();
                }
                w.depth += 1;
                st.row = Some(OpenRow {
                    name: row.name.clone(),
                    tags: row.tags.clone(),
                    columns: row.columns.clone(),
                    values_open: false,
                    partial: false,
                });
            }
            let Some(open) = st.row.as_mut() else { continue };
            for values in &row.values {
                if !open.values_open {
                    open.values_open = true;
                    let mut first = row.name.is_empty() && row.tags.is_empty() && row.columns.is_empty();
                    w.key(&mut first, "values");
                    w.open('[');
                    w.item(true);
                } else {
                    w.item(false);
                }
                w.open('[');
                for (j, v) in values.iter().enumerate() {
                    w.item(j == 0);
                    self.enc.value(w.out, v);
                }
                w.close(']');
            }
            // A piece says whether more follows: the last one decides.
            open.partial = row.partial;
        }
        st.messages.extend(r.messages.iter().cloned());
        st.partial = r.partial;
        if let Some(e) = &r.error {
            Self::close_row(&mut w, st.row.take());
            if st.series_open {
                st.series_open = false;
                w.close(']');
            }
            write_messages(&mut w, &std::mem::take(&mut st.messages));
            Self::partial(&mut w, st.partial);
            w.key(&mut false, "error");
            write_str(w.out, e);
            st.failed = true;
        }
        self.depth = w.depth;
    }

    /// Closes the document (`{}` when nothing was pushed), with the newline InfluxDB ends
    /// it with.
    pub(crate) fn finish(&mut self, out: &mut String) {
        let mut w = self.writer(out);
        if !self.started {
            w.out.push_str("{}\n");
            return;
        }
        Self::close_statement(&mut w, self.statement.take());
        w.close(']');
        w.close('}');
        w.out.push('\n');
        self.depth = 0;
    }

    fn close_row(w: &mut Writer<'_>, row: Option<OpenRow>) {
        let Some(row) = row else { return };
        if row.values_open {
            w.close(']');
        }
        if row.partial {
            w.key(&mut false, "partial");
            w.out.push_str("true");
        }
        w.close('}');
    }

    fn close_statement(w: &mut Writer<'_>, st: Option<OpenStatement>) {
        let Some(mut st) = st else { return };
        Self::close_row(w, st.row.take());
        if st.series_open {
            w.close(']');
        }
        write_messages(w, &std::mem::take(&mut st.messages));
        if !st.failed {
            Self::partial(w, st.partial);
        }
        w.close('}');
    }

    fn partial(w: &mut Writer<'_>, partial: bool) {
        if partial {
            w.key(&mut false, "partial");
            w.out.push_str("true");
        }
    }
}

/// A result's `"messages":[...]`, after its other keys; nothing when there are none.
fn write_messages(w: &mut Writer<'_>, messages: &[Message]) {
    if messages.is_empty() {
        return;
    }
    w.key(&mut false, "messages");
    w.open('[');
    for (i, m) in messages.iter().enumerate() {
        w.item(i == 0);
        w.open('{');
        let mut f = true;
        w.key(&mut f, "level");
        write_str(w.out, m.level);
        w.key(&mut f, "text");
        write_str(w.out, &m.text);
        w.close('}');
    }
    w.close(']');
}

/// Go's `json.MarshalIndent(v, "", "    ")` layout, or compact.
struct Writer<'a> {
    out: &'a mut String,
    pretty: bool,
    depth: usize,
}

impl Writer<'_> {
    fn newline(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("    ");
            }
        }
    }

    fn open(&mut self, c: char) {
        self.out.push(c);
        self.depth += 1;
    }

    fn close(&mut self, c: char) {
        self.depth -= 1;
        let last = self.out.chars().last();
        // Go prints empty containers as `{}`/`[]`.
        if !matches!(last, Some('{' | '[')) {
            self.newline();
        }
        self.out.push(c);
    }

    fn item(&mut self, first: bool) {
        if !first {
            self.out.push(',');
        }
        self.newline();
    }

    fn key(&mut self, first: &mut bool, k: &str) {
        self.item(*first);
        *first = false;
        write_str(self.out, k);
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
    }
}

/// InfluxDB's CSV writer: a `name,tags,<columns>` header whenever the statement or the
/// columns change (after a blank line), results without series skipped, times as integer
/// ns unless an epoch is asked for, floats in plain decimal notation.
#[derive(Debug)]
pub(crate) struct CsvEncoder {
    pub(crate) epoch: Epoch,
    statement: Option<usize>,
    columns: Option<Vec<String>>,
}

impl CsvEncoder {
    pub(crate) fn new(epoch: Epoch) -> Self {
        Self {
            epoch,
            statement: None,
            columns: None,
        }
    }

    /// A top-level error: `error` then the message.
    pub(crate) fn error(message: &str) -> String {
        let mut out = String::from("error\n");
        csv_field(&mut out, message);
        out.push('\n');
        out
    }

    pub(crate) fn results(&mut self, results: &[StatementResult]) -> String {
        let mut out = String::new();
        for r in results {
            if self.statement != Some(r.statement_id) {
                if r.series.is_empty() {
                    continue;
                }
                if self.statement.is_some() {
                    out.push('\n');
                }
                self.statement = Some(r.statement_id);
                self.columns = None;
            }
            for row in &r.series {
                if self.columns.as_ref() != Some(&row.columns) {
                    if self.columns.is_some() {
                        out.push('\n');
                    }
                    self.columns = Some(row.columns.clone());
                    let header: Vec<&str> = ["name", "tags"]
                        .into_iter()
                        .chain(row.columns.iter().map(String::as_str))
                        .collect();
                    csv_line(&mut out, header.iter().map(|s| (*s).to_owned()));
                }
                let tags = row
                    .tags
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",");
                for values in &row.values {
                    let cells = [row.name.clone(), tags.clone()]
                        .into_iter()
                        .chain(values.iter().map(|v| self.cell(v)));
                    csv_line(&mut out, cells);
                }
            }
        }
        out
    }

    fn cell(&self, v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::Float(f) => {
                if f.is_finite() {
                    format!("{f}")
                } else if f.is_nan() {
                    "NaN".to_owned()
                } else if *f > 0.0 {
                    "+Inf".to_owned()
                } else {
                    "-Inf".to_owned()
                }
            }
            Value::Integer(i) => i.to_string(),
            Value::Unsigned(u) => u.to_string(),
            Value::Boolean(b) => b.to_string(),
            Value::String(s) => s.clone(),
            Value::Time(t) | Value::ZonedTime(t, _) => match self.epoch {
                Epoch::Rfc3339 => t.to_string(),
                Epoch::Integer(unit) => (t / unit).to_string(),
            },
        }
    }
}

fn csv_line(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, &c);
    }
    out.push('\n');
}

/// Go's `encoding/csv` quoting rule.
fn csv_field(out: &mut String, s: &str) {
    let needs = s == "\\." || s.contains([',', '"', '\r', '\n']) || s.starts_with([' ', '\t']);
    if !needs {
        out.push_str(s);
        return;
    }
    out.push('"');
    out.push_str(&s.replace('"', "\"\""));
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_like_go() {
        assert_eq!(rfc3339_nano(1_700_000_000_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_nano(1_700_000_000_001_000_000), "2023-11-14T22:13:20.001Z");
        assert_eq!(
            rfc3339_nano(1_700_000_000_000_000_003),
            "2023-11-14T22:13:20.000000003Z"
        );
        assert_eq!(rfc3339_nano(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_nano(-1), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(rfc3339_nano(i64::MIN + 2), "1677-09-21T00:12:43.145224194Z");
        assert_eq!(rfc3339_nano(i64::MAX - 1), "2262-04-11T23:47:16.854775806Z");
        assert_eq!(rfc3339_nano(951_782_400_000_000_000), "2000-02-29T00:00:00Z");
    }

    fn sample() -> Vec<StatementResult> {
        let mut row = Row::new("cpu", &["time", "v", "s"]);
        row.tags = vec![("host".into(), "a".into())];
        row.values = vec![
            vec![
                Value::Time(1_700_000_000_000_000_000),
                Value::Float(1.0),
                Value::String("x,y".into()),
            ],
            vec![
                Value::Time(1_700_000_000_500_000_000),
                Value::Null,
                Value::String("z".into()),
            ],
        ];
        vec![
            StatementResult {
                statement_id: 0,
                series: vec![row],
                ..Default::default()
            },
            StatementResult::error(1, "database not found: x"),
        ]
    }

    #[test]
    fn json_like_influxdb() {
        let enc = JsonEncoder {
            epoch: Epoch::Rfc3339,
            pretty: false,
        };
        assert_eq!(
            enc.response(&sample(), None),
            concat!(
                r#"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","v","s"],"#,
                r#""values":[["2023-11-14T22:13:20Z",1,"x,y"],["2023-11-14T22:13:20.5Z",null,"z"]]}]},"#,
                r#"{"statement_id":1,"error":"database not found: x"}]}"#,
                "\n"
            )
        );
        let enc = JsonEncoder {
            epoch: Epoch::parse(Some("ms")),
            pretty: false,
        };
        assert!(enc.response(&sample(), None).contains("[[1700000000000,1,"));
        assert_eq!(enc.response(&[], Some("boom")), "{\"error\":\"boom\"}\n");
        let pretty = JsonEncoder {
            epoch: Epoch::Rfc3339,
            pretty: true,
        };
        let text = pretty.response(&[StatementResult::default()], None);
        assert_eq!(
            text,
            "{\n    \"results\": [\n        {\n            \"statement_id\": 0\n        }\n    ]\n}\n"
        );
    }

    #[test]
    fn csv_like_influxdb() {
        let mut enc = CsvEncoder::new(Epoch::Rfc3339);
        assert_eq!(
            enc.results(&sample()),
            "name,tags,time,v,s\ncpu,host=a,1700000000000000000,1,\"x,y\"\ncpu,host=a,1700000000500000000,,z\n"
        );
        assert_eq!(CsvEncoder::error("bad \"q\""), "error\n\"bad \"\"q\"\"\"\n");
    }

    #[test]
    fn epochs() {
        assert_eq!(Epoch::parse(None), Epoch::Rfc3339);
        assert_eq!(Epoch::parse(Some("ns")), Epoch::Integer(1));
        assert_eq!(Epoch::parse(Some("µ")), Epoch::Integer(1));
        assert_eq!(Epoch::parse(Some("u")), Epoch::Integer(1_000));
        assert_eq!(Epoch::parse(Some("h")), Epoch::Integer(3_600_000_000_000));
    }
}
