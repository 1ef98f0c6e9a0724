use crate::{parse_query, parse_statement, Fill, Statement};

fn select(q: &str) -> crate::SelectStatement {
    match parse_statement(q).unwrap() {
        Statement::Select(s) => *s,
        s => panic!("not a SELECT: {s}"),
    }
}

#[test]
fn test_display() {
    let f = |input: &str, want: &str| assert_eq!(parse_query(input).unwrap().to_string(), want, "{input}");
    f("SELECT * FROM cpu", "SELECT * FROM cpu");
    f(
        r#"SELECT mean("value") FROM "policy"."cpu" WHERE time >= 1596240000000ms and time <= 1596240300000ms GROUP BY time(10s) fill(null)"#,
        r#"SELECT mean(value) FROM "policy".cpu WHERE time >= 18475d AND time <= 26604005m GROUP BY time(10s)"#,
    );
    f(
        "SELECT mean(v) FROM cpu GROUP BY time(5s), \"datacenter\" ORDER BY time ASC limit 1 slimit 1 tz('Europe/Paris')",
        "SELECT mean(v) FROM cpu GROUP BY time(5s), datacenter ORDER BY time ASC LIMIT 1 SLIMIT 1 TZ('Europe/Paris')",
    );
    f(
        "SELECT derivative(mean(v), 10s) FROM m",
        "SELECT derivative(mean(v), 10s) FROM m",
    );
    f(
        "SELECT count(distinct(x)), DISTINCT y FROM m",
        "SELECT count(distinct(x)), DISTINCT y FROM m",
    );
    f("SELECT top(v, host, 3) FROM m", "SELECT top(v, host, 3) FROM m");
    f(
        "SELECT *::field, \"x\"::tag, y::integer FROM m",
        "SELECT *::field, x::tag, y::integer FROM m",
    );
    f(
        "SELECT v AS \"my v\" FROM db..m, db.rp.m, /re/",
        "SELECT v AS \"my v\" FROM db..m, db.rp.m, /re/",
    );
    f("SELECT v FROM (SELECT v FROM m)", "SELECT v FROM (SELECT v FROM m)");
    f(
        "SELECT v INTO db.rp.:MEASUREMENT FROM /m/",
        "SELECT v INTO db.rp.:MEASUREMENT FROM /m/",
    );
    f("SELECT -v, 1.5 FROM m", "SELECT -1 * v, 1.500 FROM m");
    f(
        "SELECT v FROM m GROUP BY time(10s, -5s) fill(-1)",
        "SELECT v FROM m GROUP BY time(10s, -5s) fill(-1)",
    );
    f("SELECT v FROM m fill(0.5)", "SELECT v FROM m fill(0.5)");
    f(
        "SELECT v FROM m WHERE a =~ /x\\/y/ AND b = 'it\\'s'",
        "SELECT v FROM m WHERE a =~ /x\\/y/ AND b = 'it\\'s'",
    );
    f("SELECT v FROM m; SHOW DATABASES", "SELECT v FROM m;\nSHOW DATABASES");
}

#[test]
fn precedence() {
    let f = |cond: &str, want: &str| {
        let s = select(&format!("SELECT v FROM m WHERE {cond}"));
        assert_eq!(
            format!("{:?}", s.condition.unwrap()).replace(' ', ""),
            want.replace(' ', ""),
            "{cond}"
        );
    };
    // OR < AND < comparison < + - | ^ < * / % &.
    f("a OR b AND c", "Binary(BinaryExpr{op:Or,lhs:VarRef(VarRef{name:\"a\",data_type:None}),rhs:Binary(BinaryExpr{op:And,lhs:VarRef(VarRef{name:\"b\",data_type:None}),rhs:VarRef(VarRef{name:\"c\",data_type:None})})})");
    let g = |cond: &str, want: &str| {
        let s = select(&format!("SELECT v FROM m WHERE {cond}"));
        assert_eq!(shape(&s.condition.unwrap()), want, "{cond}");
    };
    g("a + b * c", "(a + (b * c))");
    g("a * b + c", "((a * b) + c)");
    g("a - b - c", "((a - b) - c)");
    g("a = 1 AND b = 2 OR c = 3", "(((a = 1) AND (b = 2)) OR (c = 3))");
    g("a | b & c", "(a | (b & c))");
    g("a + b > c * 2", "((a + b) > (c * 2))");
    g("(a + b) * c", "([(a + b)] * c)");
}

/// The tree with every binary node parenthesised and parentheses as `[...]`.
fn shape(e: &crate::Expr) -> String {
    match e {
        crate::Expr::Binary(b) => format!("({} {} {})", shape(&b.lhs), b.op.as_str(), shape(&b.rhs)),
        crate::Expr::Paren(e) => format!("[{}]", shape(e)),
        e => e.to_string(),
    }
}

#[test]
fn clauses() {
    let s = select("SELECT mean(v) FROM m WHERE time > now() - 1h GROUP BY time(10s, 5s), host fill(previous) ORDER BY time DESC LIMIT 3 OFFSET 2 SLIMIT 1 SOFFSET 4 tz('UTC')");
    assert_eq!(s.group_by_interval(), Ok(10_000_000_000));
    assert_eq!(s.group_by_offset(), Ok(5_000_000_000));
    assert_eq!(s.fill, Fill::Previous);
    assert!(!s.sort_fields[0].ascending);
    assert_eq!((s.limit, s.offset, s.slimit, s.soffset), (3, 2, 1, 4));
    assert_eq!(s.location.as_deref(), Some("UTC"));
    assert!(!s.is_raw_query());
    assert!(select("SELECT v FROM m").is_raw_query());
    assert_eq!(select("SELECT v FROM m fill(7)").fill, Fill::Integer(7));
    assert_eq!(select("SELECT v FROM m fill(7.5)").fill, Fill::Number(7.5));
    assert_eq!(select("SELECT v FROM m tz('')").location.as_deref(), Some("UTC"));
}

#[test]
fn errors() {
    let f = |input: &str, want: &str| assert_eq!(parse_query(input).unwrap_err().to_string(), want, "{input}");
    f("SELECT *", "found EOF, expected FROM at line 1, char 9");
    f("SELECT v FROM m fill(bogus)", "expected number argument in fill()");
    f("SELECT v FROM m WHERE h = $h", "missing parameter: h");
    f("SELECT v FROM m WHERE h = $", "empty bound parameter");
    f("SELECT v FROM m WHERE time > now() - 1x", "invalid duration");
    f(
        "SELECT v = 1 FROM m",
        "invalid operator = in SELECT clause at line 1, char 8; operator is intended for WHERE clause",
    );
    f(
        "SELECT v FROM m ORDER BY host",
        "only ORDER BY time supported at this time",
    );
    f(
        "SELECT v FROM a.b.c.d",
        "too many segments in \"a\".\"b\".\"c\".d at line 1, char 1",
    );
    f(
        "SELECT v FROM m tz('Nowhere/City')",
        "unable to find time zone Nowhere/City",
    );
    f(
        "SELECT v FROM m LIMIT -1",
        "found -, expected integer at line 1, char 23",
    );
    f(
        "SELECT v FROM m WHERE v > -9223372036854775809",
        "constant -9223372036854775809 underflows int64",
    );
    f(
        "SELECT v FROM m WHERE a =~ /(a/",
        "error parsing regexp: missing closing ): `(a` at line 1, char 27",
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("SELECT v FROM m WHERE {}a{}", "(".repeat(100_000), ")".repeat(100_000));
    let e = parse_query(&deep).unwrap_err().to_string();
    assert!(e.starts_with("expression nested too deeply"), "{e}");
    let long = format!("SELECT v FROM m WHERE {}", vec!["a = 1"; 100_000].join(" OR "));
    assert!(parse_query(&long).is_err());
    let ok = format!("SELECT v FROM m WHERE {}", vec!["a = 1"; 500].join(" OR "));
    let q = parse_query(&ok).unwrap();
    assert_eq!(parse_query(&q.to_string()).unwrap(), q);
    let nested = format!("SELECT v FROM m WHERE {}a{}", "(".repeat(90), ")".repeat(90));
    assert!(parse_query(&nested).is_ok());
    let subs = format!("SELECT v FROM {}m{}", "(SELECT v FROM ".repeat(1000), ")".repeat(1000));
    assert!(parse_query(&subs).is_err());
}
