//! Where table data comes from: the [`TableProvider`] trait a scan reads
//! through, the filters a scan runs ([`ScanPredicate`]) and the batches'
//! normalisation to the executor's encodings; tables held in memory
//! ([`memory`]) and the Parquet tables of a data directory with their scan
//! strategy ([`parquet`]).

mod memory;
mod parquet;

pub use memory::MemTables;
pub use parquet::ParquetTables;

use crate::error::{ExecError, Result};
use crate::eval::{EvalCx, Subqueries, eval_predicate};
use crate::physical::normalize_column;
use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{DataType, Field};
use kql_plan::plan::Expr;
use kql_syntax::ScalarType;
use std::sync::Arc;

/// A stream of record batches.
pub type Stream<'a> = Box<dyn Iterator<Item = Result<RecordBatch>> + Send + 'a>;

/// Rows per batch when reading files.
pub const BATCH_SIZE: usize = 8192;

/// Rows per part of a parallel scan (see [`TableProvider::partitions`]).
pub const PART_ROWS: usize = 131_072;

/// One part of a table scan: opened (on any thread), it streams its batches.
pub struct Partition {
    /// Rows the part reads (before filters), for progress reports.
    pub rows: u64,
    open: Box<dyn FnOnce(Vec<ScanPredicate>) -> Result<Stream<'static>> + Send>,
}

impl Partition {
    /// A part that `open` reads, given filters to apply on top of those the
    /// scan was asked for (a join's dynamic filter, known only once the
    /// scan has begun).
    pub fn new(
        rows: u64,
        open: impl FnOnce(Vec<ScanPredicate>) -> Result<Stream<'static>> + Send + 'static,
    ) -> Partition {
        Partition { rows, open: Box::new(open) }
    }

    pub fn open(self, extra: Vec<ScanPredicate>) -> Result<Stream<'static>> {
        (self.open)(extra)
    }
}

/// What a [`ScanPredicate`] tests.
#[derive(Clone)]
pub enum Test {
    /// A `where` expression.
    Expr(Arc<Expr>),
    /// Its one string column holds a key of a join's built side: a dynamic
    /// filter that drops, while reading, the rows that cannot match.
    Keys(Arc<dyn Fn(&str) -> bool + Send + Sync>),
}

/// A filter evaluated inside a scan: the scan keeps only the rows it is
/// true for, and a Parquet scan decodes the other columns only for those
/// (late materialisation). It reads `columns` and contains no sub-query.
#[derive(Clone)]
pub struct ScanPredicate {
    pub test: Test,
    /// The scan columns it reads, with the types the query reads them as.
    pub columns: Vec<(String, ScalarType)>,
    /// Its value depends only on the values of its columns (no `rand()`):
    /// over one dictionary-encoded column it may be evaluated once per
    /// distinct value.
    pub deterministic: bool,
    pub now: i64,
}

impl ScanPredicate {
    /// Which rows of `batch` (in the executor's encodings, holding at least
    /// the predicate's columns) to keep.
    pub fn mask(&self, batch: &RecordBatch) -> Result<BooleanArray> {
        match &self.test {
            Test::Expr(e) => {
                let subs = Subqueries::default();
                eval_predicate(e, batch, &EvalCx { now: self.now, subqueries: &subs })
            }
            Test::Keys(contains) => {
                let name = self.columns.first().map_or("", |(n, _)| n.as_str());
                let column = batch
                    .column_by_name(name)
                    .ok_or_else(|| ExecError::Internal(format!("dynamic filter column `{name}` missing")))?;
                let text = column
                    .as_string_opt::<i32>()
                    .ok_or_else(|| ExecError::Internal(format!("dynamic filter column `{name}` is not text")))?;
                Ok(text.iter().map(|v| Some(v.is_some_and(|v| contains(v)))).collect())
            }
        }
    }

    /// `stream` with only the rows every predicate keeps, narrowed to the
    /// columns `keep` names (all, for `None`).
    fn apply(filters: Vec<ScanPredicate>, stream: Stream<'static>, keep: Option<Arc<[String]>>) -> Stream<'static> {
        if filters.is_empty() && keep.is_none() {
            return stream;
        }
        Box::new(stream.map(move |b| {
            let mut b = b?;
            for f in filters.iter() {
                let mask = f.mask(&b)?;
                b = arrow_select::filter::filter_record_batch(&b, &mask)?;
            }
            match &keep {
                Some(names) => crate::ops::select(&b, names),
                None => Ok(b),
            }
        }))
    }
}

/// `columns`, then the columns `filters` read that it lacks.
fn with_filter_columns(columns: &[(String, ScalarType)], filters: &[ScanPredicate]) -> Vec<(String, ScalarType)> {
    let mut all = columns.to_vec();
    for (name, ty) in filters.iter().flat_map(|f| f.columns.iter()) {
        if !all.iter().any(|(c, _)| c == name) {
            all.push((name.clone(), *ty));
        }
    }
    all
}

/// The names of `columns` if a scan reads more than them (for filters), so
/// its batches must be narrowed to them.
fn narrowing(columns: &[(String, ScalarType)], read: &[(String, ScalarType)]) -> Option<Arc<[String]>> {
    (read.len() > columns.len()).then(|| columns.iter().map(|(n, _)| n.clone()).collect())
}

/// Provides the rows of tables.
pub trait TableProvider: Send + Sync {
    /// Batches of `table` holding exactly `columns` (in this order), each in
    /// the executor's encoding of its Kusto type.
    fn scan(&self, table: &str, columns: &[(String, ScalarType)]) -> Result<Stream<'static>>;

    /// The rows a scan of `table` reads, if known without reading them
    /// (for progress reports, and for a join to tell its smaller side).
    fn rows(&self, _table: &str) -> Option<u64> {
        None
    }

    /// The rows of [`TableProvider::scan`] that pass `filters`, cut into
    /// parts that can be read in parallel; concatenated in order, they are
    /// the filtered scan. The filters may read columns of the table that
    /// are not among `columns` (the batches hold `columns` only), and so
    /// may the extra filters a part is opened with. The string columns
    /// named in `dictionaries` may come as `Dictionary(Int32, Utf8)`, with
    /// null keys for "" (see [`dictionary_string`]). By default, one part:
    /// the whole scan.
    fn partitions(
        &self,
        table: &str,
        columns: &[(String, ScalarType)],
        filters: &[ScanPredicate],
        _dictionaries: &[String],
    ) -> Result<Vec<Partition>> {
        let read = with_filter_columns(columns, filters);
        let keep = narrowing(columns, &read);
        let stream = self.scan(table, &read)?;
        let filters = filters.to_vec();
        Ok(vec![Partition::new(self.rows(table).unwrap_or(0), move |extra| {
            Ok(ScanPredicate::apply(filters.into_iter().chain(extra).collect(), stream, keep))
        })])
    }
}

/// The type of a string column a scan may hand over as a dictionary (when
/// asked to): Kusto strings are never null, so a null key stands for "".
pub fn dictionary_string() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// Converts a batch read from a file to `columns` in the executor's encodings.
pub fn normalize_batch(table: &str, batch: &RecordBatch, columns: &[(String, ScalarType)]) -> Result<RecordBatch> {
    normalize_batch_keeping(table, batch, columns, &|_, _| false)
}

/// [`normalize_batch`], leaving as they are the columns `keep` says.
fn normalize_batch_keeping(
    table: &str,
    batch: &RecordBatch,
    columns: &[(String, ScalarType)],
    keep: &dyn Fn(&str, &ArrayRef) -> bool,
) -> Result<RecordBatch> {
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays = Vec::with_capacity(columns.len());
    for (name, ty) in columns {
        let raw = batch.column_by_name(name).ok_or_else(|| ExecError::ColumnType {
            table: table.to_string(),
            column: name.clone(),
            message: "the column is missing".into(),
            help: None,
        })?;
        if keep(name, raw) {
            fields.push(Field::new(name, raw.data_type().clone(), true));
            arrays.push(raw.clone());
            continue;
        }
        let a = normalize_column(raw, *ty).map_err(|message| ExecError::ColumnType {
            table: table.to_string(),
            column: name.clone(),
            message,
            help: Some(format!("the query reads `{name}` as {ty}")),
        })?;
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
    }
    crate::ops::make_batch(fields, arrays, batch.num_rows())
}
