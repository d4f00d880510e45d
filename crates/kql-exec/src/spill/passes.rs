//! Spilled partitions processed on every core. `summarize` and `distinct`
//! process each partition they spilled by a pass of its own; those passes
//! run on [`workers`] threads at once, each within an equal part of the
//! operator's spilling share, so together they hold what one pass did.
//!
//! The output keeps the order of a pass-after-pass run: partition after
//! partition, in the order they were queued (the partitions a pass spills
//! in turn go to the end of the queue). A pass sends its batches through a
//! small bounded channel of its own, read in that order: a pass ahead of
//! the consumer waits for it instead of gathering its output, so at most
//! [`workers`] passes exist at once. The threads start when the output of
//! the partitions is first asked for (after the groups or rows held by the
//! operator's first pass are out and their memory given back), and stop
//! when the stream is dropped.

use crate::error::{ExecError, Result};
use crate::spill::{PARTITIONS, SpillFile};
use arrow_array::RecordBatch;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Batches a pass may send ahead of the consumer.
const AHEAD: usize = 2;

/// The most passes run at once.
const MAX_WORKERS: usize = 16;

/// The most partitions an operator spills to.
const MAX_PARTITIONS: usize = 128;

/// How many spilled partitions are processed at once: one per thread of
/// the pool the query runs in.
pub(crate) fn workers() -> usize {
    rayon::current_num_threads().clamp(1, MAX_WORKERS)
}

/// The partitions `summarize` and `distinct` spill to: [`PARTITIONS`] per
/// pass run at once, so that a partition still fits the smaller share of
/// a pass as it fit the share of one pass at a time.
pub(crate) fn partitions() -> usize {
    (PARTITIONS * workers()).min(MAX_PARTITIONS)
}

/// What a pass does with one partition: sends its output and queues the
/// partitions it spilled in turn.
pub(crate) trait Pass: Fn(SpillFile, &PassOutput) -> Result<()> + Send + Sync + 'static {}
impl<F: Fn(SpillFile, &PassOutput) -> Result<()> + Send + Sync + 'static> Pass for F {}

/// Where a pass sends its output.
pub(crate) struct PassOutput {
    tx: SyncSender<Result<RecordBatch>>,
    shared: Arc<Shared>,
}

impl PassOutput {
    /// Sends `batch` on (waiting while the consumer is behind); an error
    /// once the consumer is gone, to stop the pass.
    pub(crate) fn send(&self, batch: RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.tx.send(Ok(batch)).map_err(|_| ExecError::Cancelled)
    }

    /// Queues the partitions the pass spilled, each for a pass of its own.
    pub(crate) fn queue(&self, files: Vec<SpillFile>) {
        if files.is_empty() {
            return;
        }
        let mut state = self.shared.lock();
        if !self.shared.stopped.load(Ordering::SeqCst) {
            state.queue.extend(files);
        }
        drop(state);
        self.shared.changed.notify_all();
    }

    /// An error once the query is cancelled or the passes were stopped
    /// (another failed, or the consumer is gone).
    pub(crate) fn check(&self) -> Result<()> {
        if self.shared.cancel.load(Ordering::Relaxed) || self.shared.stopped.load(Ordering::SeqCst) {
            Err(ExecError::Cancelled)
        } else {
            Ok(())
        }
    }
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    /// The query's cancel flag.
    cancel: Arc<AtomicBool>,
    /// Set on the first failure or when the stream is dropped: no pass
    /// starts after it.
    stopped: AtomicBool,
}

#[derive(Default)]
struct State {
    /// Partitions not started.
    queue: VecDeque<SpillFile>,
    /// The output of each pass started and not yet read, in order.
    outputs: VecDeque<Receiver<Result<RecordBatch>>>,
    /// Passes running.
    active: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'s>(&self, state: MutexGuard<'s, State>) -> MutexGuard<'s, State> {
        self.changed.wait(state).unwrap_or_else(|e| e.into_inner())
    }

    /// No pass starts any more; true for the first caller.
    fn stop(&self) -> bool {
        let first = !self.stopped.swap(true, Ordering::SeqCst);
        let queue = std::mem::take(&mut self.lock().queue);
        drop(queue);
        self.changed.notify_all();
        first
    }
}

/// The output of the passes over `files` (and over what they spill in
/// turn), in queue order, `pass` run on up to `workers` threads at once.
pub(crate) struct Passes<F: Pass> {
    shared: Arc<Shared>,
    pass: Option<(Arc<F>, usize)>,
    current: Option<Receiver<Result<RecordBatch>>>,
    threads: Vec<JoinHandle<()>>,
    done: bool,
}

impl<F: Pass> Passes<F> {
    pub(crate) fn new(files: Vec<SpillFile>, workers: usize, cancel: Arc<AtomicBool>, pass: F) -> Passes<F> {
        let state = State { queue: files.into(), ..State::default() };
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            changed: Condvar::new(),
            cancel,
            stopped: AtomicBool::new(false),
        });
        Passes { shared, pass: Some((Arc::new(pass), workers.max(1))), current: None, threads: Vec::new(), done: false }
    }

    /// Starts the worker threads (on the first call).
    fn start(&mut self) -> Result<()> {
        let Some((pass, workers)) = self.pass.take() else { return Ok(()) };
        for k in 0..workers {
            let (shared, pass) = (self.shared.clone(), pass.clone());
            match std::thread::Builder::new().name(format!("ntaq-spill-{k}")).spawn(move || work(&shared, &*pass)) {
                Ok(t) => self.threads.push(t),
                // Fewer threads than cores still process every partition.
                Err(_) if k > 0 => break,
                Err(e) => {
                    return Err(ExecError::Internal(format!("could not start a thread for spilled partitions: {e}")));
                }
            }
        }
        Ok(())
    }

    /// Stops the passes and waits for their threads.
    fn finish(&mut self) {
        self.done = true;
        self.pass = None;
        self.shared.stop();
        self.current = None;
        let outputs = std::mem::take(&mut self.shared.lock().outputs);
        drop(outputs);
        for t in self.threads.drain(..) {
            // A thread's panic was reported through its channel.
            let _ = t.join();
        }
    }
}

/// One worker thread: passes over the queued partitions until none is
/// left and none is running (a running pass may still queue more).
fn work<F: Pass>(shared: &Arc<Shared>, pass: &F) {
    loop {
        let (file, tx) = {
            let mut state = shared.lock();
            loop {
                if shared.stopped.load(Ordering::SeqCst) {
                    return;
                }
                if let Some(file) = state.queue.pop_front() {
                    let (tx, rx) = sync_channel(AHEAD);
                    state.outputs.push_back(rx);
                    state.active += 1;
                    break (file, tx);
                }
                if state.active == 0 {
                    return;
                }
                state = shared.wait(state);
            }
        };
        shared.changed.notify_all();
        let running = Running { out: PassOutput { tx, shared: shared.clone() } };
        if let Err(e) = pass(file, &running.out) {
            // Only the first failure is the query's: the passes it stops
            // fail too, and their partial output ends before it.
            if shared.stop() {
                let _ = running.out.tx.send(Err(e));
            }
        }
    }
}

/// A pass running: when it ends (or panics), its channel closes and the
/// passes running count it out.
struct Running {
    out: PassOutput,
}

impl Drop for Running {
    fn drop(&mut self) {
        let shared = &self.out.shared;
        if std::thread::panicking() && shared.stop() {
            let _ = self.out.tx.send(Err(ExecError::Internal("a pass over spilled rows panicked".into())));
        }
        shared.lock().active -= 1;
        shared.changed.notify_all();
    }
}

impl<F: Pass> Iterator for Passes<F> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Err(e) = self.start() {
            self.finish();
            return Some(Err(e));
        }
        loop {
            if let Some(rx) = &self.current {
                match rx.recv() {
                    Ok(Ok(b)) => return Some(Ok(b)),
                    Ok(Err(e)) => {
                        self.finish();
                        return Some(Err(e));
                    }
                    // That pass is over: the next one's output.
                    Err(_) => self.current = None,
                }
            }
            let mut state = self.shared.lock();
            loop {
                if let Some(rx) = state.outputs.pop_front() {
                    self.current = Some(rx);
                    break;
                }
                if state.queue.is_empty() && state.active == 0 {
                    drop(state);
                    self.finish();
                    return None;
                }
                state = self.shared.wait(state);
            }
        }
    }
}

impl<F: Pass> Drop for Passes<F> {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MemoryPool;
    use crate::spill::SpillWriter;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{ArrayRef, Int64Array};

    fn batch(values: &[i64]) -> RecordBatch {
        let a: ArrayRef = Arc::new(Int64Array::from(values.to_vec()));
        RecordBatch::try_from_iter([("x", a)]).unwrap()
    }

    /// Partitions holding 0..n, n..2n, … (one file each).
    fn files(parts: usize, n: i64) -> Vec<SpillFile> {
        let pool = MemoryPool::new(1 << 30);
        let mut w = SpillWriter::new("summarize", parts, &pool);
        for p in 0..parts {
            let values: Vec<i64> = (p as i64 * n..(p as i64 + 1) * n).collect();
            w.push(p, batch(&values)).unwrap();
        }
        w.finish().unwrap()
    }

    fn values(out: Vec<RecordBatch>) -> Vec<i64> {
        out.iter().flat_map(|b| b.column(0).as_primitive::<Int64Type>().values().to_vec()).collect()
    }

    /// Each value doubled, sent in batches of 3; a partition starting at a
    /// multiple of 100 with more than 5 values queues its upper half as a
    /// partition of its own.
    fn double(file: SpillFile, out: &PassOutput) -> Result<()> {
        let mut all: Vec<i64> = Vec::new();
        for b in file.read() {
            all.extend(b?.column(0).as_primitive::<Int64Type>().values().iter());
        }
        let mut keep = all.clone();
        if all.len() > 5 && all[0] % 100 == 0 {
            let pool = MemoryPool::new(1 << 30);
            let mut w = SpillWriter::new("summarize", 1, &pool);
            keep = all[..all.len() / 2].to_vec();
            w.push(0, batch(&all[all.len() / 2..])).unwrap();
            out.queue(w.finish()?);
        }
        for chunk in keep.chunks(3) {
            out.check()?;
            out.send(batch(&chunk.iter().map(|v| v * 2).collect::<Vec<_>>()))?;
        }
        Ok(())
    }

    #[test]
    fn partitions_come_out_in_queue_order_on_every_worker_count() {
        for workers in [1, 2, 3, 8] {
            let passes = Passes::new(files(5, 100), workers, Arc::new(AtomicBool::new(false)), double);
            let got = values(passes.collect::<Result<_>>().unwrap());
            // Partitions 0..5, in order, each give their lower half doubled
            // (they start at multiples of 100); then the upper halves they
            // queued, each whole, in the order they were queued (with one
            // worker, the order of the partitions that queued them).
            let mut want: Vec<i64> = Vec::new();
            for p in 0..5 {
                want.extend((p * 100..p * 100 + 50).map(|v| v * 2));
            }
            assert_eq!(got[..250], want[..], "{workers} workers");
            let mut rest: Vec<Vec<i64>> = got[250..].chunks(50).map(|c| c.to_vec()).collect();
            if workers > 1 {
                rest.sort();
            }
            let upper: Vec<Vec<i64>> = (0..5).map(|p| (p * 100 + 50..p * 100 + 100).map(|v| v * 2).collect()).collect();
            assert_eq!(rest, upper, "{workers} workers");
        }
    }

    #[test]
    fn the_first_failure_ends_the_output_and_the_stream_can_be_dropped_early() {
        let fail = |file: SpillFile, out: &PassOutput| -> Result<()> {
            let b = file.read().next().unwrap()?;
            if b.column(0).as_primitive::<Int64Type>().value(0) == 30 {
                return Err(ExecError::Internal("partition 3".into()));
            }
            out.send(b)
        };
        let mut passes = Passes::new(files(6, 10), 2, Arc::new(AtomicBool::new(false)), fail);
        let mut ok = Vec::new();
        let err = loop {
            match passes.next().unwrap() {
                Ok(b) => ok.push(b),
                Err(e) => break e,
            }
        };
        assert!(err.to_string().contains("partition 3"), "{err}");
        assert_eq!(values(ok), (0..30).collect::<Vec<_>>());
        assert!(passes.next().is_none());
        // Dropped after one batch: the threads stop (the test ends).
        let mut passes = Passes::new(files(20, 10), 3, Arc::new(AtomicBool::new(false)), double);
        assert!(passes.next().unwrap().is_ok());
        drop(passes);
    }

    #[test]
    fn a_cancelled_query_stops_its_passes() {
        let cancel = Arc::new(AtomicBool::new(true));
        let mut passes = Passes::new(files(4, 10), 2, cancel, double);
        assert!(matches!(passes.next(), Some(Err(ExecError::Cancelled))));
        assert!(passes.next().is_none());
    }
}
