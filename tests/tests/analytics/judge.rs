//! judge: decides whether the target's answer to one step is the reference's. Both bodies are
//! parsed as JSON (a chunked answer is a sequence of documents) and compared structurally by
//! [`cairn_tests::json::differences`]: key order and presence, strings, booleans, nulls and
//! integers exact, floats within 1e-9 relative (1e-12 absolute near zero). The status must be
//! the same. A body that is not JSON is compared as text.

use cairn_tests::json::{self, Json, Tolerance};
use cairn_tests::Response;

use crate::dsl::Rule;

/// At most this many differences are listed per step.
const MAX_DIFFERENCES: usize = 12;

/// An HTTP answer reduced to what is compared.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    /// HTTP status.
    pub(crate) status: u16,
    /// The body as text (lossy), for reports and for bodies that are not JSON.
    pub(crate) text: String,
    /// The body's JSON documents, or why it is not JSON.
    pub(crate) docs: Result<Vec<Json>, String>,
}

impl Answer {
    /// Reads a response.
    pub(crate) fn from_response(r: &Response) -> Answer {
        let text = String::from_utf8_lossy(&r.plain_body()).into_owned();
        let docs = json::parse_stream(&text);
        Answer {
            status: r.status,
            text,
            docs,
        }
    }

    /// `status body`, the body cut at `max` bytes; the lines after the first (chunks) are
    /// indented by `indent` spaces.
    pub(crate) fn describe(&self, max: usize, indent: usize) -> String {
        let body = self.text.trim_end();
        let shown = if body.len() > max {
            let cut = (0..=max).rev().find(|&i| body.is_char_boundary(i)).unwrap_or(0);
            format!("{}… ({} bytes in all)", &body[..cut], body.len())
        } else {
            body.to_string()
        };
        let pad = format!("\n{}", " ".repeat(indent));
        format!("{} {}", self.status, shown.replace('\n', &pad))
    }

    /// The first document's `results[0].error`, if any (setup uses this).
    pub(crate) fn error(&self) -> Option<String> {
        let doc = self.docs.as_ref().ok()?.first()?;
        if let Some(e) = doc.get("error") {
            return Some(e.to_string());
        }
        let r = doc.get("results")?.as_array()?.first()?;
        r.get("error").map(ToString::to_string)
    }
}

/// `values` arrays replaced by their length: what two answers of `sample()` share.
pub(crate) fn shape_of(docs: &[Json]) -> Vec<Json> {
    let mut docs = docs.to_vec();
    for d in &mut docs {
        d.visit_mut(&mut |v| {
            if let Json::Object(members) = v {
                for (k, val) in members.iter_mut() {
                    if k == "values" {
                        if let Json::Array(rows) = val {
                            *val = Json::Number(rows.len().to_string());
                        }
                    }
                }
            }
        });
    }
    docs
}

/// Every `series` array with its fragments merged (series of the same name, tags and columns,
/// rows in time order) and sorted by name and tags: what two answers of `integral()` share.
pub(crate) fn series_sorted(docs: &[Json]) -> Vec<Json> {
    let mut docs = docs.to_vec();
    for d in &mut docs {
        d.visit_mut(&mut |v| {
            if let Json::Object(members) = v {
                for (k, val) in members.iter_mut() {
                    if k == "series" {
                        if let Json::Array(series) = val {
                            *series = merge_series(series);
                        }
                    }
                }
            }
        });
    }
    docs
}

fn merge_series(series: &[Json]) -> Vec<Json> {
    let key = |s: &Json| {
        let text = |k: &str| s.get(k).map(ToString::to_string).unwrap_or_default();
        (text("name"), text("tags"), text("columns"))
    };
    let mut merged: Vec<((String, String, String), Json)> = Vec::new();
    for s in series {
        let k = key(s);
        let rows = s.get("values").and_then(Json::as_array).unwrap_or_default().to_vec();
        match merged.iter_mut().find(|(mk, _)| *mk == k) {
            Some((_, Json::Object(m))) => {
                if let Some((_, Json::Array(values))) = m.iter_mut().find(|(name, _)| name == "values") {
                    values.extend(rows);
                }
            }
            _ => merged.push((k, s.clone())),
        }
    }
    merged.sort_by(|a, b| (&a.0 .0, &a.0 .1).cmp(&(&b.0 .0, &b.0 .1)));
    merged
        .into_iter()
        .map(|(_, mut s)| {
            if let Json::Object(m) = &mut s {
                if let Some((_, Json::Array(values))) = m.iter_mut().find(|(name, _)| name == "values") {
                    values.sort_by_key(row_time);
                }
            }
            s
        })
        .collect()
}

/// A row's time for sorting: epoch numbers by value, RFC 3339 texts as text (same format).
fn row_time(row: &Json) -> (i128, String) {
    match row.as_array().and_then(|r| r.first()) {
        Some(Json::Number(n)) => (n.parse().unwrap_or(0), String::new()),
        Some(Json::String(s)) => (0, s.clone()),
        _ => (0, String::new()),
    }
}

/// `None` when `got` matches `want` under `rule`, else the differences, one per line.
pub(crate) fn difference(want: &Answer, got: &Answer, rule: Rule) -> Option<String> {
    let mut out = Vec::new();
    if want.status != got.status {
        out.push(format!("status: want {}, got {}", want.status, got.status));
    }
    match (&want.docs, &got.docs) {
        (Ok(w), Ok(g)) => {
            let (w, g) = match rule {
                Rule::Exact => (w.clone(), g.clone()),
                Rule::Shape => (shape_of(w), shape_of(g)),
                Rule::SeriesAnyOrder => (series_sorted(w), series_sorted(g)),
            };
            if w.len() != g.len() {
                out.push(format!("want {} JSON documents (chunks), got {}", w.len(), g.len()));
            }
            for (i, (a, b)) in w.iter().zip(&g).enumerate() {
                for d in json::differences(a, b, Tolerance::DEFAULT, MAX_DIFFERENCES) {
                    out.push(if w.len() > 1 { format!("chunk {i}: {d}") } else { d });
                }
            }
        }
        (Err(_), _) | (_, Err(_)) => {
            if want.text != got.text {
                let why = got.docs.as_ref().err().map_or("", |e| e.as_str());
                out.push(format!("body text differs (not both JSON) {why}"));
            }
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            text: body.to_string(),
            docs: json::parse_stream(body),
        }
    }

    #[test]
    fn test_shape_rule() {
        let a = answer(
            200,
            r#"{"results":[{"series":[{"name":"cpu","values":[[1,2],[3,4]]}]}]}"#,
        );
        let b = answer(
            200,
            r#"{"results":[{"series":[{"name":"cpu","values":[[5,6],[7,8]]}]}]}"#,
        );
        let c = answer(200, r#"{"results":[{"series":[{"name":"cpu","values":[[5,6]]}]}]}"#);
        assert!(difference(&a, &b, Rule::Exact).is_some());
        assert_eq!(difference(&a, &b, Rule::Shape), None);
        assert!(difference(&a, &c, Rule::Shape).is_some());
        assert!(difference(&a, &answer(400, &a.text), Rule::Shape).is_some());
    }

    #[test]
    fn test_series_any_order_rule() {
        let series = |s: &str| answer(200, &format!(r#"{{"results":[{{"series":[{s}]}}]}}"#));
        let a = series(
            r#"{"name":"m","tags":{"h":"1"},"values":[[1,1],[2,2]]},{"name":"m","tags":{"h":"2"},"values":[[1,3]]}"#,
        );
        let b = series(
            r#"{"name":"m","tags":{"h":"2"},"values":[[1,3]]},{"name":"m","tags":{"h":"1"},"values":[[2,2]]},{"name":"m","tags":{"h":"1"},"values":[[1,1]]}"#,
        );
        let c = series(r#"{"name":"m","tags":{"h":"1"},"values":[[1,1],[2,2]]}"#);
        assert!(difference(&a, &b, Rule::Exact).is_some());
        assert_eq!(difference(&a, &b, Rule::SeriesAnyOrder), None);
        assert!(difference(&a, &c, Rule::SeriesAnyOrder).is_some());
    }
}
