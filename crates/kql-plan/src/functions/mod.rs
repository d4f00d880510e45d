//! The function catalog: signatures, return types and result-column naming
//! of the scalar and aggregation functions ntaq knows, plus the names of the
//! Kusto functions it recognises but does not implement.
//!
//! The tables are data (`scalar.rs`, `aggregate.rs`, `known.rs`); this module
//! holds the types and the argument checker the binder calls.

mod aggregate;
mod id;
mod known;
mod scalar;

pub use aggregate::percentile_type;
pub use id::{AggregateFn, FunctionId, ScalarFn};
pub use scalar::{SERIES_FIT_LINE, SERIES_STATS};

use crate::types::{Type, common_type, widest_numeric};
use kql_syntax::ScalarType;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    Scalar,
    /// Only valid as a `summarize` aggregate.
    Aggregate,
}

/// What one argument accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    /// Any scalar type.
    Any,
    Exactly(ScalarType),
    OneOf(&'static [ScalarType]),
    /// int, long, real, decimal.
    Numeric,
    /// Numeric or timespan (sum, avg).
    Summable,
    /// Values with an order: numbers, datetime, timespan, string, bool (min, max, arg_max).
    Orderable,
    /// string or dynamic (what string functions accept).
    StringLike,
    /// `*` only (as in `arg_max(T, *)`), or any scalar.
    StarOrAny,
}

impl ArgType {
    /// True if a value of type `t` can be passed. Unknown types are accepted.
    pub fn accepts(self, t: Type) -> bool {
        let Type::Scalar(t) = t else { return true };
        use ScalarType as S;
        match self {
            ArgType::Any | ArgType::StarOrAny => true,
            ArgType::Exactly(e) => t == e || (e == S::Long && t == S::Int) || (e == S::Real && t.is_numeric()),
            ArgType::OneOf(set) => set.contains(&t),
            ArgType::Numeric => t.is_numeric(),
            ArgType::Summable => t.is_numeric() || t == S::Timespan,
            ArgType::Orderable => t.is_numeric() || matches!(t, S::DateTime | S::Timespan | S::String | S::Bool),
            ArgType::StringLike => matches!(t, S::String | S::Dynamic),
        }
    }

    /// Human description for "expects …" messages.
    pub fn describe(self) -> String {
        match self {
            ArgType::Any => "any scalar".into(),
            ArgType::StarOrAny => "`*` or any scalar".into(),
            ArgType::Exactly(t) => t.name().into(),
            ArgType::OneOf(set) => set.iter().map(|t| t.name()).collect::<Vec<_>>().join(" or "),
            ArgType::Numeric => "a number (int, long, real or decimal)".into(),
            ArgType::Summable => "a number or timespan".into(),
            ArgType::Orderable => "a number, datetime, timespan, string or bool".into(),
            ArgType::StringLike => "string".into(),
        }
    }
}

/// How many times a parameter may occur.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occurs {
    Once,
    Optional,
    /// Zero or more (only as the last parameter).
    Many,
}

#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub ty: ArgType,
    pub occurs: Occurs,
    /// The argument must be a constant (a regex, a bin size, …).
    pub constant: bool,
}

impl Param {
    pub const fn new(name: &'static str, ty: ArgType) -> Self {
        Param { name, ty, occurs: Occurs::Once, constant: false }
    }
    pub const fn optional(name: &'static str, ty: ArgType) -> Self {
        Param { name, ty, occurs: Occurs::Optional, constant: false }
    }
    pub const fn many(name: &'static str, ty: ArgType) -> Self {
        Param { name, ty, occurs: Occurs::Many, constant: false }
    }
    pub const fn constant(self) -> Self {
        Param { constant: true, ..self }
    }
}

/// How the result type follows from the arguments.
#[derive(Clone, Copy, Debug)]
pub enum Returns {
    Fixed(ScalarType),
    /// The type of argument `i`.
    Arg(usize),
    /// `sum()`'s rule: int and long give long, others stay.
    Promoted(usize),
    /// The common type of the arguments at the given positions
    /// (`iff`: 1 and 2; `coalesce`: all, written as `from 0 step 1`).
    Common {
        from: usize,
        step: usize,
    },
    /// `coalesce`'s rule (Kusto.Language `ParameterTypeKind.CommonScalar`):
    /// the common type of all arguments, where a dynamic argument does not
    /// adapt to the others (`coalesce("a", dynamic(1))` is an error) — unlike
    /// `iff`'s `CommonScalarOrDynamic`.
    CommonScalar,
    /// `case(p1, v1, p2, v2, …, else)`: the values and the final else.
    CaseValues,
    /// A rule the variants above cannot state (Kusto functions with several
    /// signatures, such as `avg` or `bin`). It runs after the per-parameter
    /// checks and may itself reject the combination of argument types.
    Custom(fn(&[Type]) -> Result<Type, CallError>),
}

/// The column name a call gets when it is not named (Kusto's result-name rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultName {
    /// `Column1`, `Column2`, … (`print`, `extend`), or the summarize default.
    Default,
    /// `prefix_` + the first argument's name: `sum_Flows`, `count_`.
    PrefixAndFirstArg(&'static str),
    /// The first argument's name (`tostring(X)` → `X`, `bin(T, 1h)` → `T`).
    FirstArg,
    /// The prefix alone (Kusto's `ResultNameKind.PrefixOnly`:
    /// `tdigest_merge(d1, d2)` is `tdigests_merge_result`).
    Prefix(&'static str),
}

#[derive(Debug)]
pub struct FunctionDef {
    /// What the executor runs and the optimizer reasons about; aliases
    /// share it.
    pub id: FunctionId,
    /// The name as the query writes it (output naming, `explain`, messages).
    pub name: &'static str,
    /// Follows from `id` (the tables' constructors set both).
    pub kind: FunctionKind,
    pub params: &'static [Param],
    pub returns: Returns,
    pub result_name: ResultName,
    /// One line for help and completion.
    pub doc: &'static str,
}

/// Why a call does not fit its function's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// Wrong number of arguments; the text says what is accepted ("1", "2 or 3", "at least 1").
    Arity { expected: String },
    /// Argument `index` has the wrong type.
    ArgType { index: usize, expected: String, found: Type },
    /// Argument types that do not agree (branches of `iff`).
    Incompatible { found: Vec<Type> },
    /// A valid Kusto form of the call that ntaq does not implement.
    Unsupported { what: String },
}

impl FunctionDef {
    /// The accepted argument counts as text.
    pub fn arity_text(&self) -> String {
        let min = self.params.iter().filter(|p| p.occurs == Occurs::Once).count();
        let max = (!self.params.iter().any(|p| p.occurs == Occurs::Many)).then_some(self.params.len());
        match max {
            Some(m) if m == min => min.to_string(),
            Some(m) if m == min + 1 => format!("{min} or {m}"),
            Some(m) => format!("{min} to {m}"),
            None => format!("at least {min}"),
        }
    }

    /// The parameter an argument at `index` binds to.
    pub fn param_for(&self, index: usize) -> Option<&Param> {
        self.params.get(index).or_else(|| self.params.last().filter(|p| p.occurs == Occurs::Many))
    }

    /// `name(a: type, [b: type], …)` for help text.
    pub fn signature_text(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| match p.occurs {
                Occurs::Once => p.name.to_string(),
                Occurs::Optional => format!("[{}]", p.name),
                Occurs::Many => format!("{}, …", p.name),
            })
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }

    /// Checks argument count and types; returns the result type.
    pub fn check(&self, args: &[Type]) -> Result<Type, CallError> {
        let min = self.params.iter().filter(|p| p.occurs == Occurs::Once).count();
        let variadic = self.params.iter().any(|p| p.occurs == Occurs::Many);
        if args.len() < min || (!variadic && args.len() > self.params.len()) {
            return Err(CallError::Arity { expected: self.arity_text() });
        }
        for (index, t) in args.iter().enumerate() {
            let Some(p) = self.param_for(index) else {
                return Err(CallError::Arity { expected: self.arity_text() });
            };
            if !p.ty.accepts(*t) {
                return Err(CallError::ArgType { index, expected: p.ty.describe(), found: *t });
            }
        }
        self.result_type(args)
    }

    fn result_type(&self, args: &[Type]) -> Result<Type, CallError> {
        let pick = |positions: Vec<usize>| {
            let types: Vec<Type> = positions.iter().filter_map(|&i| args.get(i).copied()).collect();
            common_type(&types).ok_or(CallError::Incompatible { found: types })
        };
        match self.returns {
            Returns::Fixed(t) => Ok(Type::Scalar(t)),
            Returns::Arg(i) => Ok(args.get(i).copied().unwrap_or(Type::Unknown)),
            Returns::Promoted(i) => Ok(match args.get(i).copied() {
                Some(Type::Scalar(t @ (ScalarType::Int | ScalarType::Long))) => {
                    Type::Scalar(widest_numeric(t, ScalarType::Long).unwrap_or(ScalarType::Long))
                }
                Some(t) => t,
                None => Type::Unknown,
            }),
            Returns::Common { from, step } => pick((from..args.len()).step_by(step.max(1)).collect()),
            Returns::CommonScalar => {
                let dynamic = args.iter().filter(|t| **t == Type::DYNAMIC).count();
                let known = args.iter().filter(|t| matches!(t, Type::Scalar(_))).count();
                if dynamic > 0 && dynamic < known {
                    return Err(CallError::Incompatible { found: args.to_vec() });
                }
                common_type(args).ok_or(CallError::Incompatible { found: args.to_vec() })
            }
            Returns::CaseValues => {
                let mut positions: Vec<usize> = (1..args.len()).step_by(2).collect();
                if args.len() % 2 == 1 {
                    positions.push(args.len() - 1);
                }
                pick(positions)
            }
            Returns::Custom(rule) => rule(args),
        }
    }
}

fn registry() -> &'static HashMap<&'static str, &'static FunctionDef> {
    static REGISTRY: OnceLock<HashMap<&'static str, &'static FunctionDef>> = OnceLock::new();
    REGISTRY.get_or_init(|| scalar::FUNCTIONS.iter().chain(aggregate::FUNCTIONS).map(|f| (f.name, f)).collect())
}

/// The function named `name` (case-sensitive, as in Kusto).
pub fn lookup(name: &str) -> Option<&'static FunctionDef> {
    registry().get(name).copied()
}

/// The scalar function an aggregation's name stands for when called with
/// `args` arguments, if it has one: `tdigest_merge(d1, d2)` merges the
/// digests of one row (the aggregation takes one argument).
pub fn scalar_form(name: &str, args: usize) -> Option<&'static FunctionDef> {
    if args < 2 {
        return None;
    }
    scalar::SCALAR_FORMS.iter().find(|f| f.name == name)
}

/// Every function ntaq implements, scalar then aggregate, each sorted by name.
pub fn all() -> impl Iterator<Item = &'static FunctionDef> {
    scalar::FUNCTIONS.iter().chain(aggregate::FUNCTIONS)
}

/// The catalog entry of an aggregation. Each aggregation has exactly one
/// name (the catalog tests check it), so this is its name's entry.
pub fn aggregate_def(f: AggregateFn) -> &'static FunctionDef {
    static BY_ID: OnceLock<HashMap<AggregateFn, &'static FunctionDef>> = OnceLock::new();
    let by_id = BY_ID.get_or_init(|| aggregate::FUNCTIONS.iter().filter_map(|d| Some((d.aggregate()?, d))).collect());
    by_id[&f]
}

impl FunctionDef {
    /// The scalar function this is, if it is one.
    pub fn scalar(&self) -> Option<ScalarFn> {
        match self.id {
            FunctionId::Scalar(f) => Some(f),
            FunctionId::Aggregate(_) => None,
        }
    }

    /// The aggregation this is, if it is one.
    pub fn aggregate(&self) -> Option<AggregateFn> {
        match self.id {
            FunctionId::Aggregate(f) => Some(f),
            FunctionId::Scalar(_) => None,
        }
    }

    /// See [`ScalarFn::is_deterministic`] (aggregates are).
    pub fn is_deterministic(&self) -> bool {
        self.scalar().is_none_or(ScalarFn::is_deterministic)
    }

    /// True for a window function (see [`ScalarFn::is_window`]).
    pub fn is_window(&self) -> bool {
        self.scalar().is_some_and(ScalarFn::is_window)
    }
}

/// True if `name` is a window function (see [`ScalarFn::is_window`]).
pub fn is_window(name: &str) -> bool {
    lookup(name).is_some_and(FunctionDef::is_window)
}

/// True for a Kusto function that ntaq does not implement.
pub fn is_known_unsupported(name: &str) -> bool {
    known::UNSUPPORTED.binary_search(&name).is_ok()
}

/// Names for "did you mean": implemented functions first, then the others Kusto has.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    all().map(|f| f.name).chain(known::UNSUPPORTED.iter().copied())
}

#[cfg(test)]
mod tests;
