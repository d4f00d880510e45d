//! The subcommands. Each returns its exit status; only these print.

pub mod check;
pub mod convert;
pub mod pack;
pub mod parse;
pub mod plan;
pub(crate) mod progress;
pub mod recommend;
pub mod run;

use crate::cli::{CatalogArgs, FlowLogArgs, Sources};
use crate::diagnostic::Diag;
use crate::session::Session;
use std::io::Read;

/// A row count as people read it: `1 row`, `0 rows`, `744 rows`.
/// A size in bytes for people: `12.3 MiB`.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / f64::from(1 << 10)),
        b => format!("{b} bytes"),
    }
}

pub fn rows(n: u64) -> String {
    if n == 1 { "1 row".to_string() } else { format!("{n} rows") }
}

/// The width tables on standard output are fitted to: `$COLUMNS` if set
/// to a positive number (so `COLUMNS=120 ntaq run … | less` fits too),
/// else the terminal's width when standard output is a terminal, else 0
/// (never cut: a pipe or a file gets whole cells).
pub fn screen_width() -> usize {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&c| c > 0);
    columns.unwrap_or_else(|| terminal_size::terminal_size_of(std::io::stdout()).map_or(0, |(w, _)| usize::from(w.0)))
}

/// The glyphs of the text chart above a terminal table: Unicode block
/// elements when the locale (`LC_ALL`, `LC_CTYPE`, `LANG`) is UTF-8, else
/// ASCII. The chart has no colour, so `NO_COLOR` changes nothing.
pub fn text_chart_glyphs() -> Option<kql_io::output::chart::terminal::Glyphs> {
    Some(kql_io::output::chart::terminal::Glyphs::from_locale(|k| std::env::var(k).ok()))
}

/// The width of standard error for notes: `$COLUMNS`, else its terminal's
/// width, else 0 (not a terminal: no wrapping).
pub fn stderr_width() -> usize {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&c| c > 0);
    columns.unwrap_or_else(|| terminal_size::terminal_size_of(std::io::stderr()).map_or(0, |(w, _)| usize::from(w.0)))
}

/// `text` wrapped at spaces into lines of at most `width` characters (0 =
/// one line), the lines after the first indented by two spaces. A word
/// longer than the width stays whole on its own line.
pub fn wrap(text: &str, width: usize) -> String {
    if width == 0 || text.chars().count() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = line.chars().count();
        if len > 2 && len + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = String::from("  ");
        } else if !line.is_empty() && line != "  " {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

/// A query text and the name to show for it.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub text: String,
}

/// Whether a FILE argument is a glob pattern rather than a file name.
fn is_pattern(arg: &str) -> bool {
    arg.contains(['*', '?', '['])
}

/// The files a pattern matches, sorted; hidden files only if the pattern
/// names them (`.*`), and no directories — as a shell expands it.
fn expand(pattern: &str) -> Result<Vec<String>, String> {
    let options =
        glob::MatchOptions { case_sensitive: true, require_literal_separator: true, require_literal_leading_dot: true };
    let paths = glob::glob_with(pattern, options).map_err(|e| format!("invalid pattern `{pattern}`: {}", e.msg))?;
    // Unreadable directories are skipped, as shells do.
    let mut files: Vec<String> =
        paths.filter_map(Result::ok).filter(|p| p.is_file()).map(|p| p.display().to_string()).collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no file matches `{pattern}`"));
    }
    Ok(files)
}

/// The FILE arguments with glob patterns expanded (`'queries/*.kql'`,
/// quoted so that the shell left it), in order; `-` and existing files
/// stay as given.
pub fn expand_files(args: &[String]) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for arg in args {
        if arg != "-" && is_pattern(arg) && !std::path::Path::new(arg).exists() {
            names.extend(expand(arg)?);
        } else {
            names.push(arg.clone());
        }
    }
    Ok(names)
}

/// The query given with `-c QUERY` (named `<command>`), else the file's.
pub fn input_of(file: Option<&str>, command: Option<&str>) -> Result<Input, String> {
    match (command, file) {
        (Some(text), _) => Ok(Input { name: "<command>".into(), text: text.to_string() }),
        (None, Some(file)) => read_input(file),
        (None, None) => Err("give a query file or -c QUERY".into()),
    }
}

/// Reads a query file, or standard input for `-`.
pub fn read_input(file: &str) -> Result<Input, String> {
    if file == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(Input { name: "<stdin>".into(), text });
    }
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read `{file}`: {e}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("`{file}` is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()))?;
    Ok(Input { name: file.to_string(), text })
}

/// One query of an input: a file holds several when blank lines separate
/// them (the rule is [`crate::split`]'s).
pub struct QueryText {
    /// The text to check or run: the input's, with the other queries
    /// blanked out so that positions stay the input's.
    pub text: String,
    /// 1-based position among the input's queries, and the line it starts on.
    pub index: usize,
    pub line: usize,
}

/// The queries of an input, in order (one, the whole text, unless blank
/// lines separate several).
pub fn queries_in(input: &Input) -> Vec<QueryText> {
    let ranges = crate::split::queries(&input.text, crate::split::Mode::Script);
    if ranges.len() <= 1 {
        let line = ranges.first().map_or(1, |r| crate::split::line_of(&input.text, r.start));
        return vec![QueryText { text: input.text.clone(), index: 1, line }];
    }
    ranges
        .into_iter()
        .enumerate()
        .map(|(k, r)| QueryText {
            line: crate::split::line_of(&input.text, r.start),
            text: crate::split::mask(&input.text, r),
            index: k + 1,
        })
        .collect()
}

/// An I/O error as the command line shows it: its code and message, and
/// its help on a second line.
pub fn io_error_text(e: kql_io::IoError) -> String {
    error_text(&Diag::new(e))
}

/// A diagnostic without a query text as the command line shows it: its
/// code and message, and its help on a second line.
pub fn error_text(d: &Diag) -> String {
    match d.help() {
        Some(help) => format!("{}: {}\n  help: {help}", d.code(), d.message()),
        None => format!("{}: {}", d.code(), d.message()),
    }
}

/// The session for `--data` / `--table` / `--param`, or a usage/I/O error message.
pub fn build_session(args: &CatalogArgs) -> Result<(Session, Vec<Diag>), String> {
    let (sources, lenient) = (&args.data.sources, args.data.lenient);
    let (mut session, warnings) = if sources.is_empty() {
        (Session::builtin(), Vec::new())
    } else {
        Session::open(sources.data.as_deref(), &sources.tables, lenient).map_err(io_error_text)?
    };
    let mut seen = std::collections::HashSet::new();
    for spec in &args.data.query.params {
        let p = crate::params::ParamSpec::parse(spec)?;
        if let Some(e) = p.declaration_error(spec) {
            return Err(e);
        }
        if !seen.insert(p.name.clone()) {
            return Err(format!("--param `{}` is given more than once", p.name));
        }
        // Placeholders are filled into the text when running; `check`
        // accepts them as they are.
        if let Some(ty) = p.declared_type() {
            session.params.declare(p.name, ty);
        }
    }
    Ok((session, warnings))
}

/// How [`load_session`] reports what it read, on standard error.
#[derive(Debug, Clone, Copy)]
pub struct Loading {
    /// No notes (the sample in use, what was read); warnings still print.
    pub quiet: bool,
    /// Say when the bundled sample stands in for --data.
    pub sample_note: bool,
    /// List the published columns the data lacks (else each query that
    /// reads one says so: `kql::io::absent_column`).
    pub missing_columns: bool,
    /// A progress bar while flow logs are read (if standard error is a terminal).
    pub progress: bool,
}

impl Loading {
    /// Prints the notes and warnings about loaded data that this loading shows.
    pub fn print(&self, notes: Vec<Diag>) {
        let shown: Vec<Diag> = notes
            .into_iter()
            .filter(|d| !self.quiet || d.severity() != crate::diagnostic::Severity::Note)
            .filter(|d| self.missing_columns || !d.is_missing_columns())
            .collect();
        print_load_notes(&shown);
    }
}

/// The session of `run`, `recommend` and the shell: the tables of --data
/// and --table, else of the config file's data directory, else the
/// bundled sample; then --flow-logs' FlowTuples (the tables derived from
/// them when first read). Prints the notes as `how` says. Returns the
/// session and what its tables are ("the bundled sample", the directory),
/// or the message of a usage or I/O error.
pub fn load_session(
    args: &Sources,
    lenient: bool,
    flow: &FlowLogArgs,
    config: &crate::config::Config,
    how: &Loading,
) -> Result<(Session, String), String> {
    let flow_logs = !flow.flow_logs().is_empty();
    // Defaults from the config file fill in what the command line left open.
    let data = match &args.data {
        None if args.tables.is_empty() && !flow_logs => config.data.clone(),
        data => data.clone(),
    };
    let (mut session, notes, source) = if data.is_none() && args.tables.is_empty() && !flow_logs {
        if how.sample_note && !how.quiet {
            let note = format!("note: no --data DIR given; using {}", crate::sample::DESCRIPTION);
            eprintln!("{}", wrap(&note, stderr_width()));
        }
        let (session, notes) = Session::sample().map_err(io_error_text)?;
        (session, notes, "the bundled sample".to_string())
    } else {
        let source = match &data {
            Some(dir) => dir.display().to_string(),
            None if flow_logs => "the flow logs".to_string(),
            None => "the --table tables".to_string(),
        };
        let (session, notes) = Session::open(data.as_deref(), &args.tables, lenient).map_err(io_error_text)?;
        (session, notes, source)
    };
    how.print(notes);
    session.lenient = lenient;
    if flow_logs {
        // FlowTuples now; the derived tables only if a query reads them.
        let bar = how.progress && std::io::IsTerminal::is_terminal(&std::io::stderr());
        let notes = crate::flowlogs::load_into(&mut session, flow, lenient, bar).map_err(|d| error_text(&d))?;
        how.print(notes);
    }
    Ok((session, source))
}

/// Prints the notes and warnings about loaded data (one line each).
pub fn print_load_notes(notes: &[Diag]) {
    for n in notes {
        let level = match n.severity() {
            crate::diagnostic::Severity::Note => "note",
            crate::diagnostic::Severity::Warning => "warning",
            crate::diagnostic::Severity::Error => "error",
        };
        eprintln!("{level}: {}", n.message());
    }
}

/// Whether standard error is a terminal that wants colours.
pub fn stderr_color() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

#[cfg(test)]
mod wrap_tests {
    use super::*;

    #[test]
    fn notes_wrap_at_spaces() {
        assert_eq!(wrap("a bb ccc", 0), "a bb ccc");
        assert_eq!(wrap("a bb ccc", 8), "a bb ccc");
        assert_eq!(wrap("a bb ccc dddd", 8), "a bb ccc\n  dddd");
        assert_eq!(wrap("aaaaaaaaaa bb", 5), "aaaaaaaaaa\n  bb");
        for line in wrap(&format!("note: no --data DIR given; using {}", crate::sample::DESCRIPTION), 40).lines() {
            assert!(line.chars().count() <= 40, "{line}");
        }
    }

    #[test]
    fn one_row_is_a_row() {
        assert_eq!(rows(0), "0 rows");
        assert_eq!(rows(1), "1 row");
        assert_eq!(rows(744), "744 rows");
    }
}
