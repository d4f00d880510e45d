//! The text formats (csv, json, ndjson, table) over a result with every Kusto
//! type. Expected texts are written out by hand from Kusto's conventions.

use arrow_array::{
    ArrayRef, BooleanArray, Decimal128Array, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    RecordBatch, StringArray, TimestampNanosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use kql_io::output::{Destination, OutputError, OutputFormat, OutputOptions, SharedBuffer, SinkSummary, sink};
use std::sync::Arc;

pub(crate) const SEC: i64 = 1_000_000_000;
/// 2025-06-01T00:00:00Z
pub(crate) const JUNE_1: i64 = 1_748_736_000 * SEC;
const GUID: &str = "0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11";
const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

pub(crate) fn field(name: &str, dt: DataType, kusto: &str) -> Field {
    Field::new(name, dt, true).with_metadata([("kusto.type", kusto)])
}

/// One column of every Kusto type (shared with `output_files`).
pub(crate) fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        field("b", DataType::Boolean, "bool"),
        field("i", DataType::Int32, "int"),
        field("l", DataType::Int64, "long"),
        field("r", DataType::Float64, "real"),
        field("d", DataType::Decimal128(10, 2), "decimal"),
        field("s", DataType::Utf8, "string"),
        field("dt", DataType::Timestamp(TimeUnit::Nanosecond, None), "datetime"),
        field("ts", DataType::Duration(TimeUnit::Nanosecond), "timespan"),
        field("g", DataType::Utf8, "guid"),
        field("dyn", DataType::Utf8, "dynamic"),
    ]))
}

/// Five rows: every type, nulls, unicode and emoji, NaN and infinity, a
/// negative timespan, dynamic arrays/objects/strings and pretty-printed JSON.
fn batch() -> RecordBatch {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(BooleanArray::from(vec![Some(true), Some(false), None, Some(true), Some(false)])),
        Arc::new(Int32Array::from(vec![Some(1), Some(i32::MIN), None, Some(42), Some(7)])),
        Arc::new(Int64Array::from(vec![Some(9_007_199_254_740_993), Some(-1), None, Some(0), Some(i64::MIN)])),
        Arc::new(Float64Array::from(vec![Some(1.0), Some(0.1 + 0.2), Some(f64::NAN), Some(f64::INFINITY), None])),
        Arc::new(
            Decimal128Array::from(vec![Some(150), Some(-5), None, Some(0), Some(1_234_567_890)])
                .with_precision_and_scale(10, 2)
                .unwrap(),
        ),
        Arc::new(StringArray::from(vec!["héllo, \"world\"", "🌐 🖥️ multi\nline", "", "tab\there", "x"])),
        Arc::new(TimestampNanosecondArray::from(vec![
            Some(JUNE_1),
            Some(JUNE_1 + (8 * 3600 + 9 * 60 + 10) * SEC + SEC / 4),
            None,
            Some(-100),
            Some(JUNE_1 + 100),
        ])),
        Arc::new(DurationNanosecondArray::from(vec![
            Some(5400 * SEC),
            Some(-(93_784 * SEC + SEC / 2)),
            None,
            Some(86_400 * SEC),
            Some(100),
        ])),
        Arc::new(StringArray::from(vec![Some(GUID), None, Some(ZERO_GUID), Some(GUID), Some(GUID)])),
        Arc::new(StringArray::from(vec![
            Some(r#"["a",1,null]"#),
            Some(r#"{"k": {"n": [1, 2]}, "s": "x"}"#),
            None,
            Some(r#""str""#),
            Some("{\n  \"pretty\": true\n}"),
        ])),
    ];
    RecordBatch::try_new(schema(), columns).unwrap()
}

fn render(format: OutputFormat, opts: &OutputOptions, batches: &[RecordBatch]) -> (String, SinkSummary) {
    let buffer = SharedBuffer::default();
    let mut schema = batches.first().map_or_else(schema, |b| b.schema());
    if format == OutputFormat::Svg {
        // SVG draws what a query renders: `render table` draws any result.
        let spec = kql_io::output::chart::RenderSpec { visualization: "table".into(), properties: Vec::new() };
        let metadata = [(kql_io::output::chart::RENDER_KEY.to_string(), spec.metadata_value())];
        schema = Arc::new(
            schema.as_ref().clone().with_metadata(metadata.into_iter().collect::<std::collections::HashMap<_, _>>()),
        );
    }
    let mut sink = sink(format, schema, Destination::writer(buffer.clone()), opts).unwrap();
    for b in batches {
        sink.write(b).unwrap();
    }
    let summary = sink.finish().unwrap();
    (buffer.contents(), summary)
}

fn text(format: OutputFormat, batches: &[RecordBatch]) -> String {
    render(format, &OutputOptions::default(), batches).0
}

/// The fixture cut into batches of 2, 2 and 1 rows (plus an empty one).
fn in_pieces() -> Vec<RecordBatch> {
    let b = batch();
    vec![b.slice(0, 2), b.slice(2, 0), b.slice(2, 2), b.slice(4, 1)]
}

const CSV: &str = concat!(
    "b,i,l,r,d,s,dt,ts,g,dyn\n",
    "true,1,9007199254740993,1,1.50,\"héllo, \"\"world\"\"\",2025-06-01T00:00:00Z,01:30:00,",
    "0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11,\"[\"\"a\"\",1,null]\"\n",
    "false,-2147483648,-1,0.30000000000000004,-0.05,\"🌐 🖥️ multi\nline\",2025-06-01T08:09:10.25Z,",
    "-1.02:03:04.5000000,,\"{\"\"k\"\": {\"\"n\"\": [1, 2]}, \"\"s\"\": \"\"x\"\"}\"\n",
    ",,,NaN,,,,,00000000-0000-0000-0000-000000000000,\n",
    "true,42,0,Infinity,0.00,tab\there,1969-12-31T23:59:59.9999999Z,1.00:00:00,",
    "0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11,\"\"\"str\"\"\"\n",
    "false,7,-9223372036854775808,,12345678.90,x,2025-06-01T00:00:00.0000001Z,00:00:00.0000001,",
    "0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11,\"{\n  \"\"pretty\"\": true\n}\"\n",
);

const ROWS_JSON: [&str; 5] = [
    r#"{"b":true,"i":1,"l":9007199254740993,"r":1.0,"d":1.50,"s":"héllo, \"world\"","dt":"2025-06-01T00:00:00Z","ts":"01:30:00","g":"0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11","dyn":["a",1,null]}"#,
    r#"{"b":false,"i":-2147483648,"l":-1,"r":0.30000000000000004,"d":-0.05,"s":"🌐 🖥️ multi\nline","dt":"2025-06-01T08:09:10.25Z","ts":"-1.02:03:04.5000000","g":null,"dyn":{"k": {"n": [1, 2]}, "s": "x"}}"#,
    r#"{"b":null,"i":null,"l":null,"r":"NaN","d":null,"s":"","dt":null,"ts":null,"g":"00000000-0000-0000-0000-000000000000","dyn":null}"#,
    r#"{"b":true,"i":42,"l":0,"r":"Infinity","d":0.00,"s":"tab\there","dt":"1969-12-31T23:59:59.9999999Z","ts":"1.00:00:00","g":"0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11","dyn":"str"}"#,
    r#"{"b":false,"i":7,"l":-9223372036854775808,"r":null,"d":12345678.90,"s":"x","dt":"2025-06-01T00:00:00.0000001Z","ts":"00:00:00.0000001","g":"0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11","dyn":{  "pretty": true}}"#,
];

#[test]
fn csv_every_type() {
    assert_eq!(text(OutputFormat::Csv, &[batch()]), CSV);
}

#[test]
fn csv_of_a_large_batch_encoded_on_every_core_is_in_order() {
    // A batch is cut into slices encoded in parallel (several rounds of
    // them past 16,384 rows a slice): the text must be the fixture's rows
    // over and over, in order, under one header — and the same whether the
    // rows come in one batch or in uneven ones.
    let copies = 30_011;
    let one = batch();
    let big = arrow_select::concat::concat_batches(&one.schema(), &vec![one.clone(); copies]).unwrap();
    let (header, rows) = CSV.split_once('\n').unwrap();
    let expected = format!("{header}\n{}", rows.repeat(copies));
    // Megabytes of text: report where they part, not the whole of them.
    let same = |got: String| match got.bytes().zip(expected.bytes()).position(|(a, b)| a != b) {
        None => assert_eq!(got.len(), expected.len(), "lengths differ"),
        Some(at) => {
            let near = &got.as_bytes()[at.saturating_sub(40)..(at + 40).min(got.len())];
            panic!("the texts differ at byte {at}: {:?}", String::from_utf8_lossy(near))
        }
    };
    same(text(OutputFormat::Csv, std::slice::from_ref(&big)));
    let mut uneven = Vec::new();
    let mut start = 0;
    for len in [1, 4_999, 40_000, 3, 70_000, big.num_rows() - 115_003] {
        uneven.push(big.slice(start, len));
        start += len;
    }
    assert_eq!(uneven.iter().map(RecordBatch::num_rows).sum::<usize>(), big.num_rows());
    same(text(OutputFormat::Csv, &uneven));
}

#[test]
fn ndjson_every_type() {
    let expected: String = ROWS_JSON.iter().map(|r| format!("{r}\n")).collect();
    assert_eq!(text(OutputFormat::Ndjson, &[batch()]), expected);
}

#[test]
fn json_every_type() {
    let expected = format!("[\n{}\n]\n", ROWS_JSON.join(",\n"));
    let out = text(OutputFormat::Json, &[batch()]);
    assert_eq!(out, expected);

    // What a JSON reader sees: dynamic values are JSON values, not strings;
    // keys keep column order; long stays exact.
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = value.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0]["dyn"], serde_json::json!(["a", 1, null]));
    assert_eq!(rows[1]["dyn"]["k"]["n"][1], 2);
    assert_eq!(rows[4]["dyn"], serde_json::json!({"pretty": true}));
    assert_eq!(rows[0]["l"].as_i64(), Some(9_007_199_254_740_993));
    assert_eq!(rows[1]["r"].as_f64(), Some(0.1 + 0.2));
    assert_eq!(rows[2]["r"], "NaN");
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 10);
}

#[test]
fn table_every_type() {
    let (out, summary) = render(OutputFormat::Table, &OutputOptions::default(), &[batch()]);
    // Numbers (int, long, real, decimal) are right-aligned, their names too.
    insta::assert_snapshot!(out, @r#"
    +-------+-------------+----------------------+---------------------+-------------+-------------------+------------------------------+---------------------+--------------------------------------+--------------------------------+
    | b     |           i |                    l |                   r |           d | s                 | dt                           | ts                  | g                                    | dyn                            |
    +-------+-------------+----------------------+---------------------+-------------+-------------------+------------------------------+---------------------+--------------------------------------+--------------------------------+
    | true  |           1 |     9007199254740993 |                   1 |        1.50 | héllo, "world"    | 2025-06-01T00:00:00Z         | 01:30:00            | 0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11 | ["a",1,null]                   |
    | false | -2147483648 |                   -1 | 0.30000000000000004 |       -0.05 | 🌐 🖥️ multi\nline | 2025-06-01T08:09:10.25Z      | -1.02:03:04.5000000 |                                      | {"k": {"n": [1, 2]}, "s": "x"} |
    |       |             |                      |                 NaN |             |                   |                              |                     | 00000000-0000-0000-0000-000000000000 |                                |
    | true  |          42 |                    0 |            Infinity |        0.00 | tab\there         | 1969-12-31T23:59:59.9999999Z | 1.00:00:00          | 0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11 | "str"                          |
    | false |           7 | -9223372036854775808 |                     | 12345678.90 | x                 | 2025-06-01T00:00:00.0000001Z | 00:00:00.0000001    | 0b8e0c36-5b5a-4d1a-9d43-6a1f4e0c2b11 | {  "pretty": true}             |
    +-------+-------------+----------------------+---------------------+-------------+-------------------+------------------------------+---------------------+--------------------------------------+--------------------------------+
    "#);
    assert_eq!(summary.rows, 5);
    assert_eq!(summary.rows_written, 5);
    assert_eq!(summary.bytes, out.len() as u64);
}

#[test]
fn batches_give_the_same_output_as_one_batch() {
    for format in OutputFormat::ALL.into_iter().filter(|f| !f.needs_file()) {
        let (whole, s1) = render(format, &OutputOptions::default(), &[batch()]);
        let (pieces, s2) = render(format, &OutputOptions::default(), &in_pieces());
        assert_eq!(whole, pieces, "{format}");
        assert_eq!(s1, s2, "{format}");
    }
}

#[test]
fn empty_results() {
    assert_eq!(text(OutputFormat::Csv, &[]), "b,i,l,r,d,s,dt,ts,g,dyn\n");
    assert_eq!(text(OutputFormat::Csv, &[batch().slice(0, 0)]), "b,i,l,r,d,s,dt,ts,g,dyn\n");
    assert_eq!(text(OutputFormat::Json, &[]), "[]\n");
    assert_eq!(text(OutputFormat::Json, &[batch().slice(0, 0)]), "[]\n");
    assert_eq!(text(OutputFormat::Ndjson, &[]), "");
    let (table, summary) = render(OutputFormat::Table, &OutputOptions::default(), &[batch().slice(0, 0)]);
    assert_eq!(summary.rows, 0);
    insta::assert_snapshot!(table, @r"
    +---+---+---+---+---+---+----+----+---+-----+
    | b | i | l | r | d | s | dt | ts | g | dyn |
    +---+---+---+---+---+---+----+----+---+-----+
    +---+---+---+---+---+---+----+----+---+-----+
    (0 rows)
    ");
}

fn wide_batch(rows: usize) -> RecordBatch {
    let names: Vec<String> = (0..rows).map(|i| format!("row {i}")).collect();
    let long = "🌐 flows from 10.0.0.1 to 🖥️ web-01, through the gateway, and then back again";
    let schema =
        Arc::new(Schema::new(vec![field("Name", DataType::Utf8, "string"), field("Text", DataType::Utf8, "string")]));
    RecordBatch::try_new(
        schema,
        vec![Arc::new(StringArray::from(names)), Arc::new(StringArray::from(vec![long; rows]))],
    )
    .unwrap()
}

#[test]
fn table_cuts_wide_cells_and_counts_hidden_rows() {
    // Name is 5 wide and keeps it; Text gets the rest of 33 columns: 33 - 7 (frame) - 5 = 21.
    let opts = OutputOptions { max_rows: 2, max_width: 33, show_types: false, ..OutputOptions::default() };
    let b = wide_batch(5);
    let (out, summary) = render(OutputFormat::Table, &opts, &[b.slice(0, 1), b.slice(1, 3), b.slice(4, 1)]);
    // 20 columns of the text (🌐 is 2), then "…": 21 columns.
    insta::assert_snapshot!(out, @r"
    +-------+-----------------------+
    | Name  | Text                  |
    +-------+-----------------------+
    | row 0 | 🌐 flows from 10.0.0… |
    | row 1 | 🌐 flows from 10.0.0… |
    +-------+-----------------------+
    … 3 more rows
    ");
    assert_eq!(summary.rows, 5);
    assert_eq!(summary.rows_written, 2);

    // 29 columns for Text: "🌐 flows from 10.0.0.1 to " is 26, 🖥️ 2 more, "…" 1.
    let opts = OutputOptions { max_rows: 4, max_width: 41, show_types: false, ..OutputOptions::default() };
    let (out, _) = render(OutputFormat::Table, &opts, std::slice::from_ref(&b));
    assert!(out.contains("| row 0 | 🌐 flows from 10.0.0.1 to 🖥️… |"), "{out}");
    // 28 columns: 🖥️ would leave no room for the "…", so it goes whole
    // (never its selector alone) and the cell is padded to 28.
    let opts = OutputOptions { max_rows: 4, max_width: 40, show_types: false, ..OutputOptions::default() };
    let (out, _) = render(OutputFormat::Table, &opts, &[b]);
    assert!(out.contains("| row 0 | 🌐 flows from 10.0.0.1 to …  |"), "{out}");
    assert!(out.ends_with("+\n… 1 more row\n"), "{out}");
}

#[test]
fn table_with_types() {
    let opts = OutputOptions { show_types: true, ..OutputOptions::default() };
    let b = batch();
    let (out, _) = render(OutputFormat::Table, &opts, &[b.project(&[0, 6, 9]).unwrap().slice(0, 1)]);
    insta::assert_snapshot!(out, @r#"
    +------+----------------------+--------------+
    | b    | dt                   | dyn          |
    | bool | datetime             | dynamic      |
    +------+----------------------+--------------+
    | true | 2025-06-01T00:00:00Z | ["a",1,null] |
    +------+----------------------+--------------+
    "#);
}

#[test]
fn columns_without_metadata_get_their_arrow_types_kusto_type() {
    let batch = RecordBatch::try_from_iter([
        ("n", Arc::new(Int64Array::from(vec![5])) as ArrayRef),
        ("t", Arc::new(TimestampNanosecondArray::from(vec![JUNE_1]).with_timezone("+02:00")) as ArrayRef),
        ("x", Arc::new(Float64Array::from(vec![2.5])) as ArrayRef),
        ("span", Arc::new(arrow_array::DurationSecondArray::from(vec![-60])) as ArrayRef),
    ])
    .unwrap();
    // Zone or not, datetimes are UTC instants; other units become ns.
    assert_eq!(
        text(OutputFormat::Csv, std::slice::from_ref(&batch)),
        "n,t,x,span\n5,2025-06-01T00:00:00Z,2.5,-00:01:00\n"
    );
    assert_eq!(
        text(OutputFormat::Ndjson, &[batch]),
        "{\"n\":5,\"t\":\"2025-06-01T00:00:00Z\",\"x\":2.5,\"span\":\"-00:01:00\"}\n"
    );
}

#[test]
fn unsupported_columns_and_formats_are_errors() {
    let binary = Arc::new(Schema::new(vec![Field::new("bin", DataType::Binary, true)]));
    let err = sink(OutputFormat::Csv, binary, Destination::writer(SharedBuffer::default()), &OutputOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, OutputError::UnsupportedType { ref column, .. } if column == "bin"), "{err}");

    let bogus = Arc::new(Schema::new(vec![field("x", DataType::Int64, "quaternion")]));
    let err = sink(OutputFormat::Json, bogus, Destination::writer(SharedBuffer::default()), &OutputOptions::default())
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "cannot write column `x` (Int64) to the output stream: `quaternion` is not a Kusto type"
    );

    let err = sink(OutputFormat::Parquet, schema(), Destination::stdout(), &OutputOptions::default()).err().unwrap();
    assert!(matches!(err, OutputError::FormatNeedsFile { .. }));
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "kql::io::format_needs_file");
}

#[test]
fn a_batch_that_does_not_fit_the_schema_is_an_error() {
    let mut sink =
        sink(OutputFormat::Csv, schema(), Destination::writer(SharedBuffer::default()), &OutputOptions::default())
            .unwrap();
    let other = RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![5])) as ArrayRef)]).unwrap();
    let err = sink.write(&other).unwrap_err();
    assert!(matches!(err, OutputError::SchemaMismatch { .. }), "{err}");
    // The sink gave up; it says so rather than writing half a result.
    assert!(matches!(sink.write(&batch()).unwrap_err(), OutputError::Abandoned { .. }));
    assert!(matches!(sink.finish().unwrap_err(), OutputError::Abandoned { .. }));
}

#[test]
fn format_names_and_extensions() {
    for f in OutputFormat::ALL {
        assert_eq!(f.to_string().parse::<OutputFormat>().unwrap(), f);
    }
    assert_eq!("JSONL".parse::<OutputFormat>().unwrap(), OutputFormat::Ndjson);
    let err = "xml".parse::<OutputFormat>().unwrap_err();
    assert_eq!(err.to_string(), "unknown output format `xml`");
    assert_eq!(OutputFormat::from_extension("out/r.CSV"), Some(OutputFormat::Csv));
    assert_eq!(OutputFormat::from_extension("r.jsonl"), Some(OutputFormat::Ndjson));
    assert_eq!(OutputFormat::from_extension("r.ndjson"), Some(OutputFormat::Ndjson));
    assert_eq!(OutputFormat::from_extension("r.json"), Some(OutputFormat::Json));
    assert_eq!(OutputFormat::from_extension("r.parquet"), Some(OutputFormat::Parquet));
    assert_eq!(OutputFormat::from_extension("r.txt"), Some(OutputFormat::Table));
    assert_eq!(OutputFormat::from_extension("r.xlsx"), None);
    assert_eq!(OutputFormat::from_extension("r"), None);
}

#[test]
fn dynamic_values_that_are_not_one_json_document() {
    let schema = Arc::new(Schema::new(vec![field("v", DataType::Utf8, "dynamic")]));
    let values = StringArray::from(vec![Some("not json"), Some(""), Some("  7 "), Some("[1] [2]"), None]);
    let b = RecordBatch::try_new(schema, vec![Arc::new(values)]).unwrap();
    // JSON never breaks: stray text becomes a string, empty text null.
    assert_eq!(
        text(OutputFormat::Ndjson, std::slice::from_ref(&b)),
        "{\"v\":\"not json\"}\n{\"v\":null}\n{\"v\":7}\n{\"v\":\"[1] [2]\"}\n{\"v\":null}\n"
    );
    // CSV shows the text as it is. (An empty cell alone on its line is
    // written `""` so that readers do not skip it as a blank line.)
    assert_eq!(text(OutputFormat::Csv, &[b]), "v\nnot json\n\"\"\n  7 \n[1] [2]\n\"\"\n");
}

#[test]
fn nested_arrow_columns_are_dynamic() {
    use arrow_array::ListArray;
    use arrow_array::types::Int64Type;
    let list = ListArray::from_iter_primitive::<Int64Type, _, _>(vec![Some(vec![Some(1), None]), None, Some(vec![])]);
    let b = RecordBatch::try_from_iter([("xs", Arc::new(list) as ArrayRef)]).unwrap();
    assert_eq!(text(OutputFormat::Ndjson, std::slice::from_ref(&b)), "{\"xs\":[1,null]}\n{\"xs\":null}\n{\"xs\":[]}\n");
    assert_eq!(text(OutputFormat::Csv, &[b]), "xs\n\"[1,null]\"\n\"\"\n[]\n");
}

#[test]
fn a_huge_result_keeps_only_the_shown_rows_for_the_table() {
    let opts = OutputOptions { max_rows: 3, max_width: 60, show_types: false, ..OutputOptions::default() };
    let buffer = SharedBuffer::default();
    let b = wide_batch(8192);
    let mut sink = sink(OutputFormat::Table, b.schema(), Destination::writer(buffer.clone()), &opts).unwrap();
    for _ in 0..250 {
        sink.write(&b).unwrap();
    }
    let summary = sink.finish().unwrap();
    assert_eq!(summary.rows, 250 * 8192);
    assert_eq!(summary.rows_written, 3);
    let out = buffer.contents();
    assert_eq!(out.lines().count(), 3 + 4 + 1);
    assert!(out.ends_with("+\n… 2047997 more rows\n"), "{out}");
}

#[test]
fn rows_without_columns() {
    // `print x = 1 | project-away x`: rows but no columns. Found by the
    // fuzz suite, where every writer failed with a schema mismatch.
    let batch = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(2)),
    )
    .unwrap();
    let (json, summary) = render(OutputFormat::Json, &OutputOptions::default(), std::slice::from_ref(&batch));
    assert_eq!((json.replace('\n', ""), summary.rows), ("[{},{}]".to_string(), 2));
    assert_eq!(text(OutputFormat::Ndjson, std::slice::from_ref(&batch)), "{}\n{}\n");
    let (csv, summary) = render(OutputFormat::Csv, &OutputOptions::default(), std::slice::from_ref(&batch));
    assert_eq!(summary.rows, 2, "{csv}");
    let (_, summary) = render(OutputFormat::Table, &OutputOptions::default(), &[batch]);
    assert_eq!(summary.rows, 2);
}

const VNET_A: &str = "/subscriptions/c00c9a61-8823-49c1-b172-06099c910524/resourceGroups/rg-prod-app/providers/Microsoft.Network/virtualNetworks/vnet-prod-app-westeurope";
const VNET_B: &str = "/subscriptions/ad1d4767-1dbc-4bc7-b0bd-c47d228e1234/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub";

/// Two VNets (resource IDs), their flows and a kind.
fn vnets() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        field("Vnet", DataType::Utf8, "string"),
        field("Flows", DataType::Int64, "long"),
        field("Kind", DataType::Utf8, "string"),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec![VNET_A, VNET_B])),
            Arc::new(Int64Array::from(vec![18, 1234])),
            Arc::new(StringArray::from(vec!["S2S", "ExternalPublic"])),
        ],
    )
    .unwrap()
}

#[test]
fn a_fitted_table_keeps_the_names_at_the_end_of_paths() {
    // 60 columns: frame 10, room 50; Flows (5) and Kind (14) keep their
    // width, Vnet gets 31. A's name (25) + "…" leaves 5 for the start; B's
    // short name leaves 21 (the segment before it, 16, is more than half).
    let opts = OutputOptions { max_width: 60, ..OutputOptions::default() };
    let (out, summary) = render(OutputFormat::Table, &opts, &[vnets()]);
    insta::assert_snapshot!(out, @r"
    +---------------------------------+-------+----------------+
    | Vnet                            | Flows | Kind           |
    +---------------------------------+-------+----------------+
    | /subs…/vnet-prod-app-westeurope |    18 | S2S            |
    | /subscriptions/ad1d47…/vnet-hub |  1234 | ExternalPublic |
    +---------------------------------+-------+----------------+
    ");
    assert_eq!((summary.rows, summary.rows_written), (2, 2));

    // 45 columns: the minimums (Vnet 26 for its longest name after a "…",
    // Flows 5, Kind 6) do not all fit. Vnet, then the last column, then the
    // others from the left while they fit, with a "…" column for the rest:
    // 45 - 7 - 4 = 34 for Vnet (26) and Kind (8).
    let opts = OutputOptions { max_width: 45, ..OutputOptions::default() };
    let (out, _) = render(OutputFormat::Table, &opts, &[vnets()]);
    insta::assert_snapshot!(out, @r"
    +----------------------------+---+----------+
    | Vnet                       | … | Kind     |
    +----------------------------+---+----------+
    | …/vnet-prod-app-westeurope | … | S2S      |
    | /subscriptions/a…/vnet-hub | … | Externa… |
    +----------------------------+---+----------+
    … 1 more column: Flows; the line format show…
    ");

    // 0: never cut.
    let opts = OutputOptions { max_width: 0, ..OutputOptions::default() };
    let (out, _) = render(OutputFormat::Table, &opts, &[vnets()]);
    assert!(out.contains(&format!("| {VNET_A} |")), "{out}");
    assert!(out.contains(&format!("| {VNET_B}{} |", " ".repeat(VNET_A.len() - VNET_B.len()))), "{out}");
}

#[test]
fn an_emoji_with_a_variation_selector_is_two_columns() {
    // 🖥️ is U+1F5A5 U+FE0F: narrow in Unicode's tables alone, 2 columns on
    // terminals with the selector, so "🖥️10.0.0.5" is 10 wide like "10.0.0.155 ".
    let schema =
        Arc::new(Schema::new(vec![field("Src", DataType::Utf8, "string"), field("Port", DataType::Int32, "int")]));
    let b = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec!["\u{1F5A5}\u{FE0F}10.0.0.5", "10.0.0.155", "🌐 a"])),
            Arc::new(Int32Array::from(vec![443, 22, 8080])),
        ],
    )
    .unwrap();
    insta::assert_snapshot!(text(OutputFormat::Table, &[b]), @r"
    +------------+------+
    | Src        | Port |
    +------------+------+
    | 🖥️10.0.0.5 |  443 |
    | 10.0.0.155 |   22 |
    | 🌐 a       | 8080 |
    +------------+------+
    ");
}

#[test]
fn line_format_one_value_per_line() {
    // Names right-aligned to the widest (Flows); values cut to 40 - 5 - 3 = 32.
    let opts = OutputOptions { max_width: 40, ..OutputOptions::default() };
    let (out, summary) = render(OutputFormat::Line, &opts, &[vnets()]);
    assert_eq!(
        out,
        " Vnet = /subsc…/vnet-prod-app-westeurope\n\
         Flows = 18\n \
         Kind = S2S\n\
         \n \
         Vnet = /subscriptions/ad1d476…/vnet-hub\n\
         Flows = 1234\n \
         Kind = ExternalPublic\n"
    );
    assert_eq!(summary.rows_written, 2);

    // Uncut, first row only, the rest counted.
    let opts = OutputOptions { max_rows: 1, max_width: 0, show_types: false, ..OutputOptions::default() };
    let (out, summary) = render(OutputFormat::Line, &opts, &[vnets()]);
    assert_eq!(out, format!(" Vnet = {VNET_A}\nFlows = 18\n Kind = S2S\n\n… 1 more row\n"));
    assert_eq!((summary.rows, summary.rows_written), (2, 1));

    let (out, _) = render(OutputFormat::Line, &OutputOptions::default(), &[vnets().slice(0, 0)]);
    assert_eq!(out, "(0 rows)\n");
}

#[test]
fn markdown_pipe_table() {
    let schema =
        Arc::new(Schema::new(vec![field("Name", DataType::Utf8, "string"), field("N", DataType::Int64, "long")]));
    let b = RecordBatch::try_new(
        schema,
        vec![Arc::new(StringArray::from(vec!["a|b", "x"])), Arc::new(Int64Array::from(vec![5, 12345]))],
    )
    .unwrap();
    // `|` escaped, numbers right-aligned (`--:`), at least 3 dashes; never cut.
    let opts = OutputOptions { max_width: 5, ..OutputOptions::default() };
    let (out, _) = render(OutputFormat::Markdown, &opts, &[b]);
    assert_eq!(out, "| Name |     N |\n|------|------:|\n| a\\|b |     5 |\n| x    | 12345 |\n");
    let (out, _) = render(OutputFormat::Markdown, &opts, &[vnets()]);
    assert!(out.contains(VNET_A), "{out}");
}

#[test]
fn file_extensions_choose_the_format_or_say_why_not() {
    assert_eq!(OutputFormat::for_path("r.md").unwrap(), OutputFormat::Markdown);
    assert_eq!(OutputFormat::for_path("dir/report.TXT").unwrap(), OutputFormat::Table);
    assert_eq!(OutputFormat::for_path("r.pq").unwrap(), OutputFormat::Parquet);
    let code = |e: &OutputError| miette::Diagnostic::code(e).unwrap().to_string();

    assert_eq!(OutputFormat::for_path("chart.html").unwrap(), OutputFormat::Html);
    assert_eq!(OutputFormat::for_path("chart.SVG").unwrap(), OutputFormat::Svg);
    assert_eq!(OutputFormat::for_path("g.dot").unwrap(), OutputFormat::Dot);
    assert_eq!(OutputFormat::for_path("g.gv").unwrap(), OutputFormat::Dot);
    assert_eq!(OutputFormat::for_path("g.mmd").unwrap(), OutputFormat::Mermaid);

    for name in ["report.xlsx", "report"] {
        let err = OutputFormat::for_path(name).unwrap_err();
        assert_eq!(code(&err), "kql::io::unknown_extension");
        assert_eq!(err.to_string(), format!("cannot tell the output format from the file name `{name}`"));
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert!(
            help.contains(".csv .json .ndjson .jsonl .parquet .pq .md .txt .svg .html .htm .dot .gv .mmd"),
            "{help}"
        );
    }
    assert_eq!("md".parse::<OutputFormat>().unwrap(), OutputFormat::Markdown);
    assert_eq!("LINE".parse::<OutputFormat>().unwrap(), OutputFormat::Line);
}
