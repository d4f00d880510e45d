//! The article's four queries (queries/scenario*.kql, verbatim but for the
//! workbook placeholders) over tables derived from the tuples of
//! [`super::rows`] with every enrichment input; results worked out by hand.

use super::*;
use kql_exec::{Executor, MemTables};
use kql_plan::{Catalog, Params};
use kql_types::Value;
use std::sync::atomic::AtomicBool;

const HUB_VNET: &str = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/hub";

fn scenario(n: usize) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(format!("queries/scenario{n}.kql")))
        .unwrap()
        // The article's placeholders for two countries; the test's geo-IP database has NL and JP.
        .replace("\"country1\"", "\"NL\"")
        .replace("\"country2\"", "\"JP\"")
        .replace("{timeInterval:startISO}", "2025-06-01T00:00:00Z")
        .replace("{timeInterval:endISO}", "2025-06-02T00:00:00Z")
}

/// Runs `query` over the derived tables; the last result as rows of text.
fn run_query(query: &str, tables: &MemTables, params: &Params) -> Vec<Vec<String>> {
    let parsed = kql_syntax::parse(query);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let mut bound = kql_plan::bind(&parsed.script, &Catalog::nta(), params);
    assert!(!bound.has_errors(), "{:?}", bound.diagnostics);
    kql_plan::optimize::optimize(&mut bound.program);
    let now = kql_syntax::time::parse_datetime("2025-06-01T12:00:00Z").unwrap();
    let ex = Executor::new(&bound.program, tables, now, Arc::new(AtomicBool::new(false)));
    let results = kql_exec::run_program(&ex).unwrap();
    let (_, batches) = results.into_iter().last().unwrap();
    let mut out = Vec::new();
    for b in &batches {
        for r in 0..b.num_rows() {
            out.push(b.columns().iter().map(|c| arrow_cast::display::array_value_to_string(c, r).unwrap()).collect());
        }
    }
    out.sort();
    out
}

fn tables() -> MemTables {
    let d = run(&super::rows::tuples(), &full(), Interval::Minutes60);
    let mut t = MemTables::new();
    t.insert("NTANetAnalytics", d.net_analytics);
    t.insert("NTAIpDetails", d.ip_details);
    t
}

fn texts(rows: &[&[&str]]) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect();
    v.sort();
    v
}

#[test]
fn scenario1_flows_from_risky_countries() {
    // Inbound flows from public sources in NL or JP: 203.0.113.50 (denied
    // SSH) and 198.51.100.9 (the NSG flow log's HTTPS), both to VM1.
    let vm1 = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1";
    let got = run_query(&scenario(1), &tables(), &Params::default());
    assert_eq!(
        got,
        texts(&[
            &["🌐 198.51.100.9", "🖥\u{fe0f}10.0.1.4", vm1, "", "ExternalPublic", "", "", "", "JP", "", "1"],
            &["🌐 203.0.113.50", "🖥\u{fe0f}10.0.1.4", vm1, "", "ExternalPublic", "", "", "", "NL", "", "1"],
        ])
    );
}

#[test]
fn scenario2_azure_services_per_vnet() {
    // now = 12:00, so the 10:00 interval is within ago(4h). Rows with a public
    // list from the hub: Storage (2 entries), AzureCloud (1), Azure's virtual IP (1).
    let got = run_query(&scenario(2), &tables(), &Params::default());
    assert_eq!(
        got,
        texts(&[
            &[HUB_VNET, "AzureCloud.westeurope", "1"],
            &[HUB_VNET, "AzureStorage", "2"],
            &[HUB_VNET, "Microsoft Virtual Public IP", "1"],
        ])
    );
}

#[test]
fn scenario3_malicious_flows_and_their_reach() {
    // One MaliciousFlow row (VM1 → 203.0.113.7, DestIp empty as the
    // destination is public); no private address is in NL or JP, so nothing
    // more is reached.
    let got = run_query(&scenario(3), &tables(), &Params::default());
    assert_eq!(got, texts(&[&["🖥\u{fe0f} 10.0.1.4", "🖥\u{fe0f} "]]));
}

#[test]
fn scenario4_cross_subscription_flows() {
    // Not AzurePublic/ExternalPublic/Unknown/UnknownPrivate, ACL not
    // Unspecified, source and destination subscriptions differ: the hub →
    // spoke peering flow, the malicious flow, the P2S and the S2S flows
    // (their far side has no subscription). No flow of them completed.
    let mut p = Params::default();
    p.set("start", Value::DateTime(kql_syntax::time::parse_datetime("2025-06-01T00:00:00Z")));
    p.set("end", Value::DateTime(kql_syntax::time::parse_datetime("2025-06-02T00:00:00Z")));
    let got = run_query(&scenario(4), &tables(), &p);
    let spoke = "/subscriptions/s2/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/spoke";
    let (s1, none) = ("/subscriptions/s1", "/subscriptions/");
    let nsg = "s1/rg1/web-nsg";
    assert_eq!(
        got,
        texts(&[
            &[HUB_VNET, spoke, s1, "/subscriptions/s2", nsg, "allow-all-out", "InterVNet", "0"],
            &[HUB_VNET, "", s1, none, nsg, "allow-all-out", "MaliciousFlow", "0"],
            &["", HUB_VNET, none, s1, nsg, "allow-all-out", "P2S", "0"],
            &[HUB_VNET, "", s1, none, nsg, "allow-all-out", "S2S", "0"],
        ])
    );
}
