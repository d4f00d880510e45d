//! The logical plan: what the binder produces and the executor runs.
//!
//! Every [`Plan`] node carries its output [`Schema`]. Column references are
//! by name (Kusto column names are unique within a table), so rewrites such
//! as projection pushdown need no re-indexing.

use crate::functions::FunctionDef;
use crate::schema::Schema;
use crate::types::Type;
use kql_syntax::Span;
use kql_syntax::ast::{BinaryOp, InOp, JoinKind, LookupKind};
use kql_types::Value;

/// A bound scalar expression with its type.
#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    /// Where it came from in the query text (for runtime errors).
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Column(String),
    Literal(Value),
    /// A query parameter known only by type (`check` without values).
    Parameter(String),
    Call {
        function: &'static FunctionDef,
        args: Vec<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Negate(Box<Expr>),
    /// `x in (a, b)` and friends with scalar list items.
    In {
        op: InOp,
        expr: Box<Expr>,
        list: Vec<Expr>,
    },
    /// `x in (T | project c)`: membership in a one-column table.
    InQuery {
        op: InOp,
        expr: Box<Expr>,
        query: Box<Plan>,
    },
    Between {
        negated: bool,
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    /// `d[i]` on a dynamic value.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `d.name` on a dynamic value.
    Member {
        target: Box<Expr>,
        name: String,
    },
    /// `toscalar(T | …)`: the first column of the first row.
    ScalarQuery(Box<Plan>),
    /// Something that failed to bind (its error was reported). Never present
    /// in a plan returned without errors.
    Error,
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Type, span: Span) -> Self {
        Expr { kind, ty, span }
    }

    pub fn error(span: Span) -> Self {
        Expr { kind: ExprKind::Error, ty: Type::Unknown, span }
    }

    pub fn is_error(&self) -> bool {
        matches!(self.kind, ExprKind::Error)
    }

    /// The constant value, if this is a literal.
    pub fn as_literal(&self) -> Option<&Value> {
        match &self.kind {
            ExprKind::Literal(v) => Some(v),
            _ => None,
        }
    }
}

/// A plan node and its output schema.
#[derive(Clone, Debug)]
pub struct Plan {
    pub node: Node,
    pub schema: Schema,
}

/// Sort direction and null placement, resolved to Kusto's defaults.
#[derive(Clone, Debug)]
pub struct SortKey {
    pub expr: Expr,
    pub descending: bool,
    pub nulls_first: bool,
}

/// One aggregation of a `summarize`: its outputs are usually one column
/// (`count_`), several for `arg_max(T, *)`.
#[derive(Clone, Debug)]
pub struct Aggregate {
    pub function: &'static FunctionDef,
    pub args: Vec<Expr>,
    pub outputs: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedId(pub usize);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// One output column of a join or lookup: which side and column it comes
/// from, and its (possibly renamed) output name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinOutput {
    pub side: Side,
    pub column: String,
    pub name: String,
}

#[derive(Clone, Debug)]
pub enum Node {
    /// All columns of a table (the executor reads only those the plan needs).
    Scan {
        table: String,
    },
    /// A tabular `let` evaluated once however often it is used.
    Shared {
        id: SharedId,
        name: String,
    },
    Filter {
        input: Box<Plan>,
        predicate: Expr,
    },
    /// Exactly these columns, in this order (project, extend, project-away,
    /// project-keep and project-rename all become this).
    Project {
        input: Box<Plan>,
        columns: Vec<(String, Expr)>,
    },
    /// Unique rows over all input columns.
    Distinct {
        input: Box<Plan>,
    },
    /// Expands the named dynamic columns: one row per array element.
    MvExpand {
        input: Box<Plan>,
        columns: Vec<String>,
        limit: Option<Expr>,
        /// `kind=array` (or `bagexpansion=array`): a property bag expands
        /// into `[key, value]` arrays rather than one-property bags.
        bag_as_array: bool,
        /// `with_itemindex=Name`: a long column, last, holding each
        /// element's 0-based position in its array or bag.
        item_index: Option<String>,
    },
    /// `mv-apply`: `expand` is an [`Node::MvExpand`] whose input is the
    /// operator's input. Each input row is expanded alone; `sub` runs over
    /// that row's expanded rows, reading their `items` columns (all of the
    /// expansion's: items, index and the row's other columns) through a
    /// scan of [`MV_APPLY_TABLE`]; each row `sub` outputs gets the input
    /// row's `keep` columns (those not expanded) in front (the mv-apply
    /// page's four steps).
    MvApply {
        expand: Box<Plan>,
        items: Vec<String>,
        keep: Vec<String>,
        sub: Box<Plan>,
    },
    /// Output columns as listed in `output` (left then right in Kusto's
    /// order, right duplicates renamed `DestIp1`; one side for semi/anti joins).
    Join {
        left: Box<Plan>,
        right: Box<Plan>,
        kind: JoinKind,
        on: Vec<(String, String)>,
        output: Vec<JoinOutput>,
    },
    /// Like a join, but every left row is kept once per matching right row
    /// (or once with nulls for `leftouter`), and the right keys are not output.
    Lookup {
        left: Box<Plan>,
        right: Box<Plan>,
        kind: LookupKind,
        on: Vec<(String, String)>,
        output: Vec<JoinOutput>,
    },
    /// Outer union: every input's columns map by name into the output schema.
    Union {
        inputs: Vec<Plan>,
    },
    /// Output: the `by` keys, then the aggregates' outputs.
    Summarize {
        input: Box<Plan>,
        keys: Vec<(String, Expr)>,
        aggregates: Vec<Aggregate>,
    },
    /// `make-series` over a `Summarize` by `keys`, then the axis bin
    /// (column `axis`), then one column per series: one row per key with
    /// each series, then the axis, as dynamic arrays over the bins
    /// `from + k * step` in `[from, to)` (without them, from the first
    /// to the last bin of the input); absent bins hold the default (0).
    /// `nonempty` (`kind=nonempty`): an empty input still gives one row,
    /// its keys null and every bin the default.
    MakeSeries {
        input: Box<Plan>,
        keys: Vec<String>,
        axis: String,
        series: Vec<(String, Option<Expr>)>,
        from: Option<Expr>,
        to: Option<Expr>,
        step: Expr,
        nonempty: bool,
    },
    Sort {
        input: Box<Plan>,
        keys: Vec<SortKey>,
    },
    Top {
        input: Box<Plan>,
        count: Expr,
        key: SortKey,
    },
    Take {
        input: Box<Plan>,
        count: Expr,
    },
    /// One row, one column `Count`.
    Count {
        input: Box<Plan>,
    },
    /// One row of computed values.
    Print {
        columns: Vec<(String, Expr)>,
    },
    /// `range`: one column of `from`, `from + step`, … up to `to` inclusive.
    Range {
        column: String,
        from: Expr,
        to: Expr,
        step: Expr,
    },
    /// Exactly these columns, computed over the whole input as one ordered
    /// row set: `serialize`, and `extend`/`project`/`where` whose expressions
    /// call window functions (`row_number()`, `prev()`, `row_cumsum()`, …).
    /// Its output is serialized (see `binder/window.rs`).
    Window {
        input: Box<Plan>,
        columns: Vec<(String, Expr)>,
    },
    /// `sample N`: N rows of the input (all of them if fewer), chosen at random.
    Sample {
        input: Box<Plan>,
        count: Expr,
    },
    /// `top-nested`: per level, the input rows of each group kept by the
    /// levels before are grouped by the level's key, and the `count` groups
    /// with the highest (lowest for `asc`) aggregate are kept; output: the
    /// key and the aggregate of every level. See `kql-exec`'s `top_nested`.
    TopNested {
        input: Box<Plan>,
        levels: Vec<TopNestedLevel>,
    },
    /// `evaluate bag_unpack(Column, …)` whose output columns depend on the
    /// data (no output schema given): its schema is open. It does not run;
    /// discovery (`kql_exec::unpacked_columns`) reads `input` for the
    /// properties of `column` and the query is bound again with them (it
    /// then becomes a `Project`). See `binder/evaluate.rs`.
    BagUnpack {
        input: Box<Plan>,
        column: String,
        /// The plugin call.
        span: Span,
    },
    /// `evaluate pivot(Column, …)` whose output columns depend on the data
    /// (no output schema given): its schema is open (the group columns, then
    /// any name). Like [`Node::BagUnpack`] it does not run: discovery
    /// (`kql_exec::unpacked_columns`) reads `input` for the distinct values
    /// of `column` and the query is bound again with them (it then becomes
    /// a `Summarize`). See `binder/pivot.rs`.
    Pivot {
        input: Box<Plan>,
        column: String,
        /// The plugin call.
        span: Span,
    },
    /// `evaluate ipv4_lookup(…)`: every `left` row once per `right` row
    /// whose IPv4 range (`key`, IP-prefix notation) holds the left row's
    /// `source` address and whose `extra` key columns equal the left row's
    /// (`(left column, right column)`); with `unmatched`, a left row
    /// without such a row once with empty right columns. Output columns
    /// as listed in `output` (the left's, then the right's but the extra
    /// keys). See `kql-exec`'s `join/ipv4.rs`.
    Ipv4Lookup {
        left: Box<Plan>,
        right: Box<Plan>,
        source: String,
        key: String,
        extra: Vec<(String, String)>,
        unmatched: bool,
        output: Vec<JoinOutput>,
    },
    /// Literal rows.
    Datatable {
        rows: Vec<Vec<Value>>,
    },
    /// `render`: the input unchanged; the visualization and its properties
    /// (`with (title="…", kind=stacked, ycolumns=a)`) travel with the result
    /// to the chart writers.
    Render {
        input: Box<Plan>,
        visualization: String,
        /// Property names (lower case) and values as text: a string
        /// literal's value, a name, or a number or bool's text.
        properties: Vec<(String, String)>,
    },
}

/// The table an `mv-apply` sub-query scans: the current row's expanded
/// items. Not a valid table name, so never a user's table.
pub const MV_APPLY_TABLE: &str = "$mv-apply-items";

/// One clause of `top-nested`.
#[derive(Clone, Debug)]
pub struct TopNestedLevel {
    /// The key, over the input row, and its output column.
    pub key: Expr,
    pub key_name: String,
    /// The aggregate's output column.
    pub aggregate_name: String,
    /// How many groups to keep per group of the level above (all if `None`).
    pub count: Option<Expr>,
    /// `with others = Value`.
    pub others: Option<Value>,
    pub descending: bool,
    /// The aggregation per group: a `Summarize` over a scan of
    /// [`TOP_NESTED_TABLE`] (the input's columns and [`TOP_NESTED_GROUP`])
    /// by [`TOP_NESTED_GROUP`], with one more column [`TOP_NESTED_VALUE`].
    pub aggregate: Box<Plan>,
}

/// The table a `top-nested` aggregation scans: the rows being grouped.
pub const TOP_NESTED_TABLE: &str = "$top-nested-rows";
/// The group number column of [`TOP_NESTED_TABLE`].
pub const TOP_NESTED_GROUP: &str = "$group";
/// The aggregate's column in a `top-nested` aggregation's output.
pub const TOP_NESTED_VALUE: &str = "$value";

/// A tabular `let` the program shares between uses.
#[derive(Clone, Debug)]
pub struct SharedPlan {
    pub name: String,
    pub plan: Plan,
}

/// A bound script: the shared `let` tables and one plan per tabular statement.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub shared: Vec<SharedPlan>,
    pub results: Vec<Plan>,
}

impl Program {
    /// Every plan: the results', then the shared `let`s' (for rewrites).
    pub fn plans_mut(&mut self) -> impl Iterator<Item = &mut Plan> {
        self.results.iter_mut().chain(self.shared.iter_mut().map(|s| &mut s.plan))
    }

    /// How many times each shared `let` is referred to, in the results, in
    /// other shared plans and in sub-queries (each reference runs it once).
    pub fn shared_uses(&self) -> Vec<usize> {
        let mut uses = vec![0; self.shared.len()];
        let mut stack: Vec<&Plan> = self.results.iter().chain(self.shared.iter().map(|s| &s.plan)).collect();
        while let Some(p) = stack.pop() {
            if let Node::Shared { id, .. } = &p.node
                && let Some(u) = uses.get_mut(id.0)
            {
                *u += 1;
            }
            stack.extend(p.inputs());
            for e in p.exprs() {
                let mut subs = Vec::new();
                e.subqueries(&mut subs);
                stack.extend(subs);
            }
        }
        uses
    }
}

impl Plan {
    /// The plans this node reads from (not counting shared lets it refers to).
    pub fn inputs(&self) -> Vec<&Plan> {
        match &self.node {
            Node::Scan { .. }
            | Node::Shared { .. }
            | Node::Print { .. }
            | Node::Datatable { .. }
            | Node::Range { .. } => Vec::new(),
            Node::Filter { input, .. }
            | Node::Project { input, .. }
            | Node::Distinct { input }
            | Node::MvExpand { input, .. }
            | Node::Summarize { input, .. }
            | Node::MakeSeries { input, .. }
            | Node::Sort { input, .. }
            | Node::Top { input, .. }
            | Node::Take { input, .. }
            | Node::Count { input }
            | Node::Window { input, .. }
            | Node::Sample { input, .. }
            | Node::BagUnpack { input, .. }
            | Node::Pivot { input, .. }
            | Node::Render { input, .. } => vec![input],
            Node::Join { left, right, .. }
            | Node::Lookup { left, right, .. }
            | Node::Ipv4Lookup { left, right, .. } => {
                vec![left, right]
            }
            Node::MvApply { expand, sub, .. } => vec![expand, sub],
            Node::TopNested { input, levels } => {
                std::iter::once(&**input).chain(levels.iter().map(|l| &*l.aggregate)).collect()
            }
            Node::Union { inputs } => inputs.iter().collect(),
        }
    }

    /// [`Plan::inputs`], mutable (for rewrites).
    pub fn inputs_mut(&mut self) -> Vec<&mut Plan> {
        match &mut self.node {
            Node::Scan { .. }
            | Node::Shared { .. }
            | Node::Print { .. }
            | Node::Datatable { .. }
            | Node::Range { .. } => Vec::new(),
            Node::Filter { input, .. }
            | Node::Project { input, .. }
            | Node::Distinct { input }
            | Node::MvExpand { input, .. }
            | Node::Summarize { input, .. }
            | Node::MakeSeries { input, .. }
            | Node::Sort { input, .. }
            | Node::Top { input, .. }
            | Node::Take { input, .. }
            | Node::Count { input }
            | Node::Window { input, .. }
            | Node::Sample { input, .. }
            | Node::BagUnpack { input, .. }
            | Node::Pivot { input, .. }
            | Node::Render { input, .. } => vec![input],
            Node::Join { left, right, .. }
            | Node::Lookup { left, right, .. }
            | Node::Ipv4Lookup { left, right, .. } => {
                vec![left, right]
            }
            Node::MvApply { expand, sub, .. } => vec![expand, sub],
            Node::TopNested { input, levels } => {
                std::iter::once(&mut **input).chain(levels.iter_mut().map(|l| &mut *l.aggregate)).collect()
            }
            Node::Union { inputs } => inputs.iter_mut().collect(),
        }
    }
}

impl Plan {
    /// The scalar expressions of this node (not of its inputs).
    pub fn exprs(&self) -> Vec<&Expr> {
        match &self.node {
            Node::Filter { predicate, .. } => vec![predicate],
            Node::Project { columns, .. } | Node::Print { columns } | Node::Window { columns, .. } => {
                columns.iter().map(|(_, e)| e).collect()
            }
            Node::Sample { count, .. } => vec![count],
            Node::MvExpand { limit, .. } => limit.iter().collect(),
            Node::Summarize { keys, aggregates, .. } => {
                keys.iter().map(|(_, e)| e).chain(aggregates.iter().flat_map(|a| &a.args)).collect()
            }
            Node::Sort { keys, .. } => keys.iter().map(|k| &k.expr).collect(),
            Node::MakeSeries { series, from, to, step, .. } => series
                .iter()
                .filter_map(|(_, d)| d.as_ref())
                .chain(from.iter())
                .chain(to.iter())
                .chain(std::iter::once(step))
                .collect(),
            Node::Top { count, key, .. } => vec![count, &key.expr],
            Node::TopNested { levels, .. } => {
                levels.iter().flat_map(|l| std::iter::once(&l.key).chain(l.count.iter())).collect()
            }
            Node::Take { count, .. } => vec![count],
            Node::Range { from, to, step, .. } => vec![from, to, step],
            Node::Scan { .. }
            | Node::Shared { .. }
            | Node::Distinct { .. }
            | Node::Join { .. }
            | Node::Lookup { .. }
            | Node::Union { .. }
            | Node::Count { .. }
            | Node::Datatable { .. }
            | Node::MvApply { .. }
            | Node::BagUnpack { .. }
            | Node::Pivot { .. }
            | Node::Ipv4Lookup { .. }
            | Node::Render { .. } => Vec::new(),
        }
    }
}

impl Expr {
    /// How deeply the expression nests (a literal is 1).
    pub fn depth(&self) -> usize {
        1 + self.children().iter().map(|c| c.depth()).max().unwrap_or(0)
    }

    /// How many expression nodes it has.
    pub fn size(&self) -> usize {
        1 + self.children().iter().map(|c| c.size()).sum::<usize>()
    }

    /// The expression's operands (not sub-query plans: see [`Expr::subqueries`]).
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Call { args, .. } => args.iter().collect(),
            ExprKind::Binary { left, right, .. } => vec![left, right],
            ExprKind::Negate(x) | ExprKind::Member { target: x, .. } | ExprKind::InQuery { expr: x, .. } => vec![x],
            ExprKind::In { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            ExprKind::Between { expr, low, high, .. } => vec![expr, low, high],
            ExprKind::Index { target, index } => vec![target, index],
            ExprKind::Column(_)
            | ExprKind::Literal(_)
            | ExprKind::Parameter(_)
            | ExprKind::ScalarQuery(_)
            | ExprKind::Error => Vec::new(),
        }
    }

    /// [`Expr::children`], mutable, in the same order.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        match &mut self.kind {
            ExprKind::Call { args, .. } => args.iter_mut().collect(),
            ExprKind::Binary { left, right, .. } => vec![left, right],
            ExprKind::Negate(x) | ExprKind::Member { target: x, .. } | ExprKind::InQuery { expr: x, .. } => vec![x],
            ExprKind::In { expr, list, .. } => std::iter::once(&mut **expr).chain(list).collect(),
            ExprKind::Between { expr, low, high, .. } => vec![expr, low, high],
            ExprKind::Index { target, index } => vec![target, index],
            ExprKind::Column(_)
            | ExprKind::Literal(_)
            | ExprKind::Parameter(_)
            | ExprKind::ScalarQuery(_)
            | ExprKind::Error => Vec::new(),
        }
    }

    /// Calls `f` on the expression and every expression inside it, each
    /// node before its [`Expr::children`] (sub-query plans are not entered).
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        for c in self.children() {
            c.walk(f);
        }
    }

    /// [`Expr::walk`] with mutable access: `f` sees each node before its
    /// children (as they are after `f` changed it).
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        f(self);
        for c in self.children_mut() {
            c.walk_mut(f);
        }
    }

    /// True if `f` holds for the expression or any expression inside it.
    pub fn any(&self, f: &impl Fn(&Expr) -> bool) -> bool {
        f(self) || self.children().into_iter().any(|c| c.any(f))
    }

    /// The sub-query plans inside the expression (`toscalar(…)`, `in (…)`).
    pub fn subqueries<'a>(&'a self, out: &mut Vec<&'a Plan>) {
        match &self.kind {
            ExprKind::ScalarQuery(p) => out.push(p),
            ExprKind::InQuery { query, .. } => out.push(query),
            _ => {}
        }
        for c in self.children() {
            c.subqueries(out);
        }
    }
}

/// The deepest chain of nested plans the executor goes through to run
/// `plan` (it recurses once per level): every node is a level, a sub-query
/// in a node's expressions is one level below it, and a shared `let` adds
/// the depth of its own plan, `shared[id]`. Computed without recursion over
/// the plan, however deep it is.
pub fn plan_depth(plan: &Plan, shared: &[usize]) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&Plan, usize)> = vec![(plan, 1)];
    while let Some((p, d)) = stack.pop() {
        deepest = deepest.max(d);
        if let Node::Shared { id, .. } = &p.node {
            deepest = deepest.max(d + shared.get(id.0).copied().unwrap_or(0));
        }
        stack.extend(p.inputs().into_iter().map(|c| (c, d + 1)));
        let mut subs = Vec::new();
        for e in p.exprs() {
            e.subqueries(&mut subs);
        }
        stack.extend(subs.into_iter().map(|c| (c, d + 1)));
    }
    deepest
}
