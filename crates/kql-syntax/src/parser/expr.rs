//! Scalar expressions with Kusto's precedence (loosest first):
//! `or`, `and`, equality / `in` / `between` (one per level, not chained),
//! relational, additive, multiplicative, string operators (`has`, `=~`, …),
//! unary `-`/`+`, then postfix `[i]`, `.member` and calls.

use super::lex::{is_ident_char, skip_ws, starts_with_word, word_at};
use super::literal::{Number, is_placeholder_name, starts_string};
use super::{PResult, Parser};
use crate::ast::{BinaryOp, Expr, ExprKind, Ident, InOp, Literal, NamedExpr, Query, Source, SourceKind, UnaryOp};
use crate::error::SyntaxError;
use crate::span::Span;

type OpScanner<'s> = fn(&Parser<'s>, &'s str) -> Option<(&'s str, BinaryOp, Span)>;

impl<'s> Parser<'s> {
    /// A full expression (the `or` level).
    pub(crate) fn expr(&self, i: &'s str) -> PResult<'s, Expr> {
        let _guard = self.enter(i)?;
        self.chain(i, Self::and_expr, Self::scan_or)
    }

    /// An expression where one is required (after `where`, `=`, `,` …).
    pub(crate) fn required_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        self.require(self.expr(i), i, "an expression")
    }

    /// Left-associative chain `next (op next)*`. Each link counts as one
    /// nesting level so long chains cannot build unboundedly deep trees.
    fn chain(
        &self,
        i: &'s str,
        next: fn(&Self, &'s str) -> PResult<'s, Expr>,
        scan: OpScanner<'s>,
    ) -> PResult<'s, Expr> {
        let (mut i, mut left) = next(self, i)?;
        let mut guards = Vec::new();
        while let Some((rest, op, op_span)) = scan(self, i) {
            guards.push(self.enter(rest)?);
            let (rest, right) = self.operand(rest, next, op)?;
            let span = left.span.to(right.span);
            left = Expr::new(ExprKind::Binary { op, op_span, left: Box::new(left), right: Box::new(right) }, span);
            i = rest;
        }
        Ok((i, left))
    }

    /// The right operand of `op`: required once the operator was seen.
    fn operand(&self, i: &'s str, next: fn(&Self, &'s str) -> PResult<'s, Expr>, op: BinaryOp) -> PResult<'s, Expr> {
        match next(self, i) {
            Err(nom::Err::Error(_)) => {
                let mut e = self.expected_error(i, "an expression");
                if let SyntaxError::Expected { help, .. } = &mut e {
                    *help = Some(format!("`{}` needs an operand on its right", op.symbol()));
                }
                Err(self.failure(e))
            }
            other => other,
        }
    }

    fn and_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        self.chain(i, Self::equality_expr, Self::scan_and)
    }

    fn scan_or(&self, i: &'s str) -> Option<(&'s str, BinaryOp, Span)> {
        self.scan_word(i, "or", BinaryOp::Or)
    }

    fn scan_and(&self, i: &'s str) -> Option<(&'s str, BinaryOp, Span)> {
        self.scan_word(i, "and", BinaryOp::And)
    }

    fn scan_word(&self, i: &'s str, word: &str, op: BinaryOp) -> Option<(&'s str, BinaryOp, Span)> {
        let j = skip_ws(i);
        starts_with_word(j, word).then(|| {
            let start = self.pos(j);
            (&j[word.len()..], op, Span::new(start, start + word.len()))
        })
    }

    fn scan_symbol(&self, i: &'s str, table: &[(&str, BinaryOp)]) -> Option<(&'s str, BinaryOp, Span)> {
        let j = skip_ws(i);
        table.iter().find(|(s, _)| j.starts_with(s)).map(|(s, op)| {
            let start = self.pos(j);
            (&j[s.len()..], *op, Span::new(start, start + s.len()))
        })
    }

    /// Equality level: one `==`/`!=`/`<>`, `in`-family or `between` (not chained).
    fn equality_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        let (i, left) = self.relational_expr(i)?;
        let j = skip_ws(i);
        let start = self.pos(j);
        if let Some((rest, op, op_span)) =
            self.scan_symbol(j, &[("==", BinaryOp::Eq), ("!=", BinaryOp::NotEq), ("<>", BinaryOp::NotEq)])
        {
            let _guard = self.enter(rest)?;
            let (rest, right) = self.operand(rest, Self::relational_expr, op)?;
            let span = left.span.to(right.span);
            let kind = ExprKind::Binary { op, op_span, left: Box::new(left), right: Box::new(right) };
            return Ok((rest, Expr::new(kind, span)));
        }
        // `in`-family: longest spelling first.
        let in_ops = [
            ("!in~", InOp::NotInCi),
            ("in~", InOp::InCi),
            ("!in", InOp::NotIn),
            ("in", InOp::In),
            ("has_any", InOp::HasAny),
            ("has_all", InOp::HasAll),
        ];
        for (word, op) in in_ops {
            let matched = if word.ends_with('~') { j.starts_with(word) } else { starts_with_word(j, word) };
            if matched {
                let op_span = Span::new(start, start + word.len());
                let (rest, list) = self.cut(self.paren_list(&j[word.len()..], word))?;
                let span = left.span.to(self.span_from(start, rest));
                let kind = ExprKind::In { op, op_span, expr: Box::new(left), list };
                return Ok((rest, Expr::new(kind, span)));
            }
        }
        for (word, negated) in [("!between", true), ("between", false)] {
            if starts_with_word(j, word) {
                let op_span = Span::new(start, start + word.len());
                let (rest, (low, high)) = self.cut(self.between_range(&j[word.len()..]))?;
                let span = left.span.to(self.span_from(start, rest));
                let kind = ExprKind::Between {
                    negated,
                    op_span,
                    expr: Box::new(left),
                    low: Box::new(low),
                    high: Box::new(high),
                };
                return Ok((rest, Expr::new(kind, span)));
            }
        }
        Ok((i, left))
    }

    /// `( a, b, … )` after `in`: expressions, or one tabular expression.
    fn paren_list(&self, i: &'s str, op: &'static str) -> PResult<'s, Vec<Expr>> {
        let j = skip_ws(i);
        let Some(rest) = j.strip_prefix('(') else {
            let mut e = self.expected_error(j, "`(`");
            if let SyntaxError::Expected { help, .. } = &mut e {
                *help = Some(format!("write the values in parentheses: x {op} (\"a\", \"b\")"));
            }
            return Err(self.failure(e));
        };
        let open = self.token_span(j);
        let (rest, items) = self.comma_list(rest, Self::query_or_expr)?;
        let rest = self.close_paren(rest, open)?;
        Ok((rest, items))
    }

    /// `(low .. high)` after `between`.
    fn between_range(&self, i: &'s str) -> PResult<'s, (Expr, Expr)> {
        let j = skip_ws(i);
        let Some(rest) = j.strip_prefix('(') else {
            return self.error(j, "`(` (between needs a range such as (1 .. 10))");
        };
        let open = self.token_span(j);
        let (rest, low) = self.required_expr(rest)?;
        let r = skip_ws(rest);
        let Some(rest) = r.strip_prefix("..") else {
            return Err(self.failure(self.expected_error(r, "`..`")));
        };
        let (rest, high) = self.required_expr(rest)?;
        Ok((self.close_paren(rest, open)?, (low, high)))
    }

    fn relational_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        let (i, left) = self.additive_expr(i)?;
        let j = skip_ws(i);
        if j.starts_with("<>") {
            return Ok((i, left));
        }
        let table = [("<=", BinaryOp::Le), (">=", BinaryOp::Ge), ("<", BinaryOp::Lt), (">", BinaryOp::Gt)];
        if let Some((rest, op, op_span)) = self.scan_symbol(j, &table) {
            let _guard = self.enter(rest)?;
            let (rest, right) = self.operand(rest, Self::additive_expr, op)?;
            let span = left.span.to(right.span);
            let kind = ExprKind::Binary { op, op_span, left: Box::new(left), right: Box::new(right) };
            return Ok((rest, Expr::new(kind, span)));
        }
        Ok((i, left))
    }

    fn additive_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        self.chain(i, Self::multiplicative_expr, |p, i| p.scan_symbol(i, &[("+", BinaryOp::Add), ("-", BinaryOp::Sub)]))
    }

    fn multiplicative_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        self.chain(i, Self::string_op_expr, |p, i| {
            p.scan_symbol(i, &[("*", BinaryOp::Mul), ("/", BinaryOp::Div), ("%", BinaryOp::Mod)])
        })
    }

    /// String operators bind tighter than arithmetic in Kusto and do not chain.
    fn string_op_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        let (i, left) = self.unary_expr(i)?;
        if let Some((rest, op, op_span)) = self.scan_string_op(i) {
            let _guard = self.enter(rest)?;
            let (rest, right) = self.operand(rest, Self::unary_expr, op)?;
            let span = left.span.to(right.span);
            let kind = ExprKind::Binary { op, op_span, left: Box::new(left), right: Box::new(right) };
            return Ok((rest, Expr::new(kind, span)));
        }
        Ok((i, left))
    }

    fn scan_string_op(&self, i: &'s str) -> Option<(&'s str, BinaryOp, Span)> {
        let j = skip_ws(i);
        let start = self.pos(j);
        if let Some(found) = self.scan_symbol(j, &[("=~", BinaryOp::EqCi), ("!~", BinaryOp::NotEqCi)]) {
            return Some(found);
        }
        if starts_with_word(j, "matches") {
            let after = skip_ws(&j["matches".len()..]);
            if starts_with_word(after, "regex") {
                let rest = &after["regex".len()..];
                return Some((rest, BinaryOp::MatchesRegex, self.span_from(start, rest)));
            }
        }
        let bang = usize::from(j.starts_with('!'));
        let word = word_at(&j[bang..])?;
        let spelled = &j[..bang + word.len()];
        let op = BinaryOp::string_op_from_word(spelled)?;
        let rest = &j[spelled.len()..];
        Some((rest, op, Span::new(start, start + spelled.len())))
    }

    /// Unary `-`/`+` applies to a postfix expression (as in Kusto).
    fn unary_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        let j = skip_ws(i);
        let op = match j.chars().next() {
            Some('-') => UnaryOp::Neg,
            Some('+') => UnaryOp::Plus,
            _ => return self.postfix_expr(j),
        };
        let start = self.pos(j);
        let (rest, operand) = match self.postfix_expr(&j[1..]) {
            Err(nom::Err::Error(_)) => {
                return Err(self.failure(self.expected_error(&j[1..], "an expression")));
            }
            other => other?,
        };
        let span = self.span_from(start, rest);
        Ok((rest, Expr::new(ExprKind::Unary { op, operand: Box::new(operand) }, span)))
    }

    /// A primary expression followed by `[index]` and `.member` accessors.
    fn postfix_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        let (mut i, mut e) = self.primary(i)?;
        // Each accessor nests the tree one level deeper: keep the guards
        // until the whole chain is built so `a[0][0]…` is bounded too.
        let mut guards = Vec::new();
        loop {
            let j = skip_ws(i);
            if let Some(rest) = j.strip_prefix('[') {
                let open = self.token_span(j);
                guards.push(self.enter(j)?);
                let (rest, index) = self.required_expr(rest)?;
                let rest = self.close_bracket(rest, open, '[', ']')?;
                let span = e.span.to(self.span_from(open.start, rest));
                e = Expr::new(ExprKind::Index { target: Box::new(e), index: Box::new(index) }, span);
                i = rest;
            } else if let Some(rest) = j.strip_prefix('.').filter(|r| !r.starts_with('.')) {
                guards.push(self.enter(j)?);
                let (rest, member) = self.cut(self.ident(rest))?;
                let span = e.span.to(member.span);
                e = Expr::new(ExprKind::Member { target: Box::new(e), member }, span);
                i = rest;
            } else {
                return Ok((i, e));
            }
        }
    }

    /// Literals, names, calls, `( … )`.
    fn primary(&self, i: &'s str) -> PResult<'s, Expr> {
        let i = skip_ws(i);
        let start = self.pos(i);
        let Some(c) = i.chars().next() else {
            return self.error(i, "an expression");
        };
        if starts_string(i) {
            let (rest, (value, span)) = self.string_literal(i)?;
            return Ok((rest, Expr::new(ExprKind::Literal(Literal::String(value)), span)));
        }
        // `* has "x"`: every column (the search operator page's `*`).
        if c == '*' && skip_ws(&i[1..]).starts_with(|c: char| c.is_ascii_alphabetic() || c == '!' || c == '=') {
            return Ok((&i[1..], Expr::new(ExprKind::Star, self.token_span(i))));
        }
        if c.is_ascii_digit() {
            let (rest, (n, span)) = self.number(i)?;
            let lit = match n {
                Number::Long(v) => Literal::Long(Some(v)),
                Number::Real(v) => Literal::Real(Some(v)),
                Number::Timespan(v) => Literal::Timespan(Some(v)),
            };
            return Ok((rest, Expr::new(ExprKind::Literal(lit), span)));
        }
        if c == '(' {
            let open = self.token_span(i);
            let (rest, inner) = self.cut(self.query_or_expr(&i[1..]))?;
            let rest = self.close_paren(rest, open)?;
            return Ok((rest, Expr::new(ExprKind::Paren(Box::new(inner)), self.span_from(start, rest))));
        }
        if c == '[' && starts_string(skip_ws(&i[1..])) {
            let (rest, id) = self.ident(i)?;
            return Ok((rest, Expr::new(ExprKind::Name(id.clone()), id.span)));
        }
        if c == '{'
            && let Some(end) = i.find('}')
            && is_placeholder_name(&i[1..end])
        {
            return Err(self.failure(SyntaxError::PlaceholderOutsideString {
                name: i[1..end].to_string(),
                span: Span::new(start, start + end + 1),
            }));
        }
        let Some(word) = word_at(i) else {
            return self.error(i, "an expression");
        };
        let after = &i[word.len()..];
        match word {
            "true" => {
                return Ok((
                    after,
                    Expr::new(ExprKind::Literal(Literal::Bool(Some(true))), self.span_from(start, after)),
                ));
            }
            "false" => {
                return Ok((
                    after,
                    Expr::new(ExprKind::Literal(Literal::Bool(Some(false))), self.span_from(start, after)),
                ));
            }
            _ => {}
        }
        let paren = skip_ws(after);
        if let Some(args_start) = paren.strip_prefix('(') {
            let open = self.token_span(paren);
            if let Some(lit) = self.typed_literal(word, start, args_start, open) {
                return lit;
            }
            let function = Ident::new(word, Span::new(start, start + word.len()));
            let _guard = self.enter(args_start)?;
            let (rest, args) = self.call_args(args_start, open)?;
            return Ok((rest, Expr::new(ExprKind::Call { function, args }, self.span_from(start, rest))));
        }
        let id = Ident::new(word, Span::new(start, start + word.len()));
        // `Column:"term"` in a search predicate (the search operator page).
        if self.in_search.get()
            && let Some(colon) = after.strip_prefix(':')
            && starts_string(skip_ws(colon))
        {
            let (rest, (term, _)) = self.string_literal(skip_ws(colon))?;
            return Ok((rest, Expr::new(ExprKind::ColumnTerm { column: id, term }, self.span_from(start, rest))));
        }
        Ok((after, Expr::new(ExprKind::Name(id), self.span_from(start, after))))
    }

    /// Arguments after `f(`: expressions, tabular expressions or `*`, then `)`.
    pub(super) fn call_args(&self, i: &'s str, open: Span) -> PResult<'s, Vec<Expr>> {
        let j = skip_ws(i);
        if let Some(rest) = j.strip_prefix(')') {
            return Ok((rest, Vec::new()));
        }
        let (rest, args) = self.comma_list(j, |p, i| {
            let j = skip_ws(i);
            if let Some(rest) = j.strip_prefix('*')
                && matches!(skip_ws(rest).chars().next(), Some(',' | ')') | None)
            {
                return Ok((rest, Expr::new(ExprKind::Star, p.token_span(j))));
            }
            // `name = value`: a named argument (`f(b="z", a=1)`).
            if let Ok((after_name, name)) = p.ident(j) {
                let after = skip_ws(after_name);
                if let Some(value_at) = after.strip_prefix('=').filter(|r| !r.starts_with(['=', '~'])) {
                    let start = p.pos(j);
                    let (rest, value) = p.cut(p.require(p.query_or_expr(value_at), value_at, "an argument value"))?;
                    let span = p.span_from(start, rest);
                    return Ok((rest, Expr::new(ExprKind::NamedArg { name, value: Box::new(value) }, span)));
                }
            }
            p.query_or_expr(j)
        })?;
        Ok((self.close_paren(rest, open)?, args))
    }

    /// A tabular expression; returned as a plain expression when it has no
    /// operators (so `(a + b)` stays scalar).
    pub(crate) fn query_or_expr(&self, i: &'s str) -> PResult<'s, Expr> {
        let (rest, q) = self.query(i)?;
        Ok((rest, query_to_expr(q)))
    }

    /// `item (, item)*`: at least one; an item is required after each `,`.
    pub(crate) fn comma_list<T>(
        &self,
        i: &'s str,
        item: impl Fn(&Self, &'s str) -> PResult<'s, T>,
    ) -> PResult<'s, Vec<T>> {
        let (mut i, first) = item(self, i)?;
        let mut items = vec![first];
        loop {
            let j = skip_ws(i);
            let Some(rest) = j.strip_prefix(',') else {
                return Ok((i, items));
            };
            let (rest, next) = match item(self, rest) {
                Err(nom::Err::Error(e)) => {
                    let mut err = self.to_syntax_error(nom::Err::Error(e));
                    let after = skip_ws(rest);
                    if let SyntaxError::Expected { help: help @ None, .. } = &mut err
                        && (after.is_empty() || after.starts_with(['|', ';', ')', ']']))
                    {
                        *help = Some("remove the trailing `,`: a comma must be followed by another item".into());
                    }
                    return Err(self.failure(err));
                }
                other => other?,
            };
            items.push(next);
            i = rest;
        }
    }

    /// A name: `Name` or `['Name']` / `["Name"]`.
    pub(crate) fn ident(&self, i: &'s str) -> PResult<'s, Ident> {
        let j = skip_ws(i);
        let start = self.pos(j);
        if let Some(w) = word_at(j) {
            let rest = &j[w.len()..];
            return Ok((rest, Ident::new(w, Span::new(start, start + w.len()))));
        }
        if let Some(inner) = j.strip_prefix('[')
            && starts_string(skip_ws(inner))
        {
            let open = self.token_span(j);
            let (rest, (name, _)) = self.string_literal(inner)?;
            let rest = self.close_bracket(rest, open, '[', ']')?;
            return Ok((rest, Ident::new(name, self.span_from(start, rest))));
        }
        self.error(j, "a name")
    }

    /// `Name = expr` or `expr` (projection items, aggregates, `by` keys).
    pub(crate) fn named_expr(&self, i: &'s str) -> PResult<'s, NamedExpr> {
        let j = skip_ws(i);
        let start = self.pos(j);
        if let Ok((rest, name)) = self.ident(j) {
            let r = skip_ws(rest);
            if r.starts_with('=') && !r.starts_with("==") && !r.starts_with("=~") {
                let (rest, expr) = self.required_expr(&r[1..])?;
                return Ok((
                    rest,
                    NamedExpr { more_names: Vec::new(), name: Some(name), expr, span: self.span_from(start, rest) },
                ));
            }
        }
        if j.starts_with('(') && self.is_tuple_assignment(j) {
            let end = j.find(')').map_or(j.len(), |k| k + 1);
            return Err(self.failure(SyntaxError::UnsupportedSyntax {
                what: "assigning to several names `(a, b) = …` here".into(),
                span: Span::new(start, start + end),
                help: Some("`project`, `extend` and `print` take it; name each column separately here".into()),
            }));
        }
        let (rest, expr) = self.expr(j)?;
        Ok((rest, NamedExpr { more_names: Vec::new(), name: None, span: expr.span, expr }))
    }

    /// A `project`, `extend` or `print` item: [`Parser::named_expr`], or
    /// `(a, b, …) = expr`, naming the columns of a function with several
    /// results (series_stats, series_fit_line).
    pub(crate) fn projection_item(&self, i: &'s str) -> PResult<'s, NamedExpr> {
        let j = skip_ws(i);
        if !(j.starts_with('(') && self.is_tuple_assignment(j)) {
            return self.named_expr(i);
        }
        let start = self.pos(j);
        let mut names = Vec::new();
        let mut r = &j[1..];
        loop {
            let (rest, name) = self.ident(skip_ws(r))?;
            names.push(name);
            let rest = skip_ws(rest);
            if let Some(more) = rest.strip_prefix(',') {
                r = more;
            } else if let Some(after) = rest.strip_prefix(')') {
                r = skip_ws(after);
                break;
            } else {
                return Err(self.failure(self.expected_error(rest, "`,` or `)`")));
            }
        }
        let Some(after) = r.strip_prefix('=') else {
            return Err(self.failure(self.expected_error(r, "`=`")));
        };
        let (rest, expr) = self.cut(self.required_expr(after))?;
        let mut names = names.into_iter();
        let name = names.next();
        Ok((rest, NamedExpr { name, more_names: names.collect(), expr, span: self.span_from(start, rest) }))
    }

    /// `(a, b) =` at `i`.
    fn is_tuple_assignment(&self, i: &str) -> bool {
        let Some(close) = i.find(')') else {
            return false;
        };
        let names = &i[1..close];
        let after = skip_ws(&i[close + 1..]);
        names.split(',').all(|n| {
            let n = n.trim();
            !n.is_empty() && n.chars().all(is_ident_char)
        }) && after.starts_with('=')
            && !after.starts_with("==")
    }
}

/// A query with no operators whose source is an expression is just that expression.
pub(crate) fn query_to_expr(q: Query) -> Expr {
    match q {
        Query { source: Source { kind: SourceKind::Expr(e), .. }, operators, .. } if operators.is_empty() => e,
        q => {
            let span = q.span;
            Expr::new(ExprKind::Query(Box::new(q)), span)
        }
    }
}
