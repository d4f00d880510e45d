//! The facade every front end uses (CLI commands, REPL, tests): a catalog
//! of tables (and their data), query parameters, `check` of a query text,
//! and preparing and running it.

use crate::diagnostic::Diag;
use crate::params::{ParamValues, SourceMap, literal_value, substitute, typed_value};
use crate::run_errors::RunError;
use kql_exec::{Executor, Limits, MemTables, ParquetTables, TableProvider};
use kql_io::{DataDir, IngestOptions, IoError, TableFiles};
use kql_plan::{Catalog, ColumnDef, Params, Program, SemanticError, TableDef, TableOrigin, bind};
use kql_syntax::ast::{Script, Statement, StatementKind};
use miette::Diagnostic;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
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

/// Published NTA columns a table's files do not have.
#[derive(Debug, Error, Diagnostic)]
#[error("table {table} lacks {count} published column(s), which read as empty: {columns}")]
#[diagnostic(code(kql::io::missing_columns), severity(Advice))]
pub struct MissingColumns {
    pub table: String,
    pub count: usize,
    pub columns: String,
}

/// Rows of text exports left out because of `--lenient`.
#[derive(Debug, Error, Diagnostic)]
#[error("{} of table {table} skipped (--lenient): {first}", crate::commands::rows(*.rows))]
#[diagnostic(code(kql::io::skipped_rows), severity(Warning))]
pub struct SkippedRows {
    pub table: String,
    pub rows: u64,
    /// What was wrong with the first few, with file and line.
    pub first: String,
}

/// A table named on the command line: `--table NAME=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableArg {
    pub name: String,
    pub path: PathBuf,
}

/// How text exports are read: NTANetAnalytics and NTAIpDetails typed by
/// their published schemas, other tables inferred; `lenient` skips rows
/// with bad values instead of failing.
pub fn ingest_options(lenient: bool) -> IngestOptions {
    let schemas = Catalog::nta()
        .tables()
        .map(|t| (t.name.clone(), t.columns.iter().map(|c| (c.name.clone(), c.ty)).collect()))
        .collect();
    IngestOptions { lenient, schemas }
}

/// A query text and its syntax tree: parsed once, then checked, prepared
/// and read (the shell's `let`s) from the same tree.
#[derive(Debug, Clone)]
pub struct ParsedQuery {
    pub text: String,
    pub script: Script,
    pub errors: Vec<kql_syntax::SyntaxError>,
}

impl ParsedQuery {
    pub fn new(text: &str) -> ParsedQuery {
        let parsed = kql_syntax::parse(text);
        ParsedQuery { text: text.to_string(), script: parsed.script, errors: parsed.errors }
    }

    /// A text of `let` statements alone, parsed without errors (the shell
    /// remembers them).
    pub fn lets_only(&self) -> bool {
        self.errors.is_empty()
            && !self.script.statements.is_empty()
            && self.script.statements.iter().all(|s| matches!(s.kind, StatementKind::Let(_)))
    }
}

/// The outcome of checking one query text.
#[derive(Debug)]
pub struct Checked {
    pub script: Script,
    /// All diagnostics, syntax and semantic, in text order.
    pub diagnostics: Vec<Diag>,
    pub program: Program,
    /// Outside parameters the query refers to.
    pub used_params: std::collections::BTreeSet<String>,
    /// Tables the query reads.
    pub used_tables: Vec<String>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diag::is_error)
    }

    pub fn has_unsupported(&self) -> bool {
        self.diagnostics.iter().any(Diag::is_unsupported)
    }
}

/// A query ready to run: parameters applied, checked, columns pruned.
#[derive(Debug)]
pub struct Prepared {
    /// The text as written (diagnostics point here).
    pub original: String,
    /// The text after workbook placeholders were substituted.
    pub text: String,
    pub map: Arc<SourceMap>,
    /// The syntax tree of `text`.
    pub script: Script,
    /// Diagnostics, mapped to the original text.
    pub diagnostics: Vec<Diag>,
    pub program: Program,
}

impl Prepared {
    /// True if something stops the query from running.
    pub fn blocked(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error() || d.is_unsupported())
    }
}

#[derive(Clone)]
pub struct Session {
    pub catalog: Catalog,
    pub params: Params,
    /// Statements (the REPL's remembered `let`s) in scope before every
    /// query this session checks or runs.
    pub prelude: Vec<Statement>,
    /// Resource limits of every query run (the memory budget).
    pub limits: Limits,
    /// Text exports loaded later (`.load`) skip rows with bad values.
    pub lenient: bool,
    tables: Arc<dyn TableProvider>,
    /// The data behind `tables`, kept so `load` can add to it.
    data: Option<DataDir>,
    /// Published columns the data's files lack (they read as empty).
    missing: crate::hints::Missing,
    /// Flow logs whose NTA tables are derived when a query first reads
    /// them (`--flow-logs`, see [`crate::flowlogs`]).
    pub flow_logs: Option<Arc<crate::flowlogs::PendingDerive>>,
    /// The folder of FlowTuples' files (read from flow-log blobs), removed
    /// with the session.
    pub flow_tuples_scratch: Option<Arc<crate::scratch::ScratchDir>>,
    /// The folder of the files of the NTA tables derived from them,
    /// removed with the session.
    pub derived_scratch: Option<Arc<crate::scratch::ScratchDir>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("tables", &self.catalog.names().collect::<Vec<_>>()).finish()
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::builtin()
    }
}

impl Session {
    /// The published NTANetAnalytics and NTAIpDetails schemas, no data.
    pub fn builtin() -> Self {
        Session {
            catalog: Catalog::nta(),
            params: Params::default(),
            prelude: Vec::new(),
            limits: Limits::default(),
            lenient: false,
            tables: Arc::new(MemTables::new()),
            data: None,
            missing: Default::default(),
            flow_logs: None,
            flow_tuples_scratch: None,
            derived_scratch: None,
        }
    }

    /// The tables of a data directory (schemas from the Parquet footers,
    /// text exports read and typed). Also returns warnings and notes about
    /// the files' columns.
    pub fn with_data_dir(path: &Path) -> Result<(Self, Vec<Diag>), IoError> {
        Session::open(Some(path), &[], false)
    }

    /// The tables of a data directory, if any, and of `--table NAME=PATH`
    /// arguments (which replace the directory's table of the same name).
    /// Text exports are typed by [`ingest_options`]. Also returns warnings
    /// and notes about the files' columns and skipped rows.
    pub fn open(data: Option<&Path>, tables: &[TableArg], lenient: bool) -> Result<(Self, Vec<Diag>), IoError> {
        let opts = ingest_options(lenient);
        let mut dir = match data {
            Some(path) => DataDir::open_with(path, &opts)?,
            None => DataDir { path: PathBuf::from("(the --table arguments)"), tables: Vec::new() },
        };
        for t in tables {
            let loaded = kql_io::datadir::load(&t.path, Some(&t.name), &opts)?;
            dir.tables.retain(|d| d.name != t.name);
            dir.tables.extend(loaded);
        }
        dir.tables.sort_by(|a, b| a.name.cmp(&b.name));
        let (mut session, notes) = Session::from_data(dir);
        session.lenient = lenient;
        Ok((session, notes))
    }

    /// How this session reads text exports (`.load`).
    pub fn ingest_options(&self) -> IngestOptions {
        ingest_options(self.lenient)
    }

    /// The bundled sample data (see testdata/README.md).
    pub fn sample() -> Result<(Self, Vec<Diag>), IoError> {
        Ok(Session::from_data(crate::sample::data()?))
    }

    /// A session over the tables of `dir`. NTANetAnalytics and NTAIpDetails
    /// keep their published schema whatever the files say: columns an export
    /// left out read as empty (a note says so), extra columns are kept.
    pub fn from_data(dir: DataDir) -> (Self, Vec<Diag>) {
        let published = Catalog::nta();
        let mut catalog = Catalog::new();
        let mut notes = Vec::new();
        let mut absent = crate::hints::Missing::new();
        for t in &dir.tables {
            if !t.skipped.is_empty() {
                notes.push(Diag::new(SkippedRows {
                    table: t.name.clone(),
                    rows: t.skipped.rows,
                    first: t.skipped.first.join("; ")
                        + if t.skipped.rows > t.skipped.first.len() as u64 { "; …" } else { "" },
                }));
            }
            let files = t.files.iter().map(|f| f.to_string()).collect();
            let (from_file, unmapped) = TableDef::from_arrow(&t.name, &t.schema, TableOrigin::Files(files));
            for (column, dt) in unmapped {
                notes.push(Diag::new(UnmappedColumn { table: t.name.clone(), column, data_type: dt.to_string() }));
            }
            let def = match published.get(&t.name) {
                Some(p) => {
                    let lacks = |c: &&ColumnDef| t.schema.field_with_name(&c.name).is_err();
                    let missing: Vec<&str> = p.columns.iter().filter(lacks).map(|c| c.name.as_str()).collect();
                    // Hidden standard columns are seldom exported: reading one
                    // the files lack gets a warning (`absent`), having none
                    // gets no note.
                    let hidden = p.hidden.iter().filter(lacks).map(|c| c.name.clone());
                    absent.insert(t.name.clone(), missing.iter().map(|c| c.to_string()).chain(hidden).collect());
                    if !missing.is_empty() {
                        let mut columns = missing.iter().take(6).copied().collect::<Vec<_>>().join(", ");
                        if missing.len() > 6 {
                            columns.push_str(&format!(", … ({} more)", missing.len() - 6));
                        }
                        notes.push(Diag::new(MissingColumns { table: t.name.clone(), count: missing.len(), columns }));
                    }
                    let mut def = TableDef { origin: from_file.origin.clone(), ..p.clone() };
                    for c in &from_file.columns {
                        if !def.all_columns().any(|d| d.name == c.name) {
                            def.columns.push(c.clone());
                        }
                    }
                    def
                }
                None => from_file,
            };
            catalog.insert(def);
        }
        // A published table the directory lacks keeps its schema, so that
        // queries bind; reading it is an I/O error (see `check_with`).
        for def in published.tables() {
            if catalog.get(&def.name).is_none() {
                catalog.insert(TableDef { origin: TableOrigin::Files(Vec::new()), ..def.clone() });
            }
        }
        let tables: Arc<dyn TableProvider> = Arc::new(ParquetTables::new(Arc::new(dir.clone())));
        let session = Session {
            catalog,
            params: Params::default(),
            prelude: Vec::new(),
            limits: Limits::default(),
            lenient: false,
            tables,
            data: Some(dir),
            missing: absent,
            flow_logs: None,
            flow_tuples_scratch: None,
            derived_scratch: None,
        };
        (session, notes)
    }

    /// Adds tables (replacing those of the same name), keeping the
    /// parameters and prelude. Returns notes about the new tables' columns.
    pub fn load(&mut self, tables: Vec<TableFiles>) -> Vec<Diag> {
        let mut dir = self.data.clone().unwrap_or_else(|| DataDir { path: "<loaded>".into(), tables: Vec::new() });
        let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
        // Notes about the new tables only.
        let (_, notes) = Session::from_data(DataDir { path: dir.path.clone(), tables: tables.clone() });
        dir.tables.retain(|t| !names.contains(&t.name));
        dir.tables.extend(tables);
        dir.tables.sort_by(|a, b| a.name.cmp(&b.name));
        let (loaded, _) = Session::from_data(dir);
        let mut catalog = loaded.catalog;
        // Tables known only by schema (no data) stay checkable.
        for def in self.catalog.tables() {
            if catalog.get(&def.name).is_none() {
                catalog.insert(def.clone());
            }
        }
        *self = Session {
            catalog,
            params: self.params.clone(),
            prelude: std::mem::take(&mut self.prelude),
            limits: self.limits,
            lenient: self.lenient,
            flow_logs: self.flow_logs.take(),
            flow_tuples_scratch: self.flow_tuples_scratch.take(),
            derived_scratch: self.derived_scratch.take(),
            ..loaded
        };
        notes
    }

    /// The files and row count behind a table, if it has data.
    pub fn table_files(&self, name: &str) -> Option<&TableFiles> {
        self.data.as_ref()?.table(name)
    }

    /// Where the rows of the catalog's tables come from.
    pub fn tables(&self) -> &dyn TableProvider {
        self.tables.as_ref()
    }

    /// Parses and binds `text`: every syntax and semantic diagnostic.
    pub fn check(&self, text: &str) -> Checked {
        self.check_parsed(&ParsedQuery::new(text))
    }

    /// Binds an already parsed text: every syntax and semantic diagnostic.
    pub fn check_parsed(&self, parsed: &ParsedQuery) -> Checked {
        self.check_with(parsed, &self.params)
    }

    fn check_with(&self, parsed: &ParsedQuery, params: &Params) -> Checked {
        let bound = if self.prelude.is_empty() {
            bind(&parsed.script, &self.catalog, params)
        } else {
            let mut script = parsed.script.clone();
            script.statements.splice(0..0, self.prelude.iter().cloned());
            bind(&script, &self.catalog, params)
        };
        let mut diagnostics: Vec<(usize, Diag)> = Vec::new();
        for e in &parsed.errors {
            diagnostics.push((e.span().start, Diag::new(e.clone())));
        }
        for e in bound.diagnostics {
            let d = Diag::new(e);
            diagnostics.push((d.primary_span().map_or(0, |s| s.0), d));
        }
        // Tables the query reads that the data directory does not have.
        if let Some(dir) = &self.data {
            for (table, span) in &bound.used_tables {
                if dir.table(table).is_none() {
                    let e = IoError::MissingTable {
                        table: table.clone(),
                        dir: dir.path.clone(),
                        span: Some((*span).into()),
                    };
                    diagnostics.push((span.start, Diag::new(e)));
                }
            }
        }
        diagnostics.sort_by_key(|(offset, _)| *offset);
        Checked {
            script: parsed.script.clone(),
            diagnostics: diagnostics.into_iter().map(|(_, d)| d).collect(),
            program: bound.program,
            used_params: bound.used_params,
            used_tables: bound.used_tables.into_keys().collect(),
        }
    }

    /// Applies parameter values (placeholders substituted, free names bound),
    /// checks the result and prunes it for execution.
    pub fn prepare(&self, text: &str, values: &ParamValues) -> Prepared {
        self.prepare_parsed(&ParsedQuery::new(text), values)
    }

    /// [`Session::prepare`] of an already parsed text (parsed again only
    /// if placeholders were substituted into it), with `now()` the clock's
    /// instant where it is needed before running (`evaluate bag_unpack`'s
    /// columns are read from the data).
    pub fn prepare_parsed(&self, original: &ParsedQuery, values: &ParamValues) -> Prepared {
        self.prepare_parsed_at(original, values, clock_now())
    }

    /// [`Session::prepare`] for a query that runs with `now()` at `now`:
    /// reading `evaluate bag_unpack`'s columns from the data uses the same
    /// instant, so they are the columns the run gives.
    pub fn prepare_at(&self, text: &str, values: &ParamValues, now: i64) -> Prepared {
        self.prepare_parsed_at(&ParsedQuery::new(text), values, now)
    }

    /// [`Session::prepare_parsed`] with `now()` at `now`, as [`Session::prepare_at`].
    pub fn prepare_parsed_at(&self, original: &ParsedQuery, values: &ParamValues, now: i64) -> Prepared {
        let text = original.text.as_str();
        let original_placeholders = &original.script.placeholders;
        let (substituted, map, missing) = substitute(text, original_placeholders, values);
        let map = Arc::new(map);
        let mut extra: Vec<Diag> = Vec::new();
        for name in &missing {
            if let Some(p) = original_placeholders.iter().find(|p| &p.name == name) {
                extra.push(Diag::new(RunError::MissingPlaceholder { name: name.clone(), span: p.span }));
            }
        }
        // Values for names that are not placeholders bind free names and
        // declared parameters (typed by their declaration).
        let mut params = self.params.clone();
        let reparsed;
        let parsed = if substituted == text {
            original
        } else {
            reparsed = ParsedQuery::new(&substituted);
            &reparsed
        };
        let declared: Vec<(String, kql_syntax::ScalarType, bool, kql_syntax::Span)> = parsed
            .script
            .declared_parameters()
            .map(|p| (p.name.name.clone(), p.ty.ty, p.default.is_some(), p.name.span))
            .collect();
        let mut free: Vec<&str> = Vec::new();
        for (name, raw) in values.iter() {
            if original_placeholders.iter().any(|p| p.name == name) {
                continue;
            }
            match declared.iter().find(|(n, ..)| n == name) {
                Some((_, ty, _, span)) => match typed_value(raw, *ty) {
                    Some(v) => params.set(name, v),
                    None => extra.push(
                        Diag::new(RunError::ParameterValue {
                            name: name.to_string(),
                            value: raw.to_string(),
                            ty: ty.to_string(),
                            span: *span,
                            help: Some(format!("write a {ty} value, e.g. {}", example_of(*ty))),
                        })
                        .mapped(map.clone()),
                    ),
                },
                None => {
                    let value = match values.type_of(name) {
                        Some(ty) => typed_value(raw, ty).unwrap_or_else(|| literal_value(raw)),
                        None => literal_value(raw),
                    };
                    params.set(name, value);
                    free.push(name);
                }
            }
        }
        for (name, _, has_default, span) in &declared {
            if !has_default
                && values.get(name).is_none()
                && self.params.get(name).and_then(|p| p.value.as_ref()).is_none()
            {
                extra.push(
                    Diag::new(RunError::MissingParameter { name: name.clone(), span: *span }).mapped(map.clone()),
                );
            }
        }
        let mut checked = self.check_with(parsed, &params);
        // `evaluate bag_unpack(…)` or `evaluate pivot(…)` without an output
        // schema: its columns are read from the data, then the query is
        // bound again with them.
        while !checked.diagnostics.iter().any(|d| d.is_error() || d.is_unsupported()) {
            let ex = Executor::new(&checked.program, self.tables(), now, Arc::new(AtomicBool::new(false)))
                .with_limits(self.limits);
            match ex.unpacked_columns() {
                Ok(Some((at, columns))) if params.unpacked(at).is_none() => {
                    params.set_unpacked(at, columns);
                    checked = self.check_with(parsed, &params);
                }
                Ok(_) => break,
                Err(e) => {
                    extra.push(Diag::new(e).mapped(map.clone()));
                    break;
                }
            }
        }
        for name in free {
            if !checked.used_params.contains(name) {
                extra.push(Diag::new(RunError::UnusedParameter { name: name.to_string() }));
            }
        }
        // Placeholders still in the text are errors here (reported above), not notes.
        // What Kusto's engine would fail (a warning for `check`) stops the run.
        let mut diagnostics: Vec<Diag> = checked
            .diagnostics
            .into_iter()
            .filter(|d| !matches!(d.downcast_ref(), Some(SemanticError::UnfilledPlaceholder { .. })))
            .map(|d| d.mapped(map.clone()))
            .map(|d| match (d.downcast_ref(), d.primary_span()) {
                (Some(SemanticError::EngineRejects { .. }), Some((start, len))) => Diag::new(RunError::EngineRejects {
                    message: d.message(),
                    span: kql_syntax::Span { start, end: start + len },
                    help: d.help(),
                }),
                _ => d,
            })
            .collect();
        diagnostics.extend(extra);
        diagnostics.sort_by_key(|d| d.primary_span().map_or(0, |s| s.0));
        let mut program = checked.program;
        kql_plan::optimize::optimize(&mut program);
        diagnostics.extend(crate::hints::absent_columns(&program, &self.missing, &self.catalog));
        Prepared { original: text.to_string(), text: substituted, map, script: checked.script, diagnostics, program }
    }

    /// An executor for a prepared query; `now` fixes `now()`/`ago()`.
    pub fn executor<'a>(&'a self, prepared: &'a Prepared, now: i64, cancel: Arc<AtomicBool>) -> Executor<'a> {
        Executor::new(&prepared.program, self.tables(), now, cancel).with_limits(self.limits)
    }
}

fn example_of(ty: kql_syntax::ScalarType) -> &'static str {
    use kql_syntax::ScalarType as S;
    match ty {
        S::DateTime => "2025-06-01T00:00:00Z",
        S::Timespan => "1h",
        S::Long | S::Int => "42",
        S::Real | S::Decimal => "1.5",
        S::Bool => "true",
        S::Guid => "74be27de-1e4e-49d9-b579-fe0b331d3642",
        S::String => "text",
        S::Dynamic => "dynamic([1, 2])",
    }
}

/// The instant now, in nanoseconds since the Unix epoch: what `now()`
/// means when `--now` / `.now` does not fix it.
pub fn clock_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}
