//! `evaluate bag_unpack(Column)` and `evaluate pivot(Column, …)` without an
//! output schema: their columns are found in the data. bag_unpack's are the
//! properties (the bag_unpack plugin page: one column per distinct
//! top-level property, of the property's type when all its values have one
//! type, else dynamic); pivot's the distinct values of its column, as text
//! ("" for null), in the order they first appear. The executor finds them;
//! the caller binds the query again with them (`Params::set_unpacked`), and
//! the operator then runs as an ordinary projection (bag_unpack) or
//! summarize (pivot).

use super::Executor;
use crate::error::{ExecError, Result};
use crate::physical::value_at;
use kql_plan::plan::{Node, Plan};
use kql_syntax::ScalarType;
use kql_types::DynValue;
use kql_types::Value;
use std::collections::BTreeMap;

/// Where an `evaluate bag_unpack(…)` or `evaluate pivot(…)` starts in the
/// query, and the columns (name, type) its input makes.
pub type UnpackedColumns = (usize, Vec<(String, ScalarType)>);

impl Executor<'_> {
    /// The first `evaluate bag_unpack(…)` or `evaluate pivot(…)` of the
    /// program whose columns depend on the data (one with no such operator
    /// in its input): its offset in the query and the columns (name, type)
    /// its input makes — bag_unpack's properties sorted by name, pivot's
    /// values in order of appearance with the pivot column's type. `None`
    /// when there is none.
    pub fn unpacked_columns(&self) -> Result<Option<UnpackedColumns>> {
        let program = self.program;
        let Some((input, column, at, pivot)) =
            program.shared.iter().map(|s| &s.plan).chain(&program.results).find_map(innermost_unpack)
        else {
            return Ok(None);
        };
        if pivot {
            return self.pivot_values(input, column).map(|v| Some((at, v)));
        }
        let mut found: BTreeMap<String, Option<ScalarType>> = BTreeMap::new();
        for b in self.collect(input)? {
            self.check_cancel()?;
            let Some(a) = b.column_by_name(column) else {
                return Err(ExecError::Internal(format!("bag_unpack: column `{column}` missing")));
            };
            for r in 0..b.num_rows() {
                let Value::Dynamic(DynValue::Object(props)) = value_at(a, r, ScalarType::Dynamic) else {
                    continue;
                };
                for (k, v) in props {
                    let t = slot_type(&v);
                    let entry = found.entry(k).or_insert(t);
                    *entry = match (*entry, t) {
                        (Some(a), Some(b)) if a != b => Some(ScalarType::Dynamic),
                        (None, t) | (t, None) => t,
                        (a, _) => a,
                    };
                }
            }
        }
        let columns = found.into_iter().map(|(k, t)| (k, t.unwrap_or(ScalarType::Dynamic))).collect();
        Ok(Some((at, columns)))
    }
}

/// The Kusto type of a property's value (`None` for null, which says nothing).
fn slot_type(v: &DynValue) -> Option<ScalarType> {
    Some(match v {
        DynValue::Null => return None,
        DynValue::Bool(_) => ScalarType::Bool,
        DynValue::Long(_) => ScalarType::Long,
        DynValue::Real(_) => ScalarType::Real,
        DynValue::String(_) => ScalarType::String,
        DynValue::DateTime(_) => ScalarType::DateTime,
        DynValue::Timespan(_) => ScalarType::Timespan,
        DynValue::Array(_) | DynValue::Object(_) => ScalarType::Dynamic,
    })
}

impl<'p> Executor<'p> {
    /// The distinct values of `column` in `input`'s rows as text ("" for
    /// null), in the order they first appear, each with the column's type.
    fn pivot_values(&self, input: &'p Plan, column: &str) -> Result<Vec<(String, ScalarType)>> {
        let ty = input.schema.get(column).and_then(|c| c.ty.scalar()).unwrap_or(ScalarType::String);
        let mut seen = std::collections::HashSet::new();
        let mut values = Vec::new();
        for b in self.collect(input)? {
            self.check_cancel()?;
            let Some(a) = b.column_by_name(column) else {
                return Err(ExecError::Internal(format!("pivot: column `{column}` missing")));
            };
            for r in 0..b.num_rows() {
                let text = match value_at(a, r, ty) {
                    Value::String(s) => s,
                    v if v.is_null() => String::new(),
                    v => v.to_string(),
                };
                if seen.insert(text.clone()) {
                    values.push((text, ty));
                }
            }
        }
        Ok(values)
    }
}

/// A `BagUnpack` or `Pivot` node in `plan` with none in its input: (input,
/// column, offset, true for a pivot).
fn innermost_unpack(plan: &Plan) -> Option<(&Plan, &str, usize, bool)> {
    let inner = plan.inputs().into_iter().find_map(innermost_unpack);
    if inner.is_some() {
        return inner;
    }
    match &plan.node {
        Node::BagUnpack { input, column, span } => Some((input, column, span.start, false)),
        Node::Pivot { input, column, span } => Some((input, column, span.start, true)),
        _ => None,
    }
}
