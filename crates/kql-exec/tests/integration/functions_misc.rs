//! IPv4 and dynamic-array functions against the examples of the Kusto
//! documentation (learn.microsoft.com/kusto/query/<name>-function; cited per
//! test), and a check that every scalar function of the catalog runs.

use crate::common;
use common::{expect, run, run_with};
use kql_exec::MemTables;
use kql_plan::functions::{FunctionKind, all, is_window};
use kql_plan::{Catalog, Params};

#[test]
fn ipv4_is_private() {
    // ipv4-is-private-function.md.
    let t = run(
        "datatable(ip_string:string)['10.1.2.3', '192.168.1.1/24', '127.0.0.1'] | extend result = ipv4_is_private(ip_string)",
    );
    assert_eq!(
        t,
        expect(
            &["ip_string:string", "result:bool"],
            &[&["10.1.2.3", "true"], &["192.168.1.1/24", "true"], &["127.0.0.1", "false"]]
        )
    );
    // The page's other cases, the edges of 172.16.0.0/12, and text that is not an address (null).
    let t = run(
        "print a = ipv4_is_private('10.1.2.3/24'), b = ipv4_is_private('202.1.2.3'), c = ipv4_is_private('172.31.255.255'), \
         d = ipv4_is_private('172.32.0.0'), e = ipv4_is_private(''), f = ipv4_is_private('1.2.3')",
    );
    assert_eq!(
        t,
        expect(
            &["a:bool", "b:bool", "c:bool", "d:bool", "e:bool", "f:bool"],
            &[&["true", "false", "true", "false", "null", "null"]]
        )
    );
}

#[test]
fn ipv4_is_in_range() {
    // ipv4-is-in-range-function.md.
    let t = run(
        "datatable(ip_address:string, ip_range:string)['192.168.1.1', '192.168.1.1', '192.168.1.1', '192.168.1.255/24']
        | extend result = ipv4_is_in_range(ip_address, ip_range) | project result",
    );
    assert_eq!(t, expect(&["result:bool"], &[&["true"], &["true"]]));
    let t = run(
        "print a = ipv4_is_in_range('10.0.0.5', '10.0.0.0/30'), b = ipv4_is_in_range('10.0.0.4', '10.0.0.0/30'), \
         c = ipv4_is_in_range('', '10.0.0.0/8'), d = ipv4_is_in_range('10.0.0.1', 'x'), e = ipv4_is_in_range('1.2.3.4', '0.0.0.0/0')",
    );
    assert_eq!(
        t,
        expect(&["a:bool", "b:bool", "c:bool", "d:bool", "e:bool"], &[&["false", "false", "null", "null", "true"]])
    );
}

#[test]
fn ipv4_is_match() {
    // ipv4-is-match-function.md: the simple example and both tables.
    let t = run("print ipv4_is_match('192.168.1.1/24', '192.168.1.255')");
    assert_eq!(t, expect(&["print_0:bool"], &[&["true"]]));
    let t = run("datatable(ip1_string:string, ip2_string:string)[
         '192.168.1.0',    '192.168.1.0',
         '192.168.1.1/24', '192.168.1.255',
         '192.168.1.1',    '192.168.1.255/24',
         '192.168.1.1/30', '192.168.1.255/24']
        | project result = ipv4_is_match(ip1_string, ip2_string)");
    assert_eq!(t, expect(&["result:bool"], &[&["true"], &["true"], &["true"], &["true"]]));
    let t = run("datatable(ip1_string:string, ip2_string:string, prefix:long)[
         '192.168.1.1',    '192.168.1.0',   31,
         '192.168.1.1/24', '192.168.1.255', 31,
         '192.168.1.1',    '192.168.1.255', 24]
        | project result = ipv4_is_match(ip1_string, ip2_string, prefix)");
    assert_eq!(t, expect(&["result:bool"], &[&["true"], &["true"], &["true"]]));
    // Different addresses, a prefix out of 0..32, and text that is not an address.
    let t = run("print a = ipv4_is_match('192.168.1.1', '192.168.1.2'), b = ipv4_is_match('1.1.1.1', '1.1.1.1', 33), \
         c = ipv4_is_match('', '1.1.1.1'), d = ipv4_is_match('1.1.1.1', '2.2.2.2', 0)");
    assert_eq!(t, expect(&["a:bool", "b:bool", "c:bool", "d:bool"], &[&["false", "null", "null", "true"]]));
}

#[test]
fn array_length() {
    // array-length-function.md.
    let t = run(r#"print array_length(dynamic([1, 2, 3, "four"]))"#);
    assert_eq!(t, expect(&["print_0:long"], &[&["4"]]));
    // Not an array: null. Arrays built at run time (split) and parsed from text.
    let t = run(
        r#"print a = array_length(dynamic({"a": 1})), b = array_length(dynamic(null)), c = array_length(dynamic([])),
        d = array_length(split("a,b,c", ",")), e = array_length(parse_json("[1,[2,3]]")), f = array_length(parse_json("7"))"#,
    );
    assert_eq!(
        t,
        expect(
            &["a:long", "b:long", "c:long", "d:long", "e:long", "f:long"],
            &[&["null", "null", "0", "3", "2", "null"]]
        )
    );
    let t = run(
        r#"datatable(S:string)["a b", "", "x"] | extend P = split(S, " ") | project n = array_length(P), m = array_length(P[0])"#,
    );
    assert_eq!(t, expect(&["n:long", "m:long"], &[&["2", "null"], &["1", "null"], &["1", "null"]]));
}

#[test]
fn integer_argument_types() {
    // abs widens int to long (the catalog's rule); round and ceiling keep the type.
    let t = run("datatable(I:int)[-7, int(null)] | project a = abs(I), c = ceiling(I), r = round(I, -1)");
    assert_eq!(t, expect(&["a:long", "c:int", "r:int"], &[&["7", "-7", "-10"], &["null", "null", "null"]]));
}

#[test]
fn empty_inputs() {
    // Kernels over batches of no rows.
    let t = run(r#"datatable(S:string, T:datetime, X:real)["a", datetime(2020-01-01), 1.0] | where S == "b"
        | project a = extract("(a)", 1, S), b = trim("a", S), c = format_datetime(T, "yyyy"), d = datetime_part("year", T),
          e = round(X, 1), f = indexof(S, "a"), g = ipv4_is_private(S), h = max_of(X, 2.0)"#);
    assert_eq!(t.rows.len(), 0);
}

/// One valid call of every scalar function in the catalog, with its
/// result as text: no catalog function can be left unimplemented.
fn example(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "abs" => ("abs(-2)", "2"),
        "ago" => ("ago(1h) < now()", "true"),
        "array_length" => ("array_length(dynamic([1, 2]))", "2"),
        "bin" => ("bin(7, 5)", "5"),
        "case" => ("case(false, 1, 2)", "2"),
        "ceiling" => ("ceiling(1.2)", "2"),
        "coalesce" => (r#"coalesce("", "x")"#, "x"),
        "countof" => (r#"countof("abab", "ab")"#, "2"),
        "datetime_part" => (r#"datetime_part("month", datetime(2020-03-04))"#, "3"),
        "dayofweek" => ("dayofweek(datetime(1970-05-11))", "1.00:00:00"),
        "endofday" => ("endofday(datetime(2020-03-04 05:06))", "2020-03-04T23:59:59.9999999Z"),
        "exp" => ("exp(0)", "1"),
        "extract" => (r#"extract("(\\d+)", 1, "ab12c")"#, "12"),
        "floor" => ("floor(7.5, 1)", "7"),
        "format_datetime" => (r#"format_datetime(datetime(2020-03-04), "yyyy/MM/dd")"#, "2020/03/04"),
        "getmonth" => ("getmonth(datetime(2020-03-04))", "3"),
        "getyear" => ("getyear(datetime(2020-03-04))", "2020"),
        "hourofday" => ("hourofday(datetime(2020-03-04 05:06))", "5"),
        "iff" => ("iff(true, 1, 2)", "1"),
        "iif" => ("iif(false, 1, 2)", "2"),
        "indexof" => (r#"indexof("abc", "c")"#, "2"),
        "ipv4_is_in_range" => (r#"ipv4_is_in_range("10.1.2.3", "10.0.0.0/8")"#, "true"),
        "ipv4_is_match" => (r#"ipv4_is_match("10.1.2.3", "10.1.2.4", 24)"#, "true"),
        "ipv4_is_private" => (r#"ipv4_is_private("192.168.0.1")"#, "true"),
        "isempty" => (r#"isempty("")"#, "true"),
        "isnan" => ("isnan(1.0)", "false"),
        "isnotempty" => (r#"isnotempty("a")"#, "true"),
        "isnotnull" => ("isnotnull(1)", "true"),
        "isnull" => ("isnull(long(null))", "true"),
        "log" => ("log(1)", "0"),
        "log10" => ("log10(100)", "2"),
        "max_of" => ("max_of(1, 3, 2)", "3"),
        "min_of" => ("min_of(2, 1, 3)", "1"),
        "not" => ("not(false)", "true"),
        "now" => ("now() > datetime(2000-01-01)", "true"),
        "parse_json" => (r#"parse_json("[1]")"#, "[1]"),
        "pow" => ("pow(3, 2)", "9"),
        "replace_string" => (r#"replace_string("aXb", "X", "-")"#, "a-b"),
        "reverse" => (r#"reverse("abc")"#, "cba"),
        "round" => ("round(1.25, 1)", "1.3"),
        "split" => (r#"split("a,b", ",")"#, r#"["a", "b"]"#),
        // Arrays and bags (their pages' rules; testdata/queries/functions/arrays.kqlt runs the pages' examples).
        "pack_array" => (r#"pack_array(1, "a")"#, r#"[1, "a"]"#),
        "bag_pack" => (r#"tolong(bag_pack("k", 5).k)"#, "5"),
        "pack" => (r#"tolong(pack("k", 5).k)"#, "5"),
        "bag_keys" => (r#"bag_keys(dynamic({"k": 1}))"#, r#"["k"]"#),
        "bag_merge" => (r#"tolong(bag_merge(dynamic({"k": 1}), dynamic({"k": 2})).k)"#, "1"),
        "array_concat" => ("array_concat(dynamic([1]), dynamic([2, 3]))", "[1, 2, 3]"),
        "array_index_of" => ("array_index_of(dynamic([5, 6]), 6)", "1"),
        "array_slice" => ("array_slice(dynamic([1, 2, 3]), 1, -1)", "[2, 3]"),
        "array_sort_asc" => ("array_sort_asc(dynamic([2, 1]))", "[1, 2]"),
        "array_sort_desc" => ("array_sort_desc(dynamic([1, 2]))", "[2, 1]"),
        "array_sum" => ("array_sum(dynamic([1, 2.5]))", "3.5"),
        "set_union" => ("set_union(dynamic([1, 2]), dynamic([2, 3]))", "[1, 2, 3]"),
        "set_intersect" => ("set_intersect(dynamic([1, 2]), dynamic([2, 3]))", "[2]"),
        "set_difference" => ("set_difference(dynamic([1, 2]), dynamic([2, 3]))", "[1]"),
        "set_has_element" => ("set_has_element(dynamic([1, 2]), 2)", "true"),
        "strcat_array" => (r#"strcat_array(dynamic([1, "a"]), "-")"#, "1-a"),
        "zip" => (r#"zip(dynamic([1, 2]), dynamic(["a"]))"#, r#"[[1, "a"], [2, null]]"#),
        "replace" => (r#"replace(@"b+", "x", "abbc")"#, "axc"),
        "series_fill_const" => ("series_fill_const(dynamic([1, null]), 0)", "[1, 0]"),
        "series_fill_forward" => ("series_fill_forward(dynamic([1, null]))", "[1, 1]"),
        "series_fill_backward" => ("series_fill_backward(dynamic([null, 1]))", "[1, 1]"),
        "series_fill_linear" => ("series_fill_linear(dynamic([1, null, 3]))", "[1, 2, 3]"),
        // `r = series_stats(…)` is its first column, the minimum (testdata/queries/functions/sketches.kqlt).
        "series_stats" => ("series_stats(dynamic([3, 1, 2]))", "1"),
        "series_stats_dynamic" => ("toint(series_stats_dynamic(dynamic([3, 1, 2])).max_idx)", "0"),
        "dcount_hll" => (r#"dcount_hll(dynamic([["ntaq.exact", 1], [1, 2]]))"#, "2"),
        "sqrt" => ("sqrt(9)", "3"),
        "startofday" => ("startofday(datetime(2020-03-04 05:06))", "2020-03-04T00:00:00.0000000Z"),
        "startofmonth" => ("startofmonth(datetime(2020-03-04))", "2020-03-01T00:00:00.0000000Z"),
        "startofweek" => ("startofweek(datetime(2020-03-04))", "2020-03-01T00:00:00.0000000Z"),
        "startofyear" => ("startofyear(datetime(2020-03-04))", "2020-01-01T00:00:00.0000000Z"),
        "strcat" => (r#"strcat("a", 1)"#, "a1"),
        "strcat_delim" => (r#"strcat_delim("-", "a", 1)"#, "a-1"),
        "strlen" => (r#"strlen("abc")"#, "3"),
        "substring" => (r#"substring("abcd", 1, 2)"#, "bc"),
        "tobool" => (r#"tobool("true")"#, "true"),
        "toboolean" => (r#"toboolean("false")"#, "false"),
        "todatetime" => (r#"todatetime("2020-03-04")"#, "2020-03-04T00:00:00.0000000Z"),
        "todouble" => (r#"todouble("1.5")"#, "1.5"),
        "todynamic" => (r#"todynamic("{\"a\":1}")"#, r#"{"a": 1}"#),
        "toint" => (r#"toint("7")"#, "7"),
        "tolong" => (r#"tolong("7")"#, "7"),
        "tolower" => (r#"tolower("AB")"#, "ab"),
        "toreal" => (r#"toreal("2")"#, "2"),
        "tostring" => ("tostring(12)", "12"),
        "totime" => (r#"totime("01:00:00")"#, "01:00:00"),
        "totimespan" => (r#"totimespan("1.00:00:00")"#, "1.00:00:00"),
        "toupper" => (r#"toupper("ab")"#, "AB"),
        "trim" => (r#"trim("-", "-a-")"#, "a"),
        "trim_end" => (r#"trim_end("-", "-a-")"#, "-a"),
        "trim_start" => (r#"trim_start("-", "-a-")"#, "a-"),
        "arraylength" => ("arraylength(dynamic([1, 2]))", "2"),
        "base64_decode_tostring" => (r#"base64_decode_tostring("S3VzdG8=")"#, "Kusto"),
        "base64_decodestring" => (r#"base64_decodestring("S3VzdG8=")"#, "Kusto"),
        "base64_encode_tostring" => (r#"base64_encode_tostring("Kusto")"#, "S3VzdG8="),
        "base64_encodestring" => (r#"base64_encodestring("Kusto")"#, "S3VzdG8="),
        "datetime_add" => ("datetime_add('month', 1, datetime(2017-01-31))", "2017-02-28T00:00:00.0000000Z"),
        "datetime_diff" => ("datetime_diff('day', datetime(2017-10-29), datetime(2017-09-30 23:59))", "29"),
        "dayofmonth" => ("dayofmonth(datetime(2015-12-14))", "14"),
        "endofmonth" => ("endofmonth(datetime(2017-01-01))", "2017-01-31T23:59:59.9999999Z"),
        "endofweek" => ("endofweek(datetime(2017-01-01))", "2017-01-07T23:59:59.9999999Z"),
        "endofyear" => ("endofyear(datetime(2017-01-01))", "2017-12-31T23:59:59.9999999Z"),
        "extract_all" => (r#"extract_all(@"(\d+)", "a 12 b 3")"#, r#"["12", "3"]"#),
        "format_bytes" => ("format_bytes(10332, 1)", "10.1 KB"),
        "format_ipv4" => (r#"format_ipv4("192.168.1.1", 24)"#, "192.168.1.0"),
        "format_ipv4_mask" => (r#"format_ipv4_mask("192.168.1.1", 24)"#, "192.168.1.0/24"),
        "format_timespan" => ("format_timespan(time(29.09:00:05.12345), 'dd.hh:mm:ss:FF')", "29.09:00:05:12"),
        "has_any_ipv4" => (r#"has_any_ipv4("from 10.0.0.1.", "1.1.1.1", "10.0.0.1")"#, "true"),
        "has_any_ipv4_prefix" => (r#"has_any_ipv4_prefix("from 10.0.0.1", "10.")"#, "true"),
        "has_ipv4" => (r#"has_ipv4("from 10.0.0.1", "10.0.0.1")"#, "true"),
        "has_ipv4_prefix" => (r#"has_ipv4_prefix("from 10.0.0.1", "10.0")"#, "false"),
        "hash_sha256" => {
            (r#"hash_sha256("World")"#, "78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524")
        }
        "ipv4_compare" => (r#"ipv4_compare("10.0.0.2", "10.0.0.1")"#, "1"),
        "ipv4_is_in_any_range" => (r#"ipv4_is_in_any_range("10.1.2.3", "192.168.0.0/16", "10.0.0.0/8")"#, "true"),
        "ipv4_netmask_suffix" => (r#"ipv4_netmask_suffix("10.0.0.0/8")"#, "8"),
        "ipv6_compare" => (r#"ipv6_compare("192.168.1.1", "::ffff:c0a8:0101")"#, "0"),
        "ipv6_is_in_any_range" => (r#"ipv6_is_in_any_range("fe80::1", "fe80::/64")"#, "true"),
        "ipv6_is_in_range" => (r#"ipv6_is_in_range("fe80::1", "fe81::/16")"#, "false"),
        "ipv6_is_match" => (r#"ipv6_is_match("fe80::1", "fe80::2", 120)"#, "true"),
        "make_datetime" => ("make_datetime(2017, 10, 1, 12, 10)", "2017-10-01T12:10:00.0000000Z"),
        "make_timespan" => ("make_timespan(1, 12, 30, 55.123)", "1.12:30:55.1230000"),
        "parse_ipv4" => (r#"parse_ipv4("192.168.1.1")"#, "3232235777"),
        "parse_ipv4_mask" => (r#"parse_ipv4_mask("127.0.0.1", 24)"#, "2130706432"),
        "parse_ipv6" => (r#"parse_ipv6("255.255.255.255")"#, "0000:0000:0000:0000:0000:ffff:ffff:ffff"),
        "parse_path" => (r#"tostring(parse_path("/a/b.txt").Extension)"#, "txt"),
        "parse_url" => (r#"tostring(parse_url("https://h:1/p").Port)"#, "1"),
        "parsejson" => (r#"parsejson("[1]")"#, "[1]"),
        "parseurl" => (r#"tostring(parseurl("https://h:1/p").Host)"#, "h"),
        "replace_regex" => (r#"replace_regex("a1b2", @"(\d)", @"<\1>")"#, "a<1>b<2>"),
        "sign" => ("sign(-3)", "-1"),
        "assert" => (r#"assert(1 < 2, "never shown")"#, "true"),
        "strrep" => (r#"strrep("ab", 2, "-")"#, "ab-ab"),
        "unixtime_microseconds_todatetime" => {
            ("unixtime_microseconds_todatetime(1000000)", "1970-01-01T00:00:01.0000000Z")
        }
        "unixtime_milliseconds_todatetime" => {
            ("unixtime_milliseconds_todatetime(1000)", "1970-01-01T00:00:01.0000000Z")
        }
        "unixtime_nanoseconds_todatetime" => {
            ("unixtime_nanoseconds_todatetime(1000000000)", "1970-01-01T00:00:01.0000000Z")
        }
        "unixtime_seconds_todatetime" => ("unixtime_seconds_todatetime(1546300800)", "2019-01-01T00:00:00.0000000Z"),
        // The hash page's examples.
        "hash" => (r#"hash("World", 100)"#, "51"),
        "hash_md5" => (r#"hash_md5("World")"#, "f5a7924e621e84c9280a9a27e1bcb7f6"),
        "hash_sha1" => (r#"hash_sha1("World")"#, "70c07ec18ef89c5309bbb0937f3a6342411e1fdd"),
        // Weights 2, 1, 1 of 1, 5, 9: the sorted values are 1 1 5 9.
        "percentile_tdigest" => {
            (r#"percentile_tdigest(dynamic([["ntaq.exact", "long"], [1, 5, 9], [2, 1, 1]]), 75)"#, "5")
        }
        "percentiles_array_tdigest" => {
            (r#"percentiles_array_tdigest(dynamic([["ntaq.exact", "long"], [1, 5, 9], [2, 1, 1]]), 50, 100)"#, "[1, 9]")
        }
        // Of the same 1 1 5 9: three are at or below 5, 75 %.
        "rank_tdigest" => (r#"rank_tdigest(dynamic([["ntaq.exact", "long"], [1, 5, 9], [2, 1, 1]]), 5)"#, "3"),
        "percentrank_tdigest" => {
            (r#"percentrank_tdigest(dynamic([["ntaq.exact", "long"], [1, 5, 9], [2, 1, 1]]), 5)"#, "75")
        }
        "hash_xxhash64" => (r#"hash_xxhash64("World")"#, "1846988464401551951"),
        "todecimal" => (r#"todecimal("2.50")"#, "2.5"),
        // The range-function page: [1,4,7].
        "range" => ("range(1, 8, 3)", "[1, 4, 7]"),
        "url_decode" => (r#"url_decode("a+b%2fc")"#, "a b/c"),
        "url_encode" => (r#"url_encode("a b/c")"#, "a+b%2fc"),
        // Pages' examples (bits_math.kqlt and strings_columns.kqlt hold more).
        "acos" => ("acos(1)", "0"),
        "asin" => ("asin(0)", "0"),
        "atan" => ("atan(0)", "0"),
        "atan2" => ("atan2(0, 1)", "0"),
        "cos" => ("cos(0)", "1"),
        "sin" => ("sin(0)", "0"),
        "tan" => ("tan(0)", "0"),
        "cot" => ("cot(pi() / 4) > 0.99", "true"),
        "degrees" => ("degrees(pi())", "180"),
        "radians" => ("radians(180) == pi()", "true"),
        "pi" => ("pi() > 3.14", "true"),
        "log2" => ("log2(8)", "3"),
        "exp2" => ("exp2(3)", "8"),
        "exp10" => ("exp10(2)", "100"),
        "isinf" => ("isinf(1.0 / 0)", "true"),
        "isfinite" => ("isfinite(1.5)", "true"),
        "bin_at" => ("bin_at(6.5, 2.5, 7)", "4.5"),
        "binary_and" => ("binary_and(6, 3)", "2"),
        "binary_or" => ("binary_or(6, 3)", "7"),
        "binary_xor" => ("binary_xor(6, 3)", "5"),
        "binary_not" => ("binary_not(100)", "-101"),
        "binary_shift_left" => ("binary_shift_left(1, 2)", "4"),
        "binary_shift_right" => ("binary_shift_right(16, 2)", "4"),
        "bitset_count_ones" => ("bitset_count_ones(42)", "3"),
        "tohex" => ("tohex(256, 8)", "00000100"),
        "dayofyear" => ("dayofyear(datetime(2015-12-14))", "348"),
        "monthofyear" => ("monthofyear(datetime(2015-12-14))", "12"),
        "week_of_year" => ("week_of_year(datetime(2020-12-31))", "53"),
        "notempty" => (r#"notempty("")"#, "false"),
        "notnull" => ("notnull(1)", "true"),
        "strcmp" => (r#"strcmp("abc", "ABC")"#, "1"),
        "string_size" => (r#"string_size("hello")"#, "5"),
        "translate" => (r#"translate("krasp", "otsku", "spark")"#, "kusto"),
        // The row's columns differ between `print` (none) and the table (K).
        "pack_all" => ("array_length(bag_keys(pack_all())) <= 1", "true"),
        "extract_json" => (r#"extract_json("$.a", '{"a": "x"}')"#, "x"),
        "extractjson" => (r#"extractjson("$.a[1]", '{"a": [1, 2]}')"#, "2"),
        "gettype" => ("gettype(1s)", "timespan"),
        "ipv4_range_to_cidr_list" => (r#"ipv4_range_to_cidr_list("1.1.128.0", "1.1.255.255")"#, r#"["1.1.128.0/17"]"#),
        "series_add" => ("series_add(dynamic([1, 2]), dynamic([4, 2]))", "[5, 4]"),
        "series_subtract" => ("series_subtract(dynamic([1, 2]), 1)", "[0, 1]"),
        "series_multiply" => ("series_multiply(2, dynamic([1, 2]))", "[2, 4]"),
        "series_divide" => ("series_divide(dynamic([1, 2]), dynamic([4, 2]))", "[0.25, 1.0]"),
        "series_pow" => ("series_pow(dynamic([2, 3]), 2)", "[4.0, 9.0]"),
        "series_greater" => ("series_greater(dynamic([1, 5]), 2)", "[false, true]"),
        "series_greater_equals" => ("series_greater_equals(dynamic([2, 1]), 2)", "[true, false]"),
        "series_less" => ("series_less(dynamic([1, 5]), 2)", "[true, false]"),
        "series_less_equals" => ("series_less_equals(dynamic([2, 3]), 2)", "[true, false]"),
        "series_equals" => ("series_equals(dynamic([2, 3]), 2)", "[true, false]"),
        "series_not_equals" => ("series_not_equals(dynamic([2, 3]), 2)", "[false, true]"),
        "series_abs" => ("series_abs(dynamic([-1, 2.5]))", "[1, 2.5]"),
        "series_sign" => ("series_sign(dynamic([-4, 0, 3]))", "[-1, 0, 1]"),
        "series_floor" => ("series_floor(dynamic([1.5, -1.5]))", "[1.0, -2.0]"),
        "series_ceiling" => ("series_ceiling(dynamic([1.5, -1.5]))", "[2.0, -1.0]"),
        "series_exp" => ("series_exp(dynamic([0]))", "[1.0]"),
        "series_log" => ("series_log(dynamic([1]))", "[0.0]"),
        "series_fit_line" => ("series_fit_line(dynamic([1, 2, 4]))", "0.9642857142857143"),
        "series_fit_line_dynamic" => ("toint(todouble(series_fit_line_dynamic(dynamic([1, 2, 4])).slope) * 10)", "15"),
        "bag_remove_keys" => (r#"bag_remove_keys(dynamic({"a": 1, "b": 2}), dynamic(["a"]))"#, r#"{"b": 2}"#),
        "set_equals" => ("set_equals(dynamic([1, 2, 2]), dynamic([2, 1]))", "true"),
        "repeat" => ("repeat(1, 3)", "[1, 1, 1]"),
        "regex_quote" => (r#"regex_quote("a.b")"#, r"a\.b"),
        "jaccard_index" => ("jaccard_index(dynamic([1, 2, 3]), dynamic([1, 2, 3, 4]))", "0.75"),
        "isascii" => (r#"isascii("some text")"#, "true"),
        "isutf8" => (r#"isutf8("abc")"#, "true"),
        "array_iff" => ("array_iff(dynamic([true, false]), 1, 0)", "[1, 0]"),
        "array_iif" => ("array_iif(dynamic([0, 2]), 1, 0)", "[0, 1]"),
        "bag_zip" => (r#"bag_zip(dynamic(["a"]), dynamic([1]))"#, r#"{"a": 1}"#),
        "bag_set_key" => (r#"bag_set_key(dynamic({"a": 1}), "b", 2)"#, r#"{"a": 1, "b": 2}"#),
        "array_reverse" => ("array_reverse(dynamic([1, 2, 3]))", "[3, 2, 1]"),
        "bag_has_key" => (r#"bag_has_key(dynamic({"a": {"b": 1}}), "$.a.b")"#, "true"),
        _ => return None,
    })
}

#[test]
fn every_catalog_scalar_function_runs() {
    let mut missing = Vec::new();
    let mut failures = Vec::new();
    // Window functions need serialized rows (testdata/queries/window/ runs them).
    for f in all().filter(|f| f.kind == FunctionKind::Scalar && !is_window(f.name)) {
        let Some((call, want)) = example(f.name) else {
            missing.push(f.name);
            continue;
        };
        // Both as a constant and over a one-row table column.
        for query in [format!("print r = {call}"), format!("datatable(K:long)[1] | project r = {call}")] {
            match run_with(&query, &Catalog::new(), &MemTables::new(), &Params::default()) {
                // `project r = series_stats(…)` also keeps its other columns.
                Ok(t)
                    if t.rows.len() == 1
                        && (t.rows[0].len() == 1 || matches!(f.name, "series_stats" | "series_fit_line"))
                        && t.rows[0][0] == want => {}
                Ok(t) => failures.push(format!("{query}: expected {want}, got {:?}", t.rows)),
                Err(e) => failures.push(format!("{query}: {e}")),
            }
        }
    }
    assert!(missing.is_empty(), "catalog functions without an example call here: {missing:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
