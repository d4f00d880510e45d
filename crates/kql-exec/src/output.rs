//! Results as writers receive them: the plan's columns in order, dynamic
//! values as JSON text, and each field tagged with its Kusto type in the
//! metadata key [`KUSTO_TYPE_KEY`].

use crate::error::{ExecError, Result};
use crate::ops::Executor;
use crate::physical::physical_type;
use crate::source::Stream;
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema, SchemaRef};
use kql_io::output::chart::{RENDER_KEY, RenderSpec};
use kql_plan::plan::{Node, Plan};
use kql_syntax::ScalarType;
use std::collections::HashMap;
use std::sync::Arc;

/// Field metadata key holding the Kusto type name (`datetime`, `dynamic`, …):
/// kql-types' one definition, re-exported where it was.
pub use kql_types::KUSTO_TYPE_KEY;

/// One result of a program: its schema and its batches.
pub struct ResultSet<'a> {
    pub schema: SchemaRef,
    /// Kusto type of each column, in order.
    pub types: Vec<ScalarType>,
    pub batches: Stream<'a>,
}

/// The output schema of a plan.
pub fn output_schema(plan: &Plan) -> (SchemaRef, Vec<ScalarType>) {
    let mut fields = Vec::new();
    let mut types = Vec::new();
    for c in &plan.schema.columns {
        let t = c.ty.scalar().unwrap_or(ScalarType::Dynamic);
        let meta = HashMap::from([(KUSTO_TYPE_KEY.to_string(), t.name().to_string())]);
        fields.push(Field::new(&c.name, physical_type(t), true).with_metadata(meta));
        types.push(t);
    }
    // `render` travels with the result to the chart writers.
    let mut metadata = HashMap::new();
    if let Node::Render { visualization, properties, .. } = &plan.node {
        let spec = RenderSpec { visualization: visualization.clone(), properties: properties.clone() };
        metadata.insert(RENDER_KEY.to_string(), spec.metadata_value());
    }
    (Arc::new(Schema::new_with_metadata(fields, metadata)), types)
}

/// `batch` in the output schema.
fn to_output(batch: &RecordBatch, schema: &SchemaRef, types: &[ScalarType]) -> Result<RecordBatch> {
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(types.len());
    for (f, t) in schema.fields().iter().zip(types) {
        let a = batch
            .column_by_name(f.name())
            .ok_or_else(|| ExecError::Internal(format!("result column `{}` missing", f.name())))?;
        let a = match t {
            ScalarType::Dynamic => crate::dynamic::to_json_array(a),
            ScalarType::String => crate::physical::fill_empty_strings(a),
            _ => a.clone(),
        };
        if a.data_type() != f.data_type() {
            return Err(ExecError::Internal(format!(
                "result column `{}` is {} instead of {}",
                f.name(),
                a.data_type(),
                f.data_type()
            )));
        }
        cols.push(a);
    }
    Ok(RecordBatch::try_new_with_options(
        schema.clone(),
        cols,
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )?)
}

impl<'p> Executor<'p> {
    /// Result number `k` of the program, ready for a writer.
    pub fn result(&self, k: usize) -> Result<ResultSet<'_>> {
        let plan = self.program.results.get(k).ok_or_else(|| ExecError::Internal(format!("no result #{k}")))?;
        let (schema, types) = output_schema(plan);
        let stream = self.run(plan)?;
        let (s2, t2) = (schema.clone(), types.clone());
        Ok(ResultSet { schema, types, batches: Box::new(stream.map(move |b| to_output(&b?, &s2, &t2))) })
    }
}

/// Runs every result of `program` and collects it (tests and small results).
pub fn run_program(ex: &Executor) -> Result<Vec<(SchemaRef, Vec<RecordBatch>)>> {
    (0..ex.program.results.len())
        .map(|k| {
            let rs = ex.result(k)?;
            let batches = rs.batches.collect::<Result<Vec<_>>>()?;
            Ok((rs.schema, batches))
        })
        .collect()
}
