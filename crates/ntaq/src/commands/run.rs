//! `ntaq run`: execute queries and write their results.

use super::{Input, read_input, stderr_color};
use crate::cli::{RunArgs, RunFormat, exit};
use crate::diagnostic::{Diag, Severity};
use crate::params::ParamValues;
use crate::session::Session;
use kql_io::{Destination, OutputError, OutputFormat, OutputOptions};
use std::io::{Seek, Write};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Why a run stopped early.
enum Stop {
    /// Status to exit with; the message was printed.
    Status(u8),
    /// The reader of standard output went away: end quietly.
    BrokenPipe,
}

fn format_of(args: &RunArgs) -> OutputFormat {
    match args.format {
        Some(RunFormat::Table) => OutputFormat::Table,
        Some(RunFormat::Csv) => OutputFormat::Csv,
        Some(RunFormat::Json) => OutputFormat::Json,
        Some(RunFormat::Ndjson) => OutputFormat::Ndjson,
        Some(RunFormat::Parquet) => OutputFormat::Parquet,
        None => args.output.as_deref().and_then(OutputFormat::from_extension).unwrap_or(OutputFormat::Table),
    }
}

/// The instant `now()` means: `--now`, else the clock.
fn now_of(args: &RunArgs) -> Result<i64, String> {
    match &args.now {
        Some(text) => kql_syntax::time::parse_datetime(text).ok_or_else(|| {
            format!("invalid --now `{text}`: expected an ISO 8601 instant such as 2025-06-01T00:00:00Z")
        }),
        None => {
            let since =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?;
            i64::try_from(since.as_nanos()).map_err(|e| e.to_string())
        }
    }
}

pub fn run(args: &RunArgs) -> u8 {
    match run_inner(args) {
        Ok(()) | Err(Stop::BrokenPipe) => exit::OK,
        Err(Stop::Status(s)) => s,
    }
}

fn usage(msg: impl std::fmt::Display) -> Stop {
    eprintln!("ntaq: {msg}");
    Stop::Status(exit::USAGE)
}

fn run_inner(args: &RunArgs) -> Result<(), Stop> {
    let format = format_of(args);
    if format.needs_file() && args.output.is_none() {
        return Err(usage(format!("--format {format} writes a file: add --output FILE")));
    }
    if args.output.is_some() && args.files.len() > 1 {
        return Err(usage("--output takes the result of one query file; run the files one at a time"));
    }
    let now = now_of(args).map_err(usage)?;
    let values = ParamValues::parse(&args.params).map_err(usage)?;
    let loaded = match &args.data {
        Some(data) => Session::with_data_dir(data),
        None => {
            eprintln!("note: no --data DIR given; using {}", crate::sample::DESCRIPTION);
            Session::sample()
        }
    };
    let (session, warnings) = loaded.map_err(|e| {
        let d = Diag::new(e);
        usage(format!("{}: {}", d.code(), d.message()))
    })?;
    super::print_load_notes(&warnings);
    let color = stderr_color();
    let mut status = exit::OK;
    let several = args.files.len() > 1;
    // A --param is reported unused only if no file uses it.
    let mut unused: Option<Vec<Diag>> = None;
    for file in &args.files {
        let input = read_input(file).map_err(usage)?;
        match run_one(&session, &input, &values, now, format, args, several, color, &mut unused) {
            Ok(()) => {}
            Err(Stop::Status(s)) => status = status.max(s),
            Err(stop) => return Err(stop),
        }
    }
    for d in unused.unwrap_or_default() {
        eprint!("{}", d.render("", "", color));
    }
    if status == exit::OK { Ok(()) } else { Err(Stop::Status(status)) }
}

#[allow(clippy::too_many_arguments)]
fn run_one(
    session: &Session,
    input: &Input,
    values: &ParamValues,
    now: i64,
    format: OutputFormat,
    args: &RunArgs,
    several: bool,
    color: bool,
    unused: &mut Option<Vec<Diag>>,
) -> Result<(), Stop> {
    let prepared = session.prepare(&input.text, values);
    let is_unused = |d: &Diag| d.code() == "kql::run::unused_parameter";
    let here: Vec<Diag> = prepared.diagnostics.iter().filter(|d| is_unused(d)).cloned().collect();
    *unused = Some(match unused.take() {
        None => here,
        Some(before) => before.into_iter().filter(|d| here.iter().any(|h| h.message() == d.message())).collect(),
    });
    for d in prepared.diagnostics.iter().filter(|d| !is_unused(d)) {
        eprint!("{}", d.render(&input.name, &input.text, color));
    }
    if prepared.blocked() {
        let unsupported_only = prepared.diagnostics.iter().all(|d| !d.is_error());
        return Err(Stop::Status(if unsupported_only { exit::UNSUPPORTED } else { exit::ERRORS }));
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let ex = session.executor(&prepared, now, cancel);
    let results = prepared.program.results.len();
    if args.output.is_some() && results > 1 {
        eprintln!("ntaq: {} has {results} results; --output FILE takes one", input.name);
        return Err(Stop::Status(exit::USAGE));
    }
    let opts = OutputOptions { max_rows: args.max_rows, ..OutputOptions::default() };
    for k in 0..results {
        if several && format == OutputFormat::Table {
            println!("== {} ==", input.name);
        }
        let started = Instant::now();
        let rs = match ex.result(k) {
            Ok(rs) => rs,
            Err(e) => return Err(exec_failed(e, &prepared, input, color)),
        };
        let (dest, spool) = match &args.output {
            Some(path) => (Destination::file(path), None),
            // A table is written only when complete; other formats are spooled
            // so that a failing query prints nothing.
            None if format == OutputFormat::Table => (Destination::stdout(), None),
            None => {
                let spool = Spool::new().map_err(|e| usage(format!("cannot create a temporary file: {e}")))?;
                (Destination::writer(spool.clone()), Some(spool))
            }
        };
        let mut sink = kql_io::sink(format, rs.schema.clone(), dest, &opts).map_err(output_failed)?;
        for batch in rs.batches {
            let batch = batch.map_err(|e| exec_failed(e, &prepared, input, color))?;
            sink.write(&batch).map_err(output_failed)?;
        }
        let summary = sink.finish().map_err(output_failed)?;
        if let Some(spool) = spool {
            spool.copy_to_stdout().map_err(|e| {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    Stop::BrokenPipe
                } else {
                    usage(format!("cannot write to standard output: {e}"))
                }
            })?;
        }
        let elapsed = started.elapsed();
        match (&summary.path, format) {
            (Some(p), _) => {
                eprintln!("{} rows written to {} ({:.3} s)", summary.rows, p.display(), elapsed.as_secs_f64())
            }
            (None, OutputFormat::Table) => eprintln!("{} rows ({:.3} s)", summary.rows, elapsed.as_secs_f64()),
            _ => {}
        }
    }
    Ok(())
}

fn exec_failed(e: kql_exec::ExecError, prepared: &crate::session::Prepared, input: &Input, color: bool) -> Stop {
    let d = Diag::new(e).mapped(prepared.map.clone());
    eprint!("{}", d.render(&input.name, &input.text, color));
    Stop::Status(if d.severity() == Severity::Error && !d.is_unsupported() { exit::ERRORS } else { exit::UNSUPPORTED })
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
