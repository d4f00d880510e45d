//! Deterministic synthetic Traffic Analytics data: `NTANetAnalytics` and
//! `NTAIpDetails` as Parquet, with the columns, Kusto types and value formats
//! of the published schema (`kql_types::schemas`,
//! `shared/docs/nta-schema.md`).
//!
//! ```no_run
//! let cfg = ntaq_gen::GenConfig { rows: 1_000_000, ..ntaq_gen::GenConfig::default() };
//! let summary = ntaq_gen::generate(&cfg, std::path::Path::new("data"))?;
//! assert_eq!(summary.net_rows, 1_000_000);
//! # Ok::<(), ntaq_gen::GenError>(())
//! ```
//!
//! **Determinism.** A fixed topology (subscriptions, VNets, VMs, NSGs, public
//! IP pools) is drawn from the seed; every row is then drawn from its own
//! SplitMix64 stream seeded with `(seed, row index)`. The data therefore
//! depends only on the configuration's `rows`, `seed`, `start` and `hours` —
//! not on the batch size, the row-group size, the number of files or threads.
//!
//! **Flow-log blobs.** [`flowlogs`] writes the raw NSG and VNet flow-log
//! blobs of the same topology, with the `az` JSON, service-tags and
//! threat-intel files that describe it and the ground truth of every tuple.
//!
//! **Streaming.** Rows are generated in batches of `batch_rows`, at most
//! `max_batches_in_flight` at a time (in parallel with rayon), and written in
//! row order, so memory stays bounded whatever `rows` is.

pub mod cli;
mod columns;
mod flow;
pub mod flowlogs;
pub mod rng;
pub mod topology;
mod writer;

pub use columns::{IP_TABLE, NET_TABLE, arrow_schema, physical_type};
pub use flow::{FLOW_TYPE_MIX, FlowType, STATUS_MESSAGE_PER_MILLE};
pub use topology::{PLACEHOLDER_COUNTRY_1, PLACEHOLDER_COUNTRY_2, external_placeholder, malicious_placeholder};

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};
use chrono::{DateTime, TimeZone, Utc};
use columns::IpRow;
use flow::{Layout, gen_row};
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use rayon::prelude::*;
use rng::{Rng, mix};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use topology::Topology;
use writer::{ParquetOut, io_err};

/// Seed of the bundled sample (`testdata/sample`).
pub const SAMPLE_SEED: u64 = 20_250_601;
/// NTANetAnalytics rows of the bundled sample.
pub const SAMPLE_ROWS: usize = 2_000;
/// Window start of the bundled sample: 2025-06-01T00:00:00Z.
pub const SAMPLE_START: &str = "2025-06-01T00:00:00Z";
/// Window length of the bundled sample, in hours.
pub const SAMPLE_HOURS: u32 = 24;

/// Default cap on batches generated at once (bounds memory on many cores).
const DEFAULT_MAX_IN_FLIGHT: usize = 16;

/// Columns whose values are (nearly) unique per row.
const HIGH_CARDINALITY: &[&str] = &[
    "BytesDestToSrc",
    "BytesSrcToDest",
    "PacketsDestToSrc",
    "PacketsSrcToDest",
    "DestPublicIps",
    "SrcPublicIps",
    "FlowStartTime",
    "FlowEndTime",
    "TimeGenerated",
    "TimeProcessed",
];

const IP_DOMAIN: u64 = 0x6970_6465_7461_696C;

/// Parquet compression codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Codec {
    Zstd,
    Snappy,
}

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenConfig {
    /// NTANetAnalytics rows (NTAIpDetails gets one row per public IP per
    /// hour in which it appears).
    pub rows: usize,
    pub seed: u64,
    /// Window start; must be on an hour boundary.
    pub start: DateTime<Utc>,
    /// Window length: one-hour processing intervals.
    pub hours: u32,
    /// 1: `NTANetAnalytics.parquet`; K > 1: `NTANetAnalytics/part-00000.parquet` …
    /// (contiguous row ranges, same data as one file).
    pub files: usize,
    /// Rows generated per batch (the unit of parallel work and of memory).
    pub batch_rows: usize,
    /// Maximum rows per Parquet row group.
    pub row_group_rows: usize,
    /// Batches generated at once before writing; 0 = the rayon pool's size,
    /// at most 16 (a 16 384-row batch takes about 25 MB as Arrow arrays).
    pub max_batches_in_flight: usize,
    pub compression: Codec,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            rows: SAMPLE_ROWS,
            seed: SAMPLE_SEED,
            start: Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).single().expect("valid date"),
            hours: SAMPLE_HOURS,
            files: 1,
            batch_rows: 16_384,
            row_group_rows: 131_072,
            max_batches_in_flight: 0,
            compression: Codec::Zstd,
        }
    }
}

impl GenConfig {
    /// The configuration of the bundled sample in `testdata/sample`
    /// (`cargo run -p ntaq-gen -- --rows 2000 --seed 20250601 --start 2025-06-01T00:00:00Z --hours 24 --out testdata/sample`).
    pub fn sample() -> GenConfig {
        GenConfig {
            rows: SAMPLE_ROWS,
            seed: SAMPLE_SEED,
            start: DateTime::parse_from_rfc3339(SAMPLE_START).expect("valid sample start").with_timezone(&Utc),
            hours: SAMPLE_HOURS,
            ..GenConfig::default()
        }
    }

    pub fn validate(&self) -> Result<(), GenError> {
        let bad = |m: String| Err(GenError::Config(m));
        if self.hours == 0 || self.hours > 24 * 366 {
            return bad(format!("--hours must be between 1 and {} (got {})", 24 * 366, self.hours));
        }
        if self.start.timestamp_micros() % flow::HOUR_US != 0 {
            return bad(format!(
                "--start must be on an hour boundary (flow intervals start on the hour), got {}",
                self.start.to_rfc3339()
            ));
        }
        if self.files == 0 || (self.files > 1 && self.files > self.rows) {
            return bad(format!("--files must be between 1 and the number of rows (got {})", self.files));
        }
        if self.files > 100_000 {
            return bad(format!("--files must be at most 100000 (got {})", self.files));
        }
        if self.batch_rows == 0 || self.row_group_rows == 0 {
            return bad("batch and row-group sizes must be positive".into());
        }
        Ok(())
    }

    fn in_flight(&self) -> usize {
        if self.max_batches_in_flight == 0 {
            rayon::current_num_threads().clamp(1, DEFAULT_MAX_IN_FLIGHT)
        } else {
            self.max_batches_in_flight
        }
    }

    fn writer_properties(&self) -> WriterProperties {
        let compression = match self.compression {
            Codec::Zstd => Compression::ZSTD(ZstdLevel::try_new(3).expect("valid zstd level")),
            Codec::Snappy => Compression::SNAPPY,
        };
        let mut b = WriterProperties::builder()
            .set_compression(compression)
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_offset_index_disabled(false)
            .set_max_row_group_row_count(Some(self.row_group_rows))
            .set_created_by(format!("ntaq-gen {}", env!("CARGO_PKG_VERSION")));
        // Nearly unique per row: a dictionary would only be built and dropped.
        for c in HIGH_CARDINALITY {
            b = b.set_column_dictionary_enabled((*c).into(), false);
        }
        b.build()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("schema: {0}")]
    Schema(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing Parquet: {0}")]
    Parquet(#[from] ParquetError),
    #[error("building an Arrow batch: {0}")]
    Arrow(#[from] ArrowError),
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub net_rows: u64,
    pub ip_rows: u64,
    pub net_files: Vec<PathBuf>,
    pub ip_file: PathBuf,
    /// NTANetAnalytics batches generated.
    pub batches: usize,
    /// Most batches held in memory at once.
    pub max_batches_in_flight: usize,
    /// NTANetAnalytics row groups over all files.
    pub row_groups: usize,
    /// FlowLog rows per FlowType.
    pub flow_types: BTreeMap<&'static str, u64>,
    /// SubType `StatusMessage` rows.
    pub status_messages: u64,
    /// Distinct public IPs seen in flows.
    pub public_ips: usize,
    /// Size of all files written, in bytes.
    pub bytes: u64,
}

/// One generated NTANetAnalytics batch and what it saw.
struct Generated {
    batch: RecordBatch,
    /// Sorted, distinct `hour * pool + ip` keys of the public IPs in its rows.
    seen: Vec<u64>,
    /// FlowLog rows per FlowType (in `FlowType::ALL` order), then StatusMessage rows.
    counts: [u64; 10],
}

fn gen_batch(
    schema: &SchemaRef,
    topo: &Topology,
    layout: &Layout,
    seed: u64,
    rows: std::ops::Range<u64>,
) -> Result<Generated, GenError> {
    let pool = topo.public.len() as u64;
    let flows: Vec<_> = rows.map(|row| gen_row(topo, layout, seed, row)).collect();
    let mut seen = Vec::new();
    let mut counts = [0u64; 10];
    for f in &flows {
        match f.flow_type {
            Some(ft) => counts[FlowType::ALL.iter().position(|&t| t == ft).expect("listed")] += 1,
            None => counts[9] += 1,
        }
        for e in f.src_pub.as_slice().iter().chain(f.dst_pub.as_slice()) {
            seen.push(u64::from(f.hour) * pool + u64::from(e.ip));
        }
    }
    seen.sort_unstable();
    seen.dedup();
    let batch = columns::net_batch(schema, topo, &flows)?;
    Ok(Generated { batch, seen, counts })
}

/// Where the NTANetAnalytics files of `cfg` go.
fn net_paths(cfg: &GenConfig, out_dir: &Path) -> Vec<PathBuf> {
    if cfg.files <= 1 {
        vec![out_dir.join(format!("{NET_TABLE}.parquet"))]
    } else {
        let dir = out_dir.join(NET_TABLE);
        (0..cfg.files).map(|k| dir.join(format!("part-{k:05}.parquet"))).collect()
    }
}

/// Removes NTANetAnalytics files of a previous run with another layout, so
/// the directory holds exactly one copy of the table. Only names this
/// generator writes are touched.
fn remove_stale(cfg: &GenConfig, out_dir: &Path, written: &[PathBuf]) -> Result<(), GenError> {
    let single = out_dir.join(format!("{NET_TABLE}.parquet"));
    if cfg.files > 1 && single.is_file() {
        std::fs::remove_file(&single).map_err(io_err(&single))?;
    }
    let dir = out_dir.join(NET_TABLE);
    if dir.is_dir() {
        for entry in std::fs::read_dir(&dir).map_err(io_err(&dir))? {
            let path = entry.map_err(io_err(&dir))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let ours = name.len() == "part-00000.parquet".len()
                && name.starts_with("part-")
                && name.ends_with(".parquet")
                && name[5..10].bytes().all(|b| b.is_ascii_digit());
            if ours && !written.contains(&path) {
                std::fs::remove_file(&path).map_err(io_err(&path))?;
            }
        }
        if cfg.files <= 1 && std::fs::read_dir(&dir).map_err(io_err(&dir))?.next().is_none() {
            std::fs::remove_dir(&dir).map_err(io_err(&dir))?;
        }
    }
    Ok(())
}

/// Generates the data set described by `cfg` into `out_dir` (created if
/// needed): `NTANetAnalytics.parquet` (or the `NTANetAnalytics/` folder when
/// `files > 1`) and `NTAIpDetails.parquet`.
pub fn generate(cfg: &GenConfig, out_dir: &Path) -> Result<Summary, GenError> {
    cfg.validate()?;
    std::fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    let net_schema = arrow_schema(NET_TABLE)?;
    let ip_schema = arrow_schema(IP_TABLE)?;
    let topo = Topology::new(cfg.seed, cfg.rows);
    let layout = Layout::new(cfg.start.timestamp_micros(), cfg.hours, cfg.rows as u64);
    // Fail on a schema the generator cannot fill before writing anything.
    columns::net_batch(&net_schema, &topo, &[])?;
    columns::ip_batch(&ip_schema, &topo, &[])?;

    let pool = topo.public.len() as u64;
    let mut seen = vec![0u64; (u64::from(cfg.hours) * pool).div_ceil(64) as usize];
    let mut counts = [0u64; 10];
    let mut batches = 0;
    let mut max_in_flight = 0;
    let mut row_groups = 0;
    let mut bytes = 0;
    let in_flight = cfg.in_flight();
    let paths = net_paths(cfg, out_dir);
    if cfg.files > 1 {
        let dir = out_dir.join(NET_TABLE);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    }
    let rows = cfg.rows as u64;
    let files = paths.len() as u64;
    for (k, path) in paths.iter().enumerate() {
        let k = k as u64;
        let (lo, hi) = (rows * k / files, rows * (k + 1) / files);
        let ranges: Vec<_> = (lo..hi).step_by(cfg.batch_rows).map(|s| s..(s + cfg.batch_rows as u64).min(hi)).collect();
        let mut out = ParquetOut::create(path.clone(), net_schema.clone(), cfg.writer_properties())?;
        for wave in ranges.chunks(in_flight) {
            let generated: Vec<Generated> = wave
                .par_iter()
                .map(|r| gen_batch(&net_schema, &topo, &layout, cfg.seed, r.clone()))
                .collect::<Result<_, _>>()?;
            max_in_flight = max_in_flight.max(generated.len());
            for g in generated {
                out.write(&g.batch)?;
                for key in g.seen {
                    seen[(key / 64) as usize] |= 1 << (key % 64);
                }
                for (c, n) in counts.iter_mut().zip(g.counts) {
                    *c += n;
                }
                batches += 1;
            }
        }
        let (groups, size) = out.finish()?;
        row_groups += groups;
        bytes += size;
    }
    remove_stale(cfg, out_dir, &paths)?;

    // NTAIpDetails: one row per (interval, public IP) seen, in that order.
    let ip_path = out_dir.join(format!("{IP_TABLE}.parquet"));
    let mut out = ParquetOut::create(ip_path.clone(), ip_schema.clone(), cfg.writer_properties())?;
    let mut ip_rows = 0u64;
    let mut distinct = vec![false; pool as usize];
    let mut pending = Vec::new();
    for h in 0..cfg.hours {
        let interval_start = layout.interval_start(h);
        for ip in 0..pool {
            let key = u64::from(h) * pool + ip;
            if seen[(key / 64) as usize] & (1 << (key % 64)) == 0 {
                continue;
            }
            distinct[ip as usize] = true;
            let mut r = Rng::new(mix(cfg.seed ^ IP_DOMAIN, key));
            let generated = interval_start
                + flow::HOUR_US
                + r.range(6 * 60, 30 * 60) as i64 * 1_000_000
                + r.below(1_000_000) as i64;
            pending.push(IpRow { interval_start, ip: ip as u32, generated, billed: (600 + r.below(400)) as f64 });
            if pending.len() == cfg.batch_rows {
                out.write(&columns::ip_batch(&ip_schema, &topo, &pending)?)?;
                ip_rows += pending.len() as u64;
                pending.clear();
            }
        }
    }
    if !pending.is_empty() {
        out.write(&columns::ip_batch(&ip_schema, &topo, &pending)?)?;
        ip_rows += pending.len() as u64;
    }
    let (_, size) = out.finish()?;
    bytes += size;

    let mut flow_types = BTreeMap::new();
    for (ft, n) in FlowType::ALL.iter().zip(counts) {
        flow_types.insert(ft.name(), n);
    }
    Ok(Summary {
        net_rows: rows,
        ip_rows,
        net_files: paths,
        ip_file: ip_path,
        batches,
        max_batches_in_flight: max_in_flight,
        row_groups,
        flow_types,
        status_messages: counts[9],
        public_ips: distinct.iter().filter(|&&d| d).count(),
        bytes,
    })
}
