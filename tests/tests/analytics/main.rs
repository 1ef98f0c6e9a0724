//! analytics: the differential suite of InfluxQL's analytics. One deterministic data set
//! ([`data`]) is written to InfluxDB 1.6.7 (the reference) and to the target (cairn-data, or a
//! second influxd with `CAIRN_COMPAT_TARGET=influxd`); then every case's queries go to both and
//! the answers must be the same JSON ([`judge`]): aggregates, selectors, transformations,
//! nested calls, math, GROUP BY time with fill, offsets and tz, GROUP BY tags, LIMIT and
//! SLIMIT, subqueries, INTO, the errors of bad combinations and Grafana's exact query shapes.
//!
//! The suite is meant to stay green while the engine grows, without hiding anything:
//! - `pending.txt` lists the cases Cairn does not pass *yet*. A listed case must still fail and
//!   an unlisted one must pass, so the list can only shrink by someone noticing: a case that
//!   starts passing fails the test until it is removed. `CAIRN_ANALYTICS_WRITE_PENDING=FILE`
//!   writes the list of today's failing cases (point it at `pending.txt` to refresh it).
//! - [`deviations::TABLE`] lists the deliberate differences, mirrored with their reasons in
//!   `docs/compatibility-influxql.md` (checked by `tables_are_consistent`).
//!
//! Both apply only when the target is cairn-data: against a second influxd every case must
//! pass, which proves the cases themselves (`sample()` through the shape rule and `integral()`
//! with GROUP BY tags through the series-in-any-order rule of [`dsl::Rule`]).
//!
//! One pair of servers serves every case: the data set is loaded once (cases only read it,
//! except the INTO cases, which write to measurements nothing else reads), and cases run in
//! table order.
//!
//! Environment:
//! - `CAIRN_COMPAT_TARGET=influxd`: judge a second InfluxDB 1.6.7.
//! - `CAIRN_DATA_BIN`: the cairn-data binary (default: `target/<profile>/cairn-data`).
//! - `CAIRN_ANALYTICS_CASES=a,b*`: run only these cases (`*` at the end: a name prefix).
//! - `CAIRN_ANALYTICS_REPORT=FILE`: write every case (requests, both answers, differences).
//!   Relative paths here and below are taken from the workspace root.
//! - `CAIRN_ANALYTICS_WRITE_PENDING=FILE`: write the failing cases' names, one per line, in the
//!   format of `pending.txt` (cases not run keep their line).

mod cases_aggregate;
mod cases_grafana;
mod cases_group;
mod cases_query;
mod cases_selector;
mod cases_transform;
mod data;
mod deviations;
mod dsl;
mod judge;

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use cairn_tests::server::cairn_data_bin;
use cairn_tests::{Kind, Request, Server};

use crate::deviations::{Deviation, Expect};
use crate::dsl::{get_with, Case, Rule, Step};
use crate::judge::Answer;

/// Failing cases reported in full in the panic message; all are in the report file.
const MAX_DETAILED_FAILURES: usize = 10;
/// Bytes of each answer shown in a failure.
const ANSWER_BYTES_SHOWN: usize = 1500;

/// Every case, in the order they run.
fn all_cases() -> Vec<Case> {
    let mut v = cases_aggregate::cases();
    v.extend(cases_selector::cases());
    v.extend(cases_transform::cases());
    v.extend(cases_group::cases());
    v.extend(cases_query::cases());
    v.extend(cases_grafana::cases());
    v
}

fn pending_path() -> PathBuf {
    cairn_tests::package_path("tests/analytics/pending.txt")
}

/// The case names of a pending file: one per line, `#` starts a comment.
fn read_pending(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

const PENDING_HEADER: &str = "\
# Cases of the analytics suite that cairn-data does not pass yet, one per line (see main.rs).
# A listed case must fail and an unlisted one must pass. Refresh after engine work with
#   CAIRN_ANALYTICS_WRITE_PENDING=tests/tests/analytics/pending.txt \\
#     cargo test -p cairn-tests --test analytics
# (a relative path is taken from the workspace root) and review the diff: only the lines of
# cases you made pass should go.
";

#[test]
fn analytics() {
    run_suite();
}

/// Names are unique and well formed, PENDING and the deviations name real cases and steps, and
/// every deviation is in the doc.
#[test]
fn tables_are_consistent() {
    let cases = all_cases();
    let names = cairn_tests::deviations::check_case_names(cases.iter().map(|c| c.name), "");
    for c in &cases {
        assert!(!c.steps.is_empty(), "case {} has no step", c.name);
    }
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let mut seen = HashSet::new();
    for p in read_pending(&pending_path()) {
        assert!(names.contains(p.as_str()), "pending.txt names an unknown case {p}");
        assert!(seen.insert(p.clone()), "pending.txt lists {p} twice");
    }
    let steps: Vec<(&str, usize)> = cases.iter().map(|c| (c.name, c.steps.len())).collect();
    let table: Vec<(&str, usize)> = deviations::TABLE.iter().map(|d| (d.case, d.step)).collect();
    cairn_tests::deviations::check_documented(
        &cairn_tests::package_path("../docs/compatibility-influxql.md"),
        &steps,
        &table,
    );
}

/// What happened to one step.
struct StepOutcome {
    what: String,
    want: Answer,
    got: Option<Answer>,
    deviation: Option<&'static Deviation>,
    /// `None` when the answers match.
    problem: Option<String>,
}

/// What happened to one case.
struct Outcome {
    name: &'static str,
    steps: Vec<StepOutcome>,
}

impl Outcome {
    fn passed(&self) -> bool {
        self.steps.iter().all(|s| s.problem.is_none())
    }

    fn report(&self, max: usize) -> String {
        let mut s = format!(
            "=== {} ({}) ===\n",
            self.name,
            if self.passed() { "same" } else { "DIFFERENT" }
        );
        for (i, st) in self.steps.iter().enumerate() {
            let _ = writeln!(s, "step {} of {}: {}", i + 1, self.steps.len(), st.what);
            let _ = writeln!(s, "  InfluxDB 1.6.7: {}", st.want.describe(max, 20));
            match &st.got {
                Some(g) => {
                    let _ = writeln!(s, "  target:         {}", g.describe(max, 20));
                }
                None => s.push_str("  target:         (no answer)\n"),
            }
            if let Some(d) = st.deviation {
                let _ = writeln!(
                    s,
                    "  deliberate difference: InfluxDB 1.6.7 answers {}; Cairn answers {}, because {}",
                    d.reference, d.cairn, d.reason
                );
            }
            if let Some(p) = &st.problem {
                let _ = writeln!(s, "  differences:\n{}", indent(p, 4));
            }
        }
        s
    }
}

fn indent(s: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    s.lines().map(|l| format!("{pad}{l}")).collect::<Vec<_>>().join("\n")
}

/// Sends `req` to both servers at once.
fn send_both(a: &Server, b: &Server, req: &Request) -> (Answer, Result<Answer, String>) {
    std::thread::scope(|s| {
        let t = s.spawn(|| b.try_send(req).map(|r| Answer::from_response(&r)));
        let want = Answer::from_response(&a.send(req));
        let got = t
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the sending thread panicked")))
            .map_err(|e| format!("{e}\n{}", b.log_tail(20)));
        (want, got)
    })
}

/// Writes the data set to both servers; every request must succeed on both.
fn load(reference: &Server, tested: &Server) -> Duration {
    let started = Instant::now();
    for req in data::setup() {
        let (want, got) = send_both(reference, tested, &req);
        let ok = |a: &Answer| (200..300).contains(&a.status) && a.error().is_none();
        assert!(
            ok(&want),
            "loading the data set: InfluxDB 1.6.7 answered {} to {}",
            want.describe(500, 2),
            req.describe()
        );
        match got {
            Ok(g) if ok(&g) => {}
            Ok(g) => panic!(
                "loading the data set: the target ({}) answered {} to {}",
                tested.kind(),
                g.describe(500, 2),
                req.describe()
            ),
            Err(e) => panic!("loading the data set: the target did not answer: {e}"),
        }
    }
    started.elapsed()
}

/// Runs one case on both servers.
fn run_case(case: &Case, reference: &Server, tested: &Server, deviations_apply: bool) -> Outcome {
    let mut steps = Vec::new();
    for (i, step) in case.steps.iter().enumerate() {
        let (want, got) = send_both(reference, tested, &step.req);
        let deviation = if deviations_apply {
            deviations::find(case.name, i)
        } else {
            None
        };
        let (want, problem) = match &got {
            Err(e) => (want, Some(format!("the target did not answer: {e}"))),
            Ok(g) => judge_step(want, g, case.rule, deviation, |stmt| {
                Answer::from_response(&reference.send(&alternative(step, stmt).req))
            }),
        };
        steps.push(StepOutcome {
            what: step.what.clone(),
            want,
            got: got.ok(),
            deviation,
            problem,
        });
    }
    Outcome { name: case.name, steps }
}

/// Judges one answer: `got` must be the reference's answer `want`, unless a deviation says
/// otherwise (`ask_reference` sends another statement to the reference). Returns the answer
/// the target was held to and what is wrong, if anything.
fn judge_step(
    want: Answer,
    got: &Answer,
    rule: Rule,
    deviation: Option<&Deviation>,
    ask_reference: impl FnOnce(&str) -> Answer,
) -> (Answer, Option<String>) {
    match deviation.map(|d| &d.expect) {
        None => {
            let p = judge::difference(&want, got, rule);
            (want, p)
        }
        Some(Expect::ReferenceOf(stmt)) => {
            let want = ask_reference(stmt);
            let p = judge::difference(&want, got, rule)
                .map(|d| format!("{d}\n(expected: the reference's answer to {stmt})"));
            (want, p)
        }
        Some(Expect::Check(f)) => {
            let p = f(&want, got).err();
            (want, p)
        }
    }
}

/// `step` with its statement replaced by `stmt` (same parameters).
fn alternative(step: &Step, stmt: &str) -> Step {
    let pairs: Vec<(&str, &str)> = step.params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    get_with(&pairs, stmt)
}

/// A path from the environment: relative ones are taken from the workspace root (cargo runs
/// tests in the package directory, which is not where one usually types the command).
fn env_path(var: &str) -> Option<PathBuf> {
    let p = PathBuf::from(std::env::var_os(var)?);
    if p.is_absolute() {
        return Some(p);
    }
    Some(cairn_tests::package_path("..").join(p))
}

/// Whether `name` is selected by the `CAIRN_ANALYTICS_CASES` entries.
fn selected(filter: &[String], name: &str) -> bool {
    filter.is_empty()
        || filter.iter().any(|f| match f.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == f,
        })
}

fn run_suite() {
    let target = Kind::target_from_env();
    if target == Kind::Cairn {
        // Fail, not skip: a suite that silently tests nothing is worse than a red one.
        if let Err(e) = cairn_data_bin() {
            panic!("analytics suite: {e}");
        }
    }
    let filter: Vec<String> = std::env::var("CAIRN_ANALYTICS_CASES")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let cases: Vec<Case> = all_cases().into_iter().filter(|c| selected(&filter, c.name)).collect();
    assert!(!cases.is_empty(), "CAIRN_ANALYTICS_CASES={filter:?} selects no case");

    let (reference, tested) = std::thread::scope(|s| {
        let r = s.spawn(|| Server::must_start(Kind::Influxd, false));
        let t = s.spawn(|| Server::must_start(target, false));
        (
            r.join().expect("starting the reference panicked"),
            t.join().expect("starting the target panicked"),
        )
    });
    let load_time = load(&reference, &tested);

    let started = Instant::now();
    let deviations_apply = target == Kind::Cairn;
    let outcomes: Vec<Outcome> = cases
        .iter()
        .map(|c| run_case(c, &reference, &tested, deviations_apply))
        .collect();
    let run_time = started.elapsed();
    let requests: usize = cases.iter().map(|c| c.steps.len()).sum();
    let failing: Vec<&Outcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    let summary = format!(
        "analytics (target {target}): data loaded in {load_time:.2?}; {} cases, {requests} requests in {run_time:.2?}; {} differ",
        cases.len(),
        failing.len()
    );
    eprintln!("{summary}");

    if let Some(path) = env_path("CAIRN_ANALYTICS_REPORT") {
        let full: String = outcomes.iter().map(|o| o.report(usize::MAX) + "\n").collect();
        std::fs::write(&path, full).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("analytics: full report in {}", path.display());
    }
    let failure_report = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("analytics-failures.txt");
    let failures: String = failing.iter().map(|o| o.report(usize::MAX) + "\n").collect();
    let _ = std::fs::write(&failure_report, &failures);

    // Which failures are expected.
    let run_names: HashSet<&str> = cases.iter().map(|c| c.name).collect();
    let mut pending: Vec<String> = if target == Kind::Cairn {
        read_pending(&pending_path())
    } else {
        Vec::new()
    };
    if let Some(path) = env_path("CAIRN_ANALYTICS_WRITE_PENDING") {
        let failing_names: HashSet<&str> = failing.iter().map(|o| o.name).collect();
        let old: HashSet<String> = pending.iter().cloned().collect();
        pending = all_cases()
            .iter()
            .map(|c| c.name)
            .filter(|n| {
                if run_names.contains(n) {
                    failing_names.contains(n)
                } else {
                    old.contains(*n)
                }
            })
            .map(str::to_string)
            .collect();
        let mut text = PENDING_HEADER.to_string();
        for p in &pending {
            text.push_str(p);
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("analytics: wrote {} pending cases to {}", pending.len(), path.display());
    }
    let pending: HashSet<&str> = pending.iter().map(String::as_str).collect();
    let unexpected: Vec<&&Outcome> = failing.iter().filter(|o| !pending.contains(o.name)).collect();
    let stale: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.passed() && pending.contains(o.name))
        .map(|o| o.name)
        .collect();
    if unexpected.is_empty() && stale.is_empty() {
        return;
    }

    let mut msg = format!("{summary}\n");
    if !stale.is_empty() {
        let _ = write!(
            msg,
            "\n{} case(s) now pass but are still listed in tests/tests/analytics/pending.txt: remove them \
             (or refresh the file with CAIRN_ANALYTICS_WRITE_PENDING=tests/tests/analytics/pending.txt):\n  {}\n",
            stale.len(),
            stale.join("\n  ")
        );
    }
    if !unexpected.is_empty() {
        let names: Vec<&str> = unexpected.iter().map(|o| o.name).collect();
        let _ = write!(
            msg,
            "\n{} case(s) differ from InfluxDB 1.6.7 and are not pending: {}\n\n",
            unexpected.len(),
            names.join(", ")
        );
        for o in unexpected.iter().take(MAX_DETAILED_FAILURES) {
            msg.push_str(&o.report(ANSWER_BYTES_SHOWN));
            msg.push('\n');
        }
        if unexpected.len() > MAX_DETAILED_FAILURES {
            let _ = writeln!(msg, "... and {} more", unexpected.len() - MAX_DETAILED_FAILURES);
        }
    }
    let _ = write!(msg, "\nevery differing case in full: {}", failure_report.display());
    panic!("{msg}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Answer {
        Answer {
            status: 200,
            text: body.to_string(),
            docs: cairn_tests::json::parse_stream(body),
        }
    }

    fn deviation(expect: Expect) -> Deviation {
        Deviation {
            case: "c",
            step: 0,
            reference: "r",
            cairn: "c",
            reason: "why",
            expect,
        }
    }

    #[test]
    fn test_judge_step() {
        let (a, b) = (answer(r#"{"results":[1]}"#), answer(r#"{"results":[2]}"#));
        let never = |_: &str| -> Answer { panic!("the reference is not asked without ReferenceOf") };
        assert!(judge_step(a.clone(), &a, Rule::Exact, None, never).1.is_none());
        assert!(judge_step(a.clone(), &b, Rule::Exact, None, never).1.is_some());
        let other = deviation(Expect::ReferenceOf("SELECT 2"));
        let (held_to, p) = judge_step(a.clone(), &b, Rule::Exact, Some(&other), |s| {
            assert_eq!(s, "SELECT 2");
            answer(r#"{"results":[2]}"#)
        });
        assert!(p.is_none(), "{p:?}");
        assert_eq!(held_to.text, b.text);
        let check = deviation(Expect::Check(|_, got| {
            if got.text.contains('2') {
                Ok(())
            } else {
                Err("no 2".into())
            }
        }));
        assert!(judge_step(a.clone(), &b, Rule::Exact, Some(&check), never).1.is_none());
        assert_eq!(
            judge_step(b.clone(), &a, Rule::Exact, Some(&check), never).1.as_deref(),
            Some("no 2")
        );
    }

    #[test]
    fn test_selected() {
        let f = |filter: &[&str], name: &str| {
            let filter: Vec<String> = filter.iter().map(|s| s.to_string()).collect();
            selected(&filter, name)
        };
        assert!(f(&[], "mean_float"));
        assert!(f(&["mean_float"], "mean_float"));
        assert!(!f(&["mean"], "mean_float"));
        assert!(f(&["mean*"], "mean_float"));
        assert!(!f(&["sum*", "count_float"], "mean_float"));
    }
}
