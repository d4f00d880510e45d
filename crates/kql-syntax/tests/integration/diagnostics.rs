//! Syntax diagnostics: each case asserts the structured facts (code, span,
//! help) directly, and snapshots the report as a user sees it, rendered by
//! miette's graphical handler with a fixed width and no colour.

use kql_syntax::{Span, SyntaxError, parse};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, Report};

/// Every error of `src`, rendered against a named source.
///
/// The source given to miette ends with a newline: miette draws no label
/// for an empty span at the very end of a text without one (its lines do
/// not reach past the last character), and "expected …, found end of
/// query" errors have exactly such a span when the query has no trailing
/// newline. The parser already moves them to just after the last token.
fn render(src: &str) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    let text = if src.ends_with('\n') { src.to_string() } else { format!("{src}\n") };
    for e in parse(src).errors {
        let report = Report::new(e).with_source_code(NamedSource::new("query.kql", text.clone()));
        handler.render_report(&mut out, report.as_ref()).expect("renders");
    }
    out
}

/// The single error of `src`.
#[track_caller]
fn only_error(src: &str) -> SyntaxError {
    let mut errors = parse(src).errors;
    assert_eq!(errors.len(), 1, "{src}: {errors:#?}");
    errors.remove(0)
}

fn code(e: &SyntaxError) -> String {
    e.code().map(|c| c.to_string()).unwrap_or_default()
}

fn help(e: &SyntaxError) -> Option<String> {
    e.help().map(|h| h.to_string())
}

/// The text a span covers.
fn text(src: &str, span: Span) -> &str {
    span.slice(src).expect("span inside the source")
}

/// Checks the code and the text of the primary span, and snapshots the report.
#[track_caller]
fn check(name: &str, src: &str, expected_code: &str, expected_span_text: &str) -> SyntaxError {
    let e = only_error(src);
    assert_eq!(code(&e), expected_code, "{src}");
    assert_eq!(text(src, e.span()), expected_span_text, "{src}");
    assert!(!e.is_unsupported(), "{src}: a syntax error, not an unsupported feature");
    insta::assert_snapshot!(name, render(src));
    e
}

#[test]
fn unclosed_parenthesis() {
    let src = "T | where (a == 1";
    let e = check("unclosed_parenthesis", src, "kql::syntax::unclosed_bracket", "");
    let SyntaxError::UnclosedBracket { open_span, span, .. } = e else { panic!("{e:?}") };
    assert_eq!(open_span, Span::new(10, 11), "points at the `(` that is never closed");
    assert_eq!(span, Span::at(src.len()), "and at the end of the text");
}

#[test]
fn unclosed_call_and_index() {
    let e = only_error("print f(1, 2");
    assert!(matches!(e, SyntaxError::UnclosedBracket { open: '(', open_span, .. } if open_span == Span::new(7, 8)));
    let e = only_error("print x[1");
    assert!(matches!(e, SyntaxError::UnclosedBracket { open: '[', close: ']', .. }));
}

#[test]
fn unmatched_closing_parenthesis() {
    check("unmatched_parenthesis", "T | where a == 1)", "kql::syntax::unmatched_bracket", ")");
}

#[test]
fn a_stray_bracket_is_reported_once() {
    // Recovery stops at the `]`, which must not be reported a second time.
    let e = check("stray_bracket", "T | where ]", "kql::syntax::expected", "]");
    assert_eq!(e.to_string(), "expected an expression, found `]`");
}

#[test]
fn wrong_closing_bracket() {
    let e = only_error("print dynamic([1, 2)");
    assert_eq!(e.to_string(), "expected `]`, found `)`");
}

#[test]
fn unterminated_string() {
    check("unterminated_string", "T | where x == \"abc", "kql::syntax::unterminated_string", "\"abc");
}

#[test]
fn newline_inside_a_string() {
    let src = "T | where x == 'abc\ndef' | take 1";
    let e = check("newline_in_string", src, "kql::syntax::unterminated_string", "'abc");
    assert!(help(&e).unwrap().contains("```"), "suggests the multi-line form");
}

#[test]
fn unterminated_string_recovers_at_the_next_line() {
    // The rest of the line is lost, the next `|` operator is parsed again.
    let parsed = parse("T | where x == \"abc\n| take 1");
    assert_eq!(parsed.errors.len(), 1);
    let q = parsed.script.queries().next().expect("a query");
    assert!(matches!(q.operators[1].kind, kql_syntax::ast::OperatorKind::Take { .. }));
}

#[test]
fn invalid_escape() {
    let e = check("invalid_escape", r#"T | where x == "a\qb""#, "kql::syntax::invalid_escape", r"\q");
    let SyntaxError::InvalidEscape { text, .. } = &e else { panic!() };
    assert_eq!(text, r"\q");
    let e = only_error(r"print '\u12G4'");
    assert_eq!(text_of(&e), r"\u12");
}

fn text_of(e: &SyntaxError) -> &str {
    match e {
        SyntaxError::InvalidEscape { text, .. } => text,
        other => panic!("{other:?}"),
    }
}

#[test]
fn misspelt_operator() {
    let e = check("misspelt_operator", "T | wher x == 1", "kql::syntax::unknown_operator", "wher");
    assert_eq!(help(&e).as_deref(), Some("did you mean `where`?"));
}

#[test]
fn misspelt_join_kind() {
    let e = check("misspelt_join_kind", "T | join kind=innr R on A", "kql::syntax::invalid_value", "innr");
    assert_eq!(help(&e).as_deref(), Some("did you mean `inner`?"));
}

#[test]
fn misspelt_lookup_kind() {
    let e = only_error("T | lookup kind=leftoutr R on A");
    assert_eq!(code(&e), "kql::syntax::invalid_value");
    assert!(help(&e).unwrap().starts_with("did you mean `leftouter`?"));
}

#[test]
fn join_without_on() {
    let src = "T | join R | take 1";
    let e = check("join_without_on", src, "kql::syntax::missing_on", "");
    assert_eq!(e.span(), Span::at(10), "right after the right-hand table");
    let e = only_error("T | lookup R");
    assert_eq!(code(&e), "kql::syntax::missing_on");
    assert_eq!(e.to_string(), "`lookup` needs an `on` clause");
}

#[test]
fn invalid_join_conditions() {
    check("join_condition_expression", "T | join R on A + 1", "kql::syntax::join_condition", "A + 1");
    let src = "T | join R on $left.A == $left.B";
    let e = only_error(src);
    assert_eq!(code(&e), "kql::syntax::join_condition");
    assert_eq!(text(src, e.span()), "$left.A == $left.B", "both sides are $left");
    let e = only_error("T | join R on $left.A = $right.B");
    assert_eq!(e.to_string(), "expected `==`, found `=`");
}

#[test]
fn missing_operand() {
    let e = check("missing_operand", "T | where a ==", "kql::syntax::expected", "");
    assert_eq!(e.to_string(), "expected an expression, found end of query");
    assert_eq!(help(&e).as_deref(), Some("`==` needs an operand on its right"));
    let e = only_error("T | where a == | take 1");
    assert_eq!(e.to_string(), "expected an expression, found `|`");
}

#[test]
fn end_of_query_errors_point_after_the_last_token() {
    // Not past trailing blank lines and comments, where no label can be drawn.
    let src = "T | where a ==   \n// note\n\n";
    let e = only_error(src);
    assert_eq!(e.span(), Span::at(14));
    let e = only_error("T | where (a == 1\n\n");
    assert_eq!(e.span(), Span::at(17));
    insta::assert_snapshot!("end_of_query_with_trailing_comment", render(src));
}

#[test]
fn trailing_comma_in_project() {
    let src = "T | project a, b, | take 1";
    let e = check("trailing_comma", src, "kql::syntax::expected", "|");
    assert!(help(&e).unwrap().contains("trailing `,`"), "{e:?}");
    let e = only_error("T | project a, b,");
    assert!(help(&e).unwrap().contains("trailing `,`"));
}

#[test]
fn single_equals_in_a_predicate() {
    let e = check("single_equals", "T | where a = 1", "kql::syntax::expected", "=");
    assert!(help(&e).unwrap().contains("write `==`"), "{e:?}");
}

#[test]
fn chained_comparison() {
    let src = "T | where 1 < a < 3";
    let e = check("chained_comparison", src, "kql::syntax::expected", "<");
    assert_eq!(e.span(), Span::new(16, 17));
    assert!(help(&e).unwrap().contains("do not chain"));
    let e = only_error("print (a == b == c)");
    assert_eq!(e.to_string(), "expected `)`, found `==`", "the whole two-character operator is named");
    assert!(help(&e).unwrap().contains("do not chain"));
}

#[test]
fn invalid_datetime() {
    let e = check("invalid_datetime", "print datetime(2025-13-45)", "kql::syntax::invalid_literal", "2025-13-45");
    assert_eq!(e.to_string(), "invalid datetime literal: `2025-13-45` is not a date and time");
    assert_eq!(code(&only_error("print datetime('yesterday')")), "kql::syntax::invalid_literal");
}

#[test]
fn long_overflow() {
    let e = check("long_overflow", "print 9223372036854775808", "kql::syntax::invalid_literal", "9223372036854775808");
    assert!(e.to_string().contains("does not fit in a long"));
    assert_eq!(code(&only_error("print long(99999999999999999999)")), "kql::syntax::invalid_literal");
}

#[test]
fn workbook_placeholder_outside_a_string() {
    let src = "T | where T > {TimeRange}";
    let e = check("placeholder", src, "kql::syntax::placeholder", "{TimeRange}");
    let SyntaxError::PlaceholderOutsideString { name, .. } = &e else { panic!() };
    assert_eq!(name, "TimeRange");
    assert!(help(&e).unwrap().contains("datetime('{TimeRange}')"));
}

#[test]
fn empty_text() {
    let e = check("empty", "", "kql::syntax::empty", "");
    assert_eq!(e.span(), Span::new(0, 0));
    let src = "  // only a comment\n";
    let e = only_error(src);
    assert_eq!(code(&e), "kql::syntax::empty");
    assert_eq!(e.span(), Span::new(0, src.len()));
    assert_eq!(code(&only_error(";;")), "kql::syntax::empty");
}

#[test]
fn several_errors_in_one_query() {
    let src = "T | wher x == 1 | sumarize count(); let = 5; T";
    let errors = parse(src).errors;
    let facts: Vec<_> = errors.iter().map(|e| (code(e), text(src, e.span()).to_string())).collect();
    assert_eq!(
        facts,
        [
            ("kql::syntax::unknown_operator".to_string(), "wher".to_string()),
            ("kql::syntax::unknown_operator".to_string(), "sumarize".to_string()),
            ("kql::syntax::expected".to_string(), "=".to_string()),
        ]
    );
    assert_eq!(help(&errors[1]).as_deref(), Some("did you mean `summarize`?"));
    insta::assert_snapshot!("several_errors", render(src));
    // The good statement after them still parses.
    let parsed = parse(src);
    assert_eq!(parsed.script.statements.len(), 3);
    assert!(matches!(parsed.script.statements[2].kind, kql_syntax::ast::StatementKind::Query(_)));
}

#[test]
fn a_bad_operator_is_an_error_node_inside_its_let() {
    let parsed = parse("let X = T | wher a | take 1; X");
    assert_eq!(parsed.errors.len(), 1);
    let kql_syntax::ast::StatementKind::Let(l) = &parsed.script.statements[0].kind else { panic!() };
    let kql_syntax::ast::ExprKind::Query(q) = &l.value.kind else { panic!() };
    assert_eq!(q.operators[0].kind, kql_syntax::ast::OperatorKind::Error);
    assert!(matches!(q.operators[1].kind, kql_syntax::ast::OperatorKind::Take { .. }));
}

#[test]
fn a_failed_let_keeps_its_name() {
    let parsed = parse("let X = 1 +; X");
    let kql_syntax::ast::StatementKind::Error { let_name } = &parsed.script.statements[0].kind else {
        panic!("{:?}", parsed.script.statements[0])
    };
    assert_eq!(let_name.as_ref().map(|n| n.name.as_str()), Some("X"));
}

#[test]
fn errors_inside_a_call_point_at_the_bad_token() {
    let src = "T | where f(,)";
    let e = only_error(src);
    assert_eq!(e.to_string(), "expected an expression, found `,`");
    assert_eq!(e.span(), Span::new(12, 13));
    let e = only_error("T | extend x = strcat(a, , b)");
    assert_eq!(e.span(), Span::new(25, 26));
}

#[test]
fn c_style_logical_operators() {
    let src = "T | where a == 1 || b == 2 | take 1";
    let e = check("double_pipe", src, "kql::syntax::expected", "||");
    assert_eq!(help(&e).as_deref(), Some("KQL has no `||` operator: combine conditions with `or`"));
    let parsed = parse(src);
    let q = parsed.script.queries().next().unwrap();
    assert!(matches!(q.operators.last().unwrap().kind, kql_syntax::ast::OperatorKind::Take { .. }), "recovered");
    let e = only_error("T | where a && b");
    assert_eq!(e.to_string(), "expected `|`, `;` or end of query, found `&&`");
    assert_eq!(help(&e).as_deref(), Some("KQL has no `&&` operator: combine conditions with `and`"));
}

#[test]
fn let_without_semicolon() {
    let src = "let X = T\n| count\nX | take 1";
    let e = check("let_without_semicolon", src, "kql::syntax::expected", "X");
    assert!(help(&e).unwrap().contains("end each statement with `;`"));
    let e = only_error("T | count\nlet x = 1");
    assert!(help(&e).unwrap().contains("`;`"));
}

#[test]
fn top_without_a_count() {
    let e = only_error("T | top by x");
    assert_eq!(e.to_string(), "expected the number of rows, as in `top 10 by Column`, found `by`");
}

#[test]
fn render_without_a_visualization() {
    let e = only_error("T | render");
    assert!(e.to_string().starts_with("expected a visualization"), "{e}");
    let e = only_error("T | render timechar");
    assert_eq!(code(&e), "kql::syntax::invalid_value");
    assert_eq!(help(&e).as_deref(), Some("did you mean `timechart`?"));
}

#[test]
fn missing_pipe_before_an_operator() {
    let e = only_error("T where a == 1");
    assert_eq!(help(&e).as_deref(), Some("did you forget `|` before `where`?"));
}

/// Valid KQL that ntaq does not implement: reported as unsupported, never as a syntax error.
#[test]
fn unsupported_features() {
    let cases = [
        ("unsupported_facet", "T | facet by a", "kql::unsupported::operator", "facet"),
        ("unsupported_find", "find \"x\"", "kql::unsupported::operator", "find"),
        ("unsupported_set", "set x=1; T", "kql::unsupported::statement", "set"),
        (
            "unsupported_declare_in_function",
            "let f = () { declare query_parameters(a:long); print a }; f()",
            "kql::unsupported::statement",
            "declare",
        ),
        (
            "unsupported_alias",
            "alias database db = cluster('c').database('d'); T",
            "kql::unsupported::statement",
            "alias",
        ),
    ];
    for (name, src, expected_code, span_text) in cases {
        let errors = parse(src).errors;
        assert_eq!(errors.len(), 1, "{src}: {errors:#?}");
        let e = &errors[0];
        assert!(code(e).starts_with("kql::unsupported::"), "{src}: {}", code(e));
        assert_eq!(code(e), expected_code, "{src}");
        assert!(e.is_unsupported(), "{src}");
        assert_eq!(text(src, e.span()), span_text, "{src}");
        insta::assert_snapshot!(name, render(src));
    }
}

#[test]
fn unsupported_statement_does_not_hide_the_query_after_it() {
    let parsed = parse("set x=1; T | take 1");
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.script.queries().count(), 1);
}

#[test]
fn every_unsupported_operator_keyword_is_reported_as_unsupported() {
    for op in kql_syntax::keywords::UNSUPPORTED_OPERATORS {
        let src = format!("T | {op} x");
        let errors = parse(&src).errors;
        assert_eq!(errors.len(), 1, "{src}");
        assert_eq!(code(&errors[0]), "kql::unsupported::operator", "{src}");
        assert_eq!(text(&src, errors[0].span()), *op);
    }
}
