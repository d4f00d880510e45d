//! Tabular operators and statements: the tree each one builds.
//!
//! Grammar reference: the Kusto docs page of each operator and Kusto.Language
//! `QueryParser.cs` / `KustoFacts.cs` (join and lookup kinds, parameters).

use crate::common;

use common::{assert_round_trip, expr, operators, query, script, sexpr};
use kql_syntax::ScalarType;
use kql_syntax::ast::*;

/// The source expression of a query, printed.
fn source_text(q: &Query) -> String {
    q.source.to_string()
}

fn names(items: &[NamedExpr]) -> Vec<(Option<String>, String)> {
    items.iter().map(|n| (n.name.as_ref().map(|i| i.name.clone()), sexpr(&n.expr))).collect()
}

fn named(name: &str, e: &str) -> (Option<String>, String) {
    (Some(name.to_string()), e.to_string())
}

fn unnamed(e: &str) -> (Option<String>, String) {
    (None, e.to_string())
}

#[test]
fn where_and_filter() {
    let ops = operators("T | where a > 1 | filter b == 'x'");
    let [OperatorKind::Where { predicate: p1 }, OperatorKind::Where { predicate: p2 }] = &ops[..] else {
        panic!("{ops:?}")
    };
    assert_eq!(sexpr(p1), "(> a 1)");
    assert_eq!(sexpr(p2), r#"(== b "x")"#);
}

#[test]
fn where_without_space_before_parenthesis() {
    // Scenario 2 writes `| where(isnotempty(a) or isnotempty(b))`.
    let ops = operators("T | where(isnotempty(a) or b)");
    let [OperatorKind::Where { predicate }] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(sexpr(predicate), "(paren (or isnotempty(a) b))");
}

#[test]
fn operator_spans() {
    let src = "T\n| where a > 1\n|extend b = 2";
    let q = query(src);
    assert_eq!(q.operators[0].keyword.slice(src), Some("where"));
    assert_eq!(q.operators[0].span.slice(src), Some("where a > 1"));
    assert_eq!(q.operators[1].keyword.slice(src), Some("extend"));
    assert_eq!(q.operators[1].span.slice(src), Some("extend b = 2"));
    assert_eq!(q.span.slice(src), Some(src));
}

#[test]
fn project_named_and_unnamed() {
    let ops = operators("T | project a, b = c + 1, strcat(x, 'y'), ['d e'] = 1");
    let [OperatorKind::Project { columns }] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(names(columns), [unnamed("a"), named("b", "(+ c 1)"), unnamed(r#"strcat(x "y")"#), named("d e", "1")]);
}

#[test]
fn project_away_and_keep_with_wildcards() {
    let ops = operators("T | project-away Flow*, SubType, *Time | project-keep Src*, ['My Col']");
    let [OperatorKind::ProjectAway { columns: away }, OperatorKind::ProjectKeep { columns: keep }] = &ops[..] else {
        panic!("{ops:?}")
    };
    let away: Vec<_> = away.iter().map(|c| (c.pattern.as_str(), c.is_wildcard())).collect();
    assert_eq!(away, [("Flow*", true), ("SubType", false), ("*Time", true)]);
    let keep: Vec<_> = keep.iter().map(|c| c.pattern.as_str()).collect();
    assert_eq!(keep, ["Src*", "My Col"]);
}

#[test]
fn project_away_across_lines() {
    // Scenario 1's layout: one column per line, trailing spaces.
    let ops = operators("T\n| project-away\n    A,\n    B \n| count");
    let [OperatorKind::ProjectAway { columns }, OperatorKind::Count] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(columns.len(), 2);
}

#[test]
fn project_rename() {
    let ops = operators("T | project-rename New = Old, ['with space'] = Other");
    let [OperatorKind::ProjectRename { renames }] = &ops[..] else { panic!("{ops:?}") };
    let pairs: Vec<_> = renames.iter().map(|r| (r.new_name.name.as_str(), r.old_name.name.as_str())).collect();
    assert_eq!(pairs, [("New", "Old"), ("with space", "Other")]);
}

#[test]
fn extend_with_and_without_space_after_pipe() {
    let ops = operators("T |extend a = 1|extend b = a * 2, c");
    let [OperatorKind::Extend { columns: c1 }, OperatorKind::Extend { columns: c2 }] = &ops[..] else {
        panic!("{ops:?}")
    };
    assert_eq!(names(c1), [named("a", "1")]);
    assert_eq!(names(c2), [named("b", "(* a 2)"), unnamed("c")]);
}

#[test]
fn distinct_columns_and_star() {
    let src = "T | distinct * | distinct Ip, Location";
    let ops = operators(src);
    let [
        OperatorKind::Distinct { columns: DistinctColumns::All { span } },
        OperatorKind::Distinct { columns: DistinctColumns::Columns { columns } },
    ] = &ops[..]
    else {
        panic!("{ops:?}")
    };
    assert_eq!(span.slice(src), Some("*"));
    assert_eq!(names(columns), [unnamed("Ip"), unnamed("Location")]);
}

#[test]
fn mv_expand_forms() {
    let ops = operators("T | mv-expand ExtractedIPs | mvexpand x to typeof(string), y = split(s, ' ') limit 10");
    let [OperatorKind::MvExpand(first), OperatorKind::MvExpand(second)] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(first.items.len(), 1);
    assert_eq!(sexpr(&first.items[0].expr), "ExtractedIPs");
    assert_eq!(first.items[0].to_type, None);
    assert!(first.limit.is_none());
    let items: Vec<_> = second
        .items
        .iter()
        .map(|i| (i.name.as_ref().map(|n| n.name.as_str()), sexpr(&i.expr), i.to_type.as_ref().map(|t| t.ty)))
        .collect();
    assert_eq!(
        items,
        [
            (None, "x".to_string(), Some(kql_syntax::ScalarType::String)),
            (Some("y"), r#"split(s " ")"#.to_string(), None)
        ]
    );
    assert_eq!(second.limit.as_ref().map(sexpr).as_deref(), Some("10"));
}

#[test]
fn mv_expand_parameters() {
    let ops = operators("T | mv-expand kind=array with_itemindex=i x");
    let [OperatorKind::MvExpand(m)] = &ops[..] else { panic!("{ops:?}") };
    let params: Vec<_> = m.params.iter().map(|p| p.to_string()).collect();
    assert_eq!(params, ["kind=array", "with_itemindex=i"]);
    assert_eq!(sexpr(&m.items[0].expr), "x");
}

fn conditions(on: &[JoinCondition]) -> Vec<String> {
    on.iter()
        .map(|c| match c {
            JoinCondition::Column { name } => name.name.clone(),
            JoinCondition::Equal { left, right, .. } => format!("{}={}", left.name, right.name),
        })
        .collect()
}

#[test]
fn lookup_kinds_and_conditions() {
    let src = "T | lookup kind=inner R on $left.A == $right.B \
               | lookup kind=leftouter R on $right.B == $left.A \
               | lookup R on A \
               | lookup (R | where x) on A, $left.B == $right.C";
    let ops = operators(src);
    let lookups: Vec<&Lookup> = ops
        .iter()
        .map(|o| match o {
            OperatorKind::Lookup(l) => l,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(lookups[0].kind.map(|k| k.0), Some(LookupKind::Inner));
    assert_eq!(lookups[1].kind.map(|k| k.0), Some(LookupKind::LeftOuter));
    assert_eq!(lookups[2].kind, None, "no kind written: leftouter by default, decided by the binder");
    assert_eq!(conditions(&lookups[0].on), ["A=B"]);
    // Written right side first, stored left first.
    assert_eq!(conditions(&lookups[1].on), ["A=B"]);
    assert_eq!(conditions(&lookups[2].on), ["A"]);
    assert_eq!(conditions(&lookups[3].on), ["A", "B=C"]);
    assert!(matches!(lookups[3].right.kind, ExprKind::Paren(_)));
    let (_, kind_span) = lookups[0].kind.unwrap();
    assert_eq!(kind_span.slice(src), Some("inner"));
}

#[test]
fn lookup_condition_span() {
    let src = "T | lookup R on $right.B == $left.A";
    let ops = operators(src);
    let [OperatorKind::Lookup(l)] = &ops[..] else { panic!() };
    assert_eq!(l.on[0].span().slice(src), Some("$right.B == $left.A"));
    let JoinCondition::Equal { left, right, .. } = &l.on[0] else { panic!() };
    assert_eq!(left.span.slice(src), Some("A"));
    assert_eq!(right.span.slice(src), Some("B"));
}

/// Every kind in KustoFacts.JoinKinds, with its aliases.
#[test]
fn join_kinds() {
    let table = [
        ("innerunique", JoinKind::InnerUnique),
        ("inner", JoinKind::Inner),
        ("leftouter", JoinKind::LeftOuter),
        ("rightouter", JoinKind::RightOuter),
        ("fullouter", JoinKind::FullOuter),
        ("leftsemi", JoinKind::LeftSemi),
        ("rightsemi", JoinKind::RightSemi),
        ("leftanti", JoinKind::LeftAnti),
        ("anti", JoinKind::LeftAnti),
        ("leftantisemi", JoinKind::LeftAnti),
        ("rightanti", JoinKind::RightAnti),
        ("rightantisemi", JoinKind::RightAnti),
    ];
    for (word, kind) in table {
        let src = format!("T | join kind={word} R on Id");
        let ops = operators(&src);
        let [OperatorKind::Join(j)] = &ops[..] else { panic!("{ops:?}") };
        assert_eq!(j.kind.map(|k| k.0), Some(kind), "{src}");
        assert_eq!(j.kind.unwrap().1.slice(&src), Some(word));
    }
    let ops = operators("T | join R on Id");
    let [OperatorKind::Join(j)] = &ops[..] else { panic!() };
    assert_eq!(j.kind, None, "no kind: innerunique, decided by the binder");
}

#[test]
fn outer_is_not_a_join_kind() {
    // KustoFacts.JoinKinds has no `outer` (it is a `union` kind).
    assert_eq!(common::codes("T | join kind=outer R on Id"), ["kql::syntax::invalid_value"]);
}

#[test]
fn join_hints_and_spaces_around_equals() {
    let ops =
        operators("T | join hint.strategy=broadcast kind = leftouter (R | project Id) on $left.Id == $right.Id, Other");
    let [OperatorKind::Join(j)] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(j.kind.map(|k| k.0), Some(JoinKind::LeftOuter));
    assert_eq!(j.params.len(), 1);
    assert_eq!(j.params[0].name.name, "hint.strategy");
    assert!(matches!(&j.params[0].value, ParamValue::Word(w) if w.name == "broadcast"));
    assert_eq!(conditions(&j.on), ["Id=Id", "Other"]);
    let ExprKind::Paren(inner) = &j.right.kind else { panic!("{:?}", j.right) };
    assert!(matches!(inner.kind, ExprKind::Query(_)));
}

#[test]
fn join_conditions_separated_by_and() {
    let ops = operators("T | join R on $left.a == $right.b and $left.c == $right.d");
    let [OperatorKind::Join(j)] = &ops[..] else { panic!() };
    assert_eq!(conditions(&j.on), ["a=b", "c=d"]);
}

#[test]
fn union_as_source() {
    let q = query("union T1, T2, (T3 | where a > 1)");
    let SourceKind::Union(u) = &q.source.kind else { panic!("{:?}", q.source) };
    assert!(u.params.is_empty());
    let tables: Vec<_> = u.tables.iter().map(|t| t.to_string().replace('\n', " ")).collect();
    assert_eq!(tables, ["T1", "T2", "(T3 | where a > 1)"]);
}

#[test]
fn union_parameters() {
    let q = query("union kind=outer withsource=SourceTable isfuzzy=true T1, T2");
    let SourceKind::Union(u) = &q.source.kind else { panic!() };
    let params: Vec<_> = u.params.iter().map(|p| p.to_string()).collect();
    assert_eq!(params, ["kind=outer", "withsource=SourceTable", "isfuzzy=true"]);
    assert_eq!(u.tables.len(), 2);
}

#[test]
fn union_as_operator_then_more_operators() {
    let ops = operators("A | union B, (C | take 1) | distinct *");
    let [OperatorKind::Union(u), OperatorKind::Distinct { .. }] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(u.tables.len(), 2, "the pipe after the union belongs to the outer query");
    assert_eq!(sexpr(&u.tables[0]), "B");
}

#[test]
fn summarize_forms() {
    let ops = operators(
        "T | summarize count() \
           | summarize n = count(), dcount(Ip) by bin(Timestamp, 1h), Location \
           | summarize by Vnet \
           | summarize hint.shufflekey=Ip Flows = sum(CompletedFlows) by Ip",
    );
    let s: Vec<&Summarize> = ops
        .iter()
        .map(|o| match o {
            OperatorKind::Summarize(s) => s,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(names(&s[0].aggregates), [unnamed("count()")]);
    assert!(s[0].by.is_empty());
    assert_eq!(names(&s[1].aggregates), [named("n", "count()"), unnamed("dcount(Ip)")]);
    assert_eq!(names(&s[1].by), [unnamed("bin(Timestamp timespan(01:00:00))"), unnamed("Location")]);
    assert!(s[2].aggregates.is_empty());
    assert_eq!(names(&s[2].by), [unnamed("Vnet")]);
    assert_eq!(s[3].params[0].to_string(), "hint.shufflekey=Ip");
    assert_eq!(names(&s[3].aggregates), [named("Flows", "sum(CompletedFlows)")]);
}

#[test]
fn summarize_arg_max_star() {
    let ops = operators("T | summarize arg_max(Timestamp, *) by Id");
    let [OperatorKind::Summarize(s)] = &ops[..] else { panic!() };
    assert_eq!(names(&s.aggregates), [unnamed("arg_max(Timestamp *)")]);
}

#[test]
fn top_with_orders() {
    let ops = operators("T | top 10 by a asc nulls first | top 5 by b desc nulls last | top 3 by c + 1");
    let tops: Vec<(String, String, Option<SortOrder>, Option<NullsOrder>)> = ops
        .iter()
        .map(|o| match o {
            OperatorKind::Top(t) => (sexpr(&t.count), sexpr(&t.key.expr), t.key.order, t.key.nulls),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        tops,
        [
            ("10".into(), "a".into(), Some(SortOrder::Asc), Some(NullsOrder::First)),
            ("5".into(), "b".into(), Some(SortOrder::Desc), Some(NullsOrder::Last)),
            ("3".into(), "(+ c 1)".into(), None, None),
        ]
    );
}

#[test]
fn take_and_limit() {
    let ops = operators("T | take 10 | limit n * 2");
    let [OperatorKind::Take { count: a }, OperatorKind::Take { count: b }] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(sexpr(a), "10");
    assert_eq!(sexpr(b), "(* n 2)");
}

#[test]
fn sort_and_order_with_several_keys() {
    let ops = operators("T | sort by a, b asc, c desc nulls first | order by d");
    let [OperatorKind::Sort { keys: k1 }, OperatorKind::Sort { keys: k2 }] = &ops[..] else { panic!("{ops:?}") };
    let keys: Vec<_> = k1.iter().map(|k| (sexpr(&k.expr), k.order, k.nulls)).collect();
    assert_eq!(
        keys,
        [
            ("a".into(), None, None),
            ("b".into(), Some(SortOrder::Asc), None),
            ("c".into(), Some(SortOrder::Desc), Some(NullsOrder::First)),
        ]
    );
    assert_eq!(k2.len(), 1);
}

#[test]
fn count_and_render() {
    let ops = operators("T | count | render timechart with (title=\"Flows\", xtitle = 'time')");
    let [OperatorKind::Count, OperatorKind::Render(r)] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(r.visualization.name, "timechart");
    let props: Vec<_> = r.properties.iter().map(|(k, v)| (k.name.as_str(), sexpr(v))).collect();
    assert_eq!(props, [("title", r#""Flows""#.to_string()), ("xtitle", r#""time""#.to_string())]);
    let ops = operators("T | render piechart");
    let [OperatorKind::Render(r)] = &ops[..] else { panic!() };
    assert!(r.properties.is_empty());
}

#[test]
fn print_source() {
    let q = query("print 1, b = 'x', c = now()");
    let SourceKind::Print(cols) = &q.source.kind else { panic!("{:?}", q.source) };
    assert_eq!(names(cols), [unnamed("1"), named("b", r#""x""#), named("c", "now()")]);
}

#[test]
fn datatable_with_trailing_comma() {
    let q = query("datatable(a:long, b:string) [1, 'x', 2, 'y',]");
    let SourceKind::Datatable(dt) = &q.source.kind else { panic!("{:?}", q.source) };
    let cols: Vec<_> = dt.columns.iter().map(|c| (c.name.name.as_str(), c.ty.ty)).collect();
    assert_eq!(cols, [("a", kql_syntax::ScalarType::Long), ("b", kql_syntax::ScalarType::String)]);
    let values: Vec<_> = dt.values.iter().map(sexpr).collect();
    assert_eq!(values, ["1", r#""x""#, "2", r#""y""#]);
}

#[test]
fn datatable_may_be_empty() {
    let q = query("datatable(a:long) []");
    let SourceKind::Datatable(dt) = &q.source.kind else { panic!() };
    assert!(dt.values.is_empty());
}

#[test]
fn let_scalar_and_tabular() {
    let s = script("let n = 10;\nlet X = T | where a > n | take 5;\nX | count");
    let kinds: Vec<_> = s.statements.iter().map(|s| &s.kind).collect();
    let [StatementKind::Let(scalar), StatementKind::Let(tabular), StatementKind::Query(q)] = &kinds[..] else {
        panic!("{kinds:?}")
    };
    assert_eq!(scalar.name.name, "n");
    assert_eq!(sexpr(&scalar.value), "10");
    assert_eq!(tabular.name.name, "X");
    let ExprKind::Query(tq) = &tabular.value.kind else { panic!("{:?}", tabular.value) };
    assert_eq!(source_text(tq), "T");
    assert_eq!(tq.operators.len(), 2);
    assert_eq!(source_text(q), "X");
    assert_eq!(s.queries().count(), 1);
}

#[test]
fn let_of_a_bare_table_is_a_name() {
    let s = script("let X = T; X");
    let StatementKind::Let(l) = &s.statements[0].kind else { panic!() };
    assert_eq!(l.value.as_name().map(|n| n.name.as_str()), Some("T"));
}

#[test]
fn chained_lets_with_statement_spans() {
    let src = "let A = T | take 1; let B = A | union A; B";
    let s = script(src);
    let spans: Vec<_> = s.statements.iter().map(|st| st.span.slice(src).unwrap()).collect();
    assert_eq!(spans, ["let A = T | take 1", "let B = A | union A", "B"]);
}

#[test]
fn declare_query_parameters() {
    let s = script("declare query_parameters(start:datetime, n:long = 10, s:string = 'x');\nT | take n");
    let StatementKind::DeclareQueryParameters(ps) = &s.statements[0].kind else { panic!("{:?}", s.statements[0]) };
    let got: Vec<_> = ps.iter().map(|p| (p.name.name.as_str(), p.ty.ty, p.default.as_ref().map(sexpr))).collect();
    use kql_syntax::ScalarType as S;
    assert_eq!(
        got,
        [("start", S::DateTime, None), ("n", S::Long, Some("10".into())), ("s", S::String, Some(r#""x""#.into()))]
    );
}

#[test]
fn comments_everywhere() {
    let src = "// leading\nlet x = 1; // after let\nT // after source\n// own line\n| where a == x // after operator\n| project a, // between items\n  b\n// trailing";
    let s = script(src);
    assert_eq!(s.statements.len(), 2);
    let StatementKind::Query(q) = &s.statements[1].kind else { panic!() };
    assert_eq!(q.operators.len(), 2);
    let OperatorKind::Project { columns } = &q.operators[1].kind else { panic!() };
    assert_eq!(columns.len(), 2);
}

#[test]
fn a_commented_out_operator_is_ignored() {
    let ops = operators("T\n//| top 10 by Flows\n| count");
    assert_eq!(ops, [OperatorKind::Count]);
}

#[test]
fn slashes_in_strings_are_not_comments() {
    let ops = operators("T | where Url == 'https://example.com' // real comment");
    let [OperatorKind::Where { predicate }] = &ops[..] else { panic!() };
    assert_eq!(sexpr(predicate), r#"(== Url "https://example.com")"#);
}

#[test]
fn trailing_and_repeated_semicolons() {
    let s = script("let a = 1;;; T | count;\n");
    assert_eq!(s.statements.len(), 2);
    assert!(matches!(s.statements[1].kind, StatementKind::Query(_)));
}

#[test]
fn multi_line_query_with_crlf() {
    let s = script("T\r\n| where a == 1\r\n| take 5\r\n");
    let StatementKind::Query(q) = &s.statements[0].kind else { panic!() };
    assert_eq!(q.operators.len(), 2);
}

#[test]
fn user_defined_functions_round_trip() {
    for src in [
        "let f = (a:long, b:string = \"d\") { strcat(tostring(a), b) };\nprint f(1), f(1, \"x\"), f(b = \"z\", a = 1)",
        "let g = (T:(Ip:string, n:long), U:(*)) { let x = T | where n > 1; x | union U };\ng(A, B) | where n > 2",
        "let h = () { T | take 1 };\nh()",
        "let V = view () { print x = 1 };\nV()",
        "let k = (T:(*), n:long) { T | take n };\nT | invoke k(2)",
        "let f = (x:long) { let y = x * 2; y + 1; };\nprint f(1)",
    ] {
        assert_round_trip(src);
    }
}

#[test]
fn a_function_definition_has_parameters_lets_and_a_body() {
    let s = script("let f = (a:long, T:(Ip:string), U:(*), b:string = 'd') { let y = 1; T | take y }; T");
    let StatementKind::Let(l) = &s.statements[0].kind else { panic!() };
    let ExprKind::Function(def) = &l.value.kind else { panic!("{:?}", l.value) };
    assert!(!def.view);
    assert_eq!(def.params.len(), 4);
    assert!(matches!(&def.params[0].ty, ParamType::Scalar(t) if t.ty == ScalarType::Long));
    assert!(matches!(&def.params[1].ty, ParamType::Tabular { columns: Some(c), .. } if c.len() == 1));
    assert!(matches!(&def.params[2].ty, ParamType::Tabular { columns: None, .. }));
    assert!(def.params[3].default.is_some());
    assert_eq!(def.lets.len(), 1);
    assert!(matches!(def.body.kind, ExprKind::Query(_)));
}

#[test]
fn named_arguments_and_invoke() {
    let e = expr("f(1, b = 'z')");
    let ExprKind::Call { args, .. } = &e.kind else { panic!() };
    assert!(matches!(&args[1].kind, ExprKind::NamedArg { name, .. } if name.name == "b"));
    // `==` is a comparison, not a named argument.
    let e = expr("f(b == 'z')");
    let ExprKind::Call { args, .. } = &e.kind else { panic!() };
    assert!(matches!(&args[0].kind, ExprKind::Binary { .. }));
    assert!(matches!(&operators("T | invoke f(1)")[0], OperatorKind::Invoke { .. }));
}

/// The top-nested page's syntax: `[N] of [Name =] Expr [with others =
/// ConstExpr] by [Name =] Aggregation [asc|desc]`, clauses joined by
/// `, top-nested`.
#[test]
fn top_nested_clauses() {
    let ops = operators(
        "T | top-nested 3 of Location with others = \"Others\" by sum(MachinesNumber), top-nested of bin(Timestamp, 5m) by n = count() asc",
    );
    let [OperatorKind::TopNested { levels }] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(levels.len(), 2);
    assert_eq!(levels[0].count.as_ref().map(sexpr).as_deref(), Some("3"));
    assert_eq!(sexpr(&levels[0].expr.expr), "Location");
    assert_eq!(levels[0].others.as_ref().map(sexpr).as_deref(), Some("\"Others\""));
    assert_eq!(levels[0].order, None);
    assert!(levels[1].count.is_none());
    assert_eq!(levels[1].aggregate.name.as_ref().map(|n| n.name.as_str()), Some("n"));
    assert_eq!(levels[1].order, Some(SortOrder::Asc));
    for src in [
        "T\n| top-nested 3 of Location with others = \"Others\" by sum(MachinesNumber), top-nested 4 of bin(Timestamp, 5m) by sum(MachinesNumber)",
        "T\n| top-nested of S = State by Ignore = max(1) desc",
    ] {
        assert_round_trip(src);
    }
}

#[test]
fn evaluate_a_plugin_with_named_arguments_and_an_output_schema() {
    let ops = operators("T | evaluate bag_unpack(d, columnsConflict='keep_source') : (*, a:long)");
    let [OperatorKind::Evaluate(e)] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(e.plugin.name, "bag_unpack");
    assert_eq!(e.args.len(), 2);
    let schema = e.schema.as_ref().expect("an output schema");
    assert!(schema.star);
    assert_eq!(schema.columns.len(), 1);
    for src in [
        "T\n| evaluate bag_unpack(d, \"p_\")",
        "T\n| evaluate bag_unpack(d) : (a:long, b:string)",
        "T\n| evaluate hint.distribution=per_node bag_unpack(d) : (*, a:long)",
    ] {
        assert_round_trip(src);
    }
}

/// The search page: `Column:"term"` restricts a term to one column, and
/// the tables of `in (…)` may have `*` wildcards.
#[test]
fn search_column_terms_and_wildcard_tables() {
    let ops = operators("T | search Name:\"web*\" or \"x\"");
    let [OperatorKind::Search(s)] = &ops[..] else { panic!("{ops:?}") };
    assert_eq!(sexpr(&s.predicate), "(or (term Name \"web*\") \"x\")");
    let q = query("search in (NTA*, T) \"x\"");
    let SourceKind::Search(s) = &q.source.kind else { panic!() };
    let tables: Vec<String> = s.tables.iter().flatten().map(sexpr).collect();
    assert_eq!(tables, ["NTA*", "T"]);
    for src in ["search in (NTA*, T) Name:\"x\" and \"y\"", "T\n| search kind=case_sensitive Name:\"x\""] {
        assert_round_trip(src);
    }
    // Outside search a `:` after a name is not a term.
    assert!(!kql_syntax::parse("T | where Name:\"x\"").errors.is_empty());
}
