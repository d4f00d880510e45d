//! `join` and `lookup` whose build side passes half the memory budget
//! partition both sides to spill files by key hash and join partition by
//! partition (a grace hash join): every kind gives the rows it gives in
//! memory. Kusto does not define a join's output order, and a spilled join
//! outputs partition after partition, so rows are compared sorted.

use crate::common;
use crate::spill::both;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::{Lcg, Table, run_limited};
use kql_exec::MemTables;
use kql_plan::{Catalog, Params, TableDef, TableOrigin};
use std::sync::Arc;

const KINDS: [&str; 9] =
    ["inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftsemi", "leftanti", "rightsemi", "rightanti"];

/// A table `name(k:string, n:long, s:string, <id>:long)` of `rows` rows in
/// batches of 1,000: `k` from `keys` values and "" (every tenth row), `n`
/// from `keys` values with nulls, `s` from a few, `id` the row number
/// (plus `base`).
fn side(id: &str, rows: usize, keys: u64, base: i64, rng: &mut Lcg) -> (Arc<Schema>, Vec<RecordBatch>) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8, true),
        Field::new("n", DataType::Int64, true),
        Field::new("s", DataType::Utf8, true),
        Field::new(id, DataType::Int64, true),
    ]));
    let mut batches = Vec::new();
    let mut at = 0;
    while at < rows {
        let len = 1000.min(rows - at);
        let k: Vec<String> = (0..len)
            .map(|_| if rng.next(10) == 0 { String::new() } else { format!("key{}", rng.next(keys)) })
            .collect();
        let n: Vec<Option<i64>> = (0..len).map(|_| Some(rng.next(keys) as i64).filter(|v| v % 7 != 3)).collect();
        let s: Vec<&str> = (0..len).map(|_| ["", "x", "yy", "zzz"][rng.next(4) as usize]).collect();
        let ids: Vec<i64> = (at..at + len).map(|i| base + i as i64).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(k)),
            Arc::new(Int64Array::from(n)),
            Arc::new(StringArray::from(s)),
            Arc::new(Int64Array::from(ids)),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), columns).unwrap());
        at += len;
    }
    (schema, batches)
}

/// Tables `L(k, n, s, l)` and `R(k, n, s, r)` of `left` and `right` rows.
fn tables(left: usize, right: usize, keys: u64, seed: u64) -> (Catalog, MemTables) {
    let mut rng = Lcg(seed);
    let mut catalog = Catalog::new();
    let mut tables = MemTables::new();
    for (name, id, rows, base) in [("L", "l", left, 0), ("R", "r", right, 1_000_000)] {
        let (schema, batches) = side(id, rows, keys, base, &mut rng);
        catalog.insert(TableDef::from_arrow(name, &schema, TableOrigin::Files(vec!["memory".into()])).0);
        tables.insert(name, batches);
    }
    (catalog, tables)
}

/// The query in memory and within `budget`: the same rows, and the
/// spilled run did spill.
fn check(query: &str, catalog: &Catalog, tables: &MemTables, budget: u64) {
    let (memory, spilled, rows) = both(query, catalog, tables, budget);
    assert!(rows > 0, "{query}: nothing spilled in {budget} bytes");
    assert!(!memory.rows.is_empty() || query.contains("anti"), "{query}: no rows to compare");
    assert_eq!(memory.header, spilled.header, "{query}");
    assert_eq!(memory.sorted(), spilled.sorted(), "{query} in {budget} bytes");
}

#[test]
fn every_join_kind_spilled_gives_the_rows_held_in_memory() {
    // 3,000 and 2,000 rows of ~40 bytes (and ~48 of index each): more than
    // half of 128 KiB whichever side is built. Either table the smaller
    // (the smaller is built), and with the row counts hidden by an
    // mv-expand (the sides race, and the one being read when they pass the
    // share is built). Keys: a string with "" (which matches ""), a long
    // with nulls (which match nothing), both, and differently named.
    let keys = ["k", "n", "k, n", "$left.s == $right.k"];
    let rights = ["R", "(R | mv-expand e = dynamic([0]) | project-away e)"];
    for (left, right, seed) in [(3000, 2000, 1), (2000, 3000, 2)] {
        let (catalog, tables) = tables(left, right, 700, seed);
        for (i, kind) in KINDS.iter().enumerate() {
            // Each kind with two of the keys and each way to read R.
            for j in 0..2 {
                let q = format!("L | join kind={kind} {} on {}", rights[j], keys[(i + j + seed as usize) % 4]);
                check(&q, &catalog, &tables, 128 << 10);
            }
        }
        // The default kind (innerunique) too.
        check("L | join R on k", &catalog, &tables, 128 << 10);
    }
}

#[test]
fn spilled_lookups_give_the_rows_held_in_memory() {
    let (catalog, tables) = tables(3000, 2500, 500, 3);
    for kind in ["leftouter", "inner"] {
        for on in ["k", "n", "k, n"] {
            let q = format!("L | lookup kind={kind} (R | project k, n, rs = s, r) on {on}");
            check(&q, &catalog, &tables, 128 << 10);
        }
    }
    check("L | lookup (R | project k, rs = s, r) on k", &catalog, &tables, 128 << 10);
}

#[test]
fn spilled_joins_in_budgets_from_128_kib_to_2_mib() {
    // Larger tables against larger budgets (the build side, ~20,000 rows
    // of ~70 bytes with its index, passes half of each).
    let (catalog, tables) = tables(25_000, 20_000, 10_000, 5);
    for budget in [128 << 10, 512 << 10, 2 << 20] {
        for kind in ["innerunique", "fullouter", "rightanti", "leftsemi"] {
            check(&format!("L | join kind={kind} R on k, n"), &catalog, &tables, budget);
        }
        // (On `k` alone, "" is a tenth of the rows: one key past 64 KiB.)
        check("L | lookup (R | project k, n, rs = s, r) on k, n", &catalog, &tables, budget);
    }
}

#[test]
fn consumers_of_a_spilled_join_see_its_rows() {
    let (catalog, tables) = tables(3000, 2000, 300, 7);
    for q in [
        "L | join kind=inner R on k | summarize c = count(), x = sum(r) by k",
        "L | join kind=leftouter R on n | count",
        "L | join kind=inner R on k | project s, s1 | distinct s, s1",
        "L | join kind=inner R on k | project l | distinct l",
        "L | join kind=fullouter R on n | sort by l asc, r asc",
    ] {
        check(q, &catalog, &tables, 128 << 10);
    }
}

/// `L(k:string, v:long)` with v = 0 … 3,999 and k = v % 1000 as text
/// (each of "0" … "999" four times), `R(k:string, w:long)` with w = 0 …
/// 2,999 and k = w % 1500 (each of "0" … "1499" twice).
fn hand() -> (Catalog, MemTables) {
    let mut catalog = Catalog::new();
    let mut tables = MemTables::new();
    for (name, col, rows, modulo) in [("L", "v", 4000i64, 1000i64), ("R", "w", 3000, 1500)] {
        let schema = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Utf8, false),
            Field::new(col, DataType::Int64, false),
        ]));
        let batches = (0..rows)
            .step_by(500)
            .map(|at| {
                let i = at..at + 500;
                let k: ArrayRef =
                    Arc::new(StringArray::from(i.clone().map(|i| (i % modulo).to_string()).collect::<Vec<_>>()));
                let v: ArrayRef = Arc::new(Int64Array::from(i.collect::<Vec<_>>()));
                RecordBatch::try_new(schema.clone(), vec![k, v]).unwrap()
            })
            .collect();
        catalog.insert(TableDef::from_arrow(name, &schema, TableOrigin::Files(vec!["memory".into()])).0);
        tables.insert(name, batches);
    }
    (catalog, tables)
}

fn spilled(query: &str, catalog: &Catalog, tables: &MemTables, budget: u64) -> Table {
    let (t, rows) = run_limited(query, catalog, tables, &Params::default(), true, Some(budget))
        .unwrap_or_else(|e| panic!("{query}\n{e}"));
    assert!(rows > 0, "{query}: nothing spilled");
    t
}

/// The rows as numbers (an empty value as -1), sorted.
fn longs(t: &Table) -> Vec<Vec<i64>> {
    let mut rows: Vec<Vec<i64>> = t.rows.iter().map(|r| r.iter().map(|v| v.parse().unwrap_or(-1)).collect()).collect();
    rows.sort();
    rows
}

#[test]
fn spilled_joins_hold_hand_derived_answers() {
    let (catalog, tables) = hand();
    let budget = 64 << 10;
    // A key g < 1000 has left rows g, g+1000, g+2000, g+3000 and right
    // rows g, g+1500; keys 1000 … 1499 have right rows only.
    let pairs = |firsts_only: bool| -> Vec<Vec<i64>> {
        let mut out: Vec<Vec<i64>> = (0..1000)
            .flat_map(|g| {
                let lefts: Vec<i64> = if firsts_only { vec![g] } else { (0..4).map(|j| g + 1000 * j).collect() };
                lefts.into_iter().flat_map(move |v| [vec![v, g], vec![v, g + 1500]])
            })
            .collect();
        out.sort();
        out
    };
    let t = spilled("L | join kind=inner R on k | project v, w", &catalog, &tables, budget);
    assert_eq!(longs(&t), pairs(false));
    // innerunique: the first left row of each key (v = g), then every match.
    let t = spilled("L | join R on k | project v, w", &catalog, &tables, budget);
    assert_eq!(longs(&t), pairs(true));
    let t = spilled("L | lookup R on k | project v, w", &catalog, &tables, budget);
    assert_eq!(longs(&t), pairs(false));
    // Every left row matches; right rows w with w % 1500 ≥ 1000 do not.
    let unmatched: Vec<i64> = (0..3000).filter(|w| w % 1500 >= 1000).collect();
    let t = spilled("L | join kind=rightanti R on k | project w", &catalog, &tables, budget);
    assert_eq!(longs(&t), unmatched.iter().map(|w| vec![*w]).collect::<Vec<_>>());
    let t = spilled("L | join kind=leftanti R on k", &catalog, &tables, budget);
    assert!(t.rows.is_empty());
    let t = spilled("L | join kind=leftsemi R on k | project v", &catalog, &tables, budget);
    assert_eq!(longs(&t), (0..4000).map(|v| vec![v]).collect::<Vec<_>>());
    let t = spilled("L | join kind=rightsemi R on k | project w", &catalog, &tables, budget);
    assert_eq!(longs(&t), (0..3000).filter(|w| w % 1500 < 1000).map(|w| vec![w]).collect::<Vec<_>>());
    // fullouter: the pairs, then the unmatched right rows with no left row
    // (v empty: -1 here).
    let t = spilled("L | join kind=fullouter R on k | project v, w", &catalog, &tables, budget);
    let mut expected = pairs(false);
    expected.extend(unmatched.iter().map(|w| vec![-1, *w]));
    expected.sort();
    assert_eq!(longs(&t), expected);
}

#[test]
fn a_partition_that_still_does_not_fit_is_split_again() {
    // 4,000 + 3,000 rows are written once; in 8 KiB a partition of ~94
    // build rows (with their index, ~6 KB) does not fit in 4 KiB and is
    // written again, so more rows are spilled than the two sides hold.
    let (catalog, tables) = hand();
    let q = "L | join kind=inner R on k | project v, w";
    let (t, rows) = run_limited(q, &catalog, &tables, &Params::default(), true, Some(8 << 10)).unwrap();
    assert!(rows > 7000, "{rows}");
    assert_eq!(t.rows.len(), 8000);
}

#[test]
fn a_single_key_past_the_budget_still_stops() {
    // Every row has the key "same": its build rows cannot be split.
    let schema =
        Arc::new(Schema::new(vec![Field::new("k", DataType::Utf8, false), Field::new("v", DataType::Int64, false)]));
    let k: ArrayRef = Arc::new(StringArray::from(vec!["same"; 5000]));
    let v: ArrayRef = Arc::new(Int64Array::from_iter_values(0..5000));
    let batch = RecordBatch::try_new(schema.clone(), vec![k, v]).unwrap();
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &schema, TableOrigin::Files(vec!["memory".into()])).0);
    let mut tables = MemTables::new();
    tables.insert("T", vec![batch]);
    for q in ["T | join kind=inner (T) on k | count", "T | lookup (T | project k, w = v) on k | count"] {
        let err = run_limited(q, &catalog, &tables, &Params::default(), true, Some(64 << 10)).unwrap_err();
        assert!(err.contains("memory budget of 64 KiB"), "{q}: {err}");
        assert!(err.contains("single join key"), "{q}: {err}");
    }
}
