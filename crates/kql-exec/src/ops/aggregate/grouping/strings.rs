//! Every key a string column: read in place.
//!
//! The rows' groups are found in a `hashbrown::HashTable` of (hash, group)
//! whose equality compares a row's strings with its group's first row
//! where they lie, rather than in `keys::KeyTable`: a `KeyTable` compares
//! against key bytes it stores, so every row's keys would first be copied
//! into one byte string (the row format) to be looked up. The batch's
//! groups then meet the pass's `KeyTable` once per group, not per row.

use arrow_array::cast::AsArray;
use arrow_array::*;

/// Rows grouped by string keys read in place: each row's keys hashed
/// together, rows of equal hash compared column by column. No key bytes
/// are copied (the row format would copy every row's keys).
pub(super) fn group_strings(keys: &[ArrayRef], n: usize) -> (Vec<u32>, Vec<u32>) {
    use std::hash::{BuildHasher, Hasher};
    let cols: Vec<&StringArray> = keys.iter().map(|k| k.as_string::<i32>()).collect();
    let state = ahash::RandomState::with_seeds(0x6e74, 0x6171, 0x6b71, 0x6c31);
    let hash = |i: usize| {
        let mut h = state.build_hasher();
        for c in &cols {
            // 0xFF and 0xFE never occur in UTF-8: the separators keep
            // ("ab", "c") and ("a", "bc") apart, and null apart from "".
            if c.is_valid(i) {
                h.write(c.value(i).as_bytes());
                h.write_u8(0xFF);
            } else {
                h.write_u8(0xFE);
            }
        }
        h.finish()
    };
    let same = |a: usize, b: usize| {
        cols.iter().all(|c| c.is_valid(a) == c.is_valid(b) && (c.is_null(a) || c.value(a) == c.value(b)))
    };
    let mut groups: hashbrown::HashTable<(u64, u32)> = hashbrown::HashTable::new();
    let mut first_rows: Vec<u32> = Vec::new();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let h = hash(i);
        let g = match groups.find(h, |&(gh, g)| gh == h && same(i, first_rows[g as usize] as usize)) {
            Some(&(_, g)) => g,
            None => {
                let g = first_rows.len() as u32;
                first_rows.push(i as u32);
                groups.insert_unique(h, (h, g), |&(gh, _)| gh);
                g
            }
        };
        ids.push(g);
    }
    (ids, first_rows)
}
