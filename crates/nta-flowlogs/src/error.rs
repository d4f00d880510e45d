//! Errors of reading flow-log blobs and deriving tables from them.

use miette::Diagnostic;
use thiserror::Error;

/// Errors of the flow-log stage (`flowlogs::…` codes).
#[derive(Debug, Error, Diagnostic)]
pub enum FlowLogError {
    /// Deriving the NTA tables is not available yet.
    #[error("deriving NTANetAnalytics / NTAIpDetails from flow logs is not implemented yet")]
    #[diagnostic(code(flowlogs::not_derived))]
    NotDerived,
}
