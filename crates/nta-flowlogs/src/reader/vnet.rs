//! VNet flow logs: `records[].flowRecords.flows[].flowGroups[].flowTuples`.
//!
//! Tuple (Microsoft Learn, "Virtual network flow logs", Log format):
//! `time,srcIp,destIp,srcPort,destPort,protocol(IANA number),direction(I|O),
//! state(B|C|E|D),encryption,packetsS2D,bytesS2D,packetsD2S,bytesD2S`.

use super::fields::{counters, endpoints, nonempty, one_of};
use crate::tuples::{Protocol, Tuple};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
pub(crate) struct VNetFlowRecords<'a> {
    #[serde(borrow)]
    pub flows: Vec<VNetAclFlows<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct VNetAclFlows<'a> {
    #[serde(borrow, rename = "aclID", alias = "aclId", default)]
    pub acl_id: Cow<'a, str>,
    #[serde(borrow, rename = "flowGroups")]
    pub flow_groups: Vec<VNetFlowGroup<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct VNetFlowGroup<'a> {
    #[serde(borrow, default)]
    pub rule: Cow<'a, str>,
    #[serde(borrow, rename = "flowTuples")]
    pub flow_tuples: Vec<Cow<'a, str>>,
}

pub(crate) fn tuple(text: &str) -> Result<Tuple<'_>, String> {
    let f: Vec<&str> = text.split(',').collect();
    if f.len() != 13 {
        return Err(format!("VNet flow tuple `{text}` has {} fields, not 13", f.len()));
    }
    let protocol = match f[5] {
        "6" => Protocol::Tcp,
        "17" => Protocol::Udp,
        p if p.parse::<u8>().is_ok() => Protocol::Other(p),
        p => return Err(format!("protocol `{p}` is not an IANA protocol number")),
    };
    let state = one_of(f[7], &["B", "C", "E", "D"], "flow state")?;
    let e = endpoints(&f)?;
    Ok(Tuple {
        time: e.time,
        src_ip: e.src_ip,
        dest_ip: e.dest_ip,
        src_port: e.src_port,
        dest_port: e.dest_port,
        protocol,
        direction: e.direction,
        state,
        status: if state == "D" { "D" } else { "A" },
        encryption: nonempty(f[8], "encryption")?,
        counters: counters(&f[9..13])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vnet_tuples() {
        let t = tuple("1663146003606,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,3,767,2,1580").unwrap();
        assert_eq!((t.protocol, t.state, t.status, t.encryption), (Protocol::Tcp, "E", "A", "NX"));
        assert_eq!(t.counters, [3, 767, 2, 1580]);
        let t = tuple("1663145998065,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0").unwrap();
        assert_eq!(t.status, "D");
        let t = tuple("1493763938,185.170.185.105,10.2.0.4,35370,23,1,I,B,NX,,,,").unwrap();
        assert_eq!((t.protocol, t.counters, t.time), (Protocol::Other("1"), [0; 4], 1_493_763_938_000_000_000));
        assert!(tuple("1,a,b,1,2,TCP,I,B,NX,0,0,0,0").unwrap_err().contains("IANA"));
    }
}
