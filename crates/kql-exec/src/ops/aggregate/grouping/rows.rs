//! Keys as bytes ([`KeyRows`]): grouped by their bytes, each row hashed once.

use crate::keys::KeyRows;

/// Rows grouped by their bytes: each row's group, each group's first row,
/// and each group's hash by `hasher` (the global table's).
pub(super) fn group_encoded(rows: &KeyRows, hasher: &ahash::RandomState) -> (Vec<u32>, Vec<u32>, Vec<u64>) {
    let n = rows.num_rows();
    let mut groups: hashbrown::HashTable<(u64, u32)> = hashbrown::HashTable::new();
    let mut first_rows: Vec<u32> = Vec::new();
    let mut hashes: Vec<u64> = Vec::new();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let row = rows.row(i);
        let h = hasher.hash_one(row);
        let found = groups.find(h, |&(gh, g)| gh == h && rows.row(first_rows[g as usize] as usize) == row);
        let g = match found {
            Some(&(_, g)) => g,
            None => {
                let g = first_rows.len() as u32;
                first_rows.push(i as u32);
                hashes.push(h);
                groups.insert_unique(h, (h, g), |&(gh, _)| gh);
                g
            }
        };
        ids.push(g);
    }
    (ids, first_rows, hashes)
}
