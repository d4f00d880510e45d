//! `FlowTuples` → `NTANetAnalytics` and `NTAIpDetails`.
//!
//! (Contract only: the aggregation is being written.)

use crate::error::FlowLogError;
use arrow_array::RecordBatch;
use std::path::PathBuf;

/// Where the enrichment inputs are (each optional; see docs/flow-logs.md).
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

/// The loaded enrichment inputs.
#[derive(Debug, Default)]
pub struct Enrichment {}

impl Enrichment {
    /// Loads every input named in `paths`.
    pub fn load(_paths: &EnrichmentPaths) -> Result<Enrichment, FlowLogError> {
        Ok(Enrichment {})
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
    /// `NTANetAnalytics` rows.
    pub net_analytics: Vec<RecordBatch>,
    /// `NTAIpDetails` rows.
    pub ip_details: Vec<RecordBatch>,
    /// Human-readable notes (said once by the CLI): columns left empty for lack of enrichment, …
    pub notes: Vec<String>,
}

/// Aggregates `FlowTuples` batches into the NTA tables.
pub fn derive(_tuples: &[RecordBatch], _enrichment: &Enrichment, _interval: Interval) -> Result<Derived, FlowLogError> {
    Err(FlowLogError::NotDerived)
}
