//! `FlowTuples` → `NTANetAnalytics` and `NTAIpDetails`, following traffic
//! analytics' documented aggregation ("Traffic analytics schema and data
//! aggregation", learn.microsoft.com/azure/network-watcher/traffic-analytics-schema).
//! Every column's rule is in docs/flow-logs-derived.md.
//!
//! - [`aggregate`]: tuples → one group per processing interval and
//!   aggregation key, streaming over the batches on every core, within a
//!   memory budget; [`grace`]: past the budget, partition by partition.
//! - [`endpoint`]: what an address is — public (Azure / external /
//!   malicious, with its region or country) or a place in the topology.
//! - [`flow_type`]: the FlowType of a row.
//! - [`net_analytics`], [`ip_details`]: the groups as the two tables.

pub mod aggregate;
pub mod endpoint;
pub mod flow_type;
pub mod grace;
pub mod input;
pub mod ip_details;
pub mod net_analytics;
mod notes;
pub mod public_ips;
mod schema;

use crate::enrich::{GeoIp, ThreatIntel};
use crate::error::FlowLogError;
use aggregate::{Aggregate, Folded, Held, Keyer};
use arrow_array::RecordBatch;
use grace::{Pass, Rows};
use kql_exec::MemoryPool;
use kql_exec::spill::SpillWriter;
use nta_azure::{ServiceTags, Topology};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

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
    /// `NTANetAnalytics` rows (the 93 columns of the built-in schema), one batch.
    pub net_analytics: Vec<RecordBatch>,
    /// `NTAIpDetails` rows (the 19 columns of the built-in schema), one batch.
    pub ip_details: Vec<RecordBatch>,
    /// Human-readable notes (said once by the CLI): one per missing
    /// enrichment input, naming the columns left empty, and one for the
    /// columns no input can fill.
    pub notes: Vec<String>,
    /// Number of tuples read.
    pub tuples: u64,
    /// The memory the derivation held.
    pub memory: MemoryUse,
}

/// What deriving into a sink read and held.
#[derive(Debug, Default)]
pub struct Summary {
    /// Notes on what could not be derived (see [`Derived::notes`]).
    pub notes: Vec<String>,
    /// Number of tuples read.
    pub tuples: u64,
    /// The memory the derivation held.
    pub memory: MemoryUse,
}

/// The memory a derivation held, as reserved (accounted, not measured:
/// the groups' and the distinct addresses' estimated bytes).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MemoryUse {
    /// Bytes the groups (or the distinct addresses) may take at once:
    /// the spilling share of `--max-memory`.
    pub share: u64,
    /// The most bytes held at once.
    pub peak_bytes: u64,
    /// The most groups held at once.
    pub peak_groups: u64,
    /// Spill partitions processed (0 when everything fitted).
    pub partitions: u64,
    /// Rows written to spill files (a row partitioned twice counts twice).
    pub spilled_rows: u64,
}

/// The memory budget of deriving: `--max-memory`, of which the groups may
/// take the share a spilling operator of a query takes
/// ([`MemoryPool::spill_share`]: half, at most 512 MiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Bytes (`--max-memory`).
    pub max_memory: u64,
}

impl Default for Budget {
    /// The default budget of a query (half the machine's memory).
    fn default() -> Self {
        Budget { max_memory: kql_exec::Limits::default().max_memory }
    }
}

impl Budget {
    /// The bytes the groups may take at once.
    pub fn share(&self) -> u64 {
        MemoryPool::new(self.max_memory).spill_share()
    }
}

/// One of the derived tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `NTANetAnalytics`.
    NetAnalytics,
    /// `NTAIpDetails`.
    IpDetails,
}

impl Table {
    /// Both, in the order they are written.
    pub const ALL: [Table; 2] = [Table::NetAnalytics, Table::IpDetails];

    /// The table's name.
    pub fn name(self) -> &'static str {
        match self {
            Table::NetAnalytics => net_analytics::TABLE,
            Table::IpDetails => ip_details::TABLE,
        }
    }

    /// The table's Arrow schema (the built-in one).
    pub fn schema(self) -> Result<arrow_schema::SchemaRef, FlowLogError> {
        schema::arrow_schema(self.name())
    }
}

/// Rows per derived batch handed to the sink.
pub const CHUNK_ROWS: usize = 8192;

/// Aggregates `FlowTuples` batches into the NTA tables, each one batch,
/// within the default budget. The result does not depend on how the
/// tuples are cut into batches or in which order they come.
pub fn derive(tuples: &[RecordBatch], enrichment: &Enrichment, interval: Interval) -> Result<Derived, FlowLogError> {
    derive_within(tuples, enrichment, interval, &Budget::default())
}

/// [`derive`] within `budget`: the same rows in the same order, whatever
/// the budget.
pub fn derive_within(
    tuples: &[RecordBatch],
    enrichment: &Enrichment,
    interval: Interval,
    budget: &Budget,
) -> Result<Derived, FlowLogError> {
    let mut out: [Vec<RecordBatch>; 2] = [Vec::new(), Vec::new()];
    let scan = || Ok(tuples.iter().cloned().map(Ok));
    let summary = derive_scan(scan, enrichment, interval, budget, &mut |t, b| -> Result<(), FlowLogError> {
        out[t as usize].push(b);
        Ok(())
    })?;
    let [na, ip] = out;
    let one = |t: Table, batches: Vec<RecordBatch>| -> Result<Vec<RecordBatch>, FlowLogError> {
        let schema = t.schema()?;
        let b = arrow_select::concat::concat_batches(&schema, &batches)
            .map_err(|e| FlowLogError::Schema { table: t.name(), message: e.to_string() })?;
        Ok(vec![b])
    };
    Ok(Derived {
        net_analytics: one(Table::NetAnalytics, na)?,
        ip_details: one(Table::IpDetails, ip)?,
        notes: summary.notes,
        tuples: summary.tuples,
        memory: summary.memory,
    })
}

/// Derives the NTA tables from the `FlowTuples` batches `scan` reads,
/// handing the rows to `sink` in batches of at most [`CHUNK_ROWS`] rows as
/// they are made: `NTANetAnalytics` rows first, then `NTAIpDetails`.
///
/// Memory is bounded by `budget`, not by the number of tuples or derived
/// rows: a batch per thread while reading, and the groups (or distinct
/// addresses) of one partition, at most [`Budget::share`] bytes as
/// reserved. `scan` is called again (and the tuples written to spill files
/// by partition, [`grace`]) only when the groups do not fit.
///
/// Row order: by a stable hash of the group's key (of the interval and
/// address, for `NTAIpDetails`), then by the key — the same for the same
/// tuples whatever the budget, the threads or the batches.
/// The first error of the scan, of a tuple or of the sink stops it.
pub fn derive_scan<S, I, E>(
    scan: S,
    enrichment: &Enrichment,
    interval: Interval,
    budget: &Budget,
    sink: &mut dyn FnMut(Table, RecordBatch) -> Result<(), E>,
) -> Result<Summary, E>
where
    S: Fn() -> Result<I, E> + Sync,
    I: Iterator<Item = Result<RecordBatch, E>> + Send,
    E: From<FlowLogError> + Send,
{
    let share = budget.share();
    let mut memory = MemoryUse { share, ..MemoryUse::default() };
    let spill = |e: kql_exec::ExecError| E::from(FlowLogError::from(e));
    let pool = MemoryPool::new(budget.max_memory);
    let mut pairs = SpillWriter::new(grace::OPERATOR, 1, &pool);
    let mut tuples = 0u64;
    let groups = GroupPass { enrichment, interval, share };
    let rows = || -> Result<Rows<'_, E>, E> { Ok(Box::new(scan()?)) };
    grace::run(&groups, &rows, budget.max_memory, &mut memory, &mut |agg: Aggregate| {
        tuples += agg.tuples;
        let sorted = agg.into_sorted();
        for chunk in sorted.chunks(CHUNK_ROWS) {
            let chunk: Vec<&aggregate::Group> = chunk.iter().map(|(_, _, g)| g).collect();
            sink(Table::NetAnalytics, net_analytics::table(&chunk, enrichment, interval)?)?;
            if let Some(b) = ip_details::pairs_of(&chunk) {
                pairs.push(0, b).map_err(spill)?;
            }
        }
        Ok(())
    })?;
    if let Some(file) = pairs.finish().map_err(spill)?.pop() {
        let rows = || -> Result<Rows<'_, E>, E> { Ok(Box::new(file.reread().map(|b| b.map_err(spill)))) };
        grace::run(&ip_details::Pairs { share }, &rows, budget.max_memory, &mut memory, &mut |held| {
            let held: Vec<(i64, u32)> = held.into_iter().map(|(_, t, ip)| (t, ip)).collect();
            for chunk in held.chunks(CHUNK_ROWS) {
                sink(Table::IpDetails, ip_details::table(chunk, enrichment, interval)?)?;
            }
            Ok(())
        })?;
    }
    Ok(Summary { notes: notes::notes(enrichment), tuples, memory })
}

/// The pass making the groups.
struct GroupPass<'e> {
    enrichment: &'e Enrichment,
    interval: Interval,
    share: u64,
}

impl<'e, E: From<FlowLogError> + Send> Pass<E> for GroupPass<'e> {
    type Held = Aggregate;
    type Hasher = Keyer<'e>;

    fn hold(&self, rows: Rows<'_, E>, force: bool, memory: &mut MemoryUse) -> Result<Option<Aggregate>, E> {
        let held = Held::new(self.share, force);
        let folded = aggregate::aggregate_stream(rows, self.enrichment, self.interval, &held)?;
        memory.peak_bytes = memory.peak_bytes.max(held.pool.peak());
        memory.peak_groups = memory.peak_groups.max(held.peak_groups.load(Ordering::Relaxed));
        Ok(match folded {
            Folded::Fits(agg) => Some(agg),
            Folded::Overflow => None,
        })
    }

    fn hasher(&self) -> Keyer<'e> {
        Keyer::new(self.enrichment, self.interval)
    }

    fn hashes(
        &self,
        keyer: &mut Keyer<'e>,
        index: usize,
        offset: usize,
        batch: &RecordBatch,
    ) -> Result<Vec<u64>, FlowLogError> {
        keyer.hashes(index, offset, batch)
    }
}

#[cfg(test)]
mod tests;
