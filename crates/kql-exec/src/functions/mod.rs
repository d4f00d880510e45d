//! Scalar function kernels, one module per family. Each takes evaluated
//! arguments (arrays or constants) and returns a column of the type the
//! binder inferred.

mod conditional;
mod convert;
mod datetime;
mod string;

use crate::columnar::Col;
use crate::error::{ExecError, Result};
use crate::eval::EvalCx;
use kql_syntax::{ScalarType, Span};

/// The arguments of one call.
pub struct Args<'a> {
    pub cols: &'a [Col],
    pub types: &'a [ScalarType],
    /// The result type the binder inferred.
    pub out: ScalarType,
    /// Rows in the batch.
    pub len: usize,
    pub span: Span,
}

impl Args<'_> {
    pub fn col(&self, i: usize) -> Result<&Col> {
        self.cols.get(i).ok_or_else(|| ExecError::Internal(format!("missing argument {i}")))
    }

    pub fn ty(&self, i: usize) -> ScalarType {
        self.types.get(i).copied().unwrap_or(ScalarType::Dynamic)
    }

    /// Argument `i` converted to type `to`.
    pub fn as_type(&self, i: usize, to: ScalarType) -> Result<Col> {
        crate::eval::to_scalar_type(self.col(i)?, self.ty(i), to, self.len)
    }

    /// Argument `i` as a constant string (regexes, separators, formats).
    pub fn const_str(&self, i: usize) -> Option<String> {
        match self.cols.get(i)?.as_scalar()? {
            kql_plan::Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// Calls scalar function `name`.
pub fn call(
    name: &str,
    cols: &[Col],
    types: &[ScalarType],
    out: ScalarType,
    len: usize,
    cx: &EvalCx,
    span: Span,
) -> Result<Col> {
    let a = Args { cols, types, out, len, span };
    match name {
        "iff" | "iif" => conditional::iff(&a),
        "case" => conditional::case(&a),
        "coalesce" => conditional::coalesce(&a),
        "isempty" => conditional::is_empty(&a, false),
        "isnotempty" => conditional::is_empty(&a, true),
        "isnull" => conditional::is_null(&a, false),
        "isnotnull" => conditional::is_null(&a, true),
        "not" => crate::eval::logical_not(&a.as_type(0, ScalarType::Bool)?, len),
        "strcat" => string::strcat(&a),
        "split" => string::split(&a),
        "strlen" => string::strlen(&a),
        "tolower" => string::map_strings(&a, |s| s.to_lowercase()),
        "toupper" => string::map_strings(&a, |s| s.to_uppercase()),
        "substring" => string::substring(&a),
        "tostring" | "toint" | "tolong" | "todouble" | "toreal" | "tobool" | "toboolean" | "todatetime"
        | "totimespan" | "totime" | "todynamic" | "parse_json" => convert::convert(&a),
        "now" => datetime::now(&a, cx.now),
        "ago" => datetime::ago(&a, cx.now),
        "bin" | "floor" => datetime::bin(&a),
        _ => extra(name, &a, cx),
    }
}

/// Functions implemented in the remaining families.
fn extra(name: &str, a: &Args, _cx: &EvalCx) -> Result<Col> {
    Err(ExecError::NotImplemented { what: format!("the function `{name}()`"), span: a.span })
}
