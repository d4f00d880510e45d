//! `ntaq convert`: Log Analytics text exports to one typed Parquet file;
//! flow-log blobs to FlowTuples, NTANetAnalytics and NTAIpDetails files.

use super::{error_text, io_error_text};
use crate::cli::{ConvertArgs, exit};
use crate::diagnostic::Diag;
use crate::session::ingest_options;
use arrow_array::RecordBatch;
use kql_io::{Destination, OutputFormat, OutputOptions};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

pub fn run(args: &ConvertArgs) -> u8 {
    if !args.data.flow.flow_logs().is_empty() {
        return flow_logs(args);
    }
    let Some(output) = &args.output else {
        eprintln!("ntaq: convert needs --output FILE (or --flow-logs DIR with --output-dir DIR)");
        return exit::USAGE;
    };
    let started = Instant::now();
    let opts = ingest_options(args.data.lenient);
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
    let summary = match kql_io::datadir::convert(&table, &args.inputs, output, &opts) {
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
            output.display(),
            report.columns.len(),
            plural(summary.row_groups, "row group"),
            super::size(summary.bytes),
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
        kql_io::datadir::table_name_of(path).filter(|n| !n.is_empty())
    }
}

/// `convert --flow-logs DIR --output-dir OUT`: FlowTuples.parquet, then
/// NTANetAnalytics.parquet and NTAIpDetails.parquet derived from it; each
/// file is written completely or not at all.
fn flow_logs(args: &ConvertArgs) -> u8 {
    let Some(dir) = &args.output_dir else {
        eprintln!(
            "ntaq: convert --flow-logs writes FlowTuples.parquet, NTANetAnalytics.parquet and NTAIpDetails.parquet: \
             add --output-dir DIR"
        );
        return exit::USAGE;
    };
    let started = Instant::now();
    let bar = !args.quiet && std::io::stderr().is_terminal();
    // `_scratch` holds the files of `tuples` until the end.
    let crate::flowlogs::ReadTuples { table: tuples, scratch: _scratch, notes } =
        match crate::flowlogs::read(args.data.flow.flow_logs(), args.data.lenient, bar) {
            Ok(read) => read,
            Err(d) => {
                eprintln!("ntaq: {}", error_text(&d));
                return exit::USAGE;
            }
        };
    let shown: Vec<Diag> =
        notes.into_iter().filter(|d| !args.quiet || d.severity() != crate::diagnostic::Severity::Note).collect();
    super::print_load_notes(&shown);
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("ntaq: cannot create `{}`: {e}", dir.display());
        return exit::USAGE;
    }
    // Streamed from the scratch files to the output, batch by batch.
    let written = crate::flowlogs::scan(&tuples)
        .and_then(|batches| write(dir, nta_flowlogs::tuples::TABLE, &tuples.schema, batches, args.quiet));
    if let Err(d) = written {
        eprintln!("ntaq: {}", error_text(&d));
        return exit::USAGE;
    }
    // The derived rows go, chunk by chunk as they are made, straight into
    // the two output files (each through a temporary file, moved into
    // place only when complete), within the default memory budget.
    let enrichment = match nta_flowlogs::Enrichment::load(&args.data.flow.enrichment()) {
        Ok(e) => e,
        Err(e) => return derive_failed(&Diag::new(e)),
    };
    let mut sinks = Vec::new();
    for table in nta_flowlogs::Table::ALL {
        let opened = table.schema().map_err(Diag::new).and_then(|schema| open(dir, table.name(), &schema));
        match opened {
            Ok(sink) => sinks.push(sink),
            Err(d) => return derive_failed(&d),
        }
    }
    let derived = nta_flowlogs::derive_scan(
        || crate::flowlogs::scan(&tuples),
        &enrichment,
        args.data.flow.interval(),
        &nta_flowlogs::Budget::default(),
        &mut |table, batch| sinks[table as usize].1.write(&batch).map_err(Diag::new),
    );
    let summary = match derived {
        Ok(s) => s,
        Err(d) => return derive_failed(&d),
    };
    if !args.quiet {
        for text in &summary.notes {
            eprintln!("note: {text}");
        }
    }
    for sink in sinks {
        if let Err(d) = close(sink, args.quiet) {
            eprintln!("ntaq: {}", error_text(&d));
            return exit::USAGE;
        }
    }
    if !args.quiet {
        eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
    }
    exit::OK
}

/// Says why the derived tables are not written (FlowTuples.parquet is).
fn derive_failed(d: &Diag) -> u8 {
    eprintln!(
        "ntaq: {}\n  (FlowTuples.parquet is written; NTANetAnalytics.parquet and NTAIpDetails.parquet are not)",
        error_text(d)
    );
    exit::USAGE
}

/// `DIR/<table>.parquet`, open for writing through a temporary file.
type Output = (std::path::PathBuf, Box<dyn kql_io::output::Sink>, String);

fn open(dir: &Path, table: &str, schema: &arrow_schema::SchemaRef) -> Result<Output, Diag> {
    let path = dir.join(format!("{table}.parquet"));
    let sink = kql_io::output::sink(
        OutputFormat::Parquet,
        schema.clone(),
        Destination::file(&path),
        &OutputOptions::default(),
    )
    .map_err(Diag::new)?;
    Ok((path, sink, table.to_string()))
}

/// Moves a file opened by [`open`] into place, complete.
fn close((path, sink, table): Output, quiet: bool) -> Result<(), Diag> {
    let summary = sink.finish().map_err(Diag::new)?;
    if !quiet {
        eprintln!(
            "{} of {table} written to {} ({})",
            super::rows(summary.rows),
            path.display(),
            super::size(summary.bytes)
        );
    }
    Ok(())
}

/// Writes `DIR/<table>.parquet` through a temporary file, batch by batch
/// (nothing is left behind when a batch cannot be read or written).
fn write(
    dir: &Path,
    table: &str,
    schema: &arrow_schema::SchemaRef,
    batches: impl Iterator<Item = Result<RecordBatch, Diag>>,
    quiet: bool,
) -> Result<(), Diag> {
    let mut out = open(dir, table, schema)?;
    for batch in batches {
        out.1.write(&batch?).map_err(Diag::new)?;
    }
    close(out, quiet)
}
