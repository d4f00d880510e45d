//! The IPv4 and IPv6 functions: ipv4_is_private, ipv4_is_in_range,
//! ipv4_is_in_any_range, ipv4_is_match, ipv4_compare, ipv4_netmask_suffix,
//! parse_ipv4, parse_ipv4_mask, format_ipv4, format_ipv4_mask, has_ipv4,
//! has_ipv4_prefix, has_any_ipv4, has_any_ipv4_prefix, parse_ipv6,
//! ipv6_compare, ipv6_is_match, ipv6_is_in_range, ipv6_is_in_any_range.
//!
//! IPv4 addresses are dotted quads, optionally with an IP-prefix (`/n`, 0
//! to 32); IPv6 addresses are RFC 4291 text (prefix 0 to 128), and an IPv4
//! address among them is the mapped `::ffff:a.b.c.d` with its prefix plus
//! 96. Text that does not parse gives null (empty for the functions that
//! return text), never an error (the functions' pages, "Returns").

use super::{Args, Strs};
use crate::columnar::Col;
use crate::error::Result;
use arrow_array::{BooleanArray, Int64Array, StringArray};
use kql_syntax::ScalarType;
use std::sync::Arc;

/// An address and its prefix length (32 without a `/n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4 {
    pub addr: u32,
    pub prefix: u32,
}

/// Parses `a.b.c.d` or `a.b.c.d/n`.
pub fn parse_ipv4(s: &str) -> Option<Ipv4> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let prefix = match prefix {
        Some(p) => {
            if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse::<u32>().ok().filter(|&n| n <= 32)?
        }
        None => 32,
    };
    let mut value = 0u32;
    let mut parts = 0;
    for part in addr.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet = part.parse::<u8>().ok()?;
        value = (value << 8) | u32::from(octet);
        parts += 1;
    }
    (parts == 4).then_some(Ipv4 { addr: value, prefix })
}

/// `ipv4_range_to_cidr_list(start, end)`: the fewest CIDR blocks that
/// cover the addresses from start to end, in order (the page's example:
/// 12.32.0.0 to 12.34.255.255 is ["12.32.0.0/15", "12.34.0.0/16"]); null
/// where either is not an IPv4 address or start is past end.
pub fn range_to_cidr_list(a: &Args) -> Result<Col> {
    let (starts, ends) = (a.strs(0)?, a.strs(1)?);
    Ok(super::bags::dynamic_rows(a, |r| {
        let (start, end) = (parse_ipv4(starts.get(r).trim())?, parse_ipv4(ends.get(r).trim())?);
        let (mut lo, hi) = (u64::from(start.addr), u64::from(end.addr));
        if lo > hi {
            return None;
        }
        let mut blocks = Vec::new();
        while lo <= hi {
            // The largest block aligned at `lo` that ends within the range.
            let mut size = 1u64 << lo.trailing_zeros().min(32);
            while lo + size - 1 > hi {
                size >>= 1;
            }
            let prefix = 32 - size.trailing_zeros();
            blocks.push(serde_json::Value::String(format!("{}/{prefix}", std::net::Ipv4Addr::from(lo as u32))));
            lo += size;
        }
        Some(serde_json::Value::Array(blocks))
    }))
}

/// The mask of the `prefix` most significant bits.
pub(crate) fn mask(prefix: u32) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - prefix.min(32)) }
}

impl Ipv4 {
    /// The address with its own prefix applied.
    fn network(self) -> u32 {
        self.addr & mask(self.prefix)
    }
}

/// RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16.
fn is_private_addr(ip: Ipv4) -> bool {
    let a = ip.network();
    a & mask(8) == 0x0A00_0000 || a & mask(12) == 0xAC10_0000 || a & mask(16) == 0xC0A8_0000
}

/// `ipv4_is_private(ip)`.
pub fn is_private(a: &Args) -> Result<Col> {
    let ip = a.strs(0)?;
    let out: BooleanArray = (0..a.rows()).map(|i| parse_ipv4(ip.get(i)).map(is_private_addr)).collect();
    Ok(a.finish(Arc::new(out)))
}

/// `ipv4_is_in_range(ip, range)`: the address (with its own prefix, if
/// any, applied) falls in the range's network.
pub fn is_in_range(a: &Args) -> Result<Col> {
    let (ip, range) = (a.strs(0)?, a.strs(1)?);
    let out: BooleanArray = (0..a.rows())
        .map(|i| {
            let (ip, range) = (parse_ipv4(ip.get(i))?, parse_ipv4(range.get(i))?);
            let m = mask(range.prefix);
            Some(ip.network() & m == range.addr & m)
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// `ipv4_is_match(ip1, ip2 [, prefix])`: equal under the smallest of the
/// two addresses' prefixes and the prefix argument (0 to 32, else null).
pub fn is_match(a: &Args) -> Result<Col> {
    let out: BooleanArray = masked_pairs(a)?.into_iter().map(|p| p.map(|(x, y)| x == y)).collect();
    Ok(a.finish(Arc::new(out)))
}

/// Each row's `ip1` and `ip2` (arguments 0 and 1) masked by the smallest of
/// their prefixes and the optional prefix argument (0 to 32, else null), for
/// `ipv4_is_match` and `ipv4_compare`.
fn masked_pairs(a: &Args) -> Result<Vec<Option<(u32, u32)>>> {
    let (x, y) = (a.strs(0)?, a.strs(1)?);
    let prefix = if a.cols.len() > 2 { Some(a.longs(2)?) } else { None };
    Ok((0..a.rows())
        .map(|i| {
            let (x, y) = (parse_ipv4(x.get(i))?, parse_ipv4(y.get(i))?);
            let p = match &prefix {
                Some(p) => u32::try_from(p.get(i)?).ok().filter(|&p| p <= 32)?,
                None => 32,
            };
            let m = mask(x.prefix.min(y.prefix).min(p));
            Some((x.addr & m, y.addr & m))
        })
        .collect())
}

/// Argument `i` as a list of texts per row: a string is one item, a
/// dynamic array its elements (the `*_any_*` functions' two forms).
enum Items {
    One(Vec<String>),
    Many(Strs, bool),
}

impl Items {
    fn of(a: &Args, i: usize) -> Result<Items> {
        let dynamic = a.ty(i) == ScalarType::Dynamic;
        let strs = a.strs(i)?;
        Ok(match strs {
            Strs::One(s) => Items::One(if dynamic { array_items(&s) } else { vec![s] }),
            many => Items::Many(many, dynamic),
        })
    }

    fn get(&self, row: usize) -> Vec<String> {
        match self {
            Items::One(v) => v.clone(),
            Items::Many(s, true) => array_items(s.get(row)),
            Items::Many(s, false) => vec![s.get(row).to_string()],
        }
    }
}

/// The string elements of a JSON array (its text as one item otherwise).
fn array_items(text: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        _ => vec![text.to_string()],
    }
}

/// The items of arguments `from..` for each row (each argument a string or
/// a dynamic array).
fn all_items(a: &Args, from: usize) -> Result<impl Fn(usize) -> Vec<String>> {
    let args: Vec<Items> = (from..a.cols.len()).map(|i| Items::of(a, i)).collect::<Result<_>>()?;
    Ok(move |row: usize| args.iter().flat_map(|x| x.get(row)).collect())
}

/// `ipv4_is_in_any_range(ip, range, …)` / `(ip, dynamic([…]))`: null if
/// the address does not parse; else true if a range contains it, null if
/// no range does but one did not parse, false otherwise.
pub fn is_in_any_range(a: &Args) -> Result<Col> {
    let ip = a.strs(0)?;
    let ranges = all_items(a, 1)?;
    let out: BooleanArray = (0..a.rows())
        .map(|i| {
            let ip = parse_ipv4(ip.get(i))?;
            let mut bad = false;
            for r in ranges(i) {
                match parse_ipv4(&r) {
                    Some(r) if ip.network() & mask(r.prefix) == r.addr & mask(r.prefix) => return Some(true),
                    Some(_) => {}
                    None => bad = true,
                }
            }
            (!bad).then_some(false)
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// `ipv4_compare(ip1, ip2 [, prefix])`: the two addresses under the
/// smallest of their prefixes and the prefix argument, compared as numbers.
pub fn compare(a: &Args) -> Result<Col> {
    let out: Int64Array = masked_pairs(a)?.into_iter().map(|p| p.map(|(x, y)| x.cmp(&y) as i64)).collect();
    Ok(a.finish(Arc::new(out)))
}

/// `ipv4_netmask_suffix(ip)`: the prefix length (32 without one).
pub fn netmask_suffix(a: &Args) -> Result<Col> {
    let ip = a.strs(0)?;
    let out: Int64Array = (0..a.rows()).map(|i| parse_ipv4(ip.get(i)).map(|ip| i64::from(ip.prefix))).collect();
    Ok(a.finish(Arc::new(out)))
}

/// `parse_ipv4(ip)`: the address with its own prefix applied, as a long.
pub fn parse(a: &Args) -> Result<Col> {
    let ip = a.strs(0)?;
    let out: Int64Array = (0..a.rows()).map(|i| parse_ipv4(ip.get(i)).map(|ip| i64::from(ip.network()))).collect();
    Ok(a.finish(Arc::new(out)))
}

/// `parse_ipv4_mask(ip, prefix)`: the address masked to the smaller of its
/// own prefix and `prefix` (0 to 32, else null), as a long.
pub fn parse_mask(a: &Args) -> Result<Col> {
    let ip = a.strs(0)?;
    let prefix = a.longs(1)?;
    let out: Int64Array = (0..a.rows())
        .map(|i| {
            let ip = parse_ipv4(ip.get(i))?;
            let p = u32::try_from(prefix.get(i)?).ok().filter(|&p| p <= 32)?;
            Some(i64::from(ip.addr & mask(ip.prefix.min(p))))
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// `format_ipv4(ip [, prefix])` and `format_ipv4_mask` (`with_mask`): the
/// address (text, or a number in big-endian order) masked to the smaller
/// of its own prefix and `prefix` (0 to 32; else empty), as text, with
/// `/n` for the _mask form. The format-ipv4 page's example:
/// `format_ipv4_mask('192.168.1.1/24', 32)` is `192.168.1.0/24`.
pub fn format(a: &Args, with_mask: bool) -> Result<Col> {
    let numeric = a.ty(0).is_numeric();
    let texts = if numeric { None } else { Some(a.strs(0)?) };
    let numbers = if numeric { Some(a.longs(0)?) } else { None };
    let prefix = if a.cols.len() > 1 { Some(a.longs(1)?) } else { None };
    let out: StringArray = (0..a.rows())
        .map(|i| {
            let text = || -> Option<String> {
                let ip = match (&texts, &numbers) {
                    (Some(t), _) => parse_ipv4(t.get(i))?,
                    (_, Some(n)) => Ipv4 { addr: u32::try_from(n.get(i)?).ok()?, prefix: 32 },
                    _ => return None,
                };
                let p = match &prefix {
                    Some(p) => u32::try_from(p.get(i)?).ok().filter(|&p| p <= 32)?,
                    None => 32,
                };
                let p = ip.prefix.min(p);
                let [o1, o2, o3, o4] = (ip.addr & mask(p)).to_be_bytes();
                Some(if with_mask { format!("{o1}.{o2}.{o3}.{o4}/{p}") } else { format!("{o1}.{o2}.{o3}.{o4}") })
            };
            Some(text().unwrap_or_default())
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// The IPv4 addresses in a text "properly delimited with non-alphanumeric
/// characters" (has-ipv4 page): runs of digits and dots with no letter or
/// digit on either side, a sentence's final dot dropped, that parse as
/// four octets. Each as its four octets.
fn addresses_in(text: &str) -> Vec<[u8; 4]> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if !bytes[i].is_ascii_digit() || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let delimited = i == bytes.len() || !(bytes[i].is_ascii_alphanumeric() || bytes[i] >= 0x80);
        if delimited && start > 0 && bytes[start - 1] >= 0x80 {
            continue;
        }
        if delimited {
            let run = text[start..i].trim_end_matches('.');
            if let Some(ip) = parse_ipv4(run).filter(|_| !run.contains('/')) {
                out.push(ip.addr.to_be_bytes());
            }
        }
    }
    out
}

/// An IPv4 prefix to look for: a whole address, or one to three octets
/// each followed by a dot (`192.`, `192.168.`, `192.168.1.`).
fn parse_prefix(s: &str) -> Option<Vec<u8>> {
    if let Some(ip) = parse_ipv4(s).filter(|_| !s.contains('/')) {
        return Some(ip.addr.to_be_bytes().to_vec());
    }
    let body = s.strip_suffix('.')?;
    let mut octets = Vec::new();
    for part in body.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        octets.push(part.parse::<u8>().ok()?);
    }
    (1..=3).contains(&octets.len()).then_some(octets)
}

/// `has_ipv4`, `has_ipv4_prefix`, `has_any_ipv4`, `has_any_ipv4_prefix`:
/// false when no searched value is a valid address (or prefix).
pub fn has(a: &Args, prefix: bool) -> Result<Col> {
    let source = a.strs(0)?;
    let wanted = all_items(a, 1)?;
    let out: BooleanArray = (0..a.rows())
        .map(|i| {
            let wanted: Vec<Vec<u8>> = wanted(i)
                .iter()
                .filter_map(|w| {
                    if prefix {
                        parse_prefix(w)
                    } else {
                        parse_ipv4(w).filter(|_| !w.contains('/')).map(|ip| ip.addr.to_be_bytes().to_vec())
                    }
                })
                .collect();
            if wanted.is_empty() {
                return Some(false);
            }
            let found = addresses_in(source.get(i));
            Some(found.iter().any(|ip| wanted.iter().any(|w| ip.starts_with(w))))
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// An IPv6 address (or an IPv4 one, mapped) and its prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6 {
    pub addr: u128,
    pub prefix: u32,
}

/// Parses IPv6 text or an IPv4 address, each with an optional `/n`.
pub fn parse_ipv6(s: &str) -> Option<Ipv6> {
    if !s.contains(':') {
        let v4 = parse_ipv4(s)?;
        return Some(Ipv6 { addr: 0xffff_u128 << 32 | u128::from(v4.addr), prefix: 96 + v4.prefix });
    }
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let prefix = match prefix {
        Some(p) => {
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse::<u32>().ok().filter(|&n| n <= 128)?
        }
        None => 128,
    };
    let addr: std::net::Ipv6Addr = addr.parse().ok()?;
    Some(Ipv6 { addr: u128::from(addr), prefix })
}

fn mask6(prefix: u32) -> u128 {
    if prefix == 0 { 0 } else { u128::MAX << (128 - prefix.min(128)) }
}

/// `parse_ipv6(ip)`: eight groups of four hex digits, the prefix applied.
pub fn parse6(a: &Args) -> Result<Col> {
    let ip = a.strs(0)?;
    let out: StringArray = (0..a.rows())
        .map(|i| {
            Some(parse_ipv6(ip.get(i)).map_or_else(String::new, |ip| {
                let v = ip.addr & mask6(ip.prefix);
                (0..8).map(|k| format!("{:04x}", (v >> (112 - 16 * k)) & 0xffff)).collect::<Vec<_>>().join(":")
            }))
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// `ipv6_compare` (`-1/0/1`, `as_bool` false) and `ipv6_is_match`: the
/// addresses under the smallest of their prefixes and the prefix argument
/// (0 to 128, else null).
pub fn compare6(a: &Args, as_bool: bool) -> Result<Col> {
    let (x, y) = (a.strs(0)?, a.strs(1)?);
    let prefix = if a.cols.len() > 2 { Some(a.longs(2)?) } else { None };
    let cmp = |i: usize| -> Option<std::cmp::Ordering> {
        let (x, y) = (parse_ipv6(x.get(i))?, parse_ipv6(y.get(i))?);
        let p = match &prefix {
            Some(p) => u32::try_from(p.get(i)?).ok().filter(|&p| p <= 128)?,
            None => 128,
        };
        let m = mask6(x.prefix.min(y.prefix).min(p));
        Some((x.addr & m).cmp(&(y.addr & m)))
    };
    Ok(if as_bool {
        let out: BooleanArray = (0..a.rows()).map(|i| cmp(i).map(|o| o.is_eq())).collect();
        a.finish(Arc::new(out))
    } else {
        let out: Int64Array = (0..a.rows()).map(|i| cmp(i).map(|o| o as i64)).collect();
        a.finish(Arc::new(out))
    })
}

/// `ipv6_is_in_range(ip, range)` and `ipv6_is_in_any_range(ip, range, …)`
/// (null rules as for [`is_in_any_range`]).
pub fn is_in_range6(a: &Args) -> Result<Col> {
    let ip = a.strs(0)?;
    let ranges = all_items(a, 1)?;
    let out: BooleanArray = (0..a.rows())
        .map(|i| {
            let ip = parse_ipv6(ip.get(i))?;
            let network = ip.addr & mask6(ip.prefix);
            let mut bad = false;
            for r in ranges(i) {
                match parse_ipv6(&r) {
                    Some(r) if network & mask6(r.prefix) == r.addr & mask6(r.prefix) => return Some(true),
                    Some(_) => {}
                    None => bad = true,
                }
            }
            (!bad).then_some(false)
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_text() {
        assert_eq!(addresses_in("05:04:54 127.0.0.1 GET /favicon.ico 404"), vec![[127, 0, 0, 1]]);
        assert_eq!(
            addresses_in("from: 192.168.1.1, 10.1.1.115 and 10.1.1.201."),
            vec![[192, 168, 1, 1], [10, 1, 1, 115], [10, 1, 1, 201]]
        );
        assert!(addresses_in("05:04:54127.0.0.1 GET").is_empty());
        assert!(addresses_in("x127.0.0.1 127.0.0.1x 127.0.0.256 1.2.3.4.5 é1.2.3.4").is_empty());
        assert_eq!(parse_prefix("127.0."), Some(vec![127, 0]));
        assert_eq!(parse_prefix("127.0"), None);
        assert_eq!(parse_prefix("1.2.3.4."), None);
    }

    #[test]
    fn ipv6_parsing() {
        assert_eq!(parse_ipv6("192.168.1.1/24"), Some(Ipv6 { addr: 0xffff_c0a8_0101, prefix: 120 }));
        assert_eq!(parse_ipv6("::ffff:c0a8:0101").map(|i| i.addr), Some(0xffff_c0a8_0101));
        assert_eq!(parse_ipv6("fe80::1/129"), None);
        assert_eq!(parse_ipv6("fe80::1/"), None);
        assert_eq!(parse_ipv6("zz::1"), None);
    }

    #[test]
    fn parsing() {
        assert_eq!(parse_ipv4("192.168.1.1"), Some(Ipv4 { addr: 0xC0A8_0101, prefix: 32 }));
        assert_eq!(parse_ipv4("10.1.2.3/24"), Some(Ipv4 { addr: 0x0A01_0203, prefix: 24 }));
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/33", "1.2.3.4/", "a.b.c.d", "1..2.3", " 1.2.3.4"] {
            assert_eq!(parse_ipv4(bad), None, "{bad}");
        }
        assert_eq!(mask(0), 0);
        assert_eq!(mask(32), u32::MAX);
        assert_eq!(mask(12), 0xFFF0_0000);
    }
}
