//! One view of the diagnostics of every phase (syntax, semantic, I/O) and
//! their renderings: human (miette), JSON, GitHub Actions annotations. Each
//! carries its [`Kind`], which decides exit statuses.

mod kind;

pub use kind::{Classify, Kind};

use crate::params::SourceMap;
use kql_syntax::span::line_col;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// A diagnostic from any phase, kept as the original typed error (see
/// [`Diag::downcast_ref`]) with its [`Kind`]. When the query text was
/// rewritten (workbook placeholders substituted), `map` takes its spans
/// back to the text the user wrote.
#[derive(Clone)]
pub struct Diag {
    inner: Arc<dyn Diagnostic + Send + Sync + 'static>,
    kind: Kind,
    map: Option<Arc<SourceMap>>,
}

impl fmt::Debug for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl Diag {
    pub fn new(d: impl Diagnostic + Classify + Send + Sync + 'static) -> Self {
        let kind = d.kind();
        // The code's namespace is a second, independent statement of the
        // same fact: a variant classified wrongly is a bug caught in tests.
        debug_assert_eq!(
            kind == Kind::Unsupported,
            d.code().is_some_and(|c| c.to_string().starts_with("kql::unsupported::")),
            "{:?} is classified {kind:?}",
            d.code().map(|c| c.to_string())
        );
        Diag { inner: Arc::new(d), kind, map: None }
    }

    /// What kind of problem this is (it decides the exit status).
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The exit status this diagnostic calls for on its own: 0 for
    /// warnings and notes, else its kind's ([`Kind::status`]).
    pub fn status(&self) -> u8 {
        self.kind.status_at(self.severity())
    }

    /// The typed error inside, if it is a `T`: for the front ends to tell
    /// particular diagnostics apart (`RunError::UnusedParameter`, …).
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        let error: &(dyn std::error::Error + Send + Sync + 'static) = &*self.inner;
        error.downcast_ref::<T>()
    }

    /// The same diagnostic with spans mapped through `map`.
    pub fn mapped(self, map: Arc<SourceMap>) -> Self {
        Diag { map: Some(map), ..self }
    }

    fn map_span(&self, offset: usize, len: usize) -> (usize, usize) {
        match &self.map {
            Some(m) => m.to_original(offset, len),
            None => (offset, len),
        }
    }

    pub fn severity(&self) -> Severity {
        match self.inner.severity() {
            Some(miette::Severity::Advice) => Severity::Note,
            Some(miette::Severity::Warning) => Severity::Warning,
            _ => Severity::Error,
        }
    }

    pub fn code(&self) -> String {
        self.inner.code().map(|c| c.to_string()).unwrap_or_default()
    }

    pub fn message(&self) -> String {
        self.inner.to_string()
    }

    pub fn help(&self) -> Option<String> {
        self.inner.help().map(|h| h.to_string())
    }

    /// The warning that a `--param` is not used by the query.
    pub fn is_unused_parameter(&self) -> bool {
        matches!(self.downcast_ref(), Some(crate::RunError::UnusedParameter { .. }))
    }

    /// The note that a `render` is not drawn (the formats that draw it drop it).
    pub fn is_render_note(&self) -> bool {
        matches!(self.downcast_ref(), Some(kql_plan::SemanticError::RenderIgnored { .. }))
    }

    /// "No query to run": a text of `let`s alone (which the shell remembers).
    pub fn is_no_query(&self) -> bool {
        matches!(self.downcast_ref(), Some(kql_plan::SemanticError::NoQuery { .. }))
    }

    /// The note listing the published columns a table's files lack (each
    /// query that reads one says so instead).
    pub fn is_missing_columns(&self) -> bool {
        self.downcast_ref::<crate::session::MissingColumns>().is_some()
    }

    /// Valid KQL that ntaq does not implement.
    pub fn is_unsupported(&self) -> bool {
        self.kind == Kind::Unsupported
    }

    /// An error proper: not a note, warning or unsupported feature.
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error && !self.is_unsupported()
    }

    /// The first label's span as (offset, length) in bytes.
    pub fn primary_span(&self) -> Option<(usize, usize)> {
        let mut labels = self.inner.labels()?;
        labels.next().map(|l| self.map_span(l.offset(), l.len()))
    }

    /// The diagnostic as JSON for `--format json`.
    pub fn to_json(&self, source: &str) -> JsonDiagnostic {
        let (offset, length) = self.primary_span().unwrap_or((0, 0));
        let (line, column) = line_col(source, offset);
        JsonDiagnostic {
            severity: self.severity(),
            code: self.code(),
            message: self.message(),
            line,
            column,
            offset,
            length,
            help: self.help(),
        }
    }

    /// A GitHub Actions workflow command (`::error file=…,line=…::message`);
    /// KQL that ntaq does not implement is a `::warning` (the query may be
    /// valid Kusto; the exit status, 3, tells it apart).
    pub fn to_github(&self, file: &str, source: &str) -> String {
        let level = match self.severity() {
            _ if self.is_unsupported() => "warning",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let (offset, length) = self.primary_span().unwrap_or((0, 0));
        let (line, col) = line_col(source, offset);
        let (end_line, end_col) = line_col(source, offset + length);
        let mut message = self.message();
        if let Some(h) = self.help() {
            message.push_str("\nhelp: ");
            message.push_str(&h);
        }
        let (line, col, end_line, end_col) =
            (line.to_string(), col.to_string(), end_line.to_string(), end_col.to_string());
        let code = self.code();
        github_command(
            level,
            &[
                ("file", file),
                ("line", &line),
                ("col", &col),
                ("endLine", &end_line),
                ("endColumn", &end_col),
                ("title", &code),
            ],
            &message,
        )
    }

    /// The diagnostic drawn against its source, as a terminal would show it.
    pub fn render(&self, name: &str, source: &str, color: bool) -> String {
        let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let with_source = WithSource {
            inner: self.inner.as_ref(),
            map: self.map.as_deref(),
            source: NamedSource::new(name, source.to_string()),
        };
        let mut out = String::new();
        if handler.render_report(&mut out, &with_source).is_err() {
            out = format!("{}: {}", self.code(), self.message());
        }
        out
    }
}

impl From<kql_exec::ExecError> for Diag {
    fn from(e: kql_exec::ExecError) -> Self {
        Diag::new(e)
    }
}

impl From<nta_flowlogs::FlowLogError> for Diag {
    fn from(e: nta_flowlogs::FlowLogError) -> Self {
        Diag::new(e)
    }
}

/// `--format json` diagnostic: line and column 1-based (column in
/// characters), offset and length in bytes.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub offset: usize,
    pub length: usize,
    pub help: Option<String>,
}

/// A GitHub Actions workflow command, `::LEVEL key=value,…::message`, with
/// every field escaped as GitHub's runner reads them: `%`, CR and LF in the
/// message, and also `:` and `,` in property values.
pub fn github_command(level: &str, properties: &[(&str, &str)], message: &str) -> String {
    let props: Vec<String> = properties.iter().map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
    format!("::{level} {}::{}", props.join(","), escape_data(message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A diagnostic with the query text attached, for miette's renderer.
struct WithSource<'a> {
    inner: &'a (dyn Diagnostic + Send + Sync),
    map: Option<&'a SourceMap>,
    source: NamedSource<String>,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        // A label at or past the end (e.g. "expected `)` here" at the end of
        // the query) would not be drawn: move it onto the last character.
        let text = self.source.inner();
        let len = text.len();
        let last_char = text.char_indices().next_back().map_or(0, |(k, _)| k);
        let labels = self.inner.labels()?;
        let map = self.map;
        Some(Box::new(labels.map(move |l| {
            let (offset, length) = map.map_or((l.offset(), l.len()), |m| m.to_original(l.offset(), l.len()));
            let offset = if offset >= len { last_char } else { offset };
            let length = length.min(len - offset);
            LabeledSpan::new(l.label().map(str::to_string), offset, length)
        })))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
    }
}
