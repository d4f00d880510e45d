//! `ntaq run`: execute queries and write their results.

use super::progress::Bar;
use super::{Input, expand_files, queries_in, read_input, stderr_color};
use crate::cli::{RunArgs, RunFormat, RunOptions, exit};
use crate::diagnostic::Diag;
use crate::execute::{Execution, ResultSink};
use crate::interrupt::Interrupt;
use crate::params::ParamValues;
use crate::session::{Prepared, Session};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use kql_exec::ScanProgress;
use kql_io::output::Staging;
use kql_io::output::chart::graph::{DEFAULT_MAX_EDGES, GraphOptions};
use kql_io::{Destination, OutputError, OutputFormat, OutputOptions};
use std::collections::HashSet;
use std::io::{IsTerminal, Seek, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Why a run stopped early.
enum Stop {
    /// Status to exit with; the message was printed.
    Status(u8),
    /// The reader of standard output went away: end quietly.
    BrokenPipe,
}

/// `--format`, else `--output`'s extension (an unknown one is an error),
/// else CSV for `--output-dir` and a table on standard output.
fn format_of(args: &RunOptions) -> Result<OutputFormat, OutputError> {
    Ok(match args.format {
        Some(RunFormat::Table) => OutputFormat::Table,
        Some(RunFormat::Line) => OutputFormat::Line,
        Some(RunFormat::Markdown) => OutputFormat::Markdown,
        Some(RunFormat::Csv) => OutputFormat::Csv,
        Some(RunFormat::Json) => OutputFormat::Json,
        Some(RunFormat::Ndjson) => OutputFormat::Ndjson,
        Some(RunFormat::Parquet) => OutputFormat::Parquet,
        Some(RunFormat::Svg) => OutputFormat::Svg,
        Some(RunFormat::Html) => OutputFormat::Html,
        Some(RunFormat::Dot) => OutputFormat::Dot,
        Some(RunFormat::Mermaid) => OutputFormat::Mermaid,
        None if args.output_dir.is_some() => OutputFormat::Csv,
        None => match &args.output {
            Some(path) => OutputFormat::for_path(path)?,
            None => OutputFormat::Table,
        },
    })
}

/// An output error found before anything ran, with its help.
fn output_usage(e: OutputError) -> Stop {
    usage(super::error_text(&Diag::new(e)))
}

/// The instant `now()` means: `--now`, else the clock.
fn now_of(args: &RunOptions) -> Result<i64, String> {
    match &args.data.query.now {
        Some(text) => kql_syntax::time::parse_datetime(text).ok_or_else(|| {
            format!("invalid --now `{text}`: expected an ISO 8601 instant such as 2025-06-01T00:00:00Z")
        }),
        None => Ok(crate::session::clock_now()),
    }
}

pub fn run(args: &RunArgs) -> u8 {
    finish(run_inner(&args.options, || queries_of(args)))
}

/// `ntaq pack run NAME`: one query of the built-in pack, run as `run` runs
/// a file (named `pack:NAME` in messages, `NAME.csv` in `--output-dir`).
pub fn run_pack(options: &RunOptions, query: &crate::pack::PackQuery) -> u8 {
    let input = Input { name: format!("pack:{}", query.name), text: query.text.to_string() };
    finish(run_inner(options, || Ok(Query::all(input, query.name.to_string()))))
}

fn finish(outcome: Result<(), Stop>) -> u8 {
    match outcome {
        Ok(()) | Err(Stop::BrokenPipe) => exit::OK,
        Err(Stop::Status(s)) => s,
    }
}

fn usage(msg: impl std::fmt::Display) -> Stop {
    eprintln!("ntaq: {msg}");
    Stop::Status(exit::USAGE)
}

/// One query to run: the input it comes from (diagnostics show that
/// text), its own text (the input with its other queries blanked out), how
/// messages name it, and the base name of its files in `--output-dir`.
struct Query {
    input: Input,
    text: String,
    label: String,
    stem: String,
}

impl Query {
    /// The queries of one input: `stem.ext`, or `stem.N.ext` for the Nth
    /// of several, named `file (query N, line L)` in messages.
    fn all(input: Input, stem: String) -> Vec<Query> {
        let parts = queries_in(&input);
        let several = parts.len() > 1;
        parts
            .into_iter()
            .map(|q| Query {
                label: if several {
                    format!("{} (query {}, line {})", input.name, q.index, q.line)
                } else {
                    input.name.clone()
                },
                stem: if several { format!("{stem}.{}", q.index) } else { stem.clone() },
                text: q.text,
                input: input.clone(),
            })
            .collect()
    }
}

/// The queries of the command line, in order: `-c`, or the files with
/// patterns expanded, each file's queries in turn. Every file is read
/// before any query runs.
fn queries_of(args: &RunArgs) -> Result<Vec<Query>, String> {
    if let Some(text) = &args.command {
        return Ok(Query::all(Input { name: "<command>".into(), text: text.clone() }, "command".into()));
    }
    let names = expand_files(&args.files)?;
    if names.iter().filter(|n| *n == "-").count() > 1 {
        return Err("`-` (standard input) can be given only once".into());
    }
    let mut queries = Vec::new();
    for name in &names {
        let stem = match name.as_str() {
            "-" => "stdin".to_string(),
            _ => {
                let path = std::path::Path::new(name);
                path.file_stem().or(path.file_name()).map_or_else(|| name.clone(), |s| s.to_string_lossy().into())
            }
        };
        queries.extend(Query::all(read_input(name)?, stem));
    }
    Ok(queries)
}

/// Runs the queries `queries_of` reads (once the options are known good).
fn run_inner(args: &RunOptions, queries_of: impl FnOnce() -> Result<Vec<Query>, String>) -> Result<(), Stop> {
    // Defaults from the config file fill in what the command line left open.
    let config = crate::config::Config::load().map_err(usage)?;
    let mut filled = args.clone();
    filled.max_width = filled.max_width.or(config.max_width);
    let args = &filled;
    let to_screen = args.format.is_none() && args.output.is_none() && args.output_dir.is_none();
    let format = match config.output_format() {
        Some(f) if to_screen => f,
        _ => format_of(args).map_err(output_usage)?,
    };
    if args.graph && format != OutputFormat::Html {
        return Err(usage(format!(
            "--graph draws an HTML page (--format html or an .html output), not {format}; --format dot or mermaid writes the graph as text"
        )));
    }
    if format.needs_file() && args.output.is_none() && args.output_dir.is_none() {
        return Err(usage(format!("--format {format} writes a file: add --output FILE or --output-dir DIR")));
    }
    let now = now_of(args).map_err(usage)?;
    let values = ParamValues::parse(&args.data.query.param.params).map_err(usage)?;
    let queries = queries_of().map_err(usage)?;
    if args.output.is_some() && queries.len() > 1 {
        return Err(usage(
            "--output takes the result of one query; use --output-dir DIR for several, or run them one at a time",
        ));
    }
    if let Some(dir) = &args.output_dir {
        let mut by_stem: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        for q in &queries {
            if let Some(first) = by_stem.insert(&q.stem, &q.label) {
                return Err(usage(format!(
                    "`{first}` and `{}` would both write {}.{} in {}; run them separately",
                    q.label,
                    q.stem,
                    format.extension(),
                    dir.display()
                )));
            }
        }
        std::fs::create_dir_all(dir).map_err(|e| usage(format!("cannot create `{}`: {e}", dir.display())))?;
    }
    // Columns the data lacks are named by each query that reads one
    // (kql::io::absent_column), not listed here.
    let loading =
        super::Loading { quiet: args.quiet, sample_note: true, missing_columns: false, progress: !args.quiet };
    let (mut session, _) =
        super::load_session(&args.data.sources, args.data.lenient, &args.data.flow, &config, &loading)
            .map_err(usage)?;
    // Before deriving: the derived tables are made within the budget too.
    if let Some(bytes) = args.max_memory {
        session.limits.max_memory = bytes;
    }
    if !args.data.flow.flow_logs().is_empty() {
        for q in &queries {
            let notes =
                crate::flowlogs::derive_if_needed(&mut session, &q.text).map_err(|d| usage(super::error_text(&d)))?;
            loading.print(notes);
        }
    }
    let interrupt = Interrupt::default();
    interrupt.install();
    let mut runner = Runner {
        args,
        session: &session,
        values: &values,
        now,
        format,
        several: queries.len() > 1,
        color: stderr_color(),
        progress: !args.quiet && std::io::stderr().is_terminal(),
        unused: None,
        written: HashSet::new(),
        interrupt,
    };
    let mut status = exit::OK;
    let mut failed: Vec<(&str, u8)> = Vec::new();
    let mut ran = 0;
    for q in &queries {
        ran += 1;
        match runner.run_one(q) {
            Ok(()) => {}
            Err(Stop::Status(exit::INTERRUPTED)) => {
                // Ctrl-C: the query's outputs were cleaned up; run no more.
                eprintln!("ntaq: interrupted");
                return Err(Stop::Status(exit::INTERRUPTED));
            }
            Err(Stop::Status(s)) => {
                status = exit::worse(status, s);
                failed.push((&q.label, s));
                if args.fail_fast {
                    break;
                }
            }
            Err(stop) => return Err(stop),
        }
    }
    // A --param is reported unused only if no file uses it (and all ran).
    if ran == queries.len() {
        for d in runner.unused.take().unwrap_or_default() {
            eprint!("{}", d.render("", "", runner.color));
        }
    }
    if let Some((last, _)) = failed.last().filter(|_| ran < queries.len()) {
        let left = queries.len() - ran;
        eprintln!("{last} failed; stopped there (--fail-fast): {left} of {} queries not run", queries.len());
    } else if ran > 1 && !failed.is_empty() {
        let names: Vec<String> = failed
            .iter()
            .map(
                |(name, s)| {
                    if *s == exit::UNSUPPORTED { format!("{name} (unsupported KQL)") } else { name.to_string() }
                },
            )
            .collect();
        eprintln!("{} of {ran} queries failed: {}", failed.len(), names.join(", "));
    }
    if status == exit::OK { Ok(()) } else { Err(Stop::Status(status)) }
}

/// What runs the queries of one `ntaq run`.
struct Runner<'a> {
    args: &'a RunOptions,
    session: &'a Session,
    values: &'a ParamValues,
    now: i64,
    format: OutputFormat,
    /// More than one query: the table format heads each with its name.
    several: bool,
    color: bool,
    /// Draw a progress bar for long queries.
    progress: bool,
    /// `--param`s no query so far has used.
    unused: Option<Vec<Diag>>,
    /// Files `--output-dir` received in this run (none is overwritten).
    written: HashSet<PathBuf>,
    /// Ctrl-C cancels the running query.
    interrupt: Interrupt,
}

/// Why writing one result stopped; reported once the progress bar is gone.
enum Failure {
    Exec(kql_exec::ExecError),
    Output(OutputError),
    /// Already reported.
    Stop(Stop),
}

impl From<kql_exec::ExecError> for Failure {
    fn from(e: kql_exec::ExecError) -> Self {
        Failure::Exec(e)
    }
}

impl Runner<'_> {
    fn run_one(&mut self, q: &Query) -> Result<(), Stop> {
        let (args, input, color) = (self.args, &q.input, self.color);
        let prepared = self.session.prepare_at(&q.text, self.values, self.now);
        let is_unused = |d: &Diag| d.is_unused_parameter();
        let here: Vec<Diag> = prepared.diagnostics.iter().filter(|d| is_unused(d)).cloned().collect();
        self.unused = Some(match self.unused.take() {
            None => here,
            Some(before) => before.into_iter().filter(|d| here.iter().any(|h| h.message() == d.message())).collect(),
        });
        // The render note says the table is written instead of the chart:
        // not so for the formats that draw it.
        // The terminal's table draws a text chart above it.
        let to_screen_table = self.format == OutputFormat::Table && args.output.is_none() && args.output_dir.is_none();
        let draws = (matches!(self.format, OutputFormat::Svg | OutputFormat::Html) && !args.graph) || to_screen_table;
        let is_drawn = |d: &Diag| draws && d.is_render_note();
        for d in prepared.diagnostics.iter().filter(|d| !is_unused(d) && !is_drawn(d)) {
            eprint!("{}", d.render(&input.name, &input.text, color));
        }
        if prepared.blocked() {
            return Err(Stop::Status(exit::of(&prepared.diagnostics)));
        }
        let results = prepared.program.results.len();
        if args.output.is_some() && results > 1 {
            eprintln!(
                "ntaq: {} has {results} results; --output FILE takes one (--output-dir DIR writes one file each)",
                q.label
            );
            return Err(Stop::Status(exit::USAGE));
        }
        let progress = ScanProgress::new();
        self.interrupt.start();
        let ran = self.write_results(q, &prepared, progress);
        if self.interrupt.finish() {
            return Err(Stop::Status(exit::INTERRUPTED));
        }
        ran
    }

    /// Runs a prepared query and writes each of its results.
    fn write_results(&mut self, q: &Query, prepared: &Prepared, progress: Arc<ScanProgress>) -> Result<(), Stop> {
        let (args, format) = (self.args, self.format);
        let to_file = args.output.is_some() || args.output_dir.is_some();
        let limit = row_limit(args.max_rows, format, to_file);
        // Files get every cell whole; standard output is fitted to the screen.
        let counts_rows = format.for_people() || format == OutputFormat::Markdown;
        let opts = OutputOptions {
            max_rows: if counts_rows { limit.map_or(usize::MAX, |n| n as usize) } else { usize::MAX },
            max_width: if to_file { 0 } else { args.max_width.unwrap_or_else(super::screen_width) },
            show_types: false,
            // A text chart above a table on the screen, not in a file.
            text_chart: if format == OutputFormat::Table && !to_file { super::text_chart_glyphs() } else { None },
            graph: GraphOptions {
                edges: args.edges.clone(),
                weight: args.weight.clone(),
                view: args.graph,
                max_edges: args.max_edges.unwrap_or(DEFAULT_MAX_EDGES),
            },
        };
        // The table, line and markdown formats count the rows past their
        // limit themselves; the others stop reading at the limit.
        let how = Execution {
            now: self.now,
            cancel: self.interrupt.cancel.clone(),
            progress: Some(progress.clone()),
            max_rows: limit.filter(|_| !counts_rows),
        };
        let session = self.session;
        let mut sink = Writing {
            runner: self,
            q,
            prepared,
            opts,
            counts_rows,
            results: prepared.program.results.len(),
            progress,
            bar: None,
            staging: Staging::new(),
            reports: Vec::new(),
            headed: false,
            current: None,
        };
        match session.execute(prepared, &how, &mut sink) {
            Ok(()) => {}
            Err(failure) => {
                // The progress bar and any staged files go first.
                drop(sink);
                return Err(match failure {
                    Failure::Exec(e) => exec_failed(e, prepared, &q.input, self.color),
                    Failure::Output(e) => output_failed(e),
                    Failure::Stop(stop) => stop,
                });
            }
        }
        let Writing { staging, reports, .. } = sink;
        // --output-dir: the script's files, renamed into place when all succeeded.
        let targets = staging.commit().map_err(|e| {
            let d = Diag::new(e);
            usage(format!("cannot write the results of {}: {}", q.label, d.message()))
        })?;
        self.written.extend(targets);
        if !args.quiet {
            for r in reports {
                eprintln!("{r}");
            }
        }
        Ok(())
    }
}

/// Where `ntaq run` writes the results of one query: each to the
/// destination its options say, then reported on standard error.
struct Writing<'a, 'r> {
    runner: &'a mut Runner<'r>,
    q: &'a Query,
    prepared: &'a Prepared,
    opts: OutputOptions,
    /// The format counts the rows past its limit itself.
    counts_rows: bool,
    /// How many results the query has.
    results: usize,
    progress: Arc<ScanProgress>,
    /// Drawn while a result runs, cleared before it is reported.
    bar: Option<Bar>,
    /// `--output-dir`: the query's files, moved into place together.
    staging: Staging,
    /// What `--output-dir` received, said once the files are in place.
    reports: Vec<String>,
    /// The query's name was printed above its first table.
    headed: bool,
    /// The result being written.
    current: Option<Current>,
}

/// A result being written.
struct Current {
    dest: Option<Destination>,
    /// Standard output, collected until the result is complete.
    spool: Option<Spool>,
    sink: Option<Box<dyn kql_io::Sink>>,
    started: Instant,
}

impl ResultSink for Writing<'_, '_> {
    type Error = Failure;

    fn begin(&mut self, k: usize) -> Result<(), Failure> {
        let (args, format, q) = (self.runner.args, self.runner.format, self.q);
        let started = Instant::now();
        let (dest, spool) = match (&args.output, &args.output_dir) {
            (Some(path), _) => (Destination::file(path), None),
            (None, Some(dir)) => {
                let name = match self.results {
                    1 => format!("{}.{}", q.stem, format.extension()),
                    _ => format!("{}.{}.{}", q.stem, k + 1, format.extension()),
                };
                let target = dir.join(&name);
                if self.runner.written.contains(&target) {
                    return Err(Failure::Stop(usage(format!(
                        "{} would overwrite `{}`, written earlier in this run",
                        q.label,
                        target.display()
                    ))));
                }
                (self.staging.file(target), None)
            }
            // A table is written only when complete; other formats are spooled
            // so that a failing query prints nothing.
            (None, None) if format == OutputFormat::Table => (Destination::stdout(), None),
            (None, None) => {
                let spool =
                    Spool::new().map_err(|e| Failure::Stop(usage(format!("cannot create a temporary file: {e}"))))?;
                (Destination::writer(spool.clone()), Some(spool))
            }
        };
        self.bar = self.runner.progress.then(|| Bar::stderr(self.progress.clone(), q.label.clone()));
        self.current = Some(Current { dest: Some(dest), spool, sink: None, started });
        Ok(())
    }

    fn open(&mut self, schema: &SchemaRef) -> Result<(), Failure> {
        let format = self.runner.format;
        let Some(current) = self.current.as_mut() else { return Ok(()) };
        let Some(dest) = current.dest.take() else { return Ok(()) };
        current.sink = Some(kql_io::sink(format, schema.clone(), dest, &self.opts).map_err(Failure::Output)?);
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), Failure> {
        match self.current.as_mut().and_then(|c| c.sink.as_mut()) {
            Some(sink) => sink.write(batch).map_err(Failure::Output),
            None => Ok(()),
        }
    }

    fn end(&mut self, cut_at: Option<u64>) -> Result<(), Failure> {
        self.bar = None;
        let Some(Current { spool, sink: Some(sink), started, .. }) = self.current.take() else { return Ok(()) };
        let (args, q) = (self.runner.args, self.q);
        let to_screen = args.output.is_none() && args.output_dir.is_none();
        if self.runner.several && self.counts_rows && to_screen && !self.headed {
            println!("== {} ==", q.label);
            self.headed = true;
        }
        let summary = sink.finish().map_err(Failure::Output)?;
        if summary.rows == 0
            && !args.quiet
            && let Some(hint) = crate::hints::empty_result_hint(self.runner.session, self.prepared, self.runner.now)
        {
            eprintln!("note: {}: {hint}", q.label);
        }
        for note in &summary.notes {
            eprintln!("warning: {}: {note}", q.label);
        }
        if let Some(n) = cut_at {
            let why = if args.max_rows.is_some() { "--max-rows" } else { "Kusto's result truncation limit" };
            eprintln!(
                "warning: {}: the result was cut at {n} rows ({why}); --max-rows N changes it, 0 writes all",
                q.label
            );
        }
        if let Some(spool) = spool {
            spool.copy_to_stdout().map_err(|e| {
                Failure::Stop(if e.kind() == std::io::ErrorKind::BrokenPipe {
                    Stop::BrokenPipe
                } else {
                    usage(format!("cannot write to standard output: {e}"))
                })
            })?;
        }
        let secs = started.elapsed().as_secs_f64();
        // What a file received: every row, or the first --max-rows of a
        // table, which counts the rest.
        let written = match summary.rows_written {
            n if n < summary.rows => format!("{n} of {}", super::rows(summary.rows)),
            _ => super::rows(summary.rows),
        };
        let report = match (args.output_dir.is_some(), &summary.path) {
            (true, path) => {
                let target = path.as_ref().map(|t| t.display().to_string()).unwrap_or_default();
                self.reports.push(format!("{written} written to {target} ({secs:.3} s)"));
                None
            }
            (false, Some(p)) => Some(format!("{written} written to {} ({secs:.3} s)", p.display())),
            (false, None) if self.counts_rows => Some(format!("{} ({secs:.3} s)", super::rows(summary.rows))),
            _ => None,
        };
        if let Some(report) = report.filter(|_| !args.quiet) {
            eprintln!("{report}");
        }
        Ok(())
    }
}

/// Most rows to write of a result (`--max-rows`; 0 means all): by default
/// all rows for files (a `.txt` table too), 100 for a table or line records
/// on standard output, Kusto's 500,000 for other text there.
fn row_limit(max_rows: Option<u64>, format: OutputFormat, to_file: bool) -> Option<u64> {
    match max_rows {
        Some(0) => None,
        Some(n) => Some(n),
        None if to_file => None,
        None if format.for_people() => Some(100),
        None => Some(500_000),
    }
}

fn exec_failed(e: kql_exec::ExecError, prepared: &Prepared, input: &Input, color: bool) -> Stop {
    if matches!(e, kql_exec::ExecError::Cancelled) {
        return Stop::Status(exit::INTERRUPTED);
    }
    let d = Diag::new(e).mapped(prepared.map.clone());
    eprint!("{}", d.render(&input.name, &input.text, color));
    Stop::Status(d.status())
}

fn output_failed(e: OutputError) -> Stop {
    if e.is_broken_pipe() {
        return Stop::BrokenPipe;
    }
    let d = Diag::new(e);
    eprintln!("ntaq: {}: {}", d.code(), d.message());
    Stop::Status(exit::USAGE)
}

/// A temporary file collecting standard output until the query succeeded.
#[derive(Clone)]
struct Spool(Arc<Mutex<std::fs::File>>);

impl Spool {
    fn new() -> std::io::Result<Spool> {
        Ok(Spool(Arc::new(Mutex::new(tempfile::tempfile()?))))
    }

    fn copy_to_stdout(&self) -> std::io::Result<()> {
        let mut f = self.0.lock().map_err(|_| std::io::Error::other("spool lock poisoned"))?;
        f.rewind()?;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        std::io::copy(&mut *f, &mut out)?;
        out.flush()
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("spool lock poisoned"))?.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().map_err(|_| std::io::Error::other("spool lock poisoned"))?.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_get_every_row_by_default() {
        for format in OutputFormat::ALL {
            assert_eq!(row_limit(None, format, true), None, "{format}");
            assert_eq!(row_limit(Some(7), format, true), Some(7), "{format}");
            assert_eq!(row_limit(Some(0), format, false), None, "{format}");
        }
        assert_eq!(row_limit(None, OutputFormat::Table, false), Some(100));
        assert_eq!(row_limit(None, OutputFormat::Line, false), Some(100));
        assert_eq!(row_limit(None, OutputFormat::Markdown, false), Some(500_000));
        assert_eq!(row_limit(None, OutputFormat::Csv, false), Some(500_000));
    }

    #[test]
    fn statuses_combine_errors_over_unsupported() {
        use exit::worse;
        assert_eq!(worse(exit::OK, exit::UNSUPPORTED), exit::UNSUPPORTED);
        assert_eq!(worse(exit::UNSUPPORTED, exit::ERRORS), exit::ERRORS);
        assert_eq!(worse(exit::ERRORS, exit::UNSUPPORTED), exit::ERRORS);
        assert_eq!(worse(exit::USAGE, exit::ERRORS), exit::USAGE);
        assert_eq!(worse(exit::OK, exit::OK), exit::OK);
    }
}
