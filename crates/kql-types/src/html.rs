//! Text inside HTML and SVG (XML) documents: the charts' SVG and HTML pages
//! (kql-io) and `ntaq recommend --format html` (nta-recommend) escape with
//! this one function.

/// `& < > " '` escaped for element content and attribute values alike;
/// control characters other than newline and tab (not allowed in XML 1.0)
/// become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_quotes_and_control_characters_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jo'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{7}b\nc\td"), "a\u{FFFD}b\nc\td");
        assert_eq!(escape("10.0.0.0/8 → é"), "10.0.0.0/8 → é");
    }
}
