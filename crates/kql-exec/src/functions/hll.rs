//! The sketch `hll()`, `hll_if()` and `hll_merge()` produce and
//! `dcount_hll()` counts (hll-aggregation-function, hll-merge-aggregation-
//! function and dcount-hll-function pages).
//!
//! Kusto's sketch is a HyperLogLog estimate whose binary form the pages call
//! opaque ("the precise binary representation of these results may
//! change"). ntaq's `dcount` is exact, and so is its sketch: the distinct
//! values themselves, as the dynamic array
//! `[["ntaq.exact", accuracy], [value, …]]` with the values as JSON (as
//! `pack_array` would hold them) sorted by their text. Merging is the
//! union, so `dcount_hll(hll_merge(…))` over partial sketches is the
//! `dcount` of all their rows. Sketches are not interchangeable with
//! Kusto's, and grow with the number of distinct values.

use super::{Args, strings_of};
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::builder::Int64Builder;
use arrow_array::{Array, ArrayRef};
use kql_syntax::Span;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::sync::Arc;

/// What the first element of an ntaq sketch says it is.
const MARKER: &str = "ntaq.exact";

/// Kusto's default accuracy level (the hll page: 1 when unspecified).
pub(crate) const DEFAULT_ACCURACY: i64 = 1;

/// One sketch: an accuracy level and the distinct values' JSON texts.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sketch {
    accuracy: i64,
    values: BTreeSet<String>,
}

impl Sketch {
    pub(crate) fn new(accuracy: i64) -> Self {
        Sketch { accuracy, values: BTreeSet::new() }
    }

    /// Adds a (non-null) value.
    pub(crate) fn insert(&mut self, value: &Json) {
        self.values.insert(value.to_string());
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Adds the values of `other`; sketches of different accuracy levels do
    /// not merge (hll-merge page: "You can't merge hll values that were
    /// created using different accuracy values").
    pub(crate) fn merge(&mut self, other: Sketch, span: Span) -> Result<()> {
        if other.accuracy != self.accuracy {
            return Err(ExecError::Runtime {
                message: format!(
                    "hll_merge: sketches made with accuracy {} and {} cannot be merged",
                    self.accuracy, other.accuracy
                ),
                span,
                help: Some("build every sketch with the same hll() accuracy".into()),
            });
        }
        self.values.extend(other.values);
        Ok(())
    }

    /// The sketch as dynamic JSON text.
    pub(crate) fn to_json_text(&self) -> String {
        let values: Vec<&str> = self.values.iter().map(String::as_str).collect();
        format!("[[\"{MARKER}\",{}],[{}]]", self.accuracy, values.join(","))
    }

    /// Reads a sketch made by [`Sketch::to_json_text`]; anything else
    /// (Kusto's own sketches included) is an error at `span`.
    pub(crate) fn parse(text: &str, span: Span) -> Result<Sketch> {
        let bad = || ExecError::Runtime {
            message: format!("not an hll() sketch made by ntaq: {}", shorten(text)),
            span,
            help: Some("pass the result of hll(), hll_if() or hll_merge() computed by ntaq".into()),
        };
        let json: Json = serde_json::from_str(text).map_err(|_| bad())?;
        let Some([header, values]) = json.as_array().map(Vec::as_slice) else { return Err(bad()) };
        let accuracy = match header.as_array().map(Vec::as_slice) {
            Some([Json::String(m), a]) if m == MARKER => a.as_i64().ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        let values = values.as_array().ok_or_else(bad)?.iter().map(Json::to_string).collect();
        Ok(Sketch { accuracy, values })
    }
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// `dcount_hll(hll)`: the number of distinct values in a sketch; null for null.
pub fn dcount_hll(a: &Args) -> Result<Col> {
    let span = a.arg_span(0);
    let values: ArrayRef = match a.col(0)? {
        Col::Array(values) => values.clone(),
        Col::Scalar(v) => crate::physical::scalar_array(v, 1),
    };
    let json = crate::dynamic::to_json_array(&values);
    let texts = strings_of(&json)?;
    let mut b = Int64Builder::with_capacity(texts.len());
    for i in 0..texts.len() {
        if texts.is_null(i) || texts.value(i) == "null" {
            b.append_null();
        } else {
            b.append_value(Sketch::parse(texts.value(i), span)?.len() as i64);
        }
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// The scalar `hll_merge(h1, h2, …)`: the sketches of one row merged
/// (nulls skipped; null when all are null). Sketches of different accuracy
/// levels do not merge, as in the aggregation.
pub fn hll_merge(a: &Args) -> Result<Col> {
    let columns: Vec<ArrayRef> = (0..a.cols.len())
        .map(|i| {
            let values: ArrayRef = match a.col(i)? {
                Col::Array(values) => values.clone(),
                Col::Scalar(v) => crate::physical::scalar_array(v, a.rows()),
            };
            Ok(crate::dynamic::to_json_array(&values))
        })
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(a.rows());
    for i in 0..a.rows() {
        let mut merged: Option<Sketch> = None;
        for (c, texts) in columns.iter().enumerate() {
            let texts = strings_of(texts)?;
            if texts.is_null(i) || texts.value(i) == "null" {
                continue;
            }
            let sketch = Sketch::parse(texts.value(i), a.arg_span(c))?;
            match &mut merged {
                Some(m) => m.merge(sketch, a.arg_span(c))?,
                None => merged = Some(sketch),
            }
        }
        out.push(merged.map(|s| s.to_json_text()));
    }
    Ok(a.finish(Arc::new(out.into_iter().collect::<arrow_array::StringArray>())))
}
