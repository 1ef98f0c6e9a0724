//! Statements: one module per family, each with its AST, `Display` and parser.
//! <https://docs.influxdata.com/influxdb/v1/query_language/spec/>

use std::fmt;

use crate::error::Result;
use crate::parser::Parser;
use crate::quote::quote_string;
use crate::token::Token;

mod continuous;
mod data;
mod database;
mod select;
mod show;
mod user;

pub use continuous::{
    CreateContinuousQueryStatement, CreateSubscriptionStatement, DropContinuousQueryStatement,
    DropSubscriptionStatement,
};
pub use data::{DeleteStatement, DropMeasurementStatement, DropSeriesStatement, DropShardStatement};
pub use database::{
    AlterRetentionPolicyStatement, CreateDatabaseStatement, CreateRetentionPolicyStatement, DropDatabaseStatement,
    DropRetentionPolicyStatement, ShowRetentionPoliciesStatement,
};
pub(crate) use select::TargetRequirement;
pub use select::{ExplainStatement, SelectStatement};
pub use show::{
    CardinalityKind, ShowCardinalityStatement, ShowFieldKeysStatement, ShowMeasurementsStatement, ShowSeriesStatement,
    ShowTagKeysStatement, ShowTagValuesStatement, TagKeyFilter,
};
pub use user::{
    CreateUserStatement, DropUserStatement, GrantAdminStatement, GrantStatement, KillQueryStatement, Privilege,
    RevokeAdminStatement, RevokeStatement, SetPasswordUserStatement, ShowGrantsForUserStatement,
};

/// A parsed query: statements in the order written (empty statements between `;` dropped).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// The statements.
    pub statements: Vec<Statement>,
}

impl fmt::Display for Query {
    /// Statements joined by `;\n`, as Go's `Query.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                f.write_str(";\n")?;
            }
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

/// One InfluxQL statement.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Statement {
    /// SELECT.
    Select(Box<SelectStatement>),
    /// EXPLAIN [ANALYZE] SELECT.
    Explain(Box<ExplainStatement>),
    /// DELETE.
    Delete(DeleteStatement),
    /// DROP SERIES.
    DropSeries(DropSeriesStatement),
    /// DROP MEASUREMENT.
    DropMeasurement(DropMeasurementStatement),
    /// DROP SHARD.
    DropShard(DropShardStatement),
    /// SHOW DATABASES.
    ShowDatabases,
    /// SHOW MEASUREMENTS.
    ShowMeasurements(Box<ShowMeasurementsStatement>),
    /// SHOW SERIES.
    ShowSeries(Box<ShowSeriesStatement>),
    /// SHOW TAG KEYS.
    ShowTagKeys(Box<ShowTagKeysStatement>),
    /// SHOW TAG VALUES.
    ShowTagValues(Box<ShowTagValuesStatement>),
    /// SHOW FIELD KEYS.
    ShowFieldKeys(Box<ShowFieldKeysStatement>),
    /// SHOW MEASUREMENT|SERIES|TAG KEY|TAG VALUES|FIELD KEY [EXACT] CARDINALITY.
    ShowCardinality(Box<ShowCardinalityStatement>),
    /// SHOW RETENTION POLICIES.
    ShowRetentionPolicies(ShowRetentionPoliciesStatement),
    /// SHOW SHARDS.
    ShowShards,
    /// SHOW SHARD GROUPS.
    ShowShardGroups,
    /// SHOW USERS.
    ShowUsers,
    /// SHOW GRANTS FOR.
    ShowGrantsForUser(ShowGrantsForUserStatement),
    /// SHOW CONTINUOUS QUERIES.
    ShowContinuousQueries,
    /// SHOW QUERIES.
    ShowQueries,
    /// SHOW STATS [FOR '<module>'] (empty module: all).
    ShowStats(String),
    /// SHOW DIAGNOSTICS [FOR '<module>'] (empty module: all).
    ShowDiagnostics(String),
    /// SHOW SUBSCRIPTIONS.
    ShowSubscriptions,
    /// CREATE DATABASE.
    CreateDatabase(CreateDatabaseStatement),
    /// DROP DATABASE.
    DropDatabase(DropDatabaseStatement),
    /// CREATE RETENTION POLICY.
    CreateRetentionPolicy(CreateRetentionPolicyStatement),
    /// ALTER RETENTION POLICY.
    AlterRetentionPolicy(AlterRetentionPolicyStatement),
    /// DROP RETENTION POLICY.
    DropRetentionPolicy(DropRetentionPolicyStatement),
    /// CREATE USER.
    CreateUser(CreateUserStatement),
    /// DROP USER.
    DropUser(DropUserStatement),
    /// SET PASSWORD FOR.
    SetPasswordUser(SetPasswordUserStatement),
    /// GRANT <privilege> ON <db> TO <user>.
    Grant(GrantStatement),
    /// GRANT ALL PRIVILEGES TO <user>.
    GrantAdmin(GrantAdminStatement),
    /// REVOKE <privilege> ON <db> FROM <user>.
    Revoke(RevokeStatement),
    /// REVOKE ALL PRIVILEGES FROM <user>.
    RevokeAdmin(RevokeAdminStatement),
    /// KILL QUERY.
    KillQuery(KillQueryStatement),
    /// CREATE CONTINUOUS QUERY.
    CreateContinuousQuery(Box<CreateContinuousQueryStatement>),
    /// DROP CONTINUOUS QUERY.
    DropContinuousQuery(DropContinuousQueryStatement),
    /// CREATE SUBSCRIPTION.
    CreateSubscription(CreateSubscriptionStatement),
    /// DROP SUBSCRIPTION.
    DropSubscription(DropSubscriptionStatement),
}

fn module(f: &mut fmt::Formatter<'_>, what: &str, module: &str) -> fmt::Result {
    f.write_str(what)?;
    if !module.is_empty() {
        write!(f, " FOR {}", quote_string(module))?;
    }
    Ok(())
}

impl fmt::Display for Statement {
    /// Canonical InfluxQL, as Go's `Statement.String()` (passwords print as `[REDACTED]`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Statement::*;
        match self {
            Select(s) => write!(f, "{s}"),
            Explain(s) => write!(f, "{s}"),
            Delete(s) => write!(f, "{s}"),
            DropSeries(s) => write!(f, "{s}"),
            DropMeasurement(s) => write!(f, "{s}"),
            DropShard(s) => write!(f, "{s}"),
            ShowDatabases => f.write_str("SHOW DATABASES"),
            ShowMeasurements(s) => write!(f, "{s}"),
            ShowSeries(s) => write!(f, "{s}"),
            ShowTagKeys(s) => write!(f, "{s}"),
            ShowTagValues(s) => write!(f, "{s}"),
            ShowFieldKeys(s) => write!(f, "{s}"),
            ShowCardinality(s) => write!(f, "{s}"),
            ShowRetentionPolicies(s) => write!(f, "{s}"),
            ShowShards => f.write_str("SHOW SHARDS"),
            ShowShardGroups => f.write_str("SHOW SHARD GROUPS"),
            ShowUsers => f.write_str("SHOW USERS"),
            ShowGrantsForUser(s) => write!(f, "{s}"),
            ShowContinuousQueries => f.write_str("SHOW CONTINUOUS QUERIES"),
            ShowQueries => f.write_str("SHOW QUERIES"),
            ShowStats(m) => module(f, "SHOW STATS", m),
            ShowDiagnostics(m) => module(f, "SHOW DIAGNOSTICS", m),
            ShowSubscriptions => f.write_str("SHOW SUBSCRIPTIONS"),
            CreateDatabase(s) => write!(f, "{s}"),
            DropDatabase(s) => write!(f, "{s}"),
            CreateRetentionPolicy(s) => write!(f, "{s}"),
            AlterRetentionPolicy(s) => write!(f, "{s}"),
            DropRetentionPolicy(s) => write!(f, "{s}"),
            CreateUser(s) => write!(f, "{s}"),
            DropUser(s) => write!(f, "{s}"),
            SetPasswordUser(s) => write!(f, "{s}"),
            Grant(s) => write!(f, "{s}"),
            GrantAdmin(s) => write!(f, "{s}"),
            Revoke(s) => write!(f, "{s}"),
            RevokeAdmin(s) => write!(f, "{s}"),
            KillQuery(s) => write!(f, "{s}"),
            CreateContinuousQuery(s) => write!(f, "{s}"),
            DropContinuousQuery(s) => write!(f, "{s}"),
            CreateSubscription(s) => write!(f, "{s}"),
            DropSubscription(s) => write!(f, "{s}"),
        }
    }
}

/// The first words of every statement, in Go's registration order (its error messages list
/// the words allowed at a point in that order).
const ROOT: &[&str] = &[
    "SELECT", "DELETE", "SHOW", "CREATE", "DROP", "EXPLAIN", "GRANT", "REVOKE", "ALTER", "SET", "KILL",
];
const SHOW: &[&str] = &[
    "CONTINUOUS",
    "DATABASES",
    "DIAGNOSTICS",
    "FIELD",
    "GRANTS",
    "MEASUREMENT",
    "MEASUREMENTS",
    "QUERIES",
    "RETENTION",
    "SERIES",
    "SHARD",
    "SHARDS",
    "STATS",
    "SUBSCRIPTIONS",
    "TAG",
    "USERS",
];
const CREATE: &[&str] = &["CONTINUOUS", "DATABASE", "USER", "RETENTION", "SUBSCRIPTION"];
const DROP: &[&str] = &[
    "CONTINUOUS",
    "DATABASE",
    "MEASUREMENT",
    "RETENTION",
    "SERIES",
    "SHARD",
    "SUBSCRIPTION",
    "USER",
];

impl Parser<'_> {
    /// Requires `tok` next, reporting `expected` (the words allowed there) otherwise.
    fn next_word(&mut self, tok: Token, expected: &[&str]) -> Result<()> {
        let t = self.scan_ws();
        if t.tok != tok {
            return Err(Self::unexpected(&t, expected));
        }
        Ok(())
    }

    /// One statement (Go's `Language.Parse` over its parse tree).
    pub(crate) fn parse_statement(&mut self) -> Result<Statement> {
        use Statement as S;
        let t = self.scan_ws();
        Ok(match t.tok {
            Token::Select => S::Select(Box::new(self.parse_select_statement(TargetRequirement::NotRequired)?)),
            Token::Delete => S::Delete(self.parse_delete()?),
            Token::Show => return self.parse_show(),
            Token::Create => return self.parse_create(),
            Token::Drop => return self.parse_drop(),
            Token::Explain => S::Explain(Box::new(self.parse_explain_statement()?)),
            Token::Grant => return self.parse_grant(),
            Token::Revoke => return self.parse_revoke(),
            Token::Alter => {
                self.next_word(Token::Retention, &["RETENTION"])?;
                self.next_word(Token::Policy, &["POLICY"])?;
                S::AlterRetentionPolicy(self.parse_alter_retention_policy()?)
            }
            Token::Set => {
                self.next_word(Token::Password, &["PASSWORD"])?;
                self.next_word(Token::For, &["FOR"])?;
                S::SetPasswordUser(self.parse_set_password()?)
            }
            Token::Kill => {
                self.next_word(Token::Query, &["QUERY"])?;
                S::KillQuery(self.parse_kill_query()?)
            }
            _ => return Err(Self::unexpected(&t, ROOT)),
        })
    }

    fn parse_show(&mut self) -> Result<Statement> {
        use Statement as S;
        let t = self.scan_ws();
        Ok(match t.tok {
            Token::Continuous => {
                self.next_word(Token::Queries, &["QUERIES"])?;
                S::ShowContinuousQueries
            }
            Token::Databases => S::ShowDatabases,
            Token::Diagnostics => S::ShowDiagnostics(self.parse_show_module()?),
            Token::Field => {
                let t = self.scan_ws();
                match t.tok {
                    Token::Key => return self.parse_show_key_cardinality(CardinalityKind::FieldKey),
                    Token::Keys => S::ShowFieldKeys(Box::new(self.parse_show_field_keys()?)),
                    _ => return Err(Self::unexpected(&t, &["KEY", "KEYS"])),
                }
            }
            Token::Grants => {
                self.next_word(Token::For, &["FOR"])?;
                S::ShowGrantsForUser(self.parse_show_grants()?)
            }
            Token::Measurement => {
                let t = self.scan_ws();
                match t.tok {
                    Token::Exact => return self.parse_show_measurement_cardinality(true),
                    Token::Cardinality => return self.parse_show_measurement_cardinality(false),
                    _ => return Err(Self::unexpected(&t, &["EXACT", "CARDINALITY"])),
                }
            }
            Token::Measurements => S::ShowMeasurements(Box::new(self.parse_show_measurements()?)),
            Token::Queries => S::ShowQueries,
            Token::Retention => {
                self.next_word(Token::Policies, &["POLICIES"])?;
                S::ShowRetentionPolicies(self.parse_show_retention_policies()?)
            }
            Token::Series => return self.parse_show_series(),
            Token::Shard => {
                self.next_word(Token::Groups, &["GROUPS"])?;
                S::ShowShardGroups
            }
            Token::Shards => S::ShowShards,
            Token::Stats => S::ShowStats(self.parse_show_module()?),
            Token::Subscriptions => S::ShowSubscriptions,
            Token::Tag => {
                let t = self.scan_ws();
                match t.tok {
                    Token::Key => return self.parse_show_key_cardinality(CardinalityKind::TagKey),
                    Token::Keys => S::ShowTagKeys(Box::new(self.parse_show_tag_keys()?)),
                    Token::Values => return self.parse_show_tag_values(),
                    _ => return Err(Self::unexpected(&t, &["KEY", "KEYS", "VALUES"])),
                }
            }
            Token::Users => S::ShowUsers,
            _ => return Err(Self::unexpected(&t, SHOW)),
        })
    }

    /// `[FOR '<module>']` of SHOW STATS and SHOW DIAGNOSTICS.
    fn parse_show_module(&mut self) -> Result<String> {
        if self.accept(Token::For) {
            self.parse_string()
        } else {
            Ok(String::new())
        }
    }

    fn parse_create(&mut self) -> Result<Statement> {
        use Statement as S;
        let t = self.scan_ws();
        Ok(match t.tok {
            Token::Continuous => {
                self.next_word(Token::Query, &["QUERY"])?;
                S::CreateContinuousQuery(Box::new(self.parse_create_continuous_query()?))
            }
            Token::Database => S::CreateDatabase(self.parse_create_database()?),
            Token::User => S::CreateUser(self.parse_create_user()?),
            Token::Retention => {
                self.next_word(Token::Policy, &["POLICY"])?;
                S::CreateRetentionPolicy(self.parse_create_retention_policy()?)
            }
            Token::Subscription => S::CreateSubscription(self.parse_create_subscription()?),
            _ => return Err(Self::unexpected(&t, CREATE)),
        })
    }

    fn parse_drop(&mut self) -> Result<Statement> {
        use Statement as S;
        let t = self.scan_ws();
        Ok(match t.tok {
            Token::Continuous => {
                self.next_word(Token::Query, &["QUERY"])?;
                S::DropContinuousQuery(self.parse_drop_continuous_query()?)
            }
            Token::Database => S::DropDatabase(DropDatabaseStatement {
                name: self.parse_ident()?,
            }),
            Token::Measurement => S::DropMeasurement(self.parse_drop_measurement()?),
            Token::Retention => {
                self.next_word(Token::Policy, &["POLICY"])?;
                S::DropRetentionPolicy(self.parse_drop_retention_policy()?)
            }
            Token::Series => S::DropSeries(self.parse_drop_series()?),
            Token::Shard => S::DropShard(self.parse_drop_shard()?),
            Token::Subscription => S::DropSubscription(self.parse_drop_subscription()?),
            Token::User => S::DropUser(self.parse_drop_user()?),
            _ => return Err(Self::unexpected(&t, DROP)),
        })
    }

    /// Statements separated by semicolons (Go's `ParseQuery`). Empty statements between
    /// semicolons are skipped as in Go, but a query without any statement (`;`, a comment)
    /// is refused with the error of a missing statement, where InfluxDB 1.6.7 answers 200
    /// with no results.
    pub(crate) fn parse_query(&mut self) -> Result<Query> {
        let mut statements = vec![];
        let mut semi = true;
        loop {
            let t = self.scan_ws();
            match t.tok {
                Token::Eof if statements.is_empty() => return Err(Self::unexpected(&t, ROOT)),
                Token::Eof => return Ok(Query { statements }),
                Token::Semicolon => semi = true,
                _ => {
                    if !semi {
                        return Err(Self::unexpected(&t, &[";"]));
                    }
                    self.unscan();
                    statements.push(self.parse_statement()?);
                    semi = false;
                }
            }
        }
    }
}
