//! `--format html --graph`: an edge list as one self-contained page — an
//! SVG graph laid out in Rust ([`super::layout`]), nodes styled by kind
//! ([`super::nodes`]) with a legend, edges capped at `--max-edges`
//! ([`super::cap`]), the best-connected nodes in a table, and a few lines
//! of inline script: hovering a node shows its label, kind and degree and
//! highlights its edges; the wheel zooms and dragging pans. Nothing is
//! loaded from anywhere.
//!
//! Nodes are circles sized by degree (hubs stand out), drawn over the
//! edges in order of degree; edges are lines, thicker with `--weight`,
//! fainter the more there are, with arrowheads and weight labels while few
//! enough to read. Labels are written beside every node of a small graph,
//! beside the hubs of a large one; every node's label is in its hover text.

use super::cap::{cap, degrees};
use super::escape;
use super::layout::{Method, layout};
use super::nodes::{NodeKind, classify};
use crate::output::text::format_real;
use std::fmt::Write as _;

/// An edge list, every distinct pair once.
#[derive(Debug, Clone, Default)]
pub struct EdgeList {
    /// Node labels, in order of first appearance.
    pub names: Vec<String>,
    /// (source, target, summed weight), in order of first appearance.
    pub edges: Vec<(usize, usize, f64)>,
    /// Edges with a row marked malicious (FlowType, ThreatType).
    pub flagged: Vec<bool>,
    /// Nodes marked malicious.
    pub malicious: Vec<bool>,
    /// The weight column, if any.
    pub weight: Option<String>,
    /// The endpoint columns.
    pub source: String,
    pub target: String,
    /// Rows read.
    pub rows: u64,
}

/// The page, and what it left out.
#[derive(Debug, Clone)]
pub struct GraphPage {
    pub html: String,
    pub nodes_drawn: usize,
    pub edges_drawn: usize,
    pub edges_left_out: usize,
    pub nodes_left_out: usize,
    pub method: Option<Method>,
}

/// Edges drawn with arrowheads up to this many, with hover titles up to
/// [`TITLED_EDGES`].
const ARROW_EDGES: usize = 300;
const TITLED_EDGES: usize = 2000;
/// Weights written on edges up to this many.
const LABELLED_EDGES: usize = 150;
/// Every node labelled up to this many; else the hubs.
const LABELLED_NODES: usize = 80;
const HUB_LABELS: usize = 20;
/// Rows of the table of the best-connected nodes.
const TOP_NODES: usize = 15;

const STYLE: &str = "body{font-family:sans-serif;margin:1.2em;color:#222}\
h1{font-size:18px;margin:0 0 .4em 0}p{margin:.3em 0;font-size:13px}\
p.capped{color:#a33;font-weight:bold}\
ul.legend{list-style:none;padding:0;margin:.5em 0;font-size:13px}ul.legend li{display:inline-block;margin-right:1.2em}\
.dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:4px;vertical-align:-1px}\
.line{display:inline-block;width:18px;height:0;border-top:2px solid #d62728;margin-right:4px;vertical-align:3px}\
#info{font-size:13px;min-height:1.3em;font-family:monospace;background:#f6f6f6;padding:3px 6px;margin:.4em 0}\
svg.graph{border:1px solid #ddd;background:#fff;max-width:100%;height:auto;cursor:grab}\
.edge{stroke:#777}.edge.flagged{stroke:#d62728}.edge.hi{stroke:#111;stroke-opacity:.95}\
.node{stroke:#fff;stroke-width:1}.node:hover{stroke:#000;stroke-width:2}\
.label{font-size:11px;fill:#222;pointer-events:none;paint-order:stroke;stroke:#fff;stroke-width:3px}\
.weight{font-size:10px;fill:#555}\
table.hubs{border-collapse:collapse;font-size:13px;margin-top:1em}\
table.hubs th,table.hubs td{border:1px solid #ccc;padding:2px 8px;text-align:left}td.num{text-align:right}";

const SCRIPT: &str = "(function(){\
var svg=document.querySelector('svg.graph'),info=document.getElementById('info');\
var idle=info.textContent,edges=svg.querySelectorAll('.edge');\
function show(n){var i=n.getAttribute('data-i');\
info.textContent=n.getAttribute('data-label')+' \\u2014 '+n.getAttribute('data-kind')+', degree '+n.getAttribute('data-degree');\
edges.forEach(function(e){if(e.getAttribute('data-s')===i||e.getAttribute('data-d')===i)e.classList.add('hi');});}\
function hide(){info.textContent=idle;edges.forEach(function(e){e.classList.remove('hi');});}\
svg.querySelectorAll('.node').forEach(function(n){\
n.addEventListener('mouseenter',function(){show(n);});n.addEventListener('mouseleave',hide);});\
var vb=svg.viewBox.baseVal;\
svg.addEventListener('wheel',function(ev){ev.preventDefault();var k=ev.deltaY<0?0.8:1.25,r=svg.getBoundingClientRect();\
var px=vb.x+(ev.clientX-r.left)/r.width*vb.width,py=vb.y+(ev.clientY-r.top)/r.height*vb.height;\
vb.x=px-(px-vb.x)*k;vb.y=py-(py-vb.y)*k;vb.width*=k;vb.height*=k;},{passive:false});\
var drag=null;svg.addEventListener('mousedown',function(ev){drag=[ev.clientX,ev.clientY];});\
window.addEventListener('mouseup',function(){drag=null;});\
svg.addEventListener('mousemove',function(ev){if(!drag)return;var r=svg.getBoundingClientRect();\
vb.x-=(ev.clientX-drag[0])/r.width*vb.width;vb.y-=(ev.clientY-drag[1])/r.height*vb.height;drag=[ev.clientX,ev.clientY];});\
})();";

/// At most `n` characters, `…` in place of the rest.
fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let mut s: String = text.chars().take(n.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The page of an edge list, drawing at most `max_edges` edges (0: all).
pub fn page(g: &EdgeList, max_edges: usize) -> GraphPage {
    let n = g.names.len();
    let degree = degrees(n, g.edges.iter().map(|e| (e.0, e.1)));
    let kind: Vec<NodeKind> = (0..n)
        .map(|i| if g.malicious.get(i).copied().unwrap_or(false) { NodeKind::Malicious } else { classify(&g.names[i]) })
        .collect();
    let weighted = g.weight.is_some();
    let kept = cap(&g.edges, &degree, weighted, max_edges);
    // The nodes of the kept edges, renumbered in order of first appearance.
    let mut view_of = vec![usize::MAX; n];
    let mut nodes: Vec<usize> = Vec::new();
    for &e in &kept {
        let (s, d, _) = g.edges[e];
        for v in [s, d] {
            if view_of[v] == usize::MAX {
                view_of[v] = nodes.len();
                nodes.push(v);
            }
        }
    }
    let view_edges: Vec<(usize, usize)> =
        kept.iter().map(|&e| (view_of[g.edges[e].0], view_of[g.edges[e].1])).collect();
    let view_degree: Vec<usize> = nodes.iter().map(|&v| degree[v]).collect();
    let (method, pos) = layout(nodes.len(), &view_edges, &view_degree);
    let edges_left_out = g.edges.len() - kept.len();
    let nodes_left_out = n - nodes.len();

    let size = match nodes.len() {
        0..=60 => 760.0,
        61..=500 => 1000.0,
        _ => 1300.0,
    };
    let margin = 40.0;
    let at = |p: (f64, f64)| (margin + p.0 * (size - 2.0 * margin), margin + p.1 * (size - 2.0 * margin));
    let large = nodes.len() > 500;
    let radius = |deg: usize| {
        let d = deg as f64;
        if large { (2.0 + 0.9 * d.sqrt()).min(14.0) } else { (3.5 + 1.5 * d.sqrt()).min(18.0) }
    };
    let opacity = match kept.len() {
        0..=200 => 0.7,
        201..=1000 => 0.4,
        1001..=3000 => 0.22,
        _ => 0.12,
    };
    let max_weight = kept.iter().map(|&e| g.edges[e].2).fold(0.0_f64, f64::max);
    let detail = kept.len() <= ARROW_EDGES;
    let titled = kept.len() <= TITLED_EDGES;

    // Room on the right for the labels of the rightmost nodes.
    let w = size + 110.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg class="graph" viewBox="0 0 {w} {size}" width="{w}" height="{size}" font-family="sans-serif" data-nodes="{}" data-edges="{}" data-layout="{}" role="img">"#,
        nodes.len(),
        kept.len(),
        method.name()
    );
    if detail {
        svg.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#777"/></marker></defs>"##);
        svg.push('\n');
    }
    svg.push_str("<g class=\"edges\">\n");
    for (k, &e) in kept.iter().enumerate() {
        let (s, d, w) = g.edges[e];
        let (a, b) = view_edges[k];
        let (x1, y1) = at(pos[a]);
        let (mut x2, mut y2) = at(pos[b]);
        if detail && a != b {
            // End at the target's rim so the arrowhead shows.
            let (dx, dy) = (x2 - x1, y2 - y1);
            let len = (dx * dx + dy * dy).sqrt();
            let r = radius(degree[d]) + 1.5;
            if len > r * 2.0 {
                x2 -= dx / len * r;
                y2 -= dy / len * r;
            }
        }
        let width = match (weighted, large) {
            (true, _) if max_weight > 0.0 && w > 0.0 => 0.8 + 4.2 * (w / max_weight).sqrt(),
            (true, _) => 0.8,
            (false, false) => 1.3,
            (false, true) => 0.6,
        };
        let flagged = if g.flagged.get(e).copied().unwrap_or(false) { " flagged" } else { "" };
        let marker = if detail && a != b { r#" marker-end="url(#arrow)""# } else { "" };
        let _ = write!(
            svg,
            r#"<line class="edge{flagged}" data-s="{a}" data-d="{b}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke-width="{width:.2}" stroke-opacity="{opacity}"{marker}>"#
        );
        if titled {
            let weight = if weighted { format!(": {}", format_real(w)) } else { String::new() };
            let _ = write!(svg, "<title>{} → {}{}</title>", escape(&g.names[s]), escape(&g.names[d]), escape(&weight));
        }
        svg.push_str("</line>\n");
        if weighted && kept.len() <= LABELLED_EDGES {
            let _ = writeln!(
                svg,
                r#"<text class="weight" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0 - 3.0,
                escape(&format_real(w))
            );
        }
    }
    svg.push_str("</g>\n<g class=\"nodes\">\n");
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by(|&a, &b| view_degree[a].cmp(&view_degree[b]).then(a.cmp(&b)));
    for &i in &order {
        let v = nodes[i];
        let (x, y) = at(pos[i]);
        let k = kind[v];
        let _ = writeln!(
            svg,
            r#"<circle class="node k-{}" data-i="{i}" data-label="{}" data-kind="{}" data-degree="{}" cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="{}"><title>{} ({}, degree {})</title></circle>"#,
            k.class(),
            escape(&g.names[v]),
            k.name(),
            degree[v],
            radius(degree[v]),
            k.color(),
            escape(&g.names[v]),
            k.name(),
            degree[v]
        );
    }
    svg.push_str("</g>\n<g class=\"labels\">\n");
    let mut labelled: Vec<usize> = (0..nodes.len()).collect();
    if nodes.len() > LABELLED_NODES {
        labelled.sort_by(|&a, &b| view_degree[b].cmp(&view_degree[a]).then(a.cmp(&b)));
        labelled.truncate(HUB_LABELS);
    }
    for i in labelled {
        let (x, y) = at(pos[i]);
        let r = radius(degree[nodes[i]]);
        let _ = writeln!(
            svg,
            r#"<text class="label" x="{:.1}" y="{:.1}">{}</text>"#,
            x + r + 2.0,
            y + 4.0,
            escape(&short(&g.names[nodes[i]], 30))
        );
    }
    svg.push_str("</g>\n</svg>\n");

    let mut out = String::new();
    let title = format!("Flow graph: {} → {}", g.source, g.target);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = escape(&title)
    );
    let weight = g.weight.as_ref().map(|w| format!("; edges weighted by the sum of {}", escape(w))).unwrap_or_default();
    let _ = writeln!(
        out,
        "<p class=\"stats\">{}, {} (distinct pairs of {} rows){weight}; layout: {}.</p>",
        plural(n, "node", "nodes"),
        plural(g.edges.len(), "edge", "edges"),
        g.rows,
        method.name()
    );
    if edges_left_out > 0 {
        let _ = writeln!(
            out,
            "<p class=\"capped\">Showing {} of {} edges: {} and {} left out (--max-edges {}; {}).</p>",
            kept.len(),
            g.edges.len(),
            plural(edges_left_out, "edge", "edges"),
            plural(nodes_left_out, "node", "nodes"),
            max_edges,
            if weighted { "the heaviest kept" } else { "the edges of the best-connected nodes kept" }
        );
    }
    out.push_str("<ul class=\"legend\">");
    for k in NodeKind::ALL {
        let count = nodes.iter().filter(|&&v| kind[v] == k).count();
        if count > 0 {
            let _ = write!(
                out,
                "<li class=\"legend-kind\" data-kind=\"{}\"><span class=\"dot\" style=\"background:{}\"></span>{} ({count})</li>",
                k.class(),
                k.color(),
                k.name()
            );
        }
    }
    if kept.iter().any(|&e| g.flagged.get(e).copied().unwrap_or(false)) {
        out.push_str("<li><span class=\"line\"></span>edge of a malicious flow</li>");
    }
    out.push_str("<li>circle size: degree</li></ul>\n");
    let idle =
        if nodes.is_empty() { "(no edges)" } else { "hover a node for its label and degree; wheel zooms, drag pans" };
    let _ = writeln!(out, "<div id=\"info\">{idle}</div>");
    let _ = write!(out, "<figure style=\"margin:0\">\n{svg}</figure>\n");
    // The best-connected nodes.
    let mut top: Vec<usize> = (0..n).collect();
    top.sort_by(|&a, &b| degree[b].cmp(&degree[a]).then(a.cmp(&b)));
    top.truncate(TOP_NODES);
    if !top.is_empty() {
        out.push_str(
            "<table class=\"hubs\">\n<thead><tr><th>node</th><th>kind</th><th>degree</th></tr></thead>\n<tbody>\n",
        );
        for v in top {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                escape(&g.names[v]),
                kind[v].name(),
                degree[v]
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let _ = writeln!(out, "<script>{SCRIPT}</script>");
    out.push_str("</body>\n</html>\n");
    GraphPage {
        html: out,
        nodes_drawn: nodes.len(),
        edges_drawn: kept.len(),
        edges_left_out,
        nodes_left_out,
        method: (!nodes.is_empty()).then_some(method),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(pairs: &[(&str, &str)]) -> EdgeList {
        let mut g = EdgeList { source: "S".into(), target: "D".into(), ..Default::default() };
        for (s, d) in pairs {
            let mut id = |name: &str| match g.names.iter().position(|n| n == name) {
                Some(i) => i,
                None => {
                    g.names.push(name.to_string());
                    g.names.len() - 1
                }
            };
            let (a, b) = (id(s), id(d));
            g.edges.push((a, b, 0.0));
            g.rows += 1;
        }
        g.flagged = vec![false; g.edges.len()];
        g.malicious = vec![false; g.names.len()];
        g
    }

    #[test]
    fn a_capped_page_says_what_it_left_out() {
        // a→b a→c a→d b→c e→f: 2 kept (a→b, a→c), so d, e, f are left out.
        let g = list(&[("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("e", "f")]);
        let p = page(&g, 2);
        assert_eq!((p.edges_drawn, p.edges_left_out, p.nodes_drawn, p.nodes_left_out), (2, 3, 3, 3));
        assert!(p.html.contains("Showing 2 of 5 edges: 3 edges and 3 nodes left out (--max-edges 2"), "{}", p.html);
        assert_eq!(p.html.matches("<circle class=\"node").count(), 3);
        assert_eq!(p.html.matches("<line class=\"edge").count(), 2);
        let all = page(&g, 0);
        assert_eq!((all.edges_drawn, all.nodes_drawn, all.edges_left_out), (5, 6, 0));
        assert!(!all.html.contains("class=\"capped\""));
    }

    #[test]
    fn nodes_carry_kind_and_degree_and_labels_are_escaped() {
        let mut g = list(&[("10.0.0.1", "8.8.8.8"), ("10.0.0.1", "rg/vm<1>"), ("10.0.0.1", "rg/vnet/snet")]);
        g.malicious[1] = true;
        let p = page(&g, 0);
        assert!(p.html.contains(r#"data-label="10.0.0.1" data-kind="private IP" data-degree="3""#), "{}", p.html);
        assert!(p.html.contains(r#"data-label="8.8.8.8" data-kind="malicious IP" data-degree="1""#));
        assert!(p.html.contains(r#"data-label="rg/vm&lt;1&gt;" data-kind="VM""#));
        assert!(p.html.contains(r#"data-kind="subnet""#));
        assert!(!p.html.contains("<1>"));
        assert!(p.html.contains("private IP (1)") && p.html.contains("malicious IP (1)"));
        // Nothing is loaded from anywhere.
        assert!(!p.html.contains("http:") && !p.html.contains("https:") && !p.html.contains("src="));
        assert_eq!(p.html, page(&g, 0).html, "the same page every time");
    }
}
