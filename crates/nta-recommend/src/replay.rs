//! The default-deny replay and the unused-rule report, both computed with
//! nta-azure's NSG matcher — the same one that evaluates exported rules.
//!
//! - **Blocked by default deny**: each NSG's recommended rules plus a
//!   final deny per direction (priority 4096, before Azure's default
//!   rules), replayed over every observed allowed pair of that NSG —
//!   including pairs set aside by `--min-flows`, which are exactly what
//!   such a deployment would break.
//! - **Default-only flows**: observed allowed flows whose deciding rule in
//!   the current NSG is a default rule or a broad one (source `*`,
//!   `0.0.0.0/0`, `Internet`, `VirtualNetwork`). With the NSG in the
//!   export, the matcher decides; without it, the flow's `AclRule` (a
//!   default rule's name, with or without `DefaultRule_`).
//! - **Unused rules**: user rules of the export with no hit in the window:
//!   no flow of that NSG names the rule in `AclRule` (with or without
//!   `UserRule_`), and the matcher chooses it for none of them.

use crate::recommend::{Attributed, Inputs, Pair, Report};
use nta_azure::nsg::{
    Access, Address, Direction, PortRange, Protocol, RuleSet, SecurityRule, TagResolver, default_rules, evaluate,
};
use std::collections::BTreeMap;

/// The deny rule that ends the recommended set in `direction`.
pub fn final_deny(direction: Direction) -> SecurityRule {
    SecurityRule {
        name: format!("deny-all-{}", direction.as_str().to_ascii_lowercase()),
        priority: crate::naming::LAST_PRIORITY,
        access: Access::Deny,
        direction,
        protocol: Protocol::Any,
        sources: vec![Address::Any],
        source_ports: vec![PortRange::ANY],
        destinations: vec![Address::Any],
        destination_ports: vec![PortRange::ANY],
        is_default: false,
        unsupported: None,
    }
}

/// Whether an `AclRule` value names one of Azure's default rules.
pub fn is_default_rule_name(rule: &str) -> bool {
    let r = rule.trim();
    let r = r.strip_prefix("DefaultRule_").unwrap_or(r);
    default_rules().iter().any(|d| d.name.eq_ignore_ascii_case(r))
}

/// Whether an `AclRule` value names `rule`.
fn names(acl_rule: &str, rule: &str) -> bool {
    let a = acl_rule.trim();
    let a = a.strip_prefix("UserRule_").or_else(|| a.strip_prefix("DefaultRule_")).unwrap_or(a);
    a.eq_ignore_ascii_case(rule)
}

pub(crate) fn replay(report: &mut Report, all_pairs: &[Pair], attributed: &[Attributed], inputs: &Inputs) {
    let topo = &inputs.topology;
    let tags_of = |nsg: &str| TagResolver::for_nsg(topo, nsg, inputs.service_tags.clone());
    let mut approximate = false;

    // Blocked by default deny.
    for n in &report.nsgs {
        let mut rules: Vec<SecurityRule> = n.rules.iter().map(|r| r.rule.clone()).collect();
        rules.push(final_deny(Direction::Inbound));
        rules.push(final_deny(Direction::Outbound));
        let set = RuleSet::new(&n.nsg, rules);
        let tags = tags_of(&n.nsg);
        for p in all_pairs.iter().filter(|p| p.nsg == n.nsg) {
            if evaluate(&set, &p.key(), &tags).is_none_or(|r| r.access == Access::Deny) {
                report.blocked.push(p.clone());
            }
        }
    }

    // Default-only flows, and hits of exported rules.
    let exported: BTreeMap<String, (RuleSet, TagResolver)> =
        topo.nsgs.iter().map(|n| (n.name.to_ascii_lowercase(), (RuleSet::from_nsg(n), tags_of(&n.name)))).collect();
    let mut hits: BTreeMap<(String, String), ()> = BTreeMap::new();
    let mut default_only: BTreeMap<crate::recommend::PairKey, u64> = BTreeMap::new();
    for a in attributed {
        let f = a.flow;
        let key = a.nsg.to_ascii_lowercase();
        let decided = match exported.get(&key) {
            Some((set, tags)) => {
                approximate |= tags.approximate;
                let chosen = evaluate(set, &f.key(), tags);
                if let Some(r) = chosen {
                    hits.insert((key.clone(), r.name.to_ascii_lowercase()), ());
                }
                if let Some(r) = set.rules.iter().find(|r| names(&f.rule, &r.name)) {
                    hits.insert((key.clone(), r.name.to_ascii_lowercase()), ());
                }
                chosen.is_some_and(|r| r.access == Access::Allow && (r.is_default || r.has_broad_source()))
            }
            None => is_default_rule_name(&f.rule),
        };
        if f.allowed && decided {
            *default_only.entry((a.nsg.clone(), f.direction, f.protocol, f.src, f.dst, f.port)).or_default() += f.flows;
        }
    }
    report.default_only = crate::recommend::pairs(default_only);

    // Unused rules.
    let mut names_sorted: Vec<&nta_azure::topology::Nsg> = topo.nsgs.iter().collect();
    names_sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for n in names_sorted {
        let key = n.name.to_ascii_lowercase();
        if let Some((set, _)) = exported.get(&key) {
            for r in set.user_rules() {
                if !hits.contains_key(&(key.clone(), r.name.to_ascii_lowercase())) {
                    report.unused.push((n.name.clone(), r.name.clone()));
                }
            }
            for e in &set.errors {
                report.notes.push(format!("NSG {}: {e}; the rule is left out of the evaluation", n.name));
            }
            for r in set.rules.iter().filter_map(|r| r.unsupported.as_ref().map(|u| (r, u))) {
                report.notes.push(format!("NSG {}: rule `{}` uses {}; it is never matched", n.name, r.0.name, r.1));
            }
        }
    }
    if approximate {
        report.notes.push(
            "the topology has no VNets: the VirtualNetwork tag is taken as the private ranges (RFC 1918, 100.64.0.0/10) and Internet as the rest".into(),
        );
    }
}
