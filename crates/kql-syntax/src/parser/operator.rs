//! Tabular expressions: a source (`T`, `union`, `print`, `datatable`)
//! followed by `| operator`s, with recovery to the next `|` on error.

use super::lex::{Boundary, is_ident_char, operator_word_at, skip_to, skip_ws, starts_with_word, word_at};
use super::literal::{Number, starts_string};
use super::{PResult, Parser};
use crate::ast::*;
use crate::error::SyntaxError;
use crate::span::Span;
use crate::suggest::did_you_mean;
use crate::types::ScalarType;

/// Operators ntaq parses (with their aliases).
pub const SUPPORTED_OPERATORS: &[&str] = &[
    "where",
    "filter",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "extend",
    "distinct",
    "mv-expand",
    "mvexpand",
    "lookup",
    "join",
    "union",
    "summarize",
    "top",
    "take",
    "limit",
    "sort",
    "order",
    "count",
    "render",
    "parse",
    "parse-where",
    "invoke",
    "make-series",
    "project-reorder",
    "getschema",
    "search",
    "mv-apply",
    "mvapply",
    "serialize",
    "sample",
    "sample-distinct",
    "as",
    "top-nested",
    "top-hitters",
    "evaluate",
];

/// Kusto operators ntaq recognises but does not implement.
pub const UNSUPPORTED_OPERATORS: &[&str] = &[
    "assert-schema",
    "consume",
    "execute-and-cache",
    "extend-schema",
    "facet",
    "find",
    "fork",
    "graph-mark-components",
    "graph-match",
    "graph-merge",
    "graph-shortest-paths",
    "graph-to-table",
    "lookup-table",
    "macro-expand",
    "make-graph",
    "parse-kv",
    "partition",
    "project-smart",
    "reduce",
    "scan",
];

/// Visualizations `render` accepts.
pub const RENDER_KINDS: &[&str] = &[
    "anomalychart",
    "areachart",
    "barchart",
    "card",
    "columnchart",
    "ladderchart",
    "linechart",
    "piechart",
    "pivotchart",
    "scatterchart",
    "stackedareachart",
    "table",
    "timechart",
    "timepivot",
    "treemap",
];

impl<'s> Parser<'s> {
    /// `source (| operator)*`.
    pub(crate) fn query(&self, i: &'s str) -> PResult<'s, Query> {
        let _guard = self.enter(i)?;
        let i = skip_ws(i);
        let start = self.pos(i);
        let (mut i, source) = self.source(i)?;
        let mut operators = Vec::new();
        loop {
            let j = skip_ws(i);
            let Some(after_pipe) = j.strip_prefix('|') else {
                break;
            };
            if let Some(after_second) = after_pipe.strip_prefix('|') {
                // `a || b`: one error, and the rest of that condition goes with it.
                let start = self.pos(j);
                self.report(SyntaxError::Expected {
                    expected: "a query operator after `|`".into(),
                    found: "`||`".into(),
                    span: Span::new(start, start + 2),
                    help: self.after_expression_help(j),
                });
                let rest = skip_to(after_second, Boundary::Pipe);
                let span = self.span_from(start, rest);
                operators.push(Operator { kind: OperatorKind::Error, span, keyword: span });
                i = rest;
                continue;
            }
            match self.operator(after_pipe) {
                Ok((rest, op)) => {
                    operators.push(op);
                    i = rest;
                }
                Err(e) => {
                    self.report(self.to_syntax_error(e));
                    let op_start = skip_ws(after_pipe);
                    let rest = skip_to(op_start, Boundary::Pipe);
                    let span = self.span_from(self.pos(op_start), rest);
                    operators.push(Operator { kind: OperatorKind::Error, span, keyword: span });
                    i = rest;
                }
            }
        }
        let span = self.span_from(start, i);
        Ok((i, Query { source, operators, span }))
    }

    fn source(&self, i: &'s str) -> PResult<'s, Source> {
        let start = self.pos(i);
        // These words are reserved: `union (T1), (T2)` and `print (1)` are
        // the operators, not function calls.
        let word = word_at(i);
        let (rest, kind) = match word {
            Some("union") => {
                let (r, u) = self.cut(self.union_body(&i[5..]))?;
                (r, SourceKind::Union(u))
            }
            Some("print") => {
                let (r, cols) = self.cut(self.comma_list(&i[5..], Self::projection_item))?;
                (r, SourceKind::Print(cols))
            }
            Some("datatable") => {
                let (r, dt) = self.cut(self.datatable(&i[9..]))?;
                (r, SourceKind::Datatable(dt))
            }
            Some("range") => {
                let (r, range) = self.cut(self.range_source(&i[5..]))?;
                (r, SourceKind::Range(Box::new(range)))
            }
            Some("search") => {
                let (r, se) = self.cut(self.search(&i[6..], true))?;
                (r, SourceKind::Search(se))
            }
            Some(w @ ("find" | "externaldata" | "external_data" | "evaluate")) => {
                // `evaluate` as a source runs a plugin that reads no input
                // (`evaluate python(…)`); only `T | evaluate bag_unpack(…)`, `pivot(…)` and
                // `ipv4_lookup(…)` are implemented.
                return Err(self.failure(SyntaxError::UnsupportedOperator {
                    what: format!("the `{w}` operator"),
                    span: Span::new(start, start + w.len()),
                    help: None,
                }));
            }
            _ => {
                let (r, e) = self.expr(i)?;
                (r, SourceKind::Expr(e))
            }
        };
        Ok((rest, Source { kind, span: self.span_from(start, rest) }))
    }

    /// After `range`: `Column from Start to Stop step Step`.
    fn range_source(&self, i: &'s str) -> PResult<'s, RangeSource> {
        let (rest, column) = self.ident(i)?;
        let mut parts = Vec::new();
        let mut rest = rest;
        for w in ["from", "to", "step"] {
            let j = skip_ws(rest);
            if !starts_with_word(j, w) {
                return Err(self.failure(self.expected_error(j, &format!("`{w}`"))));
            }
            let (r, e) = self.required_expr(&j[w.len()..])?;
            parts.push(e);
            rest = r;
        }
        let mut parts = parts.into_iter();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(from), Some(to), Some(step)) => Ok((rest, RangeSource { column, from, to, step })),
            _ => Err(self.failure(self.expected_error(rest, "`from`, `to` and `step`"))),
        }
    }

    /// After `datatable`: `(a:long, b:string) [values…]`.
    fn datatable(&self, i: &'s str) -> PResult<'s, Datatable> {
        let j = skip_ws(i);
        let Some(rest) = j.strip_prefix('(') else {
            return self.error(j, "`(` and the column list, e.g. datatable(Name:string, Count:long)");
        };
        let open = self.token_span(j);
        let (rest, columns) = self.comma_list(rest, Self::column_decl)?;
        let rest = self.close_paren(rest, open)?;
        let j = skip_ws(rest);
        let Some(rest) = j.strip_prefix('[') else {
            return Err(self.failure(self.expected_error(j, "`[` and the values")));
        };
        let open = self.token_span(j);
        // Values separated by commas; a trailing comma is allowed.
        let mut values = Vec::new();
        let mut rest = rest;
        loop {
            let r = skip_ws(rest);
            if r.starts_with(']') || r.is_empty() {
                break;
            }
            let (r, v) = self.required_expr(r)?;
            values.push(v);
            let k = skip_ws(r);
            match k.strip_prefix(',') {
                Some(r2) => rest = r2,
                None => {
                    rest = r;
                    break;
                }
            }
        }
        let rest = self.close_bracket(rest, open, '[', ']')?;
        Ok((rest, Datatable { columns, values }))
    }

    /// `name:type`.
    pub(crate) fn column_decl(&self, i: &'s str) -> PResult<'s, ColumnDecl> {
        let (rest, name) = self.ident(i)?;
        let r = skip_ws(rest);
        let Some(rest) = r.strip_prefix(':') else {
            return Err(self.failure(self.expected_error(r, "`:` and a type")));
        };
        let (rest, ty) = self.type_ref(rest)?;
        Ok((rest, ColumnDecl { name, ty }))
    }

    /// A scalar type name.
    pub(crate) fn type_ref(&self, i: &'s str) -> PResult<'s, TypeRef> {
        let (rest, id) = self.cut(self.ident(i))?;
        match ScalarType::from_name(&id.name) {
            Some(ty) => Ok((rest, TypeRef { ty, span: id.span })),
            None => {
                let names: Vec<&str> = ScalarType::ALL.iter().map(|t| t.name()).collect();
                Err(self.failure(SyntaxError::InvalidValue {
                    what: "type",
                    found: id.name.clone(),
                    span: id.span,
                    help: Some(
                        did_you_mean(&id.name, names.iter().copied()).map_or_else(
                            || format!("types are {}", names.join(", ")),
                            |s| format!("did you mean `{s}`?"),
                        ),
                    ),
                }))
            }
        }
    }

    /// One operator after `|`.
    fn operator(&self, i: &'s str) -> PResult<'s, Operator> {
        let j = skip_ws(i);
        let start = self.pos(j);
        let Some(word) = operator_word_at(j) else {
            return self.error(j, "a query operator (where, project, summarize, …)");
        };
        let keyword = Span::new(start, start + word.len());
        let body = &j[word.len()..];
        let (rest, kind) = match word {
            "where" | "filter" => {
                let (r, predicate) = self.required_expr(body)?;
                (r, OperatorKind::Where { predicate })
            }
            "project" => {
                let (r, columns) =
                    self.required_list(body, Self::projection_item, "a column or `Name = expression`")?;
                (r, OperatorKind::Project { columns })
            }
            "extend" => {
                let (r, columns) = self.required_list(body, Self::projection_item, "`Name = expression`")?;
                (r, OperatorKind::Extend { columns })
            }
            "project-away" => {
                let (r, columns) = self.required_list(body, Self::column_pattern, "a column name or pattern")?;
                (r, OperatorKind::ProjectAway { columns })
            }
            "project-keep" => {
                let (r, columns) = self.required_list(body, Self::column_pattern, "a column name or pattern")?;
                (r, OperatorKind::ProjectKeep { columns })
            }
            "project-reorder" => {
                let (r, columns) = self.required_list(body, Self::reorder_item, "a column name or pattern")?;
                (r, OperatorKind::ProjectReorder { columns })
            }
            "project-rename" => {
                let (r, renames) = self.required_list(body, Self::rename, "`NewName = OldName`")?;
                (r, OperatorKind::ProjectRename { renames })
            }
            "distinct" => {
                let b = skip_ws(body);
                if let Some(r) = b.strip_prefix('*') {
                    (r, OperatorKind::Distinct { columns: DistinctColumns::All { span: self.token_span(b) } })
                } else {
                    let (r, columns) = self.required_list(body, Self::named_expr, "`*` or a column")?;
                    (r, OperatorKind::Distinct { columns: DistinctColumns::Columns { columns } })
                }
            }
            "mv-expand" | "mvexpand" => {
                let (r, m) = self.cut(self.mv_expand(body))?;
                (r, OperatorKind::MvExpand(m))
            }
            "lookup" => {
                let (r, l) = self.cut(self.lookup(body))?;
                (r, OperatorKind::Lookup(l))
            }
            "join" => {
                let (r, jn) = self.cut(self.join(body))?;
                (r, OperatorKind::Join(jn))
            }
            "union" => {
                let (r, u) = self.cut(self.union_body(body))?;
                (r, OperatorKind::Union(u))
            }
            "summarize" => {
                let (r, s) = self.cut(self.summarize(body))?;
                (r, OperatorKind::Summarize(s))
            }
            "top" => {
                let (r, t) = self.cut(self.top(body))?;
                (r, OperatorKind::Top(t))
            }
            "take" | "limit" => {
                let (r, count) = self.required_expr(body)?;
                (r, OperatorKind::Take { count })
            }
            "sort" | "order" => {
                let b = skip_ws(body);
                if !starts_with_word(b, "by") {
                    return Err(self.failure(self.expected_error(b, "`by`")));
                }
                let (r, keys) = self.required_list(&b[2..], Self::sort_key, "a sort key")?;
                (r, OperatorKind::Sort { keys })
            }
            "count" => (body, OperatorKind::Count),
            "invoke" => {
                let b = skip_ws(body);
                let (r, call) = self.cut(self.expr(b))?;
                if !matches!(call.kind, ExprKind::Call { .. }) {
                    return Err(self.failure(SyntaxError::Expected {
                        expected: "a function call after `invoke`".into(),
                        found: super::lex::describe(b),
                        span: call.span,
                        help: Some("write `T | invoke f(args)`".into()),
                    }));
                }
                (r, OperatorKind::Invoke { call })
            }
            "getschema" => (body, OperatorKind::GetSchema),
            "render" => {
                let (r, rd) = self.cut(self.render(body))?;
                (r, OperatorKind::Render(rd))
            }
            "parse" | "parse-where" => {
                let (r, p) = self.cut(self.parse_op(body, word == "parse-where"))?;
                (r, OperatorKind::Parse(p))
            }
            "make-series" => {
                let (r, m) = self.cut(self.make_series(body))?;
                (r, OperatorKind::MakeSeries(m))
            }
            "mv-apply" | "mvapply" => {
                let (r, m) = self.cut(self.mv_apply(body))?;
                (r, OperatorKind::MvApply(m))
            }
            "search" => {
                let (r, se) = self.cut(self.search(body, false))?;
                (r, OperatorKind::Search(se))
            }
            "serialize" => self.serialize_op(body)?,
            "sample" => self.cut(self.sample_op(body))?,
            "sample-distinct" => self.cut(self.sample_distinct_op(body))?,
            "top-hitters" => self.cut(self.top_hitters_op(body))?,
            "as" => self.cut(self.as_op(body))?,
            "top-nested" => {
                let (r, levels) = self.cut(self.top_nested(body, start))?;
                (r, OperatorKind::TopNested { levels })
            }
            "evaluate" => {
                let (r, e) = self.cut(self.evaluate(body))?;
                (r, OperatorKind::Evaluate(e))
            }
            w if UNSUPPORTED_OPERATORS.contains(&w) => {
                return Err(self.failure(SyntaxError::UnsupportedOperator {
                    what: format!("the `{w}` operator"),
                    span: keyword,
                    help: Some(format!(
                        "ntaq implements: {}",
                        SUPPORTED_OPERATORS
                            .iter()
                            .filter(|o| !matches!(**o, "filter" | "mvexpand" | "mvapply" | "limit" | "order"))
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }));
            }
            w => {
                let candidates = SUPPORTED_OPERATORS.iter().chain(UNSUPPORTED_OPERATORS).copied();
                return Err(self.failure(SyntaxError::UnknownOperator {
                    name: w.to_string(),
                    span: keyword,
                    help: did_you_mean(w, candidates).map(|s| format!("did you mean `{s}`?")),
                }));
            }
        };
        Ok((rest, Operator { kind, span: self.span_from(start, rest), keyword }))
    }

    /// A committed, non-empty comma list.
    pub(super) fn required_list<T>(
        &self,
        i: &'s str,
        item: impl Fn(&Self, &'s str) -> PResult<'s, T>,
        what: &'static str,
    ) -> PResult<'s, Vec<T>> {
        self.require(self.comma_list(i, item), i, what)
    }

    /// `Column [asc|desc|granny-asc|granny-desc]`.
    fn reorder_item(&self, i: &'s str) -> PResult<'s, ReorderItem> {
        let (rest, pattern) = self.column_pattern(i)?;
        let j = skip_ws(rest);
        for w in ["granny-asc", "granny-desc", "asc", "desc"] {
            if j.starts_with(w) && !j[w.len()..].starts_with(|c: char| is_ident_char(c) || c == '-') {
                let start = self.pos(j);
                let order = Some(Ident::new(w, Span::new(start, start + w.len())));
                return Ok((&j[w.len()..], ReorderItem { pattern, order }));
            }
        }
        Ok((rest, ReorderItem { pattern, order: None }))
    }

    fn column_pattern(&self, i: &'s str) -> PResult<'s, ColumnPattern> {
        let j = skip_ws(i);
        let start = self.pos(j);
        let len = j.find(|c: char| !(is_ident_char(c) || c == '*')).unwrap_or(j.len());
        if len > 0 && !j.starts_with(|c: char| c.is_ascii_digit()) {
            let rest = &j[len..];
            return Ok((rest, ColumnPattern { pattern: j[..len].to_string(), span: Span::new(start, start + len) }));
        }
        let (rest, id) = self.ident(j)?;
        Ok((rest, ColumnPattern { pattern: id.name, span: id.span }))
    }

    fn rename(&self, i: &'s str) -> PResult<'s, Rename> {
        let (rest, new_name) = self.ident(i)?;
        let r = skip_ws(rest);
        let Some(rest) = r.strip_prefix('=').filter(|r| !r.starts_with(['=', '~'])) else {
            return Err(self.failure(self.expected_error(r, "`=` and the column to rename")));
        };
        let (rest, old_name) = self.cut(self.ident(rest))?;
        Ok((rest, Rename { new_name, old_name }))
    }

    /// `expr [asc|desc] [nulls first|last]`.
    fn sort_key(&self, i: &'s str) -> PResult<'s, SortKey> {
        let (mut rest, expr) = self.expr(i)?;
        let start = expr.span.start;
        let mut order = None;
        let j = skip_ws(rest);
        for (w, o) in [("asc", SortOrder::Asc), ("desc", SortOrder::Desc)] {
            if starts_with_word(j, w) {
                order = Some(o);
                rest = &j[w.len()..];
            }
        }
        let mut nulls = None;
        let j = skip_ws(rest);
        if starts_with_word(j, "nulls") {
            let k = skip_ws(&j[5..]);
            if starts_with_word(k, "first") {
                nulls = Some(NullsOrder::First);
                rest = &k[5..];
            } else if starts_with_word(k, "last") {
                nulls = Some(NullsOrder::Last);
                rest = &k[4..];
            } else {
                return Err(self.failure(self.expected_error(k, "`first` or `last`")));
            }
        }
        Ok((rest, SortKey { expr, order, nulls, span: self.span_from(start, rest) }))
    }

    /// `name=value` parameters accepted by `allowed`.
    pub(super) fn params(&self, mut i: &'s str, allowed: impl Fn(&str) -> bool) -> PResult<'s, Vec<OperatorParam>> {
        let mut params = Vec::new();
        loop {
            let j = skip_ws(i);
            let start = self.pos(j);
            let len = j.find(|c: char| !(is_ident_char(c) || c == '.')).unwrap_or(j.len());
            let name = &j[..len];
            let after = skip_ws(&j[len..]);
            if len == 0 || !allowed(name) || !after.starts_with('=') || after.starts_with("==") {
                return Ok((i, params));
            }
            let v = skip_ws(&after[1..]);
            let vstart = self.pos(v);
            let (rest, value) = if starts_string(v) {
                let (r, (s, _)) = self.string_literal(v)?;
                (r, ParamValue::Literal(Literal::String(s)))
            } else if v.starts_with(|c: char| c.is_ascii_digit()) {
                let (r, (n, _)) = self.number(v)?;
                let lit = match n {
                    Number::Long(x) => Literal::Long(Some(x)),
                    Number::Real(x) => Literal::Real(Some(x)),
                    Number::Timespan(x) => Literal::Timespan(Some(x)),
                };
                (r, ParamValue::Literal(lit))
            } else if let Some(w) = word_at(v) {
                let r = &v[w.len()..];
                match w {
                    "true" => (r, ParamValue::Literal(Literal::Bool(Some(true)))),
                    "false" => (r, ParamValue::Literal(Literal::Bool(Some(false)))),
                    _ => (r, ParamValue::Word(Ident::new(w, Span::new(vstart, vstart + w.len())))),
                }
            } else {
                return Err(self.failure(self.expected_error(v, "a parameter value")));
            };
            params.push(OperatorParam {
                name: Ident::new(name, Span::new(start, start + len)),
                value,
                span: self.span_from(start, rest),
            });
            i = rest;
        }
    }

    /// After `search`: `[kind=K] [in (T, …)] Predicate`; `in` only where
    /// `search` starts a query (the search page: T and TableSources cannot
    /// appear together).
    fn search(&self, i: &'s str, first: bool) -> PResult<'s, Search> {
        let (i, params) = self.params(i, |n| n == "kind" || n.starts_with("hint."))?;
        let j = skip_ws(i);
        let (rest, tables) = if starts_with_word(j, "in") && skip_ws(&j[2..]).starts_with('(') {
            if !first {
                return Err(self.failure(SyntaxError::Expected {
                    expected: "a predicate: `T | search` searches T".into(),
                    found: "`in (…)`".into(),
                    span: Span::new(self.pos(j), self.pos(j) + 2),
                    help: Some("write `search in (T1, T2) …` at the start of the query".into()),
                }));
            }
            let k = skip_ws(&j[2..]);
            let open = self.token_span(k);
            let (r, tables) = self.required_list(&k[1..], Self::search_table, "a table")?;
            let r = self.close_paren(r, open)?;
            (r, Some(tables))
        } else {
            (i, None)
        };
        // `search *`: every row (Kusto.Language takes `*` alone as the
        // predicate; it holds for every row).
        let k = skip_ws(rest);
        if let Some(after) = k.strip_prefix('*')
            && matches!(skip_ws(after).chars().next(), None | Some('|' | ')' | ';'))
        {
            let at = self.pos(k);
            let predicate = Expr::new(ExprKind::Literal(Literal::Bool(Some(true))), Span::new(at, at + 1));
            return Ok((after, Search { params, tables, predicate }));
        }
        // `Column:"term"` is valid only here.
        let outer = self.in_search.replace(true);
        let predicate = self.required_expr(rest);
        self.in_search.set(outer);
        let (rest, predicate) = predicate?;
        Ok((rest, Search { params, tables, predicate }))
    }

    /// A table of `search in (…)`: an expression, or a name with `*`
    /// wildcards (`NTA*`), kept as a name for the binder to expand.
    fn search_table(&self, i: &'s str) -> PResult<'s, Expr> {
        let j = skip_ws(i);
        let len = j.find(|c: char| !(is_ident_char(c) || c == '*')).unwrap_or(j.len());
        if j[..len].contains('*')
            && !j.starts_with(|c: char| c.is_ascii_digit() || c == '*' && len == 1)
            && matches!(skip_ws(&j[len..]).chars().next(), Some(',' | ')'))
        {
            let start = self.pos(j);
            let id = Ident::new(&j[..len], Span::new(start, start + len));
            return Ok((&j[len..], Expr::new(ExprKind::Name(id.clone()), id.span)));
        }
        self.expr(j)
    }

    /// After `top-nested`: clauses separated by `, top-nested`.
    fn top_nested(&self, i: &'s str, start: usize) -> PResult<'s, Vec<TopNestedLevel>> {
        let mut levels = Vec::new();
        let mut i = i;
        let mut clause_start = start;
        loop {
            let j = skip_ws(i);
            let (r, count) = if starts_with_word(j, "of") {
                (j, None)
            } else {
                let (r, n) = self.required_expr(j)?;
                (skip_ws(r), Some(n))
            };
            if !starts_with_word(r, "of") {
                return Err(self.failure(self.expected_error(r, "`of` and the expression whose top values to keep")));
            }
            let (r, expr) = self.require(self.named_expr(&r[2..]), &r[2..], "an expression")?;
            let mut r = skip_ws(r);
            let mut others = None;
            if starts_with_word(r, "with") {
                let k = skip_ws(&r[4..]);
                if !starts_with_word(k, "others") {
                    return Err(self.failure(self.expected_error(k, "`others = value`")));
                }
                let k = skip_ws(&k[6..]);
                let Some(k) = k.strip_prefix('=').filter(|k| !k.starts_with(['=', '~'])) else {
                    return Err(self.failure(self.expected_error(k, "`=` and the value of the others row")));
                };
                let (k, v) = self.required_expr(k)?;
                others = Some(v);
                r = skip_ws(k);
            }
            if !starts_with_word(r, "by") {
                return Err(self.failure(self.expected_error(r, "`by` and an aggregation")));
            }
            let (mut rest, aggregate) = self.require(self.named_expr(&r[2..]), &r[2..], "an aggregation")?;
            let mut order = None;
            let k = skip_ws(rest);
            for (w, o) in [("asc", SortOrder::Asc), ("desc", SortOrder::Desc)] {
                if starts_with_word(k, w) {
                    order = Some(o);
                    rest = &k[w.len()..];
                }
            }
            levels.push(TopNestedLevel {
                count,
                expr,
                others,
                aggregate,
                order,
                span: self.span_from(clause_start, rest),
            });
            let k = skip_ws(rest);
            let Some(next) = k.strip_prefix(',') else {
                return Ok((rest, levels));
            };
            let next = skip_ws(next);
            if !next.starts_with("top-nested") {
                return Err(self.failure(self.expected_error(next, "`top-nested` (each clause starts with it)")));
            }
            clause_start = self.pos(next);
            i = &next["top-nested".len()..];
        }
    }

    /// After `evaluate`: `[hint.…=…] Plugin(Arguments) [: (OutputSchema)]`.
    fn evaluate(&self, i: &'s str) -> PResult<'s, Evaluate> {
        let (i, params) = self.params(i, |n| n.starts_with("hint."))?;
        let (r, plugin) = self.require(self.ident(i), i, "a plugin call such as `bag_unpack(Column)`")?;
        let p = skip_ws(r);
        let Some(args_at) = p.strip_prefix('(') else {
            return Err(self.failure(self.expected_error(p, "`(` and the plugin's arguments")));
        };
        let (mut rest, args) = self.call_args(args_at, self.token_span(p))?;
        let mut schema = None;
        let k = skip_ws(rest);
        if let Some(k) = k.strip_prefix(':') {
            let k = skip_ws(k);
            let start = self.pos(k);
            let Some(mut r) = k.strip_prefix('(') else {
                return Err(self.failure(self.expected_error(k, "`(` and the output schema `(Name:type, …)`")));
            };
            let open = self.token_span(k);
            let mut star = false;
            let s = skip_ws(r);
            if let Some(after) = s.strip_prefix('*') {
                star = true;
                let a = skip_ws(after);
                r = a.strip_prefix(',').unwrap_or(a);
            }
            let (r, columns) = if star && skip_ws(r).starts_with(')') {
                (r, Vec::new())
            } else {
                self.required_list(r, Self::column_decl, "`Name:type`")?
            };
            let r = self.close_paren(r, open)?;
            schema = Some(OutputSchema { star, columns, span: self.span_from(start, r) });
            rest = r;
        }
        Ok((rest, Evaluate { params, plugin, args, schema }))
    }

    /// `make-series`: see [`MakeSeries`].
    fn make_series(&self, i: &'s str) -> PResult<'s, MakeSeries> {
        let (i, params) = self.params(i, |n| n == "kind" || n.starts_with("hint."))?;
        let (rest, aggregates) = self.required_list(i, Self::series_aggregate, "an aggregation such as count()")?;
        let j = skip_ws(rest);
        if !starts_with_word(j, "on") {
            return Err(self.failure(self.expected_error(j, "`on` and the axis column")));
        }
        let (rest, axis) = self.cut(self.ident(&j[2..]))?;
        let j = skip_ws(rest);
        let (mut rest, mut from, mut to, step, in_range);
        if starts_with_word(j, "in") {
            let k = skip_ws(&j[2..]);
            if !starts_with_word(k, "range") {
                return Err(self.failure(self.expected_error(k, "`range(start, stop, step)`")));
            }
            let k = skip_ws(&k[5..]);
            let Some(k) = k.strip_prefix('(') else {
                return Err(self.failure(self.expected_error(k, "`(`")));
            };
            let (r, start) = self.required_expr(k)?;
            let r = self.comma(r)?;
            let (r, stop) = self.required_expr(r)?;
            let r = self.comma(r)?;
            let (r, s) = self.required_expr(r)?;
            let r = skip_ws(r);
            let Some(r) = r.strip_prefix(')') else {
                return Err(self.failure(self.expected_error(r, "`)`")));
            };
            (rest, from, to, step, in_range) = (r, Some(start), Some(stop), s, true);
        } else {
            rest = j;
            from = None;
            to = None;
            if starts_with_word(rest, "from") {
                let (r, e) = self.required_expr(&rest[4..])?;
                from = Some(e);
                rest = skip_ws(r);
            }
            if starts_with_word(rest, "to") {
                let (r, e) = self.required_expr(&rest[2..])?;
                to = Some(e);
                rest = skip_ws(r);
            }
            if !starts_with_word(rest, "step") {
                return Err(self.failure(self.expected_error(rest, "`step` and the bin size")));
            }
            let (r, e) = self.required_expr(&rest[4..])?;
            (rest, step, in_range) = (r, e, false);
        }
        let j = skip_ws(rest);
        let (rest, by) = if starts_with_word(j, "by") {
            self.required_list(&j[2..], Self::named_expr, "a grouping key")?
        } else {
            (rest, Vec::new())
        };
        Ok((rest, MakeSeries { params, aggregates, axis, from, to, step, in_range, by }))
    }

    /// `,` (required).
    fn comma(&self, i: &'s str) -> Result<&'s str, nom::Err<super::PError>> {
        let j = skip_ws(i);
        j.strip_prefix(',').ok_or_else(|| self.failure(self.expected_error(j, "`,`")))
    }

    /// `[Col =] Agg [default = v]`.
    fn series_aggregate(&self, i: &'s str) -> PResult<'s, SeriesAggregate> {
        let (rest, aggregate) = self.named_expr(i)?;
        let j = skip_ws(rest);
        if starts_with_word(j, "default") {
            let k = skip_ws(&j[7..]);
            if let Some(k) = k.strip_prefix('=').filter(|k| !k.starts_with(['=', '~'])) {
                let (rest, v) = self.required_expr(k)?;
                return Ok((rest, SeriesAggregate { aggregate, default: Some(v) }));
            }
            return Err(self.failure(self.expected_error(k, "`=` and the default value")));
        }
        Ok((rest, SeriesAggregate { aggregate, default: None }))
    }

    fn summarize(&self, i: &'s str) -> PResult<'s, Summarize> {
        let (i, params) = self.params(i, |n| n.starts_with("hint."))?;
        let j = skip_ws(i);
        let (rest, aggregates) = if starts_with_word(j, "by") {
            (j, Vec::new())
        } else {
            self.required_list(j, Self::named_expr, "an aggregation such as count() or `by`")?
        };
        let j = skip_ws(rest);
        let (rest, by) = if starts_with_word(j, "by") {
            self.required_list(&j[2..], Self::named_expr, "a grouping key")?
        } else {
            (rest, Vec::new())
        };
        Ok((rest, Summarize { params, aggregates, by }))
    }

    fn top(&self, i: &'s str) -> PResult<'s, Top> {
        if starts_with_word(skip_ws(i), "by") {
            return Err(self.failure(self.expected_error(i, "the number of rows, as in `top 10 by Column`")));
        }
        let (rest, count) = self.required_expr(i)?;
        let j = skip_ws(rest);
        if !starts_with_word(j, "by") {
            return Err(self.failure(self.expected_error(j, "`by`")));
        }
        let (rest, key) = match self.sort_key(&j[2..]) {
            Err(nom::Err::Error(_)) => {
                return Err(self.failure(self.expected_error(&j[2..], "an expression to sort by")));
            }
            other => other?,
        };
        Ok((rest, Top { count, key }))
    }

    fn mv_expand(&self, i: &'s str) -> PResult<'s, MvExpand> {
        let (i, params) = self.params(i, |n| matches!(n, "bagexpansion" | "with_itemindex" | "kind"))?;
        let (rest, items) = self.required_list(i, Self::mv_expand_item, "a column to expand")?;
        let j = skip_ws(rest);
        let (rest, limit) = if starts_with_word(j, "limit") {
            let (r, e) = self.required_expr(&j[5..])?;
            (r, Some(e))
        } else {
            (rest, None)
        };
        Ok((rest, MvExpand { params, items, limit }))
    }

    /// After `mv-apply`: the items as in mv-expand, then `on (operators)`.
    fn mv_apply(&self, i: &'s str) -> PResult<'s, MvApply> {
        let (rest, m) = self.mv_expand(i)?;
        let j = skip_ws(rest);
        if !starts_with_word(j, "on") {
            return Err(self.failure(self.expected_error(j, "`on (` and the sub-query")));
        }
        let k = skip_ws(&j[2..]);
        let Some(mut rest) = k.strip_prefix('(') else {
            return Err(self.failure(self.expected_error(k, "`(` and the sub-query")));
        };
        let open = self.token_span(k);
        let _guard = self.enter(rest)?;
        let mut subquery = Vec::new();
        loop {
            let (r, op) = self.operator(rest)?;
            subquery.push(op);
            let j = skip_ws(r);
            match j.strip_prefix('|') {
                Some(r) => rest = r,
                None => {
                    rest = r;
                    break;
                }
            }
        }
        let rest = self.close_paren(rest, open)?;
        Ok((rest, MvApply { params: m.params, items: m.items, limit: m.limit, subquery }))
    }

    fn mv_expand_item(&self, i: &'s str) -> PResult<'s, MvExpandItem> {
        let (rest, named) = self.named_expr(i)?;
        let j = skip_ws(rest);
        if starts_with_word(j, "to") {
            let k = skip_ws(&j[2..]);
            if !starts_with_word(k, "typeof") {
                return Err(self.failure(self.expected_error(k, "`typeof(type)`")));
            }
            let p = skip_ws(&k[6..]);
            let Some(inner) = p.strip_prefix('(') else {
                return Err(self.failure(self.expected_error(p, "`(`")));
            };
            let open = self.token_span(p);
            let (r, ty) = self.type_ref(inner)?;
            let r = self.close_paren(r, open)?;
            return Ok((
                r,
                MvExpandItem {
                    name: named.name,
                    expr: named.expr,
                    to_type: Some(ty),
                    span: self.span_from(named.span.start, r),
                },
            ));
        }
        Ok((rest, MvExpandItem { name: named.name, expr: named.expr, to_type: None, span: named.span }))
    }

    fn lookup(&self, i: &'s str) -> PResult<'s, Lookup> {
        let (i, params) = self.params(i, |n| n == "kind" || n.starts_with("hint."))?;
        let (params, kind) = extract_kind(params);
        let kind = match kind {
            None => None,
            Some(Ident { name, span }) => {
                match name.as_str() {
                    "leftouter" => Some((LookupKind::LeftOuter, span)),
                    "inner" => Some((LookupKind::Inner, span)),
                    _ => {
                        return Err(self.failure(SyntaxError::InvalidValue {
                        what: "lookup kind",
                        help: Some(did_you_mean(&name, ["leftouter", "inner"]).map_or_else(
                            || "lookup supports kind=leftouter (the default) and kind=inner".to_string(),
                            |s| format!("did you mean `{s}`? lookup supports kind=leftouter (the default) and kind=inner"),
                        )),
                        found: name,
                        span,
                    }));
                    }
                }
            }
        };
        let (rest, (right, on)) = self.join_tail(i, "lookup")?;
        Ok((rest, Lookup { kind, params, right: Box::new(right), on }))
    }

    fn join(&self, i: &'s str) -> PResult<'s, Join> {
        let (i, params) = self.params(i, |n| n == "kind" || n.starts_with("hint."))?;
        let (params, kind) = extract_kind(params);
        let kind = match kind {
            None => None,
            Some(Ident { name, span }) => match JoinKind::from_name(&name) {
                Some(k) => Some((k, span)),
                None => {
                    return Err(self.failure(SyntaxError::InvalidValue {
                        what: "join kind",
                        help: Some(
                            did_you_mean(&name, JoinKind::NAMES)
                                .or_else(|| (name == "outer").then_some("fullouter"))
                                .map_or_else(
                                    || format!("join kinds are {}", JoinKind::NAMES.join(", ")),
                                    |s| format!("did you mean `{s}`?"),
                                ),
                        ),
                        found: name,
                        span,
                    }));
                }
            },
        };
        let (rest, (right, on)) = self.join_tail(i, "join")?;
        Ok((rest, Join { kind, params, right: Box::new(right), on }))
    }

    /// `RightTable on conditions` of join and lookup.
    fn join_tail(&self, i: &'s str, operator: &'static str) -> PResult<'s, (Expr, Vec<JoinCondition>)> {
        let (rest, right) = match self.expr(i) {
            Err(nom::Err::Error(_)) => {
                return Err(self.failure(self.expected_error(i, "the right-hand table")));
            }
            other => other?,
        };
        let j = skip_ws(rest);
        if starts_with_word(j, "where") && operator == "join" {
            return Err(self.failure(SyntaxError::UnsupportedSyntax {
                what: "`join … where` conditions".into(),
                span: self.token_span(j),
                help: Some("use `on $left.A == $right.B`".into()),
            }));
        }
        if !starts_with_word(j, "on") {
            // Point just after the right-hand table, where `on` belongs.
            return Err(self.failure(SyntaxError::MissingOn { operator, span: Span::at(self.pos(rest)) }));
        }
        let mut conditions = Vec::new();
        let mut r = &j[2..];
        loop {
            let (r2, c) = self.join_condition(r)?;
            conditions.push(c);
            let k = skip_ws(r2);
            if let Some(r3) = k.strip_prefix(',') {
                r = r3;
            } else if starts_with_word(k, "and") {
                r = &k[3..];
            } else {
                return Ok((r2, (right, conditions)));
            }
        }
    }

    fn join_condition(&self, i: &'s str) -> PResult<'s, JoinCondition> {
        let j = skip_ws(i);
        let start = self.pos(j);
        if j.starts_with('$') {
            let (r, first) = self.side_column(j)?;
            let k = skip_ws(r);
            let Some(r) = k.strip_prefix("==") else {
                return Err(self.failure(self.expected_error(k, "`==`")));
            };
            let (r, second) = self.side_column(r)?;
            let span = self.span_from(start, r);
            return match (first, second) {
                ((true, left), (false, right)) | ((false, right), (true, left)) => {
                    Ok((r, JoinCondition::Equal { left, right, span }))
                }
                _ => Err(self.failure(SyntaxError::InvalidJoinCondition { span })),
            };
        }
        match self.expr(j) {
            Ok((r, e)) => match e.kind {
                ExprKind::Name(name) => Ok((r, JoinCondition::Column { name })),
                _ => Err(self.failure(SyntaxError::InvalidJoinCondition { span: e.span })),
            },
            Err(nom::Err::Error(_)) => Err(self.failure(self.expected_error(j, "a join condition"))),
            Err(e) => Err(e),
        }
    }

    /// `$left.Name` (true) or `$right.Name` (false).
    fn side_column(&self, i: &'s str) -> PResult<'s, (bool, Ident)> {
        let j = skip_ws(i);
        let is_left = if j.starts_with("$left") {
            true
        } else if j.starts_with("$right") {
            false
        } else {
            return Err(self.failure(self.expected_error(j, "`$left.Column` or `$right.Column`")));
        };
        let r = &j[if is_left { 5 } else { 6 }..];
        let Some(r) = r.strip_prefix('.') else {
            return Err(self.failure(self.expected_error(r, "`.` and a column name")));
        };
        let (r, id) = self.cut(self.ident(r))?;
        Ok((r, (is_left, id)))
    }

    /// After `union`: parameters and the tables.
    fn union_body(&self, i: &'s str) -> PResult<'s, Union> {
        let (i, params) =
            self.params(i, |n| matches!(n, "kind" | "withsource" | "isfuzzy") || n.starts_with("hint."))?;
        let (rest, tables) = self.required_list(
            i,
            |p, i| {
                let j = skip_ws(i);
                // Table name patterns (`NTA*`, `*`), expanded by the binder.
                let len = j.find(|c: char| !(is_ident_char(c) || c == '*')).unwrap_or(j.len());
                if j[..len].contains('*')
                    && !j.starts_with(|c: char| c.is_ascii_digit())
                    && matches!(skip_ws(&j[len..]).chars().next(), None | Some(',' | '|' | ')' | ';'))
                {
                    let start = p.pos(j);
                    let id = Ident::new(&j[..len], Span::new(start, start + len));
                    return Ok((&j[len..], Expr::new(ExprKind::Name(id.clone()), id.span)));
                }
                p.expr(j)
            },
            "a table",
        )?;
        Ok((rest, Union { params, tables }))
    }

    fn render(&self, i: &'s str) -> PResult<'s, Render> {
        const RENDER_LISTS: [&str; 3] = ["ycolumns", "series", "anomalycolumns"];
        let (rest, visualization) =
            self.require(self.ident(i), i, "a visualization (timechart, barchart, piechart, table, …)")?;
        if !RENDER_KINDS.contains(&visualization.name.as_str()) {
            return Err(self.failure(SyntaxError::InvalidValue {
                what: "visualization",
                found: visualization.name.clone(),
                span: visualization.span,
                help: Some(did_you_mean(&visualization.name, RENDER_KINDS.iter().copied()).map_or_else(
                    || format!("visualizations are {}", RENDER_KINDS.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                )),
            }));
        }
        let j = skip_ws(rest);
        if !starts_with_word(j, "with") {
            return Ok((rest, Render { visualization, properties: Vec::new() }));
        }
        let p = skip_ws(&j[4..]);
        let Some(inner) = p.strip_prefix('(') else {
            return Err(self.failure(self.expected_error(p, "`(`")));
        };
        let open = self.token_span(p);
        // `ycolumns=a, b` and `series=a, b`: a name without `=` continues the
        // list property before it, kept as another entry of the same name.
        let last: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
        let (r, props) = self.comma_list(inner, |p, i| {
            let (r, name) = p.ident(i)?;
            let k = skip_ws(r);
            let Some(r) = k.strip_prefix('=') else {
                let list = last.borrow().clone().filter(|l| RENDER_LISTS.contains(&l.to_ascii_lowercase().as_str()));
                if let Some(list) = list.filter(|_| skip_ws(k).starts_with([',', ')'])) {
                    let value = Expr::new(ExprKind::Name(name.clone()), name.span);
                    return Ok((r, (Ident::new(list, name.span), value)));
                }
                return Err(p.failure(p.expected_error(k, "`=`")));
            };
            *last.borrow_mut() = Some(name.name.clone());
            let (r, v) = p.required_expr(r)?;
            Ok((r, (name, v)))
        })?;
        let r = self.close_paren(r, open)?;
        Ok((r, Render { visualization, properties: props }))
    }
}

impl<'s> Parser<'s> {
    /// After `parse`: `[kind=K [flags=F]] Expr with Item…`.
    fn parse_op(&self, i: &'s str, filter: bool) -> PResult<'s, Parse> {
        let (i, params) = self.params(i, |n| matches!(n, "kind" | "flags"))?;
        let mut kind = ParseKind::Simple;
        let mut flags = None;
        for p in params {
            match (&p.name.name[..], &p.value) {
                ("kind", ParamValue::Word(w)) if w.name == "simple" => kind = ParseKind::Simple,
                ("kind", ParamValue::Word(w)) if w.name == "regex" => kind = ParseKind::Regex,
                ("kind", ParamValue::Word(w)) if w.name == "relaxed" => kind = ParseKind::Relaxed,
                ("flags", ParamValue::Word(w)) => flags = Some(w.name.clone()),
                ("flags", ParamValue::Literal(Literal::String(f))) => flags = Some(f.clone()),
                (name, _) => {
                    return Err(self.failure(SyntaxError::InvalidValue {
                        what: if name == "kind" { "parse kind" } else { "parse flags" },
                        found: format!(
                            "{}={}",
                            p.name.name,
                            match &p.value {
                                ParamValue::Word(w) => w.name.clone(),
                                ParamValue::Literal(l) => format!("{l:?}"),
                            }
                        ),
                        span: p.span,
                        help: Some(if name == "kind" {
                            "kinds are simple, regex and relaxed".into()
                        } else {
                            "flags are letters such as U, i, m, s".into()
                        }),
                    }));
                }
            }
        }
        if flags.is_some() && kind != ParseKind::Regex {
            let j = skip_ws(i);
            return Err(self.failure(SyntaxError::Expected {
                expected: "`flags=` only with `kind=regex`".into(),
                found: "another kind".into(),
                span: self.token_span(j),
                help: None,
            }));
        }
        let (rest, expr) = self.required_expr(i)?;
        let j = skip_ws(rest);
        if !starts_with_word(j, "with") {
            return Err(self.failure(self.expected_error(j, "`with` and the pattern")));
        }
        let mut rest = &j[4..];
        let mut pattern = Vec::new();
        loop {
            let j = skip_ws(rest);
            let start = self.pos(j);
            if let Some(r) = j.strip_prefix('*') {
                pattern.push(ParseItem::Star(Span::new(start, start + 1)));
                rest = r;
            } else if starts_string(j) {
                let (r, (text, span)) = self.string_literal(j)?;
                // Two texts in a row (`"a", "b"`) match as their
                // concatenation, which is how `"a" "b"` (one literal) reads:
                // one item either way, so the pattern prints back the same.
                match pattern.last_mut() {
                    Some(ParseItem::Text { text: previous, span: whole }) => {
                        previous.push_str(&text);
                        *whole = Span::new(whole.start, span.end);
                    }
                    _ => pattern.push(ParseItem::Text { text, span }),
                }
                rest = r;
            } else if j.starts_with(|c: char| is_ident_char(c) && !c.is_ascii_digit()) || j.starts_with('[') {
                let (r, name) = self.ident(j)?;
                let k = skip_ws(r);
                let (r, ty) = match k.strip_prefix(':') {
                    Some(t) => {
                        let (r, ty) = self.type_ref(t)?;
                        (r, Some(ty))
                    }
                    None => (r, None),
                };
                pattern.push(ParseItem::Column { name, ty });
                rest = r;
            } else {
                break;
            }
            // Items may be separated by commas.
            let k = skip_ws(rest);
            if let Some(r) = k.strip_prefix(',') {
                rest = r;
            }
        }
        if !pattern.iter().any(|p| matches!(p, ParseItem::Column { .. })) {
            let j = skip_ws(rest);
            return Err(
                self.failure(self.expected_error(j, "a column to extract in the pattern (`Name` or `Name:type`)"))
            );
        }
        Ok((rest, Parse { kind, flags, expr, pattern, filter }))
    }
}

/// Removes the `kind=` parameter, returning its word.
fn extract_kind(params: Vec<OperatorParam>) -> (Vec<OperatorParam>, Option<Ident>) {
    let mut kind = None;
    let mut rest = Vec::new();
    for p in params {
        match (&p.name.name[..], p.value) {
            ("kind", ParamValue::Word(w)) => kind = Some(w),
            ("kind", ParamValue::Literal(l)) => {
                kind = Some(Ident::new(format!("{l:?}"), p.span));
            }
            (_, value) => rest.push(OperatorParam { value, ..p }),
        }
    }
    (rest, kind)
}
