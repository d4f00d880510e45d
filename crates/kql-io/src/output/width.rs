//! How wide text is on a terminal, and cutting cells to a width.
//!
//! Widths are counted in terminal columns, a *cluster* at a time: a
//! character with the marks, variation selectors, skin-tone modifiers and
//! zero-width-joined characters that follow it, drawn as one symbol.
//! A character's own width comes from `unicode-width` (East Asian wide and
//! emoji are 2, combining marks 0); a cluster with the emoji variation
//! selector U+FE0F is 2 wide whatever its base (🖥 alone is 1 column in
//! Unicode's tables, but terminals draw 🖥️ = U+1F5A5 U+FE0F in 2), one with
//! the text selector U+FE0E is 1 wide, and a pair of regional indicators (a
//! flag) is 2.
//!
//! Cells are cut with `…` keeping their *tail* first: an Azure resource ID or
//! a subnet path ends with the name that matters, so its last path segment
//! stays whole, then as much of the start as fits
//! (`/subscriptions/c00c…/virtualNetworks/vnet-prod-app-westeurope`). Text
//! without a path keeps its start (`flows from 10.0…`).

use std::borrow::Cow;
use unicode_width::UnicodeWidthChar;

/// Characters drawn together with the character before them.
fn extends_previous(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'     // combining diacritical marks
        | '\u{200D}'                // zero-width joiner
        | '\u{20D0}'..='\u{20FF}'   // combining marks for symbols (keycap ⃣)
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors (🖥️ = 🖥 + U+FE0F)
        | '\u{1F3FB}'..='\u{1F3FF}' // skin-tone modifiers
        | '\u{E0020}'..='\u{E007F}' // tag characters (flag sequences)
    ) || (c.width() == Some(0) && !c.is_control())
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// The clusters of `text` as (byte offset, byte length, columns).
fn clusters(text: &str) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, base)) = chars.next() {
        let mut end = start + base.len_utf8();
        let mut width = base.width().unwrap_or(0);
        let mut joined = false;
        let mut flag = is_regional_indicator(base);
        while let Some(&(i, c)) = chars.peek() {
            let takes = joined || extends_previous(c) || (flag && is_regional_indicator(c));
            if !takes {
                break;
            }
            if flag && is_regional_indicator(c) {
                width = 2;
                flag = false;
            }
            match c {
                '\u{FE0F}' if width > 0 => width = 2,
                '\u{FE0F}' => width = 1,
                '\u{FE0E}' => width = width.min(1),
                _ => {}
            }
            joined = c == '\u{200D}';
            end = i + c.len_utf8();
            chars.next();
        }
        out.push((start, end - start, width));
    }
    out
}

/// The columns `text` takes on a terminal.
pub fn display_width(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    clusters(text).iter().map(|c| c.2).sum()
}

/// Control characters made visible (`\n`, `\t`, `\u{1b}`) so that a cell
/// stays on one line.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.contains(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut s = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            s.extend(c.escape_default());
        } else {
            s.push(c);
        }
    }
    Cow::Owned(s)
}

/// The longest start of `text` at most `width` columns wide, whole clusters only.
fn start_within(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (start, _, w) in clusters(text) {
        if used + w > width {
            return &text[..start];
        }
        used += w;
    }
    text
}

/// The longest end of `text` at most `width` columns wide, whole clusters only.
fn end_within(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (start, len, w) in clusters(text).into_iter().rev() {
        if used + w > width {
            return &text[start + len..];
        }
        used += w;
    }
    text
}

/// `text` cut to `width` columns keeping its start: `flows from 10.0…`.
/// 0 = no limit.
pub fn cut_start(text: &str, width: usize) -> Cow<'_, str> {
    if width == 0 || display_width(text) <= width {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("{}…", start_within(text, width - 1)))
}

/// The last path segment of `text` with the `/` before it
/// (`/vnet-prod-app-westeurope`), if the text is a path; a trailing `/`
/// stays with its segment.
fn last_segment(text: &str) -> Option<usize> {
    let body = text.strip_suffix('/').unwrap_or(text);
    let slash = body.rfind('/')?;
    (slash + 1 < body.len()).then_some(slash)
}

/// The columns a cell needs to show its last path segment whole after a
/// `…` (0 for text that is not a path).
pub fn tail_width(text: &str) -> usize {
    match last_segment(text) {
        Some(k) if display_width(text) > 1 => display_width(&text[k..]) + 1,
        _ => 0,
    }
}

/// A cell cut to `width` columns (0 = no limit), keeping its tail first.
///
/// A path keeps its last segment whole; of the room left, up to half goes
/// to whole segments before it and the rest to the start:
/// `/subscriptions/c00c…/virtualNetworks/vnet-prod-app-westeurope`, or
/// `…/vnet-prod-app-westeurope` when only the last segment fits. When even
/// that does not fit, the end of the last segment is kept
/// (`…app-westeurope`). Text that is not a path keeps its start.
pub fn cut_cell(text: &str, width: usize) -> Cow<'_, str> {
    if width == 0 || display_width(text) <= width {
        return Cow::Borrowed(text);
    }
    let Some(last) = last_segment(text) else {
        return cut_start(text, width);
    };
    let room = width - 1; // for the `…`
    let last_width = display_width(&text[last..]);
    if last_width > room {
        return Cow::Owned(format!("…{}", end_within(&text[last..], room)));
    }
    // Whole segments before the last, while they take at most half of what is left.
    let budget = (room - last_width) / 2;
    let mut tail = last;
    let mut tail_width = last_width;
    while let Some(slash) = text[..tail].rfind('/') {
        let w = display_width(&text[slash..tail]);
        if tail_width - last_width + w > budget {
            break;
        }
        tail = slash;
        tail_width += w;
    }
    let start = start_within(&text[..tail], room - tail_width);
    Cow::Owned(format!("{start}…{}", &text[tail..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_of_emoji_and_wide_characters() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("é"), 1);
        assert_eq!(display_width("e\u{301}"), 1); // e + combining acute
        assert_eq!(display_width("🌐"), 2);
        // 🖥 alone is narrow in Unicode's tables; with VS16 terminals draw it 2 wide.
        assert_eq!(display_width("\u{1F5A5}"), 1);
        assert_eq!(display_width("\u{1F5A5}\u{FE0F}"), 2);
        assert_eq!(display_width("🖥️10.0.0.5"), 10);
        assert_eq!(display_width("\u{2764}\u{FE0E}"), 1); // ❤︎ text presentation
        assert_eq!(display_width("👍🏽"), 2); // skin tone
        assert_eq!(display_width("👩\u{200D}💻"), 2); // ZWJ sequence
        assert_eq!(display_width("🇩🇪"), 2); // a flag: two regional indicators
        assert_eq!(display_width("漢字"), 4);
    }

    #[test]
    fn plain_text_keeps_its_start() {
        assert_eq!(cut_cell("abcdef", 4), "abc…");
        assert_eq!(cut_cell("abcd", 4), "abcd");
        assert_eq!(cut_cell("abcd", 0), "abcd");
        assert_eq!(cut_cell("ééééé", 3), "éé…");
        // 🌐 is 2 columns: two of them do not fit in 3 + the ellipsis.
        assert_eq!(cut_cell("🌐🌐🌐", 4), "🌐…");
        assert_eq!(cut_cell("🌐🌐🌐", 3), "🌐…");
        // The selector is never cut off its symbol.
        assert_eq!(cut_cell("ab🖥️cd", 4), "ab…");
        assert_eq!(cut_cell("ab🖥️cd", 5), "ab🖥️…");
    }

    const VNET: &str = "/subscriptions/c00c9a61-8823-49c1-b172-06099c910524/resourceGroups/rg-prod-app/providers/Microsoft.Network/virtualNetworks/vnet-prod-app-westeurope";

    #[test]
    fn paths_keep_their_last_segment() {
        // 60 columns of room: the last segment (25), one more segment (16) in
        // half of the 35 left, the start in the rest (19).
        assert_eq!(cut_cell(VNET, 61), "/subscriptions/c00c…/virtualNetworks/vnet-prod-app-westeurope");
        assert_eq!(display_width(&cut_cell(VNET, 61)), 61);
        // Only the last segment fits.
        assert_eq!(cut_cell(VNET, 26), "…/vnet-prod-app-westeurope");
        assert_eq!(cut_cell(VNET, 30), "/sub…/vnet-prod-app-westeurope");
        // Narrower than the name: its end.
        assert_eq!(cut_cell(VNET, 12), "…-westeurope");
        // A trailing slash stays with its segment.
        assert_eq!(cut_cell("/a/bbbbbbbb/cccc/", 8), "/…/cccc/");
        assert_eq!(cut_cell("/a/bbbbbbbb/cccc/", 7), "…/cccc/");
        assert_eq!(tail_width(VNET), 26);
        assert_eq!(tail_width("no path here"), 0);
        assert_eq!(tail_width("/"), 0);
        for w in 1..VNET.len() + 2 {
            let cut = cut_cell(VNET, w);
            assert!(display_width(&cut) <= w, "{w}: {cut}");
        }
    }

    #[test]
    fn start_cuts_for_headers() {
        assert_eq!(cut_start("PublicIpDetails", 9), "PublicIp…");
        assert_eq!(cut_start("a/b/c", 4), "a/b…");
    }

    #[test]
    fn control_characters_are_shown() {
        assert_eq!(visible("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(visible("a\u{1b}"), "a\\u{1b}");
        assert_eq!(visible("plain"), "plain");
    }
}
