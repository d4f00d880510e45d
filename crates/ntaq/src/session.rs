//! The facade every front end uses (CLI commands, REPL, tests): a catalog
//! of tables, the query parameters, and `check` of a query text.

use crate::diagnostic::Diag;
use kql_io::{DataDir, IoError};
use kql_plan::{Catalog, Params, Program, TableDef, TableOrigin, bind};
use kql_syntax::ast::Script;
use miette::Diagnostic;
use std::path::Path;
use thiserror::Error;

/// A column of a data file that has no Kusto type and is left out.
#[derive(Debug, Error, Diagnostic)]
#[error("column `{column}` of table {table} has Arrow type {data_type}, which has no Kusto type; it is ignored")]
#[diagnostic(code(kql::io::unmapped_column), severity(Warning))]
pub struct UnmappedColumn {
    pub table: String,
    pub column: String,
    pub data_type: String,
}

/// The outcome of checking one query text.
#[derive(Debug)]
pub struct Checked {
    pub script: Script,
    /// All diagnostics, syntax and semantic, in text order.
    pub diagnostics: Vec<Diag>,
    pub program: Program,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diag::is_error)
    }

    pub fn has_unsupported(&self) -> bool {
        self.diagnostics.iter().any(Diag::is_unsupported)
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub catalog: Catalog,
    pub params: Params,
}

impl Default for Session {
    fn default() -> Self {
        Session::builtin()
    }
}

impl Session {
    /// The published NTANetAnalytics and NTAIpDetails schemas, no data.
    pub fn builtin() -> Self {
        Session { catalog: Catalog::nta(), params: Params::default() }
    }

    /// The tables of a data directory (schemas from the Parquet footers).
    /// Also returns warnings for columns that have no Kusto type.
    pub fn with_data_dir(path: &Path) -> Result<(Self, Vec<Diag>), IoError> {
        let dir = DataDir::open(path)?;
        let mut catalog = Catalog::new();
        let mut warnings = Vec::new();
        for t in &dir.tables {
            let files = t.files.iter().map(|f| f.display().to_string()).collect();
            let (def, unmapped) = TableDef::from_arrow(&t.name, &t.schema, TableOrigin::Files(files));
            for (column, dt) in unmapped {
                warnings.push(Diag::new(UnmappedColumn { table: t.name.clone(), column, data_type: dt.to_string() }));
            }
            catalog.insert(def);
        }
        Ok((Session { catalog, params: Params::default() }, warnings))
    }

    /// Parses and binds `text`: every syntax and semantic diagnostic.
    pub fn check(&self, text: &str) -> Checked {
        let parsed = kql_syntax::parse(text);
        let bound = bind(&parsed.script, &self.catalog, &self.params);
        let mut diagnostics: Vec<(usize, Diag)> = Vec::new();
        for e in parsed.errors {
            diagnostics.push((e.span().start, Diag::new(e)));
        }
        for e in bound.diagnostics {
            let d = Diag::new(e);
            diagnostics.push((d.primary_span().map_or(0, |s| s.0), d));
        }
        diagnostics.sort_by_key(|(offset, _)| *offset);
        Checked {
            script: parsed.script,
            diagnostics: diagnostics.into_iter().map(|(_, d)| d).collect(),
            program: bound.program,
        }
    }
}
