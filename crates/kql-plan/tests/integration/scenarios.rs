//! The article's queries bind cleanly against the published NTA schemas and
//! produce the columns Kusto would: names and types read off the queries.

use kql_plan::plan::Node;
use kql_plan::{Catalog, Params, bind};
use kql_syntax::ScalarType;

fn repo_file(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(path)).unwrap()
}

fn bind_scenario(n: usize) -> kql_plan::Bound {
    let parsed = kql_syntax::parse(&repo_file(&format!("queries/scenario{n}.kql")));
    assert!(parsed.errors.is_empty(), "{:#?}", parsed.errors);
    let mut p = Params::default();
    p.declare("start", ScalarType::DateTime);
    p.declare("end", ScalarType::DateTime);
    let b = bind(&parsed.script, &Catalog::nta(), &p);
    assert!(!b.has_errors(), "scenario{n}: {:#?}", b.diagnostics);
    b
}

#[test]
fn scenario1_counts_per_malicious_pair() {
    let b = bind_scenario(1);
    assert_eq!(b.program.results.len(), 1);
    // `summarize count() by …`: the by columns, then count_ (Kusto's name for count()).
    assert_eq!(
        b.program.results[0].schema.to_string(),
        "(SrcExternalIp:string, DestCompromisedIp:string, CompromisedVM:string, PublicIpDetails:string, \
         FlowType:string, ThreatType:string, DnsDomain:string, ThreatDescription:string, Location:string, \
         Url:string, count_:long)"
    );
    let names: Vec<&str> = b.program.shared.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ExternalIps", "ExternalFlows", "SrcMalicious"]);
    // The lookup keeps the left key and drops the right one (Ip).
    let ext = &b.program.shared[1].plan.schema;
    assert_eq!(
        ext.to_string(),
        "(AllSrcIps:string, DestIp:string, SrcVm:string, DestVm:string, SrcSubscription:string, DestSubscription:string, FlowType:string)"
    );
}

#[test]
fn scenario2_top_services_per_vnet() {
    let b = bind_scenario(2);
    assert_eq!(b.program.results[0].schema.to_string(), "(Vnet:string, PublicIpDetails:string, CounterValue:long)");
    assert!(matches!(b.program.results[0].node, Node::Top { .. }));
}

#[test]
fn scenario3_blast_radius() {
    let b = bind_scenario(3);
    assert_eq!(b.program.results[0].schema.to_string(), "(SrcIp:string, DestIp:string)");
    // 14 tabular lets, each shared (evaluated once) however often it is used.
    assert_eq!(b.program.shared.len(), 14);
    // The self-join's right columns are renamed SrcIp1, DestIp1, which the query reads.
    let transitive = b.program.shared.iter().find(|s| s.name == "MaliciousFlowsTransitive").unwrap();
    let mut plan = &transitive.plan;
    let join_schema = loop {
        if let Node::Join { .. } = plan.node {
            break plan.schema.to_string();
        }
        plan = plan.inputs()[0];
    };
    assert_eq!(join_schema, "(SrcIp:string, DestIp:string, SrcIp1:string, DestIp1:string)");
    // The two workbook placeholders are notes, not errors.
    let notes: Vec<String> = b.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        notes,
        [
            "workbook placeholder `{timeInterval:startISO}` has no value",
            "workbook placeholder `{timeInterval:endISO}` has no value"
        ]
    );
}

#[test]
fn scenario4_cross_subscription_flows() {
    let b = bind_scenario(4);
    // sum() of a long is a long; `by` keys come first in their written order.
    assert_eq!(
        b.program.results[0].schema.to_string(),
        "(Src:string, Dest:string, SrcSubscription:string, DestSubscription:string, AclGroup:string, AclRule:string, FlowType:string, Flows:long)"
    );
    assert!(b.program.shared.is_empty());
}
