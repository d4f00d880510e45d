//! Aggregation functions ntaq implements. (Stub: being filled in.)

use super::{ArgType as A, FunctionDef, FunctionKind, Param as P, ResultName, Returns};
use kql_syntax::ScalarType as S;

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    FunctionDef {
        name: "count",
        kind: FunctionKind::Aggregate,
        params: &[],
        returns: Returns::Fixed(S::Long),
        result_name: ResultName::PrefixAndFirstArg("count"),
        doc: "Counts the rows in the group.",
    },
    FunctionDef {
        name: "sum",
        kind: FunctionKind::Aggregate,
        params: &[P::new("expr", A::Summable)],
        returns: Returns::Promoted(0),
        result_name: ResultName::PrefixAndFirstArg("sum"),
        doc: "Sums the expression over the group.",
    },
];
