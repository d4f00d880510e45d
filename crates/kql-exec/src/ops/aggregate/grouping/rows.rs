//! Keys of any type, as Arrow row bytes.

use crate::error::Result;
use crate::keys::{KeyEncoder, KeyMap};
use arrow_array::*;

/// Rows grouped by their row bytes: each row's group, each group's first row.
pub(super) fn group_rows(enc: &KeyEncoder, keys: &[ArrayRef], n: usize) -> Result<(Vec<u32>, Vec<u32>)> {
    let encoded = enc.encode(keys)?;
    let mut map: KeyMap<&[u8], u32> = KeyMap::default();
    let mut first_rows = Vec::new();
    let ids = (0..n)
        .map(|i| {
            let next = first_rows.len() as u32;
            *map.entry(encoded.row(i)).or_insert_with(|| {
                first_rows.push(i as u32);
                next
            })
        })
        .collect();
    Ok((ids, first_rows))
}
