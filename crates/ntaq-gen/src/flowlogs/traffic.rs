//! The tuples of one record (one minute of one NIC's flow log), drawn from
//! the record's own random stream: conversations with the rest of the
//! network, each decided by the NIC's subnet NSG.

use super::net::{Direction, Net, Remote, UNKNOWN_PRIVATE_FIRST, UNKNOWN_PRIVATE_LAST};
use super::{BlobSpec, FlowLogKind};
use crate::flow::{FlowType, service_port};
use crate::rng::Rng;
use crate::topology::{IpClass, Role, Topology};

/// One flow tuple, compact (indices and numbers); [`super::GenTuple`] is its text form.
#[derive(Clone, Copy, Debug)]
pub struct Tup {
    /// Unix time as written, in milliseconds (a multiple of 1000 in seconds blobs).
    pub time_ms: i64,
    pub src: u32,
    pub dst: u32,
    pub src_port: u16,
    pub dest_port: u16,
    pub udp: bool,
    pub inbound: bool,
    /// `B`, `C`, `E`, `D` (VNet only) or `0` for none (NSG v1).
    pub state: u8,
    pub allowed: bool,
    pub encryption: &'static str,
    /// Packets and bytes both ways; `None` = written empty (`,,,,`).
    pub counters: Option<[u64; 4]>,
    /// Index of the deciding rule (`Net::nsgs[..].rules` then `defaults`), or `None` = `unspecified`.
    pub rule: Option<u16>,
    pub flow_type: FlowType,
}

/// Kinds of conversation and their weights.
const MIX: [(FlowType, u32); 8] = [
    (FlowType::IntraVNet, 22),
    (FlowType::InterVNet, 14),
    (FlowType::S2S, 6),
    (FlowType::P2S, 4),
    (FlowType::AzurePublic, 22),
    (FlowType::ExternalPublic, 18),
    (FlowType::MaliciousFlow, 8),
    (FlowType::UnknownPrivate, 6),
];

/// The tuples of record `record` of `blob`, in generation order (at least `n`).
/// Tuple times fall in `[window_ms, window_ms + 55 s)`.
pub fn record_tuples(topo: &Topology, net: &Net, blob: &BlobSpec, r: &mut Rng, window_ms: i64, n: usize) -> Vec<Tup> {
    let mut out = Vec::with_capacity(n + 2);
    while out.len() < n {
        conversation(topo, net, blob, r, window_ms, &mut out);
    }
    out
}

fn public_in(r: &mut Rng, topo: &Topology, class: IpClass) -> usize {
    let range = match class {
        IpClass::Azure => topo.azure.start + 1..topo.azure.end,
        IpClass::External => topo.external.clone(),
        IpClass::Malicious => topo.malicious.clone(),
    };
    range.start + r.skewed(range.len())
}

fn conversation(topo: &Topology, net: &Net, blob: &BlobSpec, r: &mut Rng, window_ms: i64, out: &mut Vec<Tup>) {
    let local = blob.host;
    let h = &topo.hosts[local];
    let mut ft = r.weighted(&MIX);
    let same_vnet: Vec<usize> = topo.vnets[h.vnet].hosts.iter().copied().filter(|&o| o != local).collect();
    if ft == FlowType::IntraVNet && same_vnet.is_empty() {
        ft = FlowType::InterVNet;
    }
    if ft == FlowType::S2S && net.sites.is_empty() {
        ft = FlowType::UnknownPrivate;
    }
    let (remote, inbound, dest_port): (Remote, bool, i32) = match ft {
        FlowType::IntraVNet | FlowType::InterVNet => {
            let other = if ft == FlowType::IntraVNet {
                same_vnet[r.index(same_vnet.len())]
            } else {
                let v = (h.vnet + 1 + r.index(topo.vnets.len() - 1)) % topo.vnets.len();
                let hosts = &topo.vnets[v].hosts;
                hosts[r.index(hosts.len())]
            };
            // Private endpoints only receive.
            let inbound = topo.hosts[other].role != Role::PrivateEndpoint && r.chance(500);
            let port = if inbound { service_port(r, topo, local) } else { service_port(r, topo, other) };
            (Remote::Host(other), inbound, port)
        }
        FlowType::S2S => {
            let site = r.index(net.sites.len());
            let inbound = r.chance(600);
            let port =
                if inbound { *r.pick(&[443, 22, 3389, 1433, 445, 8080]) } else { *r.pick(&[443, 53, 445, 389, 1521]) };
            (Remote::Site(site), inbound, port)
        }
        FlowType::P2S => (Remote::P2S, true, *r.pick(&[22, 3389, 443, 443])),
        FlowType::AzurePublic => {
            if r.chance(150) {
                // Load-balancer health probes from the platform VIP.
                (Remote::Public(topo.azure.start), true, *r.pick(&[80, 443]))
            } else {
                let ip = public_in(r, topo, IpClass::Azure);
                (Remote::Public(ip), false, *r.pick(topo.public[ip].ports))
            }
        }
        FlowType::ExternalPublic => {
            let ip = public_in(r, topo, IpClass::External);
            if r.chance(500) {
                let port =
                    if h.role == Role::Web { *r.pick(&[443, 443, 80, 22]) } else { *r.pick(&[22, 3389, 443, 8080]) };
                (Remote::Public(ip), true, port)
            } else {
                (Remote::Public(ip), false, *r.pick(topo.public[ip].ports))
            }
        }
        FlowType::MaliciousFlow => {
            let ip = public_in(r, topo, IpClass::Malicious);
            if r.chance(700) {
                (Remote::Public(ip), true, *r.pick(topo.public[ip].ports))
            } else {
                (Remote::Public(ip), false, topo.public[ip].threat.as_ref().map_or(443, |t| t.port))
            }
        }
        _ => (Remote::UnknownPrivate, r.chance(400), *r.pick(&[443, 53, 22, 8080, 9092])),
    };
    let remote_ip = match remote {
        Remote::Host(o) => net.host_ip[o],
        Remote::Site(s) => {
            let p = net.sites[s].prefix;
            p.addr + 1 + r.below(p.size() - 2) as u32
        }
        Remote::P2S => super::net::P2S_POOL.addr + 2 + r.below(250) as u32,
        Remote::UnknownPrivate => {
            UNKNOWN_PRIVATE_FIRST + r.below(u64::from(UNKNOWN_PRIVATE_LAST - UNKNOWN_PRIVATE_FIRST)) as u32
        }
        Remote::Public(i) => net.public_ip[i],
    };
    let dest_port = dest_port as u16;
    let udp = matches!(dest_port, 53 | 123 | 500 | 4500) && !r.chance(100);
    let direction = if inbound { Direction::Inbound } else { Direction::Outbound };
    let (rule_index, rule) = net.decide(topo, local, remote, remote_ip, direction, udp, dest_port);
    let mut allowed = rule.allow;
    let mut rule_index = Some(rule_index);
    let vm_to_vm = matches!(remote, Remote::Host(_));
    let encryption = match blob.kind {
        FlowLogKind::Nsg => "",
        FlowLogKind::Vnet if vm_to_vm => r.weighted(&[
            ("NX", 70),
            ("X", 15),
            ("NX_HW_NOT_SUPPORTED", 8),
            ("NX_LOCAL_DST", 3),
            ("NX_FALLBACK", 2),
            ("NX_NOT_ACCEPTED", 2),
        ]),
        FlowLogKind::Vnet => "NX",
    };
    if encryption == "NX_NOT_ACCEPTED" {
        // Dropped for lack of encryption: aclID and rule are `unspecified`.
        allowed = false;
        rule_index = None;
    }
    let (src, dst) = if inbound { (remote_ip, net.host_ip[local]) } else { (net.host_ip[local], remote_ip) };
    let src_port = r.range(1024, 65535) as u16;
    let t0 = window_ms + r.below(50_000) as i64;
    let tup = |time_ms: i64, state: u8, counters: Option<[u64; 4]>| Tup {
        time_ms,
        src,
        dst,
        src_port,
        dest_port,
        udp,
        inbound,
        state,
        allowed,
        encryption,
        counters,
        rule: rule_index,
        flow_type: ft,
    };
    let counters = |r: &mut Rng| {
        let p1 = r.heavy(10);
        let p2 = r.heavy(10);
        Some([p1, p1 * r.range(60, 1400), p2, p2 * r.range(60, 1400)])
    };
    match (blob.kind, blob.version) {
        (FlowLogKind::Nsg, 1) => out.push(tup(t0, 0, None)),
        (FlowLogKind::Nsg, _) if !allowed => out.push(tup(t0, b'B', None)),
        (FlowLogKind::Vnet, _) if !allowed => out.push(tup(t0, b'D', Some([0; 4]))),
        (kind, _) => {
            // NSG flow logs record no counters for flows allowed by a
            // non-default inbound TCP rule ("Non-default inbound TCP rules",
            // nsg-flow-logs-overview): such flows never get C or E tuples.
            let stateless = kind == FlowLogKind::Nsg && inbound && !udp && !rule.default;
            let begin = if kind == FlowLogKind::Vnet { Some([0; 4]) } else { None };
            let pattern: &[u8] = if stateless {
                b"B"
            } else {
                r.weighted(&[(&b"BE"[..], 45), (&b"BCE"[..], 15), (&b"B"[..], 15), (&b"C"[..], 10), (&b"E"[..], 15)])
            };
            let mut t = t0;
            for &state in pattern {
                let c = if state == b'B' { begin } else { counters(r) };
                out.push(tup(t, state, c));
                t = (t + r.below(2_000) as i64).min(window_ms + 54_999);
            }
        }
    }
}
