//! Table sources. A data directory is a catalog: `DIR/<Table>.parquet` is
//! one table, and so is `DIR/<Table>/` holding several `*.parquet` files.
//! Log Analytics text exports (CSV, JSON, JSON lines, gzip-compressed or
//! not) are tables too: [`datadir`] finds which files make up which table
//! (and [`datadir::load`] / [`datadir::convert`] take a path), [`ingest`]
//! types text exports — by a table's published schema when the caller gives
//! one — into Parquet held in memory, or into a Parquet file. Discovery
//! calls the readers, never the other way round.
//!
//! This crate knows Arrow and Parquet, not the parser or plans: the Kusto
//! types, their text forms and their Arrow mapping come from `kql-types`.
//! The result writers in [`output`] read each column's Kusto type from its
//! Arrow type and `kusto.type` field metadata.

pub mod cleanup;
pub mod datadir;
mod error;
pub mod ingest;
pub mod output;
mod parts;
mod scan;
mod table;

pub use datadir::DataDir;
pub use error::{BadValue, IoError};
pub use ingest::{IngestOptions, Skipped};
pub use output::{Destination, OutputError, OutputFormat, OutputOptions, Sink, SinkSummary, sink};
pub use parts::{PartReader, ScanFilter, ScanPart};
pub use scan::TableScan;
pub use table::{FileSource, TableFiles};
