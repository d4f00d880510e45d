//! `ntaq run` as users call it: the article's queries on the bundled
//! sample, parameters, output formats and files, and failures.

use crate::common::{README_PARAMS, command, ntaq, ntaq_in, ntaq_in_with, repo, stderr, stdout};
use std::process::Stdio;

/// Rows of a query on the bundled sample, as NDJSON objects.
fn sample_rows(query: &str) -> Vec<serde_json::Value> {
    let mut args = vec!["run", "--format", "ndjson"];
    args.extend(README_PARAMS);
    args.push(query);
    let o = ntaq(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    String::from_utf8(o.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn the_article_queries_on_the_bundled_sample() {
    // Row counts computed independently of the engine, by a plain-Rust
    // reading of each query over the generator's rows (crates/ntaq-gen/tests/integration/sample.rs).
    let expected = [(1, 61), (2, 29), (3, 744), (4, 202)];
    for (n, rows) in expected {
        let got = sample_rows(&format!("queries/scenario{n}.kql"));
        assert_eq!(got.len(), rows, "scenario{n}");
    }
    // Output columns in Kusto's order, with Kusto's names.
    let o = ntaq(&["run", "--format", "csv", "queries/scenario1.kql"]);
    let header = String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or_default().to_string();
    assert_eq!(
        header,
        "SrcExternalIp,DestCompromisedIp,CompromisedVM,PublicIpDetails,FlowType,ThreatType,DnsDomain,ThreatDescription,Location,Url,count_"
    );
    let s1 = sample_rows("queries/scenario1.kql");
    assert!(s1.iter().all(|r| r["SrcExternalIp"].as_str().unwrap().starts_with("🌐 ")));
    assert!(s1.iter().all(|r| ["country1", "country2"].contains(&r["Location"].as_str().unwrap())));
    let s2 = sample_rows("queries/scenario2.kql");
    let counts: Vec<i64> = s2.iter().map(|r| r["CounterValue"].as_i64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "top … desc sorts by the count: {counts:?}");
}

#[test]
fn the_readme_main_command_runs() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -p ntaq -- run "))
        .expect("README has the run command");
    let args: Vec<&str> = line.trim_start_matches("cargo run --release -p ntaq -- ").split_whitespace().collect();
    let o = ntaq(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for n in 1..=4 {
        assert!(out.contains(&format!("== queries/scenario{n}.kql ==")), "{out}");
    }
    let err = stderr(&o);
    assert!(err.contains("using the bundled sample"), "{err}");
    for rows in ["61 rows", "29 rows", "744 rows", "202 rows"] {
        assert!(err.contains(rows), "{err}");
    }
    assert!(!err.contains("not used"), "each --param is used by some file: {err}");
}

#[test]
fn runs_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    let query = repo().join("queries/scenario1.kql");
    let o = ntaq_in(dir.path(), &["run", "--format", "csv", query.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 62, "header and 61 rows");
}

#[test]
fn output_files_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s4.parquet");
    let mut args = vec!["run", "--output", out.to_str().unwrap()];
    args.extend(README_PARAMS);
    args.push("queries/scenario4.kql");
    let o = ntaq(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("202 rows written to"), "{}", stderr(&o));
    // The file reads back as a table with the same rows.
    let back = ntaq_in_with(
        dir.path(),
        &["run", "--data", dir.path().to_str().unwrap(), "--format", "csv", "-"],
        "s4 | count",
    );
    assert_eq!(String::from_utf8_lossy(&back.stdout), "Count\n202\n", "{}", stderr(&back));

    let o = ntaq(&["run", "--format", "parquet", "queries/scenario1.kql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--output FILE"), "{}", stderr(&o));
}

#[test]
fn parameters_are_checked() {
    // A placeholder without a value is an error naming the flag to pass.
    let o = ntaq(&["run", "queries/scenario3.kql"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("kql::run::missing_placeholder"), "{err}");
    assert!(
        err.contains("--param timeInterval:startISO=VALUE") && err.contains("--param timeInterval:endISO=VALUE"),
        "{err}"
    );
    // A free name without a value.
    let o = ntaq(&["run", "queries/scenario4.kql"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown name `start`"), "{}", stderr(&o));
    // A value that does not fit the declared type.
    let o = ntaq_in_with(&repo(), &["run", "--param", "n=abc", "-"], "declare query_parameters(n:long); print x = n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the value `abc` of --param n is not a long"), "{}", stderr(&o));
    // A --param no query uses is a warning.
    let o = ntaq_in_with(&repo(), &["run", "--param", "strat=1", "-"], "print x = 1");
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("--param strat is not used by the query"), "{}", stderr(&o));
    // Bad flags.
    for bad in [
        vec!["run", "--now", "yesterday", "queries/scenario1.kql"],
        vec!["run", "--param", "nameonly", "queries/scenario1.kql"],
    ] {
        let o = ntaq(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
    }
}

#[test]
fn a_failing_query_prints_no_rows() {
    // The invalid regex fails while rows are being read: nothing reaches stdout.
    let o = ntaq_in_with(
        &repo(),
        &["run", "--format", "csv", "-"],
        "NTANetAnalytics | where SrcIp matches regex '(' | project SrcIp",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(stderr(&o).contains("invalid regular expression"), "{}", stderr(&o));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = command(&repo())
        .args([
            "run",
            "--format",
            "csv",
            "queries/scenario4.kql",
            "--param",
            "start=2025-06-01",
            "--param",
            "end=2025-06-02",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

/// A `where` right above a table scan runs inside the Parquet reader; an
/// error there is still the query's own error, pointing at the expression.
#[test]
fn errors_of_filters_run_inside_the_scan_keep_their_span() {
    let o = ntaq(&["run", "-q", "-c", "NTANetAnalytics | where SrcIp matches regex \"(\" | count"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("kql::exec::runtime") && err.contains("invalid regular expression"), "{err}");
    assert!(err.contains("SrcIp matches regex \"(\"") && err.contains("while evaluating this"), "{err}");
    assert!(o.stdout.is_empty());
}

/// Issue 16: scenario 2 pasted without `--now` returned 0 rows with no
/// explanation (the sample ends in 2025, `ago(4h)` counts back from today).
#[test]
fn an_empty_result_of_a_time_filter_says_which_now_to_use() {
    let o = ntaq(&["run", "queries/scenario2.kql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    // The sample's last processing interval starts at 23:00 on 2025-06-01
    // (testdata/README.md: 24 one-hour intervals from 2025-06-01T00:00Z).
    assert!(e.contains("FlowIntervalStartTime lies between 2025-06-01T00:00:00Z and 2025-06-01T23:00:00Z"), "{e}");
    assert!(e.contains("give --now 2025-06-01T23:00:00Z"), "{e}");
    assert_eq!(e.matches("no rows").count(), 1, "{e}");
    // As of the data's end there are rows, and no note.
    let o = ntaq(&["run", "--now", "2025-06-02T00:00:00Z", "queries/scenario2.kql"]);
    assert!(!stderr(&o).contains("no rows"), "{}", stderr(&o));
    assert!(!o.stdout.is_empty());
}

/// Issue 16: a query reading a column the data lacks (it reads as empty)
/// returned nothing beyond a note listing every absent column of the table.
#[test]
fn a_column_the_data_lacks_is_named_by_the_query_that_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("NTAIpDetails.csv"), "Ip,FlowType\n1.2.3.4,MaliciousFlow\n").unwrap();
    let q = "NTAIpDetails | where Location == 'country1' | project Ip, Location";
    let o = ntaq_in(dir.path(), &["run", "--data", ".", "--format", "csv", "-c", q]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    let warning = "reads column `Location` of NTAIpDetails, which the data lacks";
    assert_eq!(e.matches(warning).count(), 1, "{e}");
    assert!(!e.contains("published column(s)"), "the table's whole list is not repeated: {e}");
    // A query that does not read it is not warned.
    let o = ntaq_in(dir.path(), &["run", "--data", ".", "-c", "NTAIpDetails | project Ip"]);
    assert!(!stderr(&o).contains("lacks"), "{}", stderr(&o));
}

/// Hidden standard columns (log-standard-columns page): a file that lacks
/// them gets no note; a query that names one reads it as empty, with the
/// warning; one a file has is read, and stays out of results that do not
/// name it.
#[test]
fn hidden_standard_columns_read_from_files_or_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("NTAIpDetails.csv"), "Ip,_ItemId\n1.2.3.4,item-1\n5.6.7.8,item-2\n").unwrap();
    let run = |q: &str| ntaq_in(dir.path(), &["run", "--data", ".", "--format", "csv", "-c", q]);
    let o = run("NTAIpDetails | where _ItemId == 'item-2' | project Ip, _ItemId, r = _ResourceId");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).replace("\r\n", "\n"), "Ip,_ItemId,r\n5.6.7.8,item-2,\n");
    let e = stderr(&o);
    assert!(e.contains("reads column `_ResourceId` of NTAIpDetails, which the data lacks"), "{e}");
    assert!(!e.contains("_ItemId") && !e.contains("_SubscriptionId"), "{e}");
    // Not shown unless named: the 19 columns of the table's page, no more.
    let o = run("NTAIpDetails | take 1");
    let header = stdout(&o).lines().next().unwrap_or_default().to_string();
    assert_eq!(header.split(',').count(), 19, "{header}");
    assert!(!header.contains("_ItemId"), "{header}");
}

/// A hidden standard column the data lacks is warned about only where the
/// query names it: `*` (which leaves hidden columns out, as `project *`
/// does) and an unpruned scan under `top-nested` do not name it, so the
/// sample data (which has no `_ItemId`) gives no warning for them.
#[test]
fn hidden_columns_the_data_lacks_are_warned_about_only_when_named() {
    let sample = repo().join("testdata/sample");
    let sample = sample.to_str().unwrap();
    let run = |q: &str| ntaq(&["run", "-q", "--data", sample, "--format", "csv", "-c", q]);
    for q in [
        "NTANetAnalytics | where * has \"10.0\" | count",
        "NTANetAnalytics | top-nested 2 of FlowType by count() | count",
        "NTANetAnalytics | search \"Denied\" | count",
    ] {
        let o = run(q);
        assert_eq!(o.status.code(), Some(0), "{q}: {}", stderr(&o));
        assert!(!stderr(&o).contains("absent_column"), "{q}: {}", stderr(&o));
    }
    let o = run("NTANetAnalytics | take 1 | project _ItemId");
    assert!(stderr(&o).contains("reads column `_ItemId` of NTANetAnalytics, which the data lacks"), "{}", stderr(&o));
}

/// `search` without `in` looks in every table with data: the tables the
/// bundled sample lacks (FlowTuples, the legacy `_CL` tables, …) are kept
/// for their schema only and have no rows to find, so they are left out
/// rather than failing the query with `kql::io::missing_table`.
#[test]
fn search_without_in_reads_the_tables_that_have_data() {
    let o = ntaq(&[
        "run",
        "-q",
        "--format",
        "csv",
        "-c",
        "search \"MaliciousFlow\" | distinct ['$table'] | sort by ['$table'] asc",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).replace("\r\n", "\n"), "$table\nNTAIpDetails\nNTANetAnalytics\n");
}

/// `search *` and a bare `$table`, as Microsoft's pages write them
/// (`search "x" | summarize count() by $table`, learn.microsoft.com
/// search-operator): every row of every table with data, counted per
/// table — the bundled sample's 891 NTAIpDetails and 2,000
/// NTANetAnalytics rows (its banner's counts).
#[test]
fn search_star_counts_every_row_by_table() {
    let q = "search * | summarize n = count() by $table | sort by $table asc";
    let o = ntaq(&["run", "-q", "--format", "csv", "-c", q]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).replace("\r\n", "\n"), "$table,n\nNTAIpDetails,891\nNTANetAnalytics,2000\n");
}

/// `union *` and `union NTA*`: the tables with data whose names match, as
/// the union page's wildcard legs (`union K*`); a pattern matching nothing
/// is an unknown table, left out with a warning under `isfuzzy=true`. The
/// counts are the bundled sample's (891 NTAIpDetails, 2,000
/// NTANetAnalytics rows; `Type` is each row's table, the standard column).
#[test]
fn union_legs_may_be_table_name_patterns() {
    let run = |q: &str| ntaq(&["run", "-q", "--format", "csv", "-c", q]);
    let o = run("union * | summarize n = count() by Type | sort by Type asc");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).replace("\r\n", "\n"), "Type,n\nNTAIpDetails,891\nNTANetAnalytics,2000\n");
    let o = run("union withsource=T NTAN* | summarize n = count() by T");
    assert_eq!(stdout(&o).replace("\r\n", "\n"), "T,n\nNTANetAnalytics,2000\n", "{}", stderr(&o));
    let o = run("union Nope* | count");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("kql::semantic::unknown_table"), "{}", stderr(&o));
    let o = run("union isfuzzy=true Nope*, NTAIpDetails | count");
    assert_eq!(stdout(&o).replace("\r\n", "\n"), "Count\n891\n", "{}", stderr(&o));
    assert!(stderr(&o).contains("kql::semantic::union_leg_skipped"), "{}", stderr(&o));
}

/// `evaluate bag_unpack` reads its columns from the data before the run;
/// that reading uses the run's `now()` (`--now`), not the clock, so bag keys
/// made from `now()` give the columns of the instant asked for: the year of
/// 2001-02-03 is 2001, whatever the clock says.
#[test]
fn bag_unpack_columns_are_read_at_the_runs_now() {
    let q = r#"print d = bag_pack(strcat("k", getyear(now())), 1) | evaluate bag_unpack(d)"#;
    let o = ntaq(&["run", "--format", "csv", "--now", "2001-02-03T04:05:06Z", "-c", q]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n"), "k2001\n1\n");
}
