//! DuckDB running the equivalent SQL (crates/ntaq-bench/sql), from a Python
//! virtual environment the harness creates, with threads = cores. The same
//! environment's pyarrow writes the pyarrow and random data sets.

use crate::measure::{self, Sample, Status};
use crate::scenarios::{END, NOW, START};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned DuckDB release, pyarrow (DuckDB's Arrow results and the data
/// set scripts) and numpy (random values and the shuffle).
const PACKAGES: [&str; 3] = ["duckdb==2.0.1", "pyarrow", "numpy"];

/// The virtual environment in `dir`, created (or completed, when an older
/// harness made it with fewer packages) on first use; returns its python.
pub fn venv(dir: &Path) -> Result<PathBuf, String> {
    let python = dir.join("bin/python");
    let ready = dir.join(".ready");
    let wanted = PACKAGES.join("\n");
    if std::fs::read_to_string(&ready).ok().as_deref() != Some(wanted.as_str()) {
        eprintln!("setting up a Python virtual environment with {} in {} …", PACKAGES.join(", "), dir.display());
        let ok = |c: &mut Command| c.status().map(|s| s.success()).unwrap_or(false);
        if !python.exists() && !ok(Command::new("python3").args(["-m", "venv"]).arg(dir)) {
            return Err("python3 -m venv failed (is Python 3 with venv installed?)".into());
        }
        if !ok(Command::new(&python).args(["-m", "pip", "install", "-q"]).args(PACKAGES)) {
            return Err(format!("pip install {} failed", PACKAGES.join(" ")));
        }
        std::fs::write(&ready, wanted).map_err(|e| e.to_string())?;
    }
    Ok(python)
}

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
    /// Failed or timed out: the times above are then NaN / empty.
    pub status: Status,
}

impl DuckDb {
    pub fn new(python: PathBuf, repo: &Path) -> DuckDb {
        DuckDb { python, script: repo.join("crates/ntaq-bench/duckdb/bench.py") }
    }

    /// Runs `sql` over `data`: one cold and `runs` warm executions, each
    /// writing its whole result to `out` as CSV; `csv` also gets the result
    /// written by Python's csv module (for comparing with ntaq's on the
    /// sample). A run past `timeout` seconds is interrupted.
    pub fn run(
        &self,
        data: &Path,
        sql: &Path,
        runs: usize,
        timeout: f64,
        out: &Path,
        csv: Option<&Path>,
    ) -> Result<Timing, String> {
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
            timeout.to_string(),
            out.display().to_string(),
        ];
        if let Some(c) = csv {
            args.push(c.display().to_string());
        }
        let json = out.with_extension("json");
        // bench.py interrupts a query at the timeout itself; the wrapper's
        // own limit only catches a process that does not stop.
        let limit = timeout * (runs as f64 + 1.0) + 60.0;
        let (process, status, _) = measure::run_checked(&self.python, &args, Some(&json), Some(limit))?;
        let text = std::fs::read_to_string(&json).unwrap_or_default();
        let _ = std::fs::remove_file(&json);
        let failed = |status| Timing { cold: f64::NAN, warm: Vec::new(), rows: 0, process, status };
        if status != Status::Ok {
            return Ok(failed(status));
        }
        let v: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| format!("DuckDB output: {e}"))?;
        if v["timeout"].as_bool() == Some(true) {
            return Ok(failed(Status::Timeout(timeout)));
        }
        Ok(Timing {
            cold: v["cold"].as_f64().unwrap_or(f64::NAN),
            warm: v["warm"].as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).collect()).unwrap_or_default(),
            rows: v["rows"].as_u64().unwrap_or(0),
            process,
            status,
        })
    }
}
