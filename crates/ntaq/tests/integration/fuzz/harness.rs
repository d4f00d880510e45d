//! What every fuzz case goes through: the path of `ntaq run`, through the
//! library calls the CLI makes (prepare, render the diagnostics, run each
//! result through `Session::execute` — the one execution path of `run` and
//! the shell — into a CSV writer), on the bundled sample with a small
//! memory budget and a row cap so that every case stays fast.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use kql_exec::{ExecError, Limits};
use kql_io::output::SharedBuffer;
use kql_io::{Destination, OutputFormat, OutputOptions};
use ntaq::diagnostic::Diag;
use ntaq::execute::{Execution, ResultSink};
use ntaq::params::ParamValues;
use ntaq::session::{Prepared, Session};
use std::sync::{Arc, OnceLock};

/// `now()` of every case: 2025-06-02T00:00:00Z, the end of the sample.
const NOW: i64 = 1_748_822_400_000_000_000;
/// The memory budget of a case: joins that would multiply the sample's rows
/// stop at the explosion guard instead of running for seconds.
pub const MAX_MEMORY: u64 = 16 << 20;
/// Rows read from each result, as `--max-rows` would cut it.
const MAX_ROWS: u64 = 2_000;

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

/// Each result written as `ntaq run --format csv` writes it, into a
/// buffer; a writer that fails, or a batch that does not match its
/// result's schema, fails the case.
struct CsvResults<'a> {
    /// The query, for messages.
    text: &'a str,
    /// The current result's schema and writer.
    current: Option<(SchemaRef, SharedBuffer, Box<dyn kql_io::Sink>)>,
    /// Each finished result's CSV lines, and whether it was cut at `MAX_ROWS`.
    results: Vec<(Vec<String>, bool)>,
}

impl<'a> CsvResults<'a> {
    fn new(text: &'a str) -> Self {
        CsvResults { text, current: None, results: Vec::new() }
    }
}

impl ResultSink for CsvResults<'_> {
    type Error = ExecError;

    fn open(&mut self, schema: &SchemaRef) -> Result<(), ExecError> {
        let out = SharedBuffer::default();
        let sink = kql_io::sink(
            OutputFormat::Csv,
            schema.clone(),
            Destination::writer(out.clone()),
            &OutputOptions::default(),
        )
        .unwrap_or_else(|e| panic!("no CSV writer for {:?}: {e}", self.text));
        self.current = Some((schema.clone(), out, sink));
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), ExecError> {
        let text = self.text;
        let (schema, _, sink) = self.current.as_mut().expect("open before write");
        assert_eq!(&batch.schema(), schema, "a batch of {text:?} does not match its result's schema");
        sink.write(batch).unwrap_or_else(|e| panic!("writing a result of {text:?}: {e}"));
        Ok(())
    }

    fn end(&mut self, cut_at: Option<u64>) -> Result<(), ExecError> {
        let text = self.text;
        let (_, out, sink) = self.current.take().expect("open before end");
        sink.finish().unwrap_or_else(|e| panic!("finishing a result of {text:?}: {e}"));
        self.results.push((out.contents().lines().map(str::to_string).collect(), cut_at.is_some()));
        Ok(())
    }
}

/// How a case runs: `now()` fixed, never cancelled, each result cut at `MAX_ROWS`.
fn execution() -> Execution {
    Execution { max_rows: Some(MAX_ROWS), ..Execution::at(NOW) }
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
    match session.execute(&prepared, &execution(), &mut CsvResults::new(text)) {
        Ok(()) => {}
        Err(e) => return exec_error(e, &prepared.map, text),
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
    "row_window_session",
];

/// Every result of `prepared` as CSV lines, sorted (row order is not
/// compared); `None` if it fails or a result has more than `MAX_ROWS` rows.
fn sorted_results(prepared: &Prepared) -> Option<Vec<Vec<String>>> {
    let mut sink = CsvResults::new(&prepared.original);
    session().execute(prepared, &execution(), &mut sink).ok()?;
    let mut all = Vec::new();
    for (mut lines, cut) in sink.results {
        if cut {
            return None;
        }
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
    // The same query with the plan as bound in place of the optimized one.
    let unoptimized = Prepared {
        original: prepared.original.clone(),
        text: prepared.text.clone(),
        map: prepared.map.clone(),
        script: prepared.script.clone(),
        diagnostics: Vec::new(),
        program: bound.program,
    };
    let (Some(optimized), Some(as_bound)) = (sorted_results(&prepared), sorted_results(&unoptimized)) else {
        return;
    };
    assert!(optimized == as_bound, "the optimized plan of {text:?} gives other rows than the plan as bound");
}
