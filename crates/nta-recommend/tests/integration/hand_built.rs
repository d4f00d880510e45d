//! Flow sets with minimal answers derived by hand (in the comments).

use crate::common;

use common::*;
use nta_azure::nsg::{Access, Address, Direction, PortRange, Protocol};
use nta_azure::{Ipv4Net, Topology};
use nta_recommend::{Aggregate, Inputs, ObservedFlow, Options, Report, Window, recommend};

fn run(flows: Vec<ObservedFlow>, topology: Topology, aggregate: Aggregate, min_flows: u64) -> Report {
    let inputs = Inputs { flows, topology, service_tags: None };
    recommend(&inputs, &Options { aggregate, min_flows, window: None }).unwrap()
}

fn net(s: &str) -> Address {
    Address::Net(Ipv4Net::parse(s).unwrap())
}

fn ports(s: &[(u16, u16)]) -> Vec<PortRange> {
    s.iter().map(|&(lo, hi)| PortRange { lo, hi }).collect()
}

/// Three web hosts in 10.0.1.0/24 receive 443 from two app hosts in
/// 10.0.2.0/24. At subnet granularity that is one (app, web, 443) block:
/// one rule, source the app subnet, destination the web subnet, Tcp 443,
/// Inbound, the first priority (100), named after the subnets.
#[test]
fn web_from_app_is_one_subnet_rule() {
    let mut flows = Vec::new();
    for web in ["10.0.1.4", "10.0.1.5", "10.0.1.6"] {
        for app in ["10.0.2.4", "10.0.2.5"] {
            flows.push(allowed("nsg-web", app, web, 443));
        }
    }
    let r = run(flows, topology(None), Aggregate::Subnet, 1);
    assert_eq!(r.nsgs.len(), 1);
    let n = &r.nsgs[0];
    assert_eq!((n.nsg.as_str(), n.rules.len(), n.flows_admitted()), ("nsg-web", 1, 6));
    let rule = &n.rules[0].rule;
    assert_eq!(rule.name, "allow-in-tcp-443-web-from-app");
    assert_eq!(
        (rule.priority, rule.access, rule.direction, rule.protocol),
        (100, Access::Allow, Direction::Inbound, Protocol::Tcp)
    );
    assert_eq!(rule.sources, vec![net("10.0.2.0/24")]);
    assert_eq!(rule.destinations, vec![net("10.0.1.0/24")]);
    assert_eq!(rule.destination_ports, ports(&[(443, 443)]));
    assert!(r.blocked.is_empty());

    // --aggregate prefix: the two app hosts .4 and .5 are 10.0.2.4/31; the
    // web hosts .4, .5, .6 are 10.0.1.4/31 + 10.0.1.6/32.
    let mut flows = Vec::new();
    for web in ["10.0.1.4", "10.0.1.5", "10.0.1.6"] {
        for app in ["10.0.2.4", "10.0.2.5"] {
            flows.push(allowed("nsg-web", app, web, 443));
        }
    }
    let r = run(flows.clone(), topology(None), Aggregate::Prefix, 1);
    let rule = &r.nsgs[0].rules[0].rule;
    assert_eq!(rule.sources, vec![net("10.0.2.4/31")]);
    assert_eq!(rule.destinations, vec![net("10.0.1.4/31"), net("10.0.1.6/32")]);
    // --aggregate ip: the addresses one by one.
    let r = run(flows, topology(None), Aggregate::Ip, 1);
    let rule = &r.nsgs[0].rules[0].rule;
    assert_eq!(rule.sources, vec![net("10.0.2.4"), net("10.0.2.5")]);
    assert_eq!(rule.destinations.len(), 3);
}

/// Ports 80, 81, 82 all observed → `80-82`; only 80 and 82 → `80`, `82`.
#[test]
fn port_ranges_only_where_every_port_was_seen() {
    let flows: Vec<_> = [80, 81, 82].iter().map(|&p| allowed("nsg-web", "10.0.2.4", "10.0.1.4", p)).collect();
    let r = run(flows, topology(None), Aggregate::Subnet, 1);
    assert_eq!(r.nsgs[0].rules.len(), 1);
    assert_eq!(r.nsgs[0].rules[0].rule.destination_ports, ports(&[(80, 82)]));
    let flows: Vec<_> = [80, 82].iter().map(|&p| allowed("nsg-web", "10.0.2.4", "10.0.1.4", p)).collect();
    let r = run(flows, topology(None), Aggregate::Subnet, 1);
    assert_eq!(r.nsgs[0].rules.len(), 1);
    assert_eq!(r.nsgs[0].rules[0].rule.destination_ports, ports(&[(80, 80), (82, 82)]));
    assert_eq!(r.nsgs[0].rules[0].rule.name, "allow-in-tcp-80_82-web-from-app");
}

/// TCP and UDP to 53: two rules, one per protocol, never `*`.
#[test]
fn one_rule_per_protocol() {
    let tcp = allowed("nsg-web", "10.0.2.4", "10.0.1.4", 53);
    let udp = ObservedFlow { protocol: Protocol::Udp, ..tcp.clone() };
    let r = run(vec![tcp, udp], topology(None), Aggregate::Subnet, 1);
    let rules = &r.nsgs[0].rules;
    assert_eq!(rules.len(), 2);
    assert_eq!(rules.iter().map(|r| r.rule.protocol).collect::<Vec<_>>(), [Protocol::Tcp, Protocol::Udp]);
    assert_eq!((rules[0].rule.priority, rules[1].rule.priority), (100, 110));
}

/// app1→web1:443, app1→web2:443, app1→web2:80 (per address). The
/// (destination, port) set {(w1,443), (w2,443), (w2,80)} is not a product,
/// so one rule cannot admit it exactly; two can: app1→{w1,w2}:443 and
/// app1→w2:80.
#[test]
fn non_rectangular_sets_split_into_exact_rules() {
    let flows = vec![
        allowed("nsg-web", "10.0.2.4", "10.0.1.4", 443),
        allowed("nsg-web", "10.0.2.4", "10.0.1.5", 443),
        allowed("nsg-web", "10.0.2.4", "10.0.1.5", 80),
    ];
    let r = run(flows, topology(None), Aggregate::Ip, 1);
    let rules: Vec<_> = r.nsgs[0].rules.iter().map(|r| &r.rule).collect();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].destination_ports, ports(&[(80, 80)]));
    assert_eq!(rules[0].destinations, vec![net("10.0.1.5")]);
    assert_eq!(rules[1].destination_ports, ports(&[(443, 443)]));
    assert_eq!(rules[1].destinations, vec![net("10.0.1.4"), net("10.0.1.5")]);
}

/// The export holds an inbound rule at 100 named like the recommendation:
/// the new rule takes 110 and the name gets `-2`. The export's other
/// rule (port 22 from 1.2.3.4) is never hit: unused. `Allow-HTTPS` is
/// named by the flows' AclRule: used.
#[test]
fn priorities_names_and_unused_rules_against_the_export() {
    let doc = nsgs(&[(
        "nsg-web",
        serde_json::json!([
            {"name": "allow-in-tcp-443-web-from-app", "properties": {"priority": 100, "access": "Allow", "direction": "Inbound",
              "protocol": "Tcp", "sourceAddressPrefix": "10.0.9.0/24", "destinationAddressPrefix": "*", "destinationPortRange": "8443"}},
            {"name": "old-ssh", "properties": {"priority": 200, "access": "Allow", "direction": "Inbound", "protocol": "Tcp",
              "sourceAddressPrefix": "1.2.3.4", "destinationAddressPrefix": "*", "destinationPortRange": "22"}},
            {"name": "Allow-HTTPS", "properties": {"priority": 300, "access": "Allow", "direction": "Inbound", "protocol": "Tcp",
              "sourceAddressPrefix": "Internet", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}
        ]),
    )]);
    let mut f = allowed("nsg-web", "10.0.2.4", "10.0.1.4", 443);
    f.rule = "UserRule_Allow-HTTPS".into();
    let r = run(vec![f], topology(Some(doc)), Aggregate::Subnet, 1);
    let rule = &r.nsgs[0].rules[0].rule;
    assert_eq!((rule.priority, rule.name.as_str()), (110, "allow-in-tcp-443-web-from-app-2"));
    assert_eq!(
        r.unused,
        vec![
            ("nsg-web".to_string(), "allow-in-tcp-443-web-from-app".to_string()),
            ("nsg-web".into(), "old-ssh".into())
        ]
    );
    // The matcher: 10.0.2.4 is in the VNet, not Internet; no user rule
    // matches → AllowVnetInBound decides: a default-only flow.
    assert_eq!(r.default_only.len(), 1);
    assert_eq!(r.nsgs[0].resource_group.as_deref(), Some("rg1"));
}

/// Without an export, AclRule decides default-only: `AllowVnetInBound`
/// (and `DefaultRule_…`) yes, a user rule no.
#[test]
fn default_only_from_acl_rule_without_export() {
    let mut a = allowed("nsg-web", "10.0.2.4", "10.0.1.4", 443);
    a.rule = "DefaultRule_AllowVnetInBound".into();
    let mut b = allowed("nsg-web", "10.0.2.5", "10.0.1.4", 443);
    b.rule = "AllowVnetInBound".into();
    let c = allowed("nsg-web", "10.0.2.6", "10.0.1.4", 443);
    let r = run(vec![a, b, c], topology(None), Aggregate::Ip, 1);
    assert_eq!(r.default_only.iter().map(|p| p.src).collect::<Vec<_>>(), [ip("10.0.2.4"), ip("10.0.2.5")]);
}

/// `--min-flows 3`: a pair with 2 flows is left out and, being allowed
/// today, is exactly what the default-deny replay reports as blocked.
#[test]
fn min_flows_drops_and_the_replay_reports_it() {
    let big = ObservedFlow { flows: 5, ..allowed("nsg-web", "10.0.2.4", "10.0.1.4", 443) };
    let small = ObservedFlow { flows: 2, ..allowed("nsg-web", "10.0.2.4", "10.0.1.4", 22) };
    let r = run(vec![big, small], topology(None), Aggregate::Ip, 3);
    assert_eq!(r.nsgs[0].rules.len(), 1);
    assert_eq!(r.below_min_flows.len(), 1);
    assert_eq!((r.blocked.len(), r.blocked[0].port, r.blocked[0].flows), (1, 22, 2));
}

/// AclGroup `Unspecified`: the topology's NSG of the protected side's
/// subnet (inbound: the destination's; outbound: the source's); none →
/// unattributed.
#[test]
fn unspecified_flows_take_the_subnet_nsg() {
    let mut inbound = allowed("x", "10.0.1.4", "10.0.2.4", 443);
    inbound.nsg = None;
    let mut outbound = allowed("x", "10.0.1.4", "8.8.8.8", 53);
    outbound.nsg = None;
    outbound.direction = Direction::Outbound;
    let mut lost = allowed("x", "10.0.1.4", "10.0.3.4", 443);
    lost.nsg = None;
    let r = run(vec![inbound, outbound, lost], topology(None), Aggregate::Subnet, 1);
    let names: Vec<_> = r.nsgs.iter().map(|n| n.nsg.as_str()).collect();
    assert_eq!(names, ["nsg-app", "nsg-web"]);
    assert_eq!(r.nsgs[1].rules[0].rule.direction, Direction::Outbound);
    // 8.8.8.8 is in no subnet: kept as a /32.
    assert_eq!(r.nsgs[1].rules[0].rule.destinations, vec![net("8.8.8.8")]);
    assert_eq!(r.unattributed_flows, 1, "db has no NSG");
}

/// `--window 1h`: the hour before the latest flow (inclusive).
#[test]
fn window_keeps_the_last_span() {
    const H: i64 = 3_600_000_000_000;
    let old = ObservedFlow { time: Some(0), ..allowed("nsg-web", "10.0.2.4", "10.0.1.4", 22) };
    let new = ObservedFlow { time: Some(3 * H), ..allowed("nsg-web", "10.0.2.4", "10.0.1.4", 443) };
    let edge = ObservedFlow { time: Some(2 * H), ..allowed("nsg-web", "10.0.2.4", "10.0.1.4", 80) };
    let inputs = Inputs { flows: vec![old, new, edge], topology: topology(None), service_tags: None };
    let opts = Options { aggregate: Aggregate::Ip, min_flows: 1, window: Some(Window::parse("1h").unwrap()) };
    let r = recommend(&inputs, &opts).unwrap();
    // One rule (same source and destination), ports 80 and 443; 22 is outside.
    assert_eq!(r.nsgs[0].rules.len(), 1);
    assert_eq!(r.nsgs[0].rules[0].rule.destination_ports, ports(&[(80, 80), (443, 443)]));
    assert_eq!(
        Window::parse("2025-06-01T00:00:00Z..2025-06-02T00:00:00Z").unwrap(),
        Window::Between(1_748_736_000_000_000_000, 1_748_822_400_000_000_000)
    );
    assert!(Window::parse("soon").is_err());
    assert!(Window::parse("2025-06-02T00:00:00Z..2025-06-01T00:00:00Z").is_err());
}

/// 401 distinct rules in one direction do not fit 100..=4090 step 10.
#[test]
fn priorities_run_out() {
    let flows: Vec<_> = (0..401u16).map(|k| allowed("nsg-web", "10.0.2.4", "10.0.1.4", 1000 + 2 * k)).collect();
    // Ports 1000, 1002, …: no two adjacent, but one rule holds them all (same
    // source and destination): merge by blocks gives one rule.
    let r = run(flows, topology(None), Aggregate::Ip, 1);
    assert_eq!(r.nsgs[0].rules.len(), 1);
    // Each flow its own source and port: 401 rules.
    let flows: Vec<_> = (0..401u16)
        .map(|k| ObservedFlow {
            src: ip("10.0.2.4") + u32::from(k) * 2,
            ..allowed("nsg-web", "10.0.2.4", "10.0.1.4", 1000 + 2 * k)
        })
        .collect();
    let inputs = Inputs { flows, topology: topology(None), service_tags: None };
    let e = recommend(&inputs, &Options { aggregate: Aggregate::Ip, min_flows: 1, window: None }).unwrap_err();
    assert!(e.to_string().contains("401"), "{e}");
}
