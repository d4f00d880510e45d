//! `ntaq-bench`: the article's four queries timed in ntaq, against the
//! Parquet scan floor and DuckDB. See docs/performance.md.

// A command-line program: it reports progress on stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod data;
mod duckdb;
mod floor;
mod flowlogs;
mod measure;
mod report;
mod scenarios;

fn main() -> std::process::ExitCode {
    cli::main()
}
