//! Errors of reading flow-log blobs and deriving tables from them.

use miette::Diagnostic;
use std::path::PathBuf;
use thiserror::Error;

/// Errors of the flow-log stage (`flowlogs::…` codes).
#[derive(Debug, Error, Diagnostic)]
pub enum FlowLogError {
    /// A `FlowTuples` batch lacks a column, or has it with a type that cannot be read as the column's type.
    #[error("FlowTuples column `{column}`: {message}")]
    #[diagnostic(code(flowlogs::tuple_column), help("{help}"))]
    TupleColumn {
        /// The column.
        column: String,
        /// What is wrong.
        message: String,
        /// What would fix it (a "did you mean", or the expected type).
        help: String,
    },
    /// A tuple holds a value outside its column's documented set.
    #[error("FlowTuples batch {batch}, row {row}: {column} is `{value}`; expected {expected}")]
    #[diagnostic(code(flowlogs::tuple_value))]
    TupleValue {
        /// Index of the record batch (0-based).
        batch: usize,
        /// Row within the batch (0-based).
        row: usize,
        /// The column.
        column: &'static str,
        /// The value found.
        value: String,
        /// The values allowed.
        expected: &'static str,
    },
    /// A threat-intelligence file could not be read or has a bad entry.
    #[error("{}{}: {message}", path.display(), location.as_deref().map(|l| format!(":{l}")).unwrap_or_default())]
    #[diagnostic(code(flowlogs::threat_intel), help("{help}"))]
    ThreatIntel {
        /// The file.
        path: PathBuf,
        /// `line` or `line:column` (CSV, JSON text), or `[index]` of a JSON array element.
        location: Option<String>,
        /// What is wrong.
        message: String,
        /// What the file should look like.
        help: String,
    },
    /// A MaxMind database could not be opened or read.
    #[error("{}: {message}", path.display())]
    #[diagnostic(
        code(flowlogs::geoip),
        help(
            "expected a MaxMind DB file (`.mmdb`), e.g. GeoLite2-Country.mmdb, GeoLite2-City.mmdb or GeoLite2-ASN.mmdb"
        )
    )]
    GeoIp {
        /// The database.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A topology or service-tags input could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Azure(#[from] nta_azure::AzureError),
    /// The derived table does not match the built-in schema (a bug in ntaq).
    #[error("cannot build {table}: {message}")]
    #[diagnostic(code(flowlogs::schema))]
    Schema {
        /// NTANetAnalytics or NTAIpDetails.
        table: &'static str,
        /// What went wrong.
        message: String,
    },
}
