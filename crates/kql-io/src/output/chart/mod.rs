//! Charts and graphs: `--format svg`, `html`, `dot`, `mermaid`.
//!
//! A query ending in `render` carries its visualization and properties in
//! the result schema's metadata ([`RENDER_KEY`], written by the executor from
//! the plan). The chart writers keep every row (a chart needs them all),
//! then draw at the end:
//!
//! * [`svg`]: our own small SVG writer (no dependency, no script, no URL):
//!   lines/areas over x, vertical or horizontal bars (stacked too), pie
//!   slices, scatter points, a table or a card; every point, bar and slice
//!   has a `<title>` with its value for hover.
//! * [`html`]: one self-contained page: the SVG inline above an HTML table
//!   of the result; nothing is loaded from anywhere.
//! * [`graph`]: DOT and Mermaid flow graphs of an edge list, and the HTML
//!   graph view ([`graph_view`], laid out by [`layout`], nodes styled by
//!   [`nodes`], edges capped by [`cap`]).
//!
//! Column roles follow Kusto's render operator when the properties do not
//! name them: x is the first column, y every numeric column, and the
//! string columns other than x make the series.

pub mod cap;
pub mod graph;
pub mod graph_view;
pub(crate) mod html;
pub mod layout;
pub mod nodes;
pub mod scale;
pub(crate) mod svg;
pub mod terminal;

use super::dest::Output;
use super::error::OutputError;
use super::kusto::Layout;
use super::text::{format_datetime, format_real, text_column};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampNanosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use kql_types::ScalarType;
use std::collections::HashMap;
use std::io::Write;

/// The schema metadata key holding a result's `render` annotation (JSON:
/// `{"visualization": "timechart", "properties": [["title", "…"], …]}`).
pub const RENDER_KEY: &str = "kusto.render";

/// What `render` asked for: the visualization and its properties (names in
/// lower case, values as text).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderSpec {
    pub visualization: String,
    pub properties: Vec<(String, String)>,
}

impl RenderSpec {
    /// The value stored under [`RENDER_KEY`].
    pub fn metadata_value(&self) -> String {
        serde_json::json!({ "visualization": self.visualization, "properties": self.properties }).to_string()
    }

    /// The annotation of a result schema, if it has one.
    pub fn from_schema(schema: &Schema) -> Option<RenderSpec> {
        let text = schema.metadata().get(RENDER_KEY)?;
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let visualization = value.get("visualization")?.as_str()?.to_string();
        let properties = value
            .get("properties")?
            .as_array()?
            .iter()
            .filter_map(|p| Some((p.get(0)?.as_str()?.to_string(), p.get(1)?.as_str()?.to_string())))
            .collect();
        Some(RenderSpec { visualization, properties })
    }
}

/// The visualizations drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vis {
    Time,
    Line,
    Area,
    Column,
    Bar,
    Pie,
    Scatter,
    Table,
    Card,
}

/// `kind=` of area, bar and column charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    None,
    Stacked,
    Stacked100,
}

/// A `render` annotation checked: what to draw and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub vis: Vis,
    pub title: Option<String>,
    pub xcolumn: Option<String>,
    pub ycolumns: Vec<String>,
    pub series: Vec<String>,
    pub stack: Stack,
    pub xtitle: Option<String>,
    pub ytitle: Option<String>,
    pub legend: bool,
    pub accumulate: bool,
    pub ymin: Option<f64>,
    pub ymax: Option<f64>,
}

fn list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl Chart {
    /// Checks an annotation; the error says what ntaq does not draw.
    pub fn new(spec: &RenderSpec) -> Result<Chart, String> {
        let (vis, mut stack) = match spec.visualization.as_str() {
            "timechart" => (Vis::Time, Stack::None),
            "linechart" => (Vis::Line, Stack::None),
            "areachart" => (Vis::Area, Stack::None),
            "stackedareachart" => (Vis::Area, Stack::Stacked),
            "columnchart" => (Vis::Column, Stack::None),
            "barchart" => (Vis::Bar, Stack::None),
            "piechart" => (Vis::Pie, Stack::None),
            "scatterchart" => (Vis::Scatter, Stack::None),
            "table" => (Vis::Table, Stack::None),
            "card" => (Vis::Card, Stack::None),
            other => return Err(format!("`render {other}` is not drawn by ntaq")),
        };
        let mut chart = Chart {
            vis,
            title: None,
            xcolumn: None,
            ycolumns: Vec::new(),
            series: Vec::new(),
            stack,
            xtitle: None,
            ytitle: None,
            legend: true,
            accumulate: false,
            ymin: None,
            ymax: None,
        };
        for (name, value) in &spec.properties {
            let bad = || format!("`{name}={value}` is not supported by ntaq's charts");
            let number = || value.parse::<f64>().map_err(|_| format!("`{name}` needs a number, not `{value}`"));
            match name.as_str() {
                "title" => chart.title = Some(value.clone()),
                "xtitle" => chart.xtitle = Some(value.clone()),
                "ytitle" => chart.ytitle = Some(value.clone()),
                "xcolumn" => chart.xcolumn = Some(value.clone()),
                "ycolumns" => chart.ycolumns = list(value),
                "series" => chart.series = list(value),
                "kind" => {
                    stack = match value.as_str() {
                        "default" | "unstacked" => Stack::None,
                        "stacked" => Stack::Stacked,
                        "stacked100" => Stack::Stacked100,
                        _ => return Err(bad()),
                    };
                    if stack != Stack::None && !matches!(vis, Vis::Area | Vis::Column | Vis::Bar) {
                        return Err(format!("`kind={value}` applies to area, column and bar charts only"));
                    }
                    chart.stack = stack;
                }
                "legend" => {
                    chart.legend = match value.as_str() {
                        "visible" => true,
                        "hidden" => false,
                        _ => return Err(bad()),
                    }
                }
                "accumulate" => {
                    chart.accumulate = match value.as_str() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(bad()),
                    }
                }
                "ysplit" if value == "none" => {}
                "xaxis" | "yaxis" if value == "linear" => {}
                "ymin" => chart.ymin = Some(number()?),
                "ymax" => chart.ymax = Some(number()?),
                _ => return Err(bad()),
            }
        }
        Ok(chart)
    }
}

/// A column as the charts see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    pub kind: ScalarType,
}

pub fn is_numeric(kind: ScalarType) -> bool {
    matches!(kind, ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal)
}

/// Which column plays which part (indexes into the result's columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    pub x: usize,
    pub ys: Vec<usize>,
    pub series: Vec<usize>,
}

/// Column roles as Kusto's render operator documents them: `xcolumn`,
/// `ycolumns` and `series` when given, else x is the first column, y every
/// numeric column other than x (and the series), and the series are the
/// string columns other than x.
pub fn roles(columns: &[ColumnInfo], chart: &Chart) -> Result<Roles, String> {
    let find = |name: &str, what: &str| {
        columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| format!("the {what} column `{name}` is not in the result"))
    };
    if columns.is_empty() {
        return Err("the result has no columns".to_string());
    }
    let x = match &chart.xcolumn {
        Some(name) => find(name, "x")?,
        None => 0,
    };
    let series = if chart.series.is_empty() {
        (0..columns.len()).filter(|&i| i != x && columns[i].kind == ScalarType::String).collect()
    } else {
        chart.series.iter().map(|s| find(s, "series")).collect::<Result<Vec<_>, _>>()?
    };
    let ys: Vec<usize> = if chart.ycolumns.is_empty() {
        (0..columns.len()).filter(|&i| i != x && !series.contains(&i) && is_numeric(columns[i].kind)).collect()
    } else {
        let ys = chart.ycolumns.iter().map(|s| find(s, "y")).collect::<Result<Vec<_>, _>>()?;
        if let Some(&i) = ys.iter().find(|&&i| !is_numeric(columns[i].kind)) {
            return Err(format!("the y column `{}` is {}, not a number", columns[i].name, columns[i].kind));
        }
        ys
    };
    if ys.is_empty() {
        return Err("the result has no numeric column for the y axis (ycolumns=…)".to_string());
    }
    if chart.vis == Vis::Time && columns[x].kind != ScalarType::DateTime {
        return Err(format!(
            "a timechart's x column must be a datetime; `{}` is {} (xcolumn=…)",
            columns[x].name, columns[x].kind
        ));
    }
    Ok(Roles { x, ys, series })
}

/// Every cell of a result: its text (Kusto's form, `""` for null) and, for
/// numbers and datetimes (nanoseconds), its value.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub columns: Vec<ColumnInfo>,
    pub text: Vec<Vec<String>>,
    pub value: Vec<Vec<Option<f64>>>,
    pub rows: usize,
}

impl Data {
    pub fn new(columns: Vec<ColumnInfo>) -> Data {
        let n = columns.len();
        Data { columns, text: vec![Vec::new(); n], value: vec![Vec::new(); n], rows: 0 }
    }

    /// Adds a prepared batch (canonical columns).
    pub(crate) fn push(&mut self, batch: &RecordBatch) -> Result<(), arrow_schema::ArrowError> {
        for (i, column) in batch.columns().iter().enumerate() {
            let kind = self.columns[i].kind;
            let text = text_column(kind, column.as_ref())?;
            let text = text.as_string::<i32>();
            self.text[i].extend(
                (0..text.len()).map(|r| if text.is_null(r) { String::new() } else { text.value(r).to_string() }),
            );
            if is_numeric(kind) {
                let v = arrow_cast::cast(column, &DataType::Float64)?;
                let v = v.as_primitive::<Float64Type>();
                self.value[i].extend((0..v.len()).map(|r| (!v.is_null(r)).then(|| v.value(r))));
            } else if kind == ScalarType::DateTime && matches!(column.data_type(), DataType::Timestamp(..)) {
                let v = column.as_primitive::<TimestampNanosecondType>();
                self.value[i].extend((0..v.len()).map(|r| (!v.is_null(r)).then(|| v.value(r) as f64)));
            }
        }
        self.rows += batch.num_rows();
        Ok(())
    }

    fn value(&self, col: usize, row: usize) -> Option<f64> {
        self.value[col].get(row).copied().flatten().filter(|v| v.is_finite())
    }
}

/// How x positions are read: datetimes and numbers on a continuous axis,
/// anything else as categories in order of first appearance.
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    Time,
    Linear,
    Category(Vec<String>),
}

/// Row `r`'s values of the series columns, joined: the series it belongs to.
fn series_key(data: &Data, roles: &Roles, r: usize) -> String {
    roles.series.iter().map(|&c| data.text[c][r].as_str()).collect::<Vec<_>>().join(", ")
}

/// The name of the series of y column `y` for rows of series `key`: the
/// column's name without series columns, the key with one y column, else both.
fn series_name(data: &Data, roles: &Roles, key: &str, y: usize) -> String {
    match (roles.series.is_empty(), roles.ys.len()) {
        (true, _) => data.columns[y].name.clone(),
        (false, 1) => key.to_string(),
        (false, _) => format!("{key}:{}", data.columns[y].name),
    }
}

/// Each result column's name and kind, as the chart and graph writers see them.
pub(crate) fn column_infos(layout: &Layout) -> Vec<ColumnInfo> {
    layout
        .schema
        .fields()
        .iter()
        .zip(&layout.kinds)
        .map(|(f, k)| ColumnInfo { name: f.name().clone(), kind: *k })
        .collect()
}

/// One series on a grid of x positions (`values[i]` at `xs[i]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// The chart's data: distinct x positions in order, one row of values per
/// series (values of one series at one x are added).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub axis: XAxis,
    pub xs: Vec<f64>,
    pub series: Vec<Series>,
}

/// Builds the grid of a line, area, column, bar or pie chart.
pub fn grid(data: &Data, roles: &Roles, chart: &Chart) -> Grid {
    let xkind = data.columns[roles.x].kind;
    let categorical =
        matches!(chart.vis, Vis::Column | Vis::Bar | Vis::Pie) || !(xkind == ScalarType::DateTime || is_numeric(xkind));
    // x position of each row
    let mut categories: Vec<String> = Vec::new();
    let mut cat_index: HashMap<String, usize> = HashMap::new();
    let mut row_x: Vec<Option<f64>> = Vec::with_capacity(data.rows);
    for r in 0..data.rows {
        if categorical {
            let t = &data.text[roles.x][r];
            let next = categories.len();
            let i = *cat_index.entry(t.clone()).or_insert_with(|| {
                categories.push(t.clone());
                next
            });
            row_x.push(Some(i as f64));
        } else {
            row_x.push(data.value(roles.x, r));
        }
    }
    let mut xs: Vec<f64> = row_x.iter().flatten().copied().collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let position = |x: f64| xs.binary_search_by(|p| p.total_cmp(&x)).ok();
    let mut series: Vec<Series> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (r, x) in row_x.iter().enumerate() {
        let Some(i) = x.and_then(position) else { continue };
        let key = series_key(data, roles, r);
        for &y in &roles.ys {
            let Some(v) = data.value(y, r) else { continue };
            let name = series_name(data, roles, &key, y);
            let next = series.len();
            let s = *by_name.entry(name.clone()).or_insert_with(|| {
                series.push(Series { name, values: vec![None; xs.len()] });
                next
            });
            let slot = &mut series[s].values[i];
            *slot = Some(slot.unwrap_or(0.0) + v);
        }
    }
    if chart.accumulate {
        for s in &mut series {
            let mut total = 0.0;
            for v in s.values.iter_mut().flatten() {
                total += *v;
                *v = total;
            }
        }
    }
    let axis = if categorical {
        XAxis::Category(categories)
    } else if xkind == ScalarType::DateTime {
        XAxis::Time
    } else {
        XAxis::Linear
    };
    Grid { axis, xs, series }
}

/// The label of position `x` on an axis: a datetime, a number or the
/// category's name (`(empty)` for an empty one).
pub(crate) fn x_label(axis: &XAxis, x: f64) -> String {
    match axis {
        XAxis::Time => format_datetime(x as i64),
        XAxis::Linear => format_real(x),
        XAxis::Category(c) => shown(c.get(x as usize).map_or("", String::as_str)).to_string(),
    }
}

/// An empty category or series name as `(empty)` in labels.
pub(crate) fn shown(name: &str) -> &str {
    if name.is_empty() { "(empty)" } else { name }
}

/// A scatter series: its name and its points (x, y, row) in row order.
pub type Points = (String, Vec<(f64, f64, usize)>);

/// Scatter points of each series.
pub fn scatter(data: &Data, roles: &Roles) -> (XAxis, Vec<Points>) {
    let xkind = data.columns[roles.x].kind;
    let numeric = xkind == ScalarType::DateTime || is_numeric(xkind);
    let mut categories: Vec<String> = Vec::new();
    let mut cat_index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Points> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for r in 0..data.rows {
        let x = if numeric {
            data.value(roles.x, r)
        } else {
            let t = &data.text[roles.x][r];
            let next = categories.len();
            let i = *cat_index.entry(t.clone()).or_insert_with(|| {
                categories.push(t.clone());
                next
            });
            Some(i as f64)
        };
        let Some(x) = x else { continue };
        let key = series_key(data, roles, r);
        for &y in &roles.ys {
            let Some(v) = data.value(y, r) else { continue };
            let name = series_name(data, roles, &key, y);
            let next = out.len();
            let s = *by_name.entry(name.clone()).or_insert_with(|| {
                out.push((name, Vec::new()));
                next
            });
            out[s].1.push((x, v, r));
        }
    }
    let axis = if !numeric {
        XAxis::Category(categories)
    } else if xkind == ScalarType::DateTime {
        XAxis::Time
    } else {
        XAxis::Linear
    };
    (axis, out)
}

/// Text for SVG and HTML (the one escape, shared with `ntaq recommend`).
pub use kql_types::html::escape;

/// What a chart sink draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    Svg,
    Html,
}

/// The `svg` and `html` writers: keep the rows, draw at the end.
pub(crate) struct ChartSink {
    out: Output,
    layout: Layout,
    page: Page,
    chart: Option<Chart>,
    data: Data,
}

impl ChartSink {
    /// Checks the annotation and the column roles before any row is read.
    pub fn new(out: Output, layout: Layout, page: Page, spec: Option<RenderSpec>) -> Result<ChartSink, OutputError> {
        let target = out.errors().target.clone();
        let columns = column_infos(&layout);
        let chart = match spec {
            Some(spec) => {
                let chart = Chart::new(&spec).map_err(|reason| OutputError::UnsupportedChart { reason })?;
                if !matches!(chart.vis, Vis::Table | Vis::Card) {
                    roles(&columns, &chart).map_err(|reason| OutputError::ChartData { target, reason })?;
                }
                Some(chart)
            }
            None if page == Page::Svg => return Err(OutputError::NoChart),
            None => None,
        };
        Ok(ChartSink { out, layout, page, chart, data: Data::new(columns) })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        let errors = self.out.errors().clone();
        let batch = self.layout.prepare(batch, &errors.target)?;
        self.data.push(&batch).map_err(|e| errors.arrow(e))
    }

    pub fn finish(mut self) -> Result<(Output, u64), OutputError> {
        let errors = self.out.errors().clone();
        let chart_data = |reason: String| OutputError::ChartData { target: errors.target.clone(), reason };
        let text = match self.page {
            Page::Svg => match &self.chart {
                Some(chart) => svg::draw(&self.data, chart, true).map_err(chart_data)?,
                None => return Err(OutputError::NoChart),
            },
            Page::Html => html::page(&self.data, self.chart.as_ref()).map_err(chart_data)?,
        };
        self.out.write_all(text.as_bytes()).map_err(|e| errors.io(e))?;
        Ok((self.out, self.data.rows as u64))
    }
}
