//! `FlowTuples` → `NTANetAnalytics` and `NTAIpDetails`, following traffic
//! analytics' documented aggregation ("Traffic analytics schema and data
//! aggregation", learn.microsoft.com/azure/network-watcher/traffic-analytics-schema).
//! Every column's rule is in docs/flow-logs-derived.md.
//!
//! - [`aggregate`]: tuples → one group per processing interval and
//!   aggregation key, streaming over the batches on every core.
//! - [`endpoint`]: what an address is — public (Azure / external /
//!   malicious, with its region or country) or a place in the topology.
//! - [`flow_type`]: the FlowType of a row.
//! - [`net_analytics`], [`ip_details`]: the groups as the two tables.

pub mod aggregate;
pub mod endpoint;
pub mod flow_type;
pub mod input;
pub mod ip_details;
pub mod net_analytics;
mod notes;
pub mod public_ips;
mod schema;

use crate::enrich::{GeoIp, ThreatIntel};
use crate::error::FlowLogError;
use arrow_array::RecordBatch;
use nta_azure::{ServiceTags, Topology};
use std::path::PathBuf;

/// Where the enrichment inputs are (each optional; see docs/flow-logs-derived.md).
#[derive(Debug, Clone, Default)]
pub struct EnrichmentPaths {
    /// `--topology`: `az ... list -o json` files or folders.
    pub topology: Vec<PathBuf>,
    /// `--service-tags`: Microsoft's `ServiceTags_Public_*.json`.
    pub service_tags: Option<PathBuf>,
    /// `--threat-intel`: CSV or JSON indicators with NTAIpDetails column names.
    pub threat_intel: Option<PathBuf>,
    /// `--geoip`: a MaxMind-format `.mmdb` database.
    pub geoip: Option<PathBuf>,
}

/// The loaded enrichment inputs (each `None` when not given).
#[derive(Debug, Default)]
pub struct Enrichment {
    /// VNets, subnets, NICs, VMs, NSGs, gateways, sites.
    pub topology: Option<Topology>,
    /// Azure's published address ranges.
    pub service_tags: Option<ServiceTags>,
    /// The user's malicious addresses.
    pub threat_intel: Option<ThreatIntel>,
    /// Countries (and owners) of addresses.
    pub geoip: Option<GeoIp>,
}

impl Enrichment {
    /// Loads every input named in `paths`.
    pub fn load(paths: &EnrichmentPaths) -> Result<Enrichment, FlowLogError> {
        Ok(Enrichment {
            topology: if paths.topology.is_empty() { None } else { Some(Topology::load(&paths.topology)?) },
            service_tags: paths.service_tags.as_deref().map(ServiceTags::load).transpose()?,
            threat_intel: paths.threat_intel.as_deref().map(ThreatIntel::load).transpose()?,
            geoip: paths.geoip.as_deref().map(GeoIp::open).transpose()?,
        })
    }
}

/// Traffic analytics' processing interval (`--interval 10m|60m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interval {
    /// Every 10 minutes.
    Minutes10,
    /// Every 60 minutes (the default).
    #[default]
    Minutes60,
}

impl Interval {
    /// The interval's length in microseconds.
    pub fn micros(self) -> i64 {
        match self {
            Interval::Minutes10 => 600_000_000,
            Interval::Minutes60 => 3_600_000_000,
        }
    }

    /// The start of the interval holding `t` (µs since the epoch, UTC):
    /// intervals are aligned to the epoch, so to the hour (60m) or to
    /// :00, :10, … :50 (10m).
    pub fn start_of(self, t: i64) -> i64 {
        t.div_euclid(self.micros()) * self.micros()
    }
}

impl std::str::FromStr for Interval {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "10m" | "10" => Ok(Interval::Minutes10),
            "60m" | "60" | "1h" => Ok(Interval::Minutes60),
            _ => Err(format!("`{s}` is not a processing interval; use 10m or 60m")),
        }
    }
}

/// The derived tables, plus notes on what could not be derived.
#[derive(Debug, Default)]
pub struct Derived {
    /// `NTANetAnalytics` rows (the 93 columns of the built-in schema).
    pub net_analytics: Vec<RecordBatch>,
    /// `NTAIpDetails` rows (the 19 columns of the built-in schema).
    pub ip_details: Vec<RecordBatch>,
    /// Human-readable notes (said once by the CLI): one per missing
    /// enrichment input, naming the columns left empty, and one for the
    /// columns no input can fill.
    pub notes: Vec<String>,
    /// Number of tuples read.
    pub tuples: u64,
}

/// Aggregates `FlowTuples` batches into the NTA tables. The result does not
/// depend on how the tuples are cut into batches or in which order they come.
pub fn derive(tuples: &[RecordBatch], enrichment: &Enrichment, interval: Interval) -> Result<Derived, FlowLogError> {
    derive_stream(tuples.iter().cloned().map(Ok), enrichment, interval)
}

/// [`derive`] over a stream of `FlowTuples` batches (a table scan): each
/// batch is dropped once aggregated, so memory holds the groups — the
/// derived rows — and at most one batch per thread, never every tuple.
/// The stream's first error stops it and is returned.
pub fn derive_stream<I, E>(tuples: I, enrichment: &Enrichment, interval: Interval) -> Result<Derived, E>
where
    I: Iterator<Item = Result<RecordBatch, E>> + Send,
    E: From<FlowLogError> + Send,
{
    let agg = aggregate::aggregate_stream(tuples, enrichment, interval)?;
    let mut groups: Vec<(String, aggregate::Group)> = agg.groups.into_iter().collect();
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let groups: Vec<aggregate::Group> = groups.into_iter().map(|(_, g)| g).collect();
    let net_analytics = net_analytics::table(&groups, enrichment, interval)?;
    let ip_details = ip_details::table(&groups, enrichment, interval)?;
    Ok(Derived {
        net_analytics: vec![net_analytics],
        ip_details: vec![ip_details],
        notes: notes::notes(enrichment),
        tuples: agg.tuples,
    })
}

#[cfg(test)]
mod tests;
