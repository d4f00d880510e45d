//! Sources: `print`, `datatable` (table scans run as parallel pipelines,
//! [`super::pipeline`]).

use super::{Executor, make_batch};
use crate::context::Stream;
use crate::error::Result;
use crate::eval::{EvalCx, eval};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema};
use kql_plan::Value;
use kql_plan::plan::{Expr, Plan};
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
