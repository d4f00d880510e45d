//! The shell as people use it: piped input (blank-line blocks and
//! `.commands`) and, through a pseudo-terminal (util-linux `script`),
//! pasting, completion, history and Ctrl-C.

use crate::common::{README_PARAMS, command, isolate, output, repo, stderr as err, stdout as out};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `ntaq` in the repository root, with colour left to ntaq (it must not
/// colour what is not a terminal).
fn ntaq_cmd() -> Command {
    let mut c = command(&repo());
    c.env_remove("NO_COLOR");
    c
}

/// `ntaq repl ARGS` with `input` on standard input.
fn piped_with(args: &[&str], input: &str) -> Output {
    output(ntaq_cmd().arg("repl").args(args), input.as_bytes())
}

fn piped(input: &str) -> Output {
    piped_with(&[], input)
}

fn scenario(n: usize) -> String {
    std::fs::read_to_string(repo().join(format!("queries/scenario{n}.kql"))).unwrap()
}

/// The parameters that make every article query meaningful on the sample
/// (testdata/README.md), as `.commands` and as `run` flags.
const SETTINGS: &str = "\
.now 2025-06-02T00:00:00Z
.param timeInterval:startISO=2025-06-01T00:00:00Z
.param timeInterval:endISO=2025-06-02T00:00:00Z
.param start=2025-06-01T00:00:00Z
.param end=2025-06-02T00:00:00Z
";

fn run_output(n: usize, format: &str, extra: &[&str]) -> String {
    let file = format!("queries/scenario{n}.kql");
    let mut args = vec!["run", "--format", format];
    args.extend(README_PARAMS);
    args.extend(extra);
    args.push(&file);
    let o = ntaq_cmd().args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    out(&o)
}

#[test]
fn pasted_article_queries_give_the_same_results_as_run() {
    let mut input = format!("{SETTINGS}.format csv\n");
    let mut expected = String::new();
    for n in 1..=4 {
        input.push_str(&scenario(n));
        input.push('\n');
        expected.push_str(&run_output(n, "csv", &[]));
    }
    let o = piped(&input);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), expected);
    // Each query ran once: four CSV headers, and results that are not empty.
    let headers = ["SrcExternalIp,", "Vnet,PublicIpDetails,CounterValue", "SrcIp,DestIp", "Src,Dest,"];
    for h in headers {
        assert_eq!(out(&o).lines().filter(|l| l.starts_with(h)).count(), 1, "{h}");
    }
    assert!(out(&o).lines().count() > 4 + 10);
}

#[test]
fn a_pipe_line_on_its_own_fails_with_a_hint() {
    let o = piped("NTAIpDetails | take 1\n| project Ip\n");
    assert_eq!(o.status.code(), Some(0), "one entry, joined: {}", err(&o));
    let o = piped(".tables\n| project Ip\n");
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(e.contains("found `|`") && e.contains("hint: a line starting with `|` goes on the query above it"), "{e}");
}

#[test]
fn results_are_typed_tables_by_default() {
    let o = piped("print n = 1, s = 'a'\n");
    // The header names the columns, then their Kusto types.
    let text = out(&o);
    let lines: Vec<&str> = text.lines().collect();
    let cells = |l: &str| l.split('|').map(str::trim).filter(|c| !c.is_empty()).map(String::from).collect::<Vec<_>>();
    assert_eq!(cells(lines[1]), ["n", "s"]);
    assert_eq!(cells(lines[2]), ["long", "string"]);
    assert_eq!(cells(lines[4]), ["1", "a"]);
}

#[test]
fn lets_entered_alone_are_remembered_and_can_be_forgotten() {
    let input = "\
let Https = NTAIpDetails | where Port == 443;
let Few = 2;

Https | take Few | count

.lets
let Few = 1;

Https | take Few | count

.forget Https
.forget Few
.forget Https
Https | count
";
    let o = piped(input);
    let e = err(&o);
    assert!(e.contains("remembered Https, Few"), "{e}");
    assert!(e.contains("redefined Few"), "{e}");
    // `take 2` then, after redefining Few, `take 1`.
    let text = out(&o);
    let counts: Vec<&str> =
        text.lines().filter(|l| l.trim_start_matches(['|', ' ']).starts_with(char::is_numeric)).collect();
    assert_eq!(counts.iter().map(|l| l.trim_matches(|c| c == '|' || c == ' ')).collect::<Vec<_>>(), ["2", "1"]);
    assert!(out(&o).contains("let Https = NTAIpDetails | where Port == 443;\nlet Few = 2;\n"), "{}", out(&o));
    assert!(e.contains("forgot Https") && e.contains("forgot Few"), "{e}");
    // Forgotten: the second .forget and the last query fail.
    assert!(e.contains("kql::repl::unknown_name"), "{e}");
    assert!(e.contains("kql::semantic::unknown_table"), "{e}");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_let_in_use_cannot_be_forgotten() {
    let o = piped("let A = NTAIpDetails;\nlet B = A | take 1;\n\n.forget A\nB | count\n");
    let e = err(&o);
    assert!(e.contains("kql::repl::let_in_use") && e.contains("`B`"), "{e}");
    assert!(out(&o).contains(" 1 |"), "{}", out(&o));
}

#[test]
fn meta_commands() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ports.csv");
    let kql = dir.path().join("q.kql");
    std::fs::write(&kql, "NTAIpDetails | where Port == 443 | count").unwrap();
    let input = format!(
        ".help\n.tables\n.schema NTAIpDetails\n.maxrows 2\nNTAIpDetails | project Ip | take 5\n\
         .timing on\nprint x = 1\n.timing off\n.format json\nprint y = 2\n.format table\n\
         .output {}\nNTAIpDetails | summarize n = count() by Port | where Port in (80, 443) | sort by Port asc\n.output off\n\
         .run {}\n.explain NTAIpDetails | take 1\n.params\n.param n=5\n.params\nprint v = n\n.param n\n.now 2025-06-02T00:00:00Z\nprint ago(1h)\n\
         .quit\nprint never = 1\n",
        csv.display(),
        kql.display()
    );
    let o = piped(&input);
    let (s, e) = (out(&o), err(&o));
    assert!(s.contains(".schema NAME") && s.contains("Alt-Enter"), "help: {s}");
    assert!(s.contains("NTAIpDetails") && s.contains("891 rows"), "tables: {s}");
    assert!(s.contains("table NTAIpDetails (19 columns, 891 rows)"), "{s}");
    assert!(s.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Ip", "string"]), "schema: {s}");
    assert!(s.contains("… 3 more rows"), "maxrows: {s}");
    assert!(e.lines().any(|l| l.starts_with("1 row (")), "timing: {e}");
    assert!(s.contains(r#"{"y":2}"#), "json: {s}");
    // .output writes the file (and says so) instead of the screen.
    let written = std::fs::read_to_string(&csv).unwrap();
    let sample_443 = count_rows("NTAIpDetails | where Port == 443");
    let sample_80 = count_rows("NTAIpDetails | where Port == 80");
    assert_eq!(written, format!("Port,n\n80,{sample_80}\n443,{sample_443}\n"));
    assert!(e.contains(&format!("2 rows appended to {}", csv.display())), "{e}");
    // .run: the file's query.
    assert!(s.contains(&format!(" {sample_443} |")), "run: {s}");
    // The plan as bound: its first projection leaves out the table's hidden
    // standard columns (`_ItemId`, …), which the scan still outputs.
    assert!(s.contains("Project 19 columns kept  (") && s.contains("\n  Take 1  ("), "explain: {s}");
    assert!(s.contains("\n    Scan NTAIpDetails  (") && s.contains("… 17 more)"), "explain: {s}");
    assert!(e.contains("no parameters set"), "{e}");
    assert!(s.contains("n=5\n"), "params: {s}");
    assert!(s.contains(" 5 |"), "param value: {s}");
    assert!(s.contains("2025-06-01T23:00:00Z"), "now: {s}");
    assert!(e.contains("unset n"), "{e}");
    assert!(!s.contains("never"), ".quit stops: {s}");
    assert_eq!(o.status.code(), Some(0), "{e}");
}

/// `.timer`, `.mode` and `.read` are aliases; an unknown command has a did-you-mean.
#[test]
fn sqlite_style_aliases_of_meta_commands() {
    let dir = tempfile::tempdir().unwrap();
    let kql = dir.path().join("q.kql");
    std::fs::write(&kql, "print from_file = 'read'").unwrap();
    let input = format!(".timer on\nprint x = 1\n.timer off\n.mode csv\n.read {}\n.tabels\n", kql.display());
    let o = piped(&input);
    let (s, e) = (out(&o), err(&o));
    assert!(e.contains("1 row ("), ".timer: {e}");
    assert!(s.contains("from_file\nread\n"), ".mode csv and .read: {s}");
    assert!(e.contains("did you mean `.tables`?"), "{e}");
    assert_eq!(o.status.code(), Some(1), "the unknown command failed: {e}");
}

/// Rows of a query on the sample, counted by `ntaq run`.
fn count_rows(query: &str) -> usize {
    let o = ntaq_cmd()
        .args(["run", "--format", "csv", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = o.unwrap();
    child.stdin.take().unwrap().write_all(query.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    out(&o).lines().count() - 1
}

#[test]
fn load_adds_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("https.parquet");
    let o = ntaq_cmd()
        .args(["run", "--format", "parquet", "--output"])
        .arg(&file)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"NTAIpDetails | where Port == 443 | project Ip, Port").unwrap();
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let expected = count_rows("NTAIpDetails | where Port == 443");
    let input =
        format!(".load {} as Https\n.tables\nHttps | count\n.schema Https\n.load /nonexistent/x\n", file.display());
    let o = piped(&input);
    let (s, e) = (out(&o), err(&o));
    assert!(e.contains(&format!("loaded Https ({expected} rows)")), "{e}");
    assert!(s.contains(&format!(" {expected} |")), "{s}");
    assert!(s.contains("table Https (2 columns"), "{s}");
    assert!(e.contains("kql::repl::file"), "{e}");
}

#[test]
fn errors_point_into_the_entered_text_with_help() {
    let o = piped("NTAIpDetails\n| project Locaton\n\n.frmat csv\n.schema NTAIpDetail\n.maxrows lots\n");
    let e = err(&o);
    assert!(e.contains("kql::semantic::unknown_column"), "{e}");
    assert!(e.contains("2 │ | project Locaton"), "the excerpt shows the entered line: {e}");
    assert!(e.contains("Location"), "did you mean: {e}");
    assert!(e.contains("unknown command `.frmat`") && e.contains("did you mean `.format`"), "{e}");
    assert!(e.contains("did you mean `NTAIpDetails`"), "{e}");
    assert!(e.contains("kql::repl::usage") && e.contains(".maxrows N"), "{e}");
    // Not a terminal: no colours.
    assert!(!e.contains('\u{1b}'), "{e}");
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).is_empty());
}

/// A query that runs for seconds (minutes in a debug build) in little
/// memory: a 2-million-row self-join, expanded eightfold and counted
/// distinctly.
const SLOW: &str = "NTANetAnalytics | take 1000 | join kind=inner (NTANetAnalytics) on SubType \
| mv-expand x = dynamic([1, 2, 3, 4, 5, 6, 7, 8]) \
| summarize dcount(strcat(SrcIp, DestIp1, tostring(x)))";

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_running_query_and_the_shell_goes_on() {
    let mut child =
        ntaq_cmd().arg("repl").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{SLOW}\n\nprint after = 'cancel'\n").as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(20), "cancelling took {:?}", started.elapsed());
    assert!(err(&o).contains("kql::exec::cancelled"), "{}", err(&o));
    assert!(out(&o).contains("| cancel "), "the next entry ran: {}", out(&o));
    assert!(!out(&o).contains("dcount"), "no result of the cancelled query: {}", out(&o));
}

/// An interactive session in a pseudo-terminal, through util-linux `script`.
struct Pty {
    child: Child,
    input: Arc<Mutex<std::process::ChildStdin>>,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    /// None where util-linux `script` is not installed (the piped tests
    /// still run); a `script` that does not bring up the prompt fails.
    #[allow(clippy::print_stderr)]
    fn start(history: &Path) -> Option<Pty> {
        let bin = env!("CARGO_BIN_EXE_ntaq");
        let child = isolate(Command::new("script").args(["-q", "-e", "-c", bin, "/dev/null"]).current_dir(repo()))
            .env("NTAQ_HISTORY", history)
            .env("TERM", "xterm")
            .env_remove("NO_COLOR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("skipped: util-linux `script` is not installed, so no pseudo-terminal test");
            return None;
        };
        let input = Arc::new(Mutex::new(child.stdin.take()?));
        let mut stdout = child.stdout.take()?;
        let output = Arc::new(Mutex::new(Vec::new()));
        let (sink, answer) = (output.clone(), input.clone());
        std::thread::spawn(move || {
            // Like a terminal, answer the line editor's cursor-position
            // requests (ESC [ 6 n) with "row 1, column 1"; unanswered, each
            // prompt waits 100 ms for the reply.
            const REQUEST: &[u8] = b"\x1b[6n";
            let mut scanned = 0;
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut all = sink.lock().unwrap();
                all.extend_from_slice(&buf[..n]);
                let requests = all[scanned..].windows(REQUEST.len()).filter(|w| *w == REQUEST).count();
                scanned = all.len().saturating_sub(REQUEST.len() - 1);
                drop(all);
                for _ in 0..requests {
                    let mut input = answer.lock().unwrap();
                    let _ = input.write_all(b"\x1b[1;1R").and_then(|()| input.flush());
                }
            }
        });
        let pty = Pty { child, input, output };
        assert!(pty.wait_for("ntaq> ", Duration::from_secs(120)), "no prompt: {}", pty.screen());
        Some(pty)
    }

    fn send(&mut self, bytes: &str) {
        let mut input = self.input.lock().unwrap();
        input.write_all(bytes.as_bytes()).unwrap();
        input.flush().unwrap();
    }

    /// The output so far, without terminal escape sequences and `\r`.
    fn screen(&self) -> String {
        strip_escapes(&String::from_utf8_lossy(&self.output.lock().unwrap()))
    }

    fn raw(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// Waits until `text` appears `count` times in the output.
    fn wait_for_n(&self, text: &str, count: usize, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.screen().matches(text).count() >= count {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    fn wait_for(&self, text: &str, timeout: Duration) -> bool {
        self.wait_for_n(text, 1, timeout)
    }

    /// Waits until the shell shows `prompt` again, at the end of its
    /// output, and has given up asking the (absent) terminal for the
    /// cursor position, so that what is typed next is not swallowed.
    fn wait_for_prompt(&self, prompt: &str, timeout: Duration) -> bool {
        self.wait_for_any_prompt(&[prompt], 0, timeout)
    }

    /// Waits until the output, grown past `since` characters, ends with one
    /// of `prompts` and stays so for a moment (the shell is then waiting
    /// for a key, not still writing).
    fn wait_for_any_prompt(&self, prompts: &[&str], since: usize, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            let (len, tail) = self.tail();
            if len > since && prompts.iter().any(|p| tail.ends_with(p)) {
                std::thread::sleep(Duration::from_millis(40));
                if self.tail().0 == len {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// The output's length in bytes and its last few hundred bytes as
    /// text: enough to see a prompt without redoing the whole screen.
    fn tail(&self) -> (usize, String) {
        let all = self.output.lock().unwrap();
        let from = all.len().saturating_sub(512);
        (all.len(), strip_escapes(&String::from_utf8_lossy(&all[from..])))
    }

    /// Types `line` and Enter, and waits for the next prompt (a new one:
    /// the output must have grown since the line was sent).
    fn type_line(&mut self, line: &str) {
        let before = self.tail().0;
        self.send(&format!("{line}\r"));
        if !self.wait_for_any_prompt(&["ntaq> ", "   …> "], before, Duration::from_secs(120)) {
            panic!("no prompt after typing {line:?}: {}", self.screen());
        }
    }

    fn quit(mut self) -> String {
        self.send(".quit\r");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        self.screen()
    }
}

fn strip_escapes(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    // Parameters, then one final byte in @..~.
                    for f in chars.by_ref() {
                        if ('@'..='~').contains(&f) {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The data rows of a drawn table (`| a | b |`), cells trimmed; the REPL's
/// second header line (the types) is dropped.
fn table_rows(text: &str) -> Vec<Vec<String>> {
    let types = ["string", "long", "int", "real", "datetime", "timespan", "bool", "dynamic", "guid", "decimal"];
    text.lines()
        .filter(|l| l.starts_with("| ") && l.ends_with(" |"))
        .map(|l| {
            l.split(" | ").map(|c| c.trim_matches(|ch: char| ch == '|' || ch == ' ').to_string()).collect::<Vec<_>>()
        })
        .filter(|cells| !cells.iter().all(|c| types.contains(&c.as_str())))
        .collect()
}

#[test]
fn pasting_an_article_query_into_the_terminal_runs_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut pty) = Pty::start(&dir.path().join("history")) else { return };
    pty.send(".now 2025-06-02T00:00:00Z\r");
    // (rustyline drops what is typed before its prompt is back.)
    assert!(pty.wait_for_n("ntaq> ", 2, Duration::from_secs(120)), "{}", pty.screen());
    // A terminal wraps a paste in bracketed-paste marks; the query's line
    // breaks stay in the buffer and Enter runs it.
    pty.send(&format!("\u{1b}[200~{}\u{1b}[201~", scenario(2)));
    std::thread::sleep(Duration::from_millis(300));
    pty.send("\r");
    assert!(pty.wait_for_n("ntaq> ", 3, Duration::from_secs(60)), "{}", pty.screen());
    let screen = pty.quit();
    let expected = table_rows(&run_output(2, "table", &[]));
    assert!(expected.len() > 10);
    let got = table_rows(&screen);
    assert_eq!(got, expected, "{screen}");
}

#[test]
fn typing_each_article_query_line_by_line_runs_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut pty) = Pty::start(&dir.path().join("history")) else { return };
    assert!(pty.wait_for_prompt("ntaq> ", Duration::from_secs(120)), "{}", pty.screen());
    for line in SETTINGS.lines() {
        pty.type_line(line);
    }
    let mut expected = Vec::new();
    for n in 1..=4 {
        let before = pty.screen().len();
        // Exactly as written: leading `|` lines, comments, indentation.
        for line in scenario(n).lines() {
            pty.type_line(line);
            assert!(pty.screen().ends_with("   …> "), "scenario {n} ran before its end ({line}): {}", pty.screen());
        }
        pty.type_line("");
        assert!(pty.screen().ends_with("ntaq> "), "{}", pty.screen());
        let shown = pty.screen()[before..].to_string();
        // The same query piped in: the shell's tables (cells cut at 48 characters).
        let piped = piped(&format!("{SETTINGS}{}\n", scenario(n)));
        assert_eq!(piped.status.code(), Some(0), "{}", err(&piped));
        let rows = table_rows(&out(&piped));
        assert!(rows.len() > 2, "scenario {n} has rows on the sample");
        assert_eq!(table_rows(&shown), rows, "scenario {n}: {shown}");
        expected.extend(rows);
    }
    let screen = pty.quit();
    assert!(!screen.contains("kql::"), "no diagnostic: {screen}");
    // Each result exactly once.
    assert_eq!(table_rows(&screen), expected, "{screen}");
}

#[test]
fn a_paste_without_bracketed_paste_marks_loses_no_line() {
    // A terminal without bracketed paste sends the lines as if typed, all at
    // once: each Enter ends a line editor call, and what follows must wait
    // for the next one rather than be dropped.
    let dir = tempfile::tempdir().unwrap();
    let Some(mut pty) = Pty::start(&dir.path().join("history")) else { return };
    assert!(pty.wait_for_prompt("ntaq> ", Duration::from_secs(120)), "{}", pty.screen());
    let text = format!("{SETTINGS}{}\n\nprint after = 'pasted'\n", scenario(2));
    pty.send(&text.replace('\n', "\r"));
    assert!(pty.wait_for("| pasted ", Duration::from_secs(60)), "{}", pty.screen());
    let screen = pty.quit();
    assert!(!screen.contains("kql::"), "{screen}");
    let piped = piped(&format!("{SETTINGS}{}\n", scenario(2)));
    let mut expected = table_rows(&out(&piped));
    expected.extend([vec!["after".to_string()], vec!["pasted".to_string()]]);
    assert_eq!(table_rows(&screen), expected, "{screen}");
}

#[test]
fn pasting_a_block_of_two_queries_runs_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut pty) = Pty::start(&dir.path().join("history")) else { return };
    assert!(pty.wait_for_prompt("ntaq> ", Duration::from_secs(120)), "{}", pty.screen());
    let block = "// first\nprint first = 'one'\n\nlet n = 2;\n\nprint second = n\n| extend third = n + 1\n";
    pty.send(&format!("\u{1b}[200~{block}\u{1b}[201~"));
    std::thread::sleep(Duration::from_millis(300));
    pty.send("\r");
    assert!(pty.wait_for("third", Duration::from_secs(120)), "{}", pty.screen());
    assert!(pty.wait_for_prompt("ntaq> ", Duration::from_secs(120)), "{}", pty.screen());
    let screen = pty.quit();
    let rows = [vec!["first"], vec!["one"], vec!["second", "third"], vec!["2", "3"]];
    assert_eq!(table_rows(&screen), rows, "{screen}");
    assert!(screen.contains("remembered n"), "{screen}");
    assert!(!screen.contains("kql::"), "{screen}");
}

#[test]
fn tab_completes_columns_and_operators_in_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut pty) = Pty::start(&dir.path().join("history")) else { return };
    pty.send("NTAIpDetails | summarize count() by Loc\t");
    assert!(pty.wait_for("by Location", Duration::from_secs(10)), "{}", pty.screen());
    pty.send(" | wh\t");
    assert!(pty.wait_for("| where", Duration::from_secs(10)), "{}", pty.screen());
    pty.send(" Location == 'country1'\r");
    assert!(pty.wait_for("country1 ", Duration::from_secs(120)), "{}", pty.screen());
    pty.quit();
}

#[test]
fn history_persists_and_is_recalled() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("data/history");
    let Some(mut pty) = Pty::start(&history) else { return };
    // Alt-Enter inserts a line break; an entry of several lines is one entry.
    pty.send("print a = 'first'\u{1b}\r| project b = strcat(a, '!')\r");
    assert!(pty.wait_for("first!", Duration::from_secs(120)), "{}", pty.screen());
    pty.quit();
    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(saved.contains(r"print a = 'first'\n| project b = strcat(a, '!')"), "{saved}");

    let Some(mut pty) = Pty::start(&history) else { return };
    pty.send("\u{1b}[A\r"); // Up: the last entry, run again
    assert!(pty.wait_for("first!", Duration::from_secs(120)), "{}", pty.screen());
    pty.quit();
}

#[test]
fn ctrl_c_in_the_terminal_cancels_then_clears_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut pty) = Pty::start(&dir.path().join("history")) else { return };
    pty.send(&format!("{SLOW}\r"));
    std::thread::sleep(Duration::from_millis(800));
    let start = Instant::now();
    // Ctrl-C until the query reports that it was cancelled.
    while !pty.screen().contains("cancelled") && start.elapsed() < Duration::from_secs(30) {
        pty.send("\u{3}");
        std::thread::sleep(Duration::from_millis(300));
    }
    assert!(pty.screen().contains("the query was cancelled"), "{}", pty.screen());
    // At the prompt Ctrl-C clears the line; the shell goes on.
    std::thread::sleep(Duration::from_millis(500));
    pty.send("print gone");
    assert!(pty.wait_for("print gone", Duration::from_secs(10)), "{}", pty.screen());
    let prompts = pty.screen().matches("ntaq> ").count();
    pty.send("\u{3}");
    assert!(pty.wait_for_n("ntaq> ", prompts + 1, Duration::from_secs(10)), "{}", pty.screen());
    pty.send("print kept = 7\r");
    assert!(pty.wait_for(" 7 |", Duration::from_secs(120)), "{}", pty.screen());
    let raw = pty.raw();
    assert!(raw.contains("\u{1b}["), "diagnostics are coloured on a terminal");
    let screen = pty.quit();
    assert!(!screen.contains("kql::semantic::unknown_name"), "the cleared line did not run: {screen}");
}

#[test]
fn an_empty_line_submits_lets_typed_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut pty) = Pty::start(&dir.path().join("history")) else { return };
    // `let k = 3;` waits for a query; the empty line submits it alone.
    pty.send("let k = 3;\r");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!pty.screen().contains("remembered"), "{}", pty.screen());
    pty.send("\r");
    assert!(pty.wait_for("remembered k", Duration::from_secs(10)), "{}", pty.screen());
    pty.send("print k * 2\r");
    assert!(pty.wait_for(" 6 |", Duration::from_secs(10)), "{}", pty.screen());
    pty.quit();
}

#[test]
fn a_runaway_join_stops_at_the_memory_budget() {
    // 1,995² + 5² rows: one group's list of them must be held (a sort of
    // them would spill instead).
    let query = "NTANetAnalytics | join kind=inner (NTANetAnalytics) on SubType | summarize make_list(TimeGenerated)\n";
    let o = piped_with(&["--max-memory", "16MB"], query);
    let e = err(&o);
    assert!(e.contains("kql::exec::memory_limit") && e.contains("stopped") && e.contains("16 MiB"), "{e}");
    assert_eq!(o.status.code(), Some(1));
    let o = piped_with(&["--max-memory", "lots"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("512MB"), "{}", err(&o));
}

/// Issue 16: scenario 2 pasted without `.now` returned 0 rows with no
/// explanation; the shell now says which `.now` queries the data.
#[test]
fn an_empty_result_of_a_time_filter_says_which_now_to_use() {
    let q = std::fs::read_to_string(repo().join("queries/scenario2.kql")).unwrap();
    let o = piped(&q);
    assert!(err(&o).contains("(.now 2025-06-01T23:00:00Z in the shell)"), "{}", err(&o));
    let o = piped(&format!(".now 2025-06-02T00:00:00Z\n{q}"));
    assert!(!err(&o).contains("no rows"), "{}", err(&o));
}

/// Issue 16: Kusto's `.show tables` / `.show table T schema`, `.once FILE`
/// for one result, and `.output` to an impossible path failing when given
/// (it used to fail only at the next query, naming a temporary file).
#[test]
fn show_once_and_output_checked_when_given() {
    let dir = tempfile::tempdir().unwrap();
    let once = dir.path().join("first.csv");
    let input = format!(
        ".show tables\n.show table NTAIpDetails schema\n.output {}/nope/x.csv\n.once {}\n\
         NTAIpDetails | take 2 | project Ip\n\nprint second = 2\n",
        dir.path().display(),
        once.display()
    );
    let o = piped(&input);
    let (s, e) = (out(&o), err(&o));
    assert!(s.contains("NTAIpDetails") && s.contains("NTANetAnalytics"), ".show tables: {s}");
    assert!(s.contains("ThreatType             string"), ".show table … schema: {s}");
    assert!(e.contains("there is no folder"), ".output checked at once: {e}");
    // The first result went to the file, whole; the second to the screen.
    let written = std::fs::read_to_string(&once).unwrap();
    assert_eq!(written.lines().count(), 3, "a header and 2 rows: {written}");
    assert!(s.contains("second") && !s.contains("168.63.129.16"), "{s}");
    assert_eq!(o.status.code(), Some(1), "the bad .output failed: {e}");
}

/// Issue 16: `.output FILE` is appended to until `.output` alone resets it
/// (sqlite3's `.output`); a one-document format (json) gives each further
/// result its own numbered file instead of a broken document.
#[test]
fn output_appends_until_reset() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("all.csv");
    std::fs::write(&csv, "stale\n").unwrap();
    let json = dir.path().join("r.json");
    let input = format!(
        ".output {}\nprint a = 1\n\nprint b = 2\n.output\nprint c = 3\n.output {}\nprint d = 4\n\nprint e = 5\n.output off\n",
        csv.display(),
        json.display()
    );
    let o = piped(&input);
    let (s, e) = (out(&o), err(&o));
    // Emptied when given, then both results whole, one after the other.
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "a\n1\nb\n2\n", "{e}");
    assert!(e.contains("2 results written"), "{e}");
    assert!(s.contains("| 3 |") || s.contains("c") && s.contains('3'), "after `.output` alone, the screen: {s}");
    assert!(!s.contains("| 1 |") && !s.contains("| 2 |"), "{s}");
    let first: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let second: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.2.json")).unwrap()).unwrap();
    assert_eq!(first, serde_json::json!([{"d": 4}]));
    assert_eq!(second, serde_json::json!([{"e": 5}]));
    assert!(e.contains("r.2.json"), "{e}");
    assert_eq!(o.status.code(), Some(0), "{e}");
}

/// Issue 15: `.chart FILE` writes the last `render` result's chart (every
/// row) as HTML or SVG; before any such result, or to another extension,
/// it is a usage error; a mistyped `.chrt` is answered with `.chart`.
#[test]
fn chart_writes_the_last_rendered_result() {
    let dir = tempfile::tempdir().unwrap();
    let (html, svg, txt) = (dir.path().join("c.html"), dir.path().join("c.svg"), dir.path().join("c.txt"));
    let input = format!(
        ".chart {h}\n\nNTANetAnalytics | summarize Flows = count() by FlowType | render columnchart\n\n\
         .chart {h}\n.chart {s}\n.chart {t}\n.chrt x.html\n",
        h = html.display(),
        s = svg.display(),
        t = txt.display()
    );
    let o = piped(&input);
    let e = err(&o);
    assert!(e.contains("no result to draw yet"), "{e}");
    assert!(e.contains("a chart is written as .html or .svg"), "{e}");
    assert!(e.contains("did you mean `.chart`?"), "{e}");
    assert!(e.contains(&format!("chart of 10 rows written to {}", html.display())), "{e}");
    let page = std::fs::read_to_string(&html).unwrap();
    // FlowType has 10 values on the sample (the empty one too): 10 bars.
    assert_eq!(page.matches("class=\"bar ").count(), 10, "{page}");
    assert_eq!(std::fs::read_to_string(&svg).unwrap().matches("class=\"bar ").count(), 10);
    assert!(!txt.exists());
    // The table on the screen has its text chart above it.
    assert!(out(&o).contains("Flows\n\n+--"), "{}", out(&o));
    assert_eq!(o.status.code(), Some(1), "three failed entries: {e}");
}

/// `.chart` of a result whose `render` ntaq does not draw: the table was
/// shown (with a line saying why there is no chart), the file is refused
/// with the chart's own code inside `kql::repl::chart`, and none is written.
#[test]
fn chart_of_an_undrawable_render_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("c.svg");
    let input = format!(
        "NTANetAnalytics | summarize Flows = count() by FlowType | render columnchart with (ysplit=axes)\n\n.chart {}\n",
        svg.display()
    );
    let o = piped(&input);
    let (s, e) = (out(&o), err(&o));
    assert!(s.contains("(chart not drawn: `ysplit=axes` is not supported"), "{s}");
    assert!(e.contains("kql::repl::chart") && e.contains("kql::unsupported::chart"), "{e}");
    assert!(!svg.exists());
}
