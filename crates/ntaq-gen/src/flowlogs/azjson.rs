//! The topology as the Azure CLI exports it: the JSON that
//! `az network vnet list`, `az network nic list`, `az vm list`,
//! `az network nsg list`, `az network vnet-gateway list` and
//! `az network local-gateway list` print with `-o json` (an array of
//! resources, keys sorted, two-space indentation, camelCase properties,
//! each resource with its `id` and `type`).

use super::net::{Net, P2S_POOL, SecurityRule};
use crate::GenError;
use crate::rng::{Rng, mix};
use crate::topology::{Topology, guid};
use crate::writer::{AtomicFile, io_err};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};

const ETAG_DOMAIN: u64 = 0x6574_6167;

fn rid(sub: &str, rg: &str, provider_path: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider_path}")
}

/// Resource ID of VNet `v`.
pub fn vnet_id(topo: &Topology, v: usize) -> String {
    let vn = &topo.vnets[v];
    rid(&topo.subscriptions[vn.sub].id, &vn.rg, &format!("Microsoft.Network/virtualNetworks/{}", vn.name))
}

/// Resource ID of subnet `s`.
pub fn subnet_id(topo: &Topology, s: usize) -> String {
    let name = topo.subnets[s].path.rsplit('/').next().unwrap_or_default();
    format!("{}/subnets/{name}", vnet_id(topo, topo.subnets[s].vnet))
}

fn split2(s: &str) -> (&str, &str) {
    s.split_once('/').unwrap_or(("", s))
}

/// Resource ID of the NIC of host `h`.
pub fn nic_id(topo: &Topology, h: usize) -> String {
    let (rg, name) = split2(&topo.hosts[h].nic);
    rid(topo.host_subscription(h), rg, &format!("Microsoft.Network/networkInterfaces/{name}"))
}

/// Resource ID of the VM of host `h` (empty for private endpoints).
pub fn vm_id(topo: &Topology, h: usize) -> String {
    if topo.hosts[h].vm.is_empty() {
        return String::new();
    }
    let (rg, name) = split2(&topo.hosts[h].vm);
    rid(topo.host_subscription(h), rg, &format!("Microsoft.Compute/virtualMachines/{name}"))
}

struct Etags(Rng);

impl Etags {
    fn next(&mut self) -> String {
        format!("W/\"{}\"", guid(&mut self.0))
    }
}

fn sub_ref(id: &str, rg: &str) -> Value {
    json!({"id": id, "resourceGroup": rg})
}

fn rule_json(rule: &SecurityRule, nsg_id: &str, rg: &str, etags: &mut Etags) -> Value {
    let (kind, ty) = if rule.default {
        ("defaultSecurityRules", "Microsoft.Network/networkSecurityGroups/defaultSecurityRules")
    } else {
        ("securityRules", "Microsoft.Network/networkSecurityGroups/securityRules")
    };
    let mut v = json!({
        "access": if rule.allow { "Allow" } else { "Deny" },
        "description": rule.description,
        "destinationAddressPrefix": rule.destination,
        "destinationAddressPrefixes": [],
        "direction": rule.direction.name(),
        "etag": etags.next(),
        "id": format!("{nsg_id}/{kind}/{}", rule.name),
        "name": rule.name,
        "priority": rule.priority,
        "protocol": rule.protocol,
        "provisioningState": "Succeeded",
        "resourceGroup": rg,
        "sourceAddressPrefix": rule.source,
        "sourceAddressPrefixes": [],
        "sourcePortRange": "*",
        "sourcePortRanges": [],
        "type": ty,
    });
    let map = v.as_object_mut().expect("an object");
    match rule.ports.as_slice() {
        [] => {
            map.insert("destinationPortRange".into(), json!("*"));
            map.insert("destinationPortRanges".into(), json!([]));
        }
        [p] => {
            map.insert("destinationPortRange".into(), json!(p.to_string()));
            map.insert("destinationPortRanges".into(), json!([]));
        }
        ps => {
            map.insert("destinationPortRanges".into(), json!(ps.iter().map(u16::to_string).collect::<Vec<_>>()));
        }
    }
    v
}

fn vnets(topo: &Topology, net: &Net, etags: &mut Etags) -> Value {
    let mut out = Vec::new();
    for (v, vn) in topo.vnets.iter().enumerate() {
        let id = vnet_id(topo, v);
        let mut subnets = Vec::new();
        for (s, sn) in topo.subnets.iter().enumerate().filter(|(_, s)| s.vnet == v) {
            let nsg = &net.nsgs[s];
            let ipconfigs: Vec<Value> = topo
                .hosts
                .iter()
                .enumerate()
                .filter(|(_, h)| h.subnet == s)
                .map(|(h, host)| {
                    sub_ref(&format!("{}/ipConfigurations/ipconfig1", nic_id(topo, h)), split2(&host.nic).0)
                })
                .collect();
            subnets.push(json!({
                "addressPrefix": net.subnet_prefix[s].to_string(),
                "delegations": [],
                "etag": etags.next(),
                "id": subnet_id(topo, s),
                "ipConfigurations": ipconfigs,
                "name": sn.path.rsplit('/').next().unwrap_or_default(),
                "networkSecurityGroup": sub_ref(&nsg.id(), &nsg.resource_group),
                "privateEndpointNetworkPolicies": "Disabled",
                "privateLinkServiceNetworkPolicies": "Enabled",
                "provisioningState": "Succeeded",
                "resourceGroup": vn.rg,
                "type": "Microsoft.Network/virtualNetworks/subnets",
            }));
        }
        if v == topo.hub {
            let p = nta_azure::cidr::Ipv4Net { addr: net.vnet_prefix[v].addr | 0xFF00, len: 27 };
            subnets.push(json!({
                "addressPrefix": p.to_string(),
                "delegations": [],
                "etag": etags.next(),
                "id": format!("{id}/subnets/GatewaySubnet"),
                "name": "GatewaySubnet",
                "privateEndpointNetworkPolicies": "Disabled",
                "privateLinkServiceNetworkPolicies": "Enabled",
                "provisioningState": "Succeeded",
                "resourceGroup": vn.rg,
                "type": "Microsoft.Network/virtualNetworks/subnets",
            }));
        }
        let peerings: Vec<Value> = (0..topo.vnets.len())
            .filter(|&o| o != v)
            .map(|o| {
                let name = topo.peering(v, o).rsplit('/').next().unwrap_or_default();
                json!({
                    "allowForwardedTraffic": true,
                    "allowGatewayTransit": v == topo.hub,
                    "allowVirtualNetworkAccess": true,
                    "doNotVerifyRemoteGateways": false,
                    "etag": etags.next(),
                    "id": format!("{id}/virtualNetworkPeerings/{name}"),
                    "name": name,
                    "peeringState": "Connected",
                    "peeringSyncLevel": "FullyInSync",
                    "provisioningState": "Succeeded",
                    "remoteAddressSpace": {"addressPrefixes": [net.vnet_prefix[o].to_string()]},
                    "remoteVirtualNetwork": sub_ref(&vnet_id(topo, o), &topo.vnets[o].rg),
                    "resourceGroup": vn.rg,
                    "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                    "useRemoteGateways": o == topo.hub,
                })
            })
            .collect();
        out.push(json!({
            "addressSpace": {"addressPrefixes": [net.vnet_prefix[v].to_string()]},
            "enableDdosProtection": false,
            "etag": etags.next(),
            "id": id,
            "location": vn.region,
            "name": vn.name,
            "provisioningState": "Succeeded",
            "resourceGroup": vn.rg,
            "resourceGuid": net.vnet_guid[v],
            "subnets": subnets,
            "type": "Microsoft.Network/virtualNetworks",
            "virtualNetworkPeerings": peerings,
        }));
    }
    Value::Array(out)
}

fn nics(topo: &Topology, etags: &mut Etags, guids: &mut Rng) -> Value {
    let mut out = Vec::new();
    for (h, host) in topo.hosts.iter().enumerate() {
        let (rg, name) = split2(&host.nic);
        let id = nic_id(topo, h);
        let mut nic = json!({
            "auxiliaryMode": "None",
            "auxiliarySku": "None",
            "disableTcpStateTracking": false,
            "dnsSettings": {"appliedDnsServers": [], "dnsServers": []},
            "enableAcceleratedNetworking": false,
            "enableIPForwarding": false,
            "etag": etags.next(),
            "hostedWorkloads": [],
            "id": id,
            "ipConfigurations": [{
                "etag": etags.next(),
                "id": format!("{id}/ipConfigurations/ipconfig1"),
                "name": "ipconfig1",
                "primary": true,
                "privateIPAddress": host.ip,
                "privateIPAddressVersion": "IPv4",
                "privateIPAllocationMethod": "Dynamic",
                "provisioningState": "Succeeded",
                "resourceGroup": rg,
                "subnet": sub_ref(&subnet_id(topo, host.subnet), &topo.vnets[host.vnet].rg),
                "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
            }],
            "location": topo.host_region(h),
            "macAddress": host.mac,
            "name": name,
            "nicType": "Standard",
            "primary": true,
            "provisioningState": "Succeeded",
            "resourceGroup": rg,
            "resourceGuid": guid(guids),
            "tapConfigurations": [],
            "type": "Microsoft.Network/networkInterfaces",
            "vnetEncryptionSupported": false,
        });
        let map = nic.as_object_mut().expect("an object");
        match &host.private_link {
            Some((pe, _, _)) => {
                let (pe_rg, pe_name) = split2(pe);
                let pe_id =
                    rid(topo.host_subscription(h), pe_rg, &format!("Microsoft.Network/privateEndpoints/{pe_name}"));
                map.insert("privateEndpoint".into(), sub_ref(&pe_id, pe_rg));
                // Private endpoint NICs have no MAC address in the export.
                map.insert("macAddress".into(), json!(""));
            }
            None => {
                map.insert("virtualMachine".into(), sub_ref(&vm_id(topo, h), split2(&host.vm).0));
            }
        }
        out.push(nic);
    }
    Value::Array(out)
}

fn vms(topo: &Topology, guids: &mut Rng) -> Value {
    let mut out = Vec::new();
    for &h in &topo.vms {
        let host = &topo.hosts[h];
        let (rg, name) = split2(&host.vm);
        out.push(json!({
            "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
            "id": vm_id(topo, h),
            "location": topo.host_region(h),
            "name": name,
            "networkProfile": {"networkInterfaces": [{
                "deleteOption": "Detach",
                "id": nic_id(topo, h),
                "primary": true,
                "resourceGroup": split2(&host.nic).0,
            }]},
            "osProfile": {
                "adminUsername": "azureuser",
                "allowExtensionOperations": true,
                "computerName": name,
                "linuxConfiguration": {"disablePasswordAuthentication": true, "provisionVMAgent": true},
            },
            "provisioningState": "Succeeded",
            "resourceGroup": rg,
            "storageProfile": {"osDisk": {"caching": "ReadWrite", "createOption": "FromImage", "name": format!("{name}_OsDisk_1"), "osType": "Linux"}},
            "tags": {},
            "type": "Microsoft.Compute/virtualMachines",
            "vmId": guid(guids),
        }));
    }
    Value::Array(out)
}

fn nsgs(topo: &Topology, net: &Net, etags: &mut Etags) -> Value {
    let mut out = Vec::new();
    for (s, nsg) in net.nsgs.iter().enumerate() {
        let id = nsg.id();
        let rg = &nsg.resource_group;
        let vnet = topo.subnets[s].vnet;
        out.push(json!({
            "defaultSecurityRules": net.defaults.iter().map(|r| rule_json(r, &id, rg, etags)).collect::<Vec<_>>(),
            "etag": etags.next(),
            "id": id,
            "location": topo.vnets[vnet].region,
            "name": nsg.name,
            "provisioningState": "Succeeded",
            "resourceGroup": rg,
            "resourceGuid": nsg.guid,
            "securityRules": nsg.rules.iter().map(|r| rule_json(r, &id, rg, etags)).collect::<Vec<_>>(),
            "subnets": [sub_ref(&subnet_id(topo, s), &topo.vnets[vnet].rg)],
            "type": "Microsoft.Network/networkSecurityGroups",
        }));
    }
    Value::Array(out)
}

fn gateways(topo: &Topology, etags: &mut Etags, guids: &mut Rng) -> Value {
    let hub = &topo.vnets[topo.hub];
    let sub = &topo.subscriptions[hub.sub].id;
    let gw_subnet = format!("{}/subnets/GatewaySubnet", vnet_id(topo, topo.hub));
    let gateway = |name: &str, gateway_type: &str, sku: &str, etags: &mut Etags, guids: &mut Rng| {
        let id = rid(sub, &hub.rg, &format!("Microsoft.Network/virtualNetworkGateways/{name}"));
        json!({
            "activeActive": false,
            "enableBgp": false,
            "etag": etags.next(),
            "gatewayType": gateway_type,
            "id": id,
            "ipConfigurations": [{
                "etag": etags.next(),
                "id": format!("{id}/ipConfigurations/default"),
                "name": "default",
                "privateIPAllocationMethod": "Dynamic",
                "provisioningState": "Succeeded",
                "publicIPAddress": {"id": rid(sub, &hub.rg, &format!("Microsoft.Network/publicIPAddresses/pip-{name}")), "resourceGroup": hub.rg},
                "resourceGroup": hub.rg,
                "subnet": sub_ref(&gw_subnet, &hub.rg),
            }],
            "location": hub.region,
            "name": name,
            "provisioningState": "Succeeded",
            "resourceGroup": hub.rg,
            "resourceGuid": guid(guids),
            "sku": {"capacity": 2, "name": sku, "tier": sku},
            "type": "Microsoft.Network/virtualNetworkGateways",
        })
    };
    let mut vpn = gateway(&topo.vpn_gateway, "Vpn", "VpnGw1", etags, guids);
    let map = vpn.as_object_mut().expect("an object");
    map.insert(
        "vpnClientConfiguration".into(),
        json!({
            "vpnAuthenticationTypes": ["Certificate"],
            "vpnClientAddressPool": {"addressPrefixes": [P2S_POOL.to_string()]},
            "vpnClientProtocols": ["OpenVPN", "IkeV2"],
        }),
    );
    map.insert("vpnGatewayGeneration".into(), json!("Generation1"));
    map.insert("vpnType".into(), json!("RouteBased"));
    let er_name = topo.vpn_gateway.replacen("vgw-", "ergw-", 1);
    let er = gateway(&er_name, "ExpressRoute", "ErGw1AZ", etags, guids);
    json!([vpn, er])
}

fn local_gateways(topo: &Topology, net: &Net, etags: &mut Etags, guids: &mut Rng) -> Value {
    let hub = &topo.vnets[topo.hub];
    let sub = &topo.subscriptions[hub.sub].id;
    let mut out = Vec::new();
    for (k, site) in net.sites.iter().enumerate() {
        out.push(json!({
            "etag": etags.next(),
            // 192.0.0.0/24 (IETF protocol assignments): never one of the flows' addresses.
            "gatewayIpAddress": format!("192.0.0.{}", 10 + k),
            "id": rid(sub, &hub.rg, &format!("Microsoft.Network/localNetworkGateways/{}", site.name)),
            "localNetworkAddressSpace": {"addressPrefixes": [site.prefix.to_string()]},
            "location": hub.region,
            "name": site.name,
            "provisioningState": "Succeeded",
            "resourceGroup": hub.rg,
            "resourceGuid": guid(guids),
            "type": "Microsoft.Network/localNetworkGateways",
        }));
    }
    Value::Array(out)
}

/// The file names and the commands whose output they are.
pub const FILES: &[(&str, &str)] = &[
    ("vnets.json", "az network vnet list -o json"),
    ("nics.json", "az network nic list -o json"),
    ("vms.json", "az vm list -o json"),
    ("nsgs.json", "az network nsg list -o json"),
    ("vnet-gateways.json", "az network vnet-gateway list -g rg-connectivity -o json"),
    ("local-gateways.json", "az network local-gateway list -g rg-connectivity -o json"),
];

/// Writes the six exports into `dir`.
pub fn write_all(topo: &Topology, net: &Net, dir: &Path) -> Result<Vec<PathBuf>, GenError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut etags = Etags(Rng::new(mix(net.seed ^ ETAG_DOMAIN, 0)));
    let mut guids = Rng::new(mix(net.seed ^ ETAG_DOMAIN, 1));
    let docs = [
        vnets(topo, net, &mut etags),
        nics(topo, &mut etags, &mut guids),
        vms(topo, &mut guids),
        nsgs(topo, net, &mut etags),
        gateways(topo, &mut etags, &mut guids),
        local_gateways(topo, net, &mut etags, &mut guids),
    ];
    let mut paths = Vec::new();
    for ((name, _), mut doc) in FILES.iter().zip(docs) {
        // The az CLI writes every object's keys sorted (its JSON output
        // sorts them); serde_json keeps the order they were built in.
        doc.sort_all_objects();
        let path = dir.join(name);
        let mut f = AtomicFile::create(&path)?;
        serde_json::to_writer_pretty(&mut f, &doc)
            .map_err(|e| GenError::Io { path: path.clone(), source: e.into() })?;
        f.write_all(b"\n").map_err(io_err(&path))?;
        f.finish()?;
        paths.push(path);
    }
    Ok(paths)
}
