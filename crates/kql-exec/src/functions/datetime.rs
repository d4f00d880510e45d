//! now, ago, bin/floor, startof*/endofday, dayofweek and the calendar parts.

use super::Args;
use crate::columnar::{Col, with_arrays};
use crate::error::{ExecError, Result};
use arrow_arith::temporal::{DatePart, date_part};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use kql_syntax::ScalarType;
use kql_types::Value;
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

/// `bin_at(value, size, fixed_point)`: rounds down to bins of `size`
/// aligned so that one bin starts at `fixed_point` (bin_at page:
/// bin_at(6.5, 2.5, 7) is 4.5, bin_at(time(1h), 1d, 12h) is -12:00:00,
/// bin_at(datetime(2017-05-15 10:20), 1d, datetime(1970-01-01 12:00)) is
/// 2017-05-14 12:00). A zero or negative size gives null, as in `bin`.
pub fn bin_at(a: &Args) -> Result<Col> {
    let out = a.out;
    match out {
        ScalarType::DateTime | ScalarType::Timespan => {
            if a.ty(1) != ScalarType::Timespan {
                return Err(ExecError::NotImplemented {
                    what: format!("bin_at() of a {out} with a numeric bin size"),
                    span: a.arg_span(1),
                });
            }
            let (v, size, fixed) = (a.as_type(0, out)?, a.as_type(1, ScalarType::Timespan)?, a.as_type(2, out)?);
            with_arrays(&[&v, &size, &fixed], a.len, out, |x| {
                let ns: Vec<ArrayRef> =
                    x.iter().map(|c| arrow_cast::cast(c, &arrow_schema::DataType::Int64)).collect::<Result<_, _>>()?;
                let (v, s, f) = (
                    ns[0].as_primitive::<Int64Type>(),
                    ns[1].as_primitive::<Int64Type>(),
                    ns[2].as_primitive::<Int64Type>(),
                );
                let binned: Int64Array = (0..v.len())
                    .map(|i| {
                        let (v, s, f) = (
                            v.is_valid(i).then(|| v.value(i))?,
                            s.is_valid(i).then(|| s.value(i))?,
                            f.is_valid(i).then(|| f.value(i))?,
                        );
                        if s <= 0 {
                            return None;
                        }
                        f.checked_add(v.checked_sub(f)?.div_euclid(s).checked_mul(s)?)
                    })
                    .collect();
                Ok(arrow_cast::cast(&binned, &crate::physical::physical_type(out))?)
            })
        }
        ScalarType::Long | ScalarType::Int | ScalarType::Real | ScalarType::Decimal => {
            let (v, size, fixed) =
                (a.as_type(0, ScalarType::Real)?, a.as_type(1, ScalarType::Real)?, a.as_type(2, ScalarType::Real)?);
            with_arrays(&[&v, &size, &fixed], a.len, out, |x| {
                let (v, s, f) = (
                    x[0].as_primitive::<Float64Type>(),
                    x[1].as_primitive::<Float64Type>(),
                    x[2].as_primitive::<Float64Type>(),
                );
                let binned: Float64Array = (0..v.len())
                    .map(|i| {
                        let (v, s, f) = (
                            v.is_valid(i).then(|| v.value(i))?,
                            s.is_valid(i).then(|| s.value(i))?,
                            f.is_valid(i).then(|| f.value(i))?,
                        );
                        (s > 0.0).then(|| f + ((v - f) / s).floor() * s)
                    })
                    .collect();
                Ok(arrow_cast::cast(&binned, &crate::physical::physical_type(out))?)
            })
        }
        _ => Err(ExecError::Internal(format!("bin_at() returning {out}"))),
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

/// `endofweek/endofmonth/endofyear(date [, offset])`: the last tick of the
/// period (the next period's start minus a tick).
pub fn end_of(a: &Args, unit: Start) -> Result<Col> {
    date_and_offset(a, |t, k| period_start(t, k.checked_add(1)?, unit)?.checked_sub(TICK))
}

/// The periods of `datetime_add` and `datetime_diff` (case-insensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    /// Calendar months: year 12, quarter 3, month 1.
    Months(i64),
    /// Weeks, counted from Sunday.
    Week,
    /// A fixed length in nanoseconds (day and below).
    Fixed(i64),
}

fn period(a: &Args, i: usize, function: &str) -> Result<Option<Period>> {
    use kql_syntax::time::*;
    let Some(name) = a.constant_str(i)? else { return Ok(None) };
    Ok(Some(match name.to_ascii_lowercase().as_str() {
        "year" => Period::Months(12),
        "quarter" => Period::Months(3),
        "month" => Period::Months(1),
        "week" => Period::Week,
        "day" => Period::Fixed(NANOS_PER_DAY),
        "hour" => Period::Fixed(NANOS_PER_HOUR),
        "minute" => Period::Fixed(NANOS_PER_MIN),
        "second" => Period::Fixed(NANOS_PER_SEC),
        "millisecond" => Period::Fixed(NANOS_PER_MILLI),
        "microsecond" => Period::Fixed(NANOS_PER_MICRO),
        "nanosecond" => Period::Fixed(1),
        _ => {
            return Err(ExecError::Runtime {
                message: format!("{function}(): unknown period {name:?}"),
                span: a.arg_span(i),
                help: Some(
                    "the periods are year, quarter, month, week, day, hour, minute, second, millisecond, \
                     microsecond and nanosecond"
                        .into(),
                ),
            });
        }
    }))
}

/// Months since year 0 of the instant `t`, and the rest: its day of the
/// month (1-based) and the time of day.
fn month_parts(t: i64) -> (i64, u32, i64) {
    let day = t.div_euclid(DAY);
    let (y, m, d) = kql_syntax::time::civil_from_days(day);
    (y * 12 + i64::from(m) - 1, d, t.rem_euclid(DAY))
}

/// `datetime_add(period, amount, datetime)`: calendar periods keep the day
/// of the month where it exists and otherwise take the month's last day
/// (2017-01-31 plus a month is 2017-02-28); weeks and shorter are fixed
/// lengths (datetime-add page). Null when the result does not fit.
pub fn datetime_add(a: &Args) -> Result<Col> {
    let Some(p) = period(a, 0, "datetime_add")? else {
        return Ok(Col::Array(arrow_array::new_empty_array(&crate::physical::physical_type(ScalarType::DateTime))));
    };
    let amount = a.longs(1)?;
    let t = a.prims::<TimestampNanosecondType>(2, ScalarType::DateTime)?;
    let out: TimestampNanosecondArray = (0..a.rows())
        .map(|i| {
            let (k, t) = (amount.get(i)?, t.get(i)?);
            match p {
                // Whole ticks: 150 nanoseconds add one tick (toward zero, as
                // .NET's `TimeSpan` from a count of a finer unit).
                Period::Fixed(unit) => t.checked_add(kql_types::time::timespan_ticks(k.checked_mul(unit)?)),
                Period::Week => t.checked_add(k.checked_mul(7 * DAY)?),
                Period::Months(n) => {
                    let (months, day, time) = month_parts(t);
                    let months = months.checked_add(k.checked_mul(n)?)?;
                    let year = months.div_euclid(12);
                    if year.abs() > YEAR_LIMIT {
                        return None;
                    }
                    let month = u32::try_from(months.rem_euclid(12) + 1).ok()?;
                    let first = kql_syntax::time::days_from_civil(year, month, 1);
                    let next = if month == 12 {
                        kql_syntax::time::days_from_civil(year + 1, 1, 1)
                    } else {
                        kql_syntax::time::days_from_civil(year, month + 1, 1)
                    };
                    let last = u32::try_from(next - first).ok()?;
                    let days = first + i64::from(day.min(last)) - 1;
                    days.checked_mul(DAY)?.checked_add(time)
                }
            }
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// `datetime_diff(period, datetime1, datetime2)`: how many period
/// boundaries lie between the two (datetime1 − datetime2, negative when the
/// first is earlier). The datetime-diff page's examples: months from
/// 2015-12-30 to 2017-01-01 are 13, weeks from Saturday 2017-09-30 23:59 to
/// Sunday 2017-10-29 are 5, seconds from 00.900 to 10.100 are 10.
pub fn datetime_diff(a: &Args) -> Result<Col> {
    let Some(p) = period(a, 0, "datetime_diff")? else {
        return Ok(Col::Array(arrow_array::new_empty_array(&arrow_schema::DataType::Int64)));
    };
    let t1 = a.prims::<TimestampNanosecondType>(1, ScalarType::DateTime)?;
    let t2 = a.prims::<TimestampNanosecondType>(2, ScalarType::DateTime)?;
    let index = |t: i64| -> i64 {
        match p {
            Period::Fixed(unit) => t.div_euclid(unit),
            // Day 0 (1970-01-01) was a Thursday, 4 days after a Sunday.
            Period::Week => (t.div_euclid(DAY) + 4).div_euclid(7),
            Period::Months(n) => month_parts(t).0.div_euclid(n),
        }
    };
    let out: Int64Array = (0..a.rows()).map(|i| index(t1.get(i)?).checked_sub(index(t2.get(i)?))).collect();
    Ok(a.finish(Arc::new(out)))
}

/// `make_datetime(year, month, day [, hour, minute [, second]])`: null for
/// a part out of its range (year 0-9999) or a date that does not exist;
/// a date ntaq's datetimes cannot hold is unsupported (Kusto's is a value).
pub fn make_datetime(a: &Args) -> Result<Col> {
    use kql_syntax::time::*;
    let parts: Vec<super::Prims<Float64Type>> =
        (0..a.cols.len()).map(|i| a.prims::<Float64Type>(i, ScalarType::Real)).collect::<Result<_>>()?;
    let mut out_of_range = false;
    let out: TimestampNanosecondArray = (0..a.rows())
        .map(|i| {
            let v: Vec<f64> = parts.iter().map(|p| p.get(i)).collect::<Option<_>>()?;
            let whole = |x: f64, lo: f64, hi: f64| (x.fract() == 0.0 && (lo..=hi).contains(&x)).then_some(x as i64);
            let (y, m, d) = (whole(v[0], 0.0, 9999.0)?, whole(v[1], 1.0, 12.0)?, whole(v[2], 1.0, 31.0)?);
            let h = v.get(3).map_or(Some(0), |&h| whole(h, 0.0, 23.0))?;
            let mi = v.get(4).map_or(Some(0), |&x| whole(x, 0.0, 59.0))?;
            let s = v.get(5).copied().unwrap_or(0.0);
            if !(0.0..60.0).contains(&s) {
                return None;
            }
            let days = days_from_civil(y, m as u32, d as u32);
            // A day past the month's end (Feb 30) would land in the next month.
            if civil_from_days(days) != (y, m as u32, d as u32) {
                return None;
            }
            let ticks = (s * 1e7).round() as i64;
            let t = days
                .checked_mul(DAY)
                .and_then(|t| t.checked_add(h * NANOS_PER_HOUR + mi * NANOS_PER_MIN))
                .and_then(|t| t.checked_add(ticks.checked_mul(NANOS_PER_TICK)?));
            out_of_range |= t.is_none();
            t
        })
        .collect();
    if out_of_range {
        return Err(ExecError::NotImplemented { what: kql_types::time::DATETIME_RANGE.into(), span: a.span });
    }
    Ok(a.finish(Arc::new(out)))
}

/// `make_timespan(hour, minute [, second])` or `(day, hour, minute,
/// second)`: seconds may have a fraction (make-timespan page:
/// `make_timespan(1,12,30,55.123)` is `1.12:30:55.1230000`). The page
/// bounds the hour to 0-23, the minute to 0-59 and the second to 0 to
/// 59.9999999 ("Otherwise, the result will be null"); the day is any.
pub fn make_timespan(a: &Args) -> Result<Col> {
    use kql_syntax::time::*;
    let parts: Vec<super::Prims<Float64Type>> =
        (0..a.cols.len()).map(|i| a.prims::<Float64Type>(i, ScalarType::Real)).collect::<Result<_>>()?;
    // Each part's unit and its largest value (the second's is below 60).
    const ANY_DAYS: (i64, f64) = (NANOS_PER_DAY, f64::INFINITY);
    const HMS: [(i64, f64); 3] = [(NANOS_PER_HOUR, 23.0), (NANOS_PER_MIN, 59.0), (NANOS_PER_SEC, 59.999_999_9)];
    let units: Vec<(i64, f64)> = match parts.len() {
        4 => std::iter::once(ANY_DAYS).chain(HMS).collect(),
        _ => HMS.to_vec(),
    };
    let out: DurationNanosecondArray = (0..a.rows())
        .map(|i| {
            let mut total = 0i64;
            for (p, &(unit, max)) in parts.iter().zip(&units) {
                let v = p.get(i)?;
                if max.is_finite() && !(0.0..=max).contains(&v) {
                    return None;
                }
                let ns = (v * unit as f64 / NANOS_PER_TICK as f64).round();
                if !ns.is_finite() || ns.abs() > (i64::MAX / NANOS_PER_TICK) as f64 {
                    return None;
                }
                total = total.checked_add((ns as i64).checked_mul(NANOS_PER_TICK)?)?;
            }
            Some(total)
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// `unixtime_*_todatetime(number)`: the instant that many units after
/// 1970-01-01, to the tick; null when a datetime cannot hold it.
/// Whole numbers are converted exactly; a real's whole and fractional
/// parts separately, so the fraction is not lost to the product's size.
pub fn unixtime(a: &Args, unit_ns: i64) -> Result<Col> {
    let tick = |ns: i64| ns.div_euclid(TICK) * TICK;
    let out: TimestampNanosecondArray = if matches!(a.ty(0), ScalarType::Int | ScalarType::Long) {
        let v = a.longs(0)?;
        (0..a.rows()).map(|i| v.get(i)?.checked_mul(unit_ns).map(tick)).collect()
    } else {
        let v = a.prims::<Float64Type>(0, ScalarType::Real)?;
        (0..a.rows())
            .map(|i| {
                let x = v.get(i)?;
                let whole = x.trunc();
                if !whole.is_finite() || whole.abs() > 9.2e18 {
                    return None;
                }
                let frac_ns = ((x - whole) * unit_ns as f64).round() as i64;
                (whole as i64).checked_mul(unit_ns)?.checked_add(frac_ns).map(tick)
            })
            .collect()
    };
    Ok(a.finish(Arc::new(out)))
}

/// `format_timespan(timespan, format)`: the format elements of the
/// format-timespan page — `d`…`dddddddd` (whole days, zero-padded),
/// `h`/`H`, `hh`/`HH`, `m`, `mm`, `s`, `ss`, `f`…`fffffff` (fraction
/// digits), `F`…`FFFFFFF` (the same without trailing zeros, nothing when
/// zero) — and other characters as they are; another letter is unsupported.
pub fn format_timespan(a: &Args) -> Result<Col> {
    use kql_syntax::time::*;
    let Some(format) = a.constant_str(1)? else {
        return Ok(Col::Array(arrow_array::new_empty_array(&arrow_schema::DataType::Utf8)));
    };
    let t = a.prims::<DurationNanosecondType>(0, ScalarType::Timespan)?;
    let chars: Vec<char> = format.chars().collect();
    // A letter the page does not list (`M`, `y`, `t`…) or a run longer than
    // it lists (`ddddddddd`, `hhh`) is not guessed at.
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        let run = chars[k..].iter().take_while(|&&x| x == c).count();
        let listed = match c {
            'd' => run <= 8,
            'f' | 'F' => run <= 7,
            'h' | 'H' | 'm' | 's' => run <= 2,
            _ => !c.is_alphabetic(),
        };
        if !listed {
            return Err(ExecError::NotImplemented {
                what: format!(
                    "the format element `{}` of format_timespan (its page lists d…dddddddd, f…fffffff, F…FFFFFFF, H, HH, m, mm, s and ss)",
                    c.to_string().repeat(run)
                ),
                span: a.arg_spans.get(1).copied().unwrap_or(a.span),
            });
        }
        k += run;
    }
    let out: StringArray = (0..a.rows())
        .map(|i| {
            let Some(v) = t.get(i) else { return Some(String::new()) };
            let mut s = String::new();
            if v < 0 {
                s.push('-');
            }
            let v = v.unsigned_abs();
            let day = NANOS_PER_DAY as u64;
            let (days, rest) = (v / day, v % day);
            let hours = rest / NANOS_PER_HOUR as u64;
            let minutes = rest % NANOS_PER_HOUR as u64 / NANOS_PER_MIN as u64;
            let seconds = rest % NANOS_PER_MIN as u64 / NANOS_PER_SEC as u64;
            let ticks = rest % NANOS_PER_SEC as u64 / NANOS_PER_TICK as u64;
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                let run = chars[k..].iter().take_while(|&&x| x == c).count();
                match c {
                    'd' => s.push_str(&format!("{days:0run$}")),
                    'h' | 'H' => s.push_str(&format!("{hours:0w$}", w = run.min(2))),
                    'm' => s.push_str(&format!("{minutes:0w$}", w = run.min(2))),
                    's' => s.push_str(&format!("{seconds:0w$}", w = run.min(2))),
                    'f' | 'F' => {
                        let digits = format!("{ticks:07}");
                        let part = &digits[..run.min(7)];
                        if c == 'f' {
                            s.push_str(part);
                        } else {
                            s.push_str(part.trim_end_matches('0'));
                        }
                    }
                    _ => {
                        s.extend(std::iter::repeat_n(c, run));
                    }
                }
                k += run;
            }
            Some(s)
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}
