//! `sample`, `sample-distinct`, `top-hitters` and `as`.

use super::{Binder, LetValue};
use crate::error::SemanticError;
use crate::plan::{ExprKind, Node, Plan, SharedId, SharedPlan};
use crate::schema::{Column, Schema};
use kql_syntax::ast::{self, Literal, ParamValue};

impl Binder<'_> {
    /// `sample N`: N rows picked at random (sample operator page: "returns up
    /// to the specified number of rows"; its output is not serialized).
    pub(crate) fn sample(&mut self, input: Plan, count: &ast::Expr) -> Plan {
        let count = self.constant_count(count, &input.schema, "the number of rows of `sample`");
        let schema = input.schema.clone();
        Plan { node: Node::Sample { input: Box::new(input), count }, schema }
    }

    /// `sample-distinct N of Column`: up to N distinct values of one column
    /// (sample-distinct operator page), one column of that name.
    pub(crate) fn sample_distinct(&mut self, input: Plan, count: &ast::Expr, column: &ast::Expr) -> Plan {
        let count = self.constant_count(count, &input.schema, "the number of values of `sample-distinct`");
        if !matches!(column.kind, ast::ExprKind::Name(_)) {
            self.report(SemanticError::Unsupported {
                what: "`sample-distinct` of something other than a column".into(),
                span: column.span,
                help: Some("`sample-distinct N of Column` takes a column name; `extend` the value first".into()),
            });
            return super::unknown_plan();
        }
        let value = self.column_item(column, &input.schema);
        if value.is_error() {
            return super::unknown_plan();
        }
        let ExprKind::Column(name) = &value.kind else {
            self.report(SemanticError::Unsupported {
                what: "`sample-distinct` of something other than a column".into(),
                span: column.span,
                help: Some("`sample-distinct N of Column` takes a column name".into()),
            });
            return super::unknown_plan();
        };
        let schema = Schema::new(vec![Column::new(name.clone(), value.ty)]);
        let project = Plan {
            node: Node::Project { input: Box::new(input), columns: vec![(name.clone(), value.clone())] },
            schema: schema.clone(),
        };
        let distinct = Plan { node: Node::Distinct { input: Box::new(project) }, schema: schema.clone() };
        Plan { node: Node::Sample { input: Box::new(distinct), count }, schema }
    }

    /// `top-hitters N of Column [by Summing]`: the top-hitters page says it
    /// is "conceptually equivalent to" `summarize C = count() by Column |
    /// top N by C desc` (with `by`: `sum(Summing)`), and Kusto estimates
    /// the counts; ntaq computes them exactly, which the estimate
    /// approximates. Columns as Kusto.Language names them
    /// (`approximate_count_Column`, `approximate_sum_<Summing's name>`);
    /// the value must be a column, as Kusto.Language checks.
    pub(crate) fn top_hitters(
        &mut self,
        input: Plan,
        count: &ast::Expr,
        of: &ast::Expr,
        by: Option<&ast::Expr>,
    ) -> Plan {
        if !matches!(of.unparen().kind, ast::ExprKind::Name(_)) {
            self.report(SemanticError::TypeMismatch {
                message: "`top-hitters … of` takes a column".into(),
                span: of.span,
                label: "not a column".into(),
                help: Some("`extend` the value as a column first".into()),
            });
            return super::unknown_plan();
        }
        let span = of.span;
        let value = super::naming::result_name(of).unwrap_or_default();
        let call = |f: &str, args: Vec<ast::Expr>, at: kql_syntax::Span| ast::Expr {
            kind: ast::ExprKind::Call { function: ast::Ident::new(f, at), args },
            span: at,
        };
        let (name, aggregate) = match by {
            None => (format!("approximate_count_{value}"), call("count", Vec::new(), span)),
            Some(b) => {
                let summed = super::naming::result_name(b).unwrap_or_default();
                (format!("approximate_sum_{summed}"), call("sum", vec![b.clone()], b.span))
            }
        };
        let summarize = ast::Summarize {
            params: Vec::new(),
            aggregates: vec![ast::NamedExpr {
                more_names: Vec::new(),
                name: Some(ast::Ident::new(name.clone(), aggregate.span)),
                span: aggregate.span,
                expr: aggregate,
            }],
            by: vec![ast::NamedExpr { more_names: Vec::new(), name: None, expr: of.clone(), span }],
        };
        let grouped = self.summarize(input, &summarize);
        let top = ast::Top {
            count: count.clone(),
            key: ast::SortKey {
                expr: ast::Expr { kind: ast::ExprKind::Name(ast::Ident::new(name, span)), span },
                order: Some(ast::SortOrder::Desc),
                nulls: None,
                span,
            },
        };
        self.top(grouped, &top)
    }

    /// `as [hint.materialized=true|false] Name`: the input, bound to `Name`
    /// for the rest of the script like a tabular `let` (as operator page).
    /// ntaq evaluates it once however often it is used, which is what
    /// `hint.materialized=true` asks for, and one of the behaviours Kusto
    /// allows without it; so the hint changes nothing observable.
    pub(crate) fn as_(&mut self, input: Plan, params: &[ast::OperatorParam], name: &ast::Ident) -> Plan {
        for p in params {
            if !matches!(p.value, ParamValue::Literal(Literal::Bool(Some(_)))) {
                self.report(SemanticError::TypeMismatch {
                    message: "`hint.materialized` takes `true` or `false`".into(),
                    span: p.span,
                    label: "not a bool".into(),
                    help: None,
                });
            }
        }
        if input.schema.open {
            self.lets.insert(name.name.clone(), LetValue::Poisoned);
            return input;
        }
        let schema = input.schema.clone();
        let id = SharedId(self.program.shared.len());
        self.shared_depths.push(crate::plan::plan_depth(&input, &self.shared_depths));
        self.program.shared.push(SharedPlan { name: name.name.clone(), plan: input });
        self.lets.insert(name.name.clone(), LetValue::Tabular { id, schema: schema.clone() });
        Plan { node: Node::Shared { id, name: name.name.clone() }, schema }
    }
}
