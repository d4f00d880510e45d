//! The Parquet tables of a data directory (kql-io reads the files), and
//! how a scan of them runs: parts per row group, filters inside the reader
//! (once per dictionary value where the pages are dictionary-encoded),
//! parts ruled out by their statistics, and columns an export left out
//! read as empty.

use super::{
    BATCH_SIZE, PART_ROWS, Partition, ScanPredicate, Stream, TableProvider, dictionary_string, narrowing,
    normalize_batch, normalize_batch_keeping, with_filter_columns,
};
use crate::error::{ExecError, Result};
use crate::physical::{normalize_column, readable_as};
use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, BooleanArray, DictionaryArray, RecordBatch};
use arrow_buffer::BooleanBuffer;
use arrow_schema::Field;
use kql_io::DataDir;
use kql_syntax::ScalarType;
use std::sync::{Arc, Mutex};

/// The Parquet tables of a data directory.
pub struct ParquetTables {
    dir: Arc<DataDir>,
}

impl ParquetTables {
    pub fn new(dir: Arc<DataDir>) -> Self {
        ParquetTables { dir }
    }
}

impl ParquetTables {
    /// The table's files, and how a scan of `columns` whose batches must
    /// also hold what the filters run on them (`after`) read is read: the
    /// columns the files have are decoded, those they lack (published NTA
    /// columns an export left out) read as empty: "" for strings, null
    /// otherwise. A column the files hold in an unusable type is an error,
    /// also one only the reader's filters (`inside`) read.
    fn columns_of(
        &self,
        table: &str,
        columns: &[(String, ScalarType)],
        after: &[ScanPredicate],
        inside: &[ScanPredicate],
    ) -> Result<(&kql_io::TableFiles, Columns)> {
        let files = self.dir.table(table).ok_or_else(|| ExecError::NoTable { table: table.to_string() })?;
        let all = with_filter_columns(columns, after);
        for (name, ty) in all.iter().chain(inside.iter().flat_map(|f| f.columns.iter())) {
            let Ok(field) = files.schema.field_with_name(name) else { continue };
            let dt = field.data_type();
            if !readable_as(dt, *ty) {
                return Err(ExecError::ColumnType {
                    table: table.to_string(),
                    column: name.clone(),
                    message: format!(
                        "`{}` holds {dt}, which cannot be read as {ty}",
                        files.files.first().map(|f| f.to_string()).unwrap_or_default()
                    ),
                    help: Some(format!("the query reads `{name}` as {ty}; re-export the column with that type")),
                });
            }
        }
        let present: Vec<_> = all.iter().filter(|(n, _)| files.schema.field_with_name(n).is_ok()).cloned().collect();
        let cols = Columns {
            table: Arc::from(table),
            schema: files.schema.clone(),
            fill: present.len() < all.len(),
            keep: narrowing(columns, &all),
            dictionaries: Arc::from([]),
            all: Arc::from(all),
            present: Arc::from(present),
        };
        Ok((files, cols))
    }
}

/// What a scan reads and how its batches are completed.
#[derive(Clone)]
struct Columns {
    table: Arc<str>,
    /// The files' columns.
    schema: arrow_schema::SchemaRef,
    /// Every column the batches hold until the filters that run on them
    /// are applied: the requested ones, in order, then those filters read.
    all: Arc<[(String, ScalarType)]>,
    /// The ones the files have.
    present: Arc<[(String, ScalarType)]>,
    /// Some of `all` are missing from the files and read as empty.
    fill: bool,
    /// The requested columns, if fewer than `all`.
    keep: Option<Arc<[String]>>,
    /// String columns kept as dictionaries where the reader gives them so.
    dictionaries: Arc<[String]>,
}

impl Columns {
    /// True if the files have every column `f` reads (it can run in the reader).
    fn has_all(&self, f: &ScanPredicate) -> bool {
        in_files(&self.schema, f)
    }

    /// The string columns the files have.
    fn strings(&self) -> Arc<[String]> {
        self.present.iter().filter(|(_, t)| *t == ScalarType::String).map(|(n, _)| n.clone()).collect()
    }

    fn names(&self) -> Vec<String> {
        self.present.iter().map(|(n, _)| n.clone()).collect()
    }

    /// A batch read from a file in the executor's encodings, with every
    /// column of `all`.
    fn complete(&self, b: &RecordBatch) -> Result<RecordBatch> {
        let keep = |name: &str, raw: &ArrayRef| {
            *raw.data_type() == dictionary_string() && self.dictionaries.iter().any(|d| d == name)
        };
        let b = normalize_batch_keeping(&self.table, b, &self.present, &keep)?;
        if self.fill { with_empty_columns(&b, &self.all) } else { Ok(b) }
    }
}

/// True if files of `schema` have every column `f` reads.
fn in_files(schema: &arrow_schema::Schema, f: &ScanPredicate) -> bool {
    f.columns.iter().all(|(c, _)| schema.field_with_name(c).is_ok())
}

impl TableProvider for ParquetTables {
    fn scan(&self, table: &str, columns: &[(String, ScalarType)]) -> Result<Stream<'static>> {
        let (files, cols) = self.columns_of(table, columns, &[], &[])?;
        let scan = files.scan(&cols.names(), BATCH_SIZE)?;
        Ok(Box::new(scan.map(move |b| cols.complete(&b?))))
    }

    /// From the files' footers.
    fn rows(&self, table: &str) -> Option<u64> {
        Some(self.dir.table(table)?.rows)
    }

    /// A part per row group, or per [`PART_ROWS`] rows of a bigger one
    /// (where the file has a page index; else only as the threads need).
    /// Filters on columns the files have run inside the Parquet reader, so
    /// the other columns are decoded only for the rows they keep, and their
    /// own columns are decoded for the batches only if requested; filters
    /// on a column the files lack run on the completed batches. A column of
    /// `dictionaries` stays a dictionary where the file's pages are (and no
    /// filter on the batches reads it).
    fn partitions(
        &self,
        table: &str,
        columns: &[(String, ScalarType)],
        filters: &[ScanPredicate],
        dictionaries: &[String],
    ) -> Result<Vec<Partition>> {
        let files = self.dir.table(table).ok_or_else(|| ExecError::NoTable { table: table.to_string() })?;
        let (inside, after): (Vec<ScanPredicate>, Vec<ScanPredicate>) =
            filters.iter().cloned().partition(|f| in_files(&files.schema, f));
        let (files, mut cols) = self.columns_of(table, columns, &after, &inside)?;
        let read_after = |d: &str| after.iter().any(|f| f.columns.iter().any(|(c, _)| c == d));
        cols.dictionaries = dictionaries
            .iter()
            .filter(|d| columns.iter().any(|(c, t)| c == *d && *t == ScalarType::String))
            .filter(|d| !read_after(d))
            .cloned()
            .collect();
        let parts = files.parts(&cols.names(), BATCH_SIZE, PART_ROWS, rayon::current_num_threads())?;
        Ok(parts
            .into_iter()
            .map(|part| {
                if inside.iter().any(|f| f.rules_out(&|column, ty| part_range(&part, column, ty))) {
                    // The statistics show no row can pass: nothing to read.
                    return Partition::new(part.num_rows() as u64, |_| Ok(Box::new(std::iter::empty())));
                }
                let (cols, mut inside, mut after) = (cols.clone(), inside.clone(), after.to_vec());
                Partition::new(part.num_rows() as u64, move |extra| {
                    // An extra filter (a join's keys) reads a requested
                    // column: read in the reader, or filled if missing.
                    for f in extra {
                        if cols.has_all(&f) { inside.push(f) } else { after.push(f) }
                    }
                    // Behind reader filters, string columns are read as
                    // dictionaries where their pages are: the reader then
                    // decodes keys for the rows it drops, not text, and only
                    // the kept rows become text (in `complete`).
                    let read_as_dictionary = if inside.is_empty() { cols.dictionaries.clone() } else { cols.strings() };
                    // A predicate's own error (a bad regex, say) is kept here:
                    // the reader can only report that a predicate failed.
                    let failed: Arc<Mutex<Option<ExecError>>> = Arc::default();
                    let scan_filters = inside.into_iter().map(|f| in_reader(&cols.table, f, failed.clone())).collect();
                    let own = move |e: ExecError| failed.lock().ok().and_then(|mut f| f.take()).unwrap_or(e);
                    let reader =
                        part.read_filtered(scan_filters, &read_as_dictionary).map_err(|e| own.clone()(e.into()))?;
                    let keep = cols.keep.clone();
                    let stream: Stream<'static> =
                        Box::new(reader.map(move |b| b.map_err(|e| own(e.into())).and_then(|b| cols.complete(&b))));
                    Ok(ScanPredicate::apply(after, stream, keep))
                })
            })
            .collect())
    }
}

/// The smallest and largest value of `column` (read as `ty`) in `part`, as
/// ordered integers (nanoseconds for datetimes), from the file's statistics.
fn part_range(part: &kql_io::ScanPart, column: &str, ty: ScalarType) -> Option<(i64, i64)> {
    let (min, max) = part.min_max(column)?;
    let at = |a: &arrow_array::ArrayRef| -> Option<i64> {
        let a = normalize_column(a, ty).ok()?;
        match crate::physical::value_at(&a, 0, ty) {
            kql_types::Value::DateTime(t) => t,
            v => v.as_i64(),
        }
    };
    Some((at(&min)?, at(&max)?))
}

/// `f` as a Parquet reader predicate over the raw columns it reads; its
/// error is stored in `failed`.
fn in_reader(table: &Arc<str>, f: ScanPredicate, failed: Arc<Mutex<Option<ExecError>>>) -> kql_io::ScanFilter {
    let table = table.clone();
    let columns = f.columns.iter().map(|(n, _)| n.clone()).collect();
    // The answers for the dictionary of the last batch: the batches of one
    // column chunk share it.
    let mut last: Option<(ArrayRef, Vec<bool>)> = None;
    // A range test on one column runs on the values as the file holds them.
    let range = if f.columns.len() == 1 { f.range_test() } else { None };
    kql_io::ScanFilter {
        columns,
        predicate: Box::new(move |raw| {
            if let Some(mask) = range.as_ref().filter(|_| raw.num_columns() == 1).and_then(|r| r.mask(raw.column(0))) {
                return Ok(mask);
            }
            let r = match dictionary_column(&raw, &f) {
                Some(dict) => mask_by_dictionary(&table, dict, &f, &mut last),
                None => normalize_batch(&table, &raw, &f.columns).and_then(|b| f.mask(&b)),
            };
            r.map_err(|e| {
                let message = e.to_string();
                if let Ok(mut slot) = failed.lock() {
                    slot.get_or_insert(e);
                }
                arrow_schema::ArrowError::ComputeError(message)
            })
        }),
    }
}

/// The batch's one column, if it is a dictionary the predicate can be
/// evaluated on value by value.
fn dictionary_column<'a>(raw: &'a RecordBatch, f: &ScanPredicate) -> Option<&'a DictionaryArray<Int32Type>> {
    if raw.num_columns() != 1 || f.columns.len() != 1 || !f.deterministic {
        return None;
    }
    raw.column(0).as_dictionary_opt::<Int32Type>()
}

/// `f` over a dictionary-encoded column: evaluated once for each value of
/// the dictionary (and once for "", the value of a null row), then looked
/// up by each row's key. `last` keeps the answers for the dictionary last
/// seen (held, so its buffers cannot be reused for another): a dictionary
/// can be larger than a batch, and the reader hands the same one to every
/// batch of a column chunk.
fn mask_by_dictionary(
    table: &str,
    dict: &DictionaryArray<Int32Type>,
    f: &ScanPredicate,
    last: &mut Option<(ArrayRef, Vec<bool>)>,
) -> Result<BooleanArray> {
    let values = dict.values();
    if !last.as_ref().is_some_and(|(seen, _)| same_buffers(seen, values)) {
        let name = &f.columns[0].0;
        let empty = arrow_array::new_null_array(values.data_type(), 1);
        let all = arrow_select::concat::concat(&[values.as_ref(), empty.as_ref()])?;
        let field = Field::new(name, all.data_type().clone(), true);
        let batch = crate::ops::make_batch(vec![field], vec![all], values.len() + 1)?;
        let answers = f.mask(&normalize_batch(table, &batch, &f.columns)?)?;
        *last = Some((values.clone(), per_value_answers(&answers)));
    }
    let answer = last.as_ref().map_or(&[][..], |(_, a)| a.as_slice());
    Ok(answers_by_key(answer, dict.keys()))
}

/// A predicate's answers as plain flags: a null answer drops the row, as
/// the reader treats it.
fn per_value_answers(answers: &BooleanArray) -> Vec<bool> {
    (0..answers.len()).map(|i| answers.is_valid(i) && answers.value(i)).collect()
}

/// Each row's answer looked up by its key in `answer` (one per dictionary
/// value, then the one for "", taken by null keys). One pass over the raw
/// keys, no per-row null checks: the null rows are fixed up with the
/// validity bits.
fn answers_by_key(answer: &[bool], keys: &arrow_array::Int32Array) -> BooleanArray {
    let of_empty = answer.last().copied().unwrap_or(false);
    let raw = keys.values();
    // A null row's key slot may hold anything: out-of-range ones read false.
    let bits = BooleanBuffer::collect_bool(raw.len(), |i| {
        usize::try_from(raw[i]).ok().and_then(|k| answer.get(k)).copied().unwrap_or(false)
    });
    let bits = match keys.nulls() {
        None => bits,
        Some(valid) if of_empty => &bits | &!valid.inner(),
        Some(valid) => &bits & valid.inner(),
    };
    BooleanArray::new(bits, None)
}

/// True if `a` and `b` are the same array data: same type, length and
/// buffers (`a` is held alive, so equal addresses mean equal contents).
fn same_buffers(a: &ArrayRef, b: &ArrayRef) -> bool {
    let (a, b) = (a.to_data(), b.to_data());
    a.data_type() == b.data_type()
        && a.len() == b.len()
        && a.offset() == b.offset()
        && a.buffers().len() == b.buffers().len()
        && a.buffers().iter().zip(b.buffers()).all(|(x, y)| x.as_ptr() == y.as_ptr() && x.len() == y.len())
        && a.nulls().map(|n| n.buffer().as_ptr()) == b.nulls().map(|n| n.buffer().as_ptr())
}

/// `batch` with every one of `columns` in order, absent ones filled empty.
fn with_empty_columns(batch: &RecordBatch, columns: &[(String, ScalarType)]) -> Result<RecordBatch> {
    let n = batch.num_rows();
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays = Vec::with_capacity(columns.len());
    for (name, ty) in columns {
        let a = match batch.column_by_name(name) {
            Some(a) => a.clone(),
            None if *ty == ScalarType::String => {
                crate::physical::scalar_array(&kql_types::Value::String(String::new()), n)
            }
            None => arrow_array::new_null_array(&crate::physical::physical_type(*ty), n),
        };
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
    }
    crate::ops::make_batch(fields, arrays, n)
}

#[cfg(test)]
mod tests {
    use super::{answers_by_key, per_value_answers};
    use arrow_array::{Array, BooleanArray, Int32Array};

    fn rows(a: &BooleanArray) -> Vec<bool> {
        assert_eq!(a.null_count(), 0);
        (0..a.len()).map(|i| a.value(i)).collect()
    }

    #[test]
    fn rows_take_their_values_answer_and_null_rows_the_answer_for_empty() {
        // Values 0, 1, 2 answer true, null (dropped), false; the extra
        // last answer is for "" (null rows).
        let keys = Int32Array::from(vec![Some(0), None, Some(2), Some(1), Some(0), None]);
        let empty_passes = BooleanArray::from(vec![Some(true), None, Some(false), Some(true)]);
        assert_eq!(
            rows(&answers_by_key(&per_value_answers(&empty_passes), &keys)),
            [true, true, false, false, true, true]
        );
        let empty_fails = BooleanArray::from(vec![Some(true), None, Some(false), Some(false)]);
        assert_eq!(
            rows(&answers_by_key(&per_value_answers(&empty_fails), &keys)),
            [true, false, false, false, true, false]
        );
        // No null keys.
        let keys = Int32Array::from(vec![2, 0, 0, 1]);
        assert_eq!(rows(&answers_by_key(&per_value_answers(&empty_fails), &keys)), [false, true, true, false]);
    }
}
