//! The SVG chart writer. Elements carry classes that say what they are
//! (`series`/`area` paths, `point` circles, `bar` rects, `slice` paths,
//! `legend-item` groups), and `s{N}` for series N so that a page can hide a
//! series; every point, bar and slice holds a `<title>` with its value.

use super::scale::{Scale, linear_ticks, time_ticks};
use super::{Chart, Data, Grid, Roles, Stack, Vis, XAxis, escape, grid, roles, scatter, shown, x_label};
use crate::output::text::format_real;
use std::fmt::Write as _;

const W: f64 = 880.0;
const H: f64 = 480.0;
const LEGEND_W: f64 = 200.0;
const MAX_LEGEND: usize = 20;

/// Tableau 10: distinct for the first ten series, then repeated.
const COLORS: [&str; 10] =
    ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

fn color(i: usize) -> &'static str {
    COLORS[i % COLORS.len()]
}

/// The chart as an SVG document; `standalone` adds the SVG namespace (a
/// file of its own), an HTML page inlines it without.
pub fn draw(data: &Data, chart: &Chart, standalone: bool) -> Result<String, String> {
    let mut svg = Svg::new(standalone);
    match chart.vis {
        Vis::Table => return Ok(table(data, chart, standalone)),
        Vis::Card => return Ok(card(data, chart, standalone)),
        _ => {}
    }
    let roles = roles(&data.columns, chart)?;
    match chart.vis {
        Vis::Pie => pie(&mut svg, data, chart, &roles),
        Vis::Scatter => scatter_chart(&mut svg, data, chart, &roles),
        Vis::Column | Vis::Bar => bars(&mut svg, chart, &grid(data, &roles, chart)),
        _ => lines(&mut svg, chart, &grid(data, &roles, chart)),
    }
    Ok(svg.finish(chart))
}

struct Svg {
    body: String,
    standalone: bool,
    height: f64,
    width: f64,
}

impl Svg {
    fn new(standalone: bool) -> Svg {
        Svg { body: String::new(), standalone, height: H, width: W }
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ = writeln!(self.body, r#"<line class="{class}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}"/>"#);
    }

    fn text(&mut self, x: f64, y: f64, anchor: &str, class: &str, text: &str) {
        let _ = writeln!(
            self.body,
            r#"<text class="{class}" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}">{}</text>"#,
            escape(text)
        );
    }

    fn legend(&mut self, chart: &Chart, names: &[String]) {
        if !chart.legend || names.is_empty() {
            return;
        }
        let x = self.width - LEGEND_W + 15.0;
        let _ = writeln!(self.body, r#"<g class="legend">"#);
        for (i, name) in names.iter().enumerate().take(MAX_LEGEND) {
            let y = 50.0 + 20.0 * i as f64;
            let _ = writeln!(
                self.body,
                r#"<g class="legend-item" data-series="{i}"><title>{t}</title><rect class="swatch" x="{x:.1}" y="{y:.1}" width="12" height="12" fill="{c}"/><text x="{tx:.1}" y="{ty:.1}">{n}</text></g>"#,
                t = escape(shown(name)),
                c = color(i),
                tx = x + 18.0,
                ty = y + 10.5,
                n = escape(&short(shown(name), 24)),
            );
        }
        if names.len() > MAX_LEGEND {
            let y = 50.0 + 20.0 * MAX_LEGEND as f64 + 10.0;
            let more = format!("… {} more", names.len() - MAX_LEGEND);
            self.text(x, y, "start", "legend-more", &more);
        }
        let _ = writeln!(self.body, "</g>");
    }

    fn finish(self, chart: &Chart) -> String {
        let mut out = String::new();
        let ns = if self.standalone { r#" xmlns="http://www.w3.org/2000/svg""# } else { "" };
        let _ = writeln!(
            out,
            r#"<svg{ns} class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="sans-serif" font-size="12" role="img">"#,
            w = self.width,
            h = self.height
        );
        out.push_str(STYLE);
        let _ =
            writeln!(out, r#"<rect class="background" width="{}" height="{}" fill="white"/>"#, self.width, self.height);
        if let Some(title) = &chart.title {
            let _ = writeln!(
                out,
                r#"<text class="chart-title" x="{:.1}" y="26" text-anchor="middle">{}</text>"#,
                self.width / 2.0,
                escape(title)
            );
        }
        out.push_str(&self.body);
        out.push_str("</svg>\n");
        out
    }
}

const STYLE: &str = "<style>.chart-title{font-size:16px;font-weight:bold}.axis,.tick-mark{stroke:#333}\
.grid{stroke:#ddd}.tick{font-size:10px;fill:#333}.axis-title{font-size:12px;fill:#333}\
.point:hover,.bar:hover,.slice:hover{opacity:.7}.legend-item{cursor:pointer}.legend-item.off{opacity:.35}\
.series{fill:none;stroke-width:2}.cell{font-size:12px}.header{font-weight:bold}</style>\n";

/// At most `n` characters, `…` in place of the rest (axis labels, legend;
/// hover titles are whole).
fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let mut s: String = text.chars().take(n.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// The plot area: left, top, right, bottom.
#[derive(Clone, Copy)]
struct Frame {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

fn frame(chart: &Chart, left: f64) -> Frame {
    let right = if chart.legend { W - LEGEND_W } else { W - 30.0 };
    Frame { left, top: 50.0, right, bottom: H - 60.0 }
}

/// The y domain: the values and 0 (ymin/ymax override).
fn y_domain(chart: &Chart, lo: f64, hi: f64, with_zero: bool) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = if with_zero { (lo.min(0.0), hi.max(0.0)) } else { (lo, hi) };
    let (lo, hi) = (chart.ymin.unwrap_or(lo), chart.ymax.unwrap_or(hi));
    let (l, h, ticks) = linear_ticks(lo, hi, 5);
    let (l, h) = (chart.ymin.unwrap_or(l), chart.ymax.unwrap_or(h));
    (l, h, ticks.into_iter().filter(|t| *t >= l && *t <= h).collect())
}

/// Horizontal grid lines and labels of a value axis drawn vertically.
fn y_axis(svg: &mut Svg, f: Frame, ys: &Scale, ticks: &[f64], title: Option<&str>) {
    for &t in ticks {
        let y = ys.at(t);
        svg.line(f.left, y, f.right, y, "grid");
        svg.text(f.left - 6.0, y + 3.5, "end", "tick", &format_real(t));
    }
    svg.line(f.left, f.top, f.left, f.bottom, "axis");
    if let Some(t) = title {
        let (x, y) = (16.0, (f.top + f.bottom) / 2.0);
        let _ = writeln!(
            svg.body,
            r#"<text class="axis-title" x="{x:.1}" y="{y:.1}" text-anchor="middle" transform="rotate(-90 {x:.1} {y:.1})">{}</text>"#,
            escape(t)
        );
    }
}

/// The x axis of a continuous or category scale along the bottom.
fn x_axis(svg: &mut Svg, f: Frame, axis: &XAxis, xs: &Scale, title: Option<&str>) {
    svg.line(f.left, f.bottom, f.right, f.bottom, "axis");
    let ticks: Vec<f64> = match axis {
        XAxis::Time => time_ticks(xs.lo, xs.hi, 5),
        XAxis::Linear => linear_ticks(xs.lo, xs.hi, 6).2.into_iter().filter(|t| *t >= xs.lo && *t <= xs.hi).collect(),
        XAxis::Category(c) => {
            let every = (c.len() as f64 / ((f.right - f.left) / 70.0).max(1.0)).ceil().max(1.0) as usize;
            (0..c.len()).step_by(every).map(|i| i as f64).collect()
        }
    };
    for t in ticks {
        let x = xs.at(t);
        svg.line(x, f.bottom, x, f.bottom + 5.0, "tick-mark");
        svg.text(x, f.bottom + 18.0, "middle", "tick", &short(&x_label(axis, t), 22));
    }
    if let Some(t) = title {
        svg.text((f.left + f.right) / 2.0, H - 12.0, "middle", "axis-title", t);
    }
}

/// Stacked values: for each series, (base, top) at each x; `None` where the
/// series has no value (unstacked) — stacked series count a gap as 0.
type Stacked = Vec<Vec<Option<(f64, f64)>>>;

fn stack(grid: &Grid, mode: Stack) -> Stacked {
    let n = grid.xs.len();
    match mode {
        Stack::None => grid.series.iter().map(|s| s.values.iter().map(|v| v.map(|v| (0.0, v))).collect()).collect(),
        Stack::Stacked | Stack::Stacked100 => {
            let mut pos = vec![0.0; n];
            let mut neg = vec![0.0; n];
            let totals: Vec<f64> =
                (0..n).map(|i| grid.series.iter().map(|s| s.values[i].unwrap_or(0.0).abs()).sum::<f64>()).collect();
            let mut out = Vec::new();
            for s in &grid.series {
                let mut row = Vec::with_capacity(n);
                for i in 0..n {
                    let mut v = s.values[i].unwrap_or(0.0);
                    if mode == Stack::Stacked100 {
                        v = if totals[i] > 0.0 { v / totals[i] * 100.0 } else { 0.0 };
                    }
                    let acc = if v >= 0.0 { &mut pos[i] } else { &mut neg[i] };
                    row.push(s.values[i].map(|_| (*acc, *acc + v)).or(Some((*acc, *acc))));
                    *acc += v;
                }
                out.push(row);
            }
            out
        }
    }
}

fn extent(stacked: &Stacked) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (a, b) in stacked.iter().flatten().flatten() {
        lo = lo.min(a.min(*b));
        hi = hi.max(a.max(*b));
    }
    if lo > hi { (0.0, 1.0) } else { (lo, hi) }
}

/// Value text of a hover title.
fn value_text(v: f64, mode: Stack) -> String {
    match mode {
        Stack::Stacked100 => format!("{}%", format_real((v * 10.0).round() / 10.0)),
        _ => format_real(v),
    }
}

/// timechart, linechart, areachart: one path per series over x, a point per value.
fn lines(svg: &mut Svg, chart: &Chart, grid: &Grid) {
    let f = frame(chart, 80.0);
    let area = chart.vis == Vis::Area;
    let mode = if area { chart.stack } else { Stack::None };
    let stacked = stack(grid, mode);
    let (lo, hi) = extent(&stacked);
    let (ylo, yhi, yticks) = y_domain(chart, lo, hi, true);
    let ys = Scale::new(ylo, yhi, f.bottom, f.top);
    let xs = match &grid.axis {
        XAxis::Category(c) => Scale::new(-0.5, c.len() as f64 - 0.5, f.left, f.right),
        _ => Scale::new(
            grid.xs.first().copied().unwrap_or(0.0),
            grid.xs.last().copied().unwrap_or(1.0),
            f.left + 10.0,
            f.right - 10.0,
        ),
    };
    y_axis(svg, f, &ys, &yticks, chart.ytitle.as_deref());
    x_axis(svg, f, &grid.axis, &xs, chart.xtitle.as_deref());
    for (i, (s, values)) in grid.series.iter().zip(&stacked).enumerate() {
        let c = color(i);
        let pts: Vec<(f64, f64, f64, f64, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(k, v)| v.map(|(b, t)| (xs.at(grid.xs[k]), ys.at(b), ys.at(t), grid.xs[k], t - b)))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let mut d = String::new();
        for (k, (x, _, y, _, _)) in pts.iter().enumerate() {
            let _ = write!(d, "{}{x:.1} {y:.1}", if k == 0 { "M" } else { " L" });
        }
        if area {
            let mut a = d.clone();
            for (x, b, _, _, _) in pts.iter().rev() {
                let _ = write!(a, " L{x:.1} {b:.1}");
            }
            let _ = writeln!(
                svg.body,
                r#"<path class="area s{i}" d="{a} Z" fill="{c}" fill-opacity="0.35" stroke="none"><title>{}</title></path>"#,
                escape(&s.name)
            );
        }
        let _ = writeln!(
            svg.body,
            r#"<path class="series s{i}" d="{d}" stroke="{c}"><title>{}</title></path>"#,
            escape(&s.name)
        );
        for (x, _, y, xv, v) in &pts {
            let _ = writeln!(
                svg.body,
                r#"<circle class="point s{i}" cx="{x:.1}" cy="{y:.1}" r="3" fill="{c}"><title>{}</title></circle>"#,
                escape(&format!("{} · {}: {}", s.name, x_label(&grid.axis, *xv), value_text(*v, mode)))
            );
        }
    }
    let names: Vec<String> = grid.series.iter().map(|s| s.name.clone()).collect();
    svg.legend(chart, &names);
}

/// columnchart (vertical bars) and barchart (horizontal bars).
fn bars(svg: &mut Svg, chart: &Chart, grid: &Grid) {
    let horizontal = chart.vis == Vis::Bar;
    let f = frame(chart, if horizontal { 170.0 } else { 80.0 });
    let stacked = stack(grid, chart.stack);
    let (lo, hi) = extent(&stacked);
    let (vlo, vhi, vticks) = y_domain(chart, lo, hi, true);
    let categories = match &grid.axis {
        XAxis::Category(c) => c.clone(),
        _ => Vec::new(),
    };
    let n = categories.len().max(1) as f64;
    let m = grid.series.len().max(1) as f64;
    // value axis and category axis
    let (vs, along) = if horizontal {
        (Scale::new(vlo, vhi, f.left, f.right), (f.top, f.bottom))
    } else {
        (Scale::new(vlo, vhi, f.bottom, f.top), (f.left, f.right))
    };
    let band = (along.1 - along.0) / n;
    if horizontal {
        for &t in &vticks {
            let x = vs.at(t);
            svg.line(x, f.top, x, f.bottom, "grid");
            svg.text(x, f.bottom + 18.0, "middle", "tick", &format_real(t));
        }
        svg.line(f.left, f.bottom, f.right, f.bottom, "axis");
        svg.line(f.left, f.top, f.left, f.bottom, "axis");
        let every = (n / ((f.bottom - f.top) / 14.0).max(1.0)).ceil().max(1.0) as usize;
        for (k, c) in categories.iter().enumerate().step_by(every) {
            let y = along.0 + band * (k as f64 + 0.5);
            svg.text(f.left - 6.0, y + 3.5, "end", "tick", &short(shown(c), 26));
        }
        if let Some(t) = &chart.ytitle {
            svg.text((f.left + f.right) / 2.0, H - 12.0, "middle", "axis-title", t);
        }
        if let Some(t) = &chart.xtitle {
            let (x, y) = (16.0, (f.top + f.bottom) / 2.0);
            let _ = writeln!(
                svg.body,
                r#"<text class="axis-title" x="{x:.1}" y="{y:.1}" text-anchor="middle" transform="rotate(-90 {x:.1} {y:.1})">{}</text>"#,
                escape(t)
            );
        }
    } else {
        y_axis(svg, f, &vs, &vticks, chart.ytitle.as_deref());
        let xs = Scale::new(-0.5, n - 0.5, f.left, f.right);
        x_axis(svg, f, &grid.axis, &xs, chart.xtitle.as_deref());
    }
    let inner = band * 0.8;
    let width = if chart.stack == Stack::None { inner / m } else { inner };
    for (i, (s, values)) in grid.series.iter().zip(&stacked).enumerate() {
        let c = color(i);
        for (k, v) in values.iter().enumerate() {
            let (Some((b, t)), Some(raw)) = (v, s.values.get(k).copied().flatten()) else { continue };
            let offset = if chart.stack == Stack::None { width * i as f64 } else { 0.0 };
            let start = along.0 + band * k as f64 + band * 0.1 + offset;
            let (p, q) = (vs.at(*b), vs.at(*t));
            let (lo_px, len) = (p.min(q), (p - q).abs());
            let (x, y, w, h) = if horizontal { (lo_px, start, len, width) } else { (start, lo_px, width, len) };
            let label = x_label(&grid.axis, grid.xs[k]);
            let shown = match chart.stack {
                Stack::Stacked100 => format!("{} ({})", format_real(raw), value_text(t - b, Stack::Stacked100)),
                _ => format_real(raw),
            };
            let _ = writeln!(
                svg.body,
                r#"<rect class="bar s{i}" x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="{c}"><title>{}</title></rect>"#,
                escape(&format!("{} · {label}: {shown}", s.name))
            );
        }
    }
    let names: Vec<String> = grid.series.iter().map(|s| s.name.clone()).collect();
    svg.legend(chart, &names);
}

/// piechart: a slice per x value (the first y column; values ≤ 0 left out).
fn pie(svg: &mut Svg, data: &Data, chart: &Chart, roles: &Roles) {
    let one = Roles { x: roles.x, ys: vec![roles.ys[0]], series: Vec::new() };
    let g = grid(data, &one, chart);
    let labels = match &g.axis {
        XAxis::Category(c) => c.clone(),
        _ => Vec::new(),
    };
    let values: Vec<(String, f64)> = match g.series.first() {
        Some(s) => s
            .values
            .iter()
            .enumerate()
            .filter_map(|(k, v)| v.filter(|v| *v > 0.0).map(|v| (labels.get(k).cloned().unwrap_or_default(), v)))
            .collect(),
        None => Vec::new(),
    };
    let total: f64 = values.iter().map(|(_, v)| v).sum();
    let (cx, cy, r) = ((W - LEGEND_W) / 2.0, H / 2.0 + 15.0, 170.0);
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for (i, (label, v)) in values.iter().enumerate() {
        let sweep = v / total * std::f64::consts::TAU;
        let title = escape(&format!("{}: {} ({:.1}%)", shown(label), format_real(*v), v / total * 100.0));
        let d = if values.len() == 1 {
            format!(
                "M{:.2} {:.2} A{r} {r} 0 1 1 {:.2} {:.2} A{r} {r} 0 1 1 {:.2} {:.2} Z",
                cx,
                cy - r,
                cx,
                cy + r,
                cx,
                cy - r
            )
        } else {
            let (x1, y1) = (cx + r * angle.cos(), cy + r * angle.sin());
            let end = angle + sweep;
            let (x2, y2) = (cx + r * end.cos(), cy + r * end.sin());
            let large = if sweep > std::f64::consts::PI { 1 } else { 0 };
            format!("M{cx:.2} {cy:.2} L{x1:.2} {y1:.2} A{r} {r} 0 {large} 1 {x2:.2} {y2:.2} Z")
        };
        let _ = writeln!(
            svg.body,
            r#"<path class="slice s{i}" d="{d}" fill="{c}" stroke="white"><title>{title}</title></path>"#,
            c = color(i)
        );
        angle += sweep;
    }
    if values.is_empty() {
        svg.text(cx, cy, "middle", "empty", "(no positive values)");
    }
    let names: Vec<String> = values.iter().map(|(l, _)| l.clone()).collect();
    svg.legend(chart, &names);
}

/// scatterchart: a point per row and y column.
fn scatter_chart(svg: &mut Svg, data: &Data, chart: &Chart, roles: &Roles) {
    let f = frame(chart, 80.0);
    let (axis, series) = scatter(data, roles);
    let (mut xlo, mut xhi, mut ylo, mut yhi) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for (x, y, _) in series.iter().flat_map(|(_, p)| p) {
        (xlo, xhi, ylo, yhi) = (xlo.min(*x), xhi.max(*x), ylo.min(*y), yhi.max(*y));
    }
    if xlo > xhi {
        (xlo, xhi, ylo, yhi) = (0.0, 1.0, 0.0, 1.0);
    }
    let (ylo, yhi, yticks) = y_domain(chart, ylo, yhi, false);
    let ys = Scale::new(ylo, yhi, f.bottom, f.top);
    let xs = match &axis {
        XAxis::Category(c) => Scale::new(-0.5, c.len() as f64 - 0.5, f.left, f.right),
        XAxis::Time => Scale::new(xlo, xhi, f.left + 10.0, f.right - 10.0),
        XAxis::Linear => {
            let (l, h, _) = linear_ticks(xlo, xhi, 6);
            Scale::new(l, h, f.left, f.right)
        }
    };
    y_axis(svg, f, &ys, &yticks, chart.ytitle.as_deref());
    x_axis(svg, f, &axis, &xs, chart.xtitle.as_deref());
    for (i, (name, points)) in series.iter().enumerate() {
        for (x, y, _) in points {
            let _ = writeln!(
                svg.body,
                r#"<circle class="point s{i}" cx="{:.1}" cy="{:.1}" r="3.5" fill="{c}" fill-opacity="0.8"><title>{}</title></circle>"#,
                xs.at(*x),
                ys.at(*y),
                escape(&format!("{name} · {}: {}", x_label(&axis, *x), format_real(*y))),
                c = color(i)
            );
        }
    }
    let names: Vec<String> = series.iter().map(|(n, _)| n.clone()).collect();
    svg.legend(chart, &names);
}

/// render card: the first row's values, each under its column name.
fn card(data: &Data, chart: &Chart, standalone: bool) -> String {
    let mut svg = Svg::new(standalone);
    let top = if chart.title.is_some() { 50.0 } else { 20.0 };
    let longest = (0..data.columns.len()).map(|c| data.text[c].first().map_or(0, |t| t.chars().count())).max();
    svg.width = (longest.unwrap_or(0) as f64 * 19.0 + 60.0).clamp(320.0, 1600.0);
    if data.rows == 0 {
        svg.text(20.0, top + 30.0, "start", "card-empty", "(no rows)");
        svg.height = top + 60.0;
    }
    for (c, col) in data.columns.iter().enumerate() {
        let Some(value) = data.text[c].first() else { break };
        let y = top + 80.0 * c as f64;
        svg.text(20.0, y + 20.0, "start", "card-name", &col.name);
        let _ = writeln!(
            svg.body,
            r#"<text class="card-value" x="20" y="{:.1}" font-size="32" font-weight="bold">{}</text>"#,
            y + 58.0,
            escape(value)
        );
        svg.height = y + 80.0;
    }
    svg.finish(chart)
}

/// render table: the rows as an SVG grid (every row, every cell whole).
fn table(data: &Data, chart: &Chart, standalone: bool) -> String {
    let mut svg = Svg::new(standalone);
    let top = if chart.title.is_some() { 40.0 } else { 0.0 };
    let widths: Vec<f64> = (0..data.columns.len())
        .map(|c| {
            let longest = data.text[c].iter().map(|t| t.chars().count()).max().unwrap_or(0);
            longest.max(data.columns[c].name.chars().count()) as f64 * 7.2 + 16.0
        })
        .collect();
    let row_h = 20.0;
    let mut x = 10.0;
    for (c, col) in data.columns.iter().enumerate() {
        svg.text(x + 4.0, top + 24.0, "start", "cell header", &col.name);
        for r in 0..data.rows {
            svg.text(x + 4.0, top + 24.0 + row_h * (r + 1) as f64, "start", "cell", &data.text[c][r]);
        }
        x += widths[c];
    }
    svg.line(10.0, top + 30.0, x, top + 30.0, "grid");
    svg.width = (x + 10.0).max(320.0);
    svg.height = top + 34.0 + row_h * data.rows as f64;
    svg.finish(chart)
}
