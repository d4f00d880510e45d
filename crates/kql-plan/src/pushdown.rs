//! Filter pushdown: a `where` moves below the `extend`/`project` under it,
//! its column references replaced by the expressions that define them, so
//! rows are dropped before costly columns are computed for them. Scenario 4
//! builds two subnet paths with `iff`/`strcat`/`split` for every flow and
//! only then keeps the cross-subscription ones; pushed down, the filter
//! runs first and the paths are built for the few rows that pass.
//!
//! `extend a = f(x) | where g(a)` becomes `where g(f(x)) | extend a = f(x)`:
//! the same rows with the same values, as every expression is a function
//! of its row. Definitions that are not (`rand()`, `new_guid()`, which the
//! binder does not support yet) would stop the move. Filters then keep sinking through further projects, down to the
//! scan, where the parallel scan evaluates them on each part.

use crate::optimize::deterministic;
use crate::plan::{Expr, ExprKind, Node, Plan, Program};
use std::collections::HashMap;

/// Pushes every filter of `program` as far down through projects as it goes.
pub fn push_filters(program: &mut Program) {
    program.plans_mut().for_each(push);
}

fn push(plan: &mut Plan) {
    for input in plan.inputs_mut() {
        push(input);
    }
    // Filter(Project(x)) → Project(Filter'(x)), then sink Filter' further.
    let Node::Filter { input, predicate } = &mut plan.node else { return };
    let Node::Project { input: below, columns } = &mut input.node else { return };
    let defs: HashMap<&str, &Expr> = columns.iter().map(|(n, e)| (n.as_str(), e)).collect();
    let Some(pushed) = substitute(predicate, &defs) else { return };
    // Swap the two nodes: the project keeps its schema (the filter's output
    // schema is its input's), the filter takes the schema of `below`.
    let filter_schema = below.schema.clone();
    let project_node = std::mem::replace(&mut input.node, Node::Datatable { rows: Vec::new() });
    let Node::Project { input: below, columns } = project_node else { return };
    let filter = Plan { node: Node::Filter { input: below, predicate: pushed }, schema: filter_schema };
    let project_schema = input.schema.clone();
    plan.node = Node::Project { input: Box::new(filter), columns };
    plan.schema = project_schema;
    if let Node::Project { input, .. } = &mut plan.node {
        push(input);
    }
}

/// `e` with each column replaced by its definition; `None` if a definition
/// it needs is missing or not a function of its row.
pub(crate) fn substitute(e: &Expr, defs: &HashMap<&str, &Expr>) -> Option<Expr> {
    let mut out = e.clone();
    replace(&mut out, defs).then_some(out)
}

fn replace(e: &mut Expr, defs: &HashMap<&str, &Expr>) -> bool {
    match &mut e.kind {
        ExprKind::Column(c) => match defs.get(c.as_str()) {
            Some(d) if deterministic(d) => {
                let span = e.span;
                *e = (*d).clone();
                e.span = span;
                true
            }
            _ => false,
        },
        ExprKind::Error => false,
        // A sub-query reads its own table: only the tested value of `in`
        // (a child) changes.
        _ => e.children_mut().into_iter().all(|c| replace(c, defs)),
    }
}
