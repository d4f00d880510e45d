//! What the service a query is deployed to accepts beyond the language:
//! `ntaq check --target log-analytics|adx`. The language is the same; Log
//! Analytics (Azure Monitor) leaves out some of Azure Data Explorer's
//! capabilities, and has a few of its own. The rules below are the Kusto
//! reference's Azure Monitor and Azure Data Explorer variants of each page.
//!
//! ```
//! use kql_syntax::target::{Target, check};
//! let text = "T | count | render columnchart with (title='x', xtitle='y')";
//! let found = check(text, &kql_syntax::parse(text).script, Target::LogAnalytics);
//! assert_eq!(found.len(), 1); // xtitle is ignored in Log Analytics
//! ```

use crate::ast::{OperatorKind, Script, StatementKind};
use crate::span::Span;
use crate::tokens::{Token, TokenKind, tokenize};
use miette::Diagnostic;
use thiserror::Error;

/// A service a query runs in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// Log Analytics (Azure Monitor logs), where NTANetAnalytics lives.
    #[default]
    LogAnalytics,
    /// Azure Data Explorer.
    Adx,
}

impl Target {
    pub fn service(self) -> &'static str {
        match self {
            Target::LogAnalytics => "Log Analytics",
            Target::Adx => "Azure Data Explorer",
        }
    }
}

/// The visualizations of the render page's Azure Monitor variant.
pub const LOG_ANALYTICS_VISUALIZATIONS: &[&str] =
    &["areachart", "barchart", "columnchart", "piechart", "scatterchart", "table", "timechart"];

/// The render properties of the render page's Azure Monitor variant.
pub const LOG_ANALYTICS_RENDER_PROPERTIES: &[&str] = &["kind", "series", "title"];

/// Plugins that reach outside the service (other databases, HTTP, code
/// sandboxes, storage): Azure Data Explorer only.
const ADX_ONLY_PLUGINS: &[&str] = &[
    "azure_digital_twins_query_request",
    "cosmosdb_sql_request",
    "http_request",
    "http_request_post",
    "infer_storage_schema",
    "mysql_request",
    "postgresql_request",
    "python",
    "r",
    "sql_request",
];

/// Functions whose page says "This capability isn't supported in Azure
/// Monitor": cross-cluster scopes and extents.
const ADX_ONLY_FUNCTIONS: &[&str] = &["cluster", "database", "extent_id", "extent_tags"];

/// Azure Monitor's cross-resource and cross-service scopes; Azure Data
/// Explorer reaches a workspace through `cluster('https://ade.loganalytics.io/…')` instead.
const LOG_ANALYTICS_ONLY_FUNCTIONS: &[&str] = &["workspace", "app", "resource", "adx", "arg"];

/// Operators whose page says they are not supported in Azure Monitor.
const ADX_ONLY_OPERATORS: &[&str] = &["fork"];

/// Something the target service does not accept, or ignores.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum TargetDiagnostic {
    #[error("Log Analytics does not draw `render {visualization}`")]
    #[diagnostic(
        code(kql::target::render_visualization),
        help(
            "Log Analytics' visualizations are areachart, barchart, columnchart, piechart, scatterchart, table and timechart"
        )
    )]
    RenderVisualization {
        visualization: String,
        #[label("not a Log Analytics visualization")]
        span: Span,
    },

    #[error("Log Analytics ignores the render property `{property}`")]
    #[diagnostic(
        code(kql::target::render_property),
        severity(Warning),
        help("Log Analytics' render takes only kind, series and title; the query runs, without this property")
    )]
    RenderProperty {
        property: String,
        #[label("ignored in Log Analytics")]
        span: Span,
    },

    #[error("{service} does not run management commands such as `.{command}`")]
    #[diagnostic(
        code(kql::target::management_command),
        help("Log Analytics runs queries only; manage the workspace with the Azure portal, the Azure CLI or ARM")
    )]
    ManagementCommand {
        service: &'static str,
        command: String,
        #[label("a management command")]
        span: Span,
    },

    #[error("{service} has no `{plugin}` plugin")]
    #[diagnostic(code(kql::target::plugin))]
    Plugin {
        service: &'static str,
        plugin: String,
        #[label("not available in {service}")]
        span: Span,
    },

    #[error("`{name}()` is not available in {service}")]
    #[diagnostic(code(kql::target::function))]
    Function {
        service: &'static str,
        name: String,
        #[label("not available in {service}")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("{service} does not support the `{name}` operator")]
    #[diagnostic(code(kql::target::operator))]
    Operator {
        service: &'static str,
        name: String,
        #[label("not available in {service}")]
        span: Span,
        #[help]
        help: Option<String>,
    },
}

impl TargetDiagnostic {
    pub fn span(&self) -> Span {
        match self {
            TargetDiagnostic::RenderVisualization { span, .. }
            | TargetDiagnostic::RenderProperty { span, .. }
            | TargetDiagnostic::ManagementCommand { span, .. }
            | TargetDiagnostic::Plugin { span, .. }
            | TargetDiagnostic::Function { span, .. }
            | TargetDiagnostic::Operator { span, .. } => *span,
        }
    }
}

/// What `target` does not accept in `text` (parsed as `script`), in text order.
pub fn check(text: &str, script: &Script, target: Target) -> Vec<TargetDiagnostic> {
    let mut out = Vec::new();
    if target == Target::LogAnalytics {
        render(script, &mut out);
    }
    tokens(text, target, &mut out);
    out.sort_by_key(|d| d.span().start);
    out
}

/// `render`: the visualization and properties Log Analytics takes.
fn render(script: &Script, out: &mut Vec<TargetDiagnostic>) {
    let renders = script
        .statements
        .iter()
        .filter_map(|s| match &s.kind {
            StatementKind::Query(q) => Some(q),
            _ => None,
        })
        .flat_map(|q| &q.operators)
        .filter_map(|op| match &op.kind {
            OperatorKind::Render(r) => Some(r),
            _ => None,
        });
    for r in renders {
        let visualization = r.visualization.name.to_lowercase();
        if !LOG_ANALYTICS_VISUALIZATIONS.contains(&visualization.as_str()) {
            out.push(TargetDiagnostic::RenderVisualization { visualization, span: r.visualization.span });
        }
        for (name, _) in &r.properties {
            let property = name.name.to_lowercase();
            if !LOG_ANALYTICS_RENDER_PROPERTIES.contains(&property.as_str()) {
                out.push(TargetDiagnostic::RenderProperty { property, span: name.span });
            }
        }
    }
}

/// Management commands, plugins, functions and operators, found in the
/// tokens (the parser reports the commands and `evaluate` as KQL ntaq does
/// not implement, and keeps no tree for them).
fn tokens(text: &str, target: Target, out: &mut Vec<TargetDiagnostic>) {
    let service = target.service();
    let toks: Vec<Token> = tokenize(text).into_iter().filter(|t| t.kind != TokenKind::Comment).collect();
    let word = |k: usize| toks.get(k).filter(|t| t.kind == TokenKind::Word).map(|t| t.text(text));
    let punct = |k: usize, p: &str| toks.get(k).is_some_and(|t| t.kind == TokenKind::Punct && t.text(text) == p);
    for k in 0..toks.len() {
        let statement_start = k == 0 || punct(k - 1, ";");
        // `.show tables`: a dot and a word at the start of a statement.
        if target == Target::LogAnalytics
            && statement_start
            && punct(k, ".")
            && let Some(command) = word(k + 1).filter(|_| toks[k + 1].span.start == toks[k].span.end)
        {
            out.push(TargetDiagnostic::ManagementCommand {
                service,
                command: command.to_string(),
                span: Span::new(toks[k].span.start, toks[k + 1].span.end),
            });
        }
        let Some(w) = word(k) else { continue };
        let after_pipe = k > 0 && punct(k - 1, "|");
        if w == "evaluate" && (after_pipe || statement_start) && target == Target::LogAnalytics {
            // `evaluate [hint.x = y …] plugin(`: the first word before a `(`.
            if let Some(p) = (k + 1..toks.len()).find(|&j| word(j).is_some() && punct(j + 1, "(")) {
                let plugin = toks[p].text(text);
                if ADX_ONLY_PLUGINS.contains(&plugin.to_lowercase().as_str()) {
                    out.push(TargetDiagnostic::Plugin { service, plugin: plugin.to_string(), span: toks[p].span });
                }
            }
        }
        if after_pipe && target == Target::LogAnalytics && ADX_ONLY_OPERATORS.contains(&w) {
            out.push(TargetDiagnostic::Operator {
                service,
                name: w.to_string(),
                span: toks[k].span,
                help: Some("run each branch as its own query, or share a `let` (materialize()) between them".into()),
            });
        }
        if punct(k + 1, "(") && !after_pipe {
            let (lacks, help) = match target {
                Target::LogAnalytics => (
                    ADX_ONLY_FUNCTIONS,
                    "Log Analytics reaches Azure Data Explorer with adx('https://cluster.region.kusto.windows.net/database')",
                ),
                Target::Adx => (
                    LOG_ANALYTICS_ONLY_FUNCTIONS,
                    "Azure Data Explorer reaches a workspace with cluster('https://ade.loganalytics.io/subscriptions/…/workspaces/NAME').database('NAME')",
                ),
            };
            if lacks.contains(&w) {
                out.push(TargetDiagnostic::Function {
                    service,
                    name: w.to_string(),
                    span: toks[k].span,
                    help: Some(help.to_string()),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, target: Target) -> Vec<String> {
        let script = crate::parse(text).script;
        check(text, &script, target).iter().map(|d| d.code().map(|c| c.to_string()).unwrap_or_default()).collect()
    }

    #[test]
    fn render_in_log_analytics() {
        let q = "T | summarize count() by A | render columnchart with (kind=stacked, title='t', series=A)";
        assert!(codes(q, Target::LogAnalytics).is_empty());
        let q = "T | summarize count() by A | render linechart with (xtitle='x', ycolumns=count_)";
        assert_eq!(
            codes(q, Target::LogAnalytics),
            ["kql::target::render_visualization", "kql::target::render_property", "kql::target::render_property"]
        );
        assert!(codes(q, Target::Adx).is_empty());
    }

    #[test]
    fn commands_plugins_and_scopes() {
        assert_eq!(codes(".show tables", Target::LogAnalytics), ["kql::target::management_command"]);
        assert!(codes(".show tables", Target::Adx).is_empty());
        assert!(codes("T | where x == 0.5", Target::LogAnalytics).is_empty());
        assert_eq!(codes("T | evaluate sql_request('c', 'q')", Target::LogAnalytics), ["kql::target::plugin"]);
        assert!(codes("T | evaluate bag_unpack(d)", Target::LogAnalytics).is_empty());
        assert!(codes("T | evaluate hint.distribution=single python(typeof(*), 's')", Target::Adx).is_empty());
        assert_eq!(
            codes("cluster('help').database('S').T | count", Target::LogAnalytics),
            ["kql::target::function", "kql::target::function"]
        );
        assert_eq!(codes("workspace('w').NTANetAnalytics | count", Target::Adx), ["kql::target::function"]);
        assert!(codes("workspace('w').NTANetAnalytics | count", Target::LogAnalytics).is_empty());
        assert_eq!(codes("T | fork (where a > 1) (take 1)", Target::LogAnalytics), ["kql::target::operator"]);
        // Names in strings and comments are not calls.
        assert!(codes("print 'cluster(x)' // database(y)", Target::LogAnalytics).is_empty());
    }
}
