//! Round trip: parse → canonical print → parse gives the same tree (spans
//! aside), and printing the reparsed tree gives the same text.

use crate::common;

use common::{assert_round_trip, expr, repo_file, sexpr};
use kql_syntax::ast::{BinaryOp, Expr, ExprKind, Ident, Literal};
use kql_syntax::{Span, parse};

/// Varied queries: every operator, literal form and quoting style, and the
/// spellings the printer normalises.
const CORPUS: &[&str] = &[
    "T",
    "T | take 10",
    "T | where a > 1 and b < 2 or not(c)",
    "T | filter x == 'y' | limit 5",
    "T | where x in ('a', 'b') and y !in~ ('C') and z in~ (1) and w !in (2)",
    "T | where s has 'x' and s !has_cs 'y' or s contains_cs 'z' or s notcontains 'q'",
    "T | where s hasprefix 'a' or s !hassuffix_cs 'b' or s startswith 'c' or s !endswith_cs 'd'",
    "T | where s matches regex @'^\\d+$'",
    "T | where s =~ 'A' and t !~ 'B' and u <> 1",
    "T | where n between (1..5) and m !between (1.5 .. 2.5)",
    "T | where Timestamp between (datetime(2025-06-01) .. datetime(2025-06-02 12:30))",
    "T | where Timestamp > ago(4h) and Duration < 1.5d + 30min - 10s",
    "T | extend a = (1 + 2) * 3, b = -x, c = - (y * 2), d = +z",
    "T | extend v = split(Path, '/')[0], w = arr[-1], m = d.a.b, n = d['key'].c",
    "T | extend IP = tostring(split(ExtractedIPs, '|')[0])",
    "T | project a, b = c % 7, ['with space'] = 1, ['kind'] = 2, ['by'] = 3",
    "T | project-away Flow*, SubType | project-keep *Ip, Location",
    "T | project-rename NewName = OldName, ['new name'] = ['old name']",
    "T |extend x=1|where x>0",
    "T | distinct * | distinct a, b",
    "T | mv-expand ExtractedIPs | mvexpand kind=array x to typeof(string), y = z limit 100",
    "T | lookup kind=inner R on $left.A == $right.B",
    "T | lookup kind=leftouter (R | where x > 1) on $right.B == $left.A, C",
    "T | lookup R on Id",
    "T | join kind=inner R on $left.Ip == $right.SrcIp | project SrcIp, DestIp = DestIp1",
    "T | join kind=anti hint.strategy=broadcast (R | project Id) on Id",
    "T | join kind = leftsemi R on $left.a == $right.b and $left.c == $right.d",
    "union T1, T2, (T3 | where a == 1)",
    "union kind=outer withsource=Table isfuzzy=true T1, T2 | count",
    "T | mv-expand with_itemindex=i kind=array a, b = c to typeof(long) limit 3",
    "T | mv-apply with_itemindex=i e = a to typeof(long), b limit 2 on (top 1 by e | summarize s = sum(e))",
    "T | where * has 'x' and * !contains_cs \"y\"",
    "T | search kind=case_sensitive 'err*' or a == 1",
    "search in (T1, (T2 | take 1)) \"x\" and not(\"y\") | count",
    "search \"*x*\"",
    "A | union B, C | distinct *",
    "T | summarize count()",
    "T | summarize n = count(), dcount(Ip), arg_max(Timestamp, *) by bin(Timestamp, 1h), Location",
    "T | summarize by Vnet, PublicIpDetails",
    "T | summarize hint.shufflekey=Ip Flows = sum(CompletedFlows) by Ip",
    "T | top 10 by Flows desc nulls last",
    "T | top n * 2 by a asc nulls first",
    "T | sort by a, b asc, c desc nulls first | order by d",
    "T | count | render timechart with (title='Flows', ytitle=\"n\")",
    "print 1, b = 'x', c = now()",
    "print 0x2A, 1.5, 1e3, 1.5e-3, 1., 2.5e300, 100ms, 1tick, 2d, 1.5h, 3microseconds",
    "print long(null), long(-7), int(5), int(-1), int(null), real(nan), real(+inf), real(-inf), real(-0.5), real(null)",
    "print bool(true), bool(null), true, false, decimal(1.50), decimal(null)",
    "print datetime(null), datetime('2025-06-01T08:09:10.1234567Z'), datetime(1969-12-31 23:59:59), date(2261-12-31)",
    "print timespan(1.02:03:04), time(2d), timespan(null), timespan(-00:30:00), timespan(00:00:00.000000001)",
    "print guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642), guid(null)",
    "print dynamic([1, 'a', {'k': [true, null]}, -2, -2.5, datetime(2025-06-01), 1h]), dynamic(null), dynamic({})",
    "print dynamic([real(nan), real(+inf), real(-inf), long(null)])",
    "print 'single', \"double\", 'esc\\n\\t\\\\\\'\\\"', '\\u00e9\\x41\\U0001F600\\101', @'c:\\path', @\"a\"\"b\"",
    "print h'hidden', ```multi\nline \"quoted\"```, \"a\" 'b' @'c', '\\u0001\\u007f'",
    "print '🌐 ', '🖥️', 'naïve — 日本語'",
    "print ['where'], ['view'], ['has'], ['contains_cs'], ['and'], ['true']",
    // Names that are statement or source keywords where they stand.
    "['alias'] | take 1; ['pattern']; ['restrict']; ['external_data'] | count; ['set']; ['range']",
    "let X = ['view']; let Y = ['union']; X",
    "datatable(a:long, b:string, c:dynamic) [1, 'x', dynamic([1]), 2, 'y', dynamic(null),]",
    "let n = 10; T | take n",
    "let X = T | where a > 1; let Y = X | union X; Y | count",
    "declare query_parameters(start:datetime, end:datetime = datetime(2025-06-01), n:long = 10);\nT | where Timestamp between (start .. end) | take n",
    "// comment\nT // trailing\n| where a == 1 // more\n;",
    "T | where x in (R | where y > 1 | project x) | extend z = toscalar(R | count)",
    "T | where isnotempty(SrcIp) == true and strlen(SrcIp) >= 7",
    "T | where ((a))",
    "T | extend s = strcat('/subscriptions/', Sub, '/resourceGroups/', tostring(split(Subnet, '/')[0]))",
    "T | where Timestamp > datetime('{timeInterval:startISO}')",
];

#[test]
fn corpus_round_trips() {
    assert!(CORPUS.len() >= 40);
    for src in CORPUS {
        assert_round_trip(src);
    }
}

#[test]
fn article_queries_round_trip() {
    for n in 1..=4 {
        assert_round_trip(&repo_file(&format!("queries/scenario{n}.kql")));
    }
}

/// The canonical text of the article's queries, committed: a change to the
/// printer shows up as a reviewed snapshot diff.
#[test]
fn article_queries_canonical_text() {
    for n in 1..=4 {
        let printed = assert_round_trip(&repo_file(&format!("queries/scenario{n}.kql")));
        insta::assert_snapshot!(format!("scenario{n}_canonical"), printed);
    }
}

/// Canonical spellings: keyword aliases, `<>`, quotes, literal forms.
#[test]
fn canonical_spellings() {
    let cases = [
        ("T | filter a <> 1", "T\n| where a != 1"),
        ("T | limit 5 | order by a", "T\n| take 5\n| sort by a"),
        ("T | mvexpand x", "T\n| mv-expand x"),
        ("T|extend x=1", "T\n| extend x = 1"),
        ("print 'it''s'", "print \"its\""),
        ("print @'it''s'", "print \"it's\""),
        ("print x notcontains 'a', y containscs 'b'", "print x !contains \"a\", y contains_cs \"b\""),
        ("print 1h, 90s, 1e3, 0x10", "print timespan(01:00:00), timespan(00:01:30), 1000.0, 16"),
        ("print datetime(2025-06-01)", "print datetime(2025-06-01T00:00:00.0000000Z)"),
        ("print ['Col A'], ['in']", "print [\"Col A\"], [\"in\"]"),
        ("T | join kind=anti R on A", "T\n| join kind=leftanti R on A"),
        ("T | lookup R on $right.B == $left.A", "T\n| lookup R on $left.A == $right.B"),
        ("let x = 1;;T;", "let x = 1;\nT"),
    ];
    for (src, canonical) in cases {
        assert_eq!(assert_round_trip(src), canonical, "{src}");
    }
}

/// A tree built by hand (as the binder or a rewrite might) gets the
/// parentheses its shape needs, so its text parses back to the same shape.
#[test]
fn printer_parenthesises_hand_built_trees() {
    fn name(n: &str) -> Expr {
        Expr::new(ExprKind::Name(Ident::new(n, Span::default())), Span::default())
    }
    fn bin(op: BinaryOp, l: Expr, r: Expr) -> Expr {
        let kind = ExprKind::Binary { op, op_span: Span::default(), left: Box::new(l), right: Box::new(r) };
        Expr::new(kind, Span::default())
    }
    /// The tree without its Paren nodes (binary operators are all these cases use).
    fn unparen(e: &Expr) -> Expr {
        match &e.kind {
            ExprKind::Paren(inner) => unparen(inner),
            ExprKind::Binary { op, left, right, .. } => bin(*op, unparen(left), unparen(right)),
            _ => e.clone(),
        }
    }
    let one = || Expr::new(ExprKind::Literal(Literal::Long(Some(1))), Span::default());
    let cases = [
        (bin(BinaryOp::Mul, bin(BinaryOp::Add, name("a"), name("b")), name("c")), "(a + b) * c"),
        (bin(BinaryOp::Sub, name("a"), bin(BinaryOp::Sub, name("b"), name("c"))), "a - (b - c)"),
        (bin(BinaryOp::Sub, bin(BinaryOp::Sub, name("a"), name("b")), name("c")), "a - b - c"),
        (bin(BinaryOp::Eq, bin(BinaryOp::Eq, name("a"), name("b")), name("c")), "(a == b) == c"),
        (bin(BinaryOp::And, bin(BinaryOp::Or, name("a"), name("b")), name("c")), "(a or b) and c"),
        (bin(BinaryOp::Has, bin(BinaryOp::Add, name("a"), name("b")), name("c")), "(a + b) has c"),
        (bin(BinaryOp::Lt, bin(BinaryOp::Lt, name("a"), one()), name("c")), "(a < 1) < c"),
    ];
    for (tree, text) in cases {
        let printed = tree.to_string();
        assert_eq!(printed, text);
        // The reparsed tree has the hand-built shape once its Paren nodes are dropped.
        assert_eq!(sexpr(&unparen(&expr(&printed))), sexpr(&tree), "{printed}");
    }
}

#[test]
fn round_trip_keeps_spans_out_of_the_comparison_but_in_the_tree() {
    // Same tree, different layout: equal once spans are removed, different spans.
    let a = parse("T | where a == 1");
    let b = parse("T\n|   where a==1");
    assert_eq!(common::without_spans(&a.script), common::without_spans(&b.script));
    assert_ne!(a.script, b.script);
}

/// `ntaq parse --format json` serialises the tree: list-valued variants of
/// the internally tagged enums must serialise too (`print`, `declare`).
#[test]
fn every_statement_and_source_serialises_to_json() {
    let s = common::script("declare query_parameters(n:long = 1); print a = n");
    let json = serde_json::to_value(&s).expect("serialises");
    let declare = &json["statements"][0]["kind"];
    assert_eq!(declare["type"], "DeclareQueryParameters");
    assert_eq!(declare["parameters"][0]["name"]["name"], "n");
    let print = &json["statements"][1]["kind"]["source"]["kind"];
    assert_eq!(print["type"], "Print");
    assert_eq!(print["columns"][0]["name"]["name"], "a");
}

#[test]
fn member_access_on_an_integer() {
    // Found by the fuzz suite: `1.or` printed as `1.["or"]`, which reads
    // as the real `1.` indexed by "or", a different tree.
    assert_eq!(assert_round_trip("print 1.or"), "print 1 .[\"or\"]");
    assert_eq!(assert_round_trip("print 1 .e5"), "print 1 .e5");
    assert_round_trip("print 1.5.x, 0x2A .['by']");
}

#[test]
fn texts_in_a_row_of_a_parse_pattern_are_one_text() {
    // `", " , "b="` (comma-separated items) matches as `", b="`, the way the
    // adjacent literals `", " "b="` read: one pattern item either way, so
    // the printed pattern parses back to the same tree (a fuzz finding).
    let a = parse(r#"T | parse s with "a=" x:long ", " , "b=" y"#);
    let b = parse(r#"T | parse s with "a=" x:long ", " "b=" y"#);
    let c = parse(r#"T | parse s with "a=" x:long ", b=" y"#);
    assert_eq!(common::without_spans(&a.script), common::without_spans(&c.script));
    assert_eq!(common::without_spans(&b.script), common::without_spans(&c.script));
    assert_round_trip(r#"T | parse s with "a=" x:long ", " , "b=" y"#);
}
