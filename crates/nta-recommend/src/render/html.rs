//! The `html` output: one self-contained page (inline style, no scripts,
//! no external assets) with each NSG's rules and the flows behind them,
//! the replay and the unused rules.

use crate::recommend::{Pair, Report};
use nta_azure::cidr::format_ipv4;
use std::fmt::Write;

/// Text escaped for HTML content and attribute values.
pub use kql_types::html::escape;

fn join<T: ToString>(v: &[T]) -> String {
    escape(&v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
}

fn pairs_table(out: &mut String, pairs: &[Pair]) {
    out.push_str("<table><tr><th>NSG</th><th>Source</th><th>Destination</th><th>Port</th><th>Protocol</th><th>Direction</th><th>Flows</th></tr>\n");
    for p in pairs {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td></tr>",
            escape(&p.nsg),
            format_ipv4(p.src),
            format_ipv4(p.dst),
            p.port,
            p.protocol.as_str(),
            p.direction.as_str(),
            p.flows
        );
    }
    out.push_str("</table>\n");
}

/// `--format html`.
pub fn html(report: &Report) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>ntaq recommend</title>\n<style>\n\
body{font-family:system-ui,sans-serif;margin:2em;color:#222}\ntable{border-collapse:collapse;margin:.5em 0 1em}\n\
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;font-size:90%}\nth{background:#f0f0f0}\ntd.n{text-align:right}\n\
details{margin:.2em 0 .2em 1em}\ncode{background:#f6f6f6}\n</style>\n</head>\n<body>\n<h1>Recommended NSG allow rules</h1>\n",
    );
    let rules: usize = report.nsgs.iter().map(|n| n.rules.len()).sum();
    let _ = writeln!(
        out,
        "<p>{rules} rules in {} NSG(s), from {} flows ({} in the window); <code>--aggregate {}</code>, <code>--min-flows {}</code>.</p>",
        report.nsgs.len(),
        report.flows_read,
        report.flows_in_window,
        report.aggregate.as_str(),
        report.min_flows
    );
    for n in &report.nsgs {
        let _ = writeln!(out, "<h2>NSG {}</h2>", escape(&n.nsg));
        let _ = writeln!(out, "<p>{} rules, {} flows admitted.</p>", n.rules.len(), n.flows_admitted());
        out.push_str("<table><tr><th>Priority</th><th>Name</th><th>Direction</th><th>Protocol</th><th>Source</th><th>Destination</th><th>Ports</th><th>Flows</th></tr>\n");
        for r in &n.rules {
            let s = &r.rule;
            let _ = writeln!(
                out,
                "<tr><td class=n>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td></tr>",
                s.priority,
                escape(&s.name),
                s.direction.as_str(),
                s.protocol.as_str(),
                join(&s.sources),
                join(&s.destinations),
                join(&s.destination_ports),
                r.flows
            );
        }
        out.push_str("</table>\n");
        for r in &n.rules {
            let _ = writeln!(out, "<details><summary>{}: {} pair(s)</summary>", escape(&r.rule.name), r.pairs.len());
            pairs_table(&mut out, &r.pairs);
            out.push_str("</details>\n");
        }
    }
    let _ = writeln!(out, "<h2>Blocked by default deny: {}</h2>", report.blocked.len());
    pairs_table(&mut out, &report.blocked);
    let _ = writeln!(out, "<h2>Allowed only by default or broad rules: {}</h2>", report.default_only.len());
    pairs_table(&mut out, &report.default_only);
    let _ = writeln!(out, "<h2>Unused rules: {}</h2>\n<ul>", report.unused.len());
    for (n, r) in &report.unused {
        let _ = writeln!(out, "<li>{}: {}</li>", escape(n), escape(r));
    }
    out.push_str("</ul>\n");
    if !report.notes.is_empty() {
        out.push_str("<h2>Notes</h2>\n<ul>\n");
        for note in &report.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(note));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
