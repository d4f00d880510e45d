//! Operators on small hand-made tables, against hand-computed results.

use crate::common;
use common::{expect, run};

const FLOWS: &str = r#"datatable(Src:string, Dst:string, Port:long, Bytes:long)[
    "10.0.0.1", "10.0.0.2", 443, 100,
    "10.0.0.1", "10.0.0.3", 80, 50,
    "10.0.0.2", "10.0.0.3", 443, 25,
    "", "10.0.0.1", 22, 5,
]"#;

#[test]
fn where_project_extend() {
    let t = run(&format!("{FLOWS} | where Port == 443 | extend KB = Bytes / 10 | project Src, KB"));
    assert_eq!(t, expect(&["Src:string", "KB:long"], &[&["10.0.0.1", "10"], &["10.0.0.2", "2"]]));
}

#[test]
fn summarize_count_and_sum() {
    let t = run(&format!("{FLOWS} | summarize count(), Total = sum(Bytes) by Port")).sorted();
    assert_eq!(
        t,
        expect(
            &["Port:long", "count_:long", "Total:long"],
            &[&["22", "1", "5"], &["443", "2", "125"], &["80", "1", "50"]]
        )
    );
}

#[test]
fn summarize_without_rows_or_keys() {
    // One row even for no input: count() and sum() are 0 (summarize page,
    // "Default values of aggregations").
    let t = run(&format!("{FLOWS} | where Port == 1 | summarize n = count(), s = sum(Bytes)"));
    assert_eq!(t, expect(&["n:long", "s:long"], &[&["0", "0"]]));
}

#[test]
fn distinct_keeps_first_occurrences() {
    let t = run(&format!("{FLOWS} | distinct Src"));
    assert_eq!(t, expect(&["Src:string"], &[&["10.0.0.1"], &["10.0.0.2"], &[""]]));
}

#[test]
fn top_and_sort() {
    let t = run(&format!("{FLOWS} | top 2 by Bytes | project Bytes"));
    assert_eq!(t, expect(&["Bytes:long"], &[&["100"], &["50"]]));
    let t = run(&format!("{FLOWS} | sort by Port asc, Bytes desc | project Port, Bytes"));
    assert_eq!(
        t,
        expect(&["Port:long", "Bytes:long"], &[&["22", "5"], &["80", "50"], &["443", "100"], &["443", "25"]])
    );
}

#[test]
fn take_and_count() {
    assert_eq!(run(&format!("{FLOWS} | take 3 | count")), expect(&["Count:long"], &[&["3"]]));
    assert_eq!(run(&format!("{FLOWS} | count")), expect(&["Count:long"], &[&["4"]]));
}

#[test]
fn mv_expand_split() {
    let t = run(
        r#"datatable(Id:long, Ips:string)[1, "a|1 b|2", 2, ""] | extend E = split(Ips, " ") | mv-expand E | project Id, P = tostring(split(E, "|")[0])"#,
    );
    // split("", " ") is [""], so row 2 survives once with an empty part.
    assert_eq!(t, expect(&["Id:long", "P:string"], &[&["1", "a"], &["1", "b"], &["2", ""]]));
}

#[test]
fn coalesce_skips_empty_strings() {
    let t = run(r#"print a = coalesce("", "x"), b = coalesce(long(null), 5), c = iff(isnotempty(""), "y", "n")"#);
    assert_eq!(t, expect(&["a:string", "b:long", "c:string"], &[&["x", "5", "n"]]));
}

#[test]
fn joins_by_kind() {
    let left = r#"datatable(K:string, L:long)["a", 1, "a", 2, "b", 3, "", 4]"#;
    let right = r#"datatable(K:string, R:long)["a", 10, "a", 20, "", 40, "c", 30]"#;
    // innerunique: one left row per key ("a" keeps its first row), then all matches.
    let t = run(&format!("{left} | join ({right}) on K | project L, R")).sorted();
    assert_eq!(t, expect(&["L:long", "R:long"], &[&["1", "10"], &["1", "20"], &["4", "40"]]));
    // inner: every pair; "" matches "".
    let t = run(&format!("{left} | join kind=inner ({right}) on K | project L, R")).sorted();
    assert_eq!(
        t,
        expect(&["L:long", "R:long"], &[&["1", "10"], &["1", "20"], &["2", "10"], &["2", "20"], &["4", "40"]])
    );
    // The right key is kept, renamed K1.
    let t = run(&format!("{left} | join kind=leftouter ({right}) on K | where L == 3"));
    assert_eq!(t, expect(&["K:string", "L:long", "K1:string", "R:long"], &[&["b", "3", "", "null"]]));
    let t = run(&format!("{left} | join kind=leftanti ({right}) on K"));
    assert_eq!(t, expect(&["K:string", "L:long"], &[&["b", "3"]]));
    let t = run(&format!("{left} | join kind=rightanti ({right}) on K"));
    assert_eq!(t, expect(&["K:string", "R:long"], &[&["c", "30"]]));
    let t = run(&format!("{left} | join kind=fullouter ({right}) on K | project L, R")).sorted();
    assert_eq!(
        t,
        expect(
            &["L:long", "R:long"],
            &[&["1", "10"], &["1", "20"], &["2", "10"], &["2", "20"], &["3", "null"], &["4", "40"], &["null", "30"]]
        )
    );
}

#[test]
fn lookup_keeps_every_matching_right_row() {
    let left = r#"datatable(Ip:string, N:long)["a", 1, "b", 2]"#;
    let right = r#"datatable(Addr:string, Info:string)["a", "x", "a", "y"]"#;
    let t = run(&format!("{left} | lookup kind=inner ({right}) on $left.Ip == $right.Addr")).sorted();
    assert_eq!(t, expect(&["Ip:string", "N:long", "Info:string"], &[&["a", "1", "x"], &["a", "1", "y"]]));
    let t = run(&format!("{left} | lookup ({right}) on $left.Ip == $right.Addr | where N == 2"));
    assert_eq!(t, expect(&["Ip:string", "N:long", "Info:string"], &[&["b", "2", ""]]));
}

#[test]
fn union_is_outer_by_default() {
    let t = run(r#"union (print a = 1, b = "x"), (print a = 2, c = 1.5)"#);
    assert_eq!(t, expect(&["a:long", "b:string", "c:real"], &[&["1", "x", "null"], &["2", "", "1.5"]]));
}

#[test]
fn between_is_inclusive() {
    let t = run(&format!("{FLOWS} | where Port between (80 .. 443) | count"));
    assert_eq!(t, expect(&["Count:long"], &[&["3"]]));
    let t = run(r#"print t = datetime(2025-06-01 01:00) | where t between (datetime(2025-06-01) .. 1h) | count"#);
    assert_eq!(t, expect(&["Count:long"], &[&["1"]]));
}

#[test]
fn string_operators_follow_case_rules() {
    let t = run(
        r#"datatable(s:string)["Unspecified", "nsg-prod", "NSG-Dev"] | where s !contains "unspecified" and s startswith "nsg" | project s"#,
    );
    assert_eq!(t, expect(&["s:string"], &[&["nsg-prod"], &["NSG-Dev"]]));
    let t = run(r#"datatable(s:string)["a", "A", "b"] | where s in ("a") | count"#);
    assert_eq!(t, expect(&["Count:long"], &[&["1"]]), "in is case-sensitive");
    let t = run(r#"datatable(s:string)["a", "A", "b"] | where s in~ ("a") | count"#);
    assert_eq!(t, expect(&["Count:long"], &[&["2"]]), "in~ is not");
}

#[test]
fn shared_lets_and_subqueries() {
    let t = run(&format!(
        "let F = {FLOWS}; let Busy = F | where Bytes > 40 | project Src; F | where Src in (Busy) | summarize n = count() by Src"
    ))
    .sorted();
    assert_eq!(t, expect(&["Src:string", "n:long"], &[&["10.0.0.1", "2"]]));
    let t = run(&format!("let F = {FLOWS}; print m = toscalar(F | summarize max(Bytes))"));
    assert_eq!(t, expect(&["m:long"], &[&["100"]]));
}

#[test]
fn datetime_arithmetic_and_bin() {
    let t = run(
        r#"print a = bin(datetime(2025-06-01 13:47:10), 1h), b = datetime(2025-06-02) - datetime(2025-06-01), c = ago(1h)"#,
    );
    assert_eq!(
        t,
        expect(
            &["a:datetime", "b:timespan", "c:datetime"],
            &[&["2025-06-01T13:00:00.0000000Z", "1.00:00:00", "2025-06-01T11:00:00.0000000Z"]]
        )
    );
}

/// 600,000 rows in batches of 1,000 (several windows of batches worked on
/// in parallel): K = i² mod 1,000,003 (a prime, so i and p - i meet: rows
/// from 500,002 on repeat earlier ones), S = K % 3 as text and I = i; with
/// K and S as vectors, for working out expected results with plain loops.
fn squares() -> (kql_plan::Catalog, kql_exec::MemTables, Vec<i64>, Vec<String>) {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use kql_plan::{Catalog, TableDef, TableOrigin};
    use std::sync::Arc;
    let k: Vec<i64> = (0..600_000i64).map(|i| (i * i) % 1_000_003).collect();
    let s: Vec<String> = k.iter().map(|k| (k % 3).to_string()).collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("K", DataType::Int64, true),
        Field::new("S", DataType::Utf8, true),
        Field::new("I", DataType::Int64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(k.clone())),
        Arc::new(StringArray::from(s.clone())),
        Arc::new(Int64Array::from_iter_values(0..600_000)),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut tables = kql_exec::MemTables::new();
    tables.insert("T", vec![batch]);
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &schema, TableOrigin::Files(vec![])).0);
    (catalog, tables.rebatched(1_000), k, s)
}

#[test]
fn distinct_keeps_first_occurrences_across_batches_and_windows() {
    use kql_plan::Params;
    let (catalog, tables, k, s) = squares();
    let mut seen = std::collections::HashSet::new();
    let expected: Vec<Vec<String>> =
        (0..k.len()).filter(|&i| seen.insert(k[i])).map(|i| vec![k[i].to_string(), s[i].clone()]).collect();
    assert_eq!(expected.len(), 500_002);
    let t = common::run_with("T | distinct K, S", &catalog, &tables, &Params::default()).unwrap();
    assert_eq!(t.rows, expected);
    // Every row again: the second half adds nothing.
    let t = common::run_with("T | union T | distinct S", &catalog, &tables, &Params::default()).unwrap();
    assert_eq!(t.rows, [["0"], ["1"], ["2"]].map(|r| r.map(String::from).to_vec()));
}

#[test]
fn summarize_streams_many_groups_with_their_aggregates_alongside() {
    // 500,002 groups, output in many batches: each key with its own count
    // and sum, in the order of first appearance (worked out with a map).
    use kql_plan::Params;
    let (catalog, tables, k, s) = squares();
    let mut order: Vec<usize> = Vec::new();
    let mut counts: std::collections::HashMap<i64, (usize, i64)> = std::collections::HashMap::new();
    for (i, key) in k.iter().enumerate() {
        let e = counts.entry(*key).or_insert_with(|| {
            order.push(i);
            (0, 0)
        });
        e.0 += 1;
        e.1 += i as i64;
    }
    let expected: Vec<Vec<String>> = order
        .iter()
        .map(|&i| {
            let (n, sum) = counts[&k[i]];
            vec![s[i].clone(), k[i].to_string(), n.to_string(), sum.to_string()]
        })
        .collect();
    let q = "T | summarize n = count(), total = sum(I) by S, K";
    let t = common::run_with(q, &catalog, &tables, &Params::default()).unwrap();
    assert_eq!(t.rows.len(), 500_002);
    assert_eq!(t.rows, expected);
}

/// Row-wise operators over a join's batches run several batches at once on
/// every core (`pipeline::over_stream`): the rows come out in the order of
/// the lookup's left side, as the same operators over the scan alone give
/// them — 50,000 rows in 50 batches.
#[test]
fn rowwise_operators_over_a_join_keep_its_order() {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use kql_exec::MemTables;
    use kql_plan::{Catalog, Params, TableDef, TableOrigin};
    use std::sync::Arc;
    let schema =
        Arc::new(Schema::new(vec![Field::new("g", DataType::Utf8, true), Field::new("i", DataType::Int64, true)]));
    let mut rng = common::Lcg(11);
    let batches: Vec<RecordBatch> = (0..50)
        .map(|b| {
            let g: Vec<&str> = (0..1000).map(|_| ["a", "b", "c", "d"][rng.next(4) as usize]).collect();
            let i: Vec<i64> = (0..1000).map(|k| b * 1000 + k).collect();
            let columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(g)), Arc::new(Int64Array::from(i))];
            RecordBatch::try_new(schema.clone(), columns).unwrap()
        })
        .collect();
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &schema, TableOrigin::Files(vec!["memory".into()])).0);
    let mut tables = MemTables::new();
    tables.insert("T", batches);
    let p = Params::default();
    let joined = common::run_with(
        "T | lookup kind=inner (datatable(g:string, w:long)['a', 1, 'b', 2, 'c', 3]) on g \
         | extend k = strcat(g, ':', i * w) | where i % 7 != 0 | project k",
        &catalog,
        &tables,
        &p,
    )
    .unwrap();
    let direct = common::run_with(
        "T | where g in ('a', 'b', 'c') | extend w = case(g == 'a', 1, g == 'b', 2, 3) \
         | extend k = strcat(g, ':', i * w) | where i % 7 != 0 | project k",
        &catalog,
        &tables,
        &p,
    )
    .unwrap();
    // Three keys of four, less every seventh row: ~32,000 rows.
    assert!(joined.rows.len() > 30_000, "{}", joined.rows.len());
    assert_eq!(joined, direct);
}
