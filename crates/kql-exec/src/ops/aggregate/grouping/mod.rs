//! Rows of one batch grouped by their `by` keys, by the shape of the keys:
//! every key a dictionary (grouped by dictionary indices,
//! [`dictionary`]), anything else by the bytes the key encoder makes of
//! each row ([`rows`]: string keys packed with their values numbered,
//! other types as Arrow row bytes; rows read back from a spill file come as
//! those bytes). The batch's groups are then joined to the pass's global
//! groups, a `keys::KeyTable` keyed by the groups' bytes (`super::Grouping`).

mod dictionary;
mod rows;

use crate::error::{ExecError, Result};
use crate::eval::{EvalCx, eval};
use crate::keys::{KeyEncoder, KeyRows};
use crate::source::dictionary_string;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use dictionary::group_indices;
use kql_plan::optimize::{Names, referenced_columns};
use kql_plan::plan::{Aggregate, Expr, ExprKind};
use kql_syntax::ScalarType;
use rows::group_encoded;
use std::sync::Arc;

/// One batch made ready for aggregation: each aggregation's arguments,
/// and its rows grouped by key.
pub(super) struct Prepared {
    pub(super) rows: usize,
    pub(super) args: Vec<Vec<ArrayRef>>,
    /// `None` without `by` keys (one group).
    pub(super) local: Option<LocalGroups>,
}

/// A batch's own groups: each row's group, each group's first row and
/// their keys' bytes, in group order. Two groups of a batch may have
/// equal keys (a dictionary can hold a value twice, and a null key is
/// ""): the global table, keyed by those bytes, joins them.
pub(super) struct LocalGroups {
    pub(super) encoded: KeyRows,
    /// The hash of each group's row bytes, for the global table.
    pub(super) hashes: Vec<u64>,
    pub(super) ids: Vec<u32>,
    pub(super) first_rows: Vec<u32>,
    /// Every row's key bytes (spilled as they are), or, where the rows were
    /// grouped by dictionary indices, every row's keys as dictionaries.
    pub(super) rows: RowKeys,
}

pub(super) enum RowKeys {
    Bytes(KeyRows),
    Dictionaries(Vec<ArrayRef>),
}

impl LocalGroups {
    /// The key bytes of rows `rows`, as a column to spill.
    pub(super) fn key_column(&self, encoder: &KeyEncoder, rows: &[u32]) -> Result<ArrayRef> {
        let bytes = match &self.rows {
            RowKeys::Bytes(bytes) => bytes.select(rows),
            RowKeys::Dictionaries(keys) => {
                let idx = UInt32Array::from(rows.to_vec());
                let texts: Vec<ArrayRef> =
                    keys.iter().map(|k| as_text(&arrow_select::take::take(k, &idx, None)?)).collect::<Result<_>>()?;
                encoder.encode(&texts)?
            }
        };
        Ok(Arc::new(bytes.into_binary()?))
    }
}

/// The keys that are bare string columns read by nothing else of the
/// `summarize`: a scan may hand them over as dictionaries.
pub(super) fn dictionary_keys(keys: &[(String, Expr)], aggregates: &[Aggregate]) -> Vec<String> {
    let mut elsewhere = Names::new();
    for (_, e) in keys.iter().filter(|(_, e)| !matches!(e.kind, ExprKind::Column(_))) {
        referenced_columns(e, &mut elsewhere);
    }
    for e in aggregates.iter().flat_map(|a| a.args.iter()) {
        referenced_columns(e, &mut elsewhere);
    }
    keys.iter()
        .filter_map(|(_, e)| match &e.kind {
            ExprKind::Column(c) if e.ty.scalar() == Some(ScalarType::String) && !elsewhere.contains(c) => {
                Some(c.clone())
            }
            _ => None,
        })
        .collect()
}

/// A key's values over `b`: a dictionary column as it came, anything else evaluated.
pub(super) fn key_values(e: &Expr, b: &RecordBatch, cx: &EvalCx<'_>) -> Result<ArrayRef> {
    if let ExprKind::Column(c) = &e.kind
        && let Some(a) = b.column_by_name(c)
        && *a.data_type() == dictionary_string()
    {
        return Ok(a.clone());
    }
    Ok(eval(e, b, cx)?.to_array(b.num_rows()))
}

/// A dictionary-encoded string key as text (null keys as ""), as a scan
/// would have read it; others as they are.
pub(super) fn as_text(a: &ArrayRef) -> Result<ArrayRef> {
    if *a.data_type() == dictionary_string() {
        crate::physical::normalize_column(a, ScalarType::String).map_err(ExecError::Internal)
    } else {
        Ok(a.clone())
    }
}

/// One batch's keys (as evaluated: dictionaries where a scan gave them)
/// and aggregate arguments, grouped.
pub(super) fn prepare(
    key_arrays: Vec<ArrayRef>,
    args: Vec<Vec<ArrayRef>>,
    n: usize,
    encoder: Option<&KeyEncoder>,
    hasher: &ahash::RandomState,
) -> Result<Prepared> {
    let local = match encoder {
        Some(enc) if !key_arrays.is_empty() => {
            let dictionaries: Option<Vec<&DictionaryArray<Int32Type>>> =
                key_arrays.iter().map(|k| k.as_dictionary_opt::<Int32Type>()).collect();
            match dictionaries {
                // Every key a dictionary: rows grouped by their keys'
                // indices, the groups keyed by their first rows' text.
                Some(d) => {
                    let (ids, first_rows) = group_indices(&d, n);
                    let idx = UInt32Array::from(first_rows.clone());
                    let firsts: Vec<ArrayRef> = key_arrays
                        .iter()
                        .map(|k| as_text(&arrow_select::take::take(k, &idx, None)?))
                        .collect::<Result<_>>()?;
                    let encoded = enc.encode(&firsts)?;
                    let hashes = (0..encoded.num_rows()).map(|g| hasher.hash_one(encoded.row(g))).collect();
                    Some(LocalGroups { encoded, hashes, ids, first_rows, rows: RowKeys::Dictionaries(key_arrays) })
                }
                None => {
                    let texts: Vec<ArrayRef> = key_arrays.iter().map(as_text).collect::<Result<_>>()?;
                    Some(group_bytes(enc.encode(&texts)?, hasher))
                }
            }
        }
        _ => None,
    };
    Ok(Prepared { rows: n, args, local })
}

/// Rows whose keys are already bytes (read back from a spill file), and
/// their aggregate arguments, grouped.
pub(super) fn prepare_encoded(keys: KeyRows, args: Vec<Vec<ArrayRef>>, hasher: &ahash::RandomState) -> Prepared {
    Prepared { rows: keys.num_rows(), args, local: Some(group_bytes(keys, hasher)) }
}

fn group_bytes(rows: KeyRows, hasher: &ahash::RandomState) -> LocalGroups {
    let (ids, first_rows, hashes) = group_encoded(&rows, hasher);
    let encoded = rows.select(&first_rows);
    LocalGroups { encoded, hashes, ids, first_rows, rows: RowKeys::Bytes(rows) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use std::sync::Arc;

    /// Groups as sets of row numbers, whatever their numbering.
    fn partition(ids: &[u32], first_rows: &[u32]) -> Vec<Vec<usize>> {
        let mut groups = vec![Vec::new(); first_rows.len()];
        for (i, g) in ids.iter().enumerate() {
            groups[*g as usize].push(i);
        }
        // Each group's first row is its first member.
        for (g, rows) in groups.iter().enumerate() {
            assert_eq!(rows[0], first_rows[g] as usize);
        }
        groups
    }

    /// `columns` dictionary arrays of `n` rows over `values` distinct
    /// values each (keys from a small range, some null), and the same keys
    /// as text.
    fn dictionaries(columns: usize, values: usize, n: usize) -> (Vec<ArrayRef>, Vec<ArrayRef>) {
        let mut x = 5u64;
        let mut dicts = Vec::new();
        let mut texts = Vec::new();
        for _ in 0..columns {
            let vals: ArrayRef = Arc::new((0..values).map(|v| Some(format!("v{v}"))).collect::<StringArray>());
            let keys: Int32Array = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let k = (x >> 33) % 4;
                    (k < 3).then_some(k as i32 * 3)
                })
                .collect();
            let d: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::try_new(keys, vals).unwrap());
            texts.push(as_text(&d).unwrap());
            dicts.push(d);
        }
        (dicts, texts)
    }

    #[test]
    fn dictionary_indices_group_as_text_does() {
        // 10 values per column fit one number; 10,000 in five columns do
        // not (10,001^5 > 2^64): the indices are then grouped as slices.
        for (columns, values, n) in [(3, 10, 3_000), (5, 10_000, 20_000)] {
            let (dicts, texts) = dictionaries(columns, values, n);
            let refs: Vec<&DictionaryArray<Int32Type>> = dicts.iter().map(|d| d.as_dictionary::<Int32Type>()).collect();
            let (ids, firsts) = group_indices(&refs, n);
            let types = vec![arrow_schema::DataType::Utf8; columns];
            let rows = KeyEncoder::new(&types).unwrap().encode(&texts).unwrap();
            let (row_ids, row_firsts, _) = group_encoded(&rows, &ahash::RandomState::new());
            assert_eq!(partition(&ids, &firsts), partition(&row_ids, &row_firsts), "{columns} × {values}");
            // Four choices per column (three keys and null), all present.
            assert_eq!(firsts.len(), 4usize.pow(columns as u32));
        }
    }

    #[test]
    fn string_keys_group_by_their_values() {
        // Two columns from a small alphabet, with "" and null, so keys
        // repeat and ("ab", "c") meets ("a", "bc"); encoded in two batches
        // by a numbering encoder, so the second meets numbered values.
        let words = [Some("a"), Some("ab"), Some("bc"), Some("c"), Some(""), None];
        let mut x = 17u64;
        let mut pick = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            words[(x >> 33) as usize % words.len()]
        };
        let n = 5_000;
        let a: Vec<Option<&str>> = (0..n).map(|_| pick()).collect();
        let b: Vec<Option<&str>> = (0..n).map(|_| pick()).collect();
        let pool = crate::limits::MemoryPool::new(1 << 30);
        let types = [arrow_schema::DataType::Utf8, arrow_schema::DataType::Utf8];
        let enc = KeyEncoder::numbered(&types, 1 << 20, &pool, "test").unwrap();
        let hasher = ahash::RandomState::new();
        let half = n / 2;
        let batch = |r: std::ops::Range<usize>| -> Vec<ArrayRef> {
            vec![
                Arc::new(a[r.clone()].iter().copied().collect::<StringArray>()),
                Arc::new(b[r].iter().copied().collect::<StringArray>()),
            ]
        };
        let first = enc.encode(&batch(0..half)).unwrap();
        let second = enc.encode(&batch(half..n)).unwrap();
        let (ids, firsts, hashes) = group_encoded(&first, &hasher);
        // Within a batch: rows share a group exactly when their values are equal.
        for i in 0..half {
            let g = firsts[ids[i] as usize] as usize;
            assert_eq!((a[i], b[i]), (a[g], b[g]));
        }
        assert_eq!(firsts.len(), 36, "6 × 6 combinations, every one present");
        // Across batches: equal keys hash alike (the global table's join).
        let (ids2, firsts2, hashes2) = group_encoded(&second, &hasher);
        for (g2, &f2) in firsts2.iter().enumerate() {
            let row = half + f2 as usize;
            let g = (0..half).find(|&i| (a[i], b[i]) == (a[row], b[row])).map(|i| ids[i] as usize).unwrap();
            assert_eq!(hashes2[g2], hashes[g]);
            assert_eq!(second.row(f2 as usize), first.row(firsts[g] as usize));
        }
        assert_eq!(ids2.len(), n - half);
    }
}
