//! The `bicep` output: one `Microsoft.Network/networkSecurityGroups`
//! resource declaration per NSG with its recommended `securityRules`
//! (Bicep's documented form `resource SYMBOL 'TYPE@API' = { … }`; strings
//! in single quotes with `\'`, `\\` and `\${` escaped).

use crate::recommend::Report;
use nta_azure::nsg::SecurityRule;
use std::fmt::Write;

/// The API version the declarations use.
pub const API_VERSION: &str = "2023-09-01";

/// A Bicep string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::from("'");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A Bicep identifier from an NSG name: letters, digits and `_`, not
/// starting with a digit.
pub fn symbol(name: &str) -> String {
    let mut s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s.insert_str(0, "nsg_");
    }
    s
}

fn list(out: &mut String, indent: &str, key: &str, values: &[String], plural: &str) {
    match values {
        [one] => {
            let _ = writeln!(out, "{indent}{key}: {}", quote(one));
        }
        _ => {
            let _ = writeln!(out, "{indent}{plural}: [");
            for v in values {
                let _ = writeln!(out, "{indent}  {}", quote(v));
            }
            let _ = writeln!(out, "{indent}]");
        }
    }
}

fn rule(out: &mut String, r: &SecurityRule) {
    let i = "          ";
    let _ = writeln!(out, "      {{");
    let _ = writeln!(out, "        name: {}", quote(&r.name));
    let _ = writeln!(out, "        properties: {{");
    let _ = writeln!(out, "{i}priority: {}", r.priority);
    let _ = writeln!(out, "{i}access: {}", quote(r.access.as_str()));
    let _ = writeln!(out, "{i}direction: {}", quote(r.direction.as_str()));
    let _ = writeln!(out, "{i}protocol: {}", quote(r.protocol.as_str()));
    let text = |v: &[nta_azure::nsg::Address]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let ports = |v: &[nta_azure::nsg::PortRange]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    list(out, i, "sourceAddressPrefix", &text(&r.sources), "sourceAddressPrefixes");
    list(out, i, "sourcePortRange", &ports(&r.source_ports), "sourcePortRanges");
    list(out, i, "destinationAddressPrefix", &text(&r.destinations), "destinationAddressPrefixes");
    list(out, i, "destinationPortRange", &ports(&r.destination_ports), "destinationPortRanges");
    let _ = writeln!(out, "        }}");
    let _ = writeln!(out, "      }}");
}

/// `--format bicep`.
pub fn bicep(report: &Report) -> String {
    let mut out = String::new();
    out.push_str("// Least-privilege NSG rules recommended by `ntaq recommend` from observed flows.\n");
    out.push_str("// Review before deploying: declaring securityRules replaces the current rules of each NSG.\n");
    // Declared only when used (an unused parameter is a linter warning).
    if report.nsgs.iter().any(|n| n.location.is_none()) {
        out.push_str("param location string = resourceGroup().location\n");
    }
    let mut used: Vec<String> = Vec::new();
    for n in &report.nsgs {
        let mut sym = symbol(&n.nsg);
        let base = sym.clone();
        let mut k = 2;
        while used.contains(&sym) {
            sym = format!("{base}_{k}");
            k += 1;
        }
        used.push(sym.clone());
        let _ = writeln!(out, "\nresource {sym} 'Microsoft.Network/networkSecurityGroups@{API_VERSION}' = {{");
        let _ = writeln!(out, "  name: {}", quote(&n.nsg));
        match &n.location {
            Some(l) => {
                let _ = writeln!(out, "  location: {}", quote(l));
            }
            None => out.push_str("  location: location\n"),
        }
        out.push_str("  properties: {\n    securityRules: [\n");
        for r in &n.rules {
            rule(&mut out, &r.rule);
        }
        out.push_str("    ]\n  }\n}\n");
    }
    out
}
