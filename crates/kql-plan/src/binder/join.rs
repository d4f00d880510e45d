//! Operators combining tables: join, lookup, union.

use super::Binder;
use super::operators::project_plan;
use crate::error::SemanticError;
use crate::plan::{Expr, ExprKind, JoinOutput, Node, Plan, Side};
use crate::schema::{Column, Schema, UniqueNames, make_names_unique};
use crate::types::Type;
use kql_syntax::Span;
use kql_syntax::ast::{self, JoinCondition, JoinKind, LookupKind, ParamValue};
use kql_syntax::suggest::did_you_mean;

/// The output names of a union's (name, type) variants, in order of first
/// appearance. A name with one type keeps it; a name with several types
/// becomes one column per type, `Name_type`. The union page: "This column
/// name is suffixed with a '_' followed by the origin column type", and in
/// its example a suffixed name that clashes with an existing column is
/// de-duplicated: View_1's `x` becomes `x_long1` because View_3 has a column
/// `x_long`, which keeps its name. So the unsuffixed names are taken first,
/// then each suffixed name gets the next free numeric suffix.
fn union_names(variants: &[Column]) -> Vec<String> {
    let several_types = |name: &str| variants.iter().filter(|v| v.name == name).count() > 1;
    let mut unique = UniqueNames::default();
    unique.reserve(variants.iter().filter(|v| !several_types(&v.name)).map(|v| v.name.as_str()));
    variants
        .iter()
        .map(
            |v| {
                if several_types(&v.name) { unique.get_or_add(&format!("{}_{}", v.name, v.ty)) } else { v.name.clone() }
            },
        )
        .collect()
}

/// Output columns of a join/lookup from (side, input column) pairs, with
/// Kusto's renaming of duplicates, and the mapping the executor follows.
pub(super) fn output_columns(sides: Vec<(Side, &Column)>) -> (Vec<Column>, Vec<JoinOutput>) {
    let mut columns: Vec<Column> = sides.iter().map(|(_, c)| (*c).clone()).collect();
    make_names_unique(&mut columns);
    let output = sides
        .iter()
        .zip(&columns)
        .map(|((side, c), out)| JoinOutput { side: *side, column: c.name.clone(), name: out.name.clone() })
        .collect();
    (columns, output)
}

impl Binder<'_> {
    pub(crate) fn join(&mut self, left: Plan, j: &ast::Join) -> Plan {
        let right = self.tabular_expr(&j.right);
        self.check_hints(&j.params, "join");
        let kind = j.kind.map_or(JoinKind::InnerUnique, |(k, _)| k);
        let on = self.join_keys(&left.schema, &right.schema, &j.on, "join");
        let open = left.schema.open || right.schema.open;
        let sides: Vec<(Side, &Column)> = match kind {
            JoinKind::LeftSemi | JoinKind::LeftAnti => left.schema.columns.iter().map(|c| (Side::Left, c)).collect(),
            JoinKind::RightSemi | JoinKind::RightAnti => {
                right.schema.columns.iter().map(|c| (Side::Right, c)).collect()
            }
            _ => left
                .schema
                .columns
                .iter()
                .map(|c| (Side::Left, c))
                .chain(right.schema.columns.iter().map(|c| (Side::Right, c)))
                .collect(),
        };
        // Right-side names that clash get a suffix: DestIp → DestIp1.
        let (columns, output) = output_columns(sides);
        Plan {
            node: Node::Join { left: Box::new(left), right: Box::new(right), kind, on, output },
            schema: Schema { columns, open },
        }
    }

    pub(crate) fn lookup(&mut self, left: Plan, l: &ast::Lookup) -> Plan {
        let right = self.tabular_expr(&l.right);
        self.check_hints(&l.params, "lookup");
        let kind = l.kind.map_or(LookupKind::LeftOuter, |(k, _)| k);
        let on = self.join_keys(&left.schema, &right.schema, &l.on, "lookup");
        // The right keys are not repeated (Kusto.Language VisitLookupOperator).
        let sides: Vec<(Side, &Column)> = left
            .schema
            .columns
            .iter()
            .map(|c| (Side::Left, c))
            .chain(
                right.schema.columns.iter().filter(|c| !on.iter().any(|(_, r)| *r == c.name)).map(|c| (Side::Right, c)),
            )
            .collect();
        let (columns, output) = output_columns(sides);
        let open = left.schema.open || right.schema.open;
        Plan {
            node: Node::Lookup { left: Box::new(left), right: Box::new(right), kind, on, output },
            schema: Schema { columns, open },
        }
    }

    /// `hint.*` parameters are accepted and ignored; they do not change results.
    fn check_hints(&mut self, params: &[ast::OperatorParam], op: &str) {
        for p in params {
            if !p.name.name.starts_with("hint.") {
                self.report(SemanticError::Unsupported {
                    what: format!("`{op}` parameter `{}`", p.name.name),
                    span: p.span,
                    help: None,
                });
            }
        }
    }

    /// Resolves `on` conditions to (left column, right column) pairs.
    pub(super) fn join_keys(
        &mut self,
        left: &Schema,
        right: &Schema,
        on: &[JoinCondition],
        op: &str,
    ) -> Vec<(String, String)> {
        let mut keys = Vec::new();
        for cond in on {
            let (l, r, span) = match cond {
                JoinCondition::Column { name } => (name, name, name.span),
                JoinCondition::Equal { left, right, span } => (left, right, *span),
            };
            let lt = self.side_column(left, l, &format!("the left side of the {op}"));
            let rt = self.side_column(right, r, &format!("the right side of the {op}"));
            if let (Some(Type::Scalar(a)), Some(Type::Scalar(b))) = (lt, rt)
                && a != b
                && !(a.is_numeric() && b.is_numeric())
            {
                self.report(SemanticError::JoinKeyType { left: a.to_string(), right: b.to_string(), span });
            }
            keys.push((l.name.clone(), r.name.clone()));
        }
        keys
    }

    pub(super) fn side_column(&mut self, schema: &Schema, id: &ast::Ident, context: &str) -> Option<Type> {
        if let Some(c) = schema.get(&id.name) {
            return Some(c.ty);
        }
        if !schema.open {
            self.report(SemanticError::UnknownColumn {
                name: id.name.clone(),
                span: id.span,
                context: context.to_string(),
                help: did_you_mean(&id.name, schema.names()).map(|s| format!("did you mean `{s}`?")),
            });
        }
        None
    }

    /// `union`: all inputs' columns by name (outer, the default) or the
    /// common ones (`kind=inner`). A name seen with different types becomes
    /// one column per type, named `Name_type`, as Kusto does.
    pub(crate) fn union(&mut self, first: Option<Plan>, u: &ast::Union) -> Plan {
        let mut inner = false;
        let mut fuzzy = false;
        let mut source: Option<&ast::Ident> = None;
        for p in &u.params {
            match (p.name.name.as_str(), &p.value) {
                ("kind", ParamValue::Word(w)) if w.name == "outer" => {}
                ("kind", ParamValue::Word(w)) if w.name == "inner" => inner = true,
                ("withsource", ParamValue::Word(w)) => source = Some(w),
                ("isfuzzy", ParamValue::Literal(ast::Literal::Bool(Some(b)))) => fuzzy = *b,
                (n, _) if n.starts_with("hint.") => {}
                (n, _) => self.report(SemanticError::Unsupported {
                    what: format!(
                        "union parameter `{n}={}`",
                        match &p.value {
                            ParamValue::Word(w) => w.name.clone(),
                            ParamValue::Literal(l) => l.to_string(),
                        }
                    ),
                    span: p.span,
                    help: match n {
                        "kind" => Some("kind is `outer` (the default) or `inner`".to_string()),
                        "isfuzzy" => Some("isfuzzy is `true` or `false`".to_string()),
                        "withsource" => Some("withsource names the new column: `withsource=SourceTable`".to_string()),
                        _ => None,
                    },
                }),
            }
        }
        let mut inputs: Vec<Plan> = first.into_iter().collect();
        // The name each leg is written with, if it is one (`View_1`).
        let mut written: Vec<Option<String>> = inputs.iter().map(|_| None).collect();
        let mut skipped = Vec::new();
        // `union NTA*`, `union *`: the tables (and tabular lets) the
        // patterns match, as `search in (…)` expands them.
        let tables = self.expand_table_patterns(&u.tables, fuzzy);
        for t in &tables {
            // The union page, `isfuzzy=true`: legs that do not resolve are
            // left out with a warning; an error only if none resolves.
            if fuzzy && let Some(id) = t.as_name().filter(|id| !self.resolves_as_table(&id.name)) {
                skipped.push(id.clone());
                continue;
            }
            written.push(t.as_name().map(|id| id.name.clone()));
            inputs.push(self.tabular_expr(t));
        }
        if inputs.is_empty()
            && let Some(id) = skipped.first()
        {
            // Nothing resolved: the unknown-table error of the first leg.
            written.push(Some(id.name.clone()));
            inputs.push(self.tabular_expr(&ast::Expr::new(ast::ExprKind::Name(id.clone()), id.span)));
            skipped.remove(0);
        }
        for id in skipped {
            self.report(SemanticError::FuzzyUnionSkipped { name: id.name.clone(), span: id.span });
        }
        // `withsource=Column`: a first string column naming each row's leg:
        // a table's or `let`'s name, the name a leg is written with (a view:
        // the union page's `union withsource=TableName View_1, View_2` gives
        // View_1 and View_2), else `union_argN` by position.
        if let Some(src) = source {
            if inputs.iter().any(|p| p.schema.get(&src.name).is_some()) {
                self.report(SemanticError::DuplicateColumn { name: src.name.clone(), span: src.span });
            } else {
                inputs = inputs
                    .into_iter()
                    .zip(written)
                    .enumerate()
                    .map(|(k, (p, written))| {
                        let name = match (&p.node, written) {
                            (Node::Scan { table }, _) => table.clone(),
                            (Node::Shared { name, .. }, _) => name.clone(),
                            (_, Some(name)) => name,
                            _ => format!("union_arg{k}"),
                        };
                        let lit = Expr::new(ExprKind::Literal(kql_types::Value::String(name)), Type::STRING, src.span);
                        let mut cols = vec![(src.name.clone(), lit)];
                        cols.extend(super::operators::identity_columns(&p.schema));
                        let open = p.schema.open;
                        project_plan(p, cols, open)
                    })
                    .collect();
            }
        }
        let open = inputs.iter().any(|p| p.schema.open);

        // Every (name, type) in order of first appearance.
        let mut variants: Vec<Column> = Vec::new();
        for p in &inputs {
            for c in &p.schema.columns {
                if !variants.iter().any(|v| v.name == c.name && v.ty == c.ty) {
                    variants.push(c.clone());
                }
            }
        }
        let names = union_names(&variants);
        let output_name = |c: &Column| -> String {
            let k = variants.iter().position(|v| v.name == c.name && v.ty == c.ty);
            k.map_or_else(|| c.name.clone(), |k| names[k].clone())
        };
        let mut columns: Vec<Column> = variants.iter().zip(&names).map(|(v, n)| Column::new(n.clone(), v.ty)).collect();
        // A standard column stays hidden if it is hidden in every leg that has it.
        for c in &mut columns {
            let mut legs = inputs.iter().flat_map(|p| &p.schema.columns).filter(|pc| output_name(pc) == c.name);
            c.hidden = legs.all(|pc| pc.hidden);
        }
        if inner {
            columns.retain(|c| inputs.iter().all(|p| p.schema.columns.iter().any(|pc| output_name(pc) == c.name)));
        }
        // Rename or narrow inputs so the executor can match columns by name.
        let inputs = inputs
            .into_iter()
            .map(|p| {
                let needs_project = inner || p.schema.columns.iter().any(|c| output_name(c) != c.name);
                if !needs_project {
                    return p;
                }
                let cols: Vec<(String, Expr)> = p
                    .schema
                    .columns
                    .iter()
                    .filter(|c| columns.iter().any(|o| o.name == output_name(c)))
                    .map(|c| (output_name(c), Expr::new(ExprKind::Column(c.name.clone()), c.ty, Span::default())))
                    .collect();
                let open = p.schema.open;
                project_plan(p, cols, open)
            })
            .collect();
        Plan { node: Node::Union { inputs }, schema: Schema { columns, open } }
    }

    /// True if `name` stands for a table here: a tabular `let`, a function
    /// or a catalog table.
    pub(super) fn resolves_as_table(&self, name: &str) -> bool {
        matches!(
            self.lets.get(name),
            Some(
                super::LetValue::Tabular { .. }
                    | super::LetValue::Inline(_)
                    | super::LetValue::Function(_)
                    | super::LetValue::Poisoned
            )
        ) || self.catalog.get(name).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::union_names;
    use crate::schema::Column;
    use crate::types::Type;

    fn names(cols: &[(&str, Type)]) -> Vec<String> {
        union_names(&cols.iter().map(|(n, t)| Column::new(*n, *t)).collect::<Vec<_>>())
    }

    #[test]
    fn union_page_type_suffixes() {
        // "Source columns types mismatch": x long and x int.
        assert_eq!(names(&[("x", Type::LONG), ("x", Type::INT)]), ["x_long", "x_int"]);
        // The second example: View_3's own x_long keeps its name, View_1's x becomes x_long1.
        assert_eq!(
            names(&[("x", Type::LONG), ("x", Type::INT), ("x_long", Type::LONG)]),
            ["x_long1", "x_int", "x_long"]
        );
        // Same, whatever the order the legs come in.
        assert_eq!(
            names(&[("x_long", Type::LONG), ("x", Type::LONG), ("x", Type::INT)]),
            ["x_long", "x_long1", "x_int"]
        );
        // A name with one type is untouched, however many legs have it.
        assert_eq!(names(&[("a", Type::STRING), ("b", Type::LONG)]), ["a", "b"]);
    }
}
