//! `Node::Window` (`serialize`, and `extend`/`project`/`where` calling
//! window functions) and `Node::Sample`: both read their whole input first.

use super::Executor;
use super::rowwise::project_batch;
use crate::error::Result;
use crate::eval::EvalCx;
use crate::physical::physical_schema;
use crate::source::Stream;
use arrow_array::{RecordBatch, UInt32Array};
use kql_plan::plan::{Expr, Plan};
use std::hash::{BuildHasher, Hasher};

/// The input's rows as one batch, in order.
fn whole<'a>(
    ex: &'a Executor<'a>,
    input: &'a Plan,
    operator: &'static str,
) -> Result<(RecordBatch, crate::limits::Reservation)> {
    let (mut batches, mut held) = ex.collect_held(input, operator)?;
    let all = match batches.len() {
        1 => batches.remove(0),
        0 => RecordBatch::new_empty(physical_schema(&input.schema)),
        _ => {
            let all = arrow_select::concat::concat_batches(&batches[0].schema(), &batches)?;
            held.grow(crate::limits::batch_bytes(&all))?;
            all
        }
    };
    Ok((all, held))
}

/// Evaluates `columns` over all the input's rows at once, so window
/// functions see every row in order; one output batch.
pub fn window<'a>(ex: &'a Executor<'a>, input: &'a Plan, columns: &'a [(String, Expr)]) -> Result<Stream<'a>> {
    let subs = ex.subqueries(columns.iter().map(|(_, e)| e))?;
    let (all, _held) = whole(ex, input, "serialize")?;
    let cx = EvalCx { now: ex.now, subqueries: &subs };
    let out = project_batch(&all, columns, &cx)?;
    Ok(Box::new(std::iter::once(Ok(out))))
}

/// `sample N`: min(N, rows) distinct rows drawn uniformly at random (a
/// partial Fisher–Yates shuffle seeded from the process's random hasher
/// keys, so each run draws anew, as Kusto's does), kept in input order.
pub fn sample<'a>(ex: &'a Executor<'a>, input: &'a Plan, n: usize) -> Result<Stream<'a>> {
    let (all, _held) = whole(ex, input, "sample")?;
    let rows = all.num_rows();
    let k = n.min(rows);
    let mut rng = SplitMix(std::collections::hash_map::RandomState::new().build_hasher().finish());
    let mut order: Vec<u32> = (0..rows).map(|i| u32::try_from(i).unwrap_or(u32::MAX)).collect();
    for i in 0..k {
        let j = i + (rng.next() % (rows - i) as u64) as usize;
        order.swap(i, j);
    }
    order.truncate(k);
    order.sort_unstable();
    let picked = arrow_select::take::take_record_batch(&all, &UInt32Array::from(order))?;
    Ok(Box::new(std::iter::once(Ok(picked))))
}

/// SplitMix64 (Steele, Lea & Flood 2014): enough to pick rows.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
