//! Kusto's rules for naming unnamed result columns (Kusto.Language
//! `Binder.GetExpressionResultName` / `GetFunctionResultName`).

use super::Binder;
use crate::functions::{self, ResultName};
use crate::schema::Schema;
use kql_syntax::ast::{self, ExprKind as A, Literal};

/// The name an unnamed expression gives its column, if it has one:
/// a column reference keeps its name, `tostring(X)` is `X`, `sum(X)` is
/// `sum_X`, `count()` is `count_`, `d.a` is `d_a`, `arr[0]` is `arr_0`.
pub(crate) fn result_name(e: &ast::Expr) -> Option<String> {
    result_name_in(e, None)
}

/// [`result_name`] of an expression over `row` (where known):
/// `column_ifexists("C", d)` is named `C` where the row has that column,
/// else as its default `d` is (column_ifexists page: `project
/// column_ifexists("Capital", State)` over a table without `Capital` gives
/// the column `State`). Kusto.Language names the second case `ColumnN`
/// (`ResultNameKind.FirstArgumentValueIfColumn`); the page's output, from
/// the engine, wins.
pub(crate) fn result_name_in(e: &ast::Expr, row: Option<&Schema>) -> Option<String> {
    let name = |e: &ast::Expr| result_name_in(e, row);
    match &e.kind {
        A::Paren(inner) => name(inner),
        A::Name(id) => Some(id.name.clone()),
        A::Call { function, args } if is_column_ifexists(&function.name) && args.len() == 2 => {
            match &args[0].unparen().kind {
                A::Literal(Literal::String(c)) if row.is_some_and(|r| r.get(c).is_some()) => Some(c.clone()),
                _ => name(&args[1]),
            }
        }
        A::Call { function, args } => match functions::scalar_form(&function.name, args.len())
            .or_else(|| functions::lookup(&function.name))
            .map(|d| d.result_name)
        {
            Some(ResultName::PrefixAndFirstArg(prefix)) => Some(match args.first() {
                Some(a) => format!("{prefix}_{}", name(a).unwrap_or_default()),
                None => format!("{prefix}_"),
            }),
            Some(ResultName::FirstArg) => args.first().and_then(name),
            Some(ResultName::Prefix(prefix)) => Some(prefix.to_string()),
            _ => None,
        },
        A::Index { target, index } => {
            let right = match &index.unparen().kind {
                A::Literal(Literal::String(s)) => Some(s.clone()),
                A::Literal(Literal::Long(Some(v))) => Some(v.to_string()),
                A::Literal(Literal::Int(Some(v))) => Some(v.to_string()),
                _ => None,
            };
            join_path(name(target), right)
        }
        A::Member { target, member } => join_path(name(target), Some(member.name.clone())),
        _ => None,
    }
}

/// `column_ifexists` and its deprecated alias `columnifexists`.
pub(crate) fn is_column_ifexists(name: &str) -> bool {
    matches!(name, "column_ifexists" | "columnifexists")
}

fn join_path(left: Option<String>, right: Option<String>) -> Option<String> {
    match (left, right) {
        (Some(l), Some(r)) if !l.trim().is_empty() => Some(format!("{l}_{r}")),
        (_, r) => r,
    }
}

impl Binder<'_> {
    /// The next `ColumnN` not already a column of `row` (Kusto numbers them
    /// across the whole query).
    pub(crate) fn default_column_name(&mut self, row: &Schema, taken: &[String]) -> String {
        loop {
            self.column_counter += 1;
            let name = format!("Column{}", self.column_counter);
            if row.get(&name).is_none() && !taken.contains(&name) {
                return name;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(src: &str) -> Option<String> {
        let e = kql_syntax::parse_expression(src).expect("parses");
        result_name(&e)
    }

    #[test]
    fn kusto_result_names() {
        assert_eq!(name_of("SrcIp").as_deref(), Some("SrcIp"));
        assert_eq!(name_of("(SrcIp)").as_deref(), Some("SrcIp"));
        assert_eq!(name_of("d.a.b").as_deref(), Some("d_a_b"));
        assert_eq!(name_of("d['key']").as_deref(), Some("d_key"));
        assert_eq!(name_of("a + 1"), None);
        assert_eq!(name_of("strcat(a, b)"), None);
    }
}
