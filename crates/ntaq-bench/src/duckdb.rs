//! DuckDB running the equivalent SQL (crates/ntaq-bench/sql), from a Python
//! virtual environment the harness creates, with threads = cores.

use crate::measure::{self, Sample};
use crate::scenarios::{END, NOW, START};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned DuckDB release (and pyarrow for its Arrow results).
const PACKAGES: [&str; 2] = ["duckdb==2.0.1", "pyarrow"];

pub struct DuckDb {
    python: PathBuf,
    script: PathBuf,
}

/// A DuckDB run: cold (first query in a fresh process) and warm times.
pub struct Timing {
    pub cold: f64,
    pub warm: Vec<f64>,
    pub rows: u64,
    /// Peak RSS of the whole Python process.
    pub process: Sample,
}

impl DuckDb {
    /// The virtual environment in `dir`, created on first use.
    pub fn setup(dir: &Path, repo: &Path) -> Result<DuckDb, String> {
        let python = dir.join("bin/python");
        let ready = dir.join(".ready");
        if !ready.exists() {
            eprintln!("creating a Python virtual environment with DuckDB in {} …", dir.display());
            let ok = |c: &mut Command| c.status().map(|s| s.success()).unwrap_or(false);
            if !ok(Command::new("python3").args(["-m", "venv"]).arg(dir)) {
                return Err("python3 -m venv failed (is Python 3 with venv installed?)".into());
            }
            if !ok(Command::new(&python).args(["-m", "pip", "install", "-q"]).args(PACKAGES)) {
                return Err(format!("pip install {} failed", PACKAGES.join(" ")));
            }
            std::fs::write(&ready, PACKAGES.join("\n")).map_err(|e| e.to_string())?;
        }
        Ok(DuckDb { python, script: repo.join("crates/ntaq-bench/duckdb/bench.py") })
    }

    /// Runs `sql` over `data`: one cold and `runs` warm executions.
    pub fn run(&self, data: &Path, sql: &Path, runs: usize, csv: Option<&Path>) -> Result<Timing, String> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut args: Vec<String> = vec![
            self.script.display().to_string(),
            data.display().to_string(),
            sql.display().to_string(),
            runs.to_string(),
            threads.to_string(),
            START.into(),
            END.into(),
            NOW.into(),
        ];
        if let Some(c) = csv {
            args.push(c.display().to_string());
        }
        let out = std::env::temp_dir().join(format!("ntaq-bench-duckdb-{}.json", std::process::id()));
        let (process, _) = measure::run(&self.python, &args, Some(&out))?;
        let text = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
        let _ = std::fs::remove_file(&out);
        let v: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| format!("DuckDB output: {e}"))?;
        Ok(Timing {
            cold: v["cold"].as_f64().unwrap_or(f64::NAN),
            warm: v["warm"].as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).collect()).unwrap_or_default(),
            rows: v["rows"].as_u64().unwrap_or(0),
            process,
        })
    }
}
