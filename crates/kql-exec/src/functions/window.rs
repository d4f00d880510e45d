//! Window functions: `row_number`, `prev`, `next`, `row_cumsum`,
//! `row_rank_dense`, `row_rank_min`. Each reads other rows of its column,
//! so it is only correct over a whole serialized row set: the binder puts
//! these calls in `Node::Window`, which evaluates them over all the input's
//! rows as one batch, in order (`ops/window.rs`).

use super::Args;
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array, UInt32Array};
use arrow_ord::ord::make_comparator;
use arrow_schema::SortOptions;
use kql_syntax::ScalarType;
use std::cmp::Ordering;
use std::sync::Arc;

/// The optional `restart` argument at `i`: true where a new run starts.
fn restarts(a: &Args, i: usize) -> Result<Option<BooleanArray>> {
    if a.cols.len() <= i {
        return Ok(None);
    }
    let c = a.as_type(i, ScalarType::Bool)?.to_array(a.len);
    Ok(Some(c.as_boolean().clone()))
}

fn restart_at(r: &Option<BooleanArray>, i: usize) -> bool {
    r.as_ref().is_some_and(|r| r.is_valid(i) && r.value(i))
}

/// row_number page: StartingIndex (default 1), restarted where Restart is true.
pub(super) fn row_number(a: &Args) -> Result<Col> {
    let start = if a.cols.is_empty() { Some(1) } else { a.constant(0, ScalarType::Long)?.and_then(|v| v.as_i64()) };
    let start = start.unwrap_or(1);
    let restart = restarts(a, 1)?;
    let mut n = start;
    let out: Int64Array = (0..a.len)
        .map(|i| {
            if i > 0 && restart_at(&restart, i) {
                n = start;
            }
            let v = n;
            n = n.wrapping_add(1);
            Some(v)
        })
        .collect();
    Ok(Col::Array(Arc::new(out)))
}

/// `prev(column, offset = 1, default = null)` / `next(…)`: the value
/// `offset` rows before (after); the default where that row does not exist.
pub(super) fn shifted(a: &Args, forward: bool) -> Result<Col> {
    let len = a.len;
    let values = a.as_type(0, a.out)?.to_array(len);
    let offset =
        if a.cols.len() > 1 { a.constant(1, ScalarType::Long)?.and_then(|v| v.as_i64()).unwrap_or(1) } else { 1 };
    let source = |i: usize| -> Option<u32> {
        let j = if forward { (i as i64).checked_add(offset)? } else { (i as i64).checked_sub(offset)? };
        (j >= 0 && (j as usize) < len).then(|| u32::try_from(j).ok()).flatten()
    };
    let indices: UInt32Array = (0..len).map(source).collect();
    let taken = arrow_select::take::take(&values, &indices, None)?;
    let out: ArrayRef = if a.cols.len() > 2 {
        let default = a.as_type(2, a.out)?.to_array(len);
        let inside: BooleanArray = (0..len).map(|i| Some(source(i).is_some())).collect();
        arrow_select::zip::zip(&inside, &taken, &default)?
    } else {
        taken
    };
    Ok(Col::Array(if a.out == ScalarType::String { crate::physical::fill_empty_strings(&out) } else { out }))
}

/// row_cumsum page: the running sum of `term`, restarted (to the row's own
/// value) where `restart` is true. A null term adds nothing.
pub(super) fn row_cumsum(a: &Args) -> Result<Col> {
    let restart = restarts(a, 1)?;
    let len = a.len;
    match a.out {
        ScalarType::Long | ScalarType::Int => {
            let t = a.as_type(0, ScalarType::Long)?.to_array(len);
            let t = t.as_primitive::<Int64Type>();
            let mut sum = 0i64;
            let out: Int64Array = (0..len)
                .map(|i| {
                    if restart_at(&restart, i) {
                        sum = 0;
                    }
                    if t.is_valid(i) {
                        sum = sum.wrapping_add(t.value(i));
                    }
                    Some(sum)
                })
                .collect();
            Ok(Col::Array(Arc::new(out)))
        }
        ScalarType::Real => {
            let t = a.as_type(0, ScalarType::Real)?.to_array(len);
            let t = t.as_primitive::<Float64Type>();
            let mut sum = 0f64;
            let out: Float64Array = (0..len)
                .map(|i| {
                    if restart_at(&restart, i) {
                        sum = 0.0;
                    }
                    if t.is_valid(i) {
                        sum += t.value(i);
                    }
                    Some(sum)
                })
                .collect();
            Ok(Col::Array(Arc::new(out)))
        }
        other => Err(ExecError::NotImplemented { what: format!("`row_cumsum` of {other}"), span: a.span }),
    }
}

/// row_window_session page: each row's session start. A row starts a new
/// session where there is no session yet or its start is null, where the
/// value is at or past the session's start plus `maxDistanceFromFirst`, at
/// or past the previous value plus `maxDistanceBetweenNeighbors`, or where
/// `restart` is true. A null value gives null (the next value starts a
/// new session).
pub(super) fn row_window_session(a: &Args) -> Result<Col> {
    let len = a.len;
    let ns = |i: usize| -> Result<ArrayRef> {
        let c = a.as_type(i, if i == 0 { ScalarType::DateTime } else { ScalarType::Timespan })?.to_array(len);
        Ok(arrow_cast::cast(&c, &arrow_schema::DataType::Int64)?)
    };
    let (v, first, neighbor) = (ns(0)?, ns(1)?, ns(2)?);
    let (v, first, neighbor) =
        (v.as_primitive::<Int64Type>(), first.as_primitive::<Int64Type>(), neighbor.as_primitive::<Int64Type>());
    let restart = restarts(a, 3)?;
    let at = |p: &arrow_array::PrimitiveArray<Int64Type>, i: usize| p.is_valid(i).then(|| p.value(i));
    let (mut start, mut previous): (Option<i64>, Option<i64>) = (None, None);
    let out: Int64Array = (0..len)
        .map(|i| {
            let Some(x) = at(v, i) else {
                (start, previous) = (None, None);
                return None;
            };
            let past = |base: Option<i64>, distance: Option<i64>| match (base, distance) {
                (Some(b), Some(d)) => b.checked_add(d).is_none_or(|limit| x >= limit),
                _ => false,
            };
            let new = start.is_none()
                || past(start, at(first, i))
                || past(previous, at(neighbor, i))
                || restart_at(&restart, i);
            if new {
                start = Some(x);
            }
            previous = Some(x);
            start
        })
        .collect();
    Ok(Col::Array(arrow_cast::cast(&out, &crate::physical::physical_type(ScalarType::DateTime))?))
}

/// row_rank_dense / row_rank_min pages: the rank of each row's value among
/// the (sorted) rows since the last restart; a dense rank grows by one at
/// each change of value, a minimal rank jumps to the row's position.
pub(super) fn row_rank(a: &Args, dense: bool) -> Result<Col> {
    let len = a.len;
    let values = a.col(0)?.to_array(len);
    let restart = restarts(a, 1)?;
    let cmp = make_comparator(values.as_ref(), values.as_ref(), SortOptions::default())?;
    let (mut rank, mut position) = (0i64, 0i64);
    let out: Int64Array = (0..len)
        .map(|i| {
            if i == 0 || restart_at(&restart, i) {
                rank = 1;
                position = 1;
            } else {
                position += 1;
                if cmp(i - 1, i) != Ordering::Equal {
                    rank = if dense { rank + 1 } else { position };
                }
            }
            Some(rank)
        })
        .collect();
    Ok(Col::Array(Arc::new(out)))
}
