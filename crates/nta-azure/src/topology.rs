//! Network topology from Azure CLI exports.
//!
//! Each input is the JSON that an `az ... list -o json` command prints (an
//! array of resources, or one resource), given as files or folders of
//! `*.json` files. A resource's kind is read from its `type` property, not
//! from the file name, so one folder may hold any mix of:
//!
//! | command | `type` |
//! |---|---|
//! | `az network vnet list -o json` | `Microsoft.Network/virtualNetworks` |
//! | `az network nic list -o json` | `Microsoft.Network/networkInterfaces` |
//! | `az vm list -o json` | `Microsoft.Compute/virtualMachines` |
//! | `az network nsg list -o json` | `Microsoft.Network/networkSecurityGroups` |
//! | `az network vnet-gateway list -g RG -o json` | `Microsoft.Network/virtualNetworkGateways` |
//! | `az network public-ip list -o json` | `Microsoft.Network/publicIPAddresses` |
//!
//! Property names are matched without regard to case (`privateIPAddress` and
//! `privateIpAddress` both occur, depending on the CLI version).

use crate::cidr::{Ipv4Net, parse_ipv4};
use crate::error::AzureError;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The parts of an Azure resource ID.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceId {
    /// Subscription ID (a GUID).
    pub subscription: String,
    /// Resource group name.
    pub resource_group: String,
    /// `type/name` pairs after `providers/NAMESPACE/`, outermost first
    /// (`[("virtualNetworks", "vnet1"), ("subnets", "default")]`).
    pub path: Vec<(String, String)>,
}

impl ResourceId {
    /// Parses `/subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME[/TYPE/NAME…]`
    /// (segment names matched without regard to case).
    pub fn parse(id: &str) -> Option<ResourceId> {
        let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
        if parts.len() < 4
            || !parts[0].eq_ignore_ascii_case("subscriptions")
            || !parts[2].eq_ignore_ascii_case("resourceGroups")
        {
            return None;
        }
        let mut out =
            ResourceId { subscription: parts[1].to_string(), resource_group: parts[3].to_string(), path: Vec::new() };
        let rest = &parts[4..];
        let rest = match rest {
            [p, _ns, tail @ ..] if p.eq_ignore_ascii_case("providers") => tail,
            [] => rest,
            _ => return None,
        };
        for pair in rest.chunks(2) {
            match pair {
                [t, n] => out.path.push((t.to_string(), n.to_string())),
                _ => return None,
            }
        }
        Some(out)
    }

    /// The last name in the path (the resource's own name).
    pub fn name(&self) -> &str {
        self.path.last().map_or("", |(_, n)| n)
    }
}

/// A virtual network.
#[derive(Debug, Clone, Default)]
pub struct Vnet {
    /// Resource ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Resource group.
    pub resource_group: String,
    /// Subscription ID.
    pub subscription: String,
    /// Region (`westeurope`).
    pub location: String,
    /// `addressSpace.addressPrefixes` (IPv4 only).
    pub address_prefixes: Vec<Ipv4Net>,
    /// Subnets.
    pub subnets: Vec<Subnet>,
    /// Resource IDs of peered VNets (`virtualNetworkPeerings[].remoteVirtualNetwork.id`).
    pub peerings: Vec<String>,
}

/// A subnet of a [`Vnet`].
#[derive(Debug, Clone, Default)]
pub struct Subnet {
    /// Resource ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// `addressPrefix` / `addressPrefixes` (IPv4 only).
    pub prefixes: Vec<Ipv4Net>,
    /// Resource ID of the NSG associated with the subnet.
    pub nsg_id: Option<String>,
}

/// One IP configuration of a [`Nic`].
#[derive(Debug, Clone, Default)]
pub struct NicIp {
    /// Private IPv4 address.
    pub private_ip: Option<u32>,
    /// Resource ID of the subnet.
    pub subnet_id: Option<String>,
    /// Resource ID of the public IP address resource.
    pub public_ip_id: Option<String>,
}

/// A network interface.
#[derive(Debug, Clone, Default)]
pub struct Nic {
    /// Resource ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Resource group.
    pub resource_group: String,
    /// Subscription ID.
    pub subscription: String,
    /// Region.
    pub location: String,
    /// MAC address normalised to 12 upper-case hex digits (`000D3AF87856`).
    pub mac: String,
    /// Resource ID of the VM using it.
    pub vm_id: Option<String>,
    /// Resource ID of the NSG associated with the NIC.
    pub nsg_id: Option<String>,
    /// IP configurations.
    pub ip_configs: Vec<NicIp>,
}

/// A virtual machine.
#[derive(Debug, Clone, Default)]
pub struct Vm {
    /// Resource ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Resource group.
    pub resource_group: String,
    /// Subscription ID.
    pub subscription: String,
    /// Region.
    pub location: String,
    /// Resource IDs of its NICs.
    pub nic_ids: Vec<String>,
}

/// A network security group (rules kept as the export's JSON; see `nsg`).
#[derive(Debug, Clone, Default)]
pub struct Nsg {
    /// Resource ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Resource group.
    pub resource_group: String,
    /// Subscription ID.
    pub subscription: String,
    /// Region.
    pub location: String,
    /// Resource IDs of the subnets it is associated with.
    pub subnet_ids: Vec<String>,
    /// Resource IDs of the NICs it is associated with.
    pub nic_ids: Vec<String>,
    /// `securityRules`, as exported.
    pub security_rules: Vec<Value>,
    /// `defaultSecurityRules`, as exported.
    pub default_security_rules: Vec<Value>,
}

/// A virtual network gateway.
#[derive(Debug, Clone, Default)]
pub struct Gateway {
    /// Resource ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Resource group.
    pub resource_group: String,
    /// Subscription ID.
    pub subscription: String,
    /// Region.
    pub location: String,
    /// `gatewayType`: `Vpn` or `ExpressRoute`.
    pub gateway_type: String,
    /// Point-to-site client address pool (`vpnClientConfiguration.vpnClientAddressPool.addressPrefixes`).
    pub vpn_client_prefixes: Vec<Ipv4Net>,
}

/// A public IP address resource.
#[derive(Debug, Clone, Default)]
pub struct PublicIp {
    /// Resource ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// The address, once allocated.
    pub ip: Option<u32>,
}

/// Everything read from the topology inputs.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    /// Virtual networks.
    pub vnets: Vec<Vnet>,
    /// Network interfaces.
    pub nics: Vec<Nic>,
    /// Virtual machines.
    pub vms: Vec<Vm>,
    /// Network security groups.
    pub nsgs: Vec<Nsg>,
    /// Virtual network gateways.
    pub gateways: Vec<Gateway>,
    /// Public IP addresses.
    pub public_ips: Vec<PublicIp>,
    /// Resources of other types that were skipped.
    pub skipped: usize,
}

/// A property, its name matched without regard to case.
fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

/// A nested property (`a.b.c`), each name matched without regard to case.
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| get(v, k))
}

fn text(v: &Value, path: &str) -> String {
    at(v, path).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn opt_text(v: &Value, path: &str) -> Option<String> {
    at(v, path).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

fn array<'a>(v: &'a Value, path: &str) -> &'a [Value] {
    at(v, path).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn ids(v: &Value, path: &str) -> Vec<String> {
    array(v, path).iter().filter_map(|x| opt_text(x, "id")).collect()
}

fn prefixes(values: &[Value]) -> Vec<Ipv4Net> {
    values.iter().filter_map(Value::as_str).filter_map(Ipv4Net::parse).collect()
}

/// Upper-case hex digits of a MAC address, separators removed (`00-0D-3A-F8-78-56` → `000D3AF87856`).
pub fn normalize_mac(mac: &str) -> String {
    mac.chars().filter(char::is_ascii_hexdigit).map(|c| c.to_ascii_uppercase()).collect()
}

struct Common {
    id: String,
    name: String,
    resource_group: String,
    subscription: String,
    location: String,
}

fn common(v: &Value) -> Common {
    let id = text(v, "id");
    let parsed = ResourceId::parse(&id).unwrap_or_default();
    let name = opt_text(v, "name").unwrap_or_else(|| parsed.name().to_string());
    let resource_group = opt_text(v, "resourceGroup").unwrap_or(parsed.resource_group);
    Common { id, name, resource_group, subscription: parsed.subscription, location: text(v, "location") }
}

impl Topology {
    /// Reads every file and (recursively) every `*.json` file of every folder in `paths`.
    pub fn load(paths: &[PathBuf]) -> Result<Topology, AzureError> {
        let mut files = Vec::new();
        for p in paths {
            collect_json_files(p, &mut files)?;
        }
        let mut topo = Topology::default();
        for f in files {
            let bytes = std::fs::read(&f).map_err(|source| AzureError::Io { path: f.clone(), source })?;
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let doc: Value = serde_json::from_slice(bytes).map_err(|e| AzureError::Json {
                path: f.clone(),
                message: format!("not JSON: {e}"),
                help: "expected the output of `az network vnet list -o json` (or nic, nsg, vm, vnet-gateway, public-ip list)".into(),
            })?;
            topo.add(&doc);
        }
        Ok(topo)
    }

    /// Adds the resources of one `az` JSON document (an array of resources or one resource).
    pub fn add(&mut self, doc: &Value) {
        match doc {
            Value::Array(items) => items.iter().for_each(|r| self.add_resource(r)),
            Value::Object(_) => self.add_resource(doc),
            _ => self.skipped += 1,
        }
    }

    fn add_resource(&mut self, r: &Value) {
        let ty = text(r, "type").to_ascii_lowercase();
        let c = common(r);
        match ty.as_str() {
            "microsoft.network/virtualnetworks" => {
                let subnets = array(r, "subnets")
                    .iter()
                    .map(|s| {
                        let mut p = prefixes(array(s, "addressPrefixes"));
                        p.extend(at(s, "addressPrefix").and_then(Value::as_str).and_then(Ipv4Net::parse));
                        p.sort_unstable();
                        p.dedup();
                        Subnet {
                            id: text(s, "id"),
                            name: opt_text(s, "name").unwrap_or_else(|| {
                                ResourceId::parse(&text(s, "id")).unwrap_or_default().name().to_string()
                            }),
                            prefixes: p,
                            nsg_id: opt_text(s, "networkSecurityGroup.id"),
                        }
                    })
                    .collect();
                self.vnets.push(Vnet {
                    address_prefixes: prefixes(array(r, "addressSpace.addressPrefixes")),
                    subnets,
                    peerings: array(r, "virtualNetworkPeerings")
                        .iter()
                        .filter_map(|p| opt_text(p, "remoteVirtualNetwork.id"))
                        .collect(),
                    id: c.id,
                    name: c.name,
                    resource_group: c.resource_group,
                    subscription: c.subscription,
                    location: c.location,
                });
            }
            "microsoft.network/networkinterfaces" => self.nics.push(Nic {
                mac: normalize_mac(&text(r, "macAddress")),
                vm_id: opt_text(r, "virtualMachine.id"),
                nsg_id: opt_text(r, "networkSecurityGroup.id"),
                ip_configs: array(r, "ipConfigurations")
                    .iter()
                    .map(|ipc| NicIp {
                        private_ip: at(ipc, "privateIPAddress").and_then(Value::as_str).and_then(parse_ipv4),
                        subnet_id: opt_text(ipc, "subnet.id"),
                        public_ip_id: opt_text(ipc, "publicIPAddress.id"),
                    })
                    .collect(),
                id: c.id,
                name: c.name,
                resource_group: c.resource_group,
                subscription: c.subscription,
                location: c.location,
            }),
            "microsoft.compute/virtualmachines" => self.vms.push(Vm {
                nic_ids: ids(r, "networkProfile.networkInterfaces"),
                id: c.id,
                name: c.name,
                resource_group: c.resource_group,
                subscription: c.subscription,
                location: c.location,
            }),
            "microsoft.network/networksecuritygroups" => self.nsgs.push(Nsg {
                subnet_ids: ids(r, "subnets"),
                nic_ids: ids(r, "networkInterfaces"),
                security_rules: array(r, "securityRules").to_vec(),
                default_security_rules: array(r, "defaultSecurityRules").to_vec(),
                id: c.id,
                name: c.name,
                resource_group: c.resource_group,
                subscription: c.subscription,
                location: c.location,
            }),
            "microsoft.network/virtualnetworkgateways" => self.gateways.push(Gateway {
                gateway_type: text(r, "gatewayType"),
                vpn_client_prefixes: prefixes(array(r, "vpnClientConfiguration.vpnClientAddressPool.addressPrefixes")),
                id: c.id,
                name: c.name,
                resource_group: c.resource_group,
                subscription: c.subscription,
                location: c.location,
            }),
            "microsoft.network/publicipaddresses" => self.public_ips.push(PublicIp {
                ip: at(r, "ipAddress").and_then(Value::as_str).and_then(parse_ipv4),
                id: c.id,
                name: c.name,
            }),
            _ => self.skipped += 1,
        }
    }

    /// The VNet and subnet whose prefix contains `ip` (longest prefix wins).
    pub fn subnet_of(&self, ip: u32) -> Option<(&Vnet, &Subnet)> {
        self.vnets
            .iter()
            .flat_map(|v| v.subnets.iter().map(move |s| (v, s)))
            .filter_map(|(v, s)| {
                s.prefixes.iter().filter(|p| p.contains(ip)).map(|p| p.len).max().map(|len| (len, v, s))
            })
            .max_by_key(|(len, _, _)| *len)
            .map(|(_, v, s)| (v, s))
    }

    /// The VNet whose address space contains `ip`.
    pub fn vnet_of(&self, ip: u32) -> Option<&Vnet> {
        self.vnets
            .iter()
            .filter_map(|v| {
                v.address_prefixes.iter().filter(|p| p.contains(ip)).map(|p| p.len).max().map(|len| (len, v))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, v)| v)
    }

    /// The NIC holding private address `ip`.
    pub fn nic_of_ip(&self, ip: u32) -> Option<&Nic> {
        self.nics.iter().find(|n| n.ip_configs.iter().any(|c| c.private_ip == Some(ip)))
    }

    /// The NIC with MAC address `mac` (any separators, any case).
    pub fn nic_of_mac(&self, mac: &str) -> Option<&Nic> {
        let mac = normalize_mac(mac);
        self.nics.iter().find(|n| n.mac == mac)
    }

    /// The VM with resource ID `id` (compared without regard to case, as Azure IDs are).
    pub fn vm(&self, id: &str) -> Option<&Vm> {
        self.vms.iter().find(|v| v.id.eq_ignore_ascii_case(id))
    }

    /// The NSG with resource ID `id` (compared without regard to case).
    pub fn nsg(&self, id: &str) -> Option<&Nsg> {
        self.nsgs.iter().find(|n| n.id.eq_ignore_ascii_case(id))
    }
}

fn collect_json_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), AzureError> {
    let io = |source| AzureError::Io { path: path.to_path_buf(), source };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(path).map_err(io)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            collect_json_files(&e, out)?;
        } else if e.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")) {
            out.push(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cidr::format_ipv4;

    const VNETS: &str = r#"[{
      "id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/hub",
      "name": "hub", "location": "westeurope", "resourceGroup": "rg1",
      "type": "Microsoft.Network/virtualNetworks",
      "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
      "subnets": [
        {"id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/hub/subnets/web",
         "name": "web", "addressPrefix": "10.0.1.0/24",
         "networkSecurityGroup": {"id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/web-nsg"}},
        {"id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/hub/subnets/wide",
         "name": "wide", "addressPrefixes": ["10.0.0.0/20"]}
      ],
      "virtualNetworkPeerings": [{"remoteVirtualNetwork": {"id": "/subscriptions/s2/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/spoke"}}]
    }]"#;

    const NICS: &str = r#"[{
      "id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/vm1-nic",
      "name": "vm1-nic", "location": "westeurope", "type": "Microsoft.Network/networkInterfaces",
      "macAddress": "00-0D-3A-F8-78-56",
      "virtualMachine": {"id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1"},
      "ipConfigurations": [{"privateIpAddress": "10.0.1.4",
        "subnet": {"id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/hub/subnets/web"}}]
    }]"#;

    #[test]
    fn resource_ids() {
        let id = ResourceId::parse(
            "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/hub/subnets/web",
        )
        .unwrap();
        assert_eq!((id.subscription.as_str(), id.resource_group.as_str(), id.name()), ("s1", "rg1", "web"));
        assert_eq!(id.path.len(), 2);
        assert!(ResourceId::parse("/foo/bar").is_none());
        assert!(ResourceId::parse("/subscriptions/s1/resourceGroups/rg1/providers/NS/t").is_none());
    }

    #[test]
    fn reads_vnets_and_nics_and_looks_up_addresses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vnets.json"), VNETS).unwrap();
        std::fs::create_dir(dir.path().join("more")).unwrap();
        std::fs::write(dir.path().join("more/nics.json"), NICS).unwrap();
        std::fs::write(dir.path().join("more/readme.txt"), "not json, not read").unwrap();
        let t = Topology::load(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!((t.vnets.len(), t.nics.len(), t.skipped), (1, 1, 0));
        let hub = &t.vnets[0];
        assert_eq!((hub.subscription.as_str(), hub.location.as_str()), ("s1", "westeurope"));
        assert_eq!(hub.peerings.len(), 1);
        let ip = parse_ipv4("10.0.1.4").unwrap();
        // Longest prefix: 10.0.1.0/24 (web) beats 10.0.0.0/20 (wide).
        assert_eq!(t.subnet_of(ip).unwrap().1.name, "web");
        assert_eq!(t.subnet_of(parse_ipv4("10.0.2.1").unwrap()).unwrap().1.name, "wide");
        assert!(t.subnet_of(parse_ipv4("10.0.200.1").unwrap()).is_none());
        assert_eq!(t.vnet_of(parse_ipv4("10.0.200.1").unwrap()).unwrap().name, "hub");
        let nic = t.nic_of_ip(ip).unwrap();
        assert_eq!(nic.mac, "000D3AF87856");
        assert_eq!(t.nic_of_mac("00:0d:3a:f8:78:56").unwrap().name, "vm1-nic");
        assert_eq!(nic.ip_configs[0].private_ip.map(format_ipv4).as_deref(), Some("10.0.1.4"));
        assert!(hub.subnets[0].nsg_id.as_deref().unwrap().ends_with("web-nsg"));
    }

    #[test]
    fn bad_json_is_a_located_error() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.json");
        std::fs::write(&f, "[{").unwrap();
        let e = Topology::load(&[f]).unwrap_err();
        assert!(e.to_string().contains("x.json"), "{e}");
        assert!(matches!(Topology::load(&[dir.path().join("missing")]), Err(AzureError::Io { .. })));
    }
}
