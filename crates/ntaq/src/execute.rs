//! Running a prepared query: the one loop from the executor's results to
//! where they go ([`Session::execute`]), shared by `ntaq run`, the shell
//! (typed or piped entries) and ntaq's own queries (`recommend`'s flows,
//! the empty-result hint), each with its own [`ResultSink`].

use crate::session::{Prepared, Session};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use kql_exec::{ExecError, ScanProgress};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// How a query runs.
#[derive(Clone, Debug)]
pub struct Execution {
    /// The instant `now()` and `ago()` count from (nanoseconds since the epoch).
    pub now: i64,
    /// Set to stop the query (Ctrl-C).
    pub cancel: Arc<AtomicBool>,
    /// Counts what the scans read, for a progress bar.
    pub progress: Option<Arc<ScanProgress>>,
    /// Most rows read from each result; the rest are never computed.
    pub max_rows: Option<u64>,
}

impl Execution {
    /// `now()` fixed to `now`, never cancelled, no progress, every row.
    pub fn at(now: i64) -> Execution {
        Execution { now, cancel: Arc::new(AtomicBool::new(false)), progress: None, max_rows: None }
    }
}

/// Where the results of a query go, one after another: for each result
/// [`begin`](ResultSink::begin), [`open`](ResultSink::open) with its
/// schema, [`write`](ResultSink::write) per batch, [`end`](ResultSink::end).
/// The first error stops the query.
pub trait ResultSink {
    type Error: From<ExecError>;

    /// Result `index` (0-based) is about to run.
    fn begin(&mut self, _index: usize) -> Result<(), Self::Error> {
        Ok(())
    }

    /// The current result's schema, before its rows.
    fn open(&mut self, schema: &SchemaRef) -> Result<(), Self::Error>;

    /// The next rows of the current result.
    fn write(&mut self, batch: &RecordBatch) -> Result<(), Self::Error>;

    /// The current result is complete; `cut_at` is `Some(n)` when it was
    /// cut at [`Execution::max_rows`] = n.
    fn end(&mut self, cut_at: Option<u64>) -> Result<(), Self::Error>;
}

impl Session {
    /// Runs `prepared` and hands each of its results to `sink`.
    pub fn execute<S: ResultSink>(&self, prepared: &Prepared, how: &Execution, sink: &mut S) -> Result<(), S::Error> {
        let mut ex = self.executor(prepared, how.now, how.cancel.clone());
        if let Some(progress) = &how.progress {
            ex = ex.with_progress(progress.clone());
        }
        for k in 0..prepared.program.results.len() {
            sink.begin(k)?;
            let rs = ex.result(k)?;
            sink.open(&rs.schema)?;
            let mut rows: u64 = 0;
            let mut cut_at = None;
            for batch in rs.batches {
                let batch = batch?;
                match how.max_rows {
                    Some(n) if rows + batch.num_rows() as u64 > n => {
                        sink.write(&batch.slice(0, (n - rows) as usize))?;
                        cut_at = Some(n);
                        break;
                    }
                    _ => sink.write(&batch)?,
                }
                rows += batch.num_rows() as u64;
            }
            sink.end(cut_at)?;
        }
        Ok(())
    }

    /// Runs `prepared` and keeps every result whole, in memory: for ntaq's
    /// own small queries.
    pub fn collect(&self, prepared: &Prepared, how: &Execution) -> Result<Vec<Collected>, ExecError> {
        let mut sink = Collect::default();
        self.execute(prepared, how, &mut sink)?;
        Ok(sink.results)
    }
}

/// One result, kept whole.
#[derive(Debug, Clone)]
pub struct Collected {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

/// The sink of [`Session::collect`].
#[derive(Default)]
struct Collect {
    results: Vec<Collected>,
}

impl ResultSink for Collect {
    type Error = ExecError;

    fn open(&mut self, schema: &SchemaRef) -> Result<(), ExecError> {
        self.results.push(Collected { schema: schema.clone(), batches: Vec::new() });
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), ExecError> {
        if let Some(r) = self.results.last_mut() {
            r.batches.push(batch.clone());
        }
        Ok(())
    }

    fn end(&mut self, _cut_at: Option<u64>) -> Result<(), ExecError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ParamValues;

    #[test]
    fn every_result_in_order_and_the_cut() {
        let session = Session::builtin();
        let prepared = session.prepare("print a = 1; range x from 1 to 10 step 1", &ParamValues::default());
        assert!(!prepared.blocked(), "{:?}", prepared.diagnostics);
        let results = session.collect(&prepared, &Execution::at(0)).unwrap();
        let rows: Vec<usize> = results.iter().map(|r| r.batches.iter().map(RecordBatch::num_rows).sum()).collect();
        assert_eq!(rows, [1, 10]);
        // Cut at 4 rows: the sink is told where.
        struct Cuts(Vec<Option<u64>>, usize);
        impl ResultSink for Cuts {
            type Error = ExecError;
            fn open(&mut self, _: &SchemaRef) -> Result<(), ExecError> {
                Ok(())
            }
            fn write(&mut self, b: &RecordBatch) -> Result<(), ExecError> {
                self.1 += b.num_rows();
                Ok(())
            }
            fn end(&mut self, cut_at: Option<u64>) -> Result<(), ExecError> {
                self.0.push(cut_at);
                Ok(())
            }
        }
        let mut cuts = Cuts(Vec::new(), 0);
        session.execute(&prepared, &Execution { max_rows: Some(4), ..Execution::at(0) }, &mut cuts).unwrap();
        assert_eq!(cuts.0, [None, Some(4)]);
        assert_eq!(cuts.1, 1 + 4);
    }
}
