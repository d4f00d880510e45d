//! Least-privilege NSG rules from observed traffic (`ntaq recommend`).
//!
//! The article's method ends with "move to default-deny with selective
//! allow rules"; this crate does that step offline:
//!
//! 1. **observe**: [`flow::NtaRow`] reads NTANetAnalytics rows into
//!    [`ObservedFlow`]s;
//! 2. **recommend**: [`recommend()`] derives, per NSG, the allow rules
//!    that admit exactly the observed allowed flows at the chosen
//!    granularity ([`Aggregate`]), with priorities and names;
//! 3. **replay**: the same call replays the observed flows through the
//!    recommended rules plus a final deny, and through the current NSG
//!    export, with nta-azure's NSG matcher ([`replay`]);
//! 4. **deploy**: [`render::render`] writes the rules as a report, JSON,
//!    ARM, Bicep, `az` commands or an HTML page.
//!
//! No printing here: the CLI (ntaq) prints.

pub mod error;
pub mod flow;
pub mod naming;
pub mod recommend;
pub mod render;
pub mod replay;

pub use error::RecommendError;
pub use flow::{NtaRow, ObservedFlow, Skip};
pub use recommend::{Aggregate, Inputs, NsgRules, Options, Pair, RecommendedRule, Report, Window, recommend};
pub use render::{Format, render};
