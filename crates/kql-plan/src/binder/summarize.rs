//! `summarize`: grouping keys, aggregations and Kusto's naming of their
//! columns (`count_`, `sum_X`, `arg_max` tuples).

use super::Binder;
use super::naming::result_name_in;
use super::operators::{declared_name, identity_columns, project_plan};
use crate::error::SemanticError;
use crate::functions::{self, AggregateFn as G, FunctionDef, FunctionKind};
use crate::plan::{Aggregate, Expr, ExprKind, Node, Plan};
use crate::schema::{Column, OutputNames, Schema};
use crate::types::Type;
use kql_syntax::Span;
use kql_syntax::ast::{self, ExprKind as A};

/// Aggregations found while binding one `summarize`.
pub(crate) struct PendingAggregates {
    /// The rows being aggregated: aggregate arguments bind here.
    pub(crate) input: Schema,
    aggregates: Vec<Aggregate>,
    hidden: usize,
}

/// The aggregation function called directly by `e`, if any.
fn direct_aggregate(e: &ast::Expr) -> Option<(&'static FunctionDef, &[ast::Expr])> {
    match &e.unparen().kind {
        A::Call { function, args } => functions::lookup(&function.name)
            .filter(|d| d.kind == FunctionKind::Aggregate)
            .map(|d| (d, args.as_slice())),
        _ => None,
    }
}

/// True if `e` calls an aggregation function somewhere.
fn contains_aggregate(e: &ast::Expr) -> bool {
    match &e.kind {
        A::Call { function, args } => {
            functions::lookup(&function.name).is_some_and(|d| d.kind == FunctionKind::Aggregate)
                || args.iter().any(contains_aggregate)
        }
        A::Paren(x) | A::Unary { operand: x, .. } | A::Member { target: x, .. } => contains_aggregate(x),
        A::Index { target, index } => contains_aggregate(target) || contains_aggregate(index),
        A::Binary { left, right, .. } => contains_aggregate(left) || contains_aggregate(right),
        A::In { expr, list, .. } => contains_aggregate(expr) || list.iter().any(contains_aggregate),
        A::Between { expr, low, high, .. } => {
            contains_aggregate(expr) || contains_aggregate(low) || contains_aggregate(high)
        }
        _ => false,
    }
}

/// Functions whose result is a tuple of columns named after their arguments.
fn is_tuple_aggregate(def: &FunctionDef, args: &[ast::Expr]) -> bool {
    match def.aggregate() {
        Some(G::Any) => args.len() > 1 || args.iter().any(|a| matches!(a.kind, A::Star)),
        Some(f) => f.is_tuple(),
        None => false,
    }
}

impl Binder<'_> {
    pub(crate) fn summarize(&mut self, input: Plan, s: &ast::Summarize) -> Plan {
        let row = input.schema.clone();
        let mut names = OutputNames::default();
        let mut taken: Vec<String> = Vec::new();

        let mut keys: Vec<(String, Expr)> = Vec::new();
        for k in &s.by {
            let e = self.item(k, &row);
            let name = match &k.name {
                Some(n) => n.name.clone(),
                None => match result_name_in(&k.expr, Some(&row)) {
                    Some(n) => n,
                    None => self.default_column_name(&row, &taken),
                },
            };
            let declared = declared_name(k, &e).is_some();
            if !self.claim_name(&name, declared, k.span, &mut names, &mut taken) {
                continue;
            }
            let name = taken.last().cloned().unwrap_or(name);
            if e.ty == Type::DYNAMIC {
                // Kusto.Language accepts a dynamic key; the engine does not.
                self.report(SemanticError::EngineRejects {
                    message: format!("summarize group key `{name}` is dynamic, which Kusto's engine rejects"),
                    span: k.span,
                    label: "dynamic".into(),
                    help: Some(format!("cast it, e.g. `by {name} = tostring(…)`")),
                });
            }
            keys.push((name, e));
        }
        let key_schema =
            Schema { columns: keys.iter().map(|(n, e)| Column::new(n.clone(), e.ty)).collect(), open: row.open };
        let key_columns: Vec<String> = keys
            .iter()
            .filter_map(|(_, e)| match &e.kind {
                ExprKind::Column(c) => Some(c.clone()),
                _ => None,
            })
            .collect();

        let outer = self.pending_aggregates.replace(PendingAggregates {
            input: row.clone(),
            aggregates: Vec::new(),
            hidden: 0,
        });
        // Final columns after aggregation when some item is an expression over aggregates.
        let mut finals: Vec<(String, Expr)> = Vec::new();
        let mut compound = false;
        for item in &s.aggregates {
            if let Some((def, args)) = direct_aggregate(&item.expr) {
                let outputs = self.direct_aggregate(def, args, item, &row, &key_columns);
                for (i, (name, ty, span)) in outputs.into_iter().enumerate() {
                    // Only the first result of a named item is declared.
                    if self.claim_name(&name, item.name.is_some() && i == 0, span, &mut names, &mut taken) {
                        let unique = taken.last().cloned().unwrap_or(name);
                        if let Some(agg) = self.pending_aggregates.as_mut().and_then(|p| p.aggregates.last_mut())
                            && let Some(slot) = agg.outputs.iter_mut().find(|o| o.is_empty())
                        {
                            *slot = unique.clone();
                        }
                        finals.push((unique.clone(), Expr::new(ExprKind::Column(unique), ty, span)));
                    }
                }
                continue;
            }
            if !contains_aggregate(&item.expr) {
                // Bind in the input's scope for its own errors, then say what is wrong.
                let e = self.scalar(&item.expr, Some(&row));
                if !e.is_error() {
                    self.report(SemanticError::NotAggregate {
                        span: item.expr.span,
                        help: Some(
                            "wrap it in an aggregation such as take_any(…) or count(), or move it to `by`".into(),
                        ),
                    });
                }
                continue;
            }
            let e = self.scalar(&item.expr, Some(&key_schema));
            let name = match &item.name {
                Some(n) => n.name.clone(),
                None => match result_name_in(&item.expr, Some(&key_schema)) {
                    Some(n) => n,
                    None => self.default_column_name(&row, &taken),
                },
            };
            if self.claim_name(&name, item.name.is_some(), item.span, &mut names, &mut taken) {
                let unique = taken.last().cloned().unwrap_or(name);
                finals.push((unique, e));
                compound = true;
            }
        }
        let pending = std::mem::replace(&mut self.pending_aggregates, outer).map_or_else(Vec::new, |p| p.aggregates);
        // Drop outputs left unnamed by a duplicate-name error.
        let aggregates: Vec<Aggregate> = pending
            .into_iter()
            .map(|mut a| {
                a.outputs.retain(|o| !o.is_empty());
                a
            })
            .collect();

        let mut columns: Vec<Column> = keys.iter().map(|(n, e)| Column::new(n.clone(), e.ty)).collect();
        for a in &aggregates {
            for (k, name) in a.outputs.iter().enumerate() {
                columns.push(Column::new(name.clone(), aggregate_output_type(a, k)));
            }
        }
        let plan = Plan {
            node: Node::Summarize { input: Box::new(input), keys, aggregates },
            schema: Schema { columns, open: row.open },
        };
        if !compound {
            return plan;
        }
        let mut cols: Vec<(String, Expr)> = identity_columns(&key_schema);
        cols.extend(finals);
        project_plan(plan, cols, row.open)
    }

    /// Takes `name` for an output column: a declared name (`Name = …`, a
    /// bare column key) must not be declared twice, derived ones get a
    /// numeric suffix ([`OutputNames`]). Pushes the final name onto `taken`.
    fn claim_name(
        &mut self,
        name: &str,
        declared: bool,
        span: Span,
        names: &mut OutputNames,
        taken: &mut Vec<String>,
    ) -> bool {
        if declared {
            let Some(n) = names.declare(name) else {
                self.report(SemanticError::DuplicateColumn { name: name.to_string(), span });
                return false;
            };
            taken.push(n);
        } else {
            taken.push(names.add(name));
        }
        true
    }

    /// Binds an item that is a direct aggregation call. Registers the
    /// aggregate (with its output names still empty) and returns the output
    /// columns to name: `(name, type, span)`.
    fn direct_aggregate(
        &mut self,
        def: &'static FunctionDef,
        args: &[ast::Expr],
        item: &ast::NamedExpr,
        row: &Schema,
        key_columns: &[String],
    ) -> Vec<(String, Type, Span)> {
        let span = item.expr.span;
        if is_tuple_aggregate(def, args) {
            let mut outputs = self.tuple_aggregate(def, args, row, key_columns, span);
            // `Name = arg_max(x, *)` names the first result (x's) only; the
            // others keep their names, made unique if need be
            // (Kusto.Language's Binder_Projection: "single name assigned
            // from multi-value tuple just assigns the first value").
            if let (Some(n), Some((first, _))) = (&item.name, outputs.first_mut()) {
                *first = n.name.clone();
            }
            let bound: Vec<Expr> = outputs.iter().map(|(_, e)| e.clone()).collect();
            let names: Vec<(String, Type, Span)> = outputs.iter().map(|(n, e)| (n.clone(), e.ty, e.span)).collect();
            self.register_aggregate(def, bound, names.len());
            return names;
        }
        if matches!(def.aggregate(), Some(G::Percentile | G::Percentiles)) {
            return self.percentiles(def, args, item, row);
        }
        let bound = self.aggregate_args(args, row);
        let ty = self.check_call(def, &bound, span);
        self.register_aggregate(def, bound, 1);
        let name = match &item.name {
            Some(n) => n.name.clone(),
            None => result_name_in(&item.expr, Some(row)).unwrap_or_else(|| format!("{}_", def.name)),
        };
        vec![(name, ty, item.name.as_ref().map_or(span, |n| n.span))]
    }

    /// `percentile(x, 50)`, `percentiles(x, 50, 90)`: one column per
    /// percentile, `percentile_x_50` (Aggregates.cs `AddPercentileColumns`:
    /// the constant's text with every character but letters and digits
    /// made `_`).
    fn percentiles(
        &mut self,
        def: &'static FunctionDef,
        args: &[ast::Expr],
        item: &ast::NamedExpr,
        row: &Schema,
    ) -> Vec<(String, Type, Span)> {
        let span = item.expr.span;
        let bound = self.aggregate_args(args, row);
        let ty = self.check_call(def, &bound, span);
        let value_name = args.first().and_then(|a| result_name_in(a, Some(row))).unwrap_or_default();
        let mut names: Vec<(String, Type, Span)> = bound
            .iter()
            .skip(1)
            .map(|p| {
                let text = match &p.kind {
                    ExprKind::Literal(v) => v.to_string(),
                    _ => String::new(),
                };
                let fragment: String = text.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect();
                (format!("percentile_{value_name}_{fragment}"), ty, span)
            })
            .collect();
        if let Some(n) = &item.name {
            match names.as_mut_slice() {
                [(only, _, s)] => {
                    *only = n.name.clone();
                    *s = n.span;
                }
                _ => self.report(SemanticError::Unsupported {
                    what: format!("naming the several results of `{}` with `{} =`", def.name, n.name),
                    span: n.span,
                    help: Some("leave it unnamed and rename with project-rename".into()),
                }),
            }
        }
        self.register_aggregate(def, bound, names.len());
        names
    }

    fn register_aggregate(&mut self, function: &'static FunctionDef, args: Vec<Expr>, outputs: usize) {
        if let Some(p) = self.pending_aggregates.as_mut() {
            p.aggregates.push(Aggregate { function, args, outputs: vec![String::new(); outputs] });
        }
    }

    /// Binds aggregate arguments in the aggregated rows' scope; no nested aggregations.
    fn aggregate_args(&mut self, args: &[ast::Expr], row: &Schema) -> Vec<Expr> {
        let pending = self.pending_aggregates.take();
        let bound = args.iter().map(|a| self.scalar(a, Some(row))).collect();
        self.pending_aggregates = pending;
        bound
    }

    /// An aggregation inside a larger expression (`sum(a) / count()`): it
    /// gets a hidden output column that the expression then reads.
    pub(crate) fn aggregate_in_expression(
        &mut self,
        def: &'static FunctionDef,
        args: &[ast::Expr],
        _row: Option<&Schema>,
        span: Span,
    ) -> Expr {
        let input = match &self.pending_aggregates {
            Some(p) => p.input.clone(),
            None => return Expr::error(span),
        };
        if is_tuple_aggregate(def, args) || (def.aggregate() == Some(G::Percentiles) && args.len() > 2) {
            self.report(SemanticError::Unsupported {
                what: format!("`{}` inside an expression", def.name),
                span,
                help: Some("use it as a whole summarize item".into()),
            });
            return Expr::error(span);
        }
        let bound = self.aggregate_args(args, &input);
        let ty = self.check_call(def, &bound, span);
        let Some(p) = self.pending_aggregates.as_mut() else {
            return Expr::error(span);
        };
        p.hidden += 1;
        let name = format!("__agg{}", p.hidden);
        p.aggregates.push(Aggregate { function: def, args: bound, outputs: vec![name.clone()] });
        Expr::new(ExprKind::Column(name), ty, span)
    }

    /// `arg_max(T, a, *)`, `take_any(a, b)`: one output column per returned
    /// value, named as Kusto names them (Kusto.Language `GetArgMinMaxResult`,
    /// `GetAnyResult`).
    fn tuple_aggregate(
        &mut self,
        def: &'static FunctionDef,
        args: &[ast::Expr],
        row: &Schema,
        key_columns: &[String],
        span: Span,
    ) -> Vec<(String, Expr)> {
        // Unknown types are accepted everywhere, so this checks the arity only.
        if let Err(crate::functions::CallError::Arity { expected }) = def.check(&vec![Type::Unknown; args.len()]) {
            self.report(SemanticError::WrongArity {
                function: def.name.to_string(),
                expected,
                found: args.len(),
                span,
                help: Some(format!("usage: {}", def.signature_text())),
            });
            return Vec::new();
        }
        let is_arg = matches!(def.aggregate(), Some(G::ArgMax | G::ArgMin));
        let prefix = if def.aggregate() == Some(G::ArgMax) { "max" } else { "min" };
        let any_star = args.iter().any(|a| matches!(a.kind, A::Star));
        let mut out: Vec<(String, Expr)> = Vec::new();
        let mut added: Vec<String> = if is_arg { Vec::new() } else { key_columns.to_vec() };
        let pending = self.pending_aggregates.take();
        let primary_name = args.first().and_then(|a| result_name_in(a, Some(row))).unwrap_or_default();
        for (i, a) in args.iter().enumerate() {
            if matches!(a.kind, A::Star) {
                for c in &row.columns {
                    let skip = any_star && (added.contains(&c.name) || (is_arg && key_columns.contains(&c.name)));
                    if !skip {
                        added.push(c.name.clone());
                        out.push((c.name.clone(), Expr::new(ExprKind::Column(c.name.clone()), c.ty, a.span)));
                    }
                }
                continue;
            }
            let e = self.scalar(a, Some(row));
            if is_arg
                && i == 0
                && let Type::Scalar(t) = e.ty
                && !crate::functions::ArgType::Orderable.accepts(Type::Scalar(t))
            {
                self.report(SemanticError::TypeMismatch {
                    message: format!("argument 1 of `{}()` must be orderable, found {t}", def.name),
                    span: a.span,
                    label: format!("this is {t}"),
                    help: None,
                });
            }
            if let ExprKind::Column(c) = &e.kind {
                let skip = i > 0 && any_star && (added.contains(c) || (is_arg && key_columns.contains(c)));
                if !skip {
                    added.push(c.clone());
                    out.push((c.clone(), e));
                }
                continue;
            }
            let name = result_name_in(a, Some(row)).filter(|n| !n.is_empty()).unwrap_or_else(|| {
                if !is_arg {
                    // GetAnyResult: take_any prefixes `any_`, the old any() does not.
                    let prefix = if def.aggregate() == Some(G::TakeAny) { "any_" } else { "" };
                    format!("{prefix}arg{i}")
                } else if i == 0 {
                    format!("{prefix}_")
                } else {
                    format!("{prefix}_{primary_name}_arg{i}")
                }
            });
            out.push((name, e));
        }
        self.pending_aggregates = pending;
        out
    }
}

/// The type of output `k` of an aggregate.
fn aggregate_output_type(a: &Aggregate, k: usize) -> Type {
    let arg_types: Vec<Type> = a.args.iter().map(|e| e.ty).collect();
    let tuple = match a.function.aggregate() {
        Some(G::Any) => a.outputs.len() > 1,
        Some(f) => f.is_tuple(),
        None => false,
    };
    if tuple {
        return arg_types.get(k).copied().unwrap_or(Type::Unknown);
    }
    a.function.check(&arg_types).unwrap_or(Type::Unknown)
}
