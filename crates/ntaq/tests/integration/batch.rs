//! `ntaq run` in batch: several files and glob patterns, `-c`, standard
//! input, scripts with several results, `--output-dir`, run-all versus
//! `--fail-fast`, and `--quiet`. Expected values are worked out by hand from
//! small tables written here, or from the bundled sample's documented size.

use crate::common::{isolate, listing, ntaq_in, ntaq_in_with, stderr, stdout};
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `DIR/data/T.parquet`: Name (string), N (long) with the rows
/// (a, 1), (b, 2), (a, 3), (c, 10).
fn data_dir(dir: &Path) -> String {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let names: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "a", "c"]));
    let ns: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3, 10]));
    let batch = RecordBatch::try_from_iter([("Name", names), ("N", ns)]).unwrap();
    let file = std::fs::File::create(data.join("T.parquet")).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    data.to_str().unwrap().to_string()
}

#[test]
fn glob_patterns_are_expanded_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "q/b.kql", "print n = 2");
    write(d, "q/a.kql", "print n = 1");
    write(d, "q/c.txt", "print n = 3");
    write(d, "q/.hidden.kql", "print n = 4");
    std::fs::create_dir_all(d.join("q/dir.kql")).unwrap();
    write(d, "q/sub/d.kql", "print n = 5");
    // No shell here: ntaq sees the pattern itself.
    let o = ntaq_in(d, &["run", "-q", "--format", "csv", "q/*.kql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "n\n1\nn\n2\n", "a.kql then b.kql; not .hidden.kql, dir.kql or sub/");
    // `**` reaches subdirectories; patterns and plain names mix, in the order given.
    let o = ntaq_in(d, &["run", "-q", "--format", "csv", "q/c.txt", "q/**/*.kql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "n\n3\nn\n1\nn\n2\nn\n5\n");
    // The table format heads each result with its file name.
    let o = ntaq_in(d, &["run", "-q", "q/?.kql"]);
    let out = stdout(&o);
    let a = out.find("== q/a.kql ==").expect(&out);
    let b = out.find("== q/b.kql ==").expect(&out);
    assert!(a < b, "{out}");
    // A file whose name looks like a pattern is that file.
    write(d, "q/[x].kql", "print n = 6");
    let o = ntaq_in(d, &["run", "-q", "--format", "csv", "q/[x].kql"]);
    assert_eq!(stdout(&o), "n\n6\n", "{}", stderr(&o));
    // A pattern matching nothing is a usage error, before anything runs.
    let o = ntaq_in(d, &["run", "--format", "csv", "q/a.kql", "q/*.kq"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no file matches `q/*.kq`"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    // So is a missing file, even after a good one.
    let o = ntaq_in(d, &["run", "--format", "csv", "q/a.kql", "q/missing.kql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read `q/missing.kql`"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn an_inline_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The bundled sample has 891 NTAIpDetails rows (see testdata/README.md).
    let o = ntaq_in(d, &["run", "-c", "NTAIpDetails | count", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "Count\n891\n");
    let data = data_dir(d);
    let o = ntaq_in(
        d,
        &[
            "run",
            "--data",
            &data,
            "--command",
            "T | summarize S = sum(N) by Name | sort by Name asc",
            "--format",
            "csv",
        ],
    );
    assert_eq!(stdout(&o), "Name,S\na,4\nb,2\nc,10\n", "{}", stderr(&o));
    // Diagnostics name it `<command>`.
    let o = ntaq_in(d, &["run", "--data", &data, "-c", "T | project Nmae"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("<command>:1:13"), "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean `Name`?"), "{}", stderr(&o));
    // Either a command or files; and one of them.
    write(d, "q.kql", "print n = 1");
    let o = ntaq_in(d, &["run", "-c", "print n = 1", "q.kql"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    let o = ntaq_in(d, &["run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn standard_input_among_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.kql", "print s = 'file'");
    let o = ntaq_in_with(d, &["run", "-q", "--format", "csv", "a.kql", "-", "a.kql"], "print s = 'stdin'");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "s\nfile\ns\nstdin\ns\nfile\n");
    let o = ntaq_in_with(d, &["run", "-"], "print s = strcat('a', 1 +)");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("<stdin>:1:"), "{}", stderr(&o));
    let o = ntaq_in_with(d, &["run", "-", "-"], "print 1");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("only once"), "{}", stderr(&o));
}

#[test]
fn a_script_outputs_each_result_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = data_dir(d);
    write(
        d,
        "two.kql",
        "let Big = T | where N > 1;\nBig | count;\nprint x = 'between';\nBig | project Name, N | sort by N desc\n",
    );
    let o = ntaq_in(d, &["run", "-q", "--data", &data, "--format", "csv", "two.kql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "Count\n3\nx\nbetween\nName,N\nc,10\na,3\nb,2\n");
    // NDJSON: one object per row, result after result.
    let o = ntaq_in(d, &["run", "-q", "--data", &data, "--format", "ndjson", "two.kql"]);
    let rows: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        rows,
        [
            serde_json::json!({"Count": 3}),
            serde_json::json!({"x": "between"}),
            serde_json::json!({"Name": "c", "N": 10}),
            serde_json::json!({"Name": "a", "N": 3}),
            serde_json::json!({"Name": "b", "N": 2}),
        ]
    );
    // Tables: with several files, each file's name once, above its results.
    write(d, "one.kql", "T | count");
    let o = ntaq_in(d, &["run", "--data", &data, "two.kql", "one.kql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.matches("== two.kql ==").count(), 1, "{out}");
    assert_eq!(out.matches("== one.kql ==").count(), 1, "{out}");
    let heads: Vec<usize> = ["== two.kql ==", "| between", "| c    | 10 |", "== one.kql ==", "|     4 |"]
        .iter()
        .map(|s| out.find(s).unwrap_or_else(|| panic!("no `{s}` in\n{out}")))
        .collect();
    assert!(heads.windows(2).all(|w| w[0] < w[1]), "{out}");
    // One "N rows" line per result ("1 row" for one).
    let err = stderr(&o);
    let counts: Vec<&str> = err.lines().filter(|l| l.contains(" rows (") || l.contains(" row (")).collect();
    assert_eq!(counts.len(), 4, "{err}");
    assert!(counts.iter().any(|l| l.starts_with("1 row (")), "{counts:?}");
}

#[test]
fn output_dir_writes_one_file_per_result() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = data_dir(d);
    write(d, "q/sums.kql", "T | summarize S = sum(N) by Name | sort by Name asc");
    write(d, "q/two.kql", "T | count;\nT | where Name == 'a' | project N | sort by N asc");
    let out = d.join("reports/june");
    let out_s = out.to_str().unwrap();
    let o = ntaq_in(d, &["run", "--data", &data, "q/*.kql", "--output-dir", out_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "nothing on standard output");
    // CSV unless --format says otherwise; the directory is created.
    assert_eq!(listing(&out), ["sums.csv", "two.1.csv", "two.2.csv"]);
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert_eq!(read("sums.csv"), "Name,S\na,4\nb,2\nc,10\n");
    assert_eq!(read("two.1.csv"), "Count\n4\n");
    assert_eq!(read("two.2.csv"), "N\n1\n3\n");
    let err = stderr(&o);
    assert!(err.contains(&format!("3 rows written to {}", out.join("sums.csv").display())), "{err}");
    assert!(err.contains(&format!("2 rows written to {}", out.join("two.2.csv").display())), "{err}");

    // JSON for -c and standard input; an existing file is replaced.
    let o = ntaq_in(
        d,
        &[
            "run",
            "-q",
            "--data",
            &data,
            "--format",
            "json",
            "--output-dir",
            out_s,
            "-c",
            "T | where N > 2 | project Name",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&read("command.json")).unwrap();
    assert_eq!(json, serde_json::json!([{"Name": "a"}, {"Name": "c"}]));
    let o = ntaq_in_with(
        d,
        &["run", "-q", "--data", &data, "--format", "ndjson", "--output-dir", out_s, "-"],
        "T | summarize M = max(N)",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read("stdin.ndjson"), "{\"M\":10}\n");

    // Parquet files read back as tables named after the files.
    let pq = d.join("pq");
    let o = ntaq_in(
        d,
        &["run", "-q", "--data", &data, "--format", "parquet", "--output-dir", pq.to_str().unwrap(), "q/two.kql"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(listing(&pq), ["two.1.parquet", "two.2.parquet"]);
    let back = ntaq_in(
        d,
        &["run", "-q", "--data", pq.to_str().unwrap(), "--format", "csv", "-c", "['two.2'] | summarize sum(N)"],
    );
    assert_eq!(stdout(&back), "sum_N\n4\n", "{}", stderr(&back));

    // Two files of the same name would write the same file: refused before anything runs.
    write(d, "other/sums.kql", "print n = 1");
    let fresh = d.join("fresh");
    let o =
        ntaq_in(d, &["run", "--data", &data, "q/sums.kql", "other/sums.kql", "--output-dir", fresh.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("would both write sums.csv"), "{}", stderr(&o));
    assert!(!fresh.exists());
    // --output-dir and --output exclude each other; --output takes one query.
    let o = ntaq_in(d, &["run", "q/sums.kql", "--output-dir", out_s, "-o", "x.csv"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ntaq_in(d, &["run", "--data", &data, "q/*.kql", "-o", "x.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--output-dir"), "{}", stderr(&o));
    assert!(!d.join("x.csv").exists());
}

#[test]
fn a_failing_query_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = data_dir(d);
    // The first result is fine; the second fails while rows are read.
    write(d, "bad.kql", "T | count;\nT | where Name matches regex '(' | project Name");
    let out = d.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("bad.1.csv"), "old\n").unwrap();
    let o = ntaq_in(d, &["run", "--data", &data, "bad.kql", "--output-dir", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("invalid regular expression"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("rows written"), "{}", stderr(&o));
    // Neither result is written (nor any temporary file left); the old file is untouched.
    assert_eq!(listing(&out), ["bad.1.csv"]);
    assert_eq!(std::fs::read_to_string(out.join("bad.1.csv")).unwrap(), "old\n");
    // Likewise --output.
    let file = d.join("r.csv");
    let o = ntaq_in(
        d,
        &[
            "run",
            "--data",
            &data,
            "-o",
            file.to_str().unwrap(),
            "-c",
            "T | where Name matches regex '(' | project Name",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!file.exists());
    assert_eq!(listing(d), ["bad.kql", "data", "out"]);
}

/// a.kql and c.kql run; b.kql has an error; d.kql uses unsupported KQL.
fn mixed(d: &Path) {
    write(d, "a.kql", "print n = 1");
    write(d, "b.kql", "print n = nosuchname");
    write(d, "c.kql", "print n = 3");
    write(d, "d.kql", "NTAIpDetails | facet by FlowType");
}

#[test]
fn every_query_runs_then_a_summary_names_the_failures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mixed(d);
    let o = ntaq_in(d, &["run", "--format", "csv", "*.kql"]);
    // An error outranks unsupported KQL.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), "n\n1\nn\n3\n");
    let err = stderr(&o);
    assert!(err.contains("unknown name `nosuchname`"), "{err}");
    assert!(err.contains("kql::unsupported::operator"), "{err}");
    assert_eq!(err.lines().last(), Some("2 of 4 queries failed: b.kql, d.kql (unsupported KQL)"), "{err}");
    // Unsupported KQL only: status 3.
    let o = ntaq_in(d, &["run", "--format", "csv", "a.kql", "d.kql"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().last(), Some("1 of 2 queries failed: d.kql (unsupported KQL)"));
    // One query: its own diagnostics say it all.
    let o = ntaq_in(d, &["run", "b.kql"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).contains("queries failed"), "{}", stderr(&o));
    // All good: no summary.
    let o = ntaq_in(d, &["run", "a.kql", "c.kql"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stderr(&o).contains("failed"), "{}", stderr(&o));
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mixed(d);
    let o = ntaq_in(d, &["run", "--fail-fast", "--format", "csv", "*.kql"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), "n\n1\n", "c.kql does not run");
    let err = stderr(&o);
    assert!(err.contains("unknown name `nosuchname`"), "{err}");
    assert!(!err.contains("unsupported"), "d.kql is not even checked: {err}");
    assert_eq!(err.lines().last(), Some("b.kql failed; stopped there (--fail-fast): 2 of 4 queries not run"), "{err}");
    // Unsupported KQL stops it too, with status 3.
    let o = ntaq_in(d, &["run", "--fail-fast", "--format", "csv", "d.kql", "a.kql"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    // With --output-dir, the files of the queries before the failure are written.
    let out = d.join("out");
    let o = ntaq_in(d, &["run", "--fail-fast", "a.kql", "b.kql", "c.kql", "--output-dir", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(listing(&out), ["a.csv"]);
}

#[test]
fn quiet_silences_notes_but_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.kql", "NTAIpDetails | count");
    let o = ntaq_in(d, &["run", "a.kql"]);
    let err = stderr(&o);
    assert!(err.contains("note: no --data DIR given; using the bundled sample"), "{err}");
    assert!(err.lines().any(|l| l.starts_with("1 row (")), "{err}");
    for quiet in ["-q", "--quiet"] {
        let o = ntaq_in(d, &["run", quiet, "a.kql"]);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(stderr(&o), "");
        assert!(stdout(&o).contains("|   891 |"), "{}", stdout(&o));
    }
    let out = d.join("out");
    let o = ntaq_in(d, &["run", "-q", "a.kql", "--output-dir", out.to_str().unwrap()]);
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), String::new()));
    assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "Count\n891\n");
    // Errors, warnings and the summary still print.
    write(d, "b.kql", "NTAIpDetails | project Nope");
    let o = ntaq_in(d, &["run", "-q", "--param", "unused=1", "a.kql", "b.kql"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("unknown column `Nope`"), "{err}");
    assert!(err.contains("--param unused is not used"), "{err}");
    assert!(err.contains("1 of 2 queries failed: b.kql"), "{err}");
    assert!(!err.contains("note:") && !err.contains("rows ("), "{err}");
}

/// Runs `ntaq ARGS` in `dir` on a pseudo-terminal (util-linux `script`),
/// returning what the terminal showed; None where `script` is missing.
fn on_a_terminal(dir: &Path, args: &[&str]) -> Option<(Option<i32>, String)> {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut command = quote(env!("CARGO_BIN_EXE_ntaq"));
    for a in args {
        command.push(' ');
        command.push_str(&quote(a));
    }
    let o = isolate(Command::new("script").args(["-q", "-e", "-c", &command, "/dev/null"]).current_dir(dir))
        .env("TERM", "xterm")
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    Some((o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned()))
}

#[test]
fn a_progress_bar_on_a_terminal_for_long_queries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Every pair of the bundled sample's 2000 flows (4 million rows), none of
    // which has a 100-character address: well over the 300 ms after which
    // the bar appears, in a debug build.
    write(
        d,
        "slow.kql",
        "NTANetAnalytics | extend a = 1\n\
         | join kind=inner (NTANetAnalytics | project a = 1, Dest = DestIp) on a\n\
         | where strlen(Dest) > 100 | count",
    );
    let Some((status, screen)) = on_a_terminal(d, &["run", "--format", "csv", "slow.kql"]) else { return };
    assert_eq!(status, Some(0), "{screen}");
    // Both scans of the 2000-row table, read to the end.
    assert!(screen.contains("slow.kql [") && screen.contains("4,000/4,000 rows"), "{screen}");
    // The bar is cleared before the result is written.
    let result = screen.find("Count\r\n0\r\n").expect(&screen);
    let cleared = screen.rfind("\x1b[2K").expect(&screen);
    assert!(cleared < result, "{screen}");
    // --quiet: no bar.
    let (status, screen) = on_a_terminal(d, &["run", "-q", "--format", "csv", "slow.kql"]).unwrap();
    assert_eq!(status, Some(0), "{screen}");
    assert_eq!(screen, "Count\r\n0\r\n");
    // A quick query: no bar either.
    let (_, screen) = on_a_terminal(d, &["run", "--format", "csv", "-c", "print n = 1"]).unwrap();
    assert!(!screen.contains("rows read") && !screen.contains("\x1b[2K"), "{screen}");
}
