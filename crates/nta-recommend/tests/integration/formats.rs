//! The written formats against their documented forms.
//!
//! - ARM: Microsoft's ARM template reference, "Microsoft.Network
//!   networkSecurityGroups/securityRules": `properties` requires
//!   `priority` (int; 100–4096 for user rules), `access` (`Allow`|`Deny`),
//!   `direction` (`Inbound`|`Outbound`), `protocol`
//!   (`*`|`Ah`|`Esp`|`Icmp`|`Tcp`|`Udp`); source/destination prefixes as
//!   `…AddressPrefix` (string) or `…AddressPrefixes` (string array), and
//!   ports as `…PortRange` (`*`, a port or `lo-hi`, 0–65535) or
//!   `…PortRanges`. The rule name: Learn, "Network security groups"
//!   (≤ 80 characters; starts with a word character; ends with a word
//!   character or `_`; word characters, `.`, `-`, `_`).
//! - `az network nsg rule create` parameters as its reference lists them.
//! - Bicep: `resource SYMBOL 'Microsoft.Network/networkSecurityGroups@API' = { … }`.

use crate::common;

use common::*;
use nta_azure::nsg::{Direction, Protocol};
use nta_recommend::{Aggregate, Format, Inputs, ObservedFlow, Options, Report, recommend, render};
use serde_json::Value;
use std::collections::BTreeSet;

fn report() -> Report {
    let mut flows = vec![
        allowed("nsg-web", "10.0.2.4", "10.0.1.4", 443),
        allowed("nsg-web", "10.0.2.5", "10.0.1.5", 80),
        allowed("nsg-web", "10.0.2.5", "10.0.1.5", 81),
        allowed("nsg-web", "10.0.2.5", "10.0.1.6", 8080),
        allowed("nsg-web", "10.0.2.7", "10.0.1.6", 8080),
        allowed("nsg-app", "10.0.1.4", "10.0.2.4", 5432),
    ];
    flows.push(ObservedFlow {
        protocol: Protocol::Udp,
        direction: Direction::Outbound,
        ..allowed("nsg-web", "10.0.1.4", "168.63.129.16", 53)
    });
    let inputs = Inputs { flows, topology: topology(None), service_tags: None };
    recommend(&inputs, &Options { aggregate: Aggregate::Ip, min_flows: 1, window: None }).unwrap()
}

fn is_valid_name(n: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    (1..=80).contains(&n.len())
        && n.chars().all(|c| word(c) || c == '.' || c == '-')
        && n.starts_with(word)
        && n.ends_with(word)
}

fn is_port_range(s: &str) -> bool {
    let port =
        |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.parse::<u32>().is_ok_and(|p| p <= 65535);
    s == "*"
        || port(s)
        || s.split_once('-')
            .is_some_and(|(a, b)| port(a) && port(b) && a.parse::<u32>().unwrap() <= b.parse::<u32>().unwrap())
}

fn is_prefix(s: &str) -> bool {
    nta_azure::Ipv4Net::parse(s).is_some()
}

/// One `securityRules` element against the schema's constraints.
fn check_rule(rule: &Value) {
    let name = rule["name"].as_str().expect("name");
    assert!(is_valid_name(name), "{name}");
    let p = rule["properties"].as_object().expect("properties");
    let priority = p["priority"].as_u64().expect("integer priority");
    assert!((100..=4096).contains(&priority), "{priority}");
    assert!(["Allow", "Deny"].contains(&p["access"].as_str().unwrap()));
    assert!(["Inbound", "Outbound"].contains(&p["direction"].as_str().unwrap()));
    assert!(["*", "Ah", "Esp", "Icmp", "Tcp", "Udp"].contains(&p["protocol"].as_str().unwrap()));
    for (one, many, valid) in [
        ("sourceAddressPrefix", "sourceAddressPrefixes", is_prefix as fn(&str) -> bool),
        ("destinationAddressPrefix", "destinationAddressPrefixes", is_prefix),
        ("sourcePortRange", "sourcePortRanges", is_port_range),
        ("destinationPortRange", "destinationPortRanges", is_port_range),
    ] {
        match (p.get(one), p.get(many)) {
            (Some(v), None) => assert!(valid(v.as_str().unwrap()), "{one}: {v}"),
            (None, Some(Value::Array(vs))) => {
                assert!(vs.len() >= 2, "{many} with one value: use {one}");
                assert!(vs.iter().all(|v| valid(v.as_str().unwrap())), "{many}: {vs:?}");
            }
            other => panic!("{name}: exactly one of {one} / {many}, got {other:?}"),
        }
    }
    let known = [
        "priority",
        "access",
        "direction",
        "protocol",
        "sourceAddressPrefix",
        "sourceAddressPrefixes",
        "sourcePortRange",
        "sourcePortRanges",
        "destinationAddressPrefix",
        "destinationAddressPrefixes",
        "destinationPortRange",
        "destinationPortRanges",
    ];
    assert!(p.keys().all(|k| known.contains(&k.as_str())), "{:?}", p.keys());
}

/// Names unique per NSG; priorities unique per NSG and direction.
fn check_unique(rules: &[Value]) {
    let names: BTreeSet<String> = rules.iter().map(|r| r["name"].as_str().unwrap().to_ascii_lowercase()).collect();
    assert_eq!(names.len(), rules.len());
    let prios: BTreeSet<(String, u64)> = rules
        .iter()
        .map(|r| {
            (r["properties"]["direction"].as_str().unwrap().to_string(), r["properties"]["priority"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(prios.len(), rules.len());
}

#[test]
fn json_has_the_fixed_shape_and_arm_rules() {
    let r = report();
    let v: Value = serde_json::from_str(&render(&r, Format::Json)).unwrap();
    let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["nsgs", "blockedByDefaultDeny", "defaultOnlyFlows", "unusedRules"]));
    let nsgs = v["nsgs"].as_array().unwrap();
    assert_eq!(nsgs.len(), 2);
    for n in nsgs {
        assert!(n["nsg"].is_string());
        assert!(n["flowsAdmitted"].is_u64());
        let rules = n["rules"].as_array().unwrap();
        rules.iter().for_each(check_rule);
        check_unique(rules);
    }
    // Hand-derived: nsg-web inbound Tcp: 80-81 (one pair), 443, 8080 from
    // .5 and .7 → three rules; outbound Udp 53 → one. 6 flows in all.
    let web = nsgs.iter().find(|n| n["nsg"] == "nsg-web").unwrap();
    assert_eq!(web["rules"].as_array().unwrap().len(), 4);
    assert_eq!(web["flowsAdmitted"], 6);
    let ports: Vec<&Value> =
        web["rules"].as_array().unwrap().iter().map(|r| &r["properties"]["destinationPortRange"]).collect();
    assert_eq!(ports, [&Value::from("80-81"), &Value::from("443"), &Value::from("8080"), &Value::from("53")]);
    let r8080 = &web["rules"][2]["properties"];
    assert_eq!(r8080["sourceAddressPrefixes"], serde_json::json!(["10.0.2.5", "10.0.2.7"]));
    assert!(r8080.get("sourceAddressPrefix").is_none());
    assert_eq!(v["blockedByDefaultDeny"], serde_json::json!([]));
}

#[test]
fn arm_document() {
    let v: Value = serde_json::from_str(&render(&report(), Format::Arm)).unwrap();
    let groups = v["networkSecurityGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    for g in groups {
        assert_eq!(g.as_object().unwrap().len(), 2, "name and securityRules");
        assert!(g["name"].is_string());
        g["securityRules"].as_array().unwrap().iter().for_each(check_rule);
    }
}

/// POSIX shell words of a line (single quotes; no other quoting used).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut in_word) = (false, false);
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            ' ' if !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                }
                in_word = false;
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quote in {line}");
    if in_word {
        out.push(cur);
    }
    out
}

#[test]
fn az_lines_use_the_documented_parameters() {
    let text = render(&report(), Format::Az);
    let documented = [
        "--resource-group",
        "--nsg-name",
        "--name",
        "--priority",
        "--direction",
        "--access",
        "--protocol",
        "--source-address-prefixes",
        "--source-port-ranges",
        "--destination-address-prefixes",
        "--destination-port-ranges",
    ];
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("az ")).collect();
    assert_eq!(lines.len(), 5);
    for line in lines {
        let w = words(line);
        assert_eq!(&w[..5], ["az", "network", "nsg", "rule", "create"]);
        let flags: Vec<&String> = w.iter().filter(|x| x.starts_with("--")).collect();
        assert!(flags.iter().all(|f| documented.contains(&f.as_str())), "{flags:?}");
        for required in ["--resource-group", "--nsg-name", "--name", "--priority"] {
            assert!(w.iter().any(|x| x == required), "{required} missing: {line}");
        }
        // Every flag has at least one value; values are not flags.
        for (i, x) in w.iter().enumerate().skip(5) {
            if x.starts_with("--") {
                assert!(w.get(i + 1).is_some_and(|v| !v.starts_with("--")), "{x} has no value");
            }
        }
        let at = |f: &str| w[w.iter().position(|x| x == f).unwrap() + 1].clone();
        assert!(["Inbound", "Outbound"].contains(&at("--direction").as_str()));
        assert!((100..=4096).contains(&at("--priority").parse::<u32>().unwrap()));
        assert_eq!(at("--source-port-ranges"), "*", "quoted so the shell does not glob it");
        assert_eq!(at("--resource-group"), "rg1");
    }
    assert!(text.contains("--source-port-ranges '*'"));
}

#[test]
fn bicep_declares_one_resource_per_nsg() {
    let text = render(&report(), Format::Bicep);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("resource ")).collect();
    assert_eq!(heads.len(), 2);
    for h in &heads {
        let rest = h.strip_prefix("resource ").unwrap();
        let (sym, rest) = rest.split_once(' ').unwrap();
        assert!(sym.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
        assert!(sym.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{sym}");
        assert_eq!(rest, "'Microsoft.Network/networkSecurityGroups@2023-09-01' = {");
    }
    // Braces and brackets balance outside strings and `//` comments; strings close.
    let (mut depth, mut in_str, mut escaped) = (0i32, false, false);
    let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    for c in code.chars() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '\'' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '\'' => in_str = true,
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth -= 1;
                assert!(depth >= 0);
            }
            _ => {}
        }
    }
    assert!(!in_str && depth == 0);
    assert!(text.contains("securityRules: ["));
    assert!(text.contains("destinationPortRange: '80-81'"));
    assert!(text.contains("sourceAddressPrefixes: ["));
    assert_eq!(nta_recommend::render::bicep::quote("it's ${x}\\"), "'it\\'s \\${x}\\\\'");
}

#[test]
fn html_is_self_contained_and_escaped() {
    let text = render(&report(), Format::Html);
    assert!(text.starts_with("<!DOCTYPE html>"));
    assert!(text.trim_end().ends_with("</html>"));
    for external in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!text.contains(external), "{external}");
    }
    assert!(text.contains("nsg-web") && text.contains("10.0.2.5"));
    assert_eq!(nta_recommend::render::html::escape("<a&\"'>"), "&lt;a&amp;&quot;&#39;&gt;");
}

#[test]
fn table_lists_rules_and_sections() {
    let text = render(&report(), Format::Table);
    assert!(text.contains("NSG nsg-web (resource group rg1): 4 rules, 6 flows admitted"));
    assert!(text.contains("Blocked by default deny (recommended rules + a final deny): 0"));
    assert!(text.contains("Unused rules (no hit in the window): 0"));
}
