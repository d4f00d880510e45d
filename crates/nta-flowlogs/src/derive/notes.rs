//! What the CLI says once about the derived tables: one note per missing
//! enrichment input, naming the columns it leaves empty, and one for the
//! columns no input fills.

use super::Enrichment;

/// Columns no input fills (docs/flow-logs-derived.md says why for each).
pub const NEVER_DERIVED: &str = "L7Protocol, IsFlowCapturedAtUdrHop, ConnectingVnets, Src/DestApplicationGateway, \
Src/DestLoadBalancer, Src/DestExpressRouteCircuit, ExpressRouteCircuitPeeringType, Private{Endpoint,LinkResource}*, \
DestCloud, DestEnvironment, DestNetworkGroups, DestServiceId, DestServiceName, Status, TenantId, SourceSystem, \
_BilledSize, _IsBillable";

/// The notes for `enrichment`.
pub fn notes(enrichment: &Enrichment) -> Vec<String> {
    let mut out = Vec::new();
    if enrichment.topology.is_none() {
        out.push(
            "no --topology: SrcSubnet, DestSubnet, SrcVm, DestVm, SrcNic, DestNic, SrcSubscription, DestSubscription, \
             SrcRegion, DestRegion, Src/DestLocalNetworkGateway, ConnectionType and ConnectionName are empty, FlowType \
             is empty for flows between private addresses, and AclGroup of VNet flow logs is the raw aclID"
                .to_string(),
        );
    }
    if enrichment.service_tags.is_none() {
        out.push(
            "no --service-tags: Azure and non-Azure public addresses cannot be told apart, so FlowType is empty for \
             public flows not in the threat list (168.63.129.16 excepted), AzureRegion and DestServiceTags are \
             empty, and NTAIpDetails gives Azure addresses no region or service (at most a geo-IP country)"
                .to_string(),
        );
    }
    if enrichment.threat_intel.is_none() {
        out.push(
            "no --threat-intel: no flow is MaliciousFlow, and NTAIpDetails ThreatType, ThreatDescription, DnsDomain, \
             Url and Port are empty"
                .to_string(),
        );
    }
    if enrichment.geoip.is_none() {
        out.push(
            "no --geoip: Country and NTAIpDetails.Location / PublicIpDetails of non-Azure addresses are empty \
             (unless the threat list gives them)"
                .to_string(),
        );
    }
    out.push(format!("not derivable from flow logs, left empty: {NEVER_DERIVED}"));
    out
}
