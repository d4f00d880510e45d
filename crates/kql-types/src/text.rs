//! Values as Kusto shows them in results — `tostring()`, `strcat()`, the
//! table, CSV and JSON writers all use these — and the pieces of reading
//! values back from text that conversions and text exports share.
//!
//! * datetime: ISO 8601 UTC, `2025-06-01T08:09:10.25Z`; the fraction only when
//!   non-zero, trailing zeros trimmed (7 digits for 100 ns ticks, 9 when the
//!   value has sub-tick nanoseconds);
//! * timespan: `[-][d.]hh:mm:ss[.fffffff]`;
//! * real: the shortest text that reads back as the same number, without a
//!   trailing `.0` (`1`, `0.1`, `1e300`), and `NaN`, `Infinity`, `-Infinity`.
//!
//! Literals in query text have their own canonical forms (7 fraction digits
//! always, `real(nan)`): [`crate::time::format_datetime`] and the printer in
//! kql-syntax.

use crate::time;

/// A datetime (nanoseconds since the Unix epoch, UTC) in Kusto's ISO 8601
/// form with the fraction trimmed: `2025-06-01T00:00:00Z`.
pub fn datetime_text(nanos: i64) -> String {
    let mut s = time::format_datetime(nanos);
    // The canonical form has 7 (or 9) fraction digits: `….0000000Z`.
    if let Some(dot) = s.rfind('.') {
        let digits = s[dot + 1..s.len() - 1].trim_end_matches('0').len();
        let cut = if digits == 0 { dot } else { dot + 1 + digits };
        s.truncate(cut);
        s.push('Z');
    }
    s
}

/// A timespan (nanoseconds) in Kusto's form: `01:30:00`, `-1.00:00:00.5`.
pub fn timespan_text(nanos: i64) -> String {
    time::format_timespan(nanos)
}

/// A real as text: the shortest round-trip decimal without a trailing `.0`;
/// `NaN`, `Infinity` and `-Infinity` as Kusto writes them.
pub fn real_text(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let mut s = format!("{value:?}");
    if s.ends_with(".0") {
        s.truncate(s.len() - 2);
    }
    s
}

/// A bool from text: `true`/`false` in any case, or `1`/`0` (surrounding
/// white space ignored).
pub fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") || t == "1" {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") || t == "0" {
        Some(false)
    } else {
        None
    }
}

/// A real from text: decimal or exponent notation, and the spellings of
/// the non-finite values in any case — Kusto's `NaN`, `Infinity`,
/// `-Infinity` (what [`real_text`] writes) and Python's `nan`, `inf` (the
/// Azure CLI's). Surrounding white space is ignored.
pub fn parse_real(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok()
}

/// A long from text: an integer, else a finite number in long's range
/// truncated toward zero (`tolong("2.9")` is 2). Surrounding white space is
/// ignored.
pub fn parse_long(text: &str) -> Option<i64> {
    let t = text.trim();
    t.parse::<i64>()
        .ok()
        .or_else(|| t.parse::<f64>().ok().filter(|f| f.is_finite() && f.abs() < 9.2e18).map(|f| f.trunc() as i64))
}

/// A guid from text: `8-4-4-4-12` hex digits, as lower-case text.
pub fn parse_guid(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('-').collect();
    let valid = parts.len() == 5
        && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()));
    valid.then(|| text.to_ascii_lowercase())
}

/// `parse_json()` of text: the JSON document it holds, else the text as a
/// JSON string; `None` (dynamic null) for the empty text (the isnull()
/// page: `isnull(parse_json(""))` is true).
pub fn parse_json_text(text: &str) -> Option<serde_json::Value> {
    (!text.is_empty()).then(|| {
        serde_json::from_str::<serde_json::Value>(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{NANOS_PER_DAY, NANOS_PER_HOUR, NANOS_PER_SEC, parse_datetime};

    #[test]
    fn datetimes_drop_a_zero_fraction() {
        let t = parse_datetime("2025-06-01T08:09:10Z").unwrap();
        assert_eq!(datetime_text(t), "2025-06-01T08:09:10Z");
        assert_eq!(datetime_text(t + NANOS_PER_SEC / 4), "2025-06-01T08:09:10.25Z");
        assert_eq!(datetime_text(t + 100), "2025-06-01T08:09:10.0000001Z");
        assert_eq!(datetime_text(t + 1), "2025-06-01T08:09:10.000000001Z");
        assert_eq!(datetime_text(-1), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn timespans() {
        assert_eq!(timespan_text(NANOS_PER_HOUR + NANOS_PER_HOUR / 2), "01:30:00");
        assert_eq!(timespan_text(-NANOS_PER_DAY - NANOS_PER_SEC / 2), "-1.00:00:00.5000000");
    }

    #[test]
    fn reals_are_shortest_round_trip_text() {
        assert_eq!(real_text(1.0), "1");
        assert_eq!(real_text(0.1), "0.1");
        assert_eq!(real_text(1e300), "1e300");
        assert_eq!(real_text(-2.5e-7), "-2.5e-7");
        assert_eq!(real_text(f64::NAN), "NaN");
        assert_eq!(real_text(f64::NEG_INFINITY), "-Infinity");
        for v in [1.0, 0.1, 1e300, -2.5e-7, 123456789.125, f64::MAX, f64::MIN_POSITIVE] {
            assert_eq!(parse_real(&real_text(v)), Some(v), "{v}");
        }
    }

    #[test]
    fn guids() {
        assert_eq!(
            parse_guid("74BE27DE-1e4e-49d9-b579-fe0b331d3642").as_deref(),
            Some("74be27de-1e4e-49d9-b579-fe0b331d3642")
        );
        assert_eq!(parse_guid("74be27de-1e4e-49d9-b579"), None);
        assert_eq!(parse_guid("74be27de-1e4e-49d9-b579-fe0b331d364g"), None);
    }

    #[test]
    fn text_to_bool_and_real() {
        assert_eq!(parse_bool(" TRUE "), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_real("1e5"), Some(1e5));
        assert_eq!(parse_real(" .5 "), Some(0.5));
        assert!(parse_real("NaN").unwrap().is_nan());
        assert!(parse_real("nan").unwrap().is_nan());
        assert_eq!(parse_real("Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_real("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_real("+inf"), Some(f64::INFINITY));
        assert_eq!(parse_real("1,5"), None);
        assert_eq!(parse_real(""), None);
    }
}
