//! `distinct` directly over an inner join (`kql_plan::distinct` puts it
//! there): the join's distinct rows without making its output.
//!
//! An output row is (the probe side's output values, the build side's).
//! Each side's values are numbered (interned); a key's build rows are
//! reduced to their distinct build values, in build order, and a probe row
//! is looked at only if its (key, probe value) was not seen before, since a
//! later one would give the same rows again. Each probe value keeps the set
//! of build values output with it (a hash set while small, a bitset once
//! that is smaller); a key with many build values has a bitset too, so a
//! probe row meeting a key that brings nothing new costs a few word
//! operations instead of one output row per matching pair of rows: scenario
//! 3's self-joins on flows whose key is often `""` meet hundreds of millions
//! of pairs for about a million distinct ones.
//!
//! The rows come out in the order the join followed by `distinct` gives
//! them: probe rows in order, each key's build rows in build order, first
//! occurrences only. Only what is kept counts against the memory budget:
//! the build side, the numbered values and the pairs output; the pairs met
//! are never held.

use super::index::Index;
use super::probe::{OUT_BATCH, Pairs, assemble, build_side};
use super::{KeyTypes, Mode, Spec, Step, key_columns, steps};
use crate::error::{ExecError, Result};
use crate::keys::{KeyEncoder, KeyRows, KeySet, KeyTable};
use crate::limits::Reservation;
use crate::ops::{Executor, next_window};
use crate::physical::fill_empty_strings;
use crate::source::Stream;
use arrow_array::{ArrayRef, RecordBatch};
use kql_plan::plan::Side;
use kql_syntax::ScalarType;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;

/// Bytes a set entry costs, about (the value and the table's slack).
const ENTRY_BYTES: u64 = 16;

/// One side's output values, numbered in the order first seen.
struct Values {
    table: KeyTable,
    encoder: Option<KeyEncoder>,
    /// Output columns of this side, by their name in its batches.
    columns: Vec<(String, ScalarType)>,
}

impl Values {
    fn new(spec: &Spec<'_>, side: Side) -> Values {
        let plan = if side == Side::Left { spec.probe } else { spec.build };
        let columns = spec
            .output
            .iter()
            .filter(|o| o.side == side)
            .map(|o| (o.column.clone(), super::column_type(plan, &o.column)))
            .collect();
        Values { table: KeyTable::default(), encoder: None, columns }
    }

    /// The output columns of `batch` as compared: strings never null.
    fn arrays(&self, batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
        self.columns
            .iter()
            .map(|(name, ty)| {
                let a = batch
                    .column_by_name(name)
                    .ok_or_else(|| ExecError::Internal(format!("join column `{name}` missing")))?;
                Ok(if *ty == ScalarType::String { fill_empty_strings(a) } else { a.clone() })
            })
            .collect()
    }

    /// The rows of `batch` encoded, with the hash of each row `wanted`
    /// (`None` when this side outputs no column: every row is value 0).
    fn encode(&self, batch: &RecordBatch, wanted: impl Fn(usize) -> bool) -> Result<Option<(KeyRows, Vec<u64>)>> {
        let Some(encoder) = &self.encoder else { return Ok(None) };
        let rows = encoder.encode(&self.arrays(batch)?)?;
        let hasher = self.table.hasher();
        let hashes = (0..batch.num_rows()).map(|i| if wanted(i) { hasher.hash_one(rows.row(i)) } else { 0 }).collect();
        Ok(Some((rows, hashes)))
    }

    fn prepare(&mut self, batch: &RecordBatch) -> Result<()> {
        if self.encoder.is_none() && !self.columns.is_empty() {
            let types: Vec<_> = self.arrays(batch)?.iter().map(|a| a.data_type().clone()).collect();
            self.encoder = Some(KeyEncoder::new(&types)?);
        }
        Ok(())
    }

    /// The number of row `i`'s value, and whether it is new.
    fn number(&mut self, encoded: &Option<(KeyRows, Vec<u64>)>, i: usize) -> Result<(u32, bool)> {
        let Some((rows, hashes)) = encoded else { return Ok((0, false)) };
        let (n, new) = self.table.insert(hashes[i], rows.row(i))?;
        let n = u32::try_from(n).map_err(|_| ExecError::Internal("more than 2^32 distinct join values".into()))?;
        Ok((n, new))
    }
}

/// Each key's distinct build values in build order, as (value, build row)
/// in `values[starts[g]..starts[g + 1]]`; where a key has many, also as a
/// bitset over all build values.
struct BuildValues {
    starts: Vec<u32>,
    values: Vec<(u32, u32)>,
    /// Words of a bitset over the build values.
    words: usize,
    /// Where key `g`'s bitset starts in `bits`, or `u32::MAX` if it has none.
    dense: Vec<u32>,
    bits: Vec<u64>,
}

impl BuildValues {
    /// `number`: each build row's value; `count`: how many values there are.
    fn new(index: &Index, number: &[u32], count: usize) -> BuildValues {
        let words = count.div_ceil(64);
        let mut mark = vec![u32::MAX; count];
        let mut starts = Vec::with_capacity(index.keys() + 1);
        let (mut values, mut dense, mut bits) = (Vec::new(), Vec::new(), Vec::new());
        starts.push(0u32);
        for g in 0..index.keys() as u32 {
            let first = values.len();
            for &r in index.rows_of(g) {
                let v = number[r as usize];
                if std::mem::replace(&mut mark[v as usize], g) != g {
                    values.push((v, r));
                }
            }
            starts.push(values.len() as u32);
            if is_dense(values.len() - first, count) {
                dense.push(bits.len() as u32);
                let at = bits.len();
                bits.resize(at + words, 0);
                for &(v, _) in &values[first..] {
                    bits[at + v as usize / 64] |= 1 << (v % 64);
                }
            } else {
                dense.push(u32::MAX);
            }
        }
        BuildValues { starts, values, words, dense, bits }
    }

    fn size(&self) -> u64 {
        8 * (self.values.len() + self.bits.len()) as u64 + 4 * (self.starts.len() + self.dense.len()) as u64
    }

    /// Calls `emit(position in the key's list, build row)` for each build
    /// value of key `g` not in `seen`, in build order, and adds them to
    /// `seen`. Returns the bytes `seen` grew by.
    fn output_new(&self, g: u32, seen: &mut Seen, mut emit: impl FnMut(u32, u32)) -> u64 {
        let g = g as usize;
        let list = &self.values[self.starts[g] as usize..self.starts[g + 1] as usize];
        let mut added = 0;
        if let (Seen::Many(have), Some(at)) = (&mut *seen, self.dense.get(g).filter(|d| **d != u32::MAX)) {
            // Word by word: most keys bring nothing new to a value seen often.
            let key_bits = &self.bits[*at as usize..*at as usize + self.words];
            let mut new: u32 = key_bits.iter().zip(have.iter()).map(|(k, h)| (k & !h).count_ones()).sum();
            for (pos, &(v, row)) in list.iter().enumerate() {
                if new == 0 {
                    break;
                }
                let (word, bit) = (v as usize / 64, 1u64 << (v % 64));
                if have[word] & bit == 0 {
                    have[word] |= bit;
                    emit(pos as u32, row);
                    new -= 1;
                }
            }
            return 0;
        }
        for (pos, &(v, row)) in list.iter().enumerate() {
            if seen.insert(v, self.words, &mut added) {
                emit(pos as u32, row);
            }
        }
        added
    }
}

/// True if a set of `n` of `count` values is smaller as a bitset.
fn is_dense(n: usize, count: usize) -> bool {
    n * 32 >= count
}

/// The build values output with one probe value: a hash set while few, a
/// bitset once that is smaller.
enum Seen {
    Few(KeySet<u32>),
    Many(Vec<u64>),
}

impl Seen {
    /// Adds `v`; true if it is new. `added` grows by the bytes this took.
    fn insert(&mut self, v: u32, words: usize, added: &mut u64) -> bool {
        match self {
            Seen::Many(have) => {
                let (word, bit) = (v as usize / 64, 1u64 << (v % 64));
                let new = have[word] & bit == 0;
                have[word] |= bit;
                new
            }
            Seen::Few(set) => {
                if !set.insert(v) {
                    return false;
                }
                *added += 8;
                if is_dense(set.len(), words * 64) {
                    let mut have = vec![0u64; words];
                    for v in set.iter() {
                        have[*v as usize / 64] |= 1 << (v % 64);
                    }
                    *added += 8 * words as u64;
                    *self = Seen::Many(have);
                }
                true
            }
        }
    }
}

/// An output row: (candidate, position in its key's build values, build row).
type Emitted = (u32, u32, u32);

/// A probe row whose (key, value) was not seen before.
#[derive(Clone, Copy)]
struct Candidate {
    batch: u32,
    row: u32,
    key: u32,
    value: u32,
}

struct DistinctJoin<'a> {
    ex: &'a Executor<'a>,
    spec: Spec<'a>,
    types: KeyTypes,
    probe_names: Vec<String>,
    probe: Stream<'a>,
    build: RecordBatch,
    index: Arc<Index>,
    build_values: BuildValues,
    probe_values: Values,
    /// (key, probe value) pairs seen.
    seen: KeySet<u64>,
    /// For each probe value, the build values output with it.
    outputs: Vec<Seen>,
    /// innerunique with the left side probed: keys already matched.
    matched: Vec<bool>,
    held: Reservation,
}

pub(super) fn distinct_join<'a>(
    ex: &'a Executor<'a>,
    spec: Spec<'a>,
    build_batches: Vec<RecordBatch>,
    probe: Stream<'a>,
    mut held: Reservation,
) -> Result<Stream<'a>> {
    if !spec.mode.pairs() || spec.mode.tail() || spec.mode.needs_probe_without_build() {
        return Err(ExecError::Internal(format!("distinct over a {:?} join", spec.mode)));
    }
    if build_batches.iter().all(|b| b.num_rows() == 0) {
        return Ok(crate::ops::empty_stream());
    }
    let (build, types, index) = build_side(ex, &spec, build_batches, &mut held)?;

    let mut build_values = Values::new(&spec, Side::Right);
    build_values.prepare(&build)?;
    let encoded = build_values.encode(&build, |_| true)?;
    let mut number = Vec::with_capacity(build.num_rows());
    for i in 0..build.num_rows() {
        number.push(build_values.number(&encoded, i)?.0);
    }
    drop(encoded);
    let build_values = BuildValues::new(&index, &number, build_values.table.len().max(1));
    held.grow(build_values.size())?;
    let matched = if spec.mode == Mode::ProbeUnique { vec![false; index.keys()] } else { Vec::new() };
    let probe_names = spec.on.iter().map(|(p, _)| p.clone()).collect();
    let probe_values = Values::new(&spec, Side::Left);
    Ok(steps(DistinctJoin {
        ex,
        spec,
        types,
        probe_names,
        probe,
        build,
        index,
        build_values,
        probe_values,
        seen: KeySet::default(),
        outputs: Vec::new(),
        matched,
        held,
    }))
}

impl Step for DistinctJoin<'_> {
    /// The new distinct rows of the next window of probe batches.
    fn step(&mut self, ready: &mut VecDeque<RecordBatch>) -> Result<bool> {
        self.ex.check_cancel()?;
        let window = next_window(&mut self.probe)?;
        if window.is_empty() {
            return Ok(false);
        }
        self.probe_values.prepare(&window[0])?;
        let candidates = self.candidates(&window)?;
        let emitted = self.new_pairs(&candidates)?;
        // Output rows in runs of one probe batch, assembled on every core.
        let mut chunks: Vec<(usize, Pairs)> = Vec::new();
        for (c, build_row) in emitted {
            let cand = candidates[c as usize];
            let k = cand.batch as usize;
            match chunks.last_mut() {
                Some((last, pairs)) if *last == k && pairs.len() < OUT_BATCH => {
                    pairs.push(Some(cand.row), Some(build_row))
                }
                _ => {
                    let mut pairs = Pairs::default();
                    pairs.push(Some(cand.row), Some(build_row));
                    chunks.push((k, pairs));
                }
            }
        }
        let spec = &self.spec;
        let build = &self.build;
        let out: Vec<RecordBatch> = chunks
            .par_iter()
            .map(|(k, pairs)| assemble(Some(&window[*k]), build, pairs, spec))
            .collect::<Result<_>>()?;
        ready.extend(out);
        Ok(true)
    }
}

impl DistinctJoin<'_> {
    /// The window's probe rows with a match whose (key, value) is new, in order.
    fn candidates(&mut self, window: &[RecordBatch]) -> Result<Vec<Candidate>> {
        let (index, values, types, names) = (&self.index, &self.probe_values, &self.types, &self.probe_names);
        type Prepared = (Vec<Option<u32>>, Option<(KeyRows, Vec<u64>)>);
        let prepared: Vec<Prepared> = window
            .par_iter()
            .map(|b| {
                let keys = key_columns(b, names, &types.probe, &types.common)?;
                let found = index.probe(&keys)?;
                let encoded = values.encode(b, |i| found[i].is_some())?;
                Ok((found, encoded))
            })
            .collect::<Result<_>>()?;
        let mut out = Vec::new();
        let mut added = 0u64;
        for (k, (found, encoded)) in prepared.iter().enumerate() {
            for (i, g) in found.iter().enumerate() {
                let Some(g) = *g else { continue };
                if self.spec.mode == Mode::ProbeUnique && std::mem::replace(&mut self.matched[g as usize], true) {
                    continue;
                }
                let (value, new) = self.probe_values.number(encoded, i)?;
                if new {
                    added += encoded.as_ref().map_or(0, |(rows, _)| rows.row(i).len() as u64) + 24;
                }
                if self.seen.insert(u64::from(g) << 32 | u64::from(value)) {
                    added += ENTRY_BYTES;
                    out.push(Candidate { batch: k as u32, row: i as u32, key: g, value });
                }
            }
        }
        self.held.grow(added)?;
        Ok(out)
    }

    /// The (candidate, build row) pairs whose values were never output, in
    /// order. Each probe value's set of build values output is owned by one
    /// task (probe values are split in ranges, one per task, on every core),
    /// so the tasks share nothing; their pairs are then put back in order.
    fn new_pairs(&mut self, candidates: &[Candidate]) -> Result<Vec<(u32, u32)>> {
        let probe_values = self.probe_values.table.len().max(1);
        self.outputs.resize_with(probe_values, || Seen::Few(KeySet::default()));
        let parts = 4 * rayon::current_num_threads();
        let per_part = probe_values.div_ceil(parts);
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); parts];
        for (c, cand) in candidates.iter().enumerate() {
            buckets[cand.value as usize / per_part].push(c as u32);
        }
        let build = &self.build_values;
        let found: Vec<(Vec<Emitted>, u64)> = self
            .outputs
            .par_chunks_mut(per_part)
            .zip(buckets.par_iter())
            .enumerate()
            .map(|(part, (seen, bucket))| {
                let mut out = Vec::new();
                let mut added = 0;
                for &c in bucket {
                    let cand = candidates[c as usize];
                    let s = &mut seen[cand.value as usize - part * per_part];
                    added += build.output_new(cand.key, s, |pos, row| out.push((c, pos, row)));
                }
                (out, added)
            })
            .collect();
        self.ex.check_cancel()?;
        let added: u64 = found.iter().map(|(_, b)| b).sum();
        self.held.grow(added)?;
        let mut emitted: Vec<Emitted> = found.into_iter().flat_map(|(out, _)| out).collect();
        emitted.par_sort_unstable_by_key(|&(c, pos, _)| (c, pos));
        Ok(emitted.into_iter().map(|(c, _, row)| (c, row)).collect())
    }
}
