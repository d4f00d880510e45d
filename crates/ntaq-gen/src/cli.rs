//! The `ntaq-gen` command line (here so tests parse the same arguments).

use crate::flowlogs::{FlowLogConfig, FlowLogKind, FlowLogPlan, FlowLogSummary, TimeUnit};
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
///
/// `ntaq-gen flow-logs` writes raw NSG and VNet flow-log blobs of the same
/// topology instead (see `ntaq-gen flow-logs --help`).
#[derive(Debug, Parser)]
#[command(
    name = "ntaq-gen",
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  \
        ntaq-gen --rows 2000 --seed 20250601 --start 2025-06-01T00:00:00Z --hours 24 --out testdata/sample\n  \
        ntaq-gen --rows 10000000 --files 16 --out /tmp/nta-10m\n  \
        ntaq-gen flow-logs --out /tmp/flowlogs"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Number of NTANetAnalytics rows (flow records) to generate.
    #[arg(long, value_name = "N", required = true)]
    pub rows: Option<usize>,

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
    #[arg(long, value_name = "DIR", required = true)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    FlowLogs(FlowLogArgs),
}

/// Write raw flow-log blobs (NSG flow logs v1 and v2, VNet flow logs) of the
/// synthetic topology, in Azure Storage's folder layout, with the matching
/// `az` CLI JSON (topology/), a ServiceTags_Public_*.json and a
/// threat-intel.csv.
///
/// One blob per NIC per hour. NICs are VMs taken round-robin over the six
/// VNets; VNets 1, 3, 5 (counting from 1) have VNet flow logs (timestamps in
/// milliseconds, seconds, milliseconds), VNets 2, 4, 6 NSG flow logs on
/// their subnets' NSGs (version 2 or 1 by subnet): with --nics 4 or more
/// every kind occurs. The newest hour's last blob is cut mid-record, as a
/// blob still being written (--no-partial: not). Same arguments ⇒ same bytes, on any
/// number of cores.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    ntaq-gen flow-logs --hours 2 --nics 8 --records-per-hour 6 --tuples-per-record 6 --out testdata/flowlogs/generated\n  \
    ntaq-gen flow-logs --target-bytes 1G --out /tmp/flowlogs-1g")]
pub struct FlowLogArgs {
    /// Seed of the topology and of every record.
    #[arg(long, value_name = "S", default_value_t = crate::SAMPLE_SEED)]
    pub seed: u64,

    /// Size the topology's public IP pools as `ntaq-gen --rows R` does.
    #[arg(long, value_name = "R", default_value_t = crate::SAMPLE_ROWS)]
    pub topology_rows: usize,

    /// First hour, RFC 3339 on an hour boundary.
    #[arg(long, value_name = "ISO", default_value = crate::SAMPLE_START, value_parser = parse_start)]
    pub start: DateTime<Utc>,

    /// Hours (one blob per NIC per hour).
    #[arg(long, value_name = "H", default_value_t = 3)]
    pub hours: u32,

    /// NICs with flow logs.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub nics: usize,

    /// Records per blob, 1–60 (one per minute at most).
    #[arg(long, value_name = "R", default_value_t = 60)]
    pub records_per_hour: u32,

    /// Flow tuples per record.
    #[arg(long, value_name = "T", default_value_t = 8)]
    pub tuples_per_record: usize,

    /// Choose --tuples-per-record so the blobs total about this size (e.g. 1G, 500M, 2GiB).
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub target_bytes: Option<u64>,

    /// Write the newest hour's last blob whole too.
    #[arg(long)]
    pub no_partial: bool,

    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

impl FlowLogArgs {
    pub fn config(&self) -> FlowLogConfig {
        FlowLogConfig {
            seed: self.seed,
            topology_rows: self.topology_rows,
            start: self.start,
            hours: self.hours,
            nics: self.nics,
            records_per_hour: self.records_per_hour,
            tuples_per_record: self.tuples_per_record,
            target_bytes: self.target_bytes,
            partial_last: !self.no_partial,
        }
    }
}

/// `1000`, `500M`, `1G`, `2GiB`: decimal (k, M, G, T) or binary (Ki, Mi, Gi, Ti) units, an optional `B`.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t.strip_suffix(['B', 'b']).unwrap_or(t);
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: u64 = num.parse().map_err(|_| format!("`{s}` is not a size such as 1000, 500M, 1G or 2GiB"))?;
    let mult: u64 = match unit {
        "" => 1,
        "k" | "K" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (use k, M, G, T or Ki, Mi, Gi, Ti)")),
    };
    n.checked_mul(mult).filter(|&b| b > 0).ok_or_else(|| format!("`{s}` must be a positive size below 16 EB"))
}

fn parse_start(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as 2025-06-01T00:00:00Z ({e})"))
}

impl Args {
    pub fn config(&self) -> GenConfig {
        GenConfig {
            rows: self.rows.unwrap_or_default(),
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
    let out = args.out.as_deref().ok_or_else(|| GenError::Config("--out is required".into()))?;
    generate(&args.config(), out)
}

/// A human summary of a flow-log run.
pub fn describe_flow_logs(s: &FlowLogSummary, out: &std::path::Path) -> String {
    let mut kinds: std::collections::BTreeMap<String, (usize, u64)> = std::collections::BTreeMap::new();
    for b in &s.blobs {
        let unit = match b.unit {
            TimeUnit::Seconds => "s",
            TimeUnit::Milliseconds => "ms",
        };
        let name = match b.kind {
            FlowLogKind::Nsg => format!("NSG v{} ({unit})", b.version),
            FlowLogKind::Vnet => format!("VNet v{} ({unit})", b.version),
        };
        let e = kinds.entry(name).or_default();
        e.0 += 1;
        e.1 += b.tuples;
    }
    let mix: Vec<String> = kinds.iter().map(|(k, (n, t))| format!("{k}: {n} blobs, {t} tuples")).collect();
    let partial = s.blobs.iter().filter(|b| b.partial).count();
    format!(
        "flow logs: {} blobs ({} partial), {} tuples ({} per record), {:.1} MB → {}\n{}\ntopology: {} files → {}\nservice tags → {}\nthreat intel → {}\n",
        s.blobs.len(),
        partial,
        s.tuples,
        s.tuples_per_record,
        s.blob_bytes as f64 / 1e6,
        out.join("flowlogs").display(),
        mix.join("; "),
        s.topology.len(),
        out.join("topology").display(),
        s.service_tags.display(),
        s.threat_intel.display(),
    )
}

fn run_flow_logs(args: &FlowLogArgs) -> Result<String, GenError> {
    let summary = FlowLogPlan::new(&args.config())?.write(&args.out)?;
    Ok(describe_flow_logs(&summary, &args.out))
}

/// `main` of the binary.
pub fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.command {
        Some(Command::FlowLogs(f)) => run_flow_logs(f),
        None => run(&args).map(|s| describe(&s)),
    };
    match result {
        Ok(text) => {
            // A closed stdout (e.g. `| head`) is not a failure of the run.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "ntaq-gen: {e}");
            ExitCode::FAILURE
        }
    }
}
