//! Node kinds of the graph view, read from a node's label: the value of
//! an endpoint column. A label may carry a prefix before its value
//! (scenario 3 writes `🖥️ 10.1.2.3`): its last space-separated word is
//! classified.
//!
//! | kind | label |
//! |---|---|
//! | public IP | an IPv4 address (or a prefix `a.b.c.d/n`) that is public ([`nta_azure::cidr::is_public`]) |
//! | private IP | one that is private ([`nta_azure::cidr::is_private`]: RFC 1918 and 100.64/10) |
//! | subnet | `rg/vnet/subnet` (NTANetAnalytics' SrcSubnet) or a resource ID with `/subnets/` |
//! | VM | `rg/vm` (SrcVm) or a resource ID with `/virtualMachines/` |
//! | other | anything else (special-purpose addresses such as 169.254.169.254 too) |
//!
//! **malicious** is not read from the label: a public-IP endpoint of a row
//! whose `FlowType` is `MaliciousFlow` or whose `ThreatType` is not empty
//! (NTAIpDetails' and NTANetAnalytics' marks) is malicious.

use nta_azure::cidr::{is_private, is_public, parse_ipv4};

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Malicious,
    PublicIp,
    PrivateIp,
    Vm,
    Subnet,
    Other,
}

impl NodeKind {
    /// Every kind, in legend order.
    pub const ALL: [NodeKind; 6] =
        [NodeKind::Malicious, NodeKind::PublicIp, NodeKind::PrivateIp, NodeKind::Vm, NodeKind::Subnet, NodeKind::Other];

    /// The name in the legend and in hover texts.
    pub const fn name(self) -> &'static str {
        match self {
            NodeKind::Malicious => "malicious IP",
            NodeKind::PublicIp => "public IP",
            NodeKind::PrivateIp => "private IP",
            NodeKind::Vm => "VM",
            NodeKind::Subnet => "subnet",
            NodeKind::Other => "other",
        }
    }

    /// The CSS class suffix (`k-public`).
    pub const fn class(self) -> &'static str {
        match self {
            NodeKind::Malicious => "malicious",
            NodeKind::PublicIp => "public",
            NodeKind::PrivateIp => "private",
            NodeKind::Vm => "vm",
            NodeKind::Subnet => "subnet",
            NodeKind::Other => "other",
        }
    }

    /// The fill colour.
    pub const fn color(self) -> &'static str {
        match self {
            NodeKind::Malicious => "#d62728",
            NodeKind::PublicIp => "#f28e2b",
            NodeKind::PrivateIp => "#4e79a7",
            NodeKind::Vm => "#59a14f",
            NodeKind::Subnet => "#b07aa1",
            NodeKind::Other => "#9c9c9c",
        }
    }
}

/// The kind of a node from its label (never [`NodeKind::Malicious`]: that
/// comes from the rows).
pub fn classify(label: &str) -> NodeKind {
    let word = label.split_whitespace().last().unwrap_or("");
    let address = word.split_once('/').map_or(word, |(a, _)| a);
    if let Some(ip) = parse_ipv4(address) {
        return if is_public(ip) {
            NodeKind::PublicIp
        } else if is_private(ip) {
            NodeKind::PrivateIp
        } else {
            NodeKind::Other
        };
    }
    let lower = word.to_ascii_lowercase();
    if lower.contains("/subnets/") {
        return NodeKind::Subnet;
    }
    if lower.contains("/virtualmachines/") {
        return NodeKind::Vm;
    }
    if word.starts_with('/') {
        return NodeKind::Other;
    }
    let parts: Vec<&str> = word.split('/').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return NodeKind::Other;
    }
    match parts.len() {
        2 => NodeKind::Vm,
        3 => NodeKind::Subnet,
        _ => NodeKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_hand() {
        // RFC 1918 and RFC 6598 are private; 8.8.8.8 and 20.0.0.1 are public.
        assert_eq!(classify("10.0.0.4"), NodeKind::PrivateIp);
        assert_eq!(classify("172.31.255.1"), NodeKind::PrivateIp);
        assert_eq!(classify("192.168.1.1"), NodeKind::PrivateIp);
        assert_eq!(classify("100.64.0.1"), NodeKind::PrivateIp);
        assert_eq!(classify("172.32.0.1"), NodeKind::PublicIp);
        assert_eq!(classify("8.8.8.8"), NodeKind::PublicIp);
        assert_eq!(classify("20.0.0.0/24"), NodeKind::PublicIp);
        assert_eq!(classify("10.1.0.0/16"), NodeKind::PrivateIp);
        // Link-local (Azure's metadata service) and loopback are neither.
        assert_eq!(classify("169.254.169.254"), NodeKind::Other);
        assert_eq!(classify("127.0.0.1"), NodeKind::Other);
        // Scenario 3's labels carry an emoji before the address.
        assert_eq!(classify("🖥️ 10.0.0.4"), NodeKind::PrivateIp);
        assert_eq!(classify("🖥️ 52.1.2.3"), NodeKind::PublicIp);
        // NTANetAnalytics' SrcVm and SrcSubnet forms, and resource IDs.
        assert_eq!(classify("rg-prod/vm-web-01"), NodeKind::Vm);
        assert_eq!(classify("rg-prod/vnet-hub/snet-app"), NodeKind::Subnet);
        assert_eq!(
            classify("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"),
            NodeKind::Subnet
        );
        assert_eq!(
            classify("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"),
            NodeKind::Vm
        );
        assert_eq!(classify("/subscriptions/0/resourceGroups/rg"), NodeKind::Other);
        assert_eq!(classify("a//b"), NodeKind::Other);
        assert_eq!(classify("Internet"), NodeKind::Other);
        assert_eq!(classify(""), NodeKind::Other);
        assert_eq!(classify("300.1.1.1"), NodeKind::Other);
    }
}
