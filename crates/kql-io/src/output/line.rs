//! The vertical record view (`--format line`, like duckdb's `.mode line`):
//! one `Column = value` line per column, names right-aligned, a blank line
//! between records. Rows are written as they come; past `max_rows` they are
//! counted (`… N more rows`), and an empty result is `(0 rows)`. With a
//! `max_width`, values are cut to fit it (the tail of a path kept first).

use super::dest::{Errors, Output};
use super::error::OutputError;
use super::kusto::Layout;
use super::table::cell_texts;
use super::width::{cut_cell, display_width, visible};
use arrow_array::RecordBatch;
use std::io::Write;

/// Values are never cut narrower than this.
const MIN_VALUE: usize = 10;

pub(crate) struct LineSink {
    out: Output,
    layout: Layout,
    errors: Errors,
    max_rows: usize,
    /// Columns a value may take (0 = whole).
    value_width: usize,
    /// Each column's name, right-aligned to the widest, with ` = `.
    labels: Vec<String>,
    shown: usize,
    total: u64,
}

impl LineSink {
    pub fn new(out: Output, layout: Layout, max_rows: usize, max_width: usize) -> LineSink {
        let errors = out.errors().clone();
        let names: Vec<String> = layout.schema.fields().iter().map(|f| visible(f.name()).into_owned()).collect();
        let widest = names.iter().map(|n| display_width(n)).max().unwrap_or(0);
        let labels = names.iter().map(|n| format!("{}{n} = ", " ".repeat(widest - display_width(n)))).collect();
        let value_width = match max_width {
            0 => 0,
            w => w.saturating_sub(widest + 3).max(MIN_VALUE),
        };
        LineSink { out, layout, errors, max_rows, value_width, labels, shown: 0, total: 0 }
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        let take = batch.num_rows().min(self.max_rows - self.shown);
        let part = self.layout.prepare(&batch.slice(0, take), &self.errors.target)?;
        let columns = part
            .columns()
            .iter()
            .zip(&self.layout.kinds)
            .map(|(column, kind)| cell_texts(*kind, column.as_ref(), &self.errors))
            .collect::<Result<Vec<_>, _>>()?;
        let mut text = String::new();
        for row in 0..take {
            if self.shown + row > 0 {
                text.push('\n');
            }
            for (label, cells) in self.labels.iter().zip(&columns) {
                text.push_str(label);
                text.push_str(&cut_cell(&cells[row], self.value_width));
                text.push('\n');
            }
        }
        self.out.write_all(text.as_bytes()).map_err(|e| self.errors.io(e))?;
        self.shown += take;
        self.total += batch.num_rows() as u64;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(Output, u64, u64), OutputError> {
        let hidden = self.total - self.shown as u64;
        let result = match hidden {
            0 if self.total == 0 => writeln!(self.out, "(0 rows)"),
            0 => Ok(()),
            1 => writeln!(self.out, "\n… 1 more row"),
            n => writeln!(self.out, "\n… {n} more rows"),
        };
        result.map_err(|e| self.errors.io(e))?;
        Ok((self.out, self.total, self.shown as u64))
    }
}
