//! Properties every generated data set has, checked on the decoded files
//! against the value formats of shared/docs/nta-schema.md.

use crate::common;

use common::{HOUR_US, Table, public_ips, read, us};
use ntaq_gen::{GenConfig, IP_TABLE, NET_TABLE, generate};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::sync::OnceLock;

const START: &str = "2024-12-31T22:00:00Z";
const HOURS: u32 = 30;

/// One data set shared by the tests of this file: 20k rows over 30 hours
/// that cross a day (and year) boundary.
fn data() -> &'static (Table, Table) {
    static DATA: OnceLock<(Table, Table)> = OnceLock::new();
    DATA.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = GenConfig {
            rows: 20_000,
            seed: 77,
            start: chrono::DateTime::parse_from_rfc3339(START).unwrap().into(),
            hours: HOURS,
            batch_rows: 3_000,
            ..GenConfig::default()
        };
        generate(&cfg, tmp.path()).unwrap();
        (read(tmp.path(), NET_TABLE).table, read(tmp.path(), IP_TABLE).table)
    })
}

const FLOW_TYPES: [&str; 9] = [
    "IntraVNet",
    "InterVNet",
    "S2S",
    "P2S",
    "AzurePublic",
    "ExternalPublic",
    "MaliciousFlow",
    "UnknownPrivate",
    "Unknown",
];
const PUBLIC_TYPES: [&str; 3] = ["AzurePublic", "ExternalPublic", "MaliciousFlow"];
const THREAT_TYPES: [&str; 11] = [
    "Botnet",
    "C2",
    "CryptoMining",
    "DarkNet",
    "DDos",
    "MaliciousUrl",
    "Malware",
    "Phishing",
    "Proxy",
    "PUA",
    "WatchList",
];

fn is_private(ip: Ipv4Addr) -> bool {
    ip.is_private()
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[test]
fn row_counts_and_kinds() {
    let (net, _) = data();
    assert_eq!(net.rows, 20_000);
    let sub_types = net.s("SubType");
    let flow_types = net.s("FlowType");
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for (st, ft) in sub_types.iter().zip(&flow_types) {
        match *st {
            "FlowLog" => {
                assert!(FLOW_TYPES.contains(ft), "FlowType {ft:?}");
                *by_type.entry(ft).or_default() += 1;
            }
            "StatusMessage" => assert_eq!(*ft, ""),
            other => panic!("SubType {other:?}"),
        }
    }
    assert_eq!(by_type.len(), 9, "every FlowType occurs: {by_type:?}");
    let status = sub_types.iter().filter(|s| **s == "StatusMessage").count();
    assert!(status > 0 && status < net.rows / 50, "a few StatusMessage rows: {status}");
    assert!(net.s("Type").iter().all(|t| *t == "NTANetAnalytics"));
    assert!(net.s("FaSchemaVersion").iter().all(|t| *t == "3"));
}

#[test]
fn ip_columns_and_public_lists() {
    let (net, _) = data();
    let (src_ip, dst_ip) = (net.s("SrcIp"), net.s("DestIp"));
    let (src_pub, dst_pub) = (net.s("SrcPublicIps"), net.s("DestPublicIps"));
    let flow_types = net.s("FlowType");
    let mut entry_counts = BTreeSet::new();
    for i in 0..net.rows {
        let ft = flow_types[i];
        if ft.is_empty() {
            assert!(src_ip[i].is_empty() && dst_ip[i].is_empty() && src_pub[i].is_empty() && dst_pub[i].is_empty());
            continue;
        }
        // Exactly one of Ip / PublicIps per side.
        assert!(
            src_ip[i].is_empty() != src_pub[i].is_empty(),
            "row {i}: SrcIp {:?} SrcPublicIps {:?}",
            src_ip[i],
            src_pub[i]
        );
        assert!(
            dst_ip[i].is_empty() != dst_pub[i].is_empty(),
            "row {i}: DestIp {:?} DestPublicIps {:?}",
            dst_ip[i],
            dst_pub[i]
        );
        let public = PUBLIC_TYPES.contains(&ft);
        assert_eq!(public, !src_pub[i].is_empty() || !dst_pub[i].is_empty(), "row {i}: {ft} and public lists");
        assert!(src_pub[i].is_empty() || dst_pub[i].is_empty(), "row {i}: one public side");
        for ip in [src_ip[i], dst_ip[i]] {
            if !ip.is_empty() {
                let ip: Ipv4Addr = ip.parse().unwrap();
                assert!(is_private(ip), "row {i}: {ip} in an Ip column is private");
            }
        }
        for list in [src_pub[i], dst_pub[i]] {
            let ips = public_ips(list);
            if !ips.is_empty() {
                assert!((1..=3).contains(&ips.len()), "1–3 entries: {list:?}");
                assert!(!list.contains("  ") && !list.starts_with(' ') && !list.ends_with(' '));
                entry_counts.insert(ips.len());
                for ip in ips {
                    assert!(!ip.is_private() && !ip.is_loopback() && !ip.is_link_local(), "{ip} is public");
                }
            }
        }
    }
    assert_eq!(entry_counts, BTreeSet::from([1, 2, 3]), "single- and multi-entry lists occur");
}

#[test]
fn resource_paths() {
    let (net, _) = data();
    for side in ["Src", "Dest"] {
        let subnet = net.s(&format!("{side}Subnet"));
        let vm = net.s(&format!("{side}Vm"));
        let sub = net.s(&format!("{side}Subscription"));
        let ip = net.s(&format!("{side}Ip"));
        for i in 0..net.rows {
            if !subnet[i].is_empty() {
                assert_eq!(subnet[i].split('/').count(), 3, "<rg>/<vnet>/<subnet>: {}", subnet[i]);
                assert!(is_guid(sub[i]), "subscription of a mapped endpoint: {:?}", sub[i]);
                assert!(!ip[i].is_empty());
            } else {
                assert_eq!(sub[i], "", "no subscription without a subnet");
                assert_eq!(vm[i], "");
            }
            if !vm[i].is_empty() {
                assert_eq!(vm[i].split('/').count(), 2, "<rg>/<vm>: {}", vm[i]);
                assert_eq!(vm[i].split('/').next(), subnet[i].split('/').next(), "VM in its subnet's resource group");
            }
        }
    }
    let acl = net.s("AclGroup");
    let sub_type = net.s("SubType");
    assert!(acl.contains(&"Unspecified"));
    for (a, st) in acl.iter().zip(&sub_type) {
        if *st == "FlowLog" && *a != "Unspecified" {
            let parts: Vec<&str> = a.split('/').collect();
            assert_eq!(parts.len(), 3, "<subscription>/<rg>/<nsg>: {a}");
            assert!(is_guid(parts[0]) && parts[2].starts_with("nsg-"), "{a}");
        }
    }
}

#[test]
fn subscriptions_within_and_across() {
    let (net, _) = data();
    let (src, dst, ft) = (net.s("SrcSubscription"), net.s("DestSubscription"), net.s("FlowType"));
    let both = |i: usize| !src[i].is_empty() && !dst[i].is_empty();
    let cross = (0..net.rows).filter(|&i| both(i) && src[i] != dst[i]).count();
    let same = (0..net.rows).filter(|&i| both(i) && src[i] == dst[i]).count();
    assert!(cross > 0 && same > 0, "cross {cross}, same {same}");
    assert!((0..net.rows).filter(|&i| ft[i] == "IntraVNet").all(|i| src[i] == dst[i]), "one VNet, one subscription");
}

#[test]
fn times() {
    let (net, ip) = data();
    let window = us(START)..us(START) + i64::from(HOURS) * HOUR_US;
    let (is, ie) = (net.ts("FlowIntervalStartTime"), net.ts("FlowIntervalEndTime"));
    let (fs, fe) = (net.ts("FlowStartTime"), net.ts("FlowEndTime"));
    let (tg, tp) = (net.ts("TimeGenerated"), net.ts("TimeProcessed"));
    let flow_types = net.s("FlowType");
    let mut hours = BTreeSet::new();
    let mut last = i64::MIN;
    for i in 0..net.rows {
        let (s, e) = (is[i].unwrap(), ie[i].unwrap());
        assert_eq!(s.rem_euclid(HOUR_US), 0, "interval start on the hour");
        assert_eq!(e - s, HOUR_US);
        assert!(window.contains(&s));
        assert!(s >= last, "rows in interval order");
        last = s;
        hours.insert(s);
        let (g, p) = (tg[i].unwrap(), tp[i].unwrap());
        assert!(p > e && g > p && g - e < HOUR_US, "processed then ingested shortly after the interval");
        if flow_types[i].is_empty() {
            assert!(fs[i].is_none() && fe[i].is_none(), "status messages have no flow times");
        } else {
            let (a, b) = (fs[i].unwrap(), fe[i].unwrap());
            assert!(s <= a && a <= b && b <= e, "row {i}: flow times inside the interval");
        }
    }
    assert_eq!(hours.len(), HOURS as usize, "every hour has rows");
    let (ips, ipe) = (ip.ts("FlowIntervalStartTime"), ip.ts("FlowIntervalEndTime"));
    for i in 0..ip.rows {
        assert_eq!(ips[i].unwrap().rem_euclid(HOUR_US), 0);
        assert_eq!(ipe[i].unwrap() - ips[i].unwrap(), HOUR_US);
        assert!(ip.ts("TimeGenerated")[i].unwrap() > ipe[i].unwrap());
    }
}

#[test]
fn counters() {
    let (net, _) = data();
    let ft = net.s("FlowType");
    let status = net.s("FlowStatus");
    let names = [
        "CompletedFlows",
        "AllowedInFlows",
        "AllowedOutFlows",
        "DeniedInFlows",
        "DeniedOutFlows",
        "BytesSrcToDest",
        "BytesDestToSrc",
        "PacketsSrcToDest",
        "PacketsDestToSrc",
    ];
    for name in names {
        let col = net.long(name);
        for i in 0..net.rows {
            match col[i] {
                Some(v) => assert!(v >= 0, "{name} ≥ 0"),
                None => assert!(ft[i].is_empty(), "{name} is null only for status messages"),
            }
        }
    }
    // The counters of a public flow add up its list's entries.
    let (src_pub, dst_pub) = (net.s("SrcPublicIps"), net.s("DestPublicIps"));
    let bytes_out = net.long("BytesSrcToDest");
    let completed = net.long("CompletedFlows");
    for i in 0..net.rows {
        let list = if src_pub[i].is_empty() { dst_pub[i] } else { src_pub[i] };
        if list.is_empty() {
            continue;
        }
        let field =
            |k: usize| -> i64 { list.split(' ').map(|e| e.split('|').nth(k).unwrap().parse::<i64>().unwrap()).sum() };
        assert_eq!(bytes_out[i], Some(field(5)), "row {i}: BytesSrcToDest = Σ outBytes of {list}");
        assert_eq!(completed[i], Some(field(2)), "row {i}: CompletedFlows = Σ flowsEnded of {list}");
    }
    assert!(status.contains(&"Denied") && status.contains(&"Allowed"));
}

#[test]
fn every_public_ip_has_its_details_row_per_interval() {
    let (net, ip) = data();
    let mut seen: HashMap<(String, i64), &str> = HashMap::new();
    let starts = net.ts("FlowIntervalStartTime");
    let ft = net.s("FlowType");
    for (col, side) in [(net.s("SrcPublicIps"), "src"), (net.s("DestPublicIps"), "dst")] {
        for i in 0..net.rows {
            for addr in public_ips(col[i]) {
                let prev = seen.insert((addr.to_string(), starts[i].unwrap()), ft[i]);
                if let Some(prev) = prev {
                    assert_eq!(prev, ft[i], "{side} {addr}: one FlowType per public IP");
                }
            }
        }
    }
    let (ips, ip_start, ip_ft) = (ip.s("Ip"), ip.ts("FlowIntervalStartTime"), ip.s("FlowType"));
    let mut details: HashMap<(String, i64), &str> = HashMap::new();
    for i in 0..ip.rows {
        let key = (ips[i].to_string(), ip_start[i].unwrap());
        assert!(details.insert(key.clone(), ip_ft[i]).is_none(), "one NTAIpDetails row per IP and interval: {key:?}");
    }
    assert_eq!(details.len(), seen.len(), "NTAIpDetails has exactly the (IP, interval) pairs of the flows");
    for (key, flow_type) in &seen {
        assert_eq!(details.get(key), Some(flow_type), "{key:?}: NTAIpDetails row with the flow's FlowType");
    }
}

#[test]
fn ip_details_fields_by_flow_type() {
    let (_, ip) = data();
    let (ft, loc, threat, port) = (ip.s("FlowType"), ip.s("Location"), ip.s("ThreatType"), ip.int("Port"));
    let (details, domain, desc, url) =
        (ip.s("PublicIpDetails"), ip.s("DnsDomain"), ip.s("ThreatDescription"), ip.s("Url"));
    let mut placeholders = BTreeMap::new();
    for i in 0..ip.rows {
        assert!(!details[i].is_empty());
        match ft[i] {
            "AzurePublic" => {
                assert!(
                    loc[i] == "Global" || loc[i].chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                    "{}",
                    loc[i]
                );
                assert!(threat[i].is_empty() && port[i].is_none() && domain[i].is_empty() && url[i].is_empty());
                if ip.s("Ip")[i] == "168.63.129.16" {
                    assert_eq!((details[i], loc[i]), ("Microsoft Virtual Public IP", "Global"));
                }
            }
            "ExternalPublic" | "MaliciousFlow" => {
                let code = loc[i].len() == 2 && loc[i].chars().all(|c| c.is_ascii_uppercase());
                let placeholder = loc[i] == "country1" || loc[i] == "country2";
                assert!(code || placeholder, "Location {:?}", loc[i]);
                if placeholder {
                    *placeholders.entry((ft[i], loc[i])).or_insert(0) += 1;
                }
                if ft[i] == "MaliciousFlow" {
                    assert!(THREAT_TYPES.contains(&threat[i]), "ThreatType {:?}", threat[i]);
                    assert!(port[i].is_some_and(|p| p > 0) && !desc[i].is_empty());
                } else {
                    assert!(threat[i].is_empty() && port[i].is_none() && desc[i].is_empty() && url[i].is_empty());
                }
            }
            other => panic!("NTAIpDetails.FlowType {other:?}"),
        }
    }
    assert_eq!(placeholders.len(), 4, "country1 and country2 for external and malicious IPs: {placeholders:?}");
}
