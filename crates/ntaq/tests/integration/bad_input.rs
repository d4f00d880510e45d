//! Bad data, files and parameters: each gives a clear error naming what
//! was wrong, the documented exit status, and never a half-written output.

use crate::common::{command, isolate, ntaq_in as ntaq, output, repo, stderr, stdout};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Writes the result of `query` on the bundled sample to `path` as Parquet.
fn parquet(path: &Path, query: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let o = ntaq(&repo(), &["run", "-q", "--format", "parquet", "--output", path.to_str().unwrap(), "-c", query]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

const QUERY: &str = "NTAIpDetails | summarize count() by FlowType";

#[test]
fn a_table_missing_from_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(dir.path().join("q.kql"), QUERY).unwrap();
    // An empty directory, then one with only the other table.
    for _ in 0..2 {
        let o = ntaq(dir.path(), &["run", "--data", "data", "-c", QUERY]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("kql::io::missing_table") && e.contains("`data` has no table NTAIpDetails"), "{e}");
        assert!(e.contains("NTAIpDetails.parquet"), "the help says what to add: {e}");
        assert!(stdout(&o).is_empty());
        let o = ntaq(dir.path(), &["check", "--data", "data", "q.kql"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        parquet(&data.join("NTANetAnalytics.parquet"), "NTANetAnalytics | take 5");
    }
    // A misspelt table is still a query error, with a suggestion.
    let o = ntaq(dir.path(), &["run", "--data", "data", "-c", "NTANetAnalytic | count"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("did you mean `NTANetAnalytics`"), "{}", stderr(&o));
}

#[test]
fn files_that_are_not_parquet_or_are_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::read(repo().join("testdata/sample/NTAIpDetails.parquet")).unwrap();
    for (name, bytes) in [("text", b"Ip,Port\n1.2.3.4,80\n".to_vec()), ("cut", sample[..sample.len() / 2].to_vec())] {
        let data = dir.path().join(name);
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("NTAIpDetails.parquet"), bytes).unwrap();
        let o = ntaq(dir.path(), &["run", "--data", name, "-c", QUERY]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("kql::io::bad_parquet"), "{name}: {e}");
        assert!(e.contains(&format!("{name}/NTAIpDetails.parquet")) && e.contains("table NTAIpDetails"), "{e}");
    }
}

#[test]
fn a_table_file_that_cannot_be_opened() {
    // A link to a file that is gone (chmod 000 would not stop root, who
    // runs CI containers): the error names the file and its table.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(repo().join("testdata/sample/NTANetAnalytics.parquet"), data.join("NTANetAnalytics.parquet"))
        .unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.parquet"), data.join("NTAIpDetails.parquet")).unwrap();
    let o = ntaq(dir.path(), &["run", "--data", "data", "-c", QUERY]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("kql::io::unreadable") && e.contains("NTAIpDetails.parquet` (table NTAIpDetails)"), "{e}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn files_of_one_table_with_different_schemas() {
    let dir = tempfile::tempdir().unwrap();
    parquet(&dir.path().join("data/NTAIpDetails/a.parquet"), "NTAIpDetails | project Ip, Port");
    parquet(&dir.path().join("data/NTAIpDetails/b.parquet"), "NTAIpDetails | project Ip");
    let o = ntaq(dir.path(), &["run", "--data", "data", "-c", QUERY]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("kql::io::schema_conflict") && e.contains("a.parquet") && e.contains("b.parquet"), "{e}");
}

#[test]
fn a_column_of_an_unusable_type() {
    let dir = tempfile::tempdir().unwrap();
    // Port is an int in the published schema; this export has text.
    parquet(&dir.path().join("data/NTAIpDetails.parquet"), "NTAIpDetails | extend Port = strcat('port ', Port)");
    let o = ntaq(dir.path(), &["run", "--data", "data", "-c", "NTAIpDetails | where Port > 1000 | count"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("kql::exec::column_type") && e.contains("NTAIpDetails") && e.contains("`Port`"), "{e}");
    // Queries that do not read Port still run.
    let o = ntaq(dir.path(), &["run", "-q", "--data", "data", "--format", "csv", "-c", "NTAIpDetails | count"]);
    assert_eq!(stdout(&o), "Count\n891\n", "{}", stderr(&o));
}

#[test]
fn zero_row_tables_give_empty_results() {
    let dir = tempfile::tempdir().unwrap();
    parquet(&dir.path().join("data/NTAIpDetails.parquet"), "NTAIpDetails | take 0");
    let o = ntaq(dir.path(), &["run", "-q", "--data", "data", "--format", "csv", "-c", QUERY]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "FlowType,count_\n");
    let o = ntaq(dir.path(), &["run", "-q", "--data", "data", "--format", "csv", "-c", "NTAIpDetails | count"]);
    assert_eq!(stdout(&o), "Count\n0\n");
}

#[test]
fn results_are_cut_at_max_rows_with_a_warning() {
    let dir = repo();
    let o = ntaq(&dir, &["run", "-q", "--format", "csv", "--max-rows", "2", "-c", "NTAIpDetails | project Ip"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).lines().count(), 3, "a header and two rows");
    assert!(stderr(&o).contains("cut at 2 rows (--max-rows)"), "{}", stderr(&o));
    // Kusto's default of 500,000 rows for text on standard output; 0 lifts it.
    let big = "NTANetAnalytics | take 300 | join kind=inner (NTANetAnalytics) on SubType | project SrcIp";
    let o = ntaq(&dir, &["run", "-q", "--format", "csv", "-c", big]);
    assert_eq!(stdout(&o).lines().count(), 500_001);
    assert!(stderr(&o).contains("cut at 500000 rows (Kusto's result truncation limit)"), "{}", stderr(&o));
    let o = ntaq(&dir, &["run", "-q", "--format", "csv", "--max-rows", "0", "-c", big]);
    assert!(stdout(&o).lines().count() > 500_001);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    // Files get every row.
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("all.csv");
    let o = ntaq(&dir, &["run", "-q", "--output", file.to_str().unwrap(), "-c", big]);
    assert_eq!(o.status.code(), Some(0));
    assert!(std::fs::read_to_string(&file).unwrap().lines().count() > 500_001);
}

#[test]
fn a_runaway_join_stops_at_the_memory_budget() {
    let o = ntaq(
        &repo(),
        &[
            "run",
            "--max-memory",
            "64MB",
            "-c",
            // Four million joined rows, whose distinct pairs of flows one
            // set must hold (a sort of them would spill and succeed, slowly).
            "NTANetAnalytics | join kind=inner (NTANetAnalytics) on SubType \
             | summarize make_set(strcat(SrcIp, DestIp, FlowStartTime, TimeGenerated1)) by SubType",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("kql::exec::memory_limit") && e.contains("stopped") && e.contains("64 MiB"), "{e}");
    let o = ntaq(&repo(), &["run", "--max-memory", "a lot", "-c", "print 1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("8GiB"), "{}", stderr(&o));
}

#[test]
fn bad_flags_say_what_is_accepted() {
    for (args, expected) in [
        (
            vec!["run", "--format", "xml", "-c", "print 1"],
            "[possible values: table, line, markdown, csv, json, ndjson, parquet, svg, html, dot, mermaid]",
        ),
        (vec!["run", "--now", "yesterday", "-c", "print 1"], "2025-06-01T00:00:00Z"),
        (vec!["run", "--param", "start", "-c", "print 1"], "NAME=VALUE"),
        (vec!["run", "--param", "a=1", "--param", "a=2", "-c", "print a"], "more than once"),
        (vec!["run", "--max-rows", "lots", "-c", "print 1"], "invalid value 'lots' for '--max-rows <N>'"),
    ] {
        let o = ntaq(&repo(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
}

/// A query that runs for seconds (minutes in a debug build) in little memory.
const SLOW: &str = "NTANetAnalytics | take 1000 | join kind=inner (NTANetAnalytics) on SubType \
| mv-expand x = dynamic([1, 2, 3, 4, 5, 6, 7, 8]) | summarize dcount(strcat(SrcIp, DestIp1, tostring(x)))";

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_run_with_status_130_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.csv");
    let child = command(&repo())
        .args(["run", "-q", "--output", file.to_str().unwrap(), "-c", SLOW])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "no output and no temporary file: {left:?}");
}

/// SIGTERM (`kill`) ends a run at once with 128 + 15, as shells report it,
/// and removes the hidden temporary file its `--output` was being written to.
#[cfg(unix)]
#[test]
fn sigterm_ends_a_run_with_status_143_and_removes_its_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.csv");
    // Streams rows into the temporary file for minutes.
    let endless = "range x from 1 to 5000000000 step 1 | extend y = strcat('row ', x)";
    let mut child = command(&repo())
        .args(["run", "-q", "--max-rows", "0", "--output", file.to_str().unwrap(), "-c", endless])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let temporary = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".out.csv."))
    };
    let started = std::time::Instant::now();
    while !temporary() {
        assert!(started.elapsed() < Duration::from_secs(60), "no temporary file appeared");
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(143), "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "no output and no temporary file: {left:?}");
}

#[test]
fn invalid_utf8_on_standard_input_is_an_io_error() {
    let o = output(command(&repo()).args(["run", "-"]), b"print x = '\xff\xfe'");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("UTF-8"), "{}", stderr(&o));
}

#[test]
fn bad_parameter_values_name_what_is_accepted() {
    for (args, expected) in [
        // Malformed --param: no `=`, an empty name, a name with other characters.
        (vec!["run", "--param", "start", "-c", "print 1"], "expected NAME=VALUE, e.g. start=2025-06-01T00:00:00Z"),
        (vec!["run", "--param", "=2025-06-01", "-c", "print 1"], "the name before `=` is empty; expected NAME=VALUE"),
        (vec!["run", "--param", "my start=1", "-c", "print 1"], "(letters, digits, `_`, `-` and `:`"),
        // The same parameter twice, even with the same value.
        (vec!["run", "--param", "n=1", "--param", "n=1", "-c", "print 1"], "--param `n` is given more than once"),
        // --now that is not an instant: a date out of range, a number, a word.
        (vec!["run", "--now", "2025-13-01T00:00:00Z", "-c", "print 1"], "expected an ISO 8601 instant such as"),
        (vec!["run", "--now", "1748736000", "-c", "print 1"], "invalid --now `1748736000`"),
        (vec!["run", "--now", "now", "-c", "print 1"], "invalid --now `now`"),
        // Unknown formats list the accepted ones.
        (
            vec!["run", "--format", "yaml", "-c", "print 1"],
            "[possible values: table, line, markdown, csv, json, ndjson, parquet, svg, html, dot, mermaid]",
        ),
        (vec!["check", "--format", "xml", "-"], "[possible values: human, json, github]"),
        // check's --param is NAME:TYPE; an unknown type is named.
        (vec!["check", "--param", "start:when", "-"], "unknown type `when`"),
    ] {
        let o = ntaq(&repo(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    // A value that does not convert to the declared type: a query error
    // pointing at the declaration, with an example of the type.
    let o = ntaq(&repo(), &["run", "--param", "n=soon", "-c", "declare query_parameters(n:datetime); print n"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("kql::run::parameter_value") && e.contains("2025-06-01T00:00:00Z"), "{e}");
}

/// `ntaq run -c QUERY`: the exit status and standard error.
fn run_query(query: &str) -> (Option<i32>, String) {
    let o = ntaq(&repo(), &["run", "-q", "--format", "csv", "-c", query]);
    assert!(o.status.code() != Some(0) || stderr(&o).is_empty(), "{}", stderr(&o));
    (o.status.code(), stderr(&o))
}

#[test]
fn runtime_errors_point_at_the_expression_at_fault() {
    // An invalid regex is an error at the pattern (line 1, its column),
    // with its text, whichever construct holds it.
    for (query, line, column, pattern) in [
        ("print x = 'abc' matches regex '(a'", 1, 31, "\"(a\""),
        ("print x = extract('(a', 1, 'abc')", 1, 19, "\"(a\""),
        ("print x = trim('[z-a]', 'abc')", 1, 16, "\"[z-a]\""),
        ("print x = countof('abc', '(', 'regex')", 1, 26, "\"(\""),
        ("NTANetAnalytics\n| where SrcIp matches regex '('", 2, 29, "\"(\""),
    ] {
        let (status, e) = run_query(query);
        assert_eq!(status, Some(1), "{query}: {e}");
        assert!(
            e.contains("kql::exec::runtime") && e.contains(&format!("invalid regular expression {pattern}")),
            "{e}"
        );
        assert!(e.contains(&format!("[<command>:{line}:{column}]")), "{query}: the span is the pattern's: {e}");
    }
    // Other errors about one argument point at it too.
    for (query, status, column, message) in [
        ("print x = datetime_part('fortnight', now())", 1, 25, "unknown part \"fortnight\""),
        ("datatable(s:string)['a,b'] | extend x = split(s, s)", 3, 50, "separator that is not a constant"),
    ] {
        let (code, e) = run_query(query);
        assert_eq!(code, Some(status), "{query}: {e}");
        assert!(e.contains(message) && e.contains(&format!("[<command>:1:{column}]")), "{query}: {e}");
    }
    // What Kusto defines as null is not an error: bad casts, an impossible
    // date, integer division by zero.
    let (status, e) = run_query("print a = toint('abc'), b = todatetime('garbage'), c = 1 / 0, d = 7 % 0");
    assert_eq!((status, e.as_str()), (Some(0), ""));
    let o = ntaq(
        &repo(),
        &["run", "-q", "--format", "json", "-c", "print a = toint('abc'), b = todatetime('garbage'), c = 1 / 0"],
    );
    assert_eq!(stdout(&o).replace('\n', ""), r#"[{"a":null,"b":null,"c":null}]"#);
}

/// Found while fuzzing: with standard error (or output)
/// going to a reader that has gone, printing panicked (status 101).
#[cfg(unix)]
#[test]
fn readers_that_went_away_are_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let status = dir.path().join("status");
    for args in [
        "run --format csv -c 'print 1'",
        "run -c 'NTAIpDetails | take 5'",
        "run -c 'print x = 1 +'",
        "parse --format kql queries/scenario1.kql",
        "check --format github queries/scenario3.kql",
        "check queries/scenario4.kql",
    ] {
        // The reader (`true`) is gone before ntaq starts writing.
        let script =
            format!("(sleep 0.2; {} {args} 2>&1; echo $? > {}) | true", env!("CARGO_BIN_EXE_ntaq"), status.display());
        let o = isolate(Command::new("sh").arg("-c").arg(&script).current_dir(repo())).output().unwrap();
        assert!(o.status.success(), "{args}: {o:?}");
        let code: i32 = std::fs::read_to_string(&status).unwrap().trim().parse().unwrap();
        assert!((0..=3).contains(&code), "{args}: status {code}");
    }
}
