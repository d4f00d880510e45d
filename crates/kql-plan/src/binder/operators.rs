//! Row-wise and projection operators: where, project, extend, project-away,
//! project-keep, project-rename, distinct, mv-expand, top, take, sort.

use super::Binder;
use super::expr::is_constant;
use super::naming::result_name_in;
use crate::error::SemanticError;
use crate::functions::{self, FunctionDef, ScalarFn};
use crate::optimize::referenced_columns;
use crate::plan::{Expr, ExprKind, Node, Plan, SortKey};
use crate::schema::{Column, OutputNames, Schema};
use crate::types::Type;
use kql_syntax::ScalarType;
use kql_syntax::Span;
use kql_syntax::ast::{self, DistinctColumns, NullsOrder, SortOrder};
use kql_syntax::suggest::did_you_mean;
use kql_types::Value;
use std::collections::{BTreeSet, HashSet};

/// `column` (identity) expressions for every column of `schema`.
pub(crate) fn identity_columns(schema: &Schema) -> Vec<(String, Expr)> {
    schema
        .columns
        .iter()
        .map(|c| (c.name.clone(), Expr::new(ExprKind::Column(c.name.clone()), c.ty, Span::default())))
        .collect()
}

/// A projection plan over `input` with output columns `cols`; `input`
/// itself when the projection would keep every column as it is.
pub(crate) fn project_plan(input: Plan, cols: Vec<(String, Expr)>, open: bool) -> Plan {
    let identity = cols.len() == input.schema.len()
        && open == input.schema.open
        && cols
            .iter()
            .zip(&input.schema.columns)
            .all(|((n, e), c)| *n == c.name && matches!(&e.kind, ExprKind::Column(x) if *x == c.name));
    if identity {
        return input;
    }
    // A hidden column passed through under its own name stays hidden.
    let hidden = |n: &str, e: &Expr| {
        matches!(&e.kind, ExprKind::Column(x) if x == n) && input.schema.get(n).is_some_and(|c| c.hidden)
    };
    let columns = cols.iter().map(|(n, e)| Column { hidden: hidden(n, e), ..Column::new(n.clone(), e.ty) }).collect();
    let schema = Schema { columns, open };
    Plan { node: Node::Project { input: Box::new(input), columns: cols }, schema }
}

/// The query's result: without the hidden standard columns it did not name
/// (a projection at the end of the query leaves them out itself).
pub(crate) fn without_hidden(mut plan: Plan) -> Plan {
    if !plan.schema.has_hidden() {
        return plan;
    }
    if let Node::Project { columns, .. } = &mut plan.node {
        let hidden: Vec<String> = plan.schema.columns.iter().filter(|c| c.hidden).map(|c| c.name.clone()).collect();
        columns.retain(|(n, _)| !hidden.contains(n));
        plan.schema.columns.retain(|c| !c.hidden);
        return plan;
    }
    let open = plan.schema.open;
    let cols = plan
        .schema
        .visible()
        .map(|c| (c.name.clone(), Expr::new(ExprKind::Column(c.name.clone()), c.ty, Span::default())))
        .collect();
    project_plan(plan, cols, open)
}

/// The name an item declares, with the span to report a duplicate at:
/// `Name = …`, or a reference to a column — bare, or through a conversion
/// that does not change its type such as `tostring(StringColumn)`
/// (Kusto.Language `ProjectionBuilder.Declare`, `GetResultColumn`). `None`
/// for derived names (`strlen_s`, `Column1`, `count_`), which are made
/// unique instead.
pub(crate) fn declared_name(item: &ast::NamedExpr, bound: &Expr) -> Option<(String, Span)> {
    if let Some(n) = &item.name {
        return Some((n.name.clone(), n.span));
    }
    let column = match (&item.expr.unparen().kind, &bound.kind) {
        (ast::ExprKind::Name(_), ExprKind::Column(c)) => c,
        (ast::ExprKind::Call { function, args }, ExprKind::Call { args: bound_args, .. })
            if is_conversion(&function.name)
                && matches!(args.as_slice(), [a] if matches!(a.unparen().kind, ast::ExprKind::Name(_))) =>
        {
            match bound_args.as_slice() {
                [Expr { kind: ExprKind::Column(c), ty, .. }] if *ty == bound.ty => c,
                _ => return None,
            }
        }
        (ast::ExprKind::Call { function, .. }, ExprKind::Column(c)) if is_conversion(&function.name) => c,
        _ => return None,
    };
    Some((column.clone(), item.expr.span))
}

/// True if `name` is a `to<type>()` conversion (Kusto.Language
/// `Binder.IsConversionFunction`, for the conversions ntaq implements).
fn is_conversion(name: &str) -> bool {
    functions::lookup(name).and_then(FunctionDef::scalar).is_some_and(ScalarFn::is_conversion)
}

/// `*` matches any run of characters; everything else literally.
fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(k) => rest = &rest[k + mid.len()..],
            None => return false,
        }
    }
    true
}

impl Binder<'_> {
    /// Binds an item of a column list: unnamed, a bare name is a column of
    /// the input ([`Binder::column_item`]); `Name = …` binds as an expression.
    pub(crate) fn item(&mut self, item: &ast::NamedExpr, row: &Schema) -> Expr {
        match item.name {
            None => self.column_item(&item.expr, row),
            Some(_) => self.scalar(&item.expr, Some(row)),
        }
    }

    pub(crate) fn where_(&mut self, input: Plan, predicate: &ast::Expr) -> Plan {
        let p = self.scalar(predicate, Some(&input.schema));
        self.expect_bool(&p, "`where`");
        let (input, p) = push_into_innerunique(input, p);
        let Some(p) = p else { return input };
        let schema = input.schema.clone();
        Plan { node: Node::Filter { input: Box::new(input), predicate: p }, schema }
    }

    pub(crate) fn expect_bool(&mut self, e: &Expr, what: &str) {
        if let Type::Scalar(t) = e.ty
            && !matches!(t, ScalarType::Bool | ScalarType::Dynamic)
        {
            self.report(SemanticError::TypeMismatch {
                message: format!("{what} needs a bool condition, found {t}"),
                span: e.span,
                label: format!("this is {t}"),
                help: (t == ScalarType::String)
                    .then(|| "compare it, e.g. `Column == \"value\"` or `isnotempty(Column)`".into()),
            });
        }
    }

    /// Names and binds projection items as Kusto.Language does: a name
    /// stated twice (`a = …` or a bare column `a`) is a duplicate column;
    /// other names are made unique.
    fn projection_items(&mut self, items: &[ast::NamedExpr], row: &Schema) -> Vec<(String, Expr)> {
        let mut out: Vec<(String, Expr)> = Vec::new();
        let mut names = OutputNames::default();
        for item in items {
            if let Some(cols) = self.tuple_item(item, row) {
                for (i, (base, e)) in cols.into_iter().enumerate() {
                    let name = match (&item.name, i) {
                        (Some(n), 0) => match names.declare(&base) {
                            Some(name) => name,
                            None => {
                                self.report(SemanticError::DuplicateColumn { name: base, span: n.span });
                                continue;
                            }
                        },
                        _ => names.add(&base),
                    };
                    out.push((name, e));
                }
                continue;
            }
            let e = self.item(item, row);
            let name = match declared_name(item, &e) {
                Some((name, span)) => match names.declare(&name) {
                    Some(n) => n,
                    None => {
                        self.report(SemanticError::DuplicateColumn { name, span });
                        continue;
                    }
                },
                None => {
                    let taken: Vec<String> = out.iter().map(|(n, _)| n.clone()).collect();
                    let base =
                        result_name_in(&item.expr, Some(row)).unwrap_or_else(|| self.default_column_name(row, &taken));
                    names.add(&base)
                }
            };
            out.push((name, e));
        }
        out
    }

    pub(crate) fn project(&mut self, input: Plan, items: &[ast::NamedExpr]) -> Plan {
        let row = input.schema.clone();
        let cols = self.projection_items(items, &row);
        let mut plan = project_plan(input, cols, false);
        // `project` names its columns: a hidden one named here is shown.
        plan.schema = plan.schema.shown();
        plan
    }

    /// `extend`: replaces same-named columns in place, appends new ones; later
    /// items see earlier ones, a replaced column included.
    ///
    /// A `Project` node evaluates every item over its input row, so an item
    /// that reads a column assigned by an earlier item of the same extend
    /// starts a new `Project` over the previous one: `extend a = a * 10,
    /// b = a + 1` becomes `project a = a * 10` then `project a, b = a + 1`.
    /// Each node then means what it says, and pruning unread columns cannot
    /// drop one a later item needs.
    pub(crate) fn extend(&mut self, input: Plan, items: &[ast::NamedExpr]) -> Plan {
        let mut plan = input;
        let mut row = plan.schema.clone();
        let mut cols = identity_columns(&row);
        // Columns assigned by the items of the current `Project`.
        let mut assigned: HashSet<String> = HashSet::new();
        // Names stated by the items so far (`a = …`, a bare column `a`): a
        // second statement is a duplicate column; a derived name replaces
        // silently (Kusto.Language ProjectionBuilder.Declare / Add(replace)).
        let mut declared: HashSet<String> = HashSet::new();
        let mut splits = 0;
        let outer_pack_all_row = self.pack_all_row.replace(row.clone());
        for item in items {
            // A tuple function's columns have derived names, which replace.
            let bound = match self.tuple_item(item, &row) {
                Some(cols) => {
                    if let (Some(n), Some((first, _))) = (&item.name, cols.first())
                        && !declared.insert(first.clone())
                    {
                        self.report(SemanticError::DuplicateColumn { name: first.clone(), span: n.span });
                        continue;
                    }
                    cols
                }
                None => {
                    let e = self.item(item, &row);
                    if let Some((name, span)) = declared_name(item, &e)
                        && !declared.insert(name.clone())
                    {
                        self.report(SemanticError::DuplicateColumn { name, span });
                        continue;
                    }
                    let name = match &item.name {
                        Some(n) => n.name.clone(),
                        None => match result_name_in(&item.expr, Some(&row)) {
                            Some(n) => n,
                            None => self.default_column_name(&row, &[]),
                        },
                    };
                    vec![(name, e)]
                }
            };
            for (name, e) in bound {
                let mut reads = BTreeSet::new();
                referenced_columns(&e, &mut reads);
                if reads.iter().any(|c| assigned.contains(c)) {
                    // Each split is a plan level (and a copy of every column):
                    // stop at the depth limit rather than build thousands.
                    splits += 1;
                    if splits > super::MAX_PLAN_DEPTH {
                        self.report(SemanticError::TooDeep {
                            message: format!(
                                "this extend computes more than {} columns in a row from one another",
                                super::MAX_PLAN_DEPTH
                            ),
                            span: item.span,
                            label: "each reads the one before".into(),
                            help: Some("split it into several extend operators, or compute fewer steps".into()),
                        });
                        self.pack_all_row = outer_pack_all_row;
                        return super::unknown_plan();
                    }
                    // `row` is exactly the finished node's output schema, so `e`,
                    // bound against it, reads the new node's input unchanged.
                    plan = project_plan(plan, std::mem::take(&mut cols), row.open);
                    cols = identity_columns(&row);
                    assigned.clear();
                }
                let ty = e.ty;
                match row.index_of(&name) {
                    Some(k) => {
                        cols[k] = (name.clone(), e);
                        row.columns[k].ty = ty;
                    }
                    None => {
                        row.columns.push(Column::new(name.clone(), ty));
                        cols.push((name.clone(), e));
                    }
                }
                assigned.insert(name);
            }
        }
        self.pack_all_row = outer_pack_all_row;
        project_plan(plan, cols, row.open)
    }

    /// The columns of `schema` matched by `patterns`; reports names that match nothing.
    fn matching_columns(&mut self, schema: &Schema, patterns: &[ast::ColumnPattern], op: &str) -> Vec<bool> {
        let mut keep = vec![false; schema.len()];
        for p in patterns {
            let mut any = false;
            for (k, c) in schema.columns.iter().enumerate() {
                if glob_match(&p.pattern, &c.name) {
                    keep[k] = true;
                    any = true;
                }
            }
            if !any && !p.is_wildcard() && !schema.open {
                self.report(SemanticError::UnknownColumn {
                    name: p.pattern.clone(),
                    span: p.span,
                    context: format!("the input of `{op}`"),
                    help: did_you_mean(&p.pattern, schema.names()).map(|s| format!("did you mean `{s}`?")),
                });
            }
        }
        keep
    }

    pub(crate) fn project_away(&mut self, input: Plan, patterns: &[ast::ColumnPattern]) -> Plan {
        let schema = input.schema.clone();
        let drop = self.matching_columns(&schema, patterns, "project-away");
        let cols = identity_columns(&schema).into_iter().zip(drop).filter(|(_, d)| !d).map(|(c, _)| c).collect();
        project_plan(input, cols, schema.open)
    }

    pub(crate) fn project_keep(&mut self, input: Plan, patterns: &[ast::ColumnPattern]) -> Plan {
        let schema = input.schema.clone();
        let keep = self.matching_columns(&schema, patterns, "project-keep");
        let cols = identity_columns(&schema).into_iter().zip(keep).filter(|(_, k)| *k).map(|(c, _)| c).collect();
        project_plan(input, cols, false)
    }

    /// The project-reorder page: each item's matching columns come first, in
    /// the items' order (a column matched twice stays at its first place);
    /// matches of a pattern in input order, or by name with `asc`/`desc`;
    /// the other columns follow in input order.
    pub(crate) fn project_reorder(&mut self, input: Plan, items: &[ast::ReorderItem]) -> Plan {
        let schema = input.schema.clone();
        let cols = identity_columns(&schema);
        let mut placed = vec![false; cols.len()];
        let mut order: Vec<usize> = Vec::new();
        for item in items {
            let descending = match item.order.as_ref().map(|o| o.name.as_str()) {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    let span = item.order.as_ref().map_or(item.pattern.span, |o| o.span);
                    self.report(SemanticError::Unsupported {
                        what: format!("`{other}` ordering of project-reorder"),
                        span,
                        help: Some("use asc or desc".into()),
                    });
                    false
                }
            };
            let matched = self.matching_columns(&schema, std::slice::from_ref(&item.pattern), "project-reorder");
            let mut here: Vec<usize> = (0..cols.len()).filter(|&k| matched[k] && !placed[k]).collect();
            if item.order.is_some() {
                here.sort_by(|&a, &b| cols[a].0.cmp(&cols[b].0));
                if descending {
                    here.reverse();
                }
            }
            for &k in &here {
                placed[k] = true;
            }
            order.extend(here);
        }
        order.extend((0..cols.len()).filter(|&k| !placed[k]));
        let out = order.into_iter().filter_map(|k| cols.get(k).cloned()).collect();
        project_plan(input, out, schema.open)
    }

    /// The getschema page: one row per input column, `ColumnName`,
    /// `ColumnOrdinal` (from 0), `DataType` (the .NET type) and `ColumnType`
    /// (the Kusto type). Known when binding, so the input never runs.
    pub(crate) fn getschema(&mut self, input: Plan) -> Plan {
        let schema = Schema::new(vec![
            Column::new("ColumnName", Type::STRING),
            Column::new("ColumnOrdinal", Type::INT),
            Column::new("DataType", Type::STRING),
            Column::new("ColumnType", Type::STRING),
        ]);
        if input.schema.open {
            // Something upstream is unknown (and was reported).
            return super::unknown_plan();
        }
        let rows = input
            .schema
            .visible()
            .enumerate()
            .map(|(k, c)| {
                let t = c.ty.scalar().unwrap_or(ScalarType::Dynamic);
                let dotnet = match t {
                    ScalarType::Bool => "System.SByte",
                    ScalarType::Int => "System.Int32",
                    ScalarType::Long => "System.Int64",
                    ScalarType::Real => "System.Double",
                    ScalarType::Decimal => "System.Data.SqlTypes.SqlDecimal",
                    ScalarType::String => "System.String",
                    ScalarType::DateTime => "System.DateTime",
                    ScalarType::Timespan => "System.TimeSpan",
                    ScalarType::Guid => "System.Guid",
                    ScalarType::Dynamic => "System.Object",
                };
                vec![
                    Value::String(c.name.clone()),
                    Value::Int(Some(i32::try_from(k).unwrap_or(i32::MAX))),
                    Value::String(dotnet.into()),
                    Value::String(t.name().into()),
                ]
            })
            .collect();
        Plan { node: Node::Datatable { rows }, schema }
    }

    pub(crate) fn project_rename(&mut self, input: Plan, renames: &[ast::Rename]) -> Plan {
        let schema = input.schema.clone();
        let mut cols = identity_columns(&schema);
        for r in renames {
            let Some(k) = cols.iter().position(|(n, _)| *n == r.old_name.name) else {
                if !schema.open {
                    self.report(SemanticError::UnknownColumn {
                        name: r.old_name.name.clone(),
                        span: r.old_name.span,
                        context: "the input of `project-rename`".into(),
                        help: did_you_mean(&r.old_name.name, cols.iter().map(|(n, _)| n.as_str()))
                            .map(|s| format!("did you mean `{s}`?")),
                    });
                }
                continue;
            };
            if cols.iter().enumerate().any(|(j, (n, _))| j != k && *n == r.new_name.name) {
                self.report(SemanticError::DuplicateColumn { name: r.new_name.name.clone(), span: r.new_name.span });
                continue;
            }
            cols[k].0 = r.new_name.name.clone();
        }
        project_plan(input, cols, schema.open)
    }

    pub(crate) fn distinct(&mut self, input: Plan, columns: &DistinctColumns) -> Plan {
        let input = match columns {
            DistinctColumns::All { .. } => input,
            DistinctColumns::Columns { columns } => self.project(input, columns),
        };
        let schema = input.schema.clone();
        Plan { node: Node::Distinct { input: Box::new(input) }, schema }
    }

    pub(crate) fn mv_expand(&mut self, input: Plan, m: &ast::MvExpand) -> Plan {
        // The mv-expand page, "Modes of expansion": `kind=bag` (the default)
        // expands a property bag into one-property bags, `kind=array` into
        // `[key, value]` arrays; `bagexpansion=` is the same option.
        let mut bag_as_array = false;
        let mut item_index: Option<&ast::OperatorParam> = None;
        for p in &m.params {
            if p.name.name == "with_itemindex" {
                if matches!(p.value, ast::ParamValue::Word(_)) {
                    item_index = Some(p);
                } else {
                    self.report(SemanticError::Unsupported {
                        what: "a `with_itemindex=` value that is not a column name".into(),
                        span: p.span,
                        help: Some("write `with_itemindex=Index`".into()),
                    });
                }
                continue;
            }
            let value = match &p.value {
                ast::ParamValue::Word(w) => w.name.clone(),
                ast::ParamValue::Literal(l) => l.to_string(),
            };
            let known = match (p.name.name.as_str(), value.as_str()) {
                ("bagexpansion" | "kind", "bag") => true,
                ("bagexpansion" | "kind", "array") => {
                    bag_as_array = true;
                    true
                }
                _ => false,
            };
            if !known {
                self.report(SemanticError::Unsupported {
                    what: format!("mv-expand parameter `{}={value}`", p.name.name),
                    span: p.span,
                    help: None,
                });
            }
        }
        // Every item reads the input row (Kusto.Language binds them all in
        // the input's row scope), so one `Project` computes them.
        let input_row = input.schema.clone();
        let mut row = input.schema.clone();
        let mut cols = identity_columns(&row);
        let mut extended = false;
        let mut expand = Vec::new();
        for item in &m.items {
            let e = match item.name {
                None => self.column_item(&item.expr, &input_row),
                Some(_) => self.scalar(&item.expr, Some(&input_row)),
            };
            if let Type::Scalar(t) = e.ty
                && t != ScalarType::Dynamic
            {
                self.report(SemanticError::TypeMismatch {
                    message: format!("mv-expand needs a dynamic array or property bag, found {t}"),
                    span: item.expr.span,
                    label: format!("this is {t}"),
                    help: (t == ScalarType::String)
                        .then(|| "make an array first, e.g. split(Column, \" \") or parse_json(Column)".into()),
                });
            }
            let name = match &item.name {
                Some(n) => n.name.clone(),
                None => result_name_in(&item.expr, Some(&row)).unwrap_or_else(|| self.default_column_name(&row, &[])),
            };
            let is_same_column = matches!(&e.kind, ExprKind::Column(c) if *c == name);
            let out_ty = item.to_type.as_ref().map_or(Type::DYNAMIC, |t| Type::Scalar(t.ty));
            match row.index_of(&name) {
                Some(k) => {
                    if !is_same_column {
                        cols[k] = (name.clone(), e);
                        extended = true;
                    }
                    row.columns[k].ty = out_ty;
                }
                None => {
                    row.columns.push(Column::new(name.clone(), out_ty));
                    cols.push((name.clone(), e));
                    extended = true;
                }
            }
            expand.push(name);
        }
        let limit = m.limit.as_ref().map(|l| self.constant_count(l, &row, "the mv-expand limit"));
        let open = row.open;
        let input = if extended { project_plan(input, cols, open) } else { input };
        // The mv-expand page: `with_itemindex=IndexColumnName` adds a column
        // with the 0-based index of the item in the expanded collection
        // (Kusto.Language puts it after the others).
        let item_index = item_index.and_then(|p| {
            let ast::ParamValue::Word(w) = &p.value else { return None };
            if row.index_of(&w.name).is_some() {
                self.report(SemanticError::DuplicateColumn { name: w.name.clone(), span: w.span });
                return None;
            }
            row.columns.push(Column::new(w.name.clone(), Type::LONG));
            Some(w.name.clone())
        });
        Plan {
            node: Node::MvExpand { input: Box::new(input), columns: expand, limit, bag_as_array, item_index },
            schema: row,
        }
    }

    /// A row count that must be a constant long (take, top, limit).
    pub(crate) fn constant_count(&mut self, e: &ast::Expr, row: &Schema, what: &str) -> Expr {
        let x = self.scalar(e, Some(row));
        if !is_constant(&x) {
            self.report(SemanticError::NotConstant { what: what.to_string(), span: e.span });
        } else if let Type::Scalar(t) = x.ty
            && !matches!(t, ScalarType::Int | ScalarType::Long)
        {
            self.report(SemanticError::TypeMismatch {
                message: format!("{what} must be a whole number, found {t}"),
                span: e.span,
                label: format!("this is {t}"),
                help: None,
            });
        }
        x
    }

    /// Resolves Kusto's sort defaults: descending unless `asc`; nulls first
    /// for ascending and last for descending unless stated.
    fn sort_key(&mut self, k: &ast::SortKey, row: &Schema) -> SortKey {
        let expr = self.column_item(&k.expr, row);
        if let Type::Scalar(ScalarType::Dynamic) = expr.ty {
            self.report(SemanticError::TypeMismatch {
                message: "cannot sort by a dynamic value".into(),
                span: k.expr.span,
                label: "this is dynamic".into(),
                help: Some("convert it, e.g. with tostring(…) or tolong(…)".into()),
            });
        }
        let descending = k.order != Some(SortOrder::Asc);
        let nulls_first = match k.nulls {
            Some(NullsOrder::First) => true,
            Some(NullsOrder::Last) => false,
            None => !descending,
        };
        SortKey { expr, descending, nulls_first }
    }

    pub(crate) fn top(&mut self, input: Plan, t: &ast::Top) -> Plan {
        let count = self.constant_count(&t.count, &input.schema, "the number of rows of `top`");
        let key = self.sort_key(&t.key, &input.schema);
        let schema = input.schema.clone();
        Plan { node: Node::Top { input: Box::new(input), count, key }, schema }
    }

    pub(crate) fn take(&mut self, input: Plan, count: &ast::Expr) -> Plan {
        let count = self.constant_count(count, &input.schema, "the number of rows of `take`");
        let schema = input.schema.clone();
        Plan { node: Node::Take { input: Box::new(input), count }, schema }
    }

    pub(crate) fn sort(&mut self, input: Plan, keys: &[ast::SortKey]) -> Plan {
        let keys = keys.iter().map(|k| self.sort_key(k, &input.schema)).collect();
        let schema = input.schema.clone();
        Plan { node: Node::Sort { input: Box::new(input), keys }, schema }
    }
}

/// A `where` right after a `join kind=innerunique` (the default): the parts
/// of the predicate (split at `and`) that read only left-side columns filter
/// the left side before its duplicate keys are dropped, as Kusto does. The
/// innerunique join page: "the filter is propagated to the left side of the
/// join … the keys that apply to that filter will always appear in the
/// output" — `t1 | join t2 on key | where value == "val1.2"` always keeps
/// the `val1.2` row, never an empty result. Returns the input and the parts
/// left (`true` when none is).
fn push_into_innerunique(mut input: Plan, predicate: Expr) -> (Plan, Option<Expr>) {
    let Node::Join { left, kind: ast::JoinKind::InnerUnique, output, .. } = &mut input.node else {
        return (input, Some(predicate));
    };
    // Output name → left column, for left-side outputs.
    let left_columns: std::collections::HashMap<&str, &str> = output
        .iter()
        .filter(|o| o.side == crate::plan::Side::Left)
        .map(|o| (o.name.as_str(), o.column.as_str()))
        .collect();
    let mut conjuncts = Vec::new();
    split_and(predicate, &mut conjuncts);
    let (pushed, kept): (Vec<Expr>, Vec<Expr>) = conjuncts.into_iter().partition(|c| {
        let mut cols = crate::optimize::Names::new();
        referenced_columns(c, &mut cols);
        crate::optimize::deterministic(c)
            && !has_subquery(c)
            && cols.iter().all(|n| left_columns.contains_key(n.as_str()))
    });
    if !pushed.is_empty() {
        let defs: std::collections::HashMap<&str, Expr> = left_columns
            .iter()
            .filter_map(|(out, col)| {
                let ty = left.schema.get(col)?.ty;
                Some((*out, Expr::new(ExprKind::Column((*col).to_string()), ty, Span::default())))
            })
            .collect();
        let defs_ref: std::collections::HashMap<&str, &Expr> = defs.iter().map(|(k, v)| (*k, v)).collect();
        let renamed: Option<Vec<Expr>> = pushed.iter().map(|c| crate::pushdown::substitute(c, &defs_ref)).collect();
        match renamed.and_then(join_and) {
            Some(on_left) => {
                let inner = std::mem::replace(left.as_mut(), crate::binder::unknown_plan());
                let schema = inner.schema.clone();
                **left = Plan { node: Node::Filter { input: Box::new(inner), predicate: on_left }, schema };
            }
            None => return (input, join_and(pushed.into_iter().chain(kept).collect())),
        }
    }
    (input, join_and(kept))
}

fn split_and(e: Expr, out: &mut Vec<Expr>) {
    match e.kind {
        ExprKind::Binary { op: ast::BinaryOp::And, left, right } => {
            split_and(*left, out);
            split_and(*right, out);
        }
        kind => out.push(Expr { kind, ..e }),
    }
}

fn join_and(parts: Vec<Expr>) -> Option<Expr> {
    parts.into_iter().reduce(|a, b| {
        let span = a.span.to(b.span);
        Expr::new(ExprKind::Binary { op: ast::BinaryOp::And, left: Box::new(a), right: Box::new(b) }, Type::BOOL, span)
    })
}

/// True if `e` runs a sub-query (`in (T)`, `toscalar`): those stay where they are.
fn has_subquery(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::InQuery { .. } | ExprKind::ScalarQuery(_)) || e.children().into_iter().any(has_subquery)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("Flow*", "FlowType"));
        assert!(glob_match("*Time", "FlowStartTime"));
        assert!(!glob_match("F*X*e", "FlowStartTime"));
        assert!(glob_match("F*S*Time", "FlowStartTime"));
        assert!(glob_match("*", "x"));
        assert!(!glob_match("Flow", "FlowType"));
        assert!(glob_match("Flow", "Flow"));
    }
}
