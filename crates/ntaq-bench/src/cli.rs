//! The harness's command line and the order of its work.

use crate::data::{self, DataSet, Shape};
use crate::duckdb::{self as duck, DuckDb};
use crate::measure::{self, Status, median};
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

    /// Data set shapes: `ntaq` (written by ntaq-gen), `pyarrow` (the same
    /// rows as pyarrow/pandas/Spark write them: 1M-row groups, snappy, no
    /// page index, shuffled), `random` (random values, pyarrow's layout).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "ntaq,pyarrow,random")]
    shapes: Vec<Shape>,

    /// Seed of the data sets (ntaq-gen's, the shuffle's and the random values').
    #[arg(long, default_value_t = 20250601)]
    seed: u64,

    /// Seconds one run may take; a slower run is stopped and reported as a timeout.
    #[arg(long, default_value_t = 600.0, value_parser = parse_timeout)]
    timeout: f64,

    /// The ntaq binary to time (default: the one next to this harness).
    #[arg(long)]
    ntaq: Option<PathBuf>,

    /// Skip the scan floor (e.g. in a debug build of the harness, where
    /// decoding is far slower than in release).
    #[arg(long)]
    no_floor: bool,

    /// Where data sets and the Python environment are cached.
    #[arg(long, default_value = "target/ntaq-bench")]
    cache: PathBuf,

    /// Only these scenarios (1-4).
    #[arg(long, value_delimiter = ',')]
    scenarios: Vec<usize>,

    /// `--max-memory` for the timed ntaq runs (e.g. `1GB`: spilling keeps
    /// `summarize` within it); default: ntaq's own default budget.
    #[arg(long)]
    max_memory: Option<String>,

    /// Skip DuckDB (Python is then needed only for the pyarrow and random shapes).
    #[arg(long)]
    no_duckdb: bool,

    /// Markdown report to update (between its `bench:begin`/`bench:end`
    /// markers); `-` prints it instead.
    #[arg(long, default_value = "docs/performance.md")]
    report: String,
}

#[derive(Subcommand)]
enum Sub {
    /// Time `ntaq run --flow-logs` over about 1 GB of VNet flow-log blobs
    /// (written once into the cache): wall, CPU and peak memory, into
    /// docs/performance.md's flow-log block (or `--report -`).
    FlowLogs {
        /// Total size of the blobs, MiB.
        #[arg(long, default_value_t = 1024)]
        megabytes: u64,
        /// Number of blob files.
        #[arg(long, default_value_t = 8)]
        files: usize,
    },
    /// (internal) Run a command and print its wall time and peak RSS as JSON.
    Measure {
        #[arg(long)]
        stdout: Option<PathBuf>,
        /// Kill the program after this many seconds.
        #[arg(long)]
        timeout: Option<f64>,
        program: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(t) if t > 0.0 && t.is_finite() => Ok(t),
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
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
        Some(Sub::Measure { stdout, timeout, program, args }) => {
            measure::measure_child(stdout.as_deref(), *timeout, program, args)
        }
        Some(Sub::FlowLogs { megabytes, files }) => ntaq_binary(&args).and_then(|ntaq| {
            crate::flowlogs::bench(&crate::flowlogs::Options {
                ntaq: &ntaq,
                cache: &args.cache,
                megabytes: *megabytes,
                files: (*files).max(1),
                runs: args.runs as usize,
                timeout: args.timeout,
                report: &args.report,
            })
        }),
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

/// The ntaq binary to time: --ntaq, else the one next to this harness.
fn ntaq_binary(args: &Args) -> Result<PathBuf, String> {
    let ntaq = match &args.ntaq {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name(format!("ntaq{}", std::env::consts::EXE_SUFFIX)),
    };
    if !ntaq.exists() {
        return Err(format!("{} not found: build it with `cargo build --release -p ntaq`", ntaq.display()));
    }
    Ok(ntaq)
}

fn bench(args: &Args) -> Result<(), String> {
    let repo = std::env::current_dir().map_err(|e| e.to_string())?;
    if !repo.join("queries/scenario1.kql").exists() {
        return Err("run from the repository root (queries/ not found)".into());
    }
    let ntaq = ntaq_binary(args)?;
    let runs = args.runs as usize;
    let mut all = scenarios::all(&repo);
    if !args.scenarios.is_empty() {
        all.retain(|s| args.scenarios.contains(&s.number));
    }
    let mut shapes = args.shapes.clone();
    shapes.sort();
    shapes.dedup();
    let needs_python = !args.no_duckdb || shapes.iter().any(|s| s.script().is_some());
    let python = if needs_python { Some(duck::venv(&args.cache.join("venv"))?) } else { None };
    let duck = match &python {
        Some(p) if !args.no_duckdb => Some(DuckDb::new(p.clone(), &repo)),
        _ => None,
    };
    let out_dir = args.cache.join("out");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    if let Some(d) = &duck {
        check_equivalence(&ntaq, d, &repo, &all, &out_dir)?;
    }
    let tooling = tooling(&ntaq, &repo)?;
    let scripts = repo.join("crates/ntaq-bench/duckdb");
    let py = python.as_deref().map(|python| data::Python { python, scripts: &scripts });
    let ctx = Ctx {
        ntaq: &ntaq,
        duck: duck.as_ref(),
        runs,
        timeout: args.timeout,
        floor: !args.no_floor,
        max_memory: args.max_memory.as_deref(),
        out_dir: &out_dir,
    };
    let mut rows = Vec::new();
    let mut sets = Vec::new();
    for &size in &args.sizes {
        for &shape in &shapes {
            let set = data::ensure(&args.cache.join("data"), shape, size, args.seed, py.as_ref())?;
            for s in &all {
                eprintln!("{} rows, {} shape, scenario {} …", size, shape.name(), s.number);
                let row = measure_scenario(&ctx, &set, s)?;
                match &row.status {
                    Status::Ok => {}
                    Status::Failed(r) => eprintln!("  ntaq failed: {r}"),
                    Status::Timeout(t) => eprintln!("  ntaq: no result after {t} s"),
                }
                rows.push(row);
            }
            sets.push(set);
        }
    }
    let report = Report { machine: Machine::read(), runs, timeout: args.timeout, sets: &sets, rows: &rows, tooling };
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
fn check_equivalence(
    ntaq: &Path,
    duck: &DuckDb,
    repo: &Path,
    all: &[scenarios::Scenario],
    out_dir: &Path,
) -> Result<(), String> {
    let sample = repo.join("testdata/sample");
    for s in all {
        let ours = out_dir.join(format!("sample-ntaq{}.csv", s.number));
        let theirs = out_dir.join(format!("sample-duckdb{}.csv", s.number));
        let copy = out_dir.join(format!("sample-duckdb-copy{}.csv", s.number));
        let mut args = scenarios::run_args(&s.kql, Some(&ours));
        args.splice(1..1, ["--data".to_string(), sample.display().to_string()]);
        measure::run(ntaq, &args, None)?;
        let d = duck.run(&sample, &s.sql, 0, 600.0, &copy, Some(&theirs))?;
        if d.status != Status::Ok {
            return Err(format!("scenario {}: DuckDB on the bundled sample: {:?}", s.number, d.status));
        }
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
        for f in [&ours, &theirs, &copy] {
            let _ = std::fs::remove_file(f);
        }
    }
    Ok(())
}

/// What every measurement needs.
struct Ctx<'a> {
    ntaq: &'a Path,
    duck: Option<&'a DuckDb>,
    runs: usize,
    timeout: f64,
    floor: bool,
    /// `--max-memory` of the timed ntaq runs.
    max_memory: Option<&'a str>,
    /// Where results are written (and removed after counting).
    out_dir: &'a Path,
}

/// One scenario on one data set. A failed or timed-out run becomes the
/// row's status; only the harness's own failures are errors.
fn measure_scenario(ctx: &Ctx, set: &DataSet, s: &scenarios::Scenario) -> Result<Row, String> {
    let out = ctx.out_dir.join(format!("ntaq-{}-{}-{}.csv", set.shape.name(), set.rows, s.number));
    let mut args = scenarios::run_args(&s.kql, Some(&out));
    args.splice(1..1, ["--data".to_string(), set.dir.display().to_string()]);
    if let Some(m) = ctx.max_memory {
        args.splice(1..1, ["--max-memory".to_string(), m.to_string()]);
    }
    measure::settle();
    measure::evict(&set.files);
    let (cold, mut status, _) = measure::run_checked(ctx.ntaq, &args, None, Some(ctx.timeout))?;
    let mut result_rows = 0;
    if status == Status::Ok {
        // Every row the query produced is in the file: count CSV records.
        let f = std::fs::File::open(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        result_rows = measure::csv_records(std::io::BufReader::new(f)).map_err(|e| e.to_string())?.saturating_sub(1);
    }
    let mut warm = Vec::new();
    let mut rss = cold.max_rss_kb;
    for _ in 0..ctx.runs {
        if status != Status::Ok {
            break;
        }
        measure::settle();
        let (w, st, _) = measure::run_checked(ctx.ntaq, &args, None, Some(ctx.timeout))?;
        rss = rss.max(w.max_rss_kb);
        warm.push(w.wall);
        status = st;
    }
    let _ = std::fs::remove_file(&out);
    let text = std::fs::read_to_string(&s.kql).map_err(|e| e.to_string())?;
    let columns = scenarios::columns_read(&text)?;
    let mut floors = Vec::new();
    if ctx.floor {
        for _ in 0..ctx.runs {
            floors.push(floor::decode(&set.dir, &columns)?.0);
        }
    }
    let duck = match ctx.duck {
        Some(d) => {
            measure::evict(&set.files);
            let out = ctx.out_dir.join(format!("duckdb-{}-{}-{}.csv", set.shape.name(), set.rows, s.number));
            let t = d.run(&set.dir, &s.sql, ctx.runs, ctx.timeout, &out, None)?;
            let _ = std::fs::remove_file(&out);
            Some(t)
        }
        None => None,
    };
    Ok(Row {
        shape: set.shape,
        rows: set.rows,
        scenario: s.number,
        status,
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
    let args = scenarios::run_args(&repo.join("queries/scenario1.kql"), None);
    for _ in 0..5 {
        startup.push(measure::run(ntaq, &args, None)?.0.wall);
    }
    Ok(Tooling { check, startup: median(&startup) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_shapes_by_default_or_the_ones_asked_for() {
        let a = Args::try_parse_from(["ntaq-bench"]).unwrap();
        assert_eq!(a.shapes, [Shape::Ntaq, Shape::Pyarrow, Shape::Random]);
        assert_eq!(a.sizes, [1_000_000, 10_000_000]);
        assert_eq!(a.timeout, 600.0);
        let a =
            Args::try_parse_from(["ntaq-bench", "--shapes", "pyarrow,random", "--sizes", "100k,1m", "--timeout", "30"])
                .unwrap();
        assert_eq!(a.shapes, [Shape::Pyarrow, Shape::Random]);
        assert_eq!(a.sizes, [100_000, 1_000_000]);
        assert_eq!(a.timeout, 30.0);
        assert!(Args::try_parse_from(["ntaq-bench", "--shapes", "spark"]).is_err());
        assert!(Args::try_parse_from(["ntaq-bench", "--timeout", "0"]).is_err());
        assert!(Args::try_parse_from(["ntaq-bench", "--timeout", "-5"]).is_err());
    }

    #[test]
    fn the_measure_wrapper_takes_a_timeout() {
        let a = Args::try_parse_from(["ntaq-bench", "measure", "--timeout", "2.5", "--", "sleep", "10"]).unwrap();
        match a.command {
            Some(Sub::Measure { timeout, program, args, .. }) => {
                assert_eq!((timeout, program.as_str(), args.as_slice()), (Some(2.5), "sleep", &["10".to_string()][..]));
            }
            _ => panic!("not the measure subcommand"),
        }
    }

    #[test]
    fn the_flow_log_bench_takes_a_size() {
        let a = Args::try_parse_from(["ntaq-bench", "flow-logs", "--megabytes", "64", "--files", "2"]).unwrap();
        assert!(matches!(a.command, Some(Sub::FlowLogs { megabytes: 64, files: 2 })));
    }
}
