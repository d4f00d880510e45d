//! CSV: arrow-csv's writer (header row, RFC 4180 quoting, `\n` line ends,
//! empty cells for nulls). arrow-csv takes no custom formatters, so the
//! columns it would show differently from Kusto (datetime, timespan, real,
//! the executor's scale-18 decimals) are turned into Kusto's text first;
//! the rest (bool, int, long, other decimals,
//! string, guid, and dynamic's JSON text) it writes as they are.

use super::dest::{Errors, Output};
use super::error::OutputError;
use super::kusto::Layout;
use super::text::text_column;
use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use kql_types::ScalarType;
use std::io::Write;
use std::sync::Arc;

const CHUNK_ROWS: usize = 16 * 1024;

pub(crate) struct CsvSink {
    out: Output,
    layout: Layout,
    /// The layout's schema with the converted columns as Utf8.
    schema: SchemaRef,
    errors: Errors,
    /// One batch's CSV text; reused.
    scratch: Vec<u8>,
    header_written: bool,
    rows: u64,
}

fn as_text(kind: ScalarType, dt: &DataType) -> bool {
    matches!(kind, ScalarType::DateTime | ScalarType::Timespan | ScalarType::Real)
        // the executor's scale-18 decimals, trimmed as text.rs shows them
        || matches!((kind, dt), (ScalarType::Decimal, DataType::Decimal128(_, 18)))
}

impl CsvSink {
    pub fn new(out: Output, layout: Layout) -> CsvSink {
        let fields: Vec<Field> = layout
            .schema
            .fields()
            .iter()
            .zip(&layout.kinds)
            .map(|(f, kind)| {
                if as_text(*kind, f.data_type()) {
                    f.as_ref().clone().with_data_type(DataType::Utf8)
                } else {
                    f.as_ref().clone()
                }
            })
            .collect();
        let errors = out.errors().clone();
        CsvSink {
            out,
            layout,
            schema: Arc::new(Schema::new(fields)),
            errors,
            scratch: Vec::new(),
            header_written: false,
            rows: 0,
        }
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        let batch = self.layout.prepare(batch, &self.errors.target)?;
        let mut columns = Vec::with_capacity(batch.num_columns());
        for (column, kind) in batch.columns().iter().zip(&self.layout.kinds) {
            columns.push(if as_text(*kind, column.data_type()) {
                text_column(*kind, column.as_ref()).map_err(|e| self.errors.arrow(e))?
            } else {
                column.clone()
            });
        }
        let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        let batch = RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)
            .map_err(|e| self.errors.arrow(e))?;
        // Bounded scratch memory whatever the batch size.
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = CHUNK_ROWS.min(batch.num_rows() - offset);
            self.write_csv(&batch.slice(offset, len))?;
            offset += len;
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Encodes into the scratch buffer (arrow-csv's writer cannot hand back
    /// its writer without unwrapping a flush) and then writes the bytes.
    fn write_csv(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        self.scratch.clear();
        {
            let mut writer = arrow_csv::WriterBuilder::new().with_header(!self.header_written).build(&mut self.scratch);
            writer.write(batch).map_err(|e| self.errors.arrow(e))?;
        }
        self.header_written = true;
        self.out.write_all(&self.scratch).map_err(|e| self.errors.io(e))
    }

    /// Writes the header if no batch did; returns the output and row count.
    pub fn finish(mut self) -> Result<(Output, u64), OutputError> {
        if !self.header_written {
            let empty = RecordBatch::new_empty(self.schema.clone());
            self.write_csv(&empty)?;
        }
        Ok((self.out, self.rows))
    }
}
