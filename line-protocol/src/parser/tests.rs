//! One table per rule. The reference corpus (tests/reference.rs) pins the same rules against
//! a real InfluxDB 1.6.7; these tests say them one at a time, so a failure names the rule.

use super::*;
use crate::point::FieldValue::{Boolean, Float, Integer, String as Str, Unsigned};

const NOW: i64 = 1_700_000_000_123_456_789;

fn parse(body: &str) -> Batch<'_> {
    parse_lines(body.as_bytes(), &ParseOptions::new(NOW))
}

/// The single error of a one-line body, as InfluxDB prints it.
fn error(body: &str) -> String {
    let b = parse(body);
    assert_eq!(b.len(), 0, "{body:?} parsed");
    assert_eq!(b.errors().len(), 1, "{body:?}");
    b.errors()[0].kind.to_string()
}

/// (series key, fields, time) of a point.
type Summary = (String, Vec<(String, FieldValue<'static>)>, i64);

fn points(body: &str) -> Vec<Summary> {
    let b = parse(body);
    assert!(b.errors().is_empty(), "{body:?}: {:?}", b.error_text());
    b.points()
        .map(|p| {
            let fields = p
                .fields()
                .iter()
                .map(|f| (f.key.to_string(), f.value.clone().into_owned()))
                .collect();
            (p.series_key(), fields, p.time())
        })
        .collect()
}

fn one(body: &str) -> Summary {
    let mut p = points(body);
    assert_eq!(p.len(), 1, "{body:?}");
    p.remove(0)
}

#[test]
fn a_complete_line() {
    let (key, fields, t) = one("cpu,host=a,region=eu usage=0.5,n=3i,ok=true,s=\"x y\" 1700000000000000000");
    assert_eq!(key, "cpu,host=a,region=eu");
    assert_eq!(
        fields,
        vec![
            ("usage".into(), Float(0.5)),
            ("n".into(), Integer(3)),
            ("ok".into(), Boolean(true)),
            ("s".into(), Str("x y".into()))
        ]
    );
    assert_eq!(t, 1_700_000_000_000_000_000);
}

#[test]
fn lines_blank_comments_and_whitespace() {
    let body = "\n\n   \n\t\n# a comment\n   # indented comment\n \t\0cpu v=1 1\n#cpu v=2 2\ncpu v=3 3";
    let p = points(body);
    assert_eq!(p.iter().map(|p| p.2).collect::<Vec<_>>(), vec![1, 3]);
    assert!(parse("").is_empty() && parse("").errors().is_empty());
    assert!(parse("\n\n\n").is_empty() && parse("\n\n\n").errors().is_empty());
    // `#` is data anywhere but at the start of a line.
    assert_eq!(one("m #v=1 1").1[0].0, "#v");
    // A comment after a point is a fourth section.
    assert_eq!(error("m v=1 1 # note"), "point is invalid");
}

#[test]
fn crlf_is_accepted_but_a_lone_cr_is_data() {
    let p = points("m v=1 1\r\nm v=2 2\r\n");
    assert_eq!(p.len(), 2);
    assert_eq!(one("m s=\"a\"\r\n").1[0].1, Str("a".into()));
    // A \r not followed by \n is kept, as InfluxDB keeps it.
    assert_eq!(error("m v=1 1\r"), "bad timestamp");
    // A line of only "\r\n" is blank.
    assert_eq!(points("\r\nm v=1 1\r\n\r\n").len(), 1);
}

#[test]
fn newlines_inside_quotes_or_after_a_backslash_do_not_end_the_line() {
    let (_, fields, _) = one("m s=\"two\nlines\" 1");
    assert_eq!(fields[0].1, Str("two\nlines".into()));
    let b = parse("m,a=x\\\ny v=1 1\nm v=2 2");
    assert_eq!(b.len(), 2);
    assert_eq!(b.point(0).unwrap().tags()[0].value, "x\\\ny");
    assert_eq!(
        b.point(1).unwrap().line_number(),
        3,
        "physical line numbers count the embedded newline"
    );
    // Quotes in the tag section do not protect a newline.
    let b = parse("m,a=\"x\ny\" v=1 1");
    assert_eq!(b.errors()[0].kind, ErrorKind::MissingFields);
    assert_eq!(b.point(0).unwrap().measurement(), "y\"");
    // An unbalanced quote swallows the rest of the body.
    assert_eq!(error("m s=\"abc 1\nm v=2 2"), "unbalanced quotes");
}

#[test]
fn measurement_rules() {
    let f = |body: &str, key: &str, name: &str| {
        let b = parse(body);
        let p = b.point(0).unwrap_or_else(|| panic!("{body:?}: {:?}", b.error_text()));
        assert_eq!((p.series_key().as_str(), p.measurement()), (key, name), "{body:?}");
    };
    f("cpu\\ load v=1", "cpu\\ load", "cpu load");
    f("cpu\\,1 v=1", "cpu\\,1", "cpu,1");
    f("cpu\\=x v=1", "cpu=x", "cpu=x");
    f("cpu\\\"x v=1", "cpu\"x", "cpu\"x");
    f("cpu\\\\x v=1", "cpu\\\\x", "cpu\\\\x");
    f("cpu\\x v=1", "cpu\\x", "cpu\\x");
    f("a=b v=1", "a=b", "a=b");
    f("\u{c}ff v=1", "\u{c}ff", "\u{c}ff");
    // quirk: `\\,` escapes the comma (the byte before it is a backslash)...
    f("cpu\\\\,a=b v=1", "cpu\\,a=b", "cpu\\,a=b");
    // ...and so does `\\ `, which leaves no fields.
    assert_eq!(error("cpu\\\\ v=1 1"), "invalid field format");
    assert_eq!(error(",host=a v=1"), "missing measurement");
    assert_eq!(error("cpu"), "missing fields");
    assert_eq!(error("cpu "), "invalid field format");
    assert_eq!(error("cpu\tv=1 1"), "invalid field format"); // a tab is not a separator
}

#[test]
fn tags_are_sorted_and_unique() {
    assert_eq!(one("m,z=1,a=2,m=3 v=1").0, "m,a=2,m=3,z=1");
    assert_eq!(error("m,a=1,a=2 v=1"), "duplicate tags");
    assert_eq!(error("m,b=1,a=1,b=1 v=1"), "duplicate tags");
    assert_eq!(error("m,a=1,a=1 v=1"), "duplicate tags");
    let tags: Vec<String> = (0..40).rev().map(|i| format!("t{i:02}={i}")).collect();
    let key = one(&format!("m,{} v=1", tags.join(","))).0;
    let mut sorted = tags.clone();
    sorted.sort();
    assert_eq!(key, format!("m,{}", sorted.join(",")));
    // Escaped keys sort by their escaped bytes: "a\ b" after "a!".
    assert_eq!(one("m,a\\ b=1,a!=2 v=1").0, "m,a!=2,a\\ b=1");
}

#[test]
fn tag_errors() {
    let f = |body: &str, want: &str| assert_eq!(error(body), want, "{body:?}");
    f("m, v=1", "missing tag key");
    f("m,=v v=1", "missing tag key");
    f("m,,a=1 v=1", "missing tag key");
    f("m,a v=1", "missing tag value");
    f("m,a, v=1", "missing tag value");
    f("m,a= v=1", "missing tag value");
    f("m,a=,b=1 v=1", "missing tag value");
    f("m,a=1", "missing fields");
    f("m,a=1=2 v=1", "invalid tag format");
    f("m,k=a\\\\,b=c v=1", "invalid tag format");
    // quirk: a value may start with '='.
    assert_eq!(parse("m,a==1 v=1").point(0).unwrap().tags()[0].value, "=1");
}

#[test]
fn tag_escapes() {
    let f = |body: &str, key: &str, value: &str| {
        let b = parse(body);
        let t = &b.point(0).unwrap().tags()[0];
        assert_eq!((&*t.key, &*t.value), (key, value), "{body:?}");
    };
    f("m,a\\,b=1 v=1", "a,b", "1");
    f("m,a\\ b=1 v=1", "a b", "1");
    f("m,a\\=b=1 v=1", "a=b", "1");
    f("m,a=x\\,y v=1", "a", "x,y");
    f("m,a=x\\\"y v=1", "a", "x\\\"y"); // tags keep `\"`
    f("m,a=x\\\\y v=1", "a", "x\\\\y"); // and `\\`
    f("m,a=\\  v=1", "a", " ");
}

#[test]
fn field_errors() {
    let f = |body: &str, want: &str| assert_eq!(error(body), want, "{body:?}");
    f("m 123", "invalid field format");
    f("m v=1,", "invalid field format");
    f("m v=1,,w=2", "invalid field format");
    f("m v=1,  w=2", "invalid field format");
    f("m v=1,w", "invalid field format");
    f("m =1", "missing field key");
    f("m v=1,=2", "missing field key");
    f("m v=", "missing field value");
    f("m v=,w=1", "missing field value");
    f("m v= 1", "missing field value");
    f("m v==1", "invalid boolean");
    f("m s=\"abc", "unbalanced quotes");
    f("m v=+1", "invalid boolean");
    f("m v=NaN", "invalid number");
    f("m v=1.0i", "invalid number");
    f("m v=1e309", "invalid float");
    f("m v=9223372036854775808i", "unable to parse integer 9223372036854775808: strconv.ParseInt: parsing \"9223372036854775808\": value out of range");
    f("m v=tRuE", "invalid boolean");
    // The second walk over the fields: a key ending in a backslash hides its '='.
    f("m v\\\\=1i 5", "invalid value: field-key=v\\\\=1i");
    f("m v=1i,w\\\\=1i", "invalid value: field-key=w\\\\=1i");
}

#[test]
fn field_keys_and_strings() {
    let f = |body: &str, key: &str, value: FieldValue<'static>| {
        let (_, fields, _) = one(body);
        assert_eq!(fields[0], (key.to_string(), value), "{body:?}");
    };
    f("m a\\ b=1", "a b", Float(1.0));
    f("m a\\,b=1", "a,b", Float(1.0));
    f("m a\\=b=1", "a=b", Float(1.0));
    f("m a\\\"b=1", "a\"b", Float(1.0));
    f("m a\"b=1", "a\"b", Float(1.0));
    f("m s=\"\"", "s", Str("".into()));
    f("m s=\"a,b=c d\"", "s", Str("a,b=c d".into()));
    f("m s=\"say \\\"hi\\\"\"", "s", Str("say \"hi\"".into()));
    f("m s=\"back\\\\slash\"", "s", Str("back\\slash".into()));
    f("m s=\"a\\nb\"", "s", Str("a\\nb".into()));
    f("m s=\"é\"", "s", Str("é".into()));
    // quirk: a string is its token minus the first and last byte.
    f("m s=\"x\"y", "s", Str("x\"".into()));
    // Repeated keys are all kept, in order; storage keeps the last.
    let (_, fields, _) = one("m v=1,v=2");
    assert_eq!(fields, vec![("v".into(), Float(1.0)), ("v".into(), Float(2.0))]);
}

#[test]
fn unsigned_integers_are_accepted() {
    assert_eq!(one("m v=42u").1[0].1, Unsigned(42));
    assert_eq!(error("m v=-1u"), "invalid number");
    assert_eq!(
        error("m v=18446744073709551616u"),
        "unable to parse unsigned 18446744073709551616: strconv.ParseUint: parsing \"18446744073709551616\": value out of range"
    );
}

#[test]
fn timestamps() {
    let t = |body: &str| one(body).2;
    assert_eq!(t("m v=1 0"), 0);
    assert_eq!(t("m v=1 -5"), -5);
    assert_eq!(t("m v=1 -0"), 0);
    assert_eq!(t("m v=1 007"), 7);
    assert_eq!(t("m v=1 5   "), 5);
    assert_eq!(t("m  v=1  5"), 5);
    assert_eq!(t("m v=1 9223372036854775806"), MAX_NANOS);
    assert_eq!(t("m v=1 -9223372036854775806"), MIN_NANOS);
    assert_eq!(t("m v=1"), NOW);
    let f = |body: &str, want: &str| assert_eq!(error(body), want, "{body:?}");
    f("m v=1 abc", "bad timestamp");
    f("m v=1 12a", "bad timestamp");
    f("m v=1 1.5", "bad timestamp");
    f("m v=1 5\t", "bad timestamp");
    f("m v=1 12 3", "point is invalid");
    f("m v=1 -", "strconv.ParseInt: parsing \"-\": invalid syntax");
    f(
        "m v=1 17000000000000000000000",
        "strconv.ParseInt: parsing \"17000000000000000000000\": value out of range",
    );
    f(
        "m v=1 9223372036854775807",
        "time outside range -9223372036854775806 - 9223372036854775806",
    );
    f(
        "m v=1 -9223372036854775807",
        "time outside range -9223372036854775806 - 9223372036854775806",
    );
}

#[test]
fn precision_scales_timestamps_and_truncates_the_default_time() {
    let at = |p: Precision, body: &str| {
        let b = parse_lines(body.as_bytes(), &ParseOptions::new(NOW).with_precision(p));
        b.point(0)
            .map(|p| p.time())
            .ok_or_else(|| b.errors()[0].kind.to_string())
    };
    assert_eq!(at(Precision::Second, "m v=1 2"), Ok(2_000_000_000));
    assert_eq!(at(Precision::Microsecond, "m v=1 2"), Ok(2_000));
    assert_eq!(at(Precision::Hour, "m v=1 2"), Ok(7_200_000_000_000));
    assert_eq!(at(Precision::Second, "m v=1"), Ok(1_700_000_000_000_000_000));
    assert_eq!(at(Precision::Millisecond, "m v=1"), Ok(1_700_000_000_123_000_000));
    assert_eq!(at(Precision::Nanosecond, "m v=1"), Ok(NOW));
    assert_eq!(
        at(Precision::Hour, "m v=1 2562048"),
        Err(ErrorKind::TimeOutsideRange.to_string())
    );
}

#[test]
fn errors_quote_the_line_and_keep_the_others() {
    let b = parse("good v=1 1\n  garbage line here\nbad v= 3\ngood v=2 2\n");
    assert_eq!(b.len(), 2);
    assert_eq!(
        b.error_text().unwrap(),
        "unable to parse 'garbage line here': invalid field format\nunable to parse 'bad v= 3': missing field value"
    );
    assert_eq!(b.errors().iter().map(|e| e.line_number).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(b.points().map(|p| p.line_number()).collect::<Vec<_>>(), vec![1, 4]);
    assert_eq!(b.value_count(), 2);
}

#[test]
fn max_key_length() {
    let m = "m".repeat(MAX_KEY_LEN);
    assert_eq!(error(&format!("{m}x v=1")), "max key length exceeded: 65536 > 65535");
    assert_eq!(error(&format!("{m} v=1")), "max key length exceeded: 65540 > 65535");
    let m = "m".repeat(MAX_KEY_LEN - 5);
    assert_eq!(one(&format!("{m} v=1")).1.len(), 1);
    let m = "m".repeat(MAX_KEY_LEN - 6);
    assert_eq!(
        error(&format!("{m}\\  v\\ =1")),
        "max key length exceeded: 65538 > 65535"
    );
}

#[test]
fn invalid_utf8_rejects_only_its_line() {
    let body = b"ok v=1 1\nbad\xff v=1 2\nok v=3 3\n";
    let b = parse_lines(body, &ParseOptions::new(NOW));
    assert_eq!(b.len(), 2);
    assert_eq!(b.errors().len(), 1);
    assert_eq!(
        b.errors()[0].to_string(),
        "unable to parse 'bad\u{fffd} v=1 2': invalid UTF-8"
    );
    assert_eq!(b.errors()[0].line_number, 2);
}

#[test]
fn unescaped_text_borrows_from_the_body() {
    let b = parse("cpu,host=a v=1,s=\"x\" 1");
    let p = b.point(0).unwrap();
    assert!(matches!(p.tags()[0].value, Cow::Borrowed(_)));
    assert!(matches!(p.fields()[1].value, Str(Cow::Borrowed(_))));
    let b = parse("cpu,host=a\\ b v=1 1");
    assert!(matches!(b.point(0).unwrap().tags()[0].value, Cow::Owned(_)));
}

#[test]
fn limits_reject_long_and_wide_lines_and_stop_at_the_point_limit() {
    let limits = |max_line_bytes, max_fields_per_line, max_points| Limits {
        max_line_bytes,
        max_fields_per_line,
        max_points,
    };
    let parse_with = |body: &str, l: Limits| {
        let b = parse_lines(body.as_bytes(), &ParseOptions::new(NOW).with_limits(l));
        let errors: Vec<String> = b.errors().iter().map(ToString::to_string).collect();
        (b.len(), errors, b.exceeds_max_points())
    };
    // The line is quoted cut, the others are kept.
    let long = format!("m,host=a v={}1 1", "9".repeat(100));
    let (n, errors, over) = parse_with(&format!("ok v=1 1\n{long}\nok v=2 2\n"), limits(64, 0, 0));
    assert_eq!((n, over), (2, false));
    assert_eq!(
        errors,
        vec![format!(
            "unable to parse '{}...': max-line-size exceeded: {} > 64 bytes",
            &long[..64],
            long.len()
        )]
    );
    // Exactly at the limit passes; leading whitespace does not count.
    let (n, errors, _) = parse_with("  m v=1 1", limits(7, 0, 0));
    assert_eq!((n, errors.len()), (1, 0));
    // Fields: counted as written, the line quoted whole when short.
    let (n, errors, _) = parse_with("m a=1,b=2,c=3\nm a=1,b=2\n", limits(0, 2, 0));
    assert_eq!(n, 1);
    assert_eq!(
        errors,
        vec!["unable to parse 'm a=1,b=2,c=3': max-fields-per-line exceeded: 3 > 2 fields"]
    );
    // A long wide line is cut in its error too.
    let wide: String = (0..100).map(|i| format!("f{i}=1,")).collect::<String>() + "last=1";
    let (_, errors, _) = parse_with(&format!("m {wide}"), limits(0, 10, 0));
    assert!(
        errors[0].starts_with(&format!(
            "unable to parse 'm {}...': max-fields-per-line exceeded: 101 > 10",
            &wide[..62]
        )),
        "{errors:?}"
    );
    // Points: bad lines do not count; the point past the limit stops the parse.
    let (n, errors, over) = parse_with("m v=1 1\nbad\nm v=2 2\n", limits(0, 0, 2));
    assert_eq!((n, errors.len(), over), (2, 1, false));
    let (n, _, over) = parse_with("m v=1 1\nm v=2 2\nm v=3 3\nm v=4 4\n", limits(0, 0, 2));
    assert_eq!((n, over), (2, true));
    // No limits: as before.
    let (n, errors, over) = parse_with(&format!("{long}\nm {wide}"), Limits::default());
    assert_eq!((n, errors.len(), over), (2, 0, false));
}
