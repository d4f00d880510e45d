//! Typing text values: one cell of a CSV row or JSON record to a value of a
//! column's Kusto type, the datetime forms Log Analytics exports use, and
//! type inference for columns no schema names.
//!
//! Cells are parsed for a whole row before any is appended, so a row with
//! a bad value can be skipped (`--lenient`) without leaving the columns
//! uneven.

use arrow_array::builder::{
    BooleanBuilder, Decimal128Builder, DurationNanosecondBuilder, Float64Builder, Int32Builder, Int64Builder,
    StringBuilder, TimestampNanosecondBuilder,
};
use arrow_array::types::Decimal128Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use kql_types::ScalarType;
// Text → value pieces shared with the executor's conversions; the datetime
// forms are the ISO ones and the portal's display forms (`6/1/2025, 12:00:00.000 AM`).
use kql_types::text::{parse_bool, parse_real};
#[cfg(test)]
use kql_types::time::NANOS_PER_HOUR;
use kql_types::time::parse_datetime_text as parse_datetime;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

/// The raw value of one column in one row.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cell<'a> {
    /// Absent: a JSON key the record lacks, a JSON `null`.
    Null,
    /// A CSV field ("" is an empty field).
    Text(&'a str),
    /// A JSON value.
    Json(&'a Value),
}

/// A cell parsed to its column's type.
#[derive(Debug, PartialEq)]
pub(crate) enum Parsed<'a> {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Real(f64),
    Decimal(i128),
    Str(Cow<'a, str>),
    /// Datetime (ns since the epoch) or timespan (ns).
    Nanos(i64),
}

/// Why a cell does not fit its column's type (the message's end).
pub(crate) type Reason = String;

/// Parses `cell` as a value of type `ty`.
pub(crate) fn parse<'a>(ty: ScalarType, cell: Cell<'a>) -> Result<Parsed<'a>, Reason> {
    match cell {
        Cell::Null => Ok(empty(ty)),
        Cell::Text(s) => parse_text(ty, s, false),
        Cell::Json(v) => parse_json(ty, v),
    }
}

/// The value of an absent cell: "" for strings (Kusto strings are never
/// null), null otherwise.
fn empty<'a>(ty: ScalarType) -> Parsed<'a> {
    if ty == ScalarType::String { Parsed::Str(Cow::Borrowed("")) } else { Parsed::Null }
}

/// Text (a CSV field or a JSON string). `from_json`: the text was a JSON
/// string, where the Azure CLI writes a null as `None`.
fn parse_text(ty: ScalarType, s: &str, from_json: bool) -> Result<Parsed<'_>, Reason> {
    if ty == ScalarType::String {
        return Ok(Parsed::Str(Cow::Borrowed(s)));
    }
    let t = s.trim();
    if t.is_empty() || (from_json && t == "None") {
        return Ok(Parsed::Null);
    }
    let not_a = |what: &str| Err(format!("`{}` is not {what}", shorten(s)));
    match ty {
        ScalarType::String => unreachable!("handled above"),
        ScalarType::Bool => match parse_bool(t) {
            Some(b) => Ok(Parsed::Bool(b)),
            None => not_a("a bool (true or false)"),
        },
        ScalarType::Int => match t.parse::<i64>() {
            Ok(v) => i32::try_from(v).map(Parsed::Int).map_err(|_| format!("`{}` is out of range for int", shorten(s))),
            Err(_) => not_a("an int (a whole number)"),
        },
        ScalarType::Long => match t.parse::<i64>() {
            Ok(v) => Ok(Parsed::Long(v)),
            Err(_) if t.parse::<i128>().is_ok() => Err(format!("`{}` is out of range for long", shorten(s))),
            Err(_) => not_a("a long (a whole number)"),
        },
        ScalarType::Real => match parse_real(t) {
            Some(v) => Ok(Parsed::Real(v)),
            None => not_a("a real number"),
        },
        ScalarType::Decimal => match arrow_cast::parse::parse_decimal::<Decimal128Type>(t, 38, 18) {
            Ok(v) => Ok(Parsed::Decimal(v)),
            Err(_) => not_a("a decimal number"),
        },
        ScalarType::DateTime => match parse_datetime(t) {
            Some(v) => Ok(Parsed::Nanos(v)),
            None => not_a("a datetime"),
        },
        ScalarType::Timespan => match kql_types::time::parse_timespan(t) {
            Some(v) => Ok(Parsed::Nanos(v)),
            None => not_a("a timespan"),
        },
        ScalarType::Guid => match parse_guid(t) {
            Some(g) => Ok(Parsed::Str(Cow::Owned(g))),
            None => not_a("a guid"),
        },
        // JSON text is kept as parsed; other text is a JSON string.
        ScalarType::Dynamic => Ok(Parsed::Str(Cow::Owned(match serde_json::from_str::<Value>(t) {
            Ok(v) if v.is_object() || v.is_array() => v.to_string(),
            _ => Value::String(s.to_string()).to_string(),
        }))),
    }
}

fn parse_json(ty: ScalarType, v: &Value) -> Result<Parsed<'_>, Reason> {
    let wrong = |what: &str| Err(format!("{} is not {what}", shorten(&v.to_string())));
    match v {
        Value::Null => Ok(empty(ty)),
        Value::String(s) => parse_text(ty, s, true),
        Value::Bool(b) => match ty {
            ScalarType::Bool => Ok(Parsed::Bool(*b)),
            ScalarType::String | ScalarType::Dynamic => {
                Ok(Parsed::Str(Cow::Borrowed(if *b { "true" } else { "false" })))
            }
            _ => wrong(&format!("a{} {ty}", if ty == ScalarType::Int { "n" } else { "" })),
        },
        Value::Number(n) => match ty {
            ScalarType::Int | ScalarType::Long => match n.as_i64() {
                Some(x) if ty == ScalarType::Long => Ok(Parsed::Long(x)),
                Some(x) => i32::try_from(x).map(Parsed::Int).map_err(|_| format!("{n} is out of range for int")),
                None if n.is_f64() => {
                    wrong(&format!("a{} {ty} (a whole number)", if ty == ScalarType::Int { "n" } else { "" }))
                }
                None => Err(format!("{n} is out of range for {ty}")),
            },
            ScalarType::Real => n.as_f64().map(Parsed::Real).ok_or_else(|| format!("{n} is not a real number")),
            ScalarType::Decimal => parse_text(ty, &n.to_string(), true).map(|p| match p {
                Parsed::Decimal(d) => Parsed::Decimal(d),
                _ => Parsed::Null,
            }),
            ScalarType::Bool => match n.as_i64() {
                Some(0) => Ok(Parsed::Bool(false)),
                Some(1) => Ok(Parsed::Bool(true)),
                _ => wrong("a bool (true or false)"),
            },
            ScalarType::String | ScalarType::Dynamic => Ok(Parsed::Str(Cow::Owned(n.to_string()))),
            ScalarType::DateTime => wrong("a datetime (write it as text, e.g. \"2025-06-01T00:00:00Z\")"),
            ScalarType::Timespan => wrong("a timespan (write it as text, e.g. \"01:00:00\")"),
            ScalarType::Guid => wrong("a guid"),
        },
        Value::Array(_) | Value::Object(_) => match ty {
            ScalarType::String | ScalarType::Dynamic => Ok(Parsed::Str(Cow::Owned(v.to_string()))),
            _ => wrong(&format!("a{} {ty}", if ty == ScalarType::Int { "n" } else { "" })),
        },
    }
}

/// At most 60 characters of a value, for messages.
pub(crate) fn shorten(s: &str) -> Cow<'_, str> {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((k, _)) => Cow::Owned(format!("{}…", &s[..k])),
        None => Cow::Borrowed(s),
    }
}

/// A GUID as lower-case `8-4-4-4-12` hex, braces allowed.
fn parse_guid(t: &str) -> Option<String> {
    kql_types::text::parse_guid(t.strip_prefix('{').and_then(|r| r.strip_suffix('}')).unwrap_or(t))
}

/// What a column's values look like so far, for columns no schema types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Guess {
    /// Only empty values and nulls so far.
    Empty,
    Bool,
    Long,
    Real,
    DateTime,
    Dynamic,
    String,
}

impl Guess {
    /// The guess after seeing one more value.
    pub fn see(self, cell: Cell<'_>) -> Guess {
        self.join(match cell {
            Cell::Null => Guess::Empty,
            Cell::Text(s) => guess_text(s, false),
            Cell::Json(v) => guess_json(v),
        })
    }

    fn join(self, other: Guess) -> Guess {
        use Guess::*;
        match (self, other) {
            (Empty, g) | (g, Empty) => g,
            (a, b) if a == b => a,
            (Long, Real) | (Real, Long) => Real,
            (Dynamic, _) | (_, Dynamic) => Dynamic,
            _ => String,
        }
    }

    /// The Kusto type of a column of such values (all empty: string).
    pub fn kusto_type(self) -> ScalarType {
        match self {
            Guess::Empty | Guess::String => ScalarType::String,
            Guess::Bool => ScalarType::Bool,
            Guess::Long => ScalarType::Long,
            Guess::Real => ScalarType::Real,
            Guess::DateTime => ScalarType::DateTime,
            Guess::Dynamic => ScalarType::Dynamic,
        }
    }
}

fn guess_text(s: &str, from_json: bool) -> Guess {
    let t = s.trim();
    if t.is_empty() || (from_json && t == "None") {
        Guess::Empty
    } else if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        Guess::Bool
    } else if t.parse::<i64>().is_ok() {
        Guess::Long
    } else if parse_real(t).is_some() && t.bytes().any(|b| b.is_ascii_digit()) {
        Guess::Real
    } else if parse_datetime(t).is_some() {
        Guess::DateTime
    } else if (t.starts_with('{') || t.starts_with('[')) && serde_json::from_str::<Value>(t).is_ok() {
        Guess::Dynamic
    } else {
        Guess::String
    }
}

fn guess_json(v: &Value) -> Guess {
    match v {
        Value::Null => Guess::Empty,
        Value::Bool(_) => Guess::Bool,
        Value::Number(n) if n.is_i64() => Guess::Long,
        Value::Number(_) => Guess::Real,
        Value::String(s) => guess_text(s, true),
        Value::Array(_) | Value::Object(_) => Guess::Dynamic,
    }
}

/// A column being built from parsed cells.
pub(crate) enum Builder {
    Bool(BooleanBuilder),
    Int(Int32Builder),
    Long(Int64Builder),
    Real(Float64Builder),
    Decimal(Decimal128Builder),
    /// string, guid and dynamic (JSON text).
    Text(StringBuilder),
    DateTime(TimestampNanosecondBuilder),
    Timespan(DurationNanosecondBuilder),
}

impl Builder {
    pub fn new(ty: ScalarType) -> Builder {
        match ty {
            ScalarType::Bool => Builder::Bool(BooleanBuilder::new()),
            ScalarType::Int => Builder::Int(Int32Builder::new()),
            ScalarType::Long => Builder::Long(Int64Builder::new()),
            ScalarType::Real => Builder::Real(Float64Builder::new()),
            ScalarType::Decimal => Builder::Decimal(Decimal128Builder::new()),
            ScalarType::String | ScalarType::Guid | ScalarType::Dynamic => Builder::Text(StringBuilder::new()),
            ScalarType::DateTime => Builder::DateTime(TimestampNanosecondBuilder::new()),
            ScalarType::Timespan => Builder::Timespan(DurationNanosecondBuilder::new()),
        }
    }

    /// Appends a value parsed for this builder's type.
    pub fn append(&mut self, v: Parsed<'_>) {
        match (self, v) {
            (Builder::Bool(b), Parsed::Bool(x)) => b.append_value(x),
            (Builder::Int(b), Parsed::Int(x)) => b.append_value(x),
            (Builder::Long(b), Parsed::Long(x)) => b.append_value(x),
            (Builder::Real(b), Parsed::Real(x)) => b.append_value(x),
            (Builder::Decimal(b), Parsed::Decimal(x)) => b.append_value(x),
            (Builder::Text(b), Parsed::Str(x)) => b.append_value(x),
            (Builder::DateTime(b), Parsed::Nanos(x)) => b.append_value(x),
            (Builder::Timespan(b), Parsed::Nanos(x)) => b.append_value(x),
            // Null, and (never: `parse` returns the builder's type) a mismatch.
            (Builder::Bool(b), _) => b.append_null(),
            (Builder::Int(b), _) => b.append_null(),
            (Builder::Long(b), _) => b.append_null(),
            (Builder::Real(b), _) => b.append_null(),
            (Builder::Decimal(b), _) => b.append_null(),
            (Builder::Text(b), _) => b.append_null(),
            (Builder::DateTime(b), _) => b.append_null(),
            (Builder::Timespan(b), _) => b.append_null(),
        }
    }

    /// The column built so far, in the canonical Arrow type of its Kusto type
    /// (as `ntaq run --format parquet` writes it); the builder starts over.
    pub fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Long(b) => Arc::new(b.finish()),
            Builder::Real(b) => Arc::new(b.finish()),
            Builder::Decimal(b) => {
                Arc::new(b.finish().with_precision_and_scale(38, 18).expect("38, 18 is a valid decimal128 type"))
            }
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::DateTime(b) => Arc::new(b.finish().with_timezone("UTC")),
            Builder::Timespan(b) => Arc::new(b.finish()),
        }
    }
}

/// The Arrow schema of typed columns: canonical types, `kusto.type` on
/// every field (kql-types' one definition).
pub use kql_types::arrow::canonical_schema as schema_of;

/// Rows being collected into a batch of `schema`.
pub(crate) struct Rows {
    pub types: Vec<ScalarType>,
    builders: Vec<Builder>,
    schema: SchemaRef,
    pub len: usize,
}

impl Rows {
    pub fn new(columns: &[(String, ScalarType)]) -> Rows {
        Rows {
            types: columns.iter().map(|(_, t)| *t).collect(),
            builders: columns.iter().map(|(_, t)| Builder::new(*t)).collect(),
            schema: schema_of(columns),
            len: 0,
        }
    }

    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Appends one row of parsed values, one per column.
    pub fn push(&mut self, row: Vec<Parsed<'_>>) {
        for (b, v) in self.builders.iter_mut().zip(row) {
            b.append(v);
        }
        self.len += 1;
    }

    /// The rows so far as a batch; starts over.
    pub fn take(&mut self) -> RecordBatch {
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        let n = self.len;
        self.len = 0;
        RecordBatch::try_new_with_options(
            self.schema.clone(),
            arrays,
            &arrow_array::RecordBatchOptions::new().with_row_count(Some(n)),
        )
        .expect("builders match the schema")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> i64 {
        kql_types::time::parse_datetime(s).unwrap()
    }

    #[test]
    fn portal_datetime_forms() {
        let midnight = dt("2025-06-01T00:00:00Z");
        assert_eq!(parse_datetime("2025-06-01T00:00:00.000Z"), Some(midnight));
        assert_eq!(parse_datetime("2025-06-01T00:00:00.0000000Z"), Some(midnight));
        assert_eq!(parse_datetime("6/1/2025, 12:00:00.000 AM"), Some(midnight));
        assert_eq!(parse_datetime("6/1/2025 12:00:00 AM UTC"), Some(midnight));
        assert_eq!(parse_datetime("06/01/2025 00:00:00"), Some(midnight));
        assert_eq!(parse_datetime("2025/06/01 00:00"), Some(midnight));
        assert_eq!(parse_datetime("1.6.2025 00:00:00"), Some(midnight));
        assert_eq!(parse_datetime("6/1/2025"), Some(midnight));
        assert_eq!(parse_datetime("6/1/2025, 12:30:15.250 PM"), Some(dt("2025-06-01T12:30:15.25Z")));
        assert_eq!(parse_datetime("6/1/2025, 1:02:03.004 PM"), Some(dt("2025-06-01T13:02:03.004Z")));
        assert_eq!(parse_datetime("12/31/2025, 11:59:59.999 PM"), Some(dt("2025-12-31T23:59:59.999Z")));
        for bad in
            ["13/1/2025, 1:00:00 AM", "2/30/2025", "6/1/2025, 13:00:00 PM", "6/1/25 00:00", "yesterday", "6/1/2025 x"]
        {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn cells_parse_by_type() {
        use ScalarType as T;
        fn long(c: Cell<'_>) -> Result<Parsed<'_>, Reason> {
            parse(ScalarType::Long, c)
        }
        assert_eq!(long(Cell::Text("42")), Ok(Parsed::Long(42)));
        assert_eq!(long(Cell::Text("")), Ok(Parsed::Null));
        assert_eq!(long(Cell::Json(&Value::from("42"))), Ok(Parsed::Long(42)), "the CLI's numbers are strings");
        assert_eq!(long(Cell::Json(&Value::from("None"))), Ok(Parsed::Null), "the CLI writes nulls as None");
        assert!(long(Cell::Text("None")).unwrap_err().contains("`None` is not a long"));
        assert!(long(Cell::Json(&Value::from(1.5))).unwrap_err().contains("whole number"));
        assert!(long(Cell::Text("99999999999999999999")).unwrap_err().contains("out of range"));
        assert!(parse(T::Int, Cell::Text("3000000000")).unwrap_err().contains("out of range for int"));
        assert_eq!(parse(T::String, Cell::Null), Ok(Parsed::Str("".into())), "strings are never null");
        assert_eq!(parse(T::String, Cell::Json(&Value::from("None"))), Ok(Parsed::Str("None".into())));
        assert_eq!(parse(T::Bool, Cell::Text("True")), Ok(Parsed::Bool(true)));
        assert_eq!(parse(T::Real, Cell::Text("1e-05")), Ok(Parsed::Real(1e-5)));
        assert!(parse(T::Real, Cell::Text("n/a")).is_err());
        assert_eq!(
            parse(T::Guid, Cell::Text("{74BE27DE-1E4E-49D9-B579-FE0B331D3642}")),
            Ok(Parsed::Str("74be27de-1e4e-49d9-b579-fe0b331d3642".into()))
        );
        assert_eq!(parse(T::Dynamic, Cell::Text("[1, 2]")), Ok(Parsed::Str("[1,2]".into())));
        assert_eq!(parse(T::Dynamic, Cell::Text("abc")), Ok(Parsed::Str("\"abc\"".into())));
        let obj: Value = serde_json::from_str(r#"{"a":1}"#).unwrap();
        assert_eq!(parse(T::Dynamic, Cell::Json(&obj)), Ok(Parsed::Str(r#"{"a":1}"#.into())));
        assert!(parse(T::DateTime, Cell::Json(&Value::from(5))).is_err());
        assert_eq!(parse(T::Timespan, Cell::Text("01:00:00")), Ok(Parsed::Nanos(NANOS_PER_HOUR)));
        let err = parse(T::DateTime, Cell::Text("not a time")).unwrap_err();
        assert_eq!(err, "`not a time` is not a datetime");
    }

    #[test]
    fn inference() {
        let guess = |cells: &[&str]| cells.iter().fold(Guess::Empty, |g, c| g.see(Cell::Text(c))).kusto_type();
        assert_eq!(guess(&["1", "", "3"]), ScalarType::Long);
        assert_eq!(guess(&["1", "2.5"]), ScalarType::Real);
        assert_eq!(guess(&["True", "false"]), ScalarType::Bool);
        assert_eq!(guess(&["6/1/2025, 12:00:00.000 AM", "2025-06-01T00:00:00Z"]), ScalarType::DateTime);
        assert_eq!(guess(&["1", "x"]), ScalarType::String);
        assert_eq!(guess(&["", ""]), ScalarType::String);
        assert_eq!(guess(&["NaN"]), ScalarType::String, "a word alone is not a number");
        assert_eq!(guess(&["{\"a\": 1}", "[]"]), ScalarType::Dynamic);
        let json = |vals: &[Value]| vals.iter().fold(Guess::Empty, |g, v| g.see(Cell::Json(v))).kusto_type();
        assert_eq!(json(&[Value::from(1), Value::Null]), ScalarType::Long);
        assert_eq!(json(&[Value::from("12"), Value::from("None")]), ScalarType::Long);
        assert_eq!(json(&[Value::from(1), serde_json::json!({"a": 1})]), ScalarType::Dynamic);
    }
}
