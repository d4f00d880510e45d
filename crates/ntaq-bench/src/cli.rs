//! The harness's command line and the order of its work.

use crate::data::{self, DataSet};
use crate::duckdb::DuckDb;
use crate::measure::{self, median};
use crate::report::{self, Machine, Report, Row, Tooling};
use crate::{floor, scenarios};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Times the article's four queries in ntaq at 1M and 10M NTANetAnalytics
/// rows, next to the Parquet scan floor and DuckDB, and writes
/// docs/performance.md. Build first: `cargo build --release -p ntaq -p ntaq-bench`.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(subcommand)]
    command: Option<Sub>,

    /// NTANetAnalytics sizes in rows (suffixes k and m allowed).
    #[arg(long, value_delimiter = ',', default_value = "1m,10m", value_parser = parse_rows)]
    sizes: Vec<usize>,

    /// Warm runs per measurement (the median is reported); one cold run comes first.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,

    /// Generator seed of the data sets.
    #[arg(long, default_value_t = 20250601)]
    seed: u64,

    /// Where data sets and the Python environment are cached.
    #[arg(long, default_value = "target/ntaq-bench")]
    cache: PathBuf,

    /// Only these scenarios (1-4).
    #[arg(long, value_delimiter = ',')]
    scenarios: Vec<usize>,

    /// Skip DuckDB (no Python needed).
    #[arg(long)]
    no_duckdb: bool,

    /// Markdown report to update (between its `bench:begin`/`bench:end`
    /// markers); `-` prints it instead.
    #[arg(long, default_value = "docs/performance.md")]
    report: String,
}

#[derive(Subcommand)]
enum Sub {
    /// (internal) Run a command and print its wall time and peak RSS as JSON.
    Measure {
        #[arg(long)]
        stdout: Option<PathBuf>,
        program: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn parse_rows(s: &str) -> Result<usize, String> {
    let s = s.trim().to_ascii_lowercase();
    let (num, mul) = match s.strip_suffix('m') {
        Some(n) => (n, 1_000_000),
        None => s.strip_suffix('k').map_or((s.as_str(), 1), |n| (n, 1_000)),
    };
    num.parse::<usize>().map(|n| n * mul).map_err(|_| format!("`{s}` is not a row count like 1m or 250k"))
}

pub fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.command {
        Some(Sub::Measure { stdout, program, args }) => measure::measure_child(stdout.as_deref(), program, args),
        None => bench(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ntaq-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench(args: &Args) -> Result<(), String> {
    let repo = std::env::current_dir().map_err(|e| e.to_string())?;
    if !repo.join("queries/scenario1.kql").exists() {
        return Err("run from the repository root (queries/ not found)".into());
    }
    let ntaq = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .with_file_name(format!("ntaq{}", std::env::consts::EXE_SUFFIX));
    if !ntaq.exists() {
        return Err(format!("{} not found: build it with `cargo build --release -p ntaq`", ntaq.display()));
    }
    let runs = args.runs as usize;
    let mut all = scenarios::all(&repo);
    if !args.scenarios.is_empty() {
        all.retain(|s| args.scenarios.contains(&s.number));
    }
    let duck = if args.no_duckdb { None } else { Some(DuckDb::setup(&args.cache.join("venv"), &repo)?) };
    if let Some(d) = &duck {
        check_equivalence(&ntaq, d, &repo, &all)?;
    }
    let tooling = tooling(&ntaq, &repo)?;
    let mut rows = Vec::new();
    let mut sets = Vec::new();
    for &size in &args.sizes {
        let set = data::ensure(&args.cache.join("data"), size, args.seed)?;
        for s in &all {
            eprintln!("{} rows, scenario {} …", size, s.number);
            rows.push(measure_scenario(&ntaq, duck.as_ref(), &set, s, runs)?);
        }
        sets.push(set);
    }
    let report = Report { machine: Machine::read(), runs, sets: &sets, rows: &rows, tooling };
    let text = report.markdown();
    if args.report == "-" {
        print!("{text}");
        return Ok(());
    }
    report::update(Path::new(&args.report), &text)?;
    eprintln!("wrote {}", args.report);
    Ok(())
}

/// ntaq and DuckDB give the same rows on the bundled sample (as sorted CSV
/// lines), or the comparison is meaningless.
fn check_equivalence(ntaq: &Path, duck: &DuckDb, repo: &Path, all: &[scenarios::Scenario]) -> Result<(), String> {
    let tmp = std::env::temp_dir().join(format!("ntaq-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let sample = repo.join("testdata/sample");
    for s in all {
        let ours = tmp.join(format!("ntaq{}.csv", s.number));
        let theirs = tmp.join(format!("duckdb{}.csv", s.number));
        let mut args = scenarios::run_args(&s.kql);
        args.splice(1..1, ["--data".to_string(), sample.display().to_string()]);
        measure::run(ntaq, &args, Some(&ours))?;
        duck.run(&sample, &s.sql, 0, Some(&theirs))?;
        let lines = |p: &Path| -> Result<Vec<String>, String> {
            let mut v: Vec<String> =
                std::fs::read_to_string(p).map_err(|e| e.to_string())?.lines().map(str::to_string).collect();
            v.sort();
            Ok(v)
        };
        let (a, b) = (lines(&ours)?, lines(&theirs)?);
        if a != b || a.len() < 2 {
            return Err(format!(
                "scenario {}: DuckDB's SQL and ntaq disagree on the bundled sample ({} vs {} lines); see {} and {}",
                s.number,
                b.len(),
                a.len(),
                theirs.display(),
                ours.display()
            ));
        }
        eprintln!("scenario {}: DuckDB and ntaq agree on the sample ({} rows)", s.number, a.len() - 1);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn measure_scenario(
    ntaq: &Path,
    duck: Option<&DuckDb>,
    set: &DataSet,
    s: &scenarios::Scenario,
    runs: usize,
) -> Result<Row, String> {
    let mut args = scenarios::run_args(&s.kql);
    args.splice(1..1, ["--data".to_string(), set.dir.display().to_string()]);
    let out = std::env::temp_dir().join(format!("ntaq-bench-out-{}.csv", std::process::id()));
    measure::evict(&set.files);
    let (cold, _) = measure::run(ntaq, &args, Some(&out))?;
    let result_rows = std::fs::read_to_string(&out).map(|t| t.lines().count().saturating_sub(1) as u64).unwrap_or(0);
    let _ = std::fs::remove_file(&out);
    let mut warm = Vec::new();
    let mut rss = cold.max_rss_kb;
    for _ in 0..runs {
        let (w, _) = measure::run(ntaq, &args, None)?;
        rss = rss.max(w.max_rss_kb);
        warm.push(w.wall);
    }
    let text = std::fs::read_to_string(&s.kql).map_err(|e| e.to_string())?;
    let columns = scenarios::columns_read(&text)?;
    let mut floors = Vec::new();
    for _ in 0..runs {
        floors.push(floor::decode(&set.dir, &columns)?.0);
    }
    let duck = match duck {
        Some(d) => {
            measure::evict(&set.files);
            Some(d.run(&set.dir, &s.sql, runs, None)?)
        }
        None => None,
    };
    Ok(Row {
        rows: set.rows,
        scenario: s.number,
        result_rows,
        cold: cold.wall,
        warm: median(&warm),
        rss_kb: rss,
        floor: median(&floors),
        columns: columns.values().map(|c| c.len()).sum(),
        duck,
    })
}

/// `check` and start-up times: `check` in-process (parse + bind of each
/// scenario, median of many), and a whole `ntaq run` on the bundled sample.
fn tooling(ntaq: &Path, repo: &Path) -> Result<Tooling, String> {
    let session = ntaq::session::Session::builtin();
    let mut check = Vec::new();
    for s in scenarios::all(repo) {
        let text = std::fs::read_to_string(&s.kql).map_err(|e| e.to_string())?;
        let mut times = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            let checked = session.check(&text);
            times.push(t.elapsed().as_secs_f64());
            std::hint::black_box(checked);
        }
        check.push(median(&times));
    }
    let mut startup = Vec::new();
    let args = scenarios::run_args(&repo.join("queries/scenario1.kql"));
    for _ in 0..5 {
        startup.push(measure::run(ntaq, &args, None)?.0.wall);
    }
    Ok(Tooling { check, startup: median(&startup) })
}
