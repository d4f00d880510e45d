//! Table sources. A data directory is a catalog: `DIR/<Table>.parquet` is
//! one table, and so is `DIR/<Table>/` holding several `*.parquet` files.
//! Log Analytics text exports (CSV, JSON, JSON lines, gzip-compressed or
//! not) are tables too: [`ingest`] types them — by a table's published schema
//! when the caller gives one — into Parquet held in memory, or converts
//! them into a Parquet file.
//!
//! This crate knows Arrow and Parquet only; mapping Arrow types to Kusto
//! types is the binder's business (`kql-plan`). The result writers in
//! [`output`] read each column's Kusto type from its `kusto.type` field
//! metadata and use `kql-syntax`'s datetime and timespan text forms.

mod datadir;
mod error;
pub mod ingest;
pub mod output;
mod parts;
mod scan;

pub use datadir::{DataDir, FileSource, TableFiles};
pub use error::{BadValue, IoError};
pub use ingest::{IngestOptions, Skipped};
pub use output::{Destination, OutputError, OutputFormat, OutputOptions, Sink, SinkSummary, sink};
pub use parts::{PartReader, ScanFilter, ScanPart};
pub use scan::TableScan;
