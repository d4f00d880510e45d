//! `--flow-logs DIR` as users call it: FlowTuples from the documented
//! sample blobs (testdata/flowlogs/docs), warnings said once, strict vs
//! --lenient, the table conflict with --data, `convert --flow-logs`, the
//! schema in `check`, and the shell's `.load` of a flow-log folder.
//! Expected numbers are added up by hand from the Learn samples.

use crate::common::{command, ntaq, ntaq_with, output, repo, stderr as err, stdout as out};

const DOCS: &str = "testdata/flowlogs/docs";
const VNET: &str = "testdata/flowlogs/docs/vnet-flow-log.json";

#[test]
fn flow_tuples_of_the_vnet_sample() {
    // The VNet sample: 10 tuples allowed (B/E), 9 denied (D); bytes S→D of
    // the E tuples 767 + 705 + 705 + 134 + 2217 = 4528, D→S 1580 + 4569 +
    // 4569 + 108 + 32466 = 43292.
    let o = ntaq(&[
        "run",
        "--flow-logs",
        VNET,
        "--format",
        "csv",
        "-c",
        "FlowTuples | summarize n = count(), s2d = sum(BytesSrcToDest), d2s = sum(BytesDestToSrc) by FlowStatus | order by FlowStatus asc",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), "FlowStatus,n,s2d,d2s\nA,10,4528,43292\nD,9,0,0\n");
    assert!(err(&o).contains("FlowTuples: 19 rows from 1 flow-log blob(s)"), "{}", err(&o));
}

#[test]
fn a_bad_record_stops_the_run_unless_lenient_which_warns_once() {
    let query = "FlowTuples | summarize count() by FlowLogKind, FlowLogVersion | order by FlowLogVersion asc";
    let o = ntaq(&["run", "--flow-logs", DOCS, "--format", "csv", "-c", query]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("flowlogs::bad_record") && err(&o).contains("nsg-flow-log-v1.json"), "{}", err(&o));
    assert!(err(&o).contains("record 2 at byte"), "{}", err(&o));
    assert_eq!(out(&o), "");

    // Two queries, one load: the warning is said once.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.kql"), dir.path().join("b.kql"));
    std::fs::write(&a, query).unwrap();
    std::fs::write(&b, "FlowTuples | count").unwrap();
    let o =
        ntaq(&["run", "--flow-logs", DOCS, "--lenient", "--format", "csv", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // v1: 9 tuples of the 2 well-formed records; v2: 7 + 4; VNet: 19.
    assert!(out(&o).contains("FlowLogKind,FlowLogVersion,count_\nNSG,1,9\nNSG,2,11\nVNet,4,19\n"), "{}", out(&o));
    assert!(out(&o).contains("Count\n39\n"), "{}", out(&o));
    assert_eq!(err(&o).matches("malformed record(s) skipped").count(), 1, "{}", err(&o));
}

#[test]
fn data_that_has_the_tables_conflicts() {
    let o = ntaq(&["run", "--data", "testdata/sample", "--flow-logs", VNET, "-c", "FlowTuples | count"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("flowlogs::table_conflict"), "{}", err(&o));
}

#[test]
fn no_flow_logs_or_no_folder_is_a_usage_error() {
    let o = ntaq(&["run", "--flow-logs", "crates/kql-types/src/schemas", "-c", "FlowTuples | count"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("flowlogs::none_found"), "{}", err(&o));
    let o = ntaq(&["run", "--flow-logs", "no/such/dir", "-c", "FlowTuples | count"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("flowlogs::not_found"), "{}", err(&o));
}

#[test]
fn derived_tables_are_made_only_when_read() {
    // A FlowTuples query never derives (whatever deriving does today).
    let o = ntaq(&["run", "--flow-logs", VNET, "-c", "FlowTuples | count"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // Reading NTANetAnalytics derives it: either rows or the deriving
    // stage's own diagnostic, never a missing table.
    let o = ntaq(&["run", "--flow-logs", VNET, "-c", "NTANetAnalytics | count"]);
    assert!(!err(&o).contains("missing_table"), "{}", err(&o));
    assert!(o.status.code() == Some(0) || err(&o).contains("flowlogs::"), "{}", err(&o));
}

#[test]
fn check_knows_the_flow_tuples_schema() {
    let o = ntaq(&["check", "-c", "FlowTuples | where SrcPortt == 22"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("did you mean `SrcPort`?"), "{}", err(&o));
    let o = ntaq(&["check", "-c", "FlowTuples | summarize sum(BytesSrcToDest) by bin(FlowTime, 1h), L4Protocol"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

#[test]
fn convert_writes_flow_tuples_completely() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    let o = ntaq(&[
        "convert",
        "--flow-logs",
        VNET,
        "--flow-logs",
        "testdata/flowlogs/docs/nsg-flow-log-v2.json",
        "--output-dir",
        target.to_str().unwrap(),
    ]);
    assert!(err(&o).contains("30 rows of FlowTuples written"), "{}", err(&o));
    // Whatever deriving does, no temporary file is left behind and
    // FlowTuples.parquet reads back as the table.
    let names: Vec<String> =
        std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.contains("partial")), "{names:?}");
    if o.status.code() == Some(0) {
        assert!(names.contains(&"NTANetAnalytics.parquet".to_string()), "{names:?}");
    }
    let o = ntaq(&[
        "run",
        "--data",
        target.to_str().unwrap(),
        "--format",
        "csv",
        "-c",
        "FlowTuples | summarize count(), sum(PacketsSrcToDest) by FlowLogKind | order by FlowLogKind asc",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // NSG v2 packets S→D: 1 + 30 + 15 = 46; VNet: 3 + 3 + 3 + 2 + 22 = 33.
    assert_eq!(out(&o), "FlowLogKind,count_,sum_PacketsSrcToDest\nNSG,11,46\nVNet,19,33\n");
    let o = ntaq(&["convert", "--flow-logs", VNET]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--output-dir"), "{}", err(&o));
}

#[test]
fn the_shell_loads_a_flow_log_folder() {
    let input = ".format csv\n\n.load testdata/flowlogs/docs/vnet-flow-log.json\n\nFlowTuples | where FlowState == \"D\" | count\n";
    let o = ntaq_with(&["repl", "--data", "testdata/sample"], input);
    let all = format!("{}{}", out(&o), err(&o));
    assert!(all.contains("loaded FlowTuples (19 rows) from flow-log blobs"), "{all}");
    assert!(out(&o).contains("Count\n9\n"), "{all}");
}

#[test]
fn the_scratch_files_of_flow_tuples_are_removed_when_ntaq_ends() {
    // FlowTuples are kept as Parquet files in a scratch folder of $TMPDIR
    // while ntaq runs; nothing of it is left once it ends.
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let o = output(command(&repo()).env("TMPDIR", tmp.path()).args(args), b"");
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).collect();
        (o, left)
    };
    let (o, left) = run(&["run", "--flow-logs", VNET, "--format", "csv", "-c", "FlowTuples | count"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), "Count\n19\n");
    assert!(left.is_empty(), "{left:?}");
    let target = tmp.path().join("out");
    let (o, left) = run(&["convert", "--flow-logs", VNET, "--output-dir", target.to_str().unwrap()]);
    assert!(err(&o).contains("19 rows of FlowTuples written"), "{}", err(&o));
    assert_eq!(left, vec![target]);
    // A run that fails after reading removes them too.
    let (o, left) = run(&["run", "--flow-logs", VNET, "-c", "FlowTuples | where NoSuchColumn > 1"]);
    assert_ne!(o.status.code(), Some(0));
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn derived_tables_past_a_small_max_memory_are_the_same_and_leave_no_scratch_files() {
    // Deriving holds its groups within the spilling share of --max-memory
    // and partitions the tuples into spill files past it; the derived rows
    // go to scratch Parquet files the query scans. With 64 KB the
    // generated blobs' groups do not fit: same rows (as sorted CSV) as
    // with the default budget, and nothing left in $TMPDIR.
    let g = "testdata/flowlogs/generated";
    let tmp = tempfile::tempdir().unwrap();
    let run = |table: &str, max_memory: Option<&str>| {
        let mut args = vec![
            "run".to_string(),
            "--flow-logs".into(),
            format!("{g}/flowlogs"),
            "--topology".into(),
            format!("{g}/topology"),
            "--service-tags".into(),
            format!("{g}/ServiceTags_Public_20250601.json"),
            "--threat-intel".into(),
            format!("{g}/threat-intel.csv"),
            "--interval".into(),
            "10m".into(),
            "--format".into(),
            "csv".into(),
            "-q".into(),
            "-c".into(),
            table.into(),
        ];
        if let Some(m) = max_memory {
            args.extend(["--max-memory".to_string(), m.to_string()]);
        }
        let o = output(command(&repo()).env("TMPDIR", tmp.path()).args(&args), b"");
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).collect();
        assert!(left.is_empty(), "{left:?}");
        let mut lines: Vec<String> = out(&o).lines().map(str::to_string).collect();
        lines.sort();
        lines
    };
    for table in ["NTANetAnalytics", "NTAIpDetails"] {
        let all = run(table, None);
        assert!(all.len() > 20, "{table}: {} lines", all.len());
        assert_eq!(run(table, Some("64KB")), all, "{table}");
    }
}
