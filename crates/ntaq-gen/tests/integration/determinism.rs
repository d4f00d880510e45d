//! The same configuration gives the same rows; the seed changes them; the
//! file/batch/row-group layout and the thread count do not.

use crate::common;

use common::read;
use ntaq_gen::{GenConfig, IP_TABLE, NET_TABLE, generate};
use std::path::Path;

fn run(cfg: &GenConfig, dir: &Path) -> (common::Table, common::Table) {
    generate(cfg, dir).unwrap();
    (read(dir, NET_TABLE).table, read(dir, IP_TABLE).table)
}

fn small(seed: u64) -> GenConfig {
    GenConfig { rows: 3_000, seed, hours: 6, ..GenConfig::default() }
}

#[test]
fn same_seed_same_data() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run(&small(5), &tmp.path().join("a"));
    let b = run(&small(5), &tmp.path().join("b"));
    assert_eq!(a.0.rows, 3_000);
    assert!(a.1.rows > 0);
    assert_eq!(a, b);
}

#[test]
fn different_seed_different_data() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run(&small(5), &tmp.path().join("a"));
    let b = run(&small(6), &tmp.path().join("b"));
    assert_eq!(a.0.rows, b.0.rows, "the row count is the configuration's");
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
    // The topology comes from the seed too: another workspace and other subscriptions.
    assert_ne!(a.0.s("TenantId")[0], b.0.s("TenantId")[0]);
    let subs = |t: &common::Table| {
        let mut v: Vec<String> =
            t.s("SrcSubscription").into_iter().filter(|s| !s.is_empty()).map(String::from).collect();
        v.sort();
        v.dedup();
        v
    };
    assert!(subs(&a.0).iter().all(|s| !subs(&b.0).contains(s)));
}

#[test]
fn layout_does_not_change_the_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let base = small(9);
    let one = run(&base, &tmp.path().join("one"));
    let split = GenConfig { files: 4, batch_rows: 500, row_group_rows: 700, max_batches_in_flight: 3, ..base.clone() };
    let dir = tmp.path().join("split");
    let summary = generate(&split, &dir).unwrap();
    assert_eq!(summary.net_files.len(), 4);
    for (k, p) in summary.net_files.iter().enumerate() {
        assert_eq!(p, &dir.join(NET_TABLE).join(format!("part-{k:05}.parquet")));
    }
    let split_files = read(&dir, NET_TABLE);
    assert_eq!(split_files.paths.len(), 4);
    assert!(split_files.metadata.iter().all(|m| m.row_groups().iter().all(|g| g.num_rows() <= 700)));
    assert_eq!(split_files.table, one.0, "same rows in the same order");
    assert_eq!(read(&dir, IP_TABLE).table, one.1);
}

#[test]
fn thread_count_does_not_change_the_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = GenConfig { batch_rows: 256, ..small(21) };
    let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
    let a = pool(1).install(|| run(&cfg, &tmp.path().join("a")));
    let b = pool(4).install(|| run(&cfg, &tmp.path().join("b")));
    assert_eq!(a, b);
}

#[test]
fn rerun_with_another_layout_replaces_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cfg = small(3);
    generate(&GenConfig { files: 5, ..cfg.clone() }, dir).unwrap();
    generate(&GenConfig { files: 2, ..cfg.clone() }, dir).unwrap();
    assert_eq!(common::table_paths(dir, NET_TABLE).len(), 2, "parts 2..5 of the first run are gone");
    generate(&cfg, dir).unwrap();
    assert!(!dir.join(NET_TABLE).exists(), "the folder of the split run is gone");
    assert_eq!(read(dir, NET_TABLE).table.rows, 3_000);
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left: {leftovers:?}");
}
