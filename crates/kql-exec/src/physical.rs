//! How Kusto values are held in Arrow arrays inside the executor.
//!
//! | Kusto | Arrow |
//! |---|---|
//! | bool | Boolean |
//! | int | Int32 |
//! | long | Int64 |
//! | real | Float64 |
//! | decimal | Decimal128(38, 18) |
//! | string | Utf8, never null (Kusto strings are never null: absent is "") |
//! | datetime | Timestamp(Nanosecond, no zone; always UTC) |
//! | timespan | Duration(Nanosecond) |
//! | guid | Utf8 (lower-case text; null allowed) |
//! | dynamic | one of the encodings of [`DynRepr`] |
//!
//! Every kernel's output encoding depends only on its inputs' Arrow types,
//! so all batches of one operator share one Arrow schema.

use crate::error::{ExecError, Result};
use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use kql_syntax::ScalarType;
use kql_types::DynValue;
use kql_types::Value;
use std::sync::Arc;

/// The Arrow type of a Kusto scalar type (for dynamic, the general JSON encoding).
pub fn physical_type(t: ScalarType) -> DataType {
    match t {
        ScalarType::Bool => DataType::Boolean,
        ScalarType::Int => DataType::Int32,
        ScalarType::Long => DataType::Int64,
        ScalarType::Real => DataType::Float64,
        ScalarType::Decimal => DataType::Decimal128(38, 18),
        ScalarType::String | ScalarType::Guid | ScalarType::Dynamic => DataType::Utf8,
        ScalarType::DateTime => DataType::Timestamp(TimeUnit::Nanosecond, None),
        ScalarType::Timespan => DataType::Duration(TimeUnit::Nanosecond),
    }
}

/// The physical type of a plan type (`unknown` never reaches a runnable plan).
pub fn physical_of(t: kql_plan::Type) -> DataType {
    physical_type(t.scalar().unwrap_or(ScalarType::Dynamic))
}

/// The Arrow schema of a plan schema with default encodings.
pub fn physical_schema(s: &kql_plan::Schema) -> SchemaRef {
    Arc::new(Schema::new(s.columns.iter().map(|c| Field::new(&c.name, physical_of(c.ty), true)).collect::<Vec<_>>()))
}

/// Encodings of Kusto `dynamic` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DynRepr {
    /// Utf8: one JSON document per row (null = dynamic null). The general case.
    Json,
    /// List<Utf8>: arrays of strings (what `split` and `make_set` of strings build).
    StrArray,
    /// LargeUtf8: string values (elements of a string array, `arr[0]`).
    Str,
}

/// The list type of [`DynRepr::StrArray`].
pub fn str_array_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

/// The encoding of a dynamic column with Arrow type `dt`.
pub fn dyn_repr(dt: &DataType) -> Option<DynRepr> {
    match dt {
        DataType::Utf8 => Some(DynRepr::Json),
        DataType::LargeUtf8 => Some(DynRepr::Str),
        DataType::List(f) if f.data_type() == &DataType::Utf8 => Some(DynRepr::StrArray),
        _ => None,
    }
}

/// A constant value repeated `len` times.
pub fn scalar_array(v: &Value, len: usize) -> ArrayRef {
    match v {
        Value::Bool(b) => Arc::new(BooleanArray::from(vec![*b; len])),
        Value::Int(x) => Arc::new(Int32Array::from(vec![*x; len])),
        Value::Long(x) => Arc::new(Int64Array::from(vec![*x; len])),
        Value::Real(x) => Arc::new(Float64Array::from(vec![*x; len])),
        Value::Decimal(d) => {
            let parsed = d.as_deref().and_then(|d| kql_types::decimal::parse(d).ok().flatten());
            Arc::new(
                Decimal128Array::from(vec![parsed; len]).with_precision_and_scale(38, 18).expect("valid precision"),
            )
        }
        Value::String(s) => Arc::new(StringArray::from_iter_values(std::iter::repeat_n(s.as_str(), len))),
        Value::Guid(g) => Arc::new(StringArray::from(vec![g.as_deref(); len])),
        Value::DateTime(t) => Arc::new(TimestampNanosecondArray::from(vec![*t; len])),
        Value::Timespan(t) => Arc::new(DurationNanosecondArray::from(vec![*t; len])),
        Value::Dynamic(d) => {
            let json = (!matches!(d, DynValue::Null)).then(|| d.to_json().to_string());
            Arc::new(StringArray::from(vec![json; len]))
        }
    }
}

/// The value at row `i` of an array (for `toscalar`, datatable checks, tests).
pub fn value_at(array: &ArrayRef, i: usize, ty: ScalarType) -> Value {
    if array.is_null(i) {
        return Value::null_of(ty);
    }
    match ty {
        ScalarType::Bool => Value::Bool(Some(array.as_boolean().value(i))),
        ScalarType::Int => Value::Int(Some(array.as_primitive::<Int32Type>().value(i))),
        ScalarType::Long => Value::Long(Some(array.as_primitive::<Int64Type>().value(i))),
        ScalarType::Real => Value::Real(Some(array.as_primitive::<Float64Type>().value(i))),
        ScalarType::Decimal => {
            let raw = array.as_primitive::<Decimal128Type>().value(i);
            Value::Decimal(Some(kql_types::decimal::text(raw)))
        }
        ScalarType::String => Value::String(array.as_string::<i32>().value(i).to_string()),
        ScalarType::Guid => Value::Guid(Some(array.as_string::<i32>().value(i).to_string())),
        ScalarType::DateTime => Value::DateTime(Some(array.as_primitive::<TimestampNanosecondType>().value(i))),
        ScalarType::Timespan => Value::Timespan(Some(array.as_primitive::<DurationNanosecondType>().value(i))),
        ScalarType::Dynamic => {
            let json = crate::dynamic::to_json_array(array);
            let text = json.as_string::<i32>().value(i);
            Value::Dynamic(DynValue::from_json(&serde_json::from_str(text).unwrap_or(serde_json::Value::Null)))
        }
    }
}

/// True if a file column of Arrow type `dt` can be read as Kusto type `ty`.
pub fn readable_as(dt: &DataType, ty: ScalarType) -> bool {
    match ty {
        ScalarType::Bool => matches!(dt, DataType::Boolean),
        // int columns written as 64-bit by some exporters read with a checked cast.
        ScalarType::Int | ScalarType::Long => dt.is_integer(),
        ScalarType::Real => dt.is_floating() || dt.is_integer(),
        ScalarType::Decimal => {
            matches!(
                dt,
                DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal128(..) | DataType::Decimal256(..)
            ) || dt.is_integer()
        }
        ScalarType::String | ScalarType::Guid | ScalarType::Dynamic => is_stringish(dt),
        ScalarType::DateTime => matches!(dt, DataType::Timestamp(..) | DataType::Date32 | DataType::Date64),
        ScalarType::Timespan => matches!(dt, DataType::Duration(_)),
    }
}

/// Converts a column read from a file to the executor's encoding of `ty`:
/// any integer width, timestamps in any unit or zone, large/view/dictionary
/// strings; null strings become "". `Err` says why the type does not fit.
pub fn normalize_column(array: &ArrayRef, ty: ScalarType) -> std::result::Result<ArrayRef, String> {
    let target = physical_type(ty);
    let dt = array.data_type();
    let fits = readable_as(dt, ty);
    if !fits {
        return Err(format!("the file holds {dt}, which cannot be read as {ty}"));
    }
    let converted: ArrayRef = match (ty, dt) {
        (ScalarType::DateTime, DataType::Timestamp(unit, Some(_))) => {
            // The zone only affects display; the values are UTC instants.
            let plain = arrow_cast::cast(array, &DataType::Timestamp(*unit, None)).map_err(|e| e.to_string())?;
            arrow_cast::cast(&plain, &target).map_err(|e| e.to_string())?
        }
        _ if dt == &target => array.clone(),
        // Other decimal widths and scales through their exact text, so a
        // value ntaq's decimals cannot hold is an error, not the null or
        // the rounding Arrow's cast would give.
        (
            ScalarType::Decimal,
            DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal128(..) | DataType::Decimal256(..),
        ) => {
            let text = arrow_cast::cast(array, &DataType::Utf8).map_err(|e| e.to_string())?;
            let raw: Vec<Option<i128>> = text
                .as_string::<i32>()
                .iter()
                .map(|t| t.map_or(Ok(None), kql_types::decimal::parse))
                .collect::<std::result::Result<_, _>>()
                .map_err(|why| format!("the file holds {}, which ntaq does not support", why.describe()))?;
            Arc::new(
                Decimal128Array::from(raw)
                    .with_precision_and_scale(kql_types::decimal::PRECISION, kql_types::decimal::SCALE as i8)
                    .map_err(|e| e.to_string())?,
            )
        }
        _ => arrow_cast::cast(array, &target).map_err(|e| e.to_string())?,
    };
    Ok(if ty == ScalarType::String { fill_empty_strings(&converted) } else { converted })
}

fn is_stringish(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_stringish(v),
        _ => false,
    }
}

/// A Utf8 array with nulls replaced by "" (Kusto strings are never null).
pub fn fill_empty_strings(array: &ArrayRef) -> ArrayRef {
    if array.null_count() == 0 {
        return array.clone();
    }
    let strings = array.as_string::<i32>();
    let mut b = StringBuilder::with_capacity(strings.len(), strings.value_data().len());
    for v in strings.iter() {
        b.append_value(v.unwrap_or(""));
    }
    Arc::new(b.finish())
}

/// Checks that a value the plan calls `ty` arrived as expected; guards
/// against bugs mixing encodings.
pub fn expect_type(array: &ArrayRef, ty: ScalarType, what: &str) -> Result<()> {
    let ok = match ty {
        ScalarType::Dynamic => dyn_repr(array.data_type()).is_some(),
        _ => array.data_type() == &physical_type(ty),
    };
    if ok {
        Ok(())
    } else {
        Err(ExecError::Internal(format!("{what}: expected {ty}, found Arrow {}", array.data_type())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_columns_convert_exactly_or_not_at_all() {
        let d = |v: Vec<Option<i128>>, p: u8, s: i8| -> ArrayRef {
            Arc::new(Decimal128Array::from(v).with_precision_and_scale(p, s).unwrap())
        };
        let out = normalize_column(&d(vec![Some(150), None, Some(-5)], 10, 2), ScalarType::Decimal).unwrap();
        let texts: Vec<String> = (0..3).map(|i| value_at(&out, i, ScalarType::Decimal).to_string()).collect();
        assert_eq!(texts, ["1.5", "", "-0.05"]);
        // 21 integer digits, or 20 fraction digits: not held exactly.
        assert!(normalize_column(&d(vec![Some(10i128.pow(20))], 38, 0), ScalarType::Decimal).is_err());
        assert!(normalize_column(&d(vec![Some(1)], 38, 20), ScalarType::Decimal).is_err());
        assert!(normalize_column(&d(vec![Some(100)], 38, 20), ScalarType::Decimal).is_ok());
    }

    #[test]
    fn file_columns_normalize() {
        let ms: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![Some(1_000), None]).with_timezone("UTC"));
        let t = normalize_column(&ms, ScalarType::DateTime).unwrap();
        assert_eq!(t.data_type(), &DataType::Timestamp(TimeUnit::Nanosecond, None));
        assert_eq!(t.as_primitive::<TimestampNanosecondType>().value(0), 1_000_000_000);
        assert!(t.is_null(1));

        let s: ArrayRef = Arc::new(LargeStringArray::from(vec![Some("a"), None]));
        let n = normalize_column(&s, ScalarType::String).unwrap();
        assert_eq!(n.as_string::<i32>().value(1), "", "null strings read as empty");
        assert_eq!(n.null_count(), 0);

        let i: ArrayRef = Arc::new(Int16Array::from(vec![5]));
        assert_eq!(normalize_column(&i, ScalarType::Long).unwrap().as_primitive::<Int64Type>().value(0), 5);
        let err = normalize_column(&i, ScalarType::DateTime).unwrap_err();
        assert!(err.contains("Int16"), "{err}");
    }
}
