//! Parallel pipelines: a chain of row-wise operators (where,
//! extend/project, mv-expand) runs on every core — over another operator's
//! batches several at a time ([`over_stream`]), and over a table scan as
//! follows. The table is cut into
//! parts ([`TableProvider::partitions`](crate::TableProvider)); each part
//! is decoded and pushed through the whole chain on one thread, so the
//! threads share nothing but the read-only plan. Parts are taken a window
//! at a time and their results yielded in table order, which keeps the
//! output deterministic and the memory bounded by the window.

use super::Executor;
use super::rowwise::{expand_batch, project_batch};
use crate::error::{ExecError, Result};
use crate::eval::{EvalCx, Subqueries, eval_predicate};
use crate::limits::Reservation;
use crate::source::{Partition, ScanPredicate, Stream, Test};
use arrow_array::RecordBatch;
use kql_plan::optimize::{Names, referenced_columns};
use kql_plan::plan::{Expr, ExprKind, Node, Plan};
use kql_syntax::ScalarType;
use kql_syntax::ast::BinaryOp;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

/// One row-wise operator of a chain.
enum Stage<'p> {
    Filter(&'p Expr, Subqueries),
    Project(&'p [(String, Expr)], Subqueries),
    /// `guard`: the explosion guard, as in [`super::rowwise::expand_batch`].
    MvExpand {
        columns: &'p [String],
        limit: Option<usize>,
        plan: &'p Plan,
        guard: Reservation,
    },
}

/// The chain of row-wise operators from `plan` down to a table scan, if
/// `plan` is one: its stages (scan first) and the scan node.
fn chain<'p>(ex: &Executor<'p>, plan: &'p Plan) -> Result<Option<(Vec<Stage<'p>>, &'p Plan, &'p str)>> {
    // The shape first: sub-queries are evaluated only for a chain.
    let Node::Scan { table } = &below_rowwise(plan).node else { return Ok(None) };
    let (stages, scan) = stages(ex, plan)?;
    Ok(Some((stages, scan, table)))
}

/// The first node under `plan` (or `plan` itself) that is not a row-wise operator.
fn below_rowwise(plan: &Plan) -> &Plan {
    let mut p = plan;
    while let Node::Filter { input, .. } | Node::Project { input, .. } | Node::MvExpand { input, .. } = &p.node {
        p = input;
    }
    p
}

/// The row-wise operators from `plan` down to the first node that is not
/// one: their stages (lowest first) and that node.
fn stages<'p>(ex: &Executor<'p>, plan: &'p Plan) -> Result<(Vec<Stage<'p>>, &'p Plan)> {
    let mut stages = Vec::new();
    let mut p = plan;
    loop {
        match &p.node {
            Node::Filter { input, predicate } => {
                stages.push(Stage::Filter(predicate, ex.subqueries([predicate])?));
                p = input;
            }
            Node::Project { input, columns } => {
                stages.push(Stage::Project(columns, ex.subqueries(columns.iter().map(|(_, e)| e))?));
                p = input;
            }
            Node::MvExpand { input, columns, limit, .. } => {
                let limit = match limit {
                    Some(e) => Some(ex.constant_count(e)?),
                    None => None,
                };
                stages.push(Stage::MvExpand { columns, limit, plan: p, guard: ex.pool.reservation("mv-expand") });
                p = input;
            }
            _ => {
                stages.reverse();
                return Ok((stages, p));
            }
        }
    }
}

/// The filters right above the scan that the scan can run itself: those
/// reading at least one column and no sub-query. They leave `stages`. A
/// filter `a and b` becomes two (rows must pass both either way), so each
/// reads fewer columns: one reading a single string column is evaluated
/// once per dictionary value where the file allows (see
/// [`ScanPredicate::deterministic`]).
fn scan_predicates(ex: &Executor<'_>, stages: &mut Vec<Stage<'_>>, scan: &Plan) -> Vec<ScanPredicate> {
    let mut out = Vec::new();
    while let Some(Stage::Filter(predicate, subs)) = stages.first() {
        if !subs.scalars.is_empty() || !subs.sets.is_empty() {
            break;
        }
        let mut parts = Vec::new();
        conjuncts(predicate, &mut parts);
        let found: Option<Vec<ScanPredicate>> = parts.iter().map(|p| scan_predicate(ex, p, scan)).collect();
        let found = match found {
            Some(f) => f,
            // A conjunct without columns: keep the filter whole, if it reads any.
            None => match scan_predicate(ex, predicate, scan) {
                Some(whole) => vec![whole],
                None => break,
            },
        };
        out.extend(found);
        stages.remove(0);
    }
    out
}

/// `e` split at its top-level `and`s.
fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary { op: BinaryOp::And, left, right } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        _ => out.push(e),
    }
}

/// `predicate` as a scan predicate, if it reads scan columns only (at least one).
fn scan_predicate(ex: &Executor<'_>, predicate: &Expr, scan: &Plan) -> Option<ScanPredicate> {
    let mut names = std::collections::BTreeSet::new();
    kql_plan::optimize::referenced_columns(predicate, &mut names);
    let columns: Vec<(String, ScalarType)> = names
        .iter()
        .map(|n| scan.schema.get(n).and_then(|c| c.ty.scalar()).map(|t| (n.clone(), t)))
        .collect::<Option<_>>()?;
    if columns.is_empty() {
        return None;
    }
    Some(ScanPredicate {
        test: Test::Expr(Arc::new(predicate.clone())),
        deterministic: kql_plan::optimize::deterministic(predicate),
        columns,
        now: ex.now,
    })
}

/// The scan columns the stages left after the scan's own filters, and
/// the consumer after them, read: `wanted` of the last stage's output
/// (`None`: all of it).
fn columns_read(stages: &[Stage<'_>], plan: &Plan, wanted: Option<&Names>) -> Names {
    let mut need: Names = match wanted {
        Some(w) => w.clone(),
        None => plan.schema.names().map(str::to_string).collect(),
    };
    for stage in stages.iter().rev() {
        match stage {
            Stage::Filter(predicate, _) => referenced_columns(predicate, &mut need),
            // A projection computes all its columns, whichever are read.
            Stage::Project(columns, _) => {
                need = Names::new();
                columns.iter().for_each(|(_, e)| referenced_columns(e, &mut need));
            }
            Stage::MvExpand { columns, .. } => need.extend(columns.iter().cloned()),
        }
    }
    need
}

/// What the consumer of a plan's batches reads of them.
#[derive(Clone, Copy, Default)]
pub struct Reads<'w> {
    /// The columns it reads; `None`: all of them.
    pub columns: Option<&'w Names>,
    /// String columns it also takes as dictionaries
    /// ([`dictionary_string`](crate::source::dictionary_string)).
    pub dictionaries: &'w [String],
}

/// Runs `plan` as a parallel scan if it is a scan with row-wise operators
/// over it; `None` if it is something else. Its batches hold the columns
/// the consumer reads — or more.
pub fn parallel<'a>(ex: &'a Executor<'a>, plan: &'a Plan, reads: Reads<'_>) -> Result<Option<Stream<'a>>> {
    let Some((mut stages, scan, table)) = chain(ex, plan)? else { return Ok(None) };
    let filters = scan_predicates(ex, &mut stages, scan);
    // Columns only the scan's own filters read are not decoded for the
    // batches: the reader decodes them for the filters on their own.
    let read = columns_read(&stages, plan, reads.columns);
    // Dictionaries go to the consumer only if no stage sees them first.
    let dictionaries = if stages.is_empty() { reads.dictionaries } else { &[] };
    let columns = scan
        .schema
        .columns
        .iter()
        .filter(|c| read.contains(&c.name))
        .map(|c| {
            c.ty.scalar()
                .map(|t| (c.name.clone(), t))
                .ok_or_else(|| ExecError::Internal(format!("column `{}` of unknown type", c.name)))
        })
        .collect::<Result<Vec<(String, ScalarType)>>>()?;
    let parts = ex.tables.partitions(table, &columns, &filters, dictionaries)?;
    if let Some(p) = &ex.progress {
        p.register(ex.tables.rows(table));
    }
    let window = rayon::current_num_threads().max(1) * 2;
    let dynamic = ex.dynamic_filter_slot(plan);
    Ok(Some(Box::new(Parallel { ex, stages, parts: parts.into_iter(), dynamic, ready: Ready::default(), window })))
}

/// Runs `plan` as a chain of row-wise operators over another operator's
/// batches (a join's, a `let`'s), several batches at once on every core,
/// if it is one; `None` if `plan` is not row-wise. The batches come out in
/// input order.
pub fn over_stream<'a>(ex: &'a Executor<'a>, plan: &'a Plan, reads: Reads<'_>) -> Result<Option<Stream<'a>>> {
    if std::ptr::eq(below_rowwise(plan), plan) {
        return Ok(None);
    }
    let (stages, input) = stages(ex, plan)?;
    let read = columns_read(&stages, plan, reads.columns);
    let input = ex.run_reading(input, Reads { columns: Some(&read), dictionaries: &[] })?;
    let window = rayon::current_num_threads().max(1) * 2;
    Ok(Some(Box::new(OverStream { ex, stages, input, ready: Ready::default(), window })))
}

/// Batches made a window at a time on every core, handed out in order;
/// nothing more after an error.
#[derive(Default)]
struct Ready {
    queue: VecDeque<Result<RecordBatch>>,
    done: bool,
}

impl Ready {
    /// The next batch, `fill` adding a window's when none is left (false:
    /// the input has ended).
    fn next(
        &mut self,
        mut fill: impl FnMut(&mut VecDeque<Result<RecordBatch>>) -> bool,
    ) -> Option<Result<RecordBatch>> {
        loop {
            if let Some(b) = self.queue.pop_front() {
                if b.is_err() {
                    self.done = true;
                    self.queue.clear();
                }
                return Some(b);
            }
            if self.done || !fill(&mut self.queue) {
                self.done = true;
                return None;
            }
        }
    }
}

struct OverStream<'a> {
    ex: &'a Executor<'a>,
    stages: Vec<Stage<'a>>,
    input: Stream<'a>,
    ready: Ready,
    window: usize,
}

impl Iterator for OverStream<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        let OverStream { ex, stages, input, ready, window } = self;
        ready.next(|queue| {
            let chunk: Vec<Result<RecordBatch>> = input.by_ref().take(*window).collect();
            if chunk.is_empty() {
                return false;
            }
            let results: Vec<Result<Option<RecordBatch>>> = chunk
                .into_par_iter()
                .map(|b| {
                    if ex.cancel.load(Ordering::Relaxed) {
                        return Err(ExecError::Cancelled);
                    }
                    // Every stage runs even on a batch without rows (as
                    // the operators would on their own): an invalid regular
                    // expression fails the query whether or not rows reach it.
                    apply(ex, stages, b?, true)
                })
                .collect();
            // In order, up to the first error.
            for r in results {
                match r {
                    Ok(Some(b)) => queue.push_back(Ok(b)),
                    Ok(None) => {}
                    Err(e) => {
                        queue.push_back(Err(e));
                        break;
                    }
                }
            }
            true
        })
    }
}

struct Parallel<'a> {
    ex: &'a Executor<'a>,
    stages: Vec<Stage<'a>>,
    parts: std::vec::IntoIter<Partition>,
    /// A filter a join sets once it knows its keys; parts opened after that apply it.
    dynamic: Arc<OnceLock<ScanPredicate>>,
    ready: Ready,
    window: usize,
}

impl Iterator for Parallel<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        let Parallel { ex, stages, parts, dynamic, ready, window } = self;
        ready.next(|queue| {
            let chunk: Vec<Partition> = parts.by_ref().take(*window).collect();
            if chunk.is_empty() {
                return false;
            }
            let extra: Vec<ScanPredicate> = dynamic.get().cloned().into_iter().collect();
            let results: Vec<Vec<Result<RecordBatch>>> =
                chunk.into_par_iter().map(|part| run_part(ex, stages, part, extra.clone())).collect();
            queue.extend(results.into_iter().flatten());
            true
        })
    }
}

/// One part through the whole chain; stops at its first error.
fn run_part(
    ex: &Executor<'_>,
    stages: &[Stage<'_>],
    part: Partition,
    extra: Vec<ScanPredicate>,
) -> Vec<Result<RecordBatch>> {
    let mut out = Vec::new();
    let rows = part.rows;
    let stream = match part.open(extra) {
        Ok(s) => s,
        Err(e) => return vec![Err(e)],
    };
    for b in stream {
        let r = b.and_then(|b| {
            if ex.cancel.load(Ordering::Relaxed) {
                return Err(ExecError::Cancelled);
            }
            apply(ex, stages, b, false)
        });
        match r {
            Ok(Some(b)) => out.push(Ok(b)),
            Ok(None) => {}
            Err(e) => {
                out.push(Err(e));
                return out;
            }
        }
    }
    if let Some(p) = &ex.progress {
        p.count(usize::try_from(rows).unwrap_or(usize::MAX));
    }
    out
}

/// A batch through the stages. Without `every_stage`: `None` once no row
/// is left. With it (over another operator's batches): every stage runs
/// even without rows, and a batch without rows is handed on unless a filter
/// emptied it — as the operators one by one would, so that what consumes a
/// `project` of an empty input (a `top-nested` level's aggregate) still
/// sees its schema.
fn apply(
    ex: &Executor<'_>,
    stages: &[Stage<'_>],
    mut b: RecordBatch,
    every_stage: bool,
) -> Result<Option<RecordBatch>> {
    let mut filtered_out = false;
    for stage in stages {
        if b.num_rows() == 0 && !every_stage {
            return Ok(None);
        }
        b = match stage {
            Stage::Filter(predicate, subs) => {
                let cx = EvalCx { now: ex.now, subqueries: subs };
                let mask = eval_predicate(predicate, &b, &cx)?;
                let kept = arrow_select::filter::filter_record_batch(&b, &mask)?;
                filtered_out |= kept.num_rows() == 0;
                kept
            }
            Stage::Project(columns, subs) => {
                let cx = EvalCx { now: ex.now, subqueries: subs };
                project_batch(&b, columns, &cx)?
            }
            Stage::MvExpand { columns, limit, plan, guard } => expand_batch(&b, columns, *limit, plan, guard)?,
        };
    }
    let keep = b.num_rows() > 0 || (every_stage && !filtered_out);
    Ok(keep.then_some(b))
}
