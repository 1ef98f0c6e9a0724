//! result: what a statement returns, in InfluxDB's shape: series (rows) of columns and
//! values, messages, an error. The HTTP layer encodes it (JSON, CSV, chunked).

/// One value in a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Float(f64),
    Integer(i64),
    Unsigned(u64),
    Boolean(bool),
    String(String),
    /// A point time in ns; printed as RFC3339 or as an integer in the `epoch` unit.
    Time(i64),
    /// A point time in ns in a `tz()` zone whose offset there is the second field (in
    /// seconds): RFC3339 prints the local time and offset, as Go does.
    ZonedTime(i64, i32),
}

impl Value {
    /// The value as a float when it is a number (math, comparisons, aggregates of
    /// integers).
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Integer(i) => Some(*i as f64),
            Value::Unsigned(u) => Some(*u as f64),
            _ => None,
        }
    }
}

/// A series of a result: InfluxDB's `models.Row`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// Omitted when empty (SHOW SERIES, SHOW RETENTION POLICIES).
    pub name: String,
    /// Sorted by key; omitted when empty.
    pub tags: Vec<(String, String)>,
    pub columns: Vec<String>,
    pub values: Vec<Vec<Value>>,
    /// More of this series follows (chunked responses, row limits).
    pub partial: bool,
}

impl Row {
    pub fn new(name: impl Into<String>, columns: &[&str]) -> Self {
        Self {
            name: name.into(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            ..Self::default()
        }
    }
}

/// A message attached to a result, such as the read-only warning of a GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub level: &'static str,
    pub text: String,
}

/// The result of one statement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatementResult {
    pub statement_id: usize,
    pub series: Vec<Row>,
    pub messages: Vec<Message>,
    pub partial: bool,
    pub error: Option<String>,
}

impl StatementResult {
    pub fn error(statement_id: usize, error: impl Into<String>) -> Self {
        Self {
            statement_id,
            error: Some(error.into()),
            ..Self::default()
        }
    }
}
