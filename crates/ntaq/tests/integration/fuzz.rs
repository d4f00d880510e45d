//! Property-based and mutation testing of the whole query path: parse →
//! check → run → write never panics, whatever the text. Every case ends in a
//! result or a diagnostic whose span lies within the text on char
//! boundaries; no case reports an internal error or passes the parser's
//! depth limit.
//!
//! The properties (a short run, about 4,000 cases in all, is part of
//! `cargo test`):
//!
//! - `generated_queries_run_or_diagnose`: queries from a grammar-aware
//!   generator (`fuzz/grammar.rs`), most of which check clean and run;
//! - `mutated_queries_run_or_diagnose`: the repository's queries with
//!   tokens deleted, duplicated, swapped or replaced, bits flipped, cut,
//!   spliced together, brackets and odd characters inserted
//!   (`fuzz/mutate.rs`);
//! - `arbitrary_text_is_diagnosed`: text made of KQL's punctuation, keywords
//!   and any characters;
//! - `deep_nesting_stops_at_the_depth_limit` and `huge_literals_are_diagnosed`.
//!
//! The long run: `NTAQ_FUZZ_CASES=1000000 cargo test --release -p ntaq --test integration fuzz::`
//! (the number is the total; each property gets its share). A failing case
//! is shrunk and saved in `tests/integration/fuzz.proptest-regressions`, which is
//! committed so it runs first from then on; each bug found also has a named
//! test below (`regression_…`).

#[path = "fuzz/grammar.rs"]
mod grammar;
#[path = "fuzz/harness.rs"]
mod harness;
#[path = "fuzz/mutate.rs"]
mod mutate;

use harness::{Outcome, check_rewrites, exercise};
use kql_plan::Catalog;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use std::sync::OnceLock;

/// Cases for a property with `share` of the total (of 100): the total is
/// `NTAQ_FUZZ_CASES`, or 4,000 in a normal test run (a minute of the
/// test suite; the long run in the module comment is where bugs are hunted).
fn config(share: u32) -> Config {
    let total: u32 = std::env::var("NTAQ_FUZZ_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(4_000);
    Config {
        cases: (total / 100 * share).max(1),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        // Shrinking replays the query path many times; a bounded number
        // of steps still finds a small case.
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::nta)
}

fn corpus() -> &'static [String] {
    static CORPUS: OnceLock<Vec<String>> = OnceLock::new();
    CORPUS.get_or_init(mutate::corpus)
}

fn generated(choices: &[u32]) -> String {
    grammar::Generator::new(choices, catalog()).query()
}

fn mutation() -> impl Strategy<Value = mutate::Mutation> {
    (any::<u8>(), any::<u32>(), any::<u32>()).prop_map(|(kind, a, b)| mutate::Mutation { kind, a, b })
}

/// Pieces of KQL text: arbitrary text is mostly made of these, so it gets
/// past the first token more often than random characters would.
const PIECES: &[&str] = &[
    "NTANetAnalytics",
    "NTAIpDetails",
    "|",
    "where",
    "project",
    "extend",
    "summarize",
    "by",
    "join",
    "lookup",
    "on",
    "union",
    "mv-expand",
    "take",
    "top",
    "sort",
    "distinct",
    "count",
    "print",
    "datatable",
    "let",
    "=",
    "==",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    ".",
    "..",
    "\"",
    "'",
    "1",
    "1.5",
    "1h",
    "x",
    "Ip",
    "FlowType",
    "$left",
    "$right",
    "kind",
    "inner",
    "and",
    "or",
    "not",
    "dynamic",
    "datetime",
    "declare",
    "query_parameters",
    ":",
    "string",
    "long",
    "in",
    "!in",
    "has",
    "between",
    "//",
    "\n",
    " ",
    "@",
    "typeof",
    "to",
    "toscalar",
    "render",
    "-",
    "+",
    "*",
    "/",
];

proptest! {
    #![proptest_config(config(25))]
    #[test]
    fn generated_queries_run_or_diagnose(choices in prop::collection::vec(any::<u32>(), 0..400)) {
        exercise(&generated(&choices));
    }
}

proptest! {
    #![proptest_config(config(9))]
    /// Generated queries give the same rows with and without the plan rewrites.
    #[test]
    fn plan_rewrites_change_no_result(choices in prop::collection::vec(any::<u32>(), 0..400)) {
        check_rewrites(&generated(&choices));
    }
}

proptest! {
    #![proptest_config(config(4))]
    /// The same for `summarize`s by keys computed from strings, which
    /// eager aggregation splits in two (few generated queries have them).
    #[test]
    fn eager_aggregation_changes_no_result(choices in prop::collection::vec(any::<u32>(), 0..200)) {
        check_rewrites(&grammar::Generator::new(&choices, catalog()).computed_key_summary());
    }
}

/// 120 queries drawn by `generate` from a fixed seed: never a panic
/// (`exercise` checks the round trip and every diagnostic), and at least
/// `at_least` of them run.
fn generated_queries_run(seed: u8, generate: impl Fn(grammar::Generator<'_, '_>) -> String, at_least: usize) {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]));
    let strategy = prop::collection::vec(any::<u32>(), 0..200);
    let (mut ran, mut other) = (0, Vec::new());
    for _ in 0..120 {
        let choices = strategy.new_tree(&mut runner).unwrap().current();
        let text = generate(grammar::Generator::new(&choices, catalog()));
        match harness::exercise(&text) {
            harness::Outcome::Ran => ran += 1,
            o => other.push(format!("{text}\n  {o:?}")),
        }
    }
    assert!(ran >= at_least, "only {ran} of 120 ran:\n{}", other.join("\n"));
}

/// top-nested, bag_unpack and search terms.
#[test]
fn newer_operators_run() {
    generated_queries_run(11, |g| g.newer_operators(), 60);
}

/// Queries with the `pivot` and `ipv4_lookup` plugins.
#[test]
fn plugins_run() {
    generated_queries_run(14, |g| g.plugins(), 90);
}

proptest! {
    #![proptest_config(config(36))]
    #[test]
    fn mutated_queries_run_or_diagnose(
        which in any::<usize>(),
        other in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let corpus = corpus();
        let mut text = corpus[which % corpus.len()].clone();
        let other = &corpus[other % corpus.len()];
        for m in &mutations {
            text = mutate::apply(&text, m, other);
        }
        exercise(&text);
    }
}

proptest! {
    #![proptest_config(config(14))]
    #[test]
    fn arbitrary_text_is_diagnosed(
        parts in prop::collection::vec(
            prop_oneof![
                4 => prop::sample::select(PIECES).prop_map(str::to_string),
                1 => any::<char>().prop_map(String::from),
            ],
            0..40,
        ),
    ) {
        exercise(&parts.join(""));
    }
}

proptest! {
    #![proptest_config(config(5))]
    /// The shell's helpers on the same mutated texts: Tab completion at any
    /// position, and the checks that split pasted or piped input into entries.
    #[test]
    fn shell_completion_and_input_splitting(
        which in any::<usize>(),
        other in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 0..4),
        positions in prop::collection::vec(any::<usize>(), 1..8),
    ) {
        let corpus = corpus();
        let mut text = corpus[which % corpus.len()].clone();
        let other = &corpus[other % corpus.len()];
        for m in &mutations {
            text = mutate::apply(&text, m, other);
        }
        let completer = completer();
        for p in positions {
            let pos = p % (text.len() + 1);
            let c = completer.complete(&text, pos);
            prop_assert!(c.start <= pos && text.is_char_boundary(c.start), "{:?} at {}: starts at {}", text, pos, c.start);
        }
        let _ = ntaq::split::state(&text);
        let _ = ntaq::split::is_bare_source(&text);
        for mode in [ntaq::split::Mode::Script, ntaq::split::Mode::Shell] {
            for r in ntaq::split::queries(&text, mode) {
                prop_assert_eq!(ntaq::split::mask(&text, r).len(), text.len());
            }
        }
        let mut typed = ntaq::repl::input::Typed::default();
        for line in text.split('\n') {
            let _ = typed.enter(line);
        }
        let _ = ntaq::repl::input::blocks(&text);
    }
}

/// Meta-commands of the shell (not `.output`, `.load` or `.run`, which
/// touch files) and arguments for them.
const VERBS: &[&str] = &[
    "help", "?", "tables", "schema", "lets", "forget", "param", "params", "now", "format", "maxrows", "timing",
    "explain", "nope", "", "quit",
];
const ARGS: &[&str] = &[
    "",
    "NTAIpDetails",
    "x",
    "T",
    "start=2025-06-01",
    "start",
    "=",
    "2025-06-02",
    "off",
    "csv",
    "json",
    "table",
    "xml",
    "3",
    "0",
    "-1",
    "lots",
    "on",
    "print 1",
    "explain",
    "schema",
    "T | take 1",
    "é",
];

#[derive(Clone, Debug)]
enum Entry {
    Meta(&'static str, &'static str),
    Query(usize, Vec<mutate::Mutation>),
    Let(&'static str, usize),
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        (prop::sample::select(VERBS), prop::sample::select(ARGS)).prop_map(|(v, a)| Entry::Meta(v, a)),
        (any::<usize>(), prop::collection::vec(mutation(), 0..3)).prop_map(|(w, m)| Entry::Query(w, m)),
        (prop::sample::select(&["x", "T", "start", "NTAIpDetails"][..]), any::<usize>())
            .prop_map(|(n, w)| Entry::Let(n, w)),
    ]
}

proptest! {
    #![proptest_config(config(3))]
    /// Sessions of the shell: meta-commands, remembered `let`s (a query
    /// or a scalar) and queries, in any order, through `Repl::submit` as the
    /// terminal and piped front ends call it.
    #[test]
    fn shell_sessions(entries in prop::collection::vec(entry(), 1..8)) {
        let corpus = corpus();
        let mut repl = ntaq::repl::Repl::new(harness::session().clone(), Box::new(std::io::sink()), Box::new(std::io::sink()));
        for e in entries {
            let text = match e {
                Entry::Meta(verb, arg) => format!(".{verb} {arg}"),
                Entry::Query(which, mutations) => {
                    let mut text = corpus[which % corpus.len()].clone();
                    for m in &mutations {
                        text = mutate::apply(&text, m, &corpus[0]);
                    }
                    text
                }
                Entry::Let(name, which) => {
                    let body = corpus[which % corpus.len()].trim().trim_end_matches(';').to_string();
                    format!("let {name} = {body};")
                }
            };
            repl.submit("fuzz", &text);
        }
    }
}

fn completer() -> &'static ntaq::repl::Completer {
    static COMPLETER: OnceLock<ntaq::repl::Completer> = OnceLock::new();
    COMPLETER.get_or_init(|| ntaq::repl::Completer::new(harness::session().clone(), &[]))
}

/// Deep forms: a text of `depth` levels, and the code that must refuse it
/// past the limit (`None`: not deep however long, a flat chain).
fn deep_form(form: usize, depth: usize, close: bool) -> (String, Option<&'static str>) {
    const SYNTAX: Option<&str> = Some("kql::syntax::too_deep");
    const PLAN: Option<&str> = Some("kql::semantic::too_deep");
    let nest = |prefix: &str, open: &str, core: &str, end: &str, tail: &str| {
        let closing = if close { end.repeat(depth) } else { String::new() };
        format!("{prefix}{}{core}{closing}{tail}", open.repeat(depth))
    };
    match form % 14 {
        0 => (nest("print x = ", "(", "1", ")", ""), SYNTAX),
        1 => (nest("print x = ", "abs(", "1", ")", ""), SYNTAX),
        2 => (nest("print x = ", "-(", "1", ")", ""), SYNTAX),
        3 => (nest("print x = ", "not(", "true", ")", ""), SYNTAX),
        4 => (nest("print x = dynamic(", "[", "1", "]", ")"), SYNTAX),
        5 => (nest("print x = dynamic(", "{\"a\":", "1", "}", ")"), SYNTAX),
        6 => (nest("print x = ", "toscalar(print ", "1", ")", ""), SYNTAX),
        7 => (nest("", "union (", "print 1", ")", ""), SYNTAX),
        8 => (nest("", "(", "print 1", ")", ""), SYNTAX),
        // A long sum: a left-leaning tree as deep as it is long.
        9 => (format!("print x = 1{}", " + 1".repeat(depth)), SYNTAX),
        // Operators in a row, and lets on lets: flat syntax, deep plans.
        10 => (format!("NTAIpDetails{}", " | where Port > 0".repeat(depth)), PLAN),
        11 => {
            let lets: String = (1..=depth).map(|k| format!("let a{k} = a{} | take 5;\n", k - 1)).collect();
            (format!("let a0 = NTAIpDetails;\n{lets}a{depth}"), PLAN)
        }
        12 => {
            let lets: String = (1..=depth).map(|k| format!("let s{k} = s{} * 2;\n", k - 1)).collect();
            (format!("let s0 = 1;\n{lets}print s{depth}"), PLAN)
        }
        _ => {
            let items: Vec<String> = (1..=depth).map(|k| format!("a{k} = a{} + 1", k - 1)).collect();
            (format!("print a0 = 1 | extend {}", items.join(", ")), PLAN)
        }
    }
}

proptest! {
    #![proptest_config(config(3))]
    #[test]
    fn deep_nesting_stops_at_the_depth_limit(form in 0usize..14, depth in 0usize..12_000, close in any::<bool>()) {
        // Forms whose levels are long texts: fewer levels suffice.
        let depth = match form {
            10 => depth / 4,
            11..14 => depth / 10,
            _ => depth,
        };
        let (text, code) = deep_form(form, depth, close);
        let outcome = exercise(&text);
        // Nesting well past the limit is refused with its code, never run.
        if let Some(code) = code.filter(|_| depth > 2 * kql_syntax::MAX_DEPTH) {
            prop_assert_eq!(outcome, Outcome::Blocked);
            let codes = blocking_codes(&text);
            prop_assert!(codes.iter().any(|c| c == code), "depth {}: {:?}, expected {}", depth, codes, code);
        }
    }
}

proptest! {
    #![proptest_config(config(1))]
    #[test]
    fn huge_literals_are_diagnosed(form in 0usize..12, size in 1usize..200_000) {
        let text = match form {
            0 => format!("print x = \"{}\"", "a".repeat(size)),
            1 => format!("print x = {}", "9".repeat(size.min(20_000))),
            2 => format!("print x = 1.{}e{}", "5".repeat(size.min(20_000)), size),
            3 => format!("print x = datetime({}-01-01)", "9".repeat(size.min(100))),
            4 => format!("print x = {}d", "9".repeat(size.min(100))),
            5 => format!("NTAIpDetails | take {}", "9".repeat(size.min(100))),
            6 => format!("print x = dynamic([{}1])", "1,".repeat(size.min(50_000))),
            7 => format!("datatable(a:long)[{}1]", "1,".repeat(size.min(20_000))),
            8 => format!("print x = strlen(\"{}\")", "é".repeat(size)),
            9 => format!("print x = {}", "'a' ".repeat(size.min(20_000))),
            10 => format!("print {}", (0..size.min(5_000)).map(|k| format!("c{k} = {k}")).collect::<Vec<_>>().join(", ")),
            _ => format!("NTAIpDetails | where Ip in ({})", (0..size.min(20_000)).map(|k| format!("'{k}'")).collect::<Vec<_>>().join(",")),
        };
        exercise(&text);
    }
}

/// The generator earns its name: most of what it writes checks clean and
/// reaches the executor (with a fixed seed, so the count is stable).
#[test]
fn the_generator_mostly_writes_valid_queries() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    let strategy = prop::collection::vec(any::<u32>(), 0..400);
    let (mut ran, mut failed, mut blocked) = (0, 0, 0);
    let (mut functions_ran, mut invokes_ran, mut series_ran) = (0, 0, 0);
    let mut blocked_codes: std::collections::BTreeMap<String, usize> = Default::default();
    for _ in 0..200 {
        let choices = strategy.new_tree(&mut runner).unwrap().current();
        let text = generated(&choices);
        match exercise(&text) {
            Outcome::Ran => {
                ran += 1;
                functions_ran += usize::from(text.contains(") {"));
                invokes_ran += usize::from(text.contains("| invoke"));
                series_ran += usize::from(text.contains("make-series"));
            }
            Outcome::Failed(_) => failed += 1,
            Outcome::Blocked => {
                blocked += 1;
                let d = harness::session().prepare(&text, &Default::default()).diagnostics;
                if let Some(d) = d.iter().find(|d| d.is_error() || d.is_unsupported()) {
                    *blocked_codes.entry(d.code()).or_default() += 1;
                }
            }
        }
    }
    assert!(
        ran >= 100,
        "only {ran} of 200 generated queries ran ({failed} failed, {blocked} blocked: {blocked_codes:?})"
    );
    assert!(blocked >= 5, "the generator should also exercise the checker's errors");
    assert!(
        functions_ran >= 10 && invokes_ran >= 3 && series_ran >= 2,
        "{functions_ran} queries with functions ran, {invokes_ran} with invoke, {series_ran} with make-series"
    );
}

#[test]
fn computed_key_summaries_are_mostly_split() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    fn split(p: &kql_plan::Plan) -> bool {
        use kql_plan::plan::Node;
        matches!(&p.node, Node::Summarize { input, .. } if matches!(input.node, Node::Summarize { .. }))
            || p.inputs().into_iter().any(split)
    }
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    let strategy = prop::collection::vec(any::<u32>(), 0..200);
    let mut split_plans = 0;
    for _ in 0..200 {
        let choices = strategy.new_tree(&mut runner).unwrap().current();
        let text = grammar::Generator::new(&choices, catalog()).computed_key_summary();
        let prepared = harness::session().prepare(&text, &Default::default());
        if !prepared.blocked() && prepared.program.results.iter().any(split) {
            split_plans += 1;
        }
    }
    // Otherwise `eager_aggregation_changes_no_result` would test little.
    assert!(split_plans >= 50, "only {split_plans} of 200 computed-key summaries were split");
}

/// Lines of the shell's own language, for piped shell sessions.
const META: &[&str] = &[
    "",
    ".help",
    ".schema NTAIpDetails",
    ".schema Nope",
    ".param start=2025-06-01",
    ".param",
    ".now 2025-06-02",
    ".now soon",
    ".format csv",
    ".format xml",
    ".maxrows 3",
    ".maxrows lots",
    ".forget x",
    ".explain print 1",
    "let x = 1;",
    "let T = NTAIpDetails | take 3;",
    ".tables",
    ".run /no/such/file",
    ".",
];

/// Bytes on the CLI's standard input, most of them not UTF-8: `ntaq run -`,
/// `ntaq check -` and a piped shell session end with a documented status
/// and no panic.
fn cli_config() -> Config {
    let total: u32 = std::env::var("NTAQ_FUZZ_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(4_000);
    // Each case starts two processes: a few dozen in a normal run.
    Config { cases: (total / 500).clamp(16, 2_000), ..config(0) }
}

proptest! {
    #![proptest_config(cli_config())]
    #[test]
    fn any_bytes_on_standard_input(
        which in any::<usize>(),
        cut in any::<usize>(),
        noise in prop::collection::vec(any::<u8>(), 0..64),
        meta in prop::collection::vec(prop::sample::select(META), 0..4),
    ) {
        use crate::common::{command, output};
        let corpus = corpus();
        let text = corpus[which % corpus.len()].as_bytes();
        let k = cut % (text.len() + 1);
        let mut bytes = text[..k].to_vec();
        bytes.extend(&noise);
        bytes.extend(&text[k..]);
        let mut session = meta.join("\n\n").into_bytes();
        session.extend(b"\n\n");
        session.extend(&bytes);
        for (args, input) in [
            (&["run", "-q", "--format", "csv", "-"][..], &bytes),
            (&["check", "-"][..], &bytes),
            (&[][..], &session),
        ] {
            // The process may stop reading early (an error): a broken pipe is fine.
            let o = output(command(std::path::Path::new(".")).args(args), input);
            let err = String::from_utf8_lossy(&o.stderr);
            prop_assert!(matches!(o.status.code(), Some(0..=3)), "{:?}: status {:?}: {}", args, o.status, err);
            prop_assert!(!err.contains("panicked"), "{:?}: {}", args, err);
            if std::str::from_utf8(input).is_err() {
                prop_assert_eq!(o.status.code(), Some(2), "{:?}: invalid UTF-8 is an I/O error: {}", args, err);
            }
        }
    }
}

// Each bug the fuzz suite found, as the smallest query that showed it.

/// Rows without columns failed every writer (kql::io::schema_mismatch).
#[test]
fn regression_rows_without_columns_are_written() {
    assert_eq!(exercise("print x = 1 | project-away x"), Outcome::Ran);
    assert_eq!(exercise("datatable(a:long)[1] | union kind=inner (datatable(b:long)[2])"), Outcome::Ran);
}

/// Datetime arithmetic past the range was an internal error.
#[test]
fn regression_datetime_arithmetic_out_of_range() {
    assert_eq!(exercise("print x = datetime(2025-06-01 23:59:59.9999999) - -106750d"), Outcome::Ran);
    assert_eq!(exercise("print x = 106750d + 106750d, y = datetime(2262-04-10) - datetime(1677-09-22)"), Outcome::Ran);
}

/// bin() near the earliest datetime overflowed (a panic in debug builds).
#[test]
fn regression_bin_near_the_earliest_datetime() {
    assert_eq!(exercise("print x = bin(datetime(1677-09-22), 7d)"), Outcome::Ran);
    assert_eq!(
        exercise("datatable(t:datetime)[datetime(1677-09-22), datetime(null)] | summarize count() by bin(t, 1d)"),
        Outcome::Ran
    );
}

/// datetime_diff() between the earliest and latest datetimes in
/// nanoseconds overflowed (a panic in debug builds); it is null now.
#[test]
fn regression_datetime_diff_out_of_range() {
    assert_eq!(
        exercise("print x = datetime_diff('nanosecond', datetime(2262-04-10), datetime(1677-09-22))"),
        Outcome::Ran
    );
}

/// A function of constants returning dynamic (parse_url, extract_all)
/// made a one-row column inside a batch of many rows, which the next
/// function read past its end (a panic).
#[test]
fn regression_constant_dynamic_results_fill_the_batch() {
    let text = "NTAIpDetails | extend h = substring(tostring(parse_url('https://a.b/p').Host), 0, 1), \
                e = extract_all(@'(\\d)', '1 2') | summarize count() by h, tostring(e)";
    assert_eq!(exercise(text), Outcome::Ran);
}

/// The codes of the errors `text` is blocked by.
fn blocking_codes(text: &str) -> Vec<String> {
    let prepared = harness::session().prepare(text, &Default::default());
    prepared.diagnostics.iter().filter(|d| d.is_error() || d.is_unsupported()).map(|d| d.code()).collect()
}

/// Found by the fuzz suite: plans nested deeper than the executor's stack
/// allows (it recurses once per level) crashed the process with a stack
/// overflow, and a scalar `let` used twice in the next one, repeatedly,
/// grew without bound. The binder now refuses them with
/// kql::semantic::too_deep; the deepest plans it accepts run here, on a
/// test thread's 2 MiB stack in a debug build.
#[test]
fn regression_plans_at_the_depth_limit_run_and_deeper_ones_are_refused() {
    type Make = fn(usize) -> String;
    let forms: [(&str, Make); 5] = [
        ("a pipeline", |n| format!("print x = 'abc'{}", " | extend y = strlen(x)".repeat(n))),
        ("an extend whose items read one another", |n| {
            let items: Vec<String> = (1..=n).map(|k| format!("a{k} = a{} + 1", k - 1)).collect();
            format!("print a0 = 1 | extend {}", items.join(", "))
        }),
        ("tabular lets on lets", |n| {
            let lets: String = (1..=n).map(|k| format!("let a{k} = a{} | where strlen(x) > 0;\n", k - 1)).collect();
            format!("let a0 = NTAIpDetails | take 3 | project x = Ip;\n{lets}a{n} | count")
        }),
        ("scalar lets on lets", |n| {
            let lets: String = (1..=n).map(|k| format!("let s{k} = s{} + 1;\n", k - 1)).collect();
            format!("let s0 = 1;\n{lets}print x = s{n}")
        }),
        ("lets of sub-queries", |n| {
            let lets: String =
                (1..=n).map(|k| format!("let a{k} = print x = toscalar(a{} | project x + 1);\n", k - 1)).collect();
            format!("let a0 = print x = 1;\n{lets}a{n}")
        }),
    ];
    for (name, make) in forms {
        // The largest n that checks clean (blocked past it).
        let (mut lo, mut hi) = (0, 4 * kql_plan::MAX_PLAN_DEPTH);
        assert!(!blocking_codes(&make(hi)).is_empty(), "{name}: no limit");
        while lo + 1 < hi {
            let mid = (lo + hi) / 2;
            if blocking_codes(&make(mid)).is_empty() { lo = mid } else { hi = mid }
        }
        assert!(lo >= 30, "{name}: only {lo} levels accepted");
        assert_eq!(blocking_codes(&make(hi)), ["kql::semantic::too_deep"], "{name}");
        assert_eq!(exercise(&make(lo)), Outcome::Ran, "{name} at {lo}");
        // Far past the limit: one error, quickly, and no crash.
        assert_eq!(blocking_codes(&make(20 * kql_plan::MAX_PLAN_DEPTH)), ["kql::semantic::too_deep"], "{name}");
    }
    // A scalar let used twice in the next, 30 times: 2^30 terms.
    let lets: String = (1..=30).map(|k| format!("let s{k} = s{} + s{};\n", k - 1, k - 1)).collect();
    assert_eq!(blocking_codes(&format!("let s0 = 1;\n{lets}print x = s30")), ["kql::semantic::too_deep"]);
}

/// Unary minus on a dynamic value reached Arrow's kernel with JSON text: an
/// internal error. Now declined as not implemented.
#[test]
fn regression_negating_a_dynamic_value() {
    for text in
        ["print x = -dynamic(1)", "print o = dynamic({\"a\": 1}) | project- o", "print x = -split('1,2', ',')[0]"]
    {
        assert_eq!(exercise(text), Outcome::Failed("kql::unsupported::execution".into()), "{text}");
    }
}

/// A datatable declaring a column twice checked clean and failed at run
/// time with an internal error. Now a duplicate_column error.
#[test]
fn regression_a_datatable_column_declared_twice() {
    let text = "let A = datatable(s:long, s:string)[1, \"a\"];\nA | union A";
    assert_eq!(exercise(text), Outcome::Blocked);
    assert_eq!(blocking_codes(text), ["kql::semantic::duplicate_column"]);
}
