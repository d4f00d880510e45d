//! The `json` and `arm` outputs: ARM `securityRules` objects.
//!
//! A rule object is `{"name", "properties": {priority, access, direction,
//! protocol, sourceAddressPrefix | sourceAddressPrefixes, sourcePortRange,
//! destinationAddressPrefix | destinationAddressPrefixes,
//! destinationPortRange | destinationPortRanges}}`: the singular property
//! for one value, the plural for several, never both (Microsoft's ARM
//! template reference, "Microsoft.Network networkSecurityGroups/securityRules").

use crate::recommend::{Pair, Report};
use nta_azure::cidr::format_ipv4;
use nta_azure::nsg::SecurityRule;
use serde_json::{Map, Value, json};

/// One rule as an ARM `securityRules` element.
pub fn rule_object(r: &SecurityRule) -> Value {
    let mut p = Map::new();
    p.insert("priority".into(), json!(r.priority));
    p.insert("access".into(), json!(r.access.as_str()));
    p.insert("direction".into(), json!(r.direction.as_str()));
    p.insert("protocol".into(), json!(r.protocol.as_str()));
    let mut put = |singular: &str, plural: &str, values: Vec<String>| match values.as_slice() {
        [one] => {
            p.insert(singular.into(), json!(one));
        }
        _ => {
            p.insert(plural.into(), json!(values));
        }
    };
    put("sourceAddressPrefix", "sourceAddressPrefixes", r.sources.iter().map(ToString::to_string).collect());
    put("sourcePortRange", "sourcePortRanges", r.source_ports.iter().map(ToString::to_string).collect());
    put(
        "destinationAddressPrefix",
        "destinationAddressPrefixes",
        r.destinations.iter().map(ToString::to_string).collect(),
    );
    put("destinationPortRange", "destinationPortRanges", r.destination_ports.iter().map(ToString::to_string).collect());
    json!({"name": r.name, "properties": Value::Object(p)})
}

fn pair_object(p: &Pair) -> Value {
    json!({
        "nsg": p.nsg,
        "srcIp": format_ipv4(p.src),
        "destIp": format_ipv4(p.dst),
        "destPort": p.port,
        "protocol": p.protocol.as_str(),
        "direction": p.direction.as_str(),
        "flows": p.flows,
    })
}

/// `--format json`: the shape scripts rely on (issue #19).
pub fn json(report: &Report) -> Value {
    json!({
        "nsgs": report.nsgs.iter().map(|n| json!({
            "nsg": n.nsg,
            "rules": n.rules.iter().map(|r| rule_object(&r.rule)).collect::<Vec<_>>(),
            "flowsAdmitted": n.flows_admitted(),
        })).collect::<Vec<_>>(),
        "blockedByDefaultDeny": report.blocked.iter().map(pair_object).collect::<Vec<_>>(),
        "defaultOnlyFlows": report.default_only.iter().map(pair_object).collect::<Vec<_>>(),
        "unusedRules": report.unused.iter().map(|(n, r)| json!({"nsg": n, "rule": r})).collect::<Vec<_>>(),
    })
}

/// `--format arm`: `{"networkSecurityGroups": [{"name", "securityRules"}]}`.
pub fn arm(report: &Report) -> Value {
    json!({
        "networkSecurityGroups": report.nsgs.iter().map(|n| json!({
            "name": n.nsg,
            "securityRules": n.rules.iter().map(|r| rule_object(&r.rule)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
