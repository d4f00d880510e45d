//! Element-wise series functions: series_add, series_subtract,
//! series_multiply, series_divide, series_pow, the comparisons
//! series_greater … series_not_equals, and series_abs, series_sign,
//! series_floor, series_ceiling, series_exp, series_log.
//!
//! Their pages share the rules: the two inputs are numeric arrays, or one
//! of them a number (used for every element); "any non-numeric element or
//! non-existing element (arrays of different sizes) yields a null element
//! value", so the result is as long as the longer array; a value that is
//! not an array gives null.

use super::Args;
use super::bags::{dynamic_rows, json_arg};
use crate::columnar::Col;
use crate::error::Result;
use serde_json::{Number, Value as Json};

/// A binary element-wise operation.
#[derive(Clone, Copy, Debug)]
pub enum Binary {
    Add,
    Subtract,
    Multiply,
    /// Always real ("the result series is of double type, even if the
    /// inputs are integers"; 2/0 is +inf there, null here: see [`real`]).
    Divide,
    /// Real, as series_pow's page declares.
    Pow,
    Greater,
    GreaterEquals,
    Less,
    LessEquals,
    Equals,
    NotEquals,
}

/// A unary element-wise operation.
#[derive(Clone, Copy, Debug)]
pub enum Unary {
    Abs,
    Sign,
    Floor,
    Ceiling,
    Exp,
    Log,
}

/// A JSON number as an integer or a real; anything else is not numeric.
#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Real(f64),
}

impl Num {
    fn of(j: &Json) -> Option<Num> {
        match j {
            Json::Number(n) => n.as_i64().map(Num::Int).or_else(|| n.as_f64().map(Num::Real)),
            _ => None,
        }
    }
    fn real(self) -> f64 {
        match self {
            Num::Int(v) => v as f64,
            Num::Real(v) => v,
        }
    }
}

/// A real element: JSON has no NaN or infinities, so those are null, as
/// everywhere ntaq builds a dynamic value (`crate::dynamic::value_json`).
fn real(x: f64) -> Json {
    Number::from_f64(x).map_or(Json::Null, Json::Number)
}

fn apply(op: Binary, a: Num, b: Num) -> Json {
    use Binary as B;
    let int = |f: fn(i64, i64) -> i64, g: fn(f64, f64) -> f64| match (a, b) {
        (Num::Int(x), Num::Int(y)) => Json::from(f(x, y)),
        _ => real(g(a.real(), b.real())),
    };
    let cmp = |f: fn(f64, f64) -> bool| Json::Bool(f(a.real(), b.real()));
    match op {
        B::Add => int(i64::wrapping_add, |x, y| x + y),
        B::Subtract => int(i64::wrapping_sub, |x, y| x - y),
        B::Multiply => int(i64::wrapping_mul, |x, y| x * y),
        B::Divide => real(a.real() / b.real()),
        B::Pow => real(a.real().powf(b.real())),
        B::Greater => cmp(|x, y| x > y),
        B::GreaterEquals => cmp(|x, y| x >= y),
        B::Less => cmp(|x, y| x < y),
        B::LessEquals => cmp(|x, y| x <= y),
        B::Equals => cmp(|x, y| x == y),
        B::NotEquals => cmp(|x, y| x != y),
    }
}

/// One operand of a row: an array's elements, or one number for all.
enum Operand<'j> {
    Array(&'j [Json]),
    Number(Option<Num>),
}

impl Operand<'_> {
    fn at(&self, i: usize) -> Option<Num> {
        match self {
            Operand::Array(items) => items.get(i).and_then(Num::of),
            Operand::Number(n) => *n,
        }
    }
    fn len(&self) -> Option<usize> {
        match self {
            Operand::Array(items) => Some(items.len()),
            Operand::Number(_) => None,
        }
    }
}

fn operand(j: &Json) -> Option<Operand<'_>> {
    match j {
        Json::Array(items) => Some(Operand::Array(items)),
        Json::Number(_) => Some(Operand::Number(Num::of(j))),
        _ => None,
    }
}

/// `series_add(s1, s2)` & co.
pub fn binary(a: &Args, op: Binary) -> Result<Col> {
    let (x, y) = (json_arg(a, 0)?, json_arg(a, 1)?);
    Ok(dynamic_rows(a, |r| {
        let (x, y) = (operand(x.get(r))?, operand(y.get(r))?);
        let n = x.len().max(y.len())?;
        let out = (0..n)
            .map(|i| match (x.at(i), y.at(i)) {
                (Some(p), Some(q)) => apply(op, p, q),
                _ => Json::Null,
            })
            .collect();
        Some(Json::Array(out))
    }))
}

/// `series_abs(s)` & co: abs, sign, floor and ceiling keep integers
/// integers; exp and log are real (log of a negative number is null, as
/// `log` is).
pub fn unary(a: &Args, op: Unary) -> Result<Col> {
    let x = json_arg(a, 0)?;
    Ok(dynamic_rows(a, |r| {
        let Json::Array(items) = x.get(r) else { return None };
        let out = items
            .iter()
            .map(|item| match (Num::of(item), op) {
                (None, _) => Json::Null,
                (Some(Num::Int(v)), Unary::Abs) => v.checked_abs().map_or(Json::Null, Json::from),
                (Some(Num::Int(v)), Unary::Sign) => Json::from(v.signum()),
                (Some(Num::Int(v)), Unary::Floor | Unary::Ceiling) => Json::from(v),
                (Some(n), Unary::Abs) => real(n.real().abs()),
                (Some(n), Unary::Sign) => real(if n.real() == 0.0 { 0.0 } else { n.real().signum() }),
                (Some(n), Unary::Floor) => real(n.real().floor()),
                (Some(n), Unary::Ceiling) => real(n.real().ceil()),
                (Some(n), Unary::Exp) => real(n.real().exp()),
                (Some(n), Unary::Log) if n.real() < 0.0 => Json::Null,
                (Some(n), Unary::Log) => real(n.real().ln()),
            })
            .collect();
        Some(Json::Array(out))
    }))
}
