//! The text chart the terminal's table format prints above the table of a
//! query that ends in `render` (`ntaq run` on a terminal, the shell):
//!
//! * **columnchart, barchart, piechart**: a horizontal bar per x value and
//!   series, the value at the right (a pie's with its share); with several
//!   series each line starts with the series' letter, named in the legend;
//! * **timechart, linechart, areachart**: a sparkline per series, from its
//!   lowest value (`▁`) to its highest (`█`), its name on the left, its
//!   minimum and maximum on the right, and the x range above; with more x
//!   values than room, each character is the mean of the values it covers;
//! * **scatterchart** is not drawn as text (a line says so); `table` and
//!   `card` are the table itself.
//!
//! Every line fits the width. The title and axis titles head the chart,
//! `legend=hidden` drops the legend (and the sparklines' names),
//! `accumulate`, `xcolumn`, `ycolumns` and `series` apply as in the SVG, and
//! `ymin`/`ymax` fix the bar scale's end and the sparklines' range; a
//! stacked `kind` is shown as each series' own values. The glyphs are
//! Unicode block elements, or ASCII (`#` bars, `_.-:=+*#` levels) where the
//! terminal's locale is not UTF-8.

use super::{Chart, Data, Grid, Roles, Vis, XAxis, grid, roles};
use crate::output::text::{format_datetime, format_real};
use crate::output::width::{cut_start, display_width};
use std::fmt::Write as _;

/// The characters a text chart is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyphs {
    Unicode,
    Ascii,
}

impl Glyphs {
    /// Unicode when the locale (`LC_ALL`, else `LC_CTYPE`, else `LANG`)
    /// names UTF-8, else ASCII.
    pub fn from_locale(get: impl Fn(&str) -> Option<String>) -> Glyphs {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|k| get(k).filter(|v| !v.is_empty()));
        match locale {
            Some(l) if l.to_ascii_lowercase().replace('-', "").contains("utf8") => Glyphs::Unicode,
            _ => Glyphs::Ascii,
        }
    }

    fn levels(self) -> [char; 8] {
        match self {
            Glyphs::Unicode => ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
            Glyphs::Ascii => ['_', '.', '-', ':', '=', '+', '*', '#'],
        }
    }

    fn ellipsis(self) -> &'static str {
        match self {
            Glyphs::Unicode => "…",
            Glyphs::Ascii => "...",
        }
    }
}

/// The width used when the output is not a terminal (0).
pub const DEFAULT_WIDTH: usize = 80;

/// The text chart of `data`, `None` for `render table` and `card`.
pub fn text_chart(data: &Data, chart: &Chart, width: usize, glyphs: Glyphs) -> Result<Option<String>, String> {
    let width = if width == 0 { DEFAULT_WIDTH } else { width.max(30) };
    if matches!(chart.vis, Vis::Table | Vis::Card) {
        return Ok(None);
    }
    let mut out = String::new();
    if let Some(t) = &chart.title {
        line(&mut out, t, width, glyphs);
    }
    let titles: Vec<String> = [("x", &chart.xtitle), ("y", &chart.ytitle)]
        .iter()
        .filter_map(|(axis, t)| t.as_ref().map(|t| format!("{axis}: {t}")))
        .collect();
    if !titles.is_empty() {
        line(&mut out, &titles.join("  "), width, glyphs);
    }
    if chart.vis == Vis::Scatter {
        line(&mut out, "(a scatterchart is not drawn as text: --format svg or html draws it)", width, glyphs);
        return Ok(Some(out));
    }
    let roles = roles(&data.columns, chart)?;
    match chart.vis {
        Vis::Column | Vis::Bar => bars(&mut out, &grid(data, &roles, chart), chart, width, glyphs, false),
        Vis::Pie => {
            let one = Roles { x: roles.x, ys: vec![roles.ys[0]], series: Vec::new() };
            bars(&mut out, &grid(data, &one, chart), chart, width, glyphs, true)
        }
        _ => sparklines(&mut out, &grid(data, &roles, chart), chart, width, glyphs),
    }
    Ok(Some(out))
}

fn line(out: &mut String, text: &str, width: usize, glyphs: Glyphs) {
    out.push_str(&cut(text, width, glyphs));
    out.push('\n');
}

/// `text` cut to `width` columns, keeping its start.
fn cut(text: &str, width: usize, glyphs: Glyphs) -> String {
    match glyphs {
        Glyphs::Unicode => cut_start(text, width).into_owned(),
        Glyphs::Ascii if display_width(text) <= width => text.to_string(),
        Glyphs::Ascii => {
            let mut s = String::new();
            for c in text.chars() {
                if display_width(&s) + display_width(&c.to_string()) + 3 > width {
                    break;
                }
                s.push(c);
            }
            s + "..."
        }
    }
}

/// `text` cut and padded to exactly `width` columns.
fn cell(text: &str, width: usize, right: bool, glyphs: Glyphs) -> String {
    let text = cut(text, width, glyphs);
    let gap = " ".repeat(width.saturating_sub(display_width(&text)));
    if right { gap + &text } else { text + &gap }
}

fn key(i: usize) -> char {
    if i < 26 { (b'a' + i as u8) as char } else { '*' }
}

fn category(axis: &XAxis, x: f64) -> String {
    let name = match axis {
        XAxis::Category(c) => c.get(x as usize).cloned().unwrap_or_default(),
        XAxis::Time => format_datetime(x as i64),
        XAxis::Linear => format_real(x),
    };
    if name.is_empty() { "(empty)".to_string() } else { name }
}

/// A bar of `eighths` eighths of a character, padded to `width`.
fn bar(eighths: usize, width: usize, glyphs: Glyphs) -> String {
    let mut s = match glyphs {
        Glyphs::Unicode => {
            let mut s = "█".repeat(eighths / 8);
            if !eighths.is_multiple_of(8) {
                s.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8 - 1]);
            }
            s
        }
        Glyphs::Ascii => "#".repeat((eighths + 4) / 8),
    };
    let used = display_width(&s);
    s.push_str(&" ".repeat(width.saturating_sub(used)));
    s
}

fn bars(out: &mut String, g: &Grid, chart: &Chart, width: usize, glyphs: Glyphs, pie: bool) {
    let several = g.series.len() > 1;
    let total: f64 = g.series.first().map_or(0.0, |s| s.values.iter().flatten().filter(|v| **v > 0.0).sum());
    // (category label, series, value, value text)
    let mut rows: Vec<(String, usize, f64, String)> = Vec::new();
    for (k, &x) in g.xs.iter().enumerate() {
        for (i, s) in g.series.iter().enumerate() {
            let Some(v) = s.values[k] else { continue };
            if pie && v <= 0.0 {
                continue;
            }
            let text = if pie { format!("{} ({:.1}%)", format_real(v), v / total * 100.0) } else { format_real(v) };
            rows.push((category(&g.axis, x), i, v, text));
        }
    }
    if rows.is_empty() {
        line(out, "(nothing to draw)", width, glyphs);
        return;
    }
    let label_w = rows.iter().map(|r| display_width(&r.0)).max().unwrap_or(0).min((width / 3).max(8));
    let value_w = rows.iter().map(|r| r.3.len()).max().unwrap_or(0);
    let key_w = if several { 2 } else { 0 };
    let bar_w = width.saturating_sub(label_w + 1 + key_w + 1 + value_w).max(1);
    let top = chart.ymax.filter(|m| *m > 0.0).unwrap_or_else(|| rows.iter().map(|r| r.2.abs()).fold(0.0, f64::max));
    let mut last: Option<String> = None;
    for (label, i, v, text) in &rows {
        let shown = if last.as_ref() == Some(label) { String::new() } else { label.clone() };
        last = Some(label.clone());
        let eighths = if top > 0.0 { ((v.abs() / top).min(1.0) * bar_w as f64 * 8.0).round() as usize } else { 0 };
        let mut l = cell(&shown, label_w, false, glyphs);
        l.push(' ');
        if several {
            l.push(key(*i));
            l.push(' ');
        }
        l.push_str(&bar(eighths, bar_w, glyphs));
        l.push(' ');
        l.push_str(&cell(text, value_w, true, glyphs));
        out.push_str(&l);
        out.push('\n');
    }
    if chart.legend && !pie {
        let legend: Vec<String> = g
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if several {
                    format!("{} {}", key(i), s.name)
                } else {
                    format!("{} {}", if glyphs == Glyphs::Unicode { "█" } else { "#" }, s.name)
                }
            })
            .collect();
        line(out, &legend.join("  "), width, glyphs);
    }
}

fn sparklines(out: &mut String, g: &Grid, chart: &Chart, width: usize, glyphs: Glyphs) {
    let n = g.xs.len();
    if n == 0 || g.series.is_empty() {
        line(out, "(nothing to draw)", width, glyphs);
        return;
    }
    let ranges: Vec<String> = g
        .series
        .iter()
        .map(|s| {
            let values: Vec<f64> = s.values.iter().flatten().copied().collect();
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if values.is_empty() { String::new() } else { format!("{}..{}", format_real(lo), format_real(hi)) }
        })
        .collect();
    let name_w = if chart.legend {
        g.series.iter().map(|s| display_width(&s.name)).max().unwrap_or(0).min((width / 4).max(8))
    } else {
        0
    };
    let range_w = ranges.iter().map(String::len).max().unwrap_or(0);
    let room = width.saturating_sub(name_w + usize::from(chart.legend) + 1 + range_w).max(1);
    let per = n.div_ceil(room);
    let chars = n.div_ceil(per);
    let mut head = format!(
        "{} {} {}: {} x values",
        category(&g.axis, g.xs[0]),
        glyphs.ellipsis(),
        category(&g.axis, g.xs[n - 1]),
        n
    );
    if per > 1 {
        let _ = write!(head, ", {per} a character");
    }
    line(out, &head, width, glyphs);
    let levels = glyphs.levels();
    for (s, range) in g.series.iter().zip(&ranges) {
        let cells: Vec<Option<f64>> = (0..chars)
            .map(|c| {
                let part: Vec<f64> = s.values[c * per..((c + 1) * per).min(n)].iter().flatten().copied().collect();
                (!part.is_empty()).then(|| part.iter().sum::<f64>() / part.len() as f64)
            })
            .collect();
        let shown = cells.iter().flatten();
        let lo = chart.ymin.unwrap_or_else(|| shown.clone().copied().fold(f64::INFINITY, f64::min));
        let hi = chart.ymax.unwrap_or_else(|| shown.copied().fold(f64::NEG_INFINITY, f64::max));
        let spark: String = cells
            .iter()
            .map(|c| match c {
                None => ' ',
                Some(_) if hi <= lo => levels[3],
                Some(v) => levels[(((v - lo) / (hi - lo)).clamp(0.0, 1.0) * 7.0).round() as usize],
            })
            .collect();
        let mut l = String::new();
        if chart.legend {
            l.push_str(&cell(&s.name, name_w, false, glyphs));
            l.push(' ');
        }
        l.push_str(&spark);
        l.push(' ');
        l.push_str(range);
        out.push_str(l.trim_end());
        out.push('\n');
    }
}

/// Rows a text chart keeps; a larger result gets a line saying so.
pub const MAX_CHART_ROWS: usize = 100_000;

/// The table sink's text chart: the rows kept as they come, drawn when
/// the table is.
pub(crate) struct TextChartState {
    chart: Result<Chart, String>,
    data: Data,
    glyphs: Glyphs,
    width: usize,
    overflow: bool,
}

impl TextChartState {
    pub fn new(spec: &super::RenderSpec, columns: Vec<super::ColumnInfo>, glyphs: Glyphs, width: usize) -> Self {
        TextChartState { chart: Chart::new(spec), data: Data::new(columns), glyphs, width, overflow: false }
    }

    /// Adds a prepared batch (canonical columns).
    pub fn push(&mut self, batch: &arrow_array::RecordBatch) -> Result<(), arrow_schema::ArrowError> {
        if self.overflow || matches!(&self.chart, Err(_) | Ok(Chart { vis: Vis::Table | Vis::Card, .. })) {
            return Ok(());
        }
        if self.data.rows + batch.num_rows() > MAX_CHART_ROWS {
            self.overflow = true;
            self.data = Data::new(std::mem::take(&mut self.data.columns));
            return Ok(());
        }
        self.data.push(batch)
    }

    /// The chart and a blank line, a line saying why there is none, or nothing.
    pub fn render(&self) -> String {
        let drawn = match &self.chart {
            _ if self.overflow => Err(format!("more than {MAX_CHART_ROWS} rows; --format html draws them all")),
            Ok(chart) => text_chart(&self.data, chart, self.width, self.glyphs),
            Err(reason) => Err(reason.clone()),
        };
        match drawn {
            Ok(Some(text)) => text + "\n",
            Ok(None) => String::new(),
            Err(reason) => {
                let width = if self.width == 0 { DEFAULT_WIDTH } else { self.width };
                cut(&format!("(chart not drawn: {reason})"), width, self.glyphs) + "\n\n"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ColumnInfo, RenderSpec};
    use super::*;
    use kql_types::ScalarType;

    fn chart(vis: &str, props: &[(&str, &str)]) -> Chart {
        let spec = RenderSpec {
            visualization: vis.into(),
            properties: props.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        Chart::new(&spec).unwrap()
    }

    /// x (string or datetime) and one long column `Flows`.
    fn data(x: ScalarType, xs: &[(&str, Option<f64>)], ys: &[f64]) -> Data {
        let mut d = Data::new(vec![
            ColumnInfo { name: "X".into(), kind: x },
            ColumnInfo { name: "Flows".into(), kind: ScalarType::Long },
        ]);
        d.text[0] = xs.iter().map(|(t, _)| t.to_string()).collect();
        if x == ScalarType::DateTime {
            d.value[0] = xs.iter().map(|(_, v)| *v).collect();
        }
        d.text[1] = ys.iter().map(|v| v.to_string()).collect();
        d.value[1] = ys.iter().map(|v| Some(*v)).collect();
        d.rows = ys.len();
        d
    }

    #[test]
    fn bars_at_30_columns() {
        // label 2 wide, value 1: the bar gets 30 - (2 + 1 + 1 + 1) = 25
        // columns; 4 of 4 is 25 blocks, 2 is 12.5 (12 and a half block ▌),
        // 1 is 6.25 (6 and a quarter ▎).
        let d = data(ScalarType::String, &[("a", None), ("bb", None), ("c", None)], &[4.0, 2.0, 1.0]);
        let text = text_chart(&d, &chart("columnchart", &[("title", "T")]), 30, Glyphs::Unicode).unwrap().unwrap();
        let expected = format!(
            "T\na  {} 4\nbb {}▌{} 2\nc  {}▎{} 1\n█ Flows\n",
            "█".repeat(25),
            "█".repeat(12),
            " ".repeat(12),
            "█".repeat(6),
            " ".repeat(18)
        );
        assert_eq!(text, expected);
        for l in text.lines() {
            assert!(display_width(l) <= 30, "{l}");
        }
        // ASCII rounds to whole characters: 25, 13 (12.5 up), 6.
        let ascii = text_chart(&d, &chart("barchart", &[("legend", "hidden")]), 30, Glyphs::Ascii).unwrap().unwrap();
        let expected = format!(
            "a  {} 4\nbb {}{} 2\nc  {}{} 1\n",
            "#".repeat(25),
            "#".repeat(13),
            " ".repeat(12),
            "#".repeat(6),
            " ".repeat(19)
        );
        assert_eq!(ascii, expected);
    }

    #[test]
    fn pie_bars_show_shares() {
        // 3 and 1 of 4: 75.0% and 25.0%; value texts 9 wide, label 1:
        // bar 30 - (1 + 1 + 1 + 9) = 18; 1/3 of 18 = 6.
        let d = data(ScalarType::String, &[("p", None), ("q", None)], &[3.0, 1.0]);
        let text = text_chart(&d, &chart("piechart", &[]), 30, Glyphs::Ascii).unwrap().unwrap();
        assert_eq!(text, format!("p {} 3 (75.0%)\nq {}{} 1 (25.0%)\n", "#".repeat(18), "#".repeat(6), " ".repeat(12)));
    }

    #[test]
    fn sparklines_at_60_columns() {
        // 0, 7, 14, 7 from 0 to 14: levels 0, 3.5 → 4, 7, 4.
        let h = 3_600_000_000_000.0;
        let t0 = 1_748_736_000.0 * 1e9; // 2025-06-01T00:00:00Z
        let xs: Vec<(&str, Option<f64>)> = (0..4).map(|i| ("", Some(t0 + i as f64 * h))).collect();
        let d = data(ScalarType::DateTime, &xs, &[0.0, 7.0, 14.0, 7.0]);
        let text = text_chart(&d, &chart("timechart", &[]), 60, Glyphs::Unicode).unwrap().unwrap();
        assert_eq!(text, "2025-06-01T00:00:00Z … 2025-06-01T03:00:00Z: 4 x values\nFlows ▁▅█▅ 0..14\n");
        let text = text_chart(&d, &chart("linechart", &[("accumulate", "true")]), 60, Glyphs::Ascii).unwrap().unwrap();
        // running totals 0, 7, 21, 28 of 28: 0, 1.75 → 2, 5.25 → 5, 7.
        assert_eq!(text, "2025-06-01T00:00:00Z ... 2025-06-01T03:00:00Z: 4 x values\nFlows _-+# 0..28\n");
    }

    #[test]
    fn more_points_than_room_are_averaged() {
        // 30 columns: name 5, range "1..2" 4: room 30 - 11 = 19 for 40
        // values: 3 a character (14 characters), each the mean of 3.
        let xs: Vec<(&str, Option<f64>)> = (0..40).map(|i| ("", Some(i as f64))).collect();
        let ys: Vec<f64> = (0..40).map(|i| if i < 21 { 1.0 } else { 2.0 }).collect();
        let mut d = data(ScalarType::DateTime, &xs, &ys);
        d.columns[0].kind = ScalarType::Real;
        d.value[0] = (0..40).map(|i| Some(i as f64)).collect();
        let text = text_chart(&d, &chart("linechart", &[]), 30, Glyphs::Ascii).unwrap().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with("x values, 3 a character") || lines[0].ends_with("..."), "{text}");
        // buckets 0-2 … 18-20 are all 1 (7 of them), then 21-23 … 39 all 2.
        assert_eq!(lines[1], "Flows _______####### 1..2");
        assert!(text.lines().all(|l| display_width(l) <= 30), "{text}");
    }

    #[test]
    fn tables_cards_and_scatters() {
        let d = data(ScalarType::String, &[("a", None)], &[1.0]);
        assert_eq!(text_chart(&d, &chart("table", &[]), 40, Glyphs::Unicode).unwrap(), None);
        assert_eq!(text_chart(&d, &chart("card", &[]), 40, Glyphs::Unicode).unwrap(), None);
        let s = text_chart(&d, &chart("scatterchart", &[]), 80, Glyphs::Unicode).unwrap().unwrap();
        assert!(s.contains("not drawn as text"), "{s}");
    }

    #[test]
    fn glyphs_follow_the_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(Glyphs::from_locale(env(&[("LANG", "en_US.UTF-8")])), Glyphs::Unicode);
        assert_eq!(Glyphs::from_locale(env(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])), Glyphs::Ascii);
        assert_eq!(Glyphs::from_locale(env(&[("LC_CTYPE", "C.utf8")])), Glyphs::Unicode);
        assert_eq!(Glyphs::from_locale(env(&[])), Glyphs::Ascii);
    }
}
