//! Table sources. A data directory is a catalog: `DIR/<Table>.parquet` is
//! one table, and so is `DIR/<Table>/` holding several `*.parquet` files.
//!
//! This crate knows Arrow and Parquet only; mapping Arrow types to Kusto
//! types is the binder's business (`kql-plan`). The result writers in
//! [`output`] read each column's Kusto type from its `kusto.type` field
//! metadata and use `kql-syntax`'s datetime and timespan text forms.

mod datadir;
mod error;
pub mod output;
mod parts;
mod scan;

pub use datadir::{DataDir, FileSource, TableFiles};
pub use error::IoError;
pub use output::{Destination, OutputError, OutputFormat, OutputOptions, Sink, SinkSummary, sink};
pub use parts::{PartReader, ScanPart};
pub use scan::TableScan;
