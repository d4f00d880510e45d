//! Published traffic-analytics queries beyond Learn's samples
//! (`testdata/published/{sentinel-workbook,sentinel-workbook-legacy,
//! sentinel-parsers,sentinel-rules,community}/`, each file naming its
//! source; testdata/published/README.md says how they were gathered and
//! why they are rewritten rather than copied). Every file has its expected
//! outcome below: `check` against the built-in catalog, `check` and `run`
//! on the data it needs, and for the genuine mistakes and the constructs
//! out of ntaq's reach, the exact diagnostic code. Where an answer can be
//! derived by hand from the small data sets, the test compares it.

use crate::common::{ntaq, repo, stderr, stdout};
use std::collections::BTreeMap;

const SOURCES: &[&str] =
    &["sentinel-workbook", "sentinel-workbook-legacy", "sentinel-parsers", "sentinel-rules", "community"];

/// What a command should end with.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    Ok,
    /// Exit 1 with this diagnostic code.
    Error(&'static str),
    /// Exit 3 (valid Kusto ntaq does not implement) with this code.
    Unsupported(&'static str),
}
use Outcome::{Error, Ok, Unsupported};

/// The data a query runs on.
#[derive(Clone, Copy, Debug)]
enum Data {
    /// The bundled sample (NTANetAnalytics, NTAIpDetails).
    Sample,
    /// `testdata/published/legacy-data/` (AzureNetworkAnalytics_CL).
    Legacy,
    /// `testdata/published/export-data/`: an NTANetAnalytics export with
    /// the columns the published schema page lacks (SrcPorts, _ItemId).
    Export,
    /// The sample plus a small DNSQueryLogs table.
    SampleDns,
    /// The legacy data plus a small ThreatIntelligenceIndicator table.
    LegacyTi,
}

struct Case {
    file: &'static str,
    data: Data,
    /// `check` with the built-in catalog only.
    check: Outcome,
    /// `check` and `run` with `data`.
    check_data: Outcome,
    run: Outcome,
}

const fn case(file: &'static str, data: Data, check: Outcome, check_data: Outcome, run: Outcome) -> Case {
    Case { file, data, check, check_data, run }
}

const fn valid(file: &'static str, data: Data) -> Case {
    case(file, data, Ok, Ok, Ok)
}

const CASES: &[Case] = &[
    valid("sentinel-workbook/attacked-machines.kql", Data::Sample),
    valid("sentinel-workbook/attacked-resources.kql", Data::Sample),
    valid("sentinel-workbook/attacked-subnets.kql", Data::Sample),
    valid("sentinel-workbook/countries-of-origin.kql", Data::Sample),
    valid("sentinel-workbook/flow-types.kql", Data::Sample),
    valid("sentinel-workbook/malicious-app-ports.kql", Data::Sample),
    valid("sentinel-workbook/malicious-ips.kql", Data::Sample),
    valid("sentinel-workbook/malicious-protocols.kql", Data::Sample),
    valid("sentinel-workbook/nic-vm-flows.kql", Data::Sample),
    valid("sentinel-workbook/nsg-rules-allowing-malicious.kql", Data::Sample),
    valid("sentinel-workbook/nsg-rules-denying-malicious.kql", Data::Sample),
    valid("sentinel-workbook/vm-flows-over-time.kql", Data::Sample),
    valid("sentinel-workbook-legacy/app-ports.kql", Data::Legacy),
    valid("sentinel-workbook-legacy/attacked-machines.kql", Data::Legacy),
    valid("sentinel-workbook-legacy/attacked-resources.kql", Data::Legacy),
    valid("sentinel-workbook-legacy/flow-direction.kql", Data::Legacy),
    valid("sentinel-workbook-legacy/flow-types.kql", Data::Legacy),
    valid("sentinel-workbook-legacy/malicious-ips.kql", Data::Legacy),
    // The StatusMessage and NetworkInterface-topology columns
    // (ComponentType_s, Status_s, VirtualMachine_s) are not on the traffic
    // analytics schema page (its AzureNetworkAnalytics_CL tab, checked
    // again) the built-in catalog follows; an export has them.
    case("sentinel-workbook-legacy/nic-vm-flows.kql", Data::Legacy, Error("kql::semantic::unknown_name"), Ok, Ok),
    valid("sentinel-workbook-legacy/protocols.kql", Data::Legacy),
    valid("sentinel-workbook-legacy/vm-flows-over-time.kql", Data::Legacy),
    // SrcPorts (read by Microsoft's own parsers) is on the current
    // NTANetAnalytics reference page, and _ItemId is a hidden standard
    // column ("Standard columns in Azure Monitor Logs"): both are in the
    // built-in catalog.
    valid("sentinel-parsers/asim-networksession-ntanetanalytics.kql", Data::Export),
    valid("sentinel-parsers/vim-networksession-ntanetanalytics.kql", Data::Export),
    // Out of reach: externaldata downloads a file when the query runs.
    case(
        "sentinel-rules/ti-map-ip-entity-nsg-flow-logs.kql",
        Data::LegacyTi,
        Error("kql::semantic::unknown_table"),
        Unsupported("kql::unsupported::operator"),
        Unsupported("kql::unsupported::operator"),
    ),
    valid("community/allowed-inbound-malicious.kql", Data::Legacy),
    valid("community/denied-external-by-source.kql", Data::Legacy),
    valid("community/denied-inbound-port.kql", Data::Legacy),
    valid("community/denied-vnet-flows.kql", Data::Sample),
    valid("community/external-allowed-recent.kql", Data::Sample),
    // Checks once DNSQueryLogs is given; its byte counts are decimals
    // divided by 1024. twice, which need more than the 18 fraction digits
    // ntaq's decimals hold (Kusto's hold 28): declined, not rounded.
    case(
        "community/outbound-malicious-with-dns.kql",
        Data::SampleDns,
        Error("kql::semantic::unknown_table"),
        Ok,
        Unsupported("kql::unsupported::execution"),
    ),
    valid("community/time-span-of-data.kql", Data::Legacy),
    valid("community/top-denied-sources.kql", Data::Legacy),
    valid("community/top-talkers.kql", Data::Sample),
    // A genuine mistake: AllExtIPs_s is no column of AzureNetworkAnalytics_CL.
    case(
        "community/top-traffic-flows.kql",
        Data::Legacy,
        Error("kql::semantic::unknown_name"),
        Error("kql::semantic::unknown_name"),
        Error("kql::semantic::unknown_name"),
    ),
];

/// The parsers' ParserParams as query parameters, with the values the
/// hand-derived answers below assume.
const PARAMS: &[&str] = &[
    "--param",
    "disabled=false",
    "--param",
    "starttime:datetime=datetime(null)",
    "--param",
    "endtime:datetime=datetime(null)",
    "--param",
    "srcipaddr_has_any_prefix:dynamic=dynamic([\"10.0.0.\"])",
    "--param",
    "ipaddr_has_any_prefix:dynamic=dynamic([])",
    "--param",
    "dstportnumber:int=int(null)",
    "--param",
    "dvcaction:dynamic=dynamic([\"Deny\"])",
    "--param",
    "eventresult=*",
];

fn uses_params(file: &str) -> bool {
    file.starts_with("sentinel-parsers/")
}

fn data_args(data: Data) -> Vec<String> {
    let p = |s: &str| format!("testdata/published/{s}");
    match data {
        Data::Sample => vec![],
        Data::Legacy => vec!["--data".into(), p("legacy-data")],
        Data::Export => vec!["--data".into(), p("export-data")],
        Data::SampleDns => vec![
            "--data".into(),
            "testdata/sample".into(),
            "--table".into(),
            format!("DNSQueryLogs={}", p("export-data/DNSQueryLogs.csv")),
        ],
        Data::LegacyTi => vec![
            "--data".into(),
            p("legacy-data"),
            "--table".into(),
            format!("ThreatIntelligenceIndicator={}", p("export-data/ThreatIntelligenceIndicator.csv")),
        ],
    }
}

/// Runs `ntaq <command>` on a corpus file; returns (exit code, stdout, stderr).
fn ntaq_on(command: &str, c: &Case, with_data: bool) -> (Option<i32>, String, String) {
    let mut args: Vec<String> = vec![command.into()];
    if command == "run" {
        args.extend(["--quiet", "--format", "csv", "--now", "2025-06-02T00:00:00Z"].map(String::from));
    }
    if with_data {
        args.extend(data_args(c.data));
    }
    if uses_params(c.file) {
        args.extend(PARAMS.iter().map(|s| s.to_string()));
    }
    args.push(format!("testdata/published/{}", c.file));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = ntaq(&refs);
    (o.status.code(), stdout(&o), stderr(&o))
}

fn assert_outcome(what: &str, c: &Case, expected: Outcome, (code, _, err): &(Option<i32>, String, String)) {
    match expected {
        Ok => assert_eq!(*code, Some(0), "{what} {}\n{err}", c.file),
        Error(d) => {
            assert_eq!(*code, Some(1), "{what} {} should be an error\n{err}", c.file);
            assert!(err.contains(d), "{what} {}: expected {d}\n{err}", c.file);
        }
        Unsupported(d) => {
            assert_eq!(*code, Some(3), "{what} {} should be unsupported\n{err}", c.file);
            assert!(err.contains(d), "{what} {}: expected {d}\n{err}", c.file);
            assert!(!err.contains("kql::semantic"), "{what} {}: unsupported must not cascade\n{err}", c.file);
        }
    }
}

#[test]
fn every_corpus_file_has_an_expected_outcome() {
    let mut files = Vec::new();
    for source in SOURCES {
        for e in std::fs::read_dir(repo().join("testdata/published").join(source)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".kql") {
                files.push(format!("{source}/{name}"));
            }
        }
    }
    files.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed);
    assert_eq!(files.len(), 34);
}

#[test]
fn the_corpus_checks_as_expected_with_the_built_in_catalog() {
    for c in CASES {
        assert_outcome("check", c, c.check, &ntaq_on("check", c, false));
    }
}

#[test]
fn the_corpus_checks_and_runs_as_expected_on_its_data() {
    for c in CASES {
        assert_outcome("check --data", c, c.check_data, &ntaq_on("check", c, true));
        let run = ntaq_on("run", c, true);
        assert_outcome("run", c, c.run, &run);
        if matches!(c.run, Ok) {
            assert!(run.1.lines().next().is_some_and(|h| !h.is_empty()), "{}: no header\n{}", c.file, run.1);
        }
    }
}

fn rows(csv: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect()
}

fn run_rows(file: &str) -> Vec<Vec<String>> {
    let c = CASES.iter().find(|c| c.file == file).unwrap();
    let (code, out, err) = ntaq_on("run", c, true);
    assert_eq!(code, Some(0), "{file}\n{err}");
    rows(&out)
}

#[test]
fn the_asim_parser_normalizes_the_export_rows() {
    // export-data/NTANetAnalytics.csv, by hand: the StatusMessage row is
    // dropped; FlowStatus maps to DvcAction/EventResult and L4Protocol to
    // NetworkProtocol through the datatables; SrcHostname is SrcVm's last
    // segment, else (empty) SrcIp via coalesce; the port is SrcPorts' first
    // part; EventCount is CompletedFlows, 1 when 0. Row 2's public tuples
    // "20.1.2.3|1|2|3|4 20.1.2.4|1|2|3|4" become ten parts of which the two
    // of at least 7 characters are kept (the mv-apply's summary replaces
    // DestList); DstIpAddr falls back to the first. Rows 1 and 3 have no
    // public IPs: an empty list.
    let got = run_rows("sentinel-parsers/asim-networksession-ntanetanalytics.kql");
    let expected = [
        "EventStartTime,EventUid,SrcHostname,SrcPortNumber,DstIpAddr,DstPortNumber,DvcAction,EventResult,NetworkProtocol,EventCount,AdditionalFields,SrcZone",
        "2025-06-01T10:00:00Z,item-1,vm-a,50000,10.0.1.5,443,Allow,Success,TCP,2,{\"DstIpAddresses\":[]},Internal",
        "2025-06-01T11:00:00Z,item-2,vm-b,40000,20.1.2.3,22,Deny,Failure,UDP,1,{\"DstIpAddresses\":[\"20.1.2.3\",\"20.1.2.4\"]},Internet",
        "2025-06-01T12:00:00Z,item-3,192.168.1.9,61000,10.0.0.4,3389,Deny,Failure,TCP,1,{\"DstIpAddresses\":[]},Internet",
    ];
    let expected: Vec<Vec<String>> = expected.iter().map(|l| split_csv(l)).collect();
    assert_eq!(got, expected);
}

/// A line of the expectation above, split on the commas outside braces.
fn split_csv(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for ch in line.chars() {
        match ch {
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur);
    out
}

#[test]
fn the_filtering_parser_applies_its_parameters() {
    // srcipaddr_has_any_prefix ["10.0.0."] keeps rows 1 and 2 (row 3's
    // source is 192.168.1.9); dvcaction ["Deny"] then keeps row 2 alone,
    // through `DvcAction has_any (dvcaction)` with the dynamic parameter.
    let got = run_rows("sentinel-parsers/vim-networksession-ntanetanalytics.kql");
    assert_eq!(
        got,
        [
            vec!["SrcIpAddr", "SrcPortNumber", "DstPortNumber", "DvcAction", "EventResult", "MatchingIp", "EventUid"],
            vec!["10.0.0.5", "40000", "22", "Deny", "Failure", "SrcIpAddr", "item-2"],
        ]
    );
}

#[test]
fn the_legacy_workbook_joins_topology_and_flows_per_nic() {
    // legacy-data: the one completed topology run (StatusMessage, westeurope,
    // 13:30) finds the NetworkInterface record rg-app/nic-web of VM
    // rg-app/vm-web; F2 leaves through it (NIC1_s: 1 allowed outbound flow),
    // F1 arrives through it (NIC2_s: 3 allowed inbound flows).
    let got = run_rows("sentinel-workbook-legacy/nic-vm-flows.kql");
    let sub = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-app/providers";
    assert_eq!(
        got,
        [
            ["NicId", "VmId", "OutAllowed", "OutDenied", "InAllowed", "InDenied"].map(String::from).to_vec(),
            vec![
                format!("{sub}/Microsoft.Network/networkInterfaces/nic-web"),
                format!("{sub}/Microsoft.Compute/virtualMachines/vm-web"),
                "1".into(),
                "0".into(),
                "3".into(),
                "0".into(),
            ],
        ]
    );
}

#[test]
fn the_workbook_counts_flow_records_per_flow_type() {
    // Independently of the query: the sample's FlowLog rows counted here.
    let raw =
        stdout(&ntaq(&["run", "--quiet", "--format", "csv", "-c", "NTANetAnalytics | project SubType, FlowType"]));
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for r in rows(&raw).into_iter().skip(1) {
        if r[0] == "FlowLog" {
            *expected.entry(r[1].clone()).or_default() += 1;
        }
    }
    assert!(expected.len() > 2, "the sample should have several flow types");
    let got: BTreeMap<String, i64> = run_rows("sentinel-workbook/flow-types.kql")
        .into_iter()
        .skip(1)
        .map(|r| (r[0].clone(), r[1].parse().unwrap()))
        .collect();
    assert_eq!(got, expected);
}
