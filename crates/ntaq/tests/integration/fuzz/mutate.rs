//! The repository's queries as a corpus, and mutations of them: token
//! deletion, duplication, swaps and replacements, byte flips, truncation,
//! splices of two queries, inserted brackets and odd characters.

use crate::common::repo;
use kql_syntax::tokens::tokenize;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// The query texts of a `.kqlt` golden file: the lines between a `query` or
/// `error …` line and `----`.
fn kqlt_queries(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.starts_with("query") || line.starts_with("error ") => current = Some(String::new()),
            None => {}
            Some(q) if line.trim_end() == "----" => {
                out.push(std::mem::take(q));
                current = None;
            }
            Some(q) => {
                q.push_str(line);
                q.push('\n');
            }
        }
    }
    out
}

/// Every query of `queries/*.kql` and `testdata/queries/**/*.kqlt`, and the
/// KQL examples of docs/language.md.
pub fn corpus() -> Vec<String> {
    let root = repo();
    let mut out = Vec::new();
    let mut files = Vec::new();
    files_under(&root.join("queries"), "kql", &mut files);
    for f in &files {
        out.push(std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display())));
    }
    let mut goldens = Vec::new();
    files_under(&root.join("testdata/queries"), "kqlt", &mut goldens);
    for f in &goldens {
        out.extend(kqlt_queries(&std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()))));
    }
    let docs = std::fs::read_to_string(root.join("docs/language.md")).unwrap_or_default();
    let mut block: Option<String> = None;
    for line in docs.lines() {
        match &mut block {
            None if line.starts_with("```kql") => block = Some(String::new()),
            None => {}
            Some(b) if line.starts_with("```") => {
                out.push(std::mem::take(b));
                block = None;
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
        }
    }
    out
}

/// Characters worth inserting: brackets, quotes, separators, multi-byte
/// text, control characters.
const ODD: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "|",
    ";",
    ",",
    "\n",
    "é",
    "€",
    "😀",
    "\0",
    "`",
    "```",
    "@",
    "$",
    ".",
    "..",
    "//",
    "\\",
    "h\"",
    "=",
    "!",
    "~",
    "*",
    "-",
    "{timeInterval:startISO}",
    "$left.",
    "\u{FEFF}",
    "\r\n",
    "\t",
];

/// One mutation, its parameters read modulo the text's size.
#[derive(Clone, Debug)]
pub struct Mutation {
    pub kind: u8,
    pub a: u32,
    pub b: u32,
}

/// Byte offsets of the tokens of `text`.
fn token_spans(text: &str) -> Vec<(usize, usize)> {
    tokenize(text).iter().map(|t| (t.span.start, t.span.end)).collect()
}

/// The nearest char boundary at or below `k`.
fn floor_boundary(s: &str, k: usize) -> usize {
    let mut k = k.min(s.len());
    while !s.is_char_boundary(k) {
        k -= 1;
    }
    k
}

/// Applies `m` to `text`; `other` is a second query for splices.
pub fn apply(text: &str, m: &Mutation, other: &str) -> String {
    let tokens = token_spans(text);
    let (a, b) = (m.a as usize, m.b as usize);
    let tok = |i: usize| tokens[i % tokens.len()];
    match m.kind % 10 {
        // Token deletion.
        0 if !tokens.is_empty() => {
            let (s, e) = tok(a);
            format!("{}{}", &text[..s], &text[e..])
        }
        // Token duplication.
        1 if !tokens.is_empty() => {
            let (s, e) = tok(a);
            format!("{}{}{}", &text[..e], &text[s..e], &text[e..])
        }
        // Token swap.
        2 if tokens.len() >= 2 => {
            let (x, y) = (tok(a), tok(b));
            let (first, second) = if x.0 <= y.0 { (x, y) } else { (y, x) };
            if first.1 > second.0 {
                return text.to_string();
            }
            format!(
                "{}{}{}{}{}",
                &text[..first.0],
                &text[second.0..second.1],
                &text[first.1..second.0],
                &text[first.0..first.1],
                &text[second.1..]
            )
        }
        // A token replaced by a token of another query.
        3 if !tokens.is_empty() => {
            let others = token_spans(other);
            if others.is_empty() {
                return text.to_string();
            }
            let (s, e) = tok(a);
            let (os, oe) = others[b % others.len()];
            format!("{}{}{}", &text[..s], &other[os..oe], &text[e..])
        }
        // A bit flipped in one byte; invalid UTF-8 becomes U+FFFD, as a
        // lossy reader would make it.
        4 if !text.is_empty() => {
            let mut bytes = text.as_bytes().to_vec();
            let k = a % bytes.len();
            bytes[k] ^= 1 << (b % 8);
            String::from_utf8_lossy(&bytes).into_owned()
        }
        // Truncation.
        5 => text[..floor_boundary(text, a % (text.len() + 1))].to_string(),
        // Splice: the start of this query, the end of the other.
        6 => {
            let k = floor_boundary(text, a % (text.len() + 1));
            let j = floor_boundary(other, b % (other.len() + 1));
            format!("{}{}", &text[..k], &other[j..])
        }
        // An odd character or fragment inserted at a token boundary.
        7 => {
            let k = if tokens.is_empty() { 0 } else { tok(a).0 };
            format!("{}{}{}", &text[..k], ODD[b % ODD.len()], &text[k..])
        }
        // A token wrapped in brackets, several times.
        8 if !tokens.is_empty() => {
            let (s, e) = tok(a);
            let n = 1 + b % 8;
            format!("{}{}{}{}{}", &text[..s], "(".repeat(n), &text[s..e], ")".repeat(n), &text[e..])
        }
        // A span of text removed (a token range).
        9 if tokens.len() >= 2 => {
            let (x, y) = (tok(a), tok(b));
            let (s, e) = (x.0.min(y.0), x.1.max(y.1));
            format!("{}{}", &text[..s], &text[e..])
        }
        _ => text.to_string(),
    }
}
