//! Where typed batches go: Parquet in memory, one buffer per text file
//! (a data directory's tables), or one compressed Parquet file (`convert`).

use super::ROW_GROUP_ROWS;
use super::typing;
use crate::error::IoError;
use crate::output::{OutputError, Target};
use crate::table::FileSource;
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use kql_types::ScalarType;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::path::{Path, PathBuf};

/// Where typed batches go, file by file.
pub(super) trait BatchSink {
    fn begin(&mut self, path: &Path, schema: &SchemaRef) -> Result<(), IoError>;
    fn write(&mut self, batch: RecordBatch) -> Result<(), IoError>;
    fn end(&mut self) -> Result<(), IoError>;
}

fn encode_error(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::Output(OutputError::Encode { target: Target::File(path.to_path_buf()), reason: e.to_string() })
}

/// Each text file as Parquet in memory (fast to write, dictionary-encoded
/// and snappy-compressed so a big export takes little memory).
#[derive(Default)]
pub(super) struct MemorySink {
    current: Option<(PathBuf, ArrowWriter<Vec<u8>>)>,
    pub files: Vec<FileSource>,
}

/// How Parquet that is only scanned in this session is written: fast
/// (snappy), dictionary-encoded, with page statistics for pruning.
fn session_props() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build()
}

impl BatchSink for MemorySink {
    fn begin(&mut self, path: &Path, schema: &SchemaRef) -> Result<(), IoError> {
        let writer = ArrowWriter::try_new(Vec::new(), schema.clone(), Some(session_props()))
            .map_err(|e| encode_error(path, e))?;
        self.current = Some((path.to_path_buf(), writer));
        Ok(())
    }

    fn write(&mut self, batch: RecordBatch) -> Result<(), IoError> {
        if let Some((path, w)) = &mut self.current {
            w.write(&batch).map_err(|e| encode_error(path, e))?;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), IoError> {
        if let Some((path, w)) = self.current.take() {
            let data = w.into_inner().map_err(|e| encode_error(&path, e))?;
            self.files.push(FileSource::Text { path, data: Bytes::from(data) });
        }
        Ok(())
    }
}

/// One Parquet file for all the inputs, written beside `target` under a
/// temporary name and renamed into place by `finish`.
pub(super) struct FileSink {
    target: PathBuf,
    writer: Option<ArrowWriter<tempfile::NamedTempFile>>,
    /// The temporary file, known to [`crate::cleanup::remove_all`] until
    /// it is renamed into place or dropped.
    registered: Option<crate::cleanup::Registered>,
}

impl FileSink {
    pub fn new(target: &Path) -> FileSink {
        FileSink { target: target.to_path_buf(), writer: None, registered: None }
    }

    fn props() -> WriterProperties {
        WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).expect("3 is a valid zstd level")))
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build()
    }

    fn create(&mut self, schema: &SchemaRef) -> Result<(), IoError> {
        let target = Target::File(self.target.clone());
        let dir = match self.target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|source| OutputError::Create { target: target.clone(), source })?;
        let tmp = tempfile::Builder::new()
            .prefix(".ntaq-convert-")
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(|source| OutputError::Create { target: target.clone(), source })?;
        self.registered = Some(crate::cleanup::register(tmp.path()));
        let writer = ArrowWriter::try_new(tmp, schema.clone(), Some(Self::props()))
            .map_err(|e| encode_error(&self.target, e))?;
        self.writer = Some(writer);
        Ok(())
    }

    /// Writes the footer and moves the file into place; returns its row
    /// groups and size.
    pub fn finish(mut self, columns: &[(String, ScalarType)]) -> Result<(usize, u64), IoError> {
        if self.writer.is_none() {
            // No input file at all: an empty table of the columns.
            self.create(&typing::schema_of(columns))?;
        }
        let target = Target::File(self.target.clone());
        let mut writer = self.writer.take().expect("created above");
        writer.flush().map_err(|e| encode_error(&self.target, e))?;
        let row_groups = writer.flushed_row_groups().len();
        let mut tmp = writer.into_inner().map_err(|e| encode_error(&self.target, e))?;
        std::io::Write::flush(&mut tmp).map_err(|source| OutputError::Write { target: target.clone(), source })?;
        let bytes = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
        // An existing file keeps its permissions, as --output does.
        if let Ok(existing) = std::fs::metadata(&self.target) {
            let _ = std::fs::set_permissions(tmp.path(), existing.permissions());
        }
        tmp.persist(&self.target).map_err(|e| OutputError::Commit { target, source: e.error })?;
        Ok((row_groups, bytes))
    }
}

impl BatchSink for FileSink {
    fn begin(&mut self, _path: &Path, schema: &SchemaRef) -> Result<(), IoError> {
        if self.writer.is_none() {
            self.create(schema)?;
        }
        Ok(())
    }

    fn write(&mut self, batch: RecordBatch) -> Result<(), IoError> {
        if let Some(w) = &mut self.writer {
            w.write(&batch).map_err(|e| encode_error(&self.target, e))?;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), IoError> {
        Ok(())
    }
}

/// Batches from one source file (a text export, a flow-log blob) held as
/// Parquet in memory, like the text exports of a data directory: for
/// readers outside this crate that type their own batches.
pub struct MemoryParquet {
    sink: MemorySink,
}

impl MemoryParquet {
    /// A buffer for the rows of `path` (named in messages), of `schema`.
    pub fn new(path: &Path, schema: &SchemaRef) -> Result<MemoryParquet, IoError> {
        let mut sink = MemorySink::default();
        sink.begin(path, schema)?;
        Ok(MemoryParquet { sink })
    }

    pub fn write(&mut self, batch: RecordBatch) -> Result<(), IoError> {
        self.sink.write(batch)
    }

    /// The Parquet file, ready to scan ([`FileSource::Text`]).
    pub fn finish(mut self) -> Result<FileSource, IoError> {
        self.sink.end()?;
        Ok(self.sink.files.pop().expect("begun in new"))
    }
}

/// Batches from one source file written as Parquet to a scratch file of
/// their own (at a path the caller chooses and removes when the session
/// ends), encoded as [`MemoryParquet`] encodes them: only the row group
/// being written ([`ROW_GROUP_ROWS`] rows at most) is held in memory, so a
/// source of any size costs the same memory.
pub struct ParquetFile {
    path: PathBuf,
    writer: ArrowWriter<std::io::BufWriter<std::fs::File>>,
}

impl ParquetFile {
    /// Creates the file at `path` for rows of `schema`.
    pub fn create(path: &Path, schema: &SchemaRef) -> Result<ParquetFile, IoError> {
        let file = std::fs::File::create(path)
            .map_err(|source| OutputError::Create { target: Target::File(path.to_path_buf()), source })?;
        let writer = ArrowWriter::try_new(std::io::BufWriter::new(file), schema.clone(), Some(session_props()))
            .map_err(|e| encode_error(path, e))?;
        Ok(ParquetFile { path: path.to_path_buf(), writer })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), IoError> {
        self.writer.write(batch).map_err(|e| encode_error(&self.path, e))
    }

    /// Bytes held in memory: the encoded row group not yet written out.
    pub fn buffered_bytes(&self) -> usize {
        self.writer.memory_size()
    }

    /// Writes the rest and the footer; the file, ready to scan ([`FileSource::Path`]).
    pub fn finish(self) -> Result<FileSource, IoError> {
        let ParquetFile { path, writer } = self;
        let out = writer.into_inner().map_err(|e| encode_error(&path, e))?;
        out.into_inner()
            .map_err(|e| OutputError::Write { target: Target::File(path.clone()), source: e.into_error() })?;
        Ok(FileSource::Path(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;

    #[test]
    fn a_parquet_file_holds_at_most_about_one_row_group_in_memory() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new("s", DataType::Utf8, false),
        ]));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut file = ParquetFile::create(&path, &schema).unwrap();
        let (batch_rows, groups) = (4096, 5);
        let batches = groups * ROW_GROUP_ROWS / batch_rows;
        // Bytes held: the most while the first row group fills, and after.
        let (mut group_bytes, mut first, mut later) = (0, 0, 0);
        for b in 0..batches {
            let n: Vec<i64> = (0..batch_rows as i64).map(|i| (b * batch_rows) as i64 + i).collect();
            // Distinct texts, so the dictionary gives up and plain pages grow.
            let s: Vec<String> = n.iter().map(|v| format!("10.{}.{}.{}", v >> 16, (v >> 8) & 255, v & 255)).collect();
            let columns: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(n)), Arc::new(StringArray::from(s))];
            let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
            if (b + 1) * batch_rows <= ROW_GROUP_ROWS {
                group_bytes += batch.get_array_memory_size();
            }
            file.write(&batch).unwrap();
            let held = file.buffered_bytes();
            if (b + 1) * batch_rows <= ROW_GROUP_ROWS {
                first = first.max(held);
            } else {
                later = later.max(held);
            }
        }
        // What the writer holds is one row group being encoded (its pages
        // and the dictionary encoder's tables: less than twice the arrays),
        // and it does not grow as more row groups are written.
        assert!(first > 0 && first <= 2 * group_bytes, "{first} bytes held; one row group of arrays is {group_bytes}");
        assert!(later <= first + first / 10, "{later} bytes held after the first row group, {first} during it");
        let FileSource::Path(written) = file.finish().unwrap() else { panic!("a file on disk") };
        let reader = parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&written).unwrap()).unwrap();
        let meta = parquet::file::reader::FileReader::metadata(&reader);
        assert_eq!(meta.file_metadata().num_rows() as usize, batches * batch_rows);
        assert_eq!(meta.num_row_groups(), groups);
    }
}
