//! series_fill_const, series_fill_forward and series_fill_backward: missing
//! values of a dynamic array (null, or the `missing_value_placeholder`)
//! replaced by a constant, the last value before or the first value after
//! them (their pages in the Kusto function reference). A value that is not
//! an array gives null.

use super::Args;
use super::bags::{JsonArg, array, dynamic_rows, json_arg, same};
use crate::columnar::Col;
use crate::error::Result;
use serde_json::Value as Json;

/// Which fill.
#[derive(Clone, Copy)]
pub enum Fill {
    /// `series_fill_const(series, constant_value[, missing_value_placeholder])`.
    Const,
    /// `series_fill_forward(series[, missing_value_placeholder])`.
    Forward,
    /// `series_fill_backward(series[, missing_value_placeholder])`.
    Backward,
}

pub fn series_fill(a: &Args, fill: Fill) -> Result<Col> {
    let series = json_arg(a, 0)?;
    let (constant, placeholder_at) = match fill {
        Fill::Const => (Some(json_arg(a, 1)?), 2),
        Fill::Forward | Fill::Backward => (None, 1),
    };
    let placeholder = if a.cols.len() > placeholder_at { Some(json_arg(a, placeholder_at)?) } else { None };
    Ok(dynamic_rows(a, |r| {
        let items = array(series.get(r))?;
        let missing = |j: &Json| match placeholder.as_ref().map(|p| p.get(r)) {
            None | Some(Json::Null) => j.is_null(),
            Some(p) => same(j, p),
        };
        let mut out = items.clone();
        match fill {
            Fill::Const => {
                let c = constant.as_ref().map_or(Json::Null, |c: &JsonArg| c.get(r).clone());
                for v in out.iter_mut().filter(|v| missing(v)) {
                    *v = c.clone();
                }
            }
            Fill::Forward => {
                let mut last: Option<Json> = None;
                for v in &mut out {
                    if missing(v) {
                        if let Some(l) = &last {
                            *v = l.clone();
                        }
                    } else {
                        last = Some(v.clone());
                    }
                }
            }
            Fill::Backward => {
                let mut next: Option<Json> = None;
                for v in out.iter_mut().rev() {
                    if missing(v) {
                        if let Some(n) = &next {
                            *v = n.clone();
                        }
                    } else {
                        next = Some(v.clone());
                    }
                }
            }
        }
        Some(Json::Array(out))
    }))
}

/// `series_fill_linear(series[, missing_value_placeholder[, fill_edges[,
/// constant_value]]])` (series-fill-linear-function page): missing values
/// between two present ones interpolated linearly; those before the first
/// and after the last take the nearest present value unless `fill_edges`
/// is false; a series with no present value is filled with
/// `constant_value` (0.0 by default). When every present value is an
/// integer the interpolated values are integers too, cut toward zero as
/// the page's example shows (73.5 gives 73). A present value that is not
/// a number gives null, as does a value that is not an array.
pub fn series_fill_linear(a: &Args) -> Result<Col> {
    let optional = |i: usize| if a.cols.len() > i { json_arg(a, i).map(Some) } else { Ok(None) };
    let series = json_arg(a, 0)?;
    let (placeholder, edges, constant) = (optional(1)?, optional(2)?, optional(3)?);
    Ok(dynamic_rows(a, |r| {
        let items = array(series.get(r))?;
        let missing = |j: &Json| match placeholder.as_ref().map(|p| p.get(r)) {
            None | Some(Json::Null) => j.is_null(),
            Some(p) => same(j, p),
        };
        let present: Vec<(usize, f64)> = items
            .iter()
            .enumerate()
            .filter(|(_, v)| !missing(v))
            .map(|(i, v)| v.as_f64().map(|x| (i, x)))
            .collect::<Option<_>>()?;
        let (Some(&(first, _)), Some(&(last, _))) = (present.first(), present.last()) else {
            let c = constant.as_ref().map_or(Json::from(0.0), |c| c.get(r).clone());
            return Some(Json::Array(vec![c; items.len()]));
        };
        let integers = present.iter().all(|&(i, _)| items[i].is_i64() || items[i].is_u64());
        let number = |x: f64| {
            if integers {
                Json::from(x.trunc() as i64)
            } else {
                serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
            }
        };
        let mut out = items.clone();
        for w in present.windows(2) {
            let ((i0, y0), (i1, y1)) = (w[0], w[1]);
            for (k, v) in out.iter_mut().enumerate().take(i1).skip(i0 + 1) {
                *v = number(y0 + (y1 - y0) * (k - i0) as f64 / (i1 - i0) as f64);
            }
        }
        if edges.as_ref().is_none_or(|e| e.get(r).as_bool() != Some(false)) {
            for v in &mut out[..first] {
                *v = items[first].clone();
            }
            for v in &mut out[last + 1..] {
                *v = items[last].clone();
            }
        }
        Some(Json::Array(out))
    }))
}
