//! `make-series` (the make-series operator page): the aggregated bins of
//! each key become arrays over the whole axis, absent bins the default.

use super::source::one_row;
use super::{Executor, batch_of};
use crate::error::{ExecError, Result};
use crate::eval::{EvalCx, eval};
use crate::physical::value_at;
use crate::source::Stream;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_row::{RowConverter, SortField};
use kql_plan::plan::{Expr, Node, Plan};
use kql_syntax::ScalarType;
use kql_types::Value;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Arc;

/// Kusto limits a series to 2^20 values (make-series page, "Note").
const MAX_BINS: i128 = 1 << 20;

/// An axis position: whole numbers (datetime and timespan nanoseconds,
/// long, int) or reals.
#[derive(Clone, Copy)]
enum Pos {
    Whole(i128),
    Real(f64),
}

fn pos_of(v: &Value) -> Option<Pos> {
    Some(match v {
        Value::DateTime(Some(t)) | Value::Timespan(Some(t)) | Value::Long(Some(t)) => Pos::Whole(i128::from(*t)),
        Value::Int(Some(x)) => Pos::Whole(i128::from(*x)),
        Value::Real(Some(x)) => Pos::Real(*x),
        _ => return None,
    })
}

fn as_real(p: Pos) -> f64 {
    match p {
        Pos::Whole(x) => x as f64,
        Pos::Real(x) => x,
    }
}

/// The axis value at `start + k * step` in the axis type.
fn axis_value(ty: ScalarType, start: Pos, step: Pos, k: usize) -> Value {
    match (start, step) {
        (Pos::Whole(s), Pos::Whole(d)) => {
            let x = i64::try_from(s + d * k as i128).ok();
            match ty {
                ScalarType::DateTime => Value::DateTime(x),
                ScalarType::Timespan => Value::Timespan(x),
                ScalarType::Int => Value::Int(x.and_then(|x| i32::try_from(x).ok())),
                _ => Value::Long(x),
            }
        }
        (s, d) => Value::Real(Some(as_real(s) + as_real(d) * k as f64)),
    }
}

/// Runs `plan`, a [`Node::MakeSeries`].
pub fn make_series<'a>(ex: &'a Executor<'_>, plan: &'a Plan) -> Result<Stream<'a>> {
    let Node::MakeSeries { input, keys, axis, series, from, to, step, nonempty } = &plan.node else {
        return Err(ExecError::Internal("make-series: not a MakeSeries node".into()));
    };
    let (from, to) = (from.as_ref(), to.as_ref());
    let constant = |e: &Expr| -> Result<Value> {
        let subs = ex.subqueries(std::iter::once(e))?;
        let cx = EvalCx { now: ex.now, subqueries: &subs };
        let ty = e.ty.scalar().unwrap_or(ScalarType::Dynamic);
        Ok(match eval(e, &one_row()?, &cx)? {
            crate::columnar::Col::Scalar(v) => v,
            crate::columnar::Col::Array(a) => value_at(&a, 0, ty),
        })
    };
    let bad = |e: &Expr, message: &str| ExecError::Runtime { message: message.into(), span: e.span, help: None };
    let step_pos = match pos_of(&constant(step)?) {
        Some(Pos::Whole(d)) if d > 0 => Pos::Whole(d),
        Some(Pos::Real(d)) if d > 0.0 => Pos::Real(d),
        _ => return Err(bad(step, "the make-series step must be greater than zero")),
    };
    let from_pos = match from {
        Some(e) => Some(pos_of(&constant(e)?).ok_or_else(|| bad(e, "the make-series start is null"))?),
        None => None,
    };
    let to_pos = match to {
        Some(e) => Some(pos_of(&constant(e)?).ok_or_else(|| bad(e, "the make-series end is null"))?),
        None => None,
    };
    let mut defaults = Vec::new();
    for (_, d) in series {
        defaults.push(match d {
            Some(d) => crate::dynamic::value_json(&constant(d)?),
            None => Json::from(0),
        });
    }

    let (batches, _held) = ex.collect_held(input, "make-series")?;
    let schema = &input.schema;
    let ty_of = |name: &str| {
        schema.columns.iter().find(|c| c.name == name).and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::Dynamic)
    };
    let axis_ty = ty_of(axis);
    let column = |b: &RecordBatch, name: &str| -> Result<ArrayRef> {
        b.column_by_name(name).cloned().ok_or_else(|| ExecError::Internal(format!("make-series: no column {name}")))
    };

    // Groups in order of first appearance; each bin's values.
    let key_fields: Vec<SortField> = match batches.first() {
        Some(b) => {
            keys.iter().map(|k| column(b, k).map(|a| SortField::new(a.data_type().clone()))).collect::<Result<_>>()?
        }
        None => Vec::new(),
    };
    let converter = RowConverter::new(key_fields)?;
    let mut groups: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut first_rows: Vec<(usize, usize)> = Vec::new();
    // (group, bin position, values of each series)
    let mut cells: Vec<(usize, Pos, Vec<Json>)> = Vec::new();
    for (bi, b) in batches.iter().enumerate() {
        let key_arrays: Vec<ArrayRef> = keys.iter().map(|k| column(b, k)).collect::<Result<_>>()?;
        let rows = converter.convert_columns(&key_arrays)?;
        let axis_array = column(b, axis)?;
        let series_arrays: Vec<ArrayRef> = series.iter().map(|(n, _)| column(b, n)).collect::<Result<_>>()?;
        for i in 0..b.num_rows() {
            let Some(p) = pos_of(&value_at(&axis_array, i, axis_ty)) else { continue };
            let next = first_rows.len();
            // No keys: one group (a converter of no columns has no rows).
            let key = if keys.is_empty() { Vec::new() } else { rows.row(i).as_ref().to_vec() };
            let g = *groups.entry(key).or_insert(next);
            if g == next {
                first_rows.push((bi, i));
            }
            let values = series_arrays
                .iter()
                .zip(series)
                .map(|(a, (n, _))| crate::dynamic::value_json(&value_at(a, i, ty_of(n))))
                .collect();
            cells.push((g, p, values));
        }
    }

    // The axis: [from, to), or from the first bin with data to the last one.
    let start = match from_pos {
        Some(s) => Some(s),
        None => cells.iter().map(|c| c.1).reduce(|a, b| if as_real(b) < as_real(a) { b } else { a }),
    };
    // No row at all: nothing, or with `kind=nonempty` one row of defaults
    // (over no bins when the axis has no `from`).
    let empty = first_rows.is_empty();
    if empty && !*nonempty {
        return Ok(super::empty_stream());
    }
    let Some(start) = start.or(empty.then_some(step_pos)) else {
        return Ok(super::empty_stream());
    };
    let count = |end: Pos| -> i128 {
        match (start, end, step_pos) {
            (Pos::Whole(s), Pos::Whole(e), Pos::Whole(d)) => {
                if e <= s {
                    0
                } else {
                    (e - s + d - 1) / d
                }
            }
            (s, e, d) => ((as_real(e) - as_real(s)) / as_real(d)).ceil().max(0.0) as i128,
        }
    };
    let bins = match to_pos {
        _ if from_pos.is_none() && empty => 0,
        Some(e) => count(e),
        None => {
            let last = cells.iter().map(|c| c.1).reduce(|a, b| if as_real(b) > as_real(a) { b } else { a });
            match last {
                Some(Pos::Whole(l)) => count(Pos::Whole(l + 1)),
                Some(l) => count(Pos::Real(as_real(l) + as_real(step_pos) / 2.0)),
                None => 0,
            }
        }
    };
    if bins > MAX_BINS {
        return Err(bad(step, &format!("make-series would build {bins} values per series; Kusto allows at most 2^20")));
    }
    let bins = usize::try_from(bins).unwrap_or(0);
    let index = |p: Pos| -> Option<usize> {
        let k = match (start, p, step_pos) {
            (Pos::Whole(s), Pos::Whole(x), Pos::Whole(d)) => (x - s).checked_div(d)?,
            (s, x, d) => ((as_real(x) - as_real(s)) / as_real(d)).round() as i128,
        };
        usize::try_from(k).ok().filter(|k| *k < bins)
    };

    let n = if empty { 1 } else { first_rows.len() };
    let mut arrays: Vec<Vec<Vec<Json>>> = vec![defaults.iter().map(|d| vec![d.clone(); bins]).collect(); n];
    for (g, p, values) in cells {
        if let Some(k) = index(p) {
            for (s, v) in values.into_iter().enumerate() {
                arrays[g][s][k] = v;
            }
        }
    }

    let mut out: Vec<(String, ArrayRef)> = Vec::new();
    for k in keys {
        let a = if empty {
            // The key's null ("" for a string, which has no null).
            let ty = plan.schema.columns.iter().find(|c| c.name == *k).and_then(|c| c.ty.scalar());
            crate::physical::scalar_array(&Value::null_of(ty.unwrap_or(ScalarType::Dynamic)), 1)
        } else {
            let parts: Vec<ArrayRef> = batches.iter().map(|b| column(b, k)).collect::<Result<_>>()?;
            let refs: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
            arrow_select::interleave::interleave(&refs, &first_rows)?
        };
        out.push((k.clone(), a));
    }
    for (s, (name, _)) in series.iter().enumerate() {
        let texts: StringArray = arrays.iter().map(|g| Some(Json::Array(g[s].clone()).to_string())).collect();
        out.push((name.clone(), Arc::new(texts)));
    }
    let axis_json =
        Json::Array((0..bins).map(|k| crate::dynamic::value_json(&axis_value(axis_ty, start, step_pos, k))).collect())
            .to_string();
    out.push((axis.to_string(), Arc::new(StringArray::from(vec![axis_json; n]))));
    Ok(Box::new(std::iter::once(batch_of(out, n))))
}
