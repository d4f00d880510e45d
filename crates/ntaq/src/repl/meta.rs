//! Meta-commands: `.help`, `.tables`, `.schema`, `.load`, `.param`, ….

use super::Repl;
use super::error::ReplError;
use crate::diagnostic::Diag;
use crate::params::ParamValues;
use kql_io::OutputFormat;
use kql_plan::schema::Schema;
use kql_syntax::suggest::did_you_mean;
use std::fmt::Write as _;
use std::path::PathBuf;

/// A meta-command: its name, argument synopsis and one-line description.
pub struct Command {
    pub name: &'static str,
    pub args: &'static str,
    pub about: &'static str,
}

pub const COMMANDS: &[Command] = &[
    Command { name: "help", args: "[COMMAND]", about: "this help, or one command's" },
    Command { name: "tables", args: "", about: "the tables, with their row counts and files" },
    Command { name: "schema", args: "NAME", about: "columns and Kusto types of a table or remembered let" },
    Command {
        name: "load",
        args: "PATH [as NAME]",
        about: "add tables (Parquet, CSV, JSON): a file, a folder of files (as NAME), or a data directory",
    },
    Command { name: "lets", args: "", about: "the remembered let statements" },
    Command { name: "forget", args: "NAME", about: "drop a remembered let" },
    Command {
        name: "param",
        args: "NAME=VALUE | NAME",
        about: "set a query parameter or workbook placeholder; NAME alone unsets it",
    },
    Command { name: "params", args: "", about: "the parameter values set" },
    Command { name: "now", args: "ISO | off", about: "fix now() and ago() to an instant, or follow the clock" },
    Command {
        name: "format",
        args: "NAME",
        about: "how results are written: table, line (`Column = value` lines), markdown, csv, json, ndjson, parquet (also .mode)",
    },
    Command { name: "maxrows", args: "N", about: "rows shown by the table and line formats (the rest are counted)" },
    Command {
        name: "maxwidth",
        args: "N | auto",
        about: "fit tables to N columns, cutting long cells (0: no cutting; auto: the terminal's width)",
    },
    Command { name: "timing", args: "on | off", about: "row count and elapsed time after each result (also .timer)" },
    Command {
        name: "output",
        args: "[FILE | off]",
        about: "append every result to FILE (emptied first) until `.output` alone sends them back to the screen",
    },
    Command {
        name: "once",
        args: "FILE",
        about: "write the next result to FILE (whole), then back to where results went",
    },
    Command {
        name: "chart",
        args: "FILE.html | FILE.svg",
        about: "write the chart of the last result that ended in `render` (every row) to FILE",
    },
    Command {
        name: "show",
        args: "tables | table NAME schema",
        about: "Kusto's commands: the tables (as .tables), a table's columns (as .schema)",
    },
    Command {
        name: "run",
        args: "FILE",
        about: "run a .kql file, each of its queries in turn (a file of lets only is remembered; also .read)",
    },
    Command { name: "explain", args: "QUERY", about: "the logical plan of QUERY, with each step's columns" },
    Command { name: "quit", args: "", about: "leave the shell (also .exit and Ctrl-D)" },
];

/// Fails now, not at the next query, if results cannot be written to `path`:
/// its folder must exist and it must not be a folder itself.
fn writable(command: &str, path: &std::path::Path) -> Result<(), ReplError> {
    if path.is_dir() {
        return Err(usage_error(command, format!("`{}` is a folder; name a file", path.display())));
    }
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if !folder.is_dir() {
        return Err(usage_error(
            command,
            format!("cannot write `{}`: there is no folder `{}`", path.display(), folder.display()),
        ));
    }
    Ok(())
}

const KEYS: &str = "\
Typing: Enter runs a one-line query that is complete and has its operators
(`NTAIpDetails | take 3`). A longer query is typed line by line under the `…>`
prompt: a first line that is a table alone (`NTANetAnalytics`), a `let` or ends
in `;`, or is unfinished (an open bracket or quote, a trailing `|`, `,` or
operator) waits for more lines, and an empty line runs the entry (an unfinished
one keeps the empty line instead). A paste or history entry of several lines runs
at Enter once complete; queries separated by empty lines run one after another.
A .command line runs at once (after the entry above it, if any).
Keys: Alt-Enter (or Ctrl-O) inserts a line break; Tab completes tables, columns,
operators and functions; Up/Down and Ctrl-R search the history; Ctrl-C cancels
a running query, or clears the line and the entry; Ctrl-D runs a waiting entry
and leaves.";

fn usage(name: &str) -> String {
    COMMANDS.iter().find(|c| c.name == name).map(|c| format!(".{} {}", c.name, c.args)).unwrap_or_default()
}

fn usage_error(name: &str, message: impl Into<String>) -> ReplError {
    ReplError::Usage { message: message.into(), usage: usage(name) }
}

fn on_off(name: &str, arg: &str) -> Result<bool, ReplError> {
    match arg.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err(usage_error(name, format!("`.{name}` takes on or off, not `{arg}`"))),
    }
}

impl Repl {
    /// Runs a meta-command line (starting with `.`).
    pub(super) fn meta(&mut self, line: &str) {
        let body = line.trim_start_matches('.');
        let (name, arg) = match body.find(char::is_whitespace) {
            Some(k) => (&body[..k], body[k..].trim()),
            None => (body, ""),
        };
        let result = match name {
            "help" | "?" => self.help(arg),
            "tables" => self.tables(),
            "schema" => self.schema(arg),
            "load" => self.load(arg),
            "lets" => self.list_lets(),
            "forget" => self.forget(arg),
            "param" => self.param(arg),
            "params" => self.list_params(),
            "now" => self.set_now(arg),
            // `.mode` and `.timer` as in sqlite3, `.read` as in sqlite3 and psql.
            "format" | "mode" => self.set_format(arg),
            "maxrows" => self.set_max_rows(arg),
            "maxwidth" => self.set_max_width(arg),
            "timing" | "timer" => on_off("timing", arg).map(|on| self.settings.timing = on),
            "output" => self.set_output(arg),
            "once" => self.set_once(arg),
            "chart" => self.chart(arg),
            "show" => self.show(arg),
            "run" | "read" => self.run_file(arg),
            "explain" => self.explain(arg),
            "quit" | "exit" | "q" => {
                self.quit = true;
                Ok(())
            }
            _ => {
                let names = COMMANDS.iter().map(|c| c.name);
                let help = match did_you_mean(name, names) {
                    Some(s) => format!("did you mean `.{s}`? (.help lists the commands)"),
                    None => ".help lists the commands".to_string(),
                };
                Err(ReplError::UnknownCommand { name: name.to_string(), help })
            }
        };
        if let Err(e) = result {
            self.fail(e);
        }
    }

    fn help(&mut self, arg: &str) -> Result<(), ReplError> {
        let wanted = arg.trim_start_matches('.');
        if !wanted.is_empty() {
            let Some(c) = COMMANDS.iter().find(|c| c.name == wanted) else {
                return Err(ReplError::UnknownCommand {
                    name: wanted.to_string(),
                    help: ".help lists the commands".into(),
                });
            };
            self.print(format!(".{} {}\n    {}\n", c.name, c.args, c.about));
            return Ok(());
        }
        let mut text = String::from("Enter KQL queries, or one of these commands:\n");
        let width = COMMANDS.iter().map(|c| c.name.len() + c.args.len() + 2).max().unwrap_or(0);
        for c in COMMANDS {
            let synopsis = format!(".{} {}", c.name, c.args);
            let _ = writeln!(text, "  {synopsis:width$}  {}", c.about);
        }
        text.push('\n');
        text.push_str(KEYS);
        text.push('\n');
        self.print(text);
        Ok(())
    }

    fn tables(&mut self) -> Result<(), ReplError> {
        let mut text = String::new();
        let width = self.session.catalog.names().map(str::len).max().unwrap_or(0).max(20);
        for def in self.session.catalog.tables() {
            let source = match self.session.table_files(&def.name) {
                Some(t) => {
                    let files = t.files.iter().map(|f| f.to_string()).collect::<Vec<_>>();
                    let files = if files.len() > 2 {
                        format!("{}, … ({} files)", files[0], files.len())
                    } else {
                        files.join(", ")
                    };
                    format!("{}  {files}", crate::commands::rows(t.rows))
                }
                None => "no data (schema only)".to_string(),
            };
            let _ = writeln!(text, "{:<width$} {:>3} columns  {source}", def.name, def.columns.len());
        }
        self.print(text);
        Ok(())
    }

    fn schema(&mut self, arg: &str) -> Result<(), ReplError> {
        if arg.is_empty() {
            return Err(usage_error("schema", "which table? e.g. `.schema NTAIpDetails`"));
        }
        let (schema, title) = if let Some(def) = self.session.catalog.get(arg) {
            let rows = self
                .session
                .table_files(arg)
                .map(|t| format!(", {}", crate::commands::rows(t.rows)))
                .unwrap_or_default();
            // Like Log Analytics' schema view: hidden standard columns left out.
            let shown = kql_plan::Schema::new(def.schema().visible().cloned().collect());
            (shown, format!("table {arg} ({} columns{rows})", def.columns.len()))
        } else if self.lets.iter().any(|r| r.name == arg) {
            let checked = self.session.check(arg);
            match checked.program.results.first() {
                Some(plan) if !checked.has_errors() => {
                    (plan.schema.clone(), format!("let {arg} ({} columns)", plan.schema.len()))
                }
                _ => return Err(usage_error("schema", format!("`{arg}` is a scalar let, not a table"))),
            }
        } else {
            return Err(self.unknown_name(arg));
        };
        self.print(format!("{title}\n{}", columns_text(&schema)));
        Ok(())
    }

    fn unknown_name(&self, name: &str) -> ReplError {
        let names: Vec<&str> =
            self.session.catalog.names().chain(self.lets.iter().map(|r| r.name.as_str())).collect::<Vec<_>>();
        let help = match did_you_mean(name, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known: {}", names.join(", ")),
        };
        ReplError::UnknownName { name: name.to_string(), help }
    }

    fn load(&mut self, arg: &str) -> Result<(), ReplError> {
        let (path, name) = match arg.rsplit_once(" as ") {
            Some((p, n)) => (p.trim(), Some(n.trim())),
            None => (arg.trim(), None),
        };
        let path = unquote(path);
        if path.is_empty() {
            return Err(usage_error("load", "what to load? e.g. `.load exports/` or `.load flows.parquet as Flows`"));
        }
        if let Some(n) = name
            && !is_identifier(n)
        {
            return Err(usage_error("load", format!("`{n}` is not a table name (letters, digits and _)")));
        }
        let path = PathBuf::from(path);
        if name.is_none() && crate::flowlogs::is_flow_log_path(&path) {
            return self.load_flow_logs(path);
        }
        let tables = kql_io::datadir::load(&path, name, &self.session.ingest_options()).map_err(|e| {
            let d = Diag::new(e);
            ReplError::File { path: path.display().to_string(), message: format!("{}: {}", d.code(), d.message()) }
        })?;
        if tables.is_empty() {
            return Err(ReplError::File {
                path: path.display().to_string(),
                message: "no tables there (<Table>.parquet, .csv, .json, .jsonl, .ndjson, or <Table>/ folders of them)"
                    .into(),
            });
        }
        let summary: Vec<String> =
            tables.iter().map(|t| format!("{} ({})", t.name, crate::commands::rows(t.rows))).collect();
        let notes = self.session.load(tables);
        self.say_notes(notes);
        self.say(format!("loaded {}", summary.join(", ")));
        Ok(())
    }

    /// `.load DIR` of flow-log blobs: FlowTuples (replacing any), and the
    /// NTA tables derived from it when a query next reads them.
    fn load_flow_logs(&mut self, path: PathBuf) -> Result<(), ReplError> {
        let mut args = self.flow.clone();
        args.logs.flow_logs = vec![path.clone()];
        let crate::flowlogs::ReadTuples { table, scratch, mut notes } =
            crate::flowlogs::read(args.flow_logs(), self.session.lenient, self.progress).map_err(|d| {
                ReplError::File { path: path.display().to_string(), message: format!("{}: {}", d.code(), d.message()) }
            })?;
        let rows = table.rows;
        notes.extend(crate::flowlogs::attach(&mut self.session, table, scratch, &args));
        self.say_notes(notes);
        self.say(format!(
            "loaded FlowTuples ({}) from flow-log blobs; NTANetAnalytics and NTAIpDetails are derived from it when a query reads them",
            crate::commands::rows(rows)
        ));
        Ok(())
    }

    fn list_lets(&mut self) -> Result<(), ReplError> {
        if self.lets.is_empty() {
            self.say("no remembered lets: enter `let NAME = …;` on its own to keep one");
            return Ok(());
        }
        let text: String = self.lets.iter().map(|r| format!("{}\n", r.text)).collect();
        self.print(text);
        Ok(())
    }

    fn forget(&mut self, arg: &str) -> Result<(), ReplError> {
        let Some(i) = self.lets.iter().position(|r| r.name == arg) else {
            if arg.is_empty() {
                return Err(usage_error("forget", "which let? `.lets` lists them"));
            }
            return Err(self.unknown_name(arg));
        };
        let mut rest = self.lets.clone();
        rest.remove(i);
        if !self.binds(&rest) {
            let users: Vec<String> = rest
                .iter()
                .filter(|r| kql_syntax::tokens::tokenize(&r.text).iter().skip(2).any(|t| t.text(&r.text) == arg))
                .map(|r| format!("`{}`", r.name))
                .collect();
            return Err(ReplError::LetInUse { name: arg.to_string(), users: users.join(", ") });
        }
        self.lets = rest;
        self.session.prelude = self.lets.iter().map(|r| r.statement.clone()).collect();
        self.say(format!("forgot {arg}"));
        Ok(())
    }

    fn param(&mut self, arg: &str) -> Result<(), ReplError> {
        if arg.is_empty() {
            return Err(usage_error("param", "e.g. `.param start=2025-06-01T00:00:00Z`"));
        }
        if !arg.contains('=') {
            return match self.values.remove(arg) {
                Some(_) => {
                    self.say(format!("unset {arg}"));
                    Ok(())
                }
                None => Err(usage_error("param", format!("`{arg}` has no value; `.params` lists those set"))),
            };
        }
        let parsed =
            ParamValues::parse(&[arg.to_string()]).map_err(|m| usage_error("param", m.replace("--param", ".param")))?;
        for (name, value) in parsed.iter() {
            self.values.insert(name, value);
        }
        Ok(())
    }

    fn list_params(&mut self) -> Result<(), ReplError> {
        if self.values.is_empty() {
            self.say("no parameters set: `.param NAME=VALUE` sets one");
            return Ok(());
        }
        let text: String = self.values.iter().map(|(n, v)| format!("{n}={v}\n")).collect();
        self.print(text);
        Ok(())
    }

    fn set_now(&mut self, arg: &str) -> Result<(), ReplError> {
        match arg {
            "" => {
                let shown = match self.settings.now {
                    Some(t) => format!("now() is fixed at {}", kql_syntax::time::format_datetime(t)),
                    None => "now() follows the clock".to_string(),
                };
                self.say(shown);
            }
            "off" => self.settings.now = None,
            iso => {
                let t = kql_syntax::time::parse_datetime(iso).ok_or_else(|| {
                    usage_error("now", format!("`{iso}` is not an ISO 8601 instant such as 2025-06-01T00:00:00Z"))
                })?;
                self.settings.now = Some(t);
            }
        }
        Ok(())
    }

    fn set_format(&mut self, arg: &str) -> Result<(), ReplError> {
        if arg.is_empty() {
            let f = self.settings.format;
            self.say(format!("format: {f}"));
            return Ok(());
        }
        let format: OutputFormat = arg.parse().map_err(|_| usage_error("format", format!("unknown format `{arg}`")))?;
        if format.needs_file() && self.settings.output.is_none() {
            return Err(usage_error("format", format!("{format} is written to a file: use `.output FILE` first")));
        }
        self.settings.format = format;
        self.settings.format_chosen = true;
        Ok(())
    }

    fn set_max_width(&mut self, arg: &str) -> Result<(), ReplError> {
        match arg {
            "" => {
                let shown = match self.settings.max_width {
                    None => format!("tables fit the terminal ({} columns now)", crate::commands::screen_width()),
                    Some(0) => "cells are never cut".to_string(),
                    Some(n) => format!("tables fit {n} columns"),
                };
                self.say(shown);
            }
            "auto" => self.settings.max_width = None,
            n => {
                let n: usize = n.parse().map_err(|_| {
                    usage_error("maxwidth", format!("`{n}` is not a width (columns, 0 = never cut, or auto)"))
                })?;
                self.settings.max_width = Some(n);
            }
        }
        Ok(())
    }

    fn set_max_rows(&mut self, arg: &str) -> Result<(), ReplError> {
        let n: usize =
            arg.parse().map_err(|_| usage_error("maxrows", format!("`{arg}` is not a number of rows (0 or more)")))?;
        self.settings.max_rows = n;
        Ok(())
    }

    /// `.once FILE`: the next result to FILE, in the format its extension
    /// names (else the current one).
    fn set_once(&mut self, arg: &str) -> Result<(), ReplError> {
        let file = unquote(arg);
        if file.is_empty() {
            return Err(usage_error("once", "write the next result where? `.once FILE`"));
        }
        let path = PathBuf::from(file);
        writable("once", &path)?;
        let format = match OutputFormat::for_path(&path) {
            Ok(f) => f,
            Err(kql_io::OutputError::UnknownExtension { .. }) if self.settings.format_chosen => self.settings.format,
            Err(e) => {
                let d = Diag::new(e);
                let help = d.help().map(|h| format!(" ({h})")).unwrap_or_default();
                return Err(usage_error("once", format!("{}{help}", d.message())));
            }
        };
        self.say(format!("the next result goes to {} as {format}", path.display()));
        self.settings.once = Some((path, format));
        Ok(())
    }

    /// `.chart FILE.html|FILE.svg`: the last `render` result's chart.
    fn chart(&mut self, arg: &str) -> Result<(), ReplError> {
        let file = unquote(arg);
        if file.is_empty() {
            return Err(usage_error("chart", "write the chart where? e.g. `.chart flows.html`"));
        }
        let path = PathBuf::from(file);
        let format = match OutputFormat::from_extension(&path) {
            Some(f @ (OutputFormat::Html | OutputFormat::Svg)) => f,
            _ => return Err(usage_error("chart", format!("`{file}`: a chart is written as .html or .svg"))),
        };
        writable("chart", &path)?;
        let Some((schema, batches)) = &self.last_chart else {
            return Err(usage_error(
                "chart",
                "no result to draw yet: run a query that ends in `render` (e.g. `| render timechart`)",
            ));
        };
        let opts = kql_io::OutputOptions { max_rows: usize::MAX, max_width: 0, ..Default::default() };
        let written =
            kql_io::output::write_all(format, schema.clone(), kql_io::Destination::file(&path), &opts, batches)
                .map_err(|e| {
                    let d = Diag::new(e);
                    ReplError::Chart {
                        message: format!("{}: {}", d.code(), d.message()),
                        help: d.help().unwrap_or_else(|| "see the message".into()),
                    }
                })?;
        self.say(format!("chart of {} written to {}", crate::commands::rows(written.rows), path.display()));
        Ok(())
    }

    /// Kusto's `.show tables` and `.show table T schema`.
    fn show(&mut self, arg: &str) -> Result<(), ReplError> {
        let words: Vec<&str> = arg.split_whitespace().collect();
        match words.as_slice() {
            ["tables"] => self.tables(),
            ["table", name] | ["table", name, "schema"] | ["table", name, "cslschema"] => self.schema(name),
            _ => Err(usage_error("show", format!("`.show {arg}` is not a command ntaq has"))),
        }
    }

    fn set_output(&mut self, arg: &str) -> Result<(), ReplError> {
        match unquote(arg) {
            // `.output` alone ends the file, as sqlite3's does.
            "" | "off" => {
                if let Some(path) = self.settings.output.take() {
                    let n = self.settings.output_results;
                    let results = if n == 1 { "1 result".to_string() } else { format!("{n} results") };
                    self.say(format!("{} closed ({results} written); results go to the screen", path.display()));
                }
                self.settings.output_results = 0;
                // Back to the format used before the file's extension chose one.
                if let Some(f) = self.settings.screen_format.take() {
                    self.settings.format = f;
                }
                if self.settings.format.needs_file() {
                    self.settings.format = OutputFormat::Table;
                }
            }
            file => {
                let path = PathBuf::from(file);
                writable("output", &path)?;
                // The extension chooses the format; without a known one, the
                // format chosen with `.format` is kept, else it is an error.
                match OutputFormat::for_path(&path) {
                    Ok(f) => {
                        self.settings.screen_format.get_or_insert(self.settings.format);
                        self.settings.format = f;
                    }
                    Err(kql_io::OutputError::UnknownExtension { .. }) if self.settings.format_chosen => {}
                    Err(e) => {
                        let d = Diag::new(e);
                        let help = d.help().map(|h| format!(" ({h})")).unwrap_or_default();
                        return Err(usage_error("output", format!("{}{help}", d.message())));
                    }
                }
                // Emptied now: an impossible path fails here, and every
                // result until `.output` alone is appended to it.
                if let Err(e) = super::outfile::start(&path) {
                    return Err(usage_error("output", format!("cannot write `{}`: {e}", path.display())));
                }
                let appends = if super::outfile::appends(self.settings.format) {
                    "each result appended"
                } else {
                    "one result per file: NAME.2.EXT for the second"
                };
                self.say(format!(
                    "results go to {} as {} ({appends}) until `.output` alone",
                    path.display(),
                    self.settings.format
                ));
                self.settings.output = Some(path);
                self.settings.output_results = 0;
            }
        }
        Ok(())
    }

    fn run_file(&mut self, arg: &str) -> Result<(), ReplError> {
        let path = unquote(arg);
        if path.is_empty() {
            return Err(usage_error("run", "which file? e.g. `.run queries/scenario1.kql`"));
        }
        let text = crate::commands::read_input(path).map_err(|message| ReplError::File {
            path: path.to_string(),
            message: message.split_once(": ").map_or(message.clone(), |(_, m)| m.to_string()),
        })?;
        // Each query of the file in turn (positions stay the file's), as `ntaq run` splits it.
        for q in crate::commands::queries_in(&text) {
            self.query(&text.name, &q.text);
        }
        Ok(())
    }

    fn explain(&mut self, arg: &str) -> Result<(), ReplError> {
        if arg.trim().is_empty() {
            return Err(usage_error("explain", "e.g. `.explain NTAIpDetails | take 5`"));
        }
        let checked = self.session.check(arg);
        for d in &checked.diagnostics {
            self.report(d, "<explain>", arg);
        }
        if checked.has_errors() {
            self.failures += 1;
            return Ok(());
        }
        self.print(kql_plan::explain::explain(&checked.program));
        Ok(())
    }
}

/// One line per column: name and Kusto type, aligned.
fn columns_text(schema: &Schema) -> String {
    let width = schema.names().map(|n| n.chars().count()).max().unwrap_or(0);
    schema.columns.iter().map(|c| format!("  {:width$}  {}\n", c.name, c.ty)).collect()
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
