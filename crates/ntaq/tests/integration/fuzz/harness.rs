//! What every fuzz case goes through: the path of `ntaq run`, through the
//! library calls the CLI makes (prepare, render the diagnostics, run each
//! result, write it as CSV), on the bundled sample with a small memory
//! budget and a row cap so that every case stays fast.

use kql_exec::{ExecError, Limits};
use kql_io::output::SharedBuffer;
use kql_io::{Destination, OutputFormat, OutputOptions};
use ntaq::diagnostic::Diag;
use ntaq::params::ParamValues;
use ntaq::session::Session;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

/// `now()` of every case: 2025-06-02T00:00:00Z, the end of the sample.
const NOW: i64 = 1_748_822_400_000_000_000;
/// The memory budget of a case: joins that would multiply the sample's rows
/// stop at the explosion guard instead of running for seconds.
pub const MAX_MEMORY: u64 = 16 << 20;
/// Rows read from each result, as `--max-rows` would cut it.
const MAX_ROWS: usize = 2_000;

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A diagnostic stopped it before it ran (syntax, semantic, unsupported).
    Blocked,
    /// It ran and its results were written.
    Ran,
    /// It ran and failed with a diagnostic of this code.
    Failed(String),
}

pub fn session() -> &'static Session {
    static SESSION: OnceLock<Session> = OnceLock::new();
    SESSION.get_or_init(|| {
        let (mut session, _) = Session::sample().expect("the bundled sample loads");
        session.limits = Limits { max_memory: MAX_MEMORY };
        session
    })
}

/// Checks that a diagnostic's span lies within `text`, on char boundaries,
/// and that it renders (human and JSON) without panicking.
fn check_diag(d: &Diag, text: &str) {
    if let Some((offset, len)) = d.primary_span() {
        let end = offset.saturating_add(len);
        assert!(end <= text.len(), "{d:?}: span {offset}+{len} outside the {} bytes of {text:?}", text.len());
        assert!(
            text.is_char_boundary(offset) && text.is_char_boundary(end),
            "{d:?}: span {offset}+{len} not on char boundaries of {text:?}"
        );
    }
    let rendered = d.render("fuzz.kql", text, false);
    assert!(rendered.contains(&d.code()), "{rendered}");
    let _ = d.to_json(text);
}

/// An executor error: a diagnostic with a valid span, and never one that
/// says ntaq has a bug.
fn exec_error(e: ExecError, prepared_map: &Arc<ntaq::params::SourceMap>, text: &str) -> Outcome {
    let d = Diag::new(e).mapped(prepared_map.clone());
    check_diag(&d, text);
    let code = d.code();
    assert_ne!(code, "kql::exec::internal", "an internal error for {text:?}: {}", d.message());
    // Arrow refusing what the executor asked of it is a bug in the executor
    // too, for the queries the fuzzer makes (their values are in range).
    assert_ne!(code, "kql::exec::arrow", "an Arrow error for {text:?}: {}", d.message());
    Outcome::Failed(code)
}

/// A CSV writer into a buffer, as `ntaq run --format csv` writes.
fn csv_sink(schema: &arrow_schema::SchemaRef) -> Result<(SharedBuffer, Box<dyn kql_io::Sink>), kql_io::OutputError> {
    let out = SharedBuffer::default();
    let sink =
        kql_io::sink(OutputFormat::Csv, schema.clone(), Destination::writer(out.clone()), &OutputOptions::default())?;
    Ok((out, sink))
}

/// The syntax tree as JSON with every span replaced by null.
fn without_spans(script: &kql_syntax::ast::Script) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map)
                if map.len() == 2 && map.contains_key("start") && map.contains_key("end") =>
            {
                *v = serde_json::Value::Null;
            }
            serde_json::Value::Object(map) => map.values_mut().for_each(strip),
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(script).expect("the syntax tree serializes");
    strip(&mut v);
    v
}

/// A text that parses cleanly prints canonically (`ntaq parse --format
/// kql`) as a text that parses to the same tree and prints the same.
fn check_round_trip(text: &str) {
    let first = kql_syntax::parse(text);
    if !first.errors.is_empty() {
        return;
    }
    let printed = first.script.to_string();
    let second = kql_syntax::parse(&printed);
    assert!(second.errors.is_empty(), "{text:?} prints as {printed:?}, which does not parse: {:?}", second.errors);
    assert_eq!(second.script.to_string(), printed, "printing {text:?} is not stable");
    // Comparing the trees (as JSON) is slow for the longest texts, whose
    // stable printing above is checked all the same.
    if text.len() <= 20_000 {
        assert_eq!(
            without_spans(&first.script),
            without_spans(&second.script),
            "{text:?} prints as {printed:?}, a different tree"
        );
    }
}

/// Runs `text` as `ntaq run` would; panics (failing the property) on a
/// broken invariant.
pub fn exercise(text: &str) -> Outcome {
    check_round_trip(text);
    let session = session();
    let prepared = session.prepare(text, &ParamValues::default());
    for d in &prepared.diagnostics {
        check_diag(d, text);
    }
    if prepared.blocked() {
        return Outcome::Blocked;
    }
    let ex = session.executor(&prepared, NOW, Arc::new(AtomicBool::new(false)));
    for k in 0..prepared.program.results.len() {
        let rs = match ex.result(k) {
            Ok(rs) => rs,
            Err(e) => return exec_error(e, &prepared.map, text),
        };
        let (_, mut sink) = csv_sink(&rs.schema).unwrap_or_else(|e| panic!("no CSV writer for {text:?}: {e}"));
        let mut rows = 0;
        for batch in rs.batches {
            let batch = match batch {
                Ok(b) => b,
                Err(e) => return exec_error(e, &prepared.map, text),
            };
            assert_eq!(batch.schema(), rs.schema, "a batch of {text:?} does not match its result's schema");
            sink.write(&batch).unwrap_or_else(|e| panic!("writing a result of {text:?}: {e}"));
            rows += batch.num_rows();
            if rows >= MAX_ROWS {
                break;
            }
        }
        sink.finish().unwrap_or_else(|e| panic!("finishing a result of {text:?}: {e}"));
    }
    Outcome::Ran
}

/// Words of queries whose rows may rightly depend on row order: which rows
/// `take`/`top` keep, which row `arg_max` or `take_any` picks among ties,
/// the order of `make_list`, the first row `toscalar` reads. Plan rewrites
/// may change the order of a join's output (Kusto does not define it).
const ORDER_SENSITIVE: &[&str] = &[
    "take",
    "limit",
    "top",
    "arg_max",
    "arg_min",
    "any",
    "make_list",
    "make_set",
    "toscalar",
    "row_number",
    "sample",
    "prev",
    "next",
    "row_cumsum",
    "row_rank",
];

/// Every result of `program` as CSV lines, sorted (row order is not
/// compared); `None` if it fails or a result has more than `MAX_ROWS` rows.
fn sorted_results(program: &kql_plan::Program) -> Option<Vec<Vec<String>>> {
    let session = session();
    let ex = kql_exec::Executor::new(program, session.tables(), NOW, Arc::new(AtomicBool::new(false)))
        .with_limits(session.limits);
    let mut all = Vec::new();
    for k in 0..program.results.len() {
        let rs = ex.result(k).ok()?;
        let (out, mut sink) = csv_sink(&rs.schema).ok()?;
        let mut rows = 0;
        for batch in rs.batches {
            let batch = batch.ok()?;
            rows += batch.num_rows();
            if rows > MAX_ROWS {
                return None;
            }
            sink.write(&batch).ok()?;
        }
        sink.finish().ok()?;
        let mut lines: Vec<String> = out.contents().lines().map(str::to_string).collect();
        lines.sort();
        all.push(lines);
    }
    Some(all)
}

/// Checks that the plan rewrites (filter pushdown, simplification, eager
/// aggregation, column pruning, and the executor's dynamic join filters)
/// change no result: the optimized program gives the same rows as the
/// program as bound, as multisets, whenever both run within the limits.
pub fn check_rewrites(text: &str) {
    let lowered = text.to_lowercase();
    if ORDER_SENSITIVE.iter().any(|w| lowered.contains(w)) {
        return;
    }
    let session = session();
    let prepared = session.prepare(text, &ParamValues::default());
    if prepared.blocked() {
        return;
    }
    let bound = session.check(&prepared.text);
    if bound.has_errors() {
        return;
    }
    let (Some(optimized), Some(as_bound)) = (sorted_results(&prepared.program), sorted_results(&bound.program)) else {
        return;
    };
    assert!(optimized == as_bound, "the optimized plan of {text:?} gives other rows than the plan as bound");
}
