//! Kusto scalar values: [`Value`] (a typed constant — literals, parameter
//! values, `toscalar()`, one cell of a result) and [`DynValue`] (what a
//! `dynamic` holds), with their text forms:
//!
//! - `Display` of a [`Value`] is the value as results show it ([`crate::text`]);
//! - `Display` of a [`DynValue`] is its KQL literal text (inside `dynamic(…)`),
//!   which parses back to the same value;
//! - [`Value::parse`] reads text as a value of a type (`toreal("1.5")`,
//!   `--param n:real=5`), [`DynValue::from_json`] / [`DynValue::to_json`]
//!   convert to and from JSON.

use crate::decimal;
use crate::scalar::ScalarType;
use crate::text::{self, parse_bool, parse_real};
use crate::time::{format_datetime, format_timespan, parse_datetime_text, parse_timespan};
use serde::Serialize;
use std::fmt::{self, Write};

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

/// A value inside `dynamic(…)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value")]
pub enum DynValue {
    Null,
    Bool(bool),
    Long(i64),
    Real(f64),
    String(String),
    /// Nanoseconds since the Unix epoch.
    DateTime(i64),
    /// Nanoseconds.
    Timespan(i64),
    Array(Vec<DynValue>),
    Object(Vec<(String, DynValue)>),
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

    /// A long or int constant as i64 (for `take`, `top`, `limit`).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(Some(v)) => Some(i64::from(*v)),
            Value::Long(Some(v)) => Some(*v),
            _ => None,
        }
    }

    /// Text read as a value of type `to`, as `tolong()`, `todatetime()`, …
    /// read strings; text that does not convert is the type's null (a
    /// decimal with more digits than ntaq holds too).
    pub fn parse(text: &str, to: ScalarType) -> Value {
        match to {
            ScalarType::Bool => Value::Bool(parse_bool(text)),
            ScalarType::Int => Value::Int(text::parse_long(text).and_then(|v| i32::try_from(v).ok())),
            ScalarType::Long => Value::Long(text::parse_long(text)),
            ScalarType::Real => Value::Real(parse_real(text)),
            ScalarType::Decimal => Value::Decimal(decimal::parse(text).ok().flatten().map(decimal::text)),
            ScalarType::String => Value::String(text.to_string()),
            ScalarType::DateTime => Value::DateTime(parse_datetime_text(text)),
            ScalarType::Timespan => Value::Timespan(parse_timespan(text)),
            ScalarType::Guid => Value::Guid(text::parse_guid(text)),
            ScalarType::Dynamic => Value::Dynamic(match text::parse_json_text(text) {
                None => DynValue::Null,
                Some(j) => DynValue::from_json(&j),
            }),
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
            Value::Real(Some(v)) => f.write_str(&text::real_text(*v)),
            Value::Decimal(Some(v)) | Value::Guid(Some(v)) => f.write_str(v),
            Value::String(s) => f.write_str(s),
            Value::DateTime(Some(v)) => f.write_str(&text::datetime_text(*v)),
            Value::Timespan(Some(v)) => f.write_str(&text::timespan_text(*v)),
            Value::Dynamic(d) => write!(f, "{d}"),
            _ => Ok(()),
        }
    }
}

impl DynValue {
    /// The value as JSON (datetimes and timespans as their text; a
    /// non-finite real, which JSON cannot hold, as null).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            DynValue::Null => J::Null,
            DynValue::Bool(b) => J::Bool(*b),
            DynValue::Long(v) => J::from(*v),
            DynValue::Real(v) => serde_json::Number::from_f64(*v).map_or(J::Null, J::Number),
            DynValue::String(s) => J::String(s.clone()),
            DynValue::DateTime(v) => J::String(format_datetime(*v)),
            DynValue::Timespan(v) => J::String(format_timespan(*v)),
            DynValue::Array(items) => J::Array(items.iter().map(DynValue::to_json).collect()),
            DynValue::Object(fields) => J::Object(fields.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    /// A JSON document as a dynamic value (integers that fit i64 are longs,
    /// other numbers reals).
    pub fn from_json(j: &serde_json::Value) -> DynValue {
        use serde_json::Value as J;
        match j {
            J::Null => DynValue::Null,
            J::Bool(b) => DynValue::Bool(*b),
            J::Number(n) => n.as_i64().map_or_else(|| DynValue::Real(n.as_f64().unwrap_or(f64::NAN)), DynValue::Long),
            J::String(s) => DynValue::String(s.clone()),
            J::Array(items) => DynValue::Array(items.iter().map(DynValue::from_json).collect()),
            J::Object(fields) => {
                DynValue::Object(fields.iter().map(|(k, v)| (k.clone(), DynValue::from_json(v))).collect())
            }
        }
    }
}

impl fmt::Display for DynValue {
    /// The KQL literal text of the value (what goes inside `dynamic(…)`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DynValue::Null => f.write_str("null"),
            DynValue::Bool(b) => write!(f, "{b}"),
            DynValue::Long(v) => write!(f, "{v}"),
            DynValue::Real(v) if v.is_finite() => write!(f, "{v:?}"),
            DynValue::Real(v) => write_real(f, *v),
            DynValue::String(s) => write_string(f, s),
            DynValue::DateTime(v) => write!(f, "datetime({})", format_datetime(*v)),
            DynValue::Timespan(v) => write!(f, "timespan({})", format_timespan(*v)),
            DynValue::Array(items) => {
                f.write_str("[")?;
                for (k, v) in items.iter().enumerate() {
                    if k > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            DynValue::Object(fields) => {
                f.write_str("{")?;
                for (k, (key, v)) in fields.iter().enumerate() {
                    if k > 0 {
                        f.write_str(", ")?;
                    }
                    write_string(f, key)?;
                    write!(f, ": {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A KQL string literal: double-quoted, with escapes.
pub fn write_string(f: &mut impl Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// A KQL real literal: `1.5`, `1e300`, `real(-2.0)`, `real(nan)`, `real(+inf)`.
pub fn write_real(f: &mut impl Write, v: f64) -> fmt::Result {
    if v.is_nan() {
        f.write_str("real(nan)")
    } else if v.is_infinite() {
        f.write_str(if v > 0.0 { "real(+inf)" } else { "real(-inf)" })
    } else if v < 0.0 || (v == 0.0 && v.is_sign_negative()) {
        write!(f, "real({v:?})")
    } else {
        // `{:?}` keeps a `.0` or an exponent, so the text reads back as real.
        write!(f, "{v:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_datetime;

    /// Reals show as results show them (`real_text`), not as Rust's
    /// `Display` writes them (301 digits for 1e300, `inf`).
    #[test]
    fn reals_display_as_results_show_them() {
        assert_eq!(Value::Real(Some(1e300)).to_string(), "1e300");
        assert_eq!(Value::Real(Some(1e-7)).to_string(), "1e-7");
        assert_eq!(Value::Real(Some(2.0)).to_string(), "2");
        assert_eq!(Value::Real(Some(f64::INFINITY)).to_string(), "Infinity");
        assert_eq!(Value::Real(None).to_string(), "");
    }

    /// Datetimes and timespans show as results and `tostring()` show them
    /// (`2025-06-01T08:09:10.25Z`, fraction trimmed), not in the 7-digit
    /// literal form.
    #[test]
    fn datetimes_display_as_results_show_them() {
        let t = parse_datetime("2025-06-01 08:09:10.25").unwrap();
        assert_eq!(Value::DateTime(Some(t)).to_string(), "2025-06-01T08:09:10.25Z");
        let midnight = parse_datetime("2025-06-01").unwrap();
        assert_eq!(Value::DateTime(Some(midnight)).to_string(), "2025-06-01T00:00:00Z");
        assert_eq!(Value::Timespan(Some(90 * 60 * 1_000_000_000)).to_string(), "01:30:00");
        assert_eq!(Value::DateTime(None).to_string(), "");
    }

    /// Text read as each type, as the conversion functions' pages describe
    /// them (learn.microsoft.com/kusto/query/tolong-function, toreal,
    /// tobool, todatetime, totimespan, toguid, parse_json): what does not
    /// convert is null.
    #[test]
    fn text_as_each_type() {
        use ScalarType as S;
        assert_eq!(Value::parse("12", S::Long), Value::Long(Some(12)));
        assert_eq!(Value::parse("2.9", S::Long), Value::Long(Some(2)));
        assert_eq!(Value::parse("abc", S::Long), Value::Long(None));
        assert_eq!(Value::parse("3000000000", S::Int), Value::Int(None));
        assert_eq!(Value::parse("1.5", S::Real), Value::Real(Some(1.5)));
        assert_eq!(Value::parse("TRUE", S::Bool), Value::Bool(Some(true)));
        assert_eq!(Value::parse("1.50", S::Decimal), Value::Decimal(Some("1.5".into())));
        let t = parse_datetime("2025-06-01T00:00:00Z").unwrap();
        assert_eq!(Value::parse("2025-06-01", S::DateTime), Value::DateTime(Some(t)));
        assert_eq!(Value::parse("garbage", S::DateTime), Value::DateTime(None));
        assert_eq!(Value::parse("01:00:00", S::Timespan), Value::Timespan(Some(3_600_000_000_000)));
        assert_eq!(
            Value::parse("74BE27DE-1E4E-49D9-B579-FE0B331D3642", S::Guid),
            Value::Guid(Some("74be27de-1e4e-49d9-b579-fe0b331d3642".into()))
        );
        assert_eq!(Value::parse("not-a-guid", S::Guid), Value::Guid(None));
        // parse_json("") is null (the isnull() page); text that is not JSON
        // is a dynamic string.
        assert_eq!(Value::parse("", S::Dynamic), Value::Dynamic(DynValue::Null));
        assert_eq!(Value::parse("[1]", S::Dynamic), Value::Dynamic(DynValue::Array(vec![DynValue::Long(1)])));
        assert_eq!(Value::parse("a b", S::Dynamic), Value::Dynamic(DynValue::String("a b".into())));
        assert_eq!(Value::parse(" x ", S::String), Value::String(" x ".into()));
    }

    #[test]
    fn dynamic_literal_text_and_json() {
        let d = DynValue::Object(vec![
            ("a".into(), DynValue::Array(vec![DynValue::Long(1), DynValue::Real(f64::NAN)])),
            ("b\"".into(), DynValue::String("x\ny".into())),
        ]);
        assert_eq!(d.to_string(), r#"{"a": [1, real(nan)], "b\"": "x\ny"}"#);
        assert_eq!(d.to_json().to_string(), r#"{"a":[1,null],"b\"":"x\ny"}"#);
        let j: serde_json::Value = serde_json::from_str(r#"{"n":1,"r":0.5,"s":"t","l":[true,null]}"#).unwrap();
        assert_eq!(DynValue::from_json(&j).to_json(), j);
    }

    /// A property bag keeps its keys in the order they were written, as
    /// Kusto shows them (the bag_pack page: `{"Level":…,"ProcessID":…,
    /// "Data":…}`), through JSON text, `from_json` and `to_json`.
    #[test]
    fn bags_keep_their_key_order() {
        let text = r#"{"Level":"Information","ProcessID":1234,"Data":{"url":"www.bing.com"}}"#;
        let j: serde_json::Value = serde_json::from_str(text).unwrap();
        let d = DynValue::from_json(&j);
        let DynValue::Object(fields) = &d else { panic!("not a bag: {d:?}") };
        assert_eq!(fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["Level", "ProcessID", "Data"]);
        assert_eq!(d.to_json().to_string(), text);
        assert_eq!(Value::parse(text, ScalarType::Dynamic).to_string(), d.to_string());
    }
}
