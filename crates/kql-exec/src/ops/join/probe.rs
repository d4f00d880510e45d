//! Streaming the probe side through the index: a window of probe batches
//! is matched and assembled on every core, its output yielded in order;
//! build rows decided only at the end (outer, semi, anti) follow.

use super::index::Index;
use super::{KeyTypes, Mode, Spec, Step, column_type, key_columns, steps};
use crate::error::{ExecError, Result};
use crate::limits::{Reservation, array_bytes};
use crate::ops::{Executor, make_batch};
use crate::physical::{fill_empty_strings, physical_type};
use crate::source::Stream;
use crate::source::{ScanPredicate, Test};
use arrow_array::*;
use arrow_schema::{Field, SchemaRef};
use kql_plan::plan::{ExprKind, Node, Plan, Side};
use kql_syntax::ScalarType;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;

/// Most rows put in one output batch.
pub(super) const OUT_BATCH: usize = 65_536;

/// Probe rows matched in one parallel step (at most).
const WINDOW_ROWS: usize = 262_144;

/// Output rows as (probe row, build row) index pairs; `None` means "no row".
#[derive(Default)]
pub(super) struct Pairs {
    probe: Vec<Option<u32>>,
    build: Vec<Option<u32>>,
}

impl Pairs {
    pub(super) fn push(&mut self, p: Option<u32>, b: Option<u32>) {
        self.probe.push(p);
        self.build.push(b);
    }
    pub(super) fn len(&self) -> usize {
        self.probe.len()
    }
}

/// The built side: its rows in one batch, and their index.
struct Built {
    batch: RecordBatch,
    index: Arc<Index>,
    row_bytes: u64,
}

struct HashJoin<'a> {
    ex: &'a Executor<'a>,
    spec: Spec<'a>,
    types: KeyTypes,
    probe_names: Vec<String>,
    built: Built,
    probe: Stream<'a>,
    /// Keys some probe row matched (outer/semi/anti on the build side,
    /// innerunique with the probe side on the left).
    matched: Vec<bool>,
    /// The first probe batch's schema, for the null probe columns of tail rows.
    probe_schema: Option<SchemaRef>,
    /// The window of probe batches whose output is not all made yet.
    pending: Option<Window>,
    /// Bytes of the output batches the last step made, reserved until the
    /// next step: once it runs, the consumer has taken them.
    in_flight: u64,
    /// The build side, its index and the output in flight.
    held: Reservation,
}

/// Probe batches matched together, and where their output stopped.
struct Window {
    batches: Vec<RecordBatch>,
    /// The key number of each row of each batch.
    found: Vec<Vec<Option<u32>>>,
    /// Bytes of an output row, about (the output columns of both sides).
    row_bytes: u64,
    at: Cursor,
}

/// A position in a window's output: probe row `row` of batch `batch`,
/// `skip` of its build rows already output.
#[derive(Clone, Copy, Default)]
struct Cursor {
    batch: usize,
    row: usize,
    skip: usize,
}

pub(super) fn hash_join<'a>(
    ex: &'a Executor<'a>,
    spec: Spec<'a>,
    build_batches: Vec<RecordBatch>,
    probe: Stream<'a>,
    mut held: Reservation,
) -> Result<Stream<'a>> {
    if build_batches.iter().all(|b| b.num_rows() == 0) && !spec.mode.needs_probe_without_build() {
        // Nothing to match and no probe row kept alone: the other side is
        // not read at all (scenario 3 joins a table of country IPs that is
        // often empty).
        return Ok(crate::ops::empty_stream());
    }
    let (batch, types, index) = build_side(ex, &spec, build_batches, &mut held)?;
    let row_bytes = output_row_bytes(&batch, &spec, Side::Right);
    let matched = vec![false; index.keys()];
    let probe_names = spec.on.iter().map(|(p, _)| p.clone()).collect();
    Ok(steps(HashJoin {
        ex,
        spec,
        types,
        probe_names,
        built: Built { batch, index, row_bytes },
        probe,
        matched,
        probe_schema: None,
        pending: None,
        in_flight: 0,
        held,
    }))
}

/// The build side in one batch, the key types and its hash index (counted
/// in `held`); the index is also handed to the probe side's scan as a
/// filter where it can drop rows ([`dynamic_filter`]).
pub(super) fn build_side(
    ex: &Executor<'_>,
    spec: &Spec<'_>,
    build_batches: Vec<RecordBatch>,
    held: &mut Reservation,
) -> Result<(RecordBatch, KeyTypes, Arc<Index>)> {
    let schema = build_batches.first().map_or_else(|| crate::ops::default_schema(spec.build), |b| b.schema());
    let batch = arrow_select::concat::concat_batches(&schema, &build_batches)?;
    drop(build_batches);
    let types = KeyTypes::of(spec);
    let build_names: Vec<String> = spec.on.iter().map(|(_, b)| b.clone()).collect();
    let keys = key_columns(&batch, &build_names, &types.build, &types.common)?;
    let index = Arc::new(Index::build(&keys, batch.num_rows(), spec.mode == Mode::BuildUnique)?);
    held.grow(index.size())?;
    if spec.scan_filter {
        dynamic_filter(ex, spec, &types, &index);
    }
    ex.check_cancel()?;
    Ok((batch, types, index))
}

/// Hands the built keys to the scan feeding the probe side, when rows
/// without a match make no output and the key is a string column the scan
/// reads unchanged: parts it opens from then on drop, while reading, the
/// rows no key matches (decoding the other columns only for the rest, and
/// testing a dictionary-encoded key column once per distinct value).
fn dynamic_filter(ex: &Executor<'_>, spec: &Spec<'_>, types: &KeyTypes, index: &Arc<Index>) {
    let [(column, _)] = spec.on.as_slice() else { return };
    let strings = types.probe == [ScalarType::String] && types.common == [ScalarType::String];
    if !spec.mode.drops_unmatched_probe_rows() || !strings || !scan_column(spec.probe, column) {
        return;
    }
    let keys = index.clone();
    let filter = ScanPredicate {
        test: Test::Keys(Arc::new(move |k: &str| keys.has_text(k))),
        columns: vec![(column.clone(), ScalarType::String)],
        deterministic: true,
        now: ex.now,
    };
    // A second join over the same scan plan keeps the first filter.
    let _ = ex.dynamic_filter_slot(spec.probe).set(filter);
}

/// True if `plan` is a chain of where/extend/project/mv-expand over a scan
/// that passes the scan's column `name` through unchanged.
fn scan_column(plan: &Plan, name: &str) -> bool {
    let mut p = plan;
    loop {
        match &p.node {
            Node::Filter { input, .. } => p = input,
            Node::Project { input, columns } => {
                let passes = columns
                    .iter()
                    .find(|(n, _)| n == name)
                    .is_some_and(|(_, e)| matches!(&e.kind, ExprKind::Column(c) if c == name));
                if !passes {
                    return false;
                }
                p = input;
            }
            Node::MvExpand { input, columns, item_index, .. }
                if !columns.iter().any(|c| c == name) && item_index.as_deref() != Some(name) =>
            {
                p = input
            }
            Node::Scan { .. } => return p.schema.get(name).is_some(),
            _ => return false,
        }
    }
}

impl Step for HashJoin<'_> {
    /// Makes the next bounded part of the output of the current window of
    /// probe batches (matching a new window when the last one is done), or
    /// at the end emits the tail.
    fn step(&mut self, ready: &mut VecDeque<RecordBatch>) -> Result<bool> {
        self.ex.check_cancel()?;
        self.held.shrink(std::mem::take(&mut self.in_flight));
        let mut window = match self.pending.take() {
            Some(w) => w,
            None => match self.next_window()? {
                Some(w) => w,
                None => {
                    self.tail(ready)?;
                    return Ok(false);
                }
            },
        };
        // The pairs in order (the state of innerunique and of build-side
        // modes is shared), at most `step_rows` of them, so that a key
        // repeated on both sides streams in bounded steps however many
        // rows it makes; the output columns in parallel.
        let limit = step_rows(self.held.limit(), window.row_bytes);
        let chunk = chunk_rows(limit);
        let mut left = limit;
        let mut chunks: Vec<(usize, Pairs)> = Vec::new();
        while window.at.batch < window.batches.len() && left > 0 {
            let k = window.at.batch;
            let done = self.pairs(&window.found[k], &mut window.at, &mut left, chunk, |pairs| chunks.push((k, pairs)));
            if done {
                window.at = Cursor { batch: k + 1, row: 0, skip: 0 };
            }
        }
        let rows: usize = chunks.iter().map(|(_, p)| p.len()).sum();
        let bytes = rows as u64 * window.row_bytes;
        self.held.grow(bytes)?;
        self.in_flight = bytes;
        let spec = &self.spec;
        let built = &self.built.batch;
        let batches = &window.batches;
        let out: Vec<RecordBatch> = chunks
            .par_iter()
            .map(|(k, pairs)| assemble(Some(&batches[*k]), built, pairs, spec))
            .collect::<Result<_>>()?;
        ready.extend(out);
        if window.at.batch < window.batches.len() {
            self.pending = Some(window);
        }
        Ok(true)
    }
}

/// Output rows one step makes at most: about 1/16 of the memory budget,
/// and no more than a few windows' worth of rows.
fn step_rows(limit: u64, row_bytes: u64) -> usize {
    let rows = (limit / 16) / row_bytes.max(1);
    rows.clamp(1, 4 * WINDOW_ROWS as u64) as usize
}

/// Rows per output batch within a step of `limit` rows: at most
/// [`OUT_BATCH`], and small enough that every core assembles some.
fn chunk_rows(limit: usize) -> usize {
    (limit / rayon::current_num_threads().max(1)).clamp(1024.min(limit), OUT_BATCH)
}

impl HashJoin<'_> {
    /// The next window of probe batches with their keys found (in
    /// parallel), or `None` at the end of the probe side.
    fn next_window(&mut self) -> Result<Option<Window>> {
        let mut batches = Vec::new();
        let mut rows = 0;
        while rows < WINDOW_ROWS {
            match self.probe.next() {
                None => break,
                Some(b) => {
                    let b = b?;
                    self.probe_schema.get_or_insert_with(|| b.schema());
                    rows += b.num_rows();
                    if b.num_rows() > 0 {
                        batches.push(b);
                    }
                }
            }
        }
        if batches.is_empty() {
            return Ok(None);
        }
        let found: Vec<Vec<Option<u32>>> = batches
            .par_iter()
            .map(|b| {
                let keys = key_columns(b, &self.probe_names, &self.types.probe, &self.types.common)?;
                self.built.index.probe(&keys)
            })
            .collect::<Result<_>>()?;
        let probe_bytes = batches.iter().map(|b| output_row_bytes(b, &self.spec, Side::Left)).max().unwrap_or(0);
        let row_bytes = (probe_bytes + self.built.row_bytes).max(1);
        Ok(Some(Window { batches, found, row_bytes, at: Cursor::default() }))
    }

    /// Output rows of one probe batch (its key numbers `keys`) from `at`,
    /// at most `left` of them (counted down), handed to `out` in chunks of
    /// at most `chunk` rows. True if the batch is done; else `at` says
    /// where to go on.
    fn pairs(
        &mut self,
        keys: &[Option<u32>],
        at: &mut Cursor,
        left: &mut usize,
        chunk: usize,
        mut out: impl FnMut(Pairs),
    ) -> bool {
        let mode = self.spec.mode;
        let mut pairs = Pairs::default();
        let mut done = true;
        while at.row < keys.len() {
            if *left == 0 {
                done = false;
                break;
            }
            let p = Some(at.row as u32);
            // Build rows of this probe row to output, if any.
            let mut matches: &[u32] = &[];
            match (mode, keys[at.row]) {
                (Mode::BuildSemi | Mode::BuildAnti, Some(g)) => self.matched[g as usize] = true,
                (Mode::BuildSemi | Mode::BuildAnti, None) => {}
                (Mode::ProbeSemi, Some(_)) | (Mode::ProbeAnti, None) => {
                    pairs.push(p, None);
                    *left -= 1;
                }
                (Mode::ProbeSemi | Mode::ProbeAnti, _) => {}
                (Mode::ProbeUnique, Some(g)) => {
                    // Resuming (`skip` > 0) this row was already chosen.
                    if at.skip > 0 || !std::mem::replace(&mut self.matched[g as usize], true) {
                        matches = self.built.index.rows_of(g);
                    }
                }
                (_, Some(g)) => {
                    if mode.tail() {
                        self.matched[g as usize] = true;
                    }
                    matches = self.built.index.rows_of(g);
                }
                (Mode::ProbeOuter | Mode::FullOuter, None) => {
                    pairs.push(p, None);
                    *left -= 1;
                }
                (_, None) => {}
            }
            let mut finished_row = true;
            while at.skip < matches.len() {
                if *left == 0 {
                    finished_row = false;
                    break;
                }
                if pairs.len() >= chunk {
                    out(std::mem::take(&mut pairs));
                }
                let room = (chunk - pairs.len()).min(*left);
                let take = room.min(matches.len() - at.skip);
                for r in &matches[at.skip..at.skip + take] {
                    pairs.push(p, Some(*r));
                }
                at.skip += take;
                *left -= take;
            }
            if !finished_row {
                done = false;
                break;
            }
            at.skip = 0;
            at.row += 1;
            if pairs.len() >= chunk {
                out(std::mem::take(&mut pairs));
            }
        }
        if pairs.len() > 0 {
            out(pairs);
        }
        done
    }

    /// Build rows decided once the whole probe side was seen.
    fn tail(&mut self, ready: &mut VecDeque<RecordBatch>) -> Result<()> {
        let keep_matched = match self.spec.mode {
            Mode::BuildSemi => true,
            Mode::BuildOuter | Mode::FullOuter | Mode::BuildAnti => false,
            _ => return Ok(()),
        };
        let index = &self.built.index;
        let mut rows: Vec<u32> = (0..index.keys() as u32)
            .filter(|g| self.matched[*g as usize] == keep_matched)
            .flat_map(|g| index.rows_of(g).iter().copied())
            .collect();
        if !keep_matched {
            rows.extend_from_slice(index.null_rows());
        }
        rows.sort_unstable();
        if rows.is_empty() {
            return Ok(());
        }
        // Probe columns of these rows are null: take from an empty batch.
        let empty = empty_like_probe(&self.spec, self.probe_schema.as_ref())?;
        for chunk in rows.chunks(OUT_BATCH) {
            let pairs = Pairs { probe: vec![None; chunk.len()], build: chunk.iter().map(|r| Some(*r)).collect() };
            ready.push_back(assemble(Some(&empty), &self.built.batch, &pairs, &self.spec)?);
        }
        Ok(())
    }
}

/// Assembles output columns from the two sides by the plan's mapping.
pub(super) fn assemble(
    probe: Option<&RecordBatch>,
    build: &RecordBatch,
    pairs: &Pairs,
    spec: &Spec<'_>,
) -> Result<RecordBatch> {
    let pi = UInt32Array::from(pairs.probe.clone());
    let bi = UInt32Array::from(pairs.build.clone());
    let mut fields = Vec::with_capacity(spec.output.len());
    let mut arrays = Vec::with_capacity(spec.output.len());
    for o in &spec.output {
        let (src, idx) = match o.side {
            Side::Left => (probe.ok_or_else(|| ExecError::Internal("probe column without a probe batch".into()))?, &pi),
            Side::Right => (build, &bi),
        };
        let col = src
            .column_by_name(&o.column)
            .ok_or_else(|| ExecError::Internal(format!("join column `{}` missing", o.column)))?;
        let mut a = arrow_select::take::take(col, idx, None)?;
        if column_type(spec.plan, &o.name) == ScalarType::String {
            a = fill_empty_strings(&a);
        }
        fields.push(Field::new(&o.name, a.data_type().clone(), true));
        arrays.push(a);
    }
    make_batch(fields, arrays, pairs.len())
}

/// Bytes per row of the columns of `batch` (the join's `side`) that the
/// output takes, about: the bytes the rows of these columns span (a slice
/// of a larger batch counts only its rows), over the rows.
fn output_row_bytes(batch: &RecordBatch, spec: &Spec<'_>, side: Side) -> u64 {
    let bytes: u64 = spec
        .output
        .iter()
        .filter(|o| o.side == side)
        .filter_map(|o| batch.column_by_name(&o.column))
        .map(|a| array_bytes(a.as_ref()))
        .sum();
    bytes / batch.num_rows().max(1) as u64
}

/// A zero-row batch with the probe columns the output reads (all-null
/// takes), in the encoding the probe side's batches had (a dynamic column
/// may be a list or JSON text), else the plan's default.
fn empty_like_probe(spec: &Spec<'_>, seen: Option<&SchemaRef>) -> Result<RecordBatch> {
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    for o in spec.output.iter().filter(|o| o.side == Side::Left) {
        let data_type = match seen.and_then(|s| s.field_with_name(&o.column).ok()) {
            Some(f) => f.data_type().clone(),
            None => physical_type(column_type(spec.probe, &o.column)),
        };
        let a = new_empty_array(&data_type);
        fields.push(Field::new(&o.column, a.data_type().clone(), true));
        arrays.push(a);
    }
    make_batch(fields, arrays, 0)
}
