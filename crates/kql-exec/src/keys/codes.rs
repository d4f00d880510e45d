//! Numbered string values: per key column, the distinct strings seen so
//! far, each numbered as it is first seen, so that a group key made of
//! long strings becomes a few small numbers.
//!
//! Many group keys repeat a few long values (a VM's resource id, a
//! country, a threat description) in millions of combinations: numbering
//! them makes each key a few bytes instead of hundreds, so the group table
//! holds several times more groups within its share of the budget, and the
//! rows it spills carry numbers instead of text.
//!
//! A dictionary cannot be spilled, so it is bounded: a column stops
//! taking new values once it holds mostly distinct ones (numbering a
//! unique id saves nothing) and every column once the dictionaries hold
//! [`StringCodes`]'s byte cap or the budget refuses them more. A value then
//! keeps the form it first had — numbered if its column's dictionary holds
//! it, text if not, for good, as a dictionary only ever grows while it
//! takes values and never takes one again once closed — so equal keys
//! always get equal bytes.

use crate::limits::{MemoryPool, Reservation};
use arrow_array::{Array, StringArray};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

/// A row's value that is not numbered (null, or text its column's
/// dictionary does not hold).
pub const NOT_NUMBERED: u32 = u32::MAX;

/// What a value costs its dictionary beyond its text, as the budget
/// counts it: its offset, its hash table entry and the table's slack.
const ENTRY_BYTES: u64 = 40;

/// A column's dictionary holds at least this many values before it may
/// close for holding mostly distinct ones.
const MIN_VALUES_TO_CLOSE: usize = 1 << 16;

/// The dictionaries of a key's string columns, shared by the threads that
/// encode its rows (each column behind a lock of its own: encoders look
/// values up under a read lock, and take the write lock only for values
/// not yet numbered).
pub struct StringCodes {
    columns: Vec<RwLock<ColumnCodes>>,
    hasher: ahash::RandomState,
    /// The bytes all dictionaries may hold together.
    cap: u64,
    held: Mutex<Reservation>,
}

/// Reads values by number ([`StringCodes::reader`]).
pub struct CodesReader<'a> {
    guards: Vec<std::sync::RwLockReadGuard<'a, ColumnCodes>>,
}

impl CodesReader<'_> {
    /// Value number `code` of column `column`, if numbered.
    pub fn value(&self, column: usize, code: u32) -> Option<&str> {
        self.guards.get(column).and_then(|g| g.value(code))
    }
}

struct ColumnCodes {
    /// (hash, number) of each value.
    table: hashbrown::HashTable<(u64, u32)>,
    /// Value `c` is `values[offsets[c]..offsets[c + 1]]` (text already
    /// known to be UTF-8: read back without checking it again).
    offsets: Vec<usize>,
    values: String,
    /// Whether it takes new values.
    open: bool,
    /// Non-null values looked up while open.
    seen: AtomicU64,
    /// Distinct values in the last batch looked up (whether the next
    /// deduplicates its rows first, and its tables' sizes).
    last_distinct: std::sync::atomic::AtomicUsize,
}

impl ColumnCodes {
    fn value(&self, code: u32) -> Option<&str> {
        let c = code as usize;
        self.values.get(*self.offsets.get(c)?..*self.offsets.get(c + 1)?)
    }

    fn find(&self, hash: u64, value: &str) -> Option<u32> {
        let (offsets, values) = (&self.offsets, self.values.as_bytes());
        self.table
            .find(hash, |&(h, c)| {
                h == hash && &values[offsets[c as usize]..offsets[c as usize + 1]] == value.as_bytes()
            })
            .map(|&(_, c)| c)
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }
}

impl StringCodes {
    /// Dictionaries for `columns` string columns, holding at most `cap`
    /// bytes together, reserved from `pool` as they grow.
    pub fn new(columns: usize, cap: u64, pool: &std::sync::Arc<MemoryPool>, operator: &'static str) -> StringCodes {
        let column = || {
            RwLock::new(ColumnCodes {
                table: hashbrown::HashTable::new(),
                offsets: vec![0],
                values: String::new(),
                open: true,
                seen: AtomicU64::new(0),
                last_distinct: std::sync::atomic::AtomicUsize::new(0),
            })
        };
        StringCodes {
            columns: (0..columns).map(|_| column()).collect(),
            hasher: ahash::RandomState::with_seeds(0x6b65, 0x7973, 0x636f, 0x6465),
            cap,
            held: Mutex::new(pool.reservation(operator)),
        }
    }

    /// Each row's number in column `column`'s dictionary ([`NOT_NUMBERED`]
    /// for null and for text it does not hold), numbering the values it
    /// does not hold yet while it takes values.
    pub fn numbers(&self, column: usize, values: &StringArray) -> Vec<u32> {
        let n = values.len();
        let Some(lock) = self.columns.get(column) else {
            return vec![NOT_NUMBERED; n];
        };
        // The batch's own distinct values first, where a value repeats
        // within a batch (the usual case): the shared dictionary is then
        // consulted once per distinct value, not per row. Where the last
        // batch's values were mostly distinct, each row is its own entry.
        let hint = lock.read().unwrap_or_else(|e| e.into_inner()).last_distinct.load(Ordering::Relaxed);
        let dedupe = hint <= n / 2;
        let mut local: hashbrown::HashTable<(u64, u32)> =
            hashbrown::HashTable::with_capacity(if dedupe { hint.min(n) } else { 0 });
        let mut distinct: Vec<(u64, usize)> = Vec::with_capacity(hint.min(n));
        let mut row_local: Vec<u32> = Vec::with_capacity(n);
        for r in 0..n {
            if values.is_null(r) {
                row_local.push(NOT_NUMBERED);
                continue;
            }
            let v = values.value(r).as_bytes();
            let h = self.hasher.hash_one(v);
            if !dedupe {
                row_local.push(distinct.len() as u32);
                distinct.push((h, r));
                continue;
            }
            let found = local.find(h, |&(lh, l)| lh == h && values.value(distinct[l as usize].1).as_bytes() == v);
            let l = match found {
                Some(&(_, l)) => l,
                None => {
                    let l = distinct.len() as u32;
                    distinct.push((h, r));
                    local.insert_unique(h, (h, l), |&(lh, _)| lh);
                    l
                }
            };
            row_local.push(l);
        }
        let non_null = (n - row_local.iter().filter(|l| **l == NOT_NUMBERED).count()) as u64;
        let repeats = dedupe || {
            // Rows that were not deduplicated: how many distinct among a
            // sample decides whether the next batch deduplicates again.
            let mut sample: super::KeySet<u64> = super::KeySet::default();
            distinct.iter().take(1024).for_each(|d| {
                sample.insert(d.0);
            });
            sample.len() * 2 <= distinct.len().min(1024)
        };
        let estimate = if repeats && !dedupe { 0 } else { distinct.len() };
        let value = |d: &(u64, usize)| values.value(d.1);
        let (mut numbers, open) = {
            let codes = lock.read().unwrap_or_else(|e| e.into_inner());
            codes.last_distinct.store(estimate, Ordering::Relaxed);
            let numbers: Vec<u32> =
                distinct.iter().map(|d| codes.find(d.0, value(d)).unwrap_or(NOT_NUMBERED)).collect();
            if codes.open {
                codes.seen.fetch_add(non_null, Ordering::Relaxed);
            }
            (numbers, codes.open)
        };
        if open && numbers.contains(&NOT_NUMBERED) {
            let mut full = false;
            {
                let mut codes = lock.write().unwrap_or_else(|e| e.into_inner());
                let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
                // What the budget and the cap leave the dictionaries.
                let pool = held.pool();
                let mut room = self.cap.saturating_sub(held.bytes()).min(pool.limit().saturating_sub(pool.used()));
                let mut taken = 0;
                for (d, number) in distinct.iter().zip(numbers.iter_mut()) {
                    if *number != NOT_NUMBERED {
                        continue;
                    }
                    // Another thread may have numbered it meanwhile (before
                    // closing it, too: so looked up whether open or not).
                    if let Some(c) = codes.find(d.0, value(d)) {
                        *number = c;
                        continue;
                    }
                    if !codes.open {
                        continue;
                    }
                    let cost = value(d).len() as u64 + ENTRY_BYTES;
                    let (Ok(c), Some(left)) = (u32::try_from(codes.len()), room.checked_sub(cost)) else {
                        codes.open = false;
                        full = true;
                        continue;
                    };
                    room = left;
                    taken += cost;
                    codes.values.push_str(value(d));
                    let end = codes.values.len();
                    codes.offsets.push(end);
                    codes.table.insert_unique(d.0, (d.0, c), |&(h, _)| h);
                    *number = c;
                }
                // Mostly distinct values: numbering them saves nothing.
                if codes.len() >= MIN_VALUES_TO_CLOSE && codes.len() as u64 * 2 > codes.seen.load(Ordering::Relaxed) {
                    codes.open = false;
                }
                // Within the room measured above, unless another operator
                // took it meanwhile: held all the same (it is), and no
                // dictionary grows further.
                if held.grow(taken).is_err() {
                    held.force_grow(taken);
                    full = true;
                }
            }
            if full {
                self.close();
            }
        }
        row_local.into_iter().map(|l| if l == NOT_NUMBERED { l } else { numbers[l as usize] }).collect()
    }

    /// No dictionary takes new values from now on.
    fn close(&self) {
        for c in &self.columns {
            c.write().unwrap_or_else(|e| e.into_inner()).open = false;
        }
    }

    /// A reader of every column's values by number (holding the columns'
    /// read locks while it lives).
    pub fn reader(&self) -> CodesReader<'_> {
        CodesReader { guards: self.columns.iter().map(|c| c.read().unwrap_or_else(|e| e.into_inner())).collect() }
    }

    /// Bytes the dictionaries hold.
    pub fn held_bytes(&self) -> u64 {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[Option<&str>]) -> StringArray {
        values.iter().copied().collect()
    }

    #[test]
    fn values_are_numbered_as_first_seen_and_keep_their_numbers() {
        let pool = MemoryPool::new(1 << 30);
        let codes = StringCodes::new(2, 1 << 20, &pool, "test");
        let a = strings(&[Some("x"), None, Some("y"), Some("x"), Some("")]);
        assert_eq!(codes.numbers(0, &a), vec![0, NOT_NUMBERED, 1, 0, 2]);
        // Another column numbers on its own; a later batch keeps the numbers.
        assert_eq!(codes.numbers(1, &a.slice(2, 2)), vec![0, 1]);
        let b = strings(&[Some("z"), Some("y"), Some("x")]);
        assert_eq!(codes.numbers(0, &b), vec![3, 1, 0]);
        let reader = codes.reader();
        assert_eq!(reader.value(0, 3), Some("z"));
        assert_eq!(reader.value(0, 2), Some(""));
        assert_eq!(reader.value(1, 0), Some("y"));
        assert_eq!(reader.value(1, 2), None);
        drop(reader);
        assert!(codes.held_bytes() > 0 && pool.used() == codes.held_bytes());
    }

    #[test]
    fn rows_after_a_batch_of_distinct_values_are_numbered_alike() {
        // A batch of distinct values: the next looks its rows up one by
        // one (no deduplication first), and a value twice in it still gets
        // one number; then it deduplicates again, its values repeating.
        let pool = MemoryPool::new(1 << 30);
        let codes = StringCodes::new(1, 1 << 30, &pool, "test");
        let ids: StringArray = (0..100).map(|i| Some(format!("id{i}"))).collect();
        assert_eq!(codes.numbers(0, &ids), (0..100).collect::<Vec<u32>>());
        let again = strings(&[Some("a"), Some("a"), Some("id3"), None, Some("b"), Some("a")]);
        assert_eq!(codes.numbers(0, &again), vec![100, 100, 3, NOT_NUMBERED, 101, 100]);
        assert_eq!(codes.numbers(0, &again), vec![100, 100, 3, NOT_NUMBERED, 101, 100]);
    }

    #[test]
    fn a_full_dictionary_keeps_its_numbers_and_leaves_new_values_as_text() {
        let pool = MemoryPool::new(1 << 30);
        // Room for two values (1 byte + 40 each): later new values are
        // not numbered, old ones still are.
        let codes = StringCodes::new(1, 82, &pool, "test");
        let a = strings(&[Some("a"), Some("b")]);
        assert_eq!(codes.numbers(0, &a), vec![0, 1]);
        let b = strings(&[Some("c"), Some("b"), Some("a"), Some("c")]);
        assert_eq!(codes.numbers(0, &b), vec![NOT_NUMBERED, 1, 0, NOT_NUMBERED]);
    }

    #[test]
    fn a_column_of_distinct_values_stops_taking_new_ones() {
        let pool = MemoryPool::new(1 << 30);
        let codes = StringCodes::new(1, 1 << 30, &pool, "test");
        let ids: StringArray = (0..MIN_VALUES_TO_CLOSE + 10).map(|i| Some(format!("id{i}"))).collect();
        let numbers = codes.numbers(0, &ids);
        assert_eq!(numbers[MIN_VALUES_TO_CLOSE + 9], (MIN_VALUES_TO_CLOSE + 9) as u32);
        let more: StringArray = [Some("new"), Some("id7")].into_iter().collect();
        assert_eq!(codes.numbers(0, &more), vec![NOT_NUMBERED, 7]);
    }

    #[test]
    fn the_dictionaries_stay_within_the_budget_and_the_cap() {
        // A pool of 1 KiB: values are numbered while they fit (40 bytes of
        // text + 40 each: 12 of them), then no dictionary takes new ones.
        let pool = MemoryPool::new(1 << 10);
        let codes = StringCodes::new(2, 1 << 30, &pool, "test");
        let big: StringArray = (0..100).map(|i| Some(format!("{i:>40}"))).collect();
        let numbers = codes.numbers(0, &big);
        assert_eq!(numbers[..12], (0..12).collect::<Vec<u32>>()[..]);
        assert!(numbers[12..].iter().all(|n| *n == NOT_NUMBERED));
        assert_eq!(pool.used(), 12 * 80);
        let other = strings(&[Some("q")]);
        assert_eq!(codes.numbers(1, &other), vec![NOT_NUMBERED]);
        // The same with a cap of 200 bytes: 2 values of 80.
        let codes = StringCodes::new(1, 200, &MemoryPool::new(1 << 30), "test");
        assert_eq!(codes.numbers(0, &big)[..3], [0, 1, NOT_NUMBERED]);
    }
}
