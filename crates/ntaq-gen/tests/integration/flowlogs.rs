//! Flow-log blobs and enrichment files: each blob read back with serde_json
//! by the record structure Microsoft documents (nsg-flow-logs-overview and
//! vnet-flow-logs-overview, "Log format") must give the generator's ground
//! truth; the topology, service tags and threat intel must load with
//! nta-azure and agree with the FlowType of every tuple.

use nta_azure::cidr::{Ipv4Net, is_private, parse_ipv4};
use nta_azure::{ServiceTags, Topology as AzTopology};
use ntaq_gen::FlowType;
use ntaq_gen::flowlogs::{FlowLogConfig, FlowLogKind, FlowLogPlan, FlowLogSummary, GenTuple, TimeUnit};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

fn small() -> FlowLogConfig {
    FlowLogConfig { hours: 2, nics: 8, records_per_hour: 5, tuples_per_record: 7, ..FlowLogConfig::default() }
}

fn generate(cfg: &FlowLogConfig, dir: &Path) -> (FlowLogPlan, FlowLogSummary) {
    let plan = FlowLogPlan::new(cfg).unwrap();
    let summary = plan.write(dir).unwrap();
    (plan, summary)
}

/// A tuple as read from a blob, in FlowTuples terms, by this test's own reading of the format.
fn read_blob(doc: &Value) -> Vec<GenTupleText> {
    let mut out = Vec::new();
    for rec in doc["records"].as_array().expect("records[]") {
        if rec["category"] == "NetworkSecurityGroupFlowEvent" {
            assert_eq!(rec["operationName"], "NetworkSecurityGroupFlowEvents");
            let id = rec["resourceId"].as_str().unwrap().to_string();
            let version = rec["properties"]["Version"].as_u64().unwrap();
            assert!(rec["systemId"].as_str().unwrap().len() == 36);
            for f in rec["properties"]["flows"].as_array().unwrap() {
                let rule = f["rule"].as_str().unwrap();
                for ff in f["flows"].as_array().unwrap() {
                    let mac = ff["mac"].as_str().unwrap();
                    for t in ff["flowTuples"].as_array().unwrap() {
                        let p: Vec<&str> = t.as_str().unwrap().split(',').collect();
                        assert_eq!(p.len(), if version == 1 { 8 } else { 13 }, "{t}");
                        let n =
                            |i: usize| if p.len() > i && !p[i].is_empty() { p[i].parse::<u64>().unwrap() } else { 0 };
                        out.push(GenTupleText {
                            time: p[0].parse().unwrap(),
                            kind: "NSG".into(),
                            version,
                            flow_log_resource_id: id.clone(),
                            target_resource_id: id.clone(),
                            mac: mac.into(),
                            acl_id: String::new(),
                            rule: rule.into(),
                            fields: p[1..7].iter().map(|s| s.to_string()).collect(),
                            state: if version == 1 { String::new() } else { p[8].into() },
                            status: p[7].into(),
                            encryption: String::new(),
                            counters: [n(9), n(10), n(11), n(12)],
                        });
                    }
                }
            }
        } else {
            assert_eq!(rec["category"], "FlowLogFlowEvent");
            assert_eq!(rec["operationName"], "FlowLogFlowEvent");
            assert!(rec["flowLogGUID"].as_str().unwrap().len() == 36);
            for f in rec["flowRecords"]["flows"].as_array().unwrap() {
                let acl = f["aclID"].as_str().unwrap();
                for g in f["flowGroups"].as_array().unwrap() {
                    let rule = g["rule"].as_str().unwrap();
                    for t in g["flowTuples"].as_array().unwrap() {
                        let p: Vec<&str> = t.as_str().unwrap().split(',').collect();
                        assert_eq!(p.len(), 13, "{t}");
                        let n = |i: usize| if p[i].is_empty() { 0 } else { p[i].parse::<u64>().unwrap() };
                        let mut fields: Vec<String> = p[1..7].iter().map(|s| s.to_string()).collect();
                        // IANA protocol numbers as FlowTuples writes them.
                        fields[4] = match p[5] {
                            "6" => "T".into(),
                            "17" => "U".into(),
                            other => other.into(),
                        };
                        out.push(GenTupleText {
                            time: p[0].parse().unwrap(),
                            kind: "VNet".into(),
                            version: rec["flowLogVersion"].as_u64().unwrap(),
                            flow_log_resource_id: rec["flowLogResourceID"].as_str().unwrap().into(),
                            target_resource_id: rec["targetResourceID"].as_str().unwrap().into(),
                            mac: rec["macAddress"].as_str().unwrap().into(),
                            acl_id: acl.into(),
                            rule: rule.into(),
                            fields,
                            state: p[7].into(),
                            status: if p[7] == "D" { "D".into() } else { "A".into() },
                            encryption: p[8].into(),
                            counters: [n(9), n(10), n(11), n(12)],
                        });
                    }
                }
            }
        }
    }
    out
}

#[derive(Debug, PartialEq)]
struct GenTupleText {
    /// As written (seconds or milliseconds).
    time: i64,
    kind: String,
    version: u64,
    flow_log_resource_id: String,
    target_resource_id: String,
    mac: String,
    acl_id: String,
    rule: String,
    /// src, dst, sport, dport, protocol, direction.
    fields: Vec<String>,
    state: String,
    status: String,
    encryption: String,
    counters: [u64; 4],
}

fn as_text(t: &GenTuple, unit: TimeUnit) -> GenTupleText {
    GenTupleText {
        time: match unit {
            TimeUnit::Seconds => {
                assert_eq!(t.flow_time_ms % 1000, 0, "whole seconds");
                t.flow_time_ms / 1000
            }
            TimeUnit::Milliseconds => t.flow_time_ms,
        },
        kind: t.flow_log_kind.name().into(),
        version: u64::from(t.flow_log_version),
        flow_log_resource_id: t.flow_log_resource_id.to_string(),
        target_resource_id: t.target_resource_id.to_string(),
        mac: t.mac_address.to_string(),
        acl_id: t.acl_id.to_string(),
        rule: t.acl_rule.clone(),
        fields: vec![
            t.src_ip.clone(),
            t.dest_ip.clone(),
            t.src_port.to_string(),
            t.dest_port.to_string(),
            t.l4_protocol.into(),
            t.flow_direction.into(),
        ],
        state: t.flow_state.into(),
        status: t.flow_status.into(),
        encryption: t.flow_encryption.into(),
        counters: [t.packets_src_to_dest, t.bytes_src_to_dest, t.packets_dest_to_src, t.bytes_dest_to_src],
    }
}

#[test]
fn blobs_are_the_documented_json_and_hold_the_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, summary) = generate(&small(), dir.path());
    assert_eq!(summary.blobs.len(), 16);
    let kinds: BTreeSet<(FlowLogKind, u32, bool)> =
        summary.blobs.iter().map(|b| (b.kind, b.version, b.unit == TimeUnit::Milliseconds)).collect();
    assert_eq!(kinds.len(), 4, "NSG v1, NSG v2, VNet in s and in ms: {kinds:?}");
    assert_eq!(summary.blobs.iter().filter(|b| b.partial).count(), 1);
    let mut hours = BTreeSet::new();
    for (i, b) in summary.blobs.iter().enumerate() {
        hours.insert(b.hour);
        let truth = plan.blob_tuples(i);
        assert_eq!(truth.len() as u64, b.tuples);
        let sums = truth.iter().fold([0u64; 4], |s, t| {
            [
                s[0] + t.packets_src_to_dest,
                s[1] + t.bytes_src_to_dest,
                s[2] + t.packets_dest_to_src,
                s[3] + t.bytes_dest_to_src,
            ]
        });
        assert_eq!(sums, [b.packets_src_to_dest, b.bytes_src_to_dest, b.packets_dest_to_src, b.bytes_dest_to_src]);
        let bytes = std::fs::read(&b.path).unwrap();
        assert_eq!(bytes.len() as u64, b.bytes);
        assert!(!bytes.contains(&b'\n'), "one line per blob");
        if b.partial {
            assert!(serde_json::from_slice::<Value>(&bytes).is_err(), "the partial blob is cut");
            continue;
        }
        let doc: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", b.path.display()));
        assert_eq!(doc["records"].as_array().unwrap().len(), b.records);
        let read = read_blob(&doc);
        let want: Vec<GenTupleText> = truth.iter().map(|t| as_text(t, b.unit)).collect();
        assert_eq!(read.len(), want.len());
        for (k, (r, w)) in read.iter().zip(&want).enumerate() {
            assert_eq!(r, w, "{} tuple {k}", b.path.display());
        }
        // The path names the blob's flow log, hour and NIC as Azure Storage does.
        let rel = b.path.strip_prefix(dir.path()).unwrap().to_str().unwrap().to_string();
        let first = &truth[0];
        let expected_prefix = match b.kind {
            FlowLogKind::Nsg => format!(
                "flowlogs/insights-logs-networksecuritygroupflowevent/resourceId={}/",
                first.flow_log_resource_id
            ),
            FlowLogKind::Vnet => {
                format!("flowlogs/insights-logs-flowlogflowevent/flowLogResourceID={}/", first.flow_log_resource_id)
            }
        };
        assert!(rel.starts_with(&expected_prefix), "{rel}");
        let t = chrono::DateTime::from_timestamp(1_748_736_000 + i64::from(b.hour) * 3600, 0).unwrap();
        let tail = format!("/y=2025/m=06/d=01/h={}/m=00/macAddress={}/PT1H.json", t.format("%H"), first.mac_address);
        assert!(rel.ends_with(&tail), "{rel}");
        // Every tuple lies in the blob's hour.
        for t in &truth {
            let hour_ms = (1_748_736_000 + i64::from(b.hour) * 3600) * 1000;
            assert!((hour_ms..hour_ms + 3_600_000).contains(&t.flow_time_ms));
        }
    }
    assert_eq!(hours.len(), 2);
}

#[test]
fn the_partial_blob_is_a_strict_prefix_of_the_whole_one() {
    let cut = tempfile::tempdir().unwrap();
    let whole = tempfile::tempdir().unwrap();
    let (plan, s_cut) = generate(&small(), cut.path());
    let (_, s_whole) = generate(&FlowLogConfig { partial_last: false, ..small() }, whole.path());
    let i = s_cut.blobs.iter().position(|b| b.partial).unwrap();
    assert_eq!(i, s_cut.blobs.len() - 1, "the newest hour's last blob");
    assert_eq!(s_cut.blobs[i].hour, 1);
    let a = std::fs::read(&s_cut.blobs[i].path).unwrap();
    let b = std::fs::read(&s_whole.blobs[i].path).unwrap();
    assert!(a.len() < b.len() && b.starts_with(&a), "a strict prefix");
    // It stops inside the last record: its complete records are the whole blob's first ones.
    let doc: Value = serde_json::from_slice(&b).unwrap();
    let records = doc["records"].as_array().unwrap();
    assert_eq!(s_cut.blobs[i].records, records.len() - 1);
    let head = serde_json::json!({"records": records[..records.len() - 1]});
    let unit = s_cut.blobs[i].unit;
    let want: Vec<GenTupleText> = plan.blob_tuples(i).iter().map(|t| as_text(t, unit)).collect();
    assert_eq!(read_blob(&head), want);
    // Every other blob is the same in both runs.
    for (x, y) in s_cut.blobs.iter().zip(&s_whole.blobs).take(i) {
        assert_eq!(std::fs::read(&x.path).unwrap(), std::fs::read(&y.path).unwrap());
    }
}

fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn same_seed_same_bytes_on_any_number_of_threads() {
    let cfg = small();
    let run = |threads: usize| {
        let dir = tempfile::tempdir().unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| generate(&cfg, dir.path()));
        (files(dir.path()), dir)
    };
    let (one, _a) = run(1);
    let (four, _b) = run(4);
    assert_eq!(one.keys().collect::<Vec<_>>(), four.keys().collect::<Vec<_>>());
    assert!(one == four, "byte-identical output");
    assert!(!one.keys().any(|p| p.to_string_lossy().contains("tmp")), "no temporary file left");
    let other = tempfile::tempdir().unwrap();
    generate(&FlowLogConfig { seed: 7, ..cfg.clone() }, other.path());
    assert!(files(other.path()) != one, "another seed, other data");
    // A blob depends on its hour and NIC, not on how many others there are.
    let fewer = tempfile::tempdir().unwrap();
    let (_, s) = generate(&FlowLogConfig { hours: 1, nics: 4, partial_last: false, ..cfg }, fewer.path());
    assert_eq!(s.blobs.len(), 4);
    for b in &s.blobs {
        let rel = b.path.strip_prefix(fewer.path()).unwrap();
        assert!(std::fs::read(&b.path).unwrap() == one[rel], "{}", rel.display());
    }
}

#[test]
fn committed_bundle_is_what_the_generator_writes() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/flowlogs/generated");
    let dir = tempfile::tempdir().unwrap();
    generate(&FlowLogConfig::bundled(), dir.path());
    let mut want = files(&committed);
    assert!(want.remove(Path::new("README.md")).is_some(), "the bundle has a README");
    let got = files(dir.path());
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "regenerate: see testdata/flowlogs/generated/README.md"
    );
    for (k, v) in &got {
        assert!(v == &want[k], "{} differs; regenerate: see testdata/flowlogs/generated/README.md", k.display());
    }
    let total: usize = got.values().map(Vec::len).sum();
    assert!(total < 600_000, "a small bundle ({total} bytes)");
}

/// The `aclID` / NSG id → the NSG's exported rules (name → access).
fn nsg_rules(topology: &Path) -> (HashMap<String, HashMap<String, String>>, HashMap<String, String>) {
    let doc: Value = serde_json::from_slice(&std::fs::read(topology.join("nsgs.json")).unwrap()).unwrap();
    let mut by_id = HashMap::new();
    let mut guid_to_id = HashMap::new();
    for n in doc.as_array().unwrap() {
        let id = n["id"].as_str().unwrap().to_ascii_uppercase();
        let mut rules = HashMap::new();
        for (list, prefix) in [("securityRules", "UserRule_"), ("defaultSecurityRules", "DefaultRule_")] {
            for r in n[list].as_array().unwrap() {
                rules.insert(
                    format!("{prefix}{}", r["name"].as_str().unwrap()),
                    r["access"].as_str().unwrap().to_string(),
                );
            }
        }
        guid_to_id.insert(n["resourceGuid"].as_str().unwrap().to_string(), id.clone());
        by_id.insert(id, rules);
    }
    (by_id, guid_to_id)
}

#[test]
fn topology_exports_load_with_nta_azure() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, summary) = generate(&small(), dir.path());
    let topo_dir = dir.path().join("topology");
    assert_eq!(summary.topology.len(), 6);
    let t = AzTopology::load(std::slice::from_ref(&topo_dir)).unwrap();
    let g = &plan.topology;
    assert_eq!(t.vnets.len(), g.vnets.len());
    assert_eq!(t.nics.len(), g.hosts.len());
    assert_eq!(t.vms.len(), g.vms.len());
    assert_eq!(t.nsgs.len(), g.subnets.len());
    assert_eq!(t.gateways.len(), 2);
    assert_eq!(t.local_gateways.len(), 2, "the two VPN sites");
    assert_eq!(t.skipped, 0);
    for nic in &t.nics {
        let ipc = &nic.ip_configs[0];
        let ip = ipc.private_ip.expect("a private IP");
        let (vnet, subnet) = t.subnet_of(ip).unwrap_or_else(|| panic!("{} maps to no subnet", nic.name));
        assert!(subnet.id.eq_ignore_ascii_case(ipc.subnet_id.as_deref().unwrap()), "{}", nic.name);
        assert_eq!(vnet.location, nic.location);
        let nsg = t.nsg(subnet.nsg_id.as_deref().unwrap()).expect("the subnet's NSG is exported");
        assert!(nsg.subnet_ids.iter().any(|s| s.eq_ignore_ascii_case(&subnet.id)));
        if let Some(vm) = &nic.vm_id {
            let vm = t.vm(vm).expect("the NIC's VM is exported");
            assert!(vm.nic_ids.iter().any(|n| n.eq_ignore_ascii_case(&nic.id)));
            assert_eq!(nic.mac.len(), 12);
        }
    }
    // Every VNet is peered with every other one.
    for v in &t.vnets {
        assert_eq!(v.peerings.len(), t.vnets.len() - 1, "{}", v.name);
        for p in &v.peerings {
            assert!(t.vnets.iter().any(|o| o.id.eq_ignore_ascii_case(p) && o.id != v.id));
        }
    }
    // The default rules, by the names and priorities Azure gives them
    // (network-security-groups-overview, "Default security rules").
    let defaults: Vec<(String, String, u64, String)> = t.nsgs[0]
        .default_security_rules
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["direction"].as_str().unwrap().to_string(),
                r["priority"].as_u64().unwrap(),
                r["access"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("AllowVnetInBound", "Inbound", 65000, "Allow"),
        ("AllowAzureLoadBalancerInBound", "Inbound", 65001, "Allow"),
        ("DenyAllInBound", "Inbound", 65500, "Deny"),
        ("AllowVnetOutBound", "Outbound", 65000, "Allow"),
        ("AllowInternetOutBound", "Outbound", 65001, "Allow"),
        ("DenyAllOutBound", "Outbound", 65500, "Deny"),
    ];
    assert_eq!(defaults, want.map(|(a, b, c, d)| (a.to_string(), b.to_string(), c, d.to_string())));
    let vpn = t.gateways.iter().find(|g| g.gateway_type == "Vpn").unwrap();
    assert_eq!(vpn.vpn_client_prefixes, [Ipv4Net::parse("172.16.201.0/24").unwrap()]);
    assert!(t.gateways.iter().any(|g| g.gateway_type == "ExpressRoute"));

    // Each blob's NIC is in the export with the blob's MAC, and its flow log names the NIC's NSG or VNet.
    let (rules, guid_to_id) = nsg_rules(&topo_dir);
    for (i, b) in summary.blobs.iter().enumerate() {
        let nic = t.nic_of_mac(&b.mac).expect("the blob's NIC is exported");
        let ip = nic.ip_configs[0].private_ip.unwrap();
        let (vnet, subnet) = t.subnet_of(ip).unwrap();
        for tup in plan.blob_tuples(i) {
            let nic_ip = if tup.flow_direction == "I" { &tup.dest_ip } else { &tup.src_ip };
            assert_eq!(parse_ipv4(nic_ip), Some(ip), "the capturing NIC is on the inner side");
            let nsg_id = match b.kind {
                FlowLogKind::Nsg => tup.flow_log_resource_id.to_string(),
                FlowLogKind::Vnet => {
                    assert!(tup.target_resource_id.eq_ignore_ascii_case(&vnet.id));
                    if &*tup.acl_id == "unspecified" {
                        assert_eq!(
                            (tup.acl_rule.as_str(), tup.flow_state, tup.flow_encryption),
                            ("unspecified", "D", "NX_NOT_ACCEPTED")
                        );
                        continue;
                    }
                    guid_to_id[&*tup.acl_id].clone()
                }
            };
            assert!(nsg_id.eq_ignore_ascii_case(subnet.nsg_id.as_deref().unwrap()));
            let access = &rules[&nsg_id][&tup.acl_rule];
            assert_eq!(access == "Allow", tup.flow_status == "A", "{} decided {:?}", tup.acl_rule, tup);
        }
    }
}

fn threat_ips(path: &Path) -> (String, BTreeSet<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    (header, lines.map(|l| l.split(',').next().unwrap().to_string()).collect())
}

#[test]
fn service_tags_and_threat_intel_describe_the_public_pools() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, summary) = generate(&small(), dir.path());
    assert_eq!(summary.service_tags.file_name().unwrap(), "ServiceTags_Public_20250601.json");
    let tags = ServiceTags::load(&summary.service_tags).unwrap();
    let g = &plan.topology;
    for p in &g.public {
        let ip = parse_ipv4(&p.ip).unwrap();
        let hits = tags.lookup(ip);
        match p.class {
            ntaq_gen::topology::IpClass::Azure => {
                assert!(!hits.is_empty(), "{} is Azure", p.ip);
                if p.location != "Global" {
                    assert_eq!(hits[0].region, p.location, "{}: the most specific tag is regional", p.ip);
                    assert!(hits.iter().any(|t| t.name == format!("AzureCloud.{}", p.location)));
                }
                assert!(hits.iter().any(|t| t.name == p.service_tag), "{} in {}", p.ip, p.service_tag);
            }
            _ => assert!(hits.is_empty(), "{} is not Azure", p.ip),
        }
    }
    let (header, ips) = threat_ips(&summary.threat_intel);
    assert_eq!(header, "Ip,ThreatType,ThreatDescription,DnsDomain,Url,Port,Location,PublicIpDetails");
    let malicious: BTreeSet<String> = g.public[g.malicious.clone()].iter().map(|p| p.ip.clone()).collect();
    assert_eq!(ips, malicious);
}

#[test]
fn flow_types_follow_from_the_enrichment_files() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, summary) = generate(&small(), dir.path());
    let t = AzTopology::load(&[dir.path().join("topology")]).unwrap();
    let tags = ServiceTags::load(&summary.service_tags).unwrap();
    let (_, threats) = threat_ips(&summary.threat_intel);
    let lgw: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("topology/local-gateways.json")).unwrap()).unwrap();
    let sites: Vec<Ipv4Net> = lgw
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["localNetworkAddressSpace"]["addressPrefixes"].as_array().unwrap().clone())
        .map(|p| Ipv4Net::parse(p.as_str().unwrap()).unwrap())
        .collect();
    let p2s: Vec<Ipv4Net> = t.gateways.iter().flat_map(|g| g.vpn_client_prefixes.clone()).collect();
    // The rules of docs/flow-logs-generator.md, applied to the files alone.
    let classify = |nic_ip: u32, other: &str| -> FlowType {
        let ip = parse_ipv4(other).unwrap();
        let own = t.vnet_of(nic_ip).unwrap();
        if let Some(v) = t.vnet_of(ip) {
            if v.id == own.id {
                return FlowType::IntraVNet;
            }
            assert!(own.peerings.iter().any(|p| p.eq_ignore_ascii_case(&v.id)), "InterVNet means peered");
            return FlowType::InterVNet;
        }
        if sites.iter().any(|p| p.contains(ip)) {
            FlowType::S2S
        } else if p2s.iter().any(|p| p.contains(ip)) {
            FlowType::P2S
        } else if is_private(ip) {
            FlowType::UnknownPrivate
        } else if tags.is_azure(ip) {
            FlowType::AzurePublic
        } else if threats.contains(other) {
            FlowType::MaliciousFlow
        } else {
            FlowType::ExternalPublic
        }
    };
    let mut seen = BTreeMap::new();
    for tup in plan.tuples() {
        let (nic_ip, other) =
            if tup.flow_direction == "I" { (&tup.dest_ip, &tup.src_ip) } else { (&tup.src_ip, &tup.dest_ip) };
        assert_eq!(classify(parse_ipv4(nic_ip).unwrap(), other), tup.flow_type, "{tup:?}");
        *seen.entry(tup.flow_type).or_insert(0) += 1;
    }
    for ft in [
        FlowType::IntraVNet,
        FlowType::InterVNet,
        FlowType::S2S,
        FlowType::P2S,
        FlowType::AzurePublic,
        FlowType::ExternalPublic,
        FlowType::MaliciousFlow,
        FlowType::UnknownPrivate,
    ] {
        assert!(seen.contains_key(&ft), "{ft:?} occurs: {seen:?}");
    }
    // The per-pair map agrees with the tuples.
    let pairs = plan.expected_flow_types();
    assert!(pairs.len() > 100);
    for tup in plan.tuples() {
        assert_eq!(pairs[&(tup.src_ip.clone(), tup.dest_ip.clone())], tup.flow_type);
    }
}

#[test]
fn target_bytes_sizes_the_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let target = 3_000_000u64;
    let cfg = FlowLogConfig {
        hours: 1,
        nics: 4,
        records_per_hour: 10,
        target_bytes: Some(target),
        ..FlowLogConfig::default()
    };
    let (_, s) = generate(&cfg, dir.path());
    assert!(s.tuples_per_record > 100, "{}", s.tuples_per_record);
    let ratio = s.blob_bytes as f64 / target as f64;
    assert!((0.8..1.2).contains(&ratio), "{} bytes for a target of {target}", s.blob_bytes);
}

#[test]
fn bad_configurations_are_errors() {
    for cfg in [
        FlowLogConfig { nics: 0, ..small() },
        FlowLogConfig { nics: 10_000, ..small() },
        FlowLogConfig { records_per_hour: 61, ..small() },
        FlowLogConfig { hours: 0, ..small() },
        FlowLogConfig { start: small().start + chrono::Duration::minutes(30), ..small() },
    ] {
        assert!(FlowLogPlan::new(&cfg).is_err(), "{cfg:?}");
    }
}
