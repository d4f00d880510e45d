//! iff/iif, case, coalesce, isempty/isnotempty, isnull/isnotnull.

use super::Args;
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::cast::AsArray;
use arrow_array::*;
use arrow_select::zip::zip;
use kql_syntax::ScalarType;
use kql_types::Value;
use std::sync::Arc;

/// The value of argument `i` converted to the call's result type, as an array.
fn branch(a: &Args, i: usize) -> Result<ArrayRef> {
    let c = if a.out == ScalarType::Dynamic {
        // Branches of dynamic results share the JSON encoding.
        let c = a.as_type(i, ScalarType::Dynamic)?;
        Col::Array(crate::dynamic::to_json_array(&c.to_array(a.len)))
    } else {
        a.as_type(i, a.out)?
    };
    Ok(c.to_array(a.len))
}

/// A condition as booleans where null counts as false.
fn condition(a: &Args, i: usize) -> Result<BooleanArray> {
    let c = a.as_type(i, ScalarType::Bool)?.to_array(a.len);
    let b = c.as_boolean();
    Ok(if b.null_count() == 0 { b.clone() } else { b.iter().map(|v| Some(v.unwrap_or(false))).collect() })
}

/// `iff(cond, then, else)`: a null condition takes the else branch.
pub fn iff(a: &Args) -> Result<Col> {
    if let Some(Value::Bool(b)) = a.col(0)?.as_scalar() {
        let pick = if b.unwrap_or(false) { 1 } else { 2 };
        return a.as_type(pick, a.out);
    }
    let cond = condition(a, 0)?;
    Ok(Col::Array(zip(&cond, &branch(a, 1)?, &branch(a, 2)?)?))
}

/// `case(p1, v1, p2, v2, …, else)`: the first true predicate's value.
pub fn case(a: &Args) -> Result<Col> {
    let n = a.cols.len();
    let mut result = branch(a, n - 1)?;
    // Apply from the last pair to the first so earlier predicates win.
    let mut k = n - 1;
    while k >= 2 {
        k -= 2;
        let cond = condition(a, k)?;
        result = zip(&cond, &branch(a, k + 1)?, &result)?;
    }
    Ok(Col::Array(result))
}

/// True where a value counts as present for coalesce: not null, and for
/// strings not empty.
fn present(values: &ArrayRef, ty: ScalarType) -> BooleanArray {
    match ty {
        ScalarType::String => {
            values.as_string::<i32>().iter().map(|v| Some(v.is_some_and(|s| !s.is_empty()))).collect()
        }
        _ => (0..values.len()).map(|i| Some(values.is_valid(i))).collect(),
    }
}

/// `coalesce(a, b, …)`: the first argument that is not null (for strings,
/// not empty: `coalesce("", "x")` is "x").
pub fn coalesce(a: &Args) -> Result<Col> {
    let n = a.cols.len();
    let mut result = branch(a, n - 1)?;
    for i in (0..n - 1).rev() {
        let v = branch(a, i)?;
        let keep = present(&v, a.out);
        result = zip(&keep, &v, &result)?;
    }
    Ok(Col::Array(result))
}

/// `assert(condition, message)`: true, or the query fails with `message`
/// (assert-function page). Both arguments are constants (checked when binding).
pub fn assert(a: &Args) -> Result<Col> {
    let holds = match a.as_type(0, ScalarType::Bool)? {
        Col::Scalar(Value::Bool(b)) => b,
        other => {
            let arr = other.to_array(a.len);
            let b = arr.as_boolean();
            (!b.is_empty() && b.null_count() == 0).then(|| b.iter().all(|v| v == Some(true)))
        }
    };
    if holds != Some(true) {
        let message = match a.col(1)? {
            Col::Scalar(Value::String(m)) => m.clone(),
            _ => "assertion failed".to_string(),
        };
        let span = a.arg_spans.first().copied().unwrap_or(a.span);
        return Err(ExecError::runtime(format!("assertion failed: {message}"), span));
    }
    Ok(Col::Scalar(Value::Bool(Some(true))))
}

/// `isempty(x)`: null, or the empty string. `isnotempty` negates it.
pub fn is_empty(a: &Args, negate: bool) -> Result<Col> {
    let ty = a.ty(0);
    let values = a.col(0)?.to_array(a.len);
    let empty: BooleanArray = match ty {
        ScalarType::String => {
            values.as_string::<i32>().iter().map(|v| Some(v.is_none_or(str::is_empty) != negate)).collect()
        }
        ScalarType::Dynamic => {
            let text = crate::dynamic::to_string_array(&values);
            text.iter()
                .zip(0..values.len())
                .map(|(v, i)| Some((values.is_null(i) || v.is_none_or(str::is_empty)) != negate))
                .collect()
        }
        _ => (0..values.len()).map(|i| Some(values.is_null(i) != negate)).collect(),
    };
    Ok(Col::Array(Arc::new(empty)))
}

/// `isnull(x)`: strings are never null, so `isnull("")` is false.
pub fn is_null(a: &Args, negate: bool) -> Result<Col> {
    let values = a.col(0)?.to_array(a.len);
    let out: BooleanArray = (0..values.len()).map(|i| Some(values.is_null(i) != negate)).collect();
    Ok(Col::Array(Arc::new(out)))
}
