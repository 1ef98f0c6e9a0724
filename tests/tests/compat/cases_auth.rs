//! cases_auth: authentication and users, on the pair of servers with `auth-enabled`: the
//! no-admin-yet rule, 401 and 403 texts, basic auth and `u`/`p`, users, passwords, grants.
//! The cases run in this order on a fresh pair: the first one sees a server with no user.

use cairn_tests::http::url;
use cairn_tests::Request;

use crate::dsl::{auth_case, get, method, post, ts, Case, T0};

const ADMIN: (&str, &str) = ("admin", "adm1n pw");

fn a(r: Request) -> Request {
    r.basic_auth(ADMIN.0, ADMIN.1)
}

/// `POST /query` with `q` in a form, as the admin.
fn aq(stmt: &str) -> Request {
    a(post("/query").form(&[("q", stmt)]))
}

/// `GET /query?db=..&q=..` as `user`.
fn uq(user: (&str, &str), db: &str, stmt: &str) -> Request {
    get(&url("/query", &[("db", db), ("q", stmt)])).basic_auth(user.0, user.1)
}

/// `POST /write?db=..` as `user`.
fn uw(user: (&str, &str), db: &str, body: &str) -> Request {
    post(&url("/write", &[("db", db)]))
        .basic_auth(user.0, user.1)
        .body(body)
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        auth_case("auth_no_admin_yet", |db| {
            vec![
                get("/ping"),
                get("/query?q=SHOW+DATABASES"),
                get("/query?q=SHOW+DATABASES").basic_auth("someone", "x"),
                post("/query").form(&[("q", &format!("CREATE DATABASE {db}"))]),
                post("/write?db=x").body("m v=1"),
                post("/query").form(&[("q", "CREATE USER joe WITH PASSWORD 'joe'")]),
                post("/query").form(&[("q", "SHOW USERS")]),
                // The one statement allowed without credentials: the first admin.
                post("/query").form(&[(
                    "q",
                    &format!(
                        "CREATE USER {} WITH PASSWORD '{}' WITH ALL PRIVILEGES",
                        ADMIN.0, ADMIN.1
                    ),
                )]),
                post("/query").form(&[("q", "CREATE USER second WITH PASSWORD 'x' WITH ALL PRIVILEGES")]),
                aq("SHOW USERS"),
            ]
        }),
        auth_case("auth_missing_credentials", |db| {
            vec![
                aq(&format!("CREATE DATABASE {db}")),
                get("/ping"),
                method("HEAD", "/ping"),
                get(&url("/query", &[("db", db), ("q", "SHOW MEASUREMENTS")])),
                post("/query").form(&[("q", "SHOW DATABASES")]),
                post(&url("/write", &[("db", db)])).body(format!("m v=1 {T0}")),
                post("/write").body("m v=1"),
                get(&url("/query", &[("db", db), ("q", "SELECT")])),
                get("/nope"),
                method("PUT", "/query"),
                method("OPTIONS", "/query").header("Origin", "http://grafana.example"),
            ]
        }),
        auth_case("auth_bad_credentials", |db| {
            vec![
                aq(&format!("CREATE DATABASE {db}")),
                uq((ADMIN.0, "wrong"), db, "SHOW MEASUREMENTS"),
                uq(("nobody", "x"), db, "SHOW MEASUREMENTS"),
                uq(("", ""), db, "SHOW MEASUREMENTS"),
                uw((ADMIN.0, "wrong"), db, "m v=1"),
                get(&url(
                    "/query",
                    &[("db", db), ("q", "SHOW MEASUREMENTS"), ("u", ADMIN.0), ("p", "wrong")],
                )),
                get(&url(
                    "/query",
                    &[("db", db), ("q", "SHOW MEASUREMENTS"), ("u", ADMIN.0)],
                )),
                get(&url(
                    "/query",
                    &[("db", db), ("q", "SHOW MEASUREMENTS"), ("p", ADMIN.1)],
                )),
                get(&url("/query", &[("db", db), ("q", "SHOW MEASUREMENTS")]))
                    .header("Authorization", "Basic !!!notbase64"),
                get(&url("/query", &[("db", db), ("q", "SHOW MEASUREMENTS")])).header("Authorization", "Basic"),
                get(&url("/query", &[("db", db), ("q", "SHOW MEASUREMENTS")])).header("Authorization", "Digest x"),
            ]
        }),
        auth_case("auth_basic_and_params", |db| {
            vec![
                aq(&format!("CREATE DATABASE {db}")),
                uw(ADMIN, db, &format!("m,host=a v=1 {T0}")),
                uq(ADMIN, db, "SELECT * FROM m"),
                post(&url("/write", &[("db", db), ("u", ADMIN.0), ("p", ADMIN.1)]))
                    .body(format!("m,host=b v=2 {}", ts(1))),
                get(&url(
                    "/query",
                    &[("db", db), ("q", "SELECT * FROM m"), ("u", ADMIN.0), ("p", ADMIN.1)],
                )),
                // u/p parameters win over the header.
                get(&url(
                    "/query",
                    &[("db", db), ("q", "SELECT * FROM m"), ("u", ADMIN.0), ("p", ADMIN.1)],
                ))
                .basic_auth("nobody", "x"),
                get(&url(
                    "/query",
                    &[("db", db), ("q", "SELECT * FROM m"), ("u", "nobody"), ("p", "x")],
                ))
                .basic_auth(ADMIN.0, ADMIN.1),
                a(get("/ping")),
            ]
        }),
        // `Authorization: Token user:pass` is 1.8+ (deviation).
        auth_case("auth_token_scheme", |db| {
            vec![
                aq(&format!("CREATE DATABASE {db}")),
                get(&url("/query", &[("db", db), ("q", "SHOW MEASUREMENTS")]))
                    .header("Authorization", &format!("Token {}:{}", ADMIN.0, ADMIN.1)),
            ]
        }),
        auth_case("auth_bearer_without_secret", |db| {
            vec![
                aq(&format!("CREATE DATABASE {db}")),
                get(&url("/query", &[("db", db), ("q", "SHOW MEASUREMENTS")]))
                    .header("Authorization", "Bearer abc.def.ghi"),
            ]
        }),
        // /api/v2/write is 1.8+ (deviation).
        auth_case("auth_api_v2_write", |db| {
            vec![
                aq(&format!("CREATE DATABASE {db}")),
                post(&format!("/api/v2/write?bucket={db}&org="))
                    .header("Authorization", &format!("Token {}:{}", ADMIN.0, ADMIN.1))
                    .body(format!("m v=1 {T0}")),
                post(&format!("/api/v2/write?bucket={db}&org="))
                    .header("Authorization", "Token admin:wrong")
                    .body(format!("m v=2 {T0}")),
                post(&format!("/api/v2/write?bucket={db}&org=")).body(format!("m v=3 {T0}")),
                a(get(&url("/query", &[("db", db), ("q", "SELECT * FROM m")]))),
            ]
        }),
        auth_case("auth_users", |_| {
            let bob = ("bob", "b0b");
            vec![
                aq("CREATE USER bob WITH PASSWORD 'b0b'"),
                aq("CREATE USER bob WITH PASSWORD 'b0b'"),
                aq("CREATE USER bob WITH PASSWORD 'other'"),
                aq("SHOW USERS"),
                uq(bob, "", "SHOW DATABASES"),
                aq("SET PASSWORD FOR bob = 'n3w'"),
                uq(bob, "", "SHOW DATABASES"),
                uq(("bob", "n3w"), "", "SHOW DATABASES"),
                aq("SET PASSWORD FOR nosuch = 'x'"),
                aq("CREATE USER \"we ird\" WITH PASSWORD 'p@ss:w0rd'"),
                uq(("we ird", "p@ss:w0rd"), "", "SHOW DATABASES"),
                aq("DROP USER \"we ird\""),
                aq("DROP USER bob"),
                aq("DROP USER bob"),
                uq(("bob", "n3w"), "", "SHOW DATABASES"),
                aq("SHOW USERS"),
                aq("CREATE USER"),
                aq("CREATE USER x WITH PASSWORD"),
            ]
        }),
        auth_case("auth_grants", |db| {
            let carol = ("carol", "c");
            vec![
                aq(&format!("CREATE DATABASE {db}")),
                aq("CREATE USER carol WITH PASSWORD 'c'"),
                aq("SHOW GRANTS FOR carol"),
                uq(carol, db, "SHOW MEASUREMENTS"),
                uw(carol, db, &format!("m v=1 {T0}")),
                aq(&format!("GRANT READ ON {db} TO carol")),
                aq("SHOW GRANTS FOR carol"),
                uq(carol, db, "SHOW MEASUREMENTS"),
                uw(carol, db, &format!("m v=1 {T0}")),
                aq(&format!("GRANT WRITE ON {db} TO carol")),
                aq("SHOW GRANTS FOR carol"),
                uw(carol, db, &format!("m v=1 {T0}")),
                uq(carol, db, "SELECT * FROM m"),
                aq(&format!("REVOKE READ ON {db} FROM carol")),
                aq("SHOW GRANTS FOR carol"),
                uq(carol, db, "SELECT * FROM m"),
                uw(carol, db, &format!("m v=2 {}", ts(1))),
                aq(&format!("GRANT ALL ON {db} TO carol")),
                aq("SHOW GRANTS FOR carol"),
                aq(&format!("REVOKE ALL ON {db} FROM carol")),
                aq("SHOW GRANTS FOR carol"),
                aq("SHOW GRANTS FOR nosuch"),
                aq(&format!("GRANT READ ON {db}_nosuch TO carol")),
                aq(&format!("GRANT READ ON {db} TO nosuch")),
                aq("DROP USER carol"),
            ]
        }),
        auth_case("auth_non_admin_limits", |db| {
            let dan = ("dan", "d");
            vec![
                aq(&format!("CREATE DATABASE {db}")),
                aq("CREATE USER dan WITH PASSWORD 'd'"),
                aq(&format!("GRANT ALL ON {db} TO dan")),
                uq(dan, db, "SHOW DATABASES"),
                uq(dan, "", &format!("CREATE DATABASE {db}_dan")),
                uq(dan, "", "SHOW USERS"),
                uq(dan, "", "CREATE USER eve WITH PASSWORD 'e'"),
                uq(
                    dan,
                    db,
                    &format!("CREATE RETENTION POLICY r ON {db} DURATION 1d REPLICATION 1"),
                ),
                uq(dan, db, "SHOW RETENTION POLICIES"),
                uq(dan, db, "DROP MEASUREMENT m"),
                uq(dan, db, "SHOW GRANTS FOR dan"),
                uq(dan, "", "SET PASSWORD FOR dan = 'd2'"),
                uq(dan, "", "SELECT * FROM nosuchdb..m"),
                aq("DROP USER dan"),
            ]
        }),
        auth_case("auth_admin_privileges", |db| {
            let fay = ("fay", "f");
            vec![
                aq(&format!("CREATE DATABASE {db}")),
                aq("CREATE USER fay WITH PASSWORD 'f'"),
                uq(fay, "", "SHOW USERS"),
                aq("GRANT ALL PRIVILEGES TO fay"),
                aq("SHOW USERS"),
                uq(fay, "", "SHOW USERS"),
                uq(fay, "", &format!("CREATE DATABASE {db}_fay")),
                uq(fay, "", &format!("DROP DATABASE {db}_fay")),
                aq("REVOKE ALL PRIVILEGES FROM fay"),
                aq("SHOW USERS"),
                uq(fay, "", "SHOW USERS"),
                aq("GRANT ALL PRIVILEGES TO nosuch"),
                aq("DROP USER fay"),
            ]
        }),
    ]
}
