//! Data directories: table discovery and the errors for bad input.

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use kql_io::{DataDir, IoError};
use parquet::arrow::ArrowWriter;
use std::path::Path;
use std::sync::Arc;

fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn ips(values: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

#[test]
fn tables_from_files_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    write_parquet(&dir.path().join("NTAIpDetails.parquet"), vec![("Ip", ips(&["1.2.3.4", "5.6.7.8"]))]);
    std::fs::create_dir(dir.path().join("NTANetAnalytics")).unwrap();
    for (k, n) in [(1, 3), (2, 4)] {
        let p = dir.path().join("NTANetAnalytics").join(format!("part-{k}.parquet"));
        write_parquet(
            &p,
            vec![("SrcIp", ips(&vec!["10.0.0.1"; n])), ("CompletedFlows", Arc::new(Int64Array::from(vec![1i64; n])))],
        );
    }
    std::fs::write(dir.path().join("README.txt"), "not a table").unwrap();

    let d = DataDir::open(dir.path()).unwrap();
    let names: Vec<&str> = d.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["NTAIpDetails", "NTANetAnalytics"]);
    let net = d.table("NTANetAnalytics").unwrap();
    assert_eq!(net.files.len(), 2);
    assert_eq!(net.rows, 7, "3 + 4 rows from the footers");
    assert_eq!(net.schema.fields().len(), 2);
    assert_eq!(d.table("NTAIpDetails").unwrap().rows, 2);
}

#[test]
fn missing_directory_is_named() {
    let err = DataDir::open("/definitely/not/here").unwrap_err();
    assert!(matches!(err, IoError::DirNotFound { .. }));
    assert!(err.to_string().contains("/definitely/not/here"), "{err}");
}

#[test]
fn a_file_is_not_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.parquet");
    std::fs::write(&f, b"x").unwrap();
    assert!(matches!(DataDir::open(&f).unwrap_err(), IoError::NotADirectory { .. }));
}

#[test]
fn non_parquet_file_names_table_and_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("NTAIpDetails.parquet"), "Ip\n1.2.3.4\n").unwrap();
    let err = DataDir::open(dir.path()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, IoError::BadParquet { .. }), "{msg}");
    assert!(msg.contains("NTAIpDetails") && msg.contains("NTAIpDetails.parquet"), "{msg}");
}

#[test]
fn truncated_parquet_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("T.parquet");
    write_parquet(&p, vec![("Ip", ips(&["1.2.3.4"]))]);
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(DataDir::open(dir.path()).unwrap_err(), IoError::BadParquet { .. }));
}

#[test]
fn conflicting_schemas_in_one_table() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("T");
    std::fs::create_dir(&t).unwrap();
    write_parquet(&t.join("a.parquet"), vec![("Ip", ips(&["1.2.3.4"]))]);
    write_parquet(&t.join("b.parquet"), vec![("Ip", Arc::new(Int64Array::from(vec![1i64])) as ArrayRef)]);
    let err = DataDir::open(dir.path()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, IoError::SchemaConflict { .. }), "{msg}");
    assert!(msg.contains("a.parquet") && msg.contains("b.parquet") && msg.contains("Int64"), "{msg}");
}

#[test]
fn empty_directory_has_no_tables() {
    let dir = tempfile::tempdir().unwrap();
    assert!(DataDir::open(dir.path()).unwrap().tables.is_empty());
}

#[test]
fn tables_from_memory_scan_like_files() {
    let batch = RecordBatch::try_from_iter(vec![
        ("Ip", ips(&["1.2.3.4", "5.6.7.8", "9.9.9.9"])),
        ("Hits", Arc::new(Int64Array::from(vec![1i64, 2, 3])) as ArrayRef),
    ])
    .unwrap();
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let d = DataDir::from_memory("<sample>", vec![("T".into(), "T.parquet".into(), bytes::Bytes::from(buf))]).unwrap();
    let t = d.table("T").unwrap();
    assert_eq!(t.rows, 3);
    assert_eq!(t.files[0].to_string(), "<bundled>/T.parquet");
    // Only the requested column is read.
    let batches: Vec<RecordBatch> = t.scan(&["Hits".to_string()], 2).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
    assert!(batches.iter().all(|b| b.num_columns() == 1 && b.schema().field(0).name() == "Hits"));
    let err = t.scan(&["Nope".to_string()], 2).err().unwrap();
    assert!(err.to_string().contains("Nope") && err.to_string().contains("T.parquet"), "{err}");
}
