//! The k-way merge of sorted runs. Each run's batches carry its rows' sort
//! keys as row bytes in their last column; the merge keeps one batch per
//! run, takes the smallest key of the runs' next rows (the earlier run on
//! a tie, so the merge is stable), and gathers the rows it takes into
//! output batches.

use super::OUT_ROWS;
use crate::error::{ExecError, Result};
use crate::limits::{Reservation, batch_bytes};
use crate::source::Stream;
use arrow_array::cast::AsArray;
use arrow_array::{Array, BinaryArray, RecordBatch, RecordBatchOptions};
use arrow_schema::Schema;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

/// A run being read: its current batch, that batch's keys and the next row.
struct Cursor<'a> {
    input: Stream<'a>,
    batch: RecordBatch,
    keys: BinaryArray,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// The run's first non-empty batch, if any.
    fn open(mut input: Stream<'a>, held: &mut Reservation) -> Result<Option<Cursor<'a>>> {
        match next_batch(&mut input, held)? {
            Some((batch, keys)) => Ok(Some(Cursor { input, batch, keys, pos: 0 })),
            None => Ok(None),
        }
    }
}

fn next_batch(input: &mut Stream<'_>, held: &mut Reservation) -> Result<Option<(RecordBatch, BinaryArray)>> {
    for b in input.by_ref() {
        let b = b?;
        if b.num_rows() == 0 {
            continue;
        }
        let keys = b
            .columns()
            .last()
            .and_then(|k| k.as_binary_opt::<i32>())
            .ok_or_else(|| ExecError::Internal("a sorted run without its key column".into()))?
            .clone();
        // A merge must hold one batch per run to make progress at all.
        held.force_grow(batch_bytes(&b));
        return Ok(Some((b, keys)));
    }
    Ok(None)
}

/// Rows of `runs` in key order, at most `limit` of them, in batches of
/// about [`OUT_ROWS`] rows; with `keep_keys`, the batches keep their key
/// column (a merge into a run of a later merge).
pub(super) struct Merge<'a> {
    cursors: Vec<Option<Cursor<'a>>>,
    /// The next key of each run with rows left, and the run.
    heap: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
    left: usize,
    keep_keys: bool,
    held: Reservation,
    failed: bool,
}

impl<'a> Merge<'a> {
    pub(super) fn new(
        runs: Vec<Stream<'a>>,
        limit: Option<usize>,
        keep_keys: bool,
        mut held: Reservation,
    ) -> Result<Merge<'a>> {
        let mut cursors = Vec::with_capacity(runs.len());
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (k, run) in runs.into_iter().enumerate() {
            let cursor = Cursor::open(run, &mut held)?;
            if let Some(c) = &cursor {
                heap.push(Reverse((c.keys.value(0).to_vec(), k)));
            }
            cursors.push(cursor);
        }
        Ok(Merge { cursors, heap, left: limit.unwrap_or(usize::MAX), keep_keys, held, failed: false })
    }

    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        // The batches rows are taken from: each cursor's current one, and
        // those it finished while this output batch was gathered.
        let mut batches: Vec<RecordBatch> = Vec::new();
        let mut slot: Vec<usize> = vec![usize::MAX; self.cursors.len()];
        let mut picks: Vec<(usize, usize)> = Vec::with_capacity(OUT_ROWS);
        let mut released = 0u64;
        while picks.len() < OUT_ROWS && self.left > 0 {
            let Some(Reverse((mut key, run))) = self.heap.pop() else { break };
            let Some(cursor) = self.cursors[run].as_mut() else {
                return Err(ExecError::Internal("a merge run without a cursor".into()));
            };
            if slot[run] == usize::MAX {
                slot[run] = batches.len();
                batches.push(cursor.batch.clone());
            }
            picks.push((slot[run], cursor.pos));
            self.left -= 1;
            cursor.pos += 1;
            if cursor.pos == cursor.batch.num_rows() {
                released += batch_bytes(&cursor.batch);
                match next_batch(&mut cursor.input, &mut self.held)? {
                    Some((batch, keys)) => {
                        cursor.batch = batch;
                        cursor.keys = keys;
                        cursor.pos = 0;
                        slot[run] = usize::MAX;
                    }
                    None => {
                        self.cursors[run] = None;
                        continue;
                    }
                }
            }
            let Some(cursor) = self.cursors[run].as_ref() else { continue };
            key.clear();
            key.extend_from_slice(cursor.keys.value(cursor.pos));
            self.heap.push(Reverse((key, run)));
        }
        if picks.is_empty() {
            return Ok(None);
        }
        let columns = batches[0].num_columns() - usize::from(!self.keep_keys);
        let out = interleave_rows(&batches, &picks, columns)?;
        drop(batches);
        self.held.shrink(released);
        Ok(Some(out))
    }
}

impl Iterator for Merge<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.next_batch() {
            Ok(b) => b.map(Ok),
            Err(e) => {
                self.failed = true;
                self.cursors.clear();
                Some(Err(e))
            }
        }
    }
}

/// The rows `picks` ((batch, row) pairs) of `batches`, in that order, with
/// their first `columns` columns.
pub(super) fn interleave_rows(
    batches: &[RecordBatch],
    picks: &[(usize, usize)],
    columns: usize,
) -> Result<RecordBatch> {
    let schema = batches[0].schema();
    let mut arrays = Vec::with_capacity(columns);
    for i in 0..columns {
        let values: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
        arrays.push(arrow_select::interleave::interleave(&values, picks)?);
    }
    let fields: Vec<_> = schema.fields().iter().take(columns).cloned().collect();
    let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let options = RecordBatchOptions::new().with_row_count(Some(picks.len()));
    Ok(RecordBatch::try_new_with_options(schema, arrays, &options)?)
}
