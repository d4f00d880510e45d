//! The `FlowTuples` columns the aggregation reads, from any batch that has
//! them in a readable Arrow type: strings as Utf8, LargeUtf8, Utf8View or
//! dictionaries of them; integers of any width; timestamps of any unit and
//! zone. Nulls read as `""` and 0.

use crate::error::FlowLogError;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow_schema::{DataType, TimeUnit};

/// The `FlowTuples` columns used to derive the NTA tables.
pub const STRING_COLUMNS: [&str; 13] = [
    "FlowLogKind",
    "FlowLogResourceId",
    "TargetResourceId",
    "MacAddress",
    "AclId",
    "AclRule",
    "SrcIp",
    "DestIp",
    "L4Protocol",
    "FlowDirection",
    "FlowState",
    "FlowStatus",
    "FlowEncryption",
];

/// The counters (`long`) and the destination port (`int`).
pub const NUMBER_COLUMNS: [&str; 5] =
    ["DestPort", "PacketsSrcToDest", "BytesSrcToDest", "PacketsDestToSrc", "BytesDestToSrc"];

/// One batch's columns, cast to Utf8 / Int64 / Timestamp(µs).
pub struct Columns {
    time: TimestampMicrosecondArray,
    strings: Vec<StringArray>,
    numbers: Vec<Int64Array>,
}

/// Index into [`STRING_COLUMNS`].
#[derive(Clone, Copy)]
pub enum S {
    Kind = 0,
    FlowLog,
    Target,
    Mac,
    AclId,
    Rule,
    SrcIp,
    DestIp,
    Proto,
    Direction,
    State,
    Status,
    Encryption,
}

/// Index into [`NUMBER_COLUMNS`].
#[derive(Clone, Copy)]
pub enum N {
    DestPort = 0,
    PacketsS2D,
    BytesS2D,
    PacketsD2S,
    BytesD2S,
}

fn column<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b ArrayRef, FlowLogError> {
    batch.column_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = batch.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
        let near = kql_types::suggest::did_you_mean(name, names.iter().copied());
        FlowLogError::TupleColumn {
            column: name.to_string(),
            message: "missing from the input batch".into(),
            help: match near {
                Some(n) => format!("did you mean `{n}`? FlowTuples columns are: {}", crate::tuples::COLUMNS.join(", ")),
                None => format!("FlowTuples columns are: {}", crate::tuples::COLUMNS.join(", ")),
            },
        }
    })
}

fn cast(name: &str, array: &ArrayRef, to: &DataType, kusto: &str) -> Result<ArrayRef, FlowLogError> {
    let readable = match (array.data_type(), to) {
        (DataType::Dictionary(_, v), DataType::Utf8) => {
            matches!(**v, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
        }
        (DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View, DataType::Utf8) => true,
        (from, DataType::Int64) => from.is_integer(),
        (DataType::Timestamp(..), DataType::Timestamp(..)) => true,
        _ => false,
    };
    let bad = |message: String| FlowLogError::TupleColumn {
        column: name.to_string(),
        message,
        help: format!("FlowTuples.{name} is a Kusto {kusto}"),
    };
    if !readable {
        return Err(bad(format!("has Arrow type {}, which is not a {kusto}", array.data_type())));
    }
    arrow_cast::cast(array, to).map_err(|e| bad(e.to_string()))
}

impl Columns {
    /// Reads the columns of one `FlowTuples` batch.
    pub fn new(batch: &RecordBatch) -> Result<Columns, FlowLogError> {
        let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
        let time = cast("FlowTime", column(batch, "FlowTime")?, &ts, "datetime")?;
        let strings = STRING_COLUMNS
            .iter()
            .map(|&n| Ok(cast(n, column(batch, n)?, &DataType::Utf8, "string")?.as_string::<i32>().clone()))
            .collect::<Result<Vec<_>, FlowLogError>>()?;
        let numbers = NUMBER_COLUMNS
            .iter()
            .map(|&n| Ok(cast(n, column(batch, n)?, &DataType::Int64, "number")?.as_primitive::<Int64Type>().clone()))
            .collect::<Result<Vec<_>, FlowLogError>>()?;
        Ok(Columns { time: time.as_primitive::<TimestampMicrosecondType>().clone(), strings, numbers })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.time.len()
    }

    /// `FlowTime` in microseconds since the epoch (`None` when null).
    pub fn time(&self, row: usize) -> Option<i64> {
        self.time.is_valid(row).then(|| self.time.value(row))
    }

    /// A string column's value (`""` when null).
    pub fn str(&self, col: S, row: usize) -> &str {
        let a = &self.strings[col as usize];
        if a.is_valid(row) { a.value(row) } else { "" }
    }

    /// A number column's value (0 when null).
    pub fn num(&self, col: N, row: usize) -> i64 {
        let a = &self.numbers[col as usize];
        if a.is_valid(row) { a.value(row) } else { 0 }
    }
}
