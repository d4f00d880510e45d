//! Running queries end to end in tests: parse, bind, prune, execute, and
//! render every value as Kusto text.
#![allow(dead_code)]

use arrow_array::RecordBatch;
use kql_exec::physical::value_at;
use kql_exec::{Executor, MemTables, TableProvider};
use kql_plan::{Catalog, Params};
use kql_syntax::ScalarType;
use kql_types::Value;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// 2025-06-01T12:00:00Z, the fixed `now()` of the tests.
pub const NOW: i64 = 1_748_779_200_000_000_000;

/// A result as a header row of `name:type` and rows of values as text.
#[derive(Debug, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Rows sorted, for results whose order Kusto does not define.
    pub fn sorted(mut self) -> Self {
        self.rows.sort();
        self
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::DateTime(Some(t)) => kql_syntax::time::format_datetime(*t),
        Value::String(s) => s.clone(),
        v if v.is_null() => "null".into(),
        v => v.to_string(),
    }
}

pub fn table_of(schema_types: &[ScalarType], names: &[String], batches: &[RecordBatch]) -> Table {
    let header = names.iter().zip(schema_types).map(|(n, t)| format!("{n}:{t}")).collect();
    let mut rows = Vec::new();
    for b in batches {
        for i in 0..b.num_rows() {
            rows.push((0..b.num_columns()).map(|c| text(&value_at(b.column(c), i, schema_types[c]))).collect());
        }
    }
    Table { header, rows }
}

/// Runs `query` over `tables` with `catalog`; returns the last result.
pub fn run_with(query: &str, catalog: &Catalog, tables: &dyn TableProvider, params: &Params) -> Result<Table, String> {
    run_planned(query, catalog, tables, params, true)
}

/// [`run_with`], with the plan rewrites of `kql_plan::optimize` or without
/// them (the plan as bound), to check that a rewrite changes nothing.
pub fn run_planned(
    query: &str,
    catalog: &Catalog,
    tables: &dyn TableProvider,
    params: &Params,
    optimize: bool,
) -> Result<Table, String> {
    run_limited(query, catalog, tables, params, optimize, None).map(|(t, _)| t)
}

/// [`run_planned`] within a memory budget (`None`: the default); also
/// returns the rows the query spilled to disk.
pub fn run_limited(
    query: &str,
    catalog: &Catalog,
    tables: &dyn TableProvider,
    params: &Params,
    optimize: bool,
    max_memory: Option<u64>,
) -> Result<(Table, u64), String> {
    let parsed = kql_syntax::parse(query);
    if !parsed.errors.is_empty() {
        return Err(format!("syntax: {:?}", parsed.errors));
    }
    let mut bound = kql_plan::bind(&parsed.script, catalog, params);
    if bound.has_errors() {
        return Err(format!("semantic: {:?}", bound.diagnostics));
    }
    if optimize {
        kql_plan::optimize::optimize(&mut bound.program);
    }
    let mut ex = Executor::new(&bound.program, tables, NOW, Arc::new(AtomicBool::new(false)));
    if let Some(max_memory) = max_memory {
        ex = ex.with_limits(kql_exec::Limits { max_memory });
    }
    let results = kql_exec::run_program(&ex).map_err(|e| format!("exec: {e}"))?;
    let spilled = ex.spilled_rows();
    let (schema, batches) = results.into_iter().last().ok_or("no result")?;
    let types: Vec<ScalarType> = schema
        .fields()
        .iter()
        .map(|f| {
            f.metadata().get(kql_exec::KUSTO_TYPE_KEY).and_then(|t| ScalarType::from_name(t)).expect("typed field")
        })
        .collect();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    Ok((table_of(&types, &names, &batches), spilled))
}

/// Runs a query that needs no tables (datatable, print).
pub fn run(query: &str) -> Table {
    run_with(query, &Catalog::new(), &MemTables::new(), &Params::default()).unwrap_or_else(|e| panic!("{query}\n{e}"))
}

/// Builds the expected table from `name:type` headers and rows of text.
pub fn expect(header: &[&str], rows: &[&[&str]]) -> Table {
    Table {
        header: header.iter().map(|s| s.to_string()).collect(),
        rows: rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect(),
    }
}

/// A small deterministic generator for random test tables (the tests must
/// not depend on a seed file): `next(n)` is in `0..n`.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}
