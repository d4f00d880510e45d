//! `ntaq parse`: the syntax tree of a query.

use super::stderr_color;
use crate::cli::{ParseArgs, ParseFormat, exit};
use crate::diagnostic::Diag;

pub fn run(args: &ParseArgs) -> u8 {
    let input = match super::input_of(args.file.as_deref(), args.command.as_deref()) {
        Ok(i) => i,
        Err(msg) => {
            eprintln!("ntaq: {msg}");
            return exit::USAGE;
        }
    };
    let parsed = kql_syntax::parse(&input.text);
    match args.format {
        ParseFormat::Debug => println!("{:#?}", parsed.script),
        ParseFormat::Kql => println!("{}", parsed.script),
        ParseFormat::Json => match serde_json::to_string_pretty(&parsed.script) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("ntaq: cannot encode the tree as JSON: {e}");
                return exit::ERRORS;
            }
        },
    }
    let color = stderr_color();
    let mut status = exit::OK;
    for e in parsed.errors {
        let d = Diag::new(e);
        eprint!("{}", d.render(&input.name, &input.text, color));
        status = if d.is_error() {
            exit::ERRORS
        } else if status == exit::OK {
            exit::UNSUPPORTED
        } else {
            status
        };
    }
    status
}
