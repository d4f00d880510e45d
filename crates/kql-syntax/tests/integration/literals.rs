//! Literal values: numbers, timespans, typed literals, dynamic values and
//! strings in every quoting form. Each test checks the value, not just that
//! the text parses.
//!
//! References: Kusto.Language `TokenParser.cs` (`ScanRealLiteral`,
//! `ScanTimespanLiteral` and its suffix table, `ScanStringLiteral`,
//! `ScanStringEscape`), `KustoFacts.GetStringLiteralValue`/`DecodeEscapes`,
//! `QueryParser.ParseStringOrCompoundStringLiteral` (adjacent string
//! literals form one `CompoundStringLiteralExpression`), and the Kusto docs
//! pages "The string data type", "The timespan data type", "The datetime
//! data type", "The dynamic data type".

use crate::common;

use common::expr;
use kql_syntax::ast::{DateTimeLit, DynValue, ExprKind, Literal};
use kql_syntax::parse_expression;

const SEC: i64 = 1_000_000_000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
/// 2025-06-01T00:00:00Z as Unix seconds (2025-01-01 is 1_735_689_600; Jan–May have 151 days).
const JUNE_1_2025: i64 = 1_748_736_000;

#[track_caller]
fn lit(src: &str) -> Literal {
    match expr(src).kind {
        ExprKind::Literal(l) => l,
        other => panic!("{src}: not a literal: {other:?}"),
    }
}

#[track_caller]
fn string(src: &str) -> String {
    match lit(src) {
        Literal::String(s) => s,
        other => panic!("{src}: not a string: {other:?}"),
    }
}

#[track_caller]
fn timespan(src: &str) -> i64 {
    match lit(src) {
        Literal::Timespan(Some(v)) => v,
        other => panic!("{src}: not a timespan: {other:?}"),
    }
}

#[track_caller]
fn dynamic(src: &str) -> DynValue {
    match lit(src) {
        Literal::Dynamic(v) => v,
        other => panic!("{src}: not dynamic: {other:?}"),
    }
}

#[test]
fn longs() {
    assert_eq!(lit("0"), Literal::Long(Some(0)));
    assert_eq!(lit("42"), Literal::Long(Some(42)));
    assert_eq!(lit("9223372036854775807"), Literal::Long(Some(i64::MAX)));
    assert_eq!(lit("0x2A"), Literal::Long(Some(42)));
    assert_eq!(lit("0XfF"), Literal::Long(Some(255)));
}

#[test]
fn negative_numbers_are_unary_minus_on_a_literal() {
    let e = expr("-42");
    let ExprKind::Unary { operand, .. } = e.kind else { panic!() };
    assert_eq!(operand.kind, ExprKind::Literal(Literal::Long(Some(42))));
}

#[test]
fn reals() {
    assert_eq!(lit("1.5"), Literal::Real(Some(1.5)));
    assert_eq!(lit("1e3"), Literal::Real(Some(1000.0)));
    assert_eq!(lit("1E+2"), Literal::Real(Some(100.0)));
    assert_eq!(lit("1.5e-3"), Literal::Real(Some(0.0015)));
    assert_eq!(lit("0.25"), Literal::Real(Some(0.25)));
    // ScanRealLiteral: digits, `.`, optional digits — `1.` is a real.
    assert_eq!(lit("1."), Literal::Real(Some(1.0)));
    assert_eq!(lit("2.e2"), Literal::Real(Some(200.0)));
}

#[test]
fn malformed_numbers_are_errors() {
    for src in ["0x", "1e", "12abc", "1.5xyz", "0x1G"] {
        assert!(parse_expression(src).is_err(), "{src}");
    }
}

/// The suffix families of Kusto's `TimespanSuffixes`, each checked against its length in nanoseconds.
#[test]
fn timespan_suffixes() {
    let cases: &[(&[&str], i64)] = &[
        (&["d", "day", "days"], DAY),
        (&["h", "hr", "hrs", "hour", "hours"], HOUR),
        (&["m", "min", "minute", "minutes"], MIN),
        (&["s", "sec", "second", "seconds"], SEC),
        (&["ms", "milli", "millis", "millisec", "millisecond", "milliseconds"], 1_000_000),
        (&["micro", "micros", "microsec", "microsecond", "microseconds"], 1_000),
        (&["nano", "nanos", "nanosec", "nanosecond", "nanoseconds"], 1),
        (&["tick", "ticks"], 100),
    ];
    for (suffixes, unit) in cases {
        for s in *suffixes {
            assert_eq!(timespan(&format!("200{s}")), 200 * unit, "200{s}");
        }
    }
    // A timespan is whole 100 ns ticks (the timespan page's `1tick` is 100 ns):
    // finer amounts truncate toward zero, as .NET's TimeSpan.FromSeconds(double)
    // in Kusto.Language's SyntaxToken.GetTimeSpanValue.
    assert_eq!(timespan("2nanoseconds"), 0);
    assert_eq!(timespan("150nanos"), 100);
    assert_eq!(timespan("1.5tick"), 100);
}

#[test]
fn fractional_timespans() {
    assert_eq!(timespan("1.5h"), 90 * MIN);
    assert_eq!(timespan("0.5d"), 12 * HOUR);
    assert_eq!(timespan("2.5s"), 2_500_000_000);
    assert_eq!(timespan("1.5ms"), 1_500_000);
    assert_eq!(timespan("100ms"), SEC / 10);
    assert_eq!(timespan("1tick"), 100);
}

#[test]
fn unknown_timespan_units_are_errors() {
    for src in ["3x", "1hz", "5mins"] {
        assert!(parse_expression(src).is_err(), "{src}");
    }
}

#[test]
fn datetimes() {
    let day = JUNE_1_2025 * SEC;
    assert_eq!(lit("datetime(2025-06-01)"), Literal::DateTime(DateTimeLit::Value(day)));
    assert_eq!(lit("datetime(2025-06-01 12:30)"), Literal::DateTime(DateTimeLit::Value(day + 12 * HOUR + 30 * MIN)));
    assert_eq!(lit("datetime('2025-06-01T00:00:00Z')"), Literal::DateTime(DateTimeLit::Value(day)));
    assert_eq!(
        lit("datetime(2025-06-01T08:09:10.5Z)"),
        Literal::DateTime(DateTimeLit::Value(day + 8 * HOUR + 9 * MIN + 10 * SEC + SEC / 2))
    );
    assert_eq!(lit("date(2025-06-01)"), Literal::DateTime(DateTimeLit::Value(day)));
    assert_eq!(lit("datetime(null)"), Literal::DateTime(DateTimeLit::Null));
    assert_eq!(lit("datetime(1970-01-01)"), Literal::DateTime(DateTimeLit::Value(0)));
    assert_eq!(lit("datetime( 2025-06-01 )"), Literal::DateTime(DateTimeLit::Value(day)));
}

#[test]
fn datetime_with_a_workbook_placeholder_in_a_string() {
    let parsed = kql_syntax::parse("print datetime('{timeInterval:startISO}')");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let p = &parsed.script.placeholders;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].name, "timeInterval:startISO");
    assert_eq!(p[0].span, kql_syntax::Span::new(16, 39));
}

#[test]
fn timespan_literals() {
    assert_eq!(lit("timespan(1.02:03:04)"), Literal::Timespan(Some(DAY + 2 * HOUR + 3 * MIN + 4 * SEC)));
    assert_eq!(lit("timespan(02:03)"), Literal::Timespan(Some(2 * HOUR + 3 * MIN)));
    assert_eq!(lit("timespan(00:00:01.5)"), Literal::Timespan(Some(SEC + SEC / 2)));
    assert_eq!(lit("time(2d)"), Literal::Timespan(Some(2 * DAY)));
    assert_eq!(lit("time(1.5h)"), Literal::Timespan(Some(90 * MIN)));
    assert_eq!(lit("timespan(null)"), Literal::Timespan(None));
}

/// The `timespan(…)` rows of the timespan page's literal table, with the
/// lengths of time the table gives: `timespan(15 seconds)` is 15 seconds,
/// `timespan(2)` 2 days, `timespan(0.12:34:56.7)` 0d+12h+34m+56.7s. The unit
/// may be spaced from the number (Kusto.Language `GetTimeSpanValue` splits
/// at the first letter and parses the number with white space allowed).
#[test]
fn timespan_page_table_typed_forms() {
    assert_eq!(timespan("timespan(15 seconds)"), 15 * SEC);
    assert_eq!(timespan("timespan(2)"), 2 * DAY);
    assert_eq!(timespan("timespan(0.12:34:56.7)"), 12 * HOUR + 34 * MIN + 56 * SEC + 7 * SEC / 10);
    assert_eq!(lit("timespan(null)"), Literal::Timespan(None));
    // The table's unit forms inside timespan(…), spaced or not.
    for (text, v) in [
        ("2d", 2 * DAY),
        ("1.5h", 90 * MIN),
        ("30m", 30 * MIN),
        ("10s", 10 * SEC),
        ("100ms", SEC / 10),
        ("10microsecond", 10_000),
        ("1tick", 100),
        ("1.5 hours", 90 * MIN),
        ("30 minutes", 30 * MIN),
        ("2 d", 2 * DAY),
    ] {
        assert_eq!(timespan(&format!("timespan({text})")), v, "timespan({text})");
        assert_eq!(timespan(&format!("time({text})")), v, "time({text})");
    }
    // Still not timespans: an unknown unit, or a unit with no number.
    for bad in ["timespan(15 sconds)", "timespan(seconds)", "timespan(15 seconds later)"] {
        assert!(parse_expression(bad).is_err(), "{bad}");
    }
}

#[test]
fn typed_scalars() {
    assert_eq!(lit("long(null)"), Literal::Long(None));
    assert_eq!(lit("long(-7)"), Literal::Long(Some(-7)));
    assert_eq!(lit("int(5)"), Literal::Int(Some(5)));
    assert_eq!(lit("int(null)"), Literal::Int(None));
    assert_eq!(lit("real(2.5)"), Literal::Real(Some(2.5)));
    assert_eq!(lit("real(+inf)"), Literal::Real(Some(f64::INFINITY)));
    assert_eq!(lit("real(-inf)"), Literal::Real(Some(f64::NEG_INFINITY)));
    assert_eq!(lit("real(null)"), Literal::Real(None));
    assert!(matches!(lit("real(nan)"), Literal::Real(Some(v)) if v.is_nan()));
    assert_eq!(lit("double(1)"), Literal::Real(Some(1.0)));
    assert_eq!(lit("bool(true)"), Literal::Bool(Some(true)));
    assert_eq!(lit("bool(false)"), Literal::Bool(Some(false)));
    assert_eq!(lit("bool(null)"), Literal::Bool(None));
    assert_eq!(lit("decimal(1.5)"), Literal::Decimal(Some("1.5".into())));
    assert_eq!(lit("decimal(null)"), Literal::Decimal(None));
    assert_eq!(
        lit("guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642)"),
        Literal::Guid(Some("74be27de-1e4e-49d9-b579-fe0b331d3642".into()))
    );
    assert_eq!(lit("guid(null)"), Literal::Guid(None));
}

#[test]
fn decimals_are_finite_numbers() {
    assert_eq!(lit("decimal(-12.50)"), Literal::Decimal(Some("-12.50".into())));
    assert_eq!(lit("decimal(1e3)"), Literal::Decimal(Some("1e3".into())));
    for src in ["decimal(nan)", "decimal(inf)", "decimal(Infinity)", "decimal(1.2.3)", "decimal(x)"] {
        assert!(parse_expression(src).is_err(), "{src}");
    }
}

#[test]
fn int_overflow_is_an_error() {
    assert!(parse_expression("int(2147483648)").is_err());
    assert_eq!(lit("int(2147483647)"), Literal::Int(Some(i32::MAX)));
}

#[test]
fn dynamic_values() {
    assert_eq!(
        dynamic(r#"dynamic([1, "a", {"k": [true, null]}])"#),
        DynValue::Array(vec![
            DynValue::Long(1),
            DynValue::String("a".into()),
            DynValue::Object(vec![("k".into(), DynValue::Array(vec![DynValue::Bool(true), DynValue::Null]))]),
        ])
    );
    assert_eq!(dynamic("dynamic(null)"), DynValue::Null);
    assert_eq!(dynamic("dynamic([])"), DynValue::Array(vec![]));
    assert_eq!(dynamic("dynamic({})"), DynValue::Object(vec![]));
    assert_eq!(
        dynamic("dynamic([-1, -2.5, 1e2])"),
        DynValue::Array(vec![DynValue::Long(-1), DynValue::Real(-2.5), DynValue::Real(100.0)])
    );
    assert_eq!(dynamic("dynamic('text')"), DynValue::String("text".into()));
    assert_eq!(
        dynamic("dynamic([datetime(2025-06-01), 1h])"),
        DynValue::Array(vec![DynValue::DateTime(JUNE_1_2025 * SEC), DynValue::Timespan(HOUR)])
    );
    // Object keys keep their order of appearance.
    assert_eq!(
        dynamic(r#"dynamic({"b": 1, "a": 2})"#),
        DynValue::Object(vec![("b".into(), DynValue::Long(1)), ("a".into(), DynValue::Long(2))])
    );
}

#[test]
fn malformed_dynamic_values_are_errors() {
    for src in ["dynamic([1, 2)", "dynamic({'a' 1})", "dynamic({1: 2})", "dynamic([1,,2])", "dynamic(foo)"] {
        assert!(parse_expression(src).is_err(), "{src}");
    }
}

#[test]
fn quoted_strings() {
    assert_eq!(string("'single'"), "single");
    assert_eq!(string("\"double\""), "double");
    assert_eq!(string("''"), "");
    assert_eq!(string("'say \"hi\"'"), "say \"hi\"");
    assert_eq!(string("\"it's\""), "it's");
}

#[test]
fn escapes() {
    assert_eq!(string(r"'a\nb'"), "a\nb");
    assert_eq!(string(r"'a\tb'"), "a\tb");
    assert_eq!(string(r"'a\rb'"), "a\rb");
    assert_eq!(string(r"'back\\slash'"), "back\\slash");
    assert_eq!(string(r"'it\'s'"), "it's");
    assert_eq!(string(r#""say \"hi\"""#), "say \"hi\"");
    assert_eq!(string(r"'\u00e9'"), "é");
    assert_eq!(string(r"'\a\b\f\v'"), "\u{7}\u{8}\u{c}\u{b}");
}

/// The escapes of `KustoFacts.DecodeEscapes` beyond the common ones.
#[test]
fn hex_unicode_and_octal_escapes() {
    assert_eq!(string(r"'\x41'"), "A");
    assert_eq!(string(r"'\U0001F600'"), "😀");
    // `\u` is a UTF-16 unit: a surrogate pair makes one character.
    assert_eq!(string(r"'\ud83d\ude00'"), "😀");
    assert_eq!(string(r"'\101\102'"), "AB");
    assert_eq!(string(r"'\012'"), "\n");
    assert_eq!(string(r"'\0'"), "\0");
    // Three octal digits only when the first is 0–3: `\477` is `\47` then `7`.
    assert_eq!(string(r"'\477'"), "'7");
}

#[test]
fn invalid_escapes_are_errors() {
    for src in [r"'\q'", r"'\x4'", r"'\u12'", r"'\ud83d'", r"'\8'", r"'\U0011FFFF'"] {
        assert!(parse_expression(src).is_err(), "{src}");
    }
}

#[test]
fn verbatim_strings() {
    assert_eq!(string(r"@'c:\path\file'"), r"c:\path\file");
    assert_eq!(string(r#"@"a""b""#), "a\"b");
    assert_eq!(string("@'it''s'"), "it's");
    assert_eq!(string(r"@'\n'"), r"\n");
}

#[test]
fn hidden_strings_have_their_plain_value() {
    assert_eq!(string("h'secret'"), "secret");
    assert_eq!(string("H\"secret\""), "secret");
    assert_eq!(string(r"h@'c:\x'"), r"c:\x");
}

#[test]
fn multi_line_strings() {
    assert_eq!(string("```multi\nline```"), "multi\nline");
    assert_eq!(string("```a 'quoted' \"text\" \\n```"), "a 'quoted' \"text\" \\n");
    assert_eq!(string("~~~alt\nquote~~~"), "alt\nquote");
}

/// Kusto joins adjacent string literals into one value
/// (`CompoundStringLiteralExpression`), whatever their quoting and with
/// whitespace or comments between them.
#[test]
fn adjacent_literals_concatenate() {
    assert_eq!(string(r#""a" 'b'"#), "ab");
    assert_eq!(string("'a'\n  // comment\n  \"b\" @'\\c'"), "ab\\c");
    assert_eq!(string("'x' ```y```"), "xy");
    let src = "'a' 'b'";
    assert_eq!(expr(src).span.slice(src), Some(src), "one literal spanning both tokens");
}

#[test]
fn unicode_content() {
    assert_eq!(string("'🌐 '"), "🌐 ");
    assert_eq!(string("'🖥️'"), "🖥\u{fe0f}");
    assert_eq!(string("\"naïve — 日本語\""), "naïve — 日本語");
    let src = "strcat('🌐 ', Ip)";
    let e = expr(src);
    let ExprKind::Call { args, .. } = &e.kind else { panic!() };
    assert_eq!(args[0].span.slice(src), Some("'🌐 '"), "spans are byte offsets on char boundaries");
}

#[test]
fn strings_cannot_span_lines() {
    for src in ["'abc", "\"abc\ndef\"", "'abc\r\n'", "```never closed", r"'ends with backslash\"] {
        assert!(parse_expression(src).is_err(), "{src:?}");
    }
}
