//! The interactive shell: `ntaq` / `ntaq repl`.
//!
//! [`Repl`] holds the session state (tables, remembered `let`s, parameters,
//! settings) and runs one entry at a time — a query or a meta-command —
//! writing results and messages to the writers it was given. Two front ends
//! feed it: the line editor on a terminal ([`editor`]) and blank-line blocks
//! of piped input ([`input::blocks`]).

mod complete;
mod editor;
pub mod error;
mod highlight;
pub mod input;
mod meta;
mod outfile;

pub use complete::{Completer, Completion};

use crate::cli::{ReplArgs, exit};
use crate::diagnostic::Diag;
use crate::interrupt::Interrupt;
use crate::params::ParamValues;
use crate::session::{Prepared, Session};
use error::ReplError;
use kql_io::output::SharedBuffer;
use kql_io::{Destination, OutputFormat, OutputOptions};
use kql_syntax::ast::{Statement, StatementKind};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use outfile::Target;

/// A temporary file beside `path` for one result before it is appended.
fn part_file(path: &std::path::Path) -> std::io::Result<tempfile::NamedTempFile> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    tempfile::Builder::new().prefix(".ntaq-part-").tempfile_in(folder)
}

/// A `let` entered on its own, in scope for every later query.
#[derive(Debug, Clone)]
pub struct Remembered {
    pub name: String,
    /// The statement as the user wrote it.
    pub text: String,
    pub statement: Statement,
}

/// What `.format`, `.maxrows`, `.maxwidth`, `.timing`, `.output` and `.now` set.
#[derive(Debug, Clone)]
pub struct Settings {
    pub format: OutputFormat,
    /// `.format` was given (a file name without a known extension then
    /// keeps it instead of being refused).
    pub format_chosen: bool,
    pub max_rows: usize,
    /// The width tables are fitted to (0 = never cut); `None`: the
    /// terminal's (`$COLUMNS`, else standard output's width if a terminal).
    pub max_width: Option<usize>,
    pub timing: bool,
    pub output: Option<PathBuf>,
    /// Results written to `output` since `.output FILE` (it appends).
    pub output_results: usize,
    /// The format to return to after `.output off`, when the output file's
    /// extension chose another.
    pub screen_format: Option<OutputFormat>,
    /// `now()` fixed by `.now`, else the clock.
    pub now: Option<i64>,
    /// `.once FILE`: where the next result goes (whole), and in which format.
    pub once: Option<(PathBuf, OutputFormat)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            format: OutputFormat::Table,
            format_chosen: false,
            max_rows: 100,
            max_width: None,
            timing: false,
            output: None,
            output_results: 0,
            screen_format: None,
            now: None,
            once: None,
        }
    }
}

pub struct Repl {
    pub session: Session,
    pub values: ParamValues,
    pub lets: Vec<Remembered>,
    pub settings: Settings,
    pub interrupt: Interrupt,
    /// Colours in diagnostics.
    pub color: bool,
    /// A progress bar on standard error for long queries (a terminal).
    pub progress: bool,
    out: Box<dyn Write + Send>,
    err: Box<dyn Write + Send>,
    /// Set by `.quit`.
    pub quit: bool,
    /// Entries that failed (for the exit status of piped sessions).
    pub failures: usize,
    /// What the tables are, for the banner (e.g. "the bundled sample").
    pub source: String,
    /// The enrichment and interval `.load` of a flow-log folder uses.
    pub flow: crate::cli::FlowLogArgs,
    /// The last result that ended in `render`, for `.chart FILE`.
    last_chart: Option<(arrow_schema::SchemaRef, Vec<arrow_array::RecordBatch>)>,
}

impl Repl {
    pub fn new(session: Session, out: Box<dyn Write + Send>, err: Box<dyn Write + Send>) -> Repl {
        Repl {
            session,
            values: ParamValues::default(),
            lets: Vec::new(),
            settings: Settings::default(),
            interrupt: Interrupt::default(),
            color: false,
            progress: false,
            out,
            err,
            quit: false,
            failures: 0,
            source: String::new(),
            flow: Default::default(),
            last_chart: None,
        }
    }

    /// Runs each entry of a text in order (piped input, a paste, a typed
    /// entry): its `.command` lines and its queries, split as
    /// [`input::blocks`] says. Stops after `.quit`.
    pub fn submit_all(&mut self, name: &str, text: &str) {
        for entry in input::blocks(text) {
            self.submit(name, &entry.text);
            if self.quit {
                break;
            }
        }
    }

    /// Runs one entry: a meta-command (`.help`) or query text. `name` names
    /// the text in diagnostics.
    pub fn submit(&mut self, name: &str, text: &str) {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return;
        }
        if trimmed.starts_with('.') {
            self.meta(trimmed);
        } else {
            self.query(name, text);
        }
        let _ = self.out.flush();
        let _ = self.err.flush();
    }

    /// Writes a line to the message stream (standard error).
    fn say(&mut self, text: impl std::fmt::Display) {
        let _ = writeln!(self.err, "{text}");
    }

    /// Writes to the result stream (standard output).
    fn print(&mut self, text: impl std::fmt::Display) {
        let _ = write!(self.out, "{text}");
    }

    fn report(&mut self, d: &Diag, name: &str, text: &str) {
        let rendered = d.render(name, text, self.color);
        let _ = write!(self.err, "{rendered}");
    }

    /// Reports a meta-command error; counts as a failed entry.
    /// Notes and warnings about loaded data, one line each.
    fn say_notes(&mut self, notes: Vec<Diag>) {
        for n in notes {
            let level = if n.severity() == crate::diagnostic::Severity::Warning { "warning" } else { "note" };
            self.say(format!("{level}: {}", n.message()));
        }
    }

    fn fail(&mut self, e: ReplError) {
        self.failures += 1;
        let d = Diag::new(e);
        self.report(&d, "", "");
    }

    fn query(&mut self, name: &str, text: &str) {
        // NTANetAnalytics / NTAIpDetails from flow logs, the first time one is read.
        match crate::flowlogs::derive_if_needed(&mut self.session, text) {
            Ok(notes) => self.say_notes(notes),
            Err(d) => {
                self.failures += 1;
                self.report(&d, "", "");
                return;
            }
        }
        let parsed = kql_syntax::parse(text);
        let lets_only = parsed.errors.is_empty()
            && !parsed.script.statements.is_empty()
            && parsed.script.statements.iter().all(|s| matches!(s.kind, StatementKind::Let(_)));
        let prepared = self.session.prepare(text, &self.values);
        let on_screen_table = self.settings.format == OutputFormat::Table
            && self.settings.output.is_none()
            && self.settings.once.is_none();
        let shown: Vec<&Diag> = prepared
            .diagnostics
            .iter()
            .filter(|d| !d.is_unused_parameter())
            .filter(|d| !(lets_only && d.is_no_query()))
            // The screen's table draws the chart as text above it.
            .filter(|d| !(on_screen_table && d.is_render_note()))
            .collect();
        let blocked = shown.iter().any(|d| d.is_error() || d.is_unsupported());
        for d in &shown {
            let d = (*d).clone();
            self.report(&d, name, text);
        }
        if blocked {
            self.failures += 1;
            if crate::split::starts_with_pipe(text) {
                self.say(PIPE_HINT);
            }
            return;
        }
        if lets_only {
            self.remember(&prepared);
            return;
        }
        self.run(name, &prepared);
    }

    fn run(&mut self, name: &str, prepared: &Prepared) {
        let now = self.settings.now.unwrap_or_else(clock_now);
        let interrupt = self.interrupt.clone();
        interrupt.start();
        let session = self.session.clone();
        let progress = kql_exec::ScanProgress::new();
        let ex = session.executor(prepared, now, interrupt.cancel.clone()).with_progress(progress.clone());
        for k in 0..prepared.program.results.len() {
            let started = Instant::now();
            // Drawn after a moment, cleared (dropped) before the result shows.
            let bar = self.progress.then(|| crate::commands::progress::Bar::stderr(progress.clone(), "query".into()));
            // `.once FILE` takes the next result; `.output FILE` every one.
            let (target, format) = match (self.settings.once.take(), &self.settings.output) {
                (Some((path, format)), _) => (Target::Replace(path), format),
                (None, Some(path)) => {
                    let format = self.settings.format;
                    (outfile::output_target(path, format, self.settings.output_results), format)
                }
                (None, None) => (Target::Screen, self.settings.format),
            };
            // An appended result is written whole to a temporary file beside
            // the output first: a failed query appends nothing.
            let part = match &target {
                Target::Append(path) => match part_file(path) {
                    Ok(part) => Some(part),
                    Err(e) => {
                        self.fail(ReplError::Usage {
                            message: format!("cannot write beside {}: {e}", path.display()),
                            usage: ".output FILE".into(),
                        });
                        break;
                    }
                },
                _ => None,
            };
            let file = match (&target, &part) {
                (Target::Append(_), Some(part)) => Some(part.path().to_path_buf()),
                (Target::Replace(path), _) => Some(path.clone()),
                _ => None,
            };
            let written = ex.result(k).map_err(Diag::new).and_then(|rs| {
                let buffer = SharedBuffer::default();
                let dest = match &file {
                    Some(path) => Destination::file(path),
                    None => Destination::writer(buffer.clone()),
                };
                // A file gets every row, whole; the screen a fitted table.
                let opts = match &file {
                    Some(_) => {
                        OutputOptions { max_rows: usize::MAX, max_width: 0, show_types: false, ..Default::default() }
                    }
                    None => OutputOptions {
                        max_rows: self.settings.max_rows,
                        max_width: self.settings.max_width.unwrap_or_else(crate::commands::screen_width),
                        show_types: true,
                        text_chart: crate::commands::text_chart_glyphs(),
                        ..Default::default()
                    },
                };
                let rendered = kql_io::output::chart::RenderSpec::from_schema(&rs.schema).is_some();
                let mut kept = Vec::new();
                let mut sink = kql_io::sink(format, rs.schema.clone(), dest, &opts).map_err(Diag::new)?;
                for batch in rs.batches {
                    let batch = batch.map_err(Diag::new)?;
                    sink.write(&batch).map_err(Diag::new)?;
                    if rendered {
                        kept.push(batch);
                    }
                }
                let summary = sink.finish().map_err(Diag::new)?;
                if rendered {
                    self.last_chart = Some((rs.schema.clone(), kept));
                }
                Ok((summary, buffer))
            });
            drop(bar);
            // The appended part joins the output file.
            let written = written.and_then(|(summary, buffer)| match (&target, &part) {
                (Target::Append(path), Some(part)) => {
                    outfile::append(path, part.path()).map(|_| (summary, buffer)).map_err(|source| {
                        Diag::new(kql_io::OutputError::Write {
                            target: kql_io::output::Target::File(path.clone()),
                            source,
                        })
                    })
                }
                _ => Ok((summary, buffer)),
            });
            match written {
                Ok((summary, buffer)) => {
                    self.print(buffer.contents());
                    let secs = started.elapsed().as_secs_f64();
                    let from_output = self.settings.output.is_some() && !matches!(target, Target::Screen);
                    let numbered = from_output && self.settings.output_results > 0 && !outfile::appends(format);
                    if from_output {
                        self.settings.output_results += 1;
                    }
                    let shown = match &target {
                        Target::Append(path) => Some(path.clone()),
                        _ => summary.path.clone(),
                    };
                    match &shown {
                        Some(p) if matches!(target, Target::Append(_)) => self.say(format!(
                            "{} appended to {} ({secs:.3} s)",
                            crate::commands::rows(summary.rows),
                            p.display()
                        )),
                        Some(p) if numbered => self.say(format!(
                            "{} written to {} ({secs:.3} s; a {format} file holds one result, so each further one gets its own file)",
                            crate::commands::rows(summary.rows),
                            p.display()
                        )),
                        Some(p) => self.say(format!(
                            "{} written to {} ({secs:.3} s)",
                            crate::commands::rows(summary.rows),
                            p.display()
                        )),
                        None if self.settings.timing => {
                            self.say(format!("{} ({secs:.3} s)", crate::commands::rows(summary.rows)))
                        }
                        None => {}
                    }
                    if summary.rows == 0
                        && let Some(hint) = crate::hints::empty_result_hint(&session, prepared, now)
                    {
                        self.say(format!("note: {hint}"));
                    }
                }
                Err(d) => {
                    let d = d.mapped(prepared.map.clone());
                    self.report(&d, name, &prepared.original);
                    self.failures += 1;
                    break;
                }
            }
        }
        interrupt.finish();
    }

    /// Keeps the `let`s of a lets-only entry for later queries. A name
    /// entered again replaces its definition where it was, so the `let`s
    /// that use it see the new one; if it cannot stay there (it now uses a
    /// later `let`), it moves to the end.
    fn remember(&mut self, prepared: &Prepared) {
        let parsed = kql_syntax::parse(&prepared.text);
        let (mut names, mut redefined) = (Vec::new(), Vec::new());
        for statement in parsed.script.statements {
            let StatementKind::Let(l) = &statement.kind else { continue };
            let (start, len) = prepared.map.to_original(statement.span.start, statement.span.len());
            let mut text = prepared.original[start..start + len].trim().to_string();
            if !text.ends_with(';') {
                text.push(';');
            }
            let new = Remembered { name: l.name.name.clone(), text, statement: statement.clone() };
            match self.lets.iter().position(|r| r.name == new.name) {
                Some(i) => {
                    redefined.push(new.name.clone());
                    let mut in_place = self.lets.clone();
                    in_place[i] = new.clone();
                    if self.binds(&in_place) {
                        self.lets = in_place;
                    } else {
                        self.lets.remove(i);
                        self.lets.push(new);
                    }
                }
                None => {
                    names.push(new.name.clone());
                    self.lets.push(new);
                }
            }
        }
        self.session.prelude = self.lets.iter().map(|r| r.statement.clone()).collect();
        let mut said = Vec::new();
        if !names.is_empty() {
            said.push(format!("remembered {}", names.join(", ")));
        }
        if !redefined.is_empty() {
            said.push(format!("redefined {}", redefined.join(", ")));
        }
        self.say(format!("{} (.lets lists them, .forget NAME drops one)", said.join("; ")));
    }

    /// Whether `lets`, in this order, bind without errors.
    fn binds(&self, lets: &[Remembered]) -> bool {
        let mut s = self.session.clone();
        s.prelude = lets.iter().map(|r| r.statement.clone()).collect();
        !s.check("print 0").has_errors()
    }

    /// The banner shown when the shell opens on a terminal.
    pub fn banner(&self) -> String {
        // The tables with data; those known only by their published schema
        // (the rest of the traffic-analytics family) are counted.
        let names: Vec<&str> = self.session.catalog.names().collect();
        let with_data: Vec<String> = names
            .iter()
            .filter_map(|n| self.session.table_files(n).map(|t| format!("{n} ({})", crate::commands::rows(t.rows))))
            .collect();
        let tables: Vec<String> = match names.len() - with_data.len() {
            _ if with_data.is_empty() => names.iter().map(|n| n.to_string()).collect(),
            0 => with_data,
            more => {
                let mut t = with_data;
                t.push(format!("and {more} more with a schema only (.tables)"));
                t
            }
        };
        format!(
            "ntaq {} — KQL over {}\ntables: {}\nEnter runs a one-line query; type a longer one line by line and end it with an empty line.\nTab completes; .help for commands and keys, Ctrl-D to leave.",
            env!("CARGO_PKG_VERSION"),
            self.source,
            tables.join(", ")
        )
    }
}

/// Said when an entry starting with `|` fails: its query ran without it.
const PIPE_HINT: &str = "hint: a line starting with `|` goes on the query above it, which has already run: \
type the query's lines one after another (a first line such as `NTANetAnalytics` alone waits for them) \
and end it with an empty line";

/// The instant now, in nanoseconds since the Unix epoch.
pub fn clock_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

/// `ntaq repl`: on a terminal, the line editor; otherwise blank-line
/// blocks of standard input. Exit status 0, or 1 if a piped entry failed.
pub fn run(args: &ReplArgs) -> u8 {
    let config = match crate::config::Config::load() {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("ntaq: {msg}");
            return exit::USAGE;
        }
    };
    let flow_logs = !args.flow.flow_logs.is_empty();
    let data = if args.tables.is_empty() && !flow_logs {
        args.data.clone().or(config.data.clone())
    } else {
        args.data.clone()
    };
    let loaded = match (&data, args.tables.is_empty() && !flow_logs) {
        (None, true) => Session::sample().map(|(s, n)| (s, n, "the bundled sample".to_string())),
        (data, _) => {
            let source = match data {
                Some(dir) => format!("{}", dir.display()),
                None if flow_logs => "the flow logs".to_string(),
                None => "the --table tables".to_string(),
            };
            Session::open(data.as_deref(), &args.tables, args.lenient).map(|(s, n)| (s, n, source))
        }
    };
    let (session, notes, source) = match loaded {
        Ok(x) => x,
        Err(e) => {
            eprintln!("ntaq: {}", crate::commands::io_error_text(e));
            return exit::USAGE;
        }
    };
    crate::commands::print_load_notes(&notes);
    let mut session = session;
    session.lenient = args.lenient;
    if flow_logs {
        let bar = std::io::IsTerminal::is_terminal(&std::io::stderr());
        match crate::flowlogs::load_into(&mut session, &args.flow, args.lenient, bar) {
            Ok(notes) => crate::commands::print_load_notes(&notes),
            Err(d) => {
                eprintln!("ntaq: {}", crate::commands::error_text(&d));
                return exit::USAGE;
            }
        }
    }
    if let Some(bytes) = args.max_memory {
        session.limits.max_memory = bytes;
    }
    let mut repl = Repl::new(session, Box::new(std::io::stdout()), Box::new(std::io::stderr()));
    repl.source = source;
    repl.flow = args.flow.clone();
    if let Some(f) = config.output_format() {
        repl.settings.format = f;
        repl.settings.format_chosen = true;
    }
    repl.settings.max_width = config.max_width.or(repl.settings.max_width);
    repl.settings.max_rows = config.max_rows.unwrap_or(repl.settings.max_rows);
    repl.settings.timing = config.timing.unwrap_or(repl.settings.timing);
    repl.color = crate::commands::stderr_color();
    repl.progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    match ParamValues::parse(&args.params) {
        Ok(v) => repl.values = v,
        Err(msg) => {
            eprintln!("ntaq: {msg}");
            return exit::USAGE;
        }
    }
    if let Some(now) = &args.now {
        match kql_syntax::time::parse_datetime(now) {
            Some(t) => repl.settings.now = Some(t),
            None => {
                eprintln!("ntaq: invalid --now `{now}`: expected an ISO 8601 instant such as 2025-06-01T00:00:00Z");
                return exit::USAGE;
            }
        }
    }
    repl.interrupt.install_for_shell();
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        editor::interactive(&mut repl)
    } else {
        piped(&mut repl)
    }
}

fn piped(repl: &mut Repl) -> u8 {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("ntaq: cannot read standard input: {e}");
        return exit::USAGE;
    }
    repl.submit_all("<stdin>", &input);
    if repl.failures > 0 { exit::ERRORS } else { exit::OK }
}
