//! The reference tables of docs/language.md ("Reference: operators" and
//! "Reference: functions") are run and compared with their documented
//! results, and they must name every supported operator and every catalog
//! function.
//!
//! A reference table is a markdown table whose header is
//! `| WHAT | example | result |` or `| WHAT | query | result |`, WHAT being
//! `function`, `aggregate`, `operator` (tabular) or `expression` (an
//! expression operator such as `has`). In each row the first cell's first
//! `` `name` `` is what the row documents; the example and the result are
//! code spans, with `\|` standing for `|` (markdown's escape in tables).
//!
//! - `example` rows: the example is an expression, run as
//!   `print r = <example>`; the result is that one cell.
//! - `query` rows: the example is a query; the result is its header
//!   (`Name:type`, separated by ` | `) then one line per row (cells
//!   separated by ` | `), the lines separated by `<br>`.
//!
//! A cell is written as ntaq's CSV output (and `tostring()`) writes it
//! (datetimes `2017-10-01T12:10:00Z`, `2017-01-01T23:59:59.9999999Z`,
//! timespans `1.12:30:55.1230000`, reals in shortest form), except that
//! null is `null`, the empty string `""`, and dynamic values are compact
//! JSON.
//! `now()` is 2025-06-01T12:00:00Z.

use crate::common::repo;
use kql_exec::physical::value_at;
use kql_plan::functions::FunctionKind;
use kql_syntax::ScalarType;
use kql_types::Value;
use ntaq::params::ParamValues;
use ntaq::session::Session;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// 2025-06-01T12:00:00Z in nanoseconds.
const NOW: i64 = 1_748_779_200_000_000_000;

/// The tabular sources, documented beside the operators.
const SOURCES: &[&str] = &["print", "datatable", "range"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function,
    Aggregate,
    Operator,
    Expression,
}

#[derive(Debug)]
struct Row {
    kind: Kind,
    /// A whole query (else an expression for `print r = …`).
    query: bool,
    line: usize,
    name: String,
    example: String,
    result: Vec<String>,
}

/// The cells of a table line, split at unescaped `|`, `\|` read as `|`.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The text of a cell that is one code span (`` `…` `` or ``` `` … `` ```).
fn code(cell: &str, line: usize) -> String {
    let ticks = cell.chars().take_while(|&c| c == '`').count();
    assert!(ticks > 0, "docs/language.md:{line}: `{cell}` is not a code span");
    let fence = "`".repeat(ticks);
    let inner = cell
        .strip_prefix(&fence)
        .and_then(|c| c.strip_suffix(&fence))
        .unwrap_or_else(|| panic!("docs/language.md:{line}: `{cell}` is not one code span"));
    if ticks > 1 { inner.trim().to_string() } else { inner.to_string() }
}

fn reference_rows(md: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut kind = None;
    let mut query = false;
    for (i, line) in md.lines().enumerate() {
        let line_no = i + 1;
        if !line.starts_with('|') {
            kind = None;
            continue;
        }
        let cells = cells(line);
        if cells.len() == 3 && matches!(cells[1].as_str(), "example" | "query") && cells[2] == "result" {
            query = cells[1] == "query";
            kind = match cells[0].as_str() {
                "function" => Some(Kind::Function),
                "aggregate" => Some(Kind::Aggregate),
                "operator" => Some(Kind::Operator),
                "expression" => Some(Kind::Expression),
                _ => None,
            };
            continue;
        }
        let Some(kind) = kind else { continue };
        if cells.iter().all(|c| c.chars().all(|c| matches!(c, '-' | ':'))) {
            continue;
        }
        assert_eq!(cells.len(), 3, "docs/language.md:{line_no}: a reference row has three cells");
        let name = cells[0].split('`').nth(1).unwrap_or_else(|| panic!("docs/language.md:{line_no}: no `name`"));
        let result = code(&cells[2], line_no);
        let result = if query { result.split("<br>").map(|l| l.trim().to_string()).collect() } else { vec![result] };
        rows.push(Row {
            kind,
            query,
            line: line_no,
            name: name.to_string(),
            example: code(&cells[1], line_no),
            result,
        });
    }
    rows
}

/// A value as ntaq's CSV output writes it (Kusto's text forms), with
/// `null` for null, `""` for the empty string and dynamic values as
/// compact JSON.
fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".into(),
        v if v.is_null() => "null".into(),
        Value::Dynamic(_) => compact_json(&v.to_string()),
        Value::DateTime(Some(t)) => kql_types::text::datetime_text(*t),
        v => v.to_string(),
    }
}

/// JSON text without the white space between its tokens.
fn compact_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c.is_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}

/// The header and rows of the query's last result, or its diagnostics.
fn run(session: &Session, query: &str) -> Result<Vec<String>, String> {
    let prepared = session.prepare(query, &ParamValues::default());
    if prepared.blocked() {
        return Err(prepared
            .diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code(), d.message()))
            .collect::<Vec<_>>()
            .join("; "));
    }
    let ex = session.executor(&prepared, NOW, Arc::new(AtomicBool::new(false)));
    let results = kql_exec::run_program(&ex).map_err(|e| e.to_string())?;
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
    let mut lines = vec![
        schema.fields().iter().zip(&types).map(|(f, t)| format!("{}:{t}", f.name())).collect::<Vec<_>>().join(" | "),
    ];
    for b in &batches {
        for i in 0..b.num_rows() {
            let row: Vec<String> =
                (0..b.num_columns()).map(|c| cell_text(&value_at(b.column(c), i, types[c]))).collect();
            lines.push(row.join(" | "));
        }
    }
    Ok(lines)
}

fn rows() -> Vec<Row> {
    let md = std::fs::read_to_string(repo().join("docs/language.md")).unwrap();
    reference_rows(&md)
}

#[test]
fn reference_examples_give_their_documented_results() {
    let session = Session::builtin();
    let rows = rows();
    assert!(rows.len() >= 200, "expected the reference tables, found {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let (query, got) = if row.query {
            (row.example.clone(), run(&session, &row.example))
        } else {
            let query = format!("print r = {}", row.example);
            let got = run(&session, &query).map(|lines| match lines.as_slice() {
                [_, cell] => vec![cell.clone()],
                other => other.to_vec(),
            });
            (query, got)
        };
        match got {
            Ok(got) if got == row.result => {}
            Ok(got) => failures.push(format!(
                "docs/language.md:{} `{}`\n  {query}\n  expected: {}\n  got:      {}",
                row.line,
                row.name,
                row.result.join("<br>"),
                got.join("<br>")
            )),
            Err(e) => failures.push(format!("docs/language.md:{} `{}`\n  {query}\n  failed: {e}", row.line, row.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} reference rows differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// Every catalog function (in a table of its kind) and every supported
/// operator and source has a row; every row names one of them.
#[test]
fn reference_covers_every_function_and_operator() {
    let rows = rows();
    let named = |kind: Kind| -> Vec<&str> { rows.iter().filter(|r| r.kind == kind).map(|r| r.name.as_str()).collect() };
    let (functions, aggregates, operators) = (named(Kind::Function), named(Kind::Aggregate), named(Kind::Operator));
    let mut missing = Vec::new();
    for f in kql_plan::functions::all() {
        let listed = match f.kind {
            FunctionKind::Scalar => &functions,
            FunctionKind::Aggregate => &aggregates,
        };
        if !listed.contains(&f.name) {
            missing.push(format!("{:?} function `{}`", f.kind, f.name));
        }
    }
    for op in kql_syntax::keywords::SUPPORTED_OPERATORS.iter().chain(SOURCES) {
        if !operators.contains(op) {
            missing.push(format!("operator `{op}`"));
        }
    }
    assert!(missing.is_empty(), "docs/language.md's reference has no row for:\n{}", missing.join("\n"));
    for r in &rows {
        let known = match r.kind {
            Kind::Function | Kind::Aggregate => kql_plan::functions::lookup(&r.name).is_some(),
            Kind::Operator => {
                kql_syntax::keywords::SUPPORTED_OPERATORS.contains(&r.name.as_str())
                    || SOURCES.contains(&r.name.as_str())
            }
            Kind::Expression => true,
        };
        assert!(known, "docs/language.md:{}: `{}` is not a supported {:?}", r.line, r.name, r.kind);
    }
}
