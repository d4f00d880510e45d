//! `==`, `!=`, `<`, `<=`, `>`, `>=` with Kusto's operand widening.

use super::convert::to_scalar_type;
use crate::columnar::{Col, with_datums};
use crate::error::Result;
use arrow_array::ArrayRef;
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

pub fn compare(op: BinaryOp, l: &Col, lt: ScalarType, r: &Col, rt: ScalarType, len: usize) -> Result<Col> {
    let ct = comparison_type(lt, rt);
    let (ct, l, r) = if ct == ScalarType::Dynamic {
        // Two dynamic values compare by their text.
        (
            ScalarType::String,
            to_scalar_type(l, lt, ScalarType::String, len)?,
            to_scalar_type(r, rt, ScalarType::String, len)?,
        )
    } else {
        (ct, to_scalar_type(l, lt, ct, len)?, to_scalar_type(r, rt, ct, len)?)
    };
    let _ = ct;
    with_datums(&l, &r, ScalarType::Bool, |x, y| {
        let out = match op {
            BinaryOp::Eq => arrow_ord::cmp::eq(x, y)?,
            BinaryOp::NotEq => arrow_ord::cmp::neq(x, y)?,
            BinaryOp::Lt => arrow_ord::cmp::lt(x, y)?,
            BinaryOp::Le => arrow_ord::cmp::lt_eq(x, y)?,
            BinaryOp::Gt => arrow_ord::cmp::gt(x, y)?,
            _ => arrow_ord::cmp::gt_eq(x, y)?,
        };
        Ok(Arc::new(out) as ArrayRef)
    })
}
