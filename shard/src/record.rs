//! record: the WAL payload of one write request, and its decoding on replay.
//!
//! A record carries the series and fields the write created (so that replay can rebuild
//! index entries that had not reached the disk) and then the points by id:
//!
//! ```text
//! kind u8 (1 = write)
//! new series:  count, then per series: id, measurement, tag count, (key, value)*
//! new fields:  count, then per field: measurement, name, type u8, id
//! points:      count, then per point: series id, time (zigzag), field count, (field id, value)*
//! value:       float f64 LE | integer zigzag | unsigned | boolean u8 | string (len, bytes)
//! ```
//! Integers are LEB128 varints, strings a varint length and UTF-8 bytes. The field id says
//! the value's type (the field's type is fixed in the shard).

use block::FieldType;
use line_protocol::FieldValue;

/// A record kind byte.
const KIND_WRITE: u8 = 1;

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// The byte that stands for a field type in WAL records and in the `fields` CF.
pub(crate) fn type_code(t: FieldType) -> u8 {
    match t {
        FieldType::Float => 1,
        FieldType::Integer => 2,
        FieldType::Unsigned => 3,
        FieldType::Boolean => 4,
        FieldType::String => 5,
    }
}

pub(crate) fn type_from_code(b: u8) -> Option<FieldType> {
    Some(match b {
        1 => FieldType::Float,
        2 => FieldType::Integer,
        3 => FieldType::Unsigned,
        4 => FieldType::Boolean,
        5 => FieldType::String,
        _ => return None,
    })
}

/// Builds one write record.
#[derive(Debug, Default)]
pub(crate) struct RecordWriter {
    series: Vec<u8>,
    series_count: u64,
    fields: Vec<u8>,
    fields_count: u64,
    points: Vec<u8>,
    points_count: u64,
}

impl RecordWriter {
    pub(crate) fn new_series(&mut self, id: u64, measurement: &str, tags: &[(&str, &str)]) {
        put_varint(&mut self.series, id);
        put_str(&mut self.series, measurement);
        put_varint(&mut self.series, tags.len() as u64);
        for (k, v) in tags {
            put_str(&mut self.series, k);
            put_str(&mut self.series, v);
        }
        self.series_count += 1;
    }

    pub(crate) fn new_field(&mut self, measurement: &str, name: &str, t: FieldType, id: u32) {
        put_str(&mut self.fields, measurement);
        put_str(&mut self.fields, name);
        self.fields.push(type_code(t));
        put_varint(&mut self.fields, u64::from(id));
        self.fields_count += 1;
    }

    /// Starts a point; follow with `field_count` calls of [`RecordWriter::value`].
    pub(crate) fn point(&mut self, series: u64, time: i64, field_count: usize) {
        put_varint(&mut self.points, series);
        put_varint(&mut self.points, zigzag(time));
        put_varint(&mut self.points, field_count as u64);
        self.points_count += 1;
    }

    pub(crate) fn value(&mut self, field: u32, v: &FieldValue<'_>) {
        put_varint(&mut self.points, u64::from(field));
        match v {
            FieldValue::Float(x) => self.points.extend_from_slice(&x.to_le_bytes()),
            FieldValue::Integer(x) => put_varint(&mut self.points, zigzag(*x)),
            FieldValue::Unsigned(x) => put_varint(&mut self.points, *x),
            FieldValue::Boolean(x) => self.points.push(u8::from(*x)),
            FieldValue::String(s) => put_str(&mut self.points, s),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.points_count == 0 && self.series_count == 0 && self.fields_count == 0
    }

    pub(crate) fn finish(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.series.len() + self.fields.len() + self.points.len() + 32);
        out.push(KIND_WRITE);
        put_varint(&mut out, self.series_count);
        out.extend_from_slice(&self.series);
        put_varint(&mut out, self.fields_count);
        out.extend_from_slice(&self.fields);
        put_varint(&mut out, self.points_count);
        out.extend_from_slice(&self.points);
        out
    }
}

/// What a replayed record holds, handed to the shard piece by piece.
pub(crate) trait Replay {
    fn series(&mut self, id: u64, measurement: &str, tags: &[(&str, &str)]);
    fn field(&mut self, measurement: &str, name: &str, t: FieldType, id: u32);
    /// The type of a field id, known from the shard or from an earlier `field` call.
    fn field_type(&self, id: u32) -> Option<FieldType>;
    fn value(&mut self, series: u64, field: u32, time: i64, v: FieldValue<'_>);
}

/// Decodes a record into `to`. A record passed its CRC, so a failure here means a bug or a
/// record from another format: the error says where.
pub(crate) fn replay(mut b: &[u8], to: &mut impl Replay) -> Result<(), String> {
    let r = &mut b;
    let kind = byte(r)?;
    if kind != KIND_WRITE {
        return Err(format!("unknown record kind {kind}"));
    }
    for _ in 0..varint(r)? {
        let id = varint(r)?;
        let m = string(r)?;
        let n = varint(r)?;
        let mut tags = Vec::with_capacity(n.min(1024) as usize);
        for _ in 0..n {
            tags.push((string(r)?, string(r)?));
        }
        to.series(id, m, &tags);
    }
    for _ in 0..varint(r)? {
        let m = string(r)?;
        let name = string(r)?;
        let t = type_from_code(byte(r)?).ok_or("bad field type")?;
        let id = u32::try_from(varint(r)?).map_err(|_| "field id out of range")?;
        to.field(m, name, t, id);
    }
    for _ in 0..varint(r)? {
        let series = varint(r)?;
        let time = unzigzag(varint(r)?);
        for _ in 0..varint(r)? {
            let field = u32::try_from(varint(r)?).map_err(|_| "field id out of range")?;
            let v = match to
                .field_type(field)
                .ok_or_else(|| format!("value of unknown field {field}"))?
            {
                FieldType::Float => {
                    FieldValue::Float(f64::from_le_bytes(take(r, 8)?.try_into().map_err(|_| "short float")?))
                }
                FieldType::Integer => FieldValue::Integer(unzigzag(varint(r)?)),
                FieldType::Unsigned => FieldValue::Unsigned(varint(r)?),
                FieldType::Boolean => FieldValue::Boolean(byte(r)? != 0),
                FieldType::String => FieldValue::String(string(r)?.into()),
            };
            to.value(series, field, time, v);
        }
    }
    if !r.is_empty() {
        return Err(format!("{} bytes left over", r.len()));
    }
    Ok(())
}

fn take<'a>(r: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if r.len() < n {
        return Err(format!("record ends early: need {n} bytes, {} left", r.len()));
    }
    let (head, tail) = r.split_at(n);
    *r = tail;
    Ok(head)
}

fn byte(r: &mut &[u8]) -> Result<u8, String> {
    Ok(take(r, 1)?[0])
}

fn varint(r: &mut &[u8]) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = byte(r)?;
        v |= u64::from(b & 0x7F) << shift;
        if b < 0x80 {
            return Ok(v);
        }
    }
    Err("varint longer than 10 bytes".into())
}

fn string<'a>(r: &mut &'a [u8]) -> Result<&'a str, String> {
    let n = varint(r)?;
    let n = usize::try_from(n).map_err(|_| "string length out of range")?;
    std::str::from_utf8(take(r, n)?).map_err(|e| format!("string is not UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[derive(Default)]
    struct Collect {
        types: HashMap<u32, FieldType>,
        log: Vec<String>,
    }

    impl Replay for Collect {
        fn series(&mut self, id: u64, m: &str, tags: &[(&str, &str)]) {
            self.log.push(format!("series {id} {m} {tags:?}"));
        }
        fn field(&mut self, m: &str, name: &str, t: FieldType, id: u32) {
            self.types.insert(id, t);
            self.log.push(format!("field {id} {m}.{name} {}", t.name()));
        }
        fn field_type(&self, id: u32) -> Option<FieldType> {
            self.types.get(&id).copied()
        }
        fn value(&mut self, s: u64, f: u32, t: i64, v: FieldValue<'_>) {
            self.log.push(format!("value {s}/{f}@{t} {v:?}"));
        }
    }

    #[test]
    fn a_record_replays_what_was_written() {
        let mut w = RecordWriter::default();
        w.new_series(7, "cpu", &[("host", "a")]);
        w.new_field("cpu", "v", FieldType::Float, 0);
        w.new_field("cpu", "s", FieldType::String, 1);
        w.new_field("cpu", "n", FieldType::Integer, 2);
        w.point(7, -5, 3);
        w.value(0, &FieldValue::Float(1.5));
        w.value(1, &FieldValue::String("x y".into()));
        w.value(2, &FieldValue::Integer(i64::MIN));
        let bytes = w.finish();
        let mut c = Collect::default();
        replay(&bytes, &mut c).unwrap();
        assert_eq!(
            c.log,
            vec![
                "series 7 cpu [(\"host\", \"a\")]",
                "field 0 cpu.v float",
                "field 1 cpu.s string",
                "field 2 cpu.n integer",
                "value 7/0@-5 Float(1.5)",
                "value 7/1@-5 String(\"x y\")",
                "value 7/2@-5 Integer(-9223372036854775808)",
            ]
        );
        // Every truncation is an error, never a panic.
        for cut in 0..bytes.len() {
            assert!(replay(&bytes[..cut], &mut Collect::default()).is_err(), "cut at {cut}");
        }
    }
}
