//! Running plan nodes. Each node yields a stream of record batches; row-wise
//! operators (where, extend, project, mv-expand, take) work batch by batch,
//! blocking ones (summarize, sort, top, join's build side) consume their
//! input first. A `let` used more than once is computed once and replayed;
//! one used once is streamed where it is used.

mod aggregate;
mod bag_unpack;
mod combine;
mod distinct;
mod join;
mod mv_apply;
mod pipeline;
mod rowwise;
mod series;
mod sort;
mod source;
mod top_nested;
mod window;

use crate::error::{ExecError, Result};
use crate::eval::{EvalCx, Subqueries};
use crate::limits::{Limits, MemoryPool, Reservation};
use crate::physical::{physical_schema, value_at};
use crate::progress::ScanProgress;
use crate::source::{ScanPredicate, Stream, TableProvider};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema, SchemaRef};
use kql_plan::plan::{Expr, ExprKind, Node, Plan, Program};
use kql_syntax::ScalarType;
pub(crate) use pipeline::Reads;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Runs the plans of one program.
pub struct Executor<'p> {
    pub(crate) program: &'p Program,
    pub(crate) tables: &'p dyn TableProvider,
    pub(crate) now: i64,
    pub(crate) cancel: Arc<AtomicBool>,
    pub(crate) pool: Arc<MemoryPool>,
    /// Where table scans count the rows they read (`with_progress`).
    pub(crate) progress: Option<Arc<ScanProgress>>,
    /// Results of shared `let`s, with the memory they hold.
    shared: Mutex<HashMap<usize, SharedResult>>,
    /// How often each shared `let` is referred to: one used once is
    /// streamed where it is used instead of kept.
    shared_uses: Vec<usize>,
    /// The dynamic-filter slot of each parallel scan, by its plan node's
    /// address (see [`Executor::dynamic_filter_slot`]).
    dynamic: Mutex<HashMap<usize, Arc<OnceLock<ScanPredicate>>>>,
}

/// A shared `let`'s batches and the memory they hold.
type SharedResult = (Arc<Vec<RecordBatch>>, Reservation);

impl<'p> Executor<'p> {
    /// `now` is the instant `now()` means, in nanoseconds since the epoch;
    /// it is taken to its 100 ns tick (Kusto's resolution), so a clock
    /// reading with finer digits gives the datetime Kusto would.
    pub fn new(program: &'p Program, tables: &'p dyn TableProvider, now: i64, cancel: Arc<AtomicBool>) -> Self {
        let now = kql_types::time::datetime_ticks(now);
        let pool = MemoryPool::new(Limits::default().max_memory);
        let shared_uses = program.shared_uses();
        Executor {
            program,
            tables,
            now,
            cancel,
            pool,
            progress: None,
            shared: Mutex::new(HashMap::new()),
            shared_uses,
            dynamic: Mutex::new(HashMap::new()),
        }
    }

    /// The same executor with other limits (call before running).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.pool = MemoryPool::new(limits.max_memory);
        self
    }

    /// The most memory the query's operators held at once so far, as
    /// accounted against the budget ([`MemoryPool::peak`]).
    pub fn peak_memory(&self) -> u64 {
        self.pool.peak()
    }

    /// Rows the query's operators wrote to spill files so far.
    pub fn spilled_rows(&self) -> u64 {
        self.pool.spilled_rows()
    }

    /// All batches of `plan`, accounted to `operator` as it keeps them.
    pub(crate) fn collect_held(
        &self,
        plan: &'p Plan,
        operator: &'static str,
    ) -> Result<(Vec<RecordBatch>, Reservation)> {
        let mut held = self.pool.reservation(operator);
        let mut batches = Vec::new();
        for b in self.run(plan)? {
            let b = b?;
            held.grow(crate::limits::batch_bytes(&b))?;
            batches.push(b);
        }
        Ok((batches, held))
    }

    /// The slot where a join can put a filter for the parallel scan running
    /// `plan` (made on first request): parts the scan opens afterwards
    /// apply it while reading.
    pub(crate) fn dynamic_filter_slot(&self, plan: &Plan) -> Arc<OnceLock<ScanPredicate>> {
        let mut slots = self.dynamic.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(plan as *const Plan as usize).or_default().clone()
    }

    pub(crate) fn check_cancel(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) { Err(ExecError::Cancelled) } else { Ok(()) }
    }

    /// Batches of `plan`, in order.
    pub fn run(&self, plan: &'p Plan) -> Result<Stream<'_>> {
        self.run_reading(plan, Reads::default())
    }

    /// Batches of `plan`, in order, holding at least the columns the
    /// consumer reads: a scan pipeline decodes only those.
    pub(crate) fn run_reading(&self, plan: &'p Plan, reads: Reads<'_>) -> Result<Stream<'_>> {
        self.check_cancel()?;
        // Every scan, with the row-wise operators over it, is a pipeline.
        if let Some(stream) = pipeline::parallel(self, plan, reads)? {
            return Ok(stream);
        }
        // Row-wise operators over anything else: on every core too.
        if let Some(stream) = pipeline::over_stream(self, plan, reads)? {
            return Ok(stream);
        }
        match &plan.node {
            Node::Scan { .. } => Err(ExecError::Internal("a table scan outside a scan pipeline".into())),
            Node::Shared { id, .. } if self.shared_uses.get(id.0) == Some(&1) => {
                // Used once: streamed, not kept.
                let shared = self
                    .program
                    .shared
                    .get(id.0)
                    .ok_or_else(|| ExecError::Internal(format!("no shared plan #{}", id.0)))?;
                let columns: Vec<String> = plan.schema.names().map(str::to_string).collect();
                Ok(Box::new(self.run(&shared.plan)?.map(move |b| select(&b?, &columns))))
            }
            Node::Shared { id, .. } => {
                let batches = self.shared_result(id.0)?;
                let columns: Vec<String> = plan.schema.names().map(str::to_string).collect();
                let out: Vec<Result<RecordBatch>> = batches.iter().map(|b| select(b, &columns)).collect();
                Ok(Box::new(out.into_iter()))
            }
            Node::Filter { .. } | Node::Project { .. } | Node::MvExpand { .. } => {
                Err(ExecError::Internal("a row-wise operator outside a pipeline".into()))
            }
            Node::Distinct { input } if kql_plan::distinct::is_fused_join(input) => join::distinct_join(self, input),
            Node::Distinct { input } => distinct::distinct(self, input),
            Node::Summarize { input, keys, aggregates } => aggregate::summarize(self, input, keys, aggregates, plan),
            Node::Join { left, right, kind, on, output } => join::join(self, left, right, *kind, on, output, plan),
            Node::Lookup { left, right, kind, on, output } => join::lookup(self, left, right, *kind, on, output, plan),
            Node::Union { inputs } => combine::union(self, inputs, plan),
            Node::MakeSeries { .. } => series::make_series(self, plan),
            Node::Sort { input, keys } => sort::sort(self, input, keys, None),
            Node::Top { input, count, key } => {
                let n = self.constant_count(count)?;
                sort::sort(self, input, std::slice::from_ref(key), Some(n))
            }
            Node::Take { input, count } => {
                let n = self.constant_count(count)?;
                rowwise::take(self, input, n)
            }
            Node::Count { input } => aggregate::count(self, input),
            Node::Print { columns } => source::print(self, columns, plan),
            Node::Datatable { rows } => source::datatable(rows, plan),
            Node::Range { from, to, step, .. } => source::range(self, from, to, step, plan),
            Node::Render { input, .. } => self.run(input),
            Node::MvApply { expand, items, keep, sub } => mv_apply::mv_apply(self, expand, items, keep, sub, plan),
            Node::Window { input, columns } => window::window(self, input, columns),
            Node::TopNested { input, levels } => top_nested::top_nested(self, input, levels, plan),
            Node::BagUnpack { span, .. } => Err(ExecError::NotImplemented {
                what: "bag_unpack whose columns were not found in the data first".into(),
                span: *span,
            }),
            Node::Pivot { span, .. } => Err(ExecError::NotImplemented {
                what: "pivot whose columns were not found in the data first".into(),
                span: *span,
            }),
            Node::Ipv4Lookup { left, right, source, key, extra, unmatched, output } => {
                join::ipv4_lookup(self, left, right, source, key, extra, *unmatched, output, plan)
            }
            Node::Sample { input, count } => {
                let n = self.constant_count(count)?;
                window::sample(self, input, n)
            }
        }
    }

    /// All batches of `plan`.
    pub fn collect(&self, plan: &'p Plan) -> Result<Vec<RecordBatch>> {
        self.run(plan)?.collect()
    }

    fn shared_result(&self, id: usize) -> Result<Arc<Vec<RecordBatch>>> {
        if let Some((r, _)) = self.shared.lock().map_err(|_| ExecError::Internal("poisoned lock".into()))?.get(&id) {
            return Ok(r.clone());
        }
        let plan =
            &self.program.shared.get(id).ok_or_else(|| ExecError::Internal(format!("no shared plan #{id}")))?.plan;
        let (batches, held) = self.collect_held(plan, "let")?;
        let batches = Arc::new(batches);
        self.shared
            .lock()
            .map_err(|_| ExecError::Internal("poisoned lock".into()))?
            .insert(id, (batches.clone(), held));
        Ok(batches)
    }

    /// A constant row count (`take 10`, `top 100`).
    pub(crate) fn constant_count(&self, e: &Expr) -> Result<usize> {
        let subs = Subqueries::default();
        let cx = EvalCx { now: self.now, subqueries: &subs };
        let empty = RecordBatch::try_new_with_options(
            Arc::new(Schema::empty()),
            vec![],
            &RecordBatchOptions::new().with_row_count(Some(1)),
        )?;
        let v = crate::eval::eval(e, &empty, &cx)?;
        let n = match v {
            crate::columnar::Col::Scalar(v) => v.as_i64(),
            crate::columnar::Col::Array(a) => value_at(&a, 0, ScalarType::Long).as_i64(),
        };
        Ok(n.map_or(0, |n| usize::try_from(n.max(0)).unwrap_or(usize::MAX)))
    }

    /// Evaluates the sub-queries inside `exprs` (once, before the rows).
    pub(crate) fn subqueries<'e>(&self, exprs: impl IntoIterator<Item = &'p Expr>) -> Result<Subqueries> {
        let mut subs = Subqueries::default();
        for e in exprs {
            self.collect_subqueries(e, &mut subs)?;
        }
        Ok(subs)
    }

    /// Sub-queries inside `e`, operands first (the tested value of `in`
    /// before its table).
    fn collect_subqueries(&self, e: &'p Expr, subs: &mut Subqueries) -> Result<()> {
        for c in e.children() {
            self.collect_subqueries(c, subs)?;
        }
        match &e.kind {
            ExprKind::ScalarQuery(plan) => {
                let batches = self.collect(plan)?;
                let ty = plan.schema.columns.first().and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::Dynamic);
                let v = batches
                    .iter()
                    .find(|b| b.num_rows() > 0 && b.num_columns() > 0)
                    .map_or_else(|| kql_types::Value::null_of(ty), |b| value_at(b.column(0), 0, ty));
                subs.scalars.insert(&**plan as *const _ as usize, v);
            }
            ExprKind::InQuery { query, .. } => {
                let batches = self.collect(query)?;
                let cols: Vec<ArrayRef> =
                    batches.iter().filter(|b| b.num_columns() > 0).map(|b| b.column(0).clone()).collect();
                let refs: Vec<&dyn arrow_array::Array> = cols.iter().map(|a| a.as_ref()).collect();
                let ty = query.schema.columns.first().and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::String);
                let set = if refs.is_empty() {
                    arrow_array::new_empty_array(&crate::physical::physical_type(ty))
                } else {
                    arrow_select::concat::concat(&refs)?
                };
                subs.sets.insert(&**query as *const _ as usize, set);
            }
            _ => {}
        }
        Ok(())
    }
}

/// Rows read before a window of batches is worked on in parallel
/// (`summarize`, `distinct`)...
const WINDOW_ROWS: usize = 262_144;

/// ... or fewer if they hold this many bytes: the work on a window keeps
/// several forms of its rows at once (computed keys, their row encoding),
/// so wide rows (scenario 1 groups by ten strings of ~300 bytes in all)
/// would otherwise set the peak memory.
const WINDOW_BYTES: usize = 32 << 20;

/// The next non-empty batches of `input`, up to about [`WINDOW_ROWS`] rows
/// or [`WINDOW_BYTES`] bytes; none at its end.
pub(crate) fn next_window(input: &mut Stream<'_>) -> Result<Vec<RecordBatch>> {
    let mut window = Vec::new();
    let (mut rows, mut bytes) = (0, 0);
    while rows < WINDOW_ROWS && bytes < WINDOW_BYTES {
        match input.next() {
            None => break,
            Some(b) => {
                let b = b?;
                rows += b.num_rows();
                if b.num_rows() > 0 {
                    bytes += crate::limits::batch_bytes(&b) as usize;
                    window.push(b);
                }
            }
        }
    }
    Ok(window)
}

/// The columns `names` of `batch`, in that order.
pub(crate) fn select(batch: &RecordBatch, names: &[String]) -> Result<RecordBatch> {
    let schema = batch.schema();
    let mut fields = Vec::with_capacity(names.len());
    let mut cols = Vec::with_capacity(names.len());
    for n in names {
        let i = schema.index_of(n).map_err(|_| ExecError::Internal(format!("column `{n}` missing from an input")))?;
        fields.push(schema.field(i).clone());
        cols.push(batch.column(i).clone());
    }
    make_batch(fields, cols, batch.num_rows())
}

/// A batch from fields and columns, keeping the row count when there are no columns.
pub(crate) fn make_batch(fields: Vec<Field>, columns: Vec<ArrayRef>, rows: usize) -> Result<RecordBatch> {
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    Ok(RecordBatch::try_new_with_options(schema, columns, &RecordBatchOptions::new().with_row_count(Some(rows)))?)
}

/// A batch of named columns (fields take the arrays' types).
pub(crate) fn batch_of(columns: Vec<(String, ArrayRef)>, rows: usize) -> Result<RecordBatch> {
    let fields = columns.iter().map(|(n, a)| Field::new(n, a.data_type().clone(), true)).collect();
    make_batch(fields, columns.into_iter().map(|(_, a)| a).collect(), rows)
}

/// An empty result with the plan's default encodings.
pub(crate) fn empty_stream<'a>() -> Stream<'a> {
    Box::new(std::iter::empty())
}

/// The default Arrow schema of a plan node.
pub(crate) fn default_schema(plan: &Plan) -> SchemaRef {
    physical_schema(&plan.schema)
}
