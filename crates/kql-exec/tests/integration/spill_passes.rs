//! Spilled partitions processed several at once (one pass per thread of the
//! pool the query runs in, `kql_exec::spill::Passes`): the answers are
//! those worked out by hand and those of a run on one thread, and the
//! passes running side by side share the budget: the memory accounted at
//! its peak stays within it.

use crate::common::{NOW, Table, run_limited, table_of};
use crate::spill::tens;
use kql_exec::{Executor, KUSTO_TYPE_KEY, Limits, MemTables};
use kql_plan::{Catalog, Params};
use kql_syntax::ScalarType;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

/// The result of `query` within `budget`, the rows spilled and the most
/// memory accounted at once.
fn run_peak(query: &str, catalog: &Catalog, tables: &MemTables, budget: u64) -> (Table, u64, u64) {
    let parsed = kql_syntax::parse(query);
    let mut bound = kql_plan::bind(&parsed.script, catalog, &Params::default());
    assert!(!bound.has_errors(), "{query}: {:?}", bound.diagnostics);
    kql_plan::optimize::optimize(&mut bound.program);
    let ex = Executor::new(&bound.program, tables, NOW, Arc::new(AtomicBool::new(false)))
        .with_limits(Limits { max_memory: budget });
    let results = kql_exec::run_program(&ex).unwrap_or_else(|e| panic!("{query}: {e}"));
    let (schema, batches) = results.into_iter().last().unwrap();
    let types: Vec<ScalarType> = schema
        .fields()
        .iter()
        .map(|f| f.metadata().get(KUSTO_TYPE_KEY).and_then(|t| ScalarType::from_name(t)).unwrap())
        .collect();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    (table_of(&types, &names, &batches), ex.spilled_rows(), ex.peak_memory())
}

#[test]
fn partitions_on_four_threads_give_the_hand_computed_groups() {
    // `tens`: each group g ("0" … "999") has the ten values g, g + 1000, …,
    // g + 9000: count 10, sum 10g + 45,000, and that list, in order.
    let (catalog, tables) = tens();
    let q = "T | summarize c = count(), s = sum(v), l = make_list(v) by g";
    let p = Params::default();
    let one = on_threads(1, || run_limited(q, &catalog, &tables, &p, true, Some(256 << 10)).unwrap());
    let four = on_threads(4, || run_limited(q, &catalog, &tables, &p, true, Some(256 << 10)).unwrap());
    assert!(one.1 > 0 && four.1 > 0, "nothing spilled");
    let mut seen = std::collections::BTreeSet::new();
    for row in &four.0.rows {
        let g: i64 = row[0].parse().unwrap();
        assert!(seen.insert(g), "group {g} twice");
        let list: Vec<String> = (0..10).map(|j| (g + 1000 * j).to_string()).collect();
        let expected = [g.to_string(), "10".into(), (10 * g + 45_000).to_string(), format!("[{}]", list.join(", "))];
        assert_eq!(row.as_slice(), expected, "group {g}");
    }
    assert_eq!(seen.len(), 1000);
    assert_eq!(one.0.sorted(), four.0.sorted());
}

#[test]
fn distinct_partitions_on_four_threads_give_each_row_once() {
    // (g, v % 2000) has the two values (g, g) and (g, g + 1000) per g.
    on_threads(4, crate::spill::spilled_distinct_pairs_come_once);
}

#[test]
fn concurrent_partitions_stay_within_the_budget() {
    // 1000 groups of ~100 accounted bytes (with a list of ten values) in
    // budgets that hold a fraction of them: the first pass holds half the
    // budget, then four passes at once an eighth each, and the spill
    // writers' pending rows count too.
    let (catalog, tables) = tens();
    let queries = [
        ("T | summarize c = count(), l = make_list(v) by g", 1000, [96u64 << 10, 128 << 10, 192 << 10]),
        ("T | extend w = v % 2000 | distinct g, w", 2000, [16 << 10, 32 << 10, 64 << 10]),
    ];
    for (q, rows, budgets) in queries {
        for budget in budgets {
            let (result, spilled, peak) = on_threads(4, || run_peak(q, &catalog, &tables, budget));
            assert!(spilled > 0, "{q} in {budget}: nothing spilled");
            assert!(peak > 0 && peak <= budget, "{q}: {peak} bytes accounted at once, in a budget of {budget}");
            assert_eq!(result.rows.len(), rows, "{q}");
        }
    }
}
