//! Files and pastes of several queries separated by blank lines, the
//! Kusto.Explorer / Log Analytics habit: `ntaq run` runs each, `ntaq check`
//! checks each (positions in the whole file), `.run` and piped input run
//! each; a query that spans blank lines stays whole.

use crate::common::{ntaq_in_with, repo, stderr, stdout};

/// Two queries, the second a `let` spread over blank lines with comments
/// between; CRLF line ends and trailing blank lines.
const TWO: &str = "// Query 1: the addresses\r\nNTAIpDetails | count\r\n\r\n\r\n// Query 2: HTTPS, by flow type\r\nlet Https = NTAIpDetails\r\n\r\n    | where Port == 443;\r\n\r\n// the query that uses it\r\n\r\nHttps\r\n| summarize n = count() by FlowType\r\n\r\n| project n\r\n\r\n\r\n";

#[test]
fn run_executes_each_query_of_a_file_in_order_with_a_label() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("two.kql"), TWO).unwrap();
    let o = ntaq_in_with(d, &["run", "-q", "two.kql"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // 891 addresses in the sample; 27 HTTPS ones, all malicious flows.
    let order: Vec<usize> = ["== two.kql (query 1, line 1) ==", " 891 |", "== two.kql (query 2, line 5) ==", " 27 |"]
        .iter()
        .map(|s| out.find(s).unwrap_or_else(|| panic!("no `{s}` in\n{out}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
    assert_eq!(out.matches("== two.kql").count(), 2, "{out}");

    // CSV: the results one after the other.
    let o = ntaq_in_with(d, &["run", "-q", "--format", "csv", "two.kql"], "");
    assert_eq!(stdout(&o), "Count\n891\nn\n27\n");

    // --output-dir: file.1.csv, file.2.csv.
    let out_dir = d.join("out");
    let o = ntaq_in_with(d, &["run", "-q", "two.kql", "--output-dir", out_dir.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let read = |name: &str| std::fs::read_to_string(out_dir.join(name)).unwrap();
    assert_eq!(read("two.1.csv"), "Count\n891\n");
    assert_eq!(read("two.2.csv"), "n\n27\n");

    // --output takes one query.
    let o = ntaq_in_with(d, &["run", "-q", "two.kql", "-o", "x.csv"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--output-dir"), "{}", stderr(&o));
}

#[test]
fn a_failing_query_does_not_stop_the_others_and_points_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "print a = 1\n\nprint b = nope\n\nprint c = 3\n";
    std::fs::write(d.join("q.kql"), text).unwrap();
    let o = ntaq_in_with(d, &["run", "-q", "--format", "csv", "q.kql"], "");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "a\n1\nc\n3\n");
    let err = stderr(&o);
    assert!(err.contains("[q.kql:3:11]"), "the position is the file's: {err}");
    assert!(err.contains("1 of 3 queries failed: q.kql (query 2, line 3)"), "{err}");
}

#[test]
fn semicolon_separated_statements_stay_one_script() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // `;` joins the blank-line-separated statements into one script of two
    // results; the third block is a query of its own.
    std::fs::write(d.join("s.kql"), "print a = 1;\n\nprint b = 2\n\nprint c = 3\n").unwrap();
    let out_dir = d.join("out");
    let o = ntaq_in_with(d, &["run", "-q", "s.kql", "--output-dir", out_dir.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut names: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["s.1.1.csv", "s.1.2.csv", "s.2.csv"]);
}

#[test]
fn check_reports_each_query_with_positions_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("two.kql"), TWO).unwrap();
    let o = ntaq_in_with(d, &["check", "two.kql"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("two.kql: query 1 (line 1): ok"), "{err}");
    assert!(err.contains("two.kql: query 2 (line 5): ok"), "{err}");
    assert!(err.contains("checked 1 file (2 queries): 0 errors"), "{err}");

    // Each query is checked on its own: a mistake in one does not run into
    // the next, and every position is the file's.
    let bad = "NTAIpDetails | count\n\nNTAIpDetails | wher Port == 1\n\nNTAIpDetails\n| project Nope\n";
    std::fs::write(d.join("bad.kql"), bad).unwrap();
    let o = ntaq_in_with(d, &["check", "--format", "json", "bad.kql"], "");
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let diags = v[0]["diagnostics"].as_array().unwrap();
    let at: Vec<(String, u64, u64)> = diags
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        at,
        [("kql::syntax::unknown_operator".to_string(), 3, 16), ("kql::semantic::unknown_column".to_string(), 6, 11)]
    );
    assert_eq!(diags[0]["offset"], 37);
    let queries: Vec<(u64, bool)> = v[0]["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["line"].as_u64().unwrap(), q["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(queries, [(1, true), (3, false), (5, false)]);
    let o = ntaq_in_with(d, &["check", "--format", "github", "bad.kql"], "");
    assert!(stdout(&o).contains("file=bad.kql,line=6,col=11"), "{}", stdout(&o));
}

#[test]
fn the_shell_runs_each_query_of_a_paste_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("two.kql"), TWO).unwrap();
    // `.run FILE`: each query, and the file's let is not remembered.
    let o = ntaq_in_with(d, &["repl"], ".format csv\n.run two.kql\n.lets\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "Count\n891\nn\n27\n");
    // Piped (as pasted): the let entered alone is remembered, then used.
    let o = ntaq_in_with(d, &["repl"], &format!(".format csv\n{TWO}"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "Count\n891\nn\n27\n");
    assert!(stderr(&o).contains("remembered Https"), "{}", stderr(&o));
}

#[test]
fn the_documented_example_runs_as_two_queries() {
    let root = repo();
    let md = std::fs::read_to_string(root.join("docs/usage.md")).unwrap();
    let section = &md[md.find("**Several queries in one file.**").unwrap()..];
    let start = section.find("```kql\n").unwrap() + "```kql\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("two.kql"), example).unwrap();
    let o = ntaq_in_with(dir.path(), &["run", "-q", "--format", "csv", "two.kql"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "Count\n891\nFlowType,n\nMaliciousFlow,27\n");
}

#[test]
fn check_expands_quoted_globs_like_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("q")).unwrap();
    std::fs::write(d.join("q/a.kql"), "print 1").unwrap();
    std::fs::write(d.join("q/b.kql"), "NTAIpDetails | take 1").unwrap();
    let o = ntaq_in_with(d, &["check", "q/*.kql"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("checked 2 files: 0 errors"), "{}", stderr(&o));
    let o = ntaq_in_with(d, &["check", "nothing/*.kql"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no file matches `nothing/*.kql`"), "{}", stderr(&o));
}

#[test]
fn github_annotations_escape_every_field_and_warn_for_unsupported_kql() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // An unreadable file whose name has a comma and a colon.
    let o = ntaq_in_with(d, &["check", "--format", "github", "no,such:file.kql"], "");
    assert_eq!(o.status.code(), Some(2));
    let line = stdout(&o);
    assert!(
        line.starts_with(
            "::error file=no%2Csuch%3Afile.kql,title=kql%3A%3Aio%3A%3Aunreadable::cannot read `no,such:file.kql`: "
        ),
        "{line}"
    );
    // Valid Kusto that ntaq does not implement: a warning (exit status 3).
    std::fs::write(d.join("u.kql"), "NTAIpDetails | facet by FlowType").unwrap();
    let o = ntaq_in_with(d, &["check", "--format", "github", "u.kql"], "");
    assert_eq!(o.status.code(), Some(3));
    assert!(stdout(&o).starts_with("::warning file=u.kql,line=1,"), "{}", stdout(&o));
    assert!(stdout(&o).contains("title=kql%3A%3Aunsupported%3A%3Aoperator::"), "{}", stdout(&o));
}
