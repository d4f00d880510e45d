//! FlowType, by the definitions of traffic-analytics-schema ("Notes"):
//!
//! - a public side decides: `AzurePublic` (a Microsoft-owned Azure
//!   address: in the service tags, or 168.63.129.16), `MaliciousFlow` (in
//!   the threat list, not Azure), `ExternalPublic` (neither); the other side
//!   is the NIC that captured the flow, so it is in Azure;
//! - otherwise both sides are placed in the topology: same VNet →
//!   `IntraVNet`, two VNets → `InterVNet`, a VNet and a point-to-site pool →
//!   `P2S`, a VNet and an on-premises site → `S2S`, a VNet and an unmapped
//!   private address → `UnknownPrivate` (the spelling scenario 4 filters
//!   on), anything else → `Unknown`.
//!
//! Without the input that decides, FlowType is `""` (see [`super::notes`]).

use super::aggregate::PublicClass;
use super::endpoint::Place;

/// The FlowType of a row with these public classes and places.
pub fn flow_type(
    src_class: Option<&PublicClass>,
    dest_class: Option<&PublicClass>,
    src: Place<'_>,
    dest: Place<'_>,
    have_topology: bool,
) -> &'static str {
    // A public source decides before a public destination (both public:
    // the source is the remote end of an inbound flow through a public VNet range).
    if let Some(c) = src_class.or(dest_class) {
        return c.flow_type;
    }
    if !have_topology {
        return "";
    }
    match (src, dest) {
        (Place::Vnet { vnet: a, .. }, Place::Vnet { vnet: b, .. }) => {
            if a.id.eq_ignore_ascii_case(&b.id) {
                "IntraVNet"
            } else {
                "InterVNet"
            }
        }
        (Place::Vnet { .. }, Place::P2S(_)) | (Place::P2S(_), Place::Vnet { .. }) => "P2S",
        (Place::Vnet { .. }, Place::Site(_)) | (Place::Site(_), Place::Vnet { .. }) => "S2S",
        (Place::Vnet { .. }, Place::UnknownPrivate) | (Place::UnknownPrivate, Place::Vnet { .. }) => "UnknownPrivate",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nta_azure::topology::{Gateway, LocalGateway, Vnet};

    fn vnet(id: &str) -> Vnet {
        Vnet { id: id.into(), ..Vnet::default() }
    }

    #[test]
    fn by_the_definitions() {
        let (a, a2, b) = (vnet("/s/1/VNETS/A"), vnet("/s/1/vnets/a"), vnet("/s/1/vnets/b"));
        let (gw, site) = (Gateway::default(), LocalGateway::default());
        let v = |v| Place::Vnet { vnet: v, subnet: None, nic: None };
        let ext = PublicClass { flow_type: "ExternalPublic", location: "NL".into(), service_tag: String::new() };
        assert_eq!(flow_type(None, Some(&ext), v(&a), Place::Unknown, false), "ExternalPublic");
        assert_eq!(flow_type(Some(&ext), None, Place::Unknown, v(&a), true), "ExternalPublic");
        assert_eq!(flow_type(None, None, v(&a), v(&a2), true), "IntraVNet", "Azure IDs compare without case");
        assert_eq!(flow_type(None, None, v(&a), v(&b), true), "InterVNet");
        assert_eq!(flow_type(None, None, Place::P2S(&gw), v(&b), true), "P2S");
        assert_eq!(flow_type(None, None, v(&b), Place::Site(&site), true), "S2S");
        assert_eq!(flow_type(None, None, v(&b), Place::UnknownPrivate, true), "UnknownPrivate");
        assert_eq!(flow_type(None, None, Place::UnknownPrivate, Place::UnknownPrivate, true), "Unknown");
        assert_eq!(flow_type(None, None, Place::Site(&site), Place::P2S(&gw), true), "Unknown");
        assert_eq!(flow_type(None, None, Place::Unknown, Place::Unknown, false), "");
    }
}
