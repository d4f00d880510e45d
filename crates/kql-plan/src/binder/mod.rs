//! Binding a parsed script: statements and name scopes here; expressions,
//! operators and naming rules in the submodules.

mod evaluate;
mod expr;
mod ipv4_lookup;
mod join;
mod make_series;
mod mv_apply;
mod naming;
mod operators;
mod optypes;
mod ordered;
mod parse;
mod pivot;
mod query;
mod search;
mod summarize;
mod tdigest;
mod top_nested;
mod tuple_items;
mod udf;
mod window;

use crate::catalog::Catalog;
use crate::error::SemanticError;
use crate::plan::{Plan, Program, SharedId, SharedPlan};
use crate::schema::Schema;
use crate::types::assignable;
use kql_syntax::ast::{self, ExprKind as AstExpr, StatementKind};
use kql_syntax::suggest::did_you_mean;
use kql_syntax::{ScalarType, Span};
use kql_types::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// How deeply plans may nest: operators in a pipeline, sub-queries and
/// tabular `let`s built on one another ([`crate::plan::plan_depth`]). The
/// executor recurses once per level, so deeper plans would overflow its
/// stack; the parser's [`kql_syntax::MAX_DEPTH`] does not bound them (a
/// pipeline is a list, and `let`s chain across statements).
pub const MAX_PLAN_DEPTH: usize = 128;

/// The most expression nodes a scalar `let` may expand to. Each use of a
/// scalar `let` copies its value, so `let b = a + a; let c = b + b; …`
/// doubles at every step.
pub const MAX_EXPR_SIZE: usize = 10_000;

/// A query parameter known to the caller: its type, and its value when running.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamBinding {
    pub ty: ScalarType,
    pub value: Option<Value>,
}

/// Query parameters supplied from outside the query (`--param`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    bindings: BTreeMap<String, ParamBinding>,
    /// The columns found in the data of each `evaluate bag_unpack(…)` (its
    /// properties) and `evaluate pivot(…)` (its values) without an output
    /// schema, by the plugin call's start offset.
    unpacked: BTreeMap<usize, Vec<(String, ScalarType)>>,
}

impl Params {
    /// A parameter known by type only (`check --param start:datetime`).
    pub fn declare(&mut self, name: impl Into<String>, ty: ScalarType) {
        self.bindings.insert(name.into(), ParamBinding { ty, value: None });
    }

    /// A parameter with a value (`run --param start=2025-06-01`).
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        let ty = value.scalar_type();
        self.bindings.insert(name.into(), ParamBinding { ty, value: Some(value) });
    }

    pub fn get(&self, name: &str) -> Option<&ParamBinding> {
        self.bindings.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamBinding)> {
        self.bindings.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// The columns (name, type) that `evaluate bag_unpack(…)` or `evaluate
    /// pivot(…)` at offset `at` makes from the data (see `kql_exec`'s
    /// `unpacked_columns`):
    /// binding again with them gives the operator its output schema.
    pub fn set_unpacked(&mut self, at: usize, columns: Vec<(String, ScalarType)>) {
        self.unpacked.insert(at, columns);
    }

    pub fn unpacked(&self, at: usize) -> Option<&[(String, ScalarType)]> {
        self.unpacked.get(&at).map(Vec::as_slice)
    }
}

/// The result of binding: the program and every diagnostic found. The
/// program is only fit to run when [`Bound::has_errors`] is false.
#[derive(Debug)]
pub struct Bound {
    pub program: Program,
    pub diagnostics: Vec<SemanticError>,
    /// Outside parameters the script refers to (to warn about unused ones).
    pub used_params: std::collections::BTreeSet<String>,
    /// Catalog tables the script reads, each with its first reference.
    pub used_tables: std::collections::BTreeMap<String, Span>,
}

impl Bound {
    /// True if some diagnostic is an error (not an advice note).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| !d.is_advice())
    }
}

/// Binds `script` against the tables of `catalog` and the outside `params`.
pub fn bind(script: &ast::Script, catalog: &Catalog, params: &Params) -> Bound {
    let mut b = Binder::new(catalog, params, script);
    b.script(script);
    Bound { program: b.program, diagnostics: b.diagnostics, used_params: b.used_params, used_tables: b.used_tables }
}

/// What a `let` name stands for (one per `let` in scope: the size of a
/// plan held inline does not matter).
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum LetValue {
    Tabular {
        id: SharedId,
        schema: Schema,
    },
    Scalar(crate::plan::Expr),
    /// A tabular parameter of a user-defined function: the argument's plan,
    /// copied where it is used.
    Inline(Plan),
    /// A user-defined function or view.
    Function(std::rc::Rc<udf::UserFunction>),
    /// The `let` statement had errors: uses are not reported again.
    Poisoned,
}

pub(crate) struct Binder<'a> {
    catalog: &'a Catalog,
    params: &'a Params,
    diagnostics: Vec<SemanticError>,
    program: Program,
    lets: HashMap<String, LetValue>,
    /// `let` names defined later in the script, for "used before definition".
    later_lets: HashMap<String, Span>,
    /// `declare query_parameters` entries: type and default.
    declared: HashMap<String, (ScalarType, Option<crate::plan::Expr>)>,
    /// Numbers `Column1`, `Column2`, … across the whole script, as Kusto does.
    column_counter: usize,
    /// Set while binding a `summarize`: where aggregations are collected.
    pending_aggregates: Option<summarize::PendingAggregates>,
    used_params: std::collections::BTreeSet<String>,
    used_tables: std::collections::BTreeMap<String, Span>,
    /// The plan depth of each shared `let`, by id.
    shared_depths: Vec<usize>,
    /// A plan was too deep: later ones (often built on it) are not reported.
    too_deep_reported: bool,
    /// The user-defined functions whose definitions are being bound
    /// (innermost last), to report recursive calls.
    defining: Vec<String>,
    /// Calls of user-defined functions expanded so far, and how deeply
    /// the current one is nested.
    expansions: usize,
    call_depth: usize,
    /// The input row of the `extend` being bound: what `pack_all()` packs
    /// (not the columns earlier items of the same `extend` add — the
    /// pack_all page's example).
    pack_all_row: Option<Schema>,
}

impl<'a> Binder<'a> {
    fn new(catalog: &'a Catalog, params: &'a Params, script: &ast::Script) -> Self {
        let mut later_lets = HashMap::new();
        for s in &script.statements {
            if let StatementKind::Let(l) = &s.kind {
                later_lets.entry(l.name.name.clone()).or_insert(l.name.span);
            }
        }
        Binder {
            catalog,
            params,
            diagnostics: Vec::new(),
            program: Program::default(),
            lets: HashMap::new(),
            later_lets,
            declared: HashMap::new(),
            column_counter: 0,
            pending_aggregates: None,
            used_params: Default::default(),
            used_tables: Default::default(),
            shared_depths: Vec::new(),
            too_deep_reported: false,
            defining: Vec::new(),
            expansions: 0,
            call_depth: 0,
            pack_all_row: None,
        }
    }

    pub(crate) fn report(&mut self, e: SemanticError) {
        self.diagnostics.push(e);
    }

    fn script(&mut self, script: &ast::Script) {
        for stmt in &script.statements {
            match &stmt.kind {
                StatementKind::Let(l) => {
                    self.later_lets.remove(&l.name.name);
                    self.bind_let(l);
                }
                StatementKind::DeclareQueryParameters(ps) => self.declare(ps),
                StatementKind::Query(q) => {
                    let plan = operators::without_hidden(self.query(q));
                    self.program.results.push(plan);
                }
                StatementKind::Error { let_name } => {
                    if let Some(n) = let_name {
                        self.later_lets.remove(&n.name);
                        self.lets.insert(n.name.clone(), LetValue::Poisoned);
                    }
                }
            }
        }
        let had_statement_errors = script.statements.iter().any(|s| matches!(s.kind, StatementKind::Error { .. }));
        if self.program.results.is_empty() && !had_statement_errors && !script.statements.is_empty() {
            self.report(SemanticError::NoQuery { span: script.span });
        }
        let mut seen = HashSet::new();
        for p in &script.placeholders {
            if seen.insert(p.name.as_str()) {
                self.report(SemanticError::UnfilledPlaceholder { name: p.name.clone(), span: p.span });
            }
        }
    }

    /// Binds `let Name = value` and makes the name visible.
    fn bind_let(&mut self, l: &ast::Let) {
        let value = match self.let_value(&l.name, &l.value) {
            LetValue::Scalar(e) if e.size() > MAX_EXPR_SIZE || e.depth() > MAX_PLAN_DEPTH => {
                if std::mem::replace(&mut self.too_deep_reported, true) {
                    self.lets.insert(l.name.name.clone(), LetValue::Poisoned);
                    return;
                }
                self.report(SemanticError::TooDeep {
                    message: format!("the value of `{}` is too large to compute", l.name.name),
                    span: l.value.span,
                    label: format!("{} terms, {} deep", e.size(), e.depth()),
                    help: Some(format!(
                        "each use of a scalar `let` copies its value, and a value may have at most {MAX_EXPR_SIZE} terms, {MAX_PLAN_DEPTH} deep: use the lets it is built from fewer times"
                    )),
                });
                LetValue::Poisoned
            }
            value => value,
        };
        if let LetValue::Tabular { id, .. } = &value {
            // Name the shared plan after the let for `explain`.
            self.program.shared[id.0].name = l.name.name.clone();
        }
        self.lets.insert(l.name.name.clone(), value);
    }

    fn let_value(&mut self, name: &ast::Ident, value: &ast::Expr) -> LetValue {
        if let AstExpr::Function(def) = &value.kind {
            return self.define_function(name, def);
        }
        if self.is_tabular(value) {
            let plan = self.tabular_expr(value);
            let schema = plan.schema.clone();
            let id = SharedId(self.program.shared.len());
            self.shared_depths.push(crate::plan::plan_depth(&plan, &self.shared_depths));
            self.program.shared.push(SharedPlan { name: String::new(), plan });
            LetValue::Tabular { id, schema }
        } else {
            let e = self.scalar(value, None);
            LetValue::Scalar(e)
        }
    }

    fn declare(&mut self, params: &[ast::QueryParameter]) {
        for p in params {
            if self.declared.contains_key(&p.name.name) {
                self.report(SemanticError::DuplicateParameter { name: p.name.name.clone(), span: p.name.span });
                continue;
            }
            let default = p.default.as_ref().map(|d| {
                let e = self.scalar(d, None);
                if e.ty.scalar().is_some_and(|t| !assignable(t, p.ty.ty)) {
                    self.report(SemanticError::TypeMismatch {
                        message: format!("default of `{}` is {}, not {}", p.name.name, e.ty, p.ty.ty),
                        span: d.span,
                        label: format!("this is {}", e.ty),
                        help: None,
                    });
                }
                e
            });
            if let Some(outside) = self.params.get(&p.name.name)
                && let Some(v) = &outside.value
                && !assignable(v.scalar_type(), p.ty.ty)
            {
                self.report(SemanticError::ParameterValue {
                    name: p.name.name.clone(),
                    expected: p.ty.ty.to_string(),
                    reason: format!("the value given is a {}", v.scalar_type()),
                    span: p.ty.span,
                });
            }
            self.declared.insert(p.name.name.clone(), (p.ty.ty, default));
        }
    }

    /// True if `e` denotes a table rather than a scalar.
    pub(crate) fn is_tabular(&self, e: &ast::Expr) -> bool {
        match &e.unparen().kind {
            AstExpr::Query(_) => true,
            AstExpr::Name(id) => match self.lets.get(&id.name) {
                Some(LetValue::Tabular { .. } | LetValue::Inline(_)) => true,
                Some(LetValue::Function(f)) => f.tabular,
                Some(_) => false,
                None => {
                    self.params.get(&id.name).is_none()
                        && !self.declared.contains_key(&id.name)
                        && self.catalog.get(&id.name).is_some()
                }
            },
            AstExpr::Call { function, .. } => match self.lets.get(&function.name) {
                Some(LetValue::Function(f)) => f.tabular,
                _ => matches!(function.name.as_str(), "materialize" | "table" | "view"),
            },
            _ => false,
        }
    }

    /// Binds a tabular expression (a name, a parenthesised query, …).
    pub(crate) fn tabular_expr(&mut self, e: &ast::Expr) -> Plan {
        let e = e.unparen();
        match &e.kind {
            AstExpr::Query(q) => self.query(q),
            AstExpr::Name(id) => self.table_ref(id),
            AstExpr::Call { function, .. } if matches!(self.lets.get(&function.name), Some(LetValue::Poisoned)) => {
                unknown_plan()
            }
            AstExpr::Call { function, args } if self.is_user_function(&function.name) => {
                if let Some(LetValue::Function(f)) = self.lets.get(&function.name).cloned() {
                    if f.tabular {
                        return match self.call_function(&f, function, args, None, None, e.span) {
                            udf::CallValue::Tabular(plan) => plan,
                            udf::CallValue::Scalar(_) => unknown_plan(),
                        };
                    }
                    let _ = self.scalar(e, None);
                    self.report(SemanticError::NotTabular {
                        span: e.span,
                        help: Some(format!("`{}` returns a scalar value", function.name)),
                    });
                    return unknown_plan();
                }
                self.report(SemanticError::Recursion { name: function.name.clone(), span: function.span });
                unknown_plan()
            }
            AstExpr::Call { function, args } if function.name == "materialize" => match args.as_slice() {
                [arg] => self.tabular_expr(arg),
                _ => {
                    self.report(SemanticError::WrongArity {
                        function: "materialize".into(),
                        expected: "1".into(),
                        found: args.len(),
                        span: e.span,
                        help: None,
                    });
                    unknown_plan()
                }
            },
            AstExpr::Call { function, args } if function.name == "table" => match args.as_slice() {
                [ast::Expr { kind: AstExpr::Literal(ast::Literal::String(name)), span }] => {
                    self.table_ref(&ast::Ident::new(name.clone(), *span))
                }
                _ => {
                    self.report(SemanticError::NotConstant { what: "the argument of table()".into(), span: e.span });
                    unknown_plan()
                }
            },
            AstExpr::Call { function, .. }
                if crate::functions::is_known_unsupported(&function.name) || function.name == "view" =>
            {
                self.report(SemanticError::UnsupportedFunction {
                    name: function.name.clone(),
                    span: function.span,
                    help: None,
                });
                unknown_plan()
            }
            _ => {
                // A scalar where a table is needed: bind it for its own errors, then report.
                let before = self.diagnostics.len();
                let _ = self.scalar(e, None);
                if self.diagnostics.len() == before {
                    self.report(SemanticError::NotTabular { span: e.span, help: None });
                }
                unknown_plan()
            }
        }
    }

    /// A table or tabular `let` referenced by name.
    fn table_ref(&mut self, id: &ast::Ident) -> Plan {
        match self.lets.get(&id.name) {
            Some(LetValue::Tabular { id: shared, schema }) => {
                return Plan {
                    node: crate::plan::Node::Shared { id: *shared, name: id.name.clone() },
                    schema: schema.clone(),
                };
            }
            Some(LetValue::Poisoned) => return unknown_plan(),
            Some(LetValue::Inline(plan)) => return plan.clone(),
            Some(LetValue::Function(f)) => {
                // A function without parameters may be called by its name alone.
                let f = f.clone();
                return match self.call_function(&f, id, &[], None, None, id.span) {
                    udf::CallValue::Tabular(plan) => plan,
                    udf::CallValue::Scalar(_) => {
                        self.report(SemanticError::NotTabular {
                            span: id.span,
                            help: Some(format!("`{}` returns a scalar value", id.name)),
                        });
                        unknown_plan()
                    }
                };
            }
            Some(LetValue::Scalar(_)) => {
                self.report(SemanticError::NotTabular {
                    span: id.span,
                    help: Some(format!("`{}` is a scalar `let`", id.name)),
                });
                return unknown_plan();
            }
            None => {}
        }
        if let Some(t) = self.catalog.get(&id.name) {
            self.used_tables.entry(t.name.clone()).or_insert(id.span);
            return Plan { node: crate::plan::Node::Scan { table: t.name.clone() }, schema: t.schema() };
        }
        if let Some(defined_at) = self.later_lets.get(&id.name) {
            self.report(SemanticError::LetBeforeDefinition {
                name: id.name.clone(),
                span: id.span,
                defined_at: *defined_at,
            });
            return unknown_plan();
        }
        let tabular_lets: Vec<&str> =
            self.lets.iter().filter(|(_, v)| matches!(v, LetValue::Tabular { .. })).map(|(k, _)| k.as_str()).collect();
        let suggestion = did_you_mean(&id.name, self.catalog.names().chain(tabular_lets.iter().copied()));
        let help = match suggestion {
            Some(s) => Some(format!("did you mean `{s}`?")),
            None if self.catalog.is_empty() => Some("no tables are loaded; pass --data DIR".into()),
            None => Some(format!("tables: {}", self.catalog.names().collect::<Vec<_>>().join(", "))),
        };
        self.report(SemanticError::UnknownTable { name: id.name.clone(), span: id.span, help });
        unknown_plan()
    }
}

impl Binder<'_> {
    /// True if `name` calls a user-defined function: one in scope, or the
    /// one being defined (a recursive call, reported where it is bound).
    pub(crate) fn is_user_function(&self, name: &str) -> bool {
        match self.lets.get(name) {
            Some(LetValue::Function(_)) => true,
            Some(_) => false,
            None => self.defining.iter().any(|d| d == name),
        }
    }

    /// `plan` if it is within [`MAX_PLAN_DEPTH`]; past it, reports an error
    /// at `span` (once per script) and gives `None`: the caller goes on
    /// with an unknown plan, which is accepted everywhere.
    pub(crate) fn depth_checked(&mut self, plan: Plan, span: Span) -> Option<Plan> {
        let depth = crate::plan::plan_depth(&plan, &self.shared_depths);
        if depth <= MAX_PLAN_DEPTH {
            return Some(plan);
        }
        if std::mem::replace(&mut self.too_deep_reported, true) {
            return None;
        }
        self.report(SemanticError::TooDeep {
            message: format!("the query nests {depth} levels deep, more than the limit of {MAX_PLAN_DEPTH}"),
            span,
            label: format!("level {depth}"),
            help: Some(
                "operators in a row, sub-queries and tabular `let`s built on one another each add a level; use fewer, or summarize earlier"
                    .into(),
            ),
        });
        None
    }
}

/// A plan about which nothing is known, standing in after an error.
pub(crate) fn unknown_plan() -> Plan {
    Plan { node: crate::plan::Node::Datatable { rows: Vec::new() }, schema: Schema::unknown() }
}
