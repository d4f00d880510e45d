//! Published traffic-analytics queries, kept verbatim in
//! `testdata/published/learn/` (each file names its page and section, and
//! the placeholders it fills with query parameters): Microsoft Learn's "Use
//! queries in traffic analytics" page and the schema-update page's
//! examples. Each checks as Kusto would (the four the page prints with a
//! mistake are errors here too), the NTANetAnalytics / NTAIpDetails ones run
//! on the bundled sample, and the AzureNetworkAnalytics_CL ones on a small
//! export whose answers are derived by hand below
//! (`testdata/published/legacy-data/`, rows T1–T2, F1–F3, S1–S4 described
//! in testdata/published/README.md).

use crate::common::{ntaq, repo, stderr, stdout};
use std::collections::BTreeMap;
const DIR: &str = "testdata/published/learn";
const LEGACY_DATA: &str = "testdata/published/legacy-data";

/// The parameters the placeholders became, and the clock of the sample.
const PARAMS: &[&str] = &[
    "--param",
    "scope:bool=true",
    "--param",
    "startTime:datetime=2025-06-01T00:00:00Z",
    "--param",
    "endTime:datetime=2025-06-02T00:00:00Z",
];

/// Queries printed with a mistake, and the diagnostic Kusto's parser gives
/// them too: a `summarize` line whose `|` is lost after a `//` comment, a
/// group-by column that does not exist, and `step 1 m` (a timespan
/// literal's unit must follow its number: Kusto.Language's
/// `ScanTimespanLiteral`).
const INVALID: &[(&str, &str)] = &[
    ("nta-stdev-vms.kql", "kql::syntax"),
    ("nta-stdev-ips.kql", "kql::semantic::unknown_column"),
    ("legacy-vms-onprem-traffic.kql", "kql::syntax"),
    ("legacy-ips-onprem-traffic.kql", "kql::syntax"),
];

fn corpus() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join(DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".kql"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 24, "{names:?}");
    names
}

fn path(name: &str) -> String {
    format!("{DIR}/{name}")
}

#[test]
fn every_published_query_checks_as_kusto_would() {
    for name in corpus() {
        let mut args = vec!["check", "--target", "log-analytics"];
        args.extend_from_slice(PARAMS);
        let file = path(&name);
        args.push(&file);
        let o = ntaq(&args);
        let err = stderr(&o);
        match INVALID.iter().find(|(n, _)| *n == name) {
            Some((_, code)) => {
                assert_eq!(o.status.code(), Some(1), "{name} should be an error\n{err}");
                assert!(err.contains(code), "{name}: expected {code}\n{err}");
            }
            None => assert_eq!(o.status.code(), Some(0), "{name}\n{err}"),
        }
    }
}

/// Runs a corpus file, CSV out, on `data` (None: the bundled sample).
fn run(name: &str, data: Option<&str>) -> String {
    let file = path(name);
    let mut args = vec!["run", "--quiet", "--format", "csv", "--now", "2025-06-02T00:00:00Z"];
    args.extend_from_slice(PARAMS);
    if let Some(d) = data {
        args.extend(["--data", d]);
    }
    args.push(&file);
    let o = ntaq(&args);
    assert_eq!(o.status.code(), Some(0), "{name}\n{}", stderr(&o));
    stdout(&o)
}

fn rows(csv: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect()
}

#[test]
fn the_valid_sample_queries_run_on_the_bundled_sample() {
    for name in corpus() {
        if INVALID.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let data = name.starts_with("legacy-") || name.starts_with("schema-update");
        let out = run(&name, data.then_some(LEGACY_DATA));
        assert!(out.lines().next().is_some_and(|h| !h.is_empty()), "{name}: no header\n{out}");
    }
}

#[test]
fn cross_regional_traffic_adds_both_directions_per_region_pair() {
    // Independently of the query's where/summarize: every row of the
    // sample's NTANetAnalytics, summed here by (SrcRegion, DestRegion).
    let raw = stdout(&ntaq(&[
        "run",
        "--quiet",
        "--format",
        "csv",
        "-c",
        "NTANetAnalytics | project TimeGenerated, SrcRegion, DestRegion, BytesDestToSrc, BytesSrcToDest",
    ]));
    let mut expected: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in rows(&raw).into_iter().skip(1) {
        // TimeGenerated > ago(30d) with the clock at 2025-06-02T00:00:00Z:
        // after 2025-05-03T00:00:00Z (ISO text compares in time order).
        if r[0].as_str() <= "2025-05-03T00:00:00Z" || r[1].is_empty() || r[2].is_empty() {
            continue;
        }
        let bytes = r[3].parse::<i64>().unwrap() + r[4].parse::<i64>().unwrap();
        *expected.entry((r[1].clone(), r[2].clone())).or_default() += bytes;
    }
    assert!(expected.len() > 1, "the sample should have several region pairs");
    let got: BTreeMap<(String, String), i64> = rows(&run("nta-cross-region.kql", None))
        .into_iter()
        .skip(1)
        .map(|r| ((r[0].clone(), r[1].clone()), r[2].parse().unwrap()))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn the_blob_path_query_joins_topology_and_flows_as_published() {
    // T1 is the NSG's topology record (T2 is discovered outside its region
    // and dropped): nsgId = "<sub>/rg-app/nsg-app", saName = "stflowlogs"
    // (the 3rd part of its storage account id), binTime 12:00 (13:30 in
    // 6-hour bins). The right outer join keeps every FlowLog row: F1 (ends
    // 13:59, bin 12:00) finds T1; F2 (ends 19:10, bin 18:00) finds nothing,
    // so its saName is empty. F3 is older than 30 days; S1–S4 are not
    // ExternalPublic. format_datetime's `hh` is the 12-hour clock (Kusto's
    // format_datetime page), so 13:00 is "01" and 19:00 is "07"; the MAC
    // loses its dashes (replace, the old name of replace_regex).
    let out = run("legacy-blob-path.kql", Some(LEGACY_DATA));
    let mut got = rows(&out);
    assert_eq!(got.remove(0), ["Subnet_s", "BlobPath"]);
    got.sort();
    let path = |sa: &str, h: &str, mac: &str| {
        format!(
            "https://{sa}@insights-logs-networksecuritygroupflowevent/resoureId=/SUBSCRIPTIONS/\
             11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/RG-APP/PROVIDERS/MICROSOFT.NETWORK/\
             NETWORKSECURITYGROUPS/NSG-APP/y=2025/m=06/d=01/h={h}/m=00/macAddress={mac}/PT1H.json"
        )
    };
    assert_eq!(
        got,
        [
            vec!["rg-app/vnet-app/db".to_string(), path("", "07", "000D3AAABBCC")],
            vec!["rg-app/vnet-app/web".to_string(), path("stflowlogs", "01", "000D3A1B2C3D")],
        ]
    );
}

fn stdevs(name: &str) -> BTreeMap<String, f64> {
    let out = run(name, Some(LEGACY_DATA));
    let mut r = rows(&out);
    assert_eq!(r.remove(0)[1], "deviation");
    r.into_iter().map(|r| (r[0].clone(), r[1].parse().unwrap())).collect()
}

fn assert_close(got: &BTreeMap<String, f64>, expected: &[(&str, f64)]) {
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (k, v) in expected {
        let g = got.get(*k).unwrap_or_else(|| panic!("no {k} in {got:?}"));
        assert!((g - v).abs() < 1e-9, "{k}: {g} != {v}");
    }
}

#[test]
fn standard_deviations_of_on_premises_traffic_are_the_sample_deviations() {
    // S1–S4 carry 2, 5, 6 and 8 flows. Per VM (both ends, empty dropped):
    // vm-a has S1, S2, S3 = 2, 5, 6: mean 13/3, squares 49/9 + 4/9 + 25/9
    // = 78/9, over n − 1 = 2 (stdev is the sample deviation): sqrt(13/3).
    // vm-b has S3, S4 = 6, 8: sqrt(2).
    assert_close(
        &stdevs("legacy-stdev-vms.kql"),
        &[("rg-app/vm-a", (13.0f64 / 3.0).sqrt()), ("rg-app/vm-b", 2f64.sqrt())],
    );
    // Per IP: 192.168.1.10 and 10.1.0.4 have S1, S2 = 2, 5: sqrt(4.5);
    // 10.1.0.5 and 192.168.1.20 have S3, S4 = 6, 8: sqrt(2). The F rows
    // are not S2S.
    assert_close(
        &stdevs("legacy-stdev-ips.kql"),
        &[
            ("10.1.0.4", 4.5f64.sqrt()),
            ("10.1.0.5", 2f64.sqrt()),
            ("192.168.1.10", 4.5f64.sqrt()),
            ("192.168.1.20", 2f64.sqrt()),
        ],
    );
}

#[test]
fn ports_between_ip_pairs_expand_public_ip_lists() {
    // Every FlowLog row of 2025-06-01 (F3 is April's): F1's two public
    // sources (the part before `|`) each to 10.1.0.4, F2's 10.1.0.6 to its
    // one public destination, and S1–S4's own pairs; S1 and S2 share every
    // key, so their ports gather in one set.
    let out = run("legacy-ports-between-ip-pairs.kql", Some(LEGACY_DATA));
    let mut got = rows(&out);
    assert_eq!(
        got.remove(0),
        ["SourceIp", "DestIp", "NSGList_s", "NSGRule_s", "L4Protocol_s", "FlowStatus_s", "DestPorts"]
    );
    let mut pairs: Vec<(String, String, String, Vec<f64>)> = got
        .into_iter()
        .map(|r| {
            let ports: Vec<serde_json::Value> = serde_json::from_str(&r[6]).unwrap();
            let mut ports: Vec<f64> = ports.iter().map(|p| p.as_f64().unwrap()).collect();
            ports.sort_by(f64::total_cmp);
            (r[0].clone(), r[1].clone(), r[3].clone(), ports)
        })
        .collect();
    pairs.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    let p =
        |s: &str, d: &str, rule: &str, ports: &[f64]| (s.to_string(), d.to_string(), rule.to_string(), ports.to_vec());
    assert_eq!(
        pairs,
        [
            p("10.1.0.5", "192.168.1.20", "allow-out", &[53.0]),
            p("10.1.0.5", "192.168.1.20", "deny-out", &[445.0]),
            p("10.1.0.6", "40.1.1.1", "allow-out", &[443.0]),
            p("192.168.1.10", "10.1.0.4", "allow-onprem", &[22.0, 3389.0]),
            p("20.1.2.3", "10.1.0.4", "allow-https", &[443.0]),
            p("20.1.2.4", "10.1.0.4", "allow-https", &[443.0]),
        ]
    );
}
