//! Spill files: rows an operator cannot keep within the memory budget,
//! written by partition to temporary files and read back partition by
//! partition (by several passes at once: [`passes`]).
//!
//! Each file is an Arrow IPC stream in an unnamed temporary file of
//! `$TMPDIR` (`tempfile::tempfile`: on Linux the file has no name from the
//! start, so it disappears when closed — when the query ends, fails, is
//! cancelled by Ctrl-C, or the process dies). Small batches are gathered
//! per partition before they are written, so a file holds batches of about
//! [`FLUSH_BYTES`]. Those pending rows and each open file's write buffer
//! count against the memory budget (the writer's own reservation): where
//! the budget has no room for them, a partition's rows are written at once
//! and the file is written unbuffered.
//!
//! Public for the other crates that must keep rows within a budget: the
//! derivation of the NTA tables from flow logs (`nta-flowlogs`) partitions
//! its tuples with [`SpillWriter`] and reads a partition again with
//! [`SpillFile::reread`] when it must partition it once more.

mod passes;

pub(crate) use passes::{PassOutput, Passes, partitions, workers};

use crate::error::{ExecError, Result};
use crate::limits::{MemoryPool, Reservation, batch_bytes};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use std::fs::File;
use std::io::{BufReader, BufWriter, Seek, SeekFrom};
use std::sync::Arc;

/// Bytes of rows a partition gathers before writing them as one batch.
const FLUSH_BYTES: u64 = 1 << 20;

/// Bytes of an open spill file's write buffer, at most: a 1024th of the
/// budget, none under 4 KiB (a budget under 4 MiB), and only where the
/// budget has room.
const WRITE_BUFFER: u64 = 1 << 16;

fn write_buffer(limit: u64) -> u64 {
    let bytes = (limit >> 10).min(WRITE_BUFFER);
    if bytes < 4096 { 0 } else { bytes }
}

/// Partitions an operator spills rows to by their key's hash (`summarize`,
/// `distinct`, a join's two sides).
pub(crate) const PARTITIONS: usize = 32;

/// The partition of a key hash (bits other than those a hash table uses
/// first, so a partition's keys still spread over its own table).
pub(crate) fn partition_of(hash: u64, parts: usize) -> usize {
    (hash.rotate_left(23) % parts as u64) as usize
}

/// A failure to write or read a spill file, located by the temporary
/// directory (a full disk is the usual cause).
pub fn spill_error(operator: &'static str, e: impl std::fmt::Display) -> ExecError {
    ExecError::Spill { operator, dir: std::env::temp_dir().display().to_string(), message: e.to_string() }
}

/// Rows written by partition.
pub struct SpillWriter {
    operator: &'static str,
    parts: Vec<Part>,
    /// The partitions' pending rows and open files' write buffers.
    held: Reservation,
}

#[derive(Default)]
struct Part {
    pending: Vec<RecordBatch>,
    pending_bytes: u64,
    /// Of `pending_bytes`, those reserved in the budget.
    pending_held: u64,
    /// The write buffer of the file being written, as reserved.
    buffer_held: u64,
    /// Finished files, then the one being written (a new one starts when
    /// the batches' schema changes, which a dynamic column's representation may).
    done: Vec<File>,
    writer: Option<arrow_ipc::writer::StreamWriter<BufWriter<File>>>,
    /// The schema of the file being written.
    schema: Option<SchemaRef>,
    rows: u64,
}

impl SpillWriter {
    /// A writer of `partitions` partitions, holding what it gathers in
    /// `pool`'s budget as `operator`.
    pub fn new(operator: &'static str, partitions: usize, pool: &Arc<MemoryPool>) -> SpillWriter {
        SpillWriter {
            operator,
            parts: (0..partitions).map(|_| Part::default()).collect(),
            held: pool.reservation(operator),
        }
    }

    pub fn partitions(&self) -> usize {
        self.parts.len()
    }

    /// Bytes it holds in the budget now (rows pending, write buffers).
    pub fn held_bytes(&self) -> u64 {
        self.held.bytes()
    }

    /// Bytes of rows pending in the budget.
    pub fn pending_bytes(&self) -> u64 {
        self.parts.iter().map(|p| p.pending_held).sum()
    }

    /// Writes every partition's pending rows, giving their memory back
    /// (for an operator that needs it for what it cannot spill).
    pub fn flush_all(&mut self) -> Result<()> {
        (0..self.parts.len()).try_for_each(|k| self.flush(k))
    }

    /// Adds `batch` to partition `part`.
    pub fn push(&mut self, part: usize, batch: RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let p = &mut self.parts[part];
        if p.pending.first().is_some_and(|b| b.schema() != batch.schema()) {
            self.flush(part)?;
        }
        let bytes = batch_bytes(&batch);
        // Rows the budget has no room for are written at once.
        let held = self.held.grow(bytes).is_ok();
        let p = &mut self.parts[part];
        p.pending_bytes += bytes;
        if held {
            p.pending_held += bytes;
        }
        p.rows += batch.num_rows() as u64;
        p.pending.push(batch);
        if !held || p.pending_bytes >= FLUSH_BYTES { self.flush(part) } else { Ok(()) }
    }

    fn flush(&mut self, part: usize) -> Result<()> {
        let op = self.operator;
        let p = &mut self.parts[part];
        let Some(first) = p.pending.first() else { return Ok(()) };
        let schema = first.schema();
        let batch = arrow_select::concat::concat_batches(&schema, &p.pending)?;
        p.pending.clear();
        p.pending_bytes = 0;
        self.held.shrink(std::mem::take(&mut p.pending_held));
        if p.writer.is_some() && p.schema.as_ref() != Some(&schema) {
            p.done.push(finish_writer(op, p.writer.take())?);
            self.held.shrink(std::mem::take(&mut p.buffer_held));
        }
        if p.writer.is_none() {
            let file = tempfile::tempfile().map_err(|e| spill_error(op, e))?;
            let buffer = write_buffer(self.held.limit());
            if buffer > 0 && self.held.grow(buffer).is_ok() {
                p.buffer_held = buffer;
            }
            let w = arrow_ipc::writer::StreamWriter::try_new(
                BufWriter::with_capacity(p.buffer_held as usize, file),
                &schema,
            )
            .map_err(|e| spill_error(op, e))?;
            p.writer = Some(w);
            p.schema = Some(schema.clone());
        }
        if let Some(w) = p.writer.as_mut() {
            w.write(&batch).map_err(|e| spill_error(op, e))?;
        }
        Ok(())
    }

    /// The partitions that received rows, each readable once.
    pub fn finish(self) -> Result<Vec<SpillFile>> {
        Ok(self.finish_by_partition()?.into_iter().flatten().collect())
    }

    /// Each partition's rows by its number (`None` where it received none),
    /// for an operator that pairs the same partition of two writers (a
    /// join's two sides).
    pub fn finish_by_partition(mut self) -> Result<Vec<Option<SpillFile>>> {
        let op = self.operator;
        let mut out = Vec::new();
        for k in 0..self.parts.len() {
            self.flush(k)?;
            let p = &mut self.parts[k];
            if p.writer.is_some() {
                p.done.push(finish_writer(op, p.writer.take())?);
                self.held.shrink(std::mem::take(&mut p.buffer_held));
            }
            out.push((p.rows > 0).then(|| SpillFile { operator: op, files: std::mem::take(&mut p.done) }));
        }
        Ok(out)
    }
}

fn finish_writer(op: &'static str, w: Option<arrow_ipc::writer::StreamWriter<BufWriter<File>>>) -> Result<File> {
    let Some(mut w) = w else { return Err(ExecError::Internal("no spill file to finish".into())) };
    w.finish().map_err(|e| spill_error(op, e))?;
    let mut file =
        w.into_inner().map_err(|e| spill_error(op, e))?.into_inner().map_err(|e| spill_error(op, e.error()))?;
    file.seek(SeekFrom::Start(0)).map_err(|e| spill_error(op, e))?;
    Ok(file)
}

/// One partition's spilled rows.
pub struct SpillFile {
    operator: &'static str,
    files: Vec<File>,
}

impl SpillFile {
    /// Its batches, in the order they were pushed (from the start, even
    /// after a [`reread`](Self::reread)); the files are closed (and so
    /// removed) as they are read.
    pub fn read(self) -> impl Iterator<Item = Result<RecordBatch>> + Send {
        let op = self.operator;
        self.files.into_iter().flat_map(move |mut f| read_file(op, f.seek(SeekFrom::Start(0)).map(|_| f)))
    }

    /// Its batches, as [`read`](Self::read), leaving the files in place to
    /// be read again (they are removed when the `SpillFile` is dropped).
    /// One reading at a time: the readings share each file's position.
    pub fn reread(&self) -> impl Iterator<Item = Result<RecordBatch>> + Send + use<> {
        let op = self.operator;
        let files: Vec<std::io::Result<File>> = self
            .files
            .iter()
            .map(|f| {
                let mut f = f.try_clone()?;
                f.seek(SeekFrom::Start(0))?;
                Ok(f)
            })
            .collect();
        files.into_iter().flat_map(move |f| read_file(op, f))
    }
}

/// The batches of one spill file, from its start.
fn read_file(op: &'static str, file: std::io::Result<File>) -> Box<dyn Iterator<Item = Result<RecordBatch>> + Send> {
    let reader = file.map_err(|e| spill_error(op, e)).and_then(|f| {
        arrow_ipc::reader::StreamReader::try_new(BufReader::with_capacity(1 << 16, f), None)
            .map_err(|e| spill_error(op, e))
    });
    match reader {
        Ok(r) => Box::new(r.map(move |b| b.map_err(|e| spill_error(op, e)))),
        Err(e) => Box::new(std::iter::once(Err(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, Int64Array, StringArray};
    use std::sync::Arc;

    fn batch(values: &[i64]) -> RecordBatch {
        let a: ArrayRef = Arc::new(Int64Array::from(values.to_vec()));
        RecordBatch::try_from_iter([("x", a)]).unwrap()
    }

    #[test]
    fn partitions_read_back_in_order_and_schema_changes_start_new_files() {
        let pool = MemoryPool::new(1 << 30);
        let mut w = SpillWriter::new("summarize", 3, &pool);
        w.push(0, batch(&[1, 2])).unwrap();
        w.push(2, batch(&[3])).unwrap();
        w.push(0, batch(&[4])).unwrap();
        let s: ArrayRef = Arc::new(StringArray::from(vec!["a"]));
        w.push(0, RecordBatch::try_from_iter([("x", s)]).unwrap()).unwrap();
        w.push(0, batch(&[5])).unwrap();
        let files = w.finish().unwrap();
        // Partition 1 received nothing: no file.
        assert_eq!(files.len(), 2);
        let mut it = files.into_iter();
        let first: Vec<RecordBatch> = it.next().unwrap().read().collect::<Result<_>>().unwrap();
        let texts: Vec<String> = first
            .iter()
            .map(|b| {
                arrow_cast::display::array_value_to_string(b.column(0), 0).unwrap() + &format!("/{}", b.num_rows())
            })
            .collect();
        // [1, 2, 4] gathered into one batch, then "a", then [5].
        assert_eq!(texts, ["1/3", "a/1", "5/1"]);
        let second: Vec<RecordBatch> = it.next().unwrap().read().collect::<Result<_>>().unwrap();
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].column(0).as_any().downcast_ref::<Int64Array>().unwrap().values(), &[3]);
    }

    #[test]
    fn a_partition_reads_again_from_its_start_until_dropped() {
        let pool = MemoryPool::new(1 << 30);
        let mut w = SpillWriter::new("derive", 1, &pool);
        w.push(0, batch(&[1, 2])).unwrap();
        w.flush_all().unwrap();
        w.push(0, batch(&[3])).unwrap();
        let file = w.finish().unwrap().pop().unwrap();
        let values = |it: &mut dyn Iterator<Item = Result<RecordBatch>>| -> Vec<i64> {
            it.map(|b| b.unwrap())
                .flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec())
                .collect()
        };
        // A reading stopped half-way does not shift the next one.
        let mut partial = file.reread();
        assert_eq!(partial.next().unwrap().unwrap().num_rows(), 2);
        drop(partial);
        assert_eq!(values(&mut file.reread()), [1, 2, 3]);
        assert_eq!(values(&mut file.reread()), [1, 2, 3]);
        assert_eq!(values(&mut file.read()), [1, 2, 3]);
    }
}
