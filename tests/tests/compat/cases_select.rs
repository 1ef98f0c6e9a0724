//! cases_select: raw SELECT over the shared fixture: projections, casts, WHERE on time, tags
//! and fields, regex and multiple sources, GROUP BY tags, ORDER BY time DESC, LIMIT/OFFSET,
//! SLIMIT/SOFFSET, how values are rendered in JSON; and two Grafana panel queries.

use crate::dsl::{case, create, q, qp, w, with_fixture, Case, T0};

pub(crate) fn cases() -> Vec<Case> {
    vec![
        case("select_star", |db| {
            with_fixture(
                db,
                &[
                    "SELECT * FROM cpu",
                    "SELECT * FROM mem",
                    "SELECT * FROM disk",
                    "SELECT * FROM net",
                    "select * from cpu",
                ],
            )
        }),
        case("select_columns", |db| {
            with_fixture(
                db,
                &[
                    "SELECT v FROM cpu",
                    "SELECT w, v FROM cpu",
                    "SELECT v, host FROM cpu",
                    "SELECT host, region, v FROM cpu",
                    "SELECT host FROM cpu",
                    "SELECT \"v\" AS \"value\", w AS x FROM cpu",
                    "SELECT v, v FROM cpu",
                    "SELECT nosuch FROM cpu",
                    "SELECT v, nosuch FROM cpu",
                    "SELECT time, v FROM cpu",
                    "SELECT label, free FROM disk",
                ],
            )
        }),
        case("select_casts", |db| {
            with_fixture(
                db,
                &[
                    "SELECT host::tag, v::field FROM cpu",
                    "SELECT v::tag FROM cpu",
                    "SELECT host::field FROM cpu",
                    "SELECT *::field FROM cpu",
                    "SELECT *::tag, v FROM cpu",
                    "SELECT v::float, w::integer FROM cpu",
                    "SELECT v::integer, w::float FROM cpu",
                    "SELECT label::string, free::integer FROM disk",
                    "SELECT up::boolean FROM net",
                ],
            )
        }),
        case("select_where_time", |db| {
            with_fixture(
                db,
                &[
                    "SELECT v FROM cpu WHERE time >= '2023-11-14T22:13:21Z'",
                    "SELECT v FROM cpu WHERE time > '2023-11-14T22:13:21Z' AND time < '2023-11-14T22:13:23Z'",
                    "SELECT v FROM cpu WHERE time = '2023-11-14T22:13:22Z'",
                    "SELECT v FROM cpu WHERE time >= '2023-11-14 22:13:22'",
                    "SELECT v FROM cpu WHERE time >= '2023-11-14T23:13:22+01:00'",
                    "SELECT v FROM cpu WHERE time > 1700000001s",
                    "SELECT v FROM cpu WHERE time >= 1700000001000ms AND time <= 1700000002000ms",
                    "SELECT v FROM cpu WHERE time >= 1700000002000000u",
                    "SELECT v FROM cpu WHERE time >= 1700000002000000000",
                    "SELECT v FROM cpu WHERE time >= 28333333m",
                    "SELECT v FROM cpu WHERE time < now()",
                    "SELECT v FROM cpu WHERE time > now() - 36500d",
                    "SELECT v FROM cpu WHERE time > now() - 1h",
                    "SELECT v FROM cpu WHERE time < now() + 1h AND time > '2023-11-14T22:13:22Z'",
                    "SELECT v FROM cpu WHERE time > '2023-11-14T22:13:20Z' + 1s",
                    "SELECT v FROM cpu WHERE time <= 1700000001s - 500ms",
                    "SELECT v FROM cpu WHERE time > '2023-11-14T22:13:21Z' AND host = 'a'",
                    "SELECT v FROM cpu WHERE time > '2030-01-01T00:00:00Z'",
                ],
            )
        }),
        case("select_where_tags", |db| {
            with_fixture(
                db,
                &[
                    "SELECT * FROM cpu WHERE host = 'a'",
                    "SELECT * FROM cpu WHERE \"host\" = 'a'",
                    "SELECT * FROM cpu WHERE host != 'a'",
                    "SELECT * FROM cpu WHERE host <> 'a'",
                    "SELECT * FROM cpu WHERE host =~ /^[ab]$/",
                    "SELECT * FROM cpu WHERE host !~ /a/",
                    "SELECT * FROM cpu WHERE region = 'us' AND host = 'c'",
                    "SELECT * FROM cpu WHERE host = 'a' OR host = 'b'",
                    "SELECT * FROM cpu WHERE (host = 'a' OR host = 'b') AND region = 'us'",
                    "SELECT * FROM cpu WHERE nosuch = 'x'",
                    "SELECT * FROM mem WHERE region = ''",
                    "SELECT * FROM cpu WHERE host = 'A'",
                    "SELECT * FROM cpu WHERE host::tag = 'a'",
                ],
            )
        }),
        case("select_where_fields", |db| {
            with_fixture(
                db,
                &[
                    "SELECT * FROM cpu WHERE v > 1",
                    "SELECT * FROM cpu WHERE v = 2",
                    "SELECT * FROM cpu WHERE w >= 20",
                    "SELECT * FROM cpu WHERE w < 20 OR v > 3.5",
                    "SELECT * FROM cpu WHERE v > 1 AND host = 'b'",
                    "SELECT * FROM cpu WHERE v + 1 > 3",
                    "SELECT * FROM cpu WHERE v != 1",
                    "SELECT * FROM disk WHERE label = 'root'",
                    "SELECT * FROM disk WHERE label =~ /ro+t/",
                    "SELECT * FROM net WHERE up = true",
                    "SELECT * FROM net WHERE up = false",
                    "SELECT * FROM cpu WHERE w = 10",
                    "SELECT * FROM cpu WHERE v::field > 3",
                ],
            )
        }),
        case("select_regex_sources", |db| {
            with_fixture(
                db,
                &[
                    "SELECT * FROM /c.*|m.*/",
                    "SELECT * FROM /.*/",
                    "SELECT free FROM /.*/",
                    "SELECT * FROM /^nomatch$/",
                    "SELECT * FROM /e/ WHERE host = 'a'",
                ],
            )
        }),
        case("select_multiple_sources", |db| {
            with_fixture(
                db,
                &[
                    "SELECT * FROM cpu, mem",
                    "SELECT * FROM mem, cpu",
                    "SELECT host, free FROM disk, mem",
                    "SELECT * FROM cpu, nosuch",
                    "SELECT * FROM cpu, mem WHERE host = 'b'",
                    "SELECT * FROM autogen.cpu, autogen.net",
                ],
            )
        }),
        case("select_group_by", |db| {
            with_fixture(
                db,
                &[
                    "SELECT * FROM cpu GROUP BY host",
                    "SELECT v FROM cpu GROUP BY region",
                    "SELECT v FROM cpu GROUP BY host, region",
                    "SELECT v FROM cpu GROUP BY region, host",
                    "SELECT * FROM cpu GROUP BY *",
                    "SELECT * FROM mem GROUP BY *",
                    "SELECT v FROM cpu GROUP BY /reg/",
                    "SELECT v FROM cpu GROUP BY nosuch",
                    "SELECT * FROM /.*/ GROUP BY host",
                    "SELECT v, host FROM cpu GROUP BY host",
                ],
            )
        }),
        case("select_order_limit", |db| {
            with_fixture(
                db,
                &[
                    "SELECT * FROM cpu ORDER BY time DESC",
                    "SELECT * FROM cpu ORDER BY time ASC",
                    "SELECT * FROM cpu ORDER BY time DESC LIMIT 1",
                    "SELECT * FROM cpu GROUP BY host ORDER BY time DESC",
                    "SELECT * FROM cpu LIMIT 2",
                    "SELECT * FROM cpu LIMIT 1 OFFSET 1",
                    "SELECT * FROM cpu LIMIT 2 OFFSET 3",
                    "SELECT * FROM cpu OFFSET 2",
                    "SELECT * FROM cpu OFFSET 10",
                    "SELECT * FROM cpu LIMIT 0",
                    "SELECT * FROM cpu GROUP BY host LIMIT 1",
                    "SELECT * FROM cpu GROUP BY host LIMIT 1 OFFSET 1",
                    "SELECT * FROM /.*/ LIMIT 1",
                ],
            )
        }),
        case("select_slimit", |db| {
            with_fixture(
                db,
                &[
                    "SELECT * FROM cpu GROUP BY host SLIMIT 2",
                    "SELECT * FROM cpu GROUP BY host SLIMIT 1 SOFFSET 1",
                    "SELECT * FROM cpu GROUP BY host SLIMIT 2 SOFFSET 2",
                    "SELECT * FROM cpu GROUP BY host SOFFSET 5",
                    "SELECT * FROM cpu GROUP BY host LIMIT 1 SLIMIT 2 SOFFSET 1",
                    "SELECT * FROM cpu GROUP BY * SLIMIT 1",
                    "SELECT * FROM cpu SLIMIT 1",
                ],
            )
        }),
        case("select_epoch_and_grouping", |db| {
            let mut v = with_fixture(db, &[]);
            for e in ["ms", "s", "ns"] {
                v.push(qp(&[
                    ("db", db),
                    ("epoch", e),
                    ("q", "SELECT * FROM cpu GROUP BY host ORDER BY time DESC LIMIT 1"),
                ]));
            }
            v
        }),
        case("select_values_json", |db| {
            vec![
                create(db),
                w(
                    db,
                    &format!(
                        "j f1=1,f2=0.5,f3=100000000000000000000,f4=1e21,f5=-0.0,f6=1e-7,f7=123456789.123456789,f8=-1.5e-300 {T0}\n\
                         j i1=-9223372036854775808i,i2=9223372036854775807i,i3=0i {T0}\n\
                         s a=\"<a&b>\",b=\"tab\there\",c=\"quote\\\"d\",d=\"back\\\\slash\",e=\"\u{2028}\u{7f}é☃\",f=\"ctl\u{1}\" {T0}\n\
                         b t=true,f=false {T0}\n"
                    ),
                ),
                q(db, "SELECT * FROM j"),
                q(db, "SELECT * FROM s"),
                q(db, "SELECT * FROM b"),
                q(db, "SELECT * FROM j, s, b"),
            ]
        }),
        case("select_rp_qualified", |db| {
            let mut v = vec![
                create(db),
                crate::dsl::pq0(&format!(
                    "CREATE RETENTION POLICY other ON {db} DURATION 5200w REPLICATION 1"
                )),
                crate::dsl::wp(&[("db", db), ("rp", "other")], format!("m,where=other v=2 {T0}")),
                w(db, &format!("m,where=autogen v=1 {T0}")),
            ];
            for s in [
                "SELECT * FROM m",
                "SELECT * FROM autogen.m",
                "SELECT * FROM other.m",
                "SELECT * FROM \"other\".\"m\"",
                "SELECT * FROM nosuch.m",
                "SELECT * FROM other.m, autogen.m",
                "SELECT * FROM other./.*/",
            ] {
                v.push(q(db, s));
            }
            v
        }),
        case("select_unknown", |db| {
            with_fixture(
                db,
                &[
                    "SELECT * FROM nosuch",
                    "SELECT v FROM nosuch",
                    "SELECT nosuch FROM cpu WHERE host = 'a'",
                    "SELECT * FROM cpu WHERE host = 'zzz'",
                ],
            )
        }),
        // Grafana's default panel query (backend path, CLIENTS.md §3.4); needs mean() and
        // GROUP BY time(), beyond raw SELECT.
        case("grafana_panel_query", |db| {
            let mut v = with_fixture(db, &[]);
            let stmt = "SELECT mean(\"v\") FROM \"cpu\" WHERE time >= 1699999990000ms and time <= 1700000010000ms GROUP BY time(2s) fill(null)";
            v.push(qp(&[("db", db), ("epoch", "ms"), ("q", stmt)]));
            let tagged = "SELECT mean(\"v\") FROM \"cpu\" WHERE (\"host\" = 'a' OR \"host\" = 'b') AND time >= 1699999990000ms and time <= 1700000010000ms GROUP BY time(5s), \"region\" fill(none)";
            v.push(qp(&[("db", db), ("epoch", "ms"), ("q", tagged)]));
            v
        }),
        case("grafana_raw_query", |db| {
            // A raw query in a Grafana panel: epoch=ms, time filter with lowercase `and`.
            let mut v = with_fixture(db, &[]);
            let stmt = "SELECT \"v\" FROM \"autogen\".\"cpu\" WHERE \"host\" =~ /^(a|c)$/ AND time >= 1699999990000ms and time <= 1700000010000ms ORDER BY time ASC";
            v.push(qp(&[("db", db), ("epoch", "ms"), ("q", stmt)]));
            v.push(
                crate::dsl::post(&cairn_tests::http::url("/query", &[("db", db), ("epoch", "ms")]))
                    .form(&[("q", stmt)]),
            );
            v
        }),
    ]
}
