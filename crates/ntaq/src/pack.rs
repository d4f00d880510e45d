//! The zero-trust query pack: the documented `.kql` files of
//! `queries/zero-trust/`, built into the binary so that `ntaq pack` runs
//! them from any directory. The files are the one home of the queries (a
//! test checks that this list matches the directory); their header comment
//! gives the description, their `declare query_parameters(…)` statement
//! the parameters.

use miette::Diagnostic;
use thiserror::Error;

/// One query of the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackQuery {
    /// The file name without `.kql`, e.g. `blast-radius-ip`.
    pub name: &'static str,
    /// The file's whole text.
    pub text: &'static str,
}

macro_rules! pack {
    ($($name:literal),* $(,)?) => {
        &[$(PackQuery { name: $name, text: include_str!(concat!("../../../queries/zero-trust/", $name, ".kql")) }),*]
    };
}

/// Every query of the pack, in the order of the article's method: its four
/// scenarios, then finding risk, then preparing default deny.
pub const QUERIES: &[PackQuery] = pack![
    "risky-regions",
    "azure-services",
    "blast-radius-malicious",
    "cross-subscription",
    "blast-radius-ip",
    "denied-by-rule",
    "top-talkers-per-subnet",
    "new-pairs",
    "default-rule-flows",
    "candidate-allow-rules",
    "unused-rules",
];

/// A parameter a pack query declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    /// The Kusto type name (`datetime`, `string`, …).
    pub ty: String,
    /// The default as written in the query, if it has one.
    pub default: Option<String>,
}

impl PackQuery {
    /// The one-line description: the first header line, after `name: `.
    pub fn description(&self) -> &'static str {
        let first = self.text.lines().next().unwrap_or_default();
        let line = first.trim_start_matches('/').trim();
        line.strip_prefix(self.name).and_then(|rest| rest.strip_prefix(':')).map_or(line, str::trim)
    }

    /// The parameters of its `declare query_parameters(…)` statement, in order.
    pub fn parameters(&self) -> Vec<Parameter> {
        let parsed = kql_syntax::parse(self.text);
        parsed
            .script
            .declared_parameters()
            .map(|p| Parameter {
                name: p.name.name.clone(),
                ty: p.ty.ty.to_string(),
                default: p.default.as_ref().map(|d| self.text[d.span.start..d.span.end].to_string()),
            })
            .collect()
    }
}

/// A name that is not a query of the pack.
#[derive(Debug, Error, Diagnostic)]
#[error("the pack has no query `{name}`")]
#[diagnostic(code(kql::pack::unknown_query))]
pub struct UnknownQuery {
    pub name: String,
    #[help]
    pub help: Option<String>,
}

/// The pack query called `name` (a trailing `.kql` is allowed).
pub fn get(name: &str) -> Result<&'static PackQuery, UnknownQuery> {
    let wanted = name.strip_suffix(".kql").unwrap_or(name);
    QUERIES.iter().find(|q| q.name == wanted).ok_or_else(|| {
        let names = QUERIES.iter().map(|q| q.name);
        let help = match kql_syntax::suggest::did_you_mean(wanted, names) {
            Some(close) => format!("did you mean `{close}`? (`ntaq pack list` lists them)"),
            None => "`ntaq pack list` lists the queries".to_string(),
        };
        UnknownQuery { name: name.to_string(), help: Some(help) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_come_from_the_header() {
        let q = get("blast-radius-ip").unwrap();
        assert_eq!(q.description(), "every address one IP can reach through allowed flows, up to 4 hops");
    }

    #[test]
    fn parameters_come_from_the_declaration() {
        let params = get("blast-radius-ip.kql").unwrap().parameters();
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["ip", "hops", "start", "end"]);
        assert_eq!(params[1].ty, "int");
        assert_eq!(params[1].default.as_deref(), Some("2"));
        assert!(get("risky-regions").unwrap().parameters().is_empty());
    }

    #[test]
    fn unknown_names_get_a_suggestion() {
        let e = get("blast-radius-iq").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `blast-radius-ip`? (`ntaq pack list` lists them)"));
        assert_eq!(get("zzz").unwrap_err().help.as_deref(), Some("`ntaq pack list` lists the queries"));
    }
}
