//! Groups → the NTANetAnalytics batch. The rule of every column is in
//! docs/flow-logs-derived.md; columns not set here are empty.

use super::aggregate::Group;
use super::endpoint::Place;
use super::flow_type::flow_type;
use super::public_ips::PublicIps;
use super::schema::{batch, longs, times};
use super::{Enrichment, Interval};
use crate::error::FlowLogError;
use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, Int32Array, RecordBatch};
use nta_azure::Topology;
use nta_azure::cidr::format_ipv4;
use nta_azure::topology::{ResourceId, normalize_mac};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The table name.
pub const TABLE: &str = "NTANetAnalytics";

/// `<ResourceGroup>/<Name>[/<Child>…]` of an ARM ID, with the subscription
/// in front when `with_subscription`; the text as given when it is not an ARM ID.
pub fn short_id(id: &str, with_subscription: bool) -> String {
    match ResourceId::parse(id) {
        Some(r) => {
            let mut parts: Vec<&str> = Vec::with_capacity(r.path.len() + 2);
            if with_subscription {
                parts.push(&r.subscription);
            }
            parts.push(&r.resource_group);
            parts.extend(r.path.iter().map(|(_, n)| n.as_str()));
            parts.join("/")
        }
        None => id.to_string(),
    }
}

/// TargetResourceType from the ARM type of the target's ID.
pub fn target_type(id: &str) -> &'static str {
    let ty = ResourceId::parse(id).and_then(|r| r.path.last().map(|(t, _)| t.to_ascii_lowercase()));
    match ty.as_deref() {
        Some("virtualnetworks") => "VirtualNetwork",
        Some("subnets") => "Subnet",
        Some("networkinterfaces") => "NetworkInterface",
        Some("networksecuritygroups") => "NetworkSecurityGroup",
        _ => "",
    }
}

/// A MAC address as traffic analytics writes it: `00-0D-3A-F8-78-56`.
pub fn dashed_mac(mac: &str) -> String {
    let hex = normalize_mac(mac);
    if hex.len() != 12 {
        return mac.to_string();
    }
    hex.as_bytes().chunks(2).map(|p| std::str::from_utf8(p).unwrap_or_default()).collect::<Vec<_>>().join("-")
}

/// NTANetAnalytics.FlowEncryption for a VNet flow log's encryption code
/// (the codes of vnet-flow-logs-overview, in the order of the texts of
/// traffic-analytics-schema); other codes are kept as they are.
pub fn encryption_text(code: &str) -> &str {
    match code {
        "X" => "Encrypted",
        "NX" => "Unencrypted",
        "NX_HW_NOT_SUPPORTED" => "Unsupported hardware",
        "NX_SW_NOT_READY" => "Software not ready",
        "NX_NOT_ACCEPTED" => "Drop due to no encryption",
        "NX_NOT_SUPPORTED" => "Discovery not supported",
        "NX_LOCAL_DST" => "Destination on same host",
        "NX_FALLBACK" => "Fall back to no encryption",
        other => other,
    }
}

/// AclGroup: the NSG as `<Subscription>/<ResourceGroup>/<Name>` (the form of
/// NSGList in traffic-analytics-schema). NSG flow logs: the NSG the blob
/// belongs to. VNet flow logs: the NSG whose `resourceGuid` is the `aclID`;
/// `Unspecified` for an empty or `unspecified` aclID; the aclID itself when
/// the topology does not know it.
pub fn acl_group(g: &Group, topo: Option<&Topology>) -> String {
    let nsg_text = |sub: &str, rg: &str, name: &str| format!("{sub}/{rg}/{name}");
    if g.kind.eq_ignore_ascii_case("NSG") {
        return match topo.and_then(|t| t.nsg(&g.target)) {
            Some(n) => nsg_text(&n.subscription, &n.resource_group, &n.name),
            None => short_id(&g.target, true),
        };
    }
    if g.acl_id.is_empty() || g.acl_id.eq_ignore_ascii_case("unspecified") {
        return "Unspecified".into();
    }
    match topo.and_then(|t| t.nsg_by_guid(&g.acl_id).or_else(|| t.nsg(&g.acl_id))) {
        Some(n) => nsg_text(&n.subscription, &n.resource_group, &n.name),
        None => short_id(&g.acl_id, true),
    }
}

/// The text of a public-IP list: entries `IP|started|ended|outPackets|inPackets|outBytes|inBytes`
/// in address order, separated by single spaces.
pub fn public_list(entries: &PublicIps) -> String {
    let texts: Vec<String> = entries
        .iter()
        .map(|(ip, e)| {
            format!(
                "{}|{}|{}|{}|{}|{}|{}",
                format_ipv4(ip),
                e.started,
                e.ended,
                e.out_packets,
                e.in_packets,
                e.out_bytes,
                e.in_bytes
            )
        })
        .collect();
    texts.join(" ")
}

/// The topology columns of each side, in the order of [`Side`]'s fields.
const SIDE_COLUMNS: [[&str; 6]; 2] = [
    ["SrcSubnet", "SrcNic", "SrcVm", "SrcSubscription", "SrcRegion", "SrcLocalNetworkGateway"],
    ["DestSubnet", "DestNic", "DestVm", "DestSubscription", "DestRegion", "DestLocalNetworkGateway"],
];

/// The topology columns of one side of a flow.
#[derive(Default)]
struct Side {
    subnet: String,
    nic: String,
    vm: String,
    subscription: String,
    region: String,
    local_gateway: String,
}

fn side(place: Place<'_>, topo: Option<&Topology>) -> Side {
    match place {
        Place::Vnet { vnet, subnet, nic } => {
            let vm = nic.and_then(|n| n.vm_id.as_deref()).map(|id| match topo.and_then(|t| t.vm(id)) {
                Some(vm) => format!("{}/{}", vm.resource_group, vm.name),
                None => short_id(id, false),
            });
            let pick = |nic_value: Option<&str>, vnet_value: &str| {
                nic_value.filter(|v| !v.is_empty()).unwrap_or(vnet_value).to_string()
            };
            Side {
                subnet: subnet.map(|s| format!("{}/{}/{}", vnet.resource_group, vnet.name, s.name)).unwrap_or_default(),
                nic: nic.map(|n| format!("{}/{}", n.resource_group, n.name)).unwrap_or_default(),
                vm: vm.unwrap_or_default(),
                subscription: pick(nic.map(|n| n.subscription.as_str()), &vnet.subscription),
                region: pick(nic.map(|n| n.location.as_str()), &vnet.location),
                local_gateway: String::new(),
            }
        }
        Place::Site(g) => {
            Side { local_gateway: format!("{}/{}/{}", g.subscription, g.resource_group, g.name), ..Side::default() }
        }
        _ => Side::default(),
    }
}

fn peered(a: Place<'_>, b: Place<'_>) -> bool {
    match (a, b) {
        (Place::Vnet { vnet: a, .. }, Place::Vnet { vnet: b, .. }) => {
            a.peerings.iter().any(|p| p.eq_ignore_ascii_case(&b.id))
                || b.peerings.iter().any(|p| p.eq_ignore_ascii_case(&a.id))
        }
        _ => false,
    }
}

/// The NTANetAnalytics rows of `groups`, in their order.
pub fn table<'g, 'e>(
    groups: &[&'g Group],
    enrichment: &'e Enrichment,
    interval: Interval,
) -> Result<RecordBatch, FlowLogError> {
    let topo = enrichment.topology.as_ref();
    let mut places: HashMap<&str, Place<'_>> = HashMap::new();
    let mut place = |ip: &'g str, public: bool| -> Place<'e> {
        if public || ip.is_empty() {
            return Place::Unknown;
        }
        *places.entry(ip).or_insert_with(|| enrichment.place(ip))
    };
    let n = groups.len();
    // One builder per string column: the rows' texts are appended, not kept.
    let mut cols: BTreeMap<&'static str, StringBuilder> = BTreeMap::new();
    let mut put = |name: &'static str, v: &str| {
        cols.entry(name).or_insert_with(|| StringBuilder::with_capacity(n, n * 8)).append_value(v)
    };
    for &g in groups {
        let (sp, dp) = (place(&g.src_ip, g.src_class.is_some()), place(&g.dest_ip, g.dest_class.is_some()));
        let ft = flow_type(g.src_class.as_deref(), g.dest_class.as_deref(), sp, dp, topo.is_some());
        let (s, d) = (side(sp, topo), side(dp, topo));
        let acl = acl_group(g, topo);
        let public = g.src_class.as_deref().or(g.dest_class.as_deref());
        let located =
            |types: &[&str]| public.filter(|c| types.contains(&c.flow_type)).map_or("", |c| c.location.as_str());
        put("AzureRegion", located(&["AzurePublic"]));
        put("Country", located(&["ExternalPublic", "MaliciousFlow"]));
        put(
            "DestServiceTags",
            g.dest_class.as_deref().filter(|c| c.flow_type == "AzurePublic").map_or("", |c| c.service_tag.as_str()),
        );
        let (conn_type, conn_name) = match (ft, sp, dp) {
            ("InterVNet", ..) if peered(sp, dp) => ("VNetPeering", String::new()),
            ("S2S", ..) => ("VpnGateway", String::new()),
            ("P2S", Place::P2S(gw), _) => ("VpnGateway", format!("{}_{}", gw.name, g.src_ip)),
            ("P2S", _, Place::P2S(gw)) => ("VpnGateway", format!("{}_{}", gw.name, g.dest_ip)),
            _ => ("", String::new()),
        };
        put("ConnectionType", conn_type);
        put("ConnectionName", &conn_name);
        put("FlowType", ft);
        let nsg = g.kind.eq_ignore_ascii_case("NSG");
        put("NsgList", if nsg { &acl } else { "" });
        put("NsgRule", if nsg { &g.rule } else { "" });
        let rule_type = match &g.rule {
            _ if !nsg => "",
            r if r.starts_with("DefaultRule_") => "Default",
            r if r.starts_with("UserRule_") => "User Defined",
            _ => "",
        };
        put("NsgRuleType", rule_type);
        put("AclGroup", &acl);
        put("AclRule", &g.rule);
        put("SrcIp", &g.src_ip);
        put("DestIp", &g.dest_ip);
        put("SrcPublicIps", &public_list(&g.src_public));
        put("DestPublicIps", &public_list(&g.dest_public));
        put("L4Protocol", &g.protocol);
        put("FlowDirection", if g.inbound { "Inbound" } else { "Outbound" });
        put("FlowStatus", if g.allowed { "Allowed" } else { "Denied" });
        put("FlowEncryption", encryption_text(&g.encryption));
        put("MacAddress", &dashed_mac(&g.mac));
        put("FlowLogResourceId", &short_id(&g.flow_log, false));
        put("TargetResourceId", &short_id(&g.target, true));
        put("TargetResourceType", target_type(&g.target));
        for (names, v) in SIDE_COLUMNS.iter().zip([s, d]) {
            for (name, value) in names.iter().zip([v.subnet, v.nic, v.vm, v.subscription, v.region, v.local_gateway]) {
                put(name, &value);
            }
        }
        put("FaSchemaVersion", "3");
        put("SubType", "FlowLog");
        put("Type", TABLE);
    }
    let mut derived: HashMap<&'static str, ArrayRef> =
        cols.into_iter().map(|(k, mut b)| (k, Arc::new(b.finish()) as ArrayRef)).collect();
    let end = |g: &&Group| g.interval_start + interval.micros();
    derived.insert("FlowIntervalStartTime", times(groups.iter().map(|g| g.interval_start)));
    derived.insert("FlowIntervalEndTime", times(groups.iter().map(end)));
    derived.insert("TimeProcessed", times(groups.iter().map(end)));
    derived.insert("TimeGenerated", times(groups.iter().map(end)));
    derived.insert("FlowStartTime", times(groups.iter().map(|g| g.first_seen)));
    derived.insert("FlowEndTime", times(groups.iter().map(|g| g.flow_end())));
    let count = |inbound: bool, allowed: bool| {
        longs(groups.iter().map(|g| if g.inbound == inbound && g.allowed == allowed { g.flows } else { 0 }))
    };
    derived.insert("AllowedInFlows", count(true, true));
    derived.insert("AllowedOutFlows", count(false, true));
    derived.insert("DeniedInFlows", count(true, false));
    derived.insert("DeniedOutFlows", count(false, false));
    derived.insert("CompletedFlows", longs(groups.iter().map(|g| g.completed)));
    derived.insert("PacketsSrcToDest", longs(groups.iter().map(|g| g.packets_s2d)));
    derived.insert("BytesSrcToDest", longs(groups.iter().map(|g| g.bytes_s2d)));
    derived.insert("PacketsDestToSrc", longs(groups.iter().map(|g| g.packets_d2s)));
    derived.insert("BytesDestToSrc", longs(groups.iter().map(|g| g.bytes_d2s)));
    // Ports were checked to be 0–65535 when the tuples were read.
    derived.insert("DestPort", Arc::new(Int32Array::from_iter_values(groups.iter().map(|g| g.dest_port as i32))));
    batch(TABLE, n, derived)
}
