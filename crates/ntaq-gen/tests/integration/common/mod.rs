//! Decoding generated Parquet back into plain Rust values, so tests compare
//! and inspect rows independently of how they were split into files,
//! row groups and batches.
#![allow(dead_code)]

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::ParquetMetaData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Col {
    Str(Vec<Option<String>>),
    I32(Vec<Option<i32>>),
    I64(Vec<Option<i64>>),
    F64(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    /// Microseconds since the epoch.
    Ts(Vec<Option<i64>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub names: Vec<String>,
    pub types: Vec<DataType>,
    pub cols: Vec<Col>,
    pub rows: usize,
}

/// A decoded table plus what the files said about themselves.
pub struct Files {
    pub table: Table,
    pub schema: SchemaRef,
    pub metadata: Vec<Arc<ParquetMetaData>>,
    pub paths: Vec<PathBuf>,
}

fn push(col: &mut Col, a: &dyn Array) {
    let n = a.len();
    let valid = |i: usize| a.is_valid(i);
    match col {
        Col::Str(v) => {
            let s = a.as_string::<i32>();
            v.extend((0..n).map(|i| valid(i).then(|| s.value(i).to_string())));
        }
        Col::I32(v) => {
            let p = a.as_primitive::<Int32Type>();
            v.extend((0..n).map(|i| valid(i).then(|| p.value(i))));
        }
        Col::I64(v) => {
            let p = a.as_primitive::<Int64Type>();
            v.extend((0..n).map(|i| valid(i).then(|| p.value(i))));
        }
        Col::F64(v) => {
            let p = a.as_primitive::<Float64Type>();
            v.extend((0..n).map(|i| valid(i).then(|| p.value(i))));
        }
        Col::Bool(v) => {
            let p = a.as_boolean();
            v.extend((0..n).map(|i| valid(i).then(|| p.value(i))));
        }
        Col::Ts(v) => {
            let p = a.as_primitive::<TimestampMicrosecondType>();
            v.extend((0..n).map(|i| valid(i).then(|| p.value(i))));
        }
    }
}

fn empty_col(dt: &DataType) -> Col {
    match dt {
        DataType::Utf8 => Col::Str(vec![]),
        DataType::Int32 => Col::I32(vec![]),
        DataType::Int64 => Col::I64(vec![]),
        DataType::Float64 => Col::F64(vec![]),
        DataType::Boolean => Col::Bool(vec![]),
        DataType::Timestamp(..) => Col::Ts(vec![]),
        other => panic!("unexpected Arrow type {other}"),
    }
}

/// The files of `table` in `dir`: `dir/<table>.parquet` or the sorted
/// `*.parquet` files of `dir/<table>/`.
pub fn table_paths(dir: &Path, table: &str) -> Vec<PathBuf> {
    let single = dir.join(format!("{table}.parquet"));
    let folder = dir.join(table);
    assert!(!(single.exists() && folder.exists()), "{table} is both a file and a folder in {}", dir.display());
    if single.exists() {
        return vec![single];
    }
    let mut parts: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    parts.sort();
    parts
}

pub fn read(dir: &Path, table: &str) -> Files {
    let paths = table_paths(dir, table);
    let mut schema: Option<SchemaRef> = None;
    let mut table_out: Option<Table> = None;
    let mut metadata = Vec::new();
    for path in &paths {
        let file = std::fs::File::open(path).unwrap();
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        metadata.push(builder.metadata().clone());
        let s = builder.schema().clone();
        if let Some(prev) = &schema {
            assert_eq!(prev, &s, "all files of {table} have one schema");
        }
        schema = Some(s.clone());
        let t = table_out.get_or_insert_with(|| Table {
            names: s.fields().iter().map(|f| f.name().clone()).collect(),
            types: s.fields().iter().map(|f| f.data_type().clone()).collect(),
            cols: s.fields().iter().map(|f| empty_col(f.data_type())).collect(),
            rows: 0,
        });
        for batch in builder.with_batch_size(8192).build().unwrap() {
            let batch: RecordBatch = batch.unwrap();
            for (c, a) in t.cols.iter_mut().zip(batch.columns()) {
                push(c, a.as_ref());
            }
            t.rows += batch.num_rows();
        }
    }
    Files { table: table_out.expect("at least one file"), schema: schema.unwrap(), metadata, paths }
}

impl Table {
    fn col(&self, name: &str) -> &Col {
        let i = self.names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no column {name}"));
        &self.cols[i]
    }

    /// A string column; panics on a null (Kusto strings are never null).
    pub fn s(&self, name: &str) -> Vec<&str> {
        match self.col(name) {
            Col::Str(v) => {
                v.iter().map(|x| x.as_deref().unwrap_or_else(|| panic!("null in string column {name}"))).collect()
            }
            other => panic!("{name} is not a string column: {other:?}"),
        }
    }

    pub fn ts(&self, name: &str) -> &[Option<i64>] {
        match self.col(name) {
            Col::Ts(v) => v,
            _ => panic!("{name} is not a datetime column"),
        }
    }

    pub fn long(&self, name: &str) -> &[Option<i64>] {
        match self.col(name) {
            Col::I64(v) => v,
            _ => panic!("{name} is not a long column"),
        }
    }

    pub fn int(&self, name: &str) -> &[Option<i32>] {
        match self.col(name) {
            Col::I32(v) => v,
            _ => panic!("{name} is not an int column"),
        }
    }

    pub fn string_nulls(&self) -> usize {
        self.cols
            .iter()
            .map(|c| match c {
                Col::Str(v) => v.iter().filter(|x| x.is_none()).count(),
                _ => 0,
            })
            .sum()
    }
}

pub const HOUR_US: i64 = 3_600_000_000;

/// Microseconds since the epoch of an RFC 3339 time.
pub fn us(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_micros()
}

/// The IPs of a `SrcPublicIps`/`DestPublicIps` value, checking the format:
/// entries separated by one space, each `ip|n|n|n|n|n|n` with an IPv4 first.
pub fn public_ips(value: &str) -> Vec<std::net::Ipv4Addr> {
    if value.is_empty() {
        return vec![];
    }
    value
        .split(' ')
        .map(|entry| {
            let fields: Vec<&str> = entry.split('|').collect();
            assert_eq!(fields.len(), 7, "entry {entry:?} of {value:?} has 7 fields");
            for f in &fields[1..] {
                f.parse::<u64>().unwrap_or_else(|_| panic!("counter {f:?} in {entry:?} is a number"));
            }
            fields[0].parse().unwrap_or_else(|_| panic!("{:?} in {entry:?} is an IPv4 address", fields[0]))
        })
        .collect()
}
