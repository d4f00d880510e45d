//! Network security group semantics: typed security rules and the rule
//! matcher.
//!
//! The rules follow Microsoft Learn, "Network security groups" (rule
//! properties, default security rules) and "How network security groups
//! filter network traffic":
//!
//! - rules apply per direction and are evaluated by priority, lower number
//!   first; the first rule that matches decides and processing stops;
//! - every NSG carries six default rules (priorities 65000, 65001, 65500
//!   per direction), added here when an export leaves them out;
//! - inbound traffic meets the subnet's NSG and then the NIC's; outbound
//!   traffic the NIC's and then the subnet's; traffic passes only if every
//!   NSG on its way allows it ([`evaluate_path`]).
//!
//! Addresses are CIDR blocks, bare addresses, `*` or service tags:
//! `VirtualNetwork`, `Internet` and `AzureLoadBalancer` are resolved by a
//! [`TagResolver`] (see there for what each means), other tags from
//! Microsoft's service-tags file when one is given. Application security
//! groups cannot be resolved from flow data: a rule that names one is kept
//! but never matches, with a note ([`SecurityRule::unsupported`]).

use crate::ServiceTags;
use crate::cidr::{Ipv4Net, is_private};
use crate::topology::{Nsg, Topology};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// `Inbound` or `Outbound`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Traffic towards the protected resource.
    Inbound,
    /// Traffic leaving it.
    Outbound,
}

impl Direction {
    /// Parses `Inbound`/`Outbound` (also NTA's NSG-era `I`/`O`), any case.
    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim().to_ascii_lowercase().as_str() {
            "inbound" | "i" | "in" => Some(Direction::Inbound),
            "outbound" | "o" | "out" => Some(Direction::Outbound),
            _ => None,
        }
    }

    /// The ARM spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// The traffic passes (this NSG).
    Allow,
    /// The traffic is dropped.
    Deny,
}

impl Access {
    /// Parses `Allow`/`Deny`, any case.
    pub fn parse(s: &str) -> Option<Access> {
        match s.trim().to_ascii_lowercase().as_str() {
            "allow" => Some(Access::Allow),
            "deny" => Some(Access::Deny),
            _ => None,
        }
    }

    /// The ARM spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Allow => "Allow",
            Access::Deny => "Deny",
        }
    }
}

/// A flow's protocol, or a rule's (`Any` = `*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP.
    Icmp,
    /// IPsec ESP.
    Esp,
    /// IPsec AH.
    Ah,
    /// `*`: any protocol (rules only).
    Any,
}

impl Protocol {
    /// Parses the ARM values (`Tcp`, `Udp`, `Icmp`, `Esp`, `Ah`, `*`) and
    /// NTANetAnalytics' `L4Protocol` (`T`, `U`, also `TCP`…), any case.
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tcp" | "t" | "6" => Some(Protocol::Tcp),
            "udp" | "u" | "17" => Some(Protocol::Udp),
            "icmp" | "1" => Some(Protocol::Icmp),
            "esp" | "50" => Some(Protocol::Esp),
            "ah" | "51" => Some(Protocol::Ah),
            "*" | "any" => Some(Protocol::Any),
            _ => None,
        }
    }

    /// The ARM spelling (`Tcp`, …, `*`).
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "Tcp",
            Protocol::Udp => "Udp",
            Protocol::Icmp => "Icmp",
            Protocol::Esp => "Esp",
            Protocol::Ah => "Ah",
            Protocol::Any => "*",
        }
    }

    /// Whether a rule of protocol `self` matches traffic of protocol `flow`.
    pub fn matches(self, flow: Protocol) -> bool {
        self == Protocol::Any || self == flow
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of a rule's source or destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// `*` (also `0.0.0.0/0`'s meaning, but kept apart to report it).
    Any,
    /// A CIDR block or a bare address.
    Net(Ipv4Net),
    /// A service tag (`VirtualNetwork`, `Internet`, `Storage.WestEurope`, …).
    Tag(String),
}

impl Address {
    /// Parses `*`, `10.0.0.0/24`, `10.0.0.4`, else a service tag. IPv6
    /// prefixes (which contain `:`) give `None`: ntaq reads IPv4 flows only.
    pub fn parse(s: &str) -> Option<Address> {
        let s = s.trim();
        if s == "*" || s.eq_ignore_ascii_case("any") {
            return Some(Address::Any);
        }
        if s.contains(':') {
            return None;
        }
        if let Some(n) = Ipv4Net::parse(s) {
            return Some(Address::Net(n));
        }
        let tag = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-');
        tag.then(|| Address::Tag(s.to_string()))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Any => f.write_str("*"),
            Address::Net(n) if n.len == 32 => f.write_str(&crate::cidr::format_ipv4(n.addr)),
            Address::Net(n) => write!(f, "{n}"),
            Address::Tag(t) => f.write_str(t),
        }
    }
}

/// An inclusive port range (`80` is `80..=80`, `*` is `0..=65535`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    /// First port.
    pub lo: u16,
    /// Last port.
    pub hi: u16,
}

impl PortRange {
    /// Every port.
    pub const ANY: PortRange = PortRange { lo: 0, hi: 65535 };

    /// Parses `*`, `443` or `80-90` (`lo <= hi`).
    pub fn parse(s: &str) -> Option<PortRange> {
        let s = s.trim();
        if s == "*" {
            return Some(PortRange::ANY);
        }
        let num = |t: &str| -> Option<u16> {
            let t = t.trim();
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
        };
        match s.split_once('-') {
            None => num(s).map(|p| PortRange { lo: p, hi: p }),
            Some((a, b)) => {
                let (lo, hi) = (num(a)?, num(b)?);
                (lo <= hi).then_some(PortRange { lo, hi })
            }
        }
    }

    /// Whether `port` lies in the range.
    pub fn contains(&self, port: u16) -> bool {
        self.lo <= port && port <= self.hi
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.lo, self.hi) {
            (0, 65535) => f.write_str("*"),
            (lo, hi) if lo == hi => write!(f, "{lo}"),
            (lo, hi) => write!(f, "{lo}-{hi}"),
        }
    }
}

/// One security rule, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityRule {
    /// Rule name (unique within its NSG).
    pub name: String,
    /// 100–4096 for user rules, 65000–65500 for default rules.
    pub priority: u32,
    /// Allow or deny.
    pub access: Access,
    /// Inbound or outbound.
    pub direction: Direction,
    /// Protocol (`Any` = `*`).
    pub protocol: Protocol,
    /// `sourceAddressPrefix(es)`.
    pub sources: Vec<Address>,
    /// `sourcePortRange(s)`.
    pub source_ports: Vec<PortRange>,
    /// `destinationAddressPrefix(es)`.
    pub destinations: Vec<Address>,
    /// `destinationPortRange(s)`.
    pub destination_ports: Vec<PortRange>,
    /// One of Azure's default rules (`defaultSecurityRules`, or added).
    pub is_default: bool,
    /// Why the rule cannot be evaluated (application security groups,
    /// IPv6-only prefixes); such a rule never matches.
    pub unsupported: Option<String>,
}

/// A property of a rule: top level or under `properties` (az prints both
/// shapes), the name matched without regard to case.
fn prop<'a>(rule: &'a Value, key: &str) -> Option<&'a Value> {
    let find = |v: &'a Value| v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v);
    find(rule).or_else(|| find(rule.get("properties")?)).filter(|v| !v.is_null())
}

fn prop_str<'a>(rule: &'a Value, key: &str) -> Option<&'a str> {
    prop(rule, key).and_then(Value::as_str)
}

/// The values of a singular/plural pair (`sourceAddressPrefix` /
/// `sourceAddressPrefixes`): the plural list when not empty, else the singular.
fn pair(rule: &Value, singular: &str, plural: &str) -> Vec<String> {
    let many: Vec<String> = prop(rule, plural)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    if !many.is_empty() {
        return many;
    }
    prop_str(rule, singular).filter(|s| !s.is_empty()).map(|s| vec![s.to_string()]).unwrap_or_default()
}

impl SecurityRule {
    /// Reads one rule of an `az network nsg list` export (`securityRules[]`
    /// or `defaultSecurityRules[]`). `Err` says which property is missing
    /// or invalid.
    pub fn from_json(rule: &Value, is_default: bool) -> Result<SecurityRule, String> {
        let name = prop_str(rule, "name").unwrap_or_default().to_string();
        let what = |p: &str| format!("rule `{name}`: {p}");
        let priority = prop(rule, "priority")
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
            .and_then(|p| u32::try_from(p).ok())
            .ok_or_else(|| what("no priority"))?;
        let access =
            prop_str(rule, "access").and_then(Access::parse).ok_or_else(|| what("access is not Allow or Deny"))?;
        let direction = prop_str(rule, "direction")
            .and_then(Direction::parse)
            .ok_or_else(|| what("direction is not Inbound or Outbound"))?;
        let protocol = prop_str(rule, "protocol")
            .and_then(Protocol::parse)
            .ok_or_else(|| what("protocol is not Tcp, Udp, Icmp, Esp, Ah or *"))?;
        let mut unsupported = Vec::new();
        let mut addresses = |singular: &str, plural: &str, asg: &str| -> Result<Vec<Address>, String> {
            let texts = pair(rule, singular, plural);
            let mut out = Vec::new();
            for t in &texts {
                match Address::parse(t) {
                    Some(a) => out.push(a),
                    None if t.contains(':') => {}
                    None => return Err(what(&format!("{singular} `{t}` is not an address, prefix, `*` or tag"))),
                }
            }
            let groups = prop(rule, asg).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
            if groups {
                unsupported.push(format!("{asg} (application security groups are not resolved from flow data)"));
            } else if out.is_empty() && !texts.is_empty() {
                unsupported.push(format!("{singular}: IPv6 prefixes only"));
            } else if out.is_empty() {
                return Err(what(&format!("no {singular}")));
            }
            Ok(out)
        };
        let sources = addresses("sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups")?;
        let destinations = addresses(
            "destinationAddressPrefix",
            "destinationAddressPrefixes",
            "destinationApplicationSecurityGroups",
        )?;
        let ports = |singular: &str, plural: &str| -> Result<Vec<PortRange>, String> {
            let texts = pair(rule, singular, plural);
            if texts.is_empty() {
                return Ok(vec![PortRange::ANY]);
            }
            texts
                .iter()
                .map(|t| {
                    PortRange::parse(t).ok_or_else(|| what(&format!("{singular} `{t}` is not a port, range or *")))
                })
                .collect()
        };
        let source_ports = ports("sourcePortRange", "sourcePortRanges")?;
        let destination_ports = ports("destinationPortRange", "destinationPortRanges")?;
        Ok(SecurityRule {
            name,
            priority,
            access,
            direction,
            protocol,
            sources,
            source_ports,
            destinations,
            destination_ports,
            is_default,
            unsupported: (!unsupported.is_empty()).then(|| unsupported.join("; ")),
        })
    }

    /// Whether the rule admits `*`, `0.0.0.0/0`, `Internet` or
    /// `VirtualNetwork` as its source: a broad rule in the sense of the
    /// default-deny replay.
    pub fn has_broad_source(&self) -> bool {
        self.sources.iter().any(|a| match a {
            Address::Any => true,
            Address::Net(n) => n.len == 0,
            Address::Tag(t) => t.eq_ignore_ascii_case("Internet") || t.eq_ignore_ascii_case("VirtualNetwork"),
        })
    }
}

/// The six default rules of every NSG, as Learn's "Network security
/// groups" page lists them.
pub fn default_rules() -> Vec<SecurityRule> {
    let rule = |name: &str, priority, access, direction, src: Address, dst: Address| SecurityRule {
        name: name.to_string(),
        priority,
        access,
        direction,
        protocol: Protocol::Any,
        sources: vec![src],
        source_ports: vec![PortRange::ANY],
        destinations: vec![dst],
        destination_ports: vec![PortRange::ANY],
        is_default: true,
        unsupported: None,
    };
    let tag = |t: &str| Address::Tag(t.to_string());
    use Access::{Allow, Deny};
    use Direction::{Inbound, Outbound};
    vec![
        rule("AllowVnetInBound", 65000, Allow, Inbound, tag("VirtualNetwork"), tag("VirtualNetwork")),
        rule("AllowAzureLoadBalancerInBound", 65001, Allow, Inbound, tag("AzureLoadBalancer"), Address::Any),
        rule("DenyAllInBound", 65500, Deny, Inbound, Address::Any, Address::Any),
        rule("AllowVnetOutBound", 65000, Allow, Outbound, tag("VirtualNetwork"), tag("VirtualNetwork")),
        rule("AllowInternetOutBound", 65001, Allow, Outbound, Address::Any, tag("Internet")),
        rule("DenyAllOutBound", 65500, Deny, Outbound, Address::Any, Address::Any),
    ]
}

/// An NSG's rules, typed, default rules included, sorted by direction and
/// priority.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// NSG name.
    pub name: String,
    /// Every rule, sorted by (direction, priority, name).
    pub rules: Vec<SecurityRule>,
    /// Rules of the export that could not be read (`rule …: why`); they
    /// are left out of the evaluation.
    pub errors: Vec<String>,
}

impl RuleSet {
    /// `rules` plus the default rules the list lacks (by name), sorted.
    pub fn new(name: &str, rules: Vec<SecurityRule>) -> RuleSet {
        let mut all = rules;
        for d in default_rules() {
            if !all.iter().any(|r| r.name.eq_ignore_ascii_case(&d.name)) {
                all.push(d);
            }
        }
        all.sort_by(|a, b| (a.direction, a.priority, &a.name).cmp(&(b.direction, b.priority, &b.name)));
        RuleSet { name: name.to_string(), rules: all, errors: Vec::new() }
    }

    /// The typed rules of an exported NSG.
    pub fn from_nsg(nsg: &Nsg) -> RuleSet {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (list, is_default) in [(&nsg.security_rules, false), (&nsg.default_security_rules, true)] {
            for r in list {
                match SecurityRule::from_json(r, is_default) {
                    Ok(rule) => rules.push(rule),
                    Err(e) => errors.push(e),
                }
            }
        }
        let mut set = RuleSet::new(&nsg.name, rules);
        set.errors = errors;
        set
    }

    /// The user rules (not default ones).
    pub fn user_rules(&self) -> impl Iterator<Item = &SecurityRule> {
        self.rules.iter().filter(|r| !r.is_default)
    }
}

/// A flow as the matcher sees it (source port is not in NTA's aggregation
/// key, so rules' source ports are taken to match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// Source address.
    pub src: u32,
    /// Destination address.
    pub dst: u32,
    /// Destination port.
    pub port: u16,
    /// Protocol (never `Any`).
    pub protocol: Protocol,
    /// Direction, from the NSG's point of view.
    pub direction: Direction,
}

/// The prefixes behind the tags.
///
/// - `VirtualNetwork`: per Learn ("Virtual network service tags"), the
///   virtual network's address space, peered virtual networks, connected
///   on-premises address spaces and the host's virtual IP `168.63.129.16`.
///   Here: the given prefixes (from [`TagResolver::for_nsg`]: the address
///   spaces of the VNets the NSG's subnets and NICs are in, of their peered
///   VNets, and point-to-site client pools), plus `168.63.129.16`. With no
///   topology, the private ranges (RFC 1918 and 100.64.0.0/10), as
///   traffic analytics classifies addresses — an approximation, noted.
/// - `Internet`: the address space outside the virtual network reachable
///   from the public internet; here every IPv4 address outside the
///   `VirtualNetwork` prefixes and `AzureLoadBalancer`.
/// - `AzureLoadBalancer`: `168.63.129.16` (Azure's infrastructure load
///   balancer, whose health probes come from that address).
/// - any other tag: its prefixes in the service-tags file; unknown → never matches.
#[derive(Debug, Clone, Default)]
pub struct TagResolver {
    /// The `VirtualNetwork` prefixes.
    pub virtual_network: Vec<Ipv4Net>,
    /// Microsoft's service tags, when given.
    pub service_tags: Option<Arc<ServiceTags>>,
    /// Whether `virtual_network` is the no-topology approximation.
    pub approximate: bool,
}

/// `168.63.129.16`, the `AzureLoadBalancer` address.
pub const AZURE_LOAD_BALANCER: u32 = 0xA83F_8110;

impl TagResolver {
    /// Without topology: `VirtualNetwork` = the private ranges (approximation).
    pub fn private_ranges(service_tags: Option<Arc<ServiceTags>>) -> TagResolver {
        let virtual_network = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]
            .iter()
            .filter_map(|p| Ipv4Net::parse(p))
            .collect();
        TagResolver { virtual_network, service_tags, approximate: true }
    }

    /// The tags as seen from NSG `nsg_name` of `topo`: the VNets of its
    /// subnets and NICs, their peers, P2S pools. An NSG the topology does
    /// not place gets every VNet's address space; a topology without VNets
    /// gives [`TagResolver::private_ranges`].
    pub fn for_nsg(topo: &Topology, nsg_name: &str, service_tags: Option<Arc<ServiceTags>>) -> TagResolver {
        if topo.vnets.is_empty() {
            return TagResolver::private_ranges(service_tags);
        }
        let nsg = topo.nsgs.iter().find(|n| n.name.eq_ignore_ascii_case(nsg_name));
        let is_ours = |id: &Option<String>| match (nsg, id) {
            (Some(n), Some(id)) => n.id.eq_ignore_ascii_case(id),
            _ => false,
        };
        let mut vnet_ids: Vec<&str> = Vec::new();
        for v in &topo.vnets {
            let subnet_hit = v.subnets.iter().any(|s| {
                is_ours(&s.nsg_id)
                    || nsg.is_some_and(|n| n.subnet_ids.iter().any(|i| i.eq_ignore_ascii_case(&s.id)))
                    || topo.nics.iter().any(|nic| {
                        is_ours(&nic.nsg_id)
                            && nic
                                .ip_configs
                                .iter()
                                .any(|c| c.subnet_id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(&s.id)))
                    })
            });
            if subnet_hit {
                vnet_ids.push(&v.id);
            }
        }
        let mut nets = Vec::new();
        if vnet_ids.is_empty() {
            nets.extend(topo.vnets.iter().flat_map(|v| v.address_prefixes.iter().copied()));
        } else {
            for v in &topo.vnets {
                let ours = vnet_ids.iter().any(|i| i.eq_ignore_ascii_case(&v.id));
                if ours {
                    nets.extend(v.address_prefixes.iter().copied());
                    for peer in &v.peerings {
                        if let Some(p) = topo.vnets.iter().find(|x| x.id.eq_ignore_ascii_case(peer)) {
                            nets.extend(p.address_prefixes.iter().copied());
                        }
                    }
                }
            }
        }
        nets.extend(topo.gateways.iter().flat_map(|g| g.vpn_client_prefixes.iter().copied()));
        TagResolver { virtual_network: crate::cidr::collapse(nets), service_tags, approximate: false }
    }

    fn in_virtual_network(&self, ip: u32) -> bool {
        ip == AZURE_LOAD_BALANCER || self.virtual_network.iter().any(|n| n.contains(ip))
    }

    /// Whether `ip` belongs to the tag (compared without regard to case).
    pub fn tag_contains(&self, tag: &str, ip: u32) -> bool {
        if tag.eq_ignore_ascii_case("VirtualNetwork") {
            self.in_virtual_network(ip)
        } else if tag.eq_ignore_ascii_case("Internet") {
            !(self.in_virtual_network(ip) || (self.approximate && is_private(ip)))
        } else if tag.eq_ignore_ascii_case("AzureLoadBalancer") {
            ip == AZURE_LOAD_BALANCER
        } else {
            self.service_tags
                .as_ref()
                .and_then(|t| t.tag(tag))
                .is_some_and(|t| t.prefixes.iter().any(|p| p.contains(ip)))
        }
    }

    /// Whether the address entry admits `ip`.
    pub fn admits(&self, a: &Address, ip: u32) -> bool {
        match a {
            Address::Any => true,
            Address::Net(n) => n.contains(ip),
            Address::Tag(t) => self.tag_contains(t, ip),
        }
    }
}

impl SecurityRule {
    /// Whether the rule matches the flow (its direction included).
    pub fn matches(&self, flow: &FlowKey, tags: &TagResolver) -> bool {
        self.unsupported.is_none()
            && self.direction == flow.direction
            && self.protocol.matches(flow.protocol)
            && self.sources.iter().any(|a| tags.admits(a, flow.src))
            && self.destinations.iter().any(|a| tags.admits(a, flow.dst))
            && self.destination_ports.iter().any(|p| p.contains(flow.port))
    }
}

/// The rule that decides `flow` in `set`: the matching rule of its
/// direction with the lowest priority. `None` only if the set has no
/// default rules and nothing matches (a [`RuleSet`] always has them).
pub fn evaluate<'a>(set: &'a RuleSet, flow: &FlowKey, tags: &TagResolver) -> Option<&'a SecurityRule> {
    // `rules` is sorted by (direction, priority): the first match wins.
    set.rules.iter().find(|r| r.matches(flow, tags))
}

/// The decision of a flow through the NSGs on its way: inbound, the
/// subnet's NSG then the NIC's; outbound, the NIC's then the subnet's
/// (Learn, "How network security groups filter network traffic"). Returns
/// the access and the deciding rules of each NSG passed through (a deny
/// stops there). No NSG at all: allowed.
pub fn evaluate_path<'a>(
    subnet_nsg: Option<&'a RuleSet>,
    nic_nsg: Option<&'a RuleSet>,
    flow: &FlowKey,
    tags: &TagResolver,
) -> (Access, Vec<(&'a str, &'a SecurityRule)>) {
    let order = match flow.direction {
        Direction::Inbound => [subnet_nsg, nic_nsg],
        Direction::Outbound => [nic_nsg, subnet_nsg],
    };
    let mut trail = Vec::new();
    for set in order.into_iter().flatten() {
        if let Some(rule) = evaluate(set, flow, tags) {
            trail.push((set.name.as_str(), rule));
            if rule.access == Access::Deny {
                return (Access::Deny, trail);
            }
        }
    }
    (Access::Allow, trail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cidr::parse_ipv4;
    use serde_json::json;

    fn ip(s: &str) -> u32 {
        parse_ipv4(s).unwrap()
    }

    fn flow(src: &str, dst: &str, port: u16, protocol: Protocol, direction: Direction) -> FlowKey {
        FlowKey { src: ip(src), dst: ip(dst), port, protocol, direction }
    }

    fn vnet_tags() -> TagResolver {
        TagResolver {
            virtual_network: vec![Ipv4Net::parse("10.0.0.0/16").unwrap()],
            service_tags: None,
            approximate: false,
        }
    }

    #[test]
    fn parses_an_az_export_rule_in_both_shapes() {
        // `az network nsg list` prints properties flattened; ARM nests them.
        let flat = json!({"name": "web", "priority": 200, "access": "Allow", "direction": "Inbound", "protocol": "Tcp",
            "sourceAddressPrefix": "", "sourceAddressPrefixes": ["10.0.2.0/24", "10.0.3.4"],
            "sourcePortRange": "*", "destinationAddressPrefix": "10.0.1.0/24", "destinationAddressPrefixes": [],
            "destinationPortRange": null, "destinationPortRanges": ["80-90", "443"]});
        let r = SecurityRule::from_json(&flat, false).unwrap();
        assert_eq!(
            r.sources,
            vec![Address::Net(Ipv4Net::parse("10.0.2.0/24").unwrap()), Address::Net(Ipv4Net::host(ip("10.0.3.4")))]
        );
        assert_eq!(r.destination_ports, vec![PortRange { lo: 80, hi: 90 }, PortRange { lo: 443, hi: 443 }]);
        let nested = json!({"name": "x", "properties": {"priority": 100, "access": "Deny", "direction": "Outbound",
            "protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "*"}});
        let r = SecurityRule::from_json(&nested, false).unwrap();
        assert_eq!((r.access, r.direction, r.protocol), (Access::Deny, Direction::Outbound, Protocol::Any));
        assert_eq!(r.destinations, vec![Address::Tag("Internet".into())]);
        assert!(r.has_broad_source());
        let asg = json!({"name": "a", "priority": 300, "access": "Allow", "direction": "Inbound", "protocol": "Tcp",
            "sourceApplicationSecurityGroups": [{"id": "/x/asg1"}], "destinationAddressPrefix": "*", "destinationPortRange": "22"});
        let r = SecurityRule::from_json(&asg, false).unwrap();
        assert!(r.unsupported.as_deref().unwrap().contains("application security groups"));
        assert!(!r.matches(&flow("10.0.0.1", "10.0.0.2", 22, Protocol::Tcp, Direction::Inbound), &vnet_tags()));
        let bad = json!({"name": "b", "priority": 300, "access": "Maybe", "direction": "Inbound"});
        assert!(SecurityRule::from_json(&bad, false).unwrap_err().contains("access"));
    }

    #[test]
    fn ports() {
        assert_eq!(PortRange::parse("*"), Some(PortRange::ANY));
        assert_eq!(PortRange::parse("80-90").unwrap().to_string(), "80-90");
        assert!(PortRange::parse("90-80").is_none());
        assert!(PortRange::parse("65536").is_none());
        assert!(PortRange::parse("80-90").unwrap().contains(90));
        assert!(!PortRange::parse("80-90").unwrap().contains(91));
    }

    /// Learn, "How network security groups filter network traffic": a
    /// lower number is processed first and processing stops at the first
    /// match; without a user rule, the default rules decide
    /// (AllowVnetInBound for traffic inside the VNet, DenyAllInBound from
    /// the internet, AllowInternetOutBound towards it).
    #[test]
    fn first_match_by_priority_then_defaults() {
        let rule = |name: &str, priority, access, port: &str, src: &str| SecurityRule {
            name: name.into(),
            priority,
            access,
            direction: Direction::Inbound,
            protocol: Protocol::Tcp,
            sources: vec![Address::parse(src).unwrap()],
            source_ports: vec![PortRange::ANY],
            destinations: vec![Address::Any],
            destination_ports: vec![PortRange::parse(port).unwrap()],
            is_default: false,
            unsupported: None,
        };
        // Deny 80 at 200, allow 80-90 at 100: the allow comes first.
        let set = RuleSet::new(
            "n",
            vec![
                rule("deny80", 200, Access::Deny, "80", "*"),
                rule("allow80-90", 100, Access::Allow, "80-90", "Internet"),
            ],
        );
        assert_eq!(set.rules.len(), 8, "six default rules added");
        let t = vnet_tags();
        let name = |f: FlowKey| evaluate(&set, &f, &t).unwrap().name.clone();
        assert_eq!(name(flow("8.8.8.8", "10.0.1.4", 80, Protocol::Tcp, Direction::Inbound)), "allow80-90");
        // From inside the VNet, Internet does not match; deny80 does.
        assert_eq!(name(flow("10.0.2.4", "10.0.1.4", 80, Protocol::Tcp, Direction::Inbound)), "deny80");
        // Port 91: no user rule; inside the VNet → AllowVnetInBound; from outside → DenyAllInBound.
        assert_eq!(name(flow("10.0.2.4", "10.0.1.4", 91, Protocol::Tcp, Direction::Inbound)), "AllowVnetInBound");
        assert_eq!(name(flow("8.8.8.8", "10.0.1.4", 91, Protocol::Tcp, Direction::Inbound)), "DenyAllInBound");
        // UDP 80 is not matched by the Tcp rules.
        assert_eq!(name(flow("8.8.8.8", "10.0.1.4", 80, Protocol::Udp, Direction::Inbound)), "DenyAllInBound");
        // The load balancer's probes, and outbound defaults.
        assert_eq!(name(flow("168.63.129.16", "10.0.1.4", 91, Protocol::Tcp, Direction::Inbound)), "AllowVnetInBound");
        assert_eq!(name(flow("10.0.1.4", "8.8.8.8", 443, Protocol::Tcp, Direction::Outbound)), "AllowInternetOutBound");
        assert_eq!(name(flow("10.0.1.4", "10.0.9.9", 443, Protocol::Tcp, Direction::Outbound)), "AllowVnetOutBound");
    }

    /// 168.63.129.16 is both the AzureLoadBalancer tag and the host's
    /// virtual IP, which Learn counts in VirtualNetwork: AllowVnetInBound
    /// (65000) decides before AllowAzureLoadBalancerInBound (65001).
    #[test]
    fn host_ip_is_in_virtual_network() {
        let set = RuleSet::new("n", Vec::new());
        let t = vnet_tags();
        assert!(t.tag_contains("AzureLoadBalancer", AZURE_LOAD_BALANCER));
        let f = flow("168.63.129.16", "10.0.1.4", 80, Protocol::Tcp, Direction::Inbound);
        assert_eq!(evaluate(&set, &f, &t).unwrap().name, "AllowVnetInBound");
        // To an address outside the VNet, AllowVnetInBound's destination
        // does not match: the load-balancer rule (destination *) decides.
        let f = flow("168.63.129.16", "20.1.1.1", 80, Protocol::Tcp, Direction::Inbound);
        assert_eq!(evaluate(&set, &f, &t).unwrap().name, "AllowAzureLoadBalancerInBound");
    }

    /// Inbound: subnet NSG first, then the NIC's; outbound: the NIC's first.
    /// Both must allow.
    #[test]
    fn subnet_and_nic_nsgs_both_apply() {
        let deny_in = |name: &str, dir| SecurityRule {
            name: name.into(),
            priority: 100,
            access: Access::Deny,
            direction: dir,
            protocol: Protocol::Any,
            sources: vec![Address::Any],
            source_ports: vec![PortRange::ANY],
            destinations: vec![Address::Any],
            destination_ports: vec![PortRange::ANY],
            is_default: false,
            unsupported: None,
        };
        let subnet = RuleSet::new("subnet", vec![]);
        let nic = RuleSet::new("nic", vec![deny_in("nic-deny", Direction::Inbound)]);
        let t = vnet_tags();
        let f = flow("10.0.2.4", "10.0.1.4", 80, Protocol::Tcp, Direction::Inbound);
        let (access, trail) = evaluate_path(Some(&subnet), Some(&nic), &f, &t);
        assert_eq!(access, Access::Deny);
        assert_eq!(
            trail.iter().map(|(n, r)| format!("{n}:{}", r.name)).collect::<Vec<_>>(),
            ["subnet:AllowVnetInBound", "nic:nic-deny"]
        );
        let nic_out = RuleSet::new("nic", vec![deny_in("nic-deny-out", Direction::Outbound)]);
        let f = flow("10.0.1.4", "10.0.2.4", 80, Protocol::Tcp, Direction::Outbound);
        let (access, trail) = evaluate_path(Some(&subnet), Some(&nic_out), &f, &t);
        assert_eq!((access, trail.len()), (Access::Deny, 1), "the NIC's NSG decides first outbound");
        assert_eq!(evaluate_path(None, None, &f, &t).0, Access::Allow);
    }

    #[test]
    fn tags_from_service_tags_file() {
        let doc = br#"{"values": [{"name": "Storage", "properties": {"addressPrefixes": ["20.60.0.0/16"]}}]}"#;
        let t = TagResolver { service_tags: Some(Arc::new(ServiceTags::from_json(doc).unwrap())), ..vnet_tags() };
        assert!(t.admits(&Address::Tag("storage".into()), ip("20.60.1.1")));
        assert!(!t.admits(&Address::Tag("Storage".into()), ip("20.61.1.1")));
        assert!(!t.admits(&Address::Tag("Sql".into()), ip("20.60.1.1")), "unknown tags match nothing");
        assert!(t.tag_contains("Internet", ip("20.60.1.1")));
        assert!(!t.tag_contains("Internet", ip("10.0.5.5")));
        let approx = TagResolver::private_ranges(None);
        assert!(approx.tag_contains("VirtualNetwork", ip("192.168.1.1")));
        assert!(!approx.tag_contains("Internet", ip("192.168.1.1")));
    }
}
