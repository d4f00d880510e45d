//! `check` never panics: mutated article queries (every truncation, every
//! single-character deletion, splices) give diagnostics, not crashes, and
//! nesting just under the depth limit still binds.

use crate::common::repo;
use ntaq::session::Session;

fn scenarios() -> Vec<String> {
    let root = repo();
    (1..=4).map(|n| std::fs::read_to_string(root.join(format!("queries/scenario{n}.kql"))).unwrap()).collect()
}

fn char_boundaries(s: &str) -> impl Iterator<Item = usize> + '_ {
    s.char_indices().map(|(k, _)| k).chain(std::iter::once(s.len()))
}

#[test]
fn every_truncation_checks_without_panicking() {
    let session = Session::builtin();
    for text in scenarios() {
        for k in char_boundaries(&text) {
            let _ = session.check(&text[..k]);
        }
    }
}

#[test]
fn every_single_deletion_checks_without_panicking() {
    let session = Session::builtin();
    for text in scenarios() {
        let cuts: Vec<usize> = char_boundaries(&text).collect();
        for w in cuts.windows(2) {
            let mutated = format!("{}{}", &text[..w[0]], &text[w[1]..]);
            let checked = session.check(&mutated);
            // Diagnostics always point inside the text (or at its end).
            for d in &checked.diagnostics {
                if let Some((offset, len)) = d.primary_span() {
                    assert!(offset + len <= mutated.len(), "{d:?} outside {} bytes", mutated.len());
                }
            }
        }
    }
}

#[test]
fn splices_check_without_panicking() {
    let session = Session::builtin();
    let all = scenarios();
    for a in &all {
        for b in &all {
            for k in char_boundaries(a).step_by(97) {
                for j in char_boundaries(b).step_by(89) {
                    let _ = session.check(&format!("{}{}", &a[..k], &b[j..]));
                }
            }
        }
    }
}

#[test]
fn nesting_below_the_limit_binds() {
    // Each parenthesis is two levels (an expression inside a query).
    let depth = kql_syntax::MAX_DEPTH / 2 - 2;
    let query = format!("print x = {}1{} + 1", "(".repeat(depth), ")".repeat(depth));
    let checked = Session::builtin().check(&query);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    // A call is three (the call, its argument's query and expression).
    let depth = kql_syntax::MAX_DEPTH / 3 - 2;
    let query = format!("print x = {}{}", "abs(".repeat(depth), ")".repeat(depth));
    let checked = Session::builtin().check(&query.replace("abs()", "abs(1)"));
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
}
