//! `ntaq plan`: the logical plan of a query, with each step's schema, as
//! bound or (`--optimized`) as `run` executes it.

use super::{build_session, stderr_color};
use crate::cli::{PlanArgs, exit};

pub fn run(args: &PlanArgs) -> u8 {
    let (session, _) = match build_session(&args.catalog) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("ntaq: {msg}");
            return exit::USAGE;
        }
    };
    let input = match super::input_of(args.file.as_deref(), args.command.as_deref()) {
        Ok(i) => i,
        Err(msg) => {
            eprintln!("ntaq: {msg}");
            return exit::USAGE;
        }
    };
    let mut checked = session.check(&input.text);
    let color = stderr_color();
    for d in &checked.diagnostics {
        eprint!("{}", d.render(&input.name, &input.text, color));
    }
    if checked.has_errors() {
        return exit::ERRORS;
    }
    if args.optimized {
        kql_plan::optimize::optimize(&mut checked.program);
    }
    print!("{}", kql_plan::explain::explain(&checked.program));
    if checked.has_unsupported() { exit::UNSUPPORTED } else { exit::OK }
}
