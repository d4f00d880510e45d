//! A table's scan cut into parts that can be read independently — on
//! different threads — one row group of one file each, or a range of rows
//! of a big row group (so a file holding a single row group of a million
//! rows still splits). Footers and page indexes are read once per file and
//! shared by its parts; with the page index, a part of a row group skips
//! the pages before its rows instead of decoding them. Without one (files
//! written by pyarrow, Spark, …) a part must decompress and decode every
//! page before its first row to skip them, and re-reads the column chunks'
//! dictionary pages: cutting a row group into P parts costs about (P + 1) / 2
//! times the decoding of reading it whole, so such row groups are cut only
//! as much as the threads need.

use crate::error::IoError;
use crate::table::{FileSource, TableFiles};
use arrow_array::builder::BooleanBufferBuilder;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{ArrowError, DataType, FieldRef, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use parquet::arrow::arrow_reader::{
    ArrowPredicateFn, ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder, RowFilter, RowSelection, RowSelector,
};
use parquet::basic::Encoding;
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::metadata::PageIndexPolicy;
use std::fs::File;
use std::ops::Range;
use std::sync::Arc;

/// A predicate evaluated while reading (late materialisation): it sees
/// `columns` of the rows still selected (in file column order) and says
/// which to keep. Filters run in order, each on the rows the earlier ones
/// kept; the part's other columns are decoded only for the rows all keep.
/// A string column a filter reads comes as `Dictionary(Int32, Utf8)` (for
/// the filter and in the output) where all its pages in the row group are
/// dictionary-encoded, so a filter can decide per distinct value. A
/// trailing run of filters that read only requested columns, some of them
/// plain (not dictionary) text, runs on the decoded batches instead, so
/// those columns are decoded once (see `defer_plain_text_filters`).
pub struct ScanFilter {
    pub columns: Vec<String>,
    pub predicate: Box<dyn FnMut(RecordBatch) -> Result<BooleanArray, ArrowError> + Send>,
}

/// One independently readable piece of a table scan.
#[derive(Clone)]
pub struct ScanPart {
    table: Arc<str>,
    src: FileSource,
    meta: ArrowReaderMetadata,
    row_group: usize,
    /// Rows of the row group this part reads.
    rows: Range<usize>,
    /// Root column indices to read.
    columns: Arc<[usize]>,
    batch_size: usize,
}

impl TableFiles {
    /// The parts of a scan of `columns` (all must exist), in file and row
    /// order, read in batches of `batch_size` rows. A row group of a file
    /// with a page index is cut into parts of about `part_rows` rows at
    /// most; one of a file without is cut only while the scan has fewer
    /// parts than `threads` (into at most `threads` parts, none smaller than
    /// `part_rows`), since each cut re-decodes the pages before it.
    pub fn parts(
        &self,
        columns: &[String],
        batch_size: usize,
        part_rows: usize,
        threads: usize,
    ) -> Result<Vec<ScanPart>, IoError> {
        let table: Arc<str> = Arc::from(self.name.as_str());
        let part_rows = part_rows.max(1);
        let mut files = Vec::with_capacity(self.files.len());
        for src in &self.files {
            let bad = |reason: String| IoError::BadParquet { table: self.name.clone(), path: src.path(), reason };
            let options = reader_options();
            let meta = match src {
                FileSource::Path(path) => {
                    let file = File::open(path).map_err(|source| IoError::UnreadableTableFile {
                        table: self.name.clone(),
                        path: path.clone(),
                        source,
                    })?;
                    ArrowReaderMetadata::load(&file, options)
                }
                FileSource::Memory { data, .. } | FileSource::Text { data, .. } => {
                    ArrowReaderMetadata::load(data, options)
                }
            }
            .map_err(|e| bad(e.to_string()))?;
            let schema = meta.schema();
            let roots: Arc<[usize]> = columns
                .iter()
                .map(|c| {
                    schema.index_of(c).map_err(|_| IoError::MissingColumn {
                        table: self.name.clone(),
                        column: c.clone(),
                        path: src.path(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
                .into();
            files.push((src, meta, roots));
        }
        let row_groups: usize = files.iter().map(|(_, meta, _)| meta.metadata().num_row_groups()).sum();
        let mut parts = Vec::new();
        for (src, meta, roots) in files {
            let page_index = meta.metadata().page_index().is_some_and(|p| p.has_offset_indexes());
            for (rg, group) in meta.metadata().row_groups().iter().enumerate() {
                let n = usize::try_from(group.num_rows()).unwrap_or(0);
                let pieces = if page_index {
                    n.div_ceil(part_rows)
                } else {
                    // Enough parts for the threads, none below `part_rows` rows.
                    threads.div_ceil(row_groups.max(1)).min(n.div_ceil(part_rows))
                }
                .max(1);
                for k in 0..pieces {
                    let rows = (n * k / pieces)..(n * (k + 1) / pieces);
                    if rows.is_empty() && n > 0 {
                        continue;
                    }
                    parts.push(ScanPart {
                        table: table.clone(),
                        src: src.clone(),
                        meta: meta.clone(),
                        row_group: rg,
                        rows,
                        columns: roots.clone(),
                        batch_size: batch_size.max(1),
                    });
                }
            }
        }
        Ok(parts)
    }
}

impl ScanPart {
    /// Rows this part reads.
    pub fn num_rows(&self) -> usize {
        self.rows.len()
    }

    /// The file this part reads.
    pub fn source(&self) -> &FileSource {
        &self.src
    }

    /// The smallest and largest value of `column` in this part's row group,
    /// from the footer's statistics: one-element arrays of the column's
    /// Arrow type, `None` where the file has no such statistics or column.
    pub fn min_max(&self, column: &str) -> Option<(ArrayRef, ArrayRef)> {
        let converter = StatisticsConverter::try_new(column, self.meta.schema(), self.meta.parquet_schema()).ok()?;
        let group = std::iter::once(self.meta.metadata().row_group(self.row_group));
        let min = converter.row_group_mins(group.clone()).ok()?;
        let max = converter.row_group_maxes(group).ok()?;
        (min.len() == 1 && max.len() == 1 && min.is_valid(0) && max.is_valid(0)).then_some((min, max))
    }

    /// The part's batches, with the requested columns in file order.
    pub fn read(&self) -> Result<PartReader, IoError> {
        self.read_filtered(Vec::new(), &[])
    }

    /// The part's rows that pass every filter. The string columns named in
    /// `dictionaries` come as `Dictionary(Int32, Utf8)` where every page of
    /// their column chunk is dictionary-encoded (as the filters' columns
    /// do): the reader then decodes only their keys, and the batches of
    /// one column chunk share its dictionary.
    pub fn read_filtered(&self, filters: Vec<ScanFilter>, dictionaries: &[String]) -> Result<PartReader, IoError> {
        let reader = match &self.src {
            FileSource::Path(path) => {
                let file = File::open(path).map_err(|source| IoError::UnreadableTableFile {
                    table: self.table.to_string(),
                    path: path.clone(),
                    source,
                })?;
                self.reader(file, filters, dictionaries)?
            }
            FileSource::Memory { data, .. } | FileSource::Text { data, .. } => {
                self.reader(data.clone(), filters, dictionaries)?
            }
        };
        let (reader, deferred) = reader;
        Ok(PartReader { part: self.clone(), reader: Some(reader), deferred })
    }

    fn bad(&self, reason: String) -> IoError {
        IoError::BadParquet { table: self.table.to_string(), path: self.src.path(), reason }
    }

    /// The reader metadata, asking for the string columns the filters read
    /// (and the `wanted` ones) as dictionaries where every page of this row group's column chunk
    /// is dictionary-encoded: a filter on such a column can then be
    /// evaluated once per distinct value, and the column's text is not
    /// decoded for the rows it drops. (A chunk whose dictionary overflowed
    /// into plain pages would have to be re-encoded: it is read as text.)
    fn with_dictionaries(&self, filters: &[ScanFilter], wanted: &[String]) -> Result<ArrowReaderMetadata, IoError> {
        let schema = self.meta.schema();
        let group = self.meta.metadata().row_group(self.row_group);
        let parquet_schema = self.meta.parquet_schema();
        let dictionary = |name: &str| -> bool {
            let Ok(i) = schema.index_of(name) else { return false };
            if schema.field(i).data_type() != &DataType::Utf8 {
                return false;
            }
            // The leaf of a root string column is the column itself.
            let leaf = (0..parquet_schema.num_columns()).find(|l| parquet_schema.get_column_root_idx(*l) == i);
            leaf.is_some_and(|l| all_dictionary_encoded(group.column(l)))
        };
        let names: Vec<&str> = filters
            .iter()
            .flat_map(|f| f.columns.iter())
            .chain(wanted)
            .map(String::as_str)
            .filter(|n| dictionary(n))
            .collect();
        if names.is_empty() {
            return Ok(self.meta.clone());
        }
        let fields: Vec<FieldRef> = schema
            .fields()
            .iter()
            .map(|f| {
                if names.contains(&f.name().as_str()) {
                    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
                    Arc::new(f.as_ref().clone().with_data_type(dict))
                } else {
                    f.clone()
                }
            })
            .collect();
        let supplied = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        ArrowReaderMetadata::try_new(self.meta.metadata().clone(), reader_options().with_schema(supplied))
            .map_err(|e| self.bad(e.to_string()))
    }

    fn reader<R: parquet::file::reader::ChunkReader + 'static>(
        &self,
        input: R,
        filters: Vec<ScanFilter>,
        dictionaries: &[String],
    ) -> Result<(ParquetRecordBatchReader, Vec<ScanFilter>), IoError> {
        let meta = self.with_dictionaries(&filters, dictionaries)?;
        let (filters, deferred) = self.defer_plain_text_filters(filters, meta.schema());
        let mut builder = ParquetRecordBatchReaderBuilder::new_with_metadata(input, meta);
        let has_filters = !filters.is_empty();
        if has_filters {
            let schema = self.meta.schema().clone();
            let mut predicates: Vec<Box<dyn parquet::arrow::arrow_reader::ArrowPredicate>> = Vec::new();
            for f in filters {
                let roots = f
                    .columns
                    .iter()
                    .map(|c| {
                        schema.index_of(c).map_err(|_| IoError::MissingColumn {
                            table: self.table.to_string(),
                            column: c.clone(),
                            path: self.src.path(),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
                predicates.push(Box::new(ArrowPredicateFn::new(mask, f.predicate)));
            }
            builder = builder.with_row_filter(RowFilter::new(predicates));
        }
        let mask = ProjectionMask::roots(builder.parquet_schema(), self.columns.iter().copied());
        let group_rows = usize::try_from(self.meta.metadata().row_group(self.row_group).num_rows()).unwrap_or(0);
        let mut builder = builder.with_projection(mask).with_row_groups(vec![self.row_group]);
        if has_filters {
            // A selection backed by a bit mask from the start: the reader
            // then combines each filter's answers with it bit by bit, where
            // a run-length selection (or none) would be cut into a selector
            // per run of kept or dropped rows and intersected run by run.
            let mut rows = BooleanBufferBuilder::new(group_rows);
            rows.append_n(self.rows.start, false);
            rows.append_n(self.rows.len(), true);
            rows.append_n(group_rows.saturating_sub(self.rows.end), false);
            builder = builder.with_row_selection(RowSelection::from_boolean_buffer(rows.finish()));
        } else if self.rows.len() < group_rows {
            let mut selectors = Vec::with_capacity(3);
            if self.rows.start > 0 {
                selectors.push(RowSelector::skip(self.rows.start));
            }
            selectors.push(RowSelector::select(self.rows.len()));
            builder = builder.with_row_selection(RowSelection::from(selectors));
        }
        let reader = builder.with_batch_size(self.batch_size).build().map_err(|e| self.bad(e.to_string()))?;
        Ok((reader, deferred))
    }

    /// The filters split into those the reader runs and a trailing run of
    /// filters it leaves to the decoded batches: those that read only
    /// columns the part outputs anyway, at least one of them text the
    /// reader decodes as plain values (not as dictionary keys: a column
    /// chunk whose dictionary overflowed, or text with no dictionary). In
    /// the reader such a filter decodes its columns' pages once for
    /// itself and again for the output — decompressing and walking every
    /// value of pages that hold a kept row twice — where on the batches
    /// they are decoded once, and only the other columns are decoded for
    /// the rows it then drops. Only a trailing run is deferred, so each
    /// filter still sees exactly the rows the ones before it kept.
    fn defer_plain_text_filters(
        &self,
        mut filters: Vec<ScanFilter>,
        schema: &Schema,
    ) -> (Vec<ScanFilter>, Vec<ScanFilter>) {
        let output = |c: &str| schema.index_of(c).is_ok_and(|i| self.columns.contains(&i));
        let plain_text = |c: &str| {
            schema
                .field_with_name(c)
                .is_ok_and(|f| matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View))
        };
        let deferrable = |f: &ScanFilter| {
            !f.columns.is_empty() && f.columns.iter().all(|c| output(c)) && f.columns.iter().any(|c| plain_text(c))
        };
        let keep = filters.iter().rposition(|f| !deferrable(f)).map_or(0, |i| i + 1);
        let deferred = filters.split_off(keep);
        (filters, deferred)
    }
}

/// `batch` narrowed to the rows `f` keeps; `f` sees `f.columns` of it in
/// the batch's (file) column order, as it would in the reader.
fn apply_deferred(f: &mut ScanFilter, batch: RecordBatch) -> Result<RecordBatch, ArrowError> {
    let schema = batch.schema();
    let indices: Vec<usize> =
        (0..schema.fields().len()).filter(|i| f.columns.iter().any(|c| c == schema.field(*i).name())).collect();
    let input = batch.project(&indices)?;
    let mask = (f.predicate)(input)?;
    if mask.len() != batch.num_rows() {
        return Err(ArrowError::ComputeError(format!(
            "a filter answered {} rows of a batch of {}",
            mask.len(),
            batch.num_rows()
        )));
    }
    arrow_select::filter::filter_record_batch(&batch, &mask)
}

/// How footers are read: with the page index where there is one, and the
/// page encodings as a mask (enough to tell all-dictionary chunks).
fn reader_options() -> ArrowReaderOptions {
    ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional).with_encoding_stats_as_mask(true)
}

/// True if every data page of `column` is dictionary-encoded (the test the
/// parquet crate documents for `page_encoding_stats_mask`).
fn all_dictionary_encoded(column: &ColumnChunkMetaData) -> bool {
    column.dictionary_page_offset().is_some()
        && column
            .page_encoding_stats_mask()
            .is_some_and(|m| m.is_only(Encoding::PLAIN_DICTIONARY) || m.is_only(Encoding::RLE_DICTIONARY))
}

/// The batches of one [`ScanPart`]; the first error ends it.
pub struct PartReader {
    part: ScanPart,
    reader: Option<ParquetRecordBatchReader>,
    /// Filters run on the decoded batches, in order, after the reader's.
    deferred: Vec<ScanFilter>,
}

impl Iterator for PartReader {
    type Item = Result<RecordBatch, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let reader = self.reader.as_mut()?;
            let batch = reader.next()?.and_then(|b| self.deferred.iter_mut().try_fold(b, |b, f| apply_deferred(f, b)));
            match batch {
                // A batch the deferred filters emptied is not handed on,
                // as the reader hands on none it filtered empty.
                Ok(b) if b.num_rows() == 0 && !self.deferred.is_empty() => continue,
                Ok(b) => return Some(Ok(b)),
                Err(e) => {
                    self.reader = None;
                    return Some(Err(self.part.bad(e.to_string())));
                }
            }
        }
    }
}
