//! Rule names and priorities.
//!
//! Names follow Azure's rule for security rule names (Learn, "Network
//! security groups": up to 80 characters, word characters, `.`, `-`, `_`,
//! starting with a word character, ending with a word character or `_`);
//! ntaq writes ASCII only, so that "word character" is unambiguous.

use crate::error::RecommendError;
use nta_azure::nsg::Direction;

/// The first priority given to a recommended rule.
pub const FIRST_PRIORITY: u32 = 100;
/// The step between recommended rules' priorities.
pub const PRIORITY_STEP: u32 = 10;
/// The last priority of a user rule.
pub const LAST_PRIORITY: u32 = 4096;

/// `text` turned into a valid rule name: characters other than ASCII
/// letters, digits, `.`, `-`, `_` become `-`, runs of `-` shrink to one,
/// leading non-alphanumerics are dropped, at most 80 characters, and a
/// trailing `.` or `-` is dropped. Empty → `rule`.
pub fn sanitize(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' { c } else { '-' };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        if out.is_empty() && !c.is_ascii_alphanumeric() {
            continue;
        }
        out.push(c);
    }
    out.truncate(80);
    while out.ends_with(['.', '-']) {
        out.pop();
    }
    if out.is_empty() { "rule".to_string() } else { out }
}

/// Whether `name` is a valid security rule name (the rule above).
pub fn is_valid_name(name: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-';
    !name.is_empty()
        && name.len() <= 80
        && name.chars().all(ok_char)
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
}

/// `base` made unique among `taken` (compared without regard to case, as
/// Azure does): `base`, else `base-2`, `base-3`… (cut to fit 80 characters).
pub fn unique(base: &str, taken: &[String]) -> String {
    let free = |n: &str| !taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    if free(base) {
        return base.to_string();
    }
    (2..)
        .map(|k| {
            let suffix = format!("-{k}");
            let mut stem = base.to_string();
            stem.truncate(80 - suffix.len());
            sanitize(&format!("{stem}{suffix}"))
        })
        .find(|n| free(n))
        .unwrap_or_else(|| base.to_string())
}

/// `count` priorities from 100 upward in steps of 10, skipping those in
/// `kept` (the NSG's rules of the same direction).
pub fn priorities(nsg: &str, direction: Direction, count: usize, kept: &[u32]) -> Result<Vec<u32>, RecommendError> {
    let mut out = Vec::with_capacity(count);
    let mut p = FIRST_PRIORITY;
    while out.len() < count {
        if p > LAST_PRIORITY {
            return Err(RecommendError::PrioritiesExhausted {
                nsg: nsg.to_string(),
                direction: direction.as_str().to_string(),
                needed: count,
                kept: kept.len(),
                step: PRIORITY_STEP,
            });
        }
        if !kept.contains(&p) {
            out.push(p);
        }
        p += PRIORITY_STEP;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_azure_rules() {
        assert_eq!(sanitize("allow-in-tcp-443-web-from-10.0.2.0/24"), "allow-in-tcp-443-web-from-10.0.2.0-24");
        assert_eq!(sanitize("--x y--"), "x-y");
        assert_eq!(sanitize("a."), "a");
        assert_eq!(sanitize("ok_"), "ok_");
        assert_eq!(sanitize("äö"), "rule");
        let long = sanitize(&"a".repeat(100));
        assert_eq!(long.len(), 80);
        for n in ["allow-in-tcp-443", "x", "a_"] {
            assert!(is_valid_name(n), "{n}");
        }
        for n in ["", "-a", "a-", "a.", "a b", &"a".repeat(81)] {
            assert!(!is_valid_name(n), "{n}");
        }
        assert_eq!(unique("r", &["R".into(), "r-2".into()]), "r-3");
    }

    #[test]
    fn priorities_skip_kept_and_run_out() {
        assert_eq!(priorities("n", Direction::Inbound, 3, &[110, 4000]).unwrap(), [100, 120, 130]);
        // 100..=4090 in steps of 10 is 400 priorities.
        assert_eq!(priorities("n", Direction::Inbound, 400, &[]).unwrap().last(), Some(&4090));
        assert!(priorities("n", Direction::Inbound, 401, &[]).is_err());
    }
}
