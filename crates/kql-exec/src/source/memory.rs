//! Tables held in memory.

use super::{Partition, ScanPredicate, Stream, TableProvider, narrowing, normalize_batch, with_filter_columns};
use crate::error::{ExecError, Result};
use arrow_array::RecordBatch;
use kql_syntax::ScalarType;
use std::collections::HashMap;
use std::sync::Arc;

/// Tables held in memory (tests, `datatable`-like sources, the REPL's `.load`).
#[derive(Default, Clone)]
pub struct MemTables {
    tables: HashMap<String, Vec<RecordBatch>>,
}

impl MemTables {
    pub fn new() -> Self {
        MemTables::default()
    }

    pub fn insert(&mut self, name: impl Into<String>, batches: Vec<RecordBatch>) {
        self.tables.insert(name.into(), batches);
    }

    /// The tables and their batches.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[RecordBatch])> {
        self.tables.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The same rows cut into batches of at most `rows` rows (for testing
    /// that results do not depend on batch boundaries).
    pub fn rebatched(&self, rows: usize) -> MemTables {
        let rows = rows.max(1);
        let tables = self
            .tables
            .iter()
            .map(|(name, batches)| {
                let mut out = Vec::new();
                for b in batches {
                    let mut offset = 0;
                    while offset < b.num_rows() {
                        let len = rows.min(b.num_rows() - offset);
                        out.push(b.slice(offset, len));
                        offset += len;
                    }
                }
                (name.clone(), out)
            })
            .collect();
        MemTables { tables }
    }
}

impl TableProvider for MemTables {
    fn scan(&self, table: &str, columns: &[(String, ScalarType)]) -> Result<Stream<'static>> {
        let batches = self.tables.get(table).ok_or_else(|| ExecError::NoTable { table: table.to_string() })?;
        let table = table.to_string();
        let columns = columns.to_vec();
        let out: Vec<Result<RecordBatch>> = batches.iter().map(|b| normalize_batch(&table, b, &columns)).collect();
        Ok(Box::new(out.into_iter()))
    }

    fn rows(&self, table: &str) -> Option<u64> {
        Some(self.tables.get(table)?.iter().map(|b| b.num_rows() as u64).sum())
    }

    /// A part per batch; strings are always text.
    fn partitions(
        &self,
        table: &str,
        columns: &[(String, ScalarType)],
        filters: &[ScanPredicate],
        _dictionaries: &[String],
    ) -> Result<Vec<Partition>> {
        let batches = self.tables.get(table).ok_or_else(|| ExecError::NoTable { table: table.to_string() })?;
        let table: Arc<str> = Arc::from(table);
        let columns: Arc<[(String, ScalarType)]> = Arc::from(columns);
        let filters: Arc<[ScanPredicate]> = Arc::from(filters);
        Ok(batches
            .iter()
            .map(|b| {
                let (b, table, columns, filters) = (b.clone(), table.clone(), columns.clone(), filters.clone());
                Partition::new(b.num_rows() as u64, move |extra| {
                    let filters: Vec<ScanPredicate> = filters.iter().cloned().chain(extra).collect();
                    let read = with_filter_columns(&columns, &filters);
                    let one: Stream<'static> = Box::new(std::iter::once(normalize_batch(&table, &b, &read)));
                    Ok(ScanPredicate::apply(filters, one, narrowing(&columns, &read)))
                })
            })
            .collect())
    }
}
