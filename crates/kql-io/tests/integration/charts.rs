//! The chart and graph writers: column roles, what the SVG draws (counted by
//! element class), the HTML page's isolation and escaping, and the edge sets
//! of DOT and Mermaid graphs.

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use kql_io::output::chart::graph::GraphOptions;
use kql_io::output::chart::{Chart, ColumnInfo, RENDER_KEY, RenderSpec, Roles, roles};
use kql_io::output::{Destination, OutputError, OutputFormat, OutputOptions, SharedBuffer, write_all};
use kql_types::ScalarType;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

const HOUR: i64 = 3_600_000_000_000;
/// 2025-06-01T00:00:00Z
const JUNE_1: i64 = 1_748_736_000 * 1_000_000_000;

fn field(name: &str, dt: DataType, kusto: &str) -> Field {
    Field::new(name, dt, true).with_metadata(HashMap::from([("kusto.type".to_string(), kusto.to_string())]))
}

fn spec(vis: &str, props: &[(&str, &str)]) -> RenderSpec {
    RenderSpec {
        visualization: vis.to_string(),
        properties: props.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

/// Time, Type, Flows, Bytes: 3 hours × 2 types.
fn flows(render: Option<RenderSpec>) -> (SchemaRef, RecordBatch) {
    let fields = vec![
        field("Time", DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())), "datetime"),
        field("Type", DataType::Utf8, "string"),
        field("Flows", DataType::Int64, "long"),
        field("Bytes", DataType::Float64, "real"),
    ];
    let metadata: HashMap<String, String> =
        render.map(|r| HashMap::from([(RENDER_KEY.to_string(), r.metadata_value())])).unwrap_or_default();
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    let t = |h: i64| JUNE_1 + h * HOUR;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(TimestampNanosecondArray::from(vec![t(0), t(0), t(1), t(1), t(2), t(2)]).with_timezone("UTC")),
        Arc::new(StringArray::from(vec!["In<b>", "Out&", "In<b>", "Out&", "In<b>", "Out&"])),
        Arc::new(Int64Array::from(vec![Some(5), Some(7), Some(3), None, Some(9), Some(1)])),
        Arc::new(Float64Array::from(vec![1.5, 2.5, 3.5, 4.5, 5.5, 6.5])),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    (schema, batch)
}

fn write(
    format: OutputFormat,
    schema: SchemaRef,
    batch: &RecordBatch,
    opts: &OutputOptions,
) -> Result<String, OutputError> {
    let buffer = SharedBuffer::default();
    write_all(format, schema, Destination::writer(buffer.clone()), opts, [batch])?;
    Ok(buffer.contents())
}

fn svg(render: RenderSpec) -> Result<String, OutputError> {
    let (schema, batch) = flows(Some(render));
    write(OutputFormat::Svg, schema, &batch, &OutputOptions::default())
}

fn code(e: &OutputError) -> String {
    miette::Diagnostic::code(e).map(|c| c.to_string()).unwrap_or_default()
}

/// Elements whose class attribute starts with `class`.
fn count(text: &str, class: &str) -> usize {
    text.matches(&format!("class=\"{class}")).count()
}

fn cols(spec: &[(&str, ScalarType)]) -> Vec<ColumnInfo> {
    spec.iter().map(|(n, k)| ColumnInfo { name: n.to_string(), kind: *k }).collect()
}

#[test]
fn roles_follow_the_render_operator_when_properties_are_absent() {
    let c = cols(&[
        ("Time", ScalarType::DateTime),
        ("Type", ScalarType::String),
        ("Flows", ScalarType::Long),
        ("Dir", ScalarType::String),
        ("Bytes", ScalarType::Real),
    ]);
    let chart = Chart::new(&spec("timechart", &[])).unwrap();
    assert_eq!(roles(&c, &chart).unwrap(), Roles { x: 0, ys: vec![2, 4], series: vec![1, 3] });
    // Overrides.
    let chart =
        Chart::new(&spec("linechart", &[("xcolumn", "Flows"), ("ycolumns", "Bytes"), ("series", "Dir")])).unwrap();
    assert_eq!(roles(&c, &chart).unwrap(), Roles { x: 2, ys: vec![4], series: vec![3] });
    // ycolumns lists, with spaces.
    let chart = Chart::new(&spec("columnchart", &[("ycolumns", "Bytes, Flows")])).unwrap();
    assert_eq!(roles(&c, &chart).unwrap().ys, vec![4, 2]);
    // Mistakes are explained.
    let chart = Chart::new(&spec("linechart", &[("ycolumns", "Type")])).unwrap();
    assert!(roles(&c, &chart).unwrap_err().contains("not a number"));
    let chart = Chart::new(&spec("linechart", &[("xcolumn", "Nope")])).unwrap();
    assert!(roles(&c, &chart).unwrap_err().contains("`Nope` is not in the result"));
    let strings = cols(&[("Name", ScalarType::String), ("Other", ScalarType::String)]);
    assert!(roles(&strings, &Chart::new(&spec("columnchart", &[])).unwrap()).unwrap_err().contains("no numeric"));
    let chart = Chart::new(&spec("timechart", &[("xcolumn", "Type")])).unwrap();
    assert!(roles(&c, &chart).unwrap_err().contains("datetime"));
}

#[test]
fn properties_ntaq_does_not_draw_are_refused() {
    for (vis, props) in [
        ("anomalychart", vec![]),
        ("treemap", vec![]),
        ("timechart", vec![("ysplit", "panels")]),
        ("timechart", vec![("kind", "stacked")]),
        ("columnchart", vec![("kind", "map")]),
        ("columnchart", vec![("yaxis", "log")]),
        ("piechart", vec![("anomalycolumns", "x")]),
    ] {
        let err = svg(spec(vis, &props)).unwrap_err();
        assert_eq!(code(&err), "kql::unsupported::chart", "{vis} {props:?}: {err}");
    }
    let err = svg(spec("timechart", &[("xcolumn", "Type")])).unwrap_err();
    assert_eq!(code(&err), "kql::io::chart_data");
    // No `render`: no SVG chart, but an HTML table page.
    let (schema, batch) = flows(None);
    let err = write(OutputFormat::Svg, schema.clone(), &batch, &OutputOptions::default()).unwrap_err();
    assert_eq!(code(&err), "kql::io::no_chart");
    let page = write(OutputFormat::Html, schema, &batch, &OutputOptions::default()).unwrap();
    assert!(!page.contains("<svg"));
    assert_eq!(page.matches("<tr>").count(), 7);
}

#[test]
fn timechart_draws_one_line_per_series_and_a_point_per_value() {
    let out = svg(spec("timechart", &[("title", "Flows <by> type"), ("ycolumns", "Flows")])).unwrap();
    assert!(out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{out}");
    assert_eq!(count(&out, "series"), 2);
    // Out& has no Flows at 01:00.
    assert_eq!(count(&out, "point"), 5);
    assert_eq!(count(&out, "legend-item"), 2);
    assert!(out.contains(">Flows &lt;by&gt; type</text>"), "title escaped");
    assert!(out.contains("<title>In&lt;b&gt; · 2025-06-01T02:00:00Z: 9</title>"), "{out}");
    assert!(out.contains(">2025-06-01T01:00:00Z</text>"), "ISO tick labels: {out}");
    // Both y columns without ycolumns: series × columns.
    let out = svg(spec("linechart", &[])).unwrap();
    assert_eq!(count(&out, "series"), 4);
    assert_eq!(count(&out, "point"), 11);
    assert!(out.contains("In&lt;b&gt;:Bytes"), "{out}");
}

#[test]
fn accumulate_adds_up_each_series() {
    let out = svg(spec("linechart", &[("ycolumns", "Flows"), ("accumulate", "true")])).unwrap();
    assert!(out.contains("In&lt;b&gt; · 2025-06-01T02:00:00Z: 17</title>"), "{out}");
}

#[test]
fn bars_are_one_rect_per_value_side_by_side_or_stacked() {
    for vis in ["columnchart", "barchart"] {
        let out = svg(spec(vis, &[("ycolumns", "Flows"), ("xcolumn", "Type")])).unwrap();
        // x = Type (2 categories), y = Flows, no series: one series, values summed per category.
        assert_eq!(count(&out, "bar"), 2, "{vis}");
        assert!(out.contains("Flows · In&lt;b&gt;: 17</title>"), "{out}");
    }
    let out = svg(spec("columnchart", &[("ycolumns", "Flows"), ("kind", "stacked")])).unwrap();
    // x = Time (3 categories), series = Type (2): 5 values.
    assert_eq!(count(&out, "bar"), 5);
    assert_eq!(count(&out, "legend-item"), 2);
    let out = svg(spec("barchart", &[("ycolumns", "Flows"), ("kind", "stacked100")])).unwrap();
    assert!(out.contains("Out&amp; · 2025-06-01T00:00:00Z: 7 (58.3%)</title>"), "{out}");
}

#[test]
fn areas_pies_scatters_cards_and_tables() {
    let out = svg(spec("areachart", &[("ycolumns", "Flows"), ("kind", "stacked")])).unwrap();
    assert_eq!(count(&out, "area"), 2);
    let out = svg(spec("piechart", &[("xcolumn", "Type"), ("ycolumns", "Bytes")])).unwrap();
    assert_eq!(count(&out, "slice"), 2);
    assert!(out.contains("<title>Out&amp;: 13.5 (56."), "{out}");
    let out = svg(spec("scatterchart", &[("xcolumn", "Flows"), ("ycolumns", "Bytes")])).unwrap();
    assert_eq!(count(&out, "point"), 5, "a point per row with an x value");
    let out = svg(spec("card", &[])).unwrap();
    assert!(out.contains(">In&lt;b&gt;</text>") && out.contains(">2025-06-01T00:00:00Z</text>"), "{out}");
    let out = svg(spec("table", &[])).unwrap();
    assert_eq!(count(&out, "cell"), 28);
}

#[test]
fn html_is_one_page_with_nothing_from_the_network_and_every_value_escaped() {
    let (schema, batch) =
        flows(Some(spec("columnchart", &[("title", "<script>alert(1)</script>"), ("series", "Type")])));
    let fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    let mut with_url = fields.clone();
    with_url.push(field("Url", DataType::Utf8, "string"));
    let schema2 = Arc::new(Schema::new_with_metadata(with_url, schema.metadata().clone()));
    let mut columns = batch.columns().to_vec();
    columns.push(Arc::new(StringArray::from(vec!["https://evil.example/x.js\"><script>"; 6])));
    let batch = RecordBatch::try_new(schema2.clone(), columns).unwrap();
    let page = write(OutputFormat::Html, schema2, &batch, &OutputOptions::default()).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<svg").count(), 1);
    assert_eq!(page.matches("<script>").count(), 1, "only our legend script");
    assert!(!page.contains("<script>alert"));
    // URLs only inside the data cells.
    let data_cell = "<td>https://evil.example/x.js&quot;&gt;&lt;script&gt;</td>";
    assert_eq!(page.matches(data_cell).count(), 6);
    let rest = page.replace(data_cell, "");
    assert!(!rest.contains("http://") && !rest.contains("https://"), "{rest}");
    assert!(!rest.contains(" src=") && !rest.contains(" href="));
    assert_eq!(page.matches("<tr>").count(), 7);
}

/// The (source, target) edges of a DOT or Mermaid text.
fn edges(text: &str, arrow: &str) -> BTreeSet<(String, String)> {
    let mut names = HashMap::new();
    let mut out = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if let Some((id, label)) = line.split_once(" [label=").or_else(|| line.split_once("[\""))
            && !line.contains(arrow)
        {
            let label = label.trim_end_matches("];").trim_end_matches(']').trim_matches('"');
            names.insert(id.to_string(), label.to_string());
        }
    }
    for line in text.lines().map(str::trim) {
        if let Some((a, b)) = line.split_once(arrow) {
            let b = b.trim_end_matches(';').split_whitespace().last().unwrap_or("");
            out.insert((names[a.trim()].clone(), names[b].clone()));
        }
    }
    out
}

#[test]
fn graphs_list_every_distinct_pair_once() {
    let schema = Arc::new(Schema::new(vec![
        field("Src", DataType::Utf8, "string"),
        field("Dst", DataType::Utf8, "string"),
        field("N", DataType::Int64, "long"),
    ]));
    let src = vec!["10.0.0.1", "10.0.0.1", "a\"b", "10.0.0.2", "10.0.0.1"];
    let dst = vec!["10.0.0.2", "10.0.0.2", "x#<y>", "10.0.0.1", "a\"b"];
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(src.clone())),
            Arc::new(StringArray::from(dst.clone())),
            Arc::new(Int64Array::from(vec![1, 2, 3, 4, 5])),
        ],
    )
    .unwrap();
    let expected: BTreeSet<(String, String)> =
        src.iter().zip(&dst).map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let dot = write(OutputFormat::Dot, schema.clone(), &batch, &OutputOptions::default()).unwrap();
    assert_eq!(dot.matches(" -> ").count(), 4);
    let unescaped = dot.replace("\\\"", "\"");
    assert_eq!(edges(&unescaped, " -> "), expected, "{dot}");
    let mmd = write(OutputFormat::Mermaid, schema.clone(), &batch, &OutputOptions::default()).unwrap();
    assert!(mmd.starts_with("flowchart LR\n"));
    assert_eq!(mmd.matches(" --> ").count(), 4);
    let unescaped = mmd.replace("#quot;", "\"").replace("#lt;", "<").replace("#gt;", ">").replace("#35;", "#");
    assert_eq!(edges(&unescaped, " --> "), expected, "{mmd}");
    // --weight sums a pair's rows; --edges picks the columns.
    let opts = OutputOptions {
        graph: GraphOptions {
            edges: Some(("Dst".into(), "Src".into())),
            weight: Some("N".into()),
            ..Default::default()
        },
        ..OutputOptions::default()
    };
    let dot = write(OutputFormat::Dot, schema.clone(), &batch, &opts).unwrap();
    assert!(dot.contains("n0 -> n1 [label=\"3\"];"), "{dot}");
    let bad = OutputOptions {
        graph: GraphOptions { edges: None, weight: Some("Src".into()), ..Default::default() },
        ..OutputOptions::default()
    };
    assert_eq!(code(&write(OutputFormat::Dot, schema, &batch, &bad).unwrap_err()), "kql::io::graph");
}

/// Issue 15 item 3: every property ntaq accepts is drawn — axis titles as
/// `axis-title` text, `legend=hidden` as no legend — and the ones it does
/// not draw (ysplit other than none, log axes) are refused by name.
#[test]
fn axis_titles_and_hidden_legends_are_drawn() {
    for vis in ["timechart", "columnchart", "barchart", "areachart"] {
        let out = svg(spec(vis, &[("ycolumns", "Flows"), ("xtitle", "When <x>"), ("ytitle", "How many")])).unwrap();
        assert!(out.contains(">When &lt;x&gt;</text>") && out.contains(">How many</text>"), "{vis}: {out}");
        assert_eq!(count(&out, "axis-title"), 2, "{vis}");
        let hidden = svg(spec(vis, &[("ycolumns", "Flows"), ("legend", "hidden")])).unwrap();
        assert_eq!(count(&hidden, "legend-item"), 0, "{vis}");
        assert_eq!(count(&svg(spec(vis, &[("ycolumns", "Flows")])).unwrap(), "legend-item"), 2, "{vis}");
    }
    for (name, value) in [("ysplit", "axes"), ("ysplit", "panels"), ("xaxis", "log"), ("yaxis", "log")] {
        let err = svg(spec("linechart", &[(name, value)])).unwrap_err();
        assert_eq!(code(&err), "kql::unsupported::chart", "{name}={value}");
        assert!(err.to_string().contains(&format!("{name}={value}")), "{err}");
    }
    // ysplit=none and linear axes are what is drawn anyway.
    assert!(svg(spec("linechart", &[("ysplit", "none"), ("xaxis", "linear"), ("yaxis", "linear")])).is_ok());
}
