//! Canonical KQL text for the AST. `parse(to_string(ast))` gives back an
//! equal tree (spans aside): the round-trip tests rely on it.
//!
//! Canonical choices: `where` for `filter`, `take` for `limit`, `sort` for
//! `order`, `mv-expand` for `mvexpand`, double-quoted strings, Kusto-style
//! datetime/timespan text, one operator per line.

use crate::ast::*;
use crate::time::{format_datetime, format_timespan};
use kql_types::value::{write_real, write_string};
use std::fmt::{self, Display, Formatter};

/// Words that cannot be written as bare names (they would parse as operators or literals).
const RESERVED: &[&str] = &[
    "and",
    "or",
    "by",
    "on",
    "in",
    "between",
    "true",
    "false",
    "asc",
    "desc",
    "nulls",
    "with",
    "to",
    "matches",
    "kind",
    "limit",
    "let",
    "declare",
    "set",
    "union",
    "print",
    "datatable",
    "range",
    "find",
    "search",
    "evaluate",
    "externaldata",
    "external_data",
    "alias",
    "pattern",
    "restrict",
    "view",
    "has_any",
    "has_all",
];

fn write_ident(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    let plain = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&name)
        && BinaryOp::string_op_from_word(name).is_none();
    if plain {
        f.write_str(name)
    } else {
        f.write_str("[")?;
        write_string(f, name)?;
        f.write_str("]")
    }
}

fn write_list<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            f.write_str(", ")?;
        }
        each(f, item)?;
    }
    Ok(())
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_ident(f, &self.name)
    }
}

impl Display for Script {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (k, s) in self.statements.iter().enumerate() {
            if k > 0 {
                f.write_str(";\n")?;
            }
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StatementKind::Let(l) => write!(f, "let {} = {}", l.name, l.value),
            StatementKind::DeclareQueryParameters(ps) => {
                f.write_str("declare query_parameters(")?;
                write_list(f, ps, |f, p| {
                    write!(f, "{}:{}", p.name, p.ty.ty)?;
                    if let Some(d) = &p.default {
                        write!(f, " = {d}")?;
                    }
                    Ok(())
                })?;
                f.write_str(")")
            }
            StatementKind::Query(q) => write!(f, "{q}"),
            StatementKind::Error { .. } => f.write_str("<error>"),
        }
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        for op in &self.operators {
            write!(f, "\n| {op}")?;
        }
        Ok(())
    }
}

impl Display for Source {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SourceKind::Expr(e) => write!(f, "{e}"),
            SourceKind::Union(u) => write!(f, "union {u}"),
            SourceKind::Search(se) => write!(f, "search {se}"),
            SourceKind::Print(cols) => {
                f.write_str("print ")?;
                write_list(f, cols, |f, c| write!(f, "{c}"))
            }
            SourceKind::Range(r) => {
                f.write_str("range ")?;
                write_ident(f, &r.column.name)?;
                write!(f, " from {} to {} step {}", r.from, r.to, r.step)
            }
            SourceKind::Datatable(dt) => {
                f.write_str("datatable(")?;
                write_list(f, &dt.columns, |f, c| write!(f, "{}:{}", c.name, c.ty.ty))?;
                f.write_str(") [")?;
                write_list(f, &dt.values, |f, v| write!(f, "{v}"))?;
                f.write_str("]")
            }
        }
    }
}

impl Display for Union {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for p in &self.params {
            write!(f, "{p} ")?;
        }
        write_list(f, &self.tables, |f, t| write!(f, "{t}"))
    }
}

/// The items and `limit` of mv-expand and mv-apply.
fn write_mv_items(f: &mut Formatter<'_>, items: &[MvExpandItem], limit: Option<&Expr>) -> fmt::Result {
    write_list(f, items, |f, it| {
        if let Some(n) = &it.name {
            write!(f, "{n} = ")?;
        }
        write!(f, "{}", it.expr)?;
        if let Some(t) = &it.to_type {
            write!(f, " to typeof({})", t.ty)?;
        }
        Ok(())
    })?;
    if let Some(l) = limit {
        write!(f, " limit {l}")?;
    }
    Ok(())
}

impl Display for TopNestedLevel {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("top-nested ")?;
        if let Some(n) = &self.count {
            write!(f, "{n} ")?;
        }
        write!(f, "of {}", self.expr)?;
        if let Some(o) = &self.others {
            write!(f, " with others = {o}")?;
        }
        write!(f, " by {}", self.aggregate)?;
        match self.order {
            Some(SortOrder::Asc) => f.write_str(" asc"),
            Some(SortOrder::Desc) => f.write_str(" desc"),
            None => Ok(()),
        }
    }
}

impl Display for Search {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for p in &self.params {
            write!(f, "{p} ")?;
        }
        if let Some(tables) = &self.tables {
            f.write_str("in (")?;
            write_list(f, tables, |f, t| write!(f, "{t}"))?;
            f.write_str(") ")?;
        }
        write!(f, "{}", self.predicate)
    }
}

impl Display for OperatorParam {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name.name)?;
        f.write_str("=")?;
        match &self.value {
            ParamValue::Word(w) => f.write_str(&w.name),
            ParamValue::Literal(l) => write!(f, "{l}"),
        }
    }
}

impl Display for NamedExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(n) = &self.name {
            if self.more_names.is_empty() {
                write!(f, "{n} = ")?;
            } else {
                write!(f, "({n}")?;
                for m in &self.more_names {
                    write!(f, ", {m}")?;
                }
                f.write_str(") = ")?;
            }
        }
        write!(f, "{}", self.expr)
    }
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        match self.order {
            Some(SortOrder::Asc) => f.write_str(" asc")?,
            Some(SortOrder::Desc) => f.write_str(" desc")?,
            None => {}
        }
        match self.nulls {
            Some(NullsOrder::First) => f.write_str(" nulls first"),
            Some(NullsOrder::Last) => f.write_str(" nulls last"),
            None => Ok(()),
        }
    }
}

impl Display for JoinCondition {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            JoinCondition::Column { name } => write!(f, "{name}"),
            JoinCondition::Equal { left, right, .. } => write!(f, "$left.{left} == $right.{right}"),
        }
    }
}

fn write_join_tail(
    f: &mut Formatter<'_>,
    kind: Option<&str>,
    params: &[OperatorParam],
    right: &Expr,
    on: &[JoinCondition],
) -> fmt::Result {
    if let Some(k) = kind {
        write!(f, " kind={k}")?;
    }
    for p in params {
        write!(f, " {p}")?;
    }
    write!(f, " {right} on ")?;
    write_list(f, on, |f, c| write!(f, "{c}"))
}

impl Display for Operator {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            OperatorKind::Where { predicate } => write!(f, "where {predicate}"),
            OperatorKind::Project { columns } => {
                f.write_str("project ")?;
                write_list(f, columns, |f, c| write!(f, "{c}"))
            }
            OperatorKind::Extend { columns } => {
                f.write_str("extend ")?;
                write_list(f, columns, |f, c| write!(f, "{c}"))
            }
            OperatorKind::ProjectAway { columns } => {
                f.write_str("project-away ")?;
                write_list(f, columns, write_pattern)
            }
            OperatorKind::ProjectKeep { columns } => {
                f.write_str("project-keep ")?;
                write_list(f, columns, write_pattern)
            }
            OperatorKind::ProjectReorder { columns } => {
                f.write_str("project-reorder ")?;
                write_list(f, columns, |f, c| {
                    write_pattern(f, &c.pattern)?;
                    if let Some(o) = &c.order {
                        write!(f, " {}", o.name)?;
                    }
                    Ok(())
                })
            }
            OperatorKind::ProjectRename { renames } => {
                f.write_str("project-rename ")?;
                write_list(f, renames, |f, r| write!(f, "{} = {}", r.new_name, r.old_name))
            }
            OperatorKind::Distinct { columns } => match columns {
                DistinctColumns::All { .. } => f.write_str("distinct *"),
                DistinctColumns::Columns { columns } => {
                    f.write_str("distinct ")?;
                    write_list(f, columns, |f, c| write!(f, "{c}"))
                }
            },
            OperatorKind::MvExpand(m) => {
                f.write_str("mv-expand ")?;
                for p in &m.params {
                    write!(f, "{p} ")?;
                }
                write_mv_items(f, &m.items, m.limit.as_ref())?;
                Ok(())
            }
            OperatorKind::Lookup(l) => {
                f.write_str("lookup")?;
                let kind = l.kind.map(|(k, _)| match k {
                    LookupKind::Inner => "inner",
                    LookupKind::LeftOuter => "leftouter",
                });
                write_join_tail(f, kind, &l.params, &l.right, &l.on)
            }
            OperatorKind::Join(j) => {
                f.write_str("join")?;
                write_join_tail(f, j.kind.map(|(k, _)| k.name()), &j.params, &j.right, &j.on)
            }
            OperatorKind::Union(u) => write!(f, "union {u}"),
            OperatorKind::Search(se) => write!(f, "search {se}"),
            OperatorKind::MvApply(m) => {
                f.write_str("mv-apply ")?;
                for p in &m.params {
                    write!(f, "{p} ")?;
                }
                write_mv_items(f, &m.items, m.limit.as_ref())?;
                f.write_str(" on (")?;
                for (k, op) in m.subquery.iter().enumerate() {
                    if k > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{op}")?;
                }
                f.write_str(")")
            }
            OperatorKind::Summarize(s) => {
                f.write_str("summarize")?;
                for p in &s.params {
                    write!(f, " {p}")?;
                }
                if !s.aggregates.is_empty() {
                    f.write_str(" ")?;
                    write_list(f, &s.aggregates, |f, a| write!(f, "{a}"))?;
                }
                if !s.by.is_empty() {
                    f.write_str(" by ")?;
                    write_list(f, &s.by, |f, b| write!(f, "{b}"))?;
                }
                Ok(())
            }
            OperatorKind::Top(t) => write!(f, "top {} by {}", t.count, t.key),
            OperatorKind::Take { count } => write!(f, "take {count}"),
            OperatorKind::Sort { keys } => {
                f.write_str("sort by ")?;
                write_list(f, keys, |f, k| write!(f, "{k}"))
            }
            OperatorKind::Count => f.write_str("count"),
            OperatorKind::Invoke { call } => write!(f, "invoke {call}"),
            OperatorKind::GetSchema => f.write_str("getschema"),
            OperatorKind::Serialize { columns } => {
                f.write_str("serialize")?;
                if !columns.is_empty() {
                    f.write_str(" ")?;
                    write_list(f, columns, |f, c| write!(f, "{c}"))?;
                }
                Ok(())
            }
            OperatorKind::Sample { count } => write!(f, "sample {count}"),
            OperatorKind::SampleDistinct { count, column } => write!(f, "sample-distinct {count} of {column}"),
            OperatorKind::TopHitters { count, of, by } => {
                write!(f, "top-hitters {count} of {of}")?;
                match by {
                    Some(by) => write!(f, " by {by}"),
                    None => Ok(()),
                }
            }
            OperatorKind::TopNested { levels } => write_list(f, levels, |f, l| write!(f, "{l}")),
            OperatorKind::Evaluate(e) => {
                f.write_str("evaluate ")?;
                for p in &e.params {
                    write!(f, "{p} ")?;
                }
                write!(f, "{}(", e.plugin)?;
                write_list(f, &e.args, |f, a| write!(f, "{a}"))?;
                f.write_str(")")?;
                if let Some(s) = &e.schema {
                    f.write_str(" : (")?;
                    if s.star {
                        f.write_str(if s.columns.is_empty() { "*" } else { "*, " })?;
                    }
                    write_list(f, &s.columns, |f, c| write!(f, "{}:{}", c.name, c.ty.ty))?;
                    f.write_str(")")?;
                }
                Ok(())
            }
            OperatorKind::As { params, name } => {
                f.write_str("as ")?;
                for p in params {
                    write!(f, "{p} ")?;
                }
                write_ident(f, &name.name)
            }
            OperatorKind::Render(r) => {
                write!(f, "render {}", r.visualization)?;
                if !r.properties.is_empty() {
                    f.write_str(" with (")?;
                    write_list(f, &r.properties, |f, (k, v)| write!(f, "{k}={v}"))?;
                    f.write_str(")")?;
                }
                Ok(())
            }
            OperatorKind::MakeSeries(m) => {
                f.write_str("make-series")?;
                for p in &m.params {
                    write!(f, " {p}")?;
                }
                f.write_str(" ")?;
                write_list(f, &m.aggregates, |f, a| {
                    write!(f, "{}", a.aggregate)?;
                    if let Some(d) = &a.default {
                        write!(f, " default={d}")?;
                    }
                    Ok(())
                })?;
                f.write_str(" on ")?;
                write_ident(f, &m.axis.name)?;
                match (&m.from, &m.to) {
                    (Some(from), Some(to)) if m.in_range => write!(f, " in range({from}, {to}, {})", m.step)?,
                    _ => {
                        if let Some(from) = &m.from {
                            write!(f, " from {from}")?;
                        }
                        if let Some(to) = &m.to {
                            write!(f, " to {to}")?;
                        }
                        write!(f, " step {}", m.step)?;
                    }
                }
                if !m.by.is_empty() {
                    f.write_str(" by ")?;
                    write_list(f, &m.by, |f, b| write!(f, "{b}"))?;
                }
                Ok(())
            }
            OperatorKind::Parse(p) => {
                f.write_str(if p.filter { "parse-where" } else { "parse" })?;
                match p.kind {
                    ParseKind::Simple => {}
                    ParseKind::Regex => f.write_str(" kind=regex")?,
                    ParseKind::Relaxed => f.write_str(" kind=relaxed")?,
                }
                if let Some(flags) = &p.flags {
                    write!(f, " flags={flags}")?;
                }
                write!(f, " {} with", p.expr)?;
                for item in &p.pattern {
                    f.write_str(" ")?;
                    match item {
                        ParseItem::Star(_) => f.write_str("*")?,
                        ParseItem::Text { text, .. } => write_string(f, text)?,
                        ParseItem::Column { name, ty } => {
                            write_ident(f, &name.name)?;
                            if let Some(t) = ty {
                                write!(f, ":{}", t.ty.name())?;
                            }
                        }
                    }
                }
                Ok(())
            }
            OperatorKind::Error => f.write_str("<error>"),
        }
    }
}

fn write_pattern(f: &mut Formatter<'_>, p: &ColumnPattern) -> fmt::Result {
    if p.is_wildcard() { f.write_str(&p.pattern) } else { write_ident(f, &p.pattern) }
}

/// Binding strength of an expression, for deciding where parentheses go.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    Binary(Precedence),
    Unary,
    Postfix,
}

fn strength(e: &Expr) -> Strength {
    match &e.kind {
        ExprKind::Binary { op, .. } => Strength::Binary(op.precedence()),
        ExprKind::In { .. } | ExprKind::Between { .. } => Strength::Binary(Precedence::Equality),
        ExprKind::Unary { .. } => Strength::Unary,
        _ => Strength::Postfix,
    }
}

/// Writes `e` where at least `min` strength is needed, adding parentheses otherwise.
fn write_at(f: &mut Formatter<'_>, e: &Expr, min: Strength) -> fmt::Result {
    if strength(e) < min { write!(f, "({e})") } else { write!(f, "{e}") }
}

/// Left-associative levels chain; the others take one operator.
fn chains(p: Precedence) -> bool {
    matches!(p, Precedence::Or | Precedence::And | Precedence::Additive | Precedence::Multiplicative)
}

/// The strength just above `p` (what a non-chaining operand needs).
fn above(p: Precedence) -> Strength {
    match p {
        Precedence::Or => Strength::Binary(Precedence::And),
        Precedence::And => Strength::Binary(Precedence::Equality),
        Precedence::Equality => Strength::Binary(Precedence::Relational),
        Precedence::Relational => Strength::Binary(Precedence::Additive),
        Precedence::Additive => Strength::Binary(Precedence::Multiplicative),
        Precedence::Multiplicative => Strength::Binary(Precedence::StringOp),
        Precedence::StringOp => Strength::Unary,
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => write!(f, "{l}"),
            ExprKind::Name(id) => write!(f, "{id}"),
            ExprKind::Call { function, args } => {
                write!(f, "{}(", function.name)?;
                write_list(f, args, |f, a| write!(f, "{a}"))?;
                f.write_str(")")
            }
            ExprKind::Star => f.write_str("*"),
            ExprKind::Index { target, index } => {
                write_at(f, target, Strength::Postfix)?;
                write!(f, "[{index}]")
            }
            ExprKind::Member { target, member } => {
                write_at(f, target, Strength::Postfix)?;
                // After an integer the dot would be read as part of a real
                // (`1.['or']` is `1.` indexed, `1.e5` a number): keep them apart.
                let integer = matches!(target.kind, ExprKind::Literal(Literal::Long(Some(v))) if v >= 0);
                write!(f, "{}.{member}", if integer { " " } else { "" })
            }
            ExprKind::Unary { op, operand } => {
                f.write_str(match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                })?;
                write_at(f, operand, Strength::Postfix)
            }
            ExprKind::Binary { op, left, right, .. } => {
                let p = op.precedence();
                let left_min = if chains(p) { Strength::Binary(p) } else { above(p) };
                write_at(f, left, left_min)?;
                write!(f, " {} ", op.symbol())?;
                write_at(f, right, above(p))
            }
            ExprKind::In { op, expr, list, .. } => {
                write_at(f, expr, above(Precedence::Equality))?;
                write!(f, " {} (", op.symbol())?;
                write_list(f, list, |f, e| write!(f, "{e}"))?;
                f.write_str(")")
            }
            ExprKind::Between { negated, expr, low, high, .. } => {
                write_at(f, expr, above(Precedence::Equality))?;
                write!(f, " {}between ({low} .. {high})", if *negated { "!" } else { "" })
            }
            ExprKind::Paren(inner) => write!(f, "({inner})"),
            ExprKind::Query(q) => write!(f, "{q}"),
            ExprKind::NamedArg { name, value } => write!(f, "{name} = {value}"),
            ExprKind::ColumnTerm { column, term } => {
                write!(f, "{column}:")?;
                write_string(f, term)
            }
            ExprKind::Function(def) => write!(f, "{def}"),
        }
    }
}

impl Display for FunctionDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.view {
            f.write_str("view ")?;
        }
        f.write_str("(")?;
        write_list(f, &self.params, |f, p| {
            write!(f, "{}:", p.name)?;
            match &p.ty {
                ParamType::Scalar(t) => write!(f, "{}", t.ty)?,
                ParamType::Tabular { columns: None, .. } => f.write_str("(*)")?,
                ParamType::Tabular { columns: Some(cols), .. } => {
                    f.write_str("(")?;
                    write_list(f, cols, |f, c| write!(f, "{}:{}", c.name, c.ty.ty))?;
                    f.write_str(")")?;
                }
            }
            if let Some(d) = &p.default {
                write!(f, " = {d}")?;
            }
            Ok(())
        })?;
        f.write_str(") { ")?;
        for l in &self.lets {
            write!(f, "let {} = {}; ", l.name, l.value)?;
        }
        write!(f, "{} }}", self.body)
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(Some(b)) => write!(f, "{b}"),
            Literal::Bool(None) => f.write_str("bool(null)"),
            Literal::Int(Some(v)) => write!(f, "int({v})"),
            Literal::Int(None) => f.write_str("int(null)"),
            Literal::Long(Some(v)) if *v >= 0 => write!(f, "{v}"),
            Literal::Long(Some(v)) => write!(f, "long({v})"),
            Literal::Long(None) => f.write_str("long(null)"),
            Literal::Real(Some(v)) => write_real(f, *v),
            Literal::Real(None) => f.write_str("real(null)"),
            Literal::Decimal(Some(d)) => write!(f, "decimal({d})"),
            Literal::Decimal(None) => f.write_str("decimal(null)"),
            Literal::String(s) => write_string(f, s),
            Literal::DateTime(DateTimeLit::Value(v)) => {
                write!(f, "datetime({})", format_datetime(*v))
            }
            Literal::DateTime(DateTimeLit::Null) => f.write_str("datetime(null)"),
            Literal::DateTime(DateTimeLit::Placeholder(raw)) => {
                f.write_str("datetime(")?;
                write_string(f, raw)?;
                f.write_str(")")
            }
            Literal::Timespan(Some(v)) => write!(f, "timespan({})", format_timespan(*v)),
            Literal::Timespan(None) => f.write_str("timespan(null)"),
            Literal::Guid(Some(g)) => write!(f, "guid({g})"),
            Literal::Guid(None) => f.write_str("guid(null)"),
            Literal::Dynamic(d) => write!(f, "dynamic({d})"),
        }
    }
}
