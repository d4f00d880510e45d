//! Statements: `let`, `declare query_parameters`, and tabular expression
//! statements, separated by `;`, with recovery to the next `;` on error.

use super::expr::query_to_expr;
use super::lex::{Boundary, describe, is_ident_char, operator_word_at, skip_to, skip_ws, word_at};
use super::operator::{SUPPORTED_OPERATORS, UNSUPPORTED_OPERATORS};
use super::{PResult, Parser};
use crate::ast::*;
use crate::error::SyntaxError;
use crate::span::Span;

impl<'s> Parser<'s> {
    /// The whole text. Never fails: errors are recorded and skipped.
    pub(crate) fn script(&self) -> Script {
        let mut statements = Vec::new();
        let mut i = self.src;
        loop {
            i = skip_ws(i);
            if i.is_empty() {
                break;
            }
            if let Some(rest) = i.strip_prefix(';') {
                i = rest;
                continue;
            }
            let start = self.pos(i);
            match self.statement(i) {
                Ok((rest, stmt)) => {
                    let r = skip_ws(rest);
                    if r.is_empty() || r.starts_with(';') {
                        statements.push(stmt);
                        i = r;
                    } else {
                        let after_let = matches!(stmt.kind, StatementKind::Let(_));
                        self.report(self.trailing_error(r, after_let));
                        let rest = skip_to(r, Boundary::Statement);
                        statements.push(Statement {
                            kind: StatementKind::Error { let_name: let_name(&stmt) },
                            span: self.span_from(start, rest),
                        });
                        i = rest;
                    }
                }
                Err(e) => {
                    self.report(self.to_syntax_error(e));
                    let rest = skip_to(i, Boundary::Statement);
                    let let_name = self.let_name_at(i);
                    statements
                        .push(Statement { kind: StatementKind::Error { let_name }, span: self.span_from(start, rest) });
                    i = rest;
                }
            }
        }
        if statements.is_empty() && self.errors.borrow().is_empty() {
            self.report(SyntaxError::Empty { span: Span::new(0, self.src.len()) });
        }
        Script { statements, placeholders: self.placeholders.take(), span: Span::new(0, self.src.len()) }
    }

    /// The error for text left over after a complete statement (a `let`
    /// statement if `after_let`).
    fn trailing_error(&self, r: &'s str, after_let: bool) -> SyntaxError {
        if let Some(c @ (')' | ']' | '}')) = r.chars().next() {
            return SyntaxError::UnmatchedBracket { close: c, span: self.token_span(r) };
        }
        let word = operator_word_at(r);
        let help = if matches!(word, Some("let" | "declare")) || after_let && self.starts_a_line(r) {
            Some("end each statement with `;` (`let X = …;`)".to_string())
        } else {
            word.filter(|w| SUPPORTED_OPERATORS.contains(w) || UNSUPPORTED_OPERATORS.contains(w))
                .map(|w| format!("did you forget `|` before `{w}`?"))
                .or_else(|| self.after_expression_help(r))
        };
        SyntaxError::Expected {
            expected: "`|`, `;` or end of query".into(),
            found: describe(r),
            span: self.token_span(r),
            help,
        }
    }

    /// True if only whitespace lies between the previous line break and `r`.
    fn starts_a_line(&self, r: &str) -> bool {
        let before = &self.src[..self.pos(r)];
        before.trim_end_matches([' ', '\t']).ends_with('\n') || before.trim_end_matches([' ', '\t']).is_empty()
    }

    /// `let Name` at the start of a statement that failed, so later uses of
    /// the name are not reported as unknown.
    fn let_name_at(&self, i: &'s str) -> Option<Ident> {
        let i = skip_ws(i);
        if word_at(i) != Some("let") {
            return None;
        }
        self.ident(&i[3..]).ok().map(|(_, id)| id)
    }

    fn statement(&self, i: &'s str) -> PResult<'s, Statement> {
        let start = self.pos(i);
        let word = word_at(i);
        let kind = match word {
            Some("let") => {
                let (rest, l) = self.cut(self.let_statement(&i[3..]))?;
                return Ok((rest, Statement { kind: StatementKind::Let(l), span: self.span_from(start, rest) }));
            }
            Some("declare") => {
                let (rest, params) = self.cut(self.declare(&i[7..]))?;
                return Ok((
                    rest,
                    Statement {
                        kind: StatementKind::DeclareQueryParameters(params),
                        span: self.span_from(start, rest),
                    },
                ));
            }
            Some(w @ ("set" | "alias" | "pattern" | "restrict")) => Some(w),
            _ if i.starts_with('.') => Some("control commands (`.show …`)"),
            _ => None,
        };
        if let Some(what) = kind {
            let end = start + word.map_or(1, str::len);
            return Err(self.failure(SyntaxError::UnsupportedStatement {
                what: if what.contains(' ') { what.to_string() } else { format!("the `{what}` statement") },
                span: Span::new(start, end),
                help: None,
            }));
        }
        let (rest, q) = match self.query(i) {
            Err(nom::Err::Error(_)) => {
                return Err(self.failure(self.expected_error(i, "a query, `let` or `declare query_parameters`")));
            }
            other => other?,
        };
        Ok((rest, Statement { span: q.span, kind: StatementKind::Query(q) }))
    }

    /// After `let`: `Name = value`.
    fn let_statement(&self, i: &'s str) -> PResult<'s, Let> {
        let (rest, name) = match self.ident(i) {
            Err(nom::Err::Error(_)) => {
                return Err(self.failure(self.expected_error(i, "a name after `let`")));
            }
            other => other?,
        };
        let r = skip_ws(rest);
        let Some(rest) = r.strip_prefix('=').filter(|r| !r.starts_with('=')) else {
            return Err(self.failure(self.expected_error(r, "`=`")));
        };
        let v = skip_ws(rest);
        let view = word_at(v) == Some("view") && skip_ws(&v[4..]).starts_with('(');
        if view || self.is_function_definition(v) {
            let (rest, def) = self.function_def(if view { skip_ws(&v[4..]) } else { v }, view)?;
            let value = Expr::new(ExprKind::Function(Box::new(def)), self.span_from(self.pos(v), rest));
            return Ok((rest, Let { name, value }));
        }
        let (rest, q) = match self.query(v) {
            Err(nom::Err::Error(_)) => {
                return Err(self.failure(self.expected_error(v, "a value or tabular expression")));
            }
            other => other?,
        };
        Ok((rest, Let { name, value: query_to_expr(q) }))
    }

    /// `(params) { [let …;]* body }`, at the `(`.
    fn function_def(&self, i: &'s str, view: bool) -> PResult<'s, FunctionDef> {
        let _guard = self.enter(i)?;
        let open = self.token_span(i);
        let inner = skip_ws(&i[1..]);
        let (rest, params) = if inner.starts_with(')') {
            (inner, Vec::new())
        } else {
            self.cut(self.comma_list(inner, Self::function_param))?
        };
        let rest = self.close_paren(rest, open)?;
        let b = skip_ws(rest);
        if !b.starts_with('{') {
            return Err(self.failure(self.expected_error(b, "`{` and the function body")));
        }
        let brace = self.token_span(b);
        let mut lets = Vec::new();
        let mut j = skip_ws(&b[1..]);
        loop {
            if word_at(j) == Some("let") {
                let (r, l) = self.cut(self.let_statement(&j[3..]))?;
                let r = skip_ws(r);
                let Some(r) = r.strip_prefix(';') else {
                    return Err(self.failure(self.expected_error(r, "`;` after the `let`")));
                };
                lets.push(l);
                j = skip_ws(r);
                continue;
            }
            if word_at(j) == Some("declare") {
                let start = self.pos(j);
                return Err(self.failure(SyntaxError::UnsupportedStatement {
                    what: "`declare query_parameters` inside a function body".into(),
                    span: Span::new(start, start + "declare".len()),
                    help: Some("declare the parameters before the function".into()),
                }));
            }
            break;
        }
        if j.starts_with('}') {
            return Err(self.failure(self.expected_error(j, "the function body (an expression or a query)")));
        }
        let (r, body) =
            self.cut(self.require(self.query_or_expr(j), j, "the function body (an expression or a query)"))?;
        let mut r = skip_ws(r);
        if let Some(after) = r.strip_prefix(';') {
            r = after;
        }
        let rest = self.close_bracket(r, brace, '{', '}')?;
        Ok((rest, FunctionDef { view, params, lets, body }))
    }

    /// `name:type [= default]`, `T:(col:type, …)` or `T:(*)`.
    fn function_param(&self, i: &'s str) -> PResult<'s, FunctionParam> {
        let j = skip_ws(i);
        let start = self.pos(j);
        let (r, name) = self.ident(j)?;
        let r = skip_ws(r);
        let Some(r) = r.strip_prefix(':') else {
            return Err(self.failure(self.expected_error(r, "`:` and a type")));
        };
        let t = skip_ws(r);
        if let Some(inner) = t.strip_prefix('(') {
            let open = self.token_span(t);
            let inner = skip_ws(inner);
            let (rest, columns) = match inner.strip_prefix('*') {
                Some(after) => (after, None),
                None => {
                    let (rest, cols) = self.cut(self.comma_list(inner, Self::column_decl))?;
                    (rest, Some(cols))
                }
            };
            let rest = self.close_paren(rest, open)?;
            let ty = ParamType::Tabular { columns, span: self.span_from(self.pos(t), rest) };
            return Ok((rest, FunctionParam { name, ty, default: None, span: self.span_from(start, rest) }));
        }
        let (rest, ty) = self.type_ref(t)?;
        let k = skip_ws(rest);
        if let Some(d) = k.strip_prefix('=').filter(|r| !r.starts_with(['=', '~'])) {
            let (rest, default) = self.required_expr(d)?;
            return Ok((
                rest,
                FunctionParam {
                    name,
                    ty: ParamType::Scalar(ty),
                    default: Some(default),
                    span: self.span_from(start, rest),
                },
            ));
        }
        Ok((rest, FunctionParam { name, ty: ParamType::Scalar(ty), default: None, span: self.span_from(start, rest) }))
    }

    /// `(…) {` or `(a:type …` after `let X =`.
    fn is_function_definition(&self, i: &str) -> bool {
        let Some(inner) = i.strip_prefix('(') else {
            return false;
        };
        let inner = skip_ws(inner);
        if let Some(after) = inner.strip_prefix(')') {
            return skip_ws(after).starts_with('{');
        }
        let name_len = inner.find(|c: char| !is_ident_char(c)).unwrap_or(0);
        name_len > 0 && skip_ws(&inner[name_len..]).starts_with(':')
    }

    /// After `declare`: `query_parameters(name:type [= default], …)`.
    fn declare(&self, i: &'s str) -> PResult<'s, Vec<QueryParameter>> {
        let j = skip_ws(i);
        if word_at(j) != Some("query_parameters") {
            return Err(self.failure(self.expected_error(j, "`query_parameters`")));
        }
        let p = skip_ws(&j["query_parameters".len()..]);
        let Some(inner) = p.strip_prefix('(') else {
            return Err(self.failure(self.expected_error(p, "`(`")));
        };
        let open = self.token_span(p);
        let (rest, params) = self.comma_list(inner, |p, i| {
            let (r, decl) = p.column_decl(i)?;
            let k = skip_ws(r);
            if let Some(r2) = k.strip_prefix('=').filter(|r| !r.starts_with('=')) {
                let (r3, default) = p.required_expr(r2)?;
                return Ok((r3, QueryParameter { name: decl.name, ty: decl.ty, default: Some(default) }));
            }
            Ok((r, QueryParameter { name: decl.name, ty: decl.ty, default: None }))
        })?;
        let rest = self.close_paren(rest, open)?;
        Ok((rest, params))
    }
}

fn let_name(stmt: &Statement) -> Option<Ident> {
    match &stmt.kind {
        StatementKind::Let(l) => Some(l.name.clone()),
        _ => None,
    }
}
