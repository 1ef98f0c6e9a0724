//! dsl: the vocabulary of the case tables. A case is a name and one or more `/query` requests,
//! most of them a single GET with `db=analytics`; `$name` in a query stands for one of the
//! time conditions of [`crate::data::RANGES`], so that the tables stay one line per case.

use cairn_tests::http::url;
use cairn_tests::Request;

use crate::data::{expand, DB};

/// How a case's answers are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Status and the whole JSON body (floats within the tolerance).
    Exact,
    /// Status, and the JSON body with every `values` array replaced by its length: for
    /// `sample()`, which picks points at random.
    Shape,
    /// Status and the JSON body after merging the series that share name, tags and columns and
    /// sorting them by name and tags: for `integral()` with GROUP BY tags, which 1.6.7 emits in
    /// random order, its last bucket split off into a second series of the same tags.
    SeriesAnyOrder,
}

/// One request of a case, and how a reader sees it.
pub(crate) struct Step {
    /// The request sent to both servers.
    pub(crate) req: Request,
    /// Method, parameters and the expanded statement, for reports.
    pub(crate) what: String,
    /// The parameters besides `q` (for a deviation's alternative statement).
    pub(crate) params: Vec<(String, String)>,
}

/// A named sequence of requests; each answer is compared.
pub(crate) struct Case {
    /// Unique, `[a-z0-9_]`: what PENDING, the deviations and `CAIRN_ANALYTICS_CASES` name.
    pub(crate) name: &'static str,
    /// In order; later steps may read what earlier ones wrote (INTO).
    pub(crate) steps: Vec<Step>,
    /// How the answers are compared.
    pub(crate) rule: Rule,
}

/// A step: `GET /query` with `params` (in order) and `q` = the expanded statement last.
pub(crate) fn get_with(params: &[(&str, &str)], stmt: &str) -> Step {
    let q = expand(stmt);
    let mut pairs: Vec<(&str, &str)> = params.to_vec();
    pairs.push(("q", &q));
    let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Step {
        req: Request::get(url("/query", &pairs)),
        what: format!("GET /query {}\n  q: {q}", shown.join(" ")),
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
    }
}

/// A step: `GET /query?db=analytics&q=stmt`.
pub(crate) fn get(stmt: &str) -> Step {
    get_with(&[("db", DB)], stmt)
}

/// A step: `POST /query?db=analytics` with `q` in a form body (statements that write: INTO).
pub(crate) fn post(stmt: &str) -> Step {
    let q = expand(stmt);
    Step {
        req: Request::post(url("/query", &[("db", DB)])).form(&[("q", &q)]),
        what: format!("POST /query db={DB} (form body)\n  q: {q}"),
        params: vec![("db".to_string(), DB.to_string())],
    }
}

/// A one-query case, compared exactly.
pub(crate) fn q(name: &'static str, stmt: &str) -> Case {
    steps(name, vec![get(stmt)])
}

/// A one-query case with extra parameters (`epoch`, `chunked`, `rp`, ...) after `db`.
pub(crate) fn qp(name: &'static str, params: &[(&str, &str)], stmt: &str) -> Case {
    let mut p = vec![("db", DB)];
    p.extend_from_slice(params);
    steps(name, vec![get_with(&p, stmt)])
}

/// A one-query case whose answer is random in its values (`sample()`): compared by shape.
pub(crate) fn shape(name: &'static str, stmt: &str) -> Case {
    Case {
        name,
        steps: vec![get(stmt)],
        rule: Rule::Shape,
    }
}

/// A one-query case whose series may come in any order and in fragments (`integral()`).
pub(crate) fn unordered(name: &'static str, stmt: &str) -> Case {
    Case {
        name,
        steps: vec![get(stmt)],
        rule: Rule::SeriesAnyOrder,
    }
}

/// A case of several steps, compared exactly.
pub(crate) fn steps(name: &'static str, steps: Vec<Step>) -> Case {
    Case {
        name,
        steps,
        rule: Rule::Exact,
    }
}
