//! A table's files: where each Parquet file's bytes are, the schema they
//! share and their row count from the footers. Discovery ([`crate::datadir`])
//! finds them; the text reader ([`crate::ingest`]) makes Parquet of text
//! exports; the scans ([`crate::scan`], [`crate::parts`]) read them.

use crate::error::IoError;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use parquet::arrow::parquet_to_arrow_schema;
use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use std::fs::File;
use std::path::PathBuf;

/// Where a Parquet file's bytes are: on disk, or in memory (the sample
/// data built into the binary, and text exports typed into Parquet).
#[derive(Debug, Clone)]
pub enum FileSource {
    Path(PathBuf),
    Memory {
        name: String,
        data: Bytes,
    },
    /// The text export at `path` (CSV, JSON), typed and held as Parquet.
    Text {
        path: PathBuf,
        data: Bytes,
    },
}

impl FileSource {
    /// The path to show in messages (`<bundled>/NAME` for memory files).
    pub fn path(&self) -> PathBuf {
        match self {
            FileSource::Path(p) | FileSource::Text { path: p, .. } => p.clone(),
            FileSource::Memory { name, .. } => PathBuf::from("<bundled>").join(name),
        }
    }
}

impl std::fmt::Display for FileSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path().display())
    }
}

/// One table of a data directory: its files and their (common) schema.
#[derive(Debug, Clone)]
pub struct TableFiles {
    pub name: String,
    pub files: Vec<FileSource>,
    pub schema: SchemaRef,
    /// Total rows according to the files' footers.
    pub rows: u64,
    /// Rows of text files left out by `--lenient` (not in `rows`).
    pub skipped: Skipped,
}

/// Rows of text files left out by [`crate::IngestOptions::lenient`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    pub rows: u64,
    /// What was wrong with the first few, with file and line.
    pub first: Vec<String>,
}

/// How many skipped rows are described one by one.
const SKIPPED_SHOWN: usize = 3;

impl Skipped {
    pub(crate) fn add(&mut self, why: &IoError) {
        self.rows += 1;
        if self.first.len() < SKIPPED_SHOWN {
            self.first.push(why.to_string());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

impl TableFiles {
    /// Reads the footers of `files` and checks they agree on the schema.
    pub fn read(name: String, files: Vec<FileSource>) -> Result<TableFiles, IoError> {
        let mut schema: Option<(SchemaRef, PathBuf)> = None;
        let mut rows = 0u64;
        for f in &files {
            let (s, n) = read_footer(&name, f)?;
            rows += n;
            match &schema {
                None => schema = Some((s, f.path())),
                Some((first, first_path)) => {
                    if first.fields() != s.fields() {
                        return Err(IoError::SchemaConflict {
                            table: name,
                            first_path: first_path.clone(),
                            first: describe(first),
                            second_path: f.path(),
                            second: describe(&s),
                        });
                    }
                }
            }
        }
        let schema = schema.map(|(s, _)| s).unwrap_or_else(|| std::sync::Arc::new(arrow_schema::Schema::empty()));
        Ok(TableFiles { name, files, schema, rows, skipped: Skipped::default() })
    }
}

fn describe(s: &arrow_schema::Schema) -> String {
    let cols: Vec<String> = s.fields().iter().map(|f| format!("{}:{}", f.name(), f.data_type())).collect();
    format!("({})", cols.join(", "))
}

/// The Arrow schema and row count from a Parquet footer.
fn read_footer(table: &str, src: &FileSource) -> Result<(SchemaRef, u64), IoError> {
    match src {
        FileSource::Path(path) => {
            let file = File::open(path).map_err(|source| IoError::UnreadableTableFile {
                table: table.to_string(),
                path: path.clone(),
                source,
            })?;
            footer_of(table, src, file)
        }
        FileSource::Memory { data, .. } | FileSource::Text { data, .. } => footer_of(table, src, data.clone()),
    }
}

fn footer_of<R: ChunkReader + 'static>(table: &str, src: &FileSource, reader: R) -> Result<(SchemaRef, u64), IoError> {
    let bad = |reason: String| IoError::BadParquet { table: table.to_string(), path: src.path(), reason };
    let reader = SerializedFileReader::new(reader).map_err(|e| bad(e.to_string()))?;
    let meta = reader.metadata().file_metadata();
    let schema =
        parquet_to_arrow_schema(meta.schema_descr(), meta.key_value_metadata()).map_err(|e| bad(e.to_string()))?;
    let rows = u64::try_from(meta.num_rows()).unwrap_or(0);
    Ok((std::sync::Arc::new(schema), rows))
}
