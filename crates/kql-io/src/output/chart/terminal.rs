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
//! * **stacked columns and bars** (`kind=stacked`, `stacked100`): one bar
//!   per x value, a segment per series (shades, or letters past four
//!   series), the total at the right;
//! * **scatterchart**: a grid of characters, a point per (x, y), marked
//!   with its series' letter, the y range at the left and the x range
//!   below; `table` and `card` are the table itself.
//!
//! Every line fits the width. The title and axis titles head the chart,
//! `legend=hidden` drops the legend (and the sparklines' names),
//! `accumulate`, `xcolumn`, `ycolumns` and `series` apply as in the SVG, and
//! `ymin`/`ymax` fix the bar scale's end and the sparklines' range; a
//! stacked area chart is shown as each series' own values. The glyphs are
//! Unicode block elements, or ASCII (`#` bars, `_.-:=+*#` levels) where the
//! terminal's locale is not UTF-8.

use super::{Chart, Data, Grid, Roles, Stack, Vis, grid, roles, scatter, shown, x_label};
use crate::output::text::format_real;
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
    let roles = roles(&data.columns, chart)?;
    match chart.vis {
        Vis::Scatter => dots(&mut out, data, &roles, chart, width, glyphs),
        Vis::Column | Vis::Bar if chart.stack != Stack::None => {
            stacked_bars(&mut out, &grid(data, &roles, chart), chart, width, glyphs)
        }
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
            rows.push((x_label(&g.axis, x), i, v, text));
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
        let label_text = if last.as_ref() == Some(label) { String::new() } else { label.clone() };
        last = Some(label.clone());
        let eighths = if top > 0.0 { ((v.abs() / top).min(1.0) * bar_w as f64 * 8.0).round() as usize } else { 0 };
        let mut l = cell(&label_text, label_w, false, glyphs);
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
                    format!("{} {}", key(i), shown(&s.name))
                } else {
                    format!("{} {}", if glyphs == Glyphs::Unicode { "█" } else { "#" }, shown(&s.name))
                }
            })
            .collect();
        line(out, &legend.join("  "), width, glyphs);
    }
}

/// The fill of series `i` in a stacked bar: shades for up to four series,
/// else each series' letter.
fn fill(i: usize, count: usize, glyphs: Glyphs) -> char {
    match glyphs {
        _ if count > 4 => key(i),
        Glyphs::Unicode => ['█', '▓', '▒', '░'][i],
        Glyphs::Ascii => ['#', '=', '+', '.'][i],
    }
}

/// `kind=stacked` / `stacked100` column and bar charts: one bar per x
/// value, a segment per series (its share of the bar's whole characters,
/// from the running total so the segments add up to the bar), the total
/// at the right. Negative values add nothing to a bar (the total still
/// counts them).
fn stacked_bars(out: &mut String, g: &Grid, chart: &Chart, width: usize, glyphs: Glyphs) {
    let count = g.series.len();
    // (label, positive values per series, total text)
    let rows: Vec<(String, Vec<f64>, String)> =
        g.xs.iter()
            .enumerate()
            .filter(|(k, _)| g.series.iter().any(|s| s.values[*k].is_some()))
            .map(|(k, &x)| {
                let values: Vec<f64> = g.series.iter().map(|s| s.values[k].unwrap_or(0.0).max(0.0)).collect();
                let total: f64 = g.series.iter().filter_map(|s| s.values[k]).sum();
                (x_label(&g.axis, x), values, format_real(total))
            })
            .collect();
    if rows.is_empty() {
        line(out, "(nothing to draw)", width, glyphs);
        return;
    }
    let label_w = rows.iter().map(|r| display_width(&r.0)).max().unwrap_or(0).min((width / 3).max(8));
    let value_w = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    let bar_w = width.saturating_sub(label_w + 1 + 1 + value_w).max(1);
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let top = chart.ymax.filter(|m| *m > 0.0).unwrap_or_else(|| rows.iter().map(|r| sum(&r.1)).fold(0.0, f64::max));
    for (label, values, total) in &rows {
        let whole = sum(values);
        let scale = match chart.stack {
            Stack::Stacked100 if whole > 0.0 => bar_w as f64 / whole,
            _ if top > 0.0 => bar_w as f64 / top,
            _ => 0.0,
        };
        let mut bar = String::new();
        let (mut running, mut drawn) = (0.0, 0usize);
        for (i, v) in values.iter().enumerate() {
            running += v;
            let end = ((running * scale).round() as usize).min(bar_w);
            bar.extend(std::iter::repeat_n(fill(i, count, glyphs), end.saturating_sub(drawn)));
            drawn = drawn.max(end);
        }
        bar.push_str(&" ".repeat(bar_w - drawn));
        let l = format!("{} {} {}", cell(label, label_w, false, glyphs), bar, cell(total, value_w, true, glyphs));
        out.push_str(&l);
        out.push('\n');
    }
    if chart.legend {
        let legend: Vec<String> = g
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{} {}", fill(i, count, glyphs), shown(&s.name)))
            .collect();
        line(out, &legend.join("  "), width, glyphs);
    }
}

/// Rows of the text scatter plot.
const DOT_ROWS: usize = 12;

/// A scatterchart as a grid of characters: each point in the cell its
/// (x, y) falls in, marked with its series' letter (`•`/`*` when there is
/// one series; `+` where series overlap); the y range at the left, the x
/// range below, the legend last.
fn dots(out: &mut String, data: &Data, roles: &Roles, chart: &Chart, width: usize, glyphs: Glyphs) {
    let (axis, series) = scatter(data, roles);
    let points = || series.iter().flat_map(|(_, p)| p);
    if points().next().is_none() {
        line(out, "(nothing to draw)", width, glyphs);
        return;
    }
    let fold =
        |f: fn(f64, f64) -> f64, init: f64, pick: fn(&(f64, f64, usize)) -> f64| points().map(pick).fold(init, f);
    let (xlo, xhi) = (fold(f64::min, f64::INFINITY, |p| p.0), fold(f64::max, f64::NEG_INFINITY, |p| p.0));
    let ylo = chart.ymin.unwrap_or_else(|| fold(f64::min, f64::INFINITY, |p| p.1));
    let yhi = chart.ymax.unwrap_or_else(|| fold(f64::max, f64::NEG_INFINITY, |p| p.1));
    let (top, bottom) = (format_real(yhi), format_real(ylo));
    let label_w = display_width(&top).max(display_width(&bottom));
    let plot_w = width.saturating_sub(label_w + 1).max(1);
    let mut cells = vec![vec![None::<char>; plot_w]; DOT_ROWS];
    let position = |v: f64, lo: f64, hi: f64, n: usize| {
        if hi <= lo { (n - 1) / 2 } else { (((v - lo) / (hi - lo)) * (n - 1) as f64).round() as usize }
    };
    let single = series.len() == 1;
    for (i, (_, pts)) in series.iter().enumerate() {
        let mark = match glyphs {
            _ if !single => key(i),
            Glyphs::Unicode => '•',
            Glyphs::Ascii => '*',
        };
        for &(x, y, _) in pts {
            if !(ylo..=yhi).contains(&y) {
                continue;
            }
            let (c, r) = (position(x, xlo, xhi, plot_w), DOT_ROWS - 1 - position(y, ylo, yhi, DOT_ROWS));
            let cell = &mut cells[r][c];
            *cell = match *cell {
                Some(m) if m != mark => Some('+'),
                _ => Some(mark),
            };
        }
    }
    let axis_char = if glyphs == Glyphs::Unicode { '│' } else { '|' };
    for (r, row) in cells.iter().enumerate() {
        let label = match r {
            0 => top.as_str(),
            _ if r == DOT_ROWS - 1 => bottom.as_str(),
            _ => "",
        };
        let dots: String = row.iter().map(|c| c.unwrap_or(' ')).collect();
        let l = format!("{}{axis_char}{dots}", cell(label, label_w, true, glyphs));
        out.push_str(l.trim_end());
        out.push('\n');
    }
    let (first, last) = (x_label(&axis, xlo), x_label(&axis, xhi));
    let gap = plot_w.saturating_sub(display_width(&first) + display_width(&last)).max(1);
    line(out, &format!("{}{first}{}{last}", " ".repeat(label_w + 1), " ".repeat(gap)), width, glyphs);
    if chart.legend && !single {
        let legend: Vec<String> =
            series.iter().enumerate().map(|(i, (name, _))| format!("{} {}", key(i), shown(name))).collect();
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
        g.series.iter().map(|s| display_width(shown(&s.name))).max().unwrap_or(0).min((width / 4).max(8))
    } else {
        0
    };
    let range_w = ranges.iter().map(String::len).max().unwrap_or(0);
    let room = width.saturating_sub(name_w + usize::from(chart.legend) + 1 + range_w).max(1);
    let per = n.div_ceil(room);
    let chars = n.div_ceil(per);
    let mut head = format!(
        "{} {} {}: {} x values",
        x_label(&g.axis, g.xs[0]),
        glyphs.ellipsis(),
        x_label(&g.axis, g.xs[n - 1]),
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
        let present = cells.iter().flatten();
        let lo = chart.ymin.unwrap_or_else(|| present.clone().copied().fold(f64::INFINITY, f64::min));
        let hi = chart.ymax.unwrap_or_else(|| present.copied().fold(f64::NEG_INFINITY, f64::max));
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
            l.push_str(&cell(shown(&s.name), name_w, false, glyphs));
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
    fn tables_and_cards_are_the_table() {
        let d = data(ScalarType::String, &[("a", None)], &[1.0]);
        assert_eq!(text_chart(&d, &chart("table", &[]), 40, Glyphs::Unicode).unwrap(), None);
        assert_eq!(text_chart(&d, &chart("card", &[]), 40, Glyphs::Unicode).unwrap(), None);
    }

    /// Columns `X` (string) and two long series `A`, `B`.
    fn two_series(rows: &[(&str, f64, f64)]) -> Data {
        let mut d = Data::new(vec![
            ColumnInfo { name: "X".into(), kind: ScalarType::String },
            ColumnInfo { name: "A".into(), kind: ScalarType::Long },
            ColumnInfo { name: "B".into(), kind: ScalarType::Long },
        ]);
        d.text[0] = rows.iter().map(|r| r.0.to_string()).collect();
        for (c, pick) in [(1, (|r: &(&str, f64, f64)| r.1) as fn(&_) -> f64), (2, |r| r.2)] {
            d.text[c] = rows.iter().map(|r| pick(r).to_string()).collect();
            d.value[c] = rows.iter().map(|r| Some(pick(r))).collect();
        }
        d.rows = rows.len();
        d
    }

    #[test]
    fn stacked_bars_add_their_series() {
        // p: 3 + 1, q: 1 + 1. Label 1, totals 1 wide: the bar gets
        // 30 - (1 + 1 + 1 + 1) = 26 columns for the largest total, 4, so
        // 6.5 a unit: p's A ends at 3 × 6.5 = 19.5 → 20, B at 26; q's A at
        // 6.5 → 7, B at 13.
        let d = two_series(&[("p", 3.0, 1.0), ("q", 1.0, 1.0)]);
        let text = text_chart(&d, &chart("columnchart", &[("kind", "stacked")]), 30, Glyphs::Ascii).unwrap().unwrap();
        let expected = format!(
            "p {}{} 4\nq {}{}{} 2\n# A  = B\n",
            "#".repeat(20),
            "=".repeat(6),
            "#".repeat(7),
            "=".repeat(6),
            " ".repeat(13)
        );
        assert_eq!(text, expected);
        // stacked100: every bar is whole; q is half A (13), half B.
        let text = text_chart(&d, &chart("barchart", &[("kind", "stacked100")]), 30, Glyphs::Unicode).unwrap().unwrap();
        let expected =
            format!("p {}{} 4\nq {}{} 2\n█ A  ▓ B\n", "█".repeat(20), "▓".repeat(6), "█".repeat(13), "▓".repeat(13));
        assert_eq!(text, expected);
        // An empty series name reads `(empty)`, as in the SVG legend.
        let mut e = two_series(&[("p", 3.0, 1.0)]);
        e.columns[2].name = String::new();
        let text = text_chart(&e, &chart("columnchart", &[("kind", "stacked")]), 30, Glyphs::Ascii).unwrap().unwrap();
        assert!(text.ends_with("# A  = (empty)\n"), "{text}");
        // unstacked stays a bar per series and x value.
        let text = text_chart(&d, &chart("columnchart", &[("kind", "unstacked")]), 30, Glyphs::Ascii).unwrap().unwrap();
        assert_eq!(text.lines().count(), 5, "{text}");
    }

    #[test]
    fn scatter_points_fall_in_their_cells() {
        // x 0, 5, 10 and y the same; y labels "10"/"0" take 2 columns and
        // the axis 1, leaving 27 of 30: x 0 → column 0, 5 → 13, 10 → 26; 12
        // rows: y 10 → row 0, 5 → round(5.5) = 6 from the bottom (row 5),
        // 0 → row 11.
        let mut d =
            data(ScalarType::Real, &[("0", Some(0.0)), ("5", Some(5.0)), ("10", Some(10.0))], &[0.0, 5.0, 10.0]);
        d.value[0] = vec![Some(0.0), Some(5.0), Some(10.0)];
        let text = text_chart(&d, &chart("scatterchart", &[]), 30, Glyphs::Unicode).unwrap().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 13, "{text}");
        assert_eq!(lines[0], format!("10│{}•", " ".repeat(26)));
        assert_eq!(lines[5], format!("  │{}•", " ".repeat(13)));
        assert_eq!(lines[11], " 0│•");
        for r in [1, 2, 3, 4, 6, 7, 8, 9, 10] {
            assert_eq!(lines[r], "  │", "row {r}: {text}");
        }
        assert_eq!(lines[12], format!("   0{}10", " ".repeat(24)));
        // Two series: letters, a legend, `+` where they share a cell.
        let d = two_series(&[("p", 1.0, 1.0), ("q", 2.0, 0.0)]);
        let text = text_chart(&d, &chart("scatterchart", &[]), 30, Glyphs::Ascii).unwrap().unwrap();
        assert!(text.lines().any(|l| l.contains('+')), "{text}");
        assert!(text.lines().any(|l| l.ends_with('a')), "{text}");
        assert!(text.ends_with("a A  b B\n"), "{text}");
        assert!(text.lines().all(|l| display_width(l) <= 30), "{text}");
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
