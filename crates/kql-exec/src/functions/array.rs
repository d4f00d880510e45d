//! array_length.

use super::Args;
use crate::columnar::Col;
use crate::error::Result;
use crate::physical::{DynRepr, dyn_repr};
use arrow_array::cast::AsArray;
use arrow_array::{Array, Int64Array};
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
