//! The hand-written CSV encoder: the bytes arrow-csv's writer gives for a
//! prepared batch (see `super::encode_arrow`), written straight into the
//! slice's buffer, with no array of text built for the Kusto-shown columns
//! and no `String` per string or integer cell.
//!
//! arrow-csv writes with the `csv` crate (csv-core 0.1) configured as
//! `QuoteStyle::Necessary`, `,` delimiter, `"` quote doubled, `\n`
//! terminator, and nulls as empty text. Its rules, read from csv-core's
//! `Writer` (`WriterBuilder::build`, `should_quote`, `terminator`) and csv's
//! `write_byte_record` / `write_record`:
//!
//! * a field is quoted if and only if it holds `,`, `"`, `\r` or `\n` (`\r`
//!   although the terminator is `\n`: csv's reader ends records at either);
//!   inside quotes every `"` is doubled; nothing else is escaped;
//! * an empty field is never quoted, except that a record whose text is
//!   empty and has at most one field (one empty field, or no fields at all)
//!   is written `""` so that it is a record when read back; a record of
//!   several empty fields is just its commas;
//! * the header is the field names as a record, by the same rules.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, DurationNanosecondType, Float64Type, Int32Type, Int64Type, TimestampNanosecondType,
};
use arrow_array::{Array, BooleanArray, PrimitiveArray, RecordBatch, StringArray};
use arrow_buffer::NullBuffer;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, DataType, TimeUnit};
use kql_types::ScalarType;

/// How one column's cells are written: chosen once per batch by the
/// column's Kusto type and (prepared) Arrow type.
enum Cell<'a> {
    /// string, guid, dynamic: the text itself, quoted when needed.
    Text(&'a StringArray),
    Long(&'a PrimitiveArray<Int64Type>),
    Int(&'a PrimitiveArray<Int32Type>),
    Bool(&'a BooleanArray),
    /// Kusto's text of datetimes, timespans, reals and the executor's
    /// scale-18 decimals (`kql_types`' text functions, as `text_column`).
    DateTime(&'a PrimitiveArray<TimestampNanosecondType>),
    Timespan(&'a PrimitiveArray<DurationNanosecondType>),
    Real(&'a PrimitiveArray<Float64Type>),
    Decimal18(&'a PrimitiveArray<Decimal128Type>),
    /// Other decimals, as arrow shows them (what arrow-csv writes).
    Shown(ArrayFormatter<'a>),
}

/// The cell writers of a prepared batch's columns, or `None` when a
/// column's types are not ones this encoder writes (the caller then uses
/// arrow-csv's writer for the batch).
pub(super) struct Cells<'a> {
    /// Each column's nulls (if any) and writer.
    columns: Vec<(Option<&'a NullBuffer>, Cell<'a>)>,
    rows: usize,
}

impl<'a> Cells<'a> {
    pub fn new(kinds: &[ScalarType], batch: &'a RecordBatch) -> Option<Cells<'a>> {
        if kinds.len() != batch.num_columns() {
            return None;
        }
        let columns = batch
            .columns()
            .iter()
            .zip(kinds)
            .map(|(column, kind)| Some((column.nulls(), cell(*kind, column.as_ref())?)))
            .collect::<Option<Vec<_>>>()?;
        Some(Cells { columns, rows: batch.num_rows() })
    }

    /// Appends every row's line to `out`.
    pub fn write_rows(&self, out: &mut Vec<u8>) -> Result<(), ArrowError> {
        let mut ints = itoa::Buffer::new();
        let mut shown = String::new();
        let lone = self.columns.len() <= 1;
        for row in 0..self.rows {
            let start = out.len();
            for (k, (nulls, cell)) in self.columns.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                if nulls.is_some_and(|n| n.is_null(row)) {
                    continue;
                }
                match cell {
                    Cell::Text(a) => field(out, a.value(row).as_bytes()),
                    // Digits and `-`: never quoted.
                    Cell::Long(a) => out.extend_from_slice(ints.format(a.value(row)).as_bytes()),
                    Cell::Int(a) => out.extend_from_slice(ints.format(a.value(row)).as_bytes()),
                    Cell::Bool(a) => out.extend_from_slice(if a.value(row) { b"true" } else { b"false" }),
                    Cell::DateTime(a) => field(out, kql_types::text::datetime_text(a.value(row)).as_bytes()),
                    Cell::Timespan(a) => field(out, kql_types::text::timespan_text(a.value(row)).as_bytes()),
                    Cell::Real(a) => field(out, kql_types::text::real_text(a.value(row)).as_bytes()),
                    Cell::Decimal18(a) => field(out, kql_types::decimal::text(a.value(row)).as_bytes()),
                    Cell::Shown(f) => {
                        shown.clear();
                        f.value(row).write(&mut shown).map_err(|e| {
                            ArrowError::CsvError(format!("Error processing row {}, col {}: {e}", row + 1, k + 1))
                        })?;
                        field(out, shown.as_bytes());
                    }
                }
            }
            end_record(out, start, lone);
        }
        Ok(())
    }
}

/// The writer of a column of this Kusto type and prepared Arrow type. The
/// columns `super::as_text` converts get Kusto's text (`text_column`'s
/// cases for them); the others are written as arrow-csv shows their Arrow
/// type.
fn cell(kind: ScalarType, array: &dyn Array) -> Option<Cell<'_>> {
    let dt = array.data_type();
    if super::as_text(kind, dt) {
        return Some(match (kind, dt) {
            (ScalarType::DateTime, DataType::Timestamp(TimeUnit::Nanosecond, _)) => {
                Cell::DateTime(array.as_primitive())
            }
            (ScalarType::Timespan, DataType::Duration(TimeUnit::Nanosecond)) => Cell::Timespan(array.as_primitive()),
            (ScalarType::Real, DataType::Float64) => Cell::Real(array.as_primitive()),
            (ScalarType::Decimal, DataType::Decimal128(_, 18)) => Cell::Decimal18(array.as_primitive()),
            _ => return None,
        });
    }
    Some(match dt {
        DataType::Utf8 => Cell::Text(array.as_string()),
        DataType::Int64 => Cell::Long(array.as_primitive()),
        DataType::Int32 => Cell::Int(array.as_primitive()),
        DataType::Boolean => Cell::Bool(array.as_boolean()),
        DataType::Decimal128(..) => Cell::Shown(ArrayFormatter::try_new(array, &FormatOptions::default()).ok()?),
        _ => return None,
    })
}

/// Appends the header line: the names as a record.
pub(super) fn write_header<'n>(names: impl ExactSizeIterator<Item = &'n str>, out: &mut Vec<u8>) {
    let start = out.len();
    let lone = names.len() <= 1;
    for (k, name) in names.enumerate() {
        if k > 0 {
            out.push(b',');
        }
        field(out, name.as_bytes());
    }
    end_record(out, start, lone);
}

/// Ends the record begun at `start`: `""` if it is empty and has at most
/// one field, then the terminator.
#[inline]
fn end_record(out: &mut Vec<u8>, start: usize, lone: bool) {
    if lone && out.len() == start {
        out.extend_from_slice(b"\"\"");
    }
    out.push(b'\n');
}

/// Appends a field's text, quoted if it needs to be.
#[inline]
fn field(out: &mut Vec<u8>, text: &[u8]) {
    if needs_quotes(text) {
        quoted(out, text);
    } else {
        out.extend_from_slice(text);
    }
}

/// Whether the text holds a byte that forces quotes, tested 8 bytes at a
/// time: fewer branches than a byte at a time, for the short texts most
/// cells hold. A text of 8 bytes or more ends with its last 8 bytes (again,
/// in part); a shorter one is one word padded with zeros (not special),
/// assembled in a register (a copy into a padded array costs a memcpy call
/// and a stalled load).
#[inline]
fn needs_quotes(text: &[u8]) -> bool {
    if text.len() < 8 {
        return special_in(text.iter().fold(0, |word, &b| word << 8 | u64::from(b)));
    }
    let mut words = text.chunks_exact(8);
    if words.any(|word| special_in(word_at(word))) {
        return true;
    }
    !words.remainder().is_empty() && special_in(word_at(&text[text.len() - 8..]))
}

/// 8 bytes as a word (`bytes` has 8).
#[inline(always)]
fn word_at(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().unwrap_or_default())
}

/// Whether any of the 8 bytes of `word` is `,` `"` `\n` or `\r`.
#[inline(always)]
fn special_in(word: u64) -> bool {
    (has_byte(word, b',') | has_byte(word, b'"') | has_byte(word, b'\n') | has_byte(word, b'\r')) != 0
}

/// Non-zero if and only if a byte of `word` is `b`: the bytes equal to
/// `b` become zero, and `(x - 0x01…) & !x & 0x80…` is non-zero exactly when
/// a byte of `x` is zero (a borrow only starts at a zero byte).
#[inline(always)]
fn has_byte(word: u64, b: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGHS
}

#[cold]
fn quoted(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'"');
    for (k, part) in text.split(|&b| b == b'"').enumerate() {
        if k > 0 {
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(part);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> String {
        let mut out = Vec::new();
        field(&mut out, text.as_bytes());
        String::from_utf8(out).unwrap()
    }

    /// csv-core's quoting, by hand from its rules (module docs).
    #[test]
    fn fields_are_quoted_when_they_hold_a_special_byte() {
        assert_eq!(one("plain text é 🌐\t'"), "plain text é 🌐\t'");
        assert_eq!(one(""), "");
        assert_eq!(one("a,b"), "\"a,b\"");
        assert_eq!(one("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(one("\""), "\"\"\"\"");
        assert_eq!(one("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(one("cr\r"), "\"cr\r\"");
        // in a whole 8-byte word, in the last 8 bytes, in a short text
        assert_eq!(one("0123,567"), "\"0123,567\"");
        assert_eq!(one("a\""), "\"a\"\"\"");
        assert_eq!(one("01234567\r"), "\"01234567\r\"");
        assert_eq!(one("0123456789abcdef0123456\""), "\"0123456789abcdef0123456\"\"\"");
        // bytes near the special ones, and every byte but those
        assert_eq!(one("+-./\t\x0b\x0c\x0e!#"), "+-./\t\x0b\x0c\x0e!#");
        let others: Vec<u8> = (0..=255u8).filter(|b| !b",\"\r\n".contains(b)).collect();
        assert!(!needs_quotes(&others));
        for b in *b",\"\r\n" {
            for at in 0..others.len() {
                let mut text = others.clone();
                text.insert(at, b);
                assert!(needs_quotes(&text), "{b} at {at}");
                assert!(!needs_quotes(&text[..at]), "{b} before {at}");
                // every length up to two words and a bit past it
                for len in at + 1..(at + 20).min(text.len()) {
                    assert!(needs_quotes(&text[..len]), "{b} at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn empty_records_of_at_most_one_field_are_quoted() {
        let header = |names: &[&str]| {
            let mut out = Vec::new();
            write_header(names.iter().copied(), &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(header(&[]), "\"\"\n");
        assert_eq!(header(&[""]), "\"\"\n");
        assert_eq!(header(&["", ""]), ",\n");
        assert_eq!(header(&["a", "b,c"]), "a,\"b,c\"\n");
    }
}
