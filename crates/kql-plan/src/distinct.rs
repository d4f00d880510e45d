//! `distinct` over joins: the executor computes the distinct rows of an
//! inner join without making its output (each pair of distinct side values
//! is looked at once, see `kql-exec`'s `ops/join/distinct.rs`), so this pass
//! puts each `distinct` directly over the joins whose rows it decides.
//!
//! Scenario 3 does `A | join kind=inner B on … | project SrcIp, DestIp =
//! DestIp1 | distinct SrcIp, DestIp`, and `(X | union Y) | distinct …`
//! over joins; on flows whose key is often `""`, the joins' output is
//! hundreds of millions of rows for about a million distinct pairs.
//!
//! Two rewrites, both keeping the result and its order:
//! - a `project` that only selects and renames columns of a join becomes
//!   the join's own output list (`Distinct(Project(Join))` →
//!   `Distinct(Join)`);
//! - a `distinct` over a `union` (seen through such projects and through
//!   shared `let`s used only there) also goes over each join among the
//!   union's inputs. The outer `distinct` still runs: the distinct rows of
//!   a concatenation are those of the concatenation of each part's distinct
//!   rows, first occurrences in the same order, since dropping a later
//!   duplicate inside one part drops a row the outer `distinct` drops anyway.

use crate::plan::{Expr, ExprKind, JoinOutput, Node, Plan, Program};
use kql_syntax::ast::JoinKind;

/// Rewrites every `distinct` of `program` as above. Run after column
/// pruning, so joins output only the columns their consumers read.
pub fn distinct_over_joins(program: &mut Program) {
    let uses = program.shared_uses();
    let mut pending: Vec<usize> = Vec::new();
    for plan in program.plans_mut() {
        visit(plan, &uses, &mut pending);
    }
    // Shared plans used once, by a distinct: their joins get one too.
    // A shared plan refers only to earlier ones, so the newest first.
    while let Some(id) = pending.iter().copied().max() {
        pending.retain(|p| *p != id);
        if let Some(shared) = program.shared.get_mut(id) {
            let mut more = Vec::new();
            push(&mut shared.plan, &uses, &mut more);
            pending.extend(more);
        }
    }
}

fn visit(plan: &mut Plan, uses: &[usize], pending: &mut Vec<usize>) {
    for input in plan.inputs_mut() {
        visit(input, uses, pending);
    }
    if let Node::Distinct { input } = &mut plan.node {
        fold_renames(input);
        if !is_fused_join(input) {
            push(input, uses, pending);
        }
    }
}

/// True for a join whose distinct rows the executor computes directly.
pub fn is_fused_join(plan: &Plan) -> bool {
    matches!(plan.node, Node::Join { kind: JoinKind::Inner | JoinKind::InnerUnique, .. })
}

/// Puts a `distinct` over each join whose rows make up `plan`'s rows (all
/// of whose rows only matter once).
fn push(plan: &mut Plan, uses: &[usize], pending: &mut Vec<usize>) {
    fold_renames(plan);
    if is_fused_join(plan) {
        let join = std::mem::replace(&mut plan.node, Node::Union { inputs: Vec::new() });
        let inner = Plan { node: join, schema: plan.schema.clone() };
        plan.node = Node::Distinct { input: Box::new(inner) };
        return;
    }
    match &mut plan.node {
        Node::Union { inputs } => inputs.iter_mut().for_each(|i| push(i, uses, pending)),
        Node::Project { input, columns } if columns.iter().all(|(_, e)| column_name(e).is_some()) => {
            push(input, uses, pending)
        }
        Node::Shared { id, .. } if uses.get(id.0) == Some(&1) => pending.push(id.0),
        _ => {}
    }
}

fn column_name(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Column(c) => Some(c),
        _ => None,
    }
}

/// `Join | project a, b = c` (only columns of the join, renamed or not)
/// becomes the join with that output list.
fn fold_renames(plan: &mut Plan) {
    let Node::Project { input, columns } = &plan.node else { return };
    let Node::Join { output, .. } = &input.node else { return };
    let mut folded = Vec::with_capacity(columns.len());
    for (name, e) in columns {
        let Some(o) = column_name(e).and_then(|c| output.iter().find(|o| o.name == c)) else { return };
        folded.push(JoinOutput { side: o.side, column: o.column.clone(), name: name.clone() });
    }
    let Node::Project { input, .. } = std::mem::replace(&mut plan.node, Node::Union { inputs: Vec::new() }) else {
        return;
    };
    let Node::Join { left, right, kind, on, .. } = input.node else { return };
    plan.node = Node::Join { left, right, kind, on, output: folded };
}

#[cfg(test)]
mod tests {
    use crate::optimize::optimize;
    use crate::{Catalog, Params, bind};

    fn optimized(src: &str) -> String {
        let parsed = kql_syntax::parse(src);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let mut bound = bind(&parsed.script, &Catalog::nta(), &Params::default());
        assert!(!bound.has_errors(), "{:?}", bound.diagnostics);
        optimize(&mut bound.program);
        crate::explain::explain(&bound.program)
    }

    #[test]
    fn a_distinct_of_a_renamed_join_is_a_distinct_join() {
        let text = optimized(
            "let F = NTANetAnalytics | project SrcIp, DestIp;\n\
             F | join kind=inner F on $left.DestIp == $right.SrcIp | project SrcIp, DestIp = DestIp1 | distinct SrcIp, DestIp",
        );
        let distinct = text.find("Distinct").expect(&text);
        let join = text.find("Join").expect(&text);
        assert!(join > distinct, "{text}");
        assert!(!text[distinct..join].contains("Project"), "the rename is the join's output:\n{text}");
    }

    #[test]
    fn a_distinct_of_a_union_of_joins_goes_over_each_join() {
        let text = optimized(
            "let C = NTAIpDetails | project Ip;\n\
             let A = C | join kind=inner NTANetAnalytics on $left.Ip == $right.SrcIp | project SrcIp, DestIp;\n\
             let B = C | join kind=inner NTANetAnalytics on $left.Ip == $right.DestIp | project SrcIp, DestIp;\n\
             A | union B | distinct SrcIp, DestIp",
        );
        assert_eq!(text.matches("Distinct").count(), 3, "{text}");
        assert_eq!(text.matches("Join").count(), 2, "{text}");
    }

    #[test]
    fn outer_joins_and_shared_lets_used_twice_are_left_alone() {
        let text = optimized(
            "let C = NTAIpDetails | project Ip;\n\
             let A = C | join kind=leftouter NTANetAnalytics on $left.Ip == $right.SrcIp | project SrcIp, DestIp;\n\
             let B = C | join kind=inner NTANetAnalytics on $left.Ip == $right.SrcIp | project SrcIp, DestIp;\n\
             A | union B | distinct SrcIp, DestIp | union (B | take 1)",
        );
        assert_eq!(text.matches("Distinct").count(), 1, "{text}");
    }
}
