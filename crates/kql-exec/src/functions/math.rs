//! abs, round, ceiling, sqrt, pow, atan2, the real functions of one number
//! (logarithms, exponentials, trigonometry), isnan/isinf/isfinite, min_of, max_of.

use super::{Args, primitives_of};
use crate::columnar::{Col, with_arrays};
use crate::error::{ExecError, Result};
use arrow_arith::arity::binary;
use arrow_array::types::*;
use arrow_array::*;
use arrow_ord::cmp;
use arrow_select::zip::zip;
use kql_syntax::ScalarType;
use kql_types::Value;
use std::sync::Arc;

/// Applies `f` to every value of a primitive array, keeping its Arrow type
/// (decimal precision and scale included); `None` gives null.
fn map_same<T: ArrowPrimitiveType>(a: &ArrayRef, f: impl Fn(T::Native) -> Option<T::Native>) -> Result<ArrayRef> {
    let p = primitives_of::<T>(a)?;
    let out: PrimitiveArray<T> = p.unary_opt(f);
    Ok(Arc::new(out.with_data_type(a.data_type().clone())))
}

/// The scale of the executor's decimals (Decimal128(38, 18)).
const DECIMAL_SCALE: u32 = 18;
/// Decimal128(38, _) holds magnitudes below 10^38.
const DECIMAL_LIMIT: i128 = 10i128.pow(38);

fn fits_decimal(v: i128) -> Option<i128> {
    (v.checked_abs()? < DECIMAL_LIMIT).then_some(v)
}

/// `abs(x)` for numbers and timespans (int widens to long, as the binder
/// says); the absolute value of the most negative long does not exist: null.
pub fn abs(a: &Args) -> Result<Col> {
    let out = a.out;
    let x = a.as_type(0, out)?;
    with_arrays(&[&x], a.len, out, |v| match out {
        ScalarType::Int => map_same::<Int32Type>(&v[0], i32::checked_abs),
        ScalarType::Long => map_same::<Int64Type>(&v[0], i64::checked_abs),
        ScalarType::Real => map_same::<Float64Type>(&v[0], |x| Some(x.abs())),
        ScalarType::Decimal => map_same::<Decimal128Type>(&v[0], i128::checked_abs),
        ScalarType::Timespan => map_same::<DurationNanosecondType>(&v[0], i64::checked_abs),
        _ => Err(ExecError::Internal(format!("abs() returning {out}"))),
    })
}

/// Rounds `v` to a multiple of `unit` (> 0), halves away from zero.
fn round_int(v: i128, unit: i128) -> Option<i128> {
    let (q, r) = (v / unit, v % unit);
    let q = if r.checked_abs()?.checked_mul(2)? >= unit { q + v.signum() } else { q };
    q.checked_mul(unit)
}

/// A real rounded to `digits` decimal places (negative: to tens, hundreds, …),
/// halves away from zero.
fn round_real(x: f64, digits: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if digits >= 0 {
        // A double has at most 17 significant digits.
        if digits > 17 {
            return x;
        }
        let scale = 10f64.powi(digits as i32);
        let y = (x * scale).round() / scale;
        if y.is_finite() { y } else { x }
    } else {
        if digits < -308 {
            return 0.0;
        }
        let scale = 10f64.powi((-digits) as i32);
        (x / scale).round() * scale
    }
}

/// `round(number [, precision])`: the type of the number. Kusto's examples
/// (round-function.md): round(2.98765, 3) = 2.988, round(2.15, 1) = 2.2,
/// round(-50.55, -2) = -100, round(21.5, -1) = 20. Halves round away from
/// zero. A null precision gives null.
pub fn round(a: &Args) -> Result<Col> {
    let out = a.out;
    let digits = if a.cols.len() > 1 {
        match a.constant(1, ScalarType::Long)? {
            Some(Value::Long(Some(d))) => Some(d),
            _ => None,
        }
    } else {
        Some(0)
    };
    let x = a.as_type(0, out)?;
    with_arrays(&[&x], a.len, out, |v| {
        let Some(d) = digits else {
            return Ok(arrow_array::new_null_array(v[0].data_type(), v[0].len()));
        };
        // Integers: only a negative precision changes them.
        let unit =
            (d < 0).then(|| d.checked_neg().and_then(|k| u32::try_from(k).ok()).and_then(|k| 10i128.checked_pow(k)));
        match out {
            ScalarType::Int => map_same::<Int32Type>(&v[0], |x| match unit {
                None => Some(x),
                Some(None) => Some(0),
                Some(Some(u)) => i32::try_from(round_int(i128::from(x), u)?).ok(),
            }),
            ScalarType::Long => map_same::<Int64Type>(&v[0], |x| match unit {
                None => Some(x),
                Some(None) => Some(0),
                Some(Some(u)) => i64::try_from(round_int(i128::from(x), u)?).ok(),
            }),
            ScalarType::Real => map_same::<Float64Type>(&v[0], |x| Some(round_real(x, d))),
            ScalarType::Decimal => {
                // Dropped digits of the scaled integer: 18 - precision.
                let drop = i64::from(DECIMAL_SCALE).saturating_sub(d);
                let unit =
                    if drop <= 0 { None } else { Some(u32::try_from(drop).ok().and_then(|k| 10i128.checked_pow(k))) };
                map_same::<Decimal128Type>(&v[0], |x| match unit {
                    None => Some(x),
                    Some(None) => Some(0),
                    Some(Some(u)) => fits_decimal(round_int(x, u)?),
                })
            }
            _ => Err(ExecError::Internal(format!("round() returning {out}"))),
        }
    })
}

/// `ceiling(number)`: the smallest integer not below it, in the number's type.
pub fn ceiling(a: &Args) -> Result<Col> {
    let out = a.out;
    let x = a.as_type(0, out)?;
    with_arrays(&[&x], a.len, out, |v| match out {
        ScalarType::Int | ScalarType::Long => Ok(v[0].clone()),
        ScalarType::Real => map_same::<Float64Type>(&v[0], |x| Some(x.ceil())),
        ScalarType::Decimal => {
            let unit = 10i128.pow(DECIMAL_SCALE);
            map_same::<Decimal128Type>(&v[0], |x| {
                let q = x / unit + i128::from(x % unit > 0);
                fits_decimal(q.checked_mul(unit)?)
            })
        }
        _ => Err(ExecError::Internal(format!("ceiling() returning {out}"))),
    })
}

/// A real function of one number; `None` gives null.
pub fn real_fn(a: &Args, f: impl Fn(f64) -> Option<f64>) -> Result<Col> {
    let x = a.as_type(0, ScalarType::Real)?;
    with_arrays(&[&x], a.len, ScalarType::Real, |v| {
        let out: Float64Array = primitives_of::<Float64Type>(&v[0])?.unary_opt(f);
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `pow(base, exponent)` as reals.
pub fn pow(a: &Args) -> Result<Col> {
    let (b, e) = (a.as_type(0, ScalarType::Real)?, a.as_type(1, ScalarType::Real)?);
    with_arrays(&[&b, &e], a.len, ScalarType::Real, |v| {
        let (b, e) = (primitives_of::<Float64Type>(&v[0])?, primitives_of::<Float64Type>(&v[1])?);
        let out: Float64Array = binary(b, e, f64::powf)?;
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `atan2(y, x)` as reals (atan2 page: atan2(1, 1) is pi/4).
pub fn atan2(a: &Args) -> Result<Col> {
    let (y, x) = (a.as_type(0, ScalarType::Real)?, a.as_type(1, ScalarType::Real)?);
    with_arrays(&[&y, &x], a.len, ScalarType::Real, |v| {
        let (y, x) = (primitives_of::<Float64Type>(&v[0])?, primitives_of::<Float64Type>(&v[1])?);
        let out: Float64Array = binary(y, x, f64::atan2)?;
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `isnan(x)`, `isinf(x)`, `isfinite(x)`: `test` of the number. Their pages
/// say "true if x is NaN (infinite, finite) and false otherwise": a null is
/// false.
pub fn real_test(a: &Args, test: fn(f64) -> bool) -> Result<Col> {
    let x = a.as_type(0, ScalarType::Real)?;
    with_arrays(&[&x], a.len, ScalarType::Bool, |v| {
        let x = primitives_of::<Float64Type>(&v[0])?;
        let out: BooleanArray = x.iter().map(|v| Some(v.is_some_and(test))).collect();
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `min_of(a, b, …)` / `max_of(a, b, …)` in the arguments' common type.
/// Nulls are ignored; null only when every argument is null.
pub fn min_max_of(a: &Args, max: bool) -> Result<Col> {
    let out = a.out;
    let cols: Vec<Col> = (0..a.cols.len()).map(|i| a.as_type(i, out)).collect::<Result<_>>()?;
    let refs: Vec<&Col> = cols.iter().collect();
    with_arrays(&refs, a.len, out, |v| {
        let Some((first, rest)) = v.split_first() else {
            return Err(ExecError::Internal("min_of/max_of without arguments".into()));
        };
        let mut acc = first.clone();
        for x in rest {
            let better = if max { cmp::gt(x, &acc)? } else { cmp::lt(x, &acc)? };
            // Take x where it is present and the running value is missing or worse.
            let take: BooleanArray = (0..acc.len())
                .map(|i| Some(x.is_valid(i) && (acc.is_null(i) || (better.is_valid(i) && better.value(i)))))
                .collect();
            acc = zip(&take, x, &acc)?;
        }
        Ok(acc)
    })
}
