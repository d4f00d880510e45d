//! Syntax colours for the line editor: operator names and keywords, string
//! literals, numbers and comments, from the same tokens the query splitter
//! reads (`kql_syntax::tokens`), so an unfinished string or comment is
//! coloured as far as it goes.

use kql_syntax::keywords::{SUPPORTED_OPERATORS, UNSUPPORTED_OPERATORS};
use kql_syntax::tokens::{TokenKind, tokenize};

const KEYWORD: &str = "\x1b[1;34m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[36m";
const COMMENT: &str = "\x1b[90m";
const RESET: &str = "\x1b[0m";

/// Words that are keywords wherever they stand (besides operator names).
const WORDS: &[&str] = &[
    "let",
    "declare",
    "query_parameters",
    "set",
    "and",
    "or",
    "by",
    "on",
    "kind",
    "with",
    "in",
    "between",
    "has",
    "contains",
    "startswith",
    "endswith",
    "hasprefix",
    "hassuffix",
    "matches",
    "regex",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "true",
    "false",
    "typeof",
    "to",
    "step",
    "from",
    "of",
];

/// `line` with ANSI colours around its tokens.
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let mut at = 0;
    let tokens = tokenize(line);
    let mut k = 0;
    while k < tokens.len() {
        let t = tokens[k];
        out.push_str(&line[at..t.span.start]);
        let mut end = t.span.end;
        let colour = match t.kind {
            TokenKind::Str { .. } => Some(STRING),
            TokenKind::Number => Some(NUMBER),
            TokenKind::Comment => Some(COMMENT),
            TokenKind::Punct => None,
            TokenKind::Word => {
                // Hyphenated operators (`mv-expand`, `project-away`) are one keyword.
                let rest = &line[t.span.start..];
                let hyphenated =
                    SUPPORTED_OPERATORS.iter().chain(UNSUPPORTED_OPERATORS).filter(|o| o.contains('-')).find(|o| {
                        rest.starts_with(**o) && !rest[o.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    });
                if let Some(op) = hyphenated {
                    end = t.span.start + op.len();
                    while k + 1 < tokens.len() && tokens[k + 1].span.start < end {
                        k += 1;
                    }
                    Some(KEYWORD)
                } else {
                    let w = t.text(line);
                    let keyword = WORDS.contains(&w) || SUPPORTED_OPERATORS.contains(&w);
                    keyword.then_some(KEYWORD)
                }
            }
        };
        match colour {
            Some(c) => {
                out.push_str(c);
                out.push_str(&line[t.span.start..end]);
                out.push_str(RESET);
            }
            None => out.push_str(&line[t.span.start..end]),
        }
        at = end;
        k += 1;
    }
    out.push_str(&line[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text with its colour codes replaced by tags.
    fn tagged(line: &str) -> String {
        highlight(line)
            .replace(KEYWORD, "<k>")
            .replace(STRING, "<s>")
            .replace(NUMBER, "<n>")
            .replace(COMMENT, "<c>")
            .replace(RESET, "</>")
    }

    #[test]
    fn keywords_strings_numbers_and_comments_are_coloured() {
        assert_eq!(
            tagged("T | where a == 'x' and n > 10 // why"),
            "T | <k>where</> a == <s>'x'</> <k>and</> n > <n>10</> <c>// why</>"
        );
        assert_eq!(tagged("T | mv-expand x"), "T | <k>mv-expand</> x");
        assert_eq!(tagged("let v = 1h;"), "<k>let</> v = <n>1h</>;");
        // Names that merely contain a keyword are not keywords.
        assert_eq!(tagged("T | project wherever, by_x"), "T | <k>project</> wherever, by_x");
        // An unfinished string is coloured to the end.
        assert_eq!(tagged("T | where s == \"ab"), "T | <k>where</> s == <s>\"ab</>");
    }

    #[test]
    fn the_text_is_unchanged_apart_from_colours() {
        for line in ["", "   ", "NTAIpDetails | take 3", "print x = 'a\"b' // c", "T|where(x>1)"] {
            let plain = highlight(line)
                .replace(KEYWORD, "")
                .replace(STRING, "")
                .replace(NUMBER, "")
                .replace(COMMENT, "")
                .replace(RESET, "");
            assert_eq!(plain, line);
        }
    }
}
