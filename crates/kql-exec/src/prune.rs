//! Skipping parts of a scan that a filter rules out, by the smallest and
//! largest value the file's statistics give for the part's rows.
//!
//! Only simple range tests on datetime, long and int columns are read:
//! `C between (a .. b)`, `C >= a`, `C > a`, `C <= b`, `C < b`, `C == a`
//! (either way round), with constant bounds of the column's own kind
//! (datetime bounds for a datetime column). Anything else never rules a
//! part out. A part is skipped only if no value in [min, max] can pass, so
//! nulls (which pass none of these tests) do not matter.
//!
//! Inside the Parquet reader, the same tests are evaluated on the column as
//! the file holds it ([`RangeTest`]): a timestamp in microseconds is
//! compared with the bounds in microseconds, without converting each value
//! to the executor's nanoseconds first.

use crate::eval::{EvalCx, Subqueries, eval};
use crate::physical::value_at;
use crate::source::{ScanPredicate, Test};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions};
use arrow_buffer::{BooleanBuffer, ScalarBuffer};
use arrow_schema::{DataType, Schema, TimeUnit};
use kql_plan::plan::{Expr, ExprKind};
use kql_syntax::ScalarType;
use kql_syntax::ast::BinaryOp;
use kql_types::Value;
use std::sync::Arc;

/// The values a predicate lets through, on one column: between `low` and
/// `high`, each inclusive unless strict.
#[derive(Debug, PartialEq)]
struct Range {
    column: String,
    low: Option<(i64, bool)>,
    high: Option<(i64, bool)>,
}

/// The smallest and largest value of a column (read as the given type) in
/// a part, as ordered integers; `None` if unknown.
pub type MinMax<'a> = &'a dyn Fn(&str, ScalarType) -> Option<(i64, i64)>;

impl ScanPredicate {
    /// True if no row can pass when the column the predicate tests holds
    /// only values in `min_max(column)` (as ordered integers: nanoseconds
    /// for datetimes).
    pub fn rules_out(&self, min_max: MinMax<'_>) -> bool {
        let Test::Expr(expr) = &self.test else { return false };
        let Some(range) = range(expr, &self.columns, self.now) else { return false };
        let Some(ty) = self.columns.iter().find(|(c, _)| *c == range.column).map(|(_, t)| *t) else { return false };
        let Some((min, max)) = min_max(&range.column, ty) else { return false };
        let below = range.low.is_some_and(|(low, strict)| if strict { max <= low } else { max < low });
        let above = range.high.is_some_and(|(high, strict)| if strict { min >= high } else { min > high });
        below || above
    }
}

/// A predicate's range test, ready to run on its column as read from a file.
pub struct RangeTest(Range);

impl ScanPredicate {
    /// The range test this predicate is, if it is one on a datetime or long
    /// column (worked out once; see [`RangeTest::mask`]).
    pub fn range_test(&self) -> Option<RangeTest> {
        let Test::Expr(expr) = &self.test else { return None };
        let r = range(expr, &self.columns, self.now)?;
        let ty = self.columns.iter().find(|(c, _)| *c == r.column).map(|(_, t)| *t)?;
        matches!(ty, ScalarType::DateTime | ScalarType::Long).then_some(RangeTest(r))
    }
}

impl RangeTest {
    /// Which rows of `raw` (the tested column as the file holds it) pass,
    /// for a timestamp column (any unit; read as datetime) or a 64-bit
    /// integer one; `None` for other types (evaluate the predicate as
    /// usual). Null rows, and timestamps too large for nanoseconds (null
    /// once converted), pass nothing.
    pub fn mask(&self, raw: &ArrayRef) -> Option<BooleanArray> {
        let (values, nanos_per_unit) = match raw.data_type() {
            DataType::Timestamp(unit, _) => {
                let scale = match unit {
                    TimeUnit::Second => 1_000_000_000,
                    TimeUnit::Millisecond => 1_000_000,
                    TimeUnit::Microsecond => 1_000,
                    TimeUnit::Nanosecond => 1,
                };
                (timestamp_values(raw)?, scale)
            }
            DataType::Int64 => (raw.as_primitive_opt::<Int64Type>()?.values().clone(), 1),
            _ => return None,
        };
        // v * scale >= low  <=>  v >= ceil(low / scale), and so on; the
        // values whose nanoseconds overflow are out of range too.
        let (mut lo, mut hi) = (i64::MIN.div_euclid(nanos_per_unit) + 1, i64::MAX.div_euclid(nanos_per_unit));
        if nanos_per_unit == 1 {
            (lo, hi) = (i64::MIN, i64::MAX);
        }
        let ceil = |x: i64| x.div_euclid(nanos_per_unit) + i64::from(x.rem_euclid(nanos_per_unit) != 0);
        let floor = |x: i64| x.div_euclid(nanos_per_unit);
        if let Some((low, strict)) = self.0.low {
            let first = if strict { floor(low).checked_add(1) } else { Some(ceil(low)) };
            match first {
                Some(f) => lo = lo.max(f),
                None => return Some(BooleanArray::new(BooleanBuffer::new_unset(raw.len()), None)),
            }
        }
        if let Some((high, strict)) = self.0.high {
            let last = if strict { ceil(high).checked_sub(1) } else { Some(floor(high)) };
            match last {
                Some(l) => hi = hi.min(l),
                None => return Some(BooleanArray::new(BooleanBuffer::new_unset(raw.len()), None)),
            }
        }
        let inside = BooleanBuffer::collect_bool(values.len(), |i| (lo..=hi).contains(&values[i]));
        let kept = match raw.nulls() {
            Some(valid) => &inside & valid.inner(),
            None => inside,
        };
        Some(BooleanArray::new(kept, None))
    }
}

/// The raw values of a timestamp array of any unit.
fn timestamp_values(raw: &ArrayRef) -> Option<ScalarBuffer<i64>> {
    use arrow_array::types::*;
    let DataType::Timestamp(unit, _) = raw.data_type() else { return None };
    Some(match unit {
        TimeUnit::Second => raw.as_primitive_opt::<TimestampSecondType>()?.values().clone(),
        TimeUnit::Millisecond => raw.as_primitive_opt::<TimestampMillisecondType>()?.values().clone(),
        TimeUnit::Microsecond => raw.as_primitive_opt::<TimestampMicrosecondType>()?.values().clone(),
        TimeUnit::Nanosecond => raw.as_primitive_opt::<TimestampNanosecondType>()?.values().clone(),
    })
}

/// The range test `e` is, if it is one.
fn range(e: &Expr, columns: &[(String, ScalarType)], now: i64) -> Option<Range> {
    let column_of = |x: &Expr| match &x.kind {
        ExprKind::Column(c) => columns.iter().find(|(n, _)| n == c).cloned(),
        _ => None,
    };
    match &e.kind {
        ExprKind::Between { negated: false, expr, low, high } => {
            let (column, ty) = column_of(expr)?;
            let low = key(&constant(low, now)?, ty)?;
            let high = key(&constant(high, now)?, ty)?;
            Some(Range { column, low: Some((low, false)), high: Some((high, false)) })
        }
        ExprKind::Binary { op, left, right } => {
            // `C op v`, or `v op C` turned round.
            let (column, ty, value, op) = match (column_of(left), column_of(right)) {
                (Some((c, t)), None) => (c, t, right, *op),
                (None, Some((c, t))) => (c, t, left, flip(*op)?),
                _ => return None,
            };
            let v = key(&constant(value, now)?, ty)?;
            let (low, high) = match op {
                BinaryOp::Ge => (Some((v, false)), None),
                BinaryOp::Gt => (Some((v, true)), None),
                BinaryOp::Le => (None, Some((v, false))),
                BinaryOp::Lt => (None, Some((v, true))),
                BinaryOp::Eq => (Some((v, false)), Some((v, false))),
                _ => return None,
            };
            Some(Range { column, low, high })
        }
        _ => None,
    }
}

/// `v op C` as `C op' v`.
fn flip(op: BinaryOp) -> Option<BinaryOp> {
    Some(match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        BinaryOp::Eq => BinaryOp::Eq,
        _ => return None,
    })
}

/// A bound as an ordered integer, if it is of the column's kind.
fn key(v: &Value, column: ScalarType) -> Option<i64> {
    match (column, v) {
        (ScalarType::DateTime, Value::DateTime(t)) => *t,
        (ScalarType::Long | ScalarType::Int, Value::Long(_) | Value::Int(_)) => v.as_i64(),
        _ => None,
    }
}

/// The value of an expression that reads no column and calls nothing
/// random, if it evaluates.
fn constant(e: &Expr, now: i64) -> Option<Value> {
    let mut names = std::collections::BTreeSet::new();
    kql_plan::optimize::referenced_columns(e, &mut names);
    if !names.is_empty() || !kql_plan::optimize::deterministic(e) || matches!(e.kind, ExprKind::ScalarQuery(_)) {
        return None;
    }
    let one = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )
    .ok()?;
    let subs = Subqueries::default();
    let ty = crate::eval::scalar_type(e).ok()?;
    match eval(e, &one, &EvalCx { now, subqueries: &subs }).ok()? {
        crate::columnar::Col::Scalar(v) => Some(v),
        crate::columnar::Col::Array(a) => Some(value_at(&a, 0, ty)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::{DataType, Field, TimeUnit};
    use kql_plan::plan::Node;
    use kql_plan::{Catalog, Params, TableDef, TableOrigin};

    /// The scan predicate of `T | where <predicate>` over T(N: long, D: datetime, S: string).
    fn predicate(text: &str) -> ScanPredicate {
        let schema = Schema::new(vec![
            Field::new("N", DataType::Int64, true),
            Field::new("D", DataType::Timestamp(TimeUnit::Nanosecond, None), true),
            Field::new("S", DataType::Utf8, true),
        ]);
        let mut catalog = Catalog::new();
        catalog.insert(TableDef::from_arrow("T", &schema, TableOrigin::Files(vec!["memory".into()])).0);
        let parsed = kql_syntax::parse(&format!("T | where {text}"));
        let bound = kql_plan::bind(&parsed.script, &catalog, &Params::default());
        assert!(!bound.has_errors(), "{text}: {:?}", bound.diagnostics);
        let Node::Filter { predicate, .. } = &bound.program.results[0].node else { panic!("{text}: not a filter") };
        let columns = vec![
            ("N".to_string(), ScalarType::Long),
            ("D".to_string(), ScalarType::DateTime),
            ("S".to_string(), ScalarType::String),
        ];
        ScanPredicate { test: Test::Expr(Arc::new(predicate.clone())), columns, deterministic: true, now: 0 }
    }

    /// Does `text` rule out a part whose N (and D, in nanoseconds) lie in [min, max]?
    fn rules_out(text: &str, min: i64, max: i64) -> bool {
        predicate(text).rules_out(&|_, _| Some((min, max)))
    }

    #[test]
    fn ranges_rule_out_parts_entirely_outside_them() {
        for (text, min, max, out) in [
            ("N between (10 .. 20)", 0, 9, true),
            ("N between (10 .. 20)", 0, 10, false),
            ("N between (10 .. 20)", 20, 30, false),
            ("N between (10 .. 20)", 21, 30, true),
            ("N > 9", 0, 9, true),
            ("N >= 9", 0, 9, false),
            ("N < 10", 10, 20, true),
            ("N <= 10", 10, 20, false),
            ("N == 5", 6, 9, true),
            ("N == 6", 6, 9, false),
            // The constant on the left.
            ("9 < N", 0, 9, true),
            ("9 <= N", 0, 9, false),
            ("5 == N", 6, 9, true),
            // Constant expressions are evaluated.
            ("N > 4 + 5", 0, 9, true),
        ] {
            assert_eq!(rules_out(text, min, max), out, "{text} over [{min}, {max}]");
        }
    }

    #[test]
    fn range_tests_on_raw_columns_agree_with_the_predicate() {
        // 2025-06-01T00:00:00Z in microseconds, and values around bounds
        // that fall between two microseconds (Kusto datetimes have 100 ns
        // ticks), nulls, and microseconds too large for nanoseconds.
        let t0 = 1_748_736_000_000_000i64;
        let mut micros: Vec<Option<i64>> = (-3..=3).map(|d| Some(t0 + d)).collect();
        micros.extend([None, Some(i64::MAX), Some(i64::MIN + 1), Some(t0 + 1_000_000)]);
        let raw: ArrayRef = Arc::new(arrow_array::TimestampMicrosecondArray::from(micros.clone()).with_timezone("UTC"));
        let longs: ArrayRef = Arc::new(arrow_array::Int64Array::from(micros));
        let at = "datetime(2025-06-01T00:00:00.0000017Z)";
        let before = "datetime(2025-05-31T23:59:59.9999983Z)";
        for text in [
            format!("D between ({before} .. {at})"),
            format!("D > {at}"),
            format!("D >= {at}"),
            format!("D < {before}"),
            format!("D <= {before}"),
            format!("D == {at}"),
            "D == datetime(2025-06-01T00:00:00.000002Z)".to_string(),
            "D > datetime(2025-06-01)".to_string(),
            "D between (datetime(2025-06-01) .. 1s + datetime(2025-06-01))".to_string(),
            "N between (-5 .. 1748736000000001)".to_string(),
            "N > 1748736000000001".to_string(),
            "N < 1748736000000001".to_string(),
        ] {
            let f = predicate(&text);
            let test = f.range_test().unwrap_or_else(|| panic!("{text}: a range test"));
            let (column, name, ty) =
                if text.starts_with('N') { (&longs, "N", ScalarType::Long) } else { (&raw, "D", ScalarType::DateTime) };
            let got = test.mask(column).unwrap();
            // The predicate as the executor evaluates it, on the column
            // converted to its encodings (nanoseconds; overflow is null).
            let normalized = crate::physical::normalize_column(column, ty).unwrap();
            let batch = RecordBatch::try_new(
                Arc::new(Schema::new(vec![Field::new(name, normalized.data_type().clone(), true)])),
                vec![normalized],
            )
            .unwrap();
            let expected = f.mask(&batch).unwrap();
            let expected: Vec<bool> = (0..expected.len()).map(|i| expected.is_valid(i) && expected.value(i)).collect();
            let got: Vec<bool> = (0..got.len()).map(|i| got.value(i)).collect();
            assert_eq!(got, expected, "{text}");
        }
        // Not a range test: evaluated as usual.
        assert!(predicate("D != datetime(2025-06-01)").range_test().is_none());
        assert!(predicate("S == 'x'").range_test().is_none());
    }

    #[test]
    fn datetime_bounds_are_nanoseconds() {
        let day = 86_400_000_000_000i64;
        let d = |days: i64| 1_748_736_000_000_000_000 + days * day; // 2025-06-01 + days
        let text = "D between (datetime(2025-06-02) .. datetime(2025-06-03))";
        assert!(rules_out(text, d(0), d(1) - 1));
        assert!(!rules_out(text, d(0), d(1)));
        assert!(!rules_out(text, d(2), d(3)));
        assert!(rules_out(text, d(2) + 1, d(3)));
        assert!(rules_out("D >= todatetime('2025-06-05')", d(0), d(4) - 1));
    }

    #[test]
    fn other_tests_never_rule_out() {
        for text in [
            "N !between (10 .. 20)",
            "N != 5",
            "N > 5 or N < 0",
            "S == 'x'",
            "N > N",
            // A bound of another kind: a real against a long column.
            "N > 1.5",
        ] {
            assert!(!rules_out(text, 0, 1), "{text}");
        }
    }
}
