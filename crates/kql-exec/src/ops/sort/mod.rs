//! `sort` and `top`: all rows, ordered by the keys; `top` keeps the first N.
//! Kusto's defaults are resolved by the binder (descending; nulls first when
//! ascending, last when descending). Strings order by their bytes.
//!
//! Each batch's keys are encoded as row bytes ([`keys`]) when it arrives,
//! and rows are ordered by those bytes with a stable sort, so rows with
//! equal keys keep their input order. Batches are gathered up to the
//! spilling share of the budget (`MemoryPool::spill_share`; `top`: up to [`TOP_CHUNK_BYTES`], then only its first N
//! rows are kept, in memory while they are small). Past that the gathered
//! rows are sorted and written as a *run* to a spill file (with their key
//! bytes), and once the input ends the runs are merged ([`merge`]: a k-way
//! merge, in several rounds when there are more runs than a merge may read
//! at once), the output streaming as it is merged. Without a run, the
//! sorted rows stream from memory.

mod keys;
mod merge;

use super::{Executor, empty_stream};
use crate::error::Result;
use crate::eval::EvalCx;
use crate::limits::{Reservation, batch_bytes};
use crate::source::{BATCH_SIZE, Stream};
use crate::spill::{SpillFile, SpillWriter};
use arrow_array::{ArrayRef, BinaryArray, RecordBatch};
use arrow_row::Rows;
use arrow_schema::{DataType, Field, Schema};
use keys::SortKeys;
use kql_plan::plan::{Plan, SortKey};
use merge::{Merge, interleave_rows};
use rayon::prelude::*;
use std::sync::Arc;

/// Rows per output batch.
const OUT_ROWS: usize = BATCH_SIZE;

/// Bytes `top` gathers before it sorts them and keeps only its first N rows.
const TOP_CHUNK_BYTES: u64 = 64 << 20;

/// Bytes of rows per batch written to a run, so that a merge holds about
/// this much per run it reads.
const RUN_BATCH_BYTES: u64 = 1 << 20;

/// The most runs one merge reads at once.
const MAX_FAN_IN: usize = 64;

pub fn sort<'a>(
    ex: &'a Executor<'a>,
    input: &'a Plan,
    keys: &'a [SortKey],
    limit: Option<usize>,
) -> Result<Stream<'a>> {
    let operator = if limit.is_some() { "top" } else { "sort" };
    let input = ex.run(input)?;
    if limit == Some(0) {
        for b in input {
            b?;
        }
        return Ok(empty_stream());
    }
    let subs = ex.subqueries(keys.iter().map(|k| &k.expr))?;
    let share = ex.pool.spill_share();
    let mut sorter = Sorter {
        ex,
        operator,
        limit,
        keys: SortKeys::new(keys, EvalCx { now: ex.now, subqueries: &subs }),
        buffer: Vec::new(),
        rows: Vec::new(),
        buffered: 0,
        threshold: if limit.is_some() { share.min(TOP_CHUNK_BYTES) } else { share },
        held: ex.pool.reservation(operator),
        runs: Vec::new(),
    };
    for b in input {
        sorter.push(b?)?;
        ex.check_cancel()?;
    }
    sorter.finish()
}

/// The rows of a `sort` gathered so far and the runs it spilled.
struct Sorter<'a, 'k> {
    ex: &'a Executor<'a>,
    operator: &'static str,
    limit: Option<usize>,
    keys: SortKeys<'k>,
    buffer: Vec<RecordBatch>,
    /// Each gathered batch's keys.
    rows: Vec<Rows>,
    buffered: u64,
    /// Bytes gathered before they are sorted into a run.
    threshold: u64,
    held: Reservation,
    runs: Vec<SpillFile>,
}

impl<'a> Sorter<'a, '_> {
    fn push(&mut self, batch: RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let rows = self.keys.encode(&batch)?;
        let bytes = batch_bytes(&batch) + rows.size() as u64;
        let fits = self.buffered + bytes <= self.threshold && self.held.grow(bytes).is_ok();
        if !fits {
            if !self.buffer.is_empty() {
                self.compact()?;
            }
            // One batch is held even past the budget (other operators may
            // hold it for the moment): a sort must gather rows to progress.
            if self.held.grow(bytes).is_err() {
                self.held.force_grow(bytes);
            }
        }
        self.keep(batch, rows, bytes);
        if self.buffered > self.threshold {
            // One batch larger than the threshold: a run of its own.
            self.compact()?;
        }
        Ok(())
    }

    fn keep(&mut self, batch: RecordBatch, rows: Rows, bytes: u64) {
        self.buffered += bytes;
        self.buffer.push(batch);
        self.rows.push(rows);
    }

    /// The gathered rows in key order (stable), as (batch, row) pairs;
    /// `top`'s first N only.
    fn order(&mut self) -> Vec<(usize, usize)> {
        let n: usize = self.buffer.iter().map(RecordBatch::num_rows).sum();
        self.held.force_grow(16 * n as u64);
        let mut order: Vec<(usize, usize)> =
            self.buffer.iter().enumerate().flat_map(|(b, batch)| (0..batch.num_rows()).map(move |r| (b, r))).collect();
        let rows = &self.rows;
        order.par_sort_by(|a, b| rows[a.0].row(a.1).cmp(&rows[b.0].row(b.1)));
        if let Some(limit) = self.limit {
            order.truncate(limit);
        }
        order
    }

    /// The gathered rows sorted: `top`'s first N kept in memory while they
    /// are small, else written as a run.
    fn compact(&mut self) -> Result<()> {
        let total: usize = self.buffer.iter().map(RecordBatch::num_rows).sum();
        let order = self.order();
        let kept_bytes = self.buffered * order.len() as u64 / total.max(1) as u64;
        if self.limit.is_some() && kept_bytes <= self.threshold / 2 {
            let kept = interleave_rows(&self.buffer, &order, self.buffer[0].num_columns())?;
            let rows = self.keys.encode(&kept)?;
            let bytes = batch_bytes(&kept) + rows.size() as u64;
            if bytes <= self.threshold / 2 {
                self.clear();
                self.held.force_grow(bytes);
                self.keep(kept, rows, bytes);
                return Ok(());
            }
        }
        self.write_run(&order)
    }

    /// The gathered rows, in `order`, written as a run with their keys.
    fn write_run(&mut self, order: &[(usize, usize)]) -> Result<()> {
        let total: usize = self.buffer.iter().map(RecordBatch::num_rows).sum();
        let row_bytes = (self.buffered / total.max(1) as u64).max(1);
        let chunk = ((RUN_BATCH_BYTES / row_bytes) as usize).clamp(16, OUT_ROWS);
        let mut writer = SpillWriter::new(self.operator, 1, &self.ex.pool);
        let columns = self.buffer[0].num_columns();
        for picks in order.chunks(chunk) {
            let batch = interleave_rows(&self.buffer, picks, columns)?;
            let keys = BinaryArray::from_iter_values(picks.iter().map(|(b, r)| self.rows[*b].row(*r)));
            self.held.note_spilled(picks.len() as u64);
            writer.push(0, with_keys(&batch, Arc::new(keys))?)?;
            self.ex.check_cancel()?;
        }
        self.runs.extend(writer.finish()?);
        self.clear();
        Ok(())
    }

    fn clear(&mut self) {
        self.buffer.clear();
        self.rows.clear();
        self.buffered = 0;
        self.held.shrink(self.held.bytes());
    }

    /// The sorted rows: from memory, or merged from the runs.
    fn finish(mut self) -> Result<Stream<'a>> {
        if self.runs.is_empty() {
            if self.buffer.is_empty() {
                return Ok(empty_stream());
            }
            let order = self.order();
            let Sorter { buffer, held, .. } = self;
            return Ok(Box::new(Sorted { buffer, order, at: 0, _held: held }));
        }
        if !self.buffer.is_empty() {
            let order = self.order();
            self.write_run(&order)?;
        }
        let (ex, operator, limit) = (self.ex, self.operator, self.limit);
        let fan_in = ((ex.pool.spill_share() / (2 * RUN_BATCH_BYTES)) as usize).clamp(2, MAX_FAN_IN);
        let mut runs = std::mem::take(&mut self.runs);
        drop(self);
        while runs.len() > fan_in {
            // A round: each `fan_in` consecutive runs merged into one (so
            // equal keys keep their input order).
            let mut merged = Vec::new();
            let mut rest = runs.into_iter().peekable();
            while rest.peek().is_some() {
                let group: Vec<SpillFile> = rest.by_ref().take(fan_in).collect();
                if group.len() == 1 {
                    merged.extend(group);
                    continue;
                }
                let mut writer = SpillWriter::new(operator, 1, &ex.pool);
                for b in Merge::new(streams(group), limit, true, ex.pool.reservation(operator))? {
                    let b = b?;
                    ex.pool.note_spilled(b.num_rows() as u64);
                    writer.push(0, b)?;
                    ex.check_cancel()?;
                }
                merged.extend(writer.finish()?);
            }
            runs = merged;
        }
        Ok(Box::new(Merge::new(streams(runs), limit, false, ex.pool.reservation(operator))?))
    }
}

fn streams<'a>(runs: Vec<SpillFile>) -> Vec<Stream<'a>> {
    runs.into_iter().map(|r| Box::new(r.read()) as Stream<'a>).collect()
}

/// `batch` with the rows' key bytes as its last column.
fn with_keys(batch: &RecordBatch, keys: ArrayRef) -> Result<RecordBatch> {
    let schema = batch.schema();
    let mut fields: Vec<_> = schema.fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new("sort key", DataType::Binary, false)));
    let mut columns = batch.columns().to_vec();
    columns.push(keys);
    Ok(RecordBatch::try_new(Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())), columns)?)
}

/// Sorted rows held in memory, streamed a batch at a time.
struct Sorted {
    buffer: Vec<RecordBatch>,
    order: Vec<(usize, usize)>,
    at: usize,
    _held: Reservation,
}

impl Iterator for Sorted {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.order.len() {
            return None;
        }
        let end = (self.at + OUT_ROWS).min(self.order.len());
        let picks = &self.order[self.at..end];
        self.at = end;
        Some(interleave_rows(&self.buffer, picks, self.buffer[0].num_columns()))
    }
}
