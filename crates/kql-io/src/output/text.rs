//! Kusto's text forms of values, as the CSV and table writers show them:
//! datetimes, timespans and reals as [`kql_types::text`] writes them (the
//! forms `tostring()` gives too), everything else as its usual text
//! (`true`, `42`, `1.50`); nulls are empty.

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{DurationNanosecondType, Int32Type, Int64Type, TimestampNanosecondType};
use arrow_array::{Array, ArrayRef, Float64Array};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, DataType};
use kql_types::ScalarType;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Arc;

// The text forms are kql-types' (one definition for the writers and
// `tostring()`); re-exported under the writers' names.
pub use kql_types::text::{
    datetime_text as format_datetime, real_text as format_real, timespan_text as format_timespan,
};

/// A finite real as a JSON number (`1.0`, `0.1`, `1e300`): Rust's shortest
/// round-trip form, which is valid JSON and keeps reals recognisable.
pub(crate) fn json_real(value: f64) -> String {
    format!("{value:?}")
}

/// The Kusto text of every value of a prepared column (see `kusto::prepare`),
/// as a Utf8 array with the same nulls.
pub(crate) fn text_column(kind: ScalarType, array: &dyn Array) -> Result<ArrayRef, ArrowError> {
    let len = array.len();
    let mut out = StringBuilder::with_capacity(len, len * 8);
    let mut push = |f: &mut dyn FnMut(usize) -> String| {
        for i in 0..len {
            if array.is_null(i) {
                out.append_null();
            } else {
                out.append_value(f(i));
            }
        }
    };
    match (kind, array.data_type()) {
        (ScalarType::DateTime, DataType::Timestamp(..)) => {
            let a = array.as_primitive::<TimestampNanosecondType>();
            push(&mut |i| format_datetime(a.value(i)));
        }
        (ScalarType::Timespan, DataType::Duration(_)) => {
            let a = array.as_primitive::<DurationNanosecondType>();
            push(&mut |i| format_timespan(a.value(i)));
        }
        (ScalarType::Real, DataType::Float64) => {
            let a: &Float64Array = array.as_primitive();
            push(&mut |i| format_real(a.value(i)));
        }
        // The executor's decimals (scale 18, kql_types::decimal): their
        // trailing zeros are the representation's, not the value's, so
        // they show as `tostring()` does (`1.5`). Other scales keep theirs.
        (ScalarType::Decimal, DataType::Decimal128(_, 18)) => {
            let a = array.as_primitive::<arrow_array::types::Decimal128Type>();
            push(&mut |i| kql_types::decimal::text(a.value(i)));
        }
        (ScalarType::Bool, DataType::Boolean) => {
            let a = array.as_boolean();
            push(&mut |i| if a.value(i) { "true" } else { "false" }.to_string());
        }
        (ScalarType::Int, DataType::Int32) => {
            let a = array.as_primitive::<Int32Type>();
            push(&mut |i| a.value(i).to_string());
        }
        (ScalarType::Long, DataType::Int64) => {
            let a = array.as_primitive::<Int64Type>();
            push(&mut |i| a.value(i).to_string());
        }
        (_, DataType::Utf8) => {
            let a = array.as_string::<i32>();
            push(&mut |i| a.value(i).to_string());
        }
        _ => {
            // decimal, and anything else arrow knows how to show
            let formatter = ArrayFormatter::try_new(array, &FormatOptions::default())?;
            let mut s = String::new();
            for i in 0..len {
                if array.is_null(i) {
                    out.append_null();
                } else {
                    s.clear();
                    write!(s, "{}", formatter.value(i)).map_err(|e| ArrowError::ComputeError(e.to_string()))?;
                    out.append_value(&s);
                }
            }
        }
    }
    Ok(Arc::new(out.finish()))
}

/// A dynamic value's JSON text on one line: when the text is one valid JSON
/// document, its line breaks and tabs are whitespace between tokens (JSON
/// strings cannot hold them raw) and are dropped. Other text is kept as is.
pub(crate) fn compact_json(text: &str) -> Cow<'_, str> {
    let text = text.trim();
    if !text.contains(['\n', '\r', '\t']) || !is_json(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter(|c| !matches!(c, '\n' | '\r' | '\t')).collect())
}

/// Whether `text` is exactly one JSON document (surrounding whitespace allowed).
pub(crate) fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_trim_the_fraction() {
        const S: i64 = 1_000_000_000;
        let day = 1_748_736_000 * S; // 2025-06-01
        assert_eq!(format_datetime(day), "2025-06-01T00:00:00Z");
        assert_eq!(format_datetime(day + 8 * 3600 * S + 9 * 60 * S + 10 * S + S / 4), "2025-06-01T08:09:10.25Z");
        assert_eq!(format_datetime(day + 100), "2025-06-01T00:00:00.0000001Z");
        assert_eq!(format_datetime(day + 50), "2025-06-01T00:00:00.00000005Z");
        assert_eq!(format_datetime(day + 123_456_789), "2025-06-01T00:00:00.123456789Z");
        assert_eq!(format_datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_datetime(-1), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn timespans() {
        const S: i64 = 1_000_000_000;
        assert_eq!(format_timespan(90 * 60 * S), "01:30:00");
        assert_eq!(format_timespan(86_400 * S), "1.00:00:00");
        assert_eq!(format_timespan(-(90 * S + S / 2)), "-00:01:30.5000000");
    }

    #[test]
    fn reals() {
        assert_eq!(format_real(1.0), "1");
        assert_eq!(format_real(-0.5), "-0.5");
        assert_eq!(format_real(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_real(1e300), "1e300");
        assert_eq!(format_real(1.5e-7), "1.5e-7");
        assert_eq!(format_real(f64::NAN), "NaN");
        assert_eq!(format_real(f64::INFINITY), "Infinity");
        assert_eq!(format_real(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(json_real(1.0), "1.0");
        for v in [0.1, 1e300, 1.5e-7, 123456.789, f64::MAX, f64::MIN_POSITIVE] {
            assert_eq!(json_real(v).parse::<f64>().ok(), Some(v));
            assert!(serde_json::from_str::<f64>(&json_real(v)).is_ok(), "{v}");
        }
    }

    #[test]
    fn dynamic_text_on_one_line() {
        assert_eq!(compact_json("{\n  \"a\": [1,\n 2]\n}\n"), "{  \"a\": [1, 2]}");
        assert_eq!(compact_json("[1,2]"), "[1,2]");
        assert_eq!(compact_json("not\njson"), "not\njson");
    }
}
