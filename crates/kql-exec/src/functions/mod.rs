//! Scalar function kernels, one module per family. Each takes evaluated
//! arguments (arrays or constants) and returns a column of the type the
//! binder inferred.

mod array;
mod bags;
mod conditional;
mod convert;
mod datetime;
mod encode;
mod format;
mod ip;
mod math;
mod pattern;
mod series_fill;

pub(crate) use pattern::compile as compile_regex;
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
use kql_plan::Value;
use kql_syntax::{ScalarType, Span};

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

/// Calls scalar function `name`; `span` is the call's, `arg_spans` its arguments'.
#[allow(clippy::too_many_arguments)]
pub fn call(
    name: &str,
    cols: &[Col],
    types: &[ScalarType],
    out: ScalarType,
    len: usize,
    cx: &EvalCx,
    span: Span,
    arg_spans: &[Span],
) -> Result<Col> {
    let a = Args { cols, types, out, len, span, arg_spans };
    match name {
        "iff" | "iif" => conditional::iff(&a),
        "case" => conditional::case(&a),
        "coalesce" => conditional::coalesce(&a),
        "assert" => conditional::assert(&a),
        "isempty" => conditional::is_empty(&a, false),
        "isnotempty" => conditional::is_empty(&a, true),
        "isnull" => conditional::is_null(&a, false),
        "isnotnull" => conditional::is_null(&a, true),
        "not" => crate::eval::logical_not(&a.as_type(0, ScalarType::Bool)?, len),
        "strcat" => string::strcat(&a),
        "split" => string::split(&a),
        "strlen" => string::strlen(&a),
        "tolower" => string::map_strings(&a, |s| s.to_lowercase()),
        "toupper" => string::map_strings(&a, |s| s.to_uppercase()),
        "substring" => string::substring(&a),
        "tostring" | "toint" | "tolong" | "todouble" | "toreal" | "tobool" | "toboolean" | "todatetime"
        | "totimespan" | "totime" | "todynamic" | "parse_json" | "parsejson" => convert::convert(&a),
        "now" => datetime::now(&a, cx.now),
        "ago" => datetime::ago(&a, cx.now),
        "bin" | "floor" => datetime::bin(&a),
        w if kql_plan::functions::is_window(w) => window::call(w, &a),
        _ => extra(name, &a, cx),
    }
}

/// The remaining families: text, regex, dates, math, IPv4 and arrays.
fn extra(name: &str, a: &Args, _cx: &EvalCx) -> Result<Col> {
    use datetime::Start;
    match name {
        "strcat_delim" => text::strcat_delim(a),
        "pack_array" => bags::pack_array(a),
        "bag_pack" | "pack" => bags::bag_pack(a),
        "bag_keys" => bags::bag_keys(a),
        "bag_merge" => bags::bag_merge(a),
        "array_concat" => bags::array_concat(a),
        "array_slice" => bags::array_slice(a),
        "array_sort_asc" => bags::array_sort(a, false),
        "array_sort_desc" => bags::array_sort(a, true),
        "array_index_of" => bags::array_index_of(a),
        "array_sum" => bags::array_sum(a),
        "set_union" => bags::set_op(a, bags::SetOp::Union),
        "set_intersect" => bags::set_op(a, bags::SetOp::Intersect),
        "set_difference" => bags::set_op(a, bags::SetOp::Difference),
        "set_has_element" => bags::set_has_element(a),
        "strcat_array" => bags::strcat_array(a),
        "zip" => bags::zip(a),
        "series_fill_const" => series_fill::series_fill(a, series_fill::Fill::Const),
        "series_fill_forward" => series_fill::series_fill(a, series_fill::Fill::Forward),
        "series_fill_backward" => series_fill::series_fill(a, series_fill::Fill::Backward),
        // replace(regex, rewrite, text): replace_regex's old name and order.
        "replace" => {
            let order = [2, 0, 1];
            let cols: Vec<Col> = order.iter().map(|&i| a.cols[i].clone()).collect();
            let types: Vec<ScalarType> = order.iter().map(|&i| a.types[i]).collect();
            let spans: Vec<Span> = order.iter().map(|&i| a.arg_spans[i]).collect();
            pattern::replace_regex(&Args { cols: &cols, types: &types, arg_spans: &spans, ..*a })
        }
        "replace_string" => text::replace_string(a),
        "replace_regex" => pattern::replace_regex(a),
        "extract_all" => pattern::extract_all(a),
        "strrep" => text::strrep(a),
        "url_encode" => encode::url_encode(a),
        "url_decode" => encode::url_decode(a),
        "base64_encode_tostring" | "base64_encodestring" => encode::base64_encode_tostring(a),
        "base64_decode_tostring" | "base64_decodestring" => encode::base64_decode_tostring(a),
        "hash_sha256" => encode::hash_sha256(a),
        "format_bytes" => encode::format_bytes(a),
        "parse_url" | "parseurl" => encode::parse_url(a),
        "parse_path" => encode::parse_path(a),
        "indexof" => text::indexof(a),
        "countof" => text::countof(a),
        "reverse" => text::reverse(a),
        "extract" => pattern::extract(a),
        "trim" => pattern::trim(a, true, true),
        "trim_start" => pattern::trim(a, true, false),
        "trim_end" => pattern::trim(a, false, true),
        "startofday" => datetime::start_of(a, Start::Day),
        "startofweek" => datetime::start_of(a, Start::Week),
        "startofmonth" => datetime::start_of(a, Start::Month),
        "startofyear" => datetime::start_of(a, Start::Year),
        "endofday" => datetime::end_of_day(a),
        "endofweek" => datetime::end_of(a, Start::Week),
        "endofmonth" => datetime::end_of(a, Start::Month),
        "endofyear" => datetime::end_of(a, Start::Year),
        "dayofmonth" => datetime::part(a, 0, arrow_arith::temporal::DatePart::Day),
        "datetime_add" => datetime::datetime_add(a),
        "datetime_diff" => datetime::datetime_diff(a),
        "make_datetime" => datetime::make_datetime(a),
        "make_timespan" => datetime::make_timespan(a),
        "format_timespan" => datetime::format_timespan(a),
        "unixtime_seconds_todatetime" => datetime::unixtime(a, kql_syntax::time::NANOS_PER_SEC),
        "unixtime_milliseconds_todatetime" => datetime::unixtime(a, kql_syntax::time::NANOS_PER_MILLI),
        "unixtime_microseconds_todatetime" => datetime::unixtime(a, kql_syntax::time::NANOS_PER_MICRO),
        "unixtime_nanoseconds_todatetime" => datetime::unixtime(a, 1),
        "sign" => math::real_fn(a, |x| {
            Some(if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                x
            })
        }),
        "dayofweek" => datetime::day_of_week(a),
        "hourofday" => datetime::part(a, 0, arrow_arith::temporal::DatePart::Hour),
        "getmonth" => datetime::part(a, 0, arrow_arith::temporal::DatePart::Month),
        "getyear" => datetime::part(a, 0, arrow_arith::temporal::DatePart::Year),
        "datetime_part" => datetime::datetime_part(a),
        "format_datetime" => format::format_datetime(a),
        "abs" => math::abs(a),
        "round" => math::round(a),
        "ceiling" => math::ceiling(a),
        // Kusto: null for a negative argument (NaN stays NaN; log(0) is -infinity).
        "sqrt" => math::real_fn(a, |x| (x >= 0.0 || x.is_nan()).then(|| x.sqrt())),
        "log" => math::real_fn(a, |x| (x >= 0.0 || x.is_nan()).then(|| x.ln())),
        "log10" => math::real_fn(a, |x| (x >= 0.0 || x.is_nan()).then(|| x.log10())),
        "exp" => math::real_fn(a, |x| Some(x.exp())),
        "pow" => math::pow(a),
        "isnan" => math::isnan(a),
        "min_of" => math::min_max_of(a, false),
        "max_of" => math::min_max_of(a, true),
        "ipv4_is_private" => ip::is_private(a),
        "ipv4_is_in_range" => ip::is_in_range(a),
        "ipv4_is_match" => ip::is_match(a),
        "ipv4_is_in_any_range" => ip::is_in_any_range(a),
        "ipv4_compare" => ip::compare(a),
        "ipv4_netmask_suffix" => ip::netmask_suffix(a),
        "parse_ipv4" => ip::parse(a),
        "parse_ipv4_mask" => ip::parse_mask(a),
        "format_ipv4" => ip::format(a, false),
        "format_ipv4_mask" => ip::format(a, true),
        "has_ipv4" | "has_any_ipv4" => ip::has(a, false),
        "has_ipv4_prefix" | "has_any_ipv4_prefix" => ip::has(a, true),
        "parse_ipv6" => ip::parse6(a),
        "ipv6_compare" => ip::compare6(a, false),
        "ipv6_is_match" => ip::compare6(a, true),
        "ipv6_is_in_range" | "ipv6_is_in_any_range" => ip::is_in_range6(a),
        "array_length" | "arraylength" => array::array_length(a),
        _ => Err(ExecError::NotImplemented { what: format!("the function `{name}()`"), span: a.span }),
    }
}
