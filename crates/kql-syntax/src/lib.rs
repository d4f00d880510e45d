//! KQL syntax: a nom parser producing a spanned AST, a canonical printer,
//! and syntax diagnostics.
//!
//! ```
//! let parsed = kql_syntax::parse("NTANetAnalytics | where SubType == 'FlowLog' | count");
//! assert!(parsed.errors.is_empty());
//! assert_eq!(
//!     parsed.script.to_string(),
//!     "NTANetAnalytics\n| where SubType == \"FlowLog\"\n| count"
//! );
//! ```

pub mod ast;
mod display;
pub mod error;
mod parser;
pub mod span;
pub mod target;
pub mod tokens;

pub use error::SyntaxError;
pub use parser::{MAX_DEPTH, Parsed, parse, parse_expression};
pub use span::Span;
// Shared vocabulary, now in kql-types; re-exported so existing paths
// (`kql_syntax::ScalarType`, `kql_syntax::time::…`) keep working.
pub use kql_types::ScalarType;
pub use kql_types::scalar as types;
pub use kql_types::{suggest, time};

/// Operator keywords ntaq parses, and those Kusto has that ntaq does not implement.
pub mod keywords {
    pub use crate::parser::{RENDER_KINDS, SUPPORTED_OPERATORS, UNSUPPORTED_OPERATORS};
}
