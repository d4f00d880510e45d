//! Scalar functions ntaq implements, sorted by name.
//!
//! Signatures, return types and result-name kinds follow the Kusto language
//! service (`src/Kusto.Language/Functions.cs` in microsoft/Kusto-Query-Language).
//! Its parameter kinds map onto [`ArgType`](super::ArgType) like this:
//!
//! - `Scalar`, `CommonScalar`, `CommonScalarOrDynamic` → `Any`
//! - `Number` → `Numeric`; `Integer` (int or long) → `Exactly(Long)`
//! - `StringOrDynamic` → `StringLike`; `DynamicArray` → `Exactly(Dynamic)`
//! - `Orderable`, `CommonOrderable` → `Orderable`
//! - a declared `string` → `StringLike`: Kusto's string is "wider than"
//!   dynamic, so a dynamic argument is promoted
//! - a declared `long` → `Exactly(Long)` (int promotes); a declared `real` →
//!   `Exactly(Real)`, which also admits decimal where Kusto does not
//! - `ArgumentKind.Constant` / `Literal` → `.constant()`
//!
//! Kusto's `ResultNameKind` maps onto [`ResultName`]: `None` (the default) →
//! `Default`, `FirstArgument` → `FirstArg`, `NameAndFirstArgument` →
//! `PrefixAndFirstArg(<the function's own name>)`.

use super::{
    ArgType as A, CallError, FunctionDef, FunctionId, FunctionKind, Param as P, ResultName, Returns, ScalarFn as F,
};
use crate::types::{Type, common_type, widest_numeric};
use ResultName::{Default as Unnamed, FirstArg};
use Returns::{Arg, Fixed};
use kql_syntax::ScalarType as S;

/// `series_fit_line`'s columns in Kusto's order (Functions.cs
/// `SeriesFitLine`) and their types: the fitted line's values are a
/// dynamic array, the rest real.
pub const SERIES_FIT_LINE: &[(&str, S)] = &[
    ("rsquare", S::Real),
    ("slope", S::Real),
    ("variance", S::Real),
    ("rvariance", S::Real),
    ("interception", S::Real),
    ("line_fit", S::Dynamic),
];

/// `bin`/`floor` values: numbers, datetime and timespan.
/// `series_stats`' columns in Kusto's order (Functions.cs `SeriesStats`)
/// and their types: the positions (`_idx`) are long, the rest real.
pub const SERIES_STATS: &[(&str, S)] = &[
    ("min", S::Real),
    ("min_idx", S::Long),
    ("max", S::Real),
    ("max_idx", S::Long),
    ("avg", S::Real),
    ("stdev", S::Real),
    ("variance", S::Real),
];

const BINNABLE: A = A::OneOf(&[S::Int, S::Long, S::Real, S::Decimal, S::DateTime, S::Timespan]);

/// Result of `bin(value, roundTo)` / `floor(value, roundTo)`. Kusto declares
/// four signatures (Functions.cs `Bin`, `Floor`): (number, number) → the
/// widest of the two with int promoted to long; (timespan, timespan) →
/// timespan; (datetime, datetime) and (datetime, timespan) → datetime.
fn bin_result(args: &[Type]) -> Result<Type, CallError> {
    let (Some(&value), Some(&round_to)) = (args.first(), args.get(1)) else {
        return Ok(Type::Unknown);
    };
    let mismatch = |expected: &str| CallError::ArgType { index: 1, expected: expected.into(), found: round_to };
    match value {
        Type::Unknown => Ok(Type::Unknown),
        Type::Scalar(S::DateTime) => match round_to {
            Type::Unknown | Type::Scalar(S::Timespan | S::DateTime) => Ok(Type::DATETIME),
            _ => Err(mismatch("timespan (the bin size of a datetime)")),
        },
        Type::Scalar(S::Timespan) => match round_to {
            Type::Unknown | Type::Scalar(S::Timespan) => Ok(Type::TIMESPAN),
            _ => Err(mismatch("timespan (the bin size of a timespan)")),
        },
        Type::Scalar(v) => match round_to {
            Type::Unknown => Ok(Type::Unknown),
            Type::Scalar(r) => match widest_numeric(v, r) {
                Some(S::Int) => Ok(Type::LONG),
                Some(t) => Ok(Type::Scalar(t)),
                None => Err(mismatch("a number (the bin size of a number)")),
            },
        },
    }
}

/// Result of `bin_at(value, bin_size, fixed_point)`. Kusto declares
/// (Functions.cs `BinAt`): three numbers → the widest (int promoted to
/// long, as `bin`); (timespan, number or timespan, timespan) → timespan;
/// (datetime, number or timespan, datetime) → datetime.
fn bin_at_result(args: &[Type]) -> Result<Type, CallError> {
    let (Some(&value), Some(&size), Some(&fixed)) = (args.first(), args.get(1), args.get(2)) else {
        return Ok(Type::Unknown);
    };
    let mismatch =
        |index: usize, expected: &str, found: Type| CallError::ArgType { index, expected: expected.into(), found };
    let size_ok =
        |t: Type| matches!(t, Type::Unknown) || matches!(t, Type::Scalar(s) if s.is_numeric() || s == S::Timespan);
    match value {
        Type::Unknown => Ok(Type::Unknown),
        Type::Scalar(t @ (S::DateTime | S::Timespan)) => {
            if !size_ok(size) {
                return Err(mismatch(1, "a number or timespan (the bin size)", size));
            }
            if !matches!(fixed, Type::Unknown) && fixed != Type::Scalar(t) {
                return Err(mismatch(2, &format!("a {t} (the fixed point of a {t})"), fixed));
            }
            Ok(Type::Scalar(t))
        }
        Type::Scalar(v) => {
            let mut widest = v;
            for (index, t) in [(1, size), (2, fixed)] {
                match t {
                    Type::Unknown => return Ok(Type::Unknown),
                    Type::Scalar(s) => {
                        widest = widest_numeric(widest, s)
                            .ok_or_else(|| mismatch(index, "a number (bin_at of a number)", t))?;
                    }
                }
            }
            Ok(if widest == S::Int { Type::LONG } else { Type::Scalar(widest) })
        }
    }
}

/// A series operand: a dynamic array or a number.
const SERIES_OPERAND: A = A::OneOf(&[S::Dynamic, S::Int, S::Long, S::Real, S::Decimal]);
const SERIES_BINARY: &[P] = &[P::new("series1", SERIES_OPERAND), P::new("series2", SERIES_OPERAND)];
const SERIES_UNARY: &[P] = &[P::new("series", A::Exactly(S::Dynamic))];

/// Result of `series_add(s1, s2)` & co (Functions.cs `SeriesAdd`, …): the
/// signatures are (array, array), (array, number) and (number, array), so
/// two numbers are an error.
fn series_binary_result(args: &[Type]) -> Result<Type, CallError> {
    match args {
        [Type::Scalar(a), Type::Scalar(b)] if *a != S::Dynamic && *b != S::Dynamic => Err(CallError::ArgType {
            index: 1,
            expected: "a dynamic array (one of the two arguments must be a series)".into(),
            found: Type::Scalar(*b),
        }),
        _ => Ok(Type::DYNAMIC),
    }
}

/// Result of `case(p1, v1, p2, v2, …, else)`. Kusto (Functions.cs `Case`,
/// `ParameterLayouts.BlockRepeating`) takes one or more predicate/value pairs
/// and a final else, so an odd count of at least 3; every predicate is bool;
/// the result is the common type of the values and the else.
fn case_result(args: &[Type]) -> Result<Type, CallError> {
    if args.len() < 3 || args.len().is_multiple_of(2) {
        return Err(CallError::Arity { expected: "3, 5, 7, …".into() });
    }
    let last = args.len() - 1;
    for index in (0..last).step_by(2) {
        if !A::Exactly(S::Bool).accepts(args[index]) {
            return Err(CallError::ArgType { index, expected: "bool (a predicate)".into(), found: args[index] });
        }
    }
    let values: Vec<Type> = (1..last).step_by(2).chain([last]).map(|i| args[i]).collect();
    common_type(&values).ok_or(CallError::Incompatible { found: values })
}

/// `bag_pack(key1, value1, …)` / `pack`: key/value pairs (Kusto.Language
/// `BagPack`, `ParameterLayouts.BlockRepeating`), so an even count of at
/// least 2; keys are strings.
fn bag_pack_result(args: &[Type]) -> Result<Type, CallError> {
    if args.is_empty() || !args.len().is_multiple_of(2) {
        return Err(CallError::Arity { expected: "2, 4, 6, …".into() });
    }
    for index in (0..args.len()).step_by(2) {
        if !A::StringLike.accepts(args[index]) {
            return Err(CallError::ArgType { index, expected: "string (a key)".into(), found: args[index] });
        }
    }
    Ok(Type::DYNAMIC)
}

/// `array_sort_asc(array1[, …, arrayN][, nulls_last])`: one array and an
/// optional bool are implemented; sorting several arrays together (one
/// result column each) is not.
fn array_sort_result(args: &[Type]) -> Result<Type, CallError> {
    let several = || CallError::Unsupported { what: "sorting several arrays together (one column each)".into() };
    match args {
        [_] | [_, Type::Unknown | Type::Scalar(S::Bool)] => Ok(Type::DYNAMIC),
        [_, Type::Scalar(S::Dynamic), ..] => Err(several()),
        [_, found] => {
            Err(CallError::ArgType { index: 1, expected: "bool (nulls_last) or an array".into(), found: *found })
        }
        _ => Err(several()),
    }
}

/// `hash(source [, mod])` / `hash_xxhash64` (Functions.cs `Hash`: any
/// scalar, an integer modulus, long). Only the types whose input bytes the
/// hash page's examples confirm are implemented: a string (its UTF-8 bytes)
/// and a datetime (its 100-ns ticks since 0001-01-01). Kusto's byte layout
/// for the other types is undocumented, so they are reported unsupported
/// rather than given a hash Kusto might not compute.
fn hash_result(args: &[Type]) -> Result<Type, CallError> {
    match args.first() {
        None | Some(Type::Unknown | Type::Scalar(S::String | S::DateTime)) => Ok(Type::LONG),
        Some(Type::Scalar(t)) => Err(CallError::Unsupported {
            what: format!("`hash()` of a {t} (Kusto documents the hash of strings and datetimes only)"),
        }),
    }
}

/// `todecimal(value)` (Functions.Convert.cs `ToDecimal`: any scalar, decimal).
/// Text and numbers convert; what Kusto makes of a bool, datetime,
/// timespan, guid or dynamic value is not documented, so those are
/// reported unsupported.
fn todecimal_result(args: &[Type]) -> Result<Type, CallError> {
    match args.first() {
        Some(Type::Scalar(t @ (S::Bool | S::DateTime | S::Timespan | S::Guid | S::Dynamic))) => {
            Err(CallError::Unsupported { what: format!("`todecimal()` of a {t}") })
        }
        _ => Ok(Type::DECIMAL),
    }
}

/// `percentiles_array_tdigest(d, dynamic([…]))` takes no further
/// percentiles (Kusto declares the array form with two parameters).
fn percentiles_array_tdigest_result(args: &[Type]) -> Result<Type, CallError> {
    if args.get(1) == Some(&Type::DYNAMIC) && args.len() > 2 {
        return Err(CallError::ArgType {
            index: 2,
            expected: "nothing after the array of percentiles".into(),
            found: args[2],
        });
    }
    Ok(Type::DYNAMIC)
}

/// The scalar forms of aggregations' names: `tdigest_merge(d1, d2, …)`
/// and `hll_merge(h1, h2, …)` with two or more arguments are Functions.cs
/// `TDigestMerge` and `HllMerge` (2 to 16 digests or sketches of one row),
/// not the aggregations. Not in the name registry ([`super::scalar_form`] finds them).
pub(super) static SCALAR_FORMS: &[FunctionDef] = &[
    // hll_merge(hll1, hll2, …): Functions.cs `HllMerge` (2 to 16 sketches,
    // named `hll_merged_result`).
    scalar(
        F::HllMerge,
        "hll_merge",
        HLLS,
        Fixed(S::Dynamic),
        ResultName::Prefix("hll_merged_result"),
        "The hll() sketches of one row merged (the scalar form of hll_merge).",
    ),
    scalar(
        F::TDigestMerge,
        "merge_tdigest",
        TDIGESTS,
        Fixed(S::Dynamic),
        ResultName::Prefix("tdigests_merge_result"),
        "The digests of one row merged (the scalar form of merge_tdigest).",
    ),
    scalar(
        F::TDigestMerge,
        "tdigest_merge",
        TDIGESTS,
        Fixed(S::Dynamic),
        ResultName::Prefix("tdigests_merge_result"),
        "The digests of one row merged (the scalar form of tdigest_merge).",
    ),
];

/// 2 to 16 sketches (Functions.cs `maxOccurring: 16`).
const HLLS: &[P] = &[
    P::new("hll", A::Exactly(S::Dynamic)),
    P::new("hll", A::Exactly(S::Dynamic)),
    P::many("hll", A::Exactly(S::Dynamic)),
];

/// 2 to 16 digests (Functions.cs `maxOccurring: 16`).
const TDIGESTS: &[P] = &[
    P::new("tdigest", A::Exactly(S::Dynamic)),
    P::new("tdigest", A::Exactly(S::Dynamic)),
    P::many("tdigest", A::Exactly(S::Dynamic)),
];

/// `hash`'s parameters: the value and an optional integer modulus.
const HASH_PARAMS: &[P] = &[P::new("source", A::Any), P::optional("mod", A::Exactly(S::Long))];

/// Kusto's `ParameterTypeKind.NotDynamic`: any scalar but dynamic.
const NOT_DYNAMIC: A =
    A::OneOf(&[S::Bool, S::Int, S::Long, S::Real, S::Decimal, S::String, S::DateTime, S::Timespan, S::Guid]);

/// `extract_all(regex, source)` or `extract_all(regex, captureGroups, source)`
/// (Functions.cs `ExtractAll`): the groups a dynamic array, the source a
/// string; the result a dynamic array.
fn extract_all_result(args: &[Type]) -> Result<Type, CallError> {
    let string = |index: usize| -> Result<(), CallError> {
        match args.get(index) {
            Some(&t) if !A::StringLike.accepts(t) => {
                Err(CallError::ArgType { index, expected: "string".into(), found: t })
            }
            _ => Ok(()),
        }
    };
    if args.len() == 3 {
        if !A::Exactly(S::Dynamic).accepts(args[1]) {
            return Err(CallError::ArgType {
                index: 1,
                expected: "dynamic (an array of capture groups)".into(),
                found: args[1],
            });
        }
        string(2)?;
    } else {
        string(1)?;
    }
    Ok(Type::DYNAMIC)
}

const fn scalar(
    id: F,
    name: &'static str,
    params: &'static [P],
    returns: Returns,
    result_name: ResultName,
    doc: &'static str,
) -> FunctionDef {
    FunctionDef { id: FunctionId::Scalar(id), name, kind: FunctionKind::Scalar, params, returns, result_name, doc }
}

/// `startofday` & co: a datetime and an optional offset in days/weeks/months/years.
const DATE_AND_OFFSET: &[P] = &[P::new("date", A::Exactly(S::DateTime)), P::optional("offset", A::Exactly(S::Long))];
const DATE: &[P] = &[P::new("date", A::Exactly(S::DateTime))];
const VALUE: &[P] = &[P::new("value", A::Any)];
const NUMBER: &[P] = &[P::new("number", A::Numeric)];
const BIN_PARAMS: &[P] = &[P::new("value", BINNABLE), P::new("roundTo", BINNABLE).constant()];
const IFF_PARAMS: &[P] = &[P::new("if", A::Exactly(S::Bool)), P::new("then", A::Any), P::new("else", A::Any)];
const TRIM_PARAMS: &[P] = &[P::new("regex", A::StringLike).constant(), P::new("source", A::StringLike)];

/// `prev`/`next`: column, constant offset (1), default value (null).
const PREV_NEXT: &[P] = &[
    P::new("column", A::Any),
    P::optional("offset", A::Exactly(S::Long)).constant(),
    P::optional("default_value", A::Any),
];

/// What `range()` counts in: numbers, datetimes (with a timespan step) and timespans.
const RANGE_TYPES: &[S] = &[S::Int, S::Long, S::Real, S::DateTime, S::Timespan];

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    // abs: (integer) → long, (number) → same, (timespan) → timespan. `Summable`
    // is exactly number-or-timespan, and `Promoted(0)` maps int to long.
    scalar(
        F::Abs,
        "abs",
        &[P::new("number", A::Summable)],
        Returns::Promoted(0),
        FirstArg,
        "Absolute value of a number or timespan.",
    ),
    scalar(F::Acos, "acos", NUMBER, Fixed(S::Real), FirstArg, "Arccosine in radians (NaN outside -1..1)."),
    scalar(
        F::Ago,
        "ago",
        &[P::new("timespan", A::Exactly(S::Timespan))],
        Fixed(S::DateTime),
        Unnamed,
        "The current UTC time minus the timespan.",
    ),
    scalar(
        F::ArrayConcat,
        "array_concat",
        &[P::new("array", A::Exactly(S::Dynamic)), P::many("array", A::Exactly(S::Dynamic))],
        Fixed(S::Dynamic),
        Unnamed,
        "The arrays' elements in one array (null if an argument is not an array).",
    ),
    scalar(
        F::ArrayIff,
        "array_iff",
        &[P::new("condition_array", A::Exactly(S::Dynamic)), P::new("when_true", A::Any), P::new("when_false", A::Any)],
        Fixed(S::Dynamic),
        Unnamed,
        "Element-wise iff over a dynamic array of conditions (numbers true when not 0).",
    ),
    scalar(
        F::ArrayIff,
        "array_iif",
        &[P::new("condition_array", A::Exactly(S::Dynamic)), P::new("when_true", A::Any), P::new("when_false", A::Any)],
        Fixed(S::Dynamic),
        Unnamed,
        "Alias of array_iff.",
    ),
    scalar(
        F::ArrayIndexOf,
        "array_index_of",
        &[
            P::new("array", A::Exactly(S::Dynamic)),
            P::new("value", A::Any),
            P::optional("start", A::Exactly(S::Long)),
            P::optional("length", A::Exactly(S::Long)),
            P::optional("occurrence", A::Exactly(S::Long)),
        ],
        Fixed(S::Long),
        Unnamed,
        "Index of a value in an array (-1 if absent), from `start` over `length` elements.",
    ),
    scalar(
        F::ArrayLength,
        "array_length",
        &[P::new("array", A::Exactly(S::Dynamic))],
        Fixed(S::Long),
        Unnamed,
        "Number of elements of a dynamic array (null if not an array).",
    ),
    scalar(
        F::ArrayReverse,
        "array_reverse",
        &[P::new("value", A::Exactly(S::Dynamic))],
        Fixed(S::Dynamic),
        Unnamed,
        "An array's elements in reverse order (null if not an array).",
    ),
    scalar(
        F::ArraySlice,
        "array_slice",
        &[
            P::new("array", A::Exactly(S::Dynamic)),
            P::new("start", A::Exactly(S::Long)),
            P::new("end", A::Exactly(S::Long)),
        ],
        Fixed(S::Dynamic),
        Unnamed,
        "Elements start..=end of an array (negative indexes count from the end).",
    ),
    scalar(
        F::ArraySortAsc,
        "array_sort_asc",
        &[P::new("array", A::Exactly(S::Dynamic)), P::many("nulls_last", A::Any)],
        Returns::Custom(array_sort_result),
        Unnamed,
        "The array sorted ascending (nulls last unless `nulls_last` is false).",
    ),
    scalar(
        F::ArraySortDesc,
        "array_sort_desc",
        &[P::new("array", A::Exactly(S::Dynamic)), P::many("nulls_last", A::Any)],
        Returns::Custom(array_sort_result),
        Unnamed,
        "The array sorted descending (nulls last unless `nulls_last` is false).",
    ),
    scalar(
        F::ArraySum,
        "array_sum",
        &[P::new("array", A::Exactly(S::Dynamic))],
        Fixed(S::Real),
        Unnamed,
        "Sum of a numeric array (null if an element is not a number).",
    ),
    // arraylength/parsejson: deprecated aliases (Functions.cs, Obsolete).
    scalar(
        F::ArrayLength,
        "arraylength",
        &[P::new("array", A::Exactly(S::Dynamic))],
        Fixed(S::Long),
        Unnamed,
        "Deprecated alias of array_length.",
    ),
    scalar(F::Asin, "asin", NUMBER, Fixed(S::Real), FirstArg, "Arcsine in radians (NaN outside -1..1)."),
    // assert-function page: the condition "must be evaluated to constant
    // during the query analysis phase"; a false one fails the query.
    scalar(
        F::Assert,
        "assert",
        &[P::new("condition", A::Exactly(S::Bool)).constant(), P::new("message", A::Exactly(S::String)).constant()],
        Fixed(S::Bool),
        Unnamed,
        "Fails the query with the message when the condition is false; else true.",
    ),
    scalar(F::Atan, "atan", NUMBER, Fixed(S::Real), FirstArg, "Arctangent in radians."),
    scalar(
        F::Atan2,
        "atan2",
        &[P::new("y", A::Numeric), P::new("x", A::Numeric)],
        Fixed(S::Real),
        FirstArg,
        "The angle in radians between the positive x-axis and the point (x, y).",
    ),
    scalar(
        F::BagHasKey,
        "bag_has_key",
        &[P::new("bag", A::Exactly(S::Dynamic)), P::new("key", A::Exactly(S::String))],
        Fixed(S::Bool),
        Unnamed,
        "True if the bag has the key (a property name, or a JSONPath such as $.a.b for a nested one).",
    ),
    scalar(
        F::BagKeys,
        "bag_keys",
        &[P::new("bag", A::Exactly(S::Dynamic))],
        Fixed(S::Dynamic),
        Unnamed,
        "The keys of a property bag.",
    ),
    scalar(
        F::BagMerge,
        "bag_merge",
        &[
            P::new("bag", A::Exactly(S::Dynamic)),
            P::new("bag", A::Exactly(S::Dynamic)),
            P::many("bag", A::Exactly(S::Dynamic)),
        ],
        Fixed(S::Dynamic),
        Unnamed,
        "Property bags merged; the leftmost bag's value wins.",
    ),
    scalar(
        F::BagPack,
        "bag_pack",
        &[P::new("key", A::StringLike), P::new("value", A::Any), P::many("key_or_value", A::Any)],
        Returns::Custom(bag_pack_result),
        Unnamed,
        "A property bag of key/value pairs.",
    ),
    scalar(
        F::BagRemoveKeys,
        "bag_remove_keys",
        &[P::new("bag", A::Exactly(S::Dynamic)), P::new("keys", A::Exactly(S::Dynamic))],
        Fixed(S::Dynamic),
        Unnamed,
        "The bag without the keys (property names, or JSONPaths such as $.a.b for nested ones).",
    ),
    scalar(
        F::BagSetKey,
        "bag_set_key",
        &[P::new("bag", A::Exactly(S::Dynamic)), P::new("key", A::Exactly(S::String)), P::new("value", A::Any)],
        Fixed(S::Dynamic),
        Unnamed,
        "The bag with the key (a property name, or a JSONPath such as $.a.b) set to the value.",
    ),
    scalar(
        F::BagZip,
        "bag_zip",
        &[P::new("keys", A::Exactly(S::Dynamic)), P::new("values", A::Exactly(S::Dynamic))],
        Fixed(S::Dynamic),
        Unnamed,
        "A bag of each string key with the value at the same place of the values array.",
    ),
    scalar(
        F::Base64DecodeToString,
        "base64_decode_tostring",
        &[P::new("base64_string", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "Decodes base64 into a UTF-8 string (empty if invalid).",
    ),
    scalar(
        F::Base64DecodeToString,
        "base64_decodestring",
        &[P::new("base64_string", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "Deprecated alias of base64_decode_tostring.",
    ),
    scalar(
        F::Base64EncodeToString,
        "base64_encode_tostring",
        &[P::new("string", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "Encodes a string's UTF-8 bytes as base64.",
    ),
    scalar(
        F::Base64EncodeToString,
        "base64_encodestring",
        &[P::new("string", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "Deprecated alias of base64_encode_tostring.",
    ),
    scalar(
        F::Bin,
        "bin",
        BIN_PARAMS,
        Returns::Custom(bin_result),
        FirstArg,
        "Rounds down to a multiple of the bin size.",
    ),
    scalar(
        F::BinAt,
        "bin_at",
        &[P::new("value", BINNABLE), P::new("bin_size", BINNABLE), P::new("fixed_point", BINNABLE)],
        Returns::Custom(bin_at_result),
        FirstArg,
        "Rounds down to bins of the size aligned to a fixed point.",
    ),
    scalar(
        F::BinaryAnd,
        "binary_and",
        &[P::new("value1", A::Exactly(S::Long)), P::new("value2", A::Exactly(S::Long))],
        Fixed(S::Long),
        FirstArg,
        "Bitwise AND of two integers.",
    ),
    scalar(
        F::BinaryNot,
        "binary_not",
        &[P::new("value", A::Exactly(S::Long))],
        Fixed(S::Long),
        FirstArg,
        "Bitwise NOT of an integer.",
    ),
    scalar(
        F::BinaryOr,
        "binary_or",
        &[P::new("value1", A::Exactly(S::Long)), P::new("value2", A::Exactly(S::Long))],
        Fixed(S::Long),
        FirstArg,
        "Bitwise OR of two integers.",
    ),
    scalar(
        F::BinaryShiftLeft,
        "binary_shift_left",
        &[P::new("value", A::Exactly(S::Long)), P::new("shift", A::Exactly(S::Long))],
        Fixed(S::Long),
        FirstArg,
        "An integer shifted left by a number of bits (modulo 64).",
    ),
    scalar(
        F::BinaryShiftRight,
        "binary_shift_right",
        &[P::new("value", A::Exactly(S::Long)), P::new("shift", A::Exactly(S::Long))],
        Fixed(S::Long),
        FirstArg,
        "An integer shifted right (arithmetic) by a number of bits (modulo 64).",
    ),
    scalar(
        F::BinaryXor,
        "binary_xor",
        &[P::new("value1", A::Exactly(S::Long)), P::new("value2", A::Exactly(S::Long))],
        Fixed(S::Long),
        FirstArg,
        "Bitwise XOR of two integers.",
    ),
    scalar(
        F::BitsetCountOnes,
        "bitset_count_ones",
        &[P::new("value", A::Exactly(S::Long))],
        Fixed(S::Long),
        FirstArg,
        "The number of set bits of an integer.",
    ),
    // case: the params fix the minimum of 3 and the first predicate's type;
    // `case_result` checks the odd count and the later predicates.
    scalar(
        F::Case,
        "case",
        &[
            P::new("predicate", A::Exactly(S::Bool)),
            P::new("then", A::Any),
            P::new("else", A::Any),
            P::many("more", A::Any),
        ],
        Returns::Custom(case_result),
        Unnamed,
        "The value of the first true predicate, else the last argument.",
    ),
    scalar(F::Ceiling, "ceiling", NUMBER, Arg(0), FirstArg, "Smallest integer greater than or equal to the number."),
    // coalesce: Kusto allows 2 to 64 arguments; the upper bound is not checked here.
    scalar(
        F::Coalesce,
        "coalesce",
        &[P::new("arg", A::Any), P::new("arg", A::Any), P::many("arg", A::Any)],
        Returns::CommonScalar,
        Unnamed,
        "The first argument that is not null (or empty, for strings).",
    ),
    scalar(F::Cos, "cos", NUMBER, Fixed(S::Real), FirstArg, "Cosine of an angle in radians."),
    scalar(F::Cot, "cot", NUMBER, Fixed(S::Real), Unnamed, "Cotangent of an angle in radians."),
    scalar(
        F::CountOf,
        "countof",
        &[
            P::new("source", A::StringLike),
            P::new("search", A::StringLike),
            // Kusto: a literal, "normal" or "regex".
            P::optional("kind", A::StringLike).constant(),
        ],
        Fixed(S::Long),
        Unnamed,
        "Counts occurrences of a substring (or regex matches) in a string.",
    ),
    // datetime_add/datetime_diff: `period` is a literal of KustoFacts.DateDiffParts.
    scalar(
        F::DateTimeAdd,
        "datetime_add",
        &[
            P::new("period", A::StringLike).constant(),
            P::new("amount", A::Exactly(S::Long)),
            P::new("datetime", A::Exactly(S::DateTime)),
        ],
        Fixed(S::DateTime),
        Unnamed,
        "A datetime moved by an amount of periods (year, quarter, month, week, day, hour, …).",
    ),
    scalar(
        F::DateTimeDiff,
        "datetime_diff",
        &[
            P::new("period", A::StringLike).constant(),
            P::new("datetime1", A::Exactly(S::DateTime)),
            P::new("datetime2", A::Exactly(S::DateTime)),
        ],
        Fixed(S::Long),
        Unnamed,
        "The number of period boundaries between two datetimes (datetime1 - datetime2).",
    ),
    scalar(
        F::DateTimePart,
        "datetime_part",
        // Kusto: `part` is a literal from KustoFacts.DateTimeParts ("year", "month", …).
        &[P::new("part", A::StringLike).constant(), P::new("date", A::Exactly(S::DateTime))],
        Fixed(S::Int),
        Unnamed,
        "Extracts a part (year, month, day, hour, …) of a datetime as an int.",
    ),
    scalar(F::DayOfMonth, "dayofmonth", DATE, Fixed(S::Int), Unnamed, "The day of the month (1-31) of a datetime."),
    scalar(
        F::DayOfWeek,
        "dayofweek",
        DATE,
        Fixed(S::Timespan),
        Unnamed,
        "Days since the preceding Sunday, as a timespan.",
    ),
    scalar(F::DayOfYear, "dayofyear", DATE, Fixed(S::Int), Unnamed, "The day of the year (1-366) of a datetime."),
    // dcount_hll: Functions.cs `DCountHll` (NameAndFirstArgument naming:
    // `dcount_hll(merged)` is `dcount_hll_merged`, the hll-merge page).
    scalar(
        F::DCountHll,
        "dcount_hll",
        &[P::new("hll", A::Exactly(S::Dynamic))],
        Fixed(S::Long),
        ResultName::PrefixAndFirstArg("dcount_hll"),
        "The distinct count of an hll()/hll_merge() sketch (exact in ntaq).",
    ),
    scalar(
        F::Degrees,
        "degrees",
        &[P::new("radians", A::Numeric)],
        Fixed(S::Real),
        Unnamed,
        "An angle in radians converted to degrees.",
    ),
    scalar(
        F::EndOfDay,
        "endofday",
        DATE_AND_OFFSET,
        Fixed(S::DateTime),
        Unnamed,
        "The end of the day containing the date, shifted by offset days.",
    ),
    scalar(
        F::EndOfMonth,
        "endofmonth",
        DATE_AND_OFFSET,
        Fixed(S::DateTime),
        Unnamed,
        "The end of the month containing the date, shifted by offset months.",
    ),
    scalar(
        F::EndOfWeek,
        "endofweek",
        DATE_AND_OFFSET,
        Fixed(S::DateTime),
        Unnamed,
        "The end of the week (Saturday) containing the date, shifted by offset weeks.",
    ),
    scalar(
        F::EndOfYear,
        "endofyear",
        DATE_AND_OFFSET,
        Fixed(S::DateTime),
        Unnamed,
        "The end of the year containing the date, shifted by offset years.",
    ),
    scalar(F::Exp, "exp", NUMBER, Fixed(S::Real), FirstArg, "e raised to the power of the number."),
    scalar(F::Exp10, "exp10", NUMBER, Fixed(S::Real), FirstArg, "10 raised to the power of the number."),
    scalar(F::Exp2, "exp2", NUMBER, Fixed(S::Real), FirstArg, "2 raised to the power of the number."),
    // extract: the three-argument form (result string) is declared here; the
    // form with a fourth `typeof(T)` literal is bound by the binder
    // (`typed_extract`) as the conversion of this one.
    scalar(
        F::Extract,
        "extract",
        &[
            P::new("regex", A::StringLike).constant(),
            P::new("captureGroup", A::Exactly(S::Long)),
            P::new("source", A::StringLike),
        ],
        Fixed(S::String),
        Unnamed,
        "The text of a regex capture group in the source string.",
    ),
    // extract_all(regex, source) or extract_all(regex, captureGroups, source): `extract_all_result` checks the forms.
    scalar(
        F::ExtractAll,
        "extract_all",
        &[
            P::new("regex", A::StringLike).constant(),
            P::new("captureGroups", A::Any),
            P::optional("source", A::StringLike),
        ],
        Returns::Custom(extract_all_result),
        Unnamed,
        "Every match of a regex: its capture groups as a dynamic array.",
    ),
    // extract_json/extractjson: Functions.cs `ExtractJson` (and its
    // deprecated alias); the form with a third `typeof(T)` literal is bound
    // by the binder as the conversion of this one, as `extract`'s is.
    scalar(
        F::ExtractJson,
        "extract_json",
        &[P::new("jsonPath", A::Exactly(S::String)).constant(), P::new("jsonText", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "The element of JSON text a JSONPath ($, .name, ['name'], [index]) leads to, as text.",
    ),
    scalar(
        F::ExtractJson,
        "extractjson",
        &[P::new("jsonPath", A::Exactly(S::String)).constant(), P::new("jsonText", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "Deprecated alias of extract_json.",
    ),
    scalar(
        F::Bin,
        "floor",
        BIN_PARAMS,
        Returns::Custom(bin_result),
        FirstArg,
        "Rounds down to a multiple of the bin size (alias of bin).",
    ),
    // format_bytes: Kusto ResultNameKind.FirstArgument.
    scalar(
        F::FormatBytes,
        "format_bytes",
        &[
            P::new("size", A::Numeric),
            P::optional("precision", A::Numeric).constant(),
            P::optional("units", A::StringLike).constant(),
        ],
        Fixed(S::String),
        FirstArg,
        "A size in bytes as text in a 1024-based unit (`10.1 KB`).",
    ),
    scalar(
        F::FormatDateTime,
        "format_datetime",
        // Kusto: `format` is a non-empty literal.
        &[P::new("date", A::Exactly(S::DateTime)), P::new("format", A::StringLike).constant()],
        Fixed(S::String),
        FirstArg,
        "Formats a datetime with a format string such as 'yyyy-MM-dd'.",
    ),
    // format_ipv4/format_ipv4_mask: the pages give `prefix` as optional (Kusto.Language requires it for _mask).
    scalar(
        F::FormatIpv4,
        "format_ipv4",
        &[P::new("ip", A::Any), P::optional("prefix", A::Exactly(S::Long))],
        Fixed(S::String),
        Unnamed,
        "An IPv4 address (text or number) as text, masked to the prefix length.",
    ),
    scalar(
        F::FormatIpv4Mask,
        "format_ipv4_mask",
        &[P::new("ip", A::Any), P::optional("prefix", A::Exactly(S::Long))],
        Fixed(S::String),
        Unnamed,
        "An IPv4 address (text or number) masked to the prefix length, in CIDR notation.",
    ),
    scalar(
        F::FormatTimespan,
        "format_timespan",
        &[P::new("timespan", A::Exactly(S::Timespan)), P::new("format", A::StringLike).constant()],
        Fixed(S::String),
        FirstArg,
        "Formats a timespan with a format string such as 'dd.hh:mm:ss'.",
    ),
    scalar(F::GetMonth, "getmonth", DATE, Fixed(S::Int), Unnamed, "The month number (1-12) of a datetime."),
    // gettype: Functions.cs `GetType` (result name type_<first argument>).
    scalar(
        F::GetType,
        "gettype",
        VALUE,
        Fixed(S::String),
        ResultName::PrefixAndFirstArg("type"),
        "The runtime type of a value (of a dynamic value, its element's: int, long, real, string, array, dictionary, null …).",
    ),
    scalar(F::GetYear, "getyear", DATE, Fixed(S::Int), Unnamed, "The year of a datetime."),
    // has_any_ipv4/_prefix, ipv4_is_in_any_range, ipv6_is_in_any_range: strings or one dynamic array.
    scalar(
        F::HasAnyIpv4,
        "has_any_ipv4",
        &[P::new("source", A::StringLike), P::new("ips", A::StringLike), P::many("ips", A::StringLike)],
        Fixed(S::Bool),
        Unnamed,
        "True if any of the IPv4 addresses (arguments or a dynamic array) appears delimited in the text.",
    ),
    scalar(
        F::HasAnyIpv4Prefix,
        "has_any_ipv4_prefix",
        &[P::new("source", A::StringLike), P::new("ip_prefixes", A::StringLike), P::many("ip_prefixes", A::StringLike)],
        Fixed(S::Bool),
        Unnamed,
        "True if an IPv4 address starting with any of the prefixes appears delimited in the text.",
    ),
    scalar(
        F::HasIpv4,
        "has_ipv4",
        &[P::new("source", A::StringLike), P::new("ip", A::StringLike)],
        Fixed(S::Bool),
        Unnamed,
        "True if the IPv4 address appears in the text, delimited by non-alphanumeric characters.",
    ),
    scalar(
        F::HasIpv4Prefix,
        "has_ipv4_prefix",
        &[P::new("source", A::StringLike), P::new("ip_prefix", A::StringLike)],
        Fixed(S::Bool),
        Unnamed,
        "True if an IPv4 address starting with the prefix (such as `10.1.`) appears delimited in the text.",
    ),
    scalar(
        F::Hash,
        "hash",
        HASH_PARAMS,
        Returns::Custom(hash_result),
        Unnamed,
        "The xxhash64 of a string or datetime as a long, or its remainder modulo `mod`.",
    ),
    // hash_md5/hash_sha1: Functions.cs `HashMd5`, `HashSha1` (NotDynamic,
    // string); the value's text is hashed as hash_sha256's is.
    scalar(
        F::HashMd5,
        "hash_md5",
        &[P::new("source", NOT_DYNAMIC)],
        Fixed(S::String),
        Unnamed,
        "The MD5 digest of the value's text, in hex.",
    ),
    scalar(
        F::HashSha1,
        "hash_sha1",
        &[P::new("source", NOT_DYNAMIC)],
        Fixed(S::String),
        Unnamed,
        "The SHA-1 digest of the value's text, in hex.",
    ),
    scalar(
        F::HashSha256,
        "hash_sha256",
        &[P::new("source", NOT_DYNAMIC)],
        Fixed(S::String),
        Unnamed,
        "The SHA-256 digest of the value's text, in hex.",
    ),
    scalar(
        F::Hash,
        "hash_xxhash64",
        HASH_PARAMS,
        Returns::Custom(hash_result),
        Unnamed,
        "Alias of hash: the xxhash64 of a string or datetime.",
    ),
    scalar(F::HourOfDay, "hourofday", DATE, Fixed(S::Int), Unnamed, "The hour (0-23) of a datetime."),
    // iff/iif: Kusto's result is the common non-dynamic type of `then` and
    // `else` (a dynamic branch is ignored when the other has a type); here the
    // two branches must share a type, or both be numbers.
    scalar(
        F::Iff,
        "iff",
        IFF_PARAMS,
        Returns::Common { from: 1, step: 1 },
        Unnamed,
        "The second argument if the predicate is true, else the third.",
    ),
    scalar(F::Iff, "iif", IFF_PARAMS, Returns::Common { from: 1, step: 1 }, Unnamed, "Alias of iff."),
    scalar(
        F::IndexOf,
        "indexof",
        &[
            P::new("string", A::Any),
            P::new("match", A::Any),
            P::optional("start", A::Exactly(S::Long)),
            P::optional("length", A::Exactly(S::Long)),
            P::optional("occurrence", A::Exactly(S::Long)).constant(),
        ],
        Fixed(S::Long),
        Unnamed,
        "Zero-based index of the first (or nth) occurrence of a string, or -1.",
    ),
    scalar(
        F::Ipv4Compare,
        "ipv4_compare",
        &[P::new("ip1", A::StringLike), P::new("ip2", A::StringLike), P::optional("prefix", A::Exactly(S::Long))],
        Fixed(S::Long),
        Unnamed,
        "Compares two IPv4 addresses under their prefixes: -1, 0 or 1.",
    ),
    scalar(
        F::Ipv4IsInAnyRange,
        "ipv4_is_in_any_range",
        &[P::new("ip", A::StringLike), P::new("ranges", A::StringLike), P::many("ranges", A::StringLike)],
        Fixed(S::Bool),
        Unnamed,
        "True if an IPv4 address is in any of the ranges.",
    ),
    scalar(
        F::Ipv4IsInRange,
        "ipv4_is_in_range",
        &[P::new("ip", A::StringLike), P::new("ip_range", A::StringLike)],
        Fixed(S::Bool),
        Unnamed,
        "True if an IPv4 address is in an address or CIDR range.",
    ),
    scalar(
        F::Ipv4IsMatch,
        "ipv4_is_match",
        &[P::new("ip1", A::StringLike), P::new("ip2", A::StringLike), P::optional("prefix", A::Exactly(S::Long))],
        Fixed(S::Bool),
        Unnamed,
        "True if two IPv4 addresses (or CIDR ranges) match under a prefix length.",
    ),
    scalar(
        F::Ipv4IsPrivate,
        "ipv4_is_private",
        &[P::new("ip", A::StringLike)],
        Fixed(S::Bool),
        Unnamed,
        "True if an IPv4 address is in a private (RFC 1918) range.",
    ),
    scalar(
        F::Ipv4NetmaskSuffix,
        "ipv4_netmask_suffix",
        &[P::new("ip", A::StringLike)],
        Fixed(S::Long),
        Unnamed,
        "The prefix length of an IPv4 address (32 without one).",
    ),
    scalar(
        F::Ipv4RangeToCidrList,
        "ipv4_range_to_cidr_list",
        &[P::new("start_ip", A::StringLike), P::new("end_ip", A::StringLike)],
        Fixed(S::Dynamic),
        Unnamed,
        "The fewest CIDR blocks covering an IPv4 address range, as a dynamic array.",
    ),
    scalar(
        F::Ipv6Compare,
        "ipv6_compare",
        &[P::new("ip1", A::StringLike), P::new("ip2", A::StringLike), P::optional("prefix", A::Exactly(S::Long))],
        Fixed(S::Long),
        Unnamed,
        "Compares two IPv6 or IPv4 addresses under their prefixes: -1, 0 or 1.",
    ),
    scalar(
        F::Ipv6IsInAnyRange,
        "ipv6_is_in_any_range",
        &[P::new("ip", A::StringLike), P::new("ranges", A::StringLike), P::many("ranges", A::StringLike)],
        Fixed(S::Bool),
        Unnamed,
        "True if an IPv6 or IPv4 address is in any of the ranges.",
    ),
    scalar(
        F::Ipv6IsInRange,
        "ipv6_is_in_range",
        &[P::new("ip", A::StringLike), P::new("ip_range", A::StringLike)],
        Fixed(S::Bool),
        Unnamed,
        "True if an IPv6 or IPv4 address is in an IPv6 prefix range.",
    ),
    scalar(
        F::Ipv6IsMatch,
        "ipv6_is_match",
        &[P::new("ip1", A::StringLike), P::new("ip2", A::StringLike), P::optional("prefix", A::Exactly(S::Long))],
        Fixed(S::Bool),
        Unnamed,
        "True if two IPv6 or IPv4 addresses match under their prefixes.",
    ),
    scalar(F::IsAscii, "isascii", VALUE, Fixed(S::Bool), Unnamed, "True if the value's text is all ASCII characters."),
    scalar(F::IsEmpty, "isempty", VALUE, Fixed(S::Bool), Unnamed, "True if the value is null or an empty string."),
    scalar(
        F::IsFinite,
        "isfinite",
        &[P::new("number", A::Exactly(S::Real))],
        Fixed(S::Bool),
        Unnamed,
        "True if the number is neither infinite nor NaN.",
    ),
    scalar(
        F::IsInf,
        "isinf",
        &[P::new("number", A::Exactly(S::Real))],
        Fixed(S::Bool),
        Unnamed,
        "True if the number is positive or negative infinity.",
    ),
    // isnan: Kusto declares `real` (int and long promote); decimal is accepted here too.
    scalar(
        F::IsNan,
        "isnan",
        &[P::new("number", A::Exactly(S::Real))],
        Fixed(S::Bool),
        Unnamed,
        "True if the number is NaN.",
    ),
    scalar(
        F::IsNotEmpty,
        "isnotempty",
        VALUE,
        Fixed(S::Bool),
        Unnamed,
        "True if the value is neither null nor an empty string.",
    ),
    scalar(
        F::IsNotNull,
        "isnotnull",
        &[P::new("expression", A::Any)],
        Fixed(S::Bool),
        Unnamed,
        "True if the value is not null.",
    ),
    scalar(F::IsNull, "isnull", &[P::new("expression", A::Any)], Fixed(S::Bool), Unnamed, "True if the value is null."),
    scalar(F::IsUtf8, "isutf8", VALUE, Fixed(S::Bool), Unnamed, "True if the value's text is valid UTF-8."),
    scalar(
        F::JaccardIndex,
        "jaccard_index",
        &[P::new("set1", A::Exactly(S::Dynamic)), P::new("set2", A::Exactly(S::Dynamic))],
        Fixed(S::Real),
        Unnamed,
        "The Jaccard index of two arrays' distinct values: |a ∩ b| / |a ∪ b|.",
    ),
    scalar(F::Log, "log", NUMBER, Fixed(S::Real), FirstArg, "Natural logarithm."),
    scalar(F::Log10, "log10", NUMBER, Fixed(S::Real), FirstArg, "Base-10 logarithm."),
    scalar(F::Log2, "log2", NUMBER, Fixed(S::Real), FirstArg, "Base-2 logarithm."),
    // make_datetime: Kusto's one-argument form is not declared.
    scalar(
        F::MakeDateTime,
        "make_datetime",
        &[
            P::new("year", A::Numeric),
            P::new("month", A::Numeric),
            P::new("day", A::Numeric),
            P::optional("hour", A::Numeric),
            P::optional("minute", A::Numeric),
            P::optional("second", A::Numeric),
        ],
        Fixed(S::DateTime),
        Unnamed,
        "A datetime from its year, month, day and optional hour, minute and second (null if invalid).",
    ),
    // make_timespan: Kusto's one-argument form is not declared.
    scalar(
        F::MakeTimespan,
        "make_timespan",
        &[
            P::new("hours_or_days", A::Numeric),
            P::new("minutes_or_hours", A::Numeric),
            P::optional("seconds_or_minutes", A::Numeric),
            P::optional("seconds", A::Numeric),
        ],
        Fixed(S::Timespan),
        Unnamed,
        "A timespan from (hour, minute [, second]) or (day, hour, minute, second).",
    ),
    // max_of/min_of: Kusto allows 2 to 64 arguments; the upper bound is not checked here.
    scalar(
        F::MaxOf,
        "max_of",
        &[P::new("arg", A::Orderable), P::new("arg", A::Orderable), P::many("arg", A::Orderable)],
        Returns::Common { from: 0, step: 1 },
        Unnamed,
        "The largest of the arguments.",
    ),
    scalar(
        F::MinOf,
        "min_of",
        &[P::new("arg", A::Orderable), P::new("arg", A::Orderable), P::many("arg", A::Orderable)],
        Returns::Common { from: 0, step: 1 },
        Unnamed,
        "The smallest of the arguments.",
    ),
    scalar(F::MonthOfYear, "monthofyear", DATE, Fixed(S::Int), Unnamed, "The month number (1-12) of a datetime."),
    // Window functions (valid only over serialized rows; the binder puts
    // them in `Node::Window`, which evaluates them over the whole input).
    scalar(
        F::Next,
        "next",
        PREV_NEXT,
        Returns::Common { from: 0, step: 2 },
        Unnamed,
        "The value of a column in a later row of the serialized row set.",
    ),
    scalar(F::Not, "not", &[P::new("expression", A::Exactly(S::Bool))], Fixed(S::Bool), Unnamed, "Logical negation."),
    scalar(F::IsNotEmpty, "notempty", VALUE, Fixed(S::Bool), Unnamed, "Deprecated alias of isnotempty."),
    scalar(F::IsNotNull, "notnull", VALUE, Fixed(S::Bool), Unnamed, "Deprecated alias of isnotnull."),
    scalar(
        F::Now,
        "now",
        &[P::optional("offset", A::Exactly(S::Timespan))],
        Fixed(S::DateTime),
        Unnamed,
        "The current UTC time, plus an optional offset.",
    ),
    scalar(
        F::BagPack,
        "pack",
        &[P::new("key", A::StringLike), P::new("value", A::Any), P::many("key_or_value", A::Any)],
        Returns::Custom(bag_pack_result),
        Unnamed,
        "Deprecated alias of bag_pack.",
    ),
    // pack_all: the binder passes the row's columns as name/value
    // arguments after the flag (`Binder::pack_all`); a query writes at
    // most the flag.
    scalar(
        F::PackAll,
        "pack_all",
        &[P::optional("ignore_null_empty", A::Exactly(S::Bool)).constant()],
        Fixed(S::Dynamic),
        Unnamed,
        "A property bag of the row's columns (without null and empty values if the flag is true).",
    ),
    scalar(
        F::PackArray,
        "pack_array",
        &[P::new("value", A::Any), P::many("value", A::Any)],
        Fixed(S::Dynamic),
        Unnamed,
        "The arguments as a dynamic array.",
    ),
    scalar(
        F::ParseIpv4,
        "parse_ipv4",
        &[P::new("ip", A::StringLike)],
        Fixed(S::Long),
        Unnamed,
        "An IPv4 address (masked by its prefix) as a long, or null.",
    ),
    scalar(
        F::ParseIpv4Mask,
        "parse_ipv4_mask",
        &[P::new("ip", A::StringLike), P::new("prefix", A::Exactly(S::Long))],
        Fixed(S::Long),
        Unnamed,
        "An IPv4 address masked to the prefix length, as a long, or null.",
    ),
    scalar(
        F::ParseIpv6,
        "parse_ipv6",
        &[P::new("ip", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "An IPv6 or IPv4 address (masked by its prefix) in canonical IPv6 form, or empty.",
    ),
    scalar(
        F::ToDynamic,
        "parse_json",
        &[P::new("json_text", A::StringLike)],
        Fixed(S::Dynamic),
        FirstArg,
        "Parses a JSON string into a dynamic value.",
    ),
    scalar(
        F::ParsePath,
        "parse_path",
        &[P::new("path", A::StringLike)],
        Fixed(S::Dynamic),
        Unnamed,
        "The parts of a file path as a property bag.",
    ),
    scalar(
        F::ParseUrl,
        "parse_url",
        &[P::new("url", A::StringLike)],
        Fixed(S::Dynamic),
        Unnamed,
        "The parts of a URL as a property bag.",
    ),
    scalar(
        F::ToDynamic,
        "parsejson",
        &[P::new("json_text", A::StringLike)],
        Fixed(S::Dynamic),
        FirstArg,
        "Deprecated alias of parse_json.",
    ),
    scalar(
        F::ParseUrl,
        "parseurl",
        &[P::new("url", A::StringLike)],
        Fixed(S::Dynamic),
        Unnamed,
        "Deprecated alias of parse_url.",
    ),
    // percentile_tdigest: Functions.cs `PercentileTDigest` (a dynamic
    // digest, a real percentile; dynamic, or the type of a `typeof(T)`
    // third argument, which the binder handles: binder/tdigest.rs).
    scalar(
        F::PercentileTDigest,
        "percentile_tdigest",
        &[P::new("tdigest", A::Exactly(S::Dynamic)), P::new("percentile", A::Numeric)],
        Fixed(S::Dynamic),
        ResultName::PrefixAndFirstArg("percentile_tdigest"),
        "The nearest-rank percentile of a tdigest() digest (exact in ntaq).",
    ),
    // percentiles_array_tdigest: Functions.cs `PercentileArrayTDigest`
    // (percentiles listed, or one dynamic array; prefix "percentile_tdigest").
    scalar(
        F::PercentilesArrayTDigest,
        "percentiles_array_tdigest",
        &[
            P::new("tdigest", A::Exactly(S::Dynamic)),
            P::new("percentiles", A::OneOf(&[S::Int, S::Long, S::Real, S::Decimal, S::Dynamic])),
            P::many("percentile", A::Numeric),
        ],
        Returns::Custom(percentiles_array_tdigest_result),
        ResultName::PrefixAndFirstArg("percentile_tdigest"),
        "Nearest-rank percentiles of a tdigest() digest in one dynamic array.",
    ),
    // percentrank_tdigest, rank_tdigest: Functions.cs `PercentRankTDigest`,
    // `RankTDigest` (a dynamic digest, any scalar value; real, unnamed).
    scalar(
        F::PercentRankTDigest,
        "percentrank_tdigest",
        &[P::new("digest", A::Exactly(S::Dynamic)), P::new("value", A::Any)],
        Fixed(S::Real),
        Unnamed,
        "The share (0–100) of a tdigest() digest's values at or below the value (exact in ntaq).",
    ),
    scalar(F::Pi, "pi", &[], Fixed(S::Real), Unnamed, "The constant pi."),
    scalar(
        F::Pow,
        "pow",
        &[P::new("base", A::Numeric), P::new("exponent", A::Numeric)],
        Fixed(S::Real),
        FirstArg,
        "The base raised to the exponent.",
    ),
    scalar(
        F::Prev,
        "prev",
        PREV_NEXT,
        Returns::Common { from: 0, step: 2 },
        Unnamed,
        "The value of a column in an earlier row of the serialized row set.",
    ),
    scalar(
        F::Radians,
        "radians",
        &[P::new("degrees", A::Numeric)],
        Fixed(S::Real),
        Unnamed,
        "An angle in degrees converted to radians.",
    ),
    scalar(
        F::RangeArray,
        "range",
        &[
            P::new("start", A::OneOf(RANGE_TYPES)),
            P::new("stop", A::OneOf(RANGE_TYPES)),
            P::optional("step", A::OneOf(RANGE_TYPES)),
        ],
        Fixed(S::Dynamic),
        Unnamed,
        "A dynamic array start, start + step, … up to and including stop (at most 2^20 values).",
    ),
    scalar(
        F::RankTDigest,
        "rank_tdigest",
        &[P::new("digest", A::Exactly(S::Dynamic)), P::new("value", A::Any)],
        Fixed(S::Real),
        Unnamed,
        "How many of a tdigest() digest's values are at or below the value (exact in ntaq).",
    ),
    scalar(
        F::RegexQuote,
        "regex_quote",
        &[P::new("string", A::Any)],
        Fixed(S::String),
        Unnamed,
        "The text with the characters a regular expression reads specially escaped.",
    ),
    scalar(
        F::Repeat,
        "repeat",
        &[P::new("value", A::Any), P::new("count", A::Exactly(S::Long))],
        Fixed(S::Dynamic),
        ResultName::PrefixAndFirstArg("repeat"),
        "An array of count copies of the value (empty for a count of zero or less).",
    ),
    // replace: the old name of replace_regex, with (regex, rewrite, text).
    scalar(
        F::Replace,
        "replace",
        &[
            P::new("regex", A::StringLike).constant(),
            P::new("rewrite", A::StringLike).constant(),
            P::new("source", A::StringLike),
        ],
        Fixed(S::String),
        Unnamed,
        "Deprecated form of replace_regex(source, regex, rewrite).",
    ),
    scalar(
        F::ReplaceRegex,
        "replace_regex",
        &[
            P::new("source", A::StringLike),
            P::new("lookup_regex", A::StringLike).constant(),
            P::new("rewrite_pattern", A::StringLike).constant(),
        ],
        Fixed(S::String),
        Unnamed,
        "Replaces every match of a regex; the rewrite refers to groups as \\1, \\2 and so on.",
    ),
    scalar(
        F::ReplaceString,
        "replace_string",
        &[P::new("text", A::StringLike), P::new("lookup", A::StringLike), P::new("rewrite", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "Replaces every occurrence of a substring.",
    ),
    scalar(F::Reverse, "reverse", VALUE, Fixed(S::String), Unnamed, "The value as a string, reversed."),
    scalar(
        F::Round,
        "round",
        &[P::new("number", A::Numeric), P::optional("precision", A::Exactly(S::Long)).constant()],
        Arg(0),
        FirstArg,
        "Rounds a number to the given number of decimal places (default 0).",
    ),
    scalar(
        F::RowCumsum,
        "row_cumsum",
        &[P::new("term", A::Numeric), P::optional("restart", A::Exactly(S::Bool))],
        Returns::Promoted(0),
        Unnamed,
        "Cumulative sum over the serialized row set, restarting where `restart` is true.",
    ),
    scalar(
        F::RowNumber,
        "row_number",
        &[P::optional("StartingIndex", A::Exactly(S::Long)).constant(), P::optional("Restart", A::Exactly(S::Bool))],
        Fixed(S::Long),
        Unnamed,
        "The row's index in the serialized row set, from StartingIndex (1).",
    ),
    scalar(
        F::RowRankDense,
        "row_rank_dense",
        &[P::new("Term", A::Any), P::optional("restart", A::Exactly(S::Bool))],
        Fixed(S::Long),
        Unnamed,
        "Dense rank of the value among the serialized rows: +1 each time it changes.",
    ),
    scalar(
        F::RowRankMin,
        "row_rank_min",
        &[P::new("Term", A::Any), P::optional("restart", A::Exactly(S::Bool))],
        Fixed(S::Long),
        Unnamed,
        "Minimal rank of the value among the serialized rows: the first row of equal values' index.",
    ),
    // row_window_session: Functions.cs `RowWindowSession` (Parameter0 result, no result name).
    scalar(
        F::RowWindowSession,
        "row_window_session",
        &[
            P::new("expr", A::Exactly(S::DateTime)),
            P::new("maxDistanceFromFirst", A::Exactly(S::Timespan)),
            P::new("maxDistanceBetweenNeighbors", A::Exactly(S::Timespan)),
            P::optional("restart", A::Exactly(S::Bool)),
        ],
        Arg(0),
        Unnamed,
        "The start of each row's session over the serialized row set: a new one past either distance, after a null, or where `restart` is true.",
    ),
    scalar(
        F::SeriesAbs,
        "series_abs",
        SERIES_UNARY,
        Fixed(S::Dynamic),
        Unnamed,
        "Element-wise absolute value of a numeric series.",
    ),
    scalar(
        F::SeriesAdd,
        "series_add",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise sum of two numeric series (or a series and a number).",
    ),
    scalar(
        F::SeriesCeiling,
        "series_ceiling",
        SERIES_UNARY,
        Fixed(S::Dynamic),
        Unnamed,
        "Element-wise ceiling of a numeric series.",
    ),
    scalar(
        F::SeriesDivide,
        "series_divide",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise quotient of two numeric series (or a series and a number), as reals.",
    ),
    scalar(
        F::SeriesEquals,
        "series_equals",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise `==` of two numeric series (or a series and a number).",
    ),
    scalar(
        F::SeriesExp,
        "series_exp",
        SERIES_UNARY,
        Fixed(S::Dynamic),
        Unnamed,
        "Element-wise e raised to each element of a numeric series.",
    ),
    scalar(
        F::SeriesFillBackward,
        "series_fill_backward",
        &[P::new("series", A::Exactly(S::Dynamic)), P::optional("missing_value_placeholder", A::Any)],
        Fixed(S::Dynamic),
        Unnamed,
        "Missing values of a series replaced by the next present value.",
    ),
    scalar(
        F::SeriesFillConst,
        "series_fill_const",
        &[
            P::new("series", A::Exactly(S::Dynamic)),
            P::new("constant_value", A::Any),
            P::optional("missing_value_placeholder", A::Any),
        ],
        Fixed(S::Dynamic),
        Unnamed,
        "Missing values of a series replaced by a constant.",
    ),
    scalar(
        F::SeriesFillForward,
        "series_fill_forward",
        &[P::new("series", A::Exactly(S::Dynamic)), P::optional("missing_value_placeholder", A::Any)],
        Fixed(S::Dynamic),
        Unnamed,
        "Missing values of a series replaced by the last present value.",
    ),
    // series_fill_linear: Functions.cs `SeriesFillLinear` (FirstArgument naming).
    scalar(
        F::SeriesFillLinear,
        "series_fill_linear",
        &[
            P::new("series", A::Exactly(S::Dynamic)),
            P::optional("missing_value_placeholder", A::Numeric),
            P::optional("fill_edges", A::Exactly(S::Bool)),
            P::optional("constant_value", A::Numeric),
        ],
        Fixed(S::Dynamic),
        FirstArg,
        "Missing values of a series interpolated linearly.",
    ),
    // series_fit_line: Functions.cs `SeriesFitLine`, a tuple of six columns
    // (`SERIES_FIT_LINE`), whose types the binder sets; x is 1, 2, … n.
    scalar(
        F::SeriesFitLine,
        "series_fit_line",
        &[P::new("series", A::Exactly(S::Dynamic))],
        Fixed(S::Real),
        Unnamed,
        "Linear regression of a numeric series, one column each (rsquare, slope, variance, rvariance, interception, line_fit).",
    ),
    scalar(
        F::SeriesFitLineDynamic,
        "series_fit_line_dynamic",
        &[P::new("series", A::Exactly(S::Dynamic))],
        Fixed(S::Dynamic),
        Unnamed,
        "Linear regression of a numeric series as a property bag (rsquare, slope, variance, rvariance, interception, line_fit).",
    ),
    scalar(
        F::SeriesFloor,
        "series_floor",
        SERIES_UNARY,
        Fixed(S::Dynamic),
        Unnamed,
        "Element-wise floor of a numeric series.",
    ),
    scalar(
        F::SeriesGreater,
        "series_greater",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise `>` of two numeric series (or a series and a number).",
    ),
    scalar(
        F::SeriesGreaterEquals,
        "series_greater_equals",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise `>=` of two numeric series (or a series and a number).",
    ),
    scalar(
        F::SeriesLess,
        "series_less",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise `<` of two numeric series (or a series and a number).",
    ),
    scalar(
        F::SeriesLessEquals,
        "series_less_equals",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise `<=` of two numeric series (or a series and a number).",
    ),
    scalar(
        F::SeriesLog,
        "series_log",
        SERIES_UNARY,
        Fixed(S::Dynamic),
        Unnamed,
        "Element-wise natural logarithm of a numeric series.",
    ),
    scalar(
        F::SeriesMultiply,
        "series_multiply",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise product of two numeric series (or a series and a number).",
    ),
    scalar(
        F::SeriesNotEquals,
        "series_not_equals",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise `!=` of two numeric series (or a series and a number).",
    ),
    scalar(
        F::SeriesPow,
        "series_pow",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise power of two numeric series (or a series and a number), as reals.",
    ),
    scalar(
        F::SeriesSign,
        "series_sign",
        SERIES_UNARY,
        Fixed(S::Dynamic),
        Unnamed,
        "Element-wise sign (-1, 0, 1) of a numeric series.",
    ),
    // series_stats: Functions.cs `SeriesStats`, a tuple of seven columns
    // named `series_stats_<series>_<statistic>`; the binder expands a
    // `project`/`extend`/`print` item calling it into those columns, each a
    // call with the statistic's name as a third, internal argument (see
    // `SERIES_STATS`), whose type the binder sets.
    scalar(
        F::SeriesStats,
        "series_stats",
        &[P::new("series", A::Exactly(S::Dynamic)), P::optional("ignore_nonfinite", A::Exactly(S::Bool)).constant()],
        Fixed(S::Real),
        Unnamed,
        "Statistics of a numeric series, one column each (min, min_idx, max, max_idx, avg, stdev, variance).",
    ),
    // series_stats_dynamic: Functions.cs `SeriesStatsDynamic`, the same
    // statistics plus `sum` and `len` (its page) in a property bag.
    scalar(
        F::SeriesStatsDynamic,
        "series_stats_dynamic",
        &[P::new("series", A::Exactly(S::Dynamic)), P::optional("ignore_nonfinite", A::Exactly(S::Bool)).constant()],
        Fixed(S::Dynamic),
        Unnamed,
        "Statistics of a numeric series in a property bag.",
    ),
    scalar(
        F::SeriesSubtract,
        "series_subtract",
        SERIES_BINARY,
        Returns::Custom(series_binary_result),
        Unnamed,
        "Element-wise difference of two numeric series (or a series and a number).",
    ),
    scalar(
        F::SetDifference,
        "set_difference",
        &[
            P::new("array", A::Exactly(S::Dynamic)),
            P::new("array", A::Exactly(S::Dynamic)),
            P::many("array", A::Exactly(S::Dynamic)),
        ],
        Fixed(S::Dynamic),
        Unnamed,
        "Distinct values of the first array that no other array holds.",
    ),
    scalar(
        F::SetEquals,
        "set_equals",
        &[P::new("set1", A::Exactly(S::Dynamic)), P::new("set2", A::Exactly(S::Dynamic))],
        Fixed(S::Bool),
        Unnamed,
        "True if two arrays hold the same distinct values.",
    ),
    scalar(
        F::SetHasElement,
        "set_has_element",
        &[P::new("array", A::Exactly(S::Dynamic)), P::new("value", A::Any)],
        Fixed(S::Bool),
        Unnamed,
        "True if the array holds the value.",
    ),
    scalar(
        F::SetIntersect,
        "set_intersect",
        &[
            P::new("array", A::Exactly(S::Dynamic)),
            P::new("array", A::Exactly(S::Dynamic)),
            P::many("array", A::Exactly(S::Dynamic)),
        ],
        Fixed(S::Dynamic),
        Unnamed,
        "Distinct values every array holds.",
    ),
    scalar(
        F::SetUnion,
        "set_union",
        &[
            P::new("array", A::Exactly(S::Dynamic)),
            P::new("array", A::Exactly(S::Dynamic)),
            P::many("array", A::Exactly(S::Dynamic)),
        ],
        Fixed(S::Dynamic),
        Unnamed,
        "Distinct values of all the arrays.",
    ),
    scalar(
        F::Sign,
        "sign",
        &[P::new("number", A::Numeric)],
        Fixed(S::Real),
        Unnamed,
        "-1, 0 or 1 as the number is negative, zero or positive.",
    ),
    scalar(F::Sin, "sin", NUMBER, Fixed(S::Real), FirstArg, "Sine of an angle in radians."),
    scalar(
        F::Split,
        "split",
        &[
            P::new("source", A::Any),
            P::new("delimiter", A::StringLike),
            P::optional("requestedIndex", A::Exactly(S::Long)),
        ],
        // Kusto: a dynamic array of strings.
        Fixed(S::Dynamic),
        FirstArg,
        "Splits a string by a delimiter into a dynamic array (or picks one part).",
    ),
    scalar(F::Sqrt, "sqrt", NUMBER, Fixed(S::Real), FirstArg, "Square root."),
    scalar(
        F::StartOfDay,
        "startofday",
        DATE_AND_OFFSET,
        Fixed(S::DateTime),
        FirstArg,
        "The start of the day containing the date, shifted by offset days.",
    ),
    scalar(
        F::StartOfMonth,
        "startofmonth",
        DATE_AND_OFFSET,
        Fixed(S::DateTime),
        Unnamed,
        "The start of the month containing the date, shifted by offset months.",
    ),
    scalar(
        F::StartOfWeek,
        "startofweek",
        DATE_AND_OFFSET,
        Fixed(S::DateTime),
        Unnamed,
        "The start of the week (Sunday) containing the date, shifted by offset weeks.",
    ),
    scalar(
        F::StartOfYear,
        "startofyear",
        DATE_AND_OFFSET,
        Fixed(S::DateTime),
        Unnamed,
        "The start of the year containing the date, shifted by offset years.",
    ),
    // strcat: Kusto allows 1 to 64 arguments; the upper bound is not checked here.
    scalar(
        F::Strcat,
        "strcat",
        &[P::new("arg", A::Any), P::many("arg", A::Any)],
        Fixed(S::String),
        Unnamed,
        "Concatenates the arguments as strings.",
    ),
    scalar(
        F::StrcatArray,
        "strcat_array",
        &[P::new("array", A::Exactly(S::Dynamic)), P::new("delimiter", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "The array's elements joined by the delimiter.",
    ),
    // strcat_delim: a delimiter and 2 to 64 arguments; the upper bound is not checked here.
    scalar(
        F::StrcatDelim,
        "strcat_delim",
        &[P::new("delimiter", A::Any), P::new("arg", A::Any), P::new("arg", A::Any), P::many("arg", A::Any)],
        Fixed(S::String),
        Unnamed,
        "Concatenates the arguments as strings, separated by the delimiter.",
    ),
    scalar(
        F::Strcmp,
        "strcmp",
        &[P::new("string1", A::Any), P::new("string2", A::Any)],
        Fixed(S::Long),
        Unnamed,
        "-1, 0 or 1 as the first string sorts before, equal to or after the second (ordinal).",
    ),
    scalar(
        F::StringSize,
        "string_size",
        &[P::new("string", A::StringLike)],
        Fixed(S::Long),
        ResultName::PrefixAndFirstArg("string_size"),
        "Size of a string in UTF-8 bytes.",
    ),
    scalar(
        F::Strlen,
        "strlen",
        &[P::new("string", A::StringLike)],
        Fixed(S::Long),
        // Kusto: ResultNameKind.NameAndFirstArgument.
        ResultName::PrefixAndFirstArg("strlen"),
        "Length of a string in Unicode code points.",
    ),
    scalar(
        F::Strrep,
        "strrep",
        &[P::new("value", A::Any), P::new("multiplier", A::Exactly(S::Long)), P::optional("delimiter", A::Any)],
        Fixed(S::String),
        Unnamed,
        "The value's text repeated (at most 1024 times), with an optional delimiter.",
    ),
    scalar(
        F::Substring,
        "substring",
        &[P::new("string", A::Any), P::new("start", A::Exactly(S::Long)), P::optional("length", A::Exactly(S::Long))],
        Fixed(S::String),
        Unnamed,
        "Part of a string from a zero-based start, of an optional length.",
    ),
    scalar(F::Tan, "tan", NUMBER, Fixed(S::Real), FirstArg, "Tangent of an angle in radians."),
    scalar(F::ToBool, "tobool", VALUE, Fixed(S::Bool), FirstArg, "Converts to bool (null if not convertible)."),
    scalar(F::ToBool, "toboolean", VALUE, Fixed(S::Bool), FirstArg, "Alias of tobool."),
    scalar(
        F::ToDateTime,
        "todatetime",
        VALUE,
        Fixed(S::DateTime),
        FirstArg,
        "Converts to datetime (null if not convertible).",
    ),
    scalar(
        F::ToDecimal,
        "todecimal",
        VALUE,
        Returns::Custom(todecimal_result),
        FirstArg,
        "Converts to decimal (null if not convertible).",
    ),
    scalar(F::ToReal, "todouble", VALUE, Fixed(S::Real), FirstArg, "Converts to real (null if not convertible)."),
    // todynamic: Kusto declares `string` (a dynamic argument promotes), unlike parse_json's StringOrDynamic.
    scalar(
        F::ToDynamic,
        "todynamic",
        &[P::new("value", A::StringLike)],
        Fixed(S::Dynamic),
        FirstArg,
        "Alias of parse_json.",
    ),
    scalar(
        F::ToHex,
        "tohex",
        &[P::new("value", A::Exactly(S::Long)), P::optional("minLength", A::Exactly(S::Long))],
        Fixed(S::String),
        FirstArg,
        "An integer in hexadecimal (two's complement for negatives), zero-padded to minLength.",
    ),
    scalar(F::ToInt, "toint", VALUE, Fixed(S::Int), FirstArg, "Converts to int (null if not convertible)."),
    scalar(F::ToLong, "tolong", VALUE, Fixed(S::Long), FirstArg, "Converts to long (null if not convertible)."),
    scalar(F::ToLower, "tolower", VALUE, Fixed(S::String), Unnamed, "Converts a string to lower case."),
    scalar(F::ToReal, "toreal", VALUE, Fixed(S::Real), FirstArg, "Alias of todouble."),
    scalar(F::ToString, "tostring", VALUE, Fixed(S::String), FirstArg, "Converts to string (empty for null)."),
    // totime: obsolete in Kusto in favour of totimespan.
    scalar(F::ToTimespan, "totime", VALUE, Fixed(S::Timespan), FirstArg, "Deprecated alias of totimespan."),
    scalar(
        F::ToTimespan,
        "totimespan",
        VALUE,
        Fixed(S::Timespan),
        FirstArg,
        "Converts to timespan (null if not convertible).",
    ),
    scalar(F::ToUpper, "toupper", VALUE, Fixed(S::String), Unnamed, "Converts a string to upper case."),
    scalar(
        F::Translate,
        "translate",
        &[
            P::new("searchList", A::StringLike),
            P::new("replacementList", A::StringLike),
            P::new("source", A::StringLike),
        ],
        Fixed(S::String),
        Unnamed,
        "Characters of searchList replaced by those at the same place in replacementList (its last one past its end; removed if it is empty).",
    ),
    scalar(F::Trim, "trim", TRIM_PARAMS, Fixed(S::String), Unnamed, "Removes leading and trailing matches of a regex."),
    scalar(F::TrimEnd, "trim_end", TRIM_PARAMS, Fixed(S::String), Unnamed, "Removes trailing matches of a regex."),
    scalar(F::TrimStart, "trim_start", TRIM_PARAMS, Fixed(S::String), Unnamed, "Removes leading matches of a regex."),
    scalar(
        F::UnixtimeMicrosecondsToDateTime,
        "unixtime_microseconds_todatetime",
        &[P::new("number", A::Numeric)],
        Fixed(S::DateTime),
        Unnamed,
        "The datetime that many microseconds after 1970-01-01.",
    ),
    scalar(
        F::UnixtimeMillisecondsToDateTime,
        "unixtime_milliseconds_todatetime",
        &[P::new("number", A::Numeric)],
        Fixed(S::DateTime),
        Unnamed,
        "The datetime that many milliseconds after 1970-01-01.",
    ),
    scalar(
        F::UnixtimeNanosecondsToDateTime,
        "unixtime_nanoseconds_todatetime",
        &[P::new("number", A::Numeric)],
        Fixed(S::DateTime),
        Unnamed,
        "The datetime that many nanoseconds after 1970-01-01.",
    ),
    scalar(
        F::UnixtimeSecondsToDateTime,
        "unixtime_seconds_todatetime",
        &[P::new("number", A::Numeric)],
        Fixed(S::DateTime),
        Unnamed,
        "The datetime that many seconds after 1970-01-01.",
    ),
    scalar(
        F::UrlDecode,
        "url_decode",
        &[P::new("encoded_url", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "Decodes %xx sequences and + in a URL.",
    ),
    scalar(
        F::UrlEncode,
        "url_encode",
        &[P::new("url", A::StringLike)],
        Fixed(S::String),
        Unnamed,
        "Percent-encodes a URL (space as +).",
    ),
    scalar(
        F::WeekOfYear,
        "week_of_year",
        DATE,
        Fixed(S::Int),
        Unnamed,
        "The ISO 8601 week number (1-53) of a datetime.",
    ),
    scalar(
        F::Zip,
        "zip",
        &[
            P::new("array", A::Exactly(S::Dynamic)),
            P::new("array", A::Exactly(S::Dynamic)),
            P::many("array", A::Exactly(S::Dynamic)),
        ],
        Fixed(S::Dynamic),
        Unnamed,
        "Arrays of the elements at the same index of each array.",
    ),
];
