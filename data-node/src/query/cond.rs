//! cond: WHERE conditions. The parts that only look at tags become a
//! [`TagPredicate`] answered by the shard's index; the rest is evaluated per row with
//! InfluxDB's rules (a missing value compares false, integers and floats compare as
//! numbers, a missing tag is the empty string).

use influxql::{BinaryOp, Expr, Literal};
use shard::TagPredicate;

use super::Value;

/// Removes parentheses around `e`.
pub(super) fn unparen(mut e: &Expr) -> &Expr {
    while let Expr::Paren(inner) = e {
        e = inner;
    }
    e
}

/// The top-level AND-ed parts of a condition.
pub(super) fn conjuncts(e: &Expr) -> Vec<&Expr> {
    let e = unparen(e);
    match e {
        Expr::Binary(b) if b.op == BinaryOp::And => {
            let mut v = conjuncts(&b.lhs);
            v.extend(conjuncts(&b.rhs));
            v
        }
        _ => vec![e],
    }
}

/// `(condition) AND time <op> t`: narrows a statement to a time range (a subquery to its outer
/// range, a continuous query to the buckets it covers).
pub(super) fn and_time(condition: Option<Expr>, op: BinaryOp, t: i64) -> Expr {
    let bound = Expr::Binary(Box::new(influxql::BinaryExpr {
        op,
        lhs: Expr::VarRef(influxql::VarRef::new("time")),
        rhs: Expr::Literal(Literal::Integer(t)),
    }));
    match condition {
        Some(c) => Expr::Binary(Box::new(influxql::BinaryExpr {
            op: BinaryOp::And,
            lhs: Expr::Paren(Box::new(c)),
            rhs: bound,
        })),
        None => bound,
    }
}

/// Every name `e` refers to (fields, tags, `time`).
pub(super) fn names(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::VarRef(v) => out.push(v.name.clone()),
        Expr::Call(c) => c.args.iter().for_each(|a| names(a, out)),
        Expr::Binary(b) => {
            names(&b.lhs, out);
            names(&b.rhs, out);
        }
        Expr::Paren(inner) => names(inner, out),
        Expr::Distinct(n) => out.push(n.clone()),
        Expr::Wildcard(_) | Expr::Literal(_) => {}
    }
}

/// A condition on tags as an index predicate. `time` comparisons count as true (the time
/// range is applied separately); `None` means "every series". `is_tag` tells tags from
/// fields; a condition on a field cannot be answered by the index and gives `Err(())`.
pub(super) fn tag_predicate(e: &Expr, is_tag: &dyn Fn(&str) -> bool) -> Result<Option<TagPredicate>, ()> {
    let e = unparen(e);
    let Expr::Binary(b) = e else {
        return match e {
            Expr::Literal(Literal::Boolean(true)) => Ok(None),
            _ => Err(()),
        };
    };
    match b.op {
        BinaryOp::And | BinaryOp::Or => {
            let l = tag_predicate(&b.lhs, is_tag)?;
            let r = tag_predicate(&b.rhs, is_tag)?;
            Ok(match (l, r, b.op) {
                (None, x, BinaryOp::And) | (x, None, BinaryOp::And) => x,
                (None, _, _) | (_, None, _) => None,
                (Some(l), Some(r), BinaryOp::And) => Some(TagPredicate::And(Box::new(l), Box::new(r))),
                (Some(l), Some(r), _) => Some(TagPredicate::Or(Box::new(l), Box::new(r))),
            })
        }
        op => {
            let ((Expr::VarRef(key), value) | (value, Expr::VarRef(key))) = (unparen(&b.lhs), unparen(&b.rhs)) else {
                return Err(());
            };
            if key.name == "time" {
                return Ok(None);
            }
            let cast_is_field = key.data_type.is_some_and(|t| t != influxql::DataType::Tag);
            if cast_is_field || !is_tag(&key.name) {
                return Err(());
            }
            let k = key.name.clone();
            Ok(Some(match (op, value) {
                (BinaryOp::Eq, Expr::Literal(Literal::String(s))) => TagPredicate::Eq(k, s.clone()),
                (BinaryOp::Neq, Expr::Literal(Literal::String(s))) => TagPredicate::NotEq(k, s.clone()),
                (BinaryOp::EqRegex, Expr::Literal(Literal::Regex(r))) => TagPredicate::Regex(k, r.regex().clone()),
                (BinaryOp::NeqRegex, Expr::Literal(Literal::Regex(r))) => TagPredicate::NotRegex(k, r.regex().clone()),
                _ => return Err(()),
            }))
        }
    }
}

/// What a row offers to an expression: its tags and field values by name.
pub(super) trait Valuer {
    fn value(&self, name: &str, cast: Option<influxql::DataType>) -> Value;
}

/// Evaluates a field expression over one row.
pub(super) fn eval(e: &Expr, row: &dyn Valuer) -> Value {
    eval_in(e, row, true)
}

/// Whether a row passes a condition. Math functions are not evaluated in a WHERE (they are
/// null there, as in InfluxDB 1.6.7, so `abs(v) < 5` holds for no row).
pub(super) fn truthy(e: &Expr, row: &dyn Valuer) -> bool {
    matches!(eval_in(e, row, false), Value::Boolean(true))
}

fn eval_in(e: &Expr, row: &dyn Valuer, math: bool) -> Value {
    match e {
        Expr::VarRef(v) => row.value(&v.name, v.data_type),
        Expr::Paren(inner) => eval_in(inner, row, math),
        Expr::Literal(l) => match l {
            Literal::Integer(i) => Value::Integer(*i),
            Literal::Unsigned(u) => Value::Unsigned(*u),
            Literal::Number(f) => Value::Float(*f),
            Literal::String(s) => Value::String(s.clone()),
            Literal::Boolean(b) => Value::Boolean(*b),
            Literal::Duration(d) | Literal::Time(d) => Value::Integer(*d),
            Literal::Regex(_) => Value::Null,
        },
        Expr::Binary(b) => {
            if matches!(b.op, BinaryOp::EqRegex | BinaryOp::NeqRegex) {
                let Expr::Literal(Literal::Regex(re)) = unparen(&b.rhs) else {
                    return Value::Boolean(false);
                };
                return match eval_in(&b.lhs, row, math) {
                    Value::String(s) => Value::Boolean(re.regex().is_match(&s) == (b.op == BinaryOp::EqRegex)),
                    _ => Value::Boolean(false),
                };
            }
            binary(b.op, eval_in(&b.lhs, row, math), eval_in(&b.rhs, row, math))
        }
        Expr::Call(c) if math && c.is_math() => {
            let args: Vec<Value> = c.args.iter().map(|a| eval_in(a, row, math)).collect();
            super::math::call(&c.name, &args)
        }
        Expr::Call(_) | Expr::Distinct(_) | Expr::Wildcard(_) => Value::Null,
    }
}

/// InfluxQL's binary operators on two values (influxql's `ValuerEval`).
pub(super) fn binary(op: BinaryOp, l: Value, r: Value) -> Value {
    use BinaryOp as B;
    // A missing value next to a boolean reads as false.
    let (l, r) = match (l, r) {
        (Value::Null, r @ Value::Boolean(_)) => (Value::Boolean(false), r),
        (l @ Value::Boolean(_), Value::Null) => (l, Value::Boolean(false)),
        x => x,
    };
    let comparison = matches!(op, B::Eq | B::Neq | B::Lt | B::Lte | B::Gt | B::Gte);
    match (&l, &r) {
        (Value::Boolean(a), Value::Boolean(b)) => {
            let (a, b) = (*a, *b);
            return match op {
                B::And => Value::Boolean(a && b),
                B::Or => Value::Boolean(a || b),
                B::Eq => Value::Boolean(a == b),
                B::Neq => Value::Boolean(a != b),
                B::BitwiseAnd => Value::Boolean(a & b),
                B::BitwiseOr => Value::Boolean(a | b),
                B::BitwiseXor => Value::Boolean(a ^ b),
                _ => Value::Boolean(false),
            };
        }
        (Value::Integer(a), Value::Integer(b)) => {
            let (a, b) = (*a, *b);
            return match op {
                B::Eq => Value::Boolean(a == b),
                B::Neq => Value::Boolean(a != b),
                B::Lt => Value::Boolean(a < b),
                B::Lte => Value::Boolean(a <= b),
                B::Gt => Value::Boolean(a > b),
                B::Gte => Value::Boolean(a >= b),
                B::Add => Value::Integer(a.wrapping_add(b)),
                B::Sub => Value::Integer(a.wrapping_sub(b)),
                B::Mul => Value::Integer(a.wrapping_mul(b)),
                // InfluxQL divides integers as floats.
                B::Div => Value::Float(if b == 0 { 0.0 } else { a as f64 / b as f64 }),
                B::Mod => Value::Integer(if b == 0 { 0 } else { a.wrapping_rem(b) }),
                B::BitwiseAnd => Value::Integer(a & b),
                B::BitwiseOr => Value::Integer(a | b),
                B::BitwiseXor => Value::Integer(a ^ b),
                B::And | B::Or | B::EqRegex | B::NeqRegex => Value::Null,
            };
        }
        (Value::String(a), Value::String(b)) => {
            return match op {
                B::Eq => Value::Boolean(a == b),
                B::Neq => Value::Boolean(a != b),
                B::Add => Value::String(format!("{a}{b}")),
                _ if comparison => Value::Boolean(false),
                _ => Value::Null,
            };
        }
        _ => {}
    }
    if let (Some(a), Some(b)) = (l.as_f64(), r.as_f64()) {
        return match op {
            B::Eq => Value::Boolean(a == b),
            B::Neq => Value::Boolean(a != b),
            B::Lt => Value::Boolean(a < b),
            B::Lte => Value::Boolean(a <= b),
            B::Gt => Value::Boolean(a > b),
            B::Gte => Value::Boolean(a >= b),
            B::Add => Value::Float(a + b),
            B::Sub => Value::Float(a - b),
            B::Mul => Value::Float(a * b),
            B::Div => Value::Float(if b == 0.0 { 0.0 } else { a / b }),
            B::Mod => Value::Float(if b == 0.0 { 0.0 } else { a % b }),
            _ => Value::Null,
        };
    }
    if comparison {
        Value::Boolean(false)
    } else {
        Value::Null
    }
}
