//! The typed identity of every catalog function: what the binder resolves
//! a name to and what the executor, the optimizer and the checker match on
//! (never the name). Aliases (`iif`/`iff`, `todynamic`/`parse_json`) share
//! one identity; the name a query used stays on the [`FunctionDef`](super::FunctionDef)
//! for output naming, `explain` and messages.
//!
//! Adding a variant makes every exhaustive `match` on it (the executor's
//! scalar dispatcher and accumulator factory) fail to compile until it is
//! implemented.

/// Declares an identity enum and `ALL`, its variants (for the catalog
/// tests: every identity has a catalog entry).
macro_rules! identities {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident,)* }) => {
        $(#[$m])*
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
        }
    };
}

identities! {
/// A scalar function. Each variant lists the catalog names it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarFn {
    /// `abs`
    Abs,
    /// `acos`
    Acos,
    /// `ago`
    Ago,
    /// `array_concat`
    ArrayConcat,
    /// `array_iff`, `array_iif`
    ArrayIff,
    /// `array_index_of`
    ArrayIndexOf,
    /// `array_length`, `arraylength`
    ArrayLength,
    /// `array_reverse`
    ArrayReverse,
    /// `array_slice`
    ArraySlice,
    /// `array_sort_asc`
    ArraySortAsc,
    /// `array_sort_desc`
    ArraySortDesc,
    /// `array_sum`
    ArraySum,
    /// `asin`
    Asin,
    /// `assert`
    Assert,
    /// `atan`
    Atan,
    /// `atan2`
    Atan2,
    /// `bag_has_key`
    BagHasKey,
    /// `bag_keys`
    BagKeys,
    /// `bag_merge`
    BagMerge,
    /// `bag_pack`, `pack`
    BagPack,
    /// `bag_remove_keys`
    BagRemoveKeys,
    /// `bag_set_key`
    BagSetKey,
    /// `bag_zip`
    BagZip,
    /// `base64_decode_tostring`, `base64_decodestring`
    Base64DecodeToString,
    /// `base64_encode_tostring`, `base64_encodestring`
    Base64EncodeToString,
    /// `bin`, `floor`
    Bin,
    /// `binary_and`
    BinaryAnd,
    /// `binary_not`
    BinaryNot,
    /// `binary_or`
    BinaryOr,
    /// `binary_shift_left`
    BinaryShiftLeft,
    /// `binary_shift_right`
    BinaryShiftRight,
    /// `binary_xor`
    BinaryXor,
    /// `bin_at`
    BinAt,
    /// `bitset_count_ones`
    BitsetCountOnes,
    /// `case`
    Case,
    /// `ceiling`
    Ceiling,
    /// `coalesce`
    Coalesce,
    /// `cos`
    Cos,
    /// `cot`
    Cot,
    /// `countof`
    CountOf,
    /// `datetime_add`
    DateTimeAdd,
    /// `datetime_diff`
    DateTimeDiff,
    /// `datetime_part`
    DateTimePart,
    /// `dayofmonth`
    DayOfMonth,
    /// `dayofweek`
    DayOfWeek,
    /// `dayofyear`
    DayOfYear,
    /// `dcount_hll`
    DCountHll,
    /// `degrees`
    Degrees,
    /// `endofday`
    EndOfDay,
    /// `endofmonth`
    EndOfMonth,
    /// `endofweek`
    EndOfWeek,
    /// `endofyear`
    EndOfYear,
    /// `exp`
    Exp,
    /// `exp10`
    Exp10,
    /// `exp2`
    Exp2,
    /// `extract`
    Extract,
    /// `extract_json`, `extractjson`
    ExtractJson,
    /// `extract_all`
    ExtractAll,
    /// `format_bytes`
    FormatBytes,
    /// `format_datetime`
    FormatDateTime,
    /// `format_ipv4`
    FormatIpv4,
    /// `format_ipv4_mask`
    FormatIpv4Mask,
    /// `format_timespan`
    FormatTimespan,
    /// `getmonth`
    GetMonth,
    /// `gettype`
    GetType,
    /// `getyear`
    GetYear,
    /// `has_any_ipv4`
    HasAnyIpv4,
    /// `has_any_ipv4_prefix`
    HasAnyIpv4Prefix,
    /// `has_ipv4`
    HasIpv4,
    /// `has_ipv4_prefix`
    HasIpv4Prefix,
    /// `hash`, `hash_xxhash64`
    Hash,
    /// `hash_sha256`
    HashSha256,
    /// `hash_md5`
    HashMd5,
    /// `hash_sha1`
    HashSha1,
    /// `hourofday`
    HourOfDay,
    /// `iff`, `iif`
    Iff,
    /// `indexof`
    IndexOf,
    /// `ipv4_compare`
    Ipv4Compare,
    /// `ipv4_is_in_any_range`
    Ipv4IsInAnyRange,
    /// `ipv4_is_in_range`
    Ipv4IsInRange,
    /// `ipv4_is_match`
    Ipv4IsMatch,
    /// `ipv4_is_private`
    Ipv4IsPrivate,
    /// `ipv4_netmask_suffix`
    Ipv4NetmaskSuffix,
    /// `ipv4_range_to_cidr_list`
    Ipv4RangeToCidrList,
    /// `ipv6_compare`
    Ipv6Compare,
    /// `ipv6_is_in_any_range`
    Ipv6IsInAnyRange,
    /// `ipv6_is_in_range`
    Ipv6IsInRange,
    /// `ipv6_is_match`
    Ipv6IsMatch,
    /// `isascii`
    IsAscii,
    /// `isempty`
    IsEmpty,
    /// `isfinite`
    IsFinite,
    /// `isinf`
    IsInf,
    /// `isnan`
    IsNan,
    /// `isnotempty`, `notempty`
    IsNotEmpty,
    /// `isnotnull`, `notnull`
    IsNotNull,
    /// `isnull`
    IsNull,
    /// `isutf8`
    IsUtf8,
    /// `jaccard_index`
    JaccardIndex,
    /// `log`
    Log,
    /// `log10`
    Log10,
    /// `log2`
    Log2,
    /// `make_datetime`
    MakeDateTime,
    /// `make_timespan`
    MakeTimespan,
    /// `max_of`
    MaxOf,
    /// `min_of`
    MinOf,
    /// `monthofyear`
    MonthOfYear,
    /// `next`
    Next,
    /// `not`
    Not,
    /// `now`
    Now,
    /// `pack_all`
    PackAll,
    /// `pack_array`
    PackArray,
    /// `parse_ipv4`
    ParseIpv4,
    /// `parse_ipv4_mask`
    ParseIpv4Mask,
    /// `parse_ipv6`
    ParseIpv6,
    /// `pi`
    Pi,
    /// `radians`
    Radians,
    /// `regex_quote`
    RegexQuote,
    /// `repeat`
    Repeat,
    /// `series_abs`
    SeriesAbs,
    /// `series_add`
    SeriesAdd,
    /// `series_ceiling`
    SeriesCeiling,
    /// `series_divide`
    SeriesDivide,
    /// `series_equals`
    SeriesEquals,
    /// `series_exp`
    SeriesExp,
    /// `series_floor`
    SeriesFloor,
    /// `series_greater`
    SeriesGreater,
    /// `series_greater_equals`
    SeriesGreaterEquals,
    /// `series_less`
    SeriesLess,
    /// `series_less_equals`
    SeriesLessEquals,
    /// `series_log`
    SeriesLog,
    /// `series_multiply`
    SeriesMultiply,
    /// `series_not_equals`
    SeriesNotEquals,
    /// `series_pow`
    SeriesPow,
    /// `series_sign`
    SeriesSign,
    /// `series_subtract`
    SeriesSubtract,
    /// `set_equals`
    SetEquals,
    /// `sin`
    Sin,
    /// `strcmp`
    Strcmp,
    /// `string_size`
    StringSize,
    /// `tan`
    Tan,
    /// `parse_json`, `parsejson`, `todynamic`
    ToDynamic,
    /// `parse_path`
    ParsePath,
    /// `parse_url`, `parseurl`
    ParseUrl,
    /// `percentile_tdigest`
    PercentileTDigest,
    /// `percentiles_array_tdigest`
    PercentilesArrayTDigest,
    /// `percentrank_tdigest`
    PercentRankTDigest,
    /// `pow`
    Pow,
    /// `prev`
    Prev,
    /// `range` (the scalar function; the operator is a plan node)
    RangeArray,
    /// `rank_tdigest`
    RankTDigest,
    /// `replace`
    Replace,
    /// `replace_regex`
    ReplaceRegex,
    /// `replace_string`
    ReplaceString,
    /// `reverse`
    Reverse,
    /// `round`
    Round,
    /// `row_cumsum`
    RowCumsum,
    /// `row_number`
    RowNumber,
    /// `row_rank_dense`
    RowRankDense,
    /// `row_rank_min`
    RowRankMin,
    /// `row_window_session`
    RowWindowSession,
    /// `series_fill_backward`
    SeriesFillBackward,
    /// `series_fill_const`
    SeriesFillConst,
    /// `series_fill_forward`
    SeriesFillForward,
    /// `series_fill_linear`
    SeriesFillLinear,
    /// `series_fit_line` (expanded into one column per result by the binder)
    SeriesFitLine,
    /// `series_fit_line_dynamic`
    SeriesFitLineDynamic,
    /// `series_stats` (expanded into one column per statistic by the binder)
    SeriesStats,
    /// `series_stats_dynamic`
    SeriesStatsDynamic,
    /// `set_difference`
    SetDifference,
    /// `set_has_element`
    SetHasElement,
    /// `set_intersect`
    SetIntersect,
    /// `set_union`
    SetUnion,
    /// `sign`
    Sign,
    /// `split`
    Split,
    /// `sqrt`
    Sqrt,
    /// `startofday`
    StartOfDay,
    /// `startofmonth`
    StartOfMonth,
    /// `startofweek`
    StartOfWeek,
    /// `startofyear`
    StartOfYear,
    /// `strcat`
    Strcat,
    /// `strcat_array`
    StrcatArray,
    /// `strcat_delim`
    StrcatDelim,
    /// `strlen`
    Strlen,
    /// `strrep`
    Strrep,
    /// `substring`
    Substring,
    /// the scalar `hll_merge` (several sketches of one row)
    HllMerge,
    /// the scalar `tdigest_merge`, `merge_tdigest` (several digests of one row)
    TDigestMerge,
    /// `tobool`, `toboolean`
    ToBool,
    /// `todatetime`
    ToDateTime,
    /// `todecimal`
    ToDecimal,
    /// `tohex`
    ToHex,
    /// `todouble`, `toreal`
    ToReal,
    /// `toint`
    ToInt,
    /// `tolong`
    ToLong,
    /// `tolower`
    ToLower,
    /// `tostring`
    ToString,
    /// `totime`, `totimespan`
    ToTimespan,
    /// `toupper`
    ToUpper,
    /// `translate`
    Translate,
    /// `trim`
    Trim,
    /// `trim_end`
    TrimEnd,
    /// `trim_start`
    TrimStart,
    /// `unixtime_microseconds_todatetime`
    UnixtimeMicrosecondsToDateTime,
    /// `unixtime_milliseconds_todatetime`
    UnixtimeMillisecondsToDateTime,
    /// `unixtime_nanoseconds_todatetime`
    UnixtimeNanosecondsToDateTime,
    /// `unixtime_seconds_todatetime`
    UnixtimeSecondsToDateTime,
    /// `url_decode`
    UrlDecode,
    /// `url_encode`
    UrlEncode,
    /// `week_of_year`
    WeekOfYear,
    /// `zip`
    Zip,
}

}

identities! {
/// An aggregation function (valid only in `summarize`). Deprecated names
/// with their own defaults or naming (`makelist`'s 128 elements, `any`'s
/// `any_` prefix) are identities of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggregateFn {
    /// `any`
    Any,
    /// `arg_max`
    ArgMax,
    /// `arg_min`
    ArgMin,
    /// `avg`
    Avg,
    /// `avgif`
    AvgIf,
    /// `count`
    Count,
    /// `count_distinct`
    CountDistinct,
    /// `count_distinctif`
    CountDistinctIf,
    /// `countif`
    CountIf,
    /// `dcount`
    DCount,
    /// `dcountif`
    DCountIf,
    /// `hll`
    Hll,
    /// `hll_if`
    HllIf,
    /// `hll_merge`
    HllMerge,
    /// `make_bag`
    MakeBag,
    /// `make_bag_if`
    MakeBagIf,
    /// `make_list`
    MakeList,
    /// `make_list_if`
    MakeListIf,
    /// `make_list_with_nulls`
    MakeListWithNulls,
    /// `make_set`
    MakeSet,
    /// `make_set_if`
    MakeSetIf,
    /// `makelist`
    Makelist,
    /// `makeset`
    Makeset,
    /// `max`
    Max,
    /// `maxif`
    MaxIf,
    /// `merge_tdigest`
    MergeTDigest,
    /// `min`
    Min,
    /// `minif`
    MinIf,
    /// `percentile`
    Percentile,
    /// `percentiles`
    Percentiles,
    /// `percentiles_array`
    PercentilesArray,
    /// `stdev`
    Stdev,
    /// `stdevif`
    StdevIf,
    /// `stdevp`
    StdevP,
    /// `sum`
    Sum,
    /// `sumif`
    SumIf,
    /// `take_any`
    TakeAny,
    /// `take_anyif`
    TakeAnyIf,
    /// `tdigest`
    TDigest,
    /// `tdigest_merge`
    TDigestMerge,
    /// `variance`
    Variance,
    /// `varianceif`
    VarianceIf,
    /// `variancep`
    VarianceP,
    /// `variancepif`
    VariancePIf,
}
}

/// A catalog function: scalar or aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FunctionId {
    Scalar(ScalarFn),
    Aggregate(AggregateFn),
}

impl ScalarFn {
    /// The window functions, which read other rows of a serialized row set
    /// (so only `Node::Window` may evaluate them).
    pub fn is_window(self) -> bool {
        use ScalarFn as F;
        matches!(
            self,
            F::RowNumber | F::Prev | F::Next | F::RowCumsum | F::RowRankDense | F::RowRankMin | F::RowWindowSession
        )
    }

    /// False for a function whose value is not determined by its arguments
    /// alone (a window function reads other rows), so two rows with equal
    /// arguments may differ and a call cannot be folded or moved.
    pub fn is_deterministic(self) -> bool {
        !self.is_window()
    }

    /// The `to<type>()` conversions, whose unnamed result keeps the
    /// name of the column they convert.
    pub fn is_conversion(self) -> bool {
        use ScalarFn as F;
        matches!(
            self,
            F::ToBool
                | F::ToDateTime
                | F::ToDecimal
                | F::ToDynamic
                | F::ToInt
                | F::ToLong
                | F::ToReal
                | F::ToString
                | F::ToTimespan
        )
    }
}

impl AggregateFn {
    /// How partial results of this aggregation over disjoint row sets are
    /// combined into the whole's result (eager aggregation): the counts
    /// add up, integer sums add up, minimums and maximums take theirs.
    /// `integer` says whether the argument is an int, long or timespan
    /// (real sums would not add up to the same rounding).
    pub fn combiner(self, integer: bool) -> Option<AggregateFn> {
        use AggregateFn as G;
        match self {
            G::Count | G::CountIf => Some(G::Sum),
            G::Sum | G::SumIf if integer => Some(G::Sum),
            G::Min | G::MinIf => Some(G::Min),
            G::Max | G::MaxIf => Some(G::Max),
            _ => None,
        }
    }

    /// The aggregations whose result is one column per argument, named
    /// after it (`arg_max`, `arg_min`, `take_any`; `any` with several
    /// arguments or `*` is one too, which depends on the call).
    pub fn is_tuple(self) -> bool {
        matches!(self, AggregateFn::ArgMax | AggregateFn::ArgMin | AggregateFn::TakeAny)
    }
}
