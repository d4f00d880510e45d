//! Every diagnostic code has a query that triggers it, and
//! docs/diagnostics.md lists exactly the codes the source defines.

use kql_types::Value;
use ntaq::session::Session;
use std::collections::BTreeSet;
use std::path::Path;

use crate::common::repo;

/// One query per code reachable from query text.
const TRIGGERS: &[(&str, &str)] = &[
    ("kql::syntax::expected", "NTAIpDetails | where Ip =="),
    ("kql::syntax::unterminated_string", "print 'abc"),
    ("kql::syntax::invalid_escape", r#"print "a\q""#),
    ("kql::syntax::unclosed_bracket", "NTAIpDetails | where (Port == 1"),
    ("kql::syntax::unmatched_bracket", "NTAIpDetails | take 1)"),
    ("kql::syntax::unknown_operator", "NTAIpDetails | wher Port == 1"),
    ("kql::syntax::invalid_literal", "print datetime(yesterday)"),
    ("kql::syntax::invalid_value", "NTAIpDetails | join kind=innr NTAIpDetails on Ip"),
    ("kql::syntax::missing_on", "NTAIpDetails | join NTAIpDetails"),
    ("kql::syntax::join_condition", "NTAIpDetails | join NTAIpDetails on Ip == Url"),
    ("kql::syntax::placeholder", "NTAIpDetails | where TimeGenerated > {TimeRange}"),
    ("kql::syntax::empty", "// nothing but a comment\n"),
    ("kql::semantic::unknown_table", "NTAIpDetail | take 1"),
    ("kql::semantic::unknown_column", "NTAIpDetails | project ip"),
    ("kql::semantic::unknown_name", "print start"),
    ("kql::semantic::let_before_definition", "X | take 1; let X = NTAIpDetails; X"),
    ("kql::semantic::unknown_function", "print strcatt('a')"),
    ("kql::semantic::arity", "print substring('a')"),
    ("kql::semantic::type_mismatch", "NTAIpDetails | summarize sum(Ip)"),
    ("kql::semantic::engine_rejects", "NTAIpDetails | where Port == \"80\""),
    ("kql::semantic::union_leg_skipped", "union isfuzzy=true NTAIpDetails, NoSuchTable"),
    ("kql::semantic::not_tabular", "let x = 1; x | take 1"),
    ("kql::semantic::not_scalar", "print NTAIpDetails"),
    ("kql::semantic::aggregate_context", "NTAIpDetails | extend c = count()"),
    ("kql::semantic::not_aggregate", "NTAIpDetails | summarize Ip"),
    ("kql::semantic::duplicate_column", "NTAIpDetails | project a = Ip, a = Url"),
    ("kql::semantic::not_constant", "NTAIpDetails | take Port"),
    ("kql::semantic::join_key_type", "NTAIpDetails | join kind=inner NTANetAnalytics on $left.Port == $right.SrcIp"),
    ("kql::semantic::no_query", "let x = 1;"),
    ("kql::semantic::unknown_argument", "let f = (a:long) { a }; print f(b = 1)"),
    ("kql::semantic::argument_twice", "let f = (a:long) { a }; print f(1, a = 2)"),
    ("kql::semantic::recursion", "let f = (n:long) { f(n) }; print f(1)"),
    ("kql::semantic::duplicate_parameter", "declare query_parameters(a:long, a:long); print a"),
    ("kql::semantic::placeholder", "print datetime('{timeInterval:startISO}')"),
    ("kql::semantic::render", "NTAIpDetails | count | render barchart"),
    ("kql::unsupported::operator", "NTAIpDetails | facet by FlowType"),
    ("kql::unsupported::statement", "set x = 1; NTAIpDetails"),
    ("kql::unsupported::syntax", "NTAIpDetails | summarize (a, b) = arg_max(TimeGenerated, Ip)"),
    ("kql::unsupported::function", "print series_fir(dynamic([1]), dynamic([1]))"),
    ("kql::unsupported::feature", "union kind=left NTAIpDetails, NTANetAnalytics"),
];

fn codes_of(session: &Session, query: &str) -> Vec<String> {
    session.check(query).diagnostics.iter().map(|d| d.code()).collect()
}

#[test]
fn every_trigger_produces_its_code() {
    let session = Session::builtin();
    for (code, query) in TRIGGERS {
        let codes = codes_of(&session, query);
        assert!(codes.iter().any(|c| c == code), "{query:?} gave {codes:?}, expected {code}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let query = format!("print {}1{}", "(".repeat(100), ")".repeat(100));
    let codes = codes_of(&Session::builtin(), &query);
    assert_eq!(codes, ["kql::syntax::too_deep"]);
    // A pipeline is a list to the parser, but nests for the executor.
    let query = format!("NTAIpDetails{}", " | take 1".repeat(200));
    assert_eq!(codes_of(&Session::builtin(), &query), ["kql::semantic::too_deep"]);
}

#[test]
fn parameter_values_are_type_checked() {
    let mut session = Session::builtin();
    session.params.set("start", Value::String("yesterday".into()));
    let codes = codes_of(&session, "declare query_parameters(start:datetime); print start");
    assert_eq!(codes, ["kql::semantic::parameter_value"]);
}

/// `kql::…` codes named in `code(…)` attributes under `dir`.
fn source_codes(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_codes(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (k, _) in text.match_indices("code(kql::") {
                let rest = &text[k + 5..];
                let end = rest.find(')').unwrap();
                out.insert(rest[..end].to_string());
            }
        }
    }
}

#[test]
fn docs_list_exactly_the_codes_in_the_source() {
    let mut in_source = BTreeSet::new();
    for krate in ["kql-syntax", "kql-plan", "kql-io", "kql-exec", "ntaq"] {
        source_codes(&repo().join("crates").join(krate).join("src"), &mut in_source);
    }
    let docs = std::fs::read_to_string(repo().join("docs/diagnostics.md")).unwrap();
    let in_docs: BTreeSet<String> = docs
        .split('`')
        .filter(|s| s.starts_with("kql::") && s.matches("::").count() == 2)
        .filter(|s| s.chars().all(|c| c.is_ascii_lowercase() || c == ':' || c == '_'))
        .map(str::to_string)
        .collect();
    assert_eq!(in_source, in_docs, "docs/diagnostics.md is out of date");

    // Every code reachable from a query has a trigger above (I/O codes are
    // covered by the CLI and kql-io tests, shell codes by the REPL tests).
    let triggered: BTreeSet<String> = TRIGGERS.iter().map(|(c, _)| c.to_string()).collect();
    let untested: Vec<&String> = in_source
        .iter()
        // (`check --target` codes are triggered by tests/integration/target.rs, the
        // pack's by tests/integration/pack.rs.)
        .filter(|c| {
            !["kql::io::", "kql::exec::", "kql::run::", "kql::repl::", "kql::target::", "kql::pack::"]
                .iter()
                .any(|p| c.starts_with(p))
        })
        .filter(|c| !triggered.contains(*c))
        .filter(|c| {
            !matches!(
                c.as_str(),
                "kql::syntax::too_deep"
                    | "kql::semantic::too_deep"
                    | "kql::semantic::parameter_value"
                    | "kql::unsupported::execution"
                    // found by the chart writers, not by `check`: tests/integration/charts.rs
                    // and kql-io's tests/integration/charts.rs trigger it
                    | "kql::unsupported::chart"
            )
        })
        .collect();
    assert!(untested.is_empty(), "codes without a trigger: {untested:?}");
}

/// The codes of the stages outside the query language (raw flow logs, Azure
/// exports, recommend) are documented too, each exactly once.
#[test]
fn docs_list_the_flow_log_azure_and_recommend_codes() {
    let mut in_source = BTreeSet::new();
    for krate in ["nta-azure", "nta-flowlogs", "nta-recommend", "ntaq"] {
        let dir = repo().join("crates").join(krate).join("src");
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for prefix in ["code(flowlogs::", "code(azure::", "code(recommend::"] {
                        for (k, _) in text.match_indices(prefix) {
                            let rest = &text[k + 5..];
                            in_source.insert(rest[..rest.find(')').unwrap()].to_string());
                        }
                    }
                }
            }
        }
    }
    let docs = std::fs::read_to_string(repo().join("docs/diagnostics.md")).unwrap();
    let rows: Vec<&str> = docs.lines().filter(|l| l.starts_with("| `")).collect();
    let in_docs: BTreeSet<String> = rows
        .iter()
        .filter_map(|l| l.split('`').nth(1))
        .filter(|c| ["flowlogs::", "azure::", "recommend::"].iter().any(|p| c.starts_with(p)))
        .map(str::to_string)
        .collect();
    assert!(!in_source.is_empty());
    assert_eq!(in_source, in_docs, "docs/diagnostics.md is out of date");
}
