//! Running mean and variance by Welford's method: the one rule behind
//! `stdev`/`variance` (and their `if` and population forms) and `series_stats`.
//! The series-stats-dynamic page's example (variance
//! 812.45714285714291, stdev 28.503633853548269) is what this order of
//! operations gives, to the last bit; the textbook two-pass formula is one
//! unit in the last place off.

/// The moments of the values pushed so far.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Moments {
    count: i64,
    mean: f64,
    m2: f64,
}

impl Moments {
    pub(crate) fn push(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// The sample variance (n − 1 in the denominator); 0 for fewer than
    /// two values, as Kusto's `variance` gives.
    pub(crate) fn variance(&self) -> f64 {
        if self.count < 2 { 0.0 } else { self.m2 / (self.count - 1) as f64 }
    }

    /// The population variance (n in the denominator); 0 for no values.
    pub(crate) fn population_variance(&self) -> f64 {
        if self.count < 1 { 0.0 } else { self.m2 / self.count as f64 }
    }
}
