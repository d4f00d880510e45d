//! docs/performance.md's measured part, between `<!-- bench:begin -->` and
//! `<!-- bench:end -->`; the prose around it is kept.

use crate::data::DataSet;
use crate::duckdb::Timing;
use crate::measure::median;
use std::fmt::Write;
use std::path::Path;

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

/// One scenario at one size.
pub struct Row {
    pub rows: usize,
    pub scenario: usize,
    pub result_rows: u64,
    pub cold: f64,
    pub warm: f64,
    pub rss_kb: u64,
    pub floor: f64,
    /// Columns the scenario reads (all tables).
    pub columns: usize,
    pub duck: Option<Timing>,
}

pub struct Tooling {
    /// Median in-process `check` time per scenario, seconds.
    pub check: Vec<f64>,
    /// A whole `ntaq run` of scenario 1 on the bundled sample, seconds.
    pub startup: f64,
}

pub struct Machine {
    cpu: String,
    cores: usize,
    memory: String,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or_else(|| "unknown".into(), |kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Machine { cpu, cores, memory }
    }
}

pub struct Report<'a> {
    pub machine: Machine,
    pub runs: usize,
    pub sets: &'a [DataSet],
    pub rows: &'a [Row],
    pub tooling: Tooling,
}

fn secs(s: f64) -> String {
    if s.is_nan() {
        "–".into()
    } else if s < 0.01 {
        format!("{:.1} ms", s * 1000.0)
    } else {
        format!("{s:.3} s")
    }
}

fn mib(kb: u64) -> String {
    format!("{:.0} MiB", kb as f64 / 1024.0)
}

fn count(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1}M", n as f64 / 1e6)
    } else if n >= 10_000 {
        format!("{:.0}k", n as f64 / 1e3)
    } else {
        n.to_string()
    }
}

impl Report<'_> {
    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut s = String::new();
        let date = chrono::Utc::now().format("%Y-%m-%d");
        let _ = writeln!(
            s,
            "Measured {date} on {} ({} cores, {} RAM), ntaq {}.",
            m.cpu,
            m.cores,
            m.memory,
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(
            s,
            "Times are wall-clock seconds of a whole `ntaq run` process (start-up, reading, writing CSV to a file or /dev/null); warm = median of {} runs, cold = the first run after the data files were dropped from the page cache.",
            self.runs
        );
        let _ = writeln!(s);
        let _ = writeln!(s, "| data set | NTANetAnalytics rows | NTAIpDetails rows | Parquet size |");
        let _ = writeln!(s, "|---|---:|---:|---:|");
        for d in self.sets {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {:.0} MB |",
                d.dir.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
                d.rows,
                d.ip_rows,
                d.bytes as f64 / 1e6
            );
        }
        for set in self.sets {
            let rows: Vec<&Row> = self.rows.iter().filter(|r| r.rows == set.rows).collect();
            let _ = writeln!(s, "\n### {} NTANetAnalytics rows\n", count(set.rows as u64));
            let _ = writeln!(
                s,
                "| scenario | result rows | ntaq cold | ntaq warm | rows/s | peak RSS | scan floor (cols) | ntaq / floor | DuckDB cold | DuckDB warm | DuckDB RSS | DuckDB / ntaq |"
            );
            let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for r in rows {
                let (dc, dw, drss, speedup, mismatch) = match &r.duck {
                    Some(d) => {
                        let w = median(&d.warm);
                        let mismatch = if d.rows == r.result_rows {
                            String::new()
                        } else {
                            format!(" (DuckDB: {} rows!)", d.rows)
                        };
                        (secs(d.cold), secs(w), mib(d.process.max_rss_kb), format!("{:.2}×", w / r.warm), mismatch)
                    }
                    None => ("–".into(), "–".into(), "–".into(), "–".into(), String::new()),
                };
                let _ = writeln!(
                    s,
                    "| {} | {}{} | {} | {} | {}/s | {} | {} ({}) | {:.2} | {} | {} | {} | {} |",
                    r.scenario,
                    r.result_rows,
                    mismatch,
                    secs(r.cold),
                    secs(r.warm),
                    count((r.rows as f64 / r.warm) as u64),
                    mib(r.rss_kb),
                    secs(r.floor),
                    r.columns,
                    r.warm / r.floor,
                    dc,
                    dw,
                    drss,
                    speedup
                );
            }
        }
        let t = &self.tooling;
        let _ = writeln!(
            s,
            "\n`check` (parse + bind, in-process, median of 200): {}.",
            t.check
                .iter()
                .enumerate()
                .map(|(k, c)| format!("scenario {} {:.3} ms", k + 1, c * 1000.0))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            s,
            "Start-up to first result: a whole `ntaq run queries/scenario1.kql` on the bundled sample takes {} (median of 5).",
            secs(t.startup)
        );
        s
    }
}

/// Replaces the measured part of `path` (or writes a new file with it).
pub fn update(path: &Path, measured: &str) -> Result<(), String> {
    let block = format!("{BEGIN}\n{measured}{END}\n");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let text = match (old.find(BEGIN), old.find(END)) {
        (Some(a), Some(b)) if a < b => format!("{}{block}{}", &old[..a], old[b + END.len()..].trim_start_matches('\n')),
        _ => format!("# Performance\n\n{block}"),
    };
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
