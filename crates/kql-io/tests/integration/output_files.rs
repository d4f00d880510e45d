//! File destinations (Parquet round trip, nothing half-written) and stream
//! failures (a closed pipe is its own error).

use arrow_array::cast::AsArray;
use arrow_array::types::{DurationNanosecondType, TimestampNanosecondType};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Decimal128Array, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    RecordBatch, StringArray, TimestampNanosecondArray,
};
use arrow_schema::SchemaRef;
use kql_io::output::{
    Destination, OutputError, OutputFormat, OutputOptions, Staging, Target, sink, write_all, write_bytes,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use crate::output_formats::{JUNE_1, SEC, schema};

/// The schema, with a `render table` annotation for SVG (which draws only
/// what a query renders).
fn schema_for(format: OutputFormat) -> SchemaRef {
    let schema = schema();
    if format != OutputFormat::Svg {
        return schema;
    }
    let spec = kql_io::output::chart::RenderSpec { visualization: "table".into(), properties: Vec::new() };
    let metadata: std::collections::HashMap<String, String> =
        [(kql_io::output::chart::RENDER_KEY.to_string(), spec.metadata_value())].into();
    Arc::new(schema.as_ref().clone().with_metadata(metadata))
}

fn batch() -> RecordBatch {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
        Arc::new(Int32Array::from(vec![Some(1), None, Some(i32::MIN)])),
        Arc::new(Int64Array::from(vec![Some(i64::MAX), None, Some(-1)])),
        Arc::new(Float64Array::from(vec![Some(f64::NAN), None, Some(-0.25)])),
        Arc::new(Decimal128Array::from(vec![Some(150), None, Some(-5)]).with_precision_and_scale(10, 2).unwrap()),
        Arc::new(StringArray::from(vec!["🌐 🖥️", "", "plain"])),
        Arc::new(TimestampNanosecondArray::from(vec![Some(JUNE_1 + 123), None, Some(-100)])),
        Arc::new(DurationNanosecondArray::from(vec![Some(-(93_784 * SEC + SEC / 2)), None, Some(100)])),
        Arc::new(StringArray::from(vec![Some("0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11"), None, Some("")])),
        Arc::new(StringArray::from(vec![Some(r#"["a",{"b":1}]"#), None, Some("{}")])),
    ];
    RecordBatch::try_new(schema(), columns).unwrap()
}

/// The names in a directory, sorted (temporary files are hidden dot files).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn staged_files_appear_together_at_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    std::fs::write(&b, "old").unwrap();
    let staging = Staging::new();
    write_bytes(staging.file(&a), b"1\n").unwrap();
    write_bytes(staging.file(&b), b"2\n").unwrap();
    // Finished, not yet in place: the old file is untouched, the new one absent.
    assert!(!a.exists());
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "old");
    assert_eq!(staging.commit().unwrap(), [a.clone(), b.clone()]);
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "1\n");
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "2\n");
    assert_eq!(listing(dir.path()), ["a.csv", "b.csv"]);
}

#[test]
fn an_uncommitted_staging_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let staging = Staging::new();
    write_bytes(staging.file(dir.path().join("a.csv")), b"1\n").unwrap();
    drop(staging);
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn parquet_round_trip_keeps_types_values_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.parquet");
    let b = batch();
    let summary = write_all(
        OutputFormat::Parquet,
        schema(),
        Destination::file(&path),
        &OutputOptions::default(),
        &[b.slice(0, 2), b.slice(2, 1)],
    )
    .unwrap();
    assert_eq!(summary.rows, 3);
    assert_eq!(summary.path.as_deref(), Some(path.as_path()));
    assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());
    assert_eq!(listing(dir.path()), ["result.parquet"]);

    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
    let meta = builder.metadata().clone();
    let read_schema = builder.schema().clone();
    let batches: Vec<RecordBatch> = builder.build().unwrap().map(|b| b.unwrap()).collect();
    assert_eq!(batches.len(), 1);
    let got = &batches[0];

    // Types: Kusto's natively; datetimes marked UTC. Every field keeps kusto.type.
    let types: Vec<String> = read_schema.fields().iter().map(|f| f.data_type().to_string()).collect();
    assert_eq!(
        types,
        [
            "Boolean",
            "Int32",
            "Int64",
            "Float64",
            "Decimal128(10, 2)",
            "Utf8",
            "Timestamp(ns, \"UTC\")",
            "Duration(ns)",
            "Utf8",
            "Utf8"
        ]
    );
    for (read, written) in read_schema.fields().iter().zip(schema().fields()) {
        assert_eq!(read.name(), written.name());
        assert_eq!(read.metadata().get("kusto.type"), written.metadata().get("kusto.type"), "{}", read.name());
    }

    // Values: the same as written, nulls included.
    for c in [0, 1, 2, 4, 5, 7, 8, 9] {
        assert_eq!(got.column(c).as_ref(), b.column(c).as_ref(), "column {c}");
    }
    let r = got.column(3).as_primitive::<arrow_array::types::Float64Type>();
    assert!(r.value(0).is_nan());
    assert!(r.is_null(1));
    assert_eq!(r.value(2), -0.25);
    let dt = got.column(6).as_primitive::<TimestampNanosecondType>();
    assert_eq!(dt.timezone(), Some("UTC"));
    assert_eq!(dt, &b.column(6).as_primitive::<TimestampNanosecondType>().clone().with_timezone("UTC"));
    assert!(dt.is_null(1));
    let ts = got.column(7).as_primitive::<DurationNanosecondType>();
    assert_eq!(ts.value(0), -(93_784 * SEC + SEC / 2));

    // zstd and statistics on every column chunk.
    let row_group = meta.row_group(0);
    for column in row_group.columns() {
        assert!(matches!(column.compression(), Compression::ZSTD(_)), "{:?}", column.compression());
        assert!(column.statistics().is_some(), "{}", column.column_path());
    }
}

#[test]
fn parquet_of_an_empty_result_has_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.parquet");
    let summary =
        write_all(OutputFormat::Parquet, schema(), Destination::file(&path), &OutputOptions::default(), []).unwrap();
    assert_eq!(summary.rows, 0);
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
    assert_eq!(builder.schema().fields().len(), 10);
    assert_eq!(builder.metadata().file_metadata().num_rows(), 0);
}

#[test]
fn a_finished_file_replaces_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    std::fs::write(&path, "old contents\n").unwrap();
    let b = batch().project(&[1, 5]).unwrap();
    write_all(OutputFormat::Csv, b.schema(), Destination::file(&path), &OutputOptions::default(), [&b]).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "i,s\n1,🌐 🖥️\n,\n-2147483648,plain\n");
    assert_eq!(listing(dir.path()), ["out.csv"]);
}

#[cfg(unix)]
#[test]
fn devices_and_named_pipes_are_written_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("results.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo (coreutils) runs");
    assert!(made.success(), "mkfifo {}", fifo.display());
    // Whoever reads the pipe gets the CSV; the pipe stays a pipe.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let b = batch().project(&[1]).unwrap();
    write_all(OutputFormat::Csv, b.schema(), Destination::file(&fifo), &OutputOptions::default(), [&b]).unwrap();
    // (Checked before waiting for the reader, which a replaced pipe would
    // leave waiting for ever.)
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe was replaced");
    assert_eq!(listing(dir.path()), ["results.csv"]);
    // A lone empty field is quoted, so that the line is not blank.
    assert_eq!(reader.join().unwrap(), "i\n1\n\"\"\n-2147483648\n");
}

#[cfg(unix)]
#[test]
fn a_replaced_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.json");
    std::fs::write(&path, "[]").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let b = batch();
    write_all(OutputFormat::Json, b.schema(), Destination::file(&path), &OutputOptions::default(), [&b]).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
}

#[test]
fn an_error_before_finish_leaves_nothing_and_keeps_the_old_file() {
    for format in OutputFormat::ALL {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("out.{format}"));
        std::fs::write(&path, "old contents\n").unwrap();
        let mut sink = sink(format, schema_for(format), Destination::file(&path), &OutputOptions::default()).unwrap();
        sink.write(&batch()).unwrap();
        // The temporary file sits beside the target until the end …
        assert_eq!(listing(dir.path()).len(), 2, "{format}");
        let wrong = RecordBatch::try_from_iter([("x", Arc::new(Int64Array::from(vec![1])) as ArrayRef)]).unwrap();
        let err = sink.write(&wrong).unwrap_err();
        assert!(matches!(err, OutputError::SchemaMismatch { .. }), "{format}: {err}");
        assert!(err.to_string().contains(&path.display().to_string()), "{err}");
        // … and is gone at the first error; the old file is untouched.
        assert_eq!(listing(dir.path()), [format!("out.{format}")], "{format}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old contents\n");
        assert!(matches!(sink.finish().unwrap_err(), OutputError::Abandoned { .. }));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old contents\n");
    }
}

#[test]
fn a_dropped_sink_leaves_no_file() {
    for format in OutputFormat::ALL {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("never.out");
        let mut sink = sink(format, schema_for(format), Destination::file(&path), &OutputOptions::default()).unwrap();
        sink.write(&batch()).unwrap();
        drop(sink);
        assert!(listing(dir.path()).is_empty(), "{format}: {:?}", listing(dir.path()));
    }
}

#[test]
fn errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no such dir").join("out.csv");
    let err = sink(OutputFormat::Csv, schema(), Destination::file(&missing), &OutputOptions::default()).err().unwrap();
    assert!(matches!(err, OutputError::Create { .. }), "{err}");
    assert!(err.to_string().starts_with(&format!("cannot create the output file `{}`: ", missing.display())), "{err}");
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "kql::io::create");

    let err =
        sink(OutputFormat::Csv, schema(), Destination::file(dir.path()), &OutputOptions::default()).err().unwrap();
    assert!(matches!(err, OutputError::Create { target: Target::File(ref p), .. } if p == dir.path()), "{err}");
}

/// A writer that accepts `budget` bytes, then fails with `kind`.
struct Failing {
    budget: usize,
    kind: io::ErrorKind,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            return Err(io::Error::new(self.kind, "the reader went away"));
        }
        let n = buf.len().min(self.budget);
        self.budget -= n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn failing(budget: usize, kind: io::ErrorKind) -> Destination {
    Destination::writer(Failing { budget, kind })
}

#[test]
fn a_closed_pipe_is_its_own_error() {
    let text_formats = [OutputFormat::Table, OutputFormat::Csv, OutputFormat::Json, OutputFormat::Ndjson];
    // Small output: the pipe fails when the sink flushes at the end.
    for format in text_formats {
        let mut sink =
            sink(format, schema_for(format), failing(10, io::ErrorKind::BrokenPipe), &OutputOptions::default())
                .unwrap();
        sink.write(&batch()).unwrap();
        let err = sink.finish().unwrap_err();
        assert!(err.is_broken_pipe(), "{format}: {err:?}");
        assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "kql::io::broken_pipe");
        assert_eq!(err.to_string(), "the output stream was closed by its reader (broken pipe)");
    }
    // Large output (more than the sink buffers): the pipe fails while
    // batches are still coming, and the sink stops there.
    let b = batch();
    for format in [OutputFormat::Csv, OutputFormat::Json, OutputFormat::Ndjson] {
        let mut sink =
            sink(format, schema_for(format), failing(1000, io::ErrorKind::BrokenPipe), &OutputOptions::default())
                .unwrap();
        let failed_at = (0..100_000).find(|_| sink.write(&b).is_err()).expect("the pipe fails");
        assert!(failed_at > 100, "{format}: failed at batch {failed_at}");
        let err = sink.write(&b).unwrap_err();
        assert!(matches!(err, OutputError::Abandoned { .. }), "{format}: {err:?}");
    }
    let mut sink =
        sink(OutputFormat::Csv, schema(), failing(1000, io::ErrorKind::BrokenPipe), &OutputOptions::default()).unwrap();
    let err = (0..100_000).find_map(|_| sink.write(&b).err()).expect("the pipe fails");
    assert!(err.is_broken_pipe(), "{err:?}");
}

#[test]
fn other_write_failures_are_write_errors() {
    let mut sink =
        sink(OutputFormat::Ndjson, schema(), failing(0, io::ErrorKind::StorageFull), &OutputOptions::default())
            .unwrap();
    sink.write(&batch()).unwrap();
    let err = sink.finish().unwrap_err();
    assert!(matches!(err, OutputError::Write { ref source, .. } if source.kind() == io::ErrorKind::StorageFull));
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "kql::io::write");
    assert!(!err.is_broken_pipe());
}
