//! Tables for people: the `table` format (a boxed grid) and `markdown` (a
//! GitHub pipe table), drawn by our own renderer so that widths are
//! terminal columns ([`super::width`]), numbers are right-aligned and the
//! table fits a width.
//!
//! Only the rows shown are kept, formatted (control characters shown as
//! escapes), and the rest are counted. The table is written when the sink
//! finishes (column widths depend on every shown row), followed by
//! `… N more rows` when rows were left out, or `(0 rows)` under the header
//! of an empty result.
//!
//! **Fitting** (table format, `max_width` > 0): a table wider than
//! `max_width` gets narrower columns. Every column may shrink to its
//! *minimum* — its natural width, at most the widest of 6 columns, its name
//! (at most 12) and what its longest last path segment needs after a `…`
//! (at most 40) — and the room there is is shared fairly: columns narrower
//! than the fair share keep their natural width, the wider ones get the same
//! width (a threshold), and cells are cut with [`cut_cell`] (the tail kept
//! first), names with [`cut_start`]. When not even the minimums fit, the
//! first column, the last (often a count) and the others from the left while
//! they fit are shown, a 1-column `…` stands for those left out, and a line
//! under the table names them. Markdown is never cut: it is meant to be
//! pasted.

use super::chart::terminal::TextChartState;
use super::dest::{Errors, Output};
use super::error::OutputError;
use super::kusto::Layout;
use super::text::{compact_json, text_column};
use super::width::{cut_cell, cut_start, display_width, tail_width, visible};
use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use kql_types::ScalarType;
use std::io::Write;

/// How the grid is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `+---+` rules and `|` bars, fitted to the width.
    Table,
    /// A GitHub pipe table: `|` in cells escaped, never cut.
    Markdown,
}

/// The narrowest a fitted column gets (unless naturally narrower).
const MIN_COLUMN: usize = 6;
/// The most a column's path tails may ask for.
const MAX_TAIL: usize = 40;
/// The most of its name a column asks for.
const MIN_HEADER: usize = 12;

/// Numbers are right-aligned.
pub(crate) fn is_number(kind: ScalarType) -> bool {
    matches!(kind, ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal)
}

/// The Kusto text of the rows of one prepared column: one line each
/// (control characters escaped, dynamic JSON on one line); nulls are empty.
pub(crate) fn cell_texts(kind: ScalarType, column: &dyn Array, errors: &Errors) -> Result<Vec<String>, OutputError> {
    let text = text_column(kind, column).map_err(|e| errors.arrow(e))?;
    let text = text.as_string::<i32>();
    Ok((0..text.len())
        .map(|i| {
            let cell = if text.is_null(i) { "" } else { text.value(i) };
            let cell = if kind == ScalarType::Dynamic { compact_json(cell) } else { cell.into() };
            visible(&cell).into_owned()
        })
        .collect())
}

pub(crate) struct TableSink {
    out: Output,
    layout: Layout,
    errors: Errors,
    style: Style,
    max_rows: usize,
    max_width: usize,
    show_types: bool,
    /// The shown cells, column by column, whole.
    cells: Vec<Vec<String>>,
    shown: usize,
    total: u64,
    /// The text chart above the table of a `render` query.
    chart: Option<TextChartState>,
}

impl TableSink {
    pub fn new(
        out: Output,
        layout: Layout,
        style: Style,
        max_rows: usize,
        max_width: usize,
        show_types: bool,
    ) -> TableSink {
        let errors = out.errors().clone();
        let cells = vec![Vec::new(); layout.kinds.len()];
        let (max_width, show_types) = match style {
            Style::Table => (max_width, show_types),
            Style::Markdown => (0, false),
        };
        TableSink {
            out,
            layout,
            errors,
            style,
            max_rows,
            max_width,
            show_types,
            cells,
            shown: 0,
            total: 0,
            chart: None,
        }
    }

    /// Draws a text chart of every row above the table.
    pub fn with_chart(mut self, chart: TextChartState) -> TableSink {
        self.chart = Some(chart);
        self
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), OutputError> {
        if let Some(chart) = &mut self.chart {
            let all = self.layout.prepare(batch, &self.errors.target)?;
            chart.push(&all).map_err(|e| self.errors.arrow(e))?;
        }
        let take = batch.num_rows().min(self.max_rows - self.shown);
        // Prepare (and so check) even an empty slice; format only what is shown.
        let part = self.layout.prepare(&batch.slice(0, take), &self.errors.target)?;
        for ((cells, column), kind) in self.cells.iter_mut().zip(part.columns()).zip(&self.layout.kinds) {
            let texts = cell_texts(*kind, column.as_ref(), &self.errors)?;
            match self.style {
                Style::Table => cells.extend(texts),
                Style::Markdown => cells.extend(texts.into_iter().map(|t| escape_pipes(&t))),
            }
        }
        self.shown += take;
        self.total += batch.num_rows() as u64;
        Ok(())
    }

    /// Renders the table; returns the output, the total and the shown rows.
    pub fn finish(mut self) -> Result<(Output, u64, u64), OutputError> {
        let headers: Vec<Vec<String>> = self
            .layout
            .schema
            .fields()
            .iter()
            .zip(&self.layout.kinds)
            .map(|(f, kind)| {
                let name = match self.style {
                    Style::Table => visible(f.name()).into_owned(),
                    Style::Markdown => escape_pipes(&visible(f.name())),
                };
                if self.show_types { vec![name, kind.to_string()] } else { vec![name] }
            })
            .collect();
        let right: Vec<bool> = self.layout.kinds.iter().map(|k| is_number(*k)).collect();
        let grid = Grid { headers: &headers, cells: &self.cells, rows: self.shown, right: &right };
        let text = match self.style {
            Style::Table => grid.table(self.max_width),
            Style::Markdown => grid.markdown(),
        };
        let hidden = self.total - self.shown as u64;
        let chart = self.chart.as_ref().map(TextChartState::render).unwrap_or_default();
        let result = (|| {
            self.out.write_all(chart.as_bytes())?;
            self.out.write_all(text.as_bytes())?;
            match hidden {
                0 if self.total == 0 => writeln!(self.out, "(0 rows)"),
                0 => Ok(()),
                1 => writeln!(self.out, "… 1 more row"),
                n => writeln!(self.out, "… {n} more rows"),
            }
        })();
        result.map_err(|e| self.errors.io(e))?;
        Ok((self.out, self.total, self.shown as u64))
    }
}

/// `|` in a Markdown cell is `\|`.
fn escape_pipes(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `text` padded with spaces to `width` columns, on the left when `right`.
fn pad(out: &mut String, text: &str, width: usize, right: bool) {
    let gap = width.saturating_sub(display_width(text));
    if right {
        out.extend(std::iter::repeat_n(' ', gap));
        out.push_str(text);
    } else {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', gap));
    }
}

/// The cells of a table, column by column.
struct Grid<'a> {
    /// Each column's header lines (its name, and its type).
    headers: &'a [Vec<String>],
    cells: &'a [Vec<String>],
    rows: usize,
    right: &'a [bool],
}

impl Grid<'_> {
    fn natural(&self, minimum_width: usize) -> Vec<usize> {
        self.headers
            .iter()
            .zip(self.cells)
            .map(|(h, c)| h.iter().chain(c).map(|t| display_width(t)).max().unwrap_or(0).max(minimum_width))
            .collect()
    }

    /// The boxed table, fitted to `max_width` columns (0 = never cut).
    fn table(&self, max_width: usize) -> String {
        let natural = self.natural(0);
        let minimum: Vec<usize> = natural
            .iter()
            .zip(self.cells)
            .zip(self.headers)
            .map(|((&n, cells), header)| {
                let tail = cells.iter().map(|c| tail_width(c)).max().unwrap_or(0).min(MAX_TAIL);
                let name = header.iter().map(|h| display_width(h)).max().unwrap_or(0).min(MIN_HEADER);
                n.min(MIN_COLUMN.max(tail).max(name))
            })
            .collect();
        let widths = fit_widths(&natural, &minimum, max_width);
        // What is drawn: each shown column, and a `…` column for each run of left-out ones.
        let mut drawn: Vec<(Option<usize>, usize)> = Vec::new();
        for (c, w) in widths.iter().enumerate() {
            match w {
                Some(w) => drawn.push((Some(c), *w)),
                None if matches!(drawn.last(), Some((None, _))) => {}
                None => drawn.push((None, 1)),
            }
        }
        let rule: String = {
            let mut s = String::from("+");
            for (_, w) in &drawn {
                s.extend(std::iter::repeat_n('-', w + 2));
                s.push('+');
            }
            s.push('\n');
            s
        };
        let line = |out: &mut String, cell: &dyn Fn(usize, usize) -> String| {
            out.push('|');
            for &(c, w) in &drawn {
                out.push(' ');
                match c {
                    Some(c) => pad(out, &cell(c, w), w, self.right[c]),
                    None => out.push('…'),
                }
                out.push_str(" |");
            }
            out.push('\n');
        };
        let mut out = String::new();
        out.push_str(&rule);
        let header_lines = self.headers.first().map_or(1, Vec::len);
        for k in 0..header_lines {
            line(&mut out, &|c, w| cut_start(self.headers[c].get(k).map_or("", String::as_str), w).into_owned());
        }
        out.push_str(&rule);
        for row in 0..self.rows {
            line(&mut out, &|c, w| cut_cell(&self.cells[c][row], w).into_owned());
        }
        out.push_str(&rule);
        let left_out: Vec<&str> =
            widths.iter().zip(self.headers).filter(|(w, _)| w.is_none()).map(|(_, h)| h[0].as_str()).collect();
        if !left_out.is_empty() {
            let what = if left_out.len() == 1 { "column" } else { "columns" };
            let note = format!("… {} more {what}: {}; the line format shows all", left_out.len(), left_out.join(", "));
            out.push_str(&cut_start(&note, max_width));
            out.push('\n');
        }
        out
    }

    /// A GitHub pipe table, every cell whole; at least 3 dashes per column.
    fn markdown(&self) -> String {
        let widths = self.natural(3);
        let mut out = String::new();
        let line = |out: &mut String, cell: &dyn Fn(usize) -> String| {
            out.push('|');
            for (c, &w) in widths.iter().enumerate() {
                out.push(' ');
                pad(out, &cell(c), w, self.right[c]);
                out.push_str(" |");
            }
            out.push('\n');
        };
        line(&mut out, &|c| self.headers[c][0].clone());
        out.push('|');
        for (c, &w) in widths.iter().enumerate() {
            if self.right[c] {
                out.extend(std::iter::repeat_n('-', w + 1));
                out.push(':');
            } else {
                out.extend(std::iter::repeat_n('-', w + 2));
            }
            out.push('|');
        }
        out.push('\n');
        for row in 0..self.rows {
            line(&mut out, &|c| self.cells[c][row].clone());
        }
        out
    }
}

/// Column widths for a boxed table at most `limit` columns wide (0 = no
/// limit), `None` for a column left out.
///
/// The natural widths if they fit. Else every column that fits at its
/// minimum: all of them, or the first, the last (often a count) and the
/// leftmost others that fit, with a 1-column `…` for those left out; the room is shared fairly — each gets its
/// natural width or a common threshold, whichever is less (never below its
/// minimum), and what the threshold leaves goes one column at a time to the
/// leftmost cut columns.
pub(crate) fn fit_widths(natural: &[usize], minimum: &[usize], limit: usize) -> Vec<Option<usize>> {
    let n = natural.len();
    let frame = |k: usize| 3 * k + 1;
    if limit == 0 || natural.iter().sum::<usize>() + frame(n) <= limit {
        return natural.iter().map(|&w| Some(w)).collect();
    }
    let mut shown = vec![true; n];
    let mut extra = 0; // the `…` column
    if minimum.iter().sum::<usize>() + frame(n) > limit {
        shown = vec![false; n];
        extra = 4;
        // The first column, the last, then the others from the left while they fit.
        let last = n - 1;
        let mut used = frame(0) + extra;
        for k in std::iter::once(0).chain((last > 0).then_some(last)).chain(1..last) {
            if used + minimum[k] + 3 > limit {
                if k == 0 || k == last {
                    continue;
                }
                break;
            }
            shown[k] = true;
            used += minimum[k] + 3;
        }
        if !shown.iter().any(|&s| s) {
            // Not even one column fits at its minimum: the first, as narrow as the width allows.
            let mut widths = vec![None; n];
            widths[0] = Some(limit.saturating_sub(frame(1) + extra).max(1));
            return widths;
        }
    }
    let count = shown.iter().filter(|&&s| s).count();
    let room = limit - frame(count) - extra;
    let at = |t: usize| -> Vec<Option<usize>> {
        (0..n).map(|i| shown[i].then(|| natural[i].min(minimum[i].max(t)))).collect()
    };
    let total = |w: &[Option<usize>]| w.iter().flatten().sum::<usize>();
    let (mut low, mut high) = (0, natural.iter().copied().max().unwrap_or(0));
    // The largest threshold whose widths fit (the minimums, at 0, do).
    while low < high {
        let mid = (low + high).div_ceil(2);
        if total(&at(mid)) <= room {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let mut widths = at(low);
    let mut left = room - total(&widths);
    for (w, &nat) in widths.iter_mut().zip(natural) {
        if left == 0 {
            break;
        }
        if let Some(w) = w.as_mut().filter(|w| **w < nat) {
            *w += 1;
            left -= 1;
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::fit_widths;

    fn some(w: &[usize]) -> Vec<Option<usize>> {
        w.iter().map(|&w| Some(w)).collect()
    }

    #[test]
    fn natural_widths_when_they_fit() {
        // 3 + 4 + 5 and the frame (3 per column + 1) = 22.
        assert_eq!(fit_widths(&[3, 4, 5], &[3, 4, 5], 22), some(&[3, 4, 5]));
        assert_eq!(fit_widths(&[3, 4, 50], &[3, 4, 6], 0), some(&[3, 4, 50]));
    }

    #[test]
    fn narrow_columns_keep_their_width_and_wide_ones_share() {
        // 40 - 13 of frame = 27 columns of room: 3 and 4 stay, 60 and 30 share 20.
        assert_eq!(fit_widths(&[3, 60, 4, 30], &[3, 6, 4, 6], 40), some(&[3, 10, 4, 10]));
        // 41: the extra column goes to the leftmost cut one.
        assert_eq!(fit_widths(&[3, 60, 4, 30], &[3, 6, 4, 6], 41), some(&[3, 11, 4, 10]));
        // A column below the threshold keeps its natural width: 34 of room, 15 + 12 with 12 < 15.
        assert_eq!(fit_widths(&[3, 60, 4, 12], &[3, 6, 4, 6], 47), some(&[3, 15, 4, 12]));
        // Minimums hold: the path column keeps 26.
        assert_eq!(fit_widths(&[80, 80], &[26, 6], 40), some(&[26, 7]));
    }

    #[test]
    fn columns_that_do_not_fit_are_left_out_but_the_last() {
        // 1 + 4 (the `…` column) + (3+6) for the last + (3+26) for the first = 43 <= 45;
        // the second (3+6) would need 52. Room 45 - 7 - 4 = 34: 26 + 8.
        assert_eq!(fit_widths(&[80, 80, 80], &[26, 6, 6], 45), vec![Some(26), None, Some(8)]);
        // The middle ones go, the leftmost stay while they fit.
        assert_eq!(fit_widths(&[9, 9, 9, 9, 5], &[9, 9, 9, 9, 5], 40), vec![Some(9), Some(9), None, None, Some(5)]);
        // The first column comes before the last: 20 - 4 - 4 = 12 for it.
        assert_eq!(fit_widths(&[80, 9], &[6, 9], 20), vec![Some(12), None]);
    }
}
