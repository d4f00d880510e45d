//! `ntaq check`: offline validation for editors and CI.

use super::{Input, build_session, expand_files, queries_in, stderr_color};
use crate::cli::{CheckArgs, CheckFormat, exit};
use crate::diagnostic::{Diag, JsonDiagnostic, Severity};
use serde::Serialize;

#[derive(Serialize)]
struct FileReport {
    file: String,
    ok: bool,
    diagnostics: Vec<JsonDiagnostic>,
    /// Each query of the file (several when blank lines separate them).
    queries: Vec<QueryReport>,
}

#[derive(Serialize)]
struct QueryReport {
    query: usize,
    line: usize,
    ok: bool,
}

/// One query of a file: where it starts, and its diagnostics (positions
/// in the whole file).
struct QueryOutcome {
    index: usize,
    line: usize,
    diagnostics: Vec<Diag>,
}

impl QueryOutcome {
    fn ok(&self) -> bool {
        !self.diagnostics.iter().any(|d| d.is_error() || d.is_unsupported())
    }
}

/// A file's name, text and diagnostics, query by query (an unreadable file
/// has a message instead).
struct Outcome {
    input: Input,
    /// The diagnostics of all its queries, in text order.
    diagnostics: Vec<Diag>,
    queries: Vec<QueryOutcome>,
    read_error: Option<String>,
}

pub fn run(args: &CheckArgs) -> u8 {
    let (session, warnings) = match build_session(&args.catalog) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("ntaq: {msg}");
            return exit::USAGE;
        }
    };
    super::print_load_notes(&warnings);
    let files = match (&args.command, expand_files(&args.files)) {
        (Some(_), _) => vec![None],
        (None, Ok(files)) => files.into_iter().map(Some).collect(),
        (None, Err(msg)) => {
            eprintln!("ntaq: {msg}");
            return exit::USAGE;
        }
    };
    let outcomes: Vec<Outcome> = files
        .iter()
        .map(|f| match super::input_of(f.as_deref(), args.command.as_deref()) {
            Ok(input) => {
                // Each query on its own, so that one's mistakes do not run into the next.
                let queries: Vec<QueryOutcome> = queries_in(&input)
                    .into_iter()
                    .map(|q| QueryOutcome {
                        index: q.index,
                        line: q.line,
                        diagnostics: diagnostics(&session, &q.text, args.target.target()),
                    })
                    .collect();
                let diagnostics = queries.iter().flat_map(|q| q.diagnostics.iter().cloned()).collect();
                Outcome { input, diagnostics, queries, read_error: None }
            }
            Err(msg) => Outcome {
                input: Input { name: f.clone().unwrap_or_default(), text: String::new() },
                diagnostics: Vec::new(),
                queries: Vec::new(),
                read_error: Some(msg),
            },
        })
        .collect();

    match args.format {
        CheckFormat::Human => report_human(&outcomes),
        CheckFormat::Json => report_json(&outcomes),
        CheckFormat::Github => report_github(&outcomes),
    }
    status(&outcomes)
}

/// A query's diagnostics: the language's, then what the target service
/// does not accept, in text order.
pub fn diagnostics(session: &crate::session::Session, text: &str, target: kql_syntax::target::Target) -> Vec<Diag> {
    let checked = session.check(text);
    let mut all: Vec<Diag> = checked.diagnostics;
    all.extend(kql_syntax::target::check(text, &checked.script, target).into_iter().map(Diag::new));
    all.sort_by_key(|d| d.primary_span().map_or(0, |s| s.0));
    all
}

/// The worst status of the files: 2 if one cannot be read.
fn status(outcomes: &[Outcome]) -> u8 {
    if outcomes.iter().any(|o| o.read_error.is_some()) {
        return exit::USAGE;
    }
    exit::of(outcomes.iter().flat_map(|o| &o.diagnostics))
}

fn report_human(outcomes: &[Outcome]) {
    let color = stderr_color();
    let (mut errors, mut warnings, mut unsupported, mut notes) = (0, 0, 0, 0);
    for o in outcomes {
        if let Some(msg) = &o.read_error {
            eprintln!("ntaq: {msg}");
            continue;
        }
        for d in &o.diagnostics {
            eprint!("{}", d.render(&o.input.name, &o.input.text, color));
            if d.is_error() {
                errors += 1;
            } else if d.is_unsupported() {
                unsupported += 1;
            } else if d.severity() == Severity::Warning {
                warnings += 1;
            } else {
                notes += 1;
            }
        }
    }
    let plural = |n: usize, w: &str| {
        if n == 1 { format!("{n} {w}") } else { format!("{n} {w}s") }
    };
    // Files of several queries: one line per query.
    for o in outcomes.iter().filter(|o| o.queries.len() > 1) {
        for q in &o.queries {
            let count = |f: fn(&Diag) -> bool| q.diagnostics.iter().filter(|d| f(d)).count();
            let (e, u) = (count(Diag::is_error), count(|d| !d.is_error() && d.is_unsupported()));
            let verdict = match (e, u) {
                (0, 0) => "ok".to_string(),
                (e, 0) => plural(e, "error"),
                (0, u) => format!("{u} unsupported"),
                (e, u) => format!("{}, {u} unsupported", plural(e, "error")),
            };
            eprintln!("{}: query {} (line {}): {verdict}", o.input.name, q.index, q.line);
        }
    }
    let files = outcomes.len();
    let queries: usize = outcomes.iter().map(|o| o.queries.len()).sum();
    let files =
        if queries > files { format!("{} ({queries} queries)", plural(files, "file")) } else { plural(files, "file") };
    // Warnings (what Kusto's engine would fail) only when there are some,
    // so the usual line keeps its shape.
    let warnings = if warnings > 0 { format!(", {}", plural(warnings, "warning")) } else { String::new() };
    eprintln!(
        "checked {}: {}{warnings}, {} unsupported, {}",
        files,
        plural(errors, "error"),
        unsupported,
        plural(notes, "note")
    );
}

fn report_json(outcomes: &[Outcome]) {
    let reports: Vec<FileReport> = outcomes
        .iter()
        .map(|o| {
            let mut diagnostics: Vec<JsonDiagnostic> = o.diagnostics.iter().map(|d| d.to_json(&o.input.text)).collect();
            if let Some(msg) = &o.read_error {
                diagnostics.push(JsonDiagnostic {
                    severity: crate::diagnostic::Severity::Error,
                    code: "kql::io::unreadable".into(),
                    message: msg.clone(),
                    line: 1,
                    column: 1,
                    offset: 0,
                    length: 0,
                    help: None,
                });
            }
            FileReport {
                file: o.input.name.clone(),
                ok: o.read_error.is_none() && !o.diagnostics.iter().any(|d| d.is_error() || d.is_unsupported()),
                diagnostics,
                queries: o.queries.iter().map(|q| QueryReport { query: q.index, line: q.line, ok: q.ok() }).collect(),
            }
        })
        .collect();
    match serde_json::to_string_pretty(&reports) {
        Ok(json) => println!("{json}"),
        Err(e) => eprintln!("ntaq: cannot encode the report as JSON: {e}"),
    }
}

fn report_github(outcomes: &[Outcome]) {
    for o in outcomes {
        if let Some(msg) = &o.read_error {
            println!(
                "{}",
                crate::diagnostic::github_command(
                    "error",
                    &[("file", &o.input.name), ("title", "kql::io::unreadable")],
                    msg
                )
            );
            continue;
        }
        for d in &o.diagnostics {
            println!("{}", d.to_github(&o.input.name, &o.input.text));
        }
    }
}
