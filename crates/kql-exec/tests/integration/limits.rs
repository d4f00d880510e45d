//! The memory budget and the explosion guard: runaway queries stop with an
//! error naming the operator, well before they exhaust memory; output that
//! streams (a join's) counts only while it is in flight.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use kql_exec::error::ExecError;
use kql_exec::{Executor, Limits, MemTables, TableProvider};
use kql_plan::{Catalog, Params, TableDef, TableOrigin};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Table `T(k:string, v:long)` with `rows` rows, all with key `k` = "same"
/// and v = 0, 1, 2, …
fn table(rows: usize) -> (Catalog, MemTables) {
    let schema =
        Arc::new(Schema::new(vec![Field::new("k", DataType::Utf8, true), Field::new("v", DataType::Int64, true)]));
    let k: ArrayRef = Arc::new(StringArray::from(vec!["same"; rows]));
    let v: ArrayRef = Arc::new(Int64Array::from_iter_values(0..rows as i64));
    let batch = RecordBatch::try_new(schema.clone(), vec![k, v]).unwrap();
    let mut tables = MemTables::new();
    tables.insert("T", vec![batch]);
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &schema, TableOrigin::Files(vec!["memory".into()])).0);
    (catalog, tables)
}

/// Runs `query`; the rows of its result, or the error.
fn run(query: &str, catalog: &Catalog, tables: &dyn TableProvider, limits: Limits) -> Result<usize, ExecError> {
    let parsed = kql_syntax::parse(query);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let mut bound = kql_plan::bind(&parsed.script, catalog, &Params::default());
    assert!(!bound.has_errors(), "{:?}", bound.diagnostics);
    kql_plan::optimize::optimize(&mut bound.program);
    let ex = Executor::new(&bound.program, tables, 0, Arc::new(AtomicBool::new(false))).with_limits(limits);
    let results = kql_exec::run_program(&ex)?;
    Ok(results.last().map_or(0, |(_, batches)| batches.iter().map(RecordBatch::num_rows).sum()))
}

fn budget(bytes: u64) -> Limits {
    Limits { max_memory: bytes }
}

/// Runs `query`, whose result is one long; that value, or the error.
fn long(query: &str, catalog: &Catalog, tables: &dyn TableProvider, limits: Limits) -> Result<i64, ExecError> {
    let parsed = kql_syntax::parse(query);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let mut bound = kql_plan::bind(&parsed.script, catalog, &Params::default());
    assert!(!bound.has_errors(), "{:?}", bound.diagnostics);
    kql_plan::optimize::optimize(&mut bound.program);
    let ex = Executor::new(&bound.program, tables, 0, Arc::new(AtomicBool::new(false))).with_limits(limits);
    let results = kql_exec::run_program(&ex)?;
    let (_, batches) = results.last().expect("a result");
    let values: Vec<i64> = batches
        .iter()
        .flat_map(|b| b.column(0).as_primitive::<Int64Type>().iter().flatten().collect::<Vec<_>>())
        .collect();
    assert_eq!(values.len(), 1, "{query}: one value expected");
    Ok(values[0])
}

#[test]
fn a_many_to_many_join_streams_into_its_consumer_within_a_small_budget() {
    // Every row of T has key "same": T ⋈ T is 1000 × 1000 = 1,000,000 rows,
    // at least 16 MB of output (two strings and two longs per row) against
    // a budget of 1 MiB. Streamed into an operator that keeps little, only
    // the output batches in flight count, so each query completes.
    let (catalog, tables) = table(1000);
    let small = budget(1 << 20);
    let cases: [(&str, i64); 7] = [
        ("T | join kind=inner (T) on k | count", 1_000_000),
        // The key repeated 1000 times on one side and 300 on the other.
        ("T | join kind=inner (T | where v < 300) on k | count", 300_000),
        ("T | where v < 300 | join kind=inner (T) on k | count", 300_000),
        ("T | lookup (T | project k, w = v) on k | count", 1_000_000),
        // Σ over all pairs of (v + v1) = 2 · 1000 · (0 + 1 + … + 999).
        ("T | join kind=inner (T) on k | summarize s = sum(v + v1)", 2 * 1000 * 499_500),
        // Per left row v: 1000 partners summing to 499,500; 1000 groups.
        (
            "T | join kind=inner (T) on k | summarize n = count(), s = sum(v1) by v | where n == 1000 and s == 499500 | count",
            1000,
        ),
        // v + v1 takes every value of 0 ..= 1998 (not a plain column
        // projection, so the distinct is not moved into the join).
        ("T | join kind=inner (T) on k | extend w = v + v1 | distinct w | count", 1999),
    ];
    for (query, expected) in cases {
        assert_eq!(long(query, &catalog, &tables, small).unwrap(), expected, "{query}");
    }
}

#[test]
fn a_join_whose_output_must_be_held_stops_at_the_budget() {
    // The same 1,000,000 rows, now kept whole: by a `let` used twice, or
    // in one group's list. The operator that holds them (or the join,
    // whose next batches no longer fit beside them) stops with the memory
    // error. (A sort of them spills instead: it runs.)
    let (catalog, tables) = table(1000);
    let small = budget(1 << 20);
    assert_eq!(run("T | join kind=inner (T) on k | sort by v1 desc", &catalog, &tables, small).unwrap(), 1_000_000);
    // (A `count` over the `let` would read no column of it: zero-column
    // batches hold nothing.)
    let q = "let J = T | join kind=inner (T) on k; J | union J | summarize max(v1)";
    let err = run(q, &catalog, &tables, small).unwrap_err();
    assert!(matches!(err, ExecError::MemoryLimit { operator: "let" | "join", .. }), "{err}");
    assert!(err.to_string().contains("1 MiB"), "{err}");
    // One group collecting every row of the output.
    let q = "T | join kind=inner (T) on k | summarize make_list(v1)";
    let err = run(q, &catalog, &tables, small).unwrap_err();
    assert!(matches!(err, ExecError::MemoryLimit { operator: "summarize", .. }), "{err}");
}

#[test]
fn a_join_feeding_distinct_holds_only_the_distinct_rows() {
    // The same 10^12 pairs, but only their distinct values are wanted: one
    // k, and the 10^6 values of v (each v meets the one key).
    let (catalog, tables) = table(1_000_000);
    let q = "T | join kind=inner (T) on k | project k | distinct k";
    assert_eq!(run(q, &catalog, &tables, budget(1 << 30)).unwrap(), 1);
    let q = "T | join kind=inner (T) on k | project v | distinct v";
    assert_eq!(run(q, &catalog, &tables, budget(1 << 30)).unwrap(), 1_000_000);
    // 2000 × 2000 = 4,000,000 distinct pairs of (v, v1): what is held
    // (the pairs output, one bit each) fits in 4 MiB; the join's output
    // (4 million rows of two longs) would not.
    let q = "T | where v < 2000 | join kind=inner (T | where v < 2000) on k | project v, v1 | distinct v, v1";
    assert_eq!(run(q, &catalog, &tables, budget(4 << 20)).unwrap(), 4_000_000);
}

#[test]
fn a_join_within_the_budget_runs() {
    // 1000 × 1000 rows = 10^6 rows of about 40 bytes: well inside 1 GiB.
    let (catalog, tables) = table(1000);
    assert_eq!(run("T | join kind=inner (T) on k", &catalog, &tables, budget(1 << 30)).unwrap(), 1_000_000);
    // In a budget of 1 MiB too: the result streams to its reader, a batch
    // at a time; the executor holds only the build side and the batches
    // in flight.
    assert_eq!(run("T | join kind=inner (T) on k", &catalog, &tables, budget(1 << 20)).unwrap(), 1_000_000);
}

#[test]
fn operators_that_keep_rows_count_them() {
    // (`summarize`, `distinct`, `sort` and `top` spill instead:
    // tests/integration/spill.rs.)
    let (catalog, tables) = table(100_000);
    let small = budget(256 << 10);
    let big = budget(1 << 30);
    for (query, operator, rows) in [
        ("let S = T | where v >= 0; S | union S | count", "let", 1),
        // One group's list: not split across files.
        ("T | summarize l = make_list(v) | project n = array_length(l)", "summarize", 1),
    ] {
        match run(query, &catalog, &tables, small) {
            Err(ExecError::MemoryLimit { operator: o, .. }) => assert_eq!(o, operator, "{query}"),
            other => panic!("{query}: expected a memory error, got {other:?}"),
        }
        assert_eq!(run(query, &catalog, &tables, big).unwrap(), rows, "{query}");
    }
}

#[test]
fn the_default_budget_is_a_sane_size() {
    let m = Limits::default().max_memory;
    assert!((256 << 20..=1 << 45).contains(&m), "{m}");
}

#[test]
fn an_mv_expand_that_would_explode_stops_before_making_its_rows() {
    // One row holding a list of 10^6 values, expanded while the list is
    // kept beside each element: 10^6 rows of about 8 MB each.
    let (catalog, tables) = table(1_000_000);
    let query = "T | summarize l = make_list(v) | mv-expand e = l | where array_length(l) > 0 | count";
    let err = run(query, &catalog, &tables, budget(1 << 30)).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ExecError::MemoryLimit { operator: "mv-expand", .. }), "{text}");
    assert!(text.contains("1,000,000 rows") && text.contains("1 GiB"), "{text}");
    // Expanding the list itself (nothing large repeated) is 10^6 small rows: it runs.
    let query = "T | summarize l = make_list(v) | mv-expand l | count";
    assert_eq!(run(query, &catalog, &tables, budget(1 << 30)).unwrap(), 1);
    let query = "T | summarize l = make_list(v) | mv-expand l | summarize sum(tolong(l))";
    assert_eq!(run(query, &catalog, &tables, budget(1 << 30)).unwrap(), 1);
}

#[test]
fn mv_expand_in_a_small_budget_names_the_operator() {
    // 1000 rows each expanding a 1000-element list: 10^6 rows that carry
    // their row's list (about 8 KB): 8 GB, refused in 64 MiB.
    let (catalog, tables) = table(1000);
    let query = "let L = toscalar(T | summarize make_list(v)); T | extend l = L | mv-expand e = l | summarize max(array_length(l))";
    match run(query, &catalog, &tables, budget(64 << 20)) {
        Err(ExecError::MemoryLimit { operator: "mv-expand", limit, .. }) => assert_eq!(limit, "64 MiB"),
        other => panic!("expected mv-expand's memory error, got {other:?}"),
    }
    // Without the repeated list it is 10^6 rows of two longs: it runs.
    let query = "let L = toscalar(T | summarize make_list(v)); T | extend l = L | mv-expand l | count";
    assert_eq!(run(query, &catalog, &tables, budget(64 << 20)).unwrap(), 1);
}

#[test]
fn a_let_used_once_is_streamed_not_kept() {
    // 100,000 rows do not fit in 256 KiB: a let used twice is kept (and
    // stops), one used once streams through.
    let (catalog, tables) = table(100_000);
    let small = budget(256 << 10);
    assert_eq!(run("let S = T | where v >= 0; S | count", &catalog, &tables, small).unwrap(), 1);
    let err = run("let S = T | where v >= 0; S | union S | count", &catalog, &tables, small).unwrap_err();
    assert!(matches!(err, ExecError::MemoryLimit { operator: "let", .. }), "{err}");
    // Used once inside another let that is used twice: still run once.
    let q = "let S = T | where v >= 0; let U = S | summarize c = count(); U | union U";
    assert_eq!(run(q, &catalog, &tables, small).unwrap(), 2);
}
