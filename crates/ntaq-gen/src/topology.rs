//! The fixed network a data set describes, derived from the seed: tenant,
//! subscriptions, resource groups, VNets and subnets with their NSGs, VMs
//! and private endpoints, on-premises sites, and the public IP pools (Azure
//! services, external hosts, threat-intel-flagged hosts).
//!
//! Everything a row refers to is an index into this structure; the strings
//! are built once here so generating a row allocates nothing.

use crate::rng::{Rng, mix};
use std::collections::HashSet;
use std::fmt::Write as _;

/// Location given to a share of external and malicious IPs so that the
/// article's verbatim `Location in ("country1", "country2")` filters match.
pub const PLACEHOLDER_COUNTRY_1: &str = "country1";
pub const PLACEHOLDER_COUNTRY_2: &str = "country2";

/// The placeholder country of the `i`-th external IP, if any: indexes ≡ 2
/// (mod 10) get `country1`, ≡ 7 (mod 10) get `country2` (20 % of the pool).
pub fn external_placeholder(i: usize) -> Option<&'static str> {
    match i % 10 {
        2 => Some(PLACEHOLDER_COUNTRY_1),
        7 => Some(PLACEHOLDER_COUNTRY_2),
        _ => None,
    }
}

/// The placeholder country of the `i`-th malicious IP, if any: indexes ≡ 1
/// (mod 6) get `country1`, ≡ 4 (mod 6) get `country2` (a third of the pool).
pub fn malicious_placeholder(i: usize) -> Option<&'static str> {
    match i % 6 {
        1 => Some(PLACEHOLDER_COUNTRY_1),
        4 => Some(PLACEHOLDER_COUNTRY_2),
        _ => None,
    }
}

/// The public-IP classes of NTAIpDetails.FlowType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IpClass {
    Azure,
    External,
    Malicious,
}

impl IpClass {
    pub const fn flow_type(self) -> &'static str {
        match self {
            IpClass::Azure => "AzurePublic",
            IpClass::External => "ExternalPublic",
            IpClass::Malicious => "MaliciousFlow",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Threat {
    pub threat_type: &'static str,
    pub dns_domain: String,
    pub description: &'static str,
    pub url: String,
    pub port: i32,
}

#[derive(Clone, Debug)]
pub struct PublicIp {
    pub ip: String,
    pub class: IpClass,
    /// NTAIpDetails.Location: Azure region (or `Global`) for Azure IPs,
    /// ISO country code (or a placeholder) otherwise. Also the flows'
    /// AzureRegion / Country.
    pub location: &'static str,
    pub details: &'static str,
    /// Azure service tag (Azure IPs only).
    pub service_tag: &'static str,
    /// Ports this IP is usually reached on.
    pub ports: &'static [i32],
    pub threat: Option<Threat>,
}

#[derive(Clone, Debug)]
pub struct Subscription {
    pub id: String,
}

#[derive(Clone, Debug)]
pub struct Vnet {
    pub sub: usize,
    pub rg: String,
    pub name: String,
    pub region: &'static str,
    pub octet: u8,
    pub is_hub: bool,
    pub hosts: Vec<usize>,
    /// `<subscription>/<rg>/<vnet>` (flow logging is enabled on the VNet).
    pub target_resource_id: String,
    /// `NetworkWatcherRG/NetworkWatcher_<region>/<flow log>`.
    pub flow_log_id: String,
}

#[derive(Clone, Debug)]
pub struct Subnet {
    pub vnet: usize,
    /// `<rg>/<vnet>/<subnet>`.
    pub path: String,
    /// The subnet's NSG as `<subscription>/<rg>/<nsg>` (AclGroup).
    pub nsg: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Web,
    App,
    Data,
    Shared,
    Dev,
    PrivateEndpoint,
}

#[derive(Clone, Debug)]
pub struct Host {
    pub subnet: usize,
    pub vnet: usize,
    pub sub: usize,
    pub role: Role,
    pub ip: String,
    /// `<rg>/<vm>`; empty for private endpoints.
    pub vm: String,
    /// `<rg>/<nic>`.
    pub nic: String,
    pub mac: String,
    /// `<rg>/<private endpoint>`, `<rg>/<resource type>/<resource>`, name.
    pub private_link: Option<(String, String, String)>,
}

#[derive(Clone, Debug)]
pub struct Site {
    /// Base address and number of usable addresses of the site's range.
    pub base: u32,
    pub size: u32,
    pub express_route: bool,
    /// `<subscription>/<rg>/<connection>`.
    pub connection: String,
    /// `<subscription>/<rg>/<local network gateway>` (VPN sites).
    pub local_gateway: String,
    /// `<subscription>/<rg>/<circuit>` (ExpressRoute sites).
    pub circuit: String,
}

#[derive(Clone, Debug)]
pub struct Topology {
    pub workspace_id: String,
    pub subscriptions: Vec<Subscription>,
    pub vnets: Vec<Vnet>,
    pub subnets: Vec<Subnet>,
    pub hosts: Vec<Host>,
    /// Hosts that start flows (VMs, not private endpoints).
    pub vms: Vec<usize>,
    /// Web-facing VMs (targets of inbound internet traffic).
    pub web_vms: Vec<usize>,
    pub hub: usize,
    /// `<subscription>/<rg>/<vpn gateway>` name part for P2S connection names.
    pub vpn_gateway: String,
    pub sites: Vec<Site>,
    /// `peerings[a * vnets + b]`: `<subscription>/<rg>/<peering>` of a→b.
    pub peerings: Vec<String>,
    /// `<subscription>/<rg>/<load balancer>` in front of the web VMs.
    pub web_load_balancer: String,
    /// All public IPs: Azure, then external, then malicious.
    pub public: Vec<PublicIp>,
    pub azure: std::ops::Range<usize>,
    pub external: std::ops::Range<usize>,
    pub malicious: std::ops::Range<usize>,
}

pub const REGIONS: &[&str] = &[
    "westeurope",
    "northeurope",
    "eastus",
    "eastus2",
    "westus2",
    "uksouth",
    "germanywestcentral",
    "francecentral",
    "swedencentral",
    "southeastasia",
];

/// Azure services with the details text, service tag and usual ports.
const AZURE_SERVICES: &[(&str, &str, &[i32])] = &[
    ("Microsoft Azure Monitor", "AzureMonitor", &[443]),
    ("Azure Arc", "AzureArcInfrastructure", &[443]),
    ("Microsoft Azure Storage", "Storage", &[443, 445]),
    ("Microsoft Entra ID", "AzureActiveDirectory", &[443]),
    ("Azure Key Vault", "AzureKeyVault", &[443]),
    ("Azure Backup", "AzureBackup", &[443]),
    ("Azure SQL Database", "Sql", &[1433]),
    ("Azure Event Hubs", "EventHub", &[443, 5671]),
    ("Azure Container Registry", "AzureContainerRegistry", &[443]),
    ("Azure Front Door", "AzureFrontDoor.Frontend", &[443, 80]),
    ("Azure Update Delivery", "AzureUpdateDelivery", &[443, 80]),
    ("Microsoft Defender for Cloud", "AzureSecurityCenter", &[443]),
];
const AZURE_IPS_PER_SERVICE: usize = 3;
const AZURE_FIRST_OCTETS: &[u32] = &[4, 13, 20, 40, 51, 52, 104, 137, 191];

const EXTERNAL_COUNTRIES: &[&str] = &[
    "US", "DE", "GB", "NL", "FR", "IE", "SE", "JP", "SG", "IN", "BR", "CA", "AU", "CN", "KR", "ZA", "PL", "ES", "IT",
    "CH",
];
const EXTERNAL_ORGS: &[&str] = &[
    "Amazon.com, Inc.",
    "Google LLC",
    "Cloudflare, Inc.",
    "Akamai Technologies, Inc.",
    "Fastly, Inc.",
    "GitHub, Inc.",
    "OVH SAS",
    "Hetzner Online GmbH",
    "DigitalOcean, LLC",
    "Comcast Cable Communications, LLC",
    "Deutsche Telekom AG",
    "Orange S.A.",
    "Vodafone GmbH",
    "NTT Communications Corporation",
    "Zscaler, Inc.",
    "Salesforce.com, Inc.",
];
const EXTERNAL_PORTS: &[i32] = &[443, 443, 443, 80, 123, 53, 22];

const MALICIOUS_COUNTRIES: &[&str] =
    &["RU", "CN", "NL", "US", "DE", "RO", "UA", "VN", "BR", "IR", "HK", "SC", "PA", "MD", "BG"];
const MALICIOUS_ORGS: &[&str] = &[
    "FranTech Solutions",
    "M247 Europe SRL",
    "Chang Way Technologies Co. Limited",
    "Selectel Ltd.",
    "Alibaba (US) Technology Co., Ltd.",
    "DigitalOcean, LLC",
    "OVH SAS",
    "Hetzner Online GmbH",
    "Stark Industries Solutions Ltd.",
    "Contabo GmbH",
    "Tencent Cloud Computing",
];
/// The ThreatType values documented for NTAIpDetails, with a description.
pub const THREATS: &[(&str, &str)] = &[
    ("Botnet", "Botnet node observed in brute-force campaigns"),
    ("C2", "Command and control server"),
    ("CryptoMining", "Cryptocurrency mining pool endpoint"),
    ("DarkNet", "Tor exit node"),
    ("DDos", "Source of distributed denial-of-service traffic"),
    ("MaliciousUrl", "Hosts URLs serving malicious content"),
    ("Malware", "Malware distribution host"),
    ("Phishing", "Phishing site host"),
    ("Proxy", "Anonymizing open proxy"),
    ("PUA", "Distributes potentially unwanted applications"),
    ("WatchList", "IP on a threat intelligence watch list"),
];
const THREAT_PORTS: &[i32] = &[443, 8080, 4444, 6667, 3333, 8443, 1337, 9001, 5555, 80];
const DOMAIN_WORDS: &[&str] =
    &["update-check", "cdn-sync", "login-verify", "pool-mine", "relay", "tracker", "dl-mirror", "node"];
/// Reserved TLDs (RFC 2606): no generated "malicious" domain is a real one.
const DOMAIN_TLDS: &[&str] = &["example", "test", "invalid"];
const URL_PATHS: &[&str] =
    &["gate.php", "panel/login", "dl/payload.bin", "api/v1/beacon", "index.html", "wp-admin/setup.php"];

/// Malicious IPs come from ranges reserved for documentation (TEST-NET-1/2/3,
/// RFC 5737) and benchmarking (198.18.0.0/15, RFC 2544), so no real host is
/// labelled malicious.
const MALICIOUS_RANGES: &[(u32, u32)] = &[
    (0xC000_0200, 256),    // 192.0.2.0/24
    (0xC633_6400, 256),    // 198.51.100.0/24
    (0xCB00_7100, 256),    // 203.0.113.0/24
    (0xC612_0000, 131072), // 198.18.0.0/15
];

pub fn format_ipv4(ip: u32, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    let [a, b, c, d] = ip.to_be_bytes();
    write!(out, "{a}.{b}.{c}.{d}")
}

pub fn ipv4_string(ip: u32) -> String {
    let mut s = String::with_capacity(15);
    format_ipv4(ip, &mut s).expect("writing to a String cannot fail");
    s
}

pub(crate) fn guid(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    // Version 4, variant 1, as Azure mints them.
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFF,
        8 + (b >> 62),
        (b >> 48) & 0xFFF,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// True for addresses that are not ordinary public unicast: RFC 1918,
/// loopback, link-local, CGNAT, documentation/benchmark ranges, multicast …
fn is_special(ip: u32) -> bool {
    let [a, b, c, _] = ip.to_be_bytes();
    matches!(a, 0 | 10 | 127 | 224..=255)
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || (a == 168 && b == 63)
}

fn fresh_ip(rng: &mut Rng, used: &mut HashSet<u32>, mut draw: impl FnMut(&mut Rng) -> u32) -> u32 {
    loop {
        let ip = draw(rng);
        let last = ip & 0xFF;
        if last != 0 && last != 255 && used.insert(ip) {
            return ip;
        }
    }
}

fn mac(rng: &mut Rng) -> String {
    // 00-0D-3A is a Microsoft OUI that Azure NICs commonly carry.
    let x = rng.next_u64();
    format!("00-0D-3A-{:02X}-{:02X}-{:02X}", (x >> 16) & 0xFF, (x >> 8) & 0xFF, x & 0xFF)
}

/// Pool sizes for a data set of `rows` flow rows: larger data sets see more
/// distinct internet hosts (and so a larger NTAIpDetails).
pub fn pool_sizes(rows: usize) -> (usize, usize, usize) {
    let azure = 1 + AZURE_SERVICES.len() * AZURE_IPS_PER_SERVICE;
    let external = (rows / 100).clamp(120, 50_000);
    let malicious = (rows / 1000).clamp(36, 2_000);
    (azure, external, malicious)
}

struct VnetPlan {
    sub: usize,
    rg: &'static str,
    name: &'static str,
    second_region: bool,
    is_hub: bool,
    subnets: &'static [(&'static str, Role, usize)],
}

const SUBSCRIPTIONS: usize = 3;
const SUB_CONNECTIVITY: usize = 0;
const SUB_PROD: usize = 1;
const SUB_NONPROD: usize = 2;

const VNET_PLANS: &[VnetPlan] = &[
    VnetPlan {
        sub: SUB_CONNECTIVITY,
        rg: "rg-connectivity",
        name: "vnet-hub",
        second_region: false,
        is_hub: true,
        subnets: &[("snet-shared", Role::Shared, 3), ("snet-mgmt", Role::Shared, 2)],
    },
    VnetPlan {
        sub: SUB_PROD,
        rg: "rg-prod-app",
        name: "vnet-prod-app",
        second_region: false,
        is_hub: false,
        subnets: &[("snet-web", Role::Web, 5), ("snet-app", Role::App, 5), ("snet-pe", Role::PrivateEndpoint, 3)],
    },
    VnetPlan {
        sub: SUB_PROD,
        rg: "rg-prod-data",
        name: "vnet-prod-data",
        second_region: false,
        is_hub: false,
        subnets: &[("snet-sql", Role::Data, 3), ("snet-pe", Role::PrivateEndpoint, 2)],
    },
    VnetPlan {
        sub: SUB_PROD,
        rg: "rg-prod-dr",
        name: "vnet-prod-dr",
        second_region: true,
        is_hub: false,
        subnets: &[("snet-web", Role::Web, 2), ("snet-app", Role::App, 2)],
    },
    VnetPlan {
        sub: SUB_NONPROD,
        rg: "rg-dev",
        name: "vnet-dev",
        second_region: false,
        is_hub: false,
        subnets: &[("snet-default", Role::Dev, 4), ("snet-aks", Role::Dev, 4)],
    },
    VnetPlan {
        sub: SUB_NONPROD,
        rg: "rg-test",
        name: "vnet-test",
        second_region: true,
        is_hub: false,
        subnets: &[("snet-default", Role::Dev, 3), ("snet-web", Role::Web, 2)],
    },
];

const PRIVATE_LINK_TARGETS: &[(&str, &str)] = &[
    ("Microsoft.Sql/servers", "sql"),
    ("Microsoft.Storage/storageAccounts", "st"),
    ("Microsoft.KeyVault/vaults", "kv"),
    ("Microsoft.DocumentDB/databaseAccounts", "cosmos"),
];

impl Topology {
    /// The topology of a data set with `rows` flow rows. Depends on the seed
    /// (names are fixed, GUIDs, addresses, regions and pools are drawn) and,
    /// for the public pool sizes, on `rows`.
    pub fn new(seed: u64, rows: usize) -> Topology {
        let mut rng = Rng::new(mix(seed, 0x0070_706F_6C6F_6779));
        let workspace_id = guid(&mut rng);
        let subscriptions: Vec<Subscription> =
            (0..SUBSCRIPTIONS).map(|_| Subscription { id: guid(&mut rng) }).collect();
        let primary = rng.index(REGIONS.len());
        let secondary = (primary + 1 + rng.index(REGIONS.len() - 1)) % REGIONS.len();

        // Distinct second octets for the VNets' 10.x.0.0/16 spaces (1..=199;
        // 200..=254 stay unmapped for UnknownPrivate/Unknown flows).
        let mut octets = HashSet::new();
        let mut vnets = Vec::new();
        let mut subnets = Vec::new();
        let mut hosts = Vec::new();
        for plan in VNET_PLANS {
            let octet = loop {
                let o = rng.range(1, 199) as u8;
                if octets.insert(o) {
                    break o;
                }
            };
            let region = REGIONS[if plan.second_region { secondary } else { primary }];
            let sub_id = &subscriptions[plan.sub].id;
            let v = vnets.len();
            let mut vnet = Vnet {
                sub: plan.sub,
                rg: plan.rg.to_string(),
                name: format!("{}-{}", plan.name, region),
                region,
                octet,
                is_hub: plan.is_hub,
                hosts: Vec::new(),
                target_resource_id: String::new(),
                flow_log_id: String::new(),
            };
            vnet.target_resource_id = format!("{sub_id}/{}/{}", vnet.rg, vnet.name);
            vnet.flow_log_id = format!("NetworkWatcherRG/NetworkWatcher_{region}/fl-{}", vnet.name);
            for (s, &(sname, role, count)) in plan.subnets.iter().enumerate() {
                let sn = subnets.len();
                subnets.push(Subnet {
                    vnet: v,
                    path: format!("{}/{}/{}", vnet.rg, vnet.name, sname),
                    nsg: format!("{sub_id}/{}/nsg-{}-{}", vnet.rg, plan.name.trim_start_matches("vnet-"), sname),
                });
                for k in 0..count {
                    let ip = u32::from_be_bytes([10, octet, s as u8, 4 + k as u8]);
                    let h = hosts.len();
                    let short = sname.trim_start_matches("snet-");
                    let (vm, nic, private_link) = if role == Role::PrivateEndpoint {
                        let (rtype, prefix) = PRIVATE_LINK_TARGETS[(h + k) % PRIVATE_LINK_TARGETS.len()];
                        let res = format!("{prefix}-{}-{:02}", plan.name.trim_start_matches("vnet-"), k + 1);
                        let pe = format!("pe-{res}");
                        (
                            String::new(),
                            format!("{}/{pe}.nic.{:08x}", vnet.rg, rng.next_u64() as u32),
                            Some((format!("{}/{pe}", vnet.rg), format!("{}/{rtype}/{res}", vnet.rg), res)),
                        )
                    } else {
                        let name = format!("vm-{}-{short}-{:02}", plan.name.trim_start_matches("vnet-"), k + 1);
                        (format!("{}/{name}", vnet.rg), format!("{}/{name}-nic{:03}", vnet.rg, rng.below(1000)), None)
                    };
                    hosts.push(Host {
                        subnet: sn,
                        vnet: v,
                        sub: plan.sub,
                        role,
                        ip: ipv4_string(ip),
                        vm,
                        nic,
                        mac: mac(&mut rng),
                        private_link,
                    });
                    vnet.hosts.push(h);
                }
            }
            vnets.push(vnet);
        }
        let vms: Vec<usize> = (0..hosts.len()).filter(|&h| hosts[h].role != Role::PrivateEndpoint).collect();
        let web_vms: Vec<usize> = vms.iter().copied().filter(|&h| hosts[h].role == Role::Web).collect();
        let hub = VNET_PLANS.iter().position(|p| p.is_hub).expect("one hub VNet");

        let conn_sub = &subscriptions[SUB_CONNECTIVITY].id;
        let hub_region = vnets[hub].region;
        let vpn_gateway = format!("vgw-hub-{hub_region}");
        let site = |rng: &mut Rng, name: &str, express_route: bool, base: u32, size: u32| Site {
            base,
            size,
            express_route,
            connection: format!("{conn_sub}/rg-connectivity/conn-{name}"),
            local_gateway: if express_route { String::new() } else { format!("{conn_sub}/rg-connectivity/lgw-{name}") },
            circuit: if express_route {
                format!("{conn_sub}/rg-connectivity/erc-{name}-{:02}", rng.range(1, 9))
            } else {
                String::new()
            },
        };
        let sites = vec![
            site(&mut rng, "dc1", true, u32::from_be_bytes([192, 168, 0, 0]), 16 * 256),
            site(&mut rng, "branch-01", false, u32::from_be_bytes([172, 20, 1, 0]), 256),
            site(&mut rng, "branch-02", false, u32::from_be_bytes([172, 20, 2, 0]), 256),
        ];
        let mut peerings = Vec::with_capacity(vnets.len() * vnets.len());
        for a in &vnets {
            for b in &vnets {
                peerings.push(format!("{}/{}/peer-{}-to-{}", subscriptions[a.sub].id, a.rg, a.name, b.name));
            }
        }
        let prod_app = &vnets[1];
        let web_load_balancer = format!("{}/{}/lb-prod-web", subscriptions[prod_app.sub].id, prod_app.rg);

        // Public IPs.
        let (_, n_external, n_malicious) = pool_sizes(rows);
        let mut used = HashSet::new();
        used.insert(u32::from_be_bytes([168, 63, 129, 16]));
        let mut public = vec![PublicIp {
            ip: "168.63.129.16".to_string(),
            class: IpClass::Azure,
            location: "Global",
            details: "Microsoft Virtual Public IP",
            service_tag: "AzurePlatformDNS",
            ports: &[80, 53, 32526],
            threat: None,
        }];
        for &(details, tag, ports) in AZURE_SERVICES {
            for k in 0..AZURE_IPS_PER_SERVICE {
                let ip = fresh_ip(&mut rng, &mut used, |r| {
                    (r.pick(AZURE_FIRST_OCTETS) << 24) | (r.next_u64() as u32 & 0x00FF_FFFF)
                });
                // Services are reached mostly in the workload regions.
                let location = match k {
                    0 => REGIONS[primary],
                    1 => REGIONS[secondary],
                    _ => *rng.pick(REGIONS),
                };
                public.push(PublicIp {
                    ip: ipv4_string(ip),
                    class: IpClass::Azure,
                    location,
                    details,
                    service_tag: tag,
                    ports,
                    threat: None,
                });
            }
        }
        let azure = 0..public.len();
        for i in 0..n_external {
            let ip = fresh_ip(&mut rng, &mut used, |r| {
                loop {
                    let ip = r.next_u64() as u32;
                    if !is_special(ip) {
                        break ip;
                    }
                }
            });
            let location = external_placeholder(i).unwrap_or_else(|| *rng.pick(EXTERNAL_COUNTRIES));
            public.push(PublicIp {
                ip: ipv4_string(ip),
                class: IpClass::External,
                location,
                details: EXTERNAL_ORGS[rng.index(EXTERNAL_ORGS.len())],
                service_tag: "",
                ports: EXTERNAL_PORTS,
                threat: None,
            });
        }
        let external = azure.end..public.len();
        for i in 0..n_malicious {
            let ip = fresh_ip(&mut rng, &mut used, |r| {
                let &(base, size) = r.pick(MALICIOUS_RANGES);
                base + r.below(u64::from(size)) as u32
            });
            let location = malicious_placeholder(i).unwrap_or_else(|| *rng.pick(MALICIOUS_COUNTRIES));
            let &(threat_type, description) = rng.pick(THREATS);
            let dns_domain = if rng.chance(800) {
                format!("{}{:03}.{}", rng.pick(DOMAIN_WORDS), rng.below(1000), rng.pick(DOMAIN_TLDS))
            } else {
                String::new()
            };
            let mut url = String::new();
            if rng.chance(700) {
                let host = if dns_domain.is_empty() { ipv4_string(ip) } else { dns_domain.clone() };
                let scheme = if rng.chance(500) { "https" } else { "http" };
                write!(url, "{scheme}://{host}/{}", rng.pick(URL_PATHS)).expect("writing to a String cannot fail");
            }
            public.push(PublicIp {
                ip: ipv4_string(ip),
                class: IpClass::Malicious,
                location,
                details: MALICIOUS_ORGS[rng.index(MALICIOUS_ORGS.len())],
                service_tag: "",
                ports: &[22, 3389, 23, 445, 1433, 5900, 80, 443],
                threat: Some(Threat { threat_type, dns_domain, description, url, port: *rng.pick(THREAT_PORTS) }),
            });
        }
        let malicious = external.end..public.len();

        Topology {
            workspace_id,
            subscriptions,
            vnets,
            subnets,
            hosts,
            vms,
            web_vms,
            hub,
            vpn_gateway,
            sites,
            peerings,
            web_load_balancer,
            public,
            azure,
            external,
            malicious,
        }
    }

    pub fn peering(&self, a: usize, b: usize) -> &str {
        &self.peerings[a * self.vnets.len() + b]
    }

    pub fn host_subscription(&self, h: usize) -> &str {
        &self.subscriptions[self.hosts[h].sub].id
    }

    pub fn host_region(&self, h: usize) -> &'static str {
        self.vnets[self.hosts[h].vnet].region
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_look_like_guids() {
        let mut rng = Rng::new(3);
        for _ in 0..100 {
            let g = guid(&mut rng);
            let parts: Vec<&str> = g.split('-').collect();
            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{g}");
            assert!(g.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
            assert!(parts[2].starts_with('4'));
            assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "{g}");
        }
    }

    #[test]
    fn public_pools_are_disjoint_and_public() {
        let t = Topology::new(11, 100_000);
        let mut seen = HashSet::new();
        for p in &t.public {
            assert!(seen.insert(p.ip.clone()), "duplicate {}", p.ip);
            let octets: Vec<u32> = p.ip.split('.').map(|o| o.parse().unwrap()).collect();
            let ip = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3];
            match p.class {
                IpClass::External => assert!(!is_special(ip), "{}", p.ip),
                IpClass::Malicious => assert!(
                    MALICIOUS_RANGES.iter().any(|&(b, s)| (b..b + s).contains(&ip)),
                    "{} outside the reserved ranges",
                    p.ip
                ),
                IpClass::Azure => {}
            }
        }
        let (a, e, m) = pool_sizes(100_000);
        assert_eq!((t.azure.len(), t.external.len(), t.malicious.len()), (a, e, m));
    }

    #[test]
    fn placeholder_shares() {
        let ext = (0..1000).filter(|&i| external_placeholder(i).is_some()).count();
        let mal = (0..1200).filter(|&i| malicious_placeholder(i).is_some()).count();
        assert_eq!(ext, 200);
        assert_eq!(mal, 400);
    }
}
