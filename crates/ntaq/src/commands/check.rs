//! `ntaq check`: offline validation for editors and CI.

use super::{Input, build_session, read_input, stderr_color};
use crate::cli::{CheckArgs, CheckFormat, exit};
use crate::diagnostic::{Diag, JsonDiagnostic};
use serde::Serialize;

#[derive(Serialize)]
struct FileReport {
    file: String,
    ok: bool,
    diagnostics: Vec<JsonDiagnostic>,
}

/// A file's name, text and diagnostics (an unreadable file has a message instead).
struct Outcome {
    input: Input,
    diagnostics: Vec<Diag>,
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
    let outcomes: Vec<Outcome> = args
        .files
        .iter()
        .map(|f| match read_input(f) {
            Ok(input) => {
                let checked = session.check(&input.text);
                Outcome { input, diagnostics: checked.diagnostics, read_error: None }
            }
            Err(msg) => Outcome {
                input: Input { name: f.clone(), text: String::new() },
                diagnostics: Vec::new(),
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

fn status(outcomes: &[Outcome]) -> u8 {
    if outcomes.iter().any(|o| o.read_error.is_some() || o.diagnostics.iter().any(Diag::is_io_error)) {
        exit::USAGE
    } else if outcomes.iter().any(|o| o.diagnostics.iter().any(Diag::is_error)) {
        exit::ERRORS
    } else if outcomes.iter().any(|o| o.diagnostics.iter().any(Diag::is_unsupported)) {
        exit::UNSUPPORTED
    } else {
        exit::OK
    }
}

fn report_human(outcomes: &[Outcome]) {
    let color = stderr_color();
    let (mut errors, mut unsupported, mut notes) = (0, 0, 0);
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
            } else {
                notes += 1;
            }
        }
    }
    let files = outcomes.len();
    let plural = |n: usize, w: &str| {
        if n == 1 { format!("{n} {w}") } else { format!("{n} {w}s") }
    };
    eprintln!(
        "checked {}: {}, {} unsupported, {}",
        plural(files, "file"),
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
            println!("::error file={},title=kql::io::unreadable::{msg}", o.input.name);
            continue;
        }
        for d in &o.diagnostics {
            println!("{}", d.to_github(&o.input.name, &o.input.text));
        }
    }
}
