//! Data sets, cached by shape, size and seed: generating 10M rows takes a
//! while, and every run of the harness must see the same bytes.
//!
//! Three shapes:
//! - `ntaq`: written by ntaq-gen (131 072-row row groups, zstd, page index,
//!   rows in time order);
//! - `pyarrow`: the same rows rewritten as pyarrow/pandas/Spark exports
//!   write them (`duckdb/reshape.py`: 1 048 576-row row groups, snappy, no
//!   page index, rows shuffled);
//! - `random`: uniformly random values as a demanding tester would make
//!   them (`duckdb/random_nta.py`), pyarrow's layout too;
//! - `many-groups`: flows from random public IPs, so that scenario 1's
//!   result has ~1.7 groups per row (`duckdb/many_groups.py`; not in the
//!   default set: DuckDB needs gigabytes for it).

use ntaq_gen::GenConfig;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How a data set is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Shape {
    Ntaq,
    Pyarrow,
    Random,
    ManyGroups,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::Ntaq => "ntaq",
            Shape::Pyarrow => "pyarrow",
            Shape::Random => "random",
            Shape::ManyGroups => "many-groups",
        }
    }

    /// One line for the report's data-set table.
    pub fn describe(self) -> &'static str {
        match self {
            Shape::Ntaq => "ntaq-gen: 131,072-row groups, zstd, page index, time order",
            Shape::Pyarrow => "ntaq-gen's rows via pyarrow: 1,048,576-row groups, snappy, no page index, shuffled",
            Shape::Random => "random values (1,024 private IPs + \"\"), pyarrow layout",
            Shape::ManyGroups => "random public IPs: scenario 1 has ~1.7 groups per row, pyarrow layout",
        }
    }

    /// The Python script that writes this shape (none for ntaq-gen's).
    pub fn script(self) -> Option<&'static str> {
        match self {
            Shape::Ntaq => None,
            Shape::Pyarrow => Some("reshape.py"),
            Shape::Random => Some("random_nta.py"),
            Shape::ManyGroups => Some("many_groups.py"),
        }
    }

    /// The modules of [`Shape::script`]'s directory that it imports: part
    /// of its fingerprint, so editing them regenerates its sets too.
    pub fn script_modules(self) -> &'static [&'static str] {
        match self {
            Shape::Random | Shape::ManyGroups => &["pyarrow_layout.py"],
            Shape::Ntaq | Shape::Pyarrow => &[],
        }
    }

    /// The cache directory's name. ntaq-gen's keeps its historical name so
    /// existing caches stay valid.
    pub fn dir_name(self, rows: usize, seed: u64) -> String {
        let prefix = match self {
            Shape::Ntaq => "nta",
            other => other.name(),
        };
        format!("{prefix}-{rows}-seed{seed}")
    }

    /// What the `.complete` marker holds: a set is reused only if its marker
    /// says exactly this, so editing a shape's script regenerates its sets.
    pub fn marker(self, rows: usize, seed: u64, script: Option<&[u8]>) -> String {
        match script {
            None => format!("{rows} rows, seed {seed}\n"),
            Some(bytes) => format!("{rows} rows, seed {seed}, {} script {:016x}\n", self.name(), fnv1a(bytes)),
        }
    }
}

/// FNV-1a, 64 bits: a stable fingerprint of a script's text.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A data directory.
pub struct DataSet {
    pub shape: Shape,
    pub rows: usize,
    pub dir: PathBuf,
    /// The Parquet files in it.
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    pub ip_rows: u64,
}

/// Where the shape scripts are and the Python that runs them.
pub struct Python<'a> {
    pub python: &'a Path,
    pub scripts: &'a Path,
}

/// The `shape` data set of `rows` NTANetAnalytics rows under `cache`,
/// written unless a complete one is there. `python` is needed for the
/// pyarrow and random shapes.
pub fn ensure(cache: &Path, shape: Shape, rows: usize, seed: u64, python: Option<&Python>) -> Result<DataSet, String> {
    let dir = cache.join(shape.dir_name(rows, seed));
    let marker = dir.join(".complete");
    let script = match (shape.script(), python) {
        (None, _) => None,
        (Some(name), Some(py)) => {
            let path = py.scripts.join(name);
            let mut text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            for module in shape.script_modules() {
                let module = py.scripts.join(module);
                text.extend(std::fs::read(&module).map_err(|e| format!("{}: {e}", module.display()))?);
            }
            Some((path, text))
        }
        (Some(_), None) => return Err(format!("the {} data set needs Python (pyarrow)", shape.name())),
    };
    let expected = shape.marker(rows, seed, script.as_ref().map(|(_, t)| t.as_slice()));
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(expected.as_str()) {
        eprintln!("writing the {} data set of {rows} rows into {} …", shape.name(), dir.display());
        let _ = std::fs::remove_dir_all(&dir);
        match (shape, &script, python) {
            (Shape::Ntaq, _, _) => {
                let cfg = GenConfig { rows, seed, ..GenConfig::sample() };
                ntaq_gen::generate(&cfg, &dir).map_err(|e| e.to_string())?;
            }
            (Shape::Pyarrow, Some((path, _)), Some(py)) => {
                let source = ensure(cache, Shape::Ntaq, rows, seed, None)?;
                python_script(
                    py.python,
                    path,
                    &[&source.dir.display().to_string(), &dir.display().to_string(), &seed.to_string()],
                )?;
            }
            (Shape::Random | Shape::ManyGroups, Some((path, _)), Some(py)) => {
                python_script(py.python, path, &[&rows.to_string(), &dir.display().to_string(), &seed.to_string()])?;
            }
            _ => unreachable!("scripts were found above"),
        }
        std::fs::write(&marker, expected).map_err(|e| e.to_string())?;
    }
    let data = kql_io::DataDir::open(&dir).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    let mut ip_rows = 0;
    for t in &data.tables {
        files.extend(t.files.iter().map(kql_io::FileSource::path));
        if t.name == "NTAIpDetails" {
            ip_rows = t.rows;
        }
    }
    let bytes = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    Ok(DataSet { shape, rows, dir, files, bytes, ip_rows })
}

fn python_script(python: &Path, script: &Path, args: &[&str]) -> Result<(), String> {
    let status =
        Command::new(python).arg(script).args(args).status().map_err(|e| format!("{}: {e}", python.display()))?;
    if status.success() { Ok(()) } else { Err(format!("{} {} failed ({status})", script.display(), args.join(" "))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_directories_are_keyed_by_shape_size_and_seed() {
        assert_eq!(Shape::Ntaq.dir_name(1_000_000, 20250601), "nta-1000000-seed20250601");
        assert_eq!(Shape::Pyarrow.dir_name(1_000_000, 20250601), "pyarrow-1000000-seed20250601");
        assert_eq!(Shape::Random.dir_name(100_000, 7), "random-100000-seed7");
        assert_eq!(Shape::ManyGroups.dir_name(10_000_000, 7), "many-groups-10000000-seed7");
        let names: std::collections::BTreeSet<String> = [Shape::Ntaq, Shape::Pyarrow, Shape::Random, Shape::ManyGroups]
            .iter()
            .flat_map(|s| [s.dir_name(1, 1), s.dir_name(1, 2), s.dir_name(2, 1)])
            .collect();
        assert_eq!(names.len(), 12);
    }

    #[test]
    fn markers_change_with_the_script() {
        // ntaq-gen's marker is the one older harness versions wrote.
        assert_eq!(Shape::Ntaq.marker(1000, 5, None), "1000 rows, seed 5\n");
        let a = Shape::Random.marker(1000, 5, Some(b"print(1)"));
        assert!(a.starts_with("1000 rows, seed 5, random script "), "{a}");
        assert_eq!(a, Shape::Random.marker(1000, 5, Some(b"print(1)")));
        assert_ne!(a, Shape::Random.marker(1000, 5, Some(b"print(2)")));
        assert_ne!(a, Shape::Pyarrow.marker(1000, 5, Some(b"print(1)")));
    }
}
