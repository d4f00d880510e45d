//! `ntaq check --target log-analytics|adx`: what the service a query is
//! deployed to does not accept, with spans, codes, severities and exit
//! statuses (every `kql::target::…` code is triggered here).

use crate::common::ntaq;
use serde_json::Value;
use std::process::Output;

fn check(target: Option<&str>, query: &str) -> Output {
    let mut args = vec!["check", "--format", "json"];
    if let Some(t) = target {
        args.extend(["--target", t]);
    }
    args.extend(["-c", query]);
    ntaq(&args)
}

/// (code, severity, line, column, length) of each diagnostic but notes
/// (`render` always gets one: ntaq writes the table).
fn found(o: &Output) -> Vec<(String, String, u64, u64, u64)> {
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    report[0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] != "note")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["length"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn codes(o: &Output) -> Vec<String> {
    found(o).into_iter().map(|d| d.0).collect()
}

const CHART: &str = "NTAIpDetails | summarize n = count() by FlowType | render linechart with (title='t', xtitle='x')";

#[test]
fn log_analytics_is_the_default_and_limits_render() {
    // The render page's Azure Monitor variant: no linechart (an error), and
    // only kind, series and title (xtitle is ignored: a warning).
    for target in [None, Some("log-analytics")] {
        let o = check(target, CHART);
        assert_eq!(
            found(&o),
            [
                ("kql::target::render_visualization".into(), "error".into(), 1, 59, 9),
                ("kql::target::render_property".into(), "warning".into(), 1, 86, 6),
            ]
        );
        assert_eq!(o.status.code(), Some(1));
    }
    // Azure Data Explorer draws both.
    let o = check(Some("adx"), CHART);
    assert!(found(&o).is_empty());
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn an_ignored_property_alone_is_a_warning_not_a_failure() {
    let o = check(
        None,
        "NTAIpDetails | summarize n = count() by FlowType | render columnchart with (kind=stacked, ymax=10)",
    );
    assert_eq!(codes(&o), ["kql::target::render_property"]);
    assert_eq!(o.status.code(), Some(0));
    let o = check(
        None,
        "NTAIpDetails | summarize n = count() by FlowType | render columnchart with (kind=stacked, series=FlowType, title='x')",
    );
    assert!(codes(&o).is_empty());
}

#[test]
fn management_commands_and_fork_are_errors_in_log_analytics() {
    let o = check(None, ".show tables");
    assert_eq!(codes(&o), ["kql::unsupported::statement", "kql::target::management_command"]);
    assert_eq!(o.status.code(), Some(1));
    // Azure Data Explorer runs them; ntaq does not (exit 3).
    let o = check(Some("adx"), ".show tables");
    assert_eq!(codes(&o), ["kql::unsupported::statement"]);
    assert_eq!(o.status.code(), Some(3));

    let o = check(None, "NTAIpDetails | fork (take 1) (count)");
    assert!(codes(&o).contains(&"kql::target::operator".to_string()), "{:?}", codes(&o));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn plugins_that_reach_outside_are_errors_in_log_analytics() {
    let q = "NTAIpDetails | evaluate sql_request('Server=tcp:x;Database=y', 'select 1')";
    let o = check(None, q);
    assert!(codes(&o).contains(&"kql::target::plugin".to_string()), "{:?}", codes(&o));
    let o = check(Some("adx"), q);
    assert!(!codes(&o).iter().any(|c| c.starts_with("kql::target::")));
    let o = check(None, "NTAIpDetails | evaluate bag_unpack(d)");
    assert!(!codes(&o).iter().any(|c| c.starts_with("kql::target::")));
}

#[test]
fn scope_functions_belong_to_one_service() {
    let o = check(None, "cluster('help').database('Samples').StormEvents | count");
    let target: Vec<String> = codes(&o).into_iter().filter(|c| c.starts_with("kql::target::")).collect();
    assert_eq!(target, ["kql::target::function", "kql::target::function"]);
    let o = check(Some("adx"), "workspace('contoso').NTANetAnalytics | count");
    assert!(codes(&o).contains(&"kql::target::function".to_string()), "{:?}", codes(&o));
    let o = check(None, "workspace('contoso').NTANetAnalytics | count");
    assert!(!codes(&o).iter().any(|c| c.starts_with("kql::target::")));
}

#[test]
fn the_article_queries_suit_log_analytics() {
    let o = ntaq(&[
        "check",
        "--target",
        "log-analytics",
        "--param",
        "start:datetime",
        "--param",
        "end:datetime",
        "queries/*.kql",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("kql::target::"), "{err}");
}
