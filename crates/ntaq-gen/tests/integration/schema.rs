//! The files carry every catalog column, in catalog order, with the physical
//! types the executor reads; Parquet settings are the documented ones.

use crate::common;

use arrow_schema::{DataType, TimeUnit};
use kql_types::ScalarType;
use kql_types::schemas::nta_table;
use ntaq_gen::{GenConfig, IP_TABLE, NET_TABLE, generate};
use parquet::basic::Compression;

/// The contract, written out here rather than taken from the generator.
fn expected_arrow_type(ty: ScalarType) -> DataType {
    match ty {
        ScalarType::String => DataType::Utf8,
        ScalarType::Int => DataType::Int32,
        ScalarType::Long => DataType::Int64,
        ScalarType::Real => DataType::Float64,
        ScalarType::Bool => DataType::Boolean,
        ScalarType::DateTime => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        other => panic!("the NTA tables have no {other} column"),
    }
}

#[test]
fn schemas_follow_the_catalog() {
    let tmp = tempfile::tempdir().unwrap();
    generate(&GenConfig { rows: 500, ..GenConfig::default() }, tmp.path()).unwrap();
    for (table, count) in [(NET_TABLE, 93), (IP_TABLE, 19)] {
        let files = common::read(tmp.path(), table);
        let def = nta_table(table).unwrap();
        assert_eq!(files.schema.fields().len(), count);
        let names: Vec<&str> = files.schema.fields().iter().map(|f| f.name().as_str()).collect();
        let expected: Vec<&str> = def.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, expected, "{table}: names and order");
        for (field, col) in files.schema.fields().iter().zip(&def.columns) {
            assert_eq!(field.data_type(), &expected_arrow_type(col.ty), "{table}.{}", col.name);
        }
        assert_eq!(files.table.string_nulls(), 0, "{table}: strings are never null");
    }
}

#[test]
fn spot_check_types_against_the_published_schema() {
    // Independent of the catalog: a few types from nta-schema.md.
    let tmp = tempfile::tempdir().unwrap();
    generate(&GenConfig { rows: 50, ..GenConfig::default() }, tmp.path()).unwrap();
    let net = common::read(tmp.path(), NET_TABLE).schema;
    let ip = common::read(tmp.path(), IP_TABLE).schema;
    let ty = |s: &arrow_schema::Schema, n: &str| s.field_with_name(n).unwrap().data_type().clone();
    assert_eq!(ty(&net, "DestPort"), DataType::Int32);
    assert_eq!(ty(&net, "CompletedFlows"), DataType::Int64);
    assert_eq!(ty(&net, "_BilledSize"), DataType::Float64);
    assert_eq!(ty(&net, "IsFlowCapturedAtUdrHop"), DataType::Boolean);
    assert_eq!(ty(&net, "SrcSubscription"), DataType::Utf8);
    assert_eq!(ty(&net, "FlowStartTime"), DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())));
    assert_eq!(ty(&ip, "Port"), DataType::Int32);
    assert_eq!(net.fields()[0].name(), "AclGroup");
    assert_eq!(net.fields()[92].name(), "Type");
    assert_eq!(ip.fields()[0].name(), "_BilledSize");
}

#[test]
fn parquet_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = GenConfig { rows: 5_000, row_group_rows: 2_048, ..GenConfig::default() };
    generate(&cfg, tmp.path()).unwrap();
    let files = common::read(tmp.path(), NET_TABLE);
    let meta = &files.metadata[0];
    let groups = meta.row_groups();
    assert_eq!(groups.len(), 3, "5000 rows in groups of at most 2048");
    assert_eq!(groups.iter().map(|g| g.num_rows()).collect::<Vec<_>>(), [2048, 2048, 904]);
    for g in groups {
        for c in g.columns() {
            assert!(matches!(c.compression(), Compression::ZSTD(_)), "{:?}", c.compression());
            assert!(c.statistics().is_some(), "column chunk statistics for {}", c.column_path());
            assert!(c.offset_index_offset().is_some(), "offset index for {}", c.column_path());
            assert!(c.column_index_offset().is_some(), "column index for {}", c.column_path());
        }
    }

    let snappy = tmp.path().join("snappy");
    generate(&GenConfig { compression: ntaq_gen::Codec::Snappy, ..cfg }, &snappy).unwrap();
    let meta = &common::read(&snappy, NET_TABLE).metadata[0];
    assert!(meta.row_groups()[0].columns().iter().all(|c| c.compression() == Compression::SNAPPY));
}
