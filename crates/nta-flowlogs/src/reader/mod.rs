//! Flow-log blobs → `FlowTuples` batches.
//!
//! [`find_blobs`] lists the `*.json` files of folder trees; [`read_blobs`]
//! reads them on every core (one blob per task), each as a stream of
//! records ([`stream`]) typed one by one ([`record`]) into batches of
//! [`crate::tuples::schema`] handed to a [`TupleSink`]. A blob is recognised
//! by its first record (category `NetworkSecurityGroupFlowEvent` or
//! `FlowLogFlowEvent`, or the structure); other JSON files are skipped and
//! counted. A blob cut mid-record keeps its complete records (a warning);
//! a malformed record is an error naming file, byte offset and record
//! index, or with `lenient` is skipped and counted.

mod fields;
mod files;
mod nsg;
mod record;
mod stream;
mod vnet;

pub use files::{Blob, find_blobs};

use crate::error::FlowLogError;
use crate::tuples::{FlowLogKind, TupleBatcher};
use arrow_array::RecordBatch;
use rayon::prelude::*;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use stream::{Control, Ending};

/// How blobs are read.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Skip malformed records (and the rest of a blob after broken JSON),
    /// counting them, instead of failing.
    pub lenient: bool,
    /// Rows per batch handed to the sink.
    pub batch_rows: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { lenient: false, batch_rows: 32 * 1024 }
    }
}

/// Counters a progress bar can poll while [`read_blobs`] runs.
#[derive(Debug, Default)]
pub struct Progress {
    pub files_total: AtomicU64,
    pub files_done: AtomicU64,
    pub bytes_total: AtomicU64,
    pub bytes_done: AtomicU64,
}

/// Where a blob's batches go (in order). Each batch is handed over as soon
/// as it is full, so a reader holds at most one batch being filled; `end`
/// says the blob is done (the sink can close what it writes to, so only the
/// blobs being read hold buffers, whatever their number).
pub trait TupleSink {
    /// Takes one batch; an error stops reading (`reason` is shown).
    fn write(&mut self, batch: RecordBatch) -> Result<(), String>;

    /// The blob's last batch was written (called once per flow-log blob read
    /// without error; not for other files, nor when reading fails).
    fn end(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// Keeps the batches in memory.
impl TupleSink for Vec<RecordBatch> {
    fn write(&mut self, batch: RecordBatch) -> Result<(), String> {
        self.push(batch);
        Ok(())
    }
}

/// What reading one file found.
#[derive(Debug)]
pub struct BlobReport {
    pub path: PathBuf,
    pub bytes: u64,
    /// The kind of flow log; `None` for a JSON file that is not a flow-log blob.
    pub kind: Option<FlowLogKind>,
    /// Records read (malformed ones not included).
    pub records: u64,
    /// Rows written (tuples).
    pub tuples: u64,
    /// Malformed records skipped (`lenient`).
    pub skipped_records: u64,
    /// Partial blob, skipped records or rest (warnings).
    pub warnings: Vec<FlowLogError>,
}

/// What reading all the files found.
#[derive(Debug, Default)]
pub struct ReadSummary {
    /// One report per file looked at, in the order given.
    pub blobs: Vec<BlobReport>,
}

impl ReadSummary {
    /// Rows of `FlowTuples` read.
    pub fn tuples(&self) -> u64 {
        self.blobs.iter().map(|b| b.tuples).sum()
    }

    /// Files that were flow-log blobs.
    pub fn flow_log_blobs(&self) -> usize {
        self.blobs.iter().filter(|b| b.kind.is_some()).count()
    }

    /// Files skipped for not being flow-log blobs.
    pub fn not_flow_logs(&self) -> Vec<&Path> {
        self.blobs.iter().filter(|b| b.kind.is_none()).map(|b| b.path.as_path()).collect()
    }

    /// Every warning, each once: the blobs' own, then one for all the
    /// skipped non-flow-log files. Takes them out of the reports.
    pub fn take_warnings(&mut self) -> Vec<FlowLogError> {
        let mut out: Vec<FlowLogError> = self.blobs.iter_mut().flat_map(|b| std::mem::take(&mut b.warnings)).collect();
        let skipped = self.not_flow_logs();
        if !skipped.is_empty() {
            let mut first = skipped.iter().take(3).map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
            if skipped.len() > 3 {
                first.push_str(", …");
            }
            out.push(FlowLogError::NotFlowLogs { count: skipped.len(), first });
        }
        out
    }
}

/// Reads every blob on every core, each into the sink `make_sink` gives
/// for it. Returns the reports and the sinks in the order of `blobs`; the
/// first error (in that order) if any blob fails.
pub fn read_blobs<S, F>(
    blobs: &[Blob],
    opts: &ReadOptions,
    progress: &Progress,
    make_sink: F,
) -> Result<(ReadSummary, Vec<S>), FlowLogError>
where
    S: TupleSink + Send,
    F: Fn(&Blob) -> S + Sync,
{
    progress.files_total.fetch_add(blobs.len() as u64, Ordering::Relaxed);
    progress.bytes_total.fetch_add(blobs.iter().map(|b| b.bytes).sum(), Ordering::Relaxed);
    let results: Vec<Result<(BlobReport, S), FlowLogError>> = blobs
        .par_iter()
        .with_max_len(1)
        .map(|blob| {
            let mut sink = make_sink(blob);
            let file = std::fs::File::open(&blob.path)
                .map_err(|source| FlowLogError::Unreadable { path: blob.path.clone(), source })?;
            let mut on_bytes = |n: u64| {
                progress.bytes_done.fetch_add(n, Ordering::Relaxed);
            };
            let report = read_blob(&blob.path, file, opts, &mut on_bytes, &mut sink);
            progress.files_done.fetch_add(1, Ordering::Relaxed);
            report.map(|r| (r, sink))
        })
        .collect();
    let mut summary = ReadSummary::default();
    let mut sinks = Vec::with_capacity(results.len());
    for r in results {
        let (report, sink) = r?;
        summary.blobs.push(report);
        sinks.push(sink);
    }
    Ok(summary).map(|s| (s, sinks))
}

/// Reads the `*.json` files under `roots` into batches held in memory.
pub fn read_tree(roots: &[PathBuf], opts: &ReadOptions) -> Result<(ReadSummary, Vec<RecordBatch>), FlowLogError> {
    let blobs = find_blobs(roots)?;
    let (summary, sinks) = read_blobs(&blobs, opts, &Progress::default(), |_| Vec::new())?;
    Ok((summary, sinks.into_iter().flatten().collect()))
}

/// Reads one blob from `input` (unbuffered; it is buffered here).
/// `path` names it in messages; `on_bytes` gets the bytes read as they go.
pub fn read_blob<R: Read>(
    path: &Path,
    input: R,
    opts: &ReadOptions,
    on_bytes: &mut dyn FnMut(u64),
    sink: &mut dyn TupleSink,
) -> Result<BlobReport, FlowLogError> {
    let mut report = BlobReport {
        path: path.to_path_buf(),
        bytes: 0,
        kind: None,
        records: 0,
        tuples: 0,
        skipped_records: 0,
        warnings: Vec::new(),
    };
    let mut batcher = TupleBatcher::new(opts.batch_rows);
    let mut failure: Option<FlowLogError> = None;
    let mut first_skipped: Option<String> = None;
    let mut bytes = 0u64;
    let mut count_bytes = |n: u64| {
        bytes += n;
        on_bytes(n);
    };
    let ending =
        stream::records(BufReader::with_capacity(1 << 16, input), &mut count_bytes, &mut |index, offset, raw| {
            if report.kind.is_none() {
                match record::recognise(raw) {
                    Some(kind) => report.kind = Some(kind),
                    None => return Control::NotFlowLog,
                }
            }
            let mut full: Vec<RecordBatch> = Vec::new();
            match record::tuples(raw, &mut |ctx, t| full.extend(batcher.push(ctx, t))) {
                Ok(n) => {
                    report.records += 1;
                    report.tuples += n;
                }
                Err(reason) if opts.lenient => {
                    report.skipped_records += 1;
                    first_skipped.get_or_insert_with(|| format!("record {index} at byte {offset}: {reason}"));
                }
                Err(reason) => {
                    failure = Some(FlowLogError::BadRecord { path: path.to_path_buf(), offset, record: index, reason });
                    return Control::Abort;
                }
            }
            for batch in full {
                if let Err(reason) = sink.write(batch) {
                    failure = Some(FlowLogError::Output { path: path.to_path_buf(), reason });
                    return Control::Abort;
                }
            }
            Control::Continue
        });
    report.bytes = bytes;
    match ending {
        Ending::Aborted => return Err(failure.expect("an aborted read says why")),
        Ending::NotFlowLog => {
            report.kind = None;
            return Ok(report);
        }
        Ending::Cut { .. } | Ending::Broken { .. } if report.kind.is_none() => return Ok(report),
        Ending::Complete => {}
        Ending::Cut { offset, record } => {
            report.warnings.push(FlowLogError::PartialBlob { path: path.to_path_buf(), offset, record });
        }
        Ending::Broken { offset, record, reason } => {
            if !opts.lenient {
                return Err(FlowLogError::Syntax { path: path.to_path_buf(), offset, record, reason });
            }
            report.warnings.push(FlowLogError::SkippedRest { path: path.to_path_buf(), offset, record, reason });
        }
    }
    let output = |reason| FlowLogError::Output { path: path.to_path_buf(), reason };
    if batcher.len() > 0 {
        sink.write(batcher.finish()).map_err(output)?;
    }
    sink.end().map_err(output)?;
    if let Some(first) = first_skipped {
        report.warnings.push(FlowLogError::SkippedRecords {
            path: path.to_path_buf(),
            count: report.skipped_records,
            first,
        });
    }
    Ok(report)
}

/// The kind of flow log in the file at `path`, from its first record only
/// (`None`: not a flow-log blob). For telling a folder of blobs from other data.
pub fn sniff(path: &Path) -> Result<Option<FlowLogKind>, FlowLogError> {
    let file =
        std::fs::File::open(path).map_err(|source| FlowLogError::Unreadable { path: path.to_path_buf(), source })?;
    let mut kind = None;
    stream::records(BufReader::with_capacity(1 << 16, file), &mut |_| {}, &mut |_, _, raw| {
        kind = record::recognise(raw);
        Control::Abort
    });
    Ok(kind)
}
