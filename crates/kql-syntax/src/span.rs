//! Byte spans into the query text.

use serde::Serialize;

/// A half-open byte range `start..end` into the text that was parsed.
///
/// Every AST node carries one; diagnostics point at them. Spans never hold a
/// copy of the source: the caller attaches the named source when rendering.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// An empty span at `offset` (e.g. "expected `)` here").
    pub const fn at(offset: usize) -> Self {
        Span { start: offset, end: offset }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// Shifts the span by `delta` bytes (used when a query is embedded in a larger text).
    pub fn shifted(self, delta: usize) -> Span {
        Span { start: self.start + delta, end: self.end + delta }
    }

    /// The text this span covers, if it lies inside `src` on character boundaries.
    pub fn slice(self, src: &str) -> Option<&str> {
        src.get(self.start..self.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        miette::SourceSpan::new(s.start.into(), s.len())
    }
}

/// 1-based line and column (in characters) of a byte offset, as editors count them.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let mut line = 1;
    let mut line_start = 0;
    for (i, b) in src.as_bytes()[..offset].iter().enumerate() {
        if *b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    let col = src.get(line_start..offset).map_or(offset - line_start, |s| s.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let src = "ab\n🌐 x";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        // '🌐' is 4 bytes but one character.
        assert_eq!(line_col(src, 8), (2, 3));
        assert_eq!(line_col(src, 999), (2, 4));
    }

    #[test]
    fn to_covers_both() {
        assert_eq!(Span::new(5, 7).to(Span::new(1, 3)), Span::new(1, 7));
    }
}
