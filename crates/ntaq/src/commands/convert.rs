//! `ntaq convert`: Log Analytics text exports to one typed Parquet file.

use super::io_error_text;
use crate::cli::{ConvertArgs, exit};
use crate::session::ingest_options;
use std::time::Instant;

pub fn run(args: &ConvertArgs) -> u8 {
    let started = Instant::now();
    let opts = ingest_options(args.lenient);
    let table = match &args.table {
        Some(name) => {
            if let Err(msg) = crate::cli::parse_table_arg(&format!("{name}=-")) {
                eprintln!("ntaq: --table: {msg}");
                return exit::USAGE;
            }
            name.clone()
        }
        None => match args.inputs.first().and_then(|p| name_of(p)) {
            Some(raw) => opts.table_name(&raw),
            None => {
                eprintln!("ntaq: cannot tell the table from the inputs' names; add --table NAME");
                return exit::USAGE;
            }
        },
    };
    let summary = match kql_io::ingest::convert(&table, &args.inputs, &args.output, &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ntaq: {}", io_error_text(e));
            return exit::USAGE;
        }
    };
    let report = &summary.report;
    if !args.quiet {
        if !report.missing.is_empty() {
            let mut columns = report.missing.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
            if report.missing.len() > 6 {
                columns.push_str(&format!(", … ({} more)", report.missing.len() - 6));
            }
            eprintln!(
                "note: the exports lack {} published column(s) of {table}, written empty: {columns}",
                report.missing.len()
            );
        }
        for c in &report.dropped {
            eprintln!("note: column {c} (added by the Azure CLI) is left out");
        }
    }
    if !report.skipped.is_empty() {
        let more = if report.skipped.rows > report.skipped.first.len() as u64 { "; …" } else { "" };
        eprintln!(
            "warning: {} skipped (--lenient): {}{more}",
            super::rows(report.skipped.rows),
            report.skipped.first.join("; ")
        );
    }
    if !args.quiet {
        let plural = |n: usize, w: &str| if n == 1 { format!("{n} {w}") } else { format!("{n} {w}s") };
        eprintln!(
            "{} of {table} from {} written to {} ({} columns, {}, {}; {:.3} s)",
            super::rows(report.rows),
            plural(summary.files, "file"),
            args.output.display(),
            report.columns.len(),
            plural(summary.row_groups, "row group"),
            size(summary.bytes),
            started.elapsed().as_secs_f64()
        );
    }
    exit::OK
}

/// The table an input's name stands for: a file's name without its
/// extensions, a folder's name.
fn name_of(path: &std::path::Path) -> Option<String> {
    if path.is_dir() {
        let name = path.canonicalize().ok()?.file_name()?.to_str()?.to_string();
        Some(name)
    } else {
        kql_io::ingest::table_name_of(path).filter(|n| !n.is_empty())
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / f64::from(1 << 10)),
        b => format!("{b} bytes"),
    }
}
