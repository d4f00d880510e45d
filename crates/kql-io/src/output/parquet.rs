//! Parquet: the canonical schema as is (bool, Int32, Int64, Float64,
//! Decimal128, Utf8, `Timestamp(ns, "UTC")`, `Duration(ns)`, dynamic as Utf8
//! JSON), with `kusto.type` kept in the embedded Arrow schema so reading the
//! file back gives the same Kusto types. zstd, page statistics.

use super::dest::{Errors, Output};
use super::error::OutputError;
use super::kusto::Layout;
use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};

/// zstd's own default level: a good ratio at a speed that keeps up with the executor.
const ZSTD_LEVEL: i32 = 3;

pub(crate) struct ParquetSink {
    writer: ArrowWriter<Output>,
    layout: Layout,
    errors: Errors,
    rows: u64,
}

impl ParquetSink {
    pub fn new(out: Output, layout: Layout) -> Result<ParquetSink, OutputError> {
        let errors = out.errors().clone();
        let level = ZstdLevel::try_new(ZSTD_LEVEL).map_err(|e| errors.parquet(e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(level))
            .set_statistics_enabled(EnabledStatistics::Page)
            .build();
        let writer = ArrowWriter::try_new(out, layout.schema.clone(), Some(props)).map_err(|e| errors.parquet(e))?;
        Ok(ParquetSink { writer, layout, errors, rows: 0 })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        let batch = self.layout.prepare(batch, &self.errors.target)?;
        self.writer.write(&batch).map_err(|e| self.errors.parquet(e))?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Writes the footer; returns the output and the number of rows.
    pub fn finish(self) -> Result<(Output, u64), OutputError> {
        let out = self.writer.into_inner().map_err(|e| self.errors.parquet(e))?;
        Ok((out, self.rows))
    }
}
