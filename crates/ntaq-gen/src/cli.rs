//! The `ntaq-gen` command line (here so tests parse the same arguments).

use crate::{Codec, GenConfig, GenError, Summary, generate};
use chrono::{DateTime, Utc};
use clap::Parser;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Generate synthetic, deterministic Traffic Analytics data (NTANetAnalytics
/// and NTAIpDetails) as Parquet files that ntaq can query.
///
/// The same --rows, --seed, --start and --hours always give the same rows,
/// whatever --files, --batch-rows, --row-group-rows or the number of cores.
/// The output directory gets NTANetAnalytics.parquet (or, with --files K > 1,
/// NTANetAnalytics/part-00000.parquet …) and NTAIpDetails.parquet; files of a
/// previous run with another --files layout are replaced.
#[derive(Debug, Parser)]
#[command(
    name = "ntaq-gen",
    version,
    after_help = "Examples:\n  \
        ntaq-gen --rows 2000 --seed 20250601 --start 2025-06-01T00:00:00Z --hours 24 --out testdata/sample\n  \
        ntaq-gen --rows 10000000 --files 16 --out /tmp/nta-10m"
)]
pub struct Args {
    /// Number of NTANetAnalytics rows (flow records) to generate.
    #[arg(long, value_name = "N")]
    pub rows: usize,

    /// Seed of the topology and of every row.
    #[arg(long, value_name = "S", default_value_t = crate::SAMPLE_SEED)]
    pub seed: u64,

    /// Start of the time window, RFC 3339 on an hour boundary.
    #[arg(long, value_name = "ISO", default_value = crate::SAMPLE_START, value_parser = parse_start)]
    pub start: DateTime<Utc>,

    /// Length of the window in hours (one-hour flow intervals).
    #[arg(long, value_name = "H", default_value_t = crate::SAMPLE_HOURS)]
    pub hours: u32,

    /// Split NTANetAnalytics into K files in a NTANetAnalytics/ folder.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub files: usize,

    /// Rows per generated batch (the unit of parallel work and of memory).
    #[arg(long, value_name = "B", default_value_t = 16_384)]
    pub batch_rows: usize,

    /// Maximum rows per Parquet row group.
    #[arg(long, value_name = "R", default_value_t = 131_072)]
    pub row_group_rows: usize,

    /// Parquet compression.
    #[arg(long, value_enum, default_value_t = Codec::Zstd)]
    pub compression: Codec,

    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn parse_start(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as 2025-06-01T00:00:00Z ({e})"))
}

impl Args {
    pub fn config(&self) -> GenConfig {
        GenConfig {
            rows: self.rows,
            seed: self.seed,
            start: self.start,
            hours: self.hours,
            files: self.files,
            batch_rows: self.batch_rows,
            row_group_rows: self.row_group_rows,
            max_batches_in_flight: 0,
            compression: self.compression,
        }
    }
}

/// A human summary of a run.
pub fn describe(summary: &Summary) -> String {
    let mut s = String::new();
    let files: Vec<String> = summary.net_files.iter().map(|p| p.display().to_string()).collect();
    let first = files.first().map_or("", String::as_str);
    let net = if files.len() > 1 { format!("{first} … ({} files)", files.len()) } else { first.to_string() };
    s.push_str(&format!("NTANetAnalytics: {} rows, {} row groups → {net}\n", summary.net_rows, summary.row_groups));
    s.push_str(&format!(
        "NTAIpDetails:    {} rows ({} distinct public IPs) → {}\n",
        summary.ip_rows,
        summary.public_ips,
        summary.ip_file.display()
    ));
    let mix: Vec<String> = summary.flow_types.iter().map(|(k, v)| format!("{k} {v}")).collect();
    s.push_str(&format!(
        "FlowLog rows by FlowType: {}; StatusMessage rows: {}\n",
        mix.join(", "),
        summary.status_messages
    ));
    s.push_str(&format!(
        "{} batches (at most {} in memory), {:.1} MB written\n",
        summary.batches,
        summary.max_batches_in_flight,
        summary.bytes as f64 / 1e6
    ));
    s
}

pub fn run(args: &Args) -> Result<Summary, GenError> {
    generate(&args.config(), &args.out)
}

/// `main` of the binary.
pub fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(summary) => {
            // A closed stdout (e.g. `| head`) is not a failure of the run.
            let _ = std::io::stdout().lock().write_all(describe(&summary).as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "ntaq-gen: {e}");
            ExitCode::FAILURE
        }
    }
}
