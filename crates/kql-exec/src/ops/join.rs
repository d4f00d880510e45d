//! Hash joins: `join` (every Kusto kind) and `lookup`. The right side is
//! built into a hash table keyed by Arrow's row format; the left side is
//! streamed through it.
//!
//! Kusto rules: the default kind `innerunique` keeps one left row per key
//! value before matching; strings are never null, so "" matches ""; null
//! (non-string) keys match nothing; `lookup` returns one row per matching
//! right row and, for `leftouter`, unmatched left rows with empty right
//! columns.

use super::{Executor, make_batch};
use crate::columnar::Col;
use crate::context::Stream;
use crate::error::{ExecError, Result};
use crate::eval::to_scalar_type;
use crate::keys::{KeyEncoder, KeyMap, KeySet, canonical_key, has_null};
use crate::limits::Reservation;
use crate::physical::{fill_empty_strings, physical_type};
use arrow_array::*;
use arrow_schema::Field;
use kql_plan::plan::{JoinOutput, Plan, Side};
use kql_syntax::ScalarType;
use kql_syntax::ast::{JoinKind, LookupKind};

/// Most rows put in one output batch.
const OUT_BATCH: usize = 65_536;

fn column_type(plan: &Plan, name: &str) -> ScalarType {
    plan.schema.get(name).and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::Dynamic)
}

/// Key columns of `batch` converted to the common key types.
fn key_columns(batch: &RecordBatch, names: &[String], from: &[ScalarType], to: &[ScalarType]) -> Result<Vec<ArrayRef>> {
    names
        .iter()
        .zip(from.iter().zip(to))
        .map(|(n, (f, t))| {
            let a = batch.column_by_name(n).ok_or_else(|| ExecError::Internal(format!("join key `{n}` missing")))?;
            let c = to_scalar_type(&Col::Array(a.clone()), *f, *t, batch.num_rows())?.to_array(batch.num_rows());
            Ok(canonical_key(&c))
        })
        .collect()
}

/// The built right side.
struct Build {
    batch: RecordBatch,
    table: KeyMap<Box<[u8]>, Vec<u32>>,
    encoder: KeyEncoder,
    left_names: Vec<String>,
    left_types: Vec<ScalarType>,
    common: Vec<ScalarType>,
}

fn build<'a>(
    ex: &'a Executor<'a>,
    left: &'a Plan,
    right: &'a Plan,
    on: &[(String, String)],
    operator: &'static str,
) -> Result<(Build, Reservation)> {
    let (batches, mut held) = ex.collect_held(right, operator)?;
    let schema = batches.first().map_or_else(|| super::default_schema(right), |b| b.schema());
    let batch = arrow_select::concat::concat_batches(&schema, &batches)?;
    drop(batches);
    let left_names: Vec<String> = on.iter().map(|(l, _)| l.clone()).collect();
    let right_names: Vec<String> = on.iter().map(|(_, r)| r.clone()).collect();
    let left_types: Vec<ScalarType> = left_names.iter().map(|n| column_type(left, n)).collect();
    let right_types: Vec<ScalarType> = right_names.iter().map(|n| column_type(right, n)).collect();
    let common: Vec<ScalarType> = left_types
        .iter()
        .zip(&right_types)
        .map(|(l, r)| {
            let t = crate::eval::comparison_type(*l, *r);
            if t == ScalarType::Dynamic { ScalarType::String } else { t }
        })
        .collect();
    let keys = key_columns(&batch, &right_names, &right_types, &common)?;
    let encoder = KeyEncoder::new(&keys.iter().map(|k| k.data_type().clone()).collect::<Vec<_>>())?;
    let rows = encoder.encode(&keys)?;
    // The hash table: each key's bytes, its row list and the map's overhead.
    held.grow(rows.size() as u64 + 48 * batch.num_rows() as u64)?;
    let mut table: KeyMap<Box<[u8]>, Vec<u32>> = KeyMap::default();
    for i in 0..batch.num_rows() {
        if !has_null(&keys, i) {
            table.entry(rows.row(i).as_ref().into()).or_default().push(i as u32);
        }
    }
    Ok((Build { batch, table, encoder, left_names, left_types, common }, held))
}

/// Output rows as (left row, right row) index pairs; `None` means "no row".
struct Pairs {
    left: Vec<Option<u32>>,
    right: Vec<Option<u32>>,
}

impl Pairs {
    fn new() -> Self {
        Pairs { left: Vec::new(), right: Vec::new() }
    }
    fn push(&mut self, l: Option<u32>, r: Option<u32>) {
        self.left.push(l);
        self.right.push(r);
    }
    fn len(&self) -> usize {
        self.left.len()
    }
}

/// Assembles output columns from the two sides by the plan's mapping.
fn assemble(
    left: Option<&RecordBatch>,
    right: &RecordBatch,
    pairs: &Pairs,
    output: &[JoinOutput],
    plan: &Plan,
) -> Result<RecordBatch> {
    let li = UInt32Array::from(pairs.left.clone());
    let ri = UInt32Array::from(pairs.right.clone());
    let mut fields = Vec::with_capacity(output.len());
    let mut arrays = Vec::with_capacity(output.len());
    for o in output {
        let (src, idx) = match o.side {
            Side::Left => (left.ok_or_else(|| ExecError::Internal("left column without a left batch".into()))?, &li),
            Side::Right => (right, &ri),
        };
        let col = src
            .column_by_name(&o.column)
            .ok_or_else(|| ExecError::Internal(format!("join column `{}` missing", o.column)))?;
        let mut a = arrow_select::take::take(col, idx, None)?;
        if column_type(plan, &o.name) == ScalarType::String {
            a = fill_empty_strings(&a);
        }
        fields.push(Field::new(&o.name, a.data_type().clone(), true));
        arrays.push(a);
    }
    make_batch(fields, arrays, pairs.len())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Inner,
    InnerUnique,
    LeftOuter,
    LeftSemi,
    LeftAnti,
    RightOuter,
    FullOuter,
    RightSemi,
    RightAnti,
}

pub fn join<'a>(
    ex: &'a Executor<'a>,
    left: &'a Plan,
    right: &'a Plan,
    kind: JoinKind,
    on: &'a [(String, String)],
    output: &'a [JoinOutput],
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let mode = match kind {
        JoinKind::Inner => Mode::Inner,
        JoinKind::InnerUnique => Mode::InnerUnique,
        JoinKind::LeftOuter => Mode::LeftOuter,
        JoinKind::LeftSemi => Mode::LeftSemi,
        JoinKind::LeftAnti => Mode::LeftAnti,
        JoinKind::RightOuter => Mode::RightOuter,
        JoinKind::FullOuter => Mode::FullOuter,
        JoinKind::RightSemi => Mode::RightSemi,
        JoinKind::RightAnti => Mode::RightAnti,
    };
    hash_join(ex, left, right, mode, on, output, plan)
}

pub fn lookup<'a>(
    ex: &'a Executor<'a>,
    left: &'a Plan,
    right: &'a Plan,
    kind: LookupKind,
    on: &'a [(String, String)],
    output: &'a [JoinOutput],
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let mode = match kind {
        LookupKind::Inner => Mode::Inner,
        LookupKind::LeftOuter => Mode::LeftOuter,
    };
    hash_join(ex, left, right, mode, on, output, plan)
}

fn hash_join<'a>(
    ex: &'a Executor<'a>,
    left: &'a Plan,
    right: &'a Plan,
    mode: Mode,
    on: &'a [(String, String)],
    output: &'a [JoinOutput],
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let operator = if matches!(plan.node, kql_plan::plan::Node::Lookup { .. }) { "lookup" } else { "join" };
    // `held`: the memory of the build side, and of the output as it is made.
    let (b, mut held) = build(ex, left, right, on, operator)?;
    let mut right_matched = vec![false; b.batch.num_rows()];
    let mut seen_left: KeySet<Box<[u8]>> = KeySet::default();
    let mut out: Vec<Result<RecordBatch>> = Vec::new();
    let right_only = matches!(mode, Mode::RightSemi | Mode::RightAnti);
    let right_row_bytes = bytes_per_row(&b.batch);
    let mut produced: u64 = 0;
    // The left side's encoding, so rows without a left row match the others.
    let mut left_schema: Option<arrow_schema::SchemaRef> = None;
    for lb in ex.run(left)? {
        let lb = lb?;
        left_schema.get_or_insert_with(|| lb.schema());
        let keys = key_columns(&lb, &b.left_names, &b.left_types, &b.common)?;
        let rows = b.encoder.encode(&keys)?;
        let matches: Vec<Option<&Vec<u32>>> = (0..lb.num_rows())
            .map(|i| if has_null(&keys, i) { None } else { b.table.get(rows.row(i).as_ref()) })
            .collect();
        // The explosion guard, before any pair is made: a key shared by
        // many rows on both sides multiplies them.
        if !right_only && !matches!(mode, Mode::LeftSemi | Mode::LeftAnti) {
            let coming: u64 = matches.iter().map(|m| m.map_or(1, |v| v.len() as u64)).sum();
            held.check_output(produced, coming, bytes_per_row(&lb) + right_row_bytes)?;
        }
        let mut pairs = Pairs::new();
        for (i, m) in matches.iter().enumerate() {
            if mode == Mode::InnerUnique && !seen_left.insert(rows.row(i).as_ref().into()) {
                continue;
            }
            let li = Some(i as u32);
            match (mode, m) {
                (Mode::LeftSemi, Some(_)) => pairs.push(li, None),
                (Mode::LeftAnti, None) => pairs.push(li, None),
                (Mode::LeftSemi | Mode::LeftAnti, _) => {}
                (_, Some(ms)) => {
                    for r in ms.iter() {
                        right_matched[*r as usize] = true;
                        if !right_only {
                            pairs.push(li, Some(*r));
                        }
                    }
                }
                (Mode::LeftOuter | Mode::FullOuter, None) => pairs.push(li, None),
                (_, None) => {}
            }
            if pairs.len() >= OUT_BATCH {
                emit(&mut held, &b.batch, &mut out, &mut produced, Some(&lb), &pairs, output, plan)?;
                pairs = Pairs::new();
                // A many-to-many join can make millions of rows from one batch.
                ex.check_cancel()?;
            }
        }
        if pairs.len() > 0 {
            emit(&mut held, &b.batch, &mut out, &mut produced, Some(&lb), &pairs, output, plan)?;
        }
        ex.check_cancel()?;
    }
    // Right rows decided after the whole left side was seen.
    let tail: Option<Box<dyn Fn(bool) -> bool>> = match mode {
        Mode::RightOuter | Mode::FullOuter | Mode::RightAnti => Some(Box::new(|m| !m)),
        Mode::RightSemi => Some(Box::new(|m| m)),
        _ => None,
    };
    if let Some(keep) = tail {
        let mut pairs = Pairs::new();
        for (r, m) in right_matched.iter().enumerate() {
            if keep(*m) {
                pairs.push(None, Some(r as u32));
            }
        }
        if pairs.len() > 0 {
            // Left columns of these rows are null: take from an empty left.
            let empty_left = empty_like_left(left, left_schema.as_ref(), output)?;
            emit(&mut held, &b.batch, &mut out, &mut produced, Some(&empty_left), &pairs, output, plan)?;
        }
    }
    // The output is held until it is read: so is its reservation.
    Ok(Box::new(out.into_iter().inspect(move |_| {
        let _ = &held;
    })))
}

/// Assembles a chunk of output and accounts for it.
#[allow(clippy::too_many_arguments)]
fn emit(
    held: &mut Reservation,
    right: &RecordBatch,
    out: &mut Vec<Result<RecordBatch>>,
    produced: &mut u64,
    left: Option<&RecordBatch>,
    pairs: &Pairs,
    output: &[JoinOutput],
    plan: &Plan,
) -> Result<()> {
    let batch = assemble(left, right, pairs, output, plan)?;
    held.grow(batch.get_array_memory_size() as u64)?;
    *produced += batch.num_rows() as u64;
    out.push(Ok(batch));
    Ok(())
}

/// Average bytes of a row of `batch` (at least 1).
fn bytes_per_row(batch: &RecordBatch) -> u64 {
    (batch.get_array_memory_size() as u64 / batch.num_rows().max(1) as u64).max(1)
}

/// A zero-row batch with the left columns the output reads (all-null
/// takes), in the encoding the left side's batches had (a dynamic column
/// may be a list or JSON text), else the plan's default.
fn empty_like_left(left: &Plan, seen: Option<&arrow_schema::SchemaRef>, output: &[JoinOutput]) -> Result<RecordBatch> {
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    for o in output.iter().filter(|o| o.side == Side::Left) {
        let data_type = match seen.and_then(|s| s.field_with_name(&o.column).ok()) {
            Some(f) => f.data_type().clone(),
            None => physical_type(column_type(left, &o.column)),
        };
        let a = new_empty_array(&data_type);
        fields.push(Field::new(&o.column, a.data_type().clone(), true));
        arrays.push(a);
    }
    make_batch(fields, arrays, 0)
}
