//! Sources: `print`, `datatable` (table scans run as parallel pipelines,
//! [`super::pipeline`]).

use super::{Executor, make_batch};
use crate::error::Result;
use crate::eval::{EvalCx, eval};
use crate::source::Stream;
use arrow_array::{
    Array, ArrayRef, DurationNanosecondArray, Float64Array, Int64Array, RecordBatch, RecordBatchOptions,
    TimestampNanosecondArray,
};
use arrow_schema::{Field, Schema};
use kql_plan::plan::{Expr, Plan};
use kql_types::Value;
use std::sync::Arc;

/// One row with no columns, for evaluating constant expressions.
pub fn one_row() -> Result<RecordBatch> {
    Ok(RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )?)
}

pub fn print<'a>(ex: &'a Executor<'_>, columns: &'a [(String, Expr)], _plan: &Plan) -> Result<Stream<'a>> {
    let subs = ex.subqueries(columns.iter().map(|(_, e)| e))?;
    let cx = EvalCx { now: ex.now, subqueries: &subs };
    let row = one_row()?;
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    for (name, e) in columns {
        let a = eval(e, &row, &cx)?.to_array(1);
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
    }
    let batch = make_batch(fields, arrays, 1)?;
    Ok(Box::new(std::iter::once(Ok(batch))))
}

/// Rows per batch of `range`, made one batch at a time as they are read.
const RANGE_BATCH: u64 = 8192;

/// `range` (the range operator page): `from`, `from + step`, … while not
/// past `to` (included); a step that does not lead towards `to` gives no rows.
pub fn range<'a>(ex: &'a Executor<'_>, from: &Expr, to: &Expr, step: &Expr, plan: &Plan) -> Result<Stream<'a>> {
    use kql_syntax::ScalarType as S;
    let subs = ex.subqueries([from, to, step])?;
    let cx = EvalCx { now: ex.now, subqueries: &subs };
    let row = one_row()?;
    let ty = plan.schema.columns.first().and_then(|c| c.ty.scalar()).unwrap_or(S::Long);
    let name = plan.schema.columns.first().map_or_else(|| "range".to_string(), |c| c.name.clone());
    let value = |e: &Expr| -> Result<Value> {
        let a = eval(e, &row, &cx)?.to_array(1);
        Ok(crate::physical::value_at(&a, 0, e.ty.scalar().unwrap_or(S::Long)))
    };
    let (a, b, s) = (value(from)?, value(to)?, value(step)?);
    let whole = |v: &Value| match v {
        Value::Long(x) | Value::DateTime(x) | Value::Timespan(x) => x.map(i128::from),
        Value::Int(x) => x.map(i128::from),
        _ => None,
    };
    let real = |v: &Value| match v {
        Value::Real(x) => *x,
        other => whole(other).map(|x| x as f64),
    };
    // How many values, and the k-th one.
    let (n, nth): (u64, Box<dyn Fn(u64) -> Value + Send + 'a>) = if ty == S::Real {
        match (real(&a), real(&b), real(&s)) {
            (Some(a), Some(b), Some(s))
                if s != 0.0 && s.is_finite() && a.is_finite() && b.is_finite() && (s > 0.0) == (b >= a) || a == b =>
            {
                let n = if a == b { 1 } else { ((b - a) / s).floor() as u64 + 1 };
                (n, Box::new(move |k| Value::Real(Some(a + s * k as f64))))
            }
            _ => (0, Box::new(|_| Value::Real(None))),
        }
    } else {
        match (whole(&a), whole(&b), whole(&s)) {
            (Some(a), Some(b), Some(s)) if (s > 0 && b >= a) || (s < 0 && b <= a) || (s != 0 && a == b) => {
                let n = u64::try_from((b - a) / s).unwrap_or(u64::MAX).saturating_add(1);
                let make = move |k: u64| {
                    let x = i64::try_from(a + s * i128::from(k)).ok();
                    match ty {
                        S::DateTime => Value::DateTime(x),
                        S::Timespan => Value::Timespan(x),
                        _ => Value::Long(x),
                    }
                };
                (n, Box::new(make))
            }
            _ => (0, Box::new(|_| Value::Long(None))),
        }
    };
    let batches = (0..n.div_ceil(RANGE_BATCH)).map(move |k| {
        let start = k * RANGE_BATCH;
        let end = (start + RANGE_BATCH).min(n);
        let values = (start..end).map(&nth);
        let array: ArrayRef = match ty {
            S::Real => {
                Arc::new(values.map(|v| if let Value::Real(x) = v { x } else { None }).collect::<Float64Array>())
            }
            S::DateTime => Arc::new(
                values.map(|v| if let Value::DateTime(x) = v { x } else { None }).collect::<TimestampNanosecondArray>(),
            ),
            S::Timespan => Arc::new(
                values.map(|v| if let Value::Timespan(x) = v { x } else { None }).collect::<DurationNanosecondArray>(),
            ),
            _ => Arc::new(values.map(|v| if let Value::Long(x) = v { x } else { None }).collect::<Int64Array>()),
        };
        let rows = array.len();
        make_batch(vec![Field::new(&name, array.data_type().clone(), true)], vec![array], rows)
    });
    Ok(Box::new(batches))
}

pub fn datatable<'a>(rows: &[Vec<Value>], plan: &Plan) -> Result<Stream<'a>> {
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (k, c) in plan.schema.columns.iter().enumerate() {
        let ty = c.ty.scalar().unwrap_or(kql_syntax::ScalarType::Dynamic);
        let parts: Vec<ArrayRef> = rows
            .iter()
            .map(|r| {
                let v = r.get(k).cloned().unwrap_or_else(|| Value::null_of(ty));
                // Numbers written for another numeric type (1 for a real) are converted.
                let col = crate::columnar::Col::Scalar(v.clone());
                crate::eval::to_scalar_type(&col, v.scalar_type(), ty, 1).map(|c| c.to_array(1))
            })
            .collect::<Result<_>>()?;
        let refs: Vec<&dyn arrow_array::Array> = parts.iter().map(|a| a.as_ref()).collect();
        let a = if refs.is_empty() {
            arrow_array::new_empty_array(&crate::physical::physical_type(ty))
        } else {
            arrow_select::concat::concat(&refs)?
        };
        let a = if ty == kql_syntax::ScalarType::String { crate::physical::fill_empty_strings(&a) } else { a };
        fields.push(Field::new(&c.name, a.data_type().clone(), true));
        arrays.push(a);
    }
    let batch = make_batch(fields, arrays, rows.len())?;
    Ok(Box::new(std::iter::once(Ok(batch))))
}
