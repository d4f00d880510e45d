//! `search` and `* has "x"`: predicates over every column.
//!
//! The search operator page: `T | search Predicate` keeps the rows of `T`
//! for which the predicate holds; `search [in (T1, T2)] Predicate` at the
//! start of a query searches those tables (every table without `in`) and
//! adds a first column `$table` naming each row's table. In the predicate a
//! string literal standing as a condition is a term looked for in every
//! column, with the operator chosen by where its `*`s are: `billg` → `has`,
//! `*billg` → `hassuffix`, `billg*` → `hasprefix`, `*billg*` → `contains`,
//! `bi*lg` → `matches regex`. `kind=case_sensitive` makes every string
//! operator of the predicate case-sensitive. `*` before a string operator
//! (`where * has "x"`, also `==`/`!=`) is the same test over every column,
//! each read as a string: true when any column passes (for a negated operator, `* !has
//! "x"`, when every column passes).

use super::Binder;
use crate::catalog::TableOrigin;
use crate::error::SemanticError;
use crate::plan::{Expr, ExprKind, Plan};
use crate::schema::Schema;
use crate::types::Type;
use kql_syntax::Span;
use kql_syntax::ast::{self, BinaryOp, ParamValue};
use kql_types::Value;

/// The name of the column `search` adds when it reads tables itself.
pub(crate) const TABLE_COLUMN: &str = "$table";

impl Binder<'_> {
    /// `search`: over `input` when piped, else over its tables.
    pub(crate) fn search(&mut self, input: Option<Plan>, s: &ast::Search) -> Plan {
        let mut case_sensitive = false;
        for p in &s.params {
            match (p.name.name.as_str(), &p.value) {
                ("kind", ParamValue::Word(w)) if w.name == "case_sensitive" => case_sensitive = true,
                ("kind", ParamValue::Word(w)) if matches!(w.name.as_str(), "case_insensitive" | "default") => {}
                (n, _) if n.starts_with("hint.") => {}
                (n, v) => self.report(SemanticError::Unsupported {
                    what: format!(
                        "search parameter `{n}={}`",
                        match v {
                            ParamValue::Word(w) => w.name.clone(),
                            ParamValue::Literal(l) => l.to_string(),
                        }
                    ),
                    span: p.span,
                    help: Some("kind is `default`, `case_insensitive` or `case_sensitive`".into()),
                }),
            }
        }
        let input = match input {
            Some(p) => p,
            None => {
                let span = s.predicate.span;
                let tables = match &s.tables {
                    Some(t) => self.expand_table_patterns(t, false),
                    None => {
                        let mut names = self.tables_with_data();
                        names.sort();
                        names
                            .into_iter()
                            .map(|n| ast::Expr::new(ast::ExprKind::Name(ast::Ident::new(n, span)), span))
                            .collect()
                    }
                };
                let with_source = ast::OperatorParam {
                    name: ast::Ident::new("withsource", span),
                    value: ParamValue::Word(ast::Ident::new(TABLE_COLUMN, span)),
                    span,
                };
                self.union(None, &ast::Union { params: vec![with_source], tables })
            }
        };
        let predicate = search_predicate(&s.predicate, case_sensitive, true);
        self.where_(input, &predicate)
    }

    /// `search in (NTA*, T)`: each name with `*` stands for the catalog's
    /// tables and the tabular `let`s it matches, sorted by name (the search
    /// page: the list has the union operator's wildcard syntax).
    /// A pattern no table matches is an unknown-table error, or with
    /// `keep_unmatched` (`union isfuzzy=true`) stays as written for the
    /// caller to leave out.
    pub(crate) fn expand_table_patterns(&mut self, tables: &[ast::Expr], keep_unmatched: bool) -> Vec<ast::Expr> {
        let mut out = Vec::new();
        for t in tables {
            let Some(id) = t.as_name().filter(|id| id.name.contains('*')) else {
                out.push(t.clone());
                continue;
            };
            let mut candidates: Vec<String> = self.tables_with_data();
            candidates.extend(self.lets.keys().filter(|n| self.resolves_as_table(n)).cloned());
            candidates.sort();
            candidates.dedup();
            let matched: Vec<String> = candidates.into_iter().filter(|n| wildcard_match(&id.name, n)).collect();
            if matched.is_empty() && keep_unmatched {
                out.push(t.clone());
                continue;
            }
            if matched.is_empty() {
                self.report(SemanticError::UnknownTable {
                    name: id.name.clone(),
                    span: id.span,
                    help: Some("no table or tabular `let` matches this pattern".into()),
                });
                continue;
            }
            out.extend(
                matched.into_iter().map(|n| ast::Expr::new(ast::ExprKind::Name(ast::Ident::new(n, id.span)), id.span)),
            );
        }
        out
    }

    /// The catalog's tables but those a data directory lacks (a published
    /// table kept for its schema has no rows to find, and reading it is an
    /// I/O error); all of them when none has data (`check`).
    fn tables_with_data(&self) -> Vec<String> {
        let schema_only = |n: &str| matches!(self.catalog.get(n), Some(t) if matches!(&t.origin, TableOrigin::Files(f) if f.is_empty()));
        let names: Vec<String> = self.catalog.names().filter(|n| !schema_only(n)).map(str::to_string).collect();
        if names.is_empty() { self.catalog.names().map(str::to_string).collect() } else { names }
    }

    /// `* op right`: `op` applied to every column of `row` as a string.
    pub(crate) fn star_predicate(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        right: &ast::Expr,
        row: Option<&Schema>,
        span: Span,
    ) -> Expr {
        let r = self.scalar(right, row);
        if !op.is_string_op() && !matches!(op, BinaryOp::Eq | BinaryOp::NotEq) {
            self.report(SemanticError::TypeMismatch {
                message: format!("`*` (every column) goes with a string operator such as `has`, not `{}`", op.symbol()),
                span: op_span,
                label: "not a string operator".into(),
                help: Some("write e.g. `* has \"text\"` or `* contains \"text\"`".into()),
            });
            return Expr::error(span);
        }
        if let Type::Scalar(t) = r.ty
            && t != kql_syntax::ScalarType::String
        {
            self.report(SemanticError::TypeMismatch {
                message: format!("`* {}` needs a string, found {t}", op.symbol()),
                span: r.span,
                label: format!("this is {t}"),
                help: Some("quote the text: `* has \"42\"`".into()),
            });
            return Expr::error(span);
        }
        let Some(row) = row.filter(|row| !row.open) else {
            if row.is_none() {
                self.report(SemanticError::TypeMismatch {
                    message: "`*` (every column) needs the columns of a table".into(),
                    span,
                    label: "no row here".into(),
                    help: None,
                });
            }
            return Expr::error(span);
        };
        let negated = op.symbol().starts_with('!');
        let Some(tostring) = crate::functions::lookup("tostring") else {
            return Expr::error(span);
        };
        let mut result: Option<Expr> = None;
        // Every column a result shows: Log Analytics' hidden standard
        // columns are left out of `*` as of `project *`.
        for c in row.visible() {
            let col = Expr::new(ExprKind::Column(c.name.clone()), c.ty, span);
            let text = if c.ty == Type::STRING {
                col
            } else {
                Expr::new(ExprKind::Call { function: tostring, args: vec![col] }, Type::STRING, span)
            };
            let test = self.binary(op, op_span, text, r.clone(), span);
            result = Some(match result {
                None => test,
                Some(acc) => {
                    let combine = if negated { BinaryOp::And } else { BinaryOp::Or };
                    Expr::new(
                        ExprKind::Binary { op: combine, left: Box::new(acc), right: Box::new(test) },
                        Type::BOOL,
                        span,
                    )
                }
            });
        }
        // No column: nothing has the text, and nothing fails to.
        result.unwrap_or_else(|| Expr::new(ExprKind::Literal(Value::Bool(Some(negated))), Type::BOOL, span))
    }
}

/// The search predicate as a `where` predicate: string literals standing as
/// conditions become `* op "term"`; with `case_sensitive`, string operators
/// their `_cs` forms.
fn search_predicate(e: &ast::Expr, case_sensitive: bool, condition: bool) -> ast::Expr {
    use ast::ExprKind as A;
    let span = e.span;
    let kind = match &e.kind {
        A::Literal(ast::Literal::String(text)) if condition => {
            let (op, term) = term_operator(text, case_sensitive);
            A::Binary {
                op,
                op_span: span,
                left: Box::new(ast::Expr::new(A::Star, span)),
                right: Box::new(ast::Expr::new(A::Literal(ast::Literal::String(term)), span)),
            }
        }
        A::ColumnTerm { column, term } => {
            let (op, term) = term_operator(term, case_sensitive);
            A::Binary {
                op,
                op_span: span,
                left: Box::new(ast::Expr::new(A::Name(column.clone()), column.span)),
                right: Box::new(ast::Expr::new(A::Literal(ast::Literal::String(term)), span)),
            }
        }
        A::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), op_span, left, right } => A::Binary {
            op: *op,
            op_span: *op_span,
            left: Box::new(search_predicate(left, case_sensitive, true)),
            right: Box::new(search_predicate(right, case_sensitive, true)),
        },
        A::Binary { op, op_span, left, right } => A::Binary {
            op: if case_sensitive { case_sensitive_op(*op) } else { *op },
            op_span: *op_span,
            left: left.clone(),
            right: right.clone(),
        },
        A::Paren(inner) => A::Paren(Box::new(search_predicate(inner, case_sensitive, condition))),
        A::Call { function, args } if function.name == "not" && args.len() == 1 => A::Call {
            function: function.clone(),
            args: args.iter().map(|a| search_predicate(a, case_sensitive, true)).collect(),
        },
        other => other.clone(),
    };
    ast::Expr::new(kind, span)
}

/// The search page's table: the operator a term's `*`s choose, and the term
/// without them (a regular expression for `matches regex`).
fn term_operator(text: &str, case_sensitive: bool) -> (BinaryOp, String) {
    let cs = |ci: BinaryOp, cs: BinaryOp| if case_sensitive { cs } else { ci };
    let starts = text.starts_with('*');
    let ends = text.len() > 1 && text.ends_with('*');
    let inner = &text[usize::from(starts)..text.len() - usize::from(ends)];
    if inner.is_empty() || !inner.contains('*') {
        return match (starts, ends) {
            (false, false) => (cs(BinaryOp::Has, BinaryOp::HasCs), text.to_string()),
            (true, false) => (cs(BinaryOp::HasSuffix, BinaryOp::HasSuffixCs), inner.to_string()),
            (false, true) => (cs(BinaryOp::HasPrefix, BinaryOp::HasPrefixCs), inner.to_string()),
            (true, true) => (cs(BinaryOp::Contains, BinaryOp::ContainsCs), inner.to_string()),
        };
    }
    // `bi*lg`: the literal parts joined by `.*`.
    let pattern: Vec<String> = text.split('*').map(regex_escape).collect();
    let mut re = pattern.join(".*");
    if !case_sensitive {
        re.insert_str(0, "(?i)");
    }
    (BinaryOp::MatchesRegex, re)
}

/// True if `name` fits `pattern`, whose `*`s stand for any text.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return pattern == name;
    }
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(k) => rest = &rest[k + p.len()..],
            None => return false,
        }
    }
    true
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The case-sensitive form of a string operator (`kind=case_sensitive`).
fn case_sensitive_op(op: BinaryOp) -> BinaryOp {
    use BinaryOp::*;
    match op {
        EqCi => Eq,
        NotEqCi => NotEq,
        Has => HasCs,
        NotHas => NotHasCs,
        HasPrefix => HasPrefixCs,
        NotHasPrefix => NotHasPrefixCs,
        HasSuffix => HasSuffixCs,
        NotHasSuffix => NotHasSuffixCs,
        Contains => ContainsCs,
        NotContains => NotContainsCs,
        StartsWith => StartsWithCs,
        NotStartsWith => NotStartsWithCs,
        EndsWith => EndsWithCs,
        NotEndsWith => NotEndsWithCs,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::term_operator;
    use kql_syntax::ast::BinaryOp;

    #[test]
    fn wildcards_match_table_names() {
        use super::wildcard_match;
        assert!(wildcard_match("NTA*", "NTAIpDetails"));
        assert!(wildcard_match("*Details", "NTAIpDetails"));
        assert!(wildcard_match("N*Ip*s", "NTAIpDetails"));
        assert!(wildcard_match("*", "T"));
        assert!(!wildcard_match("NTA*", "AzureNetworkAnalytics_CL"));
        assert!(!wildcard_match("A*A", "A"));
    }

    #[test]
    fn search_page_term_table() {
        // The search operator page, "Search predicate syntax".
        assert_eq!(term_operator("billg", false), (BinaryOp::Has, "billg".into()));
        assert_eq!(term_operator("*billg", false), (BinaryOp::HasSuffix, "billg".into()));
        assert_eq!(term_operator("billg*", false), (BinaryOp::HasPrefix, "billg".into()));
        assert_eq!(term_operator("*billg*", false), (BinaryOp::Contains, "billg".into()));
        assert_eq!(term_operator("bi*lg", false), (BinaryOp::MatchesRegex, "(?i)bi.*lg".into()));
        assert_eq!(term_operator("billg", true), (BinaryOp::HasCs, "billg".into()));
        assert_eq!(term_operator("b.i*lg", true), (BinaryOp::MatchesRegex, r"b\.i.*lg".into()));
    }
}
