//! Eager aggregation: a `summarize` whose keys are computed from a few raw
//! string columns first groups by those columns, then computes its keys once
//! per group and groups again.
//!
//! Scenario 4 builds two ~150-byte `/subscriptions/…/virtualNetworks/…`
//! paths with `strcat` for each of millions of flows, then sums by them;
//! the seven raw columns they come from hold about a thousand distinct
//! tuples. So
//!
//! ```text
//! T | extend k = f(a, b) | summarize s = sum(x) by k, c
//! ```
//!
//! becomes
//!
//! ```text
//! T | summarize p = sum(x) by a, b, c | summarize s = sum(p) by k = f(a, b), c
//! ```
//!
//! The result is the same table in the same order. Each key is a
//! deterministic function of the raw columns, so every first-phase group
//! lies inside one final group; the final group's first row starts the
//! first-phase group that comes first, so groups keep the order of their
//! first row. Only aggregations that combine exactly are split: `count`
//! and `countif` (summed), `sum`/`sumif` of int, long or timespan (wrapping
//! integer sums in any order give the same total; real sums would round
//! differently) and `min`/`max` and their `if` forms. `sum` of partial
//! sums is null exactly when every row was null, like the sum of the rows.
//!
//! It pays when the raw columns repeat far more than the rows: strings and
//! bools. A key computed from a datetime or a number (`bin(FlowStartTime,
//! 1h)`) would make about one first-phase group per row, so such a
//! `summarize` is left alone, as is one whose keys are all plain columns
//! (nothing to compute once per group).

use crate::functions::{self, AggregateFn};
use crate::optimize::{deterministic, referenced_columns};
use crate::plan::{Aggregate, Expr, ExprKind, Node, Plan, Program};
use crate::pushdown::substitute;
use crate::schema::{Column, Schema};
use crate::types::Type;
use kql_syntax::ScalarType;
use std::collections::{BTreeSet, HashMap};

/// Largest key or argument expression (in nodes) after the definitions of
/// the projects below it are put in: nested `extend`s could otherwise
/// multiply its size.
const MAX_EXPR_NODES: usize = 256;

/// Splits every `summarize` of `program` that qualifies (see the module).
pub fn pre_aggregate(program: &mut Program) {
    program.plans_mut().for_each(rewrite);
}

fn rewrite(plan: &mut Plan) {
    for input in plan.inputs_mut() {
        rewrite(input);
    }
    let Node::Summarize { input, keys, aggregates } = &plan.node else { return };
    if let Some(node) = split(input, keys, aggregates, &plan.schema) {
        plan.node = node;
    }
}

/// How a partial result of an aggregation is combined.
fn combiner(agg: &Aggregate) -> Option<AggregateFn> {
    let integer = agg
        .args
        .first()
        .and_then(|a| a.ty.scalar())
        .is_some_and(|t| matches!(t, ScalarType::Int | ScalarType::Long | ScalarType::Timespan));
    agg.function.aggregate()?.combiner(integer)
}

/// The two-phase form of `summarize aggregates by keys` over `input`, if
/// it qualifies; `output` is the schema of the `summarize`.
fn split(input: &Plan, keys: &[(String, Expr)], aggregates: &[Aggregate], output: &Schema) -> Option<Node> {
    if keys.is_empty() || aggregates.iter().any(|a| a.outputs.len() != 1 || combiner(a).is_none()) {
        return None;
    }
    // Put in the definitions of the projects (extends) below, down to the
    // first other node: keys and arguments then read its columns.
    let mut keys: Vec<(String, Expr)> = keys.to_vec();
    let mut args: Vec<Vec<Expr>> = aggregates.iter().map(|a| a.args.clone()).collect();
    let mut below = input;
    while let Node::Project { input, columns } = &below.node {
        let defs: HashMap<&str, &Expr> = columns.iter().map(|(n, e)| (n.as_str(), e)).collect();
        for e in keys.iter_mut().map(|(_, e)| e).chain(args.iter_mut().flatten()) {
            *e = substitute(e, &defs)?;
        }
        below = input;
    }
    let exprs = || keys.iter().map(|(_, e)| e).chain(args.iter().flatten());
    if exprs().any(|e| !deterministic(e) || e.size() > MAX_EXPR_NODES || has_subquery(e)) {
        return None;
    }
    if keys.iter().all(|(_, e)| matches!(e.kind, ExprKind::Column(_))) {
        return None;
    }
    let mut raw = BTreeSet::new();
    for (_, e) in &keys {
        referenced_columns(e, &mut raw);
    }
    let raw_columns: Vec<Column> = raw.iter().map(|n| below.schema.get(n).cloned()).collect::<Option<_>>()?;
    if raw_columns.is_empty() || raw_columns.iter().any(|c| c.ty != Type::STRING && c.ty != Type::BOOL) {
        return None;
    }

    let span = keys[0].1.span;
    let column = |c: &Column| Expr::new(ExprKind::Column(c.name.clone()), c.ty, span);
    let mut first_keys = Vec::new();
    let mut first_schema = Vec::new();
    for c in &raw_columns {
        first_keys.push((c.name.clone(), column(c)));
        first_schema.push(c.clone());
    }
    let mut partials = Vec::new();
    let mut finals = Vec::new();
    for (k, (agg, args)) in aggregates.iter().zip(args).enumerate() {
        let mut name = format!("partial{k}");
        while raw.contains(&name) {
            name.insert(0, '_');
        }
        // A partial result has the type of the final one (long counts,
        // long or timespan sums, the argument's type for min and max).
        let partial = Column::new(name.clone(), output.get(&agg.outputs[0])?.ty);
        partials.push(Aggregate { function: agg.function, args, outputs: vec![name] });
        finals.push(Aggregate {
            function: functions::aggregate_def(combiner(agg)?),
            args: vec![column(&partial)],
            outputs: agg.outputs.clone(),
        });
        first_schema.push(partial);
    }
    let first = Plan {
        node: Node::Summarize { input: Box::new(below.clone()), keys: first_keys, aggregates: partials },
        schema: Schema::new(first_schema),
    };
    Some(Node::Summarize { input: Box::new(first), keys, aggregates: finals })
}

/// True if `e` holds a sub-query (`toscalar(…)`, `in (T)`).
fn has_subquery(e: &Expr) -> bool {
    e.any(&|x| matches!(x.kind, ExprKind::ScalarQuery(_) | ExprKind::InQuery { .. }))
}
