//! `==`, `!=`, `<`, `<=`, `>`, `>=` with Kusto's operand widening.
//!
//! Nulls (learn.microsoft.com/kusto/query/scalar-data-types/null-values):
//! `==` between a null and a non-null value is false and `!=` is true; both
//! give null when both sides are null; the ordering operators give null when
//! either side is null.

use super::convert::to_scalar_type;
use crate::columnar::{Col, with_datums};
use crate::error::Result;
use arrow_array::{Array, ArrayRef, BooleanArray, Datum};
use arrow_buffer::NullBuffer;
use kql_syntax::ScalarType;
use kql_syntax::ast::BinaryOp;
use std::sync::Arc;

/// The type both operands are converted to before comparing.
pub fn comparison_type(lt: ScalarType, rt: ScalarType) -> ScalarType {
    use ScalarType as S;
    match (lt, rt) {
        _ if lt == rt => lt,
        (S::Dynamic, t) | (t, S::Dynamic) => t,
        (S::Guid, S::String) | (S::String, S::Guid) => S::String,
        (S::Real, _) | (_, S::Real) => S::Real,
        (S::Decimal, _) | (_, S::Decimal) => S::Decimal,
        (S::Bool, t) | (t, S::Bool) if t.is_numeric() => S::Long,
        _ => S::Long,
    }
}

/// `v` with null where both operands are null (`distinct` kernels never
/// return null; Kusto's `==`/`!=` do when both sides are null).
fn null_if_both_null(v: BooleanArray, x: &dyn Datum, y: &dyn Datum) -> BooleanArray {
    let ((xa, xs), (ya, ys)) = (x.get(), y.get());
    if xa.null_count() == 0 || ya.null_count() == 0 {
        return v;
    }
    let null_at = |a: &dyn Array, scalar: bool, i: usize| a.is_null(if scalar { 0 } else { i });
    let valid: NullBuffer = (0..v.len()).map(|i| !(null_at(xa, xs, i) && null_at(ya, ys, i))).collect();
    let (values, _) = v.into_parts();
    BooleanArray::new(values, Some(valid))
}

pub fn compare(op: BinaryOp, l: &Col, lt: ScalarType, r: &Col, rt: ScalarType, len: usize) -> Result<Col> {
    let ct = comparison_type(lt, rt);
    let (ct, l, r) = if ct == ScalarType::Dynamic {
        // Two dynamic values compare by their JSON text, property bags'
        // keys sorted: bags with the same slots in another order are equal.
        let canonical = |c: &Col| Col::Array(crate::dynamic::canonical_array(&c.to_array(len)));
        (ScalarType::String, canonical(l), canonical(r))
    } else {
        (ct, to_scalar_type(l, lt, ct, len)?, to_scalar_type(r, rt, ct, len)?)
    };
    let _ = ct;
    with_datums(&l, &r, ScalarType::Bool, |x, y| {
        let out = match op {
            BinaryOp::Eq => null_if_both_null(arrow_ord::cmp::not_distinct(x, y)?, x, y),
            BinaryOp::NotEq => null_if_both_null(arrow_ord::cmp::distinct(x, y)?, x, y),
            BinaryOp::Lt => arrow_ord::cmp::lt(x, y)?,
            BinaryOp::Le => arrow_ord::cmp::lt_eq(x, y)?,
            BinaryOp::Gt => arrow_ord::cmp::gt(x, y)?,
            _ => arrow_ord::cmp::gt_eq(x, y)?,
        };
        Ok(Arc::new(out) as ArrayRef)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Int64Array;
    use arrow_array::cast::AsArray;
    use kql_types::Value;

    fn run(op: BinaryOp, l: &Col, r: &Col) -> Vec<Option<bool>> {
        let c = compare(op, l, ScalarType::Long, r, ScalarType::Long, 2).unwrap();
        c.to_array(2).as_boolean().iter().collect()
    }

    #[test]
    fn equality_with_nulls() {
        // The null-values page: `val == int(null)` is false for 5 and null for null;
        // `val != int(null)` is true for 5 and null for null.
        let val = Col::Array(Arc::new(Int64Array::from(vec![Some(5), None])));
        let null = Col::Scalar(Value::Long(None));
        assert_eq!(run(BinaryOp::Eq, &val, &null), [Some(false), None]);
        assert_eq!(run(BinaryOp::NotEq, &val, &null), [Some(true), None]);
        // `ival != 5` is true for a null ival, so `where` keeps that row.
        let five = Col::Scalar(Value::Long(Some(5)));
        assert_eq!(run(BinaryOp::NotEq, &val, &five), [Some(false), Some(true)]);
        assert_eq!(run(BinaryOp::Eq, &val, &five), [Some(true), Some(false)]);
        // Ordering comparisons stay null.
        assert_eq!(run(BinaryOp::Gt, &val, &Col::Scalar(Value::Long(Some(3)))), [Some(true), None]);
        // Two arrays: null only where both sides are null.
        let other = Col::Array(Arc::new(Int64Array::from(vec![None, None])));
        assert_eq!(run(BinaryOp::Eq, &val, &other), [Some(false), None]);
    }
}
