//! Where a query ends: the one rule that `ntaq run`, `ntaq check`, `.run`,
//! piped input and the shell's line editor share.
//!
//! A text is cut into *blocks* at blank lines (lines of only white space).
//! A block then joins the next one — the query goes on across the blank
//! line — when
//!
//! - it is [`State::Open`]: a bracket or string is still open, or its last
//!   token must be followed by more (`|`, `,`, `=`, `and`, `by`, …);
//! - it holds only comments ([`State::Empty`]): a heading belongs to the
//!   query below it (a comment block at the very end joins the query above);
//! - the next block starts with `|` (comments aside): it continues this
//!   query's pipeline;
//! - and, for files ([`Mode::Script`]), when it is [`State::Pending`]: its
//!   last statement is a `let`, `declare` or `set`, or it ends in `;`, so
//!   the query that uses those statements is still to come.
//!
//! The shell ([`Mode::Shell`]) runs a pending block on its own instead: a
//! block of `let`s entered alone is remembered for the queries after it,
//! the same outcome as joining them.
//!
//! Otherwise the blank line ends a query, and the next block starts a new
//! one. `;` keeps separating statements of one script as in Kusto.

use kql_syntax::tokens::{Token, TokenKind, tokenize};
use std::ops::Range;

/// Words after which an expression must go on: binary and string
/// operators, and clause keywords that need something after them.
const CONTINUATION_WORDS: &[&str] = &[
    "and",
    "or",
    "by",
    "on",
    "in",
    "between",
    "contains",
    "contains_cs",
    "has",
    "has_cs",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "startswith",
    "startswith_cs",
    "endswith",
    "endswith_cs",
    "matches",
    "regex",
    "like",
    "with",
];

/// Symbols after which an expression must go on.
const CONTINUATION_PUNCT: &[&str] =
    &["|", ",", "=", "==", "!=", "<>", "<", ">", "<=", ">=", "=~", "!~", "+", "-", "*", "/", "%", "..", "!", ".", "~"];

/// How far a query text has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Nothing but white space and comments.
    Empty,
    /// Cannot be whole: an open bracket or string, or a last token that
    /// needs more after it (`|`, `,`, an operator, `and`, `by`, …).
    Open,
    /// Balanced, but waiting for a query: the last statement is a `let`,
    /// `declare` or `set`, or the text ends in `;`.
    Pending,
    /// Ends in a query statement.
    Complete,
}

/// The state of a query text (see [`State`]).
pub fn state(text: &str) -> State {
    let tokens: Vec<Token> = tokenize(text).into_iter().filter(|t| t.kind != TokenKind::Comment).collect();
    let Some(last) = tokens.last() else {
        return State::Empty;
    };
    let mut depth: i64 = 0;
    // The last statement: the tokens after the last `;` outside brackets.
    let mut start = 0;
    for (k, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::Str { closed: false } => return State::Open,
            TokenKind::Punct => match t.text(text) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth -= 1,
                ";" if depth <= 0 => start = k + 1,
                _ => {}
            },
            _ => {}
        }
    }
    if depth > 0 {
        return State::Open;
    }
    let last_text = last.text(text);
    match last.kind {
        TokenKind::Punct if CONTINUATION_PUNCT.contains(&last_text) => return State::Open,
        TokenKind::Word if CONTINUATION_WORDS.iter().any(|w| w.eq_ignore_ascii_case(last_text)) => {
            return State::Open;
        }
        _ => {}
    }
    if operator_without_arguments(text, &tokens) {
        return State::Open;
    }
    match tokens.get(start) {
        None => State::Pending, // ends in `;`
        Some(first) if matches!(first.text(text), "let" | "declare" | "set") => State::Pending,
        Some(_) => State::Complete,
    }
}

/// Operators that are whole without arguments.
const STANDALONE_OPERATORS: &[&str] = &["count", "getschema", "consume"];

/// Whether the text ends in an operator name right after its `|`
/// (`| where`, `| project-away`), which needs what follows it.
fn operator_without_arguments(text: &str, tokens: &[Token]) -> bool {
    let n = tokens.len();
    let word = |k: usize| tokens[k].kind == TokenKind::Word;
    let is = |k: usize, s: &str| tokens[k].text(text) == s;
    if n >= 2 && word(n - 1) && is(n - 2, "|") {
        return !STANDALONE_OPERATORS.iter().any(|o| o.eq_ignore_ascii_case(tokens[n - 1].text(text)));
    }
    // Hyphenated: `| project-away`, `| mv-expand`.
    n >= 4 && word(n - 1) && is(n - 2, "-") && word(n - 3) && is(n - 4, "|")
}

/// Whether the last statement of a complete query has no top-level `|`
/// and is not a `print`: a source alone (`NTANetAnalytics`, `union A, B`,
/// `range …`), whose operators are usually typed on the lines below.
pub fn is_bare_source(text: &str) -> bool {
    let tokens: Vec<Token> = tokenize(text).into_iter().filter(|t| t.kind != TokenKind::Comment).collect();
    let mut depth = 0i64;
    let mut start = 0;
    let mut piped = false;
    for (k, t) in tokens.iter().enumerate() {
        if t.kind != TokenKind::Punct {
            continue;
        }
        match t.text(text) {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth -= 1,
            ";" if depth <= 0 => {
                start = k + 1;
                piped = false;
            }
            "|" if depth <= 0 => piped = true,
            _ => {}
        }
    }
    match tokens.get(start) {
        Some(first) => !piped && !first.text(text).eq_ignore_ascii_case("print"),
        None => false,
    }
}

/// Whether the first token of `text`, comments aside, is `|`.
pub fn starts_with_pipe(text: &str) -> bool {
    tokenize(text).into_iter().find(|t| t.kind != TokenKind::Comment).is_some_and(|t| t.text(text) == "|")
}

/// How pending blocks (`let`s waiting for their query) are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Files: a pending block joins the next one.
    Script,
    /// The shell: a pending block is an entry of its own (its `let`s are
    /// remembered).
    Shell,
}

/// The blocks of `text` between blank lines: byte ranges from the start of
/// a block's first line to the end of its last line (before its line break).
fn raw_blocks(text: &str) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut current: Option<Range<usize>> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            if let Some(b) = current.take() {
                blocks.push(b);
            }
            continue;
        }
        let end = start + content.len();
        current = Some(match current {
            Some(b) => b.start..end,
            None => start..end,
        });
    }
    blocks.extend(current);
    blocks
}

/// The queries of `text`, as byte ranges, in order (see the module
/// documentation for the rule). A text with nothing but blank lines and
/// comments gives one range (or none if it is all white space), so that
/// running it reports that there is nothing to run.
pub fn queries(text: &str, mode: Mode) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut current: Option<Range<usize>> = None;
    for block in raw_blocks(text) {
        current = Some(match current {
            None => block,
            Some(cur) => {
                let joins = match state(&text[cur.clone()]) {
                    State::Open | State::Empty => true,
                    State::Pending => mode == Mode::Script,
                    State::Complete => false,
                } || starts_with_pipe(&text[block.clone()]);
                if joins {
                    cur.start..block.end
                } else {
                    out.push(cur);
                    block
                }
            }
        });
    }
    if let Some(cur) = current {
        // Comments after the last query belong to it.
        match out.last_mut() {
            Some(last) if state(&text[cur.clone()]) == State::Empty => last.end = cur.end,
            _ => out.push(cur),
        }
    }
    out
}

/// `text` with everything outside `range` blanked out — line breaks kept,
/// every other byte a space — so that a query checked or run on its own
/// reports positions (byte offsets, lines, columns) in the whole text.
pub fn mask(text: &str, range: Range<usize>) -> String {
    let blank = |s: &str| -> String { s.bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }).collect() };
    let mut out = blank(&text[..range.start]);
    out.push_str(&text[range.clone()]);
    out.push_str(&blank(&text[range.end..]));
    out
}

/// The 1-based line on which byte `offset` of `text` lies.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, mode: Mode) -> Vec<&str> {
        queries(text, mode).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn states() {
        for q in [
            "NTAIpDetails | take 3",
            "NTAIpDetails\n| where Port > 1 // a comment | ",
            "let x = 1; print x",
            "print f(a, (b))",
            "print 'a|b'",
            "print x = 1 - -1",
            "NTAIpDetails | where Ip == 'x' and Port > 1)",
            "NTAIpDetails | count",
            "NTAIpDetails | where Port > 1 | project-away Ip",
        ] {
            assert_eq!(state(q), State::Complete, "{q:?}");
        }
        for q in [
            "NTAIpDetails |",
            "NTAIpDetails | where Port >",
            "NTAIpDetails | where a == 1 and",
            "NTAIpDetails | summarize count() by",
            "NTAIpDetails | project a,",
            "NTAIpDetails | where (Port == 1",
            "print 'open",
            "print ```multi\nline",
            "NTAIpDetails | join kind=inner (NTANetAnalytics | where x",
            "NTAIpDetails | where Url !contains",
            "NTAIpDetails | where Ip in~",
            "NTAIpDetails\n| where",
            "NTAIpDetails | project-away",
            "NTAIpDetails | mv-expand // comment",
        ] {
            assert_eq!(state(q), State::Open, "{q:?}");
        }
        for q in [
            "let x = NTAIpDetails",
            "let x = NTAIpDetails;",
            "let x = 1;\nlet y = 2",
            "print 1;",
            "declare query_parameters(a:long);",
        ] {
            assert_eq!(state(q), State::Pending, "{q:?}");
        }
        for q in ["", "  \n", "// only a comment\n// and another"] {
            assert_eq!(state(q), State::Empty, "{q:?}");
        }
    }

    #[test]
    fn bare_sources_wait_for_their_operators() {
        for q in ["NTANetAnalytics", "NTANetAnalytics // flows", "union NTAIpDetails, NTANetAnalytics", "let x = 1; T"]
        {
            assert!(is_bare_source(q), "{q:?}");
        }
        for q in [
            "NTAIpDetails | take 3",
            "print 1",
            "PRINT 1",
            "let T = A | take 1; T | count",
            "union (A | take 1) | count",
        ] {
            assert!(!is_bare_source(q), "{q:?}");
        }
    }

    #[test]
    fn blank_lines_separate_complete_queries() {
        let text = "NTAIpDetails | take 1\n\nNTAIpDetails\n| count\n\n\nprint 1\n";
        assert_eq!(texts(text, Mode::Script), ["NTAIpDetails | take 1", "NTAIpDetails\n| count", "print 1"]);
        assert_eq!(texts(text, Mode::Shell), texts(text, Mode::Script));
    }

    #[test]
    fn a_query_goes_on_across_blank_lines_while_it_cannot_end() {
        // Inside a let block, an open bracket, after a trailing operator.
        let text = "let x = NTAIpDetails\n\n| where Port > 1;\n\nx | count\n\nprint f(1,\n\n2)\n\nprint 1 +\n\n   2";
        assert_eq!(
            texts(text, Mode::Script),
            ["let x = NTAIpDetails\n\n| where Port > 1;\n\nx | count", "print f(1,\n\n2)", "print 1 +\n\n   2"]
        );
        // The shell runs the finished `let` on its own (and remembers it).
        assert_eq!(
            texts(text, Mode::Shell),
            ["let x = NTAIpDetails\n\n| where Port > 1;", "x | count", "print f(1,\n\n2)", "print 1 +\n\n   2"]
        );
    }

    #[test]
    fn let_statements_and_declarations_join_their_query_in_files() {
        let text = "declare query_parameters(n:long = 1);\n\nlet a = 1;\n\nlet b = 2;\n\nprint a + b + n\n\nprint 2";
        assert_eq!(
            texts(text, Mode::Script),
            ["declare query_parameters(n:long = 1);\n\nlet a = 1;\n\nlet b = 2;\n\nprint a + b + n", "print 2"]
        );
        // `;`-separated statements stay one script with several results.
        assert_eq!(texts("print 1;\n\nprint 2", Mode::Script), ["print 1;\n\nprint 2"]);
        assert_eq!(texts("print 1; print 2\n\nprint 3", Mode::Script), ["print 1; print 2", "print 3"]);
    }

    #[test]
    fn comments_go_with_the_query_below_and_a_pipe_continues() {
        let text = "// first\n\nprint 1\n\n// second\n// query\n\n\nprint 2\n\n// the end\n";
        assert_eq!(
            texts(text, Mode::Script),
            ["// first\n\nprint 1", "// second\n// query\n\n\nprint 2\n\n// the end"]
        );
        assert_eq!(texts("NTAIpDetails\n\n// why\n| take 1", Mode::Script), ["NTAIpDetails\n\n// why\n| take 1"]);
        assert_eq!(texts("// nothing\n\n// here\n", Mode::Script), ["// nothing\n\n// here"]);
        assert!(texts(" \n\n\t\n", Mode::Script).is_empty());
        assert!(texts("", Mode::Script).is_empty());
    }

    #[test]
    fn crlf_and_trailing_blank_lines() {
        let text = "print 1\r\n\r\nprint 2\r\n| take 1\r\n  \r\n\r\n";
        assert_eq!(texts(text, Mode::Script), ["print 1", "print 2\r\n| take 1"]);
        // A blank line inside a string literal does not cut it.
        assert_eq!(texts("print ```a\r\n\r\nb```\r\n", Mode::Script), ["print ```a\r\n\r\nb```"]);
    }

    #[test]
    fn masks_keep_every_offset() {
        let text = "print 'é'\n\nprint 2\r\n";
        let r = queries(text, Mode::Script);
        let masked = mask(text, r[1].clone());
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "          \n\nprint 2 \n");
        assert_eq!(line_of(text, r[1].start), 3);
        assert_eq!(line_of(text, 0), 1);
    }

    #[test]
    fn every_article_query_is_one_query_and_complete_only_at_its_end() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries");
        let mut all = String::new();
        for n in 1..=4 {
            let text = std::fs::read_to_string(dir.join(format!("scenario{n}.kql"))).unwrap();
            assert_eq!(state(&text), State::Complete, "scenario {n}");
            let cut = text.rfind("\n|").unwrap() + 2;
            assert_eq!(state(&text[..cut]), State::Open, "scenario {n} cut after its last pipe");
            assert_eq!(queries(&text, Mode::Script).len(), 1, "scenario {n}");
            all.push_str(&text);
            all.push_str("\n\n");
        }
        let got = texts(&all, Mode::Script);
        assert_eq!(got.len(), 4);
        assert!(got[3].starts_with("NTANetAnalytics"), "{}", got[3]);
    }
}
