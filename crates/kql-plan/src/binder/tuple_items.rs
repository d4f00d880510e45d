//! Scalar functions whose result is several columns (Kusto.Language's
//! tuple-returning functions, named with `FunctionHelpers.MakePrefixedTuple`):
//! `series_stats(x)` as a whole `project`, `extend` or `print` item becomes
//! one column per statistic, `series_stats_x_min`, `series_stats_x_min_idx`,
//! … (the series-stats-function page's example); `name = series_stats(x)`
//! names the first column `name` (and `print` keeps only that one). Each
//! column is a call of
//! `series_stats` with the statistic's name as an internal third argument,
//! which the executor's kernel computes.

use super::Binder;
use super::naming::result_name;
use crate::functions::{self, SERIES_STATS, ScalarFn};
use crate::plan::{Expr, ExprKind};
use crate::schema::Schema;
use crate::types::Type;
use kql_syntax::ast::{self, ExprKind as A};
use kql_types::Value;

impl Binder<'_> {
    /// The columns of an item that calls a tuple function, `(name, expr)`
    /// each (the first one's name is declared when the item names it);
    /// `None` for any other item.
    pub(crate) fn tuple_item(&mut self, item: &ast::NamedExpr, row: &Schema) -> Option<Vec<(String, Expr)>> {
        let A::Call { function, args } = &item.expr.unparen().kind else { return None };
        if self.is_user_function(&function.name) {
            return None;
        }
        let def = functions::lookup(&function.name).filter(|d| d.scalar() == Some(ScalarFn::SeriesStats))?;
        let span = item.expr.span;
        let mut bound: Vec<Expr> = args.iter().map(|a| self.scalar(a, Some(row))).collect();
        self.check_call(def, &bound, span);
        if bound.len() == 1 {
            bound.push(Expr::new(ExprKind::Literal(Value::Bool(Some(false))), Type::BOOL, span));
        }
        // MakePrefixedTuple: the function's name, the series' result name
        // (left out when it has none) and the statistic, joined by `_`.
        let prefix = match args.first().and_then(result_name) {
            Some(series) => format!("{}_{series}", def.name),
            None => def.name.to_string(),
        };
        Some(
            SERIES_STATS
                .iter()
                .map(|&(stat, ty)| {
                    let mut call_args = bound.clone();
                    call_args.push(Expr::new(ExprKind::Literal(Value::String(stat.into())), Type::STRING, span));
                    let call = Expr::new(ExprKind::Call { function: def, args: call_args }, Type::Scalar(ty), span);
                    (format!("{prefix}_{stat}"), call)
                })
                .enumerate()
                // `name = series_stats(x)` names the first column, as
                // `(name) = …` would (Kusto.Language `Binder_Projection`:
                // "single name assigned from multi-value tuple just assigns
                // the first value"); the others keep their names.
                .map(|(i, (derived, call))| match (&item.name, i) {
                    (Some(n), 0) => (n.name.clone(), call),
                    _ => (derived, call),
                })
                .collect(),
        )
    }
}
