//! Grace-hash aggregation: state that does not fit its budget is rebuilt
//! partition by partition.
//!
//! A pass first holds every row of its input in memory (the groups, or the
//! distinct addresses), reserving what it holds in a budget. If that would
//! pass the budget, what it held is dropped and the input is read again and
//! written, row by row, to [`PARTITIONS`] spill files by the bits of each
//! row's stable hash (kql-exec's [`SpillWriter`]: unnamed temporary files,
//! gone when closed); then each partition is a pass of its own, in
//! partition order, partitioned again by the next bits of the hash if it
//! still does not fit. So the memory held at once is one partition's state,
//! whatever the number of groups. From level [`LEVELS`] on a partition is
//! held whatever its size (rows with one key cannot be split further).
//!
//! A pass hands on what it held sorted by the same hash (ties by key), and
//! partition `p` holds the rows whose hash has `p` in its next bits: so
//! the output order — by hash, then key — is the same whether the state
//! fitted at once or was partitioned, at whatever depth.

use super::MemoryUse;
use super::aggregate::par_slices;
use crate::error::FlowLogError;
use arrow_array::{RecordBatch, UInt32Array};
use kql_exec::MemoryPool;
use kql_exec::spill::SpillWriter;
use rayon::prelude::*;
use std::sync::Mutex;

/// What spill-file errors call the derivation ("the … could not spill to disk").
pub const OPERATOR: &str = "derivation of the NTA tables";

/// Bits of the hash one level of partitioning uses.
const PART_BITS: u32 = 6;

/// Partitions per level.
pub const PARTITIONS: usize = 1 << PART_BITS;

/// Levels of partitioning before a partition is held whatever its size.
pub const LEVELS: u32 = 4;

/// A stream of batches of a pass's input.
pub type Rows<'a, E> = Box<dyn Iterator<Item = Result<RecordBatch, E>> + Send + 'a>;

/// Reads a pass's input from its start (each call a new reading).
pub type Scan<'a, E> = dyn Fn() -> Result<Rows<'a, E>, E> + Sync + 'a;

/// What a pass holds and how its rows hash.
pub trait Pass<E>: Sync {
    /// What it holds of its whole input.
    type Held;
    /// A thread's state while hashing rows.
    type Hasher;

    /// Holds every row of `rows` within the budget; `None` when that would
    /// pass it (never when `force`d). Notes its peak in `memory`.
    fn hold(&self, rows: Rows<'_, E>, force: bool, memory: &mut MemoryUse) -> Result<Option<Self::Held>, E>;

    /// A new hashing state.
    fn hasher(&self) -> Self::Hasher;

    /// The hash of every row of `batch` (rows `offset..` of input batch `index`).
    fn hashes(
        &self,
        hasher: &mut Self::Hasher,
        index: usize,
        offset: usize,
        batch: &RecordBatch,
    ) -> Result<Vec<u64>, FlowLogError>;
}

/// Runs `pass` over `scan`'s rows; `emit` gets what it held, once or
/// partition by partition, in hash order. Spill files are written within
/// `max_memory`.
pub fn run<E, P>(
    pass: &P,
    scan: &Scan<'_, E>,
    max_memory: u64,
    memory: &mut MemoryUse,
    emit: &mut dyn FnMut(P::Held) -> Result<(), E>,
) -> Result<(), E>
where
    P: Pass<E>,
    E: From<FlowLogError> + Send,
{
    level(pass, scan, 0, max_memory, memory, emit)
}

fn level<E, P>(
    pass: &P,
    scan: &Scan<'_, E>,
    depth: u32,
    max_memory: u64,
    memory: &mut MemoryUse,
    emit: &mut dyn FnMut(P::Held) -> Result<(), E>,
) -> Result<(), E>
where
    P: Pass<E>,
    E: From<FlowLogError> + Send,
{
    if let Some(held) = pass.hold(scan()?, depth >= LEVELS, memory)? {
        return emit(held);
    }
    let pool = MemoryPool::new(max_memory);
    let writer = Mutex::new(SpillWriter::new(OPERATOR, PARTITIONS, &pool));
    let shift = 64 - PART_BITS * (depth + 1);
    let spilled = std::sync::atomic::AtomicU64::new(0);
    let spill = |e: kql_exec::ExecError| E::from(FlowLogError::from(e));
    par_slices(scan()?).try_for_each_init(
        || pass.hasher(),
        |hasher, slice| -> Result<(), E> {
            let (index, offset, batch) = slice?;
            let hashes = pass.hashes(hasher, index, offset, &batch)?;
            spilled.fetch_add(hashes.len() as u64, std::sync::atomic::Ordering::Relaxed);
            let mut rows: Vec<Vec<u32>> = vec![Vec::new(); PARTITIONS];
            for (row, h) in hashes.iter().enumerate() {
                rows[(h >> shift) as usize & (PARTITIONS - 1)].push(row as u32);
            }
            let mut parts = Vec::new();
            for (p, rows) in rows.into_iter().enumerate().filter(|(_, r)| !r.is_empty()) {
                let taken = arrow_select::take::take_record_batch(&batch, &UInt32Array::from(rows))
                    .map_err(|e| FlowLogError::from(kql_exec::spill::spill_error(OPERATOR, e)))?;
                parts.push((p, taken));
            }
            let mut w = writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            parts.into_iter().try_for_each(|(p, b)| w.push(p, b).map_err(spill))
        },
    )?;
    let writer = writer.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let files = writer.finish().map_err(spill)?;
    memory.partitions += files.len() as u64;
    memory.spilled_rows += spilled.into_inner();
    for file in files {
        let reread = || -> Result<Rows<'_, E>, E> { Ok(Box::new(file.reread().map(|b| b.map_err(spill)))) };
        level(pass, &reread, depth + 1, max_memory, memory, emit)?;
    }
    Ok(())
}
