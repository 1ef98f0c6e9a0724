//! compat: the same HTTP requests go to InfluxDB 1.6.7 (the reference) and to the target
//! (cairn-data, or a second influxd with `CAIRN_COMPAT_TARGET=influxd`); every answer must match
//! in status, compared headers and body bytes after [`cairn_tests::normalize`]. The only
//! exceptions are the deliberate differences of [`deviations::TABLE`], which are also listed,
//! with their reasons, in `docs/compatibility-http.md`.
//!
//! Each case uses its own database (named after the case) and runs in order on one shared pair
//! of servers: the order matters only for server-wide answers (SHOW DATABASES, SHOW SHARDS,
//! users), and both servers see the same order. Auth cases run on a second pair with
//! authentication enabled.
//!
//! Environment:
//! - `CAIRN_COMPAT_TARGET=influxd`: judge a second InfluxDB 1.6.7 (proves the suite itself).
//! - `CAIRN_DATA_BIN`: the cairn-data binary (default: `target/<profile>/cairn-data`).
//! - `CAIRN_COMPAT_CASES=a,b`: run only the cases whose name contains one of these.
//! - `CAIRN_COMPAT_DUMP=FILE`: write every request and the reference's answer to `FILE.auth` and
//!   `FILE.noauth`.

mod cases_auth;
mod cases_http;
mod cases_query;
mod cases_select;
mod cases_show;
mod cases_write;
mod deviations;
mod dsl;

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write as _;

use cairn_tests::cluster::Cluster;
use cairn_tests::server::cairn_data_bin;
use cairn_tests::{normalize, Kind, Normalized, Request, Server};

use crate::deviations::{Deviation, Expect};
use crate::dsl::Case;

/// Full reports printed in the panic message; the rest are named (all are in the report file).
const MAX_DETAILED_FAILURES: usize = 15;

/// Every case, in the order they run.
fn all_cases() -> Vec<Case> {
    let mut v = cases_show::first_cases();
    v.extend(cases_http::cases());
    v.extend(cases_write::cases());
    v.extend(cases_query::cases());
    v.extend(cases_show::cases());
    v.extend(cases_select::cases());
    v.extend(cases_auth::cases());
    v
}

#[test]
fn compat_without_auth() {
    run_suite(false);
}

#[test]
fn compat_with_auth() {
    run_suite(true);
}

/// The same suite against a cluster of three meta and two data nodes, each request through
/// the other data node than the one before: a database is created through one node and
/// written through the other, and every query reads shards of both (replication 1 places
/// a group's shards on both nodes).
#[test]
fn compat_through_either_data_node_of_a_cluster() {
    run_suite_on(false, Target::Cluster);
}

#[test]
fn compat_through_either_data_node_of_a_cluster_with_auth() {
    run_suite_on(true, Target::Cluster);
}

/// What answers the requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// One server of [`Kind::target_from_env`].
    Server(Kind),
    /// A cluster of cairn-meta and cairn-data processes.
    Cluster,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Server(k) => k.fmt(f),
            Target::Cluster => f.write_str("a cluster of 3 cairn-meta and 2 cairn-data"),
        }
    }
}

/// The running target.
enum Tested {
    Server(Server),
    /// The cluster and how many requests it has had (which node takes the next).
    Cluster(Cluster, std::cell::Cell<usize>),
}

impl Tested {
    fn start(target: Target, auth: bool) -> Tested {
        match target {
            Target::Server(kind) => Tested::Server(Server::must_start(kind, auth)),
            Target::Cluster => Tested::Cluster(
                Cluster::start(2, &[("CAIRN_HTTP_AUTH_ENABLED", if auth { "true" } else { "false" })]),
                std::cell::Cell::new(0),
            ),
        }
    }

    fn try_send(&self, req: &Request) -> std::io::Result<cairn_tests::Response> {
        match self {
            Tested::Server(s) => s.try_send(req),
            Tested::Cluster(c, sent) => {
                // A change made through one node is waited for on the other before it is
                // asked (see Cluster::settle).
                c.settle();
                let n = sent.get();
                sent.set(n + 1);
                cairn_tests::http::send(c.data[n % c.data.len()].http, req)
            }
        }
    }

    fn log_tail(&self, n: usize) -> String {
        match self {
            Tested::Server(s) => s.log_tail(n),
            Tested::Cluster(c, _) => c.data.iter().map(|d| d.log_tail(n)).collect::<Vec<_>>().join("\n"),
        }
    }
}

/// The table and the document agree, and every entry names a real step.
#[test]
fn deviations_are_known_cases_and_documented() {
    let cases = all_cases();
    cairn_tests::deviations::check_case_names(cases.iter().map(|c| c.name), ": it is also the database name");
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    let steps: Vec<(&str, usize)> = cases.iter().map(|c| (c.name, c.steps.len())).collect();
    let table: Vec<(&str, usize)> = deviations::TABLE
        .iter()
        .chain(deviations::CLUSTER_TABLE)
        .map(|d| (d.case, d.step))
        .collect();
    cairn_tests::deviations::check_documented(
        &cairn_tests::package_path("../docs/compatibility-http.md"),
        &steps,
        &table,
    );
}

/// One step whose answers differ.
struct Failure {
    case: &'static str,
    report: String,
}

fn run_suite(auth: bool) {
    run_suite_on(auth, Target::Server(Kind::target_from_env()));
}

fn run_suite_on(auth: bool, target: Target) {
    if target != Target::Server(Kind::Influxd) {
        // Fail, not skip: a suite that silently tests nothing is worse than a red one.
        if let Err(e) = cairn_data_bin() {
            panic!("compat suite: {e}");
        }
    }
    let filter: Vec<String> = std::env::var("CAIRN_COMPAT_CASES")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let cases: Vec<Case> = all_cases()
        .into_iter()
        .filter(|c| c.auth == auth)
        .filter(|c| filter.is_empty() || filter.iter().any(|f| c.name.contains(f.as_str())))
        .collect();
    if cases.is_empty() {
        return;
    }
    let (reference, tested) = std::thread::scope(|s| {
        let r = s.spawn(|| Server::must_start(Kind::Influxd, auth));
        let t = s.spawn(|| Tested::start(target, auth));
        (
            r.join().expect("reference start panicked"),
            t.join().expect("target start panicked"),
        )
    });
    let mut dump = std::env::var("CAIRN_COMPAT_DUMP").ok().map(|p| {
        let p = format!("{p}.{}", if auth { "auth" } else { "noauth" });
        std::fs::File::create(&p).unwrap_or_else(|e| panic!("cannot create {p}: {e}"))
    });

    let mut failures = Vec::new();
    let mut steps = 0;
    for case in &cases {
        for (i, req) in case.steps.iter().enumerate() {
            steps += 1;
            let want_raw = reference.send(req);
            let want = normalize(&want_raw);
            if let Some(f) = dump.as_mut() {
                let _ = writeln!(
                    f,
                    "=== {} step {i}\n>>> {}\n<<< {}\n",
                    case.name,
                    req.describe(),
                    want.describe()
                );
            }
            let deviation = match target {
                Target::Server(Kind::Influxd) => None,
                Target::Server(Kind::Cairn) => deviations::find(case.name, i),
                Target::Cluster => deviations::find_cluster(case.name, i).or_else(|| deviations::find(case.name, i)),
            };
            let problem = match tested.try_send(req) {
                Err(e) => Some(format!("the target did not answer: {e}\n{}", tested.log_tail(20))),
                Ok(got_raw) => {
                    let got = normalize(&got_raw);
                    judge(&want, &got, deviation).map(|d| {
                        format!(
                            "difference:\n{}\ntarget ({target}) answered:\n{}",
                            indent(&d),
                            indent(&got.describe())
                        )
                    })
                }
            };
            if let Some(p) = problem {
                failures.push(Failure {
                    case: case.name,
                    report: report(case, i, req, &want, deviation, &p),
                });
            }
        }
    }

    let failed_cases: Vec<&str> = {
        let mut seen = HashSet::new();
        failures.iter().map(|f| f.case).filter(|c| seen.insert(*c)).collect()
    };
    let summary = format!(
        "compat ({}, target {target}): {} cases, {steps} requests; {} cases differ",
        if auth { "auth" } else { "no auth" },
        cases.len(),
        failed_cases.len()
    );
    eprintln!("{summary}");
    if failures.is_empty() {
        return;
    }
    let full: String = failures
        .iter()
        .map(|f| f.report.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let report_path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("compat-report-{}.txt", if auth { "auth" } else { "noauth" }));
    let _ = std::fs::write(&report_path, &full);
    let mut msg = format!("{summary}: {}\n\n", failed_cases.join(", "));
    for f in failures.iter().take(MAX_DETAILED_FAILURES) {
        msg.push_str(&f.report);
        msg.push('\n');
    }
    if failures.len() > MAX_DETAILED_FAILURES {
        let _ = write!(
            msg,
            "... {} more differing steps",
            failures.len() - MAX_DETAILED_FAILURES
        );
    }
    let _ = write!(msg, "\nfull report: {}", report_path.display());
    panic!("{msg}");
}

/// `None` when `got` is what the target must answer, else what is wrong.
fn judge(want: &Normalized, got: &Normalized, deviation: Option<&Deviation>) -> Option<String> {
    match deviation.map(|d| &d.expect) {
        None => want.difference(got),
        Some(Expect::Transform(f)) => {
            let mut w = want.clone();
            f(&mut w);
            w.difference(got)
                .map(|d| format!("{d}\n(expected = the reference's answer changed as the deviation says)"))
        }
        Some(Expect::Check(f)) => f(want, got).err(),
    }
}

fn report(
    case: &Case,
    step: usize,
    req: &Request,
    want: &Normalized,
    dev: Option<&Deviation>,
    problem: &str,
) -> String {
    let mut s = format!(
        "=== case {} (step {} of {}) ===\n",
        case.name,
        step + 1,
        case.steps.len()
    );
    let _ = writeln!(s, "request:\n{}", indent(&req.describe()));
    let _ = writeln!(s, "reference (InfluxDB 1.6.7) answered:\n{}", indent(&want.describe()));
    if let Some(d) = dev {
        let _ = writeln!(
            s,
            "deliberate difference: InfluxDB 1.6.7 answers {}; Cairn should answer {}\n  because {}",
            d.reference, d.cairn, d.reason
        );
    }
    let _ = writeln!(s, "{problem}");
    s
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}
