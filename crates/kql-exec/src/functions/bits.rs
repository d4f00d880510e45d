//! binary_and, binary_or, binary_xor, binary_not, binary_shift_left,
//! binary_shift_right, bitset_count_ones, tohex: integers as bits.

use super::Args;
use crate::columnar::Col;
use crate::error::Result;
use arrow_array::builder::{Int64Builder, StringBuilder};
use kql_syntax::ScalarType;
use std::sync::Arc;

/// The bitwise operations of two longs (int arguments widen).
#[derive(Clone, Copy, Debug)]
pub enum Op {
    And,
    Or,
    Xor,
    /// Shifts count modulo 64, as .NET's `<<` and `>>` on a long do.
    ShiftLeft,
    /// Arithmetic: the sign bit is kept.
    ShiftRight,
}

/// `binary_and(a, b)` & co: null if either is null.
pub fn binary(a: &Args, op: Op) -> Result<Col> {
    let (x, y) = (a.longs(0)?, a.longs(1)?);
    let n = a.rows();
    let mut b = Int64Builder::with_capacity(n);
    for i in 0..n {
        b.append_option(x.get(i).zip(y.get(i)).map(|(x, y)| match op {
            Op::And => x & y,
            Op::Or => x | y,
            Op::Xor => x ^ y,
            Op::ShiftLeft => x.wrapping_shl((y & 63) as u32),
            Op::ShiftRight => x.wrapping_shr((y & 63) as u32),
        }));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `binary_not(a)` (`!a`) or `bitset_count_ones(a)` (its set bits, of a
/// long: an int argument is widened first).
pub fn unary(a: &Args, count_ones: bool) -> Result<Col> {
    let x = a.longs(0)?;
    let n = a.rows();
    let mut b = Int64Builder::with_capacity(n);
    for i in 0..n {
        b.append_option(x.get(i).map(|x| if count_ones { i64::from(x.count_ones()) } else { !x }));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `tohex(value [, minLength])`: lowercase hexadecimal, negative values as
/// two's complement of their own width (an int in 8 digits, a long in 16);
/// zero-padded to minLength, which counts up to 16 (tohex page: tohex(256)
/// is "100", tohex(-256) "ffffffffffffff00", tohex(toint(-256), 8)
/// "ffffff00", tohex(256, 8) "00000100", tohex(256, 2) "100").
pub fn tohex(a: &Args) -> Result<Col> {
    let x = a.longs(0)?;
    let int = a.ty(0) == ScalarType::Int;
    let width = if a.cols.len() > 1 { Some(a.longs(1)?) } else { None };
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        let Some(v) = x.get(i) else {
            b.append_null();
            continue;
        };
        let digits = if int { format!("{:x}", v as i32) } else { format!("{v:x}") };
        let min = match &width {
            None => 0,
            Some(w) => match w.get(i) {
                Some(w) => w.clamp(0, 16) as usize,
                None => {
                    b.append_null();
                    continue;
                }
            },
        };
        b.append_value(format!("{digits:0>min$}"));
    }
    Ok(a.finish(Arc::new(b.finish())))
}
