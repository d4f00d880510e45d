//! Tests of the derivation on hand-built tuples, with results worked out by
//! hand from the documented rules (docs/flow-logs-derived.md).

mod props;
mod rows;
mod scenarios;

use crate::derive::{Derived, Enrichment, Interval, derive};
use crate::enrich::geoip::test_db;
use crate::enrich::{GeoIp, ThreatIntel};
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use nta_azure::{ServiceTags, Topology};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// One flow tuple, as the blob reader writes it.
#[derive(Clone, Debug)]
pub struct Tuple {
    pub time: &'static str,
    pub kind: &'static str,
    pub src: String,
    pub dest: String,
    pub src_port: i32,
    pub dest_port: i32,
    pub proto: &'static str,
    pub dir: &'static str,
    pub state: &'static str,
    pub status: &'static str,
    pub mac: &'static str,
    pub acl: &'static str,
    pub rule: &'static str,
    pub target: &'static str,
    pub counters: [i64; 4],
}

pub const FLOW_LOG: &str = "/subscriptions/s1/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/flowLogs/fl-hub";
pub const HUB: &str = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/hub";
pub const WEB_NSG: &str =
    "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/web-nsg";
pub const WEB_NSG_GUID: &str = "6f1c0a5e-0000-4000-8000-000000000001";

/// A VNet-flow-log tuple `src → dest:port`, outbound, allowed, state B, at VM1's NIC.
pub fn t(time: &'static str, src: &str, dest: &str, dest_port: i32) -> Tuple {
    Tuple {
        time,
        kind: "VNet",
        src: src.into(),
        dest: dest.into(),
        src_port: 50_000,
        dest_port,
        proto: "T",
        dir: "O",
        state: "B",
        status: "A",
        mac: "000D3A000001",
        acl: WEB_NSG_GUID,
        rule: "allow-all-out",
        target: HUB,
        counters: [0; 4],
    }
}

impl Tuple {
    pub fn state(mut self, s: &'static str) -> Self {
        self.state = s;
        if s == "D" {
            self.status = "D";
        }
        self
    }
    pub fn inbound(mut self) -> Self {
        self.dir = "I";
        self
    }
    pub fn counters(mut self, c: [i64; 4]) -> Self {
        self.counters = c;
        self
    }
    pub fn src_port(mut self, p: i32) -> Self {
        self.src_port = p;
        self
    }
    pub fn mac(mut self, m: &'static str) -> Self {
        self.mac = m;
        self
    }
    pub fn rule(mut self, r: &'static str) -> Self {
        self.rule = r;
        self
    }
    pub fn udp(mut self) -> Self {
        self.proto = "U";
        self
    }
}

fn ms(iso: &str) -> i64 {
    kql_syntax::time::parse_datetime(iso).unwrap_or_else(|| panic!("{iso}")) / 1_000_000
}

/// A `FlowTuples` batch: times in milliseconds, the ACL columns as
/// dictionaries, the other strings as Utf8, as any reader may write them.
pub fn batch(tuples: &[Tuple]) -> RecordBatch {
    let s = |f: &dyn Fn(&Tuple) -> String| -> ArrayRef {
        Arc::new(tuples.iter().map(f).map(Some).collect::<StringArray>())
    };
    let d = |f: &dyn Fn(&Tuple) -> &str| -> ArrayRef {
        Arc::new(tuples.iter().map(f).collect::<DictionaryArray<Int32Type>>())
    };
    let i = |f: &dyn Fn(&Tuple) -> i32| -> ArrayRef { Arc::new(tuples.iter().map(f).collect::<Int32Array>()) };
    let l = |k: usize| -> ArrayRef { Arc::new(tuples.iter().map(|t| t.counters[k]).collect::<Int64Array>()) };
    RecordBatch::try_from_iter([
        (
            "FlowTime",
            Arc::new(
                TimestampMillisecondArray::from_iter_values(tuples.iter().map(|t| ms(t.time))).with_timezone("UTC"),
            ) as ArrayRef,
        ),
        ("FlowLogKind", d(&|t| t.kind)),
        ("FlowLogVersion", i(&|t| if t.kind == "VNet" { 4 } else { 2 })),
        ("FlowLogResourceId", d(&|t| if t.kind == "VNet" { FLOW_LOG } else { t.target })),
        ("TargetResourceId", d(&|t| t.target)),
        ("MacAddress", s(&|t| t.mac.to_string())),
        ("AclId", d(&|t| t.acl)),
        ("AclRule", d(&|t| t.rule)),
        ("SrcIp", s(&|t| t.src.clone())),
        ("DestIp", s(&|t| t.dest.clone())),
        ("SrcPort", i(&|t| t.src_port)),
        ("DestPort", i(&|t| t.dest_port)),
        ("L4Protocol", s(&|t| t.proto.to_string())),
        ("FlowDirection", s(&|t| t.dir.to_string())),
        ("FlowState", s(&|t| t.state.to_string())),
        ("FlowStatus", s(&|t| t.status.to_string())),
        ("FlowEncryption", s(&|t| if t.kind == "VNet" { "NX".into() } else { String::new() })),
        ("PacketsSrcToDest", l(0)),
        ("BytesSrcToDest", l(1)),
        ("PacketsDestToSrc", l(2)),
        ("BytesDestToSrc", l(3)),
    ])
    .unwrap()
}

/// The topology of the tests, as `az ... list -o json` prints it:
/// hub (s1/rg1, westeurope, 10.0.0.0/16: web 10.0.1.0/24 with web-nsg, db
/// 10.0.2.0/24) peered with spoke (s2/rg2, northeurope, 10.1.0.0/16: app
/// 10.1.1.0/24); vm1 10.0.1.4, vm2 10.0.2.5, vm3 10.1.1.4; a VPN gateway with
/// the P2S pool 172.16.201.0/24; the branch site 192.168.0.0/16.
pub fn topology() -> Topology {
    let sub = |s: &str, rg: &str, rest: &str| format!("/subscriptions/{s}/resourceGroups/{rg}/providers/{rest}");
    let nic = |s: &str, rg: &str, name: &str, mac: &str, ip: &str, subnet: String, vm: &str| {
        serde_json::json!({
            "id": sub(s, rg, &format!("Microsoft.Network/networkInterfaces/{name}")), "name": name, "resourceGroup": rg,
            "location": if s == "s1" { "westeurope" } else { "northeurope" },
            "type": "Microsoft.Network/networkInterfaces", "macAddress": mac,
            "virtualMachine": {"id": sub(s, rg, &format!("Microsoft.Compute/virtualMachines/{vm}"))},
            "ipConfigurations": [{"privateIPAddress": ip, "subnet": {"id": subnet}}]
        })
    };
    let hub_subnet = |n: &str| format!("{HUB}/subnets/{n}");
    let spoke = sub("s2", "rg2", "Microsoft.Network/virtualNetworks/spoke");
    let doc = serde_json::json!([
        {"id": HUB, "name": "hub", "resourceGroup": "rg1", "location": "westeurope", "type": "Microsoft.Network/virtualNetworks",
         "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
         "subnets": [{"id": hub_subnet("web"), "name": "web", "addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": WEB_NSG}},
                     {"id": hub_subnet("db"), "name": "db", "addressPrefix": "10.0.2.0/24"}],
         "virtualNetworkPeerings": [{"remoteVirtualNetwork": {"id": spoke}}]},
        {"id": spoke, "name": "spoke", "resourceGroup": "rg2", "location": "northeurope", "type": "Microsoft.Network/virtualNetworks",
         "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
         "subnets": [{"id": format!("{spoke}/subnets/app"), "name": "app", "addressPrefix": "10.1.1.0/24"}]},
        nic("s1", "rg1", "vm1-nic", "00-0D-3A-00-00-01", "10.0.1.4", hub_subnet("web"), "vm1"),
        nic("s1", "rg1", "vm2-nic", "00-0D-3A-00-00-02", "10.0.2.5", hub_subnet("db"), "vm2"),
        nic("s2", "rg2", "vm3-nic", "00-0D-3A-00-00-03", "10.1.1.4", format!("{spoke}/subnets/app"), "vm3"),
        {"id": WEB_NSG, "name": "web-nsg", "resourceGroup": "rg1", "location": "westeurope",
         "type": "Microsoft.Network/networkSecurityGroups", "resourceGuid": WEB_NSG_GUID},
        {"id": sub("s1", "rg1", "Microsoft.Network/virtualNetworkGateways/vpn"), "name": "vpn", "resourceGroup": "rg1",
         "type": "Microsoft.Network/virtualNetworkGateways", "gatewayType": "Vpn",
         "vpnClientConfiguration": {"vpnClientAddressPool": {"addressPrefixes": ["172.16.201.0/24"]}}},
        {"id": sub("s1", "rg1", "Microsoft.Network/localNetworkGateways/branch"), "name": "branch", "resourceGroup": "rg1",
         "type": "Microsoft.Network/localNetworkGateways",
         "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}
    ]);
    let mut t = Topology::default();
    t.add(&doc);
    t
}

/// Service tags: Storage.WestEurope 52.239.0.0/24 inside AzureCloud.westeurope 52.239.0.0/16.
pub fn service_tags() -> ServiceTags {
    ServiceTags::from_json(
        br#"{"values": [
          {"name": "AzureCloud.westeurope", "properties": {"region": "westeurope", "systemService": "", "addressPrefixes": ["52.239.0.0/16"]}},
          {"name": "Storage.WestEurope", "properties": {"region": "westeurope", "systemService": "AzureStorage", "addressPrefixes": ["52.239.1.0/24"]}}
        ]}"#,
    )
    .unwrap()
}

/// Threat intel: 203.0.113.7 is a botnet node.
pub fn threat_intel() -> ThreatIntel {
    let csv = "Ip,ThreatType,ThreatDescription,DnsDomain,Url,Port\n203.0.113.7,Botnet,known bot,bot.example,http://bot.example/x,8080\n";
    ThreatIntel::from_csv(Path::new("ti.csv"), csv.as_bytes()).unwrap()
}

/// Geo-IP: 203.0.113.0/24 in NL, 198.51.100.0/24 in JP.
pub fn geoip() -> GeoIp {
    let db = test_db::build(&[("203.0.113.0/24", test_db::country("NL")), ("198.51.100.0/24", test_db::country("JP"))]);
    GeoIp::from_bytes(Path::new("geo.mmdb"), db).unwrap()
}

/// Every input.
pub fn full() -> Enrichment {
    Enrichment {
        topology: Some(topology()),
        service_tags: Some(service_tags()),
        threat_intel: Some(threat_intel()),
        geoip: Some(geoip()),
    }
}

/// A derived table as rows of column name → value text (datetimes as ISO text, null as "null").
pub fn rows(batches: &[RecordBatch]) -> Vec<HashMap<String, String>> {
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            let mut row = HashMap::new();
            for (f, c) in b.schema().fields().iter().zip(b.columns()) {
                let v = if c.is_null(r) {
                    "null".to_string()
                } else if let Some(t) = c.as_any().downcast_ref::<arrow_array::TimestampMicrosecondArray>() {
                    kql_syntax::time::format_datetime(t.value(r) * 1000).replace(".0000000Z", "Z")
                } else {
                    arrow_cast::display::array_value_to_string(c, r).unwrap()
                };
                row.insert(f.name().clone(), v);
            }
            out.push(row);
        }
    }
    out
}

/// Derives with `enrichment` over `tuples` in one batch.
pub fn run(tuples: &[Tuple], enrichment: &Enrichment, interval: Interval) -> Derived {
    derive(&[batch(tuples)], enrichment, interval).unwrap()
}
