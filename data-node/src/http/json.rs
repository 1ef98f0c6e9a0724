//! json: JSON text exactly as Go's `encoding/json` writes it, because clients compare
//! bytes and InfluxDB is written in Go: `<`, `>`, `&`, U+2028 and U+2029 escaped as
//! `\u003c`..., floats in the shortest form, with exponents only below 1e-6 and from 1e21.

/// Appends `s` as a JSON string.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => None,
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Appends a float as Go does; `None` for NaN and infinities, which JSON cannot spell.
pub fn write_f64(out: &mut String, v: f64) -> Option<()> {
    use std::fmt::Write;
    if !v.is_finite() {
        return None;
    }
    let abs = v.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Rust's `{:e}` has the same shortest digits; Go signs the exponent and pads
        // positive ones to two digits (they are >= 21 here anyway).
        let s = format!("{v:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        out.push_str(mantissa);
        out.push('e');
        if !exp.starts_with('-') {
            out.push('+');
        }
        out.push_str(exp);
    } else {
        let _ = write!(out, "{v}");
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_go() {
        let f = |v: f64| {
            let mut s = String::new();
            write_f64(&mut s, v).map(|()| s)
        };
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (0.5, "0.5"),
            (-0.0, "-0"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.25e-10, "1.25e-10"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::MAX, "1.7976931348623157e+308"),
            (123456789.125, "123456789.125"),
        ];
        for &(v, want) in cases {
            assert_eq!(f(v).as_deref(), Some(want), "{v:e}");
        }
        assert_eq!(f(f64::NAN), None);
    }

    #[test]
    fn strings_like_go() {
        let f = |v: &str| {
            let mut s = String::new();
            write_str(&mut s, v);
            s
        };
        assert_eq!(f("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(f("<x>&"), r#""\u003cx\u003e\u0026""#);
        assert_eq!(f("tab\there\nnl\u{1}"), r#""tab\there\nnl\u0001""#);
        assert_eq!(f("é\u{2028}"), "\"é\\u2028\"");
    }
}
