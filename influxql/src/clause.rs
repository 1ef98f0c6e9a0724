//! Pieces shared by several statements: measurements and sources, fields, sort fields,
//! INTO targets, fill options.

use std::fmt;

use crate::expr::{format_number, Expr, Regex};
use crate::quote::quote_ident;
use crate::statement::SelectStatement;

/// A measurement, or a regex over measurement names, optionally qualified by database and
/// retention policy. An empty string means "not given" (as in Go), so `db..cpu` has an
/// empty retention policy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measurement {
    /// Database, or empty.
    pub database: String,
    /// Retention policy, or empty.
    pub retention_policy: String,
    /// Measurement name; empty when `regex` is set (or for `INTO db.rp.:MEASUREMENT`).
    pub name: String,
    /// `/regex/` over measurement names.
    pub regex: Option<Regex>,
}

impl Measurement {
    /// A measurement given by name alone.
    pub fn named(name: impl Into<String>) -> Self {
        Measurement {
            name: name.into(),
            ..Default::default()
        }
    }
}

impl Measurement {
    /// `db.rp.` (or `db..`, `rp.`, nothing) before the name.
    fn write_prefix(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.database.is_empty() {
            write!(f, "{}.", quote_ident(&self.database))?;
        }
        if !self.retention_policy.is_empty() {
            f.write_str(&quote_ident(&self.retention_policy))?;
        }
        if !self.database.is_empty() || !self.retention_policy.is_empty() {
            f.write_str(".")?;
        }
        Ok(())
    }
}

impl fmt::Display for Measurement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_prefix(f)?;
        if let (true, Some(re)) = (self.name.is_empty(), &self.regex) {
            write!(f, "{re}")
        } else {
            // An empty name (`FROM ""`) prints as `""`, where Go prints nothing.
            f.write_str(&quote_ident(&self.name))
        }
    }
}

/// A FROM source.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A measurement or a regex over measurements.
    Measurement(Measurement),
    /// `(SELECT ...)`.
    Subquery(Box<SelectStatement>),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Measurement(m) => write!(f, "{m}"),
            Source::Subquery(s) => write!(f, "({s})"),
        }
    }
}

/// Prints a comma-separated list.
pub(crate) struct List<'a, T>(pub(crate) &'a [T]);

impl<T: fmt::Display> fmt::Display for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, x) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{x}")?;
        }
        Ok(())
    }
}

/// A SELECT field: an expression with an optional `AS` alias.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The expression.
    pub expr: Expr,
    /// The alias, or empty.
    pub alias: String,
}

impl Field {
    /// The column name InfluxDB gives the field (Go's `Field.Name()`): the alias, else the
    /// function name, else the variable name, else the names in a binary expression joined by `_`.
    pub fn name(&self) -> String {
        if !self.alias.is_empty() {
            return self.alias.clone();
        }
        fn names(e: &Expr, out: &mut Vec<String>) {
            match e {
                Expr::VarRef(v) => out.push(v.name.clone()),
                Expr::Call(c) => out.push(c.name.clone()),
                Expr::Binary(b) => {
                    names(&b.lhs, out);
                    names(&b.rhs, out);
                }
                Expr::Paren(e) => names(e, out),
                _ => {}
            }
        }
        match &self.expr {
            Expr::Call(c) => c.name.clone(),
            Expr::VarRef(v) => v.name.clone(),
            e @ (Expr::Binary(_) | Expr::Paren(_)) => {
                let mut out = vec![];
                names(e, &mut out);
                out.join("_")
            }
            _ => String::new(),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if !self.alias.is_empty() {
            write!(f, " AS {}", quote_ident(&self.alias))?;
        }
        Ok(())
    }
}

/// One ORDER BY term. InfluxDB accepts only `time` (or no name: `ORDER BY DESC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortField {
    /// The field name, or empty.
    pub name: String,
    /// ASC (true) or DESC.
    pub ascending: bool,
}

impl fmt::Display for SortField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.name.is_empty() {
            write!(f, "{} ", self.name)?;
        }
        f.write_str(if self.ascending { "ASC" } else { "DESC" })
    }
}

/// `INTO` target of a SELECT.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Where to write; an empty name means `:MEASUREMENT` (the source measurement's name).
    pub measurement: Measurement,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("INTO ")?;
        if self.measurement.name.is_empty() {
            self.measurement.write_prefix(f)?;
            f.write_str(":MEASUREMENT")
        } else {
            write!(f, "{}", self.measurement)
        }
    }
}

/// `fill(...)` of a GROUP BY time() query.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Fill {
    /// `fill(null)`, the default.
    #[default]
    Null,
    /// `fill(none)`
    None,
    /// `fill(previous)`
    Previous,
    /// `fill(linear)`
    Linear,
    /// `fill(<integer>)`
    Integer(i64),
    /// `fill(<number>)`
    Number(f64),
}

impl Fill {
    /// The clause as printed after the other clauses (with its leading space), empty for
    /// the default `fill(null)`, as Go's `SelectStatement.String()` does.
    pub(crate) fn clause(&self) -> String {
        match self {
            Fill::Null => String::new(),
            Fill::None => " fill(none)".into(),
            Fill::Previous => " fill(previous)".into(),
            Fill::Linear => " fill(linear)".into(),
            Fill::Integer(v) => format!(" fill({v})"),
            Fill::Number(v) => format!(" fill({})", format_fill_number(*v)),
        }
    }
}

/// Go prints a float fill value with `%v` (`fill(1.5)`, `fill(1e+06)`, `fill(5)`). Where that
/// would not read back as the same float (exponents, integral values), Cairn prints the
/// shortest decimal with a dot instead (an intended difference).
fn format_fill_number(v: f64) -> String {
    let s = format!("{v}");
    if s.contains('.') {
        s
    } else if v.is_finite() {
        format!("{s}.0")
    } else {
        format_number(v)
    }
}
