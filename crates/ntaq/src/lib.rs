//! ntaq: run Microsoft's Zero Trust traffic-analytics KQL queries offline.
//!
//! The CLI (`cli`), the commands and the REPL (`repl`) all go through one
//! [`session::Session`], which the tests call too. Only this crate prints.

// The CLI crate is where printing belongs (the lint keeps it out of the others).
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
mod commands;
pub mod diagnostic;
pub mod interrupt;
pub mod params;
pub mod repl;
mod run_errors;
pub mod sample;
pub mod session;

pub use run_errors::RunError;
