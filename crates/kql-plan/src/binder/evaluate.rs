//! `evaluate`: of Kusto's plugins, `bag_unpack` (the bag_unpack plugin
//! page), `pivot` (`pivot.rs`) and `ipv4_lookup` (`ipv4_lookup.rs`).
//!
//! `T | evaluate bag_unpack(Column [, OutputColumnPrefix] [, columnsConflict]
//! [, ignoredProperties]) [: (OutputSchema)]` replaces the dynamic `Column`
//! with one column per top-level property of its bags. Without an output
//! schema the columns depend on the data: `check` gives the operator an
//! open schema (the input's other columns, then any name, of unknown type),
//! and a run first reads the data for the properties (the caller binds
//! again with [`Params::set_unpacked`](super::Params::set_unpacked)).

use super::operators::{identity_columns, project_plan};
use super::{Binder, unknown_plan};
use crate::error::SemanticError;
use crate::plan::{Expr, ExprKind, Node, Plan};
use crate::schema::{Column, Schema};
use crate::types::Type;
use kql_syntax::ScalarType;
use kql_syntax::ast::{self, ExprKind as A};
use kql_types::DynValue;
use kql_types::Value;

/// bag_unpack's parameters, in order.
const PARAMETERS: [&str; 4] = ["Column", "OutputColumnPrefix", "columnsConflict", "ignoredProperties"];

/// What to do with an unpacked property named like an input column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Conflict {
    Error,
    ReplaceSource,
    KeepSource,
}

impl Binder<'_> {
    pub(crate) fn evaluate(&mut self, input: Plan, e: &ast::Evaluate) -> Plan {
        match e.plugin.name.as_str() {
            "bag_unpack" => self.bag_unpack(input, e),
            "pivot" => self.pivot(input, e),
            "ipv4_lookup" => self.ipv4_lookup(input, e),
            _ => {
                self.report(SemanticError::Unsupported {
                    what: format!("the `{}` plugin", e.plugin.name),
                    span: e.plugin.span,
                    help: Some(
                        "of the evaluate plugins ntaq implements `bag_unpack`, `pivot` and `ipv4_lookup`".into(),
                    ),
                });
                unknown_plan()
            }
        }
    }

    fn bag_unpack(&mut self, input: Plan, e: &ast::Evaluate) -> Plan {
        let row = input.schema.clone();
        let call_span = e.plugin.span.to(e.args.last().map_or(e.plugin.span, |a| a.span));
        let mut slots: [Option<&ast::Expr>; 4] = [None; 4];
        let mut position = 0;
        for a in &e.args {
            let (k, value) = match &a.kind {
                A::NamedArg { name, value } => {
                    match PARAMETERS.iter().position(|p| p.eq_ignore_ascii_case(&name.name)) {
                        Some(k) => (k, &**value),
                        None => {
                            self.report(SemanticError::UnknownArgument {
                                function: "bag_unpack".into(),
                                name: name.name.clone(),
                                span: name.span,
                                help: Some(format!("bag_unpack's parameters are {}", PARAMETERS.join(", "))),
                            });
                            continue;
                        }
                    }
                }
                _ => {
                    position += 1;
                    (position - 1, a)
                }
            };
            if k >= PARAMETERS.len() {
                self.report(SemanticError::WrongArity {
                    function: "bag_unpack".into(),
                    expected: "1 to 4".into(),
                    found: e.args.len(),
                    span: a.span,
                    help: None,
                });
                continue;
            }
            if slots[k].is_some() {
                self.report(SemanticError::ArgumentTwice {
                    name: PARAMETERS[k].into(),
                    function: "bag_unpack".into(),
                    span: a.span,
                });
                continue;
            }
            slots[k] = Some(value);
        }
        let Some(column_arg) = slots[0] else {
            self.report(SemanticError::WrongArity {
                function: "bag_unpack".into(),
                expected: "1 to 4".into(),
                found: 0,
                span: call_span,
                help: Some("name the dynamic column to unpack: `bag_unpack(Column)`".into()),
            });
            return unknown_plan();
        };
        let Some(column) = column_arg.as_name() else {
            self.report(SemanticError::TypeMismatch {
                message: "bag_unpack unpacks a column of its input".into(),
                span: column_arg.span,
                label: "not a column".into(),
                help: Some("compute it first: `extend d = … | evaluate bag_unpack(d)`".into()),
            });
            return unknown_plan();
        };
        let c = self.column_item(column_arg, &row);
        if c.is_error() {
            return unknown_plan();
        }
        if let Type::Scalar(t) = c.ty
            && t != ScalarType::Dynamic
        {
            self.report(SemanticError::TypeMismatch {
                message: format!("bag_unpack needs a dynamic column, found {t}"),
                span: column_arg.span,
                label: format!("this is {t}"),
                help: Some(format!("convert it: `extend {0} = parse_json({0})`", column.name)),
            });
            return unknown_plan();
        }
        let prefix = match slots[1] {
            Some(p) => match self.constant_string(p, "OutputColumnPrefix") {
                Some(s) => s,
                None => return unknown_plan(),
            },
            None => String::new(),
        };
        let conflict = match slots[2] {
            None => Conflict::Error,
            Some(p) => match self.constant_string(p, "columnsConflict").as_deref() {
                Some("error") => Conflict::Error,
                Some("replace_source") => Conflict::ReplaceSource,
                Some("keep_source") => Conflict::KeepSource,
                Some(_) => {
                    self.report(SemanticError::TypeMismatch {
                        message: "columnsConflict is 'error', 'replace_source' or 'keep_source'".into(),
                        span: p.span,
                        label: "not one of these".into(),
                        help: None,
                    });
                    return unknown_plan();
                }
                None => return unknown_plan(),
            },
        };
        let ignored = match slots[3] {
            None => Vec::new(),
            Some(p) => match self.constant_string_array(p) {
                Some(v) => v,
                None => return unknown_plan(),
            },
        };
        let others: Vec<Column> = row.columns.iter().filter(|x| x.name != column.name).cloned().collect();

        // The columns made: declared by the output schema, or found in the data.
        let (made, star): (Vec<(String, Type)>, bool) = if let Some(s) = &e.schema {
            (s.columns.iter().map(|d| (d.name.name.clone(), Type::Scalar(d.ty.ty))).collect(), s.star)
        } else if let Some(found) = self.params.unpacked(call_span.start) {
            let mut made: Vec<(String, Type)> = found
                .iter()
                .filter(|(k, _)| !ignored.contains(k))
                .map(|(k, t)| (format!("{prefix}{k}"), Type::Scalar(*t)))
                .collect();
            made.sort_by(|a, b| a.0.cmp(&b.0));
            (made, true)
        } else {
            let schema = Schema { columns: others, open: true };
            let node = Node::BagUnpack { input: Box::new(input), column: column.name.clone(), span: call_span };
            return Plan { node, schema };
        };
        // The input's columns as they are, the unpacked ones read from the bag.
        let bag = Expr::new(ExprKind::Column(column.name.clone()), Type::DYNAMIC, column.span);
        let mut columns: Vec<(String, Expr)> = if star { identity_columns(&Schema::new(others)) } else { Vec::new() };
        for (name, ty) in made {
            if let Some(k) = columns.iter().position(|(n, _)| *n == name) {
                match conflict {
                    Conflict::Error => {
                        self.report(SemanticError::DuplicateColumn { name: name.clone(), span: call_span });
                        continue;
                    }
                    Conflict::KeepSource => continue,
                    Conflict::ReplaceSource => {
                        columns.remove(k);
                    }
                }
            }
            let key = name.strip_prefix(prefix.as_str()).unwrap_or(&name).to_string();
            let value =
                Expr::new(ExprKind::Member { target: Box::new(bag.clone()), name: key }, Type::DYNAMIC, call_span);
            let Some(value) = self.converted(value, ty, call_span, "column in bag_unpack's output schema") else {
                return unknown_plan();
            };
            columns.push((name, value));
        }
        project_plan(input, columns, false)
    }

    /// `value` converted to `ty` as `tolong()`, `tostring()`, … would
    /// (`what` names the place, for the types ntaq cannot convert to).
    pub(super) fn converted(&mut self, value: Expr, ty: Type, span: kql_syntax::Span, what: &str) -> Option<Expr> {
        let function = match ty.scalar() {
            Some(ScalarType::Dynamic) | None => return Some(value),
            Some(ScalarType::String) => "tostring",
            Some(ScalarType::Long) => "tolong",
            Some(ScalarType::Int) => "toint",
            Some(ScalarType::Real) => "toreal",
            Some(ScalarType::Bool) => "tobool",
            Some(ScalarType::DateTime) => "todatetime",
            Some(ScalarType::Timespan) => "totimespan",
            Some(t) => {
                self.report(SemanticError::Unsupported {
                    what: format!("a {t} {what}"),
                    span,
                    help: Some("declare it dynamic and convert it afterwards".into()),
                });
                return None;
            }
        };
        let function = crate::functions::lookup(function)?;
        Some(Expr::new(ExprKind::Call { function, args: vec![value] }, ty, span))
    }

    /// A constant string argument.
    fn constant_string(&mut self, e: &ast::Expr, what: &str) -> Option<String> {
        let x = self.scalar(e, None);
        match x.as_literal() {
            Some(Value::String(s)) => Some(s.clone()),
            _ if x.is_error() => None,
            _ => {
                self.report(SemanticError::NotConstant { what: format!("{what} (a string)"), span: e.span });
                None
            }
        }
    }

    /// `dynamic(["a", "b"])`: the property names to ignore.
    fn constant_string_array(&mut self, e: &ast::Expr) -> Option<Vec<String>> {
        let x = self.scalar(e, None);
        if let Some(Value::Dynamic(DynValue::Array(items))) = x.as_literal() {
            let names: Option<Vec<String>> = items
                .iter()
                .map(|v| match v {
                    DynValue::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect();
            if let Some(n) = names {
                return Some(n);
            }
        }
        if !x.is_error() {
            self.report(SemanticError::NotConstant {
                what: "ignoredProperties (a dynamic array of strings)".into(),
                span: e.span,
            });
        }
        None
    }
}
