//! The `az` output: one `az network nsg rule create` command per rule,
//! with the parameters `az network nsg rule create --help` documents
//! (`--resource-group`, `--nsg-name`, `--name`, `--priority`,
//! `--direction`, `--access`, `--protocol`, `--source-address-prefixes`,
//! `--source-port-ranges`, `--destination-address-prefixes`,
//! `--destination-port-ranges`; list parameters take space-separated
//! values), POSIX-shell quoted.

use crate::recommend::Report;
use std::fmt::Write;

/// A word for a POSIX shell: as is when it holds only safe characters,
/// else in single quotes (a `'` written `'\''`).
pub fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_./:,=@+-%".contains(c);
    if !s.is_empty() && s.chars().all(safe) { s.to_string() } else { format!("'{}'", s.replace('\'', "'\\''")) }
}

/// `--format az`. An NSG whose resource group is unknown gets
/// `"$RESOURCE_GROUP"`, to be set before running the lines.
pub fn az(report: &Report) -> String {
    let mut out = String::from(
        "#!/bin/sh\n# Least-privilege NSG rules recommended by `ntaq recommend` from observed flows.\nset -e\n",
    );
    for n in &report.nsgs {
        let rg = match &n.resource_group {
            Some(rg) => shell_quote(rg),
            None => {
                out.push_str("# The resource group of this NSG is unknown: set RESOURCE_GROUP first.\n");
                "\"$RESOURCE_GROUP\"".to_string()
            }
        };
        let _ = writeln!(out, "\n# NSG {}: {} rules", n.nsg, n.rules.len());
        for r in &n.rules {
            let r = &r.rule;
            let words = |v: Vec<String>| v.iter().map(|s| shell_quote(s)).collect::<Vec<_>>().join(" ");
            let _ = writeln!(
                out,
                "az network nsg rule create --resource-group {rg} --nsg-name {} --name {} --priority {} --direction {} --access {} --protocol {} --source-address-prefixes {} --source-port-ranges {} --destination-address-prefixes {} --destination-port-ranges {}",
                shell_quote(&n.nsg),
                shell_quote(&r.name),
                r.priority,
                r.direction.as_str(),
                r.access.as_str(),
                shell_quote(r.protocol.as_str()),
                words(r.sources.iter().map(ToString::to_string).collect()),
                words(r.source_ports.iter().map(ToString::to_string).collect()),
                words(r.destinations.iter().map(ToString::to_string).collect()),
                words(r.destination_ports.iter().map(ToString::to_string).collect()),
            );
        }
        // The final deny the replay assumed: commented out, to be enabled
        // once the allow rules are in place and checked.
        for d in [nta_azure::nsg::Direction::Inbound, nta_azure::nsg::Direction::Outbound] {
            let deny = crate::replay::final_deny(d);
            let _ = writeln!(
                out,
                "# az network nsg rule create --resource-group {rg} --nsg-name {} --name {} --priority {} --direction {} --access Deny --protocol '*' --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes '*' --destination-port-ranges '*'",
                shell_quote(&n.nsg),
                deny.name,
                deny.priority,
                d.as_str(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("10.0.1.0/24"), "10.0.1.0/24");
        assert_eq!(shell_quote("*"), "'*'");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
