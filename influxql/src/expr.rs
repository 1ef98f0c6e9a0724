//! Expressions: field and dimension expressions, WHERE conditions and their literals.
//!
//! The tree is the one Go's parser builds (`influxql.Expr`): parentheses are kept as
//! [`Expr::Paren`], binary operators are left-associative, and `-x` becomes `-1 * x`.
//! `Display` prints Go's `String()` (see the crate docs for the few intended differences).

use std::fmt;

use crate::duration::format_duration;
use crate::quote::{quote_ident, quote_string};
use crate::token::Token;

/// An InfluxQL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A field, tag or `time` reference, possibly with a `::type` cast.
    VarRef(VarRef),
    /// A function call such as `mean("v")`; the name is lower-cased by the parser.
    Call(Call),
    /// `DISTINCT x` (the form without parentheses); `distinct(x)` is a [`Call`].
    Distinct(String),
    /// `lhs op rhs`.
    Binary(Box<BinaryExpr>),
    /// `( expr )`, kept as written.
    Paren(Box<Expr>),
    /// `*`, `*::field` or `*::tag`.
    Wildcard(Wildcard),
    /// A literal value.
    Literal(Literal),
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// An integer that fits in `i64` (`42`, `-7`).
    Integer(i64),
    /// An integer literal above `i64::MAX` (`18446744073709551615`).
    Unsigned(u64),
    /// A number with a fractional part (`1.5`).
    Number(f64),
    /// A single-quoted string (`'abc'`); time strings stay strings until
    /// [`crate::time::split_time_condition`] reads them.
    String(String),
    /// `true` or `false`.
    Boolean(bool),
    /// A duration in nanoseconds (`10s`, `-5m`).
    Duration(i64),
    /// A regular expression (`/^cpu/`).
    Regex(Regex),
    /// A time in ns since the epoch. Never produced by the parser: constant folding in
    /// [`crate::time::split_time_condition`] makes it (from `now()`, time strings and
    /// arithmetic on them). Prints as a quoted RFC3339 string, as Go's `TimeLiteral`.
    Time(i64),
}

/// `*`, `*::field` or `*::tag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wildcard {
    /// `*`: every field (and in GROUP BY, every tag).
    All,
    /// `*::field`.
    Fields,
    /// `*::tag`.
    Tags,
}

/// The `::type` of a variable reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// `::float`
    Float,
    /// `::integer`
    Integer,
    /// `::unsigned`
    Unsigned,
    /// `::string`
    String,
    /// `::boolean`
    Boolean,
    /// `::tag`
    Tag,
    /// `::field` (any field type)
    AnyField,
}

impl DataType {
    /// The spelling after `::`.
    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Float => "float",
            DataType::Integer => "integer",
            DataType::Unsigned => "unsigned",
            DataType::String => "string",
            DataType::Boolean => "boolean",
            DataType::Tag => "tag",
            DataType::AnyField => "field",
        }
    }
}

/// A reference to a field, tag or `time`. Segments written `"a"."b"` are joined by `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VarRef {
    /// The name.
    pub name: String,
    /// The `::type` cast, if any.
    pub data_type: Option<DataType>,
}

impl VarRef {
    /// A reference without a cast.
    pub fn new(name: impl Into<String>) -> Self {
        VarRef {
            name: name.into(),
            data_type: None,
        }
    }
}

/// A function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Lower-case function name.
    pub name: String,
    /// Arguments.
    pub args: Vec<Expr>,
}

impl Call {
    /// Whether this is a math function, computed per row like an operator: neither an
    /// aggregate nor a selector.
    pub fn is_math(&self) -> bool {
        is_math_function(&self.name)
    }
}

/// The math functions (Go's `isMathFunction`).
pub fn is_math_function(name: &str) -> bool {
    matches!(
        name,
        "abs"
            | "sin"
            | "cos"
            | "tan"
            | "asin"
            | "acos"
            | "atan"
            | "atan2"
            | "exp"
            | "log"
            | "ln"
            | "log2"
            | "log10"
            | "sqrt"
            | "pow"
            | "floor"
            | "ceil"
            | "round"
    )
}

/// A binary operator, in the order of its precedence class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `OR`
    Or,
    /// `AND`
    And,
    /// `=`
    Eq,
    /// `!=` (also written `<>`)
    Neq,
    /// `=~`
    EqRegex,
    /// `!~`
    NeqRegex,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `|`
    BitwiseOr,
    /// `^`
    BitwiseXor,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `&`
    BitwiseAnd,
}

impl BinaryOp {
    pub(crate) fn from_token(tok: Token) -> Option<BinaryOp> {
        Some(match tok {
            Token::Or => BinaryOp::Or,
            Token::And => BinaryOp::And,
            Token::Eq => BinaryOp::Eq,
            Token::Neq => BinaryOp::Neq,
            Token::EqRegex => BinaryOp::EqRegex,
            Token::NeqRegex => BinaryOp::NeqRegex,
            Token::Lt => BinaryOp::Lt,
            Token::Lte => BinaryOp::Lte,
            Token::Gt => BinaryOp::Gt,
            Token::Gte => BinaryOp::Gte,
            Token::Add => BinaryOp::Add,
            Token::Sub => BinaryOp::Sub,
            Token::BitwiseOr => BinaryOp::BitwiseOr,
            Token::BitwiseXor => BinaryOp::BitwiseXor,
            Token::Mul => BinaryOp::Mul,
            Token::Div => BinaryOp::Div,
            Token::Mod => BinaryOp::Mod,
            Token::BitwiseAnd => BinaryOp::BitwiseAnd,
            _ => return None,
        })
    }

    /// The operator as written in canonical InfluxQL.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "=",
            BinaryOp::Neq => "!=",
            BinaryOp::EqRegex => "=~",
            BinaryOp::NeqRegex => "!~",
            BinaryOp::Lt => "<",
            BinaryOp::Lte => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Gte => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::BitwiseOr => "|",
            BinaryOp::BitwiseXor => "^",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::BitwiseAnd => "&",
        }
    }

    /// Binding strength: OR 1, AND 2, comparisons 3, `+ - | ^` 4, `* / % &` 5.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Neq
            | BinaryOp::EqRegex
            | BinaryOp::NeqRegex
            | BinaryOp::Lt
            | BinaryOp::Lte
            | BinaryOp::Gt
            | BinaryOp::Gte => 3,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::BitwiseOr | BinaryOp::BitwiseXor => 4,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::BitwiseAnd => 5,
        }
    }

    /// Whether the operator compares or combines conditions (and so yields a boolean).
    pub fn is_boolean(self) -> bool {
        self.precedence() <= 3
    }
}

/// `lhs op rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryExpr {
    /// The operator.
    pub op: BinaryOp,
    /// Left operand.
    pub lhs: Expr,
    /// Right operand.
    pub rhs: Expr,
}

/// A compiled regular expression that remembers its source; equal when the sources are.
///
/// The source is the text between the slashes with `\/` already read as `/`. It is compiled
/// with Rust's `regex` crate, whose syntax is that of Go's RE2 for everything clients send;
/// note that Rust's `\d`, `\w`, `\s` and `\b` are Unicode-aware where Go's are ASCII-only.
#[derive(Clone)]
pub struct Regex {
    re: regex::Regex,
}

impl Regex {
    /// Compiles `source`; the error text is Go's `regexp` message where it is known.
    pub fn new(source: &str) -> Result<Self, String> {
        crate::regex_error::compile(source).map(|re| Regex { re })
    }

    /// The pattern as written (after `\/` → `/`).
    pub fn as_str(&self) -> &str {
        self.re.as_str()
    }

    /// The compiled expression.
    pub fn regex(&self) -> &regex::Regex {
        &self.re
    }
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Regex({:?})", self.as_str())
    }
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Display for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}/", self.as_str().replace('/', "\\/"))
    }
}

/// Go's `strconv.FormatFloat(v, 'f', 3, 64)`, unless three decimals would not read back as
/// the same number: then the shortest form that does (an intended difference, so that a
/// printed query means what the parsed one did).
pub(crate) fn format_number(v: f64) -> String {
    let go = format!("{v:.3}");
    if go.parse::<f64>().ok() == Some(v) || !v.is_finite() {
        return go;
    }
    let s = format!("{v}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Integer(v) => write!(f, "{v}"),
            Literal::Unsigned(v) => write!(f, "{v}"),
            Literal::Number(v) => f.write_str(&format_number(*v)),
            Literal::String(s) => f.write_str(&quote_string(s)),
            Literal::Boolean(b) => write!(f, "{b}"),
            Literal::Duration(d) => f.write_str(&format_duration(*d)),
            Literal::Regex(r) => write!(f, "{r}"),
            Literal::Time(t) => write!(f, "'{}'", crate::time::format_rfc3339_nano(i128::from(*t))),
        }
    }
}

impl fmt::Display for VarRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&quote_ident(&self.name))?;
        if let Some(t) = self.data_type {
            write!(f, "::{}", t.as_str())?;
        }
        Ok(())
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Go prints the name bare; quoting it when a bare name would not read back as this
        // call keeps the output parseable (`distinct(` reads back as it is).
        if self.name == "distinct" {
            f.write_str("distinct(")?;
        } else {
            write!(f, "{}(", quote_ident(&self.name))?;
        }
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for Wildcard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Wildcard::All => "*",
            Wildcard::Fields => "*::field",
            Wildcard::Tags => "*::tag",
        })
    }
}

impl fmt::Display for BinaryExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.lhs, self.op.as_str())?;
        match unary_operand(&self.rhs) {
            // `a / -(b)` parses as `a / (-1 * (b))`; printed as Go does, `a / -1 * (b)`, it
            // would read `(a / -1) * (b)`. Printed in its unary form it parses back to itself.
            Some((sign, e)) if self.op.precedence() >= BinaryOp::Mul.precedence() => write!(f, "{sign}{e}"),
            _ => write!(f, "{}", self.rhs),
        }
    }
}

/// `-1 * e` or `1 * e` as the parser makes it of `-e` or `+e`: the sign and `e`.
fn unary_operand(e: &Expr) -> Option<(char, &Expr)> {
    let Expr::Binary(b) = e else {
        return None;
    };
    match (&b.op, &b.lhs, &b.rhs) {
        (
            BinaryOp::Mul,
            Expr::Literal(Literal::Integer(n @ (-1 | 1))),
            e @ (Expr::VarRef(_) | Expr::Call(_) | Expr::Paren(_)),
        ) => Some((if *n < 0 { '-' } else { '+' }, e)),
        _ => None,
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::VarRef(v) => write!(f, "{v}"),
            Expr::Call(c) => write!(f, "{c}"),
            // Go prints the name bare; quoted when needed here (see Call).
            Expr::Distinct(name) => write!(f, "DISTINCT {}", quote_ident(name)),
            Expr::Binary(b) => write!(f, "{b}"),
            Expr::Paren(e) => write!(f, "({e})"),
            Expr::Wildcard(w) => write!(f, "{w}"),
            Expr::Literal(l) => write!(f, "{l}"),
        }
    }
}

impl Expr {
    /// `lhs op rhs`.
    pub fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
        Expr::Binary(Box::new(BinaryExpr { op, lhs, rhs }))
    }

    /// A variable reference without a cast.
    pub fn var(name: impl Into<String>) -> Expr {
        Expr::VarRef(VarRef::new(name))
    }

    /// Whether the expression is a reference to `time` (any case, any cast).
    pub fn is_time_ref(&self) -> bool {
        matches!(self, Expr::VarRef(v) if v.name.eq_ignore_ascii_case("time"))
    }

    /// Calls `f` on this expression and every sub-expression, parents first.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Call(c) => c.args.iter().for_each(|a| a.walk(f)),
            Expr::Binary(b) => {
                b.lhs.walk(f);
                b.rhs.walk(f);
            }
            Expr::Paren(e) => e.walk(f),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_display() {
        let f = |e: Expr, want: &str| assert_eq!(e.to_string(), want);
        f(Expr::var("value"), "value");
        f(Expr::var("my value"), "\"my value\"");
        f(
            Expr::VarRef(VarRef {
                name: "x".into(),
                data_type: Some(DataType::AnyField),
            }),
            "x::field",
        );
        f(Expr::Literal(Literal::Number(1.5)), "1.500");
        f(Expr::Literal(Literal::Number(1.2345)), "1.2345");
        f(Expr::Literal(Literal::Number(-0.25)), "-0.250");
        f(Expr::Literal(Literal::Duration(10_000_000_000)), "10s");
        f(Expr::Literal(Literal::String("it's".into())), "'it\\'s'");
        f(Expr::Literal(Literal::Regex(Regex::new("a/b").unwrap())), "/a\\/b/");
        f(Expr::Wildcard(Wildcard::Tags), "*::tag");
        f(Expr::Distinct("host".into()), "DISTINCT host");
        f(
            Expr::binary(BinaryOp::And, Expr::var("a"), Expr::Literal(Literal::Boolean(true))),
            "a AND true",
        );
        f(
            Expr::Call(Call {
                name: "derivative".into(),
                args: vec![
                    Expr::Call(Call {
                        name: "mean".into(),
                        args: vec![Expr::var("v")],
                    }),
                    Expr::Literal(Literal::Duration(10_000_000_000)),
                ],
            }),
            "derivative(mean(v), 10s)",
        );
    }

    #[test]
    fn number_format_keeps_value() {
        for v in [0.0, 1.0, 0.1, 1e-10, 123456.789, 1e300, 0.0005, 2.5e-3] {
            let s = format_number(v);
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
            assert!(s.contains('.'), "{s}");
        }
    }
}
