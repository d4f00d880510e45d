//! now, ago, bin/floor.

use super::Args;
use crate::columnar::{Col, with_arrays};
use crate::error::{ExecError, Result};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use kql_plan::Value;
use kql_syntax::ScalarType;
use std::sync::Arc;

/// `now([offset])`: one instant for the whole query.
pub fn now(a: &Args, now: i64) -> Result<Col> {
    let offset = match a.cols.first() {
        Some(c) => match c.as_scalar() {
            Some(Value::Timespan(t)) => t.unwrap_or(0),
            _ => {
                return Err(ExecError::NotImplemented {
                    what: "now() with a non-constant offset".into(),
                    span: a.span,
                });
            }
        },
        None => 0,
    };
    Ok(Col::Scalar(Value::DateTime(now.checked_add(offset))))
}

/// `ago(t)` is `now() - t`.
pub fn ago(a: &Args, now: i64) -> Result<Col> {
    let t = a.as_type(0, ScalarType::Timespan)?;
    with_arrays(&[&t], a.len, ScalarType::DateTime, |x| {
        let t = x[0].as_primitive::<DurationNanosecondType>();
        let out: TimestampNanosecondArray = t.iter().map(|v| v.and_then(|v| now.checked_sub(v))).collect();
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `bin(value, size)`: rounds down to a multiple of size (datetimes from the
/// epoch). A zero or negative size gives null.
pub fn bin(a: &Args) -> Result<Col> {
    let out = a.out;
    match out {
        ScalarType::DateTime | ScalarType::Timespan => {
            let v = a.as_type(0, out)?;
            let size = a.as_type(1, ScalarType::Timespan)?;
            let size_ns = match size.as_scalar() {
                Some(Value::Timespan(s)) => *s,
                _ => {
                    return Err(ExecError::NotImplemented {
                        what: "bin() with a non-constant size".into(),
                        span: a.span,
                    });
                }
            };
            with_arrays(&[&v], a.len, out, |x| {
                let ns = arrow_cast::cast(&x[0], &arrow_schema::DataType::Int64)?;
                let ns = ns.as_primitive::<Int64Type>();
                let binned: Int64Array = ns
                    .iter()
                    .map(|v| match (v, size_ns) {
                        (Some(v), Some(s)) if s > 0 => Some(v.div_euclid(s) * s),
                        _ => None,
                    })
                    .collect();
                Ok(arrow_cast::cast(&binned, &crate::physical::physical_type(out))?)
            })
        }
        ScalarType::Long | ScalarType::Int | ScalarType::Real | ScalarType::Decimal => {
            let v = a.as_type(0, ScalarType::Real)?;
            let size = a.as_type(1, ScalarType::Real)?;
            with_arrays(&[&v, &size], a.len, out, |x| {
                let (v, s) = (x[0].as_primitive::<Float64Type>(), x[1].as_primitive::<Float64Type>());
                let binned: Float64Array = v
                    .iter()
                    .zip(s.iter())
                    .map(|(v, s)| match (v, s) {
                        (Some(v), Some(s)) if s > 0.0 => Some((v / s).floor() * s),
                        _ => None,
                    })
                    .collect();
                Ok(arrow_cast::cast(&binned, &crate::physical::physical_type(out))?)
            })
        }
        _ => Err(ExecError::Internal(format!("bin() returning {out}"))),
    }
}
