//! `--geoip`: a MaxMind-format database (`.mmdb`: GeoLite2 / GeoIP2
//! Country or City for the country, ASN for the owner), read whole into
//! memory with the `maxminddb` crate.

use crate::error::FlowLogError;
use maxminddb::{MaxMindDbError, Reader, path};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

/// An opened MaxMind database.
pub struct GeoIp {
    reader: Reader<Vec<u8>>,
    path: PathBuf,
}

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoIp").field("path", &self.path).field("type", &self.reader.metadata().database_type).finish()
    }
}

impl GeoIp {
    /// Opens a `.mmdb` file.
    pub fn open(path: &Path) -> Result<GeoIp, FlowLogError> {
        let bytes = std::fs::read(path).map_err(|e| err(path, format!("cannot read: {e}")))?;
        GeoIp::from_bytes(path, bytes)
    }

    /// A database from its bytes (`path` names it in errors).
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<GeoIp, FlowLogError> {
        let reader = Reader::from_source(bytes).map_err(|e| err(path, format!("not a MaxMind database: {e}")))?;
        Ok(GeoIp { reader, path: path.to_path_buf() })
    }

    /// The database's `database_type` (`GeoLite2-Country`, …).
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// `country.iso_code` of `ip` (ISO 3166-1 alpha-2), when the database has one.
    pub fn country(&self, ip: u32) -> Result<Option<String>, FlowLogError> {
        self.field(ip, &path!["country", "iso_code"])
    }

    /// `autonomous_system_organization` of `ip` (ASN databases), when the database has one.
    pub fn organization(&self, ip: u32) -> Result<Option<String>, FlowLogError> {
        self.field(ip, &path!["autonomous_system_organization"])
    }

    fn field(&self, ip: u32, path: &[maxminddb::PathElement<'_>]) -> Result<Option<String>, FlowLogError> {
        let lookup =
            |ip| -> Result<Option<String>, MaxMindDbError> { self.reader.lookup(ip)?.decode_path::<String>(path) };
        lookup(IpAddr::V4(Ipv4Addr::from(ip)))
            .map_err(|e| err(&self.path, format!("cannot read the entry of {}: {e}", Ipv4Addr::from(ip))))
    }
}

fn err(path: &Path, message: String) -> FlowLogError {
    FlowLogError::GeoIp { path: path.to_path_buf(), message }
}

/// Writes small MaxMind databases for tests, following the MaxMind DB
/// format specification (<https://maxmind.github.io/MaxMind-DB/>): an IPv4
/// search tree of 24-bit records, 16 zero bytes, the data section, then
/// `\xAB\xCD\xEFMaxMind.com` and the metadata map.
#[cfg(test)]
pub mod test_db {
    /// A value of the data section.
    pub enum V<'a> {
        /// UTF-8 string (type 2).
        S(&'a str),
        /// uint16 (type 5).
        U16(u16),
        /// uint32 (type 6).
        U32(u32),
        /// uint64 (extended type 9).
        U64(u64),
        /// map (type 7).
        M(Vec<(&'a str, V<'a>)>),
        /// array (extended type 11).
        A(Vec<V<'a>>),
    }

    fn control(out: &mut Vec<u8>, ty: u8, size: usize) {
        assert!(size < 29 + 256, "small values only");
        let (low, extra) = if size < 29 { (size as u8, None) } else { (29, Some((size - 29) as u8)) };
        if ty <= 7 {
            out.push((ty << 5) | low);
        } else {
            out.push(low);
            out.push(ty - 7);
        }
        out.extend(extra);
    }

    fn uint(out: &mut Vec<u8>, ty: u8, v: u64) {
        let bytes: Vec<u8> = v.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
        control(out, ty, bytes.len());
        out.extend(bytes);
    }

    /// Encodes `v` at the end of `out`.
    pub fn encode(out: &mut Vec<u8>, v: &V<'_>) {
        match v {
            V::S(s) => {
                control(out, 2, s.len());
                out.extend(s.as_bytes());
            }
            V::U16(n) => uint(out, 5, u64::from(*n)),
            V::U32(n) => uint(out, 6, u64::from(*n)),
            V::U64(n) => uint(out, 9, *n),
            V::M(pairs) => {
                control(out, 7, pairs.len());
                for (k, v) in pairs {
                    encode(out, &V::S(k));
                    encode(out, v);
                }
            }
            V::A(items) => {
                control(out, 11, items.len());
                items.iter().for_each(|i| encode(out, i));
            }
        }
    }

    /// A database mapping each `(prefix, record)` (IPv4, non-overlapping) to its record.
    pub fn build(entries: &[(&str, V<'_>)]) -> Vec<u8> {
        let mut data = Vec::new();
        let mut nodes: Vec<[Option<Result<usize, usize>>; 2]> = vec![[None, None]];
        for (net, value) in entries {
            let net = nta_azure::Ipv4Net::parse(net).unwrap();
            let offset = data.len();
            encode(&mut data, value);
            let mut node = 0;
            for bit in 0..net.len {
                let b = ((net.addr >> (31 - bit)) & 1) as usize;
                if bit + 1 == net.len {
                    nodes[node][b] = Some(Err(offset));
                } else {
                    node = match nodes[node][b] {
                        Some(Ok(n)) => n,
                        _ => {
                            nodes.push([None, None]);
                            nodes[node][b] = Some(Ok(nodes.len() - 1));
                            nodes.len() - 1
                        }
                    };
                }
            }
        }
        let n = nodes.len();
        let mut out = Vec::new();
        for node in &nodes {
            for rec in node {
                let v = match rec {
                    Some(Ok(child)) => *child,
                    Some(Err(offset)) => n + 16 + offset,
                    None => n,
                };
                out.extend(&(v as u32).to_be_bytes()[1..]);
            }
        }
        out.extend([0u8; 16]);
        out.extend(data);
        out.extend(b"\xAB\xCD\xEFMaxMind.com");
        let meta = V::M(vec![
            ("binary_format_major_version", V::U16(2)),
            ("binary_format_minor_version", V::U16(0)),
            ("build_epoch", V::U64(1_750_000_000)),
            ("database_type", V::S("ntaq-Test")),
            ("description", V::M(vec![("en", V::S("ntaq test database"))])),
            ("ip_version", V::U16(4)),
            ("languages", V::A(vec![V::S("en")])),
            ("node_count", V::U32(n as u32)),
            ("record_size", V::U16(24)),
        ]);
        encode(&mut out, &meta);
        out
    }

    /// A country record (`{"country": {"iso_code": code}}`).
    pub fn country(code: &str) -> V<'_> {
        V::M(vec![("country", V::M(vec![("iso_code", V::S(code))]))])
    }
}

#[cfg(test)]
mod tests {
    use super::test_db::{V, build, country};
    use super::*;
    use nta_azure::cidr::parse_ipv4;

    #[test]
    fn countries_and_organisations_from_a_hand_built_database() {
        let bytes = build(&[
            ("203.0.113.0/24", country("NL")),
            ("198.51.100.0/25", country("JP")),
            ("192.0.2.0/24", V::M(vec![("autonomous_system_organization", V::S("Example Networks"))])),
        ]);
        let db = GeoIp::from_bytes(Path::new("t.mmdb"), bytes).unwrap();
        assert_eq!(db.database_type(), "ntaq-Test");
        let c = |ip: &str| db.country(parse_ipv4(ip).unwrap()).unwrap();
        assert_eq!(c("203.0.113.200").as_deref(), Some("NL"));
        assert_eq!(c("198.51.100.127").as_deref(), Some("JP"));
        assert_eq!(c("198.51.100.128"), None, "outside the /25");
        assert_eq!(c("8.8.8.8"), None);
        assert_eq!(c("192.0.2.1"), None, "an ASN record has no country");
        assert_eq!(db.organization(parse_ipv4("192.0.2.1").unwrap()).unwrap().as_deref(), Some("Example Networks"));
    }

    #[test]
    fn a_file_that_is_not_a_database_is_an_error() {
        let e = GeoIp::from_bytes(Path::new("x.mmdb"), b"not a database".to_vec()).unwrap_err().to_string();
        assert!(e.starts_with("x.mmdb: not a MaxMind database"), "{e}");
        let e = GeoIp::open(Path::new("/nonexistent/x.mmdb")).unwrap_err().to_string();
        assert!(e.contains("cannot read"), "{e}");
    }
}
