//! Which Kusto type an Arrow column holds, and the Arrow types of the tables
//! ntaq writes.
//!
//! A column's Arrow type says most of it (any integer width, any timestamp
//! unit or zone, string views, dictionaries, nested types as `dynamic`).
//! Text cannot say whether it is a string, a GUID or JSON, so ntaq tags
//! every field it writes with its Kusto type in the field metadata
//! [`KUSTO_TYPE_KEY`]; readers of results and of files take the tag where
//! the Arrow type can hold that type ([`kusto_type_of_field`]).

use crate::ScalarType;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::collections::HashMap;
use std::sync::Arc;

/// The field metadata key naming a column's Kusto type (`datetime`,
/// `dynamic`, …).
pub const KUSTO_TYPE_KEY: &str = "kusto.type";

/// The Kusto type an Arrow column maps to, for reading files written by
/// other tools (any integer width, any timestamp unit or zone, string views,
/// dictionaries). `None` if the Arrow type has no Kusto counterpart.
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

/// The Kusto type a field's [`KUSTO_TYPE_KEY`] tag names: `Ok(None)`
/// without a tag, `Err` with the tag's text if it names no Kusto type.
pub fn tagged_type(field: &Field) -> Result<Option<ScalarType>, String> {
    match field.metadata().get(KUSTO_TYPE_KEY) {
        None => Ok(None),
        Some(name) => ScalarType::from_name(name).map(Some).ok_or_else(|| name.clone()),
    }
}

/// The Kusto type of a field: the type its Arrow type maps to, except that a
/// text column tagged `dynamic` or `guid` (JSON text, GUID text, as ntaq
/// writes them) has the tagged type. A tag the Arrow type cannot hold (a
/// text column tagged `long`) does not change the type, and neither does a
/// tag that names no Kusto type (see [`tagged_type`] to refuse those).
/// `None` if the Arrow type has no Kusto counterpart.
pub fn kusto_type_of_field(field: &Field) -> Option<ScalarType> {
    let mapped = kusto_type_of_arrow(field.data_type())?;
    Some(match tagged_type(field) {
        Ok(Some(t @ (ScalarType::Dynamic | ScalarType::Guid))) if mapped == ScalarType::String => t,
        _ => mapped,
    })
}

/// The Arrow type ntaq writes for a Kusto type in a table it makes (derived
/// or generated tables, Parquet files): string → Utf8 (never null), int →
/// Int32, long → Int64, real → Float64, bool → Boolean, datetime →
/// Timestamp(µs, "UTC"). `None` for the types no NTA table uses.
pub fn table_arrow_type(ty: ScalarType) -> Option<DataType> {
    Some(match ty {
        ScalarType::String => DataType::Utf8,
        ScalarType::Int => DataType::Int32,
        ScalarType::Long => DataType::Int64,
        ScalarType::Real => DataType::Float64,
        ScalarType::Bool => DataType::Boolean,
        ScalarType::DateTime => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        _ => return None,
    })
}

/// The canonical Arrow type of a Kusto type in results — the one physical
/// type each writer sees (datetimes `Timestamp(ns, "UTC")`, GUIDs and
/// dynamic values as text) — given the column's Arrow type (decimals keep
/// their precision and scale).
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
        ScalarType::DateTime => DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
        ScalarType::Timespan => DataType::Duration(TimeUnit::Nanosecond),
    }
}

/// The Arrow schema of columns of these Kusto types in their canonical
/// Arrow types ([`canonical_type`]), every field nullable and tagged with
/// [`KUSTO_TYPE_KEY`]: text exports typed into Parquet, FlowTuples batches.
pub fn canonical_schema(columns: &[(String, ScalarType)]) -> SchemaRef {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, ty)| {
            let dt = canonical_type(*ty, &DataType::Null);
            let meta = HashMap::from([(KUSTO_TYPE_KEY.to_string(), ty.name().to_string())]);
            Field::new(name, dt, true).with_metadata(meta)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_types_read_back_as_themselves() {
        for t in [
            ScalarType::String,
            ScalarType::Int,
            ScalarType::Long,
            ScalarType::Real,
            ScalarType::Bool,
            ScalarType::DateTime,
        ] {
            assert_eq!(kusto_type_of_arrow(&table_arrow_type(t).unwrap()), Some(t), "{t}");
        }
        assert_eq!(table_arrow_type(ScalarType::Dynamic), None);
    }

    #[test]
    fn arrow_types_map_to_kusto_types() {
        let cases = [
            (DataType::Int16, ScalarType::Int),
            (DataType::UInt32, ScalarType::Long),
            (DataType::Int64, ScalarType::Long),
            (DataType::Float32, ScalarType::Real),
            (DataType::LargeUtf8, ScalarType::String),
            (DataType::Utf8View, ScalarType::String),
            (DataType::Timestamp(TimeUnit::Millisecond, None), ScalarType::DateTime),
            (DataType::Timestamp(TimeUnit::Nanosecond, Some("+02:00".into())), ScalarType::DateTime),
            (DataType::Duration(TimeUnit::Microsecond), ScalarType::Timespan),
            (DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)), ScalarType::String),
        ];
        for (dt, kt) in cases {
            assert_eq!(kusto_type_of_arrow(&dt), Some(kt), "{dt}");
        }
        assert_eq!(kusto_type_of_arrow(&DataType::Binary), None);
    }

    fn tagged(ty: &str, dt: DataType) -> Field {
        Field::new("c", dt, true).with_metadata(HashMap::from([(KUSTO_TYPE_KEY.to_string(), ty.to_string())]))
    }

    #[test]
    fn tags_refine_text_columns_only() {
        let ty = |tag: &str, dt: DataType| kusto_type_of_field(&tagged(tag, dt));
        assert_eq!(ty("dynamic", DataType::Utf8), Some(ScalarType::Dynamic));
        assert_eq!(ty("guid", DataType::Utf8), Some(ScalarType::Guid));
        assert_eq!(ty("dynamic", DataType::LargeUtf8), Some(ScalarType::Dynamic));
        assert_eq!(ty("dynamic", DataType::new_list(DataType::Utf8, true)), Some(ScalarType::Dynamic));
        assert_eq!(ty("datetime", DataType::Timestamp(TimeUnit::Nanosecond, None)), Some(ScalarType::DateTime));
        // A tag the column cannot hold does not change its type.
        assert_eq!(ty("dynamic", DataType::Int64), Some(ScalarType::Long));
        assert_eq!(ty("long", DataType::Utf8), Some(ScalarType::String));
        assert_eq!(ty("int", DataType::Int64), Some(ScalarType::Long));
        // Neither does a tag that names no type (tagged_type tells).
        assert_eq!(ty("quaternion", DataType::Int64), Some(ScalarType::Long));
        assert_eq!(tagged_type(&tagged("quaternion", DataType::Int64)), Err("quaternion".to_string()));
        assert_eq!(tagged_type(&tagged("double", DataType::Float64)), Ok(Some(ScalarType::Real)));
        assert_eq!(tagged_type(&Field::new("c", DataType::Int64, true)), Ok(None));
        // No Kusto counterpart, tagged or not.
        assert_eq!(ty("string", DataType::Binary), None);
        assert_eq!(kusto_type_of_field(&Field::new("c", DataType::Utf8, true)), Some(ScalarType::String));
    }
}
