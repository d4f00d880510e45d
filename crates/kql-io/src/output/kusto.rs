//! The Kusto type of each result column and the one physical Arrow type each
//! writer sees for it.
//!
//! The executor's batches carry `kusto.type` field metadata; a column without
//! it gets the type its Arrow type maps to. Every batch is *prepared* before a
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
use kql_syntax::ScalarType;
use std::sync::Arc;

/// The field metadata key naming a column's Kusto type.
pub const KUSTO_TYPE_KEY: &str = "kusto.type";

/// The time zone written for datetimes (Kusto datetimes are always UTC).
const UTC: &str = "UTC";

/// The Kusto type of a field: its `kusto.type` metadata, else the type its
/// Arrow type maps to.
pub fn kusto_type_of_field(field: &Field) -> Result<ScalarType, String> {
    match field.metadata().get(KUSTO_TYPE_KEY) {
        Some(name) => ScalarType::from_name(name).ok_or_else(|| format!("`{name}` is not a Kusto type")),
        None => kusto_type_of_arrow(field.data_type())
            .ok_or_else(|| "it has no Kusto counterpart and no `kusto.type` metadata".to_string()),
    }
}

/// The Kusto type an Arrow type maps to (the binder's mapping for files
/// written by other tools).
pub fn kusto_type_of_arrow(dt: &DataType) -> Option<ScalarType> {
    Some(match dt {
        DataType::Boolean => ScalarType::Bool,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => ScalarType::Int,
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => ScalarType::Long,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => ScalarType::Real,
        DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal128(..) | DataType::Decimal256(..) => {
            ScalarType::Decimal
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ScalarType::String,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => ScalarType::DateTime,
        DataType::Duration(_) => ScalarType::Timespan,
        DataType::Dictionary(_, value) => return kusto_type_of_arrow(value),
        DataType::List(_) | DataType::LargeList(_) | DataType::Struct(_) | DataType::Map(..) => ScalarType::Dynamic,
        _ => return None,
    })
}

/// The Arrow type a Kusto type is written with, given the column's Arrow type
/// (decimals keep their precision and scale).
pub fn canonical_type(kind: ScalarType, input: &DataType) -> DataType {
    match kind {
        ScalarType::Bool => DataType::Boolean,
        ScalarType::Int => DataType::Int32,
        ScalarType::Long => DataType::Int64,
        ScalarType::Real => DataType::Float64,
        ScalarType::Decimal => match input {
            DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal128(p, s) => {
                DataType::Decimal128(*p, *s)
            }
            DataType::Decimal256(p, s) => DataType::Decimal128((*p).min(38), *s),
            _ => DataType::Decimal128(38, 18),
        },
        ScalarType::String | ScalarType::Guid | ScalarType::Dynamic => DataType::Utf8,
        ScalarType::DateTime => DataType::Timestamp(TimeUnit::Nanosecond, Some(UTC.into())),
        ScalarType::Timespan => DataType::Duration(TimeUnit::Nanosecond),
    }
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
