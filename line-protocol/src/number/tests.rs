use super::*;
use FieldValue::*;

fn num(s: &str) -> Result<FieldValue<'static>, ErrorKind> {
    let b = format!("{s},next");
    let (end, v) = scan_number(b.as_bytes(), 0)?;
    assert_eq!(&b[end..], ",next", "{s:?} must end at the comma");
    Ok(v)
}

#[test]
fn floats() {
    let f = |s: &str, want: f64| match num(s) {
        Ok(Float(v)) => assert!(v.to_bits() == want.to_bits(), "{s:?}: got {v:?}, want {want:?}"),
        other => panic!("{s:?}: {other:?}"),
    };
    f("1", 1.0);
    f("1.", 1.0);
    f(".5", 0.5);
    f("-.5", -0.5);
    f("-0", -0.0);
    f("00012", 12.0);
    f("1e3", 1000.0);
    f("1E-3", 0.001);
    f("1e+3", 1000.0);
    f("-1.5e-7", -1.5e-7);
    f("1e-400", 0.0);
    f("1e308", 1e308);
    f("58.123456789012344", 58.123456789012344);
    f("0.1", 0.1);
    f("123456789012345.6", 123456789012345.6);
    f("9007199254740993", 9007199254740992.0); // 2^53 + 1 rounds to even
    f("3.141592653589793238462643383279", std::f64::consts::PI);
    f(&"9".repeat(300), "9".repeat(300).parse().unwrap());
}

#[test]
fn integers_and_unsigned() {
    assert_eq!(num("1i"), Ok(Integer(1)));
    assert_eq!(num("-1i"), Ok(Integer(-1)));
    assert_eq!(num("007i"), Ok(Integer(7)));
    assert_eq!(num("-0i"), Ok(Integer(0)));
    assert_eq!(num("9223372036854775807i"), Ok(Integer(i64::MAX)));
    assert_eq!(num("-9223372036854775808i"), Ok(Integer(i64::MIN)));
    assert_eq!(num("1u"), Ok(Unsigned(1)));
    assert_eq!(num("18446744073709551615u"), Ok(Unsigned(u64::MAX)));
}

#[test]
fn errors_name_what_influxdb_names() {
    let e = |s: &str, want: ErrorKind| assert_eq!(num(s), Err(want), "{s:?}");
    use ErrorKind::*;
    for s in [
        "-", ".", "-.", "1.2.3", "1..2", "0x10", "1_000", "NaN", "nan", "N", "-Inf", "1-2", "1.0i", "1e3i", "-i",
        "1ii", "1i2", "1.5u", "-1u", "1e3u", "1a",
    ] {
        e(s, InvalidNumber);
    }
    e("1e", InvalidFloat);
    e("1e+", InvalidFloat);
    e("1e309", InvalidFloat);
    e(&"9".repeat(400), InvalidFloat);
    e(
        "9223372036854775808i",
        IntegerOutOfRange {
            digits: "9223372036854775808".into(),
        },
    );
    e(
        "-9223372036854775809i",
        IntegerOutOfRange {
            digits: "-9223372036854775809".into(),
        },
    );
    e(
        "18446744073709551616u",
        UnsignedOutOfRange {
            digits: "18446744073709551616".into(),
        },
    );
    assert_eq!(
        IntegerOutOfRange { digits: "9223372036854775808".into() }.to_string(),
        "unable to parse integer 9223372036854775808: strconv.ParseInt: parsing \"9223372036854775808\": value out of range"
    );
}

#[test]
fn number_at_end_of_line() {
    assert_eq!(scan_number(b"42", 0), Ok((2, Float(42.0))));
    assert_eq!(scan_number(b"-", 0), Err(ErrorKind::InvalidNumber));
    assert_eq!(scan_number(b"x=12i", 2), Ok((5, Integer(12))));
}

#[test]
fn booleans() {
    let f = |s: &str, want: Result<bool, ErrorKind>| {
        let b = format!("{s} 123");
        let got = scan_boolean(b.as_bytes(), 0).map(|(end, v)| {
            assert_eq!(end, s.len());
            v
        });
        assert_eq!(got, want.map(Boolean), "{s:?}");
    };
    for s in ["t", "T", "true", "True", "TRUE"] {
        f(s, Ok(true));
    }
    for s in ["f", "F", "false", "False", "FALSE"] {
        f(s, Ok(false));
    }
    for s in ["tRuE", "yes", "truee", "fa", "Inf", "+1", "i", "x", "FaLSE", "tru"] {
        f(s, Err(ErrorKind::InvalidBoolean));
    }
}

#[test]
fn decimal_to_f64_rounds_like_std() {
    // splitmix64: every (mantissa, frac) pair the fast path can see, checked against std.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let (mut exact, mut fallback) = (0, 0);
    for _ in 0..300_000 {
        let digits = 1 + next() % 19;
        let mantissa = next() % 10u64.pow(digits as u32);
        let frac = (next() % 23) as usize;
        let text = format!("{mantissa}e-{frac}");
        let want: f64 = text.parse().unwrap();
        match decimal_to_f64(mantissa, frac) {
            Some(got) => {
                assert_eq!(got.to_bits(), want.to_bits(), "{text}");
                exact += 1;
            }
            None => fallback += 1,
        }
    }
    // Ties and near-ties are real; the check must still settle almost everything.
    assert!(fallback * 100 < exact, "{fallback} fallbacks for {exact} exact");
    // Halfway cases: 2^53 + 1 is a tie between 2^53 and 2^53 + 2, and rounds to even.
    assert_eq!(decimal_to_f64(9_007_199_254_740_993, 0), Some(9_007_199_254_740_992.0));
    assert_eq!(decimal_to_f64(9_007_199_254_740_995, 0), Some(9_007_199_254_740_996.0));
    assert_eq!(decimal_to_f64(20_787_678_818_671_676, 15), Some(20.787678818671676));
}
