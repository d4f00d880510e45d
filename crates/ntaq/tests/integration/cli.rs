//! The `ntaq` binary as users and CI call it: exit statuses, formats, files.

use crate::common::{command, ntaq, ntaq_with as ntaq_stdin, output, repo, stderr, stdout};
use std::process::Output;

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

const SCENARIOS: [&str; 4] =
    ["queries/scenario1.kql", "queries/scenario2.kql", "queries/scenario3.kql", "queries/scenario4.kql"];

#[test]
fn help_lists_the_commands() {
    let o = ntaq(&["--help"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    for cmd in ["check", "parse", "plan"] {
        assert!(out.contains(cmd), "{out}");
    }
    let o = ntaq(&["check", "--help"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("--param <NAME:TYPE>"), "{}", stdout(&o));
}

#[test]
fn the_article_queries_check_clean() {
    let mut args = vec!["check", "--param", "start:datetime", "--param", "end:datetime"];
    args.extend(SCENARIOS);
    let o = ntaq(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("checked 4 files: 0 errors, 0 unsupported, 2 notes"), "{err}");
    // The two notes are scenario 3's unfilled workbook placeholders.
    assert!(err.contains("{timeInterval:startISO}") && err.contains("{timeInterval:endISO}"), "{err}");
}

#[test]
fn scenario4_needs_its_parameters() {
    let o = ntaq(&["check", "queries/scenario4.kql"]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("unknown name `start`") && err.contains("unknown name `end`"), "{err}");
    assert!(err.contains("--param start:TYPE"), "{err}");

    // Declaring them in the query works as well as --param.
    let text = std::fs::read_to_string(repo().join("queries/scenario4.kql")).unwrap();
    let declared = format!("declare query_parameters(start:datetime, end:datetime);\n{text}");
    let o = ntaq_stdin(&["check", "-"], &declared);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn json_report_shape() {
    let bad = "NTANetAnalytics\n| where SrcIP == \"10.0.0.1\"\n| summarize sum(SrcIp)";
    let o = ntaq_stdin(&["check", "--format", "json", "-"], bad);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("stdout is JSON");
    let files = v.as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["file"], "<stdin>");
    assert_eq!(files[0]["ok"], false);
    let diags = files[0]["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 2, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "kql::semantic::unknown_column");
    assert_eq!(d["message"], "unknown column `SrcIP`");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(9)));
    assert_eq!((d["offset"].as_u64(), d["length"].as_u64()), (Some(24), Some(5)));
    assert_eq!(d["help"], "did you mean `SrcIp`?");
    assert_eq!(diags[1]["code"], "kql::semantic::type_mismatch");
    assert_eq!(diags[1]["line"], 3);
    // Every documented key, and no others.
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 8);
    for k in ["severity", "code", "message", "line", "column", "offset", "length", "help"] {
        assert!(keys.contains(&k), "{k}");
    }
}

#[test]
fn json_columns_count_characters() {
    // '🌐' is 4 bytes but one column.
    let o = ntaq_stdin(&["check", "--format", "json", "-"], "print strcat('🌐', Nope)");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = &v[0]["diagnostics"][0];
    assert_eq!(d["code"], "kql::semantic::unknown_name");
    assert_eq!(d["offset"], 21);
    assert_eq!(d["column"], 19);
}

#[test]
fn json_ok_file() {
    let o = ntaq(&["check", "--format", "json", "queries/scenario2.kql"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["file"], "queries/scenario2.kql");
    assert_eq!(v[0]["ok"], true);
    assert_eq!(v[0]["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn github_annotations() {
    let o = ntaq_stdin(&["check", "--format", "github", "-"], "NTAIpDetails\n| wher Ip == '1.2.3.4'");
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    let line = out.lines().next().unwrap();
    assert!(
        line.starts_with(
            "::error file=<stdin>,line=2,col=3,endLine=2,endColumn=7,title=kql%3A%3Asyntax%3A%3Aunknown_operator::"
        ),
        "{line}"
    );
    assert!(line.contains("`wher` is not a query operator%0Ahelp: did you mean `where`?"), "{line}");

    let o = ntaq(&["check", "--format", "github", "queries/scenario3.kql"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).lines().all(|l| l.starts_with("::notice ")), "{}", stdout(&o));
}

#[test]
fn unsupported_only_exits_3() {
    let o = ntaq_stdin(&["check", "-"], "NTAIpDetails | facet by FlowType");
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("kql::unsupported::operator"), "{}", stderr(&o));

    let o = ntaq_stdin(&["check", "-"], "NTAIpDetails | extend g = geo_distance_2points(1.0, 2.0, 3.0, 4.0)");
    assert_eq!(code(&o), 3, "{}", stderr(&o));

    // An error anywhere wins over unsupported. (After the unsupported
    // operator the columns are unknown, so the error must come before it.)
    let o = ntaq_stdin(&["check", "-"], "NTAIpDetails | where Nope | top-nested 3 of FlowType by count()");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let o = ntaq(&["check", "queries/no-such-file.kql"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no-such-file.kql"), "{}", stderr(&o));

    let o = ntaq(&["check", "--param", "start", "queries/scenario4.kql"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("expected NAME:TYPE"), "{}", stderr(&o));

    let o = ntaq(&["check", "--param", "start:date-time", "queries/scenario4.kql"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown type `date-time`"), "{}", stderr(&o));

    let o = ntaq(&["check", "--param", "start:datetime", "--param", "start:long", "queries/scenario4.kql"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("more than once"), "{}", stderr(&o));

    let o = ntaq(&["check", "--data", "/no/such/dir", "queries/scenario1.kql"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("/no/such/dir"), "{}", stderr(&o));

    let o = ntaq(&["check", "--format", "xml", "queries/scenario1.kql"]);
    assert_eq!(code(&o), 2);

    let o = ntaq(&["check"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn binary_input_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.kql");
    std::fs::write(&f, [0x4e, 0x54, 0xff, 0xfe]).unwrap();
    let o = ntaq(&["check", f.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not UTF-8"), "{}", stderr(&o));
}

#[test]
fn check_against_a_data_directory() {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let batch = RecordBatch::try_from_iter(vec![
        ("Ip", Arc::new(StringArray::from(vec!["1.2.3.4"])) as ArrayRef),
        ("Hits", Arc::new(Int64Array::from(vec![3i64])) as ArrayRef),
        ("Raw", Arc::new(arrow_array::BinaryArray::from(vec![&b"x"[..]])) as ArrayRef),
    ])
    .unwrap();
    let file = std::fs::File::create(dir.path().join("Custom.parquet")).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let d = dir.path().to_str().unwrap();

    let o = ntaq_stdin(&["check", "--data", d, "-"], "Custom | summarize sum(Hits) by Ip");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("column `Raw` of table Custom has Arrow type Binary"), "{}", stderr(&o));

    // A published table the directory lacks is a problem with the data
    // (status 2); any other unknown name is a query error.
    let o = ntaq_stdin(&["check", "--data", d, "-"], "NTAIpDetails | take 1");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("has no table NTAIpDetails"), "{}", stderr(&o));
    let o = ntaq_stdin(&["check", "--data", d, "-"], "Other | take 1");
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("unknown table `Other`"), "{}", stderr(&o));
}

#[test]
fn parse_formats() {
    let o = ntaq(&["parse", "--format", "kql", "queries/scenario2.kql"]);
    assert_eq!(code(&o), 0);
    let printed = stdout(&o);
    assert!(
        printed.starts_with("let SpecificServices = NTAIpDetails\n| where FlowType == \"AzurePublic\""),
        "{printed}"
    );

    let o = ntaq(&["parse", "--format", "json", "queries/scenario4.kql"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let stmt = &v["statements"][0];
    assert_eq!(stmt["kind"]["type"], "Query");
    assert_eq!(stmt["span"]["start"], 0);

    let o = ntaq_stdin(&["parse", "-"], "T | where (a");
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("kql::syntax::unclosed_bracket"), "{}", stderr(&o));
}

#[test]
fn plan_shows_schemas() {
    let o = ntaq(&["plan", "queries/scenario2.kql"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(
            "Top 100 by CounterValue desc nulls last  (Vnet:string, PublicIpDetails:string, CounterValue:long)"
        ),
        "{out}"
    );
    assert!(out.contains("Scan NTANetAnalytics"), "{out}");
}

/// `--optimized` shows what `run` executes: scenario 4's summarize split by
/// eager aggregation, its filters below the extends, the scan narrowed.
#[test]
fn plan_optimized_shows_the_rewrites() {
    let count = |text: &str, what: &str| text.lines().filter(|l| l.trim_start().starts_with(what)).count();
    let bound =
        stdout(&ntaq(&["plan", "queries/scenario4.kql", "--param", "start:datetime", "--param", "end:datetime"]));
    let o =
        ntaq(&["plan", "--optimized", "queries/scenario4.kql", "--param", "start:datetime", "--param", "end:datetime"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let optimized = stdout(&o);
    assert_eq!((count(&bound, "Summarize"), count(&optimized, "Summarize")), (1, 2), "{optimized}");
    assert_eq!((count(&bound, "Project"), count(&optimized, "Project")), (3, 0), "{optimized}");
    // The last line of each is the scan: every column as bound, the ten read when optimized.
    let scan = |text: &str| text.lines().last().unwrap_or_default().to_string();
    assert!(scan(&bound).contains("more)"), "{bound}");
    assert!(scan(&optimized).contains("(AclGroup:string, AclRule:string, CompletedFlows:long"), "{optimized}");
}

/// Issue 16: `--param NAME:TYPE=VALUE` is accepted by every subcommand,
/// so one parameter list serves `check` (types) and `run` (values).
#[test]
fn one_parameter_list_serves_check_and_run() {
    let params = [
        "--param",
        "timeInterval:startISO=2025-06-01T00:00:00Z",
        "--param",
        "timeInterval:endISO=2025-06-02T00:00:00Z",
        "--param",
        "start:datetime=2025-06-01T00:00:00Z",
        "--param",
        "end=2025-06-02T00:00:00Z",
    ];
    let mut check = vec!["check"];
    check.extend(params);
    check.extend(["queries/scenario3.kql", "queries/scenario4.kql"]);
    let o = ntaq(&check);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut run = vec!["run", "--format", "csv"];
    run.extend(params);
    run.push("queries/scenario4.kql");
    let o = ntaq(&run);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A typed value is read as that type: 5 as a real halves to 2.5 (as a
    // long, the untyped reading, to 2).
    let o = ntaq(&["run", "--format", "csv", "--param", "n:real=5", "-c", "print h = n / 2"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "h\n2.5\n", "{}", stderr(&o));
    let o = ntaq(&["run", "--format", "csv", "--param", "n=5", "-c", "print h = n / 2"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "h\n2\n", "{}", stderr(&o));
    // A value that is not of its type is a usage error.
    let o = ntaq(&["check", "--param", "n:long=abc", "queries/scenario4.kql"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("`abc` is not a long value"), "{}", stderr(&o));
}

/// Issue 16: `check`, `parse` and `plan` accept `-c QUERY` as `run` does.
#[test]
fn check_parse_and_plan_take_a_query_with_dash_c() {
    let o = ntaq(&["check", "-c", "NTAIpDetails | where Ipp == 1"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("<command>:1:"), "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean `Ip`?"), "{}", stderr(&o));
    let o = ntaq(&["check", "-c", "NTAIpDetails | take 1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = ntaq(&["parse", "--format", "kql", "-c", "NTAIpDetails|take 1"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "NTAIpDetails\n| take 1", "{}", stderr(&o));
    let o = ntaq(&["plan", "-c", "NTAIpDetails | count"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Count"), "{}", String::from_utf8_lossy(&o.stdout));
    // A file and -c together is a usage error.
    let o = ntaq(&["check", "-c", "print 1", "queries/scenario1.kql"]);
    assert_eq!(code(&o), 2);
}

/// Issue 16: shell completions and a man page from the CLI definition.
#[test]
fn completions_and_the_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = ntaq(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let script = String::from_utf8_lossy(&o.stdout);
        // Every subcommand and a subcommand's flag are offered.
        for word in ["check", "run", "convert", "max-memory"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    let o = ntaq(&["completions", "tcsh"]);
    assert_eq!(code(&o), 2, "an unknown shell is a usage error");
    let o = ntaq(&["man"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.contains(".TH ntaq 1"), "{page}");
    assert!(page.contains("check") && page.contains("completions"), "{page}");
}

/// Issue 16: a config file ($NTAQ_CONFIG, else ~/.config/ntaq/config.toml)
/// gives defaults that command-line flags override.
#[test]
fn a_config_file_gives_defaults_that_flags_override() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let data = repo().join("testdata/sample");
    std::fs::write(&config, format!("data = {:?}\nformat = \"csv\"\ntiming = true\n", data.display().to_string()))
        .unwrap();
    let with =
        |args: &[&str], input: &str| output(command(&repo()).args(args).env("NTAQ_CONFIG", &config), input.as_bytes());
    // run: the config's data (no "bundled sample" note) and CSV.
    let o = with(&["run", "-c", "NTAIpDetails | count"], "");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Count\n891\n", "{}", stderr(&o));
    assert!(!stderr(&o).contains("bundled sample"), "{}", stderr(&o));
    // A flag wins.
    let o = with(&["run", "--format", "json", "-c", "NTAIpDetails | count"], "");
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[\n{\"Count\":891}\n]", "{}", stderr(&o));
    // The shell: CSV and timing from the config.
    let o = with(&[], "NTAIpDetails | count\n");
    assert!(String::from_utf8_lossy(&o.stdout).contains("Count\n891\n"), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(stderr(&o).contains("1 row ("), "timing: {}", stderr(&o));
    // A bad config is a usage error naming the file and the key.
    std::fs::write(&config, "colour = \"blue\"\n").unwrap();
    let o = with(&["run", "-c", "print 1"], "");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("config.toml") && stderr(&o).contains("colour"), "{}", stderr(&o));
}

/// Issue 16: every subcommand's --help ends with examples.
#[test]
fn every_subcommand_help_has_examples() {
    for cmd in ["check", "run", "repl", "convert", "parse", "plan"] {
        let o = ntaq(&[cmd, "--help"]);
        assert_eq!(code(&o), 0);
        assert!(String::from_utf8_lossy(&o.stdout).contains("Examples:\n  ntaq "), "{cmd} --help has no examples");
    }
}

/// What Microsoft's parser accepts but Kusto's engine fails: `check` warns
/// and succeeds (it agrees with Kusto.Language on validity); `run` stops.
#[test]
fn engine_rejections_warn_in_check_and_stop_run() {
    let q = "NTAIpDetails | where Port == \"80\" | count";
    let c = ntaq(&["check", "-c", q]);
    assert_eq!(code(&c), 0, "{}", stderr(&c));
    assert!(stderr(&c).contains("kql::semantic::engine_rejects"), "{}", stderr(&c));
    assert!(stderr(&c).contains("0 errors, 1 warning,"), "{}", stderr(&c));
    let r = ntaq(&["run", "-c", q]);
    assert_eq!(code(&r), 1, "{}", stderr(&r));
    assert!(stderr(&r).contains("kql::run::engine_rejects"), "{}", stderr(&r));
    assert!(stdout(&r).is_empty());
    // A bool compared with a string is valid and runs (Sentinel content does it).
    let b =
        ntaq(&["run", "-c", "NTANetAnalytics | where IsFlowCapturedAtUdrHop == \"true\" | count", "--format", "csv"]);
    let t = ntaq(&["run", "-c", "NTANetAnalytics | where IsFlowCapturedAtUdrHop | count", "--format", "csv"]);
    assert_eq!(code(&b), 0, "{}", stderr(&b));
    assert_eq!(stdout(&b), stdout(&t));
}
