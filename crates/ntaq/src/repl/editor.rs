//! The line editor on a terminal: rustyline with KQL completion, history
//! hints and a persistent history file. Each Enter hands the line to
//! [`input::Typed`], which says whether the entry runs or waits for more
//! lines under the continuation prompt.

use super::complete::Completer;
use super::{Repl, input};
use crate::cli::exit;
use rustyline::completion::{FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::history::{DefaultHistory, History};
use rustyline::validate::Validator;
use rustyline::{Cmd, CompletionType, Config, Context, Editor, EventHandler, KeyCode, KeyEvent, Modifiers};
use std::borrow::Cow;
use std::path::PathBuf;

const PROMPT: &str = "ntaq> ";
/// The prompt of an entry's further lines (as wide as [`PROMPT`]).
const CONTINUATION: &str = "   …> ";
/// Said when an empty line does not run an unfinished entry.
const UNFINISHED: &str =
    "(unfinished: an open bracket or quote, or a trailing `|`, `,` or operator; go on, or Ctrl-C to drop the entry)";

/// The rustyline helper: completion, hints, validation, syntax colours.
pub struct KqlHelper {
    completer: Completer,
    files: FilenameCompleter,
    hinter: HistoryHinter,
    color: bool,
    /// The lines of the entry above the one being edited, so that
    /// completion sees the query's source and operators so far.
    above: String,
}

impl rustyline::completion::Completer for KqlHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let text = format!("{}{line}", self.above);
        let c = self.completer.complete(&text, self.above.len() + pos);
        if c.path {
            return self.files.complete_path(line, pos);
        }
        let start = c.start.saturating_sub(self.above.len());
        Ok((start, c.items.into_iter().map(|i| Pair { display: i.display, replacement: i.replacement }).collect()))
    }
}

impl Hinter for KqlHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        // History hints offer whole entries: only on an entry's first line.
        if self.above.is_empty() { self.hinter.hint(line, pos, ctx) } else { None }
    }
}

impl Highlighter for KqlHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color { Cow::Owned(super::highlight::highlight(line)) } else { Cow::Borrowed(line) }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: rustyline::highlight::CmdKind) -> bool {
        // Any key can change a token's colour (closing a quote recolours the rest).
        self.color
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color { Cow::Owned(format!("\x1b[2m{hint}\x1b[0m")) } else { Cow::Borrowed(hint) }
    }
}

/// Enter always returns the line: [`input::Typed`] decides what it means.
impl Validator for KqlHelper {}

impl rustyline::Helper for KqlHelper {}

/// Where the history is kept: `$NTAQ_HISTORY`, else `ntaq/history` in the
/// user's data directory (`$XDG_DATA_HOME`, `~/.local/share`, macOS
/// `~/Library/Application Support`, Windows `%APPDATA%`).
pub fn history_path() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = env("NTAQ_HISTORY") {
        return Some(p);
    }
    let data = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
    };
    data.map(|d| d.join("ntaq").join("history"))
}

/// Adds an entry to the editor's history and appends it to the file.
pub fn record<H: rustyline::Helper>(
    rl: &mut Editor<H, DefaultHistory>,
    entry: &str,
    path: Option<&PathBuf>,
) -> Result<(), String> {
    let entry = entry.trim_end();
    // Up should not offer `.quit`: leaving is not worth recalling.
    if entry.trim().is_empty() || matches!(entry.trim(), ".quit" | ".exit" | ".q") {
        return Ok(());
    }
    rl.add_history_entry(entry).map_err(|e| e.to_string())?;
    if let Some(p) = path {
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        rl.append_history(p).map_err(|e| format!("cannot write history {}: {e}", p.display()))?;
    }
    Ok(())
}

/// An editor with ntaq's settings and key bindings.
pub fn editor<H: rustyline::Helper>() -> rustyline::Result<Editor<H, DefaultHistory>> {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_dups(true)?
        .history_ignore_space(true)
        .max_history_size(5000)?
        .completion_type(CompletionType::List)
        .build();
    let mut rl = Editor::with_config(config)?;
    // Alt-Enter (and Ctrl-O, for terminals that eat Alt) insert a line break.
    rl.bind_sequence(KeyEvent(KeyCode::Enter, Modifiers::ALT), EventHandler::Simple(Cmd::Newline));
    rl.bind_sequence(KeyEvent::ctrl('O'), EventHandler::Simple(Cmd::Newline));
    Ok(rl)
}

pub fn interactive(repl: &mut Repl) -> u8 {
    let mut rl = match editor::<KqlHelper>() {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("ntaq: cannot start the line editor: {e}");
            return exit::USAGE;
        }
    };
    let history = history_path();
    if let Some(p) = &history
        && p.exists()
        && let Err(e) = rl.load_history(p)
    {
        eprintln!("warning: cannot read history {}: {e}", p.display());
    }
    eprintln!("{}", repl.banner());
    let mut warned = false;
    let mut typed = input::Typed::default();
    let mut run = |rl: &mut Editor<KqlHelper, DefaultHistory>, repl: &mut Repl, entry: &str| {
        if let Err(e) = record(rl, entry, history.as_ref())
            && !warned
        {
            eprintln!("warning: {e}");
            warned = true;
        }
        repl.submit_all("<input>", entry);
    };
    loop {
        let lets: Vec<String> = repl.lets.iter().map(|r| r.name.clone()).collect();
        rl.set_helper(Some(KqlHelper {
            completer: Completer::new(repl.session.clone(), &lets),
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
            color: repl.color,
            above: typed.pending().to_string(),
        }));
        let prompt = if typed.is_empty() { PROMPT } else { CONTINUATION };
        match rl.readline(prompt) {
            Ok(line) => match typed.enter(&line) {
                input::Step::Continue => {}
                input::Step::Unfinished => eprintln!("{UNFINISHED}"),
                input::Step::Run(entry) => {
                    run(&mut rl, repl, &entry);
                    if repl.quit {
                        break;
                    }
                }
            },
            // Ctrl-C at the prompt clears the line, and drops a waiting entry.
            Err(rustyline::error::ReadlineError::Interrupted) => typed.clear(),
            // Ctrl-D: a waiting entry runs, as at the end of piped input.
            Err(rustyline::error::ReadlineError::Eof) => {
                if let Some(entry) = typed.finish() {
                    run(&mut rl, repl, &entry);
                }
                break;
            }
            Err(e) => {
                eprintln!("ntaq: {e}");
                return exit::USAGE;
            }
        }
    }
    let _ = rl.history().len();
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_multi_line_entries_across_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/history");
        let query = "NTAIpDetails\n| where Ip == 'a\\b'\n| take 1";
        {
            let mut rl = editor::<()>().unwrap();
            record(&mut rl, ".tables", Some(&path)).unwrap();
            record(&mut rl, query, Some(&path)).unwrap();
            record(&mut rl, "   ", Some(&path)).unwrap(); // blank: not kept
            record(&mut rl, ".quit", Some(&path)).unwrap(); // nor leaving
        }
        let mut rl = editor::<()>().unwrap();
        rl.load_history(&path).unwrap();
        let entries: Vec<&str> = rl.history().iter().map(String::as_str).collect();
        assert_eq!(entries, [".tables", query]);
    }

    #[test]
    fn history_lives_in_the_data_directory() {
        // NTAQ_HISTORY is not set by the test harness; the path ends in ntaq/history.
        if std::env::var_os("NTAQ_HISTORY").is_none()
            && let Some(p) = history_path()
        {
            assert!(p.ends_with("ntaq/history"), "{}", p.display());
        }
    }
}
