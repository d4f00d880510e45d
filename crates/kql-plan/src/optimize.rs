//! Plan rewrites before execution: filter pushdown ([`crate::pushdown`]:
//! a `where` moves below the `extend`s under it; [`crate::simplify`]: its
//! `strcat(p, a) == strcat(p, b)` becomes `a == b`), eager aggregation
//! ([`crate::eager`]: a `summarize` by computed keys groups by the raw
//! columns first) and column pruning, so
//! scans read only the columns a query needs (projection pushdown) and
//! shared `let` tables keep only what their users read; last, lookups that
//! give back their left side unchanged are dropped ([`crate::lookups`]);
//! a `distinct` goes directly over the inner joins whose rows it decides
//! ([`crate::distinct`]).

use crate::plan::{Expr, ExprKind, Node, Plan, Program, Side};
use std::collections::BTreeSet;

/// A set of column names.
pub type Names = BTreeSet<String>;

/// Column names an expression reads.
pub fn referenced_columns(e: &Expr, out: &mut Names) {
    e.walk(&mut |x| {
        if let ExprKind::Column(c) = &x.kind {
            out.insert(c.clone());
        }
    });
}

/// True unless `e` calls a function whose value is not determined by its
/// arguments (and so may differ between two rows with equal values).
pub fn deterministic(e: &Expr) -> bool {
    !e.any(&|x| {
        matches!(&x.kind, ExprKind::Call { function, .. }
            if !function.is_deterministic())
    })
}

/// All rewrites, in order: filters first (they change what is read where)
/// and their simplification (pushed down, they read the `extend`s'
/// definitions), then eager aggregation (it needs the filters below the
/// `extend`s it folds into its keys), then pruning, and lookups that return
/// their left side once pruning has removed the right columns no one reads,
/// and last `distinct`s over joins (on the pruned join outputs).
pub fn optimize(program: &mut Program) {
    crate::pushdown::push_filters(program);
    crate::simplify::simplify_filters(program);
    crate::eager::pre_aggregate(program);
    prune_columns(program);
    crate::lookups::drop_identity_lookups(program);
    crate::distinct::distinct_over_joins(program);
}

/// Removes columns no consumer reads, down to the scans.
pub fn prune_columns(program: &mut Program) {
    let mut shared_required: Vec<Names> = vec![Names::new(); program.shared.len()];
    for plan in &mut program.results {
        let all: Names = plan.schema.names().map(str::to_string).collect();
        prune(plan, &all, &mut shared_required);
    }
    // Shared plans refer only to earlier ones: visit from the last.
    for k in (0..program.shared.len()).rev() {
        let required = std::mem::take(&mut shared_required[k]);
        prune(&mut program.shared[k].plan, &required, &mut shared_required);
    }
}

/// Prunes subqueries inside an expression (they output their first column).
fn prune_expr(e: &mut Expr, shared: &mut Vec<Names>) {
    e.walk_mut(&mut |x| {
        if let ExprKind::ScalarQuery(p) | ExprKind::InQuery { query: p, .. } = &mut x.kind {
            let first: Names = p.schema.columns.first().map(|c| c.name.clone()).into_iter().collect();
            prune(p, &first, shared);
        }
    });
}

fn refs<'a>(exprs: impl IntoIterator<Item = &'a Expr>) -> Names {
    let mut out = Names::new();
    for e in exprs {
        referenced_columns(e, &mut out);
    }
    out
}

/// A two-sided node's outputs narrowed to the `required` ones, and each
/// side to its key columns (`keys`: left, right) and the outputs it gives.
fn prune_sides<'k>(
    left: &mut Plan,
    right: &mut Plan,
    keys: impl Iterator<Item = &'k (String, String)>,
    output: &mut Vec<crate::plan::JoinOutput>,
    required: &Names,
    shared: &mut Vec<Names>,
) {
    output.retain(|o| required.contains(&o.name));
    let (mut need_left, mut need_right) = (Names::new(), Names::new());
    for (l, r) in keys {
        need_left.insert(l.clone());
        need_right.insert(r.clone());
    }
    for o in output.iter() {
        match o.side {
            Side::Left => need_left.insert(o.column.clone()),
            Side::Right => need_right.insert(o.column.clone()),
        };
    }
    prune(left, &need_left, shared);
    prune(right, &need_right, shared);
}

/// Narrows `plan` to produce (at least) the `required` columns.
fn prune(plan: &mut Plan, required: &Names, shared: &mut Vec<Names>) {
    // The schema this node will have: its own columns that are still produced.
    let mut keep_schema: Option<Names> = Some(required.clone());
    match &mut plan.node {
        Node::Scan { .. } => {}
        Node::Shared { id, .. } => {
            if let Some(s) = shared.get_mut(id.0) {
                s.extend(required.iter().cloned());
            }
        }
        Node::Filter { input, predicate } => {
            prune_expr(predicate, shared);
            let mut need = required.clone();
            referenced_columns(predicate, &mut need);
            prune(input, &need, shared);
            keep_schema = Some(input.schema.names().map(str::to_string).collect());
        }
        Node::Project { input, columns } | Node::Window { input, columns } => {
            columns.retain(|(n, _)| required.contains(n));
            columns.iter_mut().for_each(|(_, e)| prune_expr(e, shared));
            let need = refs(columns.iter().map(|(_, e)| e));
            prune(input, &need, shared);
        }
        Node::Distinct { input } => {
            // Every column takes part in deciding what is distinct.
            let all: Names = input.schema.names().map(str::to_string).collect();
            prune(input, &all, shared);
            keep_schema = None;
        }
        Node::MvExpand { input, columns, .. } => {
            // Expanded columns decide the row count even when nobody reads them.
            let mut need = required.clone();
            need.extend(columns.iter().cloned());
            prune(input, &need, shared);
            keep_schema = Some(need);
        }
        Node::Join { left, right, on, output, .. } | Node::Lookup { left, right, on, output, .. } => {
            prune_sides(left, right, on.iter(), output, required, shared);
        }
        Node::Ipv4Lookup { left, right, source, key, extra, output, .. } => {
            let keys = extra.iter().chain(std::iter::once(&(source.clone(), key.clone()))).cloned().collect::<Vec<_>>();
            prune_sides(left, right, keys.iter(), output, required, shared);
        }
        Node::Union { inputs } => {
            for input in inputs.iter_mut() {
                let need: Names = input.schema.names().filter(|n| required.contains(*n)).map(str::to_string).collect();
                prune(input, &need, shared);
            }
        }
        Node::Summarize { input, keys, aggregates } => {
            aggregates.retain(|a| a.outputs.iter().any(|o| required.contains(o)));
            keys.iter_mut().for_each(|(_, e)| prune_expr(e, shared));
            let mut need = refs(keys.iter().map(|(_, e)| e));
            for a in aggregates.iter_mut() {
                a.args.iter_mut().for_each(|e| prune_expr(e, shared));
                for e in &a.args {
                    referenced_columns(e, &mut need);
                }
            }
            prune(input, &need, shared);
            // Keys stay: they define the groups.
            let mut keep: Names = keys.iter().map(|(n, _)| n.clone()).collect();
            for a in aggregates.iter() {
                keep.extend(a.outputs.iter().cloned());
            }
            keep_schema = Some(keep);
        }
        Node::MakeSeries { input, series, from, to, step, .. } => {
            for e in series.iter_mut().filter_map(|(_, d)| d.as_mut()).chain(from.iter_mut()).chain(to.iter_mut()) {
                prune_expr(e, shared);
            }
            prune_expr(step, shared);
            // Every key, bin and series makes the output rows.
            let all: Names = input.schema.names().map(str::to_string).collect();
            prune(input, &all, shared);
            keep_schema = None;
        }
        Node::Sort { input, keys } => {
            keys.iter_mut().for_each(|k| prune_expr(&mut k.expr, shared));
            let mut need = required.clone();
            for k in keys.iter() {
                referenced_columns(&k.expr, &mut need);
            }
            prune(input, &need, shared);
            keep_schema = Some(input.schema.names().map(str::to_string).collect());
        }
        Node::Top { input, key, .. } => {
            prune_expr(&mut key.expr, shared);
            let mut need = required.clone();
            referenced_columns(&key.expr, &mut need);
            prune(input, &need, shared);
            keep_schema = Some(input.schema.names().map(str::to_string).collect());
        }
        Node::Take { input, .. } | Node::Render { input, .. } | Node::Sample { input, .. } => {
            prune(input, required, shared);
            keep_schema = Some(input.schema.names().map(str::to_string).collect());
        }
        Node::Count { input } => {
            prune(input, &Names::new(), shared);
            keep_schema = None;
        }
        Node::Print { columns } => {
            columns.iter_mut().for_each(|(_, e)| prune_expr(e, shared));
        }
        Node::Datatable { .. } | Node::Range { .. } => keep_schema = None,
        Node::TopNested { input, levels } => {
            // Each level's aggregation runs as bound over the input's rows.
            for l in levels.iter_mut() {
                prune_expr(&mut l.key, shared);
                let all: Names = l.aggregate.schema.names().map(str::to_string).collect();
                prune(&mut l.aggregate, &all, shared);
            }
            let all: Names = input.schema.names().map(str::to_string).collect();
            prune(input, &all, shared);
            keep_schema = None;
        }
        Node::BagUnpack { input, .. } | Node::Pivot { input, .. } => {
            let all: Names = input.schema.names().map(str::to_string).collect();
            prune(input, &all, shared);
            keep_schema = None;
        }
        Node::MvApply { expand, items, keep, sub } => {
            // The sub-query runs as bound; the expansion keeps its items
            // (they decide the rows) and the input columns passed through.
            let all: Names = sub.schema.names().map(str::to_string).collect();
            prune(sub, &all, shared);
            let mut need: Names = items.iter().cloned().collect();
            need.extend(keep.iter().cloned());
            prune(expand, &need, shared);
            keep_schema = None;
        }
    }
    if let Some(keep) = keep_schema {
        plan.schema.columns.retain(|c| keep.contains(&c.name));
    }
    // A projection left keeping its (pruned) input as it is, such as the one
    // that leaves a table's hidden standard columns out of a result whose
    // last operator already has, does nothing.
    let identity = match &plan.node {
        Node::Project { input, columns } => {
            columns.len() == input.schema.len()
                && columns
                    .iter()
                    .zip(&input.schema.columns)
                    .all(|((n, e), c)| *n == c.name && matches!(&e.kind, ExprKind::Column(x) if *x == c.name))
        }
        _ => false,
    };
    if identity
        && let Node::Project { input, .. } = std::mem::replace(&mut plan.node, Node::Datatable { rows: Vec::new() })
    {
        *plan = *input;
    }
}
