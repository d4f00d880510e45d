//! `sort` and `top`: all rows, ordered by the keys; `top` keeps the first N.
//! Kusto's defaults are resolved by the binder (descending; nulls first when
//! ascending, last when descending). Strings order by their bytes.

use super::Executor;
use crate::context::Stream;
use crate::error::Result;
use crate::eval::{EvalCx, eval};
use arrow_ord::sort::{SortColumn, SortOptions, lexsort_to_indices};
use kql_plan::plan::{Plan, SortKey};

pub fn sort<'a>(
    ex: &'a Executor<'a>,
    input: &'a Plan,
    keys: &'a [SortKey],
    limit: Option<usize>,
) -> Result<Stream<'a>> {
    let batches = ex.collect(input)?;
    if limit == Some(0) || batches.iter().all(|b| b.num_rows() == 0) {
        return Ok(super::empty_stream());
    }
    let schema = batches[0].schema();
    let all = arrow_select::concat::concat_batches(&schema, &batches)?;
    let subs = ex.subqueries(keys.iter().map(|k| &k.expr))?;
    let cx = EvalCx { now: ex.now, subqueries: &subs };
    let columns = keys
        .iter()
        .map(|k| {
            Ok(SortColumn {
                values: eval(&k.expr, &all, &cx)?.to_array(all.num_rows()),
                options: Some(SortOptions { descending: k.descending, nulls_first: k.nulls_first }),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let idx = lexsort_to_indices(&columns, limit)?;
    let sorted = arrow_select::take::take_record_batch(&all, &idx)?;
    Ok(Box::new(std::iter::once(Ok(sorted))))
}
