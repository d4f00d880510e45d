//! Kusto rules the golden tests found broken, pinned next to their fixes.

use crate::common;
use common::{expect, run};

#[test]
fn extend_items_see_earlier_items() {
    // `extend` binds each item after the ones before it (docs/language.md).
    let t = run("datatable(a:long)[1, 2] | extend b = a * 2, c = b + 1, d = c * b");
    assert_eq!(t, expect(&["a:long", "b:long", "c:long", "d:long"], &[&["1", "2", "3", "6"], &["2", "4", "5", "20"]]));
}

#[test]
fn not_equal_to_a_value_keeps_null_rows() {
    // learn.microsoft.com/kusto/query/scalar-data-types/null-values: `where ival != 5`
    // keeps the null row; `==` with one null side is false, with two null sides null.
    let t = run(r#"datatable(ival:int, sval:string)[5, "a", int(null), "b"] | where ival != 5"#);
    assert_eq!(t, expect(&["ival:int", "sval:string"], &[&["null", "b"]]));
    let t = run("datatable(v:long)[5, long(null)] | extend e = v == long(null), n = v != long(null), x = v == 5");
    assert_eq!(
        t,
        expect(
            &["v:long", "e:bool", "n:bool", "x:bool"],
            &[&["5", "false", "true", "true"], &["null", "null", "null", "false"]]
        )
    );
}

#[test]
fn in_with_a_null_value() {
    // `in` is an `or` of `==`, `!in` an `and` of `!=` (null-values page).
    let t = run("datatable(v:long)[1, long(null)] | extend i = v in (1, 2), n = v !in (1, 2)");
    assert_eq!(t, expect(&["v:long", "i:bool", "n:bool"], &[&["1", "true", "false"], &["null", "false", "true"]]));
    let t =
        run("let S = datatable(k:long)[1, 2]; datatable(v:long)[1, long(null)] | extend i = v in (S), n = v !in (S)");
    assert_eq!(t, expect(&["v:long", "i:bool", "n:bool"], &[&["1", "true", "false"], &["null", "false", "true"]]));
}

#[test]
fn aggregate_defaults_over_no_rows() {
    // Summarize page, "Default values of aggregations" and its example: sum is 0,
    // avg is NaN, min/max/take_any are null, lists are [].
    let t = run("datatable(x:long)[] | summarize sum(x), sumif(x, x > 0), avg(x), max(x), make_list(x)");
    assert_eq!(
        t,
        expect(
            &["sum_x:long", "sumif_x:long", "avg_x:real", "max_x:long", "list_x:dynamic"],
            &[&["0", "0", "NaN", "null", "[]"]]
        )
    );
    let t = run("datatable(d:timespan, r:real)[] | summarize sum(d), sum(r)");
    assert_eq!(t, expect(&["sum_d:timespan", "sum_r:real"], &[&["00:00:00", "0"]]));
}

#[test]
fn arg_min_of_an_all_null_group_picks_a_row() {
    // arg-min page, "Null handling": one row of an all-null group is picked.
    let t = run(r#"datatable(k:string, v:long, s:string)["a", long(null), "x", "b", 2, "y", "b", long(null), "z"]
        | summarize arg_min(v, s) by k"#)
    .sorted();
    assert_eq!(t, expect(&["k:string", "v:long", "s:string"], &[&["a", "null", "x"], &["b", "2", "y"]]));
}

#[test]
fn take_any_of_one_column_prefers_a_value() {
    // take-any page, "Remarks": a single column returns a non-null, non-empty value if there is one.
    let t = run(r#"datatable(k:string, s:string, n:long)["a", "", long(null), "a", "v", 1, "b", "", long(null)]
        | summarize take_any(s), take_any(n) by k"#)
    .sorted();
    assert_eq!(t, expect(&["k:string", "s:string", "n:long"], &[&["a", "v", "1"], &["b", "", "null"]]));
}

#[test]
fn a_column_of_an_unexpected_type_is_an_error_not_a_panic() {
    // `extend a = tostring(a), b = strlen(a)`: the binder types the second `a` as the
    // new string column, but the plan evaluates it against the input's long column.
    // Until the plan separates the two, the executor must fail cleanly; once it does,
    // `b` is the length of the new `a`.
    let q = "datatable(a:long)[10] | extend a = tostring(a), b = strlen(a)";
    let r = common::run_with(q, &kql_plan::Catalog::new(), &kql_exec::MemTables::new(), &kql_plan::Params::default());
    match r {
        Ok(t) => assert_eq!(t, expect(&["a:string", "b:long"], &[&["10", "2"]])),
        Err(e) => assert!(e.contains("expected string"), "{e}"),
    }
}
