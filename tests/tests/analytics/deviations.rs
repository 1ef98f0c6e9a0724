//! deviations: THE table of deliberate differences between Cairn's InfluxQL analytics and
//! InfluxDB 1.6.7's. Each entry names one step of one case, says what 1.6.7 answers and what
//! Cairn answers instead, and why. The same list is in `docs/compatibility-influxql.md` (a test
//! checks that every case named here is there).
//!
//! This is not the list of what Cairn does not do *yet*: that is `pending.txt`. An entry here
//! is a decision to differ for good, and says how Cairn's answer is judged instead.
//!
//! The table applies only when the target is cairn-data; influxd-against-influxd runs compare
//! everything.

use crate::judge::Answer;

/// One deliberate difference.
#[derive(Debug)]
pub(crate) struct Deviation {
    /// Case name.
    pub(crate) case: &'static str,
    /// Step index in the case, from 0.
    pub(crate) step: usize,
    /// What InfluxDB 1.6.7 answers, in words (for the failure message and the doc).
    pub(crate) reference: &'static str,
    /// What Cairn answers, in words.
    pub(crate) cairn: &'static str,
    /// Why.
    pub(crate) reason: &'static str,
    /// How the test judges Cairn's answer.
    pub(crate) expect: Expect,
}

/// How a deviating step is judged.
#[derive(Debug)]
pub(crate) enum Expect {
    /// Cairn's answer must be what InfluxDB 1.6.7 answers to this other statement (same
    /// parameters; `$name` ranges allowed), compared under the case's rule.
    ReferenceOf(&'static str),
    /// Cairn's answer (second argument; the first is the reference's) must pass this check.
    Check(fn(&Answer, &Answer) -> Result<(), String>),
}

/// The deviation for a step, if any.
pub(crate) fn find(case: &str, step: usize) -> Option<&'static Deviation> {
    TABLE.iter().find(|d| d.case == case && d.step == step)
}

/// Empty so far: every difference found while writing the suite is InfluxDB behaviour Cairn
/// means to copy (see `docs/compatibility-influxql.md` for the surprising ones). An entry is a
/// decision, taken with the reason written down, never a way to silence a failing case (that is
/// `pending.txt`).
pub(crate) static TABLE: &[Deviation] = &[];
