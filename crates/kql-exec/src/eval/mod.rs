//! Evaluating bound expressions over record batches, a whole column at a time.

mod arith;
mod compare;
mod convert;
mod fused;
mod membership;
mod strings;

pub use compare::comparison_type;
pub use convert::to_scalar_type;

use crate::columnar::{Col, with_arrays};
use crate::dynamic;
use crate::error::{ExecError, Result};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch};
use kql_plan::plan::{Expr, ExprKind};
use kql_syntax::ScalarType;
use kql_syntax::ast::BinaryOp;
use kql_types::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Results of the sub-queries an expression contains, computed before the
/// expression runs, keyed by the address of their plan node.
#[derive(Default)]
pub struct Subqueries {
    pub scalars: HashMap<usize, Value>,
    /// The first column of `x in (T | …)` sub-queries.
    pub sets: HashMap<usize, ArrayRef>,
}

/// What evaluation needs besides the batch.
pub struct EvalCx<'a> {
    /// `now()` for the whole query (nanoseconds since the epoch).
    pub now: i64,
    pub subqueries: &'a Subqueries,
}

/// The Kusto scalar type of an expression (runnable plans have no unknowns).
pub fn scalar_type(e: &Expr) -> Result<ScalarType> {
    e.ty.scalar().ok_or_else(|| ExecError::Internal("an expression of unknown type reached the executor".into()))
}

/// Evaluates `e` over `batch`.
pub fn eval(e: &Expr, batch: &RecordBatch, cx: &EvalCx) -> Result<Col> {
    let len = batch.num_rows();
    match &e.kind {
        ExprKind::Column(name) => {
            let a = batch
                .column_by_name(name)
                .ok_or_else(|| ExecError::Internal(format!("column `{name}` is missing from the batch")))?;
            // A column of another type than the plan expects would panic in a kernel.
            crate::physical::expect_type(a, scalar_type(e)?, &format!("column `{name}`"))?;
            Ok(Col::Array(a.clone()))
        }
        ExprKind::Literal(v) => Ok(Col::Scalar(v.clone())),
        ExprKind::Parameter(name) => Err(ExecError::UnboundParameter { name: name.clone(), span: e.span }),
        ExprKind::Error => Err(ExecError::Internal("a plan with errors reached the executor".into())),
        ExprKind::Call { function, args } => {
            if let Some(r) = fused::try_eval(e, batch, cx) {
                return r;
            }
            let cols = args.iter().map(|a| eval(a, batch, cx)).collect::<Result<Vec<_>>>()?;
            let types = args.iter().map(scalar_type).collect::<Result<Vec<_>>>()?;
            let spans: Vec<kql_syntax::Span> = args.iter().map(|a| a.span).collect();
            crate::functions::call(function, &cols, &types, scalar_type(e)?, len, cx, e.span, &spans)
        }
        ExprKind::Binary { op, left, right } => {
            let l = eval(left, batch, cx)?;
            let r = eval(right, batch, cx)?;
            // A bad regular expression is the right operand's fault.
            let span = if *op == BinaryOp::MatchesRegex { right.span } else { e.span };
            binary(*op, &l, scalar_type(left)?, &r, scalar_type(right)?, scalar_type(e)?, len, span)
        }
        ExprKind::Negate(x) => {
            let ty = scalar_type(x)?;
            if ty == ScalarType::Dynamic {
                // As for `dynamic + dynamic`: declined, not an internal error
                // from Arrow's kernel on JSON text (found by the fuzz suite).
                return Err(ExecError::NotImplemented { what: "unary `-` on a dynamic value".into(), span: e.span });
            }
            let v = eval(x, batch, cx)?;
            arith::negate(&v, ty, len)
        }
        ExprKind::In { op, expr, list } => {
            let x = eval(expr, batch, cx)?;
            let items = list.iter().map(|i| eval(i, batch, cx)).collect::<Result<Vec<_>>>()?;
            let item_types = list.iter().map(scalar_type).collect::<Result<Vec<_>>>()?;
            membership::in_list(*op, &x, scalar_type(expr)?, &items, &item_types, len, e.span)
        }
        ExprKind::InQuery { op, expr, query } => {
            let x = eval(expr, batch, cx)?;
            let key = &**query as *const _ as usize;
            let set =
                cx.subqueries.sets.get(&key).ok_or_else(|| ExecError::Internal("sub-query not evaluated".into()))?;
            let set_ty = query.schema.columns.first().and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::Dynamic);
            membership::in_set(*op, &x, scalar_type(expr)?, set, set_ty, len, e.span)
        }
        ExprKind::Between { negated, expr, low, high } => {
            let x = eval(expr, batch, cx)?;
            let lo = eval(low, batch, cx)?;
            let mut hi = eval(high, batch, cx)?;
            let (xt, lt, mut ht) = (scalar_type(expr)?, scalar_type(low)?, scalar_type(high)?);
            // `t between (start .. 1h)` means start .. start + 1h.
            if xt == ScalarType::DateTime && ht == ScalarType::Timespan {
                hi = arith::arithmetic(BinaryOp::Add, &lo, lt, &hi, ht, ScalarType::DateTime, len, e.span)?;
                ht = ScalarType::DateTime;
            }
            let ge = compare::compare(BinaryOp::Ge, &x, xt, &lo, lt, len)?;
            let le = compare::compare(BinaryOp::Le, &x, xt, &hi, ht, len)?;
            let both = logical(BinaryOp::And, &ge, &le, len)?;
            if *negated { logical_not(&both, len) } else { Ok(both) }
        }
        ExprKind::Index { target, index } => {
            let t = eval(target, batch, cx)?.to_array(len);
            let i = eval(index, batch, cx)?;
            let it = scalar_type(index)?;
            let picker = index_picker(&i, it, len);
            Ok(Col::Array(dynamic::index(&t, &|row| picker(row))))
        }
        ExprKind::Member { target, name } => {
            let t = eval(target, batch, cx)?.to_array(len);
            let key = serde_json::Value::String(name.clone());
            Ok(Col::Array(dynamic::index(&t, &|_| Some(key.clone()))))
        }
        ExprKind::ScalarQuery(plan) => {
            let key = &**plan as *const _ as usize;
            cx.subqueries
                .scalars
                .get(&key)
                .map(|v| Col::Scalar(v.clone()))
                .ok_or_else(|| ExecError::Internal("sub-query not evaluated".into()))
        }
    }
}

/// Evaluates a predicate to a boolean array (null counts as false when filtering).
pub fn eval_predicate(e: &Expr, batch: &RecordBatch, cx: &EvalCx) -> Result<BooleanArray> {
    let c = eval(e, batch, cx)?;
    let ty = scalar_type(e)?;
    let c =
        if ty == ScalarType::Bool { c } else { convert::to_scalar_type(&c, ty, ScalarType::Bool, batch.num_rows())? };
    Ok(c.to_array(batch.num_rows()).as_boolean().clone())
}

/// Per-row index values (as JSON numbers or strings) for `d[i]`.
fn index_picker(i: &Col, ty: ScalarType, len: usize) -> Box<dyn Fn(usize) -> Option<serde_json::Value> + '_> {
    match i {
        Col::Scalar(Value::Long(Some(v))) => {
            let v = *v;
            Box::new(move |_| Some(serde_json::Value::from(v)))
        }
        Col::Scalar(Value::Int(Some(v))) => {
            let v = *v;
            Box::new(move |_| Some(serde_json::Value::from(v)))
        }
        Col::Scalar(Value::String(s)) => {
            let s = s.clone();
            Box::new(move |_| Some(serde_json::Value::String(s.clone())))
        }
        Col::Scalar(_) => Box::new(|_| None),
        Col::Array(a) => {
            let a = match ty {
                ScalarType::Int | ScalarType::Long => arrow_cast::cast(a, &arrow_schema::DataType::Int64).ok(),
                ScalarType::String => Some(a.clone()),
                _ => None,
            };
            let _ = len;
            match a {
                Some(a) => Box::new(move |row| {
                    if a.is_null(row) {
                        None
                    } else if let Some(s) = a.as_string_opt::<i32>() {
                        Some(serde_json::Value::String(s.value(row).to_string()))
                    } else {
                        Some(serde_json::Value::from(a.as_primitive::<arrow_array::types::Int64Type>().value(row)))
                    }
                }),
                None => Box::new(|_| None),
            }
        }
    }
}

/// `left op right` for every binary operator.
#[allow(clippy::too_many_arguments)]
pub fn binary(
    op: BinaryOp,
    l: &Col,
    lt: ScalarType,
    r: &Col,
    rt: ScalarType,
    out: ScalarType,
    len: usize,
    span: kql_syntax::Span,
) -> Result<Col> {
    use BinaryOp::*;
    match op {
        And | Or => {
            let l = if lt == ScalarType::Bool { l.clone() } else { to_scalar_type(l, lt, ScalarType::Bool, len)? };
            let r = if rt == ScalarType::Bool { r.clone() } else { to_scalar_type(r, rt, ScalarType::Bool, len)? };
            logical(op, &l, &r, len)
        }
        Eq | NotEq | Lt | Le | Gt | Ge => compare::compare(op, l, lt, r, rt, len),
        Add | Sub | Mul | Div | Mod => arith::arithmetic(op, l, lt, r, rt, out, len, span),
        _ => strings::string_op(op, l, lt, r, rt, len, span),
    }
}

/// Kleene `and` / `or` (null and false is false; null or true is true).
pub fn logical(op: BinaryOp, l: &Col, r: &Col, len: usize) -> Result<Col> {
    with_arrays(&[l, r], len, ScalarType::Bool, |a| {
        let (x, y) = (a[0].as_boolean(), a[1].as_boolean());
        let out = match op {
            BinaryOp::And => arrow_arith::boolean::and_kleene(x, y)?,
            _ => arrow_arith::boolean::or_kleene(x, y)?,
        };
        Ok(Arc::new(out) as ArrayRef)
    })
}

pub fn logical_not(c: &Col, len: usize) -> Result<Col> {
    with_arrays(
        &[c],
        len,
        ScalarType::Bool,
        |a| Ok(Arc::new(arrow_arith::boolean::not(a[0].as_boolean())?) as ArrayRef),
    )
}
