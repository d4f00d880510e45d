//! `make-series`, bound as what the make-series operator page describes:
//! the rows in `[from, to)` aggregated by the `by` keys and the axis bin
//! (`from + bin(axis - from, step)`, or `bin(axis, step)` without `from`),
//! then one row per key with each aggregate as an array over every bin of
//! the axis, absent bins holding the default (0 unless `default=`).

use super::expr::is_query_constant;
use super::{Binder, unknown_plan};
use crate::error::SemanticError;
use crate::functions::{self, AggregateFn, FunctionDef};
use crate::plan::{Node, Plan};
use crate::schema::{Column, Schema};
use crate::types::Type;
use kql_syntax::Span;
use kql_syntax::ast::{self, BinaryOp, ExprKind as A, ParamValue};
use kql_syntax::types::ScalarType;

/// Aggregations whose results make-series fills into arrays (numeric results only, per the page).
const SERIES_AGGREGATES: &[AggregateFn] = {
    use AggregateFn as G;
    &[
        G::Count,
        G::CountIf,
        G::Sum,
        G::SumIf,
        G::Avg,
        G::AvgIf,
        G::Min,
        G::MinIf,
        G::Max,
        G::MaxIf,
        G::DCount,
        G::DCountIf,
    ]
};

fn call(name: &str, args: Vec<ast::Expr>, span: Span) -> ast::Expr {
    ast::Expr::new(A::Call { function: ast::Ident::new(name, span), args }, span)
}

fn binary(op: BinaryOp, left: ast::Expr, right: ast::Expr, span: Span) -> ast::Expr {
    ast::Expr::new(A::Binary { op, op_span: span, left: Box::new(left), right: Box::new(right) }, span)
}

impl Binder<'_> {
    pub(crate) fn make_series(&mut self, input: Plan, m: &ast::MakeSeries) -> Plan {
        // `kind=nonempty`, the one kind the make-series page lists:
        // "Produces default result when the input of make-series operator
        // is empty".
        let mut nonempty = false;
        for p in &m.params {
            let what = match (&p.name.name[..], &p.value) {
                (n, _) if n.starts_with("hint.") => continue,
                ("kind", ParamValue::Word(w)) if w.name == "nonempty" => {
                    nonempty = true;
                    continue;
                }
                ("kind", ParamValue::Word(w)) => format!("`kind={}` of make-series", w.name),
                (n, _) => format!("the make-series parameter `{n}`"),
            };
            self.report(SemanticError::Unsupported { what, span: p.span, help: None });
        }
        let row = input.schema.clone();
        let axis_expr = ast::Expr::new(A::Name(m.axis.clone()), m.axis.span);
        let axis = self.scalar(&axis_expr, Some(&row));
        let axis_ty = axis.ty.scalar();
        let temporal = matches!(axis_ty, Some(ScalarType::DateTime | ScalarType::Timespan));
        if let Some(t) = axis_ty
            && !matches!(
                t,
                ScalarType::DateTime | ScalarType::Timespan | ScalarType::Long | ScalarType::Int | ScalarType::Real
            )
        {
            self.report(SemanticError::TypeMismatch {
                message: format!("the make-series axis must be a datetime, timespan or number, found {t}"),
                span: m.axis.span,
                label: format!("this is {t}"),
                help: None,
            });
            return unknown_plan();
        }
        let constant = |b: &mut Self, e: &ast::Expr, what: &str| {
            let x = b.scalar(e, Some(&row));
            if !x.is_error() && !is_query_constant(&x) {
                b.report(SemanticError::NotConstant { what: what.to_string(), span: e.span });
            }
            x
        };
        let from = m.from.as_ref().map(|e| constant(self, e, "the make-series start"));
        let to = m.to.as_ref().map(|e| constant(self, e, "the make-series end"));
        let step = constant(self, &m.step, "the make-series step");
        if let Some(t) = step.ty.scalar() {
            let ok = if temporal {
                t == ScalarType::Timespan
            } else {
                matches!(t, ScalarType::Long | ScalarType::Int | ScalarType::Real)
            };
            if !ok {
                self.report(SemanticError::TypeMismatch {
                    message: format!(
                        "the make-series step must be a {}, found {t}",
                        if temporal { "timespan" } else { "number" }
                    ),
                    span: m.step.span,
                    label: format!("this is {t}"),
                    help: None,
                });
            }
        }
        for b in [&from, &to].into_iter().flatten() {
            if let (Some(t), Some(a)) = (b.ty.scalar(), axis_ty) {
                let ok =
                    if temporal { t == a } else { matches!(t, ScalarType::Long | ScalarType::Int | ScalarType::Real) };
                if !ok {
                    self.report(SemanticError::TypeMismatch {
                        message: format!("the make-series bounds must be of the axis type {a}, found {t}"),
                        span: b.span,
                        label: format!("this is {t}"),
                        help: None,
                    });
                }
            }
        }

        // The rows in [from, to).
        let span = m.axis.span;
        let mut keep: Option<ast::Expr> = None;
        if let Some(f) = &m.from {
            keep = Some(binary(BinaryOp::Ge, axis_expr.clone(), f.clone(), f.span));
        }
        if let Some(t) = &m.to {
            let lt = binary(BinaryOp::Lt, axis_expr.clone(), t.clone(), t.span);
            keep = Some(match keep {
                Some(k) => binary(BinaryOp::And, k, lt, t.span),
                None => lt,
            });
        }
        let input = match keep {
            Some(k) => self.where_(input, &k),
            None => input,
        };

        // Aggregated by the keys and the axis bin.
        let mut aggregates = Vec::new();
        for a in &m.aggregates {
            match &a.aggregate.expr.unparen().kind {
                A::Call { function, .. }
                    if functions::lookup(&function.name)
                        .and_then(FunctionDef::aggregate)
                        .is_some_and(|f| SERIES_AGGREGATES.contains(&f)) =>
                {
                    aggregates.push(a.aggregate.clone())
                }
                A::Call { function, .. } => self.report(SemanticError::Unsupported {
                    what: format!("`{}` in make-series", function.name),
                    span: a.aggregate.expr.span,
                    help: Some(format!(
                        "make-series supports {}",
                        SERIES_AGGREGATES
                            .iter()
                            .map(|&f| functions::aggregate_def(f).name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }),
                _ => self.report(SemanticError::NotAggregate {
                    span: a.aggregate.expr.span,
                    help: Some("make-series takes aggregations such as count() or avg(x)".into()),
                }),
            }
        }
        if aggregates.len() != m.aggregates.len() {
            return unknown_plan();
        }
        let bin = match &m.from {
            Some(f) => binary(
                BinaryOp::Add,
                f.clone(),
                call("bin", vec![binary(BinaryOp::Sub, axis_expr.clone(), f.clone(), span), m.step.clone()], span),
                span,
            ),
            None => call("bin", vec![axis_expr.clone(), m.step.clone()], span),
        };
        let mut by = m.by.clone();
        by.push(ast::NamedExpr { more_names: Vec::new(), name: Some(m.axis.clone()), expr: bin, span });
        let summary = ast::Summarize { params: Vec::new(), aggregates, by };
        let errors = self.diagnostics.len();
        let grouped = self.summarize(input, &summary);
        let cols = &grouped.schema.columns;
        let n = m.aggregates.len();
        if self.diagnostics[errors..].iter().any(|d| !d.is_advice())
            || cols.len() != m.by.len() + 1 + n
            || !matches!(grouped.node, Node::Summarize { .. })
        {
            return unknown_plan();
        }
        let keys: Vec<Column> = cols[..m.by.len()].to_vec();
        let axis_name = cols[m.by.len()].name.clone();
        let mut series = Vec::new();
        for (c, a) in cols[m.by.len() + 1..].iter().zip(&m.aggregates) {
            let default = match &a.default {
                Some(d) => {
                    let x = self.scalar(d, None);
                    if !x.is_error() && !is_query_constant(&x) {
                        self.report(SemanticError::NotConstant {
                            what: "the make-series default".into(),
                            span: d.span,
                        });
                    }
                    Some(x)
                }
                None => None,
            };
            series.push((c.name.clone(), default));
        }
        let mut columns = keys.clone();
        columns.extend(series.iter().map(|(n, _)| Column::new(n.clone(), Type::DYNAMIC)));
        columns.push(Column::new(axis_name.clone(), Type::DYNAMIC));
        Plan {
            node: Node::MakeSeries {
                input: Box::new(grouped),
                keys: keys.into_iter().map(|c| c.name).collect(),
                axis: axis_name,
                series,
                from,
                to,
                step,
                nonempty,
            },
            schema: Schema { columns, open: false },
        }
    }
}
