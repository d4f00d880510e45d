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

/// tdigest/tdigest_merge/percentile_tdigest against percentile: ntaq's
/// digests are exact, so merging partial digests of any split of the rows
/// gives the digest of all of them, and a percentile read from it is the
/// `percentile` of the rows (the invariant docs/language.md states;
/// Kusto's T-Digest only approximates it). Read as the column's type: a
/// dynamic datetime prints otherwise (7 fraction digits).
#[test]
fn merged_digests_give_what_percentile_gives() {
    let mut rng = Lcg(29);
    let kinds: [(&str, Literal); 4] = [
        ("long", |v| format!("{}", v as i64 - 7)),
        ("real", |v| format!("{}.{}", v, v * 37 % 100)),
        ("datetime", |v| format!("datetime(2025-06-01 00:{:02}:{:02})", v / 60, v % 60)),
        ("timespan", |v| format!("{v}ms")),
    ];
    for round in 0..16 {
        let (ty, value) = kinds[round % kinds.len()];
        let n = 1 + rng.next(60) as usize;
        let parts = 1 + rng.next(6);
        let distinct = 1 + rng.next(40);
        let t = table(&mut rng, n, parts, distinct, ty, value);
        let p = rng.next(101);
        let query = format!(
            "let T = {t};
             let whole = toscalar(T | summarize tostring(tdigest(v)));
             T
             | summarize d = tdigest(v) by p
             | summarize m = tdigest_merge(d)
             | project merged = tostring(percentile_tdigest(m, {p}, typeof({ty}))),
                 exact = tostring(toscalar(T | summarize percentile(v, {p}))),
                 same_digest = tostring(m) == whole"
        );
        let got = run(&query);
        let row = &got.rows[0];
        // No value in the table (all null): both are null.
        assert_eq!(row[0], row[1], "percentile_tdigest(tdigest_merge) vs percentile: {query}");
        assert_eq!(row[2], "true", "merging partial digests gives the whole's digest: {query}");
    }
}

/// A row of weight w counts as w rows: `tdigest(v, w)` gives the
/// percentiles of the table with each row repeated w times.
#[test]
fn weights_count_rows() {
    let mut rng = Lcg(31);
    for _ in 0..8 {
        let n = 1 + rng.next(20);
        let rows: Vec<String> = (0..n).map(|_| format!("{}, {}", rng.next(50), rng.next(4))).collect();
        let t = format!("datatable(v:long, w:long)[{}]", rows.join(", "));
        let p = rng.next(101);
        let query = format!(
            "let T = {t};
             let repeated = T | extend one = 1 | join kind=inner (range i from 1 to 3 step 1 | extend one = 1) on one
                 | where i <= w;
             print weighted = tostring(percentile_tdigest(toscalar(T | summarize tdigest(v, w)), {p})),
                 repeated = tostring(toscalar(repeated | summarize percentile(v, {p})))"
        );
        let got = run(&query);
        assert_eq!(got.rows[0][0], got.rows[0][1], "{query}");
    }
}
