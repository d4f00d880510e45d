//! now, ago, bin/floor, startof*/endofday, dayofweek and the calendar parts.

use super::Args;
use crate::columnar::{Col, with_arrays};
use crate::error::{ExecError, Result};
use arrow_arith::temporal::{DatePart, date_part};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use kql_plan::Value;
use kql_syntax::ScalarType;
use std::sync::Arc;

/// `now([offset])`: one instant for the whole query.
pub fn now(a: &Args, now: i64) -> Result<Col> {
    let offset = match a.cols.first() {
        Some(c) => match c.as_scalar() {
            Some(Value::Timespan(t)) => t.unwrap_or(0),
            _ => {
                return Err(ExecError::NotImplemented {
                    what: "now() with a non-constant offset".into(),
                    span: a.arg_span(0),
                });
            }
        },
        None => 0,
    };
    Ok(Col::Scalar(Value::DateTime(now.checked_add(offset))))
}

/// `ago(t)` is `now() - t`.
pub fn ago(a: &Args, now: i64) -> Result<Col> {
    let t = a.as_type(0, ScalarType::Timespan)?;
    with_arrays(&[&t], a.len, ScalarType::DateTime, |x| {
        let t = x[0].as_primitive::<DurationNanosecondType>();
        let out: TimestampNanosecondArray = t.iter().map(|v| v.and_then(|v| now.checked_sub(v))).collect();
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `bin(value, size)`: rounds down to a multiple of size (datetimes from the
/// epoch). A zero or negative size gives null, and so does a bin start
/// before the earliest datetime (`bin(datetime(1677-09-22), 7d)`).
pub fn bin(a: &Args) -> Result<Col> {
    let out = a.out;
    match out {
        ScalarType::DateTime | ScalarType::Timespan => {
            let v = a.as_type(0, out)?;
            let size = a.as_type(1, ScalarType::Timespan)?;
            let size_ns = match size.as_scalar() {
                Some(Value::Timespan(s)) => *s,
                _ => {
                    return Err(ExecError::NotImplemented {
                        what: "bin() with a non-constant size".into(),
                        span: a.span,
                    });
                }
            };
            with_arrays(&[&v], a.len, out, |x| {
                let ns = arrow_cast::cast(&x[0], &arrow_schema::DataType::Int64)?;
                let ns = ns.as_primitive::<Int64Type>();
                let binned: Int64Array = ns
                    .iter()
                    .map(|v| match (v, size_ns) {
                        (Some(v), Some(s)) if s > 0 => v.div_euclid(s).checked_mul(s),
                        _ => None,
                    })
                    .collect();
                Ok(arrow_cast::cast(&binned, &crate::physical::physical_type(out))?)
            })
        }
        ScalarType::Long | ScalarType::Int | ScalarType::Real | ScalarType::Decimal => {
            let v = a.as_type(0, ScalarType::Real)?;
            let size = a.as_type(1, ScalarType::Real)?;
            with_arrays(&[&v, &size], a.len, out, |x| {
                let (v, s) = (x[0].as_primitive::<Float64Type>(), x[1].as_primitive::<Float64Type>());
                let binned: Float64Array = v
                    .iter()
                    .zip(s.iter())
                    .map(|(v, s)| match (v, s) {
                        (Some(v), Some(s)) if s > 0.0 => Some((v / s).floor() * s),
                        _ => None,
                    })
                    .collect();
                Ok(arrow_cast::cast(&binned, &crate::physical::physical_type(out))?)
            })
        }
        _ => Err(ExecError::Internal(format!("bin() returning {out}"))),
    }
}

/// The periods of `startofday` & co.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    Day,
    Week,
    Month,
    Year,
}

const DAY: i64 = kql_syntax::time::NANOS_PER_DAY;
/// One tick, Kusto's datetime resolution: `endofday` is the next day minus a tick.
const TICK: i64 = kql_syntax::time::NANOS_PER_TICK;

/// Years far outside what a datetime can hold; checked before calendar
/// arithmetic so it cannot overflow.
const YEAR_LIMIT: i64 = 1_000_000;

/// The start of the period containing `t`, moved by `offset` periods;
/// `None` when the result does not fit a datetime.
pub fn period_start(t: i64, offset: i64, unit: Start) -> Option<i64> {
    use kql_syntax::time::{civil_from_days, days_from_civil};
    let day = t.div_euclid(DAY);
    let days = match unit {
        Start::Day => day.checked_add(offset)?,
        Start::Week => {
            // 1970-01-01 was a Thursday: day 0 is 4 days after a Sunday.
            let sunday = day - (day + 4).rem_euclid(7);
            sunday.checked_add(offset.checked_mul(7)?)?
        }
        Start::Month => {
            let (y, m, _) = civil_from_days(day);
            let months = (y * 12 + i64::from(m) - 1).checked_add(offset)?;
            let year = months.div_euclid(12);
            if year.abs() > YEAR_LIMIT {
                return None;
            }
            // rem_euclid(12) + 1 is in 1..=12.
            days_from_civil(year, u32::try_from(months.rem_euclid(12) + 1).ok()?, 1)
        }
        Start::Year => {
            let (y, _, _) = civil_from_days(day);
            let year = y.checked_add(offset)?;
            if year.abs() > YEAR_LIMIT {
                return None;
            }
            days_from_civil(year, 1, 1)
        }
    };
    days.checked_mul(DAY)
}

/// A datetime and an optional offset (default 0) to a datetime, row by row.
fn date_and_offset(a: &Args, f: impl Fn(i64, i64) -> Option<i64>) -> Result<Col> {
    let t = a.prims::<TimestampNanosecondType>(0, ScalarType::DateTime)?;
    let offset = if a.cols.len() > 1 { Some(a.longs(1)?) } else { None };
    let n = a.rows();
    let out: TimestampNanosecondArray = (0..n)
        .map(|i| {
            let k = match &offset {
                Some(o) => o.get(i)?,
                None => 0,
            };
            f(t.get(i)?, k)
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// `startofday/startofweek/startofmonth/startofyear(date [, offset])`. Weeks
/// start on Sunday.
pub fn start_of(a: &Args, unit: Start) -> Result<Col> {
    date_and_offset(a, |t, k| period_start(t, k, unit))
}

/// `endofday(date [, offset])`: the last tick of the day (23:59:59.9999999).
pub fn end_of_day(a: &Args) -> Result<Col> {
    date_and_offset(a, |t, k| period_start(t, k.checked_add(1)?, Start::Day)?.checked_sub(TICK))
}

/// `dayofweek(date)`: whole days since the preceding Sunday, as a timespan.
pub fn day_of_week(a: &Args) -> Result<Col> {
    let t = a.as_type(0, ScalarType::DateTime)?;
    with_arrays(&[&t], a.len, ScalarType::Timespan, |x| {
        let t = super::primitives_of::<TimestampNanosecondType>(&x[0])?;
        let out: DurationNanosecondArray =
            arrow_arith::arity::unary(t, |v: i64| (v.div_euclid(DAY) + 4).rem_euclid(7) * DAY);
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// One calendar part of argument `i` as an int (Arrow's `date_part`).
pub fn part(a: &Args, i: usize, part: DatePart) -> Result<Col> {
    let t = a.as_type(i, ScalarType::DateTime)?;
    with_arrays(&[&t], a.len, ScalarType::Int, |x| Ok(date_part(&x[0], part)?))
}

/// `datetime_part(part, date)`: the part names of Kusto (KustoFacts.DateTimeParts),
/// case-insensitive; `week_of_year` is the ISO 8601 week.
pub fn datetime_part(a: &Args) -> Result<Col> {
    let Some(name) = a.constant_str(0)? else {
        return Ok(Col::Array(arrow_array::new_empty_array(&arrow_schema::DataType::Int32)));
    };
    let p = match name.to_ascii_lowercase().as_str() {
        "year" => DatePart::Year,
        "quarter" => DatePart::Quarter,
        "month" => DatePart::Month,
        "week_of_year" => DatePart::Week,
        "day" => DatePart::Day,
        "dayofyear" => DatePart::DayOfYear,
        "hour" => DatePart::Hour,
        "minute" => DatePart::Minute,
        "second" => DatePart::Second,
        "millisecond" => DatePart::Millisecond,
        "microsecond" => DatePart::Microsecond,
        "nanosecond" => DatePart::Nanosecond,
        _ => {
            return Err(ExecError::Runtime {
                message: format!("datetime_part(): unknown part {name:?}"),
                span: a.arg_span(0),
                help: Some(
                    "the parts are year, quarter, month, week_of_year, day, dayofyear, hour, minute, second, \
                     millisecond, microsecond and nanosecond"
                        .into(),
                ),
            });
        }
    };
    part(a, 1, p)
}
