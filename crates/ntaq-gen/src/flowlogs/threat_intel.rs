//! A threat-intelligence CSV of the topology's malicious IPs, with the
//! column names of NTAIpDetails (`Ip`, `ThreatType`, `ThreatDescription`,
//! `DnsDomain`, `Url`, `Port`, `Location`, `PublicIpDetails`; see
//! nta-schema.md), one row per IP, quoted as RFC 4180 requires (lines end in LF).

use crate::GenError;
use crate::topology::Topology;
use crate::writer::AtomicFile;
use std::path::{Path, PathBuf};

/// The header of the file.
pub const COLUMNS: [&str; 8] =
    ["Ip", "ThreatType", "ThreatDescription", "DnsDomain", "Url", "Port", "Location", "PublicIpDetails"];

pub fn write(topo: &Topology, path: &Path) -> Result<PathBuf, GenError> {
    let csv_err =
        |e: csv::Error| GenError::Io { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) };
    let file = AtomicFile::create(path)?;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(file);
    w.write_record(COLUMNS).map_err(csv_err)?;
    for p in &topo.public[topo.malicious.clone()] {
        let t = p.threat.as_ref().expect("malicious IPs carry a threat");
        let port = t.port.to_string();
        w.write_record([
            p.ip.as_str(),
            t.threat_type,
            t.description,
            &t.dns_domain,
            &t.url,
            &port,
            p.location,
            p.details,
        ])
        .map_err(csv_err)?;
    }
    let file = w
        .into_inner()
        .map_err(|e| GenError::Io { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) })?;
    file.finish()?;
    Ok(path.to_path_buf())
}
