//! The groups of a `summarize` pass, streamed out in batches.

use crate::error::Result;
use crate::limits::Reservation;
use crate::ops::batch_of;
use arrow_array::*;
use std::collections::VecDeque;

/// Rows per output batch of `summarize` (at least; a batch ends with a
/// whole part of the keys).
const OUTPUT_ROWS: usize = 8192;

/// The groups of a `summarize`, streamed in batches: the keys' parts (each
/// batch's new groups, in order) joined a few at a time and dropped once
/// written, the aggregates' columns sliced alongside. So the result is
/// never copied whole (millions of groups would hold it twice).
pub(super) struct GroupBatches {
    pub(super) names: Vec<String>,
    /// Each key's parts, all cut alike.
    pub(super) key_parts: Vec<VecDeque<ArrayRef>>,
    /// The aggregates' output columns, one value per group.
    pub(super) outputs: Vec<(String, ArrayRef)>,
    /// Groups already output.
    pub(super) offset: usize,
    /// The memory the groups hold, given back when the stream is dropped.
    pub(super) _held: Reservation,
}

impl Iterator for GroupBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        // How many parts make the next batch, and its rows.
        let first = self.key_parts.first()?;
        let (mut take, mut rows) = (0, 0);
        for part in first {
            if rows >= OUTPUT_ROWS {
                break;
            }
            take += 1;
            rows += part.len();
        }
        if take == 0 {
            return None;
        }
        let batch = (|| {
            let mut columns = Vec::with_capacity(self.names.len() + self.outputs.len());
            for (name, parts) in self.names.iter().zip(self.key_parts.iter_mut()) {
                let joined: Vec<ArrayRef> = parts.drain(..take).collect();
                let a = match joined.as_slice() {
                    [one] => one.clone(),
                    many => arrow_select::concat::concat(&many.iter().map(|a| a.as_ref()).collect::<Vec<_>>())?,
                };
                columns.push((name.clone(), a));
            }
            for (name, a) in &self.outputs {
                columns.push((name.clone(), a.slice(self.offset, rows)));
            }
            batch_of(columns, rows)
        })();
        self.offset += rows;
        Some(batch)
    }
}
