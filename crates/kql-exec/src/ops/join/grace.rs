//! A join or lookup whose build side passes its share of the memory budget:
//! a grace hash join.
//!
//! Both sides are written to [`PARTITIONS`] spill files each by the hash of
//! their join key (the bytes the [`Index`](super::index::Index) compares),
//! so every row of a key lands in the same partition on both sides, in
//! input order. Then each partition is joined by the in-memory hash join
//! ([`probe::hash_join`]): its build rows held, its probe rows streamed.
//! Everything a join kind decides per key — the first left row of
//! `innerunique`, whether a row found a match for the outer, semi and anti
//! kinds — is decided within one partition, so every kind gives the rows it
//! gives in memory; only the order differs (partition after partition, each
//! in its probe side's order, its unmatched build rows last). A partition
//! whose build side still does not fit is split again with a new hash. Rows
//! with a null key match nothing: they are spread over the partitions.
//!
//! The rows of a single key cannot be split: if they alone pass the share,
//! the `kql::exec::memory_limit` error stays, saying so.

use super::index::each_key;
use super::probe;
use super::{KeyTypes, Spec, key_columns};
use crate::error::{ExecError, Result};
use crate::limits::{Reservation, batch_bytes, format_size};
use crate::ops::{Executor, empty_stream, next_window};
use crate::source::Stream;
use crate::spill::{PARTITIONS, SpillFile, SpillWriter, partition_of};
use arrow_array::{RecordBatch, UInt32Array};
use kql_syntax::ScalarType;
use rayon::prelude::*;
use std::collections::VecDeque;

/// Bytes of the budget a join's build side may hold (with its index) before
/// it spills: half, the other half being for the output in flight and the
/// operators consuming it. Not capped like `MemoryPool::spill_share`: a
/// build side in memory saves reading both sides back from disk, and one
/// key's rows, which cannot be split, may use the whole share.
fn build_share(ex: &Executor<'_>) -> u64 {
    ex.pool.limit() / 2
}

/// Index bytes per build row, about (its place in the grouped rows, a key
/// entry), counted when deciding whether a build side fits.
const INDEX_ROW_BYTES: u64 = 48;

/// How many times a partition is split again before giving up (32^6 is
/// about 10^9 partitions).
const MAX_DEPTH: u32 = 6;

/// A build side as it is read: held while it fits in its share.
pub(super) struct BuildBudget {
    share: u64,
    rows: u64,
}

impl BuildBudget {
    pub(super) fn new(ex: &Executor<'_>) -> BuildBudget {
        BuildBudget { share: build_share(ex), rows: 0 }
    }

    /// Reserves `batch` in `held` if it fits (the batches held so far, this
    /// one and the index of them all, about, within the share, and the
    /// pool has room); false if the build side must spill instead.
    pub(super) fn hold(&mut self, held: &mut Reservation, batch: &RecordBatch) -> bool {
        let bytes = batch_bytes(batch);
        let rows = self.rows + batch.num_rows() as u64;
        if held.bytes() + bytes + INDEX_ROW_BYTES * rows > self.share || held.grow(bytes).is_err() {
            return false;
        }
        self.rows = rows;
        true
    }
}

/// The batches read so far, `then` the rest of `stream`.
pub(super) fn read_then<'a>(read: Vec<RecordBatch>, then: Stream<'a>) -> Stream<'a> {
    Box::new(read.into_iter().map(Ok).chain(then))
}

/// The join of `build` and `probe` (streams of the two sides, whatever of
/// them was read first included) by partitions on disk. `operator` names
/// the join or lookup in errors and in the budget.
pub(super) fn grace_join<'a>(
    ex: &'a Executor<'a>,
    mut spec: Spec<'a>,
    build: Stream<'a>,
    probe: Stream<'a>,
    operator: &'static str,
) -> Result<Stream<'a>> {
    // A partition's keys are not all the build side's: they must not
    // filter the probe side's scan.
    spec.scan_filter = false;
    let types = KeyTypes::of(&spec);
    let mut grace = Grace { ex, spec, types, operator, queue: VecDeque::new(), current: None, failed: false };
    let pairs = grace.split_sides(build, probe, 0)?;
    grace.queue.extend(pairs);
    Ok(Box::new(grace))
}

/// What a partition's build rows hold as keys (to tell a partition that
/// cannot be split from one that can).
#[derive(Clone, Default, PartialEq, Eq, Debug)]
enum Keys {
    #[default]
    None,
    One(Box<[u8]>),
    Many,
}

impl Keys {
    fn see(&mut self, key: &[u8]) {
        match self {
            Keys::None => *self = Keys::One(key.into()),
            Keys::One(k) if **k != *key => *self = Keys::Many,
            _ => {}
        }
    }

    fn merge(&mut self, other: Keys) {
        match other {
            Keys::None => {}
            Keys::One(k) => self.see(&k),
            Keys::Many => *self = Keys::Many,
        }
    }
}

/// One partition of both sides.
struct Pair {
    build: Option<SpillFile>,
    probe: Option<SpillFile>,
    /// How many times its rows were split (0: the first partitioning).
    depth: u32,
    /// The keys of its build rows, and whether it has build rows with a
    /// null key.
    keys: Keys,
    nulls: bool,
}

struct Grace<'a> {
    ex: &'a Executor<'a>,
    spec: Spec<'a>,
    types: KeyTypes,
    operator: &'static str,
    queue: VecDeque<Pair>,
    /// The join of the partition being output.
    current: Option<Stream<'a>>,
    failed: bool,
}

/// One side's batch split by partition: (partition, its rows of the
/// batch), and, per partition, its keys and whether it got a null key.
struct Split {
    parts: Vec<(usize, RecordBatch)>,
    keys: Vec<Keys>,
    nulls: Vec<bool>,
}

impl<'a> Grace<'a> {
    /// Writes both sides to partitions by their key's hash (a new hash at
    /// each `depth`), the build side first; the pairs of partitions that
    /// received rows.
    fn split_sides(&self, build: Stream<'a>, probe: Stream<'a>, depth: u32) -> Result<Vec<Pair>> {
        let state = ahash::RandomState::new();
        let build_names: Vec<String> = self.spec.on.iter().map(|(_, b)| b.clone()).collect();
        let probe_names: Vec<String> = self.spec.on.iter().map(|(p, _)| p.clone()).collect();
        let (build, keys, nulls) = self.write(build, &build_names, &self.types.build, &state)?;
        let (probe, _, _) = self.write(probe, &probe_names, &self.types.probe, &state)?;
        let mut pairs = Vec::new();
        for (((build, probe), keys), nulls) in build.into_iter().zip(probe).zip(keys).zip(nulls) {
            if build.is_some() || probe.is_some() {
                pairs.push(Pair { build, probe, depth, keys, nulls });
            }
        }
        Ok(pairs)
    }

    /// One side's rows written to the partitions: each partition's file,
    /// keys and null keys.
    #[allow(clippy::type_complexity)]
    fn write(
        &self,
        mut input: Stream<'a>,
        names: &[String],
        from: &[ScalarType],
        state: &ahash::RandomState,
    ) -> Result<(Vec<Option<SpillFile>>, Vec<Keys>, Vec<bool>)> {
        let mut writer = SpillWriter::new(self.operator, PARTITIONS, &self.ex.pool);
        let mut keys = vec![Keys::None; PARTITIONS];
        let mut nulls = vec![false; PARTITIONS];
        loop {
            let window = next_window(&mut input)?;
            if window.is_empty() {
                break;
            }
            let to = &self.types.common;
            let splits: Vec<Split> =
                window.par_iter().map(|b| split(b, names, from, to, state)).collect::<Result<_>>()?;
            // In input order, so each key's rows stay in it within a partition.
            for s in splits {
                for (part, batch) in s.parts {
                    self.ex.pool.note_spilled(batch.num_rows() as u64);
                    writer.push(part, batch)?;
                }
                for (k, (these, null)) in s.keys.into_iter().zip(s.nulls).enumerate() {
                    keys[k].merge(these);
                    nulls[k] |= null;
                }
            }
            self.ex.check_cancel()?;
        }
        Ok((writer.finish_by_partition()?, keys, nulls))
    }

    /// The join of one partition, or `None` where it makes no rows or was
    /// split again (its parts queued first).
    fn open(&mut self, pair: Pair) -> Result<Option<Stream<'a>>> {
        self.ex.check_cancel()?;
        let mode = self.spec.mode;
        if (pair.build.is_none() && !mode.needs_probe_without_build()) || (pair.probe.is_none() && !mode.tail()) {
            return Ok(None);
        }
        let probe: Stream<'a> = match pair.probe {
            Some(f) => Box::new(f.read()),
            None => empty_stream(),
        };
        let mut held = self.ex.pool.reservation(self.operator);
        let mut budget = BuildBudget::new(self.ex);
        let mut batches = Vec::new();
        if let Some(file) = pair.build {
            let mut input = file.read();
            while let Some(b) = input.next() {
                let b = b?;
                if budget.hold(&mut held, &b) {
                    batches.push(b);
                    continue;
                }
                if matches!(pair.keys, Keys::One(_)) && !pair.nulls {
                    return Err(self.single_key_error(held.bytes() + batch_bytes(&b)));
                }
                if pair.depth >= MAX_DEPTH {
                    return Err(self.too_deep_error());
                }
                drop(held);
                batches.push(b);
                let build = read_then(batches, Box::new(input));
                let pairs = self.split_sides(build, probe, pair.depth + 1)?;
                for p in pairs.into_iter().rev() {
                    self.queue.push_front(p);
                }
                return Ok(None);
            }
        }
        Ok(Some(probe::hash_join(self.ex, self.spec.clone(), batches, probe, held)?))
    }

    fn single_key_error(&self, needed: u64) -> ExecError {
        ExecError::MemoryLimit {
            operator: self.operator,
            detail: format!(
                "the build side's rows of a single join key alone need more than {}, past its half of the budget (the rows of one key are not split across spill files)",
                format_size(needed)
            ),
            limit: format_size(self.ex.pool.limit()),
        }
    }

    fn too_deep_error(&self) -> ExecError {
        ExecError::MemoryLimit {
            operator: self.operator,
            detail: format!(
                "a partition of its build side still passes half of the budget after splitting it {MAX_DEPTH} times"
            ),
            limit: format_size(self.ex.pool.limit()),
        }
    }
}

/// The rows of `batch` by partition of their key's hash (`state`); rows
/// with a null key spread over the partitions by row number.
fn split(
    batch: &RecordBatch,
    names: &[String],
    from: &[ScalarType],
    to: &[ScalarType],
    state: &ahash::RandomState,
) -> Result<Split> {
    let keys = key_columns(batch, names, from, to)?;
    let mut rows: Vec<Vec<u32>> = vec![Vec::new(); PARTITIONS];
    let mut seen = vec![Keys::None; PARTITIONS];
    let mut nulls = vec![false; PARTITIONS];
    each_key(&keys, |i, key| {
        let part = match key {
            Some(k) => {
                let part = partition_of(state.hash_one(k), PARTITIONS);
                seen[part].see(k);
                part
            }
            None => {
                let part = i % PARTITIONS;
                nulls[part] = true;
                part
            }
        };
        rows[part].push(i as u32);
    })?;
    let parts = rows
        .into_iter()
        .enumerate()
        .filter(|(_, r)| !r.is_empty())
        .map(|(part, r)| Ok((part, arrow_select::take::take_record_batch(batch, &UInt32Array::from(r))?)))
        .collect::<Result<_>>()?;
    Ok(Split { parts, keys: seen, nulls })
}

impl Iterator for Grace<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.failed {
                return None;
            }
            if let Some(current) = self.current.as_mut() {
                match current.next() {
                    Some(Ok(b)) => return Some(Ok(b)),
                    Some(Err(e)) => {
                        self.failed = true;
                        return Some(Err(e));
                    }
                    // Dropped before the next partition is read: its memory goes back.
                    None => self.current = None,
                }
            }
            let pair = self.queue.pop_front()?;
            match self.open(pair) {
                Ok(stream) => self.current = stream,
                Err(e) => {
                    self.failed = true;
                    self.queue.clear();
                    return Some(Err(e));
                }
            }
        }
    }
}
