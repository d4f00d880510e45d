//! A table for people: arrow-cast's pretty printer over cells we format
//! ourselves (Kusto's text forms, one line per row, cut at a width).
//!
//! Only the rows shown are kept, already formatted and cut, so memory is
//! bounded by `max_rows × columns × max_cell_width` however large the result;
//! the rest are counted. The table is written when the sink finishes (column
//! widths depend on every shown row), followed by `… N more rows` when rows
//! were left out, or `(0 rows)` under the header of an empty result.

use super::dest::{Errors, Output};
use super::error::OutputError;
use super::kusto::Layout;
use super::text::{compact_json, fit_cell, text_column};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, StringArray};
use arrow_schema::{DataType, Field, Schema};
use kql_syntax::ScalarType;
use std::io::Write;
use std::sync::Arc;

pub(crate) struct TableSink {
    out: Output,
    layout: Layout,
    errors: Errors,
    max_rows: usize,
    max_cell_width: usize,
    show_types: bool,
    /// The shown cells, column by column.
    cells: Vec<Vec<String>>,
    shown: usize,
    total: u64,
}

impl TableSink {
    pub fn new(out: Output, layout: Layout, max_rows: usize, max_cell_width: usize, show_types: bool) -> TableSink {
        let errors = out.errors().clone();
        let cells = vec![Vec::new(); layout.kinds.len()];
        TableSink { out, layout, errors, max_rows, max_cell_width, show_types, cells, shown: 0, total: 0 }
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        let take = batch.num_rows().min(self.max_rows - self.shown);
        // Prepare (and so check) even an empty slice; format only what is shown.
        let part = self.layout.prepare(&batch.slice(0, take), &self.errors.target)?;
        for ((cells, column), kind) in self.cells.iter_mut().zip(part.columns()).zip(&self.layout.kinds) {
            let text = text_column(*kind, column.as_ref()).map_err(|e| self.errors.arrow(e))?;
            let text = text.as_string::<i32>();
            for i in 0..text.len() {
                let cell = if text.is_null(i) { "" } else { text.value(i) };
                let cell = if *kind == ScalarType::Dynamic { compact_json(cell) } else { cell.into() };
                cells.push(fit_cell(&cell, self.max_cell_width).into_owned());
            }
        }
        self.shown += take;
        self.total += batch.num_rows() as u64;
        Ok(())
    }

    /// Renders the table; returns the output, the total and the shown rows.
    pub fn finish(mut self) -> Result<(Output, u64, u64), OutputError> {
        let fields: Vec<Field> = self
            .layout
            .schema
            .fields()
            .iter()
            .zip(&self.layout.kinds)
            .map(|(f, kind)| {
                let name = if self.show_types { format!("{}\n{}", f.name(), kind) } else { f.name().clone() };
                Field::new(name, DataType::Utf8, true)
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let columns: Vec<ArrayRef> =
            std::mem::take(&mut self.cells).into_iter().map(|c| Arc::new(StringArray::from(c)) as ArrayRef).collect();
        let options = RecordBatchOptions::new().with_row_count(Some(self.shown));
        let batch =
            RecordBatch::try_new_with_options(schema.clone(), columns, &options).map_err(|e| self.errors.arrow(e))?;
        let batches = if self.shown == 0 { Vec::new() } else { vec![batch] };
        let table = arrow_cast::pretty::pretty_format_batches_with_schema(schema, &batches)
            .map_err(|e| self.errors.arrow(e))?;
        let hidden = self.total - self.shown as u64;
        let result = (|| {
            writeln!(self.out, "{table}")?;
            match hidden {
                0 if self.total == 0 => writeln!(self.out, "(0 rows)"),
                0 => Ok(()),
                1 => writeln!(self.out, "… 1 more row"),
                n => writeln!(self.out, "… {n} more rows"),
            }
        })();
        result.map_err(|e| self.errors.io(e))?;
        Ok((self.out, self.total, self.shown as u64))
    }
}
