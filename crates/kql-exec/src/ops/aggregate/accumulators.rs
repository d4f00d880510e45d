//! The aggregations' states: one [`Accumulator`] per aggregation, updated
//! a batch at a time for all groups, and the one place that maps an
//! aggregation's name to its accumulator ([`accumulator`]), to what it
//! keeps ([`keeps_values`]) and to its value over no rows
//! ([`empty_aggregate`]).

use crate::error::{ExecError, Result};
use crate::eval::to_scalar_type;
use crate::functions::{Digest, DigestKind, HLL_DEFAULT_ACCURACY, Sketch};
use crate::keys::KeySet;
use crate::moments::Moments;
use crate::physical::physical_type;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use arrow_row::{OwnedRow, RowConverter, SortField};
use kql_plan::functions::AggregateFn;
use kql_plan::plan::{Aggregate, Plan};
use kql_syntax::{ScalarType, Span};
use std::sync::Arc;

/// One aggregation's state over all groups.
pub(super) trait Accumulator: Send {
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

/// sum/avg over numbers, timespans (and datetimes for avg), in f64, i64
/// or, for decimals, exact Decimal128 units (kql_types::decimal).
struct SumAvg {
    ints: Vec<i64>,
    reals: Vec<f64>,
    decimals: Vec<i128>,
    counts: Vec<i64>,
    /// The values are decimals; a sum or mean that is not exact is an
    /// unsupported-execution error at `span` (the aggregate's argument).
    decimal: Option<Span>,
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
        if let Some(span) = self.decimal {
            resize(&mut self.decimals, n, 0);
            let v = values.as_primitive::<Decimal128Type>();
            for (i, g) in groups.iter().enumerate() {
                if v.is_valid(i) && self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                    self.decimals[*g] = kql_types::decimal::add(self.decimals[*g], v.value(i))
                        .map_err(|e| ExecError::decimal(e, span))?;
                    self.counts[*g] += 1;
                }
            }
        } else if self.integer {
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
        let out: ArrayRef = if let Some(span) = self.decimal {
            use kql_types::decimal as d;
            resize(&mut self.decimals, n, 0);
            let values: Vec<Option<i128>> = (0..n)
                .map(|g| {
                    if self.counts[g] == 0 {
                        Ok(None)
                    } else if self.average {
                        d::mean(self.decimals[g], self.counts[g]).map(Some)
                    } else {
                        Ok(Some(self.decimals[g]))
                    }
                })
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| ExecError::decimal(e, span))?;
            Arc::new(Decimal128Array::from(values).with_precision_and_scale(d::PRECISION, d::SCALE as i8)?)
        } else if self.average {
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
                // A timespan or datetime average: whole 100 ns ticks, Kusto's resolution.
                let tick = kql_types::time::NANOS_PER_TICK as f64;
                let rounded: Int64Array =
                    avg.iter().map(|v| v.map(|v| ((v / tick).round_ties_even() * tick) as i64)).collect();
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
    /// make_list_with_nulls: a null value is an element too.
    nulls: bool,
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
            if !self.predicate.is_none_or(|p| truthy(&args[p], i)) || self.items[*g].len() >= self.max_size {
                continue;
            }
            if args[0].is_null(i) {
                if self.nulls {
                    // A string is never null in Kusto: it reads as "".
                    let v =
                        if self.strings { serde_json::Value::String(String::new()) } else { serde_json::Value::Null };
                    self.items[*g].push(v);
                }
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

/// The JSON of a non-null value (the one Kusto value → JSON element rule:
/// `dynamic::value_json`).
fn json_value(a: &ArrayRef, i: usize, ty: ScalarType) -> serde_json::Value {
    crate::dynamic::value_json(&crate::physical::value_at(a, i, ty))
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
/// Welford's running mean ([`Moments`]). A group of fewer than two values
/// gives 0, as the summarize page's defaults do for no rows. stdevp,
/// variancep and variancepif: the population variance (n in the
/// denominator, the stdevp page's `stdevp(1..5)` is 1.4142135623731).
struct Variance {
    moments: Vec<Moments>,
    root: bool,
    population: bool,
    predicate: Option<usize>,
}

impl Accumulator for Variance {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.moments, n, Moments::default());
        let v = arrow_cast::cast(&args[0], &arrow_schema::DataType::Float64)?;
        let v = v.as_primitive::<Float64Type>();
        for (i, g) in groups.iter().enumerate() {
            if v.is_valid(i) && self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                self.moments[*g].push(v.value(i));
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.moments, n, Moments::default());
        let out: Float64Array = self
            .moments
            .iter()
            .map(|m| {
                let var = if self.population { m.population_variance() } else { m.variance() };
                Some(if self.root { var.sqrt() } else { var })
            })
            .collect();
        Ok(vec![Arc::new(out)])
    }
}

/// percentile/percentiles/percentiles_array: every non-null value of the
/// group, and for each requested percentile p the nearest-rank value (the
/// value at rank ⌈p/100 × n⌉ of the sorted values, the smallest for p = 0).
/// Kusto estimates percentiles with T-Digest; on small groups the two
/// agree, on large ones Kusto's answer may differ slightly
/// (docs/language.md).
struct Percentiles {
    values: Vec<Vec<f64>>,
    /// The percentiles asked for (constants).
    points: Vec<f64>,
    /// Each percentile's type (one column each), or for percentiles_array
    /// the type of its elements.
    out: Vec<ScalarType>,
    /// percentiles_array: one dynamic array column of them all.
    array: bool,
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
        let columns = self
            .points
            .iter()
            .zip(self.out.iter().cycle())
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
            .collect::<Result<Vec<ArrayRef>>>()?;
        if !self.array {
            return Ok(columns);
        }
        // percentiles_array: each group's percentiles as one JSON array,
        // the elements as Kusto puts values of their type in a dynamic.
        let ty = self.out.first().copied().unwrap_or(ScalarType::Real);
        let arrays: StringArray = (0..n)
            .map(|g| {
                let items = columns.iter().map(|c| json_value(c, g, ty)).collect();
                Some(serde_json::Value::Array(items).to_string())
            })
            .collect();
        Ok(vec![Arc::new(arrays)])
    }
}

/// hll/hll_if: each group's distinct non-null values in an ntaq sketch
/// (`functions::hll`: exact, as `dcount` is).
struct Hll {
    sketches: Vec<Sketch>,
    accuracy: i64,
    arg_type: ScalarType,
    predicate: Option<usize>,
}

impl Accumulator for Hll {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.sketches, n, Sketch::new(self.accuracy));
        let json = (self.arg_type == ScalarType::Dynamic).then(|| crate::dynamic::to_json_array(&args[0]));
        for (i, g) in groups.iter().enumerate() {
            if !args[0].is_valid(i) || !self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                continue;
            }
            let value = match &json {
                Some(json) => serde_json::from_str(json.as_string::<i32>().value(i)).unwrap_or(serde_json::Value::Null),
                None => json_value(&args[0], i, self.arg_type),
            };
            if !value.is_null() {
                self.sketches[*g].insert(&value);
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.sketches, n, Sketch::new(self.accuracy));
        Ok(vec![Arc::new(self.sketches.iter().map(|s| Some(s.to_json_text())).collect::<StringArray>())])
    }
}

/// A sketch a merge aggregation combines: `hll` sketches and t-digests,
/// read from and written as their dynamic (JSON) text.
trait Mergeable: Sized + Send + Clone + 'static {
    fn parse(text: &str, span: Span) -> Result<Self>;
    fn merge_in(&mut self, other: Self, span: Span) -> Result<()>;
    fn text(&self) -> String;
}

impl Mergeable for Sketch {
    fn parse(text: &str, span: Span) -> Result<Self> {
        Sketch::parse(text, span)
    }
    fn merge_in(&mut self, other: Self, span: Span) -> Result<()> {
        self.merge(other, span)
    }
    fn text(&self) -> String {
        self.to_json_text()
    }
}

impl Mergeable for Digest {
    fn parse(text: &str, span: Span) -> Result<Self> {
        Digest::parse(text, span)
    }
    fn merge_in(&mut self, other: Self, span: Span) -> Result<()> {
        self.merge(&other, span)
    }
    fn text(&self) -> String {
        self.to_json_text()
    }
}

/// hll_merge, tdigest_merge/merge_tdigest: each group's sketches merged
/// (null when it has none; a null argument is skipped).
struct SketchMerge<T> {
    merged: Vec<Option<T>>,
    /// The argument's span, for a value that is not such a sketch.
    span: Span,
}

impl<T: Mergeable> SketchMerge<T> {
    fn boxed(agg: &Aggregate) -> Box<dyn Accumulator> {
        Box::new(SketchMerge::<T> { merged: Vec::new(), span: agg.args.first().map_or(Default::default(), |a| a.span) })
    }
}

impl<T: Mergeable> Accumulator for SketchMerge<T> {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.merged, n, None);
        let json = crate::dynamic::to_json_array(&args[0]);
        let texts = json.as_string::<i32>();
        for (i, g) in groups.iter().enumerate() {
            if texts.is_null(i) || texts.value(i) == "null" {
                continue;
            }
            let sketch = T::parse(texts.value(i), self.span)?;
            match &mut self.merged[*g] {
                Some(into) => into.merge_in(sketch, self.span)?,
                empty => *empty = Some(sketch),
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.merged, n, None);
        Ok(vec![Arc::new(self.merged.iter().map(|s| s.as_ref().map(T::text)).collect::<StringArray>())])
    }
}

/// tdigest: each group's values with their weights in an ntaq digest
/// (`functions::tdigest`: exact, as `percentile` is); null for a group
/// without values. A row whose value or weight is null, or whose weight is
/// 0, adds nothing; a negative weight is an error.
struct TDigest {
    digests: Vec<Option<Digest>>,
    kind: DigestKind,
    /// The weight argument's span, when there is one.
    weight: Option<Span>,
}

impl Accumulator for TDigest {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.digests, n, None);
        let ints = match self.kind {
            DigestKind::Real => None,
            _ => Some(arrow_cast::cast(&args[0], &arrow_schema::DataType::Int64)?),
        };
        let reals = match self.kind {
            DigestKind::Real => Some(arrow_cast::cast(&args[0], &arrow_schema::DataType::Float64)?),
            _ => None,
        };
        let weights = match self.weight {
            Some(_) => Some(arrow_cast::cast(&args[1], &arrow_schema::DataType::Int64)?),
            None => None,
        };
        for (i, g) in groups.iter().enumerate() {
            let w = match (&weights, self.weight) {
                (Some(w), Some(span)) => {
                    let w = w.as_primitive::<Int64Type>();
                    if w.is_null(i) || w.value(i) == 0 {
                        continue;
                    }
                    u64::try_from(w.value(i)).map_err(|_| ExecError::Runtime {
                        message: format!("tdigest: the weight {} is negative", w.value(i)),
                        span,
                        help: Some("weights count how many times each value occurs: 0 or more".into()),
                    })?
                }
                _ => 1,
            };
            let digest = self.digests[*g].get_or_insert_with(|| Digest::new(self.kind));
            match (&ints, &reals) {
                (Some(v), _) => {
                    let v = v.as_primitive::<Int64Type>();
                    if v.is_valid(i) {
                        digest.insert_int(v.value(i), w);
                    }
                }
                (_, Some(v)) => {
                    let v = v.as_primitive::<Float64Type>();
                    if v.is_valid(i) {
                        digest.insert_real(v.value(i), w);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.digests, n, None);
        let out: StringArray =
            self.digests.iter().map(|d| d.as_ref().filter(|d| !d.is_empty()).map(Digest::to_json_text)).collect();
        Ok(vec![Arc::new(out)])
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

/// make_bag / make_bag_if: the keys and values of the property bags among
/// the values (other values are skipped, make-bag page); a key seen again
/// keeps its first value; at most `max_size` keys.
struct MakeBag {
    bags: Vec<serde_json::Map<String, serde_json::Value>>,
    max_size: usize,
    predicate: Option<usize>,
}

impl Accumulator for MakeBag {
    fn update(&mut self, groups: &[usize], n: usize, args: &[ArrayRef]) -> Result<()> {
        resize(&mut self.bags, n, serde_json::Map::new());
        for (i, g) in groups.iter().enumerate() {
            if args[0].is_null(i) || !self.predicate.is_none_or(|p| truthy(&args[p], i)) {
                continue;
            }
            let serde_json::Value::Object(bag) = json_value(&args[0], i, ScalarType::Dynamic) else { continue };
            let into = &mut self.bags[*g];
            for (k, v) in bag {
                if into.len() >= self.max_size {
                    break;
                }
                into.entry(k).or_insert(v);
            }
        }
        Ok(())
    }
    fn finish(&mut self, n: usize) -> Result<Vec<ArrayRef>> {
        resize(&mut self.bags, n, serde_json::Map::new());
        let bags = std::mem::take(&mut self.bags);
        Ok(vec![Arc::new(
            bags.into_iter().map(|b| Some(serde_json::Value::Object(b).to_string())).collect::<StringArray>(),
        )])
    }
}

fn row_converter(arrays: &[ArrayRef]) -> Result<RowConverter> {
    Ok(RowConverter::new(arrays.iter().map(|a| SortField::new(a.data_type().clone())).collect())?)
}

/// The aggregation `agg` computes (an internal error for a scalar function,
/// which the binder never puts in a `summarize`).
fn identity(agg: &Aggregate) -> Result<AggregateFn> {
    agg.function
        .aggregate()
        .ok_or_else(|| ExecError::Internal(format!("aggregation `{}` has no accumulator", agg.function.name)))
}

/// An integer argument at `i` read from its first row (`maxSize`, an
/// accuracy level), if present and not null.
fn const_long(args: &[ArrayRef], i: usize) -> Option<i64> {
    args.get(i)
        .and_then(|a| arrow_cast::cast(a, &arrow_schema::DataType::Int64).ok())
        .and_then(|a| (!a.is_empty() && a.is_valid(0)).then(|| a.as_primitive::<Int64Type>().value(0)))
}

/// A constant `maxSize` argument at `i`, else `default`.
fn max_size(args: &[ArrayRef], i: usize, default: usize) -> usize {
    const_long(args, i).map_or(default, |v| usize::try_from(v.max(0)).unwrap_or(usize::MAX))
}

/// `percentiles_array(x, dynamic([…]))`'s percentiles: the numbers of the
/// constant array (read from its first row); anything else in it is an error.
fn percentile_list(agg: &Aggregate, arg: &ArrayRef) -> Result<Vec<f64>> {
    let json = crate::dynamic::to_json_array(arg);
    let texts = json.as_string::<i32>();
    let span = agg.args.get(1).map_or(Default::default(), |a| a.span);
    let bad = || ExecError::Runtime {
        message: "percentiles_array's percentiles must be an array of numbers".into(),
        span,
        help: Some("write them as dynamic([50, 90]) or list them: percentiles_array(x, 50, 90)".into()),
    };
    if texts.is_empty() || texts.is_null(0) {
        return Err(bad());
    }
    match serde_json::from_str(texts.value(0)) {
        Ok(serde_json::Value::Array(items)) => items.iter().map(|v| v.as_f64().ok_or_else(bad)).collect(),
        _ => Err(bad()),
    }
}

/// Builds the accumulator for `agg` once its first arguments are known.
/// The `match` is exhaustive: an aggregation added to the catalog
/// (`kql_plan::functions::AggregateFn`) does not compile until it has one.
pub(super) fn accumulator(
    agg: &Aggregate,
    args: &[ArrayRef],
    types: &[ScalarType],
    out_types: &[ScalarType],
) -> Result<Box<dyn Accumulator>> {
    use AggregateFn as G;
    let out = out_types.first().copied().unwrap_or(ScalarType::Dynamic);
    let f = identity(agg)?;
    // The `…if` forms' predicate follows the value.
    let predicate = matches!(
        f,
        G::SumIf
            | G::AvgIf
            | G::MinIf
            | G::MaxIf
            | G::StdevIf
            | G::VarianceIf
            | G::VariancePIf
            | G::DCountIf
            | G::CountDistinctIf
            | G::MakeListIf
            | G::MakeSetIf
            | G::MakeBagIf
    )
    .then_some(1);
    Ok(match f {
        G::Count => Box::new(Count { counts: Vec::new(), predicate: None }),
        G::CountIf => Box::new(Count { counts: Vec::new(), predicate: Some(0) }),
        G::Sum | G::SumIf | G::Avg | G::AvgIf => {
            let t = types.first().copied().unwrap_or(ScalarType::Real);
            Box::new(SumAvg {
                ints: Vec::new(),
                reals: Vec::new(),
                decimals: Vec::new(),
                counts: Vec::new(),
                decimal: (t == ScalarType::Decimal && out == ScalarType::Decimal)
                    .then(|| agg.args.first().map(|e| e.span).unwrap_or_default()),
                integer: matches!(t, ScalarType::Int | ScalarType::Long | ScalarType::Timespan | ScalarType::DateTime),
                average: matches!(f, G::Avg | G::AvgIf),
                out,
                predicate,
            })
        }
        G::Min | G::Max | G::MinIf | G::MaxIf => Box::new(MinMax {
            conv: row_converter(&args[..1])?,
            best: Vec::new(),
            max: matches!(f, G::Max | G::MaxIf),
            predicate,
        }),
        G::DCount | G::CountDistinct | G::DCountIf | G::CountDistinctIf => {
            Box::new(DistinctCount { conv: row_converter(&args[..1])?, sets: Vec::new(), predicate })
        }
        G::Stdev | G::StdevIf | G::StdevP | G::Variance | G::VarianceIf | G::VarianceP | G::VariancePIf => {
            Box::new(Variance {
                moments: Vec::new(),
                root: matches!(f, G::Stdev | G::StdevIf | G::StdevP),
                population: matches!(f, G::StdevP | G::VarianceP | G::VariancePIf),
                predicate,
            })
        }
        G::Percentile | G::Percentiles | G::PercentilesArray => {
            let array = f == G::PercentilesArray;
            let points = if array && types.get(1) == Some(&ScalarType::Dynamic) {
                percentile_list(agg, &args[1])?
            } else {
                args[1..]
                    .iter()
                    .map(|a| {
                        let a = arrow_cast::cast(a, &arrow_schema::DataType::Float64)?;
                        let a = a.as_primitive::<Float64Type>();
                        Ok(if !a.is_empty() && a.is_valid(0) { a.value(0) } else { f64::NAN })
                    })
                    .collect::<Result<Vec<f64>>>()?
            };
            let out = if array {
                vec![kql_plan::functions::percentile_type(types.first().copied().unwrap_or(ScalarType::Real))]
            } else {
                out_types.to_vec()
            };
            Box::new(Percentiles { values: Vec::new(), points, out, array })
        }
        G::Hll | G::HllIf => {
            let accuracy_arg = if f == G::HllIf { 2 } else { 1 };
            Box::new(Hll {
                sketches: Vec::new(),
                accuracy: const_long(args, accuracy_arg).unwrap_or(HLL_DEFAULT_ACCURACY),
                arg_type: types.first().copied().unwrap_or(ScalarType::Dynamic),
                predicate: (f == G::HllIf).then_some(1),
            })
        }
        G::HllMerge => SketchMerge::<Sketch>::boxed(agg),
        G::TDigest => {
            let t = types.first().copied().unwrap_or(ScalarType::Real);
            let kind = DigestKind::of(t)
                .ok_or_else(|| ExecError::Internal(format!("tdigest over {t}, which the binder does not accept")))?;
            Box::new(TDigest { digests: Vec::new(), kind, weight: agg.args.get(1).map(|a| a.span) })
        }
        G::TDigestMerge | G::MergeTDigest => SketchMerge::<Digest>::boxed(agg),
        G::TakeAnyIf => Box::new(TakeAnyIf { conv: row_converter(&args[..1])?, best: Vec::new() }),
        G::MakeBag | G::MakeBagIf => {
            let size_arg = if f == G::MakeBagIf { 2 } else { 1 };
            Box::new(MakeBag { bags: Vec::new(), max_size: max_size(args, size_arg, 1_048_576), predicate })
        }
        G::Makelist | G::Makeset | G::MakeList | G::MakeSet | G::MakeListIf | G::MakeSetIf | G::MakeListWithNulls => {
            // The deprecated names keep at most 128 elements by default.
            let (size_arg, default) = match f {
                G::Makelist | G::Makeset => (1, 128),
                G::MakeListIf | G::MakeSetIf => (2, 1_048_576),
                _ => (1, 1_048_576),
            };
            let t = types.first().copied().unwrap_or(ScalarType::Dynamic);
            Box::new(MakeList {
                items: Vec::new(),
                seen: Vec::new(),
                set: matches!(f, G::Makeset | G::MakeSet | G::MakeSetIf),
                strings: t == ScalarType::String,
                max_size: max_size(args, size_arg, default),
                arg_type: t,
                predicate,
                nulls: f == G::MakeListWithNulls,
            })
        }
        G::ArgMax | G::ArgMin => Box::new(PickRow {
            all: row_converter(args)?,
            key: Some(row_converter(&args[..1])?),
            best_key: Vec::new(),
            best: Vec::new(),
            first: Vec::new(),
            max: f == G::ArgMax,
            prefer_non_empty: false,
        }),
        G::TakeAny | G::Any => Box::new(PickRow {
            all: row_converter(args)?,
            key: None,
            best_key: Vec::new(),
            best: Vec::new(),
            first: Vec::new(),
            max: false,
            prefer_non_empty: agg.args.len() == 1 && matches!(agg.args[0].kind, kql_plan::plan::ExprKind::Column(_)),
        }),
    })
}

/// Output types of an aggregate (one per output column).
pub(super) fn output_types(agg: &Aggregate, plan: &Plan) -> Vec<ScalarType> {
    agg.outputs.iter().map(|o| plan.schema.get(o).and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::Dynamic)).collect()
}

/// True for aggregations whose state grows with the values they see.
pub(super) fn keeps_values(a: &Aggregate) -> bool {
    use AggregateFn as G;
    match a.function.aggregate() {
        Some(
            G::MakeBag
            | G::MakeBagIf
            | G::MakeListWithNulls
            | G::MakeList
            | G::MakeSet
            | G::MakeListIf
            | G::MakeSetIf
            | G::Makelist
            | G::Makeset
            | G::Percentile
            | G::Percentiles
            | G::PercentilesArray
            | G::Hll
            | G::HllIf
            | G::HllMerge
            | G::TDigest
            | G::TDigestMerge
            | G::MergeTDigest
            | G::DCount
            | G::DCountIf
            | G::CountDistinct
            | G::CountDistinctIf,
        ) => true,
        Some(
            G::Any
            | G::ArgMax
            | G::ArgMin
            | G::Avg
            | G::AvgIf
            | G::Count
            | G::CountIf
            | G::Max
            | G::MaxIf
            | G::Min
            | G::MinIf
            | G::Stdev
            | G::StdevIf
            | G::StdevP
            | G::Sum
            | G::SumIf
            | G::TakeAny
            | G::TakeAnyIf
            | G::Variance
            | G::VarianceIf
            | G::VarianceP
            | G::VariancePIf,
        )
        | None => false,
    }
}

/// An aggregate that saw no rows: Kusto's defaults (summarize page, "Default
/// values of aggregations"): 0 for counts, sums, stdev and variance, [] for
/// lists, sets and bags (the page lists make_bag with make_list), NaN for avg (0/0, the page's example), null otherwise.
pub(super) fn empty_aggregate(agg: &Aggregate, out_types: &[ScalarType], n: usize) -> Result<Vec<ArrayRef>> {
    Ok(out_types
        .iter()
        .copied()
        .map(|t| -> ArrayRef {
            use AggregateFn as G;
            match (agg.function.aggregate(), t) {
                (Some(G::Count | G::CountIf | G::DCount | G::DCountIf | G::CountDistinct | G::CountDistinctIf), _) => {
                    Arc::new(Int64Array::from(vec![0i64; n]))
                }
                (Some(G::Sum | G::SumIf), t) => {
                    let zero = match t {
                        ScalarType::Int => kql_types::Value::Int(Some(0)),
                        ScalarType::Real => kql_types::Value::Real(Some(0.0)),
                        ScalarType::Decimal => kql_types::Value::Decimal(Some("0".into())),
                        ScalarType::Timespan => kql_types::Value::Timespan(Some(0)),
                        _ => kql_types::Value::Long(Some(0)),
                    };
                    crate::physical::scalar_array(&zero, n)
                }
                (Some(G::Avg | G::AvgIf), ScalarType::Real) => Arc::new(Float64Array::from(vec![f64::NAN; n])),
                (
                    Some(
                        G::Stdev | G::StdevIf | G::StdevP | G::Variance | G::VarianceIf | G::VarianceP | G::VariancePIf,
                    ),
                    _,
                ) => Arc::new(Float64Array::from(vec![0.0; n])),
                (
                    Some(
                        G::MakeList
                        | G::MakeSet
                        | G::MakeListIf
                        | G::MakeSetIf
                        | G::Makelist
                        | G::Makeset
                        | G::MakeListWithNulls
                        | G::MakeBag
                        | G::MakeBagIf,
                    ),
                    _,
                ) => Arc::new(StringArray::from(vec![Some("[]"); n])),
                (_, ScalarType::String) => Arc::new(StringArray::from(vec![""; n])),
                (_, t) => new_null_array(&physical_type(t), n),
            }
        })
        .collect())
}
