//! Bound parameters: the `params` URL argument of `/query`, a JSON object whose values
//! replace `$name` in the query while it is scanned (InfluxDB 1.x, influxql `BindValue`).
//!
//! A JSON number with a `.` binds as a number literal, one without as an integer; a string
//! binds as a string literal, a boolean as `true`/`false`. An object with one entry picks the
//! kind: `{"identifier": "cpu"}` (or `ident`), `{"regex": "^a"}`, `{"string": ...}`,
//! `{"number"|"float": ...}`, `{"integer"|"int": ...}`, `{"duration": "1h" | <ns>}`. Anything
//! else binds as an error that the parser reports where the parameter is used.

use std::collections::HashMap;

use serde_json::Value;

use crate::duration::format_duration;
use crate::token::Token;

/// Decoded `params`: name (without `$`) to JSON value.
pub type Params = serde_json::Map<String, Value>;

/// What a parameter stands for once bound.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BoundValue {
    Identifier(String),
    String(String),
    Regex(String),
    Number(f64),
    Integer(i64),
    Boolean(bool),
    Duration(String),
    Error(String),
}

impl BoundValue {
    /// The token the parameter scans as, and its literal.
    pub(crate) fn token(&self) -> (Token, String) {
        match self {
            BoundValue::Identifier(s) => (Token::Ident, s.clone()),
            BoundValue::String(s) => (Token::String, s.clone()),
            BoundValue::Regex(s) => (Token::Regex, s.clone()),
            // strconv.FormatFloat(v, 'f', -1, 64): shortest, never an exponent.
            BoundValue::Number(v) => (Token::Number, format!("{v}")),
            BoundValue::Integer(v) => (Token::Integer, v.to_string()),
            BoundValue::Boolean(true) => (Token::True, String::new()),
            BoundValue::Boolean(false) => (Token::False, String::new()),
            BoundValue::Duration(s) => (Token::DurationVal, s.clone()),
            BoundValue::Error(s) => (Token::BoundParam, s.clone()),
        }
    }
}

/// A JSON number as Go's handler reads it: with a `.` a float, otherwise an integer.
enum Num {
    Float(f64),
    Int(i64),
}

fn number(n: &serde_json::Number) -> Result<Num, String> {
    if let Some(i) = n.as_i64() {
        return Ok(Num::Int(i));
    }
    if n.is_u64() {
        return Err(format!("strconv.ParseInt: parsing \"{n}\": value out of range"));
    }
    // serde_json keeps no text: a float written without a dot (`1e3`) reads as a float here,
    // where Go refuses it with a ParseInt error.
    Ok(Num::Float(n.as_f64().unwrap_or_default()))
}

fn bind(v: &Value) -> BoundValue {
    match v {
        Value::Number(n) => match number(n) {
            Ok(Num::Float(f)) => BoundValue::Number(f),
            Ok(Num::Int(i)) => BoundValue::Integer(i),
            Err(e) => BoundValue::Error(e),
        },
        Value::String(s) => BoundValue::String(s.clone()),
        Value::Bool(b) => BoundValue::Boolean(*b),
        Value::Object(m) => bind_object(m),
        Value::Null => BoundValue::Error("unable to bind parameter with type <nil>".into()),
        Value::Array(_) => BoundValue::Error("unable to bind parameter with type []interface {}".into()),
    }
}

fn bind_object(m: &serde_json::Map<String, Value>) -> BoundValue {
    if m.len() != 1 {
        return BoundValue::Error("bound object parameter value must have exactly one entry".into());
    }
    let Some((k, v)) = m.iter().next() else {
        unreachable!("BUG: map of length 1 without an entry")
    };
    let num = match v {
        Value::Number(n) => match number(n) {
            Ok(n) => Some(n),
            Err(e) => return BoundValue::Error(e),
        },
        _ => None,
    };
    match k.as_str() {
        "ident" | "identifier" => match v {
            Value::String(s) => BoundValue::Identifier(s.clone()),
            _ => BoundValue::Error("identifier must be a string value".into()),
        },
        "regex" => match v {
            Value::String(s) => BoundValue::Regex(s.clone()),
            _ => BoundValue::Error("regex literal must be a string value".into()),
        },
        "string" => match v {
            Value::String(s) => BoundValue::String(s.clone()),
            _ => BoundValue::Error("string literal must be a string value".into()),
        },
        "float" | "number" => match num {
            Some(Num::Float(f)) => BoundValue::Number(f),
            Some(Num::Int(i)) => BoundValue::Number(i as f64),
            None => BoundValue::Error("number literal must be a float value".into()),
        },
        "int" | "integer" => match num {
            Some(Num::Int(i)) => BoundValue::Integer(i),
            _ => BoundValue::Error("integer literal must be an integer value".into()),
        },
        "duration" => match (v, num) {
            (Value::String(s), _) => BoundValue::Duration(s.clone()),
            (_, Some(Num::Int(i))) => BoundValue::Duration(format_duration(i)),
            _ => BoundValue::Error("duration literal must be a string or integer value".into()),
        },
        _ => BoundValue::Error(format!("unknown bind object type: {k}")),
    }
}

pub(crate) fn bind_all(params: &Params) -> HashMap<String, BoundValue> {
    params.iter().map(|(k, v)| (k.clone(), bind(v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn binding_table() {
        let f = |v: Value, want: BoundValue| assert_eq!(bind(&v), want, "{v}");
        f(json!(5), BoundValue::Integer(5));
        f(json!(5.5), BoundValue::Number(5.5));
        f(json!("a"), BoundValue::String("a".into()));
        f(json!(true), BoundValue::Boolean(true));
        f(json!({"identifier": "cpu"}), BoundValue::Identifier("cpu".into()));
        f(json!({"ident": "cpu"}), BoundValue::Identifier("cpu".into()));
        f(json!({"regex": "^a"}), BoundValue::Regex("^a".into()));
        f(json!({"duration": "1h"}), BoundValue::Duration("1h".into()));
        f(
            json!({"duration": 3_600_000_000_000i64}),
            BoundValue::Duration("1h".into()),
        );
        f(json!({"integer": 3}), BoundValue::Integer(3));
        f(json!({"number": 3}), BoundValue::Number(3.0));
        f(
            json!({"integer": 3.5}),
            BoundValue::Error("integer literal must be an integer value".into()),
        );
        f(json!({"x": 1}), BoundValue::Error("unknown bind object type: x".into()));
        f(
            json!({"a": 1, "b": 2}),
            BoundValue::Error("bound object parameter value must have exactly one entry".into()),
        );
        f(
            json!(null),
            BoundValue::Error("unable to bind parameter with type <nil>".into()),
        );
    }
}
