//! Filters run inside the Parquet reader: on a dictionary-encoded string
//! column they are evaluated once per distinct value and looked up by key.
//! The answers must not depend on how the file stores the column: each
//! query runs over the same rows written with and without dictionaries,
//! and is checked against counts worked out by hand.

use crate::common;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use common::run_with;
use kql_plan::{Catalog, Params, TableDef, TableOrigin};
use parquet::file::properties::WriterProperties;
use std::sync::Arc;

/// 2025-06-01T00:00:00Z in microseconds.
const JUNE_1: i64 = 1_748_736_000_000_000;

/// 1000 rows: S cycles through "FlowLog", "Unspecified-NSG", "x", null,
/// "FLOWLOG"; N is the row number; D is 2025-06-01 plus N minutes (a UTC
/// timestamp in microseconds, as Log Analytics exports write them).
fn rows() -> RecordBatch {
    let cycle = [Some("FlowLog"), Some("Unspecified-NSG"), Some("x"), None, Some("FLOWLOG")];
    let s: ArrayRef = Arc::new((0..1000).map(|i| cycle[i % 5]).collect::<StringArray>());
    let n: ArrayRef = Arc::new(Int64Array::from_iter_values(0..1000));
    let minutes = (0..1000).map(|i| JUNE_1 + i * 60_000_000);
    let d: ArrayRef = Arc::new(TimestampMicrosecondArray::from_iter_values(minutes).with_timezone("UTC"));
    let schema = Arc::new(Schema::new(vec![
        Field::new("S", DataType::Utf8, true),
        Field::new("N", DataType::Int64, true),
        Field::new("D", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
    ]));
    RecordBatch::try_new(schema, vec![s, n, d]).unwrap()
}

fn write(dir: &std::path::Path, dictionary: bool) {
    let b = rows();
    // Small pages and row groups: several dictionaries and parts.
    let props = WriterProperties::builder()
        .set_dictionary_enabled(dictionary)
        .set_max_row_group_row_count(Some(300))
        .set_data_page_row_count_limit(64)
        .build();
    let file = std::fs::File::create(dir.join("T.parquet")).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, b.schema(), Some(props)).unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
}

fn count(query: &str, dictionary: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), dictionary);
    let tables = kql_exec::ParquetTables::new(Arc::new(kql_io::DataDir::open(dir.path()).unwrap()));
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &rows().schema(), TableOrigin::Files(vec!["T.parquet".into()])).0);
    let t = run_with(query, &catalog, &tables, &Params::default()).unwrap_or_else(|e| panic!("{query}: {e}"));
    t.rows[0][0].clone()
}

#[test]
fn filters_give_the_same_rows_whether_or_not_the_column_is_dictionary_encoded() {
    // 200 rows of each of the five values; a null string reads as "".
    for (filter, expected) in [
        (r#"S == "FlowLog""#, 200),
        (r#"S =~ "flowlog""#, 400),
        (r#"S != "FlowLog""#, 800),
        (r#"S == """#, 200),
        (r#"isempty(S)"#, 200),
        (r#"S !contains "unspecified""#, 800),
        (r#"S in ("x", "")"#, 400),
        (r#"S !in ("x", "FlowLog", "FLOWLOG")"#, 400),
        // Two conjuncts: split into two reader filters.
        (r#"S == "x" and N < 500"#, 100),
        (r#"strlen(S) > 1 and N >= 100"#, 540),
    ] {
        let query = format!("T | where {filter} | count");
        for dictionary in [true, false] {
            assert_eq!(count(&query, dictionary), expected.to_string(), "{query}, dictionary pages: {dictionary}");
        }
    }
}

#[test]
fn the_filtered_column_reads_back_as_text() {
    let query = r#"T | where S !contains "unspecified" and N < 5 | summarize make_list(S)"#;
    for dictionary in [true, false] {
        assert_eq!(count(query, dictionary), r#"["FlowLog", "x", "", "FLOWLOG"]"#, "dictionary pages: {dictionary}");
    }
}

#[test]
fn string_columns_behind_a_filter_read_back_as_text() {
    // Behind a reader filter on N, S is read as a dictionary where its
    // pages are, and turned into text for the rows kept: the operators
    // above see the same strings, null as "", either way.
    for (query, expected) in [
        (r#"T | where N < 5 | summarize make_list(S)"#, r#"["FlowLog", "Unspecified-NSG", "x", "", "FLOWLOG"]"#),
        // strlen of "x", "" and "FLOWLOG".
        ("T | where N between (2 .. 4) | extend L = strlen(S) | summarize sum(L)", "8"),
        (
            r#"T | where N >= 500 | distinct S | summarize make_list(S)"#,
            r#"["FlowLog", "Unspecified-NSG", "x", "", "FLOWLOG"]"#,
        ),
        (r#"T | where N >= 500 | where S == "" | count"#, "100"),
    ] {
        for dictionary in [true, false] {
            assert_eq!(count(query, dictionary), expected, "{query}, dictionary pages: {dictionary}");
        }
    }
}

#[test]
fn ranges_at_row_group_edges_keep_every_row_they_should() {
    // Row groups of 300 rows: N in [0, 299], [300, 599], [600, 899], [900, 999].
    // Parts whose statistics show no row can pass are skipped: the counts
    // at the edges show none is skipped wrongly.
    for (filter, expected) in [
        ("N between (299 .. 300)", 2),
        ("N > 299", 700),
        ("N >= 299", 701),
        ("N < 300", 300),
        ("N <= 300", 301),
        ("N >= 600 and N < 900", 300),
        ("N == 900", 1),
        ("899 == N", 1),
        ("N < 0", 0),
        ("N between (1000 .. 2000)", 0),
        ("D between (datetime(2025-06-01 04:59) .. datetime(2025-06-01 05:00))", 2),
        ("D > datetime(2025-06-01 14:59)", 100),
        ("D < datetime(2025-06-01)", 0),
    ] {
        let query = format!("T | where {filter} | count");
        for dictionary in [true, false] {
            assert_eq!(count(&query, dictionary), expected.to_string(), "{query}");
        }
    }
}

#[test]
fn a_dictionary_shared_by_many_batches_answers_each_of_them() {
    // One row group of 50,000 rows: the reader hands the same dictionary to
    // several batches (8,192 rows each), whose answers are reused; each
    // batch's rows must still be judged by their own keys.
    let values = ["a", "b", "c", "d", "e", "f", "g"];
    let s: ArrayRef = Arc::new((0..50_000).map(|i| Some(values[(i * i) % 7])).collect::<StringArray>());
    let schema = Arc::new(Schema::new(vec![Field::new("S", DataType::Utf8, true)]));
    let b = RecordBatch::try_new(schema.clone(), vec![s]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let props = WriterProperties::builder().set_data_page_row_count_limit(1000).build();
    let file = std::fs::File::create(dir.path().join("T.parquet")).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(props)).unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
    let tables = kql_exec::ParquetTables::new(Arc::new(kql_io::DataDir::open(dir.path()).unwrap()));
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &schema, TableOrigin::Files(vec!["T.parquet".into()])).0);
    for v in ["a", "b", "c", "e"] {
        let expected = (0..50_000usize).filter(|i| values[(i * i) % 7] == v).count();
        let q = format!("T | where S == '{v}' | count");
        let t = run_with(&q, &catalog, &tables, &Params::default()).unwrap();
        assert_eq!(t.rows[0][0], expected.to_string(), "{q}");
    }
}

#[test]
fn columns_only_filters_read_are_not_needed_in_the_output() {
    // The scan decodes for its batches only what is read above its own
    // filters; the filters still see their columns. `M` is in the table's
    // definition but not in the file (an export that left it out): it
    // reads as "", and a filter on it runs on the batches, after reading.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), true);
    let tables = kql_exec::ParquetTables::new(Arc::new(kql_io::DataDir::open(dir.path()).unwrap()));
    let mut fields: Vec<Field> = rows().schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new("M", DataType::Utf8, true));
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &Schema::new(fields), TableOrigin::Files(vec!["T.parquet".into()])).0);
    // S == "x" on rows 2, 7, …, 997: the sum of 5k + 2 for k < 200 is 99,900.
    for (query, expected) in [
        (r#"T | where S == "x" | summarize sum(N)"#, "99900"),
        (r#"T | where S == "x" | project N | summarize sum(N)"#, "99900"),
        (r#"T | where S == "x" and D >= datetime(2025-06-01) | summarize n = count() by M | project n"#, "200"),
        (r#"T | where M == "" and N < 10 | count"#, "10"),
        (r#"T | where strcat(M, S) == "x" | summarize sum(N)"#, "99900"),
        (
            r#"T | where strcat(M, S) == "x" and N < 100 | summarize make_list(N)"#,
            "[2, 7, 12, 17, 22, 27, 32, 37, 42, 47, 52, 57, 62, 67, 72, 77, 82, 87, 92, 97]",
        ),
    ] {
        let t = run_with(query, &catalog, &tables, &Params::default()).unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(t.rows[0][0], expected, "{query}");
    }
}
