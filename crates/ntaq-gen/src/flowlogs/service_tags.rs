//! A service-tags file in the shape of Microsoft's weekly
//! `ServiceTags_Public_YYYYMMDD.json` (`{"changeNumber", "cloud", "values":
//! [{"name", "id", "properties": {"changeNumber", "region", "regionId",
//! "platform", "systemService", "addressPrefixes", "networkFeatures"}}]}`)
//! whose tags cover exactly the topology's Azure public IP pool: for each
//! service a global tag and (most) a regional one, `AzureCloud` and
//! `AzureCloud.<region>`. Each address gets the widest prefix (a /24 at
//! most) that holds no other address of the topology's public pools, so no
//! external or malicious address is ever Azure.

use super::net::Net;
use crate::GenError;
use crate::topology::{REGIONS, Topology};
use crate::writer::{AtomicFile, io_err};
use chrono::{DateTime, Utc};
use nta_azure::cidr::Ipv4Net;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Services Microsoft publishes without regional tags.
const GLOBAL_ONLY: &[&str] = &["AzureActiveDirectory", "AzureFrontDoor.Frontend", "AzurePlatformDNS"];

/// `properties.systemService` of a tag.
fn system_service(tag: &str) -> &str {
    match tag {
        "Storage" => "AzureStorage",
        "Sql" => "AzureSQL",
        "AzureActiveDirectory" => "AzureAD",
        "EventHub" => "AzureEventHub",
        "AzureFrontDoor.Frontend" => "AzureFrontDoor",
        other => other,
    }
}

/// `westeurope` → `WestEurope`, as regional tag names spell regions.
fn region_title(region: &str) -> String {
    const WORDS: &[&str] = &[
        "southeast",
        "north",
        "south",
        "east",
        "west",
        "central",
        "europe",
        "us",
        "uk",
        "germany",
        "france",
        "sweden",
        "asia",
    ];
    let mut out = String::new();
    let mut rest = region;
    'outer: while !rest.is_empty() {
        for w in WORDS {
            if let Some(tail) = rest.strip_prefix(w) {
                match *w {
                    "us" | "uk" => out.push_str(&w.to_ascii_uppercase()),
                    _ => {
                        out.push(w.as_bytes()[0].to_ascii_uppercase() as char);
                        out.push_str(&w[1..]);
                    }
                }
                rest = tail;
                continue 'outer;
            }
        }
        // Digits and anything unknown stay as they are.
        let c = rest.chars().next().expect("non-empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn tag(name: &str, region: &str, system: &str, prefixes: &[Ipv4Net]) -> Value {
    let region_id = REGIONS.iter().position(|r| *r == region).map_or(0, |i| i + 1);
    let mut p: Vec<String> = prefixes.iter().map(ToString::to_string).collect();
    p.sort();
    p.dedup();
    json!({
        "id": name,
        "name": name,
        "properties": {
            "addressPrefixes": p,
            "changeNumber": 1,
            "networkFeatures": ["API", "NSG", "UDR", "FW"],
            "platform": "Azure",
            "region": region,
            "regionId": region_id,
            "systemService": system,
        },
    })
}

/// The prefix published for Azure address `i` of the pool.
fn prefix_of(net: &Net, topo: &Topology, i: usize, sorted: &[u32]) -> Ipv4Net {
    let ip = net.public_ip[i];
    if i == topo.azure.start {
        return Ipv4Net::host(ip);
    }
    for len in 24..=32u8 {
        let p = Ipv4Net::new(ip, len).expect("len ≤ 32");
        let lo = sorted.partition_point(|&x| x < p.first());
        let hi = sorted.partition_point(|&x| x <= p.last());
        if hi - lo <= 1 {
            return p;
        }
    }
    Ipv4Net::host(ip)
}

/// Writes `ServiceTags_Public_<start date>.json` into `dir`.
pub fn write(topo: &Topology, net: &Net, start: DateTime<Utc>, dir: &Path) -> Result<PathBuf, GenError> {
    let mut sorted = net.public_ip.clone();
    sorted.sort_unstable();
    let mut tags: BTreeMap<(String, String, String), Vec<Ipv4Net>> = BTreeMap::new();
    let mut add = |name: String, region: &str, system: &str, p: Ipv4Net| {
        tags.entry((name, region.to_string(), system.to_string())).or_default().push(p);
    };
    for i in topo.azure.clone() {
        let ip = &topo.public[i];
        let p = prefix_of(net, topo, i, &sorted);
        let regional = ip.location != "Global";
        add("AzureCloud".into(), "", "", p);
        if regional {
            add(format!("AzureCloud.{}", ip.location), ip.location, "", p);
        }
        let system = system_service(ip.service_tag);
        add(ip.service_tag.to_string(), "", system, p);
        if regional && !GLOBAL_ONLY.contains(&ip.service_tag) {
            add(format!("{}.{}", ip.service_tag, region_title(ip.location)), ip.location, system, p);
        }
    }
    let values: Vec<Value> = tags.iter().map(|((name, region, system), p)| tag(name, region, system, p)).collect();
    let mut doc = json!({"changeNumber": 1, "cloud": "Public", "values": values});
    // Keys sorted, as the bundled files have them (serde_json keeps the
    // order they were built in).
    doc.sort_all_objects();
    let path = dir.join(format!("ServiceTags_Public_{}.json", start.format("%Y%m%d")));
    let mut f = AtomicFile::create(&path)?;
    serde_json::to_writer_pretty(&mut f, &doc).map_err(|e| GenError::Io { path: path.clone(), source: e.into() })?;
    f.write_all(b"\n").map_err(io_err(&path))?;
    f.finish()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_titles() {
        assert_eq!(region_title("westeurope"), "WestEurope");
        assert_eq!(region_title("eastus2"), "EastUS2");
        assert_eq!(region_title("uksouth"), "UKSouth");
        assert_eq!(region_title("germanywestcentral"), "GermanyWestCentral");
        assert_eq!(region_title("southeastasia"), "SoutheastAsia");
    }
}
