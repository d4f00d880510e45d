//! Character-level helpers: whitespace and comments, identifiers, token
//! descriptions for error messages, and the skipping used for error recovery.

use nom::IResult;
use nom::Parser as _;
use nom::bytes::complete::take_while;

/// Kusto treats these as whitespace besides ASCII space, tab and newlines.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}'
}

/// Skips whitespace and `//` comments.
pub(crate) fn skip_ws(mut i: &str) -> &str {
    loop {
        let trimmed = i.trim_start_matches(is_space);
        if let Some(comment) = trimmed.strip_prefix("//") {
            let end = comment.find('\n').map_or(comment.len(), |n| n + 1);
            i = &comment[end..];
        } else {
            return trimmed;
        }
    }
}

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The plain identifier at the very start of `i` (no whitespace skipped).
pub(crate) fn word_at(i: &str) -> Option<&str> {
    // `$table`, the column `search` and `union withsource` name by default,
    // is written bare (`summarize count() by $table`, the search page).
    if let Some(rest) = i.strip_prefix("$table")
        && !rest.starts_with(is_ident_char)
    {
        return Some(&i[.."$table".len()]);
    }
    if !i.starts_with(is_ident_start) {
        return None;
    }
    let r: IResult<&str, &str> = take_while(is_ident_char).parse(i);
    r.ok().map(|(_, w)| w)
}

/// An operator keyword: an identifier that may contain `-` (`project-away`).
pub(crate) fn operator_word_at(i: &str) -> Option<&str> {
    if !i.starts_with(is_ident_start) {
        return None;
    }
    let r: IResult<&str, &str> = take_while(|c: char| is_ident_char(c) || c == '-').parse(i);
    r.ok().map(|(_, w)| w.trim_end_matches('-'))
}

/// True if `i` starts with keyword `kw` not followed by an identifier character.
pub(crate) fn starts_with_word(i: &str, kw: &str) -> bool {
    i.strip_prefix(kw).is_some_and(|rest| !rest.starts_with(|c: char| is_ident_char(c) || c == '-'))
}

/// Operators spelt with two symbols, so error spans and messages show them whole.
const SYMBOL_PAIRS: [&str; 11] = ["==", "!=", "<>", "<=", ">=", "=~", "!~", "..", "=>", "||", "&&"];

/// Byte length of the token at the start of `i`, for error spans.
pub(crate) fn token_len(i: &str) -> usize {
    let mut chars = i.chars();
    match chars.next() {
        None => 0,
        Some(c) if is_ident_char(c) => i.find(|c: char| !is_ident_char(c)).unwrap_or(i.len()),
        Some(_) if SYMBOL_PAIRS.iter().any(|p| i.starts_with(p)) => 2,
        Some(c) => c.len_utf8(),
    }
}

/// Describes the token at the start of `i` for "expected X, found Y".
pub(crate) fn describe(i: &str) -> String {
    let Some(c) = i.chars().next() else {
        return "end of query".to_string();
    };
    match c {
        '\'' | '"' | '`' => "a string literal".to_string(),
        '\n' | '\r' => "end of line".to_string(),
        c if c.is_ascii_digit() => format!("number `{}`", &i[..token_len(i)]),
        _ => format!("`{}`", &i[..token_len(i)]),
    }
}

/// The offset just after the last token of `src`: trailing whitespace and
/// comments excluded (a `//` inside a string is not a comment).
pub(crate) fn end_of_code(src: &str) -> usize {
    let mut i = src;
    let mut end = 0;
    loop {
        i = skip_ws(i);
        if i.is_empty() {
            return end;
        }
        i = &i[code_token_len(i)..];
        end = src.len() - i.len();
    }
}

/// Byte length (at least 1) of the token at the start of non-empty `i`,
/// reading string literals whole, even unterminated ones.
fn code_token_len(i: &str) -> usize {
    let b = i.as_bytes();
    let quote = |k: usize| matches!(b.get(k), Some(b'\'' | b'"'));
    let mut k = usize::from(matches!(b.first(), Some(b'h' | b'H')) && (quote(1) || b.get(1) == Some(&b'@')));
    let verbatim = b.get(k) == Some(&b'@') && quote(k + 1);
    k += usize::from(verbatim);
    let rest = &i[k..];
    if rest.starts_with("```") || rest.starts_with("~~~") {
        return k + 3 + rest[3..].find(&rest[..3]).map_or(rest.len() - 3, |n| n + 3);
    }
    if let Some(&q @ (b'\'' | b'"')) = b.get(k) {
        let mut j = k + 1;
        while j < b.len() && b[j] != b'\n' && b[j] != b'\r' {
            if b[j] == b'\\' && !verbatim {
                j += 2;
            } else if b[j] == q && !(verbatim && b.get(j + 1) == Some(&q)) {
                return j + 1;
            } else {
                j += if b[j] == q { 2 } else { 1 };
            }
        }
        return j.min(b.len());
    }
    token_len(i).max(1)
}

/// Where error recovery stops skipping.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Boundary {
    /// The next `|` or `;` at nesting depth 0 (or an unmatched closing bracket).
    Pipe,
    /// The next `;` at nesting depth 0.
    Statement,
}

/// Skips text up to (not including) the boundary, respecting brackets,
/// strings and comments so a `|` inside `( … )` or `"…"` does not stop it.
pub(crate) fn skip_to(i: &str, boundary: Boundary) -> &str {
    let bytes = i.as_bytes();
    let mut depth: usize = 0;
    let mut k = 0;
    while k < bytes.len() {
        let b = bytes[k];
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    if boundary == Boundary::Pipe {
                        return &i[k..];
                    }
                } else {
                    depth -= 1;
                }
            }
            b'|' if depth == 0 && boundary == Boundary::Pipe => return &i[k..],
            b';' if depth == 0 => return &i[k..],
            b'/' if bytes.get(k + 1) == Some(&b'/') => {
                k += i[k..].find('\n').unwrap_or(i.len() - k);
                continue;
            }
            b'`' if i[k..].starts_with("```") => {
                k += 3 + i[k + 3..].find("```").map_or(i.len() - k - 3, |n| n + 3);
                continue;
            }
            b'\'' | b'"' => {
                let verbatim = k > 0 && bytes[k - 1] == b'@';
                k += 1;
                while k < bytes.len() && bytes[k] != b && bytes[k] != b'\n' {
                    if bytes[k] == b'\\' && !verbatim {
                        k += 1;
                    }
                    k += 1;
                }
            }
            _ => {}
        }
        k += 1;
    }
    &i[i.len()..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_whitespace() {
        assert_eq!(skip_ws("  // hi\n\t// there\n x"), "x");
        assert_eq!(skip_ws("// only"), "");
    }

    #[test]
    fn words() {
        assert_eq!(word_at("where x"), Some("where"));
        assert_eq!(word_at("1x"), None);
        assert_eq!(operator_word_at("project-away x"), Some("project-away"));
        assert!(starts_with_word("in (1)", "in"));
        assert!(!starts_with_word("index", "in"));
    }

    #[test]
    fn skipping_respects_nesting_and_strings() {
        assert_eq!(skip_to("where f(a | b) | x", Boundary::Pipe), "| x");
        assert_eq!(skip_to("where s == '|;' ; y", Boundary::Pipe), "; y");
        assert_eq!(skip_to("a | b ; c", Boundary::Statement), "; c");
        assert_eq!(skip_to("a ) | b", Boundary::Pipe), ") | b");
        assert_eq!(skip_to("a // | b\n| c", Boundary::Pipe), "| c");
        assert_eq!(skip_to("(unclosed | x", Boundary::Pipe), "");
    }

    #[test]
    fn end_of_code_skips_trailing_trivia() {
        assert_eq!(end_of_code("T | where a ==  \n// note\n\n"), 14);
        assert_eq!(end_of_code("print 'a // b'  "), 14);
        assert_eq!(end_of_code("print @'c:\\'// x"), 12);
        assert_eq!(end_of_code("print ```//```\n"), 14);
        assert_eq!(end_of_code("print 'open // x"), 16, "an unterminated string runs to the line end");
        assert_eq!(end_of_code("  // only\n"), 0);
        assert_eq!(end_of_code("é "), 2);
    }

    #[test]
    fn descriptions() {
        assert_eq!(describe(""), "end of query");
        assert_eq!(describe("wher x"), "`wher`");
        assert_eq!(describe("'abc'"), "a string literal");
        assert_eq!(describe(")"), "`)`");
        assert_eq!(describe("== 1"), "`==`");
        assert_eq!(describe("=1"), "`=`");
        assert_eq!(describe("é"), "`é`");
    }
}
