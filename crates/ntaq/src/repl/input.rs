//! When an entry is ready to run: the completeness rule for typed input and
//! the blank-line blocks of piped input.

use kql_syntax::tokens::{Token, TokenKind, tokenize};

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
const CONTINUATION_PUNCT: &[&str] = &[
    "|", ",", ";", "=", "==", "!=", "<>", "<", ">", "<=", ">=", "=~", "!~", "+", "-", "*", "/", "%", "..", "!", ".",
    "~",
];

/// Whether typed text is a whole entry, ready to run.
///
/// A meta-command (`.help`) is one line, except `.explain`, whose query
/// follows the query rule. A query is complete when its brackets and quotes
/// are balanced, it does not end in `|`, `,`, `;` or an operator, and its
/// last statement is a query rather than a `let` (a `let` waits for the
/// query that uses it; an empty line submits `let`s on their own).
pub fn is_complete(text: &str) -> bool {
    let trimmed = text.trim_start();
    if let Some(meta) = trimmed.strip_prefix('.') {
        return match meta.strip_prefix("explain") {
            Some(query) if !query.starts_with(|c: char| c.is_ascii_alphanumeric()) => {
                query.trim().is_empty() || is_complete(query)
            }
            _ => true,
        };
    }
    let tokens: Vec<Token> = tokenize(text).into_iter().filter(|t| t.kind != TokenKind::Comment).collect();
    let Some(last) = tokens.last() else {
        return true; // nothing to run: the prompt just comes back
    };
    let mut depth: i64 = 0;
    for t in &tokens {
        match t.kind {
            TokenKind::Str { closed: false } => return false,
            TokenKind::Punct => match t.text(text) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth -= 1,
                _ => {}
            },
            _ => {}
        }
    }
    if depth > 0 {
        return false;
    }
    let last_text = last.text(text);
    match last.kind {
        TokenKind::Punct if CONTINUATION_PUNCT.contains(&last_text) => return false,
        TokenKind::Word if CONTINUATION_WORDS.iter().any(|w| w.eq_ignore_ascii_case(last_text)) => return false,
        _ => {}
    }
    // The last statement: the tokens after the last `;` outside brackets.
    let mut depth = 0i64;
    let mut start = 0;
    for (k, t) in tokens.iter().enumerate() {
        if t.kind == TokenKind::Punct {
            match t.text(text) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth -= 1,
                ";" if depth == 0 => start = k + 1,
                _ => {}
            }
        }
    }
    let first = tokens[start].text(text);
    !(first == "let" || first == "declare" || first == "set")
}

/// Whether the last line of typed text is empty: pressing Enter there
/// submits whatever was entered, complete or not.
pub fn ends_with_empty_line(text: &str) -> bool {
    text.trim().is_empty() || text.rsplit('\n').next().is_some_and(|l| l.trim().is_empty())
}

/// One entry of piped input: a meta-command line or a block of query text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub text: String,
    /// 1-based line number of the entry's first line in the input.
    pub line: usize,
}

/// Splits piped input into entries: a line starting with `.` is a
/// meta-command of its own (it also ends a query block: no KQL line starts
/// with `.`), except `.explain`, which starts a block like a query; other
/// text runs up to the next blank line or meta-command, so a query may span
/// many lines.
pub fn blocks(input: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut block = String::new();
    let mut block_line = 0;
    let flush = |block: &mut String, line: usize, entries: &mut Vec<Entry>| {
        if !block.trim().is_empty() {
            entries.push(Entry { text: std::mem::take(block), line });
        }
        block.clear();
    };
    for (k, line) in input.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            flush(&mut block, block_line, &mut entries);
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('.') {
            flush(&mut block, block_line, &mut entries);
            if !is_explain(trimmed) {
                entries.push(Entry { text: trimmed.to_string(), line: k + 1 });
                continue;
            }
        }
        if block.is_empty() {
            block_line = k + 1;
        }
        block.push_str(line);
        block.push('\n');
    }
    flush(&mut block, block_line, &mut entries);
    entries
}

fn is_explain(line: &str) -> bool {
    line.strip_prefix(".explain").is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_queries() {
        for q in [
            "NTAIpDetails | take 3",
            "NTAIpDetails\n| where Port > 1 // a comment | ",
            "let x = 1; print x",
            "print f(a, (b))",
            "print 'a|b'",
            "print x = 1 - -1",
            "",
            "   ",
            "NTAIpDetails | where Ip == 'x' and Port > 1)",
        ] {
            assert!(is_complete(q), "{q:?} should be complete");
        }
    }

    #[test]
    fn incomplete_queries() {
        for q in [
            "NTAIpDetails |",
            "NTAIpDetails | where Port >",
            "NTAIpDetails | where a == 1 and",
            "NTAIpDetails | summarize count() by",
            "NTAIpDetails | project a,",
            "NTAIpDetails | where (Port == 1",
            "print 'open",
            "print ```multi\nline",
            "let x = NTAIpDetails",
            "let x = NTAIpDetails;",
            "let x = 1;\nlet y = 2",
            "NTAIpDetails | join kind=inner (NTANetAnalytics | where x",
            "NTAIpDetails | where Url !contains",
            "NTAIpDetails | where Ip in~",
        ] {
            assert!(!is_complete(q), "{q:?} should wait for more");
        }
    }

    #[test]
    fn meta_commands_are_one_line_but_explain_takes_a_query() {
        assert!(is_complete(".tables"));
        assert!(is_complete(".schema NTAIpDetails"));
        assert!(is_complete(".explain NTAIpDetails | take 1"));
        assert!(!is_complete(".explain NTAIpDetails |"));
        assert!(!is_complete(".explain let x = NTAIpDetails;"));
        assert!(is_complete(".explainer")); // not .explain: an unknown command, reported when run
    }

    #[test]
    fn every_article_query_is_complete_only_at_its_end() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries");
        for n in 1..=4 {
            let text = std::fs::read_to_string(dir.join(format!("scenario{n}.kql"))).unwrap();
            assert!(is_complete(&text), "scenario {n}");
            // Cut after the pipe that starts the last operator line.
            let cut = text.rfind("\n|").unwrap() + 2;
            assert!(!is_complete(&text[..cut]), "scenario {n} cut after its last pipe");
        }
    }

    #[test]
    fn empty_last_line() {
        assert!(ends_with_empty_line("let x = 1;\n"));
        assert!(ends_with_empty_line("let x = 1;\n  "));
        assert!(!ends_with_empty_line("let x = 1;"));
    }

    #[test]
    fn piped_blocks() {
        let input =
            ".tables\nNTAIpDetails\n| take 1\n\n\n.format csv\nprint 1\n.schema x\n\n.explain print 1\n| take 1\n";
        let got: Vec<(usize, String)> = blocks(input).into_iter().map(|e| (e.line, e.text)).collect();
        assert_eq!(
            got,
            [
                (1, ".tables".to_string()),
                (2, "NTAIpDetails\n| take 1\n".to_string()),
                (6, ".format csv".to_string()),
                // A meta-command ends a block.
                (7, "print 1\n".to_string()),
                (8, ".schema x".to_string()),
                (10, ".explain print 1\n| take 1\n".to_string()),
            ]
        );
        assert!(blocks("\n \n").is_empty());
        assert_eq!(blocks("print 1\r\n\r\nprint 2")[1], Entry { text: "print 2\n".into(), line: 3 });
    }
}
