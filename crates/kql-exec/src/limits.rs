//! Resource limits of one query: a memory budget shared by the operators
//! that hold rows (join and lookup build sides and the output batches they
//! have in flight, summarize groups, distinct keys, sort buffers, shared
//! `let` results), and the explosion guard of `mv-expand`, which makes
//! one batch's expansion at once.
//!
//! Memory is accounted, not measured: an operator reserves the Arrow
//! memory size of the batches it keeps and the bytes of its hash keys
//! before keeping them, and releases them when its stream is dropped. A
//! reservation that would pass the budget is an error naming the operator,
//! so a runaway query stops early instead of exhausting the machine.
//! What a batch counts for is [`batch_bytes`], the one measure every
//! operator reserves by.

use crate::error::{ExecError, Result};
use arrow_array::{Array, RecordBatch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The bytes `batch`'s rows take, as the budget counts them: each column
/// the bytes its rows span ([`array_bytes`]).
pub(crate) fn batch_bytes(batch: &RecordBatch) -> u64 {
    batch.columns().iter().map(|a| array_bytes(a.as_ref())).sum()
}

/// The bytes the rows of `array` span, not the buffers it points into: a
/// batch read back from a spill file shares one buffer between all its
/// columns (Arrow's `get_array_memory_size` would count that buffer once
/// per column), and a slice of a larger array (a `summarize`'s output
/// batch, a join's build side) would count the whole array.
pub(crate) fn array_bytes(array: &dyn Array) -> u64 {
    array.to_data().get_slice_memory_size().unwrap_or_else(|_| array.get_array_memory_size()) as u64
}

/// Limits of a query run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes the operators of one query may hold at once.
    pub max_memory: u64,
}

impl Default for Limits {
    /// Half the machine's memory where it can be read (Linux), else 4 GiB.
    fn default() -> Self {
        Limits { max_memory: default_budget() }
    }
}

const GIB: u64 = 1 << 30;

/// The most a spilling operator holds before it spills, whatever the
/// budget (see [`MemoryPool::spill_share`]).
pub const SPILL_SHARE_CAP: u64 = 512 << 20;

fn default_budget() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| {
        let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    });
    total.map_or(4 * GIB, |t| (t / 2).max(GIB / 4))
}

/// Parses a size such as `512MB`, `4GiB`, `2g` or a plain number of bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().ok()?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1u64,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return None,
    };
    let bytes = n * scale as f64;
    (bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// Bytes as people read them: `512 MiB`, `1.5 GiB`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 || v >= 100.0 || (v - v.round()).abs() < 0.05 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// The budget of one query, shared by its operators.
#[derive(Debug)]
pub struct MemoryPool {
    limit: u64,
    used: AtomicU64,
    /// The most bytes reserved at once so far.
    peak: AtomicU64,
    /// Rows operators wrote to spill files instead of holding them.
    spilled: AtomicU64,
}

impl MemoryPool {
    pub fn new(limit: u64) -> Arc<MemoryPool> {
        Arc::new(MemoryPool { limit, used: AtomicU64::new(0), peak: AtomicU64::new(0), spilled: AtomicU64::new(0) })
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes one spilling operator (`summarize`, `distinct`, `sort`) holds
    /// before it writes the rest to spill files: half the budget — the
    /// other half is for the operators consuming its output — and at most
    /// [`SPILL_SHARE_CAP`], however large the budget. Holding more makes
    /// no such operator faster (a spilled pass is one sequential write and
    /// read; a hash table of many gigabytes misses the caches on every
    /// probe), and it keeps a query's memory far below a default budget of
    /// half the machine: 17M groups of scenario 1 peak at ~1 GiB, not 6.
    pub fn spill_share(&self) -> u64 {
        (self.limit / 2).min(SPILL_SHARE_CAP)
    }

    /// Bytes reserved now.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::SeqCst)
    }

    /// The most bytes reserved at once so far (past the budget only where
    /// an operator had to hold one more item to progress,
    /// [`Reservation::force_grow`]).
    pub fn peak(&self) -> u64 {
        self.peak.load(Ordering::SeqCst)
    }

    /// Rows written to spill files so far (a row spilled twice, by a
    /// partition that spills again, counts twice).
    pub fn spilled_rows(&self) -> u64 {
        self.spilled.load(Ordering::Relaxed)
    }

    pub(crate) fn note_spilled(&self, rows: u64) {
        self.spilled.fetch_add(rows, Ordering::Relaxed);
    }

    /// An empty reservation for `operator`, to grow as it keeps rows.
    pub fn reservation(self: &Arc<Self>, operator: &'static str) -> Reservation {
        Reservation { pool: self.clone(), operator, bytes: 0 }
    }

    fn try_add(&self, bytes: u64, operator: &'static str) -> Result<()> {
        let mut used = self.used.load(Ordering::SeqCst);
        loop {
            let next = used.saturating_add(bytes);
            if next > self.limit {
                return Err(memory_error(operator, next, self.limit));
            }
            match self.used.compare_exchange(used, next, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => {
                    self.peak.fetch_max(next, Ordering::SeqCst);
                    return Ok(());
                }
                Err(now) => used = now,
            }
        }
    }
}

fn memory_error(operator: &'static str, needed: u64, limit: u64) -> ExecError {
    ExecError::MemoryLimit {
        operator,
        detail: format!("it would need more than {}", format_size(needed)),
        limit: format_size(limit),
    }
}

/// Bytes an operator holds; given back when dropped.
#[derive(Debug)]
pub struct Reservation {
    pool: Arc<MemoryPool>,
    operator: &'static str,
    bytes: u64,
}

impl Reservation {
    /// Reserves `bytes` more, or fails naming the operator and the budget.
    pub fn grow(&mut self, bytes: u64) -> Result<()> {
        self.pool.try_add(bytes, self.operator)?;
        self.bytes += bytes;
        Ok(())
    }

    /// Reserves `bytes` more even past the budget: for an operator that
    /// must hold one more item to make progress at all (a spilling
    /// `summarize` whose budget other operators hold for the moment).
    pub fn force_grow(&mut self, bytes: u64) {
        let used = self.pool.used.fetch_add(bytes, Ordering::SeqCst).saturating_add(bytes);
        self.pool.peak.fetch_max(used, Ordering::SeqCst);
        self.bytes += bytes;
    }

    /// Gives back `bytes` of what was reserved (output handed on, state
    /// dropped).
    pub fn shrink(&mut self, bytes: u64) {
        let bytes = bytes.min(self.bytes);
        self.pool.used.fetch_sub(bytes, Ordering::SeqCst);
        self.bytes -= bytes;
    }

    /// The budget of the whole query.
    pub fn limit(&self) -> u64 {
        self.pool.limit
    }

    /// The explosion guard of an operator that must make `rows` more rows
    /// of about `row_bytes` each at once, after `so_far` rows (an
    /// `mv-expand` expanding one batch): output larger than the whole
    /// budget is a runaway (an expansion of huge arrays next to a large
    /// column), so stop before producing it. Output that streams in
    /// bounded batches (a join's) is not checked here: only the batches in
    /// flight count, reserved with [`Reservation::grow`].
    pub fn check_output(&self, so_far: u64, rows: u64, row_bytes: u64) -> Result<()> {
        let total = so_far.saturating_add(rows);
        let bytes = total.saturating_mul(row_bytes.max(1));
        if bytes > self.pool.limit {
            return Err(ExecError::MemoryLimit {
                operator: self.operator,
                detail: format!("it would produce {} rows (about {})", group_digits(total), format_size(bytes)),
                limit: format_size(self.pool.limit),
            });
        }
        Ok(())
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The pool it reserves from.
    pub fn pool(&self) -> &Arc<MemoryPool> {
        &self.pool
    }

    /// Counts `rows` the operator wrote to spill files instead of holding them.
    pub(crate) fn note_spilled(&self, rows: u64) {
        self.pool.note_spilled(rows);
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.pool.used.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

/// `1234567` as `1,234,567`.
fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512MB"), Some(512 << 20));
        assert_eq!(parse_size("4GiB"), Some(4 << 30));
        assert_eq!(parse_size("1.5g"), Some(3 << 29));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("0"), None);
        assert_eq!(parse_size("3 parsecs"), None);
        assert_eq!(format_size(512 << 20), "512 MiB");
        assert_eq!(format_size(3 << 29), "1.5 GiB");
        assert_eq!(format_size(100), "100 B");
        assert_eq!(group_digits(1_000_000_000_000), "1,000,000,000,000");
        assert_eq!(group_digits(999), "999");
    }

    #[test]
    fn spilling_operators_hold_half_the_budget_up_to_the_cap() {
        assert_eq!(MemoryPool::new(256 << 10).spill_share(), 128 << 10);
        assert_eq!(MemoryPool::new(1 << 30).spill_share(), 512 << 20);
        assert_eq!(MemoryPool::new(12 * GIB).spill_share(), SPILL_SHARE_CAP);
        assert_eq!(MemoryPool::new(3).spill_share(), 1);
    }

    #[test]
    fn reservations_share_the_budget_and_give_it_back() {
        let pool = MemoryPool::new(1000);
        let mut a = pool.reservation("join");
        a.grow(600).unwrap();
        let mut b = pool.reservation("summarize");
        let err = b.grow(500).unwrap_err().to_string();
        assert!(err.contains("summarize") && err.contains("1000 B"), "{err}");
        assert_eq!(pool.used(), 600);
        drop(a);
        assert_eq!(pool.used(), 0);
        b.grow(900).unwrap();
        assert_eq!(b.bytes(), 900);
        assert_eq!(pool.peak(), 900);
        b.shrink(800);
        b.force_grow(950);
        assert_eq!((pool.used(), pool.peak()), (1050, 1050));
    }

    #[test]
    fn the_explosion_guard_counts_output_against_the_budget() {
        let pool = MemoryPool::new(1 << 30);
        let r = pool.reservation("join");
        r.check_output(0, 1_000_000, 16).unwrap();
        let err = r.check_output(0, 1_000_000_000_000, 16).unwrap_err().to_string();
        assert!(err.contains("join") && err.contains("1,000,000,000,000 rows"), "{err}");
    }
}
