//! Tuples → groups: one per processing interval and aggregation key.
//!
//! The key is traffic analytics' documented one — source IP, destination
//! IP, destination port, NSG (ACL), rule, direction, L4 protocol; source
//! port left out — refined by what must be single-valued in a row: the
//! decision (a rule allows or denies, so in practice it follows from the
//! rule), the capture point (flow log, target resource, NIC MAC; the
//! direction already fixes the NIC) and the encryption status. A public
//! address is not a key part: it goes into the row's `SrcPublicIps` /
//! `DestPublicIps` list, and its class (Azure / external / malicious, with
//! the region or country all addresses of one list share) is the key part
//! instead ("for AzurePublic and ExternalPublic … we aggregate further").
//!
//! Batches are taken one at a time from a stream by the threads of every
//! core, cut into slices of at most [`SLICE_ROWS`] rows, folded into
//! per-thread hash maps and the maps merged; every
//! per-group value is a sum, a min or a max, so the result does not depend
//! on batch boundaries or order.

use super::endpoint::PublicInfo;
use super::input::{Columns, N, S};
use super::public_ips::PublicIps;
use super::{Enrichment, Interval};
use crate::error::FlowLogError;
use ahash::AHashMap;
use arrow_array::RecordBatch;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::sync::Arc;

/// Rows per unit of parallel work.
pub const SLICE_ROWS: usize = 65_536;

/// The class of a public address that rows group by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PublicClass {
    /// `AzurePublic`, `ExternalPublic`, `MaliciousFlow` or `""` (unknown).
    pub flow_type: &'static str,
    /// The Azure region or country code (`""` when unknown).
    pub location: String,
    /// The most specific service tag (Azure addresses).
    pub service_tag: String,
}

impl From<&PublicInfo<'_>> for PublicClass {
    fn from(i: &PublicInfo<'_>) -> Self {
        PublicClass { flow_type: i.flow_type, location: i.location.clone(), service_tag: i.service_tag.clone() }
    }
}

/// The counters of one public address in a row's public-IP list
/// (`IP|FLOW_STARTED_COUNT|FLOW_ENDED_COUNT|OUTBOUND_PACKETS|INBOUND_PACKETS|OUTBOUND_BYTES|INBOUND_BYTES`;
/// outbound = source → destination, inbound = destination → source).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PubEntry {
    /// Flows begun (tuples in state B, D, or NSG v1 tuples).
    pub started: i64,
    /// Flows ended (tuples in state E).
    pub ended: i64,
    /// Packets source → destination.
    pub out_packets: i64,
    /// Packets destination → source.
    pub in_packets: i64,
    /// Bytes source → destination.
    pub out_bytes: i64,
    /// Bytes destination → source.
    pub in_bytes: i64,
}

impl PubEntry {
    pub(crate) fn add(&mut self, o: &PubEntry) {
        self.started += o.started;
        self.ended += o.ended;
        self.out_packets += o.out_packets;
        self.in_packets += o.in_packets;
        self.out_bytes += o.out_bytes;
        self.in_bytes += o.in_bytes;
    }
}

/// One NTANetAnalytics row in the making.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// FlowIntervalStartTime (µs).
    pub interval_start: i64,
    /// SrcIp (`""` when the source is public).
    pub src_ip: Arc<str>,
    /// DestIp (`""` when the destination is public).
    pub dest_ip: Arc<str>,
    /// The class of the public source addresses.
    pub src_class: Option<Arc<PublicClass>>,
    /// The class of the public destination addresses.
    pub dest_class: Option<Arc<PublicClass>>,
    /// DestPort.
    pub dest_port: i64,
    /// The tuple's L4Protocol (`T`, `U` or an IANA number).
    pub protocol: Arc<str>,
    /// FlowDirection `I`.
    pub inbound: bool,
    /// FlowStatus `A`.
    pub allowed: bool,
    /// FlowLogKind (`NSG` / `VNet`).
    pub kind: Arc<str>,
    /// FlowLogResourceId as in the blob.
    pub flow_log: Arc<str>,
    /// TargetResourceId as in the blob.
    pub target: Arc<str>,
    /// MacAddress as in the blob.
    pub mac: Arc<str>,
    /// AclId as in the blob (`""` for NSG flow logs, whose ACL is the target NSG).
    pub acl_id: Arc<str>,
    /// AclRule.
    pub rule: Arc<str>,
    /// FlowEncryption code as in the blob.
    pub encryption: Arc<str>,
    /// Earliest FlowTime (µs).
    pub first_seen: i64,
    /// Latest FlowTime (µs).
    pub last_seen: i64,
    /// Latest FlowTime of a tuple that begins a flow (µs).
    pub last_begin: Option<i64>,
    /// Flows begun: tuples in state B, D, or NSG v1 tuples (no state).
    pub flows: i64,
    /// Flows ended: tuples in state E.
    pub completed: i64,
    /// Sum of PacketsSrcToDest.
    pub packets_s2d: i64,
    /// Sum of BytesSrcToDest.
    pub bytes_s2d: i64,
    /// Sum of PacketsDestToSrc.
    pub packets_d2s: i64,
    /// Sum of BytesDestToSrc.
    pub bytes_d2s: i64,
    /// Public sources, by address.
    pub src_public: PublicIps,
    /// Public destinations, by address.
    pub dest_public: PublicIps,
}

impl Group {
    /// FlowEndTime: "the time when the last flow with the same four-tuple
    /// started (marked as B)"; the last tuple's time when no flow began.
    pub fn flow_end(&self) -> i64 {
        self.last_begin.unwrap_or(self.last_seen)
    }

    fn merge(&mut self, o: Group) {
        self.first_seen = self.first_seen.min(o.first_seen);
        self.last_seen = self.last_seen.max(o.last_seen);
        self.last_begin = self.last_begin.max(o.last_begin);
        self.flows += o.flows;
        self.completed += o.completed;
        self.packets_s2d += o.packets_s2d;
        self.bytes_s2d += o.bytes_s2d;
        self.packets_d2s += o.packets_d2s;
        self.bytes_d2s += o.bytes_d2s;
        self.src_public.merge(o.src_public);
        self.dest_public.merge(o.dest_public);
    }
}

/// The groups (by key text) and the number of tuples read.
#[derive(Debug, Default)]
pub struct Aggregate {
    /// Groups by their key (sorting the keys gives a stable row order).
    pub groups: AHashMap<String, Group>,
    /// Tuples read.
    pub tuples: u64,
}

impl Aggregate {
    fn merge(mut self, o: Aggregate) -> Aggregate {
        if self.groups.len() < o.groups.len() {
            return o.merge(self);
        }
        self.tuples += o.tuples;
        for (k, g) in o.groups {
            match self.groups.get_mut(&k) {
                Some(mine) => mine.merge(g),
                None => {
                    self.groups.insert(k, g);
                }
            }
        }
        self
    }
}

/// A public address seen as a source or destination, with its class.
type Public = Option<(u32, Arc<PublicClass>)>;

/// One thread's work: its groups and what it learnt about addresses.
struct Folder<'e> {
    enrichment: &'e Enrichment,
    interval: Interval,
    agg: Aggregate,
    publics: AHashMap<String, Public>,
    /// The texts of this thread's groups, each held once.
    texts: ahash::AHashSet<Arc<str>>,
    key: String,
}

fn bad(batch: usize, row: usize, column: &'static str, value: &str, expected: &'static str) -> FlowLogError {
    FlowLogError::TupleValue { batch, row, column, value: value.to_string(), expected }
}

/// Appends `text` to a key as `LEN:text`.
fn field(key: &mut String, text: &str) {
    write!(key, "{}:", text.len()).expect("writing to a String");
    key.push_str(text);
}

/// `text`, shared with the earlier groups that hold it.
fn intern(texts: &mut ahash::AHashSet<Arc<str>>, text: &str) -> Arc<str> {
    if let Some(t) = texts.get(text) {
        return t.clone();
    }
    let t: Arc<str> = Arc::from(text);
    texts.insert(t.clone());
    t
}

impl<'e> Folder<'e> {
    fn public(&mut self, ip: &str) -> Result<Public, FlowLogError> {
        if let Some(p) = self.publics.get(ip) {
            return Ok(p.clone());
        }
        let p = match self.enrichment.public_addr(ip) {
            Some(a) => Some((a, Arc::new(PublicClass::from(&self.enrichment.public_info(a)?)))),
            None => None,
        };
        self.publics.insert(ip.to_string(), p.clone());
        Ok(p)
    }

    /// Adds the rows of `batch` (rows `offset..` of input batch `index`).
    fn add(&mut self, index: usize, offset: usize, batch: &RecordBatch) -> Result<(), FlowLogError> {
        let cols = Columns::new(batch)?;
        for row in 0..cols.rows() {
            let at = offset + row;
            let time = cols.time(row).ok_or_else(|| bad(index, at, "FlowTime", "null", "a datetime"))?;
            let inbound = match cols.str(S::Direction, row) {
                "I" => true,
                "O" => false,
                v => return Err(bad(index, at, "FlowDirection", v, "I or O")),
            };
            let allowed = match cols.str(S::Status, row) {
                "A" => true,
                "D" => false,
                v => return Err(bad(index, at, "FlowStatus", v, "A or D")),
            };
            let (begins, ends) = match cols.str(S::State, row) {
                "B" | "D" | "" => (1, 0),
                "C" => (0, 0),
                "E" => (0, 1),
                v => return Err(bad(index, at, "FlowState", v, "B, C, E, D or empty (NSG v1)")),
            };
            let src = cols.str(S::SrcIp, row);
            let dest = cols.str(S::DestIp, row);
            let src_pub = self.public(src)?;
            let dest_pub = self.public(dest)?;
            let interval_start = self.interval.start_of(time);
            let dest_port = cols.num(N::DestPort, row);
            if !(0..=65_535).contains(&dest_port) {
                return Err(bad(index, at, "DestPort", &dest_port.to_string(), "a port number (0–65535)"));
            }
            let counters = PubEntry {
                started: begins,
                ended: ends,
                out_packets: cols.num(N::PacketsS2D, row),
                in_packets: cols.num(N::PacketsD2S, row),
                out_bytes: cols.num(N::BytesS2D, row),
                in_bytes: cols.num(N::BytesD2S, row),
            };
            // The key: length-prefixed fields (so no text can run into the
            // next), the interval first (fixed width, so keys sort by time);
            // a side is `p` and its address, or `c` and its public class.
            let key = &mut self.key;
            key.clear();
            write!(key, "{interval_start:020}").expect("writing to a String");
            for (ip, p) in [(src, &src_pub), (dest, &dest_pub)] {
                match p {
                    Some((_, c)) => {
                        ["c", c.flow_type, &c.location, &c.service_tag].into_iter().for_each(|f| field(key, f))
                    }
                    None => {
                        field(key, "p");
                        field(key, ip);
                    }
                }
            }
            field(key, &dest_port.to_string());
            field(key, if inbound { "I" } else { "O" });
            field(key, if allowed { "A" } else { "D" });
            for c in [S::Proto, S::Kind, S::FlowLog, S::Target, S::Mac, S::AclId, S::Rule, S::Encryption] {
                field(key, cols.str(c, row));
            }
            let group = match self.agg.groups.get_mut(key.as_str()) {
                Some(g) => g,
                None => {
                    let g = Group {
                        interval_start,
                        src_ip: intern(&mut self.texts, if src_pub.is_some() { "" } else { src }),
                        dest_ip: intern(&mut self.texts, if dest_pub.is_some() { "" } else { dest }),
                        src_class: src_pub.as_ref().map(|p| p.1.clone()),
                        dest_class: dest_pub.as_ref().map(|p| p.1.clone()),
                        dest_port,
                        protocol: intern(&mut self.texts, cols.str(S::Proto, row)),
                        inbound,
                        allowed,
                        kind: intern(&mut self.texts, cols.str(S::Kind, row)),
                        flow_log: intern(&mut self.texts, cols.str(S::FlowLog, row)),
                        target: intern(&mut self.texts, cols.str(S::Target, row)),
                        mac: intern(&mut self.texts, cols.str(S::Mac, row)),
                        acl_id: intern(&mut self.texts, cols.str(S::AclId, row)),
                        rule: intern(&mut self.texts, cols.str(S::Rule, row)),
                        encryption: intern(&mut self.texts, cols.str(S::Encryption, row)),
                        first_seen: time,
                        last_seen: time,
                        last_begin: None,
                        flows: 0,
                        completed: 0,
                        packets_s2d: 0,
                        bytes_s2d: 0,
                        packets_d2s: 0,
                        bytes_d2s: 0,
                        src_public: PublicIps::default(),
                        dest_public: PublicIps::default(),
                    };
                    self.agg.groups.entry(key.clone()).or_insert(g)
                }
            };
            group.first_seen = group.first_seen.min(time);
            group.last_seen = group.last_seen.max(time);
            if begins > 0 {
                group.last_begin = group.last_begin.max(Some(time));
            }
            group.flows += begins;
            group.completed += ends;
            group.packets_s2d += counters.out_packets;
            group.bytes_s2d += counters.out_bytes;
            group.packets_d2s += counters.in_packets;
            group.bytes_d2s += counters.in_bytes;
            if let Some((a, _)) = src_pub {
                group.src_public.entry(a).add(&counters);
            }
            if let Some((a, _)) = dest_pub {
                group.dest_public.entry(a).add(&counters);
            }
        }
        self.agg.tuples += cols.rows() as u64;
        Ok(())
    }
}

/// Aggregates `batches` on every core.
pub fn aggregate(
    batches: &[RecordBatch],
    enrichment: &Enrichment,
    interval: Interval,
) -> Result<Aggregate, FlowLogError> {
    aggregate_stream(batches.iter().cloned().map(Ok), enrichment, interval)
}

/// Batch `index` as slices `(index, offset, rows)` of at most
/// [`SLICE_ROWS`] rows (sharing its buffers); one empty slice for a batch
/// without rows, whose columns are still checked.
fn slices(index: usize, batch: RecordBatch) -> impl Iterator<Item = (usize, usize, RecordBatch)> + Send {
    let n = batch.num_rows();
    (0..n.div_ceil(SLICE_ROWS).max(1)).map(move |k| {
        let off = k * SLICE_ROWS;
        (index, off, batch.slice(off, SLICE_ROWS.min(n - off)))
    })
}

/// Aggregates a stream of batches on every core. The threads take slices
/// of the stream's batches as they become free, and a batch is dropped once
/// its slices are folded in, so at most one batch per thread (plus the one
/// being cut) is held, however many tuples the stream has: memory grows with
/// the groups, not the tuples. The first error of the stream or of a tuple
/// stops it.
pub fn aggregate_stream<I, E>(batches: I, enrichment: &Enrichment, interval: Interval) -> Result<Aggregate, E>
where
    I: Iterator<Item = Result<RecordBatch, E>> + Send,
    E: From<FlowLogError> + Send,
{
    batches
        .enumerate()
        .flat_map(|(i, b)| {
            let (ok, err) = match b {
                Ok(b) => (Some(slices(i, b)), None),
                Err(e) => (None, Some(Err(e))),
            };
            ok.into_iter().flatten().map(Ok).chain(err)
        })
        .par_bridge()
        .try_fold(
            || Folder {
                enrichment,
                interval,
                agg: Aggregate::default(),
                publics: AHashMap::new(),
                texts: ahash::AHashSet::new(),
                key: String::new(),
            },
            |mut f, slice: Result<(usize, usize, RecordBatch), E>| {
                let (i, off, b) = slice?;
                f.add(i, off, &b)?;
                Ok(f)
            },
        )
        .map(|f: Result<Folder<'_>, E>| f.map(|f| f.agg))
        .try_reduce(Aggregate::default, |a, b| Ok(a.merge(b)))
}
