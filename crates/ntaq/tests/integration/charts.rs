//! Charts and graphs from the command line (issue 15): `render` queries drawn
//! as SVG and HTML files, unsupported charts refused, and scenario 3 as a
//! DOT and a Mermaid graph whose edges are exactly the distinct pairs of
//! its CSV result (read with the csv crate, not with ntaq's writers).

use crate::common::{command, ntaq, repo};
use std::collections::{BTreeSet, HashMap};

fn ok(args: &[&str]) -> String {
    let o = ntaq(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const SCENARIO3: [&str; 6] = [
    "run",
    "queries/scenario3.kql",
    "--param",
    "timeInterval:startISO=2025-06-01T00:00:00Z",
    "--param",
    "timeInterval:endISO=2025-06-02T00:00:00Z",
];

fn scenario3(format: &str) -> String {
    let mut args = SCENARIO3.to_vec();
    args.extend(["-q", "--format", format]);
    ok(&args)
}

/// Edges of a graph: node lines name ids, edge lines join them.
fn edges(text: &str, arrow: &str, node: &dyn Fn(&str) -> Option<(String, String)>) -> Vec<(String, String)> {
    let names: HashMap<String, String> = text.lines().filter(|l| !l.contains(arrow)).filter_map(node).collect();
    text.lines()
        .filter_map(|l| l.split_once(arrow))
        .map(|(a, b)| {
            let b = b.trim().trim_end_matches(';');
            (names[a.trim()].clone(), names[b].clone())
        })
        .collect()
}

#[test]
fn scenario3_graphs_list_exactly_the_distinct_pairs() {
    let csv = scenario3("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let pairs: BTreeSet<(String, String)> =
        reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[1].to_string())).collect();
    assert!(pairs.len() > 100, "scenario 3 on the sample has many pairs: {}", pairs.len());

    let dot = scenario3("dot");
    assert!(dot.starts_with("digraph ntaq {") && dot.ends_with("}\n"));
    let dot_node = |l: &str| {
        let (id, label) = l.trim().split_once(" [label=\"")?;
        Some((id.to_string(), label.strip_suffix("\"];")?.replace("\\\"", "\"").replace("\\\\", "\\")))
    };
    let dot_edges = edges(&dot, " -> ", &dot_node);
    assert_eq!(dot_edges.len(), pairs.len(), "one edge per distinct pair");
    assert_eq!(dot_edges.into_iter().collect::<BTreeSet<_>>(), pairs);

    let mmd = scenario3("mermaid");
    assert!(mmd.starts_with("flowchart LR\n"));
    let mmd_node = |l: &str| {
        let (id, label) = l.trim().split_once("[\"")?;
        let label = label.strip_suffix("\"]")?;
        Some((
            id.to_string(),
            label.replace("#quot;", "\"").replace("#lt;", "<").replace("#gt;", ">").replace("#35;", "#"),
        ))
    };
    let mmd_edges = edges(&mmd, " --> ", &mmd_node);
    assert_eq!(mmd_edges.len(), pairs.len());
    assert_eq!(mmd_edges.into_iter().collect::<BTreeSet<_>>(), pairs);
}

#[test]
fn edges_and_weight_options_pick_the_columns() {
    let q = "NTANetAnalytics | summarize Flows = count() by FlowType, FlowDirection";
    let dot = ok(&["run", "-q", "-c", q, "--format", "dot", "--edges", "FlowDirection,FlowType", "--weight", "Flows"]);
    let rows = ok(&["run", "-q", "-c", q, "--format", "csv"]);
    assert_eq!(dot.matches(" -> ").count(), rows.lines().count() - 1, "{dot}");
    assert!(dot.contains("[label=\"Inbound\"]") && dot.contains(" [label=\""), "{dot}");
    let o = ntaq(&["run", "-q", "-c", q, "--format", "dot", "--weight", "FlowType"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("kql::io::graph"));
}

#[test]
fn render_queries_become_svg_and_html_files() {
    let dir = tempfile::tempdir().unwrap();
    let by_hour = "NTANetAnalytics | summarize Flows = count() by bin(FlowStartTime, 1h), FlowDirection";
    let hours = ok(&["run", "-q", "-c", by_hour, "--format", "csv"]);
    // Rows without a time have no place on a time axis; a column chart
    // shows them as an "(empty)" category.
    let timed: Vec<&str> = hours.lines().skip(1).filter(|l| !l.starts_with(',')).collect();
    let directions: BTreeSet<&str> = timed.iter().map(|l| l.rsplit(',').nth(1).unwrap()).collect();
    for (render, class, expected) in [
        ("timechart", "point", timed.len()),
        ("columnchart with (kind=stacked)", "bar", hours.lines().count() - 1),
        ("areachart", "area", directions.len()),
    ] {
        let path = dir.path().join("c.svg");
        let q = format!("{by_hour} | render {render}");
        ok(&["run", "-q", "-c", &q, "-o", path.to_str().unwrap()]);
        let svg = std::fs::read_to_string(&path).unwrap();
        assert_eq!(svg.matches(&format!("class=\"{class} ")).count(), expected, "{render}");
        let html_path = dir.path().join("c.html");
        ok(&["run", "-q", "-c", &q, "-o", html_path.to_str().unwrap()]);
        let html = std::fs::read_to_string(&html_path).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("http://") && !html.contains("https://"), "no URL in {render}'s page");
        assert_eq!(html.matches("<tr>").count(), hours.lines().count(), "the table has every row");
    }
    let o = ntaq(&["run", "-q", "-c", &format!("{by_hour} | render anomalychart"), "--format", "svg"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("kql::unsupported::chart"));
    assert!(o.stdout.is_empty(), "nothing is written");
}

#[test]
fn ycolumns_and_series_take_lists_as_kusto_writes_them() {
    let q = "NTANetAnalytics | summarize Flows = count(), Bytes = sum(BytesSrcToDest), Out = countif(FlowDirection == 'Outbound') by bin(FlowStartTime, 1h) | render timechart with (ycolumns=Flows, Out, title=\"two\")";
    let svg = ok(&["run", "-q", "-c", q, "--format", "svg"]);
    assert_eq!(svg.matches("class=\"series ").count(), 2, "Flows and Out, not Bytes");
    assert!(svg.contains(">two</text>"));
    // A bare name after a property that is not a list is still an error.
    let o = ntaq(&["run", "-q", "-c", "print a = 1 | render timechart with (title=\"t\", a)", "--format", "svg"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("kql::syntax::expected"));
}

/// `--format html --graph`: one node per distinct endpoint and one edge per
/// distinct pair (read back from the CSV with the csv crate), drawn
/// whole below the cap; the cap keeps N edges and says so on the page and
/// on standard error; --graph needs an HTML output.
#[test]
fn scenario3_graph_view_and_its_cap() {
    let csv = scenario3("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let pairs: BTreeSet<(String, String)> =
        reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[1].to_string())).collect();
    let nodes: BTreeSet<&String> = pairs.iter().flat_map(|(a, b)| [a, b]).collect();

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("blast.html");
    let mut args = SCENARIO3.to_vec();
    let path = page.to_str().unwrap();
    args.extend(["-q", "--graph", "-o", path]);
    ok(&args);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("<circle class=\"node").count(), nodes.len());
    assert_eq!(html.matches("<line class=\"edge").count(), pairs.len());
    assert!(html.contains(&format!("data-nodes=\"{}\" data-edges=\"{}\"", nodes.len(), pairs.len())));
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing loaded from anywhere");

    let mut args = SCENARIO3.to_vec();
    args.extend(["--format", "html", "--graph", "--max-edges", "100", "-o", path]);
    let o = ntaq(&args);
    assert_eq!(o.status.code(), Some(0));
    let left = pairs.len() - 100;
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains(&format!("the graph shows 100 of {} edges: {left} edges and", pairs.len())), "{e}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("<line class=\"edge").count(), 100);
    assert!(html.contains(&format!("Showing 100 of {} edges: {left} edges and", pairs.len())));

    // --graph draws HTML only; --max-edges needs --graph.
    let mut args = SCENARIO3.to_vec();
    args.extend(["--format", "dot", "--graph"]);
    let o = ntaq(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--graph draws an HTML page"));
    let mut args = SCENARIO3.to_vec();
    args.extend(["--format", "dot", "--max-edges", "3"]);
    assert_eq!(ntaq(&args).status.code(), Some(2));
}

/// A `render` query's table on the screen has a text chart above it (the
/// file gets the table alone); ysplit and log axes are refused by name.
#[test]
fn text_chart_above_the_screen_table_only() {
    let q =
        "NTANetAnalytics | summarize Flows = count() by FlowDirection | render barchart with (title='By direction')";
    let o = command(&repo())
        .args(["run", "-q", "-c", q])
        .env("COLUMNS", "60")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&o.stdout);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(s.starts_with("By direction\n"), "{s}");
    assert!(s.contains('█') && s.contains("█ Flows\n\n+--"), "{s}");
    assert!(s.lines().all(|l| kql_io::output::width::display_width(l) <= 60), "{s}");
    assert!(!e.contains("kql::semantic::render"), "the chart is drawn: {e}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.txt");
    ok(&["run", "-q", "-c", q, "-o", file.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("+--"), "files get the table alone");

    for (props, what) in [
        ("ysplit=axes", "ysplit=axes"),
        ("ysplit=panels", "ysplit=panels"),
        ("yaxis=log", "yaxis=log"),
        ("xaxis=log", "xaxis=log"),
    ] {
        let q = format!("NTANetAnalytics | summarize Flows = count() by FlowType | render columnchart with ({props})");
        let o = ntaq(&["run", "-q", "-c", &q, "--format", "svg"]);
        assert_eq!(o.status.code(), Some(2), "{props}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains("kql::unsupported::chart") && e.contains(what), "{props}: {e}");
    }
}
