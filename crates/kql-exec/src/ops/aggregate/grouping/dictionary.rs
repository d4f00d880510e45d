//! Every key a dictionary-encoded string column (as a scan hands them over).

use crate::keys::KeyMap;
use arrow_array::types::*;
use arrow_array::*;

/// Rows grouped by the indices of their dictionary-encoded keys (a null
/// key is one more index): each row's group, each group's first row. The
/// indices of a row make one number where their ranges allow (the usual
/// case), else a slice; no key text is read.
pub(super) fn group_indices(keys: &[&DictionaryArray<Int32Type>], n: usize) -> (Vec<u32>, Vec<u32>) {
    let index = |d: &DictionaryArray<Int32Type>, i: usize| -> u64 {
        if d.is_valid(i) { d.keys().value(i).max(0) as u64 } else { d.values().len() as u64 }
    };
    let mut first_rows: Vec<u32> = Vec::new();
    // Each key's number of indices (its values and null).
    let bases: Vec<u64> = keys.iter().map(|d| d.values().len() as u64 + 1).collect();
    let fits = bases.iter().try_fold(1u64, |acc, b| acc.checked_mul(*b)).is_some();
    let mut ids = Vec::with_capacity(n);
    if fits {
        let mut map: KeyMap<u64, u32> = KeyMap::default();
        for i in 0..n {
            let code = keys.iter().zip(&bases).fold(0u64, |acc, (d, base)| acc * base + index(d, i));
            let next = first_rows.len() as u32;
            ids.push(*map.entry(code).or_insert_with(|| {
                first_rows.push(i as u32);
                next
            }));
        }
    } else {
        let codes: Vec<u64> = (0..n).flat_map(|i| keys.iter().map(move |d| index(d, i))).collect();
        let mut map: KeyMap<&[u64], u32> = KeyMap::default();
        for (i, row) in codes.chunks_exact(keys.len()).enumerate() {
            let next = first_rows.len() as u32;
            ids.push(*map.entry(row).or_insert_with(|| {
                first_rows.push(i as u32);
                next
            }));
        }
    }
    (ids, first_rows)
}
