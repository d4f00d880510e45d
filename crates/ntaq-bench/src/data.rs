//! Generated data sets, cached by size and seed: generating 10M rows takes
//! a while, and every run of the harness must see the same bytes.

use ntaq_gen::GenConfig;
use std::path::{Path, PathBuf};

/// A generated data directory.
pub struct DataSet {
    pub rows: usize,
    pub dir: PathBuf,
    /// The Parquet files in it.
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    pub ip_rows: u64,
}

/// The data set of `rows` NTANetAnalytics rows under `cache`, generated
/// unless a complete one is there.
pub fn ensure(cache: &Path, rows: usize, seed: u64) -> Result<DataSet, String> {
    let dir = cache.join(format!("nta-{rows}-seed{seed}"));
    let marker = dir.join(".complete");
    if !marker.exists() {
        eprintln!("generating {rows} rows into {} …", dir.display());
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = GenConfig { rows, seed, ..GenConfig::sample() };
        ntaq_gen::generate(&cfg, &dir).map_err(|e| e.to_string())?;
        std::fs::write(&marker, format!("{rows} rows, seed {seed}\n")).map_err(|e| e.to_string())?;
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
    Ok(DataSet { rows, dir, files, bytes, ip_rows })
}
