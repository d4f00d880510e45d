//! `summarize` and `distinct` over their memory budget spill to temporary
//! files instead of failing: the answers are those of the run in memory (as
//! sets of rows — Kusto does not define the order of `summarize`'s groups
//! or `distinct`'s rows, and a spilled run outputs the ones it held first,
//! then each partition's), for every aggregation and kind of key; an
//! operator that does define an order (`sort`) gives the same order.
//! `sort` and `top` past the budget sort runs into spill files and merge
//! them: the same rows in the same order as in memory (both sorts are
//! stable, so even rows with equal keys keep their input order).

use crate::common;
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::{Lcg, Table, run_limited};
use kql_exec::MemTables;
use kql_plan::{Catalog, Params, TableDef, TableOrigin};
use std::sync::Arc;

/// `T(g:string, a:string, f:bool, v:long, r:real)`: `rows` rows in batches
/// of 4,096; `g` from `groups` values, `a` from a few (with "" and null),
/// `v` with nulls.
fn table(rows: usize, groups: u64, seed: u64) -> (Catalog, MemTables) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("g", DataType::Utf8, true),
        Field::new("a", DataType::Utf8, true),
        Field::new("f", DataType::Boolean, true),
        Field::new("v", DataType::Int64, true),
        Field::new("r", DataType::Float64, true),
    ]));
    let mut rng = Lcg(seed);
    let mut batches = Vec::new();
    let mut at = 0;
    while at < rows {
        let n = 4096.min(rows - at);
        at += n;
        let g: Vec<String> = (0..n).map(|_| format!("g{}", rng.next(groups))).collect();
        let a: Vec<Option<&str>> =
            (0..n).map(|_| [None, Some(""), Some("x"), Some("y"), Some("zz")][rng.next(5) as usize]).collect();
        let f: Vec<Option<bool>> = (0..n).map(|_| [None, Some(true), Some(false)][rng.next(3) as usize]).collect();
        let v: Vec<Option<i64>> = (0..n).map(|_| Some(rng.next(1000) as i64 - 500).filter(|x| x % 11 != 0)).collect();
        let r: Vec<Option<f64>> = (0..n).map(|_| Some(rng.next(100) as f64 / 4.0)).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(g)),
            Arc::new(StringArray::from(a)),
            Arc::new(BooleanArray::from(f)),
            Arc::new(Int64Array::from(v)),
            Arc::new(Float64Array::from(r)),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), columns).unwrap());
    }
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &schema, TableOrigin::Files(vec!["memory".into()])).0);
    let mut tables = MemTables::new();
    tables.insert("T", batches);
    (catalog, tables)
}

/// The query's result in memory and within `budget` bytes (with the rows spilled).
pub(crate) fn both(query: &str, catalog: &Catalog, tables: &MemTables, budget: u64) -> (Table, Table, u64) {
    let p = Params::default();
    let (memory, none) = run_limited(query, catalog, tables, &p, true, None).unwrap_or_else(|e| panic!("{query}\n{e}"));
    assert_eq!(none, 0, "{query}: spilled with the default budget");
    let (spilled, rows) =
        run_limited(query, catalog, tables, &p, true, Some(budget)).unwrap_or_else(|e| panic!("{query}\n{e}"));
    (memory, spilled, rows)
}

#[test]
fn spilled_summarize_gives_the_answers_held_in_memory() {
    // 40,000 rows in 8,000 groups: ~100 accounted bytes a group, so a
    // 128 KiB budget (half of it for groups) holds about a fifteenth of them and the rest spill
    // (and spill again, partition by partition).
    let (catalog, tables) = table(40_000, 8_000, 7);
    for query in [
        "T | summarize c = count() by g",
        "T | summarize c = count(), s = sum(v), m = avg(r), lo = min(a), hi = max(v), sd = stdev(r), ci = countif(f) by g",
        "T | summarize arg_max(v, a, r), take_any(a) by g",
        "T | summarize arg_min(r, v), x = take_anyif(a, f) by g",
        "T | summarize c = count() by g, a, f",
        "T | summarize c = count() by k = v % 97, s = strcat(a, '-', g)",
        "T | summarize s = sum(v) by g, b = bin(r, 2.0), t = datetime(2025-06-01) + v * 1s",
        "T | summarize c = count() by g | summarize n = count() by c",
        "T | where f == true | summarize c = count() by g, a",
    ] {
        let (memory, spilled, rows) = both(query, &catalog, &tables, 128 << 10);
        assert!(rows > 0, "{query}: nothing spilled");
        assert_eq!(memory.sorted(), spilled.sorted(), "{query}");
    }
}

#[test]
fn spilled_value_lists_keep_their_input_order() {
    // make_list, make_set, dcount and percentile keep values per group: a
    // group's rows all go to one partition, in input order, so even the
    // lists' order is that of the run in memory.
    // Their accounting counts every batch's argument arrays, so the budget
    // is larger; 20,000 groups still do not fit in its half.
    let (catalog, tables) = table(40_000, 20_000, 11);
    for query in [
        "T | summarize l = make_list(v), st = make_set(a) by g",
        "T | summarize d = dcount(a), p = percentile(v, 50), percentiles(r, 10, 90) by g",
        "T | summarize l = make_list_if(r, f), st = make_set_if(v, f) by g, a",
    ] {
        let (memory, spilled, rows) = both(query, &catalog, &tables, 4 << 20);
        assert!(rows > 0, "{query}: nothing spilled");
        assert_eq!(memory.sorted(), spilled.sorted(), "{query}");
    }
}

#[test]
fn operators_that_define_an_order_keep_it_over_a_spilled_summarize() {
    let (catalog, tables) = table(40_000, 8_000, 13);
    for query in [
        "T | summarize c = count() by g | summarize n = count() by c | sort by c asc",
        "T | summarize c = count() by g, a | summarize n = count() by a | sort by a desc",
        "T | summarize c = count() by g | count",
    ] {
        let (memory, spilled, rows) = both(query, &catalog, &tables, 512 << 10);
        assert!(rows > 0, "{query}: nothing spilled");
        assert_eq!(memory, spilled, "{query}");
    }
}

/// `T(g:string, v:long)`: g = i % 1000 (as text) and v = i for i in
/// 0..10,000, in ten batches: each g has the ten rows g, g + 1000, …, g + 9000.
pub(crate) fn tens() -> (Catalog, MemTables) {
    let schema =
        Arc::new(Schema::new(vec![Field::new("g", DataType::Utf8, false), Field::new("v", DataType::Int64, false)]));
    let batches: Vec<RecordBatch> = (0..10)
        .map(|b| {
            let i = (b * 1000)..(b * 1000 + 1000);
            let g: ArrayRef =
                Arc::new(StringArray::from(i.clone().map(|i| format!("{}", i % 1000)).collect::<Vec<_>>()));
            let v: ArrayRef = Arc::new(Int64Array::from(i.map(|i| i as i64).collect::<Vec<_>>()));
            RecordBatch::try_new(schema.clone(), vec![g, v]).unwrap()
        })
        .collect();
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &schema, TableOrigin::Files(vec!["memory".into()])).0);
    let mut tables = MemTables::new();
    tables.insert("T", batches);
    (catalog, tables)
}

#[test]
fn spilled_groups_hold_hand_computed_answers() {
    // Each group g has count 10, sum 10g + 45,000, min g, max g + 9000,
    // and the list of its ten values in order.
    let (catalog, tables) = tens();
    let q = "T | summarize c = count(), s = sum(v), lo = min(v), hi = max(v), l = make_list(v) by g";
    let (result, spilled) = run_limited(q, &catalog, &tables, &Params::default(), true, Some(256 << 10)).unwrap();
    assert!(spilled > 0);
    assert_eq!(result.header, ["g:string", "c:long", "s:long", "lo:long", "hi:long", "l:dynamic"]);
    assert_eq!(result.rows.len(), 1000);
    let mut seen = std::collections::BTreeSet::new();
    for row in &result.rows {
        let g: i64 = row[0].parse().unwrap();
        assert!(seen.insert(g), "group {g} twice");
        let list: Vec<String> = (0..10).map(|j| (g + 1000 * j).to_string()).collect();
        let expected = [
            g.to_string(),
            "10".into(),
            (10 * g + 45_000).to_string(),
            g.to_string(),
            (g + 9000).to_string(),
            format!("[{}]", list.join(", ")),
        ];
        assert_eq!(row.as_slice(), expected, "group {g}");
    }
}

#[test]
fn a_group_bigger_than_the_budget_still_stops_with_a_hint() {
    // One key: its list of 40,000 values cannot be split across files.
    let (catalog, tables) = table(40_000, 1, 17);
    let err =
        run_limited("T | summarize l = make_list(v) by g", &catalog, &tables, &Params::default(), true, Some(64 << 10))
            .unwrap_err();
    assert!(err.contains("memory budget of 64 KiB"), "{err}");
    assert!(err.contains("cannot spill"), "{err}");
}

#[test]
fn spilled_distinct_gives_each_row_once() {
    // Kusto does not define `distinct`'s order: the rows are compared as
    // sorted lists, repeats included (each distinct row exactly once).
    let (catalog, tables) = table(40_000, 8_000, 19);
    for query in [
        "T | distinct g",
        "T | distinct g, a, f",
        "T | distinct g, v",
        "T | distinct *",
        "T | extend k = v % 997 | distinct k, a, f",
        "T | distinct g | count",
        "T | distinct g, a | summarize n = count() by a",
        "T | distinct g | distinct g",
    ] {
        let (memory, spilled, rows) = both(query, &catalog, &tables, 128 << 10);
        assert!(rows > 0, "{query}: nothing spilled");
        assert_eq!(memory.sorted(), spilled.sorted(), "{query}");
    }
}

#[test]
fn spilled_distinct_holds_hand_computed_answers() {
    // g takes the 1000 values "0" … "999", each ten times; (g, v % 2000)
    // has two values per g (v % 2000 is g or g + 1000 for the ten v).
    let (catalog, tables) = tens();
    let p = Params::default();
    let (result, spilled) = run_limited("T | distinct g", &catalog, &tables, &p, true, Some(16 << 10)).unwrap();
    assert!(spilled > 0);
    let mut got: Vec<i64> = result.rows.iter().map(|r| r[0].parse().unwrap()).collect();
    got.sort();
    assert_eq!(got, (0..1000).collect::<Vec<_>>());
    spilled_distinct_pairs_come_once();
}

/// `distinct g, w` (w = v % 2000) over [`tens`] in 16 KiB: it spills, and
/// each g has exactly the two rows (g, g) and (g, g + 1000).
pub fn spilled_distinct_pairs_come_once() {
    let (catalog, tables) = tens();
    let q = "T | extend w = v % 2000 | distinct g, w";
    let (result, spilled) = run_limited(q, &catalog, &tables, &Params::default(), true, Some(16 << 10)).unwrap();
    assert!(spilled > 0);
    let mut got: Vec<(i64, i64)> = result.rows.iter().map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap())).collect();
    got.sort();
    let expected: Vec<(i64, i64)> = (0..1000).flat_map(|g| [(g, g), (g, g + 1000)]).collect();
    assert_eq!(got, expected);
}

#[test]
fn external_sort_gives_the_order_of_the_sort_in_memory() {
    // 40,000 rows of about 40 bytes (~1.6 MB) against 256 KiB: runs of
    // ~128 KiB, merged two at a time in several rounds.
    let (catalog, tables) = table(40_000, 8_000, 23);
    for query in [
        "T | sort by g asc",
        "T | sort by v desc, g asc",
        "T | order by a asc, f desc, v asc",
        "T | sort by a desc nulls last, r asc nulls first",
        "T | extend x = iff(v % 7 == 0, real(nan), todouble(v) / 3) | sort by x desc",
        "T | extend x = iff(v % 7 == 0, real(nan), todouble(v) / 3) | sort by x asc nulls last",
        "T | sort by strlen(g) asc, g desc",
        "T | top 30000 by v asc",
        "T | top 20000 by g desc nulls first",
        "T | sort by v asc | take 100",
        "T | sort by g asc | summarize c = count() by g | count",
    ] {
        let (memory, spilled, rows) = both(query, &catalog, &tables, 256 << 10);
        assert!(rows > 0, "{query}: nothing spilled");
        assert_eq!(memory, spilled, "{query}");
    }
}

#[test]
fn top_of_a_few_rows_keeps_them_in_memory() {
    // `top 10` sorts its input a chunk at a time and keeps 10 rows: it
    // writes nothing, and finds what the run in memory finds.
    let (catalog, tables) = table(40_000, 8_000, 29);
    for query in ["T | top 10 by v desc", "T | top 100 by strcat(g, '-', v) asc", "T | top 3 by r asc nulls first"] {
        let p = Params::default();
        let (memory, _) = run_limited(query, &catalog, &tables, &p, true, None).unwrap();
        let (small, spilled) = run_limited(query, &catalog, &tables, &p, true, Some(128 << 10)).unwrap();
        assert_eq!(spilled, 0, "{query}");
        assert_eq!(memory, small, "{query}");
    }
}

#[test]
fn external_sort_holds_hand_computed_answers() {
    // v takes each value of 0..10,000 once; g = v % 1000.
    let (catalog, tables) = tens();
    let p = Params::default();
    let small = Some(32 << 10);
    let values = |t: &Table, col: usize| -> Vec<i64> { t.rows.iter().map(|r| r[col].parse().unwrap()).collect() };
    let (t, spilled) = run_limited("T | sort by v desc", &catalog, &tables, &p, true, small).unwrap();
    assert!(spilled > 0);
    assert_eq!(values(&t, 1), (0..10_000).rev().collect::<Vec<_>>());
    // By the number g ascending, then v descending: g's ten values
    // g + 9000, …, g + 1000, g.
    let (t, spilled) = run_limited("T | sort by toint(g) asc, v desc", &catalog, &tables, &p, true, small).unwrap();
    assert!(spilled > 0);
    let expected: Vec<i64> = (0..1000).flat_map(|g| (0..10).rev().map(move |j| g + 1000 * j)).collect();
    assert_eq!(values(&t, 1), expected);
    let (t, spilled) = run_limited("T | top 6000 by v asc", &catalog, &tables, &p, true, small).unwrap();
    assert!(spilled > 0);
    assert_eq!(values(&t, 1), (0..6000).collect::<Vec<_>>());
    let (t, _) = run_limited("T | top 4 by v desc", &catalog, &tables, &p, true, small).unwrap();
    assert_eq!(values(&t, 1), [9999, 9998, 9997, 9996]);
    // Each 1000-row batch (~20 KB) alone passes half of 16 KiB: a run of
    // its own. The ten runs are merged two at a time (what 16 KiB allows):
    // 10 runs → 5 (all 10,000 rows written again) → 3 (runs of 2000, 2000
    // merged; the last kept: 8000) → 2 (8000), then merged into the output.
    let (t, spilled) = run_limited("T | sort by v asc", &catalog, &tables, &p, true, Some(16 << 10)).unwrap();
    assert_eq!(spilled, 10_000 + 10_000 + 8000 + 8000);
    assert_eq!(values(&t, 1), (0..10_000).collect::<Vec<_>>());
}

#[test]
fn groups_over_several_windows_hold_hand_computed_answers() {
    // 600,000 rows are several windows of input: each window's groups are
    // added to the table while the next window is read. k = i % 1000:
    // group k (1..999) has the i's k + 1000 j for j in 0..600, group 0 the
    // i's 1000 j for j in 1..=600; groups come first-seen (1, 2, …, 999,
    // 0), in the default budget and in one that spills.
    let q = "range i from 1 to 600000 step 1 | summarize c = count(), s = sum(i) by k = i % 1000";
    for budget in [None, Some(64 << 10)] {
        let (result, spilled) =
            run_limited(q, &Catalog::new(), &MemTables::new(), &Params::default(), true, budget).unwrap();
        assert_eq!(result.header, ["k:long", "c:long", "s:long"]);
        assert_eq!(result.rows.len(), 1000);
        assert_eq!(spilled > 0, budget.is_some(), "{budget:?}");
        let mut seen = std::collections::BTreeSet::new();
        for (n, row) in result.rows.iter().enumerate() {
            let k: u64 = row[0].parse().unwrap();
            let sum = if k == 0 { 1000 * 600 * 601 / 2 } else { 600 * k + 1000 * 599 * 600 / 2 };
            assert_eq!(row[1..], ["600".to_string(), sum.to_string()], "group {k}");
            if budget.is_none() {
                assert_eq!(k, (n as u64 + 1) % 1000, "first-seen order");
            }
            seen.insert(k);
        }
        assert_eq!(seen.len(), 1000);
    }
}
