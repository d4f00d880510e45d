//! Every function of the catalog (`kql_plan::functions::all()`), scalar and
//! aggregate, has an implementation in the executor: a call with arguments
//! the catalog accepts binds and runs, and never ends in the executor's
//! "no such function" fallbacks (the scalar dispatcher's
//! `kql::unsupported::execution` for the function, the accumulator
//! factory's "has no accumulator").

use kql_exec::{Executor, MemTables, run_program};
use kql_plan::functions::{self, ArgType, FunctionKind, Occurs};
use kql_plan::{Catalog, Params};
use kql_syntax::ScalarType;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// A literal of type `t`.
fn literal(t: ScalarType) -> &'static str {
    match t {
        ScalarType::Bool => "true",
        ScalarType::Int => "int(1)",
        ScalarType::Long => "1",
        ScalarType::Real => "1.5",
        ScalarType::Decimal => "decimal(1)",
        ScalarType::String => "\"a\"",
        ScalarType::DateTime => "datetime(2020-01-01)",
        ScalarType::Timespan => "1h",
        ScalarType::Guid => "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)",
        ScalarType::Dynamic => "dynamic([1])",
    }
}

/// An argument the parameter accepts.
fn argument(ty: ArgType) -> &'static str {
    match ty {
        ArgType::Exactly(t) => literal(t),
        ArgType::OneOf(set) => literal(set[0]),
        ArgType::StringLike => "\"a\"",
        ArgType::Any | ArgType::StarOrAny | ArgType::Numeric | ArgType::Summable | ArgType::Orderable => "1",
    }
}

/// Arguments written for the functions whose parameters constrain each
/// other beyond their types (a format, a unit, a pattern).
fn special(name: &str) -> Option<&'static str> {
    Some(match name {
        "datetime_add" => "\"day\", 1, datetime(2020-01-01)",
        "datetime_diff" => "\"day\", datetime(2020-01-02), datetime(2020-01-01)",
        "datetime_part" => "\"day\", datetime(2020-01-01)",
        "format_datetime" => "datetime(2020-01-01), \"yyyy\"",
        "format_timespan" => "1h, \"hh\"",
        // Year 1 is valid Kusto but outside ntaq's datetimes (unsupported).
        "make_datetime" => "2020, 1, 1",
        "bin" | "floor" => "1, 1",
        // hash takes a string or a datetime (other types are unsupported).
        "hash" | "hash_xxhash64" => "\"a\"",
        "case" => "true, 1, 2",
        "iff" | "iif" => "true, 1, 2",
        "extract" => "\"(a)\", 1, \"a\"",
        "extract_all" => "\"(a)\", \"a\"",
        "replace_regex" => "\"a\", \"a\", \"b\"",
        "percentile" => "x, 50",
        "percentiles" => "x, 50, 90",
        "percentiles_array" => "x, 50, 90",
        "hll_merge" => "dynamic([[\"ntaq.exact\", 1], [1]])",
        "tdigest_merge" | "merge_tdigest" => "dynamic([[\"ntaq.exact\", \"long\"], [1], [1]])",
        "percentile_tdigest" => "dynamic([[\"ntaq.exact\", \"long\"], [1], [1]]), 50",
        "percentiles_array_tdigest" => "dynamic([[\"ntaq.exact\", \"long\"], [1], [1]]), 50, 90",
        "arg_max" | "arg_min" => "x, *",
        "countif" => "x > 1",
        "make_bag" => "bag_pack(\"a\", x)",
        "make_bag_if" => "bag_pack(\"a\", x), x > 1",
        _ => return None,
    })
}

fn call_text(f: &functions::FunctionDef) -> String {
    if let Some(args) = special(f.name) {
        return format!("{}({args})", f.name);
    }
    let args: Vec<&str> = f
        .params
        .iter()
        .filter(|p| p.occurs == Occurs::Once)
        .enumerate()
        .map(|(k, p)| if f.kind == FunctionKind::Aggregate && k == 0 { "x" } else { argument(p.ty) })
        .collect();
    format!("{}({})", f.name, args.join(", "))
}

#[test]
fn every_catalog_function_has_an_implementation() {
    let mut missing = Vec::new();
    for f in functions::all() {
        if functions::is_window(f.name) {
            continue; // they read other rows: run by the window goldens
        }
        let query = match f.kind {
            FunctionKind::Scalar => format!("print r = {}", call_text(f)),
            FunctionKind::Aggregate => format!("datatable(x:long)[1, 2] | summarize {}", call_text(f)),
        };
        let parsed = kql_syntax::parse(&query);
        assert!(parsed.errors.is_empty(), "{query}: {:?}", parsed.errors);
        let mut bound = kql_plan::bind(&parsed.script, &Catalog::new(), &Params::default());
        if bound.has_errors() {
            missing.push(format!("{query}: does not bind: {:?}", bound.diagnostics));
            continue;
        }
        kql_plan::optimize::optimize(&mut bound.program);
        let tables = MemTables::new();
        let ex = Executor::new(&bound.program, &tables, 0, Arc::new(AtomicBool::new(false)));
        if let Err(e) = run_program(&ex) {
            let text = e.to_string();
            let code = miette::Diagnostic::code(&e).map(|c| c.to_string()).unwrap_or_default();
            if code == "kql::unsupported::execution" || text.contains("has no accumulator") {
                missing.push(format!("{query}: {code} {text}"));
            }
        }
    }
    assert!(missing.is_empty(), "catalog functions without an implementation:\n{}", missing.join("\n"));
}
