//! Dynamic arrays and property bags built and taken apart row by row as
//! JSON: pack_array, bag_pack (pack), bag_keys, bag_merge, array_concat,
//! array_slice, array_sort_asc/desc, array_index_of, array_sum, the set_*
//! family, strcat_array and zip. Each follows its page in the Kusto
//! function reference (named on each function); a value that is not the
//! array or bag a function expects gives null, as those pages' "Returns"
//! sections say for invalid input.

use super::Args;
use crate::columnar::Col;
use crate::dynamic::value_json;
use crate::error::Result;
use crate::physical::value_at;
use arrow_array::ArrayRef;
use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use kql_syntax::ScalarType;
use serde_json::{Map, Value as Json};
use std::cmp::Ordering;
use std::sync::Arc;

/// One argument as JSON per row (a constant once).
pub(crate) enum JsonArg {
    Scalar(Json),
    Rows(Vec<Json>),
}

impl JsonArg {
    pub(super) fn get(&self, row: usize) -> &Json {
        match self {
            JsonArg::Scalar(j) => j,
            JsonArg::Rows(rows) => &rows[row],
        }
    }
}

/// Argument `i` as JSON: dynamic values as they are (null is JSON null),
/// other types as Kusto puts them in a dynamic value (`pack_array(x)`).
pub(crate) fn json_arg(a: &Args, i: usize) -> Result<JsonArg> {
    let ty = a.ty(i);
    Ok(match a.col(i)? {
        Col::Scalar(v) => JsonArg::Scalar(value_json(v)),
        Col::Array(values) => {
            if ty == ScalarType::Dynamic {
                let json = crate::dynamic::to_json_array(values);
                let texts = super::strings_of(&json)?;
                JsonArg::Rows(
                    texts.iter().map(|t| t.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Json::Null)).collect(),
                )
            } else {
                JsonArg::Rows((0..values.len()).map(|r| value_json(&value_at(values, r, ty))).collect())
            }
        }
    })
}

fn json_args(a: &Args, from: usize) -> Result<Vec<JsonArg>> {
    (from..a.cols.len()).map(|i| json_arg(a, i)).collect()
}

/// A dynamic column of the values `f` computes per row (None = null).
pub(super) fn dynamic_rows(a: &Args, f: impl Fn(usize) -> Option<Json>) -> Col {
    let mut b = StringBuilder::new();
    for r in 0..a.rows() {
        match f(r) {
            Some(Json::Null) | None => b.append_null(),
            Some(j) => b.append_value(j.to_string()),
        }
    }
    a.finish(Arc::new(b.finish()) as ArrayRef)
}

/// `pack_array(v1, …)`: the values as a dynamic array (pack-array-function).
pub fn pack_array(a: &Args) -> Result<Col> {
    let args = json_args(a, 0)?;
    Ok(dynamic_rows(a, |r| Some(Json::Array(args.iter().map(|x| x.get(r).clone()).collect()))))
}

/// `bag_pack(k1, v1, …)` / `pack`: a property bag of the key/value pairs;
/// a key that is null or not a string leaves its pair out
/// (bag-pack-function).
pub fn bag_pack(a: &Args) -> Result<Col> {
    pack_pairs(a, 0, false)
}

/// A bag of the key/value argument pairs from argument `from` on; pairs
/// whose value is null or "" left out when `skip_empty`.
fn pack_pairs(a: &Args, from: usize, skip_empty: bool) -> Result<Col> {
    let args = json_args(a, from)?;
    Ok(dynamic_rows(a, |r| {
        let mut bag = Map::new();
        for pair in args.chunks(2) {
            if let [k, v] = pair
                && let Json::String(k) = k.get(r)
            {
                let v = v.get(r);
                if skip_empty && (v.is_null() || v.as_str() == Some("")) {
                    continue;
                }
                bag.insert(k.clone(), v.clone());
            }
        }
        Some(Json::Object(bag))
    }))
}

/// `pack_all([ignore_null_empty])`, bound with the row's columns as
/// name/value arguments after the flag: a bag of them all, or of those
/// neither null nor "" when the flag is true (pack-all-function's example:
/// `pack_all(true)` leaves out `"TargetNumber": ""`).
pub fn pack_all(a: &Args) -> Result<Col> {
    let skip_empty = matches!(a.constant(0, kql_syntax::ScalarType::Bool)?, Some(kql_types::Value::Bool(Some(true))));
    pack_pairs(a, 1, skip_empty)
}

/// `array_reverse(array)`: its elements in reverse order; null if it is
/// not an array (array_reverse page: ["this", "is", "an", "example"]
/// becomes ["example", "an", "is", "this"]).
pub fn array_reverse(a: &Args) -> Result<Col> {
    let arr = json_arg(a, 0)?;
    Ok(dynamic_rows(a, |r| match arr.get(r) {
        Json::Array(items) => Some(Json::Array(items.iter().rev().cloned().collect())),
        _ => None,
    }))
}

/// `bag_keys(bag)`: its keys, in the bag's order; null if not a bag
/// (bag-keys-function).
pub fn bag_keys(a: &Args) -> Result<Col> {
    let bag = json_arg(a, 0)?;
    Ok(dynamic_rows(a, |r| match bag.get(r) {
        Json::Object(m) => Some(Json::Array(m.keys().map(|k| Json::String(k.clone())).collect())),
        _ => None,
    }))
}

/// `bag_merge(b1, b2, …)`: all properties; a key present in several bags
/// keeps the leftmost bag's value (bag-merge-function). Arguments that are
/// not bags add nothing.
pub fn bag_merge(a: &Args) -> Result<Col> {
    let args = json_args(a, 0)?;
    Ok(dynamic_rows(a, |r| {
        let mut bag = Map::new();
        for arg in &args {
            if let Json::Object(m) = arg.get(r) {
                for (k, v) in m {
                    bag.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        Some(Json::Object(bag))
    }))
}

pub(super) fn array(j: &Json) -> Option<&Vec<Json>> {
    match j {
        Json::Array(items) => Some(items),
        _ => None,
    }
}

/// `array_concat(a1, …)`: one array of all elements in order; null when
/// an argument is not an array (array-concat-function).
pub fn array_concat(a: &Args) -> Result<Col> {
    let args = json_args(a, 0)?;
    Ok(dynamic_rows(a, |r| {
        let mut out = Vec::new();
        for arg in &args {
            out.extend(array(arg.get(r))?.iter().cloned());
        }
        Some(Json::Array(out))
    }))
}

/// `array_slice(arr, start, end)`: elements start..=end, negative indexes
/// counted from the end, out-of-range indexes clipped
/// (array-slice-function).
pub fn array_slice(a: &Args) -> Result<Col> {
    let arr = json_arg(a, 0)?;
    let (starts, ends) = (a.longs(1)?, a.longs(2)?);
    let mut out = Vec::with_capacity(a.rows());
    for r in 0..a.rows() {
        let (Some(items), Some(start), Some(end)) = (array(arr.get(r)), starts.get(r), ends.get(r)) else {
            out.push(None);
            continue;
        };
        let len = items.len() as i64;
        let fix = |i: i64| if i < 0 { len + i } else { i };
        let (s, e) = (fix(start).max(0), fix(end).min(len - 1));
        out.push(Some(Json::Array(if s > e { Vec::new() } else { items[s as usize..=e as usize].to_vec() })));
    }
    Ok(dynamic_rows(a, |r| out[r].clone()))
}

/// The order of array_sort_asc (array-sort-asc-function): numbers (and
/// datetime/timespan, which dynamic holds as text here, so with strings),
/// then strings, then everything else; nulls placed by `nulls_last`.
fn rank(j: &Json) -> u8 {
    match j {
        Json::Number(_) => 0,
        Json::String(_) => 1,
        Json::Bool(_) => 2,
        Json::Array(_) | Json::Object(_) => 3,
        Json::Null => 4,
    }
}

fn compare(x: &Json, y: &Json) -> Ordering {
    match (x, y) {
        (Json::Number(a), Json::Number(b)) => a.as_f64().unwrap_or(f64::NAN).total_cmp(&b.as_f64().unwrap_or(f64::NAN)),
        (Json::String(a), Json::String(b)) => a.cmp(b),
        (Json::Bool(a), Json::Bool(b)) => a.cmp(b),
        _ => rank(x).cmp(&rank(y)),
    }
}

/// `array_sort_asc(arr[, nulls_last])` / `array_sort_desc`: one array
/// sorted (nulls last unless `nulls_last` is false); null if not an array.
/// Several arrays (sorted together into several columns) are reported as
/// unsupported when binding.
pub fn array_sort(a: &Args, descending: bool) -> Result<Col> {
    let arr = json_arg(a, 0)?;
    let nulls_last = if a.cols.len() > 1 { Some(json_arg(a, 1)?) } else { None };
    Ok(dynamic_rows(a, |r| {
        let mut items = array(arr.get(r))?.clone();
        let last = nulls_last.as_ref().is_none_or(|n| n.get(r).as_bool() != Some(false));
        items.sort_by(|x, y| match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if last {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, true) => {
                if last {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, false) if descending => compare(y, x),
            (false, false) => compare(x, y),
        });
        Some(Json::Array(items))
    }))
}

/// Dynamic equality as the set functions and array_index_of use it:
/// numbers by value (1 equals 1.0), everything else as JSON.
pub(super) fn same(x: &Json, y: &Json) -> bool {
    match (x, y) {
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        _ => x == y,
    }
}

/// `array_index_of(arr, value[, start[, length[, occurrence]]])`
/// (array-index-of-function): the 0-based index of the `occurrence`-th
/// match among `length` elements from `start` (negative: counted from the
/// end; length -1: to the end), -1 if none; null for occurrence < 0,
/// length < -1, or an `arr` that is not an array.
pub fn array_index_of(a: &Args) -> Result<Col> {
    let arr = json_arg(a, 0)?;
    let value = json_arg(a, 1)?;
    let optional = |i: usize| -> Result<Option<super::Prims<arrow_array::types::Int64Type>>> {
        if a.cols.len() > i { a.longs(i).map(Some) } else { Ok(None) }
    };
    let (starts, lengths, occurrences) = (optional(2)?, optional(3)?, optional(4)?);
    let get = |p: &Option<super::Prims<arrow_array::types::Int64Type>>, r: usize, default: i64| match p {
        Some(p) => p.get(r),
        None => Some(default),
    };
    let mut b = Int64Builder::with_capacity(a.rows());
    for r in 0..a.rows() {
        let (Some(items), Some(start), Some(length), Some(occurrence)) =
            (array(arr.get(r)), get(&starts, r, 0), get(&lengths, r, -1), get(&occurrences, r, 1))
        else {
            b.append_null();
            continue;
        };
        if occurrence < 0 || length < -1 {
            b.append_null();
            continue;
        }
        let len = items.len() as i64;
        let from = if start < 0 { (len + start).max(0) } else { start };
        let to = if length == -1 { len } else { (from + length).min(len) };
        let target = value.get(r);
        let found = (from..to.max(from))
            .filter(|&i| same(&items[i as usize], target))
            .nth(usize::try_from(occurrence.max(1) - 1).unwrap_or(usize::MAX));
        b.append_value(found.unwrap_or(-1));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `array_sum(arr)`: the sum of a numeric array as real; null if not an
/// array or if an element is not a number (array-sum-function).
pub fn array_sum(a: &Args) -> Result<Col> {
    let arr = json_arg(a, 0)?;
    let mut b = Float64Builder::with_capacity(a.rows());
    for r in 0..a.rows() {
        let sum = array(arr.get(r)).and_then(|items| items.iter().map(Json::as_f64).sum::<Option<f64>>());
        b.append_option(sum);
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// The distinct values of `items`, first occurrence first.
fn distinct(items: impl IntoIterator<Item = Json>) -> Vec<Json> {
    let mut out: Vec<Json> = Vec::new();
    for j in items {
        if !out.iter().any(|o| same(o, &j)) {
            out.push(j);
        }
    }
    out
}

#[derive(Clone, Copy)]
pub enum SetOp {
    Union,
    Intersect,
    Difference,
}

/// `set_union`, `set_intersect`, `set_difference` (set-union-function &
/// co.): the distinct values of every array / of those in all of them / of
/// the first that are in none of the others; null when an argument is not
/// an array.
pub fn set_op(a: &Args, op: SetOp) -> Result<Col> {
    let args = json_args(a, 0)?;
    Ok(dynamic_rows(a, |r| {
        let arrays: Vec<&Vec<Json>> = args.iter().map(|x| array(x.get(r))).collect::<Option<_>>()?;
        let (first, rest) = arrays.split_first()?;
        let out = match op {
            SetOp::Union => distinct(arrays.iter().flat_map(|x| x.iter().cloned())),
            SetOp::Intersect => {
                distinct(first.iter().filter(|v| rest.iter().all(|o| o.iter().any(|x| same(x, v)))).cloned())
            }
            SetOp::Difference => {
                distinct(first.iter().filter(|v| !rest.iter().any(|o| o.iter().any(|x| same(x, v)))).cloned())
            }
        };
        Some(Json::Array(out))
    }))
}

/// `set_equals(a, b)`: true if the arrays hold the same distinct values,
/// whatever their order or repetitions (set_equals page:
/// set_equals(dynamic([1, 2, 3]), dynamic([3, 2, 1])) is true,
/// set_equals(dynamic([1, 2, 3]), dynamic([1, 2])) false); null if either
/// is not an array.
pub fn set_equals(a: &Args) -> Result<Col> {
    let (x, y) = (json_arg(a, 0)?, json_arg(a, 1)?);
    let mut b = BooleanBuilder::with_capacity(a.rows());
    for r in 0..a.rows() {
        b.append_option(array(x.get(r)).zip(array(y.get(r))).map(|(x, y)| {
            x.iter().all(|v| y.iter().any(|w| same(v, w))) && y.iter().all(|w| x.iter().any(|v| same(v, w)))
        }));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `jaccard_index(a, b)`: |a ∩ b| / |a ∪ b| over the arrays' distinct
/// values (jaccard_index page: [1,2,3] and [1,2,3,4] give 0.75), as a real
/// division (two empty arrays: NaN); null if either is not an array.
pub fn jaccard_index(a: &Args) -> Result<Col> {
    let (x, y) = (json_arg(a, 0)?, json_arg(a, 1)?);
    let mut b = arrow_array::builder::Float64Builder::with_capacity(a.rows());
    for r in 0..a.rows() {
        b.append_option(array(x.get(r)).zip(array(y.get(r))).map(|(x, y)| {
            let (x, y) = (distinct(x.iter().cloned()), distinct(y.iter().cloned()));
            let common = x.iter().filter(|v| y.iter().any(|w| same(v, w))).count();
            common as f64 / (x.len() + y.len() - common) as f64
        }));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `array_iff(conditions, when_true, when_false)` / `array_iif`: per
/// element of the condition array, the element of `when_true` or
/// `when_false` at the same place (or the value itself when it is not an
/// array; null past an array's end). A number is true when it is not 0; any
/// other condition gives null (array_iff page: [true,false,true] with
/// [1,2,3] and [4,5,6] is [1,5,3]; [1,0,50] with "yes"/"no" is
/// ["yes","no","yes"]). Null if the conditions are not an array.
pub fn array_iff(a: &Args) -> Result<Col> {
    let (cond, yes, no) = (json_arg(a, 0)?, json_arg(a, 1)?, json_arg(a, 2)?);
    let pick = |j: &Json, i: usize| match j {
        Json::Array(items) => items.get(i).cloned().unwrap_or(Json::Null),
        other => other.clone(),
    };
    Ok(dynamic_rows(a, |r| {
        let out = array(cond.get(r))?
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let truth = match c {
                    Json::Bool(b) => Some(*b),
                    Json::Number(n) => n.as_f64().map(|v| v != 0.0),
                    _ => None,
                };
                match truth {
                    Some(true) => pick(yes.get(r), i),
                    Some(false) => pick(no.get(r), i),
                    None => Json::Null,
                }
            })
            .collect();
        Some(Json::Array(out))
    }))
}

/// `bag_zip(keys, values)`: a bag of each string key with the value at the
/// same place (null past the values' end); a key that is not a string is
/// left out (bag_zip page: ['a','b','c'] with [1,'2',3.4] is
/// {"a":1,"b":"2","c":3.4}). Null if either is not an array.
pub fn bag_zip(a: &Args) -> Result<Col> {
    let (keys, values) = (json_arg(a, 0)?, json_arg(a, 1)?);
    Ok(dynamic_rows(a, |r| {
        let (keys, values) = (array(keys.get(r))?, array(values.get(r))?);
        let mut bag = Map::new();
        for (i, k) in keys.iter().enumerate() {
            if let Json::String(k) = k {
                bag.insert(k.clone(), values.get(i).cloned().unwrap_or(Json::Null));
            }
        }
        Some(Json::Object(bag))
    }))
}

/// The most elements `repeat` makes in one array (Kusto's own limit is not
/// documented; this keeps one call from exhausting memory).
const MAX_REPEAT: i64 = 1 << 20;

/// `repeat(value, count)`: an array of `count` copies of the value, empty
/// where count is zero or less (repeat page: repeat(1, 3) is [1,1,1],
/// repeat("asd", 3) ["asd","asd","asd"]); null for a null count.
pub fn repeat(a: &Args) -> Result<Col> {
    let value = json_arg(a, 0)?;
    let count = a.longs(1)?;
    for r in 0..a.rows() {
        if count.get(r).is_some_and(|c| c > MAX_REPEAT) {
            return Err(crate::error::ExecError::Runtime {
                message: format!("repeat() of more than {MAX_REPEAT} elements"),
                span: a.arg_span(1),
                help: None,
            });
        }
    }
    Ok(dynamic_rows(a, |r| {
        let c = count.get(r)?;
        Some(Json::Array(vec![value.get(r).clone(); c.max(0) as usize]))
    }))
}

/// `set_has_element(arr, value)`: true if the array holds the value; null
/// if `arr` is not an array (set-has-element-function).
pub fn set_has_element(a: &Args) -> Result<Col> {
    let arr = json_arg(a, 0)?;
    let value = json_arg(a, 1)?;
    let mut b = BooleanBuilder::with_capacity(a.rows());
    for r in 0..a.rows() {
        b.append_option(array(arr.get(r)).map(|items| items.iter().any(|x| same(x, value.get(r)))));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// The text of an element in strcat_array: strings as they are, other
/// values as JSON, null as "".
fn element_text(j: &Json) -> String {
    match j {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// `strcat_array(arr, delimiter)`: the elements joined; "" if `arr` is not
/// an array (strcat-array-function).
pub fn strcat_array(a: &Args) -> Result<Col> {
    let arr = json_arg(a, 0)?;
    let delim = a.strs(1)?;
    let mut b = StringBuilder::new();
    for r in 0..a.rows() {
        let d = delim.get(r);
        let text = array(arr.get(r)).map(|items| items.iter().map(element_text).collect::<Vec<_>>().join(d));
        b.append_value(text.unwrap_or_default());
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `zip(a1, a2, …)`: an array of arrays holding the elements of the same
/// index, as long as the longest input, missing elements null
/// (zip-function); null when an argument is not an array.
pub fn zip(a: &Args) -> Result<Col> {
    let args = json_args(a, 0)?;
    Ok(dynamic_rows(a, |r| {
        let arrays: Vec<&Vec<Json>> = args.iter().map(|x| array(x.get(r))).collect::<Option<_>>()?;
        let n = arrays.iter().map(|x| x.len()).max().unwrap_or(0);
        Some(Json::Array(
            (0..n)
                .map(|i| Json::Array(arrays.iter().map(|x| x.get(i).cloned().unwrap_or(Json::Null)).collect()))
                .collect(),
        ))
    }))
}
