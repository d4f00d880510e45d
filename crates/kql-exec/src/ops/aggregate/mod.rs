//! `summarize` (hash aggregation) and `count`.
//!
//! Rows are grouped by their `by` keys in Arrow's row format; each
//! aggregation keeps one state per group and is updated a batch at a time.
//! Groups come out in the order they were first seen. Without `by` there is
//! exactly one group, even for no input rows (`count()` is then 0).

use super::Reads;
use super::{Executor, batch_of, next_window};
use crate::context::Stream;
use crate::context::dictionary_string;
use crate::error::{ExecError, Result};
use crate::eval::{EvalCx, eval, scalar_type, to_scalar_type};
use crate::keys::{KeyEncoder, KeyMap, KeySet, KeyTable};
use crate::limits::{MemoryPool, Reservation, format_size};
use crate::physical::physical_type;
use crate::spill::{SpillFile, SpillWriter};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use arrow_row::{OwnedRow, RowConverter, SortField};
use kql_plan::optimize::{Names, referenced_columns};
use kql_plan::plan::{Aggregate, Expr, ExprKind, Plan};
use kql_syntax::ScalarType;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;

/// One aggregation's state over all groups.
trait Accumulator: Send {
    /// `groups[i]` is the group of row i; there are `n_groups` groups so far.
    fn update(&mut self, groups: &[usize], n_groups: usize, args: &[ArrayRef]) -> Result<()>;
    /// One array per output column, `n_groups` rows each.
    fn finish(&mut self, n_groups: usize) -> Result<Vec<ArrayRef>>;
}

fn resize<T: Clone>(v: &mut Vec<T>, n: usize, fill: T) {
    if v.len() < n {
        v.resize(n, fill);
    }
}

/// A predicate argument as "true for this row".
fn truthy(a: &ArrayRef, i: usize) -> bool {
    let b = a.as_boolean();
    b.is_valid(i) && b.value(i)
}

struct Count {
    counts: Vec<i64>,
    /// countif: the index of the predicate argument.
    predicate: Option<usize>,
}

impl Accumulator for Count {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.counts, n, 0);
        for (i, g) in groups.iter().enumerate() {
            if self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                self.counts[*g] += 1;
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.counts, n, 0);
        Ok(vec![Arc::new(Int64Array::from(std::mem::take(&mut self.counts)))])
    }
}

/// sum/avg over numbers, timespans (and datetimes for avg), in f64 or i64.
struct SumAvg {
    ints: Vec<i64>,
    reals: Vec<f64>,
    counts: Vec<i64>,
    /// Sum in integers (long, timespan) or reals.
    integer: bool,
    average: bool,
    out: ScalarType,
    predicate: Option<usize>,
}

impl Accumulator for SumAvg {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.ints, n, 0);
        resize(&mut self.reals, n, 0.0);
        resize(&mut self.counts, n, 0);
        let values = &args[0];
        if self.integer {
            let v = arrow_cast::cast(values, &arrow_schema::DataType::Int64)?;
            let v = v.as_primitive::<Int64Type>();
            for (i, g) in groups.iter().enumerate() {
                if v.is_valid(i) && self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                    self.ints[*g] = self.ints[*g].wrapping_add(v.value(i));
                    self.counts[*g] += 1;
                }
            }
        } else {
            let v = arrow_cast::cast(values, &arrow_schema::DataType::Float64)?;
            let v = v.as_primitive::<Float64Type>();
            for (i, g) in groups.iter().enumerate() {
                if v.is_valid(i) && self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                    self.reals[*g] += v.value(i);
                    self.counts[*g] += 1;
                }
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.ints, n, 0);
        resize(&mut self.reals, n, 0.0);
        resize(&mut self.counts, n, 0);
        let target = physical_type(self.out);
        let out: ArrayRef = if self.average {
            let avg: Float64Array = (0..n)
                .map(|g| {
                    (self.counts[g] > 0).then(|| {
                        let total = if self.integer { self.ints[g] as f64 } else { self.reals[g] };
                        total / self.counts[g] as f64
                    })
                })
                .collect();
            if self.out == ScalarType::Real {
                Arc::new(avg)
            } else {
                let rounded: Int64Array = avg.iter().map(|v| v.map(|v| v.round() as i64)).collect();
                arrow_cast::cast(&rounded, &target)?
            }
        } else if self.integer {
            let sums: Int64Array = (0..n).map(|g| (self.counts[g] > 0).then_some(self.ints[g])).collect();
            arrow_cast::cast(&sums, &target)?
        } else {
            let sums: Float64Array = (0..n).map(|g| (self.counts[g] > 0).then_some(self.reals[g])).collect();
            arrow_cast::cast(&sums, &target)?
        };
        Ok(vec![out])
    }
}

/// min/max (and the `if` forms): the best value per group by Arrow's row order.
struct MinMax {
    conv: RowConverter,
    best: Vec<Option<OwnedRow>>,
    max: bool,
    predicate: Option<usize>,
}

impl Accumulator for MinMax {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.best, n, None);
        let rows = self.conv.convert_columns(&[args[0].clone()])?;
        for (i, g) in groups.iter().enumerate() {
            if args[0].is_null(i) || !self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                continue;
            }
            let r = rows.row(i);
            let better = match &self.best[*g] {
                None => true,
                Some(b) => {
                    if self.max {
                        r > b.row()
                    } else {
                        r < b.row()
                    }
                }
            };
            if better {
                self.best[*g] = Some(r.owned());
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.best, n, None);
        decode_optional_rows(&self.conv, &self.best)
    }
}

/// Decodes per-group rows, with nulls for groups that have none.
fn decode_optional_rows(conv: &RowConverter, rows: &[Option<OwnedRow>]) -> Result<Vec<ArrayRef>> {
    let present: Vec<u32> = rows.iter().enumerate().filter(|(_, r)| r.is_some()).map(|(i, _)| i as u32).collect();
    let decoded = conv.convert_rows(rows.iter().flatten().map(|r| r.row()))?;
    // Spread the decoded values to their groups, nulls elsewhere.
    let mut positions: Vec<Option<u32>> = vec![None; rows.len()];
    for (k, g) in present.iter().enumerate() {
        positions[*g as usize] = Some(k as u32);
    }
    let idx = UInt32Array::from(positions);
    decoded.iter().map(|col| Ok(arrow_select::take::take(col, &idx, None)?)).collect()
}

/// dcount / count_distinct: exact distinct non-null values per group.
struct DistinctCount {
    conv: RowConverter,
    sets: Vec<KeySet<Box<[u8]>>>,
    predicate: Option<usize>,
}

impl Accumulator for DistinctCount {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.sets, n, KeySet::default());
        let rows = self.conv.convert_columns(&[args[0].clone()])?;
        for (i, g) in groups.iter().enumerate() {
            if args[0].is_valid(i) && self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                self.sets[*g].insert(rows.row(i).as_ref().into());
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.sets, n, KeySet::default());
        Ok(vec![Arc::new(self.sets.iter().map(|s| Some(s.len() as i64)).collect::<Int64Array>())])
    }
}

/// make_list / make_set (and the `if` forms): non-null values, as a string
/// array for strings and JSON otherwise; sets keep first occurrences.
struct MakeList {
    items: Vec<Vec<serde_json::Value>>,
    seen: Vec<KeySet<String>>,
    set: bool,
    strings: bool,
    max_size: usize,
    arg_type: ScalarType,
    predicate: Option<usize>,
}

impl Accumulator for MakeList {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.items, n, Vec::new());
        resize(&mut self.seen, n, KeySet::default());
        let text = to_scalar_type(
            &crate::columnar::Col::Array(args[0].clone()),
            self.arg_type,
            ScalarType::String,
            args[0].len(),
        )?
        .to_array(args[0].len());
        let text = text.as_string::<i32>();
        for (i, g) in groups.iter().enumerate() {
            if args[0].is_null(i)
                || !self.predicate.is_none_or(|p| truthy(&args[p], i))
                || self.items[*g].len() >= self.max_size
            {
                continue;
            }
            if self.set && self.arg_type == ScalarType::Dynamic {
                // The make_set page ("Set from array column"): a dynamic
                // array contributes its elements, not itself.
                let v = json_value(&args[0], i, self.arg_type);
                let elements = match v {
                    serde_json::Value::Array(items) => items,
                    serde_json::Value::Null => continue,
                    other => vec![other],
                };
                for e in elements {
                    if e.is_null() || self.items[*g].len() >= self.max_size {
                        continue;
                    }
                    if self.seen[*g].insert(e.to_string()) {
                        self.items[*g].push(e);
                    }
                }
                continue;
            }
            let key = text.value(i);
            if self.set && !self.seen[*g].insert(key.to_string()) {
                continue;
            }
            let v = if self.strings {
                serde_json::Value::String(key.to_string())
            } else {
                json_value(&args[0], i, self.arg_type)
            };
            self.items[*g].push(v);
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.items, n, Vec::new());
        let items = std::mem::take(&mut self.items);
        if self.strings {
            let rows: Vec<Vec<String>> = items
                .into_iter()
                .map(|g| {
                    g.into_iter()
                        .map(|v| if let serde_json::Value::String(s) = v { s } else { v.to_string() })
                        .collect()
                })
                .collect();
            return Ok(vec![crate::dynamic::str_arrays(rows)]);
        }
        Ok(vec![Arc::new(
            items.into_iter().map(|g| Some(serde_json::Value::Array(g).to_string())).collect::<StringArray>(),
        )])
    }
}

/// The JSON of a non-null value.
fn json_value(a: &ArrayRef, i: usize, ty: ScalarType) -> serde_json::Value {
    match crate::physical::value_at(a, i, ty) {
        kql_plan::Value::Dynamic(d) => crate::physical::dyn_to_json(&d),
        kql_plan::Value::Long(Some(v)) => serde_json::Value::from(v),
        kql_plan::Value::Int(Some(v)) => serde_json::Value::from(v),
        kql_plan::Value::Real(Some(v)) => {
            serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
        kql_plan::Value::Bool(Some(v)) => serde_json::Value::Bool(v),
        kql_plan::Value::DateTime(Some(v)) => serde_json::Value::String(crate::eval::datetime_text(v)),
        other => serde_json::Value::String(other.to_string()),
    }
}

/// arg_max/arg_min and take_any: whole argument rows chosen per group.
///
/// Kusto: arg_max/arg_min ignore rows whose compared value is null unless the
/// whole group is null, when one of its rows is picked (arg-min page, "Null
/// handling"); take_any of one column prefers a non-null, non-empty value
/// (take-any page, "Remarks").
struct PickRow {
    /// Encodes the values that are returned.
    all: RowConverter,
    /// Encodes the value compared (arg_max/arg_min only).
    key: Option<RowConverter>,
    best_key: Vec<Option<OwnedRow>>,
    best: Vec<Option<OwnedRow>>,
    /// The first row of each group, for groups with nothing better.
    first: Vec<Option<OwnedRow>>,
    max: bool,
    /// take_any of a single column: skip null and "" while a group has only those.
    prefer_non_empty: bool,
}

/// True if row `i` of `a` is null or the empty string.
fn null_or_empty(a: &ArrayRef, i: usize) -> bool {
    a.is_null(i) || a.as_string_opt::<i32>().is_some_and(|s| s.value(i).is_empty())
}

impl Accumulator for PickRow {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.best, n, None);
        resize(&mut self.best_key, n, None);
        resize(&mut self.first, n, None);
        let rows = self.all.convert_columns(args)?;
        for (i, g) in groups.iter().enumerate() {
            if self.first[*g].is_none() {
                self.first[*g] = Some(rows.row(i).owned());
            }
        }
        match &self.key {
            None => {
                for (i, g) in groups.iter().enumerate() {
                    if self.best[*g].is_none() && !(self.prefer_non_empty && null_or_empty(&args[0], i)) {
                        self.best[*g] = Some(rows.row(i).owned());
                    }
                }
            }
            Some(kc) => {
                let keys = kc.convert_columns(&[args[0].clone()])?;
                for (i, g) in groups.iter().enumerate() {
                    if args[0].is_null(i) {
                        continue;
                    }
                    let k = keys.row(i);
                    let better = match &self.best_key[*g] {
                        None => true,
                        Some(b) => {
                            if self.max {
                                k > b.row()
                            } else {
                                k < b.row()
                            }
                        }
                    };
                    if better {
                        self.best_key[*g] = Some(k.owned());
                        self.best[*g] = Some(rows.row(i).owned());
                    }
                }
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.best, n, None);
        resize(&mut self.first, n, None);
        for (best, first) in self.best.iter_mut().zip(&mut self.first) {
            if best.is_none() {
                *best = first.take();
            }
        }
        decode_optional_rows(&self.all, &self.best)
    }
}

/// stdev/variance (and the `if` forms): the sample variance (n − 1 in the
/// denominator, the stdev page's `stdev(1..5)` is 1.58113883008419), by
/// Welford's running mean. A group of fewer than two values gives 0, as
/// the summarize page's defaults do for no rows.
struct Variance {
    counts: Vec<i64>,
    means: Vec<f64>,
    m2: Vec<f64>,
    root: bool,
    predicate: Option<usize>,
}

impl Accumulator for Variance {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.counts, n, 0);
        resize(&mut self.means, n, 0.0);
        resize(&mut self.m2, n, 0.0);
        let v = arrow_cast::cast(&args[0], &arrow_schema::DataType::Float64)?;
        let v = v.as_primitive::<Float64Type>();
        for (i, g) in groups.iter().enumerate() {
            if v.is_valid(i) && self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                let x = v.value(i);
                self.counts[*g] += 1;
                let delta = x - self.means[*g];
                self.means[*g] += delta / self.counts[*g] as f64;
                self.m2[*g] += delta * (x - self.means[*g]);
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.counts, n, 0);
        resize(&mut self.m2, n, 0.0);
        let out: Float64Array = (0..n)
            .map(|g| {
                let var = if self.counts[g] < 2 { 0.0 } else { self.m2[g] / (self.counts[g] - 1) as f64 };
                Some(if self.root { var.sqrt() } else { var })
            })
            .collect();
        Ok(vec![Arc::new(out)])
    }
}

/// percentile/percentiles: every non-null value of the group, and for each
/// requested percentile p the nearest-rank value (the value at rank
/// ⌈p/100 × n⌉ of the sorted values, the smallest for p = 0). Kusto
/// estimates percentiles with T-Digest; on small groups the two agree,
/// on large ones Kusto's answer may differ slightly (docs/language.md).
struct Percentiles {
    values: Vec<Vec<f64>>,
    /// The percentiles asked for (constants).
    points: Vec<f64>,
    out: Vec<ScalarType>,
}

impl Accumulator for Percentiles {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.values, n, Vec::new());
        let v = match args[0].data_type() {
            arrow_schema::DataType::Timestamp(..) | arrow_schema::DataType::Duration(..) => arrow_cast::cast(
                &arrow_cast::cast(&args[0], &arrow_schema::DataType::Int64)?,
                &arrow_schema::DataType::Float64,
            )?,
            _ => arrow_cast::cast(&args[0], &arrow_schema::DataType::Float64)?,
        };
        let v = v.as_primitive::<Float64Type>();
        for (i, g) in groups.iter().enumerate() {
            if v.is_valid(i) && !v.value(i).is_nan() {
                self.values[*g].push(v.value(i));
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.values, n, Vec::new());
        for vals in &mut self.values {
            vals.sort_by(f64::total_cmp);
        }
        self.points
            .iter()
            .zip(&self.out)
            .map(|(&p, &ty)| {
                let picked: Float64Array = self
                    .values
                    .iter()
                    .map(|vals| {
                        if vals.is_empty() || !(0.0..=100.0).contains(&p) {
                            return None;
                        }
                        let rank = (p / 100.0 * vals.len() as f64).ceil() as usize;
                        vals.get(rank.saturating_sub(1).min(vals.len() - 1)).copied()
                    })
                    .collect();
                Ok(match ty {
                    ScalarType::Real => Arc::new(picked) as ArrayRef,
                    ty => {
                        let whole: Int64Array = picked.iter().map(|v| v.map(|v| v as i64)).collect();
                        arrow_cast::cast(&whole, &physical_type(ty))?
                    }
                })
            })
            .collect()
    }
}

/// take_anyif: the first row's value where the predicate is true and the
/// value is neither null nor empty (take-anyif page: "a random non-empty
/// value … for which predicate evaluates to true").
struct TakeAnyIf {
    conv: RowConverter,
    best: Vec<Option<OwnedRow>>,
}

impl Accumulator for TakeAnyIf {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.best, n, None);
        let rows = self.conv.convert_columns(&[args[0].clone()])?;
        for (i, g) in groups.iter().enumerate() {
            if self.best[*g].is_none() && truthy(&args[1], i) && !null_or_empty(&args[0], i) {
                self.best[*g] = Some(rows.row(i).owned());
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.best, n, None);
        decode_optional_rows(&self.conv, &self.best)
    }
}

fn row_converter(arrays: &[ArrayRef]) -> Result<RowConverter> {
    Ok(RowConverter::new(arrays.iter().map(|a| SortField::new(a.data_type().clone())).collect())?)
}

/// Builds the accumulator for `agg` once its first arguments are known.
fn accumulator(
    agg: &Aggregate,
    args: &[ArrayRef],
    types: &[ScalarType],
    out_types: &[ScalarType],
) -> Result<Box<dyn Accumulator>> {
    let out = out_types.first().copied().unwrap_or(ScalarType::Dynamic);
    let name = agg.function.name;
    let iff = name.ends_with("if") && name != "countif";
    Ok(match name {
        "count" => Box::new(Count { counts: Vec::new(), predicate: None }),
        "countif" => Box::new(Count { counts: Vec::new(), predicate: Some(0) }),
        "sum" | "sumif" | "avg" | "avgif" => {
            let t = types.first().copied().unwrap_or(ScalarType::Real);
            Box::new(SumAvg {
                ints: Vec::new(),
                reals: Vec::new(),
                counts: Vec::new(),
                integer: matches!(t, ScalarType::Int | ScalarType::Long | ScalarType::Timespan | ScalarType::DateTime),
                average: name.starts_with("avg"),
                out,
                predicate: iff.then_some(1),
            })
        }
        "min" | "max" | "minif" | "maxif" => Box::new(MinMax {
            conv: row_converter(&args[..1])?,
            best: Vec::new(),
            max: name.starts_with("max"),
            predicate: iff.then_some(1),
        }),
        "dcount" | "count_distinct" => {
            Box::new(DistinctCount { conv: row_converter(&args[..1])?, sets: Vec::new(), predicate: None })
        }
        "dcountif" | "count_distinctif" => {
            Box::new(DistinctCount { conv: row_converter(&args[..1])?, sets: Vec::new(), predicate: Some(1) })
        }
        "stdev" | "stdevif" | "variance" | "varianceif" => Box::new(Variance {
            counts: Vec::new(),
            means: Vec::new(),
            m2: Vec::new(),
            root: name.starts_with("stdev"),
            predicate: iff.then_some(1),
        }),
        "percentile" | "percentiles" => {
            let points = args[1..]
                .iter()
                .map(|a| {
                    let a = arrow_cast::cast(a, &arrow_schema::DataType::Float64)?;
                    let a = a.as_primitive::<Float64Type>();
                    Ok(if !a.is_empty() && a.is_valid(0) { a.value(0) } else { f64::NAN })
                })
                .collect::<Result<Vec<f64>>>()?;
            Box::new(Percentiles { values: Vec::new(), points, out: out_types.to_vec() })
        }
        "take_anyif" => Box::new(TakeAnyIf { conv: row_converter(&args[..1])?, best: Vec::new() }),
        "makelist" | "makeset" => {
            let max_size = args
                .get(1)
                .and_then(|a| arrow_cast::cast(a, &arrow_schema::DataType::Int64).ok())
                .and_then(|a| (!a.is_empty() && a.is_valid(0)).then(|| a.as_primitive::<Int64Type>().value(0)))
                .map_or(128, |v| usize::try_from(v.max(0)).unwrap_or(usize::MAX));
            let t = types.first().copied().unwrap_or(ScalarType::Dynamic);
            Box::new(MakeList {
                items: Vec::new(),
                seen: Vec::new(),
                set: name == "makeset",
                strings: t == ScalarType::String,
                max_size,
                arg_type: t,
                predicate: None,
            })
        }
        "make_list" | "make_set" | "make_list_if" | "make_set_if" => {
            let has_pred = name.ends_with("_if");
            let size_arg = if has_pred { 2 } else { 1 };
            let max_size = args
                .get(size_arg)
                .and_then(|a| arrow_cast::cast(a, &arrow_schema::DataType::Int64).ok())
                .and_then(|a| (!a.is_empty() && a.is_valid(0)).then(|| a.as_primitive::<Int64Type>().value(0)))
                .map_or(1_048_576, |v| usize::try_from(v.max(0)).unwrap_or(usize::MAX));
            let t = types.first().copied().unwrap_or(ScalarType::Dynamic);
            Box::new(MakeList {
                items: Vec::new(),
                seen: Vec::new(),
                set: name.starts_with("make_set"),
                strings: t == ScalarType::String,
                max_size,
                arg_type: t,
                predicate: has_pred.then_some(1),
            })
        }
        "arg_max" | "arg_min" => Box::new(PickRow {
            all: row_converter(args)?,
            key: Some(row_converter(&args[..1])?),
            best_key: Vec::new(),
            best: Vec::new(),
            first: Vec::new(),
            max: name == "arg_max",
            prefer_non_empty: false,
        }),
        "take_any" | "any" => Box::new(PickRow {
            all: row_converter(args)?,
            key: None,
            best_key: Vec::new(),
            best: Vec::new(),
            first: Vec::new(),
            max: false,
            prefer_non_empty: agg.args.len() == 1 && matches!(agg.args[0].kind, kql_plan::plan::ExprKind::Column(_)),
        }),
        other => return Err(ExecError::Internal(format!("aggregation `{other}` has no accumulator"))),
    })
}

/// Output types of an aggregate (one per output column).
fn output_types(agg: &Aggregate, plan: &Plan) -> Vec<ScalarType> {
    agg.outputs.iter().map(|o| plan.schema.get(o).and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::Dynamic)).collect()
}

pub fn summarize<'a>(
    ex: &'a Executor<'a>,
    input: &'a Plan,
    keys: &'a [(String, Expr)],
    aggregates: &'a [Aggregate],
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let subs = ex.subqueries(keys.iter().map(|(_, e)| e).chain(aggregates.iter().flat_map(|a| a.args.iter())))?;
    let cx = EvalCx { now: ex.now, subqueries: &subs };
    let arg_types: Vec<Vec<ScalarType>> =
        aggregates.iter().map(|a| a.args.iter().map(scalar_type).collect::<Result<Vec<_>>>()).collect::<Result<_>>()?;
    let spec = Arc::new(Spec { keys, aggregates, plan, arg_types });
    let mut grouping = Grouping::new(spec.clone(), ex);

    // Only the columns keys and arguments read are decoded by a scan, and
    // string keys read nowhere else may stay dictionaries.
    let mut columns = Names::new();
    for e in keys.iter().map(|(_, e)| e).chain(aggregates.iter().flat_map(|a| a.args.iter())) {
        referenced_columns(e, &mut columns);
    }
    let dictionaries = dictionary_keys(keys, aggregates);
    let reads = Reads { columns: Some(&columns), dictionaries: &dictionaries };
    let mut input = ex.run_reading(input, reads)?;
    loop {
        let window = next_window(&mut input)?;
        if window.is_empty() {
            break;
        }
        if grouping.encoder.is_none() && !keys.is_empty() {
            // The key types, from the first batch's key values.
            let first = &window[0];
            let types: Vec<_> = keys
                .iter()
                .map(|(_, e)| Ok(as_text(&key_values(e, &first.slice(0, 1), &cx)?)?.data_type().clone()))
                .collect::<Result<_>>()?;
            grouping.encoder = Some(KeyEncoder::new(&types)?);
        }
        // Keys and arguments evaluated, and rows grouped within each
        // batch, on every core; the batches' groups then joined to the
        // global ones (one lookup per group of a batch, not per row) and
        // the aggregations updated, in order.
        let hasher = grouping.groups.hasher().clone();
        let prepared: Vec<Prepared> = window
            .par_iter()
            .map(|b| {
                let n = b.num_rows();
                let args = aggregates
                    .iter()
                    .map(|agg| agg.args.iter().map(|e| Ok(eval(e, b, &cx)?.to_array(n))).collect::<Result<Vec<_>>>())
                    .collect::<Result<_>>()?;
                let key_arrays = keys.iter().map(|(_, e)| key_values(e, b, &cx)).collect::<Result<_>>()?;
                prepare(key_arrays, args, n, grouping.encoder.as_ref(), &hasher)
            })
            .collect::<Result<_>>()?;
        drop(window);
        for p in prepared {
            grouping.add(p)?;
        }
        ex.check_cancel()?;
    }
    drop(input);
    let (resident, files) = grouping.finish()?;
    if files.is_empty() {
        return Ok(resident);
    }
    Ok(Box::new(Partitions { ex, spec, queue: files.into(), current: Some(resident) }))
}

/// What a `summarize` computes: shared by its pass over the input and its
/// passes over spilled partitions.
struct Spec<'a> {
    keys: &'a [(String, Expr)],
    aggregates: &'a [Aggregate],
    plan: &'a Plan,
    arg_types: Vec<Vec<ScalarType>>,
}

/// Partitions of spilled rows (see [`Grouping`]).
const SPILL_PARTITIONS: usize = 32;

/// True for aggregations whose state grows with the values they see.
fn keeps_values(a: &Aggregate) -> bool {
    matches!(
        a.function.name,
        "make_list"
            | "make_set"
            | "make_list_if"
            | "make_set_if"
            | "makelist"
            | "makeset"
            | "percentile"
            | "percentiles"
    ) || a.function.name.starts_with("dcount")
        || a.function.name.starts_with("count_distinct")
}

/// The groups of one pass of a `summarize`, within the memory budget.
///
/// Groups are added as they are first seen while the budget allows. Once a
/// new group would pass it, the pass spills: the groups held so far stay
/// (their later rows still update them in place), and the rows of every
/// group not held — keys and aggregate arguments, already evaluated — go
/// to [`SPILL_PARTITIONS`] temporary files by their key's hash, so all
/// rows of a group land in one partition, in input order. Each partition
/// is then aggregated by a pass of its own (which may spill again, with a
/// new hash). A group is aggregated whole by exactly one pass, so every
/// aggregation (lists, sets, distinct counts, percentiles, arg_max …)
/// gives the answer it gives in memory; only the order of the groups
/// differs: the held groups first, then each partition's.
struct Grouping<'a> {
    spec: Arc<Spec<'a>>,
    groups: KeyTable,
    encoder: Option<KeyEncoder>,
    key_parts: Vec<Vec<ArrayRef>>,
    accs: Vec<Option<Box<dyn Accumulator>>>,
    n_groups: usize,
    /// Groups (their keys, twice, and per-aggregate state) and the values
    /// that list, set, distinct-count and percentile aggregates keep.
    held: Reservation,
    spill: Option<SpillWriter>,
    pool: Arc<MemoryPool>,
    /// The bytes the groups may hold before new ones spill: half the
    /// budget, the other half being for the operators that consume the
    /// groups as they stream out, and for the values that the held groups
    /// go on collecting (lists, sets, distinct counts) once it spills.
    share: u64,
}

impl<'a> Grouping<'a> {
    fn new(spec: Arc<Spec<'a>>, ex: &Executor<'_>) -> Grouping<'a> {
        let n = spec.aggregates.len();
        Grouping {
            groups: KeyTable::default(),
            encoder: None,
            key_parts: vec![Vec::new(); spec.keys.len()],
            accs: (0..n).map(|_| None).collect(),
            n_groups: if spec.keys.is_empty() { 1 } else { 0 },
            held: ex.pool.reservation("summarize"),
            spill: None,
            pool: ex.pool.clone(),
            share: ex.pool.limit() / 2,
            spec,
        }
    }

    fn add(&mut self, p: Prepared) -> Result<()> {
        let aggregates = self.spec.aggregates;
        let values: u64 = aggregates
            .iter()
            .zip(&p.args)
            .filter(|(a, _)| keeps_values(a))
            .flat_map(|(_, args)| args.iter().map(|a| a.get_array_memory_size() as u64))
            .sum();
        let Some(local) = &p.local else {
            self.held.grow(values)?;
            return self.update(&vec![0; p.rows], &p.args);
        };
        // Each of the batch's groups: its global number where it is held.
        let n_local = local.first_rows.len();
        let mut global: Vec<Option<usize>> =
            (0..n_local).map(|g| self.groups.find(local.hashes[g], local.encoded.row(g).as_ref())).collect();
        let new: Vec<usize> = (0..n_local).filter(|g| global[*g].is_none()).collect();
        let per_group = 48 + 32 * aggregates.len() as u64;
        let cost = |g: usize| 2 * local.encoded.row(g).as_ref().len() as u64 + per_group;
        let mut values_held = false;
        if self.spill.is_none() {
            let need: u64 = new.iter().map(|g| cost(*g)).sum::<u64>() + values;
            if self.held.bytes() + need <= self.share && self.held.grow(need).is_ok() {
                self.insert(local, &new, &mut global)?;
                let row_groups: Vec<usize> = local.ids.iter().map(|l| global[*l as usize].unwrap_or(0)).collect();
                return self.update(&row_groups, &p.args);
            }
            // Not all fit: hold the new groups that do, in order, and
            // spill the groups not held from now on.
            let mut room =
                self.pool.limit().saturating_sub(self.pool.used()).min(self.share.saturating_sub(self.held.bytes()));
            let fit: Vec<usize> = new
                .iter()
                .copied()
                .take_while(|g| match room.checked_sub(cost(*g)) {
                    Some(left) => {
                        room = left;
                        true
                    }
                    None => false,
                })
                .collect();
            if self.held.grow(fit.iter().map(|g| cost(*g)).sum()).is_ok() {
                self.insert(local, &fit, &mut global)?;
            }
            if self.groups.len() == 0 {
                // Nothing held: one group must be, for the pass to make
                // progress. Past the pool (held by other operators for the
                // moment) if it fits the share; if not even that, one
                // group alone is too big to aggregate.
                let Some(&first) = new.first() else {
                    return Err(cannot_spill(self.held.grow(need).err().unwrap_or_else(|| {
                        ExecError::Internal("summarize: no group fits the budget, yet it grew".into())
                    })));
                };
                if cost(first) > self.share {
                    return Err(cannot_spill(ExecError::MemoryLimit {
                        operator: "summarize",
                        detail: format!("one group's key needs {}", format_size(cost(first))),
                        limit: format_size(self.pool.limit()),
                    }));
                }
                self.held.force_grow(cost(first));
                self.insert(local, &[first], &mut global)?;
            }
            self.spill = Some(SpillWriter::new("summarize", SPILL_PARTITIONS));
        } else if new.is_empty() {
            self.hold_values(values)?;
            values_held = true;
        }
        // Spilling: rows of held groups update them, the others are written out.
        let mut kept: Vec<u32> = Vec::new();
        let mut kept_groups: Vec<usize> = Vec::new();
        let parts = self.spill.as_ref().map_or(1, SpillWriter::partitions);
        let mut spilled: Vec<Vec<u32>> = vec![Vec::new(); parts];
        for (i, l) in local.ids.iter().enumerate() {
            match global[*l as usize] {
                Some(g) => {
                    kept.push(i as u32);
                    kept_groups.push(g);
                }
                None => spilled[partition_of(local.hashes[*l as usize], parts)].push(i as u32),
            }
        }
        if !kept.is_empty() {
            if kept.len() == p.rows {
                if !values_held {
                    self.hold_values(values)?;
                }
                self.update(&kept_groups, &p.args)?;
            } else {
                self.hold_values(values * kept.len() as u64 / p.rows.max(1) as u64)?;
                let idx = UInt32Array::from(kept);
                let args = take_all(&p.args, &idx)?;
                self.update(&kept_groups, &args)?;
            }
        }
        if let Some(writer) = self.spill.as_mut() {
            for (part, rows) in spilled.into_iter().enumerate() {
                if rows.is_empty() {
                    continue;
                }
                let idx = UInt32Array::from(rows);
                let mut columns: Vec<(String, ArrayRef)> = Vec::new();
                for (k, key) in local.keys.iter().enumerate() {
                    columns.push((format!("k{k}"), as_text(&arrow_select::take::take(key, &idx, None)?)?));
                }
                for (k, args) in take_all(&p.args, &idx)?.into_iter().enumerate() {
                    for (j, a) in args.into_iter().enumerate() {
                        columns.push((format!("a{k}_{j}"), a));
                    }
                }
                self.pool.note_spilled(idx.len() as u64);
                writer.push(part, batch_of(columns, idx.len())?)?;
            }
        }
        Ok(())
    }

    /// Values the held groups keep (lists, sets …), once spilling: within
    /// the budget, or past the pool while the groups stay within twice
    /// their share (the pool may be held by other operators for the
    /// moment); else one group's values are too big to aggregate.
    fn hold_values(&mut self, bytes: u64) -> Result<()> {
        match self.held.grow(bytes) {
            Ok(()) => Ok(()),
            Err(_) if self.held.bytes() + bytes <= 2 * self.share => {
                self.held.force_grow(bytes);
                Ok(())
            }
            Err(e) => Err(cannot_spill(e)),
        }
    }

    /// The batch's groups `new` added to the held ones (their global
    /// numbers into `global`), their keys kept for the output.
    fn insert(&mut self, local: &LocalGroups, new: &[usize], global: &mut [Option<usize>]) -> Result<()> {
        let mut firsts: Vec<u32> = Vec::new();
        for &g in new {
            let (id, added) = self.groups.insert(local.hashes[g], local.encoded.row(g).as_ref())?;
            if added {
                firsts.push(g as u32);
            }
            global[g] = Some(id);
        }
        if !firsts.is_empty() {
            let idx = UInt32Array::from(firsts);
            for (k, a) in local.firsts.iter().enumerate() {
                self.key_parts[k].push(arrow_select::take::take(a, &idx, None)?);
            }
        }
        self.n_groups = self.groups.len();
        Ok(())
    }

    /// The aggregations updated with rows of the groups `row_groups`.
    fn update(&mut self, row_groups: &[usize], args: &[Vec<ArrayRef>]) -> Result<()> {
        for (k, agg) in self.spec.aggregates.iter().enumerate() {
            if self.accs[k].is_none() {
                self.accs[k] =
                    Some(accumulator(agg, &args[k], &self.spec.arg_types[k], &output_types(agg, self.spec.plan))?);
            }
            if let Some(acc) = self.accs[k].as_mut() {
                acc.update(row_groups, self.n_groups, &args[k])?;
            }
        }
        Ok(())
    }

    /// The held groups as a stream (holding their reservation until it
    /// ends), and the partitions spilled.
    fn finish(self) -> Result<(Stream<'a>, Vec<SpillFile>)> {
        let Grouping { spec, groups, key_parts, mut accs, n_groups, held, spill, .. } = self;
        let files = match spill {
            Some(w) => w.finish()?,
            None => Vec::new(),
        };
        // The keys' row bytes are not needed any more.
        drop(groups);
        let mut outputs: Vec<(String, ArrayRef)> = Vec::new();
        for (k, agg) in spec.aggregates.iter().enumerate() {
            let outs = match accs[k].as_mut() {
                Some(acc) => acc.finish(n_groups)?,
                None => empty_aggregate(agg, spec.plan, n_groups)?,
            };
            outputs.extend(agg.outputs.iter().cloned().zip(outs));
        }
        drop(accs);
        if spec.keys.is_empty() || key_parts[0].is_empty() {
            let mut columns: Vec<(String, ArrayRef)> = Vec::new();
            for (name, e) in spec.keys {
                columns.push((name.clone(), new_empty_array(&physical_type(scalar_type(e)?))));
            }
            columns.extend(outputs);
            return Ok((Box::new(std::iter::once(batch_of(columns, n_groups))), files));
        }
        let names: Vec<String> = spec.keys.iter().map(|(n, _)| n.clone()).collect();
        let out = GroupBatches {
            names,
            key_parts: key_parts.into_iter().map(VecDeque::from).collect(),
            outputs,
            offset: 0,
            _held: held,
        };
        Ok((Box::new(out), files))
    }
}

/// The partition of a key hash (bits other than those a hash table uses first).
fn partition_of(hash: u64, parts: usize) -> usize {
    (hash.rotate_left(23) % parts as u64) as usize
}

/// Each aggregate's arguments, rows `idx` only.
fn take_all(args: &[Vec<ArrayRef>], idx: &UInt32Array) -> Result<Vec<Vec<ArrayRef>>> {
    args.iter()
        .map(|a| a.iter().map(|a| Ok(arrow_select::take::take(a, idx, None)?)).collect::<Result<Vec<_>>>())
        .collect()
}

/// A budget error that spilling cannot avoid: the state of the groups held
/// (or of a single group) alone passes it.
fn cannot_spill(e: ExecError) -> ExecError {
    match e {
        ExecError::MemoryLimit { operator, detail, limit } => ExecError::MemoryLimit {
            operator,
            detail: format!(
                "{detail} for groups it cannot spill (the values that make_list, make_set, dcount or percentile keep for one group, or a single group's key, are not split across files)"
            ),
            limit,
        },
        other => other,
    }
}

/// The spilled partitions of a `summarize`, aggregated one at a time after
/// the groups held in memory have been output.
struct Partitions<'a> {
    ex: &'a Executor<'a>,
    spec: Arc<Spec<'a>>,
    queue: VecDeque<SpillFile>,
    current: Option<Stream<'a>>,
}

impl<'a> Partitions<'a> {
    /// One partition's groups, and the partitions it spilled in turn.
    fn aggregate(&self, file: SpillFile) -> Result<(Stream<'a>, Vec<SpillFile>)> {
        let n_keys = self.spec.keys.len();
        let mut grouping = Grouping::new(self.spec.clone(), self.ex);
        let mut batches = file.read();
        loop {
            let window: Vec<RecordBatch> = batches.by_ref().take(16).collect::<Result<_>>()?;
            if window.is_empty() {
                break;
            }
            if grouping.encoder.is_none() {
                let types: Vec<_> = window[0].columns()[..n_keys].iter().map(|c| c.data_type().clone()).collect();
                grouping.encoder = Some(KeyEncoder::new(&types)?);
            }
            let hasher = grouping.groups.hasher().clone();
            let spec = &*self.spec;
            let prepared: Vec<Prepared> = window
                .par_iter()
                .map(|b| {
                    let columns = b.columns();
                    let mut at = n_keys;
                    let args = spec
                        .aggregates
                        .iter()
                        .map(|a| {
                            let these = columns[at..at + a.args.len()].to_vec();
                            at += a.args.len();
                            these
                        })
                        .collect();
                    prepare(columns[..n_keys].to_vec(), args, b.num_rows(), grouping.encoder.as_ref(), &hasher)
                })
                .collect::<Result<_>>()?;
            for p in prepared {
                grouping.add(p)?;
            }
            self.ex.check_cancel()?;
        }
        grouping.finish()
    }
}

impl Iterator for Partitions<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(current) = self.current.as_mut() {
                match current.next() {
                    Some(b) => return Some(b),
                    // Dropped before the next partition is read: its memory goes back.
                    None => self.current = None,
                }
            }
            let file = self.queue.pop_front()?;
            match self.aggregate(file) {
                Ok((stream, more)) => {
                    self.queue.extend(more);
                    self.current = Some(stream);
                }
                Err(e) => {
                    self.queue.clear();
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Rows per output batch of `summarize` (at least; a batch ends with a
/// whole part of the keys).
const OUTPUT_ROWS: usize = 8192;

/// The groups of a `summarize`, streamed in batches: the keys' parts (each
/// batch's new groups, in order) joined a few at a time and dropped once
/// written, the aggregates' columns sliced alongside. So the result is
/// never copied whole (millions of groups would hold it twice).
struct GroupBatches {
    names: Vec<String>,
    /// Each key's parts, all cut alike.
    key_parts: Vec<VecDeque<ArrayRef>>,
    /// The aggregates' output columns, one value per group.
    outputs: Vec<(String, ArrayRef)>,
    /// Groups already output.
    offset: usize,
    /// The memory the groups hold, given back when the stream is dropped.
    _held: Reservation,
}

impl Iterator for GroupBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        // How many parts make the next batch, and its rows.
        let first = self.key_parts.first()?;
        let (mut take, mut rows) = (0, 0);
        for part in first {
            if rows >= OUTPUT_ROWS {
                break;
            }
            take += 1;
            rows += part.len();
        }
        if take == 0 {
            return None;
        }
        let batch = (|| {
            let mut columns = Vec::with_capacity(self.names.len() + self.outputs.len());
            for (name, parts) in self.names.iter().zip(self.key_parts.iter_mut()) {
                let joined: Vec<ArrayRef> = parts.drain(..take).collect();
                let a = match joined.as_slice() {
                    [one] => one.clone(),
                    many => arrow_select::concat::concat(&many.iter().map(|a| a.as_ref()).collect::<Vec<_>>())?,
                };
                columns.push((name.clone(), a));
            }
            for (name, a) in &self.outputs {
                columns.push((name.clone(), a.slice(self.offset, rows)));
            }
            batch_of(columns, rows)
        })();
        self.offset += rows;
        Some(batch)
    }
}

/// One batch made ready for aggregation: each aggregation's arguments,
/// and its rows grouped by key.
struct Prepared {
    rows: usize,
    args: Vec<Vec<ArrayRef>>,
    /// `None` without `by` keys (one group).
    local: Option<LocalGroups>,
}

/// A batch's own groups: each row's group, each group's first row, the
/// groups' keys (as text where they came as dictionaries) and their row
/// bytes, in group order. Two groups of a batch may have equal keys (a
/// dictionary can hold a value twice, and a null key is ""): the global
/// table, keyed by row bytes, joins them.
struct LocalGroups {
    firsts: Vec<ArrayRef>,
    encoded: arrow_row::Rows,
    /// The hash of each group's row bytes, for the global table.
    hashes: Vec<u64>,
    ids: Vec<u32>,
    first_rows: Vec<u32>,
    /// Every row's keys, for spilling.
    keys: Vec<ArrayRef>,
}

/// The keys that are bare string columns read by nothing else of the
/// `summarize`: a scan may hand them over as dictionaries.
fn dictionary_keys(keys: &[(String, Expr)], aggregates: &[Aggregate]) -> Vec<String> {
    let mut elsewhere = Names::new();
    for (_, e) in keys.iter().filter(|(_, e)| !matches!(e.kind, ExprKind::Column(_))) {
        referenced_columns(e, &mut elsewhere);
    }
    for e in aggregates.iter().flat_map(|a| a.args.iter()) {
        referenced_columns(e, &mut elsewhere);
    }
    keys.iter()
        .filter_map(|(_, e)| match &e.kind {
            ExprKind::Column(c) if e.ty.scalar() == Some(ScalarType::String) && !elsewhere.contains(c) => {
                Some(c.clone())
            }
            _ => None,
        })
        .collect()
}

/// A key's values over `b`: a dictionary column as it came, anything else evaluated.
fn key_values(e: &Expr, b: &RecordBatch, cx: &EvalCx<'_>) -> Result<ArrayRef> {
    if let ExprKind::Column(c) = &e.kind
        && let Some(a) = b.column_by_name(c)
        && *a.data_type() == dictionary_string()
    {
        return Ok(a.clone());
    }
    Ok(eval(e, b, cx)?.to_array(b.num_rows()))
}

/// A dictionary-encoded string key as text (null keys as ""), as a scan
/// would have read it; others as they are.
fn as_text(a: &ArrayRef) -> Result<ArrayRef> {
    if *a.data_type() == dictionary_string() {
        crate::physical::normalize_column(a, ScalarType::String).map_err(ExecError::Internal)
    } else {
        Ok(a.clone())
    }
}

/// One batch's keys (as evaluated: dictionaries where a scan gave them)
/// and aggregate arguments, grouped.
fn prepare(
    mut key_arrays: Vec<ArrayRef>,
    args: Vec<Vec<ArrayRef>>,
    n: usize,
    encoder: Option<&KeyEncoder>,
    hasher: &ahash::RandomState,
) -> Result<Prepared> {
    let local = match encoder {
        Some(enc) if !key_arrays.is_empty() => {
            let dictionaries: Option<Vec<&DictionaryArray<Int32Type>>> =
                key_arrays.iter().map(|k| k.as_dictionary_opt::<Int32Type>()).collect();
            let (ids, first_rows) = match dictionaries {
                // Every key a dictionary: rows grouped by their keys' indices.
                Some(d) => group_indices(&d, n),
                None => {
                    key_arrays = key_arrays.iter().map(as_text).collect::<Result<_>>()?;
                    if key_arrays.iter().all(|k| k.data_type() == &arrow_schema::DataType::Utf8) {
                        group_strings(&key_arrays, n)
                    } else {
                        group_rows(enc, &key_arrays, n)?
                    }
                }
            };
            // The global table is keyed by row bytes: those of each group's first row.
            let idx = UInt32Array::from(first_rows.clone());
            let firsts: Vec<ArrayRef> =
                key_arrays.iter().map(|k| as_text(&arrow_select::take::take(k, &idx, None)?)).collect::<Result<_>>()?;
            let encoded = enc.encode(&firsts)?;
            let hashes = (0..encoded.num_rows()).map(|g| hasher.hash_one(encoded.row(g).as_ref())).collect();
            Some(LocalGroups { encoded, hashes, firsts, ids, first_rows, keys: key_arrays })
        }
        _ => None,
    };
    Ok(Prepared { rows: n, args, local })
}

/// Rows grouped by the indices of their dictionary-encoded keys (a null
/// key is one more index): each row's group, each group's first row. The
/// indices of a row make one number where their ranges allow (the usual
/// case), else a slice; no key text is read.
fn group_indices(keys: &[&DictionaryArray<Int32Type>], n: usize) -> (Vec<u32>, Vec<u32>) {
    let index = |d: &DictionaryArray<Int32Type>, i: usize| -> u64 {
        if d.is_valid(i) { d.keys().value(i).max(0) as u64 } else { d.values().len() as u64 }
    };
    let mut first_rows: Vec<u32> = Vec::new();
    // Each key's number of indices (its values and null).
    let bases: Vec<u64> = keys.iter().map(|d| d.values().len() as u64 + 1).collect();
    let fits = bases.iter().try_fold(1u64, |acc, b| acc.checked_mul(*b)).is_some();
    let mut ids = Vec::with_capacity(n);
    if fits {
        let mut map: KeyMap<u64, u32> = KeyMap::default();
        for i in 0..n {
            let code = keys.iter().zip(&bases).fold(0u64, |acc, (d, base)| acc * base + index(d, i));
            let next = first_rows.len() as u32;
            ids.push(*map.entry(code).or_insert_with(|| {
                first_rows.push(i as u32);
                next
            }));
        }
    } else {
        let codes: Vec<u64> = (0..n).flat_map(|i| keys.iter().map(move |d| index(d, i))).collect();
        let mut map: KeyMap<&[u64], u32> = KeyMap::default();
        for (i, row) in codes.chunks_exact(keys.len()).enumerate() {
            let next = first_rows.len() as u32;
            ids.push(*map.entry(row).or_insert_with(|| {
                first_rows.push(i as u32);
                next
            }));
        }
    }
    (ids, first_rows)
}

/// Rows grouped by their row bytes: each row's group, each group's first row.
fn group_rows(enc: &KeyEncoder, keys: &[ArrayRef], n: usize) -> Result<(Vec<u32>, Vec<u32>)> {
    let encoded = enc.encode(keys)?;
    let mut map: KeyMap<&[u8], u32> = KeyMap::default();
    let mut first_rows = Vec::new();
    let ids = (0..n)
        .map(|i| {
            let next = first_rows.len() as u32;
            *map.entry(encoded.row(i).data()).or_insert_with(|| {
                first_rows.push(i as u32);
                next
            })
        })
        .collect();
    Ok((ids, first_rows))
}

/// Rows grouped by string keys read in place: each row's keys hashed
/// together, rows of equal hash compared column by column. No key bytes
/// are copied (the row format would copy every row's keys).
fn group_strings(keys: &[ArrayRef], n: usize) -> (Vec<u32>, Vec<u32>) {
    use std::hash::{BuildHasher, Hasher};
    let cols: Vec<&StringArray> = keys.iter().map(|k| k.as_string::<i32>()).collect();
    let state = ahash::RandomState::with_seeds(0x6e74, 0x6171, 0x6b71, 0x6c31);
    let hash = |i: usize| {
        let mut h = state.build_hasher();
        for c in &cols {
            // 0xFF and 0xFE never occur in UTF-8: the separators keep
            // ("ab", "c") and ("a", "bc") apart, and null apart from "".
            if c.is_valid(i) {
                h.write(c.value(i).as_bytes());
                h.write_u8(0xFF);
            } else {
                h.write_u8(0xFE);
            }
        }
        h.finish()
    };
    let same = |a: usize, b: usize| {
        cols.iter().all(|c| c.is_valid(a) == c.is_valid(b) && (c.is_null(a) || c.value(a) == c.value(b)))
    };
    // Hash -> its first group; groups of one hash chained through `next`.
    let mut heads: KeyMap<u64, u32> = KeyMap::default();
    let mut next: Vec<u32> = Vec::new();
    let mut first_rows: Vec<u32> = Vec::new();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let h = hash(i);
        let mut candidate = heads.get(&h).copied();
        let mut last = None;
        let found = loop {
            match candidate {
                Some(g) if same(i, first_rows[g as usize] as usize) => break Some(g),
                Some(g) => {
                    last = Some(g);
                    candidate = (next[g as usize] != u32::MAX).then(|| next[g as usize]);
                }
                None => break None,
            }
        };
        let g = found.unwrap_or_else(|| {
            let g = first_rows.len() as u32;
            first_rows.push(i as u32);
            next.push(u32::MAX);
            match last {
                Some(l) => next[l as usize] = g,
                None => {
                    heads.insert(h, g);
                }
            }
            g
        });
        ids.push(g);
    }
    (ids, first_rows)
}

/// An aggregate that saw no rows: Kusto's defaults (summarize page, "Default
/// values of aggregations"): 0 for counts, sums, stdev and variance, [] for
/// lists and sets, NaN for avg (0/0, the page's example), null otherwise.
fn empty_aggregate(agg: &Aggregate, plan: &Plan, n: usize) -> Result<Vec<ArrayRef>> {
    Ok(output_types(agg, plan)
        .into_iter()
        .map(|t| -> ArrayRef {
            match (agg.function.name, t) {
                ("count" | "countif" | "dcount" | "dcountif" | "count_distinct" | "count_distinctif", _) => {
                    Arc::new(Int64Array::from(vec![0i64; n]))
                }
                ("sum" | "sumif", t) => {
                    let zero = match t {
                        ScalarType::Int => kql_plan::Value::Int(Some(0)),
                        ScalarType::Real => kql_plan::Value::Real(Some(0.0)),
                        ScalarType::Decimal => kql_plan::Value::Decimal(Some("0".into())),
                        ScalarType::Timespan => kql_plan::Value::Timespan(Some(0)),
                        _ => kql_plan::Value::Long(Some(0)),
                    };
                    crate::physical::scalar_array(&zero, n)
                }
                ("avg" | "avgif", ScalarType::Real) => Arc::new(Float64Array::from(vec![f64::NAN; n])),
                ("stdev" | "stdevif" | "variance" | "varianceif", _) => Arc::new(Float64Array::from(vec![0.0; n])),
                ("make_list" | "make_set" | "make_list_if" | "make_set_if" | "makelist" | "makeset", _) => {
                    Arc::new(StringArray::from(vec![Some("[]"); n]))
                }
                (_, ScalarType::String) => Arc::new(StringArray::from(vec![""; n])),
                (_, t) => new_null_array(&physical_type(t), n),
            }
        })
        .collect())
}

/// `count`: one row, one column `Count`.
pub fn count<'a>(ex: &'a Executor<'a>, input: &'a Plan) -> Result<Stream<'a>> {
    let mut total: i64 = 0;
    let none = Names::new();
    for b in ex.run_reading(input, Reads { columns: Some(&none), dictionaries: &[] })? {
        total += b?.num_rows() as i64;
    }
    let batch = batch_of(vec![("Count".into(), Arc::new(Int64Array::from(vec![total])) as ArrayRef)], 1)?;
    Ok(Box::new(std::iter::once(Ok(batch))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups as sets of row numbers, whatever their numbering.
    fn partition(ids: &[u32], first_rows: &[u32]) -> Vec<Vec<usize>> {
        let mut groups = vec![Vec::new(); first_rows.len()];
        for (i, g) in ids.iter().enumerate() {
            groups[*g as usize].push(i);
        }
        // Each group's first row is its first member.
        for (g, rows) in groups.iter().enumerate() {
            assert_eq!(rows[0], first_rows[g] as usize);
        }
        groups
    }

    /// `columns` dictionary arrays of `n` rows over `values` distinct
    /// values each (keys from a small range, some null), and the same keys
    /// as text.
    fn dictionaries(columns: usize, values: usize, n: usize) -> (Vec<ArrayRef>, Vec<ArrayRef>) {
        let mut x = 5u64;
        let mut dicts = Vec::new();
        let mut texts = Vec::new();
        for _ in 0..columns {
            let vals: ArrayRef = Arc::new((0..values).map(|v| Some(format!("v{v}"))).collect::<StringArray>());
            let keys: Int32Array = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let k = (x >> 33) % 4;
                    (k < 3).then_some(k as i32 * 3)
                })
                .collect();
            let d: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::try_new(keys, vals).unwrap());
            texts.push(as_text(&d).unwrap());
            dicts.push(d);
        }
        (dicts, texts)
    }

    #[test]
    fn dictionary_indices_group_as_text_does() {
        // 10 values per column fit one number; 10,000 in five columns do
        // not (10,001^5 > 2^64): the indices are then grouped as slices.
        for (columns, values, n) in [(3, 10, 3_000), (5, 10_000, 20_000)] {
            let (dicts, texts) = dictionaries(columns, values, n);
            let refs: Vec<&DictionaryArray<Int32Type>> = dicts.iter().map(|d| d.as_dictionary::<Int32Type>()).collect();
            let (ids, firsts) = group_indices(&refs, n);
            let types = vec![arrow_schema::DataType::Utf8; columns];
            let (row_ids, row_firsts) = group_rows(&KeyEncoder::new(&types).unwrap(), &texts, n).unwrap();
            assert_eq!(partition(&ids, &firsts), partition(&row_ids, &row_firsts), "{columns} × {values}");
            // Four choices per column (three keys and null), all present.
            assert_eq!(firsts.len(), 4usize.pow(columns as u32));
        }
    }

    #[test]
    fn string_keys_group_as_row_bytes_do() {
        // Two columns from a small alphabet, with "" and null, so keys
        // repeat and ("ab", "c") meets ("a", "bc").
        let words = [Some("a"), Some("ab"), Some("bc"), Some("c"), Some(""), None];
        let mut x = 17u64;
        let mut pick = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            words[(x >> 33) as usize % words.len()]
        };
        let n = 5_000;
        let a: ArrayRef = Arc::new((0..n).map(|_| pick()).collect::<StringArray>());
        let b: ArrayRef = Arc::new((0..n).map(|_| pick()).collect::<StringArray>());
        let keys = vec![a, b];
        let enc = KeyEncoder::new(&[arrow_schema::DataType::Utf8, arrow_schema::DataType::Utf8]).unwrap();
        let (ids, firsts) = group_strings(&keys, n);
        let (row_ids, row_firsts) = group_rows(&enc, &keys, n).unwrap();
        assert_eq!(partition(&ids, &firsts), partition(&row_ids, &row_firsts));
        // 6 × 6 combinations, every one present in 5,000 rows.
        assert_eq!(firsts.len(), 36);
    }
}
