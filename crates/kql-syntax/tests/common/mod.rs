//! Helpers shared by the parser tests.
#![allow(dead_code)]

use serde_json::Value;

/// A file of the repository, by path from the workspace root.
pub fn repo_file(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The AST as JSON with every span replaced by null, so trees parsed from
/// differently laid-out text compare equal.
pub fn without_spans(script: &kql_syntax::ast::Script) -> Value {
    let mut v = serde_json::to_value(script).expect("AST serializes");
    strip(&mut v);
    v
}

fn strip(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let is_span = map.len() == 2 && map.contains_key("start") && map.contains_key("end");
            if is_span {
                *v = Value::Null;
            } else {
                map.values_mut().for_each(strip);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// Parses `src`, prints it canonically, parses that, and checks both trees
/// are equal and printing is stable. Returns the canonical text.
pub fn assert_round_trip(src: &str) -> String {
    let first = kql_syntax::parse(src);
    assert!(first.errors.is_empty(), "{src}\n{:#?}", first.errors);
    let printed = first.script.to_string();
    let second = kql_syntax::parse(&printed);
    assert!(second.errors.is_empty(), "canonical text does not parse:\n{printed}\n{:#?}", second.errors);
    assert_eq!(
        without_spans(&first.script),
        without_spans(&second.script),
        "round trip changed the tree:\n{src}\n---\n{printed}"
    );
    assert_eq!(second.script.to_string(), printed, "printing is not stable");
    printed
}
