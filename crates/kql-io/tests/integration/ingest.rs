//! Text exports as tables: typing by a schema or by inference, the shapes
//! Log Analytics writes (portal CSV, CLI JSON, data-export JSON lines, gzip),
//! located errors, --lenient, and `convert`.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampNanosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use kql_io::datadir;
use kql_io::ingest::{FileKind, IngestOptions};
use kql_io::{DataDir, IoError, TableFiles};
use kql_types::ScalarType;
use std::io::Write;
use std::path::Path;

fn opts(lenient: bool) -> IngestOptions {
    let mut o = IngestOptions { lenient, ..IngestOptions::default() };
    o.schemas.insert(
        "T".into(),
        vec![
            ("When".into(), ScalarType::DateTime),
            ("N".into(), ScalarType::Long),
            ("Ok".into(), ScalarType::Bool),
            ("Name".into(), ScalarType::String),
            ("Port".into(), ScalarType::Int),
            ("Absent".into(), ScalarType::Real),
        ],
    );
    o
}

fn ns(iso: &str) -> i64 {
    kql_types::time::parse_datetime(iso).unwrap()
}

/// All rows of a table, all columns, as one batch.
fn read(t: &TableFiles) -> RecordBatch {
    let names: Vec<String> = t.schema.fields().iter().map(|f| f.name().clone()).collect();
    let batches: Vec<RecordBatch> = t.scan(&names, 1024).unwrap().collect::<Result<_, _>>().unwrap();
    arrow_select::concat::concat_batches(&t.schema, &batches).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn one_table(dir: &Path, o: &IngestOptions) -> TableFiles {
    let mut d = DataDir::open_with(dir, o).unwrap();
    assert_eq!(d.tables.len(), 1, "{:?}", d.tables.iter().map(|t| &t.name).collect::<Vec<_>>());
    d.tables.remove(0)
}

fn err_of(dir: &Path, o: &IngestOptions) -> IoError {
    DataDir::open_with(dir, o).expect_err("an error")
}

#[test]
fn portal_csv_is_typed_by_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "\u{feff}When [UTC],N,Ok,Name,Port,Extra\n\
               \"6/1/2025, 12:00:00.000 AM\",5,True,a,443,1\n\
               2025-06-01T01:30:00.250Z,,false,,,2\n\
               \"6/1/2025, 1:02:03.004 PM\",-7,true,\"with, comma\",80,3\n";
    std::fs::write(dir.path().join("T.csv"), csv).unwrap();
    let t = one_table(dir.path(), &opts(false));
    assert_eq!(t.name, "T");
    assert_eq!(t.rows, 3);
    let types: Vec<(&str, &DataType)> = t.schema.fields().iter().map(|f| (f.name().as_str(), f.data_type())).collect();
    assert_eq!(
        types,
        [
            ("When", &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))),
            ("N", &DataType::Int64),
            ("Ok", &DataType::Boolean),
            ("Name", &DataType::Utf8),
            ("Port", &DataType::Int32),
            ("Extra", &DataType::Int64),
        ],
        "schema columns typed by the schema, the BOM and ` [UTC]` dropped, the extra column inferred"
    );
    assert_eq!(t.schema.field(0).metadata().get("kusto.type").map(String::as_str), Some("datetime"));
    let b = read(&t);
    let when = b.column(0).as_primitive::<TimestampNanosecondType>();
    assert_eq!(
        when.values().to_vec(),
        [ns("2025-06-01T00:00:00Z"), ns("2025-06-01T01:30:00.25Z"), ns("2025-06-01T13:02:03.004Z")]
    );
    let n = b.column(1).as_primitive::<Int64Type>();
    assert_eq!((n.value(0), n.is_null(1), n.value(2)), (5, true, -7), "an empty number is null");
    let name = b.column(3).as_string::<i32>();
    assert_eq!((name.value(1), name.is_null(1), name.value(2)), ("", false, "with, comma"), "strings are never null");
    assert!(b.column(4).as_primitive::<Int32Type>().is_null(1));
    assert!(t.skipped.is_empty());
}

#[test]
fn cli_json_has_string_numbers_none_and_a_table_name() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"[
  {
    "TableName": "PrimaryResult",
    "When": "2025-06-01T00:00:00Z",
    "N": "12",
    "Ok": "False",
    "Name": "x",
    "Port": "None",
    "Score": "1.5",
    "Tags": "{\"a\": [1, 2]}"
  },
  {
    "TableName": "PrimaryResult",
    "When": "2025-06-01T00:05:00.1234567Z",
    "N": "None",
    "Ok": "True",
    "Name": "",
    "Port": "22",
    "Score": "2",
    "Tags": "{}"
  }
]"#;
    std::fs::write(dir.path().join("T.json"), json).unwrap();
    let t = one_table(dir.path(), &opts(false));
    let names: Vec<&str> = t.schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["When", "N", "Ok", "Name", "Port", "Score", "Tags"], "the CLI's TableName is dropped");
    let tag = |k: usize| t.schema.field(k).metadata().get("kusto.type").cloned().unwrap();
    assert_eq!((tag(5).as_str(), tag(6).as_str()), ("real", "dynamic"), "other columns are inferred");
    let b = read(&t);
    let n = b.column(1).as_primitive::<Int64Type>();
    assert_eq!((n.value(0), n.is_null(1)), (12, true), "`None` is the CLI's null");
    assert!(b.column(4).as_primitive::<Int32Type>().is_null(0));
    assert_eq!(b.column(4).as_primitive::<Int32Type>().value(1), 22);
    assert_eq!(b.column(5).as_primitive::<Float64Type>().values().to_vec(), [1.5, 2.0]);
    assert_eq!(b.column(6).as_string::<i32>().value(0), r#"{"a":[1,2]}"#);
    let when = b.column(0).as_primitive::<TimestampNanosecondType>();
    assert_eq!(when.value(1), ns("2025-06-01T00:05:00.1234567Z"), "Kusto's 7 fraction digits are kept");
}

#[test]
fn data_export_json_lines_in_nested_gzip_folders() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("am-t").join("WorkspaceResourceId=x").join("y=2025").join("m=06");
    std::fs::create_dir_all(t.join("d=01")).unwrap();
    std::fs::create_dir_all(t.join("d=02")).unwrap();
    let line = |n: i64| format!(r#"{{"When":"2025-06-01T00:00:00.0000000Z","N":{n},"Ok":false,"Name":"n{n}"}}"#);
    let hour1 = format!("{}\n{}\n", line(1), line(2));
    std::fs::write(t.join("d=01").join("PT1H.json.gz"), gzip(hour1.as_bytes())).unwrap();
    // A blob that is gzip whatever its name says, with a blank line.
    std::fs::write(t.join("d=02").join("PT1H.json"), gzip(format!("{}\n\n", line(3)).as_bytes())).unwrap();
    std::fs::write(dir.path().join("am-t").join(".hidden.json"), "not json").unwrap();
    let table = one_table(dir.path(), &opts(false));
    assert_eq!(table.name, "T", "data export's `am-` container names the table");
    assert_eq!(table.files.len(), 2);
    assert_eq!(table.rows, 3);
    let b = read(&table);
    let n = b.column_by_name("N").unwrap().as_primitive::<Int64Type>();
    assert_eq!(n.values().to_vec(), [1, 2, 3]);
    assert!(table.files[0].to_string().ends_with("PT1H.json.gz"), "{}", table.files[0]);
}

#[test]
fn other_tables_are_inferred() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "id,ratio,flag,at,label,payload,blank\n\
               1,0.5,true,2025-06-01T00:00:00Z,a,\"{\"\"k\"\": 1}\",\n\
               2,3,false,\"6/2/2025, 3:00:00.000 PM\",b,[],\n\
               ,,,,,,\n";
    std::fs::write(dir.path().join("Other.csv"), csv).unwrap();
    let t = one_table(dir.path(), &opts(false));
    let types: Vec<String> =
        t.schema.fields().iter().map(|f| f.metadata().get("kusto.type").cloned().unwrap_or_default()).collect();
    assert_eq!(types, ["long", "real", "bool", "datetime", "string", "dynamic", "string"]);
    let b = read(&t);
    assert!(b.column(0).is_null(2));
    assert_eq!(b.column(4).as_string::<i32>().value(2), "");
}

#[test]
fn ragged_rows_are_located_by_line() {
    let dir = tempfile::tempdir().unwrap();
    // The quoted value spans two lines, so the bad record starts on line 4.
    let csv = "When,N,Name\n2025-06-01,1,\"two\nlines\"\n2025-06-01,2\n2025-06-01,3,c\n";
    let path = dir.path().join("T.csv");
    std::fs::write(&path, csv).unwrap();
    let err = err_of(dir.path(), &opts(false));
    assert!(matches!(err, IoError::RaggedRow { line: 4, expected: 3, found: 2, .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("`{}` line 4 has 2 fields, but the header has 3", path.display()));

    let t = one_table(dir.path(), &opts(true));
    assert_eq!(t.rows, 2);
    assert_eq!(t.skipped.rows, 1);
    assert!(t.skipped.first[0].contains("line 4 has 2 fields"), "{:?}", t.skipped);
}

#[test]
fn bad_values_name_file_line_column_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("T.csv");
    std::fs::write(&path, "When,N\n2025-06-01T00:00:00Z,1\nyesterday,2\n6/31/2025,3\n").unwrap();
    let err = err_of(dir.path(), &opts(false));
    let IoError::BadValue(bad) = &err else { panic!("{err:?}") };
    assert_eq!(
        (bad.line, bad.column.as_str(), bad.value.as_str(), bad.ty.as_str()),
        (3, "When", "yesterday", "datetime")
    );
    assert_eq!(err.to_string(), format!("`{}` line 3, column When: `yesterday` is not a datetime", path.display()));
    let help = miette::Diagnostic::help(&err).unwrap().to_string();
    assert!(help.contains("published T schema") && help.contains("6/1/2025, 12:00:00.000 AM"), "{help}");
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "kql::io::bad_value");

    let t = one_table(dir.path(), &opts(true));
    assert_eq!((t.rows, t.skipped.rows), (1, 2), "both bad rows are skipped, the good one kept");
    assert!(t.skipped.first[1].contains("line 4, column When: `6/31/2025` is not a datetime"), "{:?}", t.skipped);
}

#[test]
fn wrong_json_types_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("T.json");
    std::fs::write(&path, "[\n  {\"N\": \"1\"},\n  {\"N\": \"many\"}\n]\n").unwrap();
    let err = err_of(dir.path(), &opts(false));
    assert_eq!(
        err.to_string(),
        format!("`{}` line 3, column N: `many` is not a long (a whole number)", path.display())
    );
    std::fs::write(&path, "{\"N\": 1}\n{\"N\": true}\n{\"Ok\": 5}\n").unwrap();
    let err = err_of(dir.path(), &opts(false));
    assert_eq!(err.to_string(), format!("`{}` line 2, column N: true is not a long", path.display()));
    let t = one_table(dir.path(), &opts(true));
    assert_eq!((t.rows, t.skipped.rows), (1, 2));
    assert!(t.skipped.first[1].contains("line 3, column Ok: 5 is not a bool"), "{:?}", t.skipped);
}

#[test]
fn broken_json_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("T.json");
    std::fs::write(&path, "[\n {\"N\": \"1\"},\n {\"N\": \"2\"\n").unwrap();
    let err = err_of(dir.path(), &opts(true));
    assert!(matches!(err, IoError::Malformed { .. }), "a broken array fails even with --lenient: {err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("`{}` line 4: the JSON ends early", path.display())), "{msg}");

    // JSON lines: a broken line is skipped with --lenient.
    std::fs::write(&path, "{\"N\": 1}\n{\"N\": 2,,}\n{\"N\": 3}\n").unwrap();
    let err = err_of(dir.path(), &opts(false));
    assert!(err.to_string().contains(".json` line 2: key must be a string"), "{err}");
    let t = one_table(dir.path(), &opts(true));
    assert_eq!((t.rows, t.skipped.rows), (2, 1));
    std::fs::write(&path, "[1, 2]").unwrap();
    assert!(err_of(dir.path(), &opts(false)).to_string().contains("line 1: a row must be a JSON object, not a number"));
}

#[test]
fn portal_local_time_and_bad_headers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("T.csv");
    std::fs::write(&path, "When [Local Time],N\n6/1/2025,1\n").unwrap();
    let err = err_of(dir.path(), &opts(false));
    assert!(
        err.to_string().contains("line 1: column `When [Local Time]` holds times in the portal's display time zone")
    );
    std::fs::write(&path, "N,N\n1,2\n").unwrap();
    assert!(err_of(dir.path(), &opts(false)).to_string().contains("column `N` appears twice"));
}

#[test]
fn one_table_is_one_format() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("T");
    std::fs::create_dir(&t).unwrap();
    std::fs::write(t.join("a.csv"), "N\n1\n").unwrap();
    let batch =
        RecordBatch::try_from_iter([("N", std::sync::Arc::new(arrow_array::Int64Array::from(vec![1])) as _)]).unwrap();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(t.join("b.parquet")).unwrap(), batch.schema(), None)
            .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let err = err_of(dir.path(), &opts(false));
    assert!(matches!(err, IoError::MixedFormats { .. }), "{err:?}");
    // The same table as a file and a folder is one table.
    std::fs::remove_file(t.join("b.parquet")).unwrap();
    std::fs::write(dir.path().join("T.csv"), "N\n2\n").unwrap();
    assert_eq!(one_table(dir.path(), &opts(false)).rows, 2);
}

#[test]
fn files_named_anything_are_sniffed_when_loaded_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.txt");
    std::fs::write(&path, gzip(b"[{\"N\": \"4\"}]")).unwrap();
    assert_eq!(FileKind::sniff(&path).unwrap(), FileKind::Json);
    let tables = datadir::load(&path, Some("T"), &opts(false)).unwrap();
    assert_eq!((tables[0].name.as_str(), tables[0].rows), ("T", 1));
    let csv = dir.path().join("rows.dat");
    std::fs::write(&csv, "N\n5\n").unwrap();
    assert_eq!(FileKind::sniff(&csv).unwrap(), FileKind::Csv);
    let tables = datadir::load(&csv, None, &opts(false)).unwrap();
    assert_eq!(tables[0].name, "rows");
    let err = datadir::load(&dir.path().join("nope.csv"), None, &opts(false)).unwrap_err();
    assert!(matches!(err, IoError::Unreadable { .. }));
}

#[test]
fn convert_writes_the_whole_schema_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.jsonl.gz");
    std::fs::write(&a, "Name,When,Extra\nx,6/1/2025,1\n").unwrap();
    std::fs::write(&b, gzip(b"{\"Name\": \"y\", \"N\": 7}\n")).unwrap();
    let out = dir.path().join("out").join("T.parquet");
    std::fs::create_dir(out.parent().unwrap()).unwrap();
    let summary = datadir::convert("T", &[a, b], &out, &opts(false)).unwrap();
    assert_eq!(summary.report.rows, 2);
    assert_eq!(summary.report.missing, ["Ok", "Port", "Absent"]);
    assert_eq!((summary.files, summary.row_groups), (2, 1));

    let t = datadir::load(&out, None, &IngestOptions::default()).unwrap().remove(0);
    let names: Vec<&str> = t.schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["When", "N", "Ok", "Name", "Port", "Absent", "Extra"], "the schema's order, then the others");
    let batch = read(&t);
    assert_eq!(batch.column(3).as_string::<i32>().iter().collect::<Vec<_>>(), [Some("x"), Some("y")]);
    assert_eq!(batch.column(1).as_primitive::<Int64Type>().iter().collect::<Vec<_>>(), [None, Some(7)]);
    assert!(batch.column(5).is_null(0) && batch.column(5).is_null(1), "missing columns are typed and empty");
    assert_eq!(batch.column(5).data_type(), &DataType::Float64);

    let file = std::fs::File::open(&out).unwrap();
    let meta = parquet::file::reader::SerializedFileReader::new(file).unwrap();
    let rg = parquet::file::reader::FileReader::metadata(&meta).row_group(0);
    assert!(matches!(rg.column(0).compression(), parquet::basic::Compression::ZSTD(_)));
    assert!(rg.column(1).statistics().is_some(), "statistics are written");
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");

    // A bad input leaves the old output in place.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "N\nmany\n").unwrap();
    let before = std::fs::read(&out).unwrap();
    assert!(matches!(datadir::convert("T", &[bad], &out, &opts(false)), Err(IoError::BadValue(_))));
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let err =
        datadir::convert("T", std::slice::from_ref(&out), &dir.path().join("x.parquet"), &opts(false)).unwrap_err();
    assert!(matches!(err, IoError::AlreadyParquet { .. }));
}

/// Damaged exports give errors (or, with --lenient, fewer rows), never a
/// panic: each of a CSV, a JSON array and JSON lines, cut short and with
/// bytes replaced by ones that matter to the formats, many times over.
#[test]
fn damaged_exports_never_panic() {
    let csv = "\u{feff}When [UTC],N,Ok,Name,Port,Extra\n\"6/1/2025, 12:00:00.000 AM\",5,True,\"a, \"\"b\"\"\",443,{\"k\": 1}\n2025-06-01T01:30:00Z,,false,,,\n";
    let json = r#"[{"TableName": "PrimaryResult", "When": "2025-06-01T00:00:00Z", "N": "12", "Ok": "False", "Port": "None", "X": [1, {"y": null}]}, {"N": 3}]"#;
    let lines = "{\"When\": \"2025-06-01T00:00:00.0000000Z\", \"N\": 1, \"Ok\": true}\n{\"N\": 2.5, \"Name\": 7}\n";
    let specials = b",\"\n\r[]{}:\\ .-/0123456789aZ\xff\xc3";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("T.csv", csv), ("T.json", json), ("T.jsonl", lines)] {
        for _ in 0..150 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = specials[(next() % specials.len() as u64) as usize];
            }
            if next() % 3 == 0 {
                bytes.truncate((next() % bytes.len() as u64) as usize);
            }
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            for lenient in [false, true] {
                let o = opts(lenient);
                if let Ok(d) = DataDir::open_with(dir.path(), &o) {
                    for t in &d.tables {
                        read(t);
                    }
                }
            }
            std::fs::write(dir.path().join("u.json.gz"), gzip(&bytes)).unwrap();
            let _ = datadir::convert("T", &[dir.path().join("u.json.gz")], &dir.path().join("o.parquet"), &opts(true));
            std::fs::remove_file(path).unwrap();
        }
    }
}
