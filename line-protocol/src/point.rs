//! Parsed points: a [`Batch`] holds every point of one request body in three flat vectors
//! (points, tags, fields), so parsing allocates per body, not per point, and every string
//! borrows from the body unless an escape had to be removed.

use std::borrow::Cow;

use crate::error::LineError;
use crate::series_key;

/// The points and the rejected lines of one request body.
#[derive(Debug, Default)]
pub struct Batch<'a> {
    /// One entry per accepted line, in body order.
    pub(crate) points: Vec<PointData<'a>>,
    /// Tags of all points; each point owns a contiguous run, sorted by key.
    pub(crate) tags: Vec<Tag<'a>>,
    /// Fields of all points; each point owns a contiguous run, in written order.
    pub(crate) fields: Vec<Field<'a>>,
    /// Rejected lines, in body order.
    pub(crate) errors: Vec<LineError<'a>>,
    /// The body holds more points than [`Limits::max_points`](crate::Limits); parsing
    /// stopped at the first one past it.
    pub(crate) too_many_points: bool,
}

/// Where one point's parts live in its [`Batch`].
#[derive(Debug, Clone)]
pub(crate) struct PointData<'a> {
    pub(crate) measurement: Cow<'a, str>,
    /// This point's run in `Batch::tags`, as (start, end) indexes.
    pub(crate) tags: (u32, u32),
    /// This point's run in `Batch::fields`, as (start, end) indexes.
    pub(crate) fields: (u32, u32),
    /// Nanoseconds since the Unix epoch.
    pub(crate) time: i64,
    /// 1-based physical line number where the point's line starts.
    pub(crate) line_number: u32,
}

/// A tag, escapes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag<'a> {
    pub key: Cow<'a, str>,
    pub value: Cow<'a, str>,
}

/// A field, escapes removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<'a> {
    pub key: Cow<'a, str>,
    pub value: FieldValue<'a>,
}

/// A field value. Integers are `i`-suffixed in line protocol, unsigned `u`-suffixed.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    Float(f64),
    Integer(i64),
    Unsigned(u64),
    Boolean(bool),
    /// The string with `\\` and `\"` unescaped.
    String(Cow<'a, str>),
}

impl FieldValue<'_> {
    /// The type name as InfluxDB prints it in `SHOW FIELD KEYS` and error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Float(_) => "float",
            Self::Integer(_) => "integer",
            Self::Unsigned(_) => "unsigned",
            Self::Boolean(_) => "boolean",
            Self::String(_) => "string",
        }
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> FieldValue<'static> {
        match self {
            Self::Float(v) => FieldValue::Float(v),
            Self::Integer(v) => FieldValue::Integer(v),
            Self::Unsigned(v) => FieldValue::Unsigned(v),
            Self::Boolean(v) => FieldValue::Boolean(v),
            Self::String(s) => FieldValue::String(Cow::Owned(s.into_owned())),
        }
    }
}

/// One parsed point, a view into its [`Batch`].
#[derive(Debug, Clone, Copy)]
pub struct Point<'b, 'a> {
    batch: &'b Batch<'a>,
    data: &'b PointData<'a>,
}

impl<'b, 'a> Point<'b, 'a> {
    /// The measurement name, escapes removed.
    pub fn measurement(&self) -> &'b str {
        &self.data.measurement
    }

    /// Tags sorted by key as InfluxDB sorts them (see [`crate::cmp_tag_keys`]); keys are unique.
    pub fn tags(&self) -> &'b [Tag<'a>] {
        let (s, e) = self.data.tags;
        &self.batch.tags[s as usize..e as usize]
    }

    /// Fields in the order written; a key may repeat (the last one wins when stored).
    pub fn fields(&self) -> &'b [Field<'a>] {
        let (s, e) = self.data.fields;
        &self.batch.fields[s as usize..e as usize]
    }

    /// Nanoseconds since the Unix epoch: the line's timestamp scaled by the precision, or
    /// the caller's default time truncated to the precision.
    pub fn time(&self) -> i64 {
        self.data.time
    }

    /// 1-based physical line number where the point's line starts in the body.
    pub fn line_number(&self) -> usize {
        self.data.line_number as usize
    }

    /// Appends the canonical series key (see [`series_key::append_series_key`]).
    pub fn append_series_key(&self, out: &mut String) {
        series_key::append_series_key(
            out,
            self.measurement(),
            self.tags().iter().map(|t| (&*t.key, &*t.value)),
        );
    }

    /// The canonical series key.
    pub fn series_key(&self) -> String {
        let mut out = String::with_capacity(64);
        self.append_series_key(&mut out);
        out
    }
}

/// The memory of a parsed batch, emptied, for [`crate::parse_lines_into`] to fill again.
#[derive(Debug, Default)]
pub struct Buffers {
    points: Vec<PointData<'static>>,
    tags: Vec<Tag<'static>>,
    fields: Vec<Field<'static>>,
    errors: Vec<LineError<'static>>,
}

impl Buffers {
    pub(crate) fn into_batch<'a>(self) -> Batch<'a> {
        Batch {
            points: relabel(self.points),
            tags: relabel(self.tags),
            fields: relabel(self.fields),
            errors: relabel(self.errors),
            too_many_points: false,
        }
    }
}

/// An empty vector of `T<'x>` as one of `T<'y>`, keeping its allocation: the elements only
/// differ in lifetime, so the standard library collects in place.
fn relabel<A, B>(mut v: Vec<A>) -> Vec<B> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
}

impl<'a> Batch<'a> {
    /// Empties the batch and keeps its memory for the next body.
    pub fn recycle(self) -> Buffers {
        Buffers {
            points: relabel(self.points),
            tags: relabel(self.tags),
            fields: relabel(self.fields),
            errors: relabel(self.errors),
        }
    }

    /// Appends a point given by its parts rather than parsed from a body: one that another
    /// node parsed and sent on. Tags are sorted here as the parser sorts them; a repeated tag
    /// key is refused and nothing is appended. Its line number is its position in the batch.
    pub fn push(
        &mut self,
        measurement: Cow<'a, str>,
        tags: impl IntoIterator<Item = Tag<'a>>,
        fields: impl IntoIterator<Item = Field<'a>>,
        time: i64,
    ) -> Result<(), crate::ErrorKind> {
        let (tags_start, fields_start) = (self.tags.len(), self.fields.len());
        self.tags.extend(tags);
        if let Err(e) = crate::parser::sort_tags(&mut self.tags[tags_start..], true) {
            self.tags.truncate(tags_start);
            return Err(e);
        }
        self.fields.extend(fields);
        let line_number = u32::try_from(self.points.len() + 1).unwrap_or(u32::MAX);
        self.points.push(PointData {
            measurement,
            tags: (index(tags_start), index(self.tags.len())),
            fields: (index(fields_start), index(self.fields.len())),
            time,
            line_number,
        });
        Ok(())
    }

    /// Accepted points, in body order.
    pub fn points(&self) -> impl ExactSizeIterator<Item = Point<'_, 'a>> + '_ {
        self.points.iter().map(move |data| Point { batch: self, data })
    }

    /// The `i`-th accepted point.
    pub fn point(&self, i: usize) -> Option<Point<'_, 'a>> {
        self.points.get(i).map(|data| Point { batch: self, data })
    }

    /// Number of accepted points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when no line was accepted.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Whether the body held more points than [`Limits::max_points`](crate::Limits): parsing
    /// stopped there, and the body is to be refused whole.
    pub fn exceeds_max_points(&self) -> bool {
        self.too_many_points
    }

    /// Number of field values over all accepted points.
    pub fn value_count(&self) -> usize {
        self.fields.len()
    }

    /// Rejected lines, in body order.
    pub fn errors(&self) -> &[LineError<'a>] {
        &self.errors
    }

    /// All parse errors as InfluxDB reports them: one `unable to parse '…': …` per rejected
    /// line, joined with `\n`. `None` when every line parsed.
    pub fn error_text(&self) -> Option<String> {
        if self.errors.is_empty() {
            return None;
        }
        let texts: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        Some(texts.join("\n"))
    }
}

/// A run index into a batch's vectors; a batch is bounded far below 4 G tags or fields by
/// the body limits, and by the RPC message limit for pushed points.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use crate::{parse_lines, parse_lines_into, ParseOptions};

    #[test]
    fn recycled_memory_is_reused() {
        let first = "cpu,host=a,region=eu v=1,w=2 1\n".repeat(100);
        let batch = parse_lines(first.as_bytes(), &ParseOptions::new(0));
        let (tags, fields) = (batch.tags.capacity(), batch.fields.capacity());
        assert!(tags >= 200 && fields >= 200);
        let buffers = batch.recycle();
        let second = String::from("m,t=1 v=2 3\nbad\n");
        let batch = parse_lines_into(second.as_bytes(), &ParseOptions::new(0), buffers);
        assert_eq!(batch.len(), 1);
        assert_eq!(batch.errors().len(), 1);
        assert_eq!(batch.point(0).unwrap().tags()[0].value, "1");
        assert_eq!(
            (batch.tags.capacity(), batch.fields.capacity()),
            (tags, fields),
            "same allocations"
        );
    }

    #[test]
    fn a_pushed_point_is_the_point_that_was_parsed() {
        use super::{Batch, Field, Tag};
        use std::borrow::Cow;
        let line = "cpu\\ x,zone=b\\,c,host=a v=1.5,n=-3i,u=7u,ok=true,s=\"q\\\"\" 42\n";
        let parsed = parse_lines(line.as_bytes(), &ParseOptions::new(0));
        let p = parsed.point(0).unwrap();
        let mut pushed = Batch::default();
        // Tags in the wrong order: push sorts them.
        let mut tags: Vec<Tag<'_>> = p.tags().to_vec();
        tags.reverse();
        pushed
            .push(Cow::Borrowed(p.measurement()), tags, p.fields().to_vec(), p.time())
            .unwrap();
        let q = pushed.point(0).unwrap();
        assert_eq!(q.series_key(), p.series_key());
        assert_eq!(q.fields(), p.fields());
        assert_eq!(q.time(), 42);
        let dup = vec![
            Tag {
                key: "a".into(),
                value: "1".into(),
            },
            Tag {
                key: "a".into(),
                value: "2".into(),
            },
        ];
        let field = vec![Field {
            key: "v".into(),
            value: super::FieldValue::Integer(1),
        }];
        assert!(pushed.push("m".into(), dup, field, 1).is_err());
        assert_eq!(pushed.len(), 1, "a refused point leaves nothing behind");
        assert_eq!(pushed.tags.len(), 2);
    }
}
