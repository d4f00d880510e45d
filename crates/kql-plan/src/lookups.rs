//! Lookups that give back their left side: `L | lookup kind=leftouter R on
//! k` whose output holds none of R's columns, where R has at most one row
//! per key, is `L` itself.
//!
//! Kusto's `lookup` returns each left row once per matching right row, and
//! once (with empty right columns) if none matches. With at most one right
//! row per key value, every left row comes out exactly once, in its order;
//! with no right column in the output (R holds only its key, or column
//! pruning removed the others), it comes out unchanged. Scenario 3 does
//! this twice: `MaliciousFlows | lookup kind=leftouter MAliciousIps on
//! $left.SrcIp == $right.Ip | project SrcIp, DestIp`, where `MAliciousIps`
//! is `… | distinct Ip`. Dropping the lookups saves matching 600k rows
//! twice and reading the right side at all.
//!
//! R is known to have at most one row per key when it is a `distinct` of
//! only key columns or a `summarize` by key columns only (seen through
//! filters, sorts, `take`/`top`, projects that keep the key columns as
//! they are, and shared `let`s). The keys must have the same type on both
//! sides, and not `dynamic` or `real`: values that differ as right rows
//! could then compare equal to one left value once converted.

use crate::plan::{Expr, ExprKind, Node, Plan, Program, Side};
use crate::types::Type;
use kql_syntax::ScalarType;
use kql_syntax::ast::LookupKind;
use kql_syntax::span::Span;
use std::collections::BTreeSet;

/// Replaces every lookup of `program` that gives back its left side by a
/// projection of that side. Run after column pruning (it needs to know which
/// right columns are still output).
pub fn drop_identity_lookups(program: &mut Program) {
    let shared: Vec<Plan> = program.shared.iter().map(|s| s.plan.clone()).collect();
    program.plans_mut().for_each(|p| rewrite(p, &shared));
}

fn rewrite(plan: &mut Plan, shared: &[Plan]) {
    for input in plan.inputs_mut() {
        rewrite(input, shared);
    }
    let Node::Lookup { left, right, kind: LookupKind::LeftOuter, on, output } = &plan.node else { return };
    if output.iter().any(|o| o.side != Side::Left) {
        return;
    }
    let same_types = on.iter().all(|(l, r)| {
        let (Some(lt), Some(rt)) = (left.schema.get(l), right.schema.get(r)) else { return false };
        lt.ty == rt.ty && lt.ty.scalar().is_some_and(|t| !matches!(t, ScalarType::Dynamic | ScalarType::Real))
    });
    let keys: BTreeSet<&str> = on.iter().map(|(_, r)| r.as_str()).collect();
    if !same_types || !unique_on(right, &keys, shared) {
        return;
    }
    let mut columns = Vec::with_capacity(output.len());
    for o in output {
        let Some(c) = left.schema.get(&o.column) else { return };
        columns.push((o.name.clone(), column(&c.name, c.ty)));
    }
    let input = left.clone();
    plan.node = Node::Project { input, columns };
}

fn column(name: &str, ty: Type) -> Expr {
    Expr::new(ExprKind::Column(name.to_string()), ty, Span::default())
}

/// True if `plan` has at most one row for each value of the columns `keys`.
fn unique_on(plan: &Plan, keys: &BTreeSet<&str>, shared: &[Plan]) -> bool {
    match &plan.node {
        Node::Distinct { .. } => plan.schema.columns.iter().all(|c| keys.contains(c.name.as_str())),
        Node::Summarize { keys: by, .. } => !by.is_empty() && by.iter().all(|(n, _)| keys.contains(n.as_str())),
        Node::Shared { id, .. } => shared.get(id.0).is_some_and(|p| unique_on(p, keys, shared)),
        Node::Filter { input, .. }
        | Node::Sort { input, .. }
        | Node::Top { input, .. }
        | Node::Take { input, .. }
        | Node::Render { input, .. } => unique_on(input, keys, shared),
        Node::Project { input, columns } => {
            // Each key passed through unchanged, under its own name.
            let kept = keys
                .iter()
                .all(|k| columns.iter().any(|(n, e)| n == k && matches!(&e.kind, ExprKind::Column(c) if c == k)));
            kept && unique_on(input, keys, shared)
        }
        _ => false,
    }
}
