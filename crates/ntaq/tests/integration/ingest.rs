//! Log Analytics exports as users have them: the bundled sample written as
//! the portal's CSV, the Azure CLI's JSON and data export's gzip'd JSON
//! lines gives the same answers to the article's queries as the Parquet
//! sample, directly and after `ntaq convert`; malformed exports fail with
//! located errors and status 2, or are skipped with `--lenient`.

use crate::common::{README_PARAMS, ntaq, ntaq_with as ntaq_with_input, repo, stderr};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use kql_syntax::time::{NANOS_PER_DAY, NANOS_PER_HOUR, NANOS_PER_MIN, NANOS_PER_SEC, civil_from_days};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

/// One cell of the sample, by Kusto type.
#[derive(Clone, Debug)]
enum V {
    Null,
    Str(String),
    Long(i64),
    Real(f64),
    Bool(bool),
    /// Nanoseconds since the epoch.
    Time(i64),
}

/// The rows of a sample table, column names in order.
fn sample(table: &str) -> (Vec<String>, Vec<Vec<V>>) {
    let file = std::fs::File::open(repo().join(format!("testdata/sample/{table}.parquet"))).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
    let names = batches[0].schema().fields().iter().map(|f| f.name().clone()).collect();
    let mut rows = Vec::new();
    for b in &batches {
        for r in 0..b.num_rows() {
            let row = b
                .columns()
                .iter()
                .map(|c| {
                    if c.is_null(r) {
                        return V::Null;
                    }
                    match c.data_type() {
                        DataType::Utf8 => V::Str(c.as_string::<i32>().value(r).to_string()),
                        DataType::Int32 => V::Long(i64::from(c.as_primitive::<Int32Type>().value(r))),
                        DataType::Int64 => V::Long(c.as_primitive::<Int64Type>().value(r)),
                        DataType::Float64 => V::Real(c.as_primitive::<Float64Type>().value(r)),
                        DataType::Boolean => V::Bool(c.as_boolean().value(r)),
                        DataType::Timestamp(TimeUnit::Microsecond, _) => {
                            V::Time(c.as_primitive::<TimestampMicrosecondType>().value(r) * 1000)
                        }
                        other => panic!("unexpected column type {other}"),
                    }
                })
                .collect();
            rows.push(row);
        }
    }
    (names, rows)
}

/// `6/1/2025, 1:02:03.004 PM`: the portal's en-US display form (ms).
fn portal_time(ns: i64) -> String {
    let (y, m, d) = civil_from_days(ns.div_euclid(NANOS_PER_DAY));
    let rem = ns.rem_euclid(NANOS_PER_DAY);
    let h = rem / NANOS_PER_HOUR;
    let (h12, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    let min = rem % NANOS_PER_HOUR / NANOS_PER_MIN;
    let s = rem % NANOS_PER_MIN / NANOS_PER_SEC;
    let ms = rem % NANOS_PER_SEC / 1_000_000;
    format!("{m}/{d}/{y}, {h12}:{min:02}:{s:02}.{ms:03} {half}")
}

/// Kusto's ISO form with 7 fraction digits.
fn iso(ns: i64) -> String {
    kql_syntax::time::format_datetime(ns)
}

fn real_text(x: f64) -> String {
    format!("{x}")
}

/// The portal's "Export to CSV": a byte-order mark, datetime headers named
/// with the display time zone, datetimes in the display form (to the ms).
fn write_portal_csv(path: &Path, (names, rows): &(Vec<String>, Vec<Vec<V>>)) {
    let times: Vec<bool> = (0..names.len()).map(|k| rows.iter().any(|r| matches!(r[k], V::Time(_)))).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> =
        names.iter().zip(&times).map(|(n, t)| if *t { format!("{n} [UTC]") } else { n.clone() }).collect();
    w.write_record(&header).unwrap();
    for r in rows {
        w.write_record(r.iter().map(|v| match v {
            V::Null => String::new(),
            V::Str(s) => s.clone(),
            V::Long(x) => x.to_string(),
            V::Real(x) => real_text(*x),
            V::Bool(b) => b.to_string(),
            V::Time(t) => portal_time(*t),
        }))
        .unwrap();
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(w.into_inner().unwrap());
    std::fs::write(path, bytes).unwrap();
}

/// `az monitor log-analytics query -o json`: `TableName` first, then every
/// value as Python's `str()` — numbers as text, `True`/`False`, `None`.
fn write_cli_json(path: &Path, (names, rows): &(Vec<String>, Vec<Vec<V>>)) {
    let objects: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut o = Map::new();
            o.insert("TableName".into(), json!("PrimaryResult"));
            for (n, v) in names.iter().zip(r) {
                let text = match v {
                    V::Null => "None".to_string(),
                    V::Str(s) => s.clone(),
                    V::Long(x) => x.to_string(),
                    V::Real(x) => real_text(*x),
                    V::Bool(b) => if *b { "True" } else { "False" }.to_string(),
                    V::Time(t) => iso(*t),
                };
                o.insert(n.clone(), Value::String(text));
            }
            Value::Object(o)
        })
        .collect();
    std::fs::write(path, serde_json::to_string_pretty(&objects).unwrap()).unwrap();
}

/// Log Analytics data export: one JSON object per line, typed values, null
/// values left out, an `_ItemId`, gzip'd blobs in `y=/m=/d=/h=` folders by
/// hour of TimeGenerated, under the `am-<table>` container's name.
fn write_data_export(dir: &Path, (names, rows): &(Vec<String>, Vec<Vec<V>>)) {
    let generated = names.iter().position(|n| n == "TimeGenerated").unwrap();
    let mut blobs: std::collections::BTreeMap<String, String> = Default::default();
    for (i, r) in rows.iter().enumerate() {
        let mut o = Map::new();
        for (n, v) in names.iter().zip(r) {
            let value = match v {
                V::Null => continue,
                V::Str(s) => json!(s),
                V::Long(x) => json!(x),
                V::Real(x) => json!(x),
                V::Bool(b) => json!(b),
                V::Time(t) => json!(iso(*t)),
            };
            o.insert(n.clone(), value);
        }
        o.insert("_ItemId".into(), json!(format!("item-{i}")));
        let V::Time(t) = r[generated] else { panic!("TimeGenerated is set") };
        let (y, m, d) = civil_from_days(t.div_euclid(NANOS_PER_DAY));
        let h = t.rem_euclid(NANOS_PER_DAY) / NANOS_PER_HOUR;
        let blob = format!("WorkspaceResourceId=/y={y}/m={m:02}/d={d:02}/h={h:02}/m=00/PT1H.json.gz");
        let text = blobs.entry(blob).or_default();
        text.push_str(&serde_json::to_string(&Value::Object(o)).unwrap());
        text.push('\n');
    }
    for (blob, text) in blobs {
        let path = dir.join(blob);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        std::fs::write(path, gz.finish().unwrap()).unwrap();
    }
}

/// The sample in every export format, each in its own data directory.
struct Exports {
    _tmp: tempfile::TempDir,
    csv: PathBuf,
    json: PathBuf,
    jsonl: PathBuf,
}

fn exports() -> Exports {
    let tmp = tempfile::tempdir().unwrap();
    let (csv, json, jsonl) = (tmp.path().join("csv"), tmp.path().join("json"), tmp.path().join("jsonl"));
    for d in [&csv, &json, &jsonl] {
        std::fs::create_dir(d).unwrap();
    }
    for table in ["NTANetAnalytics", "NTAIpDetails"] {
        let rows = sample(table);
        write_portal_csv(&csv.join(format!("{table}.csv")), &rows);
        write_cli_json(&json.join(format!("{table}.json")), &rows);
        write_data_export(&jsonl.join(format!("am-{}", table.to_ascii_lowercase())), &rows);
    }
    Exports { _tmp: tmp, csv, json, jsonl }
}

/// The result of a query file (or `-c` text) on a data source, as sorted
/// NDJSON lines (the queries do not order their rows, except scenario 2's
/// `top`, whose ties may come in any order).
fn rows(source: &[&str], query: &str) -> Vec<String> {
    let mut args = vec!["run", "-q", "--format", "ndjson", "--max-rows", "0"];
    args.extend(source);
    args.extend(README_PARAMS);
    if query.ends_with(".kql") {
        args.push(query);
    } else {
        args.extend(["-c", query]);
    }
    let o = ntaq(&args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    // (Each scenario uses some of the parameters; the others are reported unused.)
    let err = stderr(&o);
    assert!(!err.contains("kql::io::") && !err.contains("warning:"), "no warning for a clean export: {err}");
    let mut lines: Vec<String> = String::from_utf8(o.stdout).unwrap().lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// The four scenarios' results on a data source, from one run with
/// `--output-dir`, each as sorted NDJSON lines.
fn scenarios(source: &[&str]) -> Vec<Vec<String>> {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["run", "-q", "--format", "ndjson", "--output-dir", out.path().to_str().unwrap()];
    args.extend(source);
    args.extend(README_PARAMS);
    args.push("queries/*.kql");
    let o = ntaq(&args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("kql::io::") && !err.contains("warning:"), "no warning for a clean export: {err}");
    (1..=4)
        .map(|n| {
            let text = std::fs::read_to_string(out.path().join(format!("scenario{n}.ndjson"))).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines.sort();
            lines
        })
        .collect()
}

fn parquet_dir() -> PathBuf {
    repo().join("testdata/sample")
}

fn dir_arg(p: &Path) -> [&str; 2] {
    ["--data", p.to_str().unwrap()]
}

/// Row counts computed independently of the engine (crates/ntaq-gen/tests/integration/sample.rs).
const SCENARIO_ROWS: [(usize, usize); 4] = [(1, 61), (2, 29), (3, 744), (4, 202)];

#[test]
fn the_article_queries_give_the_same_results_on_every_export_format() {
    let e = exports();
    let expected = scenarios(&dir_arg(&parquet_dir()));
    for (n, count) in SCENARIO_ROWS {
        assert_eq!(expected[n - 1].len(), count, "scenario{n} on Parquet");
    }
    for (format, dir) in [("CSV", &e.csv), ("JSON", &e.json), ("JSON lines", &e.jsonl)] {
        let got = scenarios(&dir_arg(dir));
        for n in 1..=4 {
            assert_eq!(got[n - 1], expected[n - 1], "scenario{n} on {format}");
        }
    }
}

#[test]
fn every_value_survives_each_export() {
    let e = exports();
    // The portal shows (and exports) datetimes to the millisecond; the
    // sample's ingestion times have microseconds.
    let to_ms = "| extend TimeGenerated = bin(TimeGenerated, 1ms)";
    let net_ms = format!("NTANetAnalytics {to_ms}, TimeProcessed = bin(TimeProcessed, 1ms)");
    let ip_ms = format!("NTAIpDetails {to_ms}");
    for (query, exact) in [
        ("NTANetAnalytics | project-away _ItemId", true),
        ("NTAIpDetails | project-away _ItemId", true),
        (net_ms.as_str(), false),
        (ip_ms.as_str(), false),
    ] {
        let parquet_query = query.replace("| project-away _ItemId", "");
        let expected = rows(&dir_arg(&parquet_dir()), &parquet_query);
        assert_eq!(expected.len(), if query.starts_with("NTANet") { 2000 } else { 891 });
        if exact {
            assert_eq!(rows(&dir_arg(&e.jsonl), query), expected, "{query} from data export");
            assert_eq!(rows(&dir_arg(&e.json), &parquet_query), expected, "{query} from the CLI's JSON");
        } else {
            assert_eq!(rows(&dir_arg(&e.csv), query), expected, "{query} from the portal's CSV");
        }
    }
}

#[test]
fn tables_given_one_by_one() {
    let e = exports();
    let net = format!("NTANetAnalytics={}", e.csv.join("NTANetAnalytics.csv").display());
    let ip = format!("NTAIpDetails={}", e.jsonl.join("am-ntaipdetails").display());
    let expected = scenarios(&dir_arg(&parquet_dir()));
    assert_eq!(scenarios(&["--table", &net, "--table", &ip]), expected);
    // --table replaces the --data table of the same name.
    let one = e._tmp.path().join("one.csv");
    std::fs::write(&one, "SrcIp,CompletedFlows\n10.0.0.1,3\n").unwrap();
    let replaced = format!("NTANetAnalytics={}", one.display());
    let pq = parquet_dir();
    let source = ["--data", pq.to_str().unwrap(), "--table", replaced.as_str()];
    assert_eq!(rows(&source, "NTANetAnalytics | summarize n = count(), f = sum(CompletedFlows)"), [r#"{"n":1,"f":3}"#]);
    assert_eq!(rows(&source, "NTAIpDetails | count"), [r#"{"Count":891}"#], "the other table is --data's");
    let missing = ntaq(&["run", "--table", "NTANetAnalytics=/no/such.csv", "-c", "print 1"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("kql::io::unreadable: cannot read `/no/such.csv`"), "{}", stderr(&missing));

    // The shell's .load.
    let script = format!(
        ".load {} as Flows\nFlows | count\n\n.load {}\nNTAIpDetails | count\n",
        e.csv.join("NTANetAnalytics.csv").display(),
        e.json.join("NTAIpDetails.json").display()
    );
    let o = ntaq_with_input(&["repl"], &script);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains("|  2000 |") && out.contains("|   891 |"), "{out}");
    let err = stderr(&o);
    assert!(err.contains("loaded Flows (2000 rows)") && err.contains("loaded NTAIpDetails (891 rows)"), "{err}");
}

#[test]
fn convert_round_trip() {
    let e = exports();
    let out = e._tmp.path().join("converted");
    let net_out = out.join("NTANetAnalytics.parquet");
    let ip_out = out.join("NTAIpDetails.parquet");
    let o = ntaq(&["convert", e.csv.join("NTANetAnalytics.csv").to_str().unwrap(), "-o", net_out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("2000 rows of NTANetAnalytics from 1 file written to") && err.contains("93 columns"), "{err}");
    let o = ntaq(&["convert", e.jsonl.join("am-ntaipdetails").to_str().unwrap(), "--output", ip_out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("891 rows of NTAIpDetails from 24 files"), "{}", stderr(&o));

    let got = scenarios(&dir_arg(&out));
    let expected = scenarios(&dir_arg(&parquet_dir()));
    for (n, count) in SCENARIO_ROWS {
        assert_eq!(got[n - 1].len(), count);
        assert_eq!(got[n - 1], expected[n - 1], "scenario{n} after convert");
    }

    // The published schema, in order, with Kusto's types; data export's
    // extra column after it.
    let file = std::fs::File::open(&ip_out).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let schema = builder.schema().clone();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let (published, _) = sample("NTAIpDetails");
    let mut expected: Vec<&str> = published.iter().map(String::as_str).collect();
    expected.push("_ItemId");
    assert_eq!(names, expected);
    let field = schema.field_with_name("Port").unwrap();
    assert_eq!(field.data_type(), &DataType::Int32);
    assert_eq!(field.metadata().get("kusto.type").map(String::as_str), Some("int"));
    assert_eq!(
        schema.field_with_name("TimeGenerated").unwrap().data_type(),
        &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
    );
    let meta = builder.metadata();
    assert!(meta.row_groups().iter().all(|rg| rg.columns().iter().all(|c| c.statistics().is_some())));
}

/// A data directory holding one file, and the result of running a query on it.
fn run_on(name: &str, content: &str, extra: &[&str]) -> (Output, PathBuf, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(name);
    std::fs::write(&path, content).unwrap();
    let mut args = vec!["run", "--data", tmp.path().to_str().unwrap(), "-c", "NTAIpDetails | count"];
    args.extend(extra);
    (ntaq(&args), path, tmp)
}

#[test]
fn malformed_exports_fail_with_located_errors() {
    let header = "Ip,FlowType,Port,TimeGenerated\n";
    let good = "1.2.3.4,MaliciousFlow,443,2025-06-01T00:00:00Z\n";
    let cases = [
        (
            "NTAIpDetails.csv",
            format!("{header}{good}5.6.7.8,ExternalPublic,80\n"),
            "kql::io::ragged_row",
            "NTAIpDetails.csv` line 3 has 3 fields, but the header has 4",
        ),
        (
            "NTAIpDetails.csv",
            format!("{header}{good}5.6.7.8,ExternalPublic,80,\"13/1/2025, 1:00:00.000 AM\"\n"),
            "kql::io::bad_value",
            "NTAIpDetails.csv` line 3, column TimeGenerated: `13/1/2025, 1:00:00.000 AM` is not a datetime",
        ),
        (
            "NTAIpDetails.json",
            "[\n  {\"Ip\": \"1.2.3.4\", \"Port\": \"443\"},\n  {\"Ip\": \"5.6.7.8\", \"Port\": \"https\"}\n]\n"
                .to_string(),
            "kql::io::bad_value",
            "NTAIpDetails.json` line 3, column Port: `https` is not an int (a whole number)",
        ),
        (
            "NTAIpDetails.jsonl",
            "{\"Ip\": \"1.2.3.4\"}\n{\"Ip\": \"5.6.7.8\", \"Port\": 1.5}\n".to_string(),
            "kql::io::bad_value",
            "NTAIpDetails.jsonl` line 2, column Port: 1.5 is not an int (a whole number)",
        ),
        (
            "NTAIpDetails.json",
            "[\n  {\"Ip\": \"1.2.3.4\"},\n  {\"Ip\": \"5.6.7.8\"".to_string(),
            "kql::io::malformed",
            "NTAIpDetails.json` line 3: the JSON ends early",
        ),
    ];
    for (name, content, code, message) in cases {
        let (o, path, _tmp) = run_on(name, &content, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(code) && err.contains(message), "{name}: {err}");
        assert!(err.contains(&path.display().to_string()), "the full path is named: {err}");
        assert!(o.stdout.is_empty());
        // check reads the data the same way.
        let o = ntaq(&["check", "--data", path.parent().unwrap().to_str().unwrap(), "-"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(message), "{}", stderr(&o));

        // The shell's .load reports the same error, and goes on.
        let load = format!(".load {} as NTAIpDetails\nNTAIpDetails | count\n", path.display());
        let o = ntaq_with_input(&["repl"], &load);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains(code) && stderr(&o).contains(message), "{}", stderr(&o));

        if code == "kql::io::malformed" {
            continue; // a broken array cannot be read past
        }
        let o = ntaq_with_input(&["repl", "--lenient"], &load);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stderr(&o).contains("warning: 1 row of table NTAIpDetails skipped"), "{}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("|     1 |"));
        let (o, _, _tmp) = run_on(name, &content, &["--lenient", "--format", "csv"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{name} --lenient: {err}");
        assert_eq!(String::from_utf8_lossy(&o.stdout), "Count\n1\n", "the good row is kept");
        assert!(err.contains("warning: 1 row of table NTAIpDetails skipped (--lenient)"), "{err}");
        assert!(err.contains(message), "the skipped row is described: {err}");
    }
}

#[test]
fn convert_fails_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("NTANetAnalytics.csv");
    std::fs::write(&bad, "SrcIp,CompletedFlows\n10.0.0.1,1\n10.0.0.2,lots\n").unwrap();
    let out = tmp.path().join("out.parquet");
    let o = ntaq(&["convert", bad.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("line 3, column CompletedFlows: `lots` is not a long"), "{err}");
    assert!(err.contains("help: `CompletedFlows` is a long column of the published NTANetAnalytics schema"), "{err}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");

    let o = ntaq(&["convert", bad.to_str().unwrap(), "-o", out.to_str().unwrap(), "--lenient"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("warning: 1 row skipped (--lenient)"), "{err}");
    assert!(err.contains("note: the exports lack 91 published column(s) of NTANetAnalytics, written empty"), "{err}");
    assert!(err.contains("1 row of NTANetAnalytics from 1 file written to"), "{err}");

    let o = ntaq(&["convert", bad.to_str().unwrap(), "--table", "1x", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let o = ntaq(&["run", "--table", "NoEquals", "-c", "print 1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not NAME=PATH"), "{}", stderr(&o));
}

/// Issue 16: CSV files with CRLF line endings reported bad rows one line
/// too early (the csv crate counts a CRLF record's line one short).
#[test]
fn errors_in_crlf_csv_files_name_the_right_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("NTAIpDetails.csv");
    let header = "Ip,FlowType,FlowIntervalStartTime";
    let good = "1.2.3.4,MaliciousFlow,2025-06-01T00:00:00Z";
    for (eol, name) in [("\r\n", "CRLF"), ("\n", "LF")] {
        // Line 1 the header, lines 2-3 good rows, line 4 a bad value.
        let text = [header, good, good, "5.6.7.8,MaliciousFlow,notadate", ""].join(eol);
        std::fs::write(&path, text).unwrap();
        let o = ntaq(&["run", "--data", dir.path().to_str().unwrap(), "-c", "NTAIpDetails | count"]);
        assert!(
            stderr(&o).contains("NTAIpDetails.csv` line 4, column FlowIntervalStartTime"),
            "{name}: {}",
            stderr(&o)
        );
        // Line 3 a row with too few fields.
        let text = [header, good, "1.2.3.4,MaliciousFlow", ""].join(eol);
        std::fs::write(&path, text).unwrap();
        let o = ntaq(&["run", "--data", dir.path().to_str().unwrap(), "-c", "NTAIpDetails | count"]);
        assert!(stderr(&o).contains("line 3 has 2 fields"), "{name}: {}", stderr(&o));
    }
}
