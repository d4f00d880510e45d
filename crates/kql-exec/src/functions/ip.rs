//! ipv4_is_private, ipv4_is_in_range, ipv4_is_match.
//!
//! Addresses are dotted quads, optionally with an IP-prefix (`/n`, 0 to 32).
//! Text that does not parse gives null (ipv4-is-*-function.md).

use super::Args;
use crate::columnar::Col;
use crate::error::Result;
use arrow_array::BooleanArray;
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

/// The mask of the `prefix` most significant bits.
fn mask(prefix: u32) -> u32 {
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
    let (x, y) = (a.strs(0)?, a.strs(1)?);
    let prefix = if a.cols.len() > 2 { Some(a.longs(2)?) } else { None };
    let out: BooleanArray = (0..a.rows())
        .map(|i| {
            let (x, y) = (parse_ipv4(x.get(i))?, parse_ipv4(y.get(i))?);
            let p = match &prefix {
                Some(p) => u32::try_from(p.get(i)?).ok().filter(|&p| p <= 32)?,
                None => 32,
            };
            let m = mask(x.prefix.min(y.prefix).min(p));
            Some(x.addr & m == y.addr & m)
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

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
