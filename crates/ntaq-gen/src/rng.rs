//! A tiny deterministic PRNG (SplitMix64) and seed mixing.
//!
//! SplitMix64 (Steele, Lea, Flood 2014; the seeding generator of the
//! xoshiro family) passes BigCrush, needs one `u64` of state and a handful of
//! multiplications per draw, and can be started from any seed. Every row gets
//! its own stream, seeded with [`mix`]`(seed, row index)`, so rows can be
//! generated in any order and on any thread with identical results.

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function: a bijective avalanche of `z`.
#[inline]
pub const fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Derives an independent seed from a seed and a stream number (a row
/// index, a batch index, a table domain …).
#[inline]
pub const fn mix(seed: u64, stream: u64) -> u64 {
    finalize(finalize(seed ^ 0x6A09_E667_F3BC_C909).wrapping_add(stream.wrapping_mul(GOLDEN)))
}

/// SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub const fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        finalize(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift; the bias (< n / 2^64)
    /// is irrelevant here.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform index into a slice of length `n`.
    #[inline]
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `per_mille / 1000`.
    #[inline]
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    #[inline]
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// Picks from `(item, weight)` pairs with probability proportional to
    /// the weight (weights need not sum to anything in particular).
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|&(_, w)| u64::from(w)).sum();
        let mut x = self.below(total);
        for &(item, w) in items {
            let w = u64::from(w);
            if x < w {
                return item;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }

    /// An index in `0..n` skewed towards small values (density ∝ 1/√x):
    /// a few public IPs are seen often, most rarely.
    #[inline]
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * n as f64) as usize).min(n - 1)
    }

    /// Roughly log-uniform in `1..=max`: heavy-tailed counters (packets,
    /// bytes) for one draw and a few operations.
    #[inline]
    pub fn heavy(&mut self, max_bits: u32) -> u64 {
        let bits = self.below(u64::from(max_bits)) as u32 + 1;
        let v = self.next_u64() >> (64 - bits);
        v.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // First outputs of SplitMix64 seeded with 0 (reference C code by
        // Sebastiano Vigna, prng.di.unimi.it/splitmix64.c).
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn bounded_draws_stay_in_range() {
        let mut r = Rng::new(7);
        for _ in 0..10_000 {
            assert!(r.below(10) < 10);
            let x = r.range(5, 9);
            assert!((5..=9).contains(&x));
            assert!(r.unit() < 1.0);
            assert!(r.skewed(3) < 3);
            let h = r.heavy(20);
            assert!((1..1 << 20).contains(&h));
        }
    }

    #[test]
    fn streams_differ() {
        assert_ne!(mix(1, 0), mix(1, 1));
        assert_ne!(mix(1, 0), mix(2, 0));
    }
}
