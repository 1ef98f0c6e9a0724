//! predicate: which series of a measurement a condition on tags selects, answered from the
//! postings. InfluxDB's rule holds: a series without a tag has the empty value for it, so
//! `host = ''` selects the series that have no `host` tag.

use regex::Regex;

use crate::db::Db;
use crate::error::Result;
use crate::keys::{self, CF_POSTINGS};

/// A condition on tags, combined with AND and OR.
#[derive(Debug, Clone)]
pub enum TagPredicate {
    Eq(String, String),
    NotEq(String, String),
    Regex(String, Regex),
    NotRegex(String, Regex),
    And(Box<TagPredicate>, Box<TagPredicate>),
    Or(Box<TagPredicate>, Box<TagPredicate>),
}

impl TagPredicate {
    /// Whether one series' tags (sorted by key) satisfy the predicate, by the same rule as
    /// the postings: a missing tag has the empty value. For series that live outside an
    /// index (a subquery's results).
    pub fn matches(&self, tags: &[(String, String)]) -> bool {
        let value = |k: &str| tags.iter().find(|(key, _)| key == k).map_or("", |(_, v)| v.as_str());
        match self {
            Self::Eq(k, v) => value(k) == v,
            Self::NotEq(k, v) => value(k) != v,
            Self::Regex(k, re) => re.is_match(value(k)),
            Self::NotRegex(k, re) => !re.is_match(value(k)),
            Self::And(a, b) => a.matches(tags) && b.matches(tags),
            Self::Or(a, b) => a.matches(tags) || b.matches(tags),
        }
    }

    /// Series ids of `measurement` that satisfy the predicate, sorted.
    pub(crate) fn eval(&self, db: &Db, measurement: &str, all: &mut AllSeries) -> Result<Vec<u64>> {
        Ok(match self {
            Self::Eq(k, v) if v.is_empty() => difference(all.get(db, measurement)?, &with_key(db, measurement, k)?),
            Self::Eq(k, v) => db.postings(measurement, k, v)?,
            Self::NotEq(k, v) if v.is_empty() => with_key(db, measurement, k)?,
            Self::NotEq(k, v) => difference(all.get(db, measurement)?, &db.postings(measurement, k, v)?),
            Self::Regex(k, re) => matching(db, measurement, k, re, all)?,
            Self::NotRegex(k, re) => {
                let hits = matching(db, measurement, k, re, all)?;
                difference(all.get(db, measurement)?, &hits)
            }
            Self::And(a, b) => {
                let a = a.eval(db, measurement, all)?;
                if a.is_empty() {
                    return Ok(a);
                }
                intersect(&a, &b.eval(db, measurement, all)?)
            }
            Self::Or(a, b) => union(&a.eval(db, measurement, all)?, &b.eval(db, measurement, all)?),
        })
    }
}

/// Every series of a measurement, read once per query when a complement needs it.
#[derive(Debug, Default)]
pub(crate) struct AllSeries(Option<Vec<u64>>);

impl AllSeries {
    fn get(&mut self, db: &Db, measurement: &str) -> Result<&[u64]> {
        if self.0.is_none() {
            let mut ids: Vec<u64> = db.series_of(measurement)?.into_iter().map(|(id, _)| id).collect();
            ids.sort_unstable();
            self.0 = Some(ids);
        }
        Ok(self.0.as_deref().unwrap_or_default())
    }
}

/// Series that have tag `key` (any value).
fn with_key(db: &Db, measurement: &str, key: &str) -> Result<Vec<u64>> {
    let prefix = keys::posting_prefix(measurement, Some(key), None);
    let mut ids = Vec::new();
    let mut it = db.prefix_iter(CF_POSTINGS, &prefix);
    while let Some(k) = it.key() {
        if let Some(id) = k
            .len()
            .checked_sub(8)
            .and_then(|at| k[at..].try_into().ok())
            .map(u64::from_be_bytes)
        {
            ids.push(id);
        }
        it.next();
    }
    db.check(&it)?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Series whose value of `key` matches `re` (the empty value included when it matches).
fn matching(db: &Db, measurement: &str, key: &str, re: &Regex, all: &mut AllSeries) -> Result<Vec<u64>> {
    let prefix = keys::posting_prefix(measurement, Some(key), None);
    let mut ids = Vec::new();
    for value in db.distinct_after(&prefix)? {
        if re.is_match(&value) {
            ids = union(&ids, &db.postings(measurement, key, &value)?);
        }
    }
    if re.is_match("") {
        ids = union(
            &ids,
            &difference(all.get(db, measurement)?, &with_key(db, measurement, key)?),
        );
    }
    Ok(ids)
}

pub(crate) fn union(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

pub(crate) fn intersect(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

pub(crate) fn difference(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if j >= b.len() || b[j] != x {
            out.push(x);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let a = [1, 3, 5, 7];
        let b = [3, 4, 5, 8];
        assert_eq!(union(&a, &b), vec![1, 3, 4, 5, 7, 8]);
        assert_eq!(intersect(&a, &b), vec![3, 5]);
        assert_eq!(difference(&a, &b), vec![1, 7]);
        assert_eq!(difference(&a, &[]), a.to_vec());
        assert_eq!(union(&[], &b), b.to_vec());
    }
}
