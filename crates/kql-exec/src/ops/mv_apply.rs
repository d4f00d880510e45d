//! `mv-apply`: a sub-query per input row, over that row's expanded items.
//!
//! The mv-apply page's steps: each input row is expanded into a sub-table
//! (as mv-expand would, order kept); the sub-query runs on each sub-table;
//! the row's columns that were not expanded are added to each row the
//! sub-query returns; the result is the union of those, in input order.
//! The sub-query reads its sub-table through a scan of
//! [`MV_APPLY_TABLE`], which [`RowItems`] answers; every other table is
//! the executor's own.

use super::rowwise::expand_batch;
use super::{Executor, make_batch, select};
use crate::error::{ExecError, Result};
use crate::source::{Partition, ScanPredicate, Stream, TableProvider, normalize_batch};
use arrow_array::{ArrayRef, RecordBatch, UInt32Array};
use arrow_schema::Field;
use kql_plan::plan::{MV_APPLY_TABLE, Node, Plan};
use kql_syntax::ScalarType;

pub fn mv_apply<'a>(
    ex: &'a Executor<'a>,
    expand: &'a Plan,
    items: &'a [String],
    keep: &'a [String],
    sub: &'a Plan,
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let Node::MvExpand { input, columns, limit, .. } = &expand.node else {
        return Err(ExecError::Internal("mv-apply without its expansion".into()));
    };
    let limit = match limit {
        Some(e) => Some(ex.constant_count(e)?),
        None => None,
    };
    let guard = ex.pool.reservation("mv-apply");
    let stream = ex.run(input)?;
    Ok(Box::new(stream.filter_map(move |b| {
        let out = b.and_then(|b| {
            let mut parts = Vec::new();
            for r in 0..b.num_rows() {
                ex.check_cancel()?;
                let row = b.slice(r, 1);
                let expanded = expand_batch(&row, columns, limit, expand, &guard)?;
                let sub_input = select(&expanded, items)?;
                for result in run_sub(ex, sub, MV_APPLY_TABLE, sub_input)? {
                    if result.num_rows() > 0 {
                        parts.push(with_row(&row, keep, &result, plan)?);
                    }
                }
            }
            match parts.first() {
                None => Ok(None),
                Some(first) => Ok(Some(arrow_select::concat::concat_batches(&first.schema(), &parts)?)),
            }
        });
        out.transpose()
    })))
}

/// `result` with the columns `keep` of the one-row `row` in front,
/// dynamic columns JSON-encoded.
fn with_row(row: &RecordBatch, keep: &[String], result: &RecordBatch, plan: &Plan) -> Result<RecordBatch> {
    let n = result.num_rows();
    let repeat = UInt32Array::from(vec![0u32; n]);
    let mut fields = Vec::with_capacity(plan.schema.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(plan.schema.len());
    for c in &plan.schema.columns {
        let a = if keep.contains(&c.name) {
            let a = row
                .column_by_name(&c.name)
                .ok_or_else(|| ExecError::Internal(format!("mv-apply: input column `{}` missing", c.name)))?;
            arrow_select::take::take(a, &repeat, None)?
        } else {
            result
                .column_by_name(&c.name)
                .ok_or_else(|| ExecError::Internal(format!("mv-apply: sub-query column `{}` missing", c.name)))?
                .clone()
        };
        // One encoding for dynamic columns, as union does: the rows'
        // sub-query results are concatenated, and a `make_list` of strings
        // (a list) and of no rows (JSON `[]`) are encoded differently.
        let a = if c.ty.scalar() == Some(ScalarType::Dynamic) { crate::dynamic::to_json_array(&a) } else { a };
        fields.push(Field::new(&c.name, a.data_type().clone(), true));
        arrays.push(a);
    }
    make_batch(fields, arrays, n)
}

/// Runs `sub`, reading `items` as the table `table` (a name no user table
/// has), with an executor of its own that shares the program, the memory
/// budget and the cancel flag. Also runs `top-nested`'s aggregations.
pub(crate) fn run_sub(
    ex: &Executor<'_>,
    sub: &Plan,
    table: &'static str,
    items: RecordBatch,
) -> Result<Vec<RecordBatch>> {
    let tables = RowItems { table, items, outer: ex.tables };
    let mut sub_ex = Executor::new(ex.program, &tables, ex.now, ex.cancel.clone());
    sub_ex.pool = ex.pool.clone();
    sub_ex.collect(sub)
}

/// The tables of a sub-query: the row's items, then the executor's tables.
struct RowItems<'t> {
    table: &'static str,
    items: RecordBatch,
    outer: &'t dyn TableProvider,
}

/// The row's items alone, with the default (one-part) partitioning.
struct ItemsOnly<'b>(&'b RecordBatch);

impl TableProvider for ItemsOnly<'_> {
    fn scan(&self, table: &str, columns: &[(String, ScalarType)]) -> Result<Stream<'static>> {
        let b = normalize_batch(table, self.0, columns)?;
        Ok(Box::new(std::iter::once(Ok(b))))
    }

    fn rows(&self, _table: &str) -> Option<u64> {
        Some(self.0.num_rows() as u64)
    }
}

impl TableProvider for RowItems<'_> {
    fn scan(&self, table: &str, columns: &[(String, ScalarType)]) -> Result<Stream<'static>> {
        if table == self.table { ItemsOnly(&self.items).scan(table, columns) } else { self.outer.scan(table, columns) }
    }

    fn rows(&self, table: &str) -> Option<u64> {
        if table == self.table { ItemsOnly(&self.items).rows(table) } else { self.outer.rows(table) }
    }

    fn partitions(
        &self,
        table: &str,
        columns: &[(String, ScalarType)],
        filters: &[ScanPredicate],
        dictionaries: &[String],
    ) -> Result<Vec<Partition>> {
        if table == self.table {
            ItemsOnly(&self.items).partitions(table, columns, filters, dictionaries)
        } else {
            self.outer.partitions(table, columns, filters, dictionaries)
        }
    }
}
