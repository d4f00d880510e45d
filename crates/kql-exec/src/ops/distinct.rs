//! `distinct`: the first occurrence of each row, in arrival order. Batches
//! are taken a window at a time: each batch's rows are encoded and
//! deduplicated within the batch on every core (their first occurrences
//! hashed there too), then those are checked against the rows seen so far
//! (a [`KeyTable`]), batch after batch, so the order is the one a single
//! pass would give.
//!
//! Past half the memory budget a pass spills, as `summarize` does (it is a
//! `summarize` without aggregates): the rows seen so far stay and go on
//! filtering their repeats, and the first occurrences of rows not held go
//! to temporary files by their key's hash ([`partitions`] of them), so all
//! occurrences of a row land in one partition. Once the input ends, each
//! partition is deduplicated by a pass of its own (which may spill again,
//! with a new hash), several at once ([`Passes`]), each within an equal
//! part of the share. Every distinct row comes out exactly once; only the
//! order differs from a run in memory: the rows held first, then each
//! partition's (Kusto does not define `distinct`'s order).

use super::{Executor, next_window};
use crate::error::{ExecError, Result};
use crate::keys::{KeyEncoder, KeyRows, KeySet, KeyTable};
use crate::limits::{MemoryPool, Reservation};
use crate::source::Stream;
use crate::spill::{PassOutput, Passes, SpillFile, SpillWriter, partition_of, partitions, workers};
use arrow_array::{BooleanArray, RecordBatch, UInt32Array};
use kql_plan::plan::Plan;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;

pub fn distinct<'a>(ex: &'a Executor<'a>, input: &'a Plan) -> Result<Stream<'a>> {
    Ok(distinct_of(ex, ex.run(input)?))
}

/// The distinct rows of `input` (a spilled join's rows, for one).
pub(crate) fn distinct_of<'a>(ex: &'a Executor<'a>, input: Stream<'a>) -> Stream<'a> {
    let pass = Pass::new(&ex.pool, ex.pool.spill_share(), input);
    Box::new(Distinct { ex, pass: Some(pass), partitions: None, ready: VecDeque::new(), failed: false })
}

/// The first pass of one `distinct`, over its input, then the passes over
/// the partitions it spilled.
struct Distinct<'a> {
    ex: &'a Executor<'a>,
    pass: Option<Pass<'a>>,
    partitions: Option<Stream<'static>>,
    ready: VecDeque<RecordBatch>,
    failed: bool,
}

impl Iterator for Distinct<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(b) = self.ready.pop_front() {
                return Some(Ok(b));
            }
            if self.failed {
                return None;
            }
            if let Some(partitions) = self.partitions.as_mut() {
                return partitions.next();
            }
            let pass = self.pass.as_mut()?;
            let step = match next_window(&mut pass.input) {
                Ok(window) if window.is_empty() => {
                    // The first pass (and the memory it held) is gone
                    // before the partitions' passes start.
                    self.pass.take().map_or(Ok(Vec::new()), Pass::finish).map(|files| {
                        if !files.is_empty() {
                            self.partitions = Some(partition_passes(self.ex, files));
                        }
                    })
                }
                Ok(window) => pass.first_occurrences(&window).and_then(|kept| {
                    self.ready.extend(kept.into_iter().filter(|b| b.num_rows() > 0));
                    self.ex.check_cancel()
                }),
                Err(e) => Err(e),
            };
            if let Err(e) = step {
                self.failed = true;
                self.pass = None;
                return Some(Err(e));
            }
        }
    }
}

/// The passes over spilled partitions, several at once, each within an
/// equal part of the spilling share.
fn partition_passes(ex: &Executor<'_>, files: Vec<SpillFile>) -> Stream<'static> {
    let workers = workers();
    let share = (ex.pool.spill_share() / workers as u64).max(1);
    let pool = ex.pool.clone();
    let pass = move |file: SpillFile, out: &PassOutput| {
        let mut pass = Pass::new(&pool, share, Box::new(file.read()));
        loop {
            let window = next_window(&mut pass.input)?;
            if window.is_empty() {
                break;
            }
            for b in pass.first_occurrences(&window)? {
                out.send(b)?;
            }
            out.check()?;
        }
        out.queue(pass.finish()?);
        Ok(())
    };
    Box::new(Passes::new(files, workers, ex.cancel.clone(), pass))
}

/// One pass: its input, the rows seen so far (as row-format keys) and,
/// once they fill its share of the budget, the partitions it spills to.
struct Pass<'a> {
    input: Stream<'a>,
    rows: KeyTable,
    encoder: Option<KeyEncoder>,
    /// The keys' bytes and the set's overhead.
    held: Reservation,
    /// Bytes the keys may hold before new ones spill: the spilling share
    /// (`MemoryPool::spill_share`: half the budget, at most 512 MiB; for a
    /// pass over a partition, its part of it).
    share: u64,
    spill: Option<SpillWriter>,
    pool: Arc<MemoryPool>,
}

/// Bytes a held key costs beyond its row bytes (its place in the table).
const KEY_OVERHEAD: u64 = 32;

impl<'a> Pass<'a> {
    fn new(pool: &Arc<MemoryPool>, share: u64, input: Stream<'a>) -> Pass<'a> {
        Pass {
            input,
            rows: KeyTable::default(),
            encoder: None,
            held: pool.reservation("distinct"),
            share,
            spill: None,
            pool: pool.clone(),
        }
    }

    /// The partitions spilled, each to be deduplicated by a pass of its own.
    fn finish(self) -> Result<Vec<SpillFile>> {
        match self.spill {
            Some(w) => w.finish(),
            None => Ok(Vec::new()),
        }
    }

    /// Each batch of `window` reduced to the rows not seen before it (nor
    /// earlier in itself); rows not held are spilled instead.
    fn first_occurrences(&mut self, window: &[RecordBatch]) -> Result<Vec<RecordBatch>> {
        if window[0].num_columns() == 0 {
            // Distinct over no columns: one row if there is any.
            let empty: &[u8] = &[];
            let (_, keep) = self.rows.insert(self.rows.hasher().hash_one(empty), empty)?;
            return Ok(vec![window[0].slice(0, usize::from(keep))]);
        }
        if self.encoder.is_none() {
            let types: Vec<_> = window[0].schema().fields().iter().map(|f| f.data_type().clone()).collect();
            self.encoder = Some(KeyEncoder::new(&types)?);
        }
        let enc = self.encoder.as_ref().ok_or_else(|| ExecError::Internal("no distinct encoder".into()))?;
        let hasher = self.rows.hasher();
        let local: Vec<(KeyRows, Vec<(usize, u64)>)> =
            window.par_iter().map(|b| firsts_in_batch(enc, hasher, b)).collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(window.len());
        for (b, (rows, firsts)) in window.iter().zip(local) {
            let mut keep = vec![false; b.num_rows()];
            let parts = self.spill.as_ref().map_or_else(partitions, SpillWriter::partitions);
            let mut spilled: Vec<Vec<u32>> = vec![Vec::new(); parts];
            for (i, hash) in firsts {
                let key = rows.row(i);
                if self.rows.find(hash, key).is_some() {
                    continue;
                }
                if self.spill.is_none() {
                    if self.hold(key.len() as u64 + KEY_OVERHEAD) {
                        self.rows.insert(hash, key)?;
                        keep[i] = true;
                        continue;
                    }
                    self.spill = Some(SpillWriter::new("distinct", parts, &self.pool));
                }
                spilled[partition_of(hash, parts)].push(i as u32);
            }
            if let Some(writer) = self.spill.as_mut() {
                for (part, idx) in spilled.into_iter().enumerate().filter(|(_, idx)| !idx.is_empty()) {
                    let idx = UInt32Array::from(idx);
                    self.held.note_spilled(idx.len() as u64);
                    writer.push(part, arrow_select::take::take_record_batch(b, &idx)?)?;
                }
            }
            out.push(arrow_select::filter::filter_record_batch(b, &BooleanArray::from(keep))?);
        }
        Ok(out)
    }

    /// Reserves one more key of `cost` bytes if it fits the pass's share
    /// and the pool. The first key of a pass is held even past the pool
    /// (other operators may hold it for the moment), so that every pass
    /// makes progress.
    fn hold(&mut self, cost: u64) -> bool {
        if self.held.bytes() + cost <= self.share && self.held.grow(cost).is_ok() {
            return true;
        }
        if self.rows.len() == 0 {
            self.held.force_grow(cost);
            return true;
        }
        false
    }
}

/// The batch's rows as keys, and the position of the first occurrence of
/// each distinct one, in order, with its key's hash by `hasher`.
fn firsts_in_batch(
    enc: &KeyEncoder,
    hasher: &ahash::RandomState,
    b: &RecordBatch,
) -> Result<(KeyRows, Vec<(usize, u64)>)> {
    let rows = enc.encode(b.columns())?;
    let mut seen: KeySet<&[u8]> = KeySet::default();
    let firsts =
        (0..b.num_rows()).filter(|&i| seen.insert(rows.row(i))).map(|i| (i, hasher.hash_one(rows.row(i)))).collect();
    drop(seen);
    Ok((rows, firsts))
}
