//! Users and privileges: CREATE/DROP USER, SET PASSWORD, GRANT, REVOKE, SHOW GRANTS, and
//! KILL QUERY. <https://docs.influxdata.com/influxdb/v1/administration/authentication_and_authorization/>

use std::fmt;

use crate::error::Result;
use crate::parser::Parser;
use crate::quote::quote_ident;
use crate::token::Token;

/// A privilege on a database (or, for `AllPrivileges` without a database, admin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Privilege {
    /// No privilege.
    NoPrivileges,
    /// READ.
    Read,
    /// WRITE.
    Write,
    /// ALL [PRIVILEGES].
    All,
}

impl Privilege {
    /// As Go's `Privilege.String()`: `NO PRIVILEGES`, `READ`, `WRITE`, `ALL PRIVILEGES`.
    pub fn as_str(self) -> &'static str {
        match self {
            Privilege::NoPrivileges => "NO PRIVILEGES",
            Privilege::Read => "READ",
            Privilege::Write => "WRITE",
            Privilege::All => "ALL PRIVILEGES",
        }
    }
}

impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `CREATE USER <name> WITH PASSWORD '<password>' [WITH ALL PRIVILEGES]`.
#[derive(Clone, PartialEq, Eq)]
pub struct CreateUserStatement {
    /// User name.
    pub name: String,
    /// Password (printed as `[REDACTED]`).
    pub password: String,
    /// WITH ALL PRIVILEGES: the user is an admin.
    pub admin: bool,
}

impl fmt::Debug for CreateUserStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateUserStatement")
            .field("name", &self.name)
            .field("password", &"[REDACTED]")
            .field("admin", &self.admin)
            .finish()
    }
}

impl fmt::Display for CreateUserStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CREATE USER {} WITH PASSWORD [REDACTED]", quote_ident(&self.name))?;
        if self.admin {
            f.write_str(" WITH ALL PRIVILEGES")?;
        }
        Ok(())
    }
}

/// `DROP USER <name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropUserStatement {
    /// User name.
    pub name: String,
}

impl fmt::Display for DropUserStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DROP USER {}", quote_ident(&self.name))
    }
}

/// `SET PASSWORD FOR <name> = '<password>'`.
#[derive(Clone, PartialEq, Eq)]
pub struct SetPasswordUserStatement {
    /// User name.
    pub name: String,
    /// New password (printed as `[REDACTED]`).
    pub password: String,
}

impl fmt::Debug for SetPasswordUserStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetPasswordUserStatement")
            .field("name", &self.name)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

impl fmt::Display for SetPasswordUserStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SET PASSWORD FOR {} = [REDACTED]", quote_ident(&self.name))
    }
}

/// `GRANT <privilege> ON <db> TO <user>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantStatement {
    /// READ, WRITE or ALL.
    pub privilege: Privilege,
    /// Database.
    pub on: String,
    /// User.
    pub user: String,
}

impl fmt::Display for GrantStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GRANT {} ON {} TO {}",
            self.privilege,
            quote_ident(&self.on),
            quote_ident(&self.user)
        )
    }
}

/// `GRANT ALL [PRIVILEGES] TO <user>`: makes the user an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantAdminStatement {
    /// User.
    pub user: String,
}

impl fmt::Display for GrantAdminStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GRANT ALL PRIVILEGES TO {}", quote_ident(&self.user))
    }
}

/// `REVOKE <privilege> ON <db> FROM <user>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeStatement {
    /// READ, WRITE or ALL.
    pub privilege: Privilege,
    /// Database.
    pub on: String,
    /// User.
    pub user: String,
}

impl fmt::Display for RevokeStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "REVOKE {} ON {} FROM {}",
            self.privilege,
            quote_ident(&self.on),
            quote_ident(&self.user)
        )
    }
}

/// `REVOKE ALL [PRIVILEGES] FROM <user>`: takes admin away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeAdminStatement {
    /// User.
    pub user: String,
}

impl fmt::Display for RevokeAdminStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "REVOKE ALL PRIVILEGES FROM {}", quote_ident(&self.user))
    }
}

/// `SHOW GRANTS FOR <user>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowGrantsForUserStatement {
    /// User.
    pub name: String,
}

impl fmt::Display for ShowGrantsForUserStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SHOW GRANTS FOR {}", quote_ident(&self.name))
    }
}

/// `KILL QUERY <id> [ON <host>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KillQueryStatement {
    /// Query id, as SHOW QUERIES lists it.
    pub query_id: u64,
    /// Host (cluster node), or empty.
    pub host: String,
}

impl fmt::Display for KillQueryStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KILL QUERY {}", self.query_id)?;
        if !self.host.is_empty() {
            write!(f, " ON {}", quote_ident(&self.host))?;
        }
        Ok(())
    }
}

impl Parser<'_> {
    pub(crate) fn parse_create_user(&mut self) -> Result<CreateUserStatement> {
        let name = self.parse_ident()?;
        self.expect_tokens(&[Token::With, Token::Password])?;
        let password = self.parse_string()?;
        let mut admin = false;
        if self.accept(Token::With) {
            self.expect_tokens(&[Token::All, Token::Privileges])?;
            admin = true;
        }
        Ok(CreateUserStatement { name, password, admin })
    }

    pub(crate) fn parse_drop_user(&mut self) -> Result<DropUserStatement> {
        Ok(DropUserStatement {
            name: self.parse_ident()?,
        })
    }

    /// SET PASSWORD FOR, after FOR.
    pub(crate) fn parse_set_password(&mut self) -> Result<SetPasswordUserStatement> {
        let name = self.parse_ident()?;
        let t = self.scan_ws();
        if t.tok != Token::Eq {
            return Err(Self::unexpected(&t, &["="]));
        }
        Ok(SetPasswordUserStatement {
            name,
            password: self.parse_string()?,
        })
    }

    fn parse_privilege(&mut self) -> Result<Privilege> {
        let t = self.scan_ws();
        match t.tok {
            Token::Read => Ok(Privilege::Read),
            Token::Write => Ok(Privilege::Write),
            Token::All => {
                if self.scan_ws().tok != Token::Privileges {
                    self.unscan();
                }
                Ok(Privilege::All)
            }
            _ => Err(Self::unexpected(&t, &["READ", "WRITE", "ALL [PRIVILEGES]"])),
        }
    }

    /// GRANT, after GRANT.
    pub(crate) fn parse_grant(&mut self) -> Result<super::Statement> {
        let privilege = self.parse_privilege()?;
        let t = self.scan_ws();
        if t.tok == Token::On {
            let on = self.parse_ident()?;
            self.expect_tokens(&[Token::To])?;
            let user = self.parse_ident()?;
            return Ok(super::Statement::Grant(GrantStatement { privilege, on, user }));
        } else if t.tok == Token::To {
            if privilege != Privilege::All {
                return Err(Self::unexpected(&t, &["ON"]));
            }
            return Ok(super::Statement::GrantAdmin(GrantAdminStatement {
                user: self.parse_ident()?,
            }));
        }
        if privilege == Privilege::All {
            return Err(Self::unexpected(&t, &["ON", "TO"]));
        }
        Err(Self::unexpected(&t, &["ON"]))
    }

    /// REVOKE, after REVOKE.
    pub(crate) fn parse_revoke(&mut self) -> Result<super::Statement> {
        let privilege = self.parse_privilege()?;
        let t = self.scan_ws();
        if t.tok == Token::On {
            let on = self.parse_ident()?;
            self.expect_tokens(&[Token::From])?;
            let user = self.parse_ident()?;
            return Ok(super::Statement::Revoke(RevokeStatement { privilege, on, user }));
        } else if t.tok == Token::From {
            if privilege != Privilege::All {
                return Err(Self::unexpected(&t, &["ON"]));
            }
            return Ok(super::Statement::RevokeAdmin(RevokeAdminStatement {
                user: self.parse_ident()?,
            }));
        }
        if privilege == Privilege::All {
            return Err(Self::unexpected(&t, &["ON", "FROM"]));
        }
        Err(Self::unexpected(&t, &["ON"]))
    }

    /// SHOW GRANTS FOR, after FOR.
    pub(crate) fn parse_show_grants(&mut self) -> Result<ShowGrantsForUserStatement> {
        Ok(ShowGrantsForUserStatement {
            name: self.parse_ident()?,
        })
    }

    /// KILL QUERY, after QUERY.
    pub(crate) fn parse_kill_query(&mut self) -> Result<KillQueryStatement> {
        let query_id = self.parse_uint64()?;
        let host = if self.accept(Token::On) {
            self.parse_ident()?
        } else {
            String::new()
        };
        Ok(KillQueryStatement { query_id, host })
    }
}
