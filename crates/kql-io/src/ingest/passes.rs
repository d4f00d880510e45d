//! The two passes over a table's text files: the first learns the columns
//! and the types of columns no schema names, the second types every value
//! and hands batches to a [`BatchSink`].

use super::sink::BatchSink;
use super::typing::{self, Cell, Guess, Parsed, Rows};
use super::{FileKind, IngestOptions, ROW_GROUP_ROWS, Row, Skipped, TextReport, Visitor, read_file};
use crate::error::IoError;
use kql_types::ScalarType;
use std::collections::HashMap;
use std::path::PathBuf;

/// The columns of a table's text files and their types.
struct Layout {
    columns: Vec<(String, ScalarType)>,
    missing: Vec<String>,
    dropped: Vec<String>,
}

/// The first pass: columns and, where no schema says, types.
struct Discover<'a> {
    schema: Option<&'a [(String, ScalarType)]>,
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// `None`: typed by the schema.
    guesses: Vec<Option<Guess>>,
    header: Vec<usize>,
    /// Every `TableName` seen is the Azure CLI's `PrimaryResult`.
    cli_table_name: Option<bool>,
}

impl Discover<'_> {
    fn column(&mut self, name: &str) -> usize {
        if let Some(&k) = self.index.get(name) {
            return k;
        }
        let typed = self.schema.is_some_and(|s| s.iter().any(|(n, _)| n == name));
        self.names.push(name.to_string());
        self.guesses.push(if typed { None } else { Some(Guess::Empty) });
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }
}

impl Visitor for Discover<'_> {
    fn header(&mut self, names: &[String]) -> Result<bool, IoError> {
        self.header = names.iter().map(|n| self.column(n)).collect();
        Ok(self.header.iter().any(|&k| self.guesses[k].is_some()))
    }

    fn row(&mut self, _line: u64, row: Row<'_>) -> Result<(), IoError> {
        match row {
            Row::Csv(record) => {
                for (field, &k) in record.iter().zip(&self.header) {
                    if let Some(g) = &mut self.guesses[k] {
                        *g = g.see(Cell::Text(field));
                    }
                }
            }
            Row::Json(map) => {
                for (key, value) in map {
                    if key == "TableName" {
                        let cli = value.as_str() == Some("PrimaryResult");
                        self.cli_table_name = Some(self.cli_table_name.unwrap_or(true) && cli);
                    }
                    let k = self.column(key);
                    if let Some(g) = &mut self.guesses[k] {
                        *g = g.see(Cell::Json(value));
                    }
                }
            }
        }
        Ok(())
    }

    /// Reported by the second pass.
    fn broken(&mut self, _error: IoError) -> Result<(), IoError> {
        Ok(())
    }
}

fn discover(
    table: &str,
    files: &[(PathBuf, FileKind)],
    opts: &IngestOptions,
    fill_missing: bool,
) -> Result<Layout, IoError> {
    let schema = opts.schema(table);
    let mut d = Discover {
        schema,
        names: Vec::new(),
        index: HashMap::new(),
        guesses: Vec::new(),
        header: Vec::new(),
        cli_table_name: None,
    };
    for (path, kind) in files {
        read_file(path, *kind, &mut d)?;
    }
    let type_of = |k: usize| match d.guesses[k] {
        Some(g) => g.kusto_type(),
        None => schema.and_then(|s| s.iter().find(|(n, _)| *n == d.names[k])).map_or(ScalarType::String, |c| c.1),
    };
    let dropped: Vec<String> = match (d.cli_table_name, d.index.get("TableName")) {
        (Some(true), Some(&k)) if d.guesses[k].is_some() => vec!["TableName".to_string()],
        _ => Vec::new(),
    };
    let present: Vec<(String, ScalarType)> = (0..d.names.len())
        .filter(|&k| !dropped.contains(&d.names[k]))
        .map(|k| (d.names[k].clone(), type_of(k)))
        .collect();
    let missing: Vec<String> =
        schema.unwrap_or_default().iter().filter(|(n, _)| !d.index.contains_key(n)).map(|(n, _)| n.clone()).collect();
    let columns = match schema {
        Some(s) if fill_missing => {
            let mut all = s.to_vec();
            all.extend(present.into_iter().filter(|(n, _)| !s.iter().any(|(m, _)| m == n)));
            all
        }
        _ => present,
    };
    Ok(Layout { columns, missing, dropped })
}

/// The second pass: every value typed, rows batched into the sink.
struct Build<'a> {
    table: &'a str,
    path: PathBuf,
    names: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
    typed_by_schema: Vec<bool>,
    header: Vec<Option<usize>>,
    rows: Rows,
    lenient: bool,
    skipped: Skipped,
    total: u64,
    sink: &'a mut dyn BatchSink,
}

impl Build<'_> {
    fn bad_value(&self, line: u64, k: usize, cell: Cell<'_>, reason: String) -> IoError {
        let ty = self.rows.types[k];
        let value = match cell {
            Cell::Null => String::new(),
            Cell::Text(s) => s.to_string(),
            Cell::Json(serde_json::Value::String(s)) => s.clone(),
            Cell::Json(v) => v.to_string(),
        };
        let example = match ty {
            ScalarType::DateTime => "ISO 8601 (2025-06-01T00:00:00Z) or the portal's 6/1/2025, 12:00:00.000 AM, in UTC",
            ScalarType::Timespan => "a timespan such as 01:30:00 or 1.02:00:00",
            ScalarType::Bool => "true or false",
            ScalarType::Int | ScalarType::Long => "a whole number",
            ScalarType::Real | ScalarType::Decimal => "a number such as 1.5",
            ScalarType::Guid => "a GUID such as 74be27de-1e4e-49d9-b579-fe0b331d3642",
            ScalarType::String | ScalarType::Dynamic => "a value",
        };
        let source = if self.typed_by_schema[k] {
            format!("`{}` is a {ty} column of the published {} schema", self.names[k], self.table)
        } else {
            format!("`{}` is a {ty} column", self.names[k])
        };
        IoError::BadValue(Box::new(crate::error::BadValue {
            table: self.table.to_string(),
            path: self.path.clone(),
            line,
            column: self.names[k].to_string(),
            ty: ty.to_string(),
            value,
            reason,
            help: format!("{source}: write {example}, leave it empty for null, or pass --lenient to skip such rows"),
        }))
    }

    fn flush(&mut self) -> Result<(), IoError> {
        if self.rows.len > 0 {
            let batch = self.rows.take();
            self.sink.write(batch)?;
        }
        Ok(())
    }
}

impl Visitor for Build<'_> {
    fn header(&mut self, names: &[String]) -> Result<bool, IoError> {
        self.header = names.iter().map(|n| self.index.get(n.as_str()).copied()).collect();
        Ok(true)
    }

    fn row(&mut self, line: u64, row: Row<'_>) -> Result<(), IoError> {
        let mut cells = vec![Cell::Null; self.names.len()];
        match row {
            Row::Csv(record) => {
                for (field, k) in record.iter().zip(&self.header) {
                    if let Some(k) = k {
                        cells[*k] = Cell::Text(field);
                    }
                }
            }
            Row::Json(map) => {
                for (key, value) in map {
                    if let Some(&k) = self.index.get(key.as_str()) {
                        cells[k] = Cell::Json(value);
                    }
                }
            }
        }
        let mut parsed: Vec<Parsed<'_>> = Vec::with_capacity(cells.len());
        for (k, cell) in cells.iter().enumerate() {
            match typing::parse(self.rows.types[k], *cell) {
                Ok(v) => parsed.push(v),
                Err(reason) => {
                    let e = self.bad_value(line, k, *cell, reason);
                    return self.broken(e);
                }
            }
        }
        self.rows.push(parsed);
        self.total += 1;
        if self.rows.len >= ROW_GROUP_ROWS { self.flush() } else { Ok(()) }
    }

    fn broken(&mut self, error: IoError) -> Result<(), IoError> {
        if self.lenient {
            self.skipped.add(&error);
            Ok(())
        } else {
            Err(error)
        }
    }
}

/// Both passes over a table's text files, in order, into `sink`.
pub(super) fn read_text(
    table: &str,
    files: &[(PathBuf, FileKind)],
    opts: &IngestOptions,
    fill_missing: bool,
    sink: &mut dyn BatchSink,
) -> Result<TextReport, IoError> {
    let layout = discover(table, files, opts, fill_missing)?;
    let schema = opts.schema(table);
    let rows = Rows::new(&layout.columns);
    let arrow_schema = rows.schema();
    let mut b = Build {
        table,
        path: PathBuf::new(),
        names: layout.columns.iter().map(|(n, _)| n.as_str()).collect(),
        index: layout.columns.iter().enumerate().map(|(k, (n, _))| (n.as_str(), k)).collect(),
        typed_by_schema: layout
            .columns
            .iter()
            .map(|(n, _)| schema.is_some_and(|s| s.iter().any(|(m, _)| m == n)))
            .collect(),
        header: Vec::new(),
        rows,
        lenient: opts.lenient,
        skipped: Skipped::default(),
        total: 0,
        sink,
    };
    for (path, kind) in files {
        b.path = path.clone();
        b.sink.begin(path, &arrow_schema)?;
        read_file(path, *kind, &mut b)?;
        b.flush()?;
        b.sink.end()?;
    }
    Ok(TextReport {
        table: table.to_string(),
        rows: b.total,
        skipped: b.skipped,
        columns: layout.columns,
        missing: layout.missing,
        dropped: layout.dropped,
    })
}
