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
//! on batch boundaries or order. The groups' memory is reserved, as they
//! are made, in a budget ([`Held`]); a stream whose groups would pass it is
//! given up ([`Folded::Overflow`]) and partitioned by [`super::grace`].

use super::endpoint::PublicInfo;
use super::input::{Columns, N, S};
use super::public_ips::PublicIps;
use super::{Enrichment, Interval};
use crate::error::FlowLogError;
use ahash::AHashMap;
use arrow_array::RecordBatch;
use kql_exec::MemoryPool;
use kql_exec::limits::Reservation;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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
    /// Groups by their key (see [`key_hash`] for their order).
    pub groups: AHashMap<String, Group>,
    /// Tuples read.
    pub tuples: u64,
    /// The budget the groups' memory is reserved in (given back when dropped).
    held: Vec<Reservation>,
}

impl Aggregate {
    fn merge(mut self, mut o: Aggregate) -> Aggregate {
        if self.groups.len() < o.groups.len() {
            return o.merge(self);
        }
        self.tuples += o.tuples;
        self.held.append(&mut o.held);
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

    /// The groups in their output order: by [`key_hash`], then by key.
    pub fn into_sorted(self) -> Vec<(u64, String, Group)> {
        let mut groups: Vec<(u64, String, Group)> =
            self.groups.into_iter().map(|(k, g)| (key_hash(&k), k, g)).collect();
        groups.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        groups
    }
}

/// The stable hash of a group's key (xxHash64, seed 0): the same on every
/// machine and run, so it both partitions the groups (its high bits) and
/// orders the derived rows.
pub fn key_hash(key: &str) -> u64 {
    twox_hash::XxHash64::oneshot(0, key.as_bytes())
}

/// A public address seen as a source or destination, with its class.
type Public = Option<(u32, Arc<PublicClass>)>;

/// Addresses whose class a thread remembers; past this many it forgets
/// them all (the cache is a speed-up, not state the groups need).
const PUBLICS_CACHED: usize = 1 << 16;

/// Bytes a slot of the groups' hash map costs (entry and control byte),
/// reserved for every slot the map allocates, used or not.
const SLOT_BYTES: u64 = (std::mem::size_of::<(String, Group)>() + 1) as u64;

/// Bytes a group costs besides its slot: its key's text (and the
/// allocator's overhead), as reserved; plus its texts and public addresses.
const KEY_BYTES: u64 = 16;

/// Slots the groups' map starts with once it has a group.
const FIRST_SLOTS: usize = 4;

/// Bytes one public address of a group's list costs, as reserved.
const PUBLIC_BYTES: u64 = std::mem::size_of::<(u32, PubEntry)>() as u64 * 2;

/// Bytes an interned text costs besides its characters.
const TEXT_BYTES: u64 = 48;

/// What one tuple is: its parsed values; its key is in [`Keyer::key`].
struct Row<'c> {
    time: i64,
    inbound: bool,
    allowed: bool,
    begins: i64,
    ends: i64,
    src: &'c str,
    dest: &'c str,
    src_pub: Public,
    dest_pub: Public,
    interval_start: i64,
    dest_port: i64,
    counters: PubEntry,
}

/// Reads tuples and makes their group keys.
pub(crate) struct Keyer<'e> {
    enrichment: &'e Enrichment,
    interval: Interval,
    publics: AHashMap<String, Public>,
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

impl<'e> Keyer<'e> {
    pub(crate) fn new(enrichment: &'e Enrichment, interval: Interval) -> Keyer<'e> {
        Keyer { enrichment, interval, publics: AHashMap::new(), key: String::new() }
    }

    fn public(&mut self, ip: &str) -> Result<Public, FlowLogError> {
        if let Some(p) = self.publics.get(ip) {
            return Ok(p.clone());
        }
        let p = match self.enrichment.public_addr(ip) {
            Some(a) => Some((a, Arc::new(PublicClass::from(&self.enrichment.public_info(a)?)))),
            None => None,
        };
        if self.publics.len() >= PUBLICS_CACHED {
            self.publics.clear();
        }
        self.publics.insert(ip.to_string(), p.clone());
        Ok(p)
    }

    /// Tuple `row` of `cols` (row `at` of input batch `index`), its key in `self.key`.
    fn row<'c>(&mut self, cols: &'c Columns, index: usize, row: usize, at: usize) -> Result<Row<'c>, FlowLogError> {
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
        // next), the interval first; a side is `p` and its address, or `c`
        // and its public class.
        let key = &mut self.key;
        key.clear();
        write!(key, "{interval_start:020}").expect("writing to a String");
        for (ip, p) in [(src, &src_pub), (dest, &dest_pub)] {
            match p {
                Some((_, c)) => ["c", c.flow_type, &c.location, &c.service_tag].into_iter().for_each(|f| field(key, f)),
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
        Ok(Row {
            time,
            inbound,
            allowed,
            begins,
            ends,
            src,
            dest,
            src_pub,
            dest_pub,
            interval_start,
            dest_port,
            counters,
        })
    }

    /// The [`key_hash`] of every tuple of `batch` (input batch `index`).
    pub(crate) fn hashes(
        &mut self,
        index: usize,
        offset: usize,
        batch: &RecordBatch,
    ) -> Result<Vec<u64>, FlowLogError> {
        let cols = Columns::new(batch)?;
        (0..cols.rows())
            .map(|row| {
                self.row(&cols, index, row, offset + row)?;
                Ok(key_hash(&self.key))
            })
            .collect()
    }
}

/// Where the groups' memory is reserved, and the most groups held at once.
pub struct Held {
    /// The budget (its limit is the groups' share of `--max-memory`).
    pub pool: Arc<MemoryPool>,
    /// Past the budget, keep folding (the last partitioning level).
    pub force: bool,
    /// Groups held now, by every thread.
    pub groups: AtomicU64,
    /// The most groups held at once.
    pub peak_groups: AtomicU64,
}

impl Held {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64, force: bool) -> Held {
        Held { pool: MemoryPool::new(limit), force, groups: AtomicU64::new(0), peak_groups: AtomicU64::new(0) }
    }
}

/// Why folding stopped.
enum Stop<E> {
    /// The stream's or a tuple's error.
    Error(E),
    /// The groups would pass the budget.
    Overflow,
}

/// One thread's work: its groups and what it learnt about addresses.
struct Folder<'e, 'h> {
    keyer: Keyer<'e>,
    agg: Aggregate,
    /// The texts of this thread's groups, each held once.
    texts: ahash::AHashSet<Arc<str>>,
    held: &'h Held,
    reserved: Reservation,
}

impl Folder<'_, '_> {
    /// Reserves `bytes` more; false when they pass the budget.
    fn reserve(&mut self, bytes: u64) -> bool {
        if self.held.force {
            self.reserved.force_grow(bytes);
            return true;
        }
        self.reserved.grow(bytes).is_ok()
    }

    /// `text`, shared with the earlier groups that hold it; the bytes of a new one.
    fn intern(&mut self, text: &str, bytes: &mut u64) -> Arc<str> {
        if let Some(t) = self.texts.get(text) {
            return t.clone();
        }
        let t: Arc<str> = Arc::from(text);
        *bytes += TEXT_BYTES + text.len() as u64;
        self.texts.insert(t.clone());
        t
    }

    /// Adds the rows of `batch` (rows `offset..` of input batch `index`);
    /// false when a new group does not fit the budget.
    fn add(&mut self, index: usize, offset: usize, batch: &RecordBatch) -> Result<bool, FlowLogError> {
        let cols = Columns::new(batch)?;
        for row in 0..cols.rows() {
            let r = self.keyer.row(&cols, index, row, offset + row)?;
            if !self.agg.groups.contains_key(self.keyer.key.as_str()) {
                // The map grows by doubling, its new slots reserved first
                // (a map's unused slots are most of its slack).
                let (len, slots) = (self.agg.groups.len(), self.agg.groups.capacity());
                if len == slots {
                    let more = slots.max(FIRST_SLOTS);
                    if !self.reserve(SLOT_BYTES * more as u64) {
                        return Ok(false);
                    }
                    self.agg.groups.reserve(more);
                    let grown = self.agg.groups.capacity().saturating_sub(slots + more);
                    if grown > 0 && !self.reserve(SLOT_BYTES * grown as u64) {
                        return Ok(false);
                    }
                }
                let mut bytes = KEY_BYTES + self.keyer.key.len() as u64;
                let g = Group {
                    interval_start: r.interval_start,
                    src_ip: self.intern(if r.src_pub.is_some() { "" } else { r.src }, &mut bytes),
                    dest_ip: self.intern(if r.dest_pub.is_some() { "" } else { r.dest }, &mut bytes),
                    src_class: r.src_pub.as_ref().map(|p| p.1.clone()),
                    dest_class: r.dest_pub.as_ref().map(|p| p.1.clone()),
                    dest_port: r.dest_port,
                    protocol: self.intern(cols.str(S::Proto, row), &mut bytes),
                    inbound: r.inbound,
                    allowed: r.allowed,
                    kind: self.intern(cols.str(S::Kind, row), &mut bytes),
                    flow_log: self.intern(cols.str(S::FlowLog, row), &mut bytes),
                    target: self.intern(cols.str(S::Target, row), &mut bytes),
                    mac: self.intern(cols.str(S::Mac, row), &mut bytes),
                    acl_id: self.intern(cols.str(S::AclId, row), &mut bytes),
                    rule: self.intern(cols.str(S::Rule, row), &mut bytes),
                    encryption: self.intern(cols.str(S::Encryption, row), &mut bytes),
                    first_seen: r.time,
                    last_seen: r.time,
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
                if !self.reserve(bytes) {
                    return Ok(false);
                }
                let now = self.held.groups.fetch_add(1, Ordering::Relaxed) + 1;
                self.held.peak_groups.fetch_max(now, Ordering::Relaxed);
                self.agg.groups.insert(self.keyer.key.clone(), g);
            }
            let group = self.agg.groups.get_mut(self.keyer.key.as_str()).expect("inserted above");
            group.first_seen = group.first_seen.min(r.time);
            group.last_seen = group.last_seen.max(r.time);
            if r.begins > 0 {
                group.last_begin = group.last_begin.max(Some(r.time));
            }
            group.flows += r.begins;
            group.completed += r.ends;
            group.packets_s2d += r.counters.out_packets;
            group.bytes_s2d += r.counters.out_bytes;
            group.packets_d2s += r.counters.in_packets;
            group.bytes_d2s += r.counters.in_bytes;
            let before = group.src_public.len() + group.dest_public.len();
            if let Some((a, _)) = r.src_pub {
                group.src_public.entry(a).add(&r.counters);
            }
            if let Some((a, _)) = r.dest_pub {
                group.dest_public.entry(a).add(&r.counters);
            }
            let added = group.src_public.len() + group.dest_public.len() - before;
            if added > 0 && !self.reserve(PUBLIC_BYTES * added as u64) {
                return Ok(false);
            }
        }
        self.agg.tuples += cols.rows() as u64;
        Ok(true)
    }
}

/// Batch `index` as slices `(index, offset, rows)` of at most
/// [`SLICE_ROWS`] rows (sharing its buffers); one empty slice for a batch
/// without rows, whose columns are still checked.
pub(crate) fn slices(index: usize, batch: RecordBatch) -> impl Iterator<Item = (usize, usize, RecordBatch)> + Send {
    let n = batch.num_rows();
    (0..n.div_ceil(SLICE_ROWS).max(1)).map(move |k| {
        let off = k * SLICE_ROWS;
        (index, off, batch.slice(off, SLICE_ROWS.min(n - off)))
    })
}

/// A stream's batches as slices on every core (see [`slices`]); the
/// stream's errors pass through.
pub(crate) fn par_slices<I, E>(
    batches: I,
) -> impl rayon::iter::ParallelIterator<Item = Result<(usize, usize, RecordBatch), E>>
where
    I: Iterator<Item = Result<RecordBatch, E>> + Send,
    E: Send,
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
}

/// What folding a stream came to.
pub enum Folded {
    /// Every group, within the budget.
    Fits(Aggregate),
    /// The groups would have passed the budget (never when it is forced).
    Overflow,
}

/// Aggregates a stream of batches on every core, the groups' memory
/// reserved in `held`. The threads take slices of the stream's batches as
/// they become free, and a batch is dropped once its slices are folded in,
/// so at most one batch per thread (plus the one being cut) is held,
/// however many tuples the stream has: memory grows with the groups, not
/// the tuples, and stops at the budget. The first error of the stream or of
/// a tuple stops it.
pub fn aggregate_stream<I, E>(batches: I, enrichment: &Enrichment, interval: Interval, held: &Held) -> Result<Folded, E>
where
    I: Iterator<Item = Result<RecordBatch, E>> + Send,
    E: From<FlowLogError> + Send,
{
    let folded = par_slices(batches)
        .try_fold(
            || Folder {
                keyer: Keyer::new(enrichment, interval),
                agg: Aggregate::default(),
                texts: ahash::AHashSet::new(),
                held,
                reserved: held.pool.reservation(super::grace::OPERATOR),
            },
            |mut f, slice: Result<(usize, usize, RecordBatch), E>| {
                let (i, off, b) = slice.map_err(Stop::Error)?;
                match f.add(i, off, &b) {
                    Ok(true) => Ok(f),
                    Ok(false) => Err(Stop::Overflow),
                    Err(e) => Err(Stop::Error(E::from(e))),
                }
            },
        )
        .map(|f: Result<Folder<'_, '_>, Stop<E>>| {
            f.map(|mut f| {
                f.agg.held.push(f.reserved);
                f.agg
            })
        })
        .try_reduce(Aggregate::default, |a, b| Ok(a.merge(b)));
    match folded {
        Ok(agg) => Ok(Folded::Fits(agg)),
        Err(Stop::Overflow) => Ok(Folded::Overflow),
        Err(Stop::Error(e)) => Err(e),
    }
}
