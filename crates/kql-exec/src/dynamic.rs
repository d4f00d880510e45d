//! Kusto `dynamic` values: conversions between the encodings of
//! [`DynRepr`](crate::physical::DynRepr) and the columnar kernels the
//! article's queries lean on (`split`, `[i]`, `mv-expand`).

use crate::physical::{DynRepr, dyn_repr, str_array_type};
use arrow_array::builder::{LargeStringBuilder, ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::*;
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::DataType;
use serde_json::Value as Json;
use std::sync::Arc;

fn json_text(v: &Json) -> String {
    v.to_string()
}

/// A value as Kusto puts it in a dynamic value (`pack_array(x)`,
/// `bag_pack("k", x)`, `make_list(x)`): numbers and bools as JSON,
/// datetime, timespan, guid and decimal as their text, null as JSON null.
/// A datetime keeps all 7 fraction digits there
/// (`"2007-12-20T11:30:00.0000000Z"` on the percentile-tdigest page, the
/// time axes on the make-series page), where a datetime cell shows them
/// trimmed.
pub fn value_json(v: &kql_types::Value) -> Json {
    use kql_types::Value as V;
    match v {
        V::Bool(Some(b)) => Json::Bool(*b),
        V::Int(Some(x)) => Json::from(*x),
        V::Long(Some(x)) => Json::from(*x),
        V::Real(Some(x)) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
        V::DateTime(Some(t)) => Json::String(kql_types::time::format_datetime(*t)),
        V::Timespan(Some(t)) => Json::String(kql_syntax::time::format_timespan(*t)),
        V::String(s) => Json::String(s.clone()),
        V::Decimal(Some(d)) | V::Guid(Some(d)) => Json::String(d.clone()),
        V::Dynamic(d) => d.to_json(),
        _ => Json::Null,
    }
}

/// Any dynamic encoding as JSON text (Utf8, null = dynamic null).
pub fn to_json_array(array: &ArrayRef) -> ArrayRef {
    match dyn_repr(array.data_type()) {
        Some(DynRepr::Json) | None => array.clone(),
        Some(DynRepr::Str) => {
            let s = array.as_string::<i64>();
            let out: StringArray = s.iter().map(|v| v.map(|v| json_text(&Json::String(v.to_string())))).collect();
            Arc::new(out)
        }
        Some(DynRepr::StrArray) => {
            let list = array.as_list::<i32>();
            let out: StringArray = (0..list.len())
                .map(|i| {
                    (!list.is_null(i)).then(|| {
                        let items = list.value(i);
                        let items = items.as_string::<i32>();
                        let v: Vec<Json> =
                            items.iter().map(|x| x.map_or(Json::Null, |x| Json::String(x.to_string()))).collect();
                        json_text(&Json::Array(v))
                    })
                })
                .collect();
            Arc::new(out)
        }
    }
}

/// A dynamic value's JSON text with the keys of every property bag in it
/// sorted: the one text of all the ways of writing the value. A bag keeps
/// the order its keys were written in (and prints it), but its slots "are
/// unordered" (learn.microsoft.com/kusto/query/scalar-data-types/dynamic),
/// so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same value: `==` and
/// `!=` compare this text. (`distinct`, join keys and the set functions
/// still compare the written text, key order included: docs/language.md's
/// known differences.)
pub fn canonical_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('{') {
        return std::borrow::Cow::Borrowed(text);
    }
    match serde_json::from_str::<Json>(text) {
        Ok(mut v) => {
            v.sort_all_objects();
            std::borrow::Cow::Owned(json_text(&v))
        }
        Err(_) => std::borrow::Cow::Borrowed(text),
    }
}

/// A dynamic column (any encoding) as the [`canonical_text`] of each row
/// (Utf8, null = dynamic null).
pub fn canonical_array(array: &ArrayRef) -> ArrayRef {
    let json = to_json_array(array);
    let texts = json.as_string::<i32>();
    if !texts.iter().flatten().any(|t| t.contains('{')) {
        return json;
    }
    let out: StringArray = texts.iter().map(|t| t.map(|t| canonical_text(t).into_owned())).collect();
    Arc::new(out)
}

/// `tostring()` of dynamic values: a string value itself, other values as
/// JSON text, null as "".
pub fn to_string_array(array: &ArrayRef) -> StringArray {
    match dyn_repr(array.data_type()) {
        Some(DynRepr::Str) => array.as_string::<i64>().iter().map(|v| Some(v.unwrap_or(""))).collect(),
        Some(DynRepr::Json) => array
            .as_string::<i32>()
            .iter()
            .map(|v| {
                Some(match v {
                    None => String::new(),
                    Some(text) => match serde_json::from_str::<Json>(text) {
                        Ok(Json::String(s)) => s,
                        Ok(Json::Null) => String::new(),
                        Ok(other) => json_text(&other),
                        Err(_) => text.to_string(),
                    },
                })
            })
            .collect(),
        Some(DynRepr::StrArray) | None => {
            let json = to_json_array(array);
            json.as_string::<i32>().iter().map(|v| Some(v.unwrap_or("").to_string())).collect()
        }
    }
}

/// `split(s, sep)`: a List<Utf8> with one array per row. Kusto: the empty
/// string splits to `[""]`; an empty separator gives the whole string.
pub fn split(strings: &StringArray, sep: &str) -> ArrayRef {
    let mut b = ListBuilder::with_capacity(
        StringBuilder::with_capacity(strings.len(), strings.value_data().len()),
        strings.len(),
    );
    for s in strings.iter() {
        let s = s.unwrap_or("");
        let mut chars = sep.chars();
        match (chars.next(), chars.next()) {
            (None, _) => b.values().append_value(s),
            // One character: a memchr search rather than a substring search.
            (Some(c), None) => s.split(c).for_each(|part| b.values().append_value(part)),
            _ => s.split(sep).for_each(|part| b.values().append_value(part)),
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

/// Resolves a Kusto index (negative counts from the end) into `len` items.
fn resolve_index(i: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let k = if i < 0 { len + i } else { i };
    (0..len).contains(&k).then_some(k as usize)
}

/// `d[i]` for each row with a per-row (or constant) index; out of range is null.
pub fn index(array: &ArrayRef, idx: &dyn Fn(usize) -> Option<Json>) -> ArrayRef {
    match dyn_repr(array.data_type()) {
        Some(DynRepr::StrArray) => {
            let list = array.as_list::<i32>();
            // Elements are read in place through the offsets (no per-row slices).
            let offsets = list.value_offsets();
            let items = list.values().as_string::<i32>();
            let mut b = LargeStringBuilder::with_capacity(list.len(), items.value_data().len() / 2);
            for row in 0..list.len() {
                let pick = match idx(row) {
                    Some(Json::Number(n)) if !list.is_null(row) => n.as_i64().and_then(|i| {
                        let start = usize::try_from(offsets[row]).ok()?;
                        let end = usize::try_from(offsets[row + 1]).ok()?;
                        let k = start + resolve_index(i, end - start)?;
                        (!items.is_null(k)).then(|| items.value(k))
                    }),
                    _ => None,
                };
                b.append_option(pick);
            }
            Arc::new(b.finish())
        }
        Some(DynRepr::Str) => Arc::new(LargeStringArray::new_null(array.len())),
        _ => {
            let json = to_json_array(array);
            let texts = json.as_string::<i32>();
            let out: StringArray = (0..texts.len())
                .map(|row| {
                    let v: Json = texts.is_valid(row).then(|| serde_json::from_str(texts.value(row)).ok()).flatten()?;
                    let picked = match (v, idx(row)?) {
                        (Json::Array(items), Json::Number(n)) => {
                            resolve_index(n.as_i64()?, items.len()).map(|k| items[k].clone())
                        }
                        (Json::Object(mut m), Json::String(key)) => m.remove(&key),
                        _ => None,
                    }?;
                    (!picked.is_null()).then(|| json_text(&picked))
                })
                .collect();
            Arc::new(out)
        }
    }
}

/// For mv-expand: each row's elements as (row index repeated per element,
/// element values). A null value expands to one null element; an empty
/// array or bag to none (Kusto's mv-expand rules).
pub struct Expanded {
    pub counts: Vec<usize>,
    pub values: ArrayRef,
}

/// `bag_as_array` (mv-expand `kind=array`): a property becomes `[key, value]`.
pub fn expand(array: &ArrayRef, bag_as_array: bool) -> Expanded {
    match dyn_repr(array.data_type()) {
        Some(DynRepr::StrArray) => {
            let list = array.as_list::<i32>();
            let offsets = list.offsets();
            let mut counts = Vec::with_capacity(list.len());
            let mut b = LargeStringBuilder::with_capacity(
                list.values().len() + list.null_count(),
                list.values().get_array_memory_size(),
            );
            let items = list.values().as_string::<i32>();
            for row in 0..list.len() {
                if list.is_null(row) {
                    counts.push(1);
                    b.append_null();
                    continue;
                }
                let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
                counts.push(end - start);
                for k in start..end {
                    b.append_option(items.is_valid(k).then(|| items.value(k)));
                }
            }
            Expanded { counts, values: Arc::new(b.finish()) }
        }
        Some(DynRepr::Str) => Expanded { counts: vec![1; array.len()], values: array.clone() },
        _ => {
            let texts = array.as_string::<i32>();
            let mut counts = Vec::with_capacity(texts.len());
            let mut b = StringBuilder::new();
            for row in 0..texts.len() {
                let v = texts.is_valid(row).then(|| serde_json::from_str::<Json>(texts.value(row)).ok()).flatten();
                match v {
                    None | Some(Json::Null) => {
                        counts.push(1);
                        b.append_null();
                    }
                    Some(Json::Array(items)) => {
                        counts.push(items.len());
                        for item in items {
                            b.append_option((!item.is_null()).then(|| json_text(&item)));
                        }
                    }
                    Some(Json::Object(fields)) => {
                        // kind=bag: each property becomes a one-property bag;
                        // kind=array: a [key, value] array.
                        counts.push(fields.len());
                        for (k, v) in fields {
                            let item = if bag_as_array {
                                Json::Array(vec![Json::String(k), v])
                            } else {
                                let mut one = serde_json::Map::new();
                                one.insert(k, v);
                                Json::Object(one)
                            };
                            b.append_value(json_text(&item));
                        }
                    }
                    Some(other) => {
                        counts.push(1);
                        b.append_value(json_text(&other));
                    }
                }
            }
            Expanded { counts, values: Arc::new(b.finish()) }
        }
    }
}

/// A List<Utf8> from per-row string lists (for make_list/make_set of strings).
pub fn str_arrays(rows: Vec<Vec<String>>) -> ArrayRef {
    let mut offsets = Vec::with_capacity(rows.len() + 1);
    offsets.push(0i32);
    let mut values = StringBuilder::new();
    let mut total = 0i32;
    for r in &rows {
        for s in r {
            values.append_value(s);
        }
        total += i32::try_from(r.len()).unwrap_or(i32::MAX);
        offsets.push(total);
    }
    let DataType::List(field) = str_array_type() else { unreachable!("str_array_type is a list") };
    Arc::new(ListArray::new(field, OffsetBuffer::new(ScalarBuffer::from(offsets)), Arc::new(values.finish()), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> StringArray {
        StringArray::from(v.to_vec())
    }

    #[test]
    fn split_keeps_empty_strings() {
        // Kusto: split("", " ") is [""], so the row survives mv-expand once.
        let a = split(&strings(&["a b", "", "c"]), " ");
        let json = to_json_array(&a);
        let j = json.as_string::<i32>();
        assert_eq!(j.value(0), r#"["a","b"]"#);
        assert_eq!(j.value(1), r#"[""]"#);
        let e = expand(&a, false);
        assert_eq!(e.counts, [2, 1, 1]);
        assert_eq!(e.values.as_string::<i64>().iter().collect::<Vec<_>>(), [Some("a"), Some("b"), Some(""), Some("c")]);
    }

    #[test]
    fn indexing_string_arrays() {
        let a = split(&strings(&["1.2.3.4|1|0", "x"]), "|");
        let first = index(&a, &|_| Some(Json::from(0)));
        assert_eq!(to_string_array(&first).iter().collect::<Vec<_>>(), [Some("1.2.3.4"), Some("x")]);
        let last = index(&a, &|_| Some(Json::from(-1)));
        assert_eq!(to_string_array(&last).iter().collect::<Vec<_>>(), [Some("0"), Some("x")]);
        // Out of range is null; tostring of null is "".
        let out = index(&a, &|_| Some(Json::from(5)));
        assert!(out.is_null(0));
        assert_eq!(to_string_array(&out).value(1), "");
    }

    #[test]
    fn bags_in_any_key_order_have_one_canonical_text() {
        assert_eq!(
            canonical_text(r#"{"b":1,"a":{"d":2,"c":[{"f":3,"e":4}]}}"#),
            r#"{"a":{"c":[{"e":4,"f":3}],"d":2},"b":1}"#
        );
        assert_eq!(canonical_text("[1,2]"), "[1,2]");
        let j: ArrayRef = Arc::new(StringArray::from(vec![Some(r#"{"b":1,"a":2}"#), None, Some(r#"{"a":2,"b":1}"#)]));
        let c = canonical_array(&j);
        let c = c.as_string::<i32>();
        assert_eq!(c.value(0), c.value(2));
        assert!(c.is_null(1));
    }

    #[test]
    fn json_values() {
        let j: ArrayRef = Arc::new(StringArray::from(vec![Some(r#"{"a":[1,2]}"#), Some("[]"), None, Some(r#""s""#)]));
        let e = expand(&j, false);
        assert_eq!(e.counts, [1, 0, 1, 1], "empty arrays expand to no rows, null to one");
        let member = index(&j, &|_| Some(Json::from("a")));
        assert_eq!(member.as_string::<i32>().value(0), "[1,2]");
        assert_eq!(to_string_array(&j).value(3), "s");
    }
}
