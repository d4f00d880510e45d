//! `--format dot` and `--format mermaid`: a flow graph of an edge list.
//! The endpoints are the first two columns (or the columns named by
//! [`GraphOptions::edges`]); every distinct (source, target) pair is one
//! edge, listed in order of first appearance, whatever the result's size.
//! A numeric `weight` column, summed over a pair's rows, labels the edge.
//! The same sink writes the HTML graph view ([`super::graph_view`],
//! `--format html --graph`), which also reads the `FlowType` and
//! `ThreatType` columns when the result has them (malicious endpoints).

use super::super::dest::Output;
use super::super::error::OutputError;
use super::super::kusto::Layout;
use super::super::text::format_real;
use super::graph_view::{EdgeList, page};
use super::nodes::{NodeKind, classify};
use super::{ColumnInfo, Data, column_infos, is_numeric};
use arrow_array::RecordBatch;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

/// Which columns make the edges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphOptions {
    /// Source and target columns; default the first two.
    pub edges: Option<(String, String)>,
    /// A numeric column whose sum over a pair's rows labels its edge.
    pub weight: Option<String>,
    /// `--graph`: `--format html` draws the graph view instead of a table page.
    pub view: bool,
    /// The most edges the graph view draws (0: all); DOT and Mermaid list every pair.
    pub max_edges: usize,
}

/// `--max-edges`'s default for the HTML graph view: a page a browser
/// draws at once, however large the result.
pub const DEFAULT_MAX_EDGES: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    Dot,
    Mermaid,
    /// The HTML graph view, drawing at most this many edges (0: all).
    Html(usize),
}

/// The graph sink: reads the endpoint columns of each batch, keeps the
/// distinct pairs (and their weights), writes the graph at the end.
pub(crate) struct GraphSink {
    out: Output,
    layout: Layout,
    syntax: Syntax,
    src: usize,
    dst: usize,
    weight: Option<usize>,
    /// `FlowType` and `ThreatType` (graph view only).
    marks: (Option<usize>, Option<usize>),
    nodes: HashMap<String, usize>,
    names: Vec<String>,
    pairs: HashMap<(usize, usize), usize>,
    edges: Vec<(usize, usize, f64)>,
    flagged: Vec<bool>,
    malicious: Vec<bool>,
    columns: (String, String, Option<String>),
    rows: u64,
}

impl GraphSink {
    pub fn new(out: Output, layout: Layout, syntax: Syntax, opts: &GraphOptions) -> Result<GraphSink, OutputError> {
        let columns = column_infos(&layout);
        let bad = |reason: String| OutputError::Graph { reason };
        let find = |name: &str| {
            columns.iter().position(|c| c.name == name).ok_or_else(|| bad(format!("the result has no column `{name}`")))
        };
        let (src, dst) = match &opts.edges {
            Some((s, d)) => (find(s)?, find(d)?),
            None if columns.len() >= 2 => (0, 1),
            None => {
                return Err(bad(format!(
                    "an edge list needs two columns (source, target); the result has {}",
                    columns.len()
                )));
            }
        };
        let weight = match &opts.weight {
            Some(w) => {
                let i = find(w)?;
                if !is_numeric(columns[i].kind) {
                    return Err(bad(format!("the weight column `{w}` is {}, not a number", columns[i].kind)));
                }
                Some(i)
            }
            None => None,
        };
        let text_column =
            |name: &str| columns.iter().position(|c| c.name == name && c.kind == kql_types::ScalarType::String);
        let marks = match syntax {
            Syntax::Html(_) => (text_column("FlowType"), text_column("ThreatType")),
            _ => (None, None),
        };
        let names = (columns[src].name.clone(), columns[dst].name.clone(), weight.map(|w| columns[w].name.clone()));
        Ok(GraphSink {
            out,
            layout,
            syntax,
            src,
            dst,
            weight,
            marks,
            nodes: HashMap::new(),
            names: Vec::new(),
            pairs: HashMap::new(),
            edges: Vec::new(),
            flagged: Vec::new(),
            malicious: Vec::new(),
            columns: names,
            rows: 0,
        })
    }

    fn node(&mut self, name: &str) -> usize {
        if let Some(&i) = self.nodes.get(name) {
            return i;
        }
        let i = self.names.len();
        self.names.push(name.to_string());
        self.malicious.push(false);
        self.nodes.insert(name.to_string(), i);
        i
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        let errors = self.out.errors().clone();
        let batch = self.layout.prepare(batch, &errors.target)?;
        // Only the endpoint, weight and mark columns are turned into text.
        let keep: Vec<usize> =
            [Some(self.src), Some(self.dst), self.weight.or(Some(self.src)), self.marks.0, self.marks.1]
                .into_iter()
                .flatten()
                .collect();
        let flow_type = self.marks.0.map(|_| 3);
        let threat_type = self.marks.1.map(|_| if self.marks.0.is_some() { 4 } else { 3 });
        let mut data =
            Data::new(keep.iter().map(|&i| ColumnInfo { name: String::new(), kind: self.layout.kinds[i] }).collect());
        let projected = batch.project(&keep).map_err(|e| errors.arrow(e))?;
        data.push(&projected).map_err(|e| errors.arrow(e))?;
        for r in 0..data.rows {
            let s = self.node(&data.text[0][r]);
            let d = self.node(&data.text[1][r]);
            let w = if self.weight.is_some() { data.value(2, r).unwrap_or(0.0) } else { 0.0 };
            let next = self.edges.len();
            let e = *self.pairs.entry((s, d)).or_insert(next);
            if e == next {
                self.edges.push((s, d, 0.0));
                self.flagged.push(false);
            }
            self.edges[e].2 += w;
            let marked = flow_type.is_some_and(|c| data.text[c][r] == "MaliciousFlow")
                || threat_type.is_some_and(|c| !data.text[c][r].trim().is_empty());
            if marked {
                self.flagged[e] = true;
                for v in [s, d] {
                    if classify(&self.names[v]) == NodeKind::PublicIp {
                        self.malicious[v] = true;
                    }
                }
            }
        }
        self.rows += data.rows as u64;
        Ok(())
    }

    /// Writes the graph; returns the output, the rows read and what to tell
    /// the user (the edges the graph view left out).
    pub fn finish(mut self) -> Result<(Output, u64, Vec<String>), OutputError> {
        let errors = self.out.errors().clone();
        let weighted = self.weight.is_some();
        let mut notes = Vec::new();
        let text = match self.syntax {
            Syntax::Dot => dot(&self.names, &self.edges, weighted),
            Syntax::Mermaid => mermaid(&self.names, &self.edges, weighted),
            Syntax::Html(max_edges) => {
                let (source, target, weight) = std::mem::take(&mut self.columns);
                let list = EdgeList {
                    names: std::mem::take(&mut self.names),
                    edges: std::mem::take(&mut self.edges),
                    flagged: std::mem::take(&mut self.flagged),
                    malicious: std::mem::take(&mut self.malicious),
                    weight,
                    source,
                    target,
                    rows: self.rows,
                };
                let drawn = page(&list, max_edges);
                if drawn.edges_left_out > 0 {
                    notes.push(format!(
                        "the graph shows {} of {} edges: {} edges and {} nodes left out (--max-edges {max_edges}; 0 draws all)",
                        drawn.edges_drawn,
                        list.edges.len(),
                        drawn.edges_left_out,
                        drawn.nodes_left_out
                    ));
                }
                drawn.html
            }
        };
        self.out.write_all(text.as_bytes()).map_err(|e| errors.io(e))?;
        Ok((self.out, self.rows, notes))
    }
}

/// A DOT quoted string: `"` and `\` escaped, line breaks as `\n`.
pub fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Mermaid quoted label: `"`, `#`, `<`, `>` as Mermaid entity codes,
/// line breaks as spaces.
pub fn mermaid_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot(names: &[String], edges: &[(usize, usize, f64)], weighted: bool) -> String {
    let mut out = String::from("digraph ntaq {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n");
    for (i, n) in names.iter().enumerate() {
        let _ = writeln!(out, "  n{i} [label={}];", dot_quote(n));
    }
    for (s, d, w) in edges {
        if weighted {
            let _ = writeln!(out, "  n{s} -> n{d} [label={}];", dot_quote(&format_real(*w)));
        } else {
            let _ = writeln!(out, "  n{s} -> n{d};");
        }
    }
    out.push_str("}\n");
    out
}

fn mermaid(names: &[String], edges: &[(usize, usize, f64)], weighted: bool) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, n) in names.iter().enumerate() {
        let _ = writeln!(out, "  n{i}[{}]", mermaid_quote(n));
    }
    for (s, d, w) in edges {
        if weighted {
            let _ = writeln!(out, "  n{s} -->|{}| n{d}", mermaid_quote(&format_real(*w)));
        } else {
            let _ = writeln!(out, "  n{s} --> n{d}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_for_each_syntax() {
        assert_eq!(dot_quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(dot_quote("x\ny"), r#""x\ny""#);
        assert_eq!(mermaid_quote(r#"a "b" #1 <i>"#), r#""a #quot;b#quot; #35;1 #lt;i#gt;""#);
    }

    #[test]
    fn one_edge_per_pair() {
        let names = vec!["a".to_string(), "b".to_string()];
        let text = dot(&names, &[(0, 1, 3.0), (1, 0, 1.0)], true);
        assert!(text.contains("n0 -> n1 [label=\"3\"];"), "{text}");
        assert!(text.contains("n1 -> n0 [label=\"1\"];"), "{text}");
        let text = mermaid(&names, &[(0, 1, 0.0)], false);
        assert_eq!(text, "flowchart LR\n  n0[\"a\"]\n  n1[\"b\"]\n  n0 --> n1\n");
    }
}
