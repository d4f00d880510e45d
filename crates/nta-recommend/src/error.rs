//! Errors of the recommender (`recommend::…` codes).

use miette::Diagnostic;
use thiserror::Error;

/// Why a recommendation cannot be made.
#[derive(Debug, Error, Diagnostic)]
pub enum RecommendError {
    /// The priorities 100–4096 left free by the NSG's kept rules do not
    /// hold every recommended rule.
    #[error(
        "NSG {nsg}: {needed} {direction} rules do not fit in the priorities 100–4096 left free by its {kept} kept rules (steps of {step})"
    )]
    #[diagnostic(
        code(recommend::priorities_exhausted),
        help("aggregate more (--aggregate subnet), raise --min-flows, or remove unused rules from the NSG")
    )]
    PrioritiesExhausted {
        /// NSG name.
        nsg: String,
        /// Inbound or Outbound.
        direction: String,
        /// Rules to place.
        needed: usize,
        /// User rules of the export in that direction.
        kept: usize,
        /// Step between priorities.
        step: u32,
    },
    /// `--window` is neither a timespan nor `START..END`.
    #[error("invalid window `{text}`: {reason}")]
    #[diagnostic(
        code(recommend::window),
        help("write a timespan such as 7d or 12h (the last span of the data), or START..END with ISO 8601 instants")
    )]
    Window {
        /// The text given.
        text: String,
        /// What is wrong.
        reason: String,
    },
}
