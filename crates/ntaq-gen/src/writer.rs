//! A Parquet file writer that encodes the columns of each batch in parallel
//! (rayon) and moves the file into place only when complete.
//!
//! Parquet encoding (dictionary, statistics, page index, compression) of 93
//! columns costs more than generating the rows, so a plain `ArrowWriter`
//! on one thread would bound the whole run; parquet's column-writer API
//! lets every column be encoded on its own worker.

use crate::GenError;
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> GenError + '_ {
    move |source| GenError::Io { path: path.to_path_buf(), source }
}

/// Writes one Parquet file to a hidden temporary name beside `path`; the
/// file is renamed into place by [`ParquetOut::finish`] and removed if the
/// writer is dropped before (an error or a panic), so readers never see a
/// truncated file.
pub(crate) struct ParquetOut {
    inner: Option<Inner>,
    schema: SchemaRef,
    tmp: PathBuf,
    path: PathBuf,
    row_group_rows: usize,
    rows_in_group: usize,
    row_groups: usize,
}

struct Inner {
    file: SerializedFileWriter<File>,
    factory: ArrowRowGroupWriterFactory,
    columns: Option<Vec<ArrowColumnWriter>>,
}

impl ParquetOut {
    pub(crate) fn create(path: PathBuf, schema: SchemaRef, props: WriterProperties) -> Result<ParquetOut, GenError> {
        let row_group_rows = props.max_row_group_row_count().unwrap_or(usize::MAX).max(1);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let tmp = path.with_file_name(format!(".{name}.ntaq-gen-tmp"));
        let file = File::create(&tmp).map_err(io_err(&tmp))?;
        let mut out = ParquetOut {
            inner: None,
            schema: schema.clone(),
            tmp,
            path,
            row_group_rows,
            rows_in_group: 0,
            row_groups: 0,
        };
        // ArrowWriter sets up the file with the Arrow schema in its metadata;
        // the row groups are then written column by column.
        let (file, factory) = ArrowWriter::try_new(file, schema, Some(props))?.into_serialized_writer()?;
        out.inner = Some(Inner { file, factory, columns: None });
        Ok(out)
    }

    pub(crate) fn write(&mut self, batch: &RecordBatch) -> Result<(), GenError> {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let n = (batch.num_rows() - offset).min(self.row_group_rows - self.rows_in_group);
            self.write_part(&batch.slice(offset, n))?;
            offset += n;
            if self.rows_in_group == self.row_group_rows {
                self.flush_row_group()?;
            }
        }
        Ok(())
    }

    fn write_part(&mut self, batch: &RecordBatch) -> Result<(), GenError> {
        let inner = self.inner.as_mut().expect("open until finished");
        if inner.columns.is_none() {
            inner.columns = Some(inner.factory.create_column_writers(self.row_groups)?);
        }
        let writers = inner.columns.as_mut().expect("just created");
        // Flat schema: one leaf, so one column writer, per field.
        writers.par_iter_mut().zip(self.schema.fields().par_iter()).zip(batch.columns().par_iter()).try_for_each(
            |((w, field), array)| -> Result<(), GenError> {
                for leaf in compute_leaves(field, array)? {
                    w.write(&leaf)?;
                }
                Ok(())
            },
        )?;
        self.rows_in_group += batch.num_rows();
        Ok(())
    }

    fn flush_row_group(&mut self) -> Result<(), GenError> {
        let inner = self.inner.as_mut().expect("open until finished");
        let Some(writers) = inner.columns.take() else { return Ok(()) };
        let chunks = writers.into_par_iter().map(|w| w.close()).collect::<Result<Vec<_>, _>>()?;
        let mut group = inner.file.next_row_group()?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut group)?;
        }
        group.close()?;
        self.row_groups += 1;
        self.rows_in_group = 0;
        Ok(())
    }

    /// Closes the file and moves it into place; returns (row groups, bytes).
    pub(crate) fn finish(mut self) -> Result<(usize, u64), GenError> {
        if self.rows_in_group > 0 {
            self.flush_row_group()?;
        }
        let inner = self.inner.take().expect("open until finished");
        inner.file.close()?;
        let bytes = std::fs::metadata(&self.tmp).map_err(io_err(&self.tmp))?.len();
        if let Err(source) = std::fs::rename(&self.tmp, &self.path) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(GenError::Io { path: self.path.clone(), source });
        }
        Ok((self.row_groups, bytes))
    }
}

impl Drop for ParquetOut {
    fn drop(&mut self) {
        if self.inner.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A text or JSON file written through a hidden temporary file beside it
/// (buffered), moved into place by [`AtomicFile::finish`]; dropped before,
/// the temporary file is removed, so no half-written file is ever visible.
pub(crate) struct AtomicFile {
    inner: std::io::BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl AtomicFile {
    /// Creates the parent directories and the temporary file.
    pub(crate) fn create(path: &Path) -> Result<AtomicFile, GenError> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".ntaq-gen-tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Like File::create: 0666 less the umask (tempfile's default is 0600).
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder.tempfile_in(dir).map_err(io_err(path))?;
        Ok(AtomicFile { inner: std::io::BufWriter::with_capacity(256 * 1024, tmp), path: path.to_path_buf() })
    }

    /// Flushes, moves the file into place and returns its size.
    pub(crate) fn finish(self) -> Result<u64, GenError> {
        let tmp =
            self.inner.into_inner().map_err(|e| GenError::Io { path: self.path.clone(), source: e.into_error() })?;
        let bytes = tmp.as_file().metadata().map_err(io_err(&self.path))?.len();
        tmp.persist(&self.path).map_err(|e| GenError::Io { path: self.path.clone(), source: e.error })?;
        Ok(bytes)
    }
}

impl std::io::Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
