//! CSV exports: a header row, then one record per row (RFC 4180 quoting,
//! so a record may span lines). The Log Analytics portal's "Export to CSV"
//! writes a UTF-8 byte-order mark and may name a datetime column after the
//! time zone it was shown in (`TimeGenerated [UTC]`).
//!
//! Records are read with the `csv` crate (what arrow-csv is built on) rather
//! than arrow-csv's reader, because every error must name the line a record
//! starts on — arrow-csv counts records, not lines — and a row with the wrong
//! number of fields must be reported (or skipped) by itself.

use super::{Row, Visitor, open};
use crate::error::IoError;
use std::path::Path;

/// Reads `path` (possibly gzip-compressed), giving `v` the header and each record.
pub(crate) fn read(path: &Path, v: &mut dyn Visitor) -> Result<(), IoError> {
    let mut input = open(path)?;
    // The csv crate counts a CRLF record's line one short (it has not yet
    // seen the `\n` of the line before when the record starts).
    let crlf_shift = u64::from(first_line_ends_in_crlf(&mut *input));
    let mut reader = ::csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(path, e)),
    };
    if header.is_empty() {
        return Ok(()); // an empty file: no columns, no rows
    }
    let names = column_names(path, &header)?;
    if !v.header(&names)? {
        return Ok(());
    }
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line() + crlf_shift);
                if record.len() != names.len() {
                    v.broken(IoError::RaggedRow {
                        path: path.to_path_buf(),
                        line,
                        expected: names.len(),
                        found: record.len(),
                    })?;
                    continue;
                }
                v.row(line, Row::Csv(&record))?;
            }
            Err(e) => match e.kind() {
                ::csv::ErrorKind::Utf8 { .. } => v.broken(csv_error(path, e))?,
                _ => return Err(csv_error(path, e)),
            },
        }
    }
}

/// True if the input's first line ends in `\r\n` (Windows line endings),
/// looked at without consuming it.
fn first_line_ends_in_crlf(input: &mut dyn std::io::BufRead) -> bool {
    let head = input.fill_buf().unwrap_or(&[]);
    head.iter().position(|b| *b == b'\n').is_some_and(|k| k > 0 && head[k - 1] == b'\r')
}

/// The header's column names: the byte-order mark dropped, ` [UTC]` removed.
fn column_names(path: &Path, header: &::csv::StringRecord) -> Result<Vec<String>, IoError> {
    let malformed = |reason: String, help: &str| IoError::Malformed {
        path: path.to_path_buf(),
        line: 1,
        reason,
        help: help.to_string(),
    };
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    for (k, raw) in header.iter().enumerate() {
        let raw = if k == 0 { raw.trim_start_matches('\u{feff}') } else { raw };
        let name = match raw.trim_end().strip_suffix(']').and_then(|r| r.rsplit_once(" [")) {
            Some((name, zone)) if zone.eq_ignore_ascii_case("UTC") => name.trim().to_string(),
            Some((_, zone)) if zone.to_ascii_lowercase().contains("local") || zone.starts_with("UTC") => {
                return Err(malformed(
                    format!("column `{raw}` holds times in the portal's display time zone ({zone}), not UTC"),
                    "set the Log Analytics display time zone to UTC (Settings, or the time zone picker above the results) and export again",
                ));
            }
            _ => raw.trim().to_string(),
        };
        if name.is_empty() {
            return Err(malformed(
                format!("column {} of the header has no name", k + 1),
                "the first line must name every column",
            ));
        }
        if names.contains(&name) {
            return Err(malformed(
                format!("column `{name}` appears twice in the header"),
                "each column may appear once; export again without the duplicate",
            ));
        }
        names.push(name);
    }
    Ok(names)
}

fn csv_error(path: &Path, e: ::csv::Error) -> IoError {
    let line = e.position().map_or(1, |p| p.line());
    match e.into_kind() {
        ::csv::ErrorKind::Utf8 { err, .. } => IoError::Malformed {
            path: path.to_path_buf(),
            line,
            reason: format!("field {} is not UTF-8 text", err.field() + 1),
            help: "export the file as UTF-8 (the portal and the Azure CLI do)".into(),
        },
        ::csv::ErrorKind::Io(source) => super::read_error(path, source),
        other => IoError::Malformed {
            path: path.to_path_buf(),
            line,
            reason: format!("{other:?}"),
            help: "the file is not valid CSV".into(),
        },
    }
}
