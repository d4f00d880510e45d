//! `percentile_tdigest(d, p, typeof(T))` and
//! `percentiles_array_tdigest(d, dynamic([…]), typeof(T))`: a type literal
//! as the last argument (percentile-tdigest and percentile-array-tdigest
//! pages: "If provided, the result set is of this type"). The literal is
//! not a value, so the binder checks the other arguments and hands the
//! type to the executor as a trailing string constant.

use super::Binder;
use super::expr::type_literal;
use crate::error::SemanticError;
use crate::functions::{FunctionDef, ScalarFn};
use crate::plan::{Expr, ExprKind};
use crate::schema::Schema;
use crate::types::Type;
use kql_syntax::ast;
use kql_syntax::{ScalarType, Span};
use kql_types::Value;

impl Binder<'_> {
    /// Binds a t-digest reader whose last argument is `typeof(T)`.
    pub(super) fn typed_tdigest(
        &mut self,
        def: &'static FunctionDef,
        args: &[ast::Expr],
        row: Option<&Schema>,
        span: Span,
    ) -> Expr {
        let (last, values) = args.split_last().expect("called with a typeof() argument");
        let mut bound = self.call_args(values, row);
        let target = type_literal(last).flatten();
        let Some(target) = target else {
            self.report(SemanticError::TypeMismatch {
                message: format!("{}'s last argument is a type literal such as typeof(long)", def.name),
                span: last.span,
                label: "not typeof(type)".into(),
                help: None,
            });
            return Expr::error(span);
        };
        if !matches!(
            target,
            ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::DateTime | ScalarType::Timespan
        ) {
            self.report(SemanticError::Unsupported {
                what: format!("reading a t-digest as typeof({target})"),
                span: last.span,
                help: Some("ntaq reads digests as int, long, real, datetime or timespan".into()),
            });
            return Expr::error(span);
        }
        let array = def.scalar() == Some(ScalarFn::PercentilesArrayTDigest);
        if array && bound.get(1).map(|a| a.ty) != Some(Type::DYNAMIC) {
            self.report(SemanticError::TypeMismatch {
                message: "percentiles_array_tdigest takes a type literal only after a dynamic array of percentiles"
                    .into(),
                span: last.span,
                label: "typeof() after listed percentiles".into(),
                help: Some("write percentiles_array_tdigest(d, dynamic([50, 90]), typeof(long))".into()),
            });
            return Expr::error(span);
        }
        let ty = self.check_call(def, &bound, span);
        if ty == Type::Unknown {
            return Expr::error(span);
        }
        let name = Value::String(target.to_string());
        bound.push(Expr::new(ExprKind::Literal(name), Type::STRING, last.span));
        let ty = if array { Type::DYNAMIC } else { Type::Scalar(target) };
        Expr::new(ExprKind::Call { function: def, args: bound }, ty, span)
    }
}
