//! Groups → the NTAIpDetails batch: one row per public address seen in a
//! processing interval ("Traffic analytics provides WHOIS data and
//! geographic location for all public IPs in your environment"), in
//! interval and address order.

use super::aggregate::Group;
use super::endpoint::PublicInfo;
use super::schema::{batch, strings, times};
use super::{Enrichment, Interval};
use crate::error::FlowLogError;
use arrow_array::{ArrayRef, Int32Array, RecordBatch};
use nta_azure::cidr::format_ipv4;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The table name.
pub const TABLE: &str = "NTAIpDetails";

/// The NTAIpDetails rows of the public addresses in `groups`.
pub fn table(groups: &[Group], enrichment: &Enrichment, interval: Interval) -> Result<RecordBatch, FlowLogError> {
    let seen: BTreeSet<(i64, u32)> = groups
        .iter()
        .flat_map(|g| g.src_public.keys().chain(g.dest_public.keys()).map(move |ip| (g.interval_start, ip)))
        .collect();
    let mut infos: HashMap<u32, PublicInfo<'_>> = HashMap::new();
    for (_, ip) in &seen {
        if !infos.contains_key(ip) {
            infos.insert(*ip, enrichment.public_info(*ip)?);
        }
    }
    let rows: Vec<(i64, u32, &PublicInfo<'_>)> = seen.iter().map(|(t, ip)| (*t, *ip, &infos[ip])).collect();
    let text = |f: &dyn Fn(&PublicInfo<'_>) -> String| strings(rows.iter().map(|r| f(r.2)));
    let threat = |f: &dyn Fn(&crate::enrich::Indicator) -> String| text(&|i| i.threat.map(f).unwrap_or_default());
    let mut derived: HashMap<&'static str, ArrayRef> = HashMap::new();
    derived.insert("Ip", strings(rows.iter().map(|r| format_ipv4(r.1))));
    derived.insert("FlowType", text(&|i| i.flow_type.to_string()));
    derived.insert("Location", text(&|i| i.location.clone()));
    derived.insert("PublicIpDetails", text(&|i| i.details.clone()));
    derived.insert("ThreatType", threat(&|t| t.threat_type.clone()));
    derived.insert("ThreatDescription", threat(&|t| t.threat_description.clone()));
    derived.insert("DnsDomain", threat(&|t| t.dns_domain.clone()));
    derived.insert("Url", threat(&|t| t.url.clone()));
    derived.insert("Port", Arc::new(rows.iter().map(|r| r.2.threat.and_then(|t| t.port)).collect::<Int32Array>()));
    derived.insert("FlowIntervalStartTime", times(rows.iter().map(|r| r.0)));
    derived.insert("FlowIntervalEndTime", times(rows.iter().map(|r| r.0 + interval.micros())));
    derived.insert("TimeGenerated", times(rows.iter().map(|r| r.0 + interval.micros())));
    derived.insert("FaSchemaVersion", strings(rows.iter().map(|_| "2")));
    derived.insert("SubType", strings(rows.iter().map(|_| "FlowLog")));
    derived.insert("Type", strings(rows.iter().map(|_| TABLE)));
    batch(TABLE, rows.len(), derived)
}
