//! Observed flows: NTANetAnalytics rows, as the recommender reads them.
//!
//! Value formats follow the NTA schema notes (docs/nta-schema.md of the
//! project's references): `FlowDirection` `Inbound`/`Outbound` (NSG-era
//! `I`/`O` too), `FlowStatus` `Allowed`/`Denied` (`A`/`D`), `L4Protocol`
//! `T`/`U` (`TCP`/`UDP`/`ICMP` too), `AclGroup` a path whose last `/`
//! segment is the NSG name (`<subscription>/<rg>/<nsg>`) or `Unspecified`,
//! `AclRule` the deciding rule's name, and `SrcIp`/`DestIp` empty for a
//! public endpoint, whose address is then the first `|`-field of each
//! space-separated `SrcPublicIps`/`DestPublicIps` entry.

use nta_azure::cidr::parse_ipv4;
use nta_azure::nsg::{Direction, FlowKey, Protocol};

/// One observed flow aggregate (one NTA row, or one public address of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedFlow {
    /// Source address.
    pub src: u32,
    /// Destination address.
    pub dst: u32,
    /// Destination port.
    pub port: u16,
    /// Protocol (never `Any`).
    pub protocol: Protocol,
    /// Direction, from the deciding NSG's point of view.
    pub direction: Direction,
    /// Allowed (true) or denied.
    pub allowed: bool,
    /// Number of flows.
    pub flows: u64,
    /// The NSG that decided (AclGroup's name), `None` when `Unspecified`.
    pub nsg: Option<String>,
    /// Resource group of the NSG, from AclGroup's `<sub>/<rg>/<nsg>` form.
    pub resource_group: Option<String>,
    /// The deciding rule's name (`AclRule`), as recorded.
    pub rule: String,
    /// When (FlowStartTime, else TimeGenerated), ns since the Unix epoch.
    pub time: Option<i64>,
}

impl ObservedFlow {
    /// The matcher's view of the flow.
    pub fn key(&self) -> FlowKey {
        FlowKey { src: self.src, dst: self.dst, port: self.port, protocol: self.protocol, direction: self.direction }
    }
}

/// One NTANetAnalytics row's columns, as text and numbers.
#[derive(Debug, Clone, Default)]
pub struct NtaRow<'a> {
    /// `SrcIp`.
    pub src_ip: &'a str,
    /// `DestIp`.
    pub dest_ip: &'a str,
    /// `SrcPublicIps`.
    pub src_public_ips: &'a str,
    /// `DestPublicIps`.
    pub dest_public_ips: &'a str,
    /// `DestPort`.
    pub dest_port: Option<i64>,
    /// `L4Protocol`.
    pub l4_protocol: &'a str,
    /// `FlowDirection`.
    pub flow_direction: &'a str,
    /// `FlowStatus`.
    pub flow_status: &'a str,
    /// `AclGroup`.
    pub acl_group: &'a str,
    /// `AclRule`.
    pub acl_rule: &'a str,
    /// `AllowedInFlows + AllowedOutFlows + DeniedInFlows + DeniedOutFlows`.
    pub flows: i64,
    /// `FlowStartTime`, else `TimeGenerated` (ns).
    pub time: Option<i64>,
}

/// Why a row was not read (counted by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Skip {
    /// Not a flow (empty FlowStatus: a `StatusMessage` row) or an unknown status.
    NotAFlow,
    /// No IPv4 address on one side.
    NoAddress,
    /// No destination port, or one outside 0–65535.
    NoPort,
    /// A protocol other than TCP/UDP/ICMP/ESP/AH.
    Protocol,
    /// A direction other than Inbound/Outbound.
    Direction,
}

impl Skip {
    /// What the reason means, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Skip::NotAFlow => "not a flow (FlowStatus neither Allowed nor Denied)",
            Skip::NoAddress => "no IPv4 address on one side",
            Skip::NoPort => "no destination port",
            Skip::Protocol => "L4Protocol not T/U/ICMP",
            Skip::Direction => "FlowDirection neither Inbound nor Outbound",
        }
    }
}

/// The addresses of one side: `SrcIp`, else each public entry's address.
fn addresses(ip: &str, public: &str) -> Vec<u32> {
    if let Some(a) = parse_ipv4(ip.trim()) {
        return vec![a];
    }
    public.split_whitespace().filter_map(|e| parse_ipv4(e.split('|').next().unwrap_or_default())).collect()
}

/// `AclGroup` → (NSG name, resource group): the last `/` segment, and the
/// one before it when the path has three or more (`<sub>/<rg>/<nsg>`, or
/// an ARM ID). `Unspecified` and empty → `None`.
pub fn nsg_of_acl_group(acl_group: &str) -> Option<(String, Option<String>)> {
    let g = acl_group.trim().trim_end_matches('/');
    if g.is_empty() || g.eq_ignore_ascii_case("Unspecified") {
        return None;
    }
    let parts: Vec<&str> = g.split('/').filter(|p| !p.is_empty()).collect();
    let name = parts.last()?.to_string();
    let rg = match parts.iter().position(|p| p.eq_ignore_ascii_case("resourceGroups")) {
        Some(i) => parts.get(i + 1).map(|s| s.to_string()),
        None if parts.len() >= 3 => Some(parts[parts.len() - 2].to_string()),
        None => None,
    };
    Some((name, rg))
}

impl NtaRow<'_> {
    /// The flows of the row: one, or one per public address of a side
    /// given as `…PublicIps` (each with the row's flow count: the counters
    /// of the entries are per address, but the row's decision is shared).
    pub fn flows(&self) -> Result<Vec<ObservedFlow>, Skip> {
        let allowed = match self.flow_status.trim().to_ascii_lowercase().as_str() {
            "allowed" | "a" => true,
            "denied" | "d" => false,
            _ => return Err(Skip::NotAFlow),
        };
        let direction = Direction::parse(self.flow_direction).ok_or(Skip::Direction)?;
        let protocol = Protocol::parse(self.l4_protocol).filter(|p| *p != Protocol::Any).ok_or(Skip::Protocol)?;
        let port = self.dest_port.and_then(|p| u16::try_from(p).ok()).ok_or(Skip::NoPort)?;
        let srcs = addresses(self.src_ip, self.src_public_ips);
        let dsts = addresses(self.dest_ip, self.dest_public_ips);
        if srcs.is_empty() || dsts.is_empty() {
            return Err(Skip::NoAddress);
        }
        let (nsg, resource_group) = match nsg_of_acl_group(self.acl_group) {
            Some((n, rg)) => (Some(n), rg),
            None => (None, None),
        };
        let flows = u64::try_from(self.flows).unwrap_or(0).max(1);
        let mut out = Vec::new();
        for &src in &srcs {
            for &dst in &dsts {
                out.push(ObservedFlow {
                    src,
                    dst,
                    port,
                    protocol,
                    direction,
                    allowed,
                    flows,
                    nsg: nsg.clone(),
                    resource_group: resource_group.clone(),
                    rule: self.acl_rule.trim().to_string(),
                    time: self.time,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows() {
        let row = NtaRow {
            src_ip: "",
            dest_ip: "10.0.1.4",
            src_public_ips: "52.136.4.16|1|1|1|1|128|60 172.171.247.132|0|1|5|5|570|665",
            dest_port: Some(443),
            l4_protocol: "T",
            flow_direction: "Inbound",
            flow_status: "Allowed",
            acl_group: "0000-1111/rg-web/nsg-web",
            acl_rule: "UserRule_Allow-HTTPS",
            flows: 3,
            ..Default::default()
        };
        let f = row.flows().unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].src, parse_ipv4("52.136.4.16").unwrap());
        assert_eq!(f[1].src, parse_ipv4("172.171.247.132").unwrap());
        assert_eq!((f[0].nsg.as_deref(), f[0].resource_group.as_deref()), (Some("nsg-web"), Some("rg-web")));
        assert_eq!(
            (f[0].protocol, f[0].direction, f[0].allowed, f[0].flows),
            (Protocol::Tcp, Direction::Inbound, true, 3)
        );
        assert_eq!(NtaRow { flow_status: "", ..row.clone() }.flows(), Err(Skip::NotAFlow));
        assert_eq!(NtaRow { dest_port: None, ..row.clone() }.flows(), Err(Skip::NoPort));
        assert_eq!(NtaRow { dest_ip: "", ..row.clone() }.flows(), Err(Skip::NoAddress));
        assert_eq!(nsg_of_acl_group("Unspecified"), None);
        assert_eq!(
            nsg_of_acl_group(
                "/subscriptions/s/resourceGroups/RG1/providers/Microsoft.Network/networkSecurityGroups/n1"
            ),
            Some(("n1".into(), Some("RG1".into())))
        );
        assert_eq!(nsg_of_acl_group("n1"), Some(("n1".into(), None)));
    }
}
