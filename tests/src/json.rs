//! json: a JSON reader that keeps what `serde_json::Value` loses and a differential comparison
//! needs: the order of object keys and the exact text of every number (so that `2`, `2.0` and
//! `2e0` stay distinct, and integers beyond 2^53 stay exact). [`differences`] compares two
//! documents structurally, with floats allowed to differ by a relative tolerance and everything
//! else exact, and names each difference by its path (`results[0].series[1].values[3][1]`).
//!
//! Number rule: two integer-shaped numbers (no `.`, `e`, `E`) must be the same integer. As soon
//! as one side has a fraction or an exponent, both are compared as floats within the tolerance,
//! except that a whole value written in float shape against an integer (`2.0` against `2`) is a
//! difference: Go's encoder, which InfluxDB uses, never writes a whole float with a fraction,
//! so that is a formatting error, not rounding.

use std::fmt;

/// One JSON value. Numbers keep their text; objects keep their key order (and duplicates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, exactly as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: keys in the order written.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Applies `f` to this value and then, depth first, to every value inside it.
    pub fn visit_mut(&mut self, f: &mut impl FnMut(&mut Json)) {
        f(self);
        match self {
            Json::Array(a) => a.iter_mut().for_each(|v| v.visit_mut(f)),
            Json::Object(m) => m.iter_mut().for_each(|(_, v)| v.visit_mut(f)),
            _ => {}
        }
    }
}

impl fmt::Display for Json {
    /// Compact JSON (numbers as they were written).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Number(n) => f.write_str(n),
            Json::String(s) => write_string(f, s),
            Json::Array(a) => {
                f.write_str("[")?;
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Json::Object(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_string(f, k)?;
                    write!(f, ":{v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

/// Parses one JSON document (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Json, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("trailing characters after the document"));
    }
    Ok(v)
}

/// Parses a sequence of JSON documents separated by whitespace (a chunked `/query` answer is one
/// document per chunk, each ended by a newline).
pub fn parse_stream(text: &str) -> Result<Vec<Json>, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    loop {
        p.ws();
        if p.i == p.s.len() {
            return Ok(out);
        }
        out.push(p.value()?);
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> String {
        let from = self.i.saturating_sub(20);
        let to = (self.i + 20).min(self.s.len());
        format!(
            "invalid JSON at byte {}: {what} (near {:?})",
            self.i,
            String::from_utf8_lossy(&self.s[from..to])
        )
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        self.ws();
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected {:?}", b as char)))
        }
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("unknown literal"))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.peek() {
            None => Err(self.err("unexpected end")),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Json::Array(a));
                }
                loop {
                    a.push(self.value()?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Array(a));
                        }
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut m = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Json::Object(m));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected a key"));
                    }
                    let k = self.string()?;
                    self.expect(b':')?;
                    m.push((k, self.value()?));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Object(m));
                        }
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                while self
                    .peek()
                    .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                {
                    self.i += 1;
                }
                let text = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                if text.parse::<f64>().is_err() {
                    self.i = start;
                    return Err(self.err("bad number"));
                }
                Ok(Json::Number(text))
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("short \\u escape"))?;
        let v = u32::from_str_radix(&String::from_utf8_lossy(h), 16).map_err(|_| self.err("bad \\u escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let b = self.peek().ok_or_else(|| self.err("unterminated string"))?;
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).map_err(|_| self.err("invalid UTF-8 in a string")),
                b'\\' => {
                    let e = self.peek().ok_or_else(|| self.err("unterminated escape"))?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
                                self.i += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff)
                            } else {
                                hi
                            };
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return Err(self.err("bad escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(b),
            }
        }
    }
}

/// How far two floats may be apart and still be equal.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// Relative to the larger magnitude.
    pub relative: f64,
    /// Absolute, for values near zero.
    pub absolute: f64,
}

impl Tolerance {
    /// 1e-9 relative, 1e-12 absolute.
    pub const DEFAULT: Tolerance = Tolerance {
        relative: 1e-9,
        absolute: 1e-12,
    };

    /// Whether `a` and `b` are equal within the tolerance (NaN never is).
    pub fn accepts(&self, a: f64, b: f64) -> bool {
        if a == b {
            return true;
        }
        let d = (a - b).abs();
        d <= self.absolute || d <= self.relative * a.abs().max(b.abs())
    }
}

/// Whether a number's text is integer-shaped (no fraction, no exponent).
pub fn is_integer_text(n: &str) -> bool {
    !n.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
}

/// Why two numbers differ, or `None` when they are equal under the rule of the module doc.
pub fn number_difference(want: &str, got: &str, tol: Tolerance) -> Option<String> {
    let (wi, gi) = (is_integer_text(want), is_integer_text(got));
    if wi && gi {
        return match (want.parse::<i128>(), got.parse::<i128>()) {
            (Ok(a), Ok(b)) if a == b => None,
            (Ok(_), Ok(_)) => Some(String::new()),
            _ if want == got => None,
            _ => Some(String::new()),
        };
    }
    let (Ok(a), Ok(b)) = (want.parse::<f64>(), got.parse::<f64>()) else {
        return Some("(not a number)".into());
    };
    if wi != gi {
        let float_side = if wi { b } else { a };
        if float_side.is_finite() && float_side.fract() == 0.0 {
            return Some(
                "(integer against a whole number written as a float: Go writes whole floats without a fraction)".into(),
            );
        }
    }
    if tol.accepts(a, b) {
        None
    } else {
        Some(String::new())
    }
}

/// The differences between `want` and `got`, at most `max` of them, each as
/// `path: want X, got Y`. Empty when they are equal.
pub fn differences(want: &Json, got: &Json, tol: Tolerance, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    diff(want, got, tol, &mut String::from("$"), &mut out, max);
    out
}

fn short(v: &Json) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        let cut = (0..=300).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        format!("{}… ({} bytes)", &s[..cut], s.len())
    } else {
        s
    }
}

fn diff(want: &Json, got: &Json, tol: Tolerance, path: &mut String, out: &mut Vec<String>, max: usize) {
    if out.len() >= max {
        return;
    }
    match (want, got) {
        (Json::Number(a), Json::Number(b)) => {
            if let Some(why) = number_difference(a, b, tol) {
                let sep = if why.is_empty() { "" } else { " " };
                out.push(format!("{path}: want {a}, got {b}{sep}{why}"));
            }
        }
        (Json::Array(a), Json::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{path}: want {} elements, got {}", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                diff(x, y, tol, path, out, max);
                path.truncate(len);
            }
            if a.len() != b.len() && out.len() < max {
                let n = a.len().min(b.len());
                if let Some(x) = a.get(n) {
                    out.push(format!("{path}[{n}]: want {}, got nothing", short(x)));
                } else if let Some(y) = b.get(n) {
                    out.push(format!("{path}[{n}]: want nothing, got {}", short(y)));
                }
            }
        }
        (Json::Object(a), Json::Object(b)) => {
            let ka: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
            let kb: Vec<&str> = b.iter().map(|(k, _)| k.as_str()).collect();
            if ka != kb {
                out.push(format!("{path}: want keys {ka:?}, got {kb:?}"));
            }
            for (k, x) in a {
                if let Some((_, y)) = b.iter().find(|(kk, _)| kk == k) {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    diff(x, y, tol, path, out, max);
                    path.truncate(len);
                }
            }
        }
        _ if want == got => {}
        _ => out.push(format!("{path}: want {}, got {}", short(want), short(got))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_keeps_order_and_numbers() {
        let v = parse(r#" {"b":1,"a":[2.50,-3e-9,null,true,"x\"\u00e9\u003c"]} "#).unwrap();
        assert_eq!(v.to_string(), r#"{"b":1,"a":[2.50,-3e-9,null,true,"x\"é<"]}"#);
        assert_eq!(parse_stream("{}\n[1]\n").unwrap().len(), 2);
        assert!(parse("{} x").is_err());
        assert!(parse("[1,]").is_err());
    }

    #[test]
    fn test_number_rule() {
        let t = Tolerance::DEFAULT;
        let f = |a: &str, b: &str| number_difference(a, b, t).is_none();
        assert!(f("2", "2"));
        assert!(!f("2", "3"));
        assert!(f("9007199254740993", "9007199254740993"));
        assert!(!f("9007199254740993", "9007199254740992"));
        assert!(f("2", "1.9999999999999998"));
        assert!(!f("2", "2.0"));
        assert!(f("0.1", "0.10000000000000002"));
        assert!(!f("0.1", "0.1001"));
        assert!(f("1e-13", "0"));
        assert!(f("-5.730659025787966e-9", "-5.7306590257879665e-9"));
    }

    #[test]
    fn test_differences() {
        let a = parse(r#"{"s":[{"name":"cpu","values":[[1,2.5]]}]}"#).unwrap();
        let b = parse(r#"{"s":[{"name":"cpu","values":[[1,2.6],[2,3]]}]}"#).unwrap();
        let d = differences(&a, &b, Tolerance::DEFAULT, 10);
        assert_eq!(
            d,
            vec![
                "$.s[0].values: want 1 elements, got 2",
                "$.s[0].values[0][1]: want 2.5, got 2.6",
                "$.s[0].values[1]: want nothing, got [2,3]",
            ]
        );
        let c = parse(r#"{"values":[],"s":1}"#).unwrap();
        let e = parse(r#"{"s":1,"values":[]}"#).unwrap();
        assert_eq!(differences(&c, &e, Tolerance::DEFAULT, 10).len(), 1);
    }
}
