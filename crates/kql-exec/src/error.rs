//! Execution diagnostics. Codes are stable.

use kql_io::IoError;
use kql_syntax::Span;
use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ExecError {
    /// An expression failed at run time (a bad regular expression, …).
    #[error("{message}")]
    #[diagnostic(code(kql::exec::runtime))]
    Runtime {
        message: String,
        #[label("while evaluating this")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    /// A table's data cannot be read as the query needs it.
    #[error("table {table}, column `{column}`: {message}")]
    #[diagnostic(code(kql::exec::column_type))]
    ColumnType {
        table: String,
        column: String,
        message: String,
        #[help]
        help: Option<String>,
    },

    #[error("table `{table}` is not loaded")]
    #[diagnostic(code(kql::exec::no_table), help("pass the directory holding {table}.parquet with --data DIR"))]
    NoTable { table: String },

    #[error("query parameter `{name}` has no value")]
    #[diagnostic(code(kql::exec::unbound_parameter), help("pass it with --param {name}=VALUE"))]
    UnboundParameter {
        name: String,
        #[label("needs a value")]
        span: Span,
    },

    #[error("{what} is not implemented by the executor yet")]
    #[diagnostic(code(kql::unsupported::execution))]
    NotImplemented {
        what: String,
        #[label("not implemented")]
        span: Span,
    },

    /// An operator would pass the query's memory budget.
    #[error("the {operator} stopped: {detail}, more than the memory budget of {limit}")]
    #[diagnostic(
        code(kql::exec::memory_limit),
        help(
            "filter or summarize its inputs first (a join key with few distinct values multiplies rows), or raise the budget with --max-memory"
        )
    )]
    MemoryLimit { operator: &'static str, detail: String, limit: String },

    /// A spill file could not be written or read (a full disk, mostly).
    #[error("the {operator} could not spill to disk in {dir}: {message}")]
    #[diagnostic(
        code(kql::exec::spill),
        help(
            "the {operator} passed its share of --max-memory and writes temporary files to $TMPDIR: free space there, point TMPDIR at a disk with room, or raise --max-memory"
        )
    )]
    Spill { operator: &'static str, dir: String, message: String },

    #[error("the query was cancelled")]
    #[diagnostic(code(kql::exec::cancelled))]
    Cancelled,

    #[error(transparent)]
    #[diagnostic(transparent)]
    Io(#[from] IoError),

    /// Arrow (or the Parquet reader through it) refused a computation or a
    /// read: a value that does not cast, an overflow, a corrupt page. Not a
    /// broken invariant of ntaq, so not reported as one.
    #[error("{0}")]
    #[diagnostic(
        code(kql::exec::arrow),
        help("a value or a data file could not be processed as the query asks; the message says which")
    )]
    Arrow(#[from] arrow_schema::ArrowError),

    /// A broken invariant: a bug in ntaq, not in the query.
    #[error("internal error: {0}")]
    #[diagnostic(code(kql::exec::internal), help("this is a bug in ntaq; please report it with the query"))]
    Internal(String),
}

impl ExecError {
    pub fn runtime(message: impl Into<String>, span: Span) -> Self {
        ExecError::Runtime { message: message.into(), span, help: None }
    }

    /// A decimal value or result ntaq cannot give exactly (see
    /// [`kql_types::decimal`]); an empty span is filled in by the caller
    /// that knows the expression ([`ExecError::at`]).
    pub fn decimal(why: kql_types::decimal::Inexact, span: Span) -> Self {
        ExecError::NotImplemented { what: why.describe().to_string(), span }
    }

    /// Points an unsupported-execution error raised without a span (by a
    /// conversion, which does not know the expression) at `span`.
    pub fn at(self, span: Span) -> Self {
        match self {
            ExecError::NotImplemented { what, span: s } if s.is_empty() => ExecError::NotImplemented { what, span },
            other => other,
        }
    }
}

pub type Result<T, E = ExecError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrow_errors_keep_their_own_code_and_are_not_called_bugs() {
        let e: ExecError = arrow_schema::ArrowError::ComputeError("Overflow happened on: 9 * 9".into()).into();
        assert_eq!(e.code().map(|c| c.to_string()).as_deref(), Some("kql::exec::arrow"));
        assert!(e.to_string().contains("Overflow happened"), "{e}");
        let help = e.help().map(|h| h.to_string()).unwrap_or_default();
        assert!(!help.contains("bug") && !e.to_string().contains("internal"), "{e}: {help}");
    }
}
