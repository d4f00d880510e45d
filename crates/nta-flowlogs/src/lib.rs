//! Raw flow-log blobs (NSG flow logs v1/v2, VNet flow logs) as tables.
//!
//! - [`reader`]: folder trees of `PT1H.json` blobs → the `FlowTuples` table
//!   (one row per flow tuple, [`tuples`]), streaming, located errors.
//! - [`derive`]: `FlowTuples` → `NTANetAnalytics` and `NTAIpDetails`, following
//!   traffic analytics' documented aggregation, enriched from files the user
//!   provides ([`derive::Enrichment`]; the non-Azure inputs are read in [`enrich`]).

pub mod derive;
pub mod enrich;
pub mod error;
pub mod reader;
pub mod tuples;

pub use derive::{
    Budget, Derived, Enrichment, EnrichmentPaths, Interval, MemoryUse, Summary, Table, derive, derive_scan,
    derive_within,
};
pub use error::FlowLogError;
pub use reader::{
    Blob, BlobReport, Progress, ReadOptions, ReadSummary, TupleSink, find_blobs, read_blob, read_blobs, read_tree,
    sniff,
};
pub use tuples::FlowLogKind;
