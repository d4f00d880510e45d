//! Command-line interface: argument definitions and dispatch.

use crate::commands;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

mod data;

pub use data::{
    AzureExports, DataArgs, FlowInterval, FlowLogArgs, FlowLogs, ParamArgs, QueryArgs, RecommendInputs, Sources,
    TableArg, Without, parse_table_arg,
};

/// Exit statuses, stable for scripts.
pub mod exit {
    /// Everything ran / every file is valid.
    pub const OK: u8 = 0;
    /// Some query has an error.
    pub const ERRORS: u8 = 1;
    /// Bad command line, or a file or directory could not be read.
    pub const USAGE: u8 = 2;
    /// No errors, but some query uses KQL that ntaq does not implement.
    pub const UNSUPPORTED: u8 = 3;
    /// Ctrl-C stopped a run (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: u8 = 130;

    /// The worse of two exit statuses: a usage or I/O error (or an
    /// interruption), then a query error, then unsupported KQL (reported
    /// only when nothing else failed).
    pub fn worse(a: u8, b: u8) -> u8 {
        let rank = |s: u8| match s {
            OK => 0,
            UNSUPPORTED => 1,
            ERRORS => 2,
            _ => 3,
        };
        if rank(b) > rank(a) { b } else { a }
    }

    /// The status a set of diagnostics calls for: the worst of theirs.
    pub fn of<'a>(diagnostics: impl IntoIterator<Item = &'a crate::diagnostic::Diag>) -> u8 {
        diagnostics.into_iter().map(crate::diagnostic::Diag::status).fold(OK, worse)
    }
}

const ABOUT: &str = "Run Microsoft's Zero Trust traffic-analytics KQL queries offline";

const LONG_ABOUT: &str = "\
ntaq runs KQL (Kusto Query Language) over NTANetAnalytics and NTAIpDetails
exported from Log Analytics, and checks queries offline the way the Azure
editor does.";

const AFTER_HELP: &str = "\
Examples:
  ntaq                                      # the shell, on the bundled sample
  ntaq repl --data exports/
  ntaq run queries/scenario2.kql --data testdata/sample --now 2025-06-02T00:00:00Z
  ntaq run queries/scenario4.kql --data DIR --param start=2025-06-01 --param end=2025-06-02 --format csv
  ntaq check queries/*.kql --param start:datetime --param end:datetime
  ntaq check --format github queries/*.kql
  ntaq run queries/scenario1.kql --table NTANetAnalytics=flows.csv --table NTAIpDetails=ips.json
  ntaq convert exports/NTANetAnalytics/ --table NTANetAnalytics -o data/NTANetAnalytics.parquet
  ntaq pack list                            # the zero-trust query pack
  ntaq pack run blast-radius-ip --param ip=10.163.0.7 --param hops=3
  ntaq run -c 'FlowTuples | summarize sum(BytesSrcToDest) by DestIp | top 5 by sum_BytesSrcToDest' --flow-logs blobs/
  ntaq parse --format kql queries/scenario2.kql";

const RUN_AFTER_HELP: &str = "\
Examples:
  ntaq run queries/scenario2.kql --now 2025-06-02T00:00:00Z
  ntaq run queries/scenario2.kql --now 2025-06-02T00:00:00Z --format line
  ntaq run queries/scenario2.kql --now 2025-06-02T00:00:00Z -o scenario2.md
  ntaq run 'queries/scenario[12].kql' --output-dir reports/ --format json
  ntaq run -c 'NTAIpDetails | summarize count() by FlowType' --format json
  ntaq run queries/scenario4.kql --param start=2025-06-01 --param end=2025-06-02 -o s4.parquet
  ntaq run -c 'FlowTuples | where FlowStatus == \"D\" | summarize count() by SrcIp' --flow-logs blobs/
  ntaq run queries/scenario2.kql --flow-logs blobs/ --topology az/ --service-tags ServiceTags_Public.json";

const CHECK_AFTER_HELP: &str = "\
Examples:
  ntaq check 'queries/*.kql' --param start:datetime --param end:datetime
  ntaq check --format github --param start:datetime=2025-06-01 --param end:datetime=2025-06-02 'queries/*.kql'
  ntaq check --data exports/ queries/my-report.kql
  ntaq check --target adx queries/my-report.kql
  ntaq check -c 'NTAIpDetails | where Ipp == \"1.2.3.4\"'";

const REPL_AFTER_HELP: &str = "\
Examples:
  ntaq repl
  ntaq repl --data exports/ --now 2025-06-02T00:00:00Z
  ntaq repl --param timeInterval:startISO=2025-06-01T00:00:00Z --param timeInterval:endISO=2025-06-02T00:00:00Z
  ntaq repl --flow-logs blobs/ --topology az/ --lenient";

const PACK_AFTER_HELP: &str = "\
Examples:
  ntaq pack list
  ntaq pack show blast-radius-ip
  ntaq pack run denied-by-rule
  ntaq pack run blast-radius-ip --param ip=10.163.0.7 --param hops=3 --format csv
  ntaq pack run azure-services --data exports/ --now 2025-06-02T00:00:00Z
  ntaq pack run candidate-allow-rules --data exports/ --param start=2025-06-01 --param end=2025-06-08 -o rules.csv";

const PARSE_AFTER_HELP: &str = "\
Examples:
  ntaq parse --format kql queries/scenario2.kql      # printed back canonically
  ntaq parse --format json -c 'NTAIpDetails | take 3'";

const PLAN_AFTER_HELP: &str = "\
Examples:
  ntaq plan queries/scenario3.kql
  ntaq plan --optimized --param start:datetime --param end:datetime queries/scenario4.kql";

const RECOMMEND_AFTER_HELP: &str = "\
Examples:
  ntaq recommend                                       # the bundled sample, a report
  ntaq recommend --data exports/ --nsg nsgs.json --topology vnets.json
  ntaq recommend --data exports/ --topology vnets.json --window 7d --min-flows 5
  ntaq recommend --data exports/ --window 2025-06-01T00:00:00Z..2025-06-02T00:00:00Z --aggregate prefix
  ntaq recommend --data exports/ --nsg nsgs.json --format az -o apply-rules.sh
  ntaq recommend --data exports/ --nsg nsgs.json --format bicep -o nsg-rules.bicep
  ntaq recommend --format html -o recommend.html
  ntaq recommend --flow-logs blobs/ --topology az/ --nsg az/nsgs.json    # raw flow logs, no traffic analytics

Inputs: NSG and topology files are the JSON that `az network nsg list -o json`,
`az network vnet list -o json` (and nic list) print; --service-tags is
ServiceTags_Public_*.json. See docs/recommend.md.";

const CONVERT_AFTER_HELP: &str = "\
Examples:
  ntaq convert NTANetAnalytics.csv -o data/NTANetAnalytics.parquet
  ntaq convert exports/am-ntanetanalytics/ --table NTANetAnalytics -o data/NTANetAnalytics.parquet
  ntaq convert ips.json --table NTAIpDetails -o data/NTAIpDetails.parquet --lenient
  ntaq convert --flow-logs blobs/ --topology az/ --service-tags ServiceTags_Public.json --output-dir data/";

#[derive(Parser, Debug)]
#[command(name = "ntaq", version, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Without a command: the interactive shell (`ntaq repl`).
    #[command(flatten)]
    pub repl: ReplArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check queries offline: syntax, tables, columns, functions and types.
    ///
    /// Exit status: 0 all files valid, 1 some file has an error, 2 usage or
    /// I/O error, 3 no errors but some file uses KQL that ntaq does not
    /// implement.
    #[command(after_help = CHECK_AFTER_HELP)]
    Check(CheckArgs),
    /// Run queries over a data directory and print or write their results.
    ///
    /// FILE arguments may be glob patterns (`'queries/*.kql'`), expanded by
    /// ntaq when the shell did not. Every query runs, unless --fail-fast;
    /// with several, a summary on standard error names the failed ones.
    ///
    /// Exit status: 0 every query ran, 1 a query has an error, 2 usage or
    /// I/O error, 3 no errors but a query uses KQL that ntaq does not
    /// implement.
    #[command(after_help = RUN_AFTER_HELP)]
    Run(RunArgs),
    /// The interactive shell (the default without a command).
    ///
    /// On a terminal: a line editor with completion and history. With
    /// piped input: each blank-line-separated block is one entry (a query,
    /// or `.command` lines), and the exit status is 1 if an entry failed.
    #[command(after_help = REPL_AFTER_HELP)]
    Repl(ReplArgs),
    /// Turn Log Analytics text exports into one typed, compressed Parquet
    /// file, or flow-log blobs into FlowTuples, NTANetAnalytics and
    /// NTAIpDetails Parquet files (--flow-logs DIR --output-dir OUT).
    ///
    /// INPUTs are the portal's CSV, the Azure CLI's JSON, data export's JSON
    /// lines (any of them .gz), or folders of them; together they make one
    /// table. NTANetAnalytics and NTAIpDetails get every published column
    /// with its published type (columns the exports lack are written
    /// empty); other tables' types are inferred. The file is replaced only
    /// when complete.
    ///
    /// Exit status: 0 written, 2 usage error or a file that cannot be read
    /// (a bad value, a ragged row: file, line and column are named).
    #[command(after_help = CONVERT_AFTER_HELP)]
    Convert(ConvertArgs),
    /// Least-privilege NSG allow rules from the observed flows, with a
    /// default-deny replay and the rules no flow used.
    ///
    /// Reads NTANetAnalytics (--data, else the bundled sample), groups the
    /// allowed flows per NSG (AclGroup, else the topology's NSG of the
    /// protected subnet or NIC), and writes per NSG the fewest allow rules
    /// that admit exactly the observed flows at the chosen granularity;
    /// then replays the flows through those rules plus a final deny (none
    /// may be blocked) and through the current NSG export (flows allowed
    /// only by default or broad rules; rules with no hit).
    ///
    /// Exit status: 0 written, 1 the rules cannot be placed (priorities
    /// exhausted) or the flows cannot be read, 2 usage or I/O error.
    #[command(after_help = RECOMMEND_AFTER_HELP)]
    Recommend(RecommendArgs),
    /// The zero-trust query pack built into ntaq: list, show and run its
    /// queries by name.
    ///
    /// The queries are those of queries/zero-trust/ (the article's four,
    /// then blast radius, denied flows, top talkers, new pairs, flows only
    /// default rules allow, candidate allow rules, unused rules). Each
    /// declares its parameters with defaults that fit the bundled sample;
    /// `--param NAME=VALUE` changes them.
    #[command(after_help = PACK_AFTER_HELP)]
    Pack(PackArgs),
    /// Parse a query and print its syntax tree.
    #[command(after_help = PARSE_AFTER_HELP)]
    Parse(ParseArgs),
    /// Bind a query and print its logical plan with each step's schema.
    #[command(after_help = PLAN_AFTER_HELP)]
    Plan(PlanArgs),
    /// Print a shell completion script, e.g.
    /// `ntaq completions bash > ~/.local/share/bash-completion/completions/ntaq`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `ntaq man > ~/.local/share/man/man1/ntaq.1`.
    Man,
}

/// `--lenient` of the commands that read no flow logs.
const LENIENT_TEXT_ONLY: &str =
    "Skip (and count) rows of text exports with values that do not fit their column, instead of failing";

/// The help texts `check` and `plan` give the shared flags; `--data` is
/// not read from $NTAQ_DATA there (without it, the published schemas).
fn catalog_help(a: clap::Arg) -> clap::Arg {
    match a.get_id().as_str() {
        "data" => a.env(None::<&'static str>).help(
            "Directory of tables: <Table>.parquet, .csv, .json, .jsonl (.gz) files or <Table>/ folders of them. \
             Without it (and --table), the published NTANetAnalytics and NTAIpDetails schemas are used",
        ),
        "lenient" => a.help(LENIENT_TEXT_ONLY),
        "params" => a.value_name("NAME:TYPE").help(
            "Declare a query parameter by type, e.g. `--param start:datetime`; `run`'s forms are accepted too, \
             so one list serves both: `NAME:TYPE=VALUE` declares TYPE, `start=2025-06-01T00:00:00Z` the value's \
             type, and workbook placeholders (`timeInterval:startISO=…`) are left to the text. Repeatable. Types: \
             bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic",
        ),
        _ => a,
    }
}

/// The help texts the shell gives the shared flags.
fn repl_help(a: clap::Arg) -> clap::Arg {
    match a.get_id().as_str() {
        "data" => a.help(
            "Directory of tables: <Table>.parquet, .csv, .json, .jsonl (.gz) files or <Table>/ folders of them. \
             Without it (and --table), the bundled sample",
        ),
        "lenient" => a.help(
            "Skip (and count) rows of text exports with values that do not fit their column, and malformed \
             flow-log records, instead of failing (also for `.load`)",
        ),
        "params" => a.help(
            "A value for a query parameter or workbook placeholder (as for `run`); `.param` changes them in \
             the shell. Repeatable",
        ),
        "now" => a.help("Fix now() and ago() to this instant (ISO 8601 UTC); `.now` changes it"),
        _ => a,
    }
}

/// The help texts `recommend` gives the shared flags.
fn recommend_help(a: clap::Arg) -> clap::Arg {
    match a.get_id().as_str() {
        "data" => a.help(
            "Directory of tables with NTANetAnalytics (as for `run`). Without it (and --table), the bundled sample",
        ),
        "tables" => {
            a.help("A table from a file or a folder of files, e.g. `--table NTANetAnalytics=flows.csv`. Repeatable")
        }
        "lenient" => a.help(LENIENT_TEXT_ONLY),
        "flow_logs" => a.conflicts_with_all(["data", "tables"]).help(
            "Raw NSG or VNet flow-log blobs instead of NTANetAnalytics exports (as for `run --flow-logs`): \
             NTANetAnalytics is derived from them, enriched with --topology and --service-tags. Repeatable",
        ),
        "interval" => a.help("With --flow-logs: traffic analytics' processing interval"),
        // The exports place the rules with or without flow logs.
        "topology" => a.requires(clap::builder::Resettable::<clap::Id>::Reset).help(
            "`az network vnet list -o json` output (also nic, vnet-gateway): subnet prefixes for --aggregate \
             subnet, the VirtualNetwork tag, and the NSG of flows whose AclGroup is `Unspecified`. Repeatable",
        ),
        "service_tags" => a.requires(clap::builder::Resettable::<clap::Id>::Reset).help(
            "Microsoft's ServiceTags_Public_*.json, for NSG rules that name service tags other than \
             VirtualNetwork, Internet, AzureLoadBalancer",
        ),
        _ => a,
    }
}

/// The help texts `convert` gives the shared flags, and their order
/// (`--lenient` after the flow-log flags, as it always was).
fn convert_help(a: clap::Arg) -> clap::Arg {
    const ORDER: &[&str] = &[
        "table",
        "output",
        "output_dir",
        "flow_logs",
        "topology",
        "service_tags",
        "threat_intel",
        "geoip",
        "interval",
        "lenient",
        "quiet",
    ];
    let a = match ORDER.iter().position(|id| a.get_id() == *id) {
        Some(k) => a.display_order(k),
        None => a,
    };
    match a.get_id().as_str() {
        "lenient" => a.help(
            "Skip (and count) rows with values that do not fit their column (and malformed flow-log records), \
             instead of failing",
        ),
        _ => a,
    }
}

/// Where table schemas come from and which query parameters exist.
#[derive(Args, Debug, Clone)]
#[command(mut_args(catalog_help))]
pub struct CatalogArgs {
    #[command(flatten)]
    pub data: DataArgs<Sources, Without, ParamArgs>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub catalog: CatalogArgs,

    /// How to report diagnostics.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,

    /// The service the queries will run in: also report what it does not
    /// accept (Log Analytics: render visualizations and properties beyond
    /// its own, management commands, cross-cluster functions, plugins that
    /// reach outside; Azure Data Explorer: Azure Monitor's workspace(),
    /// app(), resource()).
    #[arg(long, value_enum, default_value_t = CheckTarget::LogAnalytics)]
    pub target: CheckTarget,

    /// Query files to check (`-` reads standard input; glob patterns such
    /// as 'queries/*.kql' are expanded).
    #[arg(required_unless_present = "command", value_name = "FILE")]
    pub files: Vec<String>,

    /// Check this query text instead of files (shown as `<command>`).
    #[arg(long = "command", short = 'c', value_name = "QUERY", conflicts_with = "files")]
    pub command: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckTarget {
    /// Log Analytics (Azure Monitor logs, Microsoft Sentinel).
    LogAnalytics,
    /// Azure Data Explorer.
    Adx,
}

impl CheckTarget {
    pub fn target(self) -> kql_syntax::target::Target {
        match self {
            CheckTarget::LogAnalytics => kql_syntax::target::Target::LogAnalytics,
            CheckTarget::Adx => kql_syntax::target::Target::Adx,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    /// Source excerpts with labels, on standard error.
    Human,
    /// One JSON array with an object per file, on standard output.
    Json,
    /// GitHub Actions annotations (::error file=…), on standard output.
    Github,
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub options: RunOptions,

    /// Run this query text instead of files (shown as `<command>`).
    #[arg(long = "command", short = 'c', value_name = "QUERY", conflicts_with = "files")]
    pub command: Option<String>,

    /// Query files or glob patterns (`queries/*.kql`, matched in sorted
    /// order); `-` reads standard input.
    #[arg(required_unless_present = "command", value_name = "FILE")]
    pub files: Vec<String>,
}

impl std::ops::Deref for RunArgs {
    type Target = RunOptions;
    fn deref(&self) -> &RunOptions {
        &self.options
    }
}

/// How `run` and `pack run` read data and write results (everything but
/// which queries to run).
#[derive(Args, Debug, Clone)]
pub struct RunOptions {
    #[command(flatten)]
    pub data: DataArgs,

    /// Output format (default: from --output's extension, else table; csv
    /// with --output-dir).
    #[arg(long, value_enum)]
    pub format: Option<RunFormat>,

    /// Fit tables (and line records) on standard output to N columns,
    /// cutting long cells with `…` (a path keeps its last segment); 0 never
    /// cuts. Default: $COLUMNS, else the terminal's width; nothing is cut
    /// when standard output is not a terminal, nor in files.
    #[arg(long, value_name = "N")]
    pub max_width: Option<usize>,

    /// The source and target columns of a flow graph (--format dot,
    /// mermaid); default the first two columns.
    #[arg(long, value_name = "SRC,DST", value_parser = parse_edges_arg)]
    pub edges: Option<(String, String)>,

    /// A numeric column whose sum over each edge's rows labels the edge
    /// (--format dot, mermaid; thickens it in the --graph view).
    #[arg(long, value_name = "COL")]
    pub weight: Option<String>,

    /// With --format html (or an .html output): the result as a flow graph
    /// page (the first two columns, or --edges, are each edge's endpoints)
    /// instead of a table page.
    #[arg(long)]
    pub graph: bool,

    /// The most edges the --graph page draws (default 5000; 0 draws all):
    /// the heaviest (--weight), else those of the best-connected nodes; the
    /// page and standard error say how many were left out. DOT and Mermaid
    /// always list every pair.
    #[arg(long, value_name = "N", requires = "graph")]
    pub max_edges: Option<usize>,

    /// Write the result to FILE (written completely or not at all), every
    /// row and every cell whole. The format comes from --format, else from
    /// the extension: .csv .json .ndjson/.jsonl .parquet .md (markdown)
    /// .txt (table) .svg .html .dot .mmd (mermaid); another extension needs
    /// --format.
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,

    /// Write each result to a file in DIR (created if missing), named after
    /// its query file: `scenario1.csv`, or `scenario1.1.csv`,
    /// `scenario1.2.csv`… for a script with several results (`stdin.csv`
    /// for `-`, `command.csv` for -c). A script's files appear only if all
    /// its results succeeded.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Most rows written per result; 0 means all. Default: 100 for the
    /// table and line formats (the rest are counted), 500000 for
    /// markdown/CSV/JSON/NDJSON on standard output (Kusto's result truncation limit; a warning says when
    /// it cuts), and all rows for --output/--output-dir files.
    #[arg(long, value_name = "N")]
    pub max_rows: Option<u64>,

    /// Memory a query may hold (e.g. 512MB, 8GiB); default half the
    /// machine's memory. `summarize`, `distinct`, `sort` and `top` spill
    /// to $TMPDIR past half of it (at most 512 MiB each); other operators
    /// that need more (join build sides, a `let` used twice) stop with an
    /// error.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub max_memory: Option<u64>,

    /// Stop at the first query that fails (default: run them all).
    #[arg(long)]
    pub fail_fast: bool,

    /// No progress bar and no notes (the sample in use, row counts and
    /// times); errors and warnings still print.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct PackArgs {
    #[command(subcommand)]
    pub command: PackCommand,
}

// One value per process, parsed once: `Run` holds `run`'s options inline.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum PackCommand {
    /// List the queries: name, description, parameters and their defaults.
    List,
    /// Print a query's text; its header says what it is for, what its
    /// parameters mean and how to read its output.
    Show {
        /// The query's name (`ntaq pack list`).
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Run a query, with the options of `ntaq run` (default: on the
    /// bundled sample).
    Run {
        /// The query's name (`ntaq pack list`).
        #[arg(value_name = "NAME")]
        name: String,
        #[command(flatten)]
        options: RunOptions,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunFormat {
    /// A table for people, on standard output.
    Table,
    /// One `Column = value` line per column, a blank line between records.
    Line,
    /// A GitHub pipe table.
    Markdown,
    /// CSV with a header row.
    Csv,
    /// One JSON array of row objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A Parquet file (needs --output).
    Parquet,
    /// The query's `render` chart as SVG.
    Svg,
    /// One self-contained HTML page: the chart (if the query ends in
    /// `render`) above a table of the result.
    Html,
    /// A Graphviz DOT flow graph of an edge list (first two columns, or --edges).
    Dot,
    /// A Mermaid flowchart of an edge list (first two columns, or --edges).
    Mermaid,
}

#[derive(Args, Debug, Clone, Default)]
#[command(mut_args(repl_help))]
pub struct ReplArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// Memory a query may hold (e.g. 512MB, 8GiB); default half the
    /// machine's memory. `summarize`, `distinct`, `sort` and `top` spill
    /// to $TMPDIR past half of it (at most 512 MiB each); other operators
    /// that need more (join build sides, a `let` used twice) stop with an
    /// error.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub max_memory: Option<u64>,
}

#[derive(Args, Debug)]
#[command(mut_args(convert_help))]
pub struct ConvertArgs {
    /// Text exports: CSV, JSON or JSON-lines files (optionally .gz), or
    /// folders of them (read recursively). Together they make one table.
    #[arg(required_unless_present = "flow_logs", conflicts_with = "flow_logs", value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// The table the rows belong to; NTANetAnalytics and NTAIpDetails are
    /// typed by their published schemas. Default: named after the first
    /// INPUT (`NTANetAnalytics.csv`, `NTANetAnalytics/`, `am-ntanetanalytics/`).
    #[arg(long, value_name = "NAME", conflicts_with = "flow_logs")]
    pub table: Option<String>,

    /// The Parquet file to write.
    #[arg(long, short = 'o', value_name = "OUT.parquet", required_unless_present = "flow_logs")]
    pub output: Option<PathBuf>,

    /// With --flow-logs: the folder (created if missing) that receives
    /// FlowTuples.parquet, NTANetAnalytics.parquet and NTAIpDetails.parquet.
    #[arg(long, value_name = "DIR", requires = "flow_logs", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,

    /// `--lenient` and the flow-log flags.
    #[command(flatten)]
    pub data: DataArgs<Without, FlowLogArgs, Without>,

    /// Only errors and warnings on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `--max-memory`: a size such as 512MB, 8GiB or a number of bytes.
pub fn parse_memory(text: &str) -> Result<u64, String> {
    kql_exec::limits::parse_size(text)
        .ok_or_else(|| format!("`{text}` is not a size; write e.g. 512MB, 8GiB or a number of bytes"))
}

#[derive(Args, Debug, Clone)]
#[command(mut_args(recommend_help))]
pub struct RecommendArgs {
    /// `--data`, `--table`, `--lenient`, and the flow logs, NSGs and
    /// exports the rules come from.
    #[command(flatten)]
    pub data: DataArgs<Sources, RecommendInputs, Without>,

    /// Which flows count: a timespan (`7d`, `12h`: the last span before
    /// the latest flow) or `START..END` (ISO 8601), over FlowStartTime
    /// (TimeGenerated when empty). Default: every flow.
    #[arg(long, value_name = "SPAN|START..END")]
    pub window: Option<String>,

    /// Leave out (and report) source/destination/port pairs with fewer
    /// flows than N.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_flows: u64,

    /// Rule prefixes: each address's subnet prefix (needs --topology), the
    /// observed addresses collapsed into CIDR blocks, or the addresses.
    #[arg(long, value_enum, default_value_t = AggregateArg::Subnet)]
    pub aggregate: AggregateArg,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RecommendFormat::Table)]
    pub format: RecommendFormat,

    /// Write to FILE (complete or not at all) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// No notes and no summary on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggregateArg {
    /// The subnet prefix of each address (from --topology).
    Subnet,
    /// The observed addresses, collapsed into the fewest CIDR blocks.
    Prefix,
    /// The observed addresses, one by one.
    Ip,
}

impl From<AggregateArg> for nta_recommend::Aggregate {
    fn from(a: AggregateArg) -> Self {
        match a {
            AggregateArg::Subnet => nta_recommend::Aggregate::Subnet,
            AggregateArg::Prefix => nta_recommend::Aggregate::Prefix,
            AggregateArg::Ip => nta_recommend::Aggregate::Ip,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecommendFormat {
    /// A report for people.
    Table,
    /// One JSON object: nsgs, blockedByDefaultDeny, defaultOnlyFlows, unusedRules.
    Json,
    /// `{"networkSecurityGroups": [{"name", "securityRules"}]}`.
    Arm,
    /// A Bicep resource declaration per NSG.
    Bicep,
    /// `az network nsg rule create` commands (a shell script).
    Az,
    /// A self-contained HTML page.
    Html,
}

impl From<RecommendFormat> for nta_recommend::Format {
    fn from(f: RecommendFormat) -> Self {
        match f {
            RecommendFormat::Table => nta_recommend::Format::Table,
            RecommendFormat::Json => nta_recommend::Format::Json,
            RecommendFormat::Arm => nta_recommend::Format::Arm,
            RecommendFormat::Bicep => nta_recommend::Format::Bicep,
            RecommendFormat::Az => nta_recommend::Format::Az,
            RecommendFormat::Html => nta_recommend::Format::Html,
        }
    }
}

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// Output form.
    #[arg(long, value_enum, default_value_t = ParseFormat::Debug)]
    pub format: ParseFormat,

    /// Query file (`-` reads standard input).
    #[arg(value_name = "FILE", required_unless_present = "command")]
    pub file: Option<String>,

    /// This query text instead of a file (shown as `<command>`).
    #[arg(long = "command", short = 'c', value_name = "QUERY", conflicts_with = "file")]
    pub command: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseFormat {
    /// Rust debug form of the tree.
    Debug,
    /// The tree as JSON, with byte spans.
    Json,
    /// The query printed back in canonical KQL.
    Kql,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    pub catalog: CatalogArgs,

    /// Print the plan `run` executes: filters moved below the extends and
    /// simplified, summarize by computed keys split in two (eager
    /// aggregation), scans narrowed to the columns read, lookups that give
    /// back their left side left out.
    #[arg(long)]
    pub optimized: bool,

    /// Query file (`-` reads standard input).
    #[arg(value_name = "FILE", required_unless_present = "command")]
    pub file: Option<String>,

    /// This query text instead of a file (shown as `<command>`).
    #[arg(long = "command", short = 'c', value_name = "QUERY", conflicts_with = "file")]
    pub command: Option<String>,
}

/// `ntaq completions SHELL`: the script on standard output.
fn completions(shell: clap_complete::Shell) -> u8 {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ntaq", &mut out);
    write_stdout(&out)
}

/// `ntaq man`: the manual page on standard output.
fn man_page() -> u8 {
    use clap::CommandFactory;
    let mut out = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut out) {
        Ok(()) => write_stdout(&out),
        Err(e) => {
            eprintln!("ntaq: cannot render the manual page: {e}");
            exit::ERRORS
        }
    }
}

fn write_stdout(bytes: &[u8]) -> u8 {
    use std::io::Write;
    match std::io::stdout().write_all(bytes) {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            eprintln!("ntaq: cannot write to standard output: {e}");
            exit::USAGE
        }
    }
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::interrupt::end_on_termination();
    if matches!(cli.command, Some(Command::Convert(_) | Command::Recommend(_) | Command::Pack(_))) {
        // Ctrl-C ends these at once, their temporary files removed (`run`
        // and the shell install their own handler, which cancels a query).
        crate::interrupt::Interrupt::default().install();
    }
    let status = match cli.command {
        Some(Command::Check(args)) => commands::check::run(&args),
        Some(Command::Run(args)) => commands::run::run(&args),
        Some(Command::Convert(args)) => commands::convert::run(&args),
        Some(Command::Recommend(args)) => commands::recommend::run(&args),
        Some(Command::Pack(args)) => commands::pack::run(&args),
        Some(Command::Parse(args)) => commands::parse::run(&args),
        Some(Command::Plan(args)) => commands::plan::run(&args),
        Some(Command::Repl(args)) => crate::repl::run(&args),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Man) => man_page(),
        None => crate::repl::run(&cli.repl),
    };
    ExitCode::from(status)
}

/// `--edges SRC,DST`: two column names.
fn parse_edges_arg(s: &str) -> Result<(String, String), String> {
    match s.split_once(',') {
        Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
            Ok((a.trim().to_string(), b.trim().to_string()))
        }
        _ => Err("expected two column names, SRC,DST".to_string()),
    }
}
