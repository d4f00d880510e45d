//! Table sources. A data directory is a catalog: `DIR/<Table>.parquet` is
//! one table, and so is `DIR/<Table>/` holding several `*.parquet` files.
//!
//! This crate knows Arrow and Parquet only; mapping Arrow types to Kusto
//! types is the binder's business (`kql-plan`).

mod datadir;
mod error;
mod scan;

pub use datadir::{DataDir, TableFiles};
pub use error::IoError;
pub use scan::TableScan;
