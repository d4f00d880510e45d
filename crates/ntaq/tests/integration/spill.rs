//! Spilling seen from the command line: with a tiny `--max-memory`,
//! `summarize`, `distinct`, `sort`/`top` and join and lookup build sides
//! write temporary files to `$TMPDIR` and give the results of the run in
//! memory; nothing is left there afterwards, whether the query succeeds or
//! fails.

use crate::common::{command, output, repo, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Output;

/// An empty directory of its own for one test's `TMPDIR`.
fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("spill").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `ntaq run --format csv -c QUERY` on the bundled sample with `TMPDIR`
/// set, and `--max-memory` if given.
fn run(query: &str, tmp: &Path, max_memory: Option<&str>) -> Output {
    let mut cmd = command(&repo());
    cmd.env("TMPDIR", tmp).args(["run", "-q", "--format", "csv", "--max-rows", "1000000", "-c", query]);
    if let Some(m) = max_memory {
        cmd.args(["--max-memory", m]);
    }
    output(&mut cmd, b"")
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

/// A diagnostic's text with its lines joined back together: a long path
/// may be wrapped at any `/` (at 80 columns when stderr is not a terminal).
fn unwrapped(diagnostic: &str) -> String {
    diagnostic.lines().map(|l| l.trim_start().trim_start_matches('│').trim()).collect()
}

/// Lines of CSV after the header, sorted (for operators whose order Kusto
/// does not define).
fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().skip(1).map(str::to_string).collect();
    lines.sort();
    lines
}

/// Queries each of whose operator spills on the sample in 256 KiB, with
/// that operator's name and whether the result's order is defined. (The
/// joins' build sides, 2,000 rows with their index, pass half of it.)
const SPILLING: [(&str, &str, bool); 6] = [
    ("NTANetAnalytics | sort by FlowStartTime desc, SrcIp asc", "sort", true),
    ("NTANetAnalytics | top 1500 by BytesSrcToDest asc", "top", true),
    ("NTANetAnalytics | distinct *", "distinct", false),
    ("NTANetAnalytics | summarize n = count(), b = sum(BytesSrcToDest) by SrcIp, DestIp, DestPort", "summarize", false),
    (
        "NTANetAnalytics | join kind=leftouter (NTANetAnalytics | project FlowStartTime, SrcIp, DestIp) on FlowStartTime",
        "join",
        false,
    ),
    (
        "NTANetAnalytics | lookup (NTANetAnalytics | project FlowStartTime, S2 = SrcIp, D2 = DestIp) on FlowStartTime",
        "lookup",
        false,
    ),
];

#[test]
fn spilled_queries_answer_as_in_memory_and_leave_nothing_behind() {
    // The sample's 2,000 flows of 93 columns are a few MB: 256 KiB makes
    // each of these operators spill (see `spill_files_go_to_tmpdir`).
    let tmp = temp_dir("answers");
    for (query, _, ordered) in SPILLING {
        let memory = run(query, &tmp, None);
        assert!(memory.status.success(), "{query}: {}", stderr(&memory));
        let spilled = run(query, &tmp, Some("256KB"));
        assert!(spilled.status.success(), "{query}: {}", stderr(&spilled));
        let (m, s) = (stdout(&memory), stdout(&spilled));
        assert!(m.lines().count() > 100, "{query}: {m}");
        if ordered {
            assert_eq!(m, s, "{query}");
        } else {
            assert_eq!(m.lines().next(), s.lines().next(), "{query}");
            assert_eq!(sorted_lines(&m), sorted_lines(&s), "{query}");
        }
        assert_eq!(leftovers(&tmp), Vec::<String>::new(), "{query}");
    }
}

#[test]
fn spill_files_go_to_tmpdir() {
    // TMPDIR naming a file, not a directory: a run in memory does not
    // notice; one that spills fails with the spill error naming it and the
    // operator. (The result goes to a file, written beside it: CSV on
    // standard output would be spooled in TMPDIR.)
    let dir = temp_dir("not-a-directory");
    let file = dir.join("file");
    std::fs::write(&file, "").unwrap();
    let out = dir.join("out.csv");
    for (query, operator, _) in SPILLING {
        let run_to_file = |max_memory: Option<&str>| {
            let mut cmd = command(&repo());
            cmd.env("TMPDIR", &file).args(["run", "-q", "-o"]).arg(&out).args(["-c", query]);
            if let Some(m) = max_memory {
                cmd.args(["--max-memory", m]);
            }
            output(&mut cmd, b"")
        };
        let o = run_to_file(None);
        assert!(o.status.success(), "{query}: {}", stderr(&o));
        assert!(std::fs::read_to_string(&out).unwrap().lines().count() > 100, "{query}");
        std::fs::remove_file(&out).unwrap();
        let o = run_to_file(Some("256KB"));
        assert_eq!(o.status.code(), Some(1), "{query}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("kql::exec::spill") && e.contains(operator), "{query}: {e}");
        assert!(unwrapped(&e).contains(&*file.to_string_lossy()), "{query}: {e}");
        assert!(!out.exists(), "{query}");
    }
}

#[test]
fn a_query_that_fails_after_spilling_leaves_nothing_behind() {
    // The sort spills, then one group's lists (of every row's text,
    // ~600 KB) must be held: the memory error.
    let tmp = temp_dir("failed");
    let text = "strcat(SrcSubscription, DestSubscription, SrcVm, DestVm, SrcIp, DestIp)";
    let query = format!(
        "NTANetAnalytics | sort by FlowStartTime desc | summarize a = make_list({text}), b = make_list(strcat('-', {text}))"
    );
    let o = run(&query, &tmp, Some("128KB"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("kql::exec::memory_limit"), "{}", stderr(&o));
    assert_eq!(leftovers(&tmp), Vec::<String>::new());
}
