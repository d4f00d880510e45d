//! One NTANetAnalytics row as compact data (indices into the topology and
//! numbers), drawn from the row's own random stream.

use crate::rng::{Rng, mix};
use crate::topology::{IpClass, Role, Topology};

pub const HOUR_US: i64 = 3_600_000_000;
const SECOND_US: i64 = 1_000_000;
const ROWS_DOMAIN: u64 = 0x726F_7773;

/// NTANetAnalytics.FlowType values (`UnknownPrivate` without a space, as
/// scenario 4 spells it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlowType {
    IntraVNet,
    InterVNet,
    S2S,
    P2S,
    AzurePublic,
    ExternalPublic,
    MaliciousFlow,
    UnknownPrivate,
    Unknown,
}

impl FlowType {
    pub const ALL: [FlowType; 9] = [
        FlowType::IntraVNet,
        FlowType::InterVNet,
        FlowType::S2S,
        FlowType::P2S,
        FlowType::AzurePublic,
        FlowType::ExternalPublic,
        FlowType::MaliciousFlow,
        FlowType::UnknownPrivate,
        FlowType::Unknown,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            FlowType::IntraVNet => "IntraVNet",
            FlowType::InterVNet => "InterVNet",
            FlowType::S2S => "S2S",
            FlowType::P2S => "P2S",
            FlowType::AzurePublic => "AzurePublic",
            FlowType::ExternalPublic => "ExternalPublic",
            FlowType::MaliciousFlow => "MaliciousFlow",
            FlowType::UnknownPrivate => "UnknownPrivate",
            FlowType::Unknown => "Unknown",
        }
    }
}

/// Share of each FlowType among FlowLog rows, in percent.
pub const FLOW_TYPE_MIX: [(FlowType, u32); 9] = [
    (FlowType::IntraVNet, 22),
    (FlowType::InterVNet, 14),
    (FlowType::S2S, 6),
    (FlowType::P2S, 4),
    (FlowType::AzurePublic, 22),
    (FlowType::ExternalPublic, 18),
    (FlowType::MaliciousFlow, 6),
    (FlowType::UnknownPrivate, 5),
    (FlowType::Unknown, 3),
];

/// SubType `StatusMessage` rows per thousand rows.
pub const STATUS_MESSAGE_PER_MILLE: u64 = 4;

/// One side of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Public: the IP is in the side's PublicIps list, the Ip column is empty.
    Public,
    /// A VM or private endpoint of the topology.
    Host(u16),
    /// An address outside the topology (on-premises, P2S client, unmapped).
    Addr(u32),
}

/// One `ip|flowsStarted|flowsEnded|outPackets|inPackets|outBytes|inBytes`
/// entry; out = source→destination of the row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PubEntry {
    /// Index into `Topology::public`.
    pub ip: u32,
    pub started: u32,
    pub ended: u32,
    pub out_packets: u32,
    pub in_packets: u32,
    pub out_bytes: u64,
    pub in_bytes: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PubList {
    pub len: u8,
    pub entries: [PubEntry; 3],
}

impl PubList {
    pub fn as_slice(&self) -> &[PubEntry] {
        &self.entries[..usize::from(self.len)]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conn {
    None,
    /// VNet peering from the source VNet to the destination VNet.
    Peering {
        from: u8,
        to: u8,
    },
    /// Site-to-site: VPN or ExpressRoute; `onprem_is_src` says which side.
    Site {
        site: u8,
        onprem_is_src: bool,
    },
    /// Point-to-site VPN client (the source address).
    P2S,
}

#[derive(Clone, Debug)]
pub struct FlowRow {
    /// `None` for SubType `StatusMessage` rows (no flow, numbers null).
    pub flow_type: Option<FlowType>,
    pub hour: u32,
    pub interval_start: i64,
    pub flow_start: i64,
    pub flow_end: i64,
    pub processed: i64,
    pub generated: i64,
    pub src: End,
    pub dst: End,
    pub src_pub: PubList,
    pub dst_pub: PubList,
    pub dest_port: i32,
    pub udp: bool,
    pub inbound: bool,
    pub allowed: bool,
    /// `None` = AclGroup `Unspecified`; else the subnet whose NSG decided.
    pub acl: Option<u16>,
    pub acl_rule: &'static str,
    pub allowed_in: i64,
    pub allowed_out: i64,
    pub denied_in: i64,
    pub denied_out: i64,
    pub completed: i64,
    pub bytes_s2d: i64,
    pub bytes_d2s: i64,
    pub packets_s2d: i64,
    pub packets_d2s: i64,
    pub capture_vnet: u16,
    pub capture_host: Option<u16>,
    pub conn: Conn,
    pub encryption: &'static str,
    pub udr_hop: bool,
    pub status: &'static str,
    pub billed: f64,
    pub dest_load_balancer: bool,
}

/// Which rows fall in which hour: the window's hours with a daily traffic
/// curve (busier in the (UTC) working day), rows in time order.
#[derive(Clone, Debug)]
pub struct Layout {
    pub start_us: i64,
    /// `bounds[h]..bounds[h + 1]` are the rows of hour `h`.
    bounds: Vec<u64>,
}

const DIURNAL: [u64; 24] =
    [40, 35, 32, 30, 30, 35, 45, 60, 80, 95, 100, 100, 98, 100, 100, 98, 90, 80, 70, 65, 60, 55, 50, 45];

impl Layout {
    pub fn new(start_us: i64, hours: u32, rows: u64) -> Layout {
        let first_hour_of_day = start_us.div_euclid(HOUR_US).rem_euclid(24) as usize;
        let weights: Vec<u64> = (0..hours as usize).map(|h| DIURNAL[(first_hour_of_day + h) % 24]).collect();
        let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
        let mut bounds = Vec::with_capacity(hours as usize + 1);
        let mut acc: u128 = 0;
        bounds.push(0);
        for w in &weights {
            acc += u128::from(*w);
            bounds.push((u128::from(rows) * acc / total) as u64);
        }
        Layout { start_us, bounds }
    }

    #[inline]
    pub fn hour_of(&self, row: u64) -> u32 {
        (self.bounds.partition_point(|&b| b <= row) - 1) as u32
    }

    #[cfg(test)]
    pub fn rows_in_hour(&self, h: u32) -> u64 {
        self.bounds[h as usize + 1] - self.bounds[h as usize]
    }

    pub fn interval_start(&self, h: u32) -> i64 {
        self.start_us + i64::from(h) * HOUR_US
    }
}

pub fn l7(port: i32, udp: bool) -> &'static str {
    match (port, udp) {
        (443, false) | (8443, false) => "https",
        (80, false) | (8080, false) => "http",
        (22, false) => "ssh",
        (3389, false) => "rdp",
        (53, _) => "dns",
        (123, true) => "ntp",
        (1433, false) => "mssql",
        (445, false) => "smb",
        (5432, false) => "postgresql",
        (6379, false) => "redis",
        (5671, false) => "amqps",
        (23, false) => "telnet",
        (5900, false) => "vnc",
        _ => "unknown",
    }
}

pub(crate) fn service_port(r: &mut Rng, topo: &Topology, host: usize) -> i32 {
    let h = &topo.hosts[host];
    match h.role {
        Role::PrivateEndpoint => match &h.private_link {
            Some((_, id, _)) if id.contains("Microsoft.Sql") => 1433,
            _ => 443,
        },
        Role::Web => *r.pick(&[443, 443, 80, 8080]),
        Role::App => *r.pick(&[8080, 443, 6379, 5432]),
        Role::Data => *r.pick(&[1433, 1433, 5432]),
        Role::Shared => *r.pick(&[53, 53, 445, 22, 3389, 443]),
        Role::Dev => *r.pick(&[22, 443, 5432, 6379, 3389]),
    }
}

fn pub_list(r: &mut Rng, topo: &Topology, class: IpClass, allowed: bool) -> PubList {
    let range = match class {
        IpClass::Azure => topo.azure.clone(),
        IpClass::External => topo.external.clone(),
        IpClass::Malicious => topo.malicious.clone(),
    };
    let len = r.weighted(&[(1u8, 70), (2, 20), (3, 10)]);
    let mut list = PubList { len: 0, entries: [PubEntry::default(); 3] };
    while list.len < len {
        let ip = (range.start + r.skewed(range.len())) as u32;
        if list.as_slice().iter().any(|e| e.ip == ip) {
            // Small pools rarely collide; give up on the extra entry rather
            // than loop.
            if r.chance(500) {
                break;
            }
            continue;
        }
        list.entries[usize::from(list.len)] = entry(r, ip, allowed);
        list.len += 1;
    }
    list
}

fn entry(r: &mut Rng, ip: u32, allowed: bool) -> PubEntry {
    let started = r.weighted(&[(0u32, 15), (1, 60), (2, 15), (3, 10)]);
    let ended = if !allowed {
        0
    } else if r.chance(800) {
        started
    } else {
        r.below(u64::from(started) + 2) as u32
    };
    let out_packets = r.heavy(10) as u32;
    let in_packets = if allowed { r.heavy(10) as u32 } else { 0 };
    PubEntry {
        ip,
        started,
        ended,
        out_packets,
        in_packets,
        out_bytes: u64::from(out_packets) * r.range(60, 1400),
        in_bytes: u64::from(in_packets) * r.range(60, 1400),
    }
}

/// Generates row `row` of a data set; depends only on (seed, row, topology,
/// layout), so rows can be made in any order on any thread.
pub fn gen_row(topo: &Topology, layout: &Layout, seed: u64, row: u64) -> FlowRow {
    let mut r = Rng::new(mix(seed ^ ROWS_DOMAIN, row));
    let hour = layout.hour_of(row);
    let interval_start = layout.interval_start(hour);
    let interval_end = interval_start + HOUR_US;
    let processed = interval_end + r.range(5 * 60, 20 * 60) as i64 * SECOND_US + r.below(1_000_000) as i64;
    let generated = processed + r.range(30, 8 * 60) as i64 * SECOND_US + r.below(1_000_000) as i64;
    let mut f = FlowRow {
        flow_type: None,
        hour,
        interval_start,
        flow_start: 0,
        flow_end: 0,
        processed,
        generated,
        src: End::Public,
        dst: End::Public,
        src_pub: PubList::default(),
        dst_pub: PubList::default(),
        dest_port: 0,
        udp: false,
        inbound: false,
        allowed: true,
        acl: None,
        acl_rule: "",
        allowed_in: 0,
        allowed_out: 0,
        denied_in: 0,
        denied_out: 0,
        completed: 0,
        bytes_s2d: 0,
        bytes_d2s: 0,
        packets_s2d: 0,
        packets_d2s: 0,
        capture_vnet: 0,
        capture_host: None,
        conn: Conn::None,
        encryption: "",
        udr_hop: false,
        status: "Completed",
        billed: 0.0,
        dest_load_balancer: false,
    };
    if r.chance(STATUS_MESSAGE_PER_MILLE) {
        f.capture_vnet = r.index(topo.vnets.len()) as u16;
        f.status = if r.chance(700) { "Completed" } else { "Failed" };
        f.billed = (300 + r.below(200)) as f64;
        return f;
    }
    let ft = r.weighted(&FLOW_TYPE_MIX);
    f.flow_type = Some(ft);
    let vm = |r: &mut Rng| topo.vms[r.index(topo.vms.len())];
    match ft {
        FlowType::IntraVNet => {
            let s = vm(&mut r);
            let peers = &topo.vnets[topo.hosts[s].vnet].hosts;
            let d = loop {
                let d = peers[r.index(peers.len())];
                if d != s {
                    break d;
                }
            };
            f.src = End::Host(s as u16);
            f.dst = End::Host(d as u16);
            f.dest_port = service_port(&mut r, topo, d);
            f.inbound = r.chance(500);
            f.allowed = r.chance(960);
        }
        FlowType::InterVNet => {
            let s = vm(&mut r);
            let sv = topo.hosts[s].vnet;
            let dv = (sv + 1 + r.index(topo.vnets.len() - 1)) % topo.vnets.len();
            let peers = &topo.vnets[dv].hosts;
            let d = peers[r.index(peers.len())];
            f.src = End::Host(s as u16);
            f.dst = End::Host(d as u16);
            f.dest_port = service_port(&mut r, topo, d);
            f.inbound = r.chance(500);
            f.allowed = r.chance(940);
            f.conn = Conn::Peering { from: sv as u8, to: dv as u8 };
        }
        FlowType::S2S => {
            let site = r.index(topo.sites.len());
            let s = &topo.sites[site];
            let addr = s.base + 1 + r.below(u64::from(s.size - 2)) as u32;
            let h = vm(&mut r);
            let onprem_is_src = r.chance(600);
            if onprem_is_src {
                f.src = End::Addr(addr);
                f.dst = End::Host(h as u16);
                f.dest_port = *r.pick(&[443, 22, 3389, 1433, 445, 8080]);
            } else {
                f.src = End::Host(h as u16);
                f.dst = End::Addr(addr);
                f.dest_port = *r.pick(&[443, 53, 445, 389, 1521]);
            }
            f.inbound = onprem_is_src;
            f.allowed = r.chance(970);
            f.conn = Conn::Site { site: site as u8, onprem_is_src };
        }
        FlowType::P2S => {
            let addr = u32::from_be_bytes([172, 16, 201, 0]) + 2 + r.below(250) as u32;
            f.src = End::Addr(addr);
            f.dst = End::Host(vm(&mut r) as u16);
            f.dest_port = *r.pick(&[22, 3389, 443, 443]);
            f.inbound = true;
            f.allowed = r.chance(980);
            f.conn = Conn::P2S;
        }
        FlowType::AzurePublic => {
            f.allowed = r.chance(990);
            if r.chance(150) {
                // Platform traffic into the VM: mostly the load balancer's
                // health probes from 168.63.129.16.
                f.src_pub = if r.chance(800) {
                    PubList {
                        len: 1,
                        entries: [
                            entry(&mut r, topo.azure.start as u32, true),
                            PubEntry::default(),
                            PubEntry::default(),
                        ],
                    }
                } else {
                    pub_list(&mut r, topo, IpClass::Azure, true)
                };
                f.src = End::Public;
                f.dst = End::Host(vm(&mut r) as u16);
                f.dest_port = *r.pick(&[80, 443]);
                f.inbound = true;
            } else {
                f.src = End::Host(vm(&mut r) as u16);
                f.dst_pub = pub_list(&mut r, topo, IpClass::Azure, f.allowed);
                f.dst = End::Public;
                let first = &topo.public[f.dst_pub.entries[0].ip as usize];
                f.dest_port = *r.pick(first.ports);
                f.inbound = false;
            }
        }
        FlowType::ExternalPublic => {
            if r.chance(500) {
                let d = if r.chance(800) && !topo.web_vms.is_empty() {
                    topo.web_vms[r.index(topo.web_vms.len())]
                } else {
                    vm(&mut r)
                };
                f.allowed = r.chance(850);
                f.src_pub = pub_list(&mut r, topo, IpClass::External, f.allowed);
                f.dst = End::Host(d as u16);
                f.dest_port =
                    if topo.hosts[d].role == Role::Web { *r.pick(&[443, 443, 80]) } else { *r.pick(&[22, 3389]) };
                f.inbound = true;
                f.dest_load_balancer = topo.hosts[d].role == Role::Web && topo.hosts[d].vnet == 1 && r.chance(600);
            } else {
                f.allowed = r.chance(980);
                f.src = End::Host(vm(&mut r) as u16);
                f.dst_pub = pub_list(&mut r, topo, IpClass::External, f.allowed);
                let first = &topo.public[f.dst_pub.entries[0].ip as usize];
                f.dest_port = *r.pick(first.ports);
                f.inbound = false;
            }
        }
        FlowType::MaliciousFlow => {
            if r.chance(700) {
                // Scans and brute force from flagged hosts, mostly denied.
                f.allowed = r.chance(300);
                f.src_pub = pub_list(&mut r, topo, IpClass::Malicious, f.allowed);
                f.dst = End::Host(vm(&mut r) as u16);
                let first = &topo.public[f.src_pub.entries[0].ip as usize];
                f.dest_port = *r.pick(first.ports);
                f.inbound = true;
            } else {
                // A VM talking to a flagged host (C2, mining pool …).
                f.allowed = r.chance(850);
                f.src = End::Host(vm(&mut r) as u16);
                f.dst_pub = pub_list(&mut r, topo, IpClass::Malicious, f.allowed);
                let first = &topo.public[f.dst_pub.entries[0].ip as usize];
                f.dest_port = first.threat.as_ref().map_or(443, |t| t.port);
                f.inbound = false;
            }
        }
        FlowType::UnknownPrivate => {
            let addr = u32::from_be_bytes([10, r.range(200, 254) as u8, r.below(256) as u8, r.range(1, 254) as u8]);
            let h = End::Host(vm(&mut r) as u16);
            f.inbound = r.chance(400);
            (f.src, f.dst) = if f.inbound { (End::Addr(addr), h) } else { (h, End::Addr(addr)) };
            f.dest_port = *r.pick(&[443, 53, 22, 8080, 9092]);
            f.allowed = r.chance(900);
        }
        FlowType::Unknown => {
            let a = u32::from_be_bytes([10, r.range(200, 254) as u8, r.below(256) as u8, r.range(1, 254) as u8]);
            let b = u32::from_be_bytes([192, 168, r.range(200, 254) as u8, r.range(1, 254) as u8]);
            f.src = End::Addr(a);
            f.dst = End::Addr(b);
            f.dest_port = *r.pick(&[443, 80, 53, 123]);
            f.inbound = r.chance(500);
            f.allowed = r.chance(900);
            f.capture_vnet = r.index(topo.vnets.len()) as u16;
        }
    }
    f.udp = matches!(f.dest_port, 53 | 123 | 500 | 4500) && !r.chance(100);

    // Where the flow was captured: the NIC on our side.
    let side = if f.inbound { f.dst } else { f.src };
    let side = match (side, f.src, f.dst) {
        (End::Host(h), _, _) | (_, End::Host(h), _) | (_, _, End::Host(h)) => Some(h),
        _ => None,
    };
    if let Some(h) = side {
        f.capture_host = Some(h);
        f.capture_vnet = topo.hosts[usize::from(h)].vnet as u16;
    }

    // Counters: from the public entries when there are some.
    let list = if f.src_pub.len > 0 { f.src_pub } else { f.dst_pub };
    let (flows, completed) = if list.len > 0 {
        for e in list.as_slice() {
            f.packets_s2d += i64::from(e.out_packets);
            f.packets_d2s += i64::from(e.in_packets);
            f.bytes_s2d += e.out_bytes as i64;
            f.bytes_d2s += e.in_bytes as i64;
        }
        let s = list.as_slice();
        (s.iter().map(|e| i64::from(e.started)).sum(), s.iter().map(|e| i64::from(e.ended)).sum())
    } else {
        let flows = r.weighted(&[(0i64, 10), (1, 55), (2, 15), (3, 8), (5, 6), (12, 4), (40, 2)]);
        let completed = if !f.allowed {
            0
        } else if r.chance(750) {
            flows
        } else {
            r.below(flows as u64 + 1) as i64
        };
        f.packets_s2d = r.heavy(14) as i64;
        f.bytes_s2d = f.packets_s2d * r.range(60, 1400) as i64;
        if f.allowed {
            f.packets_d2s = r.heavy(14) as i64;
            f.bytes_d2s = f.packets_d2s * r.range(60, 1400) as i64;
        }
        (flows, completed)
    };
    f.completed = completed;
    match (f.inbound, f.allowed) {
        (true, true) => f.allowed_in = flows,
        (false, true) => f.allowed_out = flows,
        (true, false) => f.denied_in = flows,
        (false, false) => f.denied_out = flows,
    }

    // The NSG (or none) and rule that decided the flow.
    let from_vnet = matches!(ft, FlowType::IntraVNet | FlowType::InterVNet | FlowType::S2S | FlowType::P2S);
    let unspecified = ft == FlowType::Unknown || (f.allowed && r.chance(80));
    if unspecified || f.capture_host.is_none() {
        f.acl = None;
        f.acl_rule = "platformrule";
    } else {
        let h = usize::from(f.capture_host.unwrap_or_default());
        f.acl = Some(topo.hosts[h].subnet as u16);
        f.acl_rule = match (f.allowed, f.inbound) {
            (true, true) if from_vnet => {
                *r.pick(&["AllowVnetInBound", "AllowVnetInBound", "UserRule_Allow-App-Inbound"])
            }
            (true, true) if ft == FlowType::AzurePublic => "AllowAzureLoadBalancerInBound",
            (true, true) => *r.pick(&["UserRule_Allow-HTTPS-Internet", "UserRule_Allow-Web-Inbound"]),
            (true, false) if from_vnet => "AllowVnetOutBound",
            (true, false) if ft == FlowType::AzurePublic => {
                *r.pick(&["AllowInternetOutBound", "UserRule_Allow-AzureCloud-Outbound"])
            }
            (true, false) => "AllowInternetOutBound",
            (false, true) => *r.pick(&["DenyAllInBound", "DenyAllInBound", "UserRule_Deny-Mgmt-Internet"]),
            (false, false) => *r.pick(&["DenyAllOutBound", "UserRule_Deny-Internet-Outbound"]),
        };
    }

    // Times inside the interval, millisecond precision.
    let start_ms = r.below(3_600_000) as i64;
    let dur_ms = r.heavy(22) as i64 - 1;
    f.flow_start = interval_start + start_ms * 1000;
    f.flow_end = (f.flow_start + dur_ms * 1000).min(interval_end);

    let vm_to_vm = matches!(f.src, End::Host(_)) && matches!(f.dst, End::Host(_));
    f.encryption = if vm_to_vm {
        r.weighted(&[
            ("Unencrypted", 70),
            ("Encrypted", 15),
            ("Unsupported hardware", 10),
            ("Software not ready", 3),
            ("Destination on same host", 2),
        ])
    } else {
        r.weighted(&[("Unencrypted", 85), ("Unsupported hardware", 15)])
    };
    f.udr_hop = r.chance(30);
    f.status = if r.chance(985) { "Completed" } else { "Partial" };
    f.billed = (1100 + r.below(700)) as f64;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_covers_every_row_once_in_time_order() {
        for rows in [0u64, 1, 7, 2000, 100_003] {
            let l = Layout::new(0, 24, rows);
            let total: u64 = (0..24).map(|h| l.rows_in_hour(h)).sum();
            assert_eq!(total, rows);
            let mut last = 0;
            for row in 0..rows {
                let h = l.hour_of(row);
                assert!(h >= last && h < 24);
                last = h;
            }
        }
        // Busier at noon than at 3 a.m. UTC.
        let l = Layout::new(0, 24, 100_000);
        assert!(l.rows_in_hour(12) > 2 * l.rows_in_hour(3));
    }

    #[test]
    fn l7_names() {
        assert_eq!(l7(443, false), "https");
        assert_eq!(l7(53, true), "dns");
        assert_eq!(l7(31337, false), "unknown");
    }
}
