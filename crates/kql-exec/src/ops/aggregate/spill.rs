//! A `summarize` past its share of the budget: rows of the groups it does
//! not hold go to partition files (see [`super::Grouping`]), and each
//! partition is aggregated by a pass of its own once the held groups are
//! out, several at once (`crate::spill::Passes`).

use super::grouping::{Prepared, prepare_encoded};
use super::{Grouping, Spec};
use crate::error::{ExecError, Result};
use crate::keys::{KeyEncoder, KeyRows};
use crate::limits::MemoryPool;
use crate::spill::{PassOutput, SpillFile};
use arrow_array::cast::AsArray;
use arrow_array::*;
use rayon::prelude::*;
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

/// A pass over one spilled partition of a `summarize` (on a thread of its
/// own, see `crate::spill::Passes`), within `share` bytes: its groups sent
/// on once aggregated, the partitions it spilled in turn queued first.
pub(super) fn aggregate_partition(
    spec: &Arc<Spec>,
    pool: &Arc<MemoryPool>,
    share: u64,
    encoder: &Arc<KeyEncoder>,
    file: SpillFile,
    out: &PassOutput,
) -> Result<()> {
    let mut grouping = Grouping::new(spec.clone(), pool, share);
    grouping.encoder = Some(encoder.clone());
    let hasher = grouping.groups.hasher().clone();
    let mut batches = file.read();
    loop {
        let window: Vec<RecordBatch> = batches.by_ref().take(16).collect::<Result<_>>()?;
        if window.is_empty() {
            break;
        }
        // Each batch: the keys' bytes, then each aggregate's arguments.
        let prepared: Vec<Prepared> = window
            .par_iter()
            .map(|b| {
                let columns = b.columns();
                let keys = columns[0]
                    .as_binary_opt::<i32>()
                    .ok_or_else(|| ExecError::Internal("a summarize spill file without its key bytes".into()))?;
                let mut at = 1;
                let args = spec
                    .aggregates
                    .iter()
                    .map(|a| {
                        let these = columns[at..at + a.args.len()].to_vec();
                        at += a.args.len();
                        these
                    })
                    .collect();
                Ok(prepare_encoded(KeyRows::Binary(keys.clone()), args, &hasher))
            })
            .collect::<Result<_>>()?;
        drop(window);
        for p in prepared {
            grouping.add(p)?;
        }
        out.check()?;
    }
    let (groups, files) = grouping.finish()?;
    out.queue(files);
    for b in groups {
        out.send(b?)?;
    }
    Ok(())
}
