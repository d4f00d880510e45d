//! The article's scenarios as the harness runs them: query files, the
//! parameters of README.md's first command, and the columns each reads.

use ntaq::params::ParamValues;
use ntaq::session::Session;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The generated window and the parameters that cover it.
pub const START: &str = "2025-06-01T00:00:00Z";
pub const END: &str = "2025-06-02T00:00:00Z";
pub const NOW: &str = "2025-06-02T00:00:00Z";

pub struct Scenario {
    pub number: usize,
    pub kql: PathBuf,
    pub sql: PathBuf,
}

pub fn all(repo: &Path) -> Vec<Scenario> {
    (1..=4)
        .map(|n| Scenario {
            number: n,
            kql: repo.join(format!("queries/scenario{n}.kql")),
            sql: repo.join(format!("crates/ntaq-bench/sql/scenario{n}.sql")),
        })
        .collect()
}

/// `--param …` and `--now` for every scenario (unused ones are harmless).
pub fn param_specs() -> Vec<String> {
    vec![
        format!("timeInterval:startISO={START}"),
        format!("timeInterval:endISO={END}"),
        format!("start={START}"),
        format!("end={END}"),
    ]
}

/// `ntaq run` arguments for a scenario, its whole result written as CSV to
/// `output` (`-o`: every row, as a user saving a result gets it; no
/// terminal truncation) or, without one, to standard output with
/// `--max-rows 0` (all rows too).
pub fn run_args(kql: &Path, output: Option<&Path>) -> Vec<String> {
    let mut args =
        vec!["run".to_string(), "-q".into(), "--format".into(), "csv".into(), "--max-rows".into(), "0".into()];
    if let Some(o) = output {
        args.extend(["--output".to_string(), o.display().to_string()]);
    }
    args.extend(["--now".to_string(), NOW.to_string()]);
    for p in param_specs() {
        args.extend(["--param".to_string(), p]);
    }
    args.push(kql.display().to_string());
    args
}

/// The columns each table's scans read, after ntaq's column pruning.
pub fn columns_read(text: &str) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let values = ParamValues::parse(&param_specs())?;
    let prepared = Session::builtin().prepare(text, &values);
    if prepared.blocked() {
        return Err("the scenario does not check".into());
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let program = &prepared.program;
    let mut todo: Vec<&kql_plan::plan::Plan> = program.results.iter().collect();
    todo.extend(program.shared.iter().map(|s| &s.plan));
    while let Some(p) = todo.pop() {
        if let kql_plan::plan::Node::Scan { table } = &p.node {
            out.entry(table.clone()).or_default().extend(p.schema.names().map(str::to_string));
        }
        todo.extend(p.inputs());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_args_write_every_row_to_the_output_file() {
        let args = run_args(Path::new("q.kql"), Some(Path::new("/tmp/out.csv")));
        let at = |flag: &str| args.iter().position(|a| a == flag).map(|i| args[i + 1].as_str());
        assert_eq!(args[0], "run");
        assert_eq!(at("--format"), Some("csv"));
        assert_eq!(at("--max-rows"), Some("0"));
        assert_eq!(at("--output"), Some("/tmp/out.csv"));
        assert_eq!(args.last().map(String::as_str), Some("q.kql"));
        assert!(!run_args(Path::new("q.kql"), None).contains(&"--output".to_string()));
    }
}
