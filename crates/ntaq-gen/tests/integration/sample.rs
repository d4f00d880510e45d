//! The committed sample (testdata/sample) is exactly what the documented
//! command generates, and each article scenario finds rows in it. The
//! scenario checks re-implement the queries' filters in plain Rust (no ntaq
//! engine), so they also give the expected result sizes independently.

use crate::common;

use clap::Parser;
use common::{HOUR_US, Table, read, us};
use ntaq_gen::cli::Args;
use ntaq_gen::{GenConfig, IP_TABLE, NET_TABLE, generate};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample_dir() -> PathBuf {
    repo().join("testdata/sample")
}

const COMMAND: &str = "cargo run -p ntaq-gen -- --rows 2000 --seed 20250601 --start 2025-06-01T00:00:00Z --hours 24 --out testdata/sample";

#[test]
fn readme_documents_the_command_that_makes_the_sample() {
    let readme = std::fs::read_to_string(repo().join("testdata/README.md")).unwrap();
    assert!(readme.contains(COMMAND), "testdata/README.md shows `{COMMAND}`");
    let words = COMMAND.split(' ').skip_while(|w| *w != "--").skip(1);
    let args = Args::try_parse_from(std::iter::once("ntaq-gen").chain(words)).unwrap();
    assert_eq!(args.config(), GenConfig::sample());
    assert_eq!(args.out.as_deref(), Some(Path::new("testdata/sample")));
}

#[test]
fn committed_sample_is_what_generate_produces() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = generate(&GenConfig::sample(), tmp.path()).unwrap();
    for table in [NET_TABLE, IP_TABLE] {
        let committed = read(&sample_dir(), table);
        let fresh = read(tmp.path(), table);
        assert_eq!(committed.paths.len(), 1, "{table} is one file in the sample");
        assert_eq!(committed.schema, fresh.schema, "{table} schema");
        assert_eq!(committed.table, fresh.table, "{table} rows: regenerate with `{COMMAND}`");
        assert_eq!(committed.metadata[0].num_row_groups(), 1, "{table}: one row group");
    }
    assert_eq!(summary.net_rows, 2_000);
    let size: u64 = [NET_TABLE, IP_TABLE]
        .iter()
        .map(|t| std::fs::metadata(sample_dir().join(format!("{t}.parquet"))).unwrap().len())
        .sum();
    assert!(size < 400_000, "sample stays small: {size} bytes");
}

struct Sample {
    net: Table,
    ip: Table,
}

fn sample() -> Sample {
    Sample { net: read(&sample_dir(), NET_TABLE).table, ip: read(&sample_dir(), IP_TABLE).table }
}

const START: &str = "2025-06-01T00:00:00Z";
const END: &str = "2025-06-02T00:00:00Z";

/// `split(s, " ")` then `tostring(split(e, "|")[0])` for each element;
/// `split("", " ")` is `[""]`.
fn entry_ips(list: &str) -> Vec<String> {
    list.split(' ').map(|e| e.split('|').next().unwrap_or("").to_string()).collect()
}

fn vnet_id(sub: &str, subnet: &str) -> String {
    let parts: Vec<&str> = subnet.split('/').collect();
    format!(
        "/subscriptions/{sub}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworks/{}",
        parts[0],
        parts.get(1).unwrap_or(&"")
    )
}

#[test]
fn sample_has_every_kind_of_row() {
    let s = sample();
    assert_eq!(s.net.rows, 2_000);
    let kinds: BTreeSet<&str> = s.net.s("FlowType").into_iter().collect();
    assert_eq!(kinds.len(), 10, "nine FlowTypes and the status messages' empty one: {kinds:?}");
    assert!(s.net.s("SubType").contains(&"StatusMessage"));
    let hours: BTreeSet<i64> = s.net.ts("FlowIntervalStartTime").iter().map(|t| t.unwrap()).collect();
    assert_eq!(hours.len(), 24);
    assert_eq!(*hours.first().unwrap(), us(START));
    assert_eq!(*hours.last().unwrap(), us(END) - HOUR_US);
}

/// Scenario 1: inbound external/malicious flows from IPs whose Location is
/// the article's placeholder "country1"/"country2".
#[test]
fn scenario1_finds_rows() {
    let s = sample();
    let mut external: HashMap<&str, (&str, &str)> = HashMap::new(); // Ip -> (Location, PublicIpDetails)
    let (ip, loc, ft, det) = (s.ip.s("Ip"), s.ip.s("Location"), s.ip.s("FlowType"), s.ip.s("PublicIpDetails"));
    for i in 0..s.ip.rows {
        if ["country1", "country2"].contains(&loc[i]) && ["MaliciousFlow", "ExternalPublic"].contains(&ft[i]) {
            external.insert(ip[i], (loc[i], det[i]));
        }
    }
    let n = &s.net;
    let (sub_type, flow_type, src_pub, src_ip) = (n.s("SubType"), n.s("FlowType"), n.s("SrcPublicIps"), n.s("SrcIp"));
    let (dst_ip, dst_vm, dst_sub) = (n.s("DestIp"), n.s("DestVm"), n.s("DestSubscription"));
    let mut groups = HashSet::new();
    let mut locations = HashSet::new();
    for i in 0..n.rows {
        if sub_type[i] != "FlowLog" || !["ExternalPublic", "MaliciousFlow"].contains(&flow_type[i]) {
            continue;
        }
        for e in entry_ips(src_pub[i]) {
            let all_src = if src_ip[i].is_empty() { e.as_str() } else { src_ip[i] };
            if let Some((l, _)) = external.get(all_src) {
                locations.insert(*l);
                groups.insert((all_src.to_string(), dst_ip[i], dst_sub[i], dst_vm[i], flow_type[i]));
            }
        }
    }
    assert_eq!(locations.len(), 2, "both placeholder countries match");
    assert!(groups.iter().any(|g| g.4 == "MaliciousFlow") && groups.iter().any(|g| g.4 == "ExternalPublic"));
    assert_eq!(groups.len(), 61, "scenario 1 result rows (testdata/README.md)");
}

/// Scenario 2 with `--now 2025-06-02T00:00:00Z`: AzurePublic IPs seen in
/// the intervals after 20:00.
#[test]
fn scenario2_finds_rows() {
    let s = sample();
    let since = us(END) - 4 * HOUR_US;
    let mut services: HashMap<&str, Vec<&str>> = HashMap::new(); // Ip -> PublicIpDetails per matching row
    let (ip, ft, det, start) =
        (s.ip.s("Ip"), s.ip.s("FlowType"), s.ip.s("PublicIpDetails"), s.ip.ts("FlowIntervalStartTime"));
    for i in 0..s.ip.rows {
        if ft[i] == "AzurePublic" && start[i].unwrap() > since {
            services.entry(ip[i]).or_default().push(det[i]);
        }
    }
    assert!(!services.is_empty());
    let n = &s.net;
    let (sub_type, start) = (n.s("SubType"), n.ts("FlowIntervalStartTime"));
    let (src_pub, dst_pub) = (n.s("SrcPublicIps"), n.s("DestPublicIps"));
    let (src_subnet, dst_subnet, src_sub, dst_sub) =
        (n.s("SrcSubnet"), n.s("DestSubnet"), n.s("SrcSubscription"), n.s("DestSubscription"));
    let mut counts: HashMap<(String, &str), usize> = HashMap::new();
    for i in 0..n.rows {
        if sub_type[i] != "FlowLog" || start[i].unwrap() <= since || (src_pub[i].is_empty() && dst_pub[i].is_empty()) {
            continue;
        }
        let list = if src_pub[i].is_empty() { dst_pub[i] } else { src_pub[i] };
        let vnet = if !src_subnet[i].is_empty() {
            vnet_id(src_sub[i], src_subnet[i])
        } else if !dst_subnet[i].is_empty() {
            vnet_id(dst_sub[i], dst_subnet[i])
        } else {
            String::new()
        };
        for e in entry_ips(list) {
            for d in services.get(e.as_str()).into_iter().flatten() {
                *counts.entry((vnet.clone(), *d)).or_default() += 1;
            }
        }
    }
    assert!(counts.keys().any(|(_, d)| *d == "Microsoft Virtual Public IP"));
    assert_eq!(counts.len(), 29, "scenario 2 result rows (testdata/README.md)");
}

fn compose(pairs: &BTreeSet<(String, String)>) -> (BTreeSet<(String, String)>, usize) {
    let mut by_src: HashMap<&str, Vec<&str>> = HashMap::new();
    for (a, b) in pairs {
        by_src.entry(a).or_default().push(b);
    }
    let mut out = BTreeSet::new();
    let mut joined = 0;
    for (a, b) in pairs {
        for c in by_src.get(b.as_str()).into_iter().flatten() {
            joined += 1;
            out.insert((a.clone(), c.to_string()));
        }
    }
    (out, joined)
}

/// Scenario 3 over the whole window: malicious flows and their transitive
/// closure (two rounds) through DestIp == SrcIp, including the empty IP.
#[test]
fn scenario3_finds_rows_and_stays_cheap() {
    let s = sample();
    let n = &s.net;
    let (lo, hi) = (us(START), us(END));
    let (sub_type, ft, fs) = (n.s("SubType"), n.s("FlowType"), n.ts("FlowStartTime"));
    let (src, dst) = (n.s("SrcIp"), n.s("DestIp"));
    let mut observed = BTreeSet::new();
    for i in 0..n.rows {
        let in_window = fs[i].is_some_and(|t| lo <= t && t <= hi);
        if in_window && sub_type[i] == "FlowLog" && ft[i] == "MaliciousFlow" {
            observed.insert((src[i].to_string(), dst[i].to_string()));
        }
    }
    // SpecificCountryFlows joins NTAIpDetails.Ip with SrcIp/DestIp: public
    // IPs never sit in those columns, so it adds nothing.
    let details: HashSet<&str> = s.ip.s("Ip").into_iter().collect();
    assert!(src.iter().chain(dst.iter()).all(|ip| !details.contains(ip)));
    let malicious_rows = (0..n.rows).filter(|&i| ft[i] == "MaliciousFlow").count();
    assert!(malicious_rows > 50);
    assert!(observed.len() < malicious_rows, "distinct pairs: {}", observed.len());
    let (t1, j1) = compose(&observed);
    let o1: BTreeSet<_> = observed.union(&t1).cloned().collect();
    let (t2, j2) = compose(&o1);
    let o2: BTreeSet<_> = o1.union(&t2).cloned().collect();
    // The empty-IP key links every inbound pair ("", vm) with every outbound
    // pair (vm, ""): the joins stay at a few thousand rows.
    assert!(j1 < 5_000 && j2 < 20_000, "join sizes {j1}, {j2}");
    assert!(o2.contains(&(String::new(), String::new())), "the empty IP links to itself through the joins");
    assert_eq!(o2.len(), 744, "scenario 3 result rows (testdata/README.md)");
}

/// Scenario 4 over the whole window: cross-subscription flows decided by a
/// named NSG, excluding public and unknown flow types.
#[test]
fn scenario4_finds_rows() {
    let s = sample();
    let n = &s.net;
    let (lo, hi) = (us(START), us(END));
    let (sub_type, ft, fs, acl, rule) =
        (n.s("SubType"), n.s("FlowType"), n.ts("FlowStartTime"), n.s("AclGroup"), n.s("AclRule"));
    let (src_subnet, dst_subnet, src_sub, dst_sub) =
        (n.s("SrcSubnet"), n.s("DestSubnet"), n.s("SrcSubscription"), n.s("DestSubscription"));
    let mut groups = HashSet::new();
    let mut both_known = 0;
    for i in 0..n.rows {
        let in_window = fs[i].is_some_and(|t| lo <= t && t <= hi);
        if sub_type[i] != "FlowLog"
            || ["AzurePublic", "ExternalPublic", "Unknown", "UnknownPrivate"].contains(&ft[i])
            || !in_window
            || acl[i].to_lowercase().contains("unspecified")
            || src_sub[i] == dst_sub[i]
        {
            continue;
        }
        if !src_sub[i].is_empty() && !dst_sub[i].is_empty() {
            both_known += 1;
        }
        let src = if src_subnet[i].is_empty() { String::new() } else { vnet_id(src_sub[i], src_subnet[i]) };
        let dest = if dst_subnet[i].is_empty() { String::new() } else { vnet_id(dst_sub[i], dst_subnet[i]) };
        groups.insert((src, dest, src_sub[i], dst_sub[i], acl[i], rule[i], ft[i]));
    }
    assert!(both_known > 0, "flows between two known subscriptions");
    assert_eq!(groups.len(), 202, "scenario 4 result rows (testdata/README.md)");
}
