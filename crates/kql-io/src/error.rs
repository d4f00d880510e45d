//! I/O diagnostics: every message names the path (and the table when known).

use miette::Diagnostic;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum IoError {
    #[error("data directory `{}` does not exist", path.display())]
    #[diagnostic(code(kql::io::not_found), help("pass an existing directory with --data DIR"))]
    DirNotFound { path: PathBuf },

    #[error("`{}` is not a directory", path.display())]
    #[diagnostic(
        code(kql::io::not_a_directory),
        help("--data takes a directory holding <Table>.parquet files or <Table>/ folders of them")
    )]
    NotADirectory { path: PathBuf },

    #[error("cannot read `{}`: {source}", path.display())]
    #[diagnostic(code(kql::io::unreadable))]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("`{}` (table {table}) is not a readable Parquet file: {reason}", path.display())]
    #[diagnostic(
        code(kql::io::bad_parquet),
        help("the file may be truncated, corrupt or in another format; re-export it")
    )]
    BadParquet { table: String, path: PathBuf, reason: String },

    #[error("table {table} has no column `{column}` (in `{}`)", path.display())]
    #[diagnostic(code(kql::io::missing_column), help("the query needs this column; check the export includes it"))]
    MissingColumn { table: String, column: String, path: PathBuf },

    #[error("data directory `{}` has no table {table}", dir.display())]
    #[diagnostic(
        code(kql::io::missing_table),
        help("add {table}.parquet, or a folder {table}/ of Parquet files, to the directory")
    )]
    MissingTable {
        table: String,
        dir: PathBuf,
        #[label("read here")]
        span: Option<kql_syntax::Span>,
    },

    #[error("the files of table {table} have different schemas: `{}` has {first}, `{}` has {second}", first_path.display(), second_path.display())]
    #[diagnostic(code(kql::io::schema_conflict), help("all files of one table must have the same columns and types"))]
    SchemaConflict { table: String, first_path: PathBuf, first: String, second_path: PathBuf, second: String },
}
