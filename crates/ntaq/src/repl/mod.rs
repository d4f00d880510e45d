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
use crate::execute::{Execution, ResultSink};
use crate::interrupt::Interrupt;
use crate::params::ParamValues;
use crate::session::{ParsedQuery, Prepared, Session};
use error::ReplError;
use kql_io::output::SharedBuffer;
use kql_io::{Destination, OutputFormat, OutputOptions};
use kql_syntax::ast::{Statement, StatementKind};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use outfile::Target;

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
        // Parsed once: deriving, checking and remembering read this tree.
        let parsed = ParsedQuery::new(text);
        // NTANetAnalytics / NTAIpDetails from flow logs, the first time one is read.
        match crate::flowlogs::derive_for(&mut self.session, &parsed) {
            Ok(notes) => self.say_notes(notes),
            Err(d) => {
                self.failures += 1;
                self.report(&d, "", "");
                return;
            }
        }
        let lets_only = parsed.lets_only();
        // One instant for `now()` in reading bag_unpack's columns and in the run.
        let now = self.settings.now.unwrap_or_else(clock_now);
        let prepared = self.session.prepare_parsed_at(&parsed, &self.values, now);
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
        self.run(name, &prepared, now);
    }

    fn run(&mut self, name: &str, prepared: &Prepared, now: i64) {
        let interrupt = self.interrupt.clone();
        interrupt.start();
        let session = self.session.clone();
        let progress = kql_exec::ScanProgress::new();
        let how =
            Execution { progress: Some(progress.clone()), cancel: interrupt.cancel.clone(), ..Execution::at(now) };
        let mut sink = Shown { repl: self, session: &session, prepared, now, progress, bar: None, current: None };
        let ran = session.execute(prepared, &how, &mut sink);
        drop(sink);
        if let Err(d) = ran {
            let d = d.mapped(prepared.map.clone());
            self.report(&d, name, &prepared.original);
            self.failures += 1;
        }
        interrupt.finish();
    }

    /// Keeps the `let`s of a lets-only entry for later queries. A name
    /// entered again replaces its definition where it was, so the `let`s
    /// that use it see the new one; if it cannot stay there (it now uses a
    /// later `let`), it moves to the end.
    fn remember(&mut self, prepared: &Prepared) {
        let (mut names, mut redefined) = (Vec::new(), Vec::new());
        for statement in &prepared.script.statements {
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

/// Where the shell writes the results of an entry: the screen (fitted to
/// it), the `.once` file (replaced) or the `.output` file (appended to).
struct Shown<'a> {
    repl: &'a mut Repl,
    session: &'a Session,
    prepared: &'a Prepared,
    now: i64,
    progress: Arc<kql_exec::ScanProgress>,
    /// Drawn after a moment, cleared before the result shows.
    bar: Option<crate::commands::progress::Bar>,
    current: Option<Current>,
}

/// A result being written.
struct Current {
    target: Target,
    format: OutputFormat,
    /// What goes to the screen, printed when the result is complete.
    buffer: SharedBuffer,
    sink: Option<Box<dyn kql_io::Sink>>,
    /// The batches of a `render` result, kept for `.chart FILE`.
    chart: Option<(arrow_schema::SchemaRef, Vec<arrow_array::RecordBatch>)>,
    started: Instant,
}

impl ResultSink for Shown<'_> {
    type Error = Diag;

    fn begin(&mut self, _index: usize) -> Result<(), Diag> {
        let settings = &mut self.repl.settings;
        // `.once FILE` takes the next result; `.output FILE` every one.
        let (target, format) = match (settings.once.take(), &settings.output) {
            (Some((path, format)), _) => (Target::Replace(path), format),
            (None, Some(path)) => {
                (outfile::output_target(path, settings.format, settings.output_results), settings.format)
            }
            (None, None) => (Target::Screen, settings.format),
        };
        let started = Instant::now();
        self.bar =
            self.repl.progress.then(|| crate::commands::progress::Bar::stderr(self.progress.clone(), "query".into()));
        self.current =
            Some(Current { target, format, buffer: SharedBuffer::default(), sink: None, chart: None, started });
        Ok(())
    }

    fn open(&mut self, schema: &arrow_schema::SchemaRef) -> Result<(), Diag> {
        let settings = &self.repl.settings;
        let Some(current) = self.current.as_mut() else { return Ok(()) };
        // A file gets every row, whole; the screen a fitted table. An
        // appended result is written whole beside the file first: a failed
        // query appends nothing.
        let (dest, opts) = match &current.target {
            Target::Screen => (
                Destination::writer(current.buffer.clone()),
                OutputOptions {
                    max_rows: settings.max_rows,
                    max_width: settings.max_width.unwrap_or_else(crate::commands::screen_width),
                    show_types: true,
                    text_chart: crate::commands::text_chart_glyphs(),
                    ..Default::default()
                },
            ),
            Target::Replace(path) => (Destination::file(path), file_options()),
            Target::Append(path) => (Destination::append(path), file_options()),
        };
        if kql_io::output::chart::RenderSpec::from_schema(schema).is_some() {
            current.chart = Some((schema.clone(), Vec::new()));
        }
        current.sink = Some(kql_io::sink(current.format, schema.clone(), dest, &opts).map_err(Diag::new)?);
        Ok(())
    }

    fn write(&mut self, batch: &arrow_array::RecordBatch) -> Result<(), Diag> {
        let Some(current) = self.current.as_mut() else { return Ok(()) };
        if let Some(sink) = current.sink.as_mut() {
            sink.write(batch).map_err(Diag::new)?;
        }
        if let Some((_, kept)) = current.chart.as_mut() {
            kept.push(batch.clone());
        }
        Ok(())
    }

    fn end(&mut self, _cut_at: Option<u64>) -> Result<(), Diag> {
        self.bar = None;
        let Some(Current { target, format, buffer, sink: Some(sink), chart, started }) = self.current.take() else {
            return Ok(());
        };
        let summary = sink.finish().map_err(Diag::new)?;
        if chart.is_some() {
            self.repl.last_chart = chart;
        }
        let repl = &mut *self.repl;
        repl.print(buffer.contents());
        let secs = started.elapsed().as_secs_f64();
        let from_output = repl.settings.output.is_some() && !matches!(target, Target::Screen);
        let numbered = from_output && repl.settings.output_results > 0 && !outfile::appends(format);
        if from_output {
            repl.settings.output_results += 1;
        }
        let rows = crate::commands::rows(summary.rows);
        match &summary.path {
            Some(p) if matches!(target, Target::Append(_)) => {
                repl.say(format!("{rows} appended to {} ({secs:.3} s)", p.display()))
            }
            Some(p) if numbered => repl.say(format!(
                "{rows} written to {} ({secs:.3} s; a {format} file holds one result, so each further one gets its own file)",
                p.display()
            )),
            Some(p) => repl.say(format!("{rows} written to {} ({secs:.3} s)", p.display())),
            None if repl.settings.timing => repl.say(format!("{rows} ({secs:.3} s)")),
            None => {}
        }
        if summary.rows == 0
            && let Some(hint) = crate::hints::empty_result_hint(self.session, self.prepared, self.now)
        {
            repl.say(format!("note: {hint}"));
        }
        Ok(())
    }
}

/// How a result is written to a file: every row, every cell whole.
fn file_options() -> OutputOptions {
    OutputOptions { max_rows: usize::MAX, max_width: 0, show_types: false, ..Default::default() }
}

/// Said when an entry starting with `|` fails: its query ran without it.
const PIPE_HINT: &str = "hint: a line starting with `|` goes on the query above it, which has already run: \
type the query's lines one after another (a first line such as `NTANetAnalytics` alone waits for them) \
and end it with an empty line";

use crate::session::clock_now;

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
    let loading = crate::commands::Loading { quiet: false, sample_note: false, missing_columns: true, progress: true };
    let (session, source) = match crate::commands::load_session(
        &args.data.sources,
        args.data.lenient,
        &args.data.flow,
        &config,
        &loading,
    ) {
        Ok(loaded) => loaded,
        Err(msg) => {
            eprintln!("ntaq: {msg}");
            return exit::USAGE;
        }
    };
    let mut session = session;
    if let Some(bytes) = args.max_memory {
        session.limits.max_memory = bytes;
    }
    let mut repl = Repl::new(session, Box::new(std::io::stdout()), Box::new(std::io::stderr()));
    repl.source = source;
    repl.flow = args.data.flow.clone();
    if let Some(f) = config.output_format() {
        repl.settings.format = f;
        repl.settings.format_chosen = true;
    }
    repl.settings.max_width = config.max_width.or(repl.settings.max_width);
    repl.settings.max_rows = config.max_rows.unwrap_or(repl.settings.max_rows);
    repl.settings.timing = config.timing.unwrap_or(repl.settings.timing);
    repl.color = crate::commands::stderr_color();
    repl.progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    match ParamValues::parse(&args.data.query.param.params) {
        Ok(v) => repl.values = v,
        Err(msg) => {
            eprintln!("ntaq: {msg}");
            return exit::USAGE;
        }
    }
    if let Some(now) = &args.data.query.now {
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
