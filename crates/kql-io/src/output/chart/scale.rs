//! Axis scales and ticks: "nice" steps (1, 2, 5 × 10ⁿ) for numbers, whole
//! seconds, minutes, hours or days for datetimes (nanoseconds, UTC).

/// A linear map from a domain to pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub from: f64,
    pub to: f64,
}

impl Scale {
    pub fn new(lo: f64, hi: f64, from: f64, to: f64) -> Scale {
        Scale { lo, hi, from, to }
    }

    /// The pixel of a value; the middle of the range when the domain is a point.
    pub fn at(&self, v: f64) -> f64 {
        if self.hi == self.lo {
            return (self.from + self.to) / 2.0;
        }
        self.from + (v - self.lo) / (self.hi - self.lo) * (self.to - self.from)
    }
}

/// The nice step for a range cut in about `count` parts: 1, 2 or 5 × 10ⁿ.
pub fn nice_step(range: f64, count: usize) -> f64 {
    let raw = range / count.max(1) as f64;
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let m = raw / magnitude;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A number axis covering `min..=max` (widened to whole steps): its bounds
/// and its ticks, at most about `count` + 1 of them.
pub fn linear_ticks(min: f64, max: f64, count: usize) -> (f64, f64, Vec<f64>) {
    let (mut min, mut max) = if min <= max { (min, max) } else { (max, min) };
    if !min.is_finite() || !max.is_finite() {
        return (0.0, 1.0, vec![0.0, 1.0]);
    }
    if min == max {
        let pad = if min == 0.0 { 1.0 } else { min.abs() * 0.1 };
        min -= pad;
        max += pad;
    }
    let step = nice_step(max - min, count);
    let lo = (min / step).floor() * step;
    let hi = (max / step).ceil() * step;
    let n = ((hi - lo) / step).round() as usize;
    let ticks = (0..=n).map(|i| clean(lo + i as f64 * step, step)).collect();
    (lo, hi, ticks)
}

/// Rounds away binary noise (0.30000000000000004 → 0.3) at the step's precision.
fn clean(v: f64, step: f64) -> f64 {
    let digits = (-step.log10().floor()).max(0.0) as i32 + 1;
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

const SECOND: f64 = 1e9;

/// Datetime tick steps in nanoseconds.
const TIME_STEPS: &[f64] = &[
    SECOND,
    5.0 * SECOND,
    15.0 * SECOND,
    30.0 * SECOND,
    60.0 * SECOND,
    300.0 * SECOND,
    900.0 * SECOND,
    1800.0 * SECOND,
    3600.0 * SECOND,
    3.0 * 3600.0 * SECOND,
    6.0 * 3600.0 * SECOND,
    12.0 * 3600.0 * SECOND,
    86400.0 * SECOND,
    2.0 * 86400.0 * SECOND,
    7.0 * 86400.0 * SECOND,
    30.0 * 86400.0 * SECOND,
    91.0 * 86400.0 * SECOND,
    365.0 * 86400.0 * SECOND,
];

/// Ticks of a datetime axis from `min` to `max` (nanoseconds since the
/// epoch): the smallest step of [`TIME_STEPS`] giving at most `count` ticks,
/// at whole multiples of the step (midnights for days).
pub fn time_ticks(min: f64, max: f64, count: usize) -> Vec<f64> {
    if !min.is_finite() || !max.is_finite() || max < min {
        return Vec::new();
    }
    if max == min {
        return vec![min];
    }
    let count = count.max(2) as f64;
    let step = TIME_STEPS
        .iter()
        .copied()
        .find(|s| (max - min) / s < count)
        .unwrap_or_else(|| nice_step(max - min, count as usize));
    let mut t = (min / step).ceil() * step;
    let mut out = Vec::new();
    while t <= max && out.len() < 1000 {
        out.push(t);
        t += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(7.0, 5), 2.0);
        assert_eq!(nice_step(0.9, 5), 0.2);
        assert_eq!(nice_step(1000.0, 4), 500.0);
    }

    #[test]
    fn linear_ticks_cover_the_data_with_whole_steps() {
        let (lo, hi, ticks) = linear_ticks(0.0, 97.0, 5);
        assert_eq!((lo, hi), (0.0, 100.0));
        assert_eq!(ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let (lo, hi, ticks) = linear_ticks(0.1, 0.7, 5);
        assert_eq!((lo, hi), (0.0, 0.8));
        assert_eq!(ticks, vec![0.0, 0.2, 0.4, 0.6, 0.8]);
        let (lo, hi, _) = linear_ticks(-13.0, 42.0, 5);
        assert!(lo <= -13.0 && hi >= 42.0);
    }

    #[test]
    fn a_single_value_gets_a_range_around_it() {
        let (lo, hi, ticks) = linear_ticks(5.0, 5.0, 5);
        assert!(lo < 5.0 && hi > 5.0 && ticks.len() >= 2);
        let (lo, hi, _) = linear_ticks(0.0, 0.0, 5);
        assert!(lo < 0.0 && hi > 0.0);
    }

    #[test]
    fn time_ticks_are_whole_hours_or_days() {
        let h = 3600.0 * SECOND;
        let day0 = 1_748_736_000.0 * SECOND; // 2025-06-01T00:00:00Z
        let ticks = time_ticks(day0 + 0.5 * h, day0 + 23.5 * h, 5);
        assert_eq!(ticks, vec![day0 + 6.0 * h, day0 + 12.0 * h, day0 + 18.0 * h]);
        let ticks = time_ticks(day0, day0 + 3.0 * 24.0 * h, 5);
        assert_eq!(ticks, vec![day0, day0 + 24.0 * h, day0 + 48.0 * h, day0 + 72.0 * h]);
        assert_eq!(time_ticks(day0, day0, 5), vec![day0]);
    }

    #[test]
    fn scale_maps_linearly() {
        let s = Scale::new(0.0, 10.0, 100.0, 200.0);
        assert_eq!(s.at(5.0), 150.0);
        let flipped = Scale::new(0.0, 10.0, 300.0, 100.0);
        assert_eq!(flipped.at(10.0), 100.0);
        assert_eq!(Scale::new(3.0, 3.0, 0.0, 10.0).at(3.0), 5.0);
    }
}
