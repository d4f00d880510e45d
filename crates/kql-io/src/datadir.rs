//! Discovering the tables of a data directory and their Arrow schemas.

use crate::error::IoError;
use crate::ingest::{FileKind, IngestOptions, Skipped, table_files_in, table_name_of};
use arrow_schema::SchemaRef;
use bytes::Bytes;
use parquet::arrow::parquet_to_arrow_schema;
use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

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

/// The tables found in a directory, sorted by name.
#[derive(Debug, Clone)]
pub struct DataDir {
    pub path: PathBuf,
    pub tables: Vec<TableFiles>,
}

fn read_dir_sorted(path: &Path) -> Result<Vec<PathBuf>, IoError> {
    let entries = std::fs::read_dir(path).map_err(|source| IoError::Unreadable { path: path.to_path_buf(), source })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| IoError::Unreadable { path: path.to_path_buf(), source })?;
        paths.push(entry.path());
    }
    paths.sort();
    Ok(paths)
}

impl DataDir {
    /// Scans `path` for tables, reading only the Parquet footers; text
    /// exports are typed by inference (see [`DataDir::open_with`]).
    pub fn open(path: impl AsRef<Path>) -> Result<DataDir, IoError> {
        DataDir::open_with(path, &IngestOptions::default())
    }

    /// Scans `path` for tables: `<Table>.parquet`, `<Table>.csv`,
    /// `<Table>.json`, `<Table>.jsonl`, `<Table>.ndjson` (text optionally
    /// `.gz`), or a folder `<Table>/` of such files (sub-folders included).
    /// Only the footers of Parquet files are read here; text exports are read
    /// whole and typed as `opts` says.
    pub fn open_with(path: impl AsRef<Path>, opts: &IngestOptions) -> Result<DataDir, IoError> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => IoError::DirNotFound { path: path.to_path_buf() },
            _ => IoError::Unreadable { path: path.to_path_buf(), source },
        })?;
        if !meta.is_dir() {
            return Err(IoError::NotADirectory { path: path.to_path_buf() });
        }
        let mut groups: BTreeMap<String, Vec<(PathBuf, FileKind)>> = BTreeMap::new();
        for entry in read_dir_sorted(path)? {
            let Some(file_name) = entry.file_name().and_then(|s| s.to_str()) else {
                continue;
            };
            if file_name.starts_with('.') {
                continue;
            }
            if entry.is_dir() {
                let files = table_files_in(&entry)?;
                if !files.is_empty() {
                    groups.entry(opts.table_name(file_name)).or_default().extend(files);
                }
            } else if let Some(kind) = FileKind::of_path(&entry) {
                let name = table_name_of(&entry).unwrap_or_else(|| file_name.to_string());
                groups.entry(opts.table_name(&name)).or_default().push((entry.clone(), kind));
            }
        }
        let mut tables = Vec::with_capacity(groups.len());
        for (name, mut files) in groups {
            files.sort();
            tables.push(crate::ingest::table(&name, files, opts)?);
        }
        Ok(DataDir { path: path.to_path_buf(), tables })
    }

    /// Tables from Parquet files held in memory: `(table, file name, bytes)`.
    pub fn from_memory(label: &str, files: Vec<(String, String, Bytes)>) -> Result<DataDir, IoError> {
        let mut by_table: Vec<(String, Vec<FileSource>)> = Vec::new();
        for (table, name, data) in files {
            let src = FileSource::Memory { name, data };
            match by_table.iter_mut().find(|(t, _)| *t == table) {
                Some((_, v)) => v.push(src),
                None => by_table.push((table, vec![src])),
            }
        }
        let mut tables = by_table.into_iter().map(|(t, f)| TableFiles::read(t, f)).collect::<Result<Vec<_>, _>>()?;
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(DataDir { path: PathBuf::from(label), tables })
    }

    pub fn table(&self, name: &str) -> Option<&TableFiles> {
        self.tables.iter().find(|t| t.name == name)
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
