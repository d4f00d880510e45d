//! Datetime functions against the examples of the Kusto documentation
//! (learn.microsoft.com/kusto/query/<name>-function; cited per test), plus
//! nulls. Datetimes render as ISO 8601 with seven fraction digits.

use crate::common;
use common::{expect, run, run_with};
use kql_exec::MemTables;
use kql_plan::{Catalog, Params};

/// The offsets -1, 0 and 1 of the documentation's `range offset from -1 to 1`.
const OFFSETS: &str = "datatable(offset:long)[-1, 0, 1]";

#[test]
fn startofday() {
    // startofday-function.md.
    let t = run(&format!("{OFFSETS} | project dayStart = startofday(datetime(2017-01-01 10:10:17), offset)"));
    assert_eq!(
        t,
        expect(
            &["dayStart:datetime"],
            &[&["2016-12-31T00:00:00.0000000Z"], &["2017-01-01T00:00:00.0000000Z"], &["2017-01-02T00:00:00.0000000Z"]]
        )
    );
    let t = run(
        "print a = startofday(datetime(2017-01-01 10:10:17)), b = startofday(datetime(null)), c = startofday(datetime(2017-01-01), long(null))",
    );
    assert_eq!(
        t,
        expect(&["a:datetime", "b:datetime", "c:datetime"], &[&["2017-01-01T00:00:00.0000000Z", "null", "null"]])
    );
}

#[test]
fn startofweek() {
    // startofweek-function.md: weeks start on Sunday.
    let t = run(&format!("{OFFSETS} | project weekStart = startofweek(datetime(2017-01-01 10:10:17), offset)"));
    assert_eq!(
        t,
        expect(
            &["weekStart:datetime"],
            &[&["2016-12-25T00:00:00.0000000Z"], &["2017-01-01T00:00:00.0000000Z"], &["2017-01-08T00:00:00.0000000Z"]]
        )
    );
    // The same page's Monday-week example, with the day shifts written out.
    let t = run(
        "datatable(Date: datetime)[datetime(2025-06-14), datetime(2025-06-15), datetime(2025-06-16), datetime(2025-06-17)]
        | project MondayWeek = startofweek(Date - 1d) + 1d",
    );
    assert_eq!(
        t,
        expect(
            &["MondayWeek:datetime"],
            &[
                &["2025-06-09T00:00:00.0000000Z"],
                &["2025-06-09T00:00:00.0000000Z"],
                &["2025-06-16T00:00:00.0000000Z"],
                &["2025-06-16T00:00:00.0000000Z"]
            ]
        )
    );
    // Before 1970 too (1947-11-30 was a Sunday, per day-of-week-function.md).
    let t = run("print w = startofweek(datetime(1947-12-03 10:00:05))");
    assert_eq!(t, expect(&["w:datetime"], &[&["1947-11-30T00:00:00.0000000Z"]]));
}

#[test]
fn startofmonth_and_year() {
    // startofmonth-function.md and startofyear-function.md.
    let t = run(&format!(
        "{OFFSETS} | project monthStart = startofmonth(datetime(2017-01-01 10:10:17), offset), yearStart = startofyear(datetime(2017-01-01 10:10:17), offset)"
    ));
    assert_eq!(
        t,
        expect(
            &["monthStart:datetime", "yearStart:datetime"],
            &[
                &["2016-12-01T00:00:00.0000000Z", "2016-01-01T00:00:00.0000000Z"],
                &["2017-01-01T00:00:00.0000000Z", "2017-01-01T00:00:00.0000000Z"],
                &["2017-02-01T00:00:00.0000000Z", "2018-01-01T00:00:00.0000000Z"]
            ]
        )
    );
    // Month offsets cross years; results outside the datetime range are null.
    let t = run(
        "print a = startofmonth(datetime(2017-05-20), -17), b = startofmonth(datetime(2017-05-20), 9223372036854775807), c = startofyear(datetime(2017-05-20), 100000)",
    );
    assert_eq!(
        t,
        expect(&["a:datetime", "b:datetime", "c:datetime"], &[&["2015-12-01T00:00:00.0000000Z", "null", "null"]])
    );
}

#[test]
fn endofday() {
    // endofday-function.md: the last tick of the day.
    let t = run(&format!("{OFFSETS} | project dayEnd = endofday(datetime(2017-01-01 10:10:17), offset)"));
    assert_eq!(
        t,
        expect(
            &["dayEnd:datetime"],
            &[&["2016-12-31T23:59:59.9999999Z"], &["2017-01-01T23:59:59.9999999Z"], &["2017-01-02T23:59:59.9999999Z"]]
        )
    );
    let t = run("print e = endofday(datetime(null))");
    assert_eq!(t, expect(&["e:datetime"], &[&["null"]]));
}

#[test]
fn dayofweek() {
    // day-of-week-function.md.
    let t = run(
        "print a = dayofweek(datetime(1947-11-30 10:00:05)), b = dayofweek(datetime(1970-05-11)), c = dayofweek(datetime(null))",
    );
    assert_eq!(t, expect(&["a:timespan", "b:timespan", "c:timespan"], &[&["00:00:00", "1.00:00:00", "null"]]));
    let t = run("let dow = dayofweek(datetime(1970-5-12)); print Timespan = dow, Integer = toint(dow / 1d)");
    assert_eq!(t, expect(&["Timespan:timespan", "Integer:int"], &[&["2.00:00:00", "2"]]));
}

#[test]
fn hourofday_getmonth_getyear() {
    // hour-of-day-function.md, getyear-function.md; monthofyear-function.md for getmonth.
    let t = run(
        "print hour = hourofday(datetime(2015-12-14 18:54)), year = getyear(datetime(2015-10-12)), month = getmonth(datetime(2015-10-12))",
    );
    assert_eq!(t, expect(&["hour:int", "year:int", "month:int"], &[&["18", "2015", "10"]]));
    let t = run(
        "datatable(T:datetime)[datetime(1969-12-31 23:00), datetime(null)] | project h = hourofday(T), y = getyear(T), m = getmonth(T)",
    );
    assert_eq!(t, expect(&["h:int", "y:int", "m:int"], &[&["23", "1969", "12"], &["null", "null", "null"]]));
}

#[test]
fn datetime_part() {
    // datetime-part-function.md.
    let t = run(r#"let dt = datetime(2017-10-30 01:02:03.7654321);
        print
        year = datetime_part("year", dt),
        quarter = datetime_part("quarter", dt),
        month = datetime_part("month", dt),
        weekOfYear = datetime_part("week_of_year", dt),
        day = datetime_part("day", dt),
        dayOfYear = datetime_part("dayOfYear", dt),
        hour = datetime_part("hour", dt),
        minute = datetime_part("minute", dt),
        second = datetime_part("second", dt),
        millisecond = datetime_part("millisecond", dt),
        microsecond = datetime_part("microsecond", dt),
        nanosecond = datetime_part("nanosecond", dt)"#);
    assert_eq!(
        t,
        expect(
            &[
                "year:int",
                "quarter:int",
                "month:int",
                "weekOfYear:int",
                "day:int",
                "dayOfYear:int",
                "hour:int",
                "minute:int",
                "second:int",
                "millisecond:int",
                "microsecond:int",
                "nanosecond:int"
            ],
            &[&["2017", "4", "10", "44", "30", "303", "1", "2", "3", "765", "765432", "765432100"]]
        )
    );
    // ISO 8601 weeks: 2021-01-01 (a Friday) is in week 53 of 2020.
    let t = run(
        r#"datatable(T:datetime)[datetime(2021-01-01), datetime(null)] | project w = datetime_part("Week_Of_Year", T)"#,
    );
    assert_eq!(t, expect(&["w:int"], &[&["53"], &["null"]]));
    let e =
        run_with(r#"print datetime_part("fortnight", now())"#, &Catalog::new(), &MemTables::new(), &Params::default());
    assert!(e.is_err_and(|e| e.contains("unknown part")));
}

#[test]
fn format_datetime() {
    // format-datetime-function.md, the three examples.
    let t = run(
        "let dt = datetime(2017-01-29 09:00:05);
        print v1 = format_datetime(dt, 'yy-MM-dd [HH:mm:ss]'), v2 = format_datetime(dt, 'yyyy-M-dd [H:mm:ss]'), v3 = format_datetime(dt, 'yy-MM-dd [hh:mm:ss tt]')",
    );
    assert_eq!(
        t,
        expect(
            &["v1:string", "v2:string", "v3:string"],
            &[&["17-01-29 [09:00:05]", "2017-1-29 [9:00:05]", "17-01-29 [09:00:05 AM]"]]
        )
    );
    // Fractions (the page's table) and a null date (formats as "").
    let t = run(
        "datatable(T:datetime)[datetime(2009-06-15 13:45:30.6175425), datetime(2009-06-15 13:45:30.0001150), datetime(null)]
        | project a = format_datetime(T, 'fffffff'), b = format_datetime(T, 'FFFFFFF'), c = format_datetime(T, 'h tt, d/M/y_ss.fff')",
    );
    assert_eq!(
        t,
        expect(
            &["a:string", "b:string", "c:string"],
            &[
                &["6175425", "6175425", "1 PM, 15/6/9_30.617"],
                &["0001150", "000115", "1 PM, 15/6/9_30.000"],
                &["", "", ""]
            ]
        )
    );
}
