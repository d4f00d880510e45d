//! `evaluate ipv4_lookup(LookupTable, SourceIPv4Key, IPv4LookupKey [,
//! ExtraKey1 [.. , ExtraKeyN [, return_unmatched]]])` (the ipv4_lookup
//! plugin page, <https://learn.microsoft.com/kusto/query/ipv4-lookup-plugin>):
//! a join of the input with a table of IPv4 ranges. The result's schema is
//! "the union of the source table and the lookup table, similar to the
//! result of the lookup operator": the input's columns, then the lookup
//! table's without the extra keys (its examples), duplicates renamed as a
//! lookup renames them.

use super::join::output_columns;
use super::{Binder, unknown_plan};
use crate::error::SemanticError;
use crate::plan::{Node, Plan, Side};
use crate::schema::{Column, Schema};
use crate::types::Type;
use kql_syntax::ScalarType;
use kql_syntax::ast::{self, ExprKind as A, JoinCondition};
use kql_types::Value;

impl Binder<'_> {
    pub(super) fn ipv4_lookup(&mut self, input: Plan, e: &ast::Evaluate) -> Plan {
        let call_span = e.plugin.span.to(e.args.last().map_or(e.plugin.span, |a| a.span));
        if let Some(s) = &e.schema {
            self.report(SemanticError::Unsupported {
                what: "an output schema after `ipv4_lookup(…)`".into(),
                span: s.span,
                help: Some("the plugin's columns are those of its two tables; drop the `: (…)`".into()),
            });
            return unknown_plan();
        }
        let mut positional: Vec<&ast::Expr> = Vec::new();
        let mut unmatched: Option<&ast::Expr> = None;
        for a in &e.args {
            match &a.kind {
                A::NamedArg { name, value } if name.name == "return_unmatched" => {
                    if unmatched.is_some() {
                        self.report(SemanticError::ArgumentTwice {
                            name: "return_unmatched".into(),
                            function: "ipv4_lookup".into(),
                            span: a.span,
                        });
                        return unknown_plan();
                    }
                    unmatched = Some(value);
                }
                A::NamedArg { name, .. } => {
                    self.report(SemanticError::UnknownArgument {
                        function: "ipv4_lookup".into(),
                        name: name.name.clone(),
                        span: name.span,
                        help: Some("ipv4_lookup's only named parameter is return_unmatched".into()),
                    });
                    return unknown_plan();
                }
                _ => positional.push(a),
            }
        }
        // After the three keys, names are extra keys; a last argument
        // that is not a name is return_unmatched.
        if unmatched.is_none() && positional.len() > 3 && positional.last().is_some_and(|a| a.as_name().is_none()) {
            unmatched = positional.pop();
        }
        if positional.len() < 3 {
            self.report(SemanticError::WrongArity {
                function: "ipv4_lookup".into(),
                expected: "3 or more".into(),
                found: e.args.len(),
                span: call_span,
                help: Some(
                    "ipv4_lookup(LookupTable, SourceIPv4Key, IPv4LookupKey [, ExtraKey …] [, return_unmatched])".into(),
                ),
            });
            return unknown_plan();
        }
        let right = self.tabular_expr(positional[0]);
        let source = self.ipv4_key(positional[1], &input.schema, "SourceIPv4Key", "the input");
        let key = self.ipv4_key(positional[2], &right.schema, "IPv4LookupKey", "the lookup table");
        let mut conditions = Vec::new();
        for a in &positional[3..] {
            match a.as_name() {
                Some(id) => conditions.push(JoinCondition::Column { name: id.clone() }),
                None => {
                    self.report(SemanticError::TypeMismatch {
                        message: "ipv4_lookup's extra keys are column names of both tables".into(),
                        span: a.span,
                        label: "not a column name".into(),
                        help: None,
                    });
                    return unknown_plan();
                }
            }
        }
        let extra = self.join_keys(&input.schema, &right.schema, &conditions, "ipv4_lookup");
        let unmatched = match unmatched {
            None => false,
            Some(u) => {
                let x = self.scalar(u, None);
                match x.as_literal() {
                    Some(Value::Bool(Some(b))) => *b,
                    _ if x.is_error() => return unknown_plan(),
                    Some(v) => {
                        self.report(SemanticError::TypeMismatch {
                            message: "return_unmatched is a bool".into(),
                            span: u.span,
                            label: format!("this is {}", v.scalar_type()),
                            help: Some("write `return_unmatched = true`".into()),
                        });
                        return unknown_plan();
                    }
                    None => {
                        self.report(SemanticError::NotConstant {
                            what: "return_unmatched (true or false)".into(),
                            span: u.span,
                        });
                        return unknown_plan();
                    }
                }
            }
        };
        let (Some(source), Some(key)) = (source, key) else {
            return unknown_plan();
        };
        let sides: Vec<(Side, &Column)> = input
            .schema
            .columns
            .iter()
            .map(|c| (Side::Left, c))
            .chain(
                right
                    .schema
                    .columns
                    .iter()
                    .filter(|c| !extra.iter().any(|(_, r)| *r == c.name))
                    .map(|c| (Side::Right, c)),
            )
            .collect();
        let (columns, output) = output_columns(sides);
        let open = input.schema.open || right.schema.open;
        Plan {
            node: Node::Ipv4Lookup {
                left: Box::new(input),
                right: Box::new(right),
                source,
                key,
                extra,
                unmatched,
                output,
            },
            schema: Schema { columns, open },
        }
    }

    /// The string column named by `arg` in `schema` (`what`: the parameter,
    /// `of`: the table), or `None` after reporting why not.
    fn ipv4_key(&mut self, arg: &ast::Expr, schema: &Schema, what: &str, of: &str) -> Option<String> {
        let Some(id) = arg.as_name() else {
            self.report(SemanticError::TypeMismatch {
                message: format!("ipv4_lookup's {what} is a column of {of}"),
                span: arg.span,
                label: "not a column name".into(),
                help: None,
            });
            return None;
        };
        let ty = self.side_column(schema, id, &format!("{of} of the ipv4_lookup"));
        if schema.get(&id.name).is_none() && !schema.open {
            return None;
        }
        if let Some(Type::Scalar(t)) = ty
            && t != ScalarType::String
        {
            self.report(SemanticError::TypeMismatch {
                message: format!("ipv4_lookup's {what} holds IPv4 addresses as strings, found {t}"),
                span: arg.span,
                label: format!("this is {t}"),
                help: Some(format!("convert it: `extend {0} = tostring({0})` first", id.name)),
            });
            return None;
        }
        Some(id.name.clone())
    }
}
