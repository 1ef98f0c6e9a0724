//! Differential test against InfluxData's own Rust parser, the `influxdb-line-protocol` crate
//! (v2, from InfluxDB IOx; "IOx" below).
//!
//! What it proves:
//! * On well-formed line protocol both parsers give exactly the points the generator meant:
//!   measurement, tag set, fields in order with their types and bit-exact values, timestamp.
//!   Bodies come from a seeded generator (escaped names, 0..12 tags in any order, 1..12 fields
//!   of every type in many spellings, optional timestamps, blank and comment lines).
//! * On mutated and random input neither parser panics, and every line on which they disagree
//!   is explained by one of the listed [`Difference`]s: places where InfluxDB 1.x, which this
//!   crate follows, and IOx are known to differ. An unexplained disagreement fails the test
//!   and prints the input.
//! * Every listed difference occurs: each has an example that must be classified as it.
//!
//! How: a body is cut into lines with `influxdb_line_protocol::split_lines`, a port of
//! InfluxDB's `scanLine` that our parser follows too. Each piece is parsed by IOx on its own
//! and matched with our point or error of the same 1-based line number. Lines that both
//! parsers reject agree, whatever the reasons.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use influxdb_line_protocol as iox;
use line_protocol::{parse_lines, FieldValue, ParseOptions, MAX_NANOS, MIN_NANOS};

/// The time our parser gives lines without a timestamp; IOx says `None` instead.
const DEFAULT_TIME: i64 = 1_500_000_000_123_456_789;

// ---------------------------------------------------------------------------------------
// Both parsers' results in one shape

/// A field value; floats as their bits, so that `-0` and `0` differ.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Float(u64),
    Int(i64),
    UInt(u64),
    Bool(bool),
    Str(String),
}

/// A parsed line, escapes removed; tags sorted by (key, value).
#[derive(Debug, Clone, PartialEq)]
struct Point {
    measurement: String,
    tags: Vec<(String, String)>,
    fields: Vec<(String, Value)>,
    time: i64,
}

/// What a parser made of one line.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Blank or comment.
    Skipped,
    /// The reason, as the parser's error `Debug`.
    Rejected(String),
    Accepted(Point),
}

/// One line of a body, as both parsers saw it.
#[derive(Debug)]
struct Case<'a> {
    /// The line as `split_lines` cut it: without its `\n`, with any `\r`.
    line: &'a str,
    /// Whether a `\n` followed it in the body.
    terminated: bool,
    ours: Outcome,
    theirs: Outcome,
}

impl Case<'_> {
    /// Same point, or both skipped, or both rejected (for whatever reason).
    fn agrees(&self) -> bool {
        match (&self.ours, &self.theirs) {
            (Outcome::Rejected(_), Outcome::Rejected(_)) => true,
            (a, b) => a == b,
        }
    }

    fn ours_accepts(&self) -> bool {
        matches!(self.ours, Outcome::Accepted(_))
    }

    fn ours_rejects(&self) -> bool {
        matches!(self.ours, Outcome::Rejected(_))
    }

    /// Whether our error is the `ErrorKind` variant `name`.
    fn ours_rejects_with(&self, name: &str) -> bool {
        matches!(&self.ours, Outcome::Rejected(r) if r.split(|c: char| !c.is_alphanumeric()).next() == Some(name))
    }

    fn theirs_rejects(&self) -> bool {
        matches!(self.theirs, Outcome::Rejected(_))
    }

    fn theirs_point(&self) -> Option<&Point> {
        match &self.theirs {
            Outcome::Accepted(p) => Some(p),
            _ => None,
        }
    }
}

fn sorted_tags<'k>(tags: impl Iterator<Item = (&'k str, &'k str)>) -> Vec<(String, String)> {
    let mut tags: Vec<_> = tags.map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tags.sort();
    tags
}

/// Our outcome of each line that is not skipped, by line number.
fn ours_by_line(body: &str) -> Result<BTreeMap<usize, Outcome>, String> {
    let batch = parse_lines(body.as_bytes(), &ParseOptions::new(DEFAULT_TIME));
    let mut out = BTreeMap::new();
    for p in batch.points() {
        let fields = p
            .fields()
            .iter()
            .map(|f| (f.key.to_string(), our_value(&f.value)))
            .collect();
        let point = Point {
            measurement: p.measurement().to_string(),
            tags: sorted_tags(p.tags().iter().map(|t| (&*t.key, &*t.value))),
            fields,
            time: p.time(),
        };
        if out.insert(p.line_number(), Outcome::Accepted(point)).is_some() {
            return Err(format!("two points on line {}", p.line_number()));
        }
    }
    for e in batch.errors() {
        if out
            .insert(e.line_number, Outcome::Rejected(format!("{:?}", e.kind)))
            .is_some()
        {
            return Err(format!("two results for line {}", e.line_number));
        }
    }
    Ok(out)
}

fn our_value(v: &FieldValue<'_>) -> Value {
    match v {
        FieldValue::Float(v) => Value::Float(v.to_bits()),
        FieldValue::Integer(v) => Value::Int(*v),
        FieldValue::Unsigned(v) => Value::UInt(*v),
        FieldValue::Boolean(v) => Value::Bool(*v),
        FieldValue::String(v) => Value::Str(v.to_string()),
    }
}

fn their_value(v: &iox::FieldValue<'_>) -> Value {
    match v {
        iox::FieldValue::I64(v) => Value::Int(*v),
        iox::FieldValue::U64(v) => Value::UInt(*v),
        iox::FieldValue::F64(v) => Value::Float(v.to_bits()),
        iox::FieldValue::String(v) => Value::Str(v.to_string()),
        iox::FieldValue::Boolean(v) => Value::Bool(*v),
    }
}

/// IOx's outcome of one line cut by `split_lines`.
fn theirs(line: &str) -> Result<Outcome, String> {
    let mut results = iox::parse_lines(line);
    let Some(result) = results.next() else {
        return Ok(Outcome::Skipped);
    };
    if results.next().is_some() {
        return Err(format!("IOx found two lines in {line:?}"));
    }
    Ok(match result {
        Err(e) => Outcome::Rejected(format!("{e:?}")),
        Ok(pl) => {
            let tags = pl.series.tag_set.iter().flatten();
            Outcome::Accepted(Point {
                measurement: pl.series.measurement.to_string(),
                tags: sorted_tags(tags.map(|(k, v)| (k.as_str(), v.as_str()))),
                fields: pl
                    .field_set
                    .iter()
                    .map(|(k, v)| (k.to_string(), their_value(v)))
                    .collect(),
                time: pl.timestamp.unwrap_or(DEFAULT_TIME),
            })
        }
    })
}

/// Parses `body` with both parsers and pairs up the results line by line. An error (with the
/// input) when a parser panics or the two do not cut the body into the same lines.
fn compare(body: &str) -> Result<Vec<Case<'_>>, String> {
    let ours = catch_unwind(|| ours_by_line(body)).map_err(|_| format!("our parser panicked on {body:?}"))?;
    let mut ours = ours.map_err(|e| format!("{e} in {body:?}"))?;
    let cases = catch_unwind(AssertUnwindSafe(|| {
        let mut cases = Vec::new();
        let mut line_number = 1;
        let mut consumed = 0; // bytes of `body` before `line`
        for line in iox::split_lines(body) {
            let start = line.as_ptr() as usize - body.as_ptr() as usize;
            line_number += body[consumed..start].bytes().filter(|&c| c == b'\n').count();
            consumed = start;
            let terminated = body.as_bytes().get(start + line.len()) == Some(&b'\n');
            cases.push(Case {
                line,
                terminated,
                ours: ours.remove(&line_number).unwrap_or(Outcome::Skipped),
                theirs: theirs(line)?,
            });
        }
        Ok::<_, String>(cases)
    }))
    .map_err(|_| format!("IOx panicked on {body:?}"))?
    .map_err(|e| format!("{e} (body {body:?})"))?;
    if !ours.is_empty() {
        return Err(format!("our results on lines IOx did not start: {ours:?} in {body:?}"));
    }
    Ok(cases)
}

mod differences;
mod generate;

use differences::{classify, Difference};
use generate::*;

// ---------------------------------------------------------------------------------------
// Tests

const SEEDS: [u64; 4] = [1, 0xC0FFEE, 0x5EED_1234, 20_240_601];

/// Fails with the body when a line disagrees and no listed difference explains it; counts the
/// explained ones by difference, with the shortest line seen of each. Returns the number of lines.
fn check_explained(body: &str, seen: &mut BTreeMap<Difference, (usize, String)>) -> usize {
    let cases = compare(body).unwrap_or_else(|e| panic!("{e}"));
    for c in cases.iter().filter(|c| !c.agrees()) {
        match classify(c) {
            Some(d) => {
                let (n, shortest) = seen.entry(d).or_insert_with(|| (0, c.line.to_string()));
                *n += 1;
                if c.line.len() < shortest.len() {
                    *shortest = c.line.to_string();
                }
            }
            None => panic!(
                "unexplained disagreement on line {:?} of body {body:?}\n  ours:   {:?}\n  theirs: {:?}",
                c.line, c.ours, c.theirs
            ),
        }
    }
    cases.len()
}

#[test]
fn generated_valid_lines_parse_the_same() {
    let (mut bodies, mut lines) = (0, 0);
    for seed in SEEDS {
        let mut rng = Rng(seed);
        for _ in 0..700 {
            let (body, want) = valid_body(&mut rng, FULL);
            let cases = compare(&body).unwrap_or_else(|e| panic!("{e}"));
            let ours: Vec<_> = cases
                .iter()
                .filter(|c| c.ours != Outcome::Skipped)
                .map(|c| &c.ours)
                .collect();
            let theirs: Vec<_> = cases
                .iter()
                .filter(|c| c.theirs != Outcome::Skipped)
                .map(|c| &c.theirs)
                .collect();
            let want: Vec<_> = want.into_iter().map(Outcome::Accepted).collect();
            assert_eq!(ours, want.iter().collect::<Vec<_>>(), "ours, body {body:?}");
            assert_eq!(theirs, want.iter().collect::<Vec<_>>(), "IOx, body {body:?}");
            bodies += 1;
            lines += want.len();
        }
    }
    eprintln!("generated: {bodies} bodies, {lines} lines, all parsed the same by both");
}

#[test]
fn fuzzed_lines_differ_only_in_listed_ways() {
    let mut seen = BTreeMap::new();
    let (mut bodies, mut lines) = (0, 0);
    for seed in SEEDS {
        let mut rng = Rng(seed ^ 0xF022);
        for n in 0..5000 {
            let mut body = if n % 4 == 0 {
                random_line(&mut rng)
            } else {
                valid_body(&mut rng, SMALL).0
            };
            for _ in 0..1 + rng.below(4) {
                mutate(&mut rng, &mut body);
            }
            lines += check_explained(&body, &mut seen);
            bodies += 1;
        }
    }
    eprintln!("fuzzed: {bodies} bodies, {lines} lines; disagreements by difference:");
    for d in Difference::ALL {
        let (n, shortest) = seen.get(&d).cloned().unwrap_or_default();
        eprintln!("  {n:>5}  {d:?}: {}\n         e.g. {shortest:?}", d.describe());
    }
}

#[test]
fn every_listed_difference_has_an_example() {
    for d in Difference::ALL {
        let body = d.example();
        let cases = compare(body).unwrap_or_else(|e| panic!("{e}"));
        let differing: Vec<_> = cases.iter().filter(|c| !c.agrees()).collect();
        assert_eq!(
            differing.len(),
            1,
            "{d:?}: example {body:?} should disagree on one line: {cases:?}"
        );
        assert_eq!(
            classify(differing[0]),
            Some(d),
            "{d:?}: example {body:?}: {:?}",
            differing[0]
        );
    }
}
