//! Sort keys as Arrow row bytes: comparing two rows' bytes orders them as
//! the keys, directions and null placements say, so rows of different
//! batches — and of different spilled runs — compare without their columns.

use crate::error::Result;
use crate::eval::{EvalCx, eval};
use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, UInt8Array};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::{DataType, SortOptions};
use kql_plan::plan::SortKey;
use std::sync::Arc;

/// Encodes the sort keys of batches; the key types are fixed by the first
/// batch (later ones are cast to them).
pub(super) struct SortKeys<'a> {
    keys: &'a [SortKey],
    cx: EvalCx<'a>,
    /// The converter and each key's type, once the first batch is seen.
    conv: Option<(RowConverter, Vec<DataType>)>,
}

impl<'a> SortKeys<'a> {
    pub(super) fn new(keys: &'a [SortKey], cx: EvalCx<'a>) -> Self {
        SortKeys { keys, cx, conv: None }
    }

    /// Each row's keys of `batch` as comparable bytes.
    pub(super) fn encode(&mut self, batch: &RecordBatch) -> Result<Rows> {
        let n = batch.num_rows();
        let values: Vec<ArrayRef> =
            self.keys.iter().map(|k| Ok(eval(&k.expr, batch, &self.cx)?.to_array(n))).collect::<Result<_>>()?;
        if self.conv.is_none() {
            let mut fields = Vec::new();
            for (k, v) in self.keys.iter().zip(&values) {
                let options = SortOptions { descending: k.descending, nulls_first: k.nulls_first };
                if v.data_type() == &DataType::Float64 {
                    fields.push(SortField::new(DataType::UInt8));
                }
                fields.push(SortField::new_with_options(v.data_type().clone(), options));
            }
            let types = values.iter().map(|v| v.data_type().clone()).collect();
            self.conv = Some((RowConverter::new(fields)?, types));
        }
        let Some((conv, types)) = &self.conv else { unreachable!("made above") };
        let mut columns = Vec::with_capacity(values.len() + 1);
        for ((k, v), ty) in self.keys.iter().zip(values).zip(types) {
            let v = if v.data_type() == ty { v } else { arrow_cast::cast(&v, ty)? };
            if ty == &DataType::Float64 {
                let (rank, values) = nan_with_nulls(v.as_primitive::<Float64Type>(), k.nulls_first);
                columns.push(rank);
                columns.push(values);
            } else {
                columns.push(v);
            }
        }
        Ok(conv.convert_columns(&columns)?)
    }
}

/// Kusto groups NaN with null, between the nulls and the numbers (sort page,
/// "Using special floating-point values": ascending nulls first is null, NaN,
/// -inf, …; nulls last is …, +inf, NaN, null). Returns a rank key to sort by
/// first and the values with NaN taken out.
fn nan_with_nulls(reals: &Float64Array, nulls_first: bool) -> (ArrayRef, ArrayRef) {
    let (before, after) = if nulls_first { (0, 2) } else { (2, 0) };
    let rank: UInt8Array = reals
        .iter()
        .map(|v| {
            Some(match v {
                None => before,
                Some(x) if x.is_nan() => 1,
                Some(_) => after,
            })
        })
        .collect();
    let values: Float64Array = if reals.values().iter().any(|x| x.is_nan()) {
        reals.iter().map(|v| v.filter(|x| !x.is_nan())).collect()
    } else {
        reals.clone()
    };
    (Arc::new(rank), Arc::new(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(descending: bool, nulls_first: bool) -> Vec<Option<f64>> {
        let input = Float64Array::from(vec![
            Some(5.0),
            Some(f64::NAN),
            Some(-5.0),
            None,
            Some(0.0),
            Some(f64::NEG_INFINITY),
            Some(f64::INFINITY),
        ]);
        let (rank, values) = nan_with_nulls(&input, nulls_first);
        let conv = RowConverter::new(vec![
            SortField::new(DataType::UInt8),
            SortField::new_with_options(DataType::Float64, SortOptions { descending, nulls_first }),
        ])
        .unwrap();
        let rows = conv.convert_columns(&[rank, values]).unwrap();
        let mut idx: Vec<usize> = (0..input.len()).collect();
        idx.sort_by(|a, b| rows.row(*a).cmp(&rows.row(*b)));
        idx.iter().map(|i| input.is_valid(*i).then(|| input.value(*i))).collect()
    }

    fn text(v: &[Option<f64>]) -> Vec<String> {
        v.iter().map(|x| x.map_or("null".into(), |x| x.to_string())).collect()
    }

    #[test]
    fn nan_sorts_with_nulls() {
        // The sort page's table of special values.
        assert_eq!(text(&order(false, true)), ["null", "NaN", "-inf", "-5", "0", "5", "inf"]);
        assert_eq!(text(&order(true, true)), ["null", "NaN", "inf", "5", "0", "-5", "-inf"]);
        assert_eq!(text(&order(false, false)), ["-inf", "-5", "0", "5", "inf", "NaN", "null"]);
        assert_eq!(text(&order(true, false)), ["inf", "5", "0", "-5", "-inf", "NaN", "null"]);
    }
}
