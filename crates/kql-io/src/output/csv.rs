//! CSV: the bytes of arrow-csv's writer (header row, RFC 4180 quoting, `\n`
//! line ends, empty cells for nulls) with Kusto's text for the columns
//! arrow would show otherwise (datetime, timespan, real, the executor's
//! scale-18 decimals); the rest (bool, int, long, other decimals, string,
//! guid, and dynamic's JSON text) as arrow shows them.
//!
//! Batches are written by a hand-written encoder ([`cells`]), straight into
//! the output buffer, several times faster than arrow-csv (which formats
//! every cell through `fmt` and, for the Kusto-shown columns, needed arrays
//! of text built first). arrow-csv's writer stays as the reference the
//! encoder is tested against byte for byte, and as the fallback for a
//! column type the encoder does not know (none that `Layout::prepare`
//! yields today).
//!
//! A batch is cut into slices encoded on every core, each into a buffer of
//! its own, and the buffers are written in order: the bytes are those of
//! encoding the batch whole on one core.

use super::dest::{Errors, Output};
use super::error::OutputError;
use super::kusto::Layout;
use super::text::text_column;
use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use cells::Cells;
use kql_types::ScalarType;
use rayon::prelude::*;
use std::io::Write;
use std::sync::Arc;

mod cells;

/// Rows a slice of a batch holds at most (its buffer's size is bounded
/// whatever the batch's)…
const CHUNK_ROWS: usize = 16 * 1024;
/// … and at least, unless the batch is smaller (fewer rows than this are
/// not worth a task of their own).
const MIN_CHUNK_ROWS: usize = 1024;

pub(crate) struct CsvSink {
    out: Output,
    layout: Layout,
    /// The layout's schema with the converted columns as Utf8.
    schema: SchemaRef,
    errors: Errors,
    /// Each slice's CSV text; reused.
    scratch: Vec<Vec<u8>>,
    header_written: bool,
    rows: u64,
}

fn as_text(kind: ScalarType, dt: &DataType) -> bool {
    matches!(kind, ScalarType::DateTime | ScalarType::Timespan | ScalarType::Real)
        // the executor's scale-18 decimals, trimmed as text.rs shows them
        || matches!((kind, dt), (ScalarType::Decimal, DataType::Decimal128(_, 18)))
}

impl CsvSink {
    pub fn new(out: Output, layout: Layout) -> CsvSink {
        let fields: Vec<Field> = layout
            .schema
            .fields()
            .iter()
            .zip(&layout.kinds)
            .map(|(f, kind)| {
                if as_text(*kind, f.data_type()) {
                    f.as_ref().clone().with_data_type(DataType::Utf8)
                } else {
                    f.as_ref().clone()
                }
            })
            .collect();
        let errors = out.errors().clone();
        CsvSink {
            out,
            layout,
            schema: Arc::new(Schema::new(fields)),
            errors,
            scratch: Vec::new(),
            header_written: false,
            rows: 0,
        }
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        let n = batch.num_rows();
        // Slices for every core (a few per core, as they take unequal
        // times), each bounded; written a round of slices at a time.
        let threads = rayon::current_num_threads();
        let chunk = n.div_ceil(4 * threads).clamp(MIN_CHUNK_ROWS, CHUNK_ROWS);
        let per_round = 4 * threads;
        let mut offset = 0;
        while offset < n {
            let slices: Vec<(usize, usize)> = (0..per_round)
                .map(|k| offset + k * chunk)
                .take_while(|start| *start < n)
                .map(|start| (start, chunk.min(n - start)))
                .collect();
            offset = slices.last().map_or(n, |(start, len)| start + len);
            self.scratch.resize_with(self.scratch.len().max(slices.len()), Vec::new);
            let header = !self.header_written;
            let buffers = std::mem::take(&mut self.scratch);
            let (layout, schema, errors) = (&self.layout, &self.schema, &self.errors);
            let encoded: Vec<Result<Vec<u8>, OutputError>> = slices
                .par_iter()
                .zip(buffers)
                .enumerate()
                .map(|(k, (&(start, len), buffer))| {
                    encode(layout, schema, errors, &batch.slice(start, len), header && k == 0, buffer)
                })
                .collect();
            for buffer in encoded {
                let buffer = buffer?;
                self.out.write_all(&buffer).map_err(|e| self.errors.io(e))?;
                self.scratch.push(buffer);
            }
            self.header_written = true;
        }
        self.rows += n as u64;
        Ok(())
    }

    /// Writes the header if no batch did; returns the output and row count.
    pub fn finish(mut self) -> Result<(Output, u64), OutputError> {
        if !self.header_written {
            // The header alone, from no rows (of the layout's schema, which
            // `encode` prepares them for).
            let empty = RecordBatch::new_empty(self.layout.schema.clone());
            let buffer = encode(&self.layout, &self.schema, &self.errors, &empty, true, Vec::new())?;
            self.out.write_all(&buffer).map_err(|e| self.errors.io(e))?;
        }
        Ok((self.out, self.rows))
    }
}

/// Encodes rows of a result into `buffer` (cleared first), with the header
/// line if asked: the hand-written encoder when it knows every column's
/// type, else arrow-csv's writer.
fn encode(
    layout: &Layout,
    schema: &SchemaRef,
    errors: &Errors,
    batch: &RecordBatch,
    header: bool,
    mut buffer: Vec<u8>,
) -> Result<Vec<u8>, OutputError> {
    let batch = layout.prepare(batch, &errors.target)?;
    let Some(cells) = Cells::new(&layout.kinds, &batch) else {
        return encode_arrow(layout, schema, errors, &batch, header, buffer);
    };
    buffer.clear();
    if header {
        cells::write_header(schema.fields().iter().map(|f| f.name().as_str()), &mut buffer);
    }
    cells.write_rows(&mut buffer).map_err(|e| errors.arrow(e))?;
    Ok(buffer)
}

/// [`encode`] by arrow-csv's writer, for a prepared batch: Kusto's text for
/// the columns arrow-csv would show otherwise (`schema`: the layout's with
/// those columns as text), then the writer.
fn encode_arrow(
    layout: &Layout,
    schema: &SchemaRef,
    errors: &Errors,
    batch: &RecordBatch,
    header: bool,
    mut buffer: Vec<u8>,
) -> Result<Vec<u8>, OutputError> {
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (column, kind) in batch.columns().iter().zip(&layout.kinds) {
        columns.push(if as_text(*kind, column.data_type()) {
            text_column(*kind, column.as_ref()).map_err(|e| errors.arrow(e))?
        } else {
            column.clone()
        });
    }
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    let batch = RecordBatch::try_new_with_options(schema.clone(), columns, &options).map_err(|e| errors.arrow(e))?;
    buffer.clear();
    {
        let mut writer = arrow_csv::WriterBuilder::new().with_header(header).build(&mut buffer);
        writer.write(&batch).map_err(|e| errors.arrow(e))?;
    }
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::dest::Destination;
    use crate::output::kusto::KUSTO_TYPE_KEY;
    use arrow_array::types::{
        Decimal128Type, DurationNanosecondType, TimestampMillisecondType, TimestampNanosecondType,
    };
    use arrow_array::{
        ArrayRef, BooleanArray, Float32Array, Float64Array, Int16Array, Int32Array, Int64Array, LargeStringArray,
        PrimitiveArray, StringArray, UInt64Array,
    };
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn sink() -> (Output, Errors) {
        let out = Output::open(Destination::writer(Vec::new())).unwrap();
        let errors = out.errors().clone();
        (out, errors)
    }

    /// The bytes of one batch by both encoders, after checking that the
    /// hand-written one takes it (a fallback would compare arrow-csv with
    /// itself).
    fn both(batch: &RecordBatch, header: bool) -> (Vec<u8>, Vec<u8>) {
        let (out, errors) = sink();
        let csv = CsvSink::new(out, Layout::new(&batch.schema(), &errors.target).unwrap());
        let prepared = csv.layout.prepare(batch, &errors.target).unwrap();
        assert!(Cells::new(&csv.layout.kinds, &prepared).is_some(), "{:?}", prepared.schema());
        let fast = encode(&csv.layout, &csv.schema, &errors, batch, header, Vec::new()).unwrap();
        let arrow = encode_arrow(&csv.layout, &csv.schema, &errors, &prepared, header, Vec::new()).unwrap();
        (fast, arrow)
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    fn tagged(name: &str, kind: &str, array: ArrayRef) -> (Field, ArrayRef) {
        let meta = HashMap::from([(KUSTO_TYPE_KEY.to_string(), kind.to_string())]);
        (Field::new(name, array.data_type().clone(), true).with_metadata(meta), array)
    }

    fn batch(columns: Vec<(Field, ArrayRef)>, rows: usize) -> RecordBatch {
        let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns.into_iter().unzip();
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options).unwrap()
    }

    /// Quoting, nulls and Kusto's text, derived by hand: csv-core quotes a
    /// field holding `,` `"` `\r` `\n` and doubles its quotes; a null is an
    /// empty field; a record of one empty field is `""` (an empty field
    /// among others is not); datetimes, timespans, reals and scale-18
    /// decimals as kql_types writes them.
    #[test]
    fn rows_as_arrow_csv_writes_them() {
        const S: i64 = 1_000_000_000;
        let day = 1_748_736_000 * S; // 2025-06-01
        let b = batch(
            vec![
                tagged("s", "string", Arc::new(StringArray::from(vec![Some("a,b"), Some(""), None, Some("q\"x")]))),
                tagged("n, m", "long", Arc::new(Int64Array::from(vec![Some(1), None, Some(-5), Some(i64::MIN)]))),
                tagged(
                    "t",
                    "datetime",
                    Arc::new(PrimitiveArray::<TimestampNanosecondType>::from(vec![
                        Some(day),
                        None,
                        Some(day + S / 4),
                        None,
                    ])),
                ),
                tagged(
                    "d",
                    "timespan",
                    Arc::new(PrimitiveArray::<DurationNanosecondType>::from(vec![
                        Some(90 * 60 * S),
                        None,
                        Some(-86_400 * S),
                        None,
                    ])),
                ),
                tagged("r", "real", Arc::new(Float64Array::from(vec![Some(1.0), None, Some(f64::NAN), Some(1e300)]))),
                tagged(
                    "x",
                    "decimal",
                    Arc::new(
                        PrimitiveArray::<Decimal128Type>::from(vec![Some(1_500_000_000_000_000_000), None, None, None])
                            .with_precision_and_scale(38, 18)
                            .unwrap(),
                    ),
                ),
                tagged(
                    "y",
                    "decimal",
                    Arc::new(
                        PrimitiveArray::<Decimal128Type>::from(vec![Some(150), None, Some(-5), None])
                            .with_precision_and_scale(10, 2)
                            .unwrap(),
                    ),
                ),
                tagged("b", "bool", Arc::new(BooleanArray::from(vec![Some(true), None, Some(false), None]))),
            ],
            4,
        );
        let expected = "s,\"n, m\",t,d,r,x,y,b\n\
                        \"a,b\",1,2025-06-01T00:00:00Z,01:30:00,1,1.5,1.50,true\n\
                        ,,,,,,,\n\
                        ,-5,2025-06-01T00:00:00.25Z,-1.00:00:00,NaN,,-0.05,false\n\
                        \"q\"\"x\",-9223372036854775808,,,1e300,,,\n";
        let (fast, arrow) = both(&b, true);
        assert_eq!(text(arrow), expected);
        assert_eq!(text(fast), expected);

        let one = batch(vec![tagged("", "string", Arc::new(StringArray::from(vec![None, Some(""), Some("x")])))], 3);
        let (fast, arrow) = both(&one, true);
        assert_eq!(text(arrow), "\"\"\n\"\"\n\"\"\nx\n");
        assert_eq!(text(fast), "\"\"\n\"\"\n\"\"\nx\n");
    }

    /// A result without columns (`project-away` of all its columns) still
    /// has its rows: each an empty record, `""`; so is the header.
    #[test]
    fn rows_without_columns() {
        let b = batch(vec![], 2);
        let (fast, arrow) = both(&b, true);
        assert_eq!(text(arrow), "\"\"\n\"\"\n\"\"\n");
        assert_eq!(text(fast), "\"\"\n\"\"\n\"\"\n");
    }

    /// A column type the encoder does not know leaves the batch to
    /// arrow-csv's writer (`Layout::prepare` yields none today: an
    /// unprepared batch stands in for one).
    #[test]
    fn unknown_types_fall_back_to_arrow_csv() {
        let b = batch(vec![tagged("n", "long", Arc::new(UInt64Array::from(vec![Some(u64::MAX), None])))], 2);
        assert!(Cells::new(&[ScalarType::Long], &b).is_none());
        assert!(Cells::new(&[ScalarType::Long, ScalarType::Long], &b).is_none());
        let (_, errors) = sink();
        let layout = Layout { kinds: vec![ScalarType::Long], schema: b.schema() };
        let bytes = encode_arrow(&layout, &b.schema(), &errors, &b, true, Vec::new()).unwrap();
        assert_eq!(text(bytes), "n\n18446744073709551615\n\"\"\n");
    }

    /// The sink's slices (several per round, several rounds, two batches)
    /// give the bytes of encoding each batch whole with arrow-csv.
    #[test]
    fn slices_join_into_the_whole() {
        let rows = |n: usize| {
            let s: StringArray =
                (0..n).map(|i| (i % 7 != 0).then(|| format!("v{i}{}", if i % 5 == 0 { ",\"" } else { "" }))).collect();
            let n64: Int64Array = (0..n as i64).map(|i| (i % 3 != 0).then_some(i * 1_000_003)).collect();
            let r: Float64Array = (0..n).map(|i| Some(i as f64 / 7.0)).collect();
            batch(
                vec![
                    tagged("s", "string", Arc::new(s)),
                    tagged("n", "long", Arc::new(n64)),
                    tagged("r", "real", Arc::new(r)),
                ],
                n,
            )
        };
        let batches = [rows(3_000), rows(CHUNK_ROWS * 4 * rayon::current_num_threads() + 12_345)];
        let buffer = crate::output::SharedBuffer::default();
        let out = Output::open(Destination::writer(buffer.clone())).unwrap();
        let errors = out.errors().clone();
        let mut csv = CsvSink::new(out, Layout::new(&batches[0].schema(), &errors.target).unwrap());
        let mut expected = Vec::new();
        for (k, b) in batches.iter().enumerate() {
            csv.write(b).unwrap();
            let prepared = csv.layout.prepare(b, &errors.target).unwrap();
            expected.extend(encode_arrow(&csv.layout, &csv.schema, &errors, &prepared, k == 0, Vec::new()).unwrap());
        }
        let (out, n) = csv.finish().unwrap();
        out.finish().unwrap();
        assert_eq!(n as usize, batches.iter().map(RecordBatch::num_rows).sum::<usize>());
        assert!(buffer.bytes() == expected, "the sink's bytes differ from arrow-csv's");
    }

    #[test]
    fn header_alone_without_batches() {
        let buffer = crate::output::SharedBuffer::default();
        let out = Output::open(Destination::writer(buffer.clone())).unwrap();
        let schema =
            Schema::new(vec![Field::new("a\"b", DataType::Int64, true), Field::new("c", DataType::Utf8, true)]);
        let layout = Layout::new(&schema, &out.errors().target).unwrap();
        let (out, _) = CsvSink::new(out, layout).finish().unwrap();
        out.finish().unwrap();
        assert_eq!(buffer.contents(), "\"a\"\"b\",c\n");
    }

    // Random batches: both encoders must give the same bytes.

    /// Text with every byte csv-core treats specially, spaces, tabs and
    /// non-ASCII; long enough to cross the 16-byte blocks.
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![Just(String::new()), "[a ,\"\r\n\té🌐]{0,6}", "[a-z0-9 ,\"\r\n\t'é🖥️]{0,40}", any::<String>(),]
    }

    fn values<T: std::fmt::Debug>(
        rows: usize,
        value: impl Strategy<Value = T>,
    ) -> impl Strategy<Value = Vec<Option<T>>> {
        prop::collection::vec(prop::option::weighted(0.8, value), rows)
    }

    fn any_long() -> impl Strategy<Value = i64> {
        prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), Just(0), -1000i64..1000]
    }

    fn any_real() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(-0.0),
            Just(1e300),
            Just(1.5e-7),
            -1e6..1e6f64,
        ]
    }

    fn any_decimal() -> impl Strategy<Value = i128> {
        prop_oneof![any::<i128>(), Just(i128::MIN), Just(0i128), -10_i128.pow(20)..10_i128.pow(20)]
    }

    /// One column of `rows` values: a name (quoted or not) and an array of
    /// a type the executor or a file gives.
    fn any_column(rows: usize) -> impl Strategy<Value = (Field, ArrayRef)> {
        let column = prop_oneof![
            values(rows, any_text()).prop_map(|v| ("string", Arc::new(StringArray::from(v)) as ArrayRef)),
            values(rows, any_text()).prop_map(|v| ("dynamic", Arc::new(StringArray::from(v)) as ArrayRef)),
            values(rows, any_text()).prop_map(|v| ("guid", Arc::new(StringArray::from(v)) as ArrayRef)),
            values(rows, any_text()).prop_map(|v| ("string", Arc::new(LargeStringArray::from(v)) as ArrayRef)),
            values(rows, any_long()).prop_map(|v| ("long", Arc::new(Int64Array::from(v)) as ArrayRef)),
            values(rows, prop_oneof![any::<i32>(), Just(i32::MIN), Just(i32::MAX)])
                .prop_map(|v| ("int", Arc::new(Int32Array::from(v)) as ArrayRef)),
            values(rows, any::<i16>()).prop_map(|v| ("int", Arc::new(Int16Array::from(v)) as ArrayRef)),
            values(rows, any::<bool>()).prop_map(|v| ("bool", Arc::new(BooleanArray::from(v)) as ArrayRef)),
            values(rows, any_long()).prop_map(|v| {
                ("datetime", Arc::new(PrimitiveArray::<TimestampNanosecondType>::from(v)) as ArrayRef)
            }),
            values(rows, -9_223_372_036_854i64..9_223_372_036_854).prop_map(|v| {
                ("datetime", Arc::new(PrimitiveArray::<TimestampMillisecondType>::from(v)) as ArrayRef)
            }),
            values(rows, any_long()).prop_map(|v| {
                ("timespan", Arc::new(PrimitiveArray::<DurationNanosecondType>::from(v)) as ArrayRef)
            }),
            values(rows, any_real()).prop_map(|v| ("real", Arc::new(Float64Array::from(v)) as ArrayRef)),
            values(rows, any::<f32>()).prop_map(|v| ("real", Arc::new(Float32Array::from(v)) as ArrayRef)),
            (values(rows, any_decimal()), prop_oneof![Just((38u8, 18i8)), Just((10, 2)), Just((38, 0)), Just((20, 5))])
                .prop_map(|(v, (p, s))| {
                    let a = PrimitiveArray::<Decimal128Type>::from(v).with_precision_and_scale(p, s).unwrap();
                    ("decimal", Arc::new(a) as ArrayRef)
                }),
        ];
        (any_text(), column).prop_map(|(name, (kind, array))| tagged(&name, kind, array))
    }

    fn any_batch() -> impl Strategy<Value = RecordBatch> {
        (0usize..12, 0usize..5).prop_flat_map(|(rows, columns)| {
            prop::collection::vec(any_column(rows), columns).prop_map(move |columns| batch(columns, rows))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn same_bytes_as_arrow_csv(b in any_batch(), header in any::<bool>()) {
            let (fast, arrow) = both(&b, header);
            prop_assert!(
                fast == arrow,
                "fast:  {:?}\narrow: {:?}",
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&arrow)
            );
        }

        /// One column: its empty and null cells are the records that are `""`.
        #[test]
        fn same_bytes_as_arrow_csv_in_one_column(
            v in (0usize..12).prop_flat_map(|rows| values(rows, any_text())),
            name in any_text(),
        ) {
            let rows = v.len();
            let b = batch(vec![tagged(&name, "string", Arc::new(StringArray::from(v)))], rows);
            let (fast, arrow) = both(&b, true);
            prop_assert!(
                fast == arrow,
                "fast:  {:?}\narrow: {:?}",
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&arrow)
            );
        }
    }
}
