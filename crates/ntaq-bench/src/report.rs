//! docs/performance.md's measured part, between `<!-- bench:begin -->` and
//! `<!-- bench:end -->`; the prose around it is kept.

use crate::data::{DataSet, Shape};
use crate::duckdb::Timing;
use crate::measure::{Status, median};
use std::fmt::Write;
use std::path::Path;

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

/// One scenario on one data set.
pub struct Row {
    pub shape: Shape,
    pub rows: usize,
    pub scenario: usize,
    /// How ntaq's cold run ended (warm runs are made only after a good one).
    pub status: Status,
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

    /// `CPU (N cores, M RAM)`.
    pub fn describe(&self) -> String {
        format!("{} ({} cores, {} RAM)", self.cpu, self.cores, self.memory)
    }
}

pub struct Report<'a> {
    pub machine: Machine,
    pub runs: usize,
    /// The per-run timeout, seconds.
    pub timeout: f64,
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
            "Times are wall-clock seconds of a whole `ntaq run` process (start-up, reading, writing the CSV result); warm = median of {} runs, cold = the first run after the data files were dropped from the page cache.",
            self.runs
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Each run writes the whole result to a CSV file (ntaq `--output`, DuckDB `COPY … TO`); a run still going after {:.0} s is stopped and reported as a timeout.",
            self.timeout
        );
        let _ = writeln!(s);
        let _ = writeln!(s, "| data set | shape | NTANetAnalytics rows | NTAIpDetails rows | Parquet size |");
        let _ = writeln!(s, "|---|---|---:|---:|---:|");
        for d in self.sets {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {:.0} MB |",
                d.dir.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
                d.shape.describe(),
                d.rows,
                d.ip_rows,
                d.bytes as f64 / 1e6
            );
        }
        let mut sizes: Vec<usize> = self.sets.iter().map(|d| d.rows).collect();
        sizes.dedup();
        for size in sizes {
            // Shapes side by side: each scenario's rows together.
            let mut rows: Vec<&Row> = self.rows.iter().filter(|r| r.rows == size).collect();
            rows.sort_by_key(|r| (r.scenario, r.shape));
            let _ = writeln!(s, "\n### {} NTANetAnalytics rows\n", count(size as u64));
            let _ = writeln!(
                s,
                "| scenario | data | result rows | ntaq cold | ntaq warm | rows/s | peak RSS | scan floor (cols) | ntaq / floor | DuckDB cold | DuckDB warm | DuckDB RSS | DuckDB / ntaq |"
            );
            let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for r in rows {
                let _ = writeln!(s, "| {} |", row_cells(r).join(" | "));
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

/// A failed or timed-out run in a time cell.
fn status_cell(status: &Status) -> Option<String> {
    match status {
        Status::Ok => None,
        Status::Failed(reason) => Some(format!("failed: {reason}")),
        Status::Timeout(t) => Some(format!("timeout ({t:.0} s)")),
    }
}

/// The cells of one row of a size's table. A failed or timed-out ntaq or
/// DuckDB run says so in its cold-time cell and leaves its other cells
/// (and the ratios that need it) empty.
fn row_cells(r: &Row) -> Vec<String> {
    let dash = || "–".to_string();
    let ours_ok = r.status == Status::Ok;
    let (result_rows, cold, warm, rate, rss, ratio) = match status_cell(&r.status) {
        None => (
            r.result_rows.to_string(),
            secs(r.cold),
            secs(r.warm),
            format!("{}/s", count((r.rows as f64 / r.warm) as u64)),
            mib(r.rss_kb),
            format!("{:.2}", r.warm / r.floor),
        ),
        Some(cell) => (dash(), cell, dash(), dash(), dash(), dash()),
    };
    let floor = if r.floor.is_nan() { dash() } else { format!("{} ({})", secs(r.floor), r.columns) };
    let ratio = if r.floor.is_nan() { dash() } else { ratio };
    let (dc, dw, drss, speedup, result_rows) = match &r.duck {
        None => (dash(), dash(), dash(), dash(), result_rows),
        Some(d) => match status_cell(&d.status) {
            Some(cell) => (cell, dash(), dash(), dash(), result_rows),
            None => {
                let w = median(&d.warm);
                let speedup = if ours_ok { format!("{:.2}×", w / r.warm) } else { dash() };
                let result_rows = if ours_ok && d.rows != r.result_rows {
                    format!("{result_rows} (DuckDB: {} rows!)", d.rows)
                } else if ours_ok {
                    result_rows
                } else {
                    format!("– (DuckDB: {})", d.rows)
                };
                (secs(d.cold), secs(w), mib(d.process.max_rss_kb), speedup, result_rows)
            }
        },
    };
    vec![
        r.scenario.to_string(),
        r.shape.name().to_string(),
        result_rows,
        cold,
        warm,
        rate,
        rss,
        floor,
        ratio,
        dc,
        dw,
        drss,
        speedup,
    ]
}

/// Replaces the measured part of `path` (or writes a new file with it).
pub fn update(path: &Path, measured: &str) -> Result<(), String> {
    update_between(path, BEGIN, END, measured, "# Performance\n\n")
}

/// Replaces what is between the markers `begin` and `end` in `path`;
/// without them, appends `heading` and the marked block.
pub fn update_between(path: &Path, begin: &str, end: &str, measured: &str, heading: &str) -> Result<(), String> {
    let block = format!("{begin}\n{measured}{end}\n");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let text = match (old.find(begin), old.find(end)) {
        (Some(a), Some(b)) if a < b => format!("{}{block}{}", &old[..a], old[b + end.len()..].trim_start_matches('\n')),
        _ if old.is_empty() => format!("{heading}{block}"),
        _ => format!("{}\n\n{heading}{block}", old.trim_end()),
    };
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Sample;

    fn row(status: Status, duck: Option<Timing>) -> Row {
        Row {
            shape: Shape::Random,
            rows: 1_000_000,
            scenario: 3,
            status,
            result_rows: 1_050_625,
            cold: 2.0,
            warm: 1.0,
            rss_kb: 2048,
            floor: 0.5,
            columns: 9,
            duck,
        }
    }

    fn duck(status: Status, rows: u64) -> Timing {
        let ok = status == Status::Ok;
        Timing {
            cold: if ok { 3.0 } else { f64::NAN },
            warm: if ok { vec![2.0, 2.5, 3.0] } else { Vec::new() },
            rows,
            process: Sample { wall: 9.0, max_rss_kb: 4096, cpu: 9.0 },
            status,
        }
    }

    #[test]
    fn a_good_row_has_times_ratios_and_matching_rows() {
        let cells = row_cells(&row(Status::Ok, Some(duck(Status::Ok, 1_050_625))));
        assert_eq!(
            cells,
            [
                "3",
                "random",
                "1050625",
                "2.000 s",
                "1.000 s",
                "1.0M/s",
                "2 MiB",
                "0.500 s (9)",
                "2.00",
                "3.000 s",
                "2.500 s",
                "4 MiB",
                "2.50×"
            ]
        );
        let cells = row_cells(&row(Status::Ok, Some(duck(Status::Ok, 7))));
        assert_eq!(cells[2], "1050625 (DuckDB: 7 rows!)");
    }

    #[test]
    fn a_failed_ntaq_run_is_a_cell_not_a_crash() {
        let failed = Status::Failed("kql::exec::memory_limit: the join stopped".into());
        let cells = row_cells(&row(failed, Some(duck(Status::Ok, 1_050_625))));
        assert_eq!(cells[3], "failed: kql::exec::memory_limit: the join stopped");
        assert_eq!(cells[2], "– (DuckDB: 1050625)");
        assert!(cells[4..7].iter().all(|c| c == "–"), "{cells:?}");
        assert_eq!(cells[8], "–");
        assert_eq!(cells[10], "2.500 s", "DuckDB's own times stay");
        assert_eq!(cells[12], "–", "no ratio without ntaq's time");
    }

    #[test]
    fn timeouts_are_reported_for_either_engine() {
        let cells = row_cells(&row(Status::Timeout(600.0), None));
        assert_eq!(cells[3], "timeout (600 s)");
        assert_eq!(cells[9], "–");
        let cells = row_cells(&row(Status::Ok, Some(duck(Status::Timeout(60.0), 0))));
        assert_eq!(cells[2], "1050625");
        assert_eq!(cells[4], "1.000 s");
        assert_eq!(cells[9], "timeout (60 s)");
        assert!(cells[10..].iter().all(|c| c == "–"), "{cells:?}");
    }

    #[test]
    fn a_skipped_floor_leaves_its_cells_empty() {
        let mut r = row(Status::Ok, None);
        r.floor = f64::NAN;
        let cells = row_cells(&r);
        assert_eq!((cells[7].as_str(), cells[8].as_str()), ("–", "–"));
    }
}
