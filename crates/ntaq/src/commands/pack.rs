//! `ntaq pack`: the built-in zero-trust query pack ([`crate::pack`]) —
//! list its queries, print one, or run one with `run`'s options.

use crate::cli::{PackArgs, PackCommand, exit};
use crate::diagnostic::Diag;
use crate::pack::{self, PackQuery};

pub fn run(args: &PackArgs) -> u8 {
    match &args.command {
        PackCommand::List => {
            print!("{}", listing());
            exit::OK
        }
        PackCommand::Show { name } => match find(name) {
            Some(q) => {
                print!("{}", q.text);
                exit::OK
            }
            None => exit::USAGE,
        },
        PackCommand::Run { name, options } => match find(name) {
            Some(q) => super::run::run_pack(options, q),
            None => exit::USAGE,
        },
    }
}

/// The query called `name`, or `None` once the error is printed.
fn find(name: &str) -> Option<&'static PackQuery> {
    match pack::get(name) {
        Ok(q) => Some(q),
        Err(e) => {
            eprintln!("ntaq: {}", super::error_text(&Diag::new(e)));
            None
        }
    }
}

/// `pack list`: each query's name and description, and its parameters
/// with their defaults on the next line.
pub fn listing() -> String {
    let width = pack::QUERIES.iter().map(|q| q.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for q in pack::QUERIES {
        out.push_str(&format!("{:width$}  {}\n", q.name, q.description()));
        let params: Vec<String> = q
            .parameters()
            .iter()
            .map(|p| match &p.default {
                Some(d) => format!("{}:{} = {d}", p.name, p.ty),
                None => format!("{}:{}", p.name, p.ty),
            })
            .collect();
        let params = if params.is_empty() { "none".to_string() } else { params.join(", ") };
        out.push_str(&format!("{:width$}  parameters: {params}\n", ""));
    }
    out
}
