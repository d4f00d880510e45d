//! The integration tests of `ntaq`, one module per concern, linked into one
//! test binary (`cargo test -p ntaq --test integration [module::]`).

mod bad_input;
mod batch;
mod charts;
mod cli;
mod codes;
mod common;
mod compat;
mod diagnostics;
mod docs;
mod family;
mod flowlogs;
mod fuzz;
mod ingest;
mod pack;
mod published;
mod published_corpus;
mod queries;
mod recommend;
mod reference;
mod repl;
mod robustness;
mod run;
mod several;
mod spill;
mod tables;
mod target;
