//! Result writers ("sinks") for `ntaq run --format table|line|markdown|csv|json|ndjson|parquet|svg|html|dot|mermaid`.
//!
//! A sink takes the result's schema once and then its batches one at a time,
//! so a result of any size is written with bounded memory:
//!
//! ```
//! use arrow_array::{Int64Array, RecordBatch};
//! use kql_io::output::{Destination, OutputFormat, OutputOptions, sink};
//! use std::sync::Arc;
//!
//! let batch = RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![1, 2])) as _)]).unwrap();
//! let buffer = kql_io::output::SharedBuffer::default();
//! let mut out = sink(OutputFormat::Csv, batch.schema(), Destination::writer(buffer.clone()), &OutputOptions::default())?;
//! out.write(&batch)?;
//! let summary = out.finish()?;
//! assert_eq!(summary.rows, 2);
//! assert_eq!(buffer.contents(), "n\n1\n2\n");
//! # Ok::<(), kql_io::output::OutputError>(())
//! ```
//!
//! Columns are written by their Kusto type (field metadata `kusto.type`, or
//! the type the Arrow type maps to), in Kusto's conventions:
//!
//! | Kusto type | table / CSV ([`text`]) | JSON / NDJSON |
//! |---|---|---|
//! | bool | `true` | `true` |
//! | int, long | `42` | `42` |
//! | real | `1`, `0.5`, `1e300`, `NaN`, `Infinity` | `1.0`, `0.5`, `1e300`, `"NaN"`, `"Infinity"` |
//! | decimal | `1.50` (scale 18, the executor's: `1.5`) | the same |
//! | string, guid | the text | a string (`""` for a null string, `null` for a null guid) |
//! | datetime | `2025-06-01T08:09:10.25Z` | the same, as a string |
//! | timespan | `-1.02:03:04.5000000` | the same, as a string |
//! | dynamic | the JSON text (one line in tables) | the JSON value itself |
//!
//! Nulls are empty cells in CSV and tables and `null` in JSON.
//!
//! * **table**: a boxed grid (`table.rs`): control characters shown as
//!   escapes, numbers right-aligned, widths in terminal columns
//!   ([`width`]: 🖥️ is 2), fitted to [`OutputOptions::max_width`] by cutting
//!   cells with `…` (a path's last segment kept first), at most
//!   [`OutputOptions::max_rows`] rows then `… N more rows`; `(0 rows)` under
//!   the header of an empty result.
//! * **line**: one `Column = value` line per column and a blank line between
//!   records (duckdb's `.mode line`), values cut to the width; rows limited
//!   and counted as for the table.
//! * **markdown**: a GitHub pipe table, `|` in cells written `\|`, numbers
//!   right-aligned (`--:`), never cut; rows limited and counted.
//! * **csv**: a header row, RFC 4180 quoting, `\n` line ends: the bytes
//!   arrow-csv writes, from an encoder of our own (slices of each batch
//!   encoded on every core straight into buffers, `csv.rs`).
//! * **json**: `[`, one row object per line separated by `,`, `]`; `[]` when
//!   empty. **ndjson**: one row object per line, nothing when empty. Keys are
//!   in column order; arrow-json's writer with our encoders.
//! * **parquet**: Kusto's types natively (`Timestamp(ns, "UTC")`,
//!   `Duration(ns)`, `Decimal128`, dynamic as JSON text), `kusto.type` kept
//!   on every field, zstd, page statistics. Files only.
//! * **svg**, **html**, **dot**, **mermaid**: charts of a query ending in
//!   `render`, a page with the chart and the table, flow graphs of an edge
//!   list ([`chart`]).
//!
//! File destinations are written to a temporary file beside the target and
//! renamed into place by [`Sink::finish`]; an error or a dropped sink leaves
//! no file behind and an existing file untouched.

pub mod chart;
mod csv;
mod dest;
mod error;
mod json;
mod kusto;
mod line;
mod parquet;
mod table;
pub mod text;
pub mod width;

pub use dest::{Destination, Staging, write_bytes};
pub use error::{OutputError, Target};
pub use kusto::{KUSTO_TYPE_KEY, canonical_type, kusto_type_of_arrow, kusto_type_of_field};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use dest::Output;
use kusto::Layout;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// The output formats of `ntaq run --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OutputFormat {
    /// A pretty table for people (the default).
    #[default]
    Table,
    /// One `Column = value` line per column, records separated by a blank line.
    Line,
    /// A GitHub pipe table.
    Markdown,
    /// CSV with a header row.
    Csv,
    /// One JSON array of row objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A Parquet file (needs `--output FILE`).
    Parquet,
    /// The `render` chart as SVG.
    Svg,
    /// A self-contained HTML page: the chart (if any) and the table.
    Html,
    /// A Graphviz DOT flow graph of an edge list.
    Dot,
    /// A Mermaid flowchart of an edge list.
    Mermaid,
}

/// The file extensions that choose an output format, and the format's name.
pub const EXTENSIONS: &[(&str, &str)] = &[
    ("csv", "csv"),
    ("json", "json"),
    ("ndjson", "ndjson"),
    ("jsonl", "ndjson"),
    ("parquet", "parquet"),
    ("pq", "parquet"),
    ("md", "markdown"),
    ("txt", "table"),
    ("svg", "svg"),
    ("html", "html"),
    ("htm", "html"),
    ("dot", "dot"),
    ("gv", "dot"),
    ("mmd", "mermaid"),
];

impl OutputFormat {
    pub const ALL: [OutputFormat; 11] = [
        OutputFormat::Table,
        OutputFormat::Line,
        OutputFormat::Markdown,
        OutputFormat::Csv,
        OutputFormat::Json,
        OutputFormat::Ndjson,
        OutputFormat::Parquet,
        OutputFormat::Svg,
        OutputFormat::Html,
        OutputFormat::Dot,
        OutputFormat::Mermaid,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Line => "line",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Csv => "csv",
            OutputFormat::Json => "json",
            OutputFormat::Ndjson => "ndjson",
            OutputFormat::Parquet => "parquet",
            OutputFormat::Svg => "svg",
            OutputFormat::Html => "html",
            OutputFormat::Dot => "dot",
            OutputFormat::Mermaid => "mermaid",
        }
    }

    /// The format a file name implies (`out.csv`, `rows.jsonl`, `r.PARQUET`,
    /// `report.md`, `report.txt` for a table), if its extension is one of
    /// [`EXTENSIONS`].
    pub fn from_extension(path: impl AsRef<Path>) -> Option<OutputFormat> {
        let ext = path.as_ref().extension()?.to_str()?.to_ascii_lowercase();
        let (_, name) = EXTENSIONS.iter().find(|(e, _)| *e == ext)?;
        name.parse().ok()
    }

    /// The format for a file given without `--format`: from its extension;
    /// an extension that names no format (or none at all) is an error that
    /// lists the known ones.
    pub fn for_path(path: impl AsRef<Path>) -> Result<OutputFormat, OutputError> {
        let path = path.as_ref();
        if let Some(format) = OutputFormat::from_extension(path) {
            return Ok(format);
        }
        Err(OutputError::UnknownExtension { path: path.to_path_buf(), known: known_extensions() })
    }

    /// Parquet is binary and written with a footer: only to files.
    pub const fn needs_file(self) -> bool {
        matches!(self, OutputFormat::Parquet)
    }

    /// The formats for people, fitted to the terminal and cut at 100 rows
    /// by default: `table` and `line`.
    pub const fn for_people(self) -> bool {
        matches!(self, OutputFormat::Table | OutputFormat::Line)
    }

    /// The extension of a file of this format (`--output-dir`).
    pub const fn extension(self) -> &'static str {
        match self {
            OutputFormat::Table | OutputFormat::Line => "txt",
            OutputFormat::Markdown => "md",
            OutputFormat::Csv => "csv",
            OutputFormat::Json => "json",
            OutputFormat::Ndjson => "ndjson",
            OutputFormat::Parquet => "parquet",
            OutputFormat::Svg => "svg",
            OutputFormat::Html => "html",
            OutputFormat::Dot => "dot",
            OutputFormat::Mermaid => "mmd",
        }
    }
}

/// `.csv, .json, …` for messages.
fn known_extensions() -> String {
    EXTENSIONS.iter().map(|(e, _)| format!(".{e}")).collect::<Vec<_>>().join(" ")
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for OutputFormat {
    type Err = OutputError;

    /// The format names, case-insensitive; `jsonl` is accepted for `ndjson`
    /// and `md` for `markdown`.
    fn from_str(s: &str) -> Result<OutputFormat, OutputError> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "table" => OutputFormat::Table,
            "line" => OutputFormat::Line,
            "markdown" | "md" => OutputFormat::Markdown,
            "csv" => OutputFormat::Csv,
            "json" => OutputFormat::Json,
            "ndjson" | "jsonl" => OutputFormat::Ndjson,
            "parquet" => OutputFormat::Parquet,
            "svg" => OutputFormat::Svg,
            "html" | "htm" => OutputFormat::Html,
            "dot" | "gv" | "graphviz" => OutputFormat::Dot,
            "mermaid" | "mmd" => OutputFormat::Mermaid,
            _ => return Err(OutputError::UnknownFormat { name: s.to_string() }),
        })
    }
}

/// Options of the formats for people (`table`, `line`; `markdown` takes
/// only `max_rows`); the other formats have none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputOptions {
    /// Rows shown; the rest are counted in a `… N more rows` line.
    /// `usize::MAX` shows all (keeping them all in memory until the end).
    pub max_rows: usize,
    /// The width in terminal columns a table (or a `line` record) is fitted
    /// to, cutting cells with `…`; 0 = never cut. Markdown is never cut.
    pub max_width: usize,
    /// A second header line with each column's Kusto type (table format).
    pub show_types: bool,
    /// The table format of a `render` query draws a text chart above the
    /// table with these glyphs (`None`: no chart; files get none).
    pub text_chart: Option<chart::terminal::Glyphs>,
    /// The edge and weight columns of `dot` and `mermaid` graphs, and the
    /// HTML graph view (`view`, `max_edges`).
    pub graph: chart::graph::GraphOptions,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions { max_rows: 100, max_width: 0, show_types: false, text_chart: None, graph: Default::default() }
    }
}

/// What a finished sink wrote; the CLI reports rows and time itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkSummary {
    pub format: OutputFormat,
    /// Rows of the result.
    pub rows: u64,
    /// Rows in the output: all of them, except for a table, line or markdown
    /// output cut at `max_rows`.
    pub rows_written: u64,
    /// Bytes written.
    pub bytes: u64,
    /// The file written, for file destinations.
    pub path: Option<PathBuf>,
    /// What the user should know about the output (the edges a graph view
    /// left out), one sentence each.
    pub notes: Vec<String>,
}

/// A result writer: give it every batch, then finish it.
///
/// After an error the sink is abandoned (a file destination's temporary
/// file is removed at once) and later calls return
/// [`OutputError::Abandoned`]. Dropping a sink without finishing it leaves no
/// file behind.
pub trait Sink: Send {
    fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError>;

    /// Completes the output: closes the JSON array, writes the table or the
    /// Parquet footer, flushes, and moves a file into place.
    fn finish(self: Box<Self>) -> Result<SinkSummary, OutputError>;
}

/// A sink writing `format` to `dest`. Checks that every column of `schema`
/// can be written and that the format can go to the destination.
pub fn sink(
    format: OutputFormat,
    schema: SchemaRef,
    dest: Destination,
    opts: &OutputOptions,
) -> Result<Box<dyn Sink>, OutputError> {
    if format.needs_file() && !dest.is_file() {
        return Err(OutputError::FormatNeedsFile { format: format.to_string() });
    }
    let target = dest.target();
    let layout = Layout::new(&schema, &target)?;
    let out = Output::open(dest)?;
    let inner = match format {
        OutputFormat::Table => {
            let table = table::TableSink::new(
                out,
                layout.clone(),
                table::Style::Table,
                opts.max_rows,
                opts.max_width,
                opts.show_types,
            );
            let spec = opts.text_chart.and_then(|g| Some((g, chart::RenderSpec::from_schema(&schema)?)));
            Writer::Table(match spec {
                Some((glyphs, spec)) => table.with_chart(chart::terminal::TextChartState::new(
                    &spec,
                    chart::column_infos(&layout),
                    glyphs,
                    opts.max_width,
                )),
                None => table,
            })
        }
        OutputFormat::Markdown => {
            Writer::Table(table::TableSink::new(out, layout, table::Style::Markdown, opts.max_rows, 0, false))
        }
        OutputFormat::Line => Writer::Line(line::LineSink::new(out, layout, opts.max_rows, opts.max_width)),
        OutputFormat::Csv => Writer::Csv(csv::CsvSink::new(out, layout)),
        OutputFormat::Json => Writer::Json(json::JsonSink::new(out, layout)),
        OutputFormat::Ndjson => Writer::Ndjson(json::JsonSink::new(out, layout)),
        OutputFormat::Parquet => Writer::Parquet(parquet::ParquetSink::new(out, layout)?),
        OutputFormat::Html if opts.graph.view => Writer::Graph(chart::graph::GraphSink::new(
            out,
            layout,
            chart::graph::Syntax::Html(opts.graph.max_edges),
            &opts.graph,
        )?),
        OutputFormat::Svg | OutputFormat::Html => {
            let page = if format == OutputFormat::Svg { chart::Page::Svg } else { chart::Page::Html };
            Writer::Chart(chart::ChartSink::new(out, layout, page, chart::RenderSpec::from_schema(&schema))?)
        }
        OutputFormat::Dot | OutputFormat::Mermaid => {
            let syntax =
                if format == OutputFormat::Dot { chart::graph::Syntax::Dot } else { chart::graph::Syntax::Mermaid };
            Writer::Graph(chart::graph::GraphSink::new(out, layout, syntax, &opts.graph)?)
        }
    };
    Ok(Box::new(Guarded { inner: Some(inner), format, target }))
}

enum Writer {
    Table(table::TableSink),
    Line(line::LineSink),
    Csv(csv::CsvSink),
    Json(json::JsonSink<json::RowsArray>),
    Ndjson(json::JsonSink<arrow_json::writer::LineDelimited>),
    Parquet(parquet::ParquetSink),
    Chart(chart::ChartSink),
    Graph(chart::graph::GraphSink),
}

/// Drops the writer (and so the temporary file) at the first error.
struct Guarded {
    inner: Option<Writer>,
    format: OutputFormat,
    target: Target,
}

impl Sink for Guarded {
    fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        let Some(inner) = self.inner.as_mut() else {
            return Err(OutputError::Abandoned { target: self.target.clone() });
        };
        let result = match inner {
            Writer::Table(w) => w.write(batch),
            Writer::Line(w) => w.write(batch),
            Writer::Csv(w) => w.write(batch),
            Writer::Json(w) => w.write(batch),
            Writer::Ndjson(w) => w.write(batch),
            Writer::Parquet(w) => w.write(batch),
            Writer::Chart(w) => w.write(batch),
            Writer::Graph(w) => w.write(batch),
        };
        if result.is_err() {
            self.inner = None;
        }
        result
    }

    fn finish(self: Box<Self>) -> Result<SinkSummary, OutputError> {
        let Guarded { inner, format, target } = *self;
        let Some(inner) = inner else {
            return Err(OutputError::Abandoned { target });
        };
        let mut notes = Vec::new();
        let (out, rows, rows_written) = match inner {
            Writer::Table(w) => w.finish()?,
            Writer::Line(w) => w.finish()?,
            Writer::Csv(w) => with_all(w.finish()?),
            Writer::Json(w) => with_all(w.finish()?),
            Writer::Ndjson(w) => with_all(w.finish()?),
            Writer::Parquet(w) => with_all(w.finish()?),
            Writer::Chart(w) => with_all(w.finish()?),
            Writer::Graph(w) => {
                let (out, rows, said) = w.finish()?;
                notes = said;
                (out, rows, rows)
            }
        };
        let bytes = out.finish()?;
        Ok(SinkSummary { format, rows, rows_written, bytes, path: target.path().map(Path::to_path_buf), notes })
    }
}

fn with_all((out, rows): (Output, u64)) -> (Output, u64, u64) {
    (out, rows, rows)
}

/// Writes every batch and finishes: the whole job for callers that have the
/// batches at hand (tests, small results).
pub fn write_all<'a>(
    format: OutputFormat,
    schema: SchemaRef,
    dest: Destination,
    opts: &OutputOptions,
    batches: impl IntoIterator<Item = &'a RecordBatch>,
) -> Result<SinkSummary, OutputError> {
    let mut sink = sink(format, schema, dest, opts)?;
    for batch in batches {
        sink.write(batch)?;
    }
    sink.finish()
}

/// An in-memory destination that can be read after the sink is finished
/// (the sink owns its writer): for tests and for callers that want a string.
#[derive(Debug, Clone, Default)]
pub struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    /// The bytes written so far.
    pub fn bytes(&self) -> Vec<u8> {
        match self.0.lock() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The text written so far (invalid UTF-8 replaced).
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.0.lock() {
            Ok(mut v) => v.extend_from_slice(buf),
            Err(poisoned) => poisoned.into_inner().extend_from_slice(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
