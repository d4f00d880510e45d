//! A `summarize` past its share of the budget: rows of the groups it does
//! not hold go to partition files (see [`super::Grouping`]), and each
//! partition is aggregated by a pass of its own once the held groups are
//! out.

use super::grouping::{Prepared, prepare};
use super::{Grouping, Spec};
use crate::error::{ExecError, Result};
use crate::keys::KeyEncoder;
use crate::ops::Executor;
use crate::source::Stream;
use crate::spill::SpillFile;
use arrow_array::*;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;

/// Each aggregate's arguments, rows `idx` only.
pub(super) fn take_all(args: &[Vec<ArrayRef>], idx: &UInt32Array) -> Result<Vec<Vec<ArrayRef>>> {
    args.iter()
        .map(|a| a.iter().map(|a| Ok(arrow_select::take::take(a, idx, None)?)).collect::<Result<Vec<_>>>())
        .collect()
}

/// A budget error that spilling cannot avoid: the state of the groups held
/// (or of a single group) alone passes it.
pub(super) fn cannot_spill(e: ExecError) -> ExecError {
    match e {
        ExecError::MemoryLimit { operator, detail, limit } => ExecError::MemoryLimit {
            operator,
            detail: format!(
                "{detail} for groups it cannot spill (the values that make_list, make_set, dcount or percentile keep for one group, or a single group's key, are not split across files)"
            ),
            limit,
        },
        other => other,
    }
}

/// The spilled partitions of a `summarize`, aggregated one at a time after
/// the groups held in memory have been output.
pub(super) struct Partitions<'a> {
    pub(super) ex: &'a Executor<'a>,
    pub(super) spec: Arc<Spec<'a>>,
    pub(super) queue: VecDeque<SpillFile>,
    pub(super) current: Option<Stream<'a>>,
}

impl<'a> Partitions<'a> {
    /// One partition's groups, and the partitions it spilled in turn.
    fn aggregate(&self, file: SpillFile) -> Result<(Stream<'a>, Vec<SpillFile>)> {
        let n_keys = self.spec.keys.len();
        let mut grouping = Grouping::new(self.spec.clone(), self.ex);
        let mut batches = file.read();
        loop {
            let window: Vec<RecordBatch> = batches.by_ref().take(16).collect::<Result<_>>()?;
            if window.is_empty() {
                break;
            }
            if grouping.encoder.is_none() {
                let types: Vec<_> = window[0].columns()[..n_keys].iter().map(|c| c.data_type().clone()).collect();
                grouping.encoder = Some(KeyEncoder::new(&types)?);
            }
            let hasher = grouping.groups.hasher().clone();
            let spec = &*self.spec;
            let prepared: Vec<Prepared> = window
                .par_iter()
                .map(|b| {
                    let columns = b.columns();
                    let mut at = n_keys;
                    let args = spec
                        .aggregates
                        .iter()
                        .map(|a| {
                            let these = columns[at..at + a.args.len()].to_vec();
                            at += a.args.len();
                            these
                        })
                        .collect();
                    prepare(columns[..n_keys].to_vec(), args, b.num_rows(), grouping.encoder.as_ref(), &hasher)
                })
                .collect::<Result<_>>()?;
            for p in prepared {
                grouping.add(p)?;
            }
            self.ex.check_cancel()?;
        }
        grouping.finish()
    }
}

impl Iterator for Partitions<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(current) = self.current.as_mut() {
                match current.next() {
                    Some(b) => return Some(b),
                    // Dropped before the next partition is read: its memory goes back.
                    None => self.current = None,
                }
            }
            let file = self.queue.pop_front()?;
            match self.aggregate(file) {
                Ok((stream, more)) => {
                    self.queue.extend(more);
                    self.current = Some(stream);
                }
                Err(e) => {
                    self.queue.clear();
                    return Some(Err(e));
                }
            }
        }
    }
}
