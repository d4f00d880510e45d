//! Filter pushdown moves a `where` below the `extend`/`project` under it,
//! with column references replaced by their definitions; the schemas of
//! the result do not change. (That results do not change is checked by the
//! executor's golden tests, which run optimized plans; the plans themselves
//! are in testdata/queries/plans/pushdown.kqlt.)

use kql_plan::plan::{Node, Plan};
use kql_plan::{Catalog, Params, bind};
use kql_syntax::ScalarType;

fn optimized(text: &str) -> (kql_plan::Program, kql_plan::Program) {
    let parsed = kql_syntax::parse(text);
    assert!(parsed.errors.is_empty(), "{:#?}", parsed.errors);
    let mut p = Params::default();
    p.declare("start", ScalarType::DateTime);
    p.declare("end", ScalarType::DateTime);
    let b = bind(&parsed.script, &Catalog::nta(), &p);
    assert!(!b.has_errors(), "{:#?}", b.diagnostics);
    let mut opt = b.program.clone();
    kql_plan::optimize::optimize(&mut opt);
    (b.program, opt)
}

/// Node names from the top down the first input.
fn spine(plan: &Plan) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut p = plan;
    loop {
        out.push(match &p.node {
            Node::Scan { .. } => "scan",
            Node::Filter { .. } => "filter",
            Node::Project { .. } => "project",
            Node::Summarize { .. } => "summarize",
            Node::MvExpand { .. } => "mv-expand",
            _ => "other",
        });
        match p.inputs().first() {
            Some(i) => p = i,
            None => return out,
        }
    }
}

#[test]
fn a_filter_moves_below_the_extends_it_does_not_need() {
    let (before, after) = optimized("NTANetAnalytics | extend a = strcat(SrcIp, '/') | where DestPort == 443");
    // As bound, the first project leaves out the table's hidden standard
    // columns; once the filter is below the extend, the extend's project
    // does, and the first one (keeping its input as it is) is dropped.
    assert_eq!(spine(&before.results[0]), ["project", "filter", "project", "scan"]);
    assert_eq!(spine(&after.results[0]), ["project", "filter", "scan"]);
    assert_eq!(before.results[0].schema.to_string(), after.results[0].schema.to_string());
}

#[test]
fn scenario4s_cross_subscription_filter_runs_before_the_paths_are_built() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../queries/scenario4.kql")).unwrap();
    let (before, after) = optimized(&text);
    assert_eq!(
        spine(&before.results[0]),
        ["summarize", "filter", "project", "project", "project", "filter", "filter", "filter", "scan"]
    );
    // The filters sink to the scan; then eager aggregation groups by the
    // seven raw columns the paths come from, so the three extends become
    // the keys of a second summarize over the (few) groups.
    assert_eq!(spine(&after.results[0]), ["summarize", "summarize", "filter", "filter", "filter", "filter", "scan"]);
    assert_eq!(before.results[0].schema.to_string(), after.results[0].schema.to_string());
    let first = after.results[0].inputs()[0];
    assert_eq!(
        first.schema.to_string(),
        "(AclGroup:string, AclRule:string, DestSubnet:string, DestSubscription:string, FlowType:string, \
         SrcSubnet:string, SrcSubscription:string, partial0:long)"
    );
}

#[test]
fn filters_do_not_cross_mv_expand_or_summarize() {
    let (_, after) = optimized(
        "NTANetAnalytics | extend p = split(SrcPublicIps, ' ') | mv-expand p | where DestPort == 1 \
         | summarize n = count() by DestPort | where n > 1",
    );
    assert_eq!(spine(&after.results[0]), ["filter", "summarize", "filter", "mv-expand", "project", "scan"]);
}
