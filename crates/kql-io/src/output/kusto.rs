//! The Kusto type of each result column and the one physical Arrow type each
//! writer sees for it.
//!
//! The executor's batches carry `kusto.type` field metadata; a column's Kusto
//! type is kql-types' reading of its Arrow type and that tag. Every batch is *prepared* before a
//! writer sees it: columns are brought to the canonical type of their Kusto
//! type (datetimes become `Timestamp(ns, "UTC")`, dictionaries plain strings,
//! nested values JSON text …) and the batch gets the canonical schema, whose
//! fields all carry `kusto.type`.

use super::error::{OutputError, Target};
use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampNanosecondType;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, new_empty_array};
use arrow_cast::cast::{CastOptions, can_cast_types, cast_with_options};
use arrow_json::writer::{EncoderOptions, make_encoder};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Schema, SchemaRef, TimeUnit};
use kql_types::ScalarType;
use std::sync::Arc;

pub use kql_types::arrow::canonical_type;
pub use kql_types::{KUSTO_TYPE_KEY, kusto_type_of_arrow};

/// The time zone written for datetimes (Kusto datetimes are always UTC).
const UTC: &str = "UTC";

/// The Kusto type of a field ([`kql_types::kusto_type_of_field`]), or why
/// it cannot be written: a `kusto.type` tag that names no Kusto type, or an
/// Arrow type with no Kusto counterpart.
pub fn kusto_type_of_field(field: &Field) -> Result<ScalarType, String> {
    let tagged = kql_types::arrow::tagged_type(field).map_err(|name| format!("`{name}` is not a Kusto type"))?;
    kql_types::kusto_type_of_field(field).ok_or_else(|| match tagged {
        Some(_) => "it has no Kusto counterpart".to_string(),
        None => "it has no Kusto counterpart and no `kusto.type` metadata".to_string(),
    })
}

/// The result's columns: Kusto types, canonical schema.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub kinds: Vec<ScalarType>,
    /// Canonical types, every field nullable and tagged with `kusto.type`.
    pub schema: SchemaRef,
}

impl Layout {
    /// Checks that every column can be written (converting an empty array of
    /// its type proves the conversion exists).
    pub fn new(input: &Schema, target: &Target) -> Result<Layout, OutputError> {
        let mut kinds = Vec::with_capacity(input.fields().len());
        let mut fields = Vec::with_capacity(input.fields().len());
        for field in input.fields() {
            let unsupported = |reason: String| OutputError::UnsupportedType {
                column: field.name().clone(),
                data_type: field.data_type().to_string(),
                target: target.clone(),
                reason,
            };
            let kind = kusto_type_of_field(field).map_err(unsupported)?;
            let canonical = canonical_type(kind, field.data_type());
            let empty = new_empty_array(field.data_type());
            convert(kind, field, &empty, &canonical).map_err(|e| unsupported(e.to_string()))?;
            let metadata = field.metadata().clone().with(KUSTO_TYPE_KEY, kind.name());
            fields.push(Field::new(field.name(), canonical, true).with_metadata(metadata));
            kinds.push(kind);
        }
        Ok(Layout { kinds, schema: Arc::new(Schema::new_with_metadata(fields, input.metadata().clone())) })
    }

    /// The batch with canonical columns and the canonical schema.
    pub fn prepare(&self, batch: &RecordBatch, target: &Target) -> Result<RecordBatch, OutputError> {
        let mismatch = |reason: String| OutputError::SchemaMismatch { target: target.clone(), reason };
        if batch.num_columns() != self.kinds.len() {
            return Err(mismatch(format!(
                "the batch has {} columns, the result {}",
                batch.num_columns(),
                self.kinds.len()
            )));
        }
        let mut columns = Vec::with_capacity(self.kinds.len());
        for ((kind, field), (array, input_field)) in
            self.kinds.iter().zip(self.schema.fields()).zip(batch.columns().iter().zip(batch.schema_ref().fields()))
        {
            let column = convert(*kind, input_field, array, field.data_type()).map_err(|e| {
                mismatch(format!("column `{}` ({}) holds {}: {e}", field.name(), kind, array.data_type()))
            })?;
            columns.push(column);
        }
        // The row count too: a result may have rows and no columns (`project-away` of all).
        let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        RecordBatch::try_new_with_options(self.schema.clone(), columns, &options).map_err(|e| mismatch(e.to_string()))
    }
}

/// One column in its canonical type.
fn convert(kind: ScalarType, field: &FieldRef, array: &ArrayRef, canonical: &DataType) -> Result<ArrayRef, ArrowError> {
    let dt = array.data_type();
    if dt == canonical {
        return Ok(array.clone());
    }
    let strict = CastOptions { safe: false, ..Default::default() };
    match (kind, dt) {
        // The values are UTC instants whatever the zone says (or without
        // one): relabel, don't shift.
        (ScalarType::DateTime, DataType::Timestamp(..) | DataType::Date32 | DataType::Date64) => {
            let ns = if matches!(dt, DataType::Timestamp(TimeUnit::Nanosecond, _)) {
                array.clone()
            } else {
                let tz = match dt {
                    DataType::Timestamp(_, tz) => tz.clone(),
                    _ => None,
                };
                cast_with_options(array, &DataType::Timestamp(TimeUnit::Nanosecond, tz), &strict)?
            };
            let ts = ns.as_primitive::<TimestampNanosecondType>().clone().with_timezone(UTC);
            Ok(Arc::new(ts))
        }
        (ScalarType::Dynamic, dt) if dt.is_nested() => nested_to_json(field, array),
        _ if can_cast_types(dt, canonical) => cast_with_options(array, canonical, &strict),
        _ => Err(ArrowError::CastError(format!("cannot convert {dt} to {canonical}"))),
    }
}

/// Lists, structs and maps (a `dynamic` read from Parquet) as JSON text.
fn nested_to_json(field: &FieldRef, array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    let options = EncoderOptions::default().with_explicit_nulls(true);
    let field = Arc::new(Field::new(field.name(), array.data_type().clone(), true));
    let mut encoder = make_encoder(&field, array.as_ref(), &options)?;
    let mut out = StringBuilder::with_capacity(array.len(), array.len() * 16);
    let mut buf = Vec::new();
    for i in 0..array.len() {
        if encoder.is_null(i) {
            out.append_null();
        } else {
            buf.clear();
            encoder.encode(i, &mut buf);
            out.append_value(std::str::from_utf8(&buf).map_err(|e| ArrowError::JsonError(e.to_string()))?);
        }
    }
    Ok(Arc::new(out.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tagged(tag: &str, dt: DataType) -> Field {
        Field::new("c", dt, true).with_metadata(HashMap::from([(KUSTO_TYPE_KEY.to_string(), tag.to_string())]))
    }

    /// The writers read a column's type by the rule the binder reads files
    /// by (kql-types): a text column tagged `long` is a string to both (the
    /// writers used to take any tag and fail casting the text).
    #[test]
    fn writers_read_types_as_the_binder_does() {
        let schema = Schema::new(vec![
            tagged("long", DataType::Utf8),
            tagged("guid", DataType::Utf8),
            tagged("dynamic", DataType::Int64),
            Field::new("plain", DataType::Float32, true),
        ]);
        let layout = Layout::new(&schema, &Target::Stream).unwrap();
        assert_eq!(layout.kinds, [ScalarType::String, ScalarType::Guid, ScalarType::Long, ScalarType::Real]);
        let tags: Vec<&str> = layout.schema.fields().iter().map(|f| f.metadata()[KUSTO_TYPE_KEY].as_str()).collect();
        assert_eq!(tags, ["string", "guid", "long", "real"]);
        assert!(kusto_type_of_field(&tagged("quaternion", DataType::Int64)).unwrap_err().contains("quaternion"));
    }
}
