//! The KQL parser: nom combinators over `&str`, one module per grammar family.
//!
//! Parsers are methods of [`Parser`], which knows the whole source (to turn
//! the remaining input into byte offsets), guards the nesting depth and
//! collects the errors it recovered from. nom errors ([`PError`]) never leave
//! this module: they become [`SyntaxError`]s with spans.
//!
//! Recovery: a statement that fails to parse is skipped up to the next `;`,
//! an operator up to the next `|`, so one query can report several errors.

mod expr;
mod lex;
mod literal;
mod operator;
mod ordered;
pub use operator::{RENDER_KINDS, SUPPORTED_OPERATORS, UNSUPPORTED_OPERATORS};
mod statement;

use crate::ast::{Expr, Placeholder, Script};
use crate::error::SyntaxError;
use crate::span::Span;
use lex::{describe, skip_ws, token_len};
use nom::error::{ErrorKind, ParseError};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;

/// How deeply brackets, sub-queries and operator chains may nest. Keeps the
/// parser, binder and printer (all recursive) far from the stack limit.
pub const MAX_DEPTH: usize = 128;

/// The result of parsing: a tree (with error nodes where recovery happened)
/// and the syntax errors found.
#[derive(Debug)]
pub struct Parsed {
    pub script: Script,
    pub errors: Vec<SyntaxError>,
}

/// Parses a whole query text (statements separated by `;`).
pub fn parse(src: &str) -> Parsed {
    let p = Parser::new(src);
    let script = p.script();
    let mut errors = p.errors.into_inner();
    settle_end_spans(src, &mut errors);
    Parsed { script, errors }
}

/// "Expected …, found end of query" points just after the last token, not
/// past the trailing whitespace and comments: on the line the user was
/// writing, where a report can show it (a label on an empty last line, or
/// beyond the last character of the text, is not drawn by miette).
fn settle_end_spans(src: &str, errors: &mut [SyntaxError]) {
    let code_end = lex::end_of_code(src);
    for e in errors {
        let span = e.span_mut();
        if span.is_empty() && span.start == src.len() {
            *span = Span::at(code_end);
        }
    }
}

/// Parses one scalar expression (e.g. a `--param` value), requiring all input to be used.
pub fn parse_expression(src: &str) -> Result<Expr, Vec<SyntaxError>> {
    let p = Parser::new(src);
    let result = p.expr(src).map(|(rest, e)| (skip_ws(rest), e));
    let mut errors = p.errors.take();
    let result = match result {
        Ok((rest, e)) if rest.is_empty() && errors.is_empty() => Ok(e),
        Ok((rest, _)) => {
            if errors.is_empty() {
                errors.push(p.expected_error(rest, "end of expression"));
            }
            Err(errors)
        }
        Err(e) => {
            errors.push(p.to_syntax_error(e));
            Err(errors)
        }
    };
    result.map_err(|mut errors| {
        settle_end_spans(src, &mut errors);
        errors
    })
}

/// nom's error type inside the parser: the position (as remaining length),
/// what was expected there, or a finished diagnostic.
#[derive(Debug)]
pub(crate) struct PError {
    rest_len: usize,
    expected: Vec<&'static str>,
    custom: Option<Box<SyntaxError>>,
}

impl<'a> ParseError<&'a str> for PError {
    fn from_error_kind(input: &'a str, _kind: ErrorKind) -> Self {
        PError { rest_len: input.len(), expected: Vec::new(), custom: None }
    }

    fn append(_input: &'a str, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(mut self, other: Self) -> Self {
        // A finished diagnostic wins; otherwise the alternative that got furthest.
        match (&self.custom, &other.custom) {
            (Some(_), None) => return self,
            (None, Some(_)) => return other,
            _ => {}
        }
        match self.rest_len.cmp(&other.rest_len) {
            std::cmp::Ordering::Less => self,
            std::cmp::Ordering::Greater => other,
            std::cmp::Ordering::Equal => {
                for e in other.expected {
                    if !self.expected.contains(&e) {
                        self.expected.push(e);
                    }
                }
                self
            }
        }
    }
}

pub(crate) type PResult<'s, T> = nom::IResult<&'s str, T, PError>;

pub(crate) struct Parser<'s> {
    src: &'s str,
    depth: Cell<usize>,
    placeholders: RefCell<Vec<Placeholder>>,
    errors: RefCell<Vec<SyntaxError>>,
    /// Start offsets of the reported errors (one error per place).
    reported_at: RefCell<HashSet<usize>>,
    /// Inside a `search` predicate, where `Column:"term"` is valid.
    in_search: Cell<bool>,
}

/// Decrements the nesting depth when dropped.
pub(crate) struct DepthGuard<'p>(&'p Cell<usize>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

impl<'s> Parser<'s> {
    fn new(src: &'s str) -> Self {
        Parser {
            src,
            depth: Cell::new(0),
            placeholders: RefCell::new(Vec::new()),
            errors: RefCell::new(Vec::new()),
            reported_at: RefCell::new(HashSet::new()),
            in_search: Cell::new(false),
        }
    }

    /// Byte offset of the remaining input `i` in the source.
    pub(crate) fn pos(&self, i: &str) -> usize {
        self.src.len() - i.len()
    }

    /// The span from `start` (an offset) to where `rest` begins.
    pub(crate) fn span_from(&self, start: usize, rest: &str) -> Span {
        Span::new(start, self.pos(rest))
    }

    /// The span of the token at the start of `i`.
    pub(crate) fn token_span(&self, i: &str) -> Span {
        let start = self.pos(i);
        Span::new(start, start + token_len(i))
    }

    /// Enters one nesting level; fails with [`SyntaxError::TooDeep`] past [`MAX_DEPTH`].
    pub(crate) fn enter(&self, i: &'s str) -> Result<DepthGuard<'_>, nom::Err<PError>> {
        let d = self.depth.get() + 1;
        if d > MAX_DEPTH {
            let i = skip_ws(i);
            return Err(self.failure(SyntaxError::TooDeep { limit: MAX_DEPTH, span: self.token_span(i) }));
        }
        self.depth.set(d);
        Ok(DepthGuard(&self.depth))
    }

    /// A recoverable "expected X" error at `i` (after whitespace).
    pub(crate) fn error<T>(&self, i: &'s str, expected: &'static str) -> PResult<'s, T> {
        Err(nom::Err::Error(PError { rest_len: skip_ws(i).len(), expected: vec![expected], custom: None }))
    }

    /// An unrecoverable error with a finished diagnostic (nom's `cut`).
    pub(crate) fn failure(&self, e: SyntaxError) -> nom::Err<PError> {
        nom::Err::Failure(PError {
            rest_len: self.src.len() - e.span().start.min(self.src.len()),
            expected: Vec::new(),
            custom: Some(Box::new(e)),
        })
    }

    /// Turns a backtrackable error into a failure: used once the parser has
    /// committed to a construct (after an operator keyword, after `,`).
    pub(crate) fn cut<T>(&self, r: PResult<'s, T>) -> PResult<'s, T> {
        r.map_err(|e| match e {
            nom::Err::Error(e) => nom::Err::Failure(e),
            other => other,
        })
    }

    /// Commits to a construct that must be present at `i`: a backtrackable
    /// error becomes final. It keeps its own position when that lies
    /// further on (`f(,)` reports the `,`), otherwise it says `what` was
    /// expected at `i`.
    pub(crate) fn require<T>(&self, r: PResult<'s, T>, i: &'s str, what: &'static str) -> PResult<'s, T> {
        match r {
            Err(nom::Err::Error(e)) if e.custom.is_none() && e.rest_len < skip_ws(i).len() => {
                Err(self.failure(self.to_syntax_error(nom::Err::Error(e))))
            }
            Err(nom::Err::Error(_)) => Err(self.failure(self.expected_error(i, what))),
            other => other,
        }
    }

    /// Records a diagnostic and carries on (used by recovery). A second error
    /// at the same place is dropped: recovery can meet the token that caused
    /// the first one again (`T | where ]` reports the `]` once).
    pub(crate) fn report(&self, e: SyntaxError) {
        if self.reported_at.borrow_mut().insert(e.span().start) {
            self.errors.borrow_mut().push(e);
        }
    }

    pub(crate) fn expected_error(&self, i: &str, expected: &str) -> SyntaxError {
        let i = skip_ws(i);
        SyntaxError::Expected {
            expected: expected.to_string(),
            found: describe(i),
            span: self.token_span(i),
            help: None,
        }
    }

    /// Help for text left over after a complete expression: a lone `=`
    /// meant as a comparison, or a comparison chained onto another one
    /// (Kusto's equality, relational and string operators do not chain).
    pub(crate) fn after_expression_help(&self, i: &str) -> Option<String> {
        let r = skip_ws(i);
        for (symbol, word) in [("||", "or"), ("&&", "and")] {
            if r.starts_with(symbol) {
                return Some(format!("KQL has no `{symbol}` operator: combine conditions with `{word}`"));
            }
        }
        if r.starts_with('=') && !r.starts_with("==") && !r.starts_with("=~") && !r.starts_with("=>") {
            return Some("to compare values write `==`; a single `=` only names a column (`Name = expression`)".into());
        }
        let symbol = ["==", "!=", "<>", "<=", ">=", "=~", "!~", "<", ">"].iter().find(|s| r.starts_with(**s));
        let bang = usize::from(r.starts_with('!'));
        let word = lex::word_at(&r[bang..]).map(|w| &r[..bang + w.len()]);
        let is_comparison_word = word.is_some_and(|w| {
            crate::ast::BinaryOp::string_op_from_word(w).is_some()
                || matches!(w, "in" | "!in" | "between" | "!between" | "has_any" | "has_all" | "matches")
        });
        let op = symbol.copied().or(word.filter(|_| is_comparison_word))?;
        Some(format!(
            "comparisons do not chain in KQL: `{op}` cannot follow another comparison at the same level; combine them with `and` or add parentheses"
        ))
    }

    pub(crate) fn to_syntax_error(&self, e: nom::Err<PError>) -> SyntaxError {
        let e = match e {
            nom::Err::Error(e) | nom::Err::Failure(e) => e,
            nom::Err::Incomplete(_) => PError { rest_len: 0, expected: vec![], custom: None },
        };
        if let Some(custom) = e.custom {
            return *custom;
        }
        let rest = &self.src[self.src.len() - e.rest_len.min(self.src.len())..];
        let expected = match e.expected.as_slice() {
            [] => "valid query text".to_string(),
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} or {}", init.join(", "), last),
        };
        self.expected_error(rest, &expected)
    }

    /// Records a workbook placeholder found in a string literal.
    pub(crate) fn add_placeholder(&self, p: Placeholder) {
        self.placeholders.borrow_mut().push(p);
    }
}
