//! Row keys for grouping, distinct and joins: Arrow's row format turns any
//! combination of columns into comparable bytes.

use crate::error::Result;
use crate::physical::{DynRepr, dyn_repr};
use arrow_array::{Array, ArrayRef};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::DataType;

/// Hash maps and sets of row keys. SipHash (the std default) guards
/// against crafted keys but costs several times more per byte than aHash,
/// and grouping, distinct and joins hash every row's key bytes.
pub type KeyMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
pub type KeySet<K> = std::collections::HashSet<K, ahash::RandomState>;

/// Encodes key columns of fixed types into row bytes.
pub struct KeyEncoder {
    conv: RowConverter,
}

impl KeyEncoder {
    pub fn new(types: &[DataType]) -> Result<Self> {
        let fields = types.iter().map(|t| SortField::new(t.clone())).collect();
        Ok(KeyEncoder { conv: RowConverter::new(fields)? })
    }

    pub fn encode(&self, cols: &[ArrayRef]) -> Result<Rows> {
        Ok(self.conv.convert_columns(cols)?)
    }
}

/// A key column in a form comparable across plans: dynamic values as JSON
/// text, so two encodings of equal values produce equal keys.
pub fn canonical_key(a: &ArrayRef) -> ArrayRef {
    match dyn_repr(a.data_type()) {
        Some(DynRepr::Str | DynRepr::StrArray) => crate::dynamic::to_json_array(a),
        _ => a.clone(),
    }
}

/// True if row `i` has a null in any key column (such rows never join).
pub fn has_null(cols: &[ArrayRef], i: usize) -> bool {
    cols.iter().any(|c| c.is_null(i))
}

/// Bytes per chunk of a [`KeyTable`]'s key store.
const KEY_CHUNK: usize = 1 << 20;

/// Distinct row keys numbered in the order they were first added. Their
/// bytes lie one after another in large chunks (no allocation per key,
/// which for millions of groups cost more than the grouping), and they are
/// found by a hash the caller computes with [`KeyTable::hasher`] — on any
/// thread, so that only the lookups run in order.
pub struct KeyTable {
    chunks: Vec<Vec<u8>>,
    /// Where each key's bytes are: chunk, start, length.
    at: Vec<(u32, u32, u32)>,
    /// (hash, key number) of each key.
    table: hashbrown::HashTable<(u64, usize)>,
    hasher: ahash::RandomState,
}

impl Default for KeyTable {
    fn default() -> Self {
        KeyTable {
            chunks: Vec::new(),
            at: Vec::new(),
            table: hashbrown::HashTable::new(),
            hasher: ahash::RandomState::new(),
        }
    }
}

impl KeyTable {
    /// How keys are hashed for [`KeyTable::insert`].
    pub fn hasher(&self) -> &ahash::RandomState {
        &self.hasher
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    fn bytes(chunks: &[Vec<u8>], (chunk, start, len): (u32, u32, u32)) -> &[u8] {
        let start = start as usize;
        &chunks[chunk as usize][start..start + len as usize]
    }

    /// The number of `key` (hashed by [`KeyTable::hasher`] to `hash`), if held.
    pub fn find(&self, hash: u64, key: &[u8]) -> Option<usize> {
        let (chunks, at) = (&self.chunks, &self.at);
        self.table.find(hash, |&(h, k)| h == hash && Self::bytes(chunks, at[k]) == key).map(|&(_, k)| k)
    }

    /// The number of `key` (hashed by [`KeyTable::hasher`] to `hash`), and
    /// whether it was added now.
    pub fn insert(&mut self, hash: u64, key: &[u8]) -> Result<(usize, bool)> {
        let (chunks, at) = (&self.chunks, &self.at);
        if let Some(&(_, k)) = self.table.find(hash, |&(h, k)| h == hash && Self::bytes(chunks, at[k]) == key) {
            return Ok((k, false));
        }
        let too_big = || crate::error::ExecError::Internal("a group key too large to keep".into());
        if self.chunks.last().is_none_or(|c| c.len() + key.len() > c.capacity()) {
            self.chunks.push(Vec::with_capacity(KEY_CHUNK.max(key.len())));
        }
        let chunk = self.chunks.len() - 1;
        let store = &mut self.chunks[chunk];
        let start = store.len();
        store.extend_from_slice(key);
        let place = (
            u32::try_from(chunk).map_err(|_| too_big())?,
            u32::try_from(start).map_err(|_| too_big())?,
            u32::try_from(key.len()).map_err(|_| too_big())?,
        );
        let k = self.at.len();
        self.at.push(place);
        self.table.insert_unique(hash, (hash, k), |&(h, _)| h);
        Ok((k, true))
    }
}

#[cfg(test)]
mod tests {
    use super::KeyTable;

    #[test]
    fn keys_are_numbered_in_the_order_first_added() {
        let mut t = KeyTable::default();
        let hash = |t: &KeyTable, k: &[u8]| t.hasher().hash_one(k);
        // 300,000 keys of 8 bytes and every tenth a second time: several
        // chunks of the store; then one key larger than a chunk.
        for i in 0u64..300_000 {
            let k = i.to_le_bytes();
            assert_eq!(t.insert(hash(&t, &k), &k).unwrap(), (i as usize, true));
            if i % 10 == 0 {
                let again = (i / 2).to_le_bytes();
                assert_eq!(t.insert(hash(&t, &again), &again).unwrap(), ((i / 2) as usize, false));
            }
        }
        let big = vec![7u8; (1 << 20) + 5];
        assert_eq!(t.insert(hash(&t, &big), &big).unwrap(), (300_000, true));
        assert_eq!(t.insert(hash(&t, &big), &big).unwrap(), (300_000, false));
        let k = 299_999u64.to_le_bytes();
        assert_eq!(t.insert(hash(&t, &k), &k).unwrap(), (299_999, false));
        // An empty key is a key too.
        assert_eq!(t.insert(hash(&t, &[]), &[]).unwrap(), (300_001, true));
        assert_eq!(t.len(), 300_002);
        assert_eq!(t.find(hash(&t, &big), &big), Some(300_000));
        let absent = 400_000u64.to_le_bytes();
        assert_eq!(t.find(hash(&t, &absent), &absent), None);
    }
}
