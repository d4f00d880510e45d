//! One record of a blob: its tuples grouped as the blob writes them, and
//! its JSON text (NSG flow logs v1/v2, VNet flow logs), in the property
//! order of Microsoft's samples (nsg-flow-logs-overview, "Sample log
//! records"; vnet-flow-logs-overview, "Sample log record").

use super::traffic::Tup;
use super::{BlobSpec, FlowLogKind, TimeUnit};
use crate::topology::format_ipv4;
use std::fmt::Write as _;

/// Tuples sharing one ACL and rule, in the order they were generated.
#[derive(Clone, Debug)]
pub struct Group {
    /// Rule index (see [`Tup::rule`]); `None` = `unspecified`.
    pub rule: Option<u16>,
    pub tuples: Vec<Tup>,
}

/// A record: its `time` (Unix time in units of 100 ns) and its groups.
#[derive(Clone, Debug)]
pub struct Record {
    pub time_100ns: i64,
    pub groups: Vec<Group>,
}

impl Record {
    /// Groups `tuples` by rule in order of first appearance; the groups of
    /// one ACL stay together (a VNet record lists each ACL once).
    pub fn new(time_100ns: i64, tuples: Vec<Tup>) -> Record {
        let mut groups: Vec<Group> = Vec::new();
        for t in tuples {
            match groups.iter_mut().find(|g| g.rule == t.rule) {
                Some(g) => g.tuples.push(t),
                None => groups.push(Group { rule: t.rule, tuples: vec![t] }),
            }
        }
        if let Some(first) = groups.first().map(|g| g.rule.is_some()) {
            // Two ACLs at most (the NSG, `unspecified`): a stable partition.
            groups.sort_by_key(|g| g.rule.is_some() != first);
        }
        Record { time_100ns, groups }
    }

    pub fn tuples(&self) -> impl Iterator<Item = (&Group, &Tup)> {
        self.groups.iter().flat_map(|g| g.tuples.iter().map(move |t| (g, t)))
    }
}

/// `2025-06-01T00:00:55.1234567Z`: seven fractional digits, as Azure writes `time`.
pub fn format_time(time_100ns: i64) -> String {
    let secs = time_100ns.div_euclid(10_000_000);
    let frac = time_100ns.rem_euclid(10_000_000);
    let t = chrono::DateTime::from_timestamp(secs, 0).expect("time in range");
    format!("{}.{frac:07}Z", t.format("%Y-%m-%dT%H:%M:%S"))
}

fn tuple_time(t: &Tup, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Seconds => t.time_ms / 1000,
        TimeUnit::Milliseconds => t.time_ms,
    }
}

/// The flow tuple string (without quotes).
pub fn tuple_text(blob: &BlobSpec, t: &Tup, out: &mut String) {
    let w = |out: &mut String, ip: u32| format_ipv4(ip, out).expect("writing to a String cannot fail");
    write!(out, "{},", tuple_time(t, blob.unit)).expect("String");
    w(out, t.src);
    out.push(',');
    w(out, t.dst);
    let dir = if t.inbound { 'I' } else { 'O' };
    match blob.kind {
        FlowLogKind::Nsg => {
            let proto = if t.udp { 'U' } else { 'T' };
            let decision = if t.allowed { 'A' } else { 'D' };
            write!(out, ",{},{},{proto},{dir},{decision}", t.src_port, t.dest_port).expect("String");
            if blob.version >= 2 {
                write!(out, ",{}", t.state as char).expect("String");
                match t.counters {
                    Some([a, b, c, d]) => write!(out, ",{a},{b},{c},{d}").expect("String"),
                    None => out.push_str(",,,,"),
                }
            }
        }
        FlowLogKind::Vnet => {
            let proto = if t.udp { 17 } else { 6 };
            write!(out, ",{},{},{proto},{dir},{},{}", t.src_port, t.dest_port, t.state as char, t.encryption)
                .expect("String");
            match t.counters {
                Some([a, b, c, d]) => write!(out, ",{a},{b},{c},{d}").expect("String"),
                None => out.push_str(",,,,"),
            }
        }
    }
}

fn push_tuples(blob: &BlobSpec, tuples: &[Tup], out: &mut String) {
    out.push('[');
    for (i, t) in tuples.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        tuple_text(blob, t, out);
        out.push('"');
    }
    out.push(']');
}

/// The record's JSON, on one line. `rule_name(i)` gives the logged name of rule `i`.
pub fn record_json(blob: &BlobSpec, rec: &Record, rule_name: &dyn Fn(Option<u16>) -> String, out: &mut String) {
    let time = format_time(rec.time_100ns);
    match blob.kind {
        FlowLogKind::Nsg => {
            write!(
                out,
                r#"{{"time":"{time}","systemId":"{}","category":"NetworkSecurityGroupFlowEvent","resourceId":"{}","operationName":"NetworkSecurityGroupFlowEvents","properties":{{"Version":{},"flows":["#,
                blob.system_id, blob.flow_log_resource_id, blob.version
            )
            .expect("String");
            for (i, g) in rec.groups.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write!(out, r#"{{"rule":"{}","flows":[{{"mac":"{}","flowTuples":"#, rule_name(g.rule), blob.mac)
                    .expect("String");
                push_tuples(blob, &g.tuples, out);
                out.push_str("}]}");
            }
            out.push_str("]}}");
        }
        FlowLogKind::Vnet => {
            write!(
                out,
                r#"{{"time":"{time}","flowLogVersion":{},"flowLogGUID":"{}","macAddress":"{}","category":"FlowLogFlowEvent","flowLogResourceID":"{}","targetResourceID":"{}","operationName":"FlowLogFlowEvent","flowRecords":{{"flows":["#,
                blob.version, blob.system_id, blob.mac, blob.flow_log_resource_id, blob.target_resource_id
            )
            .expect("String");
            let mut open_acl: Option<bool> = None;
            for g in &rec.groups {
                let acl = g.rule.is_some();
                if open_acl != Some(acl) {
                    if open_acl.is_some() {
                        out.push_str("]},");
                    }
                    let id: &str = if acl { &blob.acl_id } else { "unspecified" };
                    write!(out, r#"{{"aclID":"{id}","flowGroups":["#).expect("String");
                    open_acl = Some(acl);
                } else {
                    out.push(',');
                }
                write!(out, r#"{{"rule":"{}","flowTuples":"#, rule_name(g.rule)).expect("String");
                push_tuples(blob, &g.tuples, out);
                out.push('}');
            }
            if open_acl.is_some() {
                out.push_str("]}");
            }
            out.push_str("]}}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_have_seven_fractional_digits() {
        // 2018-11-13T12:00:35.3899262Z, the first record of the NSG v2 sample.
        assert_eq!(format_time(1_542_110_435 * 10_000_000 + 3_899_262), "2018-11-13T12:00:35.3899262Z");
        assert_eq!(format_time(0), "1970-01-01T00:00:00.0000000Z");
    }
}
