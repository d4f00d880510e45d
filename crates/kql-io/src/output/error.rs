//! Output diagnostics: every message names where the output was going.

use miette::Diagnostic;
use std::fmt;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Where a sink writes: a file (named in messages) or a stream such as
/// standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Stream,
    File(PathBuf),
}

impl Target {
    pub fn path(&self) -> Option<&Path> {
        match self {
            Target::Stream => None,
            Target::File(p) => Some(p),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Stream => f.write_str("the output stream"),
            Target::File(p) => write!(f, "`{}`", p.display()),
        }
    }
}

#[derive(Debug, Error, Diagnostic)]
pub enum OutputError {
    #[error("unknown output format `{name}`")]
    #[diagnostic(
        code(kql::io::unknown_format),
        help("use one of: table, line, markdown, csv, json, ndjson, parquet, svg, html, dot, mermaid")
    )]
    UnknownFormat { name: String },

    #[error("cannot tell the output format from the file name `{}`", path.display())]
    #[diagnostic(
        code(kql::io::unknown_extension),
        help("name the file with one of {known}, or give the format (--format, .format)")
    )]
    UnknownExtension { path: PathBuf, known: String },

    #[error("cannot draw this chart: {reason}")]
    #[diagnostic(
        code(kql::unsupported::chart),
        help(
            "ntaq draws timechart, linechart, areachart, columnchart, barchart, piechart, scatterchart, table and card, with the properties title, xtitle, ytitle, xcolumn, ycolumns, series, kind (default, unstacked, stacked, stacked100), legend, accumulate, ymin, ymax and ysplit=none"
        )
    )]
    UnsupportedChart { reason: String },

    #[error("cannot draw the chart for {target}: {reason}")]
    #[diagnostic(
        code(kql::io::chart_data),
        help("name the columns with `render … with (xcolumn=…, ycolumns=…, series=…)`, or project the ones to draw")
    )]
    ChartData { target: Target, reason: String },

    #[error("an SVG chart needs a query that ends in `render`")]
    #[diagnostic(
        code(kql::io::no_chart),
        help(
            "end the query with `| render timechart` (or columnchart, piechart, …); --format html writes a table page without one"
        )
    )]
    NoChart,

    #[error("cannot write the flow graph: {reason}")]
    #[diagnostic(
        code(kql::io::graph),
        help(
            "the first two columns are the edges' endpoints; --edges SRC,DST names others, --weight COL a numeric column"
        )
    )]
    Graph { reason: String },

    #[error("{format} output needs a file")]
    #[diagnostic(
        code(kql::io::format_needs_file),
        help("pass --output FILE.parquet; Parquet is a binary format and cannot be streamed to a terminal")
    )]
    FormatNeedsFile { format: String },

    #[error("cannot write column `{column}` ({data_type}) to {target}: {reason}")]
    #[diagnostic(code(kql::io::unsupported_type))]
    UnsupportedType { column: String, data_type: String, target: Target, reason: String },

    #[error("a result batch does not match the output schema of {target}: {reason}")]
    #[diagnostic(code(kql::io::schema_mismatch), help("this is a bug in ntaq; please report it with the query"))]
    SchemaMismatch { target: Target, reason: String },

    #[error("cannot create the output file {target}: {source}")]
    #[diagnostic(code(kql::io::create), help("check that the directory exists and is writable"))]
    Create {
        target: Target,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write {target}: {source}")]
    #[diagnostic(code(kql::io::write))]
    Write {
        target: Target,
        #[source]
        source: std::io::Error,
    },

    /// The reader went away (`ntaq … | head`); the CLI ends quietly.
    #[error("{target} was closed by its reader (broken pipe)")]
    #[diagnostic(code(kql::io::broken_pipe))]
    BrokenPipe { target: Target },

    #[error("cannot encode the results for {target}: {reason}")]
    #[diagnostic(code(kql::io::encode))]
    Encode { target: Target, reason: String },

    #[error("cannot move the finished output into place at {target}: {source}")]
    #[diagnostic(
        code(kql::io::commit),
        help("the results were written to a temporary file beside it, which has been removed")
    )]
    Commit {
        target: Target,
        #[source]
        source: std::io::Error,
    },

    #[error("the output to {target} was abandoned after an earlier error")]
    #[diagnostic(code(kql::io::abandoned), help("nothing was written; see the first error"))]
    Abandoned { target: Target },
}

impl OutputError {
    /// True when the reader of a stream went away; the CLI stops quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, OutputError::BrokenPipe { .. })
    }

    /// An I/O failure while writing, with broken pipes as their own variant.
    pub(crate) fn io(target: &Target, source: std::io::Error) -> OutputError {
        if source.kind() == std::io::ErrorKind::BrokenPipe {
            OutputError::BrokenPipe { target: target.clone() }
        } else {
            OutputError::Write { target: target.clone(), source }
        }
    }
}
