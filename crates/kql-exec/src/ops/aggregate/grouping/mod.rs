//! Rows of one batch grouped by their `by` keys, by the shape of the keys:
//! every key a dictionary (grouped by dictionary indices,
//! [`dictionary`]), every key a string column (hashed and compared in
//! place, [`strings`]), anything else (Arrow row bytes, [`rows`]). The
//! batch's groups are then joined to the pass's global groups, a
//! `keys::KeyTable` keyed by the groups' row bytes (`super::Grouping`).

mod dictionary;
mod rows;
mod strings;

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
use rows::group_rows;
use strings::group_strings;

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
    /// Every row's keys (dictionaries where a scan gave them), for the
    /// groups' keys and for spilling.
    pub(super) keys: Vec<ArrayRef>,
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
    mut key_arrays: Vec<ArrayRef>,
    args: Vec<Vec<ArrayRef>>,
    n: usize,
    encoder: Option<&KeyEncoder>,
    hasher: &ahash::RandomState,
) -> Result<Prepared> {
    let local = match encoder {
        Some(enc) if !key_arrays.is_empty() => {
            let dictionaries: Option<Vec<&DictionaryArray<Int32Type>>> =
                key_arrays.iter().map(|k| k.as_dictionary_opt::<Int32Type>()).collect();
            let (ids, first_rows) = match dictionaries {
                // Every key a dictionary: rows grouped by their keys' indices.
                Some(d) => group_indices(&d, n),
                None => {
                    key_arrays = key_arrays.iter().map(as_text).collect::<Result<_>>()?;
                    if key_arrays.iter().all(|k| k.data_type() == &arrow_schema::DataType::Utf8) {
                        group_strings(&key_arrays, n)
                    } else {
                        group_rows(enc, &key_arrays, n)?
                    }
                }
            };
            // The global table is keyed by the bytes of each group's first
            // row's keys, as text (read in place unless they are dictionaries).
            let encoded = if key_arrays.iter().all(|k| *k.data_type() != dictionary_string()) {
                enc.encode_rows(&key_arrays, &first_rows)?
            } else {
                let idx = UInt32Array::from(first_rows.clone());
                let firsts: Vec<ArrayRef> = key_arrays
                    .iter()
                    .map(|k| as_text(&arrow_select::take::take(k, &idx, None)?))
                    .collect::<Result<_>>()?;
                enc.encode(&firsts)?
            };
            let hashes = (0..encoded.num_rows()).map(|g| hasher.hash_one(encoded.row(g))).collect();
            Some(LocalGroups { encoded, hashes, ids, first_rows, keys: key_arrays })
        }
        _ => None,
    };
    Ok(Prepared { rows: n, args, local })
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
            let (row_ids, row_firsts) = group_rows(&KeyEncoder::new(&types).unwrap(), &texts, n).unwrap();
            assert_eq!(partition(&ids, &firsts), partition(&row_ids, &row_firsts), "{columns} × {values}");
            // Four choices per column (three keys and null), all present.
            assert_eq!(firsts.len(), 4usize.pow(columns as u32));
        }
    }

    #[test]
    fn string_keys_group_as_row_bytes_do() {
        // Two columns from a small alphabet, with "" and null, so keys
        // repeat and ("ab", "c") meets ("a", "bc").
        let words = [Some("a"), Some("ab"), Some("bc"), Some("c"), Some(""), None];
        let mut x = 17u64;
        let mut pick = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            words[(x >> 33) as usize % words.len()]
        };
        let n = 5_000;
        let a: ArrayRef = Arc::new((0..n).map(|_| pick()).collect::<StringArray>());
        let b: ArrayRef = Arc::new((0..n).map(|_| pick()).collect::<StringArray>());
        let keys = vec![a, b];
        let enc = KeyEncoder::new(&[arrow_schema::DataType::Utf8, arrow_schema::DataType::Utf8]).unwrap();
        let (ids, firsts) = group_strings(&keys, n);
        let (row_ids, row_firsts) = group_rows(&enc, &keys, n).unwrap();
        assert_eq!(partition(&ids, &firsts), partition(&row_ids, &row_firsts));
        // 6 × 6 combinations, every one present in 5,000 rows.
        assert_eq!(firsts.len(), 36);
    }
}
