//! ntaq: run Microsoft's Zero Trust traffic-analytics KQL queries offline.
//!
//! The CLI (`cli`), the commands and the REPL (`repl`) all go through one
//! [`session::Session`], which the tests call too. Only this crate prints.

// The CLI crate is where printing belongs (the lint keeps it out of the others).
#![allow(clippy::print_stdout, clippy::print_stderr)]

// Printing that tolerates a closed standard output or error: std's macros
// panic when the reader has gone (`ntaq run … 2>&1 | head -1`), which
// would end the run with a panic message and status 101. These shadow them
// in every module below; writes to a closed stream are dropped, as the
// rest of the output would be.
macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
mod commands;
pub mod config;
pub mod diagnostic;
pub mod execute;
pub mod flowlogs;
pub mod hints;
pub mod interrupt;
pub mod pack;
pub mod params;
pub mod repl;
mod run_errors;
pub mod sample;
pub mod scratch;
pub mod session;
pub mod split;

pub use run_errors::RunError;
