//! SHOW statements over the schema: measurements, series, tag keys and values, field keys,
//! and their cardinalities. <https://docs.influxdata.com/influxdb/v1/query_language/explore-schema/>

use std::fmt;

use crate::clause::{List, Measurement, SortField, Source};
use crate::error::Result;
use crate::expr::{Expr, Regex};
use crate::parser::Parser;
use crate::quote::quote_ident;
use crate::token::Token;

/// Writes ` ON <db>` when the database is set.
fn on(f: &mut fmt::Formatter<'_>, database: &str) -> fmt::Result {
    if !database.is_empty() {
        write!(f, " ON {}", quote_ident(database))?;
    }
    Ok(())
}

/// Writes the optional tail clauses shared by SHOW statements.
fn tail(
    f: &mut fmt::Formatter<'_>,
    sources: &[Source],
    condition: &Option<Expr>,
    sort_fields: &[SortField],
    limit: u64,
    offset: u64,
) -> fmt::Result {
    if !sources.is_empty() {
        write!(f, " FROM {}", List(sources))?;
    }
    if let Some(c) = condition {
        write!(f, " WHERE {c}")?;
    }
    if !sort_fields.is_empty() {
        write!(f, " ORDER BY {}", List(sort_fields))?;
    }
    if limit > 0 {
        write!(f, " LIMIT {limit}")?;
    }
    if offset > 0 {
        write!(f, " OFFSET {offset}")?;
    }
    Ok(())
}

/// `SHOW MEASUREMENTS [ON db] [WITH MEASUREMENT = m | =~ /re/] [WHERE ...] [ORDER BY ...]
/// [LIMIT n] [OFFSET n]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShowMeasurementsStatement {
    /// Database, or empty for the request's.
    pub database: String,
    /// The WITH MEASUREMENT filter: a name, or a regex (`=~`).
    pub source: Option<Measurement>,
    /// WHERE over tags.
    pub condition: Option<Expr>,
    /// ORDER BY.
    pub sort_fields: Vec<SortField>,
    /// LIMIT (0: none).
    pub limit: u64,
    /// OFFSET (0: none).
    pub offset: u64,
}

impl fmt::Display for ShowMeasurementsStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW MEASUREMENTS")?;
        // Go prints the database unquoted; quoted when needed here, so that it reads back.
        on(f, &self.database)?;
        if let Some(m) = &self.source {
            let op = if m.regex.is_some() { "=~" } else { "=" };
            write!(f, " WITH MEASUREMENT {op} {m}")?;
        }
        tail(f, &[], &self.condition, &self.sort_fields, self.limit, self.offset)
    }
}

/// `SHOW SERIES [ON db] [FROM ...] [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShowSeriesStatement {
    /// Database, or empty for the request's.
    pub database: String,
    /// FROM.
    pub sources: Vec<Source>,
    /// WHERE.
    pub condition: Option<Expr>,
    /// ORDER BY.
    pub sort_fields: Vec<SortField>,
    /// LIMIT (0: none).
    pub limit: u64,
    /// OFFSET (0: none).
    pub offset: u64,
}

impl fmt::Display for ShowSeriesStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW SERIES")?;
        on(f, &self.database)?;
        tail(
            f,
            &self.sources,
            &self.condition,
            &self.sort_fields,
            self.limit,
            self.offset,
        )
    }
}

/// `SHOW TAG KEYS [ON db] [FROM ...] [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n]
/// [SLIMIT n] [SOFFSET n]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShowTagKeysStatement {
    /// Database, or empty for the request's.
    pub database: String,
    /// FROM.
    pub sources: Vec<Source>,
    /// WHERE.
    pub condition: Option<Expr>,
    /// ORDER BY.
    pub sort_fields: Vec<SortField>,
    /// LIMIT (0: none).
    pub limit: u64,
    /// OFFSET (0: none).
    pub offset: u64,
    /// SLIMIT (0: none).
    pub slimit: u64,
    /// SOFFSET (0: none).
    pub soffset: u64,
}

impl fmt::Display for ShowTagKeysStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW TAG KEYS")?;
        on(f, &self.database)?;
        tail(
            f,
            &self.sources,
            &self.condition,
            &self.sort_fields,
            self.limit,
            self.offset,
        )?;
        if self.slimit > 0 {
            write!(f, " SLIMIT {}", self.slimit)?;
        }
        if self.soffset > 0 {
            write!(f, " SOFFSET {}", self.soffset)?;
        }
        Ok(())
    }
}

/// The `WITH KEY ...` of SHOW TAG VALUES.
#[derive(Debug, Clone, PartialEq)]
pub enum TagKeyFilter {
    /// `WITH KEY = k`
    Eq(String),
    /// `WITH KEY != k`
    Neq(String),
    /// `WITH KEY =~ /re/`
    EqRegex(Regex),
    /// `WITH KEY !~ /re/`
    NeqRegex(Regex),
    /// `WITH KEY IN (k1, k2)`
    In(Vec<String>),
}

impl TagKeyFilter {
    /// Whether a tag key passes the filter.
    pub fn matches(&self, key: &str) -> bool {
        match self {
            TagKeyFilter::Eq(k) => k == key,
            TagKeyFilter::Neq(k) => k != key,
            TagKeyFilter::EqRegex(re) => re.regex().is_match(key),
            TagKeyFilter::NeqRegex(re) => !re.regex().is_match(key),
            TagKeyFilter::In(keys) => keys.iter().any(|k| k == key),
        }
    }
}

impl fmt::Display for TagKeyFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TagKeyFilter::Eq(k) => write!(f, "WITH KEY = {}", quote_ident(k)),
            TagKeyFilter::Neq(k) => write!(f, "WITH KEY != {}", quote_ident(k)),
            TagKeyFilter::EqRegex(re) => write!(f, "WITH KEY =~ {re}"),
            TagKeyFilter::NeqRegex(re) => write!(f, "WITH KEY !~ {re}"),
            TagKeyFilter::In(keys) => {
                f.write_str("WITH KEY IN (")?;
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&quote_ident(k))?;
                }
                f.write_str(")")
            }
        }
    }
}

/// `SHOW TAG VALUES [ON db] [FROM ...] WITH KEY ... [WHERE ...] [ORDER BY ...] [LIMIT n]
/// [OFFSET n]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShowTagValuesStatement {
    /// Database, or empty for the request's.
    pub database: String,
    /// FROM.
    pub sources: Vec<Source>,
    /// Which tag keys.
    pub tag_key: TagKeyFilter,
    /// WHERE.
    pub condition: Option<Expr>,
    /// ORDER BY.
    pub sort_fields: Vec<SortField>,
    /// LIMIT (0: none).
    pub limit: u64,
    /// OFFSET (0: none).
    pub offset: u64,
}

impl fmt::Display for ShowTagValuesStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW TAG VALUES")?;
        on(f, &self.database)?;
        if !self.sources.is_empty() {
            write!(f, " FROM {}", List(&self.sources))?;
        }
        write!(f, " {}", self.tag_key)?;
        tail(f, &[], &self.condition, &self.sort_fields, self.limit, self.offset)
    }
}

/// `SHOW FIELD KEYS [ON db] [FROM ...] [ORDER BY ...] [LIMIT n] [OFFSET n]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShowFieldKeysStatement {
    /// Database, or empty for the request's.
    pub database: String,
    /// FROM.
    pub sources: Vec<Source>,
    /// ORDER BY.
    pub sort_fields: Vec<SortField>,
    /// LIMIT (0: none).
    pub limit: u64,
    /// OFFSET (0: none).
    pub offset: u64,
}

impl fmt::Display for ShowFieldKeysStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW FIELD KEYS")?;
        on(f, &self.database)?;
        tail(f, &self.sources, &None, &self.sort_fields, self.limit, self.offset)
    }
}

/// What a SHOW ... CARDINALITY counts.
#[derive(Debug, Clone, PartialEq)]
pub enum CardinalityKind {
    /// `SHOW MEASUREMENT [EXACT] CARDINALITY`
    Measurement,
    /// `SHOW SERIES [EXACT] CARDINALITY`
    Series,
    /// `SHOW TAG KEY [EXACT] CARDINALITY`
    TagKey,
    /// `SHOW TAG VALUES [EXACT] CARDINALITY ... WITH KEY ...`
    TagValues(TagKeyFilter),
    /// `SHOW FIELD KEY [EXACT] CARDINALITY`
    FieldKey,
}

/// `SHOW <kind> [EXACT] CARDINALITY [ON db] [FROM ...] [WITH KEY ...] [WHERE ...]
/// [GROUP BY ...] [LIMIT n] [OFFSET n]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShowCardinalityStatement {
    /// What is counted.
    pub kind: CardinalityKind,
    /// EXACT (count) rather than an estimate.
    pub exact: bool,
    /// Database, or empty for the request's.
    pub database: String,
    /// FROM.
    pub sources: Vec<Source>,
    /// WHERE.
    pub condition: Option<Expr>,
    /// GROUP BY.
    pub dimensions: Vec<Expr>,
    /// LIMIT (0: none).
    pub limit: u64,
    /// OFFSET (0: none).
    pub offset: u64,
}

impl fmt::Display for ShowCardinalityStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exact = if self.exact { " EXACT" } else { "" };
        match self.kind {
            CardinalityKind::Measurement => write!(f, "SHOW MEASUREMENT{exact} CARDINALITY")?,
            CardinalityKind::Series => write!(f, "SHOW SERIES{exact} CARDINALITY")?,
            CardinalityKind::TagKey => write!(f, "SHOW TAG KEY{exact} CARDINALITY")?,
            CardinalityKind::TagValues(_) => write!(f, "SHOW TAG VALUES{exact} CARDINALITY")?,
            CardinalityKind::FieldKey => write!(f, "SHOW FIELD KEY{exact} CARDINALITY")?,
        }
        on(f, &self.database)?;
        if !self.sources.is_empty() {
            write!(f, " FROM {}", List(&self.sources))?;
        }
        if let CardinalityKind::TagValues(k) = &self.kind {
            write!(f, " {k}")?;
        }
        if let Some(c) = &self.condition {
            write!(f, " WHERE {c}")?;
        }
        if !self.dimensions.is_empty() {
            write!(f, " GROUP BY {}", List(&self.dimensions))?;
        }
        if self.limit > 0 {
            write!(f, " LIMIT {}", self.limit)?;
        }
        if self.offset > 0 {
            write!(f, " OFFSET {}", self.offset)?;
        }
        Ok(())
    }
}

impl Parser<'_> {
    fn parse_on_database(&mut self) -> Result<String> {
        if self.accept(Token::On) {
            self.parse_ident()
        } else {
            Ok(String::new())
        }
    }

    fn parse_from(&mut self) -> Result<Vec<Source>> {
        if self.accept(Token::From) {
            self.parse_sources(false)
        } else {
            Ok(vec![])
        }
    }

    pub(crate) fn parse_show_measurements(&mut self) -> Result<ShowMeasurementsStatement> {
        let mut stmt = ShowMeasurementsStatement {
            database: self.parse_on_database()?,
            ..Default::default()
        };
        if self.accept(Token::With) {
            self.expect_tokens(&[Token::Measurement])?;
            let t = self.scan_ws();
            match t.tok {
                Token::Eq | Token::EqRegex => match self.parse_source(false)? {
                    Source::Measurement(m) => stmt.source = Some(m),
                    Source::Subquery(_) => unreachable!("BUG: subquery parsed where none is allowed"),
                },
                _ => return Err(Self::unexpected(&t, &["=", "=~"])),
            }
        }
        stmt.condition = self.parse_condition()?;
        stmt.sort_fields = self.parse_order_by()?;
        stmt.limit = self.parse_optional_token_and_int(Token::Limit)?;
        stmt.offset = self.parse_optional_token_and_int(Token::Offset)?;
        Ok(stmt)
    }

    /// SHOW SERIES, or SHOW SERIES [EXACT] CARDINALITY.
    pub(crate) fn parse_show_series(&mut self) -> Result<super::Statement> {
        let exact = self.accept(Token::Exact);
        if self.accept(Token::Cardinality) {
            return self.parse_cardinality(CardinalityKind::Series, exact);
        }
        let mut stmt = ShowSeriesStatement {
            database: self.parse_on_database()?,
            sources: self.parse_from()?,
            ..Default::default()
        };
        stmt.condition = self.parse_condition()?;
        stmt.sort_fields = self.parse_order_by()?;
        stmt.limit = self.parse_optional_token_and_int(Token::Limit)?;
        stmt.offset = self.parse_optional_token_and_int(Token::Offset)?;
        Ok(super::Statement::ShowSeries(Box::new(stmt)))
    }

    /// The clauses of a cardinality statement, after `CARDINALITY`.
    fn parse_cardinality(&mut self, kind: CardinalityKind, exact: bool) -> Result<super::Statement> {
        let database = self.parse_on_database()?;
        let sources = self.parse_from()?;
        let kind = match kind {
            CardinalityKind::TagValues(_) => CardinalityKind::TagValues(self.parse_tag_key_expr()?),
            k => k,
        };
        let condition = self.parse_condition()?;
        let dimensions = self.parse_dimensions()?;
        let limit = self.parse_optional_token_and_int(Token::Limit)?;
        let offset = self.parse_optional_token_and_int(Token::Offset)?;
        Ok(super::Statement::ShowCardinality(Box::new(ShowCardinalityStatement {
            kind,
            exact,
            database,
            sources,
            condition,
            dimensions,
            limit,
            offset,
        })))
    }

    /// SHOW MEASUREMENT EXACT CARDINALITY / SHOW MEASUREMENT CARDINALITY, after the token
    /// that follows MEASUREMENT.
    pub(crate) fn parse_show_measurement_cardinality(&mut self, exact: bool) -> Result<super::Statement> {
        if exact {
            let t = self.scan_ws();
            if t.tok != Token::Cardinality {
                return Err(Self::unexpected(&t, &["CARDINALITY"]));
            }
        }
        self.parse_cardinality(CardinalityKind::Measurement, exact)
    }

    /// SHOW TAG KEY / SHOW FIELD KEY [EXACT] CARDINALITY, after KEY.
    pub(crate) fn parse_show_key_cardinality(&mut self, kind: CardinalityKind) -> Result<super::Statement> {
        let exact = self.accept(Token::Exact);
        let t = self.scan_ws();
        if t.tok != Token::Cardinality {
            let expected: &[&str] = if exact {
                &["CARDINALITY"]
            } else {
                &["EXACT", "CARDINALITY"]
            };
            return Err(Self::unexpected(&t, expected));
        }
        self.parse_cardinality(kind, exact)
    }

    pub(crate) fn parse_show_tag_keys(&mut self) -> Result<ShowTagKeysStatement> {
        let mut stmt = ShowTagKeysStatement {
            database: self.parse_on_database()?,
            sources: self.parse_from()?,
            ..Default::default()
        };
        stmt.condition = self.parse_condition()?;
        stmt.sort_fields = self.parse_order_by()?;
        stmt.limit = self.parse_optional_token_and_int(Token::Limit)?;
        stmt.offset = self.parse_optional_token_and_int(Token::Offset)?;
        stmt.slimit = self.parse_optional_token_and_int(Token::Slimit)?;
        stmt.soffset = self.parse_optional_token_and_int(Token::Soffset)?;
        Ok(stmt)
    }

    /// SHOW TAG VALUES, or SHOW TAG VALUES [EXACT] CARDINALITY.
    pub(crate) fn parse_show_tag_values(&mut self) -> Result<super::Statement> {
        let t = self.scan_ws();
        if t.tok == Token::Exact || t.tok == Token::Cardinality {
            let exact = t.tok == Token::Exact;
            if exact {
                let t = self.scan_ws();
                if t.tok != Token::Cardinality {
                    return Err(Self::unexpected(&t, &["CARDINALITY"]));
                }
            }
            return self.parse_cardinality(CardinalityKind::TagValues(TagKeyFilter::In(vec![])), exact);
        }
        self.unscan();
        let database = self.parse_on_database()?;
        let sources = self.parse_from()?;
        let tag_key = self.parse_tag_key_expr()?;
        let condition = self.parse_condition()?;
        let sort_fields = self.parse_order_by()?;
        let limit = self.parse_optional_token_and_int(Token::Limit)?;
        let offset = self.parse_optional_token_and_int(Token::Offset)?;
        Ok(super::Statement::ShowTagValues(Box::new(ShowTagValuesStatement {
            database,
            sources,
            tag_key,
            condition,
            sort_fields,
            limit,
            offset,
        })))
    }

    /// `WITH KEY (= k | != k | =~ /re/ | !~ /re/ | IN (k, ...))`.
    fn parse_tag_key_expr(&mut self) -> Result<TagKeyFilter> {
        self.expect_tokens(&[Token::With, Token::Key])?;
        let t = self.scan_ws();
        match t.tok {
            Token::In => {
                let t = self.scan_ws();
                if t.tok != Token::LParen {
                    return Err(Self::unexpected(&t, &["("]));
                }
                let keys = self.parse_ident_list()?;
                let t = self.scan_ws();
                if t.tok != Token::RParen {
                    return Err(Self::unexpected(&t, &[")"]));
                }
                Ok(TagKeyFilter::In(keys))
            }
            Token::Eq => Ok(TagKeyFilter::Eq(self.parse_ident()?)),
            Token::Neq => Ok(TagKeyFilter::Neq(self.parse_ident()?)),
            Token::EqRegex | Token::NeqRegex => match self.parse_regex()? {
                Some(re) if t.tok == Token::EqRegex => Ok(TagKeyFilter::EqRegex(re)),
                Some(re) => Ok(TagKeyFilter::NeqRegex(re)),
                None => {
                    let t = self.scan_ws();
                    Err(Self::unexpected(&t, &["regex"]))
                }
            },
            _ => Err(Self::unexpected(&t, &["IN", "=", "=~"])),
        }
    }

    pub(crate) fn parse_show_field_keys(&mut self) -> Result<ShowFieldKeysStatement> {
        let database = self.parse_on_database()?;
        let mut stmt = ShowFieldKeysStatement {
            database,
            sources: self.parse_from()?,
            ..Default::default()
        };
        stmt.sort_fields = self.parse_order_by()?;
        stmt.limit = self.parse_optional_token_and_int(Token::Limit)?;
        stmt.offset = self.parse_optional_token_and_int(Token::Offset)?;
        Ok(stmt)
    }
}

#[cfg(test)]
mod tests;
