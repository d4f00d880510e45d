//! `top-nested`: hierarchical aggregation and top values (the top-nested
//! operator page).
//!
//! Each clause `[N] of [Name =] Expr [with others = C] by [Name =]
//! Aggregation [asc|desc]` adds two columns: the key (named as a summarize
//! key would be: `Name`, the column, `bin(x, …)` → `x`, else `ColumnN`)
//! and the aggregate (`Name`, else `aggregated_` + the key's name). The
//! aggregation is bound as a `summarize` over the rows of one group at a
//! time (so `sum(x) / count()` and the other algebraic combinations work).

use super::Binder;
use super::expr::is_constant;
use super::naming::result_name;
use crate::error::SemanticError;
use crate::plan::{Node, Plan, TOP_NESTED_GROUP, TOP_NESTED_TABLE, TOP_NESTED_VALUE, TopNestedLevel};
use crate::schema::{Column, Schema};
use crate::types::Type;
use kql_syntax::ast::{self, SortOrder};

impl Binder<'_> {
    pub(crate) fn top_nested(&mut self, input: Plan, levels: &[ast::TopNestedLevel]) -> Plan {
        let row = input.schema.clone();
        let mut columns: Vec<Column> = Vec::new();
        let mut bound = Vec::new();
        let mut taken: Vec<String> = Vec::new();
        for l in levels {
            let count = l.count.as_ref().map(|c| self.constant_count(c, &row, "the number of values of `top-nested`"));
            let key = self.item(&l.expr, &row);
            let key_name = match &l.expr.name {
                Some(n) => n.name.clone(),
                None => match result_name(&l.expr.expr) {
                    Some(n) => n,
                    None => self.default_column_name(&row, &taken),
                },
            };
            let aggregate_name = match &l.aggregate.name {
                Some(n) => n.name.clone(),
                None => format!("aggregated_{key_name}"),
            };
            let aggregate = self.top_nested_aggregate(&row, &l.aggregate);
            let value_ty = aggregate.schema.get(TOP_NESTED_VALUE).map_or(Type::Unknown, |c| c.ty);
            let others = l.others.as_ref().and_then(|o| {
                let e = self.scalar(o, None);
                if e.is_error() {
                    return None;
                }
                let Some(v) = e.as_literal().filter(|_| is_constant(&e)).cloned() else {
                    self.report(SemanticError::NotConstant { what: "the value of `with others`".into(), span: o.span });
                    return None;
                };
                match key.ty {
                    Type::Scalar(t) if t != v.scalar_type() && !v.is_null() => {
                        self.report(SemanticError::TypeMismatch {
                            message: format!("`with others` needs a {t} value, like the key it stands for"),
                            span: o.span,
                            label: format!("this is {}", v.scalar_type()),
                            help: None,
                        });
                        None
                    }
                    _ => Some(v),
                }
            });
            for (name, span) in [(&key_name, l.expr.span), (&aggregate_name, l.aggregate.span)] {
                if taken.contains(name) {
                    self.report(SemanticError::DuplicateColumn { name: name.clone(), span });
                }
                taken.push(name.clone());
            }
            columns.push(Column::new(key_name.clone(), key.ty));
            columns.push(Column::new(aggregate_name.clone(), value_ty));
            bound.push(TopNestedLevel {
                key,
                key_name,
                aggregate_name,
                count,
                others,
                descending: l.order != Some(SortOrder::Asc),
                aggregate: Box::new(aggregate),
            });
        }
        Plan {
            node: Node::TopNested { input: Box::new(input), levels: bound },
            schema: Schema { columns, open: row.open },
        }
    }

    /// `summarize $value = Aggregation by $group` over the rows of `row`
    /// numbered by group.
    fn top_nested_aggregate(&mut self, row: &Schema, aggregate: &ast::NamedExpr) -> Plan {
        let span = aggregate.span;
        let mut columns = row.columns.clone();
        columns.push(Column::new(TOP_NESTED_GROUP, Type::LONG));
        let scan = Plan {
            node: Node::Scan { table: TOP_NESTED_TABLE.to_string() },
            schema: Schema { columns, open: row.open },
        };
        let group = ast::Expr::new(ast::ExprKind::Name(ast::Ident::new(TOP_NESTED_GROUP, span)), span);
        let s = ast::Summarize {
            params: Vec::new(),
            aggregates: vec![ast::NamedExpr {
                more_names: Vec::new(),
                name: Some(ast::Ident::new(TOP_NESTED_VALUE, span)),
                expr: aggregate.expr.clone(),
                span,
            }],
            by: vec![ast::NamedExpr { more_names: Vec::new(), name: None, expr: group, span }],
        };
        self.summarize(scan, &s)
    }
}
