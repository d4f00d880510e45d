//! The groups of a `summarize` pass, streamed out in batches.

use crate::error::Result;
use crate::keys::{KeyEncoder, KeyTable};
use crate::limits::Reservation;
use crate::ops::batch_of;
use arrow_array::*;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;

/// Rows per output batch of `summarize`.
const OUTPUT_ROWS: usize = 8192;

/// The groups of a `summarize`, streamed in batches: the keys decoded from
/// the group table's bytes a batch at a time, as many batches at once as
/// cores (the table is the one copy of the keys; millions of groups would
/// otherwise hold them twice), the aggregates' columns sliced alongside.
pub(super) struct GroupBatches {
    pub(super) names: Vec<String>,
    /// The groups' keys, numbered in output order.
    pub(super) groups: KeyTable,
    pub(super) encoder: Arc<KeyEncoder>,
    /// The aggregates' output columns, one value per group.
    pub(super) outputs: Vec<(String, ArrayRef)>,
    /// Groups already decoded.
    pub(super) offset: usize,
    /// Batches decoded, not yet handed on.
    pub(super) ready: VecDeque<Result<RecordBatch>>,
    /// The memory the groups hold, given back when the stream is dropped.
    pub(super) _held: Reservation,
}

impl GroupBatches {
    /// The batch of `rows` groups from group `offset` on.
    fn batch(&self, offset: usize, rows: usize) -> Result<RecordBatch> {
        let keys = self.encoder.decode((offset..offset + rows).map(|g| self.groups.key(g)))?;
        let mut columns: Vec<(String, ArrayRef)> = self.names.iter().cloned().zip(keys).collect();
        for (name, a) in &self.outputs {
            columns.push((name.clone(), a.slice(offset, rows)));
        }
        batch_of(columns, rows)
    }
}

impl Iterator for GroupBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ready.is_empty() {
            // The next batches' keys decoded on every core, a few ahead.
            let starts: Vec<usize> = (0..rayon::current_num_threads())
                .map(|k| self.offset + k * OUTPUT_ROWS)
                .take_while(|start| *start < self.groups.len())
                .collect();
            let this = &*self;
            let batches: Vec<Result<RecordBatch>> =
                starts.par_iter().map(|start| this.batch(*start, OUTPUT_ROWS.min(this.groups.len() - start))).collect();
            self.offset = (self.offset + starts.len() * OUTPUT_ROWS).min(self.groups.len());
            self.ready.extend(batches);
        }
        self.ready.pop_front()
    }
}
