//! `--max-edges N`: which edges the graph view draws when a graph has more
//! than N (DOT and Mermaid always list every pair).
//!
//! Edges are ranked, and the first N kept:
//! 1. with `--weight`, the heaviest first;
//! 2. then those touching a hub first: the higher degree of the two
//!    endpoints, then the lower one;
//! 3. then in order of first appearance.
//!
//! Degrees count every distinct pair of the result (drawn or not) that
//! touches the node; a pair `a → a` counts once.

/// The degree of each of `n` nodes over `edges` (source, target).
pub fn degrees(n: usize, edges: impl IntoIterator<Item = (usize, usize)>) -> Vec<usize> {
    let mut degree = vec![0; n];
    for (s, d) in edges {
        degree[s] += 1;
        if d != s {
            degree[d] += 1;
        }
    }
    degree
}

/// The indexes of the edges kept (in their original order): all of them
/// when `max` is 0 or not less than their number.
pub fn cap(edges: &[(usize, usize, f64)], degree: &[usize], weighted: bool, max: usize) -> Vec<usize> {
    if max == 0 || edges.len() <= max {
        return (0..edges.len()).collect();
    }
    let mut order: Vec<usize> = (0..edges.len()).collect();
    let key = |i: usize| {
        let (s, d, _) = edges[i];
        (degree[s].max(degree[d]), degree[s].min(degree[d]))
    };
    order.sort_by(|&a, &b| {
        let by_weight = if weighted { edges[b].2.total_cmp(&edges[a].2) } else { std::cmp::Ordering::Equal };
        by_weight.then_with(|| key(b).cmp(&key(a))).then(a.cmp(&b))
    });
    let mut kept: Vec<usize> = order.into_iter().take(max).collect();
    kept.sort_unstable();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    // a=0 b=1 c=2 d=3 e=4 f=5
    // a→b, a→c, a→d, b→c, e→f: degrees a 3, b 2, c 2, d 1, e 1, f 1.
    const EDGES: [(usize, usize, f64); 5] = [(0, 1, 1.0), (0, 2, 5.0), (0, 3, 9.0), (1, 2, 2.0), (4, 5, 7.0)];

    fn degree() -> Vec<usize> {
        degrees(6, EDGES.iter().map(|e| (e.0, e.1)))
    }

    #[test]
    fn degrees_by_hand() {
        assert_eq!(degree(), vec![3, 2, 2, 1, 1, 1]);
        // a self-loop counts once; a→b and b→a are two pairs.
        assert_eq!(degrees(2, [(0, 0), (0, 1), (1, 0)]), vec![3, 2]);
    }

    #[test]
    fn unweighted_keeps_the_hub_edges() {
        // keys (higher, lower degree): a→b (3,2), a→c (3,2), a→d (3,1), b→c (2,2), e→f (1,1)
        assert_eq!(cap(&EDGES, &degree(), false, 2), vec![0, 1]);
        assert_eq!(cap(&EDGES, &degree(), false, 3), vec![0, 1, 2]);
        assert_eq!(cap(&EDGES, &degree(), false, 4), vec![0, 1, 2, 3]);
    }

    #[test]
    fn weighted_keeps_the_heaviest() {
        // weights 1, 5, 9, 2, 7: the heaviest two are a→d (9) and e→f (7).
        assert_eq!(cap(&EDGES, &degree(), true, 2), vec![2, 4]);
        assert_eq!(cap(&EDGES, &degree(), true, 3), vec![1, 2, 4]);
        // equal weights fall back to the hub rule
        let equal: Vec<_> = EDGES.iter().map(|&(s, d, _)| (s, d, 1.0)).collect();
        assert_eq!(cap(&equal, &degree(), true, 2), vec![0, 1]);
    }

    #[test]
    fn no_cap_when_it_fits_or_is_zero() {
        assert_eq!(cap(&EDGES, &degree(), false, 5), vec![0, 1, 2, 3, 4]);
        assert_eq!(cap(&EDGES, &degree(), false, 0), vec![0, 1, 2, 3, 4]);
        assert!(cap(&[], &[], false, 3).is_empty());
    }
}
