//! data: the data set every case reads, generated from formulas (no randomness) and written to
//! both servers over `/write` before the first case: about 4 000 points in one database (plus an
//! empty one for INTO), loaded in about 0.15 s by influxd and 1 s by cairn-data.
//!
//! What it is built to exercise, and where:
//! - `cpu` (host, region, env; floats `usage_user`, `usage_system`, `usage_idle`): hourly from
//!   2023-10-19 (a Thursday, so the first of three 7-day shard groups) to 2023-11-06, plus every
//!   10 s in the dense hour 2023-10-25T23:30Z..2023-10-26T00:30Z, which crosses a shard-group
//!   boundary. Gaps: `h3` is silent 2023-10-23T00:00Z..2023-10-24T12:00Z and in the dense hour
//!   23:55..00:01; `h4` starts on 2023-10-21 and has no `env` tag; `h2` stops on 2023-11-04.
//!   `h1` has three off-grid points (one 1 ns after the shard boundary, one at .5 s). Values are
//!   multiples of 0.25 (sums and means are exact in any order) from small sets, so ties are
//!   common (max, min, mode, top, bottom). The range spans the Europe/Paris DST change of
//!   2023-10-29T01:00Z.
//! - `net` (host, interface; integers `bytes_recv`, a counter that `h1` resets once, and
//!   `errors`, small with ties): every 15 min over 2023-10-24..27.
//! - `status` (id; integer `code`, string `msg`, boolean `up`, float `load`): every 6 h, `s2`
//!   silent for two days.
//! - `sparse` (s): series that lack fields: `a` has `x` and, every other point, `y`; `b` has only
//!   `y`; `c` has the integer `z` and, every third point, `x`. Every 30 min on 2023-10-22.
//! - `edge`: three points in 1999, 2023 and 2099, for queries without time bounds.
//! - `archive.cpu`: the retention policy `archive` (not the default) holds daily points of `h1`
//!   and `h2` under the same measurement name as `autogen.cpu`.
//! - database `analytics_into`, empty: a target for `SELECT … INTO` across databases.
//!
//! Out of order on purpose: the last week is written first, the dense hour backwards, and the
//! first 25 hours of `h1` are written with wrong values before the right ones overwrite them.

use std::fmt::Write as _;

use cairn_tests::http::url;
use cairn_tests::Request;

/// The database every case reads.
pub(crate) const DB: &str = "analytics";
/// An empty second database, a target for INTO.
pub(crate) const DB_INTO: &str = "analytics_into";

/// 2023-10-19T00:00:00Z, in seconds: a multiple of 7 days, so a shard-group start.
const T_START: i64 = 1_697_673_600;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// Hourly `cpu` points per series: 18 days.
const COARSE_HOURS: i64 = 18 * 24;
/// 2023-10-25T23:30:00Z: the start of the dense hour.
const D_START: i64 = T_START + 6 * DAY + 23 * HOUR + 1800;
/// Points per series in the dense hour (one per 10 s).
const DENSE_POINTS: i64 = 360;

/// One `cpu` host and its tags.
struct Host {
    name: &'static str,
    /// Index used in the value formulas.
    n: i64,
    region: &'static str,
    env: Option<&'static str>,
}

const HOSTS: [Host; 4] = [
    Host {
        name: "h1",
        n: 1,
        region: "eu-west",
        env: Some("prod"),
    },
    Host {
        name: "h2",
        n: 2,
        region: "eu-west",
        env: Some("prod"),
    },
    Host {
        name: "h3",
        n: 3,
        region: "us-east",
        env: Some("staging"),
    },
    Host {
        name: "h4",
        n: 4,
        region: "us-east",
        env: None,
    },
];

/// Whether `host` has a point at `t` (seconds): the gaps described in the module doc.
fn cpu_present(host: &Host, t: i64) -> bool {
    match host.n {
        2 => t < T_START + 16 * DAY,
        3 => {
            !(T_START + 4 * DAY..T_START + 5 * DAY + 12 * HOUR).contains(&t)
                && !(D_START + 1500..D_START + 1860).contains(&t)
        }
        4 => t >= T_START + 2 * DAY,
        _ => true,
    }
}

/// Nanoseconds since the epoch.
fn ns(secs: i64) -> i64 {
    secs * 1_000_000_000
}

/// A quarter-step float as line protocol writes it.
fn quarter(q: i64) -> String {
    format!("{}", q as f64 / 4.0)
}

/// The `cpu` line of `host` at `t_ns`. Values depend only on the 10-second tick, so the hourly
/// and dense timelines agree where they meet.
fn cpu_line(host: &Host, t_ns: i64, wrong: bool) -> String {
    let s = (t_ns / 1_000_000_000 - T_START) / 10;
    // usage_user: 0..20 in steps of 0.5; usage_system: 10..13 in steps of 0.25.
    let user_q = ((s * 37 + host.n * 11).rem_euclid(41)) * 2;
    let system_q = 40 + (s * 7 + host.n * 3).rem_euclid(13);
    let idle_q = 400 - user_q - system_q;
    let user = if wrong { "999".to_string() } else { quarter(user_q) };
    let env = host.env.map(|e| format!(",env={e}")).unwrap_or_default();
    format!(
        "cpu,host={},region={}{env} usage_user={user},usage_system={},usage_idle={} {t_ns}\n",
        host.name,
        host.region,
        quarter(system_q),
        quarter(idle_q)
    )
}

/// Every `cpu` line, in the (out of) order they are written, as write batches.
fn cpu_batches() -> Vec<String> {
    let coarse = |from: i64, to: i64| {
        let mut b = String::new();
        // Host-major: each series arrives as a block, the next host going back in time.
        for h in &HOSTS {
            for k in from..to {
                let t = T_START + k * HOUR;
                if cpu_present(h, t) {
                    b.push_str(&cpu_line(h, ns(t), false));
                }
            }
        }
        b
    };
    let mut wrong = String::new();
    for k in 0..25 {
        wrong.push_str(&cpu_line(&HOSTS[0], ns(T_START + k * HOUR), true));
    }
    let mut dense = String::new();
    for k in (0..DENSE_POINTS).rev() {
        let t = D_START + k * 10;
        for h in &HOSTS {
            if cpu_present(h, t) {
                dense.push_str(&cpu_line(h, ns(t), false));
            }
        }
    }
    // Off-grid points of h1: 125 s in, 1234.5 s in, and 1 ns after the shard boundary.
    for t in [
        ns(D_START + 125),
        ns(D_START + 1234) + 500_000_000,
        ns(D_START + 1800) + 1,
    ] {
        dense.push_str(&cpu_line(&HOSTS[0], t, false));
    }
    vec![
        wrong,
        coarse(14 * 24, COARSE_HOURS),
        dense,
        coarse(7 * 24, 14 * 24),
        coarse(0, 7 * 24),
    ]
}

/// `net`: counters every 15 min over three days; `h1`'s counter resets at point 150.
fn net_batch() -> String {
    let mut b = String::new();
    for (n, host) in [(1, "h1"), (2, "h2")] {
        let mut counter: i64 = 1_000_000 * n;
        for k in 0..288 {
            let t = T_START + 5 * DAY + k * 900;
            let inc = ((k * k + 7 * n) % 97) * 1000 + 500;
            counter = if n == 1 && k == 150 { inc } else { counter + inc };
            let errors = (k * k + n) % 4;
            let _ = writeln!(
                b,
                "net,host={host},interface=eth0 bytes_recv={counter}i,errors={errors}i {}",
                ns(t)
            );
        }
    }
    b
}

/// `status`: every field type, every 6 h; `s2` silent on days 8 and 9.
fn status_batch() -> String {
    let mut b = String::new();
    for (n, id) in [(1, "s1"), (2, "s2")] {
        for k in 0..72 {
            if n == 2 && (32..40).contains(&k) {
                continue;
            }
            let (code, msg) = match (k * 5 + n * 3) % 7 {
                0..=3 => (200, "ok"),
                4 | 5 => (404, "not found"),
                _ => (500, "error"),
            };
            let up = code != 500;
            let load = ((k * 13 + n) % 23) as f64 * 0.125;
            let _ = writeln!(
                b,
                "status,id={id} code={code}i,msg=\"{msg}\",up={up},load={load} {}",
                ns(T_START + k * 6 * HOUR)
            );
        }
    }
    b
}

/// `sparse`: series that lack fields, every 30 min over one day.
fn sparse_batch() -> String {
    let mut b = String::new();
    for k in 0..48 {
        let t = ns(T_START + 3 * DAY + k * 1800);
        let x = ((k * 3) % 11) as f64 * 0.5;
        let y = ((k * 5) % 7) as f64 * 1.5;
        let z = (k * 2) % 9;
        if k % 2 == 0 {
            let _ = writeln!(b, "sparse,s=a x={x},y={y} {t}");
        } else {
            let _ = writeln!(b, "sparse,s=a x={x} {t}");
        }
        let _ = writeln!(b, "sparse,s=b y={y} {t}");
        if k % 3 == 0 {
            let _ = writeln!(b, "sparse,s=c x={x},z={z}i {t}");
        } else {
            let _ = writeln!(b, "sparse,s=c z={z}i {t}");
        }
    }
    b
}

/// `edge`: one point each in 1999, 2023 and 2099.
fn edge_batch() -> String {
    format!(
        "edge v=1.5 {}\nedge v=2.5 {}\nedge v=3.5 {}\n",
        ns(946_684_799),
        ns(T_START + 3 * DAY + 12 * HOUR),
        ns(4_070_908_800)
    )
}

/// `archive.cpu`: daily points of h1 and h2.
fn archive_batch() -> String {
    let mut b = String::new();
    for d in 0..18 {
        for (n, host) in [(1, "h1"), (2, "h2")] {
            let v = ((d * 7 + n) % 10) as f64 + 0.5;
            let _ = writeln!(b, "cpu,host={host} usage_user={v} {}", ns(T_START + d * DAY));
        }
    }
    b
}

/// A DDL statement, as a POST with the statement in the form body.
fn ddl(stmt: &str) -> Request {
    Request::post("/query").form(&[("q", stmt)])
}

/// A write of `body` to `db` (and `rp`, if given).
fn write(db: &str, rp: Option<&str>, body: String) -> Request {
    let mut pairs = vec![("db", db)];
    if let Some(rp) = rp {
        pairs.push(("rp", rp));
    }
    Request::post(url("/write", &pairs)).body(body)
}

/// The requests that create the databases and load the data, in order.
pub(crate) fn setup() -> Vec<Request> {
    let mut v = vec![
        ddl(&format!("CREATE DATABASE {DB}")),
        ddl(&format!(
            "CREATE RETENTION POLICY archive ON {DB} DURATION INF REPLICATION 1"
        )),
        ddl(&format!("CREATE DATABASE {DB_INTO}")),
    ];
    v.extend(cpu_batches().into_iter().map(|b| write(DB, None, b)));
    v.push(write(DB, None, net_batch()));
    v.push(write(DB, None, status_batch()));
    v.push(write(DB, None, sparse_batch()));
    v.push(write(DB, None, edge_batch()));
    v.push(write(DB, Some("archive"), archive_batch()));
    v
}

/// Named time conditions, written `$name` in the case tables (see [`expand`]).
pub(crate) const RANGES: &[(&str, &str)] = &[
    // Every hourly cpu point: three shard groups.
    (
        "$all",
        "time >= '2023-10-19T00:00:00Z' AND time < '2023-11-06T00:00:00Z'",
    ),
    // The dense hour (every 10 s), across the shard boundary at 00:00.
    (
        "$dense",
        "time >= '2023-10-25T23:30:00Z' AND time < '2023-10-26T00:30:00Z'",
    ),
    // Ten minutes of the dense hour; h3 comes back at 00:01.
    (
        "$ten",
        "time >= '2023-10-25T23:55:00Z' AND time < '2023-10-26T00:05:00Z'",
    ),
    // One day of hourly points (sparse's day).
    (
        "$day",
        "time >= '2023-10-22T00:00:00Z' AND time < '2023-10-23T00:00:00Z'",
    ),
    // Eight hours: short raw answers.
    (
        "$eight",
        "time >= '2023-10-22T08:00:00Z' AND time < '2023-10-22T16:00:00Z'",
    ),
    // Four days around h3's silence (2023-10-23T00:00 .. 10-24T12:00).
    (
        "$gap",
        "time >= '2023-10-22T00:00:00Z' AND time < '2023-10-26T00:00:00Z'",
    ),
    // Across the Europe/Paris DST change (2023-10-29T01:00Z).
    (
        "$dst",
        "time >= '2023-10-28T00:00:00Z' AND time < '2023-10-31T00:00:00Z'",
    ),
    // The net counters' three days.
    (
        "$net",
        "time >= '2023-10-24T00:00:00Z' AND time < '2023-10-27T00:00:00Z'",
    ),
    // Inside the data, but between two hourly points: nothing.
    (
        "$hole",
        "time >= '2023-10-22T00:30:00Z' AND time < '2023-10-22T00:50:00Z'",
    ),
    // Long before the data.
    (
        "$past",
        "time >= '2020-01-01T00:00:00Z' AND time < '2020-02-01T00:00:00Z'",
    ),
];

/// Replaces each `$name` of [`RANGES`] in a query.
pub(crate) fn expand(q: &str) -> String {
    let mut out = q.to_string();
    for (k, v) in RANGES {
        out = out.replace(k, v);
    }
    assert!(
        !out.contains("$all") && !out.contains(" $"),
        "unknown range placeholder in {q:?}"
    );
    out
}
