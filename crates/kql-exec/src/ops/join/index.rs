//! The hash index of a join's build side: each key value's rows, found
//! for a whole batch of probe keys at once.
//!
//! A single string key (the usual case: IP addresses, resource ids) is
//! hashed as its text; other keys as Arrow row bytes. Rows of one key are
//! kept together (`starts`/`rows`, like a CSR matrix), so a key costs one
//! map entry however many rows share it.

use crate::error::{ExecError, Result};
use crate::keys::{KeyEncoder, KeyMap, KeyRows, has_null};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

/// The build side's keys: key bytes → key number, and each key's rows.
pub(super) struct Index {
    map: KeyMap<Box<[u8]>, u32>,
    /// Rows of key `g`: `rows[starts[g]..starts[g + 1]]`, in build order.
    starts: Vec<u32>,
    rows: Vec<u32>,
    /// Build rows with a null key: they match nothing.
    null_rows: Vec<u32>,
    /// `None` when the key is a single string column, hashed as its text.
    encoder: Option<KeyEncoder>,
}

/// One batch's key bytes, either way they are made.
enum KeyBytes<'a> {
    Text(&'a arrow_array::StringArray),
    Rows(KeyRows, &'a [ArrayRef]),
}

impl KeyBytes<'_> {
    fn get(&self, i: usize) -> Option<&[u8]> {
        match self {
            KeyBytes::Text(s) => s.is_valid(i).then(|| s.value(i).as_bytes()),
            KeyBytes::Rows(rows, cols) => (!has_null(cols, i)).then(|| rows.row(i)),
        }
    }
}

fn is_text(keys: &[ArrayRef]) -> bool {
    keys.len() == 1 && keys[0].data_type() == &DataType::Utf8
}

impl Index {
    /// Indexes `keys` (the build side's key columns, in the common key
    /// types). `unique`: keep only the first row of each key.
    pub fn build(keys: &[ArrayRef], rows: usize, unique: bool) -> Result<Index> {
        let encoder = if is_text(keys) {
            None
        } else {
            Some(KeyEncoder::new(&keys.iter().map(|k| k.data_type().clone()).collect::<Vec<_>>())?)
        };
        let bytes = key_bytes(&encoder, keys)?;
        let mut map: KeyMap<Box<[u8]>, u32> = KeyMap::default();
        // Each row's key number, then the rows grouped by key.
        let mut key_of: Vec<u32> = Vec::with_capacity(rows);
        let mut counts: Vec<u32> = Vec::new();
        let mut null_rows = Vec::new();
        for i in 0..rows {
            match bytes.get(i) {
                None => {
                    null_rows.push(i as u32);
                    key_of.push(u32::MAX);
                }
                Some(k) => {
                    let next = counts.len() as u32;
                    let g = match map.get(k) {
                        Some(g) => *g,
                        None => {
                            map.insert(k.into(), next);
                            counts.push(0);
                            next
                        }
                    };
                    if unique && counts[g as usize] > 0 {
                        key_of.push(u32::MAX);
                        continue;
                    }
                    counts[g as usize] += 1;
                    key_of.push(g);
                }
            }
        }
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut total = 0u32;
        starts.push(0);
        for c in &counts {
            total += c;
            starts.push(total);
        }
        let mut fill = starts.clone();
        let mut grouped = vec![0u32; total as usize];
        for (i, g) in key_of.iter().enumerate() {
            if *g != u32::MAX {
                grouped[fill[*g as usize] as usize] = i as u32;
                fill[*g as usize] += 1;
            }
        }
        Ok(Index { map, starts, rows: grouped, null_rows, encoder })
    }

    /// The key number of each probe row (`None`: no build row has its key).
    pub fn probe(&self, keys: &[ArrayRef]) -> Result<Vec<Option<u32>>> {
        let n = keys.first().map_or(0, |k| k.len());
        if self.encoder.is_none() && !is_text(keys) {
            return Err(ExecError::Internal("join keys of different types on the two sides".into()));
        }
        let bytes = key_bytes(&self.encoder, keys)?;
        Ok((0..n).map(|i| bytes.get(i).and_then(|k| self.map.get(k).copied())).collect())
    }

    /// True if some build row has the string key `key` (`false` for keys
    /// other than a single string column).
    pub fn has_text(&self, key: &str) -> bool {
        self.encoder.is_none() && self.map.contains_key(key.as_bytes())
    }

    /// The build rows of key `g`.
    pub fn rows_of(&self, g: u32) -> &[u32] {
        let g = g as usize;
        &self.rows[self.starts[g] as usize..self.starts[g + 1] as usize]
    }

    /// How many keys there are.
    pub fn keys(&self) -> usize {
        self.starts.len() - 1
    }

    /// Build rows that can match nothing: those with a null key.
    pub fn null_rows(&self) -> &[u32] {
        &self.null_rows
    }

    /// Bytes the index holds (for the memory budget).
    pub fn size(&self) -> u64 {
        let keys: u64 = self.map.keys().map(|k| k.len() as u64 + 40).sum();
        keys + 4 * (self.starts.len() + self.rows.len() + self.null_rows.len()) as u64
    }
}

/// Calls `f(row, key bytes)` for each row of `keys` (the key columns of
/// one batch, in the common key types), with the bytes an [`Index`] hashes
/// for it (`None` for a null key, which matches nothing): equal keys on
/// either side of a join give equal bytes, so a spilling join can
/// partition both sides by them.
pub(super) fn each_key(keys: &[ArrayRef], mut f: impl FnMut(usize, Option<&[u8]>)) -> Result<()> {
    // A dictionary-encoded column hashes as its values do.
    let keys: Vec<ArrayRef> = keys
        .iter()
        .map(|k| match k.data_type() {
            DataType::Dictionary(_, value) => Ok(arrow_cast::cast(k, value)?),
            _ => Ok(k.clone()),
        })
        .collect::<Result<_>>()?;
    let encoder = if is_text(&keys) {
        None
    } else {
        Some(KeyEncoder::new(&keys.iter().map(|k| k.data_type().clone()).collect::<Vec<_>>())?)
    };
    let bytes = key_bytes(&encoder, &keys)?;
    for i in 0..keys.first().map_or(0, |k| k.len()) {
        f(i, bytes.get(i));
    }
    Ok(())
}

fn key_bytes<'a>(encoder: &Option<KeyEncoder>, keys: &'a [ArrayRef]) -> Result<KeyBytes<'a>> {
    Ok(match encoder {
        None => KeyBytes::Text(keys[0].as_string::<i32>()),
        Some(e) => KeyBytes::Rows(e.encode(keys)?, keys),
    })
}
