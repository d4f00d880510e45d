//! `summarize` (hash aggregation) and `count`.
//!
//! Rows are grouped by their `by` keys ([`grouping`]: within each batch,
//! by the shape of the keys; then across batches in a `keys::KeyTable` of
//! their row bytes); each aggregation keeps one state per group
//! ([`accumulators`]) and is updated a batch at a time. The input comes in
//! windows of batches: while one window's groups are added to the table
//! (in order, on a thread of its own), the next is read and prepared on
//! every core. Groups come out in
//! the order they were first seen ([`output`]). Without `by` there is
//! exactly one group, even for no input rows (`count()` is then 0). Past
//! half the memory budget a pass spills the rows of the groups it does not
//! hold ([`spill`]).

mod accumulators;
mod grouping;
mod output;
mod spill;

use super::Reads;
use super::{Executor, batch_of, next_window};
use crate::error::{ExecError, Result};
use crate::eval::{EvalCx, eval, scalar_type};
use crate::keys::{KeyEncoder, KeyTable};
use crate::limits::{MemoryPool, Reservation, array_bytes, format_size};
use crate::physical::physical_type;
use crate::source::Stream;
use crate::spill::{PassOutput, Passes, SpillFile, SpillWriter, partition_of, partitions, workers};
use accumulators::{Accumulator, accumulator, empty_aggregate, keeps_values, output_types};
use arrow_array::*;
use grouping::{LocalGroups, Prepared, as_text, dictionary_keys, key_values, prepare};
use kql_plan::optimize::{Names, referenced_columns};
use kql_plan::plan::{Aggregate, Expr, Plan};
use kql_syntax::ScalarType;
use output::GroupBatches;
use rayon::prelude::*;
use spill::{aggregate_partition, cannot_spill, take_all};
use std::collections::VecDeque;
use std::sync::Arc;

pub fn summarize<'a>(
    ex: &'a Executor<'a>,
    input: &'a Plan,
    keys: &'a [(String, Expr)],
    aggregates: &'a [Aggregate],
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let subs = ex.subqueries(keys.iter().map(|(_, e)| e).chain(aggregates.iter().flat_map(|a| a.args.iter())))?;
    let cx = EvalCx { now: ex.now, subqueries: &subs };
    let arg_types: Vec<Vec<ScalarType>> =
        aggregates.iter().map(|a| a.args.iter().map(scalar_type).collect::<Result<Vec<_>>>()).collect::<Result<_>>()?;
    let spec = Arc::new(Spec {
        key_names: keys.iter().map(|(n, _)| n.clone()).collect(),
        key_types: keys.iter().map(|(_, e)| scalar_type(e)).collect::<Result<_>>()?,
        aggregates: aggregates.to_vec(),
        out_types: aggregates.iter().map(|a| output_types(a, plan)).collect(),
        arg_types,
    });
    let mut grouping = Grouping::new(spec.clone(), &ex.pool, ex.pool.spill_share());
    grouping.over_input = true;

    // Only the columns keys and arguments read are decoded by a scan, and
    // string keys read nowhere else may stay dictionaries.
    let mut columns = Names::new();
    for e in keys.iter().map(|(_, e)| e).chain(aggregates.iter().flat_map(|a| a.args.iter())) {
        referenced_columns(e, &mut columns);
    }
    let dictionaries = dictionary_keys(keys, aggregates);
    let reads = Reads { columns: Some(&columns), dictionaries: &dictionaries };
    let mut input = ex.run_reading(input, reads)?;
    // The encoder and hasher batches are prepared with (the group table's,
    // shared with it: the table is busy adding the window before).
    let mut encoder: Option<Arc<KeyEncoder>> = None;
    let hasher = grouping.groups.hasher().clone();
    let mut pending: Vec<Prepared> = Vec::new();
    loop {
        // A window's groups are added to the table (in order, on a thread
        // of its own: lookups, aggregate updates, spill writes) while the
        // next window is read and prepared on every core.
        let adding = std::mem::take(&mut pending);
        let next: Result<Vec<Prepared>> = if adding.is_empty() {
            // The first window (often the only one): nothing to add yet.
            prepare_window(&mut input, keys, aggregates, &cx, &mut encoder, &hasher, &ex.pool)
        } else {
            let table = &mut grouping;
            std::thread::scope(|scope| {
                let adder = std::thread::Builder::new()
                    .name("ntaq-summarize".into())
                    .spawn_scoped(scope, move || adding.into_iter().try_for_each(|p| table.add(p)))
                    .map_err(|e| ExecError::Internal(format!("could not start a thread for summarize: {e}")))?;
                let prepared = prepare_window(&mut input, keys, aggregates, &cx, &mut encoder, &hasher, &ex.pool);
                let added = adder.join().map_err(|_| ExecError::Internal("summarize: a thread panicked".into()))?;
                added?;
                prepared
            })
        };
        pending = next?;
        if pending.is_empty() {
            break;
        }
        if grouping.encoder.is_none() {
            grouping.encoder = encoder.clone();
        }
        ex.check_cancel()?;
    }
    drop(input);
    let (resident, files) = grouping.finish()?;
    if files.is_empty() {
        return Ok(resident);
    }
    // The held groups first (their memory given back once out), then the
    // partitions, several at once, each pass within an equal part of the
    // share.
    let workers = workers();
    let encoder = encoder.ok_or_else(|| ExecError::Internal("summarize spilled without a key encoder".into()))?;
    let share = (ex.pool.spill_share().saturating_sub(encoder.dictionary_bytes()) / workers as u64).max(1);
    let pool = ex.pool.clone();
    let pass = move |file, out: &PassOutput| aggregate_partition(&spec, &pool, share, &encoder, file, out);
    Ok(Box::new(resident.chain(Passes::new(files, workers, ex.cancel.clone(), pass))))
}

/// The next window of `input`, its keys and arguments evaluated and its
/// rows grouped within each batch, on every core (empty at the end). The
/// encoder is made from the first batch's key types.
fn prepare_window(
    input: &mut Stream<'_>,
    keys: &[(String, Expr)],
    aggregates: &[Aggregate],
    cx: &EvalCx<'_>,
    encoder: &mut Option<Arc<KeyEncoder>>,
    hasher: &ahash::RandomState,
    pool: &Arc<MemoryPool>,
) -> Result<Vec<Prepared>> {
    let window = next_window(input)?;
    if window.is_empty() {
        return Ok(Vec::new());
    }
    if encoder.is_none() && !keys.is_empty() {
        // The key types, from the first batch's key values.
        let first = &window[0];
        let types: Vec<_> = keys
            .iter()
            .map(|(_, e)| Ok(as_text(&key_values(e, &first.slice(0, 1), cx)?)?.data_type().clone()))
            .collect::<Result<_>>()?;
        // String keys' values numbered, in dictionaries of at most a
        // quarter of the share the groups may hold.
        let cap = pool.spill_share() / 4;
        *encoder = Some(Arc::new(KeyEncoder::numbered(&types, cap, pool, "summarize")?));
    }
    let encoder = encoder.as_deref();
    window
        .par_iter()
        .map(|b| {
            let n = b.num_rows();
            let args = aggregates
                .iter()
                .map(|agg| agg.args.iter().map(|e| Ok(eval(e, b, cx)?.to_array(n))).collect::<Result<Vec<_>>>())
                .collect::<Result<_>>()?;
            let key_arrays = keys.iter().map(|(_, e)| key_values(e, b, cx)).collect::<Result<_>>()?;
            prepare(key_arrays, args, n, encoder, hasher)
        })
        .collect()
}

/// What a `summarize` computes: shared by its pass over the input and its
/// passes over spilled partitions (which run on threads of their own, so
/// it owns what they need).
pub(super) struct Spec {
    key_names: Vec<String>,
    key_types: Vec<ScalarType>,
    aggregates: Vec<Aggregate>,
    /// Each aggregate's output columns' types.
    out_types: Vec<Vec<ScalarType>>,
    arg_types: Vec<Vec<ScalarType>>,
}

/// The groups of one pass of a `summarize`, within the memory budget.
///
/// Groups are added as they are first seen while the budget allows. Once a
/// new group would pass it, the pass spills: the groups held so far stay
/// (their later rows still update them in place), and the rows of every
/// group not held — keys and aggregate arguments, already evaluated — go
/// to [`PARTITIONS`] temporary files by their key's hash, so all
/// rows of a group land in one partition, in input order. Each partition
/// is then aggregated by a pass of its own (which may spill again, with a
/// new hash). A group is aggregated whole by exactly one pass, so every
/// aggregation (lists, sets, distinct counts, percentiles, arg_max …)
/// gives the answer it gives in memory; only the order of the groups
/// differs: the held groups first, then each partition's.
pub(super) struct Grouping {
    spec: Arc<Spec>,
    groups: KeyTable,
    /// How the groups' keys are turned into the table's bytes (and back,
    /// for the output).
    encoder: Option<Arc<KeyEncoder>>,
    accs: Vec<Option<Box<dyn Accumulator>>>,
    n_groups: usize,
    /// Groups (their keys, counted twice: held once, by the group table,
    /// the second for what grows with them unaccounted — the table's and
    /// its chunks' slack, the keys decoded for the output — and
    /// per-aggregate state) and the values that list, set, distinct-count
    /// and percentile aggregates keep.
    held: Reservation,
    spill: Option<SpillWriter>,
    pool: Arc<MemoryPool>,
    /// The bytes the groups may hold before new ones spill: the spilling
    /// share (`MemoryPool::spill_share`: half the budget, at most 512 MiB;
    /// for a pass over a partition, its part of it), the rest being for
    /// the operators that consume the groups as they stream out, and for
    /// the values that the held groups go on collecting (lists, sets,
    /// distinct counts) once it spills.
    share: u64,
    /// Whether this is the pass over the input (not over a partition).
    over_input: bool,
}

impl Grouping {
    fn new(spec: Arc<Spec>, pool: &Arc<MemoryPool>, share: u64) -> Grouping {
        let n = spec.aggregates.len();
        Grouping {
            groups: KeyTable::default(),
            encoder: None,
            accs: (0..n).map(|_| None).collect(),
            n_groups: if spec.key_names.is_empty() { 1 } else { 0 },
            held: pool.reservation("summarize"),
            spill: None,
            pool: pool.clone(),
            share,
            over_input: false,
            spec,
        }
    }

    fn add(&mut self, p: Prepared) -> Result<()> {
        let spec = self.spec.clone();
        let aggregates = &spec.aggregates;
        let values: u64 = aggregates
            .iter()
            .zip(&p.args)
            .filter(|(a, _)| keeps_values(a))
            .flat_map(|(_, args)| args.iter().map(|a| array_bytes(a.as_ref())))
            .sum();
        let Some(local) = &p.local else {
            self.held.grow(values)?;
            return self.update(&vec![0; p.rows], &p.args);
        };
        // Each of the batch's groups: its global number where it is held.
        let n_local = local.first_rows.len();
        let mut global: Vec<Option<usize>> =
            (0..n_local).map(|g| self.groups.find(local.hashes[g], local.encoded.row(g))).collect();
        let new: Vec<usize> = (0..n_local).filter(|g| global[*g].is_none()).collect();
        let per_group = 48 + 32 * aggregates.len() as u64;
        let cost = |g: usize| 2 * local.encoded.row(g).len() as u64 + per_group;
        let mut values_held = false;
        if self.spill.is_none() {
            let need: u64 = new.iter().map(|g| cost(*g)).sum::<u64>() + values;
            let share = self.group_share();
            if self.held.bytes() + need <= share && self.held.grow(need).is_ok() {
                self.insert(local, &new, &mut global)?;
                let row_groups: Vec<usize> = local.ids.iter().map(|l| global[*l as usize].unwrap_or(0)).collect();
                return self.update(&row_groups, &p.args);
            }
            // Not all fit: hold the new groups that do, in order, and
            // spill the groups not held from now on.
            let mut room =
                self.pool.limit().saturating_sub(self.pool.used()).min(share.saturating_sub(self.held.bytes()));
            let fit: Vec<usize> = new
                .iter()
                .copied()
                .take_while(|g| match room.checked_sub(cost(*g)) {
                    Some(left) => {
                        room = left;
                        true
                    }
                    None => false,
                })
                .collect();
            if self.held.grow(fit.iter().map(|g| cost(*g)).sum()).is_ok() {
                self.insert(local, &fit, &mut global)?;
            }
            if self.groups.len() == 0 {
                // Nothing held: one group must be, for the pass to make
                // progress. Past the pool (held by other operators for the
                // moment) if it fits the share; if not even that, one
                // group alone is too big to aggregate.
                let Some(&first) = new.first() else {
                    return Err(cannot_spill(self.held.grow(need).err().unwrap_or_else(|| {
                        ExecError::Internal("summarize: no group fits the budget, yet it grew".into())
                    })));
                };
                if cost(first) > self.share {
                    return Err(cannot_spill(ExecError::MemoryLimit {
                        operator: "summarize",
                        detail: format!("one group's key needs {}", format_size(cost(first))),
                        limit: format_size(self.pool.limit()),
                    }));
                }
                self.held.force_grow(cost(first));
                self.insert(local, &[first], &mut global)?;
            }
            self.spill = Some(SpillWriter::new("summarize", partitions(), &self.pool));
        } else if new.is_empty() {
            self.hold_values(values)?;
            values_held = true;
        }
        // Spilling: rows of held groups update them, the others are written out.
        let mut kept: Vec<u32> = Vec::new();
        let mut kept_groups: Vec<usize> = Vec::new();
        let parts = self.spill.as_ref().map_or(1, SpillWriter::partitions);
        let mut spilled: Vec<Vec<u32>> = vec![Vec::new(); parts];
        for (i, l) in local.ids.iter().enumerate() {
            match global[*l as usize] {
                Some(g) => {
                    kept.push(i as u32);
                    kept_groups.push(g);
                }
                None => spilled[partition_of(local.hashes[*l as usize], parts)].push(i as u32),
            }
        }
        if !kept.is_empty() {
            if kept.len() == p.rows {
                if !values_held {
                    self.hold_values(values)?;
                }
                self.update(&kept_groups, &p.args)?;
            } else {
                self.hold_values(values * kept.len() as u64 / p.rows.max(1) as u64)?;
                let idx = UInt32Array::from(kept);
                let args = take_all(&p.args, &idx)?;
                self.update(&kept_groups, &args)?;
            }
        }
        if let Some(writer) = self.spill.as_mut() {
            let encoder = self
                .encoder
                .as_deref()
                .ok_or_else(|| ExecError::Internal("summarize spills without a key encoder".into()))?;
            for (part, rows) in spilled.into_iter().enumerate() {
                if rows.is_empty() {
                    continue;
                }
                // The keys as the bytes they were grouped by (numbers where
                // the dictionaries hold the values), read back as they are.
                let mut columns: Vec<(String, ArrayRef)> = vec![("k".into(), local.key_column(encoder, &rows)?)];
                let idx = UInt32Array::from(rows);
                for (k, args) in take_all(&p.args, &idx)?.into_iter().enumerate() {
                    for (j, a) in args.into_iter().enumerate() {
                        columns.push((format!("a{k}_{j}"), a));
                    }
                }
                self.pool.note_spilled(idx.len() as u64);
                writer.push(part, batch_of(columns, idx.len())?)?;
            }
        }
        Ok(())
    }

    /// The bytes the groups may hold: the share, less the key values'
    /// dictionaries on the pass over the input (they live as long as the
    /// `summarize`; the passes over partitions share out what they leave).
    fn group_share(&self) -> u64 {
        match (&self.encoder, self.over_input) {
            (Some(e), true) => self.share.saturating_sub(e.dictionary_bytes()),
            _ => self.share,
        }
    }

    /// Values the held groups keep (lists, sets …), once spilling: within
    /// the budget (the rows pending in the pass's spill files written out
    /// first where it has no room), or past the pool while the groups and
    /// the spill files' write buffers stay within twice the pass's share
    /// (the pool may be held by other operators for the moment); else one
    /// group's values are too big to aggregate.
    fn hold_values(&mut self, bytes: u64) -> Result<()> {
        let Err(mut e) = self.held.grow(bytes) else { return Ok(()) };
        if let Some(w) = self.spill.as_mut().filter(|w| w.pending_bytes() > 0) {
            w.flush_all()?;
            match self.held.grow(bytes) {
                Ok(()) => return Ok(()),
                Err(again) => e = again,
            }
        }
        let buffers = self.spill.as_ref().map_or(0, SpillWriter::held_bytes);
        if self.held.bytes() + buffers + bytes <= 2 * self.share {
            self.held.force_grow(bytes);
            return Ok(());
        }
        Err(cannot_spill(e))
    }

    /// The batch's groups `new` added to the held ones (their global
    /// numbers into `global`); the table keeps their keys for the output.
    fn insert(&mut self, local: &LocalGroups, new: &[usize], global: &mut [Option<usize>]) -> Result<()> {
        for &g in new {
            global[g] = Some(self.groups.insert(local.hashes[g], local.encoded.row(g))?.0);
        }
        self.n_groups = self.groups.len();
        Ok(())
    }

    /// The aggregations updated with rows of the groups `row_groups`.
    fn update(&mut self, row_groups: &[usize], args: &[Vec<ArrayRef>]) -> Result<()> {
        for (k, agg) in self.spec.aggregates.iter().enumerate() {
            if self.accs[k].is_none() {
                self.accs[k] = Some(accumulator(agg, &args[k], &self.spec.arg_types[k], &self.spec.out_types[k])?);
            }
            if let Some(acc) = self.accs[k].as_mut() {
                acc.update(row_groups, self.n_groups, &args[k])?;
            }
        }
        Ok(())
    }

    /// The held groups as a stream (holding their reservation until it
    /// ends), and the partitions spilled.
    fn finish(self) -> Result<(Stream<'static>, Vec<SpillFile>)> {
        let Grouping { spec, groups, encoder, mut accs, n_groups, held, spill, .. } = self;
        let files = match spill {
            Some(w) => w.finish()?,
            None => Vec::new(),
        };
        let mut outputs: Vec<(String, ArrayRef)> = Vec::new();
        for (k, agg) in spec.aggregates.iter().enumerate() {
            let outs = match accs[k].as_mut() {
                Some(acc) => acc.finish(n_groups)?,
                None => empty_aggregate(agg, &spec.out_types[k], n_groups)?,
            };
            outputs.extend(agg.outputs.iter().cloned().zip(outs));
        }
        drop(accs);
        let Some(encoder) = encoder.filter(|_| groups.len() > 0) else {
            let mut columns: Vec<(String, ArrayRef)> = Vec::new();
            for (name, t) in spec.key_names.iter().zip(&spec.key_types) {
                columns.push((name.clone(), new_empty_array(&physical_type(*t))));
            }
            columns.extend(outputs);
            return Ok((Box::new(std::iter::once(batch_of(columns, n_groups))), files));
        };
        let names = spec.key_names.clone();
        let out = GroupBatches { names, groups, encoder, outputs, offset: 0, ready: VecDeque::new(), _held: held };
        Ok((Box::new(out), files))
    }
}

/// `count`: one row, one column `Count`.
pub fn count<'a>(ex: &'a Executor<'a>, input: &'a Plan) -> Result<Stream<'a>> {
    let mut total: i64 = 0;
    let none = Names::new();
    for b in ex.run_reading(input, Reads { columns: Some(&none), dictionaries: &[] })? {
        total += b?.num_rows() as i64;
    }
    let batch = batch_of(vec![("Count".into(), Arc::new(Int64Array::from(vec![total])) as ArrayRef)], 1)?;
    Ok(Box::new(std::iter::once(Ok(batch))))
}
