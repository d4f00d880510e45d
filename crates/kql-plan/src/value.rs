//! Constant scalar values in plans (literals, parameter values).

use crate::types::Type;
use kql_syntax::ScalarType;
use kql_syntax::ast::{DateTimeLit, DynValue, Literal};
use kql_types::time::{format_datetime, format_timespan};
use std::fmt;

/// A typed constant. `None` payloads are Kusto nulls; strings are never null.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(Option<bool>),
    Int(Option<i32>),
    Long(Option<i64>),
    Real(Option<f64>),
    /// Decimal text (exactness is kept by not converting).
    Decimal(Option<String>),
    String(String),
    /// Nanoseconds since the Unix epoch, UTC.
    DateTime(Option<i64>),
    /// Nanoseconds.
    Timespan(Option<i64>),
    Guid(Option<String>),
    Dynamic(DynValue),
}

impl Value {
    pub fn scalar_type(&self) -> ScalarType {
        match self {
            Value::Bool(_) => ScalarType::Bool,
            Value::Int(_) => ScalarType::Int,
            Value::Long(_) => ScalarType::Long,
            Value::Real(_) => ScalarType::Real,
            Value::Decimal(_) => ScalarType::Decimal,
            Value::String(_) => ScalarType::String,
            Value::DateTime(_) => ScalarType::DateTime,
            Value::Timespan(_) => ScalarType::Timespan,
            Value::Guid(_) => ScalarType::Guid,
            Value::Dynamic(_) => ScalarType::Dynamic,
        }
    }

    pub fn ty(&self) -> Type {
        Type::Scalar(self.scalar_type())
    }

    /// The null of a type (`""` for strings, which have no null).
    pub fn null_of(t: ScalarType) -> Value {
        match t {
            ScalarType::Bool => Value::Bool(None),
            ScalarType::Int => Value::Int(None),
            ScalarType::Long => Value::Long(None),
            ScalarType::Real => Value::Real(None),
            ScalarType::Decimal => Value::Decimal(None),
            ScalarType::String => Value::String(String::new()),
            ScalarType::DateTime => Value::DateTime(None),
            ScalarType::Timespan => Value::Timespan(None),
            ScalarType::Guid => Value::Guid(None),
            ScalarType::Dynamic => Value::Dynamic(DynValue::Null),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Value::Bool(None)
                | Value::Int(None)
                | Value::Long(None)
                | Value::Real(None)
                | Value::Decimal(None)
                | Value::DateTime(None)
                | Value::Timespan(None)
                | Value::Guid(None)
                | Value::Dynamic(DynValue::Null)
        )
    }

    /// The value of a literal; `None` for an unfilled workbook placeholder.
    pub fn from_literal(l: &Literal) -> Option<Value> {
        Some(match l {
            Literal::Bool(v) => Value::Bool(*v),
            Literal::Int(v) => Value::Int(*v),
            Literal::Long(v) => Value::Long(*v),
            Literal::Real(v) => Value::Real(*v),
            Literal::Decimal(v) => Value::Decimal(v.clone()),
            Literal::String(s) => Value::String(s.clone()),
            Literal::DateTime(DateTimeLit::Value(v)) => Value::DateTime(Some(*v)),
            Literal::DateTime(DateTimeLit::Null) => Value::DateTime(None),
            Literal::DateTime(DateTimeLit::Placeholder(_)) => return None,
            Literal::Timespan(v) => Value::Timespan(*v),
            Literal::Guid(v) => Value::Guid(v.clone()),
            Literal::Dynamic(d) => Value::Dynamic(d.clone()),
        })
    }

    /// The value as a literal (for printing plans as KQL).
    pub fn to_literal(&self) -> Literal {
        match self {
            Value::Bool(v) => Literal::Bool(*v),
            Value::Int(v) => Literal::Int(*v),
            Value::Long(v) => Literal::Long(*v),
            Value::Real(v) => Literal::Real(*v),
            Value::Decimal(v) => Literal::Decimal(v.clone()),
            Value::String(s) => Literal::String(s.clone()),
            Value::DateTime(Some(v)) => Literal::DateTime(DateTimeLit::Value(*v)),
            Value::DateTime(None) => Literal::DateTime(DateTimeLit::Null),
            Value::Timespan(v) => Literal::Timespan(*v),
            Value::Guid(v) => Literal::Guid(v.clone()),
            Value::Dynamic(d) => Literal::Dynamic(d.clone()),
        }
    }

    /// A long or int constant as i64 (for `take`, `top`, `limit`).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(Some(v)) => Some(i64::from(*v)),
            Value::Long(Some(v)) => Some(*v),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// The value as Kusto shows it in results (not as a literal).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(Some(b)) => write!(f, "{b}"),
            Value::Int(Some(v)) => write!(f, "{v}"),
            Value::Long(Some(v)) => write!(f, "{v}"),
            Value::Real(Some(v)) => f.write_str(&kql_types::text::real_text(*v)),
            Value::Decimal(Some(v)) | Value::Guid(Some(v)) => f.write_str(v),
            Value::String(s) => f.write_str(s),
            Value::DateTime(Some(v)) => f.write_str(&format_datetime(*v)),
            Value::Timespan(Some(v)) => f.write_str(&format_timespan(*v)),
            Value::Dynamic(d) => write!(f, "{d}"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reals show as results show them (kql-types' `real_text`), not as
    /// Rust's `Display` writes them (301 digits for 1e300, `inf`).
    #[test]
    fn reals_display_as_results_show_them() {
        assert_eq!(Value::Real(Some(1e300)).to_string(), "1e300");
        assert_eq!(Value::Real(Some(1e-7)).to_string(), "1e-7");
        assert_eq!(Value::Real(Some(2.0)).to_string(), "2");
        assert_eq!(Value::Real(Some(f64::INFINITY)).to_string(), "Infinity");
        assert_eq!(Value::Real(None).to_string(), "");
    }
}
