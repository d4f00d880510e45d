//! Where the graph view puts its nodes: computed here, in Rust, with no
//! randomness, so the same graph is always drawn the same way. Positions
//! are in the unit square (0..=1 both ways).
//!
//! * **force-directed** (Fruchterman–Reingold, a fixed number of rounds
//!   with a cooling step and a pull to the centre) when the graph is small:
//!   at most [`FORCE_MAX_NODES`] nodes and [`FORCE_MAX_EDGES`] edges. Nodes
//!   start on a golden-angle spiral in order of first appearance.
//! * **hub-centred** when larger and it has hubs — up to [`MAX_HUBS`] nodes
//!   whose degree is at least 3 and at least twice the mean: the hubs sit on
//!   an inner circle (one hub: the centre), every other node in its hub's
//!   sector of the outer rings (the hub neighbour of highest degree; nodes
//!   next to no hub share a last sector), so that each hub's neighbourhood
//!   is one wedge. Half the turn is split equally between the sectors, half
//!   by their sizes, so hubs never pile up in one place.
//! * **circular** when larger and without hubs: every node on rings, in
//!   order of degree (highest first).
//!
//! All run in O(nodes + edges) except the force layout (O(nodes²) a
//! round, hence its limits).

use std::f64::consts::TAU;

pub const FORCE_MAX_NODES: usize = 250;
pub const FORCE_MAX_EDGES: usize = 2500;
pub const MAX_HUBS: usize = 12;
const ROUNDS: usize = 300;

/// The layout chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Force,
    HubCentred,
    Circular,
}

impl Method {
    pub const fn name(self) -> &'static str {
        match self {
            Method::Force => "force-directed",
            Method::HubCentred => "hub-centred",
            Method::Circular => "circular",
        }
    }
}

/// Positions of `n` nodes joined by `edges`, whose degrees are `degree`.
pub fn layout(n: usize, edges: &[(usize, usize)], degree: &[usize]) -> (Method, Vec<(f64, f64)>) {
    if n <= FORCE_MAX_NODES && edges.len() <= FORCE_MAX_EDGES {
        return (Method::Force, force(n, edges));
    }
    let hubs = hubs(degree);
    if hubs.is_empty() {
        (Method::Circular, circular(degree))
    } else {
        (Method::HubCentred, hub_centred(n, edges, degree, &hubs))
    }
}

/// Up to [`MAX_HUBS`] nodes of degree ≥ 3 and ≥ twice the mean, highest
/// degree first (ties: first appearance).
pub fn hubs(degree: &[usize]) -> Vec<usize> {
    if degree.is_empty() {
        return Vec::new();
    }
    let mean = degree.iter().sum::<usize>() as f64 / degree.len() as f64;
    let mut order: Vec<usize> = (0..degree.len()).collect();
    order.sort_by(|&a, &b| degree[b].cmp(&degree[a]).then(a.cmp(&b)));
    order.into_iter().take_while(|&i| degree[i] >= 3 && degree[i] as f64 >= 2.0 * mean).take(MAX_HUBS).collect()
}

/// Fits positions into the unit square with a margin, keeping proportions.
fn normalise(points: &mut [(f64, f64)]) {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &(x, y) in points.iter() {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    let span = (x1 - x0).max(y1 - y0);
    if !span.is_finite() || span <= 0.0 {
        points.iter_mut().for_each(|p| *p = (0.5, 0.5));
        return;
    }
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    for p in points.iter_mut() {
        *p = (0.5 + (p.0 - cx) / span * 0.94, 0.5 + (p.1 - cy) / span * 0.94);
    }
}

fn force(n: usize, edges: &[(usize, usize)]) -> Vec<(f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let golden = TAU * (1.0 - 1.0 / 1.618_033_988_749_895);
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let r = ((i as f64 + 0.5) / n as f64).sqrt() * 0.5;
            let a = i as f64 * golden;
            (r * a.cos(), r * a.sin())
        })
        .collect();
    let k = (1.0 / n as f64).sqrt() * 0.6;
    let mut disp = vec![(0.0, 0.0); n];
    for round in 0..ROUNDS {
        let t = 0.08 * (1.0 - round as f64 / ROUNDS as f64) + 0.002;
        disp.iter_mut().for_each(|d| *d = (0.0, 0.0));
        for i in 0..n {
            for j in (i + 1)..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d2 = (dx * dx + dy * dy).max(1e-9);
                let f = k * k / d2;
                disp[i].0 += dx * f;
                disp[i].1 += dy * f;
                disp[j].0 -= dx * f;
                disp[j].1 -= dy * f;
            }
        }
        for &(a, b) in edges {
            if a == b {
                continue;
            }
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(1e-9);
            let f = d / k;
            disp[a].0 -= dx * f;
            disp[a].1 -= dy * f;
            disp[b].0 += dx * f;
            disp[b].1 += dy * f;
        }
        for (p, d) in pos.iter_mut().zip(&disp) {
            // A pull to the centre keeps separate components in view.
            let (gx, gy) = (d.0 - p.0 * 2.0 * k, d.1 - p.1 * 2.0 * k);
            let len = (gx * gx + gy * gy).sqrt();
            if len > 0.0 {
                let step = len.min(t);
                p.0 += gx / len * step;
                p.1 += gy / len * step;
            }
        }
    }
    normalise(&mut pos);
    pos
}

/// Nodes on rings around the centre, `order[0]` first, clockwise from the
/// top; a ring holds as many as fit at a spacing of about 1/120 of a turn
/// of the outer ring.
fn rings(order: &[usize], n: usize, inner: f64, outer: f64, from: f64, sweep: f64, pos: &mut [(f64, f64)]) {
    let count = order.len();
    if count == 0 {
        return;
    }
    let per_ring = ((sweep / TAU) * 360.0).max(1.0) as usize;
    let ring_count = count.div_ceil(per_ring).clamp(1, 8);
    for (j, &node) in order.iter().enumerate() {
        let ring = j % ring_count;
        let r = if ring_count == 1 { outer } else { inner + (outer - inner) * ring as f64 / (ring_count - 1) as f64 };
        let a = from + sweep * (j as f64 + 0.5) / count as f64;
        if node < n {
            pos[node] = (0.5 + r * a.sin(), 0.5 - r * a.cos());
        }
    }
}

fn circular(degree: &[usize]) -> Vec<(f64, f64)> {
    let n = degree.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| degree[b].cmp(&degree[a]).then(a.cmp(&b)));
    let mut pos = vec![(0.5, 0.5); n];
    rings(&order, n, 0.3, 0.47, 0.0, TAU, &mut pos);
    pos
}

fn hub_centred(n: usize, edges: &[(usize, usize)], degree: &[usize], hubs: &[usize]) -> Vec<(f64, f64)> {
    let rank: std::collections::HashMap<usize, usize> = hubs.iter().enumerate().map(|(r, &h)| (h, r)).collect();
    // Each node's hub: its hub neighbour of highest degree (lowest rank).
    let mut group: Vec<Option<usize>> = vec![None; n];
    for &(a, b) in edges {
        for (node, other) in [(a, b), (b, a)] {
            if rank.contains_key(&node) {
                continue;
            }
            if let Some(&r) = rank.get(&other)
                && group[node].is_none_or(|g| r < g)
            {
                group[node] = Some(r);
            }
        }
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); hubs.len() + 1];
    for node in 0..n {
        if rank.contains_key(&node) {
            continue;
        }
        members[group[node].unwrap_or(hubs.len())].push(node);
    }
    for m in &mut members {
        m.sort_by(|&a, &b| degree[b].cmp(&degree[a]).then(a.cmp(&b)));
    }
    let total: usize = members.iter().map(|m| m.len().max(1)).sum();
    let groups = members.len() as f64;
    let mut pos = vec![(0.5, 0.5); n];
    let mut from = 0.0;
    for (g, m) in members.iter().enumerate() {
        // Half the turn is shared equally between the sectors and half by
        // their sizes: a hub whose neighbours are few next to the nodes
        // that touch no hub still gets a wedge of its own, so the hubs
        // spread around the inner circle rather than pile up.
        let sweep = TAU * (0.5 / groups + 0.5 * m.len().max(1) as f64 / total as f64);
        rings(m, n, 0.32, 0.47, from, sweep, &mut pos);
        if g < hubs.len() {
            let a = from + sweep / 2.0;
            let r = if hubs.len() == 1 { 0.0 } else { 0.16 };
            pos[hubs[g]] = (0.5 + r * a.sin(), 0.5 - r * a.cos());
        }
        from += sweep;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn star(leaves: usize) -> (usize, Vec<(usize, usize)>, Vec<usize>) {
        let edges: Vec<(usize, usize)> = (1..=leaves).map(|i| (0, i)).collect();
        let mut degree = vec![1; leaves + 1];
        degree[0] = leaves;
        (leaves + 1, edges, degree)
    }

    #[test]
    fn the_same_graph_gets_the_same_positions() {
        let (n, edges, degree) = star(30);
        let a = layout(n, &edges, &degree);
        let b = layout(n, &edges, &degree);
        assert_eq!(a.0, Method::Force);
        assert_eq!(a, b);
        let (n, edges, degree) = star(3000);
        let a = layout(n, &edges, &degree);
        assert_eq!(a.0, Method::HubCentred);
        assert_eq!(a, layout(n, &edges, &degree));
    }

    #[test]
    fn positions_stay_in_the_unit_square() {
        for leaves in [0, 1, 5, 30, 400] {
            let (n, edges, degree) = star(leaves);
            let (_, pos) = layout(n, &edges, &degree);
            assert_eq!(pos.len(), n);
            assert!(pos.iter().all(|&(x, y)| (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)), "{leaves}");
        }
    }

    #[test]
    fn a_force_layout_puts_a_star_hub_in_the_middle() {
        // The hub is pulled by every leaf equally: it ends nearest the
        // centre of the leaves, and each leaf is closer to it than the
        // leaves are to each other on average.
        let (n, edges, degree) = star(12);
        let (_, pos) = layout(n, &edges, &degree);
        let (cx, cy) =
            (pos[1..].iter().map(|p| p.0).sum::<f64>() / 12.0, pos[1..].iter().map(|p| p.1).sum::<f64>() / 12.0);
        let hub = ((pos[0].0 - cx).powi(2) + (pos[0].1 - cy).powi(2)).sqrt();
        assert!(hub < 0.05, "hub {hub} from the leaves' centre");
    }

    #[test]
    fn hubs_are_the_nodes_of_high_degree() {
        // degrees 5, 1, 1, 1, 1, 1, 3, 3: mean 2, so ≥ 4 → only node 0;
        // node 6 and 7 (3 < 4) are not hubs.
        assert_eq!(hubs(&[5, 1, 1, 1, 1, 1, 3, 3]), vec![0]);
        // all equal: no hub.
        assert!(hubs(&[4, 4, 4, 4]).is_empty());
        // degree 2 is never a hub.
        assert!(hubs(&[2, 0, 0, 0, 0, 0]).is_empty());
    }

    #[test]
    fn a_large_star_has_its_hub_at_the_centre_and_leaves_on_the_rings() {
        let (n, edges, degree) = star(1000);
        let (method, pos) = layout(n, &edges, &degree);
        assert_eq!(method, Method::HubCentred);
        assert_eq!(pos[0], (0.5, 0.5));
        for p in &pos[1..] {
            let r = ((p.0 - 0.5).powi(2) + (p.1 - 0.5).powi(2)).sqrt();
            assert!((0.31..=0.48).contains(&r), "{r}");
        }
    }

    #[test]
    fn hubs_stay_apart_when_most_nodes_touch_no_hub() {
        // 12 hubs of 30 leaves each, and 5,000 pairs of nodes that touch no
        // hub: by size alone the hubs' wedges would be 30/5,372 of a turn
        // each and the hubs would overlap (0.005 apart on the inner circle).
        // With half the turn shared equally between the 13 sectors, two
        // hubs' wedges are at least π/13 apart: 2·0.16·sin(π/26) ≈ 0.0386.
        let hubs = 12;
        let mut edges = Vec::new();
        let mut n = hubs;
        for h in 0..hubs {
            for _ in 0..30 {
                edges.push((h, n));
                n += 1;
            }
        }
        for _ in 0..5000 {
            edges.push((n, n + 1));
            n += 2;
        }
        let mut degree = vec![0; n];
        for &(a, b) in &edges {
            degree[a] += 1;
            degree[b] += 1;
        }
        let (method, pos) = layout(n, &edges, &degree);
        assert_eq!(method, Method::HubCentred);
        for a in 0..hubs {
            for b in a + 1..hubs {
                let d = ((pos[a].0 - pos[b].0).powi(2) + (pos[a].1 - pos[b].1).powi(2)).sqrt();
                assert!(d > 0.038, "hubs {a} and {b} are {d} apart");
            }
        }
    }

    #[test]
    fn a_large_graph_without_hubs_is_circular() {
        // a ring of 600 nodes: every degree is 2.
        let n = 600;
        let edges: Vec<(usize, usize)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
        let (method, pos) = layout(n, &edges, &vec![2; n]);
        assert_eq!(method, Method::Circular);
        // 600 nodes at 360 a ring: 2 rings (r 0.3 and 0.47), alternating.
        // Node 0 first: inner ring, half a step (π/600) clockwise of the top.
        let a = std::f64::consts::PI / 600.0;
        assert!((pos[0].0 - (0.5 + 0.3 * a.sin())).abs() < 1e-12, "{:?}", pos[0]);
        assert!((pos[0].1 - (0.5 - 0.3 * a.cos())).abs() < 1e-12, "{:?}", pos[0]);
        let a = 3.0 * std::f64::consts::PI / 600.0;
        assert!((pos[1].0 - (0.5 + 0.47 * a.sin())).abs() < 1e-12, "{:?}", pos[1]);
    }
}
