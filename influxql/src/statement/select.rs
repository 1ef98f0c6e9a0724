//! SELECT and EXPLAIN. <https://docs.influxdata.com/influxdb/v1/query_language/explore-data/>

use std::fmt;

use crate::clause::{Field, Fill, List, Measurement, SortField, Source, Target};
use crate::error::{ParseError, Result};
use crate::expr::{BinaryOp, Expr, Literal};
use crate::parser::Parser;
use crate::token::Token;

/// `SELECT <fields> [INTO <target>] FROM <sources> [WHERE ...] [GROUP BY ...] [fill(...)]
/// [ORDER BY ...] [LIMIT n] [OFFSET n] [SLIMIT n] [SOFFSET n] [tz('...')]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SelectStatement {
    /// Selected expressions, in order.
    pub fields: Vec<Field>,
    /// `INTO` target.
    pub target: Option<Target>,
    /// FROM sources (never empty once parsed).
    pub sources: Vec<Source>,
    /// WHERE condition, as written (time conditions included).
    pub condition: Option<Expr>,
    /// GROUP BY dimensions: `time(...)` calls, tag references, regexes, wildcards.
    pub dimensions: Vec<Expr>,
    /// Fill option.
    pub fill: Fill,
    /// ORDER BY (at most one field, `time`).
    pub sort_fields: Vec<SortField>,
    /// LIMIT (0: none).
    pub limit: u64,
    /// OFFSET (0: none).
    pub offset: u64,
    /// SLIMIT (0: none).
    pub slimit: u64,
    /// SOFFSET (0: none).
    pub soffset: u64,
    /// `tz('...')`: an IANA zone name, checked when parsed.
    pub location: Option<String>,
}

/// Whether an INTO clause is required (continuous queries), allowed, or part of a subquery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetRequirement {
    Required,
    NotRequired,
    Subquery,
}

impl SelectStatement {
    /// True unless a field contains a function call (Go's `IsRawQuery`).
    pub fn is_raw_query(&self) -> bool {
        let mut raw = true;
        for f in &self.fields {
            f.expr.walk(&mut |e| {
                // Math functions work on each row: `abs(v)` is still a raw query.
                if matches!(e, Expr::Call(c) if !c.is_math()) {
                    raw = false;
                }
            });
        }
        raw
    }

    /// The `GROUP BY time(<interval>)` interval in ns, 0 without one (Go's `GroupByInterval`).
    pub fn group_by_interval(&self) -> Result<i64, String> {
        for d in &self.dimensions {
            if let Expr::Call(c) = d {
                if c.name == "time" {
                    if c.args.is_empty() || c.args.len() > 2 {
                        return Err("time dimension expected 1 or 2 arguments".into());
                    }
                    return match c.args[0] {
                        Expr::Literal(Literal::Duration(d)) => Ok(d),
                        _ => Err("time dimension must have duration argument".into()),
                    };
                }
            }
        }
        Ok(0)
    }

    /// The `GROUP BY time(<interval>, <offset>)` offset in ns, reduced modulo the interval.
    pub fn group_by_offset(&self) -> Result<i64, String> {
        let interval = self.group_by_interval()?;
        for d in &self.dimensions {
            if let Expr::Call(c) = d {
                if c.name == "time" {
                    if c.args.len() == 2 {
                        return match &c.args[1] {
                            Expr::Literal(Literal::Duration(o)) if interval != 0 => Ok(o % interval),
                            e => Err(format!("invalid time dimension offset: {e}")),
                        };
                    }
                    return Ok(0);
                }
            }
        }
        Ok(0)
    }

    /// Every measurement read, subqueries included.
    pub fn measurements(&self) -> Vec<&Measurement> {
        let mut out = vec![];
        for s in &self.sources {
            match s {
                Source::Measurement(m) => out.push(m),
                Source::Subquery(q) => out.extend(q.measurements()),
            }
        }
        out
    }
}

impl fmt::Display for SelectStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SELECT {}", List(&self.fields))?;
        if let Some(t) = &self.target {
            write!(f, " {t}")?;
        }
        if !self.sources.is_empty() {
            write!(f, " FROM {}", List(&self.sources))?;
        }
        if let Some(c) = &self.condition {
            write!(f, " WHERE {c}")?;
        }
        if !self.dimensions.is_empty() {
            write!(f, " GROUP BY {}", List(&self.dimensions))?;
        }
        f.write_str(&self.fill.clause())?;
        if !self.sort_fields.is_empty() {
            write!(f, " ORDER BY {}", List(&self.sort_fields))?;
        }
        if self.limit > 0 {
            write!(f, " LIMIT {}", self.limit)?;
        }
        if self.offset > 0 {
            write!(f, " OFFSET {}", self.offset)?;
        }
        if self.slimit > 0 {
            write!(f, " SLIMIT {}", self.slimit)?;
        }
        if self.soffset > 0 {
            write!(f, " SOFFSET {}", self.soffset)?;
        }
        if let Some(loc) = &self.location {
            write!(f, " TZ('{loc}')")?;
        }
        Ok(())
    }
}

/// `EXPLAIN [ANALYZE] SELECT ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainStatement {
    /// ANALYZE: run the query and report what it did.
    pub analyze: bool,
    /// The query explained.
    pub statement: SelectStatement,
}

impl fmt::Display for ExplainStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EXPLAIN ")?;
        if self.analyze {
            f.write_str("ANALYZE ")?;
        }
        write!(f, "{}", self.statement)
    }
}

impl Parser<'_> {
    /// SELECT after the SELECT keyword.
    pub(crate) fn parse_select_statement(&mut self, tr: TargetRequirement) -> Result<SelectStatement> {
        let mut stmt = SelectStatement {
            fields: self.parse_fields()?,
            ..Default::default()
        };
        stmt.target = self.parse_target(tr)?;
        let t = self.scan_ws();
        if t.tok != Token::From {
            return Err(Self::unexpected(&t, &["FROM"]));
        }
        stmt.sources = self.parse_sources(true)?;
        stmt.condition = self.parse_condition()?;
        stmt.dimensions = self.parse_dimensions()?;
        stmt.fill = self.parse_fill()?;
        stmt.sort_fields = self.parse_order_by()?;
        stmt.limit = self.parse_optional_token_and_int(Token::Limit)?;
        stmt.offset = self.parse_optional_token_and_int(Token::Offset)?;
        stmt.slimit = self.parse_optional_token_and_int(Token::Slimit)?;
        stmt.soffset = self.parse_optional_token_and_int(Token::Soffset)?;
        stmt.location = self.parse_location()?;
        Ok(stmt)
    }

    fn parse_fields(&mut self) -> Result<Vec<Field>> {
        let mut fields = vec![];
        loop {
            fields.push(self.parse_field()?);
            if self.scan().tok != Token::Comma {
                self.unscan();
                return Ok(fields);
            }
        }
    }

    fn parse_field(&mut self) -> Result<Field> {
        let expr = match self.parse_regex()? {
            Some(re) => Expr::Literal(Literal::Regex(re)),
            None => {
                let first = self.scan_ws();
                self.unscan();
                let expr = self.parse_expr()?;
                if let Some(op) = boolean_operator(&expr) {
                    return Err(ParseError::msg(format!(
                        "invalid operator {} in SELECT clause at line {}, char {}; operator is intended for WHERE clause",
                        op.as_str(),
                        first.pos.line + 1,
                        first.pos.char + 1
                    )));
                }
                expr
            }
        };
        let alias = if self.accept(Token::As) {
            self.parse_ident()?
        } else {
            String::new()
        };
        if self.scan().tok != Token::Ws {
            self.unscan();
        }
        Ok(Field { expr, alias })
    }

    fn parse_target(&mut self, tr: TargetRequirement) -> Result<Option<Target>> {
        let t = self.scan_ws();
        if t.tok != Token::Into {
            if tr == TargetRequirement::Required {
                return Err(Self::unexpected(&t, &["INTO"]));
            }
            self.unscan();
            return Ok(None);
        }
        let mut idents = self.parse_segmented_idents()?;
        if idents.len() < 3 && self.peek_rune() == ':' {
            self.expect_tokens(&[Token::Colon, Token::Measurement])?;
            idents.push(String::new());
        }
        let mut m = Measurement::default();
        match idents.len() {
            1 => m.name = idents.remove(0),
            2 => {
                m.name = idents.remove(1);
                m.retention_policy = idents.remove(0);
            }
            _ => {
                m.name = idents.remove(2);
                m.retention_policy = idents.remove(1);
                m.database = idents.remove(0);
            }
        }
        Ok(Some(Target { measurement: m }))
    }

    pub(crate) fn parse_explain_statement(&mut self) -> Result<ExplainStatement> {
        let analyze = self.accept(Token::Analyze);
        let t = self.scan_ws();
        if t.tok != Token::Select {
            return Err(Self::unexpected(&t, &["SELECT"]));
        }
        let statement = self.parse_select_statement(TargetRequirement::NotRequired)?;
        Ok(ExplainStatement { analyze, statement })
    }
}

/// A comparison or logical operator in a field, as Go's `validateField` visitor reports it:
/// the last one found in pre-order, not looking inside one already found.
fn boolean_operator(e: &Expr) -> Option<BinaryOp> {
    fn visit(e: &Expr, found: &mut Option<BinaryOp>) {
        match e {
            Expr::Binary(b) if b.op.is_boolean() => *found = Some(b.op),
            Expr::Binary(b) => {
                visit(&b.lhs, found);
                visit(&b.rhs, found);
            }
            Expr::Paren(e) => visit(e, found),
            Expr::Call(c) => c.args.iter().for_each(|a| visit(a, found)),
            _ => {}
        }
    }
    let mut found = None;
    visit(e, &mut found);
    found
}

#[cfg(test)]
mod tests;
