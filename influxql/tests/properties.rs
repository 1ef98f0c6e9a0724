//! Property tests: printing a generated statement and parsing the text gives the same tree,
//! and no input makes the parser panic.

use influxql::{
    parse_query, BinaryOp, Call, DataType, Expr, Field, Fill, Literal, Measurement, Regex, SelectStatement, SortField,
    Source, Statement, VarRef, Wildcard,
};
use proptest::prelude::*;

fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_]{0,6}",
        Just("select".to_string()),
        Just("my field".to_string()),
        Just("a\"b\\c\nd".to_string()),
        Just("héllo".to_string()),
        Just("1abc".to_string()),
    ]
}

fn literal() -> impl Strategy<Value = Expr> {
    prop_oneof![
        any::<i64>().prop_map(|v| Expr::Literal(Literal::Integer(v))),
        (i64::MAX as u64 + 1..=u64::MAX).prop_map(|v| Expr::Literal(Literal::Unsigned(v))),
        any::<f64>()
            .prop_filter("finite, not integral-looking", |v| v.is_finite())
            .prop_map(|v| Expr::Literal(Literal::Number(v))),
        "[ -~]{0,8}".prop_map(|s| Expr::Literal(Literal::String(s))),
        any::<bool>().prop_map(|b| Expr::Literal(Literal::Boolean(b))),
        (-1_000_000_000_000_000i64..1_000_000_000_000_000).prop_map(|d| Expr::Literal(Literal::Duration(d))),
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => (ident(), prop::option::of(prop::sample::select(vec![
            DataType::Float, DataType::Integer, DataType::Unsigned, DataType::String, DataType::Boolean,
            DataType::Tag, DataType::AnyField,
        ])))
            .prop_map(|(name, data_type)| Expr::VarRef(VarRef { name, data_type })),
        3 => literal(),
    ]
}

const OPS: &[BinaryOp] = &[
    BinaryOp::Or,
    BinaryOp::And,
    BinaryOp::Eq,
    BinaryOp::Neq,
    BinaryOp::Lt,
    BinaryOp::Lte,
    BinaryOp::Gt,
    BinaryOp::Gte,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::BitwiseOr,
    BinaryOp::BitwiseXor,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Mod,
    BinaryOp::BitwiseAnd,
];

/// Wraps a binary operand in parentheses where the parser would need them, so the tree is
/// one the parser can build (left-associative, by precedence).
fn operand(e: Expr, op: BinaryOp, right: bool) -> Expr {
    match &e {
        Expr::Binary(b) if b.op.precedence() < op.precedence() || (right && b.op.precedence() == op.precedence()) => {
            Expr::Paren(Box::new(e))
        }
        // A negative literal on the right of an operator reads back the same; so does any other leaf.
        _ => e,
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone(), prop::sample::select(OPS)).prop_map(|(l, r, op)| {
                let rhs = if matches!(op, BinaryOp::EqRegex | BinaryOp::NeqRegex) {
                    r
                } else {
                    operand(r, op, true)
                };
                Expr::binary(op, operand(l, op, false), rhs)
            }),
            inner.clone().prop_map(|e| Expr::Paren(Box::new(e))),
            ("[a-z]{1,6}", prop::collection::vec(inner, 0..3)).prop_map(|(name, args)| Expr::Call(Call { name, args })),
            (ident(), "[a-z]{1,3}").prop_map(|(v, re)| Expr::binary(
                BinaryOp::EqRegex,
                Expr::var(v),
                Expr::Literal(Literal::Regex(Regex::new(&re).unwrap()))
            )),
        ]
    })
}

/// Field expressions may not use comparison or logical operators.
fn field_expr() -> impl Strategy<Value = Expr> {
    expr().prop_filter("no boolean operator in a field", |e| {
        let mut ok = true;
        e.walk(&mut |e| {
            if let Expr::Binary(b) = e {
                ok &= !b.op.is_boolean();
            }
        });
        ok
    })
}

fn measurement() -> impl Strategy<Value = Measurement> {
    (
        prop::option::of(ident()),
        prop::option::of(ident()),
        ident(),
        any::<bool>(),
    )
        .prop_map(|(db, rp, name, re)| {
            let mut m = Measurement {
                database: db.unwrap_or_default(),
                retention_policy: rp.unwrap_or_default(),
                name,
                regex: None,
            };
            if re {
                m.name.clear();
                m.regex = Some(Regex::new("^c.*").unwrap());
            }
            m
        })
}

fn select() -> impl Strategy<Value = SelectStatement> {
    (
        prop::collection::vec(
            (
                prop_oneof![
                    field_expr(),
                    Just(Expr::Wildcard(Wildcard::All)),
                    Just(Expr::Wildcard(Wildcard::Fields))
                ],
                prop::option::of(ident()),
            ),
            1..4,
        ),
        prop::collection::vec(measurement(), 1..3),
        prop::option::of(expr()),
        prop::collection::vec(ident(), 0..2),
        prop::option::of(1i64..100),
        prop_oneof![
            Just(Fill::Null),
            Just(Fill::None),
            Just(Fill::Previous),
            Just(Fill::Linear),
            any::<i64>().prop_map(Fill::Integer),
            (-1e9f64..1e9)
                .prop_filter("not integral", |v| v.fract() != 0.0)
                .prop_map(Fill::Number),
        ],
        (0u64..5, 0u64..5, 0u64..5, 0u64..5),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(fields, sources, condition, tags, interval, fill, (limit, offset, slimit, soffset), order)| {
                let mut dimensions: Vec<Expr> = tags.into_iter().map(Expr::var).collect();
                if let Some(i) = interval {
                    dimensions.insert(
                        0,
                        Expr::Call(Call {
                            name: "time".into(),
                            args: vec![Expr::Literal(Literal::Duration(i * 1_000_000_000))],
                        }),
                    );
                }
                SelectStatement {
                    fields: fields
                        .into_iter()
                        .map(|(expr, alias)| Field {
                            expr,
                            alias: alias.unwrap_or_default(),
                        })
                        .collect(),
                    target: None,
                    sources: sources.into_iter().map(Source::Measurement).collect(),
                    condition,
                    dimensions,
                    fill,
                    sort_fields: order
                        .map(|asc| SortField {
                            name: "time".into(),
                            ascending: asc,
                        })
                        .into_iter()
                        .collect(),
                    limit,
                    offset,
                    slimit,
                    soffset,
                    location: None,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn printed_select_parses_back(s in select()) {
        let stmt = Statement::Select(Box::new(s));
        let text = stmt.to_string();
        let q = parse_query(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(q.statements.len(), 1);
        prop_assert_eq!(&q.statements[0], &stmt, "{}", text);
    }

    #[test]
    fn no_panic_on_any_text(text in "\\PC{0,80}") {
        if let Ok(q) = parse_query(&text) {
            let printed = q.to_string();
            if !printed.contains("[REDACTED]") {
                let again = parse_query(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?;
                prop_assert_eq!(again, q);
            }
        }
    }

    #[test]
    fn no_panic_on_query_like_text(parts in prop::collection::vec(prop::sample::select(vec![
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "time", "(", ")", "*", "::", ",", "=", "=~", "/a/", "'s'",
        "\"q\"", "1", "1.5", "10s", "now()", "-", "AND", "OR", "fill", "LIMIT", "SHOW", "TAG", "VALUES",
        "WITH", "KEY", "IN", "CREATE", "DATABASE", "ON", ";", ".", "$p", "tz", "INTO", ":", "MEASUREMENT",
    ]), 0..20)) {
        let text = parts.join(" ");
        if let Ok(q) = parse_query(&text) {
            let printed = q.to_string();
            let again = parse_query(&printed).map_err(|e| TestCaseError::fail(format!("{text} -> {printed}: {e}")))?;
            prop_assert_eq!(again, q);
        }
    }
}
