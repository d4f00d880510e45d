//! Hash joins: `join` (every Kusto kind) and `lookup`.
//!
//! One side is built into a hash [`index`] and the other streamed through
//! it ([`probe`]), a window of batches at a time on every core. `lookup`
//! builds its right side (the dimension table, as Kusto expects). `join`
//! builds the smaller side: where the tables' row counts bound both sides
//! and one bound is smaller, that side is read whole first (so the scan of
//! the other opens no part before the built keys can filter it);
//! otherwise it reads both inputs, a batch at a time from the one with
//! fewer rows so far, until one of them ends; that one is built and the
//! other streamed, its batches read so far first. So
//! `small | join big` and `big | join small` both keep only the small side
//! in memory, and the output is streamed, never held: it is made in
//! bounded steps (a key's matches cut across steps when they are many),
//! and only the batches of the step in flight count against the budget.
//!
//! Kusto rules: the default kind `innerunique` keeps one left row per key
//! value before matching; strings are never null, so "" matches ""; null
//! (non-string) keys match nothing; `lookup` returns one row per matching
//! right row and, for `leftouter`, unmatched left rows with empty right
//! columns. Output rows come in the streamed side's order.
//!
//! A build side past half the memory budget spills: both sides are
//! partitioned by key hash and joined partition by partition ([`grace`]),
//! the same rows in another order (partition after partition).

mod distinct;
mod grace;
mod index;
mod ipv4;
mod probe;

pub use ipv4::ipv4_lookup;

use super::Executor;
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use crate::eval::to_scalar_type;
use crate::keys::canonical_key;
use crate::limits::Reservation;
use crate::source::Stream;
use arrow_array::*;
use grace::{BuildBudget, read_then};
use kql_plan::plan::{JoinOutput, Node, Plan, Side};
use kql_syntax::ScalarType;
use kql_syntax::ast::{JoinKind, LookupKind};
use std::collections::VecDeque;

/// What a join keeps, in terms of the streamed (probe) side and the
/// indexed (build) side.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Every matching pair.
    Inner,
    /// innerunique with the left side streamed: the first probe row of each key.
    ProbeUnique,
    /// innerunique with the left side built: its first row of each key.
    BuildUnique,
    /// Matching pairs, and probe rows without a match.
    ProbeOuter,
    /// Matching pairs, and build rows without a match (at the end).
    BuildOuter,
    FullOuter,
    /// Probe rows with (semi) or without (anti) a match; no build columns.
    ProbeSemi,
    ProbeAnti,
    /// Build rows with or without a match, at the end; no probe columns.
    BuildSemi,
    BuildAnti,
}

impl Mode {
    /// The mode of a join `kind` whose `built` side is indexed.
    fn of(kind: JoinKind, built: Side) -> Mode {
        let right = built == Side::Right;
        match kind {
            JoinKind::Inner => Mode::Inner,
            JoinKind::InnerUnique if right => Mode::ProbeUnique,
            JoinKind::InnerUnique => Mode::BuildUnique,
            JoinKind::FullOuter => Mode::FullOuter,
            JoinKind::LeftOuter if right => Mode::ProbeOuter,
            JoinKind::RightOuter if right => Mode::BuildOuter,
            JoinKind::LeftOuter => Mode::BuildOuter,
            JoinKind::RightOuter => Mode::ProbeOuter,
            JoinKind::LeftSemi if right => Mode::ProbeSemi,
            JoinKind::LeftAnti if right => Mode::ProbeAnti,
            JoinKind::RightSemi if right => Mode::BuildSemi,
            JoinKind::RightAnti if right => Mode::BuildAnti,
            JoinKind::LeftSemi => Mode::BuildSemi,
            JoinKind::LeftAnti => Mode::BuildAnti,
            JoinKind::RightSemi => Mode::ProbeSemi,
            JoinKind::RightAnti => Mode::ProbeAnti,
        }
    }

    /// True if matching pairs are output.
    fn pairs(self) -> bool {
        matches!(
            self,
            Mode::Inner | Mode::ProbeUnique | Mode::BuildUnique | Mode::ProbeOuter | Mode::BuildOuter | Mode::FullOuter
        )
    }

    /// True if build rows are output after the probe side ends.
    fn tail(self) -> bool {
        matches!(self, Mode::BuildOuter | Mode::FullOuter | Mode::BuildSemi | Mode::BuildAnti)
    }

    /// True if probe rows whose key no build row has make no output (so a
    /// scan feeding the probe side may drop them while reading).
    fn drops_unmatched_probe_rows(self) -> bool {
        !self.needs_probe_without_build()
    }

    /// True if the output can have rows when the build side has none.
    fn needs_probe_without_build(self) -> bool {
        matches!(self, Mode::ProbeOuter | Mode::FullOuter | Mode::ProbeAnti)
    }
}

/// A join with its sides named by role: `probe` is streamed, `build` indexed.
#[derive(Clone)]
struct Spec<'a> {
    probe: &'a Plan,
    build: &'a Plan,
    mode: Mode,
    /// Key columns: (probe column, build column).
    on: Vec<(String, String)>,
    /// Output columns, `Side::Left` meaning the probe side.
    output: Vec<JoinOutput>,
    plan: &'a Plan,
    /// True if the built keys may filter the scan feeding the probe side
    /// (false for one partition of a spilled join: not all keys are built).
    scan_filter: bool,
}

impl<'a> Spec<'a> {
    fn new(
        built: Side,
        (left, right): (&'a Plan, &'a Plan),
        mode: Mode,
        on: &[(String, String)],
        output: &[JoinOutput],
        plan: &'a Plan,
    ) -> Spec<'a> {
        if built == Side::Right {
            return Spec {
                probe: left,
                build: right,
                mode,
                on: on.to_vec(),
                output: output.to_vec(),
                plan,
                scan_filter: true,
            };
        }
        let flip = |s: Side| if s == Side::Left { Side::Right } else { Side::Left };
        Spec {
            probe: right,
            build: left,
            mode,
            on: on.iter().map(|(l, r)| (r.clone(), l.clone())).collect(),
            output: output
                .iter()
                .map(|o| JoinOutput { side: flip(o.side), column: o.column.clone(), name: o.name.clone() })
                .collect(),
            plan,
            scan_filter: true,
        }
    }
}

pub fn join<'a>(
    ex: &'a Executor<'a>,
    left: &'a Plan,
    right: &'a Plan,
    kind: JoinKind,
    on: &'a [(String, String)],
    output: &'a [JoinOutput],
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let mut held = ex.pool.reservation("join");
    match race(ex, left, right, &mut held)? {
        Raced::Held(built, build_batches, probe) => {
            let spec = Spec::new(built, (left, right), Mode::of(kind, built), on, output, plan);
            probe::hash_join(ex, spec, build_batches, probe, held)
        }
        Raced::Spill(built, build, probe) => {
            drop(held);
            let spec = Spec::new(built, (left, right), Mode::of(kind, built), on, output, plan);
            grace::grace_join(ex, spec, build, probe, "join")
        }
    }
}

/// The distinct rows of an inner join `plan` (see [`distinct`]); past the
/// build side's share of the budget, the spilled join's rows through a
/// (spilling) `distinct`, since rows of different keys may be equal.
pub fn distinct_join<'a>(ex: &'a Executor<'a>, plan: &'a Plan) -> Result<Stream<'a>> {
    let Node::Join { left, right, kind, on, output } = &plan.node else {
        return Err(ExecError::Internal("distinct join over a plan that is not a join".into()));
    };
    let mut held = ex.pool.reservation("join");
    match race(ex, left, right, &mut held)? {
        Raced::Held(built, build_batches, probe) => {
            let spec = Spec::new(built, (left, right), Mode::of(*kind, built), on, output, plan);
            distinct::distinct_join(ex, spec, build_batches, probe, held)
        }
        Raced::Spill(built, build, probe) => {
            drop(held);
            let spec = Spec::new(built, (left, right), Mode::of(*kind, built), on, output, plan);
            let joined = grace::grace_join(ex, spec, build, probe, "join")?;
            Ok(crate::ops::distinct::distinct_of(ex, joined))
        }
    }
}

pub fn lookup<'a>(
    ex: &'a Executor<'a>,
    left: &'a Plan,
    right: &'a Plan,
    kind: LookupKind,
    on: &'a [(String, String)],
    output: &'a [JoinOutput],
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let mode = match kind {
        LookupKind::Inner => Mode::Inner,
        LookupKind::LeftOuter => Mode::ProbeOuter,
    };
    let spec = Spec::new(Side::Right, (left, right), mode, on, output, plan);
    let mut held = ex.pool.reservation("lookup");
    let mut budget = BuildBudget::new(ex);
    let mut build_batches = Vec::new();
    let mut right_stream = ex.run(right)?;
    while let Some(b) = right_stream.next() {
        let b = b?;
        if !budget.hold(&mut held, &b) {
            drop(held);
            build_batches.push(b);
            let build = read_then(build_batches, right_stream);
            return grace::grace_join(ex, spec, build, ex.run(left)?, "lookup");
        }
        build_batches.push(b);
        ex.check_cancel()?;
    }
    probe::hash_join(ex, spec, build_batches, ex.run(left)?, held)
}

/// What [`race`] read.
enum Raced<'a> {
    /// The side to build, held whole, and the other side's stream.
    Held(Side, Vec<RecordBatch>, Stream<'a>),
    /// The sides passed the build side's share of the budget before one
    /// ended: the side to build and the other, as streams (what was read
    /// of them first).
    Spill(Side, Stream<'a>, Stream<'a>),
}

/// Reads both sides of a join until one ends: the side with the smaller
/// bound on its rows (see [`row_bound`]) whole, if both have one and they
/// differ; otherwise always from the side with fewer rows so far (the left
/// one on a tie, the side Kusto advises to be the smaller). Returns the
/// side to build, its batches, and the other side's stream (what was read
/// of it first); or, once what was read passes the build side's share of
/// the budget, both sides as streams to spill, the one being read to be
/// built (the smaller so far, or the bounded one).
fn race<'a>(ex: &'a Executor<'a>, left: &'a Plan, right: &'a Plan, held: &mut Reservation) -> Result<Raced<'a>> {
    let first = match (row_bound(ex, left), row_bound(ex, right)) {
        (Some(l), Some(r)) if l != r => Some(usize::from(r < l)),
        _ => None,
    };
    let mut budget = BuildBudget::new(ex);
    let mut streams = [ex.run(left)?, ex.run(right)?];
    let mut read: [Vec<RecordBatch>; 2] = [Vec::new(), Vec::new()];
    let mut rows = [0usize; 2];
    let ended = loop {
        let s = first.unwrap_or(usize::from(rows[1] < rows[0]));
        match streams[s].next() {
            None => break s,
            Some(b) => {
                let b = b?;
                let fits = budget.hold(held, &b);
                rows[s] += b.num_rows();
                read[s].push(b);
                if !fits {
                    held.shrink(held.bytes());
                    let [left_stream, right_stream] = streams;
                    let [left_read, right_read] = read;
                    let left = read_then(left_read, left_stream);
                    let right = read_then(right_read, right_stream);
                    return Ok(if s == 1 {
                        Raced::Spill(Side::Right, right, left)
                    } else {
                        Raced::Spill(Side::Left, left, right)
                    });
                }
            }
        }
        ex.check_cancel()?;
    };
    let [left_stream, right_stream] = streams;
    let [left_read, right_read] = read;
    Ok(if ended == 1 {
        Raced::Held(Side::Right, right_read, read_then(left_read, left_stream))
    } else {
        Raced::Held(Side::Left, left_read, read_then(right_read, right_stream))
    })
}

/// At most how many rows `plan` gives, from the row counts of the tables
/// it reads (their files' footers), where operators cannot add rows; `None`
/// where that is not known (joins, mv-expand, sources without a count).
fn row_bound(ex: &Executor<'_>, plan: &Plan) -> Option<u64> {
    match &plan.node {
        Node::Scan { table } => ex.tables.rows(table),
        Node::Shared { id, .. } => row_bound(ex, &ex.program.shared.get(id.0)?.plan),
        Node::Filter { input, .. }
        | Node::Project { input, .. }
        | Node::Distinct { input }
        | Node::Sort { input, .. }
        | Node::Top { input, .. }
        | Node::Take { input, .. }
        | Node::MakeSeries { input, .. }
        | Node::Window { input, .. }
        | Node::Sample { input, .. }
        | Node::BagUnpack { input, .. }
        | Node::Render { input, .. } => row_bound(ex, input),
        Node::Summarize { input, keys, .. } if !keys.is_empty() => row_bound(ex, input),
        Node::Summarize { .. } | Node::Count { .. } | Node::Print { .. } => Some(1),
        Node::Datatable { rows } => Some(rows.len() as u64),
        Node::Union { inputs } => inputs.iter().map(|p| row_bound(ex, p)).sum(),
        Node::MvExpand { .. }
        | Node::MvApply { .. }
        | Node::TopNested { .. }
        | Node::Join { .. }
        | Node::Lookup { .. }
        | Node::Ipv4Lookup { .. }
        | Node::Pivot { .. }
        | Node::Range { .. } => None,
    }
}

/// One step of a join's output: adds the next batches to `ready`, or says
/// (false) that there are no more.
trait Step {
    fn step(&mut self, ready: &mut VecDeque<RecordBatch>) -> Result<bool>;
}

/// A [`Step`]per as a stream of batches; nothing more after an error.
struct Steps<S> {
    inner: S,
    ready: VecDeque<RecordBatch>,
    finished: bool,
}

fn steps<'a, S: Step + Send + 'a>(inner: S) -> Stream<'a> {
    Box::new(Steps { inner, ready: VecDeque::new(), finished: false })
}

impl<S: Step> Iterator for Steps<S> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(b) = self.ready.pop_front() {
                return Some(Ok(b));
            }
            if self.finished {
                return None;
            }
            match self.inner.step(&mut self.ready) {
                Ok(more) => self.finished = !more,
                Err(e) => {
                    self.finished = true;
                    self.ready.clear();
                    return Some(Err(e));
                }
            }
        }
    }
}

fn column_type(plan: &Plan, name: &str) -> ScalarType {
    plan.schema.get(name).and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::Dynamic)
}

/// The key columns' types on each side, and the common type each pair is
/// compared in (strings when one side is dynamic).
struct KeyTypes {
    probe: Vec<ScalarType>,
    build: Vec<ScalarType>,
    common: Vec<ScalarType>,
}

impl KeyTypes {
    fn of(spec: &Spec<'_>) -> KeyTypes {
        let probe: Vec<ScalarType> = spec.on.iter().map(|(p, _)| column_type(spec.probe, p)).collect();
        let build: Vec<ScalarType> = spec.on.iter().map(|(_, b)| column_type(spec.build, b)).collect();
        let common = probe
            .iter()
            .zip(&build)
            .map(|(p, b)| {
                let t = crate::eval::comparison_type(*p, *b);
                if t == ScalarType::Dynamic { ScalarType::String } else { t }
            })
            .collect();
        KeyTypes { probe, build, common }
    }
}

/// Key columns of `batch` converted to the common key types.
fn key_columns(batch: &RecordBatch, names: &[String], from: &[ScalarType], to: &[ScalarType]) -> Result<Vec<ArrayRef>> {
    names
        .iter()
        .zip(from.iter().zip(to))
        .map(|(n, (f, t))| {
            let a = batch.column_by_name(n).ok_or_else(|| ExecError::Internal(format!("join key `{n}` missing")))?;
            let c = to_scalar_type(&Col::Array(a.clone()), *f, *t, batch.num_rows())?.to_array(batch.num_rows());
            Ok(canonical_key(&c))
        })
        .collect()
}
