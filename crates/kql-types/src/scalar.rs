//! The Kusto scalar types, by the names query text and schemas use.

use serde::Serialize;
use std::fmt;

/// A Kusto scalar data type.
///
/// See <https://learn.microsoft.com/kusto/query/scalar-data-types/>.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ScalarType {
    Bool,
    Int,
    Long,
    Real,
    Decimal,
    String,
    DateTime,
    Timespan,
    Guid,
    Dynamic,
}

impl ScalarType {
    pub const ALL: [ScalarType; 10] = [
        ScalarType::Bool,
        ScalarType::Int,
        ScalarType::Long,
        ScalarType::Real,
        ScalarType::Decimal,
        ScalarType::String,
        ScalarType::DateTime,
        ScalarType::Timespan,
        ScalarType::Guid,
        ScalarType::Dynamic,
    ];

    /// The canonical Kusto name (`datetime`, `timespan`, …).
    pub const fn name(self) -> &'static str {
        match self {
            ScalarType::Bool => "bool",
            ScalarType::Int => "int",
            ScalarType::Long => "long",
            ScalarType::Real => "real",
            ScalarType::Decimal => "decimal",
            ScalarType::String => "string",
            ScalarType::DateTime => "datetime",
            ScalarType::Timespan => "timespan",
            ScalarType::Guid => "guid",
            ScalarType::Dynamic => "dynamic",
        }
    }

    /// Parses a type name, including Kusto's documented synonyms
    /// (`boolean`, `date`, `double`, `time`, `uniqueid`, `uuid`).
    pub fn from_name(name: &str) -> Option<ScalarType> {
        Some(match name {
            "bool" | "boolean" => ScalarType::Bool,
            "int" => ScalarType::Int,
            "long" => ScalarType::Long,
            "real" | "double" => ScalarType::Real,
            "decimal" => ScalarType::Decimal,
            "string" => ScalarType::String,
            "datetime" | "date" => ScalarType::DateTime,
            "timespan" | "time" => ScalarType::Timespan,
            "guid" | "uuid" | "uniqueid" => ScalarType::Guid,
            "dynamic" => ScalarType::Dynamic,
            _ => return None,
        })
    }

    /// True for int, long, real and decimal.
    pub const fn is_numeric(self) -> bool {
        matches!(self, ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal)
    }
}

impl fmt::Display for ScalarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in ScalarType::ALL {
            assert_eq!(ScalarType::from_name(t.name()), Some(t));
        }
        assert_eq!(ScalarType::from_name("date"), Some(ScalarType::DateTime));
        assert_eq!(ScalarType::from_name("Long"), None, "type names are case-sensitive");
    }
}
