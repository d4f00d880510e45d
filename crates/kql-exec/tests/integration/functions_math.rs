//! Math functions against the examples of the Kusto documentation
//! (learn.microsoft.com/kusto/query/<name>-function; cited per test), plus
//! nulls and edge values.

use crate::common;
use common::{expect, run};

#[test]
fn abs() {
    // abs-function.md: abs(-5) is 5.
    let t =
        run("print a = abs(-5), b = abs(-2.5), c = abs(-1h), d = abs(long(null)), e = abs(-9223372036854775807 - 1)");
    assert_eq!(
        t,
        expect(&["a:long", "b:real", "c:timespan", "d:long", "e:long"], &[&["5", "2.5", "01:00:00", "null", "null"]])
    );
    let t = run("datatable(X:long, D:decimal)[-3, decimal(-1.5), 4, decimal(null)] | project a = abs(X), d = abs(D)");
    assert_eq!(t, expect(&["a:long", "d:decimal"], &[&["3", "1.5"], &["4", "null"]]));
}

#[test]
fn round() {
    // round-function.md.
    let t = run(
        "print a = round(2.98765, 3), b = round(2.15, 1), c = round(2.15), d = round(-50.55, -2), e = round(21.5, -1)",
    );
    assert_eq!(t, expect(&["a:real", "b:real", "c:real", "d:real", "e:real"], &[&["2.988", "2.2", "2", "-100", "20"]]));
    // Halves away from zero; integers keep their type; null stays null.
    let t = run(
        "print a = round(2.5), b = round(-2.5), c = round(1250, -2), d = round(-1250, -2), e = round(1249, -2), f = round(real(null), 1), g = round(7, 2)",
    );
    assert_eq!(
        t,
        expect(
            &["a:real", "b:real", "c:long", "d:long", "e:long", "f:real", "g:long"],
            &[&["3", "-3", "1300", "-1300", "1200", "null", "7"]]
        )
    );
    let t = run("print a = round(decimal(2.155), 2), b = round(1.5, -400), c = round(123, -40), d = round(1.25, 400)");
    assert_eq!(t, expect(&["a:decimal", "b:real", "c:long", "d:real"], &[&["2.16", "0", "0", "1.25"]]));
}

#[test]
fn ceiling() {
    // ceiling-function.md.
    let t = run("print c1 = ceiling(-1.1), c2 = ceiling(0), c3 = ceiling(0.9)");
    assert_eq!(t, expect(&["c1:real", "c2:long", "c3:real"], &[&["-1", "0", "1"]]));
    let t =
        run("print a = ceiling(real(null)), b = ceiling(decimal(1.01)), c = ceiling(decimal(-1.5)), d = ceiling(7)");
    assert_eq!(t, expect(&["a:real", "b:decimal", "c:decimal", "d:long"], &[&["null", "2", "-1", "7"]]));
}

#[test]
fn sqrt_pow_exp() {
    // sqrt-function.md: null for a negative argument; pow-function.md: pow(2, 3) = 8;
    // exp-function.md: exp(2) = 7.389056… (the page shows 7.389056).
    let t = run(
        "print a = sqrt(16), b = sqrt(-1), c = sqrt(real(null)), d = pow(2, 3), e = exp(2), f = exp(0), g = pow(2, -1)",
    );
    assert_eq!(
        t,
        expect(
            &["a:real", "b:real", "c:real", "d:real", "e:real", "f:real", "g:real"],
            &[&["4", "null", "null", "8", "7.38905609893065", "1", "0.5"]]
        )
    );
    let t = run("datatable(B:long, E:real)[2, 10.0, 3, real(null), 4, 0.5] | project p = pow(B, E)");
    assert_eq!(t, expect(&["p:real"], &[&["1024"], &["null"], &["2"]]));
}

#[test]
fn logarithms() {
    // log-function.md: log(5) = 1.6094379124341003; log10-function.md: log10(5) =
    // 0.69897000433601886 (the same double, printed with 17 digits). Both are
    // null for negative arguments.
    let t = run(
        "print a = log(5), b = log10(5), c = log(-1), d = log10(-1), e = log10(1000), f = log(0), g = log(real(null))",
    );
    assert_eq!(
        t,
        expect(
            &["a:real", "b:real", "c:real", "d:real", "e:real", "f:real", "g:real"],
            &[&["1.6094379124341003", "0.6989700043360189", "null", "null", "3", "-Infinity", "null"]]
        )
    );
}

#[test]
fn isnan() {
    // isnan-function.md: x / -x for x in -1, 0, 1.
    let t = run(
        "datatable(x:long)[-1, 0, 1] | extend y = (-1 * x) | extend div = 1.0 * x / y | extend isnan = isnan(div) | project isnan",
    );
    assert_eq!(t, expect(&["isnan:bool"], &[&["false"], &["true"], &["false"]]));
    let t = run("print a = isnan(real(null)), b = isnan(1), c = isnan(0.0 / 0.0)");
    assert_eq!(t, expect(&["a:bool", "b:bool", "c:bool"], &[&["false", "false", "true"]]));
}

#[test]
fn min_of_and_max_of() {
    // min-of-function.md and max-of-function.md.
    let t = run("print mn = min_of(10, 1, -3, 17), mx = max_of(10, 1, -3, 17)");
    assert_eq!(t, expect(&["mn:long", "mx:long"], &[&["-3", "17"]]));
    let t = run(
        "datatable (A: int, B: int)[5, 2, 10, 1, int(null), 3, 1, int(null), int(null), int(null)] | project m = min_of(A, B)",
    );
    assert_eq!(t, expect(&["m:int"], &[&["2"], &["1"], &["3"], &["1"], &["null"]]));
    let t = run(
        "datatable (A: int, B: int)[1, 6, 8, 1, int(null), 2, 1, int(null), int(null), int(null)] | project m = max_of(A, B)",
    );
    assert_eq!(t, expect(&["m:int"], &[&["6"], &["8"], &["2"], &["1"], &["null"]]));
    let t = run("datatable (A: datetime, B: datetime)[
            datetime(2024-12-15 07:15:22), datetime(2024-12-15 07:15:24),
            datetime(2024-12-15 08:00:00), datetime(2024-12-15 09:30:00),
            datetime(2024-12-15 10:45:00), datetime(2024-12-14 10:45:00)]
        | project maxDate = max_of(A, B)");
    assert_eq!(
        t,
        expect(
            &["maxDate:datetime"],
            &[&["2024-12-15T07:15:24.0000000Z"], &["2024-12-15T09:30:00.0000000Z"], &["2024-12-15T10:45:00.0000000Z"]]
        )
    );
    // Mixed numbers take the common type; strings compare ordinally.
    let t = run(r#"print a = max_of(1, 2.5, long(null)), b = min_of("b", "a", "c"), c = max_of("", "a")"#);
    assert_eq!(t, expect(&["a:real", "b:string", "c:string"], &[&["2.5", "a", "a"]]));
}
