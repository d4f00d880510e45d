//! Semantic diagnostics: names, types, functions, unsupported features.
//! Codes are stable: tools match on them.

use kql_syntax::Span;
use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum SemanticError {
    #[error("unknown table `{name}`")]
    #[diagnostic(code(kql::semantic::unknown_table))]
    UnknownTable {
        name: String,
        #[label("not a table or tabular `let`")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("unknown column `{name}`")]
    #[diagnostic(code(kql::semantic::unknown_column))]
    UnknownColumn {
        name: String,
        #[label("no column `{name}` in {context}")]
        span: Span,
        /// Where the name was looked up ("the input", "the right side of the join", …).
        context: String,
        #[help]
        help: Option<String>,
    },

    #[error("unknown name `{name}`")]
    #[diagnostic(code(kql::semantic::unknown_name))]
    UnknownName {
        name: String,
        #[label("not a column, `let` name or query parameter")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("`{name}` is used before its `let` statement")]
    #[diagnostic(
        code(kql::semantic::let_before_definition),
        help("move the `let {name} = …;` statement above its first use")
    )]
    LetBeforeDefinition {
        name: String,
        #[label("used here")]
        span: Span,
        #[label("defined later here")]
        defined_at: Span,
    },

    #[error("unknown function `{name}`")]
    #[diagnostic(code(kql::semantic::unknown_function))]
    UnknownFunction {
        name: String,
        #[label("no such function")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("`{function}` takes {expected} argument(s), {found} given")]
    #[diagnostic(code(kql::semantic::arity))]
    WrongArity {
        function: String,
        expected: String,
        found: usize,
        #[label("called here")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("{message}")]
    #[diagnostic(code(kql::semantic::type_mismatch))]
    TypeMismatch {
        message: String,
        #[label("{label}")]
        span: Span,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("expected a tabular expression, found a scalar")]
    #[diagnostic(code(kql::semantic::not_tabular))]
    NotTabular {
        #[label("this is a scalar value, not a table")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("expected a scalar expression, found a table")]
    #[diagnostic(
        code(kql::semantic::not_scalar),
        help("use toscalar(…) to turn a one-row, one-column result into a value")
    )]
    NotScalar {
        #[label("this is a table")]
        span: Span,
    },

    #[error("aggregation function `{function}` can only be used in `summarize`")]
    #[diagnostic(code(kql::semantic::aggregate_context))]
    AggregateOutsideSummarize {
        function: String,
        #[label("aggregation outside summarize")]
        span: Span,
    },

    #[error("`summarize` expects an aggregation function such as count() or sum(x)")]
    #[diagnostic(code(kql::semantic::not_aggregate))]
    NotAggregate {
        #[label("not an aggregation")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("column `{name}` is defined more than once")]
    #[diagnostic(code(kql::semantic::duplicate_column))]
    DuplicateColumn {
        name: String,
        #[label("second definition")]
        span: Span,
    },

    #[error("{what} must be a constant")]
    #[diagnostic(code(kql::semantic::not_constant))]
    NotConstant {
        what: String,
        #[label("not a constant")]
        span: Span,
    },

    #[error("join keys have different types: {left} and {right}")]
    #[diagnostic(code(kql::semantic::join_key_type))]
    JoinKeyType {
        left: String,
        right: String,
        #[label("{left} == {right}")]
        span: Span,
    },

    #[error("the script has no tabular expression to return")]
    #[diagnostic(code(kql::semantic::no_query), help("end the script with a query, e.g. the name of a `let` table"))]
    NoQuery {
        #[label("only `let`/`declare` statements")]
        span: Span,
    },

    /// Operators, sub-queries and `let`s nest deeper than the executor
    /// (which recurses once per level) may go, or a scalar `let` expands
    /// into too large an expression.
    #[error("{message}")]
    #[diagnostic(code(kql::semantic::too_deep))]
    TooDeep {
        message: String,
        #[label("{label}")]
        span: Span,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("query parameter `{name}` is declared more than once")]
    #[diagnostic(code(kql::semantic::duplicate_parameter))]
    DuplicateParameter {
        name: String,
        #[label("declared again here")]
        span: Span,
    },

    #[error("value of query parameter `{name}` is not a {expected}: {reason}")]
    #[diagnostic(code(kql::semantic::parameter_value))]
    ParameterValue {
        name: String,
        expected: String,
        reason: String,
        #[label("declared here")]
        span: Span,
    },

    #[error("workbook placeholder `{{{name}}}` has no value")]
    #[diagnostic(
        code(kql::semantic::placeholder),
        severity(Advice),
        help("`check` accepts it; `run` needs its value: --param {name}=VALUE")
    )]
    UnfilledPlaceholder {
        name: String,
        #[label("filled in by Azure Workbooks")]
        span: Span,
    },

    /// `union isfuzzy=true`: a leg that does not resolve is left out (the
    /// union page), with a warning.
    #[error("`{name}` is not a table here: `union isfuzzy=true` leaves it out")]
    #[diagnostic(code(kql::semantic::union_leg_skipped), severity(Warning))]
    FuzzyUnionSkipped {
        name: String,
        #[label("skipped")]
        span: Span,
    },

    /// Valid for Kusto's parser (Kusto.Language accepts it), but Kusto's
    /// engine fails the query when it runs: `check` warns, `run` stops.
    #[error("{message}")]
    #[diagnostic(code(kql::semantic::engine_rejects), severity(Warning))]
    EngineRejects {
        message: String,
        #[label("{label}")]
        span: Span,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("`render {visualization}` is drawn by `--format svg` and `--format html`; other formats output the table")]
    #[diagnostic(code(kql::semantic::render), severity(Advice))]
    RenderIgnored {
        visualization: String,
        #[label("visualization")]
        span: Span,
    },

    #[error("`{function}` has no parameter `{name}`")]
    #[diagnostic(code(kql::semantic::unknown_argument))]
    UnknownArgument {
        function: String,
        name: String,
        #[label("no such parameter")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("parameter `{name}` of `{function}` is given more than once")]
    #[diagnostic(code(kql::semantic::argument_twice))]
    ArgumentTwice {
        name: String,
        function: String,
        #[label("given again here")]
        span: Span,
    },

    #[error("`{name}` calls itself: user-defined functions cannot be recursive")]
    #[diagnostic(
        code(kql::semantic::recursion),
        help("a function's body sees only the `let`s defined before it, not the function itself")
    )]
    Recursion {
        name: String,
        #[label("recursive call")]
        span: Span,
    },

    #[error("function `{name}` is not supported by ntaq")]
    #[diagnostic(code(kql::unsupported::function))]
    UnsupportedFunction {
        name: String,
        #[label("valid Kusto, not implemented")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("{what} is not supported by ntaq")]
    #[diagnostic(code(kql::unsupported::feature))]
    Unsupported {
        what: String,
        #[label("not supported")]
        span: Span,
        #[help]
        help: Option<String>,
    },
}

impl SemanticError {
    /// True when the query is valid Kusto that ntaq does not implement.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, SemanticError::UnsupportedFunction { .. } | SemanticError::Unsupported { .. })
    }

    /// True for notes that do not stop a query from running.
    pub fn is_advice(&self) -> bool {
        matches!(
            self,
            SemanticError::UnfilledPlaceholder { .. }
                | SemanticError::RenderIgnored { .. }
                | SemanticError::FuzzyUnionSkipped { .. }
        )
    }
}
