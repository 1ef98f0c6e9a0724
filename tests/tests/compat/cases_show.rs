//! cases_show: statements that manage or list metadata: databases, retention policies, SHOW
//! MEASUREMENTS / TAG KEYS / TAG VALUES / FIELD KEYS / SERIES with their clauses, the
//! cardinality statements, DROP MEASUREMENT, DROP SERIES, DELETE, SHOW SHARDS and SHOW SHARD
//! GROUPS, and the metadata queries of Grafana's editor (CLIENTS.md §3.5).

use crate::dsl::{case, create, pq0, q, q0, ts, w, with_fixture, Case, T0};

pub(crate) fn cases() -> Vec<Case> {
    vec![
        case("create_database", |db| {
            vec![
                pq0(&format!("CREATE DATABASE {db}")),
                pq0(&format!("CREATE DATABASE {db}")),
                pq0(&format!("CREATE DATABASE \"{db}\"")),
                q(db, "SHOW RETENTION POLICIES"),
                pq0("CREATE DATABASE \"create database with space\""),
                pq0("CREATE DATABASE \"create-database-dash\"; CREATE DATABASE \"create_database_二\""),
                pq0("CREATE DATABASE create_database_unquoted_二"),
                q0("SHOW DATABASES"),
                pq0("DROP DATABASE \"create database with space\"; DROP DATABASE \"create-database-dash\"; DROP DATABASE \"create_database_二\""),
            ]
        }),
        case("create_database_with", |db| {
            vec![
                pq0(&format!(
                    "CREATE DATABASE {db} WITH DURATION 3d REPLICATION 1 SHARD DURATION 1h NAME \"short\""
                )),
                q(db, "SHOW RETENTION POLICIES"),
                pq0(&format!(
                    "CREATE DATABASE {db} WITH DURATION 3d REPLICATION 1 SHARD DURATION 1h NAME \"short\""
                )),
                pq0(&format!("CREATE DATABASE {db} WITH DURATION 4d")),
                pq0(&format!("CREATE DATABASE {db}")),
                pq0(&format!("CREATE DATABASE {db}_b WITH DURATION 30m")),
                pq0(&format!("CREATE DATABASE {db}_c WITH NAME only_name")),
                q(&format!("{db}_c"), "SHOW RETENTION POLICIES"),
                pq0(&format!("CREATE DATABASE {db}_d WITH DURATION INF SHARD DURATION 30m")),
                q(&format!("{db}_d"), "SHOW RETENTION POLICIES"),
                pq0(&format!("CREATE DATABASE {db}_e WITH REPLICATION 3")),
                q(&format!("{db}_e"), "SHOW RETENTION POLICIES"),
                pq0(&format!("CREATE DATABASE {db}_f WITH REPLICATION 0")),
                pq0(&format!(
                    "DROP DATABASE {db}_c; DROP DATABASE {db}_d; DROP DATABASE {db}_e"
                )),
            ]
        }),
        case("drop_database", |db| {
            vec![
                create(db),
                w(db, &format!("m v=1 {T0}")),
                pq0(&format!("DROP DATABASE {db}")),
                q(db, "SELECT * FROM m"),
                w(db, &format!("m v=1 {T0}")),
                pq0(&format!("DROP DATABASE {db}")),
                pq0("DROP DATABASE"),
                create(db),
                q(db, "SELECT * FROM m"),
                q(db, "SHOW MEASUREMENTS"),
            ]
        }),
        case("show_subscriptions_empty", |db| {
            vec![
                pq0(&format!("CREATE DATABASE {db}")),
                q0("SHOW SUBSCRIPTIONS"),
                q(db, "SHOW SUBSCRIPTIONS"),
            ]
        }),
        case("show_databases", |db| {
            vec![
                pq0(&format!(
                    "CREATE DATABASE {db}_z; CREATE DATABASE {db}_a; CREATE DATABASE {db}_m"
                )),
                q0("SHOW DATABASES"),
                q(db, "SHOW DATABASES"),
                pq0(&format!(
                    "DROP DATABASE {db}_z; DROP DATABASE {db}_a; DROP DATABASE {db}_m"
                )),
                q0("SHOW DATABASES; SHOW DATABASES"),
            ]
        }),
        case("retention_policies", |db| {
            vec![
                create(db),
                pq0(&format!("CREATE RETENTION POLICY r1 ON {db} DURATION 1d REPLICATION 1")),
                pq0(&format!(
                    "CREATE RETENTION POLICY \"r 2\" ON {db} DURATION 2h REPLICATION 1 SHARD DURATION 30m DEFAULT"
                )),
                pq0(&format!(
                    "CREATE RETENTION POLICY r3 ON {db} DURATION INF REPLICATION 2"
                )),
                q(db, "SHOW RETENTION POLICIES"),
                q0(&format!("SHOW RETENTION POLICIES ON {db}")),
                pq0(&format!(
                    "ALTER RETENTION POLICY r1 ON {db} DURATION 3d SHARD DURATION 2h DEFAULT"
                )),
                pq0(&format!("ALTER RETENTION POLICY r3 ON {db} REPLICATION 1")),
                q(db, "SHOW RETENTION POLICIES"),
                pq0(&format!("DROP RETENTION POLICY r1 ON {db}")),
                pq0(&format!("DROP RETENTION POLICY \"r 2\" ON {db}")),
                q(db, "SHOW RETENTION POLICIES"),
                w(db, &format!("m v=1 {T0}")),
                pq0(&format!("DROP RETENTION POLICY autogen ON {db}")),
                q(db, "SHOW RETENTION POLICIES"),
                w(db, &format!("m v=1 {T0}")),
            ]
        }),
        case("retention_policy_shard_durations", |db| {
            let mut v = vec![create(db)];
            for (i, d) in ["1h", "47h", "2d", "3d", "180d", "181d", "1000d", "INF", "90m", "1w"]
                .iter()
                .enumerate()
            {
                v.push(pq0(&format!(
                    "CREATE RETENTION POLICY d{i} ON {db} DURATION {d} REPLICATION 1"
                )));
            }
            v.push(q(db, "SHOW RETENTION POLICIES"));
            v
        }),
        case("retention_policy_errors", |db| {
            vec![
                create(db),
                pq0(&format!("CREATE RETENTION POLICY r1 ON {db} DURATION 1d REPLICATION 1")),
                pq0(&format!("CREATE RETENTION POLICY r1 ON {db} DURATION 1d REPLICATION 1")),
                pq0(&format!("CREATE RETENTION POLICY r1 ON {db} DURATION 2d REPLICATION 1")),
                pq0(&format!(
                    "CREATE RETENTION POLICY r2 ON {db} DURATION 59m REPLICATION 1"
                )),
                pq0(&format!(
                    "CREATE RETENTION POLICY r3 ON {db} DURATION 2h REPLICATION 1 SHARD DURATION 10m"
                )),
                pq0(&format!(
                    "CREATE RETENTION POLICY r4 ON {db} DURATION 1d REPLICATION 1 SHARD DURATION 2d"
                )),
                pq0(&format!("CREATE RETENTION POLICY r5 ON {db} DURATION 1d")),
                pq0(&format!("CREATE RETENTION POLICY r5 ON {db} DURATION 1d REPLICATION 0")),
                pq0(&format!(
                    "CREATE RETENTION POLICY r6 ON {db}_nosuch DURATION 1d REPLICATION 1"
                )),
                pq0(&format!("ALTER RETENTION POLICY nosuch ON {db} DURATION 2d")),
                pq0(&format!("ALTER RETENTION POLICY r1 ON {db} DURATION 30m")),
                pq0(&format!("ALTER RETENTION POLICY r1 ON {db}")),
                pq0(&format!("DROP RETENTION POLICY nosuch ON {db}")),
                pq0(&format!("DROP RETENTION POLICY r1 ON {db}_nosuch")),
                q0(&format!("SHOW RETENTION POLICIES ON {db}_nosuch")),
                pq0("CREATE RETENTION POLICY r7 DURATION 1d REPLICATION 1"),
                q(db, "SHOW RETENTION POLICIES"),
            ]
        }),
        case("show_measurements", |db| {
            with_fixture(
                db,
                &[
                    "SHOW MEASUREMENTS",
                    "SHOW MEASUREMENTS LIMIT 2",
                    "SHOW MEASUREMENTS LIMIT 2 OFFSET 1",
                    "SHOW MEASUREMENTS OFFSET 3",
                    "SHOW MEASUREMENTS OFFSET 10",
                    "SHOW MEASUREMENTS WITH MEASUREMENT =~ /m.*/",
                    "SHOW MEASUREMENTS WITH MEASUREMENT = \"mem\"",
                    "SHOW MEASUREMENTS WITH MEASUREMENT = mem",
                    "SHOW MEASUREMENTS WITH MEASUREMENT !~ /m.*/",
                    "SHOW MEASUREMENTS WHERE host = 'b'",
                    "SHOW MEASUREMENTS WHERE region =~ /u.*/",
                    "SHOW MEASUREMENTS WHERE host = 'a' AND region = 'us'",
                    "SHOW MEASUREMENTS WHERE host = 'b' OR path = '/'",
                    "SHOW MEASUREMENTS WHERE host != 'a'",
                    "SHOW MEASUREMENTS WHERE nosuch = 'x'",
                    "SHOW MEASUREMENTS WITH MEASUREMENT =~ /c.*/ WHERE host = 'a' LIMIT 1",
                ],
            )
        }),
        case("show_tag_keys", |db| {
            with_fixture(
                db,
                &[
                    "SHOW TAG KEYS",
                    "SHOW TAG KEYS FROM cpu",
                    "SHOW TAG KEYS FROM /m.*/",
                    "SHOW TAG KEYS FROM cpu, disk",
                    "SHOW TAG KEYS FROM nosuch",
                    "SHOW TAG KEYS LIMIT 1",
                    "SHOW TAG KEYS LIMIT 1 OFFSET 1",
                    "SHOW TAG KEYS SLIMIT 2",
                    "SHOW TAG KEYS WHERE host = 'b'",
                    "SHOW TAG KEYS FROM cpu WHERE region = 'eu'",
                    "SHOW TAG KEYS WITH KEY = host",
                    "SHOW TAG KEYS WITH KEY =~ /^r/",
                ],
            )
        }),
        case("show_tag_values", |db| {
            with_fixture(
                db,
                &[
                    "SHOW TAG VALUES WITH KEY = host",
                    "SHOW TAG VALUES WITH KEY = \"host\"",
                    "SHOW TAG VALUES FROM cpu WITH KEY = host",
                    "SHOW TAG VALUES FROM cpu WITH KEY IN (host, region)",
                    "SHOW TAG VALUES WITH KEY =~ /h.*|path/",
                    "SHOW TAG VALUES WITH KEY != host",
                    "SHOW TAG VALUES WITH KEY !~ /o/",
                    "SHOW TAG VALUES WITH KEY = host WHERE region = 'us'",
                    "SHOW TAG VALUES WITH KEY = host WHERE region =~ /e.*/",
                    "SHOW TAG VALUES WITH KEY = host LIMIT 2",
                    "SHOW TAG VALUES WITH KEY = host LIMIT 2 OFFSET 1",
                    "SHOW TAG VALUES FROM nosuch WITH KEY = host",
                    "SHOW TAG VALUES WITH KEY = nosuch",
                    "SHOW TAG VALUES FROM /c.*|d.*/ WITH KEY = host",
                ],
            )
        }),
        case("show_field_keys", |db| {
            with_fixture(
                db,
                &[
                    "SHOW FIELD KEYS",
                    "SHOW FIELD KEYS FROM mem",
                    "SHOW FIELD KEYS FROM /m.*/",
                    "SHOW FIELD KEYS FROM nosuch",
                    "SHOW FIELD KEYS FROM cpu LIMIT 1",
                    "SHOW FIELD KEYS FROM cpu LIMIT 1 OFFSET 1",
                    "SHOW FIELD KEYS FROM autogen.cpu",
                ],
            )
        }),
        case("show_series", |db| {
            with_fixture(
                db,
                &[
                    "SHOW SERIES",
                    "SHOW SERIES FROM cpu",
                    "SHOW SERIES FROM /m.*/",
                    "SHOW SERIES WHERE host = 'a'",
                    "SHOW SERIES FROM cpu WHERE region = 'us'",
                    "SHOW SERIES WHERE host =~ /a|b/ AND region != 'eu'",
                    "SHOW SERIES LIMIT 2",
                    "SHOW SERIES LIMIT 2 OFFSET 1",
                    "SHOW SERIES OFFSET 100",
                    "SHOW SERIES FROM nosuch",
                    "SHOW SERIES WHERE time > 0",
                ],
            )
        }),
        case("show_cardinality", |db| {
            with_fixture(
                db,
                &[
                    "SHOW SERIES CARDINALITY",
                    "SHOW SERIES EXACT CARDINALITY",
                    "SHOW SERIES EXACT CARDINALITY FROM cpu",
                    "SHOW SERIES EXACT CARDINALITY WHERE host = 'a'",
                    "SHOW MEASUREMENT CARDINALITY",
                    "SHOW MEASUREMENT EXACT CARDINALITY",
                    "SHOW MEASUREMENT EXACT CARDINALITY WHERE host = 'b'",
                    "SHOW TAG KEY CARDINALITY",
                    "SHOW TAG KEY EXACT CARDINALITY",
                    "SHOW TAG KEY EXACT CARDINALITY FROM cpu",
                    "SHOW TAG VALUES CARDINALITY WITH KEY = host",
                    "SHOW TAG VALUES EXACT CARDINALITY WITH KEY = host",
                    "SHOW TAG VALUES EXACT CARDINALITY FROM cpu WITH KEY = region",
                    "SHOW FIELD KEY CARDINALITY",
                    "SHOW FIELD KEY EXACT CARDINALITY",
                    "SHOW FIELD KEY EXACT CARDINALITY FROM mem",
                ],
            )
        }),
        case("show_on_clause", |db| {
            let mut v = with_fixture(db, &[]);
            for s in [
                "SHOW MEASUREMENTS ON {db}",
                "SHOW TAG KEYS ON {db} FROM cpu",
                "SHOW TAG VALUES ON {db} WITH KEY = host",
                "SHOW FIELD KEYS ON {db}",
                "SHOW SERIES ON {db} FROM mem",
                "SHOW RETENTION POLICIES ON \"{db}\"",
                "SELECT * FROM {db}.autogen.net",
                "SELECT * FROM {db}..net",
                "SELECT * FROM \"{db}\".\"autogen\".\"net\"",
                "SHOW MEASUREMENTS ON nosuchdb_on",
            ] {
                v.push(q0(&s.replace("{db}", db)));
            }
            v
        }),
        case("grafana_metadata_queries", |db| {
            with_fixture(
                db,
                &[
                    &format!("SHOW RETENTION POLICIES on \"{db}\""),
                    "SHOW measurements",
                    "SHOW MEASUREMENTS LIMIT 100",
                    "SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)CP/ LIMIT 100",
                    "SHOW MEASUREMENTS WHERE \"host\" = 'a' LIMIT 100",
                    "SHOW TAG KEYS FROM \"cpu\"",
                    "SHOW TAG KEYS FROM \"autogen\".\"cpu\"",
                    "SHOW TAG KEYS FROM \"cpu\" WHERE time > now() - 1h",
                    "SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\"",
                    "SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\" WHERE \"region\" = 'us'",
                    "SHOW FIELD KEYS FROM \"cpu\"",
                    "SHOW FIELD KEYS FROM \"autogen\".\"mem\"",
                    "SHOW FIELD KEYS",
                    "SHOW MEASUREMENTS LIMIT 1",
                ],
            )
        }),
        case("drop_measurement", |db| {
            let mut v = with_fixture(db, &["DROP MEASUREMENT mem"]);
            v.extend([
                q(db, "SHOW MEASUREMENTS"),
                q(db, "SELECT * FROM mem"),
                q(db, "SHOW SERIES"),
                q(db, "SHOW FIELD KEYS FROM mem"),
                q(db, "DROP MEASUREMENT nosuch"),
                w(db, &format!("mem used=7i {T0}")),
                q(db, "SELECT * FROM mem"),
                q(db, "DROP MEASUREMENT \"cpu\"; SHOW MEASUREMENTS"),
            ]);
            v
        }),
        case("drop_series", |db| {
            with_fixture(
                db,
                &[
                    "DROP SERIES FROM cpu WHERE host = 'a'",
                    "SHOW SERIES",
                    "SELECT * FROM cpu",
                    "DROP SERIES WHERE region = 'eu'",
                    "SHOW SERIES",
                    "DROP SERIES FROM nosuch",
                    "DROP SERIES FROM net",
                    "SHOW MEASUREMENTS",
                    "DROP SERIES",
                ],
            )
        }),
        case("delete_points", |db| {
            with_fixture(
                db,
                &[
                    &format!("DELETE FROM cpu WHERE time < {}", ts(1)),
                    "SELECT * FROM cpu",
                    "DELETE FROM cpu WHERE host = 'b'",
                    "SELECT * FROM cpu",
                    "SHOW SERIES FROM cpu",
                    "DELETE WHERE time >= '2023-11-14T22:13:22Z'",
                    "SELECT * FROM /.*/",
                    "DELETE FROM mem",
                    "SHOW MEASUREMENTS",
                    "DELETE FROM nosuch",
                    "DELETE",
                ],
            )
        }),
    ]
}

/// Runs before every other case: SHOW SHARDS lists the shards of every database on the server,
/// and the deliberate differences change which shards exist (a point 1.6.7 rejects and Cairn
/// stores creates a shard), so this case must see only databases without such differences.
pub(crate) fn first_cases() -> Vec<Case> {
    vec![case("show_shards_and_groups", |db| {
        vec![
            create(db),
            w(
                db,
                &format!("m v=1 {T0}\nm v=2 {}\nm v=3 {}\n", ts(8 * 86400), ts(-400 * 86400)),
            ),
            q0("SHOW SHARDS"),
            q0("SHOW SHARD GROUPS"),
            pq0(&format!("DROP DATABASE {db}")),
        ]
    })]
}
