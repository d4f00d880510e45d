//! CSV: arrow-csv's writer (header row, RFC 4180 quoting, `\n` line ends,
//! empty cells for nulls). arrow-csv takes no custom formatters, so the
//! columns it would show differently from Kusto (datetime, timespan, real,
//! the executor's scale-18 decimals) are turned into Kusto's text first;
//! the rest (bool, int, long, other decimals,
//! string, guid, and dynamic's JSON text) it writes as they are.
//!
//! A batch is cut into slices encoded on every core, each into a buffer of
//! its own, and the buffers are written in order: the bytes are those of
//! encoding the batch whole on one core.

use super::dest::{Errors, Output};
use super::error::OutputError;
use super::kusto::Layout;
use super::text::text_column;
use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use kql_types::ScalarType;
use rayon::prelude::*;
use std::io::Write;
use std::sync::Arc;

/// Rows a slice of a batch holds at most (its buffer's size is bounded
/// whatever the batch's)…
const CHUNK_ROWS: usize = 16 * 1024;
/// … and at least, unless the batch is smaller (fewer rows than this are
/// not worth a task of their own).
const MIN_CHUNK_ROWS: usize = 1024;

pub(crate) struct CsvSink {
    out: Output,
    layout: Layout,
    /// The layout's schema with the converted columns as Utf8.
    schema: SchemaRef,
    errors: Errors,
    /// Each slice's CSV text; reused.
    scratch: Vec<Vec<u8>>,
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
        let n = batch.num_rows();
        // Slices for every core (a few per core, as they take unequal
        // times), each bounded; written a round of slices at a time.
        let threads = rayon::current_num_threads();
        let chunk = n.div_ceil(4 * threads).clamp(MIN_CHUNK_ROWS, CHUNK_ROWS);
        let per_round = 4 * threads;
        let mut offset = 0;
        while offset < n {
            let slices: Vec<(usize, usize)> = (0..per_round)
                .map(|k| offset + k * chunk)
                .take_while(|start| *start < n)
                .map(|start| (start, chunk.min(n - start)))
                .collect();
            offset = slices.last().map_or(n, |(start, len)| start + len);
            self.scratch.resize_with(self.scratch.len().max(slices.len()), Vec::new);
            let header = !self.header_written;
            let buffers = std::mem::take(&mut self.scratch);
            let (layout, schema, errors) = (&self.layout, &self.schema, &self.errors);
            let encoded: Vec<Result<Vec<u8>, OutputError>> = slices
                .par_iter()
                .zip(buffers)
                .enumerate()
                .map(|(k, (&(start, len), buffer))| {
                    encode(layout, schema, errors, &batch.slice(start, len), header && k == 0, buffer)
                })
                .collect();
            for buffer in encoded {
                let buffer = buffer?;
                self.out.write_all(&buffer).map_err(|e| self.errors.io(e))?;
                self.scratch.push(buffer);
            }
            self.header_written = true;
        }
        self.rows += n as u64;
        Ok(())
    }

    /// Writes the header if no batch did; returns the output and row count.
    pub fn finish(mut self) -> Result<(Output, u64), OutputError> {
        if !self.header_written {
            // The header alone, from no rows (of the layout's schema, which
            // `encode` prepares them for).
            let empty = RecordBatch::new_empty(self.layout.schema.clone());
            let buffer = encode(&self.layout, &self.schema, &self.errors, &empty, true, Vec::new())?;
            self.out.write_all(&buffer).map_err(|e| self.errors.io(e))?;
        }
        Ok((self.out, self.rows))
    }
}

/// Encodes rows of a result into `buffer` (cleared first), with the header
/// line if asked: Kusto's text for the columns arrow-csv would show
/// otherwise (`schema`: the layout's with those columns as text), then
/// arrow-csv's writer.
fn encode(
    layout: &Layout,
    schema: &SchemaRef,
    errors: &Errors,
    batch: &RecordBatch,
    header: bool,
    mut buffer: Vec<u8>,
) -> Result<Vec<u8>, OutputError> {
    let batch = layout.prepare(batch, &errors.target)?;
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (column, kind) in batch.columns().iter().zip(&layout.kinds) {
        columns.push(if as_text(*kind, column.data_type()) {
            text_column(*kind, column.as_ref()).map_err(|e| errors.arrow(e))?
        } else {
            column.clone()
        });
    }
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    let batch = RecordBatch::try_new_with_options(schema.clone(), columns, &options).map_err(|e| errors.arrow(e))?;
    buffer.clear();
    {
        let mut writer = arrow_csv::WriterBuilder::new().with_header(header).build(&mut buffer);
        writer.write(&batch).map_err(|e| errors.arrow(e))?;
    }
    Ok(buffer)
}
