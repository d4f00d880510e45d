//! The integration tests of `ntaq-gen`, one module per concern, linked into one
//! test binary (`cargo test -p ntaq-gen --test integration [module::]`).

mod batches;
mod cli;
mod common;
mod determinism;
mod flowlogs;
mod invariants;
mod sample;
mod schema;
