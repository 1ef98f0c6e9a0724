//! limits: the node's input limits and its secrets, checked on a real `cairn-data` process
//! (issue 13): bcrypt runs off the request threads with a short-lived cache that a password
//! change or DROP USER clears, unknown users cost as much as wrong passwords, passwords past
//! 72 bytes and names past their byte limits are refused, overflowing durations, NUL and
//! statement-less queries are parse errors, no error shows a server path, and every file
//! the node makes is private to it.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use cairn_tests::http::{self, url, Request, Response};
use cairn_tests::{Kind, Server};

fn start(auth: bool) -> Server {
    Server::start(Kind::Cairn, auth).unwrap_or_else(|e| panic!("cannot start cairn-data: {e}"))
}

fn query_req(db: &str, q: &str) -> Request {
    Request::post("/query").form(&[("db", db), ("q", q)])
}

/// The error of the first statement, or the top-level error.
fn error_of(r: &Response) -> String {
    let v = r.json();
    v["results"][0]["error"]
        .as_str()
        .or(v["error"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn run(s: &Server, q: &str) -> Response {
    s.send(&query_req("", q).basic_auth("admin", "admin"))
}

fn ok(s: &Server, q: &str) {
    let r = run(s, q);
    assert!(r.status == 200 && error_of(&r).is_empty(), "{q}: {}", r.describe());
}

fn write_as(addr: SocketAddr, user: &str, password: &str) -> Response {
    let req = Request::post(url("/write", &[("db", "db")]))
        .basic_auth(user, password)
        .body(b"m v=1 1\n".to_vec());
    http::send(addr, &req).expect("the node answers")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn timed(f: impl Fn() -> Response, want_status: u16, n: usize) -> Duration {
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                let r = f();
                assert_eq!(r.status, want_status, "{}", r.describe());
                t.elapsed()
            })
            .collect(),
    )
}

#[test]
fn credentials_are_cached_until_the_password_changes_or_the_user_goes() {
    let s = start(true);
    // The first user may be created without credentials, as in InfluxDB.
    let r = s.send(&query_req(
        "",
        "CREATE USER admin WITH PASSWORD 'admin' WITH ALL PRIVILEGES",
    ));
    assert_eq!(r.status, 200, "{}", r.describe());
    ok(&s, "CREATE DATABASE db");
    ok(&s, "CREATE USER bob WITH PASSWORD 'old'");
    ok(&s, "GRANT WRITE ON db TO bob");
    let addr = s.addr();

    // A wrong password costs a bcrypt check; a remembered success does not.
    let wrong = timed(|| write_as(addr, "bob", "nope"), 401, 5);
    assert_eq!(write_as(addr, "bob", "old").status, 204);
    let cached = timed(|| write_as(addr, "bob", "old"), 204, 9);
    assert!(
        cached * 2 < wrong,
        "a cached success ({cached:?}) must not pay bcrypt again (a wrong password: {wrong:?})"
    );
    // An unknown user pays a check of the same cost (no user enumeration by timing).
    let unknown = timed(|| write_as(addr, "nobody", "nope"), 401, 5);
    eprintln!("median /write: wrong password {wrong:?}, unknown user {unknown:?}, cached success {cached:?}");
    assert!(
        unknown * 3 > wrong,
        "an unknown user ({unknown:?}) must cost about what a wrong password ({wrong:?}) does"
    );
    assert_eq!(
        error_of(&write_as(addr, "nobody", "x")),
        error_of(&write_as(addr, "bob", "x")),
        "the same words for both"
    );

    // SET PASSWORD: the cached old password stops working at once.
    ok(&s, "SET PASSWORD FOR bob = 'new'");
    assert_eq!(write_as(addr, "bob", "old").status, 401);
    assert_eq!(write_as(addr, "bob", "new").status, 204);
    // Privileges are never cached: a REVOKE applies to the next request.
    ok(&s, "REVOKE WRITE ON db FROM bob");
    assert_eq!(write_as(addr, "bob", "new").status, 403);
    ok(&s, "GRANT WRITE ON db TO bob");
    assert_eq!(write_as(addr, "bob", "new").status, 204);
    // DROP USER: refused at once, though its success was remembered.
    ok(&s, "DROP USER bob");
    assert_eq!(write_as(addr, "bob", "new").status, 401);

    // bcrypt reads 72 bytes: a longer password is refused, not cut.
    let long = "p".repeat(73);
    for q in [
        format!("CREATE USER carol WITH PASSWORD '{long}'"),
        format!("SET PASSWORD FOR admin = '{long}'"),
    ] {
        let r = run(&s, &q);
        assert_eq!(
            error_of(&r),
            "password too long: 73 bytes, bcrypt uses at most 72",
            "{}",
            r.describe()
        );
    }
    ok(&s, &format!("CREATE USER carol WITH PASSWORD '{}'", "p".repeat(72)));
    assert_eq!(run(&s, "SHOW USERS").text().matches("carol").count(), 1);
}

#[test]
fn ping_answers_while_logins_wait_for_bcrypt() {
    let s = start(true);
    let r = s.send(&query_req(
        "",
        "CREATE USER admin WITH PASSWORD 'admin' WITH ALL PRIVILEGES",
    ));
    assert_eq!(r.status, 200, "{}", r.describe());
    ok(&s, "CREATE DATABASE db");
    let addr = s.addr();
    // 40 wrong passwords at once are two seconds of bcrypt on two cores: on the request
    // threads they would hold every one of them.
    let (slowest_ping, refused) = std::thread::scope(|scope| {
        let logins: Vec<_> = (0..40)
            .map(|_| scope.spawn(move || write_as(addr, "admin", "wrong").status))
            .collect();
        std::thread::sleep(Duration::from_millis(100));
        let mut slowest = Duration::ZERO;
        for _ in 0..10 {
            let t = Instant::now();
            let r = http::send(addr, &Request::get("/ping")).expect("ping answers");
            assert_eq!(r.status, 204);
            slowest = slowest.max(t.elapsed());
        }
        let refused = logins
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|s| *s == 401)
            .count();
        (slowest, refused)
    });
    eprintln!("slowest of 10 /ping while 40 wrong passwords were checked: {slowest_ping:?}");
    assert_eq!(refused, 40, "every wrong password is refused");
    assert!(
        slowest_ping < Duration::from_millis(500),
        "/ping took {slowest_ping:?} while logins were checked"
    );
}

#[test]
fn names_past_their_byte_limits_are_refused_at_create() {
    let s = start(false);
    let too_long = "d".repeat(256);
    let r = run(&s, &format!("CREATE DATABASE \"{too_long}\""));
    assert_eq!(error_of(&r), "database name too long: 256 bytes, the limit is 255");
    // The limit is what a directory name can hold: a 255-byte database takes writes.
    let longest = "d".repeat(255);
    ok(&s, &format!("CREATE DATABASE \"{longest}\""));
    let w = s.send(&Request::post(url("/write", &[("db", &longest)])).body(b"m v=1 1\n".to_vec()));
    assert_eq!(w.status, 204, "{}", w.describe());
    let r = s.send(&query_req(&longest, "SELECT v FROM m"));
    assert!(
        r.text().contains("\"values\":[[\"1970-01-01T00:00:00.000000001Z\",1]]"),
        "{}",
        r.describe()
    );
    // A database that cannot exist: a clear 404 for writes, an error for queries.
    let w = s.send(&Request::post(url("/write", &[("db", &too_long)])).body(b"m v=1 1\n".to_vec()));
    assert_eq!(w.status, 404, "{}", w.describe());
    assert_eq!(error_of(&w), format!("database not found: \"{too_long}\""));
    let r = s.send(&query_req(&too_long, "SELECT v FROM m"));
    assert_eq!(error_of(&r), format!("database not found: {too_long}"));

    ok(&s, "CREATE DATABASE db");
    let rp = "r".repeat(256);
    let r = run(
        &s,
        &format!("CREATE RETENTION POLICY \"{rp}\" ON db DURATION 1d REPLICATION 1"),
    );
    assert_eq!(
        error_of(&r),
        "retention policy name too long: 256 bytes, the limit is 255"
    );
    let r = run(&s, &format!("CREATE DATABASE db2 WITH NAME \"{rp}\""));
    assert_eq!(
        error_of(&r),
        "retention policy name too long: 256 bytes, the limit is 255"
    );
    let r = run(&s, &format!("CREATE USER \"{}\" WITH PASSWORD 'x'", "u".repeat(256)));
    assert_eq!(error_of(&r), "user name too long: 256 bytes, the limit is 255");
    let names = run(&s, "SHOW DATABASES").text();
    assert!(!names.contains("db2") && !names.contains(&too_long), "{names}");
}

#[test]
fn overflowing_durations_nul_and_empty_queries_are_parse_errors() {
    let s = start(false);
    let f = |q: &str, want: &str| {
        let r = s.send(&Request::get(url("/query", &[("q", q)])));
        assert_eq!(
            (r.status, error_of(&r)),
            (400, want.to_owned()),
            "{q:?}: {}",
            r.describe()
        );
    };
    f(
        "SELECT * FROM m WHERE time > now() - 99999999999999999999d",
        "error parsing query: overflowed duration 99999999999999999999d: choose a smaller duration or INF",
    );
    f(
        "SELECT * FROM m WHERE time > now() - 9223372036854775807w",
        "error parsing query: overflowed duration 9223372036854775807w: choose a smaller duration or INF",
    );
    // InfluxDB wraps this one to 25 minutes without a word.
    f(
        "SELECT * FROM m WHERE time > now() - 213504d",
        "error parsing query: overflowed duration 213504d: choose a smaller duration or INF",
    );
    // InfluxDB 1.6.7 reads NUL as the end of the text and answers 200 {}.
    f("\0", "error parsing query: invalid character NUL at line 1, char 1");
    f(
        "SHOW DATABASES\0DROP DATABASE db",
        "error parsing query: invalid character NUL at line 1, char 15",
    );
    let expected = "SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL";
    f(
        ";",
        &format!("error parsing query: found EOF, expected {expected} at line 1, char 2"),
    );
    // The handler trims the text first, as InfluxDB does: "; ;" ends at char 4.
    f(
        " ; ; ",
        &format!("error parsing query: found EOF, expected {expected} at line 1, char 4"),
    );
    // Blank is a missing parameter, as in InfluxDB.
    f(" ", "missing required parameter \"q\"");
    // A trailing `;` still works.
    let r = s.send(&Request::get(url("/query", &[("q", "SHOW DATABASES;")])));
    assert_eq!(r.status, 200, "{}", r.describe());
    assert!(error_of(&r).is_empty(), "{}", r.describe());
}

#[test]
fn no_error_shows_a_server_path() {
    let s = start(false);
    let root = s.dir().join("cairn");
    let data = root.join("data").join("db").join("autogen");
    let mut answers: Vec<Response> = Vec::new();
    ok(&s, "CREATE DATABASE db");
    let write = |s: &Server, t: i64| {
        s.send(
            &Request::post(url("/write", &[("db", "db"), ("precision", "s")]))
                .body(format!("m v=1 {t}\n").into_bytes()),
        )
    };
    let r = write(&s, 1_700_000_000);
    assert_eq!(r.status, 204, "{}", r.describe());
    // The next shard (id 2, a month later) cannot be made: a file stands where its
    // directory goes.
    std::fs::write(data.join("2"), b"in the way").unwrap();
    let r = write(&s, 1_700_000_000 + 30 * 86_400);
    assert_eq!(r.status, 500, "{}", r.describe());
    assert!(
        error_of(&r).contains("cannot create the shard directory") && error_of(&r).contains("exists"),
        "names what failed and why: {}",
        r.describe()
    );
    answers.push(r);
    // DROP SHARD of it: deleting the "directory" fails.
    let r = run(&s, "DROP SHARD 2");
    assert!(error_of(&r).contains("not a directory"), "{}", r.describe());
    answers.push(r);
    // The metadata file cannot be written: a directory stands where its temporary goes.
    std::fs::create_dir(root.join("meta").join("meta.json.tmp")).unwrap();
    let r = run(&s, "CREATE DATABASE other");
    assert_eq!(
        error_of(&r),
        "metadata store: cannot create the metadata file: Is a directory",
        "{}",
        r.describe()
    );
    answers.push(r);
    std::fs::remove_dir(root.join("meta").join("meta.json.tmp")).unwrap();
    // Other client mistakes, for good measure.
    for q in [
        "SELECT * FROM nowhere..m",
        "DROP RETENTION POLICY x ON nowhere",
        "SHOW RETENTION POLICIES ON nowhere",
    ] {
        answers.push(run(&s, q));
    }
    answers.push(s.send(&Request::post(url("/write", &[("db", "nowhere")])).body(b"m v=1\n".to_vec())));
    answers.push(s.send(&Request::post(url("/write", &[("db", "db"), ("rp", "nope")])).body(b"m v=1\n".to_vec())));

    let secret = s.dir().display().to_string();
    for r in &answers {
        let all = format!("{:?}\n{}", r.headers, r.text());
        assert!(
            !all.contains(&secret),
            "a client saw the server's path {secret}:\n{}",
            r.describe()
        );
        assert!(!all.contains("/tmp/"), "a client saw a server path:\n{}", r.describe());
    }
    // The operator still gets the whole story.
    let log = s.log_tail(200);
    assert!(
        log.contains(&data.join("2").display().to_string()),
        "the log names the path:\n{log}"
    );
}

#[test]
fn files_and_directories_are_private_to_the_node() {
    let s = start(false);
    ok(&s, "CREATE DATABASE db");
    ok(&s, "CREATE USER joe WITH PASSWORD 'x'");
    let body: String = (0..200)
        .map(|i| format!("m,h=h{} v={i} {}\n", i % 5, 1_000 + i))
        .collect();
    let r = s.send(&Request::post(url("/write", &[("db", "db")])).body(body.into_bytes()));
    assert_eq!(r.status, 204, "{}", r.describe());
    let mut seen = (0, 0);
    let mut open = Vec::new();
    walk(&s.dir().join("cairn"), &mut |p, is_dir| {
        let mode = std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            open.push(format!("{:o} {}", mode, p.display()));
        }
        if is_dir {
            seen.0 += 1;
        } else {
            seen.1 += 1;
        }
    });
    assert!(seen.0 >= 4 && seen.1 >= 3, "the node made its files: {seen:?}");
    assert!(
        s.dir().join("cairn").join("meta").join("meta.json").exists(),
        "meta.json is where it is looked for"
    );
    assert!(open.is_empty(), "group or others may reach:\n{}", open.join("\n"));
}

fn walk(dir: &Path, f: &mut impl FnMut(&Path, bool)) {
    f(dir, true);
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            walk(&p, f);
        } else {
            f(&p, false);
        }
    }
}
