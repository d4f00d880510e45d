//! Kusto's `decimal` as ntaq holds it: an `i128` count of 10^-18 units
//! (Arrow's Decimal128(38, 18)), so up to 20 integer and 18 fraction digits.
//!
//! Kusto's decimal is a 128-bit decimal with 28–29 significant digits and a
//! scale of up to 28, so not every Kusto decimal fits here, and results
//! that need more than 18 fraction digits (`decimal(1) / 3`) cannot be
//! given exactly. Every operation here is exact or says why it is not
//! ([`Inexact`]), so the executor can report it instead of returning a
//! rounded value Kusto would not.

/// Fraction digits of the representation.
pub const SCALE: u32 = 18;
/// Total digits of the representation (Arrow's Decimal128 precision).
pub const PRECISION: u8 = 38;

const ONE: i128 = 10i128.pow(SCALE);
/// The largest magnitude Decimal128(38, _) holds.
const MAX: i128 = 10i128.pow(PRECISION as u32) - 1;

/// Why a decimal value or result cannot be represented exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inexact {
    /// More than 18 fraction digits.
    Digits,
    /// A real with more significant digits than .NET's conversion to
    /// decimal keeps (15), whose rounding Kusto does not document.
    RealDigits,
    /// 10^20 or more: beyond 38 digits in all.
    Range,
    /// A form whose Kusto result is not documented (division by zero, a
    /// remainder of negative operands).
    Undocumented,
}

impl Inexact {
    /// What could not be done, for a message.
    pub fn describe(self) -> &'static str {
        match self {
            Inexact::Digits => "a decimal with more than 18 fraction digits",
            Inexact::RealDigits => "a real of more than 15 significant digits as a decimal",
            Inexact::Range => "a decimal of 10^20 or more (more than 20 integer digits)",
            Inexact::Undocumented => "this decimal operation (its Kusto result is not documented)",
        }
    }
}

fn fit(v: i128) -> Result<i128, Inexact> {
    if v.checked_abs().is_some_and(|a| a <= MAX) { Ok(v) } else { Err(Inexact::Range) }
}

/// Decimal text (`1.5`, `-2`, `1e5`, `.5`, `1.25E-3`) as a raw value.
/// `Ok(None)` for text that is not a number (surrounding spaces allowed).
pub fn parse(text: &str) -> Result<Option<i128>, Inexact> {
    let t = text.trim();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => match t[i + 1..].parse::<i32>() {
            Ok(e) => (&t[..i], e),
            Err(_) => return Ok(None),
        },
        None => (t, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    // value = digits × 10^(exponent − |frac|); raw = value × 10^18.
    let mut shift = i64::from(exponent) - frac.len() as i64 + i64::from(SCALE);
    let mut digits = digits.to_string();
    while shift < 0 && digits.ends_with('0') {
        digits.pop();
        shift += 1;
    }
    if digits.is_empty() {
        return Ok(Some(0));
    }
    if shift < 0 {
        return Err(Inexact::Digits);
    }
    if digits.len() as i64 + shift > i64::from(PRECISION) {
        return Err(Inexact::Range);
    }
    let m: i128 = digits.parse().map_err(|_| Inexact::Range)?;
    let v = fit(m.checked_mul(10i128.pow(shift as u32)).ok_or(Inexact::Range)?)?;
    Ok(Some(if neg { -v } else { v }))
}

/// A raw value as text, without trailing fraction zeros: `1.5`, `100`, `-0.25`.
pub fn text(v: i128) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let one = ONE as u128;
    let (int, frac) = (a / one, a % one);
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:018}");
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

/// A whole number as a raw value.
pub fn from_i64(v: i64) -> i128 {
    i128::from(v) * ONE
}

/// A real as a decimal. .NET's conversion of a double to decimal keeps 15
/// significant digits; a real whose shortest text has at most 15 is
/// converted exactly from that text, others are [`Inexact::RealDigits`]
/// (the rounding Kusto applies is not documented). NaN and infinities are null.
pub fn from_f64(x: f64) -> Result<Option<i128>, Inexact> {
    if !x.is_finite() {
        return Ok(None);
    }
    let t = format!("{:e}", x);
    let mantissa = t.split(['e', 'E']).next().unwrap_or("");
    let significant = mantissa.bytes().filter(u8::is_ascii_digit).count();
    if significant > 15 {
        return Err(Inexact::RealDigits);
    }
    parse(&t)
}

/// A raw value as a real (the nearest double).
pub fn to_f64(v: i128) -> f64 {
    text(v).parse().unwrap_or(f64::NAN)
}

/// `a + b`.
pub fn add(a: i128, b: i128) -> Result<i128, Inexact> {
    fit(a.checked_add(b).ok_or(Inexact::Range)?)
}

/// `a - b`.
pub fn sub(a: i128, b: i128) -> Result<i128, Inexact> {
    fit(a.checked_sub(b).ok_or(Inexact::Range)?)
}

/// Splits off factors of ten: `v = m × 10^k`.
fn strip_tens(mut v: i128) -> (i128, u32) {
    let mut k = 0;
    while v != 0 && v % 10 == 0 {
        v /= 10;
        k += 1;
    }
    (v, k)
}

/// `a × b`, exact.
pub fn mul(a: i128, b: i128) -> Result<i128, Inexact> {
    if a == 0 || b == 0 {
        return Ok(0);
    }
    // a·b/10^18 = ma·mb·10^(ka+kb−18).
    let (ma, ka) = strip_tens(a);
    let (mb, kb) = strip_tens(b);
    let m = ma.checked_mul(mb).ok_or(Inexact::Range)?;
    let k = i64::from(ka + kb) - i64::from(SCALE);
    if k >= 0 {
        let p = 10i128.checked_pow(k as u32).ok_or(Inexact::Range)?;
        fit(m.checked_mul(p).ok_or(Inexact::Range)?)
    } else {
        let p = 10i128.checked_pow((-k) as u32).ok_or(Inexact::Digits)?;
        if m % p == 0 { fit(m / p) } else { Err(Inexact::Digits) }
    }
}

/// `a / b`, exact; division by zero is [`Inexact::Undocumented`].
pub fn div(a: i128, b: i128) -> Result<i128, Inexact> {
    if b == 0 {
        return Err(Inexact::Undocumented);
    }
    let neg = (a < 0) != (b < 0);
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    let mut q = a / b;
    let mut r = a % b;
    // Long division, one fraction digit at a time.
    for _ in 0..SCALE {
        let r10 = r.checked_mul(10).ok_or(Inexact::Range)?;
        q = q.checked_mul(10).ok_or(Inexact::Range)?.checked_add(r10 / b).ok_or(Inexact::Range)?;
        r = r10 % b;
    }
    if r != 0 {
        return Err(Inexact::Digits);
    }
    let q = i128::try_from(q).map_err(|_| Inexact::Range)?;
    fit(if neg { -q } else { q })
}

/// `a % b` for non-negative operands (both at the same scale, so exact);
/// a negative operand or a zero divisor is [`Inexact::Undocumented`].
pub fn rem(a: i128, b: i128) -> Result<i128, Inexact> {
    if a < 0 || b <= 0 {
        return Err(Inexact::Undocumented);
    }
    Ok(a % b)
}

/// The mean of values summing to `sum` over `count` rows.
pub fn mean(sum: i128, count: i64) -> Result<i128, Inexact> {
    div(sum, from_i64(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> i128 {
        parse(s).unwrap().unwrap()
    }

    #[test]
    fn parses_the_decimal_page_forms() {
        // learn.microsoft.com/kusto/query/scalar-data-types/decimal:
        // decimal(1.0), decimal(1e5) is 100,000.
        assert_eq!(d("1.0"), ONE);
        assert_eq!(d("1e5"), 100_000 * ONE);
        assert_eq!(d("123.45678"), 123_456_780_000_000_000_000);
        assert_eq!(d("-.5"), -ONE / 2);
        assert_eq!(d("1.25E-3"), 1_250_000_000_000_000);
        assert_eq!(d(" 7 "), 7 * ONE);
        assert_eq!(parse("abc"), Ok(None));
        assert_eq!(parse("1e"), Ok(None));
        assert_eq!(parse("."), Ok(None));
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("0.0000000000000000001"), Err(Inexact::Digits));
        assert_eq!(d("0.0000000000000000010"), 1);
        assert_eq!(parse("123456789012345678901"), Err(Inexact::Range));
        assert_eq!(d("99999999999999999999.999999999999999999"), MAX);
    }

    #[test]
    fn text_trims_fraction_zeros() {
        assert_eq!(text(d("1.50")), "1.5");
        assert_eq!(text(d("100")), "100");
        assert_eq!(text(d("-0.25")), "-0.25");
        assert_eq!(text(0), "0");
        assert_eq!(text(MAX), "99999999999999999999.999999999999999999");
    }

    #[test]
    fn arithmetic_is_exact_or_says_so() {
        assert_eq!(add(d("1.5"), d("2.25")), Ok(d("3.75")));
        assert_eq!(sub(d("1.5"), d("2.25")), Ok(d("-0.75")));
        assert_eq!(mul(d("1.5"), d("2")), Ok(d("3")));
        assert_eq!(mul(d("0.1"), d("0.1")), Ok(d("0.01")));
        assert_eq!(mul(d("60000000000000000000"), d("-2")), Err(Inexact::Range));
        assert_eq!(mul(d("0.000000001"), d("0.0000000001")), Err(Inexact::Digits));
        assert_eq!(div(d("1"), d("4")), Ok(d("0.25")));
        assert_eq!(div(d("-7.5"), d("2.5")), Ok(d("-3")));
        assert_eq!(div(d("1"), d("3")), Err(Inexact::Digits));
        assert_eq!(div(d("1"), 0), Err(Inexact::Undocumented));
        assert_eq!(rem(d("7.5"), d("2")), Ok(d("1.5")));
        assert_eq!(rem(d("-7.5"), d("2")), Err(Inexact::Undocumented));
        assert_eq!(add(MAX, d("0.000000000000000001")), Err(Inexact::Range));
        assert_eq!(mean(d("7"), 2), Ok(d("3.5")));
    }

    #[test]
    fn reals_convert_within_fifteen_digits() {
        assert_eq!(from_f64(0.1), Ok(Some(d("0.1"))));
        assert_eq!(from_f64(1e5), Ok(Some(d("100000"))));
        assert_eq!(from_f64(-2.5), Ok(Some(d("-2.5"))));
        assert_eq!(from_f64(0.1 + 0.2), Err(Inexact::RealDigits));
        assert_eq!(from_f64(f64::NAN), Ok(None));
        assert_eq!(to_f64(d("1.25")), 1.25);
    }
}
