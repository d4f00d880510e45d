//! Deriving within a memory budget (issue #18's bounded derivation): past
//! the budget the tuples are partitioned by the hash of their group key
//! into spill files and aggregated partition by partition, so the groups
//! held at once stay within the budget's share, whatever the number of
//! groups — and the derived tables are the same, row for row and in the
//! same order, as when everything fits.

use crate::common::{blob, vnet_record};
use crate::derive_bounded::{Collected, collect, concat, rows};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use nta_flowlogs::{
    Budget, Enrichment, EnrichmentPaths, FlowLogError, Interval, ReadOptions, Table, derive_within, read_tree,
};
use std::path::{Path, PathBuf};

/// `groups` distinct groups: VNet tuples from one address to `groups`
/// destination ports, in 4 one-minute records repeated `repeats` times
/// (so each group takes several tuples, from several batches).
fn many_groups(dir: &Path, groups: usize, repeats: usize) -> Vec<RecordBatch> {
    let recs: Vec<String> = (0..4 * repeats)
        .map(|m| {
            let tuples: Vec<String> = (0..groups)
                .filter(|g| g % 4 == m % 4)
                .map(|g| format!("1748772000,10.0.0.4,10.0.1.5,40000,{},6,O,B,NX,1,100,2,200", 1000 + g))
                .collect();
            vnet_record(m % 60, &tuples)
        })
        .collect();
    let path = dir.join("b/PT1H.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, blob(&recs)).unwrap();
    let (_, batches) =
        read_tree(&[dir.to_path_buf()], &ReadOptions { batch_rows: 500, ..ReadOptions::default() }).unwrap();
    batches
}

fn scan(
    batches: &[RecordBatch],
) -> impl Fn() -> Result<std::vec::IntoIter<Result<RecordBatch, FlowLogError>>, FlowLogError> + Sync {
    move || Ok(batches.iter().cloned().map(Ok).collect::<Vec<_>>().into_iter())
}

#[test]
fn with_a_tiny_budget_the_groups_held_at_once_stay_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let groups = 3_000;
    let tuples = many_groups(dir.path(), groups, 3);
    let all: Collected = collect(scan(&tuples), &Budget::default(), Interval::Minutes60).unwrap();
    assert_eq!(rows(&all.net_analytics), groups, "one row per destination port");
    assert_eq!(all.summary.memory.partitions, 0, "the default budget holds them all");
    // Each thread folds its own groups: one may be held by several.
    assert!(all.summary.memory.peak_groups >= groups as u64);
    // 64 KiB of --max-memory: the groups get half, 32 KiB — a few dozen
    // groups of these tuples (their keys hold three ARM IDs).
    for max_memory in [64 << 10, 8 << 10] {
        let budget = Budget { max_memory };
        let small = collect(scan(&tuples), &budget, Interval::Minutes60).unwrap();
        let m = small.summary.memory;
        assert_eq!(m.share, max_memory / 2);
        assert!(m.peak_bytes <= m.share, "{} bytes held with a share of {}", m.peak_bytes, m.share);
        assert!(m.peak_groups < groups as u64 / 20, "{} of {groups} groups held at once", m.peak_groups);
        assert!(m.partitions >= 2 && m.spilled_rows >= tuples.iter().map(|b| b.num_rows() as u64).sum(), "{m:?}");
        assert_eq!(small.summary.tuples, all.summary.tuples);
        // The same rows in the same order: the order is the key's hash.
        assert_eq!(concat(Table::NetAnalytics, &small.net_analytics), concat(Table::NetAnalytics, &all.net_analytics));
        // Chunks of at most CHUNK_ROWS rows; as many as the partitions make.
        assert!(small.net_analytics.iter().all(|b| b.num_rows() <= nta_flowlogs::derive::CHUNK_ROWS));
        assert!(small.net_analytics.len() > all.net_analytics.len());
    }
    // 8 KiB leaves room for a dozen groups: the 64 partitions of the first
    // level (~47 groups each) are partitioned again.
    let tiny = collect(scan(&tuples), &Budget { max_memory: 8 << 10 }, Interval::Minutes60).unwrap();
    assert!(tiny.summary.memory.partitions > 64, "{:?}", tiny.summary.memory);
}

/// The rows of a batch as comma-separated text (each cell as Arrow
/// displays it; datetimes without their zone, all UTC), sorted.
fn sorted_csv(batch: &RecordBatch) -> Vec<String> {
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .map(|c| match c.data_type() {
            DataType::Timestamp(unit, Some(_)) => arrow_cast::cast(c, &DataType::Timestamp(*unit, None)).unwrap(),
            _ => c.clone(),
        })
        .collect();
    let mut lines: Vec<String> = (0..batch.num_rows())
        .map(|r| {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| {
                    if c.is_null(r) { String::new() } else { arrow_cast::display::array_value_to_string(c, r).unwrap() }
                })
                .collect();
            cells.join(",")
        })
        .collect();
    lines.sort();
    lines
}

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/flowlogs")
}

#[test]
fn on_the_test_blobs_a_small_budget_derives_the_same_tables() {
    let root = testdata();
    let generated = root.join("generated");
    // The documentation's NSG v1 sample has a record of another category: skipped.
    let (_, tuples) =
        read_tree(std::slice::from_ref(&root), &ReadOptions { lenient: true, ..ReadOptions::default() }).unwrap();
    let full = EnrichmentPaths {
        topology: vec![generated.join("topology")],
        service_tags: Some(generated.join("ServiceTags_Public_20250601.json")),
        threat_intel: Some(generated.join("threat-intel.csv")),
        geoip: None,
    };
    for paths in [EnrichmentPaths::default(), full] {
        let enrichment = Enrichment::load(&paths).unwrap();
        for interval in [Interval::Minutes10, Interval::Minutes60] {
            let all = derive_within(&tuples, &enrichment, interval, &Budget::default()).unwrap();
            let small = derive_within(&tuples, &enrichment, interval, &Budget { max_memory: 16 << 10 }).unwrap();
            let what = format!("{interval:?}, topology: {}", !paths.topology.is_empty());
            assert!(small.memory.partitions > 0 && small.memory.peak_bytes <= small.memory.share, "{what}");
            assert_eq!(all.memory.partitions, 0, "{what}");
            for (a, s) in [(&all.net_analytics, &small.net_analytics), (&all.ip_details, &small.ip_details)] {
                assert!(a[0].num_rows() > 10, "{what}");
                assert_eq!(sorted_csv(&s[0]), sorted_csv(&a[0]), "{what}");
                // And in the same order.
                assert_eq!(s[0], a[0], "{what}");
            }
        }
    }
}
