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
