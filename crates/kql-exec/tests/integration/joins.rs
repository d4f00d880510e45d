//! Every join kind against a nested-loop reference, on tables of many
//! sizes and batchings: the executor builds the side whose table has fewer
//! rows, or, where it cannot tell, whichever side ends first, so each kind
//! runs with the left side built, with the right side built, and with the
//! race ending in mid-stream.
//!
//! Kusto semantics (join page, "Join flavors"; kql-semantics.md): inner
//! keeps every matching pair; innerunique keeps one left row per key (ntaq:
//! the first) and then every match; outer kinds add unmatched rows with
//! nulls on the other side; semi/anti keep one side's rows with / without a
//! match. "" matches ""; a null long key matches nothing.

use crate::common;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::{Lcg, run_limited, run_with};
use kql_exec::{MemTables, Partition, ScanPredicate, Stream, TableProvider};
use kql_plan::{Catalog, Params, TableDef, TableOrigin};
use kql_syntax::ScalarType;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A side: (key, id) rows. Keys are strings from {"", "a", "b", "c", "d"}
/// or longs from {null, 1, 2, 3, 4}; ids are 100·side + row number.
#[derive(Clone)]
struct Side {
    keys: Vec<Option<i64>>,
    ids: Vec<i64>,
}

fn side(rng: &mut Lcg, rows: usize, base: i64) -> Side {
    Side {
        keys: (0..rows).map(|_| Some(rng.next(5) as i64).filter(|k| *k > 0)).collect(),
        ids: (0..rows as i64).map(|i| base + i).collect(),
    }
}

fn key_text(k: Option<i64>, strings: bool) -> String {
    match (k, strings) {
        (None, true) => String::new(),
        (None, false) => "null".into(),
        (Some(k), true) => ((b'a' + k as u8 - 1) as char).to_string(),
        (Some(k), false) => k.to_string(),
    }
}

/// Keys equal under Kusto's rules: strings ("" included) by value, longs only when not null.
fn joins(a: Option<i64>, b: Option<i64>, strings: bool) -> bool {
    if strings { a == b } else { a.is_some() && a == b }
}

fn batch(s: &Side, id: &str, strings: bool) -> RecordBatch {
    let key: ArrayRef = if strings {
        Arc::new(StringArray::from(s.keys.iter().map(|k| key_text(*k, true)).collect::<Vec<_>>()))
    } else {
        Arc::new(Int64Array::from(s.keys.clone()))
    };
    let ty = if strings { DataType::Utf8 } else { DataType::Int64 };
    let schema = Arc::new(Schema::new(vec![Field::new("K", ty, true), Field::new(id, DataType::Int64, true)]));
    RecordBatch::try_new(schema, vec![key, Arc::new(Int64Array::from(s.ids.clone()))]).unwrap()
}

/// Tables `Lt(K, L)` and `Rt(K, R)` holding the two sides, and their catalog.
fn tables(l: &Side, r: &Side, strings: bool) -> (Catalog, MemTables) {
    let (lb, rb) = (batch(l, "L", strings), batch(r, "R", strings));
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("Lt", &lb.schema(), TableOrigin::Files(vec!["memory".into()])).0);
    catalog.insert(TableDef::from_arrow("Rt", &rb.schema(), TableOrigin::Files(vec!["memory".into()])).0);
    let mut tables = MemTables::new();
    tables.insert("Lt", vec![lb]);
    tables.insert("Rt", vec![rb]);
    (catalog, tables)
}

/// Expected rows of `L | join kind=<kind> R on K | project L, R` (or the
/// one side's id for semi/anti), as text, sorted.
fn reference(kind: &str, l: &Side, r: &Side, strings: bool) -> Vec<Vec<String>> {
    let n = |v: Option<i64>| v.map_or("null".to_string(), |v| v.to_string());
    let mut out = Vec::new();
    let matches = |i: usize| (0..r.ids.len()).filter(move |j| joins(l.keys[i], r.keys[*j], strings));
    let left_matched = |i: usize| matches(i).next().is_some();
    let right_matched = |j: usize| (0..l.ids.len()).any(|i| joins(l.keys[i], r.keys[j], strings));
    let pairs = kind.contains("outer") || kind.starts_with("inner");
    if pairs {
        for i in 0..l.ids.len() {
            if kind == "innerunique" && (0..i).any(|p| l.keys[p] == l.keys[i]) {
                continue;
            }
            for j in matches(i) {
                out.push(vec![n(Some(l.ids[i])), n(Some(r.ids[j]))]);
            }
        }
    }
    if matches!(kind, "leftouter" | "fullouter") {
        out.extend((0..l.ids.len()).filter(|i| !left_matched(*i)).map(|i| vec![n(Some(l.ids[i])), n(None)]));
    }
    if matches!(kind, "rightouter" | "fullouter") {
        out.extend((0..r.ids.len()).filter(|j| !right_matched(*j)).map(|j| vec![n(None), n(Some(r.ids[j]))]));
    }
    match kind {
        "leftsemi" => out.extend((0..l.ids.len()).filter(|i| left_matched(*i)).map(|i| vec![n(Some(l.ids[i]))])),
        "leftanti" => out.extend((0..l.ids.len()).filter(|i| !left_matched(*i)).map(|i| vec![n(Some(l.ids[i]))])),
        "rightsemi" => out.extend((0..r.ids.len()).filter(|j| right_matched(*j)).map(|j| vec![n(Some(r.ids[j]))])),
        "rightanti" => out.extend((0..r.ids.len()).filter(|j| !right_matched(*j)).map(|j| vec![n(Some(r.ids[j]))])),
        _ => {}
    }
    out.sort();
    out
}

const KINDS: [&str; 9] =
    ["inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftsemi", "leftanti", "rightsemi", "rightanti"];

#[test]
fn every_join_kind_matches_the_nested_loop_reference_whichever_side_is_built() {
    let mut rng = Lcg(7);
    let sizes = [0usize, 1, 4, 9, 30];
    let mut cases = 0;
    for strings in [true, false] {
        for &nl in &sizes {
            for &nr in &sizes {
                let l = side(&mut rng, nl, 100);
                let r = side(&mut rng, nr, 200);
                let (catalog, tables) = tables(&l, &r, strings);
                // Batches of 1, 2 and 4 rows: the race reads the sides in
                // turns, so it can end with either side partly read.
                // With the tables' row counts known (the smaller side is
                // built first) and hidden (the sides race).
                for (per_batch, counted) in [1, 2, 4, 64].into_iter().flat_map(|n| [(n, true), (n, false)]) {
                    let tables = Watched::new(tables.rebatched(per_batch), counted);
                    for kind in KINDS {
                        let columns = match kind {
                            "leftsemi" | "leftanti" => "L",
                            "rightsemi" | "rightanti" => "R",
                            _ => "L, R",
                        };
                        let q = format!("Lt | join kind={kind} (Rt) on K | project {columns}");
                        let got = run_with(&q, &catalog, &tables, &Params::default()).unwrap().sorted();
                        assert_eq!(
                            got.rows,
                            reference(kind, &l, &r, strings),
                            "{q} with {nl} left and {nr} right rows, {per_batch} per batch, string keys: {strings}, \
                             row counts known: {counted}"
                        );
                        cases += 1;
                    }
                }
            }
        }
    }
    assert_eq!(cases, 2 * 25 * 4 * 2 * 9);
}

#[test]
fn every_join_kind_gives_the_same_rows_in_the_same_order_in_bounded_steps() {
    // 300 × 200 rows on five keys: each key meets thousands of pairs. In a
    // budget of 1 MiB a join makes its output about 2000 rows (64 KiB) per
    // step, so a probe row's matches are cut across steps (and a window's
    // batches too); the rows, and their order, must not change, and must
    // be the reference's.
    let mut rng = Lcg(31);
    let l = side(&mut rng, 300, 1000);
    let r = side(&mut rng, 200, 2000);
    for strings in [true, false] {
        let (catalog, tables) = tables(&l, &r, strings);
        for per_batch in [7, 64] {
            let tables = tables.rebatched(per_batch);
            for kind in KINDS {
                let columns = match kind {
                    "leftsemi" | "leftanti" => "L",
                    "rightsemi" | "rightanti" => "R",
                    _ => "L, R",
                };
                let q = format!("Lt | join kind={kind} (Rt) on K | project {columns}");
                let params = Params::default();
                let (whole, _) = run_limited(&q, &catalog, &tables, &params, true, None).unwrap();
                let (stepped, _) = run_limited(&q, &catalog, &tables, &params, true, Some(1 << 20)).unwrap();
                assert_eq!(stepped, whole, "{q}, {per_batch} rows per batch, string keys: {strings}");
                assert_eq!(stepped.sorted().rows, reference(kind, &l, &r, strings), "{q}");
            }
            let q = "Lt | lookup kind=leftouter (Rt) on K | project L, R";
            let (whole, _) = run_limited(q, &catalog, &tables, &Params::default(), true, None).unwrap();
            let (stepped, _) = run_limited(q, &catalog, &tables, &Params::default(), true, Some(1 << 20)).unwrap();
            assert_eq!(stepped, whole, "{q}");
            assert_eq!(stepped.sorted().rows, reference("leftouter", &l, &r, strings), "{q}");
        }
    }
}

#[test]
fn lookup_matches_the_reference_for_both_kinds() {
    let mut rng = Lcg(11);
    for (nl, nr) in [(0, 3), (5, 0), (8, 3), (3, 8), (30, 30)] {
        let l = side(&mut rng, nl, 100);
        let r = side(&mut rng, nr, 200);
        let (catalog, tables) = tables(&l, &r, true);
        let tables = tables.rebatched(2);
        // lookup = a join whose right side is the dimension: inner pairs,
        // and for leftouter the unmatched left rows too.
        for (kind, reference_kind) in [("inner", "inner"), ("leftouter", "leftouter")] {
            let q = format!("Lt | lookup kind={kind} (Rt) on K | project L, R");
            let got = run_with(&q, &catalog, &tables, &Params::default()).unwrap().sorted();
            assert_eq!(got.rows, reference(reference_kind, &l, &r, true), "{q} ({nl} × {nr})");
        }
    }
}

#[test]
fn joins_over_parquet_scans_match_the_reference_with_dynamic_filters() {
    // A small left side and a big right one read from Parquet in many
    // parts: the left is built, and the right scan's later parts get the
    // built keys as a filter inside the reader (dictionary-encoded or
    // not). Every kind must still give the reference rows — kinds that keep
    // unmatched right rows must not get the filter.
    let mut rng = Lcg(23);
    let l = side(&mut rng, 6, 100);
    let r = side(&mut rng, 3_000, 10_000);
    for dictionary in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        for (name, b) in [("Lt", batch(&l, "L", true)), ("Rt", batch(&r, "R", true))] {
            let props = parquet::file::properties::WriterProperties::builder()
                .set_dictionary_enabled(dictionary)
                .set_max_row_group_row_count(Some(100))
                .build();
            let file = std::fs::File::create(dir.path().join(format!("{name}.parquet"))).unwrap();
            let mut w = parquet::arrow::ArrowWriter::try_new(file, b.schema(), Some(props)).unwrap();
            w.write(&b).unwrap();
            w.close().unwrap();
        }
        let (catalog, _) = tables(&l, &r, true);
        let files = kql_exec::ParquetTables::new(Arc::new(kql_io::DataDir::open(dir.path()).unwrap()));
        for kind in KINDS {
            let columns = match kind {
                "leftsemi" | "leftanti" => "L",
                "rightsemi" | "rightanti" => "R",
                _ => "L, R",
            };
            let q = format!("Lt | join kind={kind} (Rt) on K | project {columns}");
            let got = run_with(&q, &catalog, &files, &Params::default()).unwrap().sorted();
            assert_eq!(got.rows, reference(kind, &l, &r, true), "{q}, dictionary pages: {dictionary}");
        }
    }
}

/// Tables for watching a join choose its build side: with or without
/// their row counts (without them, a join cannot tell its smaller side and
/// races the two), counting the parts of table `Big` opened without and
/// with a join's keys as an extra filter.
struct Watched {
    tables: MemTables,
    sized: bool,
    /// Parts of `Big` opened without, and with, the extra filter.
    opened: Arc<[AtomicUsize; 2]>,
}

impl Watched {
    fn new(tables: MemTables, sized: bool) -> Self {
        Watched { tables, sized, opened: Arc::default() }
    }
}

impl TableProvider for Watched {
    fn scan(&self, table: &str, columns: &[(String, ScalarType)]) -> kql_exec::error::Result<Stream<'static>> {
        self.tables.scan(table, columns)
    }

    fn rows(&self, table: &str) -> Option<u64> {
        self.tables.rows(table).filter(|_| self.sized)
    }

    fn partitions(
        &self,
        table: &str,
        columns: &[(String, ScalarType)],
        filters: &[ScanPredicate],
        dictionaries: &[String],
    ) -> kql_exec::error::Result<Vec<Partition>> {
        let parts = self.tables.partitions(table, columns, filters, dictionaries)?;
        if table != "Big" {
            return Ok(parts);
        }
        let counted = parts.into_iter().map(|p| {
            let opened = self.opened.clone();
            Partition::new(p.rows, move |extra| {
                opened[usize::from(!extra.is_empty())].fetch_add(1, Ordering::Relaxed);
                p.open(extra)
            })
        });
        Ok(counted.collect())
    }
}

#[test]
fn the_side_with_fewer_table_rows_is_built_before_the_other_is_read() {
    // Small: 3 rows; Big: 10,000 rows in 100 parts of 100, keys cycling
    // through ten letters. Small is built whole first, so every part of
    // Big is opened with Small's keys as a filter (none is read unfiltered
    // while the join is still deciding), from either side of the join.
    let letters = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    let schema = Arc::new(Schema::new(vec![Field::new("K", DataType::Utf8, true)]));
    let small: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "zz"]));
    let big: ArrayRef = Arc::new(StringArray::from_iter_values((0..10_000).map(|i| letters[i % 10])));
    let mut tables = MemTables::new();
    tables.insert("Small", vec![RecordBatch::try_new(schema.clone(), vec![small]).unwrap()]);
    tables.insert("Big", vec![RecordBatch::try_new(schema.clone(), vec![big]).unwrap()]);
    let mut catalog = Catalog::new();
    for t in ["Small", "Big"] {
        catalog.insert(TableDef::from_arrow(t, &schema, TableOrigin::Files(vec!["memory".into()])).0);
    }
    for q in ["Small | join kind=inner (Big) on K | count", "Big | join kind=inner (Small) on K | count"] {
        let counting = Watched::new(tables.rebatched(100), true);
        let t = run_with(q, &catalog, &counting, &Params::default()).unwrap();
        // 1,000 rows of Big match "a" and 1,000 match "b".
        assert_eq!(t.rows, [["2000"]], "{q}");
        let [unfiltered, filtered] = [0, 1].map(|i| counting.opened[i].load(Ordering::Relaxed));
        assert_eq!((unfiltered, filtered), (0, 100), "{q}: parts of Big opened without and with the join's keys");
    }
}
