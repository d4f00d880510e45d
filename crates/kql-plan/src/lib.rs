//! The binder and type checker: resolves tables, columns, `let` names and
//! query parameters against a [`Catalog`], infers Kusto types and each
//! operator's output schema (with Kusto's column naming), checks function
//! calls, and produces a [`Program`] of logical plans for the executor.
//!
//! ```
//! use kql_plan::{Catalog, Params, bind};
//!
//! let script = kql_syntax::parse("NTAIpDetails | summarize count() by Location").script;
//! let bound = bind(&script, &Catalog::nta(), &Params::default());
//! assert!(!bound.has_errors());
//! assert_eq!(bound.program.results[0].schema.to_string(), "(Location:string, count_:long)");
//! ```

mod binder;
pub mod catalog;
pub mod distinct;
mod eager;
pub mod error;
pub mod explain;
pub mod functions;
mod lookups;
pub mod optimize;
pub mod plan;
mod pushdown;
pub mod schema;
mod simplify;
pub mod types;

pub use binder::{Bound, MAX_EXPR_SIZE, MAX_PLAN_DEPTH, ParamBinding, Params, bind};
pub use catalog::{Catalog, ColumnDef, TableDef, TableOrigin};
pub use error::SemanticError;
pub use plan::{Plan, Program};
pub use schema::{Column, Schema};
pub use types::Type;
