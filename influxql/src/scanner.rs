//! Scanner: characters to tokens, ported rule for rule from Go's `influxql/scanner.go`.
//!
//! The parser depends on the scanner's exact buffering (three characters and three tokens can
//! be pushed back, and the parser peeks at raw characters to decide whether a `/` starts a
//! regex), so this keeps Go's structure: a [`Reader`] of characters with positions, a
//! [`Scanner`] of tokens, and a [`BufScanner`] that can unscan tokens. Quirks kept on purpose
//! are commented where they happen. NUL is Go's end-of-input sentinel and acts as one here.

use crate::token::{lookup, Token};
use crate::Pos;

/// Go's `eof` rune: returned at the end of input (and for a NUL character).
pub(crate) const EOF_CH: char = '\0';

pub(crate) fn is_whitespace(ch: char) -> bool {
    ch == ' ' || ch == '\t' || ch == '\n'
}

pub(crate) fn is_letter(ch: char) -> bool {
    ch.is_ascii_alphabetic()
}

pub(crate) fn is_digit(ch: char) -> bool {
    ch.is_ascii_digit()
}

pub(crate) fn is_ident_char(ch: char) -> bool {
    is_letter(ch) || is_digit(ch) || ch == '_'
}

pub(crate) fn is_ident_first_char(ch: char) -> bool {
    is_letter(ch) || ch == '_'
}

/// Characters with their positions; the last three can be unread.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    src: std::str::Chars<'a>,
    /// Position of the next character read from `src`.
    pos: Pos,
    buf: [(char, Pos); 3],
    /// Index in `buf` of the most recently read character.
    i: usize,
    /// How many characters have been unread.
    n: usize,
    /// Set once the end has been read, so that the end is counted once.
    eof: bool,
}

impl<'a> Reader<'a> {
    fn new(s: &'a str) -> Self {
        Reader {
            src: s.chars(),
            pos: Pos { line: 0, char: 0 },
            buf: [(EOF_CH, Pos { line: 0, char: 0 }); 3],
            i: 0,
            n: 0,
            eof: false,
        }
    }

    pub(crate) fn read(&mut self) -> (char, Pos) {
        if self.n > 0 {
            self.n -= 1;
            return self.curr();
        }
        let mut ch = self.src.next().unwrap_or(EOF_CH);
        if ch == '\r' {
            // "\r\n" and a lone "\r" both read as "\n".
            let mut peek = self.src.clone();
            if peek.next() == Some('\n') {
                self.src = peek;
            }
            ch = '\n';
        }
        self.i = (self.i + 1) % 3;
        self.buf[self.i] = (ch, self.pos);
        if ch == '\n' {
            self.pos.line += 1;
            self.pos.char = 0;
        } else if !self.eof {
            self.pos.char += 1;
        }
        if ch == EOF_CH {
            self.eof = true;
        }
        self.curr()
    }

    pub(crate) fn unread(&mut self) {
        self.n += 1;
    }

    pub(crate) fn curr(&self) -> (char, Pos) {
        self.buf[(self.i + 3 - self.n) % 3]
    }

    /// Go's `reader.ReadRune`: like [`Reader::read`], with the end reported as `None`.
    fn read_rune(&mut self) -> Option<char> {
        match self.read().0 {
            EOF_CH => None,
            ch => Some(ch),
        }
    }
}

/// Result of scanning one token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scanned {
    pub(crate) tok: Token,
    pub(crate) pos: Pos,
    pub(crate) lit: String,
}

fn scanned(tok: Token, pos: Pos, lit: impl Into<String>) -> Scanned {
    Scanned {
        tok,
        pos,
        lit: lit.into(),
    }
}

/// The lexical scanner.
#[derive(Debug)]
pub(crate) struct Scanner<'a> {
    pub(crate) r: Reader<'a>,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        Scanner { r: Reader::new(s) }
    }

    pub(crate) fn scan(&mut self) -> Scanned {
        let (ch0, pos) = self.r.read();
        if is_whitespace(ch0) {
            return self.scan_whitespace();
        } else if is_letter(ch0) || ch0 == '_' {
            self.r.unread();
            return self.scan_ident(true);
        } else if is_digit(ch0) {
            return self.scan_number();
        }
        let tok = match ch0 {
            EOF_CH => Token::Eof,
            '"' => {
                self.r.unread();
                return self.scan_ident(true);
            }
            '\'' => return self.scan_string(),
            '.' => {
                let (ch1, _) = self.r.read();
                self.r.unread();
                if is_digit(ch1) {
                    return self.scan_number();
                }
                Token::Dot
            }
            '$' => {
                let s = self.scan_ident(false);
                if s.tok != Token::Ident {
                    return scanned(s.tok, pos, format!("${}", s.lit));
                }
                return scanned(Token::BoundParam, pos, format!("${}", s.lit));
            }
            '+' => Token::Add,
            '-' => {
                let (ch1, _) = self.r.read();
                if ch1 == '-' {
                    self.skip_until_newline();
                    return scanned(Token::Comment, pos, "");
                }
                self.r.unread();
                Token::Sub
            }
            '*' => Token::Mul,
            '/' => {
                let (ch1, _) = self.r.read();
                if ch1 == '*' {
                    if !self.skip_until_end_comment() {
                        return scanned(Token::Illegal, pos, "");
                    }
                    return scanned(Token::Comment, pos, "");
                }
                self.r.unread();
                Token::Div
            }
            '%' => Token::Mod,
            '&' => Token::BitwiseAnd,
            '|' => Token::BitwiseOr,
            '^' => Token::BitwiseXor,
            '=' => {
                if self.r.read().0 == '~' {
                    return scanned(Token::EqRegex, pos, "");
                }
                self.r.unread();
                Token::Eq
            }
            '!' => {
                let (ch1, _) = self.r.read();
                if ch1 == '=' {
                    return scanned(Token::Neq, pos, "");
                } else if ch1 == '~' {
                    return scanned(Token::NeqRegex, pos, "");
                }
                self.r.unread();
                return scanned(Token::Illegal, pos, "!");
            }
            '>' => {
                if self.r.read().0 == '=' {
                    return scanned(Token::Gte, pos, "");
                }
                self.r.unread();
                Token::Gt
            }
            '<' => {
                let (ch1, _) = self.r.read();
                if ch1 == '=' {
                    return scanned(Token::Lte, pos, "");
                } else if ch1 == '>' {
                    return scanned(Token::Neq, pos, "");
                }
                self.r.unread();
                Token::Lt
            }
            '(' => Token::LParen,
            ')' => Token::RParen,
            ',' => Token::Comma,
            ';' => Token::Semicolon,
            ':' => {
                if self.r.read().0 == ':' {
                    return scanned(Token::DoubleColon, pos, "");
                }
                self.r.unread();
                Token::Colon
            }
            _ => return scanned(Token::Illegal, pos, ch0.to_string()),
        };
        scanned(tok, pos, "")
    }

    fn scan_whitespace(&mut self) -> Scanned {
        let (ch, pos) = self.r.curr();
        let mut buf = String::new();
        buf.push(ch);
        loop {
            let (ch, _) = self.r.read();
            if ch == EOF_CH {
                break;
            } else if !is_whitespace(ch) {
                self.r.unread();
                break;
            }
            buf.push(ch);
        }
        scanned(Token::Ws, pos, buf)
    }

    fn skip_until_newline(&mut self) {
        loop {
            let (ch, _) = self.r.read();
            if ch == '\n' || ch == EOF_CH {
                return;
            }
        }
    }

    /// Skips to the end of a `/* */` comment; false if the input ends first.
    fn skip_until_end_comment(&mut self) -> bool {
        loop {
            let (ch1, _) = self.r.read();
            if ch1 == '*' {
                loop {
                    let (ch2, _) = self.r.read();
                    if ch2 == '/' {
                        return true;
                    } else if ch2 == '*' {
                        continue;
                    } else if ch2 == EOF_CH {
                        return false;
                    }
                    break;
                }
            } else if ch1 == EOF_CH {
                return false;
            }
        }
    }

    fn scan_ident(&mut self, lookup_keyword: bool) -> Scanned {
        let (_, pos) = self.r.read();
        self.r.unread();
        let mut buf = String::new();
        loop {
            let (ch, _) = self.r.read();
            if ch == EOF_CH {
                break;
            } else if ch == '"' {
                // Go returns the quoted part alone: `ab"cd"` scans as the identifier `cd`.
                let s = self.scan_string();
                if s.tok == Token::BadString || s.tok == Token::BadEscape {
                    return s;
                }
                return scanned(Token::Ident, pos, s.lit);
            } else if is_ident_char(ch) {
                self.r.unread();
                self.scan_bare_ident(&mut buf);
            } else {
                self.r.unread();
                break;
            }
        }
        if lookup_keyword {
            let tok = lookup(&buf);
            if tok != Token::Ident {
                return scanned(tok, pos, "");
            }
        }
        scanned(Token::Ident, pos, buf)
    }

    fn scan_bare_ident(&mut self, buf: &mut String) {
        while let Some(ch) = self.r.read_rune() {
            if !is_ident_char(ch) {
                self.r.unread();
                break;
            }
            buf.push(ch);
        }
    }

    /// Scans a string quoted by the character just read (`'` or `"`).
    fn scan_string(&mut self) -> Scanned {
        self.r.unread();
        let (_, pos) = self.r.curr();
        let ending = self.r.read_rune();
        let mut buf = String::new();
        loop {
            let ch0 = self.r.read_rune();
            if ch0 == ending {
                return scanned(Token::String, pos, buf);
            }
            match ch0 {
                None | Some('\n') => return scanned(Token::BadString, pos, buf),
                Some('\\') => {
                    let ch1 = self.r.read_rune();
                    match ch1 {
                        Some('n') => buf.push('\n'),
                        Some('\\') => buf.push('\\'),
                        Some('"') => buf.push('"'),
                        Some('\'') => buf.push('\''),
                        _ => {
                            let (_, pos) = self.r.curr();
                            return scanned(Token::BadEscape, pos, format!("\\{}", ch1.unwrap_or(EOF_CH)));
                        }
                    }
                }
                Some(ch) => buf.push(ch),
            }
        }
    }

    /// Scans a `/regex/` whose opening slash is the next character.
    pub(crate) fn scan_regex(&mut self) -> Scanned {
        let (_, pos) = self.r.curr();
        // ScanDelimited with escapes {'/': '/'} passed through: `\/` is `/`, `\x` stays `\x`.
        if self.r.read_rune() != Some('/') {
            return scanned(Token::BadRegex, pos, "");
        }
        let mut buf = String::new();
        loop {
            match self.r.read_rune() {
                Some('/') => return scanned(Token::Regex, pos, buf),
                None | Some('\n') => return scanned(Token::BadRegex, pos, ""),
                Some('\\') => match self.r.read_rune() {
                    None => return scanned(Token::BadRegex, pos, ""),
                    Some('/') => buf.push('/'),
                    Some(_) => {
                        self.r.unread();
                        buf.push('\\');
                    }
                },
                Some(ch) => buf.push(ch),
            }
        }
    }

    fn scan_number(&mut self) -> Scanned {
        let mut buf = String::new();
        let (ch, pos) = self.r.curr();
        if ch == '.' {
            let (ch1, _) = self.r.read();
            self.r.unread();
            if !is_digit(ch1) {
                return scanned(Token::Illegal, pos, ".");
            }
            self.r.unread();
        } else {
            self.r.unread();
        }
        self.scan_digits(&mut buf);
        let mut is_decimal = false;
        let (ch0, _) = self.r.read();
        if ch0 == '.' {
            // A dot is taken even without digits after it: `1.` scans as the number 1.
            is_decimal = true;
            let (ch1, _) = self.r.read();
            if is_digit(ch1) {
                buf.push(ch0);
                buf.push(ch1);
                self.scan_digits(&mut buf);
            } else {
                self.r.unread();
            }
        } else {
            self.r.unread();
        }
        if is_decimal {
            return scanned(Token::Number, pos, buf);
        }
        let (ch0, _) = self.r.read();
        if is_letter(ch0) || ch0 == 'µ' {
            buf.push(ch0);
            loop {
                let (ch1, _) = self.r.read();
                if !is_letter(ch1) && ch1 != 'µ' {
                    self.r.unread();
                    break;
                }
                buf.push(ch1);
            }
            loop {
                let (ch1, _) = self.r.read();
                if is_letter(ch1) || ch1 == 'µ' || is_digit(ch1) {
                    buf.push(ch1);
                } else {
                    self.r.unread();
                    break;
                }
            }
            return scanned(Token::DurationVal, pos, buf);
        }
        self.r.unread();
        scanned(Token::Integer, pos, buf)
    }

    fn scan_digits(&mut self, buf: &mut String) {
        loop {
            let (ch, _) = self.r.read();
            if !is_digit(ch) {
                self.r.unread();
                break;
            }
            buf.push(ch);
        }
    }
}

/// A scanner whose last three tokens can be unscanned.
#[derive(Debug)]
pub(crate) struct BufScanner<'a> {
    pub(crate) s: Scanner<'a>,
    i: usize,
    n: usize,
    buf: [Scanned; 3],
}

impl<'a> BufScanner<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        let empty = || scanned(Token::Eof, Pos { line: 0, char: 0 }, "");
        BufScanner {
            s: Scanner::new(s),
            i: 0,
            n: 0,
            buf: [empty(), empty(), empty()],
        }
    }

    pub(crate) fn scan(&mut self) -> Scanned {
        self.scan_with(false)
    }

    pub(crate) fn scan_regex(&mut self) -> Scanned {
        self.scan_with(true)
    }

    fn scan_with(&mut self, regex: bool) -> Scanned {
        if self.n > 0 {
            self.n -= 1;
            return self.curr();
        }
        self.i = (self.i + 1) % 3;
        self.buf[self.i] = if regex { self.s.scan_regex() } else { self.s.scan() };
        self.curr()
    }

    pub(crate) fn unscan(&mut self) {
        self.n += 1;
    }

    pub(crate) fn curr(&self) -> Scanned {
        self.buf[(self.i + 3 - self.n) % 3].clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<(Token, String)> {
        let mut sc = Scanner::new(s);
        let mut out = vec![];
        loop {
            let t = sc.scan();
            if t.tok == Token::Eof {
                return out;
            }
            out.push((t.tok, t.lit));
        }
    }

    #[test]
    fn scan_table() {
        let f = |input: &str, want: Token, lit: &str| {
            let got = Scanner::new(input).scan();
            assert_eq!((got.tok, got.lit.as_str()), (want, lit), "{input:?}");
        };
        f("", Token::Eof, "");
        f(" \n\t", Token::Ws, " \n\t");
        f("foo", Token::Ident, "foo");
        f("_x9", Token::Ident, "_x9");
        f("\"a b\"", Token::Ident, "a b");
        f("\"a\\\"b\"", Token::Ident, "a\"b");
        f("ab\"cd\"", Token::Ident, "cd");
        f("\"abc", Token::BadString, "abc");
        f("'a\\qb'", Token::BadEscape, "\\q");
        f("'it\\'s'", Token::String, "it's");
        f("'a\\nb'", Token::String, "a\nb");
        f("SELECT", Token::Select, "");
        f("select", Token::Select, "");
        f("true", Token::True, "");
        f("100", Token::Integer, "100");
        f("100.5", Token::Number, "100.5");
        f(".5", Token::Number, ".5");
        f("1.", Token::Number, "1");
        f("10s", Token::DurationVal, "10s");
        f("1h30m", Token::DurationVal, "1h30m");
        f("5µs", Token::DurationVal, "5µs");
        f("1e5", Token::DurationVal, "1e5");
        f("$host", Token::BoundParam, "$host");
        f("$", Token::BoundParam, "$");
        f("$\"a b\"", Token::BoundParam, "$a b");
        f("=~", Token::EqRegex, "");
        f("!~", Token::NeqRegex, "");
        f("!", Token::Illegal, "!");
        f("<>", Token::Neq, "");
        f("::", Token::DoubleColon, "");
        f("-- c\n", Token::Comment, "");
        f("/* c */", Token::Comment, "");
        f("/* c", Token::Illegal, "");
        f("#", Token::Illegal, "#");
        f(".", Token::Dot, "");
    }

    #[test]
    fn positions_count_characters_and_lines() {
        let mut sc = Scanner::new("a\r\nµ b");
        let t: Vec<Pos> = (0..5).map(|_| sc.scan().pos).collect();
        assert_eq!(t[0], Pos { line: 0, char: 0 });
        assert_eq!(t[1], Pos { line: 0, char: 1 }); // the newline
        assert_eq!(t[2], Pos { line: 1, char: 0 }); // µ is ILLEGAL
        assert_eq!(t[4], Pos { line: 1, char: 2 });
    }

    #[test]
    fn sequence() {
        assert_eq!(
            tokens("a.b"),
            vec![
                (Token::Ident, "a".into()),
                (Token::Dot, "".into()),
                (Token::Ident, "b".into())
            ]
        );
    }

    #[test]
    fn regex() {
        let mut sc = Scanner::new("/a\\/b\\d/ x");
        let t = sc.scan_regex();
        assert_eq!((t.tok, t.lit.as_str()), (Token::Regex, "a/b\\d"));
        let mut sc = Scanner::new("/abc");
        assert_eq!(sc.scan_regex().tok, Token::BadRegex);
    }
}
