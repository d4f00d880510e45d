//! `evaluate pivot(pivotColumn [, aggregationFunction] [, column1 [,
//! column2 …]]) [: OutputSchema]` (the pivot plugin page,
//! <https://learn.microsoft.com/kusto/query/pivot-plugin>): one output row
//! per distinct value of the group columns (those named, by default every
//! column but the pivoted one and those the aggregation reads), then one
//! column per distinct value of the pivot column holding the aggregation
//! over the rows with that value (`count()` by default).
//!
//! Without an output schema the value columns depend on the data: `check`
//! gives the operator an open schema (the group columns, then any name),
//! and a run first reads the data for the values, in the order they first
//! appear (the page's example lists ARKANSAS before ARIZONA, so not sorted
//! by name), then binds again with them ([`Params::set_unpacked`]). The
//! operator then becomes `summarize v1 = countif(P == "v1"), … by column1,
//! …`: a cell with no rows holds 0, as the page's outputs show for
//! `count()` and `sum()` (`sumif` is coalesced to 0). Of the page's
//! aggregations ntaq takes those whose empty cell that fixes: `count()`,
//! `sum()`, and `dcount()` (no values, 0 distinct ones); the others
//! (`min()`, `avg()`, `make_list()`, …) are `kql::unsupported`.
//!
//! [`Params::set_unpacked`]: super::Params::set_unpacked

use super::{Binder, unknown_plan};
use crate::error::SemanticError;
use crate::functions::{self, FunctionKind};
use crate::optimize::{Names, referenced_columns};
use crate::plan::{Expr, ExprKind, Node, Plan};
use crate::schema::{Column, Schema};
use crate::types::Type;
use kql_syntax::ast::{self, BinaryOp, ExprKind as A, Ident, Literal, NamedExpr};
use kql_syntax::{ScalarType, Span};

/// The aggregations the page lists that ntaq does not take (the value of
/// a cell without rows is not documented for them).
const UNSUPPORTED: [&str; 9] =
    ["min", "max", "take_any", "avg", "stdev", "variance", "make_list", "make_bag", "make_set"];

impl Binder<'_> {
    pub(super) fn pivot(&mut self, input: Plan, e: &ast::Evaluate) -> Plan {
        let row = input.schema.clone();
        let call_span = e.plugin.span.to(e.args.last().map_or(e.plugin.span, |a| a.span));
        if let Some(a) = e.args.iter().find(|a| matches!(a.kind, A::NamedArg { .. })) {
            if let A::NamedArg { name, .. } = &a.kind {
                self.report(SemanticError::UnknownArgument {
                    function: "pivot".into(),
                    name: name.name.clone(),
                    span: name.span,
                    help: Some(
                        "pivot's arguments are positional: pivot(pivotColumn [, aggregation] [, columns…])".into(),
                    ),
                });
            }
            return unknown_plan();
        }
        let Some(pivot_arg) = e.args.first() else {
            self.report(SemanticError::WrongArity {
                function: "pivot".into(),
                expected: "1 or more".into(),
                found: 0,
                span: call_span,
                help: Some("name the column whose values become columns: `pivot(Column)`".into()),
            });
            return unknown_plan();
        };
        let Some(column) = self.pivot_column(pivot_arg, &row, "the column to pivot") else {
            return unknown_plan();
        };
        if let Some(Type::Scalar(t)) = row.get(&column).map(|c| c.ty)
            && !matches!(t, ScalarType::String | ScalarType::Int | ScalarType::Long)
        {
            self.report(SemanticError::Unsupported {
                what: format!("pivoting a {t} column"),
                span: pivot_arg.span,
                help: Some(format!(
                    "the column names Kusto makes of {t} values are not documented; pivot a string: `extend {column} = tostring({column})`"
                )),
            });
            return unknown_plan();
        }

        // The aggregation, if the second argument calls one.
        let aggregation = e.args.get(1).and_then(|a| match &a.unparen().kind {
            A::Call { function, args } => functions::lookup(&function.name)
                .filter(|d| d.kind == FunctionKind::Aggregate)
                .map(|_| (a, function, args.as_slice())),
            _ => None,
        });
        let (conditional, agg_args): (&str, &[ast::Expr]) = match aggregation {
            None => ("countif", &[]),
            Some((call, function, args)) => {
                let conditional = match function.name.as_str() {
                    "count" => "countif",
                    "sum" => "sumif",
                    "dcount" => "dcountif",
                    f if UNSUPPORTED.contains(&f) => {
                        self.report(SemanticError::Unsupported {
                            what: format!("`{f}()` as pivot's aggregation"),
                            span: call.span,
                            help: Some(format!(
                                "ntaq's pivot takes count(), sum() and dcount(); for {f}() write `summarize {f}(…) by …, {column}`"
                            )),
                        });
                        return unknown_plan();
                    }
                    f => {
                        self.report(SemanticError::TypeMismatch {
                            message: format!("`{f}()` is not one of pivot's aggregation functions"),
                            span: call.span,
                            label: "not a pivot aggregation".into(),
                            help: Some(
                                "the pivot page lists min(), max(), take_any(), sum(), dcount(), avg(), stdev(), variance(), make_list(), make_bag(), make_set() and count()"
                                    .into(),
                            ),
                        });
                        return unknown_plan();
                    }
                };
                (conditional, args)
            }
        };
        // Columns the aggregation reads (not group columns by default).
        let mut read = Names::new();
        let mut arg_types = Vec::new();
        for a in agg_args {
            let x = self.scalar(a, Some(&row));
            if x.is_error() {
                return unknown_plan();
            }
            referenced_columns(&x, &mut read);
            arg_types.push(x.ty);
        }
        // ntaq's sumif gives null for a group without a matching row; the
        // page's cells without rows hold 0, so sum's are coalesced to 0 of
        // the sum's type.
        let zero = match (conditional, arg_types.first()) {
            ("sumif", Some(Type::Scalar(ScalarType::Int | ScalarType::Long))) => Some(Literal::Long(Some(0))),
            ("sumif", Some(Type::Scalar(ScalarType::Real))) => Some(Literal::Real(Some(0.0))),
            ("sumif", Some(Type::Scalar(t))) => {
                self.report(SemanticError::Unsupported {
                    what: format!("pivot's sum() of {t} values"),
                    span: e.args[1].span,
                    help: Some("ntaq's pivot sums int, long and real values".into()),
                });
                return unknown_plan();
            }
            _ => None,
        };
        let named = &e.args[if aggregation.is_some() { 2 } else { 1 }..];
        let mut group: Vec<String> = Vec::new();
        if named.is_empty() {
            group.extend(
                row.columns.iter().filter(|c| c.name != column && !read.contains(&c.name)).map(|c| c.name.clone()),
            );
        }
        for a in named {
            let Some(c) = self.pivot_column(a, &row, "a column to group by") else {
                return unknown_plan();
            };
            if group.contains(&c) {
                self.report(SemanticError::DuplicateColumn { name: c, span: a.span });
                return unknown_plan();
            }
            group.push(c);
        }

        // The value columns: declared by the output schema, or found in the data.
        let declared: Option<Vec<(String, ScalarType, Span)>> =
            e.schema.as_ref().map(|s| s.columns.iter().map(|d| (d.name.name.clone(), d.ty.ty, d.name.span)).collect());
        let values: Vec<String> = if let Some(s) = &e.schema {
            if s.star {
                self.report(SemanticError::Unsupported {
                    what: "`*` in pivot's output schema".into(),
                    span: s.span,
                    help: Some("list the columns: `: (Group:string, Value1:long, …)`".into()),
                });
                return unknown_plan();
            }
            if let Some(g) = group.iter().find(|g| !s.columns.iter().any(|d| d.name.name == **g)) {
                self.report(SemanticError::TypeMismatch {
                    message: format!("pivot's output schema lacks the group column `{g}`"),
                    span: s.span,
                    label: "the output schema".into(),
                    help: Some("list every group column, then the value columns".into()),
                });
                return unknown_plan();
            }
            s.columns.iter().map(|d| d.name.name.clone()).filter(|n| !group.contains(n)).collect()
        } else if let Some(found) = self.params.unpacked(call_span.start) {
            if found.iter().any(|(v, _)| v.is_empty()) {
                self.report(SemanticError::Unsupported {
                    what: format!("a null or empty value in pivot's column `{column}`"),
                    span: pivot_arg.span,
                    help: Some(format!(
                        "the column name Kusto gives it is not documented; drop those rows first (`where isnotempty({column})`)"
                    )),
                });
                return unknown_plan();
            }
            found.iter().map(|(v, _)| v.clone()).collect()
        } else {
            let columns: Vec<Column> = group.iter().filter_map(|g| row.get(g).cloned()).collect();
            let schema = Schema { columns, open: true };
            let node = Node::Pivot { input: Box::new(input), column, span: call_span };
            return Plan { node, schema };
        };

        // `summarize v = countif(P == "v"), … by group`.
        let span = call_span;
        let name = |n: &str| ast::Expr::new(A::Name(Ident::new(n, span)), span);
        let key = match row.get(&column).map(|c| c.ty) {
            Some(Type::Scalar(ScalarType::String)) => name(&column),
            _ => ast::Expr::new(A::Call { function: Ident::new("tostring", span), args: vec![name(&column)] }, span),
        };
        let aggregates: Vec<NamedExpr> = values
            .iter()
            .map(|v| {
                let test = ast::Expr::new(
                    A::Binary {
                        op: BinaryOp::Eq,
                        op_span: span,
                        left: Box::new(key.clone()),
                        right: Box::new(ast::Expr::new(A::Literal(Literal::String(v.clone())), span)),
                    },
                    span,
                );
                // countif(test), sumif(x, test), dcountif(x, test [, accuracy]).
                let mut args: Vec<ast::Expr> = agg_args.iter().take(1).cloned().collect();
                args.push(test);
                args.extend(agg_args.iter().skip(1).cloned());
                let mut call = ast::Expr::new(A::Call { function: Ident::new(conditional, span), args }, span);
                if let Some(zero) = &zero {
                    let zero = ast::Expr::new(A::Literal(zero.clone()), span);
                    call = ast::Expr::new(
                        A::Call { function: Ident::new("coalesce", span), args: vec![call, zero] },
                        span,
                    );
                }
                NamedExpr { more_names: Vec::new(), name: Some(Ident::new(v.clone(), span)), expr: call, span }
            })
            .collect();
        if aggregates.is_empty() && group.is_empty() {
            // No rows, hence no values and no groups: an empty table.
            return Plan { node: Node::Datatable { rows: Vec::new() }, schema: Schema::new(Vec::new()) };
        }
        let by: Vec<NamedExpr> =
            group.iter().map(|g| NamedExpr { more_names: Vec::new(), name: None, expr: name(g), span }).collect();
        let summarize = ast::Summarize { params: Vec::new(), aggregates, by };
        let plan = self.summarize(input, &summarize);
        let Some(declared) = declared else {
            return plan;
        };
        // The declared columns, in their order and types.
        let mut columns: Vec<(String, Expr)> = Vec::new();
        for (n, ty, at) in declared {
            let Some(c) = plan.schema.get(&n) else {
                return unknown_plan();
            };
            let value = Expr::new(ExprKind::Column(n.clone()), c.ty, at);
            let value = if c.ty == Type::Scalar(ty) {
                value
            } else {
                match self.converted(value, Type::Scalar(ty), at, "column in pivot's output schema") {
                    Some(v) => v,
                    None => return unknown_plan(),
                }
            };
            columns.push((n, value));
        }
        super::operators::project_plan(plan, columns, false)
    }

    /// The input column named by `arg` (`what` says which), or `None`
    /// after reporting why not.
    fn pivot_column(&mut self, arg: &ast::Expr, row: &Schema, what: &str) -> Option<String> {
        let Some(id) = arg.as_name() else {
            self.report(SemanticError::TypeMismatch {
                message: format!("pivot's argument here is {what}, a column of its input"),
                span: arg.span,
                label: "not a column name".into(),
                help: Some("compute it first: `extend c = … | evaluate pivot(c)`".into()),
            });
            return None;
        };
        let c = self.column_item(arg, row);
        if c.is_error() {
            return None;
        }
        Some(id.name.clone())
    }
}
