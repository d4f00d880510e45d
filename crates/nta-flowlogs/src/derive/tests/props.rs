//! The invariant as a property: per (source, destination,
//! destination port), the derived byte and packet sums — for public
//! addresses, those of their entries in the public-IP lists — and the flows
//! begun and ended equal the sums over the tuples; and the result does not
//! depend on how the tuples are cut into batches or in which order they come.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

const PRIVATE: [&str; 5] = ["10.0.1.4", "10.0.2.5", "10.1.1.4", "172.20.0.5", "192.168.7.9"];
const PUBLIC: [&str; 6] = ["52.239.1.1", "52.239.1.2", "52.239.200.1", "203.0.113.7", "198.51.100.9", "203.0.113.50"];
const TIMES: [&str; 6] = [
    "2025-06-01T10:01:00Z",
    "2025-06-01T10:12:00Z",
    "2025-06-01T10:59:59Z",
    "2025-06-01T11:00:00Z",
    "2025-06-01T11:31:00Z",
    "2025-06-01T13:07:00Z",
];

/// (started, ended, packets s→d, packets d→s, bytes s→d, bytes d→s) per (src, dest, port).
type Sums = BTreeMap<(String, String, String), [i64; 6]>;

fn tuple() -> impl Strategy<Value = Tuple> {
    (
        (0..PRIVATE.len(), 0..PUBLIC.len(), 0..PRIVATE.len(), 0..3u8),
        (0..TIMES.len(), prop::sample::select(vec![22, 443, 1433]), prop::sample::select(vec!["B", "C", "E", "D", ""])),
        (any::<bool>(), prop::array::uniform4(0..1000i64), 1024..65535i32),
    )
        .prop_map(|((a, p, b, shape), (time, port, state), (inbound, counters, src_port))| {
            // At least one side private, as at a NIC.
            let (src, dest) = match shape {
                0 => (PRIVATE[a], PRIVATE[b]),
                1 => (PRIVATE[a], PUBLIC[p]),
                _ => (PUBLIC[p], PRIVATE[a]),
            };
            let mut x = t(TIMES[time], src, dest, port).state(state).src_port(src_port);
            if !matches!(state, "B" | "D") {
                x = x.counters(counters);
            }
            if inbound { x.inbound() } else { x }
        })
}

fn tuple_sums(tuples: &[Tuple]) -> Sums {
    let mut out = Sums::new();
    for x in tuples {
        let e = out.entry((x.src.clone(), x.dest.clone(), x.dest_port.to_string())).or_default();
        let (begins, ends) = match x.state {
            "B" | "D" | "" => (1, 0),
            "E" => (0, 1),
            _ => (0, 0),
        };
        let [ps, bs, pd, bd] = x.counters;
        for (slot, v) in e.iter_mut().zip([begins, ends, ps, pd, bs, bd]) {
            *slot += v;
        }
    }
    out
}

fn entries(list: &str) -> Vec<(String, [i64; 6])> {
    list.split(' ')
        .filter(|e| !e.is_empty())
        .map(|e| {
            let f: Vec<&str> = e.split('|').collect();
            assert_eq!(f.len(), 7, "{e}");
            let n = |i: usize| f[i].parse::<i64>().unwrap();
            (f[0].to_string(), [n(1), n(2), n(3), n(4), n(5), n(6)])
        })
        .collect()
}

fn derived_sums(d: &Derived) -> Sums {
    let mut out = Sums::new();
    for r in rows(&d.net_analytics) {
        let n = |c: &str| r[c].parse::<i64>().unwrap();
        let whole = [
            n("AllowedInFlows") + n("AllowedOutFlows") + n("DeniedInFlows") + n("DeniedOutFlows"),
            n("CompletedFlows"),
            n("PacketsSrcToDest"),
            n("PacketsDestToSrc"),
            n("BytesSrcToDest"),
            n("BytesDestToSrc"),
        ];
        let port = r["DestPort"].clone();
        let (src, dest) = (&r["SrcIp"], &r["DestIp"]);
        let parts: Vec<(String, String, [i64; 6])> = match (src.is_empty(), dest.is_empty()) {
            (false, false) => vec![(src.clone(), dest.clone(), whole)],
            (true, false) => entries(&r["SrcPublicIps"]).into_iter().map(|(ip, c)| (ip, dest.clone(), c)).collect(),
            (false, true) => entries(&r["DestPublicIps"]).into_iter().map(|(ip, c)| (src.clone(), ip, c)).collect(),
            (true, true) => panic!("both sides public: {r:?}"),
        };
        // The entries of a list add up to the row's own counters.
        let mut total = [0i64; 6];
        for (_, _, c) in &parts {
            for (t, v) in total.iter_mut().zip(c) {
                *t += v;
            }
        }
        assert_eq!(total, whole, "{r:?}");
        for (s, d, c) in parts {
            let e = out.entry((s, d, port.clone())).or_default();
            for (slot, v) in e.iter_mut().zip(c) {
                *slot += v;
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn sums_match_the_tuples_whatever_the_batches(
        tuples in prop::collection::vec(tuple(), 0..60),
        cuts in prop::collection::vec(0..60usize, 0..5),
        order in any::<prop::sample::Index>(),
        ten in any::<bool>(),
    ) {
        let interval = if ten { Interval::Minutes10 } else { Interval::Minutes60 };
        let enrichment = full();
        let whole = derive(&[batch(&tuples)], &enrichment, interval).unwrap();
        prop_assert_eq!(derived_sums(&whole), tuple_sums(&tuples));
        // Rotate the tuples, then cut them into batches at `cuts`.
        let mut shuffled = tuples.clone();
        if !shuffled.is_empty() {
            let k = order.index(shuffled.len());
            shuffled.rotate_left(k);
            shuffled.reverse();
        }
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(shuffled.len())).collect();
        cuts.sort_unstable();
        let mut batches = Vec::new();
        let mut from = 0;
        for c in cuts.into_iter().chain([shuffled.len()]) {
            batches.push(batch(&shuffled[from..c]));
            from = c;
        }
        let split = derive(&batches, &enrichment, interval).unwrap();
        prop_assert_eq!(rows(&split.net_analytics), rows(&whole.net_analytics));
        prop_assert_eq!(rows(&split.ip_details), rows(&whole.ip_details));
    }
}

#[test]
fn large_batches_are_sliced_across_threads_with_the_same_result() {
    // More rows than one slice: the per-thread maps must merge to the same sums.
    let n = super::super::aggregate::SLICE_ROWS + 1000;
    let tuples: Vec<Tuple> = (0..n)
        .map(|i| {
            let dest = if i % 3 == 0 { PUBLIC[i % PUBLIC.len()] } else { PRIVATE[i % PRIVATE.len()] };
            t(TIMES[i % TIMES.len()], "10.0.1.4", dest, [22, 443][i % 2])
                .state(["B", "C", "E"][i % 3])
                .counters([1, 2, 3, 4])
        })
        .collect();
    let d = derive(&[batch(&tuples)], &full(), Interval::Minutes60).unwrap();
    assert_eq!(d.tuples, n as u64);
    assert_eq!(derived_sums(&d), tuple_sums(&tuples));
}
