//! `series_fit_line(series)` / `series_fit_line_dynamic(series)` (below),
//! `series_stats(series [, ignore_nonfinite])` and
//! `series_stats_dynamic(series [, ignore_nonfinite])` (their pages in the
//! Kusto function reference): the minimum and maximum of a numeric array
//! with their first positions, its average, sample standard deviation and
//! sample variance (`n − 1` in the denominator, by Welford's method as
//! `variance` computes it: [`Moments`]), and for the dynamic form also its sum and length.
//!
//! A value that is not an array gives null. A null, NaN, infinite or
//! non-numeric element makes the statistics null, unless
//! `ignore_nonfinite` is true, when such elements are left out (positions
//! still count them, and `len` is the array's length). An array with no
//! element left gives null too.

use super::Args;
use super::bags::{array, dynamic_rows, json_arg};
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use crate::moments::Moments;
use arrow_array::builder::{Float64Builder, Int64Builder};
use kql_syntax::ScalarType;
use kql_types::Value;
use serde_json::{Map, Value as Json};
use std::sync::Arc;

/// The statistics of one series.
struct Stats {
    min: f64,
    min_idx: usize,
    max: f64,
    max_idx: usize,
    avg: f64,
    stdev: f64,
    variance: f64,
    sum: f64,
    len: usize,
}

fn stats(series: &Json, ignore_nonfinite: bool) -> Option<Stats> {
    let items = array(series)?;
    let mut values: Vec<(usize, f64)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_f64().filter(|x| x.is_finite()) {
            Some(x) => values.push((i, x)),
            None if ignore_nonfinite => {}
            None => return None,
        }
    }
    let &(first_idx, first) = values.first()?;
    let (mut min, mut min_idx, mut max, mut max_idx) = (first, first_idx, first, first_idx);
    for &(i, x) in &values[1..] {
        if x < min {
            (min, min_idx) = (x, i);
        }
        if x > max {
            (max, max_idx) = (x, i);
        }
    }
    let mut moments = Moments::default();
    for &(_, x) in &values {
        moments.push(x);
    }
    let sum: f64 = values.iter().map(|(_, x)| x).sum();
    let variance = moments.variance();
    let (avg, stdev) = (sum / values.len() as f64, variance.sqrt());
    Some(Stats { min, min_idx, max, max_idx, avg, stdev, variance, sum, len: items.len() })
}

/// The constant `ignore_nonfinite` argument at `i` (false when absent).
fn ignore_nonfinite(a: &Args, i: usize) -> Result<bool> {
    if a.cols.len() <= i {
        return Ok(false);
    }
    Ok(matches!(a.constant(i, ScalarType::Bool)?, Some(Value::Bool(Some(true)))))
}

/// `series_stats_dynamic`: the statistics as a property bag.
pub fn series_stats_dynamic(a: &Args) -> Result<Col> {
    let series = json_arg(a, 0)?;
    let ignore = ignore_nonfinite(a, 1)?;
    Ok(dynamic_rows(a, |r| {
        let s = stats(series.get(r), ignore)?;
        let mut bag = Map::new();
        bag.insert("min".into(), Json::from(s.min));
        bag.insert("min_idx".into(), Json::from(s.min_idx));
        bag.insert("max".into(), Json::from(s.max));
        bag.insert("max_idx".into(), Json::from(s.max_idx));
        bag.insert("avg".into(), Json::from(s.avg));
        bag.insert("stdev".into(), Json::from(s.stdev));
        bag.insert("variance".into(), Json::from(s.variance));
        bag.insert("sum".into(), Json::from(s.sum));
        bag.insert("len".into(), Json::from(s.len));
        Some(Json::Object(bag))
    }))
}

/// One column of `series_stats`: the binder passes the statistic's name
/// (one of `kql_plan::functions::SERIES_STATS`) as the third argument.
pub fn series_stats(a: &Args) -> Result<Col> {
    let series = json_arg(a, 0)?;
    let ignore = ignore_nonfinite(a, 1)?;
    let stat = a.constant_str(2)?.unwrap_or_default();
    let rows = (0..a.rows()).map(|r| stats(series.get(r), ignore));
    let out: arrow_array::ArrayRef = match stat.as_str() {
        "min_idx" | "max_idx" => {
            let mut b = Int64Builder::with_capacity(a.rows());
            for s in rows {
                b.append_option(s.map(|s| if stat == "min_idx" { s.min_idx } else { s.max_idx } as i64));
            }
            Arc::new(b.finish())
        }
        "min" | "max" | "avg" | "stdev" | "variance" => {
            let mut b = Float64Builder::with_capacity(a.rows());
            for s in rows {
                b.append_option(s.map(|s| match stat.as_str() {
                    "min" => s.min,
                    "max" => s.max,
                    "avg" => s.avg,
                    "stdev" => s.stdev,
                    _ => s.variance,
                }));
            }
            Arc::new(b.finish())
        }
        other => return Err(ExecError::Internal(format!("series_stats has no statistic `{other}`"))),
    };
    Ok(a.finish(out))
}

/// A least-squares line through the points (1, y₁) … (n, yₙ) (the
/// series-fit-line page's example: slope 2.730, interception −1.666,
/// variance 98.628 and rvariance 1.686 for its twelve values — both the
/// sample variance of the values and of the residuals, n − 1 in the
/// denominator — and rsquare 1 − rvariance / variance, 0.982).
struct Fit {
    rsquare: f64,
    slope: f64,
    variance: f64,
    rvariance: f64,
    interception: f64,
    line: Vec<f64>,
}

/// Null for a value that is not an array, fewer than two values, or an
/// element that is not a finite number.
fn fit_line(series: &Json) -> Option<Fit> {
    let ys: Vec<f64> = array(series)?.iter().map(|v| v.as_f64().filter(|x| x.is_finite())).collect::<Option<_>>()?;
    let n = ys.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean_x = (nf + 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = (i + 1) as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    let slope = sxy / sxx;
    let interception = mean_y - slope * mean_x;
    let line: Vec<f64> = (1..=n).map(|x| slope * x as f64 + interception).collect();
    let variance = ys.iter().map(|y| (y - mean_y).powi(2)).sum::<f64>() / (nf - 1.0);
    let rvariance = ys.iter().zip(&line).map(|(y, f)| (y - f).powi(2)).sum::<f64>() / (nf - 1.0);
    let rsquare = if variance == 0.0 { 1.0 } else { 1.0 - rvariance / variance };
    Some(Fit { rsquare, slope, variance, rvariance, interception, line })
}

fn line_json(line: &[f64]) -> Json {
    Json::Array(line.iter().map(|v| Json::from(*v)).collect())
}

/// One column of `series_fit_line`: the binder passes the result's name
/// (one of `kql_plan::functions::SERIES_FIT_LINE`) as the last argument.
pub fn series_fit_line(a: &Args) -> Result<Col> {
    let series = json_arg(a, 0)?;
    let result = a.constant_str(a.cols.len() - 1)?.unwrap_or_default();
    if result == "line_fit" {
        return Ok(dynamic_rows(a, |r| fit_line(series.get(r)).map(|f| line_json(&f.line))));
    }
    let pick: fn(&Fit) -> f64 = match result.as_str() {
        "rsquare" => |f| f.rsquare,
        "slope" => |f| f.slope,
        "variance" => |f| f.variance,
        "rvariance" => |f| f.rvariance,
        "interception" => |f| f.interception,
        other => return Err(ExecError::Internal(format!("series_fit_line has no result `{other}`"))),
    };
    let mut b = Float64Builder::with_capacity(a.rows());
    for r in 0..a.rows() {
        b.append_option(fit_line(series.get(r)).as_ref().map(pick));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `series_fit_line_dynamic`: the same results as a property bag.
pub fn series_fit_line_dynamic(a: &Args) -> Result<Col> {
    let series = json_arg(a, 0)?;
    Ok(dynamic_rows(a, |r| {
        let f = fit_line(series.get(r))?;
        let mut bag = Map::new();
        bag.insert("rsquare".into(), Json::from(f.rsquare));
        bag.insert("slope".into(), Json::from(f.slope));
        bag.insert("variance".into(), Json::from(f.variance));
        bag.insert("rvariance".into(), Json::from(f.rvariance));
        bag.insert("interception".into(), Json::from(f.interception));
        bag.insert("line_fit".into(), line_json(&f.line));
        Some(Json::Object(bag))
    }))
}
