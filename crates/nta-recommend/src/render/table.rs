//! The `table` output: a report for people.

use crate::recommend::{Pair, RecommendedRule, Report};
use nta_azure::cidr::format_ipv4;
use std::fmt::Write;

/// Pairs listed under a rule, and in each section, before `… N more`.
pub const SHOWN: usize = 10;

fn join<T: ToString>(v: &[T]) -> String {
    v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// `10.0.2.4 → 10.0.1.5:443/Tcp Inbound (12 flows)`.
pub fn pair_text(p: &Pair) -> String {
    format!(
        "{} -> {}:{}/{} {} ({} flow{})",
        format_ipv4(p.src),
        format_ipv4(p.dst),
        p.port,
        p.protocol.as_str(),
        p.direction.as_str(),
        p.flows,
        if p.flows == 1 { "" } else { "s" }
    )
}

fn grid(rows: &[Vec<String>]) -> String {
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            let _ = writeln!(out, "  {}", rule.join("  "));
        }
    }
    out
}

fn section(out: &mut String, title: &str, pairs: &[Pair], empty: &str) {
    let _ = writeln!(out, "\n{title}: {}", pairs.len());
    if pairs.is_empty() {
        let _ = writeln!(out, "  {empty}");
    }
    for p in pairs.iter().take(SHOWN) {
        let _ = writeln!(out, "  {} {}", p.nsg, pair_text(p));
    }
    if pairs.len() > SHOWN {
        let _ = writeln!(out, "  … {} more (--format json lists all)", pairs.len() - SHOWN);
    }
}

fn rule_rows(rules: &[RecommendedRule]) -> String {
    let mut rows = vec![
        ["Priority", "Name", "Direction", "Protocol", "Source", "Destination", "Ports", "Flows"]
            .map(String::from)
            .to_vec(),
    ];
    for r in rules {
        let s = &r.rule;
        rows.push(vec![
            s.priority.to_string(),
            s.name.clone(),
            s.direction.as_str().into(),
            s.protocol.as_str().into(),
            join(&s.sources),
            join(&s.destinations),
            join(&s.destination_ports),
            r.flows.to_string(),
        ]);
    }
    grid(&rows)
}

/// `--format table`.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let rules: usize = report.nsgs.iter().map(|n| n.rules.len()).sum();
    let _ = writeln!(
        out,
        "Recommended allow rules: {rules} in {} NSG(s) (--aggregate {}, --min-flows {}), from {} flows ({} in the window)",
        report.nsgs.len(),
        report.aggregate.as_str(),
        report.min_flows,
        report.flows_read,
        report.flows_in_window
    );
    if let Some((a, b)) = report.window {
        let t = kql_types::time::format_datetime;
        let _ = writeln!(out, "Window: {} (inclusive) to {} (exclusive)", t(a), t(b));
    }
    for n in &report.nsgs {
        let rg = n.resource_group.as_deref().map(|r| format!(" (resource group {r})")).unwrap_or_default();
        let _ = writeln!(out, "\nNSG {}{rg}: {} rules, {} flows admitted", n.nsg, n.rules.len(), n.flows_admitted());
        if n.rules.is_empty() {
            let _ = writeln!(out, "  (no rule: every allowed pair is below --min-flows)");
            continue;
        }
        out.push_str(&rule_rows(&n.rules));
        for r in &n.rules {
            let _ = writeln!(out, "  {} admits {} pair(s):", r.rule.name, r.pairs.len());
            for p in r.pairs.iter().take(SHOWN) {
                let _ = writeln!(out, "    {}", pair_text(p));
            }
            if r.pairs.len() > SHOWN {
                let _ = writeln!(out, "    … {} more", r.pairs.len() - SHOWN);
            }
        }
    }
    section(
        &mut out,
        "Blocked by default deny (recommended rules + a final deny)",
        &report.blocked,
        "none: every observed allowed flow is admitted",
    );
    section(&mut out, "Below --min-flows (left out of the rules)", &report.below_min_flows, "none");
    section(
        &mut out,
        "Allowed only by default or broad rules (*, Internet, VirtualNetwork)",
        &report.default_only,
        "none",
    );
    let _ = writeln!(out, "\nUnused rules (no hit in the window): {}", report.unused.len());
    if report.unused.is_empty() {
        let _ = writeln!(out, "  none (or no --nsg export given)");
    }
    for (n, r) in &report.unused {
        let _ = writeln!(out, "  {n}: {r}");
    }
    if !report.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for note in &report.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    out
}
