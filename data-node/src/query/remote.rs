//! remote: a shard replica on another data node, read through the same [`ShardReader`]
//! trait as a local one, and the other side of it: the answers a node gives its peers from
//! its own replicas (through [`LocalReader`], so that both sides read alike). Every type a
//! reader passes crosses as its `proto::data` message, converted here and nowhere else.
//!
//! A reader tries the shard's owners in order (this node's caller left itself out) and
//! stays with the first that answers: series ids are per replica, so a query reads all of a
//! shard from one of them. An owner that fails before the reader settles is skipped with no
//! error; one that fails after it is an error naming the shard and the node.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use meta::DataNode;
use proto::data::{self as pb, column, predicate, scalar};
use shard::{FieldType, SeriesInfo, TagPredicate, Values};

use super::partial::{Needs, Partial, Picked, ValueKind};
use super::reader::{LocalReader, Partials, ShardReader};
use super::result::Value;
use super::window::Window;
use crate::rpc::{PeerError, Peers};
use crate::store::Store;

/// A shard read on the data nodes that own it.
#[derive(Debug)]
pub struct RemoteReader {
    shard: pb::ShardRef,
    range: (i64, i64),
    /// The owners to try, in order.
    owners: Vec<DataNode>,
    /// The owner that answered first; every later call goes to it.
    settled: Mutex<Option<usize>>,
    peers: Arc<Peers>,
    timeout: Duration,
    runtime: tokio::runtime::Handle,
}

impl RemoteReader {
    pub fn new(
        shard: (u64, &str, &str),
        range: (i64, i64),
        owners: Vec<DataNode>,
        peers: Arc<Peers>,
        timeout: Duration,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        Self {
            shard: pb::ShardRef {
                id: shard.0,
                database: shard.1.to_owned(),
                policy: shard.2.to_owned(),
            },
            range,
            owners,
            settled: Mutex::new(None),
            peers,
            timeout,
            runtime,
        }
    }

    /// Makes one call on the settled owner, or on each owner in turn until one answers.
    fn call<T: Clone, R, F, Fut>(&self, body: T, f: F) -> shard::Result<R>
    where
        F: Fn(pb::data_node_client::DataNodeClient<tonic::transport::Channel>, tonic::Request<T>) -> Fut,
        Fut: std::future::Future<Output = Result<tonic::Response<R>, tonic::Status>>,
    {
        let settled = *self.settled.lock().unwrap_or_else(|e| e.into_inner());
        let candidates: Vec<usize> = match settled {
            Some(i) => vec![i],
            None => (0..self.owners.len()).collect(),
        };
        let mut failures: Vec<PeerError> = Vec::new();
        for i in candidates {
            let node = &self.owners[i];
            let answer = self
                .runtime
                .block_on(self.peers.call(node, body.clone(), self.timeout, &f));
            match answer {
                Ok(r) => {
                    *self.settled.lock().unwrap_or_else(|e| e.into_inner()) = Some(i);
                    return Ok(r);
                }
                Err(e) => {
                    tracing::debug!(shard = self.shard.id, error = %e, "a replica did not answer");
                    failures.push(e);
                }
            }
        }
        let tried: Vec<String> = failures.iter().map(ToString::to_string).collect();
        let owners: Vec<String> = self.owners.iter().map(|n| n.id.to_string()).collect();
        Err(shard::Error::Remote(format!(
            "shard {} cannot be read: no owner answered (data nodes {}): {}",
            self.shard.id,
            owners.join(", "),
            tried.join("; ")
        )))
    }

    fn shard_call(&self, measurement: &str, tag_key: &str, predicate: Option<&TagPredicate>) -> pb::ShardCall {
        pb::ShardCall {
            shard: Some(self.shard.clone()),
            measurement: measurement.to_owned(),
            tag_key: tag_key.to_owned(),
            predicate: predicate.map(predicate_to_wire),
            lo: 0,
            hi: 0,
        }
    }
}

impl ShardReader for RemoteReader {
    fn id(&self) -> u64 {
        self.shard.id
    }

    fn time_range(&self) -> (i64, i64) {
        self.range
    }

    fn measurements(&self) -> shard::Result<Vec<String>> {
        let call = self.shard_call("", "", None);
        Ok(self
            .call(call, |mut c, r| async move { c.measurements(r).await })?
            .names)
    }

    fn tag_keys(&self, measurement: &str) -> shard::Result<Vec<String>> {
        let call = self.shard_call(measurement, "", None);
        Ok(self.call(call, |mut c, r| async move { c.tag_keys(r).await })?.names)
    }

    fn tag_values(&self, measurement: &str, key: &str) -> shard::Result<Vec<String>> {
        let call = self.shard_call(measurement, key, None);
        Ok(self.call(call, |mut c, r| async move { c.tag_values(r).await })?.names)
    }

    fn fields(&self, measurement: &str) -> shard::Result<Vec<(String, FieldType)>> {
        let call = self.shard_call(measurement, "", None);
        let list = self.call(call, |mut c, r| async move { c.fields(r).await })?;
        Ok(list
            .names
            .into_iter()
            .zip(list.kinds.into_iter().map(field_type_from_wire))
            .collect())
    }

    fn series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<Vec<SeriesInfo>> {
        let call = self.shard_call(measurement, "", predicate);
        let list = self.call(call, |mut c, r| async move { c.series(r).await })?;
        Ok(list.series.into_iter().map(series_from_wire).collect())
    }

    fn points(&self, series: &SeriesInfo, field: &str, lo: i64, hi: i64) -> shard::Result<Option<(Vec<i64>, Values)>> {
        self.points_limited(series, field, lo, hi, 0, false)
    }

    fn points_limited(
        &self,
        series: &SeriesInfo,
        field: &str,
        lo: i64,
        hi: i64,
        limit: usize,
        from_end: bool,
    ) -> shard::Result<Option<(Vec<i64>, Values)>> {
        let call = pb::PointsCall {
            shard: Some(self.shard.clone()),
            series: Some(series_to_wire(series)),
            field: field.to_owned(),
            lo,
            hi,
            limit: limit as u64,
            from_end,
        };
        let reply = self.call(call, |mut c, r| async move { c.points(r).await })?;
        if !reply.found {
            return Ok(None);
        }
        let values = values_from_wire(reply.values).ok_or_else(|| self.garbled("a points reply without values"))?;
        Ok(Some((reply.times, values)))
    }

    fn aggregate(
        &self,
        groups: &[Vec<SeriesInfo>],
        field: &str,
        window: &Window,
        needs: Needs,
    ) -> shard::Result<Vec<Partials>> {
        let call = pb::AggregateCall {
            shard: Some(self.shard.clone()),
            groups: groups
                .iter()
                .map(|g| pb::SeriesList {
                    series: g.iter().map(series_to_wire).collect(),
                })
                .collect(),
            field: field.to_owned(),
            window: Some(window_to_wire(window)),
            variance: needs.variance,
            extreme_times: needs.extreme_times,
            picks: needs.picks,
        };
        let reply = self.call(call, |mut c, r| async move { c.aggregate(r).await })?;
        if reply.groups.len() != groups.len() {
            return Err(self.garbled("an aggregate reply with another number of groups"));
        }
        reply
            .groups
            .into_iter()
            .map(|g| {
                let buckets = g
                    .buckets
                    .into_iter()
                    .map(|b| Ok((b.start, partial_from_wire(b.partial.unwrap_or_default())?)))
                    .collect::<Result<Vec<_>, &'static str>>()
                    .map_err(|what| self.garbled(what))?;
                Ok(Partials {
                    buckets,
                    points: g.points,
                })
            })
            .collect()
    }

    fn delete(&self, measurement: &str, predicate: Option<&TagPredicate>, lo: i64, hi: i64) -> shard::Result<()> {
        let mut call = self.shard_call(measurement, "", predicate);
        (call.lo, call.hi) = (lo, hi);
        self.call(call, |mut c, r| async move { c.delete(r).await }).map(drop)
    }

    fn drop_series(&self, measurement: &str, predicate: Option<&TagPredicate>) -> shard::Result<()> {
        let call = self.shard_call(measurement, "", predicate);
        self.call(call, |mut c, r| async move { c.drop_series(r).await })
            .map(drop)
    }

    fn drop_measurement(&self, measurement: &str) -> shard::Result<()> {
        let call = self.shard_call(measurement, "", None);
        self.call(call, |mut c, r| async move { c.drop_measurement(r).await })
            .map(drop)
    }
}

impl RemoteReader {
    fn garbled(&self, what: &str) -> shard::Error {
        shard::Error::Remote(format!("shard {}: {what} from its owner", self.shard.id))
    }
}

// --- The serving side: a peer's call answered from this node's replica. ---

/// Why a call cannot be answered.
pub(crate) type Refusal = tonic::Status;

/// The local replica a call names, if this node has it; `None` reads as an empty shard.
fn replica(store: &Store, shard: Option<&pb::ShardRef>) -> Result<Option<LocalReader>, Refusal> {
    let shard = shard.ok_or_else(|| Refusal::invalid_argument("a call without a shard"))?;
    match store.open_existing(&shard.database, &shard.policy, shard.id) {
        Ok(Some(local)) => Ok(Some(LocalReader::new(local, (i64::MIN, i64::MAX)))),
        Ok(None) => Ok(None),
        Err(e) => Err(storage_refusal(e)),
    }
}

fn storage_refusal(e: shard::Error) -> Refusal {
    tracing::error!(error = %e, "a peer's shard read failed");
    Refusal::internal(crate::redact::paths(&e.client_text()))
}

/// What a [`pb::ShardCall`] asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Listing {
    Measurements,
    TagKeys,
    TagValues,
}

pub(crate) fn answer_names(store: &Store, call: &pb::ShardCall, what: Listing) -> Result<pb::Names, Refusal> {
    let Some(r) = replica(store, call.shard.as_ref())? else {
        return Ok(pb::Names::default());
    };
    let names = match what {
        Listing::Measurements => r.measurements(),
        Listing::TagKeys => r.tag_keys(&call.measurement),
        Listing::TagValues => r.tag_values(&call.measurement, &call.tag_key),
    }
    .map_err(storage_refusal)?;
    Ok(pb::Names { names })
}

pub(crate) fn answer_fields(store: &Store, call: &pb::ShardCall) -> Result<pb::FieldList, Refusal> {
    let Some(r) = replica(store, call.shard.as_ref())? else {
        return Ok(pb::FieldList::default());
    };
    let (names, kinds) = r
        .fields(&call.measurement)
        .map_err(storage_refusal)?
        .into_iter()
        .map(|(n, t)| (n, field_type_to_wire(t) as i32))
        .unzip();
    Ok(pb::FieldList { names, kinds })
}

pub(crate) fn answer_series(store: &Store, call: &pb::ShardCall) -> Result<pb::SeriesList, Refusal> {
    let Some(r) = replica(store, call.shard.as_ref())? else {
        return Ok(pb::SeriesList::default());
    };
    let predicate = call.predicate.as_ref().map(predicate_from_wire).transpose()?;
    let series = r
        .series(&call.measurement, predicate.as_ref())
        .map_err(storage_refusal)?;
    Ok(pb::SeriesList {
        series: series.iter().map(series_to_wire).collect(),
    })
}

pub(crate) fn answer_points(store: &Store, call: pb::PointsCall) -> Result<pb::PointsReply, Refusal> {
    let Some(r) = replica(store, call.shard.as_ref())? else {
        return Ok(pb::PointsReply::default());
    };
    let series = series_from_wire(call.series.unwrap_or_default());
    let limit = usize::try_from(call.limit).unwrap_or(usize::MAX);
    let read = r
        .points_limited(&series, &call.field, call.lo, call.hi, limit, call.from_end)
        .map_err(storage_refusal)?;
    Ok(match read {
        None => pb::PointsReply::default(),
        Some((times, values)) => pb::PointsReply {
            found: true,
            times,
            values: Some(values_to_wire(values)),
        },
    })
}

pub(crate) fn answer_aggregate(store: &Store, call: pb::AggregateCall) -> Result<pb::AggregateReply, Refusal> {
    let Some(r) = replica(store, call.shard.as_ref())? else {
        return Ok(pb::AggregateReply {
            groups: call.groups.iter().map(|_| pb::GroupPartials::default()).collect(),
        });
    };
    let groups: Vec<Vec<SeriesInfo>> = call
        .groups
        .into_iter()
        .map(|g| g.series.into_iter().map(series_from_wire).collect())
        .collect();
    let window = window_from_wire(call.window.unwrap_or_default())?;
    let needs = Needs {
        variance: call.variance,
        extreme_times: call.extreme_times,
        picks: call.picks,
    };
    let partials = r
        .aggregate(&groups, &call.field, &window, needs)
        .map_err(storage_refusal)?;
    Ok(pb::AggregateReply {
        groups: partials
            .into_iter()
            .map(|p| pb::GroupPartials {
                buckets: p
                    .buckets
                    .iter()
                    .map(|(start, partial)| pb::Bucket {
                        start: *start,
                        partial: Some(partial_to_wire(partial)),
                    })
                    .collect(),
                points: p.points,
            })
            .collect(),
    })
}

/// What a deleting [`pb::ShardCall`] asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Removal {
    Delete,
    DropSeries,
    DropMeasurement,
}

pub(crate) fn answer_removal(store: &Store, call: &pb::ShardCall, what: Removal) -> Result<pb::Done, Refusal> {
    let Some(r) = replica(store, call.shard.as_ref())? else {
        return Ok(pb::Done {});
    };
    let predicate = call.predicate.as_ref().map(predicate_from_wire).transpose()?;
    match what {
        Removal::Delete => r.delete(&call.measurement, predicate.as_ref(), call.lo, call.hi),
        Removal::DropSeries => r.drop_series(&call.measurement, predicate.as_ref()),
        Removal::DropMeasurement => r.drop_measurement(&call.measurement),
    }
    .map_err(storage_refusal)?;
    Ok(pb::Done {})
}

// --- Conversions. ---

fn predicate_to_wire(p: &TagPredicate) -> pb::Predicate {
    let pair = |k: &str, v: &str| pb::Pair {
        key: k.to_owned(),
        value: v.to_owned(),
    };
    let both = |a: &TagPredicate, b: &TagPredicate| pb::Both {
        a: Some(Box::new(predicate_to_wire(a))),
        b: Some(Box::new(predicate_to_wire(b))),
    };
    let op = match p {
        TagPredicate::Eq(k, v) => predicate::Op::Eq(pair(k, v)),
        TagPredicate::NotEq(k, v) => predicate::Op::NotEq(pair(k, v)),
        TagPredicate::Regex(k, re) => predicate::Op::Regex(pair(k, re.as_str())),
        TagPredicate::NotRegex(k, re) => predicate::Op::NotRegex(pair(k, re.as_str())),
        TagPredicate::And(a, b) => predicate::Op::And(Box::new(both(a, b))),
        TagPredicate::Or(a, b) => predicate::Op::Or(Box::new(both(a, b))),
    };
    pb::Predicate { op: Some(op) }
}

fn predicate_from_wire(p: &pb::Predicate) -> Result<TagPredicate, Refusal> {
    let regex = |pattern: &str| {
        regex::Regex::new(pattern).map_err(|e| Refusal::invalid_argument(format!("invalid regex {pattern:?}: {e}")))
    };
    let both = |b: &pb::Both| -> Result<(Box<TagPredicate>, Box<TagPredicate>), Refusal> {
        let side = |s: &Option<Box<pb::Predicate>>| {
            s.as_deref()
                .ok_or_else(|| Refusal::invalid_argument("a predicate with a missing side"))
                .and_then(predicate_from_wire)
                .map(Box::new)
        };
        Ok((side(&b.a)?, side(&b.b)?))
    };
    Ok(
        match p
            .op
            .as_ref()
            .ok_or_else(|| Refusal::invalid_argument("an empty predicate"))?
        {
            predicate::Op::Eq(kv) => TagPredicate::Eq(kv.key.clone(), kv.value.clone()),
            predicate::Op::NotEq(kv) => TagPredicate::NotEq(kv.key.clone(), kv.value.clone()),
            predicate::Op::Regex(kv) => TagPredicate::Regex(kv.key.clone(), regex(&kv.value)?),
            predicate::Op::NotRegex(kv) => TagPredicate::NotRegex(kv.key.clone(), regex(&kv.value)?),
            predicate::Op::And(b) => {
                let (a, b) = both(b)?;
                TagPredicate::And(a, b)
            }
            predicate::Op::Or(b) => {
                let (a, b) = both(b)?;
                TagPredicate::Or(a, b)
            }
        },
    )
}

fn series_to_wire(s: &SeriesInfo) -> pb::Series {
    pb::Series {
        id: s.id,
        measurement: s.measurement.clone(),
        tags: s.tags.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect(),
    }
}

fn series_from_wire(s: pb::Series) -> SeriesInfo {
    let mut tags = Vec::with_capacity(s.tags.len() / 2);
    let mut it = s.tags.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        tags.push((k, v));
    }
    SeriesInfo {
        id: s.id,
        measurement: s.measurement,
        tags,
    }
}

fn field_type_to_wire(t: FieldType) -> pb::FieldKind {
    match t {
        FieldType::Float => pb::FieldKind::Float,
        FieldType::Integer => pb::FieldKind::Integer,
        FieldType::Unsigned => pb::FieldKind::Unsigned,
        FieldType::Boolean => pb::FieldKind::Boolean,
        FieldType::String => pb::FieldKind::String,
    }
}

fn field_type_from_wire(k: i32) -> FieldType {
    match pb::FieldKind::try_from(k).unwrap_or(pb::FieldKind::Float) {
        pb::FieldKind::Float => FieldType::Float,
        pb::FieldKind::Integer => FieldType::Integer,
        pb::FieldKind::Unsigned => FieldType::Unsigned,
        pb::FieldKind::Boolean => FieldType::Boolean,
        pb::FieldKind::String => FieldType::String,
    }
}

fn values_to_wire(v: Values) -> pb::Column {
    pb::Column {
        values: Some(match v {
            Values::Float(v) => column::Values::Floats(pb::Floats { v }),
            Values::Integer(v) => column::Values::Integers(pb::Integers { v }),
            Values::Unsigned(v) => column::Values::Unsigneds(pb::Unsigneds { v }),
            Values::Boolean(v) => column::Values::Booleans(pb::Booleans { v }),
            Values::String(v) => column::Values::Strings(pb::Strings { v }),
        }),
    }
}

fn values_from_wire(c: Option<pb::Column>) -> Option<Values> {
    Some(match c?.values? {
        column::Values::Floats(v) => Values::Float(v.v),
        column::Values::Integers(v) => Values::Integer(v.v),
        column::Values::Unsigneds(v) => Values::Unsigned(v.v),
        column::Values::Booleans(v) => Values::Boolean(v.v),
        column::Values::Strings(v) => Values::String(v.v),
    })
}

fn window_to_wire(w: &Window) -> pb::Window {
    pb::Window {
        interval: w.interval,
        offset: w.offset,
        location: w.location.as_ref().map(|l| l.name().to_owned()).unwrap_or_default(),
        lo: w.lo,
        hi: w.hi,
    }
}

fn window_from_wire(w: pb::Window) -> Result<Window, Refusal> {
    let location = match w.location.as_str() {
        "" => None,
        name => Some(influxql::time::Location::load(name).map_err(|e| Refusal::invalid_argument(e.to_string()))?),
    };
    Ok(Window {
        interval: w.interval,
        offset: w.offset,
        location,
        lo: w.lo,
        hi: w.hi,
    })
}

fn kind_to_wire(k: Option<ValueKind>) -> u32 {
    match k {
        None => 0,
        Some(ValueKind::Float) => 1,
        Some(ValueKind::Integer) => 2,
        Some(ValueKind::Unsigned) => 3,
        Some(ValueKind::Boolean) => 4,
        Some(ValueKind::String) => 5,
    }
}

fn kind_from_wire(k: u32) -> Result<Option<ValueKind>, &'static str> {
    Ok(match k {
        0 => None,
        1 => Some(ValueKind::Float),
        2 => Some(ValueKind::Integer),
        3 => Some(ValueKind::Unsigned),
        4 => Some(ValueKind::Boolean),
        5 => Some(ValueKind::String),
        _ => return Err("an unknown value kind"),
    })
}

fn value_to_wire(v: &Value) -> pb::Scalar {
    let v = match v {
        Value::Null => scalar::V::Null(true),
        Value::Float(f) => scalar::V::Float(*f),
        Value::Integer(i) => scalar::V::Integer(*i),
        Value::Unsigned(u) => scalar::V::Unsigned(*u),
        Value::Boolean(b) => scalar::V::Boolean(*b),
        Value::String(s) => scalar::V::String(s.clone()),
        Value::Time(t) => scalar::V::Time(*t),
        Value::ZonedTime(t, o) => scalar::V::ZonedTime(pb::ZonedTime { time: *t, offset: *o }),
    };
    pb::Scalar { v: Some(v) }
}

fn value_from_wire(s: Option<pb::Scalar>) -> Value {
    match s.and_then(|s| s.v) {
        None | Some(scalar::V::Null(_)) => Value::Null,
        Some(scalar::V::Float(f)) => Value::Float(f),
        Some(scalar::V::Integer(i)) => Value::Integer(i),
        Some(scalar::V::Unsigned(u)) => Value::Unsigned(u),
        Some(scalar::V::Boolean(b)) => Value::Boolean(b),
        Some(scalar::V::String(s)) => Value::String(s),
        Some(scalar::V::Time(t)) => Value::Time(t),
        Some(scalar::V::ZonedTime(z)) => Value::ZonedTime(z.time, z.offset),
    }
}

fn pick_to_wire(p: &Option<Picked>) -> Option<pb::Pick> {
    p.as_ref().map(|p| pb::Pick {
        time: p.time,
        value: Some(value_to_wire(&p.value)),
        series: p.series as u64,
    })
}

fn pick_from_wire(p: Option<pb::Pick>) -> Option<Picked> {
    p.map(|p| Picked {
        time: p.time,
        value: value_from_wire(p.value),
        series: usize::try_from(p.series).unwrap_or(usize::MAX),
    })
}

fn partial_to_wire(p: &Partial) -> pb::Partial {
    pb::Partial {
        count: p.count,
        fsum: p.fsum,
        isum: p.isum,
        usum: p.usum,
        kind: kind_to_wire(p.kind),
        min: pick_to_wire(&p.min),
        max: pick_to_wire(&p.max),
        first: pick_to_wire(&p.first),
        last: pick_to_wire(&p.last),
        mean: p.mean,
        m2: p.m2,
    }
}

fn partial_from_wire(p: pb::Partial) -> Result<Partial, &'static str> {
    Ok(Partial {
        count: p.count,
        fsum: p.fsum,
        isum: p.isum,
        usum: p.usum,
        kind: kind_from_wire(p.kind)?,
        min: pick_from_wire(p.min),
        max: pick_from_wire(p.max),
        first: pick_from_wire(p.first),
        last: pick_from_wire(p.last),
        mean: p.mean,
        m2: p.m2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partials_and_predicates_cross_unchanged() {
        let pick = |v: Value| {
            Some(Picked {
                time: -5,
                value: v,
                series: 3,
            })
        };
        let p = Partial {
            count: 7,
            fsum: 0.1 + 0.2,
            isum: i64::MIN,
            usum: u64::MAX,
            kind: Some(ValueKind::Unsigned),
            min: pick(Value::Float(f64::MIN_POSITIVE)),
            max: pick(Value::String("z".into())),
            first: pick(Value::ZonedTime(1, -3600)),
            last: None,
            mean: 1.0 / 3.0,
            m2: 2.5e-300,
        };
        assert_eq!(partial_from_wire(partial_to_wire(&p)).unwrap(), p);
        let re = regex::Regex::new("^a.*").unwrap();
        let pred = TagPredicate::And(
            Box::new(TagPredicate::Regex("host".into(), re)),
            Box::new(TagPredicate::Or(
                Box::new(TagPredicate::Eq("dc".into(), String::new())),
                Box::new(TagPredicate::NotEq("x".into(), "y".into())),
            )),
        );
        let back = predicate_from_wire(&predicate_to_wire(&pred)).unwrap();
        let tags = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        for t in [
            tags(&[("host", "ab")]),
            tags(&[("host", "ab"), ("dc", "1"), ("x", "y")]),
            tags(&[("host", "b")]),
        ] {
            assert_eq!(back.matches(&t), pred.matches(&t), "{t:?}");
        }
        let s = SeriesInfo {
            id: 9,
            measurement: "m".into(),
            tags: tags(&[("a", "1"), ("b", "")]),
        };
        assert_eq!(series_from_wire(series_to_wire(&s)), s);
    }
}
