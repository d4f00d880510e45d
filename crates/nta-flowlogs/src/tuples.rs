//! The `FlowTuples` table: one row per flow tuple of a flow-log blob.
//!
//! Its columns are the built-in schemas' `FlowTuples` entry
//! (`kql-types/src/schemas/flowtuples-schema.json`), typed as the executor and
//! the writers expect (the canonical Arrow types, `kusto.type` on every
//! field: `kql_types::arrow::canonical_schema`). [`TupleBatcher`] collects tuples into batches of that schema.

use arrow_array::RecordBatch;
use arrow_array::builder::{Int32Builder, Int64Builder, StringBuilder, TimestampNanosecondBuilder};
use arrow_schema::SchemaRef;
use std::sync::{Arc, OnceLock};

/// The table's name in the catalog and on the command line.
pub const TABLE: &str = "FlowTuples";

/// The columns in catalog order; [`schema`] checks the catalog agrees.
pub const COLUMNS: [&str; 21] = [
    "FlowTime",
    "FlowLogKind",
    "FlowLogVersion",
    "FlowLogResourceId",
    "TargetResourceId",
    "MacAddress",
    "AclId",
    "AclRule",
    "SrcIp",
    "DestIp",
    "SrcPort",
    "DestPort",
    "L4Protocol",
    "FlowDirection",
    "FlowState",
    "FlowStatus",
    "FlowEncryption",
    "PacketsSrcToDest",
    "BytesSrcToDest",
    "PacketsDestToSrc",
    "BytesDestToSrc",
];

/// The Arrow schema of `FlowTuples`, from the built-in catalog.
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let def = kql_types::schemas::nta_table(TABLE).expect("the built-in schemas have FlowTuples");
            let columns = def.column_types();
            let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, COLUMNS, "the reader fills the catalog's FlowTuples columns in order");
            kql_types::arrow::canonical_schema(&columns)
        })
        .clone()
}

/// Which kind of flow log a tuple came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowLogKind {
    /// Network security group flow logs (category `NetworkSecurityGroupFlowEvent`).
    Nsg,
    /// Virtual network flow logs (category `FlowLogFlowEvent`).
    VNet,
}

impl FlowLogKind {
    /// The `FlowLogKind` column's text.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowLogKind::Nsg => "NSG",
            FlowLogKind::VNet => "VNet",
        }
    }
}

/// What one record says about all its tuples.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordContext<'a> {
    pub kind: FlowLogKind,
    pub version: i32,
    pub flow_log_resource_id: &'a str,
    pub target_resource_id: &'a str,
    pub mac: &'a str,
    pub acl_id: &'a str,
    pub rule: &'a str,
}

/// One parsed tuple (its strings borrowed from the tuple text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tuple<'a> {
    /// Nanoseconds since the Unix epoch.
    pub time: i64,
    pub src_ip: &'a str,
    pub dest_ip: &'a str,
    pub src_port: i32,
    pub dest_port: i32,
    pub protocol: Protocol<'a>,
    pub direction: &'a str,
    pub state: &'a str,
    pub status: &'a str,
    pub encryption: &'a str,
    pub counters: [i64; 4],
}

/// The L4 protocol as the `L4Protocol` column writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol<'a> {
    /// `T` (or IANA 6).
    Tcp,
    /// `U` (or IANA 17).
    Udp,
    /// Another IANA number, as written.
    Other(&'a str),
}

impl Protocol<'_> {
    fn as_str(&self) -> &str {
        match self {
            Protocol::Tcp => "T",
            Protocol::Udp => "U",
            Protocol::Other(s) => s,
        }
    }
}

/// Rows of `FlowTuples` being collected; [`TupleBatcher::push`] hands back a
/// full batch every `batch_rows` rows.
pub(crate) struct TupleBatcher {
    batch_rows: usize,
    len: usize,
    time: TimestampNanosecondBuilder,
    kind: StringBuilder,
    version: Int32Builder,
    flow_log_resource_id: StringBuilder,
    target_resource_id: StringBuilder,
    mac: StringBuilder,
    acl_id: StringBuilder,
    rule: StringBuilder,
    src_ip: StringBuilder,
    dest_ip: StringBuilder,
    src_port: Int32Builder,
    dest_port: Int32Builder,
    protocol: StringBuilder,
    direction: StringBuilder,
    state: StringBuilder,
    status: StringBuilder,
    encryption: StringBuilder,
    counters: [Int64Builder; 4],
}

impl TupleBatcher {
    pub fn new(batch_rows: usize) -> TupleBatcher {
        let s = StringBuilder::new;
        TupleBatcher {
            batch_rows: batch_rows.max(1),
            len: 0,
            time: TimestampNanosecondBuilder::new(),
            kind: s(),
            version: Int32Builder::new(),
            flow_log_resource_id: s(),
            target_resource_id: s(),
            mac: s(),
            acl_id: s(),
            rule: s(),
            src_ip: s(),
            dest_ip: s(),
            src_port: Int32Builder::new(),
            dest_port: Int32Builder::new(),
            protocol: s(),
            direction: s(),
            state: s(),
            status: s(),
            encryption: s(),
            counters: std::array::from_fn(|_| Int64Builder::new()),
        }
    }

    /// Adds a row; returns a batch when `batch_rows` rows are collected.
    pub fn push(&mut self, r: &RecordContext<'_>, t: &Tuple<'_>) -> Option<RecordBatch> {
        self.time.append_value(t.time);
        self.kind.append_value(r.kind.as_str());
        self.version.append_value(r.version);
        self.flow_log_resource_id.append_value(r.flow_log_resource_id);
        self.target_resource_id.append_value(r.target_resource_id);
        self.mac.append_value(r.mac);
        self.acl_id.append_value(r.acl_id);
        self.rule.append_value(r.rule);
        self.src_ip.append_value(t.src_ip);
        self.dest_ip.append_value(t.dest_ip);
        self.src_port.append_value(t.src_port);
        self.dest_port.append_value(t.dest_port);
        self.protocol.append_value(t.protocol.as_str());
        self.direction.append_value(t.direction);
        self.state.append_value(t.state);
        self.status.append_value(t.status);
        self.encryption.append_value(t.encryption);
        for (b, v) in self.counters.iter_mut().zip(t.counters) {
            b.append_value(v);
        }
        self.len += 1;
        (self.len >= self.batch_rows).then(|| self.finish())
    }

    /// Rows collected and not yet handed back.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The rows collected so far as a batch (possibly empty); starts over.
    pub fn finish(&mut self) -> RecordBatch {
        self.len = 0;
        let [c0, c1, c2, c3] = &mut self.counters;
        let columns: Vec<arrow_array::ArrayRef> = vec![
            Arc::new(self.time.finish().with_timezone("UTC")),
            Arc::new(self.kind.finish()),
            Arc::new(self.version.finish()),
            Arc::new(self.flow_log_resource_id.finish()),
            Arc::new(self.target_resource_id.finish()),
            Arc::new(self.mac.finish()),
            Arc::new(self.acl_id.finish()),
            Arc::new(self.rule.finish()),
            Arc::new(self.src_ip.finish()),
            Arc::new(self.dest_ip.finish()),
            Arc::new(self.src_port.finish()),
            Arc::new(self.dest_port.finish()),
            Arc::new(self.protocol.finish()),
            Arc::new(self.direction.finish()),
            Arc::new(self.state.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.encryption.finish()),
            Arc::new(c0.finish()),
            Arc::new(c1.finish()),
            Arc::new(c2.finish()),
            Arc::new(c3.finish()),
        ];
        RecordBatch::try_new(schema(), columns).expect("the builders follow the FlowTuples schema")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::{DataType, TimeUnit};

    #[test]
    fn schema_types_are_the_executors() {
        let s = schema();
        assert_eq!(s.fields().len(), 21);
        let dt = |n: &str| s.field_with_name(n).unwrap().data_type().clone();
        assert_eq!(dt("FlowTime"), DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())));
        assert_eq!(dt("FlowLogVersion"), DataType::Int32);
        assert_eq!(dt("SrcPort"), DataType::Int32);
        assert_eq!(dt("BytesDestToSrc"), DataType::Int64);
        assert_eq!(dt("L4Protocol"), DataType::Utf8);
        let empty = TupleBatcher::new(10).finish();
        assert_eq!(empty.num_rows(), 0);
        assert_eq!(empty.schema(), s);
    }
}
