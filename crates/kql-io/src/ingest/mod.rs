//! Log Analytics text exports as typed tables: the portal's CSV, the Azure
//! CLI's JSON array, data export's JSON lines (any of them gzip-compressed).
//!
//! A table's text files are read twice. The first pass learns the columns
//! (the union over the files, in the order first seen) and, for columns the
//! table's schema does not name, their types from the values
//! ([`typing::Guess`]); it reads only the header of a CSV file whose
//! columns are all in the schema. The second pass types every value and
//! writes batches: into Parquet held in memory, one buffer per file
//! ([`FileSource::Text`], scanned like any Parquet file), or into one
//! compressed Parquet file ([`convert`]).
//!
//! A value that does not fit its column's type, a CSV row with the wrong
//! number of fields and a broken JSON line are errors naming the file, the
//! line and the column; with [`IngestOptions::lenient`] such rows are left
//! out and counted instead ([`Skipped`]).

mod csv;
mod json;
pub(crate) mod typing;

pub use typing::parse_datetime;

use crate::datadir::{DataDir, FileSource, TableFiles};
use crate::error::IoError;
use crate::output::{OutputError, Target};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use kql_syntax::ScalarType;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use typing::{Cell, Guess, Parsed, Rows};

/// Rows per batch while typing, and per Parquet row group: big enough for
/// good compression and cheap footers, small enough that a scan can skip
/// row groups by their statistics and split a file between threads.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// How many skipped rows are described one by one.
const SKIPPED_SHOWN: usize = 3;

/// The kinds of files a table can be made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Parquet,
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of row objects, or JSON objects one per line.
    Json,
}

impl FileKind {
    /// The kind a file name says: `.parquet`, or `.csv`, `.json`, `.jsonl`,
    /// `.ndjson`, each optionally followed by `.gz` (case-insensitive).
    pub fn of_path(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".parquet") {
            return Some(FileKind::Parquet);
        }
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = Path::new(name).extension()?.to_str()?;
        match ext {
            "csv" => Some(FileKind::Csv),
            "json" | "jsonl" | "ndjson" => Some(FileKind::Json),
            _ => None,
        }
    }

    /// The kind of a file whose name says nothing, from its first bytes:
    /// Parquet's magic, JSON's `[` or `{` (after decompressing), else CSV.
    pub fn sniff(path: &Path) -> Result<FileKind, IoError> {
        let mut head = [0u8; 4];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|source| IoError::Unreadable { path: path.to_path_buf(), source })?;
        if &head[..n] == b"PAR1" {
            return Ok(FileKind::Parquet);
        }
        let mut input = open(path)?;
        let first = loop {
            let buf = input.fill_buf().map_err(|e| read_error(path, e))?;
            if buf.is_empty() {
                break None;
            }
            let skip = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if skip < buf.len() {
                break Some(buf[skip]);
            }
            let len = buf.len();
            input.consume(len);
        };
        Ok(match first {
            Some(b'[' | b'{') => FileKind::Json,
            _ => FileKind::Csv,
        })
    }

    pub fn is_text(self) -> bool {
        self != FileKind::Parquet
    }
}

/// The table a file stands for: its name without the format's extensions
/// (`NTANetAnalytics.json.gz` → `NTANetAnalytics`).
pub fn table_name_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let mut end = name.len();
    if lower.ends_with(".gz") {
        end -= 3;
    }
    let stem = &name[..end];
    let cut = Path::new(stem).extension().map_or(0, |e| e.len() + 1);
    Some(stem[..stem.len() - cut].to_string())
}

/// How text exports are read.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Leave out (and count) rows with a value that does not fit its
    /// column, a CSV row with the wrong number of fields, or a broken JSON
    /// line, instead of failing.
    pub lenient: bool,
    /// The column types of known tables (the published NTANetAnalytics and
    /// NTAIpDetails schemas): their text files are typed by these whatever
    /// the values look like. Other tables' types are inferred.
    pub schemas: BTreeMap<String, Vec<(String, ScalarType)>>,
}

impl IngestOptions {
    pub fn schema(&self, table: &str) -> Option<&[(String, ScalarType)]> {
        self.schemas.get(table).map(Vec::as_slice)
    }

    /// The table a file or folder name stands for: a known table's name
    /// matches whatever its case, and with the `am-` prefix of the
    /// containers Log Analytics data export writes to (`am-ntanetanalytics`).
    pub fn table_name(&self, raw: &str) -> String {
        let bare = match raw.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("am-") => &raw[3..],
            _ => raw,
        };
        self.schemas.keys().find(|k| k.eq_ignore_ascii_case(bare)).cloned().unwrap_or_else(|| raw.to_string())
    }
}

/// Rows of text files left out by [`IngestOptions::lenient`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    pub rows: u64,
    /// What was wrong with the first few, with file and line.
    pub first: Vec<String>,
}

impl Skipped {
    fn add(&mut self, why: &IoError) {
        self.rows += 1;
        if self.first.len() < SKIPPED_SHOWN {
            self.first.push(why.to_string());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

/// What reading a table's text files found.
#[derive(Debug, Clone, Default)]
pub struct TextReport {
    pub table: String,
    /// The columns written, with their Kusto types.
    pub columns: Vec<(String, ScalarType)>,
    pub rows: u64,
    pub skipped: Skipped,
    /// Columns of the table's schema that no file has.
    pub missing: Vec<String>,
    /// Columns left out: the `TableName` the Azure CLI adds to each row.
    pub dropped: Vec<String>,
}

/// A table of `files` (Parquet, or text exports typed into Parquet held in
/// memory; not both).
pub fn table(name: &str, files: Vec<(PathBuf, FileKind)>, opts: &IngestOptions) -> Result<TableFiles, IoError> {
    let parquet = files.iter().find(|(_, k)| !k.is_text());
    let text = files.iter().find(|(_, k)| k.is_text());
    match (parquet, text) {
        (Some((p, _)), Some((t, _))) => {
            Err(IoError::MixedFormats { table: name.to_string(), parquet: p.clone(), text: t.clone() })
        }
        (_, None) => TableFiles::read(name.to_string(), files.into_iter().map(|(p, _)| FileSource::Path(p)).collect()),
        (None, Some(_)) => {
            let mut sink = MemorySink { current: None, files: Vec::new() };
            let report = read_text(name, &files, opts, false, &mut sink)?;
            let mut t = TableFiles::read(name.to_string(), sink.files)?;
            t.skipped = report.skipped;
            Ok(t)
        }
    }
}

/// The tables at `path`: a file is one table (named `name`, else after the
/// file); a folder is one table `name` of all the table files under it, or
/// without `name` a data directory.
pub fn load(path: &Path, name: Option<&str>, opts: &IngestOptions) -> Result<Vec<TableFiles>, IoError> {
    let meta = std::fs::metadata(path).map_err(|source| IoError::Unreadable { path: path.to_path_buf(), source })?;
    if meta.is_file() {
        let kind = match FileKind::of_path(path) {
            Some(k) => k,
            None => FileKind::sniff(path)?,
        };
        let name = match name {
            Some(n) => n.to_string(),
            None => opts.table_name(&table_name_of(path).unwrap_or_else(|| "Table".into())),
        };
        return Ok(vec![table(&name, vec![(path.to_path_buf(), kind)], opts)?]);
    }
    match name {
        Some(name) => {
            let files = table_files_in(path)?;
            if files.is_empty() {
                return Err(IoError::NoTableFiles { path: path.to_path_buf() });
            }
            Ok(vec![table(name, files, opts)?])
        }
        None => Ok(DataDir::open_with(path, opts)?.tables),
    }
}

/// The table files under `dir` and its sub-folders (data export nests its
/// blobs in `y=…/m=…/d=…/` folders), sorted; hidden ones left out.
pub fn table_files_in(dir: &Path) -> Result<Vec<(PathBuf, FileKind)>, IoError> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| IoError::Unreadable { path: d.clone(), source })?;
        for entry in entries {
            let entry = entry.map_err(|source| IoError::Unreadable { path: d.clone(), source })?;
            let p = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                pending.push(p);
            } else if let Some(kind) = FileKind::of_path(&p) {
                out.push((p, kind));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// What [`convert`] wrote.
#[derive(Debug, Clone)]
pub struct ConvertSummary {
    pub report: TextReport,
    pub files: usize,
    pub row_groups: usize,
    pub bytes: u64,
}

/// Reads the text exports `inputs` (files, or folders of them) as table
/// `table` and writes one Parquet file: the table's columns typed (for a
/// known table all its schema's columns, in order, those the files lack
/// empty, then any others), zstd-compressed, row groups of
/// [`ROW_GROUP_ROWS`] rows with page statistics, and `kusto.type` on each
/// field. `output` (and its folder, if missing) is created, or replaced only
/// when complete.
pub fn convert(
    table: &str,
    inputs: &[PathBuf],
    output: &Path,
    opts: &IngestOptions,
) -> Result<ConvertSummary, IoError> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| IoError::Unreadable { path: input.clone(), source })?;
        let found = if meta.is_dir() {
            let found = table_files_in(input)?;
            if found.is_empty() {
                return Err(IoError::NoTableFiles { path: input.clone() });
            }
            found
        } else {
            let kind = match FileKind::of_path(input) {
                Some(k) => k,
                None => FileKind::sniff(input)?,
            };
            vec![(input.clone(), kind)]
        };
        for (path, kind) in found {
            if !kind.is_text() {
                return Err(IoError::AlreadyParquet { path });
            }
            files.push((path, kind));
        }
    }
    let mut sink = FileSink::new(output)?;
    let report = read_text(table, &files, opts, true, &mut sink)?;
    let (row_groups, bytes) = sink.finish(report.columns.as_slice())?;
    Ok(ConvertSummary { report, files: files.len(), row_groups, bytes })
}

/// A file opened for reading, decompressed if it starts like gzip.
pub(crate) fn open(path: &Path) -> Result<Box<dyn BufRead>, IoError> {
    let file = std::fs::File::open(path).map_err(|source| IoError::Unreadable { path: path.to_path_buf(), source })?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let head = reader.fill_buf().map_err(|e| read_error(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(reader))))
    } else {
        Ok(Box::new(reader))
    }
}

/// The whole (decompressed) file.
pub(crate) fn read_all(path: &Path) -> Result<Vec<u8>, IoError> {
    let mut bytes = Vec::new();
    open(path)?.read_to_end(&mut bytes).map_err(|e| read_error(path, e))?;
    Ok(bytes)
}

/// A failure reading (or decompressing) a file.
pub(crate) fn read_error(path: &Path, source: std::io::Error) -> IoError {
    IoError::Unreadable { path: path.to_path_buf(), source }
}

/// One record of a text file.
pub(crate) enum Row<'a> {
    /// A CSV record, as many fields as the header has.
    Csv(&'a ::csv::StringRecord),
    /// A JSON object's entries in the file's order.
    Json(&'a [(String, serde_json::Value)]),
}

/// What the readers feed.
pub(crate) trait Visitor {
    /// A CSV file's column names; `false` if its rows are not needed.
    fn header(&mut self, names: &[String]) -> Result<bool, IoError>;
    /// A record starting on `line`.
    fn row(&mut self, line: u64, row: Row<'_>) -> Result<(), IoError>;
    /// A record that cannot be read (a ragged CSV row, a broken JSON line):
    /// an error, or with `--lenient` one more skipped row.
    fn broken(&mut self, error: IoError) -> Result<(), IoError>;
}

fn read_file(path: &Path, kind: FileKind, v: &mut dyn Visitor) -> Result<(), IoError> {
    match kind {
        FileKind::Csv => csv::read(path, v),
        FileKind::Json => json::read(path, v),
        FileKind::Parquet => Err(IoError::AlreadyParquet { path: path.to_path_buf() }),
    }
}

/// The columns of a table's text files and their types.
struct Layout {
    columns: Vec<(String, ScalarType)>,
    missing: Vec<String>,
    dropped: Vec<String>,
}

/// The first pass: columns and, where no schema says, types.
struct Discover<'a> {
    schema: Option<&'a [(String, ScalarType)]>,
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// `None`: typed by the schema.
    guesses: Vec<Option<Guess>>,
    header: Vec<usize>,
    /// Every `TableName` seen is the Azure CLI's `PrimaryResult`.
    cli_table_name: Option<bool>,
}

impl Discover<'_> {
    fn column(&mut self, name: &str) -> usize {
        if let Some(&k) = self.index.get(name) {
            return k;
        }
        let typed = self.schema.is_some_and(|s| s.iter().any(|(n, _)| n == name));
        self.names.push(name.to_string());
        self.guesses.push(if typed { None } else { Some(Guess::Empty) });
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }
}

impl Visitor for Discover<'_> {
    fn header(&mut self, names: &[String]) -> Result<bool, IoError> {
        self.header = names.iter().map(|n| self.column(n)).collect();
        Ok(self.header.iter().any(|&k| self.guesses[k].is_some()))
    }

    fn row(&mut self, _line: u64, row: Row<'_>) -> Result<(), IoError> {
        match row {
            Row::Csv(record) => {
                for (field, &k) in record.iter().zip(&self.header) {
                    if let Some(g) = &mut self.guesses[k] {
                        *g = g.see(Cell::Text(field));
                    }
                }
            }
            Row::Json(map) => {
                for (key, value) in map {
                    if key == "TableName" {
                        let cli = value.as_str() == Some("PrimaryResult");
                        self.cli_table_name = Some(self.cli_table_name.unwrap_or(true) && cli);
                    }
                    let k = self.column(key);
                    if let Some(g) = &mut self.guesses[k] {
                        *g = g.see(Cell::Json(value));
                    }
                }
            }
        }
        Ok(())
    }

    /// Reported by the second pass.
    fn broken(&mut self, _error: IoError) -> Result<(), IoError> {
        Ok(())
    }
}

fn discover(
    table: &str,
    files: &[(PathBuf, FileKind)],
    opts: &IngestOptions,
    fill_missing: bool,
) -> Result<Layout, IoError> {
    let schema = opts.schema(table);
    let mut d = Discover {
        schema,
        names: Vec::new(),
        index: HashMap::new(),
        guesses: Vec::new(),
        header: Vec::new(),
        cli_table_name: None,
    };
    for (path, kind) in files {
        read_file(path, *kind, &mut d)?;
    }
    let type_of = |k: usize| match d.guesses[k] {
        Some(g) => g.kusto_type(),
        None => schema.and_then(|s| s.iter().find(|(n, _)| *n == d.names[k])).map_or(ScalarType::String, |c| c.1),
    };
    let dropped: Vec<String> = match (d.cli_table_name, d.index.get("TableName")) {
        (Some(true), Some(&k)) if d.guesses[k].is_some() => vec!["TableName".to_string()],
        _ => Vec::new(),
    };
    let present: Vec<(String, ScalarType)> = (0..d.names.len())
        .filter(|&k| !dropped.contains(&d.names[k]))
        .map(|k| (d.names[k].clone(), type_of(k)))
        .collect();
    let missing: Vec<String> =
        schema.unwrap_or_default().iter().filter(|(n, _)| !d.index.contains_key(n)).map(|(n, _)| n.clone()).collect();
    let columns = match schema {
        Some(s) if fill_missing => {
            let mut all = s.to_vec();
            all.extend(present.into_iter().filter(|(n, _)| !s.iter().any(|(m, _)| m == n)));
            all
        }
        _ => present,
    };
    Ok(Layout { columns, missing, dropped })
}

/// Where typed batches go, file by file.
trait BatchSink {
    fn begin(&mut self, path: &Path, schema: &SchemaRef) -> Result<(), IoError>;
    fn write(&mut self, batch: RecordBatch) -> Result<(), IoError>;
    fn end(&mut self) -> Result<(), IoError>;
}

/// The second pass: every value typed, rows batched into the sink.
struct Build<'a> {
    table: &'a str,
    path: PathBuf,
    names: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
    typed_by_schema: Vec<bool>,
    header: Vec<Option<usize>>,
    rows: Rows,
    lenient: bool,
    skipped: Skipped,
    total: u64,
    sink: &'a mut dyn BatchSink,
}

impl Build<'_> {
    fn bad_value(&self, line: u64, k: usize, cell: Cell<'_>, reason: String) -> IoError {
        let ty = self.rows.types[k];
        let value = match cell {
            Cell::Null => String::new(),
            Cell::Text(s) => s.to_string(),
            Cell::Json(serde_json::Value::String(s)) => s.clone(),
            Cell::Json(v) => v.to_string(),
        };
        let example = match ty {
            ScalarType::DateTime => "ISO 8601 (2025-06-01T00:00:00Z) or the portal's 6/1/2025, 12:00:00.000 AM, in UTC",
            ScalarType::Timespan => "a timespan such as 01:30:00 or 1.02:00:00",
            ScalarType::Bool => "true or false",
            ScalarType::Int | ScalarType::Long => "a whole number",
            ScalarType::Real | ScalarType::Decimal => "a number such as 1.5",
            ScalarType::Guid => "a GUID such as 74be27de-1e4e-49d9-b579-fe0b331d3642",
            ScalarType::String | ScalarType::Dynamic => "a value",
        };
        let source = if self.typed_by_schema[k] {
            format!("`{}` is a {ty} column of the published {} schema", self.names[k], self.table)
        } else {
            format!("`{}` is a {ty} column", self.names[k])
        };
        IoError::BadValue(Box::new(crate::error::BadValue {
            table: self.table.to_string(),
            path: self.path.clone(),
            line,
            column: self.names[k].to_string(),
            ty: ty.to_string(),
            value,
            reason,
            help: format!("{source}: write {example}, leave it empty for null, or pass --lenient to skip such rows"),
        }))
    }

    fn flush(&mut self) -> Result<(), IoError> {
        if self.rows.len > 0 {
            let batch = self.rows.take();
            self.sink.write(batch)?;
        }
        Ok(())
    }
}

impl Visitor for Build<'_> {
    fn header(&mut self, names: &[String]) -> Result<bool, IoError> {
        self.header = names.iter().map(|n| self.index.get(n.as_str()).copied()).collect();
        Ok(true)
    }

    fn row(&mut self, line: u64, row: Row<'_>) -> Result<(), IoError> {
        let mut cells = vec![Cell::Null; self.names.len()];
        match row {
            Row::Csv(record) => {
                for (field, k) in record.iter().zip(&self.header) {
                    if let Some(k) = k {
                        cells[*k] = Cell::Text(field);
                    }
                }
            }
            Row::Json(map) => {
                for (key, value) in map {
                    if let Some(&k) = self.index.get(key.as_str()) {
                        cells[k] = Cell::Json(value);
                    }
                }
            }
        }
        let mut parsed: Vec<Parsed<'_>> = Vec::with_capacity(cells.len());
        for (k, cell) in cells.iter().enumerate() {
            match typing::parse(self.rows.types[k], *cell) {
                Ok(v) => parsed.push(v),
                Err(reason) => {
                    let e = self.bad_value(line, k, *cell, reason);
                    return self.broken(e);
                }
            }
        }
        self.rows.push(parsed);
        self.total += 1;
        if self.rows.len >= ROW_GROUP_ROWS { self.flush() } else { Ok(()) }
    }

    fn broken(&mut self, error: IoError) -> Result<(), IoError> {
        if self.lenient {
            self.skipped.add(&error);
            Ok(())
        } else {
            Err(error)
        }
    }
}

/// Both passes over a table's text files, in order, into `sink`.
fn read_text(
    table: &str,
    files: &[(PathBuf, FileKind)],
    opts: &IngestOptions,
    fill_missing: bool,
    sink: &mut dyn BatchSink,
) -> Result<TextReport, IoError> {
    let layout = discover(table, files, opts, fill_missing)?;
    let schema = opts.schema(table);
    let rows = Rows::new(&layout.columns);
    let arrow_schema = rows.schema();
    let mut b = Build {
        table,
        path: PathBuf::new(),
        names: layout.columns.iter().map(|(n, _)| n.as_str()).collect(),
        index: layout.columns.iter().enumerate().map(|(k, (n, _))| (n.as_str(), k)).collect(),
        typed_by_schema: layout
            .columns
            .iter()
            .map(|(n, _)| schema.is_some_and(|s| s.iter().any(|(m, _)| m == n)))
            .collect(),
        header: Vec::new(),
        rows,
        lenient: opts.lenient,
        skipped: Skipped::default(),
        total: 0,
        sink,
    };
    for (path, kind) in files {
        b.path = path.clone();
        b.sink.begin(path, &arrow_schema)?;
        read_file(path, *kind, &mut b)?;
        b.flush()?;
        b.sink.end()?;
    }
    Ok(TextReport {
        table: table.to_string(),
        rows: b.total,
        skipped: b.skipped,
        columns: layout.columns,
        missing: layout.missing,
        dropped: layout.dropped,
    })
}

fn encode_error(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::Output(OutputError::Encode { target: Target::File(path.to_path_buf()), reason: e.to_string() })
}

/// Each text file as Parquet in memory (fast to write, dictionary-encoded
/// and snappy-compressed so a big export takes little memory).
struct MemorySink {
    current: Option<(PathBuf, ArrowWriter<Vec<u8>>)>,
    files: Vec<FileSource>,
}

impl BatchSink for MemorySink {
    fn begin(&mut self, path: &Path, schema: &SchemaRef) -> Result<(), IoError> {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer =
            ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props)).map_err(|e| encode_error(path, e))?;
        self.current = Some((path.to_path_buf(), writer));
        Ok(())
    }

    fn write(&mut self, batch: RecordBatch) -> Result<(), IoError> {
        if let Some((path, w)) = &mut self.current {
            w.write(&batch).map_err(|e| encode_error(path, e))?;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), IoError> {
        if let Some((path, w)) = self.current.take() {
            let data = w.into_inner().map_err(|e| encode_error(&path, e))?;
            self.files.push(FileSource::Text { path, data: Bytes::from(data) });
        }
        Ok(())
    }
}

/// One Parquet file for all the inputs, written beside `target` under a
/// temporary name and renamed into place by `finish`.
struct FileSink {
    target: PathBuf,
    writer: Option<ArrowWriter<tempfile::NamedTempFile>>,
}

impl FileSink {
    fn new(target: &Path) -> Result<FileSink, IoError> {
        Ok(FileSink { target: target.to_path_buf(), writer: None })
    }

    fn props() -> WriterProperties {
        WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).expect("3 is a valid zstd level")))
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build()
    }

    fn create(&mut self, schema: &SchemaRef) -> Result<(), IoError> {
        let target = Target::File(self.target.clone());
        let dir = match self.target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|source| OutputError::Create { target: target.clone(), source })?;
        let tmp = tempfile::Builder::new()
            .prefix(".ntaq-convert-")
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(|source| OutputError::Create { target: target.clone(), source })?;
        let writer = ArrowWriter::try_new(tmp, schema.clone(), Some(Self::props()))
            .map_err(|e| encode_error(&self.target, e))?;
        self.writer = Some(writer);
        Ok(())
    }

    /// Writes the footer and moves the file into place; returns its row
    /// groups and size.
    fn finish(mut self, columns: &[(String, ScalarType)]) -> Result<(usize, u64), IoError> {
        if self.writer.is_none() {
            // No input file at all: an empty table of the columns.
            self.create(&typing::schema_of(columns))?;
        }
        let target = Target::File(self.target.clone());
        let mut writer = self.writer.take().expect("created above");
        writer.flush().map_err(|e| encode_error(&self.target, e))?;
        let row_groups = writer.flushed_row_groups().len();
        let mut tmp = writer.into_inner().map_err(|e| encode_error(&self.target, e))?;
        std::io::Write::flush(&mut tmp).map_err(|source| OutputError::Write { target: target.clone(), source })?;
        let bytes = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
        // An existing file keeps its permissions, as --output does.
        if let Ok(existing) = std::fs::metadata(&self.target) {
            let _ = std::fs::set_permissions(tmp.path(), existing.permissions());
        }
        tmp.persist(&self.target).map_err(|e| OutputError::Commit { target, source: e.error })?;
        Ok((row_groups, bytes))
    }
}

impl BatchSink for FileSink {
    fn begin(&mut self, _path: &Path, schema: &SchemaRef) -> Result<(), IoError> {
        if self.writer.is_none() {
            self.create(schema)?;
        }
        Ok(())
    }

    fn write(&mut self, batch: RecordBatch) -> Result<(), IoError> {
        if let Some(w) = &mut self.writer {
            w.write(&batch).map_err(|e| encode_error(&self.target, e))?;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), IoError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_names_from_file_names() {
        let kind = |p: &str| FileKind::of_path(Path::new(p));
        assert_eq!(kind("NTANetAnalytics.csv"), Some(FileKind::Csv));
        assert_eq!(kind("x/PT1H.json"), Some(FileKind::Json));
        assert_eq!(kind("a.JSONL.GZ"), Some(FileKind::Json));
        assert_eq!(kind("a.ndjson"), Some(FileKind::Json));
        assert_eq!(kind("a.parquet"), Some(FileKind::Parquet));
        assert_eq!(kind("README.txt"), None);
        assert_eq!(kind("a.txt.gz"), None);
        let name = |p: &str| table_name_of(Path::new(p)).unwrap();
        assert_eq!(name("NTANetAnalytics.json.gz"), "NTANetAnalytics");
        assert_eq!(name("dir/NTAIpDetails.csv"), "NTAIpDetails");
        assert_eq!(name("Flows.parquet"), "Flows");
    }

    #[test]
    fn known_table_names_match_loosely() {
        let mut opts = IngestOptions::default();
        opts.schemas.insert("NTANetAnalytics".into(), Vec::new());
        assert_eq!(opts.table_name("am-ntanetanalytics"), "NTANetAnalytics");
        assert_eq!(opts.table_name("ntanetanalytics"), "NTANetAnalytics");
        assert_eq!(opts.table_name("am-Other"), "am-Other");
    }
}
