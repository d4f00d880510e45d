//! `top-nested`, as the top-nested operator page describes it.
//!
//! Level by level: the rows of each group kept so far are split by the
//! level's key, each part is aggregated, and the N parts with the highest
//! aggregate (lowest for `asc`) become the groups of the next level. A
//! group's output row holds every level's key and aggregate.
//!
//! `with others = V`: the page's example fixes the rows. When a level or
//! any level below it has `with others`, each group also gets one row for
//! the parts that were not kept (when there are any): the levels above as
//! for the kept parts; for this level and each level below, the key is
//! that level's `others` value and the aggregate is the not-kept rows'
//! aggregate (by this level's aggregation) where the level has `with
//! others`, and both are null (empty for strings) where it has not. The
//! kept rows come first, then the others rows of the deepest level, up to
//! the first level's.

use super::mv_apply::run_sub;
use super::{Executor, batch_of, source};
use crate::error::{ExecError, Result};
use crate::eval::{EvalCx, eval};
use crate::keys::{KeyEncoder, KeyMap, canonical_key};
use crate::physical::value_at;
use crate::source::Stream;
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, UInt32Array};
use arrow_ord::sort::{SortOptions, sort_to_indices};
use kql_plan::plan::{Plan, TOP_NESTED_GROUP, TOP_NESTED_TABLE, TOP_NESTED_VALUE, TopNestedLevel};
use kql_syntax::ScalarType;
use kql_types::Value;
use std::sync::Arc;

/// The rows of one kept group and the keys and aggregates that led to it.
struct Group {
    rows: Vec<u32>,
    prefix: Vec<Value>,
}

pub fn top_nested<'a>(
    ex: &'a Executor<'a>,
    input: &'a Plan,
    levels: &'a [TopNestedLevel],
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let batches = ex.collect(input)?;
    let Some(first) = batches.first() else {
        return source::datatable(&[], plan);
    };
    let batch = arrow_select::concat::concat_batches(&first.schema(), &batches)?;
    drop(batches);
    let subs = ex.subqueries(levels.iter().map(|l| &l.key))?;
    let cx = EvalCx { now: ex.now, subqueries: &subs };
    let rows = u32::try_from(batch.num_rows()).map_err(|_| ExecError::Runtime {
        message: "top-nested reads at most 4 294 967 295 rows".into(),
        span: plan_span(levels),
        help: None,
    })?;
    let mut groups = vec![Group { rows: (0..rows).collect(), prefix: Vec::new() }];
    let mut others: Vec<Vec<Vec<Value>>> = vec![Vec::new(); levels.len()];
    for (i, level) in levels.iter().enumerate() {
        ex.check_cancel()?;
        let with_others = levels[i..].iter().any(|l| l.others.is_some());
        let key_ty = level.key.ty.scalar().unwrap_or(ScalarType::Dynamic);
        let keys = eval(&level.key, &batch, &cx)?.to_array(batch.num_rows());
        let canonical = canonical_key(&keys);
        let encoded = KeyEncoder::new(&[canonical.data_type().clone()])?.encode(&[canonical])?;
        // The parts of each group: (group, first row, rows).
        let mut parts: Vec<(usize, u32, Vec<u32>)> = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            let mut index: KeyMap<&[u8], usize> = KeyMap::default();
            for &r in &group.rows {
                let k = *index.entry(encoded.row(r as usize)).or_insert_with(|| {
                    parts.push((g, r, Vec::new()));
                    parts.len() - 1
                });
                parts[k].2.push(r);
            }
        }
        let values = aggregate(ex, level, &batch, parts.iter().map(|p| &p.2))?;
        let ranks = ranks(&values, level.descending)?;
        let keep = match &level.count {
            Some(c) => ex.constant_count(c)?,
            None => usize::MAX,
        };
        let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
        for (k, p) in parts.iter().enumerate() {
            by_group[p.0].push(k);
        }
        let mut next = Vec::new();
        let mut rest: Vec<(usize, Vec<u32>)> = Vec::new();
        for (g, mut ids) in by_group.into_iter().enumerate() {
            ids.sort_by_key(|k| ranks[*k]);
            let n = keep.min(ids.len());
            for &k in &ids[..n] {
                let mut prefix = groups[g].prefix.clone();
                prefix.push(value_at(&keys, parts[k].1 as usize, key_ty));
                prefix.push(value_at(&values, k, value_type(level)));
                next.push(Group { rows: std::mem::take(&mut parts[k].2), prefix });
            }
            if with_others && n < ids.len() {
                rest.push((g, ids[n..].iter().flat_map(|k| parts[*k].2.iter().copied()).collect()));
            }
        }
        if !rest.is_empty() {
            let rest_values = aggregate(ex, level, &batch, rest.iter().map(|r| &r.1))?;
            for (k, (g, _)) in rest.iter().enumerate() {
                let v = value_at(&rest_values, k, value_type(level));
                let mut row = groups[*g].prefix.clone();
                for l in &levels[i..] {
                    let null_key = Value::null_of(l.key.ty.scalar().unwrap_or(ScalarType::Dynamic));
                    row.push(l.others.clone().unwrap_or(null_key));
                    row.push(if l.others.is_some() { v.clone() } else { Value::null_of(value_type(l)) });
                }
                others[i].push(row);
            }
        }
        groups = next;
    }
    let mut out: Vec<Vec<Value>> = groups.into_iter().map(|g| g.prefix).collect();
    for rows in others.into_iter().rev() {
        out.extend(rows);
    }
    source::datatable(&out, plan)
}

fn plan_span(levels: &[TopNestedLevel]) -> kql_syntax::Span {
    levels.first().map_or_else(Default::default, |l| l.key.span)
}

fn value_type(level: &TopNestedLevel) -> ScalarType {
    level.aggregate.schema.get(TOP_NESTED_VALUE).and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::Dynamic)
}

/// The level's aggregate over each list of rows, in order, by running its
/// aggregation over those rows numbered by list.
fn aggregate<'r>(
    ex: &Executor<'_>,
    level: &TopNestedLevel,
    batch: &RecordBatch,
    parts: impl Iterator<Item = &'r Vec<u32>>,
) -> Result<ArrayRef> {
    let mut take = Vec::new();
    let mut group = Vec::new();
    let mut count = 0;
    for (g, rows) in parts.enumerate() {
        take.extend_from_slice(rows);
        group.extend(std::iter::repeat_n(g as i64, rows.len()));
        count = g + 1;
    }
    let take = UInt32Array::from(take);
    let mut columns: Vec<(String, ArrayRef)> = Vec::with_capacity(batch.num_columns() + 1);
    for (f, a) in batch.schema().fields().iter().zip(batch.columns()) {
        columns.push((f.name().clone(), arrow_select::take::take(a, &take, None)?));
    }
    columns.push((TOP_NESTED_GROUP.to_string(), Arc::new(Int64Array::from(group)) as ArrayRef));
    let items = batch_of(columns, take.len())?;
    let out = run_sub(ex, &level.aggregate, TOP_NESTED_TABLE, items)?;
    let internal = |what: &str| ExecError::Internal(format!("top-nested aggregation: {what}"));
    let Some(first) = out.first() else {
        return Err(internal("no output"));
    };
    let out = arrow_select::concat::concat_batches(&first.schema(), &out)?;
    let groups = out.column_by_name(TOP_NESTED_GROUP).ok_or_else(|| internal("no group column"))?;
    let groups = groups.as_any().downcast_ref::<Int64Array>().ok_or_else(|| internal("group column type"))?;
    let values = out.column_by_name(TOP_NESTED_VALUE).ok_or_else(|| internal("no value column"))?;
    let mut at = vec![u32::MAX; count];
    for (r, g) in groups.iter().enumerate() {
        if let Some(slot) = g.and_then(|g| at.get_mut(g as usize)) {
            *slot = r as u32;
        }
    }
    if at.contains(&u32::MAX) {
        return Err(internal("a group without its aggregate"));
    }
    Ok(arrow_select::take::take(values, &UInt32Array::from(at), None)?)
}

/// Each value's position when sorted (descending: highest first), nulls last.
fn ranks(values: &ArrayRef, descending: bool) -> Result<Vec<usize>> {
    let values = crate::keys::canonical_key(values);
    let order = sort_to_indices(&values, Some(SortOptions { descending, nulls_first: false }), None)?;
    let mut ranks = vec![0; values.len()];
    for (rank, k) in order.values().iter().enumerate() {
        ranks[*k as usize] = rank;
    }
    Ok(ranks)
}
