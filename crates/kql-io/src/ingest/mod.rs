//! Log Analytics text exports as typed tables: the portal's CSV, the Azure
//! CLI's JSON array, data export's JSON lines (any of them gzip-compressed).
//!
//! A table's text files are read twice. The first pass learns the columns
//! (the union over the files, in the order first seen) and, for columns the
//! table's schema does not name, their types from the values
//! ([`typing::Guess`]); it reads only the header of a CSV file whose
//! columns are all in the schema. The second pass types every value and
//! writes batches: into Parquet held in memory, one buffer per file
//! ([`FileSource::Text`], scanned like any Parquet file: [`text_table`]), or
//! into one compressed Parquet file ([`convert_files`]). Which files make up
//! a table is [`crate::datadir`]'s business; this module only reads them.
//!
//! A value that does not fit its column's type, a CSV row with the wrong
//! number of fields and a broken JSON line are errors naming the file, the
//! line and the column; with [`IngestOptions::lenient`] such rows are left
//! out and counted instead ([`Skipped`]).

mod csv;
mod json;
mod passes;
mod sink;
pub(crate) mod typing;

pub use kql_types::time::parse_datetime_text as parse_datetime;
pub use typing::schema_of;

use crate::error::IoError;
use crate::table::FileSource;
pub use crate::table::Skipped;
use kql_types::ScalarType;
use passes::read_text;
use sink::{FileSink, MemorySink};
pub use sink::{MemoryParquet, ParquetFile};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Rows per batch while typing, and per Parquet row group: big enough for
/// good compression and cheap footers, small enough that a scan can skip
/// row groups by their statistics and split a file between threads.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

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

/// What [`convert_files`] wrote.
#[derive(Debug, Clone)]
pub struct ConvertSummary {
    pub report: TextReport,
    pub files: usize,
    pub row_groups: usize,
    pub bytes: u64,
}

/// Types the text exports `files` of table `name` into Parquet held in
/// memory, one buffer per file ([`FileSource::Text`]), and says which rows
/// `--lenient` left out.
pub fn text_table(
    name: &str,
    files: &[(PathBuf, FileKind)],
    opts: &IngestOptions,
) -> Result<(Vec<FileSource>, Skipped), IoError> {
    let mut sink = MemorySink::default();
    let report = read_text(name, files, opts, false, &mut sink)?;
    Ok((sink.files, report.skipped))
}

/// Reads the text exports `files` as table `table` and writes one Parquet
/// file: the table's columns typed (for a known table all its schema's
/// columns, in order, those the files lack empty, then any others),
/// zstd-compressed, row groups of [`ROW_GROUP_ROWS`] rows with page
/// statistics, and `kusto.type` on each field. `output` (and its folder, if
/// missing) is created, or replaced only when complete.
pub fn convert_files(
    table: &str,
    files: &[(PathBuf, FileKind)],
    output: &Path,
    opts: &IngestOptions,
) -> Result<ConvertSummary, IoError> {
    let mut sink = FileSink::new(output);
    let report = read_text(table, files, opts, true, &mut sink)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_file_names() {
        let kind = |p: &str| FileKind::of_path(Path::new(p));
        assert_eq!(kind("NTANetAnalytics.csv"), Some(FileKind::Csv));
        assert_eq!(kind("x/PT1H.json"), Some(FileKind::Json));
        assert_eq!(kind("a.JSONL.GZ"), Some(FileKind::Json));
        assert_eq!(kind("a.ndjson"), Some(FileKind::Json));
        assert_eq!(kind("a.parquet"), Some(FileKind::Parquet));
        assert_eq!(kind("README.txt"), None);
        assert_eq!(kind("a.txt.gz"), None);
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
