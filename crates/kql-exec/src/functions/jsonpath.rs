//! extract_json / extractjson: an element of JSON text by a JSONPath;
//! bag_has_key / bag_remove_keys / bag_set_key: a bag's keys or JSONPaths; gettype: the
//! runtime type of a value.

use super::Args;
use super::bags::{dynamic_rows, json_arg};
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::builder::BooleanBuilder;
use arrow_array::builder::StringBuilder;
use kql_syntax::ScalarType;
use serde_json::Value as Json;
use std::sync::Arc;

/// One step of a path: a property or an array index.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The steps of a JSONPath as the extract_json page describes it: `$` for
/// the root, then `.name`, `['name']` (or `["name"]`) and `[index]`;
/// wildcards, recursion, unions and slices are not implemented in Kusto
/// either. `None` for anything else.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return None;
            }
            steps.push(Step::Key(r[..end].to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            let inner = r[..close].trim();
            let quoted = |q: char| inner.strip_prefix(q).and_then(|s| s.strip_suffix(q));
            if let Some(key) = quoted('\'').or_else(|| quoted('"')) {
                steps.push(Step::Key(key.to_string()));
            } else {
                steps.push(Step::Index(inner.parse().ok()?));
            }
            rest = &r[close + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

fn follow<'j>(mut json: &'j Json, steps: &[Step]) -> Option<&'j Json> {
    for step in steps {
        json = match (step, json) {
            (Step::Key(k), Json::Object(m)) => m.get(k)?,
            (Step::Index(i), Json::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(json)
}

/// `extract_json(path, json)`: the element's text — a string as it is,
/// anything else as compact JSON; "" where the text is not JSON, the path
/// leads nowhere or the element is null (extract_json page: `$.name` of
/// `{"name": "John", …}` is John). With a type literal the binder converts
/// this text to the type.
pub fn extract_json(a: &Args) -> Result<Col> {
    let path = a.constant_str(0)?.unwrap_or_default();
    let steps = parse_path(&path).ok_or_else(|| ExecError::Runtime {
        message: format!("`{path}` is not a JSONPath extract_json reads"),
        span: a.arg_span(0),
        help: Some("paths start at `$` and go on with `.name`, `['name']` and `[index]`".into()),
    })?;
    let text = a.strs(1)?;
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    for i in 0..n {
        let doc: Option<Json> = serde_json::from_str(text.get(i)).ok();
        match doc.as_ref().and_then(|d| follow(d, &steps)) {
            Some(Json::String(s)) => b.append_value(s),
            Some(Json::Null) | None => b.append_value(""),
            Some(other) => b.append_value(other.to_string()),
        }
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `bag_has_key(bag, key)`: whether the bag has the key — a property name,
/// or a JSONPath (`$.key2.prop1`) for a nested one; false for a value that
/// is not a bag (bag_has_key page). The page rules out array indexing in
/// the path: such a key is an error, not a silent false.
pub fn bag_has_key(a: &Args) -> Result<Col> {
    let bag = json_arg(a, 0)?;
    let key = a.strs(1)?;
    let n = a.rows();
    let mut b = BooleanBuilder::with_capacity(n);
    for i in 0..n {
        let steps = key_steps(key.get(i), a, 1, "bag_has_key")?;
        let value = bag.get(i);
        b.append_value(matches!(value, Json::Object(_)) && follow(value, &steps).is_some());
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// A key of bag_has_key / bag_remove_keys: a property name, or a JSONPath
/// (`$.a.b`) for a nested one; the pages rule out array indexing, so a
/// path with an index is an error rather than a silent miss.
fn key_steps(k: &str, a: &Args, arg: usize, function: &str) -> Result<Vec<Step>> {
    if !k.trim_start().starts_with('$') {
        return Ok(vec![Step::Key(k.to_string())]);
    }
    let steps = parse_path(k).ok_or_else(|| ExecError::Runtime {
        message: format!("`{k}` is not a JSONPath {function} reads"),
        span: a.arg_span(arg),
        help: Some("paths start at `$` and go on with `.name` or `['name']`".into()),
    })?;
    if steps.iter().any(|s| matches!(s, Step::Index(_))) {
        return Err(ExecError::Runtime {
            message: format!("`{k}` indexes an array, which {function} does not support"),
            span: a.arg_span(arg),
            help: None,
        });
    }
    Ok(steps)
}

/// Removes the property `steps` lead to, if there is one.
fn remove(json: &mut Json, steps: &[Step]) {
    let Some((last, path)) = steps.split_last() else { return };
    let mut at = json;
    for step in path {
        at = match (step, at) {
            (Step::Key(k), Json::Object(m)) => match m.get_mut(k) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    if let (Step::Key(k), Json::Object(m)) = (last, at) {
        m.remove(k);
    }
}

/// `bag_remove_keys(bag, keys)`: the bag without the keys (property names
/// or JSONPaths to nested ones, bag_remove_keys page: removing
/// `['$.key2.prop1', 'key3']` from {"key1": 123, "key2": {"prop1": "abc",
/// "prop2": "xyz"}, "key3": [100, 200]} leaves {"key1": 123, "key2":
/// {"prop2": "xyz"}}); null if it is not a bag or `keys` not an array.
pub fn bag_remove_keys(a: &Args) -> Result<Col> {
    let (bag, keys) = (json_arg(a, 0)?, json_arg(a, 1)?);
    let n = a.rows();
    let mut out: Vec<Option<Json>> = Vec::with_capacity(n);
    for r in 0..n {
        let (Json::Object(_), Json::Array(ks)) = (bag.get(r), keys.get(r)) else {
            out.push(None);
            continue;
        };
        let mut result = bag.get(r).clone();
        for k in ks {
            if let Json::String(k) = k {
                remove(&mut result, &key_steps(k, a, 1, "bag_remove_keys")?);
            }
        }
        out.push(Some(result));
    }
    Ok(dynamic_rows(a, |r| out[r].clone()))
}

/// `bag_set_key(bag, key, value)`: the bag with the key (a property name,
/// or a JSONPath to a nested one) set to the value, the bags on the way
/// made where missing (bag_set_key page: `$.key2.prop1` set to "abc" in
/// {"key1": 123} gives {"key1": 123, "key2": {"prop1": "abc"}}); a value on
/// the way that is not a bag is replaced by one. Null if `bag` is not a bag.
pub fn bag_set_key(a: &Args) -> Result<Col> {
    let (bag, key, value) = (json_arg(a, 0)?, a.strs(1)?, json_arg(a, 2)?);
    let n = a.rows();
    let mut out: Vec<Option<Json>> = Vec::with_capacity(n);
    for r in 0..n {
        let Json::Object(_) = bag.get(r) else {
            out.push(None);
            continue;
        };
        let steps = key_steps(key.get(r), a, 1, "bag_set_key")?;
        let mut result = bag.get(r).clone();
        let mut at = &mut result;
        for step in &steps {
            let Step::Key(k) = step else { break };
            if !at.is_object() {
                *at = Json::Object(serde_json::Map::new());
            }
            let Json::Object(m) = at else { break };
            at = m.entry(k.clone()).or_insert(Json::Null);
        }
        *at = value.get(r).clone();
        out.push(Some(result));
    }
    Ok(dynamic_rows(a, |r| out[r].clone()))
}

/// The name gettype gives a JSON value held in a dynamic (gettype page:
/// parse_json('1') is int, a string string, an object dictionary, an array
/// array, parse_json('') null).
fn json_type(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(n) => match n.as_i64() {
            Some(v) if i32::try_from(v).is_ok() => "int",
            Some(_) => "long",
            None => "real",
        },
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "dictionary",
    }
}

/// `gettype(value)`: the runtime type's name — of a dynamic value, its
/// element's (above); of any other, its scalar type's (gettype page:
/// gettype(111) is long, gettype(1s) timespan, gettype(123.45) real).
pub fn gettype(a: &Args) -> Result<Col> {
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, n * 8);
    if a.ty(0) == ScalarType::Dynamic {
        let values = json_arg(a, 0)?;
        for i in 0..n {
            b.append_value(json_type(values.get(i)));
        }
    } else {
        let name = a.ty(0).to_string();
        for _ in 0..n {
            b.append_value(&name);
        }
    }
    Ok(a.finish(Arc::new(b.finish())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_as_the_page_describes() {
        assert_eq!(parse_path("$"), Some(vec![]));
        assert_eq!(
            parse_path("$.hosts[1]['Available MB']"),
            Some(vec![Step::Key("hosts".into()), Step::Index(1), Step::Key("Available MB".into())])
        );
        assert_eq!(parse_path("$[\"a\"].b"), Some(vec![Step::Key("a".into()), Step::Key("b".into())]));
        for bad in ["name", "$.", "$[", "$[x]", "$..a", "$.a[*]"] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }
}
