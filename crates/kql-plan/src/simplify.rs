//! Predicate simplification: `strcat(p, a, s) == strcat(p, b, s)` becomes
//! `a == b` (and `!=` alike) when `p` and `s` are the same string literals
//! on both sides and `a` and `b` are strings.
//!
//! Two strings with the same prefix and suffix are equal exactly when what
//! lies between is, and Kusto strings are never null (ntaq's string arrays
//! hold `""`, never null), so the answer is the same for every row, without
//! building two new strings per row. Scenario 4 compares
//! `strcat("/subscriptions/", SrcSubscription)` with the same of
//! `DestSubscription` once filter pushdown has put the `extend`s'
//! definitions into its `where`. Case-insensitive `=~` is left alone: case
//! folding need not work piece by piece (Greek final sigma).

use crate::functions::ScalarFn;
use crate::plan::{Expr, ExprKind, Node, Plan, Program};
use crate::types::Type;
use kql_syntax::ast::BinaryOp;
use kql_types::Value;

/// Simplifies the predicates of every filter of `program`.
pub fn simplify_filters(program: &mut Program) {
    program.plans_mut().for_each(visit);
}

fn visit(plan: &mut Plan) {
    if let Node::Filter { predicate, .. } = &mut plan.node {
        simplify(predicate);
    }
    for input in plan.inputs_mut() {
        visit(input);
    }
}

/// Simplifies `e` and everything in it, in place.
pub fn simplify(e: &mut Expr) {
    match &mut e.kind {
        ExprKind::Binary { op, left, right } => {
            simplify(left);
            simplify(right);
            if matches!(op, BinaryOp::Eq | BinaryOp::NotEq)
                && let Some((a, b)) = without_common_ends(left, right)
            {
                **left = a;
                **right = b;
            }
        }
        ExprKind::Call { args, .. } => args.iter_mut().for_each(simplify),
        ExprKind::Negate(x) => simplify(x),
        _ => {}
    }
}

/// For `strcat(p…, a, s…)` and `strcat(p…, b, s…)` with at least one
/// common literal end: `a` and `b`.
fn without_common_ends(l: &Expr, r: &Expr) -> Option<(Expr, Expr)> {
    let (ExprKind::Call { function: f, args: la }, ExprKind::Call { function: g, args: ra }) = (&l.kind, &r.kind)
    else {
        return None;
    };
    if f.scalar() != Some(ScalarFn::Strcat) || g.scalar() != Some(ScalarFn::Strcat) {
        return None;
    }
    let same = |x: &Expr, y: &Expr| matches!((x.as_literal(), y.as_literal()), (Some(Value::String(p)), Some(Value::String(q))) if p == q);
    let front = la.iter().zip(ra).take_while(|(x, y)| same(x, y)).count();
    let (la, ra) = (&la[front..], &ra[front..]);
    let back = la.iter().rev().zip(ra.iter().rev()).take_while(|(x, y)| same(x, y)).count();
    let (la, ra) = (&la[..la.len() - back], &ra[..ra.len() - back]);
    match (la, ra) {
        ([a], [b]) if front + back > 0 && a.ty == Type::STRING && b.ty == Type::STRING => Some((a.clone(), b.clone())),
        _ => None,
    }
}
