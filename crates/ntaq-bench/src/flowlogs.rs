//! `ntaq-bench flow-logs`: reading ~1 GB of flow-log blobs with `ntaq run
//! --flow-logs` — wall time, CPU time (CPU / wall = cores kept busy) and
//! peak memory — into docs/performance.md's `flowlogs` block.
//!
//! The blobs are VNet flow logs written here (single-line `PT1H.json`
//! files of one-minute records, millisecond timestamps), cached by size;
//! the query's row count is checked against the tuples written.

use crate::measure::{self, Status, median};
use crate::report::{self, Machine};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

const BEGIN: &str = "<!-- flowlogs:begin -->";
const END: &str = "<!-- flowlogs:end -->";
const QUERY: &str = "FlowTuples | summarize n = count(), bytes = sum(BytesSrcToDest)";

/// Tuples per flow group, groups per record (one record = one minute of a NIC).
const TUPLES_PER_GROUP: usize = 50;
const GROUPS_PER_RECORD: usize = 4;

/// A deterministic stream of numbers (no data depends on the machine).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// Writes one blob of about `bytes` bytes; returns its tuple count.
fn write_blob(path: &Path, bytes: u64, seed: u64) -> Result<u64, String> {
    let tmp = path.with_extension("partial");
    let err = |e: std::io::Error| format!("{}: {e}", tmp.display());
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(err)?);
    let mut rng = Lcg(seed);
    let mut written = 0u64;
    let mut tuples = 0u64;
    let mut minute = 0u64;
    out.write_all(b"{\"records\":[").map_err(err)?;
    while written < bytes {
        let mut rec = String::with_capacity(16 << 10);
        if minute > 0 {
            rec.push(',');
        }
        let _ = write!(
            rec,
            "{{\"time\":\"2025-06-01T10:{:02}:00.0000000Z\",\"flowLogVersion\":4,\"flowLogGUID\":\"66aa66aa-bb77-cc88-dd99-00ee00ee00ee\",\
             \"macAddress\":\"00224871C205\",\"category\":\"FlowLogFlowEvent\",\
             \"flowLogResourceID\":\"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_WESTEUROPE/FLOWLOGS/VNETFLOWLOG\",\
             \"targetResourceID\":\"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet\",\
             \"operationName\":\"FlowLogFlowEvent\",\"flowRecords\":{{\"flows\":[{{\"aclID\":\"00000000-1234-abcd-ef00-c1c2c3c4c5c6\",\"flowGroups\":[",
            minute % 60
        );
        let base_ms = 1_748_772_000_000 + minute * 60_000;
        for g in 0..GROUPS_PER_RECORD {
            if g > 0 {
                rec.push(',');
            }
            let _ = write!(rec, "{{\"rule\":\"UserRule_{g}\",\"flowTuples\":[");
            for t in 0..TUPLES_PER_GROUP {
                if t > 0 {
                    rec.push(',');
                }
                let state = ["B", "C", "E", "D"][rng.next(4) as usize];
                let (p1, b1, p2, b2) = if state == "C" || state == "E" {
                    let p = rng.next(5000);
                    (p, p * 700, rng.next(5000), rng.next(5_000_000))
                } else {
                    (0, 0, 0, 0)
                };
                let _ = write!(
                    rec,
                    "\"{},10.0.{}.{},{}.{}.{}.{},{},{},6,{},{},NX,{p1},{b1},{p2},{b2}\"",
                    base_ms + rng.next(60_000),
                    rng.next(4),
                    rng.next(250) + 4,
                    rng.next(200) + 20,
                    rng.next(256),
                    rng.next(256),
                    rng.next(256),
                    rng.next(64_000) + 1024,
                    [443, 80, 22, 3389, 1433][rng.next(5) as usize],
                    if rng.next(2) == 0 { "I" } else { "O" },
                    state,
                );
                tuples += 1;
            }
            rec.push_str("]}");
        }
        rec.push_str("]}]}}");
        out.write_all(rec.as_bytes()).map_err(err)?;
        written += rec.len() as u64;
        minute += 1;
    }
    out.write_all(b"]}").map_err(err)?;
    out.flush().map_err(err)?;
    drop(out);
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(tuples)
}

/// The blobs of about `total` bytes in `files` files under `cache`, written
/// once; returns the folder and the tuple count.
fn ensure(cache: &Path, total: u64, files: usize) -> Result<(PathBuf, u64), String> {
    let dir = cache.join(format!("flowlogs-{}mb-{files}", total >> 20));
    let done = dir.join("tuples.txt");
    if let Some(n) = std::fs::read_to_string(&done).ok().and_then(|t| t.trim().parse().ok()) {
        return Ok((dir, n));
    }
    let mut tuples = 0;
    for f in 0..files {
        let blob = dir.join(format!("macAddress=00224871C2{f:02}/PT1H.json"));
        std::fs::create_dir_all(blob.parent().expect("a folder")).map_err(|e| format!("{}: {e}", dir.display()))?;
        eprintln!("ntaq-bench: writing {}", blob.display());
        tuples += write_blob(&blob, total / files as u64, 20250601 + f as u64)?;
    }
    std::fs::write(&done, tuples.to_string()).map_err(|e| format!("{}: {e}", done.display()))?;
    Ok((dir, tuples))
}

pub struct Options<'a> {
    pub ntaq: &'a Path,
    pub cache: &'a Path,
    pub megabytes: u64,
    pub files: usize,
    pub runs: usize,
    pub timeout: f64,
    pub report: &'a str,
}

/// Measures and writes the report block.
pub fn bench(o: &Options<'_>) -> Result<(), String> {
    let (dir, tuples) = ensure(o.cache, o.megabytes << 20, o.files)?;
    let bytes: u64 = walk_size(&dir);
    let out = o.cache.join("out/flowlogs.csv");
    std::fs::create_dir_all(out.parent().expect("a folder")).map_err(|e| e.to_string())?;
    let args: Vec<String> = ["run", "-q", "--flow-logs", &dir.to_string_lossy(), "--format", "csv", "-c", QUERY]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut samples = Vec::new();
    for run in 0..o.runs {
        let (sample, status, stderr) = measure::run_checked(o.ntaq, &args, Some(&out), Some(o.timeout))?;
        if status != Status::Ok {
            return Err(format!("run {run} of `ntaq {}`: {status:?}: {stderr}", args.join(" ")));
        }
        let csv = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
        let n: u64 = csv.lines().nth(1).and_then(|l| l.split(',').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
        if n != tuples {
            return Err(format!("FlowTuples has {n} rows; {tuples} tuples were written"));
        }
        eprintln!(
            "ntaq-bench: flow logs run {run}: {:.2} s wall, {:.2} s CPU, {} MB peak",
            sample.wall,
            sample.cpu,
            sample.max_rss_kb >> 10
        );
        samples.push(sample);
    }
    let wall = median(&samples.iter().map(|s| s.wall).collect::<Vec<_>>());
    let cpu = median(&samples.iter().map(|s| s.cpu).collect::<Vec<_>>());
    let rss = samples.iter().map(|s| s.max_rss_kb).max().unwrap_or(0);
    let mut s = String::new();
    let date = chrono::Utc::now().format("%Y-%m-%d");
    let _ = writeln!(s, "Measured {date} on {}, ntaq {}.", Machine::read().describe(), env!("CARGO_PKG_VERSION"));
    let _ = writeln!(
        s,
        "`ntaq run -q --flow-logs DIR -c '{QUERY}'` over {} single-line VNet flow-log blobs; median of {} runs (peak memory: the largest).\n",
        o.files, o.runs
    );
    let _ = writeln!(s, "| blobs | tuples | wall (s) | CPU (s) | CPU / wall | MB/s | peak memory |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    let _ = writeln!(
        s,
        "| {} in {} files | {} | {wall:.1} | {cpu:.1} | {:.2} | {:.0} | {} MiB |",
        human(bytes),
        o.files,
        tuples,
        cpu / wall,
        bytes as f64 / 1048576.0 / wall,
        rss >> 10
    );
    if o.report == "-" {
        print!("{s}");
        return Ok(());
    }
    report::update_between(Path::new(o.report), BEGIN, END, &s, "## Reading raw flow logs\n\n")
}

fn human(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

fn walk_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                walk_size(&p)
            } else if p.extension().is_some_and(|x| x == "json") {
                e.metadata().map_or(0, |m| m.len())
            } else {
                0
            }
        })
        .sum()
}
