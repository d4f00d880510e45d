//! String functions.

use super::Args;
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::*;
use kql_syntax::ScalarType;
use std::sync::Arc;

/// Argument `i` as a string column (arrays or a constant broadcast).
pub fn strings(a: &Args, i: usize) -> Result<StringArray> {
    Ok(a.as_type(i, ScalarType::String)?.to_array(a.len).as_string::<i32>().clone())
}

/// `strcat(a, b, …)`: every argument as text; nulls count as empty.
pub fn strcat(a: &Args) -> Result<Col> {
    let parts: Vec<Col> = (0..a.cols.len()).map(|i| a.as_type(i, ScalarType::String)).collect::<Result<_>>()?;
    if parts.iter().all(|p| p.as_scalar().is_some()) {
        let s: String = parts.iter().filter_map(|p| p.as_scalar()).map(|v| v.to_string()).collect();
        return Ok(Col::Scalar(kql_types::Value::String(s)));
    }
    // Constant parts stay one string; column parts are read in place, and
    // each row is written straight into the output buffer.
    enum Part<'a> {
        Text(String),
        Column(&'a StringArray),
    }
    let parts: Vec<Part> = parts
        .iter()
        .map(|p| match p {
            Col::Scalar(v) => Part::Text(v.to_string()),
            Col::Array(x) => Part::Column(x.as_string::<i32>()),
        })
        .collect();
    let bytes: usize = parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.len() * a.len,
            Part::Column(c) => c.value_data().len(),
        })
        .sum();
    let mut b = StringBuilder::with_capacity(a.len, bytes);
    for i in 0..a.len {
        for p in &parts {
            let piece = match p {
                Part::Text(t) => t.as_str(),
                Part::Column(c) => c.value(i),
            };
            std::fmt::Write::write_str(&mut b, piece).map_err(|e| ExecError::Internal(e.to_string()))?;
        }
        b.append_value("");
    }
    Ok(Col::Array(Arc::new(b.finish())))
}

/// `split(s, sep [, i])`: a dynamic array of strings (or its i-th part).
pub fn split(a: &Args) -> Result<Col> {
    let s = strings(a, 0)?;
    let Some(sep) = a.const_str(1) else {
        return Err(ExecError::NotImplemented {
            what: "split() with a separator that is not a constant".into(),
            span: a.arg_span(1),
        });
    };
    let parts = crate::dynamic::split(&s, &sep);
    if a.cols.len() > 2 {
        let idx = a.as_type(2, ScalarType::Long)?;
        let picked = match idx.as_scalar() {
            Some(kql_types::Value::Long(Some(i))) => {
                let i = *i;
                crate::dynamic::index(&parts, &|_| Some(serde_json::Value::from(i)))
            }
            _ => {
                return Err(ExecError::NotImplemented {
                    what: "split() with a non-constant index".into(),
                    span: a.arg_span(2),
                });
            }
        };
        // Kusto returns the part as a one-element array.
        let texts = crate::dynamic::to_string_array(&picked);
        let rows: Vec<Vec<String>> = (0..texts.len())
            .map(|i| if picked.is_null(i) { vec![] } else { vec![texts.value(i).to_string()] })
            .collect();
        return Ok(Col::Array(crate::dynamic::str_arrays(rows)));
    }
    Ok(Col::Array(parts))
}

/// `strlen(s)`: length in Unicode code points.
pub fn strlen(a: &Args) -> Result<Col> {
    let s = strings(a, 0)?;
    let out: Int64Array = s.iter().map(|v| v.map(|v| v.chars().count() as i64)).collect();
    Ok(Col::Array(Arc::new(out)))
}

/// A per-string mapping such as tolower.
pub fn map_strings(a: &Args, f: impl Fn(&str) -> String) -> Result<Col> {
    if let Some(kql_types::Value::String(s)) = a.as_type(0, ScalarType::String)?.as_scalar() {
        return Ok(Col::Scalar(kql_types::Value::String(f(s))));
    }
    let s = strings(a, 0)?;
    let out: StringArray = s.iter().map(|v| Some(f(v.unwrap_or("")))).collect();
    Ok(Col::Array(Arc::new(out)))
}

/// `substring(s, start [, length])`: code points from a zero-based start;
/// a negative start counts from the end (substring page:
/// `substring("123456", -2, 2)` is `56`); out-of-range parts are clipped.
pub fn substring(a: &Args) -> Result<Col> {
    let s = strings(a, 0)?;
    let start = a.as_type(1, ScalarType::Long)?.to_array(a.len);
    let start = start.as_primitive::<arrow_array::types::Int64Type>();
    let length = if a.cols.len() > 2 { Some(a.as_type(2, ScalarType::Long)?.to_array(a.len)) } else { None };
    let length = length.as_ref().map(|l| l.as_primitive::<arrow_array::types::Int64Type>());
    let out: StringArray = (0..a.len)
        .map(|i| {
            let text = s.value(i);
            if start.is_null(i) || length.is_some_and(|l| l.is_null(i)) {
                return Some(String::new());
            }
            let st = match start.value(i) {
                n if n < 0 => {
                    let chars = text.chars().count() as i64;
                    chars.saturating_add(n).max(0) as usize
                }
                n => usize::try_from(n).unwrap_or(usize::MAX),
            };
            let taken: String = match length {
                Some(l) => {
                    text.chars().skip(st).take(usize::try_from(l.value(i).max(0)).unwrap_or(usize::MAX)).collect()
                }
                None => text.chars().skip(st).collect(),
            };
            Some(taken)
        })
        .collect();
    Ok(Col::Array(Arc::new(out)))
}
