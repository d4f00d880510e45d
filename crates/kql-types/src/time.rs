//! Kusto datetime and timespan text forms, shared by literals, `todatetime()`
//! and output formatting. Datetimes are nanoseconds since the Unix epoch (UTC);
//! timespans are nanoseconds. Both are whole 100 ns ticks, Kusto's resolution
//! (the datetime page: "Time values are measured in 100-nanosecond units
//! called ticks"): text with finer digits is brought to a tick here, the one
//! place text becomes a datetime or a timespan.

pub const NANOS_PER_TICK: i64 = 100;
/// Ticks from 0001-01-01 (.NET's and Kusto's `DateTime` origin) to the Unix
/// epoch: 719162 days of 864 000 000 000 ticks.
pub const TICKS_AT_UNIX_EPOCH: i64 = 719_162 * 864_000_000_000;
pub const NANOS_PER_MICRO: i64 = 1_000;
pub const NANOS_PER_MILLI: i64 = 1_000_000;
pub const NANOS_PER_SEC: i64 = 1_000_000_000;
pub const NANOS_PER_MIN: i64 = 60 * NANOS_PER_SEC;
pub const NANOS_PER_HOUR: i64 = 60 * NANOS_PER_MIN;
pub const NANOS_PER_DAY: i64 = 24 * NANOS_PER_HOUR;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, min: usize, max: usize) -> Option<(i64, usize)> {
        let start = self.i;
        let mut v: i64 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + i64::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        let n = self.i - start;
        (n >= min).then_some((v, n))
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

/// A second's fraction digits (`25` of `…:10.25`) as whole ticks, rounded
/// to the nearest tick, ties to even. That is what .NET's `DateTime.Parse`
/// does with digits past the seventh (`Math.Round(fraction *
/// TicksPerSecond)` in `DateTimeParse`), and Kusto.Language reads
/// `datetime(…)` literals with it; `None` when there is no digit.
pub fn fraction_ticks(digits: &str) -> Option<i64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (head, rest) = digits.split_at(digits.len().min(7));
    let ticks: i64 = head.parse::<i64>().ok()? * 10_i64.pow(7 - head.len() as u32);
    // The rest is a fraction of a tick: above, below or exactly a half.
    let rest = rest.as_bytes();
    let up = match rest.first() {
        None => false,
        Some(&d) if d != b'5' => d > b'5',
        Some(_) if rest[1..].iter().any(|&b| b != b'0') => true,
        Some(_) => ticks % 2 == 1,
    };
    Some(ticks + i64::from(up))
}

/// Nanoseconds of a timespan brought to whole ticks, toward zero: what
/// .NET's `TimeSpan.FromSeconds(double)` and friends do (`new
/// TimeSpan((long)ticks)`), which Kusto.Language uses for `1.5tick` or
/// `150nanoseconds` (one tick).
pub fn timespan_ticks(nanos: i64) -> i64 {
    nanos / NANOS_PER_TICK * NANOS_PER_TICK
}

/// Nanoseconds of an instant brought to its tick (toward the past, as
/// dropping digits past the seventh does): for instants read with finer
/// resolution, such as Parquet's nanosecond timestamps or the clock.
pub fn datetime_ticks(nanos: i64) -> i64 {
    nanos.div_euclid(NANOS_PER_TICK) * NANOS_PER_TICK
}

/// Parses the ISO 8601 forms Kusto accepts in `datetime(…)` and `todatetime()`:
/// `2025-06-01`, `2025-06-01 12:30`, `2025-06-01T12:30:45`, with an optional
/// fraction (any number of digits, rounded to a tick: [`fraction_ticks`])
/// and an optional `Z` or `±hh:mm` offset (no offset means UTC). Returns
/// nanoseconds since the Unix epoch, or `None` if the text is not such a
/// datetime or lies outside 1678‥2261 (the range of 64-bit nanoseconds).
pub fn parse_datetime(text: &str) -> Option<i64> {
    let mut c = Cursor { b: text.trim().as_bytes(), i: 0 };
    let (year, _) = c.digits(4, 4)?;
    if !c.eat(b'-') {
        return None;
    }
    let (month, _) = c.digits(1, 2)?;
    if !c.eat(b'-') {
        return None;
    }
    let (day, _) = c.digits(1, 2)?;
    let month = u32::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
    let day = u32::try_from(day).ok()?;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut nanos: i64 = 0;
    if c.eat(b'T') || c.eat(b' ') || c.eat(b't') {
        let (h, _) = c.digits(1, 2)?;
        if !c.eat(b':') {
            return None;
        }
        let (m, _) = c.digits(2, 2)?;
        let mut s = 0;
        let mut frac: i64 = 0;
        if c.eat(b':') {
            s = c.digits(2, 2)?.0;
            if c.eat(b'.') {
                let start = c.i;
                while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                    c.i += 1;
                }
                frac = fraction_ticks(&text.trim()[start..c.i])? * NANOS_PER_TICK;
            }
        }
        if h > 23 || m > 59 || s > 59 {
            return None;
        }
        nanos = h * NANOS_PER_HOUR + m * NANOS_PER_MIN + s * NANOS_PER_SEC + frac;
        // zone
        if c.eat(b'Z') || c.eat(b'z') {
        } else if let Some(sign @ (b'+' | b'-')) = c.peek() {
            c.i += 1;
            let (oh, _) = c.digits(2, 2)?;
            c.eat(b':');
            let (om, _) = c.digits(2, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = oh * NANOS_PER_HOUR + om * NANOS_PER_MIN;
            nanos -= if sign == b'+' { offset } else { -offset };
        }
    } else {
        c.eat(b'Z');
    }
    if !c.done() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    days.checked_mul(NANOS_PER_DAY)?.checked_add(nanos)
}

/// Formats nanoseconds since the epoch as ISO 8601 UTC with Kusto's 7
/// fractional digits: `2025-06-01T00:00:00.0000000Z`.
pub fn format_datetime(nanos: i64) -> String {
    let days = nanos.div_euclid(NANOS_PER_DAY);
    let rem = nanos.rem_euclid(NANOS_PER_DAY);
    let (y, mo, d) = civil_from_days(days);
    let h = rem / NANOS_PER_HOUR;
    let mi = rem % NANOS_PER_HOUR / NANOS_PER_MIN;
    let s = rem % NANOS_PER_MIN / NANOS_PER_SEC;
    let sub = rem % NANOS_PER_SEC;
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if sub % NANOS_PER_TICK == 0 {
        out.push_str(&format!(".{:07}Z", sub / NANOS_PER_TICK));
    } else {
        out.push_str(&format!(".{sub:09}Z"));
    }
    out
}

/// The unit suffixes of timespan literals (`4h`, `30min`, `1tick`) in nanoseconds.
pub fn timespan_unit(suffix: &str) -> Option<i64> {
    Some(match suffix {
        "d" | "day" | "days" => NANOS_PER_DAY,
        "h" | "hr" | "hrs" | "hour" | "hours" => NANOS_PER_HOUR,
        "m" | "min" | "minute" | "minutes" => NANOS_PER_MIN,
        "s" | "sec" | "second" | "seconds" => NANOS_PER_SEC,
        "ms" | "milli" | "millis" | "millisec" | "millisecond" | "milliseconds" => NANOS_PER_MILLI,
        "micro" | "micros" | "microsec" | "microsecond" | "microseconds" => NANOS_PER_MICRO,
        "nano" | "nanos" | "nanosec" | "nanosecond" | "nanoseconds" => 1,
        "tick" | "ticks" => NANOS_PER_TICK,
        _ => return None,
    })
}

/// `digits[.digits]` times `unit` nanoseconds, checked for overflow, in
/// whole ticks toward zero ([`timespan_ticks`]): `1.5tick` is one tick.
pub fn scale_decimal(int_part: &str, frac_part: &str, unit: i64) -> Option<i64> {
    let whole: i64 = int_part.parse().ok()?;
    let mut total = whole.checked_mul(unit)?;
    if !frac_part.is_empty() {
        // Exact for up to 18 fraction digits: value = frac / 10^n * unit.
        let digits = &frac_part[..frac_part.len().min(18)];
        let frac: i128 = digits.parse().ok()?;
        let scaled = frac * i128::from(unit) / 10_i128.pow(digits.len() as u32);
        total = total.checked_add(i64::try_from(scaled).ok()?)?;
    }
    Some(timespan_ticks(total))
}

/// Parses the text inside `timespan(…)` / `time(…)`: a number with a unit
/// (`2d`, `1.5h`, also spaced: `15 seconds`), a bare number of days (`2`),
/// or `[d.]hh:mm[:ss[.fffffff]]`, optionally negative. These are the forms
/// of the timespan page's literal table; the unit may be spaced from the
/// number because Kusto.Language (`SyntaxToken.GetTimeSpanValue`) splits the
/// text at its first letter and parses the number part with surrounding
/// white space allowed.
pub fn parse_timespan(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    let v = if t.contains(':') {
        parse_clock_timespan(t)?
    } else {
        let num_end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
        let (num, suffix) = t.split_at(num_end);
        let suffix = suffix.trim_start();
        let unit = if suffix.is_empty() { NANOS_PER_DAY } else { timespan_unit(suffix)? };
        let (i, f) = num.split_once('.').unwrap_or((num, ""));
        if i.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        scale_decimal(i, f, unit)?
    };
    Some(if neg { -v } else { v })
}

fn parse_clock_timespan(t: &str) -> Option<i64> {
    // [d.]hh:mm[:ss[.fffffff]]
    let (days, clock) = match t.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (d, _) = head.split_once('.')?;
            (d.parse::<i64>().ok()?, &t[d.len() + 1..])
        }
        _ => (0, t),
    };
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let (s, frac) = match parts.next() {
        Some(sec) => {
            let (s, f) = sec.split_once('.').unwrap_or((sec, ""));
            (s.parse::<i64>().ok()?, f)
        }
        None => (0, ""),
    };
    if parts.next().is_some() || m > 59 || s > 59 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_ns = if frac.is_empty() { 0 } else { scale_decimal("0", frac, NANOS_PER_SEC)? };
    days.checked_mul(NANOS_PER_DAY)?
        .checked_add(h.checked_mul(NANOS_PER_HOUR)?)?
        .checked_add(m * NANOS_PER_MIN + s * NANOS_PER_SEC + frac_ns)
}

/// Formats a timespan the way Kusto prints it: `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_timespan(nanos: i64) -> String {
    let neg = nanos < 0;
    let n = nanos.unsigned_abs();
    let day = NANOS_PER_DAY as u64;
    let days = n / day;
    let rem = n % day;
    let h = rem / NANOS_PER_HOUR as u64;
    let m = rem % NANOS_PER_HOUR as u64 / NANOS_PER_MIN as u64;
    let s = rem % NANOS_PER_MIN as u64 / NANOS_PER_SEC as u64;
    let sub = rem % NANOS_PER_SEC as u64;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if days > 0 {
        out.push_str(&format!("{days}."));
    }
    out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
    if sub != 0 {
        if sub.is_multiple_of(NANOS_PER_TICK as u64) {
            out.push_str(&format!(".{:07}", sub / NANOS_PER_TICK as u64));
        } else {
            out.push_str(&format!(".{sub:09}"));
        }
    }
    out
}

/// What ntaq says of a datetime it cannot hold: Kusto's run from
/// 0001-01-01 to 9999-12-31, ntaq's are 64-bit nanoseconds.
pub const DATETIME_RANGE: &str =
    "a datetime before 1677-09-21 or after 2262-04-11 (ntaq's datetimes are 64-bit nanoseconds)";

/// True when `text` is an ISO 8601 datetime Kusto reads (year first) whose
/// instant ntaq's datetimes cannot hold: [`parse_datetime_text`] fails on it,
/// but the same text with a year of the same leapness inside the range
/// parses (so `1900-02-29` stays invalid, not out of range).
pub fn datetime_out_of_range(text: &str) -> bool {
    let t = text.trim();
    let b = t.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' || parse_datetime_text(t).is_some() {
        return false;
    }
    let year: i64 = t[..4].parse().unwrap_or(0);
    if year == 0 {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let stand_in = if leap { "2000" } else { "2001" };
    parse_datetime_text(&format!("{stand_in}{}", &t[4..])).is_some()
}

/// [`parse_datetime`]'s ISO forms, or the display forms of exports and
/// of .NET's invariant culture, all read as UTC: `6/1/2025, 12:00:00.000 AM`
/// and `02/17/2016 08:40:01` (month first, as en-US writes them; 12- or
/// 24-hour clock), `2025/06/01 13:00:00` (year first) and
/// `1.6.2025 13:00:00` (day first, with dots), each optionally followed by
/// ` UTC`. `todatetime()` and text exports read these.
pub fn parse_datetime_text(text: &str) -> Option<i64> {
    parse_documented_datetime(text).or_else(|| parse_display_datetime(text))
}

/// The formats the datetime page lists as "supported as datetime()
/// literals and the todatetime() function": [`parse_datetime`]'s ISO 8601
/// forms, RFC 822 (`Sat, 8 Nov 14 15:05:02 GMT`, `8 Nov 14 15:05`), RFC 850
/// (`Saturday, 08-Nov-14 15:05:02 GMT`, `08-Nov-14 15:05`) and the sortable
/// forms with a zone (`2014-11-08 15:05:25 GMT`). The zone may be GMT, UTC
/// or Z (the pages show only GMT; another zone name is not read, rather
/// than read as UTC); a two-digit year is 1930-2029, as .NET's calendar
/// reads it.
pub fn parse_documented_datetime(text: &str) -> Option<i64> {
    parse_datetime(text).or_else(|| parse_rfc_datetime(text))
}

fn parse_rfc_datetime(text: &str) -> Option<i64> {
    let mut s = text.trim();
    let mut zoned = false;
    for zone in [" GMT", " UTC", " Z"] {
        if let Some(rest) = s.strip_suffix(zone) {
            s = rest.trim_end();
            zoned = true;
            break;
        }
    }
    if zoned && let Some(v) = parse_datetime(s) {
        // Sortable: `2014-11-08 15:05:25 GMT`.
        return Some(v);
    }
    // An optional weekday (`Sat, ` or `Saturday, `), which must be the
    // date's, as .NET's parser requires.
    let mut named_day = None;
    if let Some((day, rest)) = s.split_once(',') {
        named_day = Some(weekday(day)?);
        s = rest.trim_start();
    }
    let (date, time) = s.split_once(' ')?;
    // RFC 822 writes `8 Nov 14`; RFC 850 `08-Nov-14`.
    let (date, time) = if date.contains('-') {
        (date.to_string(), time)
    } else {
        let (month, rest) = time.split_once(' ')?;
        let (year, time) = rest.split_once(' ')?;
        (format!("{date}-{month}-{year}"), time)
    };
    let mut parts = date.split('-');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || day.is_empty() || day.len() > 2 || !day.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month = month_number(month)?;
    let year: i64 = match year.len() {
        2 if year.bytes().all(|b| b.is_ascii_digit()) => {
            let yy: i64 = year.parse().ok()?;
            if yy <= 29 { 2000 + yy } else { 1900 + yy }
        }
        4 if year.bytes().all(|b| b.is_ascii_digit()) => year.parse().ok()?,
        _ => return None,
    };
    let day: u32 = day.parse().ok()?;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // 1970-01-01 (day 0) was a Thursday (index 3 from Monday).
    if named_day.is_some_and(|d| d as i64 != (days.rem_euclid(7) + 3) % 7) {
        return None;
    }
    let time = time.trim();
    let mut c = Cursor { b: time.as_bytes(), i: 0 };
    let (h, _) = c.digits(2, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let (m, _) = c.digits(2, 2)?;
    let sec = if c.eat(b':') { c.digits(2, 2)?.0 } else { 0 };
    if !c.done() || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let clock = h * NANOS_PER_HOUR + m * NANOS_PER_MIN + sec * NANOS_PER_SEC;
    days.checked_mul(NANOS_PER_DAY)?.checked_add(clock)
}

/// The month of an English abbreviation (`Nov`), in any case.
fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let lower = name.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == lower).map(|i| i as u32 + 1)
}

/// The weekday of an English name or abbreviation (`Sat`, `Saturday`).
fn weekday(name: &str) -> Option<usize> {
    const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let lower = name.to_ascii_lowercase();
    DAYS.iter().position(|d| *d == lower || (lower.len() == 3 && d.starts_with(&lower)))
}

fn parse_display_datetime(text: &str) -> Option<i64> {
    let mut s = text.trim();
    for suffix in [" UTC", " utc", "Z", "z"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim_end();
            break;
        }
    }
    let (date, time) = match s.find([',', ' ']) {
        Some(k) => (&s[..k], s[k + 1..].trim_start()),
        None => (s, ""),
    };
    let sep = if date.contains('/') {
        '/'
    } else if date.contains('.') {
        '.'
    } else if date.len() == 10 && date.as_bytes()[2] == b'-' && date.as_bytes()[5] == b'-' {
        // `12-02-2022`, month first as en-US writes it (the todatetime
        // page compares todatetime('12-02-2022') with datetime('12-02-2022')).
        '-'
    } else {
        return None;
    };
    let parts: Vec<&str> = date.split(sep).collect();
    if parts.len() != 3 || !parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |p: &str| p.parse::<u32>().ok();
    let (y, m, d) = match (sep, parts[0].len()) {
        ('/', 4) => (parts[0], parts[1], parts[2]),
        ('/' | '-', _) => (parts[2], parts[0], parts[1]),
        (_, _) => (parts[2], parts[1], parts[0]),
    };
    if y.len() != 4 || m.len() > 2 || d.len() > 2 {
        return None;
    }
    let (year, month, day) = (i64::from(num(y)?), num(m)?, num(d)?);
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return None; // 2/30/2025
    }
    let clock = if time.is_empty() { 0 } else { parse_clock(time)? };
    days.checked_mul(NANOS_PER_DAY)?.checked_add(clock)
}

/// `h:mm[:ss[.fffffff]]` with an optional `AM`/`PM`, as nanoseconds after midnight.
fn parse_clock(time: &str) -> Option<i64> {
    let t = time.trim();
    let (clock, half) = {
        let upper = t.to_ascii_uppercase();
        if let Some(rest) = upper.strip_suffix("AM") {
            (t[..rest.len()].trim_end(), Some(false))
        } else if let Some(rest) = upper.strip_suffix("PM") {
            (t[..rest.len()].trim_end(), Some(true))
        } else {
            (t, None)
        }
    };
    let mut parts = clock.split(':');
    let h: i64 = digits(parts.next()?, 1, 2)?;
    let m: i64 = digits(parts.next()?, 2, 2)?;
    let (s, frac) = match parts.next() {
        Some(sec) => {
            let (s, f) = sec.split_once('.').unwrap_or((sec, ""));
            (digits(s, 2, 2)?, f)
        }
        None => (0, ""),
    };
    if parts.next().is_some() || m > 59 || s > 59 {
        return None;
    }
    let h = match half {
        None if h <= 23 => h,
        Some(pm) if (1..=12).contains(&h) => h % 12 + if pm { 12 } else { 0 },
        _ => return None,
    };
    let frac_ns = if frac.is_empty() { 0 } else { fraction_ticks(frac)? * NANOS_PER_TICK };
    Some(h * NANOS_PER_HOUR + m * NANOS_PER_MIN + s * NANOS_PER_SEC + frac_ns)
}

fn digits(s: &str, min: usize, max: usize) -> Option<i64> {
    (s.len() >= min && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

#[cfg(test)]
mod tests {

    #[test]
    fn rfc_and_sortable_forms_of_the_datetime_page() {
        // https://learn.microsoft.com/kusto/query/scalar-data-types/datetime ("Supported formats")
        let at = |t: &str| parse_datetime(t).unwrap();
        let with_secs = at("2014-11-08T15:05:02Z");
        let no_secs = at("2014-11-08T15:05:00Z");
        for t in [
            "Sat, 8 Nov 14 15:05:02 GMT",
            "Sat, 8 Nov 14 15:05:02",
            "8 Nov 14 15:05:02 GMT",
            "8 Nov 14 15:05:02",
            "Saturday, 08-Nov-14 15:05:02 GMT",
            "Saturday, 08-Nov-14 15:05:02",
            "08-Nov-14 15:05:02 GMT",
            "08-Nov-14 15:05:02",
        ] {
            assert_eq!(parse_documented_datetime(t), Some(with_secs), "{t}");
        }
        for t in [
            "Sat, 8 Nov 14 15:05",
            "Sat, 8 Nov 14 15:05 GMT",
            "8 Nov 14 15:05",
            "8 Nov 14 15:05 GMT",
            "Saturday, 08-Nov-14 15:05 GMT",
            "Saturday, 08-Nov-14 15:05",
            "08-Nov-14 15:05 GMT",
            "08-Nov-14 15:05",
            "2014-11-08 15:05 GMT",
            "2014-11-08T15:05 GMT",
        ] {
            assert_eq!(parse_documented_datetime(t), Some(no_secs), "{t}");
        }
        assert_eq!(parse_documented_datetime("2014-11-08 15:05:25 GMT"), Some(at("2014-11-08T15:05:25Z")));
        assert_eq!(parse_documented_datetime("2014-11-08T15:05:25 GMT"), Some(at("2014-11-08T15:05:25Z")));
        // Two-digit years as .NET reads them; other zones and bad days are not read.
        assert_eq!(parse_documented_datetime("1 Jan 30 00:00"), Some(at("1930-01-01")));
        assert_eq!(parse_documented_datetime("1 Jan 2030 00:00"), Some(at("2030-01-01")));
        for t in
            ["8 Nov 14 15:05 EST", "Sun, 8 Nov 14 15:05", "31 Nov 14 15:05", "8 Foo 14 15:05", "Sat 8 Nov 14 15:05"]
        {
            assert_eq!(parse_documented_datetime(t), None, "{t}");
        }
    }

    #[test]
    fn month_first_with_dashes() {
        // https://learn.microsoft.com/kusto/query/todatetime-function (Examples)
        assert_eq!(parse_datetime_text("12-02-2022"), parse_datetime("2022-12-02"));
        assert_eq!(parse_datetime_text("13-02-2022"), None);
    }

    use super::*;

    const D: i64 = NANOS_PER_DAY;

    #[test]
    fn civil_round_trip() {
        for days in [-719_468, -1, 0, 1, 10_957, 20_240, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn iso_forms() {
        let base = days_from_civil(2025, 6, 1) * D;
        assert_eq!(parse_datetime("2025-06-01"), Some(base));
        assert_eq!(parse_datetime("2025-06-01T00:00:00Z"), Some(base));
        assert_eq!(parse_datetime("2025-06-01 12:30"), Some(base + 12 * NANOS_PER_HOUR + 30 * NANOS_PER_MIN));
        assert_eq!(parse_datetime("2025-06-01T00:00:00.5Z"), Some(base + NANOS_PER_SEC / 2));
        assert_eq!(parse_datetime("2025-06-01T02:00:00+02:00"), Some(base));
        // Past the seventh digit the fraction rounds to a tick (.NET's DateTime.Parse).
        assert_eq!(parse_datetime("2025-06-01T00:00:00.123456789Z"), Some(base + 123_456_800));
        assert_eq!(parse_datetime("2025-06-01T00:00:00.12345674Z"), Some(base + 123_456_700));
        assert_eq!(parse_datetime("2025-06-01T00:00:00.9999999999Z"), Some(base + NANOS_PER_SEC));
        assert_eq!(parse_datetime(" 2025-06-01 "), Some(base));
    }

    #[test]
    fn fractions_round_to_ticks_ties_to_even() {
        assert_eq!(fraction_ticks("25"), Some(2_500_000));
        assert_eq!(fraction_ticks("1234567"), Some(1_234_567));
        assert_eq!(fraction_ticks("12345675"), Some(1_234_568), "a tie rounds to the even tick");
        assert_eq!(fraction_ticks("12345665"), Some(1_234_566), "a tie rounds to the even tick");
        assert_eq!(fraction_ticks("123456650001"), Some(1_234_567), "past the tie rounds up");
        assert_eq!(fraction_ticks("123456649999"), Some(1_234_566));
        assert_eq!(fraction_ticks(""), None);
        assert_eq!(fraction_ticks("1a"), None);
    }

    #[test]
    fn rejects_garbage() {
        for bad in
            ["", "yesterday", "2025-13-01", "2025-02-30", "2025-06-01T25:00", "2025-06-01Tx", "2025-06-01 12:00 extra"]
        {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn format_is_kusto_style() {
        let t = parse_datetime("2025-06-01T08:09:10.25Z").unwrap();
        assert_eq!(format_datetime(t), "2025-06-01T08:09:10.2500000Z");
        assert_eq!(format_datetime(-1), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("2d"), Some(2 * D));
        assert_eq!(parse_timespan("1.5h"), Some(90 * NANOS_PER_MIN));
        assert_eq!(parse_timespan("2"), Some(2 * D));
        assert_eq!(
            parse_timespan("1.02:03:04.5"),
            Some(D + 2 * NANOS_PER_HOUR + 3 * NANOS_PER_MIN + 4 * NANOS_PER_SEC + NANOS_PER_SEC / 2)
        );
        assert_eq!(parse_timespan("-00:30"), Some(-30 * NANOS_PER_MIN));
        assert_eq!(parse_timespan("1tick"), Some(100));
        // Finer than a tick truncates toward zero, as .NET's TimeSpan.FromSeconds(double).
        assert_eq!(parse_timespan("1.5tick"), Some(100));
        assert_eq!(parse_timespan("150nanoseconds"), Some(100));
        assert_eq!(parse_timespan("0.000000001s"), Some(0));
        assert_eq!(parse_timespan("-00:00:00.00000019"), Some(-100));
        assert_eq!(datetime_ticks(-1), -100);
        assert_eq!(timespan_ticks(-199), -100);
        assert_eq!(parse_timespan("3x"), None);
        // The timespan page's `timespan(15 seconds)`: the unit may follow a space.
        assert_eq!(parse_timespan("15 seconds"), Some(15 * NANOS_PER_SEC));
        assert_eq!(parse_timespan("1.5 hours"), Some(90 * NANOS_PER_MIN));
        assert_eq!(parse_timespan("15 "), Some(15 * D));
        assert_eq!(parse_timespan("15 x"), None);
        assert_eq!(parse_timespan(" seconds"), None);
        assert_eq!(format_timespan(D + NANOS_PER_HOUR), "1.01:00:00");
        assert_eq!(format_timespan(-NANOS_PER_SEC / 2), "-00:00:00.5000000");
    }
}
