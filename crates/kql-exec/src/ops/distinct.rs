//! `distinct`: the first occurrence of each row, in arrival order. Batches
//! are taken a window at a time: each batch's rows are encoded and
//! deduplicated within the batch on every core (their first occurrences
//! hashed there too), then those are checked against the rows seen so far
//! (a [`KeyTable`]), batch after batch, so the order is the one a single
//! pass would give.

use super::{Executor, next_window};
use crate::error::{ExecError, Result};
use crate::keys::{KeyEncoder, KeySet, KeyTable};
use crate::limits::Reservation;
use crate::source::Stream;
use arrow_array::{BooleanArray, RecordBatch};
use arrow_row::Rows;
use kql_plan::plan::Plan;
use rayon::prelude::*;
use std::collections::VecDeque;

pub fn distinct<'a>(ex: &'a Executor<'a>, input: &'a Plan) -> Result<Stream<'a>> {
    let mut input = ex.run(input)?;
    let mut state = Seen { rows: KeyTable::default(), encoder: None, held: ex.pool.reservation("distinct") };
    let mut ready: VecDeque<RecordBatch> = VecDeque::new();
    let mut failed = false;
    Ok(Box::new(std::iter::from_fn(move || {
        loop {
            if let Some(b) = ready.pop_front() {
                return Some(Ok(b));
            }
            if failed {
                return None;
            }
            let window = match next_window(&mut input) {
                Ok(w) if w.is_empty() => return None,
                Ok(w) => w,
                Err(e) => {
                    failed = true;
                    return Some(Err(e));
                }
            };
            match state.first_occurrences(&window) {
                Ok(kept) => ready.extend(kept.into_iter().filter(|b| b.num_rows() > 0)),
                Err(e) => {
                    failed = true;
                    return Some(Err(e));
                }
            }
        }
    })))
}

/// The rows seen so far, as row-format keys.
struct Seen {
    rows: KeyTable,
    encoder: Option<KeyEncoder>,
    /// The keys' bytes and the set's overhead.
    held: Reservation,
}

impl Seen {
    /// Each batch of `window` reduced to the rows not seen before it (nor
    /// earlier in itself).
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
        let local: Vec<(Rows, Vec<(usize, u64)>)> =
            window.par_iter().map(|b| firsts_in_batch(enc, hasher, b)).collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(window.len());
        for (b, (rows, firsts)) in window.iter().zip(local) {
            let mut keep = vec![false; b.num_rows()];
            let mut added = 0u64;
            for (i, hash) in firsts {
                let key = rows.row(i);
                if self.rows.insert(hash, key.as_ref())?.1 {
                    added += key.as_ref().len() as u64 + 32;
                    keep[i] = true;
                }
            }
            self.held.grow(added)?;
            out.push(arrow_select::filter::filter_record_batch(b, &BooleanArray::from(keep))?);
        }
        Ok(out)
    }
}

/// The batch's rows as keys, and the position of the first occurrence of
/// each distinct one, in order, with its key's hash by `hasher`.
fn firsts_in_batch(
    enc: &KeyEncoder,
    hasher: &ahash::RandomState,
    b: &RecordBatch,
) -> Result<(Rows, Vec<(usize, u64)>)> {
    let rows = enc.encode(b.columns())?;
    let mut seen: KeySet<&[u8]> = KeySet::default();
    let firsts = (0..b.num_rows())
        .filter(|&i| seen.insert(rows.row(i).data()))
        .map(|i| (i, hasher.hash_one(rows.row(i).data())))
        .collect();
    drop(seen);
    Ok((rows, firsts))
}
