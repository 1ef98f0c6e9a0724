//! The value types a block holds: field types as InfluxDB has them, owned and borrowed value
//! columns, and the [`Header`] with its [`Summary`] that readers get without decoding values.

/// Field types, as InfluxDB has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    Float,
    Integer,
    Unsigned,
    Boolean,
    String,
}

impl FieldType {
    /// The 3-bit code in the block's first byte.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Float => 0,
            Self::Integer => 1,
            Self::Unsigned => 2,
            Self::Boolean => 3,
            Self::String => 4,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Float,
            1 => Self::Integer,
            2 => Self::Unsigned,
            3 => Self::Boolean,
            4 => Self::String,
            _ => return None,
        })
    }

    /// The name as InfluxDB prints it in `SHOW FIELD KEYS`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Float => "float",
            Self::Integer => "integer",
            Self::Unsigned => "unsigned",
            Self::Boolean => "boolean",
            Self::String => "string",
        }
    }
}

/// A column of values of one type, in time order; decoding reuses its allocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Float(Vec<f64>),
    Integer(Vec<i64>),
    Unsigned(Vec<u64>),
    Boolean(Vec<bool>),
    String(Vec<String>),
}

impl Values {
    pub fn field_type(&self) -> FieldType {
        self.as_ref().field_type()
    }

    pub fn len(&self) -> usize {
        self.as_ref().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A borrowed view, for [`crate::encode`].
    pub fn as_ref(&self) -> ValuesRef<'_> {
        match self {
            Self::Float(v) => ValuesRef::Float(v),
            Self::Integer(v) => ValuesRef::Integer(v),
            Self::Unsigned(v) => ValuesRef::Unsigned(v),
            Self::Boolean(v) => ValuesRef::Boolean(v),
            Self::String(v) => ValuesRef::String(v),
        }
    }
}

/// A borrowed column of values of one type, in time order: what [`crate::encode`] takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValuesRef<'a> {
    Float(&'a [f64]),
    Integer(&'a [i64]),
    Unsigned(&'a [u64]),
    Boolean(&'a [bool]),
    String(&'a [String]),
}

impl<'a> ValuesRef<'a> {
    /// Values `a..b`, borrowed from the same column.
    pub fn slice(self, a: usize, b: usize) -> ValuesRef<'a> {
        match self {
            Self::Float(v) => Self::Float(&v[a..b]),
            Self::Integer(v) => Self::Integer(&v[a..b]),
            Self::Unsigned(v) => Self::Unsigned(&v[a..b]),
            Self::Boolean(v) => Self::Boolean(&v[a..b]),
            Self::String(v) => Self::String(&v[a..b]),
        }
    }

    pub fn field_type(&self) -> FieldType {
        match self {
            Self::Float(_) => FieldType::Float,
            Self::Integer(_) => FieldType::Integer,
            Self::Unsigned(_) => FieldType::Unsigned,
            Self::Boolean(_) => FieldType::Boolean,
            Self::String(_) => FieldType::String,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Float(v) => v.len(),
            Self::Integer(v) => v.len(),
            Self::Unsigned(v) => v.len(),
            Self::Boolean(v) => v.len(),
            Self::String(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a reader needs without decoding the values: aggregates over whole blocks
/// (`count`, `sum`, `mean`, `min`, `max`, `first`, `last`) read only this.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub field_type: FieldType,
    /// Number of points, 1..=[`crate::MAX_POINTS`].
    pub count: u32,
    /// First timestamp, ns since the Unix epoch.
    pub min_time: i64,
    /// Last timestamp, ns since the Unix epoch; equals `min_time` when `count` is 1.
    pub max_time: i64,
    pub summary: Summary,
}

/// Aggregates over a block's values, exact: floats are compared with `<`/`>` and summed
/// left to right from `0.0` (`let mut s = 0.0; for v in values { s += v }`), integers are
/// summed without overflow, and `min`/`max` are the first occurrence of the extreme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Summary {
    Float {
        sum: f64,
        min: f64,
        max: f64,
        first: f64,
        last: f64,
    },
    Integer {
        sum: i128,
        min: i64,
        max: i64,
        first: i64,
        last: i64,
    },
    Unsigned {
        sum: u128,
        min: u64,
        max: u64,
        first: u64,
        last: u64,
    },
    Boolean {
        trues: u32,
        first: bool,
        last: bool,
    },
    /// First and last strings are not kept in the header: decode the block.
    String,
}
