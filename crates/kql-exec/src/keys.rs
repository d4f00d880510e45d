//! Row keys for grouping, distinct and joins: any combination of columns
//! turned into bytes that are equal exactly when the keys are.

use crate::error::{ExecError, Result};
use crate::physical::{DynRepr, dyn_repr};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, StringArray};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::DataType;
use std::sync::Arc;

/// Hash maps and sets of row keys. SipHash (the std default) guards
/// against crafted keys but costs several times more per byte than aHash,
/// and grouping, distinct and joins hash every row's key bytes.
pub type KeyMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
pub type KeySet<K> = std::collections::HashSet<K, ahash::RandomState>;

/// Encodes key columns of fixed types into one byte string per row: equal
/// keys give equal bytes and different keys different ones (null apart
/// from ""). Keys that are all string columns are packed by
/// [`KeyEncoder`] itself (each value's length, then its bytes): Arrow's
/// row format, which makes bytes that also *sort* like the keys, pads
/// strings into blocks and costs several times more per row — and
/// grouping, distinct and joins only compare the bytes for equality.
/// Other key types take the row format.
pub struct KeyEncoder {
    codec: Codec,
}

enum Codec {
    /// Every key a `Utf8` column (this many).
    Strings(usize),
    Rows(RowConverter),
}

/// One byte string per row of encoded key columns ([`KeyEncoder`]).
pub enum KeyRows {
    Packed {
        bytes: Vec<u8>,
        /// Row `i` is `bytes[ends[i - 1]..ends[i]]` (from 0 for the first).
        ends: Vec<usize>,
    },
    Rows(Rows),
}

impl KeyRows {
    pub fn num_rows(&self) -> usize {
        match self {
            KeyRows::Packed { ends, .. } => ends.len(),
            KeyRows::Rows(rows) => rows.num_rows(),
        }
    }

    /// Row `i`'s bytes.
    pub fn row(&self, i: usize) -> &[u8] {
        match self {
            KeyRows::Packed { bytes, ends } => {
                let start = if i == 0 { 0 } else { ends[i - 1] };
                &bytes[start..ends[i]]
            }
            KeyRows::Rows(rows) => rows.row(i).data(),
        }
    }
}

impl KeyEncoder {
    pub fn new(types: &[DataType]) -> Result<Self> {
        if !types.is_empty() && types.iter().all(|t| *t == DataType::Utf8) {
            return Ok(KeyEncoder { codec: Codec::Strings(types.len()) });
        }
        let fields = types.iter().map(|t| SortField::new(t.clone())).collect();
        Ok(KeyEncoder { codec: Codec::Rows(RowConverter::new(fields)?) })
    }

    /// Every row of `cols`.
    pub fn encode(&self, cols: &[ArrayRef]) -> Result<KeyRows> {
        match &self.codec {
            Codec::Strings(_) => pack_strings(cols, None),
            Codec::Rows(conv) => Ok(KeyRows::Rows(conv.convert_columns(cols)?)),
        }
    }

    /// The key columns back from rows' bytes this encoder made, one value
    /// per row, in order.
    pub fn decode<'a>(&self, rows: impl ExactSizeIterator<Item = &'a [u8]>) -> Result<Vec<ArrayRef>> {
        match &self.codec {
            Codec::Strings(columns) => unpack_strings(*columns, rows),
            Codec::Rows(conv) => {
                let parser = conv.parser();
                let rows: Vec<&[u8]> = rows.collect();
                Ok(conv.convert_rows(rows.iter().map(|r| parser.parse(r)))?)
            }
        }
    }

    /// The rows `rows` of `cols`, in that order (as [`KeyEncoder::encode`]
    /// of the columns taken at `rows`, without taking them).
    pub fn encode_rows(&self, cols: &[ArrayRef], rows: &[u32]) -> Result<KeyRows> {
        match &self.codec {
            Codec::Strings(_) => pack_strings(cols, Some(rows)),
            Codec::Rows(conv) => {
                let idx = arrow_array::UInt32Array::from(rows.to_vec());
                let taken =
                    cols.iter().map(|c| arrow_select::take::take(c, &idx, None)).collect::<Result<Vec<_>, _>>()?;
                Ok(KeyRows::Rows(conv.convert_columns(&taken)?))
            }
        }
    }
}

/// String columns from rows [`pack_strings`] made.
fn unpack_strings<'a>(count: usize, rows: impl ExactSizeIterator<Item = &'a [u8]>) -> Result<Vec<ArrayRef>> {
    let bad = || ExecError::Internal("a packed string key is not what it was packed as".into());
    let rows: Vec<&[u8]> = rows.collect();
    // The rows' bytes bound their text: shared out evenly, the builders
    // seldom grow (each growth copies what they hold).
    let text = rows.iter().map(|r| r.len()).sum::<usize>() / count.max(1);
    let mut columns: Vec<_> =
        (0..count).map(|_| arrow_array::builder::StringBuilder::with_capacity(rows.len(), text)).collect();
    for row in rows {
        let mut at = 0;
        for column in columns.iter_mut() {
            let (mut len, mut shift) = (0usize, 0);
            loop {
                let b = *row.get(at).ok_or_else(bad)?;
                if shift > 56 {
                    return Err(bad());
                }
                at += 1;
                len |= usize::from(b & 0x7F) << shift;
                shift += 7;
                if b < 0x80 {
                    break;
                }
            }
            if len == 0 {
                column.append_null();
            } else {
                let text = row.get(at..at.saturating_add(len - 1)).ok_or_else(bad)?;
                column.append_value(std::str::from_utf8(text).map_err(|_| bad())?);
                at += len - 1;
            }
        }
        if at != row.len() {
            return Err(bad());
        }
    }
    Ok(columns.into_iter().map(|mut b| Arc::new(b.finish()) as ArrayRef).collect())
}

/// String columns packed row by row: per value, 0 for null, else its
/// length + 1 (LEB128) and its bytes — so a row's bytes decode one way
/// only, and ("ab", "c") differs from ("a", "bc").
fn pack_strings(cols: &[ArrayRef], rows: Option<&[u32]>) -> Result<KeyRows> {
    let strings: Vec<&StringArray> = cols
        .iter()
        .map(|c| {
            c.as_string_opt::<i32>().ok_or_else(|| {
                ExecError::Internal(format!("a string key column came as {} in a later batch", c.data_type()))
            })
        })
        .collect::<Result<_>>()?;
    let n = rows.map_or_else(|| cols.first().map_or(0, |c| c.len()), <[u32]>::len);
    let row_at = |i: usize| rows.map_or(i, |r| r[i] as usize);
    let text: usize = match rows {
        None => strings.iter().map(|s| (s.value_offsets()[s.len()] - s.value_offsets()[0]) as usize).sum(),
        Some(_) => (0..n).map(|i| strings.iter().map(|s| s.value_length(row_at(i)) as usize).sum::<usize>()).sum(),
    };
    let mut bytes = Vec::with_capacity(text + n * strings.len() * 2);
    let mut ends = Vec::with_capacity(n);
    for i in 0..n {
        let r = row_at(i);
        for s in &strings {
            if s.is_null(r) {
                bytes.push(0);
            } else {
                let v = s.value(r).as_bytes();
                let mut len = v.len() as u64 + 1;
                while len >= 0x80 {
                    bytes.push((len as u8) | 0x80);
                    len >>= 7;
                }
                bytes.push(len as u8);
                bytes.extend_from_slice(v);
            }
        }
        ends.push(bytes.len());
    }
    Ok(KeyRows::Packed { bytes, ends })
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

    /// The bytes of key number `k`.
    pub fn key(&self, k: usize) -> &[u8] {
        Self::bytes(&self.chunks, self.at[k])
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
    use super::{KeyEncoder, KeyRows, KeyTable};
    use arrow_array::{ArrayRef, StringArray};
    use arrow_row::{RowConverter, SortField};
    use arrow_schema::DataType;
    use proptest::prelude::*;
    use std::sync::Arc;

    /// Values that meet at column borders ("a" + "b" = "ab"), "" and null,
    /// non-ASCII text, and lengths whose LEB128 takes two bytes (127+).
    fn value() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            Just(Some(String::new())),
            Just(Some("a".to_string())),
            Just(Some("b".to_string())),
            Just(Some("ab".to_string())),
            Just(Some("é🌐".to_string())),
            (125usize..131).prop_map(|n| Some("x".repeat(n))),
        ]
    }

    fn table() -> impl Strategy<Value = Vec<Vec<Option<String>>>> {
        (1usize..4).prop_flat_map(|columns| prop::collection::vec(prop::collection::vec(value(), columns), 0..40))
    }

    fn columns(rows: &[Vec<Option<String>>], count: usize) -> Vec<ArrayRef> {
        (0..count).map(|c| Arc::new(rows.iter().map(|r| r[c].clone()).collect::<StringArray>()) as ArrayRef).collect()
    }

    proptest! {
        /// Packed string keys are equal exactly when Arrow's row format
        /// (the encoding for every other key type) says they are, decode
        /// to the columns they came from, and `encode_rows` packs the rows
        /// asked for as `encode` packs them.
        #[test]
        fn packed_string_keys_agree_with_the_row_format(rows in table(), pick in prop::collection::vec(0usize..40, 0..20)) {
            let count = rows.first().map_or(1, Vec::len);
            let cols = columns(&rows, count);
            let enc = KeyEncoder::new(&vec![DataType::Utf8; count]).unwrap();
            let packed = enc.encode(&cols).unwrap();
            prop_assert!(matches!(packed, KeyRows::Packed { .. }), "string keys packed");
            let conv = RowConverter::new(vec![SortField::new(DataType::Utf8); count]).unwrap();
            let reference = conv.convert_columns(&cols).unwrap();
            prop_assert_eq!(packed.num_rows(), rows.len());
            for i in 0..rows.len() {
                for j in 0..rows.len() {
                    prop_assert_eq!(packed.row(i) == packed.row(j), reference.row(i) == reference.row(j));
                    prop_assert_eq!(packed.row(i) == packed.row(j), rows[i] == rows[j]);
                }
            }
            let decoded = enc.decode((0..packed.num_rows()).map(|i| packed.row(i))).unwrap();
            prop_assert_eq!(&decoded, &cols);
            let at: Vec<u32> = pick.iter().filter(|p| **p < rows.len()).map(|p| *p as u32).collect();
            let some = enc.encode_rows(&cols, &at).unwrap();
            prop_assert_eq!(some.num_rows(), at.len());
            for (k, r) in at.iter().enumerate() {
                prop_assert_eq!(some.row(k), packed.row(*r as usize));
            }
        }
    }

    #[test]
    fn other_key_types_take_the_row_format_and_decode_back() {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec![Some("a"), None, Some("a")])),
            Arc::new(arrow_array::Int64Array::from(vec![Some(1), Some(2), Some(1)])),
        ];
        let enc = KeyEncoder::new(&[DataType::Utf8, DataType::Int64]).unwrap();
        let rows = enc.encode(&cols).unwrap();
        assert!(matches!(rows, KeyRows::Rows(_)));
        assert_eq!(rows.row(0), rows.row(2));
        assert_ne!(rows.row(0), rows.row(1));
        assert_eq!(enc.decode((0..3).map(|i| rows.row(i))).unwrap(), cols);
    }

    #[test]
    fn malformed_packed_bytes_are_an_error_not_a_panic() {
        let enc = KeyEncoder::new(&[DataType::Utf8, DataType::Utf8]).unwrap();
        // Cut short, a length past the end, a length of 9+ LEB128 bytes,
        // bytes left over, text that is not UTF-8.
        for bad in [&[2u8, b'a'][..], &[9, b'a', 1], &[0xFF; 12], &[1, 1, 1], &[2, 0xC3, 1]] {
            assert!(enc.decode(std::iter::once(bad)).is_err(), "{bad:?}");
        }
    }

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
