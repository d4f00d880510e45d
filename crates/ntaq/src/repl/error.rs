//! Errors of meta-commands (`.schema`, `.load`, …). Query errors keep the
//! codes of the phase that found them.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ReplError {
    #[error("unknown command `.{name}`")]
    #[diagnostic(code(kql::repl::unknown_command), help("{help}"))]
    UnknownCommand { name: String, help: String },

    #[error("{message}")]
    #[diagnostic(code(kql::repl::usage), help("usage: {usage}"))]
    Usage { message: String, usage: String },

    #[error("no table or remembered `let` is named `{name}`")]
    #[diagnostic(code(kql::repl::unknown_name), help("{help}"))]
    UnknownName { name: String, help: String },

    #[error("`{name}` is used by the remembered {users}")]
    #[diagnostic(code(kql::repl::let_in_use), help("forget those first, or redefine `{name}` instead"))]
    LetInUse { name: String, users: String },

    #[error("cannot read `{path}`: {message}")]
    #[diagnostic(code(kql::repl::file))]
    File { path: String, message: String },

    #[error("cannot write the chart: {message}")]
    #[diagnostic(code(kql::repl::chart), help("{help}"))]
    Chart { message: String, help: String },
}
