//! Public addresses → NTAIpDetails batches: one row per public address
//! seen in a processing interval ("Traffic analytics provides WHOIS data
//! and geographic location for all public IPs in your environment").
//! The distinct (interval, address) pairs are found by a pass of their own
//! ([`Pairs`], within the budget like the groups), in the order of their
//! [`pair_hash`].

use super::MemoryUse;
use super::aggregate::Group;
use super::endpoint::PublicInfo;
use super::grace::{Pass, Rows};
use super::schema::{batch, strings, times};
use super::{Enrichment, Interval};
use crate::error::FlowLogError;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt32Type};
use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch, UInt32Array};
use kql_exec::MemoryPool;
use nta_azure::cidr::format_ipv4;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The table name.
pub const TABLE: &str = "NTAIpDetails";

/// The (interval start, public address) pairs of `groups`, repeats
/// included, as a batch of two columns (`None` when there is none).
pub fn pairs_of(groups: &[&Group]) -> Option<RecordBatch> {
    let (times, ips): (Vec<i64>, Vec<u32>) = groups
        .iter()
        .flat_map(|g| g.src_public.keys().chain(g.dest_public.keys()).map(move |ip| (g.interval_start, ip)))
        .unzip();
    if times.is_empty() {
        return None;
    }
    let columns: [(&str, ArrayRef); 2] =
        [("interval", Arc::new(Int64Array::from(times))), ("ip", Arc::new(UInt32Array::from(ips)))];
    RecordBatch::try_from_iter(columns).ok()
}

/// The stable hash (xxHash64, seed 0) of a pair, which orders the rows.
pub fn pair_hash(interval: i64, ip: u32) -> u64 {
    let mut bytes = [0u8; 12];
    bytes[..8].copy_from_slice(&interval.to_le_bytes());
    bytes[8..].copy_from_slice(&ip.to_le_bytes());
    twox_hash::XxHash64::oneshot(0, &bytes)
}

/// Bytes one distinct pair costs in its B-tree set, as reserved.
const PAIR_BYTES: u64 = 48;

fn pair_columns(batch: &RecordBatch) -> Result<(&Int64Array, &UInt32Array), FlowLogError> {
    let bad = || FlowLogError::Schema { table: TABLE, message: "a spilled batch of addresses is malformed".into() };
    let times = batch.column_by_name("interval").and_then(|a| a.as_primitive_opt::<Int64Type>()).ok_or_else(bad)?;
    let ips = batch.column_by_name("ip").and_then(|a| a.as_primitive_opt::<UInt32Type>()).ok_or_else(bad)?;
    Ok((times, ips))
}

/// The pass finding the distinct pairs, within `share` bytes.
pub struct Pairs {
    /// Bytes the distinct pairs may take.
    pub share: u64,
}

impl<E: From<FlowLogError>> Pass<E> for Pairs {
    /// `(hash, interval start, address)`, distinct, in order.
    type Held = Vec<(u64, i64, u32)>;
    type Hasher = ();

    fn hold(&self, rows: Rows<'_, E>, force: bool, memory: &mut MemoryUse) -> Result<Option<Self::Held>, E> {
        let pool = MemoryPool::new(self.share);
        let mut reserved = pool.reservation(super::grace::OPERATOR);
        let mut seen: BTreeSet<(u64, i64, u32)> = BTreeSet::new();
        let mut fits = true;
        'rows: for batch in rows {
            let batch = batch?;
            let (times, ips) = pair_columns(&batch)?;
            for (t, ip) in times.values().iter().zip(ips.values().iter()) {
                let pair = (pair_hash(*t, *ip), *t, *ip);
                if seen.contains(&pair) {
                    continue;
                }
                if force {
                    reserved.force_grow(PAIR_BYTES);
                } else if reserved.grow(PAIR_BYTES).is_err() {
                    fits = false;
                    break 'rows;
                }
                seen.insert(pair);
            }
        }
        memory.peak_bytes = memory.peak_bytes.max(pool.peak());
        Ok(fits.then(|| seen.into_iter().collect()))
    }

    fn hasher(&self) {}

    fn hashes(&self, _: &mut (), _: usize, _: usize, batch: &RecordBatch) -> Result<Vec<u64>, FlowLogError> {
        let (times, ips) = pair_columns(batch)?;
        Ok(times.values().iter().zip(ips.values().iter()).map(|(t, ip)| pair_hash(*t, *ip)).collect())
    }
}

/// The NTAIpDetails rows of `pairs` (interval start, public address), in their order.
pub fn table(pairs: &[(i64, u32)], enrichment: &Enrichment, interval: Interval) -> Result<RecordBatch, FlowLogError> {
    let mut infos: HashMap<u32, PublicInfo<'_>> = HashMap::new();
    for (_, ip) in pairs {
        if !infos.contains_key(ip) {
            infos.insert(*ip, enrichment.public_info(*ip)?);
        }
    }
    let rows: Vec<(i64, u32, &PublicInfo<'_>)> = pairs.iter().map(|(t, ip)| (*t, *ip, &infos[ip])).collect();
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
