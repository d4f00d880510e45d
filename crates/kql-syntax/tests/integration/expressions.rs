//! Scalar expressions: precedence, associativity and the shape of every
//! operator's tree.
//!
//! The reference is Kusto's own parser (Kusto.Language `QueryParser.cs`):
//! `ParseLogicalOrExpression` → `ParseLogicalAndExpression` →
//! `ParseEqualityExpression` (one `==`/`!=`/`<>`/`in`-family/`between`, not
//! chained) → `ParseRelationalExpresion` (one `<`/`<=`/`>`/`>=`) →
//! `ParseAdditiveExpression` → `ParseMultiplicativeExpression` →
//! `ParseStringOperation` (one `has`/`=~`/…; tighter than `*` and `+`) →
//! `ParseUnaryPlusOrMinusExpression` → `ParseFunctionCallOrPath` (calls,
//! `.member`, `[index]`).

use crate::common;

use common::{expr, sexpr};
use kql_syntax::ast::{BinaryOp, ExprKind, InOp, Literal};
use kql_syntax::parse_expression;

/// Asserts the tree shape of `src`.
#[track_caller]
fn shape(src: &str, expected: &str) {
    assert_eq!(sexpr(&expr(src)), expected, "{src}");
}

/// The parse of `src` fails (a non-chaining operator was chained, …).
#[track_caller]
fn rejects(src: &str) {
    assert!(parse_expression(src).is_err(), "{src} should not parse");
}

#[test]
fn or_is_loosest_and_binds_tighter() {
    shape("a or b and c", "(or a (and b c))");
    shape("a and b or c", "(or (and a b) c)");
    shape("a and b or c and d", "(or (and a b) (and c d))");
}

#[test]
fn logical_operators_are_left_associative() {
    shape("a or b or c", "(or (or a b) c)");
    shape("a and b and c", "(and (and a b) c)");
}

#[test]
fn equality_binds_tighter_than_and() {
    shape("a == 1 and b != 2", "(and (== a 1) (!= b 2))");
    shape("x in (1) or y between (1 .. 2)", "(or (in x [1]) (between y 1 2))");
}

#[test]
fn relational_binds_tighter_than_equality() {
    shape("a < b == true", "(== (< a b) true)");
    shape("true != a >= b", "(!= true (>= a b))");
}

#[test]
fn additive_binds_tighter_than_relational() {
    shape("a + 1 < b - 2", "(< (+ a 1) (- b 2))");
    shape("a > b + c", "(> a (+ b c))");
}

#[test]
fn multiplicative_binds_tighter_than_additive() {
    shape("a + b * c", "(+ a (* b c))");
    shape("a * b + c", "(+ (* a b) c)");
    shape("a - b / c % d", "(- a (% (/ b c) d))");
}

#[test]
fn arithmetic_is_left_associative() {
    shape("a - b - c", "(- (- a b) c)");
    shape("a / b * c", "(* (/ a b) c)");
    shape("a + b - c + d", "(+ (- (+ a b) c) d)");
}

#[test]
fn string_operators_bind_tighter_than_arithmetic() {
    // ParseMultiplicativeExpression's operands are ParseStringOperation.
    shape("a * b has c", "(* a (has b c))");
    shape("a has b * c", "(* (has a b) c)");
    shape("a + b =~ c", "(+ a (=~ b c))");
    shape("a contains b + c", "(+ (contains a b) c)");
    // …and looser than unary minus and postfix accessors.
    shape("-a has b", "(has (neg a) b)");
    shape("d.k has x[0]", "(has (. d k) ([] x 0))");
}

#[test]
fn a_string_comparison_is_an_operand_of_and() {
    shape("s has 'x' and t !contains 'y'", r#"(and (has s "x") (!contains t "y"))"#);
}

#[test]
fn unary_minus_applies_to_a_postfix_expression() {
    shape("-x", "(neg x)");
    shape("+x", "(pos x)");
    shape("- 1", "(neg 1)");
    shape("-a.b[1]", "(neg ([] (. a b) 1))");
    shape("-x + 1", "(+ (neg x) 1)");
    shape("a * -b", "(* a (neg b))");
    shape("a - -1", "(- a (neg 1))");
    shape("-(a + b)", "(neg (paren (+ a b)))");
}

#[test]
fn parentheses_are_kept_and_override_precedence() {
    shape("(a + b) * c", "(* (paren (+ a b)) c)");
    shape("(a or b) and c", "(and (paren (or a b)) c)");
    shape("(a == b) == c", "(== (paren (== a b)) c)");
}

#[test]
fn equality_does_not_chain() {
    rejects("a == b == c");
    rejects("a != b == c");
    rejects("a in (1) == true");
    rejects("a between (1 .. 2) == true");
    rejects("a == 1 in (1)");
}

#[test]
fn relational_does_not_chain() {
    rejects("a < b < c");
    rejects("a <= b >= c");
}

#[test]
fn string_operators_do_not_chain() {
    rejects("a has b has c");
    rejects("a =~ b !~ c");
    rejects("a contains b startswith c");
}

#[test]
fn every_comparison_operator() {
    for (text, op) in [
        ("==", BinaryOp::Eq),
        ("!=", BinaryOp::NotEq),
        ("<>", BinaryOp::NotEq),
        ("<", BinaryOp::Lt),
        ("<=", BinaryOp::Le),
        (">", BinaryOp::Gt),
        (">=", BinaryOp::Ge),
        ("=~", BinaryOp::EqCi),
        ("!~", BinaryOp::NotEqCi),
    ] {
        let src = format!("a {text} b");
        let e = expr(&src);
        let ExprKind::Binary { op: got, op_span, left, right } = &e.kind else {
            panic!("{src}: {e:?}");
        };
        assert_eq!(*got, op, "{src}");
        assert_eq!(op_span.slice(&src), Some(text), "operator span of {src}");
        assert_eq!((left.as_name().unwrap().name.as_str(), right.as_name().unwrap().name.as_str()), ("a", "b"));
        assert_eq!(e.span.slice(&src), Some(src.as_str()));
    }
}

#[test]
fn comparisons_without_spaces() {
    shape("a<=1", "(<= a 1)");
    shape("a!=b", "(!= a b)");
    shape("a=~'x'", r#"(=~ a "x")"#);
    shape("a<>b", "(!= a b)");
}

/// Every word operator of Kusto's `GetStringOperationKind` and its spellings
/// (SyntaxFacts.cs): `!` and `_cs` forms, `containscs`, `notcontains`, `notcontainscs`.
#[test]
fn every_string_operator() {
    use BinaryOp::*;
    let table = [
        ("has", Has),
        ("!has", NotHas),
        ("has_cs", HasCs),
        ("!has_cs", NotHasCs),
        ("hasprefix", HasPrefix),
        ("!hasprefix", NotHasPrefix),
        ("hasprefix_cs", HasPrefixCs),
        ("!hasprefix_cs", NotHasPrefixCs),
        ("hassuffix", HasSuffix),
        ("!hassuffix", NotHasSuffix),
        ("hassuffix_cs", HasSuffixCs),
        ("!hassuffix_cs", NotHasSuffixCs),
        ("contains", Contains),
        ("!contains", NotContains),
        ("notcontains", NotContains),
        ("contains_cs", ContainsCs),
        ("containscs", ContainsCs),
        ("!contains_cs", NotContainsCs),
        ("notcontainscs", NotContainsCs),
        ("startswith", StartsWith),
        ("!startswith", NotStartsWith),
        ("startswith_cs", StartsWithCs),
        ("!startswith_cs", NotStartsWithCs),
        ("endswith", EndsWith),
        ("!endswith", NotEndsWith),
        ("endswith_cs", EndsWithCs),
        ("!endswith_cs", NotEndsWithCs),
        ("matches regex", MatchesRegex),
    ];
    for (text, op) in table {
        let src = format!("Name {text} 'x'");
        let e = expr(&src);
        let ExprKind::Binary { op: got, op_span, right, .. } = &e.kind else {
            panic!("{src}: {e:?}");
        };
        assert_eq!(*got, op, "{src}");
        assert_eq!(op_span.slice(&src), Some(text), "{src}");
        assert_eq!(right.kind, ExprKind::Literal(Literal::String("x".into())));
        assert!(op.is_string_op(), "{text}");
    }
}

#[test]
fn negated_string_operators_need_no_spaces() {
    shape("x!has'a'", r#"(!has x "a")"#);
    shape("x !contains_cs 'a'", r#"(!contains_cs x "a")"#);
    // `matches` and `regex` are two words; any whitespace between them.
    shape("x matches   regex 'a+'", r#"(matches regex x "a+")"#);
}

#[test]
fn in_family_with_lists() {
    for (text, op) in [("in", InOp::In), ("!in", InOp::NotIn), ("in~", InOp::InCi), ("!in~", InOp::NotInCi)] {
        let src = format!("City {text} ('a', \"b\", 3)");
        let e = expr(&src);
        let ExprKind::In { op: got, op_span, expr: target, list } = &e.kind else {
            panic!("{src}: {e:?}");
        };
        assert_eq!(*got, op, "{src}");
        assert_eq!(op_span.slice(&src), Some(text));
        assert_eq!(target.as_name().unwrap().name, "City");
        let values: Vec<_> = list.iter().map(sexpr).collect();
        assert_eq!(values, [r#""a""#, r#""b""#, "3"], "{src}");
        assert_eq!(e.span.slice(&src), Some(src.as_str()));
    }
    shape("x in~('A')", r#"(in~ x ["A"])"#);
    shape("x has_any ('a', 'b')", r#"(has_any x ["a" "b"])"#);
    shape("x has_all ('a')", r#"(has_all x ["a"])"#);
}

#[test]
fn in_with_a_tabular_expression() {
    let e = expr("Ip in (Malicious | where Score > 5 | project Ip)");
    let ExprKind::In { op: InOp::In, list, .. } = &e.kind else { panic!("{e:?}") };
    assert_eq!(list.len(), 1, "one tabular expression, not a list");
    let ExprKind::Query(q) = &list[0].kind else { panic!("{:?}", list[0]) };
    assert_eq!(q.source.to_string(), "Malicious");
    assert_eq!(q.operators.len(), 2);
    assert_eq!(q.operators[1].to_string(), "project Ip");
    // Without a pipe it is just a name: the binder decides what it names.
    shape("Ip !in (Malicious)", "(!in Ip [Malicious])");
}

#[test]
fn in_needs_parentheses() {
    rejects("x in 'a'");
    rejects("x in ()");
}

#[test]
fn between_ranges() {
    shape("x between (1 .. 5)", "(between x 1 5)");
    // No spaces: `1..5` is not the real `1.` followed by `.5`.
    shape("x between (1..5)", "(between x 1 5)");
    shape("x !between (1.5..2.5)", "(!between x 1.5 2.5)");
    shape("x between (a + 1 .. b * 2)", "(between x (+ a 1) (* b 2))");
    shape(
        "T between (datetime(2025-06-01) .. datetime(2025-06-02))",
        "(between T datetime(2025-06-01T00:00:00.0000000Z) datetime(2025-06-02T00:00:00.0000000Z))",
    );
    shape("T between (ago(1d) .. 1h)", "(between T ago(timespan(1.00:00:00)) timespan(01:00:00))");
    let src = "x !between (1 .. 5)";
    let e = expr(src);
    let ExprKind::Between { negated: true, op_span, .. } = &e.kind else { panic!("{e:?}") };
    assert_eq!(op_span.slice(src), Some("!between"));
    rejects("x between (1, 5)");
    rejects("x between 1 .. 5");
}

#[test]
fn function_calls() {
    shape("now()", "now()");
    shape("now( )", "now()");
    shape("strcat(a, 'b', 1, x.y)", r#"strcat(a "b" 1 (. x y))"#);
    shape("arg_max(Timestamp, *)", "arg_max(Timestamp *)");
    shape("count()", "count()");
    shape("iff(isnotempty(a), tostring(a), '')", r#"iff(isnotempty(a) tostring(a) "")"#);
    shape("f(g(h(1)))", "f(g(h(1)))");
    shape("f(a + b, -c)", "f((+ a b) (neg c))");
    let src = "coalesce(SrcIp, IP)";
    let e = expr(src);
    let ExprKind::Call { function, args } = &e.kind else { panic!("{e:?}") };
    assert_eq!(function.span.slice(src), Some("coalesce"));
    assert_eq!(args.len(), 2);
    assert_eq!(args[1].span.slice(src), Some("IP"));
    assert_eq!(e.span.slice(src), Some(src));
}

#[test]
fn not_is_an_ordinary_function() {
    shape("not(x)", "not(x)");
    shape("not(a == b) and c", "(and not((== a b)) c)");
}

#[test]
fn indexing_and_member_access() {
    shape(r#"split(x, "/")[0]"#, r#"([] split(x "/") 0)"#);
    shape("arr[-1]", "([] arr (neg 1))");
    shape("d.a.b", "(. (. d a) b)");
    shape("d['key']", r#"([] d "key")"#);
    shape("d.a[0].b", "(. ([] (. d a) 0) b)");
    shape("tostring(split(s, '|')[0])", r#"tostring(([] split(s "|") 0))"#);
    shape("dynamic({'a': 1}).a", r#"(. dynamic({"a": 1}) a)"#);
    let src = "d.a[0]";
    let e = expr(src);
    let ExprKind::Index { target, index } = &e.kind else { panic!("{e:?}") };
    assert_eq!(target.span.slice(src), Some("d.a"));
    assert_eq!(index.span.slice(src), Some("0"));
    assert_eq!(e.span.slice(src), Some(src));
}

#[test]
fn bracketed_names() {
    shape("['Name with spaces'] == 1", "(== Name with spaces 1)");
    let e = expr(r#"["where"]"#);
    assert_eq!(e.as_name().unwrap().name, "where");
}

#[test]
fn booleans_are_literals_not_names() {
    assert_eq!(expr("true").kind, ExprKind::Literal(Literal::Bool(Some(true))));
    assert_eq!(expr("false").kind, ExprKind::Literal(Literal::Bool(Some(false))));
}

#[test]
fn operands_are_required() {
    for src in ["a ==", "a +", "a and", "-", "a has", "f(", "(a", "a[", "a.", "x in (", "x between (1 .."] {
        rejects(src);
    }
}

#[test]
fn spans_of_nested_binary_expressions() {
    let src = "a + b * c";
    let e = expr(src);
    let ExprKind::Binary { op: BinaryOp::Add, right, op_span, .. } = &e.kind else { panic!("{e:?}") };
    assert_eq!(op_span.slice(src), Some("+"));
    assert_eq!(right.span.slice(src), Some("b * c"));
    assert_eq!(e.span.slice(src), Some(src));
}
