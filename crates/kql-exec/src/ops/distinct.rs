//! `distinct`: the first occurrence of each row, in arrival order (streamed).

use super::Executor;
use crate::context::Stream;
use crate::error::Result;
use crate::keys::{KeyEncoder, KeySet};
use arrow_array::{BooleanArray, RecordBatch};
use kql_plan::plan::Plan;

pub fn distinct<'a>(ex: &'a Executor<'a>, input: &'a Plan) -> Result<Stream<'a>> {
    let stream = ex.run(input)?;
    let mut seen: KeySet<Box<[u8]>> = KeySet::default();
    let mut encoder: Option<KeyEncoder> = None;
    // The keys seen so far: their bytes and the set's overhead.
    let mut held = ex.pool.reservation("distinct");
    Ok(Box::new(stream.filter_map(move |b| {
        let r = (|| -> Result<RecordBatch> {
            let b = b?;
            if encoder.is_none() {
                let types: Vec<_> = b.schema().fields().iter().map(|f| f.data_type().clone()).collect();
                encoder = Some(KeyEncoder::new(&types)?);
            }
            let enc = encoder.as_ref().ok_or_else(|| crate::error::ExecError::Internal("no encoder".into()))?;
            if b.num_columns() == 0 {
                // Distinct over no columns: one row if there is any.
                let keep = b.num_rows() > 0 && seen.insert(Box::from(&[][..]));
                return Ok(b.slice(0, usize::from(keep)));
            }
            let rows = enc.encode(b.columns())?;
            let mut added = 0u64;
            let mask: BooleanArray = (0..b.num_rows())
                .map(|i| {
                    let new = seen.insert(rows.row(i).as_ref().into());
                    if new {
                        added += rows.row(i).as_ref().len() as u64 + 32;
                    }
                    Some(new)
                })
                .collect();
            held.grow(added)?;
            Ok(arrow_select::filter::filter_record_batch(&b, &mask)?)
        })();
        match r {
            Ok(b) if b.num_rows() == 0 => None,
            other => Some(other),
        }
    })))
}
