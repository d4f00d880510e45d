//! The executor: runs `kql-plan` programs over Arrow record batches.
//!
//! Expressions are evaluated a column at a time with Arrow kernels
//! (constants stay scalar); operators stream batches where they can. See
//! [`physical`] for how Kusto values are held in Arrow arrays.

mod columnar;
mod dynamic;
pub mod error;
mod eval;
mod functions;
mod keys;
pub mod limits;
mod moments;
mod ops;
mod output;
pub mod physical;
pub mod progress;
mod prune;
pub mod source;
pub mod spill;

pub use error::ExecError;
pub use limits::{Limits, MemoryPool};
pub use ops::Executor;
pub use output::{KUSTO_TYPE_KEY, ResultSet, run_program};
pub use progress::ScanProgress;
pub use source::{MemTables, ParquetTables, Partition, ScanPredicate, Stream, TableProvider};
