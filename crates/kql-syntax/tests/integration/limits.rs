//! Resource limits and robustness: deep nesting ends in a clean
//! `kql::syntax::too_deep` error rather than a stack overflow, the deepest
//! accepted trees can be printed and dropped, and no input makes the parser
//! panic.
//!
//! Every parse runs on a thread with the default stack size (no
//! `stack_size` is set): a stack overflow would abort this test binary.

use crate::common;

use kql_syntax::{MAX_DEPTH, Parsed, SyntaxError, parse};
use miette::Diagnostic;

/// Runs `f` on a new thread with the default stack size.
fn on_default_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("the parser thread panicked")
}

fn code(e: &SyntaxError) -> String {
    e.code().map(|c| c.to_string()).unwrap_or_default()
}

/// Parses `src` on a default-size stack; also prints and drops the tree there.
fn parse_print_drop(src: String) -> (Vec<String>, usize) {
    on_default_stack(move || {
        let Parsed { script, errors } = parse(&src);
        let printed = script.to_string();
        drop(script);
        (errors.iter().map(code).collect(), printed.len())
    })
}

/// `src` (too deep) gives exactly one error, `too_deep`.
#[track_caller]
fn assert_too_deep(src: String) {
    let (codes, _) = parse_print_drop(src);
    assert_eq!(codes, ["kql::syntax::too_deep"]);
}

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

#[test]
fn ten_thousand_nested_parentheses() {
    assert_too_deep(format!("print {}", nested("(", "1", ")", 10_000)));
}

#[test]
fn ten_thousand_nested_calls() {
    assert_too_deep(format!("print {}", nested("f(", "1", ")", 10_000)));
}

#[test]
fn a_hundred_thousand_term_sum() {
    let terms = vec!["a"; 100_000].join(" + ");
    assert_too_deep(format!("print {terms}"));
}

#[test]
fn long_chains_of_every_left_associative_operator() {
    for op in [" - ", " * ", " / ", " % ", " and ", " or "] {
        assert_too_deep(format!("print {}", vec!["a"; 20_000].join(op)));
    }
}

#[test]
fn ten_thousand_nested_dynamic_arrays() {
    assert_too_deep(format!("print dynamic({})", nested("[", "1", "]", 10_000)));
}

#[test]
fn ten_thousand_nested_dynamic_objects() {
    assert_too_deep(format!("print dynamic({})", nested("{\"a\": ", "1", "}", 10_000)));
}

#[test]
fn long_postfix_chains() {
    assert_too_deep(format!("print a{}", "[0]".repeat(10_000)));
    assert_too_deep(format!("print a{}", ".b".repeat(10_000)));
    assert_too_deep(format!("print a{}", "[0].b".repeat(5_000)));
}

#[test]
fn nested_indexes_in_indexes() {
    assert_too_deep(format!("print {}", nested("a[", "0", "]", 10_000)));
}

#[test]
fn nested_in_lists_and_between() {
    assert_too_deep(format!("print {}", nested("x in (", "1", ")", 10_000)));
    assert_too_deep(format!("print {}", nested("x between (", "1 .. 2", " .. 3)", 10_000)));
}

#[test]
fn nested_subqueries() {
    assert_too_deep(nested("(T | where a in ", "(1)", ")", 10_000));
    assert_too_deep(format!("T | join {} on a", nested("(T | join ", "T", " on a)", 10_000)));
}

#[test]
fn unclosed_nesting() {
    assert_too_deep(format!("print {}", "(".repeat(10_000)));
    assert_too_deep(format!("print dynamic({}", "[".repeat(10_000)));
}

#[test]
fn the_error_points_at_the_level_that_is_too_deep() {
    let src = format!("print {}", nested("(", "1", ")", 1_000));
    let errors = on_default_stack(move || parse(&src).errors);
    let [SyntaxError::TooDeep { limit, span }] = &errors[..] else { panic!("{errors:?}") };
    assert_eq!(*limit, MAX_DEPTH);
    assert!(span.start > 6 && span.start < 6 + 1_000, "inside the parentheses: {span:?}");
}

/// Builds a query nested `n` levels deep.
type Make = fn(usize) -> String;

#[test]
fn ten_thousand_bad_operators_give_ten_thousand_errors() {
    let src = format!("T{}", " | wher x".repeat(10_000));
    let (codes, _) = parse_print_drop(src);
    assert_eq!(codes.len(), 10_000);
    assert!(codes.iter().all(|c| c == "kql::syntax::unknown_operator"));
}

/// The deepest nesting of `make(n)` that parses cleanly (at most `max`).
fn deepest_accepted(make: Make, max: usize) -> usize {
    let (mut lo, mut hi) = (0, max);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let src = make(mid);
        let ok = on_default_stack(move || parse(&src).errors.is_empty());
        if ok { lo = mid } else { hi = mid - 1 }
    }
    lo
}

/// At the limit itself, the deepest accepted trees parse, print, reparse,
/// compare and drop on a default-size stack. The limit must also not be so
/// low that realistic queries hit it.
#[test]
fn the_deepest_accepted_trees_fit_on_the_stack() {
    // How deep each form must at least be allowed to go: far beyond
    // hand-written queries (the article's nest calls 5 deep).
    let forms: [(&str, Make, usize); 8] = [
        ("parentheses", |n| format!("print {}", nested("(", "1", ")", n)), 30),
        ("calls", |n| format!("print {}", nested("f(", "1", ")", n)), 30),
        ("sum", |n| format!("print {}", vec!["a"; n + 1].join(" + ")), 100),
        ("dynamic", |n| format!("print dynamic({})", nested("[", "1", "]", n)), 100),
        ("index", |n| format!("print a{}", "[0]".repeat(n)), 100),
        ("member", |n| format!("print a{}", ".b".repeat(n)), 100),
        ("negation in parentheses", |n| format!("print {}", nested("-(", "1", ")", n)), 30),
        ("subqueries", |n| nested("(T | where a in ", "(1)", ")", n), 30),
    ];
    for (name, make, at_least) in forms {
        let depth = deepest_accepted(make, 2 * MAX_DEPTH);
        assert!(depth >= at_least, "{name}: only {depth} levels accepted");
        assert!(depth < 2 * MAX_DEPTH, "{name}: no limit reached");
        let src = make(depth);
        on_default_stack(move || common::assert_round_trip(&src));
        assert_too_deep(make(depth + 1));
    }
}

/// splitmix64: a tiny deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Checks what must hold for any input: no panic (the caller runs this on
/// its own thread), error spans inside the text on character boundaries,
/// and a clean parse that round-trips. Returns whether it parsed cleanly.
fn check_input(src: &str) -> bool {
    let parsed = parse(src);
    for e in &parsed.errors {
        let span = e.span();
        assert!(span.start <= span.end && span.end <= src.len(), "{src:?}: {e:?}");
        assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end), "{src:?}: {e:?}");
        assert!(e.code().is_some(), "{src:?}: {e:?}");
    }
    let clean = parsed.errors.is_empty();
    if clean {
        common::assert_round_trip(src);
    }
    let _ = kql_syntax::parse_expression(src);
    clean
}

#[test]
fn arbitrary_bytes_never_panic() {
    on_default_stack(|| {
        let mut rng = Rng(0x5EED_0001);
        for _ in 0..3_000 {
            let len = rng.below(64);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            check_input(&String::from_utf8_lossy(&bytes));
        }
    });
}

#[test]
fn random_ascii_never_panics() {
    on_default_stack(|| {
        let mut rng = Rng(0x5EED_0002);
        let alphabet: Vec<char> = (b' '..=b'~').map(char::from).chain(['\n', '\t', 'é', '🌐']).collect();
        for _ in 0..3_000 {
            let len = rng.below(80);
            let s: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
            check_input(&s);
        }
    });
}

/// Token soup from KQL's own vocabulary: gets much further into the
/// grammar than random characters.
#[test]
fn random_token_sequences_never_panic() {
    const TOKENS: &[&str] = &[
        "T",
        "a",
        "b",
        "x",
        "1",
        "0x1F",
        "1.5",
        "1.",
        "2h",
        "1e3",
        "'s'",
        "\"d\"",
        "@'v'",
        "h'x'",
        "```m```",
        "'\\u00e9'",
        "'open",
        "|",
        "|",
        "|",
        ";",
        ",",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ".",
        "..",
        "*",
        "=",
        "==",
        "!=",
        "<>",
        "<",
        ">=",
        "+",
        "-",
        "/",
        "%",
        "=~",
        "!~",
        "and",
        "or",
        "not",
        "has",
        "!has",
        "contains_cs",
        "matches",
        "regex",
        "in",
        "!in",
        "in~",
        "between",
        "!between",
        "where",
        "project",
        "project-away",
        "project-rename",
        "extend",
        "summarize",
        "by",
        "count()",
        "count",
        "take",
        "top",
        "sort",
        "asc",
        "desc",
        "nulls",
        "first",
        "distinct",
        "mv-expand",
        "to",
        "typeof(string)",
        "limit",
        "lookup",
        "join",
        "kind=inner",
        "kind=",
        "hint.strategy=broadcast",
        "on",
        "$left.a",
        "$right.b",
        "union",
        "print",
        "datatable(a:long)",
        "render",
        "timechart",
        "with",
        "let",
        "declare",
        "query_parameters(p:long)",
        "set",
        "parse",
        "datetime(2025-06-01)",
        "datetime(",
        "timespan(1:00)",
        "dynamic([1,",
        "dynamic({'k': 1})",
        "real(nan)",
        "guid(null)",
        "{TimeRange}",
        "//c\n",
        "\n",
        "f(",
        "strcat(",
        "[0]",
        "['q w']",
    ];
    on_default_stack(|| {
        let mut rng = Rng(0x5EED_0003);
        let mut clean = 0;
        for _ in 0..20_000 {
            let n = 1 + rng.below(24);
            let src = (0..n).map(|_| rng.pick(TOKENS)).collect::<Vec<_>>().join(" ");
            clean += usize::from(check_input(&src));
        }
        assert!(clean >= 200, "only {clean} inputs parsed: the round-trip property was hardly exercised");
    });
}

/// The article's queries with random characters deleted, duplicated or inserted.
#[test]
fn mutated_article_queries_never_panic() {
    let queries: Vec<String> = (1..=4).map(|n| common::repo_file(&format!("queries/scenario{n}.kql"))).collect();
    on_default_stack(move || {
        let mut rng = Rng(0x5EED_0004);
        let mut clean = 0;
        let inserts = ["(", ")", "|", "'", "\"", "[", "]", ",", ";", "=", "\n", "//", "`", "{", "}", "$", "\\"];
        for _ in 0..1_500 {
            let base = &queries[rng.below(queries.len())];
            let mut chars: Vec<char> = base.chars().collect();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(chars.len());
                match rng.below(3) {
                    0 => {
                        chars.remove(at);
                    }
                    1 => chars.insert(at, chars[at]),
                    _ => chars.splice(at..at, rng.pick(&inserts).chars()).for_each(drop),
                }
            }
            clean += usize::from(check_input(&chars.into_iter().collect::<String>()));
        }
        assert!(clean >= 100, "only {clean} mutants parsed: the round-trip property was hardly exercised");
    });
}
