//! Hand-built topology and flows shared by the tests.
#![allow(dead_code)]

use nta_azure::Topology;
use nta_azure::cidr::parse_ipv4;
use nta_azure::nsg::{Direction, Protocol};
use nta_recommend::ObservedFlow;

pub const SUB: &str = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network";

/// VNet `hub` 10.0.0.0/16: subnets web 10.0.1.0/24 (NSG nsg-web), app
/// 10.0.2.0/24 (NSG nsg-app), db 10.0.3.0/24 (no NSG).
pub fn vnets() -> serde_json::Value {
    serde_json::json!([{
        "id": format!("{SUB}/virtualNetworks/hub"), "name": "hub", "type": "Microsoft.Network/virtualNetworks",
        "resourceGroup": "rg1", "location": "westeurope",
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [
            {"id": format!("{SUB}/virtualNetworks/hub/subnets/web"), "name": "web", "addressPrefix": "10.0.1.0/24",
             "networkSecurityGroup": {"id": format!("{SUB}/networkSecurityGroups/nsg-web")}},
            {"id": format!("{SUB}/virtualNetworks/hub/subnets/app"), "name": "app", "addressPrefix": "10.0.2.0/24",
             "networkSecurityGroup": {"id": format!("{SUB}/networkSecurityGroups/nsg-app")}},
            {"id": format!("{SUB}/virtualNetworks/hub/subnets/db"), "name": "db", "addressPrefix": "10.0.3.0/24"}
        ]
    }])
}

/// An `az network nsg list` document with the given NSGs' user rules.
pub fn nsgs(rules: &[(&str, serde_json::Value)]) -> serde_json::Value {
    serde_json::Value::Array(
        rules
            .iter()
            .map(|(name, rules)| {
                serde_json::json!({
                    "id": format!("{SUB}/networkSecurityGroups/{name}"), "name": name, "resourceGroup": "rg1",
                    "location": "westeurope", "type": "Microsoft.Network/networkSecurityGroups",
                    "securityRules": rules,
                    "subnets": [{"id": format!("{SUB}/virtualNetworks/hub/subnets/{}", name.trim_start_matches("nsg-"))}]
                })
            })
            .collect(),
    )
}

pub fn topology(nsg_doc: Option<serde_json::Value>) -> Topology {
    let mut t = Topology::default();
    t.add(&vnets());
    if let Some(doc) = nsg_doc {
        t.add(&doc);
    }
    t
}

pub fn ip(s: &str) -> u32 {
    parse_ipv4(s).unwrap()
}

/// An allowed TCP flow inbound at `nsg`, one flow, rule `UserRule_x`.
pub fn allowed(nsg: &str, src: &str, dst: &str, port: u16) -> ObservedFlow {
    ObservedFlow {
        src: ip(src),
        dst: ip(dst),
        port,
        protocol: Protocol::Tcp,
        direction: Direction::Inbound,
        allowed: true,
        flows: 1,
        nsg: Some(nsg.to_string()),
        resource_group: Some("rg1".into()),
        rule: "UserRule_x".into(),
        time: Some(0),
    }
}
