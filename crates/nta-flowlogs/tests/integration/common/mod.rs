//! Helpers of the reader tests: rows as text, synthetic blobs.

#![allow(dead_code)]

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, TimestampNanosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;

/// Every row as `col|col|…`, datetimes in Kusto's text form.
pub fn rows(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            let cells: Vec<String> = b
                .columns()
                .iter()
                .map(|c| {
                    assert!(!c.is_null(r), "FlowTuples columns are never null");
                    match c.data_type() {
                        DataType::Timestamp(..) => {
                            kql_io::output::text::format_datetime(c.as_primitive::<TimestampNanosecondType>().value(r))
                        }
                        DataType::Int32 => c.as_primitive::<Int32Type>().value(r).to_string(),
                        DataType::Int64 => c.as_primitive::<Int64Type>().value(r).to_string(),
                        DataType::Utf8 => c.as_string::<i32>().value(r).to_string(),
                        other => panic!("unexpected column type {other}"),
                    }
                })
                .collect();
            out.push(cells.join("|"));
        }
    }
    out
}

/// A VNet flow-log record (compact JSON) with the given tuples.
pub fn vnet_record(minute: usize, tuples: &[String]) -> String {
    let quoted: Vec<String> = tuples.iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        concat!(
            r#"{{"time":"2025-06-01T10:{:02}:00.0000000Z","flowLogVersion":4,"flowLogGUID":"g","macAddress":"00224871C205","#,
            r#""category":"FlowLogFlowEvent","flowLogResourceID":"/FL","targetResourceID":"/VNET","operationName":"FlowLogFlowEvent","#,
            r#""flowRecords":{{"flows":[{{"aclID":"acl-1","flowGroups":[{{"rule":"r1","flowTuples":[{}]}}]}}]}}}}"#
        ),
        minute % 60,
        quoted.join(",")
    )
}

/// A blob (single line) of records.
pub fn blob(records: &[String]) -> String {
    format!("{{\"records\":[{}]}}", records.join(","))
}
