//! Human-readable plans for `ntaq plan` and the REPL's `.explain`.

use crate::plan::{Expr, ExprKind, Node, Plan, Program, SortKey};
use kql_syntax::ast::LookupKind;
use std::fmt::{self, Write};

/// The program as an indented tree, one node per line with its output schema.
pub fn explain(program: &Program) -> String {
    let mut out = String::new();
    for s in &program.shared {
        let _ = writeln!(out, "let {} =", s.name);
        write_plan(&mut out, &s.plan, 1);
    }
    for (k, p) in program.results.iter().enumerate() {
        if program.results.len() > 1 {
            let _ = writeln!(out, "result #{}:", k + 1);
        }
        write_plan(&mut out, p, 0);
    }
    out
}

/// Schemas wider than this are abbreviated.
const MAX_LISTED: usize = 8;

fn write_plan(out: &mut String, plan: &Plan, depth: usize) {
    let _ = writeln!(out, "{}{}  {}", "  ".repeat(depth), NodeLine(plan), SchemaText(&plan.schema));
    for input in plan.inputs() {
        write_plan(out, input, depth + 1);
    }
}

struct NodeLine<'a>(&'a Plan);

fn list<T>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
    each: impl Fn(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (k, i) in items.iter().enumerate() {
        if k > 0 {
            f.write_str(", ")?;
        }
        each(f, i)?;
    }
    Ok(())
}

fn sort_key(f: &mut fmt::Formatter<'_>, k: &SortKey) -> fmt::Result {
    write!(
        f,
        "{} {} nulls {}",
        ExprText(&k.expr),
        if k.descending { "desc" } else { "asc" },
        if k.nulls_first { "first" } else { "last" }
    )
}

impl fmt::Display for NodeLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.node {
            Node::Scan { table } => write!(f, "Scan {table}"),
            Node::Shared { id, name } => write!(f, "Shared #{} {name}", id.0),
            Node::Filter { predicate, .. } => write!(f, "Filter {}", ExprText(predicate)),
            Node::Project { columns, .. } => {
                let kept = columns.iter().filter(|(n, e)| matches!(&e.kind, ExprKind::Column(c) if c == n)).count();
                f.write_str("Project ")?;
                if kept > MAX_LISTED {
                    write!(f, "{kept} columns kept")?;
                    for (n, e) in columns.iter().filter(|(n, e)| !matches!(&e.kind, ExprKind::Column(c) if c == n)) {
                        write!(f, ", {n} = {}", ExprText(e))?;
                    }
                    return Ok(());
                }
                list(f, columns, |f, (n, e)| match &e.kind {
                    ExprKind::Column(c) if c == n => f.write_str(n),
                    _ => write!(f, "{n} = {}", ExprText(e)),
                })
            }
            Node::Distinct { .. } => f.write_str("Distinct"),
            Node::MvExpand { columns, limit, item_index, .. } => {
                write!(f, "MvExpand {}", columns.join(", "))?;
                if let Some(i) = item_index {
                    write!(f, " with_itemindex={i}")?;
                }
                if let Some(l) = limit {
                    write!(f, " limit {}", ExprText(l))?;
                }
                Ok(())
            }
            Node::Join { kind, on, .. } => {
                write!(f, "Join kind={} on ", kind.name())?;
                list(f, on, |f, (l, r)| write!(f, "{l} == {r}"))
            }
            Node::Lookup { kind, on, .. } => {
                let kind = match kind {
                    LookupKind::Inner => "inner",
                    LookupKind::LeftOuter => "leftouter",
                };
                write!(f, "Lookup kind={kind} on ")?;
                list(f, on, |f, (l, r)| write!(f, "{l} == {r}"))
            }
            Node::Union { .. } => f.write_str("Union"),
            Node::Summarize { keys, aggregates, .. } => {
                f.write_str("Summarize ")?;
                list(f, aggregates, |f, a| {
                    write!(f, "{} = {}(", a.outputs.join("|"), a.function.name)?;
                    list(f, &a.args, |f, e| write!(f, "{}", ExprText(e)))?;
                    f.write_str(")")
                })?;
                if !keys.is_empty() {
                    f.write_str(" by ")?;
                    list(f, keys, |f, (n, e)| match &e.kind {
                        ExprKind::Column(c) if c == n => f.write_str(n),
                        _ => write!(f, "{n} = {}", ExprText(e)),
                    })?;
                }
                Ok(())
            }
            Node::MakeSeries { keys, axis, series, from, to, step, nonempty, .. } => {
                f.write_str("MakeSeries ")?;
                if *nonempty {
                    f.write_str("kind=nonempty ")?;
                }
                list(f, series, |f, (n, d)| match d {
                    Some(d) => write!(f, "{n} default={}", ExprText(d)),
                    None => f.write_str(n),
                })?;
                write!(f, " on {axis}")?;
                if let Some(e) = from {
                    write!(f, " from {}", ExprText(e))?;
                }
                if let Some(e) = to {
                    write!(f, " to {}", ExprText(e))?;
                }
                write!(f, " step {}", ExprText(step))?;
                if !keys.is_empty() {
                    f.write_str(" by ")?;
                    list(f, keys, |f, k| f.write_str(k))?;
                }
                Ok(())
            }
            Node::Sort { keys, .. } => {
                f.write_str("Sort ")?;
                list(f, keys, sort_key)
            }
            Node::Top { count, key, .. } => {
                write!(f, "Top {} by ", ExprText(count))?;
                sort_key(f, key)
            }
            Node::Take { count, .. } => write!(f, "Take {}", ExprText(count)),
            Node::Count { .. } => f.write_str("Count"),
            Node::Window { columns, .. } => {
                f.write_str("Window ")?;
                let computed: Vec<_> =
                    columns.iter().filter(|(n, e)| !matches!(&e.kind, ExprKind::Column(c) if c == n)).collect();
                write!(f, "{} columns kept", columns.len() - computed.len())?;
                for (n, e) in computed {
                    write!(f, ", {n} = {}", ExprText(e))?;
                }
                Ok(())
            }
            Node::Sample { count, .. } => write!(f, "Sample {}", ExprText(count)),
            Node::Print { columns } => {
                f.write_str("Print ")?;
                list(f, columns, |f, (n, e)| write!(f, "{n} = {}", ExprText(e)))
            }
            Node::Range { column, from, to, step } => {
                write!(f, "Range {column} from {} to {} step {}", ExprText(from), ExprText(to), ExprText(step))
            }
            Node::Datatable { rows } => write!(f, "Datatable {} rows", rows.len()),
            Node::Render { visualization, .. } => write!(f, "Render {visualization}"),
            Node::MvApply { items, keep, .. } => {
                write!(f, "MvApply {} keep {}", items.join(", "), keep.join(", "))
            }
            Node::TopNested { levels, .. } => {
                f.write_str("TopNested ")?;
                list(f, levels, |f, l| {
                    if let Some(n) = &l.count {
                        write!(f, "{} ", ExprText(n))?;
                    }
                    write!(f, "of {} = {} by {}", l.key_name, ExprText(&l.key), l.aggregate_name)?;
                    f.write_str(if l.descending { " desc" } else { " asc" })
                })
            }
            Node::BagUnpack { column, .. } => write!(f, "BagUnpack {column} into the properties found in the data"),
            Node::Pivot { column, .. } => write!(f, "Pivot {column} into the values found in the data"),
            Node::Ipv4Lookup { source, key, extra, unmatched, .. } => {
                write!(f, "Ipv4Lookup {source} in {key}")?;
                for (l, r) in extra {
                    write!(f, ", {l} == {r}")?;
                }
                if *unmatched {
                    f.write_str(" return_unmatched")?;
                }
                Ok(())
            }
        }
    }
}

/// `(a:string, b:long)`, abbreviated past [`MAX_LISTED`] columns.
struct SchemaText<'a>(&'a crate::schema::Schema);

impl fmt::Display for SchemaText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if s.len() <= MAX_LISTED {
            return write!(f, "{s}");
        }
        f.write_str("(")?;
        for c in &s.columns[..MAX_LISTED - 2] {
            write!(f, "{}:{}, ", c.name, c.ty)?;
        }
        write!(f, "… {} more)", s.len() - (MAX_LISTED - 2))
    }
}

/// A bound expression written back as KQL-like text.
pub struct ExprText<'a>(pub &'a Expr);

impl fmt::Display for ExprText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ExprKind::Column(c) => f.write_str(c),
            ExprKind::Literal(v) => write!(f, "{}", kql_syntax::ast::Literal::of_value(v)),
            ExprKind::Parameter(p) => write!(f, "{{{p}}}"),
            ExprKind::Call { function, args } => {
                write!(f, "{}(", function.name)?;
                list(f, args, |f, a| write!(f, "{}", ExprText(a)))?;
                f.write_str(")")
            }
            ExprKind::Binary { op, left, right } => {
                write!(f, "({} {} {})", ExprText(left), op.symbol(), ExprText(right))
            }
            ExprKind::Negate(x) => write!(f, "-{}", ExprText(x)),
            ExprKind::In { op, expr, list: items } => {
                write!(f, "{} {} (", ExprText(expr), op.symbol())?;
                list(f, items, |f, a| write!(f, "{}", ExprText(a)))?;
                f.write_str(")")
            }
            ExprKind::InQuery { op, expr, .. } => {
                write!(f, "{} {} (<subquery>)", ExprText(expr), op.symbol())
            }
            ExprKind::Between { negated, expr, low, high } => write!(
                f,
                "{} {}between ({} .. {})",
                ExprText(expr),
                if *negated { "!" } else { "" },
                ExprText(low),
                ExprText(high)
            ),
            ExprKind::Index { target, index } => {
                write!(f, "{}[{}]", ExprText(target), ExprText(index))
            }
            ExprKind::Member { target, name } => write!(f, "{}.{name}", ExprText(target)),
            ExprKind::ScalarQuery(_) => f.write_str("toscalar(<subquery>)"),
            ExprKind::Error => f.write_str("<error>"),
        }
    }
}
