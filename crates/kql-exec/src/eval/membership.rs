//! `in`, `!in`, `in~`, `!in~` with a list of values or a one-column table.
//! `in` is case-sensitive and `in~` is not (Kusto's string operators).

use super::compare::{compare, comparison_type};
use super::convert::to_scalar_type;
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::cast::AsArray;
use arrow_array::*;
use arrow_row::{RowConverter, SortField};
use kql_syntax::ast::{BinaryOp, InOp};
use kql_syntax::{ScalarType, Span};
use kql_types::DynValue;
use kql_types::Value;
use std::collections::HashSet;
use std::sync::Arc;

/// The list items, with dynamic arrays in the list flattened into their elements.
fn flatten(items: &[Col], types: &[ScalarType]) -> Vec<(Col, ScalarType)> {
    let mut out = Vec::new();
    for (c, t) in items.iter().zip(types) {
        match c {
            Col::Scalar(Value::Dynamic(DynValue::Array(elems))) => {
                for e in elems {
                    out.push((Col::Scalar(Value::Dynamic(e.clone())), ScalarType::Dynamic));
                }
            }
            _ => out.push((c.clone(), *t)),
        }
    }
    out
}

pub fn in_list(
    op: InOp,
    x: &Col,
    xt: ScalarType,
    items: &[Col],
    types: &[ScalarType],
    len: usize,
    span: Span,
) -> Result<Col> {
    let items = flatten(items, types);
    if matches!(op, InOp::HasAny | InOp::HasAll) {
        return has_any_all(op, x, xt, &items, len, span);
    }
    let case_insensitive = matches!(op, InOp::InCi | InOp::NotInCi);
    let negated = matches!(op, InOp::NotIn | InOp::NotInCi);
    let constants: Option<Vec<String>> = items
        .iter()
        .map(|(c, t)| if *t == ScalarType::String { c.as_scalar().map(|v| v.to_string()) } else { None })
        .collect();
    let result = match (xt, constants) {
        // Strings against constant strings: one hash lookup per row.
        (ScalarType::String | ScalarType::Dynamic, Some(list)) => {
            let x = to_scalar_type(x, xt, ScalarType::String, len)?.to_array(len);
            let fold = |s: &str| if case_insensitive { s.to_lowercase() } else { s.to_string() };
            let set: HashSet<String> = list.iter().map(|s| fold(s)).collect();
            let out: BooleanArray = x.as_string::<i32>().iter().map(|v| v.map(|v| set.contains(&fold(v)))).collect();
            Col::Array(Arc::new(out))
        }
        _ => {
            if case_insensitive {
                return Err(ExecError::NotImplemented {
                    what: "`in~` with values that are not constant strings".into(),
                    span,
                });
            }
            let mut acc: Option<Col> = None;
            for (c, t) in &items {
                let eq = compare(BinaryOp::Eq, x, xt, c, *t, len)?;
                acc = Some(match acc {
                    None => eq,
                    Some(a) => super::logical(BinaryOp::Or, &a, &eq, len)?,
                });
            }
            acc.unwrap_or(Col::Scalar(Value::Bool(Some(false))))
        }
    };
    if negated { super::logical_not(&result, len) } else { Ok(result) }
}

/// `x has_any (list)` / `has_all`, the list's dynamic arrays flattened:
/// `has` of each term, joined with `or` / `and` (has-any-operator page);
/// an empty list finds nothing (has_any) and misses nothing (has_all).
/// The binder keeps this form for arrays known only when the query runs
/// (parameters); a per-row array is declined.
fn has_any_all(op: InOp, x: &Col, xt: ScalarType, items: &[(Col, ScalarType)], len: usize, span: Span) -> Result<Col> {
    let (join, empty) = if op == InOp::HasAny { (BinaryOp::Or, false) } else { (BinaryOp::And, true) };
    let mut acc: Option<Col> = None;
    for (c, t) in items {
        if *t == ScalarType::Dynamic && !matches!(c, Col::Scalar(_)) {
            return Err(ExecError::NotImplemented {
                what: format!("`{}` with a list that differs from row to row", op.symbol()),
                span,
            });
        }
        let term = super::strings::string_op(BinaryOp::Has, x, xt, c, *t, len, span)?;
        acc = Some(match acc {
            None => term,
            Some(a) => super::logical(join, &a, &term, len)?,
        });
    }
    Ok(acc.unwrap_or(Col::Scalar(Value::Bool(Some(empty)))))
}

/// `x in (T | project c)`: membership in the sub-query's first column.
pub fn in_set(
    op: InOp,
    x: &Col,
    xt: ScalarType,
    set: &ArrayRef,
    set_ty: ScalarType,
    len: usize,
    span: Span,
) -> Result<Col> {
    let ct = comparison_type(xt, set_ty);
    let ct = if ct == ScalarType::Dynamic { ScalarType::String } else { ct };
    let case_insensitive = matches!(op, InOp::InCi | InOp::NotInCi);
    let x = to_scalar_type(x, xt, ct, len)?.to_array(len);
    let set = to_scalar_type(&Col::Array(set.clone()), set_ty, ct, set.len())?.to_array(set.len());
    let result: BooleanArray = if ct == ScalarType::String {
        let fold = |s: &str| if case_insensitive { s.to_lowercase() } else { s.to_string() };
        let keys: HashSet<String> = set.as_string::<i32>().iter().flatten().map(fold).collect();
        x.as_string::<i32>().iter().map(|v| v.map(|v| keys.contains(&fold(v)))).collect()
    } else {
        if case_insensitive {
            return Err(ExecError::NotImplemented { what: "`in~` with non-string values".into(), span });
        }
        let conv = RowConverter::new(vec![SortField::new(x.data_type().clone())])?;
        let set_rows = conv.convert_columns(std::slice::from_ref(&set))?;
        let keys: HashSet<Box<[u8]>> =
            (0..set.len()).filter(|i| set.is_valid(*i)).map(|i| set_rows.row(i).as_ref().into()).collect();
        let x_rows = conv.convert_columns(std::slice::from_ref(&x))?;
        // `in` is an `or` of `==`: a null x is false against values and null
        // against a null in the set (null-values page, "the in operator").
        let null_x = (set.null_count() == 0).then_some(false);
        (0..x.len()).map(|i| if x.is_valid(i) { Some(keys.contains(x_rows.row(i).as_ref())) } else { null_x }).collect()
    };
    let result = Col::Array(Arc::new(result));
    if matches!(op, InOp::NotIn | InOp::NotInCi) { super::logical_not(&result, len) } else { Ok(result) }
}
