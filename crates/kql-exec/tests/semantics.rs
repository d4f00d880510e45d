//! Kusto rules the golden tests found broken, pinned next to their fixes.

mod common;
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
