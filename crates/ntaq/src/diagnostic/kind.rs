//! What kind of problem a diagnostic reports, decided by its type (and, for
//! a stage's error enum, its variant) when the [`Diag`](super::Diag) is
//! made — never by reading its code text. Exit statuses and the front ends'
//! choices (what stops a query, what `check` counts as unsupported) read it.

use crate::cli::exit;
use crate::diagnostic::Severity;

/// The kinds of problem, each with its exit status ([`Kind::status`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The text does not parse (`kql::syntax::…`).
    Syntax,
    /// It parses but does not bind, or cannot run as written: names, types,
    /// arity, parameters, what a target service rejects (`kql::semantic::…`,
    /// `kql::run::…`, `kql::target::…`).
    Semantic,
    /// Valid Kusto that ntaq does not implement (`kql::unsupported::…`).
    Unsupported,
    /// The data or a file: a table the data lacks, a file that cannot be
    /// read or written (`kql::io::…`, flow logs, Azure exports).
    Io,
    /// Running the query failed (`kql::exec::…`).
    Runtime,
    /// A command used wrongly (`kql::repl::…`, `kql::pack::…`, options).
    Usage,
}

impl Kind {
    /// The exit status of an error of this kind: 1 for a query's own
    /// mistakes, 2 for usage and I/O, 3 for KQL that ntaq does not implement.
    pub fn status(self) -> u8 {
        match self {
            Kind::Syntax | Kind::Semantic | Kind::Runtime => exit::ERRORS,
            Kind::Io | Kind::Usage => exit::USAGE,
            Kind::Unsupported => exit::UNSUPPORTED,
        }
    }

    /// The exit status of a diagnostic of this kind and severity: only
    /// errors fail (warnings and notes are 0).
    pub fn status_at(self, severity: Severity) -> u8 {
        if severity == Severity::Error { self.status() } else { exit::OK }
    }
}

/// The kind of every diagnostic type ntaq reports.
pub trait Classify {
    fn kind(&self) -> Kind;
}

impl Classify for kql_syntax::SyntaxError {
    fn kind(&self) -> Kind {
        use kql_syntax::SyntaxError as E;
        match self {
            E::UnsupportedOperator { .. } | E::UnsupportedStatement { .. } | E::UnsupportedSyntax { .. } => {
                Kind::Unsupported
            }
            _ => Kind::Syntax,
        }
    }
}

impl Classify for kql_plan::SemanticError {
    fn kind(&self) -> Kind {
        use kql_plan::SemanticError as E;
        match self {
            E::UnsupportedFunction { .. } | E::Unsupported { .. } => Kind::Unsupported,
            _ => Kind::Semantic,
        }
    }
}

impl Classify for kql_syntax::target::TargetDiagnostic {
    fn kind(&self) -> Kind {
        Kind::Semantic
    }
}

impl Classify for kql_io::IoError {
    fn kind(&self) -> Kind {
        match self {
            kql_io::IoError::Output(e) => e.kind(),
            _ => Kind::Io,
        }
    }
}

impl Classify for kql_io::OutputError {
    fn kind(&self) -> Kind {
        match self {
            kql_io::OutputError::UnsupportedChart { .. } => Kind::Unsupported,
            _ => Kind::Io,
        }
    }
}

impl Classify for kql_exec::ExecError {
    fn kind(&self) -> Kind {
        use kql_exec::ExecError as E;
        match self {
            // The data cannot serve the query: like a missing file.
            E::ColumnType { .. } | E::NoTable { .. } => Kind::Io,
            E::Io(e) => e.kind(),
            E::NotImplemented { .. } => Kind::Unsupported,
            _ => Kind::Runtime,
        }
    }
}

impl Classify for crate::RunError {
    fn kind(&self) -> Kind {
        Kind::Semantic
    }
}

impl Classify for crate::repl::error::ReplError {
    fn kind(&self) -> Kind {
        match self {
            crate::repl::error::ReplError::File { .. } | crate::repl::error::ReplError::Chart { .. } => Kind::Io,
            _ => Kind::Usage,
        }
    }
}

impl Classify for crate::pack::UnknownQuery {
    fn kind(&self) -> Kind {
        Kind::Usage
    }
}

impl Classify for nta_flowlogs::FlowLogError {
    fn kind(&self) -> Kind {
        Kind::Io
    }
}

impl Classify for nta_azure::AzureError {
    fn kind(&self) -> Kind {
        Kind::Io
    }
}

impl Classify for nta_recommend::RecommendError {
    fn kind(&self) -> Kind {
        match self {
            nta_recommend::RecommendError::Window { .. } => Kind::Usage,
            _ => Kind::Runtime,
        }
    }
}

/// The diagnostics of ntaq's own types that are one kind whatever their value.
macro_rules! kind_of {
    ($kind:ident: $($t:ty),+ $(,)?) => {
        $(impl Classify for $t {
            fn kind(&self) -> Kind {
                Kind::$kind
            }
        })+
    };
}

kind_of!(Io: crate::session::UnmappedColumn, crate::session::MissingColumns, crate::session::SkippedRows);
kind_of!(Io: crate::hints::AbsentColumn, crate::flowlogs::ReadNote, crate::flowlogs::DeriveNote);
kind_of!(Usage: crate::flowlogs::TableConflict);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diag;
    use kql_syntax::Span;

    #[test]
    fn exit_statuses_follow_the_kind() {
        // The statuses `ntaq run --help` and `check --help` promise.
        assert_eq!(Kind::Syntax.status(), 1);
        assert_eq!(Kind::Semantic.status(), 1);
        assert_eq!(Kind::Runtime.status(), 1);
        assert_eq!(Kind::Io.status(), 2);
        assert_eq!(Kind::Usage.status(), 2);
        assert_eq!(Kind::Unsupported.status(), 3);
        // Warnings and notes never fail.
        for kind in [Kind::Syntax, Kind::Semantic, Kind::Runtime, Kind::Io, Kind::Usage, Kind::Unsupported] {
            assert_eq!(kind.status_at(Severity::Warning), 0);
            assert_eq!(kind.status_at(Severity::Note), 0);
            assert_eq!(kind.status_at(Severity::Error), kind.status());
        }
    }

    #[test]
    fn diagnostics_are_classified_by_type_and_variant() {
        let span = Span { start: 0, end: 1 };
        let unsupported =
            Diag::new(kql_syntax::SyntaxError::UnsupportedOperator { what: "`fork`".into(), span, help: None });
        assert_eq!((unsupported.kind(), unsupported.status()), (Kind::Unsupported, 3));
        assert!(unsupported.is_unsupported() && !unsupported.is_error());
        let missing = Diag::new(kql_io::IoError::MissingTable { table: "T".into(), dir: "d".into(), span: None });
        assert_eq!((missing.kind(), missing.status()), (Kind::Io, 2));
        let no_table = Diag::new(kql_exec::ExecError::NoTable { table: "T".into() });
        assert_eq!((no_table.kind(), no_table.status()), (Kind::Io, 2));
        let cancelled = Diag::new(kql_exec::ExecError::Cancelled);
        assert_eq!((cancelled.kind(), cancelled.status()), (Kind::Runtime, 1));
        let chart = Diag::new(kql_io::OutputError::UnsupportedChart { reason: "r".into() });
        assert_eq!(chart.kind(), Kind::Unsupported);
        let param = Diag::new(crate::RunError::MissingParameter { name: "p".into(), span });
        assert_eq!((param.kind(), param.status()), (Kind::Semantic, 1));
        // A warning of any kind: status 0.
        let unused = Diag::new(crate::RunError::UnusedParameter { name: "p".into() });
        assert_eq!((unused.severity(), unused.status()), (Severity::Warning, 0));
        let absent = Diag::new(crate::hints::AbsentColumn { table: "T".into(), column: "c".into() });
        assert_eq!((absent.kind(), absent.status()), (Kind::Io, 0));
    }

    #[test]
    fn the_worst_status_wins() {
        let span = Span { start: 0, end: 1 };
        let syntax = Diag::new(kql_syntax::SyntaxError::Empty { span });
        let unsupported =
            Diag::new(kql_syntax::SyntaxError::UnsupportedOperator { what: "`fork`".into(), span, help: None });
        let io = Diag::new(kql_io::IoError::MissingTable { table: "T".into(), dir: "d".into(), span: None });
        assert_eq!(exit::of([&unsupported]), 3);
        assert_eq!(exit::of([&unsupported, &syntax]), 1);
        assert_eq!(exit::of([&syntax, &io, &unsupported]), 2);
        assert_eq!(exit::of(std::iter::empty::<&Diag>()), 0);
    }
}
