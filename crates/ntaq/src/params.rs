//! Query parameters from the command line (`--param NAME=VALUE`): Azure
//! Workbook placeholders substituted into the text, and values for free
//! names such as scenario 4's `start` and `end`.

use kql_syntax::ScalarType;
use kql_syntax::ast::{ExprKind, Literal, UnaryOp};
use kql_syntax::time::parse_datetime;
use kql_types::Value;
use std::collections::BTreeMap;
use std::ops::Range;

/// One `--param`: `NAME=VALUE`, `NAME:TYPE` or `NAME:TYPE=VALUE` — the
/// same list serves `check` (the types) and `run` (the values). A name may
/// hold `:` itself (a workbook placeholder such as `timeInterval:startISO`):
/// what follows the last `:` is a type only if it names one.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub ty: Option<ScalarType>,
    pub value: Option<String>,
}

impl ParamSpec {
    pub fn parse(spec: &str) -> Result<ParamSpec, String> {
        let (head, value) = match spec.split_once('=') {
            Some((h, v)) => (h.trim(), Some(v.to_string())),
            None => (spec.trim(), None),
        };
        let (name, ty) = match head.rsplit_once(':') {
            Some((n, t)) => match ScalarType::from_name(t.trim()) {
                Some(ty) => (n.trim(), Some(ty)),
                None => (head, None),
            },
            None => (head, None),
        };
        if name.is_empty() {
            return Err(format!(
                "invalid --param `{spec}`: the name before `=` is empty; expected NAME=VALUE, NAME:TYPE or NAME:TYPE=VALUE, e.g. start:datetime=2025-06-01T00:00:00Z"
            ));
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-')) {
            return Err(format!(
                "invalid --param `{spec}`: `{name}` is not a parameter or placeholder name (letters, digits, `_`, `-` and `:`, as in timeInterval:startISO)"
            ));
        }
        let types = || ScalarType::ALL.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
        if ty.is_some() && !is_identifier(name) {
            return Err(format!("invalid --param `{spec}`: `{name}` is not a valid parameter name"));
        }
        if let (None, None, Some((_, t))) = (ty, &value, head.rsplit_once(':')) {
            return Err(format!("invalid --param `{spec}`: unknown type `{t}` (types: {})", types()));
        }
        if let (Some(ty), Some(v)) = (ty, &value)
            && typed_value(v, ty).is_none()
        {
            return Err(format!("invalid --param `{spec}`: `{v}` is not a {ty} value"));
        }
        Ok(ParamSpec { name: name.to_string(), ty, value })
    }

    /// The type `check` declares the parameter with: the one given, else
    /// that of the value (`start=2025-06-01` declares a datetime). `None`
    /// for a workbook placeholder (a name with `:`), filled into the text,
    /// and for a bare name (see [`ParamSpec::declaration_error`]).
    pub fn declared_type(&self) -> Option<ScalarType> {
        if self.ty.is_none() && self.name.contains(':') {
            return None;
        }
        self.ty.or_else(|| self.value.as_deref().map(|v| literal_value(v).scalar_type()))
    }
}

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl ParamSpec {
    /// Why `check` cannot declare this parameter: a bare name, with neither
    /// a type nor a value.
    pub fn declaration_error(&self, spec: &str) -> Option<String> {
        (self.ty.is_none() && self.value.is_none()).then(|| {
            let types = ScalarType::ALL.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
            format!(
                "invalid --param `{spec}`: expected NAME:TYPE, e.g. start:datetime (types: {types}), or NAME=VALUE as for run"
            )
        })
    }
}

/// `NAME=VALUE` pairs (with the types given as `NAME:TYPE=VALUE`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParamValues {
    values: BTreeMap<String, String>,
    types: BTreeMap<String, ScalarType>,
}

impl ParamValues {
    /// Parses `--param`s (see [`ParamSpec`]); each must have a value, and a
    /// name given twice is an error.
    pub fn parse(specs: &[String]) -> Result<ParamValues, String> {
        let mut out = ParamValues::default();
        for spec in specs {
            let p = ParamSpec::parse(spec)?;
            let Some(value) = p.value else {
                return Err(match p.ty {
                    Some(_) => {
                        format!("invalid --param `{spec}`: a run needs a value, e.g. {spec}=2025-06-01T00:00:00Z")
                    }
                    None => format!(
                        "invalid --param `{spec}`: expected NAME=VALUE, e.g. start=2025-06-01T00:00:00Z or timeInterval:startISO=2025-06-01T00:00:00Z (NAME:TYPE=VALUE also types it)"
                    ),
                });
            };
            if out.values.insert(p.name.clone(), value).is_some() {
                return Err(format!("--param `{}` is given more than once", p.name));
            }
            if let Some(ty) = p.ty {
                out.types.insert(p.name, ty);
            }
        }
        Ok(out)
    }

    /// The type given with the value (`NAME:TYPE=VALUE`), if any.
    pub fn type_of(&self, name: &str) -> Option<ScalarType> {
        self.types.get(name).copied()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.types.remove(name);
        self.values.remove(name)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// A value given for a free name: a KQL literal (`datetime(…)`, `42`, `1.5`,
/// `true`, `1h`, `'text'`), else an ISO 8601 instant, else the text itself.
pub fn literal_value(raw: &str) -> Value {
    if let Ok(e) = kql_syntax::parse_expression(raw) {
        let (neg, inner) = match &e.kind {
            ExprKind::Unary { op: UnaryOp::Neg, operand } => (true, &**operand),
            _ => (false, &e),
        };
        if let ExprKind::Literal(l) = &inner.kind {
            let l = match (neg, l) {
                (false, l) => Some(l.clone()),
                (true, Literal::Long(Some(v))) => Some(Literal::Long(Some(-v))),
                (true, Literal::Real(Some(v))) => Some(Literal::Real(Some(-v))),
                (true, Literal::Timespan(Some(v))) => Some(Literal::Timespan(Some(-v))),
                _ => None,
            };
            if let Some(v) = l.as_ref().and_then(Literal::value) {
                return v;
            }
        }
    }
    match parse_datetime(raw) {
        Some(t) => Value::DateTime(Some(t)),
        None => Value::String(raw.to_string()),
    }
}

/// A value for a parameter declared with type `ty`; `None` if it does not convert.
pub fn typed_value(raw: &str, ty: ScalarType) -> Option<Value> {
    let v = literal_value(raw);
    if v.scalar_type() == ty {
        return Some(v);
    }
    let text = match &v {
        Value::String(s) => s.clone(),
        other if other.scalar_type().is_numeric() && ty.is_numeric() => other.to_string(),
        _ => return None,
    };
    let converted = Value::parse(&text, ty);
    (!converted.is_null() || ty == ScalarType::String).then_some(converted)
}

/// One substitution: `new` in the substituted text replaced `orig`.
#[derive(Debug, Clone, PartialEq)]
struct Edit {
    orig: Range<usize>,
    new: Range<usize>,
}

/// Maps offsets in a substituted text back to the text the user wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceMap {
    edits: Vec<Edit>,
}

impl SourceMap {
    /// The original (offset, length) of a span in the substituted text. A
    /// span touching a substituted value covers the whole placeholder.
    pub fn to_original(&self, offset: usize, len: usize) -> (usize, usize) {
        let end = offset + len;
        let map = |pos: usize, is_end: bool| -> usize {
            let mut delta: isize = 0;
            for e in &self.edits {
                if pos < e.new.start || (pos == e.new.start && !is_end) {
                    break;
                }
                if pos < e.new.end || (is_end && pos == e.new.end) {
                    return if is_end { e.orig.end } else { e.orig.start };
                }
                delta = e.orig.end as isize - e.new.end as isize;
            }
            (pos as isize + delta).max(0) as usize
        };
        let start = map(offset, false);
        let stop = map(end, true).max(start);
        (start, stop - start)
    }
}

/// Replaces `{name}` placeholders (inside string literals) whose values are
/// given; returns the new text, its map, and the names still missing.
pub fn substitute_placeholders(text: &str, values: &ParamValues) -> (String, SourceMap, Vec<String>) {
    substitute(text, &kql_syntax::parse(text).script.placeholders, values)
}

/// [`substitute_placeholders`] with the placeholders of `text` already
/// found (by the parse the caller has).
pub fn substitute(
    text: &str,
    placeholders: &[kql_syntax::ast::Placeholder],
    values: &ParamValues,
) -> (String, SourceMap, Vec<String>) {
    let mut placeholders = placeholders.to_vec();
    placeholders.sort_by_key(|p| p.span.start);
    let mut out = String::with_capacity(text.len());
    let mut map = SourceMap::default();
    let mut missing = Vec::new();
    let mut last = 0;
    for p in placeholders {
        let Some(value) = values.get(&p.name) else {
            if !missing.contains(&p.name) {
                missing.push(p.name.clone());
            }
            continue;
        };
        if p.span.start < last {
            continue;
        }
        out.push_str(&text[last..p.span.start]);
        let new_start = out.len();
        out.push_str(value);
        map.edits.push(Edit { orig: p.span.start..p.span.end, new: new_start..out.len() });
        last = p.span.end;
    }
    out.push_str(&text[last..]);
    (out, map, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[&str]) -> ParamValues {
        ParamValues::parse(&pairs.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn param_specs() {
        let v = values(&["start=2025-06-01", "timeInterval:startISO=2025-06-01T00:00:00Z"]);
        assert_eq!(v.get("timeInterval:startISO"), Some("2025-06-01T00:00:00Z"));
        assert!(ParamValues::parse(&["start".into()]).unwrap_err().contains("NAME=VALUE"));
        assert!(ParamValues::parse(&["a=1".into(), "a=2".into()]).unwrap_err().contains("more than once"));
        // Values may contain '='.
        assert_eq!(values(&["q=a=b"]).get("q"), Some("a=b"));
    }

    #[test]
    fn param_specs_serve_check_and_run() {
        use ScalarType as S;
        let p = |s: &str| ParamSpec::parse(s);
        // check's form, run's form and both.
        assert_eq!(
            p("start:datetime").unwrap(),
            ParamSpec { name: "start".into(), ty: Some(S::DateTime), value: None }
        );
        assert_eq!(p("n:long=5").unwrap(), ParamSpec { name: "n".into(), ty: Some(S::Long), value: Some("5".into()) });
        let placeholder = p("timeInterval:startISO=2025-06-01T00:00:00Z").unwrap();
        assert_eq!((placeholder.name.as_str(), placeholder.ty), ("timeInterval:startISO", None));
        assert_eq!(placeholder.declared_type(), None, "a placeholder is filled into the text, not declared");
        assert_eq!(p("start=2025-06-01T00:00:00Z").unwrap().declared_type(), Some(S::DateTime));
        assert_eq!(p("n:real=5").unwrap().declared_type(), Some(S::Real));
        // Errors.
        assert!(p("start").unwrap().declaration_error("start").unwrap().contains("expected NAME:TYPE"));
        assert!(p("start:date_time").unwrap_err().contains("unknown type `date_time`"));
        assert!(p("1x:long").unwrap_err().contains("not a valid parameter name"));
        assert!(p("n:long=abc").unwrap_err().contains("`abc` is not a long value"));
        assert!(p("=5").unwrap_err().contains("the name before `=` is empty"));
        assert!(ParamValues::parse(&["start".into()]).unwrap_err().contains("expected NAME=VALUE, e.g. start="));
        // run needs values; the type types the value.
        assert!(ParamValues::parse(&["start:datetime".into()]).unwrap_err().contains("needs a value"));
        let v = ParamValues::parse(&["n:real=5".into(), "s=x".into()]).unwrap();
        assert_eq!((v.type_of("n"), v.type_of("s"), v.get("n")), (Some(S::Real), None, Some("5")));
    }

    #[test]
    fn literal_values() {
        assert_eq!(literal_value("42"), Value::Long(Some(42)));
        assert_eq!(literal_value("-1.5"), Value::Real(Some(-1.5)));
        assert_eq!(literal_value("true"), Value::Bool(Some(true)));
        assert_eq!(literal_value("1h"), Value::Timespan(Some(3_600_000_000_000)));
        let t = parse_datetime("2025-06-01T00:00:00Z").unwrap();
        assert_eq!(literal_value("datetime(2025-06-01)"), Value::DateTime(Some(t)));
        assert_eq!(literal_value("2025-06-01T00:00:00Z"), Value::DateTime(Some(t)), "ISO instants are datetimes");
        assert_eq!(literal_value("westeurope"), Value::String("westeurope".into()));
        assert_eq!(typed_value("2025-06-01", ScalarType::DateTime), Some(Value::DateTime(Some(t))));
        assert_eq!(typed_value("abc", ScalarType::Long), None);
        assert_eq!(typed_value("5", ScalarType::Real), Some(Value::Real(Some(5.0))));
    }

    #[test]
    fn substitution_keeps_a_map_to_the_original() {
        let text = "print a = datetime('{t:startISO}'), b = 'x', c = Nope";
        let v = values(&["t:startISO=2025-06-01T00:00:00Z"]);
        let (new, map, missing) = substitute_placeholders(text, &v);
        assert!(missing.is_empty());
        assert_eq!(new, "print a = datetime('2025-06-01T00:00:00Z'), b = 'x', c = Nope");
        // `Nope` maps back to where it is in the original text.
        let at = new.find("Nope").unwrap();
        assert_eq!(map.to_original(at, 4), (text.find("Nope").unwrap(), 4));
        // A span over the substituted value covers the placeholder.
        let v_at = new.find("2025").unwrap();
        assert_eq!(map.to_original(v_at, 4), (text.find("{t").unwrap(), "{t:startISO}".len()));
        // Before the edit nothing moves.
        assert_eq!(map.to_original(0, 5), (0, 5));
        let (_, _, missing) = substitute_placeholders(text, &ParamValues::default());
        assert_eq!(missing, ["t:startISO"]);
    }
}
