//! Deriving the NTA tables from a stream of FlowTuples batches holds a
//! batch per thread, never the whole stream, checked structurally (no
//! timing, no RSS): the stream hands out batches whose counter buffer it
//! keeps a handle on, and each time it is asked for the next batch it
//! counts the batches handed out before that something else still holds.

use crate::common::{blob, vnet_record};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, Int64Array, RecordBatch};
use nta_flowlogs::{
    Budget, Enrichment, FlowLogError, Interval, ReadOptions, Summary, Table, derive, derive_scan, read_tree,
};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// One blob of `records` one-minute records of the same `per_record`
/// tuples (3 destination ports, both directions, every state), read in
/// batches of `batch_rows` rows.
fn tuples(dir: &Path, records: usize, per_record: usize, batch_rows: usize) -> Vec<RecordBatch> {
    let recs: Vec<String> = (0..records)
        .map(|m| {
            let tuples: Vec<String> = (0..per_record)
                .map(|i| {
                    let port = [22, 443, 3389][i % 3];
                    let dir = ["I", "O"][i % 2];
                    let state = ["B", "C", "E", "D"][i % 4];
                    format!("1748772000,10.0.0.4,10.0.1.5,{},{port},6,{dir},{state},NX,1,100,2,200", 40000 + i)
                })
                .collect();
            vnet_record(m, &tuples)
        })
        .collect();
    let path = dir.join("b/PT1H.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, blob(&recs)).unwrap();
    let (_, batches) = read_tree(&[dir.to_path_buf()], &ReadOptions { batch_rows, ..ReadOptions::default() }).unwrap();
    batches
}

/// `batch` with a counter column of its own (a fresh buffer), so the
/// stream can tell when nothing but itself holds the batch any more.
fn fresh(batch: &RecordBatch) -> RecordBatch {
    let i = batch.schema().index_of("BytesSrcToDest").unwrap();
    let values: Vec<i64> = batch.column(i).as_primitive::<Int64Type>().values().to_vec();
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns[i] = Arc::new(Int64Array::from(values));
    RecordBatch::try_new(batch.schema(), columns).unwrap()
}

#[derive(Debug)]
enum StreamError {
    Flow(FlowLogError),
    Read(String),
}

impl From<FlowLogError> for StreamError {
    fn from(e: FlowLogError) -> Self {
        StreamError::Flow(e)
    }
}

/// The derived tables as one sink collects them, with the summary.
pub struct Collected {
    pub net_analytics: Vec<RecordBatch>,
    pub ip_details: Vec<RecordBatch>,
    pub summary: Summary,
}

/// Derives the tuples `scan` reads within `budget` into batches in memory.
pub fn collect<S, I, E>(scan: S, budget: &Budget, interval: Interval) -> Result<Collected, E>
where
    S: Fn() -> Result<I, E> + Sync,
    I: Iterator<Item = Result<RecordBatch, E>> + Send,
    E: From<FlowLogError> + Send,
{
    let (mut net_analytics, mut ip_details) = (Vec::new(), Vec::new());
    let summary = derive_scan(scan, &Enrichment::default(), interval, budget, &mut |t, b| {
        match t {
            Table::NetAnalytics => net_analytics.push(b),
            Table::IpDetails => ip_details.push(b),
        }
        Ok(())
    })?;
    Ok(Collected { net_analytics, ip_details, summary })
}

/// Derives over `rounds` passes of `template` (each batch fresh) on
/// `threads` threads; returns the result and the largest number of earlier
/// batches still held when a batch was asked for.
fn derive_counting(template: &[RecordBatch], rounds: usize, threads: usize) -> (Collected, usize) {
    let handed = Arc::new(Mutex::new(Vec::<Int64Array>::new()));
    let most = Arc::new(Mutex::new(0usize));
    let (h, m) = (handed.clone(), most.clone());
    let stream = move || {
        let (h, m) = (h.clone(), m.clone());
        Ok((0..rounds).flat_map(|_| template.iter()).map(move |b| {
            let mut handed = h.lock().unwrap();
            // The stream's own handle is one reference; a second is a holder.
            let held = handed.iter().filter(|a| a.values().inner().strong_count() > 1).count();
            let mut most = m.lock().unwrap();
            *most = (*most).max(held);
            let b = fresh(b);
            let col = b.column_by_name("BytesSrcToDest").unwrap().as_primitive::<Int64Type>().clone();
            handed.push(col);
            Ok::<_, StreamError>(b)
        }))
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let d = pool.install(|| collect(stream, &Budget::default(), Interval::Minutes60)).unwrap();
    // The array kept by the stream shares the batch's buffer: `handed`'s
    // entries are that handle; after the derivation nothing else holds any.
    let handed = handed.lock().unwrap();
    assert_eq!(handed.len(), rounds * template.len());
    assert!(handed.iter().all(|a| a.values().inner().strong_count() == 1), "a batch outlived the derivation");
    let most = *most.lock().unwrap();
    (d, most)
}

/// Sum of an Int64 column of NTANetAnalytics.
fn sum(d: &Collected, column: &str) -> i64 {
    d.net_analytics
        .iter()
        .map(|b| b.column_by_name(column).unwrap().as_primitive::<Int64Type>().iter().flatten().sum::<i64>())
        .sum()
}

#[test]
fn deriving_holds_a_batch_per_thread_whatever_the_number_of_batches() {
    let dir = tempfile::tempdir().unwrap();
    let (records, per_record, batch_rows) = (4, 12, 5);
    let template = tuples(dir.path(), records, per_record, batch_rows);
    let per_pass = records * per_record;
    assert_eq!(template.len(), per_pass.div_ceil(batch_rows));
    let threads = 3;
    let (small, small_most) = derive_counting(&template, 1, threads);
    let rounds = 50;
    let (big, big_most) = derive_counting(&template, rounds, threads);
    // Every tuple was read: 50 passes of 48 tuples, each 100 bytes and 1
    // packet source → destination, 200 bytes and 2 packets back.
    assert_eq!(big.summary.tuples, (rounds * per_pass) as u64);
    let (s2d, d2s) = (sum(&big, "BytesSrcToDest"), sum(&big, "BytesDestToSrc"));
    assert_eq!((s2d, d2s), (100 * (rounds * per_pass) as i64, 200 * (rounds * per_pass) as i64));
    // The same tuples again make no new groups: the rows are those of one
    // pass (memory grows with the groups, not the tuples).
    assert_eq!(rows(&big.net_analytics), rows(&small.net_analytics));
    // The bound: when a batch is asked for, the batches handed out before
    // are held only by the threads still folding a slice of one.
    assert!(big_most <= threads, "{big_most} batches held at once on {threads} threads");
    assert!(small_most <= threads);
}

#[test]
fn a_stream_error_stops_the_derivation_and_is_returned() {
    let dir = tempfile::tempdir().unwrap();
    let template = tuples(dir.path(), 2, 6, 4);
    let stream = || {
        Ok(template
            .iter()
            .cloned()
            .map(Ok)
            .chain(std::iter::once(Err(StreamError::Read("disk on fire".into()))))
            .chain(template.iter().cloned().map(Ok)))
    };
    match collect(stream, &Budget::default(), Interval::Minutes60) {
        Err(StreamError::Read(m)) => assert_eq!(m, "disk on fire"),
        Err(other) => panic!("expected the stream's error, got {other:?}"),
        Ok(_) => panic!("expected the stream's error"),
    }
    // A tuple the aggregation cannot read comes back as the stream's error type.
    let without_time = template[0].project(&(1..template[0].num_columns()).collect::<Vec<_>>()).unwrap();
    let stream = || Ok(std::iter::once(Ok::<_, StreamError>(without_time.clone())));
    match collect(stream, &Budget::default(), Interval::Minutes60) {
        Err(StreamError::Flow(FlowLogError::TupleColumn { column, .. })) => assert_eq!(column, "FlowTime"),
        Err(other) => panic!("expected a FlowTime column error, got {other:?}"),
        Ok(_) => panic!("expected a FlowTime column error"),
    }
}

#[test]
fn streamed_one_row_at_a_time_the_derived_tables_are_those_of_one_batch() {
    let dir = tempfile::tempdir().unwrap();
    let one_row = tuples(dir.path(), 3, 10, 1);
    let dir2 = tempfile::tempdir().unwrap();
    let whole = tuples(dir2.path(), 3, 10, 1_000);
    assert_eq!((one_row.len(), whole.len()), (30, 1));
    let streamed =
        collect(|| Ok(one_row.iter().cloned().map(Ok::<_, FlowLogError>)), &Budget::default(), Interval::Minutes10)
            .unwrap();
    let at_once = derive(&whole, &Enrichment::default(), Interval::Minutes10).unwrap();
    // The same rows in the same order (rows are ordered by their key's hash).
    assert_eq!(concat(Table::NetAnalytics, &streamed.net_analytics), at_once.net_analytics[0]);
    assert_eq!(concat(Table::IpDetails, &streamed.ip_details), at_once.ip_details[0]);
    assert!(at_once.net_analytics[0].num_rows() > 1);
}

/// Rows of batches.
pub fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}

/// Batches of `table` as one.
pub fn concat(table: Table, batches: &[RecordBatch]) -> RecordBatch {
    arrow_select::concat::concat_batches(&table.schema().unwrap(), batches).unwrap()
}
