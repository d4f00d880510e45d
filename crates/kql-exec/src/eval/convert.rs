//! Conversions between Kusto types, as `tostring()`, `tolong()`, … and the
//! implicit widening of operands do them.

use crate::columnar::Col;
use crate::dynamic;
use crate::error::{ExecError, Result};
use crate::physical::physical_type;
use arrow_array::builder::*;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use kql_syntax::{ScalarType, Span};
use kql_types::Value;
use kql_types::decimal;
use kql_types::text::{parse_bool, parse_guid, parse_json_text, parse_long, parse_real, timespan_text};
use kql_types::time::{datetime_out_of_range, parse_datetime_text, parse_timespan};
use std::sync::Arc;

// Results' text forms (`tostring(1e300)` is `1e300`, as the writers show
// it): kql-types' one definition.
use kql_types::text::{datetime_text, real_text};

/// `tostring()`: every type to its Kusto text; null becomes "".
pub fn to_kusto_string(c: &Col, from: ScalarType, len: usize) -> Result<Col> {
    if let Col::Scalar(v) = c {
        return Ok(Col::Scalar(Value::String(if v.is_null() { String::new() } else { scalar_text(v) })));
    }
    let a = c.to_array(len);
    let out: ArrayRef = match from {
        ScalarType::String => a,
        ScalarType::Dynamic => Arc::new(dynamic::to_string_array(&a)),
        ScalarType::Guid => crate::physical::fill_empty_strings(&a),
        ScalarType::DateTime => map_to_string(a.as_primitive::<TimestampNanosecondType>(), datetime_text),
        ScalarType::Timespan => map_to_string(a.as_primitive::<DurationNanosecondType>(), timespan_text),
        ScalarType::Real => map_to_string(a.as_primitive::<Float64Type>(), real_text),
        ScalarType::Long => map_to_string(a.as_primitive::<Int64Type>(), |v| v.to_string()),
        ScalarType::Int => map_to_string(a.as_primitive::<Int32Type>(), |v| v.to_string()),
        ScalarType::Bool => {
            let b = a.as_boolean();
            Arc::new(
                b.iter().map(|v| Some(v.map_or("", |v| if v { "true" } else { "false" }))).collect::<StringArray>(),
            )
        }
        ScalarType::Decimal => map_to_string(a.as_primitive::<Decimal128Type>(), decimal::text),
    };
    Ok(Col::Array(out))
}

fn map_to_string<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, f: impl Fn(T::Native) -> String) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(a.len(), a.len() * 8);
    for v in a.iter() {
        match v {
            Some(v) => b.append_value(f(v)),
            None => b.append_value(""),
        }
    }
    Arc::new(b.finish())
}

/// Text of a non-null constant.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::DateTime(Some(t)) => datetime_text(*t),
        Value::Real(Some(x)) => real_text(*x),
        Value::Dynamic(d) => match d.to_json() {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        },
        Value::Decimal(Some(d)) => match decimal::parse(d) {
            Ok(Some(v)) => decimal::text(v),
            _ => d.clone(),
        },
        other => other.to_string(),
    }
}

/// Converts values of type `from` to type `to` (`tolong()`, `todatetime()`, …,
/// numeric widening). Values that do not convert become null.
pub fn to_scalar_type(c: &Col, from: ScalarType, to: ScalarType, len: usize) -> Result<Col> {
    if from == to {
        return Ok(c.clone());
    }
    if to == ScalarType::String {
        return to_kusto_string(c, from, len);
    }
    let scalar = matches!(c, Col::Scalar(_));
    let a = c.to_array(if scalar { 1 } else { len });
    let out = convert_array(&a, from, to)?;
    Ok(if scalar { Col::Scalar(crate::physical::value_at(&out, 0, to)) } else { Col::Array(out) })
}

fn convert_array(a: &ArrayRef, from: ScalarType, to: ScalarType) -> Result<ArrayRef> {
    use ScalarType as S;
    // Text first: strings and dynamic values parse.
    if matches!(from, S::String | S::Dynamic | S::Guid) {
        let text: StringArray =
            if from == S::Dynamic { dynamic::to_string_array(a) } else { a.as_string::<i32>().clone() };
        return parse_strings(&text, to);
    }
    let target = physical_type(to);
    Ok(match (from, to) {
        (S::Bool, _) if to.is_numeric() => {
            let ints: Int64Array = a.as_boolean().iter().map(|v| v.map(i64::from)).collect();
            arrow_cast::cast(&ints, &target)?
        }
        (_, S::Bool) if from.is_numeric() => {
            let f = arrow_cast::cast(a, &arrow_schema::DataType::Float64)?;
            Arc::new(f.as_primitive::<Float64Type>().iter().map(|v| v.map(|v| v != 0.0)).collect::<BooleanArray>())
        }
        (_, S::Dynamic) => {
            let text = to_kusto_string(&Col::Array(a.clone()), from, a.len())?.to_array(a.len());
            let json: StringArray = text
                .as_string::<i32>()
                .iter()
                .zip(0..a.len())
                .map(|(s, i)| {
                    if a.is_null(i) {
                        None
                    } else if from.is_numeric() || from == S::Bool {
                        s.map(str::to_string)
                    } else {
                        s.map(|s| serde_json::Value::String(s.to_string()).to_string())
                    }
                })
                .collect();
            Arc::new(json)
        }
        (S::DateTime, S::Long) | (S::Timespan, S::Long) => {
            // Kusto: tolong of a datetime/timespan is its count of 100 ns ticks.
            let ns = arrow_cast::cast(a, &arrow_schema::DataType::Int64)?;
            Arc::new(ns.as_primitive::<Int64Type>().iter().map(|v| v.map(|v| v / 100)).collect::<Int64Array>())
        }
        (S::Long | S::Int, S::Timespan) => {
            // totimespan(number) is a count of ticks.
            let n = arrow_cast::cast(a, &arrow_schema::DataType::Int64)?;
            Arc::new(
                n.as_primitive::<Int64Type>()
                    .iter()
                    .map(|v| v.and_then(|v| v.checked_mul(100)))
                    .collect::<DurationNanosecondArray>(),
            )
        }
        (S::Real, S::Decimal) => {
            let reals = a.as_primitive::<Float64Type>();
            decimals(reals.iter().map(|v| v.map_or(Ok(None), decimal::from_f64)))?
        }
        (S::Decimal, S::Real) => Arc::new(
            a.as_primitive::<Decimal128Type>().iter().map(|v| v.map(decimal::to_f64)).collect::<Float64Array>(),
        ),
        _ if from.is_numeric() && to.is_numeric() => arrow_cast::cast(a, &target)?,
        _ => arrow_array::new_null_array(&target, a.len()),
    })
}

/// Decimals from raw values; one that is not exact fails the conversion
/// (an unsupported-execution error without a span, see [`ExecError::at`]).
fn decimals(values: impl Iterator<Item = std::result::Result<Option<i128>, decimal::Inexact>>) -> Result<ArrayRef> {
    let raw: Vec<Option<i128>> =
        values.collect::<std::result::Result<_, _>>().map_err(|e| ExecError::decimal(e, Span::default()))?;
    Ok(Arc::new(Decimal128Array::from(raw).with_precision_and_scale(decimal::PRECISION, decimal::SCALE as i8)?))
}

/// Parses text as a Kusto value of type `to`; unparsable text is null (a
/// column of [`Value::parse`], with the same per-type readers).
fn parse_strings(text: &StringArray, to: ScalarType) -> Result<ArrayRef> {
    use ScalarType as S;
    Ok(match to {
        S::Long => Arc::new(text.iter().map(|s| s.and_then(parse_long)).collect::<Int64Array>()),
        S::Int => Arc::new(
            text.iter().map(|s| s.and_then(parse_long).and_then(|v| i32::try_from(v).ok())).collect::<Int32Array>(),
        ),
        S::Real => Arc::new(text.iter().map(|s| s.and_then(parse_real)).collect::<Float64Array>()),
        S::Bool => Arc::new(text.iter().map(|s| s.and_then(parse_bool)).collect::<BooleanArray>()),
        S::DateTime => {
            // Text Kusto reads as a datetime ntaq cannot hold is not null
            // (checked only for text that does not parse).
            let mut out_of_range = None;
            let out: TimestampNanosecondArray = text
                .iter()
                .map(|s| {
                    let s = s?;
                    let t = parse_datetime_text(s);
                    if t.is_none() && out_of_range.is_none() && datetime_out_of_range(s) {
                        out_of_range = Some(s);
                    }
                    t
                })
                .collect();
            if let Some(s) = out_of_range {
                return Err(ExecError::NotImplemented {
                    what: format!("`{s}`: {}", kql_types::time::DATETIME_RANGE),
                    span: Span::default(),
                });
            }
            Arc::new(out)
        }
        S::Timespan => Arc::new(text.iter().map(|s| s.and_then(parse_timespan)).collect::<DurationNanosecondArray>()),
        S::Decimal => decimals(text.iter().map(|s| s.map_or(Ok(None), decimal::parse)))?,
        S::Guid => Arc::new(text.iter().map(|s| s.and_then(parse_guid)).collect::<StringArray>()),
        S::Dynamic => {
            Arc::new(text.iter().map(|s| s.and_then(parse_json_text).map(|j| j.to_string())).collect::<StringArray>())
        }
        S::String => Arc::new(text.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_types::time::parse_datetime;

    fn conv(v: Value, to: ScalarType) -> Value {
        let from = v.scalar_type();
        match to_scalar_type(&Col::Scalar(v), from, to, 1).unwrap() {
            Col::Scalar(v) => v,
            Col::Array(a) => crate::physical::value_at(&a, 0, to),
        }
    }

    #[test]
    fn tostring_of_every_type() {
        let s = |v: Value| conv(v, ScalarType::String);
        assert_eq!(s(Value::Long(Some(42))), Value::String("42".into()));
        assert_eq!(s(Value::Long(None)), Value::String(String::new()), "tostring(null) is empty");
        assert_eq!(s(Value::Real(Some(1.5))), Value::String("1.5".into()));
        assert_eq!(s(Value::Bool(Some(true))), Value::String("true".into()));
        let t = parse_datetime("2025-06-01T00:00:00Z").unwrap();
        assert_eq!(s(Value::DateTime(Some(t))), Value::String("2025-06-01T00:00:00Z".into()));
        assert_eq!(s(Value::Timespan(Some(3_600_000_000_000))), Value::String("01:00:00".into()));
    }

    #[test]
    fn parsing_conversions() {
        assert_eq!(conv(Value::String("12".into()), ScalarType::Long), Value::Long(Some(12)));
        assert_eq!(conv(Value::String("abc".into()), ScalarType::Long), Value::Long(None));
        assert_eq!(conv(Value::String("1.5".into()), ScalarType::Real), Value::Real(Some(1.5)));
        assert_eq!(conv(Value::String("TRUE".into()), ScalarType::Bool), Value::Bool(Some(true)));
        assert_eq!(conv(Value::String("garbage".into()), ScalarType::DateTime), Value::DateTime(None));
        assert_eq!(conv(Value::Real(Some(2.9)), ScalarType::Long), Value::Long(Some(2)));
        assert_eq!(conv(Value::Int(Some(3)), ScalarType::Real), Value::Real(Some(3.0)));
    }

    #[test]
    fn parse_json_of_text() {
        let d = |s: &str| conv(Value::String(s.into()), ScalarType::Dynamic);
        // learn.microsoft.com/kusto/query/isnull-function: isnull(parse_json("")) is true.
        assert_eq!(d(""), Value::Dynamic(kql_types::DynValue::Null));
        assert_eq!(d("[]"), Value::Dynamic(kql_types::DynValue::Array(vec![])));
        // Text that is not JSON is a dynamic string.
        assert_eq!(d("a b"), Value::Dynamic(kql_types::DynValue::String("a b".into())));
    }

    /// `print a=X, b=tostring(X)`: the writer's text of each value and
    /// `tostring()`'s are one definition (kql-types' text forms). The issue
    /// that found the copies: `1e300` printed as `1e300` and its tostring as a
    /// 301-digit number.
    #[test]
    fn tostring_is_the_text_results_show() {
        use kql_io::output::{Destination, OutputFormat, OutputOptions, SharedBuffer, sink};
        let query = "print a=1e300, b=tostring(1e300), c=0.1, d=tostring(0.1), e=real(-inf), f=tostring(real(-inf)), \
                     g=datetime(2025-06-01 08:09:10.25), h=tostring(datetime(2025-06-01 08:09:10.25)), \
                     i=datetime(2025-06-01), j=tostring(datetime(2025-06-01)), \
                     k=-1d-2h-500ms, l=tostring(-1d-2h-500ms)";
        let parsed = kql_syntax::parse(query);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let bound = kql_plan::bind(&parsed.script, &kql_plan::Catalog::new(), &kql_plan::Params::default());
        assert!(!bound.has_errors(), "{:?}", bound.diagnostics);
        let tables = crate::MemTables::new();
        let ex = crate::Executor::new(&bound.program, &tables, 0, Arc::new(std::sync::atomic::AtomicBool::new(false)));
        let (schema, batches) = crate::run_program(&ex).unwrap().remove(0);
        let buffer = SharedBuffer::default();
        let mut out =
            sink(OutputFormat::Csv, schema, Destination::writer(buffer.clone()), &OutputOptions::default()).unwrap();
        for b in &batches {
            out.write(b).unwrap();
        }
        out.finish().unwrap();
        let csv = buffer.contents();
        let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
        // Kusto's forms (the real, datetime and timespan pages): shortest
        // round-trip reals, ISO 8601 UTC datetimes, [-][d.]hh:mm:ss[.fffffff].
        assert_eq!(
            row,
            [
                "1e300",
                "1e300",
                "0.1",
                "0.1",
                "-Infinity",
                "-Infinity",
                "2025-06-01T08:09:10.25Z",
                "2025-06-01T08:09:10.25Z",
                "2025-06-01T00:00:00Z",
                "2025-06-01T00:00:00Z",
                "-1.02:00:00.5000000",
                "-1.02:00:00.5000000",
            ]
        );
    }

    #[test]
    fn datetime_texts() {
        let t = parse_datetime("2025-06-01T08:09:10.25Z").unwrap();
        assert_eq!(datetime_text(t), "2025-06-01T08:09:10.25Z");
    }
}
