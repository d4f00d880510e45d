//! Errors of reading Azure resource exports.

use miette::Diagnostic;
use std::path::PathBuf;
use thiserror::Error;

/// Errors of reading `az` JSON exports and service-tag files (`azure::…` codes).
#[derive(Debug, Error, Diagnostic)]
pub enum AzureError {
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(azure::io))]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not the JSON document it should be.
    #[error("{}: {message}", path.display())]
    #[diagnostic(code(azure::json), help("{help}"))]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong (with line and column when known).
        message: String,
        /// Which command writes the expected document.
        help: String,
    },
}
