//! NSG flow logs (versions 1 and 2): `records[].properties.flows[].flows[].flowTuples`.
//!
//! Tuple (Microsoft Learn, "Flow logging for network security groups", Log
//! format): `time,srcIp,destIp,srcPort,destPort,protocol(T|U),direction(I|O),
//! decision(A|D)`; version 2 adds `state(B|C|E),packetsS2D,bytesS2D,packetsD2S,
//! bytesD2S` (counters empty for B).

use super::fields::{counters, endpoints, one_of};
use crate::tuples::{Protocol, Tuple};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
pub(crate) struct NsgProperties<'a> {
    #[serde(rename = "Version", alias = "version", default)]
    pub version: Option<i32>,
    #[serde(borrow)]
    pub flows: Vec<NsgRuleFlows<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct NsgRuleFlows<'a> {
    #[serde(borrow, default)]
    pub rule: Cow<'a, str>,
    #[serde(borrow)]
    pub flows: Vec<NsgMacFlows<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct NsgMacFlows<'a> {
    #[serde(borrow, default)]
    pub mac: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "flowTuples")]
    pub flow_tuples: Vec<Cow<'a, str>>,
}

/// Parses an NSG tuple; returns it with the version its shape says (1 or 2).
pub(crate) fn tuple(text: &str) -> Result<(Tuple<'_>, i32), String> {
    let f: Vec<&str> = text.split(',').collect();
    let version = match f.len() {
        8 => 1,
        13 => 2,
        n => return Err(format!("NSG flow tuple `{text}` has {n} fields; version 1 has 8, version 2 has 13")),
    };
    let protocol = match f[5] {
        "T" | "6" => Protocol::Tcp,
        "U" | "17" => Protocol::Udp,
        p if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Protocol::Other(p),
        p => return Err(format!("protocol `{p}` is neither T, U nor an IANA number")),
    };
    let (state, counters) =
        if version == 2 { (one_of(f[8], &["B", "C", "E"], "flow state")?, counters(&f[9..13])?) } else { ("", [0; 4]) };
    let e = endpoints(&f)?;
    let t = Tuple {
        time: e.time,
        src_ip: e.src_ip,
        dest_ip: e.dest_ip,
        src_port: e.src_port,
        dest_port: e.dest_port,
        protocol,
        direction: e.direction,
        state,
        status: one_of(f[7], &["A", "D"], "decision")?,
        encryption: "",
        counters,
    };
    Ok((t, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_tuples() {
        let (t, v) = tuple("1487282421,192.0.2.95,10.1.0.4,51529,5358,T,I,D").unwrap();
        assert_eq!(v, 1);
        assert_eq!((t.src_ip, t.dest_ip, t.src_port, t.dest_port), ("192.0.2.95", "10.1.0.4", 51529, 5358));
        assert_eq!((t.protocol, t.direction, t.state, t.status), (Protocol::Tcp, "I", "", "D"));
        let (t, v) = tuple("1542110379,10.5.16.4,203.0.113.115,44931,443,T,O,A,C,30,16978,24,14008").unwrap();
        assert_eq!(v, 2);
        assert_eq!((t.state, t.status, t.counters), ("C", "A", [30, 16978, 24, 14008]));
        let (t, _) = tuple("1542110402,192.0.2.190,10.5.16.4,28746,443,U,I,D,B,,,,").unwrap();
        assert_eq!((t.protocol, t.counters), (Protocol::Udp, [0; 4]));
    }

    #[test]
    fn bad_tuples_say_why() {
        assert!(tuple("1,2,3").unwrap_err().contains("3 fields"));
        assert!(tuple("1487282421,192.0.2.95,10.1.0.4,51529,5358,T,X,D").unwrap_err().contains("direction"));
        assert!(tuple("1487282421,192.0.2.95,10.1.0.4,51529,99999,T,I,D").unwrap_err().contains("destination port"));
    }
}
