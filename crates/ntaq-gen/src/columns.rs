//! Arrow columns from rows: each catalog column name maps to a value of the
//! row (a topology string, a number, a formatted address …).
//!
//! The physical types follow the contract the executor reads: Kusto string →
//! Utf8 (never null, absent = ""), int → Int32, long → Int64, real → Float64,
//! bool → Boolean, datetime → Timestamp(µs, "UTC").

use crate::GenError;
use crate::flow::{Conn, End, FlowRow, FlowType, HOUR_US, PubList};
use crate::topology::{IpClass, Topology, format_ipv4};
use arrow_array::builder::StringBuilder;
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch, TimestampMicrosecondArray,
};
use arrow_schema::SchemaRef;
use std::fmt::Write as _;
use std::sync::Arc;

pub const NET_TABLE: &str = "NTANetAnalytics";
pub const IP_TABLE: &str = "NTAIpDetails";

/// The Arrow type written for a Kusto type (`None`: not used by the NTA
/// tables): kql-types' one mapping for the tables ntaq writes.
pub use kql_types::table_arrow_type as physical_type;

/// The Arrow schema of `table` from the built-in schemas: every column, in
/// their order. Strings are declared non-nullable (they never are null).
pub fn arrow_schema(table: &str) -> Result<SchemaRef, GenError> {
    let def = kql_types::schemas::nta_table(table)
        .ok_or_else(|| GenError::Schema(format!("the catalog has no table {table}")))?;
    let schema = def.arrow_schema().map_err(|c| {
        GenError::Schema(format!("{table}.{} has Kusto type {}, which the generator does not write", c.name, c.ty))
    })?;
    Ok(Arc::new(schema))
}

fn strs<'a>(rows: &[FlowRow], f: impl Fn(&FlowRow) -> &'a str) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 8);
    for r in rows {
        b.append_value(f(r));
    }
    Arc::new(b.finish())
}

fn fmt_strs(rows: &[FlowRow], f: impl Fn(&FlowRow, &mut StringBuilder) -> std::fmt::Result) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 16);
    for r in rows {
        f(r, &mut b).expect("writing to a string builder cannot fail");
        b.append_value("");
    }
    Arc::new(b.finish())
}

fn longs(rows: &[FlowRow], f: impl Fn(&FlowRow) -> i64) -> ArrayRef {
    Arc::new(rows.iter().map(|r| r.flow_type.map(|_| f(r))).collect::<Int64Array>())
}

fn times(rows: &[FlowRow], f: impl Fn(&FlowRow) -> Option<i64>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<TimestampMicrosecondArray>().with_timezone("UTC"))
}

fn write_list(topo: &Topology, list: &PubList, out: &mut StringBuilder) -> std::fmt::Result {
    for (i, e) in list.as_slice().iter().enumerate() {
        if i > 0 {
            out.write_char(' ')?;
        }
        write!(
            out,
            "{}|{}|{}|{}|{}|{}|{}",
            topo.public[e.ip as usize].ip, e.started, e.ended, e.out_packets, e.in_packets, e.out_bytes, e.in_bytes
        )?;
    }
    Ok(())
}

fn write_ip(topo: &Topology, end: End, out: &mut StringBuilder) -> std::fmt::Result {
    match end {
        End::Public => Ok(()),
        End::Host(h) => out.write_str(&topo.hosts[usize::from(h)].ip),
        End::Addr(a) => format_ipv4(a, out),
    }
}

fn host(end: End) -> Option<usize> {
    match end {
        End::Host(h) => Some(usize::from(h)),
        _ => None,
    }
}

fn first_public<'t>(topo: &'t Topology, r: &FlowRow) -> Option<&'t crate::topology::PublicIp> {
    let list = if r.src_pub.len > 0 { &r.src_pub } else { &r.dst_pub };
    list.as_slice().first().map(|e| &topo.public[e.ip as usize])
}

fn is_flow(r: &FlowRow) -> bool {
    r.flow_type.is_some()
}

/// The NTANetAnalytics batch of `rows`.
pub fn net_batch(schema: &SchemaRef, topo: &Topology, rows: &[FlowRow]) -> Result<RecordBatch, GenError> {
    let hub = &topo.vnets[topo.hub].name;
    let src_host = |r: &FlowRow| host(r.src);
    let dst_host = |r: &FlowRow| host(r.dst);
    let site = |r: &FlowRow| match r.conn {
        Conn::Site { site, onprem_is_src } => Some((&topo.sites[usize::from(site)], onprem_is_src)),
        _ => None,
    };
    let mut columns = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        let col: ArrayRef =
            match field.name().as_str() {
                "AclGroup" => strs(rows, |r| match (r.flow_type, r.acl) {
                    (None, _) => "",
                    (Some(_), None) => "Unspecified",
                    (Some(_), Some(s)) => &topo.subnets[usize::from(s)].nsg,
                }),
                "AclRule" => strs(rows, |r| r.acl_rule),
                "AllowedInFlows" => longs(rows, |r| r.allowed_in),
                "AllowedOutFlows" => longs(rows, |r| r.allowed_out),
                "AzureRegion" => strs(rows, |r| match (r.flow_type, first_public(topo, r)) {
                    (Some(FlowType::AzurePublic), Some(p)) => p.location,
                    _ => "",
                }),
                "_BilledSize" => Arc::new(rows.iter().map(|r| Some(r.billed)).collect::<Float64Array>()),
                "BytesDestToSrc" => longs(rows, |r| r.bytes_d2s),
                "BytesSrcToDest" => longs(rows, |r| r.bytes_s2d),
                "CompletedFlows" => longs(rows, |r| r.completed),
                "ConnectingVnets" => strs(rows, |r| match r.conn {
                    Conn::Peering { from, to } if usize::from(from) != topo.hub && usize::from(to) != topo.hub => hub,
                    Conn::Site { .. } | Conn::P2S => {
                        let vm = host(r.src).or(host(r.dst));
                        if vm.is_some_and(|h| topo.hosts[h].vnet != topo.hub) { hub } else { "" }
                    }
                    _ => "",
                }),
                "ConnectionName" => fmt_strs(rows, |r, b| match r.conn {
                    Conn::Peering { from, to } => b.write_str(topo.peering(usize::from(from), usize::from(to))),
                    Conn::Site { site, .. } => b.write_str(&topo.sites[usize::from(site)].connection),
                    Conn::P2S => {
                        write!(b, "{}_", topo.vpn_gateway)?;
                        write_ip(topo, r.src, b)
                    }
                    Conn::None => Ok(()),
                }),
                "ConnectionType" => strs(rows, |r| match r.conn {
                    Conn::Peering { .. } => "VNetPeering",
                    Conn::Site { site, .. } if topo.sites[usize::from(site)].express_route => "ExpressRoute",
                    Conn::Site { .. } | Conn::P2S => "VpnGateway",
                    Conn::None => "",
                }),
                "Country" => strs(rows, |r| match (r.flow_type, first_public(topo, r)) {
                    (Some(FlowType::ExternalPublic | FlowType::MaliciousFlow), Some(p)) => p.location,
                    _ => "",
                }),
                "DeniedInFlows" => longs(rows, |r| r.denied_in),
                "DeniedOutFlows" => longs(rows, |r| r.denied_out),
                "DestApplicationGateway" | "SrcApplicationGateway" | "SrcLoadBalancer" => strs(rows, |_| ""),
                "DestCloud" => strs(rows, |r| {
                    if r.flow_type == Some(FlowType::AzurePublic) && r.dst_pub.len > 0 { "Public" } else { "" }
                }),
                "SrcCloud" => strs(rows, |r| {
                    if r.flow_type == Some(FlowType::AzurePublic) && r.src_pub.len > 0 { "Public" } else { "" }
                }),
                "DestEnvironment" | "DestNetworkGroups" | "DestServiceId" | "DestServiceName" => strs(rows, |_| ""),
                // Columns the generator has nothing to put in: firewall-log
                // fields, tenants, the ports of the aggregated flows.
                "Action"
                | "Description"
                | "DestTenantId"
                | "DestTenantName"
                | "SrcEnvironment"
                | "SrcNetworkGroups"
                | "SrcPorts"
                | "SrcServiceId"
                | "SrcServiceName"
                | "SrcTenantId"
                | "SrcTenantName"
                | "TrafficAnalyticsResourceId" => strs(rows, |_| ""),
                // The flows aggregated into the row (null on status rows).
                "RecordCount" => longs(rows, |r| r.allowed_in + r.allowed_out + r.denied_in + r.denied_out),
                "DestExpressRouteCircuit" => strs(rows, |r| match site(r) {
                    Some((s, false)) => &s.circuit,
                    _ => "",
                }),
                "SrcExpressRouteCircuit" => strs(rows, |r| match site(r) {
                    Some((s, true)) => &s.circuit,
                    _ => "",
                }),
                "DestIp" => fmt_strs(rows, |r, b| write_ip(topo, r.dst, b)),
                "SrcIp" => fmt_strs(rows, |r, b| write_ip(topo, r.src, b)),
                "DestLoadBalancer" => strs(rows, |r| if r.dest_load_balancer { &topo.web_load_balancer } else { "" }),
                "DestLocalNetworkGateway" => strs(rows, |r| match site(r) {
                    Some((s, false)) => &s.local_gateway,
                    _ => "",
                }),
                "SrcLocalNetworkGateway" => strs(rows, |r| match site(r) {
                    Some((s, true)) => &s.local_gateway,
                    _ => "",
                }),
                "DestNic" => strs(rows, |r| dst_host(r).map_or("", |h| &topo.hosts[h].nic)),
                "SrcNic" => strs(rows, |r| src_host(r).map_or("", |h| &topo.hosts[h].nic)),
                "DestPort" => Arc::new(rows.iter().map(|r| r.flow_type.map(|_| r.dest_port)).collect::<Int32Array>()),
                "DestPublicIps" => fmt_strs(rows, |r, b| write_list(topo, &r.dst_pub, b)),
                "SrcPublicIps" => fmt_strs(rows, |r, b| write_list(topo, &r.src_pub, b)),
                "DestRegion" => strs(rows, |r| dst_host(r).map_or("", |h| topo.host_region(h))),
                "SrcRegion" => strs(rows, |r| src_host(r).map_or("", |h| topo.host_region(h))),
                "DestServiceTags" => strs(rows, |r| match (r.flow_type, r.dst_pub.as_slice().first()) {
                    (Some(FlowType::AzurePublic), Some(e)) => topo.public[e.ip as usize].service_tag,
                    _ => "",
                }),
                "SrcServiceTags" => strs(rows, |r| match (r.flow_type, r.src_pub.as_slice().first()) {
                    (Some(FlowType::AzurePublic), Some(e)) => topo.public[e.ip as usize].service_tag,
                    _ => "",
                }),
                "DestSubnet" => strs(rows, |r| dst_host(r).map_or("", |h| &topo.subnets[topo.hosts[h].subnet].path)),
                "SrcSubnet" => strs(rows, |r| src_host(r).map_or("", |h| &topo.subnets[topo.hosts[h].subnet].path)),
                "DestSubscription" => strs(rows, |r| dst_host(r).map_or("", |h| topo.host_subscription(h))),
                "SrcSubscription" => strs(rows, |r| src_host(r).map_or("", |h| topo.host_subscription(h))),
                "DestVm" => strs(rows, |r| dst_host(r).map_or("", |h| &topo.hosts[h].vm)),
                "SrcVm" => strs(rows, |r| src_host(r).map_or("", |h| &topo.hosts[h].vm)),
                "ExpressRouteCircuitPeeringType" => strs(rows, |r| match site(r) {
                    Some((s, _)) if s.express_route => "AzurePrivatePeering",
                    _ => "",
                }),
                "FaSchemaVersion" => strs(rows, |_| "3"),
                "FlowDirection" => strs(rows, |r| match r.flow_type {
                    None => "",
                    Some(_) if r.inbound => "Inbound",
                    Some(_) => "Outbound",
                }),
                "FlowEncryption" => strs(rows, |r| r.encryption),
                "FlowEndTime" => times(rows, |r| is_flow(r).then_some(r.flow_end)),
                "FlowStartTime" => times(rows, |r| is_flow(r).then_some(r.flow_start)),
                "FlowIntervalStartTime" => times(rows, |r| Some(r.interval_start)),
                "FlowIntervalEndTime" => times(rows, |r| Some(r.interval_start + HOUR_US)),
                "FlowLogResourceId" | "LogResourceId" => {
                    strs(rows, |r| &topo.vnets[usize::from(r.capture_vnet)].flow_log_id)
                }
                "FlowStatus" => strs(rows, |r| match r.flow_type {
                    None => "",
                    Some(_) if r.allowed => "Allowed",
                    Some(_) => "Denied",
                }),
                "FlowType" => strs(rows, |r| r.flow_type.map_or("", FlowType::name)),
                "_IsBillable" => strs(rows, |_| "True"),
                "IsFlowCapturedAtUdrHop" => {
                    Arc::new(rows.iter().map(|r| r.flow_type.map(|_| r.udr_hop)).collect::<BooleanArray>())
                }
                "L4Protocol" => strs(rows, |r| match r.flow_type {
                    None => "",
                    Some(_) if r.udp => "U",
                    Some(_) => "T",
                }),
                "L7Protocol" => strs(rows, |r| if is_flow(r) { crate::flow::l7(r.dest_port, r.udp) } else { "" }),
                "MacAddress" => strs(rows, |r| r.capture_host.map_or("", |h| &topo.hosts[usize::from(h)].mac)),
                "NsgList" | "NsgRule" | "NsgRuleType" => strs(rows, |_| ""),
                "PacketsDestToSrc" => longs(rows, |r| r.packets_d2s),
                "PacketsSrcToDest" => longs(rows, |r| r.packets_s2d),
                "PrivateEndpointResourceId" => {
                    strs(rows, |r| dst_host(r).and_then(|h| topo.hosts[h].private_link.as_ref()).map_or("", |p| &p.0))
                }
                "PrivateLinkResourceId" => {
                    strs(rows, |r| dst_host(r).and_then(|h| topo.hosts[h].private_link.as_ref()).map_or("", |p| &p.1))
                }
                "PrivateLinkResourceName" => {
                    strs(rows, |r| dst_host(r).and_then(|h| topo.hosts[h].private_link.as_ref()).map_or("", |p| &p.2))
                }
                "SourceSystem" => strs(rows, |_| "Azure"),
                "Status" => strs(rows, |r| r.status),
                "SubType" => strs(rows, |r| if is_flow(r) { "FlowLog" } else { "StatusMessage" }),
                "TargetResourceId" => strs(rows, |r| &topo.vnets[usize::from(r.capture_vnet)].target_resource_id),
                "TargetResourceType" => strs(rows, |_| "VirtualNetwork"),
                "TenantId" => strs(rows, |_| &topo.workspace_id),
                "TimeGenerated" => times(rows, |r| Some(r.generated)),
                "TimeProcessed" => times(rows, |r| Some(r.processed)),
                "Type" => strs(rows, |_| NET_TABLE),
                other => return Err(GenError::Schema(format!("no generator for column {NET_TABLE}.{other}"))),
            };
        columns.push(col);
    }
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

/// One NTAIpDetails row: a public IP seen in an interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IpRow {
    pub interval_start: i64,
    pub ip: u32,
    pub generated: i64,
    pub billed: f64,
}

/// The NTAIpDetails batch of `rows`.
pub fn ip_batch<'t>(schema: &SchemaRef, topo: &'t Topology, rows: &[IpRow]) -> Result<RecordBatch, GenError> {
    let p = |r: &IpRow| -> &'t crate::topology::PublicIp { &topo.public[r.ip as usize] };
    let threat = |r: &IpRow| -> Option<&'t crate::topology::Threat> { topo.public[r.ip as usize].threat.as_ref() };
    let strs = |f: &dyn Fn(&IpRow) -> &'t str| -> ArrayRef {
        let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 8);
        for r in rows {
            b.append_value(f(r));
        }
        Arc::new(b.finish())
    };
    let times = |f: &dyn Fn(&IpRow) -> i64| -> ArrayRef {
        Arc::new(rows.iter().map(|r| Some(f(r))).collect::<TimestampMicrosecondArray>().with_timezone("UTC"))
    };
    let mut columns = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        let col: ArrayRef = match field.name().as_str() {
            "_BilledSize" => Arc::new(rows.iter().map(|r| Some(r.billed)).collect::<Float64Array>()),
            "DnsDomain" => strs(&|r| threat(r).map_or("", |t| &t.dns_domain)),
            "FaSchemaVersion" => strs(&|_| "2"),
            "FlowIntervalEndTime" => times(&|r| r.interval_start + HOUR_US),
            "FlowIntervalStartTime" => times(&|r| r.interval_start),
            "FlowType" => strs(&|r| p(r).class.flow_type()),
            "Ip" => strs(&|r| &p(r).ip),
            "_IsBillable" => strs(&|_| "True"),
            "Location" => strs(&|r| p(r).location),
            "Port" => Arc::new(rows.iter().map(|r| threat(r).map(|t| t.port)).collect::<Int32Array>()),
            "PublicIpDetails" => strs(&|r| p(r).details),
            "SourceSystem" => strs(&|_| "Azure"),
            "SubType" => strs(&|_| "FlowLog"),
            "TenantId" => strs(&|_| &topo.workspace_id),
            "ThreatDescription" => strs(&|r| threat(r).map_or("", |t| t.description)),
            "ThreatType" => strs(&|r| threat(r).map_or("", |t| t.threat_type)),
            "TimeGenerated" => times(&|r| r.generated),
            "Type" => strs(&|_| IP_TABLE),
            "Url" => strs(&|r| threat(r).map_or("", |t| &t.url)),
            other => return Err(GenError::Schema(format!("no generator for column {IP_TABLE}.{other}"))),
        };
        columns.push(col);
    }
    debug_assert!(rows.iter().all(|r| p(r).class == IpClass::Malicious || threat(r).is_none()));
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}
