//! Tokens of InfluxQL: what the scanner returns and how each one is named in error texts.
//!
//! The names are those of Go's `influxql.Token.String()` (1.x, influxql 1.1.0, the version
//! Debian's InfluxDB 1.6.7 is built with): `INTEGER`, `BOUNDPARAM`, `BADREGEX` and
//! `COMMENT` have no name there, so an error that reports them prints an empty string.

use std::fmt;

/// A lexical token. The order of the variants is irrelevant; [`Token::precedence`] and
/// [`Token::is_operator`] carry the grammar's classes.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Token {
    Illegal,
    Eof,
    Ws,
    Comment,
    // Literals.
    Ident,
    BoundParam,
    Number,
    Integer,
    DurationVal,
    String,
    BadString,
    BadEscape,
    True,
    False,
    Regex,
    BadRegex,
    // Operators.
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    BitwiseAnd,
    BitwiseOr,
    BitwiseXor,
    And,
    Or,
    Eq,
    Neq,
    EqRegex,
    NeqRegex,
    Lt,
    Lte,
    Gt,
    Gte,
    // Punctuation.
    LParen,
    RParen,
    Comma,
    Colon,
    DoubleColon,
    Semicolon,
    Dot,
    // Keywords.
    All,
    Alter,
    Analyze,
    Any,
    As,
    Asc,
    Begin,
    By,
    Cardinality,
    Create,
    Continuous,
    Database,
    Databases,
    Default,
    Delete,
    Desc,
    Destinations,
    Diagnostics,
    Distinct,
    Drop,
    Duration,
    End,
    Every,
    Exact,
    Explain,
    Field,
    For,
    From,
    Grant,
    Grants,
    Group,
    Groups,
    In,
    Inf,
    Insert,
    Into,
    Key,
    Keys,
    Kill,
    Limit,
    Measurement,
    Measurements,
    Name,
    Offset,
    On,
    Order,
    Password,
    Policy,
    Policies,
    Privileges,
    Queries,
    Query,
    Read,
    Replication,
    Resample,
    Retention,
    Revoke,
    Select,
    Series,
    Set,
    Show,
    Shard,
    Shards,
    Slimit,
    Soffset,
    Stats,
    Subscription,
    Subscriptions,
    Tag,
    To,
    User,
    Users,
    Values,
    Where,
    With,
    Write,
}

/// Every keyword, in the order of Go's token list (the spelling is the upper-case name).
const KEYWORDS: &[Token] = &[
    Token::All,
    Token::Alter,
    Token::Analyze,
    Token::Any,
    Token::As,
    Token::Asc,
    Token::Begin,
    Token::By,
    Token::Cardinality,
    Token::Create,
    Token::Continuous,
    Token::Database,
    Token::Databases,
    Token::Default,
    Token::Delete,
    Token::Desc,
    Token::Destinations,
    Token::Diagnostics,
    Token::Distinct,
    Token::Drop,
    Token::Duration,
    Token::End,
    Token::Every,
    Token::Exact,
    Token::Explain,
    Token::Field,
    Token::For,
    Token::From,
    Token::Grant,
    Token::Grants,
    Token::Group,
    Token::Groups,
    Token::In,
    Token::Inf,
    Token::Insert,
    Token::Into,
    Token::Key,
    Token::Keys,
    Token::Kill,
    Token::Limit,
    Token::Measurement,
    Token::Measurements,
    Token::Name,
    Token::Offset,
    Token::On,
    Token::Order,
    Token::Password,
    Token::Policy,
    Token::Policies,
    Token::Privileges,
    Token::Queries,
    Token::Query,
    Token::Read,
    Token::Replication,
    Token::Resample,
    Token::Retention,
    Token::Revoke,
    Token::Select,
    Token::Series,
    Token::Set,
    Token::Show,
    Token::Shard,
    Token::Shards,
    Token::Slimit,
    Token::Soffset,
    Token::Stats,
    Token::Subscription,
    Token::Subscriptions,
    Token::Tag,
    Token::To,
    Token::User,
    Token::Users,
    Token::Values,
    Token::Where,
    Token::With,
    Token::Write,
    // Not in Go's keyword range, but looked up as words all the same.
    Token::And,
    Token::Or,
    Token::True,
    Token::False,
];

impl Token {
    /// Go's `Token.String()`: the text error messages print for a token without a literal.
    pub(crate) fn as_str(self) -> &'static str {
        use Token::*;
        match self {
            Illegal => "ILLEGAL",
            Eof => "EOF",
            Ws => "WS",
            Comment | Integer | BoundParam | BadRegex => "",
            Ident => "IDENT",
            Number => "NUMBER",
            DurationVal => "DURATIONVAL",
            String => "STRING",
            BadString => "BADSTRING",
            BadEscape => "BADESCAPE",
            True => "TRUE",
            False => "FALSE",
            Regex => "REGEX",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            BitwiseAnd => "&",
            BitwiseOr => "|",
            BitwiseXor => "^",
            And => "AND",
            Or => "OR",
            Eq => "=",
            Neq => "!=",
            EqRegex => "=~",
            NeqRegex => "!~",
            Lt => "<",
            Lte => "<=",
            Gt => ">",
            Gte => ">=",
            LParen => "(",
            RParen => ")",
            Comma => ",",
            Colon => ":",
            DoubleColon => "::",
            Semicolon => ";",
            Dot => ".",
            All => "ALL",
            Alter => "ALTER",
            Analyze => "ANALYZE",
            Any => "ANY",
            As => "AS",
            Asc => "ASC",
            Begin => "BEGIN",
            By => "BY",
            Cardinality => "CARDINALITY",
            Create => "CREATE",
            Continuous => "CONTINUOUS",
            Database => "DATABASE",
            Databases => "DATABASES",
            Default => "DEFAULT",
            Delete => "DELETE",
            Desc => "DESC",
            Destinations => "DESTINATIONS",
            Diagnostics => "DIAGNOSTICS",
            Distinct => "DISTINCT",
            Drop => "DROP",
            Duration => "DURATION",
            End => "END",
            Every => "EVERY",
            Exact => "EXACT",
            Explain => "EXPLAIN",
            Field => "FIELD",
            For => "FOR",
            From => "FROM",
            Grant => "GRANT",
            Grants => "GRANTS",
            Group => "GROUP",
            Groups => "GROUPS",
            In => "IN",
            Inf => "INF",
            Insert => "INSERT",
            Into => "INTO",
            Key => "KEY",
            Keys => "KEYS",
            Kill => "KILL",
            Limit => "LIMIT",
            Measurement => "MEASUREMENT",
            Measurements => "MEASUREMENTS",
            Name => "NAME",
            Offset => "OFFSET",
            On => "ON",
            Order => "ORDER",
            Password => "PASSWORD",
            Policy => "POLICY",
            Policies => "POLICIES",
            Privileges => "PRIVILEGES",
            Queries => "QUERIES",
            Query => "QUERY",
            Read => "READ",
            Replication => "REPLICATION",
            Resample => "RESAMPLE",
            Retention => "RETENTION",
            Revoke => "REVOKE",
            Select => "SELECT",
            Series => "SERIES",
            Set => "SET",
            Show => "SHOW",
            Shard => "SHARD",
            Shards => "SHARDS",
            Slimit => "SLIMIT",
            Soffset => "SOFFSET",
            Stats => "STATS",
            Subscription => "SUBSCRIPTION",
            Subscriptions => "SUBSCRIPTIONS",
            Tag => "TAG",
            To => "TO",
            User => "USER",
            Users => "USERS",
            Values => "VALUES",
            Where => "WHERE",
            With => "WITH",
            Write => "WRITE",
        }
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The keyword spelled by `ident` (ASCII case-insensitive), or [`Token::Ident`].
pub(crate) fn lookup(ident: &str) -> Token {
    // The longest keyword is SUBSCRIPTIONS (13 letters); anything longer is an identifier.
    if ident.len() > 13 || !ident.is_ascii() {
        return Token::Ident;
    }
    let upper = ident.to_ascii_uppercase();
    KEYWORDS
        .iter()
        .copied()
        .find(|t| t.as_str() == upper)
        .unwrap_or(Token::Ident)
}

/// The text an error message shows for a token: its literal if it has one, else its name.
pub(crate) fn tokstr(tok: Token, lit: &str) -> String {
    if lit.is_empty() {
        tok.as_str().to_string()
    } else {
        lit.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(lookup("select"), Token::Select);
        assert_eq!(lookup("SeLeCt"), Token::Select);
        assert_eq!(lookup("and"), Token::And);
        assert_eq!(lookup("TRUE"), Token::True);
        assert_eq!(lookup("cpu"), Token::Ident);
        assert_eq!(lookup("subscriptions"), Token::Subscriptions);
        assert_eq!(lookup("selectx"), Token::Ident);
    }
}
