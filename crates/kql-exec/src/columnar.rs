//! A column of values or one constant: expressions keep literals scalar and
//! only broadcast them when a kernel needs an array.

use crate::physical::{scalar_array, value_at};
use arrow_array::{Array, ArrayRef, Datum, Scalar};
use kql_syntax::ScalarType;
use kql_types::Value;

#[derive(Clone, Debug)]
pub enum Col {
    Array(ArrayRef),
    Scalar(Value),
}

impl Col {
    /// The values as an array of `len` rows.
    pub fn to_array(&self, len: usize) -> ArrayRef {
        match self {
            Col::Array(a) => a.clone(),
            Col::Scalar(v) => scalar_array(v, len),
        }
    }

    pub fn as_scalar(&self) -> Option<&Value> {
        match self {
            Col::Scalar(v) => Some(v),
            Col::Array(_) => None,
        }
    }

    /// An Arrow datum: arrays as they are, constants as one-row scalars.
    pub fn datum(&self) -> Box<dyn Datum + '_> {
        match self {
            Col::Array(a) => Box::new(a.clone()),
            Col::Scalar(v) => Box::new(Scalar::new(scalar_array(v, 1))),
        }
    }
}

/// Runs an array kernel over columns; if every input was a constant the
/// result is folded back into a constant.
pub fn with_arrays(
    cols: &[&Col],
    len: usize,
    ty: ScalarType,
    f: impl FnOnce(&[ArrayRef]) -> crate::error::Result<ArrayRef>,
) -> crate::error::Result<Col> {
    let all_scalar = cols.iter().all(|c| matches!(c, Col::Scalar(_)));
    let n = if all_scalar { 1 } else { len };
    let arrays: Vec<ArrayRef> = cols.iter().map(|c| c.to_array(n)).collect();
    let out = f(&arrays)?;
    if all_scalar && out.len() == 1 && ty != ScalarType::Dynamic {
        Ok(Col::Scalar(value_at(&out, 0, ty)))
    } else if all_scalar && len != 1 && out.len() == 1 {
        // Dynamic constants keep their encoding: broadcast by taking row 0.
        let idx = arrow_array::UInt32Array::from(vec![0u32; len]);
        Ok(Col::Array(arrow_select::take::take(&out, &idx, None)?))
    } else {
        Ok(Col::Array(out))
    }
}

/// Runs a two-operand Arrow kernel on datums, so constants stay one-row
/// scalars (no broadcasting); two constants fold to a constant.
pub fn with_datums(
    l: &Col,
    r: &Col,
    ty: ScalarType,
    f: impl FnOnce(&dyn Datum, &dyn Datum) -> crate::error::Result<ArrayRef>,
) -> crate::error::Result<Col> {
    let (ld, rd) = (l.datum(), r.datum());
    let out = f(&*ld, &*rd)?;
    match (l, r) {
        (Col::Scalar(_), Col::Scalar(_)) if ty != ScalarType::Dynamic => Ok(Col::Scalar(value_at(&out, 0, ty))),
        _ => Ok(Col::Array(out)),
    }
}
