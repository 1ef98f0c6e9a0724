//! math: InfluxQL's math functions (`abs`, `sqrt`, `pow`, `log`, `round`, ...), computed per
//! row like operators, on raw fields and on aggregates alike (Go's `MathValuer`).

use super::Value;

/// `name(args)` over evaluated arguments. A missing or non-numeric argument gives null;
/// `abs`, `floor`, `ceil` and `round` return integers unchanged (InfluxDB 1.6.7's `abs`
/// too: `abs(-2)` of an integer is -2 there), the rest return floats.
pub(super) fn call(name: &str, args: &[Value]) -> Value {
    match (name, args) {
        ("abs", [Value::Float(x)]) => Value::Float(x.abs()),
        ("abs" | "floor" | "ceil" | "round", [Value::Integer(i)]) => Value::Integer(*i),
        ("abs" | "floor" | "ceil" | "round", [Value::Unsigned(u)]) => Value::Unsigned(*u),
        ("floor", [Value::Float(x)]) => Value::Float(x.floor()),
        ("ceil", [Value::Float(x)]) => Value::Float(x.ceil()),
        // Go's math.Round: half away from zero, as Rust's round.
        ("round", [Value::Float(x)]) => Value::Float(x.round()),
        (_, [a]) => match (a.as_f64(), one(name)) {
            (Some(x), Some(f)) => Value::Float(f(x)),
            _ => Value::Null,
        },
        (_, [a, b]) => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => match name {
                "atan2" => Value::Float(x.atan2(y)),
                "log" => Value::Float(x.ln() / y.ln()),
                "pow" => Value::Float(x.powf(y)),
                _ => Value::Null,
            },
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

/// The one-argument functions of a float.
fn one(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "sin" => f64::sin,
        "cos" => f64::cos,
        "tan" => f64::tan,
        "asin" => f64::asin,
        "acos" => f64::acos,
        "atan" => f64::atan,
        "exp" => f64::exp,
        "ln" => f64::ln,
        "log2" => f64::log2,
        "log10" => f64::log10,
        "sqrt" => f64::sqrt,
        _ => return None,
    })
}

/// The type a math function gives for an argument type. InfluxDB 1.6.7 refuses no argument
/// type here: a string or boolean argument gives nulls at run time.
pub(super) fn result_type(name: &str, arg: Option<&'static str>) -> Option<&'static str> {
    match (name, arg) {
        ("abs" | "floor" | "ceil" | "round", Some(t @ ("float" | "integer" | "unsigned"))) => Some(t),
        ("abs" | "floor" | "ceil" | "round", _) => None,
        _ => Some("float"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_types_as_influxdb() {
        // Observed on InfluxDB 1.6.7: abs/floor/ceil/round keep integers, the rest are floats.
        assert_eq!(call("abs", &[Value::Integer(-3)]), Value::Integer(-3));
        assert_eq!(call("abs", &[Value::Float(-1.5)]), Value::Float(1.5));
        assert_eq!(call("round", &[Value::Float(1.5)]), Value::Float(2.0));
        assert_eq!(call("round", &[Value::Float(-2.5)]), Value::Float(-3.0));
        assert_eq!(call("floor", &[Value::Integer(7)]), Value::Integer(7));
        assert_eq!(call("sqrt", &[Value::Integer(4)]), Value::Float(2.0));
        assert_eq!(call("pow", &[Value::Integer(3), Value::Integer(2)]), Value::Float(9.0));
        assert_eq!(call("log", &[Value::Float(8.0), Value::Integer(2)]), Value::Float(3.0));
        assert_eq!(
            call("atan2", &[Value::Float(0.0), Value::Float(0.0)]),
            Value::Float(0.0)
        );
        assert_eq!(call("sqrt", &[Value::String("x".into())]), Value::Null);
        assert_eq!(call("abs", &[Value::Null]), Value::Null);
        assert_eq!(call("pow", &[Value::Float(1.0)]), Value::Null);
        assert_eq!(result_type("abs", Some("integer")), Some("integer"));
        assert_eq!(result_type("sin", Some("integer")), Some("float"));
        assert_eq!(result_type("sqrt", Some("string")), Some("float"));
    }
}
