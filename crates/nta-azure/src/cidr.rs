//! IPv4 addresses and prefixes (CIDR blocks).
//!
//! Addresses are `u32` in host order (`10.0.0.1` = `0x0A00_0001`); a prefix is
//! a masked network address and a length. [`collapse`] turns any set of
//! prefixes into the smallest set of CIDR blocks covering exactly the same
//! addresses — what an NSG rule's address prefixes are built from.

use std::fmt;

/// Parses a dotted-quad IPv4 address (`10.0.0.1`); no leading `+`, no spaces,
/// each part 0–255 written in decimal.
pub fn parse_ipv4(s: &str) -> Option<u32> {
    let mut out: u32 = 0;
    let mut parts = 0;
    for part in s.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = part.parse().ok()?;
        if v > 255 {
            return None;
        }
        out = (out << 8) | v;
        parts += 1;
    }
    (parts == 4).then_some(out)
}

/// The dotted-quad text of an address.
pub fn format_ipv4(ip: u32) -> String {
    let [a, b, c, d] = ip.to_be_bytes();
    format!("{a}.{b}.{c}.{d}")
}

/// Whether an address is private in traffic analytics' sense: RFC 1918
/// (10/8, 172.16/12, 192.168/16) or shared address space (100.64/10, RFC 6598).
pub fn is_private(ip: u32) -> bool {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]
        .iter()
        .any(|p| Ipv4Net::parse(p).is_some_and(|n| n.contains(ip)))
}

/// Whether an address is a public (internet-routable) address in traffic
/// analytics' sense: not private ([`is_private`]) and not special-purpose —
/// "this network" 0/8, loopback 127/8, link-local 169.254/16 (Azure's
/// instance metadata at 169.254.169.254 included), multicast 224/4 and the
/// reserved 240/4 with the broadcast address (RFC 6890).
pub fn is_public(ip: u32) -> bool {
    !is_private(ip)
        && !["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4"]
            .iter()
            .any(|p| Ipv4Net::parse(p).is_some_and(|n| n.contains(ip)))
}

/// An IPv4 prefix: `addr` is the network address (host bits zero), `len` 0–32.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Ipv4Net {
    /// The network address, host bits zero.
    pub addr: u32,
    /// The prefix length, 0–32.
    pub len: u8,
}

fn mask(len: u8) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) }
}

impl Ipv4Net {
    /// The prefix of `len` bits containing `ip` (host bits cleared); `None` when `len > 32`.
    pub fn new(ip: u32, len: u8) -> Option<Ipv4Net> {
        (len <= 32).then(|| Ipv4Net { addr: ip & mask(len), len })
    }

    /// The single address `ip` as a `/32`.
    pub fn host(ip: u32) -> Ipv4Net {
        Ipv4Net { addr: ip, len: 32 }
    }

    /// Parses `10.0.0.0/24`, or a bare address as a `/32`. Host bits set in the
    /// address (`10.0.0.1/24`) are accepted and cleared, as Azure does.
    pub fn parse(s: &str) -> Option<Ipv4Net> {
        let s = s.trim();
        match s.split_once('/') {
            None => parse_ipv4(s).map(Ipv4Net::host),
            Some((ip, len)) => {
                if len.is_empty() || len.len() > 2 || !len.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Ipv4Net::new(parse_ipv4(ip)?, len.parse().ok()?)
            }
        }
    }

    /// The first address of the block.
    pub fn first(&self) -> u32 {
        self.addr
    }

    /// The last address of the block.
    pub fn last(&self) -> u32 {
        self.addr | !mask(self.len)
    }

    /// Number of addresses in the block.
    pub fn size(&self) -> u64 {
        1u64 << (32 - u32::from(self.len))
    }

    /// Whether `ip` lies in the block.
    pub fn contains(&self, ip: u32) -> bool {
        ip & mask(self.len) == self.addr
    }

    /// Whether `other` lies wholly in the block.
    pub fn contains_net(&self, other: &Ipv4Net) -> bool {
        other.len >= self.len && self.contains(other.addr)
    }
}

impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", format_ipv4(self.addr), self.len)
    }
}

/// Values keyed by IPv4 prefix, found by address: every prefix containing
/// an address, longest first, in a hash probe per distinct prefix length
/// (not a scan of all prefixes: service-tag files and threat lists hold
/// tens of thousands).
#[derive(Debug, Clone)]
pub struct PrefixMap<V> {
    by_prefix: std::collections::HashMap<(u8, u32), Vec<V>>,
    /// The distinct prefix lengths, longest first.
    lengths: Vec<u8>,
}

impl<V> Default for PrefixMap<V> {
    fn default() -> Self {
        PrefixMap { by_prefix: std::collections::HashMap::new(), lengths: Vec::new() }
    }
}

impl<V> PrefixMap<V> {
    /// Adds `value` under `net` (after earlier values of the same prefix).
    pub fn insert(&mut self, net: Ipv4Net, value: V) {
        self.by_prefix.entry((net.len, net.addr)).or_default().push(value);
        if let Err(i) = self.lengths.binary_search_by(|l| net.len.cmp(l)) {
            self.lengths.insert(i, net.len);
        }
    }

    /// The values of every prefix containing `ip` with the prefix length,
    /// longest prefix first, in insertion order within a prefix.
    pub fn matches(&self, ip: u32) -> impl Iterator<Item = (u8, &V)> + '_ {
        self.lengths.iter().flat_map(move |&len| {
            let key = (len, ip & mask(len));
            self.by_prefix.get(&key).into_iter().flatten().map(move |v| (len, v))
        })
    }

    /// Whether no prefix was added.
    pub fn is_empty(&self) -> bool {
        self.by_prefix.is_empty()
    }
}

/// The fewest CIDR blocks covering exactly the addresses `first..=last`.
pub fn range_to_cidrs(first: u32, last: u32) -> Vec<Ipv4Net> {
    let mut out = Vec::new();
    if first > last {
        return out;
    }
    let (mut lo, hi) = (u64::from(first), u64::from(last));
    while lo <= hi {
        // The largest block aligned at `lo` that does not pass `hi`.
        let mut len: u8 = if lo == 0 { 0 } else { 32 - lo.trailing_zeros().min(32) as u8 };
        while lo + (1u64 << (32 - u32::from(len))) - 1 > hi {
            len += 1;
        }
        out.push(Ipv4Net { addr: lo as u32, len });
        lo += 1u64 << (32 - u32::from(len));
    }
    out
}

/// The fewest CIDR blocks covering exactly the union of `nets` (sorted).
pub fn collapse(nets: impl IntoIterator<Item = Ipv4Net>) -> Vec<Ipv4Net> {
    let mut ranges: Vec<(u64, u64)> = nets.into_iter().map(|n| (u64::from(n.first()), u64::from(n.last()))).collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (lo, hi) in ranges {
        match merged.last_mut() {
            Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged.into_iter().flat_map(|(lo, hi)| range_to_cidrs(lo as u32, hi as u32)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        Ipv4Net::parse(s).unwrap()
    }

    fn texts(nets: &[Ipv4Net]) -> Vec<String> {
        nets.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(parse_ipv4("10.0.0.1"), Some(0x0A00_0001));
        for bad in ["10.0.0", "10.0.0.256", "10..0.1", "a.b.c.d", "10.0.0.1 ", "1.2.3.4.5", "+1.2.3.4"] {
            assert_eq!(parse_ipv4(bad), None, "{bad}");
        }
        assert_eq!(net("10.1.2.3/16").to_string(), "10.1.0.0/16");
        assert_eq!(net("10.1.2.3").to_string(), "10.1.2.3/32");
        assert_eq!(net("0.0.0.0/0").last(), u32::MAX);
        assert!(Ipv4Net::parse("10.0.0.0/33").is_none());
        assert!(Ipv4Net::parse("10.0.0.0/").is_none());
        assert_eq!(net("10.0.0.0/24").size(), 256);
    }

    #[test]
    fn containment() {
        let n = net("172.16.0.0/12");
        assert!(n.contains(parse_ipv4("172.31.255.255").unwrap()));
        assert!(!n.contains(parse_ipv4("172.32.0.0").unwrap()));
        assert!(n.contains_net(&net("172.20.1.0/24")));
        assert!(!net("172.20.1.0/24").contains_net(&n));
        assert!(is_private(parse_ipv4("192.168.1.1").unwrap()));
        assert!(is_private(parse_ipv4("100.64.0.1").unwrap()));
        assert!(!is_private(parse_ipv4("8.8.8.8").unwrap()));
        for (ip, public) in [
            ("8.8.8.8", true),
            ("168.63.129.16", true),
            ("10.1.2.3", false),
            ("100.64.0.1", false),
            ("127.0.0.1", false),
            ("169.254.169.254", false),
            ("224.0.0.251", false),
            ("255.255.255.255", false),
            ("0.1.2.3", false),
            ("223.255.255.255", true),
        ] {
            assert_eq!(is_public(parse_ipv4(ip).unwrap()), public, "{ip}");
        }
    }

    #[test]
    fn ranges_split_into_aligned_blocks() {
        // 10.0.0.1–10.0.0.6 by hand: .1/32, .2/31, .4/31, .6/32.
        let r = range_to_cidrs(parse_ipv4("10.0.0.1").unwrap(), parse_ipv4("10.0.0.6").unwrap());
        assert_eq!(texts(&r), ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]);
        assert_eq!(texts(&range_to_cidrs(0, u32::MAX)), ["0.0.0.0/0"]);
        assert_eq!(texts(&range_to_cidrs(u32::MAX, u32::MAX)), ["255.255.255.255/32"]);
    }

    #[test]
    fn collapse_merges_adjacent_and_nested() {
        let c = collapse([net("10.0.1.0/24"), net("10.0.0.0/24"), net("10.0.0.128/25"), net("10.0.3.0/24")]);
        assert_eq!(texts(&c), ["10.0.0.0/23", "10.0.3.0/24"]);
        let c = collapse((0..4).map(|i| Ipv4Net::host(0x0A00_0000 + i)));
        assert_eq!(texts(&c), ["10.0.0.0/30"]);
        assert!(collapse([]).is_empty());
    }

    #[test]
    fn prefix_map_finds_what_a_scan_finds() {
        // Pseudo-random prefixes of lengths 8–32 around 10.0.0.0; every
        // address's matches equal a scan over all prefixes, longest first.
        let mut x: u32 = 99;
        let mut nets = Vec::new();
        let mut map = PrefixMap::default();
        for i in 0..300 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let net = Ipv4Net::new(0x0A00_0000 | (x >> 20), 8 + (x % 25) as u8).unwrap();
            nets.push((net, i));
            map.insert(net, i);
        }
        for k in 0..3000u32 {
            let ip = 0x0A00_0000 | k.wrapping_mul(2_654_435_761) >> 18;
            let mut scan: Vec<(u8, i32)> =
                nets.iter().filter(|(n, _)| n.contains(ip)).map(|(n, i)| (n.len, *i)).collect();
            scan.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let found: Vec<(u8, i32)> = map.matches(ip).map(|(l, v)| (l, *v)).collect();
            assert_eq!(found, scan, "{}", format_ipv4(ip));
        }
        assert!(PrefixMap::<u8>::default().matches(1).next().is_none());
    }

    #[test]
    fn collapse_covers_exactly_the_union() {
        // Invariant on a pseudo-random set of small blocks: every address is
        // covered by the output iff it was covered by the input.
        let mut x: u32 = 12345;
        let mut nets = Vec::new();
        for _ in 0..40 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            nets.push(Ipv4Net::new(0x0A00_0000 | (x >> 24), 28 + (x % 5) as u8).unwrap());
        }
        let out = collapse(nets.clone());
        for ip in 0x0A00_0000u32..0x0A00_0200 {
            assert_eq!(nets.iter().any(|n| n.contains(ip)), out.iter().any(|n| n.contains(ip)), "{}", format_ipv4(ip));
        }
        for w in out.windows(2) {
            assert!(w[0].last() < w[1].first(), "sorted and disjoint");
        }
    }
}
