//! `format_datetime(date, format)` with Kusto's format elements
//! (format-datetime-function.md): d dd, f…fffffff, F…FFFFFFF, h hh, H HH,
//! m mm, M MM, s ss, y yy yyyy, tt; every other character is copied as it is
//! (the documented delimiters are space / - : , . _ [ ]).

use super::Args;
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::builder::StringBuilder;
use arrow_array::types::TimestampNanosecondType;
use kql_syntax::ScalarType;
use kql_syntax::time::{NANOS_PER_DAY, NANOS_PER_HOUR, NANOS_PER_MIN, NANOS_PER_SEC, NANOS_PER_TICK};
use std::fmt::Write;
use std::sync::Arc;

/// One element of a format: a field with its run length, or literal text.
#[derive(Clone, Debug, PartialEq)]
enum Element {
    Literal(String),
    /// A run of one of the format letters, `count` long.
    Field(char, usize),
}

/// Splits a format into runs of format letters and literal text.
fn parse(format: &str) -> Vec<Element> {
    let mut out: Vec<Element> = Vec::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if "dfFhHmMsyt".contains(c) {
            let mut count = 1;
            while chars.next_if_eq(&c).is_some() {
                count += 1;
            }
            out.push(Element::Field(c, count));
        } else if let Some(Element::Literal(s)) = out.last_mut() {
            s.push(c);
        } else {
            out.push(Element::Literal(c.to_string()));
        }
    }
    out
}

/// The parts of a datetime a format needs.
struct Parts {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    /// Fraction of the second in ticks (7 digits).
    ticks: i64,
}

fn parts(t: i64) -> Parts {
    let (year, month, day) = kql_syntax::time::civil_from_days(t.div_euclid(NANOS_PER_DAY));
    let rem = t.rem_euclid(NANOS_PER_DAY);
    Parts {
        year,
        month,
        day,
        hour: rem / NANOS_PER_HOUR,
        minute: rem % NANOS_PER_HOUR / NANOS_PER_MIN,
        second: rem % NANOS_PER_MIN / NANOS_PER_SEC,
        ticks: rem % NANOS_PER_SEC / NANOS_PER_TICK,
    }
}

/// A number with at least `width` digits (1 means no padding).
fn padded(out: &mut String, v: i64, width: usize) {
    let _ = write!(out, "{v:0width$}");
}

fn render(out: &mut String, elements: &[Element], t: i64) {
    let p = parts(t);
    for e in elements {
        match e {
            Element::Literal(s) => out.push_str(s),
            Element::Field(c, n) => {
                let n = *n;
                let two = n.min(2);
                match c {
                    'd' => padded(out, i64::from(p.day), two),
                    'M' => padded(out, i64::from(p.month), two),
                    'H' => padded(out, p.hour, two),
                    'h' => padded(out, if p.hour % 12 == 0 { 12 } else { p.hour % 12 }, two),
                    'm' => padded(out, p.minute, two),
                    's' => padded(out, p.second, two),
                    // y and yy: the year in the century; yyy…: the year padded.
                    'y' if n <= 2 => padded(out, p.year.rem_euclid(100), n),
                    'y' => padded(out, p.year, n),
                    'f' | 'F' => {
                        let digits = format!("{:07}", p.ticks);
                        let shown = digits.get(..n.min(7)).unwrap_or("");
                        if *c == 'f' {
                            out.push_str(shown);
                        } else {
                            // F: only significant digits; nothing when zero.
                            out.push_str(shown.trim_end_matches('0'));
                        }
                    }
                    't' => {
                        let ampm = if p.hour < 12 { "AM" } else { "PM" };
                        out.push_str(if n == 1 { &ampm[..1] } else { ampm });
                    }
                    other => out.push(*other),
                }
            }
        }
    }
}

/// A run of format letters the format-datetime page does not list (`ddd`,
/// `MMM`, `yyy`, `t`…): .NET would write a day or month name or another
/// width, so ntaq does not guess.
fn undocumented(e: &Element) -> Option<String> {
    let &Element::Field(c, n) = e else { return None };
    let listed = match c {
        'f' | 'F' => n <= 7,
        'y' => matches!(n, 1 | 2 | 4),
        't' => n == 2,
        _ => n <= 2,
    };
    (!listed).then(|| c.to_string().repeat(n))
}

/// `format_datetime(date, format)`; a null date formats as "".
pub fn format_datetime(a: &Args) -> Result<Col> {
    let Some(format) = a.constant_str(1)? else {
        return Ok(Col::Array(Arc::new(arrow_array::StringArray::from(Vec::<String>::new()))));
    };
    let elements = parse(&format);
    if let Some(bad) = elements.iter().find_map(undocumented) {
        return Err(ExecError::NotImplemented {
            what: format!(
                "the format element `{bad}` of format_datetime (its page lists d, dd, f…fffffff, F…FFFFFFF, h, hh, H, HH, m, mm, M, MM, s, ss, y, yy, yyyy and tt)"
            ),
            span: a.arg_spans.get(1).copied().unwrap_or(a.span),
        });
    }
    let t = a.prims::<TimestampNanosecondType>(0, ScalarType::DateTime)?;
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, n * format.len());
    let mut row = String::new();
    for i in 0..n {
        row.clear();
        if let Some(v) = t.get(i) {
            render(&mut row, &elements, v);
        }
        b.append_value(&row);
    }
    Ok(a.finish(Arc::new(b.finish())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_syntax::time::parse_datetime;

    fn fmt(t: &str, f: &str) -> String {
        let mut out = String::new();
        render(&mut out, &parse(f), parse_datetime(t).unwrap());
        out
    }

    #[test]
    fn documented_elements() {
        // The table of format-datetime-function.md.
        assert_eq!(fmt("2009-06-01T13:45:30", "d"), "1");
        assert_eq!(fmt("2009-06-15T13:45:30", "dd"), "15");
        assert_eq!(fmt("2009-06-01T13:45:30", "dd"), "01");
        assert_eq!(fmt("2009-06-15T13:45:30.6170000", "f"), "6");
        assert_eq!(fmt("2009-06-15T13:45:30.05", "f"), "0");
        assert_eq!(fmt("2009-06-15T13:45:30.0050000", "ff"), "00");
        assert_eq!(fmt("2009-06-15T13:45:30.617", "fff"), "617");
        assert_eq!(fmt("2009-06-15T13:45:30.6175000", "ffff"), "6175");
        assert_eq!(fmt("2009-06-15T13:45:30.6175400", "fffff"), "61754");
        assert_eq!(fmt("2009-06-15T13:45:30.6175420", "ffffff"), "617542");
        assert_eq!(fmt("2009-06-15T13:45:30.6175425", "fffffff"), "6175425");
        assert_eq!(fmt("2009-06-15T13:45:30.0001150", "fffffff"), "0001150");
        assert_eq!(fmt("2009-06-15T13:45:30.6170000", "F"), "6");
        assert_eq!(fmt("2009-06-15T13:45:30.0500000", "F"), "");
        assert_eq!(fmt("2009-06-15T13:45:30.6170000", "FF"), "61");
        assert_eq!(fmt("2009-06-15T13:45:30.0050000", "FF"), "");
        assert_eq!(fmt("2009-06-15T13:45:30.0005000", "FFF"), "");
        assert_eq!(fmt("2009-06-15T13:45:30.5275000", "FFFF"), "5275");
        assert_eq!(fmt("2009-06-15T13:45:30.0000005", "FFFFFF"), "");
        assert_eq!(fmt("2009-06-15T13:45:30.0001150", "FFFFFFF"), "000115");
        assert_eq!(fmt("2009-06-15T01:45:30", "h"), "1");
        assert_eq!(fmt("2009-06-15T13:45:30", "hh"), "01");
        assert_eq!(fmt("2009-06-15T00:45:30", "hh"), "12");
        assert_eq!(fmt("2009-06-15T13:45:30", "H"), "13");
        assert_eq!(fmt("2009-06-15T01:45:30", "HH"), "01");
        assert_eq!(fmt("2009-06-15T01:09:30", "m"), "9");
        assert_eq!(fmt("2009-06-15T01:09:30", "mm"), "09");
        assert_eq!(fmt("2009-06-15T13:45:30", "M"), "6");
        assert_eq!(fmt("2009-06-15T13:45:30", "MM"), "06");
        assert_eq!(fmt("2009-06-15T13:45:09", "s"), "9");
        assert_eq!(fmt("2009-06-15T13:45:09", "ss"), "09");
        assert_eq!(fmt("1900-01-01T00:00:00", "y"), "0");
        assert_eq!(fmt("2009-06-15T13:45:30", "y"), "9");
        assert_eq!(fmt("2019-06-15T13:45:30", "yy"), "19");
        assert_eq!(fmt("1900-01-01T00:00:00", "yy"), "00");
        assert_eq!(fmt("1900-01-01T00:00:00", "yyyy"), "1900");
        assert_eq!(fmt("2009-06-15T13:45:09", "tt"), "PM");
    }

    #[test]
    fn literals_between_fields() {
        assert_eq!(parse("yy-MM"), vec![Element::Field('y', 2), Element::Literal("-".into()), Element::Field('M', 2)]);
        assert_eq!(fmt("2017-01-29 09:00:05", "yy-MM-dd [HH:mm:ss]"), "17-01-29 [09:00:05]");
        assert_eq!(fmt("2017-01-29 09:00:05", ""), "");
    }
}
