//! hll/hll_merge/dcount_hll against dcount: ntaq's sketches are exact, so
//! merging partial sketches of any split of the rows gives the same sketch
//! as one over all of them, and `dcount_hll` of it is `dcount` of the rows
//! (the invariant docs/language.md states; Kusto's HyperLogLog only
//! approximates it).

use crate::common::{Lcg, run};

/// A `datatable(p:long, v:<ty>)` of `n` random rows: `p` splits them into
/// `parts`, `v` takes `distinct` values (as `value` writes them) or null.
fn table(rng: &mut Lcg, n: usize, parts: u64, distinct: u64, ty: &str, value: impl Fn(u64) -> String) -> String {
    let rows: Vec<String> = (0..n)
        .map(|_| {
            let p = rng.next(parts);
            let v = rng.next(distinct + 1);
            // Strings are never null in Kusto: their "no value" is "".
            let v = match (v == distinct, ty) {
                (true, "string") => "\"\"".to_string(),
                (true, _) => format!("{ty}(null)"),
                (false, _) => value(v),
            };
            format!("{p}, {v}")
        })
        .collect();
    format!("datatable(p:long, v:{ty})[{}]", rows.join(", "))
}

/// Writes the literal of the `k`-th distinct value.
type Literal = fn(u64) -> String;

#[test]
fn merged_sketches_count_what_dcount_counts() {
    let mut rng = Lcg(17);
    let kinds: [(&str, Literal); 3] = [
        ("long", |v| v.to_string()),
        ("string", |v| format!("\"s{v}\"")),
        ("datetime", |v| format!("datetime(2025-06-01 00:00:{v:02})")),
    ];
    for round in 0..12 {
        let (ty, value) = kinds[round % kinds.len()];
        let n = 1 + rng.next(60) as usize;
        let parts = 1 + rng.next(6);
        let distinct = 1 + rng.next(25);
        let t = table(&mut rng, n, parts, distinct, ty, value);
        let query = format!(
            "let T = {t};
             let whole = toscalar(T | summarize tostring(hll(v)));
             T
             | summarize h = hll(v), hi = hll_if(v, p % 2 == 0) by p
             | summarize m = hll_merge(h), mi = hll_merge(hi)
             | project merged = dcount_hll(m), exact = toscalar(T | summarize dcount(v)),
                 merged_if = dcount_hll(mi), exact_if = toscalar(T | summarize dcountif(v, p % 2 == 0)),
                 same_sketch = tostring(m) == whole"
        );
        let got = run(&query);
        let row = &got.rows[0];
        assert_eq!(row[0], row[1], "dcount_hll(hll_merge) vs dcount: {query}");
        assert_eq!(row[2], row[3], "hll_if vs dcountif: {query}");
        assert_eq!(row[4], "true", "merging partial sketches gives the whole's sketch: {query}");
    }
}
