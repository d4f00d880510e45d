//! The reader on synthetic blobs: timestamps in seconds and milliseconds,
//! partial blobs, located malformed records, --lenient counts, non-flow-log
//! JSON, many files on many threads, and streaming (bounded memory).

use crate::common;

use arrow_array::RecordBatch;
use common::{blob, rows, vnet_record};
use nta_flowlogs::{FlowLogError, ReadOptions, TupleSink, read_blob, read_tree};
use std::io::Read;
use std::path::{Path, PathBuf};

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn tuple(ts: &str, src_port: u32) -> String {
    format!("{ts},10.0.0.4,20.1.2.3,{src_port},443,6,O,C,NX,1,100,2,200")
}

fn lenient() -> ReadOptions {
    ReadOptions { lenient: true, ..ReadOptions::default() }
}

#[test]
fn seconds_and_milliseconds_are_told_apart_per_value() {
    let dir = tempfile::tempdir().unwrap();
    // 1748772000 s and 1748772000500 ms: 2025-06-01T10:00:00Z and 10:00:00.5Z.
    let text = blob(&[vnet_record(0, &[tuple("1748772000", 1), tuple("1748772000500", 2)])]);
    let path = write(dir.path(), "PT1H.json", &text);
    let (_, batches) = read_tree(&[path], &ReadOptions::default()).unwrap();
    let times: Vec<String> = rows(&batches).iter().map(|r| r.split('|').next().unwrap().to_string()).collect();
    assert_eq!(times, ["2025-06-01T10:00:00Z", "2025-06-01T10:00:00.5Z"]);
}

#[test]
fn a_cut_blob_keeps_its_complete_records_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = (0..3).map(|m| vnet_record(m, &[tuple("1748772000", m as u32)])).collect();
    let full = blob(&records);
    // Cut in the middle of the third record (an hour still being written).
    let third = full.find(&records[2]).unwrap();
    let cut = third + records[2].len() / 2;
    let path = write(dir.path(), "y=2025/m=06/d=01/h=10/m=00/macAddress=00224871C205/PT1H.json", &full[..cut]);
    let (mut summary, batches) = read_tree(&[dir.path().to_path_buf()], &ReadOptions::default()).unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 2);
    let ports: Vec<String> = rows(&batches).iter().map(|r| r.split('|').nth(10).unwrap().to_string()).collect();
    assert_eq!(ports, ["0", "1"]);
    match summary.take_warnings().as_slice() {
        [FlowLogError::PartialBlob { path: p, offset, record }] => {
            assert_eq!((p, *offset, *record), (&path, cut as u64, 2));
        }
        other => panic!("expected one partial-blob warning, got {other:?}"),
    }
    // Cut between records (after a comma): also partial, nothing lost.
    let cut = third;
    write(dir.path(), "y=2025/m=06/d=01/h=10/m=00/macAddress=00224871C205/PT1H.json", &full[..cut]);
    let (mut summary, batches) = read_tree(&[dir.path().to_path_buf()], &ReadOptions::default()).unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 2);
    assert!(matches!(summary.take_warnings().as_slice(), [FlowLogError::PartialBlob { record: 2, .. }]));
}

#[test]
fn malformed_records_are_located_or_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let records = vec![
        vnet_record(0, &[tuple("1748772000", 1)]),
        vnet_record(1, &[tuple("1748772060", 2), "1748772060,10.0.0.4,20.1.2.3,3,443,6,X,C,NX,1,1,1,1".into()]),
        vnet_record(2, &[tuple("1748772120", 4)]),
        vnet_record(3, &["not,a,tuple".into()]),
        vnet_record(4, &[tuple("1748772240", 5)]),
    ];
    let text = blob(&records);
    let path = write(dir.path(), "PT1H.json", &text);
    // Byte offsets of records 1 and 3, found in the text independently.
    let at = |i: usize| text.find(&records[i]).unwrap() as u64;
    match read_tree(std::slice::from_ref(&path), &ReadOptions::default()) {
        Err(FlowLogError::BadRecord { path: p, offset, record, reason }) => {
            assert_eq!((&p, offset, record), (&path, at(1), 1));
            assert!(reason.contains("direction `X`"), "{reason}");
        }
        other => panic!("expected a located bad record, got {other:?}"),
    }
    let (mut summary, batches) = read_tree(std::slice::from_ref(&path), &lenient()).unwrap();
    // A bad record adds no rows, not even its good tuples.
    let ports: Vec<String> = rows(&batches).iter().map(|r| r.split('|').nth(10).unwrap().to_string()).collect();
    assert_eq!(ports, ["1", "4", "5"]);
    assert_eq!((summary.blobs[0].records, summary.blobs[0].skipped_records), (3, 2));
    match summary.take_warnings().as_slice() {
        [FlowLogError::SkippedRecords { count: 2, first, .. }] => {
            assert!(first.starts_with(&format!("record 1 at byte {}", at(1))), "{first}");
        }
        other => panic!("expected one skipped-records warning, got {other:?}"),
    }
    let _ = at(3);
}

#[test]
fn broken_json_is_an_error_or_with_lenient_the_rest_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let records = [vnet_record(0, &[tuple("1748772000", 1)]), vnet_record(1, &[tuple("1748772060", 2)])];
    let text = blob(&records).replacen("},{", "}#{", 1);
    let path = write(dir.path(), "PT1H.json", &text);
    let err = read_tree(std::slice::from_ref(&path), &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, FlowLogError::Syntax { record: 1, .. }), "{err:?}");
    let (mut summary, batches) = read_tree(&[path], &lenient()).unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 1);
    assert!(matches!(summary.take_warnings().as_slice(), [FlowLogError::SkippedRest { record: 1, .. }]));
}

#[test]
fn json_that_is_not_a_flow_log_is_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "topology/vnets.json",
        r#"[{"name":"vnet1","addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}]"#,
    );
    write(dir.path(), "other/settings.json", r#"{"records": 3, "x": [1,2]}"#);
    write(
        dir.path(),
        "insights-logs-networksecuritygroupevent/PT1H.json",
        r#"{"records":[{"time":"2025-06-01T10:00:00Z","category":"NetworkSecurityGroupEvent","properties":{"ruleName":"x"}}]}"#,
    );
    write(dir.path(), "empty.json", "");
    write(dir.path(), "notes.txt", "not json at all");
    write(dir.path(), ".azDownload-partial/PT1H.json", "{");
    let flow = write(dir.path(), "flow/PT1H.json", &blob(&[vnet_record(0, &[tuple("1748772000", 1)])]));
    let (mut summary, batches) = read_tree(&[dir.path().to_path_buf()], &ReadOptions::default()).unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 1);
    assert_eq!(summary.flow_log_blobs(), 1);
    assert_eq!(summary.blobs.len(), 5, "the .txt and the hidden folder are not looked at");
    assert_eq!(summary.not_flow_logs().len(), 4);
    assert!(summary.blobs.iter().any(|b| b.path == flow && b.kind.is_some()));
    match summary.take_warnings().as_slice() {
        [FlowLogError::NotFlowLogs { count: 4, .. }] => {}
        other => panic!("expected one not-flow-logs warning, got {other:?}"),
    }
}

#[test]
fn many_blobs_on_many_threads_keep_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for h in 0..12 {
        let tuples: Vec<String> = (0..50).map(|i| tuple("1748772000", h * 100 + i)).collect();
        expected.extend((0..50).map(|i| (h * 100 + i).to_string()));
        write(dir.path(), &format!("h={h:02}/PT1H.json"), &blob(&[vnet_record(0, &tuples)]));
    }
    let opts = ReadOptions { batch_rows: 7, ..ReadOptions::default() };
    let (summary, batches) = read_tree(&[dir.path().to_path_buf()], &opts).unwrap();
    assert_eq!(summary.tuples(), 600);
    assert!(batches.iter().all(|b| b.num_rows() <= 7));
    let ports: Vec<String> = rows(&batches).iter().map(|r| r.split('|').nth(10).unwrap().to_string()).collect();
    assert_eq!(ports, expected);
}

#[test]
fn missing_folder_is_an_error() {
    let err = read_tree(&[PathBuf::from("/no/such/flow/logs")], &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, FlowLogError::NotFound { .. }));
}

/// A ~50 MB single-line VNet blob produced on the fly (never held whole):
/// `records` records of `per_record` tuples each.
struct Synthetic {
    records: usize,
    per_record: usize,
    next: usize,
    pending: Vec<u8>,
    at: usize,
    served: std::rc::Rc<std::cell::Cell<u64>>,
}

impl Synthetic {
    fn record_text(&self, i: usize) -> String {
        let tuples: Vec<String> = (0..self.per_record)
            .map(|j| tuple("1748772000123", (10_000 + (i * self.per_record + j) % 50_000) as u32))
            .collect();
        vnet_record(i, &tuples)
    }
}

impl Read for Synthetic {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            self.at = 0;
            self.pending = if self.next == 0 {
                b"{\"records\":[".to_vec()
            } else if self.next <= self.records {
                let sep = if self.next > 1 { "," } else { "" };
                format!("{sep}{}", self.record_text(self.next - 1)).into_bytes()
            } else if self.next == self.records + 1 {
                b"]}".to_vec()
            } else {
                return Ok(0);
            };
            self.next += 1;
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        self.served.set(self.served.get() + n as u64);
        Ok(n)
    }
}

/// Notes, for every batch, how many bytes the source had served by then.
struct Watch {
    served: std::rc::Rc<std::cell::Cell<u64>>,
    seen: Vec<(u64, usize)>,
}

impl TupleSink for Watch {
    fn write(&mut self, batch: RecordBatch) -> Result<(), String> {
        self.seen.push((self.served.get(), batch.num_rows()));
        Ok(())
    }
}

#[test]
fn a_large_single_line_blob_is_streamed() {
    let served = std::rc::Rc::new(std::cell::Cell::new(0));
    let (records, per_record) = (2_000, 400);
    let source = Synthetic { records, per_record, next: 0, pending: Vec::new(), at: 0, served: served.clone() };
    let record_bytes = source.record_text(1).len() as u64 + 1;
    let total = 12 + 2 + record_bytes * records as u64;
    assert!(total > 50_000_000, "the blob is {total} bytes");
    let mut watch = Watch { served: served.clone(), seen: Vec::new() };
    let opts = ReadOptions { batch_rows: 10_000, ..ReadOptions::default() };
    let mut read = 0u64;
    let report = read_blob(Path::new("synthetic.json"), source, &opts, &mut |n| read += n, &mut watch).unwrap();
    assert_eq!(report.tuples, (records * per_record) as u64);
    assert_eq!(read, served.get());
    // Streaming: every batch was handed over when the source had served
    // little more than the records it holds (one record plus the reader's
    // 64 KiB buffer of slack), never the whole blob first.
    let mut rows = 0u64;
    for (at, n) in &watch.seen {
        rows += *n as u64;
        let needed = rows.div_ceil(per_record as u64) * record_bytes;
        assert!(*at <= needed + record_bytes + (64 << 10) + 64, "batch at byte {at}, rows {rows}, needed {needed}");
    }
    assert!(watch.seen.len() >= 80);
}

#[test]
fn sniffing_reads_the_first_record_only() {
    let dir = tempfile::tempdir().unwrap();
    // A flow-log blob whose second record is broken: sniffing does not see it.
    let text = blob(&[vnet_record(0, &[tuple("1748772000", 1)]), "{\"broken\":".into()]);
    let flow = write(dir.path(), "PT1H.json", &text);
    let other = write(dir.path(), "vnets.json", "[]");
    assert_eq!(nta_flowlogs::sniff(&flow).unwrap(), Some(nta_flowlogs::FlowLogKind::VNet));
    assert_eq!(nta_flowlogs::sniff(&other).unwrap(), None);
}
