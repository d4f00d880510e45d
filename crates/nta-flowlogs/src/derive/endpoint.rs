//! What an address of a flow is, as far as the enrichment inputs tell:
//! a public address (Azure, external or malicious, with its region or
//! country) or a place in the user's topology.

use super::Enrichment;
use crate::enrich::Indicator;
use crate::error::FlowLogError;
use nta_azure::cidr::{is_public, parse_ipv4};
use nta_azure::topology::{Gateway, LocalGateway, Nic, Subnet, Vnet};

/// 168.63.129.16, Azure's virtual public IP (DHCP, DNS, health probes):
/// traffic analytics reports it as an Azure address with Location `Global`
/// and PublicIpDetails `Microsoft Virtual Public IP` (traffic-analytics-schema,
/// "Public IP details schema").
pub const AZURE_VIRTUAL_IP: u32 = 0xA83F_8110;

/// What traffic analytics makes of a public address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicInfo<'e> {
    /// `AzurePublic`, `MaliciousFlow`, `ExternalPublic`, or `""` when the
    /// inputs cannot tell (no service tags and not in the threat list).
    pub flow_type: &'static str,
    /// Azure region (or `Global`) for Azure addresses; country code otherwise.
    pub location: String,
    /// The most specific service tag holding the address (Azure addresses).
    pub service_tag: String,
    /// NTAIpDetails.PublicIpDetails: the owning service (Azure) or the owner (others).
    pub details: String,
    /// The threat-list entry (MaliciousFlow only).
    pub threat: Option<&'e Indicator>,
}

/// Where a non-public address is, per the topology.
#[derive(Debug, Clone, Copy)]
pub enum Place<'t> {
    /// In a VNet's address space (and in a subnet, on a NIC, when those are known).
    Vnet {
        /// The VNet.
        vnet: &'t Vnet,
        /// The subnet whose prefix holds the address.
        subnet: Option<&'t Subnet>,
        /// The NIC with that private address.
        nic: Option<&'t Nic>,
    },
    /// In a VPN gateway's point-to-site client pool.
    P2S(&'t Gateway),
    /// In an on-premises site's address space (local network gateway).
    Site(&'t LocalGateway),
    /// A private (RFC 1918 / RFC 6598) address the topology does not map.
    UnknownPrivate,
    /// Anything else (no topology, IPv6, special-purpose addresses).
    Unknown,
}

impl Enrichment {
    /// The address of `ip` if it is public: internet-routable
    /// ([`nta_azure::cidr::is_public`]) and not inside the user's VNets,
    /// point-to-site pools or on-premises sites (a VNet may use public ranges).
    pub fn public_addr(&self, ip: &str) -> Option<u32> {
        let a = parse_ipv4(ip)?;
        let mapped = self.topology.as_ref().is_some_and(|t| {
            t.vnet_of(a).is_some()
                || t.subnet_of(a).is_some()
                || t.p2s_gateway_of(a).is_some()
                || t.local_gateway_of(a).is_some()
        });
        (is_public(a) && !mapped).then_some(a)
    }

    /// What traffic analytics would say about public address `ip`.
    pub fn public_info(&self, ip: u32) -> Result<PublicInfo<'_>, FlowLogError> {
        let tags = self.service_tags.as_ref().map(|s| s.lookup(ip)).unwrap_or_default();
        if ip == AZURE_VIRTUAL_IP || !tags.is_empty() {
            let virtual_ip = ip == AZURE_VIRTUAL_IP;
            let region = tags.iter().find(|t| !t.region.is_empty()).map(|t| t.region.clone());
            let service = tags.iter().find(|t| !t.system_service.is_empty()).map(|t| t.system_service.clone());
            return Ok(PublicInfo {
                flow_type: "AzurePublic",
                location: if virtual_ip { "Global".into() } else { region.unwrap_or_default() },
                service_tag: tags.first().map(|t| t.name.clone()).unwrap_or_default(),
                details: if virtual_ip {
                    "Microsoft Virtual Public IP".into()
                } else {
                    service.or_else(|| tags.first().map(|t| t.name.clone())).unwrap_or_default()
                },
                threat: None,
            });
        }
        let threat = self.threat_intel.as_ref().and_then(|t| t.lookup(ip));
        let flow_type = match (threat, &self.service_tags) {
            (Some(_), _) => "MaliciousFlow",
            (None, Some(_)) => "ExternalPublic",
            (None, None) => "",
        };
        let mut location = threat.map(|t| t.location.clone()).unwrap_or_default();
        let mut details = threat.map(|t| t.public_ip_details.clone()).unwrap_or_default();
        if let Some(g) = &self.geoip {
            if location.is_empty() {
                location = g.country(ip)?.unwrap_or_default();
            }
            if details.is_empty() {
                details = g.organization(ip)?.unwrap_or_default();
            }
        }
        Ok(PublicInfo { flow_type, location, service_tag: String::new(), details, threat })
    }

    /// Where non-public address `ip` is in the topology.
    pub fn place(&self, ip: &str) -> Place<'_> {
        let (Some(t), Some(a)) = (&self.topology, parse_ipv4(ip)) else { return Place::Unknown };
        if let Some((vnet, subnet)) = t.subnet_of(a) {
            return Place::Vnet { vnet, subnet: Some(subnet), nic: t.nic_of_ip(a) };
        }
        if let Some(vnet) = t.vnet_of(a) {
            return Place::Vnet { vnet, subnet: None, nic: t.nic_of_ip(a) };
        }
        if let Some(g) = t.p2s_gateway_of(a) {
            return Place::P2S(g);
        }
        if let Some(g) = t.local_gateway_of(a) {
            return Place::Site(g);
        }
        if nta_azure::cidr::is_private(a) { Place::UnknownPrivate } else { Place::Unknown }
    }
}
