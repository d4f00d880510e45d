//! Checks of the function catalog against the Kusto language service.
//!
//! Source references are to microsoft/Kusto-Query-Language at commit
//! c94c9e761b3d095e2b9c21e3ec3e92afa0af4856: `F:<line>` is
//! `src/Kusto.Language/Functions.cs`, `A:<line>` is
//! `src/Kusto.Language/Aggregates.cs`, `P:<line>` is
//! `src/Kusto.Language/Binder/Binder_Projection.cs`.

use super::*;

fn def(name: &str) -> &'static FunctionDef {
    lookup(name).unwrap_or_else(|| panic!("`{name}` is in the catalog"))
}

fn check(name: &str, args: &[Type]) -> Result<Type, CallError> {
    def(name).check(args)
}

fn arity(expected: &str) -> Result<Type, CallError> {
    Err(CallError::Arity { expected: expected.into() })
}

fn is_arg_type_error(r: Result<Type, CallError>, at: usize) -> bool {
    matches!(r, Err(CallError::ArgType { index, .. }) if index == at)
}

// ---- the tables themselves ----

#[test]
fn tables_are_sorted_and_names_unique() {
    for table in [scalar::FUNCTIONS, aggregate::FUNCTIONS] {
        assert!(table.windows(2).all(|w| w[0].name < w[1].name), "sorted, no duplicates");
    }
    // A name in both tables would make `lookup` depend on HashMap order.
    let mut names: Vec<&str> = all().map(|f| f.name).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n);
    assert_eq!(registry().len(), n);
}

#[test]
fn tables_hold_exactly_the_intended_functions() {
    // The set ntaq's executor implements (the brief for these tables).
    let scalars = "abs acos ago array_concat array_iff array_iif array_index_of array_length array_reverse array_slice \
                   array_sort_asc array_sort_desc array_sum arraylength asin assert atan atan2 bag_has_key bag_keys \
                   bag_merge bag_pack bag_remove_keys bag_set_key bag_zip base64_decode_tostring base64_decodestring \
                   base64_encode_tostring base64_encodestring bin bin_at binary_and binary_not binary_or \
                   binary_shift_left binary_shift_right binary_xor bitset_count_ones case ceiling coalesce cos cot \
                   countof datetime_add datetime_diff datetime_part dayofmonth dayofweek dayofyear dcount_hll degrees \
                   endofday endofmonth endofweek endofyear exp exp10 exp2 extract extract_all extract_json extractjson \
                   floor format_bytes format_datetime format_ipv4 format_ipv4_mask format_timespan getmonth gettype \
                   getyear has_any_ipv4 has_any_ipv4_prefix has_ipv4 has_ipv4_prefix hash hash_md5 hash_sha1 \
                   hash_sha256 hash_xxhash64 hourofday iff iif indexof ipv4_compare ipv4_is_in_any_range \
                   ipv4_is_in_range ipv4_is_match ipv4_is_private ipv4_netmask_suffix ipv4_range_to_cidr_list \
                   ipv6_compare ipv6_is_in_any_range ipv6_is_in_range ipv6_is_match isascii isempty isfinite isinf \
                   isnan isnotempty isnotnull isnull isutf8 jaccard_index log log10 log2 make_datetime make_timespan \
                   max_of min_of monthofyear next not notempty notnull now pack pack_all pack_array parse_ipv4 \
                   parse_ipv4_mask parse_ipv6 parse_json parse_path parse_url parsejson parseurl percentile_tdigest \
                   percentiles_array_tdigest percentrank_tdigest pi pow prev radians range rank_tdigest regex_quote \
                   repeat replace replace_regex replace_string reverse round row_cumsum row_number row_rank_dense \
                   row_rank_min row_window_session series_abs series_add series_ceiling series_divide series_equals \
                   series_exp series_fill_backward series_fill_const series_fill_forward series_fill_linear \
                   series_fit_line series_fit_line_dynamic series_floor series_greater series_greater_equals \
                   series_less series_less_equals series_log series_multiply series_not_equals series_pow series_sign \
                   series_stats series_stats_dynamic series_subtract set_difference set_equals set_has_element \
                   set_intersect set_union sign sin split sqrt startofday startofmonth startofweek startofyear strcat \
                   strcat_array strcat_delim strcmp string_size strlen strrep substring tan tobool toboolean \
                   todatetime todecimal todouble todynamic tohex toint tolong tolower toreal tostring totime \
                   totimespan toupper translate trim trim_end trim_start unixtime_microseconds_todatetime \
                   unixtime_milliseconds_todatetime unixtime_nanoseconds_todatetime unixtime_seconds_todatetime \
                   url_decode url_encode week_of_year zip";
    let aggregates = "any arg_max arg_min avg avgif count count_distinct count_distinctif countif dcount dcountif hll hll_if hll_merge \
                      make_bag make_bag_if make_list make_list_if make_list_with_nulls make_set make_set_if makelist makeset max maxif merge_tdigest min minif percentile \
                      percentiles percentiles_array stdev stdevif stdevp sum sumif take_any take_anyif tdigest tdigest_merge variance varianceif variancep variancepif";
    let names = |t: &[FunctionDef]| t.iter().map(|f| f.name).collect::<Vec<_>>().join(" ");
    assert_eq!(names(scalar::FUNCTIONS), scalars.split_whitespace().collect::<Vec<_>>().join(" "));
    assert_eq!(names(aggregate::FUNCTIONS), aggregates.split_whitespace().collect::<Vec<_>>().join(" "));
    assert!(scalar::FUNCTIONS.iter().all(|f| f.kind == FunctionKind::Scalar));
    assert!(aggregate::FUNCTIONS.iter().all(|f| f.kind == FunctionKind::Aggregate));
}

#[test]
fn every_identity_has_a_catalog_entry_of_its_kind() {
    for &f in ScalarFn::ALL {
        let entries: Vec<&FunctionDef> =
            scalar::FUNCTIONS.iter().chain(scalar::SCALAR_FORMS).filter(|d| d.id == FunctionId::Scalar(f)).collect();
        assert!(!entries.is_empty(), "{f:?} has a catalog entry");
    }
    // One name each: `aggregate_def` maps an aggregation to its entry.
    for &f in AggregateFn::ALL {
        let n = aggregate::FUNCTIONS.iter().filter(|d| d.id == FunctionId::Aggregate(f)).count();
        assert_eq!(n, 1, "{f:?} has one catalog entry");
        assert_eq!(aggregate_def(f).aggregate(), Some(f));
    }
    for d in all() {
        let kind = match d.id {
            FunctionId::Scalar(_) => FunctionKind::Scalar,
            FunctionId::Aggregate(_) => FunctionKind::Aggregate,
        };
        assert_eq!(d.kind, kind, "{}", d.name);
    }
}

#[test]
fn aliases_share_an_identity() {
    for (a, b) in [
        ("iff", "iif"),
        ("bin", "floor"),
        ("bag_pack", "pack"),
        ("array_length", "arraylength"),
        ("parse_json", "todynamic"),
        ("parse_json", "parsejson"),
        ("parse_url", "parseurl"),
        ("todouble", "toreal"),
        ("tobool", "toboolean"),
        ("totimespan", "totime"),
        ("base64_encode_tostring", "base64_encodestring"),
        ("base64_decode_tostring", "base64_decodestring"),
        ("hash", "hash_xxhash64"),
        ("isnotempty", "notempty"),
        ("isnotnull", "notnull"),
        ("extract_json", "extractjson"),
        ("array_iff", "array_iif"),
    ] {
        assert_eq!(def(a).id, def(b).id, "{a} and {b}");
    }
    let mut ids: Vec<FunctionId> = all().map(|f| f.id).collect();
    ids.sort_by_key(|id| format!("{id:?}"));
    ids.dedup();
    assert_eq!(ids.len(), all().count() - 17, "no other names share an identity");
}

#[test]
fn every_function_has_a_one_line_doc() {
    for f in all() {
        assert!(!f.doc.trim().is_empty(), "{} has a doc", f.name);
        assert!(!f.doc.contains('\n'), "{}'s doc is one line", f.name);
        assert!(f.doc.ends_with('.'), "{}'s doc is a sentence", f.name);
    }
}

#[test]
fn parameter_lists_are_well_formed() {
    // `check` and `param_for` assume: `Many` only last, and no required
    // parameter after an optional one.
    for f in all() {
        let n = f.params.len();
        for (i, p) in f.params.iter().enumerate() {
            if p.occurs == Occurs::Many {
                assert_eq!(i + 1, n, "{}: `{}` repeats but is not last", f.name, p.name);
            }
            if p.occurs == Occurs::Once {
                assert!(
                    f.params[..i].iter().all(|q| q.occurs == Occurs::Once),
                    "{}: required `{}` follows an optional parameter",
                    f.name,
                    p.name
                );
            }
        }
    }
}

#[test]
fn known_list_is_sorted_deduplicated_and_disjoint() {
    assert!(known::UNSUPPORTED.windows(2).all(|w| w[0] < w[1]));
    for name in known::UNSUPPORTED {
        assert!(lookup(name).is_none(), "`{name}` is both implemented and listed as unsupported");
        assert!(!name.starts_with("__"), "internal `{name}`");
        assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "`{name}`");
    }
}

#[test]
fn known_list_classifies_kusto_names() {
    // Real Kusto functions ntaq leaves out: F `SeriesFir`, A
    // `PercentilesWArray`, the deprecated alias F `ExtractAll_Deprecated`
    // ("extractall"), and the skipped F `BinAuto`.
    for name in
        ["series_fir", "percentilesw_array", "extractall", "bin_auto", "hash_combine", "covariancep", "make_dictionary"]
    {
        assert!(is_known_unsupported(name), "{name}");
    }
    for name in ["sum", "strcat", "no_such_function", "Sum", "__cast"] {
        assert!(!is_known_unsupported(name), "{name}");
    }
    // Kusto names are case-sensitive.
    assert!(lookup("Sum").is_none());
    assert!(all_names().any(|n| n == "series_fir") && all_names().any(|n| n == "sum"));
}

// ---- scalar rules ----

#[test]
fn iff_branches_share_a_type() {
    // F:1232 `Iff`: (bool, CommonScalarOrDynamic, CommonScalarOrDynamic),
    // ReturnTypeKind.CommonNonDynamic; long is wider than int.
    assert_eq!(check("iff", &[Type::BOOL, Type::INT, Type::LONG]), Ok(Type::LONG));
    assert_eq!(check("iif", &[Type::BOOL, Type::STRING, Type::STRING]), Ok(Type::STRING));
    assert_eq!(
        check("iff", &[Type::BOOL, Type::STRING, Type::LONG]),
        Err(CallError::Incompatible { found: vec![Type::STRING, Type::LONG] })
    );
    assert!(is_arg_type_error(check("iff", &[Type::LONG, Type::INT, Type::INT]), 0));
    assert_eq!(check("iff", &[Type::BOOL, Type::INT]), arity("3"));
    // An unknown branch does not hide the other's type.
    assert_eq!(check("iff", &[Type::BOOL, Type::Unknown, Type::REAL]), Ok(Type::REAL));
}

#[test]
fn case_takes_pairs_and_an_else() {
    // F:1239 `Case`: predicate/then pairs repeated (ParameterLayouts.BlockRepeating)
    // then an else, so an odd count of at least 3; CommonNonDynamic result.
    let p = Type::BOOL;
    assert_eq!(check("case", &[p, Type::STRING, p, Type::STRING, Type::STRING]), Ok(Type::STRING));
    assert_eq!(check("case", &[p, Type::INT, Type::REAL]), Ok(Type::REAL));
    assert_eq!(check("case", &[p, Type::STRING, p, Type::STRING]), arity("3, 5, 7, …"));
    assert_eq!(check("case", &[p, Type::STRING]), arity("at least 3"));
    // The second predicate must be bool too.
    assert!(is_arg_type_error(check("case", &[p, Type::STRING, Type::STRING, Type::STRING, Type::STRING]), 2));
    assert_eq!(
        check("case", &[p, Type::STRING, p, Type::LONG, Type::STRING]),
        Err(CallError::Incompatible { found: vec![Type::STRING, Type::LONG, Type::STRING] })
    );
}

#[test]
fn coalesce_and_min_of_need_two_arguments() {
    // F:2907 `Coalesce`, F:2919 `MinOf`: minOccurring 2, ReturnTypeKind.Common.
    assert_eq!(check("coalesce", &[Type::STRING]), arity("at least 2"));
    assert_eq!(check("coalesce", &[Type::INT, Type::LONG, Type::INT]), Ok(Type::LONG));
    assert_eq!(check("min_of", &[Type::DATETIME]), arity("at least 2"));
    assert_eq!(check("max_of", &[Type::INT, Type::REAL]), Ok(Type::REAL));
    assert!(is_arg_type_error(check("max_of", &[Type::LONG, Type::DYNAMIC]), 1));
}

#[test]
fn string_functions() {
    // F:166 `Substring`: (Scalar, Integer, [Integer]) → string.
    assert_eq!(def("substring").arity_text(), "2 or 3");
    assert_eq!(check("substring", &[Type::STRING, Type::INT]), Ok(Type::STRING));
    assert_eq!(check("substring", &[Type::STRING]), arity("2 or 3"));
    assert!(is_arg_type_error(check("substring", &[Type::STRING, Type::STRING]), 1));
    // F:127 `Strlen`: StringOrDynamic → long.
    assert_eq!(check("strlen", &[Type::DYNAMIC]), Ok(Type::LONG));
    assert!(is_arg_type_error(check("strlen", &[Type::LONG]), 0));
    // F:86 `Strcat`: 1 to 64 scalars → string.
    assert_eq!(check("strcat", &[Type::STRING, Type::LONG, Type::DATETIME]), Ok(Type::STRING));
    assert_eq!(check("strcat", &[]), arity("at least 1"));
    // F:213 `Split`: (Scalar, string, [Integer]) → dynamic array.
    assert_eq!(check("split", &[Type::STRING, Type::STRING, Type::INT]), Ok(Type::DYNAMIC));
    // F:626 `ParseJson`: StringOrDynamic → dynamic.
    assert_eq!(check("parse_json", &[Type::DYNAMIC]), Ok(Type::DYNAMIC));
    // F:180 `IndexOf`: two scalars and three optional integers.
    assert_eq!(def("indexof").arity_text(), "2 to 5");
}

#[test]
fn constant_parameters() {
    // F:230 `Extract` and F:344 `Trim`: the regex is ArgumentKind.Constant;
    // F:2697 `Round`: so is the precision.
    assert!(def("extract").params[0].constant && !def("extract").params[2].constant);
    assert!(def("trim").params[0].constant);
    assert!(def("round").params[1].constant);
    // ntaq's executor needs the bin size as a constant.
    assert!(def("bin").params[1].constant && !def("bin").params[0].constant);
}

#[test]
fn time_functions() {
    // F:1071 `Ago`: (timespan) → datetime.
    assert_eq!(check("ago", &[Type::TIMESPAN]), Ok(Type::DATETIME));
    assert!(is_arg_type_error(check("ago", &[Type::LONG]), 0));
    assert_eq!(check("now", &[]), Ok(Type::DATETIME));
    // F:982 `StartOfDay`: (datetime, [long]) → datetime.
    assert_eq!(check("startofday", &[Type::DATETIME, Type::INT]), Ok(Type::DATETIME));
}

#[test]
fn bin_follows_kusto_signatures() {
    // F:1255 `Bin` (F:1272 `Floor` is the same): (Number, Number) →
    // ReturnTypeKind.Widest, which promotes int to long; (timespan, timespan)
    // → timespan; (datetime, datetime | timespan) → datetime.
    for f in ["bin", "floor"] {
        assert_eq!(check(f, &[Type::DATETIME, Type::TIMESPAN]), Ok(Type::DATETIME));
        assert_eq!(check(f, &[Type::TIMESPAN, Type::TIMESPAN]), Ok(Type::TIMESPAN));
        assert_eq!(check(f, &[Type::INT, Type::INT]), Ok(Type::LONG));
        assert_eq!(check(f, &[Type::LONG, Type::REAL]), Ok(Type::REAL));
        assert_eq!(check(f, &[Type::REAL, Type::INT]), Ok(Type::REAL));
        assert!(is_arg_type_error(check(f, &[Type::DATETIME, Type::LONG]), 1));
        assert!(is_arg_type_error(check(f, &[Type::LONG, Type::TIMESPAN]), 1));
        assert!(is_arg_type_error(check(f, &[Type::STRING, Type::LONG]), 0));
        assert_eq!(check(f, &[Type::DATETIME, Type::Unknown]), Ok(Type::DATETIME));
    }
}

#[test]
fn math_functions() {
    // F:2806 `Abs`: Integer → long, Number → itself, timespan → timespan.
    assert_eq!(check("abs", &[Type::INT]), Ok(Type::LONG));
    assert_eq!(check("abs", &[Type::REAL]), Ok(Type::REAL));
    assert_eq!(check("abs", &[Type::TIMESPAN]), Ok(Type::TIMESPAN));
    // F:2697 `Round`: ReturnTypeKind.Parameter0.
    assert_eq!(check("round", &[Type::REAL, Type::INT]), Ok(Type::REAL));
    assert_eq!(check("sqrt", &[Type::LONG]), Ok(Type::REAL));
}

// ---- aggregation rules ----

#[test]
fn sum_promotes_integers_to_long() {
    // A:15 `Sum`: Summable, ReturnTypeKind.Parameter0Promoted (int → long).
    assert!(is_arg_type_error(def("sum").check(&[Type::STRING]), 0));
    assert_eq!(def("sum").check(&[Type::INT]), Ok(Type::LONG));
    assert_eq!(def("sum").check(&[Type::REAL]), Ok(Type::REAL));
    assert_eq!(def("sum").check(&[Type::TIMESPAN]), Ok(Type::TIMESPAN));
    assert_eq!(check("sumif", &[Type::INT, Type::BOOL]), Ok(Type::LONG));
}

#[test]
fn avg_type_depends_on_the_argument() {
    // A:138 `Avg`: Integer → real, real → real, decimal → decimal,
    // timespan → timespan, datetime → datetime.
    assert_eq!(check("avg", &[Type::INT]), Ok(Type::REAL));
    assert_eq!(check("avg", &[Type::LONG]), Ok(Type::REAL));
    assert_eq!(check("avg", &[Type::DECIMAL]), Ok(Type::DECIMAL));
    assert_eq!(check("avg", &[Type::TIMESPAN]), Ok(Type::TIMESPAN));
    assert_eq!(check("avg", &[Type::DATETIME]), Ok(Type::DATETIME));
    assert!(is_arg_type_error(check("avg", &[Type::STRING]), 0));
    assert_eq!(check("avgif", &[Type::LONG, Type::BOOL]), Ok(Type::REAL));
}

#[test]
fn other_aggregates() {
    // A:35 `Count`: () → long, and the summarize page's `count(x)`
    // (counts rows). A:45 `CountIf`: (bool) → long.
    assert_eq!(check("count", &[]), Ok(Type::LONG));
    assert_eq!(check("count", &[Type::LONG]), Ok(Type::LONG));
    assert_eq!(check("count", &[Type::LONG, Type::LONG]), arity("0 or 1"));
    assert!(is_arg_type_error(check("countif", &[Type::LONG]), 0));
    // A:51 `DCount`: (Scalar, [NotDynamic]) → long.
    assert_eq!(check("dcount", &[Type::STRING, Type::INT]), Ok(Type::LONG));
    // A:291 `CountDistinct`: NotDynamic.
    assert!(is_arg_type_error(check("count_distinct", &[Type::DYNAMIC]), 0));
    // A:112 `Min`, A:125 `Max`: Orderable, ReturnTypeKind.Parameter0.
    assert_eq!(check("max", &[Type::STRING]), Ok(Type::STRING));
    assert_eq!(check("min", &[Type::DATETIME]), Ok(Type::DATETIME));
    assert!(is_arg_type_error(check("max", &[Type::DYNAMIC]), 0));
    // A:217 `MakeSet`: (Scalar, [Integer]) → dynamic array.
    assert_eq!(check("make_set", &[Type::STRING, Type::INT]), Ok(Type::DYNAMIC));
    assert_eq!(check("make_list_if", &[Type::LONG, Type::BOOL]), Ok(Type::DYNAMIC));
    // A:596 `ArgMax`: an Orderable, then zero or more scalars or `*`.
    assert_eq!(def("arg_max").arity_text(), "at least 1");
    assert!(is_arg_type_error(check("arg_min", &[Type::DYNAMIC]), 0));
    // A:489 `TakeAny`: one or more scalars or `*` (minOccurring 1).
    assert_eq!(check("take_any", &[]), arity("at least 1"));
}

// ---- help text and result names ----

#[test]
fn arity_and_signature_text() {
    assert_eq!(def("count").arity_text(), "0 or 1");
    assert_eq!(def("make_set").arity_text(), "1 or 2");
    assert_eq!(def("ipv4_is_match").arity_text(), "2 or 3");
    assert_eq!(def("strcat").arity_text(), "at least 1");
    assert_eq!(def("substring").signature_text(), "substring(string, start, [length])");
    assert_eq!(def("arg_max").signature_text(), "arg_max(maximized, returned, …)");
    assert_eq!(def("count").signature_text(), "count([expr])");
    assert_eq!(def("bin").signature_text(), "bin(value, roundTo)");
}

#[test]
fn result_names_follow_kusto() {
    use ResultName::*;
    // P:612 `GetFunctionResultName`: PrefixAndFirstArgument gives prefix + "_"
    // + the first argument's name, or prefix + "_" with no argument.
    // A:35 `Count` → "count_"; A:15 `Sum` → "sum_X"; A:217 `MakeSet` uses
    // the prefix "set", A:183 `MakeList` and A:191 `MakeListIf` "list".
    assert_eq!(def("count").result_name, PrefixAndFirstArg("count"));
    assert_eq!(def("sum").result_name, PrefixAndFirstArg("sum"));
    assert_eq!(def("countif").result_name, PrefixAndFirstArg("countif"));
    assert_eq!(def("make_set").result_name, PrefixAndFirstArg("set"));
    assert_eq!(def("make_list_if").result_name, PrefixAndFirstArg("list"));
    assert_eq!(def("dcount").result_name, PrefixAndFirstArg("dcount"));
    // A:472 `Any` keeps the "any" prefix.
    assert_eq!(def("any").result_name, PrefixAndFirstArg("any"));
    // F:384 `ToString` and F:1255 `Bin`: ResultNameKind.FirstArgument.
    assert_eq!(def("tostring").result_name, FirstArg);
    assert_eq!(def("bin").result_name, FirstArg);
    // F:127 `Strlen`: NameAndFirstArgument, i.e. the prefix is its own name.
    assert_eq!(def("strlen").result_name, PrefixAndFirstArg("strlen"));
    // F:86 `Strcat`: ResultNameKind.None. F:982 `StartOfDay` is FirstArgument
    // but F:989 `StartOfWeek` sets None.
    assert_eq!(def("strcat").result_name, Default);
    assert_eq!(def("startofday").result_name, FirstArg);
    assert_eq!(def("startofweek").result_name, Default);
    assert_eq!(def("iff").result_name, Default);
}
