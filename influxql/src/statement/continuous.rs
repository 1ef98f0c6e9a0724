//! Continuous queries and subscriptions (parsed and printed; Cairn does not run them yet).
//! <https://docs.influxdata.com/influxdb/v1/query_language/continuous_queries/>

use std::fmt;

use crate::duration::{format_duration, parse_duration};
use crate::error::{ParseError, Result};
use crate::parser::Parser;
use crate::quote::{quote_ident, quote_string};
use crate::statement::{SelectStatement, TargetRequirement};
use crate::token::Token;

/// `CREATE CONTINUOUS QUERY <name> ON <db> [RESAMPLE [EVERY d] [FOR d]] BEGIN <select> END`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateContinuousQueryStatement {
    /// Query name.
    pub name: String,
    /// Database it runs on.
    pub database: String,
    /// The SELECT ... INTO it runs.
    pub source: SelectStatement,
    /// RESAMPLE EVERY in ns (0: not given).
    pub resample_every: i64,
    /// RESAMPLE FOR in ns (0: not given).
    pub resample_for: i64,
}

impl fmt::Display for CreateContinuousQueryStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CREATE CONTINUOUS QUERY {} ON {} ",
            quote_ident(&self.name),
            quote_ident(&self.database)
        )?;
        if self.resample_every > 0 || self.resample_for > 0 {
            f.write_str("RESAMPLE ")?;
            if self.resample_every > 0 {
                write!(f, "EVERY {} ", format_duration(self.resample_every))?;
            }
            if self.resample_for > 0 {
                write!(f, "FOR {} ", format_duration(self.resample_for))?;
            }
        }
        write!(f, "BEGIN {} END", self.source)
    }
}

/// `DROP CONTINUOUS QUERY <name> ON <db>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropContinuousQueryStatement {
    /// Query name.
    pub name: String,
    /// Database.
    pub database: String,
}

impl fmt::Display for DropContinuousQueryStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DROP CONTINUOUS QUERY {} ON {}",
            quote_ident(&self.name),
            quote_ident(&self.database)
        )
    }
}

/// `CREATE SUBSCRIPTION <name> ON <db>.<rp> DESTINATIONS ALL|ANY '<url>', ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSubscriptionStatement {
    /// Subscription name.
    pub name: String,
    /// Database.
    pub database: String,
    /// Retention policy.
    pub retention_policy: String,
    /// Destination URLs.
    pub destinations: Vec<String>,
    /// `ALL` or `ANY`.
    pub mode: String,
}

impl fmt::Display for CreateSubscriptionStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CREATE SUBSCRIPTION {} ON {}.{} DESTINATIONS {} ",
            quote_ident(&self.name),
            quote_ident(&self.database),
            quote_ident(&self.retention_policy),
            self.mode
        )?;
        for (i, d) in self.destinations.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(&quote_string(d))?;
        }
        Ok(())
    }
}

/// `DROP SUBSCRIPTION <name> ON <db>.<rp>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropSubscriptionStatement {
    /// Subscription name.
    pub name: String,
    /// Database.
    pub database: String,
    /// Retention policy.
    pub retention_policy: String,
}

impl fmt::Display for DropSubscriptionStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DROP SUBSCRIPTION {} ON {}.{}",
            quote_ident(&self.name),
            quote_ident(&self.database),
            quote_ident(&self.retention_policy)
        )
    }
}

impl Parser<'_> {
    pub(crate) fn parse_create_continuous_query(&mut self) -> Result<CreateContinuousQueryStatement> {
        let name = self.parse_ident()?;
        self.expect_tokens(&[Token::On])?;
        let database = self.parse_ident()?;
        let (mut resample_every, mut resample_for) = (0, 0);
        if self.accept(Token::Resample) {
            (resample_every, resample_for) = self.parse_resample()?;
        }
        self.expect_tokens(&[Token::Begin, Token::Select])?;
        let source = self.parse_select_statement(TargetRequirement::Required)?;
        if !source.is_raw_query() {
            let interval = source.group_by_interval();
            if interval.as_ref().map_or(true, |d| *d == 0) {
                // Go backs up two tokens to report the one after the statement.
                self.unscan();
                self.unscan();
                let t = self.scan_ws();
                let mut expected = vec!["GROUP BY time(...)".to_string()];
                if let Err(e) = interval {
                    expected.push(e);
                }
                let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
                return Err(Self::unexpected(&t, &expected));
            }
        }
        let t = self.scan_ws();
        if t.tok != Token::End {
            return Err(Self::unexpected(&t, &["END"]));
        }
        let stmt = CreateContinuousQueryStatement {
            name,
            database,
            source,
            resample_every,
            resample_for,
        };
        let mut interval = stmt.source.group_by_interval().map_err(ParseError::msg)?;
        if stmt.resample_for != 0 {
            if stmt.resample_every != 0 && stmt.resample_every > interval {
                interval = stmt.resample_every;
            }
            if interval > stmt.resample_for {
                return Err(ParseError::msg(format!(
                    "FOR duration must be >= GROUP BY time duration: must be a minimum of {}, got {}",
                    format_duration(interval),
                    format_duration(stmt.resample_for)
                )));
            }
        }
        Ok(stmt)
    }

    /// `[EVERY d] [FOR d]` after RESAMPLE; at least one.
    fn parse_resample(&mut self) -> Result<(i64, i64)> {
        let mut every = 0;
        if self.accept(Token::Every) {
            every = self.parse_resample_duration()?;
        }
        let mut for_ = 0;
        if self.accept(Token::For) {
            for_ = self.parse_resample_duration()?;
        }
        if every == 0 && for_ == 0 {
            let t = self.scan_ws();
            return Err(Self::unexpected(&t, &["EVERY", "FOR"]));
        }
        Ok((every, for_))
    }

    fn parse_resample_duration(&mut self) -> Result<i64> {
        let t = self.scan_ws();
        if t.tok != Token::DurationVal {
            return Err(Self::unexpected(&t, &["duration"]));
        }
        parse_duration(&t.lit).map_err(|e| ParseError::at(e, t.pos))
    }

    pub(crate) fn parse_drop_continuous_query(&mut self) -> Result<DropContinuousQueryStatement> {
        let name = self.parse_ident()?;
        self.expect_tokens(&[Token::On])?;
        Ok(DropContinuousQueryStatement {
            name,
            database: self.parse_ident()?,
        })
    }

    /// `<name> ON <db>.<rp>`, shared by CREATE and DROP SUBSCRIPTION.
    fn parse_subscription_target(&mut self) -> Result<(String, String, String)> {
        let name = self.parse_ident()?;
        self.expect_tokens(&[Token::On])?;
        let database = self.parse_ident()?;
        let t = self.scan();
        if t.tok != Token::Dot {
            return Err(Self::unexpected(&t, &["."]));
        }
        Ok((name, database, self.parse_ident()?))
    }

    pub(crate) fn parse_create_subscription(&mut self) -> Result<CreateSubscriptionStatement> {
        let (name, database, retention_policy) = self.parse_subscription_target()?;
        self.expect_tokens(&[Token::Destinations])?;
        let t = self.scan_ws();
        let mode = match t.tok {
            Token::All | Token::Any => t.tok.as_str().to_string(),
            _ => return Err(Self::unexpected(&t, &["ALL", "ANY"])),
        };
        Ok(CreateSubscriptionStatement {
            name,
            database,
            retention_policy,
            destinations: self.parse_string_list()?,
            mode,
        })
    }

    pub(crate) fn parse_drop_subscription(&mut self) -> Result<DropSubscriptionStatement> {
        let (name, database, retention_policy) = self.parse_subscription_target()?;
        Ok(DropSubscriptionStatement {
            name,
            database,
            retention_policy,
        })
    }
}
