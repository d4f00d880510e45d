//! The checker: one triggering query per diagnostic code (with the text its
//! span covers), type inference and Kusto's column naming.

use kql_plan::{Catalog, Params, SemanticError, bind};
use kql_syntax::ScalarType;
use kql_types::Value;
use miette::Diagnostic;

/// (code, text under the primary span, message) of each diagnostic.
fn diagnose_with(src: &str, params: &Params) -> Vec<(String, String, String)> {
    let parsed = kql_syntax::parse(src);
    assert!(parsed.errors.is_empty(), "{src}: {:#?}", parsed.errors);
    let bound = bind(&parsed.script, &Catalog::nta(), params);
    bound
        .diagnostics
        .iter()
        .map(|d| {
            let label = d.labels().and_then(|mut l| l.next()).expect("every diagnostic has a span");
            let text = src.get(label.offset()..label.offset() + label.len()).unwrap_or("<out of range>").to_string();
            (d.code().unwrap().to_string(), text, d.to_string())
        })
        .collect()
}

fn diagnose(src: &str) -> Vec<(String, String, String)> {
    diagnose_with(src, &Params::default())
}

fn help_of(src: &str) -> Option<String> {
    let parsed = kql_syntax::parse(src);
    let bound = bind(&parsed.script, &Catalog::nta(), &Params::default());
    bound.diagnostics.first().and_then(|d| d.help().map(|h| h.to_string()))
}

/// Asserts exactly one diagnostic with this code, covering `span_text`.
#[track_caller]
fn expect_one(src: &str, code: &str, span_text: &str) -> String {
    let d = diagnose(src);
    assert_eq!(d.len(), 1, "{src}: {d:#?}");
    assert_eq!(d[0].0, code, "{src}");
    assert_eq!(d[0].1, span_text, "{src}");
    d[0].2.clone()
}

fn schema(src: &str) -> String {
    let parsed = kql_syntax::parse(src);
    assert!(parsed.errors.is_empty(), "{src}: {:#?}", parsed.errors);
    let bound = bind(&parsed.script, &Catalog::nta(), &Params::default());
    assert!(!bound.has_errors(), "{src}: {:#?}", bound.diagnostics);
    bound.program.results.last().unwrap().schema.to_string()
}

#[test]
fn unknown_column_with_suggestion() {
    let msg = expect_one("NTAIpDetails | where Ipp == '1.2.3.4'", "kql::semantic::unknown_column", "Ipp");
    assert_eq!(msg, "unknown column `Ipp`");
    assert_eq!(help_of("NTAIpDetails | where Ipp == '1.2.3.4'").as_deref(), Some("did you mean `Ip`?"));
    // Names are case-sensitive in Kusto; the suggestion fixes the case.
    assert_eq!(help_of("NTAIpDetails | project ip").as_deref(), Some("did you mean `Ip`?"));
}

#[test]
fn unknown_column_in_project_away_and_join() {
    expect_one("NTAIpDetails | project-away Urll", "kql::semantic::unknown_column", "Urll");
    let d = diagnose("NTAIpDetails | join kind=inner NTANetAnalytics on $left.Ip == $right.SrcIP");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].1, "SrcIP");
    assert!(
        help_of("NTAIpDetails | join kind=inner NTANetAnalytics on $left.Ip == $right.SrcIP")
            .unwrap()
            .contains("SrcIp")
    );
}

#[test]
fn unknown_table() {
    expect_one("NTAIpDetail | take 1", "kql::semantic::unknown_table", "NTAIpDetail");
    assert_eq!(help_of("NTAIpDetail | take 1").as_deref(), Some("did you mean `NTAIpDetails`?"));
}

#[test]
fn unknown_function() {
    expect_one("print strcatt('a', 'b')", "kql::semantic::unknown_function", "strcatt");
    assert_eq!(help_of("print strcatt('a', 'b')").as_deref(), Some("did you mean `strcat`?"));
}

/// A bare name standing alone as an item of an operator's column list names
/// a column of the input (the project page: "If there's no Expression, then a
/// column of ColumnName must appear in the input"), so an unknown one is an
/// unknown column, whether or not some column is spelled like it.
#[test]
fn bare_unknown_names_in_column_lists_are_columns() {
    for src in [
        "NTAIpDetails | project nope",
        "NTAIpDetails | project Ip, nope",
        "NTAIpDetails | extend nope",
        "NTAIpDetails | distinct nope",
        "NTAIpDetails | summarize count() by nope",
        "NTAIpDetails | sort by nope",
        "NTAIpDetails | top 3 by nope",
        "NTAIpDetails | mv-expand nope",
    ] {
        let msg = expect_one(src, "kql::semantic::unknown_column", "nope");
        assert_eq!(msg, "unknown column `nope`", "{src}");
        assert_eq!(help_of(src), None, "{src}");
    }
    // With a column spelled like it: did you mean.
    expect_one("NTAIpDetails | project Ipp", "kql::semantic::unknown_column", "Ipp");
    assert_eq!(help_of("NTAIpDetails | project Ipp").as_deref(), Some("did you mean `Ip`?"));
    // Spelled like a scalar let and like no column: meant as that let.
    expect_one("let window = 4h; NTAIpDetails | project windw", "kql::semantic::unknown_name", "windw");
    assert_eq!(help_of("let window = 4h; NTAIpDetails | project windw").as_deref(), Some("did you mean `window`?"));
    // Inside an expression (or as `Name = …`) a name may be a let or a
    // parameter: unknown_name, with the help on declaring parameters.
    expect_one("NTAIpDetails | project x = nope", "kql::semantic::unknown_name", "nope");
    expect_one("NTAIpDetails | where Port > nope", "kql::semantic::unknown_name", "nope");
    // A source has no input columns: print's names are scalar names.
    expect_one("print nope", "kql::semantic::unknown_name", "nope");
}

#[test]
fn mv_expand_items_read_the_input_row() {
    // Every mv-expand item binds in the input's row scope (Kusto.Language
    // VisitMvExpandOperator), so one item cannot read another's output.
    expect_one("print arr = dynamic([1]) | mv-expand elem = arr, again = elem", "kql::semantic::unknown_name", "elem");
}

#[test]
fn free_names_need_declaring() {
    let d = diagnose("NTANetAnalytics | where FlowStartTime between (start .. end)");
    let codes: Vec<(&str, &str)> = d.iter().map(|(c, t, _)| (c.as_str(), t.as_str())).collect();
    assert_eq!(codes, [("kql::semantic::unknown_name", "start"), ("kql::semantic::unknown_name", "end")]);
    assert!(help_of("print start").unwrap().contains("declare query_parameters(start:TYPE);"));

    // Declared in the query, or from outside: no error.
    assert!(diagnose("declare query_parameters(start:datetime); print start").is_empty());
    let mut p = Params::default();
    p.declare("start", ScalarType::DateTime);
    p.declare("end", ScalarType::DateTime);
    assert!(diagnose_with("NTANetAnalytics | where FlowStartTime between (start .. end)", &p).is_empty());
}

#[test]
fn parameters_are_typed() {
    let mut p = Params::default();
    p.declare("n", ScalarType::String);
    let d = diagnose_with("NTAIpDetails | take n", &p);
    assert_eq!(d[0].0, "kql::semantic::type_mismatch", "{d:#?}");
    let mut p = Params::default();
    p.set("start", Value::Long(Some(5)));
    let d = diagnose_with("declare query_parameters(start:datetime); print start", &p);
    assert_eq!(d[0].0, "kql::semantic::parameter_value", "{d:#?}");
    expect_one("declare query_parameters(a:long, a:long); print a", "kql::semantic::duplicate_parameter", "a");
}

#[test]
fn sum_of_a_string() {
    let msg = expect_one("NTAIpDetails | summarize sum(Ip)", "kql::semantic::type_mismatch", "Ip");
    assert_eq!(msg, "argument 1 (`expr`) of `sum()` must be a number or timespan, found string");
}

#[test]
fn operator_type_errors() {
    // Kusto.Language accepts `==` between any scalars (Operators.cs: `NotBool == Scalar`);
    // the engine fails int == string at run time: a warning here, an error for `run`.
    let msg = expect_one("NTAIpDetails | where Port == 'x'", "kql::semantic::engine_rejects", "==");
    assert_eq!(msg, "cannot compare int with string using `==`: Kusto's engine rejects this when the query runs");
    expect_one("print 'a' + 'b'", "kql::semantic::type_mismatch", "+");
    // `has` and friends need strings (Kusto.Language Operators.cs: StringOrDynamic).
    expect_one("NTAIpDetails | where Port has '80'", "kql::semantic::type_mismatch", "has");
    expect_one("NTAIpDetails | where Ip", "kql::semantic::type_mismatch", "Ip");
    let d = diagnose("NTAIpDetails | where Port between ('a' .. 'b')");
    let spans: Vec<(&str, &str)> = d.iter().map(|(c, t, _)| (c.as_str(), t.as_str())).collect();
    assert_eq!(spans, [("kql::semantic::type_mismatch", "'a'"), ("kql::semantic::type_mismatch", "'b'")]);
    expect_one("NTAIpDetails | mv-expand Ip", "kql::semantic::type_mismatch", "Ip");
    // iff/case results of different types: Kusto.Language accepts them
    // (CommonScalarOrDynamic parameters, a dynamic result), its engine does
    // not (the case page: "must be of the same type"): a warning.
    let msg = expect_one("print iff(true, 'a', 1)", "kql::semantic::engine_rejects", "iff(true, 'a', 1)");
    assert!(msg.contains("string, long"), "{msg}");
    expect_one(
        "print case(true, guid(74be27de-1e4e-49d9-b579-fe0b331d3642), 'N/A')",
        "kql::semantic::engine_rejects",
        "case(true, guid(74be27de-1e4e-49d9-b579-fe0b331d3642), 'N/A')",
    );
}

#[test]
fn wrong_arity() {
    let msg = expect_one("print substring('abc')", "kql::semantic::arity", "substring('abc')");
    assert_eq!(msg, "`substring` takes 2 or 3 argument(s), 1 given");
    expect_one("print strlen('a', 'b')", "kql::semantic::arity", "strlen('a', 'b')");
}

#[test]
fn let_used_before_definition() {
    let msg = expect_one("X | take 1;\nlet X = NTAIpDetails;\nX", "kql::semantic::let_before_definition", "X");
    assert_eq!(msg, "`X` is used before its `let` statement");
}

#[test]
fn tabular_and_scalar_mixups() {
    expect_one("let x = 1; x | take 1", "kql::semantic::not_tabular", "x");
    expect_one("print NTAIpDetails", "kql::semantic::not_scalar", "NTAIpDetails");
    expect_one("let T = NTAIpDetails; print T", "kql::semantic::not_scalar", "T");
}

#[test]
fn aggregates_only_in_summarize() {
    expect_one("NTAIpDetails | extend c = count()", "kql::semantic::aggregate_context", "count()");
    expect_one("NTAIpDetails | summarize Ip", "kql::semantic::not_aggregate", "Ip");
    // Non-aggregated columns of a summarize expression must be `by` keys.
    let msg = expect_one("NTAIpDetails | summarize x = count() + Port by Ip", "kql::semantic::unknown_column", "Port");
    assert_eq!(msg, "unknown column `Port`");
    assert!(help_of("NTAIpDetails | summarize x = count() + Port by Ip").unwrap().contains("add it to `by`"));
}

#[test]
fn duplicate_columns() {
    expect_one("NTAIpDetails | project a = Ip, a = Url", "kql::semantic::duplicate_column", "a");
    expect_one("NTAIpDetails | summarize n = count(), n = dcount(Ip)", "kql::semantic::duplicate_column", "n");
    expect_one("NTAIpDetails | project-rename Ip = Url", "kql::semantic::duplicate_column", "Ip");
    // Kusto.Language ProjectionBuilder.Declare: a name stated twice in one
    // operator — `Name = …` or a bare column — is a duplicate, in extend too.
    expect_one("NTAIpDetails | extend x = 1, x = 2", "kql::semantic::duplicate_column", "x");
    expect_one("NTAIpDetails | extend Ip = tolower(Ip), Ip = toupper(Ip)", "kql::semantic::duplicate_column", "Ip");
    expect_one("NTAIpDetails | project Ip, Ip", "kql::semantic::duplicate_column", "Ip");
    expect_one("NTAIpDetails | distinct Ip, Ip", "kql::semantic::duplicate_column", "Ip");
    expect_one("NTAIpDetails | summarize count() by Ip, Ip", "kql::semantic::duplicate_column", "Ip");
    expect_one("NTAIpDetails | summarize Ip = count() by Ip", "kql::semantic::duplicate_column", "Ip");
    // A conversion that keeps the column's type refers to the column (GetResultColumn).
    expect_one("NTAIpDetails | project Ip, tostring(Ip)", "kql::semantic::duplicate_column", "tostring(Ip)");
}

#[test]
fn derived_names_do_not_clash() {
    // Derived names are numbered in project and summarize, and replace in extend.
    assert_eq!(schema("NTAIpDetails | project Port, tostring(Port)"), "(Port:int, Port1:string)");
    assert_eq!(schema("NTAIpDetails | summarize count(), count_ = dcount(Ip)"), "(count_:long, count_1:long)");
    assert_eq!(
        schema("NTAIpDetails | project Ip | extend n = 1, strlen(Ip), strlen_Ip = 2.5"),
        "(Ip:string, n:long, strlen_Ip:real)"
    );
}

#[test]
fn counts_must_be_constant() {
    expect_one("NTAIpDetails | take Port", "kql::semantic::not_constant", "Port");
    expect_one("NTAIpDetails | top Port by Ip", "kql::semantic::not_constant", "Port");
    expect_one("print extract(Ip, 0, 'x') | extend y = 1", "kql::semantic::unknown_name", "Ip");
}

#[test]
fn join_key_types() {
    let msg = expect_one(
        "NTAIpDetails | join kind=inner NTANetAnalytics on $left.Port == $right.SrcIp",
        "kql::semantic::join_key_type",
        "$left.Port == $right.SrcIp",
    );
    assert_eq!(msg, "join keys have different types: int and string");
}

#[test]
fn no_query_to_return() {
    let d = diagnose("let x = 1;");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].0, "kql::semantic::no_query");
}

#[test]
fn notes_for_placeholders_and_render() {
    let d = diagnose("print t = datetime('{timeInterval:startISO}')");
    assert_eq!(
        d,
        [(
            "kql::semantic::placeholder".to_string(),
            "{timeInterval:startISO}".to_string(),
            "workbook placeholder `{timeInterval:startISO}` has no value".to_string()
        )]
    );
    expect_one("NTAIpDetails | count | render piechart", "kql::semantic::render", "piechart");
    let parsed = kql_syntax::parse("NTAIpDetails | count | render piechart");
    assert!(!bind(&parsed.script, &Catalog::nta(), &Params::default()).has_errors(), "notes are not errors");
}

#[test]
fn unsupported_is_its_own_class() {
    let d = diagnose("print series_fir(dynamic([1]), dynamic([1]))");
    assert_eq!(d[0].0, "kql::unsupported::function");
    expect_one("NTAIpDetails | union kind=left NTAIpDetails", "kql::unsupported::feature", "kind=left");
    let parsed = kql_syntax::parse("print series_fir(dynamic([1]), dynamic([1]))");
    let b = bind(&parsed.script, &Catalog::nta(), &Params::default());
    assert!(b.diagnostics.iter().all(SemanticError::is_unsupported));
}

#[test]
fn union_search_and_mv_apply_misuse() {
    // isfuzzy=true: an unknown leg is a warning that does not stop the query.
    expect_one("union isfuzzy=true NTAIpDetails, Nope", "kql::semantic::union_leg_skipped", "Nope");
    let parsed = kql_syntax::parse("union isfuzzy=true NTAIpDetails, Nope");
    assert!(!bind(&parsed.script, &Catalog::nta(), &Params::default()).has_errors());
    // withsource naming an input column.
    expect_one("union withsource=Ip NTAIpDetails, NTAIpDetails", "kql::semantic::duplicate_column", "Ip");
    // `*` needs a string (or a string comparison).
    expect_one("NTAIpDetails | where * has 1", "kql::semantic::type_mismatch", "1");
    // search's kind is a case sensitivity.
    expect_one("NTAIpDetails | search kind=fuzzy \"x\"", "kql::unsupported::feature", "kind=fuzzy");
    // The mv-apply sub-query sees the row's sub-table: the expanded items
    // and the row's other columns (Kusto.Language binds it so), nothing else.
    assert!(diagnose("NTANetAnalytics | mv-apply p = split(SrcPublicIps, ' ') on (where SrcIp == '')").is_empty());
    expect_one(
        "NTANetAnalytics | mv-apply p = split(SrcPublicIps, ' ') on (where NoSuchIp == '')",
        "kql::semantic::unknown_name",
        "NoSuchIp",
    );
    // Columns after mv-apply: the input's and the sub-query's.
    assert!(
        diagnose(
            "NTANetAnalytics | mv-apply p = split(SrcPublicIps, ' ') on (summarize n = count()) | project SrcIp, n"
        )
        .is_empty()
    );
}

#[test]
fn one_mistake_one_error() {
    // The unknown column poisons `x`; later uses of `x` are not reported again.
    let d = diagnose("NTAIpDetails | extend x = Nope + 1 | where x > 2 | summarize sum(x) by Ip");
    assert_eq!(d.len(), 1, "{d:#?}");
    // A failed `let` does not make its uses errors.
    let parsed = kql_syntax::parse("let X = NTAIpDetails | wher Ip == 1; X | take 1");
    assert_eq!(parsed.errors.len(), 1);
    let b = bind(&parsed.script, &Catalog::nta(), &Params::default());
    assert!(b.diagnostics.is_empty(), "{:#?}", b.diagnostics);
}

#[test]
fn expression_types() {
    // Kusto.Language Operators.cs: int+real widens; datetime-datetime is a timespan;
    // timespan/timespan is real. int+int is a long: "If both operands are of
    // integer types (int or long), the result will be of type long"
    // (learn.microsoft.com/kusto/query/numerical-operators).
    assert_eq!(
        schema(
            "print a = 1 + 2.5, b = now() - ago(1h), c = 1h / 30m, d = int(1) + int(2), e = datetime(2025-01-01) + 1d"
        ),
        "(a:real, b:timespan, c:real, d:long, e:datetime)"
    );
    assert_eq!(
        schema(
            "print a = iff(true, 1, 2), b = case(false, 'x', 'y'), c = coalesce('', 'z'), d = split('a b', ' ')[0], e = strlen('x')"
        ),
        "(a:long, b:string, c:string, d:dynamic, e:long)"
    );
    assert_eq!(
        schema("print x = tostring(5), y = todatetime('2025-01-01'), z = not(true)"),
        "(x:string, y:datetime, z:bool)"
    );
}

#[test]
fn kusto_column_naming() {
    // count() → count_, sum(X) → sum_X, dcount(X) → dcount_X, make_set(X) → set_X
    // (Kusto.Language Aggregates.cs result-name prefixes); bin(T, 1h) names its
    // key after T; strlen(X) is strlen_X (NameAndFirstArgument in Functions.cs);
    // an unnamed computed key is Column1.
    assert_eq!(
        schema(
            "NTAIpDetails | summarize count(), dcount(Ip), make_set(Url), sum(Port) by bin(FlowIntervalStartTime, 1h), strlen(Ip), Port + 1"
        ),
        "(FlowIntervalStartTime:datetime, strlen_Ip:long, Column1:long, count_:long, dcount_Ip:long, set_Url:dynamic, sum_Port:long)"
    );
    // print columns are print_0, print_1 by position; a column reference keeps its name.
    assert_eq!(schema("print 1, 'a'"), "(print_0:long, print_1:string)");
    // extend: unnamed expressions get ColumnN, numbered across the script; same
    // names replace in place.
    assert_eq!(
        schema("NTAIpDetails | project Ip, Port | extend Port * 2, Port = tostring(Port), Ip"),
        "(Ip:string, Port:string, Column1:long)"
    );
    // tostring(X) is named X; d.a is d_a.
    assert_eq!(schema("print d = dynamic({'a': 1}) | project tostring(d), d.a"), "(d:string, d_a:dynamic)");
    // Unnamed duplicates get numeric suffixes.
    assert_eq!(schema("NTAIpDetails | summarize count(), count() by Ip"), "(Ip:string, count_:long, count_1:long)");
    // Expressions over aggregates are computed after aggregation.
    assert_eq!(schema("NTAIpDetails | summarize avg_port = sum(Port) / count() by Ip"), "(Ip:string, avg_port:long)");
}

#[test]
fn arg_max_and_take_any_tuples() {
    // Kusto.Language GetArgMinMaxResult: the maximized column, then the
    // returned ones; `*` adds every column not already there and not a `by` key.
    assert_eq!(
        schema("NTAIpDetails | project Ip, Port, Url | summarize arg_max(Port, Url) by Ip"),
        "(Ip:string, Port:int, Url:string)"
    );
    assert_eq!(
        schema("NTAIpDetails | project Ip, Port, Url | summarize arg_max(Port, *) by Ip"),
        "(Ip:string, Port:int, Url:string)"
    );
    // take_any(X) keeps X's name (GetAnyResult).
    assert_eq!(schema("NTAIpDetails | summarize take_any(Url) by Ip"), "(Ip:string, Url:string)");
}

#[test]
fn join_lookup_union_schemas() {
    // join: right duplicates get a suffix, including the key.
    assert_eq!(
        schema("NTAIpDetails | project Ip, Port | join kind=inner (NTAIpDetails | project Ip, Url) on Ip"),
        "(Ip:string, Port:int, Ip1:string, Url:string)"
    );
    // leftsemi/leftanti return the left side only.
    assert_eq!(
        schema("NTAIpDetails | project Ip | join kind=leftanti (NTAIpDetails | project Ip, Url) on Ip"),
        "(Ip:string)"
    );
    // lookup does not repeat the right keys.
    assert_eq!(
        schema(
            "NTAIpDetails | project Ip, Port | lookup (NTAIpDetails | project Addr = Ip, Url) on $left.Ip == $right.Addr"
        ),
        "(Ip:string, Port:int, Url:string)"
    );
    // union is outer by default; the same name with two types becomes Name_type.
    assert_eq!(
        schema("union (print a = 1, b = 'x'), (print a = 'y', c = 2.0)"),
        "(a_long:long, b:string, a_string:string, c:real)"
    );
    assert_eq!(schema("union kind=inner (print a = 1, b = 'x'), (print a = 2, c = 2.0)"), "(a:long)");
}

#[test]
fn datatable_and_mv_expand() {
    assert_eq!(schema("datatable(a:long, b:string) [1, 'x', 2, 'y']"), "(a:long, b:string)");
    expect_one("datatable(a:long) [1, 'x']", "kql::semantic::type_mismatch", "'x'");
    assert_eq!(schema("print s = 'a b' | mv-expand p = split(s, ' ') to typeof(string)"), "(s:string, p:string)");
}

#[test]
fn plan_depth_counts_nodes_shared_lets_and_sub_queries() {
    use kql_plan::plan::plan_depth;
    let depth = |src: &str| {
        let bound = bind(&kql_syntax::parse(src).script, &Catalog::nta(), &Params::default());
        assert!(!bound.has_errors(), "{src}: {:?}", bound.diagnostics);
        let mut shared = Vec::new();
        for s in &bound.program.shared {
            let d = plan_depth(&s.plan, &shared);
            shared.push(d);
        }
        plan_depth(&bound.program.results[0], &shared)
    };
    // A result that still holds the table's hidden standard columns
    // (`_ItemId`, …) leaves them out with a projection: one level more.
    assert_eq!(depth("NTAIpDetails"), 2);
    assert_eq!(depth("NTAIpDetails | take 1 | count"), 3);
    // A shared let: the node that reads it, then the let's own plan.
    assert_eq!(depth("let T = NTAIpDetails | take 1; T | count"), 4);
    // A sub-query is one level below the operator that evaluates it.
    assert_eq!(depth("NTAIpDetails | where Ip in (NTAIpDetails | take 1 | project Ip) | count"), 5);
    // The deeper side of a join counts.
    assert_eq!(depth("NTAIpDetails | join (NTAIpDetails | take 1 | take 1) on Ip | count"), 5);
}

#[test]
fn plans_deeper_than_the_limit_are_refused_once() {
    let limit = kql_plan::MAX_PLAN_DEPTH;
    let codes = |src: &str| -> Vec<String> { diagnose(src).into_iter().map(|(c, _, _)| c).collect() };
    // The source is a level: limit - 1 operators fit.
    assert!(codes(&format!("NTAIpDetails{}", " | take 1".repeat(limit - 1))).is_empty());
    assert_eq!(codes(&format!("NTAIpDetails{}", " | take 1".repeat(limit))), ["kql::semantic::too_deep"]);
    // A chain of lets far past the limit: one error, not one per let.
    let lets: String = (1..=1000).map(|k| format!("let a{k} = a{} | take 1;\n", k - 1)).collect();
    assert_eq!(codes(&format!("let a0 = NTAIpDetails;\n{lets}a1000")), ["kql::semantic::too_deep"]);
    // An extend of items that each read the one before.
    let items: Vec<String> = (1..=500).map(|k| format!("a{k} = a{} + 1", k - 1)).collect();
    assert_eq!(codes(&format!("print a0 = 1 | extend {}", items.join(", "))), ["kql::semantic::too_deep"]);
}

/// User-defined functions: each mistake is one diagnostic, at the argument
/// or name it concerns.
#[test]
fn user_function_calls_are_checked_against_their_parameters() {
    let f = "let f = (a:long, b:string = 'd') { strcat(tostring(a), b) };\n";
    let msg = expect_one(&format!("{f}print f('x')"), "kql::semantic::type_mismatch", "'x'");
    assert_eq!(msg, "argument `a` of `f` must be long, found string");
    expect_one(&format!("{f}print f()"), "kql::semantic::arity", "f()");
    expect_one(&format!("{f}print f(1, 'x', 2)"), "kql::semantic::arity", "2");
    expect_one(&format!("{f}print f(1, c = 'x')"), "kql::semantic::unknown_argument", "c");
    assert_eq!(help_of(&format!("{f}print f(1, bb = 'x')")).as_deref(), Some("did you mean `b`?"));
    expect_one(&format!("{f}print f(1, a = 2)"), "kql::semantic::argument_twice", "a = 2");
    // A bad default is reported at the definition.
    expect_one("let g = (a:long = 'x') { a }; print g()", "kql::semantic::type_mismatch", "'x'");
}

#[test]
fn user_function_bodies_are_checked_once() {
    // At the definition, even when never called; not again at each call.
    expect_one("let f = (T:(a:long)) { T | project b }; print 1", "kql::semantic::unknown_column", "b");
    expect_one(
        "let f = (T:(a:long)) { T | project b }; f(datatable(a:long)[1]) | union f(datatable(a:long)[2])",
        "kql::semantic::unknown_column",
        "b",
    );
    // With `(*)`, a missing column is found at the call.
    expect_one("let f = (T:(*)) { T | project b }; f(NTAIpDetails)", "kql::semantic::unknown_column", "b");
    // A table argument lacking a declared column.
    let msg = expect_one(
        "let f = (T:(Ip:string, n:long)) { T }; f(NTAIpDetails)",
        "kql::semantic::unknown_column",
        "NTAIpDetails",
    );
    assert_eq!(msg, "unknown column `n`");
}

#[test]
fn user_functions_cannot_recurse() {
    expect_one("let f = (n:long) { f(n - 1) }; print f(3)", "kql::semantic::recursion", "f");
    expect_one("let f = (T:(*)) { T | invoke f() }; print 1", "kql::semantic::recursion", "f");
    // An earlier `f` is not the function itself.
    assert_eq!(schema("let f = (n:long) { n + 1 }; let f = (n:long) { f(n) * 2 }; print r = f(1)"), "(r:long)");
}

#[test]
fn user_function_results_have_types_and_schemas() {
    assert_eq!(schema("let f = (x:long) { x * 1.5 }; print r = f(2)"), "(r:real)");
    assert_eq!(
        schema("let f = (T:(Ip:string), n:long) { T | take n | extend n }; f(NTAIpDetails, 1) | project Ip, Port, n"),
        "(Ip:string, Port:int, n:long)"
    );
    // The body may use only the declared columns (the user-defined functions page).
    expect_one("let f = (T:(Ip:string)) { T | project Port }; print 1", "kql::semantic::unknown_column", "Port");
    // A function without parameters may be called by its name alone.
    assert_eq!(schema("let a = () { 123 }; let T = () { print x = 1 }; T | extend y = x * a"), "(x:long, y:long)");
    assert_eq!(schema("let V = view () { NTAIpDetails | count }; V()"), "(Count:long)");
    assert_eq!(schema("let f = (T:(*)) { T | count }; NTAIpDetails | invoke f()"), "(Count:long)");
}

/// Each use of a parameter copies its argument: calls of calls cannot blow
/// the plan up exponentially.
#[test]
fn nested_user_function_calls_stay_small() {
    let mut src = "let f1 = (x:long) { x + x };\n".to_string();
    for k in 2..=30 {
        src.push_str(&format!("let f{k} = (x:long) {{ f{0}(f{0}(x)) }};\n", k - 1));
    }
    src.push_str("print f30(1)");
    let d = diagnose(&src);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].0, "kql::semantic::too_deep");

    // A table used twice in each body is shared, not copied: binding stays
    // fast, and the nesting (which does double at each level) is reported.
    let mut src = "let g1 = (T:(*)) { T | union T };\n".to_string();
    for k in 2..=40 {
        src.push_str(&format!("let g{k} = (T:(*)) {{ g{0}(g{0}(T | take 1)) }};\n", k - 1));
    }
    src.push_str("g40(print x = 1) | count");
    let d = diagnose(&src);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].0, "kql::semantic::too_deep");
    // And calls that each expand twice stop at the expansion limit.
    let mut src = "let h1 = (T:(*)) { T | take 1 };\n".to_string();
    for k in 2..=40 {
        src.push_str(&format!("let h{k} = (T:(*)) {{ h{0}(T) | union h{0}(T) }};\n", k - 1));
    }
    src.push_str("h40(print x = 1) | count");
    let d = diagnose(&src);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].0, "kql::semantic::too_deep");
}

/// A function whose definition does not parse is reported there only, not
/// again as an unknown function at each call.
#[test]
fn a_function_that_does_not_parse_is_not_reported_again() {
    for src in ["let f = (a:long) { a + }; print f(1)", "let f = (T:(*)) { T | where }; f(NTAIpDetails) | count"] {
        let parsed = kql_syntax::parse(src);
        assert_eq!(parsed.errors.len(), 1, "{src}: {:#?}", parsed.errors);
        let bound = bind(&parsed.script, &Catalog::nta(), &Params::default());
        assert!(bound.diagnostics.is_empty(), "{src}: {:#?}", bound.diagnostics);
    }
}

/// Where ntaq's checker and Kusto.Language (Microsoft's parser) must agree
/// (issue #14 item 6; the rules are read from Kusto.Language's Operators.cs
/// and Functions.cs).
#[test]
fn agrees_with_kusto_language() {
    // `bool == Scalar` is a (hidden) signature of `==` and `!=`; Sentinel content
    // compares IsFlowCapturedAtUdrHop with "true".
    for ok in [
        "NTANetAnalytics | where IsFlowCapturedAtUdrHop == \"true\"",
        "NTANetAnalytics | where IsFlowCapturedAtUdrHop != 1",
        "NTANetAnalytics | where \"false\" == IsFlowCapturedAtUdrHop",
        // coalesce of dynamics only, and iff's CommonScalarOrDynamic branches.
        "print coalesce(dynamic(1), dynamic(2))",
        "print iff(true, dynamic(1), 2)",
    ] {
        assert!(diagnose(ok).is_empty(), "{ok}: {:#?}", diagnose(ok));
    }
    // coalesce's arguments are CommonScalar: a dynamic does not adapt to a string.
    expect_one("print coalesce('a', dynamic(1))", "kql::semantic::type_mismatch", "coalesce('a', dynamic(1))");
    // A dynamic summarize key passes the parser but not the engine.
    let msg = expect_one(
        "NTAIpDetails | extend d = dynamic([1]) | summarize count() by d",
        "kql::semantic::engine_rejects",
        "d",
    );
    assert!(msg.contains("dynamic"), "{msg}");
    expect_one("print x = 1 | where x != datetime(2025-01-01)", "kql::semantic::engine_rejects", "!=");
}

#[test]
fn hidden_standard_columns_are_named_not_shown() {
    // "Some of the standard columns will not show in the schema view or
    // intellisense in Log Analytics, and they won't show in query results
    // unless you explicitly specify the column in the output."
    // https://learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns
    assert_eq!(schema("NTAIpDetails | project Ip, _ItemId"), "(Ip:string, _ItemId:string)");
    assert_eq!(schema("NTAIpDetails | summarize n = count() by _SubscriptionId"), "(_SubscriptionId:string, n:long)");
    assert_eq!(schema("NTAIpDetails | project-rename Uid = _ItemId | project Uid"), "(Uid:string)");
    assert_eq!(schema("NTAIpDetails | extend t = _TimeReceived | project t"), "(t:datetime)");
    // Not in a result that does not name them, through filters, extends,
    // project-away, joins and unions alike; getschema leaves them out.
    let shown = |src: &str| schema(src).matches("_ItemId").count();
    for src in [
        "NTAIpDetails",
        "NTAIpDetails | where _ResourceId != '' | take 1",
        "NTAIpDetails | extend a = 1 | project-away Url",
        "NTAIpDetails | join kind=inner (NTAIpDetails) on _ItemId",
        "union NTAIpDetails, NTANetAnalytics",
        "NTAIpDetails | getschema | where ColumnName startswith '_I'",
    ] {
        assert_eq!(shown(src), 0, "{src}");
    }
    assert_eq!(schema("NTAIpDetails | getschema | count"), "(Count:long)");
    assert_eq!(
        schema("NTAIpDetails | getschema | where ColumnName startswith '_' | project ColumnName"),
        "(ColumnName:string)"
    );
    // Named in a union, it shows.
    assert_eq!(schema("union (NTAIpDetails | project _ItemId), (NTAInsights | project _ItemId)"), "(_ItemId:string)");
    // AzureNetworkAnalytics_CL's schema page lists no billing column: they are hidden there.
    assert!(!schema("AzureNetworkAnalytics_CL").contains("_BilledSize"));
    assert!(schema("NTAIpDetails").contains("_BilledSize"));
    assert_eq!(schema("AzureNetworkAnalytics_CL | project _BilledSize"), "(_BilledSize:real)");
}
