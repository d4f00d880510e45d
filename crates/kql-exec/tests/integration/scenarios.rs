//! The article's four queries, verbatim, over small hand-made NTA tables,
//! against results worked out by hand from the queries' logic.

use crate::common;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray};
use common::{NOW, Table, expect, run_with};
use kql_exec::MemTables;
use kql_plan::{Catalog, Params};
use kql_types::Value;
use std::sync::Arc;

const HOUR: i64 = 3_600_000_000_000;

fn scenario(n: usize) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(format!("queries/scenario{n}.kql"))).unwrap()
}

/// A batch from (name, column) pairs; `s` strings, `l` longs, `t` times.
fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(cols).unwrap()
}

fn s(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

fn l(v: &[i64]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}

fn t(v: &[i64]) -> ArrayRef {
    Arc::new(TimestampNanosecondArray::from(v.to_vec()))
}

/// Runs `query` over `tables`, and checks the result does not change when
/// the rows come in batches of 1, 3 or 8192 rows, or from Parquet files
/// with each table split across three files.
fn run(query: &str, tables: &MemTables, params: &Params) -> Table {
    let base = run_with(query, &Catalog::nta(), tables, params).unwrap_or_else(|e| panic!("{e}"));
    let rows = |t: &Table| {
        let mut r = t.rows.clone();
        r.sort();
        r
    };
    for size in [1, 3, 8192] {
        let t = run_with(query, &Catalog::nta(), &tables.rebatched(size), params).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((&t.header, rows(&t)), (&base.header, rows(&base)), "batches of {size} rows");
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, batches) in tables.iter() {
        let all = arrow_select::concat::concat_batches(&batches[0].schema(), batches).unwrap();
        std::fs::create_dir(dir.path().join(name)).unwrap();
        let n = all.num_rows();
        for k in 0..3 {
            let (from, to) = (n * k / 3, n * (k + 1) / 3);
            let file = std::fs::File::create(dir.path().join(name).join(format!("part-{k}.parquet"))).unwrap();
            let mut w = parquet::arrow::ArrowWriter::try_new(file, all.schema(), None).unwrap();
            w.write(&all.slice(from, to - from)).unwrap();
            w.close().unwrap();
        }
    }
    let files = kql_exec::ParquetTables::new(Arc::new(kql_io::DataDir::open(dir.path()).unwrap()));
    let t = run_with(query, &Catalog::nta(), &files, params).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((&t.header, rows(&t)), (&base.header, rows(&base)), "tables split across files");
    base
}

#[test]
fn scenario1_risky_regions() {
    let mut tables = MemTables::new();
    tables.insert(
        "NTAIpDetails",
        vec![batch(vec![
            ("Ip", s(&["1.1.1.1", "2.2.2.2", "3.3.3.3", "1.1.1.1"])),
            ("Location", s(&["country1", "country2", "US", "country1"])),
            ("FlowType", s(&["MaliciousFlow", "ExternalPublic", "ExternalPublic", "MaliciousFlow"])),
            ("ThreatType", s(&["Botnet", "", "", "Botnet"])),
            ("DnsDomain", s(&["evil.example", "", "", "evil.example"])),
            ("ThreatDescription", s(&["bad", "", "", "bad"])),
            ("PublicIpDetails", s(&["whois1", "whois2", "whois3", "whois1"])),
            ("Url", s(&["http://evil", "", "", "http://evil"])),
        ])],
    );
    tables.insert(
        "NTANetAnalytics",
        vec![batch(vec![
            ("SubType", s(&["FlowLog", "FlowLog", "FlowLog", "StatusMessage", "FlowLog"])),
            ("FlowType", s(&["MaliciousFlow", "ExternalPublic", "IntraVNet", "MaliciousFlow", "MaliciousFlow"])),
            (
                "SrcPublicIps",
                s(&[
                    "1.1.1.1|1|0|1|1|10|20",
                    "2.2.2.2|1|1|1|1|1|1 3.3.3.3|1|1|1|1|1|1",
                    "",
                    "1.1.1.1|1|1|1|1|1|1",
                    "1.1.1.1|2|2|2|2|2|2",
                ]),
            ),
            ("SrcIp", s(&["", "", "10.0.0.9", "", ""])),
            ("DestIp", s(&["10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.4", "10.0.0.4"])),
            ("SrcVm", s(&["", "", "rg9/vm9", "", ""])),
            ("DestVm", s(&["rg1/vm1", "", "rg1/vm6", "rg1/vm1", "rg1/vm1"])),
            ("SrcSubscription", s(&["", "", "sub9", "", ""])),
            ("DestSubscription", s(&["sub1", "sub2", "sub1", "sub1", "sub1"])),
        ])],
    );
    let t = run(&scenario(1), &tables, &Params::default()).sorted();
    let vm = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1";
    let header = [
        "SrcExternalIp:string",
        "DestCompromisedIp:string",
        "CompromisedVM:string",
        "PublicIpDetails:string",
        "FlowType:string",
        "ThreatType:string",
        "DnsDomain:string",
        "ThreatDescription:string",
        "Location:string",
        "Url:string",
        "count_:long",
    ];
    // 3.3.3.3 is in the US; the IntraVNet and StatusMessage rows are filtered;
    // the two flows from 1.1.1.1 to 10.0.0.4 count together, once each (the
    // duplicate NTAIpDetails row is removed by `distinct`).
    let expected = expect(
        &header,
        &[
            &[
                "🌐 1.1.1.1",
                "🖥\u{fe0f}10.0.0.4",
                vm,
                "whois1",
                "MaliciousFlow",
                "Botnet",
                "evil.example",
                "bad",
                "country1",
                "http://evil",
                "2",
            ],
            &["🌐 2.2.2.2", "🖥\u{fe0f}10.0.0.5", "", "whois2", "ExternalPublic", "", "", "", "country2", "", "1"],
        ],
    )
    .sorted();
    assert_eq!(t, expected);
}

#[test]
fn scenario2_azure_services_per_vnet() {
    let recent = NOW - HOUR;
    let old = NOW - 5 * HOUR;
    let mut tables = MemTables::new();
    tables.insert(
        "NTAIpDetails",
        vec![batch(vec![
            ("Ip", s(&["20.1.1.1", "20.2.2.2", "20.3.3.3", "9.9.9.9"])),
            ("FlowType", s(&["AzurePublic", "AzurePublic", "AzurePublic", "ExternalPublic"])),
            ("FlowIntervalStartTime", t(&[recent, recent, old, recent])),
            ("PublicIpDetails", s(&["Azure Monitor", "Azure Arc", "Old Service", "Someone"])),
        ])],
    );
    let vnet_a = "/subscriptions/A/resourceGroups/rgA/providers/Microsoft.Network/virtualNetworks/vnetA";
    let vnet_b = "/subscriptions/B/resourceGroups/rgB/providers/Microsoft.Network/virtualNetworks/vnetB";
    tables.insert(
        "NTANetAnalytics",
        vec![batch(vec![
            ("SubType", s(&["FlowLog", "FlowLog", "FlowLog", "FlowLog", "FlowLog"])),
            ("FlowIntervalStartTime", t(&[recent, recent, recent, old, recent])),
            (
                "SrcPublicIps",
                s(&[
                    "20.1.1.1|1|1|1|1|1|1 20.2.2.2|1|1|1|1|1|1",
                    "",
                    "20.1.1.1|1|1|1|1|1|1",
                    "20.1.1.1|1|1|1|1|1|1",
                    "",
                ]),
            ),
            ("DestPublicIps", s(&["", "20.1.1.1|1|1|1|1|1|1", "", "", ""])),
            ("SrcSubnet", s(&["rgA/vnetA/s1", "", "rgA/vnetA/s2", "rgA/vnetA/s1", "rgA/vnetA/s1"])),
            ("DestSubnet", s(&["", "rgB/vnetB/s1", "", "", ""])),
            ("SrcSubscription", s(&["A", "", "A", "A", "A"])),
            ("DestSubscription", s(&["", "B", "", "", ""])),
        ])],
    );
    let t = run(&scenario(2), &tables, &Params::default());
    // vnetA talks to Azure Monitor twice (rows 1 and 3) and Azure Arc once;
    // vnetB (via DestSubnet) to Azure Monitor once. Row 4 is older than 4h;
    // row 5 has no public IP. top … desc orders by the count.
    assert_eq!(t.header, ["Vnet:string", "PublicIpDetails:string", "CounterValue:long"]);
    assert_eq!(t.rows[0], [vnet_a, "Azure Monitor", "2"]);
    let mut rest = t.rows[1..].to_vec();
    rest.sort();
    assert_eq!(rest, [vec![vnet_a, "Azure Arc", "1"], vec![vnet_b, "Azure Monitor", "1"]]);
}

#[test]
fn scenario3_blast_radius() {
    let start = NOW - 24 * HOUR;
    let inside = NOW - 2 * HOUR;
    let outside = NOW - 48 * HOUR;
    let mut tables = MemTables::new();
    tables.insert(
        "NTAIpDetails",
        vec![batch(vec![
            ("Ip", s(&["6.6.6.6", "10.0.0.3", "7.7.7.7"])),
            ("FlowIntervalStartTime", t(&[inside, inside, outside])),
            ("FlowType", s(&["MaliciousFlow", "ExternalPublic", "MaliciousFlow"])),
            ("Location", s(&["XX", "country1", "YY"])),
        ])],
    );
    tables.insert(
        "NTANetAnalytics",
        vec![batch(vec![
            ("FlowStartTime", t(&[inside, inside, inside, outside])),
            ("SubType", s(&["FlowLog", "FlowLog", "FlowLog", "FlowLog"])),
            ("FlowType", s(&["MaliciousFlow", "MaliciousFlow", "IntraVNet", "MaliciousFlow"])),
            ("SrcIp", s(&["", "10.0.0.1", "10.0.0.2", "10.0.0.8"])),
            ("DestIp", s(&["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.9"])),
            ("FlowLogResourceId", s(&["f", "f", "f", "f"])),
            ("TargetResourceId", s(&["r", "r", "r", "r"])),
        ])],
    );
    let iso = |v: i64| kql_syntax::time::format_datetime(v);
    let text = scenario(3).replace("{timeInterval:startISO}", &iso(start)).replace("{timeInterval:endISO}", &iso(NOW));
    let t = run(&text, &tables, &Params::default()).sorted();
    // Observed: ("", .1) and (.1, .2) are malicious flows in the window; (.2, .3)
    // reaches a country1 IP. Two rounds of transitive closure add ("", .2),
    // (.1, .3) and ("", .3). The flow outside the window is not malicious here.
    let p = |ip: &str| format!("🖥\u{fe0f} {ip}");
    let mut expected: Vec<Vec<String>> = [
        ("", "10.0.0.1"),
        ("10.0.0.1", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.3"),
        ("", "10.0.0.2"),
        ("10.0.0.1", "10.0.0.3"),
        ("", "10.0.0.3"),
    ]
    .iter()
    .map(|(a, b)| vec![p(a), p(b)])
    .collect();
    expected.sort();
    assert_eq!(t.header, ["SrcIp:string", "DestIp:string"]);
    assert_eq!(t.rows, expected);
}

#[test]
fn scenario4_cross_subscription_flows() {
    let t0 = NOW - 10 * HOUR;
    let mut tables = MemTables::new();
    tables.insert(
        "NTANetAnalytics",
        vec![batch(vec![
            ("SubType", s(&["FlowLog"; 7])),
            ("FlowType", s(&["InterVNet", "InterVNet", "InterVNet", "IntraVNet", "AzurePublic", "S2S", "S2S"])),
            ("FlowStartTime", t(&[t0, t0 + HOUR, t0, t0, t0, NOW + 5 * HOUR, t0])),
            ("AclGroup", s(&["nsg1", "nsg1", "Unspecified", "nsg2", "nsg3", "nsg4", "nsg5"])),
            ("AclRule", s(&["r1", "r1", "r1", "r2", "r3", "r4", "r5"])),
            (
                "DestSubnet",
                s(&["rgB/vnetB/s1", "rgB/vnetB/s1", "rgB/vnetB/s1", "rgA/vnetA/s2", "", "rgB/vnetB/s1", ""]),
            ),
            (
                "SrcSubnet",
                s(&[
                    "rgA/vnetA/s1",
                    "rgA/vnetA/s1",
                    "rgA/vnetA/s1",
                    "rgA/vnetA/s1",
                    "rgA/vnetA/s1",
                    "rgC/vnetC/s1",
                    "rgC/vnetC/x",
                ]),
            ),
            ("SrcSubscription", s(&["A", "A", "A", "A", "A", "C", "C"])),
            ("DestSubscription", s(&["B", "B", "B", "A", "", "B", ""])),
            ("CompletedFlows", l(&[5, 3, 100, 100, 100, 100, 7])),
        ])],
    );
    let mut p = Params::default();
    p.set("start", Value::DateTime(Some(NOW - 24 * HOUR)));
    p.set("end", Value::DateTime(Some(NOW)));
    let t = run(&scenario(4), &tables, &p).sorted();
    let net = |sub: &str, rg: &str, vnet: &str| {
        format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}")
    };
    // Rows 1+2 sum to 8; row 3 is Unspecified, row 4 same-subscription, row 5
    // AzurePublic, row 6 after `end`; row 7 has no destination subnet, so
    // Dest is "" and its DestSubscription is "/subscriptions/".
    let expected = expect(
        &[
            "Src:string",
            "Dest:string",
            "SrcSubscription:string",
            "DestSubscription:string",
            "AclGroup:string",
            "AclRule:string",
            "FlowType:string",
            "Flows:long",
        ],
        &[
            &[
                &net("A", "rgA", "vnetA"),
                &net("B", "rgB", "vnetB"),
                "/subscriptions/A",
                "/subscriptions/B",
                "nsg1",
                "r1",
                "InterVNet",
                "8",
            ],
            &[&net("C", "rgC", "vnetC"), "", "/subscriptions/C", "/subscriptions/", "nsg5", "r5", "S2S", "7"],
        ],
    )
    .sorted();
    assert_eq!(t, expected);
}
