//! JSON and NDJSON: arrow-json's streaming writer with encoders for the Kusto
//! types whose JSON differs from arrow's defaults.
//!
//! | Kusto type | JSON |
//! |---|---|
//! | bool, int, long, decimal | `true`, `42`, `1.50` (arrow's encoders; the executor's scale-18 decimals trimmed, `1.5`) |
//! | real | a number (`1.0`, `0.1`, `1e300`); `"NaN"`, `"Infinity"`, `"-Infinity"` as strings |
//! | datetime | `"2025-06-01T08:09:10.25Z"` |
//! | timespan | `"01:30:00"` |
//! | string | a string, `""` for an (unexpected) null |
//! | guid | a string or `null` (arrow's encoder) |
//! | dynamic | the JSON value itself, one line; `null` for null or empty text |
//!
//! Nulls are written as `null`, keys in column order.

use super::dest::{Errors, Output};
use super::error::OutputError;
use super::kusto::Layout;
use super::text::{self, format_datetime, format_timespan};
use arrow_array::cast::AsArray;
use arrow_array::types::{DurationNanosecondType, TimestampNanosecondType};
use arrow_array::{Array, DurationNanosecondArray, Float64Array, RecordBatch, StringArray, TimestampNanosecondArray};
use arrow_json::writer::{Encoder, EncoderFactory, EncoderOptions, JsonFormat, NullableEncoder, WriterBuilder};
use arrow_schema::{ArrowError, DataType, FieldRef};
use kql_types::ScalarType;
use std::cell::Cell;
use std::io::Write;
use std::sync::Arc;

/// Builds a JSON writer that encodes Kusto types Kusto's way.
pub(crate) fn builder() -> WriterBuilder {
    WriterBuilder::new().with_explicit_nulls(true).with_encoder_factory(Arc::new(KustoEncoders))
}

/// A JSON array with one row object per line:
/// `[` / `{…},` / `{…}` / `]`, and `[]` when there are no rows.
#[derive(Debug, Default)]
pub(crate) struct RowsArray {
    any_rows: Cell<bool>,
}

impl JsonFormat for RowsArray {
    fn start_stream<W: Write>(&self, writer: &mut W) -> Result<(), ArrowError> {
        writer.write_all(b"[")?;
        Ok(())
    }

    fn start_row<W: Write>(&self, writer: &mut W, is_first_row: bool) -> Result<(), ArrowError> {
        self.any_rows.set(true);
        writer.write_all(if is_first_row { b"\n" } else { b",\n" })?;
        Ok(())
    }

    fn end_stream<W: Write>(&self, writer: &mut W) -> Result<(), ArrowError> {
        writer.write_all(if self.any_rows.get() { b"\n]\n" } else { b"]\n" })?;
        Ok(())
    }
}

/// The JSON and NDJSON sinks: arrow-json's writer over prepared batches.
pub(crate) struct JsonSink<F: JsonFormat> {
    writer: arrow_json::Writer<Output, F>,
    layout: Layout,
    errors: Errors,
    rows: u64,
}

impl<F: JsonFormat> JsonSink<F> {
    pub fn new(out: Output, layout: Layout) -> JsonSink<F> {
        let errors = out.errors().clone();
        JsonSink { writer: builder().build::<_, F>(out), layout, errors, rows: 0 }
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        let batch = self.layout.prepare(batch, &self.errors.target)?;
        self.writer.write(&batch).map_err(|e| self.errors.arrow(e))?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Closes the stream; returns the output and the number of rows.
    pub fn finish(mut self) -> Result<(Output, u64), OutputError> {
        self.writer.finish().map_err(|e| self.errors.arrow(e))?;
        Ok((self.writer.into_inner(), self.rows))
    }
}

/// Picks our encoders by the field's `kusto.type` (every prepared field has it).
#[derive(Debug)]
struct KustoEncoders;

impl EncoderFactory for KustoEncoders {
    fn make_default_encoder<'a>(
        &self,
        field: &'a FieldRef,
        array: &'a dyn Array,
        _options: &'a EncoderOptions,
    ) -> Result<Option<NullableEncoder<'a>>, ArrowError> {
        let Ok(Some(kind)) = kql_types::arrow::tagged_type(field) else {
            return Ok(None);
        };
        let nulls = array.nulls().cloned();
        let encoder: NullableEncoder<'a> = match (kind, array.data_type()) {
            (ScalarType::Real, DataType::Float64) => {
                NullableEncoder::new(Box::new(RealEncoder(array.as_primitive())), nulls)
            }
            // The executor's decimals as `tostring()` shows them (see text.rs).
            (ScalarType::Decimal, DataType::Decimal128(_, 18)) => {
                NullableEncoder::new(Box::new(DecimalEncoder(array.as_primitive())), nulls)
            }
            (ScalarType::DateTime, DataType::Timestamp(..)) => {
                NullableEncoder::new(Box::new(DateTimeEncoder(array.as_primitive::<TimestampNanosecondType>())), nulls)
            }
            (ScalarType::Timespan, DataType::Duration(_)) => {
                NullableEncoder::new(Box::new(TimespanEncoder(array.as_primitive::<DurationNanosecondType>())), nulls)
            }
            // Kusto strings are never null: a null shows as "".
            (ScalarType::String, DataType::Utf8) => {
                NullableEncoder::new(Box::new(StringEncoder(array.as_string())), None)
            }
            (ScalarType::Dynamic, DataType::Utf8) => {
                NullableEncoder::new(Box::new(DynamicEncoder(array.as_string())), nulls)
            }
            _ => return Ok(None),
        };
        Ok(Some(encoder))
    }
}

struct RealEncoder<'a>(&'a Float64Array);

impl Encoder for RealEncoder<'_> {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        let v = self.0.value(idx);
        if v.is_finite() {
            out.extend_from_slice(text::json_real(v).as_bytes());
        } else {
            // JSON has no NaN or infinities; Kusto writes them as strings.
            out.push(b'"');
            out.extend_from_slice(text::format_real(v).as_bytes());
            out.push(b'"');
        }
    }
}

struct DecimalEncoder<'a>(&'a arrow_array::Decimal128Array);

impl Encoder for DecimalEncoder<'_> {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        out.extend_from_slice(kql_types::decimal::text(self.0.value(idx)).as_bytes());
    }
}

struct DateTimeEncoder<'a>(&'a TimestampNanosecondArray);

impl Encoder for DateTimeEncoder<'_> {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        out.push(b'"');
        out.extend_from_slice(format_datetime(self.0.value(idx)).as_bytes());
        out.push(b'"');
    }
}

struct TimespanEncoder<'a>(&'a DurationNanosecondArray);

impl Encoder for TimespanEncoder<'_> {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        out.push(b'"');
        out.extend_from_slice(format_timespan(self.0.value(idx)).as_bytes());
        out.push(b'"');
    }
}

struct StringEncoder<'a>(&'a StringArray);

impl Encoder for StringEncoder<'_> {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        let s = if self.0.is_null(idx) { "" } else { self.0.value(idx) };
        push_json_string(s, out);
    }
}

/// Embeds the dynamic value's JSON document itself, on one line. Text that
/// is not one JSON document (which the executor should never produce) is
/// written as a JSON string rather than breaking the output; empty text is
/// `null`.
struct DynamicEncoder<'a>(&'a StringArray);

impl Encoder for DynamicEncoder<'_> {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        let raw = self.0.value(idx);
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            out.extend_from_slice(b"null");
        } else if text::is_json(trimmed) {
            // Valid JSON holds line breaks and tabs only between tokens.
            out.extend(trimmed.bytes().filter(|b| !matches!(b, b'\n' | b'\r' | b'\t')));
        } else {
            push_json_string(raw, out);
        }
    }
}

/// A JSON string literal (RFC 8259 escaping; non-ASCII stays UTF-8).
pub(crate) fn push_json_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::push_json_string;

    #[test]
    fn strings_are_escaped_like_serde_json() {
        for s in ["plain", "q\"uote\\", "line\nbreak\ttab\r", "\u{1}\u{1f}\u{7f}", "🌐 é", ""] {
            let mut out = Vec::new();
            push_json_string(s, &mut out);
            assert_eq!(String::from_utf8(out).ok(), serde_json::to_string(s).ok(), "{s:?}");
        }
    }
}
