//! Discovering tables: which files under a path make up which table
//! (`<Table>.parquet`, `<Table>.csv` …, folders of them, data export's
//! `am-` containers), and whether a table is Parquet, read by its footers
//! ([`TableFiles::read`]), or text exports, typed by [`crate::ingest`].
//! This module calls the readers; they never call back.

use crate::error::IoError;
use crate::ingest::{self, ConvertSummary, FileKind, IngestOptions};
use crate::table::{FileSource, TableFiles};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
            tables.push(table(&name, files, opts)?);
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
            let (sources, skipped) = ingest::text_table(name, &files, opts)?;
            let mut t = TableFiles::read(name.to_string(), sources)?;
            t.skipped = skipped;
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

/// Reads the text exports `inputs` (files, or folders of them) as table
/// `table` and writes one Parquet file ([`ingest::convert_files`]).
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
    ingest::convert_files(table, &files, output, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_file_names() {
        let name = |p: &str| table_name_of(Path::new(p)).unwrap();
        assert_eq!(name("NTANetAnalytics.json.gz"), "NTANetAnalytics");
        assert_eq!(name("dir/NTAIpDetails.csv"), "NTAIpDetails");
        assert_eq!(name("Flows.parquet"), "Flows");
    }
}
