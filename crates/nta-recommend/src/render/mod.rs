//! The output formats of a [`Report`](crate::Report), each as text.

pub mod arm;
pub mod az;
pub mod bicep;
pub mod html;
pub mod table;

use crate::recommend::Report;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A report for people.
    #[default]
    Table,
    /// `{"nsgs", "blockedByDefaultDeny", "defaultOnlyFlows", "unusedRules"}`.
    Json,
    /// `{"networkSecurityGroups": [{"name", "securityRules"}]}`.
    Arm,
    /// One NSG resource declaration each.
    Bicep,
    /// `az network nsg rule create` lines.
    Az,
    /// A self-contained page.
    Html,
}

/// The report in `format`, ending in a newline.
pub fn render(report: &Report, format: Format) -> String {
    // Keys sorted, as docs/recommend.md shows them (serde_json keeps the
    // order they were inserted in).
    let pretty = |mut v: serde_json::Value| {
        v.sort_all_objects();
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    };
    match format {
        Format::Table => table::table(report),
        Format::Json => pretty(arm::json(report)),
        Format::Arm => pretty(arm::arm(report)),
        Format::Bicep => bicep::bicep(report),
        Format::Az => az::az(report),
        Format::Html => html::html(report),
    }
}
