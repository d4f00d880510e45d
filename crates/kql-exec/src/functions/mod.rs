//! Scalar function kernels, one module per family. Each takes evaluated
//! arguments (arrays or constants) and returns a column of the type the
//! binder inferred.

mod array;
mod bags;
mod bits;
mod conditional;
mod convert;
mod datetime;
mod encode;
mod format;
mod hll;
pub(crate) mod ip;
mod jsonpath;
mod math;
mod pattern;
mod series_fill;
mod series_ops;
mod series_stats;
mod tdigest;

pub(crate) use hll::{DEFAULT_ACCURACY as HLL_DEFAULT_ACCURACY, Sketch};
pub(crate) use pattern::compile as compile_regex;
pub(crate) use tdigest::{Digest, Kind as DigestKind};
mod string;
mod text;
mod window;

use crate::columnar::Col;
use crate::error::{ExecError, Result};
use crate::eval::EvalCx;
use crate::physical::{scalar_array, value_at};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, PrimitiveArray, StringArray};
use kql_plan::functions::{FunctionDef, ScalarFn as F};
use kql_syntax::{ScalarType, Span};
use kql_types::Value;

/// The arguments of one call.
pub struct Args<'a> {
    pub cols: &'a [Col],
    pub types: &'a [ScalarType],
    /// The result type the binder inferred.
    pub out: ScalarType,
    /// Rows in the batch.
    pub len: usize,
    /// The call's span, for errors about the call as a whole.
    pub span: Span,
    /// Each argument's span, for errors about one argument (a regex).
    pub arg_spans: &'a [Span],
}

impl Args<'_> {
    pub fn col(&self, i: usize) -> Result<&Col> {
        self.cols.get(i).ok_or_else(|| ExecError::Internal(format!("missing argument {i}")))
    }

    /// Where argument `i` is in the query text (the call's span if unknown).
    pub fn arg_span(&self, i: usize) -> Span {
        self.arg_spans.get(i).copied().unwrap_or(self.span)
    }

    pub fn ty(&self, i: usize) -> ScalarType {
        self.types.get(i).copied().unwrap_or(ScalarType::Dynamic)
    }

    /// Argument `i` converted to type `to`.
    pub fn as_type(&self, i: usize, to: ScalarType) -> Result<Col> {
        crate::eval::to_scalar_type(self.col(i)?, self.ty(i), to, self.len)
    }

    /// Argument `i` as a constant string (regexes, separators, formats).
    pub fn const_str(&self, i: usize) -> Option<String> {
        match self.cols.get(i)?.as_scalar()? {
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// True if every argument is a constant: kernels then compute one row
    /// and fold the result back into a constant (see [`Args::finish`]).
    pub fn all_scalar(&self) -> bool {
        self.cols.iter().all(|c| matches!(c, Col::Scalar(_)))
    }

    /// How many rows a row-at-a-time kernel computes: one when every
    /// argument is a constant, else the batch length.
    pub fn rows(&self) -> usize {
        if self.all_scalar() { 1 } else { self.len }
    }

    /// Wraps a kernel's output of [`Args::rows`] rows as the call's result.
    pub fn finish(&self, out: ArrayRef) -> Col {
        if self.all_scalar() && out.len() == 1 && self.out != ScalarType::Dynamic {
            Col::Scalar(value_at(&out, 0, self.out))
        } else if self.all_scalar() && out.len() == 1 && self.len != 1 {
            // A dynamic result stays an array (its encoding is the
            // kernel's), repeated to the batch's length.
            let zeros = arrow_array::UInt32Array::from(vec![0u32; self.len]);
            arrow_select::take::take(&out, &zeros, None).map_or(Col::Array(out), Col::Array)
        } else {
            Col::Array(out)
        }
    }

    /// The value of an argument the binder requires to be constant, as type
    /// `to`. Constant expressions can still arrive as arrays (a call that
    /// does not fold); every row then holds the same value, so row 0 is
    /// taken. `None` only for an array of no rows.
    pub fn constant(&self, i: usize, to: ScalarType) -> Result<Option<Value>> {
        Ok(match self.as_type(i, to)? {
            Col::Scalar(v) => Some(v),
            Col::Array(a) if a.is_empty() => None,
            Col::Array(a) => Some(value_at(&a, 0, to)),
        })
    }

    /// A constant string argument (see [`Args::constant`]).
    pub fn constant_str(&self, i: usize) -> Result<Option<String>> {
        Ok(match self.constant(i, ScalarType::String)? {
            Some(Value::String(s)) => Some(s),
            _ => None,
        })
    }

    /// Argument `i` as text, a constant kept as one string.
    pub fn strs(&self, i: usize) -> Result<Strs> {
        Strs::of(&self.as_type(i, ScalarType::String)?)
    }

    /// Argument `i` as longs, a constant kept as one value.
    pub fn longs(&self, i: usize) -> Result<Prims<Int64Type>> {
        Prims::of(&self.as_type(i, ScalarType::Long)?, ScalarType::Long)
    }

    /// Argument `i` converted to `to` (a primitive type), a constant kept as one value.
    pub fn prims<T: ArrowPrimitiveType>(&self, i: usize, to: ScalarType) -> Result<Prims<T>> {
        Prims::of(&self.as_type(i, to)?, to)
    }
}

/// A string column or one constant string, read row by row.
pub enum Strs {
    One(String),
    Many(StringArray),
}

impl Strs {
    pub fn of(c: &Col) -> Result<Self> {
        Ok(match c {
            Col::Scalar(Value::String(s)) => Strs::One(s.clone()),
            Col::Scalar(v) if v.is_null() => Strs::One(String::new()),
            Col::Scalar(v) => return Err(ExecError::Internal(format!("expected a string, found {v:?}"))),
            Col::Array(a) => Strs::Many(strings_of(a)?.clone()),
        })
    }

    /// The text of row `i` (strings are never null: null reads as "").
    pub fn get(&self, i: usize) -> &str {
        match self {
            Strs::One(s) => s,
            Strs::Many(a) if i < a.len() && a.is_valid(i) => a.value(i),
            Strs::Many(_) => "",
        }
    }
}

/// A primitive column or one constant, read row by row.
pub enum Prims<T: ArrowPrimitiveType> {
    One(Option<T::Native>),
    Many(PrimitiveArray<T>),
}

impl<T: ArrowPrimitiveType> Prims<T> {
    pub fn of(c: &Col, ty: ScalarType) -> Result<Self> {
        Ok(match c {
            Col::Scalar(v) => {
                let one = scalar_array(v, 1);
                let p = primitives_of::<T>(&one)?;
                Prims::One((p.len() == 1 && p.is_valid(0)).then(|| p.value(0)))
            }
            Col::Array(a) => {
                crate::physical::expect_type(a, ty, "a function argument")?;
                Prims::Many(primitives_of::<T>(a)?.clone())
            }
        })
    }

    /// Row `i`, or `None` for null.
    pub fn get(&self, i: usize) -> Option<T::Native> {
        match self {
            Prims::One(v) => *v,
            Prims::Many(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
        }
    }
}

/// An array as Utf8, or an internal error naming the type found.
pub fn strings_of(a: &ArrayRef) -> Result<&StringArray> {
    a.as_string_opt::<i32>().ok_or_else(|| ExecError::Internal(format!("expected Utf8, found {}", a.data_type())))
}

/// An array as a primitive array of `T`, or an internal error.
pub fn primitives_of<T: ArrowPrimitiveType>(a: &ArrayRef) -> Result<&PrimitiveArray<T>> {
    a.as_primitive_opt::<T>()
        .ok_or_else(|| ExecError::Internal(format!("expected {}, found {}", T::DATA_TYPE, a.data_type())))
}

/// Calls the scalar function `function`; `span` is the call's, `arg_spans`
/// its arguments'. The one place a catalog identity meets its kernel: the
/// `match` is exhaustive, so a function added to the catalog
/// (`kql_plan::functions::ScalarFn`) does not compile until it runs here.
#[allow(clippy::too_many_arguments)]
pub fn call(
    function: &FunctionDef,
    cols: &[Col],
    types: &[ScalarType],
    out: ScalarType,
    len: usize,
    cx: &EvalCx,
    span: Span,
    arg_spans: &[Span],
) -> Result<Col> {
    let a = Args { cols, types, out, len, span, arg_spans };
    let Some(f) = function.scalar() else {
        return Err(ExecError::NotImplemented { what: format!("the function `{}()`", function.name), span });
    };
    use arrow_arith::temporal::DatePart;
    use datetime::Start;
    use kql_syntax::time::{NANOS_PER_MICRO, NANOS_PER_MILLI, NANOS_PER_SEC};
    // A conversion that cannot be exact reports itself without a span.
    let result = match f {
        F::Iff => conditional::iff(&a),
        F::Case => conditional::case(&a),
        F::Coalesce => conditional::coalesce(&a),
        F::Assert => conditional::assert(&a),
        F::IsEmpty => conditional::is_empty(&a, false),
        F::IsNotEmpty => conditional::is_empty(&a, true),
        F::IsNull => conditional::is_null(&a, false),
        F::IsNotNull => conditional::is_null(&a, true),
        F::Not => crate::eval::logical_not(&a.as_type(0, ScalarType::Bool)?, len),
        F::Strcat => string::strcat(&a),
        F::Split => string::split(&a),
        F::Strlen => string::strlen(&a),
        F::ToLower => string::map_strings(&a, |s| s.to_lowercase()),
        F::ToUpper => string::map_strings(&a, |s| s.to_uppercase()),
        F::Substring => string::substring(&a),
        F::ToString
        | F::ToInt
        | F::ToLong
        | F::ToReal
        | F::ToBool
        | F::ToDateTime
        | F::ToTimespan
        | F::ToDynamic
        | F::ToDecimal => convert::convert(&a),
        F::Now => datetime::now(&a, cx.now),
        F::Ago => datetime::ago(&a, cx.now),
        F::Bin => datetime::bin(&a),
        F::RowNumber => window::row_number(&a),
        F::Prev => window::shifted(&a, false),
        F::Next => window::shifted(&a, true),
        F::RowCumsum => window::row_cumsum(&a),
        F::RowRankDense => window::row_rank(&a, true),
        F::RowRankMin => window::row_rank(&a, false),
        F::RowWindowSession => window::row_window_session(&a),
        F::StrcatDelim => text::strcat_delim(&a),
        F::PackArray => bags::pack_array(&a),
        F::BagPack => bags::bag_pack(&a),
        F::PackAll => bags::pack_all(&a),
        F::BagKeys => bags::bag_keys(&a),
        F::BagMerge => bags::bag_merge(&a),
        F::ArrayConcat => bags::array_concat(&a),
        F::ArraySlice => bags::array_slice(&a),
        F::ArraySortAsc => bags::array_sort(&a, false),
        F::ArraySortDesc => bags::array_sort(&a, true),
        F::ArrayIndexOf => bags::array_index_of(&a),
        F::ArraySum => bags::array_sum(&a),
        F::SetUnion => bags::set_op(&a, bags::SetOp::Union),
        F::SetIntersect => bags::set_op(&a, bags::SetOp::Intersect),
        F::SetDifference => bags::set_op(&a, bags::SetOp::Difference),
        F::SetHasElement => bags::set_has_element(&a),
        F::StrcatArray => bags::strcat_array(&a),
        F::Zip => bags::zip(&a),
        F::SeriesFillConst => series_fill::series_fill(&a, series_fill::Fill::Const),
        F::SeriesFillForward => series_fill::series_fill(&a, series_fill::Fill::Forward),
        F::SeriesFillBackward => series_fill::series_fill(&a, series_fill::Fill::Backward),
        F::SeriesFillLinear => series_fill::series_fill_linear(&a),
        F::SeriesAdd => series_ops::binary(&a, series_ops::Binary::Add),
        F::SeriesDivide => series_ops::binary(&a, series_ops::Binary::Divide),
        F::SeriesEquals => series_ops::binary(&a, series_ops::Binary::Equals),
        F::SeriesGreater => series_ops::binary(&a, series_ops::Binary::Greater),
        F::SeriesGreaterEquals => series_ops::binary(&a, series_ops::Binary::GreaterEquals),
        F::SeriesLess => series_ops::binary(&a, series_ops::Binary::Less),
        F::SeriesLessEquals => series_ops::binary(&a, series_ops::Binary::LessEquals),
        F::SeriesMultiply => series_ops::binary(&a, series_ops::Binary::Multiply),
        F::SeriesNotEquals => series_ops::binary(&a, series_ops::Binary::NotEquals),
        F::SeriesPow => series_ops::binary(&a, series_ops::Binary::Pow),
        F::SeriesSubtract => series_ops::binary(&a, series_ops::Binary::Subtract),
        F::SeriesAbs => series_ops::unary(&a, series_ops::Unary::Abs),
        F::SeriesCeiling => series_ops::unary(&a, series_ops::Unary::Ceiling),
        F::SeriesExp => series_ops::unary(&a, series_ops::Unary::Exp),
        F::SeriesFloor => series_ops::unary(&a, series_ops::Unary::Floor),
        F::SeriesLog => series_ops::unary(&a, series_ops::Unary::Log),
        F::SeriesSign => series_ops::unary(&a, series_ops::Unary::Sign),
        F::SeriesStats => series_stats::series_stats(&a),
        F::SeriesFitLine => series_stats::series_fit_line(&a),
        F::SeriesFitLineDynamic => series_stats::series_fit_line_dynamic(&a),
        F::SeriesStatsDynamic => series_stats::series_stats_dynamic(&a),
        F::DCountHll => hll::dcount_hll(&a),
        F::PercentileTDigest => tdigest::percentile_tdigest(&a),
        F::PercentilesArrayTDigest => tdigest::percentiles_array_tdigest(&a),
        F::RankTDigest => tdigest::rank_tdigest(&a, tdigest::Rank::Count),
        F::PercentRankTDigest => tdigest::rank_tdigest(&a, tdigest::Rank::Percent),
        F::TDigestMerge => tdigest::tdigest_merge(&a),
        F::HllMerge => hll::hll_merge(&a),
        // replace(regex, rewrite, text): replace_regex's old name and order.
        F::Replace => {
            let order = [2, 0, 1];
            let cols: Vec<Col> = order.iter().map(|&i| a.cols[i].clone()).collect();
            let types: Vec<ScalarType> = order.iter().map(|&i| a.types[i]).collect();
            let spans: Vec<Span> = order.iter().map(|&i| a.arg_spans[i]).collect();
            pattern::replace_regex(&Args { cols: &cols, types: &types, arg_spans: &spans, ..a })
        }
        F::ReplaceString => text::replace_string(&a),
        F::ReplaceRegex => pattern::replace_regex(&a),
        F::ExtractAll => pattern::extract_all(&a),
        F::Strrep => text::strrep(&a),
        F::UrlEncode => encode::url_encode(&a),
        F::UrlDecode => encode::url_decode(&a),
        F::Base64EncodeToString => encode::base64_encode_tostring(&a),
        F::Base64DecodeToString => encode::base64_decode_tostring(&a),
        F::Hash => encode::hash(&a),
        F::HashSha256 => encode::hash_sha256(&a),
        F::HashMd5 => encode::hash_md5(&a),
        F::HashSha1 => encode::hash_sha1(&a),
        F::FormatBytes => encode::format_bytes(&a),
        F::ParseUrl => encode::parse_url(&a),
        F::ParsePath => encode::parse_path(&a),
        F::IndexOf => text::indexof(&a),
        F::CountOf => text::countof(&a),
        F::Reverse => text::reverse(&a),
        F::Extract => pattern::extract(&a),
        F::ExtractJson => jsonpath::extract_json(&a),
        F::GetType => jsonpath::gettype(&a),
        F::BagHasKey => jsonpath::bag_has_key(&a),
        F::BagRemoveKeys => jsonpath::bag_remove_keys(&a),
        F::BagSetKey => jsonpath::bag_set_key(&a),
        F::SetEquals => bags::set_equals(&a),
        F::JaccardIndex => bags::jaccard_index(&a),
        F::ArrayIff => bags::array_iff(&a),
        F::BagZip => bags::bag_zip(&a),
        F::IsAscii => text::is_text(&a, true),
        F::IsUtf8 => text::is_text(&a, false),
        F::Repeat => bags::repeat(&a),
        F::RegexQuote => text::regex_quote(&a),
        F::ArrayReverse => bags::array_reverse(&a),
        F::Trim => pattern::trim(&a, true, true),
        F::TrimStart => pattern::trim(&a, true, false),
        F::TrimEnd => pattern::trim(&a, false, true),
        F::StartOfDay => datetime::start_of(&a, Start::Day),
        F::StartOfWeek => datetime::start_of(&a, Start::Week),
        F::StartOfMonth => datetime::start_of(&a, Start::Month),
        F::StartOfYear => datetime::start_of(&a, Start::Year),
        F::EndOfDay => datetime::end_of_day(&a),
        F::EndOfWeek => datetime::end_of(&a, Start::Week),
        F::EndOfMonth => datetime::end_of(&a, Start::Month),
        F::EndOfYear => datetime::end_of(&a, Start::Year),
        F::DayOfMonth => datetime::part(&a, 0, DatePart::Day),
        F::DateTimeAdd => datetime::datetime_add(&a),
        F::DateTimeDiff => datetime::datetime_diff(&a),
        F::MakeDateTime => datetime::make_datetime(&a),
        F::MakeTimespan => datetime::make_timespan(&a),
        F::FormatTimespan => datetime::format_timespan(&a),
        F::UnixtimeSecondsToDateTime => datetime::unixtime(&a, NANOS_PER_SEC),
        F::UnixtimeMillisecondsToDateTime => datetime::unixtime(&a, NANOS_PER_MILLI),
        F::UnixtimeMicrosecondsToDateTime => datetime::unixtime(&a, NANOS_PER_MICRO),
        F::UnixtimeNanosecondsToDateTime => datetime::unixtime(&a, 1),
        F::Sign => math::real_fn(&a, |x| {
            Some(if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                x
            })
        }),
        F::DayOfWeek => datetime::day_of_week(&a),
        F::HourOfDay => datetime::part(&a, 0, DatePart::Hour),
        F::GetMonth => datetime::part(&a, 0, DatePart::Month),
        F::GetYear => datetime::part(&a, 0, DatePart::Year),
        F::DateTimePart => datetime::datetime_part(&a),
        F::FormatDateTime => format::format_datetime(&a),
        F::Abs => math::abs(&a),
        F::Round => math::round(&a),
        F::Ceiling => math::ceiling(&a),
        // Kusto: null for a negative argument (NaN stays NaN; log(0) is -infinity).
        F::Sqrt => math::real_fn(&a, |x| (x >= 0.0 || x.is_nan()).then(|| x.sqrt())),
        F::Log => math::real_fn(&a, |x| (x >= 0.0 || x.is_nan()).then(|| x.ln())),
        F::Log10 => math::real_fn(&a, |x| (x >= 0.0 || x.is_nan()).then(|| x.log10())),
        F::Exp => math::real_fn(&a, |x| Some(x.exp())),
        F::Pow => math::pow(&a),
        F::IsNan => math::real_test(&a, f64::is_nan),
        F::IsInf => math::real_test(&a, f64::is_infinite),
        F::IsFinite => math::real_test(&a, f64::is_finite),
        // Kusto: null for a non-positive argument, as log and log10.
        F::Log2 => math::real_fn(&a, |x| (x >= 0.0 || x.is_nan()).then(|| x.log2())),
        F::Exp2 => math::real_fn(&a, |x| Some(x.exp2())),
        F::Exp10 => math::real_fn(&a, |x| Some(10f64.powf(x))),
        F::Cos => math::real_fn(&a, |x| Some(x.cos())),
        F::Sin => math::real_fn(&a, |x| Some(x.sin())),
        F::Tan => math::real_fn(&a, |x| Some(x.tan())),
        F::Cot => math::real_fn(&a, |x| Some(1.0 / x.tan())),
        F::Acos => math::real_fn(&a, |x| Some(x.acos())),
        F::Asin => math::real_fn(&a, |x| Some(x.asin())),
        F::Atan => math::real_fn(&a, |x| Some(x.atan())),
        F::Atan2 => math::atan2(&a),
        F::Degrees => math::real_fn(&a, |x| Some(x.to_degrees())),
        F::Radians => math::real_fn(&a, |x| Some(x.to_radians())),
        F::Pi => Ok(Col::Scalar(Value::Real(Some(std::f64::consts::PI)))),
        F::BinaryAnd => bits::binary(&a, bits::Op::And),
        F::BinaryOr => bits::binary(&a, bits::Op::Or),
        F::BinaryXor => bits::binary(&a, bits::Op::Xor),
        F::BinaryShiftLeft => bits::binary(&a, bits::Op::ShiftLeft),
        F::BinaryShiftRight => bits::binary(&a, bits::Op::ShiftRight),
        F::BinaryNot => bits::unary(&a, false),
        F::BitsetCountOnes => bits::unary(&a, true),
        F::ToHex => bits::tohex(&a),
        F::BinAt => datetime::bin_at(&a),
        F::DayOfYear => datetime::part(&a, 0, DatePart::DayOfYear),
        F::MonthOfYear => datetime::part(&a, 0, DatePart::Month),
        F::WeekOfYear => datetime::part(&a, 0, DatePart::WeekISO),
        F::Strcmp => text::strcmp(&a),
        F::StringSize => text::string_size(&a),
        F::Translate => text::translate(&a),
        F::MinOf => math::min_max_of(&a, false),
        F::MaxOf => math::min_max_of(&a, true),
        F::Ipv4IsPrivate => ip::is_private(&a),
        F::Ipv4RangeToCidrList => ip::range_to_cidr_list(&a),
        F::Ipv4IsInRange => ip::is_in_range(&a),
        F::Ipv4IsMatch => ip::is_match(&a),
        F::Ipv4IsInAnyRange => ip::is_in_any_range(&a),
        F::Ipv4Compare => ip::compare(&a),
        F::Ipv4NetmaskSuffix => ip::netmask_suffix(&a),
        F::ParseIpv4 => ip::parse(&a),
        F::ParseIpv4Mask => ip::parse_mask(&a),
        F::FormatIpv4 => ip::format(&a, false),
        F::FormatIpv4Mask => ip::format(&a, true),
        F::HasIpv4 | F::HasAnyIpv4 => ip::has(&a, false),
        F::HasIpv4Prefix | F::HasAnyIpv4Prefix => ip::has(&a, true),
        F::ParseIpv6 => ip::parse6(&a),
        F::Ipv6Compare => ip::compare6(&a, false),
        F::Ipv6IsMatch => ip::compare6(&a, true),
        F::Ipv6IsInRange | F::Ipv6IsInAnyRange => ip::is_in_range6(&a),
        F::ArrayLength => array::array_length(&a),
        F::RangeArray => array::range(&a),
    };
    result.map_err(|e| e.at(span))
}
