//! `union`: every input's rows, columns matched by name; a column an input
//! lacks is null there ("" for strings). Dynamic columns use the JSON
//! encoding so inputs with different encodings fit one schema.

use super::{Executor, make_batch};
use crate::error::Result;
use crate::physical::{fill_empty_strings, physical_type, scalar_array};
use crate::source::Stream;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::Field;
use kql_plan::plan::Plan;
use kql_syntax::ScalarType;
use kql_types::Value;

pub fn union<'a>(ex: &'a Executor<'a>, inputs: &'a [Plan], plan: &'a Plan) -> Result<Stream<'a>> {
    let columns: Vec<(String, ScalarType)> =
        plan.schema.columns.iter().map(|c| (c.name.clone(), c.ty.scalar().unwrap_or(ScalarType::Dynamic))).collect();
    let mut streams = Vec::with_capacity(inputs.len());
    for input in inputs {
        streams.push(ex.run(input)?);
    }
    Ok(Box::new(streams.into_iter().flatten().map(move |b| conform(&b?, &columns))))
}

/// `batch` with exactly `columns`, missing ones filled.
fn conform(batch: &RecordBatch, columns: &[(String, ScalarType)]) -> Result<RecordBatch> {
    let n = batch.num_rows();
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
    for (name, ty) in columns {
        let a = match batch.column_by_name(name) {
            Some(a) if *ty == ScalarType::Dynamic => crate::dynamic::to_json_array(a),
            Some(a) => a.clone(),
            None if *ty == ScalarType::String => fill_empty_strings(&scalar_array(&Value::String(String::new()), n)),
            None => arrow_array::new_null_array(&physical_type(*ty), n),
        };
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
    }
    make_batch(fields, arrays, n)
}
