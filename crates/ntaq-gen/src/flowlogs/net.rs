//! The network the flow logs describe, on top of [`crate::topology`]:
//! addresses as numbers, Azure resource IDs, the VPN sites and the
//! point-to-site pool, and one network security group per subnet with its
//! rules — which decide every generated flow, so the rule names in the blobs
//! are the rules of `topology/nsgs.json`.

use crate::rng::{Rng, mix};
use crate::topology::{Role, Topology, guid};
use nta_azure::cidr::{Ipv4Net, parse_ipv4};

/// Point-to-site VPN client pool (the hub's VPN gateway hands these out).
pub const P2S_POOL: Ipv4Net = Ipv4Net { addr: 0xAC10_C900, len: 24 }; // 172.16.201.0/24
/// Private addresses outside every VNet, site and pool (traffic analytics'
/// `UnknownPrivate`): 10.200.0.0–10.254.255.255 (VNets use 10.1–10.199).
pub const UNKNOWN_PRIVATE_FIRST: u32 = 0x0AC8_0000;
pub const UNKNOWN_PRIVATE_LAST: u32 = 0x0AFE_FFFF;
/// The Azure platform's virtual IP (health probes, DNS): `topology.public[azure.start]`.
pub const AZURE_VIP: &str = "168.63.129.16";

const NET_DOMAIN: u64 = 0x6E65_746D_6F64_656C;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub const fn name(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }
    }
}

/// One security rule, user-defined or default, as `az network nsg list` prints it.
#[derive(Clone, Debug)]
pub struct SecurityRule {
    pub name: String,
    pub priority: u32,
    pub direction: Direction,
    pub allow: bool,
    /// `Tcp`, `Udp` or `*`.
    pub protocol: &'static str,
    /// A service tag (`Internet`, `VirtualNetwork`, `AzureLoadBalancer`,
    /// `AzureCloud`), `*`, or an IPv4 prefix.
    pub source: String,
    pub destination: String,
    /// Destination ports; empty = `*`.
    pub ports: Vec<u16>,
    pub description: &'static str,
    pub default: bool,
}

impl SecurityRule {
    /// The rule's name as flow logs write it: `DefaultRule_<name>` or `UserRule_<name>`.
    pub fn log_name(&self) -> String {
        format!("{}_{}", if self.default { "DefaultRule" } else { "UserRule" }, self.name)
    }
}

/// The six default rules every NSG has, with their real names, priorities
/// and descriptions (`az network nsg list`'s `defaultSecurityRules`).
pub fn default_rules() -> Vec<SecurityRule> {
    let rule = |name: &str, priority, direction, allow, source: &str, destination: &str, description| SecurityRule {
        name: name.into(),
        priority,
        direction,
        allow,
        protocol: "*",
        source: source.into(),
        destination: destination.into(),
        ports: Vec::new(),
        description,
        default: true,
    };
    use Direction::{Inbound, Outbound};
    vec![
        rule(
            "AllowVnetInBound",
            65000,
            Inbound,
            true,
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow inbound traffic from all VMs in VNET",
        ),
        rule(
            "AllowAzureLoadBalancerInBound",
            65001,
            Inbound,
            true,
            "AzureLoadBalancer",
            "*",
            "Allow inbound traffic from azure load balancer",
        ),
        rule("DenyAllInBound", 65500, Inbound, false, "*", "*", "Deny all inbound traffic"),
        rule(
            "AllowVnetOutBound",
            65000,
            Outbound,
            true,
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow outbound traffic from all VMs to all VMs in VNET",
        ),
        rule(
            "AllowInternetOutBound",
            65001,
            Outbound,
            true,
            "*",
            "Internet",
            "Allow outbound traffic from all VMs to Internet",
        ),
        rule("DenyAllOutBound", 65500, Outbound, false, "*", "*", "Deny all outbound traffic"),
    ]
}

/// A VPN site (local network gateway) whose address space is routed over the hub's VPN gateway.
#[derive(Clone, Debug)]
pub struct VpnSite {
    pub name: String,
    pub prefix: Ipv4Net,
}

/// The NSG of one subnet.
#[derive(Clone, Debug)]
pub struct NsgModel {
    pub subscription: String,
    pub resource_group: String,
    pub name: String,
    /// `resourceGuid`: the NSG's `systemId` in NSG flow logs and its `aclID` in VNet flow logs.
    pub guid: String,
    /// User rules, by priority.
    pub rules: Vec<SecurityRule>,
}

impl NsgModel {
    pub fn id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/networkSecurityGroups/{}",
            self.subscription, self.resource_group, self.name
        )
    }
}

/// The far end of a flow, seen from the NIC whose flow log records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remote {
    /// A VM or private endpoint (index into `Topology::hosts`).
    Host(usize),
    /// An address of a VPN site (index into [`Net::sites`]).
    Site(usize),
    /// A point-to-site VPN client.
    P2S,
    /// A private address that no VNet, site or pool contains.
    UnknownPrivate,
    /// A public IP (index into `Topology::public`).
    Public(usize),
}

/// Everything the flow-log generator needs beyond the topology.
#[derive(Clone, Debug)]
pub struct Net {
    /// The configuration's seed (the exports' GUIDs and etags derive from it).
    pub seed: u64,
    pub host_ip: Vec<u32>,
    /// `10.<octet>.0.0/16` of each VNet.
    pub vnet_prefix: Vec<Ipv4Net>,
    /// `10.<octet>.<s>.0/24` of each subnet.
    pub subnet_prefix: Vec<Ipv4Net>,
    /// One NSG per subnet.
    pub nsgs: Vec<NsgModel>,
    pub defaults: Vec<SecurityRule>,
    /// The VPN sites (ExpressRoute sites are not used in flow logs: their
    /// prefixes are learned over BGP and appear in no `az` export).
    pub sites: Vec<VpnSite>,
    /// `resourceGuid` of each VNet and the `flowLogGUID` of its flow log.
    pub vnet_guid: Vec<String>,
    pub flow_log_guid: Vec<String>,
    pub public_ip: Vec<u32>,
}

fn split_id(s: &str) -> (String, String, String) {
    let mut p = s.splitn(3, '/');
    let a = p.next().unwrap_or_default().to_string();
    let b = p.next().unwrap_or_default().to_string();
    let c = p.next().unwrap_or_default().to_string();
    (a, b, c)
}

impl Net {
    pub fn new(topo: &Topology, seed: u64) -> Net {
        let mut rng = Rng::new(mix(seed ^ NET_DOMAIN, 0));
        let host_ip = topo.hosts.iter().map(|h| parse_ipv4(&h.ip).expect("generated IPv4")).collect();
        let vnet_prefix: Vec<Ipv4Net> =
            topo.vnets.iter().map(|v| Ipv4Net { addr: u32::from_be_bytes([10, v.octet, 0, 0]), len: 16 }).collect();
        let mut subnet_prefix = Vec::with_capacity(topo.subnets.len());
        for (i, s) in topo.subnets.iter().enumerate() {
            let ordinal = topo.subnets[..i].iter().filter(|o| o.vnet == s.vnet).count() as u8;
            subnet_prefix
                .push(Ipv4Net { addr: u32::from_be_bytes([10, topo.vnets[s.vnet].octet, ordinal, 0]), len: 24 });
        }
        let dev_vnet = topo.vnets.iter().position(|v| v.name.starts_with("vnet-dev")).unwrap_or(0);
        let nsgs = topo
            .subnets
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (subscription, resource_group, name) = split_id(&s.nsg);
                let role = topo.hosts.iter().find(|h| h.subnet == i).map_or(Role::Shared, |h| h.role);
                NsgModel {
                    subscription,
                    resource_group,
                    name,
                    guid: guid(&mut rng),
                    rules: user_rules(role, vnet_prefix[dev_vnet]),
                }
            })
            .collect();
        let sites = topo
            .sites
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.express_route)
            .map(|(_, s)| VpnSite {
                name: s.local_gateway.rsplit('/').next().unwrap_or_default().to_string(),
                prefix: Ipv4Net::new(s.base, 32 - s.size.trailing_zeros() as u8).expect("site prefix"),
            })
            .collect();
        let vnet_guid = topo.vnets.iter().map(|_| guid(&mut rng)).collect();
        let flow_log_guid = topo.vnets.iter().map(|_| guid(&mut rng)).collect();
        let public_ip = topo.public.iter().map(|p| parse_ipv4(&p.ip).expect("generated IPv4")).collect();
        Net {
            seed,
            host_ip,
            vnet_prefix,
            subnet_prefix,
            nsgs,
            defaults: default_rules(),
            sites,
            vnet_guid,
            flow_log_guid,
            public_ip,
        }
    }

    /// Whether `tag` (a rule's source or destination) covers the endpoint.
    fn covers(&self, topo: &Topology, tag: &str, end: Remote, ip: u32) -> bool {
        let azure_vip = topo.azure.start;
        match tag {
            "*" => true,
            // The VNet's address space, peered VNets and connected sites;
            // unmapped private space is routed to the VNet by a UDR. The
            // platform VIP is matched by AzureLoadBalancer only.
            "VirtualNetwork" => !matches!(end, Remote::Public(_)),
            "Internet" => matches!(end, Remote::Public(i) if i != azure_vip),
            "AzureLoadBalancer" => end == Remote::Public(azure_vip),
            "AzureCloud" => matches!(end, Remote::Public(i) if i != azure_vip && topo.azure.contains(&i)),
            prefix => Ipv4Net::parse(prefix).is_some_and(|p| p.contains(ip)),
        }
    }

    /// The rule of the subnet NSG of `local` that decides a flow (user rules by
    /// priority, then the defaults), with its index in that order. `remote`
    /// is the other end.
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &self,
        topo: &Topology,
        local: usize,
        remote: Remote,
        remote_ip: u32,
        direction: Direction,
        udp: bool,
        dest_port: u16,
    ) -> (u16, &SecurityRule) {
        let nsg = &self.nsgs[topo.hosts[local].subnet];
        let local_end = Remote::Host(local);
        let local_ip = self.host_ip[local];
        let ((src, src_ip), (dst, dst_ip)) = match direction {
            Direction::Inbound => ((remote, remote_ip), (local_end, local_ip)),
            Direction::Outbound => ((local_end, local_ip), (remote, remote_ip)),
        };
        let (i, rule) = nsg
            .rules
            .iter()
            .chain(&self.defaults)
            .enumerate()
            .find(|(_, r)| {
                r.direction == direction
                    && match r.protocol {
                        "Tcp" => !udp,
                        "Udp" => udp,
                        _ => true,
                    }
                    && (r.ports.is_empty() || r.ports.contains(&dest_port))
                    && self.covers(topo, &r.source, src, src_ip)
                    && self.covers(topo, &r.destination, dst, dst_ip)
            })
            .expect("the Deny-all default rules match every flow");
        (i as u16, rule)
    }
}

/// The user rules of a subnet's NSG, by the role of its hosts.
fn user_rules(role: Role, dev_vnet: Ipv4Net) -> Vec<SecurityRule> {
    let rule = |name: &str,
                priority,
                direction,
                allow,
                protocol,
                source: &str,
                destination: &str,
                ports: &[u16],
                description| {
        SecurityRule {
            name: name.into(),
            priority,
            direction,
            allow,
            protocol,
            source: source.into(),
            destination: destination.into(),
            ports: ports.to_vec(),
            description,
            default: false,
        }
    };
    use Direction::{Inbound, Outbound};
    let deny_mgmt = rule(
        "Deny-Mgmt-Internet",
        200,
        Inbound,
        false,
        "Tcp",
        "Internet",
        "*",
        &[22, 3389],
        "No SSH or RDP from the internet",
    );
    let dev = dev_vnet.to_string();
    let p2s = P2S_POOL.to_string();
    match role {
        Role::Web => vec![
            rule("Allow-Web-Inbound", 100, Inbound, true, "Tcp", "Internet", "*", &[80, 443], "Public web front end"),
            deny_mgmt,
        ],
        Role::App => vec![
            rule(
                "Allow-App-Inbound",
                100,
                Inbound,
                true,
                "Tcp",
                "VirtualNetwork",
                "*",
                &[443, 5432, 6379, 8080],
                "Application tier from the VNets",
            ),
            deny_mgmt,
        ],
        Role::Data => vec![
            rule(
                "Deny-Dev-To-Data",
                100,
                Inbound,
                false,
                "*",
                &dev,
                "*",
                &[],
                "Development never reaches production data",
            ),
            rule(
                "Allow-Sql-Inbound",
                110,
                Inbound,
                true,
                "Tcp",
                "VirtualNetwork",
                "*",
                &[1433, 5432],
                "Databases from the VNets",
            ),
            deny_mgmt,
            rule(
                "Allow-AzureCloud-Outbound",
                3900,
                Outbound,
                true,
                "Tcp",
                "*",
                "AzureCloud",
                &[443],
                "Azure services over HTTPS",
            ),
            rule("Deny-Internet-Outbound", 4000, Outbound, false, "*", "*", "Internet", &[], "Databases do not browse"),
        ],
        Role::Dev => vec![
            rule(
                "Allow-Admin-From-P2S",
                100,
                Inbound,
                true,
                "Tcp",
                &p2s,
                "*",
                &[22, 3389],
                "Administrators over point-to-site VPN",
            ),
            deny_mgmt,
        ],
        Role::Shared | Role::PrivateEndpoint => vec![deny_mgmt],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first host of the topology with `role` in the VNet whose name starts with `vnet`.
    fn host(t: &Topology, vnet: &str, role: Role) -> usize {
        (0..t.hosts.len())
            .find(|&h| t.hosts[h].role == role && t.vnets[t.hosts[h].vnet].name.starts_with(vnet))
            .expect("such a host")
    }

    #[test]
    fn rules_decide_by_priority_then_defaults() {
        let t = Topology::new(1, 2000);
        let n = Net::new(&t, 1);
        let web = host(&t, "vnet-prod-app", Role::Web);
        let sql = host(&t, "vnet-prod-data", Role::Data);
        let dev = host(&t, "vnet-dev", Role::Dev);
        let external = Remote::Public(t.external.start);
        let ext_ip = n.public_ip[t.external.start];
        let azure = Remote::Public(t.azure.start + 1);
        let azure_ip = n.public_ip[t.azure.start + 1];
        let vip = Remote::Public(t.azure.start);
        let vip_ip = n.public_ip[t.azure.start];
        let p2s_ip = P2S_POOL.addr + 9;
        use Direction::{Inbound, Outbound};
        let name = |(_, r): (u16, &SecurityRule)| r.log_name();
        // Hand-derived from the rule tables in docs/flow-logs-generator.md.
        let cases = [
            (web, external, ext_ip, Inbound, 443, "UserRule_Allow-Web-Inbound"),
            (web, external, ext_ip, Inbound, 22, "UserRule_Deny-Mgmt-Internet"),
            (web, external, ext_ip, Inbound, 8080, "DefaultRule_DenyAllInBound"),
            (web, vip, vip_ip, Inbound, 80, "DefaultRule_AllowAzureLoadBalancerInBound"),
            (web, Remote::Host(sql), n.host_ip[sql], Inbound, 8080, "DefaultRule_AllowVnetInBound"),
            (web, external, ext_ip, Outbound, 443, "DefaultRule_AllowInternetOutBound"),
            (sql, Remote::Host(dev), n.host_ip[dev], Inbound, 1433, "UserRule_Deny-Dev-To-Data"),
            (sql, Remote::Host(web), n.host_ip[web], Inbound, 1433, "UserRule_Allow-Sql-Inbound"),
            (sql, azure, azure_ip, Outbound, 443, "UserRule_Allow-AzureCloud-Outbound"),
            (sql, azure, azure_ip, Outbound, 80, "UserRule_Deny-Internet-Outbound"),
            (sql, external, ext_ip, Outbound, 443, "UserRule_Deny-Internet-Outbound"),
            (sql, Remote::UnknownPrivate, UNKNOWN_PRIVATE_FIRST + 5, Outbound, 53, "DefaultRule_AllowVnetOutBound"),
            (dev, Remote::P2S, p2s_ip, Inbound, 22, "UserRule_Allow-Admin-From-P2S"),
            (dev, Remote::P2S, p2s_ip, Inbound, 443, "DefaultRule_AllowVnetInBound"),
        ];
        for (local, remote, ip, dir, port, want) in cases {
            assert_eq!(name(n.decide(&t, local, remote, ip, dir, false, port)), want, "{remote:?} {dir:?} {port}");
        }
        // A UDP flow skips the Tcp-only rules.
        assert_eq!(name(n.decide(&t, web, external, ext_ip, Inbound, true, 443)), "DefaultRule_DenyAllInBound");
    }
}
