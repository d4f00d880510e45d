//! A row's public addresses with their counters, in address order.
//!
//! Most groups see one or a few public addresses; a `BTreeMap`'s first
//! node alone is about 600 bytes, more than the rest of the group. So the
//! entries are a sorted vector while there are few and a B-tree once there
//! are many (inserting into a long sorted vector would shift it each time).

use super::aggregate::PubEntry;
use std::collections::BTreeMap;

/// Entries kept in a sorted vector up to this many.
const FEW: usize = 16;

/// Public addresses (IPv4 as `u32`) → counters, iterated in address order.
#[derive(Debug, Clone)]
pub enum PublicIps {
    /// Sorted by address, at most [`FEW`] entries.
    Few(Vec<(u32, PubEntry)>),
    /// More than [`FEW`] entries.
    Many(BTreeMap<u32, PubEntry>),
}

impl Default for PublicIps {
    fn default() -> Self {
        PublicIps::Few(Vec::new())
    }
}

impl PartialEq for PublicIps {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for PublicIps {}

impl PublicIps {
    /// The counters of `ip`, zero when it is new.
    pub fn entry(&mut self, ip: u32) -> &mut PubEntry {
        if let PublicIps::Few(v) = self
            && v.len() >= FEW
            && v.binary_search_by_key(&ip, |e| e.0).is_err()
        {
            *self = PublicIps::Many(std::mem::take(v).into_iter().collect());
        }
        match self {
            PublicIps::Few(v) => {
                let at = match v.binary_search_by_key(&ip, |e| e.0) {
                    Ok(at) => at,
                    Err(at) => {
                        v.insert(at, (ip, PubEntry::default()));
                        at
                    }
                };
                &mut v[at].1
            }
            PublicIps::Many(m) => m.entry(ip).or_default(),
        }
    }

    /// Every address and its counters, in address order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (u32, &PubEntry)> + '_> {
        match self {
            PublicIps::Few(v) => Box::new(v.iter().map(|(ip, e)| (*ip, e))),
            PublicIps::Many(m) => Box::new(m.iter().map(|(ip, e)| (*ip, e))),
        }
    }

    /// Every address, in order.
    pub fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.iter().map(|(ip, _)| ip)
    }

    /// Number of addresses.
    pub fn len(&self) -> usize {
        match self {
            PublicIps::Few(v) => v.len(),
            PublicIps::Many(m) => m.len(),
        }
    }

    /// Whether there is no address.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `other`'s counters to these.
    pub fn merge(&mut self, other: PublicIps) {
        for (ip, e) in other.iter() {
            self.entry(ip).add(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(n: i64) -> PubEntry {
        PubEntry { started: n, ended: 0, out_packets: n, in_packets: 0, out_bytes: 10 * n, in_bytes: 0 }
    }

    #[test]
    fn entries_sum_and_iterate_in_address_order_small_or_large() {
        for count in [1u32, 5, FEW as u32, FEW as u32 + 1, 200] {
            let mut ips = PublicIps::default();
            let mut model: BTreeMap<u32, PubEntry> = BTreeMap::new();
            // Addresses in a scrambled order, each seen (ip % 3) + 1 times.
            for round in 0..3u32 {
                for k in 0..count {
                    let ip = (k * 7919) % 1009 + 1;
                    if round <= ip % 3 {
                        ips.entry(ip).add(&e(1));
                        model.entry(ip).or_default().add(&e(1));
                    }
                }
            }
            let got: Vec<(u32, PubEntry)> = ips.iter().map(|(ip, x)| (ip, *x)).collect();
            let want: Vec<(u32, PubEntry)> = model.into_iter().collect();
            assert_eq!(got, want, "{count} addresses");
            assert_eq!(matches!(ips, PublicIps::Many(_)), count as usize > FEW, "{count} addresses");
        }
    }

    #[test]
    fn merging_adds_counters_and_equality_ignores_the_representation() {
        let mut a = PublicIps::default();
        let mut b = PublicIps::Many(BTreeMap::new());
        for ip in [30, 10, 20] {
            a.entry(ip).add(&e(1));
            b.entry(ip).add(&e(1));
        }
        assert_eq!(a, b);
        a.merge(b);
        assert_eq!(a.iter().map(|(ip, x)| (ip, x.started)).collect::<Vec<_>>(), vec![(10, 2), (20, 2), (30, 2)]);
        assert_eq!((a.len(), a.is_empty(), PublicIps::default().is_empty()), (3, false, true));
    }
}
