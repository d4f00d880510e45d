//! Aggregation functions ntaq implements, sorted by name.
//!
//! Signatures, return types and result names follow the Kusto language
//! service (`src/Kusto.Language/Aggregates.cs` in
//! microsoft/Kusto-Query-Language); see `scalar.rs` for how its parameter
//! kinds map onto [`ArgType`](super::ArgType). Kusto's
//! `ResultNameKind.PrefixAndFirstArgument` with `WithResultNamePrefix("p")`
//! is `ResultName::PrefixAndFirstArg("p")` here: `sum(Flows)` is `sum_Flows`,
//! `count()` is `count_`, and a first argument with no name of its own gives
//! just the prefix and `_` (`countif(A > 1)` is `countif_`).
//!
//! `arg_max`, `arg_min`, `take_any` and the multi-argument or `*` forms of
//! `any` produce one column per argument (Kusto's `GetArgMinMaxResult` and
//! `GetAnyResult`); the binder (`binder/summarize.rs`) names and types those
//! columns itself, so their `returns` and `result_name` below only describe
//! the first column and are not used for naming.

use super::{
    AggregateFn as G, ArgType as A, CallError, FunctionDef, FunctionId, FunctionKind, Param as P, ResultName, Returns,
};
use crate::types::Type;
use ResultName::PrefixAndFirstArg;
use Returns::{Arg, Fixed};
use kql_syntax::ScalarType as S;

/// What `avg` accepts: Kusto declares one signature each for integer, real,
/// decimal, timespan and datetime.
const AVERAGEABLE: A = A::OneOf(&[S::Int, S::Long, S::Real, S::Decimal, S::Timespan, S::DateTime]);

/// Kusto's `ParameterTypeKind.NotDynamic`: any scalar but dynamic.
const NOT_DYNAMIC: A =
    A::OneOf(&[S::Bool, S::Int, S::Long, S::Real, S::Decimal, S::String, S::DateTime, S::Timespan, S::Guid]);

/// Result of `avg(x)` / `avgif(x, p)` (Aggregates.cs `Avg`, `AvgIf`): int and
/// long average to real; real, decimal, timespan and datetime keep their type.
fn avg_result(args: &[Type]) -> Result<Type, CallError> {
    Ok(match args.first() {
        Some(Type::Scalar(S::Int | S::Long)) => Type::REAL,
        Some(&t) => t,
        None => Type::Unknown,
    })
}

/// What `percentile` orders: numbers, datetimes and timespans.
const PERCENTILE_VALUE: A = A::OneOf(&[S::Int, S::Long, S::Real, S::Decimal, S::DateTime, S::Timespan]);

/// Result of `percentile(x, p)` (Aggregates.cs `AddPercentileColumns`): the
/// value's type, int as long and decimal as real.
fn percentile_result(args: &[Type]) -> Result<Type, CallError> {
    Ok(match args.first() {
        Some(&Type::Scalar(t)) => Type::Scalar(percentile_type(t)),
        Some(&t) => t,
        None => Type::Unknown,
    })
}

/// The type of a percentile of values of type `t` (also the elements of
/// `percentiles_array`'s array).
pub fn percentile_type(t: S) -> S {
    match t {
        S::Int => S::Long,
        S::Decimal => S::Real,
        t => t,
    }
}

/// `percentiles_array`'s percentiles: numbers, or one dynamic array of them.
const PERCENTILES: A = A::OneOf(&[S::Int, S::Long, S::Real, S::Decimal, S::Dynamic]);

/// `percentiles_array(x, dynamic([…]))` takes no further percentiles
/// (Kusto declares the array form with exactly two parameters).
fn percentiles_array_result(args: &[Type]) -> Result<Type, CallError> {
    if args.get(1) == Some(&Type::DYNAMIC) && args.len() > 2 {
        return Err(CallError::ArgType { index: 1, expected: "a number".into(), found: Type::DYNAMIC });
    }
    Ok(Type::DYNAMIC)
}

/// Kusto's `ParameterTypeKind.NotRealOrBool` (what `hll` counts).
const NOT_REAL_OR_BOOL: A =
    A::OneOf(&[S::Int, S::Long, S::Decimal, S::String, S::DateTime, S::Timespan, S::Guid, S::Dynamic]);

/// `hll`'s accuracy level (0-4): Kusto declares an integer.
const HLL_ACCURACY: P = P::optional("accuracy", A::Exactly(S::Long));

const fn aggregate(
    id: G,
    name: &'static str,
    params: &'static [P],
    returns: Returns,
    result_name: ResultName,
    doc: &'static str,
) -> FunctionDef {
    FunctionDef {
        id: FunctionId::Aggregate(id),
        name,
        kind: FunctionKind::Aggregate,
        params,
        returns,
        result_name,
        doc,
    }
}

const PREDICATE: P = P::new("predicate", A::Exactly(S::Bool));
/// `make_list`, `make_set`: `maxSize` is an integer (Kusto `ParameterTypeKind.Integer`).
const MAX_SIZE: P = P::optional("maxSize", A::Exactly(S::Long));
/// `dcount`'s accuracy level (0-4); Kusto declares `NotDynamic`.
const ACCURACY: P = P::optional("accuracy", NOT_DYNAMIC);
/// `take_any` / `any`: one or more expressions, or `*`.
const ANY_PARAMS: &[P] = &[P::new("expr", A::StarOrAny), P::many("expr", A::StarOrAny)];

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    // any: deprecated in Kusto in favour of take_any, but its one-argument
    // form keeps the "any_" prefix (Aggregates.cs `Any`).
    aggregate(G::Any, "any", ANY_PARAMS, Arg(0), PrefixAndFirstArg("any"), "Deprecated alias of take_any."),
    // arg_max/arg_min: Kusto allows zero or more `returned` expressions after
    // the maximized one, each any scalar or `*` (ArgumentKind.StarAllowed).
    aggregate(
        G::ArgMax,
        "arg_max",
        &[P::new("maximized", A::Orderable), P::many("returned", A::StarOrAny)],
        Arg(0),
        ResultName::Default,
        "The row where the first argument is largest: that value and the listed columns.",
    ),
    aggregate(
        G::ArgMin,
        "arg_min",
        &[P::new("minimized", A::Orderable), P::many("returned", A::StarOrAny)],
        Arg(0),
        ResultName::Default,
        "The row where the first argument is smallest: that value and the listed columns.",
    ),
    aggregate(
        G::Avg,
        "avg",
        &[P::new("expr", AVERAGEABLE)],
        Returns::Custom(avg_result),
        PrefixAndFirstArg("avg"),
        "Average of the expression over the group.",
    ),
    aggregate(
        G::AvgIf,
        "avgif",
        &[P::new("expr", AVERAGEABLE), PREDICATE],
        Returns::Custom(avg_result),
        PrefixAndFirstArg("avgif"),
        "Average of the expression over the rows where the predicate is true.",
    ),
    // count: the summarize page's example `count(x)` (named `count_x`)
    // counts every row, nulls included ("The standard count function
    // includes null values in its count"), so the argument is accepted and
    // not read.
    aggregate(
        G::Count,
        "count",
        &[P::optional("expr", A::Any)],
        Fixed(S::Long),
        PrefixAndFirstArg("count"),
        "Number of rows in the group.",
    ),
    aggregate(
        G::CountDistinct,
        "count_distinct",
        &[P::new("expr", NOT_DYNAMIC)],
        Fixed(S::Long),
        PrefixAndFirstArg("count_distinct"),
        "Exact number of distinct values of the expression.",
    ),
    aggregate(
        G::CountDistinctIf,
        "count_distinctif",
        &[P::new("expr", NOT_DYNAMIC), PREDICATE],
        Fixed(S::Long),
        PrefixAndFirstArg("count_distinctif"),
        "Exact number of distinct values over the rows where the predicate is true.",
    ),
    aggregate(
        G::CountIf,
        "countif",
        &[PREDICATE],
        Fixed(S::Long),
        PrefixAndFirstArg("countif"),
        "Number of rows where the predicate is true.",
    ),
    aggregate(
        G::DCount,
        "dcount",
        &[P::new("expr", A::Any), ACCURACY],
        Fixed(S::Long),
        PrefixAndFirstArg("dcount"),
        "Estimated number of distinct values of the expression.",
    ),
    aggregate(
        G::DCountIf,
        "dcountif",
        &[P::new("expr", A::Any), PREDICATE, ACCURACY],
        Fixed(S::Long),
        PrefixAndFirstArg("dcountif"),
        "Estimated number of distinct values over the rows where the predicate is true.",
    ),
    // hll/hll_if/hll_merge: Aggregates.cs `Hll`, `HllIf`, `HllMerge` (expr
    // `NotRealOrBool`, an integer accuracy, a dynamic array result named
    // hll_X / hll_if_X / hll_merge_X). ntaq's sketch is exact: see
    // docs/language.md.
    aggregate(
        G::Hll,
        "hll",
        &[P::new("expr", NOT_REAL_OR_BOOL), HLL_ACCURACY],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("hll"),
        "A sketch of the expression's distinct values, for dcount_hll and hll_merge.",
    ),
    aggregate(
        G::HllIf,
        "hll_if",
        &[P::new("expr", NOT_REAL_OR_BOOL), PREDICATE, HLL_ACCURACY],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("hll_if"),
        "A sketch of the expression's distinct values where the predicate is true.",
    ),
    aggregate(
        G::HllMerge,
        "hll_merge",
        &[P::new("hll", A::Exactly(S::Dynamic))],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("hll_merge"),
        "The union of the hll() sketches in the group.",
    ),
    // make_list/make_set and their _if forms: Kusto returns a dynamic array
    // and names the column "list_X" / "set_X" (the _if forms too).
    // make_bag/make_bag_if: Aggregates.cs `MakeBag`, `MakeBagIf` (expr a
    // property bag, result prefix "bag").
    aggregate(
        G::MakeBag,
        "make_bag",
        &[P::new("expr", A::Exactly(S::Dynamic)), MAX_SIZE],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("bag"),
        "Property bag of the keys and values of the expression's bags in the group.",
    ),
    aggregate(
        G::MakeBagIf,
        "make_bag_if",
        &[P::new("expr", A::Exactly(S::Dynamic)), PREDICATE, MAX_SIZE],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("bag"),
        "Property bag of the keys and values of the expression's bags where the predicate is true.",
    ),
    aggregate(
        G::MakeList,
        "make_list",
        &[P::new("expr", A::Any), MAX_SIZE],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("list"),
        "Dynamic array of the expression's values in the group.",
    ),
    aggregate(
        G::MakeListIf,
        "make_list_if",
        &[P::new("expr", A::Any), PREDICATE, MAX_SIZE],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("list"),
        "Dynamic array of the expression's values where the predicate is true.",
    ),
    // make_list_with_nulls: Aggregates.cs `MakeListWithNulls` (no maxSize).
    aggregate(
        G::MakeListWithNulls,
        "make_list_with_nulls",
        &[P::new("expr", A::Any)],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("list"),
        "Dynamic array of the expression's values in the group, nulls included.",
    ),
    aggregate(
        G::MakeSet,
        "make_set",
        &[P::new("expr", A::Any), MAX_SIZE],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("set"),
        "Dynamic array of the distinct values of the expression in the group.",
    ),
    aggregate(
        G::MakeSetIf,
        "make_set_if",
        &[P::new("expr", A::Any), PREDICATE, MAX_SIZE],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("set"),
        "Dynamic array of the distinct values where the predicate is true.",
    ),
    // makelist/makeset: obsolete and hidden in Kusto.Language; their pages give a default maxSize of 128.
    aggregate(
        G::Makelist,
        "makelist",
        &[P::new("expr", A::Any), MAX_SIZE],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("list"),
        "Deprecated alias of make_list (at most 128 values unless maxSize is given).",
    ),
    aggregate(
        G::Makeset,
        "makeset",
        &[P::new("expr", A::Any), MAX_SIZE],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("set"),
        "Deprecated alias of make_set (at most 128 values unless maxSize is given).",
    ),
    aggregate(
        G::Max,
        "max",
        &[P::new("expr", A::Orderable)],
        Arg(0),
        PrefixAndFirstArg("max"),
        "Largest value in the group.",
    ),
    aggregate(
        G::MaxIf,
        "maxif",
        &[P::new("expr", A::Orderable), PREDICATE],
        Arg(0),
        PrefixAndFirstArg("maxif"),
        "Largest value over the rows where the predicate is true.",
    ),
    // merge_tdigest/tdigest_merge: Aggregates.cs `MergeTDigest`,
    // `TDigestMerge` (a dynamic digest, result prefix "merge_tdigests").
    aggregate(
        G::MergeTDigest,
        "merge_tdigest",
        &[P::new("tdigest", A::Exactly(S::Dynamic))],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("merge_tdigests"),
        "Alias of tdigest_merge: the tdigest() digests of the group merged.",
    ),
    aggregate(
        G::Min,
        "min",
        &[P::new("expr", A::Orderable)],
        Arg(0),
        PrefixAndFirstArg("min"),
        "Smallest value in the group.",
    ),
    aggregate(
        G::MinIf,
        "minif",
        &[P::new("expr", A::Orderable), PREDICATE],
        Arg(0),
        PrefixAndFirstArg("minif"),
        "Smallest value over the rows where the predicate is true.",
    ),
    // percentile/percentiles: one column per percentile, `percentile_X_50` (Aggregates.cs `AddPercentileColumns`), named by the binder.
    aggregate(
        G::Percentile,
        "percentile",
        &[P::new("expr", PERCENTILE_VALUE), P::new("percentile", A::Numeric).constant()],
        Returns::Custom(percentile_result),
        ResultName::Default,
        "The nearest-rank percentile of the expression (Kusto estimates it).",
    ),
    aggregate(
        G::Percentiles,
        "percentiles",
        &[
            P::new("expr", PERCENTILE_VALUE),
            P::new("percentile", A::Numeric).constant(),
            P::many("percentile", A::Numeric).constant(),
        ],
        Returns::Custom(percentile_result),
        ResultName::Default,
        "Nearest-rank percentiles of the expression, one column each.",
    ),
    // percentiles_array: Aggregates.cs `PercentilesArray`, one dynamic
    // array column named `percentiles_X` (`PercentileArrayReturn`); the
    // percentiles are constants, listed or in one dynamic array.
    aggregate(
        G::PercentilesArray,
        "percentiles_array",
        &[
            P::new("expr", PERCENTILE_VALUE),
            P::new("percentiles", PERCENTILES).constant(),
            P::many("percentile", A::Numeric).constant(),
        ],
        Returns::Custom(percentiles_array_result),
        PrefixAndFirstArg("percentiles"),
        "Nearest-rank percentiles of the expression in one dynamic array.",
    ),
    // stdev/variance: Kusto's `Summable` also admits timespan and datetime; only numbers are declared here.
    aggregate(
        G::Stdev,
        "stdev",
        &[P::new("expr", A::Numeric)],
        Fixed(S::Real),
        PrefixAndFirstArg("stdev"),
        "Sample standard deviation of the expression over the group.",
    ),
    aggregate(
        G::StdevIf,
        "stdevif",
        &[P::new("expr", A::Numeric), PREDICATE],
        Fixed(S::Real),
        PrefixAndFirstArg("stdevif"),
        "Sample standard deviation over the rows where the predicate is true.",
    ),
    // stdevp/variancep/variancepif: Aggregates.cs `Stdevp`, `Variancep`,
    // `VariancepIf` (no stdevpif), the population forms (n in the denominator).
    aggregate(
        G::StdevP,
        "stdevp",
        &[P::new("expr", A::Numeric)],
        Fixed(S::Real),
        PrefixAndFirstArg("stdevp"),
        "Population standard deviation of the expression over the group.",
    ),
    // sum/sumif: Kusto's `Summable` also admits datetime; ntaq's `Summable`
    // (numbers and timespan) rejects a sum of datetimes.
    aggregate(
        G::Sum,
        "sum",
        &[P::new("expr", A::Summable)],
        Returns::Promoted(0),
        PrefixAndFirstArg("sum"),
        "Sum of the expression over the group (int and long sum to long).",
    ),
    aggregate(
        G::SumIf,
        "sumif",
        &[P::new("expr", A::Summable), PREDICATE],
        Returns::Promoted(0),
        PrefixAndFirstArg("sumif"),
        "Sum of the expression over the rows where the predicate is true.",
    ),
    // take_any: Kusto sets no result-name kind; an unnamed column argument
    // keeps its name and other expressions become any_argN (`GetAnyResult`
    // with the "any_" prefix), which the binder does itself.
    aggregate(
        G::TakeAny,
        "take_any",
        ANY_PARAMS,
        Arg(0),
        ResultName::Default,
        "An arbitrary value of each argument from one row of the group.",
    ),
    aggregate(
        G::TakeAnyIf,
        "take_anyif",
        &[P::new("expr", A::Any), PREDICATE],
        Arg(0),
        ResultName::FirstArg,
        "A non-empty value of the expression from a row where the predicate is true.",
    ),
    // tdigest: Aggregates.cs `TDigest` (expr `Summable`, which admits
    // datetime; an optional integer weight; prefix "tdigest"). ntaq's
    // digest is exact: see docs/language.md.
    aggregate(
        G::TDigest,
        "tdigest",
        &[P::new("expr", PERCENTILE_VALUE), P::optional("weight", A::OneOf(&[S::Int, S::Long]))],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("tdigest"),
        "A digest of the expression's values (each counted weight times), for percentile_tdigest.",
    ),
    aggregate(
        G::TDigestMerge,
        "tdigest_merge",
        &[P::new("tdigest", A::Exactly(S::Dynamic))],
        Fixed(S::Dynamic),
        PrefixAndFirstArg("merge_tdigests"),
        "The tdigest() digests of the group merged into one.",
    ),
    aggregate(
        G::Variance,
        "variance",
        &[P::new("expr", A::Numeric)],
        Fixed(S::Real),
        PrefixAndFirstArg("variance"),
        "Sample variance of the expression over the group.",
    ),
    aggregate(
        G::VarianceIf,
        "varianceif",
        &[P::new("expr", A::Numeric), PREDICATE],
        Fixed(S::Real),
        PrefixAndFirstArg("varianceif"),
        "Sample variance over the rows where the predicate is true.",
    ),
    aggregate(
        G::VarianceP,
        "variancep",
        &[P::new("expr", A::Numeric)],
        Fixed(S::Real),
        PrefixAndFirstArg("variancep"),
        "Population variance of the expression over the group.",
    ),
    aggregate(
        G::VariancePIf,
        "variancepif",
        &[P::new("expr", A::Numeric), PREDICATE],
        Fixed(S::Real),
        PrefixAndFirstArg("variancepif"),
        "Population variance over the rows where the predicate is true.",
    ),
];
