//! Databases and retention policies: CREATE/DROP DATABASE, CREATE/ALTER/DROP RETENTION
//! POLICY, SHOW RETENTION POLICIES. <https://docs.influxdata.com/influxdb/v1/query_language/manage-database/>

use std::fmt;

use crate::duration::{format_duration, format_go_duration};
use crate::error::{ParseError, Result};
use crate::parser::Parser;
use crate::quote::quote_ident;
use crate::token::Token;

/// `CREATE DATABASE <name> [WITH [DURATION d] [REPLICATION n] [SHARD DURATION d] [NAME rp]]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateDatabaseStatement {
    /// Database name.
    pub name: String,
    /// A WITH clause was given: create the default retention policy from it.
    pub rp_create: bool,
    /// DURATION in ns (0 = INF).
    pub rp_duration: Option<i64>,
    /// REPLICATION.
    pub rp_replication: Option<i64>,
    /// SHARD DURATION in ns (0 = not given).
    pub rp_shard_group_duration: i64,
    /// NAME of the retention policy, or empty.
    pub rp_name: String,
}

/// Go prints CREATE DATABASE durations with `time.Duration.String()` (`24h0m0s`), which reads
/// back unless it has a fraction of a second (`1.5s`): those are printed as InfluxQL
/// literals instead (an intended difference).
fn rp_duration(d: i64) -> String {
    if d % 1_000_000_000 == 0 {
        format_go_duration(d)
    } else {
        format_duration(d)
    }
}

impl fmt::Display for CreateDatabaseStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CREATE DATABASE {}", quote_ident(&self.name))?;
        if self.rp_create {
            f.write_str(" WITH")?;
            if let Some(d) = self.rp_duration {
                write!(f, " DURATION {}", rp_duration(d))?;
            }
            if let Some(n) = self.rp_replication {
                write!(f, " REPLICATION {n}")?;
            }
            // `SHARD DURATION 0` means "not given", but it is printed when it is the only
            // option, so the text still parses (a bare WITH does not).
            let only = self.rp_duration.is_none() && self.rp_replication.is_none() && self.rp_name.is_empty();
            if self.rp_shard_group_duration > 0 || only {
                write!(f, " SHARD DURATION {}", rp_duration(self.rp_shard_group_duration))?;
            }
            if !self.rp_name.is_empty() {
                write!(f, " NAME {}", quote_ident(&self.rp_name))?;
            }
        }
        Ok(())
    }
}

/// `DROP DATABASE <name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropDatabaseStatement {
    /// Database name.
    pub name: String,
}

impl fmt::Display for DropDatabaseStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DROP DATABASE {}", quote_ident(&self.name))
    }
}

/// `CREATE RETENTION POLICY <name> ON <db> DURATION d REPLICATION n [SHARD DURATION d]
/// [DEFAULT]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRetentionPolicyStatement {
    /// Policy name.
    pub name: String,
    /// Database.
    pub database: String,
    /// DURATION in ns (0 = INF).
    pub duration: i64,
    /// REPLICATION.
    pub replication: i64,
    /// SHARD DURATION in ns (0 = derived from the duration).
    pub shard_group_duration: i64,
    /// DEFAULT.
    pub default: bool,
}

impl fmt::Display for CreateRetentionPolicyStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CREATE RETENTION POLICY {} ON {} DURATION {} REPLICATION {}",
            quote_ident(&self.name),
            quote_ident(&self.database),
            format_duration(self.duration),
            self.replication
        )?;
        if self.shard_group_duration > 0 {
            write!(f, " SHARD DURATION {}", format_duration(self.shard_group_duration))?;
        }
        if self.default {
            f.write_str(" DEFAULT")?;
        }
        Ok(())
    }
}

/// `ALTER RETENTION POLICY <name> ON <db> [DURATION d] [REPLICATION n] [SHARD DURATION d]
/// [DEFAULT]` (at least one option, each at most once, any order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterRetentionPolicyStatement {
    /// Policy name (`DEFAULT` as a name reads as `default`).
    pub name: String,
    /// Database.
    pub database: String,
    /// New DURATION in ns (0 = INF).
    pub duration: Option<i64>,
    /// New REPLICATION.
    pub replication: Option<i64>,
    /// New SHARD DURATION in ns.
    pub shard_group_duration: Option<i64>,
    /// Make it the default.
    pub default: bool,
}

impl fmt::Display for AlterRetentionPolicyStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ALTER RETENTION POLICY {} ON {}",
            quote_ident(&self.name),
            quote_ident(&self.database)
        )?;
        if let Some(d) = self.duration {
            write!(f, " DURATION {}", format_duration(d))?;
        }
        if let Some(n) = self.replication {
            write!(f, " REPLICATION {n}")?;
        }
        if let Some(d) = self.shard_group_duration {
            write!(f, " SHARD DURATION {}", format_duration(d))?;
        }
        if self.default {
            f.write_str(" DEFAULT")?;
        }
        Ok(())
    }
}

/// `DROP RETENTION POLICY <name> ON <db>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropRetentionPolicyStatement {
    /// Policy name.
    pub name: String,
    /// Database.
    pub database: String,
}

impl fmt::Display for DropRetentionPolicyStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DROP RETENTION POLICY {} ON {}",
            quote_ident(&self.name),
            quote_ident(&self.database)
        )
    }
}

/// `SHOW RETENTION POLICIES [ON <db>]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShowRetentionPoliciesStatement {
    /// Database, or empty for the request's.
    pub database: String,
}

impl fmt::Display for ShowRetentionPoliciesStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW RETENTION POLICIES")?;
        if !self.database.is_empty() {
            write!(f, " ON {}", quote_ident(&self.database))?;
        }
        Ok(())
    }
}

impl Parser<'_> {
    pub(crate) fn parse_create_database(&mut self) -> Result<CreateDatabaseStatement> {
        let mut stmt = CreateDatabaseStatement {
            name: self.parse_ident()?,
            ..Default::default()
        };
        if !self.accept(Token::With) {
            return Ok(stmt);
        }
        let t = self.scan_ws();
        if !matches!(t.tok, Token::Duration | Token::Name | Token::Replication | Token::Shard) {
            return Err(Self::unexpected(&t, &["DURATION", "NAME", "REPLICATION", "SHARD"]));
        }
        self.unscan();
        stmt.rp_create = true;
        if self.accept(Token::Duration) {
            stmt.rp_duration = Some(self.parse_duration()?);
        }
        if self.accept(Token::Replication) {
            stmt.rp_replication = Some(self.parse_int(1, i32::MAX as i64)?);
        }
        if self.accept(Token::Shard) {
            let t = self.scan_ws();
            if t.tok != Token::Duration {
                return Err(Self::unexpected(&t, &["DURATION"]));
            }
            stmt.rp_shard_group_duration = self.parse_duration()?;
        }
        if self.accept(Token::Name) {
            stmt.rp_name = self.parse_ident()?;
        }
        Ok(stmt)
    }

    /// `SHARD DURATION d` after SHARD; INF is refused.
    fn parse_shard_duration(&mut self) -> Result<i64> {
        let t = self.scan_ws();
        if t.tok != Token::Duration {
            return Err(Self::unexpected(&t, &["DURATION"]));
        }
        let t = self.scan_ws();
        if t.tok == Token::Inf {
            return Err(ParseError::at("invalid duration INF for shard duration", t.pos));
        }
        self.unscan();
        self.parse_duration()
    }

    pub(crate) fn parse_create_retention_policy(&mut self) -> Result<CreateRetentionPolicyStatement> {
        let name = self.parse_ident()?;
        self.expect_tokens(&[Token::On])?;
        let database = self.parse_ident()?;
        self.expect_tokens(&[Token::Duration])?;
        let duration = self.parse_duration()?;
        self.expect_tokens(&[Token::Replication])?;
        let replication = self.parse_int(1, i32::MAX as i64)?;
        let shard_group_duration = if self.accept(Token::Shard) {
            self.parse_shard_duration()?
        } else {
            0
        };
        let default = self.accept(Token::Default);
        Ok(CreateRetentionPolicyStatement {
            name,
            database,
            duration,
            replication,
            shard_group_duration,
            default,
        })
    }

    pub(crate) fn parse_alter_retention_policy(&mut self) -> Result<AlterRetentionPolicyStatement> {
        let t = self.scan_ws();
        let name = match t.tok {
            Token::Default => "default".to_string(),
            Token::Ident => t.lit,
            _ => return Err(Self::unexpected(&t, &["identifier"])),
        };
        self.expect_tokens(&[Token::On])?;
        let mut stmt = AlterRetentionPolicyStatement {
            name,
            database: self.parse_ident()?,
            duration: None,
            replication: None,
            shard_group_duration: None,
            default: false,
        };
        let mut found: Vec<Token> = vec![];
        loop {
            let t = self.scan_ws();
            if found.contains(&t.tok) {
                return Err(ParseError::at(format!("found duplicate {} option", t.tok), t.pos));
            }
            match t.tok {
                Token::Duration => stmt.duration = Some(self.parse_duration()?),
                Token::Replication => stmt.replication = Some(self.parse_int(1, i32::MAX as i64)?),
                Token::Shard => stmt.shard_group_duration = Some(self.parse_shard_duration()?),
                Token::Default => stmt.default = true,
                _ => {
                    if found.is_empty() {
                        return Err(Self::unexpected(&t, &["DURATION", "REPLICATION", "SHARD", "DEFAULT"]));
                    }
                    self.unscan();
                    return Ok(stmt);
                }
            }
            found.push(t.tok);
        }
    }

    pub(crate) fn parse_drop_retention_policy(&mut self) -> Result<DropRetentionPolicyStatement> {
        let name = self.parse_ident()?;
        self.expect_tokens(&[Token::On])?;
        Ok(DropRetentionPolicyStatement {
            name,
            database: self.parse_ident()?,
        })
    }

    pub(crate) fn parse_show_retention_policies(&mut self) -> Result<ShowRetentionPoliciesStatement> {
        let database = if self.accept(Token::On) {
            self.parse_ident()?
        } else {
            String::new()
        };
        Ok(ShowRetentionPoliciesStatement { database })
    }
}
