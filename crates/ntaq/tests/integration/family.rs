//! The rest of the traffic-analytics table family in the built-in
//! catalog: queries over NTATopologyDetails, NTARuleRecommendation,
//! NTAInsights and the NSG-flow-log era AzureNetworkAnalytics_CL /
//! AzureNetworkAnalyticsIPDetails_CL check offline, and run on exports of
//! them typed by the published schemas.

use crate::common::{ntaq_in as ntaq, ntaq_in_with};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Published queries of the other tables, as written (the schema page's,
/// a community alert rule's, and ordinary ones over the newer tables).
const QUERIES: &[&str] = &[
    // learn.microsoft.com/azure/network-watcher/traffic-analytics-schema
    r#"AzureNetworkAnalytics_CL
| where SubType_s == "FlowLog" and FlowStartTime_t >= ago(30d) and FlowType_s == "ExternalPublic"
| project Subnet1_s, Subnet2_s"#,
    r#"AzureNetworkAnalyticsIPDetails_CL
| where SubType_s == 'FlowLog' and FlowType_s == 'MaliciousFlow'
| where TimeGenerated < ago(1h)
| distinct IP_s, PublicIPDetails_s, Location_s, FlowIntervalStartTime_t, ThreatType_s, ThreatDescription_s, DNSDomain_s"#,
    r#"NTATopologyDetails
| where AzureResourceType == "NetworkSecurityGroupRule" and Access == "Allow"
| project Name, Direction, Priority, SourceAddressPrefix, DestinationPortRange, Protocol"#,
    r#"NTARuleRecommendation
| where RecommendedAction == "Block"
| summarize Flows = sum(TotalFlowCount) by RecommendedRuleName, L4Protocol, DestPortsRanges"#,
    r#"NTAInsights
| where AdScore > 2.5
| project TrafficTime, InsightsResourceId, TrafficVolumeActual, TrafficVolumeBaseline"#,
];

#[test]
fn published_queries_of_the_family_check_clean() {
    let dir = tempfile::tempdir().unwrap();
    for q in QUERIES {
        let o = ntaq(dir.path(), &["check", "--target", "log-analytics", "-c", q]);
        assert_eq!(o.status.code(), Some(0), "{q}\n{}", text(&o.stderr));
    }
    // Suffixes matter: the NSG-era columns are not the newer ones.
    let o = ntaq(dir.path(), &["check", "-c", "AzureNetworkAnalytics_CL | project SrcIp"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("kql::semantic::unknown_column"), "{}", text(&o.stderr));
}

#[test]
fn a_legacy_export_runs_typed_by_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("AzureNetworkAnalytics_CL.csv"),
        "SubType_s,FlowStartTime_t,FlowType_s,Subnet1_s,Subnet2_s,DestPort_d\n\
         FlowLog,2025-06-01T10:00:00Z,ExternalPublic,,rg/vnet/web,443\n\
         FlowLog,2025-04-01T10:00:00Z,ExternalPublic,,rg/vnet/old,443\n\
         FlowLog,2025-06-01T11:00:00Z,IntraVNet,rg/vnet/app,rg/vnet/web,8080\n\
         Topology,2025-06-01T12:00:00Z,ExternalPublic,,rg/vnet/topo,\n\
         FlowLog,2025-06-01T13:00:00Z,ExternalPublic,rg/vnet/app,,53\n",
    )
    .unwrap();
    let o = ntaq(
        dir.path(),
        &["run", "--data", ".", "--now", "2025-06-02T00:00:00Z", "--format", "csv", "--quiet", "-c", QUERIES[0]],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Rows 1 and 5: FlowLog, ExternalPublic, within 30 days of the clock
    // (row 2 is two months old, row 3 is IntraVNet, row 4 a Topology record).
    assert_eq!(text(&o.stdout), "Subnet1_s,Subnet2_s\n,rg/vnet/web\nrg/vnet/app,\n");
    // DestPort_d is a real, as the `_d` suffix says, and sums as one.
    let sum = |q: &str| text(&ntaq(dir.path(), &["run", "--data", ".", "--format", "csv", "--quiet", "-c", q]).stdout);
    assert_eq!(sum("AzureNetworkAnalytics_CL | summarize Total = sum(DestPort_d)"), "Total\n9019\n");
    assert_eq!(
        sum("AzureNetworkAnalytics_CL | project DestPort_d | getschema | project ColumnType"),
        "ColumnType\nreal\n"
    );
}

#[test]
fn the_shell_lists_the_family_and_counts_the_schema_only_tables() {
    let (session, _) = ntaq::session::Session::sample().unwrap();
    let repl = ntaq::repl::Repl::new(session, Box::new(std::io::sink()), Box::new(std::io::sink()));
    let banner = repl.banner();
    assert!(
        banner.contains(
            "tables: NTAIpDetails (891 rows), NTANetAnalytics (2000 rows), and 6 more with a schema only (.tables)"
        ),
        "{banner}"
    );
    // `.tables` lines them up, however long the names.
    let dir = tempfile::tempdir().unwrap();
    let o = ntaq_in_with(dir.path(), &["repl"], ".tables\n");
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(" columns")).collect();
    assert_eq!(lines.len(), 8, "{out}");
    let at: Vec<usize> = lines.iter().map(|l| l.find(" columns").unwrap()).collect();
    assert!(at.iter().all(|&k| k == at[0]), "{out}");
}
