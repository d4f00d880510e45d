//! The integration tests of `kql-syntax`, one module per concern, linked into one
//! test binary (`cargo test -p kql-syntax --test integration [module::]`).

mod common;
mod diagnostics;
mod expressions;
mod limits;
mod literals;
mod operators;
mod round_trip;
mod scenarios;
