//! Diagnostics of preparing a query to run (parameters and placeholders).

use kql_syntax::Span;
use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum RunError {
    #[error("workbook placeholder `{{{name}}}` has no value")]
    #[diagnostic(code(kql::run::missing_placeholder), help("pass its value: --param {name}=VALUE"))]
    MissingPlaceholder {
        name: String,
        #[label("needs a value")]
        span: Span,
    },

    #[error("query parameter `{name}` has no value")]
    #[diagnostic(
        code(kql::run::missing_parameter),
        help("pass its value: --param {name}=VALUE, or give it a default in `declare query_parameters`")
    )]
    MissingParameter {
        name: String,
        #[label("declared here without a default")]
        span: Span,
    },

    #[error("the value `{value}` of --param {name} is not a {ty}")]
    #[diagnostic(code(kql::run::parameter_value))]
    ParameterValue {
        name: String,
        value: String,
        ty: String,
        #[label("declared as {ty}")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    /// A comparison or key Kusto's parser accepts but its engine fails.
    #[error("{message}")]
    #[diagnostic(code(kql::run::engine_rejects))]
    EngineRejects {
        message: String,
        #[label("Kusto fails the query here")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("--param {name} is not used by the query")]
    #[diagnostic(
        code(kql::run::unused_parameter),
        severity(Warning),
        help("check the spelling; placeholders are written {{name}} inside strings")
    )]
    UnusedParameter { name: String },
}
