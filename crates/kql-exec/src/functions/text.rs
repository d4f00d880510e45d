//! strcat_delim, replace_string, indexof, countof, reverse, strcmp,
//! string_size, translate, regex_quote, isascii, isutf8.

use super::pattern::Patterns;
use super::{Args, Strs};
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::types::TimestampNanosecondType;
use kql_syntax::ScalarType;
use kql_types::Value;
use std::sync::Arc;

/// `strcat_delim(delimiter, a, b, …)`: the arguments as text (null as ""),
/// joined by the delimiter.
pub fn strcat_delim(a: &Args) -> Result<Col> {
    let parts: Vec<Strs> = (0..a.cols.len()).map(|i| a.strs(i)).collect::<Result<_>>()?;
    let Some((delim, items)) = parts.split_first() else {
        return Err(ExecError::Internal("strcat_delim() without arguments".into()));
    };
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    let mut row = String::new();
    for i in 0..n {
        row.clear();
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                row.push_str(delim.get(i));
            }
            row.push_str(item.get(i));
        }
        b.append_value(&row);
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// The longest text one `strrep` row may make (Kusto's own limit is not
/// documented; this keeps one call from exhausting memory).
const MAX_STRREP_BYTES: usize = 16 << 20;

/// `strrep(value, multiplier [, delimiter])`: the value's text repeated,
/// joined by the delimiter; a multiplier above 1024 counts as 1024 (strrep
/// page), one below 1 or null gives the empty string.
pub fn strrep(a: &Args) -> Result<Col> {
    let value = a.strs(0)?;
    let times = a.longs(1)?;
    let delim = if a.cols.len() > 2 { Some(a.strs(2)?) } else { None };
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    let mut row = String::new();
    for i in 0..n {
        row.clear();
        let k = times.get(i).unwrap_or(0).clamp(0, 1024);
        let unit = value.get(i).len() + delim.as_ref().map_or(0, |d| d.get(i).len());
        if unit.saturating_mul(k as usize) > MAX_STRREP_BYTES {
            return Err(ExecError::Runtime {
                message: format!("strrep(): the result would be longer than {MAX_STRREP_BYTES} bytes"),
                span: a.span,
                help: Some("repeat a shorter value or fewer times".into()),
            });
        }
        for j in 0..k {
            if j > 0 {
                row.push_str(delim.as_ref().map_or("", |d| d.get(i)));
            }
            row.push_str(value.get(i));
        }
        b.append_value(&row);
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `replace_string(text, lookup, rewrite)`: every non-overlapping occurrence
/// of lookup, left to right. An empty lookup leaves the text as it is.
pub fn replace_string(a: &Args) -> Result<Col> {
    let (text, lookup, rewrite) = (a.strs(0)?, a.strs(1)?, a.strs(2)?);
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    for i in 0..n {
        let (t, l) = (text.get(i), lookup.get(i));
        if l.is_empty() || !t.contains(l) {
            b.append_value(t);
        } else {
            b.append_value(t.replace(l, rewrite.get(i)));
        }
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `indexof(string, match [, start [, length [, occurrence]]])`, positions in
/// characters. A negative start counts from the end; length -1 is
/// unlimited; the match must lie inside `length` characters from where each
/// search begins. -1 if not found; null for a start before the string, a
/// length below -1 or a negative occurrence. (Occurrence 0 counts as 1.)
pub fn indexof(a: &Args) -> Result<Col> {
    let (s, m) = (a.strs(0)?, a.strs(1)?);
    let start = if a.cols.len() > 2 { Some(a.longs(2)?) } else { None };
    let length = if a.cols.len() > 3 { Some(a.longs(3)?) } else { None };
    let occurrence = if a.cols.len() > 4 {
        match a.constant(4, ScalarType::Long)? {
            Some(Value::Long(v)) => v,
            _ => None,
        }
    } else {
        Some(1)
    };
    let n = a.rows();
    let mut b = Int64Builder::with_capacity(n);
    for i in 0..n {
        let st = match &start {
            Some(p) => p.get(i),
            None => Some(0),
        };
        let len = match &length {
            Some(p) => p.get(i),
            None => Some(-1),
        };
        b.append_option(match (st, len, occurrence) {
            (Some(st), Some(len), Some(occ)) => index_of(s.get(i), m.get(i), st, len, occ),
            _ => None,
        });
    }
    Ok(a.finish(Arc::new(b.finish())))
}

fn index_of(s: &str, m: &str, start: i64, length: i64, occurrence: i64) -> Option<i64> {
    if length < -1 || occurrence < 0 {
        return None;
    }
    if s.is_ascii() && m.is_ascii() {
        // Bytes are characters: search the text directly.
        index_in(s.len(), |p, e| s.get(p..e)?.find(m), start, length, occurrence)
    } else {
        let (s, m): (Vec<char>, Vec<char>) = (s.chars().collect(), m.chars().collect());
        index_in(s.len(), |p, e| find(s.get(p..e)?, &m), start, length, occurrence)
    }
}

/// The search of [`index_of`] over `n` characters, with `find(p, e)`
/// locating the match in characters `p..e` (relative to `p`).
fn index_in(
    n: usize,
    find: impl Fn(usize, usize) -> Option<usize>,
    start: i64,
    length: i64,
    occurrence: i64,
) -> Option<i64> {
    let n = i64::try_from(n).ok()?;
    let start = if start < 0 { n.checked_add(start)? } else { start };
    if start < 0 {
        return None;
    }
    let mut pos = start;
    let mut found = -1;
    for _ in 0..occurrence.max(1) {
        if pos > n {
            return Some(-1);
        }
        let end = if length == -1 { n } else { pos.saturating_add(length).min(n) };
        // 0 <= pos <= end <= n, so both convert.
        let (p, e) = (usize::try_from(pos).ok()?, usize::try_from(end).ok()?);
        match find(p, e) {
            Some(k) => {
                found = pos + i64::try_from(k).ok()?;
                pos = found + 1;
            }
            None => return Some(-1),
        }
    }
    Some(found)
}

/// Position of the first occurrence of `needle` in `hay`.
fn find<T: PartialEq>(hay: &[T], needle: &[T]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `countof(source, search [, kind])`: kind "normal" (the default) counts
/// occurrences of the text, overlapping ones included; kind "regex" counts
/// non-overlapping regex matches. An empty search counts 0.
pub fn countof(a: &Args) -> Result<Col> {
    let kind = if a.cols.len() > 2 { a.constant_str(2)?.unwrap_or_default() } else { "normal".into() };
    let regex = match kind.to_ascii_lowercase().as_str() {
        "normal" | "" => false,
        "regex" => true,
        other => {
            return Err(ExecError::Runtime {
                message: format!("countof(): unknown kind {other:?}"),
                span: a.arg_span(2),
                help: Some("the kind is \"normal\" or \"regex\"".into()),
            });
        }
    };
    let (source, search) = (a.strs(0)?, a.strs(1)?);
    let n = a.rows();
    let mut b = Int64Builder::with_capacity(n);
    if regex {
        let patterns = Patterns::new(search, a.arg_span(1))?;
        for i in 0..n {
            let re = patterns.get(i, a.arg_span(1))?;
            b.append_value(i64::try_from(re.find_iter(source.get(i)).count()).unwrap_or(i64::MAX));
        }
    } else {
        for i in 0..n {
            b.append_value(count_overlapping(source.get(i), search.get(i)));
        }
    }
    Ok(a.finish(Arc::new(b.finish())))
}

fn count_overlapping(s: &str, search: &str) -> i64 {
    let Some(first) = search.chars().next() else { return 0 };
    let mut count = 0i64;
    let mut pos = 0;
    while let Some(k) = s.get(pos..).and_then(|rest| rest.find(search)) {
        count += 1;
        // Step one character past the start of this match.
        pos += k + first.len_utf8();
    }
    count
}

/// `reverse(value)`: the value as text, reversed by character. A datetime
/// reverses its full text with seven fraction digits (the Kusto docs'
/// example: "Z0000000.00:00:21T51-01-7102").
pub fn reverse(a: &Args) -> Result<Col> {
    let text = if a.ty(0) == ScalarType::DateTime {
        let t = a.prims::<TimestampNanosecondType>(0, ScalarType::DateTime)?;
        let n = a.rows();
        let mut b = StringBuilder::with_capacity(n, 0);
        for i in 0..n {
            b.append_value(t.get(i).map(kql_syntax::time::format_datetime).unwrap_or_default());
        }
        Strs::Many(b.finish())
    } else {
        a.strs(0)?
    };
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    for i in 0..n {
        b.append_value(text.get(i).chars().rev().collect::<String>());
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `strcmp(a, b)`: -1, 0 or 1 as `a` sorts before, equal to or after `b`,
/// comparing the texts ordinally (strcmp page: strcmp("ABC", "ABC") is 0,
/// ("abc", "ABC") 1, ("ABC", "abc") -1, ("abcde", "abc") 1).
pub fn strcmp(a: &Args) -> Result<Col> {
    let (x, y) = (a.strs(0)?, a.strs(1)?);
    let n = a.rows();
    let mut b = Int64Builder::with_capacity(n);
    for i in 0..n {
        b.append_value(x.get(i).cmp(y.get(i)) as i64);
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `string_size(s)`: the string's size in UTF-8 bytes (string_size page:
/// string_size("hello") is 5, string_size("⒦⒰⒮⒯⒪") 15).
pub fn string_size(a: &Args) -> Result<Col> {
    let x = a.strs(0)?;
    let n = a.rows();
    let mut b = Int64Builder::with_capacity(n);
    for i in 0..n {
        b.append_value(x.get(i).len() as i64);
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `translate(searchList, replacementList, source)`: each character of the
/// source found in searchList replaced by the character at the same place
/// of replacementList — its last character where it is shorter, nothing
/// where it is empty (translate page: translate("abc", "x", "abc") is
/// "xxx", translate("abc", "", "ab") is "", translate("krasp", "otsku",
/// "spark") is "kusto").
pub fn translate(a: &Args) -> Result<Col> {
    let (search, replace, source) = (a.strs(0)?, a.strs(1)?, a.strs(2)?);
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    let mut out = String::new();
    for i in 0..n {
        let from: Vec<char> = search.get(i).chars().collect();
        let to: Vec<char> = replace.get(i).chars().collect();
        out.clear();
        for c in source.get(i).chars() {
            match from.iter().position(|f| *f == c) {
                None => out.push(c),
                Some(k) => {
                    if let Some(r) = to.get(k).or(to.last()) {
                        out.push(*r);
                    }
                }
            }
        }
        b.append_value(&out);
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `regex_quote(s)`: the text with the characters a regular expression
/// reads specially escaped, as .NET's `Regex.Escape` (which Kusto uses)
/// escapes them: `\ * + ? | { [ ( ) ^ $ . #` and space get a backslash,
/// tab, newline, carriage return and form feed become `\t \n \r \f`
/// (regex_quote page: `(so$me.Te^xt)` becomes `\(so\$me\.Te\^xt\)`).
pub fn regex_quote(a: &Args) -> Result<Col> {
    let x = a.strs(0)?;
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    let mut out = String::new();
    for i in 0..n {
        out.clear();
        for c in x.get(i).chars() {
            match c {
                '\\' | '*' | '+' | '?' | '|' | '{' | '[' | '(' | ')' | '^' | '$' | '.' | '#' | ' ' => {
                    out.push('\\');
                    out.push(c);
                }
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\u{c}' => out.push_str("\\f"),
                c => out.push(c),
            }
        }
        b.append_value(&out);
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `isascii(value)`: true if the value's text is all ASCII characters;
/// `isutf8(value)`: true if it is valid UTF-8, which every string ntaq
/// holds is (a file's invalid bytes are rejected when it is read). Pages:
/// isascii("some text") is true, isascii("\u2103") false.
pub fn is_text(a: &Args, ascii: bool) -> Result<Col> {
    let x = a.strs(0)?;
    let n = a.rows();
    let mut b = arrow_array::builder::BooleanBuilder::with_capacity(n);
    for i in 0..n {
        b.append_value(!ascii || x.get(i).is_ascii());
    }
    Ok(a.finish(Arc::new(b.finish())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_of_examples() {
        // The Kusto docs' indexof examples (indexof-function.md).
        assert_eq!(index_of("abcdefg", "cde", 0, -1, 1), Some(2));
        assert_eq!(index_of("abcdefg", "cde", 1, 4, 1), Some(2));
        assert_eq!(index_of("abcdefg", "cde", 1, 2, 1), Some(-1));
        assert_eq!(index_of("abcdefg", "cde", 3, 4, 1), Some(-1));
        assert_eq!(index_of("abcdefg", "cde", -5, -1, 1), Some(2));
        assert_eq!(index_of("1234567", "5", 1, 4, 1), Some(4));
        assert_eq!(index_of("abcdefg", "cde", 2, -1, 1), Some(2));
        assert_eq!(index_of("abcdefgabcdefg", "cde", 1, 10, 2), Some(9));
        assert_eq!(index_of("abcdefgabcdefg", "cde", 1, -1, 3), Some(-1));
        assert_eq!(index_of("abc", "b", 0, -2, 1), None);
        assert_eq!(index_of("abc", "b", -9, -1, 1), None);
        assert_eq!(index_of("abc", "b", i64::MAX, i64::MAX, i64::MAX), Some(-1));
        assert_eq!(index_of("héllo", "llo", 0, -1, 1), Some(2));
    }

    #[test]
    fn overlapping_counts() {
        assert_eq!(count_overlapping("aaaa", "aa"), 3);
        assert_eq!(count_overlapping("ababa", "aba"), 2);
        assert_eq!(count_overlapping("ééé", "é"), 3);
        assert_eq!(count_overlapping("abc", ""), 0);
    }
}
