//! The zero-trust query pack (`queries/zero-trust/`, `ntaq pack`): the
//! binary holds exactly the files; the article's four are its queries
//! verbatim; every query checks clean for Log Analytics and runs on the
//! bundled sample; and each new query's rows are what a plain Rust
//! computation over the sample's raw flow records gives.

use crate::common::{ntaq, ntaq_in, repo};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::process::Output;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ndjson(o: &Output) -> Vec<Value> {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The rows of a pack query on the bundled sample.
fn pack_rows(name: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["pack", "run", name, "--format", "ndjson", "--max-rows", "0", "--quiet"];
    args.extend(extra);
    ndjson(&ntaq(&args))
}

/// The names of the files in queries/zero-trust/.
fn pack_files() -> BTreeMap<String, String> {
    let dir = repo().join("queries/zero-trust");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kql"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

#[test]
fn the_binary_holds_exactly_the_files() {
    let files = pack_files();
    let embedded: BTreeMap<String, String> =
        ntaq::pack::QUERIES.iter().map(|q| (q.name.to_string(), q.text.to_string())).collect();
    assert_eq!(embedded.keys().collect::<Vec<_>>(), files.keys().collect::<Vec<_>>());
    for (name, text) in &files {
        assert_eq!(&embedded[name], text, "{name}.kql differs from the embedded copy");
    }
}

#[test]
fn every_file_documents_itself() {
    for (name, text) in pack_files() {
        assert!(text.starts_with(&format!("// {name}: ")), "{name}: the first line names the query");
        for part in ["// Purpose:", "// Parameters:", "// Output:", "// Article:"] {
            assert!(text.contains(part), "{name}.kql lacks `{part}`");
        }
        let q = ntaq::pack::get(&name).unwrap();
        assert!(!q.description().is_empty());
        // Each declared parameter is described in the header.
        for p in q.parameters() {
            let header: String = text.lines().take_while(|l| l.starts_with("//")).collect();
            assert!(header.contains(&p.name), "{name}: parameter {} is not described", p.name);
        }
    }
}

/// The body after the header comment and the parameter declaration.
fn body(text: &str) -> String {
    text.lines()
        .skip_while(|l| l.starts_with("//"))
        .skip_while(|l| l.starts_with("declare query_parameters"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn the_article_queries_are_verbatim() {
    let read = |p: &str| std::fs::read_to_string(repo().join(p)).unwrap();
    assert_eq!(body(&read("queries/zero-trust/risky-regions.kql")), read("queries/scenario1.kql"));
    assert_eq!(body(&read("queries/zero-trust/azure-services.kql")), read("queries/scenario2.kql"));
    assert_eq!(body(&read("queries/zero-trust/cross-subscription.kql")), read("queries/scenario4.kql"));
    // Scenario 3's workbook placeholders become the declared start and end.
    let scenario3 = read("queries/scenario3.kql")
        .replace("todatetime('{timeInterval:startISO}')", "start")
        .replace("todatetime('{timeInterval:endISO}')", "end")
        .replace("datetime('{timeInterval:startISO}')", "start")
        .replace("datetime('{timeInterval:endISO}')", "end");
    assert_eq!(body(&read("queries/zero-trust/blast-radius-malicious.kql")), scenario3);
}

#[test]
fn every_query_checks_clean_for_log_analytics() {
    for target in ["log-analytics", "adx"] {
        let o = ntaq(&["check", "--target", target, "--format", "json", "queries/zero-trust/*.kql"]);
        let report: Value = serde_json::from_slice(&o.stdout).unwrap();
        for file in report.as_array().unwrap() {
            assert_eq!(file["diagnostics"], Value::Array(vec![]), "{target}: {file}");
        }
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    }
}

#[test]
fn every_query_runs_on_the_sample_with_rows() {
    for q in ntaq::pack::QUERIES {
        let extra: &[&str] = if q.name == "azure-services" { &["--now", "2025-06-02T00:00:00Z"] } else { &[] };
        let rows = pack_rows(q.name, extra);
        assert!(!rows.is_empty(), "{} returned no rows on the sample", q.name);
    }
}

/// Rows as a multiset of their JSON texts.
fn multiset(rows: &[Value]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in rows {
        *m.entry(r.to_string()).or_insert(0) += 1;
    }
    m
}

#[test]
fn the_article_queries_give_the_scenarios_rows() {
    let scenario = |file: &str, params: &[&str]| {
        let mut args = vec!["run", file, "--format", "ndjson", "--max-rows", "0", "--quiet"];
        args.extend(params);
        ndjson(&ntaq(&args))
    };
    let now = ["--now", "2025-06-02T00:00:00Z"];
    let window = ["--param", "start=2025-06-01T00:00:00Z", "--param", "end=2025-06-02T00:00:00Z"];
    let placeholders = [
        "--param",
        "timeInterval:startISO=2025-06-01T00:00:00Z",
        "--param",
        "timeInterval:endISO=2025-06-02T00:00:00Z",
    ];
    let pairs: [(&str, &str, &[&str]); 4] = [
        ("risky-regions", "queries/scenario1.kql", &[]),
        ("azure-services", "queries/scenario2.kql", &now),
        ("blast-radius-malicious", "queries/scenario3.kql", &placeholders),
        ("cross-subscription", "queries/scenario4.kql", &window),
    ];
    for (name, file, params) in pairs {
        let expected = scenario(file, params);
        let extra: &[&str] = if name == "azure-services" { &now } else { &[] };
        let got = pack_rows(name, extra);
        assert!(!expected.is_empty(), "{file}");
        assert_eq!(multiset(&got), multiset(&expected), "{name} vs {file}");
    }
}

// ---------------------------------------------------------------------
// The new queries against the raw flow records, computed in Rust.

/// One NTANetAnalytics record of the sample, as `ntaq run` writes it.
#[derive(Debug, Clone)]
struct Flow {
    sub_type: String,
    start: String,
    status: String,
    direction: String,
    flow_type: String,
    acl_group: String,
    acl_rule: String,
    src_ip: String,
    dest_ip: String,
    src_public: String,
    dest_public: String,
    src_subnet: String,
    dest_subnet: String,
    dest_vm: String,
    dest_port: Option<i64>,
    protocol: String,
    allowed: i64,
    denied: i64,
    bytes: i64,
}

fn flows() -> Vec<Flow> {
    let o = ntaq(&[
        "run",
        "--format",
        "ndjson",
        "--max-rows",
        "0",
        "--quiet",
        "-c",
        "NTANetAnalytics | project SubType, FlowStartTime, FlowStatus, FlowDirection, FlowType, AclGroup, AclRule, \
         SrcIp, DestIp, SrcPublicIps, DestPublicIps, SrcSubnet, DestSubnet, DestVm, DestPort, L4Protocol, \
         AllowedInFlows, AllowedOutFlows, DeniedInFlows, DeniedOutFlows, BytesSrcToDest, BytesDestToSrc",
    ]);
    let s = |r: &Value, k: &str| r[k].as_str().unwrap_or_default().to_string();
    let n = |r: &Value, k: &str| r[k].as_i64().unwrap_or(0);
    let rows: Vec<Flow> = ndjson(&o)
        .iter()
        .map(|r| Flow {
            sub_type: s(r, "SubType"),
            start: instant(r["FlowStartTime"].as_str().unwrap_or_default()),
            status: s(r, "FlowStatus"),
            direction: s(r, "FlowDirection"),
            flow_type: s(r, "FlowType"),
            acl_group: s(r, "AclGroup"),
            acl_rule: s(r, "AclRule"),
            src_ip: s(r, "SrcIp"),
            dest_ip: s(r, "DestIp"),
            src_public: s(r, "SrcPublicIps"),
            dest_public: s(r, "DestPublicIps"),
            src_subnet: s(r, "SrcSubnet"),
            dest_subnet: s(r, "DestSubnet"),
            dest_vm: s(r, "DestVm"),
            dest_port: r["DestPort"].as_i64(),
            protocol: s(r, "L4Protocol"),
            allowed: n(r, "AllowedInFlows") + n(r, "AllowedOutFlows"),
            denied: n(r, "DeniedInFlows") + n(r, "DeniedOutFlows"),
            bytes: n(r, "BytesSrcToDest") + n(r, "BytesDestToSrc"),
        })
        .collect();
    assert_eq!(rows.len(), 2000);
    rows.into_iter().filter(|f| f.sub_type == "FlowLog").collect()
}

/// An ISO 8601 instant in a form that sorts as time does: the fraction
/// padded to nine digits (`…T18:00:00Z` and `…T18:00:00.5Z` otherwise
/// sort the wrong way round).
fn instant(iso: &str) -> String {
    let t = iso.trim_end_matches('Z');
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    format!("{whole}.{frac:0<9}Z")
}

fn in_window(f: &Flow, start: &str, end: &str) -> bool {
    f.start >= instant(start) && f.start < instant(end)
}

/// The first address of a public-IP list (`ip|…|… ip|…`).
fn first_public(list: &str) -> String {
    list.split('|').next().unwrap_or_default().to_string()
}

fn src(f: &Flow) -> String {
    if f.src_ip.is_empty() { first_public(&f.src_public) } else { f.src_ip.clone() }
}

fn dest(f: &Flow) -> String {
    if f.dest_ip.is_empty() { first_public(&f.dest_public) } else { f.dest_ip.clone() }
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn ints(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

#[test]
fn denied_by_rule_sums_the_denied_flows_of_each_rule() {
    let (start, end) = ("2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z");
    type Key = (String, String, String);
    /// Flows, records, source addresses, destination ports.
    type Sums = (i64, i64, HashSet<String>, HashSet<Option<i64>>);
    let mut expected: BTreeMap<Key, Sums> = BTreeMap::new();
    for f in flows().iter().filter(|f| f.status == "Denied" && in_window(f, start, end)) {
        let e = expected.entry((f.acl_group.clone(), f.acl_rule.clone(), f.direction.clone())).or_default();
        e.0 += f.denied;
        e.1 += 1;
        e.2.insert(src(f));
        e.3.insert(f.dest_port);
    }
    let rows = pack_rows("denied-by-rule", &[]);
    let got: BTreeMap<Key, (i64, i64, i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                (s(&r["Nsg"]), s(&r["Rule"]), s(&r["FlowDirection"])),
                (ints(&r["Flows"]), ints(&r["Records"]), ints(&r["Sources"]), ints(&r["Ports"])),
            )
        })
        .collect();
    let expected: BTreeMap<Key, (i64, i64, i64, i64)> =
        expected.into_iter().map(|(k, v)| (k, (v.0, v.1, v.2.len() as i64, v.3.len() as i64))).collect();
    assert!(expected.len() > 3, "the sample has denied flows under several rules");
    assert_eq!(got, expected);
    let flows: Vec<i64> = rows.iter().map(|r| ints(&r["Flows"])).collect();
    assert!(flows.windows(2).all(|w| w[0] >= w[1]), "most flows first: {flows:?}");
}

#[test]
fn default_rule_flows_are_the_allowed_flows_of_the_default_rules() {
    let (start, end) = ("2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z");
    let defaults = ["AllowVnetInBound", "AllowAzureLoadBalancerInBound", "AllowVnetOutBound", "AllowInternetOutBound"];
    type Key = (String, String, String, String, String, String);
    let mut expected: BTreeMap<Key, (i64, i64, HashSet<String>, HashSet<String>)> = BTreeMap::new();
    for f in flows().iter().filter(|f| f.status == "Allowed" && in_window(f, start, end)) {
        let rule = f.acl_rule.strip_prefix("DefaultRule_").unwrap_or(&f.acl_rule);
        if !defaults.contains(&rule) {
            continue;
        }
        let port = f.dest_port.map_or_else(String::new, |p| p.to_string());
        let key =
            (f.acl_group.clone(), rule.to_string(), f.direction.clone(), f.flow_type.clone(), port, f.protocol.clone());
        let e = expected.entry(key).or_default();
        e.0 += f.allowed;
        e.1 += 1;
        e.2.insert(src(f));
        e.3.insert(dest(f));
    }
    let got: BTreeMap<Key, (i64, i64, i64, i64)> = pack_rows("default-rule-flows", &[])
        .iter()
        .map(|r| {
            let port = if r["DestPort"].is_null() { String::new() } else { s(&r["DestPort"]) };
            (
                (
                    s(&r["Nsg"]),
                    s(&r["DefaultRule"]),
                    s(&r["FlowDirection"]),
                    s(&r["FlowType"]),
                    port,
                    s(&r["L4Protocol"]),
                ),
                (ints(&r["Flows"]), ints(&r["Records"]), ints(&r["Sources"]), ints(&r["Destinations"])),
            )
        })
        .collect();
    let expected: BTreeMap<Key, (i64, i64, i64, i64)> =
        expected.into_iter().map(|(k, v)| (k, (v.0, v.1, v.2.len() as i64, v.3.len() as i64))).collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
}

fn ipv4(ip: &str) -> u32 {
    ip.split('.').fold(0, |acc, part| acc * 256 + part.parse::<u32>().unwrap())
}

#[test]
fn top_talkers_rank_each_subnets_senders_by_bytes() {
    let (start, end) = ("2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z");
    let mut totals: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for f in flows().iter().filter(|f| in_window(f, start, end) && !f.src_subnet.is_empty() && !f.src_ip.is_empty()) {
        let e = totals.entry((f.src_subnet.clone(), f.src_ip.clone())).or_default();
        e.0 += f.bytes;
        e.1 += 1;
    }
    let mut by_subnet: BTreeMap<String, Vec<(String, i64, i64)>> = BTreeMap::new();
    for ((subnet, ip), (bytes, n)) in totals {
        by_subnet.entry(subnet).or_default().push((ip, bytes, n));
    }
    let mut expected = Vec::new();
    for (subnet, mut talkers) in by_subnet {
        talkers.sort_by(|a, b| b.1.cmp(&a.1).then(ipv4(&a.0).cmp(&ipv4(&b.0))));
        for (rank, (ip, bytes, n)) in talkers.into_iter().take(2).enumerate() {
            expected.push((subnet.clone(), rank as i64 + 1, ip, bytes, n));
        }
    }
    let got: Vec<(String, i64, String, i64, i64)> = pack_rows("top-talkers-per-subnet", &["--param", "talkers=2"])
        .iter()
        .map(|r| (s(&r["SrcSubnet"]), ints(&r["Rank"]), s(&r["SrcIp"]), ints(&r["Bytes"]), ints(&r["Flows"])))
        .collect();
    assert!(expected.len() > 10, "the sample has 13 subnets");
    assert_eq!(got, expected);
}

/// The addresses of one side of a flow: its IP, else each public IP of its list.
fn addresses(ip: &str, public: &str) -> Vec<String> {
    if !ip.is_empty() {
        return vec![ip.to_string()];
    }
    public.split(' ').map(first_public).filter(|a| !a.is_empty()).collect()
}

#[test]
fn new_pairs_are_absent_from_the_lookback() {
    // The defaults: the last 6 hours against the 7 days before them.
    let (start, end, history) = ("2025-06-01T18:00:00Z", "2025-06-02T00:00:00Z", "2025-05-25T18:00:00Z");
    let all = flows();
    let pairs = |f: &Flow| {
        let mut out = Vec::new();
        for a in addresses(&f.src_ip, &f.src_public) {
            for b in addresses(&f.dest_ip, &f.dest_public) {
                out.push((a.clone(), b));
            }
        }
        out
    };
    let before: HashSet<(String, String)> =
        all.iter().filter(|f| in_window(f, history, start)).flat_map(pairs).collect();
    type Key = (String, String, String);
    let mut expected: BTreeMap<Key, (String, i64, HashSet<Option<i64>>)> = BTreeMap::new();
    for f in all.iter().filter(|f| in_window(f, start, end)) {
        for (a, b) in pairs(f) {
            if before.contains(&(a.clone(), b.clone())) {
                continue;
            }
            let e = expected.entry((a, b, f.flow_type.clone())).or_insert_with(|| (f.start.clone(), 0, HashSet::new()));
            e.0 = e.0.clone().min(f.start.clone());
            e.1 += 1;
            e.2.insert(f.dest_port);
        }
    }
    let expected: BTreeMap<Key, (String, i64, i64)> =
        expected.into_iter().map(|(k, v)| (k, (v.0, v.1, v.2.len() as i64))).collect();
    let got: BTreeMap<Key, (String, i64, i64)> = pack_rows("new-pairs", &[])
        .iter()
        .map(|r| {
            (
                (s(&r["Src"]), s(&r["Dest"]), s(&r["FlowType"])),
                (instant(&s(&r["FirstSeen"])), ints(&r["Records"]), ints(&r["Ports"])),
            )
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
}

#[test]
fn unused_rules_were_hit_before_the_window_only() {
    let (start, end, history) = ("2025-06-01T18:00:00Z", "2025-06-02T00:00:00Z", "2025-05-25T18:00:00Z");
    let rules: Vec<Flow> =
        flows().into_iter().filter(|f| !f.acl_group.contains("Unspecified") && !f.acl_rule.is_empty()).collect();
    let used: HashSet<(String, String)> =
        rules.iter().filter(|f| in_window(f, start, end)).map(|f| (f.acl_group.clone(), f.acl_rule.clone())).collect();
    let mut expected: BTreeMap<(String, String), (String, i64)> = BTreeMap::new();
    for f in rules.iter().filter(|f| in_window(f, history, start)) {
        let key = (f.acl_group.clone(), f.acl_rule.clone());
        if used.contains(&key) {
            continue;
        }
        let e = expected.entry(key).or_insert_with(|| (f.start.clone(), 0));
        e.0 = e.0.clone().max(f.start.clone());
        e.1 += 1;
    }
    let got: BTreeMap<(String, String), (String, i64)> = pack_rows("unused-rules", &[])
        .iter()
        .map(|r| ((s(&r["Nsg"]), s(&r["Rule"])), (instant(&s(&r["LastHit"])), ints(&r["Records"]))))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
}

#[test]
fn blast_radius_is_a_breadth_first_search_of_allowed_flows() {
    let (start, end) = ("2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z");
    let all = flows();
    let mut next: HashMap<String, BTreeSet<String>> = HashMap::new();
    for f in all.iter().filter(|f| f.status == "Allowed" && in_window(f, start, end)) {
        if !f.src_ip.is_empty() && !f.dest_ip.is_empty() {
            next.entry(f.src_ip.clone()).or_default().insert(f.dest_ip.clone());
        }
    }
    let ip = ntaq::pack::get("blast-radius-ip").unwrap().parameters()[0].default.clone().unwrap();
    let ip = ip.trim_matches('"').to_string();
    for hops in 1..=4 {
        let mut reached: BTreeMap<String, i64> = BTreeMap::new();
        let mut frontier = vec![ip.clone()];
        for hop in 1..=hops {
            let mut following = Vec::new();
            for a in &frontier {
                for b in next.get(a).into_iter().flatten() {
                    if *b != ip && !reached.contains_key(b) {
                        reached.insert(b.clone(), hop);
                        following.push(b.clone());
                    }
                }
            }
            frontier = following;
        }
        let hops_arg = format!("hops={hops}");
        let rows = pack_rows("blast-radius-ip", &["--param", &hops_arg]);
        let got: BTreeMap<String, i64> = rows.iter().map(|r| (s(&r["ReachedIp"]), ints(&r["Hops"]))).collect();
        assert_eq!(got.len(), rows.len(), "one row per address");
        assert!(!reached.is_empty());
        assert_eq!(got, reached, "hops = {hops}");
        if hops == 2 {
            assert!(reached.values().any(|&h| h == 2), "the default reaches a second hop on the sample");
        }
        // DestVm is a VM seen behind that address.
        for r in &rows {
            let vms: HashSet<&str> =
                all.iter().filter(|f| f.dest_ip == s(&r["ReachedIp"])).map(|f| f.dest_vm.as_str()).collect();
            assert!(vms.contains(s(&r["DestVm"]).as_str()), "{r}");
        }
    }
}

/// `format_ipv4_mask(ip, 24)`: the /24 network, written `a.b.c.0/24`.
fn prefix24(ip: &str) -> String {
    let parts: Vec<&str> = ip.split('.').collect();
    if parts.len() != 4 {
        return String::new();
    }
    format!("{}.{}.{}.0/24", parts[0], parts[1], parts[2])
}

#[test]
fn candidate_allow_rules_group_allowed_flows_as_nsg_rules_match_them() {
    let (start, end) = ("2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z");
    type Key = (String, String, String, String, String, String);
    let mut expected: BTreeMap<Key, (i64, HashSet<String>, HashSet<String>)> = BTreeMap::new();
    for f in flows().iter().filter(|f| f.status == "Allowed" && in_window(f, start, end)) {
        let (a, b) = (src(f), dest(f));
        let source = if f.src_subnet.is_empty() { prefix24(&a) } else { f.src_subnet.clone() };
        let destination = if f.dest_subnet.is_empty() { prefix24(&b) } else { f.dest_subnet.clone() };
        let protocol = match f.protocol.as_str() {
            "T" => "Tcp".to_string(),
            "U" => "Udp".to_string(),
            other => other.to_string(),
        };
        let port = f.dest_port.map_or_else(String::new, |p| p.to_string());
        let e = expected
            .entry((f.acl_group.clone(), f.direction.clone(), source, destination, port, protocol))
            .or_default();
        e.0 += f.allowed;
        e.1.insert(a);
        e.2.insert(b);
    }
    let expected: BTreeMap<Key, (i64, i64, i64)> = expected
        .into_iter()
        .filter(|(_, v)| v.0 >= 1)
        .map(|(k, v)| (k, (v.0, v.1.len() as i64, v.2.len() as i64)))
        .collect();
    let got: BTreeMap<Key, (i64, i64, i64)> = pack_rows("candidate-allow-rules", &[])
        .iter()
        .map(|r| {
            let port = if r["DestPort"].is_null() { String::new() } else { s(&r["DestPort"]) };
            (
                (s(&r["Nsg"]), s(&r["Direction"]), s(&r["Source"]), s(&r["Destination"]), port, s(&r["Protocol"])),
                (ints(&r["Flows"]), ints(&r["Sources"]), ints(&r["Destinations"])),
            )
        })
        .collect();
    assert!(expected.len() > 10);
    assert_eq!(got, expected);
}

// ---------------------------------------------------------------------
// The command line.

#[test]
fn list_names_every_query_with_its_parameters() {
    let o = ntaq(&["pack", "list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    for q in ntaq::pack::QUERIES {
        assert!(out.contains(q.name) && out.contains(q.description()), "{}", q.name);
    }
    assert!(out.contains("parameters: ip:string = \"10.163.0.7\", hops:int = 2, start:datetime"), "{out}");
    assert!(out.contains("parameters: none"), "{out}");
}

#[test]
fn show_prints_the_file() {
    let o = ntaq(&["pack", "show", "unused-rules"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o.stdout), pack_files()["unused-rules"]);
}

#[test]
fn an_unknown_name_is_a_usage_error_with_a_suggestion() {
    for cmd in ["show", "run"] {
        let o = ntaq(&["pack", cmd, "denied-by-rules"]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let err = text(&o.stderr);
        assert!(err.contains("kql::pack::unknown_query"), "{err}");
        assert!(err.contains("did you mean `denied-by-rule`?"), "{err}");
    }
}

#[test]
fn run_works_from_any_directory_with_runs_options() {
    let dir = tempfile::tempdir().unwrap();
    let o = ntaq_in(dir.path(), &["pack", "run", "denied-by-rule", "--output-dir", "out", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let csv = std::fs::read_to_string(dir.path().join("out/denied-by-rule.csv")).unwrap();
    assert!(csv.starts_with("Nsg,Rule,FlowDirection,Flows,Records,Sources,Ports\n"), "{csv}");
    // A parameter of the wrong type names the declaration.
    let o = ntaq_in(dir.path(), &["pack", "run", "blast-radius-ip", "--param", "hops=many"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("kql::run::parameter_value"), "{}", text(&o.stderr));
}

/// `hops` outside 1–4 fails the query (assert()) instead of being read as 4.
#[test]
fn blast_radius_hops_out_of_range_fail() {
    let o = ntaq(&["pack", "run", "blast-radius-ip", "--param", "hops=5"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("hops must be between 1 and 4"), "{e}");
    assert!(o.stdout.is_empty());
}
