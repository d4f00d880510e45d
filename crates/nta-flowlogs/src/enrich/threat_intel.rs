//! `--threat-intel`: the user's list of malicious addresses, with the
//! NTAIpDetails column names (so an NTAIpDetails export filtered to
//! `FlowType == "MaliciousFlow"` is itself a valid list).
//!
//! Formats: CSV with a header row, a JSON array of objects, or JSON lines
//! (one object per line). Column / property names are matched without
//! regard to case. `Ip` is required: an IPv4 address or a CIDR prefix; the
//! other recognised columns are `ThreatType`, `ThreatDescription`,
//! `DnsDomain`, `Url`, `Port`, `Location`, `PublicIpDetails`. Any other
//! NTAIpDetails column (`FlowType`, `TimeGenerated`, …) is accepted and
//! ignored; an unknown column is an error with a "did you mean".

use crate::error::FlowLogError;
use nta_azure::Ipv4Net;
use nta_azure::cidr::PrefixMap;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One indicator: a malicious address or prefix and what is known of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Indicator {
    /// The address (`/32`) or prefix.
    pub ip: Option<Ipv4Net>,
    /// `ThreatType` (`Botnet`, `C2`, `Malware`, …).
    pub threat_type: String,
    /// `ThreatDescription`.
    pub threat_description: String,
    /// `DnsDomain`.
    pub dns_domain: String,
    /// `Url`.
    pub url: String,
    /// `Port`.
    pub port: Option<i32>,
    /// `Location`: ISO 3166-1 alpha-2 country code.
    pub location: String,
    /// `PublicIpDetails`: owner / WHOIS text.
    pub public_ip_details: String,
}

/// The loaded indicators.
#[derive(Debug, Clone, Default)]
pub struct ThreatIntel {
    /// Indicators in file order.
    pub indicators: Vec<Indicator>,
    /// Indicator indices by prefix, built at the first lookup.
    index: OnceLock<PrefixMap<usize>>,
}

/// Columns read into an [`Indicator`].
const USED: [&str; 8] =
    ["Ip", "ThreatType", "ThreatDescription", "DnsDomain", "Url", "Port", "Location", "PublicIpDetails"];
/// The other NTAIpDetails columns, accepted and ignored (and `TableName`,
/// which `az monitor log-analytics query -o json` adds to every row).
const IGNORED: [&str; 12] = [
    "TableName",
    "_BilledSize",
    "FaSchemaVersion",
    "FlowIntervalEndTime",
    "FlowIntervalStartTime",
    "FlowType",
    "_IsBillable",
    "SourceSystem",
    "SubType",
    "TenantId",
    "TimeGenerated",
    "Type",
];

const HELP: &str = "a CSV file with a header row, a JSON array of objects or JSON lines, with the NTAIpDetails \
column names: Ip (required: an IPv4 address or prefix), ThreatType, ThreatDescription, DnsDomain, Url, Port, Location, PublicIpDetails";

/// Which field of [`Indicator`] a column fills (`None`: ignored).
fn field_of(name: &str) -> Result<Option<usize>, String> {
    if let Some(i) = USED.iter().position(|u| u.eq_ignore_ascii_case(name)) {
        return Ok(Some(i));
    }
    if IGNORED.iter().any(|u| u.eq_ignore_ascii_case(name)) {
        return Ok(None);
    }
    let lower = name.to_ascii_lowercase();
    let near = USED
        .iter()
        .map(|u| {
            let u_lower = u.to_ascii_lowercase();
            (strsim::jaro_winkler(&lower, &u_lower), strsim::osa_distance(&lower, &u_lower), *u)
        })
        .filter(|(score, distance, _)| *score > 0.8 || *distance <= 2)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Err(match near {
        Some((_, _, u)) => format!("unknown column `{name}`; did you mean `{u}`?"),
        None => format!("unknown column `{name}`"),
    })
}

fn set(ind: &mut Indicator, field: usize, value: &str) -> Result<(), String> {
    let value = value.trim();
    match field {
        0 => {
            ind.ip =
                Some(Ipv4Net::parse(value).ok_or_else(|| format!("Ip `{value}` is not an IPv4 address or prefix"))?);
        }
        1 => ind.threat_type = value.to_string(),
        2 => ind.threat_description = value.to_string(),
        3 => ind.dns_domain = value.to_string(),
        4 => ind.url = value.to_string(),
        5 if value.is_empty() => ind.port = None,
        5 => {
            ind.port = Some(
                value
                    .parse::<u16>()
                    .map(i32::from)
                    .map_err(|_| format!("Port `{value}` is not a port number (0–65535)"))?,
            );
        }
        6 => ind.location = value.to_string(),
        7 => ind.public_ip_details = value.to_string(),
        _ => unreachable!("USED has 8 columns"),
    }
    Ok(())
}

impl ThreatIntel {
    /// Reads a CSV or JSON indicator file (by extension; otherwise by its first character).
    pub fn load(path: &Path) -> Result<ThreatIntel, FlowLogError> {
        let bytes = std::fs::read(path).map_err(|e| err(path, None, format!("cannot read: {e}")))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let json = match ext.as_deref() {
            Some("json" | "jsonl" | "ndjson") => true,
            Some("csv") => false,
            _ => matches!(bytes.iter().find(|b| !b.is_ascii_whitespace()), Some(b'[' | b'{')),
        };
        let intel = if json { Self::from_json(path, bytes)? } else { Self::from_csv(path, bytes)? };
        Ok(intel)
    }

    /// Parses CSV text (`path` only names the file in errors).
    pub fn from_csv(path: &Path, bytes: &[u8]) -> Result<ThreatIntel, FlowLogError> {
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let headers = reader.headers().map_err(|e| csv_err(path, &e))?.clone();
        let mut fields = Vec::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            fields.push(field_of(h.trim()).map_err(|m| err(path, Some(format!("1:{}", i + 1)), m))?);
        }
        if !fields.contains(&Some(0)) {
            return Err(err(path, Some("1".into()), "the header has no `Ip` column".into()));
        }
        let mut indicators = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_err(path, &e))?;
            let line = record.position().map_or(0, |p| p.line());
            let mut ind = Indicator::default();
            for (i, (value, field)) in record.iter().zip(&fields).enumerate() {
                if let Some(f) = field {
                    set(&mut ind, *f, value).map_err(|m| err(path, Some(format!("{line}:{}", i + 1)), m))?;
                }
            }
            if ind.ip.is_none() {
                return Err(err(path, Some(line.to_string()), "the `Ip` column is empty".into()));
            }
            indicators.push(ind);
        }
        Ok(ThreatIntel::new(indicators))
    }

    /// Parses a JSON array of objects, or JSON lines (`path` only names the file in errors).
    pub fn from_json(path: &Path, bytes: &[u8]) -> Result<ThreatIntel, FlowLogError> {
        let json_err =
            |e: serde_json::Error| err(path, Some(format!("{}:{}", e.line(), e.column())), format!("not JSON: {e}"));
        let first = bytes.iter().position(|b| !b.is_ascii_whitespace());
        let mut indicators = Vec::new();
        if first.is_some_and(|i| bytes[i] == b'[') {
            let doc: Value = serde_json::from_slice(bytes).map_err(json_err)?;
            for (i, item) in doc.as_array().into_iter().flatten().enumerate() {
                indicators.push(indicator(item).map_err(|m| err(path, Some(format!("[{i}]")), m))?);
            }
        } else {
            let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
            loop {
                let start = stream.byte_offset();
                let Some(item) = stream.next() else { break };
                let item = item.map_err(json_err)?;
                let line = 1
                    + bytes[..start].iter().filter(|&&b| b == b'\n').count()
                    + bytes[start..].iter().take_while(|b| b.is_ascii_whitespace()).filter(|&&b| b == b'\n').count();
                indicators.push(indicator(&item).map_err(|m| err(path, Some(line.to_string()), m))?);
            }
        }
        Ok(ThreatIntel::new(indicators))
    }

    /// A list of indicators.
    pub fn new(indicators: Vec<Indicator>) -> ThreatIntel {
        ThreatIntel { indicators, index: OnceLock::new() }
    }

    /// The indicator for `ip`: the one with the longest prefix containing it
    /// (the first in the file of equals).
    pub fn lookup(&self, ip: u32) -> Option<&Indicator> {
        let index = self.index.get_or_init(|| {
            let mut m = PrefixMap::default();
            for (i, ind) in self.indicators.iter().enumerate() {
                if let Some(net) = ind.ip {
                    m.insert(net, i);
                }
            }
            m
        });
        index.matches(ip).next().map(|(_, &i)| &self.indicators[i])
    }
}

fn indicator(item: &Value) -> Result<Indicator, String> {
    let obj = item.as_object().ok_or("an indicator must be a JSON object with an `Ip` property")?;
    let mut ind = Indicator::default();
    for (k, v) in obj {
        let Some(f) = field_of(k)? else { continue };
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
            other => return Err(format!("`{k}` must be a string or a number, not {other}")),
        };
        set(&mut ind, f, &text)?;
    }
    if ind.ip.is_none() {
        return Err("the indicator has no `Ip`".into());
    }
    Ok(ind)
}

fn err(path: &Path, location: Option<String>, message: String) -> FlowLogError {
    FlowLogError::ThreatIntel { path: PathBuf::from(path), location, message, help: HELP.into() }
}

fn csv_err(path: &Path, e: &csv::Error) -> FlowLogError {
    let location = e.position().map(|p| p.line().to_string());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this row has {len} fields, the header {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_string(),
        _ => e.to_string(),
    };
    err(path, location, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nta_azure::cidr::parse_ipv4;

    fn p() -> &'static Path {
        Path::new("ti.csv")
    }

    #[test]
    fn csv_with_any_case_and_ignored_columns() {
        let text = "ip,ThreatType,DNSDomain,Port,FlowType,Location,TableName\n\
                    203.0.113.7,Botnet,bad.example,8080,MaliciousFlow,NL,PrimaryResult\n\
                    198.51.100.0/24,C2,,,MaliciousFlow,,PrimaryResult\n";
        let t = ThreatIntel::from_csv(p(), text.as_bytes()).unwrap();
        assert_eq!(t.indicators.len(), 2);
        let a = &t.indicators[0];
        assert_eq!(a.ip, Ipv4Net::parse("203.0.113.7/32"));
        assert_eq!(
            (a.threat_type.as_str(), a.dns_domain.as_str(), a.port, a.location.as_str()),
            ("Botnet", "bad.example", Some(8080), "NL")
        );
        assert_eq!(t.indicators[1].port, None);
        assert_eq!(t.lookup(parse_ipv4("198.51.100.9").unwrap()).unwrap().threat_type, "C2");
        assert_eq!(t.lookup(parse_ipv4("203.0.113.7").unwrap()).unwrap().threat_type, "Botnet");
        assert!(t.lookup(parse_ipv4("203.0.113.8").unwrap()).is_none());
    }

    #[test]
    fn longest_prefix_wins() {
        let text = "Ip,ThreatType\n10.0.0.0/8,WatchList\n10.1.0.0/16,Proxy\n10.1.0.0/16,Malware\n";
        let t = ThreatIntel::from_csv(p(), text.as_bytes()).unwrap();
        assert_eq!(t.lookup(parse_ipv4("10.1.2.3").unwrap()).unwrap().threat_type, "Proxy");
        assert_eq!(t.lookup(parse_ipv4("10.2.2.3").unwrap()).unwrap().threat_type, "WatchList");
    }

    #[test]
    fn csv_errors_are_located() {
        let e = |text: &str| ThreatIntel::from_csv(p(), text.as_bytes()).unwrap_err().to_string();
        // Line 3, column 2: the Port of the second data row.
        assert_eq!(e("Ip,Port\n1.2.3.4,80\n1.2.3.5,http\n"), "ti.csv:3:2: Port `http` is not a port number (0–65535)");
        assert_eq!(e("Ip,Threat\n1.2.3.4,x\n"), "ti.csv:1:2: unknown column `Threat`; did you mean `ThreatType`?");
        assert_eq!(e("ThreatType\nBotnet\n"), "ti.csv:1: the header has no `Ip` column");
        assert_eq!(
            e("Ip,ThreatType\n1.2.3.4,C2\nnot-an-ip,C2\n"),
            "ti.csv:3:1: Ip `not-an-ip` is not an IPv4 address or prefix"
        );
        assert_eq!(e("Ip,ThreatType\n1.2.3.4\n"), "ti.csv:2: this row has 1 fields, the header 2");
    }

    #[test]
    fn json_array_and_lines() {
        let arr = r#"[{"Ip": "203.0.113.7", "ThreatType": "Phishing", "Port": 443, "Url": "http://x.example/"},
                      {"ip": "203.0.113.8", "threatDescription": null}]"#;
        let t = ThreatIntel::from_json(Path::new("ti.json"), arr.as_bytes()).unwrap();
        assert_eq!(t.indicators.len(), 2);
        assert_eq!((t.indicators[0].port, t.indicators[0].url.as_str()), (Some(443), "http://x.example/"));
        let lines = "{\"Ip\": \"203.0.113.7\", \"ThreatType\": \"C2\"}\n\n{\"Ip\": \"203.0.113.9\"}\n";
        let t = ThreatIntel::from_json(Path::new("ti.jsonl"), lines.as_bytes()).unwrap();
        assert_eq!(t.indicators.len(), 2);
        assert_eq!(t.indicators[1].ip, Ipv4Net::parse("203.0.113.9"));
    }

    #[test]
    fn json_errors_are_located() {
        let e = |text: &str| ThreatIntel::from_json(Path::new("ti.json"), text.as_bytes()).unwrap_err().to_string();
        assert_eq!(e(r#"[{"Ip": "1.2.3.4"}, {"ThreatType": "C2"}]"#), "ti.json:[1]: the indicator has no `Ip`");
        assert_eq!(
            e("{\"Ip\": \"1.2.3.4\"}\n{\"Ip\": \"1.2.3.4\", \"Port\": \"x\"}\n"),
            "ti.json:2: Port `x` is not a port number (0–65535)"
        );
        assert_eq!(
            e("{\"Ip\": \"1.2.3.4\"}\n{\"Ip\": \"1.2.3.4\", \"Ulr\": \"\"}\n"),
            "ti.json:2: unknown column `Ulr`; did you mean `Url`?"
        );
        assert!(
            e("[{\"Ip\": \"1.2.3.4\",\n  oops}]").starts_with("ti.json:2:3: not JSON"),
            "{}",
            e("[{\"Ip\": \"1.2.3.4\",\n  oops}]")
        );
        assert_eq!(e("[1]"), "ti.json:[0]: an indicator must be a JSON object with an `Ip` property");
    }

    #[test]
    fn load_picks_the_format_by_extension_or_content() {
        let dir = tempfile::tempdir().unwrap();
        let csv_path = dir.path().join("feed.txt");
        std::fs::write(&csv_path, "Ip\n1.2.3.4\n").unwrap();
        assert_eq!(ThreatIntel::load(&csv_path).unwrap().indicators.len(), 1);
        let json_path = dir.path().join("feed");
        std::fs::write(&json_path, "\u{feff}[{\"Ip\": \"1.2.3.4\"}]").unwrap();
        assert_eq!(ThreatIntel::load(&json_path).unwrap().indicators.len(), 1);
        let missing = ThreatIntel::load(&dir.path().join("nope.csv")).unwrap_err().to_string();
        assert!(missing.contains("nope.csv: cannot read"), "{missing}");
    }
}
