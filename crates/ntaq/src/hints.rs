//! Hints for results that would otherwise surprise: a query that reads a
//! column the data lacks (it reads as empty, so filters on it select
//! nothing), and an empty result whose time filter left out every row of
//! data that has rows (scenario 2's `ago(4h)` on data that ended months
//! ago: the `now()` in use is the thing to change).

use crate::diagnostic::Diag;
use crate::session::{Prepared, Session};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use kql_plan::Catalog;
use kql_plan::functions::ScalarFn;
use kql_plan::plan::{Expr, ExprKind, Node, Plan, Program};
use kql_syntax::ast::BinaryOp;
use miette::Diagnostic;
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// A column the query reads that the table's files do not have.
#[derive(Debug, Error, Diagnostic)]
#[error("the query reads column `{column}` of {table}, which the data lacks: it reads as empty")]
#[diagnostic(code(kql::io::absent_column), severity(Warning))]
pub struct AbsentColumn {
    pub table: String,
    pub column: String,
}

/// Published columns each table's files lack, by table.
pub type Missing = BTreeMap<String, BTreeSet<String>>;

/// One warning per (table, column) the program's scans read and the data
/// lacks. A hidden standard column (`_ItemId`, …) is in a scan that was not
/// pruned (as under `top-nested`) whether or not the query uses it, so there
/// it is warned about only where an expression names it; a pruned scan
/// reads only what the query uses.
pub fn absent_columns(program: &Program, missing: &Missing, catalog: &Catalog) -> Vec<Diag> {
    let mut named: BTreeSet<String> = BTreeSet::new();
    for_each_plan(program, &mut |p| {
        for e in p.exprs() {
            e.walk(&mut |e| {
                if let ExprKind::Column(c) = &e.kind {
                    named.insert(c.clone());
                }
            });
        }
    });
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    for_each_plan(program, &mut |p| {
        if let Node::Scan { table } = &p.node
            && let Some(absent) = missing.get(table)
        {
            let unpruned = catalog.get(table).is_some_and(|t| t.all_columns().count() <= p.schema.columns.len());
            for c in p.schema.columns.iter().filter(|c| absent.contains(&c.name)) {
                if !(c.hidden && unpruned) || named.contains(&c.name) {
                    found.insert((table.clone(), c.name.clone()));
                }
            }
        }
    });
    found.into_iter().map(|(table, column)| Diag::new(AbsentColumn { table, column })).collect()
}

/// Every plan node of `program`, sub-queries included.
fn for_each_plan(program: &Program, f: &mut dyn FnMut(&Plan)) {
    let mut stack: Vec<&Plan> = program.results.iter().chain(program.shared.iter().map(|s| &s.plan)).collect();
    while let Some(p) = stack.pop() {
        f(p);
        stack.extend(p.inputs());
        for e in p.exprs() {
            e.subqueries(&mut stack);
        }
    }
}

/// A time filter right over a table: the table, the datetime column it
/// tests, and whether it compares with `now()` / `ago()`.
struct TimeFilter {
    table: String,
    column: String,
    relative: bool,
}

fn time_filters(program: &Program) -> Vec<TimeFilter> {
    let mut out = Vec::new();
    for_each_plan(program, &mut |p| {
        let Node::Filter { input, predicate } = &p.node else { return };
        let Some(table) = scanned_table(input) else { return };
        let mut columns = Vec::new();
        tested_columns(predicate, &mut columns);
        for column in columns {
            if input.schema.get(&column).is_some() && !out.iter().any(|t: &TimeFilter| t.column == column) {
                out.push(TimeFilter { table: table.clone(), column, relative: calls_now(predicate) });
            }
        }
    });
    out
}

/// The table a chain of row-wise operators reads.
fn scanned_table(plan: &Plan) -> Option<String> {
    match &plan.node {
        Node::Scan { table } => Some(table.clone()),
        Node::Filter { input, .. } | Node::Project { input, .. } => scanned_table(input),
        _ => None,
    }
}

/// Datetime columns compared with something (`<`, `>`, `between`, …).
fn tested_columns(e: &Expr, out: &mut Vec<String>) {
    let datetime = |x: &Expr| match &x.kind {
        ExprKind::Column(c) if x.ty.scalar() == Some(kql_syntax::ScalarType::DateTime) => Some(c.clone()),
        _ => None,
    };
    match &e.kind {
        ExprKind::Between { expr, .. } => out.extend(datetime(expr)),
        ExprKind::Binary { op: BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge, left, right, .. } => {
            out.extend(datetime(left));
            out.extend(datetime(right));
        }
        _ => {}
    }
    for c in e.children() {
        tested_columns(c, out);
    }
}

fn calls_now(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { function, .. } if matches!(function.scalar(), Some(ScalarFn::Now | ScalarFn::Ago)))
        || e.children().into_iter().any(calls_now)
}

/// Why an empty result may be empty: the first time filter's column range
/// in the data, against the `now()` in use when the filter is relative to
/// it. `None` when the query has no time filter over a table with rows.
pub fn empty_result_hint(session: &Session, prepared: &Prepared, now: i64) -> Option<String> {
    let filter = time_filters(&prepared.program).into_iter().next()?;
    let (lo, hi, rows) = column_range(session, &filter.table, &filter.column)?;
    if rows == 0 {
        return None;
    }
    let (t, c) = (&filter.table, &filter.column);
    let now_text = kql_syntax::time::format_datetime(now);
    Some(if filter.relative && hi < now_text {
        format!(
            "no rows: {t}.{c} lies between {lo} and {hi}, but the query counts back from now() = {now_text}; \
             to query the data as of its end, give --now {hi} (.now {hi} in the shell)"
        )
    } else {
        format!("no rows: {t}.{c} lies between {lo} and {hi}; does the query's time filter cover it?")
    })
}

/// The first and last value of a datetime column as text, and the table's rows.
fn column_range(session: &Session, table: &str, column: &str) -> Option<(String, String, i64)> {
    let text = format!(
        "{table} | summarize lo = tostring(min({column})), hi = tostring(max({column})), rows = count() | where rows > 0"
    );
    let prepared = session.prepare(&text, &crate::params::ParamValues::default());
    if prepared.blocked() {
        return None;
    }
    let results = session.collect(&prepared, &crate::execute::Execution::at(0)).ok()?;
    for batch in results.first()?.batches.iter() {
        if batch.num_rows() == 0 {
            continue;
        }
        let lo = batch.column(0).as_string::<i32>().value(0).to_string();
        let hi = batch.column(1).as_string::<i32>().value(0).to_string();
        let rows = batch.column(2).as_primitive::<Int64Type>().value(0);
        return Some((lo, hi, rows));
    }
    Some((String::new(), String::new(), 0))
}
