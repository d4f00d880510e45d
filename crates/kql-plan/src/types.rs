//! Kusto types during binding.

pub use kql_types::ScalarType;
// The Arrow ↔ Kusto mapping lives in kql-types; re-exported for existing paths.
pub use kql_types::{kusto_type_of_arrow, table_arrow_type};
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

/// Rank of numeric types for widening: int < long < real < decimal
/// (Kusto.Language `ScalarTypes.Decimal` is wider than int, long and real,
/// so `decimal(1.5) + 1.0` is a decimal).
fn numeric_rank(t: ScalarType) -> Option<u8> {
    match t {
        ScalarType::Int => Some(0),
        ScalarType::Long => Some(1),
        ScalarType::Real => Some(2),
        ScalarType::Decimal => Some(3),
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
