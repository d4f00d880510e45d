//! Raw flow-log blobs (NSG flow logs v1 and v2, VNet flow logs) of the
//! synthetic topology, with the enrichment inputs that describe it (`az`
//! CLI JSON, a service-tags file, a threat-intel CSV) and the ground truth
//! of what was written.
//!
//! ```no_run
//! let cfg = ntaq_gen::flowlogs::FlowLogConfig::default();
//! let plan = ntaq_gen::flowlogs::FlowLogPlan::new(&cfg)?;
//! let summary = plan.write(std::path::Path::new("/tmp/flowlogs"))?;
//! // Every tuple of the first blob, as a reader should return it:
//! let tuples = plan.blob_tuples(0);
//! assert_eq!(tuples.len() as u64, summary.blobs[0].tuples);
//! # Ok::<(), ntaq_gen::GenError>(())
//! ```
//!
//! **Layout** of the output directory (docs/flow-logs-generator.md):
//! `flowlogs/insights-logs-networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/…/PT1H.json`
//! and `flowlogs/insights-logs-flowlogflowevent/flowLogResourceID=/SUBSCRIPTIONS/…/PT1H.json`,
//! one blob per NIC per hour; `topology/*.json`; `ServiceTags_Public_YYYYMMDD.json`;
//! `threat-intel.csv`.
//!
//! **Determinism.** Record `k` of the blob of NIC `n` in hour `h` is drawn
//! from its own stream seeded with `(seed, h, n, k)`; blobs are written in
//! parallel, each to its own file, so the bytes do not depend on the
//! number of threads (nor, for a given blob, on `--hours` or `--nics`).
//!
//! **Streaming.** A blob is written record by record; only one record per
//! thread is in memory, whatever the size of the blob.

mod azjson;
mod net;
mod record;
mod service_tags;
mod threat_intel;
mod traffic;

pub use net::{AZURE_VIP, P2S_POOL};

use crate::flow::FlowType;
use crate::rng::{Rng, mix};
use crate::topology::Topology;
use crate::writer::{AtomicFile, io_err};
use crate::{GenError, SAMPLE_ROWS, SAMPLE_SEED, SAMPLE_START};
use chrono::{DateTime, Datelike, Timelike, Utc};
use net::Net;
use rayon::prelude::*;
use record::Record;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const RECORDS_DOMAIN: u64 = 0x666C_6F77_6C6F_6773;
/// Container of NSG flow logs.
pub const NSG_CONTAINER: &str = "insights-logs-networksecuritygroupflowevent";
/// Container of VNet flow logs.
pub const VNET_CONTAINER: &str = "insights-logs-flowlogflowevent";
/// `flowLogVersion` of VNet flow-log records (the documented sample's).
pub const VNET_FLOW_LOG_VERSION: u32 = 4;
/// The first and last blocks of every blob (flow-logs-read: "The first block
/// has a length of 12 bytes … the closing brackets … 2 bytes"); records in
/// between are separated by commas.
pub const BLOB_HEAD: &str = "{\"records\":[";
pub const BLOB_TAIL: &str = "]}";

/// Which flow log wrote a blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlowLogKind {
    /// NSG flow logs (`NetworkSecurityGroupFlowEvent`).
    Nsg,
    /// VNet flow logs (`FlowLogFlowEvent`).
    Vnet,
}

impl FlowLogKind {
    /// `FlowTuples.FlowLogKind`: `NSG` or `VNet`.
    pub const fn name(self) -> &'static str {
        match self {
            FlowLogKind::Nsg => "NSG",
            FlowLogKind::Vnet => "VNet",
        }
    }
}

/// Unit of the tuples' timestamps in a blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    Seconds,
    Milliseconds,
}

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowLogConfig {
    pub seed: u64,
    /// Sizes the public IP pools as `ntaq-gen --rows` does (same seed and
    /// rows ⇒ the same topology as the Parquet data set).
    pub topology_rows: usize,
    /// First hour; must be on an hour boundary.
    pub start: DateTime<Utc>,
    pub hours: u32,
    /// NICs with flow logs: VMs taken round-robin over the VNets (the first
    /// VM of each VNet, then the second …). Which flow log records a NIC
    /// depends on its VNet and subnet (see `flow_log_of`); with 4 NICs or
    /// more every kind occurs: VNet flow logs in milliseconds and in
    /// seconds, NSG flow logs v2 and v1.
    pub nics: usize,
    /// Records per blob (one per minute at most, spread over the hour).
    pub records_per_hour: u32,
    /// Tuples per record (a record may get one or two more: a conversation's
    /// tuples stay together).
    pub tuples_per_record: usize,
    /// When set, `tuples_per_record` is chosen so the blobs total about this many bytes.
    pub target_bytes: Option<u64>,
    /// Cut the newest hour's last blob mid-record, as a blob still being written.
    pub partial_last: bool,
}

impl Default for FlowLogConfig {
    fn default() -> Self {
        FlowLogConfig {
            seed: SAMPLE_SEED,
            topology_rows: SAMPLE_ROWS,
            start: DateTime::parse_from_rfc3339(SAMPLE_START).expect("valid sample start").with_timezone(&Utc),
            hours: 3,
            nics: 8,
            records_per_hour: 60,
            tuples_per_record: 8,
            target_bytes: None,
            partial_last: true,
        }
    }
}

impl FlowLogConfig {
    /// The bundled set in `testdata/flowlogs/generated` (see its README).
    pub fn bundled() -> FlowLogConfig {
        FlowLogConfig { hours: 2, nics: 8, records_per_hour: 6, tuples_per_record: 6, ..FlowLogConfig::default() }
    }

    pub fn validate(&self) -> Result<(), GenError> {
        let bad = |m: String| Err(GenError::Config(m));
        if self.hours == 0 || self.hours > 24 * 31 {
            return bad(format!("--hours must be between 1 and {} (got {})", 24 * 31, self.hours));
        }
        if self.start.timestamp() % 3600 != 0 || self.start.timestamp_subsec_nanos() != 0 {
            return bad(format!(
                "--start must be on an hour boundary (blobs are hourly), got {}",
                self.start.to_rfc3339()
            ));
        }
        if !(1..=60).contains(&self.records_per_hour) {
            return bad(format!("--records-per-hour must be between 1 and 60 (got {})", self.records_per_hour));
        }
        if self.tuples_per_record == 0 || self.tuples_per_record > 10_000_000 {
            return bad(format!("--tuples-per-record must be between 1 and 10000000 (got {})", self.tuples_per_record));
        }
        if self.target_bytes == Some(0) {
            return bad("--target-bytes must be positive".into());
        }
        Ok(())
    }
}

/// One blob to write.
#[derive(Clone, Debug)]
pub struct BlobSpec {
    pub index: usize,
    pub hour: u32,
    /// Index into `Topology::hosts` of the NIC's VM.
    pub host: usize,
    /// Position of the NIC among the selected ones.
    pub nic: usize,
    pub kind: FlowLogKind,
    /// 1 or 2 (NSG), [`VNET_FLOW_LOG_VERSION`] (VNet).
    pub version: u32,
    pub unit: TimeUnit,
    pub partial: bool,
    /// Relative to the output directory.
    pub path: PathBuf,
    /// NSG: the record's `resourceId`; VNet: `flowLogResourceID`.
    pub flow_log_resource_id: Arc<str>,
    /// NSG: the record's `resourceId`; VNet: `targetResourceID`.
    pub target_resource_id: Arc<str>,
    /// 12 upper-case hex digits.
    pub mac: Arc<str>,
    /// NSG: `systemId` (the NSG's resourceGuid); VNet: `flowLogGUID`.
    pub system_id: String,
    /// VNet: the `aclID` of the NSG (its resourceGuid); NSG: empty.
    pub acl_id: Arc<str>,
}

/// One tuple as written, with the columns of the `FlowTuples` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenTuple {
    /// Index of the blob in [`FlowLogSummary::blobs`] / [`FlowLogPlan::blobs`].
    pub blob: usize,
    /// `FlowTime` in Unix milliseconds (whole seconds in seconds blobs).
    pub flow_time_ms: i64,
    pub flow_log_kind: FlowLogKind,
    pub flow_log_version: u32,
    pub flow_log_resource_id: Arc<str>,
    pub target_resource_id: Arc<str>,
    pub mac_address: Arc<str>,
    /// `""` for NSG flow logs, `unspecified` for encryption drops.
    pub acl_id: Arc<str>,
    pub acl_rule: String,
    pub src_ip: String,
    pub dest_ip: String,
    pub src_port: u16,
    pub dest_port: u16,
    /// `T` or `U`.
    pub l4_protocol: &'static str,
    /// `I` or `O`.
    pub flow_direction: &'static str,
    /// `B`, `C`, `E`, `D`; `""` for NSG v1.
    pub flow_state: &'static str,
    /// `A` or `D` (VNet: `D` exactly when the state is `D`).
    pub flow_status: &'static str,
    /// The VNet encryption code; `""` for NSG.
    pub flow_encryption: &'static str,
    pub packets_src_to_dest: u64,
    pub bytes_src_to_dest: u64,
    pub packets_dest_to_src: u64,
    pub bytes_dest_to_src: u64,
    /// The traffic-analytics FlowType of the pair (see the module docs of
    /// [`FlowLogPlan::expected_flow_types`]).
    pub flow_type: FlowType,
}

/// What one blob holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobSummary {
    pub path: PathBuf,
    pub kind: FlowLogKind,
    pub version: u32,
    pub unit: TimeUnit,
    pub hour: u32,
    pub mac: String,
    /// Cut mid-record; `records` counts the complete ones only.
    pub partial: bool,
    pub records: usize,
    /// Tuples in complete records, and their counters' sums.
    pub tuples: u64,
    pub packets_src_to_dest: u64,
    pub bytes_src_to_dest: u64,
    pub packets_dest_to_src: u64,
    pub bytes_dest_to_src: u64,
    /// Size of the file.
    pub bytes: u64,
}

/// What [`FlowLogPlan::write`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowLogSummary {
    pub blobs: Vec<BlobSummary>,
    /// `topology/*.json`.
    pub topology: Vec<PathBuf>,
    pub service_tags: PathBuf,
    pub threat_intel: PathBuf,
    /// The tuples-per-record used (differs from the configuration's with `target_bytes`).
    pub tuples_per_record: usize,
    pub tuples: u64,
    /// Bytes of all blobs.
    pub blob_bytes: u64,
}

/// The blobs of a configuration and everything needed to write them or to
/// regenerate their tuples.
#[derive(Clone, Debug)]
pub struct FlowLogPlan {
    pub config: FlowLogConfig,
    pub topology: Topology,
    net: Net,
    pub blobs: Vec<BlobSpec>,
    /// The effective tuples per record.
    pub tuples_per_record: usize,
}

/// VMs spread over the VNets: the first VM of each VNet, then the second …
fn pick_nics(topo: &Topology, n: usize) -> Result<Vec<usize>, GenError> {
    if n == 0 || n > topo.vms.len() {
        return Err(GenError::Config(format!(
            "--nics must be between 1 and {} (the VMs of the topology), got {n}",
            topo.vms.len()
        )));
    }
    let per_vnet: Vec<Vec<usize>> =
        topo.vnets.iter().map(|v| v.hosts.iter().copied().filter(|h| topo.vms.contains(h)).collect()).collect();
    let mut out = Vec::with_capacity(n);
    let mut round = 0;
    while out.len() < n {
        for list in &per_vnet {
            if let Some(&h) = list.get(round)
                && out.len() < n
            {
                out.push(h);
            }
        }
        round += 1;
    }
    Ok(out)
}

/// Which flow log records the NICs of a VNet and subnet: VNets 0, 2, 4 …
/// have VNet flow logs (timestamps in milliseconds in VNets 0, 4, 8 …, in
/// seconds in 2, 6, …); the others NSG flow logs on their subnets' NSGs,
/// version 2 for even subnet indexes and 1 for odd ones. One flow log has
/// one format, whatever NICs it records.
fn flow_log_of(vnet: usize, subnet: usize) -> (FlowLogKind, u32, TimeUnit) {
    match (vnet % 2, vnet % 4, subnet % 2) {
        (0, 0, _) => (FlowLogKind::Vnet, VNET_FLOW_LOG_VERSION, TimeUnit::Milliseconds),
        (0, _, _) => (FlowLogKind::Vnet, VNET_FLOW_LOG_VERSION, TimeUnit::Seconds),
        (_, _, 0) => (FlowLogKind::Nsg, 2, TimeUnit::Seconds),
        _ => (FlowLogKind::Nsg, 1, TimeUnit::Seconds),
    }
}

fn upper(s: &str) -> String {
    s.to_ascii_uppercase()
}

impl FlowLogPlan {
    pub fn new(cfg: &FlowLogConfig) -> Result<FlowLogPlan, GenError> {
        cfg.validate()?;
        let topology = Topology::new(cfg.seed, cfg.topology_rows);
        let net = Net::new(&topology, cfg.seed);
        let nics = pick_nics(&topology, cfg.nics)?;
        let mut blobs = Vec::new();
        for hour in 0..cfg.hours {
            let t = cfg.start + chrono::Duration::hours(i64::from(hour));
            let time_dirs = format!("y={}/m={:02}/d={:02}/h={:02}/m=00", t.year(), t.month(), t.day(), t.hour());
            for (nic, &host) in nics.iter().enumerate() {
                let h = &topology.hosts[host];
                let mac: Arc<str> = nta_azure::topology::normalize_mac(&h.mac).into();
                let (kind, version, unit) = flow_log_of(h.vnet, h.subnet);
                let nsg = &net.nsgs[h.subnet];
                let vnet = &topology.vnets[h.vnet];
                let spec = match kind {
                    FlowLogKind::Nsg => {
                        let id: Arc<str> = upper(&nsg.id()).into();
                        BlobSpec {
                            path: PathBuf::from(format!(
                                "flowlogs/{NSG_CONTAINER}/resourceId={id}/{time_dirs}/macAddress={mac}/PT1H.json"
                            )),
                            flow_log_resource_id: id.clone(),
                            target_resource_id: id,
                            system_id: nsg.guid.clone(),
                            acl_id: "".into(),
                            index: 0,
                            hour,
                            host,
                            nic,
                            kind,
                            version,
                            unit,
                            partial: false,
                            mac,
                        }
                    }
                    FlowLogKind::Vnet => {
                        let sub = &topology.subscriptions[vnet.sub].id;
                        let mut parts = vnet.flow_log_id.split('/');
                        let (rg, watcher, name) = (
                            parts.next().unwrap_or_default(),
                            parts.next().unwrap_or_default(),
                            parts.next().unwrap_or_default(),
                        );
                        let id: Arc<str> = upper(&format!(
                            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkWatchers/{watcher}/flowLogs/{name}"
                        ))
                        .into();
                        BlobSpec {
                            path: PathBuf::from(format!(
                                "flowlogs/{VNET_CONTAINER}/flowLogResourceID={id}/{time_dirs}/macAddress={mac}/PT1H.json"
                            )),
                            flow_log_resource_id: id,
                            target_resource_id: azjson::vnet_id(&topology, h.vnet).into(),
                            system_id: net.flow_log_guid[h.vnet].clone(),
                            acl_id: nsg.guid.as_str().into(),
                            index: 0,
                            hour,
                            host,
                            nic,
                            kind,
                            version,
                            unit,
                            partial: false,
                            mac,
                        }
                    }
                };
                blobs.push(spec);
            }
        }
        for (i, b) in blobs.iter_mut().enumerate() {
            b.index = i;
        }
        if cfg.partial_last
            && let Some(last) = blobs.last_mut()
        {
            last.partial = true;
        }
        let mut plan =
            FlowLogPlan { config: cfg.clone(), topology, net, blobs, tuples_per_record: cfg.tuples_per_record };
        if let Some(target) = cfg.target_bytes {
            plan.tuples_per_record = plan.calibrate(target);
        }
        Ok(plan)
    }

    /// Tuples per record for about `target` bytes of blobs, from the bytes
    /// per tuple of probe records of the first blobs (one per kind of blob).
    fn calibrate(&self, target: u64) -> usize {
        const PROBE: usize = 256;
        let probes: Vec<&BlobSpec> = self.blobs.iter().take(4).collect();
        let mut bytes = 0usize;
        let mut tuples = 0usize;
        let mut text = String::new();
        for b in &probes {
            let rec = self.record(b, 0, PROBE);
            tuples += rec.tuples().count();
            text.clear();
            record::record_json(b, &rec, &|r| self.rule_name(b, r), &mut text);
            bytes += text.len() + 1;
        }
        let per_tuple = (bytes as f64 / tuples.max(1) as f64).max(1.0);
        let records = self.blobs.len() as f64 * f64::from(self.config.records_per_hour);
        ((target as f64 / per_tuple / records).round() as usize).clamp(1, 10_000_000)
    }

    /// The logged name of a rule of the blob's NSG.
    fn rule_name(&self, blob: &BlobSpec, rule: Option<u16>) -> String {
        match rule {
            None => "unspecified".into(),
            Some(i) => {
                let nsg = &self.net.nsgs[self.topology.hosts[blob.host].subnet];
                let r = nsg.rules.iter().chain(&self.net.defaults).nth(usize::from(i)).expect("rule index");
                r.log_name()
            }
        }
    }

    /// Record `k` of `blob`, with `n` tuples (or a few more).
    fn record(&self, blob: &BlobSpec, k: u32, n: usize) -> Record {
        let key = (u64::from(blob.hour) << 32) | blob.nic as u64;
        let mut r = Rng::new(mix(mix(self.config.seed ^ RECORDS_DOMAIN, key), u64::from(k)));
        let hour_ms = (self.config.start.timestamp() + i64::from(blob.hour) * 3600) * 1000;
        let minute = i64::from(k * 60 / self.config.records_per_hour);
        let window_ms = hour_ms + minute * 60_000;
        let mut tuples = traffic::record_tuples(&self.topology, &self.net, blob, &mut r, window_ms, n);
        if blob.unit == TimeUnit::Seconds {
            for t in &mut tuples {
                t.time_ms -= t.time_ms.rem_euclid(1000);
            }
        }
        let time_100ns = (window_ms + 55_000) * 10_000 + r.below(50_000_000) as i64;
        Record::new(time_100ns, tuples)
    }

    /// Records of a blob that are complete in the file.
    fn complete_records(&self, blob: &BlobSpec) -> u32 {
        let n = self.config.records_per_hour;
        if blob.partial { n - 1 } else { n }
    }

    /// The tuples of blob `index` that a reader returns (complete records
    /// only), in file order.
    pub fn blob_tuples(&self, index: usize) -> Vec<GenTuple> {
        let blob = &self.blobs[index];
        let mut out = Vec::new();
        for k in 0..self.complete_records(blob) {
            let rec = self.record(blob, k, self.tuples_per_record);
            for (g, t) in rec.tuples() {
                out.push(self.gen_tuple(blob, g.rule, t));
            }
        }
        out
    }

    /// Every tuple of every blob, blob by blob.
    pub fn tuples(&self) -> impl Iterator<Item = GenTuple> + '_ {
        (0..self.blobs.len()).flat_map(|i| self.blob_tuples(i))
    }

    fn gen_tuple(&self, blob: &BlobSpec, rule: Option<u16>, t: &traffic::Tup) -> GenTuple {
        let [p1, b1, p2, b2] = t.counters.unwrap_or([0; 4]);
        GenTuple {
            blob: blob.index,
            flow_time_ms: t.time_ms,
            flow_log_kind: blob.kind,
            flow_log_version: blob.version,
            flow_log_resource_id: blob.flow_log_resource_id.clone(),
            target_resource_id: blob.target_resource_id.clone(),
            mac_address: blob.mac.clone(),
            acl_id: match (blob.kind, rule) {
                (FlowLogKind::Nsg, _) => "".into(),
                (FlowLogKind::Vnet, Some(_)) => blob.acl_id.clone(),
                (FlowLogKind::Vnet, None) => "unspecified".into(),
            },
            acl_rule: self.rule_name(blob, rule),
            src_ip: crate::topology::ipv4_string(t.src),
            dest_ip: crate::topology::ipv4_string(t.dst),
            src_port: t.src_port,
            dest_port: t.dest_port,
            l4_protocol: if t.udp { "U" } else { "T" },
            flow_direction: if t.inbound { "I" } else { "O" },
            flow_state: match t.state {
                b'B' => "B",
                b'C' => "C",
                b'E' => "E",
                b'D' => "D",
                _ => "",
            },
            flow_status: if t.allowed { "A" } else { "D" },
            flow_encryption: t.encryption,
            packets_src_to_dest: p1,
            bytes_src_to_dest: b1,
            packets_dest_to_src: p2,
            bytes_dest_to_src: b2,
            flow_type: t.flow_type,
        }
    }

    /// The FlowType traffic analytics gives each (source IP, destination IP)
    /// pair of the blobs. The generator's rules (docs/flow-logs-generator.md):
    ///
    /// - `IntraVNet`: both addresses in the same VNet;
    /// - `InterVNet`: the two VNets differ (every pair of VNets is peered);
    /// - `S2S`: the other side is in a VPN site's prefix (`topology/local-gateways.json`);
    /// - `P2S`: the other side is in the VPN gateway's client pool ([`P2S_POOL`]);
    /// - `AzurePublic`: a public address inside a service tag of the service-tags file;
    /// - `MaliciousFlow`: a public address listed in `threat-intel.csv`;
    /// - `ExternalPublic`: any other public address;
    /// - `UnknownPrivate`: a private address in 10.200.0.0–10.254.255.255, which no VNet, site or pool contains.
    ///
    /// Every flow has a NIC of the topology on one side, so `Unknown` never occurs.
    pub fn expected_flow_types(&self) -> BTreeMap<(String, String), FlowType> {
        let mut out = BTreeMap::new();
        for t in self.tuples() {
            out.insert((t.src_ip, t.dest_ip), t.flow_type);
        }
        out
    }

    /// Writes everything into `out_dir` (created if needed).
    pub fn write(&self, out_dir: &Path) -> Result<FlowLogSummary, GenError> {
        std::fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
        let topology = azjson::write_all(&self.topology, &self.net, &out_dir.join("topology"))?;
        let service_tags = service_tags::write(&self.topology, &self.net, self.config.start, out_dir)?;
        let threat_intel = threat_intel::write(&self.topology, &out_dir.join("threat-intel.csv"))?;
        let blobs: Vec<BlobSummary> =
            self.blobs.par_iter().map(|b| self.write_blob(b, out_dir)).collect::<Result<_, _>>()?;
        Ok(FlowLogSummary {
            tuples: blobs.iter().map(|b| b.tuples).sum(),
            blob_bytes: blobs.iter().map(|b| b.bytes).sum(),
            blobs,
            topology,
            service_tags,
            threat_intel,
            tuples_per_record: self.tuples_per_record,
        })
    }

    fn write_blob(&self, blob: &BlobSpec, out_dir: &Path) -> Result<BlobSummary, GenError> {
        let path = out_dir.join(&blob.path);
        let mut file = AtomicFile::create(&path)?;
        let mut s = BlobSummary {
            path: path.clone(),
            kind: blob.kind,
            version: blob.version,
            unit: blob.unit,
            hour: blob.hour,
            mac: blob.mac.to_string(),
            partial: blob.partial,
            records: 0,
            tuples: 0,
            packets_src_to_dest: 0,
            bytes_src_to_dest: 0,
            packets_dest_to_src: 0,
            bytes_dest_to_src: 0,
            bytes: 0,
        };
        let io = io_err(&path);
        let mut text = String::new();
        file.write_all(BLOB_HEAD.as_bytes()).map_err(io)?;
        let complete = self.complete_records(blob);
        for k in 0..self.config.records_per_hour {
            let rec = self.record(blob, k, self.tuples_per_record);
            text.clear();
            if k > 0 {
                text.push(',');
            }
            record::record_json(blob, &rec, &|r| self.rule_name(blob, r), &mut text);
            if k >= complete {
                // Cut in the middle of the record, as a reader sees a blob
                // whose next block is still being written.
                let cut = text.len() / 2;
                file.write_all(&text.as_bytes()[..cut]).map_err(io_err(&path))?;
                break;
            }
            file.write_all(text.as_bytes()).map_err(io_err(&path))?;
            s.records += 1;
            for (_, t) in rec.tuples() {
                let [p1, b1, p2, b2] = t.counters.unwrap_or([0; 4]);
                s.tuples += 1;
                s.packets_src_to_dest += p1;
                s.bytes_src_to_dest += b1;
                s.packets_dest_to_src += p2;
                s.bytes_dest_to_src += b2;
            }
        }
        if !blob.partial {
            file.write_all(BLOB_TAIL.as_bytes()).map_err(io_err(&path))?;
        }
        s.bytes = file.finish()?;
        Ok(s)
    }
}

/// Plans and writes the flow logs of `cfg` into `out_dir`.
pub fn generate_flow_logs(cfg: &FlowLogConfig, out_dir: &Path) -> Result<FlowLogSummary, GenError> {
    FlowLogPlan::new(cfg)?.write(out_dir)
}
