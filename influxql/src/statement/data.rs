//! Removing data: DELETE, DROP SERIES, DROP MEASUREMENT, DROP SHARD.
//! <https://docs.influxdata.com/influxdb/v1/query_language/manage-database/#delete-series-with-delete>

use std::fmt;

use crate::clause::{List, Source};
use crate::error::{ParseError, Result};
use crate::expr::Expr;
use crate::parser::Parser;
use crate::quote::quote_ident;
use crate::token::Token;

/// `DELETE [FROM <measurements>] [WHERE <condition>]` (at least one of the two).
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteStatement {
    /// FROM (measurements or regexes, no database or retention policy).
    pub sources: Vec<Source>,
    /// WHERE over tags and time.
    pub condition: Option<Expr>,
}

impl fmt::Display for DeleteStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DELETE")?;
        write_from_where(f, &self.sources, &self.condition)
    }
}

/// `DROP SERIES [FROM <measurements>] [WHERE <condition>]` (at least one of the two).
#[derive(Debug, Clone, PartialEq)]
pub struct DropSeriesStatement {
    /// FROM (measurements or regexes, no database or retention policy).
    pub sources: Vec<Source>,
    /// WHERE over tags.
    pub condition: Option<Expr>,
}

impl fmt::Display for DropSeriesStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DROP SERIES")?;
        write_from_where(f, &self.sources, &self.condition)
    }
}

fn write_from_where(f: &mut fmt::Formatter<'_>, sources: &[Source], condition: &Option<Expr>) -> fmt::Result {
    if !sources.is_empty() {
        write!(f, " FROM {}", List(sources))?;
    }
    if let Some(c) = condition {
        write!(f, " WHERE {c}")?;
    }
    Ok(())
}

/// `DROP MEASUREMENT <name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropMeasurementStatement {
    /// Measurement name.
    pub name: String,
}

impl fmt::Display for DropMeasurementStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DROP MEASUREMENT {}", quote_ident(&self.name))
    }
}

/// `DROP SHARD <id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropShardStatement {
    /// Shard id.
    pub id: u64,
}

impl fmt::Display for DropShardStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DROP SHARD {}", self.id)
    }
}

impl Parser<'_> {
    /// The `[FROM ...] [WHERE ...]` of DELETE and DROP SERIES, which refuse a database or a
    /// retention policy in FROM (1.6.7 refuses both for DELETE too).
    fn parse_from_where(&mut self) -> Result<(Vec<Source>, Option<Expr>)> {
        let t = self.scan_ws();
        let mut sources = vec![];
        if t.tok == Token::From {
            sources = self.parse_sources(false)?;
            // Go checks every measurement and reports the last offence.
            let mut err = None;
            for s in &sources {
                if let Source::Measurement(m) = s {
                    if !m.database.is_empty() {
                        err = Some("database not supported");
                    }
                    if !m.retention_policy.is_empty() {
                        err = Some("retention policy not supported");
                    }
                }
            }
            if let Some(msg) = err {
                return Err(ParseError::at(msg, crate::Pos::default()));
            }
        } else {
            self.unscan();
        }
        let condition = self.parse_condition()?;
        if condition.is_none() && sources.is_empty() {
            return Err(Self::unexpected(&t, &["FROM", "WHERE"]));
        }
        Ok((sources, condition))
    }

    pub(crate) fn parse_delete(&mut self) -> Result<DeleteStatement> {
        let (sources, condition) = self.parse_from_where()?;
        Ok(DeleteStatement { sources, condition })
    }

    pub(crate) fn parse_drop_series(&mut self) -> Result<DropSeriesStatement> {
        let (sources, condition) = self.parse_from_where()?;
        Ok(DropSeriesStatement { sources, condition })
    }

    pub(crate) fn parse_drop_measurement(&mut self) -> Result<DropMeasurementStatement> {
        Ok(DropMeasurementStatement {
            name: self.parse_ident()?,
        })
    }

    pub(crate) fn parse_drop_shard(&mut self) -> Result<DropShardStatement> {
        Ok(DropShardStatement {
            id: self.parse_uint64()?,
        })
    }
}
