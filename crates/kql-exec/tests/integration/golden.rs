//! Golden logic tests: every `testdata/queries/<area>/*.kqlt` file.
//!
//! Format (one or more cases per file, `#` lines are comments):
//!
//! ```text
//! query [rowsort]
//! <KQL, any number of lines>
//! ----
//! Name:type | Name:type
//! value | value
//! ```
//!
//! The header lists the result's columns with their Kusto types; each row's
//! cells are separated by ` | `. Values are written as Kusto shows them:
//! datetimes `2025-06-01T00:00:00Z`, timespans `01:30:00`, dynamic values as
//! JSON, reals in shortest form; `null` is null and `""` the empty string.
//! `rowsort` compares rows in sorted order (for results whose order Kusto
//! leaves undefined). A case ends at a blank line or the end of the file.
//!
//! `error <regex>` instead of `query`: the query (up to `----`) must fail,
//! with a diagnostic whose code or message matches the regex.
//!
//! `plan` instead of `query`: the expected block is the optimized plan, as
//! `ntaq plan --optimized` and the REPL's `.explain` print it (one node per
//! line, inputs indented, each with its output schema); the query is bound
//! against the built-in NTA catalog and not run.
//!
//! Queries read no tables (they use `datatable` and `print`; `plan` cases may
//! name the NTA tables) and `now()` is 2025-06-01T12:00:00Z. Set
//! `NTAQ_UPDATE_GOLDEN=1` to rewrite the expected results and plans from the
//! engine; review the diff before committing it. The format is documented in
//! testdata/README.md.

use arrow_array::RecordBatch;
use kql_exec::physical::value_at;
use kql_exec::{Executor, MemTables};
use kql_plan::{Catalog, Params};
use kql_syntax::ScalarType;
use kql_types::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

const NOW: i64 = 1_748_779_200_000_000_000;

#[derive(Debug)]
enum Expect {
    Rows { rowsort: bool, header: String, rows: Vec<String> },
    Error(regex::Regex),
    Plan(Vec<String>),
}

#[derive(Debug)]
struct Case {
    line: usize,
    query: String,
    expect: Expect,
}

fn parse_cases(text: &str, path: &Path) -> Vec<Case> {
    let lines: Vec<&str> = text.lines().collect();
    let mut cases = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        if line.is_empty() || line.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i + 1;
        let (is_query, rowsort, error) = if line == "plan" {
            (false, false, None)
        } else if let Some(rest) = line.strip_prefix("query") {
            (true, rest.trim() == "rowsort", None)
        } else if let Some(re) = line.strip_prefix("error ") {
            (
                false,
                false,
                Some(
                    regex::Regex::new(re.trim())
                        .unwrap_or_else(|e| panic!("{}:{start}: bad regex: {e}", path.display())),
                ),
            )
        } else {
            panic!("{}:{start}: expected `query`, `plan` or `error <regex>`, found {line:?}", path.display());
        };
        i += 1;
        let mut query = String::new();
        while i < lines.len() && lines[i].trim_end() != "----" {
            query.push_str(lines[i]);
            query.push('\n');
            i += 1;
        }
        assert!(i < lines.len(), "{}:{start}: missing `----`", path.display());
        i += 1;
        let mut block = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() {
            block.push(lines[i].trim_end().to_string());
            i += 1;
        }
        let expect = if is_query {
            assert!(!block.is_empty(), "{}:{start}: missing the header line", path.display());
            Expect::Rows { rowsort, header: block[0].clone(), rows: block[1..].to_vec() }
        } else if let Some(error) = error {
            Expect::Error(error)
        } else {
            Expect::Plan(block)
        };
        cases.push(Case { line: start, query, expect });
    }
    cases
}

fn cell(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".into(),
        Value::String(s) => s.clone(),
        v if v.is_null() => "null".into(),
        Value::DateTime(Some(t)) => kql_types::text::datetime_text(*t),
        Value::Real(Some(r)) => kql_types::text::real_text(*r),
        v => v.to_string(),
    }
}

/// Runs a query: Ok((header, rows)) or Err(all diagnostic codes and messages).
fn execute(query: &str) -> Result<(String, Vec<String>), String> {
    let parsed = kql_syntax::parse(query);
    if !parsed.errors.is_empty() {
        return Err(parsed
            .errors
            .iter()
            .map(|e| format!("{} {e}", miette::Diagnostic::code(e).map(|c| c.to_string()).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let mut params = Params::default();
    let mut bound = kql_plan::bind(&parsed.script, &Catalog::new(), &params);
    // `evaluate bag_unpack(…)` or `evaluate pivot(…)` without an output
    // schema: its columns come from the data, then the query is bound
    // again (as `ntaq run` does).
    while !bound.has_errors() {
        let tables = MemTables::new();
        let ex = Executor::new(&bound.program, &tables, NOW, Arc::new(AtomicBool::new(false)));
        match ex.unpacked_columns() {
            Ok(Some((at, columns))) if params.unpacked(at).is_none() => {
                params.set_unpacked(at, columns);
                bound = kql_plan::bind(&parsed.script, &Catalog::new(), &params);
            }
            _ => break,
        }
    }
    if bound.has_errors() || bound.diagnostics.iter().any(|d| d.is_unsupported()) {
        return Err(bound
            .diagnostics
            .iter()
            .map(|d| format!("{} {d}", miette::Diagnostic::code(d).map(|c| c.to_string()).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n"));
    }
    kql_plan::optimize::optimize(&mut bound.program);
    let tables = MemTables::new();
    let ex = Executor::new(&bound.program, &tables, NOW, Arc::new(AtomicBool::new(false)));
    let results = kql_exec::run_program(&ex)
        .map_err(|e| format!("{} {e}", miette::Diagnostic::code(&e).map(|c| c.to_string()).unwrap_or_default()))?;
    let (schema, batches) = results.into_iter().last().ok_or("no result")?;
    let types: Vec<ScalarType> = schema
        .fields()
        .iter()
        .map(|f| {
            f.metadata()
                .get(kql_exec::KUSTO_TYPE_KEY)
                .and_then(|t| ScalarType::from_name(t))
                .unwrap_or(ScalarType::Dynamic)
        })
        .collect();
    let header =
        schema.fields().iter().zip(&types).map(|(f, t)| format!("{}:{t}", f.name())).collect::<Vec<_>>().join(" | ");
    Ok((header, rows_of(&batches, &types)))
}

/// The optimized plan of a query over the NTA catalog, as `explain` prints
/// it: Ok(lines) or Err(all diagnostic codes and messages).
fn plan(query: &str) -> Result<Vec<String>, String> {
    let parsed = kql_syntax::parse(query);
    let mut bound = kql_plan::bind(&parsed.script, &Catalog::nta(), &Params::default());
    let errors: Vec<String> = parsed
        .errors
        .iter()
        .map(|e| format!("{} {e}", miette::Diagnostic::code(e).map(|c| c.to_string()).unwrap_or_default()))
        .chain(
            bound
                .diagnostics
                .iter()
                .filter(|d| !d.is_advice())
                .map(|d| format!("{} {d}", miette::Diagnostic::code(d).map(|c| c.to_string()).unwrap_or_default())),
        )
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    kql_plan::optimize::optimize(&mut bound.program);
    Ok(kql_plan::explain::explain(&bound.program).lines().map(|l| l.trim_end().to_string()).collect())
}

fn rows_of(batches: &[RecordBatch], types: &[ScalarType]) -> Vec<String> {
    let mut rows = Vec::new();
    for b in batches {
        for i in 0..b.num_rows() {
            let cells: Vec<String> = (0..b.num_columns()).map(|c| cell(&value_at(b.column(c), i, types[c]))).collect();
            rows.push(cells.join(" | "));
        }
    }
    rows
}

fn golden_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/queries");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "kqlt") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The expected blocks rewritten from the engine: `blocks[k]` replaces case
/// k's block (None keeps it: passing and `error` cases).
fn rewrite(text: &str, cases: &[Case], blocks: &[Option<Vec<String>>]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    for (case, block) in cases.iter().zip(blocks) {
        // Copy up to and including the case's `----` line.
        while i < lines.len() && !(i + 1 > case.line && lines[i].trim_end() == "----") {
            out.push(lines[i].to_string());
            i += 1;
        }
        out.push(lines[i].to_string());
        i += 1;
        let start = i;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        match block {
            Some(block) => out.extend(block.iter().cloned()),
            None => out.extend(lines[start..i].iter().map(|s| s.to_string())),
        }
    }
    out.extend(lines[i..].iter().map(|s| s.to_string()));
    out.join("\n") + "\n"
}

#[test]
fn golden_logic_tests() {
    let files = golden_files();
    assert!(!files.is_empty(), "no testdata/queries/**/*.kqlt files");
    let update = std::env::var_os("NTAQ_UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let cases = parse_cases(&text, path);
        let mut actual = Vec::new();
        for case in &cases {
            count += 1;
            let where_ = format!("{}:{}", path.display(), case.line);
            if let Expect::Plan(want) = &case.expect {
                match plan(&case.query) {
                    Ok(got) => {
                        if want == &got {
                            actual.push(None);
                        } else {
                            failures.push(format!(
                                "{where_}\n{}\nexpected plan:\n{}\nactual plan:\n{}",
                                case.query,
                                want.join("\n"),
                                got.join("\n")
                            ));
                            actual.push(Some(got));
                        }
                    }
                    Err(e) => {
                        failures.push(format!("{where_}\n{}\nfailed: {e}", case.query));
                        actual.push(None);
                    }
                }
                continue;
            }
            let result = execute(&case.query);
            let failed = failures.len();
            match (&case.expect, &result) {
                (Expect::Rows { rowsort, header, rows }, Ok((h, r))) => {
                    let (mut want, mut got) = (rows.clone(), r.clone());
                    if *rowsort {
                        want.sort();
                        got.sort();
                    }
                    if header != h || want != got {
                        failures.push(format!(
                            "{where_}\n{}\nexpected:\n{header}\n{}\nactual:\n{h}\n{}",
                            case.query,
                            want.join("\n"),
                            got.join("\n")
                        ));
                    }
                }
                (Expect::Rows { .. }, Err(e)) => failures.push(format!("{where_}\n{}\nfailed: {e}", case.query)),
                (Expect::Error(re), Err(e)) => {
                    if !re.is_match(e) {
                        failures.push(format!("{where_}\n{}\nerror does not match {re}: {e}", case.query));
                    }
                }
                (Expect::Error(re), Ok(_)) => {
                    failures.push(format!("{where_}\n{}\nexpected an error matching {re}", case.query))
                }
                (Expect::Plan(_), _) => unreachable!("plan cases are checked above"),
            }
            // Only a failing case's block is rewritten (a passing `rowsort`
            // block keeps its order).
            actual.push(match result {
                Ok((header, rows)) if failures.len() > failed && matches!(case.expect, Expect::Rows { .. }) => {
                    Some(std::iter::once(header).chain(rows).collect())
                }
                _ => None,
            });
        }
        if update {
            std::fs::write(path, rewrite(&text, &cases, &actual)).unwrap();
        }
    }
    assert!(failures.is_empty(), "{} of {count} golden cases failed:\n\n{}", failures.len(), failures.join("\n\n"));
}
