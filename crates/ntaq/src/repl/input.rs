//! When an entry is ready to run: what Enter does while typing
//! ([`Typed`]), and the entries of piped input or a paste ([`blocks`]).
//! Where one query ends and the next begins is [`crate::split`]'s rule,
//! shared with `ntaq run` and `ntaq check`.

use crate::split::{self, Mode, State};

/// What the shell does after Enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Wait for the next line (the continuation prompt).
    Continue,
    /// An empty line under an entry that cannot end yet (an open bracket or
    /// string, a trailing `|` or operator): the line is kept, as in a file.
    Unfinished,
    /// Run this text: one entry, or several (a paste), split by [`blocks`].
    Run(String),
}

/// The entry being typed at the prompt, line by line.
///
/// Enter hands [`Typed::enter`] what the line editor returned — usually one
/// typed line, or several lines at once (a bracketed paste, a history entry,
/// lines joined with Alt-Enter). The rule:
///
/// 1. At the prompt, a one-line query runs at once when it is complete and
///    has its operators (`NTAIpDetails | take 3`, `print 1`); a `.command`
///    runs at once.
/// 2. Otherwise the entry waits for more lines: it is unfinished, or ends in
///    a `let`/`declare`/`set` statement or `;`, or is a source alone with no
///    `|` yet (`NTANetAnalytics`, as the article's queries start).
/// 3. Under a waiting entry, Enter on a line adds it; Enter on an empty line
///    runs the entry — unless it is unfinished ([`State::Open`]), when the
///    empty line is kept as part of it.
/// 4. Several lines at once run at Enter when the last query among them is
///    complete; if they end in an empty line, as rule 3.
/// 5. A `.command` line under a waiting entry ends it: the entry runs, then
///    the command.
#[derive(Debug, Default)]
pub struct Typed {
    pending: String,
}

impl Typed {
    /// The lines entered so far (each ending in a line break).
    pub fn pending(&self) -> &str {
        &self.pending
    }

    /// True at the first line of an entry.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Drops the entry (Ctrl-C).
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// The entry to run when the input ends (Ctrl-D), if any.
    pub fn finish(&mut self) -> Option<String> {
        let text = std::mem::take(&mut self.pending);
        (!text.trim().is_empty()).then_some(text)
    }

    /// Enter was pressed; `buffer` is what the line editor returned.
    pub fn enter(&mut self, buffer: &str) -> Step {
        let buffer = buffer.replace("\r\n", "\n");
        let first = self.pending.is_empty();
        if buffer.trim().is_empty() {
            return self.empty_line(first);
        }
        if is_command_line(&buffer) {
            // A command ends a waiting entry: the entry runs first.
            self.pending.push_str(&buffer);
            return Step::Run(std::mem::take(&mut self.pending));
        }
        self.pending.push_str(&buffer);
        if !buffer.ends_with('\n') {
            self.pending.push('\n');
        }
        let last_line_empty = buffer.rsplit('\n').next().is_some_and(|l| l.trim().is_empty());
        if last_line_empty {
            return self.empty_line(false);
        }
        let (last, text) = last_query(&self.pending);
        let ready = if buffer.contains('\n') {
            last == State::Complete
        } else {
            first && last == State::Complete && !split::is_bare_source(text)
        };
        if ready { Step::Run(std::mem::take(&mut self.pending)) } else { Step::Continue }
    }

    fn empty_line(&mut self, first: bool) -> Step {
        if first {
            return Step::Continue;
        }
        if last_query(&self.pending).0 == State::Open {
            self.pending.push('\n');
            return Step::Unfinished;
        }
        Step::Run(std::mem::take(&mut self.pending))
    }
}

/// Whether a line is a meta-command of its own: it starts with `.` (no
/// KQL line does), except `.explain`, whose query may go on below it.
fn is_command_line(text: &str) -> bool {
    let trimmed = text.trim_start();
    trimmed.starts_with('.') && !is_explain(trimmed)
}

/// The state and text of the last query of an entry, `.explain` aside.
fn last_query(text: &str) -> (State, &str) {
    let query = blank_explain(text);
    match split::queries(&query, Mode::Shell).last() {
        Some(r) => (split::state(&query[r.clone()]), &text[r.clone()]),
        None => (State::Empty, ""),
    }
}

/// `text` with a leading `.explain` turned into spaces, so that the query
/// after it is split and judged with the same offsets.
fn blank_explain(text: &str) -> String {
    let lead = text.len() - text.trim_start().len();
    if is_explain(&text[lead..]) {
        let end = lead + ".explain".len();
        format!("{}{}{}", &text[..lead], " ".repeat(".explain".len()), &text[end..])
    } else {
        text.to_string()
    }
}

/// One entry of piped input or a paste: a meta-command line or a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub text: String,
    /// 1-based line number of the entry's first line in the input.
    pub line: usize,
}

/// Splits piped input (or a paste) into entries: a line starting with `.`
/// is a meta-command of its own and ends the query text before it (no KQL
/// line starts with `.`), except `.explain`, which starts query text; the
/// query text between commands holds one or more queries, split at blank
/// lines by [`split::queries`] in [`Mode::Shell`]. Entries of nothing but
/// comments are left out.
pub fn blocks(input: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut segment = String::new();
    let mut segment_line = 1;
    let flush = |segment: &mut String, first_line: usize, entries: &mut Vec<Entry>| {
        let text = blank_explain(segment);
        for r in split::queries(&text, Mode::Shell) {
            if split::state(&text[r.clone()]) == State::Empty {
                continue;
            }
            let line = first_line + split::line_of(segment, r.start) - 1;
            entries.push(Entry { text: segment[r].to_string(), line });
        }
        segment.clear();
    };
    for (k, line) in input.split_inclusive('\n').enumerate() {
        if is_command_line(line) || is_explain(line.trim_start()) {
            flush(&mut segment, segment_line, &mut entries);
            segment_line = k + 1;
            if is_command_line(line) {
                entries.push(Entry { text: line.trim().to_string(), line: k + 1 });
                segment_line = k + 2;
                continue;
            }
        }
        if segment.is_empty() && line.trim().is_empty() {
            segment_line = k + 2;
            continue;
        }
        segment.push_str(line);
    }
    flush(&mut segment, segment_line, &mut entries);
    entries
}

fn is_explain(line: &str) -> bool {
    line.strip_prefix(".explain").is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Types `lines` one Enter each; returns what ran, in order.
    fn typed(lines: &[&str]) -> Vec<String> {
        let mut t = Typed::default();
        let mut ran = Vec::new();
        for line in lines {
            if let Step::Run(text) = t.enter(line) {
                ran.push(text);
            }
        }
        ran
    }

    fn scenario(n: usize) -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries");
        std::fs::read_to_string(dir.join(format!("scenario{n}.kql"))).unwrap()
    }

    #[test]
    fn a_complete_one_line_query_runs_at_enter() {
        assert_eq!(typed(&["NTAIpDetails | take 3"]), ["NTAIpDetails | take 3\n"]);
        assert_eq!(typed(&["print 1", "print 2"]), ["print 1\n", "print 2\n"]);
        assert_eq!(typed(&[".tables"]), [".tables"]);
        assert_eq!(typed(&[".explain NTAIpDetails | take 1"]), [".explain NTAIpDetails | take 1\n"]);
        assert!(typed(&["", "  "]).is_empty());
    }

    #[test]
    fn every_article_query_typed_line_by_line_runs_once_at_the_empty_line() {
        for n in 1..=4 {
            let text = scenario(n);
            let lines: Vec<&str> = text.lines().collect();
            let mut t = Typed::default();
            for (k, line) in lines.iter().enumerate() {
                assert_eq!(t.enter(line), Step::Continue, "scenario {n}, line {}: {line}", k + 1);
            }
            let Step::Run(entry) = t.enter("") else { panic!("scenario {n} did not run at the empty line") };
            assert_eq!(entry.trim_end(), text.trim_end(), "scenario {n}");
            assert!(t.is_empty());
            // As piped input or a paste, the entry is one query.
            assert_eq!(blocks(&entry).len(), 1, "scenario {n}");
        }
    }

    #[test]
    fn a_source_alone_or_an_unfinished_line_waits() {
        let mut t = Typed::default();
        assert_eq!(t.enter("NTANetAnalytics"), Step::Continue);
        assert_eq!(t.enter("| where SubType == 'FlowLog'"), Step::Continue);
        assert_eq!(t.enter("| take 1"), Step::Continue);
        assert_eq!(t.enter(""), Step::Run("NTANetAnalytics\n| where SubType == 'FlowLog'\n| take 1\n".into()));
        // A source alone runs at the empty line.
        assert_eq!(typed(&["NTANetAnalytics", ""]), ["NTANetAnalytics\n"]);
        // An unfinished first line waits, then the entry runs at an empty line.
        assert_eq!(typed(&["NTAIpDetails | where Port ==", "443", ""]), ["NTAIpDetails | where Port ==\n443\n"]);
    }

    #[test]
    fn an_empty_line_keeps_an_unfinished_entry_going() {
        let mut t = Typed::default();
        assert_eq!(t.enter("print f(1,"), Step::Continue);
        assert_eq!(t.enter(""), Step::Unfinished);
        assert_eq!(t.enter("2)"), Step::Continue);
        assert_eq!(t.enter(""), Step::Run("print f(1,\n\n2)\n".into()));
        t.enter("print 'open");
        t.clear();
        assert!(t.is_empty());
        assert_eq!(t.enter("print 2"), Step::Run("print 2\n".into()));
    }

    #[test]
    fn lets_typed_by_hand_run_at_an_empty_line() {
        assert_eq!(typed(&["let k = 3;", ""]), ["let k = 3;\n"]);
        assert_eq!(typed(&["let k = 3;", "print k", ""]), ["let k = 3;\nprint k\n"]);
    }

    #[test]
    fn several_lines_at_once_run_when_complete() {
        // A bracketed paste, a history entry or Alt-Enter lines.
        assert_eq!(typed(&[&scenario(2)]), [scenario(2)]);
        assert_eq!(typed(&["NTAIpDetails\n| take 1"]), ["NTAIpDetails\n| take 1\n"]);
        assert_eq!(typed(&["print 1\n\nprint 2\n"]), ["print 1\n\nprint 2\n"]);
        // Still unfinished: wait.
        assert!(typed(&["NTAIpDetails\n| where"]).is_empty());
        // Pasted below a waiting entry.
        assert_eq!(
            typed(&["NTAIpDetails", "| where Port == 443\n| take 1"]),
            ["NTAIpDetails\n| where Port == 443\n| take 1\n"]
        );
        // CRLF from a paste.
        assert_eq!(typed(&["print 1\r\n| take 1\r\n"]), ["print 1\n| take 1\n"]);
    }

    #[test]
    fn a_command_ends_a_waiting_entry() {
        let ran = typed(&["NTAIpDetails", "| take 1", ".format csv"]);
        assert_eq!(ran, ["NTAIpDetails\n| take 1\n.format csv"]);
        let entries: Vec<String> = blocks(&ran[0]).into_iter().map(|e| e.text).collect();
        assert_eq!(entries, ["NTAIpDetails\n| take 1", ".format csv"]);
    }

    #[test]
    fn explain_follows_the_query_rule() {
        let ran = typed(&[".explain NTAIpDetails", "| take 1", ""]);
        assert_eq!(ran, [".explain NTAIpDetails\n| take 1\n"]);
        let entries: Vec<String> = blocks(&ran[0]).into_iter().map(|e| e.text).collect();
        assert_eq!(entries, [".explain NTAIpDetails\n| take 1"]);
        assert!(typed(&[".explain NTAIpDetails |"]).is_empty());
        assert_eq!(typed(&[".explainer"]), [".explainer"]); // an unknown command, reported when run
    }

    #[test]
    fn end_of_input_runs_what_waits() {
        let mut t = Typed::default();
        t.enter("NTAIpDetails");
        assert_eq!(t.finish().as_deref(), Some("NTAIpDetails\n"));
        assert_eq!(t.finish(), None);
    }

    #[test]
    fn piped_blocks() {
        let input =
            ".tables\nNTAIpDetails\n| take 1\n\n\n.format csv\nprint 1\n.schema x\n\n.explain print 1\n| take 1\n";
        let got: Vec<(usize, String)> = blocks(input).into_iter().map(|e| (e.line, e.text)).collect();
        assert_eq!(
            got,
            [
                (1, ".tables".to_string()),
                (2, "NTAIpDetails\n| take 1".to_string()),
                (6, ".format csv".to_string()),
                // A meta-command ends a block.
                (7, "print 1".to_string()),
                (8, ".schema x".to_string()),
                (10, ".explain print 1\n| take 1".to_string()),
            ]
        );
        assert!(blocks("\n \n").is_empty());
        assert_eq!(blocks("print 1\r\n\r\nprint 2")[1], Entry { text: "print 2".into(), line: 3 });
    }

    #[test]
    fn piped_blocks_follow_the_query_rule() {
        let input = "// heading\n\nprint f(1,\n\n2)\n\nlet x = 1;\n\nx\n\n.explain print 1\n\nprint 3\n// trailing\n";
        let got: Vec<(usize, String)> = blocks(input).into_iter().map(|e| (e.line, e.text)).collect();
        assert_eq!(
            got,
            [
                (1, "// heading\n\nprint f(1,\n\n2)".to_string()),
                // The shell runs `let`s entered alone (and remembers them).
                (7, "let x = 1;".to_string()),
                (9, "x".to_string()),
                (11, ".explain print 1".to_string()),
                (13, "print 3\n// trailing".to_string()),
            ]
        );
        assert!(blocks("// just a note\n.tables\n").iter().all(|e| e.text == ".tables"));
    }
}
