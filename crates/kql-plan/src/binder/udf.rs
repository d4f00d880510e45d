//! User-defined functions (`let f = (a:long, T:(x:string)) { … };`) and
//! views, by inlining: each call binds the body again in a scope where each
//! scalar parameter is the bound argument (or its default) and each tabular
//! parameter the argument's plan. The executor needs nothing new.
//!
//! The body is also bound once where the function is defined, with each
//! parameter standing for a value of its declared type (a tabular one for a
//! table with the declared columns, or any columns for `(*)`): the errors
//! inside a body are reported there, once, even if it is never called. A
//! call reports only what is new with its actual arguments (a column that a
//! `(*)` table lacks, say).
//!
//! The body sees the `let`s defined before the function, not those of the
//! place it is called from, and not the function itself: Kusto functions
//! cannot be recursive, and a call to the function from its own body is
//! reported as such.

use super::{Binder, LetValue, MAX_EXPR_SIZE, MAX_PLAN_DEPTH, unknown_plan};
use crate::error::SemanticError;
use crate::plan::{Expr, ExprKind, Node, Plan, SharedId, SharedPlan};
use crate::schema::{Column, Schema};
use crate::types::Type;
use kql_syntax::ast::{self, ParamType};
use kql_syntax::suggest::did_you_mean;
use kql_syntax::{ScalarType, Span};
use std::collections::HashMap;
use std::rc::Rc;

/// How many calls may be expanded in one script (each expansion binds a
/// body again, so functions calling functions twice grow exponentially).
pub const MAX_EXPANSIONS: usize = 5_000;

/// How deeply calls may nest inside function bodies.
pub const MAX_CALL_DEPTH: usize = 32;

/// A function defined by `let`.
#[derive(Debug)]
pub(crate) struct UserFunction {
    pub name: String,
    pub def: ast::FunctionDef,
    /// The `let`s visible where the function was defined.
    pub scope: HashMap<String, LetValue>,
    /// The body is a table (else a scalar value).
    pub tabular: bool,
    /// The bound default of each parameter that has one.
    pub defaults: Vec<Option<Expr>>,
}

impl UserFunction {
    /// `f(a:long, T:(x:string))`, for help texts.
    fn signature(&self) -> String {
        let params: Vec<String> = self.def.params.iter().map(param_text).collect();
        format!("{}({})", self.name, params.join(", "))
    }
}

fn param_text(p: &ast::FunctionParam) -> String {
    let ty = match &p.ty {
        ParamType::Scalar(t) => t.ty.to_string(),
        ParamType::Tabular { columns: None, .. } => "(*)".into(),
        ParamType::Tabular { columns: Some(cols), .. } => {
            let cols: Vec<String> = cols.iter().map(|c| format!("{}:{}", c.name.name, c.ty.ty)).collect();
            format!("({})", cols.join(", "))
        }
    };
    match &p.default {
        Some(_) => format!("{}:{ty} = …", p.name.name),
        None => format!("{}:{ty}", p.name.name),
    }
}

/// The value of a call: a scalar or a table. (One per call, moved once:
/// boxing the plan would buy nothing.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum CallValue {
    Scalar(Expr),
    Tabular(Plan),
}

/// An argument matched to a parameter (a few per call).
#[allow(clippy::large_enum_variant)]
enum Arg<'e> {
    Expr(&'e ast::Expr),
    /// The input of `invoke`.
    Input(Plan),
}

impl Binder<'_> {
    /// `let name = (params) { body }`: checks the parameters and the body.
    pub(crate) fn define_function(&mut self, name: &ast::Ident, def: &ast::FunctionDef) -> LetValue {
        let mut seen = std::collections::HashSet::new();
        for p in &def.params {
            if !seen.insert(p.name.name.as_str()) {
                self.report(SemanticError::DuplicateParameter { name: p.name.name.clone(), span: p.name.span });
            }
        }
        let empty = Schema::default();
        let defaults = def
            .params
            .iter()
            .map(|p| {
                let (ParamType::Scalar(t), Some(d)) = (&p.ty, &p.default) else { return None };
                let e = self.scalar(d, Some(&empty));
                Some(self.convert_argument(e, t.ty, &p.name.name, &name.name, None))
            })
            .collect();
        let mut f = UserFunction {
            name: name.name.clone(),
            def: def.clone(),
            scope: self.lets.clone(),
            tabular: false,
            defaults,
        };
        // Bind the body once with each parameter standing for its declared type.
        let params: Vec<LetValue> = def
            .params
            .iter()
            .map(|p| match &p.ty {
                ParamType::Scalar(t) => LetValue::Scalar(Expr::new(
                    ExprKind::Parameter(p.name.name.clone()),
                    Type::Scalar(t.ty),
                    p.name.span,
                )),
                ParamType::Tabular { columns, .. } => LetValue::Inline(Plan {
                    node: Node::Datatable { rows: Vec::new() },
                    schema: match columns {
                        None => Schema::unknown(),
                        Some(cols) => {
                            Schema::new(cols.iter().map(|c| Column::new(c.name.name.clone(), c.ty.ty)).collect())
                        }
                    },
                }),
            })
            .collect();
        // What the definition binding adds to the program is not kept.
        let (shared, depths, counter) = (self.program.shared.len(), self.shared_depths.len(), self.column_counter);
        self.defining.push(name.name.clone());
        let (tabular, _) = self.expand(&f, params);
        self.defining.pop();
        self.program.shared.truncate(shared);
        self.shared_depths.truncate(depths);
        self.column_counter = counter;
        f.tabular = tabular;
        LetValue::Function(Rc::new(f))
    }

    /// Binds the body of `f` with `params` bound to its parameters, in the
    /// scope `f` was defined in. Returns whether the body is tabular, and
    /// its value.
    fn expand(&mut self, f: &UserFunction, params: Vec<LetValue>) -> (bool, CallValue) {
        let mut scope = f.scope.clone();
        for (p, v) in f.def.params.iter().zip(params) {
            scope.insert(p.name.name.clone(), v);
        }
        let outer = std::mem::replace(&mut self.lets, scope);
        let outer_later = std::mem::take(&mut self.later_lets);
        for l in &f.def.lets {
            self.bind_let(l);
        }
        let tabular = self.is_tabular(&f.def.body);
        let value = if tabular {
            CallValue::Tabular(self.tabular_expr(&f.def.body))
        } else {
            CallValue::Scalar(self.scalar(&f.def.body, Some(&Schema::default())))
        };
        self.lets = outer;
        self.later_lets = outer_later;
        (tabular, value)
    }

    /// A call of the user function `f` at `span`: `args` as written, and
    /// `input`, the input of `invoke`, which goes to the first tabular
    /// parameter. `row` is the row scope of the arguments.
    pub(crate) fn call_function(
        &mut self,
        f: &Rc<UserFunction>,
        function: &ast::Ident,
        args: &[ast::Expr],
        input: Option<(Plan, Span)>,
        row: Option<&Schema>,
        span: Span,
    ) -> CallValue {
        let failed = |f: &UserFunction| {
            if f.tabular { CallValue::Tabular(unknown_plan()) } else { CallValue::Scalar(Expr::error(span)) }
        };
        self.expansions += 1;
        if self.expansions > MAX_EXPANSIONS || self.call_depth >= MAX_CALL_DEPTH {
            if !std::mem::replace(&mut self.too_deep_reported, true) {
                self.report(SemanticError::TooDeep {
                    message: format!("calling `{}` here expands user-defined functions too many times", f.name),
                    span,
                    label: format!("{} calls, {} deep", self.expansions, self.call_depth),
                    help: Some(format!(
                        "each call binds the function's body again; at most {MAX_EXPANSIONS} calls in all and {MAX_CALL_DEPTH} nested calls are expanded"
                    )),
                });
            }
            return failed(f);
        }
        let Some(slots) = self.match_arguments(f, function, args, input, span) else {
            // Bind the arguments anyway for their own errors.
            for a in args {
                let a = match &a.kind {
                    ast::ExprKind::NamedArg { value, .. } => value,
                    _ => a,
                };
                if self.is_tabular(a) {
                    self.tabular_expr(a);
                } else {
                    self.scalar(a, row);
                }
            }
            return failed(f);
        };
        let mut values = Vec::with_capacity(slots.len());
        let mut ok = true;
        for (k, (p, slot)) in f.def.params.iter().zip(slots).enumerate() {
            let value = match (&p.ty, slot) {
                (ParamType::Scalar(t), Some(Arg::Expr(a))) => {
                    if self.is_tabular(a) {
                        self.report(SemanticError::NotScalar { span: a.span });
                        ok = false;
                        LetValue::Poisoned
                    } else {
                        let e = self.scalar(a, row);
                        let e = self.convert_argument(e, t.ty, &p.name.name, &f.name, Some(f.signature()));
                        ok &= !matches!(e.kind, ExprKind::Error);
                        LetValue::Scalar(e)
                    }
                }
                (ParamType::Scalar(_), None) => match &f.defaults[k] {
                    Some(d) => LetValue::Scalar(d.clone()),
                    None => LetValue::Poisoned,
                },
                (ParamType::Scalar(_), Some(Arg::Input(_))) => LetValue::Poisoned,
                (ParamType::Tabular { columns, .. }, slot) => {
                    let (plan, arg_span) = match slot {
                        Some(Arg::Input(plan)) => (plan, input_span(function, span)),
                        Some(Arg::Expr(a)) if self.is_tabular(a) => (self.tabular_expr(a), a.span),
                        Some(Arg::Expr(a)) => {
                            let before = self.diagnostics.len();
                            self.scalar(a, row);
                            if self.diagnostics.len() == before {
                                self.report(SemanticError::NotTabular {
                                    span: a.span,
                                    help: Some(format!("`{}` of `{}` is a table parameter", p.name.name, f.name)),
                                });
                            }
                            ok = false;
                            (unknown_plan(), a.span)
                        }
                        None => (unknown_plan(), span),
                    };
                    if let Some(cols) = columns {
                        ok &= self.check_table_argument(&plan.schema, cols, p, f, arg_span);
                    }
                    self.table_parameter(plan, format!("{}.{}", f.name, p.name.name))
                }
            };
            values.push(value);
        }
        if !ok {
            return failed(f);
        }
        let before = self.diagnostics.len();
        self.call_depth += 1;
        self.defining.push(f.name.clone());
        let (_, value) = self.expand(f, values);
        self.defining.pop();
        self.call_depth -= 1;
        // Errors of the body already reported at its definition are not repeated.
        let new: Vec<SemanticError> = self.diagnostics.drain(before..).collect();
        for d in new {
            if !self.diagnostics.contains(&d) {
                self.diagnostics.push(d);
            }
        }
        match value {
            // Each use of a parameter copies its argument: functions that
            // use theirs twice, called on one another's results, double the
            // size at each level.
            CallValue::Scalar(e) if e.size() > MAX_EXPR_SIZE || e.depth() > MAX_PLAN_DEPTH => {
                if !std::mem::replace(&mut self.too_deep_reported, true) {
                    self.report(SemanticError::TooDeep {
                        message: format!("the value of this call of `{}` is too large to compute", f.name),
                        span,
                        label: format!("{} terms, {} deep", e.size(), e.depth()),
                        help: Some(format!(
                            "each use of a parameter copies its argument, and a value may have at most {MAX_EXPR_SIZE} terms, {MAX_PLAN_DEPTH} deep"
                        )),
                    });
                }
                CallValue::Scalar(Expr::error(span))
            }
            CallValue::Scalar(e) => CallValue::Scalar(Expr { span, ..e }),
            tabular => tabular,
        }
    }

    /// The value of a tabular parameter: a table or `let` (a plan without
    /// inputs) is copied where the body uses it, so filters still reach the
    /// scan; anything else becomes a shared plan, evaluated once however
    /// often the body uses it (and never copied: bodies that use a table
    /// twice, called on one another's results, would double it at each level).
    fn table_parameter(&mut self, plan: Plan, name: String) -> LetValue {
        if plan.inputs().is_empty() {
            return LetValue::Inline(plan);
        }
        let id = SharedId(self.program.shared.len());
        self.shared_depths.push(crate::plan::plan_depth(&plan, &self.shared_depths));
        let schema = plan.schema.clone();
        self.program.shared.push(SharedPlan { name, plan });
        LetValue::Tabular { id, schema }
    }

    /// Matches the arguments of a call to the parameters of `f`: `None`
    /// after reporting a wrong count, an unknown name or a name given twice.
    fn match_arguments<'e>(
        &mut self,
        f: &UserFunction,
        function: &ast::Ident,
        args: &'e [ast::Expr],
        input: Option<(Plan, Span)>,
        span: Span,
    ) -> Option<Vec<Option<Arg<'e>>>> {
        let params = &f.def.params;
        let mut slots: Vec<Option<Arg<'e>>> = params.iter().map(|_| None).collect();
        let mut ok = true;
        if let Some((plan, input_span)) = input {
            match params.iter().position(|p| matches!(p.ty, ParamType::Tabular { .. })) {
                Some(k) => slots[k] = Some(Arg::Input(plan)),
                None => {
                    self.report(SemanticError::NotTabular {
                        span: input_span,
                        help: Some(format!(
                            "`invoke` passes its input as the first tabular parameter, and `{}` has none",
                            f.signature()
                        )),
                    });
                    return None;
                }
            }
        }
        let mut positional = 0;
        for a in args {
            match &a.kind {
                ast::ExprKind::NamedArg { name, value } => {
                    let Some(k) = params.iter().position(|p| p.name.name == name.name) else {
                        let help = did_you_mean(&name.name, params.iter().map(|p| p.name.name.as_str())).map_or_else(
                            || format!("parameters: {}", f.signature()),
                            |s| format!("did you mean `{s}`?"),
                        );
                        self.report(SemanticError::UnknownArgument {
                            function: f.name.clone(),
                            name: name.name.clone(),
                            span: name.span,
                            help: Some(help),
                        });
                        ok = false;
                        continue;
                    };
                    if slots[k].is_some() {
                        self.report(SemanticError::ArgumentTwice {
                            name: name.name.clone(),
                            function: f.name.clone(),
                            span: a.span,
                        });
                        ok = false;
                        continue;
                    }
                    slots[k] = Some(Arg::Expr(value));
                }
                _ => {
                    while positional < slots.len() && slots[positional].is_some() {
                        positional += 1;
                    }
                    if positional >= slots.len() {
                        self.report(SemanticError::WrongArity {
                            function: f.name.clone(),
                            expected: arity_text(f),
                            found: args.len(),
                            span: a.span,
                            help: Some(format!("usage: {}", f.signature())),
                        });
                        return None;
                    }
                    slots[positional] = Some(Arg::Expr(a));
                }
            }
        }
        let missing: Vec<String> = params
            .iter()
            .zip(&slots)
            .filter(|(p, s)| s.is_none() && p.default.is_none())
            .map(|(p, _)| format!("`{}`", p.name.name))
            .collect();
        if !missing.is_empty() && ok {
            self.report(SemanticError::WrongArity {
                function: f.name.clone(),
                expected: arity_text(f),
                found: args.len(),
                span: if args.is_empty() { function.span.to(span) } else { span },
                help: Some(format!("missing {}; usage: {}", missing.join(", "), f.signature())),
            });
            return None;
        }
        ok.then_some(slots)
    }

    /// Checks that a table passed for `p` has the columns it declares.
    fn check_table_argument(
        &mut self,
        schema: &Schema,
        cols: &[ast::ColumnDecl],
        p: &ast::FunctionParam,
        f: &UserFunction,
        span: Span,
    ) -> bool {
        if schema.open {
            return true;
        }
        let mut ok = true;
        for c in cols {
            match schema.get(&c.name.name) {
                None => {
                    self.report(SemanticError::UnknownColumn {
                        name: c.name.name.clone(),
                        span,
                        context: format!("the table passed as `{}`", p.name.name),
                        help: Some(format!("`{}` needs a table with these columns: {}", f.name, param_text(p))),
                    });
                    ok = false;
                }
                Some(col) => {
                    if let Some(t) = col.ty.scalar()
                        && t != c.ty.ty
                        && !widens(t, c.ty.ty)
                    {
                        self.report(SemanticError::TypeMismatch {
                            message: format!(
                                "column `{}` of the table passed as `{}` is {t}, but `{}` declares it {}",
                                c.name.name, p.name.name, f.name, c.ty.ty
                            ),
                            span,
                            label: format!("`{}` is {t}", c.name.name),
                            help: Some(format!("usage: {}", f.signature())),
                        });
                        ok = false;
                    }
                }
            }
        }
        ok
    }

    /// Checks a scalar argument (or default) `e` against the declared type
    /// `ty` of parameter `param`: a number of another numeric type is
    /// converted to it (`int` to `long`, `long` to `real`, …), so the body
    /// sees the declared type; anything else of another type is reported
    /// and becomes an error value.
    fn convert_argument(
        &mut self,
        e: Expr,
        ty: ScalarType,
        param: &str,
        function: &str,
        signature: Option<String>,
    ) -> Expr {
        let Some(found) = e.ty.scalar() else { return e };
        if found == ty {
            return e;
        }
        if widens(found, ty) {
            let convert = match ty {
                ScalarType::Int => "toint",
                ScalarType::Long => "tolong",
                ScalarType::Real => "toreal",
                ScalarType::Decimal => "todecimal",
                _ => return e,
            };
            let span = e.span;
            if let Some(def) = crate::functions::lookup(convert) {
                return Expr::new(ExprKind::Call { function: def, args: vec![e] }, Type::Scalar(ty), span);
            }
            self.report(SemanticError::Unsupported {
                what: format!("converting a {found} argument to {ty}"),
                span,
                help: Some(format!("pass a {ty} value for `{param}`")),
            });
            return Expr::error(span);
        }
        let what = if signature.is_some() { "argument" } else { "default" };
        self.report(SemanticError::TypeMismatch {
            message: format!("{what} `{param}` of `{function}` must be {ty}, found {found}"),
            span: e.span,
            label: format!("this is {found}"),
            help: signature.map(|s| format!("usage: {s}")),
        });
        Expr::error(e.span)
    }
}

/// The conversions a parameter's type makes implicitly: between numbers
/// (the user-defined functions page passes `10`, a long, for `id:int`).
fn widens(from: ScalarType, to: ScalarType) -> bool {
    from.is_numeric() && to.is_numeric()
}

/// `2`, or `1 to 3` with defaults.
fn arity_text(f: &UserFunction) -> String {
    let total = f.def.params.len();
    let required = f.def.params.iter().filter(|p| p.default.is_none()).count();
    if required == total { total.to_string() } else { format!("{required} to {total}") }
}

/// Where the input of `invoke` is reported: the function name.
fn input_span(function: &ast::Ident, _call: Span) -> Span {
    function.span
}
