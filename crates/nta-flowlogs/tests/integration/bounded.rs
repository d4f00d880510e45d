//! Bounded memory, checked structurally (no timing): however many blobs
//! there are, `read_blobs` hands each blob's tuples to its sink batch by
//! batch as they fill and ends the sink when the blob is done, so at most
//! one blob per thread is open — holding one batch being filled plus what
//! its sink buffers — at any moment.

use crate::common::{blob, vnet_record};
use arrow_array::RecordBatch;
use nta_flowlogs::{Progress, ReadOptions, TupleSink, find_blobs, read_blobs};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Open {
    now: usize,
    most: usize,
    ended: usize,
    batches: usize,
    largest_batch: usize,
}

/// A sink that counts itself open from its first batch to its end.
struct Counting {
    open: Arc<Mutex<Open>>,
    opened: bool,
    ended: bool,
    rows: usize,
}

impl TupleSink for Counting {
    fn write(&mut self, batch: RecordBatch) -> Result<(), String> {
        assert!(!self.ended, "a batch after the end");
        let mut o = self.open.lock().unwrap();
        if !self.opened {
            self.opened = true;
            o.now += 1;
            o.most = o.most.max(o.now);
        }
        o.batches += 1;
        o.largest_batch = o.largest_batch.max(batch.num_rows());
        self.rows += batch.num_rows();
        Ok(())
    }

    fn end(&mut self) -> Result<(), String> {
        assert!(!self.ended, "ended twice");
        self.ended = true;
        let mut o = self.open.lock().unwrap();
        if self.opened {
            o.now -= 1;
        }
        o.ended += 1;
        Ok(())
    }
}

#[test]
fn at_most_one_blob_per_thread_is_open_whatever_the_number_of_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let (blobs, records, per_record) = (64, 5, 9);
    for b in 0..blobs {
        let recs: Vec<String> = (0..records)
            .map(|m| {
                let tuples: Vec<String> = (0..per_record)
                    .map(|i| format!("1748772000,10.0.0.4,20.1.2.3,{},443,6,O,C,NX,1,100,2,200", b * 100 + i))
                    .collect();
                vnet_record(m, &tuples)
            })
            .collect();
        let path = dir.path().join(format!("b{b:02}/PT1H.json"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, blob(&recs)).unwrap();
    }
    let found = find_blobs(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(found.len(), blobs);
    let threads = 3;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let open = Arc::new(Mutex::new(Open::default()));
    let batch_rows = 4;
    let opts = ReadOptions { batch_rows, ..ReadOptions::default() };
    let (summary, sinks) = pool
        .install(|| {
            read_blobs(&found, &opts, &Progress::default(), |_| Counting {
                open: open.clone(),
                opened: false,
                ended: false,
                rows: 0,
            })
        })
        .unwrap();
    let o = open.lock().unwrap();
    let per_blob = records * per_record;
    assert_eq!(summary.tuples(), (blobs * per_blob) as u64);
    // Every blob's sink got its rows and was ended, so nothing stays open.
    assert_eq!(o.ended, blobs);
    assert_eq!(o.now, 0);
    assert!(sinks.iter().all(|s| s.ended && s.rows == per_blob));
    // Full batches are handed over as they fill: ceil(45 / 4) = 12 per blob.
    assert_eq!(o.largest_batch, batch_rows);
    assert_eq!(o.batches, blobs * per_blob.div_ceil(batch_rows));
    // The bound: never more blobs open at once than threads reading.
    assert!(o.most >= 1 && o.most <= threads, "{} blobs open at once on {threads} threads", o.most);
}
