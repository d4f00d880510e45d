//! Binding scalar expressions: names, literals, calls, operators.

use super::optypes::{binary_type, equality_comparable};
use super::{Binder, LetValue};
use crate::error::SemanticError;
use crate::functions::{self, CallError, FunctionDef, FunctionKind};
use crate::plan::{Expr, ExprKind};
use crate::schema::Schema;
use crate::types::{Type, assignable};
use kql_syntax::ast::{self, BinaryOp, ExprKind as A, InOp, Precedence, UnaryOp};
use kql_syntax::suggest::did_you_mean;
use kql_syntax::{ScalarType, Span};
use kql_types::Value;

/// True for expressions whose value is known before any row is read.
pub(crate) fn is_constant(e: &Expr) -> bool {
    constant(e, false)
}

/// True for expressions whose value is known once the query starts:
/// constants and `toscalar()` sub-queries (directly or through a `let`),
/// which the executor evaluates before reading any row. `range`'s and
/// `make-series`' bounds may be these (`let n = toscalar(T | count); range
/// x from 1 to n step 1`).
pub(crate) fn is_query_constant(e: &Expr) -> bool {
    constant(e, true)
}

fn constant(e: &Expr, queries: bool) -> bool {
    let c = |x: &Expr| constant(x, queries);
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Parameter(_) | ExprKind::Error => true,
        ExprKind::ScalarQuery(_) => queries,
        ExprKind::Negate(x) => c(x),
        ExprKind::Binary { left, right, .. } => c(left) && c(right),
        ExprKind::Call { function, args } => function.is_deterministic() && args.iter().all(c),
        ExprKind::Between { expr, low, high, .. } => c(expr) && c(low) && c(high),
        ExprKind::In { expr, list, .. } => c(expr) && list.iter().all(c),
        _ => false,
    }
}

impl Binder<'_> {
    /// Binds a scalar expression in the row scope `row` (`None` outside operators).
    pub(crate) fn scalar(&mut self, e: &ast::Expr, row: Option<&Schema>) -> Expr {
        let span = e.span;
        match &e.kind {
            A::Literal(l) => match l.value() {
                Some(v) => {
                    let ty = Type::Scalar(v.scalar_type());
                    // A decimal literal ntaq's decimals cannot hold exactly
                    // (more than 18 fraction or 38 digits; Kusto's hold 28–29).
                    if let Value::Decimal(Some(text)) = &v
                        && let Err(why) = kql_types::decimal::parse(text)
                    {
                        self.report(SemanticError::Unsupported { what: why.describe().into(), span, help: None });
                    }
                    Expr::new(ExprKind::Literal(v), ty, span)
                }
                // An unfilled workbook placeholder: reported once as a note.
                None => Expr::new(ExprKind::Error, Type::DATETIME, span),
            },
            A::Name(id) => self.name(id, row),
            A::Paren(inner) => {
                let mut x = self.scalar(inner, row);
                x.span = span;
                x
            }
            A::Call { function, args } => self.call(e, function, args, row),
            A::Star => {
                self.report(SemanticError::TypeMismatch {
                    message: "`*` can only be an argument of functions such as arg_max".into(),
                    span,
                    label: "not allowed here".into(),
                    help: None,
                });
                Expr::error(span)
            }
            A::Index { target, index } => {
                let t = self.scalar(target, row);
                let i = self.scalar(index, row);
                self.expect_dynamic(&t, "indexing with [ ]");
                if !i.ty.is_unknown()
                    && !matches!(i.ty.scalar(), Some(ScalarType::Int | ScalarType::Long | ScalarType::String))
                {
                    self.report(SemanticError::TypeMismatch {
                        message: format!(
                            "an index must be a long (array position) or a string (property name), found {}",
                            i.ty
                        ),
                        span: i.span,
                        label: format!("this is {}", i.ty),
                        help: None,
                    });
                }
                Expr::new(ExprKind::Index { target: Box::new(t), index: Box::new(i) }, Type::DYNAMIC, span)
            }
            A::Member { target, member } => {
                let t = self.scalar(target, row);
                self.expect_dynamic(&t, "member access with .");
                Expr::new(ExprKind::Member { target: Box::new(t), name: member.name.clone() }, Type::DYNAMIC, span)
            }
            A::Unary { op, operand } => {
                let x = self.scalar(operand, row);
                if *op == UnaryOp::Plus {
                    return Expr { span, ..x };
                }
                let ty = match x.ty {
                    Type::Unknown => Type::Unknown,
                    Type::Scalar(t) if t.is_numeric() || matches!(t, ScalarType::Timespan | ScalarType::Dynamic) => {
                        x.ty
                    }
                    Type::Scalar(t) => {
                        self.report(SemanticError::TypeMismatch {
                            message: format!("cannot negate a {t}"),
                            span,
                            label: format!("operand is {t}"),
                            help: None,
                        });
                        return Expr::error(span);
                    }
                };
                // Fold `-5` into a literal so it stays a constant.
                if let ExprKind::Literal(v) = &x.kind
                    && let Some(folded) = negate_literal(v)
                {
                    return Expr::new(ExprKind::Literal(folded), ty, span);
                }
                Expr::new(ExprKind::Negate(Box::new(x)), ty, span)
            }
            A::Binary { op, op_span, left, right } if matches!(left.unparen().kind, A::Star) => {
                self.star_predicate(*op, *op_span, right, row, span)
            }
            A::Binary { op, op_span, left, right } => {
                let l = self.scalar(left, row);
                let r = self.scalar(right, row);
                self.binary(*op, *op_span, l, r, span)
            }
            A::In { op, op_span, expr, list } => self.in_expr(*op, *op_span, expr, list, row, span),
            A::Between { negated, expr, low, high, .. } => {
                let x = self.scalar(expr, row);
                let lo = self.scalar(low, row);
                let hi = self.scalar(high, row);
                self.check_between(&x, &lo, &hi);
                let kind =
                    ExprKind::Between { negated: *negated, expr: Box::new(x), low: Box::new(lo), high: Box::new(hi) };
                Expr::new(kind, Type::BOOL, span)
            }
            A::Query(_) => {
                self.report(SemanticError::NotScalar { span });
                Expr::error(span)
            }
            A::NamedArg { name, value } => {
                self.scalar(value, row);
                self.report(SemanticError::Unsupported {
                    what: "named arguments of built-in functions".into(),
                    span: name.span,
                    help: Some("pass the arguments by position".into()),
                });
                Expr::error(span)
            }
            A::ColumnTerm { .. } => {
                self.report(SemanticError::Unsupported {
                    what: "`Column:\"term\"` outside a search predicate".into(),
                    span,
                    help: Some("write `Column has \"term\"`".into()),
                });
                Expr::error(span)
            }
            A::Function(_) => {
                self.report(SemanticError::Unsupported {
                    what: "a function definition here".into(),
                    span,
                    help: Some("define functions with `let f = (…) { … };`".into()),
                });
                Expr::error(span)
            }
        }
    }

    fn expect_dynamic(&mut self, t: &Expr, what: &str) {
        if let Type::Scalar(s) = t.ty
            && s != ScalarType::Dynamic
        {
            self.report(SemanticError::TypeMismatch {
                message: format!("{what} needs a dynamic value (array or property bag), found {s}"),
                span: t.span,
                label: format!("this is {s}"),
                help: (s == ScalarType::String).then(|| "parse it first with parse_json(…)".to_string()),
            });
        }
    }

    /// Binds an item of an operator's column list (`project a`, `extend a`,
    /// `summarize … by a`, `sort by a`, `mv-expand a`): a bare name there
    /// names a column of the input — the project page: "If there's no
    /// Expression, then a column of ColumnName must appear in the input" —
    /// so an unknown one is reported as an unknown column. Anything else
    /// binds as a scalar expression.
    pub(crate) fn column_item(&mut self, e: &ast::Expr, row: &Schema) -> Expr {
        match &e.kind {
            A::Name(id) => self.resolve_name(id, Some(row), true),
            _ => self.scalar(e, Some(row)),
        }
    }

    /// Resolves a name: column, then `let`, then query parameter.
    fn name(&mut self, id: &ast::Ident, row: Option<&Schema>) -> Expr {
        self.resolve_name(id, row, false)
    }

    /// Resolves a name; `column_item`: it stands alone as an item of an
    /// operator's column list.
    ///
    /// An unknown name is `unknown_column` when it stands alone as a column
    /// item or when some input column is spelled like it; otherwise — a
    /// name inside an expression, such as scenario 4's `between (start ..
    /// end)`, or one spelled like a scalar `let` or parameter — it is
    /// `unknown_name`, whose help says how to declare a parameter.
    fn resolve_name(&mut self, id: &ast::Ident, row: Option<&Schema>, column_item: bool) -> Expr {
        let span = id.span;
        if let Some(c) = row.and_then(|r| r.get(&id.name)) {
            return Expr::new(ExprKind::Column(c.name.clone()), c.ty, span);
        }
        match self.lets.get(&id.name) {
            Some(LetValue::Scalar(e)) => return Expr { span, ..e.clone() },
            Some(LetValue::Tabular { .. } | LetValue::Inline(_)) => {
                self.report(SemanticError::NotScalar { span });
                return Expr::error(span);
            }
            Some(LetValue::Function(f)) => {
                // A function without parameters may be called by its name alone.
                let f = f.clone();
                if f.tabular {
                    self.report(SemanticError::NotScalar { span });
                    return Expr::error(span);
                }
                return match self.call_function(&f, id, &[], None, row, span) {
                    super::udf::CallValue::Scalar(e) => e,
                    super::udf::CallValue::Tabular(_) => Expr::error(span),
                };
            }
            Some(LetValue::Poisoned) => return Expr::error(span),
            None => {}
        }
        if self.declared.contains_key(&id.name) || self.params.get(&id.name).is_some() {
            self.used_params.insert(id.name.clone());
        }
        if let Some((ty, default)) = self.declared.get(&id.name) {
            let ty = *ty;
            return match self.params.get(&id.name).and_then(|p| p.value.clone()) {
                Some(v) => Expr::new(ExprKind::Literal(v), Type::Scalar(ty), span),
                None => match default {
                    Some(d) => Expr { span, ..d.clone() },
                    None => Expr::new(ExprKind::Parameter(id.name.clone()), Type::Scalar(ty), span),
                },
            };
        }
        if let Some(p) = self.params.get(&id.name) {
            return match &p.value {
                Some(v) => Expr::new(ExprKind::Literal(v.clone()), Type::Scalar(p.ty), span),
                None => Expr::new(ExprKind::Parameter(id.name.clone()), Type::Scalar(p.ty), span),
            };
        }
        if row.is_some_and(|r| r.open) {
            return Expr::error(span);
        }
        if self.catalog.get(&id.name).is_some() {
            self.report(SemanticError::NotScalar { span });
            return Expr::error(span);
        }
        if let Some(defined_at) = self.later_lets.get(&id.name) {
            self.report(SemanticError::LetBeforeDefinition { name: id.name.clone(), span, defined_at: *defined_at });
            return Expr::error(span);
        }
        if self.pending_aggregates.as_ref().is_some_and(|p| p.input.get(&id.name).is_some()) {
            self.report(SemanticError::UnknownColumn {
                name: id.name.clone(),
                span,
                context: "the `by` keys of `summarize`".into(),
                help: Some(format!("aggregate it (e.g. take_any({0}) or sum({0})) or add it to `by`", id.name)),
            });
            return Expr::error(span);
        }
        let column_hint = row.and_then(|r| did_you_mean(&id.name, r.names()));
        let scalar_hint = {
            let scalar_lets =
                self.lets.iter().filter(|(_, v)| matches!(v, LetValue::Scalar(_))).map(|(k, _)| k.as_str());
            did_you_mean(&id.name, scalar_lets.chain(self.declared.keys().map(String::as_str)))
        };
        if column_hint.is_some() || (column_item && scalar_hint.is_none()) {
            self.report(SemanticError::UnknownColumn {
                name: id.name.clone(),
                span,
                context: "the input".into(),
                help: column_hint.map(|s| format!("did you mean `{s}`?")),
            });
        } else {
            let help = match scalar_hint {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "if `{0}` is a query parameter, declare it with `declare query_parameters({0}:TYPE);` or pass `--param {0}:TYPE` (`--param {0}=VALUE` when running)",
                    id.name
                ),
            };
            self.report(SemanticError::UnknownName { name: id.name.clone(), span, help: Some(help) });
        }
        Expr::error(span)
    }

    fn call(&mut self, e: &ast::Expr, function: &ast::Ident, args: &[ast::Expr], row: Option<&Schema>) -> Expr {
        let span = e.span;
        let name = function.name.as_str();
        if matches!(self.lets.get(name), Some(LetValue::Poisoned)) {
            // A `let` with errors (a function whose definition did not parse):
            // already reported.
            return Expr::error(span);
        }
        if self.is_user_function(name) {
            let Some(LetValue::Function(f)) = self.lets.get(name).cloned() else {
                self.report(SemanticError::Recursion { name: name.to_string(), span: function.span });
                return Expr::error(span);
            };
            if f.tabular {
                self.report(SemanticError::NotScalar { span });
                return Expr::error(span);
            }
            return match self.call_function(&f, function, args, None, row, span) {
                super::udf::CallValue::Scalar(e) => e,
                super::udf::CallValue::Tabular(_) => Expr::error(span),
            };
        }
        match name {
            "toscalar" => return self.toscalar(args, row, span),
            name if super::naming::is_column_ifexists(name) => return self.column_ifexists(args, row, span),
            "pack_all" => return self.pack_all(args, row, span),
            "bag_pack_columns" => return self.bag_pack_columns(args, row, span),
            "materialize" | "table" | "view" => {
                self.report(SemanticError::NotScalar { span });
                return Expr::error(span);
            }
            _ => {}
        }
        let Some(def) = functions::lookup(name) else {
            for a in args {
                if !matches!(a.kind, A::Star) && !self.is_tabular(a) {
                    self.scalar(a, row);
                }
            }
            if functions::is_known_unsupported(name) {
                self.report(SemanticError::UnsupportedFunction {
                    name: name.to_string(),
                    span: function.span,
                    help: None,
                });
            } else {
                self.report(SemanticError::UnknownFunction {
                    name: name.to_string(),
                    span: function.span,
                    help: did_you_mean(name, functions::all_names()).map(|s| format!("did you mean `{s}`?")),
                });
            }
            return Expr::error(span);
        };
        if let Some(scalar) = functions::scalar_form(name, args.len()) {
            // `tdigest_merge(d1, d2, …)`, `hll_merge(h1, h2, …)`: the
            // scalar function of the name.
            let bound = self.call_args(args, row);
            let ty = self.check_call(scalar, &bound, span);
            return Expr::new(ExprKind::Call { function: scalar, args: bound }, ty, span);
        }
        if matches!(
            def.scalar(),
            Some(functions::ScalarFn::PercentileTDigest | functions::ScalarFn::PercentilesArrayTDigest)
        ) && args.last().and_then(type_literal).is_some()
        {
            return self.typed_tdigest(def, args, row, span);
        }
        if matches!(def.scalar(), Some(functions::ScalarFn::SeriesStats | functions::ScalarFn::SeriesFitLine)) {
            // A tuple of columns (binder/tuple_items.rs), not a value.
            self.call_args(args, row);
            self.report(SemanticError::Unsupported {
                what: format!("`{}` inside an expression", def.name),
                span,
                help: Some(format!(
                    "use it as a whole project/extend/print item, or read {}_dynamic(…).<result>",
                    def.name
                )),
            });
            return Expr::error(span);
        }
        if def.kind == FunctionKind::Aggregate {
            if self.pending_aggregates.is_none() {
                self.report(SemanticError::AggregateOutsideSummarize { function: name.to_string(), span });
                return Expr::error(span);
            }
            return self.aggregate_in_expression(def, args, row, span);
        }
        if def.scalar() == Some(functions::ScalarFn::Extract) && args.len() == 4 {
            return self.typed_extract(def, args, row, span);
        }
        if def.scalar() == Some(functions::ScalarFn::ExtractJson) && args.len() == 3 {
            return self.typed_extract(def, args, row, span);
        }
        let bound = self.call_args(args, row);
        let ty = self.check_call(def, &bound, span);
        Expr::new(ExprKind::Call { function: def, args: bound }, ty, span)
    }

    /// `extract(regex, captureGroup, source, typeof(T))` and
    /// `extract_json(path, json, typeof(T))`: the text converted to `T`, as
    /// `toT(…)` converts it (the extract page: the match "optionally
    /// converted to typeLiteral"; "If there's no match, or the type
    /// conversion fails: null"; extract_json's page: "the extracted value
    /// is converted to this type"). The type literal is the last argument.
    fn typed_extract(
        &mut self,
        def: &'static FunctionDef,
        args: &[ast::Expr],
        row: Option<&Schema>,
        span: Span,
    ) -> Expr {
        let Some((type_arg, rest)) = args.split_last() else {
            return Expr::error(span);
        };
        let target = type_literal(type_arg).flatten();
        let bound = self.call_args(rest, row);
        let Some(target) = target else {
            self.report(SemanticError::TypeMismatch {
                message: format!("{}'s last argument is a type literal such as typeof(long)", def.name),
                span: type_arg.span,
                label: "not typeof(type)".into(),
                help: None,
            });
            return Expr::error(span);
        };
        let ty = self.check_call(def, &bound, span);
        let extracted = Expr::new(ExprKind::Call { function: def, args: bound }, ty, span);
        if ty == Type::Unknown {
            return extracted;
        }
        let what = format!("result of {}", def.name);
        self.converted(extracted, Type::Scalar(target), span, &what).unwrap_or_else(|| Expr::error(span))
    }

    /// Binds the arguments of a scalar function call.
    pub(super) fn call_args(&mut self, args: &[ast::Expr], row: Option<&Schema>) -> Vec<Expr> {
        args.iter().map(|a| self.scalar(a, row)).collect()
    }

    /// Checks a call against its signature; reports and returns the result type.
    pub(crate) fn check_call(&mut self, def: &'static FunctionDef, args: &[Expr], span: Span) -> Type {
        let types: Vec<Type> = args.iter().map(|a| a.ty).collect();
        let ty = match def.check(&types) {
            Ok(t) => t,
            Err(CallError::Arity { expected }) => {
                self.report(SemanticError::WrongArity {
                    function: def.name.to_string(),
                    expected,
                    found: args.len(),
                    span,
                    help: Some(format!("usage: {}", def.signature_text())),
                });
                return Type::Unknown;
            }
            Err(CallError::ArgType { index, expected, found }) => {
                let param = def.param_for(index).map_or("argument", |p| p.name);
                self.report(SemanticError::TypeMismatch {
                    message: format!(
                        "argument {} (`{param}`) of `{}()` must be {expected}, found {found}",
                        index + 1,
                        def.name
                    ),
                    span: args[index].span,
                    label: format!("this is {found}"),
                    help: Some(format!("usage: {}", def.signature_text())),
                });
                return Type::Unknown;
            }
            Err(CallError::Unsupported { what }) => {
                self.report(SemanticError::Unsupported { what, span, help: None });
                return Type::Unknown;
            }
            // Kusto.Language types iff/case branches of different scalar
            // types as dynamic and accepts them (`CommonScalarOrDynamic`);
            // the engine wants them to share a type (the case page: "All
            // then arguments and the else argument must be of the same type").
            Err(CallError::Incompatible { found })
                if matches!(def.scalar(), Some(functions::ScalarFn::Iff | functions::ScalarFn::Case)) =>
            {
                let list: Vec<String> = found.iter().map(Type::to_string).collect();
                self.report(SemanticError::EngineRejects {
                    message: format!(
                        "the possible results of `{}()` have different types ({}): Kusto's engine rejects this",
                        def.name,
                        list.join(", ")
                    ),
                    span,
                    label: "results must share a type".into(),
                    help: Some("convert them, e.g. with tostring() or todouble()".into()),
                });
                return Type::DYNAMIC;
            }
            Err(CallError::Incompatible { found }) => {
                let list: Vec<String> = found.iter().map(Type::to_string).collect();
                self.report(SemanticError::TypeMismatch {
                    message: format!(
                        "the possible results of `{}()` have different types: {}",
                        def.name,
                        list.join(", ")
                    ),
                    span,
                    label: "results must share a type".into(),
                    help: Some("convert them, e.g. with tostring() or todouble()".into()),
                });
                return Type::Unknown;
            }
        };
        for (i, a) in args.iter().enumerate() {
            if def.param_for(i).is_some_and(|p| p.constant) && !is_constant(a) {
                let param = def.param_for(i).map_or("argument", |p| p.name);
                self.report(SemanticError::NotConstant {
                    what: format!("argument `{param}` of `{}()`", def.name),
                    span: a.span,
                });
            }
        }
        self.check_accuracy(def, args);
        ty
    }

    /// `dcount`, `dcountif`, `hll`, `hll_if`: the accuracy level must be
    /// one the dcount page's "Estimation accuracy" table lists, an integer
    /// 0 to 4. Anything else (another number, a column) is unsupported
    /// rather than run as a level the query did not ask for.
    fn check_accuracy(&mut self, def: &'static FunctionDef, args: &[Expr]) {
        use functions::AggregateFn as G;
        if !matches!(def.aggregate(), Some(G::DCount | G::DCountIf | G::Hll | G::HllIf)) {
            return;
        }
        let Some(a) = def.params.iter().position(|p| p.name == "accuracy").and_then(|i| args.get(i)) else {
            return;
        };
        let level = match &a.kind {
            ExprKind::Literal(Value::Int(Some(n))) => Some(i64::from(*n)),
            ExprKind::Literal(Value::Long(Some(n))) => Some(*n),
            // A query parameter's value is not known here; errors are reported already.
            ExprKind::Parameter(_) | ExprKind::Error => return,
            _ => None,
        };
        if level.is_some_and(|n| (0..=4).contains(&n)) {
            return;
        }
        self.report(SemanticError::Unsupported {
            what: format!("this accuracy level of `{}()`", def.name),
            span: a.span,
            help: Some("the dcount page documents the accuracy levels 0, 1, 2, 3 and 4 (a constant integer)".into()),
        });
    }

    /// `toscalar(T | …)`: the first column of the first row.
    /// `column_ifexists(name, default)`: the column `name` where the row
    /// has it, else the default (column_ifexists page), chosen here — the
    /// name must be a constant string. The default is bound either way, so
    /// errors in it are reported.
    fn column_ifexists(&mut self, args: &[ast::Expr], row: Option<&Schema>, span: Span) -> Expr {
        let [name, default] = args else {
            self.report(SemanticError::WrongArity {
                function: "column_ifexists".into(),
                expected: "2".into(),
                found: args.len(),
                span,
                help: None,
            });
            return Expr::error(span);
        };
        let bound = self.scalar(name, row);
        let column = match bound.as_literal() {
            Some(Value::String(c)) => Some(c.clone()),
            _ if bound.is_error() => None,
            _ => {
                let what = "the column name of column_ifexists (a string)".to_string();
                self.report(SemanticError::NotConstant { what, span: name.span });
                None
            }
        };
        let fallback = self.scalar(default, row);
        match (column, row) {
            (Some(c), Some(row)) if row.get(&c).is_some() => {
                let e = self.name(&ast::Ident::new(c, name.span), Some(row));
                Expr { span, ..e }
            }
            (Some(_), _) => Expr { span, ..fallback },
            (None, _) => Expr::error(span),
        }
    }

    /// `pack_all([ignore_null_empty])`: a bag of the row's columns (those
    /// a result shows, in order), bound as the catalog's `pack_all` with the
    /// flag (false if absent) and then each column's name and value.
    fn pack_all(&mut self, args: &[ast::Expr], row: Option<&Schema>, span: Span) -> Expr {
        let Some(def) = functions::lookup("pack_all") else {
            return Expr::error(span);
        };
        let bound = self.call_args(args, row);
        let ty = self.check_call(def, &bound, span);
        if ty == Type::Unknown || bound.iter().any(Expr::is_error) {
            return Expr::new(ExprKind::Call { function: def, args: bound }, ty, span);
        }
        let flag = bound.into_iter().next().unwrap_or_else(|| {
            Expr::new(ExprKind::Literal(Value::Bool(Some(false))), Type::Scalar(ScalarType::Bool), span)
        });
        let mut all = vec![flag];
        let packed = self.pack_all_row.as_ref().or(row);
        for c in packed.map(|r| r.visible().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            all.push(Expr::new(
                ExprKind::Literal(Value::String(c.name.clone())),
                Type::Scalar(ScalarType::String),
                span,
            ));
            all.push(Expr::new(ExprKind::Column(c.name), c.ty, span));
        }
        Expr::new(ExprKind::Call { function: def, args: all }, ty, span)
    }

    /// `bag_pack_columns(Column, …)`: a bag of the columns by their names
    /// (bag_pack_columns page), bound as `bag_pack("Column", Column, …)`;
    /// each argument must be a column.
    fn bag_pack_columns(&mut self, args: &[ast::Expr], row: Option<&Schema>, span: Span) -> Expr {
        let Some(def) = functions::lookup("bag_pack") else {
            return Expr::error(span);
        };
        let mut pairs = Vec::new();
        for a in args {
            let bound = self.scalar(a, row);
            match &bound.kind {
                ExprKind::Column(name) => {
                    let key = Expr::new(ExprKind::Literal(Value::String(name.clone())), Type::STRING, a.span);
                    pairs.extend([key, bound]);
                }
                _ if bound.is_error() => return Expr::error(span),
                _ => {
                    self.report(SemanticError::TypeMismatch {
                        message: "`bag_pack_columns` takes columns".into(),
                        span: a.span,
                        label: "not a column".into(),
                        help: Some("use bag_pack(\"name\", expression, …) for other values".into()),
                    });
                    return Expr::error(span);
                }
            }
        }
        if pairs.is_empty() {
            self.report(SemanticError::WrongArity {
                function: "bag_pack_columns".into(),
                expected: "at least 1".into(),
                found: 0,
                span,
                help: None,
            });
            return Expr::error(span);
        }
        Expr::new(ExprKind::Call { function: def, args: pairs }, Type::DYNAMIC, span)
    }

    fn toscalar(&mut self, args: &[ast::Expr], row: Option<&Schema>, span: Span) -> Expr {
        let [arg] = args else {
            self.report(SemanticError::WrongArity {
                function: "toscalar".into(),
                expected: "1".into(),
                found: args.len(),
                span,
                help: None,
            });
            return Expr::error(span);
        };
        if !self.is_tabular(arg) {
            // toscalar of a scalar is that scalar.
            let x = self.scalar(arg, row);
            return Expr { span, ..x };
        }
        let plan = self.tabular_expr(arg);
        let ty = plan.schema.columns.first().map_or(Type::Unknown, |c| c.ty);
        Expr::new(ExprKind::ScalarQuery(Box::new(plan)), ty, span)
    }

    pub(crate) fn binary(&mut self, op: BinaryOp, op_span: Span, l: Expr, r: Expr, span: Span) -> Expr {
        let (l, r) = bool_equality(op, l, r);
        let ty = match (l.ty, r.ty) {
            (Type::Scalar(lt), Type::Scalar(rt)) => match binary_type(op, lt, rt) {
                Some(t) => Type::Scalar(t),
                // Kusto.Language's `==` and `!=` take any two scalars
                // (Operators.cs: `NotBool == Scalar`); the engine fails
                // those it cannot compare, so this is a warning, not an error.
                None if matches!(op, BinaryOp::Eq | BinaryOp::NotEq) => {
                    let (message, help) = binary_mismatch(op, lt, rt);
                    self.report(SemanticError::EngineRejects {
                        message: format!("{message}: Kusto's engine rejects this when the query runs"),
                        span: op_span,
                        label: format!("{lt} {} {rt}", op.symbol()),
                        help,
                    });
                    Type::BOOL
                }
                None => {
                    let (message, help) = binary_mismatch(op, lt, rt);
                    self.report(SemanticError::TypeMismatch {
                        message,
                        span: op_span,
                        label: format!("{lt} {} {rt}", op.symbol()),
                        help,
                    });
                    Type::Unknown
                }
            },
            // Comparisons and logic are bool whatever the unknown operand was.
            _ if !matches!(op.precedence(), Precedence::Additive | Precedence::Multiplicative) => Type::BOOL,
            _ => Type::Unknown,
        };
        if op == BinaryOp::MatchesRegex && !is_constant(&r) {
            self.report(SemanticError::NotConstant {
                what: "the regular expression of `matches regex`".into(),
                span: r.span,
            });
        }
        Expr::new(ExprKind::Binary { op, left: Box::new(l), right: Box::new(r) }, ty, span)
    }

    /// `x has_any (a, b)` as `x has a or x has b`, `has_all` with `and`
    /// (has-any-operator page: "any of the specified terms"; has_all: "all
    /// of"). The list: string expressions, or dynamic array literals whose
    /// elements are strings, or constant dynamic arrays (parameters), kept
    /// as an `In` node the executor expands. `None` for any other list (a
    /// sub-query, a dynamic column), which stays unsupported.
    fn has_any_all(
        &mut self,
        op: InOp,
        x: &Expr,
        list: &[ast::Expr],
        row: Option<&Schema>,
        span: Span,
    ) -> Option<Expr> {
        if list.iter().any(|i| self.is_tabular(i))
            || !matches!(x.ty, Type::Scalar(ScalarType::String | ScalarType::Dynamic) | Type::Unknown)
        {
            return None;
        }
        let mut terms: Vec<Expr> = Vec::new();
        let items: Vec<Expr> = list.iter().map(|i| self.scalar(i, row)).collect();
        // A dynamic array known only when the query runs (a query parameter,
        // a function's parameter; Microsoft's ASIM parsers pass their
        // `dvcaction: dynamic` this way): its elements are tested when the
        // query runs. A per-row array (a column) stays unsupported.
        if items.iter().any(|e| {
            e.ty == Type::Scalar(ScalarType::Dynamic) && is_constant(e) && !matches!(e.kind, ExprKind::Literal(_))
        }) {
            let fits = |e: &Expr| {
                is_constant(e) && matches!(e.ty, Type::Scalar(ScalarType::String | ScalarType::Dynamic) | Type::Unknown)
            };
            if !items.iter().all(fits) {
                return None;
            }
            return Some(Expr::new(ExprKind::In { op, expr: Box::new(x.clone()), list: items }, Type::BOOL, span));
        }
        for e in items {
            match (&e.kind, e.ty) {
                (ExprKind::Literal(Value::Dynamic(kql_types::DynValue::Array(items))), _) => {
                    for v in items {
                        let kql_types::DynValue::String(s) = v else { return None };
                        terms.push(Expr::new(ExprKind::Literal(Value::String(s.clone())), Type::STRING, e.span));
                    }
                }
                (_, Type::Scalar(ScalarType::String) | Type::Unknown) => terms.push(e),
                _ => return None,
            }
        }
        let (join, test) = match op {
            InOp::HasAny => (BinaryOp::Or, BinaryOp::Has),
            _ => (BinaryOp::And, BinaryOp::Has),
        };
        let tests = terms.into_iter().map(|t| {
            Expr::new(ExprKind::Binary { op: test, left: Box::new(x.clone()), right: Box::new(t) }, Type::BOOL, span)
        });
        let combined = tests.reduce(|a, b| {
            Expr::new(ExprKind::Binary { op: join, left: Box::new(a), right: Box::new(b) }, Type::BOOL, span)
        });
        // An empty list: nothing to find (has_any) / nothing missing (has_all).
        Some(
            combined.unwrap_or_else(|| {
                Expr::new(ExprKind::Literal(Value::Bool(Some(op == InOp::HasAll))), Type::BOOL, span)
            }),
        )
    }

    fn in_expr(
        &mut self,
        op: InOp,
        op_span: Span,
        expr: &ast::Expr,
        list: &[ast::Expr],
        row: Option<&Schema>,
        span: Span,
    ) -> Expr {
        let x = self.scalar(expr, row);
        if matches!(op, InOp::HasAny | InOp::HasAll) {
            if let Some(e) = self.has_any_all(op, &x, list, row, span) {
                return e;
            }
            self.report(SemanticError::Unsupported {
                what: format!("the `{}` operator with this list", op.symbol()),
                span: op_span,
                help: Some(
                    "ntaq takes a list of strings or a dynamic array literal; combine `has` tests with `or` / `and`"
                        .into(),
                ),
            });
            return Expr::error(span);
        }
        if let [single] = list
            && self.is_tabular(single)
        {
            let plan = self.tabular_expr(single);
            if let Some(first) = plan.schema.columns.first() {
                self.check_in_item(op, op_span, &x, first.ty, single.span);
            }
            let kind = ExprKind::InQuery { op, expr: Box::new(x), query: Box::new(plan) };
            return Expr::new(kind, Type::BOOL, span);
        }
        let items: Vec<Expr> = list.iter().map(|i| self.scalar(i, row)).collect();
        for item in &items {
            self.check_in_item(op, op_span, &x, item.ty, item.span);
        }
        Expr::new(ExprKind::In { op, expr: Box::new(x), list: items }, Type::BOOL, span)
    }

    fn check_in_item(&mut self, op: InOp, op_span: Span, x: &Expr, item: Type, item_span: Span) {
        let (Type::Scalar(xt), Type::Scalar(it)) = (x.ty, item) else {
            return;
        };
        let case_insensitive = matches!(op, InOp::InCi | InOp::NotInCi);
        if case_insensitive && !matches!(xt, ScalarType::String | ScalarType::Dynamic) {
            self.report(SemanticError::TypeMismatch {
                message: format!("`{}` compares strings, found {xt}", op.symbol()),
                span: op_span,
                label: format!("left side is {xt}"),
                help: Some(format!("use `{}` for non-string values", if op == InOp::InCi { "in" } else { "!in" })),
            });
        } else if !equality_comparable(xt, it) {
            self.report(SemanticError::TypeMismatch {
                message: format!("`{}` list item is {it}, but the value tested is {xt}", op.symbol()),
                span: item_span,
                label: format!("this is {it}"),
                help: None,
            });
        }
    }

    fn check_between(&mut self, x: &Expr, lo: &Expr, hi: &Expr) {
        let (Type::Scalar(xt), Type::Scalar(lt), Type::Scalar(ht)) = (x.ty, lo.ty, hi.ty) else {
            return;
        };
        let orderable = |t: ScalarType| t.is_numeric() || matches!(t, ScalarType::DateTime | ScalarType::Timespan);
        if !orderable(xt) {
            self.report(SemanticError::TypeMismatch {
                message: format!("`between` needs a number, datetime or timespan, found {xt}"),
                span: x.span,
                label: format!("this is {xt}"),
                help: None,
            });
            return;
        }
        let fits = |t: ScalarType| assignable(t, xt);
        if !fits(lt) {
            self.report(SemanticError::TypeMismatch {
                message: format!("`between` range starts with {lt}, but the value is {xt}"),
                span: lo.span,
                label: format!("this is {lt}"),
                help: None,
            });
        }
        // `t between (start .. 1h)` means start .. start+1h for datetimes.
        let datetime_plus_span = xt == ScalarType::DateTime && ht == ScalarType::Timespan;
        if !fits(ht) && !datetime_plus_span {
            self.report(SemanticError::TypeMismatch {
                message: format!("`between` range ends with {ht}, but the value is {xt}"),
                span: hi.span,
                label: format!("this is {ht}"),
                help: None,
            });
        }
    }
}

/// `b == x` and `b != x` with `b` a bool and `x` any other non-dynamic
/// scalar: Kusto.Language accepts them (Operators.cs, the hidden
/// `bool == Scalar` signature) and published content relies on them
/// (`IsFlowCapturedAtUdrHop == "true"`); `x` is read as a bool, as
/// `tobool(x)` reads it.
fn bool_equality(op: BinaryOp, l: Expr, r: Expr) -> (Expr, Expr) {
    let as_bool = |x: Expr| match functions::lookup("tobool") {
        Some(function) => {
            let span = x.span;
            Expr::new(ExprKind::Call { function, args: vec![x] }, Type::BOOL, span)
        }
        None => x,
    };
    let other = |t: Type| matches!(t, Type::Scalar(s) if s != ScalarType::Bool && s != ScalarType::Dynamic);
    if !matches!(op, BinaryOp::Eq | BinaryOp::NotEq) {
        return (l, r);
    }
    if l.ty == Type::BOOL && other(r.ty) {
        (l, as_bool(r))
    } else if r.ty == Type::BOOL && other(l.ty) {
        (as_bool(l), r)
    } else {
        (l, r)
    }
}

fn negate_literal(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Int(Some(x)) => Value::Int(Some(x.checked_neg()?)),
        Value::Long(Some(x)) => Value::Long(Some(x.checked_neg()?)),
        Value::Real(Some(x)) => Value::Real(Some(-x)),
        Value::Timespan(Some(x)) => Value::Timespan(Some(x.checked_neg()?)),
        _ => return None,
    })
}

fn binary_mismatch(op: BinaryOp, l: ScalarType, r: ScalarType) -> (String, Option<String>) {
    use BinaryOp::*;
    match op {
        Eq | NotEq | Lt | Le | Gt | Ge => (
            format!("cannot compare {l} with {r} using `{}`", op.symbol()),
            Some(match (l, r) {
                (ScalarType::String, _) | (_, ScalarType::String) => {
                    "convert one side, e.g. with tostring(…) or tolong(…)".to_string()
                }
                _ => "both sides must have comparable types".to_string(),
            }),
        ),
        And | Or => (format!("`{}` needs bool operands, found {l} and {r}", op.symbol()), None),
        Add if l == ScalarType::String || r == ScalarType::String => {
            (format!("cannot add {l} and {r}"), Some("join strings with strcat(a, b)".to_string()))
        }
        Add | Sub | Mul | Div | Mod => (format!("cannot apply `{}` to {l} and {r}", op.symbol()), None),
        _ => (
            format!("`{}` needs string operands, found {l} and {r}", op.symbol()),
            Some("convert with tostring(…)".to_string()),
        ),
    }
}

/// The type a `typeof(T)` expression names, if `e` is one.
pub(super) fn type_literal(e: &ast::Expr) -> Option<Option<ScalarType>> {
    match &e.kind {
        A::Call { function, args } if function.name == "typeof" => Some(match args.as_slice() {
            [ast::Expr { kind: A::Name(t), .. }] => ScalarType::from_name(&t.name),
            _ => None,
        }),
        _ => None,
    }
}
