//! Literals: strings (all quoting forms), numbers, timespans, and the typed
//! forms `datetime(…)`, `timespan(…)`, `long(…)`, …, `dynamic(…)`.

use super::lex::{is_ident_char, skip_ws, word_at};
use super::{PError, PResult, Parser};
use crate::ast::{DateTimeLit, DynValue, Expr, ExprKind, Literal, Placeholder};
use crate::error::SyntaxError;
use crate::span::Span;
use crate::time::{parse_datetime_text, parse_timespan, scale_decimal, timespan_unit};
use crate::types::ScalarType;

/// A number token.
pub(crate) enum Number {
    Long(i64),
    Real(f64),
    Timespan(i64),
}

/// True if a string literal starts at `i`.
pub(crate) fn starts_string(i: &str) -> bool {
    let b = i.as_bytes();
    let quote = |k: usize| matches!(b.get(k), Some(b'\'' | b'"'));
    match b.first() {
        Some(b'\'' | b'"') => true,
        Some(b'@') => quote(1),
        Some(b'h' | b'H') => quote(1) || (b.get(1) == Some(&b'@') && quote(2)),
        Some(b'`') => i.starts_with("```"),
        Some(b'~') => i.starts_with("~~~"),
        _ => false,
    }
}

/// Finds `{name}` / `{name:format}` workbook placeholders in raw string
/// content starting at byte offset `base`.
pub(crate) fn find_placeholders(raw: &str, base: usize) -> Vec<Placeholder> {
    let mut out = Vec::new();
    let mut k = 0;
    while let Some(open) = raw[k..].find('{') {
        let start = k + open;
        let Some(close) = raw[start..].find('}') else {
            break;
        };
        let inner = &raw[start + 1..start + close];
        if is_placeholder_name(inner) {
            out.push(Placeholder { name: inner.to_string(), span: Span::new(base + start, base + start + close + 1) });
        }
        k = start + 1;
    }
    out
}

/// `name` or `name:format`, both identifier-like.
pub(crate) fn is_placeholder_name(s: &str) -> bool {
    let ident = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && p.chars().all(|c| is_ident_char(c) || c == '-')
    };
    match s.split_once(':') {
        Some((name, format)) => ident(name) && ident(format),
        None => ident(s),
    }
}

impl<'s> Parser<'s> {
    /// One string literal at `i` (no whitespace skipped): its value and the
    /// span of its raw content (for placeholder positions).
    fn string_token(&self, i: &'s str) -> PResult<'s, (String, &'s str, usize)> {
        let start = self.pos(i);
        let mut j = i;
        if j.starts_with(['h', 'H']) {
            j = &j[1..];
        }
        if j.starts_with("```") || j.starts_with("~~~") {
            let fence = &j[..3];
            let body = &j[3..];
            return match body.find(fence) {
                Some(end) => Ok((&body[end + 3..], (body[..end].to_string(), &body[..end], self.pos(body)))),
                None => Err(self.failure(SyntaxError::UnterminatedString { span: Span::new(start, start + 3) })),
            };
        }
        let verbatim = j.starts_with('@');
        if verbatim {
            j = &j[1..];
        }
        let quote = j.as_bytes()[0] as char;
        let body = &j[1..];
        let body_start = self.pos(body);
        let mut value = String::new();
        let mut chars = body.char_indices();
        while let Some((k, c)) = chars.next() {
            match c {
                '\n' | '\r' => break,
                c if c == quote => {
                    if verbatim && body[k + 1..].starts_with(quote) {
                        chars.next();
                        value.push(quote);
                        continue;
                    }
                    return Ok((&body[k + 1..], (value, &body[..k], body_start)));
                }
                '\\' if !verbatim => {
                    let esc_start = body_start + k;
                    match decode_escape(&body[k..]) {
                        Escape::Char(ch, len) => {
                            value.push(ch);
                            // Skip the rest of the escape (its `\` is consumed already).
                            let end = k + len;
                            while chars.clone().next().is_some_and(|(n, _)| n < end) {
                                chars.next();
                            }
                        }
                        // `\` then a line break or the end: the string is unterminated.
                        Escape::Truncated => break,
                        Escape::Invalid(len) => {
                            let len = if body.is_char_boundary(k + len) { len } else { 1 };
                            return Err(self.failure(SyntaxError::InvalidEscape {
                                text: body[k..k + len].to_string(),
                                span: Span::new(esc_start, esc_start + len),
                            }));
                        }
                    }
                }
                c => value.push(c),
            }
        }
        Err(self.failure(SyntaxError::UnterminatedString {
            span: Span::new(start, self.pos(body) + body.find(['\n', '\r']).unwrap_or(body.len())),
        }))
    }

    /// A string literal, or several adjacent ones (Kusto concatenates them).
    pub(crate) fn string_literal(&self, i: &'s str) -> PResult<'s, (String, Span)> {
        let i = skip_ws(i);
        if !starts_string(i) {
            return self.error(i, "a string literal");
        }
        let start = self.pos(i);
        let mut value = String::new();
        let mut rest = i;
        loop {
            let (r, (v, raw, raw_start)) = self.string_token(rest)?;
            for p in find_placeholders(raw, raw_start) {
                self.add_placeholder(p);
            }
            value.push_str(&v);
            rest = r;
            let next = skip_ws(rest);
            if !starts_string(next) {
                break;
            }
            rest = next;
        }
        Ok((rest, (value, self.span_from(start, rest))))
    }

    /// A number at `i` (no whitespace skipped): long, hex long, real, or a timespan like `4h`.
    pub(crate) fn number(&self, i: &'s str) -> PResult<'s, (Number, Span)> {
        let start = self.pos(i);
        let b = i.as_bytes();
        if !b.first().is_some_and(u8::is_ascii_digit) {
            return self.error(i, "a number");
        }
        let invalid = |len: usize, reason: String| {
            self.failure(SyntaxError::InvalidLiteral {
                what: "number",
                reason,
                span: Span::new(start, start + len),
                help: None,
            })
        };
        if b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
            let len = 2 + i[2..].find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(i.len() - 2);
            let text = &i[2..len];
            return match i64::from_str_radix(text, 16) {
                Ok(v) if !i[len..].starts_with(is_ident_char) => {
                    Ok((&i[len..], (Number::Long(v), Span::new(start, start + len))))
                }
                _ => Err(invalid(len, format!("`{}` is not a valid hexadecimal long", &i[..len]))),
            };
        }
        let digits = |from: usize| from + i[from..].find(|c: char| !c.is_ascii_digit()).unwrap_or(i.len() - from);
        let int_end = digits(0);
        let mut end = int_end;
        let mut is_real = false;
        let has_exponent = |k: usize| {
            matches!(b.get(k), Some(b'e' | b'E'))
                && b.get(k + 1 + usize::from(matches!(b.get(k + 1), Some(b'+' | b'-')))).is_some_and(u8::is_ascii_digit)
        };
        // `1.5`, and `1.` as Kusto also reads it (not `1..5`, nor `1.name`).
        if b.get(end) == Some(&b'.') {
            let next = b.get(end + 1).copied();
            if next.is_some_and(|c| c.is_ascii_digit()) {
                end = digits(end + 1);
                is_real = true;
            } else if next != Some(b'.') && (has_exponent(end + 1) || !next.is_some_and(|c| is_ident_char(c as char))) {
                end += 1;
                is_real = true;
            }
        }
        let frac_end = end;
        if has_exponent(end) {
            let sign = usize::from(matches!(b.get(end + 1), Some(b'+' | b'-')));
            end = digits(end + 1 + sign);
            is_real = true;
        }
        // A unit suffix makes a timespan (`4h`, `1.5d`, `10ms`).
        if end == frac_end
            && let Some(suffix) = word_at(&i[end..])
        {
            let len = end + suffix.len();
            let Some(unit) = timespan_unit(suffix) else {
                return Err(invalid(
                    len,
                    format!(
                        "`{}` is neither a number nor a timespan (units: d, h, m, s, ms, microsecond, tick)",
                        &i[..len]
                    ),
                ));
            };
            let (int, frac) = i[..end].split_once('.').unwrap_or((&i[..end], ""));
            return match scale_decimal(int, frac, unit) {
                Some(v) => Ok((&i[len..], (Number::Timespan(v), Span::new(start, start + len)))),
                None => Err(invalid(len, "timespan out of range".to_string())),
            };
        }
        if i[end..].starts_with(is_ident_char) {
            let len = end + i[end..].find(|c: char| !is_ident_char(c)).unwrap_or(i.len() - end);
            return Err(invalid(len, format!("`{}` is not a number", &i[..len])));
        }
        let text = &i[..end];
        let span = Span::new(start, start + end);
        let n = if is_real {
            Number::Real(text.parse().map_err(|_| invalid(end, format!("`{text}` is not a real number")))?)
        } else {
            Number::Long(
                text.parse().map_err(|_| invalid(end, format!("`{text}` does not fit in a long (64-bit integer)")))?,
            )
        };
        Ok((&i[end..], (n, span)))
    }

    /// `word(…)` where `word` names a type: the typed literal forms. `i` is just after `(`.
    /// Returns `None` if `word` is not a literal type.
    pub(crate) fn typed_literal(
        &self,
        word: &str,
        word_start: usize,
        i: &'s str,
        open: Span,
    ) -> Option<PResult<'s, Expr>> {
        let ty = match word {
            "datetime" | "date" => ScalarType::DateTime,
            "timespan" | "time" => ScalarType::Timespan,
            "long" => ScalarType::Long,
            "int" => ScalarType::Int,
            "real" | "double" => ScalarType::Real,
            "decimal" => ScalarType::Decimal,
            "bool" | "boolean" => ScalarType::Bool,
            "guid" | "uuid" | "uniqueid" => ScalarType::Guid,
            "dynamic" => ScalarType::Dynamic,
            _ => return None,
        };
        Some(self.typed_literal_body(ty, word_start, i, open))
    }

    fn typed_literal_body(&self, ty: ScalarType, word_start: usize, i: &'s str, open: Span) -> PResult<'s, Expr> {
        let inner = skip_ws(i);
        if ty == ScalarType::Dynamic {
            let (rest, v) = self.dynamic_value(inner)?;
            let rest = self.close_paren(rest, open)?;
            return Ok((rest, Expr::new(ExprKind::Literal(Literal::Dynamic(v)), self.span_from(word_start, rest))));
        }
        // The raw text up to `)`: a quoted string or bare text such as 2025-06-01 12:00.
        let quoted = starts_string(inner);
        let (rest, raw, raw_span) = if quoted {
            let (r, (v, span)) = self.string_literal(inner)?;
            (r, v, span)
        } else {
            let end = inner.find([')', '\n', ';', '|']).unwrap_or(inner.len());
            let raw = inner[..end].trim_end();
            let start = self.pos(inner);
            (&inner[raw.len()..], raw.to_string(), Span::new(start, start + raw.len()))
        };
        let rest = self.close_paren(rest, open)?;
        let span = self.span_from(word_start, rest);
        let invalid = |reason: String, help: Option<String>| {
            self.failure(SyntaxError::InvalidLiteral { what: ty.name(), reason, span: raw_span, help })
        };
        let is_null = raw == "null";
        let lit = match ty {
            ScalarType::DateTime => Literal::DateTime(if is_null {
                DateTimeLit::Null
            } else if let Some(v) = parse_datetime_text(&raw) {
                DateTimeLit::Value(v)
            } else if !quoted
                && raw.starts_with('{')
                && raw.ends_with('}')
                && is_placeholder_name(&raw[1..raw.len() - 1])
            {
                // Bare placeholder: datetime({timeInterval:startISO}).
                self.add_placeholder(Placeholder { name: raw[1..raw.len() - 1].to_string(), span: raw_span });
                DateTimeLit::Placeholder(raw)
            } else if quoted && !find_placeholders(&raw, 0).is_empty() {
                // Quoted placeholder: recorded by string_literal already.
                DateTimeLit::Placeholder(raw)
            } else if kql_types::time::datetime_out_of_range(&raw) {
                return Err(self.failure(SyntaxError::UnsupportedSyntax {
                    what: kql_types::time::DATETIME_RANGE.into(),
                    span: raw_span,
                    help: Some("Kusto's datetimes run from 0001-01-01 to 9999-12-31".into()),
                }));
            } else {
                return Err(invalid(
                    format!("`{raw}` is not a date and time"),
                    Some(
                        "write ISO 8601 in UTC, e.g. datetime(2025-06-01T00:00:00Z) or datetime(2025-06-01 12:30)"
                            .into(),
                    ),
                ));
            }),
            ScalarType::Timespan => Literal::Timespan(if is_null {
                None
            } else {
                Some(parse_timespan(&raw).ok_or_else(|| {
                    invalid(
                        format!("`{raw}` is not a timespan"),
                        Some("write e.g. timespan(1.02:03:04), time(2h) or 30m".into()),
                    )
                })?)
            }),
            ScalarType::Long => Literal::Long(if is_null {
                None
            } else {
                Some(raw.parse().map_err(|_| invalid(format!("`{raw}` is not a long"), None))?)
            }),
            ScalarType::Int => Literal::Int(if is_null {
                None
            } else {
                Some(raw.parse().map_err(|_| invalid(format!("`{raw}` is not an int (32-bit integer)"), None))?)
            }),
            ScalarType::Real => Literal::Real(if is_null {
                None
            } else {
                Some(match raw.as_str() {
                    "nan" => f64::NAN,
                    "+inf" | "inf" => f64::INFINITY,
                    "-inf" => f64::NEG_INFINITY,
                    _ => raw.parse().map_err(|_| invalid(format!("`{raw}` is not a real number"), None))?,
                })
            }),
            ScalarType::Decimal => Literal::Decimal(if is_null {
                None
            } else {
                // A plain decimal number: Rust's float syntax would also let
                // `nan` and `inf` through, which no decimal can hold.
                let numeric = raw.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
                if !numeric || !raw.parse::<f64>().is_ok_and(f64::is_finite) {
                    return Err(invalid(format!("`{raw}` is not a decimal"), None));
                }
                Some(raw.clone())
            }),
            ScalarType::Bool => Literal::Bool(match raw.as_str() {
                "null" => None,
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => return Err(invalid(format!("`{raw}` is not true or false"), None)),
            }),
            ScalarType::Guid => Literal::Guid(if is_null {
                None
            } else if let Some(g) = kql_types::text::parse_guid(&raw) {
                Some(g)
            } else {
                return Err(invalid(
                    format!("`{raw}` is not a guid"),
                    Some("write 8-4-4-4-12 hexadecimal digits, e.g. guid(74be27de-1e4e-49d9-b579-fe0b331d3642)".into()),
                ));
            }),
            ScalarType::String | ScalarType::Dynamic => unreachable!("handled above"),
        };
        Ok((rest, Expr::new(ExprKind::Literal(lit), span)))
    }

    /// Expects `)` closing the bracket opened at `open`.
    pub(crate) fn close_paren(&self, i: &'s str, open: Span) -> Result<&'s str, nom::Err<PError>> {
        self.close_bracket(i, open, '(', ')')
    }

    pub(crate) fn close_bracket(
        &self,
        i: &'s str,
        open: Span,
        open_c: char,
        close: char,
    ) -> Result<&'s str, nom::Err<PError>> {
        let j = skip_ws(i);
        if let Some(rest) = j.strip_prefix(close) {
            return Ok(rest);
        }
        if j.is_empty() {
            return Err(self.failure(SyntaxError::UnclosedBracket {
                open: open_c,
                close,
                open_span: open,
                span: self.token_span(j),
            }));
        }
        let mut e = self.expected_error(
            j,
            match close {
                ')' => "`)`",
                ']' => "`]`",
                _ => "`}`",
            },
        );
        if let SyntaxError::Expected { help, .. } = &mut e {
            *help = self.after_expression_help(j);
        }
        Err(self.failure(e))
    }

    /// A value inside `dynamic(…)`: JSON-like, with Kusto literals allowed.
    fn dynamic_value(&self, i: &'s str) -> PResult<'s, DynValue> {
        let _guard = self.enter(i)?;
        let i = skip_ws(i);
        if let Some(rest) = i.strip_prefix('[') {
            let open = self.token_span(i);
            let mut items = Vec::new();
            let mut r = skip_ws(rest);
            if let Some(r2) = r.strip_prefix(']') {
                return Ok((r2, DynValue::Array(items)));
            }
            loop {
                let (r2, v) = self.cut(self.dynamic_value(r))?;
                items.push(v);
                let r3 = skip_ws(r2);
                if let Some(r4) = r3.strip_prefix(',') {
                    r = r4;
                } else {
                    return Ok((self.close_bracket(r3, open, '[', ']')?, DynValue::Array(items)));
                }
            }
        }
        if let Some(rest) = i.strip_prefix('{') {
            let open = self.token_span(i);
            let mut fields = Vec::new();
            let mut r = skip_ws(rest);
            if let Some(r2) = r.strip_prefix('}') {
                return Ok((r2, DynValue::Object(fields)));
            }
            loop {
                let (r2, (key, _)) = self.cut(self.string_literal(r))?;
                let r3 = skip_ws(r2);
                let Some(r3) = r3.strip_prefix(':') else {
                    return Err(self.failure(self.expected_error(r3, "`:`")));
                };
                let (r4, v) = self.cut(self.dynamic_value(r3))?;
                fields.push((key, v));
                let r5 = skip_ws(r4);
                if let Some(r6) = r5.strip_prefix(',') {
                    r = r6;
                } else {
                    return Ok((self.close_bracket(r5, open, '{', '}')?, DynValue::Object(fields)));
                }
            }
        }
        if starts_string(i) {
            let (r, (s, _)) = self.string_literal(i)?;
            return Ok((r, DynValue::String(s)));
        }
        let (neg, j) = match i.strip_prefix('-') {
            Some(r) => (true, skip_ws(r)),
            None => (false, i),
        };
        if j.starts_with(|c: char| c.is_ascii_digit()) {
            let (r, (n, _)) = self.number(j)?;
            let sign = if neg { -1 } else { 1 };
            return Ok((
                r,
                match n {
                    Number::Long(v) => DynValue::Long(sign * v),
                    Number::Real(v) => DynValue::Real(if neg { -v } else { v }),
                    Number::Timespan(v) => DynValue::Timespan(sign * v),
                },
            ));
        }
        if let Some(w) = word_at(i) {
            let after = &i[w.len()..];
            match w {
                "null" => return Ok((after, DynValue::Null)),
                "true" => return Ok((after, DynValue::Bool(true))),
                "false" => return Ok((after, DynValue::Bool(false))),
                _ => {}
            }
            let paren = skip_ws(after);
            if let Some(inner) = paren.strip_prefix('(') {
                let open = self.token_span(paren);
                if let Some(r) = self.typed_literal(w, self.pos(i), inner, open) {
                    let (r, e) = r?;
                    let v = match e.kind {
                        ExprKind::Literal(Literal::DateTime(DateTimeLit::Value(v))) => DynValue::DateTime(v),
                        ExprKind::Literal(Literal::Timespan(Some(v))) => DynValue::Timespan(v),
                        ExprKind::Literal(Literal::Long(Some(v))) => DynValue::Long(v),
                        ExprKind::Literal(Literal::Int(Some(v))) => DynValue::Long(v.into()),
                        ExprKind::Literal(Literal::Real(Some(v))) => DynValue::Real(v),
                        ExprKind::Literal(Literal::Bool(Some(v))) => DynValue::Bool(v),
                        ExprKind::Literal(Literal::Guid(Some(v))) => DynValue::String(v),
                        ExprKind::Literal(Literal::Dynamic(v)) => v,
                        _ => DynValue::Null,
                    };
                    return Ok((r, v));
                }
            }
        }
        self.error(i, "a dynamic value (null, true, a number, a string, [ … ] or { … })")
    }
}

/// What the backslash escape at the start of `s` stands for.
enum Escape {
    /// The character and the byte length of the escape.
    Char(char, usize),
    /// Nothing (or a line break) follows the backslash.
    Truncated,
    /// Not a valid escape; the byte length to show in the error.
    Invalid(usize),
}

/// Decodes one escape as Kusto does (Kusto.Language `TokenParser.ScanStringEscape`
/// and `KustoFacts.DecodeEscapes`): `\\ \' \" \a \b \f \n \r \t \v`,
/// `\xHH`, `\uXXXX` (a UTF-16 unit: surrogate pairs combine), `\UXXXXXXXX`,
/// and octal `\o`, `\oo`, `\ooo` (three digits only when the first is 0–3).
fn decode_escape(s: &str) -> Escape {
    let b = s.as_bytes();
    let hex = |from: usize, n: usize| -> Option<u32> {
        let digits = s.get(from..from + n)?;
        if digits.bytes().all(|c| c.is_ascii_hexdigit()) { u32::from_str_radix(digits, 16).ok() } else { None }
    };
    let Some(&e) = b.get(1) else {
        return Escape::Truncated;
    };
    let simple = match e {
        b'\\' | b'\'' | b'"' => Some(e as char),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'a' => Some('\u{7}'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'v' => Some('\u{b}'),
        b'\n' | b'\r' => return Escape::Truncated,
        _ => None,
    };
    if let Some(c) = simple {
        return Escape::Char(c, 2);
    }
    match e {
        b'x' => match hex(2, 2).and_then(char::from_u32) {
            Some(c) => Escape::Char(c, 4),
            None => Escape::Invalid(2 + s[2..].bytes().take(2).take_while(u8::is_ascii_hexdigit).count()),
        },
        b'U' => match hex(2, 8).and_then(char::from_u32) {
            Some(c) => Escape::Char(c, 10),
            None => Escape::Invalid(2 + s[2..].bytes().take(8).take_while(u8::is_ascii_hexdigit).count()),
        },
        b'u' => match hex(2, 4) {
            Some(hi @ 0xD800..=0xDBFF) => {
                // A high surrogate must be followed by `\u` and a low one.
                match (s.get(6..8), hex(8, 4)) {
                    (Some("\\u"), Some(lo @ 0xDC00..=0xDFFF)) => {
                        let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        char::from_u32(c).map_or(Escape::Invalid(12), |c| Escape::Char(c, 12))
                    }
                    _ => Escape::Invalid(6),
                }
            }
            Some(v) => char::from_u32(v).map_or(Escape::Invalid(6), |c| Escape::Char(c, 6)),
            None => Escape::Invalid(2 + s[2..].bytes().take(4).take_while(u8::is_ascii_hexdigit).count()),
        },
        b'0'..=b'7' => {
            let max = if e <= b'3' { 3 } else { 2 };
            let n = b[1..].iter().take(max).take_while(|c| (b'0'..=b'7').contains(c)).count();
            let v = b[1..1 + n].iter().fold(0u32, |v, c| v * 8 + u32::from(c - b'0'));
            char::from_u32(v).map_or(Escape::Invalid(1 + n), |c| Escape::Char(c, 1 + n))
        }
        // Any other character: show it (whole, even if multi-byte) in the error.
        _ => Escape::Invalid(1 + s[1..].chars().next().map_or(0, char::len_utf8)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_in_raw_text() {
        let ps = find_placeholders("{timeInterval:startISO} and {x} but not {a b} or {}", 10);
        let names: Vec<_> = ps.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["timeInterval:startISO", "x"]);
        assert_eq!(ps[0].span, Span::new(10, 33));
    }

    #[test]
    fn string_starts() {
        for s in ["'a'", "\"a\"", "@'a'", "h'a'", "H@\"a\"", "```a```"] {
            assert!(starts_string(s), "{s}");
        }
        for s in ["a'", "@a", "h", "`a`"] {
            assert!(!starts_string(s), "{s}");
        }
    }
}
