//! The examples in docs/language.md are checked: a `kql` block must check
//! clean, a `kql error=CODE` block must produce CODE. (Its reference tables
//! of operators and functions are run by `reference.rs`.)

use crate::common::{command, output, repo};
use ntaq::session::Session;

fn language_md() -> String {
    let root = repo();
    std::fs::read_to_string(root.join("docs/language.md")).unwrap()
}

/// (info string, body) of each fenced block.
fn fenced_blocks(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = md.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else { continue };
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        out.push((info.trim().to_string(), body));
    }
    out
}

#[test]
fn language_examples_check_as_documented() {
    let session = Session::builtin();
    let blocks: Vec<(String, String)> =
        fenced_blocks(&language_md()).into_iter().filter(|(i, _)| i.starts_with("kql")).collect();
    assert!(blocks.len() >= 10, "expected the documented examples, found {}", blocks.len());
    for (info, body) in blocks {
        let checked = session.check(&body);
        let codes: Vec<String> = checked.diagnostics.iter().map(|d| d.code()).collect();
        match info.strip_prefix("kql error=") {
            Some(code) => assert!(codes.iter().any(|c| c == code), "{body}\nexpected {code}, got {codes:?}"),
            None => {
                let problems: Vec<_> =
                    checked.diagnostics.iter().filter(|d| d.is_error() || d.is_unsupported()).collect();
                assert!(problems.is_empty(), "{body}\n{problems:#?}");
            }
        }
    }
}

/// docs/usage.md's shell examples: each `ntaq-repl` block is piped into
/// `ntaq repl` on the bundled sample and must run without errors; the
/// lines of a `text` block right after it must all appear in what ntaq
/// printed.
#[test]
fn shell_examples_run_as_documented() {
    let root = repo();
    let md = std::fs::read_to_string(root.join("docs/usage.md")).unwrap();
    let blocks = fenced_blocks(&md);
    let mut ran = 0;
    for (k, (info, input)) in blocks.iter().enumerate() {
        if info != "ntaq-repl" {
            continue;
        }
        ran += 1;
        let o = output(command(&root).arg("repl"), input.as_bytes());
        let printed = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.status.code(), Some(0), "{input}\n{printed}");
        if let Some((next_info, expected)) = blocks.get(k + 1)
            && next_info == "text"
        {
            for line in expected.lines().map(str::trim).filter(|l| !l.is_empty()) {
                assert!(printed.contains(line), "{input}\nexpected `{line}` in:\n{printed}");
            }
        }
    }
    assert!(ran >= 3, "expected the shell examples, found {ran}");
}

/// The words of a documented command line: split at spaces, with `'…'`
/// quoting (enough for the commands the docs show).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// docs/zero-trust.md's walk through the article's method: each `console`
/// block is one `$ ntaq …` command and what it printed (standard output,
/// then standard error) on the bundled sample; it must print exactly that.
#[test]
fn zero_trust_walkthrough_runs_as_documented() {
    let root = repo();
    let md = std::fs::read_to_string(root.join("docs/zero-trust.md")).unwrap();
    let mut ran = 0;
    for (info, body) in fenced_blocks(&md) {
        if info != "console" {
            continue;
        }
        let (command, expected) = body.split_once('\n').unwrap();
        let args = words(command.strip_prefix("$ ntaq ").expect("a console block starts with `$ ntaq …`"));
        let o = crate::common::command(&root).args(&args).output().unwrap();
        let printed = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.status.code(), Some(0), "{command}\n{printed}");
        assert_eq!(printed, expected, "{command}");
        ran += 1;
    }
    assert!(ran >= 10, "expected the walkthrough's commands, found {ran}");
}
