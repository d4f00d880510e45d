//! The derived tables' Arrow schemas, from the one home of the NTA
//! schemas (`kql_types::schemas`), and batches built from the
//! columns a builder derives: every other column of the schema is empty
//! (`""` for strings, null otherwise).

use crate::error::FlowLogError;
use arrow_array::{ArrayRef, RecordBatch, StringArray, new_null_array};
use arrow_schema::SchemaRef;
use std::collections::HashMap;
use std::sync::Arc;

/// The Arrow schema of `table` (every catalog column, in catalog order;
/// strings non-nullable, as Kusto strings are never null).
pub fn arrow_schema(table: &'static str) -> Result<SchemaRef, FlowLogError> {
    let def = kql_types::schemas::nta_table(table)
        .ok_or(FlowLogError::Schema { table, message: "not in the built-in catalog".into() })?;
    let schema = def.arrow_schema().map_err(|c| FlowLogError::Schema {
        table,
        message: format!("column {} has type {}, which derived tables do not hold", c.name, c.ty),
    })?;
    Ok(Arc::new(schema))
}

/// A batch of `rows` rows of `table` with the `derived` columns; the rest empty.
pub fn batch(
    table: &'static str,
    rows: usize,
    mut derived: HashMap<&'static str, ArrayRef>,
) -> Result<RecordBatch, FlowLogError> {
    let schema = arrow_schema(table)?;
    let mut columns = Vec::with_capacity(schema.fields().len());
    for f in schema.fields() {
        columns.push(match derived.remove(f.name().as_str()) {
            Some(a) => a,
            None if f.is_nullable() => new_null_array(f.data_type(), rows),
            None => Arc::new(StringArray::from_iter_values(std::iter::repeat_n("", rows))),
        });
    }
    if let Some(extra) = derived.keys().next() {
        return Err(FlowLogError::Schema {
            table,
            message: format!("derived a column {extra} the schema does not have"),
        });
    }
    RecordBatch::try_new(schema, columns).map_err(|e| FlowLogError::Schema { table, message: e.to_string() })
}

/// A string column.
pub fn strings<I: IntoIterator<Item = S>, S: AsRef<str>>(values: I) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// A datetime column from microseconds.
pub fn times(values: impl IntoIterator<Item = i64>) -> ArrayRef {
    Arc::new(arrow_array::TimestampMicrosecondArray::from_iter_values(values).with_timezone("UTC"))
}

/// A long column.
pub fn longs(values: impl IntoIterator<Item = i64>) -> ArrayRef {
    Arc::new(arrow_array::Int64Array::from_iter_values(values))
}
