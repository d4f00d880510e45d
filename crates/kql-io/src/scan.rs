//! Reading a table's Parquet files: only the requested columns, batch by
//! batch. Type conversion to the executor's representation happens in the
//! executor; this layer only reads.

use crate::error::IoError;
use crate::table::{FileSource, TableFiles};
use arrow_array::RecordBatch;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use std::fs::File;

/// Batches of one table, file after file, with the requested columns in
/// the files' column order.
pub struct TableScan {
    table: String,
    columns: Vec<String>,
    batch_size: usize,
    files: std::vec::IntoIter<FileSource>,
    current: Option<(FileSource, ParquetRecordBatchReader)>,
}

impl TableFiles {
    /// Reads `columns` (all must exist in the table) in batches of about `batch_size` rows.
    pub fn scan(&self, columns: &[String], batch_size: usize) -> Result<TableScan, IoError> {
        for c in columns {
            if self.schema.field_with_name(c).is_err() {
                return Err(IoError::MissingColumn {
                    table: self.name.clone(),
                    column: c.clone(),
                    path: self.files.first().map(FileSource::path).unwrap_or_default(),
                });
            }
        }
        Ok(TableScan {
            table: self.name.clone(),
            columns: columns.to_vec(),
            batch_size: batch_size.max(1),
            files: self.files.clone().into_iter(),
            current: None,
        })
    }
}

impl TableScan {
    fn open(&self, src: &FileSource) -> Result<ParquetRecordBatchReader, IoError> {
        match src {
            FileSource::Path(path) => {
                let file = File::open(path).map_err(|source| IoError::UnreadableTableFile {
                    table: self.table.clone(),
                    path: path.clone(),
                    source,
                })?;
                self.reader(src, file)
            }
            FileSource::Memory { data, .. } | FileSource::Text { data, .. } => self.reader(src, data.clone()),
        }
    }

    fn reader<R: parquet::file::reader::ChunkReader + 'static>(
        &self,
        src: &FileSource,
        input: R,
    ) -> Result<ParquetRecordBatchReader, IoError> {
        let bad = |reason: String| IoError::BadParquet { table: self.table.clone(), path: src.path(), reason };
        let builder = ParquetRecordBatchReaderBuilder::try_new(input).map_err(|e| bad(e.to_string()))?;
        let schema = builder.parquet_schema();
        let arrow = builder.schema().clone();
        // Leaf indices of the requested top-level columns.
        let roots: Vec<usize> = self
            .columns
            .iter()
            .map(|c| {
                arrow.index_of(c).map_err(|_| IoError::MissingColumn {
                    table: self.table.clone(),
                    column: c.clone(),
                    path: src.path(),
                })
            })
            .collect::<Result<_, _>>()?;
        let mask = ProjectionMask::roots(schema, roots);
        builder.with_projection(mask).with_batch_size(self.batch_size).build().map_err(|e| bad(e.to_string()))
    }
}

impl Iterator for TableScan {
    type Item = Result<RecordBatch, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((path, reader)) = &mut self.current {
                match reader.next() {
                    Some(Ok(batch)) => return Some(Ok(batch)),
                    Some(Err(e)) => {
                        let err =
                            IoError::BadParquet { table: self.table.clone(), path: path.path(), reason: e.to_string() };
                        self.current = None;
                        self.files = Vec::new().into_iter();
                        return Some(Err(err));
                    }
                    None => self.current = None,
                }
            }
            let src = self.files.next()?;
            match self.open(&src) {
                Ok(reader) => self.current = Some((src, reader)),
                Err(e) => {
                    self.files = Vec::new().into_iter();
                    return Some(Err(e));
                }
            }
        }
    }
}
