//! Tabular expressions: sources and the dispatch over `| operator`s.

use super::naming::result_name;
use super::{Binder, unknown_plan};
use crate::error::SemanticError;
use crate::plan::{Expr, ExprKind, Node, Plan};
use crate::schema::{Column, Schema};
use crate::types::{Type, assignable};
use kql_syntax::ast::{self, OperatorKind, SourceKind};
use kql_syntax::suggest::did_you_mean;
use kql_types::Value;

impl Binder<'_> {
    /// Binds `source | op | op …`.
    pub(crate) fn query(&mut self, q: &ast::Query) -> Plan {
        // A query inside an `extend` item (`toscalar(T | …)`) packs its own
        // rows: the outer extend's input is not its `pack_all()` row.
        let outer_pack_all_row = self.pack_all_row.take();
        let plan = self.query_pipeline(q);
        self.pack_all_row = outer_pack_all_row;
        plan
    }

    fn query_pipeline(&mut self, q: &ast::Query) -> Plan {
        let plan = match &q.source.kind {
            SourceKind::Expr(e) => self.tabular_expr(e),
            SourceKind::Union(u) => self.union(None, u),
            SourceKind::Print(cols) => self.print(cols),
            SourceKind::Range(r) => self.range(r),
            SourceKind::Datatable(dt) => self.datatable(dt),
            SourceKind::Search(se) => self.search(None, se),
        };
        let mut plan = self.depth_checked(plan, q.source.span).unwrap_or_else(unknown_plan);
        // Each operator is checked as it is added: past the limit the rest
        // of the pipeline is not bound, so no plan grows deeper than that.
        for op in &q.operators {
            let next = self.operator(plan, op);
            let next = self.windowed(next, true);
            plan = match self.depth_checked(next, op.span) {
                Some(p) => p,
                None => return unknown_plan(),
            };
        }
        plan
    }

    pub(crate) fn operator(&mut self, input: Plan, op: &ast::Operator) -> Plan {
        match &op.kind {
            OperatorKind::Where { predicate } => self.where_(input, predicate),
            OperatorKind::Project { columns } => self.project(input, columns),
            OperatorKind::Extend { columns } => self.extend(input, columns),
            OperatorKind::ProjectAway { columns } => self.project_away(input, columns),
            OperatorKind::ProjectKeep { columns } => self.project_keep(input, columns),
            OperatorKind::ProjectRename { renames } => self.project_rename(input, renames),
            OperatorKind::ProjectReorder { columns } => self.project_reorder(input, columns),
            OperatorKind::Distinct { columns } => self.distinct(input, columns),
            OperatorKind::MvExpand(m) => self.mv_expand(input, m),
            OperatorKind::Lookup(l) => self.lookup(input, l),
            OperatorKind::Join(j) => self.join(input, j),
            OperatorKind::Union(u) => self.union(Some(input), u),
            OperatorKind::Summarize(s) => self.summarize(input, s),
            OperatorKind::Top(t) => self.top(input, t),
            OperatorKind::Take { count } => self.take(input, count),
            OperatorKind::Sort { keys } => self.sort(input, keys),
            OperatorKind::Parse(p) => self.parse(input, p),
            OperatorKind::MakeSeries(m) => self.make_series(input, m),
            OperatorKind::GetSchema => {
                let plan = self.getschema(input);
                self.mark_serialized(plan)
            }
            OperatorKind::Serialize { columns } => self.serialize(input, columns),
            OperatorKind::Sample { count } => self.sample(input, count),
            OperatorKind::SampleDistinct { count, column } => self.sample_distinct(input, count, column),
            OperatorKind::TopHitters { count, of, by } => self.top_hitters(input, count, of, by.as_ref()),
            OperatorKind::As { params, name } => self.as_(input, params, name),
            OperatorKind::Count => Plan {
                node: Node::Count { input: Box::new(input) },
                schema: Schema::new(vec![Column::new("Count", Type::LONG)]),
            },
            OperatorKind::Render(r) => {
                self.report(SemanticError::RenderIgnored {
                    visualization: r.visualization.name.clone(),
                    span: r.visualization.span,
                });
                let schema = input.schema.clone();
                Plan {
                    node: Node::Render {
                        input: Box::new(input),
                        visualization: r.visualization.name.clone(),
                        properties: render_properties(&r.properties),
                    },
                    schema,
                }
            }
            OperatorKind::Invoke { call } => self.invoke(input, call),
            OperatorKind::Search(se) => self.search(Some(input), se),
            OperatorKind::MvApply(m) => self.mv_apply(input, m),
            OperatorKind::TopNested { levels } => self.top_nested(input, levels),
            OperatorKind::Evaluate(e) => self.evaluate(input, e),
            OperatorKind::Error => unknown_plan(),
        }
    }

    /// `invoke f(args)`: `f` called with the input as its first tabular argument.
    fn invoke(&mut self, input: Plan, call: &ast::Expr) -> Plan {
        let ast::ExprKind::Call { function, args } = &call.kind else {
            return unknown_plan();
        };
        match self.lets.get(&function.name).cloned() {
            Some(super::LetValue::Function(f)) if f.tabular => {
                match self.call_function(&f, function, args, Some((input, function.span)), None, call.span) {
                    super::udf::CallValue::Tabular(plan) => plan,
                    super::udf::CallValue::Scalar(_) => unknown_plan(),
                }
            }
            Some(super::LetValue::Function(_)) => {
                self.report(SemanticError::NotTabular {
                    span: call.span,
                    help: Some(format!(
                        "`invoke` needs a function that returns a table; `{}` returns a scalar",
                        function.name
                    )),
                });
                unknown_plan()
            }
            _ if self.is_user_function(&function.name) => {
                self.report(SemanticError::Recursion { name: function.name.clone(), span: function.span });
                unknown_plan()
            }
            _ => {
                let functions = self.lets.iter().filter(|(_, v)| matches!(v, super::LetValue::Function(_)));
                let names: Vec<&str> = functions.map(|(k, _)| k.as_str()).collect();
                let help = match did_you_mean(&function.name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "`invoke` calls a function defined with `let f = (T:(*), …) { … };`".into(),
                };
                self.report(SemanticError::UnknownFunction {
                    name: function.name.clone(),
                    span: function.span,
                    help: Some(help),
                });
                unknown_plan()
            }
        }
    }

    /// `print a = 1, 2`: one row; unnamed columns are `print_0`, `print_1`, … by position.
    /// The range operator page: a single column of the values Start,
    /// Start + Step, … up to Stop inclusive, typed as Start (long, real,
    /// datetime or timespan; Step a timespan for the time types).
    fn range(&mut self, r: &ast::RangeSource) -> Plan {
        let empty = Schema::default();
        let mut bound = Vec::new();
        for (e, what) in [(&r.from, "the range start"), (&r.to, "the range stop"), (&r.step, "the range step")] {
            let x = self.scalar(e, Some(&empty));
            if !x.is_error() && !super::expr::is_query_constant(&x) {
                self.report(SemanticError::NotConstant { what: what.into(), span: e.span });
            }
            bound.push(x);
        }
        let [from, to, step] = <[Expr; 3]>::try_from(bound).unwrap_or_else(|_| unreachable!());
        use kql_syntax::ScalarType as S;
        let ty = from.ty.scalar();
        let ok = match (ty, to.ty.scalar(), step.ty.scalar()) {
            (Some(S::DateTime), Some(S::DateTime), Some(S::Timespan))
            | (Some(S::Timespan), Some(S::Timespan), Some(S::Timespan)) => true,
            (Some(a), Some(b), Some(c)) => [a, b, c].iter().all(|t| matches!(t, S::Int | S::Long | S::Real)),
            _ => true,
        };
        if !ok {
            self.report(SemanticError::TypeMismatch {
                message: "range takes numbers, or datetimes/timespans with a timespan step".into(),
                span: r.step.span,
                label: "of this".into(),
                help: None,
            });
            return unknown_plan();
        }
        let ty = match ty {
            Some(S::Int) if to.ty.scalar() == Some(S::Real) || step.ty.scalar() == Some(S::Real) => Type::REAL,
            Some(S::Long) if to.ty.scalar() == Some(S::Real) || step.ty.scalar() == Some(S::Real) => Type::REAL,
            Some(S::Int) => Type::LONG,
            Some(t) => Type::Scalar(t),
            None => Type::Unknown,
        };
        Plan {
            node: Node::Range { column: r.column.name.clone(), from, to, step },
            schema: Schema::new(vec![Column::new(r.column.name.clone(), ty)]),
        }
    }

    fn print(&mut self, cols: &[ast::NamedExpr]) -> Plan {
        let empty = Schema::default();
        let mut out: Vec<(String, Expr)> = Vec::new();
        for (i, c) in cols.iter().enumerate() {
            if let Some(tuple) = self.tuple_item(c, &empty) {
                // A named tuple item prints its first column only
                // (Kusto.Language `ProjectionStyle.Print`).
                let keep = if c.name.is_some() { 1 + c.more_names.len() } else { tuple.len() };
                for (name, e) in tuple.into_iter().take(keep) {
                    if out.iter().any(|(n, _)| *n == name) {
                        self.report(SemanticError::DuplicateColumn { name: name.clone(), span: c.span });
                        continue;
                    }
                    out.push((name, e));
                }
                continue;
            }
            let e = self.scalar(&c.expr, Some(&empty));
            let name = match &c.name {
                Some(n) => n.name.clone(),
                None => result_name(&c.expr).unwrap_or_else(|| format!("print_{i}")),
            };
            if out.iter().any(|(n, _)| *n == name) {
                self.report(SemanticError::DuplicateColumn { name: name.clone(), span: c.span });
                continue;
            }
            out.push((name, e));
        }
        let schema = Schema::new(out.iter().map(|(n, e)| Column::new(n.clone(), e.ty)).collect());
        Plan { node: Node::Print { columns: out }, schema }
    }

    /// `datatable(a:long, …) [values]`: literal rows, checked against the column types.
    fn datatable(&mut self, dt: &ast::Datatable) -> Plan {
        // A column declared twice (found by the fuzz suite: the executor
        // then built two columns of one name and failed).
        let mut seen = std::collections::HashSet::new();
        for c in &dt.columns {
            if !seen.insert(c.name.name.as_str()) {
                self.report(SemanticError::DuplicateColumn { name: c.name.name.clone(), span: c.name.span });
            }
        }
        let schema = Schema::new(dt.columns.iter().map(|c| Column::new(c.name.name.clone(), c.ty.ty)).collect());
        let width = dt.columns.len().max(1);
        if !dt.values.len().is_multiple_of(width) {
            let span = dt.values.last().map_or(dt.columns[0].name.span, |v| v.span);
            self.report(SemanticError::TypeMismatch {
                message: format!(
                    "datatable has {} columns but {} values, not a whole number of rows",
                    width,
                    dt.values.len()
                ),
                span,
                label: "incomplete row".into(),
                help: None,
            });
        }
        let empty = Schema::default();
        let mut rows = Vec::new();
        for chunk in dt.values.chunks(width) {
            let mut row = Vec::new();
            for (value, col) in chunk.iter().zip(&dt.columns) {
                let e = self.scalar(value, Some(&empty));
                let v = match e.kind {
                    ExprKind::Literal(v) => v,
                    ExprKind::Error => Value::null_of(col.ty.ty),
                    _ => {
                        self.report(SemanticError::NotConstant { what: "a datatable value".into(), span: value.span });
                        Value::null_of(col.ty.ty)
                    }
                };
                let vt = v.scalar_type();
                let fits = assignable(vt, col.ty.ty) || v.is_null();
                if !fits {
                    self.report(SemanticError::TypeMismatch {
                        message: format!("column `{}` is {}, but the value is {vt}", col.name.name, col.ty.ty),
                        span: value.span,
                        label: format!("this is {vt}"),
                        help: None,
                    });
                }
                row.push(v);
            }
            rows.push(row);
        }
        Plan { node: Node::Datatable { rows }, schema }
    }
}

/// `render`'s properties by lower-case name; the entries of a list written
/// `ycolumns=a, b` (one per name) become one value `a,b`.
fn render_properties(props: &[(ast::Ident, ast::Expr)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in props {
        let name = k.name.to_ascii_lowercase();
        let value = render_value(v);
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, joined)) if matches!(name.as_str(), "ycolumns" | "series" | "anomalycolumns") => {
                joined.push(',');
                joined.push_str(&value);
            }
            _ => out.push((name, value)),
        }
    }
    out
}

/// A `render` property's value as text: a string literal's value, a name
/// (`kind=stacked`, `xcolumn=TimeGenerated`), a number or bool's text.
/// Anything else becomes `?`, which the chart writers refuse.
fn render_value(e: &ast::Expr) -> String {
    if let Some(name) = e.as_name() {
        return name.name.clone();
    }
    match &e.unparen().kind {
        ast::ExprKind::Literal(lit) => match lit {
            ast::Literal::String(s) => s.clone(),
            ast::Literal::Bool(Some(b)) => b.to_string(),
            ast::Literal::Int(Some(n)) => n.to_string(),
            ast::Literal::Long(Some(n)) => n.to_string(),
            ast::Literal::Real(Some(x)) => x.to_string(),
            _ => "?".to_string(),
        },
        _ => "?".to_string(),
    }
}
