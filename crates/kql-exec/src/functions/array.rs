//! array_length, range().

use super::Args;
use crate::columnar::Col;
use crate::error::Result;
use crate::physical::{DynRepr, dyn_repr};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Int64Array};
use kql_types::DynValue;
use kql_types::Value;
use std::sync::Arc;

/// `array_length(d)`: the number of elements of a dynamic array; null when
/// the value is not an array (a bag, a scalar, null).
pub fn array_length(a: &Args) -> Result<Col> {
    let c = a.col(0)?;
    if let Col::Scalar(v) = c {
        let n = match v {
            Value::Dynamic(DynValue::Array(items)) => i64::try_from(items.len()).ok(),
            _ => None,
        };
        return Ok(Col::Scalar(Value::Long(n)));
    }
    let values = c.to_array(a.len);
    let out: Int64Array = match dyn_repr(values.data_type()) {
        Some(DynRepr::StrArray) => {
            let list = values.as_list::<i32>();
            (0..list.len()).map(|i| list.is_valid(i).then(|| i64::from(list.value_length(i)))).collect()
        }
        // String values are not arrays.
        Some(DynRepr::Str) => Int64Array::new_null(values.len()),
        Some(DynRepr::Json) | None => {
            let json = crate::dynamic::to_json_array(&values);
            let texts = super::strings_of(&json)?;
            texts
                .iter()
                .map(|t| match serde_json::from_str::<serde_json::Value>(t?) {
                    Ok(serde_json::Value::Array(items)) => i64::try_from(items.len()).ok(),
                    _ => None,
                })
                .collect()
        }
    };
    Ok(Col::Array(Arc::new(out)))
}

/// Most elements `range()` makes (range-function: "a maximum of 1,048,576
/// (2^20) results"; longer ranges are truncated).
const RANGE_MAX: usize = 1 << 20;

/// `range(start, stop [, step])`: the dynamic array `start, start + step, …`
/// up to and including `stop` (range-function). Numbers give longs (reals
/// if any argument is real), datetimes and timespans their text forms; the
/// step defaults to 1, or 1h for datetimes and timespans. A null argument,
/// a zero step or arguments of unrelated types give null; a negative step
/// counts down to `stop`.
pub fn range(a: &Args) -> Result<Col> {
    use crate::physical::value_at;
    let args: Vec<ArrayRef> =
        (0..a.cols.len()).map(|i| a.col(i).map(|c| c.to_array(a.rows()))).collect::<Result<_>>()?;
    let out = super::bags::dynamic_rows(a, |r| {
        let v = |i: usize| args.get(i).map(|c| value_at(c, r, a.types[i]));
        range_of(&v(0)?, &v(1)?, v(2).as_ref())
    });
    Ok(out)
}

/// One row of [`range`].
fn range_of(start: &Value, stop: &Value, step: Option<&Value>) -> Option<serde_json::Value> {
    use serde_json::Value as Json;
    let whole = |v: &Value| match v {
        Value::Int(Some(x)) => Some(i64::from(*x)),
        Value::Long(Some(x)) => Some(*x),
        _ => None,
    };
    let real = |v: &Value| match v {
        Value::Real(Some(x)) => Some(*x),
        other => whole(other).map(|x| x as f64),
    };
    match (start, stop) {
        (Value::DateTime(Some(s)), Value::DateTime(Some(e))) | (Value::Timespan(Some(s)), Value::Timespan(Some(e))) => {
            let step = match step {
                None => kql_types::time::NANOS_PER_HOUR,
                Some(Value::Timespan(Some(t))) => *t,
                Some(_) => return None,
            };
            let ticks = steps(*s, *e, step)?;
            let text = |t: i64| match start {
                Value::DateTime(_) => crate::dynamic::value_json(&Value::DateTime(Some(t))),
                _ => Json::String(kql_types::text::timespan_text(t)),
            };
            Some(Json::Array(ticks.map(text).collect()))
        }
        _ if [Some(start), Some(stop), step].into_iter().flatten().all(|v| whole(v).is_some()) => {
            let (s, e) = (whole(start)?, whole(stop)?);
            let step = step.map_or(Some(1), whole)?;
            Some(Json::Array(steps(s, e, step)?.map(Json::from).collect()))
        }
        _ => {
            let (s, e) = (real(start)?, real(stop)?);
            let step = step.map_or(Some(1.0), real)?;
            if step == 0.0 || !step.is_finite() || !s.is_finite() || !e.is_finite() {
                return None;
            }
            let n = ((e - s) / step).floor();
            let count = if n < 0.0 { 0 } else { (n as usize).saturating_add(1).min(RANGE_MAX) };
            let items = (0..count).map(|k| s + step * k as f64);
            Some(Json::Array(items.map(|x| serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)).collect()))
        }
    }
}

/// `start, start + step, …` while not past `stop`, at most [`RANGE_MAX`]
/// values; None for a zero step.
fn steps(start: i64, stop: i64, step: i64) -> Option<impl Iterator<Item = i64>> {
    if step == 0 {
        return None;
    }
    let span = i128::from(stop) - i128::from(start);
    let n = span / i128::from(step);
    let count = if n < 0 { 0 } else { usize::try_from(n + 1).unwrap_or(usize::MAX).min(RANGE_MAX) };
    Some((0..count).map(move |k| start + step * k as i64))
}
