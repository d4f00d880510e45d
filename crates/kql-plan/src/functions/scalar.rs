//! Scalar functions ntaq implements. (Stub: being filled in.)

use super::{ArgType as A, FunctionDef, FunctionKind, Param as P, ResultName, Returns};
use kql_syntax::ScalarType as S;

pub(super) static FUNCTIONS: &[FunctionDef] = &[FunctionDef {
    name: "strcat",
    kind: FunctionKind::Scalar,
    params: &[P::new("arg", A::Any), P::many("args", A::Any)],
    returns: Returns::Fixed(S::String),
    result_name: ResultName::Default,
    doc: "Concatenates between 1 and 64 arguments as strings.",
}];
