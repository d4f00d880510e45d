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

/// Parses one scalar expression, failing the test with the errors if it does not parse.
pub fn expr(src: &str) -> kql_syntax::ast::Expr {
    kql_syntax::parse_expression(src).unwrap_or_else(|e| panic!("{src}: {e:#?}"))
}

/// Parses a whole text that must have no errors.
pub fn script(src: &str) -> kql_syntax::ast::Script {
    let parsed = kql_syntax::parse(src);
    assert!(parsed.errors.is_empty(), "{src}\n{:#?}", parsed.errors);
    parsed.script
}

/// The only statement of `src`, which must be a query.
pub fn query(src: &str) -> kql_syntax::ast::Query {
    let s = script(src);
    assert_eq!(s.statements.len(), 1, "{src}");
    match s.statements.into_iter().next().map(|s| s.kind) {
        Some(kql_syntax::ast::StatementKind::Query(q)) => q,
        other => panic!("{src}: not a query: {other:?}"),
    }
}

/// The operators of the only query in `src`.
pub fn operators(src: &str) -> Vec<kql_syntax::ast::OperatorKind> {
    query(src).operators.into_iter().map(|o| o.kind).collect()
}

/// The diagnostic codes of parsing `src`, in order.
pub fn codes(src: &str) -> Vec<String> {
    use miette::Diagnostic;
    kql_syntax::parse(src).errors.iter().map(|e| e.code().map(|c| c.to_string()).unwrap_or_default()).collect()
}

/// The tree of `e` as an S-expression (`(+ a (* b c))`): shows its shape
/// without going through the canonical printer. Literals and names print
/// as in KQL; `(neg x)` is unary minus, `([] a i)` indexing, `(. a m)`
/// member access, `(paren e)` explicit parentheses, `f(a b)` a call.
pub fn sexpr(e: &kql_syntax::ast::Expr) -> String {
    use kql_syntax::ast::{ExprKind, UnaryOp};
    let list = |items: &[kql_syntax::ast::Expr]| items.iter().map(sexpr).collect::<Vec<_>>().join(" ");
    match &e.kind {
        ExprKind::Literal(l) => l.to_string(),
        ExprKind::Name(id) => id.name.clone(),
        ExprKind::Call { function, args } => format!("{}({})", function.name, list(args)),
        ExprKind::Star => "*".into(),
        ExprKind::Index { target, index } => format!("([] {} {})", sexpr(target), sexpr(index)),
        ExprKind::Member { target, member } => format!("(. {} {})", sexpr(target), member.name),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => format!("(neg {})", sexpr(operand)),
        ExprKind::Unary { op: UnaryOp::Plus, operand } => format!("(pos {})", sexpr(operand)),
        ExprKind::Binary { op, left, right, .. } => format!("({} {} {})", op.symbol(), sexpr(left), sexpr(right)),
        ExprKind::In { op, expr, list: items, .. } => format!("({} {} [{}])", op.symbol(), sexpr(expr), list(items)),
        ExprKind::Between { negated, expr, low, high, .. } => {
            format!("({}between {} {} {})", if *negated { "!" } else { "" }, sexpr(expr), sexpr(low), sexpr(high))
        }
        ExprKind::Paren(inner) => format!("(paren {})", sexpr(inner)),
        ExprKind::Query(q) => format!("(query {})", q.to_string().replace('\n', " ")),
        ExprKind::NamedArg { name, value } => format!("(= {} {})", name.name, sexpr(value)),
        ExprKind::Function(def) => format!("(function {def})"),
        ExprKind::ColumnTerm { column, term } => format!("(term {} {term:?})", column.name),
    }
}
