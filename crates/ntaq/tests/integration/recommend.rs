//! `ntaq recommend` as users call it: the bundled sample passes the
//! replay, the hand-built fixture (testdata/recommend) gives the rules
//! derived by hand, files are written whole, bad input exits 2.

use crate::common::{ntaq, repo};
use serde_json::Value;
use std::process::{Command, Output};

fn json_of(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

const FIXTURE: [&str; 6] = [
    "--data",
    "testdata/recommend",
    "--nsg",
    "testdata/recommend/nsgs.json",
    "--topology",
    "testdata/recommend/vnets.json",
];

/// On the bundled sample, at every granularity, the recommended rules
/// pass the default-deny replay: no observed allowed flow is blocked.
#[test]
fn the_sample_passes_the_replay() {
    for agg in ["subnet", "prefix", "ip"] {
        let v = json_of(&ntaq(&["recommend", "--format", "json", "-q", "--aggregate", agg]));
        assert_eq!(v["blockedByDefaultDeny"], serde_json::json!([]), "--aggregate {agg}");
        let nsgs = v["nsgs"].as_array().unwrap();
        assert!(!nsgs.is_empty());
        for n in nsgs {
            for r in n["rules"].as_array().unwrap() {
                assert_ne!(r["properties"]["protocol"], "*");
                assert_eq!(r["properties"]["access"], "Allow");
            }
        }
    }
    // --min-flows 3 sets pairs aside, and the replay then reports them.
    let v = json_of(&ntaq(&["recommend", "--format", "json", "-q", "--min-flows", "3"]));
    assert!(!v["blockedByDefaultDeny"].as_array().unwrap().is_empty());
    assert!(v["blockedByDefaultDeny"].as_array().unwrap().iter().all(|p| p["flows"].as_u64().unwrap() < 3));
}

/// testdata/recommend (see its README): the rules derived by hand.
#[test]
fn the_fixture_gives_the_hand_derived_rules() {
    let mut args = vec!["recommend", "--format", "json", "-q"];
    args.extend(FIXTURE);
    let v = json_of(&ntaq(&args));
    let rules = |nsg: &str| -> Vec<(String, u64, String, String, String, String, String)> {
        let n = v["nsgs"].as_array().unwrap().iter().find(|n| n["nsg"] == nsg).unwrap();
        n["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let p = &r["properties"];
                let text = |one: &str, many: &str| match (&p[one], &p[many]) {
                    (Value::String(s), _) => s.clone(),
                    (_, Value::Array(a)) => a.iter().map(|x| x.as_str().unwrap()).collect::<Vec<_>>().join(","),
                    _ => panic!("{r}"),
                };
                (
                    r["name"].as_str().unwrap().to_string(),
                    p["priority"].as_u64().unwrap(),
                    p["direction"].as_str().unwrap().to_string(),
                    p["protocol"].as_str().unwrap().to_string(),
                    text("sourceAddressPrefix", "sourceAddressPrefixes"),
                    text("destinationAddressPrefix", "destinationAddressPrefixes"),
                    text("destinationPortRange", "destinationPortRanges"),
                )
            })
            .collect()
    };
    let r = |n: &str, p, d: &str, proto: &str, s: &str, dst: &str, ports: &str| {
        (n.to_string(), p, d.to_string(), proto.to_string(), s.to_string(), dst.to_string(), ports.to_string())
    };
    assert_eq!(
        rules("nsg-web"),
        [
            r(
                "allow-in-tcp-443-web-from-app-and-1-more",
                120,
                "Inbound",
                "Tcp",
                "10.0.2.0/24,203.0.113.7",
                "10.0.1.0/24",
                "443"
            ),
            r("allow-out-tcp-1433-db-from-web", 100, "Outbound", "Tcp", "10.0.1.0/24", "10.0.3.0/24", "1433"),
        ]
    );
    assert_eq!(
        rules("nsg-app"),
        [
            r("allow-in-tcp-8080-8082-app-from-web", 110, "Inbound", "Tcp", "10.0.1.0/24", "10.0.2.0/24", "8080-8082"),
            r("allow-out-tcp-53-168.63.129.16-from-app", 100, "Outbound", "Tcp", "10.0.2.0/24", "168.63.129.16", "53"),
            r("allow-out-udp-53-168.63.129.16-from-app", 110, "Outbound", "Udp", "10.0.2.0/24", "168.63.129.16", "53"),
        ]
    );
    assert_eq!(v["unusedRules"], serde_json::json!([{"nsg": "nsg-web", "rule": "allow-rdp-legacy"}]));
    assert_eq!(v["blockedByDefaultDeny"], serde_json::json!([]));
    assert_eq!(v["defaultOnlyFlows"].as_array().unwrap().len(), 8);
    let flows: Vec<u64> = v["nsgs"].as_array().unwrap().iter().map(|n| n["flowsAdmitted"].as_u64().unwrap()).collect();
    assert_eq!(flows, [11, 16]);
}

#[test]
fn every_format_writes_a_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    for (format, needle) in [
        ("table", "Recommended allow rules: 5 in 2 NSG(s)"),
        ("json", "\"blockedByDefaultDeny\""),
        ("arm", "\"networkSecurityGroups\""),
        ("bicep", "resource nsg_web 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {"),
        ("az", "az network nsg rule create --resource-group rg-demo --nsg-name nsg-web"),
        ("html", "<h2>NSG nsg-web</h2>"),
    ] {
        let out = dir.path().join(format!("out.{format}"));
        let mut args = vec!["recommend", "--format", format, "-o", out.to_str().unwrap()];
        args.extend(FIXTURE);
        let o = ntaq(&args);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(o.stdout.is_empty());
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains(needle), "{format}: {text}");
    }
    // The az script parses as a POSIX shell script (`sh -n`), where a shell is at hand.
    if let Ok(o) = Command::new("sh").arg("-n").arg(dir.path().join("out.az")).output() {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let leftovers: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 6, "no temporary files left: {leftovers:?}");
}

#[test]
fn bad_input_exits_2_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = ntaq(&["recommend", "--window", "soon", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("recommend::window"));
    let o = ntaq(&["recommend", "--nsg", "testdata/recommend/missing.json", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("azure::io"));
    let o = ntaq(&["recommend", "--nsg", "testdata/recommend/vnets.json"]);
    assert_eq!(o.status.code(), Some(2), "a VNet export is not an NSG export");
    let o = ntaq(&["recommend", "--aggregate", "vnet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
}

#[test]
fn window_selects_flows() {
    // The fixture's flows run 10:00–11:59 on 2025-06-01; the hour before
    // 12:00 keeps rows 7–12 (11:xx).
    let mut args =
        vec!["recommend", "--format", "json", "-q", "--window", "2025-06-01T11:00:00Z..2025-06-01T12:00:00Z"];
    args.extend(FIXTURE);
    let v = json_of(&ntaq(&args));
    let total: u64 = v["nsgs"].as_array().unwrap().iter().map(|n| n["flowsAdmitted"].as_u64().unwrap()).sum();
    // Rows 7, 8 (1 + 1), 10, 11 (6 + 1), 12 (1): 10 allowed flows; row 9 is denied.
    assert_eq!(total, 10);
}

#[test]
fn help_has_examples() {
    let o = ntaq(&["recommend", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Examples:\n  ntaq recommend"), "{text}");
    for flag in ["--nsg", "--topology", "--service-tags", "--window", "--min-flows", "--aggregate", "--format"] {
        assert!(text.contains(flag), "{flag}");
    }
}

/// docs/recommend.md shows the fixture's table, json, bicep and az output
/// whole: they must be what the command prints.
#[test]
fn docs_show_the_real_output() {
    let doc = std::fs::read_to_string(repo().join("docs/recommend.md")).unwrap();
    // (format, text just before the block, the block's fence line)
    for (format, anchor, fence) in [
        ("table", "### `table` (default)", "```\n"),
        ("json", "On the fixture:", "```json\n"),
        ("bicep", "### `bicep`", "```bicep\n"),
        ("az", "### `az`", "```sh\n"),
    ] {
        let mut args = vec!["recommend", "-q", "--format", format];
        args.extend(FIXTURE);
        let out = String::from_utf8(ntaq(&args).stdout).unwrap();
        let after = &doc[doc.find(anchor).unwrap_or_else(|| panic!("{anchor}"))..];
        let body = &after[after.find(fence).unwrap() + fence.len()..];
        let block = &body[..body.find("```\n").unwrap()];
        assert_eq!(block, out, "docs/recommend.md's {format} example is stale");
    }
}

/// `--flow-logs`: the raw blobs ntaq-gen writes (testdata/flowlogs/generated)
/// are read and NTANetAnalytics derived from them, as `run --flow-logs`
/// does; the recommended rules pass the replay and every NSG of the export
/// that decided an observed flow gets rules.
#[test]
fn flow_logs_feed_the_recommender() {
    let g = "testdata/flowlogs/generated";
    let (blobs, topo, tags) =
        (format!("{g}/flowlogs"), format!("{g}/topology"), format!("{g}/ServiceTags_Public_20250601.json"));
    let nsgs = format!("{g}/topology/nsgs.json");
    let args = [
        "recommend",
        "--flow-logs",
        &blobs,
        "--topology",
        &topo,
        "--service-tags",
        &tags,
        "--nsg",
        &nsgs,
        "--format",
        "json",
        "-q",
    ];
    let v = json_of(&ntaq(&args));
    assert_eq!(v["blockedByDefaultDeny"], serde_json::json!([]));
    let nsgs = v["nsgs"].as_array().unwrap();
    assert!(!nsgs.is_empty());
    assert!(nsgs.iter().all(|n| n["flowsAdmitted"].as_u64().unwrap() > 0));
    // --flow-logs and --data are two sources of the same table.
    let o = ntaq(&["recommend", "--flow-logs", &blobs, "--data", "testdata/sample"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
}
