//! The abstract syntax tree of a KQL script.
//!
//! Every node carries the byte [`Span`] of the text it was parsed from. The
//! tree is purely syntactic: names are not resolved and tabular and scalar
//! expressions share [`Expr`] (as in Kusto's own grammar, `let X = T;` is
//! tabular or scalar depending on what `T` names). The binder in `kql-plan`
//! decides.
//!
//! `Display` (in `display.rs`) prints a canonical form that parses back to an
//! equal tree (spans aside).

use crate::span::Span;
use crate::types::ScalarType;
use serde::Serialize;

// What `dynamic(…)` holds: a value type, at home in kql-types.
pub use kql_types::DynValue;
use kql_types::Value;

/// A name as written: plain `Name` or bracketed `['Name with spaces']`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl Ident {
    pub fn new(name: impl Into<String>, span: Span) -> Self {
        Ident { name: name.into(), span }
    }
}

/// A whole query text: `;`-separated statements, the last tabular one being the result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Script {
    pub statements: Vec<Statement>,
    /// Azure Workbook placeholders (`{timeInterval:startISO}`) found inside string literals.
    pub placeholders: Vec<Placeholder>,
    pub span: Span,
}

impl Script {
    /// The tabular expression statements (queries) in order.
    pub fn queries(&self) -> impl Iterator<Item = &Query> {
        self.statements.iter().filter_map(|s| match &s.kind {
            StatementKind::Query(q) => Some(q),
            _ => None,
        })
    }

    /// The parameters of its `declare query_parameters(…)` statements, in order.
    pub fn declared_parameters(&self) -> impl Iterator<Item = &QueryParameter> {
        self.statements
            .iter()
            .filter_map(|s| match &s.kind {
                StatementKind::DeclareQueryParameters(ps) => Some(ps),
                _ => None,
            })
            .flatten()
    }
}

/// `{name}` or `{name:format}` inside a string literal: text an Azure Workbook
/// substitutes before the query runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Placeholder {
    /// The text between the braces, e.g. `timeInterval:startISO`.
    pub name: String,
    /// The span of the whole `{…}`.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum StatementKind {
    /// `let Name = expr` (tabular or scalar).
    Let(Let),
    /// `declare query_parameters(name:type [= default], …)`.
    #[serde(serialize_with = "serialize_parameters")]
    DeclareQueryParameters(Vec<QueryParameter>),
    /// A tabular expression statement.
    Query(Query),
    /// A statement that did not parse; its diagnostics were reported. Keeps the
    /// name of a `let` so later references to it are not reported again.
    Error { let_name: Option<Ident> },
}

/// An internally tagged enum (`{"type": …}`) cannot hold a bare list: these
/// write the list of a newtype variant as one named field instead.
fn serialize_list_field<T: Serialize, S: serde::Serializer>(
    field: &'static str,
    items: &[T],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("List", 1)?;
    st.serialize_field(field, items)?;
    st.end()
}

fn serialize_parameters<S: serde::Serializer>(items: &[QueryParameter], s: S) -> Result<S::Ok, S::Error> {
    serialize_list_field("parameters", items, s)
}

fn serialize_columns<S: serde::Serializer>(items: &[NamedExpr], s: S) -> Result<S::Ok, S::Error> {
    serialize_list_field("columns", items, s)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Let {
    pub name: Ident,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueryParameter {
    pub name: Ident,
    pub ty: TypeRef,
    pub default: Option<Expr>,
}

/// A type name in the text (`datetime`, `long`, …).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeRef {
    pub ty: ScalarType,
    pub span: Span,
}

/// A tabular expression: a source followed by `| operator`s.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Query {
    pub source: Source,
    pub operators: Vec<Operator>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    pub kind: SourceKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum SourceKind {
    /// A table or `let` name, a parenthesised tabular expression, …
    Expr(Expr),
    /// `union T1, T2, …` at the start of a query.
    Union(Union),
    /// `print a = 1, b = "x"`.
    #[serde(serialize_with = "serialize_columns")]
    Print(Vec<NamedExpr>),
    /// `datatable(a:long, b:string) [1, "x", 2, "y"]`.
    Datatable(Datatable),
    /// `range Column from Start to Stop step Step`.
    Range(Box<RangeSource>),
    /// `search [kind=…] [in (T, …)] Predicate` at the start of a query.
    Search(Search),
}

/// `search [kind=case_sensitive|case_insensitive|default] [in (T, …)] Predicate`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Search {
    pub params: Vec<OperatorParam>,
    /// `in (T1, T2)`: the tables searched (only where `search` starts a query).
    pub tables: Option<Vec<Expr>>,
    /// A predicate in which a string literal standing as a condition is a
    /// term searched in every column.
    pub predicate: Expr,
}

/// `range Column from Start to Stop step Step` (Stop included).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RangeSource {
    pub column: Ident,
    pub from: Expr,
    pub to: Expr,
    pub step: Expr,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Datatable {
    pub columns: Vec<ColumnDecl>,
    pub values: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnDecl {
    pub name: Ident,
    pub ty: TypeRef,
}

/// One `| operator` of a query.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Operator {
    pub kind: OperatorKind,
    /// The whole operator, from its keyword to its last token.
    pub span: Span,
    /// The operator keyword (`where`, `project-away`, …).
    pub keyword: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum OperatorKind {
    /// `where` / `filter`.
    Where {
        predicate: Expr,
    },
    Project {
        columns: Vec<NamedExpr>,
    },
    ProjectAway {
        columns: Vec<ColumnPattern>,
    },
    ProjectKeep {
        columns: Vec<ColumnPattern>,
    },
    /// `project-reorder Column [asc|desc|granny-asc|granny-desc], …`.
    ProjectReorder {
        columns: Vec<ReorderItem>,
    },
    ProjectRename {
        renames: Vec<Rename>,
    },
    Extend {
        columns: Vec<NamedExpr>,
    },
    Distinct {
        columns: DistinctColumns,
    },
    MvExpand(MvExpand),
    Lookup(Lookup),
    Join(Join),
    Union(Union),
    Summarize(Summarize),
    Top(Top),
    /// `take` / `limit`.
    Take {
        count: Expr,
    },
    /// `sort by` / `order by`.
    Sort {
        keys: Vec<SortKey>,
    },
    Count,
    /// `getschema`: the input's columns as rows.
    GetSchema,
    Render(Render),
    /// `parse` / `parse-where`.
    Parse(Parse),
    /// `invoke f(args)`: `f` called with the input as its first (tabular) argument.
    /// `call` is an [`ExprKind::Call`].
    Invoke {
        call: Expr,
    },
    MakeSeries(MakeSeries),
    /// `T | search …`.
    Search(Search),
    MvApply(MvApply),
    /// `serialize [Name = Expr, …]`: marks the rows as ordered for window
    /// functions, with columns added as by `extend`.
    Serialize {
        columns: Vec<NamedExpr>,
    },
    /// `sample N`: N random rows.
    Sample {
        count: Expr,
    },
    /// `sample-distinct N of Column`: N random distinct values of a column.
    /// Microsoft's parser takes any expression after `of`, so the tree keeps
    /// one (the binder says what it supports).
    SampleDistinct {
        count: Expr,
        column: Expr,
    },
    /// `top-hitters N of Column [by Summing]`: the N values of the column
    /// with the most rows (or the largest sum of `by`).
    TopHitters {
        count: Expr,
        of: Expr,
        by: Option<Expr>,
    },
    /// `as [hint.materialized=true] Name`: names the input for later references.
    As {
        params: Vec<OperatorParam>,
        name: Ident,
    },
    /// `top-nested …, top-nested …`: one level per clause.
    TopNested {
        levels: Vec<TopNestedLevel>,
    },
    /// `evaluate [params] Plugin(Arguments) [: (OutputSchema)]`.
    Evaluate(Evaluate),
    /// An operator that did not parse (diagnostics were reported), or one
    /// that Kusto has but ntaq does not implement. Its output schema is unknown.
    Error,
}

/// `make-series [params] [Col =] Agg [default = v], … on Axis
/// [from start] [to end] step step [by [Col =] Expr, …]`, or with
/// `in range(start, end, step)` after the axis column.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MakeSeries {
    pub params: Vec<OperatorParam>,
    pub aggregates: Vec<SeriesAggregate>,
    pub axis: Ident,
    pub from: Option<Expr>,
    pub to: Option<Expr>,
    pub step: Expr,
    /// Written as `in range(from, to, step)`.
    pub in_range: bool,
    pub by: Vec<NamedExpr>,
}

/// One clause of `top-nested`: `[N] of [Name =] Expr [with others = ConstExpr]
/// by [Name =] Aggregation [asc|desc]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopNestedLevel {
    /// N: how many values to keep (all when absent).
    pub count: Option<Expr>,
    pub expr: NamedExpr,
    /// `with others = ConstExpr`.
    pub others: Option<Expr>,
    pub aggregate: NamedExpr,
    pub order: Option<SortOrder>,
    pub span: Span,
}

/// `evaluate [hint.…=…] Plugin(Arguments) [: (Column:type, …)]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluate {
    pub params: Vec<OperatorParam>,
    pub plugin: Ident,
    pub args: Vec<Expr>,
    /// The OutputSchema after `:`; `(*, Col:type)` keeps the input's columns (`star`).
    pub schema: Option<OutputSchema>,
}

/// `(Column:type, …)` or `(*, Column:type, …)` after an `evaluate` plugin call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutputSchema {
    pub star: bool,
    pub columns: Vec<ColumnDecl>,
    pub span: Span,
}

/// A column or pattern of `project-reorder`, with how its matches are ordered.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReorderItem {
    pub pattern: ColumnPattern,
    /// `asc`, `desc`, `granny-asc` or `granny-desc`, as written.
    pub order: Option<Ident>,
}

/// One aggregation of `make-series` with its fill value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesAggregate {
    pub aggregate: NamedExpr,
    pub default: Option<Expr>,
}

/// `parse [kind=simple|regex|relaxed [flags=F]] Expr with Pattern…`, and
/// `parse-where` (which keeps only the rows the pattern matches).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parse {
    pub kind: ParseKind,
    /// `flags=` of `kind=regex` (`U`, `i`, `m`, `s`).
    pub flags: Option<String>,
    pub expr: Expr,
    pub pattern: Vec<ParseItem>,
    pub filter: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ParseKind {
    Simple,
    Regex,
    Relaxed,
}

/// One element of a `parse` pattern.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ParseItem {
    /// `*`: skip any text.
    Star(Span),
    /// A string constant to find (a regular expression with `kind=regex`).
    Text { text: String, span: Span },
    /// `Name[:type]`: a column to extract (string when no type is given).
    Column { name: Ident, ty: Option<TypeRef> },
}

/// `name = expr` or just `expr` (the name is then derived, as Kusto does).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedExpr {
    pub name: Option<Ident>,
    /// `(a, b, c) = f(…)` in `project`, `extend` and `print`: `name` is
    /// `a`, these are `b` and `c` (the columns of a function with several
    /// results, in order).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more_names: Vec<Ident>,
    pub expr: Expr,
    pub span: Span,
}

/// A column name or wildcard pattern such as `Flow*` in `project-away`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnPattern {
    pub pattern: String,
    pub span: Span,
}

impl ColumnPattern {
    pub fn is_wildcard(&self) -> bool {
        self.pattern.contains('*')
    }
}

/// `NewName = OldName` in `project-rename`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rename {
    pub new_name: Ident,
    pub old_name: Ident,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum DistinctColumns {
    /// `distinct *`.
    All {
        span: Span,
    },
    Columns {
        columns: Vec<NamedExpr>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MvExpand {
    pub params: Vec<OperatorParam>,
    pub items: Vec<MvExpandItem>,
    /// `limit N`.
    pub limit: Option<Expr>,
}

/// `mv-apply [with_itemindex=I] Item, … [limit N] on (Operators)`: the
/// operators run over each input row's expanded items.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MvApply {
    pub params: Vec<OperatorParam>,
    pub items: Vec<MvExpandItem>,
    /// `limit N`.
    pub limit: Option<Expr>,
    /// The sub-query: operators, the first without a `|`.
    pub subquery: Vec<Operator>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MvExpandItem {
    pub name: Option<Ident>,
    pub expr: Expr,
    /// `to typeof(T)`.
    pub to_type: Option<TypeRef>,
    pub span: Span,
}

/// `name=value` before an operator's arguments (`kind=inner`, `hint.strategy=broadcast`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperatorParam {
    pub name: Ident,
    pub value: ParamValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value")]
pub enum ParamValue {
    /// A bare word (`inner`, `broadcast`).
    Word(Ident),
    Literal(Literal),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LookupKind {
    LeftOuter,
    Inner,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lookup {
    pub kind: Option<(LookupKind, Span)>,
    pub params: Vec<OperatorParam>,
    pub right: Box<Expr>,
    pub on: Vec<JoinCondition>,
}

/// Kusto join flavours. The default (no `kind=`) is `innerunique`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JoinKind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftSemi,
    LeftAnti,
    RightSemi,
    RightAnti,
}

impl JoinKind {
    /// Parses a `kind=` value, including the aliases Kusto accepts
    /// (`anti` and `leftantisemi` = `leftanti`, `rightantisemi` = `rightanti`;
    /// see `KustoFacts.JoinKinds` in Kusto.Language). `outer` is a `union`
    /// kind, not a join kind.
    pub fn from_name(name: &str) -> Option<JoinKind> {
        Some(match name {
            "innerunique" => JoinKind::InnerUnique,
            "inner" => JoinKind::Inner,
            "leftouter" => JoinKind::LeftOuter,
            "rightouter" => JoinKind::RightOuter,
            "fullouter" => JoinKind::FullOuter,
            "leftsemi" => JoinKind::LeftSemi,
            "leftanti" | "anti" | "leftantisemi" => JoinKind::LeftAnti,
            "rightsemi" => JoinKind::RightSemi,
            "rightanti" | "rightantisemi" => JoinKind::RightAnti,
            _ => return None,
        })
    }

    pub const fn name(self) -> &'static str {
        match self {
            JoinKind::InnerUnique => "innerunique",
            JoinKind::Inner => "inner",
            JoinKind::LeftOuter => "leftouter",
            JoinKind::RightOuter => "rightouter",
            JoinKind::FullOuter => "fullouter",
            JoinKind::LeftSemi => "leftsemi",
            JoinKind::LeftAnti => "leftanti",
            JoinKind::RightSemi => "rightsemi",
            JoinKind::RightAnti => "rightanti",
        }
    }

    pub const NAMES: [&'static str; 9] = [
        "innerunique",
        "inner",
        "leftouter",
        "rightouter",
        "fullouter",
        "leftsemi",
        "leftanti",
        "rightsemi",
        "rightanti",
    ];
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Join {
    pub kind: Option<(JoinKind, Span)>,
    pub params: Vec<OperatorParam>,
    pub right: Box<Expr>,
    pub on: Vec<JoinCondition>,
}

/// One `on` condition of a join or lookup.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum JoinCondition {
    /// `on Col`: the same column name on both sides.
    Column { name: Ident },
    /// `$left.A == $right.B` (written in either order; stored left first).
    Equal { left: Ident, right: Ident, span: Span },
}

impl JoinCondition {
    pub fn span(&self) -> Span {
        match self {
            JoinCondition::Column { name } => name.span,
            JoinCondition::Equal { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Union {
    pub params: Vec<OperatorParam>,
    pub tables: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summarize {
    pub params: Vec<OperatorParam>,
    pub aggregates: Vec<NamedExpr>,
    pub by: Vec<NamedExpr>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Top {
    pub count: Expr,
    pub key: SortKey,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NullsOrder {
    First,
    Last,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SortKey {
    pub expr: Expr,
    pub order: Option<SortOrder>,
    pub nulls: Option<NullsOrder>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Render {
    pub visualization: Ident,
    /// `with (title="…", …)`.
    pub properties: Vec<(Ident, Expr)>,
}

/// A scalar or tabular expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// The expression without any enclosing parentheses.
    pub fn unparen(&self) -> &Expr {
        let mut e = self;
        while let ExprKind::Paren(inner) = &e.kind {
            e = inner;
        }
        e
    }

    /// The name if this is a plain (possibly parenthesised) name reference.
    pub fn as_name(&self) -> Option<&Ident> {
        match &self.unparen().kind {
            ExprKind::Name(id) => Some(id),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum ExprKind {
    Literal(Literal),
    /// A column, `let` name, query parameter or table.
    Name(Ident),
    /// `f(a, b)`; `*` arguments appear as [`ExprKind::Star`].
    Call {
        function: Ident,
        args: Vec<Expr>,
    },
    /// `*` as a function argument (`arg_max(T, *)`).
    Star,
    /// `target[index]`.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `target.member`.
    Member {
        target: Box<Expr>,
        member: Ident,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `expr in (a, b)` and friends; the list may be one tabular expression.
    In {
        op: InOp,
        op_span: Span,
        expr: Box<Expr>,
        list: Vec<Expr>,
    },
    /// `expr between (low .. high)` / `!between`.
    Between {
        negated: bool,
        op_span: Span,
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    Paren(Box<Expr>),
    /// A tabular expression used as a value (`(T | where …)`, `let X = T | …`).
    Query(Box<Query>),
    /// `name = value` as a call argument (`f(b="z", a=1)`).
    NamedArg {
        name: Ident,
        value: Box<Expr>,
    },
    /// `Column:"term"` in a `search` predicate: the term looked for in one column.
    ColumnTerm {
        column: Ident,
        term: String,
    },
    /// A user-defined function, the value of `let f = (…) { … }` or
    /// `let V = view (…) { … }`.
    Function(Box<FunctionDef>),
}

/// `[view] (params) { [let …;]* body }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionDef {
    /// Declared with `view`.
    pub view: bool,
    pub params: Vec<FunctionParam>,
    /// The `let`s that open the body, in order.
    pub lets: Vec<Let>,
    /// The body's final expression: its value.
    pub body: Expr,
}

/// One parameter: `a:long`, `b:string = "d"`, `T:(Ip:string)`, `U:(*)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionParam {
    pub name: Ident,
    pub ty: ParamType,
    /// The default value of a scalar parameter.
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum ParamType {
    Scalar(TypeRef),
    /// A table: with the columns it must have, or `(*)` (`columns: None`) for any.
    Tabular {
        columns: Option<Vec<ColumnDecl>>,
        span: Span,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    Neg,
    Plus,
}

/// Binary operators in Kusto's precedence classes (see [`BinaryOp::precedence`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    /// `=~`
    EqCi,
    /// `!~`
    NotEqCi,
    Has,
    NotHas,
    HasCs,
    NotHasCs,
    HasPrefix,
    NotHasPrefix,
    HasPrefixCs,
    NotHasPrefixCs,
    HasSuffix,
    NotHasSuffix,
    HasSuffixCs,
    NotHasSuffixCs,
    Contains,
    NotContains,
    ContainsCs,
    NotContainsCs,
    StartsWith,
    NotStartsWith,
    StartsWithCs,
    NotStartsWithCs,
    EndsWith,
    NotEndsWith,
    EndsWithCs,
    NotEndsWithCs,
    MatchesRegex,
}

/// Precedence classes, loosest first, as in Kusto's own parser:
/// `or` < `and` < equality/`in`/`between` < relational < additive <
/// multiplicative < string operators < unary < postfix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precedence {
    Or,
    And,
    Equality,
    Relational,
    Additive,
    Multiplicative,
    StringOp,
}

impl BinaryOp {
    /// The operator as written in canonical form.
    pub const fn symbol(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "or",
            And => "and",
            Eq => "==",
            NotEq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            EqCi => "=~",
            NotEqCi => "!~",
            Has => "has",
            NotHas => "!has",
            HasCs => "has_cs",
            NotHasCs => "!has_cs",
            HasPrefix => "hasprefix",
            NotHasPrefix => "!hasprefix",
            HasPrefixCs => "hasprefix_cs",
            NotHasPrefixCs => "!hasprefix_cs",
            HasSuffix => "hassuffix",
            NotHasSuffix => "!hassuffix",
            HasSuffixCs => "hassuffix_cs",
            NotHasSuffixCs => "!hassuffix_cs",
            Contains => "contains",
            NotContains => "!contains",
            ContainsCs => "contains_cs",
            NotContainsCs => "!contains_cs",
            StartsWith => "startswith",
            NotStartsWith => "!startswith",
            StartsWithCs => "startswith_cs",
            NotStartsWithCs => "!startswith_cs",
            EndsWith => "endswith",
            NotEndsWith => "!endswith",
            EndsWithCs => "endswith_cs",
            NotEndsWithCs => "!endswith_cs",
            MatchesRegex => "matches regex",
        }
    }

    pub const fn precedence(self) -> Precedence {
        use BinaryOp::*;
        match self {
            Or => Precedence::Or,
            And => Precedence::And,
            Eq | NotEq => Precedence::Equality,
            Lt | Le | Gt | Ge => Precedence::Relational,
            Add | Sub => Precedence::Additive,
            Mul | Div | Mod => Precedence::Multiplicative,
            _ => Precedence::StringOp,
        }
    }

    /// True for the word and symbol operators that compare strings
    /// (`=~`, `has`, `contains`, …, `matches regex`).
    pub const fn is_string_op(self) -> bool {
        matches!(self.precedence(), Precedence::StringOp)
    }

    /// The word string operator spelt `word` (`has`, `!contains_cs`, …).
    /// `=~`, `!~` and `matches regex` are not words and are not returned.
    pub fn string_op_from_word(word: &str) -> Option<BinaryOp> {
        use BinaryOp::*;
        Some(match word {
            "has" => Has,
            "!has" => NotHas,
            "has_cs" => HasCs,
            "!has_cs" => NotHasCs,
            "hasprefix" => HasPrefix,
            "!hasprefix" => NotHasPrefix,
            "hasprefix_cs" => HasPrefixCs,
            "!hasprefix_cs" => NotHasPrefixCs,
            "hassuffix" => HasSuffix,
            "!hassuffix" => NotHasSuffix,
            "hassuffix_cs" => HasSuffixCs,
            "!hassuffix_cs" => NotHasSuffixCs,
            "contains" => Contains,
            "!contains" | "notcontains" => NotContains,
            "contains_cs" | "containscs" => ContainsCs,
            "!contains_cs" | "notcontainscs" => NotContainsCs,
            "startswith" => StartsWith,
            "!startswith" => NotStartsWith,
            "startswith_cs" => StartsWithCs,
            "!startswith_cs" => NotStartsWithCs,
            "endswith" => EndsWith,
            "!endswith" => NotEndsWith,
            "endswith_cs" => EndsWithCs,
            "!endswith_cs" => NotEndsWithCs,
            _ => return None,
        })
    }
}

/// `in`, `!in`, `in~`, `!in~`, `has_any`, `has_all`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum InOp {
    In,
    NotIn,
    InCi,
    NotInCi,
    HasAny,
    HasAll,
}

impl InOp {
    pub const fn symbol(self) -> &'static str {
        match self {
            InOp::In => "in",
            InOp::NotIn => "!in",
            InOp::InCi => "in~",
            InOp::NotInCi => "!in~",
            InOp::HasAny => "has_any",
            InOp::HasAll => "has_all",
        }
    }
}

/// A literal value as written in the text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value")]
pub enum Literal {
    /// `true`, `false`, `bool(null)`.
    Bool(Option<bool>),
    /// `int(5)`, `int(null)`.
    Int(Option<i32>),
    /// `42`, `0x2A`, `long(null)`.
    Long(Option<i64>),
    /// `1.5`, `1e3`, `real(nan)`, `real(null)`.
    Real(Option<f64>),
    /// `decimal(1.50)`: kept as text.
    Decimal(Option<String>),
    String(String),
    /// Nanoseconds since the Unix epoch (UTC), or null.
    DateTime(DateTimeLit),
    /// Nanoseconds, or null.
    Timespan(Option<i64>),
    /// `guid(…)`: canonical lower-case text, or null.
    Guid(Option<String>),
    /// `dynamic(…)`.
    Dynamic(DynValue),
}

impl Literal {
    /// The Kusto type of the literal.
    pub fn scalar_type(&self) -> ScalarType {
        match self {
            Literal::Bool(_) => ScalarType::Bool,
            Literal::Int(_) => ScalarType::Int,
            Literal::Long(_) => ScalarType::Long,
            Literal::Real(_) => ScalarType::Real,
            Literal::Decimal(_) => ScalarType::Decimal,
            Literal::String(_) => ScalarType::String,
            Literal::DateTime(_) => ScalarType::DateTime,
            Literal::Timespan(_) => ScalarType::Timespan,
            Literal::Guid(_) => ScalarType::Guid,
            Literal::Dynamic(_) => ScalarType::Dynamic,
        }
    }
}

impl Literal {
    /// The value of the literal; `None` for an unfilled workbook placeholder.
    pub fn value(&self) -> Option<Value> {
        Some(match self {
            Literal::Bool(v) => Value::Bool(*v),
            Literal::Int(v) => Value::Int(*v),
            Literal::Long(v) => Value::Long(*v),
            Literal::Real(v) => Value::Real(*v),
            Literal::Decimal(v) => Value::Decimal(v.clone()),
            Literal::String(s) => Value::String(s.clone()),
            Literal::DateTime(DateTimeLit::Value(v)) => Value::DateTime(Some(*v)),
            Literal::DateTime(DateTimeLit::Null) => Value::DateTime(None),
            Literal::DateTime(DateTimeLit::Placeholder(_)) => return None,
            Literal::Timespan(v) => Value::Timespan(*v),
            Literal::Guid(v) => Value::Guid(v.clone()),
            Literal::Dynamic(d) => Value::Dynamic(d.clone()),
        })
    }

    /// The literal of a value (for printing plans as KQL).
    pub fn of_value(v: &Value) -> Literal {
        match v {
            Value::Bool(v) => Literal::Bool(*v),
            Value::Int(v) => Literal::Int(*v),
            Value::Long(v) => Literal::Long(*v),
            Value::Real(v) => Literal::Real(*v),
            Value::Decimal(v) => Literal::Decimal(v.clone()),
            Value::String(s) => Literal::String(s.clone()),
            Value::DateTime(Some(v)) => Literal::DateTime(DateTimeLit::Value(*v)),
            Value::DateTime(None) => Literal::DateTime(DateTimeLit::Null),
            Value::Timespan(v) => Literal::Timespan(*v),
            Value::Guid(v) => Literal::Guid(v.clone()),
            Value::Dynamic(d) => Literal::Dynamic(d.clone()),
        }
    }
}

/// The value of a `datetime(…)` literal.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value")]
pub enum DateTimeLit {
    Null,
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    Value(i64),
    /// `datetime('{timeInterval:startISO}')`: an unfilled workbook placeholder.
    Placeholder(String),
}
