//! Regular expressions: extract, trim/trim_start/trim_end, and the compiled
//! pattern cache shared with countof(kind="regex").
//!
//! Kusto's regular expressions use RE2 syntax, which the `regex` crate
//! follows (no look-around, no back-references).

use super::{Args, Strs};
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::builder::StringBuilder;
use kql_syntax::Span;
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Compiled patterns by source text, so a pattern is compiled once per
/// query rather than once per batch. Bounded: cleared when full.
fn cache() -> &'static Mutex<HashMap<String, Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Regex>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

const CACHE_LIMIT: usize = 256;

/// Compiles `pattern`; an invalid pattern is a run-time error at `span`.
pub fn compile(pattern: &str, span: Span) -> Result<Regex> {
    // A poisoned lock only means another thread panicked mid-insert; the
    // map itself is still a valid cache.
    if let Some(re) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return Ok(re.clone());
    }
    let re = Regex::new(pattern).map_err(|e| ExecError::Runtime {
        message: format!("invalid regular expression {pattern:?}: {e}"),
        span,
        help: Some("Kusto regular expressions use RE2 syntax".into()),
    })?;
    let mut map = cache().lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= CACHE_LIMIT {
        map.clear();
    }
    map.insert(pattern.to_string(), re.clone());
    Ok(re)
}

/// `extract(regex, captureGroup, source)`: the text of the capture group in
/// the first match (0 is the whole match). No match, a group that did not
/// take part, a group the pattern does not have, or a null group number
/// give "" (Kusto's null string).
pub fn extract(a: &Args) -> Result<Col> {
    let Some(pattern) = a.constant_str(0)? else { return Ok(a.finish(empty_strings())) };
    let re = compile(&pattern, a.arg_span(0))?;
    let group = a.longs(1)?;
    let source = a.strs(2)?;
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    for i in 0..n {
        let picked = group.get(i).and_then(|g| usize::try_from(g).ok()).and_then(|g| {
            let s = source.get(i);
            if g == 0 {
                re.find(s).map(|m| m.as_str())
            } else if g < re.captures_len() {
                re.captures(s).and_then(|c| c.get(g)).map(|m| m.as_str())
            } else {
                None
            }
        });
        b.append_value(picked.unwrap_or(""));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

fn empty_strings() -> arrow_array::ArrayRef {
    Arc::new(arrow_array::StringArray::from(Vec::<String>::new()))
}

/// `trim(regex, source)`, `trim_start`, `trim_end`: remove the run of
/// matches of the regex at the start and/or the end of the source.
pub fn trim(a: &Args, start: bool, end: bool) -> Result<Col> {
    let Some(pattern) = a.constant_str(0)? else { return Ok(a.finish(empty_strings())) };
    // Check the pattern on its own first so errors quote what the user wrote.
    // (A pattern in verbose mode, `(?x)`, ending in a `#` comment would
    // swallow the wrapper's closing `)+`; such a pattern is then reported
    // as invalid.)
    compile(&pattern, a.arg_span(0))?;
    let leading = if start { Some(compile(&format!(r"\A(?:{pattern})+"), a.arg_span(0))?) } else { None };
    let trailing = if end { Some(compile(&format!(r"(?:{pattern})+\z"), a.arg_span(0))?) } else { None };
    let source = a.strs(1)?;
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    for i in 0..n {
        b.append_value(trim_one(source.get(i), leading.as_ref(), trailing.as_ref()));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

fn trim_one<'s>(s: &'s str, leading: Option<&Regex>, trailing: Option<&Regex>) -> &'s str {
    let mut s = s;
    if let Some(m) = leading.and_then(|re| re.find(s)) {
        s = s.get(m.end()..).unwrap_or("");
    }
    // The leftmost match that reaches the end removes the longest suffix.
    if let Some(m) = trailing.and_then(|re| re.find(s)) {
        s = s.get(..m.start()).unwrap_or("");
    }
    s
}

/// `replace_regex(text, regex, rewrite)`: every non-overlapping match
/// replaced by the rewrite, where `\0` is the whole match and `\1`, `\2`, …
/// the capture groups (replace-regex page).
pub fn replace_regex(a: &Args) -> Result<Col> {
    let source = a.strs(0)?;
    let n = a.rows();
    let (Some(pattern), Some(rewrite)) = (a.constant_str(1)?, a.constant_str(2)?) else {
        return Ok(a.finish(empty_strings()));
    };
    let re = compile(&pattern, a.arg_span(1))?;
    let template = rewrite_template(&rewrite);
    let mut b = StringBuilder::with_capacity(n, 0);
    for i in 0..n {
        b.append_value(re.replace_all(source.get(i), template.as_str()));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// Kusto's rewrite (`\1`) as a `regex` replacement (`${1}`), `$` escaped.
fn rewrite_template(rewrite: &str) -> String {
    let mut out = String::with_capacity(rewrite.len() + 8);
    let mut chars = rewrite.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' if chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                out.push_str(&format!("${{{digits}}}"));
            }
            c => out.push(c),
        }
    }
    out
}

/// `extract_all(regex, [captureGroups,] source)`: every match's capture
/// groups (all of them, or those listed by number or name) as a dynamic
/// array: one value per match with one group, an array per match with
/// several; null when nothing matches (extract-all page). A pattern with
/// no group gives the whole matches.
pub fn extract_all(a: &Args) -> Result<Col> {
    let Some(pattern) = a.constant_str(0)? else { return Ok(a.finish(empty_strings())) };
    let re = compile(&pattern, a.arg_span(0))?;
    let source_at = if a.cols.len() > 2 { 2 } else { 1 };
    let groups: Vec<usize> = if a.cols.len() > 2 {
        let text = a.constant_str(1)?.unwrap_or_default();
        let list: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        let items = list.as_array().cloned().unwrap_or_default();
        let mut groups = Vec::new();
        for item in items {
            let g = match &item {
                serde_json::Value::Number(n) => n.as_u64().and_then(|g| usize::try_from(g).ok()),
                serde_json::Value::String(name) => re.capture_names().position(|n| n == Some(name.as_str())),
                _ => None,
            };
            match g.filter(|&g| g >= 1 && g < re.captures_len()) {
                Some(g) => groups.push(g),
                None => {
                    return Err(ExecError::Runtime {
                        message: format!("extract_all(): {item} is not a capture group of {pattern:?}"),
                        span: a.arg_span(1),
                        help: Some("capture groups are numbered from 1, or named with (?P<name>…)".into()),
                    });
                }
            }
        }
        groups
    } else if re.captures_len() > 1 {
        (1..re.captures_len()).collect()
    } else {
        vec![0]
    };
    let source = a.strs(source_at)?;
    let out: arrow_array::StringArray = (0..a.rows())
        .map(|i| {
            let matches: Vec<serde_json::Value> = re
                .captures_iter(source.get(i))
                .map(|c| {
                    let text = |g: usize| serde_json::Value::String(c.get(g).map_or("", |m| m.as_str()).to_string());
                    if groups.len() == 1 {
                        text(groups[0])
                    } else {
                        serde_json::Value::Array(groups.iter().map(|&g| text(g)).collect())
                    }
                })
                .collect();
            (!matches.is_empty()).then(|| serde_json::Value::Array(matches).to_string())
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// Patterns for a column of regexes: one compiled pattern for a constant,
/// else each row's pattern through the cache.
pub enum Patterns {
    One(Regex),
    Many(Strs),
}

impl Patterns {
    pub fn new(text: Strs, span: Span) -> Result<Self> {
        Ok(match text {
            Strs::One(s) => Patterns::One(compile(&s, span)?),
            many => Patterns::Many(many),
        })
    }

    pub fn get(&self, i: usize, span: Span) -> Result<std::borrow::Cow<'_, Regex>> {
        Ok(match self {
            Patterns::One(re) => std::borrow::Cow::Borrowed(re),
            Patterns::Many(s) => std::borrow::Cow::Owned(compile(s.get(i), span)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_runs_of_matches() {
        let lead = compile(r"\A(?:-)+", Span::default()).unwrap();
        let trail = compile(r"(?:-)+\z", Span::default()).unwrap();
        assert_eq!(trim_one("--a-b--", Some(&lead), Some(&trail)), "a-b");
        assert_eq!(trim_one("----", Some(&lead), Some(&trail)), "");
        assert_eq!(trim_one("", Some(&lead), Some(&trail)), "");
        let empty = compile(r"\A(?:)+", Span::default()).unwrap();
        assert_eq!(trim_one("abc", Some(&empty), None), "abc");
    }

    #[test]
    fn rewrites_become_templates() {
        assert_eq!(rewrite_template(r"was: \1"), "was: ${1}");
        assert_eq!(rewrite_template(r"\0$\12x\"), "${0}$$${12}x\\");
    }

    #[test]
    fn invalid_patterns_are_runtime_errors() {
        let e = compile("(", Span::default()).unwrap_err();
        assert!(matches!(e, ExecError::Runtime { .. }), "{e:?}");
    }
}
