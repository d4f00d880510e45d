//! Fused kernels for expression shapes the article's queries repeat.
//!
//! `tostring(split(s, "/")[k])` would build a dynamic array per row, pick
//! element k and convert it back to text; [`split_part`] finds the k-th
//! part in place and writes it straight into the output string column. The
//! result is the same: out of range (a null pick) is "" after `tostring`.

use super::{EvalCx, eval};
use crate::columnar::Col;
use crate::error::Result;
use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch, StringArray};
use kql_plan::functions::ScalarFn;
use kql_plan::plan::{Expr, ExprKind};
use kql_types::Value;
use std::sync::Arc;

/// Evaluates `e` with a fused kernel if it has a shape one applies to.
pub fn try_eval(e: &Expr, batch: &RecordBatch, cx: &EvalCx) -> Option<Result<Col>> {
    let (s, sep, k) = split_part_shape(e)?;
    Some(eval(s, batch, cx).map(|col| match col {
        Col::Scalar(Value::String(v)) => Col::Scalar(Value::String(part(&v, sep, k).unwrap_or_default().to_string())),
        Col::Scalar(_) => Col::Scalar(Value::String(String::new())),
        Col::Array(a) => Col::Array(Arc::new(split_part(a.as_string::<i32>(), sep, k))),
    }))
}

/// `tostring(split(s, "sep")[k])` with a non-empty constant separator and a
/// constant index, over a string `s`: (s, sep, k).
fn split_part_shape(e: &Expr) -> Option<(&Expr, &str, i64)> {
    let ExprKind::Call { function, args } = &e.kind else { return None };
    if function.scalar() != Some(ScalarFn::ToString) || args.len() != 1 {
        return None;
    }
    let ExprKind::Index { target, index } = &args[0].kind else { return None };
    let k = match index.as_literal()? {
        Value::Long(Some(k)) => *k,
        Value::Int(Some(k)) => i64::from(*k),
        _ => return None,
    };
    let ExprKind::Call { function, args } = &target.kind else { return None };
    if function.scalar() != Some(ScalarFn::Split)
        || args.len() != 2
        || args[0].ty.scalar() != Some(kql_syntax::ScalarType::String)
    {
        return None;
    }
    match args[1].as_literal()? {
        Value::String(sep) if !sep.is_empty() => Some((&args[0], sep.as_str(), k)),
        _ => None,
    }
}

/// Part `k` of `s` split at `sep` (negative `k` counts from the end), as
/// Kusto's `split(s, sep)[k]`; `None` out of range.
fn part<'s>(s: &'s str, sep: &str, k: i64) -> Option<&'s str> {
    let mut chars = sep.chars();
    match (chars.next(), chars.next()) {
        // One character (the article's "/", "|", " "): a memchr search.
        (Some(c), None) => nth_part(|| s.split(c), k),
        _ => nth_part(|| s.split(sep), k),
    }
}

fn nth_part<'s, I: Iterator<Item = &'s str>>(parts: impl Fn() -> I, k: i64) -> Option<&'s str> {
    if k >= 0 {
        parts().nth(usize::try_from(k).ok()?)
    } else {
        let n = parts().count();
        parts().nth(n.checked_sub(usize::try_from(k.unsigned_abs()).ok()?)?)
    }
}

/// [`part`] of every row ("" where out of range: `tostring` of null).
pub fn split_part(strings: &StringArray, sep: &str, k: i64) -> StringArray {
    let mut b = StringBuilder::with_capacity(strings.len(), strings.value_data().len());
    for i in 0..strings.len() {
        let s = if strings.is_null(i) { "" } else { strings.value(i) };
        b.append_value(part(s, sep, k).unwrap_or(""));
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_follow_kusto_indexing() {
        // split("rg1/vm1", "/") is ["rg1", "vm1"]: [0] rg1, [1] vm1, [2] null.
        assert_eq!(part("rg1/vm1", "/", 0), Some("rg1"));
        assert_eq!(part("rg1/vm1", "/", 1), Some("vm1"));
        assert_eq!(part("rg1/vm1", "/", 2), None);
        // Negative indices count from the end: [-1] is the last element.
        assert_eq!(part("a/b/c", "/", -1), Some("c"));
        assert_eq!(part("a/b/c", "/", -3), Some("a"));
        assert_eq!(part("a/b/c", "/", -4), None);
        // split("", " ") is [""] (kql-semantics): [0] is "", [1] is null.
        assert_eq!(part("", " ", 0), Some(""));
        assert_eq!(part("", " ", 1), None);
        // Multi-character separators and empty parts.
        assert_eq!(part("1.2.3.4|x|y", "|", 0), Some("1.2.3.4"));
        assert_eq!(part("a::b", "::", 1), Some("b"));
        assert_eq!(part("/x", "/", 0), Some(""));
    }

    #[test]
    fn the_column_kernel_writes_empty_strings_out_of_range() {
        let a = StringArray::from(vec![Some("rg/vm"), Some("solo"), None, Some("")]);
        let out = split_part(&a, "/", 1);
        let got: Vec<&str> = (0..out.len()).map(|i| out.value(i)).collect();
        assert_eq!(got, ["vm", "", "", ""]);
        assert_eq!(out.null_count(), 0, "Kusto strings are never null");
    }
}
