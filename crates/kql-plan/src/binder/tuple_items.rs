//! Scalar functions whose result is several columns (Kusto.Language's
//! tuple-returning functions, named with `FunctionHelpers.MakePrefixedTuple`):
//! `series_stats(x)` as a whole `project`, `extend` or `print` item becomes
//! one column per statistic, `series_stats_x_min`, `series_stats_x_min_idx`,
//! … (the series-stats-function page's example). Each column is a call of
//! `series_stats` with the statistic's name as an internal third argument,
//! which the executor's kernel computes.

use super::Binder;
use super::naming::result_name;
use crate::error::SemanticError;
use crate::functions::{self, SERIES_STATS, ScalarFn};
use crate::plan::{Expr, ExprKind};
use crate::schema::Schema;
use crate::types::Type;
use crate::value::Value;
use kql_syntax::ast::{self, ExprKind as A};

impl Binder<'_> {
    /// The columns of an item that calls a tuple function, `(name, expr)`
    /// each; `None` for any other item.
    pub(crate) fn tuple_item(&mut self, item: &ast::NamedExpr, row: &Schema) -> Option<Vec<(String, Expr)>> {
        let A::Call { function, args } = &item.expr.unparen().kind else { return None };
        if self.is_user_function(&function.name) {
            return None;
        }
        let def = functions::lookup(&function.name).filter(|d| d.scalar() == Some(ScalarFn::SeriesStats))?;
        if let Some(n) = &item.name {
            self.report(SemanticError::Unsupported {
                what: format!("naming the several columns of `{}` with `{} =`", def.name, n.name),
                span: n.span,
                help: Some("leave it unnamed (its columns are named series_stats_<series>_<statistic>) and rename them with project-rename, or use series_stats_dynamic".into()),
            });
            return Some(Vec::new());
        }
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
                .collect(),
        )
    }
}
