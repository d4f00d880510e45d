//! `+ - * / %` and unary minus over numbers, datetimes and timespans.
//!
//! Kusto rules (learn.microsoft.com/kusto/query/numerical-operators): two
//! integers give a long, a real operand gives a real; `%` always returns a
//! non-negative remainder smaller than |divisor| (`-14 % 12` is 10). Integer
//! overflow wraps; integer division by zero gives null.

use super::convert::to_scalar_type;
use crate::columnar::{Col, with_arrays, with_datums};
use crate::error::{ExecError, Result};
use crate::physical::physical_type;
use arrow_arith::arity::binary;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use arrow_schema::DataType;
use kql_syntax::ast::BinaryOp;
use kql_syntax::{ScalarType, Span};
use std::sync::Arc;

#[allow(clippy::too_many_arguments)]
pub fn arithmetic(
    op: BinaryOp,
    l: &Col,
    lt: ScalarType,
    r: &Col,
    rt: ScalarType,
    out: ScalarType,
    len: usize,
    span: Span,
) -> Result<Col> {
    use ScalarType as S;
    match out {
        S::Decimal if lt != S::Timespan && lt != S::DateTime => {
            let l = to_scalar_type(l, lt, out, len).map_err(|e| e.at(span))?;
            let r = to_scalar_type(r, rt, out, len).map_err(|e| e.at(span))?;
            decimal_op(op, &l, &r, len, span)
        }
        S::Long | S::Int | S::Real if lt != S::Timespan && lt != S::DateTime => {
            let l = to_scalar_type(l, lt, out, len)?;
            let r = to_scalar_type(r, rt, out, len)?;
            numeric(op, &l, &r, out, len)
        }
        S::Real => {
            // timespan / timespan and datetime / datetime-ish: ratios of nanoseconds.
            let l = as_i64(l, len)?;
            let r = as_i64(r, len)?;
            with_arrays(&[&l, &r], len, S::Real, |a| {
                let x = arrow_cast::cast(&a[0], &DataType::Float64)?;
                let y = arrow_cast::cast(&a[1], &DataType::Float64)?;
                Ok(Arc::new(arrow_arith::numeric::div(&x, &y)?) as ArrayRef)
            })
        }
        S::DateTime | S::Timespan => temporal(op, l, lt, r, rt, out, len),
        _ => Err(ExecError::NotImplemented { what: format!("`{}` on {lt} and {rt}", op.symbol()), span }),
    }
}

/// Decimal arithmetic, exact (kql_types::decimal): a result that needs
/// more digits than ntaq's decimals hold, or whose Kusto value is not
/// documented, is an unsupported-execution error at the operator.
fn decimal_op(op: BinaryOp, l: &Col, r: &Col, len: usize, span: Span) -> Result<Col> {
    use kql_types::decimal as d;
    let f: fn(i128, i128) -> std::result::Result<i128, d::Inexact> = match op {
        BinaryOp::Add => d::add,
        BinaryOp::Sub => d::sub,
        BinaryOp::Mul => d::mul,
        BinaryOp::Div => d::div,
        BinaryOp::Mod => d::rem,
        _ => return Err(ExecError::Internal(format!("`{}` is not arithmetic", op.symbol()))),
    };
    with_arrays(&[l, r], len, ScalarType::Decimal, |a| {
        let (x, y) = (a[0].as_primitive::<Decimal128Type>(), a[1].as_primitive::<Decimal128Type>());
        let out: Vec<Option<i128>> = x
            .iter()
            .zip(y.iter())
            .map(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => f(a, b).map(Some),
                _ => Ok(None),
            })
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| ExecError::decimal(e, span))?;
        Ok(Arc::new(Decimal128Array::from(out).with_precision_and_scale(d::PRECISION, d::SCALE as i8)?) as ArrayRef)
    })
}

/// Arithmetic on two operands already of the numeric type `ty`.
fn numeric(op: BinaryOp, l: &Col, r: &Col, ty: ScalarType, len: usize) -> Result<Col> {
    match op {
        BinaryOp::Add => with_datums(l, r, ty, |x, y| Ok(arrow_arith::numeric::add_wrapping(x, y)?)),
        BinaryOp::Sub => with_datums(l, r, ty, |x, y| Ok(arrow_arith::numeric::sub_wrapping(x, y)?)),
        BinaryOp::Mul => with_datums(l, r, ty, |x, y| Ok(arrow_arith::numeric::mul_wrapping(x, y)?)),
        BinaryOp::Div | BinaryOp::Mod => with_arrays(&[l, r], len, ty, |a| {
            let (x, y) = (&a[0], &a[1]);
            Ok(match ty {
                ScalarType::Long => int_div_mod(op, x.as_primitive::<Int64Type>(), y.as_primitive::<Int64Type>()),
                ScalarType::Real => {
                    let (x, y) = (x.as_primitive::<Float64Type>(), y.as_primitive::<Float64Type>());
                    let out: Float64Array = if op == BinaryOp::Div {
                        binary(x, y, |a, b| a / b)?
                    } else {
                        binary(x, y, |a, b| a.rem_euclid(b))?
                    };
                    Arc::new(out)
                }
                _ => {
                    if op == BinaryOp::Div {
                        arrow_arith::numeric::div(x, y)?
                    } else {
                        arrow_arith::numeric::rem(x, y)?
                    }
                }
            })
        }),
        _ => Err(ExecError::Internal(format!("`{}` is not arithmetic", op.symbol()))),
    }
}

/// Integer `/` and `%`: division by zero (and the one overflowing case) is null;
/// `%` is Euclidean.
fn int_div_mod(op: BinaryOp, x: &Int64Array, y: &Int64Array) -> ArrayRef {
    let out: Int64Array = x
        .iter()
        .zip(y.iter())
        .map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) if b != 0 => {
                if op == BinaryOp::Div {
                    a.checked_div(b)
                } else {
                    a.checked_rem_euclid(b)
                }
            }
            _ => None,
        })
        .collect();
    Arc::new(out)
}

/// Reinterprets datetimes/timespans (or numbers) as i64 nanoseconds.
fn as_i64(c: &Col, len: usize) -> Result<Col> {
    let a = c.to_array(if matches!(c, Col::Scalar(_)) { 1 } else { len });
    let v = arrow_cast::cast(&a, &DataType::Int64)?;
    Ok(match c {
        Col::Scalar(_) => Col::Scalar(crate::physical::value_at(&v, 0, ScalarType::Long)),
        Col::Array(_) => Col::Array(v),
    })
}

#[allow(clippy::too_many_arguments)]
fn temporal(
    op: BinaryOp,
    l: &Col,
    lt: ScalarType,
    r: &Col,
    rt: ScalarType,
    out: ScalarType,
    len: usize,
) -> Result<Col> {
    use ScalarType as S;
    let both_temporal = matches!(lt, S::DateTime | S::Timespan) && matches!(rt, S::DateTime | S::Timespan);
    if both_temporal && matches!(op, BinaryOp::Add | BinaryOp::Sub) {
        // datetime ± timespan, timespan ± timespan, datetime - datetime on
        // nanosecond counts. A result outside the representable range
        // (`datetime(2025-06-01) - -106750d`) is null, not an error: there
        // is no such instant, as `todatetime()` of an impossible date.
        let (li, ri) = (as_i64(l, len)?, as_i64(r, len)?);
        return with_arrays(&[&li, &ri], len, out, |a| {
            let (x, y) = (a[0].as_primitive::<Int64Type>(), a[1].as_primitive::<Int64Type>());
            let ns: Int64Array = x
                .iter()
                .zip(y.iter())
                .map(|(a, b)| if op == BinaryOp::Add { a?.checked_add(b?) } else { a?.checked_sub(b?) })
                .collect();
            Ok(arrow_cast::cast(&ns, &physical_type(out))?)
        });
    }
    // timespan * n, n * timespan, timespan / n, timespan % timespan|n: nanosecond counts.
    let li = as_i64(l, len)?;
    let ri = if rt.is_numeric() { to_scalar_type(r, rt, S::Real, len)? } else { as_i64(r, len)? };
    let li = if lt.is_numeric() { to_scalar_type(l, lt, S::Real, len)? } else { li };
    let res = with_arrays(&[&li, &ri], len, S::Real, |a| {
        let x = arrow_cast::cast(&a[0], &DataType::Float64)?;
        let y = arrow_cast::cast(&a[1], &DataType::Float64)?;
        let (x, y) = (x.as_primitive::<Float64Type>(), y.as_primitive::<Float64Type>());
        let v: Float64Array = match op {
            BinaryOp::Mul => binary(x, y, |a, b| a * b)?,
            BinaryOp::Div => binary(x, y, |a, b| a / b)?,
            _ => binary(x, y, |a, b| a.rem_euclid(b))?,
        };
        Ok(Arc::new(v) as ArrayRef)
    })?;
    // Back to the result type in whole 100 ns ticks, Kusto's resolution,
    // rounding ties to even as .NET's `TimeSpan * double` does
    // (`Math.Round(ticks * factor)`); NaN/inf become null.
    let tick = kql_types::time::NANOS_PER_TICK;
    with_arrays(&[&res], len, out, |a| {
        let f = a[0].as_primitive::<Float64Type>();
        let ns: Int64Array = f
            .iter()
            .map(|v| {
                let ticks = (v? / tick as f64).round_ties_even();
                ticks.is_finite().then(|| (ticks as i64).saturating_mul(tick))
            })
            .collect();
        Ok(arrow_cast::cast(&ns, &physical_type(out))?)
    })
}

/// Unary minus.
pub fn negate(c: &Col, ty: ScalarType, len: usize) -> Result<Col> {
    with_arrays(&[c], len, ty, |a| Ok(arrow_arith::numeric::neg_wrapping(&a[0])?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_types::Value;

    fn long(v: i64) -> Col {
        Col::Scalar(Value::Long(Some(v)))
    }

    fn run(op: BinaryOp, a: i64, b: i64) -> Value {
        match arithmetic(
            op,
            &long(a),
            ScalarType::Long,
            &long(b),
            ScalarType::Long,
            ScalarType::Long,
            1,
            Span::default(),
        )
        .unwrap()
        {
            Col::Scalar(v) => v,
            Col::Array(_) => panic!("constants fold"),
        }
    }

    #[test]
    fn modulo_is_never_negative() {
        // The Kusto documentation's example: 14 % 12, -14 % 12, 14 % -12, -14 % -12 → 2, 10, 2, 10.
        assert_eq!(run(BinaryOp::Mod, 14, 12), Value::Long(Some(2)));
        assert_eq!(run(BinaryOp::Mod, -14, 12), Value::Long(Some(10)));
        assert_eq!(run(BinaryOp::Mod, 14, -12), Value::Long(Some(2)));
        assert_eq!(run(BinaryOp::Mod, -14, -12), Value::Long(Some(10)));
    }

    #[test]
    fn integer_division() {
        // 1 / 2 is 0 for integers (the documentation's example); by zero is null.
        assert_eq!(run(BinaryOp::Div, 1, 2), Value::Long(Some(0)));
        assert_eq!(run(BinaryOp::Div, 7, 0), Value::Long(None));
        assert_eq!(run(BinaryOp::Add, i64::MAX, 1), Value::Long(Some(i64::MIN)), "overflow wraps");
    }

    #[test]
    fn datetime_arithmetic_out_of_range_is_null() {
        // Found by the fuzz suite: this was an internal "arithmetic overflow" error.
        let dt = |ns: i64| Col::Scalar(Value::DateTime(Some(ns)));
        let ts = |ns: i64| Col::Scalar(Value::Timespan(Some(ns)));
        let (span, date) = (ScalarType::Timespan, ScalarType::DateTime);
        let at =
            |op, l: &Col, lt, r: &Col, rt, out| match arithmetic(op, l, lt, r, rt, out, 1, Span::default()).unwrap() {
                Col::Scalar(v) => v,
                Col::Array(_) => panic!("constants fold"),
            };
        let june = 1_748_736_000_000_000_000;
        assert_eq!(at(BinaryOp::Sub, &dt(june), date, &ts(-i64::MAX), span, date), Value::DateTime(None));
        assert_eq!(at(BinaryOp::Add, &ts(i64::MAX), span, &ts(1), span, span), Value::Timespan(None));
        assert_eq!(at(BinaryOp::Sub, &dt(i64::MIN + 1), date, &dt(june), date, span), Value::Timespan(None));
        // In range, the same operations give the instant and the span.
        assert_eq!(at(BinaryOp::Add, &dt(june), date, &ts(1), span, date), Value::DateTime(Some(june + 1)));
        assert_eq!(at(BinaryOp::Sub, &dt(june), date, &dt(june - 5), date, span), Value::Timespan(Some(5)));
    }
}
