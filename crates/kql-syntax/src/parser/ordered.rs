//! Operators about row order and row choice: `serialize`, `sample`,
//! `sample-distinct`, `top-hitters` and `as` (the `|` operators dispatched from
//! `operator.rs`).

use super::lex::{skip_ws, starts_with_word};
use super::{PResult, Parser};
use crate::ast::*;

impl<'s> Parser<'s> {
    /// After `serialize`: `[Name = Expr, …]`.
    pub(super) fn serialize_op(&self, i: &'s str) -> PResult<'s, OperatorKind> {
        let j = skip_ws(i);
        if j.is_empty() || j.starts_with(['|', ';', ')', ']']) {
            return Ok((i, OperatorKind::Serialize { columns: Vec::new() }));
        }
        let (r, columns) = self.required_list(i, Self::named_expr, "`Name = expression`")?;
        Ok((r, OperatorKind::Serialize { columns }))
    }

    /// After `sample`: the row count.
    pub(super) fn sample_op(&self, i: &'s str) -> PResult<'s, OperatorKind> {
        let (r, count) = self.required_expr(i)?;
        Ok((r, OperatorKind::Sample { count }))
    }

    /// After `sample-distinct`: `N of Column` (an expression after `of`, as
    /// Microsoft's parser takes).
    pub(super) fn sample_distinct_op(&self, i: &'s str) -> PResult<'s, OperatorKind> {
        let (r, count) = self.required_expr(i)?;
        let j = skip_ws(r);
        if !starts_with_word(j, "of") {
            return Err(self.failure(self.expected_error(j, "`of` and a column")));
        }
        let (r, column) = self.cut(self.required_expr(&j[2..]))?;
        Ok((r, OperatorKind::SampleDistinct { count, column }))
    }

    /// After `top-hitters`: `N of Expr [by Expr]`.
    pub(super) fn top_hitters_op(&self, i: &'s str) -> PResult<'s, OperatorKind> {
        let (r, count) = self.required_expr(i)?;
        let j = skip_ws(r);
        if !starts_with_word(j, "of") {
            return Err(self.failure(self.expected_error(j, "`of` and a column")));
        }
        let (r, of) = self.cut(self.required_expr(&j[2..]))?;
        let j = skip_ws(r);
        if !starts_with_word(j, "by") {
            return Ok((r, OperatorKind::TopHitters { count, of, by: None }));
        }
        let (r, by) = self.cut(self.required_expr(&j[2..]))?;
        Ok((r, OperatorKind::TopHitters { count, of, by: Some(by) }))
    }

    /// After `as`: `[hint.materialized=true] Name`.
    pub(super) fn as_op(&self, i: &'s str) -> PResult<'s, OperatorKind> {
        let (i, params) = self.params(i, |n| n == "hint.materialized")?;
        let (r, name) = self.cut(self.ident(i))?;
        Ok((r, OperatorKind::As { params, name }))
    }
}
