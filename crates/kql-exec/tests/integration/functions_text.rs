//! String and regex functions against the examples of the Kusto
//! documentation (learn.microsoft.com/kusto/query/<name>-function; the pages
//! are cited per test), plus null and empty-string cases.

use crate::common;
use common::{expect, run, run_with};
use kql_exec::MemTables;
use kql_plan::{Catalog, Params};

#[test]
fn strcat_delim() {
    // strcat-delim-function.md: strcat_delim('-', 1, '2', 'A', 1s) is "1-2-A-00:00:01".
    let t = run("print st = strcat_delim('-', 1, '2', 'A', 1s)");
    assert_eq!(t, expect(&["st:string"], &[&["1-2-A-00:00:01"]]));
    // Nulls are empty text; an empty delimiter just concatenates.
    let t = run(r#"print a = strcat_delim(",", long(null), "", "x"), b = strcat_delim("", "a", "b")"#);
    assert_eq!(t, expect(&["a:string", "b:string"], &[&[",,x", "ab"]]));
    let t = run(r#"datatable(A:string, B:long)["x", 1, "", long(null)] | project s = strcat_delim("|", A, B)"#);
    assert_eq!(t, expect(&["s:string"], &[&["x|1"], &["|"]]));
}

#[test]
fn extract() {
    // extract-function.md, first example.
    let t = run(r#"datatable(Text: string)["User: James, Email: James@example.com, Age: 29", "User: David, Age: 35"]
        | extend UserName = extract("User: ([^,]+)", 1, Text),
                 EmailId = extract(@"Email: (\S+),", 1, Text),
                 Age = extract(@"\d+", 0, Text)
        | project UserName, EmailId, Age"#);
    assert_eq!(
        t,
        expect(
            &["UserName:string", "EmailId:string", "Age:string"],
            &[&["James", "James@example.com", "29"], &["David", "", "35"]]
        )
    );
    // No match, a missing group, an empty source: "".
    let t = run(
        r#"print a = extract("x(\\d)", 1, "abc"), b = extract("a(b)?c", 1, "ac"), c = extract("a", 5, "a"), d = extract("a", 0, "")"#,
    );
    assert_eq!(t, expect(&["a:string", "b:string", "c:string", "d:string"], &[&["", "", "", ""]]));
    // extract-function.md, second example without the type literal.
    let t = run(r#"datatable(DateString: string)["15-12-2024", "21-07-2023", "10-03-2022"]
        | project Month = extract(@"-(\d{2})-", 1, DateString)"#);
    assert_eq!(t, expect(&["Month:string"], &[&["12"], &["07"], &["03"]]));
}

#[test]
fn invalid_regex_is_a_runtime_error() {
    let e = run_with(r#"print extract("(", 1, "a")"#, &Catalog::new(), &MemTables::new(), &Params::default())
        .expect_err("an invalid regex fails");
    assert!(e.contains("invalid regular expression"), "{e}");
    let e = run_with(r#"print trim("[", "a")"#, &Catalog::new(), &MemTables::new(), &Params::default())
        .expect_err("an invalid regex fails");
    assert!(e.contains("invalid regular expression"), "{e}");
}

#[test]
fn trim() {
    // trim-function.md.
    let t = run(r#"let string_to_trim = @"--https://bing.com--"; let substring = "--";
        print trimmed_string = trim(substring, string_to_trim)"#);
    assert_eq!(t, expect(&["trimmed_string:string"], &[&["https://bing.com"]]));
    let t = run(r#"print str = strcat("-  ", "Te st", 1, @"// $") | extend trimmed_str = trim(@"[^\w]+", str)"#);
    assert_eq!(t, expect(&["str:string", "trimmed_str:string"], &[&["-  Te st1// $", "Te st1"]]));
    let t = run(r#"print trimmed_string = trim(@"\s+", @"    Hello, world!    ")"#);
    assert_eq!(t, expect(&["trimmed_string:string"], &[&["Hello, world!"]]));
    // Empty source, everything trimmed away.
    let t = run(r#"print a = trim("x", ""), b = trim("-", "----"), c = trim("", "abc")"#);
    assert_eq!(t, expect(&["a:string", "b:string", "c:string"], &[&["", "", "abc"]]));
}

#[test]
fn trim_start_and_end() {
    // trim-start-function.md.
    let t = run(r#"print trimmed_string = trim_start("https://", @"https://bing.com")"#);
    assert_eq!(t, expect(&["trimmed_string:string"], &[&["bing.com"]]));
    let t = run(r#"print s = trim_start(@"[^\w]+", strcat("-  ", "Te st", 1, @"// $"))"#);
    assert_eq!(t, expect(&["s:string"], &[&["Te st1// $"]]));
    let t = run(r#"print trimmed_start = trim_start(@"\s+", @"    Hello, world!    ")"#);
    assert_eq!(t, expect(&["trimmed_start:string"], &[&["Hello, world!    "]]));
    // trim-end-function.md.
    let t = run(r#"print trimmed_string = trim_end(".com", "bing.com")"#);
    assert_eq!(t, expect(&["trimmed_string:string"], &[&["bing"]]));
    let t = run(r#"print s = trim_end(@"[^\w]+", strcat("-  ", "Te st", 1, @"// $"))"#);
    assert_eq!(t, expect(&["s:string"], &[&["-  Te st1"]]));
    let t = run(r#"print trimmed_end = trim_end(@"\s+", @"    Hello, world!    ")"#);
    assert_eq!(t, expect(&["trimmed_end:string"], &[&["    Hello, world!"]]));
    // Over a column.
    let t = run(r#"datatable(S:string)["xxaxx", "", "b"] | project a = trim_start("x", S), b = trim_end("x", S)"#);
    assert_eq!(t, expect(&["a:string", "b:string"], &[&["axx", "xxa"], &["", ""], &["b", "b"]]));
}

#[test]
fn replace_string() {
    // replace-string-function.md.
    let t = run(r#"print Message="A magic trick can turn a cat into a dog"
        | extend Outcome = replace_string(Message, "cat", "hamster") | project Outcome"#);
    assert_eq!(t, expect(&["Outcome:string"], &[&["A magic trick can turn a hamster into a dog"]]));
    let t = run(r#"datatable(x:long)[1, 2] | extend str = strcat('Number is ', tostring(x))
        | extend replaced = replace_string(str, 'is', 'was') | project replaced"#);
    assert_eq!(t, expect(&["replaced:string"], &[&["Number was 1"], &["Number was 2"]]));
    // Matches do not overlap; an empty lookup changes nothing; empty text stays empty.
    let t = run(
        r#"print a = replace_string("aaa", "aa", "b"), b = replace_string("abc", "", "x"), c = replace_string("", "a", "b")"#,
    );
    assert_eq!(t, expect(&["a:string", "b:string", "c:string"], &[&["ba", "abc", ""]]));
}

#[test]
fn indexof() {
    // indexof-function.md, all nine examples.
    let t = run(r#"print
         idx1 = indexof("abcdefg","cde")
         , idx2 = indexof("abcdefg","cde",1,4)
         , idx3 = indexof("abcdefg","cde",1,2)
         , idx4 = indexof("abcdefg","cde",3,4)
         , idx5 = indexof("abcdefg","cde",-5)
         , idx6 = indexof(1234567,5,1,4)
         , idx7 = indexof("abcdefg","cde",2,-1)
         , idx8 = indexof("abcdefgabcdefg", "cde", 1, 10, 2)
         , idx9 = indexof("abcdefgabcdefg", "cde", 1, -1, 3)"#);
    assert_eq!(
        t,
        expect(
            &[
                "idx1:long",
                "idx2:long",
                "idx3:long",
                "idx4:long",
                "idx5:long",
                "idx6:long",
                "idx7:long",
                "idx8:long",
                "idx9:long"
            ],
            &[&["2", "2", "-1", "-1", "2", "4", "2", "9", "-1"]]
        )
    );
    // Null for a length below -1 or a negative occurrence; not found in "".
    let t = run(
        r#"print a = indexof("abc", "b", 0, -2), b = indexof("abc", "b", 0, -1, -1), c = indexof("", "a"), d = indexof("abc", "")"#,
    );
    assert_eq!(t, expect(&["a:long", "b:long", "c:long", "d:long"], &[&["null", "null", "-1", "0"]]));
    // Over columns; positions count characters, not bytes.
    let t = run(
        r#"datatable(S:string, Start:long)["héllo", 0, "abab", 1, "", 0] | project i = indexof(S, "l", Start), j = indexof(S, "b", Start)"#,
    );
    assert_eq!(t, expect(&["i:long", "j:long"], &[&["2", "-1"], &["-1", "1"], &["-1", "-1"]]));
}

#[test]
fn countof() {
    // countof-function.md, the table of examples.
    let t = run(r#"print a = countof("aaa", "a"), b = countof("aaaa", "aa"), c = countof("ababa", "ab", "normal"),
        d = countof("ababa", "aba"), e = countof("ababa", "aba", "regex"), f = countof("abcabc", "a.c", "regex")"#);
    assert_eq!(
        t,
        expect(&["a:long", "b:long", "c:long", "d:long", "e:long", "f:long"], &[&["3", "3", "2", "2", "1", "2"]])
    );
    let t = run(r#"datatable(S:string)["a.a", ""] | project n = countof(S, "."), r = countof(S, ".", "regex")"#);
    assert_eq!(t, expect(&["n:long", "r:long"], &[&["1", "3"], &["0", "0"]]));
    let e = run_with(r#"print countof("a", "a", "fuzzy")"#, &Catalog::new(), &MemTables::new(), &Params::default())
        .expect_err("unknown kind");
    assert!(e.contains("kind"), "{e}");
}

#[test]
fn reverse() {
    // reverse-function.md.
    let t = run(r#"print str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" | extend rstr = reverse(str) | project rstr"#);
    assert_eq!(t, expect(&["rstr:string"], &[&["ZYXWVUTSRQPONMLKJIHGFEDCBA"]]));
    let t = run(
        r#"print ['int'] = 12345, ['double'] = 123.45, ['datetime'] = datetime(2017-10-15 12:00), ['timespan'] = 3h
        | project rint = reverse(['int']), rdouble = reverse(['double']), rdatetime = reverse(['datetime']), rtimespan = reverse(['timespan'])"#,
    );
    assert_eq!(
        t,
        expect(
            &["rint:string", "rdouble:string", "rdatetime:string", "rtimespan:string"],
            &[&["54321", "54.321", "Z0000000.00:00:21T51-01-7102", "00:00:30"]]
        )
    );
    // Null reverses to ""; characters, not bytes.
    let t = run(
        r#"datatable(S:string, L:long)["héllo", long(null)] | project a = reverse(S), b = reverse(L), c = reverse("")"#,
    );
    assert_eq!(t, expect(&["a:string", "b:string", "c:string"], &[&["olléh", "", ""]]));
}
