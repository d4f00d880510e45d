//! `summarize` by string columns a Parquet scan hands over as dictionaries
//! (grouped by dictionary index, never decoded per row) must give the same
//! groups as text keys: a null string is "", equal values from different
//! row groups, files or dictionaries are one group, and a batch may mix
//! dictionary and text keys. The same rows are written in several layouts
//! and every answer is checked against a plain count over the generator.

use crate::common;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::run_with;
use kql_plan::{Catalog, Params, TableDef, TableOrigin};
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

const ROWS: usize = 1000;

/// S cycles "a", null, "", "b" (so "" has two spellings); U cycles "p",
/// "q", null; N is the row number.
fn s_of(i: usize) -> Option<&'static str> {
    [Some("a"), None, Some(""), Some("b")][i % 4]
}
fn u_of(i: usize) -> Option<&'static str> {
    [Some("p"), Some("q"), None][i % 3]
}

fn rows(range: std::ops::Range<usize>) -> RecordBatch {
    let s: ArrayRef = Arc::new(range.clone().map(s_of).collect::<StringArray>());
    let u: ArrayRef = Arc::new(range.clone().map(u_of).collect::<StringArray>());
    let n: ArrayRef = Arc::new(Int64Array::from_iter_values(range.map(|i| i as i64)));
    RecordBatch::try_new(schema(), vec![s, u, n]).unwrap()
}

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("S", DataType::Utf8, true),
        Field::new("U", DataType::Utf8, true),
        Field::new("N", DataType::Int64, true),
    ]))
}

fn write(path: &Path, batch: &RecordBatch, props: WriterProperties) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

/// Small row groups and pages: many parts, several dictionaries.
fn props() -> parquet::file::properties::WriterPropertiesBuilder {
    WriterProperties::builder().set_max_row_group_row_count(Some(300)).set_data_page_row_count_limit(64)
}

/// The layouts of the same 1000 rows, as table folders `T/`.
fn layouts(root: &Path) -> Vec<(&'static str, std::path::PathBuf)> {
    let mut out = Vec::new();
    let mut layout = |name: &'static str, files: Vec<(RecordBatch, WriterProperties)>| {
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("T")).unwrap();
        for (k, (b, p)) in files.into_iter().enumerate() {
            write(&dir.join("T").join(format!("{k}.parquet")), &b, p);
        }
        out.push((name, dir));
    };
    layout("all dictionary", vec![(rows(0..ROWS), props().build())]);
    layout("no dictionary", vec![(rows(0..ROWS), props().set_dictionary_enabled(false).build())]);
    // S as a dictionary, U as text, in the same batches.
    layout(
        "mixed columns",
        vec![(rows(0..ROWS), props().set_column_dictionary_enabled(ColumnPath::from("U"), false).build())],
    );
    // The same values under different dictionaries, and as text.
    layout(
        "mixed files",
        vec![
            (rows(0..400), props().build()),
            (rows(400..700), props().set_dictionary_enabled(false).build()),
            (rows(700..ROWS), props().build()),
        ],
    );
    out
}

fn run(dir: &Path, query: &str) -> Vec<String> {
    let tables = kql_exec::ParquetTables::new(Arc::new(kql_io::DataDir::open(dir).unwrap()));
    let mut catalog = Catalog::new();
    catalog.insert(TableDef::from_arrow("T", &schema(), TableOrigin::Files(vec!["T".into()])).0);
    let t = run_with(query, &catalog, &tables, &Params::default()).unwrap_or_else(|e| panic!("{query}: {e}"));
    let mut lines: Vec<String> = t.rows.iter().map(|r| r.join("|")).collect();
    lines.sort();
    lines
}

/// Groups of the generator's rows by `key`, each with its row count and
/// the sum of N, as `key|count|sum` lines.
fn expected(key: impl Fn(usize) -> String) -> Vec<String> {
    let mut groups: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for i in 0..ROWS {
        let g = groups.entry(key(i)).or_default();
        g.0 += 1;
        g.1 += i as u64;
    }
    let mut lines: Vec<String> = groups.into_iter().map(|(k, (n, s))| format!("{k}|{n}|{s}")).collect();
    lines.sort();
    lines
}

#[test]
fn dictionary_keys_group_as_text_keys_do() {
    let root = tempfile::tempdir().unwrap();
    let text = |v: Option<&str>| v.unwrap_or("").to_string();
    let by_s = expected(|i| text(s_of(i)));
    let by_s_u = expected(|i| format!("{}|{}", text(s_of(i)), text(u_of(i))));
    // Three groups: "a" and "b" with 250 rows, "" (null and "") with 500
    // (lines sort "|" after letters).
    assert_eq!(by_s.iter().map(|l| l.split('|').nth(1).unwrap()).collect::<Vec<_>>(), ["250", "250", "500"]);
    for (layout, dir) in layouts(root.path()) {
        let got = run(&dir, "T | summarize n = count(), s = sum(N) by S");
        assert_eq!(got, by_s, "{layout}");
        let got = run(&dir, "T | summarize n = count(), s = sum(N) by S, U");
        assert_eq!(got, by_s_u, "{layout}");
        // Above filters the reader runs, on one of the key columns too.
        let got = run(&dir, r#"T | where U != "q" and N >= 0 | summarize n = count(), s = sum(N) by U, S"#);
        let want: Vec<String> = expected(|i| format!("{}|{}", text(u_of(i)), text(s_of(i))))
            .into_iter()
            .filter(|l| !l.starts_with("q|"))
            .collect();
        assert_eq!(got, want, "{layout}");
    }
}

#[test]
fn keys_read_elsewhere_stay_text() {
    // S is also an argument or inside another key: it must come as text.
    let root = tempfile::tempdir().unwrap();
    for (layout, dir) in layouts(root.path()) {
        let got = run(&dir, "T | summarize m = max(S), n = count() by S");
        assert_eq!(got, ["a|a|250", "b|b|250", "||500"], "{layout}");
        let got = run(&dir, "T | summarize n = count() by S, L = strlen(S)");
        assert_eq!(got, ["a|1|250", "b|1|250", "|0|500"], "{layout}");
    }
}
