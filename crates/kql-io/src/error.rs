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
        help(
            "--data takes a directory holding <Table>.parquet (or .csv, .json, .jsonl) files or <Table>/ folders of them; --table NAME=FILE takes one file"
        )
    )]
    NotADirectory { path: PathBuf },

    #[error("cannot read `{}`: {source}", path.display())]
    #[diagnostic(code(kql::io::unreadable))]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot read `{}` (table {table}): {source}", path.display())]
    #[diagnostic(code(kql::io::unreadable))]
    UnreadableTableFile {
        table: String,
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
        help(
            "add {table}.parquet, or a folder {table}/ of Parquet files, to the directory (or the export {table}.csv, .json or .jsonl), or pass --table {table}=PATH"
        )
    )]
    MissingTable {
        table: String,
        dir: PathBuf,
        #[label("read here")]
        span: Option<miette::SourceSpan>,
    },

    #[error("the files of table {table} have different schemas: `{}` has {first}, `{}` has {second}", first_path.display(), second_path.display())]
    #[diagnostic(code(kql::io::schema_conflict), help("all files of one table must have the same columns and types"))]
    SchemaConflict { table: String, first_path: PathBuf, first: String, second_path: PathBuf, second: String },

    #[error("`{}` line {line}: {reason}", path.display())]
    #[diagnostic(code(kql::io::malformed), help("{help}"))]
    Malformed { path: PathBuf, line: u64, reason: String, help: String },

    #[error("`{}` line {line} has {found} fields, but the header has {expected}", path.display())]
    #[diagnostic(
        code(kql::io::ragged_row),
        help(
            "a value may hold an unquoted comma or line break, or the row was cut short; re-export the file, or pass --lenient to skip such rows"
        )
    )]
    RaggedRow { path: PathBuf, line: u64, expected: usize, found: usize },

    #[error(transparent)]
    #[diagnostic(transparent)]
    BadValue(Box<BadValue>),

    #[error("table {table} mixes Parquet and text files: `{}` and `{}`", parquet.display(), text.display())]
    #[diagnostic(
        code(kql::io::mixed_formats),
        help("keep one format per table: turn the text files into Parquet with `ntaq convert`, or move them aside")
    )]
    MixedFormats { table: String, parquet: PathBuf, text: PathBuf },

    #[error("`{}` has no table files", path.display())]
    #[diagnostic(
        code(kql::io::no_table_files),
        help("a table is .parquet, .csv, .json, .jsonl or .ndjson files (optionally .gz-compressed)")
    )]
    NoTableFiles { path: PathBuf },

    #[error("`{}` is already Parquet", path.display())]
    #[diagnostic(
        code(kql::io::already_parquet),
        help("convert reads CSV and JSON exports; query a Parquet file as it is (--data DIR or --table NAME=FILE)")
    )]
    AlreadyParquet { path: PathBuf },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// A value of a text export that does not fit its column's type.
#[derive(Debug, Error, Diagnostic)]
#[error("`{}` line {line}, column {column}: {reason}", path.display())]
#[diagnostic(code(kql::io::bad_value), help("{help}"))]
pub struct BadValue {
    pub table: String,
    pub path: PathBuf,
    pub line: u64,
    pub column: String,
    /// The column's Kusto type.
    pub ty: String,
    /// The offending text.
    pub value: String,
    pub reason: String,
    pub help: String,
}
