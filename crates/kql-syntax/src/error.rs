//! Syntax diagnostics. Codes are stable: tools match on them.

use crate::span::Span;
use miette::Diagnostic;
use thiserror::Error;

/// An error found while parsing. Carries spans, never a copy of the source.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum SyntaxError {
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(kql::syntax::expected))]
    Expected {
        expected: String,
        found: String,
        #[label("expected {expected} here")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("unterminated string literal")]
    #[diagnostic(
        code(kql::syntax::unterminated_string),
        help(
            "close the string with the quote it was opened with; a string written with ' or \" cannot span lines (use ```…``` for multi-line text)"
        )
    )]
    UnterminatedString {
        #[label("this string is never closed")]
        span: Span,
    },

    #[error("invalid escape sequence `{text}` in string literal")]
    #[diagnostic(
        code(kql::syntax::invalid_escape),
        help(
            "valid escapes are \\\\ \\' \\\" \\n \\r \\t \\a \\b \\f \\v, \\xHH, \\uXXXX, \\UXXXXXXXX and octal \\ooo; or write a verbatim string @'…' where backslash stands for itself"
        )
    )]
    InvalidEscape {
        text: String,
        #[label("unknown escape")]
        span: Span,
    },

    #[error("`{open}` is never closed")]
    #[diagnostic(code(kql::syntax::unclosed_bracket))]
    UnclosedBracket {
        open: char,
        close: char,
        #[label("`{open}` opened here")]
        open_span: Span,
        #[label("expected `{close}` here")]
        span: Span,
    },

    #[error("`{close}` has no matching opening bracket")]
    #[diagnostic(code(kql::syntax::unmatched_bracket))]
    UnmatchedBracket {
        close: char,
        #[label("unexpected `{close}`")]
        span: Span,
    },

    #[error("`{name}` is not a query operator")]
    #[diagnostic(code(kql::syntax::unknown_operator))]
    UnknownOperator {
        name: String,
        #[label("unknown operator")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("invalid {what} literal: {reason}")]
    #[diagnostic(code(kql::syntax::invalid_literal))]
    InvalidLiteral {
        what: &'static str,
        reason: String,
        #[label("invalid {what}")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("`{operator}` needs an `on` clause")]
    #[diagnostic(
        code(kql::syntax::missing_on),
        help("add `on Column` (same name on both sides) or `on $left.A == $right.B`")
    )]
    MissingOn {
        operator: &'static str,
        #[label("expected `on …` after the right-hand table")]
        span: Span,
    },

    #[error("invalid join condition")]
    #[diagnostic(
        code(kql::syntax::join_condition),
        help("a condition is a column name present on both sides, or `$left.Column == $right.Column`")
    )]
    InvalidJoinCondition {
        #[label("not a join condition")]
        span: Span,
    },

    #[error("`{found}` is not a valid {what}")]
    #[diagnostic(code(kql::syntax::invalid_value))]
    InvalidValue {
        what: &'static str,
        found: String,
        #[label("invalid {what}")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("workbook placeholder `{{{name}}}` outside a string literal")]
    #[diagnostic(
        code(kql::syntax::placeholder),
        help(
            "give its value with `--param {name}=VALUE` (substituted before parsing), or put the placeholder inside a string such as datetime('{{{name}}}')"
        )
    )]
    PlaceholderOutsideString {
        name: String,
        #[label("placeholder")]
        span: Span,
    },

    #[error("query is nested too deeply (more than {limit} levels)")]
    #[diagnostic(code(kql::syntax::too_deep), help("simplify the expression or split it with `let` statements"))]
    TooDeep {
        limit: usize,
        #[label("nesting limit reached here")]
        span: Span,
    },

    #[error("the query text is empty")]
    #[diagnostic(code(kql::syntax::empty), help("write a tabular expression such as `NTANetAnalytics | take 10`"))]
    Empty {
        #[label("nothing to run")]
        span: Span,
    },

    #[error("{what} is not supported by ntaq")]
    #[diagnostic(code(kql::unsupported::operator))]
    UnsupportedOperator {
        what: String,
        #[label("not supported")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("{what} is not supported by ntaq")]
    #[diagnostic(code(kql::unsupported::statement))]
    UnsupportedStatement {
        what: String,
        #[label("not supported")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("{what} is not supported by ntaq")]
    #[diagnostic(code(kql::unsupported::syntax))]
    UnsupportedSyntax {
        what: String,
        #[label("not supported")]
        span: Span,
        #[help]
        help: Option<String>,
    },
}

impl SyntaxError {
    /// The primary span of the error.
    pub fn span(&self) -> Span {
        use SyntaxError::*;
        match self {
            Expected { span, .. }
            | UnterminatedString { span }
            | InvalidEscape { span, .. }
            | UnclosedBracket { span, .. }
            | UnmatchedBracket { span, .. }
            | UnknownOperator { span, .. }
            | InvalidLiteral { span, .. }
            | MissingOn { span, .. }
            | InvalidJoinCondition { span }
            | InvalidValue { span, .. }
            | PlaceholderOutsideString { span, .. }
            | TooDeep { span, .. }
            | Empty { span }
            | UnsupportedOperator { span, .. }
            | UnsupportedStatement { span, .. }
            | UnsupportedSyntax { span, .. } => *span,
        }
    }

    /// The primary span, to adjust it (see `parser::settle_end_spans`).
    pub(crate) fn span_mut(&mut self) -> &mut Span {
        use SyntaxError::*;
        match self {
            Expected { span, .. }
            | UnterminatedString { span }
            | InvalidEscape { span, .. }
            | UnclosedBracket { span, .. }
            | UnmatchedBracket { span, .. }
            | UnknownOperator { span, .. }
            | InvalidLiteral { span, .. }
            | MissingOn { span, .. }
            | InvalidJoinCondition { span }
            | InvalidValue { span, .. }
            | PlaceholderOutsideString { span, .. }
            | TooDeep { span, .. }
            | Empty { span }
            | UnsupportedOperator { span, .. }
            | UnsupportedStatement { span, .. }
            | UnsupportedSyntax { span, .. } => span,
        }
    }

    /// True when the text is valid KQL that ntaq does not implement.
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            SyntaxError::UnsupportedOperator { .. }
                | SyntaxError::UnsupportedStatement { .. }
                | SyntaxError::UnsupportedSyntax { .. }
        )
    }
}
