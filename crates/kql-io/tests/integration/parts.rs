//! A scan cut into parts reads every row exactly once, in order — also when
//! one row group is cut into row ranges — and filters inside the reader
//! keep exactly the rows their predicate selects.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{BooleanArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use kql_io::{DataDir, ScanFilter};
use std::sync::Arc;

/// T.parquet: x = 0..n and s = "even"/"odd", in row groups of `group` rows.
fn write(dir: &std::path::Path, n: i64, group: usize) {
    write_with(dir, n, group, true);
}

/// [`write`], with or without dictionary pages.
fn write_with(dir: &std::path::Path, n: i64, group: usize, dictionary: bool) {
    write_file(dir, n, group, dictionary, true);
}

/// [`write_with`], with or without a page index (pyarrow, Spark and ADX
/// exports write none).
fn write_file(dir: &std::path::Path, n: i64, group: usize, dictionary: bool, page_index: bool) {
    let schema =
        Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false), Field::new("s", DataType::Utf8, false)]));
    let x = Int64Array::from_iter_values(0..n);
    let s = StringArray::from_iter_values((0..n).map(|i| if i % 2 == 0 { "even" } else { "odd" }));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(x), Arc::new(s)]).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(group))
        .set_dictionary_enabled(dictionary)
        .set_statistics_enabled(if page_index {
            parquet::file::properties::EnabledStatistics::Page
        } else {
            parquet::file::properties::EnabledStatistics::Chunk
        })
        .set_offset_index_disabled(!page_index)
        .set_data_page_row_count_limit(100)
        .set_write_batch_size(100)
        .build();
    let file = std::fs::File::create(dir.join("T.parquet")).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn xs(batches: impl Iterator<Item = RecordBatch>) -> Vec<i64> {
    batches.flat_map(|b| b.column_by_name("x").unwrap().as_primitive::<Int64Type>().values().to_vec()).collect()
}

#[test]
fn one_big_row_group_splits_into_row_ranges_that_cover_it_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 10_000, 10_000);
    let data = DataDir::open(dir.path()).unwrap();
    let t = data.table("T").unwrap();
    let parts = t.parts(&["x".to_string()], 512, 1_000, 2).unwrap();
    assert_eq!(parts.len(), 10, "a 10 000-row group in parts of at most 1 000 rows");
    assert_eq!(parts.iter().map(|p| p.num_rows()).sum::<usize>(), 10_000);
    let mut all = Vec::new();
    for p in &parts {
        all.extend(xs(p.read().unwrap().map(Result::unwrap)));
    }
    assert_eq!(all, (0..10_000).collect::<Vec<_>>());
}

/// Without a page index a part decodes the pages before its rows to skip
/// them, so a big row group is cut only into as many parts as the threads
/// need: one row group, 2 threads → 2 parts; 4 row groups → 1 part each.
#[test]
fn row_groups_without_a_page_index_are_cut_only_for_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), 10_000, 10_000, true, false);
    let data = DataDir::open(dir.path()).unwrap();
    let t = data.table("T").unwrap();
    let sizes = |threads| t.parts(&["x".to_string()], 512, 1_000, threads).unwrap();
    assert_eq!(sizes(2).iter().map(|p| p.num_rows()).collect::<Vec<_>>(), [5_000, 5_000]);
    assert_eq!(sizes(1).len(), 1);
    // Never more parts than `part_rows` allows, however many threads.
    assert_eq!(sizes(64).len(), 10);
    let mut all = Vec::new();
    for p in &sizes(3) {
        all.extend(xs(p.read().unwrap().map(Result::unwrap)));
    }
    assert_eq!(all, (0..10_000).collect::<Vec<_>>(), "3 parts cover the group once, in order");

    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), 10_000, 2_500, true, false);
    let data = DataDir::open(dir.path()).unwrap();
    let parts = data.table("T").unwrap().parts(&["x".to_string()], 512, 1_000, 2).unwrap();
    assert_eq!(parts.iter().map(|p| p.num_rows()).collect::<Vec<_>>(), [2_500; 4]);
}

#[test]
fn row_groups_are_parts_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 2_500, 1_000);
    let data = DataDir::open(dir.path()).unwrap();
    let parts = data.table("T").unwrap().parts(&["x".to_string()], 8192, 1_000_000, 2).unwrap();
    assert_eq!(parts.iter().map(|p| p.num_rows()).collect::<Vec<_>>(), [1_000, 1_000, 500]);
}

#[test]
fn filters_in_the_reader_keep_what_they_select_in_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 5_000, 5_000);
    let data = DataDir::open(dir.path()).unwrap();
    let parts = data.table("T").unwrap().parts(&["x".to_string(), "s".to_string()], 256, 2_000, 2).unwrap();
    let mut got = Vec::new();
    for p in &parts {
        // s == "even", then x % 3 == 0: the second sees only even rows.
        let even = ScanFilter {
            columns: vec!["s".into()],
            predicate: Box::new(|b: RecordBatch| {
                // A string column written with dictionary pages arrives as a dictionary.
                let s = b.column(0).as_dictionary::<Int32Type>();
                let text = s.downcast_dict::<StringArray>().unwrap();
                Ok(text.into_iter().map(|s| Some(s == Some("even"))).collect::<BooleanArray>())
            }),
        };
        let third = ScanFilter {
            columns: vec!["x".into()],
            predicate: Box::new(|b: RecordBatch| {
                let x = b.column(0).as_primitive::<Int64Type>();
                assert!(x.values().iter().all(|v| v % 2 == 0), "only rows the first filter kept");
                Ok(x.values().iter().map(|v| Some(v % 3 == 0)).collect::<BooleanArray>())
            }),
        };
        got.extend(xs(p.read_filtered(vec![even, third], &[]).unwrap().map(Result::unwrap)));
    }
    assert_eq!(got, (0..5_000).filter(|v| v % 6 == 0).collect::<Vec<_>>());
}

#[test]
fn parts_know_the_range_of_their_row_group() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 2_500, 1_000);
    let data = DataDir::open(dir.path()).unwrap();
    let parts = data.table("T").unwrap().parts(&["x".to_string()], 256, 1_000_000, 2).unwrap();
    let ranges: Vec<(i64, i64)> = parts
        .iter()
        .map(|p| {
            let (min, max) = p.min_max("x").unwrap();
            (min.as_primitive::<Int64Type>().value(0), max.as_primitive::<Int64Type>().value(0))
        })
        .collect();
    assert_eq!(ranges, [(0, 999), (1_000, 1_999), (2_000, 2_499)]);
    assert!(parts[0].min_max("no such column").is_none());
}

/// T.parquet like [`write`], but `s` written without dictionary pages, as a
/// column chunk whose dictionary overflowed reads: plain text.
fn write_plain(dir: &std::path::Path, n: i64, group: usize) {
    write_with(dir, n, group, false);
}

/// x % 3 == 0, asserting it only sees rows `s == "even"` kept.
fn third_of_even() -> ScanFilter {
    ScanFilter {
        columns: vec!["x".into()],
        predicate: Box::new(|b: RecordBatch| {
            let x = b.column(0).as_primitive::<Int64Type>();
            assert!(x.values().iter().all(|v| v % 2 == 0), "only rows the first filter kept");
            Ok(x.values().iter().map(|v| Some(v % 3 == 0)).collect::<BooleanArray>())
        }),
    }
}

/// s == "even" on plain text; also answers null (drop) for multiples of 10.
fn even_plain() -> ScanFilter {
    ScanFilter {
        columns: vec!["s".into(), "x".into()],
        predicate: Box::new(|b: RecordBatch| {
            // Columns in file order: x, then s; plain text, not a dictionary.
            let (x, s) = (b.column(0).as_primitive::<Int64Type>(), b.column(1).as_string::<i32>());
            Ok(x.values().iter().zip(s).map(|(x, s)| (x % 10 != 0).then_some(s == Some("even"))).collect())
        }),
    }
}

#[test]
fn filters_on_plain_text_the_part_outputs_keep_the_same_rows_in_order() {
    // Whatever the row groups and parts, and whether the text filter comes
    // last (run on the decoded batches) or first (in the reader, before
    // another), the rows kept are the ones the predicates select.
    let wanted_even: Vec<i64> = (0..5_000).filter(|v| v % 2 == 0 && v % 10 != 0).collect();
    let wanted_both: Vec<i64> = wanted_even.iter().copied().filter(|v| v % 3 == 0).collect();
    for (group, part_rows) in [(5_000, 5_000), (5_000, 700), (1_000, 1_000), (333, 100)] {
        let dir = tempfile::tempdir().unwrap();
        write_plain(dir.path(), 5_000, group);
        let data = DataDir::open(dir.path()).unwrap();
        let parts = data.table("T").unwrap().parts(&["x".to_string(), "s".to_string()], 256, part_rows, 2).unwrap();
        let (mut last, mut first, mut only) = (Vec::new(), Vec::new(), Vec::new());
        for p in &parts {
            let batches = p.read_filtered(vec![even_plain(), third_of_even()], &[]).unwrap();
            first.extend(xs(batches.map(Result::unwrap)));
            let x_first = ScanFilter {
                columns: vec!["x".into()],
                predicate: Box::new(|b: RecordBatch| {
                    let x = b.column(0).as_primitive::<Int64Type>();
                    Ok(x.values().iter().map(|v| Some(v % 3 == 0)).collect::<BooleanArray>())
                }),
            };
            let batches = p.read_filtered(vec![x_first, even_plain()], &[]).unwrap();
            last.extend(xs(batches.map(Result::unwrap)));
            let batches = p.read_filtered(vec![even_plain()], &[]).unwrap();
            only.extend(xs(batches.map(Result::unwrap)));
        }
        assert_eq!(first, wanted_both, "groups of {group}, parts of {part_rows}: text filter first");
        assert_eq!(last, wanted_both, "groups of {group}, parts of {part_rows}: text filter last");
        assert_eq!(only, wanted_even, "groups of {group}, parts of {part_rows}: text filter alone");
    }
}

#[test]
fn an_error_of_a_filter_on_the_decoded_batches_ends_the_part() {
    let dir = tempfile::tempdir().unwrap();
    write_plain(dir.path(), 1_000, 1_000);
    let data = DataDir::open(dir.path()).unwrap();
    let parts = data.table("T").unwrap().parts(&["x".to_string(), "s".to_string()], 256, 1_000, 2).unwrap();
    let failing = ScanFilter {
        columns: vec!["s".into()],
        predicate: Box::new(|_| Err(arrow_schema::ArrowError::ComputeError("bad regex".into()))),
    };
    let got: Vec<_> = parts[0].read_filtered(vec![failing], &[]).unwrap().collect();
    assert_eq!(got.len(), 1, "the first error ends the part");
    assert!(got[0].as_ref().unwrap_err().to_string().contains("bad regex"));
}
