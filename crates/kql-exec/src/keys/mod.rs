//! Row keys for grouping, distinct and joins: any combination of columns
//! turned into bytes that are equal exactly when the keys are.

mod codes;

use codes::NOT_NUMBERED;
pub use codes::StringCodes;

use crate::error::{ExecError, Result};
use crate::physical::{DynRepr, dyn_repr};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BinaryArray, StringArray};
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
/// [`KeyEncoder`] itself (per value its length and bytes, or its number in
/// a dictionary; see [`pack_strings`]): Arrow's
/// row format, which makes bytes that also *sort* like the keys, pads
/// strings into blocks and costs several times more per row — and
/// grouping, distinct and joins only compare the bytes for equality.
/// A `summarize`'s string keys are numbered as well ([`StringCodes`],
/// [`KeyEncoder::numbered`]). Other key types take the row format.
pub struct KeyEncoder {
    codec: Codec,
}

enum Codec {
    /// Every key a `Utf8` column (this many), their values numbered where
    /// the dictionaries hold them.
    Strings {
        count: usize,
        codes: Option<StringCodes>,
    },
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
    /// Rows' bytes as a column (read back from a spill file).
    Binary(BinaryArray),
}

impl KeyRows {
    pub fn num_rows(&self) -> usize {
        match self {
            KeyRows::Packed { ends, .. } => ends.len(),
            KeyRows::Rows(rows) => rows.num_rows(),
            KeyRows::Binary(a) => a.len(),
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
            KeyRows::Binary(a) => a.value(i),
        }
    }

    /// Every row's bytes as a column (to spill them): packed rows without
    /// copying their bytes.
    pub fn into_binary(self) -> Result<BinaryArray> {
        match self {
            KeyRows::Binary(a) => Ok(a),
            KeyRows::Packed { bytes, ends } => {
                let too_big = || ExecError::Internal("a batch of key bytes past 2 GiB".into());
                let offsets = std::iter::once(Ok(0))
                    .chain(ends.iter().map(|e| i32::try_from(*e).map_err(|_| too_big())))
                    .collect::<Result<Vec<i32>>>()?;
                let offsets = arrow_buffer::OffsetBuffer::new(arrow_buffer::ScalarBuffer::from(offsets));
                Ok(BinaryArray::try_new(offsets, arrow_buffer::Buffer::from_vec(bytes), None)?)
            }
            rows @ KeyRows::Rows(_) => rows.select(&(0..rows.num_rows() as u32).collect::<Vec<_>>()).into_binary(),
        }
    }

    /// The bytes of the rows `rows`, in that order.
    pub fn select(&self, rows: &[u32]) -> KeyRows {
        let mut bytes = Vec::with_capacity(rows.iter().map(|r| self.row(*r as usize).len()).sum());
        let mut ends = Vec::with_capacity(rows.len());
        for r in rows {
            bytes.extend_from_slice(self.row(*r as usize));
            ends.push(bytes.len());
        }
        KeyRows::Packed { bytes, ends }
    }
}

impl KeyEncoder {
    pub fn new(types: &[DataType]) -> Result<Self> {
        if all_strings(types) {
            return Ok(KeyEncoder { codec: Codec::Strings { count: types.len(), codes: None } });
        }
        let fields = types.iter().map(|t| SortField::new(t.clone())).collect();
        Ok(KeyEncoder { codec: Codec::Rows(RowConverter::new(fields)?) })
    }

    /// As [`KeyEncoder::new`], string keys' values numbered as well, in
    /// dictionaries of at most `cap` bytes reserved from `pool`
    /// ([`StringCodes`]).
    pub fn numbered(
        types: &[DataType],
        cap: u64,
        pool: &Arc<crate::limits::MemoryPool>,
        operator: &'static str,
    ) -> Result<Self> {
        if all_strings(types) {
            let codes = StringCodes::new(types.len(), cap, pool, operator);
            return Ok(KeyEncoder { codec: Codec::Strings { count: types.len(), codes: Some(codes) } });
        }
        Self::new(types)
    }

    /// Bytes its dictionaries hold (0 without).
    pub fn dictionary_bytes(&self) -> u64 {
        match &self.codec {
            Codec::Strings { codes: Some(c), .. } => c.held_bytes(),
            _ => 0,
        }
    }

    /// Every row of `cols`.
    pub fn encode(&self, cols: &[ArrayRef]) -> Result<KeyRows> {
        match &self.codec {
            Codec::Strings { codes, .. } => pack_strings(cols, codes.as_ref()),
            Codec::Rows(conv) => Ok(KeyRows::Rows(conv.convert_columns(cols)?)),
        }
    }

    /// The key columns back from rows' bytes this encoder made, one value
    /// per row, in order.
    pub fn decode<'a>(&self, rows: impl ExactSizeIterator<Item = &'a [u8]>) -> Result<Vec<ArrayRef>> {
        match &self.codec {
            Codec::Strings { count, codes } => unpack_strings(*count, rows, codes.as_ref()),
            Codec::Rows(conv) => {
                let parser = conv.parser();
                let rows: Vec<&[u8]> = rows.collect();
                Ok(conv.convert_rows(rows.iter().map(|r| parser.parse(r)))?)
            }
        }
    }
}

fn all_strings(types: &[DataType]) -> bool {
    !types.is_empty() && types.iter().all(|t| *t == DataType::Utf8)
}

/// Appends `v` as LEB128.
fn put_varint(bytes: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        bytes.push((v as u8) | 0x80);
        v >>= 7;
    }
    bytes.push(v as u8);
}

/// The LEB128 number at `*at` of `row`, `*at` moved past it.
fn get_varint(row: &[u8], at: &mut usize) -> Option<u64> {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let b = *row.get(*at)?;
        if shift > 56 {
            return None;
        }
        *at += 1;
        v |= u64::from(b & 0x7F) << shift;
        shift += 7;
        if b < 0x80 {
            return Some(v);
        }
    }
}

/// String columns from rows [`pack_strings`] made (with the same
/// dictionaries): numbered values are copied from the dictionaries as the
/// text they hold (UTF-8 already), text from the rows checked to be UTF-8.
fn unpack_strings<'a>(
    count: usize,
    rows: impl ExactSizeIterator<Item = &'a [u8]>,
    codes: Option<&StringCodes>,
) -> Result<Vec<ArrayRef>> {
    let bad = || ExecError::Internal("a packed string key is not what it was packed as".into());
    let rows: Vec<&[u8]> = rows.collect();
    // The rows' bytes bound their text where nothing is numbered.
    let text = rows.iter().map(|r| r.len()).sum::<usize>() / count.max(1);
    let mut columns: Vec<_> =
        (0..count).map(|_| arrow_array::builder::StringBuilder::with_capacity(rows.len(), text)).collect();
    let reader = codes.map(StringCodes::reader);
    // Each column's text so far: an Arrow string column holds < 2 GiB.
    let mut sizes = vec![0usize; count];
    let mut fits = |c: usize, len: usize| {
        sizes[c] += len;
        if sizes[c] > i32::MAX as usize {
            return Err(ExecError::Internal("a batch of string keys past 2 GiB of text".into()));
        }
        Ok(())
    };
    for row in &rows {
        let mut at = 0;
        for (c, column) in columns.iter_mut().enumerate() {
            let v = get_varint(row, &mut at).ok_or_else(bad)?;
            if v == 0 {
                column.append_null();
            } else if v % 2 == 1 {
                let code = u32::try_from(v / 2).map_err(|_| bad())?;
                let value = reader.as_ref().and_then(|r| r.value(c, code)).ok_or_else(bad)?;
                fits(c, value.len())?;
                column.append_value(value);
            } else {
                let len = usize::try_from(v / 2 - 1).map_err(|_| bad())?;
                let text = row.get(at..at.saturating_add(len)).ok_or_else(bad)?;
                fits(c, len)?;
                column.append_value(std::str::from_utf8(text).map_err(|_| bad())?);
                at += len;
            }
        }
        if at != row.len() {
            return Err(bad());
        }
    }
    Ok(columns.into_iter().map(|mut b| Arc::new(b.finish()) as ArrayRef).collect())
}

/// String columns packed row by row: per value a LEB128 number — 0 for
/// null, `2 × number + 1` for a value its column's dictionary holds
/// (`codes`), else `2 × (length + 1)` followed by its bytes — so a row's
/// bytes decode one way only, ("ab", "c") differs from ("a", "bc"), and
/// equal keys give equal bytes (a value is numbered or not whatever the
/// row, see [`StringCodes`]).
fn pack_strings(cols: &[ArrayRef], codes: Option<&StringCodes>) -> Result<KeyRows> {
    let strings: Vec<&StringArray> = cols
        .iter()
        .map(|c| {
            c.as_string_opt::<i32>().ok_or_else(|| {
                ExecError::Internal(format!("a string key column came as {} in a later batch", c.data_type()))
            })
        })
        .collect::<Result<_>>()?;
    let n = cols.first().map_or(0, |c| c.len());
    let numbers: Vec<Vec<u32>> = match codes {
        Some(codes) => strings.iter().enumerate().map(|(k, s)| codes.numbers(k, s)).collect(),
        None => Vec::new(),
    };
    let text: usize = strings.iter().map(|s| (s.value_offsets()[s.len()] - s.value_offsets()[0]) as usize).sum();
    let guess = if numbers.is_empty() { text + n * strings.len() * 2 } else { n * strings.len() * 4 };
    let mut bytes = Vec::with_capacity(guess);
    let mut ends = Vec::with_capacity(n);
    for i in 0..n {
        for (k, s) in strings.iter().enumerate() {
            match numbers.get(k).map(|numbers| numbers[i]) {
                Some(code) if code != NOT_NUMBERED => put_varint(&mut bytes, 2 * u64::from(code) + 1),
                _ if s.is_null(i) => bytes.push(0),
                _ => {
                    let v = s.value(i).as_bytes();
                    put_varint(&mut bytes, 2 * (v.len() as u64 + 1));
                    bytes.extend_from_slice(v);
                }
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
        /// (the encoding for every other key type) says they are, and
        /// decode to the columns they came from.
        #[test]
        fn packed_string_keys_agree_with_the_row_format(rows in table()) {
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
        }

        /// Numbered string keys, the rows encoded in two halves (so the
        /// second meets values the first numbered, and, with a small cap,
        /// values left as text), are equal exactly when
        /// the keys are, and decode to them.
        #[test]
        fn numbered_string_keys_are_equal_exactly_when_the_keys_are(rows in table(), cap in prop_oneof![Just(1u64), Just(100u64), Just(1u64 << 30)]) {
            let count = rows.first().map_or(1, Vec::len);
            let pool = crate::limits::MemoryPool::new(1 << 30);
            let enc = KeyEncoder::numbered(&vec![DataType::Utf8; count], cap, &pool, "test").unwrap();
            let half = rows.len() / 2;
            let (first, second) = (columns(&rows[..half], count), columns(&rows[half..], count));
            let a = enc.encode(&first).unwrap();
            let b = enc.encode(&second).unwrap();
            let all: Vec<&[u8]> = (0..a.num_rows()).map(|i| a.row(i)).chain((0..b.num_rows()).map(|i| b.row(i))).collect();
            for i in 0..rows.len() {
                for j in 0..rows.len() {
                    prop_assert_eq!(all[i] == all[j], rows[i] == rows[j]);
                }
            }
            let decoded = enc.decode(all.iter().copied()).unwrap();
            prop_assert_eq!(&decoded, &columns(&rows, count));
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
    fn rows_as_a_binary_column_keep_each_rows_bytes() {
        let cols: Vec<ArrayRef> = vec![Arc::new(StringArray::from(vec![Some("ab"), None, Some(""), Some("ab")]))];
        let long: Vec<ArrayRef> = vec![Arc::new(arrow_array::Int64Array::from(vec![Some(7), None, Some(-1)]))];
        for (types, cols) in [(vec![DataType::Utf8], cols), (vec![DataType::Int64], long)] {
            let rows = KeyEncoder::new(&types).unwrap().encode(&cols).unwrap();
            let expected: Vec<Vec<u8>> = (0..rows.num_rows()).map(|i| rows.row(i).to_vec()).collect();
            let picked = rows.select(&[2, 0]);
            assert_eq!(picked.row(0), &expected[2][..]);
            assert_eq!(picked.row(1), &expected[0][..]);
            let binary = rows.into_binary().unwrap();
            let got: Vec<Vec<u8>> = binary.iter().map(|r| r.unwrap().to_vec()).collect();
            assert_eq!(got, expected);
            // Read back (as from a spill file), the same rows.
            let back = KeyRows::Binary(binary);
            assert_eq!((0..back.num_rows()).map(|i| back.row(i).to_vec()).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn malformed_packed_bytes_are_an_error_not_a_panic() {
        let enc = KeyEncoder::new(&[DataType::Utf8, DataType::Utf8]).unwrap();
        // Cut short, a length past the end, a length of 9+ LEB128 bytes,
        // bytes left over, text that is not UTF-8,
        // a number without dictionaries.
        for bad in [&[6u8, b'a'][..], &[20, b'a', 2], &[0xFF; 12], &[2, 2, 2], &[4, 0xC3, 2], &[3, 2]] {
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
