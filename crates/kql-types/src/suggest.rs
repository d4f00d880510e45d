//! "Did you mean …?" for misspelt names.

/// The candidate closest to `name`: an exact match ignoring case first, then
/// the smallest edit distance within about a third of the name's length.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_lowercase();
    let max = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        if c.to_lowercase() == lower {
            return Some(c);
        }
        // The edit distance is at least the difference in length: skip the
        // (allocating) distance computation for candidates that cannot be close.
        if c.chars().count().abs_diff(lower.chars().count()) > max {
            continue;
        }
        let d = strsim::damerau_levenshtein(&lower, &c.to_lowercase());
        if d <= max && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let ops = ["where", "summarize", "project", "project-away"];
        assert_eq!(did_you_mean("wher", ops), Some("where"));
        assert_eq!(did_you_mean("sumarize", ops), Some("summarize"));
        assert_eq!(did_you_mean("Where", ops), Some("where"));
        assert_eq!(did_you_mean("xyz", ops), None);
        assert_eq!(did_you_mean("srcip", ["SrcIp", "DestIp"]), Some("SrcIp"));
    }
}
