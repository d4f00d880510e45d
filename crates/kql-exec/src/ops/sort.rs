//! `sort` and `top`: all rows, ordered by the keys; `top` keeps the first N.
//! Kusto's defaults are resolved by the binder (descending; nulls first when
//! ascending, last when descending). Strings order by their bytes.

use super::Executor;
use crate::error::Result;
use crate::eval::{EvalCx, eval};
use crate::source::Stream;
use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{ArrayRef, Float64Array, UInt8Array};
use arrow_ord::sort::{SortColumn, SortOptions, lexsort_to_indices};
use kql_plan::plan::{Plan, SortKey};
use std::sync::Arc;

pub fn sort<'a>(
    ex: &'a Executor<'a>,
    input: &'a Plan,
    keys: &'a [SortKey],
    limit: Option<usize>,
) -> Result<Stream<'a>> {
    let (batches, mut held) = ex.collect_held(input, if limit.is_some() { "top" } else { "sort" })?;
    if limit == Some(0) || batches.iter().all(|b| b.num_rows() == 0) {
        return Ok(super::empty_stream());
    }
    let schema = batches[0].schema();
    let all = arrow_select::concat::concat_batches(&schema, &batches)?;
    drop(batches);
    held.grow(all.get_array_memory_size() as u64)?;
    let subs = ex.subqueries(keys.iter().map(|k| &k.expr))?;
    let cx = EvalCx { now: ex.now, subqueries: &subs };
    let mut columns = Vec::with_capacity(keys.len());
    for k in keys {
        let values = eval(&k.expr, &all, &cx)?.to_array(all.num_rows());
        let options = Some(SortOptions { descending: k.descending, nulls_first: k.nulls_first });
        if let Some(reals) = values.as_primitive_opt::<Float64Type>()
            && reals.iter().any(|v| v.is_some_and(f64::is_nan))
        {
            let (rank, values) = nan_with_nulls(reals, k.nulls_first);
            columns.push(SortColumn { values: rank, options: None });
            columns.push(SortColumn { values, options });
            continue;
        }
        columns.push(SortColumn { values, options });
    }
    let idx = lexsort_to_indices(&columns, limit)?;
    held.grow(all.get_array_memory_size() as u64 * idx.len() as u64 / all.num_rows().max(1) as u64)?;
    let sorted = arrow_select::take::take_record_batch(&all, &idx)?;
    Ok(Box::new(std::iter::once(Ok(sorted))))
}

/// Kusto groups NaN with null, between the nulls and the numbers (sort page,
/// "Using special floating-point values": ascending nulls first is null, NaN,
/// -inf, …; nulls last is …, +inf, NaN, null). Returns a rank key to sort by
/// first and the values with NaN taken out.
fn nan_with_nulls(reals: &Float64Array, nulls_first: bool) -> (ArrayRef, ArrayRef) {
    let rank: UInt8Array = reals
        .iter()
        .map(|v| {
            let (before, after) = if nulls_first { (0, 2) } else { (2, 0) };
            Some(match v {
                None => before,
                Some(x) if x.is_nan() => 1,
                Some(_) => after,
            })
        })
        .collect();
    let values: Float64Array = reals.iter().map(|v| v.filter(|x| !x.is_nan())).collect();
    (Arc::new(rank), Arc::new(values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_ord::sort::lexsort_to_indices;

    fn order(descending: bool, nulls_first: bool) -> Vec<Option<f64>> {
        let input = Float64Array::from(vec![
            Some(5.0),
            Some(f64::NAN),
            Some(-5.0),
            None,
            Some(0.0),
            Some(f64::NEG_INFINITY),
            Some(f64::INFINITY),
        ]);
        let (rank, values) = nan_with_nulls(&input, nulls_first);
        let cols = [
            SortColumn { values: rank, options: None },
            SortColumn { values, options: Some(SortOptions { descending, nulls_first }) },
        ];
        let idx = lexsort_to_indices(&cols, None).unwrap();
        idx.values().iter().map(|i| input.is_valid(*i as usize).then(|| input.value(*i as usize))).collect()
    }

    fn text(v: &[Option<f64>]) -> Vec<String> {
        v.iter().map(|x| x.map_or("null".into(), |x| x.to_string())).collect()
    }

    #[test]
    fn nan_sorts_with_nulls() {
        // The sort page's table of special values.
        assert_eq!(text(&order(false, true)), ["null", "NaN", "-inf", "-5", "0", "5", "inf"]);
        assert_eq!(text(&order(true, true)), ["null", "NaN", "inf", "5", "0", "-5", "-inf"]);
        assert_eq!(text(&order(false, false)), ["-inf", "-5", "0", "5", "inf", "NaN", "null"]);
        assert_eq!(text(&order(true, false)), ["inf", "5", "0", "-5", "-inf", "NaN", "null"]);
    }
}
