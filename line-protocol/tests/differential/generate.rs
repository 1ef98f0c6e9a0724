//! Input generation: a seeded generator of valid bodies and of mutations.

use super::*;

/// splitmix64: small, fast, and the same sequence on every platform.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// The most lines per body, tags and fields per line, and pieces per name a generator makes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    lines: usize,
    tags: usize,
    fields: usize,
    pieces: usize,
}

/// For the agreement test: as large as real lines get.
pub(crate) const FULL: Shape = Shape {
    lines: 6,
    tags: 12,
    fields: 12,
    pieces: 4,
};

/// For fuzzing: short lines, so that a mutation matters more and a run costs less.
pub(crate) const SMALL: Shape = Shape {
    lines: 3,
    tags: 4,
    fields: 4,
    pieces: 3,
};

/// Which part of a line a generated name is for: each escapes other bytes.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Part {
    Measurement,
    Tag,
    FieldKey,
}

/// Pieces of names, separated by spaces, that need no escape and mean the same to both parsers.
pub(crate) const PLAIN: &str = "a b c x y z cpu host usage_idle A Z 0 7 _ - . : / é µ 日本 🙂 # \" \\q \\é";

/// A name for `part` as written and as meant. Delimiters are escaped the way both parsers
/// read them: `\,` and `\ ` everywhere, `\=` in tags and field keys (a measurement keeps `=`).
pub(crate) fn name(rng: &mut Rng, part: Part, shape: Shape) -> (String, String) {
    let (mut raw, mut value) = (String::new(), String::new());
    for i in 0..1 + rng.below(shape.pieces) {
        let roll = rng.below(10);
        if roll < 2 {
            let specials: &[char] = if part == Part::Measurement {
                &[',', ' ']
            } else {
                &[',', ' ', '=']
            };
            let c = rng.pick(specials);
            raw.push('\\');
            raw.push(c);
            value.push(c);
        } else if roll == 2 && part == Part::Measurement && i > 0 {
            raw.push('=');
            value.push('=');
        } else if roll == 3 && part == Part::Tag {
            raw.push_str("\\\""); // tags keep this backslash in both parsers
            value.push_str("\\\"");
        } else {
            let pieces: Vec<&str> = PLAIN.split(' ').collect();
            let mut p = rng.pick(&pieces);
            while i == 0 && part == Part::Measurement && p == "#" {
                p = rng.pick(&pieces); // a leading `#` makes a comment
            }
            raw.push_str(p);
            value.push_str(p);
        }
    }
    (raw, value)
}

/// A float as written, in one of many spellings IOx's grammar also accepts.
pub(crate) fn float(rng: &mut Rng) -> String {
    let v: f64 = match rng.below(6) {
        0 => rng.below(1000) as f64,
        1 => (rng.below(2_000_000) as f64 - 1e6) / 1000.0,
        2 => loop {
            let v = f64::from_bits(rng.next_u64());
            if v.is_finite() {
                break v;
            }
        },
        3 => rng.pick(&[
            0.0,
            -0.0,
            1.0,
            -0.25,
            0.1,
            1e3,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            1e-300,
            9007199254740993.0,
        ]),
        4 => (rng.next_u64() >> rng.below(64)) as f64 / 10f64.powi(rng.below(30) as i32),
        _ => {
            // Long mantissas, around the fast paths' 15 and 19 digit limits.
            let digits = |rng: &mut Rng, n: usize| {
                (0..n)
                    .map(|_| char::from(b'0' + rng.below(10) as u8))
                    .collect::<String>()
            };
            let (int, frac) = (1 + rng.below(25), rng.below(25));
            let int = digits(rng, int);
            let sign = if rng.chance(30) { "-" } else { "" };
            return match frac {
                0 => format!("{sign}{int}"),
                n => format!("{sign}{int}.{}", digits(rng, n)),
            };
        }
    };
    match rng.below(6) {
        0 => format!("{v}"),
        1 => format!("{v:e}"),
        2 => format!("{v:E}"),
        3 => {
            let s = format!("{v:e}");
            if s.contains("e-") {
                s
            } else {
                s.replace('e', "e+")
            }
        }
        4 => format!("{v:.*}", 1 + rng.below(25)),
        _ => {
            let s = format!("{}", v.abs());
            format!("{}00{s}", if v.is_sign_negative() { "-" } else { "" })
        }
    }
}

/// A field value as written and as meant.
pub(crate) fn field_value(rng: &mut Rng) -> (String, Value) {
    match rng.below(5) {
        0 => {
            let s = float(rng);
            let v: f64 = s.parse().unwrap_or_else(|e| panic!("generated float {s:?}: {e}"));
            (s, Value::Float(v.to_bits()))
        }
        1 => {
            let v = match rng.below(4) {
                0 => rng.pick(&[i64::MIN, i64::MAX, 0, -1, 1]),
                1 => rng.next_u64() as i64,
                _ => rng.below(2000) as i64 - 1000,
            };
            let s = match rng.below(5) {
                0 if v >= 0 => format!("00{v}i"),
                1 if v == 0 => "-0i".to_string(),
                _ => format!("{v}i"),
            };
            (s, Value::Int(v))
        }
        2 => {
            let v = match rng.below(3) {
                0 => rng.pick(&[0, 1, u64::MAX, i64::MAX as u64 + 1]),
                1 => rng.next_u64(),
                _ => rng.below(1000) as u64,
            };
            let zeros = if rng.chance(15) { "0" } else { "" };
            (format!("{zeros}{v}u"), Value::UInt(v))
        }
        3 => {
            let (s, v) = rng.pick(&[
                ("t", true),
                ("T", true),
                ("true", true),
                ("True", true),
                ("TRUE", true),
                ("f", false),
                ("F", false),
                ("false", false),
                ("False", false),
                ("FALSE", false),
            ]);
            (s.to_string(), Value::Bool(v))
        }
        _ => {
            const CHARS: &[char] = &[
                'a', 'z', ' ', ',', '=', '"', '\\', '\n', '\t', '\r', '#', 'é', '🙂', '0', 'n',
            ];
            let text: String = (0..rng.below(12)).map(|_| rng.pick(CHARS)).collect();
            let raw = text.replace('\\', "\\\\").replace('"', "\\\"");
            (format!("\"{raw}\""), Value::Str(text))
        }
    }
}

/// A timestamp as written and its value, or none.
pub(crate) fn timestamp(rng: &mut Rng) -> Option<(String, i64)> {
    let t = match rng.below(10) {
        0..=3 => return None,
        4 => rng.pick(&[MIN_NANOS, MAX_NANOS, 0, -1, 1]),
        5 => return Some(("-0".to_string(), 0)),
        6 => {
            let t = rng.below(1000);
            return Some((format!("000{t}"), t as i64));
        }
        7 => rng.below(2000) as i64 - 1000,
        _ => loop {
            let t = rng.next_u64() as i64;
            if (MIN_NANOS..=MAX_NANOS).contains(&t) {
                break t;
            }
        },
    };
    Some((t.to_string(), t))
}

pub(crate) fn spaces(rng: &mut Rng) -> &'static str {
    if rng.chance(85) {
        " "
    } else {
        rng.pick(&["  ", "   "])
    }
}

/// A well-formed line and the point it means.
pub(crate) fn valid_line(rng: &mut Rng, shape: Shape) -> (String, Point) {
    let mut line = String::new();
    let (raw, measurement) = name(rng, Part::Measurement, shape);
    if rng.chance(10) {
        // quirk: a space starts `scanLine`'s field mode, where a `=` in the measurement
        // would let a later `"` quote newlines (in both parsers).
        line.push_str(if raw.contains('=') {
            "\t"
        } else {
            rng.pick(&[" ", "\t", "  \t "])
        });
    }
    line.push_str(&raw);
    let mut tags = Vec::new();
    for _ in 0..rng.below(shape.tags + 1) {
        let (k_raw, k) = name(rng, Part::Tag, shape);
        let (v_raw, v) = name(rng, Part::Tag, shape);
        if tags.iter().any(|(key, _)| *key == k) {
            continue; // duplicate keys are a listed difference
        }
        line.push_str(&format!(",{k_raw}={v_raw}"));
        tags.push((k, v));
    }
    tags.sort();
    line.push_str(spaces(rng));
    let mut fields = Vec::new();
    for i in 0..1 + rng.below(shape.fields) {
        let (k_raw, k) = name(rng, Part::FieldKey, shape);
        let (v_raw, v) = field_value(rng);
        if i > 0 {
            line.push(',');
        }
        line.push_str(&format!("{k_raw}={v_raw}"));
        fields.push((k, v));
    }
    let time = match timestamp(rng) {
        None => DEFAULT_TIME,
        Some((raw, t)) => {
            line.push_str(spaces(rng));
            line.push_str(&raw);
            if rng.chance(10) {
                line.push_str(spaces(rng)); // IOx allows trailing spaces only after a timestamp
            }
            t
        }
    };
    let point = Point {
        measurement,
        tags,
        fields,
        time,
    };
    (line, point)
}

/// A body of well-formed lines, with blank and comment lines between, and its points.
pub(crate) fn valid_body(rng: &mut Rng, shape: Shape) -> (String, Vec<Point>) {
    let (mut body, mut points) = (String::new(), Vec::new());
    for i in 0..1 + rng.below(shape.lines) {
        if i > 0 {
            body.push('\n');
        }
        while rng.chance(15) {
            body.push_str(rng.pick(&["", "   ", "\t", "# a comment", "  # x=1,y=2 3", "#"]));
            body.push('\n');
        }
        let (line, point) = valid_line(rng, shape);
        body.push_str(&line);
        points.push(point);
    }
    if rng.chance(50) {
        body.push('\n');
    }
    (body, points)
}

/// What mutations insert: heavy in the bytes that matter to line protocol.
pub(crate) const ALPHABET: &[char] = &[
    ',', ',', ',', '=', '=', '=', '"', '"', '\\', '\\', '\\', ' ', ' ', ' ', '\t', '\n', '\n', '#', '-', '.', 'e', 'E',
    'i', 'u', 't', 'f', 'T', 'F', 'r', 'a', 'l', 's', '+', 'N', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '\r',
    '\0', 'é',
];

/// Tokens worth inserting whole.
pub(crate) const TOKENS: &[&str] = &[
    "1.",
    ".5",
    "-.5",
    "1.e5",
    "1e400",
    "-1e400",
    "NaN",
    "inf",
    "1e",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808i",
    "18446744073709551616u",
    "-1u",
    "\\\\",
    "\\",
    "\t",
    "\0",
    "\r\n",
    "\n",
    "#",
    "\"",
    "\"\"",
    "=",
    ",",
    " ",
    "true",
    "FALSE",
    "tRuE",
    ",t=1",
    ",t=1,t=2",
    " v=1",
    "=\"x\"",
];

/// Changes `s` once: a byte or token inserted, deleted or replaced, a truncation, an extreme
/// timestamp, or a `,…` section (a tag or field) duplicated.
pub(crate) fn mutate(rng: &mut Rng, s: &mut String) {
    let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
    let at = rng.pick(&bounds);
    let next = bounds.iter().copied().find(|&b| b > at);
    match rng.below(13) {
        0..=3 => s.insert(at, rng.pick(ALPHABET)),
        4 | 5 => s.insert_str(at, rng.pick(TOKENS)),
        6 | 7 => {
            if let Some(n) = next {
                s.replace_range(at..n, "");
            }
        }
        8 | 9 => {
            if let Some(n) = next {
                s.replace_range(at..n, &rng.pick(ALPHABET).to_string());
            }
        }
        10 => s.truncate(at),
        11 => {
            // A timestamp at or past the ends of the range.
            let end = s.rfind(' ').map_or(s.len(), |i| i + 1);
            s.truncate(end);
            s.push_str(rng.pick(&[
                "9223372036854775807",
                "-9223372036854775808",
                "-9223372036854775807",
                "9223372036854775806",
            ]));
        }
        _ => {
            if let Some(c) = s[at..].find(',').map(|c| at + c) {
                let end = s[c + 1..].find([',', ' ', '\n']).map_or(s.len(), |e| c + 1 + e);
                let section = s[c..end].to_string();
                s.insert_str(end, &section);
            }
        }
    }
}

/// A short line of random bytes from the alphabet.
pub(crate) fn random_line(rng: &mut Rng) -> String {
    (0..1 + rng.below(16)).map(|_| rng.pick(ALPHABET)).collect()
}
