//! Scalar functions whose result is several columns (Kusto.Language's
//! tuple-returning functions, named with `FunctionHelpers.MakePrefixedTuple`):
//! `series_stats(x)` and `series_fit_line(x)` as a whole `project`, `extend`
//! or `print` item become one column per result, `series_stats_x_min`,
//! `series_stats_x_min_idx`, … (the series-stats-function page's example);
//! `name = series_stats(x)` names the first column `name` (and `print`
//! keeps only that one), `(a, b, …) = series_fit_line(x)` names as many
//! columns as it has names, in order (the series-fit-line page's example
//! names all six). Each column is a call of the function with the
//! result's name as an internal last argument, which the executor's kernel
//! computes.

use super::Binder;
use super::naming::result_name;
use crate::error::SemanticError;
use crate::functions::{self, SERIES_FIT_LINE, SERIES_STATS, ScalarFn};
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
        let tuple = self.tuple_call(item, row);
        if tuple.is_none()
            && let Some(extra) = item.more_names.first()
        {
            self.report(SemanticError::TypeMismatch {
                message: "`(a, b, …) = …` names the columns of a function with several results".into(),
                span: extra.span,
                label: "one value, several names".into(),
                help: Some(
                    "series_stats(…) and series_fit_line(…) have several results; name one value `a = …`".into(),
                ),
            });
            return Some(Vec::new());
        }
        let cols = tuple?;
        if item.more_names.len() >= cols.len() {
            let extra = &item.more_names[cols.len() - 1];
            self.report(SemanticError::TypeMismatch {
                message: format!("more names than the function's {} results", cols.len()),
                span: extra.span,
                label: "no result left for this name".into(),
                help: None,
            });
            return Some(Vec::new());
        }
        Some(
            cols.into_iter()
                .enumerate()
                // `name = series_stats(x)` names the first column, as
                // `(name) = …` would (Kusto.Language `Binder_Projection`:
                // "single name assigned from multi-value tuple just assigns
                // the first value"); `(a, b) = …` the first two; the others
                // keep their names.
                .map(|(i, (derived, call))| {
                    let declared = if i == 0 { item.name.as_ref() } else { item.more_names.get(i - 1) };
                    (declared.map_or(derived, |n| n.name.clone()), call)
                })
                .collect(),
        )
    }

    /// The columns a tuple function's call gives, with their derived names.
    fn tuple_call(&mut self, item: &ast::NamedExpr, row: &Schema) -> Option<Vec<(String, Expr)>> {
        let A::Call { function, args } = &item.expr.unparen().kind else { return None };
        if self.is_user_function(&function.name) {
            return None;
        }
        let def = functions::lookup(&function.name)?;
        let results: &[(&str, kql_syntax::ScalarType)] = match def.scalar()? {
            ScalarFn::SeriesStats => SERIES_STATS,
            ScalarFn::SeriesFitLine => SERIES_FIT_LINE,
            _ => return None,
        };
        let span = item.expr.span;
        let mut bound: Vec<Expr> = args.iter().map(|a| self.scalar(a, Some(row))).collect();
        self.check_call(def, &bound, span);
        if def.scalar() == Some(ScalarFn::SeriesStats) && bound.len() == 1 {
            bound.push(Expr::new(ExprKind::Literal(Value::Bool(Some(false))), Type::BOOL, span));
        }
        // MakePrefixedTuple: the function's name, the series' result name
        // (left out when it has none) and the result, joined by `_`.
        let prefix = match args.first().and_then(result_name) {
            Some(series) => format!("{}_{series}", def.name),
            None => def.name.to_string(),
        };
        Some(
            results
                .iter()
                .map(|&(result, ty)| {
                    let mut call_args = bound.clone();
                    call_args.push(Expr::new(ExprKind::Literal(Value::String(result.into())), Type::STRING, span));
                    let call = Expr::new(ExprKind::Call { function: def, args: call_args }, Type::Scalar(ty), span);
                    (format!("{prefix}_{result}"), call)
                })
                .collect(),
        )
    }
}
