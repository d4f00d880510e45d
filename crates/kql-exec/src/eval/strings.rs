//! String operators: `=~`, `has`, `contains`, `startswith`, `endswith`,
//! `hasprefix`, `hassuffix`, `matches regex` and their `!`/`_cs` forms.
//!
//! Kusto (learn.microsoft.com/kusto/query/datatypes-string-operators): the
//! plain forms are case-insensitive, `_cs` forms case-sensitive; `has`
//! matches whole terms, where a term is a run of alphanumeric characters.

use super::convert::to_scalar_type;
use crate::columnar::Col;
use crate::error::{ExecError, Result};
use arrow_array::cast::AsArray;
use arrow_array::*;
use kql_syntax::ast::BinaryOp;
use kql_syntax::{ScalarType, Span};
use kql_types::Value;
use std::sync::Arc;

/// Escapes LIKE wildcards so a needle matches literally.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn is_term_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Where a whole-term match must be bounded.
#[derive(Clone, Copy)]
enum Bound {
    Both,
    Start,
    End,
}

/// True if `needle` occurs in `hay` as a term (or term prefix/suffix).
fn has_term(hay: &str, needle: &str, bound: Bound, case_sensitive: bool) -> bool {
    if needle.is_empty() {
        return true;
    }
    let (hay_owned, needle_owned);
    let (hay, needle) = if case_sensitive {
        (hay, needle)
    } else {
        hay_owned = hay.to_lowercase();
        needle_owned = needle.to_lowercase();
        (hay_owned.as_str(), needle_owned.as_str())
    };
    let check_start = matches!(bound, Bound::Both | Bound::Start) && needle.starts_with(is_term_char);
    let check_end = matches!(bound, Bound::Both | Bound::End) && needle.ends_with(is_term_char);
    let mut from = 0;
    while let Some(k) = hay[from..].find(needle) {
        let start = from + k;
        let end = start + needle.len();
        let ok_start = !check_start || !hay[..start].chars().next_back().is_some_and(is_term_char);
        let ok_end = !check_end || !hay[end..].chars().next().is_some_and(is_term_char);
        if ok_start && ok_end {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Case-insensitive `contains` of an ASCII needle: ASCII rows are searched
/// ignoring ASCII case (no lowercased copy per row); other rows are
/// lowercased first, as the other case-insensitive operators do.
fn contains_ascii_ci(hay: &StringArray, needle: &str) -> Result<BooleanArray> {
    let finder = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([needle])
        .map_err(|e| ExecError::Internal(format!("contains: {e}")))?;
    let lower = needle.to_ascii_lowercase();
    Ok(hay
        .iter()
        .map(|h| h.map(|h| if h.is_ascii() { finder.is_match(h) } else { h.to_lowercase().contains(&lower) }))
        .collect())
}

pub fn string_op(
    op: BinaryOp,
    l: &Col,
    lt: ScalarType,
    r: &Col,
    rt: ScalarType,
    len: usize,
    span: Span,
) -> Result<Col> {
    use BinaryOp::*;
    let l = to_scalar_type(l, lt, ScalarType::String, len)?;
    let r = to_scalar_type(r, rt, ScalarType::String, len)?;
    let (positive, negated) = match op {
        NotHas => (Has, true),
        NotHasCs => (HasCs, true),
        NotHasPrefix => (HasPrefix, true),
        NotHasPrefixCs => (HasPrefixCs, true),
        NotHasSuffix => (HasSuffix, true),
        NotHasSuffixCs => (HasSuffixCs, true),
        NotContains => (Contains, true),
        NotContainsCs => (ContainsCs, true),
        NotStartsWith => (StartsWith, true),
        NotStartsWithCs => (StartsWithCs, true),
        NotEndsWith => (EndsWith, true),
        NotEndsWithCs => (EndsWithCs, true),
        NotEqCi => (EqCi, true),
        other => (other, false),
    };
    let result = positive_op(positive, &l, &r, len, span)?;
    if negated { super::logical_not(&result, len) } else { Ok(result) }
}

fn positive_op(op: BinaryOp, l: &Col, r: &Col, len: usize, span: Span) -> Result<Col> {
    use BinaryOp::*;
    // Constant needles use Arrow's LIKE kernels where they express the rule.
    if let (Col::Array(hay), Some(Value::String(needle))) = (l, r.as_scalar()) {
        if op == Contains && needle.is_ascii() {
            return Ok(Col::Array(Arc::new(contains_ascii_ci(hay.as_string::<i32>(), needle)?)));
        }
        let pattern = match op {
            EqCi => Some(like_escape(needle)),
            Contains => Some(format!("%{}%", like_escape(needle))),
            StartsWith => Some(format!("{}%", like_escape(needle))),
            EndsWith => Some(format!("%{}", like_escape(needle))),
            _ => None,
        };
        if let Some(p) = pattern {
            let p = Scalar::new(StringArray::from(vec![p]));
            return Ok(Col::Array(Arc::new(arrow_string::like::ilike(hay, &p)?)));
        }
        let needle_arr = Scalar::new(StringArray::from(vec![needle.as_str()]));
        let cs = match op {
            ContainsCs => Some(arrow_string::like::contains(hay, &needle_arr)?),
            StartsWithCs => Some(arrow_string::like::starts_with(hay, &needle_arr)?),
            EndsWithCs => Some(arrow_string::like::ends_with(hay, &needle_arr)?),
            _ => None,
        };
        if let Some(out) = cs {
            return Ok(Col::Array(Arc::new(out)));
        }
        if op == MatchesRegex {
            let re = crate::functions::compile_regex(needle, span)?;
            let out: BooleanArray = hay.as_string::<i32>().iter().map(|s| s.map(|s| re.is_match(s))).collect();
            return Ok(Col::Array(Arc::new(out)));
        }
    }
    // General case: row by row over both operands.
    let scalar = matches!((l, r), (Col::Scalar(_), Col::Scalar(_)));
    let n = if scalar { 1 } else { len };
    let (la, ra) = (l.to_array(n), r.to_array(n));
    let (hs, ns) = (la.as_string::<i32>(), ra.as_string::<i32>());
    let mut regex_cache: Option<(String, regex::Regex)> = None;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (h, k) = (hs.value(i), ns.value(i));
        let v = match op {
            EqCi => h.to_lowercase() == k.to_lowercase(),
            Contains => h.to_lowercase().contains(&k.to_lowercase()),
            ContainsCs => h.contains(k),
            StartsWith => h.to_lowercase().starts_with(&k.to_lowercase()),
            StartsWithCs => h.starts_with(k),
            EndsWith => h.to_lowercase().ends_with(&k.to_lowercase()),
            EndsWithCs => h.ends_with(k),
            Has => has_term(h, k, Bound::Both, false),
            HasCs => has_term(h, k, Bound::Both, true),
            HasPrefix => has_term(h, k, Bound::Start, false),
            HasPrefixCs => has_term(h, k, Bound::Start, true),
            HasSuffix => has_term(h, k, Bound::End, false),
            HasSuffixCs => has_term(h, k, Bound::End, true),
            MatchesRegex => {
                if regex_cache.as_ref().is_none_or(|(p, _)| p != k) {
                    let re = crate::functions::compile_regex(k, span)?;
                    regex_cache = Some((k.to_string(), re));
                }
                regex_cache.as_ref().is_some_and(|(_, re)| re.is_match(h))
            }
            _ => return Err(ExecError::Internal(format!("`{}` is not a string operator", op.symbol()))),
        };
        out.push(v);
    }
    Ok(if scalar { Col::Scalar(Value::Bool(Some(out[0]))) } else { Col::Array(Arc::new(BooleanArray::from(out))) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_matches_whole_terms() {
        // Kusto's documentation: "North America" has "america" is true; has "amer" is false.
        assert!(has_term("North America", "america", Bound::Both, false));
        assert!(!has_term("North America", "amer", Bound::Both, false));
        assert!(has_term("North America", "amer", Bound::Start, false), "hasprefix");
        assert!(has_term("North America", "rica", Bound::End, false), "hassuffix");
        assert!(has_term("src 10.0.0.1:443", "10.0.0.1", Bound::Both, false));
        assert!(!has_term("110.0.0.1", "10.0.0.1", Bound::Both, false));
        assert!(!has_term("North America", "AMERICA", Bound::Both, true), "has_cs is case-sensitive");
    }

    fn op(o: BinaryOp, h: &str, n: &str) -> bool {
        let hay = Col::Array(Arc::new(StringArray::from(vec![h])));
        let needle = Col::Scalar(Value::String(n.into()));
        match string_op(o, &hay, ScalarType::String, &needle, ScalarType::String, 1, Span::default()).unwrap() {
            Col::Array(a) => a.as_boolean().value(0),
            Col::Scalar(Value::Bool(Some(b))) => b,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn case_rules() {
        assert!(op(BinaryOp::Contains, "Unspecified NSG", "unspecified"));
        assert!(!op(BinaryOp::NotContains, "Unspecified NSG", "UNSPECIFIED"));
        assert!(!op(BinaryOp::ContainsCs, "Unspecified", "unspecified"));
        assert!(op(BinaryOp::EqCi, "FlowLog", "flowlog"));
        assert!(op(BinaryOp::StartsWith, "rg-prod/vnet", "RG-"));
        assert!(op(BinaryOp::EndsWith, "a.b_c", "B_C"), "wildcard characters match literally");
        assert!(!op(BinaryOp::Contains, "abc", "%"));
        assert!(op(BinaryOp::Contains, "Unspecified", ""), "every string contains the empty string");
        assert!(op(BinaryOp::Contains, "Grüße AUS Köln", "aus"), "an ASCII needle in non-ASCII text");
        assert!(op(BinaryOp::Contains, "Grüße aus KÖLN", "köln"), "non-ASCII needles use Unicode lowercase");
        assert!(!op(BinaryOp::Contains, "NSG-a", "nsg-b"));
        assert!(op(BinaryOp::MatchesRegex, "rg-prod/vnet", "^rg-[a-z]+/"));
    }
}
