//! The integration tests of `kql-exec`, one module per concern, linked into one
//! test binary (`cargo test -p kql-exec --test integration [module::]`).

mod common;
mod dictionary_keys;
mod functions_datetime;
mod functions_math;
mod functions_misc;
mod functions_text;
mod golden;
mod implemented;
mod joins;
mod limits;
mod operators;
mod rewrites;
mod row_group_layout;
mod scan_filters;
mod scenarios;
mod semantics;
mod sketches;
mod spill;
mod spill_joins;
mod spill_passes;
