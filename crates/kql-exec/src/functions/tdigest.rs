//! The digest `tdigest()` and `tdigest_merge()`/`merge_tdigest()` produce
//! and `percentile_tdigest()`/`percentiles_array_tdigest()`,
//! `rank_tdigest()` and `percentrank_tdigest()` read
//! (tdigest-aggregation-function, tdigest-merge-aggregation-function,
//! merge-tdigest-function, percentile-tdigest-function,
//! percentile-array-tdigest-function, rank-tdigest-function and
//! percentrank-tdigest-function pages).
//!
//! Kusto's digest is a T-Digest estimate whose form the pages call
//! undocumented ("the precise binary representation of these results may
//! change"). ntaq's `percentile` is exact, and so is its digest: every
//! distinct value with its total weight, as the dynamic array
//! `[["ntaq.exact", type], [value, …], [weight, …]]`, the values ascending
//! (datetimes and timespans as nanoseconds, the type saying which; reals
//! as their shortest text in strings, so they read back exactly). A
//! percentile read from it is the nearest-rank value `percentile` gives
//! over the same rows (each row counted `weight` times), and merging adds
//! the weights, so digests of any split of the rows merge into the digest
//! of all of them. Digests are not interchangeable with Kusto's.

use super::{Args, Prims, strings_of};
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::types::{DurationNanosecondType, Float64Type, Int64Type, TimestampNanosecondType};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, StringArray};
use kql_syntax::{ScalarType, Span};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::Arc;

/// What the first element of an ntaq digest says it is.
const MARKER: &str = "ntaq.exact";

/// The type of the values a digest holds (a percentile of them has it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Long,
    Real,
    /// Nanoseconds since the Unix epoch.
    DateTime,
    /// Nanoseconds.
    Timespan,
}

impl Kind {
    /// The digest kind of values of type `t` (as `percentile` types them:
    /// int as long, decimal as real); None for types without percentiles.
    pub(crate) fn of(t: ScalarType) -> Option<Kind> {
        Some(match t {
            ScalarType::Int | ScalarType::Long => Kind::Long,
            ScalarType::Real | ScalarType::Decimal => Kind::Real,
            ScalarType::DateTime => Kind::DateTime,
            ScalarType::Timespan => Kind::Timespan,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Long => "long",
            Kind::Real => "real",
            Kind::DateTime => "datetime",
            Kind::Timespan => "timespan",
        }
    }

    fn from_name(s: &str) -> Option<Kind> {
        [Kind::Long, Kind::Real, Kind::DateTime, Kind::Timespan].into_iter().find(|k| k.name() == s)
    }

    /// The Kusto type of a percentile read from the digest.
    fn scalar_type(self) -> ScalarType {
        match self {
            Kind::Long => ScalarType::Long,
            Kind::Real => ScalarType::Real,
            Kind::DateTime => ScalarType::DateTime,
            Kind::Timespan => ScalarType::Timespan,
        }
    }
}

/// A real as an `i64` whose order is the real's total order (so reals and
/// integers share one sorted map).
fn real_key(v: f64) -> i64 {
    let b = v.to_bits() as i64;
    b ^ (((b >> 63) as u64) >> 1) as i64
}

fn key_real(k: i64) -> f64 {
    f64::from_bits((k ^ (((k >> 63) as u64) >> 1) as i64) as u64)
}

/// One digest: the kind of its values and each distinct value's weight.
#[derive(Clone, Debug)]
pub(crate) struct Digest {
    kind: Kind,
    /// Value key (the integer, nanoseconds, or [`real_key`]) → weight.
    weights: BTreeMap<i64, u64>,
}

impl Digest {
    pub(crate) fn new(kind: Kind) -> Self {
        Digest { kind, weights: BTreeMap::new() }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Adds an integer (long, nanoseconds) value `weight` times.
    pub(crate) fn insert_int(&mut self, v: i64, weight: u64) {
        *self.weights.entry(v).or_default() += weight;
    }

    /// Adds a real value `weight` times (NaN is skipped, as `percentile` skips it).
    pub(crate) fn insert_real(&mut self, v: f64, weight: u64) {
        if !v.is_nan() {
            *self.weights.entry(real_key(v)).or_default() += weight;
        }
    }

    /// Adds the values of `other`; digests of values of different types do
    /// not merge (tdigest-merge page: "All tdigests that are included in
    /// the same group must be of the same type").
    pub(crate) fn merge(&mut self, other: &Digest, span: Span) -> Result<()> {
        if other.kind != self.kind {
            return Err(ExecError::Runtime {
                message: format!(
                    "tdigest_merge: a digest of {} values cannot be merged with one of {} values",
                    self.kind.name(),
                    other.kind.name()
                ),
                span,
                help: Some("merge digests made by tdigest() over values of one type".into()),
            });
        }
        for (&k, &w) in &other.weights {
            *self.weights.entry(k).or_default() += w;
        }
        Ok(())
    }

    /// The nearest-rank percentile `p` (0–100) of the weighted values: the
    /// value at rank ⌈p/100 × total weight⌉ (the smallest for p = 0), as
    /// `percentile` computes it; None when empty or p is outside 0–100.
    fn percentile(&self, p: f64) -> Option<i64> {
        if self.weights.is_empty() || !(0.0..=100.0).contains(&p) {
            return None;
        }
        let total: u64 = self.weights.values().sum();
        let rank = ((p / 100.0 * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0u64;
        for (&k, &w) in &self.weights {
            seen += w;
            if seen >= rank {
                return Some(k);
            }
        }
        self.weights.keys().next_back().copied()
    }

    /// The rank of `v` (rank-tdigest page: "count of members of S that are
    /// smaller or equal to v"): the total weight of the values at or below
    /// it. `v` is the digest's key for integer, datetime and timespan
    /// values, compared numerically with reals.
    fn rank(&self, v: Threshold) -> u64 {
        let at_or_below = |k: i64| match (v, self.kind) {
            (Threshold::Key(v), Kind::Real) => key_real(k) <= v as f64,
            (Threshold::Key(v), _) => k <= v,
            (Threshold::Real(v), Kind::Real) => key_real(k) <= v,
            (Threshold::Real(v), _) => (k as f64) <= v,
        };
        // Keys ascend in the order of the values, so the first above ends it.
        self.weights.iter().take_while(|(k, _)| at_or_below(**k)).map(|(_, w)| w).sum()
    }

    fn total(&self) -> u64 {
        self.weights.values().sum()
    }

    /// The value of a key as a Kusto value of the digest's type.
    fn value(&self, k: i64) -> kql_types::Value {
        use kql_types::Value as V;
        match self.kind {
            Kind::Long => V::Long(Some(k)),
            Kind::Real => V::Real(Some(key_real(k))),
            Kind::DateTime => V::DateTime(Some(k)),
            Kind::Timespan => V::Timespan(Some(k)),
        }
    }

    /// The digest as dynamic JSON text.
    pub(crate) fn to_json_text(&self) -> String {
        let value = |k: i64| match self.kind {
            Kind::Real => Json::from(format!("{:?}", key_real(k))),
            _ => Json::from(k),
        };
        let values: Vec<Json> = self.weights.keys().map(|&k| value(k)).collect();
        let weights: Vec<Json> = self.weights.values().map(|&w| Json::from(w)).collect();
        Json::Array(vec![
            Json::Array(vec![Json::from(MARKER), Json::from(self.kind.name())]),
            Json::Array(values),
            Json::Array(weights),
        ])
        .to_string()
    }

    /// Reads a digest made by [`Digest::to_json_text`]; anything else
    /// (Kusto's own digests included) is an error at `span`.
    pub(crate) fn parse(text: &str, span: Span) -> Result<Digest> {
        let bad = || ExecError::Runtime {
            message: format!("not a tdigest() made by ntaq: {}", shorten(text)),
            span,
            help: Some("pass the result of tdigest(), tdigest_merge() or merge_tdigest() computed by ntaq".into()),
        };
        let json: Json = serde_json::from_str(text).map_err(|_| bad())?;
        let Some([header, values, weights]) = json.as_array().map(Vec::as_slice) else { return Err(bad()) };
        let kind = match header.as_array().map(Vec::as_slice) {
            Some([Json::String(m), Json::String(k)]) if m == MARKER => Kind::from_name(k).ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        let (Some(values), Some(weights)) = (values.as_array(), weights.as_array()) else { return Err(bad()) };
        if values.len() != weights.len() {
            return Err(bad());
        }
        let mut digest = Digest::new(kind);
        for (v, w) in values.iter().zip(weights) {
            let w = w.as_u64().ok_or_else(bad)?;
            match kind {
                Kind::Real => digest.insert_real(v.as_str().and_then(|t| t.parse().ok()).ok_or_else(bad)?, w),
                _ => digest.insert_int(v.as_i64().ok_or_else(bad)?, w),
            }
        }
        Ok(digest)
    }
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// Argument `i` (dynamic) as JSON text, one row per row of the call.
fn json_texts(a: &Args, i: usize) -> Result<ArrayRef> {
    let values: ArrayRef = match a.col(i)? {
        Col::Array(values) => values.clone(),
        Col::Scalar(v) => crate::physical::scalar_array(v, a.rows()),
    };
    Ok(crate::dynamic::to_json_array(&values))
}

/// Row `i`'s digest; None for null.
fn digest_at(texts: &StringArray, i: usize, span: Span) -> Result<Option<Digest>> {
    if texts.is_null(i) || texts.value(i) == "null" {
        return Ok(None);
    }
    Digest::parse(texts.value(i), span).map(Some)
}

/// The type literal the binder appended to a call (`typeof(int)` → "int").
fn type_literal(a: &Args, i: usize) -> Result<Option<ScalarType>> {
    if a.cols.len() <= i {
        return Ok(None);
    }
    let name = a.const_str(i).ok_or_else(|| ExecError::Internal("tdigest type literal is not a constant".into()))?;
    ScalarType::from_name(&name)
        .map(Some)
        .ok_or_else(|| ExecError::Internal(format!("unknown tdigest type literal `{name}`")))
}

/// A percentile of a digest as a value of type `to` (a type literal), or of
/// the digest's own type: numbers convert among int, long and real (a real
/// to an integer truncates toward zero, as `tolong`), datetimes and
/// timespans only to themselves.
fn typed(digest: &Digest, k: i64, to: Option<ScalarType>, span: Span) -> Result<kql_types::Value> {
    use kql_types::Value as V;
    let v = digest.value(k);
    let Some(to) = to else { return Ok(v) };
    let real = match v {
        V::Long(Some(x)) => Some(x as f64),
        V::Real(Some(x)) => Some(x),
        _ => None,
    };
    Ok(match (to, real, &v) {
        (ScalarType::Real, Some(x), _) => V::Real(Some(x)),
        (ScalarType::Long, Some(_), V::Long(x)) => V::Long(*x),
        (ScalarType::Long, Some(x), _) => V::Long(Some(x.trunc() as i64)),
        (ScalarType::Int, Some(_), V::Long(Some(x))) => V::Int(Some(*x as i32)),
        (ScalarType::Int, Some(x), _) => V::Int(Some(x.trunc() as i32)),
        (ScalarType::DateTime, _, V::DateTime(_)) | (ScalarType::Timespan, _, V::Timespan(_)) => v,
        _ => {
            return Err(ExecError::Runtime {
                message: format!("a digest of {} values cannot be read as {to}", digest.kind.name()),
                span,
                help: Some(format!(
                    "pass typeof({}) or no type (every digest must be of the type given, the percentile_tdigest page says)",
                    digest.kind.scalar_type()
                )),
            });
        }
    })
}

/// `percentile_tdigest(digest, p [, typeof(T)])`: the nearest-rank
/// percentile of the digest's values, dynamic (or of type T); null for a
/// null digest or a percentile outside 0–100.
pub fn percentile_tdigest(a: &Args) -> Result<Col> {
    let span = a.arg_span(0);
    let to = type_literal(a, 2)?;
    let texts = json_texts(a, 0)?;
    let texts = strings_of(&texts)?;
    let p = a.prims::<arrow_array::types::Float64Type>(1, ScalarType::Real)?;
    let mut values = Vec::with_capacity(texts.len());
    for i in 0..texts.len() {
        let v = match (digest_at(texts, i, span)?, p.get(i)) {
            (Some(d), Some(p)) => match d.percentile(p) {
                Some(k) => Some(typed(&d, k, to, span)?),
                None => None,
            },
            _ => None,
        };
        values.push(v);
    }
    let out: ArrayRef = match to {
        None => Arc::new(
            values
                .iter()
                .map(|v| v.as_ref().map(|v| crate::dynamic::value_json(v).to_string()))
                .collect::<StringArray>(),
        ),
        Some(t) => typed_array(&values, t)?,
    };
    Ok(a.finish(out))
}

/// Values of type `t` (None as null) as an array of `t`'s physical type.
fn typed_array(values: &[Option<kql_types::Value>], t: ScalarType) -> Result<ArrayRef> {
    use kql_types::Value as V;
    let out: ArrayRef = match t {
        ScalarType::Real => Arc::new(
            values
                .iter()
                .map(|v| match v {
                    Some(V::Real(x)) => *x,
                    _ => None,
                })
                .collect::<Float64Array>(),
        ),
        _ => {
            let ints: Int64Array = values
                .iter()
                .map(|v| match v {
                    Some(V::Long(x) | V::DateTime(x) | V::Timespan(x)) => *x,
                    Some(V::Int(x)) => x.map(i64::from),
                    _ => None,
                })
                .collect();
            arrow_cast::cast(&ints, &crate::physical::physical_type(t))?
        }
    };
    Ok(out)
}

/// A value to rank: an integer (long, or a datetime's or timespan's
/// nanoseconds) or a real.
#[derive(Clone, Copy, Debug)]
enum Threshold {
    Key(i64),
    Real(f64),
}

/// The values to rank, as one kind of digest reads them.
enum Values {
    Reals(Prims<Float64Type>),
    Longs(Prims<Int64Type>),
    Times(Prims<TimestampNanosecondType>),
    Spans(Prims<DurationNanosecondType>),
}

impl Values {
    /// Row `i`'s value; None for null or NaN.
    fn get(&self, i: usize) -> Option<Threshold> {
        match self {
            Values::Reals(p) => p.get(i).filter(|v| !v.is_nan()).map(Threshold::Real),
            Values::Longs(p) => p.get(i).map(Threshold::Key),
            Values::Times(p) => p.get(i).map(Threshold::Key),
            Values::Spans(p) => p.get(i).map(Threshold::Key),
        }
    }
}

/// What [`rank_tdigest`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rank {
    /// `rank_tdigest`: how many values are at or below.
    Count,
    /// `percentrank_tdigest`: that count as a percentage of all the values
    /// (the rank page divides by the set's size for it).
    Percent,
}

/// `rank_tdigest(digest, value)` and `percentrank_tdigest(digest, value)`:
/// reals (Functions.cs types both so); null for a null digest or value. The
/// value must be of the digest's type (both pages say so): a number for a
/// digest of numbers, a datetime or timespan for one of those; a dynamic
/// value is read as that type.
pub fn rank_tdigest(a: &Args, what: Rank) -> Result<Col> {
    let span = a.arg_span(0);
    let texts = json_texts(a, 0)?;
    let texts = strings_of(&texts)?;
    let ty = a.ty(1);
    let numeric = matches!(ty, ScalarType::Int | ScalarType::Long);
    // The value as each kind of digest reads it, converted once when needed.
    let mut as_kind: BTreeMap<&'static str, Values> = BTreeMap::new();
    let mut out = Vec::with_capacity(texts.len());
    for i in 0..texts.len() {
        let Some(d) = digest_at(texts, i, span)? else {
            out.push(None);
            continue;
        };
        let target = match d.kind {
            Kind::Long if numeric => ScalarType::Long,
            Kind::Long | Kind::Real => ScalarType::Real,
            Kind::DateTime => ScalarType::DateTime,
            Kind::Timespan => ScalarType::Timespan,
        };
        let number = matches!(ty, ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal);
        let fits = ty == target
            || ty == ScalarType::Dynamic
            || (matches!(target, ScalarType::Long | ScalarType::Real) && number);
        if !fits {
            return Err(ExecError::Runtime {
                message: format!("a digest of {} values cannot rank a {ty}", d.kind.name()),
                span: a.arg_span(1),
                help: Some(format!(
                    "pass a value of the digest's type, {} (the rank_tdigest page: the values must be of the \
                     same type as the tdigest)",
                    d.kind.scalar_type()
                )),
            });
        }
        let values = match as_kind.entry(target.name()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(match target {
                ScalarType::Real => Values::Reals(a.prims(1, target)?),
                ScalarType::DateTime => Values::Times(a.prims(1, target)?),
                ScalarType::Timespan => Values::Spans(a.prims(1, target)?),
                _ => Values::Longs(a.prims(1, target)?),
            }),
        };
        let v = values.get(i);
        let Some(v) = v else {
            out.push(None);
            continue;
        };
        let rank = d.rank(v) as f64;
        out.push(match what {
            Rank::Count => Some(rank),
            Rank::Percent => (d.total() > 0).then(|| rank * 100.0 / d.total() as f64),
        });
    }
    Ok(a.finish(Arc::new(out.into_iter().collect::<Float64Array>())))
}

/// `percentiles_array_tdigest(digest, p1, p2, …)` or
/// `percentiles_array_tdigest(digest, dynamic([p1, …]) [, typeof(T)])`:
/// the percentiles as one dynamic array (each null where the percentile
/// is outside 0–100); null for a null digest.
pub fn percentiles_array_tdigest(a: &Args) -> Result<Col> {
    let span = a.arg_span(0);
    let texts = json_texts(a, 0)?;
    let texts = strings_of(&texts)?;
    let array_form = a.ty(1) == ScalarType::Dynamic;
    let (to, listed) = if array_form { (type_literal(a, 2)?, 0) } else { (None, a.cols.len() - 1) };
    let points: Vec<_> =
        (1..=listed).map(|i| a.prims::<arrow_array::types::Float64Type>(i, ScalarType::Real)).collect::<Result<_>>()?;
    let arrays = if array_form {
        let arrays = json_texts(a, 1)?;
        Some(strings_of(&arrays)?.clone())
    } else {
        None
    };
    let bad_points = || ExecError::Runtime {
        message: "percentiles_array_tdigest's percentiles must be an array of numbers".into(),
        span: a.arg_span(1),
        help: Some("write them as dynamic([50, 90]) or list them: percentiles_array_tdigest(d, 50, 90)".into()),
    };
    let mut out = Vec::with_capacity(texts.len());
    for i in 0..texts.len() {
        let Some(d) = digest_at(texts, i, span)? else {
            out.push(None);
            continue;
        };
        let ps: Vec<Option<f64>> = match &arrays {
            Some(arrays) if arrays.is_null(i) => {
                out.push(None);
                continue;
            }
            Some(arrays) => match serde_json::from_str::<Json>(arrays.value(i)) {
                Ok(Json::Array(items)) => {
                    items.iter().map(|v| v.as_f64().map(Some).ok_or_else(bad_points)).collect::<Result<_>>()?
                }
                Ok(Json::Null) => {
                    out.push(None);
                    continue;
                }
                _ => return Err(bad_points()),
            },
            None => points.iter().map(|p| p.get(i)).collect(),
        };
        let mut items = Vec::with_capacity(ps.len());
        for p in ps {
            items.push(match p.and_then(|p| d.percentile(p)) {
                Some(k) => crate::dynamic::value_json(&typed(&d, k, to, span)?),
                None => Json::Null,
            });
        }
        out.push(Some(Json::Array(items).to_string()));
    }
    Ok(a.finish(Arc::new(out.into_iter().collect::<StringArray>())))
}

/// The scalar `tdigest_merge(d1, d2, …)` / `merge_tdigest(…)`: the digests
/// of one row merged (nulls skipped; null when all are null).
pub fn tdigest_merge(a: &Args) -> Result<Col> {
    let columns: Vec<ArrayRef> = (0..a.cols.len()).map(|i| json_texts(a, i)).collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(a.rows());
    for i in 0..a.rows() {
        let mut merged: Option<Digest> = None;
        for (c, texts) in columns.iter().enumerate() {
            let Some(d) = digest_at(strings_of(texts)?, i, a.arg_span(c))? else { continue };
            match &mut merged {
                Some(m) => m.merge(&d, a.arg_span(c))?,
                None => merged = Some(d),
            }
        }
        out.push(merged.map(|d| d.to_json_text()));
    }
    Ok(a.finish(Arc::new(out.into_iter().collect::<StringArray>())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_keys_keep_the_order_of_reals() {
        let reals = [f64::NEG_INFINITY, -2.5, -0.0, 0.0, 1e-300, 3.0, f64::INFINITY];
        let keys: Vec<i64> = reals.iter().map(|&r| real_key(r)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        for r in reals {
            assert_eq!(key_real(real_key(r)).to_bits(), r.to_bits());
        }
    }

    #[test]
    fn percentiles_are_nearest_rank_over_weights() {
        // Values 1 (weight 2), 5 (weight 1), 9 (weight 1): sorted 1 1 5 9.
        let mut d = Digest::new(Kind::Long);
        d.insert_int(5, 1);
        d.insert_int(1, 2);
        d.insert_int(9, 1);
        let at = |p| d.percentile(p);
        assert_eq!(
            (at(0.0), at(25.0), at(50.0), at(51.0), at(75.0), at(100.0)),
            (Some(1), Some(1), Some(1), Some(5), Some(5), Some(9))
        );
        assert_eq!(at(-1.0), None);
        assert_eq!(at(101.0), None);
    }

    #[test]
    fn digests_round_trip_through_json() {
        let mut d = Digest::new(Kind::Real);
        d.insert_real(2.5, 3);
        d.insert_real(-1.25, 1);
        let text = d.to_json_text();
        assert_eq!(text, r#"[["ntaq.exact","real"],["-1.25","2.5"],[1,3]]"#);
        assert_eq!(Digest::parse(&text, Span::default()).unwrap().to_json_text(), text);
        assert!(Digest::parse("[[7],[1],[1]]", Span::default()).is_err());
    }
}
