use crate::parse_query;

#[test]
fn test_display() {
    let f = |input: &str, want: &str| assert_eq!(parse_query(input).unwrap().to_string(), want, "{input}");
    f("SHOW DATABASES", "SHOW DATABASES");
    f("SHOW measurements", "SHOW MEASUREMENTS");
    f(
        "SHOW MEASUREMENTS ON db WITH MEASUREMENT =~ /(?i)cpu/ WHERE host = 'a' LIMIT 100 OFFSET 1",
        "SHOW MEASUREMENTS ON db WITH MEASUREMENT =~ /(?i)cpu/ WHERE host = 'a' LIMIT 100 OFFSET 1",
    );
    f(
        "SHOW MEASUREMENTS WITH MEASUREMENT = cpu",
        "SHOW MEASUREMENTS WITH MEASUREMENT = cpu",
    );
    f("SHOW RETENTION POLICIES on \"db\"", "SHOW RETENTION POLICIES ON db");
    f(
        "SHOW TAG KEYS FROM \"rp\".\"cpu\" WHERE time > now() - 1h",
        "SHOW TAG KEYS FROM rp.cpu WHERE time > now() - 1h",
    );
    f(
        "SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\"",
        "SHOW TAG VALUES FROM cpu WITH KEY = host",
    );
    f(
        "SHOW TAG VALUES WITH KEY IN (a, \"b c\")",
        "SHOW TAG VALUES WITH KEY IN (a, \"b c\")",
    );
    f("SHOW TAG VALUES WITH KEY !~ /x/", "SHOW TAG VALUES WITH KEY !~ /x/");
    f("SHOW FIELD KEYS FROM cpu", "SHOW FIELD KEYS FROM cpu");
    f(
        "SHOW SERIES ON db FROM cpu WHERE a = 'b' LIMIT 1",
        "SHOW SERIES ON db FROM cpu WHERE a = 'b' LIMIT 1",
    );
    f(
        "SHOW SERIES EXACT CARDINALITY ON db",
        "SHOW SERIES EXACT CARDINALITY ON db",
    );
    f("SHOW MEASUREMENT CARDINALITY", "SHOW MEASUREMENT CARDINALITY");
    f(
        "SHOW TAG KEY EXACT CARDINALITY FROM cpu",
        "SHOW TAG KEY EXACT CARDINALITY FROM cpu",
    );
    f(
        "SHOW TAG VALUES CARDINALITY WITH KEY = host",
        "SHOW TAG VALUES CARDINALITY WITH KEY = host",
    );
    f(
        "SHOW FIELD KEY CARDINALITY GROUP BY host",
        "SHOW FIELD KEY CARDINALITY GROUP BY host",
    );
    f("SHOW STATS FOR 'runtime'", "SHOW STATS FOR 'runtime'");
    f("SHOW DIAGNOSTICS", "SHOW DIAGNOSTICS");
    f("SHOW GRANTS FOR \"u\"", "SHOW GRANTS FOR u");
    f(
        "SHOW SHARD GROUPS; SHOW SHARDS; SHOW USERS; SHOW QUERIES; SHOW SUBSCRIPTIONS; SHOW CONTINUOUS QUERIES",
        "SHOW SHARD GROUPS;\nSHOW SHARDS;\nSHOW USERS;\nSHOW QUERIES;\nSHOW SUBSCRIPTIONS;\nSHOW CONTINUOUS QUERIES",
    );
}

#[test]
fn ddl_display() {
    let f = |input: &str, want: &str| assert_eq!(parse_query(input).unwrap().to_string(), want, "{input}");
    f("CREATE DATABASE \"telegraf\"", "CREATE DATABASE telegraf");
    f(
        "CREATE DATABASE x WITH DURATION 1d REPLICATION 1 SHARD DURATION 1h NAME rp",
        "CREATE DATABASE x WITH DURATION 24h0m0s REPLICATION 1 SHARD DURATION 1h0m0s NAME rp",
    );
    // Found by the fuzzer: a bare WITH would not parse back.
    f(
        "CREATE DATABASE x WITH SHARD DURATION 0m",
        "CREATE DATABASE x WITH SHARD DURATION 0s",
    );
    f("CREATE DATABASE x WITH NAME rp", "CREATE DATABASE x WITH NAME rp");
    f(
        "CREATE RETENTION POLICY \"rp1\" ON \"pyt\" DURATION 1d REPLICATION 1 SHARD DURATION 0s",
        "CREATE RETENTION POLICY rp1 ON pyt DURATION 1d REPLICATION 1",
    );
    f(
        "CREATE RETENTION POLICY rp ON db DURATION INF REPLICATION 1 SHARD DURATION 2w DEFAULT",
        "CREATE RETENTION POLICY rp ON db DURATION 0s REPLICATION 1 SHARD DURATION 2w DEFAULT",
    );
    f(
        "ALTER RETENTION POLICY DEFAULT ON db DEFAULT DURATION 90m",
        "ALTER RETENTION POLICY \"default\" ON db DURATION 90m DEFAULT",
    );
    f("DROP RETENTION POLICY rp ON db", "DROP RETENTION POLICY rp ON db");
    f(
        "CREATE USER u WITH PASSWORD 'p' WITH ALL PRIVILEGES",
        "CREATE USER u WITH PASSWORD [REDACTED] WITH ALL PRIVILEGES",
    );
    f("SET PASSWORD FOR u = 'p'", "SET PASSWORD FOR u = [REDACTED]");
    f("GRANT ALL ON db TO u", "GRANT ALL PRIVILEGES ON db TO u");
    f("GRANT ALL TO u", "GRANT ALL PRIVILEGES TO u");
    f("REVOKE READ ON db FROM u", "REVOKE READ ON db FROM u");
    f("REVOKE ALL PRIVILEGES FROM u", "REVOKE ALL PRIVILEGES FROM u");
    f("KILL QUERY 12 ON \"host1\"", "KILL QUERY 12 ON host1");
    f("DROP SHARD 3", "DROP SHARD 3");
    f("DROP MEASUREMENT \"m1\"", "DROP MEASUREMENT m1");
    f(
        "DROP SERIES FROM cpu WHERE host = 'a'",
        "DROP SERIES FROM cpu WHERE host = 'a'",
    );
    f("DELETE WHERE time < '2000-01-01'", "DELETE WHERE time < '2000-01-01'");
    f(
        "CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ANY 'udp://a', 'udp://b'",
        "CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ANY 'udp://a', 'udp://b'",
    );
    f("DROP SUBSCRIPTION s ON db.rp", "DROP SUBSCRIPTION s ON db.rp");
    f("CREATE CONTINUOUS QUERY cq ON db RESAMPLE EVERY 1m FOR 1h BEGIN SELECT mean(v) INTO x FROM m GROUP BY time(1m) END",
      "CREATE CONTINUOUS QUERY cq ON db RESAMPLE EVERY 1m FOR 1h BEGIN SELECT mean(v) INTO x FROM m GROUP BY time(1m) END");
    f("DROP CONTINUOUS QUERY cq ON db", "DROP CONTINUOUS QUERY cq ON db");
    f("EXPLAIN ANALYZE SELECT v FROM m", "EXPLAIN ANALYZE SELECT v FROM m");
}

#[test]
fn errors() {
    let f = |input: &str, want: &str| assert_eq!(parse_query(input).unwrap_err().to_string(), want, "{input}");
    f("SHOW", "found EOF, expected CONTINUOUS, DATABASES, DIAGNOSTICS, FIELD, GRANTS, MEASUREMENT, MEASUREMENTS, QUERIES, RETENTION, SERIES, SHARD, SHARDS, STATS, SUBSCRIPTIONS, TAG, USERS at line 1, char 6");
    f("FOO", "found FOO, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1");
    f(
        "SHOW TAG VALUES FROM cpu",
        "found EOF, expected WITH at line 1, char 26",
    );
    f(
        "CREATE RETENTION POLICY rp ON db DURATION 1h REPLICATION 1 SHARD DURATION INF",
        "invalid duration INF for shard duration at line 1, char 75",
    );
    f(
        "ALTER RETENTION POLICY rp ON db DURATION 1h DURATION 2h",
        "found duplicate DURATION option at line 1, char 45",
    );
    f(
        "CREATE DATABASE x WITH REPLICATION 0",
        "invalid value 0: must be 1 <= n <= 2147483647 at line 1, char 36",
    );
    f("DROP SERIES FROM db..cpu", "database not supported at line 1, char 1");
    f("DROP SERIES", "found EOF, expected FROM, WHERE at line 1, char 13");
    f("GRANT READ TO u", "found TO, expected ON at line 1, char 12");
    f(
        "REVOKE ALL PRIVILEGES u",
        "found u, expected ON, FROM at line 1, char 23",
    );
}
