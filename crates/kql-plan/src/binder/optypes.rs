//! Result types of the binary operators, following the signatures of
//! Kusto's own language service (Kusto.Language `Operators.cs`).

use crate::types::widest_numeric;
use kql_syntax::ScalarType as S;
use kql_syntax::ast::BinaryOp;

/// The type of `left op right`, or `None` if Kusto has no such operator
/// for these types.
pub(crate) fn binary_type(op: BinaryOp, l: S, r: S) -> Option<S> {
    use BinaryOp::*;
    let dynamic = l == S::Dynamic || r == S::Dynamic;
    match op {
        And | Or => (matches!(l, S::Bool | S::Dynamic) && matches!(r, S::Bool | S::Dynamic)).then_some(S::Bool),
        Eq | NotEq => equality_comparable(l, r).then_some(S::Bool),
        Lt | Le | Gt | Ge => {
            let ok = (l.is_numeric() && (r.is_numeric() || r == S::Bool))
                || (l == r && matches!(l, S::DateTime | S::Timespan))
                || (dynamic && (l.is_numeric() || r.is_numeric() || l == r));
            ok.then_some(S::Bool)
        }
        Add => arithmetic(l, r, |l, r| match (l, r) {
            (S::Timespan, S::Timespan) => Some(S::Timespan),
            (S::DateTime, S::Timespan) | (S::Timespan, S::DateTime) => Some(S::DateTime),
            _ => None,
        }),
        Sub => arithmetic(l, r, |l, r| match (l, r) {
            (S::Timespan, S::Timespan) | (S::DateTime, S::DateTime) => Some(S::Timespan),
            (S::DateTime, S::Timespan) | (S::Timespan, S::DateTime) => Some(S::DateTime),
            _ => None,
        }),
        Mul => arithmetic(l, r, |l, r| match (l, r) {
            (S::Timespan, S::Timespan) => Some(S::Timespan),
            (S::Timespan, n) | (n, S::Timespan) if n.is_numeric() => Some(S::Timespan),
            _ => None,
        }),
        Div => arithmetic(l, r, |l, r| match (l, r) {
            (S::Timespan, S::Timespan) => Some(S::Real),
            (S::Timespan, n) if n.is_numeric() => Some(S::Timespan),
            _ => None,
        }),
        Mod => arithmetic(l, r, |l, r| match (l, r) {
            (S::Timespan, S::Timespan) => Some(S::Timespan),
            (S::Timespan, n) if n.is_numeric() => Some(S::Timespan),
            _ => None,
        }),
        MatchesRegex => (matches!(l, S::String | S::Dynamic) && r == S::String).then_some(S::Bool),
        // has, contains, startswith, =~ … : string (or dynamic) on both sides.
        _ => (matches!(l, S::String | S::Dynamic) && matches!(r, S::String | S::Dynamic)).then_some(S::Bool),
    }
}

/// Numbers widen, and two integers give a long ("If both operands are of
/// integer types (int or long), the result will be of type long", Kusto's
/// numerical operators page, which wins over Kusto.Language's int result);
/// `special` covers datetime/timespan; dynamic operands give dynamic.
fn arithmetic(l: S, r: S, special: impl Fn(S, S) -> Option<S>) -> Option<S> {
    if let Some(t) = widest_numeric(l, r) {
        return Some(if t == S::Int { S::Long } else { t });
    }
    if let Some(t) = special(l, r) {
        return Some(t);
    }
    match (l, r) {
        (S::Dynamic, S::Dynamic) => Some(S::Dynamic),
        (S::Dynamic, S::Int) | (S::Int, S::Dynamic) => Some(S::Long),
        (S::Dynamic, t) | (t, S::Dynamic) if t.is_numeric() || matches!(t, S::DateTime | S::Timespan) => Some(t),
        _ => None,
    }
}

/// `==` and `!=`: same types, numbers with numbers, guid with string, anything with dynamic.
pub(crate) fn equality_comparable(l: S, r: S) -> bool {
    l == r
        || (l.is_numeric() && r.is_numeric())
        || l == S::Dynamic
        || r == S::Dynamic
        || matches!((l, r), (S::Guid, S::String) | (S::String, S::Guid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use BinaryOp::*;

    #[test]
    fn arithmetic_follows_kusto() {
        assert_eq!(binary_type(Add, S::Int, S::Int), Some(S::Long));
        assert_eq!(binary_type(Div, S::Int, S::Int), Some(S::Long));
        assert_eq!(binary_type(Add, S::Int, S::Long), Some(S::Long));
        assert_eq!(binary_type(Mul, S::Long, S::Real), Some(S::Real));
        assert_eq!(binary_type(Add, S::DateTime, S::Timespan), Some(S::DateTime));
        assert_eq!(binary_type(Sub, S::DateTime, S::DateTime), Some(S::Timespan));
        assert_eq!(binary_type(Sub, S::DateTime, S::Timespan), Some(S::DateTime));
        assert_eq!(binary_type(Div, S::Timespan, S::Timespan), Some(S::Real));
        assert_eq!(binary_type(Mul, S::Timespan, S::Long), Some(S::Timespan));
        assert_eq!(binary_type(Add, S::String, S::String), None, "strings are joined with strcat, not +");
        assert_eq!(binary_type(Add, S::DateTime, S::DateTime), None);
    }

    #[test]
    fn comparisons() {
        assert_eq!(binary_type(Eq, S::String, S::String), Some(S::Bool));
        assert_eq!(binary_type(Eq, S::Int, S::Real), Some(S::Bool));
        assert_eq!(binary_type(Eq, S::String, S::Long), None);
        assert_eq!(binary_type(Lt, S::DateTime, S::DateTime), Some(S::Bool));
        assert_eq!(binary_type(Lt, S::DateTime, S::Long), None);
        assert_eq!(binary_type(And, S::Bool, S::String), None);
        assert_eq!(binary_type(Contains, S::String, S::String), Some(S::Bool));
        assert_eq!(binary_type(Has, S::Long, S::String), None);
    }
}
