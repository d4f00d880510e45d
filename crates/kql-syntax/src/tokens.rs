//! A forgiving tokenizer for editors: it never fails, covers every
//! non-whitespace byte of the text, and reads unterminated strings and
//! unbalanced brackets as they are. The REPL uses it to decide whether an
//! input is complete and what to complete at the cursor; the parser has its
//! own, stricter rules.
//!
//! ```
//! use kql_syntax::tokens::{tokenize, TokenKind};
//! let t = tokenize("T | where a == 'x' // note");
//! let kinds: Vec<TokenKind> = t.iter().map(|t| t.kind).collect();
//! assert_eq!(kinds, [
//!     TokenKind::Word, TokenKind::Punct, TokenKind::Word, TokenKind::Word,
//!     TokenKind::Punct, TokenKind::Str { closed: true }, TokenKind::Comment,
//! ]);
//! ```

use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier or keyword: `[A-Za-z_][A-Za-z0-9_]*`.
    Word,
    /// A number, with any unit suffix (`42`, `1.5`, `1e3`, `10m`).
    Number,
    /// A string literal of any form (`'…'`, `"…"`, `@'…'`, `h"…"`,
    /// ```` ```…``` ````); `closed` is false if the text ends inside it.
    Str { closed: bool },
    /// A `//` comment, up to the end of its line.
    Comment,
    /// Anything else: brackets, `|`, `;`, `,`, and operators (the two-symbol
    /// ones such as `==`, `!~`, `..` as one token).
    Punct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl Token {
    /// The token's text in `src`.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.span.start..self.span.end]
    }
}

/// Operators spelt with two symbols.
const PAIRS: [&str; 11] = ["==", "!=", "<>", "<=", ">=", "=~", "!~", "..", "=>", "||", "&&"];

/// The tokens of `src`, in order. Whitespace is skipped.
pub fn tokenize(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        let c = b[k];
        if c.is_ascii_whitespace() {
            k += 1;
            continue;
        }
        let rest = &src[k..];
        if let Some(ch) = rest.chars().next()
            && !ch.is_ascii()
            && (ch.is_whitespace() || ch == '\u{200b}' || ch == '\u{feff}')
        {
            k += ch.len_utf8();
            continue;
        }
        let (kind, len) = if rest.starts_with("//") {
            (TokenKind::Comment, rest.find('\n').unwrap_or(rest.len()))
        } else if let Some((len, closed)) = string_at(rest) {
            (TokenKind::Str { closed }, len)
        } else if c.is_ascii_alphabetic() || c == b'_' {
            (TokenKind::Word, rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')).unwrap_or(rest.len()))
        } else if c.is_ascii_digit() {
            (TokenKind::Number, number_len(rest))
        } else if PAIRS.iter().any(|p| rest.starts_with(p)) {
            (TokenKind::Punct, 2)
        } else {
            (TokenKind::Punct, rest.chars().next().map_or(1, char::len_utf8))
        };
        out.push(Token { kind, span: Span::new(k, k + len) });
        k += len;
    }
    out
}

/// Length of a number and its unit suffix; stops before `..`.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut k = 0;
    while k < b.len() {
        let c = b[k];
        let more = c.is_ascii_alphanumeric()
            || c == b'_'
            || (c == b'.' && b.get(k + 1) != Some(&b'.'))
            || ((c == b'+' || c == b'-')
                && matches!(b[k - 1], b'e' | b'E')
                && b[..k - 1].iter().all(|d| d.is_ascii_digit() || *d == b'.'));
        if !more {
            break;
        }
        k += 1;
    }
    k
}

/// A string literal at the start of `s`: its length and whether it is closed.
fn string_at(s: &str) -> Option<(usize, bool)> {
    let b = s.as_bytes();
    let quote = |k: usize| matches!(b.get(k), Some(b'\'' | b'"'));
    // h'…', H@"…": obfuscated strings.
    let mut k =
        usize::from(matches!(b.first(), Some(b'h' | b'H')) && (quote(1) || (b.get(1) == Some(&b'@') && quote(2))));
    let verbatim = b.get(k) == Some(&b'@') && quote(k + 1);
    k += usize::from(verbatim);
    let rest = &s[k..];
    for fence in ["```", "~~~"] {
        if let Some(body) = rest.strip_prefix(fence) {
            return Some(match body.find(fence) {
                Some(n) => (k + 3 + n + 3, true),
                None => (s.len(), false),
            });
        }
    }
    let q = *b.get(k).filter(|c| **c == b'\'' || **c == b'"')?;
    let mut j = k + 1;
    while j < b.len() && b[j] != b'\n' {
        if b[j] == b'\\' && !verbatim {
            j += 2;
        } else if b[j] == q {
            if verbatim && b.get(j + 1) == Some(&q) {
                j += 2;
            } else {
                return Some((j + 1, true));
            }
        } else {
            j += 1;
        }
    }
    Some((j.min(b.len()), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_and_texts(src: &str) -> Vec<(TokenKind, &str)> {
        tokenize(src).iter().map(|t| (t.kind, t.text(src))).collect()
    }

    #[test]
    fn strings_of_every_form() {
        use TokenKind::*;
        assert_eq!(
            kinds_and_texts(r#"'a\'b' "c" @'d''e' h"x" ```m|l```"#),
            [
                (Str { closed: true }, r"'a\'b'"),
                (Str { closed: true }, r#""c""#),
                (Str { closed: true }, "@'d''e'"),
                (Str { closed: true }, r#"h"x""#),
                (Str { closed: true }, "```m|l```"),
            ]
        );
        assert_eq!(kinds_and_texts("'open"), [(Str { closed: false }, "'open")]);
        assert_eq!(kinds_and_texts("```a\nb"), [(Str { closed: false }, "```a\nb")]);
        // A single-line string ends at the line break, unterminated.
        assert_eq!(kinds_and_texts("'a\nb"), [(Str { closed: false }, "'a"), (Word, "b")]);
    }

    #[test]
    fn words_numbers_and_operators() {
        use TokenKind::*;
        assert_eq!(
            kinds_and_texts("x>=1.5e+3 and y in (1..2) | project-away h1"),
            [
                (Word, "x"),
                (Punct, ">="),
                (Number, "1.5e+3"),
                (Word, "and"),
                (Word, "y"),
                (Word, "in"),
                (Punct, "("),
                (Number, "1"),
                (Punct, ".."),
                (Number, "2"),
                (Punct, ")"),
                (Punct, "|"),
                (Word, "project"),
                (Punct, "-"),
                (Word, "away"),
                (Word, "h1"),
            ]
        );
        assert_eq!(kinds_and_texts("ago(10m)")[2], (Number, "10m"));
    }

    #[test]
    fn comments_and_non_ascii() {
        use TokenKind::*;
        assert_eq!(
            kinds_and_texts("strcat('🌐 ', a) // 'unterminated\n|\u{200b}x"),
            [
                (Word, "strcat"),
                (Punct, "("),
                (Str { closed: true }, "'🌐 '"),
                (Punct, ","),
                (Word, "a"),
                (Punct, ")"),
                (Comment, "// 'unterminated"),
                (Punct, "|"),
                (Word, "x"),
            ]
        );
        assert_eq!(kinds_and_texts("é"), [(Punct, "é")]);
    }

    #[test]
    fn tokens_cover_all_non_whitespace() {
        for src in ["a|b;c", "  ' x ", "1..", "@", "h", "h@", "```", "((", "$left.Ip"] {
            let covered: usize = tokenize(src).iter().map(|t| t.span.len()).sum();
            let non_ws: usize = src.split_whitespace().map(str::len).sum();
            assert!(covered >= non_ws, "{src:?}");
        }
    }
}
