//! wire: points between their parsed form and the RPC's. A point crosses as its parts with
//! escapes removed (never re-spelled as line protocol, which cannot spell every parsed
//! point), and is pushed into a [`Batch`] on the other side, so the shard writes it through
//! the same call as a point parsed from a body.

use std::borrow::Cow;

use line_protocol::{Batch, Field, FieldValue, Point, Tag};
use proto::data::{self as pb, field::Value};

/// The RPC form of one point.
pub(crate) fn point_to_wire(p: &Point<'_, '_>) -> pb::Point {
    let mut tags = Vec::with_capacity(p.tags().len() * 2);
    for t in p.tags() {
        tags.push(t.key.to_string());
        tags.push(t.value.to_string());
    }
    let fields = p
        .fields()
        .iter()
        .map(|f| pb::Field {
            key: f.key.to_string(),
            value: Some(match &f.value {
                FieldValue::Float(v) => Value::Float(*v),
                FieldValue::Integer(v) => Value::Integer(*v),
                FieldValue::Unsigned(v) => Value::Unsigned(*v),
                FieldValue::Boolean(v) => Value::Boolean(*v),
                FieldValue::String(s) => Value::String(s.to_string()),
            }),
        })
        .collect();
    pb::Point {
        measurement: p.measurement().to_owned(),
        tags,
        fields,
        time: p.time(),
    }
}

/// The points of a received request as a batch borrowing from it. A malformed point (odd
/// tag list, a field without a value, a repeated tag key) is an error naming it: only a
/// broken or hostile peer sends one, and nothing of the request is written.
pub(crate) fn batch_from_wire(points: &[pb::Point]) -> Result<Batch<'_>, String> {
    let mut batch = Batch::default();
    for (i, p) in points.iter().enumerate() {
        if p.tags.len() % 2 != 0 {
            return Err(format!("point {i}: an odd number of tag strings"));
        }
        if p.fields.is_empty() || p.measurement.is_empty() {
            return Err(format!("point {i}: no measurement or no field"));
        }
        let tags = p.tags.chunks_exact(2).map(|kv| Tag {
            key: Cow::Borrowed(kv[0].as_str()),
            value: Cow::Borrowed(kv[1].as_str()),
        });
        let mut fields = Vec::with_capacity(p.fields.len());
        for f in &p.fields {
            let value = match &f.value {
                Some(Value::Float(v)) => FieldValue::Float(*v),
                Some(Value::Integer(v)) => FieldValue::Integer(*v),
                Some(Value::Unsigned(v)) => FieldValue::Unsigned(*v),
                Some(Value::Boolean(v)) => FieldValue::Boolean(*v),
                Some(Value::String(s)) => FieldValue::String(Cow::Borrowed(s.as_str())),
                None => return Err(format!("point {i}: field {:?} has no value", f.key)),
            };
            fields.push(Field {
                key: Cow::Borrowed(f.key.as_str()),
                value,
            });
        }
        batch
            .push(Cow::Borrowed(p.measurement.as_str()), tags, fields, p.time)
            .map_err(|e| format!("point {i}: {e}"))?;
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use line_protocol::{parse_lines, ParseOptions};

    use super::*;

    #[test]
    fn points_cross_unchanged() {
        let body = "cpu,host=a,zone=x\\ y usage=1.5,n=2i,u=3u,ok=false,s=\"a \\\"q\\\"\" 10\n\
                    m\\,x,b=2,a=1 v=-1 20\n";
        let parsed = parse_lines(body.as_bytes(), &ParseOptions::new(0));
        assert_eq!(parsed.len(), 2);
        let wire: Vec<pb::Point> = parsed.points().map(|p| point_to_wire(&p)).collect();
        let back = batch_from_wire(&wire).unwrap();
        for (a, b) in parsed.points().zip(back.points()) {
            assert_eq!(a.series_key(), b.series_key());
            assert_eq!(a.fields(), b.fields());
            assert_eq!(a.time(), b.time());
        }
    }

    #[test]
    fn a_malformed_point_refuses_the_request() {
        let ok = pb::Point {
            measurement: "m".into(),
            tags: vec![],
            fields: vec![pb::Field {
                key: "v".into(),
                value: Some(Value::Integer(1)),
            }],
            time: 1,
        };
        let odd = pb::Point {
            tags: vec!["k".into()],
            ..ok.clone()
        };
        let dup = pb::Point {
            tags: vec!["k".into(), "1".into(), "k".into(), "2".into()],
            ..ok.clone()
        };
        let empty = pb::Point {
            fields: vec![pb::Field {
                key: "v".into(),
                value: None,
            }],
            ..ok.clone()
        };
        for bad in [odd, dup, empty] {
            let err = batch_from_wire(&[ok.clone(), bad]).unwrap_err();
            assert!(err.starts_with("point 1: "), "{err}");
        }
    }
}
