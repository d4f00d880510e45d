//! Where a REPL result goes: the screen, the `.once FILE` (written whole,
//! replacing it) or the `.output FILE` (appended to until `.output` alone,
//! or `.output off`, resets it — as sqlite3's `.output` does).
//!
//! Text formats (table, line, markdown, csv, ndjson, dot, mermaid) append
//! one result after another. Formats that are one document per file (json,
//! parquet, svg, html) cannot: the first result is the file, later ones go
//! to `NAME.2.EXT`, `NAME.3.EXT`, … (the naming of `run --output-dir` for
//! several queries), and the REPL says so.

use kql_io::OutputFormat;
use std::io;
use std::path::{Path, PathBuf};

/// Where one result is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output, fitted to the terminal.
    Screen,
    /// A file written whole (replaced).
    Replace(PathBuf),
    /// The `.output` file, the result appended to it.
    Append(PathBuf),
}

/// Formats whose files can hold several results one after another.
pub fn appends(format: OutputFormat) -> bool {
    !matches!(format, OutputFormat::Json | OutputFormat::Parquet | OutputFormat::Svg | OutputFormat::Html)
}

/// The target of the `.output` file's result number `index` (0-based).
pub fn output_target(path: &Path, format: OutputFormat, index: usize) -> Target {
    if appends(format) {
        Target::Append(path.to_path_buf())
    } else if index == 0 {
        Target::Replace(path.to_path_buf())
    } else {
        Target::Replace(numbered(path, index + 1))
    }
}

/// `report.json` → `report.2.json`.
pub fn numbered(path: &Path, n: usize) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}.{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}.{n}"),
    };
    path.with_file_name(name)
}

/// Starts (empties or creates) the `.output` file, so an impossible path
/// fails when `.output` is given, not at the next query.
pub fn start(path: &Path) -> io::Result<()> {
    std::fs::File::create(path).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_formats_append_documents_are_numbered() {
        let p = Path::new("out/report.csv");
        assert_eq!(output_target(p, OutputFormat::Csv, 3), Target::Append(p.into()));
        let j = Path::new("out/report.json");
        assert_eq!(output_target(j, OutputFormat::Json, 0), Target::Replace(j.into()));
        assert_eq!(output_target(j, OutputFormat::Json, 1), Target::Replace("out/report.2.json".into()));
        assert_eq!(numbered(Path::new("x"), 3), PathBuf::from("x.3"));
        for f in OutputFormat::ALL {
            let one_document =
                matches!(f, OutputFormat::Json | OutputFormat::Parquet | OutputFormat::Svg | OutputFormat::Html);
            assert_eq!(appends(f), !one_document, "{f}");
        }
    }

    #[test]
    fn start_empties() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o.txt");
        std::fs::write(&out, "old").unwrap();
        start(&out).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "");
        assert!(start(&dir.path().join("no/such/dir/x")).is_err());
    }
}
