//! `serialize` and the window functions (`row_number()`, `prev()`,
//! `next()`, `row_cumsum()`, `row_rank_dense()`, `row_rank_min()`).
//!
//! Kusto (serialize operator page): window functions need a serialized row
//! set. `serialize`, `sort`/`order by`, `top`, `range` and `getschema` make
//! one; `count`, `distinct`, `join`, `make-series`, `mv-expand`, `sample`,
//! `sample-distinct`, `summarize`, `top-nested` (and `evaluate`, `facet`,
//! `reduce`) make it non-serialized; the others keep what their input is.
//! An `extend`, `project` or `where` whose expressions call a window
//! function becomes a [`Node::Window`], which the executor evaluates over
//! the whole input in order. Elsewhere the call is Kusto's engine error
//! ("Function 'row_number' cannot be invoked. The row set must be
//! serialized."), reported as [`SemanticError::EngineRejects`]: Kusto's
//! parser accepts such a query, its engine fails it.

use super::Binder;
use super::operators::identity_columns;
use crate::error::SemanticError;
use crate::plan::{Expr, ExprKind, Node, Plan};
use crate::schema::Column;
use kql_syntax::ast;

/// The first window-function call in `e` (its name and span), if any.
pub(crate) fn window_call(e: &Expr) -> Option<(&'static str, kql_syntax::Span)> {
    if let ExprKind::Call { function, .. } = &e.kind
        && function.is_window()
    {
        return Some((function.name, e.span));
    }
    e.children().into_iter().find_map(window_call)
}

impl Binder<'_> {
    /// True if `plan`'s rows are serialized (see the module comment).
    pub(crate) fn serialized(&self, plan: &Plan) -> bool {
        match &plan.node {
            Node::Sort { .. } | Node::Top { .. } | Node::Range { .. } | Node::Window { .. } | Node::Print { .. } => {
                true
            }
            Node::Filter { input, .. }
            | Node::Project { input, .. }
            | Node::Take { input, .. }
            | Node::Render { input, .. } => self.serialized(input),
            Node::Shared { id, .. } => self.program.shared.get(id.0).is_some_and(|s| self.serialized(&s.plan)),
            _ => false,
        }
    }

    /// `plan` marked serialized: a [`Node::Window`] keeping every column
    /// (or `plan` itself when it already is one).
    pub(crate) fn mark_serialized(&self, plan: Plan) -> Plan {
        if matches!(plan.node, Node::Window { .. }) || plan.schema.open {
            return plan;
        }
        let schema = plan.schema.clone();
        let columns = identity_columns(&schema);
        Plan { node: Node::Window { input: Box::new(plan), columns }, schema }
    }

    /// `serialize [Name = Expr, …]`: the input marked serialized, then the
    /// columns added as `extend` adds them (window functions allowed).
    pub(crate) fn serialize(&mut self, input: Plan, columns: &[ast::NamedExpr]) -> Plan {
        let input = self.mark_serialized(input);
        if columns.is_empty() {
            return input;
        }
        let plan = self.extend(input, columns);
        let plan = self.windowed(plan, true);
        self.mark_serialized(plan)
    }

    /// Rewrites the `Project`/`Filter` nodes an operator just added whose
    /// expressions call window functions into [`Node::Window`]s, checking
    /// that their input is serialized; reports window functions in any
    /// other node at the top (`top` is true there).
    pub(crate) fn windowed(&mut self, plan: Plan, top: bool) -> Plan {
        let Plan { node, schema } = plan;
        match node {
            Node::Project { input, columns } => {
                let input = self.windowed(*input, false);
                match columns.iter().find_map(|(_, e)| window_call(e)) {
                    Some((name, span)) => {
                        self.require_serialized(&input, name, span);
                        Plan { node: Node::Window { input: Box::new(input), columns }, schema }
                    }
                    None => Plan { node: Node::Project { input: Box::new(input), columns }, schema },
                }
            }
            Node::Filter { input, predicate } => {
                let input = self.windowed(*input, false);
                let Some((name, span)) = window_call(&predicate) else {
                    return Plan { node: Node::Filter { input: Box::new(input), predicate }, schema };
                };
                self.require_serialized(&input, name, span);
                // Window(input columns + the condition) → Filter → Project.
                let condition = fresh_name(&input);
                let keep = identity_columns(&input.schema);
                let mut columns = keep.clone();
                let ty = predicate.ty;
                columns.push((condition.clone(), predicate));
                let mut wschema = input.schema.clone();
                wschema.columns.push(Column::new(condition.clone(), ty));
                let window = Plan { node: Node::Window { input: Box::new(input), columns }, schema: wschema.clone() };
                let test = Expr::new(ExprKind::Column(condition), ty, span);
                let filtered =
                    Plan { node: Node::Filter { input: Box::new(window), predicate: test }, schema: wschema };
                Plan { node: Node::Project { input: Box::new(filtered), columns: keep }, schema }
            }
            node => {
                let plan = Plan { node, schema };
                if top
                    && !matches!(plan.node, Node::Window { .. })
                    && let Some((name, span)) = plan.exprs().into_iter().find_map(window_call)
                {
                    self.report(not_serialized(name, span));
                }
                plan
            }
        }
    }

    fn require_serialized(&mut self, input: &Plan, name: &str, span: kql_syntax::Span) {
        if !input.schema.open && !self.serialized(input) {
            self.report(not_serialized(name, span));
        }
    }
}

/// Kusto's engine error for a window function over non-serialized rows.
fn not_serialized(name: &str, span: kql_syntax::Span) -> SemanticError {
    SemanticError::EngineRejects {
        message: format!("Function '{name}' cannot be invoked. The row set must be serialized."),
        span,
        label: format!("`{name}` needs a serialized row set"),
        help: Some(
            "add `| serialize` (or `| order by …`) before this operator; `summarize`, `join`, `distinct`, \
             `mv-expand`, `count`, `sample` and `make-series` output rows in no defined order"
                .into(),
        ),
    }
}

/// A column name not in `plan`'s schema, for a `where` condition's value.
fn fresh_name(plan: &Plan) -> String {
    (0..).map(|k| format!("__window_where{k}")).find(|n| plan.schema.get(n).is_none()).unwrap_or_default()
}
