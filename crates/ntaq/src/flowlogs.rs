//! `--flow-logs DIR`: raw flow-log blobs as the `FlowTuples` table, and
//! `NTANetAnalytics` / `NTAIpDetails` derived from it the first time a
//! query reads them (deriving reads every tuple; a query of FlowTuples
//! alone never pays for it). Both are Parquet files of scratch folders,
//! written as they are made: memory holds neither all the tuples nor all
//! the derived rows.

use crate::cli::FlowLogArgs;
use crate::diagnostic::Diag;
use crate::scratch::ScratchDir;
use crate::session::Session;
use arrow_array::RecordBatch;
use kql_io::ingest::ParquetFile;
use kql_io::{FileSource, Skipped, TableFiles};
use miette::Diagnostic;
use nta_flowlogs::{Budget, EnrichmentPaths, FlowLogError, Interval, Progress, ReadOptions, Table, TupleSink};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use thiserror::Error;

/// The tables derived from FlowTuples.
pub const DERIVED: [&str; 2] = ["NTANetAnalytics", "NTAIpDetails"];

/// The tables `--flow-logs` provides.
pub const TABLES: [&str; 3] = [nta_flowlogs::tuples::TABLE, DERIVED[0], DERIVED[1]];

/// What deriving needs, kept by the session until a query reads a derived table.
#[derive(Debug, Clone)]
pub struct PendingDerive {
    pub tuples: TableFiles,
    pub enrichment: EnrichmentPaths,
    pub interval: Interval,
}

/// How much was read (said once, unless --quiet).
#[derive(Debug, Error, Diagnostic)]
#[error("FlowTuples: {rows} from {blobs} flow-log blob(s), {bytes} read in {seconds:.1} s")]
#[diagnostic(code(flowlogs::read), severity(Advice))]
pub struct ReadNote {
    pub rows: String,
    pub blobs: usize,
    pub bytes: String,
    pub seconds: f64,
}

/// A note from deriving the NTA tables (columns left empty, …).
#[derive(Debug, Error, Diagnostic)]
#[error("{text}")]
#[diagnostic(code(flowlogs::derive_note), severity(Advice))]
pub struct DeriveNote {
    pub text: String,
}

/// `--data` / `--table` already provide a table `--flow-logs` makes.
#[derive(Debug, Error, Diagnostic)]
#[error("--data provides {table}, which --flow-logs also makes")]
#[diagnostic(
    code(flowlogs::table_conflict),
    help("use either the exported tables or the flow-log blobs (or `ntaq convert --flow-logs` once, then --data)")
)]
pub struct TableConflict {
    pub table: String,
}

/// FlowTuples read from flow-log blobs.
#[derive(Debug)]
pub struct ReadTuples {
    /// The table; its files are in `scratch`.
    pub table: TableFiles,
    /// The folder of the table's files: keep it while the table is used.
    pub scratch: ScratchDir,
    /// The warnings of reading (partial blobs, skipped records,
    /// non-flow-log files) and a note of what was read.
    pub notes: Vec<Diag>,
}

/// The FlowTuples of the blobs under `roots`. Each blob's tuples go, batch
/// by batch as they are read, to a Parquet file of a scratch folder
/// (removed with it), so memory holds only the row groups of the blobs
/// being read (one per core), however many and large the blobs are. A
/// progress bar on standard error when `bar`.
pub fn read(roots: &[PathBuf], lenient: bool, bar: bool) -> Result<ReadTuples, Diag> {
    let started = std::time::Instant::now();
    let blobs = nta_flowlogs::find_blobs(roots).map_err(Diag::new)?;
    let scratch = ScratchDir::new("flowtuples").map_err(|e| {
        Diag::new(FlowLogError::Output {
            path: roots.first().cloned().unwrap_or_default(),
            reason: format!("cannot create a scratch folder in {}: {e}", std::env::temp_dir().display()),
        })
    })?;
    let progress = Arc::new(Progress::default());
    let drawn = bar.then(|| crate::commands::progress::Bar::blobs(progress.clone()));
    let opts = ReadOptions { lenient, ..ReadOptions::default() };
    let schema = nta_flowlogs::tuples::schema();
    let next = AtomicUsize::new(0);
    let result = nta_flowlogs::read_blobs(&blobs, &opts, &progress, |_| {
        let file = scratch.path().join(format!("{:06}.parquet", next.fetch_add(1, Ordering::Relaxed)));
        ParquetSink::new(file, &schema)
    });
    drop(drawn);
    let (mut summary, sinks) = result.map_err(Diag::new)?;
    if summary.flow_log_blobs() == 0 {
        let paths = roots.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        return Err(Diag::new(FlowLogError::NoneFound { paths, json_files: blobs.len() }));
    }
    let files: Vec<FileSource> = sinks.into_iter().filter_map(|s| s.file).collect();
    let rows = summary.tuples();
    let bytes: u64 = summary.blobs.iter().filter(|b| b.kind.is_some()).map(|b| b.bytes).sum();
    let mut notes: Vec<Diag> = summary.take_warnings().into_iter().map(Diag::new).collect();
    notes.push(Diag::new(ReadNote {
        rows: crate::commands::rows(rows),
        blobs: summary.flow_log_blobs(),
        bytes: crate::commands::size(bytes),
        seconds: started.elapsed().as_secs_f64(),
    }));
    let table = TableFiles {
        name: nta_flowlogs::tuples::TABLE.to_string(),
        files,
        schema: schema.clone(),
        rows,
        skipped: Skipped::default(),
    };
    Ok(ReadTuples { table, scratch, notes })
}

/// One blob's tuples as a Parquet file (created at the first batch, so
/// files that are not flow logs cost nothing; closed at the blob's end).
struct ParquetSink {
    path: PathBuf,
    schema: arrow_schema::SchemaRef,
    writer: Option<ParquetFile>,
    /// The file, once the blob is read.
    file: Option<FileSource>,
}

impl ParquetSink {
    fn new(path: PathBuf, schema: &arrow_schema::SchemaRef) -> ParquetSink {
        ParquetSink { path, schema: schema.clone(), writer: None, file: None }
    }
}

impl TupleSink for ParquetSink {
    fn write(&mut self, batch: RecordBatch) -> Result<(), String> {
        if self.writer.is_none() {
            self.writer = Some(ParquetFile::create(&self.path, &self.schema).map_err(|e| e.to_string())?);
        }
        self.writer.as_mut().expect("created above").write(&batch).map_err(|e| e.to_string())
    }

    fn end(&mut self) -> Result<(), String> {
        if let Some(writer) = self.writer.take() {
            self.file = Some(writer.finish().map_err(|e| e.to_string())?);
        }
        Ok(())
    }
}

/// Whether the session's data already has a table `--flow-logs` makes.
pub fn conflict(session: &Session) -> Option<Diag> {
    TABLES.iter().find(|t| session.table_files(t).is_some()).map(|t| Diag::new(TableConflict { table: t.to_string() }))
}

/// Adds FlowTuples to the session (its scratch folder replacing that of
/// FlowTuples read before) and remembers how to derive the NTA tables.
pub fn attach(session: &mut Session, tuples: TableFiles, scratch: ScratchDir, args: &FlowLogArgs) -> Vec<Diag> {
    let notes = session.load(vec![tuples.clone()]);
    session.flow_tuples_scratch = Some(Arc::new(scratch));
    session.flow_logs =
        Some(Arc::new(PendingDerive { tuples, enrichment: args.enrichment(), interval: args.interval() }));
    notes
}

/// Reads `args.flow_logs` into the session: FlowTuples now, the derived
/// tables when first read. An error if the session's data has those tables.
pub fn load_into(session: &mut Session, args: &FlowLogArgs, lenient: bool, bar: bool) -> Result<Vec<Diag>, Diag> {
    if let Some(d) = conflict(session) {
        return Err(d);
    }
    let ReadTuples { table, scratch, mut notes } = read(args.flow_logs(), lenient, bar)?;
    notes.extend(attach(session, table, scratch, args));
    Ok(notes)
}

/// If `text` reads NTANetAnalytics or NTAIpDetails and the session has
/// flow logs not yet derived, derives them and adds them to the session.
/// Returns the notes of deriving; the error says why it could not.
pub fn derive_if_needed(session: &mut Session, text: &str) -> Result<Vec<Diag>, Diag> {
    if session.flow_logs.is_none() {
        return Ok(Vec::new());
    }
    derive_for(session, &crate::session::ParsedQuery::new(text))
}

/// [`derive_if_needed`] for an already parsed text.
pub fn derive_for(session: &mut Session, parsed: &crate::session::ParsedQuery) -> Result<Vec<Diag>, Diag> {
    let Some(pending) = session.flow_logs.clone() else {
        return Ok(Vec::new());
    };
    let checked = session.check_parsed(parsed);
    if !checked.used_tables.iter().any(|t| DERIVED.contains(&t.as_str())) {
        return Ok(Vec::new());
    }
    let budget = Budget { max_memory: session.limits.max_memory };
    let Derived { tables, scratch, mut notes } = derive(&pending, &budget)?;
    notes.extend(session.load(tables));
    session.derived_scratch = Some(Arc::new(scratch));
    session.flow_logs = None;
    Ok(notes)
}

/// The derived tables, as Parquet files of a scratch folder.
#[derive(Debug)]
pub struct Derived {
    /// NTANetAnalytics and NTAIpDetails; their files are in `scratch`.
    pub tables: Vec<TableFiles>,
    /// The folder of the tables' files: keep it while they are used.
    pub scratch: ScratchDir,
    /// The notes of deriving them.
    pub notes: Vec<Diag>,
}

/// NTANetAnalytics and NTAIpDetails from the pending FlowTuples within
/// `budget`. The tuples are streamed from their files into the
/// aggregation, and the derived rows, chunk by chunk as they are made,
/// to a Parquet file per table in a scratch folder (removed with it).
pub fn derive(pending: &PendingDerive, budget: &Budget) -> Result<Derived, Diag> {
    let enrichment = nta_flowlogs::Enrichment::load(&pending.enrichment).map_err(Diag::new)?;
    let scratch = ScratchDir::new("derived").map_err(|e| {
        Diag::new(FlowLogError::Output {
            path: std::env::temp_dir(),
            reason: format!("cannot create a scratch folder in {}: {e}", std::env::temp_dir().display()),
        })
    })?;
    let mut files = Vec::new();
    for table in Table::ALL {
        let schema = table.schema().map_err(Diag::new)?;
        let path = scratch.path().join(format!("{}.parquet", table.name()));
        files.push((ParquetFile::create(&path, &schema).map_err(Diag::new)?, schema, 0u64));
    }
    let summary = nta_flowlogs::derive_scan(
        || scan(&pending.tuples),
        &enrichment,
        pending.interval,
        budget,
        &mut |table, batch| {
            let (file, _, rows) = &mut files[table as usize];
            *rows += batch.num_rows() as u64;
            file.write(&batch).map_err(Diag::new)
        },
    )?;
    let mut tables = Vec::new();
    for (table, (file, schema, rows)) in Table::ALL.into_iter().zip(files) {
        let file = file.finish().map_err(Diag::new)?;
        tables.push(TableFiles {
            name: table.name().to_string(),
            files: vec![file],
            schema,
            rows,
            skipped: Skipped::default(),
        });
    }
    let notes = summary.notes.into_iter().map(|text| Diag::new(DeriveNote { text })).collect();
    Ok(Derived { tables, scratch, notes })
}

/// Every row of a table, all columns, batch by batch as its files are read.
pub fn scan(table: &TableFiles) -> Result<impl Iterator<Item = Result<RecordBatch, Diag>> + Send + use<>, Diag> {
    let columns: Vec<String> = table.schema.fields().iter().map(|f| f.name().clone()).collect();
    let scan = table.scan(&columns, kql_io::ingest::ROW_GROUP_ROWS).map_err(Diag::new)?;
    Ok(scan.map(|b| b.map_err(Diag::new)))
}

/// The Arrow schema of a built-in table.
pub fn catalog_schema(name: &str) -> arrow_schema::SchemaRef {
    let catalog = kql_plan::Catalog::nta();
    let columns: Vec<(String, kql_syntax::ScalarType)> =
        catalog.get(name).map(|t| t.columns.iter().map(|c| (c.name.clone(), c.ty)).collect()).unwrap_or_default();
    kql_io::ingest::schema_of(&columns)
}

/// Whether `path` is a folder (or file) of flow-log blobs: one of its
/// first JSON files is one (for the shell's `.load`).
pub fn is_flow_log_path(path: &Path) -> bool {
    let Ok(blobs) = nta_flowlogs::find_blobs(&[path.to_path_buf()]) else {
        return false;
    };
    blobs.iter().take(20).any(|b| matches!(nta_flowlogs::sniff(&b.path), Ok(Some(_))))
}
