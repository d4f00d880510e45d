//! `--format html`: one self-contained page — the chart's SVG inline (when
//! the query ends in `render`) above an HTML table of every row. No script,
//! style sheet, font or image is loaded from anywhere; the few lines of
//! inline script only toggle series from the legend.

use super::{Chart, Data, Vis, escape, is_numeric, svg};
use std::fmt::Write as _;

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222}\
figure{margin:0 0 1.5em 0}\
table{border-collapse:collapse;font-size:13px}\
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top;white-space:pre-wrap}\
th{background:#f3f3f3;position:sticky;top:0}\
td.num{text-align:right}\
p.rows{color:#666;font-size:12px}";

/// Hides and shows a series when its legend entry is clicked.
const SCRIPT: &str = "document.querySelectorAll('.legend-item').forEach(function(g){\
g.addEventListener('click',function(){\
var off=g.classList.toggle('off');\
var svg=g.closest('svg');\
svg.querySelectorAll('.s'+g.getAttribute('data-series')).forEach(function(e){e.style.display=off?'none':'';});\
});});";

/// The page: chart (if any) and table.
pub fn page(data: &Data, chart: Option<&Chart>) -> Result<String, String> {
    let title = chart.and_then(|c| c.title.clone()).unwrap_or_else(|| "ntaq result".to_string());
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let drawn = match chart {
        Some(c) if c.vis != Vis::Table => {
            let svg = svg::draw(data, c, false)?;
            let _ = write!(out, "<figure>\n{svg}</figure>\n");
            true
        }
        Some(c) => {
            if let Some(t) = &c.title {
                let _ = writeln!(out, "<h1>{}</h1>", escape(t));
            }
            false
        }
        None => false,
    };
    table(&mut out, data);
    if drawn {
        let _ = writeln!(out, "<script>{SCRIPT}</script>");
    }
    out.push_str("</body>\n</html>\n");
    Ok(out)
}

fn table(out: &mut String, data: &Data) {
    out.push_str("<table class=\"result\">\n<thead><tr>");
    for c in &data.columns {
        let _ = write!(out, "<th title=\"{}\">{}</th>", escape(c.kind.name()), escape(&c.name));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in 0..data.rows {
        out.push_str("<tr>");
        for (c, col) in data.columns.iter().enumerate() {
            let class = if is_numeric(col.kind) { " class=\"num\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(&data.text[c][r]));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    let _ = writeln!(out, "<p class=\"rows\">{} {}</p>", data.rows, if data.rows == 1 { "row" } else { "rows" });
}
