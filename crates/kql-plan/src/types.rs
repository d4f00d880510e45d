//! Kusto types during binding, and their Arrow representation.

use arrow_schema::DataType;
pub use kql_syntax::ScalarType;
use std::fmt;

/// The type of an expression or column while binding. `Unknown` stands for
/// something an earlier error made unknowable; it is accepted everywhere so
/// one mistake is reported once, not again at every use.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Type {
    Scalar(ScalarType),
    Unknown,
}

impl Type {
    pub const BOOL: Type = Type::Scalar(ScalarType::Bool);
    pub const INT: Type = Type::Scalar(ScalarType::Int);
    pub const LONG: Type = Type::Scalar(ScalarType::Long);
    pub const REAL: Type = Type::Scalar(ScalarType::Real);
    pub const DECIMAL: Type = Type::Scalar(ScalarType::Decimal);
    pub const STRING: Type = Type::Scalar(ScalarType::String);
    pub const DATETIME: Type = Type::Scalar(ScalarType::DateTime);
    pub const TIMESPAN: Type = Type::Scalar(ScalarType::Timespan);
    pub const GUID: Type = Type::Scalar(ScalarType::Guid);
    pub const DYNAMIC: Type = Type::Scalar(ScalarType::Dynamic);

    pub fn scalar(self) -> Option<ScalarType> {
        match self {
            Type::Scalar(t) => Some(t),
            Type::Unknown => None,
        }
    }

    pub fn is_unknown(self) -> bool {
        self == Type::Unknown
    }

    /// int, long, real or decimal.
    pub fn is_numeric(self) -> bool {
        self.scalar().is_some_and(ScalarType::is_numeric)
    }

    /// True if `self` is `t`, or unknown.
    pub fn is_or_unknown(self, t: ScalarType) -> bool {
        self.scalar().is_none_or(|s| s == t)
    }
}

impl From<ScalarType> for Type {
    fn from(t: ScalarType) -> Self {
        Type::Scalar(t)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Scalar(t) => write!(f, "{t}"),
            Type::Unknown => f.write_str("unknown"),
        }
    }
}

/// Rank of numeric types for widening: int < long < decimal < real.
fn numeric_rank(t: ScalarType) -> Option<u8> {
    match t {
        ScalarType::Int => Some(0),
        ScalarType::Long => Some(1),
        ScalarType::Decimal => Some(2),
        ScalarType::Real => Some(3),
        _ => None,
    }
}

/// The wider of two numeric types (`int` and `long` give `long`).
pub fn widest_numeric(a: ScalarType, b: ScalarType) -> Option<ScalarType> {
    let (ra, rb) = (numeric_rank(a)?, numeric_rank(b)?);
    Some(if ra >= rb { a } else { b })
}

/// True if a value of type `value` may stand where `to` is declared:
/// the same type, or one number for another.
pub fn assignable(value: ScalarType, to: ScalarType) -> bool {
    value == to || (value.is_numeric() && to.is_numeric())
}

/// The common type of several values that must agree (branches of `iff`,
/// `case`, `coalesce`): equal types, or numbers widened. A dynamic value
/// adapts to the others (Kusto: `iff(c, d.a, 0)` is a long); all dynamic
/// stays dynamic.
pub fn common_type(types: &[Type]) -> Option<Type> {
    let mut acc: Option<ScalarType> = None;
    let mut any_dynamic = false;
    for t in types {
        let Type::Scalar(t) = *t else { continue };
        if t == ScalarType::Dynamic {
            any_dynamic = true;
            continue;
        }
        acc = Some(match acc {
            None => t,
            Some(a) if a == t => a,
            Some(a) => widest_numeric(a, t)?,
        });
    }
    Some(match acc {
        Some(t) => Type::Scalar(t),
        None if any_dynamic => Type::DYNAMIC,
        None => Type::Unknown,
    })
}

/// The Kusto type an Arrow column maps to, for reading files written by
/// other tools (any integer width, any timestamp unit or zone, string views,
/// dictionaries). `None` if the Arrow type has no Kusto counterpart.
pub fn kusto_type_of_arrow(dt: &DataType) -> Option<ScalarType> {
    Some(match dt {
        DataType::Boolean => ScalarType::Bool,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => ScalarType::Int,
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => ScalarType::Long,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => ScalarType::Real,
        DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal128(..) | DataType::Decimal256(..) => {
            ScalarType::Decimal
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ScalarType::String,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => ScalarType::DateTime,
        DataType::Duration(_) => ScalarType::Timespan,
        DataType::Dictionary(_, value) => return kusto_type_of_arrow(value),
        DataType::List(_) | DataType::LargeList(_) | DataType::Struct(_) | DataType::Map(..) => ScalarType::Dynamic,
        _ => return None,
    })
}

/// The Arrow type ntaq writes for a Kusto type in a table it makes (derived
/// or generated tables, Parquet files): string → Utf8 (never null), int →
/// Int32, long → Int64, real → Float64, bool → Boolean, datetime →
/// Timestamp(µs, "UTC"). `None` for the types no NTA table uses.
pub fn table_arrow_type(ty: ScalarType) -> Option<DataType> {
    Some(match ty {
        ScalarType::String => DataType::Utf8,
        ScalarType::Int => DataType::Int32,
        ScalarType::Long => DataType::Int64,
        ScalarType::Real => DataType::Float64,
        ScalarType::Bool => DataType::Boolean,
        ScalarType::DateTime => DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into())),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::TimeUnit;

    #[test]
    fn widening() {
        assert_eq!(widest_numeric(ScalarType::Int, ScalarType::Long), Some(ScalarType::Long));
        assert_eq!(widest_numeric(ScalarType::Real, ScalarType::Long), Some(ScalarType::Real));
        assert_eq!(widest_numeric(ScalarType::String, ScalarType::Long), None);
    }

    #[test]
    fn common_types() {
        assert_eq!(common_type(&[Type::INT, Type::LONG]), Some(Type::LONG));
        assert_eq!(common_type(&[Type::STRING, Type::Unknown, Type::STRING]), Some(Type::STRING));
        assert_eq!(common_type(&[Type::STRING, Type::LONG]), None);
        assert_eq!(common_type(&[Type::Unknown]), Some(Type::Unknown));
        assert_eq!(common_type(&[Type::DYNAMIC, Type::LONG]), Some(Type::LONG));
        assert_eq!(common_type(&[Type::DYNAMIC, Type::DYNAMIC]), Some(Type::DYNAMIC));
    }

    #[test]
    fn table_types_read_back_as_themselves() {
        for t in [
            ScalarType::String,
            ScalarType::Int,
            ScalarType::Long,
            ScalarType::Real,
            ScalarType::Bool,
            ScalarType::DateTime,
        ] {
            assert_eq!(kusto_type_of_arrow(&table_arrow_type(t).unwrap()), Some(t), "{t}");
        }
        assert_eq!(table_arrow_type(ScalarType::Dynamic), None);
    }

    #[test]
    fn arrow_types_map_to_kusto_types() {
        let cases = [
            (DataType::Int16, ScalarType::Int),
            (DataType::UInt32, ScalarType::Long),
            (DataType::Int64, ScalarType::Long),
            (DataType::Float32, ScalarType::Real),
            (DataType::LargeUtf8, ScalarType::String),
            (DataType::Utf8View, ScalarType::String),
            (DataType::Timestamp(TimeUnit::Millisecond, None), ScalarType::DateTime),
            (DataType::Timestamp(TimeUnit::Nanosecond, Some("+02:00".into())), ScalarType::DateTime),
            (DataType::Duration(TimeUnit::Microsecond), ScalarType::Timespan),
            (DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)), ScalarType::String),
        ];
        for (dt, kt) in cases {
            assert_eq!(kusto_type_of_arrow(&dt), Some(kt), "{dt}");
        }
        assert_eq!(kusto_type_of_arrow(&DataType::Binary), None);
    }
}
