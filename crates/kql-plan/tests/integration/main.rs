//! The integration tests of `kql-plan`, one module per concern, linked into one
//! test binary (`cargo test -p kql-plan --test integration [module::]`).

mod checker;
mod pushdown;
mod scenarios;
