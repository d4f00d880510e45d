//! The recommendation: observed allowed flows → least-privilege allow rules
//! per NSG, then the replay and the unused-rule report (see `replay`).
//!
//! The method, for each NSG, direction and protocol:
//!
//! 1. every allowed flow becomes a pair (source address, destination
//!    address, destination port) with its flow count; pairs with fewer
//!    than `min_flows` flows are set aside (reported);
//! 2. each address is replaced by its *block*: the subnet prefix holding
//!    it (`--aggregate subnet`, from the topology; an address in no known
//!    subnet stays a /32), or the address itself (`prefix`, `ip`);
//! 3. for each destination port and destination block, the source blocks
//!    seen; destination blocks with the same port and the same source
//!    blocks are merged; then rules with the same source and destination
//!    blocks are merged across ports. Each result is a rule whose
//!    (source × destination × port) product was observed whole, at block
//!    granularity: no rule admits a combination that was not seen;
//! 4. blocks are written as the fewest CIDR blocks covering exactly their
//!    union (`subnet`, `prefix`) or as the addresses (`ip`); ports as
//!    ranges where every port of the range was seen (`80-82`), else
//!    listed; the protocol is the observed one, never `*`.

use crate::error::RecommendError;
use crate::flow::ObservedFlow;
use crate::naming;
use nta_azure::cidr::{Ipv4Net, collapse, format_ipv4};
use nta_azure::nsg::{Access, Address, Direction, PortRange, Protocol, RuleSet, SecurityRule};
use nta_azure::{ServiceTags, Topology};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// How addresses are grouped into rule prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Aggregate {
    /// The subnet prefix of each address (needs the topology).
    #[default]
    Subnet,
    /// The observed addresses, collapsed into the fewest CIDR blocks.
    Prefix,
    /// The observed addresses, one by one.
    Ip,
}

impl Aggregate {
    /// `subnet`, `prefix` or `ip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregate::Subnet => "subnet",
            Aggregate::Prefix => "prefix",
            Aggregate::Ip => "ip",
        }
    }
}

/// Which flows count: the last span of the data, or a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Flows in the `ns` before the latest observed flow time (inclusive of it).
    Last(i64),
    /// Flows with `start <= time < end` (ns).
    Between(i64, i64),
}

impl Window {
    /// Parses `7d`, `12h`, `1.5d` (a KQL timespan: the last span of the
    /// data) or `START..END` (ISO 8601 instants or KQL datetimes).
    pub fn parse(text: &str) -> Result<Window, RecommendError> {
        let bad = |reason: &str| RecommendError::Window { text: text.to_string(), reason: reason.to_string() };
        let t = text.trim();
        if let Some((a, b)) = t.split_once("..") {
            let at = |s: &str| {
                kql_types::time::parse_datetime(s.trim())
                    .ok_or_else(|| bad(&format!("`{}` is not an ISO 8601 instant", s.trim())))
            };
            let (start, end) = (at(a)?, at(b)?);
            if start >= end {
                return Err(bad("the start is not before the end"));
            }
            return Ok(Window::Between(start, end));
        }
        match kql_types::time::parse_timespan(t) {
            Some(span) if span > 0 => Ok(Window::Last(span)),
            Some(_) => Err(bad("the span is not positive")),
            None => Err(bad("neither a timespan nor START..END")),
        }
    }
}

/// Options of a recommendation.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Address grouping.
    pub aggregate: Aggregate,
    /// Pairs (source, destination, port, protocol, direction) with fewer
    /// flows are left out of the rules (and reported).
    pub min_flows: u64,
    /// Which flows count (by FlowStartTime / TimeGenerated).
    pub window: Option<Window>,
}

/// What the recommender reads.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The observed flows (allowed and denied).
    pub flows: Vec<ObservedFlow>,
    /// VNets (subnet prefixes), NICs and NSGs (the current rules), from
    /// `az network vnet list` / `nic list` / `nsg list` exports.
    pub topology: Topology,
    /// Microsoft's service tags, for rules of the export that name them.
    pub service_tags: Option<Arc<ServiceTags>>,
}

/// An aggregated flow: one (NSG, source, destination, port, protocol,
/// direction) with its flow count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    /// NSG name.
    pub nsg: String,
    /// Direction.
    pub direction: Direction,
    /// Protocol.
    pub protocol: Protocol,
    /// Source address.
    pub src: u32,
    /// Destination address.
    pub dst: u32,
    /// Destination port.
    pub port: u16,
    /// Flows.
    pub flows: u64,
}

/// What flows are counted by: NSG, direction, protocol, source, destination, port.
pub(crate) type PairKey = (String, Direction, Protocol, u32, u32, u16);

/// Counted flows as pairs, in key order.
pub(crate) fn pairs(counts: BTreeMap<PairKey, u64>) -> Vec<Pair> {
    counts
        .into_iter()
        .map(|((nsg, direction, protocol, src, dst, port), flows)| Pair {
            nsg,
            direction,
            protocol,
            src,
            dst,
            port,
            flows,
        })
        .collect()
}

impl Pair {
    /// The matcher's view.
    pub fn key(&self) -> nta_azure::nsg::FlowKey {
        nta_azure::nsg::FlowKey {
            src: self.src,
            dst: self.dst,
            port: self.port,
            protocol: self.protocol,
            direction: self.direction,
        }
    }
}

/// One recommended allow rule and the flows behind it.
#[derive(Debug, Clone)]
pub struct RecommendedRule {
    /// The rule (access Allow, a concrete protocol, CIDR prefixes).
    pub rule: SecurityRule,
    /// The observed pairs it admits.
    pub pairs: Vec<Pair>,
    /// Their flows.
    pub flows: u64,
}

/// The recommended rules of one NSG.
#[derive(Debug, Clone)]
pub struct NsgRules {
    /// NSG name.
    pub nsg: String,
    /// Resource group (from the export or AclGroup), when known.
    pub resource_group: Option<String>,
    /// Region (from the export), when known.
    pub location: Option<String>,
    /// The rules, inbound then outbound, by priority.
    pub rules: Vec<RecommendedRule>,
}

impl NsgRules {
    /// Flows admitted by all its rules.
    pub fn flows_admitted(&self) -> u64 {
        self.rules.iter().map(|r| r.flows).sum()
    }
}

/// The whole result.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Recommended rules per NSG, by NSG name.
    pub nsgs: Vec<NsgRules>,
    /// Observed allowed pairs that the recommended rules plus a final deny
    /// would block (only pairs set aside by `min_flows`).
    pub blocked: Vec<Pair>,
    /// Observed allowed pairs that rely only on default or broad rules.
    pub default_only: Vec<Pair>,
    /// `(nsg, rule)` of the export with no hit in the window.
    pub unused: Vec<(String, String)>,
    /// Pairs left out by `min_flows`.
    pub below_min_flows: Vec<Pair>,
    /// Allowed flows no NSG could be found for (AclGroup `Unspecified` and
    /// no topology entry), left out.
    pub unattributed_flows: u64,
    /// Flows read (every row, allowed and denied).
    pub flows_read: u64,
    /// Flows inside the window.
    pub flows_in_window: u64,
    /// The window applied, `[start, end)` in ns.
    pub window: Option<(i64, i64)>,
    /// The options used.
    pub aggregate: Aggregate,
    /// `min_flows` used.
    pub min_flows: u64,
    /// Things the reader should know (approximations, skipped rules).
    pub notes: Vec<String>,
}

/// The NSG of a flow: AclGroup's, else (topology) the NSG of the protected
/// side's subnet, else of its NIC. Returns (name, resource group).
fn attribute(f: &ObservedFlow, topo: &Topology) -> Option<(String, Option<String>)> {
    if let Some(n) = &f.nsg {
        let rg = f.resource_group.clone().or_else(|| nsg_in(topo, n).map(|x| x.resource_group.clone()));
        return Some((n.clone(), rg));
    }
    let ip = match f.direction {
        Direction::Inbound => f.dst,
        Direction::Outbound => f.src,
    };
    let id = topo
        .subnet_of(ip)
        .and_then(|(_, s)| s.nsg_id.clone())
        .or_else(|| topo.nic_of_ip(ip).and_then(|n| n.nsg_id.clone()))?;
    match topo.nsg(&id) {
        Some(n) => Some((n.name.clone(), Some(n.resource_group.clone()))),
        None => {
            let rid = nta_azure::topology::ResourceId::parse(&id)?;
            Some((rid.name().to_string(), Some(rid.resource_group.clone())))
        }
    }
}

/// The exported NSG named `name` (without regard to case).
pub fn nsg_in<'a>(topo: &'a Topology, name: &str) -> Option<&'a nta_azure::topology::Nsg> {
    topo.nsgs.iter().find(|n| n.name.eq_ignore_ascii_case(name))
}

/// A flow with its NSG, inside the window.
pub(crate) struct Attributed<'a> {
    pub flow: &'a ObservedFlow,
    pub nsg: String,
}

/// The window's `[start, end)` for these flows.
fn resolve_window(window: Option<Window>, flows: &[ObservedFlow]) -> Option<(i64, i64)> {
    match window? {
        Window::Between(a, b) => Some((a, b)),
        Window::Last(span) => {
            let last = flows.iter().filter_map(|f| f.time).max().unwrap_or(0);
            Some((last.saturating_sub(span), last.saturating_add(1)))
        }
    }
}

/// Runs the recommendation, the replay and the unused-rule report.
pub fn recommend(inputs: &Inputs, opts: &Options) -> Result<Report, RecommendError> {
    let topo = &inputs.topology;
    let mut report = Report { aggregate: opts.aggregate, min_flows: opts.min_flows, ..Report::default() };
    report.flows_read = inputs.flows.iter().map(|f| f.flows).sum();
    report.window = resolve_window(opts.window, &inputs.flows);
    let in_window: Vec<&ObservedFlow> = inputs
        .flows
        .iter()
        .filter(|f| match (report.window, f.time) {
            (None, _) => true,
            (Some((a, b)), Some(t)) => a <= t && t < b,
            (Some(_), None) => false,
        })
        .collect();
    report.flows_in_window = in_window.iter().map(|f| f.flows).sum();
    let mut resource_groups: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut attributed: Vec<Attributed> = Vec::new();
    for f in &in_window {
        match attribute(f, topo) {
            Some((nsg, rg)) => {
                let slot = resource_groups.entry(nsg.clone()).or_default();
                if slot.is_none() {
                    *slot = rg;
                }
                attributed.push(Attributed { flow: f, nsg });
            }
            None if f.allowed => report.unattributed_flows += f.flows,
            None => {}
        }
    }
    if report.unattributed_flows > 0 {
        report.notes.push(format!(
            "{} allowed flows have no NSG (AclGroup `Unspecified` and no NSG for their subnet or NIC in the topology); they are left out",
            report.unattributed_flows
        ));
    }
    // 1. Allowed pairs with their flow counts.
    let mut counts: BTreeMap<PairKey, u64> = BTreeMap::new();
    for a in attributed.iter().filter(|a| a.flow.allowed) {
        let f = a.flow;
        *counts.entry((a.nsg.clone(), f.direction, f.protocol, f.src, f.dst, f.port)).or_default() += f.flows;
    }
    let all_pairs = pairs(counts);
    let (kept, below): (Vec<Pair>, Vec<Pair>) = all_pairs.iter().cloned().partition(|p| p.flows >= opts.min_flows);
    report.below_min_flows = below;

    // 2. Blocks.
    let has_subnets = topo.vnets.iter().any(|v| v.subnets.iter().any(|s| !s.prefixes.is_empty()));
    if opts.aggregate == Aggregate::Subnet && !has_subnets {
        report.notes.push(
            "--aggregate subnet without subnet prefixes (no --topology with `az network vnet list` output): addresses are kept as /32 and collapsed, as with --aggregate prefix".into(),
        );
    }
    // Each address's block, looked up once.
    let mut blocks: std::collections::HashMap<u32, Ipv4Net> = std::collections::HashMap::new();
    for ip in all_pairs.iter().flat_map(|p| [p.src, p.dst]) {
        blocks.entry(ip).or_insert_with(|| {
            if opts.aggregate == Aggregate::Subnet
                && let Some((_, s)) = topo.subnet_of(ip)
                && let Some(p) = s.prefixes.iter().filter(|p| p.contains(ip)).max_by_key(|p| p.len)
            {
                return *p;
            }
            Ipv4Net::host(ip)
        });
    }
    let block = |ip: u32| -> Ipv4Net { blocks.get(&ip).copied().unwrap_or_else(|| Ipv4Net::host(ip)) };
    if opts.aggregate == Aggregate::Subnet && has_subnets {
        let outside: BTreeSet<u32> =
            kept.iter().flat_map(|p| [p.src, p.dst]).filter(|ip| topo.subnet_of(*ip).is_none()).collect();
        if !outside.is_empty() {
            report.notes.push(format!(
                "{} observed addresses lie in no subnet of the topology (public or on-premises addresses); they are kept as /32",
                outside.len()
            ));
        }
    }

    // 3. Rules per (NSG, direction, protocol).
    let mut groups: BTreeMap<(String, Direction, Protocol), Vec<&Pair>> = BTreeMap::new();
    for p in &kept {
        groups.entry((p.nsg.clone(), p.direction, p.protocol)).or_default().push(p);
    }
    let mut per_nsg: BTreeMap<String, Vec<RecommendedRule>> = BTreeMap::new();
    for nsg in all_pairs.iter().map(|p| p.nsg.clone()) {
        per_nsg.entry(nsg).or_default();
    }
    for ((nsg, direction, protocol), pairs) in groups {
        let mut by_port_dst: BTreeMap<(u16, Ipv4Net), BTreeSet<Ipv4Net>> = BTreeMap::new();
        for p in &pairs {
            by_port_dst.entry((p.port, block(p.dst))).or_default().insert(block(p.src));
        }
        let mut by_port_srcs: BTreeMap<(u16, BTreeSet<Ipv4Net>), BTreeSet<Ipv4Net>> = BTreeMap::new();
        for ((port, dst), srcs) in by_port_dst {
            by_port_srcs.entry((port, srcs)).or_default().insert(dst);
        }
        let mut by_blocks: BTreeMap<(BTreeSet<Ipv4Net>, BTreeSet<Ipv4Net>), BTreeSet<u16>> = BTreeMap::new();
        for ((port, srcs), dsts) in by_port_srcs {
            by_blocks.entry((srcs, dsts)).or_default().insert(port);
        }
        // Each (port, destination block) lies in exactly one rule: the
        // pairs behind a rule are found through it.
        let mut rule_of: BTreeMap<(u16, Ipv4Net), usize> = BTreeMap::new();
        for (k, ((_, dsts), ports)) in by_blocks.iter().enumerate() {
            for port in ports {
                for dst in dsts {
                    rule_of.insert((*port, *dst), k);
                }
            }
        }
        let mut behind: Vec<Vec<Pair>> = vec![Vec::new(); by_blocks.len()];
        for p in &pairs {
            if let Some(&k) = rule_of.get(&(p.port, block(p.dst))) {
                behind[k].push((*p).clone());
            }
        }
        for (((srcs, dsts), ports), admitted) in by_blocks.into_iter().zip(behind) {
            let addresses = |blocks: &BTreeSet<Ipv4Net>| -> Vec<Address> {
                let nets: Vec<Ipv4Net> = match opts.aggregate {
                    Aggregate::Ip => blocks.iter().copied().collect(),
                    _ => collapse(blocks.iter().copied()),
                };
                nets.into_iter().map(Address::Net).collect()
            };
            let rule = SecurityRule {
                name: String::new(),
                priority: 0,
                access: Access::Allow,
                direction,
                protocol,
                sources: addresses(&srcs),
                source_ports: vec![PortRange::ANY],
                destinations: addresses(&dsts),
                destination_ports: port_ranges(&ports),
                is_default: false,
                unsupported: None,
            };
            let flows = admitted.iter().map(|p| p.flows).sum();
            per_nsg.entry(nsg.clone()).or_default().push(RecommendedRule { rule, pairs: admitted, flows });
        }
    }

    // 4. Order, priorities and names.
    for (nsg, mut rules) in per_nsg {
        let exported = nsg_in(topo, &nsg).map(RuleSet::from_nsg);
        rules.sort_by_cached_key(|r| order_key(&r.rule));
        let mut taken: Vec<String> = exported.iter().flat_map(|s| s.rules.iter().map(|r| r.name.clone())).collect();
        for direction in [Direction::Inbound, Direction::Outbound] {
            let kept_priorities: Vec<u32> = exported
                .iter()
                .flat_map(|s| s.user_rules().filter(|r| r.direction == direction).map(|r| r.priority))
                .collect();
            let idx: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].rule.direction == direction).collect();
            let prios = naming::priorities(&nsg, direction, idx.len(), &kept_priorities)?;
            for (i, p) in idx.into_iter().zip(prios) {
                rules[i].rule.priority = p;
                let base = naming::sanitize(&rule_name(&rules[i].rule, topo));
                let name = naming::unique(&base, &taken);
                taken.push(name.clone());
                rules[i].rule.name = name;
            }
        }
        rules.sort_by_key(|r| (r.rule.direction, r.rule.priority));
        let export = nsg_in(topo, &nsg);
        report.nsgs.push(NsgRules {
            resource_group: resource_groups
                .get(&nsg)
                .cloned()
                .flatten()
                .or_else(|| export.map(|e| e.resource_group.clone())),
            location: export.map(|e| e.location.clone()).filter(|l| !l.is_empty()),
            nsg,
            rules,
        });
    }

    crate::replay::replay(&mut report, &all_pairs, &attributed, inputs);
    Ok(report)
}

/// The order of rules within an NSG before priorities are assigned.
fn order_key(r: &SecurityRule) -> (Direction, Protocol, u16, String, String) {
    let text = |a: &[Address]| a.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    (r.direction, r.protocol, r.destination_ports.first().map_or(0, |p| p.lo), text(&r.destinations), text(&r.sources))
}

/// Sorted ports as ranges of consecutive ports (`80,81,82` → `80-82`).
pub fn port_ranges(ports: &BTreeSet<u16>) -> Vec<PortRange> {
    let mut out: Vec<PortRange> = Vec::new();
    for &p in ports {
        match out.last_mut() {
            Some(r) if u32::from(r.hi) + 1 == u32::from(p) => r.hi = p,
            _ => out.push(PortRange { lo: p, hi: p }),
        }
    }
    out
}

/// How a set of prefixes is named in a rule name: the subnet's name when
/// it is exactly one subnet of the topology, else the first prefix (and
/// how many more).
fn label(addrs: &[Address], topo: &Topology) -> String {
    let nets: Vec<Ipv4Net> = addrs
        .iter()
        .filter_map(|a| match a {
            Address::Net(n) => Some(*n),
            _ => None,
        })
        .collect();
    let subnet = |n: &Ipv4Net| {
        topo.vnets.iter().flat_map(|v| v.subnets.iter()).find(|s| s.prefixes.len() == 1 && s.prefixes[0] == *n)
    };
    let one = |n: &Ipv4Net| match subnet(n) {
        Some(s) => s.name.clone(),
        None if n.len == 32 => format_ipv4(n.addr),
        None => n.to_string().replace('/', "_"),
    };
    match nets.as_slice() {
        [] => "any".into(),
        [n] => one(n),
        [n, rest @ ..] => format!("{}-and-{}-more", one(n), rest.len()),
    }
}

/// `allow-in-tcp-443-web-from-app`: direction, protocol, ports,
/// destination, source (sanitized by the caller).
fn rule_name(r: &SecurityRule, topo: &Topology) -> String {
    let dir = match r.direction {
        Direction::Inbound => "in",
        Direction::Outbound => "out",
    };
    let ports: Vec<String> = r.destination_ports.iter().map(ToString::to_string).collect();
    format!(
        "allow-{dir}-{}-{}-{}-from-{}",
        r.protocol.as_str().to_ascii_lowercase(),
        ports.join("_"),
        label(&r.destinations, topo),
        label(&r.sources, topo)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_become_ranges_only_when_whole() {
        let text = |ps: &[u16]| {
            port_ranges(&ps.iter().copied().collect()).iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
        };
        assert_eq!(text(&[80, 81, 82]), "80-82");
        assert_eq!(text(&[80, 82]), "80,82");
        assert_eq!(text(&[443, 22, 23]), "22-23,443");
        assert_eq!(text(&[65535, 0]), "0,65535");
    }
}
