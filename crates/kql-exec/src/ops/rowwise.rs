//! Row-wise operators, batch by batch: project/extend, mv-expand (run by
//! the pipelines of `super::pipeline`).

use super::{Executor, make_batch};
use crate::dynamic::expand;
use crate::error::{ExecError, Result};
use crate::eval::{EvalCx, eval, to_scalar_type};
use crate::limits::Reservation;
use crate::physical::{dyn_repr, physical_type};
use crate::source::Stream;
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, UInt32Array};
use arrow_schema::Field;
use kql_plan::plan::{Expr, Plan};
use kql_syntax::ScalarType;
use std::sync::Arc;

/// Evaluates `columns` over one batch. Every item reads the input row: the
/// binder splits an `extend` whose items read earlier items into a chain of
/// `Project`s (`extend b = a * 2, c = b + 1` computes `b` first).
pub fn project_batch(b: &RecordBatch, columns: &[(String, Expr)], cx: &EvalCx) -> Result<RecordBatch> {
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays = Vec::with_capacity(columns.len());
    for (name, e) in columns {
        let a = eval(e, b, cx)?.to_array(b.num_rows());
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
    }
    make_batch(fields, arrays, b.num_rows())
}

/// mv-expand of one batch: one row per element of the expanded columns
/// (missing elements are null); other columns are repeated. The explosion
/// guard: one input batch expands into one output batch, held whole while
/// it is built, so each must fit the memory budget. An array of a million
/// elements next to a column of large values (`mv-expand` of a `make_list`
/// that keeps the list) stops here with an error naming mv-expand, before
/// its rows are made.
pub(crate) fn expand_batch(
    b: &RecordBatch,
    columns: &[String],
    limit: Option<usize>,
    plan: &Plan,
    guard: &Reservation,
) -> Result<RecordBatch> {
    let rows = b.num_rows();
    let (bag_as_array, item_index) = match &plan.node {
        kql_plan::plan::Node::MvExpand { bag_as_array, item_index, .. } => (*bag_as_array, item_index.as_deref()),
        _ => (false, None),
    };
    let mut expanded = Vec::with_capacity(columns.len());
    for name in columns {
        let a =
            b.column_by_name(name).ok_or_else(|| ExecError::Internal(format!("mv-expand column `{name}` missing")))?;
        if dyn_repr(a.data_type()).is_none() {
            return Err(ExecError::Internal(format!("mv-expand of non-dynamic column `{name}`")));
        }
        expanded.push(expand(a, bag_as_array));
    }
    // Rows per input row: the longest of the expanded arrays (capped by limit).
    let counts: Vec<usize> = (0..rows)
        .map(|r| {
            let n = expanded.iter().map(|e| e.counts[r]).max().unwrap_or(1);
            limit.map_or(n, |l| n.min(l))
        })
        .collect();
    let total: usize = counts.iter().sum();
    // About the bytes of an output row: the repeated columns' share of an
    // input row plus one element of each expanded column.
    let repeated: usize = (0..b.num_columns())
        .filter(|&i| !columns.iter().any(|c| c == b.schema().field(i).name()))
        .map(|i| b.column(i).get_array_memory_size())
        .sum();
    let element: usize = expanded.iter().map(|e| e.values.get_array_memory_size() / e.values.len().max(1)).sum();
    let row_bytes = (repeated / rows.max(1) + element) as u64;
    guard.check_output(0, total as u64, row_bytes)?;
    // Element indices are u32 (Arrow's take); a batch past that is refused
    // whatever the budget.
    if u32::try_from(total).is_err() || expanded.iter().any(|e| u32::try_from(e.values.len()).is_err()) {
        return Err(ExecError::MemoryLimit {
            operator: "mv-expand",
            detail: format!("one batch would expand to {total} rows"),
            limit: format!("{} rows per batch", u32::MAX),
        });
    }
    let mut repeat = Vec::with_capacity(total);
    for (r, n) in counts.iter().enumerate() {
        repeat.extend(std::iter::repeat_n(r as u32, *n));
    }
    let repeat = UInt32Array::from(repeat);
    // Element indices per expanded column (null where an array is shorter).
    let mut element_index: Vec<UInt32Array> = Vec::with_capacity(expanded.len());
    for e in &expanded {
        let mut starts = Vec::with_capacity(rows);
        let mut acc = 0u32;
        for c in &e.counts {
            starts.push(acc);
            acc += *c as u32;
        }
        let mut idx = Vec::with_capacity(total);
        for (r, n) in counts.iter().enumerate() {
            for k in 0..*n {
                idx.push((k < e.counts[r]).then(|| starts[r] + k as u32));
            }
        }
        element_index.push(UInt32Array::from(idx));
    }
    let schema = b.schema();
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for (i, f) in schema.fields().iter().enumerate() {
        let out = match columns.iter().position(|c| c == f.name()) {
            Some(k) => {
                let values = arrow_select::take::take(&expanded[k].values, &element_index[k], None)?;
                // `to typeof(T)`: the plan's type for the column.
                let target = plan.schema.get(f.name()).and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::Dynamic);
                if target == ScalarType::Dynamic {
                    values
                } else {
                    let c = to_scalar_type(&crate::columnar::Col::Array(values), ScalarType::Dynamic, target, total)?;
                    let a = c.to_array(total);
                    debug_assert_eq!(a.data_type(), &physical_type(target));
                    a
                }
            }
            None => arrow_select::take::take(b.column(i), &repeat, None)?,
        };
        fields.push(Field::new(f.name(), out.data_type().clone(), true));
        arrays.push(out);
    }
    // `with_itemindex=`: each output row's position in its input row's
    // expansion (unless pruned away as unread).
    if let Some(name) = item_index.filter(|n| plan.schema.get(n).is_some()) {
        let index: Int64Array = counts.iter().flat_map(|n| 0..*n as i64).map(Some).collect();
        fields.push(Field::new(name, index.data_type().clone(), true));
        arrays.push(Arc::new(index));
    }
    make_batch(fields, arrays, total)
}

/// `take n`: the first n rows that arrive.
pub fn take<'a>(ex: &'a Executor<'a>, input: &'a Plan, n: usize) -> Result<Stream<'a>> {
    let mut left = n;
    let stream = ex.run(input)?;
    Ok(Box::new(stream.map_while(move |b| {
        if left == 0 {
            return None;
        }
        Some(b.map(|b| {
            let k = b.num_rows().min(left);
            left -= k;
            b.slice(0, k)
        }))
    })))
}
