//! The vocabulary every ntaq stage shares, at the bottom of the crate graph
//! (no parser, no plans, no arrays):
//!
//! - [`ScalarType`], Kusto's scalar types by name;
//! - [`time`]: datetime and timespan text (literals, `todatetime()`, exports)
//!   as nanoseconds, and their canonical forms;
//! - [`text`]: values as results show them (`tostring()`, the writers) and
//!   the pieces of reading values from text (`toreal()`, text exports);
//! - [`arrow`]: which Kusto type an Arrow column holds (with the
//!   [`KUSTO_TYPE_KEY`] field metadata) and the Arrow types of tables ntaq
//!   writes;
//! - [`schemas`]: the published traffic-analytics table schemas and ntaq's
//!   `FlowTuples`;
//! - [`suggest`]: "did you mean …?" for misspelt names;
//! - [`value`]: [`Value`], a typed constant, and [`DynValue`], what a
//!   `dynamic` holds, with their text forms and text → value parsing.
//!
//! ```
//! use kql_types::{ScalarType, text};
//!
//! assert_eq!(ScalarType::from_name("double"), Some(ScalarType::Real));
//! assert_eq!(text::real_text(1e300), "1e300");
//! assert_eq!(text::datetime_text(0), "1970-01-01T00:00:00Z");
//! ```

pub mod arrow;
pub mod decimal;
pub mod html;
pub mod scalar;
pub mod schemas;
pub mod suggest;
pub mod text;
pub mod time;
pub mod value;

pub use arrow::{KUSTO_TYPE_KEY, kusto_type_of_arrow, kusto_type_of_field, table_arrow_type};
pub use scalar::ScalarType;
pub use schemas::ColumnDef;
pub use value::{DynValue, Value};
