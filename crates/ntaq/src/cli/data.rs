//! The flags of the commands that read data, each defined once here:
//! where the tables come from (`--data`, `--table`, `--lenient`), raw flow
//! logs and what enriches them (`--flow-logs`, `--topology`,
//! `--service-tags`, `--threat-intel`, `--geoip`, `--interval`), and the
//! values queries see (`--param`, `--now`).
//!
//! [`DataArgs`] is the one flattened group: `run`, `pack run` and the shell
//! take all of it; `check`/`plan`, `convert` and `recommend` take the parts
//! that apply to them (its type parameters, [`Without`] for a part a
//! command does not take) and say their own help texts through their
//! `mut_args`. The help texts written here are `run`'s.

pub use crate::session::TableArg;
use clap::Args;
use std::path::PathBuf;

/// A part of [`DataArgs`] a command does not take: no flags.
#[derive(Args, Debug, Clone, Copy, Default)]
#[group(skip)]
pub struct Without {}

/// Where a command's tables come from, and the values its queries see.
#[derive(Args, Debug, Clone, Default)]
pub struct DataArgs<S: Args = Sources, F: Args = FlowLogArgs, Q: Args = QueryArgs> {
    /// `--data`, `--table`.
    #[command(flatten)]
    pub sources: S,

    /// Skip (and count) rows of text exports with values that do not fit
    /// their column, and malformed flow-log records, instead of failing.
    #[arg(long)]
    pub lenient: bool,

    /// The flow-log flags.
    #[command(flatten)]
    pub flow: F,

    /// `--param` (and `--now`).
    #[command(flatten)]
    pub query: Q,
}

/// Tables from files: `--data`, `--table`.
#[derive(Args, Debug, Clone, Default)]
pub struct Sources {
    /// Directory of tables: <Table>.parquet, .csv, .json, .jsonl (.gz) files
    /// or <Table>/ folders of them.
    #[arg(long, value_name = "DIR", env = "NTAQ_DATA")]
    pub data: Option<PathBuf>,

    /// A table from a file or a folder of files (Parquet, CSV, JSON, JSON
    /// lines, optionally .gz), e.g. `--table NTANetAnalytics=flows.csv`.
    /// Repeatable; replaces a --data table of the same name.
    #[arg(long = "table", value_name = "NAME=PATH", value_parser = parse_table_arg)]
    pub tables: Vec<TableArg>,
}

impl Sources {
    /// Neither --data nor --table was given.
    pub fn is_empty(&self) -> bool {
        self.data.is_none() && self.tables.is_empty()
    }
}

/// `--table NAME=PATH`.
pub fn parse_table_arg(text: &str) -> Result<TableArg, String> {
    let Some((name, path)) = text.split_once('=') else {
        return Err(format!("`{text}` is not NAME=PATH, e.g. NTANetAnalytics=exports/flows.csv"));
    };
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!("`{name}` is not a table name (letters, digits and _, not starting with a digit)"));
    }
    if path.is_empty() {
        return Err(format!("--table {name}= needs a path after the `=`"));
    }
    Ok(TableArg { name: name.to_string(), path: PathBuf::from(path) })
}

/// The values of a query's parameters and of `now()`: `--param`, `--now`.
#[derive(Args, Debug, Clone, Default)]
pub struct QueryArgs {
    #[command(flatten)]
    pub param: ParamArgs,

    /// Fix now() and ago() to this instant (ISO 8601 UTC), for reproducible runs.
    #[arg(long, value_name = "ISO")]
    pub now: Option<String>,
}

/// `--param`: values (`run`) or declarations (`check`, see
/// [`crate::params::ParamSpec`]: one list serves both).
#[derive(Args, Debug, Clone, Default)]
pub struct ParamArgs {
    /// A value for a query parameter or workbook placeholder, e.g.
    /// `--param start=2025-06-01T00:00:00Z` or
    /// `--param timeInterval:startISO=2025-06-01T00:00:00Z`. Repeatable.
    /// VALUE is a KQL literal (datetime(…), 42, 1.5, true, 1h), an ISO 8601
    /// instant, or else text.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

/// Raw flow-log blobs, and the files that enrich the tables derived from
/// them (docs/flow-logs.md).
#[derive(Args, Debug, Clone, Default)]
pub struct FlowLogArgs {
    #[command(flatten)]
    pub logs: FlowLogs,

    #[command(flatten)]
    pub azure: AzureExports,

    /// Threat indicators (CSV or JSON with NTAIpDetails column names), for
    /// MaliciousFlow and NTAIpDetails.
    #[arg(long, value_name = "PATH", requires = "flow_logs")]
    pub threat_intel: Option<PathBuf>,

    /// A MaxMind-format .mmdb database, for Location and Country.
    #[arg(long, value_name = "PATH", requires = "flow_logs")]
    pub geoip: Option<PathBuf>,

    #[command(flatten)]
    pub interval: FlowInterval,
}

impl FlowLogArgs {
    /// The flow-log folders (`--flow-logs`); empty without them.
    pub fn flow_logs(&self) -> &[PathBuf] {
        &self.logs.flow_logs
    }

    /// The processing interval of the derived tables (`--interval`).
    pub fn interval(&self) -> nta_flowlogs::Interval {
        self.interval.interval
    }

    /// The enrichment inputs as the deriving code takes them.
    pub fn enrichment(&self) -> nta_flowlogs::EnrichmentPaths {
        nta_flowlogs::EnrichmentPaths {
            topology: self.azure.topology.clone(),
            service_tags: self.azure.service_tags.clone(),
            threat_intel: self.threat_intel.clone(),
            geoip: self.geoip.clone(),
        }
    }
}

/// `--flow-logs`.
#[derive(Args, Debug, Clone, Default)]
pub struct FlowLogs {
    /// A folder of NSG or VNet flow-log blobs: the PT1H.json files as `az
    /// storage blob download-batch` or azcopy download them (any depth;
    /// recognised by content, other JSON files are skipped). Exposes
    /// FlowTuples (one row per flow tuple), and NTANetAnalytics and
    /// NTAIpDetails derived from it when a query reads them. Repeatable.
    #[arg(long = "flow-logs", value_name = "DIR")]
    pub flow_logs: Vec<PathBuf>,
}

/// `--topology`, `--service-tags`: Azure's exports, which enrich flow logs
/// (and place `recommend`'s rules).
#[derive(Args, Debug, Clone, Default)]
pub struct AzureExports {
    /// Azure CLI JSON of the network (`az network vnet list`, `az network
    /// nic list`, `az vm list`, …: files or a folder), for subnets, VMs and
    /// FlowType of the derived tables. Repeatable.
    #[arg(long, value_name = "PATH", requires = "flow_logs")]
    pub topology: Vec<PathBuf>,

    /// Microsoft's service tags JSON (ServiceTags_Public_*.json), for
    /// AzurePublic vs ExternalPublic and Azure regions.
    #[arg(long, value_name = "PATH", requires = "flow_logs")]
    pub service_tags: Option<PathBuf>,
}

/// `--interval`.
#[derive(Args, Debug, Clone, Default)]
pub struct FlowInterval {
    /// Traffic analytics' processing interval the derived tables aggregate over.
    #[arg(long, value_name = "10m|60m", default_value = "60m", requires = "flow_logs")]
    pub interval: nta_flowlogs::Interval,
}

/// `recommend`'s Azure inputs: flow logs (instead of NTANetAnalytics
/// exports), the current NSGs and the exports that place the rules.
#[derive(Args, Debug, Clone, Default)]
pub struct RecommendInputs {
    #[command(flatten)]
    pub logs: FlowLogs,

    #[command(flatten)]
    pub interval: FlowInterval,

    /// The current NSGs: `az network nsg list -o json` output (a file or a
    /// folder of *.json). Gives priorities to avoid, the default-only
    /// replay and the unused rules. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub nsg: Vec<PathBuf>,

    #[command(flatten)]
    pub azure: AzureExports,
}

impl RecommendInputs {
    /// The flow-log flags as `run --flow-logs` takes them: the same
    /// reading and derivation, enriched with the same --topology and
    /// --service-tags.
    pub fn flow_log_args(&self) -> FlowLogArgs {
        FlowLogArgs {
            logs: self.logs.clone(),
            azure: self.azure.clone(),
            interval: self.interval.clone(),
            ..FlowLogArgs::default()
        }
    }
}
