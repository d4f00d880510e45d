//! Invariants of the recommendation on random flow sets (proptest).
//!
//! Addresses come from the web (10.0.1.0/24) and app (10.0.2.0/24)
//! subnets of the common topology and from 10.9.0.0/29 (in no subnet);
//! ports from a small set so that ranges and merges happen.

use crate::common;

use common::*;
use nta_azure::nsg::{Access, Address, Direction, Protocol, RuleSet, TagResolver, evaluate};
use nta_azure::{Ipv4Net, Topology};
use nta_recommend::replay::final_deny;
use nta_recommend::{Aggregate, Inputs, ObservedFlow, Options, Report, recommend, render};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn address() -> impl Strategy<Value = u32> {
    prop_oneof![
        (0u32..8).prop_map(|k| ip("10.0.1.4") + k),
        (0u32..8).prop_map(|k| ip("10.0.2.4") + k),
        (0u32..8).prop_map(|k| ip("10.9.0.0") + k),
    ]
}

fn flow() -> impl Strategy<Value = ObservedFlow> {
    (
        address(),
        address(),
        prop::sample::select(vec![22u16, 53, 80, 81, 82, 443]),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec!["nsg-web", "nsg-app"]),
        1u64..5,
        any::<bool>(),
    )
        .prop_map(|(src, dst, port, udp, outbound, nsg, flows, allowed_flow)| ObservedFlow {
            src,
            dst,
            port,
            protocol: if udp { Protocol::Udp } else { Protocol::Tcp },
            direction: if outbound { Direction::Outbound } else { Direction::Inbound },
            allowed: allowed_flow || flows > 1,
            flows,
            nsg: Some(nsg.to_string()),
            resource_group: None,
            rule: String::new(),
            time: Some(0),
        })
}

fn aggregate() -> impl Strategy<Value = Aggregate> {
    prop::sample::select(vec![Aggregate::Subnet, Aggregate::Prefix, Aggregate::Ip])
}

/// The block of an address, written independently of the crate: its /24
/// subnet (web, app) at subnet granularity, else the address.
fn block(ip: u32, agg: Aggregate) -> Ipv4Net {
    let subnets = [Ipv4Net::parse("10.0.1.0/24").unwrap(), Ipv4Net::parse("10.0.2.0/24").unwrap()];
    match subnets.iter().find(|s| s.contains(ip)) {
        Some(s) if agg == Aggregate::Subnet => *s,
        _ => Ipv4Net::host(ip),
    }
}

fn run(flows: &[ObservedFlow], agg: Aggregate, min_flows: u64) -> Report {
    let inputs = Inputs { flows: flows.to_vec(), topology: topology(None), service_tags: None };
    recommend(&inputs, &Options { aggregate: agg, min_flows, window: None }).unwrap()
}

fn nets(a: &[Address]) -> Vec<Ipv4Net> {
    a.iter()
        .map(|x| match x {
            Address::Net(n) => *n,
            other => panic!("a recommended rule names {other}"),
        })
        .collect()
}

/// The observed blocks a rule's prefixes cover, asserting that the
/// prefixes hold no address outside them (sizes add up).
fn covered(prefixes: &[Ipv4Net], observed: &BTreeSet<Ipv4Net>) -> Vec<Ipv4Net> {
    let inside: Vec<Ipv4Net> =
        observed.iter().filter(|b| prefixes.iter().any(|p| p.contains_net(b))).copied().collect();
    let size: u64 = prefixes.iter().map(Ipv4Net::size).sum();
    assert_eq!(
        inside.iter().map(Ipv4Net::size).sum::<u64>(),
        size,
        "{prefixes:?} holds addresses outside {observed:?}"
    );
    inside
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// Every observed allowed flow is admitted by the recommended rules
    /// (the matcher, with a final deny), and the replay blocks none.
    #[test]
    fn every_allowed_flow_is_admitted(flows in prop::collection::vec(flow(), 1..40), agg in aggregate()) {
        let r = run(&flows, agg, 1);
        prop_assert!(r.blocked.is_empty(), "{:?}", r.blocked);
        // Each allowed flow is behind exactly one rule.
        let admitted: u64 = r.nsgs.iter().map(|n| n.flows_admitted()).sum();
        let behind: u64 = r.nsgs.iter().flat_map(|n| &n.rules).flat_map(|x| &x.pairs).map(|p| p.flows).sum();
        let allowed: u64 = flows.iter().filter(|f| f.allowed).map(|f| f.flows).sum();
        prop_assert_eq!((admitted, behind), (allowed, allowed));
        let tags = TagResolver::default();
        for f in flows.iter().filter(|f| f.allowed) {
            let n = r.nsgs.iter().find(|n| Some(&n.nsg) == f.nsg.as_ref()).expect("the flow's NSG has rules");
            let mut rules: Vec<_> = n.rules.iter().map(|r| r.rule.clone()).collect();
            rules.push(final_deny(Direction::Inbound));
            rules.push(final_deny(Direction::Outbound));
            let set = RuleSet::new(&n.nsg, rules);
            let decided = evaluate(&set, &f.key(), &tags).unwrap();
            prop_assert_eq!(decided.access, Access::Allow, "{:?} decided by {}", f, decided.name);
            prop_assert!(decided.protocol == f.protocol, "never `*`");
        }
    }

    /// No rule admits a (source, destination, port) outside the blocks it
    /// was derived from: every combination of its prefixes' blocks and
    /// ports was observed, and its prefixes hold nothing else.
    #[test]
    fn no_rule_admits_more_than_observed(flows in prop::collection::vec(flow(), 1..40), agg in aggregate()) {
        let r = run(&flows, agg, 1);
        for n in &r.nsgs {
            for rule in &n.rules {
                let rule = &rule.rule;
                let seen: BTreeSet<(Ipv4Net, Ipv4Net, u16)> = flows
                    .iter()
                    .filter(|f| f.allowed && f.nsg.as_deref() == Some(&n.nsg) && f.direction == rule.direction && f.protocol == rule.protocol)
                    .map(|f| (block(f.src, agg), block(f.dst, agg), f.port))
                    .collect();
                let src_blocks: BTreeSet<Ipv4Net> = seen.iter().map(|t| t.0).collect();
                let dst_blocks: BTreeSet<Ipv4Net> = seen.iter().map(|t| t.1).collect();
                let srcs = covered(&nets(&rule.sources), &src_blocks);
                let dsts = covered(&nets(&rule.destinations), &dst_blocks);
                for s in &srcs {
                    for d in &dsts {
                        for pr in &rule.destination_ports {
                            for p in pr.lo..=pr.hi {
                                prop_assert!(seen.contains(&(*s, *d, p)), "{} admits {s} -> {d}:{p}, never observed", rule.name);
                            }
                        }
                    }
                }
            }
        }
    }

    /// The same flows in another order, or split into more rows (smaller
    /// batches of the same traffic), give the same output.
    #[test]
    fn independent_of_order_and_batching(flows in prop::collection::vec(flow(), 1..30), agg in aggregate(), seed in any::<u64>()) {
        let base = render(&run(&flows, agg, 2), nta_recommend::Format::Json);
        let mut shuffled = flows.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&base, &render(&run(&shuffled, agg, 2), nta_recommend::Format::Json));
        let split: Vec<ObservedFlow> = shuffled
            .iter()
            .flat_map(|f| (0..f.flows).map(move |_| ObservedFlow { flows: 1, ..f.clone() }))
            .collect();
        prop_assert_eq!(&base, &render(&run(&split, agg, 2), nta_recommend::Format::Json));
    }
}

/// The matcher against Learn's documented behaviour ("How network security
/// groups filter network traffic"), through a topology: traffic from the
/// internet to a VM is denied by DenyAllInBound unless a rule allows it;
/// traffic between subnets of a VNet is allowed by AllowVnetInBound.
#[test]
fn matcher_on_a_topology() {
    let t: Topology = topology(Some(nsgs(&[(
        "nsg-web",
        serde_json::json!([{"name": "AllowHTTP", "properties": {"priority": 100, "access": "Allow", "direction": "Inbound",
            "protocol": "Tcp", "sourceAddressPrefix": "Internet", "destinationAddressPrefix": "*", "destinationPortRange": "80"}}]),
    )])));
    let set = RuleSet::from_nsg(&t.nsgs[0]);
    let tags = TagResolver::for_nsg(&t, "nsg-web", None);
    assert_eq!(tags.virtual_network, vec![Ipv4Net::parse("10.0.0.0/16").unwrap()]);
    let key = |src: &str, port| nta_azure::nsg::FlowKey {
        src: ip(src),
        dst: ip("10.0.1.4"),
        port,
        protocol: Protocol::Tcp,
        direction: Direction::Inbound,
    };
    assert_eq!(evaluate(&set, &key("8.8.8.8", 80), &tags).unwrap().name, "AllowHTTP");
    assert_eq!(evaluate(&set, &key("8.8.8.8", 443), &tags).unwrap().name, "DenyAllInBound");
    assert_eq!(evaluate(&set, &key("10.0.2.4", 443), &tags).unwrap().name, "AllowVnetInBound");
    assert_eq!(
        evaluate(&set, &key("10.0.2.4", 80), &tags).unwrap().name,
        "AllowVnetInBound",
        "10.0.2.4 is not Internet"
    );
}
