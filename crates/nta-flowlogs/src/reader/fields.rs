//! The fields shared by NSG and VNet tuples: timestamps, ports, counters,
//! and the endpoints both formats write at the same places ([`endpoints`]).

/// Timestamps above this are milliseconds, below it seconds: 1e11 seconds
/// is the year 5138, 1e11 milliseconds is March 1973, so no real flow-log
/// time falls on the wrong side.
const MILLIS_ABOVE: i64 = 100_000_000_000;

/// A tuple's Unix timestamp (seconds or milliseconds, told apart per value)
/// as nanoseconds since the epoch.
pub(crate) fn timestamp(s: &str) -> Result<i64, String> {
    let v: i64 = s.parse().map_err(|_| format!("timestamp `{s}` is not a whole number"))?;
    if v < 0 {
        return Err(format!("timestamp `{s}` is before 1970"));
    }
    let nanos = if v > MILLIS_ABOVE { v.checked_mul(1_000_000) } else { v.checked_mul(1_000_000_000) };
    nanos.ok_or_else(|| format!("timestamp `{s}` is out of range"))
}

pub(crate) fn port(s: &str, what: &str) -> Result<i32, String> {
    match s.parse::<u16>() {
        Ok(p) => Ok(i32::from(p)),
        Err(_) => Err(format!("{what} `{s}` is not a port number")),
    }
}

/// A packet or byte counter; empty (state B, denied flows) is 0.
pub(crate) fn counter(s: &str, what: &str) -> Result<i64, String> {
    if s.is_empty() {
        return Ok(0);
    }
    s.parse::<u64>().ok().and_then(|v| i64::try_from(v).ok()).ok_or_else(|| format!("{what} `{s}` is not a count"))
}

pub(crate) fn one_of<'a>(s: &'a str, allowed: &[&str], what: &str) -> Result<&'a str, String> {
    if allowed.contains(&s) { Ok(s) } else { Err(format!("{what} `{s}` is not one of {}", allowed.join(", "))) }
}

pub(crate) fn nonempty<'a>(s: &'a str, what: &str) -> Result<&'a str, String> {
    if s.is_empty() { Err(format!("{what} is empty")) } else { Ok(s) }
}

pub(crate) fn counters(f: &[&str]) -> Result<[i64; 4], String> {
    Ok([
        counter(f[0], "packets source→destination")?,
        counter(f[1], "bytes source→destination")?,
        counter(f[2], "packets destination→source")?,
        counter(f[3], "bytes destination→source")?,
    ])
}

/// What NSG and VNet tuples write at the same places: time (field 0),
/// source and destination IP and port (1–4), direction (6).
pub(crate) struct Endpoints<'a> {
    pub time: i64,
    pub src_ip: &'a str,
    pub dest_ip: &'a str,
    pub src_port: i32,
    pub dest_port: i32,
    pub direction: &'a str,
}

/// Fields 0–4 and 6 of a tuple split at commas (at least 7 fields), checked
/// in that order.
pub(crate) fn endpoints<'a>(f: &[&'a str]) -> Result<Endpoints<'a>, String> {
    Ok(Endpoints {
        time: timestamp(f[0])?,
        src_ip: nonempty(f[1], "source IP")?,
        dest_ip: nonempty(f[2], "destination IP")?,
        src_port: port(f[3], "source port")?,
        dest_port: port(f[4], "destination port")?,
        direction: one_of(f[6], &["I", "O"], "direction")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_milliseconds_per_value() {
        // 1542110402 s = 2018-11-13T12:00:02Z (NSG doc sample).
        assert_eq!(timestamp("1542110402").unwrap(), 1_542_110_402_000_000_000);
        // 1663146003599 ms = 2022-09-14T09:00:03.599Z (VNet doc sample).
        assert_eq!(timestamp("1663146003599").unwrap(), 1_663_146_003_599_000_000);
        assert!(timestamp("-5").is_err());
        assert!(timestamp("12a").is_err());
        assert!(timestamp("").is_err());
    }

    #[test]
    fn counters_and_ports() {
        assert_eq!(counter("", "x").unwrap(), 0);
        assert_eq!(counter("588096", "x").unwrap(), 588_096);
        assert!(counter("-1", "x").is_err());
        assert_eq!(port("65535", "p").unwrap(), 65535);
        assert!(port("65536", "p").is_err());
    }
}
