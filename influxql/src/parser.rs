//! The recursive-descent parser core: token helpers, expressions and the clauses several
//! statements share. A port of Go's `influxql/parser.go` (influxql 1.1.0, which Debian's
//! InfluxDB 1.6.7 is built with), kept close to the original so that errors, positions and
//! quirks match; each statement's own parser lives beside its AST in [`crate::statement`].

use std::collections::HashMap;

use crate::clause::{Fill, Measurement, SortField, Source};
use crate::duration::parse_duration;
use crate::error::{ParseError, Result};
use crate::expr::{BinaryOp, Call, DataType, Expr, Literal, Regex, VarRef, Wildcard};
use crate::params::BoundValue;
use crate::scanner::{is_whitespace, BufScanner, Scanned, EOF_CH};
use crate::token::{tokstr, Token};
use crate::Pos;

/// Deepest expression tree the parser builds: a chain `a OR b OR c ...` of n terms is n deep,
/// and each parenthesis, call or subquery adds a level. Go has no limit; this one turns a stack
/// overflow (here or in code that walks the tree) into an error.
pub const MAX_EXPR_DEPTH: usize = 2000;

/// Deepest nesting of parentheses, calls and subqueries (each one is a recursion here).
pub const MAX_NESTING: usize = 100;

/// Parser state over one query text.
#[derive(Debug)]
pub(crate) struct Parser<'a> {
    s: BufScanner<'a>,
    params: HashMap<String, BoundValue>,
    /// Current nesting of expressions and subqueries.
    depth: usize,
    /// Upper bound on the depth of the expression last returned by an expression rule.
    expr_depth: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Parser {
            s: BufScanner::new(text),
            params: HashMap::new(),
            depth: 0,
            expr_depth: 0,
        }
    }

    pub(crate) fn with_params(mut self, params: HashMap<String, BoundValue>) -> Self {
        self.params = params;
        self
    }

    // ------------------------------------------------------------------ scanning

    /// Next token, with a bound parameter replaced by its value's token.
    pub(crate) fn scan(&mut self) -> Scanned {
        let t = self.s.scan();
        self.bind(t)
    }

    fn scan_regex(&mut self) -> Scanned {
        let t = self.s.scan_regex();
        self.bind(t)
    }

    fn bind(&self, mut t: Scanned) -> Scanned {
        if t.tok == Token::BoundParam {
            let k = t.lit.strip_prefix('$').unwrap_or(&t.lit);
            if !k.is_empty() {
                if let Some(v) = self.params.get(k) {
                    let (tok, lit) = v.token();
                    t.tok = tok;
                    t.lit = lit;
                }
            }
        }
        t
    }

    /// Next token that is neither whitespace nor a comment.
    pub(crate) fn scan_ws(&mut self) -> Scanned {
        loop {
            let t = self.scan();
            if t.tok != Token::Ws && t.tok != Token::Comment {
                return t;
            }
        }
    }

    pub(crate) fn unscan(&mut self) {
        self.s.unscan();
    }

    fn consume_whitespace(&mut self) {
        if self.scan().tok != Token::Ws {
            self.unscan();
        }
    }

    /// The next raw character, left unread (Go's `peekRune`, which bypasses unscanned tokens).
    pub(crate) fn peek_rune(&mut self) -> char {
        let (ch, _) = self.s.s.r.read();
        if ch != EOF_CH {
            self.s.s.r.unread();
        }
        ch
    }

    /// Scans the next token; true (and consumed) if it is `tok`, else unscanned.
    pub(crate) fn accept(&mut self, tok: Token) -> bool {
        if self.scan_ws().tok == tok {
            true
        } else {
            self.unscan();
            false
        }
    }

    /// Requires the tokens in order (Go's `parseTokens`).
    pub(crate) fn expect_tokens(&mut self, toks: &[Token]) -> Result<()> {
        for &want in toks {
            let t = self.scan_ws();
            if t.tok != want {
                return Err(ParseError::unexpected(tokstr(t.tok, &t.lit), &[want.as_str()], t.pos));
            }
        }
        Ok(())
    }

    /// `found X, expected ...` for the token `t`.
    pub(crate) fn unexpected(t: &Scanned, expected: &[&str]) -> ParseError {
        ParseError::unexpected(tokstr(t.tok, &t.lit), expected, t.pos)
    }

    // ------------------------------------------------------------------ atoms

    pub(crate) fn parse_ident(&mut self) -> Result<String> {
        let t = self.scan_ws();
        if t.tok != Token::Ident {
            return Err(Self::unexpected(&t, &["identifier"]));
        }
        Ok(t.lit)
    }

    pub(crate) fn parse_ident_list(&mut self) -> Result<Vec<String>> {
        let mut idents = vec![self.parse_ident()?];
        while self.accept(Token::Comma) {
            idents.push(self.parse_ident()?);
        }
        Ok(idents)
    }

    pub(crate) fn parse_string(&mut self) -> Result<String> {
        let t = self.scan_ws();
        if t.tok != Token::String {
            return Err(Self::unexpected(&t, &["string"]));
        }
        Ok(t.lit)
    }

    pub(crate) fn parse_string_list(&mut self) -> Result<Vec<String>> {
        let mut out = vec![self.parse_string()?];
        while self.accept(Token::Comma) {
            out.push(self.parse_string()?);
        }
        Ok(out)
    }

    /// An integer in `[min, max]` (Go's `ParseInt`, using `strconv.Atoi`).
    pub(crate) fn parse_int(&mut self, min: i64, max: i64) -> Result<i64> {
        let t = self.scan_ws();
        if t.tok != Token::Integer {
            return Err(Self::unexpected(&t, &["integer"]));
        }
        let n: i64 = t.lit.parse().map_err(|_| {
            ParseError::at(
                format!("strconv.Atoi: parsing {}: value out of range", go_quote(&t.lit)),
                t.pos,
            )
        })?;
        if n < min || n > max {
            return Err(ParseError::at(
                format!("invalid value {n}: must be {min} <= n <= {max}"),
                t.pos,
            ));
        }
        Ok(n)
    }

    pub(crate) fn parse_uint64(&mut self) -> Result<u64> {
        let t = self.scan_ws();
        if t.tok != Token::Integer {
            return Err(Self::unexpected(&t, &["integer"]));
        }
        t.lit.parse().map_err(|_| {
            ParseError::at(
                format!("strconv.ParseUint: parsing {}: value out of range", go_quote(&t.lit)),
                t.pos,
            )
        })
    }

    /// A duration or `INF` (0) after a DURATION keyword.
    pub(crate) fn parse_duration(&mut self) -> Result<i64> {
        let t = self.scan_ws();
        if t.tok != Token::DurationVal && t.tok != Token::Inf {
            return Err(Self::unexpected(&t, &["duration"]));
        }
        if t.tok == Token::Inf {
            return Ok(0);
        }
        parse_duration(&t.lit).map_err(|e| ParseError::at(e, t.pos))
    }

    /// `<token> <integer>` if the token is next (Go's `ParseOptionalTokenAndInt`); 0 if absent.
    /// A value above `i64::MAX` saturates, as Go's ignored `ParseInt` error leaves it.
    pub(crate) fn parse_optional_token_and_int(&mut self, tok: Token) -> Result<u64> {
        if !self.accept(tok) {
            return Ok(0);
        }
        let t = self.scan_ws();
        if t.tok != Token::Integer {
            return Err(Self::unexpected(&t, &["integer"]));
        }
        Ok(t.lit.parse::<i64>().unwrap_or(i64::MAX) as u64)
    }

    /// Identifiers separated by dots: `db.rp.m`, `db..m`, `"rp"."m"`.
    pub(crate) fn parse_segmented_idents(&mut self) -> Result<Vec<String>> {
        let mut idents = vec![self.parse_ident()?];
        loop {
            if self.scan().tok != Token::Dot {
                self.unscan();
                break;
            }
            match self.peek_rune() {
                // A regex or `:MEASUREMENT` follows: the caller handles it.
                '/' | ':' => break,
                '.' => {
                    idents.push(String::new());
                    continue;
                }
                _ => {}
            }
            idents.push(self.parse_ident()?);
        }
        if idents.len() > 3 {
            let segs: Vec<&str> = idents.iter().map(String::as_str).collect();
            return Err(ParseError::at(
                format!("too many segments in {}", crate::quote::quote_ident_segments(&segs)),
                Pos::default(),
            ));
        }
        Ok(idents)
    }

    // ------------------------------------------------------------------ expressions

    /// An expression; operators bind by precedence and associate to the left.
    pub(crate) fn parse_expr(&mut self) -> Result<Expr> {
        self.depth += 1;
        let r = self.parse_expr_inner();
        self.depth -= 1;
        r
    }

    fn too_deep(pos: Pos) -> ParseError {
        ParseError::at(
            format!(
                "expression nested too deeply (limits: {MAX_NESTING} levels of parentheses, depth {MAX_EXPR_DEPTH})"
            ),
            pos,
        )
    }

    fn parse_expr_inner(&mut self) -> Result<Expr> {
        if self.depth > MAX_NESTING {
            let first = self.scan_ws();
            return Err(Self::too_deep(first.pos));
        }
        let mut root = self.parse_unary_expr()?;
        // Upper bound on the depth of `root`. Attaching `op rhs` k levels down the right spine
        // (k <= operators so far) makes the tree at most max(bound + 1, k + 1 + depth(rhs)) deep.
        let mut bound = self.expr_depth;
        let mut ops = 0usize;
        loop {
            let opt = self.scan_ws();
            let Some(op) = BinaryOp::from_token(opt.tok) else {
                self.unscan();
                self.expr_depth = bound;
                return Ok(root);
            };
            let rhs = if matches!(op, BinaryOp::EqRegex | BinaryOp::NeqRegex) {
                match self.parse_regex()? {
                    Some(re) => {
                        self.expr_depth = 1;
                        Expr::Literal(Literal::Regex(re))
                    }
                    None => {
                        let t = self.scan_ws();
                        return Err(Self::unexpected(&t, &["regex"]));
                    }
                }
            } else {
                self.parse_unary_expr()?
            };
            bound = (bound + 1).max(ops + 1 + self.expr_depth);
            ops += 1;
            if bound > MAX_EXPR_DEPTH {
                return Err(Self::too_deep(opt.pos));
            }
            insert_binary(&mut root, op, rhs);
        }
    }

    /// An operand; sets `expr_depth` to a bound on its depth.
    fn parse_unary_expr(&mut self) -> Result<Expr> {
        self.expr_depth = 1;
        let e = self.parse_unary_expr_inner()?;
        if self.expr_depth > MAX_EXPR_DEPTH {
            return Err(Self::too_deep(self.s.curr().pos));
        }
        Ok(e)
    }

    fn parse_unary_expr_inner(&mut self) -> Result<Expr> {
        if self.scan_ws().tok == Token::LParen {
            let expr = self.parse_expr()?;
            self.expr_depth += 1;
            let t = self.scan_ws();
            if t.tok != Token::RParen {
                return Err(Self::unexpected(&t, &[")"]));
            }
            return Ok(Expr::Paren(Box::new(expr)));
        }
        self.unscan();

        let t = self.scan_ws();
        match t.tok {
            Token::Ident => {
                if self.scan().tok == Token::LParen {
                    return self.parse_call(&t.lit).map(Expr::Call);
                }
                self.unscan();
                self.unscan();
                self.parse_var_ref().map(Expr::VarRef)
            }
            Token::Distinct => {
                let t0 = self.scan();
                if t0.tok == Token::LParen {
                    return self.parse_call("distinct").map(Expr::Call);
                } else if t0.tok == Token::Ws {
                    let t1 = self.scan_ws();
                    if t1.tok != Token::Ident {
                        return Err(Self::unexpected(&t1, &["identifier"]));
                    }
                    return Ok(Expr::Distinct(t1.lit));
                }
                Err(Self::unexpected(&t0, &["(", "identifier"]))
            }
            Token::String => Ok(Expr::Literal(Literal::String(t.lit))),
            Token::Number => match t.lit.parse::<f64>() {
                Ok(v) => Ok(Expr::Literal(Literal::Number(v))),
                Err(_) => Err(ParseError::at("unable to parse number", t.pos)),
            },
            Token::Integer => match t.lit.parse::<i64>() {
                Ok(v) => Ok(Expr::Literal(Literal::Integer(v))),
                Err(_) => match t.lit.parse::<u64>() {
                    Ok(v) => Ok(Expr::Literal(Literal::Unsigned(v))),
                    Err(_) => Err(ParseError::at("unable to parse integer", t.pos)),
                },
            },
            Token::True | Token::False => Ok(Expr::Literal(Literal::Boolean(t.tok == Token::True))),
            Token::DurationVal => parse_duration(&t.lit)
                .map(|d| Expr::Literal(Literal::Duration(d)))
                .map_err(ParseError::msg),
            Token::Mul => {
                if self.scan().tok == Token::DoubleColon {
                    let t1 = self.scan();
                    return match t1.tok {
                        Token::Field => Ok(Expr::Wildcard(Wildcard::Fields)),
                        Token::Tag => Ok(Expr::Wildcard(Wildcard::Tags)),
                        _ => Err(Self::unexpected(&t1, &["field", "tag"])),
                    };
                }
                self.unscan();
                Ok(Expr::Wildcard(Wildcard::All))
            }
            Token::Regex => Regex::new(&t.lit)
                .map(|re| Expr::Literal(Literal::Regex(re)))
                .map_err(|e| ParseError::at(e, t.pos)),
            Token::BoundParam => {
                // An error value scans as a bound parameter whose literal is the message, so
                // Go looks the message up as a name and reports it missing.
                let k = t.lit.strip_prefix('$').unwrap_or(&t.lit);
                if k.is_empty() {
                    return Err(ParseError::msg("empty bound parameter"));
                }
                match self.params.get(k) {
                    None => Err(ParseError::msg(format!("missing parameter: {k}"))),
                    // Only an error value is left unsubstituted.
                    Some(v) => Err(ParseError::msg(v.token().1)),
                }
            }
            Token::Add | Token::Sub => {
                let neg = t.tok == Token::Sub;
                let t0 = self.scan_ws();
                match t0.tok {
                    Token::Number | Token::Integer | Token::DurationVal | Token::LParen | Token::Ident => {
                        self.unscan();
                        let e = self.parse_unary_expr()?;
                        self.expr_depth += 1;
                        Ok(match e {
                            Expr::Literal(Literal::Number(v)) => {
                                Expr::Literal(Literal::Number(if neg { -v } else { v }))
                            }
                            Expr::Literal(Literal::Integer(v)) => {
                                Expr::Literal(Literal::Integer(if neg { v.wrapping_neg() } else { v }))
                            }
                            Expr::Literal(Literal::Unsigned(v)) if neg => {
                                // -9223372036854775808 only fits once negated.
                                if v == 1 << 63 {
                                    Expr::Literal(Literal::Integer(i64::MIN))
                                } else {
                                    return Err(ParseError::msg(format!("constant -{v} underflows int64")));
                                }
                            }
                            Expr::Literal(Literal::Duration(v)) => {
                                Expr::Literal(Literal::Duration(if neg { v.wrapping_neg() } else { v }))
                            }
                            e @ (Expr::VarRef(_) | Expr::Call(_) | Expr::Paren(_)) => Expr::binary(
                                BinaryOp::Mul,
                                Expr::Literal(Literal::Integer(if neg { -1 } else { 1 })),
                                e,
                            ),
                            e => e,
                        })
                    }
                    _ => Err(Self::unexpected(&t0, &["identifier", "number", "duration", "("])),
                }
            }
            _ => Err(Self::unexpected(&t, &["identifier", "string", "number", "bool"])),
        }
    }

    /// `/regex/` if one is next (after optional whitespace), else `None`.
    pub(crate) fn parse_regex(&mut self) -> Result<Option<Regex>> {
        if is_whitespace(self.peek_rune()) {
            self.consume_whitespace();
        }
        let next = self.peek_rune();
        if next == '$' {
            // A bound parameter may be a regex.
            let t = self.scan();
            self.unscan();
            if t.tok != Token::Regex {
                return Ok(None);
            }
        } else if next != '/' {
            return Ok(None);
        }
        let t = self.scan_regex();
        match t.tok {
            Token::BadEscape => Err(ParseError::at(format!("bad escape: {}", t.lit), t.pos)),
            Token::BadRegex => Err(ParseError::at(format!("bad regex: {}", t.lit), t.pos)),
            Token::Regex => Regex::new(&t.lit).map(Some).map_err(|e| ParseError::at(e, t.pos)),
            _ => Err(Self::unexpected(&t, &["regex"])),
        }
    }

    /// A call's arguments; the name and `(` have been read.
    fn parse_call(&mut self, name: &str) -> Result<Call> {
        let name = name.to_lowercase();
        let mut args = vec![];
        let mut deepest = 0;
        if let Some(re) = self.parse_regex()? {
            args.push(Expr::Literal(Literal::Regex(re)));
        } else {
            if self.scan().tok == Token::RParen {
                self.expr_depth = 1;
                return Ok(Call { name, args });
            }
            self.unscan();
            args.push(self.parse_expr()?);
            deepest = self.expr_depth;
        }
        while self.accept(Token::Comma) {
            if let Some(re) = self.parse_regex()? {
                args.push(Expr::Literal(Literal::Regex(re)));
                continue;
            }
            args.push(self.parse_expr()?);
            deepest = deepest.max(self.expr_depth);
        }
        let t = self.scan();
        if t.tok != Token::RParen {
            return Err(Self::unexpected(&t, &[")"]));
        }
        self.expr_depth = deepest + 1;
        Ok(Call { name, args })
    }

    fn parse_var_ref(&mut self) -> Result<VarRef> {
        let segments = self.parse_segmented_idents()?;
        let mut data_type = None;
        if self.scan().tok == Token::DoubleColon {
            let t = self.scan();
            data_type = Some(match t.tok {
                Token::Ident => match t.lit.to_lowercase().as_str() {
                    "float" => DataType::Float,
                    "integer" => DataType::Integer,
                    "unsigned" => DataType::Unsigned,
                    "string" => DataType::String,
                    "boolean" => DataType::Boolean,
                    _ => {
                        return Err(Self::unexpected(
                            &t,
                            &["float", "integer", "unsigned", "string", "boolean", "field", "tag"],
                        ))
                    }
                },
                Token::Field => DataType::AnyField,
                Token::Tag => DataType::Tag,
                _ => {
                    return Err(Self::unexpected(
                        &t,
                        &["float", "integer", "string", "boolean", "field", "tag"],
                    ))
                }
            });
        } else {
            self.unscan();
        }
        Ok(VarRef {
            name: segments.join("."),
            data_type,
        })
    }

    // ------------------------------------------------------------------ shared clauses

    /// `WHERE <expr>` if present.
    pub(crate) fn parse_condition(&mut self) -> Result<Option<Expr>> {
        if !self.accept(Token::Where) {
            return Ok(None);
        }
        self.parse_expr().map(Some)
    }

    /// `GROUP BY <dimension>, ...` if present.
    pub(crate) fn parse_dimensions(&mut self) -> Result<Vec<Expr>> {
        if !self.accept(Token::Group) {
            return Ok(vec![]);
        }
        let t = self.scan_ws();
        if t.tok != Token::By {
            return Err(Self::unexpected(&t, &["BY"]));
        }
        let mut dims = vec![];
        loop {
            match self.parse_regex()? {
                Some(re) => dims.push(Expr::Literal(Literal::Regex(re))),
                None => {
                    dims.push(self.parse_expr()?);
                    self.consume_whitespace();
                }
            }
            if self.scan().tok != Token::Comma {
                self.unscan();
                break;
            }
        }
        Ok(dims)
    }

    /// `fill(...)` if present.
    pub(crate) fn parse_fill(&mut self) -> Result<Fill> {
        let t = self.scan_ws();
        self.unscan();
        if t.tok != Token::Ident || !t.lit.eq_ignore_ascii_case("fill") {
            return Ok(Fill::Null);
        }
        let Expr::Call(call) = self.parse_expr()? else {
            return Err(ParseError::msg("fill must be a function call"));
        };
        if call.args.len() != 1 {
            return Err(ParseError::msg(
                "fill requires an argument, e.g.: 0, null, none, previous, linear",
            ));
        }
        // Go compares the argument's printed form, so `fill("none")` is `fill(none)`.
        Ok(match call.args[0].to_string().as_str() {
            "null" => Fill::Null,
            "none" => Fill::None,
            "previous" => Fill::Previous,
            "linear" => Fill::Linear,
            _ => match call.args[0] {
                Expr::Literal(Literal::Integer(v)) => Fill::Integer(v),
                Expr::Literal(Literal::Number(v)) => Fill::Number(v),
                _ => return Err(ParseError::msg("expected number argument in fill()")),
            },
        })
    }

    /// `tz('<zone>')` if present.
    pub(crate) fn parse_location(&mut self) -> Result<Option<String>> {
        let t = self.scan_ws();
        self.unscan();
        if t.tok != Token::Ident || !t.lit.eq_ignore_ascii_case("tz") {
            return Ok(None);
        }
        let Expr::Call(call) = self.parse_expr()? else {
            return Err(ParseError::msg("tz must be a function call"));
        };
        if call.args.len() != 1 {
            return Err(ParseError::msg("tz requires exactly one argument"));
        }
        let Expr::Literal(Literal::String(name)) = &call.args[0] else {
            return Err(ParseError::msg("expected string argument in tz()"));
        };
        crate::time::load_location(name)
            .map(Some)
            .map_err(|_| ParseError::msg(format!("unable to find time zone {name}")))
    }

    /// `ORDER BY ...` if present.
    pub(crate) fn parse_order_by(&mut self) -> Result<Vec<SortField>> {
        if !self.accept(Token::Order) {
            return Ok(vec![]);
        }
        let t = self.scan_ws();
        if t.tok != Token::By {
            return Err(Self::unexpected(&t, &["BY"]));
        }
        let mut fields = vec![];
        let t = self.scan_ws();
        match t.tok {
            Token::Asc | Token::Desc => fields.push(SortField {
                name: String::new(),
                ascending: t.tok == Token::Asc,
            }),
            Token::Ident => {
                self.unscan();
                let field = self.parse_sort_field()?;
                if t.lit != "time" {
                    return Err(ParseError::msg("only ORDER BY time supported at this time"));
                }
                fields.push(field);
            }
            _ => return Err(Self::unexpected(&t, &["identifier", "ASC", "DESC"])),
        }
        while self.accept(Token::Comma) {
            fields.push(self.parse_sort_field()?);
        }
        if fields.len() > 1 {
            return Err(ParseError::msg("only ORDER BY time supported at this time"));
        }
        Ok(fields)
    }

    fn parse_sort_field(&mut self) -> Result<SortField> {
        let name = self.parse_ident()?;
        let t = self.scan_ws();
        let ascending = match t.tok {
            Token::Desc => false,
            Token::Asc => true,
            _ => {
                self.unscan();
                true
            }
        };
        Ok(SortField { name, ascending })
    }

    /// Comma-separated sources; subqueries only where a SELECT allows them.
    pub(crate) fn parse_sources(&mut self, subqueries: bool) -> Result<Vec<Source>> {
        let mut sources = vec![self.parse_source(subqueries)?];
        while self.accept(Token::Comma) {
            sources.push(self.parse_source(subqueries)?);
        }
        Ok(sources)
    }

    pub(crate) fn parse_source(&mut self, subqueries: bool) -> Result<Source> {
        let mut m = Measurement::default();
        if let Some(re) = self.parse_regex()? {
            m.regex = Some(re);
            return Ok(Source::Measurement(m));
        }
        if subqueries {
            if self.scan_ws().tok == Token::LParen {
                self.expect_tokens(&[Token::Select])?;
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return Err(Self::too_deep(self.s.curr().pos));
                }
                let stmt = self.parse_select_statement(crate::statement::TargetRequirement::Subquery);
                self.depth -= 1;
                let stmt = stmt?;
                self.expect_tokens(&[Token::RParen])?;
                return Ok(Source::Subquery(Box::new(stmt)));
            }
            self.unscan();
        }
        let mut idents = self.parse_segmented_idents()?;
        if idents.len() == 3 {
            m.name = idents.pop().unwrap_or_default();
            m.retention_policy = idents.pop().unwrap_or_default();
            m.database = idents.pop().unwrap_or_default();
            return Ok(Source::Measurement(m));
        }
        let re = self.parse_regex()?;
        let has_re = re.is_some();
        m.regex = re;
        match (idents.len(), has_re) {
            (1, true) => m.retention_policy = idents.remove(0),
            (1, false) => m.name = idents.remove(0),
            (2, true) => {
                m.retention_policy = idents.remove(1);
                m.database = idents.remove(0);
            }
            (2, false) => {
                m.name = idents.remove(1);
                m.retention_policy = idents.remove(0);
            }
            _ => {}
        }
        Ok(Source::Measurement(m))
    }
}

/// Adds `op rhs` to the tree Go's way: walk down the right spine past operators that bind
/// less tightly, and attach there, so equal precedence associates to the left.
fn insert_binary(root: &mut Expr, op: BinaryOp, rhs: Expr) {
    let mut node = root;
    while matches!(node, Expr::Binary(b) if b.op.precedence() < op.precedence()) {
        let Expr::Binary(b) = node else {
            unreachable!("BUG: checked to be a binary expression")
        };
        node = &mut b.rhs;
    }
    let lhs = std::mem::replace(node, Expr::Literal(Literal::Boolean(false)));
    *node = Expr::binary(op, lhs, rhs);
}

/// Go's `%q` for an ASCII digit string (what `strconv` errors quote).
fn go_quote(s: &str) -> String {
    format!("\"{s}\"")
}
