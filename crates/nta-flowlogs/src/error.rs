//! Errors and warnings of reading flow-log blobs and deriving tables from them.
//!
//! Warnings (partial blobs, skipped records, skipped non-flow-log files) are
//! values of the same enum with `severity(Warning)`: the reader returns them
//! as data and the CLI reports each once.

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
    /// A spill file (groups past the memory budget) could not be written or read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Spill(#[from] kql_exec::ExecError),
    /// The derived table does not match the built-in schema (a bug in ntaq).
    #[error("cannot build {table}: {message}")]
    #[diagnostic(code(flowlogs::schema))]
    Schema {
        /// NTANetAnalytics or NTAIpDetails.
        table: &'static str,
        /// What went wrong.
        message: String,
    },

    /// A `--flow-logs` path that does not exist.
    #[error("flow-log folder {} does not exist", path.display())]
    #[diagnostic(
        code(flowlogs::not_found),
        help("give the folder `az storage blob download-batch` or azcopy downloaded the blobs into")
    )]
    NotFound { path: PathBuf },

    /// A file or folder that cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(flowlogs::unreadable))]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// No flow-log blob anywhere under the given paths.
    #[error("no flow-log blob under {paths} ({json_files} JSON file(s) looked at)")]
    #[diagnostic(
        code(flowlogs::none_found),
        help(
            "flow-log blobs are the PT1H.json files of the containers insights-logs-networksecuritygroupflowevent \
             (NSG flow logs) and insights-logs-flowlogflowevent (VNet flow logs); see docs/flow-logs.md"
        )
    )]
    NoneFound { paths: String, json_files: usize },

    /// JSON that is broken (not merely cut short) where a record was expected.
    #[error("{}: broken JSON at byte {offset} (record {record}): {reason}", path.display())]
    #[diagnostic(
        code(flowlogs::syntax),
        help("records before this point were read; with --lenient the rest of the file is skipped with a warning")
    )]
    Syntax { path: PathBuf, offset: u64, record: usize, reason: String },

    /// A record that is valid JSON but not a flow-log record ntaq understands.
    #[error("{}: bad flow-log record {record} at byte {offset}: {reason}", path.display())]
    #[diagnostic(code(flowlogs::bad_record), help("--lenient skips such records and counts them"))]
    BadRecord { path: PathBuf, offset: u64, record: usize, reason: String },

    /// Writing the tuples somewhere (the caller's sink) failed.
    #[error("cannot store the flow tuples of {}: {reason}", path.display())]
    #[diagnostic(code(flowlogs::output))]
    Output { path: PathBuf, reason: String },

    /// Warning: a blob that ends mid-record (an hour still being written).
    #[error(
        "{}: the blob ends at byte {offset} in the middle of record {record} (still being written?); \
         the {record} complete record(s) before it were read",
        path.display()
    )]
    #[diagnostic(code(flowlogs::partial_blob), severity(Warning))]
    PartialBlob { path: PathBuf, offset: u64, record: usize },

    /// Warning: the rest of a blob skipped after broken JSON (`--lenient`).
    #[error("{}: broken JSON at byte {offset}; the rest of the blob from record {record} is skipped (--lenient): {reason}", path.display())]
    #[diagnostic(code(flowlogs::skipped_rest), severity(Warning))]
    SkippedRest { path: PathBuf, offset: u64, record: usize, reason: String },

    /// Warning: malformed records skipped (`--lenient`).
    #[error("{}: {count} malformed record(s) skipped (--lenient); the first: {first}", path.display())]
    #[diagnostic(code(flowlogs::skipped_records), severity(Warning))]
    SkippedRecords { path: PathBuf, count: u64, first: String },

    /// Warning: JSON files that are not flow-log blobs.
    #[error("{count} JSON file(s) that are not flow-log blobs skipped: {first}")]
    #[diagnostic(code(flowlogs::not_flow_logs), severity(Warning))]
    NotFlowLogs { count: usize, first: String },
}
