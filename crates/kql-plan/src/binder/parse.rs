//! `parse` and `parse-where`, bound as what they mean: the pattern becomes
//! one regular expression (the parse operator page, "Regex mode": `*` is
//! `.*?`, a string column `(.*?)`, a `long` column `(\-\d+)`…), each column
//! the capture group it names, converted to its type — an `extend` of
//! `totype(extract(regex, k, tostring(Expr)))` items; `parse-where` first
//! keeps the rows the expression matches (`where … matches regex`).
//!
//! In `kind=simple` (the default) and `kind=relaxed` the pattern's strings
//! are text (escaped in the regex) and the pattern spans the whole value
//! (`^…$`: a string column last takes the rest of the text); `kind=regex`
//! takes them as regular expressions, with its `flags=` as inline flags.
//! In `kind=regex` a column that is not a number or bool is greedy, `(.*)`
//! (the page's examples: "the default mode is greedy", `flags=U` makes it
//! lazy), and the pattern's own groups do not capture, so column `k` is
//! capture group `k` (the page's example starts with `"(.*?)[a-zA-Z]*="`
//! and its first column is still `resourceName`).
//! `relaxed` lets a typed column match partially: it takes the longest
//! prefix of its text that has the type's form (none: null) and skips the
//! rest up to the next delimiter (the page's relaxed example:
//! `totalSlices=nonValidLongValue` is null, `sliceNumber=23` before a `*`
//! is 23); `simple` requires typed text.

use super::Binder;
use crate::plan::Plan;
use kql_syntax::ScalarType;
use kql_syntax::Span;
use kql_syntax::ast::{self, BinaryOp, Expr, ExprKind, Ident, Literal, NamedExpr, ParseItem, ParseKind};
use kql_types::Value;

impl Binder<'_> {
    pub(crate) fn parse(&mut self, input: Plan, p: &ast::Parse) -> Plan {
        let regex = pattern_regex(p);
        let source = p.expr.span;
        let text = call("tostring", vec![p.expr.clone()], source);
        if p.filter && p.kind == ParseKind::Relaxed {
            // The parse-where page lists the kinds simple and regex only.
            self.report(crate::error::SemanticError::Unsupported {
                what: "`kind=relaxed` in parse-where".into(),
                span: source,
                help: Some("use parse kind=relaxed and filter the rows with where".into()),
            });
        }
        let mut values = Vec::new();
        // simple and regex are strict ("all extended columns must match the
        // required types"): a typed column whose text the pattern does not
        // check (datetime, timespan, guid, dynamic) must also convert, or no
        // column is parsed (the parse-where page's example: a row with
        // releaseTime=invalid_datetime is all nulls, and parse-where drops it).
        let mut checks = Vec::new();
        let mut group = 0;
        for item in &p.pattern {
            let ParseItem::Column { name, ty } = item else { continue };
            group += 1;
            let span = name.span;
            let args = vec![
                Expr::new(ExprKind::Literal(Literal::String(regex.clone())), span),
                Expr::new(ExprKind::Literal(Literal::Long(Some(group))), span),
                text.clone(),
            ];
            let mut value = call("extract", args, span);
            let ty = ty.as_ref().map_or(ScalarType::String, |t| t.ty);
            if let Some(conv) = conversion(ty) {
                value = call(conv, vec![value], span);
                if p.kind != ParseKind::Relaxed && typed_text(ty) == ".*?" {
                    checks.push(call("isnotnull", vec![value.clone()], span));
                }
            }
            values.push((name, ty, value, span));
        }
        let all = |mut conds: Vec<Expr>| {
            let first = conds.remove(0);
            conds.into_iter().fold(first, |l, r| {
                Expr::new(
                    ExprKind::Binary { op: BinaryOp::And, op_span: source, left: Box::new(l), right: Box::new(r) },
                    source,
                )
            })
        };
        let converted = (!checks.is_empty()).then(|| all(checks));
        let input = if p.filter {
            let lit = Expr::new(ExprKind::Literal(Literal::String(regex.clone())), source);
            let matches = Expr::new(
                ExprKind::Binary {
                    op: BinaryOp::MatchesRegex,
                    op_span: source,
                    left: Box::new(text.clone()),
                    right: Box::new(lit),
                },
                source,
            );
            let keep = match &converted {
                Some(c) => all(vec![matches, c.clone()]),
                None => matches,
            };
            self.where_(input, &keep)
        } else {
            input
        };
        let items: Vec<NamedExpr> = values
            .into_iter()
            .map(|(name, ty, value, span)| {
                let expr = match &converted {
                    Some(ok) if !p.filter => {
                        // What a column of type `ty` holds when the text does not
                        // parse: "" for a string, null for the others.
                        let none = Expr::new(ExprKind::Literal(Literal::of_value(&Value::null_of(ty))), span);
                        call("iff", vec![ok.clone(), value, none], span)
                    }
                    _ => value,
                };
                NamedExpr { more_names: Vec::new(), name: Some(name.clone()), expr, span }
            })
            .collect();
        self.extend(input, &items)
    }
}

fn call(function: &str, args: Vec<Expr>, span: Span) -> Expr {
    Expr::new(ExprKind::Call { function: Ident::new(function, span), args }, span)
}

/// The function that converts extracted text to `ty` (none for strings).
fn conversion(ty: ScalarType) -> Option<&'static str> {
    Some(match ty {
        ScalarType::String => return None,
        ScalarType::Bool => "tobool",
        ScalarType::Int => "toint",
        ScalarType::Long => "tolong",
        ScalarType::Real => "toreal",
        ScalarType::Decimal => "todecimal",
        ScalarType::DateTime => "todatetime",
        ScalarType::Timespan => "totimespan",
        ScalarType::Guid => "toguid",
        ScalarType::Dynamic => "todynamic",
    })
}

/// The regular expression `p`'s pattern stands for.
pub(crate) fn pattern_regex(p: &ast::Parse) -> String {
    let mut re = String::new();
    if let Some(flags) = &p.flags {
        re.push_str(&format!("(?{flags})"));
    }
    let whole = p.kind != ParseKind::Regex;
    if whole {
        re.push('^');
    }
    for item in &p.pattern {
        match item {
            ParseItem::Star(_) => re.push_str(".*?"),
            ParseItem::Text { text, .. } if whole => re.push_str(&regex_escape(text)),
            ParseItem::Text { text, .. } => re.push_str(&non_capturing(text)),
            ParseItem::Column { ty, .. } => {
                let ty = ty.as_ref().map_or(ScalarType::String, |t| t.ty);
                re.push('(');
                let text = typed_text(ty);
                match p.kind {
                    // A typed column takes what it can of its text, the rest
                    // up to the next delimiter is skipped (below).
                    ParseKind::Relaxed if text != ".*?" => {
                        re.push_str("(?:");
                        re.push_str(text);
                        re.push_str(")?");
                    }
                    ParseKind::Regex if text == ".*?" => re.push_str(".*"),
                    _ => re.push_str(text),
                }
                re.push(')');
                if p.kind == ParseKind::Relaxed && text != ".*?" {
                    re.push_str(".*?");
                }
            }
        }
    }
    if whole {
        re.push('$');
    }
    re
}

/// What text a column of type `ty` matches (the parse operator page).
fn typed_text(ty: ScalarType) -> &'static str {
    match ty {
        ScalarType::Int | ScalarType::Long => r"\-?\d+",
        ScalarType::Real | ScalarType::Decimal => r"\-?\d*\.?\d+(?:[eE][\-+]?\d+)?",
        ScalarType::Bool => "(?i:true|false)",
        _ => ".*?",
    }
}

/// The regular expression `text` with its capturing groups, numbered or
/// named (`(…)`, `(?P<n>…)`, `(?<n>…)`), made non-capturing `(?:…)`, so
/// that only the pattern's columns capture. Escapes and bracketed classes
/// are copied as they are.
fn non_capturing(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut class = false;
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '\\' => out.extend(chars.next()),
            '[' if !class => {
                class = true;
                // `[]…]` and `[^]…]`: a first `]` is part of the class.
                if chars.peek() == Some(&'^') {
                    out.extend(chars.next());
                }
                if chars.peek() == Some(&']') {
                    out.extend(chars.next());
                }
            }
            ']' if class => class = false,
            '(' if !class => {
                if chars.peek() != Some(&'?') {
                    out.push_str("?:");
                    continue;
                }
                let rest: String = chars.clone().take(3).collect();
                let name = if rest.starts_with("?P<") {
                    3
                } else if rest.starts_with("?<") && !rest.starts_with("?<=") && !rest.starts_with("?<!") {
                    2
                } else {
                    0
                };
                if name > 0 {
                    for _ in 0..name {
                        chars.next();
                    }
                    for n in chars.by_ref() {
                        if n == '>' {
                            break;
                        }
                    }
                    out.push_str("?:");
                }
            }
            _ => {}
        }
    }
    out
}

/// `text` with the regex metacharacters escaped.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex_of(q: &str) -> String {
        let parsed = kql_syntax::parse(q);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let ops = match &parsed.script.statements[0].kind {
            ast::StatementKind::Query(q) => q.operators.clone(),
            other => panic!("{other:?}"),
        };
        let ast::OperatorKind::Parse(p) = &ops[0].kind else { panic!("{ops:?}") };
        pattern_regex(p)
    }

    #[test]
    fn patterns_become_the_documented_regexes() {
        // The parse operator page's regex-mode example:
        // `parse kind=regex Col with * <regex1> var1:string <regex2> var2:long`
        // is `.*?<regex1>(.*?)<regex2>(\-\d+)` (with an optional sign here),
        // but its examples' string columns are greedy ("the default mode is
        // greedy"), so `(.*)`.
        assert_eq!(
            regex_of(r#"T | parse kind=regex Col with * "r1" var1:string "r2" var2:long"#),
            r".*?r1(.*)r2(\-?\d+)"
        );
        assert_eq!(regex_of(r#"T | parse Col with * "a=" x ", b=" y:long *"#), r"^.*?a=(.*?), b=(\-?\d+).*?$");
        assert_eq!(regex_of(r#"T | parse kind=relaxed Col with "(" n:long ")""#), r"^\(((?:\-?\d+)?).*?\)$");
        assert_eq!(regex_of(r#"T | parse kind=relaxed Col with "(" s ")""#), r"^\((.*?)\)$");
        assert_eq!(regex_of(r#"T | parse kind=regex flags=Ui Col with x "[0-9]+""#), r"(?Ui)(.*)[0-9]+");
    }

    #[test]
    fn groups_of_the_pattern_do_not_capture() {
        assert_eq!(non_capturing("(.*?)[a-zA-Z]*="), "(?:.*?)[a-zA-Z]*=");
        assert_eq!(non_capturing(r".*?(previous)?lockTime="), r".*?(?:previous)?lockTime=");
        assert_eq!(non_capturing(r"(?P<x>a)(?<y>b)(?:c)(?i:d)"), "(?:a)(?:b)(?:c)(?i:d)");
        assert_eq!(non_capturing(r"(?<=a)(?<!b)"), r"(?<=a)(?<!b)");
        assert_eq!(non_capturing(r"\(x\)[(][]()][^]()]"), r"\(x\)[(][]()][^]()]");
        assert_eq!(
            regex_of(r#"T | parse kind=regex Col with "(.*?)=" a ", (n)=" b:long"#),
            r"(?:.*?)=(.*), (?:n)=(\-?\d+)"
        );
    }
}
