//! `evaluate ipv4_lookup(LookupTable, SourceIPv4Key, IPv4LookupKey [,
//! ExtraKey …] [, return_unmatched])` (the ipv4_lookup plugin page,
//! <https://learn.microsoft.com/kusto/query/ipv4-lookup-plugin>): a join
//! of the input with a table of IPv4 ranges.
//!
//! The lookup table (the build side, small by the page's note) is read
//! whole and indexed once: each range by (extra key, prefix length,
//! network). An input row's address — with its own prefix, if it has one,
//! applied, as `ipv4_is_in_range` takes it — then costs one hash lookup per
//! prefix length the table uses (at most 33), not one test per range. A
//! row gets every range holding it ("as many records as matching results",
//! the page; a lookup returns one row per matching right row), in the
//! lookup table's order; text that is not an IPv4 address (or range)
//! matches nothing. Extra keys match as a lookup's keys do (strings
//! equal, "" included; null non-string keys match nothing). Output rows
//! come in the input's order.

use super::index::Index;
use super::probe::{OUT_BATCH, Pairs, assemble};
use super::{KeyTypes, Mode, Spec, key_columns};
use crate::error::{ExecError, Result};
use crate::functions::ip::{mask, parse_ipv4};
use crate::keys::KeyMap;
use crate::ops::Executor;
use crate::source::Stream;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::DataType;
use kql_plan::plan::{JoinOutput, Plan, Side};

/// The lookup table's ranges, indexed.
struct Ranges {
    /// Lookup rows by (extra-key group, prefix length, network address),
    /// in the table's order.
    rows: KeyMap<(u32, u8, u32), Vec<u32>>,
    /// Per extra-key group, the prefix lengths its ranges have (bit n: /n).
    lengths: Vec<u64>,
    /// The extra keys' index (their groups), if there are extra keys.
    extra: Option<Index>,
}

#[allow(clippy::too_many_arguments)]
pub fn ipv4_lookup<'a>(
    ex: &'a Executor<'a>,
    left: &'a Plan,
    right: &'a Plan,
    source: &'a str,
    key: &'a str,
    extra: &'a [(String, String)],
    unmatched: bool,
    output: &'a [JoinOutput],
    plan: &'a Plan,
) -> Result<Stream<'a>> {
    let mode = if unmatched { Mode::ProbeOuter } else { Mode::Inner };
    let spec = Spec::new(Side::Right, (left, right), mode, extra, output, plan);
    let (batches, mut held) = ex.collect_held(right, "ipv4_lookup")?;
    if !unmatched && batches.iter().all(|b| b.num_rows() == 0) {
        return Ok(crate::ops::empty_stream());
    }
    let schema = batches.first().map_or_else(|| crate::ops::default_schema(right), |b| b.schema());
    let built = arrow_select::concat::concat_batches(&schema, &batches)?;
    drop(batches);
    let rows = built.num_rows();
    let types = KeyTypes::of(&spec);

    // Each lookup row's extra-key group (all in group 0 without extra keys).
    let (groups, index) = if extra.is_empty() {
        (vec![Some(0); rows], None)
    } else {
        let names: Vec<String> = extra.iter().map(|(_, r)| r.clone()).collect();
        let keys = key_columns(&built, &names, &types.build, &types.common)?;
        let index = Index::build(&keys, rows, false)?;
        (index.probe(&keys)?, Some(index))
    };
    let texts = strings(&built, key)?;
    let mut ranges =
        Ranges { rows: KeyMap::default(), lengths: vec![0; index.as_ref().map_or(1, Index::keys)], extra: index };
    for (r, g) in groups.iter().enumerate() {
        let (Some(g), Some(ip)) = (g, (texts.is_valid(r)).then(|| parse_ipv4(texts.value(r))).flatten()) else {
            continue;
        };
        let net = ip.addr & mask(ip.prefix);
        ranges.rows.entry((*g, ip.prefix as u8, net)).or_default().push(r as u32);
        ranges.lengths[*g as usize] |= 1 << ip.prefix;
    }
    held.grow(ranges.rows.len() as u64 * 48 + rows as u64 * 8 + ranges.extra.as_ref().map_or(0, Index::size))?;
    ex.check_cancel()?;

    let probe_names: Vec<String> = extra.iter().map(|(l, _)| l.clone()).collect();
    let input = ex.run(left)?;
    let batches = input.map(move |b| -> Result<Vec<RecordBatch>> {
        let _held = &held;
        ex.check_cancel()?;
        let b = b?;
        let n = b.num_rows();
        let addresses = strings(&b, source)?;
        let groups = match &ranges.extra {
            None => vec![Some(0); n],
            Some(index) => index.probe(&key_columns(&b, &probe_names, &types.probe, &types.common)?)?,
        };
        let mut out = Vec::new();
        let mut pairs = Pairs::default();
        let mut found: Vec<u32> = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            found.clear();
            let ip = (addresses.is_valid(i)).then(|| parse_ipv4(addresses.value(i))).flatten();
            if let (Some(g), Some(ip)) = (g, ip) {
                let addr = ip.addr & mask(ip.prefix);
                let mut bits = ranges.lengths[*g as usize];
                while bits != 0 {
                    let l = bits.trailing_zeros();
                    bits &= bits - 1;
                    if let Some(rows) = ranges.rows.get(&(*g, l as u8, addr & mask(l))) {
                        found.extend_from_slice(rows);
                    }
                }
                found.sort_unstable();
            }
            if found.is_empty() && unmatched {
                pairs.push(Some(i as u32), None);
            }
            for r in &found {
                pairs.push(Some(i as u32), Some(*r));
            }
            if pairs.len() >= OUT_BATCH {
                out.push(assemble(Some(&b), &built, &std::mem::take(&mut pairs), &spec)?);
            }
        }
        if pairs.len() > 0 {
            out.push(assemble(Some(&b), &built, &pairs, &spec)?);
        }
        Ok(out)
    });
    Ok(Box::new(batches.flat_map(|r| match r {
        Ok(v) => v.into_iter().map(Ok).collect::<Vec<_>>(),
        Err(e) => vec![Err(e)],
    })))
}

/// The string column `name` of `batch`, as plain UTF-8.
fn strings(batch: &RecordBatch, name: &str) -> Result<StringArray> {
    let a: &ArrayRef = batch
        .column_by_name(name)
        .ok_or_else(|| ExecError::Internal(format!("ipv4_lookup: column `{name}` missing")))?;
    let a = if a.data_type() == &DataType::Utf8 { a.clone() } else { arrow_cast::cast(a, &DataType::Utf8)? };
    Ok(a.as_string::<i32>().clone())
}
