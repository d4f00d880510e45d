//! Golden diagnostics: what a user sees for common mistakes, rendered
//! without colour at a fixed width (snapshots in tests/snapshots/).

use crate::common::repo;
use ntaq::session::Session;

/// All diagnostics of `query`, rendered as `ntaq check` prints them.
fn render(name: &str, query: &str) -> String {
    let checked = Session::builtin().check(query);
    assert!(!checked.diagnostics.is_empty(), "{query}: expected diagnostics");
    checked.diagnostics.iter().map(|d| d.render(name, query, false)).collect::<Vec<_>>().join("\n")
}

#[test]
fn unknown_column() {
    insta::assert_snapshot!(render("q.kql", "NTANetAnalytics | project SrcIP, DestIp"));
}

#[test]
fn unknown_table() {
    insta::assert_snapshot!(render("q.kql", "NTAIpDetail\n| take 10"));
}

#[test]
fn unknown_function() {
    insta::assert_snapshot!(render("q.kql", "NTAIpDetails\n| extend n = strln(Ip)"));
}

#[test]
fn wrong_arity() {
    insta::assert_snapshot!(render("q.kql", "NTAIpDetails\n| extend s = substring(Ip)"));
}

#[test]
fn sum_of_a_string() {
    insta::assert_snapshot!(render("q.kql", "NTAIpDetails\n| summarize sum(Url) by Ip"));
}

#[test]
fn unbalanced_brackets() {
    insta::assert_snapshot!(render("q.kql", "NTAIpDetails\n| where (Port == 80 or Port == 443"));
}

#[test]
fn unterminated_string() {
    insta::assert_snapshot!(render("q.kql", "NTAIpDetails\n| where Url == \"http://example\n| take 1"));
}

#[test]
fn join_without_on() {
    insta::assert_snapshot!(render("q.kql", "NTAIpDetails\n| join kind=inner NTANetAnalytics\n| take 1"));
}

#[test]
fn misspelt_operator() {
    insta::assert_snapshot!(render("q.kql", "NTAIpDetails\n| summarise count() by Ip"));
}

#[test]
fn let_used_before_definition() {
    insta::assert_snapshot!(render(
        "q.kql",
        "Malicious | take 10;\nlet Malicious = NTAIpDetails | where FlowType == \"MaliciousFlow\";\nMalicious"
    ));
}

#[test]
fn several_errors_in_one_query() {
    // Recovery: a bad operator, a bad column after it is still checked in the
    // next statement, and a bad statement are all reported.
    insta::assert_snapshot!(render(
        "q.kql",
        "let A = NTAIpDetails | wher Port == 80;\nlet B = NTAIpDetails | project Ipp;\nlet C = ;\nB"
    ));
}

#[test]
fn scenario4_without_its_parameters() {
    let root = repo();
    let text = std::fs::read_to_string(root.join("queries/scenario4.kql")).unwrap();
    insta::assert_snapshot!(render("queries/scenario4.kql", &text));
}

#[test]
fn readme_example_is_what_check_prints() {
    let root = repo();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let rendered = render("q.kql", "NTANetAnalytics | project SrcIP, DestIp\n");
    let shown: Vec<&str> = rendered.lines().map(str::trim_end).collect();
    let block = shown.join("\n");
    assert!(readme.contains(&block), "README's human example is out of date; it should read:\n{block}");
}
